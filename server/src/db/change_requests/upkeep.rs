//! What the background claims of change requests: lapsed approvals, due runs and reminders, claimed once across
//! instances.

use chrono::{DateTime, Utc};
use sqlx::AnyPool;

use crate::clock::to_db;
use crate::db::Conn;

// --- Background: lapsed approvals and reminders ---------------------------------------------------------------

/// Approved requests whose approval lapsed by `now`, nothing of them applied.
pub async fn lapsed(db: &AnyPool, now: DateTime<Utc>) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM change_requests WHERE status = 'approved' AND expires_at IS NOT NULL AND expires_at <= $1 \
         ORDER BY id LIMIT 500",
    )
    .bind(to_db(now))
    .fetch_all(db)
    .await
}

/// Approved requests with nothing applied yet (a pilot's rest waits for a person to confirm it) whose execution
/// window has come, not yet claimed by a run. Only those approved before their time
/// (`domain::change_request::window_missed`).
pub async fn due_runs(db: &AnyPool, now: DateTime<Utc>) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM change_requests WHERE status = 'approved' AND applied_count = 0 AND execute_at IS NOT NULL \
           AND execute_at <= $1 AND run_claimed_at IS NULL AND COALESCE(finance_at, decided_at) <= execute_at \
         ORDER BY execute_at, id LIMIT 100",
    )
    .bind(to_db(now))
    .fetch_all(db)
    .await
}

/// Claim a due run for this instance: false when another instance claimed it first (or it is no longer due).
pub async fn claim_run(db: &AnyPool, id: i64, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "UPDATE change_requests SET run_claimed_at = $1 WHERE id = $2 AND run_claimed_at IS NULL \
           AND status = 'approved' AND applied_count = 0 AND execute_at IS NOT NULL AND execute_at <= $1 \
           AND COALESCE(finance_at, decided_at) <= execute_at",
    )
    .bind(to_db(now))
    .bind(id)
    .execute(db)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Give a claimed run back (it could not start for a reason of the server's own): the next tick claims it again.
pub async fn release_run(db: &AnyPool, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE change_requests SET run_claimed_at = NULL WHERE id = $1 AND status = 'approved'")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Submitted requests neither submitted nor reminded about since `before`.
pub async fn waiting_since(db: &AnyPool, before: DateTime<Utc>) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM change_requests WHERE status = 'submitted' AND COALESCE(reminded_at, submitted_at) <= $1 \
         ORDER BY id LIMIT 500",
    )
    .bind(to_db(before))
    .fetch_all(db)
    .await
}

/// Note a reminder sent, unless another instance noted one after `before` (then `false`: it is theirs to send).
pub async fn claim_reminder(
    conn: &mut Conn,
    id: i64,
    before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE change_requests SET reminded_at = $1 WHERE id = $2 AND status = 'submitted' \
         AND COALESCE(reminded_at, submitted_at) <= $3",
    )
    .bind(to_db(now))
    .bind(id)
    .bind(to_db(before))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
