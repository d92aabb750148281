//! What the finance figures read: each pool in use with its seats counted (held, by terminated people, with known
//! use, active), holders by cost centre for chargeback, chargeback methods, realized savings and budgets.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use seatwise_types::{BillingPeriod, Budget, ChargebackMethod, CostCentre, Money};
use sqlx::any::AnyRow;

use super::decode::Cols;
use super::{Conn, Sql};
use crate::clock::to_db;
use crate::domain::access::Reach;
use crate::domain::finance::PoolFacts;

/// Which pools the figures cover.
#[derive(Debug, Clone, Default)]
pub struct FinanceFilter {
    /// `None`: every pool (`access::Scope::as_filter`).
    pub scope: Option<Reach>,
    pub cost_centre_id: Option<i64>,
    pub department_id: Option<i64>,
    pub vendor_id: Option<i64>,
    /// Only these pools.
    pub pool_ids: Option<Vec<i64>>,
}

impl FinanceFilter {
    /// ` AND ...` conditions on the pools aliased `p`, those in use only.
    fn push(&self, sql: &mut Sql) {
        sql.push(" AND p.retired_at IS NULL");
        self.push_scope(sql);
    }

    /// The scope and filters alone, retired pools included.
    fn push_scope(&self, sql: &mut Sql) {
        if let Some(reach) = &self.scope {
            sql.push(" AND ").push_reach("p", reach);
        }
        for (column, value) in [
            ("p.cost_centre_id", self.cost_centre_id),
            ("p.department_id", self.department_id),
            ("p.vendor_id", self.vendor_id),
        ] {
            if let Some(v) = value {
                sql.push(" AND ").push(column).push(" = ").bind(v);
            }
        }
    }
}

/// A pool's facts with the names its figures are shown under.
#[derive(Debug, Clone)]
pub struct PoolRow {
    pub facts: PoolFacts,
    pub vendor_name: String,
    pub product_name: String,
    pub department_name: String,
    pub tier: String,
    pub cost_centre: CostCentre,
}

fn pool_row(r: &AnyRow) -> Result<PoolRow, sqlx::Error> {
    let c = Cols::new(r, "pools");
    let counts = c.of("seat_assignments");
    Ok(PoolRow {
        facts: PoolFacts {
            id: c.i64("id")?,
            name: c.text("name")?,
            vendor_id: c.i64("vendor_id")?,
            product_id: c.i64("product_id")?,
            cost_centre_id: c.i64("cost_centre_id")?,
            department_id: c.i64("department_id")?,
            seats_purchased: c.opt_i64("seats_purchased")?,
            unit_cost_minor: c.money_minor("unit_cost_minor")?,
            currency: c.text("currency")?,
            billing_period: c.parsed("billing_period", BillingPeriod::parse)?,
            contract_start: c.opt_date("contract_start")?,
            contract_end: c.opt_date("contract_end")?,
            cancel_by: c.opt_date("cancel_by")?,
            annual_cost_minor: c.money_minor("annual_cost_minor")?,
            held: counts.opt_i64("held")?.unwrap_or(0),
            terminated: counts.opt_i64("terminated")?.unwrap_or(0),
            known: counts.opt_i64("known")?.unwrap_or(0),
            active: counts.opt_i64("active")?.unwrap_or(0),
        },
        vendor_name: c.of("vendors").text("vendor_name")?,
        product_name: c.of("products").text("product_name")?,
        department_name: c.of("departments").text("department_name")?,
        tier: c.text("tier")?,
        cost_centre: CostCentre {
            id: c.i64("cost_centre_id")?,
            code: c.of("cost_centres").text("cost_centre_code")?,
            name: c.of("cost_centres").text("cost_centre_name")?,
        },
    })
}

