//! Imports: upload a file for a preview, then apply it.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use seatwise_types::{
    ApplyImportInput, ErrorResponse, HrUploadQuery, ImportQuery, ImportSummary, JobProgress, Page, SkuMapping,
    SkuMappingInput, SnipeItUploadQuery, UploadQuery, UsageUploadQuery,
};

use super::extract::{ApiBody, ApiPath, ApiQuery, OptionalJson};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::service::imports::{self, graph, hr, snipeit, usage};
use crate::state::AppState;

/// Imports accept files far larger than ordinary JSON bodies.
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

/// An uploaded file's text, without a byte-order mark.
pub(super) fn text(body: &Bytes) -> AppResult<&str> {
    let s = std::str::from_utf8(body).map_err(|e| AppError::BadRequest(format!("the file is not UTF-8 text: {e}")))?;
    if let Some(at) = s.find('\0') {
        let line = s[..at].matches('\n').count() + 1;
        return Err(AppError::field("file", &format!("holds a NUL character on line {line}: it is not CSV text")));
    }
    Ok(s.trim_start_matches('\u{feff}'))
}

/// Upload an HR CSV export (the request body) for a preview. Row errors: 422 naming row, line and column.
#[utoipa::path(post, path = "/imports/hr", tag = "imports", params(HrUploadQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportSummary), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn upload_hr(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(p): ApiQuery<HrUploadQuery>,
    ApiBody(body): ApiBody,
) -> AppResult<(StatusCode, Json<ImportSummary>)> {
    let filename = p.filename.unwrap_or_else(|| "hr-export.csv".into());
    let summary =
        hr::preview(state.import_env(), &actor, &filename, text(&body)?, hr::Params { full: p.full.unwrap_or(true) })
            .await?;
    Ok((StatusCode::CREATED, Json(summary)))
}

/// Upload a Snipe-IT license export (one row per checked-out seat) for a preview. Empty or unreadable values are
/// warnings in the preview, never a refusal; re-importing updates the pools the file describes differently.
#[utoipa::path(post, path = "/imports/snipeit", tag = "imports", params(SnipeItUploadQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportSummary), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn upload_snipeit(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(p): ApiQuery<SnipeItUploadQuery>,
    ApiBody(body): ApiBody,
) -> AppResult<(StatusCode, Json<ImportSummary>)> {
    let filename = p.filename.unwrap_or_else(|| "snipeit-licenses.csv".into());
    let upload =
        snipeit::Upload { department_id: p.department_id, cost_centre_id: p.cost_centre_id, cost_per: p.cost_per };
    let summary = snipeit::preview(state.import_env(), &actor, &filename, text(&body)?, upload).await?;
    Ok((StatusCode::CREATED, Json(summary)))
}

/// Upload a Microsoft Graph `GET /users` export (with assignedLicenses and signInActivity) for a preview.
#[utoipa::path(post, path = "/imports/graph-users", tag = "imports", params(UploadQuery),
    request_body(content = String, content_type = "application/json"),
    responses((status = 201, body = ImportSummary), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn upload_graph_users(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(p): ApiQuery<UploadQuery>,
    ApiBody(body): ApiBody,
) -> AppResult<(StatusCode, Json<ImportSummary>)> {
    let filename = p.filename.unwrap_or_else(|| "graph-users.json".into());
    Ok((StatusCode::CREATED, Json(graph::preview_users(state.import_env(), &actor, &filename, text(&body)?).await?)))
}

/// Upload usage data for a preview: a CSV (`person` or `email` or `employee_id`, `pool` or `product`,
/// `last_used_at`, blank for never) or an Okta `GET /api/v1/users` export with `lastLogin` (`format=okta`, for the
/// pool `pool_id` its app stands for). Each row becomes the source's last use of that pool by that person.
#[utoipa::path(post, path = "/imports/usage", tag = "imports", params(UsageUploadQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportSummary), (status = 400, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn upload_usage(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(p): ApiQuery<UsageUploadQuery>,
    ApiBody(body): ApiBody,
) -> AppResult<(StatusCode, Json<ImportSummary>)> {
    let format = p.format.unwrap_or_else(|| "csv".into());
    let filename = p.filename.unwrap_or_else(|| format!("usage.{}", if format == "okta" { "json" } else { "csv" }));
    let params = usage::Params {
        source: p.source.unwrap_or_else(|| if format == "okta" { "okta".into() } else { "csv".into() }),
        read_at: p.read_at.unwrap_or_else(|| state.clock.now()),
        pool_id: p.pool_id,
        format,
    };
    Ok((StatusCode::CREATED, Json(usage::preview(state.import_env(), &actor, &filename, text(&body)?, params).await?)))
}

