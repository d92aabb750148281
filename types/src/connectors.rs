//! Connectors: where Seatwise pushes its seat decisions (a SCIM app, Microsoft Graph, Okta, or a person doing it by
//! hand). Credentials are written, never read back.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a connector talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConnectorKind {
    /// A SaaS app's SCIM 2.0 API (Slack, Zoom, Atlassian, …).
    Scim,
    /// Microsoft Graph (Microsoft 365 licenses).
    Graph,
    /// Okta's API (group memberships).
    Okta,
    /// No API: a task for the pool's owner.
    Manual,
}

impl ConnectorKind {
    pub const ALL: [ConnectorKind; 4] = [Self::Scim, Self::Graph, Self::Okta, Self::Manual];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Scim => "scim",
            Self::Graph => "graph",
            Self::Okta => "okta",
            Self::Manual => "manual",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The credential fields this kind takes, all required.
    pub const fn credential_fields(self) -> &'static [&'static str] {
        match self {
            Self::Scim => &["bearer_token"],
            Self::Graph => &["tenant_id", "client_id", "client_secret"],
            Self::Okta => &["api_token"],
            Self::Manual => &[],
        }
    }
}

/// How a seat is removed in the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Removal {
    /// Deactivate the account (SCIM `PATCH active=false`).
    Deactivate,
    /// Delete the account.
    Delete,
    /// Remove the account from the license group.
    Group,
}

impl Removal {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Deactivate => "deactivate",
            Self::Delete => "delete",
            Self::Group => "group",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Deactivate, Self::Delete, Self::Group].into_iter().find(|r| r.as_str() == s)
    }
}

/// `POST /api/v1/connectors`, and `PUT /api/v1/connectors/{id}` (credentials left out keep the stored ones).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConnectorInput {
    pub kind: ConnectorKind,
    pub name: String,
    /// The API's base address (`https://…`); none for a manual connector.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Written, never returned: SCIM `{"bearer_token"}`, Graph `{"tenant_id","client_id","client_secret"}`, Okta
    /// `{"api_token"}`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub credentials: Option<serde_json::Map<String, serde_json::Value>>,
    /// The pools whose seats it acts on (a pool has at most one connector).
    #[serde(default)]
    pub pool_ids: Vec<i64>,
    #[serde(default = "default_removal")]
    pub removal: Removal,
    /// Record what would be sent without sending it.
    #[serde(default)]
    pub dry_run: bool,
    /// Each pool's license group in the target (Okta: the group's id; required for every pool of an Okta
    /// connector).
    #[serde(default)]
    pub targets: Vec<PoolTarget>,
    /// At most this many seat actions a minute go to the target (1 to 10,000), for APIs with a quota; none: as fast
    /// as it answers (a 429 is still honoured).
    #[serde(default)]
    pub max_actions_per_minute: Option<i64>,
}

/// A pool's license group in the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PoolTarget {
    pub pool_id: i64,
    /// The group's id in the target (Okta: `00g…`).
    pub group: String,
}

fn default_removal() -> Removal {
    Removal::Deactivate
}

/// A pool a connector acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectorPool {
    pub id: i64,
    pub name: String,
    /// Its license group in the target, if named.
    #[serde(default)]
    pub group: Option<String>,
}

/// A connector as stored; its credentials are only said to be set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Connector {
    pub id: i64,
    pub kind: ConnectorKind,
    pub name: String,
    pub base_url: Option<String>,
    pub pools: Vec<ConnectorPool>,
    pub removal: Removal,
    pub dry_run: bool,
    #[serde(default)]
    pub max_actions_per_minute: Option<i64>,
    /// Credentials are stored (encrypted); they are never returned.
    pub credentials_set: bool,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// One thing a connection test looked at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectorCheck {
    /// `reach`, `patch`, `filter`, `read_users`.
    pub name: String,
    pub ok: bool,
    /// What works, or what is missing and what to do, in words.
    pub detail: String,
}

impl ConnectorCheck {
    pub fn ok(name: &str, detail: &str) -> Self {
        Self { name: name.into(), ok: true, detail: detail.into() }
    }

    pub fn missing(name: &str, detail: &str) -> Self {
        Self { name: name.into(), ok: false, detail: detail.into() }
    }
}

