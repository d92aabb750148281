//! Change requests and what checking and applying one reads and writes.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use seatwise_types::{
    ApprovalPolicy, AttemptOutcome, BillingPeriod, ChangePreview, ChangeRequestSummary, ChangeStage, ChangeStatus,
    FieldError, Money, OperationInput, Page, PersonStatus, Ref, SignOff, WaitingFor,
};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Executor};

use super::bulk::{self, Col, Statement};
use super::decode::Cols;
use super::{Conn, Sql};
use crate::clock::to_db;
use crate::domain::access::PoolPlace;
use crate::domain::change_request::PoolFacts;
use crate::domain::change_rollback::{PoolBefore, SeatBefore, Snapshot};

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
    pub needs_finance: bool,
    pub finance_decision: Option<SignOff>,
    pub expires_at: Option<DateTime<Utc>>,
    pub applied_count: i64,
    pub rollback_of: Option<i64>,
    pub rolled_back_by: Option<i64>,
    /// For a rollback of chosen rows: the rows of the request it rolls back (`None`: all of them).
    pub rollback_rows: Option<Vec<u64>>,
    pub execute_at: Option<DateTime<Utc>>,
    /// The author of the policy version that selected this request's rows (a reclamation run), who may not
    /// approve it either.
    pub author_id: Option<i64>,
}

impl StoredChange {
    pub fn waiting_for(&self) -> Option<WaitingFor> {
        waiting_for(self.status, self.decided_by.is_some(), self.needs_finance)
    }
}

/// Whose sign-off a request waits for: submitted and undecided, the approver's; approved by them and above the
/// policy's thresholds, finance's.
fn waiting_for(status: ChangeStatus, decided: bool, needs_finance: bool) -> Option<WaitingFor> {
    match (status, decided, needs_finance) {
        (ChangeStatus::Submitted, false, _) => Some(WaitingFor::Approver),
        (ChangeStatus::Submitted, true, true) => Some(WaitingFor::Finance),
        _ => None,
    }
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
     r.submitted_at, r.operation_count, r.error_count, r.applied_count, r.annual_cost_change, r.people_losing_seats, \
     r.needs_finance, r.decided_by, r.rollback_of";
const JOIN_USERS: &str = " FROM change_requests r JOIN users ru ON ru.id = r.requested_by";

/// A new draft; `rollback_of` names the request it undoes.
pub struct NewChange<'a> {
    pub title: &'a str,
    pub reason: &'a str,
    pub requested_by: i64,
    pub rollback_of: Option<i64>,
    pub execute_at: Option<DateTime<Utc>>,
    /// The author of the policy version behind the request, when a policy run sent it.
    pub author_id: Option<i64>,
}

