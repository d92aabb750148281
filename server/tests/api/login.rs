//! Login throttling (atomic budgets, device cookies, per-address limits), the password-hash cap, and hostile
//! text in calendar feeds and e-mail headers (logs: `tests/logs.rs`).

use std::net::SocketAddr;

use reqwest::StatusCode;
use seatwise_server::state::{AppState, Settings};
use serde_json::json;

use crate::common::{spawn, spawn_opts, Options, TestApp, PASSWORD};

/// Another server on this app's database and clock, with its own settings.
async fn server_with(app: &TestApp, settings: Settings) -> (String, AppState) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    let base = format!("http://{addr}");
    let settings = Settings { public_url: base.clone(), ..settings };
    let state = AppState::new(app.db.clone(), app.clock.clone(), settings);
    let serve = state.clone();
    tokio::spawn(async move {
        let _ = seatwise_server::app::serve(serve, listener).await;
    });
    (base, state)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).build().expect("client")
}

async fn try_login(http: &reqwest::Client, base: &str, email: &str, password: &str) -> reqwest::Response {
    http.post(format!("{base}/api/v1/session"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("request")
}

/// The device cookie a successful login set, as `name=value`.
fn device_cookie(r: &reqwest::Response) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("seatwise_device="))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
        .expect("a device cookie")
}

