//! Contracts, their terms, the pools they cover and their watchers.

use chrono::{DateTime, NaiveDate, Utc};
use seatwise_types::{Decision, Money, PoolUsage, Ref, Term};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Executor, Row};

use super::pools::DepartmentScope;
use super::{date, parse_enum, Conn, Sql};
use crate::clock::{from_db, to_db};
use crate::domain::pool::utilization_percent;
use crate::domain::renewals::{ContractValues, PoolTerms};

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

fn opt_ts(value: Option<String>) -> Option<DateTime<Utc>> {
    value.map(|v| from_db(&v))
}

pub fn term_from_row(r: &AnyRow, currency: &str) -> Result<Term, sqlx::Error> {
    let decision: Option<String> = r.try_get("decision")?;
    Ok(Term {
        id: r.try_get("term_id")?,
        seq: r.try_get("seq")?,
        start_date: date(&r.try_get::<String, _>("start_date")?)?,
        end_date: date(&r.try_get::<String, _>("end_date")?)?,
        price: r.try_get::<Option<i64>, _>("price_minor")?.map(|m| Money::new(m, currency)),
        seats: r.try_get("seats")?,
        tier: r.try_get("tier")?,
        decision: decision.map(|d| parse_enum(&d, Decision::parse)).transpose()?,
        decision_comment: r.try_get("decision_comment")?,
        decided_by: r.try_get("decided_by")?,
        decided_at: opt_ts(r.try_get("decided_at")?),
    })
}

const TERM_COLUMNS: &str = "t.id AS term_id, t.seq, t.start_date, t.end_date, t.price_minor, t.seats, t.tier, \
     t.decision, t.decision_comment, t.decided_by, t.decided_at";

const CONTRACT_SELECT: &str = "SELECT c.id, c.vendor_id, v.name AS vendor_name, c.number, c.title, c.auto_renew, \
     c.notice_days, c.term_months, c.cycle_anchor, c.renewal_price_minor, c.currency, c.vendor_contact, c.documents, \
     c.created_at, c.version, \
     (SELECT CAST(COALESCE(SUM(p.annual_cost_minor), 0) AS BIGINT) FROM pools p WHERE p.contract_id = c.id \
       AND p.currency = c.currency) AS pools_value, \
     (SELECT COUNT(*) FROM alerts a WHERE a.contract_id = c.id AND a.status IN ('open', 'acknowledged', 'snoozed')) \
       AS open_alerts, ";

const CONTRACT_FROM: &str = " FROM contracts c JOIN vendors v ON v.id = c.vendor_id \
     JOIN contract_terms t ON t.contract_id = c.id \
       AND t.seq = (SELECT MAX(t2.seq) FROM contract_terms t2 WHERE t2.contract_id = c.id)";

fn contract_from_row(r: &AnyRow) -> Result<StoredContract, sqlx::Error> {
    let currency: String = r.try_get("currency")?;
    let documents: String = r.try_get("documents")?;
    Ok(StoredContract {
        id: r.try_get("id")?,
        vendor: Ref { id: r.try_get("vendor_id")?, name: r.try_get("vendor_name")? },
        number: r.try_get("number")?,
        title: r.try_get("title")?,
        auto_renew: r.try_get::<i64, _>("auto_renew")? != 0,
        notice_days: r.try_get("notice_days")?,
        term_months: r.try_get("term_months")?,
        cycle_anchor: date(&r.try_get::<String, _>("cycle_anchor")?)?,
        renewal_price_minor: r.try_get("renewal_price_minor")?,
        pools_value_minor: r.try_get("pools_value")?,
        vendor_contact: r.try_get("vendor_contact")?,
        documents: serde_json::from_str(&documents).unwrap_or_default(),
        created_at: from_db(&r.try_get::<String, _>("created_at")?),
        term: term_from_row(r, &currency)?,
        open_alerts: r.try_get("open_alerts")?,
        version: r.try_get("version")?,
        currency,
    })
}

