//! Sign-in through the organisation's identity provider (OpenID Connect, authorization code with PKCE). The
//! `openidconnect` crate does the protocol and checks the ID token (signature against the provider's published
//! keys, issuer, audience, expiry, nonce); this module keeps what a sign-in under way needs in the database (so
//! any instance can finish it), links the provider's user to their person and user, and gives roles from groups.

use std::collections::HashMap;
use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use openidconnect::core::{
    CoreClient, CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreResponseType,
};
use openidconnect::{
    AdditionalClaims, AuthenticationFlow, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret,
    CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdToken, IssuerUrl, LogoutRequest, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope,
    SignatureVerificationError,
};
use seatwise_types::{GroupRoleMapping, PersonStatus, Role, SessionInfo, User};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

use crate::clock::{Clock, SystemClock};
use crate::db::oidc::{self as store, Login};
use crate::db::{users, Db};
use crate::domain::secret::{random_token, sha256_hex};
use crate::domain::sign_in::{self as rules, Identity, Refusal, CLOCK_SKEW_SECONDS, LOGIN_MINUTES};
use crate::error::AppError;
use crate::service::accounts;
use crate::service::ledger::{self, Change};

/// How a server signs people in through the provider (from `--oidc-*`).
#[derive(Debug, Clone)]
pub struct OidcConfig {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Shown as "Sign in with {name}".
    pub name: String,
    /// Scopes asked for besides `openid`.
    pub scopes: Vec<String>,
    /// The ID token claim listing the user's groups.
    pub groups_claim: String,
    /// The ID token claim carrying the HR employee id, when the provider sends one.
    pub employee_id_claim: Option<String>,
    /// Where the provider sends the browser back: `{public_url}/api/v1/auth/oidc/callback`.
    pub redirect_url: String,
    /// Where the provider's logout returns the browser: `{public_url}/login`.
    pub post_logout_url: String,
}

/// The discovery document, with the end-session endpoint of RP-initiated logout where the provider has one.
type CoreProviderMetadata = ProviderMetadataWithLogout;

/// The provider's discovery document (with its keys) is read again after this long, or at once when a token is
/// signed with a key it does not list (the provider rotated its keys).
const METADATA_TTL: StdDuration = StdDuration::from_secs(3600);

/// A configured provider: its settings, an HTTP client that follows no redirects (so a token request cannot be
/// sent elsewhere), and the discovery document as last read.
pub struct Oidc {
    pub config: OidcConfig,
    http: openidconnect::reqwest::Client,
    metadata: RwLock<Option<(CoreProviderMetadata, Instant)>>,
}

/// Claims besides the standard ones: read by name, since the groups claim is configured.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Extra(HashMap<String, serde_json::Value>);
impl AdditionalClaims for Extra {}

type GroupsIdToken = IdToken<Extra, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;

impl Oidc {
    pub fn new(config: OidcConfig) -> Result<Oidc, AppError> {
        let http = openidconnect::reqwest::ClientBuilder::new()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(StdDuration::from_secs(10))
            .build()
            .map_err(|e| AppError::internal_in("building the identity provider's HTTP client", e))?;
        Ok(Oidc { config, http, metadata: RwLock::new(None) })
    }

    /// The discovery document, read again when older than an hour or when `fresh` asks.
    async fn metadata(&self, fresh: bool) -> Result<CoreProviderMetadata, Refusal> {
        if !fresh {
            if let Some((m, at)) = self.metadata.read().await.as_ref() {
                if at.elapsed() < METADATA_TTL {
                    return Ok(m.clone());
                }
            }
        }
        let issuer = IssuerUrl::new(self.config.issuer.clone()).map_err(|_| Refusal::NotConfigured)?;
        let m = CoreProviderMetadata::discover_async(issuer, &self.http).await.map_err(|e| {
            tracing::warn!(error = %e, issuer = %self.config.issuer, "identity provider discovery failed");
            Refusal::Unavailable
        })?;
        *self.metadata.write().await = Some((m.clone(), Instant::now()));
        Ok(m)
    }