pub async fn insert(
    conn: &mut Conn,
    new: &NewChange<'_>,
    content: &Content<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let at = to_db(now);
    let NewChange { title, reason, requested_by, rollback_of, execute_at, author_id } = *new;
    sqlx::query_scalar(
        "INSERT INTO change_requests (title, reason, requested_by, status, operations, operation_count, errors, \
           error_count, preview, people_losing_seats, annual_cost_change, created_at, updated_at, rollback_of, \
           execute_at, author_id) \
         VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13, $14) RETURNING id",
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
    .bind(rollback_of)
    .bind(execute_at.map(to_db))
    .bind(author_id)
    .fetch_one(conn)
    .await
}

/// A draft's new title, reason, execution window and operations (with what checking them found); a run the
/// background claimed for the old version may be claimed again.
pub async fn replace(
    conn: &mut Conn,
    id: i64,
    new: &NewChange<'_>,
    content: &Content<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE change_requests SET title = $1, reason = $2, execute_at = $3, run_claimed_at = NULL, \
           operations = $4, operation_count = $5 WHERE id = $6",
    )
    .bind(new.title)
    .bind(new.reason)
    .bind(new.execute_at.map(to_db))
    .bind(encode(content.operations)?)
    .bind(content.operations.len() as i64)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    set_checked(conn, id, content, now).await
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
    Submit {
        needs_finance: bool,
    },
    /// The approver's decision: `to` is `approved` when nothing more is needed, `submitted` when finance signs
    /// off next, or `rejected`.
    Decide {
        to: ChangeStatus,
        by: i64,
        comment: &'a str,
        expires_at: Option<DateTime<Utc>>,
    },
    /// Finance's sign-off after the approver's: `approved` or `rejected`.
    Finance {
        to: ChangeStatus,
        by: i64,
        comment: &'a str,
        expires_at: Option<DateTime<Utc>>,
    },
    /// Rows applied so far: `piloted` while some are left, `applied` once all are.
    Applied {
        to: ChangeStatus,
        applied_count: i64,
    },
    /// Back to a draft: it was changed, or applying it would do something other than what was approved.
    Reopen,
    /// The approval lapsed unused.
    Expire,
    /// Its rollback request was applied.
    RolledBack,
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
        Step::Submit { needs_finance } => {
            sql.push(", status = 'submitted', submitted_at = ").bind(at);
            sql.push(", needs_finance = ").bind(i64::from(needs_finance));
        }
        Step::Decide { to, by, comment, expires_at } => {
            sql.push(", status = ").bind(to.as_str()).push(", decided_by = ").bind(by);
            sql.push(", decided_at = ").bind(at).push(", decision_comment = ").bind(comment);
            sql.push(", expires_at = ").bind(expires_at.map(to_db));
        }
        Step::Finance { to, by, comment, expires_at } => {
            sql.push(", status = ").bind(to.as_str()).push(", finance_by = ").bind(by);
            sql.push(", finance_at = ").bind(at).push(", finance_comment = ").bind(comment);
            sql.push(", expires_at = ").bind(expires_at.map(to_db));
        }
        Step::Applied { to, applied_count } => {
            sql.push(", status = ").bind(to.as_str()).push(", applied_count = ").bind(applied_count);
            sql.push(", applied_at = ").bind(at);
        }
        Step::Reopen => {
            sql.push(", status = 'draft', submitted_at = NULL, decided_by = NULL, decided_at = NULL");
            sql.push(", decision_comment = NULL, finance_by = NULL, finance_at = NULL, finance_comment = NULL");
            sql.push(", expires_at = NULL, reminded_at = NULL");
        }
        Step::Expire => {
            sql.push(", status = 'expired'");
        }
        Step::RolledBack => {
            sql.push(", status = 'rolled_back'");
        }
    }
    sql.push(" WHERE id = ").bind(id).push(" AND status = ").bind(from.as_str());
    Ok(sql.query().execute(conn).await?.rows_affected() == 1)
}

/// Record which request rolls this one back (while it waits for approval, and after).
pub async fn set_rolled_back_by(conn: &mut Conn, id: i64, by: Option<i64>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE change_requests SET rolled_back_by = $1, version = version + 1 WHERE id = $2")
        .bind(by)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The rows of the request a rollback undoes (`None`: all).
pub async fn set_rollback_rows(conn: &mut Conn, id: i64, rows: Option<&[u64]>) -> Result<(), sqlx::Error> {
    let rows = rows.map(|r| serde_json::to_string(r).map_err(|e| sqlx::Error::Encode(Box::new(e)))).transpose()?;
    sqlx::query("UPDATE change_requests SET rollback_rows = $1 WHERE id = $2")
        .bind(rows)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
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
           r.operations, r.errors, r.preview, r.version, r.needs_finance, r.finance_by, fu.name AS finance_name, \
           r.finance_at, r.finance_comment, r.expires_at, r.applied_count, r.rollback_of, r.rolled_back_by, r.execute_at, \
           r.author_id, r.rollback_rows \
         FROM change_requests r JOIN users ru ON ru.id = r.requested_by LEFT JOIN users du ON du.id = r.decided_by \
           LEFT JOIN users fu ON fu.id = r.finance_by \
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
        needs_finance: c.flag("needs_finance")?,
        finance_decision: match c.opt_i64("finance_by")? {
            Some(id) => Some(SignOff {
                by: Ref { id, name: c.of("users").text("finance_name")? },
                at: c.timestamp("finance_at")?,
                comment: c.text("finance_comment")?,
            }),
            None => None,
        },
        expires_at: c.opt_timestamp("expires_at")?,
        applied_count: c.i64("applied_count")?,
        rollback_of: c.opt_i64("rollback_of")?,
        rolled_back_by: c.opt_i64("rolled_back_by")?,
        rollback_rows: c.opt_json("rollback_rows")?,
        execute_at: c.opt_timestamp("execute_at")?,
        author_id: c.opt_i64("author_id")?,
    })
}