/// `POST /api/v1/connectors/{id}/test`: what works and what is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectorTest {
    pub connector_id: i64,
    /// Every check passed.
    pub ok: bool,
    pub checks: Vec<ConnectorCheck>,
}

/// What a seat action does in the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SeatActionKind {
    /// The seat was removed in Seatwise: take the license away in the target.
    Remove,
    /// The seat was given (back) in Seatwise: give the license in the target.
    Add,
}

impl SeatActionKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Remove => "remove",
            Self::Add => "add",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Remove, Self::Add].into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a seat action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SeatActionStatus {
    /// Waiting to be sent.
    Pending,
    /// Sent; the target has not shown it done yet.
    Sent,
    /// Read back from the target as done (or marked done by a person).
    Confirmed,
    /// The last attempt failed; it is tried again (`next_attempt_at`).
    Failed,
    /// A person must do it by hand: the target cannot, or every attempt failed, or the connector only records.
    Manual,
}

impl SeatActionStatus {
    pub const ALL: [SeatActionStatus; 5] = [Self::Pending, Self::Sent, Self::Confirmed, Self::Failed, Self::Manual];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Confirmed => "confirmed",
            Self::Failed => "failed",
            Self::Manual => "manual",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// `GET /api/v1/connectors/{id}/actions`: one seat action and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeatAction {
    pub id: i64,
    pub connector_id: i64,
    pub pool_id: i64,
    pub pool_name: String,
    pub person_id: i64,
    pub person_name: String,
    /// The account in the target (the person's e-mail when the seat changed).
    pub account: String,
    pub kind: SeatActionKind,
    pub status: SeatActionStatus,
    /// Recorded, not sent: the connector is in dry-run mode.
    pub dry_run: bool,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// What was sent (or would be), or what to do by hand.
    pub detail: Option<String>,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub sent_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub confirmed_at: Option<DateTime<Utc>>,
    pub confirmed_by: Option<String>,
}

/// Filters for a connector's seat actions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct SeatActionQuery {
    pub status: Option<SeatActionStatus>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// One account a reconciliation found out of step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DriftEntry {
    /// The account by its e-mail or user name.
    pub account: String,
    /// The person of the directory it belongs to, when one has that address.
    pub person_id: Option<i64>,
    pub person_name: Option<String>,
    /// The pool Seatwise has the seat in (missing in the target), if any.
    pub pool_id: Option<i64>,
    pub pool_name: Option<String>,
    /// Why it is listed, in words.
    pub detail: String,
    /// A seat action for this person is still on its way: the drift may be that.
    pub in_flight: bool,
}

/// `POST /api/v1/connectors/{id}/reconcile`: the target's holders against Seatwise's seats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reconciliation {
    pub id: i64,
    pub connector_id: i64,
    /// Seats held in Seatwise whose account the target shows active.
    pub matched: i64,
    /// Seatwise has a seat; the target has no active account (at most 1,000 listed; `missing_total` counts all).
    pub missing_in_target: Vec<DriftEntry>,
    pub missing_total: i64,
    /// The target has an active account Seatwise knows no seat for: a shadow seat (at most 1,000 listed).
    pub unknown_in_target: Vec<DriftEntry>,
    pub unknown_total: i64,
    /// Held in both, but as another product or SKU (empty for SCIM: one app, one license).
    pub differs: Vec<DriftEntry>,
    /// Seats in the connector's pools, and active accounts in the target (Graph: users holding one of its SKUs).
    pub seats: i64,
    pub target_active: i64,
    /// Graph: each pool's SKU with the tenant's consumed and purchased units beside the pool's seats.
    #[serde(default)]
    pub units: Vec<TargetUnits>,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub ran_at: DateTime<Utc>,
    pub ran_by: String,
}

/// A pool's license in the target, its units there beside the pool's seats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetUnits {
    pub pool_id: i64,
    pub pool_name: String,
    /// The SKU's part number (e.g. `ENTERPRISEPACK`).
    pub sku: String,
    pub target_consumed: i64,
    pub target_purchased: i64,
    pub seats_assigned: i64,
    pub seats_purchased: Option<i64>,
}