/// Per held seat of a person not terminated whose use a source reports: its pool and the latest use reported
/// (NULL: known, never used). Sources: the pool's usage signals, and Entra sign-ins for pools a Microsoft 365 SKU
/// maps to. Driven from the signals, so it costs what there is of them, not a pass over every seat. The signals are
/// grouped before they are matched to seats and people: grouping the joined rows sorted every joined row again
/// (6.3 s against 3.4 s on SQLite for 1.2 million signals, BENCHMARKS.md).
const KNOWN_USE: &str = "SELECT x.pool_id, x.person_id, x.last FROM ( \
       SELECT y.pool_id, y.person_id, MAX(y.last) AS last FROM ( \
         SELECT u.pool_id, u.person_id, u.last_used_at AS last FROM usage_signals u \
         UNION ALL SELECT a.pool_id, a.person_id, g.last_sign_in_at FROM person_signins g \
           JOIN seat_assignments a ON a.person_id = g.person_id JOIN sku_mappings m ON m.pool_id = a.pool_id) y \
       GROUP BY y.pool_id, y.person_id) x \
     JOIN seat_assignments h ON h.pool_id = x.pool_id AND h.person_id = x.person_id \
     JOIN people pe ON pe.id = x.person_id AND pe.status <> 'terminated'";

/// Every pool in use the filter covers, by name, with its seats counted; `active_since` is when a use stops
/// counting as active. Held seats are the pool's kept count; those of terminated people are found from the few
/// terminated people; known and active use from the usage signals.
pub async fn pools(
    conn: &mut Conn,
    f: &FinanceFilter,
    active_since: DateTime<Utc>,
) -> Result<Vec<PoolRow>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT p.id, p.name, p.vendor_id, v.name AS vendor_name, p.product_id, pr.name AS product_name, p.tier, \
           d.name AS department_name, p.cost_centre_id, cc.code AS cost_centre_code, \
           cc.name AS cost_centre_name, p.department_id, p.seats_purchased, p.unit_cost_minor, p.currency, \
           p.billing_period, p.contract_start, p.contract_end, p.cancel_by, p.annual_cost_minor, \
           p.seats_assigned AS held, t.n AS terminated, k.known, k.active \
         FROM pools p JOIN vendors v ON v.id = p.vendor_id JOIN products pr ON pr.id = p.product_id \
         JOIN departments d ON d.id = p.department_id JOIN cost_centres cc ON cc.id = p.cost_centre_id \
         LEFT JOIN (SELECT a.pool_id, COUNT(*) AS n FROM people pe JOIN seat_assignments a ON a.person_id = pe.id \
           WHERE pe.status = 'terminated' GROUP BY a.pool_id) t ON t.pool_id = p.id \
         LEFT JOIN (SELECT s.pool_id, COUNT(*) AS known, \
           CAST(SUM(CASE WHEN s.last >= ",
    );
    sql.bind(to_db(active_since)).push(" THEN 1 ELSE 0 END) AS BIGINT) AS active FROM (");
    sql.push(KNOWN_USE).push(") s GROUP BY s.pool_id) k ON k.pool_id = p.id WHERE 1 = 1");
    f.push(&mut sql);
    sql.push(" ORDER BY p.name_lower, p.id");
    sql.query().fetch_all(&mut *conn).await?.iter().map(pool_row).collect()
}

/// Seats of one pool held by one cost centre's people (a person without one, or a device, counts for the
/// pool's), and how many of them were used since the cutoff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldBy {
    pub pool_id: i64,
    pub cost_centre_id: i64,
    pub held: i64,
    pub active: i64,
}

