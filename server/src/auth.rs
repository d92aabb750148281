//! Who is calling: a cookie session (with CSRF protection on writes) or a Bearer API token.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum_extra::extract::CookieJar;
use seatwise_types::User;

use crate::clock::SharedClock;
use crate::db::Db;
use crate::domain::secret::{constant_time_eq, sha256_hex};
use crate::error::AppError;
use crate::service::credentials::{self, TokenUse};

pub const SESSION_COOKIE: &str = "seatwise_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

#[derive(Debug, Clone)]
pub enum Via {
    /// Cookie session: the hash of its secret and the CSRF token writes must echo.
    Session {
        token_hash: String,
        csrf_token: String,
    },
    Token,
}

#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
    pub via: Via,
}

impl Actor {
    /// The name written into the ledger.
    pub fn ledger_name(&self) -> &str {
        &self.user.email
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

/// What telling callers apart needs from the application: the database, the clock and the token-use recorder.
struct Needs {
    db: Db,
    clock: SharedClock,
    token_use: TokenUse,
}

impl Needs {
    fn of<S>(state: &S) -> Self
    where
        Db: FromRef<S>,
        SharedClock: FromRef<S>,
        TokenUse: FromRef<S>,
    {
        Needs { db: Db::from_ref(state), clock: SharedClock::from_ref(state), token_use: TokenUse::from_ref(state) }
    }
}

impl<S> FromRequestParts<S> for Actor
where
    S: Send + Sync,
    Db: FromRef<S>,
    SharedClock: FromRef<S>,
    TokenUse: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = Needs::of(state);
        let now = state.clock.now();
        if let Some(token) = bearer(parts) {
            let (id, user) = credentials::token_holder(&state.db, token).await?.ok_or(AppError::Unauthenticated)?;
            state.token_use.record(&state.db, id, now);
            return Ok(Actor { user, via: Via::Token });
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let cookie = jar.get(SESSION_COOKIE).ok_or(AppError::Unauthenticated)?;
        let token_hash = sha256_hex(cookie.value());
        let session =
            credentials::session_holder(&state.db, &token_hash, now).await?.ok_or(AppError::Unauthenticated)?;
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
            if !constant_time_eq(sent, &session.csrf_token) {
                return Err(AppError::Csrf);
            }
        }
        Ok(Actor { user: session.user, via: Via::Session { token_hash, csrf_token: session.csrf_token } })
    }
}

/// An identity provider calling `/scim/v2` with a SCIM token an admin created.
#[derive(Debug, Clone)]
pub struct ScimClient {
    pub token_id: i64,
}

impl ScimClient {
    /// The name written into the ledger.
    pub fn ledger_name(&self) -> String {
        format!("scim:token-{}", self.token_id)
    }
}

impl<S> FromRequestParts<S> for ScimClient
where
    S: Send + Sync,
    Db: FromRef<S>,
    SharedClock: FromRef<S>,
    TokenUse: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = Needs::of(state);
        let token = bearer(parts).ok_or(AppError::Unauthenticated)?;
        let token_id = credentials::scim_token(&state.db, token).await?.ok_or(AppError::Unauthenticated)?;
        state.token_use.record(&state.db, token_id, state.clock.now());
        Ok(ScimClient { token_id })
    }
}
