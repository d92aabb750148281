//! The savings log: one entry per reclaimed or downgraded seat, reversed (never deleted) by a restore.

use chrono::{DateTime, NaiveDate, Utc};
use seatwise_types::{Money, SavingEntry, SavingsQuery};
use sqlx::any::AnyRow;

use crate::clock::to_db;
use crate::db::bulk::{self, Col, Statement};
use crate::db::decode::Cols;
use crate::db::{Conn, Sql};
use crate::domain::access::Reach;

pub struct NewSaving {
    pub case_id: i64,
    pub person_id: i64,
    pub pool_id: i64,
    pub kind: &'static str,
    pub removed_on: NaiveDate,
    pub monthly_minor: i64,
    pub annual_minor: i64,
    pub currency: String,
    pub price_source: String,
}

/// Write these entries; each person's department and pool's cost centre are read as they are now. How many were
/// written.
pub async fn insert_many(conn: &mut Conn, entries: &[NewSaving], now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let rows: Vec<_> = entries
        .iter()
        .map(|s| {
            let removed_on = s.removed_on.to_string();
            (
                s.case_id,
                s.person_id,
                s.pool_id,
                s.kind,
                removed_on,
                s.monthly_minor,
                s.annual_minor,
                &s.currency,
                &s.price_source,
            )
        })
        .collect();
    let at = to_db(now);
    let statement = Statement {
        sql: "INSERT INTO savings (case_id, person_id, pool_id, department_id, cost_centre_id, kind, category, \
                removed_on, monthly_minor, annual_minor, currency, price_source, created_at) \
              SELECT r.case_id, r.person_id, r.pool_id, pe.department_id, p.cost_centre_id, r.kind, 'freed', \
                r.removed_on, r.monthly_minor, r.annual_minor, r.currency, r.price_source, $2 \
              FROM {rows} JOIN pools p ON p.id = r.pool_id JOIN people pe ON pe.id = r.person_id ORDER BY r.n",
        cols: &[
            Col::Int("case_id"),
            Col::Int("person_id"),
            Col::Int("pool_id"),
            Col::Text("kind"),
            Col::Text("removed_on"),
            Col::Int("monthly_minor"),
            Col::Int("annual_minor"),
            Col::Text("currency"),
            Col::Text("price_source"),
        ],
        args: &[&at],
    };
    bulk::execute(conn, &statement, &rows).await
}

