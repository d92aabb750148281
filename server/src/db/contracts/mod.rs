//! Contracts, by aggregate: the contract row here, its terms, the pools it covers, its watchers, the calendar, the
//! daily job's scan and the copy of running terms onto pools in their own modules. Callers use the items through
//! this module, so moving one between files changes no caller.

mod calendar;
mod coverage;
mod scan;
mod sync;
mod terms;
mod watchers;

pub use calendar::{
    calendar, day_counts, day_events, due_terms, due_totals, feed_contract_ids, CalendarEntry, CalendarRow, DayCount,
    DueTotal,
};
pub use coverage::{
    covered_pools, covered_seats, places_of, pool_currency, pool_facts, pool_links, pools_of, set_pool, set_pools,
    sync_pool_terms, uncovered_pool_terms, usage, CoveredPool, CoveredRef, PoolFacts, PoolLink,
};
pub use scan::{job_terms, JobTerm};
pub use sync::{out_of_sync, sync_running_terms, PoolContractDates, PoolDatesSync};
pub use terms::{decide_term, insert_term, set_change_request, terms, update_term, NewTerm};
pub use watchers::{recipients, set_watchers, set_watching, watcher_ids, watchers};

use chrono::{DateTime, NaiveDate, Utc};
use seatwise_types::{Page, Ref, Term};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Executor};

use super::alerts::open_statuses;
use super::decode::Cols;
use super::pools::PoolScope;
use super::{Conn, Sort, Sql};
use crate::clock::to_db;
use crate::domain::renewals::ContractValues;

/// A contract as stored, with its latest term (the one renewal alerts are about).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredContract {
    pub id: i64,
    pub vendor: Ref,
    pub number: String,
    pub title: String,
    pub auto_renew: bool,
    pub notice_days: i64,
    pub term_months: i64,
    pub cycle_anchor: NaiveDate,
    pub renewal_price_minor: Option<i64>,
    pub currency: String,
    pub pools_value_minor: i64,
    pub vendor_contact: Option<String>,
    pub documents: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub term: Term,
    pub open_alerts: i64,
    pub version: i64,
}

const CONTRACT_SELECT: &str = "SELECT c.id, c.vendor_id, v.name AS vendor_name, c.number, c.title, c.auto_renew, \
     c.notice_days, c.term_months, c.cycle_anchor, c.renewal_price_minor, c.currency, c.vendor_contact, c.documents, \
     c.created_at, c.version, \
     (SELECT CAST(COALESCE(SUM(p.annual_cost_minor), 0) AS BIGINT) FROM pools p WHERE p.contract_id = c.id \
       AND p.currency = c.currency) AS pools_value, ";

const CONTRACT_FROM: &str = " FROM contracts c JOIN vendors v ON v.id = c.vendor_id \
     JOIN contract_terms t ON t.contract_id = c.id \
       AND t.seq = (SELECT MAX(t2.seq) FROM contract_terms t2 WHERE t2.contract_id = c.id)";

/// The contract columns with its latest term and its open alert count, up to the WHERE clause.
fn contract_select() -> Sql {
    let mut sql = Sql::new(CONTRACT_SELECT);
    sql.push("(SELECT COUNT(*) FROM alerts a WHERE a.contract_id = c.id AND ");
    sql.push_in_text("a.status", &open_statuses()).push(") AS open_alerts, ");
    sql.push(terms::TERM_COLUMNS).push(CONTRACT_FROM);
    sql
}

