//! Sign-in through the identity provider: how people may sign in, leaving for the provider and coming back, and
//! the group → role mapping admins keep.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use seatwise_types::{ErrorResponse, GroupRoleMapping, PasswordLogin, SignInOptions, SignInProvider};

use super::extract::ApiJson;
use super::session::{secure, session_cookie};
use crate::auth::Actor;
use crate::domain::sign_in::Refusal;
use crate::error::AppResult;
use crate::service::oidc::{self, Callback};
use crate::state::AppState;

/// The cookie that ties a sign-in to the browser that started it, sent only below this path.
const BROWSER_COOKIE: &str = "seatwise_oidc";
const COOKIE_PATH: &str = "/api/v1/auth/oidc";
const LOGIN_URL: &str = "/api/v1/auth/oidc/login";

/// The identity providers the login page offers (none, or the one configured).
#[utoipa::path(get, path = "/auth/providers", tag = "session", security(()),
    responses((status = 200, body = Vec<SignInProvider>)))]
pub async fn providers(State(state): State<AppState>) -> Json<Vec<SignInProvider>> {
    Json(
        state
            .oidc
            .iter()
            .map(|o| SignInProvider { id: "oidc".into(), name: o.config.name.clone(), login_url: LOGIN_URL.into() })
            .collect(),
    )
}

/// Who may sign in with a password (no session needed): `all`, or `admins` when everyone else signs in through
/// the provider.
#[utoipa::path(get, path = "/session/options", tag = "session", security(()),
    responses((status = 200, body = SignInOptions)))]
pub async fn sign_in_options(State(state): State<AppState>) -> Json<SignInOptions> {
    Json(SignInOptions {
        password_login: if state.settings.passwords_for_admins_only {
            PasswordLogin::Admins
        } else {
            PasswordLogin::All
        },
    })
}

/// 302 Found to `to` (the answer CONVENTIONS fixes for both legs of the sign-in).
fn found(jar: CookieJar, to: &str) -> Response {
    let location = header::HeaderValue::from_str(to).unwrap_or(header::HeaderValue::from_static("/login"));
    (StatusCode::FOUND, jar, [(header::LOCATION, location)]).into_response()
}

/// Where a refused sign-in leaves the browser: the login page, saying why.
fn refused(jar: CookieJar, r: Refusal) -> Response {
    let jar = jar.remove(Cookie::build(BROWSER_COOKIE).path(COOKIE_PATH));
    found(jar, &format!("/login?sign_in_error={}", r.code()))
}

/// Leave for the identity provider (302 to its authorization endpoint, with PKCE, state and nonce).
#[utoipa::path(get, path = "/auth/oidc/login", tag = "session", security(()),
    responses((status = 302, description = "To the identity provider, or back to /login?sign_in_error= when it cannot be reached or none is configured")))]
pub async fn start_sign_in(State(state): State<AppState>, headers: HeaderMap, jar: CookieJar) -> Response {
    let Some(provider) = state.oidc.clone() else { return refused(jar, Refusal::NotConfigured) };
    match oidc::start(&provider, &state.db, &*state.clock).await {
        Ok(started) => {
            let text =
                format!("{BROWSER_COOKIE}={}; Max-Age={}", started.browser, crate::domain::sign_in::LOGIN_MINUTES * 60);
            let Ok(mut cookie) = Cookie::parse(text) else { return refused(jar, Refusal::Unavailable) };
            cookie.set_path(COOKIE_PATH);
            cookie.set_http_only(true);
            // Lax: the provider sends the browser back with a top-level GET, which carries Lax cookies.
            cookie.set_same_site(SameSite::Lax);
            cookie.set_secure(secure(&state, &headers));
            found(jar.add(cookie), &started.url)
        }
        Err(r) => refused(jar, r),
    }
}

/// Come back from the identity provider: on success a session cookie and 302 to the console; otherwise 302 to
/// `/login?sign_in_error=<code>` (state missing, used or from another browser; token not verified; person
/// deactivated; ...). Nothing of the code or tokens is logged or shown.
#[utoipa::path(get, path = "/auth/oidc/callback", tag = "session", security(()), params(Callback),
    responses((status = 302, description = "To the console signed in, or to /login?sign_in_error=<code>")))]
pub async fn finish_sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    Query(callback): Query<Callback>,
) -> Response {
    let Some(provider) = state.oidc.clone() else { return refused(jar, Refusal::NotConfigured) };
    let browser = jar.get(BROWSER_COOKIE).map(|c| c.value().to_string());
    let done =
        oidc::finish(&provider, &state.db, &*state.clock, state.settings.session_hours, &callback, browser.as_deref())
            .await;
    match done {
        Ok((token, _)) => {
            let jar = jar
                .remove(Cookie::build(BROWSER_COOKIE).path(COOKIE_PATH))
                .add(session_cookie(token, secure(&state, &headers)));
            let mut response = found(jar, "/");
            // The callback URL carries the code: never keep it in a history or a proxy's cache.
            response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
            response
        }
        Err(r) => refused(jar, r),
    }
}

/// The provider's groups and the roles they give on every sign-in (admins).
#[utoipa::path(get, path = "/settings/sign-in-groups", tag = "users",
    responses((status = 200, body = Vec<GroupRoleMapping>), (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse)))]
pub async fn get_group_roles(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Vec<GroupRoleMapping>>> {
    Ok(Json(oidc::group_roles(&state.db, &actor).await?))
}

/// Replace the group → role mapping (admins); with none, roles stay as admins give them.
#[utoipa::path(put, path = "/settings/sign-in-groups", tag = "users", request_body = Vec<GroupRoleMapping>,
    responses((status = 200, body = Vec<GroupRoleMapping>), (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn set_group_roles(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(rows): ApiJson<Vec<GroupRoleMapping>>,
) -> AppResult<(StatusCode, Json<Vec<GroupRoleMapping>>)> {
    Ok((StatusCode::OK, Json(oidc::set_group_roles(&state.db, &*state.clock, &actor, &rows).await?)))
}
