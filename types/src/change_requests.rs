//! Change requests: a batch of seat and pool operations that is validated, previewed, approved by someone other
//! than its requester, and applied as a whole (or a pilot first).

use serde::{Deserialize, Serialize};

use crate::Money;

/// One operation as sent (`{"op":"assign","pool_id":3,"person_id":7}`). Every field is optional here so that a
/// missing or unknown one is an error naming its row and field, not a refused request body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OperationInput {
    /// `assign`, `unassign`, `reassign`, `move`, `set_seats`, `retire_pool` or `restore_pool` (a retired pool back
    /// in use, as a rollback does).
    #[serde(default)]
    pub op: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_person_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_person_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_pool_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_pool_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seats_purchased: Option<i64>,
}

/// What a request does to one pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoolEffect {
    pub pool_id: i64,
    pub pool_name: String,
    /// `None`: a site licence, no seat count.
    pub seats_purchased_before: Option<i64>,
    pub seats_purchased_after: Option<i64>,
    pub seats_assigned_before: i64,
    pub seats_assigned_after: i64,
    /// Whole percent of purchased seats assigned; `None` without a seat count.
    pub utilization_before: Option<i64>,
    pub utilization_after: Option<i64>,
    pub annual_cost_before: Money,
    pub annual_cost_after: Money,
    pub retired: bool,
}

/// The effect of a whole request before it is applied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePreview {
    /// Per pool the request touches, by pool id.
    pub pools: Vec<PoolEffect>,
    /// Change in cost per month, one amount per currency (the annual change divided by twelve, rounded half away from zero).
    pub monthly_cost_change: Vec<Money>,
    /// Change in cost per year, one amount per currency.
    pub annual_cost_change: Vec<Money>,
    /// People who lose a seat (unassigned, reassigned away, holding one on a retired pool) and get none in the
    /// same request. Moved people keep a seat on the other pool and are counted in `people_moved`.
    pub people_losing_seats: i64,
    pub people_moved: i64,
    /// New seats given by `assign` (a reassignment or a move gives one and takes one).
    pub seats_assigned: i64,
    /// Seats given back by `unassign` and by retired pools.
    pub seats_freed: i64,
    /// Seats given, freed, bought or given up: what the approval policy's seat threshold is compared with.
    #[serde(default)]
    pub seats_changed: i64,
}

/// Where a request is: a draft (its author may still fix it), waiting for approval, approved, partly applied (a
/// pilot), applied, rejected, lapsed unused, or undone by a rollback request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeStatus {
    Draft,
    Submitted,
    Approved,
    Piloted,
    Applied,
    Rejected,
    Expired,
    RolledBack,
}

impl ChangeStatus {
    pub const ALL: [ChangeStatus; 8] = [
        Self::Draft,
        Self::Submitted,
        Self::Approved,
        Self::Piloted,
        Self::Applied,
        Self::Rejected,
        Self::Expired,
        Self::RolledBack,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Approved => "approved",
            Self::Piloted => "piloted",
            Self::Applied => "applied",
            Self::Rejected => "rejected",
            Self::Expired => "expired",
            Self::RolledBack => "rolled_back",
        }
    }

    /// As people read it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Submitted => "Waiting for approval",
            Self::Approved => "Approved",
            Self::Piloted => "Pilot applied",
            Self::Applied => "Applied",
            Self::Rejected => "Rejected",
            Self::Expired => "Approval expired",
            Self::RolledBack => "Rolled back",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Where a change request came from: written by a person (`json`, `csv`), a rollback, or drafted by a feature
/// from its own records (a reclamation run's batch, a renewal's seat changes, an employee's ask on My seats).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeOrigin {
    Json,
    Csv,
    Rollback,
    Reclamation,
    Renewal,
    MySeats,
}

impl ChangeOrigin {
    pub const ALL: [ChangeOrigin; 6] =
        [Self::Json, Self::Csv, Self::Rollback, Self::Reclamation, Self::Renewal, Self::MySeats];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Csv => "csv",
            Self::Rollback => "rollback",
            Self::Reclamation => "reclamation",
            Self::Renewal => "renewal",
            Self::MySeats => "my_seats",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// Whose sign-off a submitted request waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WaitingFor {
    /// An approver (or admin) other than the requester.
    Approver,
    /// Someone with the finance role, after the approver: the request is above the policy's thresholds.
    Finance,
}

