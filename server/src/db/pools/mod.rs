//! License pools and seat assignments.

mod seats;

use chrono::{DateTime, NaiveDate, Utc};
use seatwise_types::{cost_centre_label, BillingPeriod, InventorySummary, LicenseType, Money, Page, Pool, Ref};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Executor};

use super::decode::Cols;
use super::document;
use super::{Backend, Conn, DateRange, Sort, Sql};
use crate::clock::to_db;
use crate::domain::access::Reach;
use crate::domain::pool::{PoolValues, Seats};

pub use seats::*;

/// Which pools a caller may see (`access::Scope::as_filter`); `None` means all.
pub type PoolScope = Option<Reach>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolSort {
    Name,
    Vendor,
    Department,
    SeatsPurchased,
    SeatsAssigned,
    Utilization,
    AnnualCost,
    ContractEnd,
    CancelBy,
}

impl PoolSort {
    pub const ALL: [(&'static str, PoolSort); 9] = [
        ("name", PoolSort::Name),
        ("vendor", PoolSort::Vendor),
        ("department", PoolSort::Department),
        ("seats_purchased", PoolSort::SeatsPurchased),
        ("seats_assigned", PoolSort::SeatsAssigned),
        ("utilization", PoolSort::Utilization),
        ("annual_cost", PoolSort::AnnualCost),
        ("contract_end", PoolSort::ContractEnd),
        ("cancel_by", PoolSort::CancelBy),
    ];

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
    }

