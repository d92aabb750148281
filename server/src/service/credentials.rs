//! Who a request comes from: the user behind a session cookie or a personal API token, the SCIM token an identity
//! provider sends, and when tokens were last used.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use seatwise_types::User;

use crate::db::sessions::{self, TokenKind};
use crate::db::{users, Db};
use crate::domain::secret::sha256_hex;
use crate::error::AppResult;

/// A live cookie session: its user and the CSRF token writes must echo.
pub struct SessionHolder {
    pub user: User,
    pub csrf_token: String,
}

/// The user of the live session whose secret hashes to `token_hash`.
pub async fn session_holder(db: &Db, token_hash: &str, now: DateTime<Utc>) -> AppResult<Option<SessionHolder>> {
    let Some(session) = sessions::find(&db.read, token_hash, now).await? else {
        return Ok(None);
    };
    let user = users::load(&db.read, session.user_id).await?;
    Ok(user.map(|user| SessionHolder { user, csrf_token: session.csrf_token }))
}

/// The user a live personal API token belongs to, with the token's id.
pub async fn token_holder(db: &Db, token: &str) -> AppResult<Option<(i64, User)>> {
    Ok(sessions::find_token_holder(&db.read, db.backend, TokenKind::Personal, &sha256_hex(token)).await?)
}

/// The id of a live SCIM token.
pub async fn scim_token(db: &Db, token: &str) -> AppResult<Option<i64>> {
    Ok(sessions::find_token(&db.read, TokenKind::Scim, &sha256_hex(token)).await?.map(|row| row.id))
}

/// When each token last had its use written. A request never waits for that write: the write lock may be held for
/// seconds (an import being applied), and a read must not. Writes are coalesced to one a minute per token.
#[derive(Clone, Default)]
pub struct TokenUse(Arc<Mutex<HashMap<i64, DateTime<Utc>>>>);

impl TokenUse {
    pub fn record(&self, db: &Db, id: i64, now: DateTime<Utc>) {
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
            let write = db.write.clone();
            // Detached: the request goes on; the SQL itself only moves last_used_at forward.
            tokio::spawn(async move {
                if let Err(e) = sessions::touch_token(&write, id, now).await {
                    tracing::warn!(token_id = id, error = %e, "could not record token use");
                }
            });
        }
    }
}
