//! Test harness: the real router on a fresh database (a SQLite file per test, or a fresh PostgreSQL database
//! per test when SEATWISE_TEST_DATABASE_URL points at a server), spoken to over HTTP.
#![allow(dead_code)]

pub mod graph;
pub mod okta;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use chrono::TimeZone;
use reqwest::{Method, StatusCode};
use seatwise_server::clock::ManualClock;
use seatwise_server::db::Db;
use seatwise_server::demo;
use seatwise_server::service::jobs::{self, TickReport};
use seatwise_server::service::mailer::Mailer;
use seatwise_server::state::{AppState, Settings};
use serde_json::{json, Value};

pub const PASSWORD: &str = "demo-password-for-tests";

pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub database_url: String,
    pub clock: Arc<ManualClock>,
    pub state: AppState,
    /// The SMTP sink this app's mail goes to, when started with one.
    pub smtp: Option<SmtpSink>,
    /// The identity provider this app signs people in through, when started with one.
    pub idp: Option<Arc<Idp>>,
    _dir: Arc<tempfile::TempDir>,
}

/// A fresh database URL: SQLite in a temp dir, or a new PostgreSQL database.
async fn fresh_database(dir: &tempfile::TempDir) -> String {
    match std::env::var("SEATWISE_TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres")) {
        Some(admin_url) => {
            sqlx::any::install_default_drivers();
            let name = format!(
                "seatwise_test_{}",
                &seatwise_server::domain::secret::sha256_hex(&format!(
                    "{:?}{}",
                    std::time::SystemTime::now(),
                    rand_suffix()
                ))[..16]
            );
            let mut conn =
                <sqlx::AnyConnection as sqlx::Connection>::connect(&admin_url).await.expect("connect to PostgreSQL");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
            let (prefix, _) = admin_url.rsplit_once('/').expect("database URL with a path");
            format!("{prefix}/{name}")
        }
        None => format!("sqlite://{}/seatwise.db", dir.path().display()),
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::SeqCst) + std::process::id() as u64 * 1_000_000
}

pub fn test_now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).single().expect("valid time")
}

/// Start the app on port 0 with the demo company loaded.
pub async fn spawn() -> TestApp {
    spawn_with(true).await
}

pub async fn spawn_with(demo_data: bool) -> TestApp {
    spawn_opts(Options { demo: demo_data, ..Default::default() }).await
}

#[derive(Default)]
pub struct Options {
    pub demo: bool,
    /// Send mail to a fresh local SMTP sink.
    pub smtp: bool,
    /// Sign people in through a fresh identity provider (npm's oidc-provider).
    pub oidc: bool,
    /// Passwords only for admins (`--password-login admins`).
    pub passwords_for_admins_only: bool,
}

pub async fn spawn_opts(opts: Options) -> TestApp {
    let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
    let database_url = fresh_database(&dir).await;
    let smtp = opts.smtp.then(SmtpSink::start);
    let idp = if opts.oidc { Some(Arc::new(Idp::start().await)) } else { None };
    let app = start(database_url, dir, smtp, idp, opts.passwords_for_admins_only).await;
    if opts.demo {
        demo::seed(&app.state, PASSWORD).await.expect("seed demo data");
    }
    app
}