pub struct ChangeFilter {
    pub status: Option<ChangeStatus>,
    /// Only this user's requests.
    pub requested_by: Option<i64>,
    pub waiting_for: Option<WaitingFor>,
    /// Only what this user may decide now: (user id, may give the approver's sign-off, may give finance's).
    pub decidable_by: Option<(i64, bool, bool)>,
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
    match f.waiting_for {
        Some(WaitingFor::Approver) => {
            filter.push(" AND r.status = 'submitted' AND r.decided_by IS NULL");
        }
        Some(WaitingFor::Finance) => {
            filter.push(" AND r.status = 'submitted' AND r.decided_by IS NOT NULL AND r.needs_finance = 1");
        }
        None => {}
    }
    if let Some((user, approver, finance)) = f.decidable_by {
        filter.push(" AND r.status = 'submitted' AND r.requested_by <> ").bind(user);
        filter.push(" AND ((r.decided_by IS NULL AND ").bind(i64::from(approver)).push(" = 1)");
        filter.push(" OR (r.decided_by IS NOT NULL AND r.needs_finance = 1 AND r.decided_by <> ").bind(user);
        filter.push(" AND ").bind(i64::from(finance)).push(" = 1))");
    }
    let total: i64 = filter.wrapped("SELECT COUNT(*) FROM change_requests r", "").query_scalar().fetch_one(db).await?;
    let mut list = filter.wrapped(&format!("SELECT {SUMMARY_COLUMNS}{JOIN_USERS}"), "");
    list.push(" ORDER BY r.id DESC LIMIT ").bind(f.per_page).push(" OFFSET ").bind((f.page - 1) * f.per_page);
    let rows = list.query().fetch_all(db).await?;
    let items = rows
        .iter()
        .map(|r| {
            let c = Cols::new(r, "change_requests");
            let status = c.parsed("status", ChangeStatus::parse)?;
            let needs_finance = c.flag("needs_finance")?;
            Ok(ChangeRequestSummary {
                id: c.i64("id")?,
                title: c.text("title")?,
                status,
                needs_finance,
                waiting_for: waiting_for(status, c.opt_i64("decided_by")?.is_some(), needs_finance),
                rollback_of: c.opt_i64("rollback_of")?,
                applied_count: c.i64("applied_count")?,
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
pub async fn pools(conn: &mut Conn, ids: &[i64]) -> Result<Vec<(PoolPlace, PoolFacts)>, sqlx::Error> {
    let statement = over_ids(
        "SELECT p.id, p.name, p.department_id, p.owner_id, p.seats_purchased, p.seats_assigned, p.allow_overage, \
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
                may_ask: false,
                unit_cost_minor: c.money_minor("unit_cost_minor")?,
                billing_period: c.parsed("billing_period", BillingPeriod::parse)?,
                currency: c.text("currency")?,
                contract_start: c.opt_date("contract_start")?,
                contract_end: c.opt_date("contract_end")?,
                annual_cost_minor: c.money_minor("annual_cost_minor")?,
            };
            Ok((PoolPlace::new(c.i64("department_id")?, c.opt_i64("owner_id")?), pool))
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

/// The department of each of these people who has one: (person id, department).
pub async fn departments_of_people(conn: &mut Conn, ids: &[i64]) -> Result<Vec<(i64, Ref)>, sqlx::Error> {
    let statement = over_ids(
        "SELECT pe.id, d.id AS department_id, d.name AS department_name FROM people pe JOIN {rows} ON pe.id = r.id \
         JOIN departments d ON d.id = pe.department_id",
        &[],
    );
    bulk::fetch(conn, &statement, &bulk::ids(ids))
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "people");
            Ok((c.i64("id")?, Ref { id: c.i64("department_id")?, name: c.text("department_name")? }))
        })
        .collect()
}

/// Put a request's operations in a new order (a pilot by department moves its rows first); the set is unchanged.
/// False when the request does not have that many operations (nothing written).
pub async fn set_operations(conn: &mut Conn, id: i64, operations: &[OperationInput]) -> Result<bool, sqlx::Error> {
    let written = sqlx::query("UPDATE change_requests SET operations = $1 WHERE id = $2 AND operation_count = $3")
        .bind(encode(operations)?)
        .bind(id)
        .bind(operations.len() as i64)
        .execute(conn)
        .await?;
    Ok(written.rows_affected() == 1)
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

/// Pools by lower-case name: (id, lower-case name, department); a name two pools share comes back twice.
pub async fn pools_named(conn: &mut Conn, names: &[String]) -> Result<Vec<(i64, String, PoolPlace)>, sqlx::Error> {
    let statement = Statement {
        sql: "SELECT p.id, p.name_lower, p.department_id, p.owner_id FROM pools p \
              WHERE p.name_lower IN (SELECT r.name FROM {rows})",
        cols: &[Col::Text("name")],
        args: &[],
    };
    let rows: Vec<(&String,)> = names.iter().map(|n| (n,)).collect();
    bulk::fetch(conn, &statement, &rows)
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "pools");
            Ok((c.i64("id")?, c.text("name_lower")?, PoolPlace::new(c.i64("department_id")?, c.opt_i64("owner_id")?)))
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

// --- Stages and their snapshots -----------------------------------------------------------------------------

/// An applied stage as written, with the snapshot taken before it.
pub struct NewStage<'a> {
    pub stage: i64,
    pub first_row: i64,
    pub row_count: i64,
    pub snapshot: &'a Snapshot,
    pub rest_preview: Option<&'a ChangePreview>,
    pub applied_by: i64,
}

pub async fn insert_stage(conn: &mut Conn, id: i64, s: &NewStage<'_>, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO change_request_stages (change_request_id, stage, first_row, row_count, snapshot, rest_preview, \
           applied_by, applied_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(s.stage)
    .bind(s.first_row)
    .bind(s.row_count)
    .bind(encode(s.snapshot)?)
    .bind(s.rest_preview.map(encode).transpose()?)
    .bind(s.applied_by)
    .bind(to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// The request's applied stages, first first, as shown (`pilot`: a stage that left rows to apply).
pub async fn stages<'e, E: Executor<'e, Database = Any>>(
    exec: E,
    id: i64,
    operation_count: i64,
) -> Result<Vec<ChangeStage>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT s.stage, s.first_row, s.row_count, s.applied_by, u.name AS applied_by_name, s.applied_at \
         FROM change_request_stages s JOIN users u ON u.id = s.applied_by \
         WHERE s.change_request_id = $1 ORDER BY s.stage",
    )
    .bind(id)
    .fetch_all(exec)
    .await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "change_request_stages");
            let (first_row, row_count) = (c.i64("first_row")?, c.i64("row_count")?);
            Ok(ChangeStage {
                stage: c.i64("stage")?,
                first_row,
                row_count,
                pilot: first_row == 1 && row_count < operation_count,
                applied_by: Ref { id: c.i64("applied_by")?, name: c.of("users").text("applied_by_name")? },
                applied_at: c.timestamp("applied_at")?,
            })
        })
        .collect()
}

