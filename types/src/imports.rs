use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::FieldError;

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
    /// Existing license pools the file changes (Snipe-IT).
    #[serde(default)]
    pub pools_updated: i64,
    /// What the file changes on each existing pool, field by field (Snipe-IT).
    #[serde(default)]
    pub pool_changes: Vec<PoolChange>,
    /// Usage signals the file records, one per person and pool (usage files).
    #[serde(default)]
    pub usage_signals: i64,
    /// Rows in error, by row, line and column. While there are any, applying needs `skip_invalid`.
    #[serde(default)]
    pub row_errors: Vec<FieldError>,
    /// Rows without errors: what an apply with `skip_invalid` takes.
    #[serde(default)]
    pub valid_rows: i64,
    /// Rows an apply with `skip_invalid` left out; `GET /api/v1/imports/{id}/skipped.csv` hands them back.
    #[serde(default)]
    pub skipped_rows: i64,
    /// Values that were not understood but do not block the import, by row, line and column, each saying what
    /// was done instead.
    #[serde(default)]
    pub warnings: Vec<FieldError>,
    /// Which columns of the file were read and which were ignored.
    #[serde(default)]
    pub columns: ImportColumns,
    /// How costs were read, one sentence per license (Snipe-IT).
    #[serde(default)]
    pub cost_reading: Vec<String>,
    /// Records this import created or changed, by type (`person`, `pool`), once applied.
    #[serde(default)]
    pub records: Vec<ImportRecordCount>,
    /// Who uploaded the file.
    #[serde(default)]
    pub created_by: String,
    #[serde(default)]
    #[serde(deserialize_with = "crate::when::opt_timestamp")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    #[serde(deserialize_with = "crate::when::opt_timestamp")]
    pub applied_at: Option<DateTime<Utc>>,
    /// Every time applying was started, oldest first, with how it ended.
    #[serde(default)]
    pub attempts: Vec<ImportAttempt>,
}

/// One try at applying an import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportAttempt {
    #[serde(deserialize_with = "crate::when::timestamp")]
    pub started_at: DateTime<Utc>,
    pub started_by: String,
    pub outcome: AttemptOutcome,
    /// When it ended; none while running, or when the server stopped midway (`interrupted`).
    #[serde(default, deserialize_with = "crate::when::opt_timestamp")]
    pub finished_at: Option<DateTime<Utc>>,
    /// Why a failed attempt failed, as the person who tried was told.
    pub error: Option<String>,
}

/// How an apply attempt ended. `interrupted`: the server stopped while applying (crash, kill, power loss); its
/// transaction was never committed, so nothing of it was kept and the import can be applied again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    Running,
    Applied,
    Failed,
    Interrupted,
}

impl AttemptOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Applied => "applied",
            Self::Failed => "failed",
            Self::Interrupted => "interrupted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Running, Self::Applied, Self::Failed, Self::Interrupted].into_iter().find(|o| o.as_str() == s)
    }
}

/// The columns of an uploaded file: the ones read (with the field each fills) and the ones ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportColumns {
    pub recognised: Vec<ColumnMatch>,
    /// Headers as written in the file; their values are not read.
    pub ignored: Vec<String>,
}

/// A header as written in the file and the field it fills, e.g. `Employee Number` → `employee_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ColumnMatch {
    pub header: String,
    pub field: String,
}

/// One existing pool an import changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoolChange {
    pub pool_id: i64,
    pub pool: String,
    pub changes: Vec<FieldChange>,
}

/// A field's value before and after, as shown to people (`null` for empty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// How many records of one type an import created or changed (`GET /api/v1/people?import_id=`, `/pools?import_id=`
/// list them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportRecordCount {
    /// `person` or `pool`.
    pub record_type: String,
    pub count: i64,
}

/// The body of `POST /api/v1/imports/{id}/apply` (optional: without it, a file with row errors is refused).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApplyImportInput {
    /// Apply the valid rows and skip the rows in error (listed in the preview's `row_errors`).
    #[serde(default)]
    pub skip_invalid: bool,
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
