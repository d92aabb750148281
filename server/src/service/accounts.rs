//! Logging in and out, first-run setup, users and roles, personal and SCIM API tokens.

use std::net::IpAddr;

use chrono::Duration;
use seatwise_types::{
    FieldError, Role, ScimTokenInfo, SessionInfo, SetupRequest, TokenCreated, TokenInfo, User, UserCreate,
    UserRolesUpdate,
};
use tokio::sync::OnceCell;

use crate::auth::{Actor, Via};
use crate::clock::Clock;
use crate::db::login_guard as guard_store;
use crate::db::sessions::{self, TokenKind};
use crate::db::versions::{Key, Versioned};
use crate::db::Db;
use crate::db::{catalog, users};
use crate::domain::access;
use crate::domain::limits;
use crate::domain::login_guard::{self as guard, Bucket, Limits};
use crate::domain::secret::{dummy_hash, password_problem, random_token, sha256_hex};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};
use crate::service::passwords::Hasher;
use crate::service::versions;

/// A new session: the cookie secret (only the client keeps it) and what the client needs to know.
pub struct NewSession {
    pub token: String,
    pub info: SessionInfo,
    /// A fresh device cookie for this account, so this client is not locked out by failures from elsewhere.
    pub device_cookie: Option<String>,
}

/// Who is trying to log in, as far as the server can tell.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoginClient<'a> {
    pub address: Option<IpAddr>,
    /// The device cookie it sent, unverified.
    pub device_cookie: Option<&'a str>,
}

/// What signing in takes: the database, the clock, the password hasher, the device-cookie key (read once from the
/// database, shared by every instance), the failure limits and how long a session lasts.
#[derive(Clone, Copy)]
pub struct SignIn<'a> {
    pub db: &'a Db,
    pub clock: &'a dyn Clock,
    pub hasher: &'a Hasher,
    pub device_key: &'a OnceCell<Vec<u8>>,
    pub limits: Limits,
    /// Failures count within this window.
    pub window: Duration,
    pub session: Duration,
    /// Passwords only for admins; everyone else signs in through the identity provider.
    pub passwords_for_admins_only: bool,
}

const DEVICE_KEY: &str = "device_cookie_key";

/// The device-cookie signing key, created by the first instance that needs it and shared through the database.
async fn device_key<'a>(s: &SignIn<'a>) -> AppResult<&'a [u8]> {
    let SignIn { db, clock, .. } = *s;
    let key = s
        .device_key
        .get_or_try_init(|| async {
            let value = guard_store::shared_secret(&db.write, DEVICE_KEY, &random_token(""), clock.now()).await?;
            Ok::<_, AppError>(value.into_bytes())
        })
        .await?;
    Ok(key.as_slice())
}

/// Spend one attempt from every bucket, all or none; on refusal, how long until the exhausted one reopens.
async fn reserve(s: &SignIn<'_>, buckets: &[Bucket]) -> AppResult<()> {
    let SignIn { db, clock, window, .. } = *s;
    let now = clock.now();
    let mut tx = db.begin().await?;
    for b in buckets {
        if !guard_store::reserve(&mut tx, &b.key, b.limit, now, now - window).await? {
            tx.rollback().await?;
            let start = guard_store::window_start(&db.read, &b.key).await?.unwrap_or(now);
            return Err(AppError::TooManyRequests { retry_after_secs: guard::retry_after(start, window, now) });
        }
    }
    tx.commit().await?;
    Ok(())
}