/// The snapshots of the request's stages, first first, and the preview of what the last one left to apply.
pub async fn snapshots(conn: &mut Conn, id: i64) -> Result<(Vec<Snapshot>, Option<ChangePreview>), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT snapshot, rest_preview FROM change_request_stages WHERE change_request_id = $1 ORDER BY stage",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    let mut snapshots = Vec::with_capacity(rows.len());
    let mut rest = None;
    for r in &rows {
        let c = Cols::new(r, "change_request_stages");
        snapshots.push(c.json("snapshot")?);
        rest = c.opt_json("rest_preview")?;
    }
    Ok((snapshots, rest))
}

/// Pools as a snapshot keeps them.
pub async fn pools_before(conn: &mut Conn, ids: &[i64]) -> Result<Vec<PoolBefore>, sqlx::Error> {
    let statement = over_ids(
        "SELECT p.id, p.seats_purchased, p.annual_cost_minor, p.retired_at FROM pools p \
         WHERE p.id IN (SELECT r.id FROM {rows}) ORDER BY p.id",
        &[],
    );
    bulk::fetch(conn, &statement, &bulk::ids(ids))
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "pools");
            Ok(PoolBefore {
                id: c.i64("id")?,
                seats_purchased: c.opt_i64("seats_purchased")?,
                annual_cost_minor: c.money_minor("annual_cost_minor")?,
                retired: c.opt_timestamp("retired_at")?.is_some(),
            })
        })
        .collect()
}

