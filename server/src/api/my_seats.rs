//! My seats: what the signed-in person holds, giving a seat back, and asking for one.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use seatwise_types::{Case, ErrorResponse, MyRequest, MySeat, RequestablePool, SeatAsk};

use super::extract::{ApiJson, ApiPath};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::service::reclamation::given_back;
use crate::service::{my_requests, my_seats};
use crate::state::AppState;

/// The seats the signed-in person holds, with when each was last used (as a usage source reports it; none when no
/// source reports on it) and what each costs. 403 when the login is not a person of the directory.
#[utoipa::path(get, path = "/my/seats", tag = "people",
    responses((status = 200, body = Vec<MySeat>), (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse)))]
pub async fn my_seats(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Vec<MySeat>>> {
    Ok(Json(my_seats::list(&state.db, &actor).await?))
}

/// Give back a seat the signed-in person holds: it is freed at once (a reclamation case of origin `holder` with
/// its savings entry; no approval), or waits in `awaiting_revocation` while a legal hold or a blackout defers it.
/// An admin can restore it within the restore window. Another's seat is not found.
#[utoipa::path(post, path = "/my/seats/{assignment_id}/release", tag = "people",
    params(("assignment_id" = i64, Path)),
    responses((status = 200, body = Case), (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse)))]
pub async fn release_seat(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(assignment_id): ApiPath<i64>,
) -> AppResult<Json<Case>> {
    Ok(Json(given_back::give_back(&state.db, &*state.clock, &actor, assignment_id).await?))
}

/// The licenses one may ask for: every pool in use but those one holds, with its vendor and what a seat costs a
/// month.
#[utoipa::path(get, path = "/my/catalog", tag = "people",
    responses((status = 200, body = Vec<RequestablePool>), (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse)))]
pub async fn catalog(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Vec<RequestablePool>>> {
    Ok(Json(my_requests::offered(&state.db, &actor).await?))
}

/// The seats the signed-in person asked for, newest first, with where each request stands.
#[utoipa::path(get, path = "/my/requests", tag = "people",
    responses((status = 200, body = Vec<MyRequest>), (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse)))]
pub async fn my_requests(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Vec<MyRequest>>> {
    Ok(Json(my_requests::list(&state.db, &actor).await?))
}

/// Ask for a seat of a pool, saying why: it becomes a one-row change request in the approval queue (requested by
/// the person, so someone else signs it off), and the pool's owners are told. 409 when one holds a seat of it
/// already or an earlier ask for it still waits; 422 for a missing reason or a pool that cannot take the seat.
#[utoipa::path(post, path = "/my/requests", tag = "people", request_body = SeatAsk,
    responses((status = 201, body = MyRequest), (status = 400, body = ErrorResponse),
        (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 415, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn ask(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<SeatAsk>,
) -> AppResult<(StatusCode, Json<MyRequest>)> {
    let made = my_requests::ask(&state.db, &*state.clock, state.outbox(), &actor, &body).await?;
    Ok((StatusCode::CREATED, Json(made)))
}
