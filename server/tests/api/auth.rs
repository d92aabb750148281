use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{self, spawn, spawn_with, PASSWORD};

#[tokio::test]
async fn login_sets_an_httponly_cookie_and_returns_the_session() {
    let app = spawn().await;
    let c = app.anonymous();
    let r = c.post("/api/v1/session", json!({"email": "Owner@Example.com", "password": PASSWORD})).await;
    assert_eq!(r.status, StatusCode::OK);
    let cookie = r.headers.get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP must not get Secure cookies");
    assert_eq!(r.body["user"]["email"], "owner@example.com");
    assert_eq!(r.body["roles"], json!(["license_owner"]));
    let depts: Vec<&str> =
        r.body["departments"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(depts, ["Design", "Engineering"]);
    assert!(r.body["csrf_token"].as_str().unwrap().len() > 20);

    let me = c.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["user"], r.body["user"]);
    assert_eq!(me.body["csrf_token"], r.body["csrf_token"]);

    // Behind a TLS-terminating proxy the cookie is Secure.
    let r = app
        .anonymous()
        .http
        .post(format!("{}/api/v1/session", app.base))
        .header("x-forwarded-proto", "https")
        .json(&json!({"email": "owner@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(r.headers()["set-cookie"].to_str().unwrap().contains("Secure"));
}

#[tokio::test]
async fn wrong_credentials_are_401_and_repeated_failures_are_rate_limited() {
    let app = spawn().await;
    let c = app.anonymous();
    let r = c.post("/api/v1/session", json!({"email": "owner@example.com", "password": "nope"})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body["error"]["code"], "invalid_credentials");
    let r = c.post("/api/v1/session", json!({"email": "nobody@example.com", "password": "nope"})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    for _ in 0..4 {
        c.post("/api/v1/session", json!({"email": "owner@example.com", "password": "nope"})).await;
    }
    // Five failures: even the right password is refused for the window.
    let r = c.post("/api/v1/session", json!({"email": "owner@example.com", "password": PASSWORD})).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.contains_key("retry-after"));
    // Other accounts are unaffected; after the window the account works again.
    app.login("finance@example.com").await;
    app.clock.advance(chrono::Duration::minutes(16));
    app.login("owner@example.com").await;
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = spawn().await;
    let c = app.owner().await;
    let out = c.delete("/api/v1/session").await;
    assert_eq!((out.status, &out.body), (StatusCode::OK, &serde_json::json!({"provider_logout_url": null})));
    assert_eq!(c.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn cookie_writes_need_the_csrf_token_but_bearer_writes_do_not() {
    let app = spawn().await;
    let mut c = app.admin().await;
    let good = c.csrf.clone();
    c.csrf = None;
    let r = c.post("/api/v1/vendors", json!({"name": "Csrf Corp"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body["error"]["code"], "csrf_failed");
    c.csrf = Some("wrong".into());
    assert_eq!(c.post("/api/v1/vendors", json!({"name": "Csrf Corp"})).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("vendors WHERE name = 'Csrf Corp'").await, 0);
    c.csrf = good;
    let token = c.post("/api/v1/tokens", json!({"name": "script"})).await;
    assert_eq!(token.status, StatusCode::CREATED);
    let secret = token.body["token"].as_str().unwrap().to_string();
    assert!(secret.starts_with("swp_"));

    let mut script = app.anonymous();
    script.bearer = Some(secret.clone());
    assert_eq!(script.post("/api/v1/vendors", json!({"name": "Bearer Corp"})).await.status, StatusCode::CREATED);
    let me = script.get("/api/v1/me").await;
    assert_eq!(me.body["user"]["email"], "admin@example.com");
    assert_eq!(me.body["csrf_token"], "");
}

#[tokio::test]
async fn personal_tokens_are_stored_hashed_listed_and_revocable() {
    let app = spawn().await;
    let c = app.finance().await;
    let created = c.post("/api/v1/tokens", json!({"name": "reports"})).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.body["id"].as_i64().unwrap();
    let secret = created.body["token"].as_str().unwrap().to_string();
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT token_hash FROM api_tokens").fetch_all(&app.db.read).await.unwrap();
    assert!(!stored.contains(&secret), "the secret itself must never be stored");

    let list = c.get("/api/v1/tokens").await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    assert!(list.body[0].get("token").is_none(), "the secret is shown once only");

    let mut script = app.anonymous();
    script.bearer = Some(secret);
    assert_eq!(script.get("/api/v1/pools").await.status, StatusCode::OK);
    // Someone else cannot revoke it.
    assert_eq!(app.owner().await.delete(&format!("/api/v1/tokens/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.delete(&format!("/api/v1/tokens/{id}")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(script.get("/api/v1/pools").await.status, StatusCode::UNAUTHORIZED);
    script.bearer = Some("swp_forged".into());
    assert_eq!(script.get("/api/v1/pools").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn first_admin_from_setup_token_once() {
    let app = spawn_with(false).await;
    let token =
        match seatwise_server::service::accounts::bootstrap(&app.state.db, &*app.state.clock, &app.state.hasher, None)
            .await
            .unwrap()
        {
            seatwise_server::service::accounts::Bootstrap::SetupToken(t) => t,
            _ => panic!("an empty database issues a setup token"),
        };
    let c = app.anonymous();
    let bad = c
        .post(
            "/api/v1/setup",
            json!({"token": "guess", "email": "root@example.com", "name": "Root", "password": "long enough pw"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::FORBIDDEN);
    let weak = c
        .post(
            "/api/v1/setup",
            json!({"token": token, "email": "root@example.com", "name": "Root", "password": "short"}),
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(weak.field_paths(), ["password"]);
    let ok = c
        .post(
            "/api/v1/setup",
            json!({"token": token, "email": "root@example.com", "name": "Root", "password": "long enough pw"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    assert_eq!(ok.body["roles"], json!(["admin"]));
    let again = c
        .post(
            "/api/v1/setup",
            json!({"token": token, "email": "x@example.com", "name": "X", "password": "long enough pw"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::FORBIDDEN);
    let stored: String = sqlx::query_scalar("SELECT password_hash FROM users").fetch_one(&app.db.read).await.unwrap();
    assert!(stored.starts_with("$argon2id$"));
}

#[tokio::test]
async fn admin_from_environment_on_empty_database() {
    let app = spawn_with(false).await;
    let created = seatwise_server::service::accounts::bootstrap(
        &app.state.db,
        &*app.state.clock,
        &app.state.hasher,
        Some(("first@example.com".into(), common::PASSWORD.into())),
    )
    .await
    .unwrap();
    assert!(matches!(created, seatwise_server::service::accounts::Bootstrap::AdminCreated(_)));
    let c = app.login("first@example.com").await;
    assert_eq!(c.get("/api/v1/users").await.status, StatusCode::OK);
    // A second start changes nothing.
    let again =
        seatwise_server::service::accounts::bootstrap(&app.state.db, &*app.state.clock, &app.state.hasher, None)
            .await
            .unwrap();
    assert!(matches!(again, seatwise_server::service::accounts::Bootstrap::Ready));
    let _ = Method::GET;
}
