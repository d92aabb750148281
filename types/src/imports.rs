use serde::{Deserialize, Serialize};

/// What an uploaded file will do (status `previewed`) or did (`applied`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportSummary {
    pub id: i64,
    /// `hr`, `snipeit` or `graph`.
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
    /// License SKUs in the file with no pool mapped to them (Microsoft Graph).
    #[serde(default)]
    pub unmapped_skus: Vec<String>,
}

/// A Microsoft 365 SKU and the pool its assignments become seats of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SkuMapping {
    /// e.g. `ENTERPRISEPACK`, `SPE_E5`.
    pub part_number: String,
    pub sku_id: Option<String>,
    pub pool_id: Option<i64>,
    pub pool_name: Option<String>,
    /// Incremented by every write; send it back as `If-Match: "<version>"` so a stale write answers 409.
    #[serde(default)]
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SkuMappingInput {
    /// The pool, or null to unmap.
    pub pool_id: Option<i64>,
}

/// How far applying an import has come (`GET /api/v1/imports/{id}/progress`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobProgress {
    pub done: u64,
    pub total: u64,
    pub phase: String,
    pub finished: bool,
}
