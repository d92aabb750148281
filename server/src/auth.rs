//! Who is calling: a cookie session (with CSRF protection on writes) or a Bearer API token.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum_extra::extract::CookieJar;
use chrono::{DateTime, Utc};
use seatwise_types::User;

use crate::db::{sessions, users};
use crate::domain::secret::{constant_time_eq, sha256_hex};
use crate::error::AppError;
use crate::state::AppState;

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

/// When each token last had its use written. A request never waits for that write: the write lock may be held for
/// seconds (an import being applied), and a read must not. Writes are coalesced to one a minute per token.
#[derive(Clone, Default)]
pub struct TokenUse(Arc<Mutex<HashMap<i64, DateTime<Utc>>>>);

impl TokenUse {
    pub fn record(&self, state: &AppState, id: i64, now: DateTime<Utc>) {
        let due = match self.0.lock() {
            Ok(mut written) => {
                let due = written.get(&id).is_none_or(|t| now - *t >= chrono::Duration::minutes(1) || now < *t);
                if due {
                    written.insert(id, now);
                }
                due
            }
            Err(_) => false,
        };
        if due {
            let db = state.db.write.clone();
            // Detached: the request goes on; the SQL itself only moves last_used_at forward.
            tokio::spawn(async move {
                if let Err(e) = sessions::touch_token(&db, id, now).await {
                    tracing::warn!(token_id = id, error = %e, "could not record token use");
                }
            });
        }
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let now = state.clock.now();
        if let Some(token) = bearer(parts) {
            let row = sessions::find_token(&state.db.read, sessions::TokenKind::Personal, &sha256_hex(token))
                .await?
                .ok_or(AppError::Unauthenticated)?;
            let user_id = row.user_id.ok_or(AppError::Unauthenticated)?;
            let user = users::load(&state.db.read, user_id).await?.ok_or(AppError::Unauthenticated)?;
            state.token_use.record(state, row.id, now);
            return Ok(Actor { user, via: Via::Token });
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let cookie = jar.get(SESSION_COOKIE).ok_or(AppError::Unauthenticated)?;
        let token_hash = sha256_hex(cookie.value());
        let session = sessions::find(&state.db.read, &token_hash, now).await?.ok_or(AppError::Unauthenticated)?;
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
            if !constant_time_eq(sent, &session.csrf_token) {
                return Err(AppError::Csrf);
            }
        }
        let user = users::load(&state.db.read, session.user_id).await?.ok_or(AppError::Unauthenticated)?;
        Ok(Actor { user, via: Via::Session { token_hash, csrf_token: session.csrf_token } })
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

impl FromRequestParts<AppState> for ScimClient {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or(AppError::Unauthenticated)?;
        let row = sessions::find_token(&state.db.read, sessions::TokenKind::Scim, &sha256_hex(token))
            .await?
            .ok_or(AppError::Unauthenticated)?;
        state.token_use.record(state, row.id, state.clock.now());
        Ok(ScimClient { token_id: row.id })
    }
}
