//! Change requests as stored: their content, status steps, lists and the approval policy. What checking one
//! reads lives in `facts`, applied stages and attempts in `stages`, the background's claims in `upkeep`; the
//! seats and pools a request changes are written through `db::seats`, which reclamation shares.

pub mod facts;
pub mod stages;
pub mod upkeep;

use chrono::{DateTime, Utc};
use seatwise_types::{
    ApprovalPolicy, ChangeOrigin, ChangePreview, ChangeRequestSummary, ChangeStatus, FieldError, Money, OperationInput,
    Page, Ref, SignOff, WaitingFor,
};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Executor};

use super::bulk::over_ids;
use super::bulk::{self};
use super::decode::Cols;
use super::{Conn, Sql};
use crate::clock::to_db;
use crate::domain::change_request::lifecycle;

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
    pub origin: ChangeOrigin,
}

impl StoredChange {
    pub fn waiting_for(&self) -> Option<WaitingFor> {
        lifecycle::waiting_for(self.status, self.decided_by.is_some(), self.needs_finance)
    }
}

/// What is written for a request's content: its operations and what checking them found.
pub struct Content<'a> {
    pub operations: &'a [OperationInput],
    pub errors: &'a [FieldError],
    pub preview: &'a ChangePreview,
}

pub(super) fn encode<T: serde::Serialize + ?Sized>(v: &T) -> Result<String, sqlx::Error> {
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
    pub origin: ChangeOrigin,
}

pub async fn insert(
    conn: &mut Conn,
    new: &NewChange<'_>,
    content: &Content<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let at = to_db(now);
    let NewChange { title, reason, requested_by, rollback_of, execute_at, author_id, origin } = *new;
    sqlx::query_scalar(
        "INSERT INTO change_requests (title, reason, requested_by, status, operations, operation_count, errors, \
           error_count, preview, people_losing_seats, annual_cost_change, created_at, updated_at, rollback_of, \
           execute_at, author_id, origin) \
         VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13, $14, $15) RETURNING id",
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
    .bind(origin.as_str())
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
           r.author_id, r.rollback_rows, r.origin \
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
        origin: c.parsed("origin", ChangeOrigin::parse)?,
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
                waiting_for: lifecycle::waiting_for(status, c.opt_i64("decided_by")?.is_some(), needs_finance),
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
