//! Test harness: the real router on a fresh database (a SQLite file per test, or a fresh PostgreSQL database
//! per test when SEATWISE_TEST_DATABASE_URL points at a server), spoken to over HTTP.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use chrono::TimeZone;
use reqwest::{Method, StatusCode};
use seatwise_server::clock::ManualClock;
use seatwise_server::db::Db;
use seatwise_server::service::demo;
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
}

pub async fn spawn_opts(opts: Options) -> TestApp {
    let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
    let database_url = fresh_database(&dir).await;
    let smtp = opts.smtp.then(SmtpSink::start);
    let app = start(database_url, dir, smtp).await;
    if opts.demo {
        demo::seed(&app.state, PASSWORD).await.expect("seed demo data");
    }
    app
}

/// Start an app on an existing database: a fresh process as far as the server can tell (new connections, new
/// instance id, own clock), used for restarts and for a second instance beside the first.
async fn start(database_url: String, dir: Arc<tempfile::TempDir>, smtp: Option<SmtpSink>) -> TestApp {
    let db = Db::connect(&database_url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let clock = Arc::new(ManualClock::new(test_now()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    let base = format!("http://{addr}");
    let settings = Settings { public_url: base.clone(), ..Settings::default() };
    let mailer = smtp
        .as_ref()
        .map(|s| Mailer::from_url(&format!("smtp://{}", s.addr), "Seatwise <seatwise@example.com>").expect("mailer"));
    let state = AppState::new(db.clone(), clock.clone(), settings).with_mailer(mailer);
    let serve_state = state.clone();
    tokio::spawn(async move {
        let _ = seatwise_server::app::serve(serve_state, listener).await;
    });
    TestApp { base, db, database_url, clock, state, smtp, _dir: dir }
}

impl TestApp {
    /// Another server process on the same database (and the same SMTP sink), its clock where this one's is.
    pub async fn another_instance(&self) -> TestApp {
        let app = start(self.database_url.clone(), self._dir.clone(), self.smtp.clone()).await;
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