async fn statuses<F>(futures: Vec<F>) -> Vec<reqwest::Response>
where
    F: std::future::Future<Output = reqwest::Response> + Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_passwords_are_limited_atomically_across_instances() {
    let app = spawn().await;
    let other = app.another_instance().await;
    let limit = app.state.settings.login_max_failures;
    let attempts: Vec<_> = (0..30)
        .map(|i| {
            let base = if i % 2 == 0 { app.base.clone() } else { other.base.clone() };
            async move { try_login(&client(), &base, "owner@example.com", "wrong password").await }
        })
        .collect();
    let replies = statuses(attempts).await;
    let evaluated = replies.iter().filter(|r| r.status() == StatusCode::UNAUTHORIZED).count();
    let limited: Vec<_> = replies.iter().filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS).collect();
    assert_eq!(evaluated as i64, limit, "exactly the limit is evaluated, on two instances at once");
    assert_eq!(evaluated + limited.len(), 30);
    for r in &limited {
        let secs: u64 = r.headers()["retry-after"].to_str().expect("text").parse().expect("seconds");
        assert!((1..=900).contains(&secs), "{secs}");
    }
    // The budget is spent: even the right password from an unknown client waits for the window.
    let r = try_login(&client(), &app.base, "owner@example.com", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    app.clock.advance(chrono::Duration::minutes(16));
    let r = try_login(&client(), &app.base, "owner@example.com", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_known_device_logs_in_while_strangers_are_locked_out() {
    let app = spawn().await;
    let admin = "admin@example.com";
    // The real admin logged in from this browser before: it carries a device cookie.
    let known = client();
    let first = try_login(&known, &app.base, admin, PASSWORD).await;
    assert_eq!(first.status(), StatusCode::OK);
    let cookie = device_cookie(&first);
    let set = first.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>();
    let device_set = set.iter().find(|c| c.starts_with("seatwise_device=")).expect("device cookie");
    assert!(device_set.contains("HttpOnly") && device_set.contains("SameSite=Lax"), "{device_set}");
    assert!(device_set.contains("Max-Age=") && device_set.contains("Path=/api/v1/session"), "{device_set}");

    // Anonymous guessing from elsewhere: five are evaluated, then the account is closed to unknown clients.
    let attacker = client();
    for _ in 0..5 {
        assert_eq!(
            try_login(&attacker, &app.base, admin, "guess guess guess").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        try_login(&attacker, &app.base, admin, "guess guess guess").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(try_login(&client(), &app.base, admin, PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS);

    // The real admin, with the device cookie, is not locked out.
    let again = try_login(&known, &app.base, admin, PASSWORD).await;
    assert_eq!(again.status(), StatusCode::OK, "{:?}", again.text().await);

    // A device cookie with a bad signature, or one issued for another account, is an unknown client.
    let (name_value, signature) = cookie.rsplit_once('.').expect("signed");
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    let forged = format!("{name_value}.{flipped}{}", &signature[1..]);
    let owner_login = try_login(&client(), &app.base, "owner@example.com", PASSWORD).await;
    let owners_cookie = device_cookie(&owner_login);
    for cookie in [forged, owners_cookie] {
        let r = reqwest::Client::new()
            .post(format!("{}/api/v1/session", app.base))
            .header("cookie", &cookie)
            .json(&json!({"email": admin, "password": PASSWORD}))
            .send()
            .await
            .expect("request");
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "{cookie}");
    }

    // The device has a budget of its own: its failures lock out that device only.
    for _ in 0..5 {
        assert_eq!(try_login(&known, &app.base, admin, "typo typo typo").await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(try_login(&known, &app.base, admin, PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS);
    let other_device = client();
    app.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(try_login(&other_device, &app.base, admin, PASSWORD).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn failures_from_one_address_are_limited_across_accounts() {
    let app = spawn().await;
    let settings = Settings { login_max_failures_per_address: 6, ..Settings::default() };
    let (base, _) = server_with(&app, settings).await;
    let known = client();
    assert_eq!(try_login(&known, &base, "finance@example.com", PASSWORD).await.status(), StatusCode::OK);
    // Guessing across accounts, two tries each (never an account's limit), with a made-up X-Forwarded-For each
    // time: the header is not trusted, so the budget is the peer address's.
    let guess = |i: usize| {
        let base = base.clone();
        async move {
            reqwest::Client::new()
                .post(format!("{base}/api/v1/session"))
                .header("x-forwarded-for", format!("198.51.100.{i}"))
                .json(&json!({"email": format!("user{}@example.com", i / 2), "password": "guess guess guess"}))
                .send()
                .await
                .expect("request")
                .status()
        }
    };
    for i in 0..6 {
        assert_eq!(guess(i).await, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    assert_eq!(guess(6).await, StatusCode::TOO_MANY_REQUESTS);
    let r = try_login(&client(), &base, "owner@example.com", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "a new account from the same address");
    assert!(r.headers().contains_key("retry-after"));
    // A known device is not held back by its address.
    assert_eq!(try_login(&known, &base, "finance@example.com", PASSWORD).await.status(), StatusCode::OK);

    // Behind a proxy the operator trusts, the forwarded address is the client.
    let proxied = Settings {
        login_max_failures_per_address: 6,
        trusted_proxies: vec!["127.0.0.1".parse().expect("ip")],
        ..Settings::default()
    };
    let (base, _) = server_with(&app, proxied).await;
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/session"))
        .header("x-forwarded-for", "203.0.113.50")
        .json(&json!({"email": "owner@example.com", "password": PASSWORD}))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::OK, "another client address has its own budget");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn password_hashes_are_capped_and_excess_logins_are_turned_away() {
    let app = spawn().await;
    // One hash at a time and no patience: a burst is answered 503 with Retry-After, never run in parallel.
    let (base, state) =
        server_with(&app, Settings { hash_concurrency: 1, hash_wait_ms: 0, ..Settings::default() }).await;
    let burst: Vec<_> = (0..8)
        .map(|i| {
            let base = base.clone();
            async move { try_login(&client(), &base, &format!("flood{i}@example.com"), "guess guess guess").await }
        })
        .collect();
    let replies = statuses(burst).await;
    let busy: Vec<_> = replies.iter().filter(|r| r.status() == StatusCode::SERVICE_UNAVAILABLE).collect();
    assert!(!busy.is_empty(), "eight at once with one slot");
    assert!(busy.iter().all(|r| r.headers().contains_key("retry-after")));
    assert!(replies.iter().all(|r| [StatusCode::UNAUTHORIZED, StatusCode::SERVICE_UNAVAILABLE].contains(&r.status())));
    assert_eq!(state.hasher.peak(), 1);

    // With time to wait, they queue: all evaluated, still one at a time.
    let (base, state) =
        server_with(&app, Settings { hash_concurrency: 1, hash_wait_ms: 30_000, ..Settings::default() }).await;
    let burst: Vec<_> = (0..6)
        .map(|i| {
            let base = base.clone();
            async move { try_login(&client(), &base, &format!("queue{i}@example.com"), "guess guess guess").await }
        })
        .collect();
    let replies = statuses(burst).await;
    assert!(replies.iter().all(|r| r.status() == StatusCode::UNAUTHORIZED));
    assert_eq!(state.hasher.peak(), 1);
    // Turned-away attempts were not counted as failures: the address budget only holds the evaluated ones.
    let spent: i64 = app
        .id_of("SELECT CAST(COALESCE(SUM(failures), 0) AS BIGINT) FROM login_throttle WHERE bucket LIKE 'addr:%'")
        .await;
    let evaluated = 8 - busy.len() as i64 + 6;
    assert_eq!(spent, evaluated);
}

#[tokio::test]
async fn hostile_titles_in_storage_do_not_forge_calendar_events() {
    let app = spawn().await;
    let owner = app.owner().await;
    let feed = owner.post("/api/v1/calendar/feed", json!({})).await;
    let url = feed.body["url"].as_str().expect("url").to_string();
    let fetch = || async { reqwest::get(&url).await.expect("feed").text().await.expect("text") };
    let parse = |text: &str| {
        let mut parser = ical::IcalParser::new(text.as_bytes());
        let cal = parser.next().expect("one calendar").expect("valid iCalendar");
        assert!(parser.next().is_none(), "exactly one calendar");
        cal.events
            .iter()
            .map(|e| {
                let p = |n: &str| e.properties.iter().find(|p| p.name == n).and_then(|p| p.value.clone());
                (p("UID").unwrap_or_default(), p("DTSTART").unwrap_or_default(), p("SUMMARY").unwrap_or_default())
            })
            .collect::<Vec<_>>()
    };
    let before = parse(&fetch().await);
    assert!(!before.is_empty());

    // Stored before any input check: a title that ends its line and starts a forged event, in every line-break
    // flavour, with NUL, ESC and a bidi override for good measure.
    let contract = app.id_of("SELECT contract_id FROM pools WHERE name = 'Figma Organization'").await;
    let hostile = "Figma\rEND:VEVENT\rBEGIN:VEVENT\rUID:forged\rDTSTART;VALUE=DATE:20261225\rSUMMARY:Forged\r\
                   \nEND:VEVENT\nBEGIN:VEVENT\nUID:forged2\nSUMMARY:Forged2\r\nX\u{1b}[2J\u{202e}evil";
    // PostgreSQL cannot store NUL in text at all; SQLite can, so it gets one too.
    let hostile = match app.db.backend {
        seatwise_server::db::Backend::Sqlite => format!("{hostile}\0nul"),
        seatwise_server::db::Backend::Postgres => hostile.to_string(),
    };
    sqlx::query("UPDATE contracts SET title = $1 WHERE id = $2")
        .bind(hostile)
        .bind(contract)
        .execute(&app.db.write)
        .await
        .expect("update");
    let text = fetch().await;
    let after = parse(&text);
    let uids = |events: &[(String, String, String)]| events.iter().map(|e| e.0.clone()).collect::<Vec<_>>();
    assert_eq!(uids(&after), uids(&before), "the same events, no forged one:\n{text}");
    assert!(after.iter().all(|e| !e.0.starts_with("forged") && !e.2.starts_with("Forged")), "{after:?}");
    assert!(!after.iter().any(|e| e.1 == "20261225"), "{after:?}");
    let figma = after.iter().find(|e| e.0.starts_with(&format!("contract-{contract}-"))).expect("figma event");
    assert!(figma.2.contains("Figma\\nEND:VEVENT\\nBEGIN:VEVENT"), "escaped in the summary: {:?}", figma.2);
    assert!(!text.contains('\0') && !text.contains('\u{1b}') && !text.contains('\u{202e}'));
    assert_eq!(text.matches('\r').count(), text.matches("\r\n").count(), "no bare CR");
    assert_eq!(text.matches('\n').count(), text.matches("\r\n").count(), "no bare LF");
}

#[tokio::test]
async fn hostile_titles_in_storage_do_not_add_mail_headers() {
    let app = spawn_opts(Options { demo: true, smtp: true, ..Default::default() }).await;
    sqlx::query("UPDATE contracts SET title = title || $1")
        .bind("\r\nBcc: evil@example.com\r\nX-Forged: 1\n\u{202e}")
        .execute(&app.db.write)
        .await
        .expect("update");
    let report = app.tick().await;
    assert!(report.renewals.as_ref().is_some_and(|r| r.alerts > 0), "{report:?}");
    app.tick().await;
    let mails = app.smtp.as_ref().expect("sink").received();
    assert!(!mails.is_empty(), "alert mail was sent");
    for m in &mails {
        assert!(!m.to.iter().any(|t| t.contains("evil")), "{:?}", m.to);
        let head = m.data.split("\r\n\r\n").next().unwrap_or_default();
        for line in head.split("\r\n") {
            let l = line.to_ascii_lowercase();
            assert!(!l.starts_with("bcc:") && !l.starts_with("x-forged:"), "forged header {line:?} in:\n{head}");
        }
        assert!(!m.subject().contains('\u{202e}'), "{:?}", m.subject());
    }
}
