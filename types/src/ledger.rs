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

/// What did a group of history lines: a change request, a reclamation policy's run, an import, or a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HistorySource {
    ChangeRequest,
    ReclamationPolicy,
    ReclamationCase,
    Import,
}

/// The record a history group links to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryLink {
    pub kind: HistorySource,
    pub id: i64,
    /// "Change request #12 “Take back 3 seats”", "Policy “Inactive 90 days”", "Import #4 users.csv".
    pub label: String,
}

/// One change in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryLine {
    /// The ledger entry it reads.
    pub seq: i64,
    pub text: String,
}

/// Changes made together (one transaction, one actor, one cause): who, what and why, with a link to the cause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryGroup {
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub at: DateTime<Utc>,
    /// Email of the acting user, or `system`.
    pub actor: String,
    /// What happened, in a sentence.
    pub title: String,
    /// Why, when the cause says (a change request's reason, a policy's rule).
    #[serde(default)]
    pub why: Option<String>,
    #[serde(default)]
    pub link: Option<HistoryLink>,
    pub lines: Vec<HistoryLine>,
}