/// Filters of the contract list and calendar.
#[derive(Debug, Clone, Default)]
pub struct ContractFilter {
    pub scope: DepartmentScope,
    pub q: Option<String>,
    pub vendor_id: Option<i64>,
    pub department_id: Option<i64>,
    pub cost_centre_id: Option<i64>,
    /// A person owning one of the covered pools.
    pub owner_id: Option<i64>,
    /// Only these contracts (a calendar feed).
    pub ids: Option<Vec<i64>>,
}

fn push_filter(sql: &mut Sql, f: &ContractFilter) {
    sql.push(" WHERE 1 = 1");
    if let Some(scope) = &f.scope {
        sql.push(" AND EXISTS (SELECT 1 FROM pools sp WHERE sp.contract_id = c.id AND ");
        sql.push_in("sp.department_id", scope).push(")");
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
                sql.push(" AND ").push_in("fp.department_id", scope);
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
    pool: &AnyPool,
    f: &ContractFilter,
    sort: Option<(ContractSort, bool)>,
    page: i64,
    per_page: i64,
) -> Result<(Vec<StoredContract>, i64), sqlx::Error> {
    let mut count = Sql::new("SELECT COUNT(*)");
    count.push(CONTRACT_FROM);
    push_filter(&mut count, f);
    let total: i64 = count.query_scalar().fetch_one(pool).await?;
    let mut sql = Sql::new(CONTRACT_SELECT);
    sql.push(TERM_COLUMNS).push(CONTRACT_FROM);
    push_filter(&mut sql, f);
    let (column, desc) = sort.map_or(("t.key_date", false), |(s, d)| (s.column(), d));
    sql.push(" ORDER BY ")
        .push(column)
        .push(if desc { " DESC" } else { "" })
        .push(", c.id LIMIT ")
        .bind(per_page)
        .push(" OFFSET ")
        .bind((page - 1) * per_page);
    let rows = sql.query().fetch_all(pool).await?;
    Ok((rows.iter().map(contract_from_row).collect::<Result<_, _>>()?, total))
}

pub async fn get<'e, E: Executor<'e, Database = Any>>(exec: E, id: i64) -> Result<Option<StoredContract>, sqlx::Error> {
    let mut sql = Sql::new(CONTRACT_SELECT);
    sql.push(TERM_COLUMNS).push(CONTRACT_FROM).push(" WHERE c.id = ").bind(id);
    sql.query().fetch_optional(exec).await?.as_ref().map(contract_from_row).transpose()
}

pub async fn number_taken(
    pool: &AnyPool,
    vendor_id: i64,
    number: &str,
    except: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM contracts WHERE vendor_id = $1 AND LOWER(number) = $2 AND id <> $3")
            .bind(vendor_id)
            .bind(number.to_lowercase())
            .bind(except.unwrap_or(0))
            .fetch_one(pool)
            .await?;
    Ok(n > 0)
}

fn bind_contract(sql: &mut Sql, v: &ContractValues, currency: &str, documents: &str) {
    sql.bind(v.vendor_id).push(", ").bind(v.number.clone()).push(", ").bind(v.title.clone()).push(", ");
    sql.bind(v.auto_renew).push(", ").bind(v.notice_days).push(", ").bind(v.term_months).push(", ");
    sql.bind(v.renewal_price.as_ref().map(|p| p.amount_minor)).push(", ").bind(currency).push(", ");
    sql.bind(v.vendor_contact.clone()).push(", ").bind(documents);
}

const CONTRACT_COLUMNS: &str = "vendor_id, number, title, auto_renew, notice_days, term_months, renewal_price_minor, \
     currency, vendor_contact, documents";

pub async fn insert(
    conn: &mut Conn,
    v: &ContractValues,
    currency: &str,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let documents = serde_json::to_string(&v.documents).unwrap_or_else(|_| "[]".into());
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
    let documents = serde_json::to_string(&v.documents).unwrap_or_else(|_| "[]".into());
    let mut sql = Sql::new("UPDATE contracts SET (");
    sql.push(CONTRACT_COLUMNS).push(", cycle_anchor, updated_at) = (");
    bind_contract(&mut sql, v, currency, &documents);
    sql.push(", ").bind(anchor.to_string()).push(", ").bind(to_db(now)).push(") WHERE id = ").bind(id);
    sql.query().execute(conn).await?;
    Ok(())
}

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

pub async fn terms(pool: &AnyPool, contract_id: i64, currency: &str) -> Result<Vec<Term>, sqlx::Error> {
    let mut sql = Sql::new("SELECT ");
    sql.push(TERM_COLUMNS).push(" FROM contract_terms t WHERE t.contract_id = ").bind(contract_id);
    sql.push(" ORDER BY t.seq");
    let rows = sql.query().fetch_all(pool).await?;
    rows.iter().map(|r| term_from_row(r, currency)).collect()
}

/// Point exactly these pools at the contract.
/// Returns how many pools were newly attached: only pools on no contract are taken, so a pool another writer just
/// gave to a different contract is left alone (the caller compares the count with what it expected).
pub async fn set_pools(conn: &mut Conn, contract_id: i64, pool_ids: &[i64]) -> Result<u64, sqlx::Error> {
    // Every write here moves the pool's version: a pool form opened before it must not silently revert it.
    let mut clear = Sql::new("UPDATE pools SET contract_id = NULL, version = version + 1 WHERE contract_id = ");
    clear.bind(contract_id).push(" AND ").push_not_in("id", pool_ids);
    clear.query().execute(&mut *conn).await?;
    if !pool_ids.is_empty() {
        let mut set = Sql::new("UPDATE pools SET version = version + 1, contract_id = ");
        set.bind(contract_id).push(" WHERE contract_id IS NULL AND ");
        set.push_in("id", pool_ids);
        return Ok(set.query().execute(&mut *conn).await?.rows_affected());
    }
    Ok(0)
}

/// Pools with their own contract end date and no contract yet.
pub async fn uncovered_pool_terms(pool: &AnyPool) -> Result<Vec<PoolTerms>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, name, vendor_id, contract_start, contract_end, auto_renew, notice_days, po_number FROM pools \
         WHERE contract_id IS NULL AND contract_end IS NOT NULL ORDER BY id",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let start: Option<String> = r.try_get("contract_start")?;
            Ok(PoolTerms {
                pool_id: r.try_get("id")?,
                name: r.try_get("name")?,
                vendor_id: r.try_get("vendor_id")?,
                start: start.map(|s| date(&s)).transpose()?,
                end: date(&r.try_get::<String, _>("contract_end")?)?,
                auto_renew: r.try_get::<i64, _>("auto_renew")? != 0,
                notice_days: r.try_get("notice_days")?,
                po_number: r.try_get("po_number")?,
            })
        })
        .collect()
}