/// Holders by cost centre of `pools` (each pool's id and its own cost centre, which holds the seats of devices and
/// of people without one), counting seats given on or before `until` (every seat held now when `None`); their
/// active use from the usage signals (`KNOWN_USE`), so only the seat count passes over every seat.
pub async fn held_by_cost_centre(
    conn: &mut Conn,
    pools: &HashMap<i64, i64>,
    until: Option<DateTime<Utc>>,
    active_since: DateTime<Utc>,
) -> Result<Vec<HeldBy>, sqlx::Error> {
    // People first, then their seats through the (person, pool) index: a million seats cost one pass over that
    // index instead of a lookup of each holder (CROSS JOIN fixes that order in SQLite). Pools are matched here
    // rather than joined, which would cost a lookup per seat again.
    let mut sql = Sql::new(
        "SELECT a.pool_id, pe.cost_centre_id, COUNT(*) AS held FROM people pe CROSS JOIN seat_assignments a \
         WHERE a.person_id = pe.id",
    );
    if let Some(until) = until {
        sql.push(" AND a.assigned_at <= ").bind(to_db(until));
    }
    sql.push(
        " GROUP BY a.pool_id, pe.cost_centre_id UNION ALL \
         SELECT a.pool_id, CAST(NULL AS BIGINT) AS cost_centre_id, COUNT(*) AS held FROM seat_assignments a \
         WHERE a.person_id IS NULL",
    );
    if let Some(until) = until {
        sql.push(" AND a.assigned_at <= ").bind(to_db(until));
    }
    sql.push(" GROUP BY a.pool_id");
    let mut held: std::collections::BTreeMap<(i64, i64), HeldBy> = std::collections::BTreeMap::new();
    for r in sql.query().fetch_all(&mut *conn).await? {
        let c = Cols::new(&r, "seat_assignments");
        let Some((pool_id, cost_centre_id)) = charged_to(&c, pools)? else { continue };
        held.entry((pool_id, cost_centre_id)).or_insert(HeldBy { pool_id, cost_centre_id, held: 0, active: 0 }).held +=
            c.i64("held")?;
    }
    let mut sql = Sql::new("SELECT s.pool_id, pe.cost_centre_id, COUNT(*) AS active FROM (");
    sql.push(KNOWN_USE).push(") s JOIN people pe ON pe.id = s.person_id ");
    sql.push("JOIN seat_assignments a ON a.pool_id = s.pool_id AND a.person_id = s.person_id WHERE s.last >= ");
    sql.bind(to_db(active_since));
    if let Some(until) = until {
        sql.push(" AND a.assigned_at <= ").bind(to_db(until));
    }
    sql.push(" GROUP BY s.pool_id, pe.cost_centre_id");
    for r in sql.query().fetch_all(&mut *conn).await? {
        let c = Cols::new(&r, "seat_assignments");
        let Some(key) = charged_to(&c, pools)? else { continue };
        if let Some(h) = held.get_mut(&key) {
            h.active += c.i64("active")?;
        }
    }
    Ok(held.into_values().collect())
}

/// A row's (pool, cost centre) among `pools`: the holder's cost centre, else the pool's own; `None` for a pool
/// not asked about.
fn charged_to(c: &Cols<'_>, pools: &HashMap<i64, i64>) -> Result<Option<(i64, i64)>, sqlx::Error> {
    let pool_id = c.i64("pool_id")?;
    let Some(own) = pools.get(&pool_id) else { return Ok(None) };
    Ok(Some((pool_id, c.opt_i64("cost_centre_id")?.unwrap_or(*own))))
}

/// Pools of the filter created on or before `until` (a pool bought later owes nothing for the month).
pub async fn pools_created_by(
    conn: &mut Conn,
    f: &FinanceFilter,
    until: DateTime<Utc>,
) -> Result<Vec<i64>, sqlx::Error> {
    let mut sql = Sql::new("SELECT p.id FROM pools p WHERE p.created_at <= ");
    sql.bind(to_db(until));
    f.push(&mut sql);
    sql.query_scalar::<i64>().fetch_all(&mut *conn).await
}

/// A pool's chargeback method and, for a percentage split, each cost centre's hundredths of a percent.
pub type Method = (ChargebackMethod, Vec<(i64, i64)>);

