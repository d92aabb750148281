use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One entry of the tamper-evident audit ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerEntry {
    pub seq: i64,
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub at: DateTime<Utc>,
    /// Email of the acting user, or `system`.
    pub actor: String,
    pub action: String,
    pub record_type: String,
    pub record_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    /// SHA-256 (hex) of the previous entry.
    pub prev_hash: String,
    /// SHA-256 (hex) over the previous hash and this entry's content.
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerVerification {
    pub ok: bool,
    pub entries_checked: i64,
    /// Sequence number of the first entry that does not match, if any.
    pub first_bad_seq: Option<i64>,
    pub message: String,
}