pub async fn pool_currency(conn: &mut Conn, pool_id: i64) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("SELECT currency FROM pools WHERE id = $1").bind(pool_id).fetch_one(conn).await
}

/// A contract by vendor and number, inside a transaction.
pub async fn id_by_number(conn: &mut Conn, vendor_id: i64, number: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM contracts WHERE vendor_id = $1 AND LOWER(number) = $2")
        .bind(vendor_id)
        .bind(number.to_lowercase())
        .fetch_optional(conn)
        .await
}

/// The contract covering a pool.
pub async fn of_pool(pool: &AnyPool, pool_id: i64) -> Result<Option<Ref>, sqlx::Error> {
    let row = sqlx::query("SELECT c.id, c.title FROM contracts c JOIN pools p ON p.contract_id = c.id WHERE p.id = $1")
        .bind(pool_id)
        .fetch_optional(pool)
        .await?;
    row.map(|r| Ok(Ref { id: r.try_get("id")?, name: r.try_get("title")? })).transpose()
}

/// Start or stop watching; false when nothing changed.
pub async fn set_watching(conn: &mut Conn, contract_id: i64, user_id: i64, on: bool) -> Result<bool, sqlx::Error> {
    let sql = if on {
        "INSERT INTO contract_watchers (contract_id, user_id) VALUES ($1, $2) ON CONFLICT (contract_id, user_id) DO NOTHING"
    } else {
        "DELETE FROM contract_watchers WHERE contract_id = $1 AND user_id = $2"
    };
    let done = sqlx::query(sql).bind(contract_id).bind(user_id).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

/// Add one pool to a contract.
pub async fn set_pool(conn: &mut Conn, contract_id: i64, pool_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE pools SET contract_id = $1, version = version + 1 WHERE id = $2")
        .bind(contract_id)
        .bind(pool_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Copy the running term onto the covered pools, so inventory filters and owners' attention lists agree with it.
pub async fn sync_pool_terms(
    conn: &mut Conn,
    contract_id: i64,
    start: NaiveDate,
    end: NaiveDate,
    auto_renew: bool,
    notice_days: i64,
    cancel_by: NaiveDate,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE pools SET contract_start = $1, contract_end = $2, auto_renew = $3, notice_days = $4, cancel_by = $5, \
         version = version + 1 WHERE contract_id = $6",
    )
    .bind(start.to_string())
    .bind(end.to_string())
    .bind(i64::from(auto_renew))
    .bind(notice_days)
    .bind(cancel_by.to_string())
    .bind(contract_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Facts about pools a contract is to cover: (id, department, vendor, currency, contract it belongs to now).
pub async fn pool_facts(pool: &AnyPool, ids: &[i64]) -> Result<Vec<(i64, i64, i64, String, Option<i64>)>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id, department_id, vendor_id, currency, contract_id FROM pools WHERE ");
    sql.push_in("id", ids);
    let rows = sql.query().fetch_all(pool).await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("department_id")?,
                r.try_get("vendor_id")?,
                r.try_get("currency")?,
                r.try_get("contract_id")?,
            ))
        })
        .collect()
}