const SEAT_BEFORE: &str =
    "a.id, a.pool_id, a.person_id, a.assigned_at, a.assigned_by, a.reclaim_marked_at, a.reclaim_reason";

fn seat_before(r: &AnyRow) -> Result<SeatBefore, sqlx::Error> {
    let c = Cols::new(r, "seat_assignments");
    Ok(SeatBefore {
        id: Some(c.i64("id")?),
        pool_id: c.i64("pool_id")?,
        person_id: c.i64("person_id")?,
        assigned_at: c.timestamp("assigned_at")?,
        assigned_by: c.opt_text("assigned_by")?,
        reclaim_marked_at: c.opt_timestamp("reclaim_marked_at")?,
        reclaim_reason: c.opt_text("reclaim_reason")?,
    })
}

/// The held seats among these (pool id, person id), and every person's seat on the `whole` pools, as they are.
pub async fn seats_before(
    conn: &mut Conn,
    seats: &[(i64, i64)],
    whole: &[i64],
) -> Result<Vec<SeatBefore>, sqlx::Error> {
    let sql = format!(
        "SELECT {SEAT_BEFORE} FROM {{rows}} JOIN seat_assignments a ON a.person_id = r.person_id AND a.pool_id = r.pool_id"
    );
    let named = Statement { sql: &sql, cols: SEAT_COLS, args: &[] };
    let mut out: Vec<SeatBefore> =
        bulk::fetch(conn, &named, seats).await?.iter().map(seat_before).collect::<Result<_, _>>()?;
    let sql = format!(
        "SELECT {SEAT_BEFORE} FROM seat_assignments a WHERE a.person_id IS NOT NULL \
         AND a.pool_id IN (SELECT r.id FROM {{rows}})"
    );
    let pools = over_ids(&sql, &[]);
    let seen: HashSet<(i64, i64)> = out.iter().map(|s| (s.pool_id, s.person_id)).collect();
    for seat in bulk::fetch(conn, &pools, &bulk::ids(whole)).await?.iter().map(seat_before) {
        let seat = seat?;
        if !seen.contains(&(seat.pool_id, seat.person_id)) {
            out.push(seat);
        }
    }
    Ok(out)
}

/// A seat as `add_seats_as_before` writes it: pool, person, assigned at and by, reclaim mark and reason.
type SeatRow<'a> = (i64, i64, String, Option<&'a str>, Option<String>, Option<&'a str>);

