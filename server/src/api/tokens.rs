//! Personal API tokens and SCIM tokens.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use seatwise_types::{ErrorResponse, ScimTokenInfo, TokenCreate, TokenCreated, TokenInfo};

use super::extract::{ApiJson, ApiPath};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::service::accounts;
use crate::state::AppState;

/// Create a personal API token; the secret is in this response only.
#[utoipa::path(post, path = "/tokens", tag = "tokens", request_body = TokenCreate,
    responses((status = 201, body = TokenCreated), (status = 401, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_token(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<TokenCreate>,
) -> AppResult<(StatusCode, Json<TokenCreated>)> {
    Ok((StatusCode::CREATED, Json(accounts::create_token(&state.db, &*state.clock, &actor, &body.name).await?)))
}

/// Your live personal API tokens.
#[utoipa::path(get, path = "/tokens", tag = "tokens",
    responses((status = 200, body = Vec<TokenInfo>), (status = 401, body = ErrorResponse)))]
pub async fn list_tokens(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Vec<TokenInfo>>> {
    Ok(Json(accounts::list_tokens(&state.db, &actor).await?))
}

/// Revoke one of your personal API tokens.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "tokens", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorResponse)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    accounts::revoke_token(&state.db, &*state.clock, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Create a SCIM token for an identity provider (admin).
#[utoipa::path(post, path = "/scim/tokens", tag = "tokens", request_body = TokenCreate,
    responses((status = 201, body = TokenCreated), (status = 403, body = ErrorResponse)))]
pub async fn create_scim_token(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<TokenCreate>,
) -> AppResult<(StatusCode, Json<TokenCreated>)> {
    Ok((StatusCode::CREATED, Json(accounts::create_scim_token(&state.db, &*state.clock, &actor, &body.name).await?)))
}

/// Every live SCIM token, whoever created it, with when it was last used (admin).
#[utoipa::path(get, path = "/scim/tokens", tag = "tokens",
    responses((status = 200, body = Vec<ScimTokenInfo>), (status = 403, body = ErrorResponse)))]
pub async fn list_scim_tokens(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Vec<ScimTokenInfo>>> {
    Ok(Json(accounts::list_scim_tokens(&state.db, &actor).await?))
}

/// Revoke any SCIM token (admin).
#[utoipa::path(delete, path = "/scim/tokens/{id}", tag = "tokens", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn revoke_scim_token(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    accounts::revoke_scim_token(&state.db, &*state.clock, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
