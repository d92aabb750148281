//! Change requests: draft, edit, submit, approve or reject (never one's own; finance second above the policy's
//! thresholds), apply (a pilot first if wanted), roll back; and the approval policy.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use seatwise_types::{
    ApplyChangeInput, ApprovalPolicy, ChangeRequest, ChangeRequestCsvQuery, ChangeRequestInput, ChangeRequestQuery,
    ChangeRequestSummary, CommentInput, ErrorResponse, JobProgress, Page, RollbackInput,
};

use super::extract::{ApiBody, ApiJson, ApiPath, ApiQuery, OptionalJson};
use super::imports::text;
use super::versioning::{IfMatch, Tagged};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::service::{change_requests, CHANGE_FOLLOWER};
use crate::state::AppState;

/// Draft a change request: every row is checked (errors name their row and field) and the effect previewed.
/// The draft is stored even with errors, so they can be fixed; it is queued only by `submit`.
#[utoipa::path(post, path = "/change-requests", tag = "change requests", request_body = ChangeRequestInput,
    responses((status = 201, body = ChangeRequest), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_change_request(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<ChangeRequestInput>,
) -> AppResult<(StatusCode, Json<ChangeRequest>)> {
    Ok((StatusCode::CREATED, Json(change_requests::create(&state.db, &*state.clock, &actor, &body).await?)))
}

/// Draft a change request from a CSV file (the request body), one operation per row: columns `op`, `pool` (id
/// or name), `person` (e-mail or employee id), `from_person`, `to_person`, `from_pool`, `to_pool`,
/// `seats_purchased`. Errors name the row, the file line and the column; the draft is queued only by `submit`.
#[utoipa::path(post, path = "/change-requests/csv", tag = "change requests", params(ChangeRequestCsvQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ChangeRequest), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_change_request_from_csv(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ChangeRequestCsvQuery>,
    ApiBody(body): ApiBody,
) -> AppResult<(StatusCode, Json<ChangeRequest>)> {
    let title = q.title.or(q.filename).unwrap_or_else(|| "Changes from a file".into());
    let reason = q.reason.unwrap_or_default();
    let created =
        change_requests::create_from_csv(&state.db, &*state.clock, &actor, &title, &reason, text(&body)?).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Change requests, newest first: all of them for admins, approvers and finance; license owners their own.
#[utoipa::path(get, path = "/change-requests", tag = "change requests", params(ChangeRequestQuery),
    responses((status = 200, body = Page<ChangeRequestSummary>), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn list_change_requests(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ChangeRequestQuery>,
) -> AppResult<Json<Page<ChangeRequestSummary>>> {
    Ok(Json(change_requests::list(&state.db, &actor, &q).await?))
}

/// One change request with its operations, their errors and its preview.
#[utoipa::path(get, path = "/change-requests/{id}", tag = "change requests", params(("id" = i64, Path)),
    responses((status = 200, body = ChangeRequest), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn get_change_request(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<ChangeRequest>> {
    Ok(Json(change_requests::get(&state.db, &*state.clock, &actor, id).await?))
}

/// Queue a draft for approval (its requester only). Every row is checked again; with any in error nothing is
/// queued (422 naming each row) and the draft keeps the errors found.
#[utoipa::path(post, path = "/change-requests/{id}/submit", tag = "change requests", params(("id" = i64, Path)),
    responses((status = 200, body = ChangeRequest), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn submit_change_request(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<ChangeRequest>> {
    Ok(Json(change_requests::submit(&state.db, &*state.clock, state.outbox(), &actor, id).await?))
}

/// Approve a submitted request: approvers and admins, never its requester (403). Above the approval policy's
/// thresholds a finance approval follows (someone with the finance role other than the requester and the approver).
#[utoipa::path(post, path = "/change-requests/{id}/approve", tag = "change requests", params(("id" = i64, Path)),
    request_body = CommentInput,
    responses((status = 200, body = ChangeRequest), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn approve_change_request(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<CommentInput>,
) -> AppResult<Json<ChangeRequest>> {
    Ok(Json(
        change_requests::decide(&state.db, &*state.clock, state.outbox(), CHANGE_FOLLOWER, &actor, id, true, &body)
            .await?,
    ))
}

/// Reject a submitted request, saying why: approvers and admins, never its requester (403).
#[utoipa::path(post, path = "/change-requests/{id}/reject", tag = "change requests", params(("id" = i64, Path)),
    request_body = CommentInput,
    responses((status = 200, body = ChangeRequest), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn reject_change_request(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<CommentInput>,
) -> AppResult<Json<ChangeRequest>> {
    Ok(Json(
        change_requests::decide(&state.db, &*state.clock, state.outbox(), CHANGE_FOLLOWER, &actor, id, false, &body)
            .await?,
    ))
}

/// How far the stage being applied has come; poll it while the apply request runs (any instance answers).
#[utoipa::path(get, path = "/change-requests/{id}/progress", tag = "change requests", params(("id" = i64, Path)),
    responses((status = 200, body = JobProgress), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn change_request_progress(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<JobProgress>> {
    Ok(Json(change_requests::progress(&state.db, &state.progress, &actor, id).await?))
}

/// Apply the next stage of an approved request in one transaction (its requester, an approver or an admin):
/// `{"pilot": N}` applies the first N operations only, `{"pilot_department_id": D}` those for the people of
/// department D (moved ahead of the others; `pilot_groups` lists the departments), and applying again (without
/// either) the rest. The server's longer time limit for long work applies (503 `timeout` past it). A snapshot
/// of every record a stage changes is stored with it. Every row is checked again first: if any no longer applies
/// nothing is changed (422 naming them); if they apply but would do something other than what was approved,
/// nothing is changed and (before any stage) the request is a draft again (409). An expired approval is 409.
#[utoipa::path(post, path = "/change-requests/{id}/apply", tag = "change requests", params(("id" = i64, Path)),
    request_body(content = Option<ApplyChangeInput>, content_type = "application/json"),
    responses((status = 200, body = ChangeRequest), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn apply_change_request(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    OptionalJson(body): OptionalJson<ApplyChangeInput>,
) -> AppResult<Json<ChangeRequest>> {
    let applied = change_requests::apply(
        &state.db,
        &*state.clock,
        state.outbox(),
        &state.progress,
        CHANGE_FOLLOWER,
        &actor,
        id,
        &body,
    )
    .await?;
    Ok(Json(applied))
}

/// Change a request's title, reason and operations (its requester, before anything of it is applied). A submitted
/// or approved request changed this way is a draft again, to be submitted and approved anew.
#[utoipa::path(put, path = "/change-requests/{id}", tag = "change requests", params(("id" = i64, Path)),
    request_body = ChangeRequestInput,
    responses((status = 200, body = ChangeRequest), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn update_change_request(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ChangeRequestInput>,
) -> AppResult<Json<ChangeRequest>> {
    Ok(Json(change_requests::update(&state.db, &*state.clock, &actor, id, &body).await?))
}

/// Ask to roll back what a request applied (its requester or an admin): 201 a new, submitted change request of
/// the opposite operations, approved like any other; applied, it puts every record back as the snapshots had it.
/// Refused (422 naming the rows) where a record changed again since, as undoing it would overwrite that change.
#[utoipa::path(post, path = "/change-requests/{id}/rollback", tag = "change requests", params(("id" = i64, Path)),
    request_body(content = Option<RollbackInput>, content_type = "application/json"),
    responses((status = 201, body = ChangeRequest), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn rollback_change_request(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    OptionalJson(body): OptionalJson<RollbackInput>,
) -> AppResult<(StatusCode, Json<ChangeRequest>)> {
    let created =
        change_requests::request_rollback(&state.db, &*state.clock, state.outbox(), &actor, id, &body).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// The approval policy: finance thresholds, the largest batch, how long approvals last, reminders.
#[utoipa::path(get, path = "/approval-policy", tag = "change requests",
    responses((status = 200, body = ApprovalPolicy, headers(("ETag" = String, description = "The policy's version"))),
        (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse)))]
pub async fn get_approval_policy(State(state): State<AppState>, actor: Actor) -> AppResult<Tagged<ApprovalPolicy>> {
    let policy = change_requests::policy(&state.db, &actor).await?;
    Ok(Tagged(policy.version, policy))
}

/// Change the approval policy (admins). Send the version you loaded as `If-Match`: a stale one answers 409.
#[utoipa::path(put, path = "/approval-policy", tag = "change requests", request_body = ApprovalPolicy,
    params(("If-Match" = Option<String>, Header, description = "The version last read (ETag), e.g. \"3\"; without it the write is unconditional.")),
    responses((status = 200, body = ApprovalPolicy, headers(("ETag" = String, description = "The new version"))),
        (status = 400, body = ErrorResponse, description = "Malformed If-Match"),
        (status = 403, body = ErrorResponse),
        (status = 409, body = ErrorResponse, description = "The policy is at another version than If-Match"),
        (status = 422, body = ErrorResponse)))]
pub async fn update_approval_policy(
    State(state): State<AppState>,
    actor: Actor,
    IfMatch(expected): IfMatch,
    ApiJson(body): ApiJson<ApprovalPolicy>,
) -> AppResult<Tagged<ApprovalPolicy>> {
    let policy = change_requests::set_policy(&state.db, &*state.clock, &actor, &body, expected).await?;
    Ok(Tagged(policy.version, policy))
}
