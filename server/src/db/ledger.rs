//! The audit ledger table. Appends only; nothing here updates or deletes entries.

use seatwise_types::{LedgerEntry, Page};
use sqlx::any::AnyRow;
use sqlx::AnyPool;

use super::decode::{scalar_json, scalar_timestamp, Cols};
use super::{Conn, Sql};
use crate::domain::ledger::StoredEntry;

/// A position in the chain: an entry's sequence number and the hash the next entry chains to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainPoint {
    pub seq: i64,
    pub hash: String,
}

fn point_from_row(r: &AnyRow) -> Result<ChainPoint, sqlx::Error> {
    let c = Cols::new(r, "ledger_head");
    Ok(ChainPoint { seq: c.i64("seq")?, hash: c.text("hash")? })
}

/// Claim the next sequence number. Updating the head row first serializes concurrent appenders (write lock on
/// SQLite, row lock on PostgreSQL) until their transactions end. Returns the new seq and the previous hash.
pub async fn claim_next(conn: &mut Conn) -> Result<ChainPoint, sqlx::Error> {
    let row = sqlx::query("UPDATE ledger_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *conn)
        .await?;
    point_from_row(&row)
}

/// Claim `n` consecutive sequence numbers at once; returns the first and the hash before it.
pub async fn claim_many(conn: &mut Conn, n: i64) -> Result<ChainPoint, sqlx::Error> {
    let row = sqlx::query("UPDATE ledger_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
        .bind(n)
        .fetch_one(&mut *conn)
        .await?;
    let last = point_from_row(&row)?;
    Ok(ChainPoint { seq: last.seq - n + 1, hash: last.hash })
}

/// Append a run of already-chained entries through the bulk path, then move the head once. Entries written
/// together share their time and actor, which travel once per statement rather than once per row.
pub async fn append_many(conn: &mut Conn, entries: &[StoredEntry]) -> Result<(), sqlx::Error> {
    use super::bulk::{self, Col};
    for run in entries.chunk_by(|a, b| a.at == b.at && a.actor == b.actor) {
        let Some(first) = run.first() else { continue };
        let statement = bulk::Statement {
            sql: "INSERT INTO ledger_entries (seq, at, actor, action, record_type, record_id, before_json, \
                  after_json, prev_hash, hash) SELECT r.seq, $2, $3, r.action, r.record_type, r.record_id, \
                  r.before_json, r.after_json, r.prev_hash, r.hash FROM {rows}",
            cols: &[
                Col::Int("seq"),
                Col::Text("action"),
                Col::Text("record_type"),
                Col::Int("record_id"),
                Col::Text("before_json"),
                Col::Text("after_json"),
                Col::Text("prev_hash"),
                Col::Text("hash"),
            ],
            args: &[&first.at, &first.actor],
        };
        let rows: Vec<_> = run
            .iter()
            .map(|e| {
                (e.seq, &e.action, &e.record_type, e.record_id, &e.before_json, &e.after_json, &e.prev_hash, &e.hash)
            })
            .collect();
        bulk::execute(conn, &statement, &rows).await?;
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

/// An entry with its text exactly as stored: the hash covers that text, so it is decoded only for display.
fn stored_from_row(r: &AnyRow) -> Result<StoredEntry, sqlx::Error> {
    let c = Cols::new(r, "ledger_entries");
    Ok(StoredEntry {
        seq: c.i64("seq")?,
        at: c.text("at")?,
        actor: c.text("actor")?,
        action: c.text("action")?,
        record_type: c.text("record_type")?,
        record_id: c.opt_i64("record_id")?,
        before_json: c.opt_text("before_json")?,
        after_json: c.opt_text("after_json")?,
        prev_hash: c.text("prev_hash")?,
        hash: c.text("hash")?,
    })
}

pub fn to_api(e: StoredEntry) -> Result<LedgerEntry, sqlx::Error> {
    let parse = |column, s: Option<String>| s.map(|s| scalar_json("ledger_entries", column, &s)).transpose();
    Ok(LedgerEntry {
        seq: e.seq,
        at: scalar_timestamp("ledger_entries", "at", &e.at)?,
        before: parse("before_json", e.before_json)?,
        after: parse("after_json", e.after_json)?,
        actor: e.actor,
        action: e.action,
        record_type: e.record_type,
        record_id: e.record_id,
        prev_hash: e.prev_hash,
        hash: e.hash,
    })
}

/// A batch of entries after `after_seq`, in order, for verification.
pub async fn batch(db: &AnyPool, after_seq: i64, limit: i64) -> Result<Vec<StoredEntry>, sqlx::Error> {
    let sql = format!("{COLUMNS} WHERE seq > $1 ORDER BY seq LIMIT $2");
    let rows = sqlx::query(&sql).bind(after_seq).bind(limit).fetch_all(db).await?;
    rows.iter().map(stored_from_row).collect()
}

pub async fn head(db: &AnyPool) -> Result<ChainPoint, sqlx::Error> {
    let row = sqlx::query("SELECT seq, hash FROM ledger_head WHERE id = 1").fetch_one(db).await?;
    point_from_row(&row)
}

pub struct LedgerQuery {
    pub record_type: Option<String>,
    pub record_id: Option<i64>,
    pub page: i64,
    pub per_page: i64,
}

/// Newest first.
pub async fn list(db: &AnyPool, q: &LedgerQuery) -> Result<Page<LedgerEntry>, sqlx::Error> {
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
    let total: i64 = count.query_scalar().fetch_one(db).await?;
    let mut list = Sql::new(COLUMNS);
    filter(&mut list);
    list.push(" ORDER BY seq DESC LIMIT ").bind(q.per_page).push(" OFFSET ").bind((q.page - 1) * q.per_page);
    let rows = list.query().fetch_all(db).await?;
    let items = rows.iter().map(|r| stored_from_row(r).and_then(to_api)).collect::<Result<_, _>>()?;
    Ok(Page { items, total, page: q.page, per_page: q.per_page })
}
