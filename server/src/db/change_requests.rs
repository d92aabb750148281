//! Change requests and what checking and applying one reads and writes.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use seatwise_types::{
    BillingPeriod, ChangePreview, ChangeRequestSummary, ChangeStatus, FieldError, Money, OperationInput, Page,
    PersonStatus, Ref,
};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Executor};

use super::bulk::{self, Col, Statement};
use super::decode::Cols;
use super::{Conn, Sql};
use crate::clock::to_db;
use crate::domain::change_request::PoolFacts;

/// A change request as stored.
#[derive(Debug, Clone)]
pub struct StoredChange {
    pub id: i64,
    pub title: String,
    pub reason: String,
    pub status: ChangeStatus,
    pub requested_by: Ref,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_by: Option<Ref>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_comment: Option<String>,
    pub applied_at: Option<DateTime<Utc>>,
    pub operations: Vec<OperationInput>,
    pub errors: Vec<FieldError>,
    pub preview: ChangePreview,
    pub version: i64,
}

/// What is written for a request's content: its operations and what checking them found.
pub struct Content<'a> {
    pub operations: &'a [OperationInput],
    pub errors: &'a [FieldError],
    pub preview: &'a ChangePreview,
}

fn encode<T: serde::Serialize + ?Sized>(v: &T) -> Result<String, sqlx::Error> {
    serde_json::to_string(v).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

const SUMMARY_COLUMNS: &str = "r.id, r.title, r.status, r.requested_by, ru.name AS requester_name, r.created_at, \
     r.submitted_at, r.operation_count, r.error_count, r.annual_cost_change, r.people_losing_seats";
const JOIN_USERS: &str = " FROM change_requests r JOIN users ru ON ru.id = r.requested_by";

pub async fn insert(
    conn: &mut Conn,
    title: &str,
    reason: &str,
    requested_by: i64,
    content: &Content<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let at = to_db(now);
    sqlx::query_scalar(
        "INSERT INTO change_requests (title, reason, requested_by, status, operations, operation_count, errors, \
           error_count, preview, people_losing_seats, annual_cost_change, created_at, updated_at) \
         VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
    )
    .bind(title)
    .bind(reason)
    .bind(requested_by)
    .bind(encode(content.operations)?)
    .bind(content.operations.len() as i64)
    .bind(encode(content.errors)?)
    .bind(content.errors.len() as i64)
    .bind(encode(content.preview)?)
    .bind(content.preview.people_losing_seats)
    .bind(encode(&content.preview.annual_cost_change)?)
    .bind(at)
    .fetch_one(conn)
    .await
}

/// Replace what checking the request found (before submitting, and when applying finds the world changed).
pub async fn set_checked(
    conn: &mut Conn,
    id: i64,
    content: &Content<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE change_requests SET errors = $1, error_count = $2, preview = $3, people_losing_seats = $4, \
           annual_cost_change = $5, updated_at = $6, version = version + 1 WHERE id = $7",
    )
    .bind(encode(content.errors)?)
    .bind(content.errors.len() as i64)
    .bind(encode(content.preview)?)
    .bind(content.preview.people_losing_seats)
    .bind(encode(&content.preview.annual_cost_change)?)
    .bind(to_db(now))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A step of the request's life, taken only from `from` (so two decisions at once cannot both win).
pub enum Step<'a> {
    Submit,
    Decide {
        to: ChangeStatus,
        by: i64,
        comment: &'a str,
    },
    Applied,
    /// Back to a draft: what applying it would do now differs from what was approved.
    Reopen,
}

/// Move the request from `from` along `step`; `false` when it is no longer at `from`.
pub async fn step(
    conn: &mut Conn,
    id: i64,
    from: ChangeStatus,
    step: Step<'_>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let at = to_db(now);
    let mut sql = Sql::new("UPDATE change_requests SET version = version + 1, updated_at = ");
    sql.bind(at.clone());
    match step {
        Step::Submit => {
            sql.push(", status = 'submitted', submitted_at = ").bind(at);
        }
        Step::Decide { to, by, comment } => {
            sql.push(", status = ").bind(to.as_str()).push(", decided_by = ").bind(by);
            sql.push(", decided_at = ").bind(at).push(", decision_comment = ").bind(comment);
        }
        Step::Applied => {
            sql.push(", status = 'applied', applied_at = ").bind(at);
        }
        Step::Reopen => {
            sql.push(", status = 'draft', submitted_at = NULL, decided_by = NULL, decided_at = NULL");
            sql.push(", decision_comment = NULL");
        }
    }
    sql.push(" WHERE id = ").bind(id).push(" AND status = ").bind(from.as_str());
    Ok(sql.query().execute(conn).await?.rows_affected() == 1)
}

