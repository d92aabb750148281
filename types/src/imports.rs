use serde::{Deserialize, Serialize};

/// What an uploaded file will do (status `previewed`) or did (`applied`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportSummary {
    pub id: i64,
    /// `hr` or `snipeit`.
    pub kind: String,
    pub filename: String,
    /// `previewed` or `applied`.
    pub status: String,
    pub rows: i64,
    pub creates: i64,
    pub updates: i64,
    pub unchanged: i64,
    pub status_changes: i64,
    pub terminations: i64,
    /// People a full export no longer lists: flagged, never deleted.
    pub missing: i64,
    pub new_departments: Vec<String>,
    pub new_cost_centres: Vec<String>,
    /// License pools the file creates (Snipe-IT).
    #[serde(default)]
    pub pools_created: i64,
    /// Seat assignments the file creates (Snipe-IT).
    #[serde(default)]
    pub seats_created: i64,
}
