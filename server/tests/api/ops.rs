//! Operations hardening: SCIM paths and tokens, Bearer reads beside the write lock, metrics access, security and
//! cache headers, request timeouts, bounded shutdown, import progress across instances.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use seatwise_server::state::{AppState, Settings};
use serde_json::{json, Value};

use crate::common::{spawn, Client, TestApp, PASSWORD};

/// Fails the test instead of hanging when something waits that must not.
async fn within<T>(what: &str, secs: u64, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), f).await.unwrap_or_else(|_| panic!("{what}: no answer in {secs} s"))
}

/// Poll until `check` holds, under a deadline that is the failure signal.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    within(what, 15, async {
        while !check().await {
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    })
    .await
}

/// Hold the write lock the way a long import apply does: SQLite's single writer (BEGIN IMMEDIATE) and, on
/// PostgreSQL, the ledger head and API token rows every ledgered write and token touch need.
async fn hold_write_lock(app: &TestApp) -> seatwise_server::db::Tx {
    let mut tx = app.db.begin().await.expect("begin");
    sqlx::query("UPDATE ledger_head SET seq = seq WHERE id = 1").execute(&mut *tx).await.expect("lock ledger");
    sqlx::query("UPDATE api_tokens SET name = name").execute(&mut *tx).await.expect("lock tokens");
    tx
}

/// A second server on this app's database with other settings, reached at the returned base URL.
async fn serve_with(app: &TestApp, settings: Settings) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let state = AppState::new(app.db.clone(), app.clock.clone(), settings);
    tokio::spawn(async move {
        let _ = seatwise_server::app::serve(state, listener).await;
    });
    base
}

fn at(app: &TestApp, base: &str) -> Client {
    let mut c = app.anonymous();
    c.base = base.to_string();
    c
}

async fn login_at(app: &TestApp, base: &str, email: &str) -> Client {
    let mut c = at(app, base);
    let r = c.post("/api/v1/session", json!({"email": email, "password": PASSWORD})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    c.csrf = r.body["csrf_token"].as_str().map(str::to_string);
    c
}

async fn scim_token(admin: &Client, name: &str) -> (i64, String) {
    let r = admin.post("/api/v1/scim/tokens", json!({"name": name})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    (r.body["id"].as_i64().unwrap(), r.body["token"].as_str().unwrap().to_string())
}

fn bearer(app: &TestApp, token: &str) -> Client {
    let mut c = app.anonymous();
    c.bearer = Some(token.to_string());
    c
}

async fn scim_user(scim: &Client, email: &str) -> i64 {
    let user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": email,
        "name": {"givenName": "Pat", "familyName": "Lee"}, "active": true});
    let r = scim.post("/scim/v2/Users", user).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().unwrap().parse().unwrap()
}

async fn patch(scim: &Client, id: i64, ops: Value) -> crate::common::Reply {
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops});
    scim.send(Method::PATCH, &format!("/scim/v2/Users/{id}"), Some(body)).await
}

#[tokio::test]
async fn a_40_kb_scim_path_is_invalid_path_and_the_server_stays_up() {
    let app = spawn().await;
    let (_, token) = scim_token(&app.admin().await, "entra").await;
    let scim = bearer(&app, &token);
    let id = scim_user(&scim, "deep.path@example.com").await;
    let deep = vec!["name"; 20_000].join(".");
    assert!(deep.len() > 40_000);
    let r = within("deep path", 10, patch(&scim, id, json!([{"op": "replace", "path": deep, "value": "x"}]))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body["scimType"], "invalidPath");
    assert_eq!(r.headers["content-type"], "application/scim+json");
    // Still serving, and the user is unchanged.
    let user = scim.get(&format!("/scim/v2/Users/{id}")).await;
    assert_eq!(user.status, StatusCode::OK);
    assert_eq!(user.body["name"]["givenName"], "Pat");
}

