//! What My seats reads besides the seats: the pools anyone may ask for, and one's own asks (the change requests
//! a person's login requested).

use chrono::{DateTime, Utc};
use seatwise_types::{ChangeStatus, OperationInput, Ref};
use sqlx::AnyPool;

use super::decode::Cols;
use super::pools::{PricedPool, PRICED_COLUMNS};
use super::{Conn, Sql};

/// Every pool in use (not retired), by name.
pub async fn offered(db: &AnyPool) -> Result<Vec<PricedPool>, sqlx::Error> {
    let sql = format!(
        "SELECT {PRICED_COLUMNS} FROM pools p JOIN vendors v ON v.id = p.vendor_id WHERE p.retired_at IS NULL \
         ORDER BY p.name_lower, p.id"
    );
    sqlx::query(&sql).fetch_all(db).await?.iter().map(PricedPool::decode).collect()
}

/// One of a user's change requests, as their asks list shows it.
pub struct StoredAsk {
    pub id: i64,
    pub reason: String,
    pub status: ChangeStatus,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_comment: Option<String>,
    pub operations: Vec<OperationInput>,
}

/// The change requests `user_id` requested, newest first: only those in `statuses` when given, at most `limit`.
pub async fn asks_of(
    conn: &mut Conn,
    user_id: i64,
    statuses: Option<&[ChangeStatus]>,
    limit: i64,
) -> Result<Vec<StoredAsk>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT id, reason, status, created_at, decided_at, decision_comment, operations FROM change_requests \
         WHERE requested_by = ",
    );
    sql.bind(user_id);
    if let Some(statuses) = statuses {
        let names: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
        sql.push(" AND ").push_in_text("status", &names);
    }
    sql.push(" ORDER BY id DESC LIMIT ").bind(limit);
    let rows = sql.query().fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "change_requests");
            Ok(StoredAsk {
                id: c.i64("id")?,
                reason: c.text("reason")?,
                status: c.parsed("status", ChangeStatus::parse)?,
                created_at: c.timestamp("created_at")?,
                decided_at: c.opt_timestamp("decided_at")?,
                decision_comment: c.opt_text("decision_comment")?,
                operations: c.json("operations")?,
            })
        })
        .collect()
}

/// A pool in use (not retired) by id.
pub async fn pool_on_offer(conn: &mut Conn, id: i64) -> Result<Option<Ref>, sqlx::Error> {
    let row = sqlx::query("SELECT id, name FROM pools WHERE id = $1 AND retired_at IS NULL")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref()
        .map(|r| {
            let p = Cols::new(r, "pools");
            Ok(Ref { id: p.i64("id")?, name: p.text("name")? })
        })
        .transpose()
}

/// These pools' names, retired or not (an ask names the pool it was for whatever became of it).
pub async fn pool_names(db: &AnyPool, ids: &[i64]) -> Result<Vec<Ref>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id, name FROM pools WHERE ");
    sql.push_in("id", ids);
    let rows = sql.query().fetch_all(db).await?;
    rows.iter()
        .map(|r| {
            let p = Cols::new(r, "pools");
            Ok(Ref { id: p.i64("id")?, name: p.text("name")? })
        })
        .collect()
}