impl WaitingFor {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approver => "approver",
            Self::Finance => "finance",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Approver, Self::Finance].into_iter().find(|w| w.as_str() == s)
    }
}

/// `POST /api/v1/change-requests`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeRequestInput {
    pub title: String,
    #[serde(default)]
    pub reason: String,
    pub operations: Vec<OperationInput>,
    /// The execution window: once approved, the server applies the request (whole, or the rest after a pilot)
    /// at this time, and it is not applied before. None: applied by hand once approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "crate::when::opt_timestamp")]
    pub execute_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// `POST /api/v1/change-requests/{id}/apply`: optionally only the first `pilot` operations; applying again
/// (without `pilot`) confirms the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApplyChangeInput {
    /// A pilot of the first N rows.
    #[serde(default)]
    pub pilot: Option<i64>,
    /// A pilot of the rows for the people of one department (they move ahead of the others).
    #[serde(default)]
    pub pilot_department_id: Option<i64>,
}

/// An approver's or requester's comment on a decision (`approve`, `reject`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentInput {
    #[serde(default)]
    pub comment: String,
}

/// One sign-off: who, when, with what comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignOff {
    pub by: crate::Ref,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub at: chrono::DateTime<chrono::Utc>,
    pub comment: String,
}

/// An applied stage: the first `row_count` rows from `first_row` (rows numbered from 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeStage {
    pub stage: i64,
    pub first_row: i64,
    pub row_count: i64,
    pub pilot: bool,
    pub applied_by: crate::Ref,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub applied_at: chrono::DateTime<chrono::Utc>,
}

/// One try at applying a stage: rows `first_row` to `first_row + row_count - 1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeAttempt {
    pub first_row: i64,
    pub row_count: i64,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub started_by: String,
    pub outcome: crate::AttemptOutcome,
    /// When it ended; none while running, or when the server stopped midway (`interrupted`).
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Why a failed attempt failed, as the person who tried was told.
    pub error: Option<String>,
}

/// What the reader may do with a request now (the server refuses the rest whatever the page shows).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeActions {
    pub edit: bool,
    pub submit: bool,
    /// Approve or reject (never the requester; finance for the second sign-off).
    pub decide: bool,
    /// Apply (with a pilot when nothing is applied yet) or confirm the rest of a pilot.
    pub apply: bool,
    /// Ask for a rollback (a new request that needs approval).
    pub rollback: bool,
}

/// A change request with its operations, their errors (each naming its row) and its preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeRequest {
    pub id: i64,
    pub title: String,
    pub reason: String,
    pub status: ChangeStatus,
    /// The requesting user.
    pub requested_by: crate::Ref,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The approver's decision (approve or reject).
    pub decided_by: Option<crate::Ref>,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
    pub decision_comment: Option<String>,
    /// Above the approval policy's thresholds: a finance sign-off follows the approver's.
    pub needs_finance: bool,
    pub finance_decision: Option<SignOff>,
    /// Whose sign-off it waits for while submitted.
    pub waiting_for: Option<WaitingFor>,
    /// When an approval unused by then lapses.
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When the server applies it once approved (not before); none: applied by hand.
    #[serde(default)]
    #[serde(deserialize_with = "crate::when::opt_timestamp")]
    pub execute_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Its execution window passed before its last sign-off: the server does not apply it late by itself.
    #[serde(default)]
    pub window_missed: bool,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub applied_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Rows applied so far (a pilot applies the first ones).
    pub applied_count: i64,
    pub stages: Vec<ChangeStage>,
    /// Every time a stage was started and how it ended, oldest first: one cut off by a crash reads
    /// `interrupted` (nothing of it was kept; apply again).
    #[serde(default)]
    pub attempts: Vec<ChangeAttempt>,
    /// The request this one rolls back.
    pub rollback_of: Option<i64>,
    /// The rows of that request this one undoes, when only some (`None`: all of them).
    #[serde(default)]
    pub rollback_rows: Option<Vec<u64>>,
    /// The request that rolled this one back (or asks to).
    pub rolled_back_by: Option<i64>,
    pub operations: Vec<OperationInput>,
    /// The names of the people and pools the operations name by id (those that exist and the reader may see).
    #[serde(default)]
    pub names: ChangeNames,
    /// While nothing is applied: the departments of the people the rows name, each with its rows, for a pilot
    /// by department.
    #[serde(default)]
    pub pilot_groups: Vec<PilotGroup>,
    pub errors: Vec<crate::FieldError>,
    pub preview: ChangePreview,
    /// Whether the reader may approve or reject it now (never its requester).
    pub can_decide: bool,
    pub actions: ChangeActions,
    pub version: i64,
}

