//! A pool's seats: who holds each, pages of them with their filters and last use, giving and taking seats, and a
//! person's seats with what each costs.

use chrono::{DateTime, NaiveDate, Utc};
use seatwise_types::{Assignment, AssignmentHolder, BillingPeriod, Page, PersonStatus, ReclaimMark, Ref};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Executor};

use crate::clock::to_db;
use crate::db::decode::Cols;
use crate::db::document;
use crate::db::{Backend, Conn, Sort, Sql};
use crate::domain::pool::Seats;

use super::*;

pub(super) const ASSIGNMENT_SELECT: &str = "SELECT a.id, a.pool_id, a.person_id, a.device, a.assigned_at, a.assigned_by, \
     a.reclaim_marked_at, a.reclaim_reason, \
     pe.name AS person_name, pe.email AS person_email, pe.status AS person_status, d.name AS department_name \
     FROM seat_assignments a LEFT JOIN people pe ON pe.id = a.person_id LEFT JOIN departments d ON d.id = pe.department_id";

/// The result columns of [`ASSIGNMENT_SELECT`], for reading a page as one document.
pub(super) const ASSIGNMENT_FIELDS: &[&str] = &[
    "id",
    "pool_id",
    "person_id",
    "device",
    "assigned_at",
    "assigned_by",
    "reclaim_marked_at",
    "reclaim_reason",
    "person_name",
    "person_email",
    "person_status",
    "department_name",
];

pub(super) fn assignment_from_row(r: &AnyRow) -> Result<Assignment, sqlx::Error> {
    assignment_from(&Cols::new(r, "seat_assignments"))
}

pub(super) fn assignment_from(a: &Cols<'_>) -> Result<Assignment, sqlx::Error> {
    let pe = a.of("people");
    let person = match a.opt_i64("person_id")? {
        Some(id) => Some(AssignmentHolder {
            id,
            name: pe.text("person_name")?,
            email: pe.text("person_email")?,
            status: pe.parsed("person_status", PersonStatus::parse)?,
            department: pe.opt_text("department_name")?,
        }),
        None => None,
    };
    Ok(Assignment {
        id: a.i64("id")?,
        pool_id: a.i64("pool_id")?,
        person,
        device: a.opt_text("device")?,
        assigned_at: a.timestamp("assigned_at")?,
        assigned_by: a.opt_text("assigned_by")?,
        reclaim: reclaim_from_row(a)?,
        // Read apart (`reclamation::usage::sign_ins`): a seat may have several sources.
        last_sign_in: None,
    })
}

/// A seat's reclamation mark; the mark and its reason are always written together.
pub(super) fn reclaim_from_row(a: &Cols<'_>) -> Result<Option<ReclaimMark>, sqlx::Error> {
    Ok(match a.opt_timestamp("reclaim_marked_at")? {
        Some(marked_at) => Some(ReclaimMark { marked_at, reason: a.text("reclaim_reason")? }),
        None => None,
    })
}

/// What a pool's seat list is narrowed to and ordered by.
#[derive(Debug, Clone, Default)]
pub struct SeatFilter {
    pub q: Option<String>,
    pub status: Option<PersonStatus>,
    /// Seats with usage data and no use since this instant.
    pub unused_since: Option<DateTime<Utc>>,
    /// Seats no source reports on.
    pub no_usage_data: bool,
    pub sort: Option<Sort<SeatSort>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeatSort {
    AssignedAt,
    Name,
    LastSignIn,
}

impl SeatSort {
    pub fn parse(key: &str) -> Option<Self> {
        match key {
            "assigned_at" => Some(SeatSort::AssignedAt),
            "name" => Some(SeatSort::Name),
            "last_sign_in" => Some(SeatSort::LastSignIn),
            _ => None,
        }
    }
}

/// Any usage signal of the seat `a`'s holder on its pool, with `extra` conditions.
pub(super) fn signal_of_seat(extra: &str) -> String {
    format!("SELECT 1 FROM usage_signals u WHERE u.pool_id = a.pool_id AND u.person_id = a.person_id{extra}")
}

pub(super) fn push_seat_filter(sql: &mut Sql, pool_id: i64, f: &SeatFilter) {
    sql.push(" WHERE a.pool_id = ").bind(pool_id);
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let like = format!("%{}%", q.to_lowercase());
        sql.push(" AND (LOWER(pe.name) LIKE ").bind(like.clone()).push(" OR LOWER(pe.email) LIKE ");
        sql.bind(like.clone()).push(" OR LOWER(a.device) LIKE ").bind(like).push(")");
    }
    if let Some(status) = f.status {
        sql.push(" AND pe.status = ").bind(status.as_str());
    }
    if let Some(since) = f.unused_since {
        sql.push(" AND EXISTS (").push(&signal_of_seat("")).push(") AND NOT EXISTS (");
        sql.push(&signal_of_seat(" AND u.last_used_at >= ")).bind(to_db(since)).push(")");
    }
    if f.no_usage_data {
        sql.push(" AND a.person_id IS NOT NULL AND NOT EXISTS (").push(&signal_of_seat("")).push(")");
    }
}

