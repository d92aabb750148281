use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;

use crate::clock::SharedClock;
use crate::db::Db;
use crate::domain::alert_mail::Outbox;
use crate::domain::login_guard::Limits;
use crate::service::accounts::SignIn;
use crate::service::credentials::TokenUse;
use crate::service::jobs::Worker;
use crate::service::mailer::Mailer;
use crate::service::oidc::{Oidc, OidcConfig};
use crate::service::passwords::{self, Hasher};
use crate::service::progress::Progress;

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: SharedClock,
    pub settings: Arc<Settings>,
    pub progress: Progress,
    /// Outgoing mail; none when no SMTP relay is configured.
    pub mailer: Option<Arc<Mailer>>,
    /// Names this process in job claims, so several instances on one database can tell their work apart.
    pub instance: Arc<str>,
    /// Password hashing, capped to a few at a time.
    pub hasher: Arc<Hasher>,
    /// The key that signs device cookies, read once from the database (every instance shares it).
    pub device_key: Arc<tokio::sync::OnceCell<Vec<u8>>>,
    /// When API and SCIM tokens were last used, written in the background.
    pub token_use: TokenUse,
    /// Sign-in through the organisation's identity provider, when configured.
    pub oidc: Option<Arc<Oidc>>,
}

impl AppState {
    /// What imports use of the state: the database, the clock and where progress is reported.
    pub fn import_env(&self) -> crate::service::imports::Env<'_> {
        crate::service::imports::Env { db: &self.db, clock: &self.clock, progress: &self.progress }
    }

    pub fn new(db: Db, clock: SharedClock, settings: Settings) -> Self {
        let instance = crate::domain::secret::random_token("instance-")[..25].to_string();
        let hasher = Hasher::new(settings.hash_concurrency, Duration::from_millis(settings.hash_wait_ms));
        let progress = Progress::new(db.progress.clone(), clock.clone());
        let oidc = settings.oidc.clone().and_then(|config| match Oidc::new(config) {
            Ok(o) => Some(Arc::new(o)),
            Err(e) => {
                tracing::error!(error = %e, "sign-in through the identity provider is off");
                None
            }
        });
        Self {
            oidc,
            token_use: TokenUse::default(),
            db,
            clock,
            settings: Arc::new(settings),
            progress,
            mailer: None,
            instance: instance.into(),
            hasher: Arc::new(hasher),
            device_key: Arc::default(),
        }
    }

    pub fn with_mailer(mut self, mailer: Option<Mailer>) -> Self {
        self.mailer = mailer.map(Arc::new);
        self
    }

    /// Where alert mail is queued from: only with a relay configured.
    pub fn outbox(&self) -> Option<Outbox<'_>> {
        self.mailer.as_ref().map(|_| Outbox { public_url: &self.settings.public_url })
    }

    /// What logging in takes.
    pub fn sign_in(&self) -> SignIn<'_> {
        let s = &self.settings;
        SignIn {
            db: &self.db,
            clock: &*self.clock,
            hasher: &self.hasher,
            device_key: &self.device_key,
            limits: Limits { per_account: s.login_max_failures, per_address: s.login_max_failures_per_address },
            window: chrono::Duration::minutes(s.login_window_minutes),
            session: chrono::Duration::hours(s.session_hours),
            passwords_for_admins_only: s.passwords_for_admins_only,
        }
    }

    /// What the background jobs take.
    pub fn worker(&self) -> Worker {
        Worker {
            db: self.db.clone(),
            clock: self.clock.clone(),
            instance: self.instance.clone(),
            mailer: self.mailer.clone(),
            public_url: self.settings.public_url.clone(),
            credentials_key: self.settings.credentials_key.clone().map(Arc::new),
        }
    }
}

// What the request extractors (`auth`) take from the state, so they need not know it.
impl FromRef<AppState> for Db {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}

impl FromRef<AppState> for SharedClock {
    fn from_ref(state: &AppState) -> Self {
        state.clock.clone()
    }
}

impl FromRef<AppState> for TokenUse {
    fn from_ref(state: &AppState) -> Self {
        state.token_use.clone()
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// Mark session cookies `Secure` (served over TLS).
    pub secure_cookies: bool,
    pub session_hours: i64,
    /// Failed logins per email within `login_window_minutes` before further attempts are refused: for the
    /// account from untrusted clients, and separately for each device cookie of that account.
    pub login_max_failures: i64,
    pub login_window_minutes: i64,
    /// Failed logins from one client address (any accounts, untrusted clients) within the window.
    pub login_max_failures_per_address: i64,
    /// Proxies whose `X-Forwarded-For` names the client address; empty: the peer address is the client.
    pub trusted_proxies: Vec<IpAddr>,
    /// Password hashes allowed to run at once, and how long a login waits for one before 503.
    pub hash_concurrency: usize,
    pub hash_wait_ms: u64,
    /// Base URL of the console, for links in e-mail and calendar feeds.
    pub public_url: String,
    /// Every request answers within this (503 `timeout` otherwise).
    pub request_timeout: Duration,
    /// The limit for applying an import, which takes longer the larger the file.
    pub import_timeout: Duration,
    /// After SIGTERM, in-flight requests get this long before the process exits anyway.
    pub shutdown_grace: Duration,
    /// Bearer token for `/metrics` on the main listener; without one `/metrics` is not served there.
    pub metrics_token: Option<String>,
    /// Sign-in through the organisation's identity provider.
    pub oidc: Option<OidcConfig>,
    /// Passwords only for admins (a break-glass account); everyone else signs in through the provider.
    pub passwords_for_admins_only: bool,
    /// Seals connectors' credentials at rest; without it no credentials are accepted.
    pub credentials_key: Option<crate::domain::sealed::CredentialsKey>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            session_hours: 12,
            login_max_failures: 5,
            login_window_minutes: 15,
            login_max_failures_per_address: 30,
            trusted_proxies: Vec::new(),
            hash_concurrency: passwords::default_concurrency(),
            hash_wait_ms: 2000,
            public_url: "http://localhost:8080".into(),
            request_timeout: Duration::from_secs(60),
            import_timeout: Duration::from_secs(1800),
            shutdown_grace: Duration::from_secs(20),
            metrics_token: None,
            oidc: None,
            passwords_for_admins_only: false,
            credentials_key: None,
        }
    }
}