/// Reverse the entries of a case (its seat was restored).
pub async fn reverse(conn: &mut Conn, case_id: i64, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("UPDATE savings SET reversed_at = $1 WHERE case_id = $2 AND reversed_at IS NULL")
        .bind(to_db(now))
        .bind(case_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

const FROM: &str = " FROM savings s JOIN people pe ON pe.id = s.person_id JOIN pools p ON p.id = s.pool_id \
     JOIN cost_centres cc ON cc.id = s.cost_centre_id LEFT JOIN departments d ON d.id = s.department_id";

fn filtered(select: &str, q: &SavingsQuery, scope: Option<&Reach>) -> Sql {
    let mut sql = Sql::new(select);
    sql.push(FROM).push(" WHERE 1 = 1");
    if let Some(d) = scope {
        sql.push(" AND ").push_reach("p", d);
    }
    if let Some(d) = q.department_id {
        sql.push(" AND s.department_id = ").bind(d);
    }
    if let Some(c) = q.cost_centre_id {
        sql.push(" AND s.cost_centre_id = ").bind(c);
    }
    if let Some(p) = q.pool_id {
        sql.push(" AND s.pool_id = ").bind(p);
    }
    if let Some(p) = q.policy_id {
        sql.push(" AND s.case_id IN (SELECT c.id FROM reclamation_cases c WHERE c.policy_id = ").bind(p).push(")");
    }
    if let Some(m) = &q.month {
        sql.push(" AND SUBSTR(s.removed_on, 1, 7) = ").bind(m.clone());
    }
    if let Some(f) = q.from {
        sql.push(" AND s.removed_on >= ").bind(f.to_string());
    }
    if let Some(t) = q.to {
        sql.push(" AND s.removed_on <= ").bind(t.to_string());
    }
    sql
}

const COLUMNS: &str = "SELECT s.id, s.case_id, s.person_id, pe.name AS person_name, s.pool_id, p.name AS pool_name, \
       s.department_id, d.name AS department_name, s.cost_centre_id, cc.code AS cost_centre_code, s.kind, \
       s.category, s.removed_on, s.monthly_minor, s.annual_minor, s.currency, s.price_source, s.reversed_at";

fn entry_from(r: &AnyRow) -> Result<SavingEntry, sqlx::Error> {
    let c = Cols::new(r, "savings");
    let currency = c.text("currency")?;
    Ok(SavingEntry {
        id: c.i64("id")?,
        case_id: c.i64("case_id")?,
        person_id: c.i64("person_id")?,
        person_name: c.of("people").text("person_name")?,
        pool_id: c.i64("pool_id")?,
        pool_name: c.of("pools").text("pool_name")?,
        department_id: c.opt_i64("department_id")?,
        department_name: c.of("departments").opt_text("department_name")?,
        cost_centre_id: c.i64("cost_centre_id")?,
        cost_centre_code: c.of("cost_centres").text("cost_centre_code")?,
        kind: c.parsed("kind", |k| ["reclaimed", "downgraded"].into_iter().find(|x| *x == k).map(str::to_string))?,
        category: c.parsed("category", |k| {
            ["freed", "cost_avoided", "hard"].into_iter().find(|x| *x == k).map(str::to_string)
        })?,
        removed_on: c.date("removed_on")?,
        monthly: Money::new(c.money_minor("monthly_minor")?, currency.clone()),
        annual: Money::new(c.money_minor("annual_minor")?, currency),
        price_source: c.text("price_source")?,
        reversed_at: c.opt_timestamp("reversed_at")?,
    })
}

/// Entries newest first; `limit` `None` for every one (the exports).
pub async fn list(
    conn: &mut Conn,
    q: &SavingsQuery,
    scope: Option<&Reach>,
    page: Option<(i64, i64)>,
) -> Result<Vec<SavingEntry>, sqlx::Error> {
    let mut sql = filtered(COLUMNS, q, scope);
    sql.push(" ORDER BY s.removed_on DESC, s.id DESC");
    if let Some((limit, offset)) = page {
        sql.push(" LIMIT ").bind(limit).push(" OFFSET ").bind(offset);
    }
    sql.query().fetch_all(conn).await?.iter().map(entry_from).collect()
}

pub async fn count(conn: &mut Conn, q: &SavingsQuery, scope: Option<&Reach>) -> Result<i64, sqlx::Error> {
    filtered("SELECT COUNT(*)", q, scope).query_scalar().fetch_one(conn).await
}

/// Sums by month removed and currency over entries not reversed: (`YYYY-MM`, currency, seats, monthly, annual).
pub async fn months(
    conn: &mut Conn,
    q: &SavingsQuery,
    scope: Option<&Reach>,
) -> Result<Vec<(String, String, i64, i64, i64)>, sqlx::Error> {
    let mut sql = filtered(
        "SELECT SUBSTR(s.removed_on, 1, 7) AS month, s.currency, COUNT(*) AS seats, \
           CAST(SUM(s.monthly_minor) AS BIGINT) AS monthly, CAST(SUM(s.annual_minor) AS BIGINT) AS annual",
        q,
        scope,
    );
    sql.push(" AND s.reversed_at IS NULL GROUP BY SUBSTR(s.removed_on, 1, 7), s.currency ORDER BY month, s.currency");
    let rows = sql.query().fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "savings");
            Ok((c.text("month")?, c.text("currency")?, c.i64("seats")?, c.i64("monthly")?, c.i64("annual")?))
        })
        .collect()
}