/// A covered pool with what the access policy and the visible value need.
#[derive(Debug, Clone, PartialEq)]
pub struct CoveredPool {
    pub contract_id: i64,
    pub pool: Ref,
    pub department_id: i64,
    pub owner_email: Option<String>,
    pub annual_cost_minor: i64,
    pub currency: String,
}

/// The pools covered by these contracts, by name.
pub async fn covered_pools<'e, E: Executor<'e, Database = Any>>(
    exec: E,
    contract_ids: &[i64],
) -> Result<Vec<CoveredPool>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT p.contract_id, p.id, p.name, p.department_id, o.email AS owner_email, p.annual_cost_minor, p.currency \
         FROM pools p LEFT JOIN people o ON o.id = p.owner_id WHERE ",
    );
    sql.push_in("p.contract_id", contract_ids).push(" ORDER BY p.name_lower, p.id");
    let rows = sql.query().fetch_all(exec).await?;
    rows.iter()
        .map(|r| {
            Ok(CoveredPool {
                contract_id: r.try_get("contract_id")?,
                pool: Ref { id: r.try_get("id")?, name: r.try_get("name")? },
                department_id: r.try_get("department_id")?,
                owner_email: r.try_get("owner_email")?,
                annual_cost_minor: r.try_get("annual_cost_minor")?,
                currency: r.try_get("currency")?,
            })
        })
        .collect()
}

/// Covered pools by contract id.
pub async fn pools_of<'e, E: Executor<'e, Database = Any>>(
    exec: E,
    contract_ids: &[i64],
) -> Result<Vec<(i64, Ref)>, sqlx::Error> {
    let mut sql = Sql::new("SELECT contract_id, id, name FROM pools WHERE ");
    sql.push_in("contract_id", contract_ids).push(" ORDER BY name_lower");
    let rows = sql.query().fetch_all(exec).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("contract_id")?, Ref { id: r.try_get("id")?, name: r.try_get("name")? })))
        .collect()
}

