//! Apply attempts of long work (an import, a change request's stage): each kind in its own table, with the same
//! columns for how an attempt ended. The start is written by the kind's own module (its columns differ).

use chrono::{DateTime, Utc};
use seatwise_types::AttemptOutcome;
use sqlx::AnyPool;

use super::decode::Cols;
use super::{Conn, Sql};
use crate::clock::to_db;

/// Whose attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    Import,
    ChangeRequest,
}

/// A statement on the kind's table: `{t}` is the table, `{k}` the column naming what the attempt applies.
fn on(work: Work, sql: &str) -> String {
    let (table, key) = match work {
        Work::Import => ("import_attempts", "import_id"),
        Work::ChangeRequest => ("change_request_attempts", "change_request_id"),
    };
    sql.replace("{t}", table).replace("{k}", key)
}

/// Record how an attempt ended (in the work's transaction when it applied, so both commit together).
pub async fn end(
    conn: &mut Conn,
    work: Work,
    attempt: i64,
    outcome: AttemptOutcome,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    // An attempt marked interrupted too early (its process was slow, not gone) still gets its real end.
    let sql = on(
        work,
        "UPDATE {t} SET outcome = $1, error = $2, finished_at = $3 \
         WHERE id = $4 AND (outcome IS NULL OR outcome = 'interrupted')",
    );
    sqlx::query(&sql).bind(outcome.as_str()).bind(error).bind(to_db(now)).bind(attempt).execute(conn).await?;
    Ok(())
}

/// Attempts without an end: (attempt id, id of what it applies, started at).
pub async fn unfinished(db: &AnyPool, work: Work) -> Result<Vec<(i64, i64, DateTime<Utc>)>, sqlx::Error> {
    let sql = on(work, "SELECT id, {k} AS owner, started_at FROM {t} WHERE outcome IS NULL ORDER BY id");
    let rows = sqlx::query(&sql).fetch_all(db).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "attempts");
            Ok((c.i64("id")?, c.i64("owner")?, c.timestamp("started_at")?))
        })
        .collect()
}

/// Mark these attempts, still without an end, as interrupted.
pub async fn interrupt(db: &AnyPool, work: Work, ids: &[i64]) -> Result<u64, sqlx::Error> {
    if ids.is_empty() {
        return Ok(0);
    }
    let mut sql = Sql::new(&on(work, "UPDATE {t} SET outcome = 'interrupted' WHERE outcome IS NULL AND "));
    sql.push_in("id", ids);
    Ok(sql.query().execute(db).await?.rows_affected())
}
