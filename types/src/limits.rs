//! The limits the API holds input to, in one place for the server's checks and the app's forms, so both say the
//! same numbers.

/// A title (a change request's): 1 to this many characters.
pub const TITLE_CHARS: usize = 200;
/// A reason or a comment: at most this many characters.
pub const TEXT_CHARS: usize = 4000;
/// An employee's reason for asking for a license: 1 to this many characters.
pub const ASK_REASON_CHARS: usize = 1000;
/// The most operations one change request holds, whatever the approval policy says.
pub const MAX_OPERATIONS: i64 = 50_000;