pub async fn departments_of(pool: &AnyPool, contract_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT DISTINCT department_id FROM pools WHERE contract_id = $1")
        .bind(contract_id)
        .fetch_all(pool)
        .await
}

/// Covered pools with the figures a renewal decision needs. Holders without a sign-in since
/// `inactive_before` (or none recorded) count as inactive.
pub async fn usage(
    pool: &AnyPool,
    contract_id: i64,
    inactive_before: NaiveDate,
) -> Result<Vec<PoolUsage>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT p.id, p.name, p.tier, p.seats_purchased, p.seats_assigned, p.annual_cost_minor, p.currency, \
         d.id AS department_id, d.name AS department_name, o.id AS owner_id, o.name AS owner_name, \
         (SELECT COUNT(*) FROM seat_assignments a JOIN people pe ON pe.id = a.person_id \
            WHERE a.pool_id = p.id AND pe.status = 'terminated') AS terminated, \
         (SELECT COUNT(*) FROM seat_assignments a JOIN people pe ON pe.id = a.person_id \
            WHERE a.pool_id = p.id AND pe.status = 'on_leave') AS on_leave, \
         (SELECT COUNT(*) FROM seat_assignments a JOIN people pe ON pe.id = a.person_id \
            WHERE a.pool_id = p.id AND pe.status = 'active' AND NOT EXISTS (SELECT 1 FROM person_signins s \
              WHERE s.person_id = pe.id AND s.last_sign_in_at >= $2)) AS inactive \
         FROM pools p JOIN departments d ON d.id = p.department_id LEFT JOIN people o ON o.id = p.owner_id \
         WHERE p.contract_id = $1 ORDER BY p.name_lower",
    )
    .bind(contract_id)
    .bind(inactive_before.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let purchased: Option<i64> = r.try_get("seats_purchased")?;
            let assigned: i64 = r.try_get("seats_assigned")?;
            let owner_id: Option<i64> = r.try_get("owner_id")?;
            Ok(PoolUsage {
                pool: Ref { id: r.try_get("id")?, name: r.try_get("name")? },
                department: Ref { id: r.try_get("department_id")?, name: r.try_get("department_name")? },
                owner: match owner_id {
                    Some(id) => Some(Ref { id, name: r.try_get("owner_name")? }),
                    None => None,
                },
                tier: r.try_get("tier")?,
                seats_purchased: purchased,
                seats_assigned: assigned,
                utilization_percent: utilization_percent(assigned, purchased),
                held_by_terminated: r.try_get("terminated")?,
                held_by_on_leave: r.try_get("on_leave")?,
                held_by_inactive: r.try_get("inactive")?,
                annual_cost: Money::new(r.try_get("annual_cost_minor")?, r.try_get::<String, _>("currency")?),
            })
        })
        .collect()
}

pub async fn watchers(pool: &AnyPool, contract_id: i64) -> Result<Vec<Ref>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT u.id, u.name FROM contract_watchers w JOIN users u ON u.id = w.user_id \
         WHERE w.contract_id = $1 ORDER BY u.name",
    )
    .bind(contract_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| Ok(Ref { id: r.try_get("id")?, name: r.try_get("name")? })).collect()
}