/// Start an app on an existing database: a fresh process as far as the server can tell (new connections, new
/// instance id, own clock), used for restarts and for a second instance beside the first.
async fn start(
    database_url: String,
    dir: Arc<tempfile::TempDir>,
    smtp: Option<SmtpSink>,
    idp: Option<Arc<Idp>>,
    passwords_for_admins_only: bool,
) -> TestApp {
    let db = Db::connect(&database_url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let clock = Arc::new(ManualClock::new(test_now()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    let base = format!("http://{addr}");
    let settings = Settings {
        public_url: base.clone(),
        oidc: idp.as_ref().map(|i| i.config(&base)),
        passwords_for_admins_only,
        credentials_key: Some(seatwise_server::domain::sealed::CredentialsKey::from_bytes([42; 32])),
        ..Settings::default()
    };
    if let Some(i) = &idp {
        i.allow_redirect(&base).await;
    }
    let mailer = smtp
        .as_ref()
        .map(|s| Mailer::from_url(&format!("smtp://{}", s.addr), "Seatwise <seatwise@example.com>").expect("mailer"));
    let state = AppState::new(db.clone(), clock.clone(), settings).with_mailer(mailer);
    let serve_state = state.clone();
    tokio::spawn(async move {
        let _ = seatwise_server::app::serve(serve_state, listener).await;
    });
    TestApp { base, db, database_url, clock, state, smtp, idp, _dir: dir }
}

impl TestApp {
    /// Another server process on the same database (and the same SMTP sink), its clock where this one's is.
    pub async fn another_instance(&self) -> TestApp {
        let admins_only = self.state.settings.passwords_for_admins_only;
        let app =
            start(self.database_url.clone(), self._dir.clone(), self.smtp.clone(), self.idp.clone(), admins_only).await;
        app.clock.set(seatwise_server::clock::Clock::now(&*self.clock));
        app
    }

    /// One background tick, as the timer would run it.
    pub async fn tick(&self) -> TickReport {
        jobs::tick(&self.state.worker()).await.expect("tick")
    }

    /// Move this instance's clock to 09:00 UTC on a day.
    pub fn set_day(&self, day: chrono::NaiveDate) {
        self.clock.set(day.and_hms_opt(9, 0, 0).expect("time").and_utc());
    }
}

/// A real OpenID provider (npm's oidc-provider, OpenID Certified) in a Node process of its own
/// (`tests/e2e/lib/idp.mjs`), with accounts the test sets and switches to tamper with its next ID token.
pub struct Idp {
    pub issuer: String,
    child: Mutex<std::process::Child>,
    http: reqwest::Client,
    /// Every server's callback URL it allows (a second instance adds its own).
    redirects: tokio::sync::Mutex<Vec<String>>,
}

pub const IDP_CLIENT_SECRET: &str = "seatwise-test-secret";

impl Idp {
    pub async fn start() -> Idp {
        use std::io::BufRead;
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/e2e/lib/idp.mjs");
        let mut child = std::process::Command::new("node")
            .arg(script)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start the identity provider (node tests/e2e/lib/idp.mjs; ./test installs its packages)");
        let stdout = child.stdout.take().expect("provider stdout");
        // Read on until the process ends: a closed pipe would stop it at its next line of output.
        let (tx, rx) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                if let (Some(port), Some(tx)) = (line.strip_prefix("listening "), tx.take()) {
                    let _ = tx.send(port.to_string());
                }
            }
        });
        let port = rx.await.expect("the provider printed its port");
        Idp {
            issuer: format!("http://127.0.0.1:{port}"),
            child: Mutex::new(child),
            http: reqwest::Client::new(),
            redirects: Default::default(),
        }
    }

    pub fn config(&self, base: &str) -> seatwise_server::service::oidc::OidcConfig {
        seatwise_server::service::oidc::OidcConfig {
            issuer: self.issuer.clone(),
            client_id: "seatwise".into(),
            client_secret: IDP_CLIENT_SECRET.into(),
            name: "Test IdP".into(),
            scopes: vec!["email".into(), "profile".into(), "groups".into()],
            groups_claim: "groups".into(),
            employee_id_claim: Some("employee_id".into()),
            redirect_url: format!("{base}/api/v1/auth/oidc/callback"),
            post_logout_url: format!("{base}/login"),
        }
    }

    async fn admin(&self, method: Method, path: &str, body: Value) {
        let r = self.http.request(method, format!("{}{path}", self.issuer)).json(&body).send().await.expect("idp");
        assert!(r.status().is_success(), "idp {path}: {}", r.status());
    }

    async fn allow_redirect(&self, base: &str) {
        let mut all = self.redirects.lock().await;
        all.push(format!("{base}/api/v1/auth/oidc/callback"));
        self.admin(
            Method::PUT,
            "/__client",
            json!({"redirect_uris": *all, "post_logout_redirect_uris": [format!("{base}/login")]}),
        )
        .await;
    }

    /// Add or change an account: `claims` as the provider hands them out (email, email_verified, name, groups).
    pub async fn account(&self, sub: &str, claims: Value) {
        self.admin(Method::PUT, &format!("/__accounts/{sub}"), claims).await;
    }

    pub async fn remove_account(&self, sub: &str) {
        self.admin(Method::DELETE, &format!("/__accounts/{sub}"), json!({})).await;
    }

    /// The next ID token the provider hands out is changed this way (see idp.mjs).
    pub async fn tamper(&self, kind: &str) {
        self.admin(Method::POST, "/__tamper", json!({"kind": kind})).await;
    }

    /// A new signing key replaces the old one.
    pub async fn rotate_keys(&self) {
        self.admin(Method::POST, "/__rotate", json!({})).await;
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        if let Ok(mut child) = self.child.lock() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Where a sign-in through the provider ended: the console (`/`) or the login page with a refusal code, and the
/// browser (cookies included) it ended in.
pub struct SignedIn {
    pub location: String,
    pub browser: Client,
    /// The callback URL the provider sent the browser to (code and state), to replay.
    pub callback: String,
}

impl SignedIn {
    pub fn refusal(&self) -> Option<String> {
        self.location.strip_prefix("/login?sign_in_error=").map(str::to_string)
    }
}

impl TestApp {
    /// Sign in through the provider as a browser does: to the provider, its login form as `login`, back to the
    /// callback. Redirects are followed by hand so each hop can be seen.
    pub async fn sign_in_via_idp(&self, login: &str) -> SignedIn {
        let (browser, reached) = self.to_callback(login).await;
        let Ok(callback) = reached else {
            return SignedIn { location: reached.unwrap_err(), browser, callback: String::new() };
        };
        let location = browser.follow(&callback).await;
        SignedIn { location, browser, callback }
    }

    /// A sign-in up to the provider sending the browser back: the browser and the callback URL (code and state),
    /// or what the provider answered instead.
    pub async fn to_callback(&self, login: &str) -> (Client, Result<String, String>) {
        let browser = Client {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            ..self.anonymous()
        };
        let issuer = self.idp.as_ref().expect("idp").issuer.clone();
        let r = browser.http.get(format!("{}/api/v1/auth/oidc/login", self.base)).send().await.expect("start");
        assert_eq!(r.status(), StatusCode::FOUND);
        let mut url = location(&r, &self.base);
        for _ in 0..10 {
            if url.starts_with(&format!("{}/api/v1/auth/oidc/callback", self.base)) {
                return (browser, Ok(url));
            }
            if !url.starts_with(&issuer) {
                return (browser, Err(url.replacen(&self.base, "", 1)));
            }
            let r = if url.contains("/interaction/") {
                // The provider's login form: post the user name to it.
                let form = browser.http.get(&url).send().await.expect("form").text().await.expect("form text");
                let action = form.split("action=\"").nth(1).and_then(|a| a.split('"').next()).expect("form action");
                browser.http.post(format!("{issuer}{action}")).form(&[("login", login)]).send().await.expect("login")
            } else {
                browser.http.get(&url).send().await.expect("provider")
            };
            if !r.status().is_redirection() {
                let status = r.status();
                let text = r.text().await.unwrap_or_default();
                return (browser, Err(format!("provider answered {status}: {text}")));
            }
            url = location(&r, &issuer);
        }
        panic!("sign-in did not come back");
    }
}

impl Client {
    /// GET a URL without following its redirect: where it points (relative to this server).
    pub async fn follow(&self, url: &str) -> String {
        let r = self.http.get(url).send().await.expect("get");
        assert_eq!(r.status(), StatusCode::FOUND, "{url}");
        location(&r, "")
    }
}

fn location(r: &reqwest::Response, base: &str) -> String {
    let l = r.headers().get("location").and_then(|v| v.to_str().ok()).expect("location").to_string();
    if l.starts_with('/') {
        format!("{base}{l}")
    } else {
        l
    }
}

/// A real SMTP server on a free local port that keeps every message it receives.
#[derive(Clone)]
pub struct SmtpSink {
    pub addr: SocketAddr,
    mails: Arc<Mutex<Vec<ReceivedMail>>>,
}

#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    /// The whole message as sent (headers and MIME parts).
    pub data: String,
}

impl ReceivedMail {
    /// The Subject header, unfolded (long headers continue on lines that start with white space).
    pub fn subject(&self) -> String {
        let mut lines = self.data.lines().skip_while(|l| !l.starts_with("Subject: "));
        let Some(first) = lines.next() else {
            return String::new();
        };
        let mut subject = first.trim_start_matches("Subject: ").to_string();
        for more in lines.take_while(|l| l.starts_with(' ') || l.starts_with('\t')) {
            subject.push_str(more.trim_start_matches('\t'));
        }
        subject
    }
}

#[derive(Clone)]
struct SinkHandler {
    mails: Arc<Mutex<Vec<ReceivedMail>>>,
    current: Option<ReceivedMail>,
}

impl mailin_embedded::Handler for SinkHandler {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> mailin_embedded::Response {
        self.current = Some(ReceivedMail { from: from.to_string(), to: to.to_vec(), data: String::new() });
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(m) = self.current.as_mut() {
            m.data.push_str(&String::from_utf8_lossy(buf));
        }
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        if let Some(m) = self.current.take() {
            self.mails.lock().expect("sink lock").push(m);
        }
        mailin_embedded::response::OK
    }
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind SMTP sink");
        let addr = listener.local_addr().expect("sink addr");
        let mails = Arc::new(Mutex::new(Vec::new()));
        let mut server = mailin_embedded::Server::new(SinkHandler { mails: mails.clone(), current: None });
        // Each server instance's mail pool keeps a connection open (a sink thread each), so leave plenty.
        server.with_name("sink.test").with_num_threads(16).with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        SmtpSink { addr, mails }
    }

    pub fn received(&self) -> Vec<ReceivedMail> {
        self.mails.lock().expect("sink lock").clone()
    }
}