    /// The protocol client for this provider's discovery document, returning to our callback.
    fn client(&self, meta: CoreProviderMetadata) -> Result<Client, Refusal> {
        let redirect = RedirectUrl::new(self.config.redirect_url.clone()).map_err(|_| Refusal::NotConfigured)?;
        Ok(Client::from_provider_metadata(
            meta,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }
}

/// A client built from discovery: authorization endpoint set, token and user-info endpoints as discovered.
type Client =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

/// A sign-in sent to the provider: where the browser goes, and the secret the browser keeps meanwhile (a cookie),
/// so only the browser that started it can finish it.
pub struct Started {
    pub url: String,
    pub browser: String,
}

pub async fn start(oidc: &Oidc, db: &Db, clock: &dyn Clock) -> Result<Started, Refusal> {
    let client = oidc.client(oidc.metadata(false).await?)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge);
    for scope in &oidc.config.scopes {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    let (url, state, nonce) = request.url();
    let browser = random_token("");
    let now = clock.now();
    let login = Login {
        browser_hash: sha256_hex(&browser),
        pkce_verifier: verifier.secret().clone(),
        nonce: nonce.secret().clone(),
    };
    store::insert_login(&db.write, &sha256_hex(state.secret()), &login, now, now + Duration::minutes(LOGIN_MINUTES))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "storing a sign-in under way failed");
            Refusal::Unavailable
        })?;
    Ok(Started { url: url.to_string(), browser })
}

/// What the provider sent the browser back with.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    /// The provider's refusal (`access_denied`, `login_required`, ...).
    pub error: Option<String>,
}

/// Finish a sign-in: the state and this browser's cookie, the code exchanged (with the PKCE verifier) for an ID
/// token that must verify, then the user it is: a new session.
pub async fn finish(
    oidc: &Oidc,
    db: &Db,
    clock: &dyn Clock,
    session_hours: i64,
    callback: &Callback,
    browser: Option<&str>,
) -> Result<(String, SessionInfo), Refusal> {
    if let Some(error) = &callback.error {
        tracing::info!(error = %error, "the identity provider refused the sign-in");
        return Err(Refusal::Denied);
    }
    let (Some(code), Some(state)) = (&callback.code, &callback.state) else { return Err(Refusal::State) };
    let login = store::take_login(&db.write, &sha256_hex(state), clock.now()).await.map_err(internal)?;
    let Some(login) = login else {
        tracing::info!("sign-in refused: unknown, used or expired state");
        return Err(Refusal::State);
    };
    if browser.map(sha256_hex).as_deref() != Some(login.browser_hash.as_str()) {
        tracing::info!("sign-in refused: the callback came to another browser than the one that started it");
        return Err(Refusal::State);
    }
    let (identity, id_token) = verify(oidc, code, &login).await?;
    let user_id = user_of(oidc, db, clock, &identity).await?;
    accounts::open_session(db, clock, user_id, Duration::hours(session_hours), Some(&id_token)).await.map_err(internal)
}

/// Where to send the browser so the provider ends its session too, back to the login page: its end-session
/// endpoint with the session's ID token as the hint. `None` when the provider has no such endpoint (Google) or
/// cannot be reached (the Seatwise session is over either way).
pub async fn logout_url(oidc: &Oidc, id_token: &str) -> Option<String> {
    let meta = oidc.metadata(false).await.ok()?;
    let end = meta.additional_metadata().end_session_endpoint.clone()?;
    let token: GroupsIdToken = id_token.parse().ok()?;
    let back = PostLogoutRedirectUrl::new(oidc.config.post_logout_url.clone()).ok()?;
    let url = LogoutRequest::from(end)
        .set_id_token_hint(&token)
        .set_client_id(ClientId::new(oidc.config.client_id.clone()))
        .set_post_logout_redirect_uri(back)
        .http_get_url();
    Some(url.to_string())
}

fn internal(e: impl std::fmt::Display) -> Refusal {
    tracing::error!(error = %e, "sign-in through the identity provider failed");
    Refusal::Unavailable
}

