//! Webhooks: chosen events posted as signed JSON to a service desk (ServiceNow, Jira Service Management, a PSA).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An event a webhook can be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum WebhookEvent {
    /// A reclamation case opened (a policy run, an offboarding, a seat given back, a campaign).
    #[serde(rename = "case.opened")]
    CaseOpened,
    /// A seat was taken back or downgraded, and (for a connector's pool) the target confirmed it.
    #[serde(rename = "seat.reclaimed")]
    SeatReclaimed,
    /// A change request was approved.
    #[serde(rename = "change_request.approved")]
    ChangeRequestApproved,
    /// A reconciliation found the target out of step with Seatwise.
    #[serde(rename = "reconciliation.drift")]
    ReconciliationDrift,
}

impl WebhookEvent {
    pub const ALL: [WebhookEvent; 4] =
        [Self::CaseOpened, Self::SeatReclaimed, Self::ChangeRequestApproved, Self::ReconciliationDrift];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::CaseOpened => "case.opened",
            Self::SeatReclaimed => "seat.reclaimed",
            Self::ChangeRequestApproved => "change_request.approved",
            Self::ReconciliationDrift => "reconciliation.drift",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// `POST /api/v1/webhooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    pub name: String,
    /// Where events are posted (`https://…`; `http://` on this machine only).
    pub url: String,
    pub events: Vec<WebhookEvent>,
}

/// A webhook. Its signing secret is returned once, when it is made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Webhook {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub active: bool,
    /// Only in the answer that made it: the key of the `X-Seatwise-Signature` HMAC. Never shown again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Deliveries waiting or retrying, and those that gave up.
    pub pending: i64,
    pub failed: i64,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting to be sent, or to be tried again.
    Pending,
    Delivered,
    /// Every attempt failed.
    Failed,
}

impl DeliveryStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Delivered, Self::Failed].into_iter().find(|d| d.as_str() == s)
    }
}

/// `GET /api/v1/webhooks/{id}/deliveries`: one event posted (or being posted) to a webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    pub id: i64,
    pub webhook_id: i64,
    pub event: WebhookEvent,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// The receiver's HTTP status at the last attempt.
    pub response_status: Option<i64>,
    /// The JSON posted.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub body: serde_json::Value,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub delivered_at: Option<DateTime<Utc>>,
}
