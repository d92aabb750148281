//! Log in, log out, who am I, first-run setup.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use seatwise_types::{ErrorResponse, LoginRequest, SessionInfo, SetupRequest, User};

use super::extract::ApiJson;
use crate::auth::{Actor, SESSION_COOKIE};
use crate::error::AppResult;
use crate::service::accounts;
use crate::state::AppState;

fn secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.settings.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

/// Log in with email and password; sets the session cookie.
#[utoipa::path(post, path = "/session", tag = "session", request_body = LoginRequest,
    responses((status = 200, body = SessionInfo), (status = 401, body = ErrorResponse), (status = 429, body = ErrorResponse)))]
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    ApiJson(body): ApiJson<LoginRequest>,
) -> AppResult<(CookieJar, Json<SessionInfo>)> {
    let session = accounts::login(&state, &body.email, &body.password).await?;
    let cookie = Cookie::build((SESSION_COOKIE, session.token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure(&state, &headers))
        .build();
    Ok((jar.add(cookie), Json(session.info)))
}

/// Log out: ends the session and clears the cookie.
#[utoipa::path(delete, path = "/session", tag = "session",
    responses((status = 204), (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse)))]
pub async fn logout(State(state): State<AppState>, actor: Actor, jar: CookieJar) -> AppResult<(CookieJar, StatusCode)> {
    accounts::logout(&state, &actor).await?;
    Ok((jar.remove(Cookie::build(SESSION_COOKIE).path("/")), StatusCode::NO_CONTENT))
}

/// The current user, roles, departments in scope and the CSRF token.
#[utoipa::path(get, path = "/me", tag = "session",
    responses((status = 200, body = SessionInfo), (status = 401, body = ErrorResponse)))]
pub async fn me(State(state): State<AppState>, actor: Actor) -> AppResult<Json<SessionInfo>> {
    Ok(Json(accounts::me(&state, actor).await?))
}

/// Create the first admin with the one-time token the server printed at first start.
#[utoipa::path(post, path = "/setup", tag = "session", request_body = SetupRequest,
    responses((status = 201, body = User), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn setup(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SetupRequest>,
) -> AppResult<(StatusCode, Json<User>)> {
    Ok((StatusCode::CREATED, Json(accounts::setup(&state, &body).await?)))
}