#[tokio::test]
async fn unknown_scim_attributes_are_refused_not_ignored() {
    let app = spawn().await;
    let (_, token) = scim_token(&app.admin().await, "okta").await;
    let scim = bearer(&app, &token);
    let id = scim_user(&scim, "unknown.attr@example.com").await;
    let ledger = app.ledger_len().await;
    for ops in [
        json!([{"op": "replace", "path": "favouriteColour", "value": "red"}]),
        json!([{"op": "replace", "path": "name.nickname", "value": "P"}]),
        json!([{"op": "add", "path": "urn:example:custom:1.0:User:shoeSize", "value": 44}]),
        json!([{"op": "replace", "value": {"displayName": "Pat L", "favouriteColour": "red"}}]),
        json!([{"op": "replace", "path": "displayName.first", "value": "x"}]),
    ] {
        let r = patch(&scim, id, ops.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{ops}: {}", r.body);
        assert_eq!(r.body["scimType"], "invalidPath", "{ops}");
    }
    let none = patch(&scim, id, json!([{"op": "remove", "path": "emails[type eq \"home\"]"}])).await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST, "{}", none.body);
    assert_eq!(none.body["scimType"], "noTarget");
    assert_eq!(app.ledger_len().await, ledger, "a refused patch changes nothing");
    assert_eq!(scim.get(&format!("/scim/v2/Users/{id}")).await.body["displayName"], Value::Null);

    // Known attributes of the schema, its enterprise extension and value filters still work.
    let ok = patch(
        &scim,
        id,
        json!([
            {"op": "replace", "path": "displayName", "value": "Pat Lee"},
            {"op": "add", "path": "emails[type eq \"work\"].value", "value": "unknown.attr@example.com"},
            {"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
             "value": "Sales"},
            {"op": "replace", "path": "title", "value": "Engineer"}
        ]),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["displayName"], "Pat Lee");
    assert_eq!(ok.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"], "Sales");
    assert_eq!(ok.body["emails"][0]["value"], "unknown.attr@example.com");
}

#[tokio::test]
async fn deeply_nested_scim_filters_are_invalid_filter() {
    let app = spawn().await;
    let (_, token) = scim_token(&app.admin().await, "entra").await;
    let scim = bearer(&app, &token);
    scim_user(&scim, "filtered@example.com").await;
    let deep = format!("{}userName eq \"filtered@example.com\"{}", "(".repeat(5_000), ")".repeat(5_000));
    let r = scim.post("/scim/v2/Users/.search", json!({"filter": deep})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body["scimType"], "invalidFilter");
    let r = scim.post("/scim/v2/Users/.search", json!({"filter": "userName eq \"x\" or (userName eq \"y\")"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["scimType"], "invalidFilter");
    let found = scim.post("/scim/v2/Users/.search", json!({"filter": "(userName eq \"filtered@example.com\")"})).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert_eq!(found.body["totalResults"], 1);
}

#[tokio::test]
async fn scim_tokens_belong_to_the_organisation() {
    let app = spawn().await;
    let first = app.admin().await;
    let created = first
        .post(
            "/api/v1/users",
            json!({"email": "second.admin@example.com", "name": "Second Admin", "password": PASSWORD,
                "roles": ["admin"], "department_ids": []}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let first_id = app.id_of("SELECT id FROM users WHERE email = 'admin@example.com'").await;
    let (id, token) = scim_token(&first, "entra").await;
    let second = app.login("second.admin@example.com").await;

    let listed = second.get("/api/v1/scim/tokens").await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let mine = listed.body.as_array().unwrap().iter().find(|t| t["id"] == id).cloned().expect("listed");
    assert_eq!(mine["name"], "entra");
    assert_eq!(mine["created_by"], "admin@example.com");
    assert!(mine["created_at"].is_string());
    assert_eq!(mine["last_used_at"], Value::Null);

    // The creator stops being an admin: the credential is the organisation's and keeps working.
    let demote = second.put(&format!("/api/v1/users/{first_id}/roles"), json!({"roles": ["finance"]})).await;
    assert_eq!(demote.status, StatusCode::OK, "{}", demote.body);
    let scim = bearer(&app, &token);
    assert_eq!(scim.get("/scim/v2/Users").await.status, StatusCode::OK);
    eventually("last use recorded", || async {
        let listed = second.get("/api/v1/scim/tokens").await;
        listed.body.as_array().unwrap().iter().any(|t| t["id"] == id && t["last_used_at"].is_string())
    })
    .await;
    assert_eq!(first.get("/api/v1/scim/tokens").await.status, StatusCode::FORBIDDEN);
    assert_eq!(first.delete(&format!("/api/v1/scim/tokens/{id}")).await.status, StatusCode::FORBIDDEN);
    let owner = app.owner().await;
    assert_eq!(owner.get("/api/v1/scim/tokens").await.status, StatusCode::FORBIDDEN);
    assert_eq!(owner.delete(&format!("/api/v1/scim/tokens/{id}")).await.status, StatusCode::FORBIDDEN);

    // Another admin revokes it: ledgered, and the token stops working.
    assert_eq!(second.delete(&format!("/api/v1/scim/tokens/{id}")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(scim.get("/scim/v2/Users").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(second.delete(&format!("/api/v1/scim/tokens/{id}")).await.status, StatusCode::NOT_FOUND);
    assert!(second.get("/api/v1/scim/tokens").await.body.as_array().unwrap().iter().all(|t| t["id"] != id));
    let entries: Vec<(String, String)> = sqlx::query_as(
        "SELECT action, actor FROM ledger_entries WHERE record_type = 'token' AND record_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(&app.db.read)
    .await
    .expect("ledger");
    assert_eq!(
        entries,
        vec![
            ("token.create".to_string(), "admin@example.com".to_string()),
            ("token.revoke".to_string(), "second.admin@example.com".to_string())
        ]
    );
}

#[tokio::test]
async fn bearer_reads_do_not_wait_for_the_write_lock() {
    let app = spawn().await;
    let admin = app.admin().await;
    let created = admin.post("/api/v1/tokens", json!({"name": "script"})).await;
    let id = created.body["id"].as_i64().unwrap();
    let script = bearer(&app, created.body["token"].as_str().unwrap());
    let lock = hold_write_lock(&app).await;
    let me = within("Bearer read while the write lock is held", 5, script.get("/api/v1/me")).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    let pools = within("Bearer list while the write lock is held", 5, script.get("/api/v1/pools")).await;
    assert_eq!(pools.status, StatusCode::OK);
    drop(lock);
    eventually("last use written after the lock is released", || async {
        let used: Option<String> = sqlx::query_scalar("SELECT last_used_at FROM api_tokens WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db.read)
            .await
            .expect("token");
        used.is_some()
    })
    .await;
}

#[tokio::test]
async fn metrics_need_a_token_on_the_main_listener() {
    let app = spawn().await;
    let open = app.anonymous().get("/metrics").await;
    assert_eq!(open.status, StatusCode::NOT_FOUND, "no token and no metrics listener: not served");
    let settings = Settings { metrics_token: Some("m3trics-s3cret".into()), ..Settings::default() };
    let base = serve_with(&app, settings).await;
    assert_eq!(at(&app, &base).get("/metrics").await.status, StatusCode::UNAUTHORIZED);
    let mut wrong = at(&app, &base);
    wrong.bearer = Some("guess".into());
    assert_eq!(wrong.get("/metrics").await.status, StatusCode::UNAUTHORIZED);
    let mut right = at(&app, &base);
    right.bearer = Some("m3trics-s3cret".into());
    let ok = right.get("/metrics").await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.headers["content-type"].to_str().unwrap().starts_with("text/plain"));
    // A user's API token is not a metrics token.
    let token = app.admin().await.post("/api/v1/tokens", json!({"name": "t"})).await;
    let mut api = at(&app, &base);
    api.bearer = token.body["token"].as_str().map(str::to_string);
    assert_eq!(api.get("/metrics").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn hsts_over_https_and_no_store_on_api_answers() {
    let app = spawn().await;
    let admin = app.admin().await;
    let me = admin.get("/api/v1/me").await;
    assert_eq!(me.headers["cache-control"], "no-store");
    assert!(me.headers.get("strict-transport-security").is_none(), "plain http: no HSTS");
    let pools = admin.get("/api/v1/pools").await;
    assert_eq!(pools.headers["cache-control"], "no-store");
    let page = app.anonymous().get("/pools").await;
    assert_ne!(page.headers.get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"));

    let base =
        serve_with(&app, Settings { public_url: "https://seatwise.example.com".into(), ..Settings::default() }).await;
    let r = at(&app, &base).get("/healthz").await;
    assert_eq!(r.headers["strict-transport-security"], "max-age=31536000; includeSubDomains");
    let me = login_at(&app, &base, "admin@example.com").await.get("/api/v1/me").await;
    assert_eq!(me.headers["cache-control"], "no-store");
    assert!(me.headers.contains_key("strict-transport-security"));
}

#[tokio::test]
async fn requests_stop_at_the_request_timeout() {
    let app = spawn().await;
    let settings = Settings { request_timeout: Duration::from_millis(1_000), ..Settings::default() };
    let base = serve_with(&app, settings).await;
    // Log in on the usual server (a password hash may take longer than this timeout on a busy machine); the
    // session cookie is the same database's and works on both.
    let mut admin = app.admin().await;
    admin.base = base.clone();
    let before = app.count("api_tokens").await;
    let lock = hold_write_lock(&app).await;
    let r = within("a write behind a held lock", 10, admin.post("/api/v1/tokens", json!({"name": "late"}))).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "timeout");
    drop(lock);
    assert_eq!(app.count("api_tokens").await, before, "the timed-out write was rolled back");
    assert_eq!(admin.get("/api/v1/me").await.status, StatusCode::OK);
}

#[tokio::test]
async fn import_progress_is_read_from_the_database_by_any_instance() {
    let app = spawn().await;
    let other = app.another_instance().await;
    let admin = app.admin().await;
    let path = format!("{}/../tests/fixtures/samples/hr-export.csv", env!("CARGO_MANIFEST_DIR"));
    let csv = std::fs::read_to_string(&path).expect("sample");
    let preview = admin.post_raw("/api/v1/imports/hr?filename=hr.csv", "text/csv", csv.into_bytes()).await;
    assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.body);
    let id = preview.body["id"].as_i64().unwrap();
    let watcher = other.admin().await;
    let progress = format!("/api/v1/imports/{id}/progress");

    // The apply on the first instance reports that it starts, then waits on the write lock.
    let lock = hold_write_lock(&app).await;
    let apply_path = format!("/api/v1/imports/{id}/apply");
    let running = tokio::spawn(async move { admin.post(&apply_path, json!({})).await });
    eventually("the other instance sees the running import", || async {
        let p = watcher.get(&progress).await.body;
        // "starting" on SQLite (the attempt waits for the write lock), a kind's phase on PostgreSQL.
        p["finished"] == false && p["phase"] != "previewed"
    })
    .await;
    drop(lock);
    let applied = within("apply after the lock is released", 30, running).await.expect("apply task");
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    let done = watcher.get(&progress).await.body;
    assert_eq!(done["finished"], true, "{done}");
    assert_eq!(done["done"], 9);
    assert_eq!(done["total"], 9);
}

/// Start the real binary on a fresh SQLite file; returns the child, the main base URL and the metrics URL.
fn start_binary(dir: &std::path::Path, grace_secs: u64) -> (std::process::Child, String, String) {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_seatwise"))
        .args(["--bind", "127.0.0.1:0", "--metrics-bind", "127.0.0.1:0", "--job-interval", "0"])
        .arg("--shutdown-grace")
        .arg(grace_secs.to_string())
        .arg("--database")
        .arg(format!("sqlite://{}/seatwise.db", dir.display()))
        .env("SEATWISE_ADMIN_EMAIL", "admin@example.com")
        .env("SEATWISE_ADMIN_PASSWORD", PASSWORD)
        .env_remove("SEATWISE_METRICS_TOKEN")
        .env_remove("DATABASE_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the server binary");
    let stdout = child.stdout.take().expect("stdout");
    let (mut base, mut metrics) = (None, None);
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line.expect("line");
        if let Some(url) = line.strip_prefix("Metrics are served at ") {
            metrics = Some(url.trim().to_string());
        }
        if let Some(url) = line.strip_prefix("Seatwise is running at ") {
            base = Some(url.trim().to_string());
            break;
        }
    }
    // Keep reading, so a later line never meets a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, base.expect("the server printed its address"), metrics.expect("the server printed its metrics address"))
}

#[tokio::test]
async fn sigterm_exits_within_the_grace_even_with_a_request_in_flight() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut child, base, metrics) = start_binary(dir.path(), 1);
    let http = reqwest::Client::new();
    assert_eq!(http.get(&metrics).send().await.expect("metrics").status(), StatusCode::OK);
    assert_eq!(http.get(format!("{base}/metrics")).send().await.expect("main").status(), StatusCode::NOT_FOUND);
    assert_eq!(http.get(format!("{base}/healthz")).send().await.expect("health").status(), StatusCode::OK);

    // Another process holds SQLite's write lock, so a login (which records the attempt) stays in flight.
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}/seatwise.db", dir.path().display());
    let mut holder = <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await.expect("connect");
    sqlx::query("BEGIN IMMEDIATE").execute(&mut holder).await.expect("take the write lock");
    let login = http
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"email": "admin@example.com", "password": "wrong password here"}))
        .send();
    let in_flight = tokio::spawn(login);
    // Let the request reach the server and block on the lock before the signal.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!in_flight.is_finished(), "the login is waiting on the lock");
    let status =
        std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("send SIGTERM");
    assert!(status.success());
    let started = std::time::Instant::now();
    let exited = tokio::task::spawn_blocking(move || {
        let deadline = std::time::Instant::now() + Duration::from_secs(6);
        loop {
            if let Some(code) = child.try_wait().expect("wait") {
                return Some(code);
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    })
    .await
    .expect("waiter");
    assert!(exited.is_some(), "the server did not exit within its 1 s grace (waited {:?})", started.elapsed());
    sqlx::query("ROLLBACK").execute(&mut holder).await.expect("release");
    let _ = in_flight.await;
}

/// An admin's session on a server binary started by `start_binary`.
async fn binary_admin(base: &str) -> Client {
    let mut c = Client::at(base);
    let r = c.post("/api/v1/session", json!({"email": "admin@example.com", "password": PASSWORD})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    c.csrf = r.body["csrf_token"].as_str().map(str::to_string);
    c
}

fn kill_9(child: &mut std::process::Child) {
    let status = std::process::Command::new("kill").args(["-KILL", &child.id().to_string()]).status().expect("kill");
    assert!(status.success());
    let _ = child.wait();
}

#[tokio::test]
async fn an_apply_cut_off_by_sigkill_keeps_nothing_and_reads_interrupted_after_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut child, base, _) = start_binary(dir.path(), 1);
    let admin = binary_admin(&base).await;
    // Large enough that the debug binary is still writing people when it is killed.
    let mut csv = String::from("employee_id,first_name,last_name,email,department,status\n");
    for i in 0..60_000 {
        csv.push_str(&format!("K{i},Kim,Number{i},kim.{i}@example.com,Dept {},active\n", i % 40));
    }
    let preview = admin.post_raw("/api/v1/imports/hr?filename=big.csv", "text/csv", csv.into_bytes()).await;
    assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.body);
    let id = preview.body["id"].as_i64().expect("import id");
    let people_before = admin.get("/api/v1/people?per_page=1").await.body["total"].clone();

    let apply_path = format!("/api/v1/imports/{id}/apply");
    let applying = {
        let admin = admin.clone();
        tokio::spawn(async move { admin.post(&apply_path, json!({})).await })
    };
    let progress = format!("/api/v1/imports/{id}/progress");
    eventually("the apply is writing people", || async {
        let p = admin.get(&progress).await.body;
        p["phase"] == "people" && p["done"].as_u64().unwrap_or(0) > 0 && p["finished"] == false
    })
    .await;
    let running = admin.get(&format!("/api/v1/imports/{id}")).await.body;
    assert_eq!(running["attempts"][0]["outcome"], "running", "{}", running["attempts"]);
    kill_9(&mut child);
    let _ = applying.await;
    // Quiet for more than two heartbeats: a process still shutting down would have beaten meanwhile.
    tokio::time::sleep(Duration::from_secs(11)).await;

    let (mut child, base, _) = start_binary(dir.path(), 1);
    let admin = binary_admin(&base).await;
    let after = admin.get(&format!("/api/v1/imports/{id}")).await.body;
    assert_eq!(after["status"], "previewed", "{after}");
    let attempts = after["attempts"].as_array().expect("attempts");
    assert_eq!(attempts.len(), 1, "{attempts:?}");
    assert_eq!(attempts[0]["outcome"], "interrupted");
    assert_eq!(attempts[0]["started_by"], "admin@example.com");
    assert_eq!(admin.get("/api/v1/people?per_page=1").await.body["total"], people_before, "nothing half done");

    let again = admin.post(&format!("/api/v1/imports/{id}/apply"), json!({})).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let done = admin.get(&format!("/api/v1/imports/{id}")).await.body;
    let outcomes: Vec<&str> =
        done["attempts"].as_array().expect("attempts").iter().filter_map(|a| a["outcome"].as_str()).collect();
    assert_eq!(outcomes, ["interrupted", "applied"]);
    kill_9(&mut child);
}

#[tokio::test]
async fn an_apply_stopped_by_its_timeout_is_recorded_as_failed_and_keeps_nothing() {
    let app = spawn().await;
    let mut admin = app.admin().await;
    let mut csv = String::from("employee_id,first_name,last_name,email,department,status\n");
    for i in 0..40_000 {
        csv.push_str(&format!("T{i},Tia,Number{i},tia.{i}@example.com,Dept {},active\n", i % 20));
    }
    let preview = admin.post_raw("/api/v1/imports/hr?filename=slow.csv", "text/csv", csv.into_bytes()).await;
    assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.body);
    let id = preview.body["id"].as_i64().unwrap();
    let import = format!("/api/v1/imports/{id}");
    let people = app.count("people").await;

    // The limit must fall after the attempt starts (reading the stored file comes first) and before the apply
    // ends. A loaded machine can spend the shortest limit before the start: then nothing began, and a longer
    // limit is tried.
    let mut started = false;
    for limit_ms in [500, 2_000, 6_000] {
        let settings = Settings { import_timeout: Duration::from_millis(limit_ms), ..Settings::default() };
        admin.base = serve_with(&app, settings).await;
        let r = within("an apply past its timeout", 60, admin.post(&format!("{import}/apply"), json!({}))).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
        let settled = within("the import reads back", 15, async {
            loop {
                let body = admin.get(&import).await.body;
                if body["attempts"][0]["outcome"] == "failed" || body["attempts"].as_array().is_some_and(Vec::is_empty)
                {
                    return body;
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        })
        .await;
        if settled["attempts"][0]["outcome"] == "failed" {
            started = true;
            break;
        }
    }
    assert!(started, "no limit fell inside the apply");
    let body = admin.get(&import).await.body;
    assert_eq!(body["status"], "previewed");
    let why = body["attempts"][0]["error"].as_str().unwrap();
    assert!(why.contains("stopped before it finished"), "{why}");
    assert_eq!(app.count("people").await, people, "nothing of it was kept");
}

/// Seats of generated people on a file: (pool id, person's e-mail), `n` of them, the same every run.
async fn seats_on_file(dir: &std::path::Path, n: usize) -> Vec<(i64, String)> {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}/seatwise.db", dir.display());
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await.expect("connect");
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT a.pool_id, p.email FROM seat_assignments a JOIN people p ON p.id = a.person_id ORDER BY a.id LIMIT $1",
    )
    .bind(n as i64)
    .fetch_all(&mut conn)
    .await
    .expect("seats");
    rows
}

async fn seat_count(admin: &Client) -> i64 {
    let summary = admin.get("/api/v1/inventory/summary").await;
    summary.body["seats_assigned"].as_i64().expect("seats assigned")
}

#[tokio::test]
async fn a_stage_cut_off_by_sigkill_keeps_nothing_reads_interrupted_and_applies_on_retry() {
    let dir = tempfile::tempdir().expect("temp dir");
    let generated = std::process::Command::new(env!("CARGO_BIN_EXE_seatwise"))
        .arg("--database")
        .arg(format!("sqlite://{}/seatwise.db", dir.path().display()))
        .args(["generate", "--people", "30000", "--pools", "40", "--assignments", "60000"])
        .env_remove("DATABASE_URL")
        .stdout(std::process::Stdio::null())
        .status()
        .expect("generate");
    assert!(generated.success());
    // Large enough that the debug binary is still inside the stage's transaction when it is killed.
    let n = 20_000;
    let seats = seats_on_file(dir.path(), n).await;
    assert_eq!(seats.len(), n);

    let (mut child, base, _) = start_binary(dir.path(), 1);
    let admin = binary_admin(&base).await;
    let created = admin
        .post("/api/v1/users", json!({"email": "approver@example.com", "name": "Ann Approver", "password": PASSWORD, "roles": ["approver"]}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let mut csv = String::from("op,pool,person\n");
    for (pool, email) in &seats {
        csv.push_str(&format!("unassign,{pool},{email}\n"));
    }
    let draft =
        admin.post_raw("/api/v1/change-requests/csv?title=Big&reason=Crash%20test", "text/csv", csv.into_bytes()).await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.body["errors"][0]);
    let id = draft.body["id"].as_i64().expect("id");
    assert_eq!(admin.post(&format!("/api/v1/change-requests/{id}/submit"), json!({})).await.status, StatusCode::OK);
    let mut approver = Client::at(&base);
    let login = approver.post("/api/v1/session", json!({"email": "approver@example.com", "password": PASSWORD})).await;
    approver.csrf = login.body["csrf_token"].as_str().map(str::to_string);
    let approved = approver.post(&format!("/api/v1/change-requests/{id}/approve"), json!({"comment": ""})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    let seats_before = seat_count(&admin).await;

    let applying = {
        let approver = approver.clone();
        let path = format!("/api/v1/change-requests/{id}/apply");
        tokio::spawn(async move { approver.post(&path, json!({})).await })
    };
    let progress = format!("/api/v1/change-requests/{id}/progress");
    eventually("the stage is inside its transaction", || async {
        let p = admin.get(&progress).await.body;
        // The phases inside the stage's transaction (before the apply starts it reads as the request's status).
        let inside = ["checking the rows again", "taking a snapshot", "changing seats and pools", "writing the ledger"];
        p["finished"] == false && inside.iter().any(|phase| p["phase"] == *phase)
    })
    .await;
    kill_9(&mut child);
    let _ = applying.await;
    // Quiet for more than two heartbeats: a process still shutting down would have beaten meanwhile.
    tokio::time::sleep(Duration::from_secs(11)).await;

    let (mut child, base, _) = start_binary(dir.path(), 1);
    let admin = binary_admin(&base).await;
    let after = admin.get(&format!("/api/v1/change-requests/{id}")).await.body;
    assert_eq!(after["status"], "approved", "the stage is not applied: {}", after["status"]);
    assert_eq!(after["applied_count"], 0);
    assert_eq!(after["attempts"].as_array().map(Vec::len), Some(1), "{}", after["attempts"]);
    assert_eq!(after["attempts"][0]["outcome"], "interrupted");
    assert_eq!(seat_count(&admin).await, seats_before, "nothing half done");
    let verified = admin.post("/api/v1/ledger/verify", json!({})).await;
    assert_eq!(verified.body["ok"], true, "{}", verified.body);

    let mut approver = Client::at(&base);
    let login = approver.post("/api/v1/session", json!({"email": "approver@example.com", "password": PASSWORD})).await;
    approver.csrf = login.body["csrf_token"].as_str().map(str::to_string);
    let again = approver.post(&format!("/api/v1/change-requests/{id}/apply"), json!({})).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body["error"]);
    assert_eq!(again.body["status"], "applied");
    let outcomes: Vec<&str> =
        again.body["attempts"].as_array().expect("attempts").iter().filter_map(|a| a["outcome"].as_str()).collect();
    assert_eq!(outcomes, ["interrupted", "applied"]);
    assert_eq!(seat_count(&admin).await, seats_before - n as i64);
    let done = admin.get(&progress).await.body;
    assert_eq!(done["finished"], true, "{done}");
    assert_eq!(done["done"], n);
    kill_9(&mut child);
}

/// A stage whose request hits the time limit while it waits for its row lock: the attempt's guard records it as
/// failed, nothing of the stage is kept, and it applies on the next try. PostgreSQL only: there the test can hold
/// the request's row while the attempt itself (which only references the row) is written; SQLite's single writer
/// would hold back the attempt too.
#[tokio::test]
async fn a_stage_stopped_by_its_timeout_is_recorded_as_failed_and_applies_on_the_next_try() {
    let app = spawn().await;
    if app.db.backend != seatwise_server::db::Backend::Postgres {
        return;
    }
    let (owner, approver) = (app.owner().await, app.approver().await);
    let jira = app.pool_id("Jira Software Premium").await;
    let seats = || app.id_of_owned(format!("SELECT seats_assigned FROM pools WHERE id = {jira}"));
    let before = seats().await;
    let people: Vec<i64> = sqlx::query_scalar("SELECT person_id FROM seat_assignments WHERE pool_id = $1 LIMIT 3")
        .bind(jira)
        .fetch_all(&app.db.read)
        .await
        .unwrap();
    let ops: Vec<Value> = people.iter().map(|p| json!({"op": "unassign", "pool_id": jira, "person_id": p})).collect();
    let r = owner.post("/api/v1/change-requests", json!({"title": "Held", "reason": "test", "operations": ops})).await;
    let id = r.body["id"].as_i64().unwrap();
    owner.post(&format!("/api/v1/change-requests/{id}/submit"), json!({})).await;
    approver.post(&format!("/api/v1/change-requests/{id}/approve"), json!({})).await;

    // Hold the request's row as its stage would.
    let mut holder = app.db.write.begin().await.unwrap();
    sqlx::query("UPDATE change_requests SET version = version WHERE id = $1")
        .bind(id)
        .execute(&mut *holder)
        .await
        .unwrap();
    // The row is held for as long as it takes, so a limit with room for a loaded machine costs nothing.
    let settings = Settings { import_timeout: Duration::from_millis(2_000), ..Settings::default() };
    let mut slow = approver.clone();
    slow.base = serve_with(&app, settings).await;
    let r =
        within("a stage past its timeout", 60, slow.post(&format!("/api/v1/change-requests/{id}/apply"), json!({})))
            .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    holder.rollback().await.unwrap();
    let request = format!("/api/v1/change-requests/{id}");
    eventually("the attempt is recorded as failed", || async {
        approver.get(&request).await.body["attempts"][0]["outcome"] == "failed"
    })
    .await;
    let body = approver.get(&request).await.body;
    assert_eq!((body["status"].as_str(), body["applied_count"].as_i64()), (Some("approved"), Some(0)));
    assert!(body["attempts"][0]["error"].as_str().is_some_and(|e| e.contains("stopped before it finished")));
    assert_eq!(seats().await, before, "nothing of it was kept");
    let r = approver.post(&format!("/api/v1/change-requests/{id}/apply"), json!({})).await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::OK, Some("applied")), "{}", r.body);
    assert_eq!(seats().await, before - 3);
}

/// `seatwise backup` copies a live SQLite database while an import is being applied: the copy opens, its ledger
/// verifies, and it holds the import whole or not at all. (PostgreSQL is copied with pg_dump, as the README says.)
#[tokio::test]
async fn a_backup_taken_during_an_import_restores_whole_and_verifies() {
    use seatwise_server::db::backup::{self, BackupError};
    let app = spawn().await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("backup.db");
    if app.db.backend == seatwise_server::db::Backend::Postgres {
        assert!(matches!(backup::sqlite_into(&app.db, &copy).await, Err(BackupError::Postgres)));
        return;
    }
    let admin = app.admin().await;
    let mut csv = String::from("employee_id,first_name,last_name,email,department,status,start_date\n");
    for n in 0..20_000 {
        csv.push_str(&format!("B{n},Backup,Person{n},backup{n}@example.com,Engineering,active,2024-01-01\n"));
    }
    let r = admin.post_raw("/api/v1/imports/hr?filename=hr.csv", "text/csv", csv.into_bytes()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    let count = |db: seatwise_server::db::Db| async move {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM people WHERE email LIKE 'backup%'")
            .fetch_one(&db.read)
            .await
            .unwrap()
    };
    let apply = {
        let admin = app.admin().await;
        tokio::spawn(async move { admin.post(&format!("/api/v1/imports/{id}/apply"), json!({})).await })
    };
    tokio::time::sleep(Duration::from_millis(150)).await;
    within("the backup", 60, backup::sqlite_into(&app.db, &copy)).await.unwrap();
    assert_eq!(within("the apply", 120, apply).await.unwrap().status, StatusCode::OK);
    assert!(matches!(backup::sqlite_into(&app.db, &copy).await, Err(BackupError::Exists)), "never overwritten");
    assert_eq!(count(app.db.clone()).await, 20_000);

    // Restored: opened where it lies, migrated (nothing to do), its ledger whole, the import in it all or not at all.
    let restored = seatwise_server::db::Db::connect(&format!("sqlite://{}", copy.display())).await.unwrap();
    restored.migrate().await.unwrap();
    let verified = seatwise_server::service::ledger::verify(&restored).await.unwrap();
    assert!(verified.ok, "{}", verified.message);
    let people = count(restored.clone()).await;
    assert!(people == 0 || people == 20_000, "{people} of the import's 20,000 people");
}