pub async fn login(s: &SignIn<'_>, email: &str, password: &str, client: LoginClient<'_>) -> AppResult<NewSession> {
    let SignIn { db, clock, hasher, limits, session, .. } = *s;
    let email = email.trim().to_lowercase();
    let key = device_key(s).await?;
    let device = client.device_cookie.and_then(|c| guard::verify_device(key, c));
    let buckets = guard::buckets(&email, device.as_ref(), client.address, limits);
    let trusted = device.as_ref().is_some_and(|d| d.login == email);
    // Counted before the slow hash, so parallel attempts cannot all pass a check made before any was recorded.
    if let Err(e) = reserve(s, &buckets).await {
        tracing::warn!(email = ?email, client = ?client.address, trusted, "login refused: too many failed attempts");
        return Err(e);
    }
    let creds = users::credentials(&db.read, &email).await?;
    let hash = creds.as_ref().map(|c| c.password_hash.as_str()).unwrap_or(dummy_hash()).to_string();
    let ok = match hasher.verify(password, &hash).await {
        Ok(ok) => ok,
        Err(e) => {
            // Not evaluated (the server is busy): the attempt was not a failure.
            for b in &buckets {
                guard_store::release(&db.write, &b.key).await?;
            }
            return Err(e);
        }
    };
    let user_id = match (creds, ok) {
        (Some(c), true) => c.id,
        _ => {
            tracing::info!(email = ?email, client = ?client.address, trusted, "login failed");
            return Err(AppError::InvalidCredentials("Wrong email or password.".into()));
        }
    };
    for b in &buckets {
        if b.clear_on_success {
            guard_store::clear(&db.write, &b.key).await?;
        } else {
            guard_store::release(&db.write, &b.key).await?;
        }
    }
    if s.passwords_for_admins_only {
        let user = users::load(&db.read, user_id).await?.ok_or(AppError::Unauthenticated)?;
        if !user.roles.contains(&Role::Admin) {
            tracing::info!(user_id, "password login refused: passwords are for admins only");
            return Err(AppError::Forbidden(
                "Sign in with your organisation's account: passwords here are for admins only.".into(),
            ));
        }
    }
    let (token, info) = open_session(db, clock, user_id, session, None).await?;
    tracing::info!(user_id, "login");
    let device_cookie = guard::issue_device(key, &email);
    Ok(NewSession { token, info, device_cookie })
}

/// A new session for a user who proved who they are (by password, or through the identity provider with the ID
/// token it gave): the cookie secret and what the client needs to know.
pub async fn open_session(
    db: &Db,
    clock: &dyn Clock,
    user_id: i64,
    lasts: Duration,
    id_token: Option<&str>,
) -> AppResult<(String, SessionInfo)> {
    let now = clock.now();
    let token = random_token("");
    let csrf = random_token("");
    sessions::insert(&db.write, &sha256_hex(&token), user_id, &csrf, now, now + lasts, id_token).await?;
    let user = users::load(&db.read, user_id).await?.ok_or(AppError::Unauthenticated)?;
    Ok((token, session_info(db, user, csrf).await?))
}

/// Drop login failure budgets whose window has passed.
pub async fn purge_login_budgets(s: &SignIn<'_>) -> AppResult<u64> {
    let SignIn { db, clock, window, .. } = *s;
    let cutoff = clock.now() - window;
    Ok(guard_store::purge(&db.write, cutoff).await?)
}

/// End the caller's session; the ID token it began with when it began through the identity provider.
pub async fn logout(db: &Db, actor: &Actor) -> AppResult<Option<String>> {
    match &actor.via {
        Via::Session { token_hash, .. } => Ok(sessions::delete(&db.write, token_hash).await?),
        Via::Token => Ok(None),
    }
}

pub async fn session_info(db: &Db, user: User, csrf_token: String) -> AppResult<SessionInfo> {
    let all = catalog::departments(&db.read).await?;
    let scope = access::pool_read_scope(&user);
    let departments = all.into_iter().filter(|d| scope.has_department(d.id)).collect();
    Ok(SessionInfo {
        roles: user.roles.clone(),
        capabilities: access::capabilities(&user),
        user,
        departments,
        csrf_token,
    })
}

pub async fn me(db: &Db, actor: Actor) -> AppResult<SessionInfo> {
    let csrf = match &actor.via {
        Via::Session { csrf_token, .. } => csrf_token.clone(),
        Via::Token => String::new(),
    };
    session_info(db, actor.user, csrf).await
}

fn validate_token_name(name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::field("name", "must be 1 to 100 characters"));
    }
    if let Some(m) = limits::line_problem(name) {
        return Err(AppError::field("name", m));
    }
    Ok(name.to_string())
}

/// A personal API token for the caller; the secret is returned once.
pub async fn create_token(db: &Db, clock: &dyn Clock, actor: &Actor, name: &str) -> AppResult<TokenCreated> {
    access::may_use_api_tokens(&actor.user)?;
    issue_token(db, clock, actor, TokenKind::Personal, name).await
}

/// A SCIM token for the organisation's identity provider (admins); the secret is returned once.
pub async fn create_scim_token(db: &Db, clock: &dyn Clock, actor: &Actor, name: &str) -> AppResult<TokenCreated> {
    access::may_manage_scim_tokens(&actor.user)?;
    issue_token(db, clock, actor, TokenKind::Scim, name).await
}

