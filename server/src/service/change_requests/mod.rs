//! Change requests: drafted with every row checked and a preview, submitted, approved by someone other than the
//! requester (and by finance above the policy's thresholds), applied in stages (a pilot, then the rest), each
//! stage in one transaction with a snapshot of what it changes, and rolled back by a request of its own.
//!
//! Rows are checked with the requester's permissions whoever acts (an approver applying a request changes what
//! the requester may change, nothing more).
//!
//! One module per step of a request's life: `draft` (and `upload` from a file), `decide` (submit and sign-offs),
//! `apply`, `rollback`, `upkeep` (the background's part), `view`; `check` holds what every step reads, `mail` who
//! is told, `follow` how the feature a request came from hears of it, `policy` the approval policy.

mod apply;
mod check;
mod decide;
mod draft;
mod follow;
mod mail;
mod policy;
mod rollback;
mod upkeep;
mod upload;
mod view;

pub use apply::*;
pub use check::*;
pub use decide::*;
pub use draft::*;
pub use follow::*;
use mail::*;
pub use policy::*;
pub use rollback::*;
pub use upkeep::*;
pub use upload::*;
pub use view::*;