fn contract_from_row(r: &AnyRow) -> Result<StoredContract, sqlx::Error> {
    let c = Cols::new(r, "contracts");
    let currency = c.text("currency")?;
    Ok(StoredContract {
        id: c.i64("id")?,
        vendor: Ref { id: c.i64("vendor_id")?, name: c.text("vendor_name")? },
        number: c.text("number")?,
        title: c.text("title")?,
        auto_renew: c.flag("auto_renew")?,
        notice_days: c.i64("notice_days")?,
        term_months: c.i64("term_months")?,
        cycle_anchor: c.date("cycle_anchor")?,
        renewal_price_minor: c.opt_money_minor("renewal_price_minor")?,
        pools_value_minor: c.money_minor("pools_value")?,
        vendor_contact: c.opt_text("vendor_contact")?,
        documents: c.json("documents")?,
        created_at: c.timestamp("created_at")?,
        term: terms::term_from_row(r, &currency)?,
        open_alerts: c.i64("open_alerts")?,
        version: c.i64("version")?,
        currency,
    })
}

/// Filters of the contract list and calendar.
#[derive(Debug, Clone, Default)]
pub struct ContractFilter {
    pub scope: PoolScope,
    pub q: Option<String>,
    pub vendor_id: Option<i64>,
    pub department_id: Option<i64>,
    pub cost_centre_id: Option<i64>,
    /// A person owning one of the covered pools.
    pub owner_id: Option<i64>,
    /// Only these contracts (a calendar feed).
    pub ids: Option<Vec<i64>>,
}

impl ContractFilter {
    /// No condition at all: every contract (whose terms then need no contract row to be filtered).
    fn is_everything(&self) -> bool {
        let ContractFilter { scope, q, vendor_id, department_id, cost_centre_id, owner_id, ids } = self;
        scope.is_none()
            && q.as_deref().is_none_or(|q| q.trim().is_empty())
            && [vendor_id, department_id, cost_centre_id, owner_id].iter().all(|v| v.is_none())
            && ids.is_none()
    }
}

fn push_filter(sql: &mut Sql, f: &ContractFilter) {
    sql.push(" WHERE 1 = 1");
    if let Some(scope) = &f.scope {
        sql.push(" AND EXISTS (SELECT 1 FROM pools sp WHERE sp.contract_id = c.id AND ");
        sql.push_reach("sp", scope).push(")");
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let like = format!("%{}%", q.to_lowercase());
        sql.push(" AND (LOWER(c.number) LIKE ").bind(like.clone()).push(" OR LOWER(c.title) LIKE ");
        sql.bind(like.clone()).push(" OR LOWER(v.name) LIKE ").bind(like).push(")");
    }
    if let Some(v) = f.vendor_id {
        sql.push(" AND c.vendor_id = ").bind(v);
    }
    if let Some(ids) = &f.ids {
        sql.push(" AND ").push_in("c.id", ids);
    }
    for (column, value) in
        [("department_id", f.department_id), ("cost_centre_id", f.cost_centre_id), ("owner_id", f.owner_id)]
    {
        if let Some(value) = value {
            sql.push(" AND EXISTS (SELECT 1 FROM pools fp WHERE fp.contract_id = c.id AND fp.");
            sql.push(column).push(" = ").bind(value);
            // Filters match visible pools only, so they cannot probe what outside-scope pools a contract covers.
            if let Some(scope) = &f.scope {
                sql.push(" AND ").push_reach("fp", scope);
            }
            sql.push(")");
        }
    }
}

/// Orders of the contract list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContractSort {
    KeyDate,
    Number,
    Title,
    Vendor,
    TermEnd,
}

impl ContractSort {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "key_date" => Self::KeyDate,
            "number" => Self::Number,
            "title" => Self::Title,
            "vendor" => Self::Vendor,
            "term_end" => Self::TermEnd,
            _ => return None,
        })
    }

    fn column(self) -> &'static str {
        match self {
            Self::KeyDate => "t.key_date",
            Self::Number => "LOWER(c.number)",
            Self::Title => "LOWER(c.title)",
            Self::Vendor => "LOWER(v.name)",
            Self::TermEnd => "t.end_date",
        }
    }
}

