//! A contract's terms: one per period, the latest being the one renewal alerts are about.

use chrono::{DateTime, NaiveDate, Utc};
use seatwise_types::{Decision, Money, Term};
use sqlx::any::AnyRow;
use sqlx::AnyPool;

use crate::clock::to_db;
use crate::db::decode::Cols;
use crate::db::{Conn, Sql};

/// A term read with `TERM_COLUMNS`; its price is in the contract's currency.
pub(super) fn term_from_row(r: &AnyRow, currency: &str) -> Result<Term, sqlx::Error> {
    let c = Cols::new(r, "contract_terms");
    Ok(Term {
        id: c.i64("term_id")?,
        seq: c.i64("seq")?,
        start_date: c.date("start_date")?,
        end_date: c.date("end_date")?,
        price: c.opt_money_minor("price_minor")?.map(|m| Money::new(m, currency)),
        seats: c.opt_i64("seats")?,
        tier: c.opt_text("tier")?,
        decision: c.opt_parsed("decision", Decision::parse)?,
        decision_comment: c.opt_text("decision_comment")?,
        decided_by: c.opt_text("decided_by")?,
        decided_at: c.opt_timestamp("decided_at")?,
        change_request_id: c.opt_i64("change_request_id")?,
    })
}

pub(super) const TERM_COLUMNS: &str =
    "t.id AS term_id, t.seq, t.start_date, t.end_date, t.price_minor, t.seats, t.tier, \
     t.decision, t.decision_comment, t.decided_by, t.decided_at, t.change_request_id";

/// A term to store. `cancel_by` and `key_date` are derived by the caller from the contract's rules.
#[derive(Debug, Clone)]
pub struct NewTerm {
    pub contract_id: i64,
    pub seq: i64,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub cancel_by: NaiveDate,
    pub key_date: NaiveDate,
    pub price_minor: Option<i64>,
    pub seats: Option<i64>,
    pub tier: Option<String>,
}

/// Insert a term; `None` when another writer stored that term number first.
pub async fn insert_term(conn: &mut Conn, t: &NewTerm, now: DateTime<Utc>) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO contract_terms (contract_id, seq, start_date, end_date, cancel_by, key_date, price_minor, seats, \
         tier, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (contract_id, seq) DO NOTHING RETURNING id",
    )
    .bind(t.contract_id)
    .bind(t.seq)
    .bind(t.start.to_string())
    .bind(t.end.to_string())
    .bind(t.cancel_by.to_string())
    .bind(t.key_date.to_string())
    .bind(t.price_minor)
    .bind(t.seats)
    .bind(t.tier.clone())
    .bind(to_db(now))
    .fetch_optional(conn)
    .await
}

/// Correct the dates of a term (edit form).
pub async fn update_term(conn: &mut Conn, t: &NewTerm, term_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE contract_terms SET start_date = $1, end_date = $2, cancel_by = $3, key_date = $4, price_minor = $5 \
         WHERE id = $6",
    )
    .bind(t.start.to_string())
    .bind(t.end.to_string())
    .bind(t.cancel_by.to_string())
    .bind(t.key_date.to_string())
    .bind(t.price_minor)
    .bind(term_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Record a final decision on a term that has none yet; false when someone decided first.
pub async fn decide_term(
    conn: &mut Conn,
    term_id: i64,
    decision: Decision,
    comment: Option<&str>,
    by: &str,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE contract_terms SET decision = $1, decision_comment = $2, decided_by = $3, decided_at = $4 \
         WHERE id = $5 AND decision IS NULL",
    )
    .bind(decision.as_str())
    .bind(comment)
    .bind(by)
    .bind(to_db(at))
    .bind(term_id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    // A decision changes the contract's current term: an edit form opened before it is stale now.
    sqlx::query(
        "UPDATE contracts SET version = version + 1 WHERE id = (SELECT contract_id FROM contract_terms WHERE id = $1)",
    )
    .bind(term_id)
    .execute(conn)
    .await?;
    Ok(true)
}

/// Name the change request that carries a term's seat changes.
pub async fn set_change_request(conn: &mut Conn, term_id: i64, change_request_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE contract_terms SET change_request_id = $1 WHERE id = $2")
        .bind(change_request_id)
        .bind(term_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn terms(db: &AnyPool, contract_id: i64, currency: &str) -> Result<Vec<Term>, sqlx::Error> {
    let mut sql = Sql::new("SELECT ");
    sql.push(TERM_COLUMNS).push(" FROM contract_terms t WHERE t.contract_id = ").bind(contract_id);
    sql.push(" ORDER BY t.seq");
    let rows = sql.query().fetch_all(db).await?;
    rows.iter().map(|r| term_from_row(r, currency)).collect()
}
