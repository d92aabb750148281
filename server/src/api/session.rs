//! Log in, log out, who am I, first-run setup.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use seatwise_types::{ErrorResponse, LoginRequest, SessionInfo, SetupRequest, SignedOut, User};

use super::extract::ApiJson;
use crate::auth::{Actor, SESSION_COOKIE};
use crate::domain::login_guard::{client_address, DEVICE_COOKIE};
use crate::error::{AppError, AppResult};
use crate::service::accounts::{self, LoginClient};
use crate::state::AppState;

pub(crate) fn secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.settings.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

/// The session cookie: HttpOnly, SameSite=Lax (writes also need the CSRF header), Secure behind TLS.
pub(crate) fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token)).path("/").http_only(true).same_site(SameSite::Lax).secure(secure).build()
}

/// A device cookie lives long: it only exempts this client from lockouts caused elsewhere, it logs nobody in.
const DEVICE_COOKIE_DAYS: i64 = 365;

/// Log in with email and password; sets the session cookie and a device cookie. Failed attempts are limited per
/// account from unknown clients, per device cookie, and per client address (429 with `Retry-After`); when too
/// many passwords are being checked at once the answer is 503 with `Retry-After`.
#[utoipa::path(post, path = "/session", tag = "session", request_body = LoginRequest, security(()),
    responses((status = 200, body = SessionInfo), (status = 401, body = ErrorResponse, description = "Wrong email or password"),
        (status = 429, body = ErrorResponse), (status = 503, body = ErrorResponse)))]
pub async fn login(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    jar: CookieJar,
    ApiJson(body): ApiJson<LoginRequest>,
) -> AppResult<(CookieJar, Json<SessionInfo>)> {
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let address =
        client_address(peer.map(|Extension(ConnectInfo(a))| a.ip()), forwarded, &state.settings.trusted_proxies);
    let client = LoginClient { address, device_cookie: jar.get(DEVICE_COOKIE).map(|c| c.value()) };
    let session = accounts::login(&state.sign_in(), &body.email, &body.password, client).await?;
    let secure = secure(&state, &headers);
    let mut jar = jar.add(session_cookie(session.token, secure));
    if let Some(device) = session.device_cookie {
        // Sent back only to this endpoint: nothing else needs it.
        // Built from text: the cookie's `time`-typed Max-Age setter would need a dependency of its own.
        let text = format!("{DEVICE_COOKIE}={device}; Max-Age={}", DEVICE_COOKIE_DAYS * 86_400);
        let mut device = Cookie::parse(text).map_err(AppError::internal)?;
        device.set_path("/api/v1/session");
        device.set_http_only(true);
        device.set_same_site(SameSite::Lax);
        device.set_secure(secure);
        jar = jar.add(device);
    }
    Ok((jar, Json(session.info)))
}

/// Log out: ends the session and clears the cookie. A session begun through the identity provider also answers
/// where to send the browser so the provider ends its session (RP-initiated logout).
#[utoipa::path(delete, path = "/session", tag = "session",
    responses((status = 200, body = SignedOut), (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse)))]
pub async fn logout(
    State(state): State<AppState>,
    actor: Actor,
    jar: CookieJar,
) -> AppResult<(CookieJar, Json<SignedOut>)> {
    let id_token = accounts::logout(&state.db, &actor).await?;
    let provider_logout_url = match (&state.oidc, id_token) {
        (Some(oidc), Some(id_token)) => crate::service::oidc::logout_url(oidc, &id_token).await,
        _ => None,
    };
    Ok((jar.remove(Cookie::build(SESSION_COOKIE).path("/")), Json(SignedOut { provider_logout_url })))
}

/// The current user, roles, departments in scope and the CSRF token.
#[utoipa::path(get, path = "/me", tag = "session",
    responses((status = 200, body = SessionInfo), (status = 401, body = ErrorResponse)))]
pub async fn me(State(state): State<AppState>, actor: Actor) -> AppResult<Json<SessionInfo>> {
    Ok(Json(accounts::me(&state.db, actor).await?))
}

/// Create the first admin with the one-time token the server printed at first start.
#[utoipa::path(post, path = "/setup", tag = "session", request_body = SetupRequest, security(()),
    responses((status = 201, body = User), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn setup(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SetupRequest>,
) -> AppResult<(StatusCode, Json<User>)> {
    Ok((StatusCode::CREATED, Json(accounts::setup(&state.db, &*state.clock, &state.hasher, &body).await?)))
}