/// A department whose people some of a request's rows name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PilotGroup {
    pub department: crate::Ref,
    pub rows: i64,
}

/// Names for the ids in a request's operations, so a reader sees "Ada Lovelace" rather than person 17.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeNames {
    pub people: Vec<crate::Ref>,
    pub pools: Vec<crate::Ref>,
    /// The people the rows name as an approver weighs them: status and department.
    #[serde(default)]
    pub people_context: Vec<PersonContext>,
    /// The last sign-in of each seat the rows name, where usage data knows it (pools the reader may see).
    #[serde(default)]
    pub sign_ins: Vec<SeatSignIn>,
}

/// A person named by a change request's rows, with what an approver weighs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonContext {
    pub id: i64,
    pub status: crate::PersonStatus,
    pub department: Option<String>,
}

/// The usage data of one seat: its last sign-in (`None`: never signed in) and where that was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeatSignIn {
    pub pool_id: i64,
    pub person_id: i64,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub source: String,
}

/// A change request in a list: enough to judge it (size, cost, who loses a seat) without its operations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeRequestSummary {
    pub id: i64,
    pub title: String,
    pub status: ChangeStatus,
    pub requested_by: crate::Ref,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub operation_count: i64,
    pub error_count: i64,
    pub applied_count: i64,
    pub annual_cost_change: Vec<Money>,
    pub people_losing_seats: i64,
    pub needs_finance: bool,
    pub waiting_for: Option<WaitingFor>,
    pub rollback_of: Option<i64>,
}

/// `POST /api/v1/change-requests/{id}/rollback`: why (optional; a default names the request).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RollbackInput {
    #[serde(default)]
    pub reason: Option<String>,
    /// Undo only these rows of the request (numbers as it lists them, applied ones); none or empty: all of them.
    #[serde(default)]
    pub rows: Option<Vec<u64>>,
}

/// The approval policy (admins set it; everyone who reads change requests sees it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApprovalPolicy {
    /// A request changing more seats than this (given, freed, bought or given up) needs a finance approval too.
    #[serde(default)]
    pub finance_above_seats: Option<i64>,
    /// A request whose annual cost changes by more than this, in minor units of any one currency, either way,
    /// needs a finance approval too.
    #[serde(default)]
    pub finance_above_annual_minor: Option<i64>,
    /// The most operations one request may hold (1 to 50,000).
    pub max_operations: i64,
    /// Days an approval stays valid unapplied before it lapses; `None`: it does not.
    #[serde(default)]
    pub approval_valid_days: Option<i64>,
    /// Hours a request may wait before its approvers are reminded by e-mail; `None`: no reminder.
    #[serde(default)]
    pub reminder_hours: Option<i64>,
    /// A request is submitted only with a reason saying why (on unless turned off).
    #[serde(default = "reason_required_by_default")]
    pub require_reason: bool,
    /// License owners may take back one seat at once from a pool page; off: every take-back is a change request
    /// (admins always may). On unless turned off.
    #[serde(default = "reason_required_by_default")]
    pub owners_take_back_directly: bool,
    /// Incremented by every write (ignored in a PUT body).
    #[serde(default)]
    pub version: i64,
}

fn reason_required_by_default() -> bool {
    true
}