pub async fn set_watchers(conn: &mut Conn, contract_id: i64, user_ids: &[i64]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM contract_watchers WHERE contract_id = $1").bind(contract_id).execute(&mut *conn).await?;
    for user_id in user_ids {
        sqlx::query("INSERT INTO contract_watchers (contract_id, user_id) VALUES ($1, $2)")
            .bind(contract_id)
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Who hears about a contract: owners of covered pools (people with an e-mail, and their login if they have one)
/// and watchers. (email, user id).
pub async fn recipients(conn: &mut Conn, contract_id: i64) -> Result<Vec<(String, Option<i64>)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT o.email AS email, (SELECT MIN(u.id) FROM users u WHERE u.person_id = o.id OR LOWER(u.email) = \
         LOWER(o.email)) AS user_id FROM pools p JOIN people o ON o.id = p.owner_id \
         WHERE p.contract_id = $1 AND o.status <> 'terminated' \
         UNION SELECT u.email AS email, u.id AS user_id FROM contract_watchers w JOIN users u ON u.id = w.user_id \
         WHERE w.contract_id = $1",
    )
    .bind(contract_id)
    .fetch_all(conn)
    .await?;
    let mut out: Vec<(String, Option<i64>)> = Vec::new();
    for r in &rows {
        let email: String = r.try_get("email")?;
        let user_id: Option<i64> = r.try_get("user_id")?;
        match out.iter_mut().find(|(e, _)| e.eq_ignore_ascii_case(&email)) {
            Some(existing) => existing.1 = existing.1.or(user_id),
            None => out.push((email, user_id)),
        }
    }
    Ok(out)
}

/// What the daily job needs about every term that could raise an alert or renew itself today.
#[derive(Debug, Clone)]
pub struct JobTerm {
    pub contract_id: i64,
    pub term_id: i64,
    pub seq: i64,
    pub auto_renew: bool,
    pub notice_days: i64,
    pub term_months: i64,
    pub anchor: NaiveDate,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub price_minor: Option<i64>,
    pub renewal_price_minor: Option<i64>,
    pub seats: Option<i64>,
    pub tier: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_stage: Option<i64>,
    pub last_review: Option<NaiveDate>,
}

/// Latest undecided terms whose date that matters lies between `today` and `horizon`, rolling subscriptions, and
/// auto-renewing terms that have ended (they renew themselves).
pub async fn job_terms(pool: &AnyPool, today: NaiveDate, horizon: NaiveDate) -> Result<Vec<JobTerm>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT c.id AS contract_id, t.id AS term_id, t.seq, c.auto_renew, c.notice_days, c.term_months, \
         c.cycle_anchor, t.start_date, t.end_date, t.price_minor, c.renewal_price_minor, t.seats, t.tier, c.created_at, \
         (SELECT MIN(a.stage_days) FROM alerts a WHERE a.term_id = t.id AND a.kind <> 'review') AS last_stage, \
         (SELECT MAX(a.due_date) FROM alerts a WHERE a.contract_id = c.id AND a.kind = 'review') AS last_review \
         FROM contract_terms t JOIN contracts c ON c.id = t.contract_id \
         WHERE t.decision IS NULL \
           AND t.seq = (SELECT MAX(t2.seq) FROM contract_terms t2 WHERE t2.contract_id = t.contract_id) \
           AND ((t.key_date >= $1 AND t.key_date <= $2) \
                OR (c.auto_renew = 1 AND c.term_months = 1) \
                OR (c.auto_renew = 1 AND t.end_date < $1))",
    )
    .bind(today.to_string())
    .bind(horizon.to_string())
    .fetch_all(pool)
    .await?;
    // A row that does not decode (a date stored unreadably) is logged and skipped: the job goes on.
    let terms = rows.iter().filter_map(|r| match job_term(r) {
        Ok(t) => Some(t),
        Err(e) => {
            let contract_id = r.try_get::<i64, _>("contract_id").unwrap_or_default();
            tracing::warn!(contract_id, error = %e, "renewal job skips a contract it cannot read");
            None
        }
    });
    Ok(terms.collect())
}

fn job_term(r: &AnyRow) -> Result<JobTerm, sqlx::Error> {
    let last_review: Option<String> = r.try_get("last_review")?;
    Ok(JobTerm {
        contract_id: r.try_get("contract_id")?,
        term_id: r.try_get("term_id")?,
        seq: r.try_get("seq")?,
        auto_renew: r.try_get::<i64, _>("auto_renew")? != 0,
        notice_days: r.try_get("notice_days")?,
        term_months: r.try_get("term_months")?,
        anchor: date(&r.try_get::<String, _>("cycle_anchor")?)?,
        start: date(&r.try_get::<String, _>("start_date")?)?,
        end: date(&r.try_get::<String, _>("end_date")?)?,
        price_minor: r.try_get("price_minor")?,
        renewal_price_minor: r.try_get("renewal_price_minor")?,
        seats: r.try_get("seats")?,
        tier: r.try_get("tier")?,
        created_at: from_db(&r.try_get::<String, _>("created_at")?),
        last_stage: r.try_get("last_stage")?,
        last_review: last_review.map(|d| date(&d)).transpose()?,
    })
}

