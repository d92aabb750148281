//! My seats: what the signed-in person holds, and giving a seat back.

use axum::extract::State;
use axum::Json;
use seatwise_types::{Case, ErrorResponse, MySeat};

use super::extract::ApiPath;
use crate::auth::Actor;
use crate::error::AppResult;
use crate::service::my_seats;
use crate::service::reclamation::given_back;
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