async fn issue_token(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    kind: TokenKind,
    name: &str,
) -> AppResult<TokenCreated> {
    let name = validate_token_name(name)?;
    let now = clock.now();
    let prefix = match kind {
        TokenKind::Personal => "swp_",
        TokenKind::Scim => "sws_",
    };
    let token = random_token(prefix);
    let mut tx = db.begin().await?;
    let id = sessions::insert_token(&mut tx, kind, actor.user.id, &name, &sha256_hex(&token), now).await?;
    let record = serde_json::json!({ "id": id, "name": name, "kind": format!("{kind:?}").to_lowercase() });
    ledger::record_and_commit(
        tx,
        now,
        actor.ledger_name(),
        Change::created("token.create", "token", Some(id), &record),
    )
    .await?;
    Ok(TokenCreated { id, name, token })
}

/// Your own personal API tokens.
pub async fn list_tokens(db: &Db, actor: &Actor) -> AppResult<Vec<TokenInfo>> {
    access::may_use_api_tokens(&actor.user)?;
    Ok(sessions::list_tokens(&db.read, TokenKind::Personal, actor.user.id).await?)
}

/// Revoke one of your personal API tokens.
pub async fn revoke_token(db: &Db, clock: &dyn Clock, actor: &Actor, id: i64) -> AppResult<()> {
    let now = clock.now();
    let mut tx = db.begin().await?;
    if !sessions::revoke_token(&mut tx, TokenKind::Personal, id, actor.user.id, now).await? {
        return Err(AppError::NotFound("token"));
    }
    ledger::record_and_commit(tx, now, actor.ledger_name(), Change::event("token.revoke", "token", Some(id))).await?;
    Ok(())
}

/// SCIM tokens are the organisation's credentials for its identity provider: every admin sees all of them.
pub async fn list_scim_tokens(db: &Db, actor: &Actor) -> AppResult<Vec<ScimTokenInfo>> {
    access::may_manage_scim_tokens(&actor.user)?;
    Ok(sessions::list_scim_tokens(&db.read).await?)
}

/// Any admin may revoke any SCIM token (say, one created by an admin who has since left).
pub async fn revoke_scim_token(db: &Db, clock: &dyn Clock, actor: &Actor, id: i64) -> AppResult<()> {
    access::may_manage_scim_tokens(&actor.user)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    if !sessions::revoke_scim_token(&mut tx, id, now).await? {
        return Err(AppError::NotFound("SCIM token"));
    }
    let record = serde_json::json!({ "id": id, "kind": "scim", "revoked_at": now });
    ledger::record_and_commit(
        tx,
        now,
        actor.ledger_name(),
        Change::created("token.revoke", "token", Some(id), &record),
    )
    .await?;
    Ok(())
}

fn validate_account(email: &str, name: &str, password: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let email = email.trim();
    if !email.contains('@') || email.len() > 254 || email.starts_with('@') || email.ends_with('@') {
        errors.push(FieldError::new("email", "must be an email address"));
    }
    if name.trim().is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new("name", "must be 1 to 200 characters"));
    }
    limits::check_line(&mut errors, "email", Some(email));
    limits::check_line(&mut errors, "name", Some(name.trim()));
    if let Some(p) = password_problem(password) {
        errors.push(FieldError::new("password", p));
    }
    errors
}

/// Roles and department scope as sets of what exists: a repeat or an unknown department is a field error.
async fn check_roles(db: &Db, errors: &mut Vec<FieldError>, roles: &[Role], department_ids: &[i64]) -> AppResult<()> {
    limits::check_distinct(errors, "roles", roles);
    limits::check_distinct(errors, "department_ids", department_ids);
    for (i, d) in department_ids.iter().enumerate() {
        if !catalog::exists(&db.read, catalog::CatalogTable::Departments, *d).await? {
            errors.push(FieldError::new(format!("department_ids[{i}]"), format!("department {d} does not exist")));
        }
    }
    Ok(())
}

