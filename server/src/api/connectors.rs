//! Connectors: where seat decisions are pushed (admins). Credentials are write-only.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use seatwise_types::{
    Connector, ConnectorInput, ConnectorTest, ErrorResponse, Page, PageQuery, Reconciliation, SeatAction,
    SeatActionQuery,
};

use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::service::connectors::{self, check as connector_check};
use crate::state::AppState;

/// Every connector, with the pools it acts on; credentials are only said to be set.
#[utoipa::path(get, path = "/connectors", tag = "connectors",
    responses((status = 200, body = Page<Connector>), (status = 403, body = ErrorResponse)))]
pub async fn list_connectors(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Page<Connector>>> {
    Ok(Json(connectors::list(&state.db, &actor).await?))
}

/// Register a connector: SCIM (`{"bearer_token"}`), Microsoft Graph (`{"tenant_id","client_id","client_secret"}`),
/// Okta (`{"api_token"}`) or manual (none). The credentials are sealed with the server's credentials key and never
/// returned; without a key configured they are refused (409).
#[utoipa::path(post, path = "/connectors", tag = "connectors", request_body = ConnectorInput,
    responses((status = 201, body = Connector), (status = 403, body = ErrorResponse), (status = 409, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn create_connector(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<ConnectorInput>,
) -> AppResult<(StatusCode, Json<Connector>)> {
    let key = state.settings.credentials_key.as_ref();
    let made = connectors::create(&state.db, &*state.clock, key, &actor, &body).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// Replace a connector's settings: name, address, removal, dry run, pools and their groups. Its kind stays;
/// credentials left out keep the stored ones (given, they are sealed again and never returned). Send the version
/// last read as `If-Match` to refuse (409) a write over someone else's.
#[utoipa::path(put, path = "/connectors/{id}", tag = "connectors",
    params(("id" = i64, Path),
        ("If-Match" = Option<String>, Header, description = "The connector's version last read, e.g. \"3\"")),
    request_body = ConnectorInput,
    responses((status = 200, body = Connector), (status = 400, body = ErrorResponse), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn update_connector(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    super::versioning::IfMatch(expected): super::versioning::IfMatch,
    ApiJson(body): ApiJson<ConnectorInput>,
) -> AppResult<Json<Connector>> {
    let key = state.settings.credentials_key.as_ref();
    Ok(Json(connectors::update(&state.db, &*state.clock, key, &actor, id, expected, &body).await?))
}

/// Remove a connector: its pools are free for another connector; its actions and reconciliations stay in the
/// record. Refused (409) while any of its actions is on its way or waiting for a person.
#[utoipa::path(delete, path = "/connectors/{id}", tag = "connectors", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse)))]
pub async fn remove_connector(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    connectors::remove(&state.db, &*state.clock, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/connectors/{id}", tag = "connectors", params(("id" = i64, Path)),
    responses((status = 200, body = Connector), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn get_connector(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Connector>> {
    Ok(Json(connectors::get(&state.db, &actor, id).await?))
}

/// Test a connector against its target: what works (reaching it, PATCH for deactivation, filtering to find an
/// account, reading users with its token; Graph: its sign-in and licenses; Okta: each pool's group) and what is
/// missing, in words. Changes nothing there. A manual connector has nothing to test (409).
#[utoipa::path(post, path = "/connectors/{id}/test", tag = "connectors", params(("id" = i64, Path)),
    responses((status = 200, body = ConnectorTest), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse)))]
pub async fn test_connector(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<ConnectorTest>> {
    let key = state.settings.credentials_key.as_ref();
    Ok(Json(connector_check::test(&state.db, key, &actor, id).await?))
}

/// The connector's seat actions, newest first: each seat removed or given back in its pools, and where it stands
/// in the target (`pending`, `sent`, `confirmed`, `failed` with its last error and next attempt, or `manual`: a
/// task for a person).
#[utoipa::path(get, path = "/connectors/{id}/actions", tag = "connectors", params(("id" = i64, Path), SeatActionQuery),
    responses((status = 200, body = Page<SeatAction>), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn list_seat_actions(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<SeatActionQuery>,
) -> AppResult<Json<Page<SeatAction>>> {
    Ok(Json(connectors::actions::list(&state.db, &actor, id, &q).await?))
}

/// The seat tasks waiting for this user: changes a connector leaves to a person (a manual connector's, a dry run's,
/// or what a target refused), in the pools they run (every pool for admins), oldest first. Each is marked done
/// through its connector's `actions/{action_id}/done`.
#[utoipa::path(get, path = "/tasks", tag = "connectors", params(PageQuery),
    responses((status = 200, body = Page<SeatAction>), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn list_tasks(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Page<SeatAction>>> {
    Ok(Json(connectors::actions::tasks(&state.db, &actor, &q).await?))
}

/// Mark a manual action done (a person did it in the target): it is confirmed, by them, and a case waiting for
/// the removal closes. Only an action in `manual` (409 otherwise).
#[utoipa::path(post, path = "/connectors/{id}/actions/{action_id}/done", tag = "connectors",
    params(("id" = i64, Path), ("action_id" = i64, Path)),
    responses((status = 200, body = SeatAction), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse)))]
pub async fn seat_action_done(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((id, action_id)): ApiPath<(i64, i64)>,
) -> AppResult<Json<SeatAction>> {
    Ok(Json(connectors::actions::done(&state.db, &*state.clock, &actor, id, action_id).await?))
}

/// Reconcile now: read every account of the target and compare with the seats in the connector's pools. The
/// report (kept, and in the ledger by its counts) lists seats missing in the target, active accounts Seatwise
/// knows no seat for (with the person of the directory, when one has the address), and the matched count: SCIM
/// accounts, Microsoft Graph license assignments, Okta group members. A manual connector has no target (409), and
/// a target that cannot be read is a 409 saying why.
#[utoipa::path(post, path = "/connectors/{id}/reconcile", tag = "connectors", params(("id" = i64, Path)),
    responses((status = 200, body = Reconciliation), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse)))]
pub async fn reconcile_connector(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Reconciliation>> {
    let key = state.settings.credentials_key.as_ref();
    Ok(Json(connectors::reconcile::reconcile(&state.db, &*state.clock, key, &actor, id).await?))
}

/// The connector's latest reconciliation (on demand or nightly); 404 before its first.
#[utoipa::path(get, path = "/connectors/{id}/reconciliation", tag = "connectors", params(("id" = i64, Path)),
    responses((status = 200, body = Reconciliation), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn last_reconciliation(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Reconciliation>> {
    Ok(Json(connectors::reconcile::last(&state.db, &actor, id).await?))
}
