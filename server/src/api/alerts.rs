//! The renewal alerts inbox.

use axum::extract::State;
use axum::Json;
use seatwise_types::{
    Alert, AlertCounts, AlertDetail, AlertQuery, AssignInput, DecisionInput, ErrorResponse, Page, SnoozeInput,
};

use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::service::alerts;
use crate::state::AppState;

/// Alerts on contracts in your scope, soonest date first.
#[utoipa::path(get, path = "/alerts", tag = "renewals", params(AlertQuery),
    responses((status = 200, body = Page<Alert>), (status = 401, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn list_alerts(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(params): ApiQuery<AlertQuery>,
) -> AppResult<Json<Page<Alert>>> {
    Ok(Json(alerts::list(&state.db, &*state.clock, &actor, &params).await?))
}

/// How many alerts need action (all in scope, and mine).
#[utoipa::path(get, path = "/alerts/counts", tag = "renewals",
    responses((status = 200, body = AlertCounts), (status = 401, body = ErrorResponse)))]
pub async fn alert_counts(State(state): State<AppState>, actor: Actor) -> AppResult<Json<AlertCounts>> {
    Ok(Json(alerts::counts(&state.db, &*state.clock, &actor).await?))
}

/// An alert with its contract, the usage figures a decision needs, and who it can be assigned to.
#[utoipa::path(get, path = "/alerts/{id}", tag = "renewals", params(("id" = i64, Path)),
    responses((status = 200, body = AlertDetail), (status = 404, body = ErrorResponse)))]
pub async fn get_alert(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<AlertDetail>> {
    Ok(Json(alerts::detail(&state.db, &*state.clock, &actor, id).await?))
}

/// Acknowledge an alert (seen, working on it).
#[utoipa::path(post, path = "/alerts/{id}/acknowledge", tag = "renewals", params(("id" = i64, Path)),
    responses((status = 200, body = Alert), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse)))]
pub async fn acknowledge_alert(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Alert>> {
    Ok(Json(alerts::acknowledge(&state.db, &*state.clock, &actor, id).await?))
}

/// Hide an alert from the inbox until a date (no later than the date that matters).
#[utoipa::path(post, path = "/alerts/{id}/snooze", tag = "renewals", params(("id" = i64, Path)), request_body = SnoozeInput,
    responses((status = 200, body = Alert), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn snooze_alert(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<SnoozeInput>,
) -> AppResult<Json<Alert>> {
    Ok(Json(alerts::snooze(&state.db, &*state.clock, &actor, id, &body).await?))
}

/// Assign an alert to an admin or an owner of the contract's departments (or unassign it).
#[utoipa::path(post, path = "/alerts/{id}/assign", tag = "renewals", params(("id" = i64, Path)), request_body = AssignInput,
    responses((status = 200, body = Alert), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn assign_alert(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<AssignInput>,
) -> AppResult<Json<Alert>> {
    Ok(Json(alerts::assign(&state.db, &*state.clock, state.outbox(), &actor, id, &body).await?))
}

/// Record the renewal decision for the alert's contract.
#[utoipa::path(post, path = "/alerts/{id}/decision", tag = "renewals", params(("id" = i64, Path)), request_body = DecisionInput,
    responses((status = 200, body = AlertDetail), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn decide_alert(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DecisionInput>,
) -> AppResult<Json<AlertDetail>> {
    Ok(Json(alerts::decide(&state.db, &*state.clock, state.outbox(), &actor, id, &body).await?))
}