/// Take the request's row lock for the rest of the transaction; its status then (`None`: no such request).
pub async fn lock(conn: &mut Conn, id: i64) -> Result<Option<ChangeStatus>, sqlx::Error> {
    let row = sqlx::query("UPDATE change_requests SET version = version WHERE id = $1 RETURNING status")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| Cols::new(&r, "change_requests").parsed("status", ChangeStatus::parse)).transpose()
}

pub async fn get<'e, E: Executor<'e, Database = Any>>(exec: E, id: i64) -> Result<Option<StoredChange>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT r.id, r.title, r.reason, r.status, r.requested_by, ru.name AS requester_name, r.created_at, \
           r.submitted_at, r.decided_by, du.name AS decider_name, r.decided_at, r.decision_comment, r.applied_at, \
           r.operations, r.errors, r.preview, r.version \
         FROM change_requests r JOIN users ru ON ru.id = r.requested_by LEFT JOIN users du ON du.id = r.decided_by \
         WHERE r.id = $1",
    )
    .bind(id)
    .fetch_optional(exec)
    .await?;
    row.as_ref().map(stored_from).transpose()
}

fn stored_from(r: &AnyRow) -> Result<StoredChange, sqlx::Error> {
    let c = Cols::new(r, "change_requests");
    Ok(StoredChange {
        id: c.i64("id")?,
        title: c.text("title")?,
        reason: c.text("reason")?,
        status: c.parsed("status", ChangeStatus::parse)?,
        requested_by: Ref { id: c.i64("requested_by")?, name: c.of("users").text("requester_name")? },
        created_at: c.timestamp("created_at")?,
        submitted_at: c.opt_timestamp("submitted_at")?,
        decided_by: match c.opt_i64("decided_by")? {
            Some(id) => Some(Ref { id, name: c.of("users").text("decider_name")? }),
            None => None,
        },
        decided_at: c.opt_timestamp("decided_at")?,
        decision_comment: c.opt_text("decision_comment")?,
        applied_at: c.opt_timestamp("applied_at")?,
        operations: c.json("operations")?,
        errors: c.json("errors")?,
        preview: c.json("preview")?,
        version: c.i64("version")?,
    })
}

pub struct ChangeFilter {
    pub status: Option<ChangeStatus>,
    /// Only this user's requests.
    pub requested_by: Option<i64>,
    pub page: i64,
    pub per_page: i64,
}

/// Newest first.
pub async fn list(db: &AnyPool, f: &ChangeFilter) -> Result<Page<ChangeRequestSummary>, sqlx::Error> {
    let mut filter = Sql::new(" WHERE 1 = 1");
    if let Some(status) = f.status {
        filter.push(" AND r.status = ").bind(status.as_str());
    }
    if let Some(user) = f.requested_by {
        filter.push(" AND r.requested_by = ").bind(user);
    }
    let total: i64 = filter.wrapped("SELECT COUNT(*) FROM change_requests r", "").query_scalar().fetch_one(db).await?;
    let mut list = filter.wrapped(&format!("SELECT {SUMMARY_COLUMNS}{JOIN_USERS}"), "");
    list.push(" ORDER BY r.id DESC LIMIT ").bind(f.per_page).push(" OFFSET ").bind((f.page - 1) * f.per_page);
    let rows = list.query().fetch_all(db).await?;
    let items = rows
        .iter()
        .map(|r| {
            let c = Cols::new(r, "change_requests");
            Ok(ChangeRequestSummary {
                id: c.i64("id")?,
                title: c.text("title")?,
                status: c.parsed("status", ChangeStatus::parse)?,
                requested_by: Ref { id: c.i64("requested_by")?, name: c.of("users").text("requester_name")? },
                created_at: c.timestamp("created_at")?,
                submitted_at: c.opt_timestamp("submitted_at")?,
                operation_count: c.i64("operation_count")?,
                error_count: c.i64("error_count")?,
                annual_cost_change: c.json::<Vec<Money>>("annual_cost_change")?,
                people_losing_seats: c.i64("people_losing_seats")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(Page { items, total, page: f.page, per_page: f.per_page })
}

// --- What the rules read -------------------------------------------------------------------------------------

/// Pools as the rules read them, each with its department (the service asks the access policy about it and sets
/// `may_edit`, false here).
pub async fn pools(conn: &mut Conn, ids: &[i64]) -> Result<Vec<(i64, PoolFacts)>, sqlx::Error> {
    let statement = over_ids(
        "SELECT p.id, p.name, p.department_id, p.seats_purchased, p.seats_assigned, p.allow_overage, \
                p.retired_at, p.unit_cost_minor, p.billing_period, p.currency, p.contract_start, p.contract_end, \
                p.annual_cost_minor FROM pools p WHERE p.id IN (SELECT r.id FROM {rows})",
        &[],
    );
    bulk::fetch(conn, &statement, &bulk::ids(ids))
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "pools");
            let pool = PoolFacts {
                id: c.i64("id")?,
                name: c.text("name")?,
                seats_purchased: c.opt_i64("seats_purchased")?,
                seats_assigned: c.i64("seats_assigned")?,
                allow_overage: c.flag("allow_overage")?,
                retired: c.opt_timestamp("retired_at")?.is_some(),
                may_edit: false,
                unit_cost_minor: c.money_minor("unit_cost_minor")?,
                billing_period: c.parsed("billing_period", BillingPeriod::parse)?,
                currency: c.text("currency")?,
                contract_start: c.opt_date("contract_start")?,
                contract_end: c.opt_date("contract_end")?,
                annual_cost_minor: c.money_minor("annual_cost_minor")?,
            };
            Ok((c.i64("department_id")?, pool))
        })
        .collect()
}

/// People by id: (id, name, status).
pub async fn people(conn: &mut Conn, ids: &[i64]) -> Result<Vec<(i64, String, PersonStatus)>, sqlx::Error> {
    let statement =
        over_ids("SELECT pe.id, pe.name, pe.status FROM people pe WHERE pe.id IN (SELECT r.id FROM {rows})", &[]);
    bulk::fetch(conn, &statement, &bulk::ids(ids))
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "people");
            Ok((c.i64("id")?, c.text("name")?, c.parsed("status", PersonStatus::parse)?))
        })
        .collect()
}