/// The methods of pools that have one set (the rest charge by seat).
pub async fn methods(conn: &mut Conn, pool_ids: &[i64]) -> Result<HashMap<i64, Method>, sqlx::Error> {
    let mut out: HashMap<i64, Method> = HashMap::new();
    if pool_ids.is_empty() {
        return Ok(out);
    }
    let mut sql = Sql::new("SELECT pool_id, method FROM pool_chargeback WHERE ");
    sql.push_in("pool_id", pool_ids);
    for r in sql.query().fetch_all(&mut *conn).await? {
        let c = Cols::new(&r, "pool_chargeback");
        out.insert(c.i64("pool_id")?, (c.parsed("method", ChargebackMethod::parse)?, Vec::new()));
    }
    let mut sql = Sql::new("SELECT pool_id, cost_centre_id, basis_points FROM chargeback_splits WHERE ");
    sql.push_in("pool_id", pool_ids).push(" ORDER BY pool_id, cost_centre_id");
    for r in sql.query().fetch_all(&mut *conn).await? {
        let c = Cols::new(&r, "chargeback_splits");
        if let Some((_, splits)) = out.get_mut(&c.i64("pool_id")?) {
            splits.push((c.i64("cost_centre_id")?, c.i64("basis_points")?));
        }
    }
    Ok(out)
}

/// Set a pool's method (replacing its split).
pub async fn set_method(
    conn: &mut Conn,
    pool_id: i64,
    method: &Method,
    who: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    Sql::new("DELETE FROM chargeback_splits WHERE pool_id = ").bind(pool_id).query().execute(&mut *conn).await?;
    Sql::new("DELETE FROM pool_chargeback WHERE pool_id = ").bind(pool_id).query().execute(&mut *conn).await?;
    let mut sql = Sql::new("INSERT INTO pool_chargeback (pool_id, method, updated_by, updated_at) VALUES (");
    sql.bind(pool_id).push(", ").bind(method.0.as_str()).push(", ").bind(who.to_string()).push(", ");
    sql.bind(to_db(now)).push(")").query().execute(&mut *conn).await?;
    for (cost_centre_id, bp) in &method.1 {
        let mut sql = Sql::new("INSERT INTO chargeback_splits (pool_id, cost_centre_id, basis_points) VALUES (");
        sql.bind(pool_id).push(", ").bind(*cost_centre_id).push(", ").bind(*bp).push(")");
        sql.query().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Realized savings not restored, removed from `from` to `to`, per category, currency and day (each day's
/// amount converts at that day's rate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedOn {
    pub category: String,
    pub currency: String,
    pub day: NaiveDate,
    pub annual_minor: i64,
}

pub async fn savings(
    conn: &mut Conn,
    f: &FinanceFilter,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<SavedOn>, sqlx::Error> {
    // A saving belongs to its pool's scope; the filter's cost centre is the pool's, as everywhere in finance.
    let mut sql = Sql::new(
        "SELECT s.category, s.currency, s.removed_on, CAST(SUM(s.annual_minor) AS BIGINT) AS total \
         FROM savings s JOIN pools p ON p.id = s.pool_id WHERE s.reversed_at IS NULL AND s.removed_on >= ",
    );
    sql.bind(from.to_string()).push(" AND s.removed_on <= ").bind(to.to_string());
    // Retired pools' savings still count: retiring the pool is often how they were made.
    f.push_scope(&mut sql);
    sql.push(" GROUP BY s.category, s.currency, s.removed_on ORDER BY s.removed_on");
    sql.query()
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "savings");
            Ok(SavedOn {
                category: c.text("category")?,
                currency: c.text("currency")?,
                day: c.date("removed_on")?,
                annual_minor: c.money_minor("total")?,
            })
        })
        .collect()
}

fn budget_from(r: &AnyRow) -> Result<Budget, sqlx::Error> {
    let c = Cols::new(r, "budgets");
    let year = c.i64("year")?;
    Ok(Budget {
        cost_centre: CostCentre { id: c.i64("cost_centre_id")?, code: c.text("code")?, name: c.text("name")? },
        year: i32::try_from(year).map_err(|e| c.bad("year", &year.to_string(), e))?,
        amount: Money::new(c.money_minor("amount_minor")?, c.text("currency")?),
        updated_by: c.text("updated_by")?,
        updated_at: c.timestamp("updated_at")?,
    })
}