/// One dated entry for the calendar: a term's end or cancel-by date.
#[derive(Debug, Clone)]
pub struct CalendarRow {
    pub contract_id: i64,
    pub number: String,
    pub title: String,
    pub vendor: String,
    pub auto_renew: bool,
    pub end: NaiveDate,
    pub cancel_by: NaiveDate,
    /// The date that matters (cancel-by or end, by renewal kind).
    pub key_date: NaiveDate,
    pub value: Option<Money>,
    pub currency: String,
    /// Covered pools the reader may not see (set by the service).
    pub hidden_pools: i64,
}

/// Terms with an end (or, auto-renewing, a cancel-by) date in `from..=to`.
pub async fn calendar(
    pool: &AnyPool,
    f: &ContractFilter,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CalendarRow>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT c.id, c.number, c.title, v.name AS vendor_name, c.auto_renew, t.end_date, t.cancel_by, t.key_date, c.currency, \
         COALESCE(t.price_minor, c.renewal_price_minor, (SELECT CAST(SUM(p.annual_cost_minor) AS BIGINT) FROM pools p \
           WHERE p.contract_id = c.id AND p.currency = c.currency)) AS value_minor \
         FROM contract_terms t JOIN contracts c ON c.id = t.contract_id JOIN vendors v ON v.id = c.vendor_id",
    );
    push_filter(&mut sql, f);
    sql.push(" AND ((t.end_date >= ").bind(from.to_string()).push(" AND t.end_date <= ").bind(to.to_string());
    sql.push(") OR (c.auto_renew = 1 AND t.cancel_by >= ").bind(from.to_string());
    sql.push(" AND t.cancel_by <= ").bind(to.to_string()).push(")) ORDER BY t.key_date, c.id");
    let rows = sql.query().fetch_all(pool).await?;
    rows.iter()
        .map(|r| {
            let currency: String = r.try_get("currency")?;
            Ok(CalendarRow {
                contract_id: r.try_get("id")?,
                number: r.try_get("number")?,
                title: r.try_get("title")?,
                vendor: r.try_get("vendor_name")?,
                auto_renew: r.try_get::<i64, _>("auto_renew")? != 0,
                end: date(&r.try_get::<String, _>("end_date")?)?,
                cancel_by: date(&r.try_get::<String, _>("cancel_by")?)?,
                key_date: date(&r.try_get::<String, _>("key_date")?)?,
                value: r.try_get::<Option<i64>, _>("value_minor")?.map(|m| Money::new(m, currency.clone())),
                currency,
                hidden_pools: 0,
            })
        })
        .collect()
}

/// Contracts a user owns (a covered pool's owner is their person) or watches, for their calendar feed.
pub async fn feed_contract_ids(pool: &AnyPool, user_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT p.contract_id FROM pools p JOIN people o ON o.id = p.owner_id JOIN users u \
           ON (u.person_id = o.id OR LOWER(u.email) = LOWER(o.email)) \
         WHERE u.id = $1 AND p.contract_id IS NOT NULL \
         UNION SELECT contract_id FROM contract_watchers WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await
}

/// The contract dates a pool carries (copied from its contract's running term).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PoolContractDates {
    pub contract_start: Option<String>,
    pub contract_end: Option<String>,
    pub cancel_by: Option<String>,
    pub auto_renew: bool,
    pub notice_days: Option<i64>,
}