/// `sql` over ids given as the rows `r.id` of `{rows}`.
fn over_ids<'a>(sql: &'a str, args: &'a [&'a str]) -> Statement<'a> {
    Statement { sql, cols: bulk::ID, args }
}

/// A seat as (pool id, person id).
fn seat_of(r: &AnyRow) -> Result<(i64, i64), sqlx::Error> {
    let c = Cols::new(r, "seat_assignments");
    Ok((c.i64("pool_id")?, c.i64("person_id")?))
}

const SEAT_COLS: &[Col] = &[Col::Int("pool_id"), Col::Int("person_id")];

/// Which of these seats (pool id, person id) are held.
pub async fn held(conn: &mut Conn, seats: &[(i64, i64)]) -> Result<HashSet<(i64, i64)>, sqlx::Error> {
    let statement = Statement {
        sql: "SELECT a.pool_id, a.person_id FROM seat_assignments a JOIN {rows} \
              ON a.pool_id = r.pool_id AND a.person_id = r.person_id",
        cols: SEAT_COLS,
        args: &[],
    };
    bulk::fetch(conn, &statement, seats).await?.iter().map(seat_of).collect()
}

// --- What applying writes -------------------------------------------------------------------------------------

/// New seats (pool id, person id).
pub async fn add_seats(conn: &mut Conn, seats: &[(i64, i64)], by: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let at = to_db(now);
    let statement = Statement {
        sql: "INSERT INTO seat_assignments (pool_id, person_id, assigned_at, assigned_by) \
              SELECT r.pool_id, r.person_id, $2, $3 FROM {rows}",
        cols: SEAT_COLS,
        args: &[&at, by],
    };
    bulk::execute(conn, &statement, seats).await?;
    Ok(())
}

/// Seats given back (pool id, person id). The rows are the outer loop: each finds its seat through the holder's
/// index, so the cost follows the batch, not the table.
pub async fn remove_seats(conn: &mut Conn, seats: &[(i64, i64)]) -> Result<u64, sqlx::Error> {
    let statement = Statement {
        sql: "DELETE FROM seat_assignments WHERE id IN (SELECT a.id FROM {rows} JOIN seat_assignments a \
              ON a.person_id = r.person_id AND a.pool_id = r.pool_id)",
        cols: SEAT_COLS,
        args: &[],
    };
    bulk::execute(conn, &statement, seats).await
}

/// Seats that change hands on the same pool: (pool id, from person, to person). `UPDATE ... FROM` (SQLite 3.33,
/// PostgreSQL) joins each row to its seat once.
pub async fn hand_over(
    conn: &mut Conn,
    seats: &[(i64, i64, i64)],
    by: &str,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let at = to_db(now);
    let statement = Statement {
        sql: "UPDATE seat_assignments SET person_id = r.to_id, assigned_at = $2, assigned_by = $3, device = NULL, \
                reclaim_marked_at = NULL, reclaim_reason = NULL, reclaim_latency_ms = NULL \
              FROM {rows} WHERE seat_assignments.pool_id = r.pool_id AND seat_assignments.person_id = r.from_id",
        cols: &[Col::Int("pool_id"), Col::Int("from_id"), Col::Int("to_id")],
        args: &[&at, by],
    };
    bulk::execute(conn, &statement, seats).await
}

