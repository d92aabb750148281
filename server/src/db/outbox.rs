//! The claim every outbox shares (mail, seat actions, webhook deliveries): due rows are leased to one worker
//! under a token. The status and lease are checked again by the UPDATE itself, so two workers racing for a row
//! cannot both win it; each outbox then reads the rows its token holds.

use chrono::{DateTime, Utc};
use sqlx::AnyPool;

use crate::clock::to_db;

/// An outbox table and which of its rows a worker may take (`due`, over its `status` column).
pub struct Outbox {
    pub table: &'static str,
    pub due: &'static str,
}

/// Lease up to `limit` due rows (oldest first) under `token` until `now + lease`.
pub async fn claim(
    db: &AnyPool,
    outbox: &Outbox,
    token: &str,
    now: DateTime<Utc>,
    lease: chrono::Duration,
    limit: i64,
) -> Result<(), sqlx::Error> {
    let Outbox { table, due } = outbox;
    let free = "next_attempt_at <= $3 AND (claimed_until IS NULL OR claimed_until < $3)";
    let sql = format!(
        "UPDATE {table} SET claimed_until = $1, claim_token = $2 WHERE {due} AND {free} AND id IN \
         (SELECT id FROM {table} WHERE {due} AND {free} ORDER BY id LIMIT $4)"
    );
    sqlx::query(&sql).bind(to_db(now + lease)).bind(token).bind(to_db(now)).bind(limit).execute(db).await?;
    Ok(())
}

/// Extend a claimed row's lease right before working it; false when another worker has taken it over (or it is no
/// longer due).
pub async fn renew(
    db: &AnyPool,
    outbox: &Outbox,
    id: i64,
    token: &str,
    until: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let Outbox { table, due } = outbox;
    let sql = format!("UPDATE {table} SET claimed_until = $1 WHERE id = $2 AND claim_token = $3 AND {due}");
    let done = sqlx::query(&sql).bind(to_db(until)).bind(id).bind(token).execute(db).await?;
    Ok(done.rows_affected() == 1)
}
