//! The audit ledger table. Appends only; nothing here updates or deletes entries.

use seatwise_types::{LedgerEntry, Page};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::{Conn, Sql};
use crate::clock::from_db;
use crate::domain::ledger::StoredEntry;

/// Claim the next sequence number. Updating the head row first serializes concurrent appenders (write lock on
/// SQLite, row lock on PostgreSQL) until their transactions end. Returns the new seq and the previous hash.
pub async fn claim_next(conn: &mut Conn) -> Result<(i64, String), sqlx::Error> {
    let row = sqlx::query("UPDATE ledger_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *conn)
        .await?;
    Ok((row.try_get("seq")?, row.try_get("hash")?))
}

/// Claim `n` consecutive sequence numbers at once; returns the first and the hash before it.
pub async fn claim_many(conn: &mut Conn, n: i64) -> Result<(i64, String), sqlx::Error> {
    let row = sqlx::query("UPDATE ledger_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
        .bind(n)
        .fetch_one(&mut *conn)
        .await?;
    let last: i64 = row.try_get("seq")?;
    Ok((last - n + 1, row.try_get("hash")?))
}

/// Append a run of already-chained entries with multi-row inserts, then move the head once.
pub async fn append_many(conn: &mut Conn, entries: &[StoredEntry]) -> Result<(), sqlx::Error> {
    for chunk in entries.chunks(500) {
        let mut sql = Sql::new(
            "INSERT INTO ledger_entries (seq, at, actor, action, record_type, record_id, before_json, after_json, \
             prev_hash, hash) VALUES ",
        );
        for (i, e) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind(e.seq).push(", ").bind(e.at.clone()).push(", ").bind(e.actor.clone()).push(", ");
            sql.bind(e.action.clone()).push(", ").bind(e.record_type.clone()).push(", ").bind(e.record_id).push(", ");
            sql.bind(e.before_json.clone()).push(", ").bind(e.after_json.clone()).push(", ");
            sql.bind(e.prev_hash.clone()).push(", ").bind(e.hash.clone()).push(")");
        }
        sql.query().execute(&mut *conn).await?;
    }
    if let Some(last) = entries.last() {
        sqlx::query("UPDATE ledger_head SET hash = $1 WHERE id = 1")
            .bind(last.hash.clone())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn append(conn: &mut Conn, e: &StoredEntry) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO ledger_entries (seq, at, actor, action, record_type, record_id, before_json, after_json, \
         prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(e.seq)
    .bind(e.at.clone())
    .bind(e.actor.clone())
    .bind(e.action.clone())
    .bind(e.record_type.clone())
    .bind(e.record_id)
    .bind(e.before_json.clone())
    .bind(e.after_json.clone())
    .bind(e.prev_hash.clone())
    .bind(e.hash.clone())
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE ledger_head SET hash = $1 WHERE id = 1").bind(e.hash.clone()).execute(&mut *conn).await?;
    Ok(())
}

const COLUMNS: &str =
    "SELECT seq, at, actor, action, record_type, record_id, before_json, after_json, prev_hash, hash FROM ledger_entries";

fn stored_from_row(r: &AnyRow) -> Result<StoredEntry, sqlx::Error> {
    Ok(StoredEntry {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        record_type: r.try_get("record_type")?,
        record_id: r.try_get("record_id")?,
        before_json: r.try_get("before_json")?,
        after_json: r.try_get("after_json")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

pub fn to_api(e: StoredEntry) -> LedgerEntry {
    let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    LedgerEntry {
        seq: e.seq,
        at: from_db(&e.at),
        actor: e.actor,
        action: e.action,
        record_type: e.record_type,
        record_id: e.record_id,
        before: parse(e.before_json),
        after: parse(e.after_json),
        prev_hash: e.prev_hash,
        hash: e.hash,
    }
}

/// A batch of entries after `after_seq`, in order, for verification.
pub async fn batch(pool: &AnyPool, after_seq: i64, limit: i64) -> Result<Vec<StoredEntry>, sqlx::Error> {
    let sql = format!("{COLUMNS} WHERE seq > $1 ORDER BY seq LIMIT $2");
    let rows = sqlx::query(&sql).bind(after_seq).bind(limit).fetch_all(pool).await?;
    rows.iter().map(stored_from_row).collect()
}

pub async fn head(pool: &AnyPool) -> Result<(i64, String), sqlx::Error> {
    let row = sqlx::query("SELECT seq, hash FROM ledger_head WHERE id = 1").fetch_one(pool).await?;
    Ok((row.try_get("seq")?, row.try_get("hash")?))
}

pub struct LedgerQuery {
    pub record_type: Option<String>,
    pub record_id: Option<i64>,
    pub page: i64,
    pub per_page: i64,
}

/// Newest first.
pub async fn list(pool: &AnyPool, q: &LedgerQuery) -> Result<Page<LedgerEntry>, sqlx::Error> {
    let filter = |sql: &mut Sql| {
        sql.push(" WHERE 1 = 1");
        if let Some(t) = &q.record_type {
            sql.push(" AND record_type = ").bind(t.clone());
        }
        if let Some(id) = q.record_id {
            sql.push(" AND record_id = ").bind(id);
        }
    };
    let mut count = Sql::new("SELECT COUNT(*) FROM ledger_entries");
    filter(&mut count);
    let total: i64 = count.query_scalar().fetch_one(pool).await?;
    let mut list = Sql::new(COLUMNS);
    filter(&mut list);
    list.push(" ORDER BY seq DESC LIMIT ").bind(q.per_page).push(" OFFSET ").bind((q.page - 1) * q.per_page);
    let rows = list.query().fetch_all(pool).await?;
    let items = rows.iter().map(|r| stored_from_row(r).map(to_api)).collect::<Result<_, _>>()?;
    Ok(Page { items, total, page: q.page, per_page: q.per_page })
}