/// A page of a pool's seats matching `f`, with how many match.
pub async fn seat_page(
    db: &AnyPool,
    backend: Backend,
    pool_id: i64,
    f: &SeatFilter,
    page: i64,
    per_page: i64,
) -> Result<Page<Assignment>, sqlx::Error> {
    let mut count = Sql::new("SELECT COUNT(*) FROM seat_assignments a LEFT JOIN people pe ON pe.id = a.person_id");
    push_seat_filter(&mut count, pool_id, f);
    let total: i64 = count.query_scalar().fetch_one(db).await?;
    let mut sql = Sql::new(ASSIGNMENT_SELECT);
    push_seat_filter(&mut sql, pool_id, f);
    let sort = f.sort.unwrap_or(Sort { key: SeatSort::AssignedAt, descending: true });
    // Text timestamps sort as instants, alike on both databases.
    // Known but never used ('0') sorts before any use, and no data ('') before that.
    let key = match sort.key {
        SeatSort::AssignedAt => "a.assigned_at",
        SeatSort::Name => "LOWER(COALESCE(pe.name, a.device))",
        SeatSort::LastSignIn => {
            "COALESCE((SELECT MAX(COALESCE(u.last_used_at, '0')) FROM usage_signals u WHERE u.pool_id = a.pool_id \
             AND u.person_id = a.person_id), '')"
        }
    };
    let direction = if sort.descending { " DESC" } else { "" };
    sql.push(" ORDER BY ").push(key).push(direction).push(", a.id").push(direction);
    sql.push(" LIMIT ").bind(per_page).push(" OFFSET ").bind((page - 1) * per_page);
    let items =
        document::fetch(db, backend, &sql, ASSIGNMENT_FIELDS).await?.map("seat_assignments", assignment_from)?;
    Ok(Page { items, total, page, per_page })
}

/// The holders of every seat matching `f` (the filters of a seat list, all pages), and how many device seats match.
pub async fn seat_holders(db: &AnyPool, pool_id: i64, f: &SeatFilter) -> Result<(Vec<i64>, i64), sqlx::Error> {
    let mut sql = Sql::new("SELECT a.person_id FROM seat_assignments a LEFT JOIN people pe ON pe.id = a.person_id");
    push_seat_filter(&mut sql, pool_id, f);
    sql.push(" ORDER BY a.id");
    let ids: Vec<Option<i64>> = sql.query_scalar().fetch_all(db).await?;
    let devices = ids.iter().filter(|id| id.is_none()).count() as i64;
    Ok((ids.into_iter().flatten().collect(), devices))
}

/// The seats of one page of a pool's, newest first.
pub async fn assignment_items(
    db: &AnyPool,
    backend: Backend,
    pool_id: i64,
    page: i64,
    per_page: i64,
) -> Result<Vec<Assignment>, sqlx::Error> {
    let mut sql = Sql::new(ASSIGNMENT_SELECT);
    sql.push(" WHERE a.pool_id = ").bind(pool_id).push(" ORDER BY a.assigned_at DESC, a.id DESC LIMIT ").bind(per_page);
    sql.push(" OFFSET ").bind((page - 1) * per_page);
    document::fetch(db, backend, &sql, ASSIGNMENT_FIELDS).await?.map("seat_assignments", assignment_from)
}

pub async fn assignment<'e, E: Executor<'e, Database = Any>>(
    exec: E,
    pool_id: i64,
    id: i64,
) -> Result<Option<Assignment>, sqlx::Error> {
    let sql = format!("{ASSIGNMENT_SELECT} WHERE a.pool_id = $1 AND a.id = $2");
    let row = sqlx::query(&sql).bind(pool_id).bind(id).fetch_optional(exec).await?;
    row.as_ref().map(assignment_from_row).transpose()
}