/// New seat counts with the annual cost they make: (pool id, seats, annual cost in minor units).
pub async fn set_seats(conn: &mut Conn, pools: &[(i64, i64, i64)], now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let at = to_db(now);
    let statement = Statement {
        sql: "UPDATE pools SET seats_purchased = r.seats, annual_cost_minor = r.annual, updated_at = $2 \
              FROM {rows} WHERE pools.id = r.id",
        cols: &[Col::Int("id"), Col::Int("seats"), Col::Int("annual")],
        args: &[&at],
    };
    bulk::execute(conn, &statement, pools).await?;
    Ok(())
}

/// Who holds the seats of these pools: (pool id, person id), device seats left out.
pub async fn holders(conn: &mut Conn, pool_ids: &[i64]) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let statement = over_ids(
        "SELECT a.pool_id, a.person_id FROM seat_assignments a WHERE a.person_id IS NOT NULL \
         AND a.pool_id IN (SELECT r.id FROM {rows})",
        &[],
    );
    bulk::fetch(conn, &statement, &bulk::ids(pool_ids)).await?.iter().map(seat_of).collect()
}

/// Retire pools: every seat freed, the pool kept with its history and costing nothing from now on.
pub async fn retire(conn: &mut Conn, ids: &[i64], now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let at = to_db(now);
    let args = [at.as_str()];
    let seats = over_ids("DELETE FROM seat_assignments WHERE pool_id IN (SELECT r.id FROM {rows})", &[]);
    bulk::execute(conn, &seats, &bulk::ids(ids)).await?;
    let pools =
        over_ids("UPDATE pools SET retired_at = $2, updated_at = $2, annual_cost_minor = 0 WHERE id IN (SELECT r.id FROM {rows})", &args);
    bulk::execute(conn, &pools, &bulk::ids(ids)).await?;
    Ok(())
}

/// Bring the touched pools' seat counters and versions in line with their seats.
pub async fn recount(conn: &mut Conn, ids: &[i64]) -> Result<(), sqlx::Error> {
    let statement = over_ids(
        "UPDATE pools SET seats_assigned = (SELECT COUNT(*) FROM seat_assignments a WHERE a.pool_id = pools.id), \
                version = version + 1 WHERE id IN (SELECT r.id FROM {rows})",
        &[],
    );
    bulk::execute(conn, &statement, &bulk::ids(ids)).await?;
    Ok(())
}

// --- What a CSV file's names refer to -------------------------------------------------------------------------

/// Pools by lower-case name: (id, lower-case name); a name two pools share comes back twice.
pub async fn pools_named(conn: &mut Conn, names: &[String]) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let statement = Statement {
        sql: "SELECT p.id, p.name_lower FROM pools p WHERE p.name_lower IN (SELECT r.name FROM {rows})",
        cols: &[Col::Text("name")],
        args: &[],
    };
    let rows: Vec<(&String,)> = names.iter().map(|n| (n,)).collect();
    bulk::fetch(conn, &statement, &rows)
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "pools");
            Ok((c.i64("id")?, c.text("name_lower")?))
        })
        .collect()
}

/// People by lower-case e-mail address or by employee id: (id, lower-case e-mail, employee id).
pub async fn people_keyed(
    conn: &mut Conn,
    emails: &[String],
    employee_ids: &[String],
) -> Result<Vec<(i64, String, Option<String>)>, sqlx::Error> {
    let statement = Statement {
        sql: "SELECT pe.id, LOWER(pe.email) AS email, pe.employee_id FROM people pe \
              WHERE LOWER(pe.email) IN (SELECT r.key FROM {rows} WHERE r.kind = 'email') \
                 OR pe.employee_id IN (SELECT r.key FROM {rows} WHERE r.kind = 'employee')",
        cols: &[Col::Text("kind"), Col::Text("key")],
        args: &[],
    };
    let rows: Vec<(&str, &String)> =
        emails.iter().map(|e| ("email", e)).chain(employee_ids.iter().map(|e| ("employee", e))).collect();
    bulk::fetch(conn, &statement, &rows)
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "people");
            Ok((c.i64("id")?, c.text("email")?, c.opt_text("employee_id")?))
        })
        .collect()
}