/// Upload a Microsoft Graph `GET /subscribedSkus` export: records each SKU's id for the mappings.
#[utoipa::path(post, path = "/imports/graph-skus", tag = "imports",
    request_body(content = String, content_type = "application/json"),
    responses((status = 200, body = Vec<SkuMapping>), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn upload_graph_skus(
    State(state): State<AppState>,
    actor: Actor,
    ApiBody(body): ApiBody,
) -> AppResult<Json<Vec<SkuMapping>>> {
    Ok(Json(graph::upload_skus(state.import_env(), &actor, text(&body)?).await?))
}

/// Microsoft 365 SKUs and the pools their assignments become seats of.
#[utoipa::path(get, path = "/sku-mappings", tag = "imports",
    responses((status = 200, body = Vec<SkuMapping>), (status = 403, body = ErrorResponse)))]
pub async fn list_sku_mappings(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Vec<SkuMapping>>> {
    Ok(Json(graph::mappings(state.import_env(), &actor).await?))
}

/// Map a SKU part number (e.g. `ENTERPRISEPACK`) to a pool, or unmap it; answers every mapping, with the changed
/// one's new version as `ETag`. Send that mapping's `version` as `If-Match`: a stale version answers 409.
#[utoipa::path(put, path = "/sku-mappings/{part_number}", tag = "imports",
    params(("part_number" = String, Path),
        ("If-Match" = Option<String>, Header, description = "The mapping's version last read, e.g. \"3\"; without it the write is unconditional.")),
    request_body = SkuMappingInput,
    responses((status = 200, body = Vec<SkuMapping>, headers(("ETag" = String, description = "The mapping's new version"))),
        (status = 400, body = ErrorResponse, description = "Malformed If-Match"),
        (status = 403, body = ErrorResponse),
        (status = 409, body = ErrorResponse, description = "The mapping is at another version than If-Match"),
        (status = 422, body = ErrorResponse)))]
pub async fn set_sku_mapping(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(part_number): ApiPath<String>,
    super::versioning::IfMatch(expected): super::versioning::IfMatch,
    super::extract::ApiJson(body): super::extract::ApiJson<SkuMappingInput>,
) -> AppResult<super::versioning::Tagged<Vec<SkuMapping>>> {
    let (version, all) = graph::set_mapping(state.import_env(), &actor, &part_number, body.pool_id, expected).await?;
    Ok(super::versioning::Tagged(version, all))
}

/// The import history, newest first: kind, file, who, when, status and what each created.
#[utoipa::path(get, path = "/imports", tag = "imports", params(ImportQuery),
    responses((status = 200, body = Page<ImportSummary>), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn list_imports(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ImportQuery>,
) -> AppResult<Json<Page<ImportSummary>>> {
    Ok(Json(imports::list(state.import_env(), &actor, &q).await?))
}

/// An import's preview or result.
#[utoipa::path(get, path = "/imports/{id}", tag = "imports", params(("id" = i64, Path)),
    responses((status = 200, body = ImportSummary), (status = 404, body = ErrorResponse)))]
pub async fn get_import(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<ImportSummary>> {
    Ok(Json(imports::get(state.import_env(), &actor, id).await?))
}

/// The rows of an import that are in error (skipped by an apply with `skip_invalid`), as CSV: the file's header
/// with an `error` column, then each of those rows as uploaded with its problems.
#[utoipa::path(get, path = "/imports/{id}/skipped.csv", tag = "imports", params(("id" = i64, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse)))]
pub async fn skipped_rows(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<impl IntoResponse> {
    let (filename, csv) = imports::skipped_rows(state.import_env(), &actor, id).await?;
    // The name comes from the upload: keep only characters that cannot break the header.
    let safe: String =
        filename.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect();
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{safe}\"")),
        ],
        csv,
    ))
}

/// How far applying an import has come; poll it while the apply request runs.
#[utoipa::path(get, path = "/imports/{id}/progress", tag = "imports", params(("id" = i64, Path)),
    responses((status = 200, body = JobProgress), (status = 404, body = ErrorResponse)))]
pub async fn import_progress(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<JobProgress>> {
    Ok(Json(imports::progress(state.import_env(), &actor, id).await?))
}

/// Apply a previewed import, completely or not at all. A file with rows in error is refused (422 listing them,
/// nothing written) unless the body says `{"skip_invalid": true}`: then the other rows are applied and the rows in
/// error are left out (`GET /imports/{id}/skipped.csv` hands them back).
#[utoipa::path(post, path = "/imports/{id}/apply", tag = "imports", params(("id" = i64, Path)),
    request_body(content = Option<ApplyImportInput>, content_type = "application/json"),
    responses((status = 200, body = ImportSummary), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn apply_import(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    OptionalJson(options): OptionalJson<ApplyImportInput>,
) -> AppResult<Json<ImportSummary>> {
    Ok(Json(imports::apply(state.import_env(), &actor, id, options).await?))
}