/// Seats given back as a snapshot had them (a rollback): when and by whom they were first assigned.
pub async fn add_seats_as_before(conn: &mut Conn, seats: &[&SeatBefore]) -> Result<(), sqlx::Error> {
    let rows: Vec<SeatRow<'_>> = seats
        .iter()
        .map(|s| {
            (
                s.pool_id,
                s.person_id,
                to_db(s.assigned_at),
                s.assigned_by.as_deref(),
                s.reclaim_marked_at.map(to_db),
                s.reclaim_reason.as_deref(),
            )
        })
        .collect();
    let statement = Statement {
        sql: "INSERT INTO seat_assignments (pool_id, person_id, assigned_at, assigned_by, reclaim_marked_at, \
                reclaim_reason) SELECT r.pool_id, r.person_id, r.assigned_at, r.assigned_by, r.reclaim_marked_at, \
                r.reclaim_reason FROM {rows}",
        cols: &[
            Col::Int("pool_id"),
            Col::Int("person_id"),
            Col::Text("assigned_at"),
            Col::Text("assigned_by"),
            Col::Text("reclaim_marked_at"),
            Col::Text("reclaim_reason"),
        ],
        args: &[],
    };
    bulk::execute(conn, &statement, &rows).await?;
    Ok(())
}

/// Retired pools back in use, each at its annual cost: (pool id, annual cost in minor units).
pub async fn restore(conn: &mut Conn, pools: &[(i64, i64)], now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let at = to_db(now);
    let statement = Statement {
        sql: "UPDATE pools SET retired_at = NULL, annual_cost_minor = r.annual, updated_at = $2 \
              FROM {rows} WHERE pools.id = r.id",
        cols: &[Col::Int("id"), Col::Int("annual")],
        args: &[&at],
    };
    bulk::execute(conn, &statement, pools).await?;
    Ok(())
}

// --- Background: lapsed approvals and reminders ---------------------------------------------------------------

/// Approved requests whose approval lapsed by `now`, nothing of them applied.
pub async fn lapsed(db: &AnyPool, now: DateTime<Utc>) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM change_requests WHERE status = 'approved' AND expires_at IS NOT NULL AND expires_at <= $1 \
         ORDER BY id LIMIT 500",
    )
    .bind(to_db(now))
    .fetch_all(db)
    .await
}

/// Approved requests with nothing applied yet (a pilot's rest waits for a person to confirm it) whose execution
/// window has come, not yet claimed by a run. Only those approved before their time
/// (`domain::change_request::window_missed`).
pub async fn due_runs(db: &AnyPool, now: DateTime<Utc>) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM change_requests WHERE status = 'approved' AND applied_count = 0 AND execute_at IS NOT NULL \
           AND execute_at <= $1 AND run_claimed_at IS NULL AND COALESCE(finance_at, decided_at) <= execute_at \
         ORDER BY execute_at, id LIMIT 100",
    )
    .bind(to_db(now))
    .fetch_all(db)
    .await
}

/// Claim a due run for this instance: false when another instance claimed it first (or it is no longer due).
pub async fn claim_run(db: &AnyPool, id: i64, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "UPDATE change_requests SET run_claimed_at = $1 WHERE id = $2 AND run_claimed_at IS NULL \
           AND status = 'approved' AND applied_count = 0 AND execute_at IS NOT NULL AND execute_at <= $1 \
           AND COALESCE(finance_at, decided_at) <= execute_at",
    )
    .bind(to_db(now))
    .bind(id)
    .execute(db)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Give a claimed run back (it could not start for a reason of the server's own): the next tick claims it again.
pub async fn release_run(db: &AnyPool, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE change_requests SET run_claimed_at = NULL WHERE id = $1 AND status = 'approved'")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Submitted requests neither submitted nor reminded about since `before`.
pub async fn waiting_since(db: &AnyPool, before: DateTime<Utc>) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM change_requests WHERE status = 'submitted' AND COALESCE(reminded_at, submitted_at) <= $1 \
         ORDER BY id LIMIT 500",
    )
    .bind(to_db(before))
    .fetch_all(db)
    .await
}

/// Note a reminder sent, unless another instance noted one after `before` (then `false`: it is theirs to send).
pub async fn claim_reminder(
    conn: &mut Conn,
    id: i64,
    before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE change_requests SET reminded_at = $1 WHERE id = $2 AND status = 'submitted' \
         AND COALESCE(reminded_at, submitted_at) <= $3",
    )
    .bind(to_db(now))
    .bind(id)
    .bind(to_db(before))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