/// The pool and holder (a person; `None` for a device's seat) of one seat.
pub async fn seat_place(conn: &mut Conn, id: i64) -> Result<Option<(i64, Option<i64>)>, sqlx::Error> {
    let row = sqlx::query("SELECT pool_id, person_id FROM seat_assignments WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref()
        .map(|r| {
            let c = Cols::new(r, "seat_assignments");
            Ok((c.i64("pool_id")?, c.opt_i64("person_id")?))
        })
        .transpose()
}

pub async fn holds_seat(conn: &mut Conn, pool_id: i64, person_id: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM seat_assignments WHERE pool_id = $1 AND person_id = $2")
        .bind(pool_id)
        .bind(person_id)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

pub async fn insert_assignment(
    conn: &mut Conn,
    pool_id: i64,
    person_id: Option<i64>,
    device: Option<String>,
    assigned_by: &str,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let id = sqlx::query_scalar(
        "INSERT INTO seat_assignments (pool_id, person_id, device, assigned_at, assigned_by) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(pool_id)
    .bind(person_id)
    .bind(device)
    .bind(to_db(now))
    .bind(assigned_by)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("UPDATE pools SET seats_assigned = seats_assigned + 1 WHERE id = $1")
        .bind(pool_id)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

pub async fn delete_assignment(conn: &mut Conn, pool_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("DELETE FROM seat_assignments WHERE id = $1 AND pool_id = $2")
        .bind(id)
        .bind(pool_id)
        .execute(&mut *conn)
        .await?;
    if r.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("UPDATE pools SET seats_assigned = seats_assigned - 1 WHERE id = $1")
        .bind(pool_id)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

/// A pool's seat counts and whether it may go over them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    pub seats: Seats,
    pub allow_overage: bool,
}

/// Current seat count; call after `lock` so the capacity check cannot race.
pub async fn seats<'e, E: Executor<'e, Database = Any>>(
    exec: E,
    pool_id: i64,
) -> Result<Option<Capacity>, sqlx::Error> {
    let row = sqlx::query("SELECT seats_purchased, seats_assigned, allow_overage FROM pools WHERE id = $1")
        .bind(pool_id)
        .fetch_optional(exec)
        .await?;
    row.map(|r| {
        let c = Cols::new(&r, "pools");
        let seats = Seats { purchased: c.opt_i64("seats_purchased")?, assigned: c.i64("seats_assigned")? };
        Ok(Capacity { seats, allow_overage: c.flag("allow_overage")? })
    })
    .transpose()
}

/// Set one pool's seat counter from its assignment rows (after a bulk load into it).
pub async fn set_seat_count(conn: &mut Conn, pool_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE pools SET seats_assigned = (SELECT COUNT(*) FROM seat_assignments a WHERE a.pool_id = $1) WHERE id = $1",
    )
    .bind(pool_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Mark every seat a person holds for reclamation (only those not yet marked); returns the marked seats.
pub async fn mark_person_seats(
    conn: &mut Conn,
    person_id: i64,
    reason: &str,
    now: DateTime<Utc>,
    latency_ms: i64,
) -> Result<Vec<Assignment>, sqlx::Error> {
    sqlx::query(
        "UPDATE seat_assignments SET reclaim_marked_at = $1, reclaim_reason = $2, reclaim_latency_ms = $3 \
         WHERE person_id = $4 AND reclaim_marked_at IS NULL",
    )
    .bind(to_db(now))
    .bind(reason)
    .bind(latency_ms)
    .bind(person_id)
    .execute(&mut *conn)
    .await?;
    let sql =
        format!("{ASSIGNMENT_SELECT} WHERE a.person_id = $1 AND a.reclaim_marked_at = $2 ORDER BY a.pool_id, a.id");
    let rows = sqlx::query(&sql).bind(person_id).bind(to_db(now)).fetch_all(&mut *conn).await?;
    rows.iter().map(assignment_from_row).collect()
}

/// Give an existing seat to another person: a new holder, a fresh assignment time, no reclamation mark.
pub async fn reassign(
    conn: &mut Conn,
    pool_id: i64,
    id: i64,
    person_id: i64,
    assigned_by: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE seat_assignments SET person_id = $1, device = NULL, assigned_at = $2, assigned_by = $3, \
         reclaim_marked_at = NULL, reclaim_reason = NULL, reclaim_latency_ms = NULL WHERE id = $4 AND pool_id = $5",
    )
    .bind(person_id)
    .bind(to_db(now))
    .bind(assigned_by)
    .bind(id)
    .bind(pool_id)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// A pool with its vendor and what it charges for a seat, as a person's seats and the licenses on offer show it.
pub struct PricedPool {
    pub pool: Ref,
    pub vendor: Ref,
    pub unit_cost_minor: i64,
    pub currency: String,
    pub billing_period: BillingPeriod,
    pub contract_start: Option<NaiveDate>,
    pub contract_end: Option<NaiveDate>,
}

/// The columns `PricedPool::decode` reads, from `pools p` joined to `vendors v`.
pub const PRICED_COLUMNS: &str = "p.id AS pool_id, p.name AS pool_name, v.id AS vendor_id, v.name AS vendor_name, \
     p.unit_cost_minor, p.currency, p.billing_period, p.contract_start, p.contract_end";

impl PricedPool {
    pub fn decode(r: &AnyRow) -> Result<Self, sqlx::Error> {
        let p = Cols::new(r, "pools");
        Ok(PricedPool {
            pool: Ref { id: p.i64("pool_id")?, name: p.text("pool_name")? },
            vendor: Ref { id: p.i64("vendor_id")?, name: p.text("vendor_name")? },
            unit_cost_minor: p.money_minor("unit_cost_minor")?,
            currency: p.text("currency")?,
            billing_period: p.parsed("billing_period", BillingPeriod::parse)?,
            contract_start: p.opt_date("contract_start")?,
            contract_end: p.opt_date("contract_end")?,
        })
    }
}

/// A seat with what its pool charges, for a person's page.
pub struct HeldSeat {
    pub assignment_id: i64,
    pub priced: PricedPool,
    pub assigned_at: DateTime<Utc>,
    pub reclaim: Option<ReclaimMark>,
}

pub async fn seats_of_person(db: &AnyPool, person_id: i64, scope: &PoolScope) -> Result<Vec<HeldSeat>, sqlx::Error> {
    let mut sql = Sql::new(&format!(
        "SELECT a.id, a.assigned_at, a.reclaim_marked_at, a.reclaim_reason, {PRICED_COLUMNS} \
         FROM seat_assignments a JOIN pools p ON p.id = a.pool_id JOIN vendors v ON v.id = p.vendor_id \
         WHERE a.person_id = "
    ));
    sql.bind(person_id);
    if let Some(scope) = scope {
        sql.push(" AND ").push_reach("p", scope);
    }
    sql.push(" ORDER BY p.name_lower, a.id");
    let rows = sql.query().fetch_all(db).await?;
    rows.iter()
        .map(|r| {
            let a = Cols::new(r, "seat_assignments");
            Ok(HeldSeat {
                assignment_id: a.i64("id")?,
                priced: PricedPool::decode(r)?,
                assigned_at: a.timestamp("assigned_at")?,
                reclaim: reclaim_from_row(&a)?,
            })
        })
        .collect()
}

/// Seats of one pool that need attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HolderCounts {
    pub pool_id: i64,
    /// Marked for reclamation.
    pub marked: i64,
    /// Held by people on leave.
    pub on_leave: i64,
}

/// Per pool in scope: seats marked for reclamation and seats held by people on leave (pools with none are absent).
pub async fn holder_counts(db: &AnyPool, scope: &PoolScope) -> Result<Vec<HolderCounts>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT a.pool_id, CAST(SUM(CASE WHEN a.reclaim_marked_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS marked, \
         CAST(SUM(CASE WHEN pe.status = 'on_leave' THEN 1 ELSE 0 END) AS BIGINT) AS on_leave \
         FROM seat_assignments a JOIN pools p ON p.id = a.pool_id LEFT JOIN people pe ON pe.id = a.person_id \
         WHERE (a.reclaim_marked_at IS NOT NULL OR pe.status = 'on_leave')",
    );
    if let Some(scope) = scope {
        sql.push(" AND ").push_reach("p", scope);
    }
    sql.push(" GROUP BY a.pool_id");
    let rows = sql.query().fetch_all(db).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "seat_assignments");
            Ok(HolderCounts { pool_id: c.i64("pool_id")?, marked: c.i64("marked")?, on_leave: c.i64("on_leave")? })
        })
        .collect()
}

/// Seats by id through the bulk path (imports read back many at once), in id order.
pub async fn assignments_by_ids(conn: &mut Conn, ids: &[i64]) -> Result<Vec<Assignment>, sqlx::Error> {
    use crate::db::bulk;
    let sql = format!("{ASSIGNMENT_SELECT} WHERE a.id IN (SELECT r.id FROM {{rows}}) ORDER BY a.id");
    let statement = bulk::Statement { sql: &sql, cols: bulk::ID, args: &[] };
    bulk::fetch(conn, &statement, &bulk::ids(ids)).await?.iter().map(assignment_from_row).collect()
}

/// The seats of these people marked for reclamation at `at`, by pool then id (as `mark_person_seats` answers).
pub async fn marked_at(conn: &mut Conn, person_ids: &[i64], at: DateTime<Utc>) -> Result<Vec<Assignment>, sqlx::Error> {
    use crate::db::bulk;
    let sql = format!(
        "{ASSIGNMENT_SELECT} WHERE a.person_id IN (SELECT r.id FROM {{rows}}) AND a.reclaim_marked_at = $2 \
         ORDER BY a.person_id, a.pool_id, a.id"
    );
    let at = to_db(at);
    let statement = bulk::Statement { sql: &sql, cols: bulk::ID, args: &[&at] };
    bulk::fetch(conn, &statement, &bulk::ids(person_ids)).await?.iter().map(assignment_from_row).collect()
}
