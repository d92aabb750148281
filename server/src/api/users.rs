//! User accounts and roles (admin only).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use seatwise_types::{ErrorResponse, User, UserCreate, UserRolesUpdate};

use super::extract::{ApiJson, ApiPath};
use super::versioning::{IfMatch, Tagged};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::service::accounts;
use crate::state::AppState;

/// All user accounts.
#[utoipa::path(get, path = "/users", tag = "users",
    responses((status = 200, body = Vec<User>), (status = 403, body = ErrorResponse)))]
pub async fn list_users(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Vec<User>>> {
    Ok(Json(accounts::list_users(&state.db, &actor).await?))
}

/// Create a user with roles.
#[utoipa::path(post, path = "/users", tag = "users", request_body = UserCreate,
    responses((status = 201, body = User), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_user(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<UserCreate>,
) -> AppResult<(StatusCode, Json<User>)> {
    Ok((
        StatusCode::CREATED,
        Json(accounts::create_user(&state.db, &*state.clock, &state.hasher, &actor, &body).await?),
    ))
}

/// Replace a user's roles and department scope. Send the user's `version` as `If-Match`: a stale version answers
/// 409 and changes nothing.
#[utoipa::path(put, path = "/users/{id}/roles", tag = "users", request_body = UserRolesUpdate,
    params(("id" = i64, Path),
        ("If-Match" = Option<String>, Header, description = "The version last read, e.g. \"3\"; without it the write is unconditional.")),
    responses((status = 200, body = User, headers(("ETag" = String, description = "The new version"))),
        (status = 400, body = ErrorResponse, description = "Malformed If-Match"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse, description = "The user is at another version than If-Match")))]
pub async fn update_roles(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(body): ApiJson<UserRolesUpdate>,
) -> AppResult<Tagged<User>> {
    let user = accounts::update_roles(&state.db, &*state.clock, &actor, id, &body, expected).await?;
    Ok(Tagged(user.version, user))
}