pub async fn list(
    db: &AnyPool,
    f: &ContractFilter,
    sort: Option<Sort<ContractSort>>,
    page: i64,
    per_page: i64,
) -> Result<Page<StoredContract>, sqlx::Error> {
    let mut count = Sql::new("SELECT COUNT(*)");
    count.push(CONTRACT_FROM);
    push_filter(&mut count, f);
    let total: i64 = count.query_scalar().fetch_one(db).await?;
    let mut sql = contract_select();
    push_filter(&mut sql, f);
    let (column, desc) = sort.map_or(("t.key_date", false), |s| (s.key.column(), s.descending));
    sql.push(" ORDER BY ")
        .push(column)
        .push(if desc { " DESC" } else { "" })
        .push(", c.id LIMIT ")
        .bind(per_page)
        .push(" OFFSET ")
        .bind((page - 1) * per_page);
    let rows = sql.query().fetch_all(db).await?;
    let items = rows.iter().map(contract_from_row).collect::<Result<_, _>>()?;
    Ok(Page { items, total, page, per_page })
}

pub async fn get<'e, E: Executor<'e, Database = Any>>(exec: E, id: i64) -> Result<Option<StoredContract>, sqlx::Error> {
    let mut sql = contract_select();
    sql.push(" WHERE c.id = ").bind(id);
    sql.query().fetch_optional(exec).await?.as_ref().map(contract_from_row).transpose()
}

pub async fn number_taken(
    db: &AnyPool,
    vendor_id: i64,
    number: &str,
    except: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM contracts WHERE vendor_id = $1 AND LOWER(number) = LOWER($2) AND id <> $3",
    )
    .bind(vendor_id)
    .bind(number)
    .bind(except.unwrap_or(0))
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

fn bind_contract(sql: &mut Sql, v: &ContractValues, currency: &str, documents: &str) {
    sql.bind(v.vendor_id).push(", ").bind(v.number.clone()).push(", ").bind(v.title.clone()).push(", ");
    sql.bind(v.auto_renew).push(", ").bind(v.notice_days).push(", ").bind(v.term_months).push(", ");
    sql.bind(v.renewal_price.as_ref().map(|p| p.amount_minor)).push(", ").bind(currency).push(", ");
    sql.bind(v.vendor_contact.clone()).push(", ").bind(documents);
}

/// The documents list as stored; a list that does not serialise is an error, never an empty one.
fn documents_json(v: &ContractValues) -> Result<String, sqlx::Error> {
    serde_json::to_string(&v.documents).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

const CONTRACT_COLUMNS: &str = "vendor_id, number, title, auto_renew, notice_days, term_months, renewal_price_minor, \
     currency, vendor_contact, documents";

pub async fn insert(
    conn: &mut Conn,
    v: &ContractValues,
    currency: &str,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let documents = documents_json(v)?;
    let mut sql = Sql::new("INSERT INTO contracts (");
    sql.push(CONTRACT_COLUMNS).push(", cycle_anchor, created_at, updated_at) VALUES (");
    bind_contract(&mut sql, v, currency, &documents);
    sql.push(", ").bind(v.term_start.to_string()).push(", ").bind(to_db(now)).push(", ").bind(to_db(now));
    sql.push(") RETURNING id");
    sql.query_scalar().fetch_one(conn).await
}

pub async fn update(
    conn: &mut Conn,
    id: i64,
    v: &ContractValues,
    currency: &str,
    anchor: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let documents = documents_json(v)?;
    let mut sql = Sql::new("UPDATE contracts SET (");
    sql.push(CONTRACT_COLUMNS).push(", cycle_anchor, updated_at) = (");
    bind_contract(&mut sql, v, currency, &documents);
    sql.push(", ").bind(anchor.to_string()).push(", ").bind(to_db(now)).push(") WHERE id = ").bind(id);
    sql.query().execute(conn).await?;
    Ok(())
}

/// A contract by vendor and number, inside a transaction.
pub async fn id_by_number(conn: &mut Conn, vendor_id: i64, number: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM contracts WHERE vendor_id = $1 AND LOWER(number) = LOWER($2)")
        .bind(vendor_id)
        .bind(number)
        .fetch_optional(conn)
        .await
}