/// A browser-like client: keeps the session cookie and sends the CSRF token on writes. A clone shares the cookies.
#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Reply {
    /// The paths of the field errors in an error body.
    pub fn field_paths(&self) -> Vec<String> {
        self.body["error"]["fields"]
            .as_array()
            .map(|f| f.iter().filter_map(|e| e["path"].as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }
}

impl TestApp {
    pub fn anonymous(&self) -> Client {
        Client::at(&self.base)
    }

    pub async fn login(&self, email: &str) -> Client {
        let mut c = self.anonymous();
        let r = c.send(Method::POST, "/api/v1/session", Some(json!({"email": email, "password": PASSWORD}))).await;
        assert_eq!(r.status, StatusCode::OK, "login {email}: {}", r.body);
        c.csrf = r.body["csrf_token"].as_str().map(str::to_string);
        c
    }

    pub async fn admin(&self) -> Client {
        self.login("admin@example.com").await
    }

    pub async fn owner(&self) -> Client {
        self.login("owner@example.com").await
    }

    pub async fn finance(&self) -> Client {
        self.login("finance@example.com").await
    }

    pub async fn approver(&self) -> Client {
        self.login("approver@example.com").await
    }

    /// Ledger length, to prove a rejected request wrote nothing.
    pub async fn ledger_len(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM ledger_entries").fetch_one(&self.db.read).await.expect("count")
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&self.db.read).await.expect("count")
    }

    /// The id of a demo pool by name.
    pub async fn pool_id(&self, name: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM pools WHERE name = $1")
            .bind(name)
            .fetch_one(&self.db.read)
            .await
            .unwrap_or_else(|e| panic!("pool {name}: {e}"))
    }

    pub async fn id_of_owned(&self, sql: String) -> i64 {
        self.id_of(&sql).await
    }

    /// Run one statement on the database directly (to set up a state the API would refuse).
    pub async fn exec(&self, sql: &str) {
        sqlx::query(sql).execute(&self.db.write).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Drop the demo contracts so a test sees only its own.
    pub async fn clear_contracts(&self) {
        for sql in [
            "UPDATE pools SET contract_id = NULL",
            "DELETE FROM outbox",
            "DELETE FROM alert_recipients",
            "DELETE FROM alerts",
            "DELETE FROM contract_watchers",
            "DELETE FROM contract_terms",
            "DELETE FROM contracts",
        ] {
            self.exec(sql).await;
        }
    }

    /// Run an `INSERT ... RETURNING id` on the database directly.
    pub async fn insert(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(&self.db.write).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    pub async fn id_of(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(&self.db.read).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
}

impl Client {
    /// A client with no session, for a server at `base`.
    pub fn at(base: &str) -> Client {
        Client {
            http: reqwest::Client::builder().cookie_store(true).build().expect("client"),
            base: base.to_string(),
            csrf: None,
            bearer: None,
        }
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.send_with(method, path, body, &[]).await
    }

    /// `send` with extra request headers (`If-Match`, say).
    pub async fn send_with(&self, method: Method, path: &str, body: Option<Value>, headers: &[(&str, &str)]) -> Reply {
        let mut req = self.http.request(method.clone(), format!("{}{path}", self.base));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if let Some(t) = &self.csrf {
            if method != Method::GET {
                req = req.header("X-CSRF-Token", t);
            }
        }
        if let Some(b) = &self.bearer {
            req = req.bearer_auth(b);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply { status, body, headers }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None).await
    }

    /// Raw bytes with a content type, for malformed-input tests.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
        let mut req = self.http.post(format!("{}{path}", self.base)).header("content-type", content_type).body(body);
        if let Some(t) = &self.csrf {
            req = req.header("X-CSRF-Token", t);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        Reply { status, body: serde_json::from_str(&text).unwrap_or(Value::String(text)), headers }
    }
}

/// A valid pool body for a department, by the demo's ids.
pub async fn pool_body(app: &TestApp, name: &str, department: &str) -> Value {
    let product_id = app.id_of("SELECT id FROM products WHERE name = 'Jira'").await;
    let department_id = app.id_of(&format!("SELECT id FROM departments WHERE name = '{department}'")).await;
    let cost_centre_id = app.id_of("SELECT id FROM cost_centres WHERE code = 'CC-100'").await;
    json!({
        "name": name,
        "product_id": product_id,
        "tier": "premium",
        "license_type": "per_user",
        "seats_purchased": 10,
        "unit_cost": {"amount_minor": 1600, "currency": "USD"},
        "billing_period": "monthly",
        "cost_centre_id": cost_centre_id,
        "department_id": department_id,
        "contract_start": "2026-01-01",
        "contract_end": "2026-12-31",
        "auto_renew": true,
        "notice_days": 30
    })
}

/// A log sink for one test: the server's own log pipeline, writing to memory.
#[derive(Clone, Default)]
pub struct LogSink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("sink").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogSink {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("sink")).to_string()
    }

    /// Capture the server's log lines (the `pretty` format) on this thread until the guard is dropped. Use it
    /// on a current-thread runtime, where the server runs on the test's thread.
    pub fn capture() -> (LogSink, tracing::subscriber::DefaultGuard) {
        let sink = LogSink::default();
        let writer = sink.clone();
        let subscriber = seatwise_server::telemetry::log_subscriber(
            "pretty",
            tracing_subscriber::EnvFilter::new("info"),
            false,
            move || writer.clone(),
        );
        let guard = tracing::subscriber::set_default(subscriber);
        // A callsite first reached by another test while no subscriber of this thread listened may have cached
        // "nobody listens"; recompute with this one in place.
        tracing::callsite::rebuild_interest_cache();
        (sink, guard)
    }
}

/// A real SCIM 2.0 server (PyPI's scim2-server, pinned in tests/connectors, installed by `scripts/setup.sh test`) on
/// a free port, accepting one bearer token; stopped when dropped.
pub struct ScimPeer {
    pub base: String,
    child: std::process::Child,
}

impl ScimPeer {
    pub async fn start(token: &str) -> ScimPeer {
        let target =
            std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| format!("{}/../target", env!("CARGO_MANIFEST_DIR")));
        let bin = format!("{target}/tools/scim-server-venv/bin/scim2-server");
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("free port").local_addr().expect("addr").port();
        let mut child = std::process::Command::new(&bin)
            .args(["--hostname", "127.0.0.1", "--port", &port.to_string(), "--bearer-token", token])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{bin} did not start ({e}): run scripts/setup.sh test"));
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..200 {
            if http.get(format!("{base}/ServiceProviderConfig")).send().await.is_ok() {
                return ScimPeer { base, child };
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("scim2-server did not answer on {base}");
    }
}

impl Drop for ScimPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
