//! The conditional-write protocol every edit of a versioned record follows, inside the edit's transaction:
//! `lock` (row lock, current version, `If-Match` check) before reading "before", then the write, then `bump`.

use crate::db::versions::{self as store, Key, Versioned};
use crate::db::Conn;
use crate::domain::version::{self, Stale};
use crate::error::{AppError, AppResult};

/// Lock the record for this transaction and check the client's expected version; returns the current version.
/// 404 when the record does not exist (any more), 409 when it is at another version than `expected`.
pub async fn lock(
    conn: &mut Conn,
    table: Versioned,
    key: Key<'_>,
    expected: Option<i64>,
    what: &'static str,
) -> AppResult<i64> {
    let current = store::lock(conn, table, key).await?.ok_or(AppError::NotFound(what))?;
    version::check(expected, current).map_err(|s| stale(what, s))?;
    Ok(current)
}

/// Count the write made under `lock`.
pub async fn bump(conn: &mut Conn, table: Versioned, key: Key<'_>, current: i64) -> AppResult<()> {
    if store::bump(conn, table, key, current).await? {
        Ok(())
    } else {
        Err(AppError::internal(format!("version of {table:?} {key:?} moved under its row lock")))
    }
}

pub fn stale(what: &str, s: Stale) -> AppError {
    AppError::Conflict(format!(
        "This {what} was changed by someone else since you loaded it (you sent version {}, it is now at version {}). \
         Reload it and make your change again.",
        s.expected, s.current
    ))
}