/// Exchange the code and verify the ID token; a token signed with a key the provider's published set lacks is
/// checked once more against the set read afresh (the provider rotated its keys).
async fn verify(oidc: &Oidc, code: &str, login: &Login) -> Result<(Identity, String), Refusal> {
    let meta = oidc.metadata(false).await?;
    let issuer = meta.issuer().to_string();
    let keys = meta.jwks().clone();
    let response = oidc
        .client(meta)?
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .map_err(|_| Refusal::NotConfigured)?
        .set_pkce_verifier(PkceCodeVerifier::new(login.pkce_verifier.clone()))
        .request_async(&oidc.http)
        .await
        .map_err(|e| {
            // The error names the kind of failure (a used code answers `invalid_grant`), never the code itself.
            tracing::info!(error = %e, "sign-in refused: the provider did not exchange the code");
            Refusal::Token
        })?;
    let raw = openidconnect::TokenResponse::id_token(&response).map(ToString::to_string).ok_or(Refusal::Token)?;
    let token: GroupsIdToken = raw.parse().map_err(|_| Refusal::Token)?;
    let nonce = Nonce::new(login.nonce.clone());
    let check = |keys: openidconnect::JsonWebKeySet<CoreJsonWebKey>, issuer: &str| {
        let verifier = openidconnect::IdTokenVerifier::new_confidential_client(
            ClientId::new(oidc.config.client_id.clone()),
            ClientSecret::new(oidc.config.client_secret.clone()),
            IssuerUrl::new(issuer.to_string()).map_err(|_| ClaimsVerificationError::Other("issuer".into()))?,
            keys,
        )
        // The token's times are the provider's real clock, so they are judged by this machine's real clock
        // (not the business clock tests move), allowing a little skew.
        .set_time_fn(|| SystemClock.now() - Duration::seconds(CLOCK_SKEW_SECONDS));
        token.claims(&verifier, &nonce).cloned()
    };
    let claims = match check(keys, &issuer) {
        Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey)) => {
            check(oidc.metadata(true).await?.jwks().clone(), &issuer)
        }
        other => other,
    }
    .map_err(|e| {
        tracing::info!(error = %e, "sign-in refused: the ID token did not verify");
        Refusal::Token
    })?;
    let extra = &claims.additional_claims().0;
    let employee_id = oidc.config.employee_id_claim.as_ref().and_then(|name| match extra.get(name) {
        Some(serde_json::Value::String(id)) if !id.trim().is_empty() => Some(id.trim().to_string()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    });
    let groups = match extra.get(&oidc.config.groups_claim) {
        Some(serde_json::Value::Array(items)) => items.iter().filter_map(|g| g.as_str().map(str::to_string)).collect(),
        Some(serde_json::Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    };
    let identity = Identity {
        subject: rules::subject_key(&issuer, claims.subject().as_str()),
        sub: claims.subject().to_string(),
        email: claims.email().map(|e| e.to_string()),
        email_verified: claims.email_verified().unwrap_or(false),
        name: claims.name().and_then(|n| n.get(None)).map(|n| n.to_string()),
        username: claims.preferred_username().map(|u| u.to_string()),
        employee_id,
        groups,
    };
    Ok((identity, raw))
}

/// The user this identity is, linked (and created on a first sign-in) and given the roles the provider's groups
/// map to when admins keep a mapping. Refused when no person in the directory is them, or theirs left.
async fn user_of(oidc: &Oidc, db: &Db, clock: &dyn Clock, who: &Identity) -> Result<i64, Refusal> {
    let now = clock.now();
    let actor = format!("oidc:{}", oidc.config.name);
    let mapping = store::group_roles(&db.read).await.map_err(internal)?;
    let mut tx = db.begin().await.map_err(internal)?;
    let email = who.verified_email();
    let (username, employee_id) = (who.username.as_deref(), who.employee_id.as_deref());
    let person =
        store::find_person(&mut tx, &who.sub, username, employee_id, email.as_deref()).await.map_err(internal)?;
    let known = match store::user_by_subject(&mut tx, &who.subject).await.map_err(internal)? {
        Some(k) => Some(k),
        None => store::user_for(&mut tx, person.as_ref().map(|p| p.id), email.as_deref()).await.map_err(internal)?,
    };
    let terminated = |s: Option<PersonStatus>| s == Some(PersonStatus::Terminated);
    if terminated(known.as_ref().and_then(|k| k.person_status)) || terminated(person.as_ref().map(|p| p.status)) {
        tracing::info!(subject = %who.subject, "sign-in refused: the person is deactivated");
        return Err(Refusal::Deactivated);
    }
    let user_id = match (&known, &person) {
        (Some(k), _) => k.user_id,
        (None, Some(p)) => {
            let address = email.clone().unwrap_or_else(|| p.email.to_lowercase());
            let name = who.name.clone().unwrap_or_else(|| p.name.clone());
            // No password: this user signs in through the provider only (the hash never verifies).
            let id = users::insert(&mut tx, &address, &name, "!", now).await.map_err(internal)?;
            store::link(&mut tx, id, &who.subject, Some(p.id)).await.map_err(internal)?;
            // Everyone the provider signs in is an employee until their groups say more.
            users::set_roles(&mut tx, id, &[Role::Employee], &[]).await.map_err(internal)?;
            let user = users::load_in(&mut tx, id).await.map_err(internal)?.ok_or(Refusal::Unavailable)?;
            ledger::record(&mut tx, now, &actor, Change::created("user.create", "user", Some(id), &user))
                .await
                .map_err(internal)?;
            id
        }
        (None, None) if who.email.is_some() && !who.email_verified => return Err(Refusal::EmailUnverified),
        (None, None) => {
            tracing::info!(subject = %who.subject, "sign-in refused: nobody in the directory is this user");
            return Err(Refusal::NotInDirectory);
        }
    };
    if known.as_ref().is_some_and(|k| k.subject.as_deref() != Some(who.subject.as_str())) {
        store::link(&mut tx, user_id, &who.subject, person.as_ref().map(|p| p.id)).await.map_err(internal)?;
    }
    if !mapping.is_empty() {
        let (mut roles, departments) = rules::roles_from_groups(&mapping, &who.groups);
        if roles.is_empty() {
            roles.push(Role::Employee);
        }
        let before: User = users::load_in(&mut tx, user_id).await.map_err(internal)?.ok_or(Refusal::Unavailable)?;
        if before.roles != roles || before.department_ids != departments {
            users::set_roles(&mut tx, user_id, &roles, &departments).await.map_err(internal)?;
            let after = User { roles, department_ids: departments, ..before.clone() };
            let change = Change::changed("user.roles", "user", Some(user_id), &before, &after);
            ledger::record(&mut tx, now, &actor, change).await.map_err(internal)?;
        }
    }
    tx.commit().await.map_err(internal)?;
    tracing::info!(user_id, "sign-in through the identity provider");
    Ok(user_id)
}

/// The group → role mapping (admins).
pub async fn group_roles(db: &Db, actor: &crate::auth::Actor) -> crate::error::AppResult<Vec<GroupRoleMapping>> {
    crate::domain::access::may_administer_users(&actor.user)?;
    Ok(store::group_roles(&db.read)
        .await?
        .into_iter()
        .map(|g| GroupRoleMapping { group: g.group, role: g.role, department_id: g.department_id })
        .collect())
}

/// Replace the group → role mapping (admins): every row checked, each problem by its index. From the next
/// sign-in on, a user's roles are what their groups map to; with no rows, roles stay as admins give them.
pub async fn set_group_roles(
    db: &Db,
    clock: &dyn Clock,
    actor: &crate::auth::Actor,
    rows: &[GroupRoleMapping],
) -> crate::error::AppResult<Vec<GroupRoleMapping>> {
    crate::domain::access::may_administer_users(&actor.user)?;
    let departments: Vec<i64> = crate::db::catalog::departments(&db.read).await?.into_iter().map(|d| d.id).collect();
    let checked = rules::check_mapping(rows, &departments).map_err(AppError::validation)?;
    let before = group_roles(db, actor).await?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    store::set_group_roles(&mut tx, &checked).await?;
    let after: Vec<GroupRoleMapping> = checked
        .into_iter()
        .map(|g| GroupRoleMapping { group: g.group, role: g.role, department_id: g.department_id })
        .collect();
    let change = Change::changed("settings.sign_in_groups", "settings", None, &before, &after);
    ledger::record_and_commit(tx, now, actor.ledger_name(), change).await?;
    group_roles(db, actor).await
}