/// Create a user with roles in one transaction, ledgered. Used by setup, by admins and at first start.
async fn insert_user(
    db: &Db,
    clock: &dyn Clock,
    hasher: &Hasher,
    actor: &str,
    input: &UserCreate,
    setup_token_hash: Option<&str>,
) -> AppResult<User> {
    let mut errors = validate_account(&input.email, &input.name, &input.password);
    if users::email_exists(&db.read, &input.email).await? {
        errors.push(FieldError::new("email", "is already in use"));
    }
    check_roles(db, &mut errors, &input.roles, &input.department_ids).await?;
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let password_hash = hasher.hash(&input.password).await?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    if let Some(h) = setup_token_hash {
        if users::count(&db.read).await? > 0 || !sessions::take_setup_token(&mut tx, h).await? {
            return Err(AppError::Forbidden("This setup link is no longer valid.".into()));
        }
    }
    let id = users::insert(&mut tx, input.email.trim(), input.name.trim(), &password_hash, now).await?;
    users::set_roles(&mut tx, id, &input.roles, &input.department_ids).await?;
    // Read back, so the answer carries what storage derives (the person this login is).
    let user = users::load_in(&mut tx, id).await?.ok_or(AppError::NotFound("user"))?;
    ledger::record_and_commit(tx, now, actor, Change::created("user.create", "user", Some(id), &user)).await?;
    Ok(user)
}

pub async fn create_user(
    db: &Db,
    clock: &dyn Clock,
    hasher: &Hasher,
    actor: &Actor,
    input: &UserCreate,
) -> AppResult<User> {
    access::may_administer_users(&actor.user)?;
    insert_user(db, clock, hasher, actor.ledger_name(), input, None).await
}

pub async fn list_users(db: &Db, actor: &Actor) -> AppResult<Vec<User>> {
    access::may_administer_users(&actor.user)?;
    Ok(users::list(&db.read).await?)
}

/// Replace a user's roles; with `expected` (the client's `If-Match`) only if nobody changed them since.
pub async fn update_roles(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    id: i64,
    input: &UserRolesUpdate,
    expected: Option<i64>,
) -> AppResult<User> {
    access::may_administer_users(&actor.user)?;
    let mut errors = Vec::new();
    if let Err(denied) = access::may_give_roles(&actor.user, id, &input.roles) {
        errors.push(FieldError::new("roles", denied.reason));
    }
    check_roles(db, &mut errors, &input.roles, &input.department_ids).await?;
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    let version = versions::lock(&mut tx, Versioned::Users, Key::Id(id), expected, "user").await?;
    let before = users::load_in(&mut tx, id).await?.ok_or(AppError::NotFound("user"))?;
    users::set_roles(&mut tx, id, &input.roles, &input.department_ids).await?;
    versions::bump(&mut tx, Versioned::Users, Key::Id(id), version).await?;
    let after = User {
        roles: input.roles.clone(),
        department_ids: input.department_ids.clone(),
        version: version + 1,
        ..before.clone()
    };
    ledger::record_and_commit(
        tx,
        now,
        actor.ledger_name(),
        Change::changed("user.roles", "user", Some(id), &before, &after),
    )
    .await?;
    Ok(after)
}

/// What to tell the operator at start when nobody can log in yet.
pub enum Bootstrap {
    Ready,
    AdminCreated(String),
    SetupToken(String),
}

/// On an empty database: create the admin from the environment, or issue a one-time setup token.
pub async fn bootstrap(
    db: &Db,
    clock: &dyn Clock,
    hasher: &Hasher,
    admin: Option<(String, String)>,
) -> AppResult<Bootstrap> {
    if users::count(&db.read).await? > 0 {
        return Ok(Bootstrap::Ready);
    }
    if let Some((email, password)) = admin {
        let input = UserCreate {
            email: email.clone(),
            name: "Administrator".into(),
            password,
            roles: vec![Role::Admin],
            department_ids: vec![],
        };
        insert_user(db, clock, hasher, "system", &input, None).await?;
        return Ok(Bootstrap::AdminCreated(email));
    }
    let token = random_token("");
    sessions::insert_setup_token(&db.write, &sha256_hex(&token), clock.now()).await?;
    Ok(Bootstrap::SetupToken(token))
}

pub async fn setup(db: &Db, clock: &dyn Clock, hasher: &Hasher, input: &SetupRequest) -> AppResult<User> {
    let create = UserCreate {
        email: input.email.clone(),
        name: input.name.clone(),
        password: input.password.clone(),
        roles: vec![Role::Admin],
        department_ids: vec![],
    };
    insert_user(db, clock, hasher, "setup", &create, Some(&sha256_hex(&input.token))).await
}

/// Demo accounts, one per role, all with the given password.
pub async fn create_demo_user(db: &Db, clock: &dyn Clock, hasher: &Hasher, input: &UserCreate) -> AppResult<User> {
    insert_user(db, clock, hasher, "demo", input, None).await
}