// --- The approval policy --------------------------------------------------------------------------------------

pub async fn policy<'e, E: Executor<'e, Database = Any>>(exec: E) -> Result<ApprovalPolicy, sqlx::Error> {
    let r = sqlx::query(
        "SELECT finance_seats, finance_annual_minor, max_operations, approval_valid_days, reminder_hours, \
           require_reason, owners_take_back_directly, version FROM approval_policy WHERE id = 1",
    )
    .fetch_one(exec)
    .await?;
    let c = Cols::new(&r, "approval_policy");
    Ok(ApprovalPolicy {
        finance_above_seats: c.opt_i64("finance_seats")?,
        finance_above_annual_minor: c.opt_i64("finance_annual_minor")?,
        max_operations: c.i64("max_operations")?,
        approval_valid_days: c.opt_i64("approval_valid_days")?,
        reminder_hours: c.opt_i64("reminder_hours")?,
        require_reason: c.flag("require_reason")?,
        owners_take_back_directly: c.flag("owners_take_back_directly")?,
        version: c.i64("version")?,
    })
}

/// Write the policy if it is still at `version`; `false` when someone else wrote it first.
pub async fn save_policy(conn: &mut Conn, p: &ApprovalPolicy, version: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE approval_policy SET finance_seats = $1, finance_annual_minor = $2, max_operations = $3, \
           approval_valid_days = $4, reminder_hours = $5, require_reason = $6, owners_take_back_directly = $7, \
           version = version + 1 WHERE id = 1 AND version = $8",
    )
    .bind(p.finance_above_seats)
    .bind(p.finance_above_annual_minor)
    .bind(p.max_operations)
    .bind(p.approval_valid_days)
    .bind(p.reminder_hours)
    .bind(i64::from(p.require_reason))
    .bind(i64::from(p.owners_take_back_directly))
    .bind(version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

// --- Attempts at a stage ----------------------------------------------------------------------------------------

/// A stage attempt as stored: `outcome` is none until it ends (or is found cut off).
pub struct AttemptRow {
    pub first_row: i64,
    pub row_count: i64,
    pub started_at: DateTime<Utc>,
    pub started_by: String,
    pub finished_at: Option<DateTime<Utc>>,
    pub outcome: Option<AttemptOutcome>,
    pub error: Option<String>,
}

/// Record that a stage starts, committed on its own before the stage's transaction; its id.
pub async fn start_attempt(
    db: &AnyPool,
    id: i64,
    rows: (i64, i64),
    who: &str,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO change_request_attempts (change_request_id, first_row, row_count, started_at, started_by) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(id)
    .bind(rows.0)
    .bind(rows.1)
    .bind(to_db(now))
    .bind(who)
    .fetch_one(db)
    .await
}

/// A request's attempts, oldest first.
pub async fn attempts<'e, E: Executor<'e, Database = Any>>(exec: E, id: i64) -> Result<Vec<AttemptRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT first_row, row_count, started_at, started_by, finished_at, outcome, error \
         FROM change_request_attempts WHERE change_request_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(exec)
    .await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "change_request_attempts");
            Ok(AttemptRow {
                first_row: c.i64("first_row")?,
                row_count: c.i64("row_count")?,
                started_at: c.timestamp("started_at")?,
                started_by: c.text("started_by")?,
                finished_at: c.opt_timestamp("finished_at")?,
                outcome: c.opt_parsed("outcome", AttemptOutcome::parse)?,
                error: c.opt_text("error")?,
            })
        })
        .collect()
}

/// Change requests' titles and reasons: (id, title, reason).
pub async fn titles(conn: &mut Conn, ids: &[i64]) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    let statement =
        over_ids("SELECT c.id, c.title, c.reason FROM change_requests c WHERE c.id IN (SELECT r.id FROM {rows})", &[]);
    bulk::fetch(conn, &statement, &bulk::ids(ids))
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "change_requests");
            Ok((c.i64("id")?, c.text("title")?, c.text("reason")?))
        })
        .collect()
}
