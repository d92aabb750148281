//! Login failure budgets and the secrets every instance shares.

use chrono::{DateTime, Utc};
use sqlx::AnyPool;

use super::decode::scalar_timestamp;
use super::Conn;
use crate::clock::to_db;

/// Spend one attempt from a bucket if it has any left, in one statement: a new window starts when the old one
/// ended before `window_cutoff`. Returns false (and changes nothing) when the budget is used up. The row lock
/// of the upsert makes parallel attempts, on any number of instances, queue on each other instead of all
/// reading the same count.
pub async fn reserve(
    conn: &mut Conn,
    bucket: &str,
    limit: i64,
    now: DateTime<Utc>,
    window_cutoff: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let spent: Option<i64> = sqlx::query_scalar(
        "INSERT INTO login_throttle (bucket, failures, window_start) VALUES ($1, 1, $2) \
         ON CONFLICT (bucket) DO UPDATE SET \
         failures = CASE WHEN login_throttle.window_start < $3 THEN 1 ELSE login_throttle.failures + 1 END, \
         window_start = CASE WHEN login_throttle.window_start < $3 THEN $2 ELSE login_throttle.window_start END \
         WHERE login_throttle.window_start < $3 OR login_throttle.failures < $4 \
         RETURNING failures",
    )
    .bind(bucket)
    .bind(to_db(now))
    .bind(to_db(window_cutoff))
    .bind(limit)
    .fetch_optional(conn)
    .await?;
    Ok(spent.is_some())
}

/// When the bucket's current window started, to tell a refused client when to come back.
pub async fn window_start(db: &AnyPool, bucket: &str) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let at: Option<String> = sqlx::query_scalar("SELECT window_start FROM login_throttle WHERE bucket = $1")
        .bind(bucket)
        .fetch_optional(db)
        .await?;
    at.map(|at| scalar_timestamp("login_throttle", "window_start", &at)).transpose()
}

/// Hand back one reserved attempt (it succeeded, or was never evaluated).
pub async fn release(db: &AnyPool, bucket: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE login_throttle SET failures = failures - 1 WHERE bucket = $1 AND failures > 0")
        .bind(bucket)
        .execute(db)
        .await?;
    Ok(())
}

/// Forget a bucket's failures (the credential it guards was just proven).
pub async fn clear(db: &AnyPool, bucket: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_throttle WHERE bucket = $1").bind(bucket).execute(db).await?;
    Ok(())
}

/// Drop buckets whose window ended before `cutoff`; they would start afresh anyway.
pub async fn purge(db: &AnyPool, cutoff: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let r = sqlx::query("DELETE FROM login_throttle WHERE window_start < $1").bind(to_db(cutoff)).execute(db).await?;
    Ok(r.rows_affected())
}

/// The named secret, created from `candidate` by whichever instance asks first; every instance then reads the
/// same value.
pub async fn shared_secret(
    db: &AnyPool,
    name: &str,
    candidate: &str,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    sqlx::query(
        "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(candidate)
    .bind(to_db(now))
    .execute(db)
    .await?;
    sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = $1").bind(name).fetch_one(db).await
}
