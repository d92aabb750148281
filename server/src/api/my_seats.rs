//! My seats: what the signed-in person holds.

use axum::extract::State;
use axum::Json;
use seatwise_types::{ErrorResponse, MySeat};

use crate::auth::Actor;
use crate::error::AppResult;
use crate::service::my_seats;
use crate::state::AppState;

/// The seats the signed-in person holds, with when each was last used (as a usage source reports it; none when no
/// source reports on it) and what each costs. 403 when the login is not a person of the directory.
#[utoipa::path(get, path = "/my/seats", tag = "people",
    responses((status = 200, body = Vec<MySeat>), (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse)))]
pub async fn my_seats(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Vec<MySeat>>> {
    Ok(Json(my_seats::list(&state.db, &actor).await?))
}
