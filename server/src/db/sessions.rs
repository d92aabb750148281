//! Cookie sessions, API tokens and first-run setup tokens. Only SHA-256 hashes of secrets are stored.

use chrono::{DateTime, Utc};
use seatwise_types::{ScimTokenInfo, TokenInfo, User};
use sqlx::any::AnyRow;
use sqlx::AnyPool;

use super::decode::Cols;
use super::users;
use crate::clock::to_db;

pub struct SessionRow {
    pub user_id: i64,
    pub csrf_token: String,
}

/// A new session; `id_token` when it began through the identity provider (its logout's hint).
pub async fn insert(
    db: &AnyPool,
    token_hash: &str,
    user_id: i64,
    csrf_token: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    id_token: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, id_token) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(csrf_token)
    .bind(to_db(now))
    .bind(to_db(expires_at))
    .bind(id_token)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn find(db: &AnyPool, token_hash: &str, now: DateTime<Utc>) -> Result<Option<SessionRow>, sqlx::Error> {
    // A session ends when the person its user is leaves (HR) or is deactivated (SCIM): checked here, on every
    // request, so no path that changes a person's status has to remember the sessions.
    let row = sqlx::query(
        "SELECT s.user_id, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id \
         LEFT JOIN people pe ON pe.id = u.person_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND (pe.status IS NULL OR pe.status <> 'terminated')",
    )
    .bind(token_hash)
    .bind(to_db(now))
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        let c = Cols::new(&r, "sessions");
        Ok(SessionRow { user_id: c.i64("user_id")?, csrf_token: c.text("csrf_token")? })
    })
    .transpose()
}

/// End a session; the ID token it began with, if it began through the identity provider.
pub async fn delete(db: &AnyPool, token_hash: &str) -> Result<Option<String>, sqlx::Error> {
    let id_token: Option<Option<String>> =
        sqlx::query_scalar("DELETE FROM sessions WHERE token_hash = $1 RETURNING id_token")
            .bind(token_hash)
            .fetch_optional(db)
            .await?;
    Ok(id_token.flatten())
}

pub async fn delete_expired(db: &AnyPool, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let r = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(to_db(now)).execute(db).await?;
    Ok(r.rows_affected())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Personal,
    Scim,
}

impl TokenKind {
    fn as_str(self) -> &'static str {
        match self {
            TokenKind::Personal => "personal",
            TokenKind::Scim => "scim",
        }
    }
}

pub struct TokenRow {
    pub id: i64,
    pub user_id: Option<i64>,
}

pub async fn insert_token(
    conn: &mut super::Conn,
    kind: TokenKind,
    user_id: i64,
    name: &str,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, kind, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user_id)
    .bind(kind.as_str())
    .bind(name)
    .bind(token_hash)
    .bind(to_db(now))
    .fetch_one(conn)
    .await
}

pub async fn find_token(db: &AnyPool, kind: TokenKind, token_hash: &str) -> Result<Option<TokenRow>, sqlx::Error> {
    let row =
        sqlx::query("SELECT id, user_id FROM api_tokens WHERE token_hash = $1 AND kind = $2 AND revoked_at IS NULL")
            .bind(token_hash)
            .bind(kind.as_str())
            .fetch_optional(db)
            .await?;
    row.map(|r| {
        let c = Cols::new(&r, "api_tokens");
        Ok(TokenRow { id: c.i64("id")?, user_id: c.opt_i64("user_id")? })
    })
    .transpose()
}

/// The live token of this kind whose secret hashes to `token_hash`, and the user it belongs to, in one statement
/// (every request with a token makes it).
pub async fn find_token_holder(
    db: &AnyPool,
    backend: super::Backend,
    kind: TokenKind,
    token_hash: &str,
) -> Result<Option<(i64, User)>, sqlx::Error> {
    let sql = format!(
        "SELECT t.id AS token_id, {} FROM api_tokens t JOIN users u ON u.id = t.user_id \
         LEFT JOIN people lp ON lp.id = u.person_id \
         WHERE t.token_hash = $1 AND t.kind = $2 AND t.revoked_at IS NULL \
           AND (lp.status IS NULL OR lp.status <> 'terminated')",
        users::user_columns(backend)
    );
    let row = sqlx::query(&sql).bind(token_hash).bind(kind.as_str()).fetch_optional(db).await?;
    row.map(|r| {
        let c = Cols::new(&r, "users");
        Ok((c.of("api_tokens").i64("token_id")?, users::user_from(&c)?))
    })
    .transpose()
}

/// Record use at most once a minute, so scripts hammering the API do not turn every read into a write.
pub async fn touch_token(db: &AnyPool, id: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
    )
    .bind(to_db(now))
    .bind(id)
    .bind(to_db(now - chrono::Duration::minutes(1)))
    .execute(db)
    .await?;
    Ok(())
}

fn token_from_row(r: &AnyRow) -> Result<TokenInfo, sqlx::Error> {
    let c = Cols::new(r, "api_tokens");
    Ok(TokenInfo {
        id: c.i64("id")?,
        name: c.text("name")?,
        created_at: c.timestamp("created_at")?,
        last_used_at: c.opt_timestamp("last_used_at")?,
    })
}

pub async fn list_tokens(db: &AnyPool, kind: TokenKind, user_id: i64) -> Result<Vec<TokenInfo>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, name, created_at, last_used_at FROM api_tokens \
         WHERE user_id = $1 AND kind = $2 AND revoked_at IS NULL ORDER BY id",
    )
    .bind(user_id)
    .bind(kind.as_str())
    .fetch_all(db)
    .await?;
    rows.iter().map(token_from_row).collect()
}

/// Every live SCIM token, whoever created it: they belong to the organisation.
pub async fn list_scim_tokens(db: &AnyPool) -> Result<Vec<ScimTokenInfo>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT t.id, t.name, u.email, t.created_at, t.last_used_at FROM api_tokens t \
         LEFT JOIN users u ON u.id = t.user_id WHERE t.kind = 'scim' AND t.revoked_at IS NULL ORDER BY t.id",
    )
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let t = token_from_row(r)?;
            let created_by = Cols::new(r, "users").opt_text("email")?;
            Ok(ScimTokenInfo {
                id: t.id,
                name: t.name,
                created_by,
                created_at: t.created_at,
                last_used_at: t.last_used_at,
            })
        })
        .collect()
}

/// Revoke a live SCIM token, whoever created it; false when there is none with this id.
pub async fn revoke_scim_token(conn: &mut super::Conn, id: i64, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND kind = 'scim' AND revoked_at IS NULL")
        .bind(to_db(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Revoke a token of this user; false when there is no such live token.
pub async fn revoke_token(
    conn: &mut super::Conn,
    kind: TokenKind,
    id: i64,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND kind = $4 AND revoked_at IS NULL",
    )
    .bind(to_db(now))
    .bind(id)
    .bind(user_id)
    .bind(kind.as_str())
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn insert_setup_token(db: &AnyPool, token_hash: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM setup_tokens").execute(db).await?;
    sqlx::query("INSERT INTO setup_tokens (token_hash, created_at) VALUES ($1, $2)")
        .bind(token_hash)
        .bind(to_db(now))
        .execute(db)
        .await?;
    Ok(())
}

/// Consume the setup token inside the transaction that creates the first admin.
pub async fn take_setup_token(conn: &mut super::Conn, token_hash: &str) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("DELETE FROM setup_tokens WHERE token_hash = $1").bind(token_hash).execute(conn).await?;
    Ok(r.rows_affected() == 1)
}