const BUDGET_SELECT: &str = "SELECT b.cost_centre_id, cc.code, cc.name, b.year, b.amount_minor, b.currency, \
     b.updated_by, b.updated_at FROM budgets b JOIN cost_centres cc ON cc.id = b.cost_centre_id";

/// The budgets of a year, by cost centre code.
pub async fn budgets(conn: &mut Conn, year: i32) -> Result<Vec<Budget>, sqlx::Error> {
    let mut sql = Sql::new(BUDGET_SELECT);
    sql.push(" WHERE b.year = ").bind(i64::from(year)).push(" ORDER BY cc.code, cc.id");
    sql.query().fetch_all(&mut *conn).await?.iter().map(budget_from).collect()
}

pub async fn budget(conn: &mut Conn, cost_centre_id: i64, year: i32) -> Result<Option<Budget>, sqlx::Error> {
    let mut sql = Sql::new(BUDGET_SELECT);
    sql.push(" WHERE b.cost_centre_id = ").bind(cost_centre_id).push(" AND b.year = ").bind(i64::from(year));
    sql.query().fetch_optional(&mut *conn).await?.as_ref().map(budget_from).transpose()
}

/// Set (or replace) a budget.
pub async fn set_budget(
    conn: &mut Conn,
    cost_centre_id: i64,
    year: i32,
    amount: &Money,
    who: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    delete_budget(conn, cost_centre_id, year).await?;
    let mut sql =
        Sql::new("INSERT INTO budgets (cost_centre_id, year, amount_minor, currency, updated_by, updated_at) VALUES (");
    sql.bind(cost_centre_id).push(", ").bind(i64::from(year)).push(", ").bind(amount.amount_minor).push(", ");
    sql.bind(amount.currency.clone()).push(", ").bind(who.to_string()).push(", ").bind(to_db(now)).push(")");
    sql.query().execute(&mut *conn).await?;
    Ok(())
}

/// Remove a budget; whether there was one.
pub async fn delete_budget(conn: &mut Conn, cost_centre_id: i64, year: i32) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("DELETE FROM budgets WHERE cost_centre_id = ");
    sql.bind(cost_centre_id).push(" AND year = ").bind(i64::from(year));
    Ok(sql.query().execute(&mut *conn).await?.rows_affected() > 0)
}

/// A ledger entry on a pool's cost: (pool id, the pool's cost centre now, when, action, what it recorded after).
pub type PoolEntry = (i64, i64, DateTime<Utc>, String, Option<serde_json::Value>);

/// The ledger entries that set the cost of the pools the filter covers (retired ones included), in ledger order.
pub async fn pool_entries(conn: &mut Conn, f: &FinanceFilter) -> Result<Vec<PoolEntry>, sqlx::Error> {
    use futures_util::TryStreamExt;
    let mut sql = Sql::new(
        "SELECT l.record_id, p.cost_centre_id, l.at, l.action, l.after_json FROM ledger_entries l \
         JOIN pools p ON p.id = l.record_id WHERE l.record_type = 'pool' \
         AND l.action IN ('pool.create', 'pool.update', 'change_request.operation')",
    );
    f.push_scope(&mut sql);
    sql.push(" ORDER BY l.seq");
    let mut rows = sql.query().fetch(&mut *conn);
    let mut out = Vec::new();
    while let Some(r) = rows.try_next().await? {
        let c = Cols::new(&r, "ledger_entries");
        out.push((
            c.i64("record_id")?,
            c.of("pools").i64("cost_centre_id")?,
            c.timestamp("at")?,
            c.text("action")?,
            c.opt_json("after_json")?,
        ));
    }
    Ok(out)
}
