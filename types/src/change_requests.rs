//! Change requests: a batch of seat and pool operations that is validated, previewed, approved by someone other
//! than its requester, and applied as a whole (or a pilot first).

use serde::{Deserialize, Serialize};

use crate::Money;

/// One operation as sent (`{"op":"assign","pool_id":3,"person_id":7}`). Every field is optional here so that a
/// missing or unknown one is an error naming its row and field, not a refused request body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OperationInput {
    /// `assign`, `unassign`, `reassign`, `move`, `set_seats` or `retire_pool`.
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
}

/// Where a request is: a draft (its author may still fix it), waiting for approval, decided, or applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeStatus {
    Draft,
    Submitted,
    Approved,
    Rejected,
    Applied,
}

impl ChangeStatus {
    pub const ALL: [ChangeStatus; 5] = [Self::Draft, Self::Submitted, Self::Approved, Self::Rejected, Self::Applied];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Applied => "applied",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
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
}

/// `POST /api/v1/change-requests/{id}/apply`: optionally only the first `pilot` operations (not available yet).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApplyChangeInput {
    #[serde(default)]
    pub pilot: Option<i64>,
}

/// An approver's or requester's comment on a decision (`approve`, `reject`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentInput {
    #[serde(default)]
    pub comment: String,
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
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub decided_by: Option<crate::Ref>,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
    pub decision_comment: Option<String>,
    pub applied_at: Option<chrono::DateTime<chrono::Utc>>,
    pub operations: Vec<OperationInput>,
    pub errors: Vec<crate::FieldError>,
    pub preview: ChangePreview,
    /// Whether the reader may approve or reject it now (never its requester).
    pub can_decide: bool,
    pub version: i64,
}

/// A change request in a list: enough to judge it (size, cost, who loses a seat) without its operations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeRequestSummary {
    pub id: i64,
    pub title: String,
    pub status: ChangeStatus,
    pub requested_by: crate::Ref,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub operation_count: i64,
    pub error_count: i64,
    pub annual_cost_change: Vec<Money>,
    pub people_losing_seats: i64,
}