    fn column(self) -> &'static str {
        match self {
            PoolSort::Name => "p.name_lower",
            PoolSort::Vendor => "LOWER(v.name)",
            PoolSort::Department => "LOWER(d.name)",
            PoolSort::SeatsPurchased => "p.seats_purchased",
            PoolSort::SeatsAssigned => "p.seats_assigned",
            PoolSort::Utilization => {
                "CASE WHEN p.seats_purchased > 0 THEN CAST(p.seats_assigned AS DOUBLE PRECISION) / p.seats_purchased END"
            }
            PoolSort::AnnualCost => "p.annual_cost_minor",
            PoolSort::ContractEnd => "p.contract_end",
            PoolSort::CancelBy => "p.cancel_by",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct PoolQuery {
    pub scope: PoolScope,
    pub q: Option<String>,
    pub vendor_id: Option<i64>,
    pub department_id: Option<i64>,
    pub cost_centre_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub license_type: Option<LicenseType>,
    /// Contracts ending between the first and the second date, inclusive.
    pub ending_between: Option<DateRange>,
    pub over_assigned: bool,
    /// Pools whose utilization is below this percentage.
    pub under_used_below_percent: Option<i64>,
    /// Pools this import created or changed.
    pub import_id: Option<i64>,
    pub sort: Option<Sort<PoolSort>>,
    pub page: i64,
    pub per_page: i64,
}

const POOL_JOINS: &str = " JOIN vendors v ON v.id = p.vendor_id JOIN products pr ON pr.id = p.product_id \
     JOIN cost_centres cc ON cc.id = p.cost_centre_id JOIN departments d ON d.id = p.department_id \
     LEFT JOIN people o ON o.id = p.owner_id";

const POOL_COLUMNS: &str = "SELECT p.id, p.name, p.vendor_id, v.name AS vendor_name, p.product_id, \
     pr.name AS product_name, p.tier, p.license_type, p.seats_purchased, p.seats_assigned, p.allow_overage, \
     p.unit_cost_minor, p.currency, p.billing_period, p.annual_cost_minor, p.cost_centre_id, \
     cc.code AS cost_centre_code, cc.name AS cost_centre_name, \
     p.department_id, d.name AS department_name, p.owner_id, o.name AS owner_name, p.contract_start, p.contract_end, \
     p.auto_renew, p.notice_days, p.cancel_by, p.po_number, p.notes, p.created_at, p.updated_at, p.version";

/// Append the WHERE clause for a pool query; placeholders continue the builder's numbering.
fn push_pool_where(w: &mut Sql, q: &PoolQuery) {
    w.push(" WHERE 1 = 1");
    if let Some(scope) = &q.scope {
        w.push(" AND ").push_reach("p", scope);
    }
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = format!("%{}%", text.to_lowercase());
        w.push(" AND (p.name_lower LIKE ").bind(pattern.clone());
        w.push(" OR LOWER(v.name) LIKE ").bind(pattern.clone());
        w.push(" OR LOWER(pr.name) LIKE ").bind(pattern).push(")");
    }
    for (column, value) in [
        ("p.vendor_id", q.vendor_id),
        ("p.department_id", q.department_id),
        ("p.cost_centre_id", q.cost_centre_id),
        ("p.owner_id", q.owner_id),
    ] {
        if let Some(v) = value {
            w.push(" AND ").push(column).push(" = ").bind(v);
        }
    }
    if let Some(t) = q.license_type {
        w.push(" AND p.license_type = ").bind(t.as_str());
    }
    if let Some(DateRange { from, to }) = q.ending_between {
        w.push(" AND p.contract_end >= ").bind(from.to_string());
        w.push(" AND p.contract_end <= ").bind(to.to_string());
    }
    if q.over_assigned {
        w.push(" AND p.seats_purchased IS NOT NULL AND p.seats_assigned > p.seats_purchased");
    }
    if let Some(pct) = q.under_used_below_percent {
        w.push(" AND p.seats_purchased > 0 AND p.seats_assigned * 100 < p.seats_purchased * ").bind(pct);
    }
    if let Some(import) = q.import_id {
        w.push(
            " AND p.id IN (SELECT i.record_id FROM import_records i WHERE i.record_type = 'pool' AND i.import_id = ",
        )
        .bind(import)
        .push(")");
    }
}

/// Joins the filter or sort key needs; the page's other columns are joined only for the rows shown.
fn key_joins(q: &PoolQuery) -> String {
    let sort = q.sort.map(|s| s.key);
    let text = q.q.as_deref().is_some_and(|t| !t.trim().is_empty());
    let mut joins = String::new();
    if text || sort == Some(PoolSort::Vendor) {
        joins.push_str(" JOIN vendors v ON v.id = p.vendor_id");
    }
    if text {
        joins.push_str(" JOIN products pr ON pr.id = p.product_id");
    }
    if sort == Some(PoolSort::Department) {
        joins.push_str(" JOIN departments d ON d.id = p.department_id");
    }
    joins
}

/// The two statements behind a list page: the count and the page itself (public for the benchmarks, which time
/// the same SQL without the rest of the stack). Filtering, counting and sorting touch only the pools table (and a
/// join the key needs); the display columns are joined for the one page of rows.
pub fn list_sql(q: &PoolQuery) -> (Sql, Sql) {
    let joins = key_joins(q);
    let mut count = Sql::new("SELECT COUNT(*) FROM pools p");
    count.push(&joins);
    push_pool_where(&mut count, q);

    let Sort { key: sort, descending: desc } = q.sort.unwrap_or(Sort { key: PoolSort::Name, descending: false });
    let order =
        format!(" ORDER BY {} {}, p.id", sort.column(), if desc { "DESC NULLS LAST" } else { "ASC NULLS LAST" });
    let mut list = Sql::new(POOL_COLUMNS);
    list.push(" FROM (SELECT p.id FROM pools p").push(&joins);
    push_pool_where(&mut list, q);
    list.push(&order).push(" LIMIT ").bind(q.per_page).push(" OFFSET ").bind((q.page - 1) * q.per_page);
    // CROSS JOIN keeps the page as SQLite's outer loop: with the limit a parameter, SQLite 3.46 otherwise walks
    // every pool in name order and probes the page for each (2.9 ms instead of 0.1 ms on 5,000 pools).
    list.push(") page CROSS JOIN pools p");
    list.push(POOL_JOINS).push(" WHERE p.id = page.id").push(&order);
    (count, list)
}

pub async fn list(db: &AnyPool, backend: Backend, q: &PoolQuery) -> Result<Page<Pool>, sqlx::Error> {
    let (count, list) = list_sql(q);
    let (total, rows) = document::fetch_counted(db, backend, &count, &list, POOL_FIELDS).await?;
    Ok(Page { items: rows.map("pools", pool_from)?, total, page: q.page, per_page: q.per_page })
}

pub async fn get<'e, E: Executor<'e, Database = Any>>(exec: E, id: i64) -> Result<Option<Pool>, sqlx::Error> {
    let sql = format!("{POOL_COLUMNS} FROM pools p{POOL_JOINS} WHERE p.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(exec).await?;
    row.as_ref().map(pool_from_row).transpose()
}

/// The result columns of [`POOL_COLUMNS`], for reading a page as one document.
const POOL_FIELDS: &[&str] = &[
    "id",
    "name",
    "vendor_id",
    "vendor_name",
    "product_id",
    "product_name",
    "tier",
    "license_type",
    "seats_purchased",
    "seats_assigned",
    "allow_overage",
    "unit_cost_minor",
    "currency",
    "billing_period",
    "annual_cost_minor",
    "cost_centre_id",
    "cost_centre_code",
    "cost_centre_name",
    "department_id",
    "department_name",
    "owner_id",
    "owner_name",
    "contract_start",
    "contract_end",
    "auto_renew",
    "notice_days",
    "cancel_by",
    "po_number",
    "notes",
    "created_at",
    "updated_at",
    "version",
];

fn pool_from_row(r: &AnyRow) -> Result<Pool, sqlx::Error> {
    pool_from(&Cols::new(r, "pools"))
}

fn pool_from(c: &Cols<'_>) -> Result<Pool, sqlx::Error> {
    let currency = c.text("currency")?;
    let seats = Seats { purchased: c.opt_i64("seats_purchased")?, assigned: c.i64("seats_assigned")? };
    Ok(Pool {
        id: c.i64("id")?,
        name: c.text("name")?,
        vendor: Ref { id: c.i64("vendor_id")?, name: c.text("vendor_name")? },
        product: Ref { id: c.i64("product_id")?, name: c.text("product_name")? },
        tier: c.text("tier")?,
        license_type: c.parsed("license_type", LicenseType::parse)?,
        seats_purchased: seats.purchased,
        seats_assigned: seats.assigned,
        utilization_percent: seats.utilization_percent(),
        over_assigned: seats.over_assigned(),
        allow_overage: c.flag("allow_overage")?,
        unit_cost: Money::new(c.money_minor("unit_cost_minor")?, currency.clone()),
        billing_period: c.parsed("billing_period", BillingPeriod::parse)?,
        annual_cost: Money::new(c.money_minor("annual_cost_minor")?, currency),
        cost_centre: Ref {
            id: c.i64("cost_centre_id")?,
            name: cost_centre_label(&c.text("cost_centre_code")?, &c.text("cost_centre_name")?),
        },
        department: Ref { id: c.i64("department_id")?, name: c.text("department_name")? },
        owner: match c.opt_i64("owner_id")? {
            Some(id) => Some(Ref { id, name: c.text("owner_name")? }),
            None => None,
        },
        contract_start: c.opt_date("contract_start")?,
        contract_end: c.opt_date("contract_end")?,
        auto_renew: c.flag("auto_renew")?,
        notice_days: c.opt_i64("notice_days")?,
        cancel_by: c.opt_date("cancel_by")?,
        po_number: c.opt_text("po_number")?,
        notes: c.opt_text("notes")?,
        created_at: c.timestamp("created_at")?,
        updated_at: c.timestamp("updated_at")?,
        version: c.i64("version")?,
    })
}

fn bind_values(sql: &mut Sql, v: &PoolValues) {
    sql.bind(v.name.clone()).push(", ").bind(v.name.to_lowercase()).push(", ");
    sql.bind(v.vendor_id).push(", ").bind(v.product_id).push(", ").bind(v.tier.clone()).push(", ");
    sql.bind(v.license_type.as_str()).push(", ").bind(v.seats_purchased).push(", ").bind(v.allow_overage);
    sql.push(", ").bind(v.unit_cost_minor).push(", ").bind(v.currency.clone()).push(", ");
    sql.bind(v.billing_period.as_str()).push(", ").bind(v.annual_cost_minor).push(", ");
    sql.bind(v.cost_centre_id).push(", ").bind(v.department_id).push(", ").bind(v.owner_id).push(", ");
    sql.bind(v.contract_start.map(|d| d.to_string())).push(", ").bind(v.contract_end.map(|d| d.to_string()));
    sql.push(", ").bind(v.auto_renew).push(", ").bind(v.notice_days).push(", ");
    sql.bind(v.cancel_by.map(|d| d.to_string())).push(", ").bind(v.po_number.clone()).push(", ");
    sql.bind(v.notes.clone());
}

const VALUE_COLUMNS: &str = "name, name_lower, vendor_id, product_id, tier, license_type, seats_purchased, \
     allow_overage, unit_cost_minor, currency, billing_period, annual_cost_minor, cost_centre_id, department_id, \
     owner_id, contract_start, contract_end, auto_renew, notice_days, cancel_by, po_number, notes";

pub async fn insert(conn: &mut Conn, v: &PoolValues, now: DateTime<Utc>) -> Result<i64, sqlx::Error> {
    let mut sql = Sql::new("INSERT INTO pools (");
    sql.push(VALUE_COLUMNS).push(", created_at, updated_at) VALUES (");
    bind_values(&mut sql, v);
    sql.push(", ").bind(to_db(now)).push(", ").bind(to_db(now)).push(") RETURNING id");
    sql.query_scalar().fetch_one(conn).await
}

pub async fn update(conn: &mut Conn, id: i64, v: &PoolValues, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    // A row-value update keeps the column list in one place with the insert.
    let mut sql = Sql::new("UPDATE pools SET (");
    sql.push(VALUE_COLUMNS).push(", updated_at) = (");
    bind_values(&mut sql, v);
    sql.push(", ").bind(to_db(now)).push(") WHERE id = ").bind(id);
    sql.query().execute(conn).await?;
    Ok(())
}

pub async fn summary(db: &AnyPool, q: &PoolQuery, today: NaiveDate) -> Result<InventorySummary, sqlx::Error> {
    let joins = key_joins(q);
    let mut sql = Sql::new(
        "SELECT COUNT(*) AS pools, CAST(COALESCE(SUM(p.seats_purchased), 0) AS BIGINT) AS purchased, \
         CAST(COALESCE(SUM(p.seats_assigned), 0) AS BIGINT) AS assigned, \
         CAST(COALESCE(SUM(CASE WHEN p.seats_assigned > p.seats_purchased THEN 1 ELSE 0 END), 0) AS BIGINT) AS over, \
         CAST(COALESCE(SUM(CASE WHEN p.contract_end >= ",
    );
    sql.bind(today.to_string()).push(" AND p.contract_end <= ").bind((today + chrono::Days::new(90)).to_string());
    sql.push(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS expiring FROM pools p").push(&joins);
    push_pool_where(&mut sql, q);
    let row = sql.query().fetch_one(db).await?;
    let mut costs = Sql::new("SELECT p.currency, CAST(SUM(p.annual_cost_minor) AS BIGINT) AS total FROM pools p");
    costs.push(&joins);
    push_pool_where(&mut costs, q);
    costs.push(" GROUP BY p.currency ORDER BY p.currency");
    let cost_rows = costs.query().fetch_all(db).await?;
    let c = Cols::new(&row, "pools");
    Ok(InventorySummary {
        pools: c.i64("pools")?,
        seats_purchased: c.i64("purchased")?,
        seats_assigned: c.i64("assigned")?,
        over_assigned_pools: c.i64("over")?,
        expiring_90_days: c.i64("expiring")?,
        annual_cost: cost_rows
            .iter()
            .map(|r| {
                let c = Cols::new(r, "pools");
                Ok(Money::new(c.money_minor("total")?, c.text("currency")?))
            })
            .collect::<Result<_, sqlx::Error>>()?,
    })
}

/// Take the pool's row lock for the rest of the transaction (a no-op update works on both backends), so
/// capacity checks and seat changes on one pool happen one at a time.
pub async fn lock(conn: &mut Conn, pool_id: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("UPDATE pools SET seats_assigned = seats_assigned WHERE id = $1")
        .bind(pool_id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Whether a pool is retired (`None`: no such pool).
pub async fn retired(db: &AnyPool, pool_id: i64) -> Result<Option<bool>, sqlx::Error> {
    let row = sqlx::query("SELECT retired_at FROM pools WHERE id = $1").bind(pool_id).fetch_optional(db).await?;
    row.map(|r| Ok(Cols::new(&r, "pools").opt_timestamp("retired_at")?.is_some())).transpose()
}

pub async fn owners(db: &AnyPool, scope: &PoolScope) -> Result<Vec<Ref>, sqlx::Error> {
    let mut sql = Sql::new("SELECT DISTINCT o.id, o.name FROM pools p JOIN people o ON o.id = p.owner_id");
    if let Some(scope) = scope {
        sql.push(" WHERE ").push_reach("p", scope);
    }
    sql.push(" ORDER BY o.name");
    let rows = sql.query().fetch_all(db).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "people");
            Ok(Ref { id: c.i64("id")?, name: c.text("name")? })
        })
        .collect()
}

/// A pool with what its page shows beside it and its seats: how many seats are marked for reclamation, and the
/// contract that covers it. One statement, as each costs the request a round trip to the database's thread.
pub async fn get_with_marks_and_contract(
    db: &AnyPool,
    id: i64,
) -> Result<Option<(Pool, i64, Option<Ref>)>, sqlx::Error> {
    let sql = format!(
        "{POOL_COLUMNS}, p.contract_id, (SELECT COUNT(*) FROM seat_assignments m WHERE m.pool_id = p.id \
           AND m.reclaim_marked_at IS NOT NULL) AS marked, ct.title AS contract_title \
         FROM pools p{POOL_JOINS} LEFT JOIN contracts ct ON ct.id = p.contract_id WHERE p.id = $1"
    );
    let Some(row) = sqlx::query(&sql).bind(id).fetch_optional(db).await? else { return Ok(None) };
    let c = Cols::new(&row, "pools");
    let contract = match c.opt_i64("contract_id")? {
        Some(id) => Some(Ref { id, name: c.of("contracts").text("contract_title")? }),
        None => None,
    };
    Ok(Some((pool_from(&c)?, c.i64("marked")?, contract)))
}