/// One pool whose contract dates a sync changed, for the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolDatesSync {
    pub pool_id: i64,
    pub before: PoolContractDates,
    pub after: PoolContractDates,
}

/// Copy each contract's running term (the latest one that has started, else the first) onto its pools, so the
/// inventory's contract dates and owners' attention lists follow renewals. For one contract, or for every pool
/// whose end date differs (the daily job). Returns each pool it changed with its dates before and after, read in
/// the same transaction as the write.
pub async fn sync_running_terms(
    conn: &mut Conn,
    today: NaiveDate,
    contract_id: Option<i64>,
) -> Result<Vec<PoolDatesSync>, sqlx::Error> {
    let running = |col: &str| {
        format!(
            "(SELECT t.{col} FROM contract_terms t WHERE t.contract_id = pools.contract_id \
             ORDER BY CASE WHEN t.start_date <= $1 THEN -t.seq ELSE t.seq + 1000000 END LIMIT 1)"
        )
    };
    let contract_col = |col: &str| format!("(SELECT c.{col} FROM contracts c WHERE c.id = pools.contract_id)");
    let select = format!(
        "SELECT id, contract_start, contract_end, cancel_by, auto_renew, notice_days, {} AS r_start, {} AS r_end, \
         {} AS r_cancel_by, {} AS r_auto_renew, {} AS r_notice_days FROM pools \
         WHERE contract_id IS NOT NULL AND (contract_id = $2 OR ($2 = 0 AND COALESCE(contract_end, '') <> {}))",
        running("start_date"),
        running("end_date"),
        running("cancel_by"),
        contract_col("auto_renew"),
        contract_col("notice_days"),
        running("end_date"),
    );
    let rows =
        sqlx::query(&select).bind(today.to_string()).bind(contract_id.unwrap_or(0)).fetch_all(&mut *conn).await?;
    let mut changes = Vec::new();
    for r in &rows {
        let before = PoolContractDates {
            contract_start: r.try_get("contract_start")?,
            contract_end: r.try_get("contract_end")?,
            cancel_by: r.try_get("cancel_by")?,
            auto_renew: r.try_get::<i64, _>("auto_renew")? != 0,
            notice_days: r.try_get("notice_days")?,
        };
        let after = PoolContractDates {
            contract_start: r.try_get("r_start")?,
            contract_end: r.try_get("r_end")?,
            cancel_by: r.try_get("r_cancel_by")?,
            auto_renew: r.try_get::<Option<i64>, _>("r_auto_renew")?.unwrap_or(0) != 0,
            notice_days: r.try_get("r_notice_days")?,
        };
        if before != after {
            changes.push(PoolDatesSync { pool_id: r.try_get("id")?, before, after });
        }
    }
    for chunk in changes.chunks(500) {
        let ids: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let text = format!(
            "UPDATE pools SET contract_start = {}, contract_end = {}, cancel_by = {}, auto_renew = {}, \
             notice_days = {}, version = version + 1 WHERE id IN ({})",
            running("start_date"),
            running("end_date"),
            running("cancel_by"),
            contract_col("auto_renew"),
            contract_col("notice_days"),
            ids.join(", "),
        );
        let mut q = sqlx::query(&text).bind(today.to_string());
        for c in chunk {
            q = q.bind(c.pool_id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(changes)
}

/// The contract each of these pools belongs to now: (pool, contract).
pub async fn pool_links(conn: &mut Conn, pool_ids: &[i64]) -> Result<Vec<(i64, Option<i64>)>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id, contract_id FROM pools WHERE ");
    sql.push_in("id", pool_ids).push(" ORDER BY id");
    let rows = sql.query().fetch_all(&mut *conn).await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("contract_id")?))).collect()
}

/// The users watching a contract, inside a transaction.
pub async fn watcher_ids(conn: &mut Conn, contract_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT user_id FROM contract_watchers WHERE contract_id = $1 ORDER BY user_id")
        .bind(contract_id)
        .fetch_all(&mut *conn)
        .await
}
