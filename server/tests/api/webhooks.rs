//! Webhooks: chosen events posted as signed JSON; a receiver here checks every signature with the secret given
//! once; a refused delivery is retried and each delivery is visible; secrets never come back.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode as Status};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::spawn;
use crate::reclamation::{citrix_policy, created, population};

/// One request the receiver got: its headers of interest and its body.
#[derive(Debug, Clone)]
struct Received {
    event: String,
    timestamp: String,
    signature: String,
    body: String,
}

/// A receiver that answers 500 to its first request and 204 to the rest.
async fn receiver() -> (String, Arc<Mutex<Vec<Received>>>) {
    let got: Arc<Mutex<Vec<Received>>> = Arc::default();
    let kept = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let kept = kept.clone();
            async move {
                let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                let mut all = kept.lock().unwrap();
                all.push(Received {
                    event: header("x-seatwise-event"),
                    timestamp: header("x-seatwise-timestamp"),
                    signature: header("x-seatwise-signature"),
                    body,
                });
                if all.len() == 1 {
                    Status::INTERNAL_SERVER_ERROR
                } else {
                    Status::NO_CONTENT
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, got)
}

/// The receiver's check: HMAC-SHA256 of `{timestamp}.{body}` with the secret.
fn verify(secret: &str, r: &Received) -> bool {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{}.{}", r.timestamp, r.body).as_bytes());
    let expected = hex::decode(r.signature.trim_start_matches("sha256=")).unwrap_or_default();
    mac.verify_slice(&expected).is_ok()
}

#[tokio::test]
async fn events_are_posted_signed_retried_and_visible_and_the_secret_is_shown_once() {
    let app = spawn().await;
    let p = population(&app).await;
    let (url, got) = receiver().await;
    let admin = app.admin().await;
    let r = admin
        .post(
            "/api/v1/webhooks",
            json!({"name": "ServiceNow", "url": url, "events": ["case.opened", "seat.reclaimed"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let secret = r.body["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    let hook = r.body["id"].as_i64().unwrap();
    let list = admin.get("/api/v1/webhooks").await;
    assert_eq!(list.body["items"][0]["events"], json!(["case.opened", "seat.reclaimed"]));
    assert!(!list.body.to_string().contains(&secret) && list.body["items"][0].get("secret").is_none());
    let ledger: Vec<String> = sqlx::query_scalar("SELECT after_json FROM ledger_entries WHERE record_type = 'webhook'")
        .fetch_all(&app.db.read)
        .await
        .unwrap();
    assert!(ledger.len() == 1 && !ledger[0].contains(&secret));

    // A policy run opens two cases and takes two seats: four events, posted by the next tick.
    let policy = created(&admin, citrix_policy(&p)).await;
    admin.post(&format!("/api/v1/reclamation/policies/{policy}/run"), json!({})).await;
    let posted = app.tick().await.webhooks;
    assert_eq!((posted.delivered, posted.retrying), (3, 1), "{posted:?}");
    app.clock.advance(chrono::Duration::minutes(2));
    assert_eq!(app.tick().await.webhooks.delivered, 1);
    let received = got.lock().unwrap().clone();
    assert_eq!(received.len(), 5, "the first refused, then all four");
    for r in &received {
        assert!(verify(&secret, r), "signature of {r:?}");
        assert!(!verify("whsec_other", r));
        let body: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["event"], r.event.as_str());
    }
    let events: Vec<&str> = received[1..].iter().map(|r| r.event.as_str()).collect();
    assert_eq!(events.iter().filter(|e| **e == "case.opened").count(), 2, "{events:?}");
    assert_eq!(events.iter().filter(|e| **e == "seat.reclaimed").count(), 2, "{events:?}");
    // A tampered body fails the receiver's check.
    let mut forged = received[1].clone();
    forged.body = forged.body.replace("case_id", "case_id_");
    assert!(!verify(&secret, &forged));

    let deliveries = admin.get(&format!("/api/v1/webhooks/{hook}/deliveries")).await;
    assert_eq!(deliveries.body["total"], 4, "{}", deliveries.body);
    let items = deliveries.body["items"].as_array().unwrap();
    assert!(items.iter().all(|d| d["status"] == "delivered"));
    let retried = items.iter().find(|d| d["attempts"] == 2).expect("the retried one");
    assert_eq!(retried["response_status"], 204);
    assert!(retried["last_error"].is_null());

    // Field by field; admins only; a webhook that is not there.
    let bad = admin.post("/api/v1/webhooks", json!({"name": "", "url": "ftp://desk", "events": []})).await;
    assert_eq!(
        (bad.status, bad.field_paths()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["name".to_string(), "url".into(), "events".into()])
    );
    let owner = app.owner().await;
    assert_eq!(owner.get("/api/v1/webhooks").await.status, StatusCode::FORBIDDEN);
    assert_eq!(admin.get("/api/v1/webhooks/999999/deliveries").await.status, StatusCode::NOT_FOUND);
}
