//! Imports (upload for a preview, then apply) and the Microsoft 365 SKU mappings.

use seatwise_types::{
    ApplyImportInput, HrUploadQuery, ImportQuery, ImportSummary, JobProgress, Page, SkuMapping, SkuMappingInput,
    SnipeItUploadQuery, UploadQuery,
};

use super::{with_query, ApiResult};

pub async fn upload_hr(query: &HrUploadQuery, csv: String) -> ApiResult<ImportSummary> {
    super::post_text(&with_query("/imports/hr", query)?, "text/csv", csv).await
}

pub async fn upload_snipeit(query: &SnipeItUploadQuery, csv: String) -> ApiResult<ImportSummary> {
    super::post_text(&with_query("/imports/snipeit", query)?, "text/csv", csv).await
}

pub async fn upload_graph_users(query: &UploadQuery, json: String) -> ApiResult<ImportSummary> {
    super::post_text(&with_query("/imports/graph-users", query)?, "application/json", json).await
}

/// Record the SKUs of a `subscribedSkus` export; answers every mapping.
pub async fn upload_graph_skus(json: String) -> ApiResult<Vec<SkuMapping>> {
    super::post_text("/imports/graph-skus", "application/json", json).await
}

/// Apply a previewed import, completely or not at all; with `skip_invalid`, every row but those in error.
pub async fn apply(id: i64, options: ApplyImportInput) -> ApiResult<ImportSummary> {
    super::post(&format!("/imports/{id}/apply"), &options).await
}

/// The import history, newest first.
pub async fn list(query: &ImportQuery) -> ApiResult<Page<ImportSummary>> {
    super::get(&with_query("/imports", query)?).await
}

/// Where the browser downloads an import's rows in error (CSV with an `error` column).
pub fn skipped_csv_url(id: i64) -> String {
    super::url(&format!("/imports/{id}/skipped.csv"))
}

pub async fn progress(id: i64) -> ApiResult<JobProgress> {
    super::get(&format!("/imports/{id}/progress")).await
}

pub async fn sku_mappings() -> ApiResult<Vec<SkuMapping>> {
    super::get("/sku-mappings").await
}

/// Map a SKU to a pool (or unmap it) if the mapping is still at `version`; answers every mapping.
pub async fn set_sku_mapping(part_number: &str, input: &SkuMappingInput, version: i64) -> ApiResult<Vec<SkuMapping>> {
    let part = String::from(js_sys::encode_uri_component(part_number));
    super::put_if(&format!("/sku-mappings/{part}"), input, Some(version)).await
}
