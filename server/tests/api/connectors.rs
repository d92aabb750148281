//! Connectors: admins register them; credentials are sealed at rest and never come back (not in the answer, the
//! list, the ledger or the database's plain text); each field error names its field; a pool has one connector.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{spawn, ScimPeer};

#[tokio::test]
async fn credentials_are_write_only_sealed_and_kept_out_of_the_ledger() {
    let app = spawn().await;
    let admin = app.admin().await;
    let (slack, zoom) = (app.pool_id("Slack Business+").await, app.pool_id("Zoom Workplace Business").await);
    let token = "scim-bearer-7f3a9c1e55";
    let body = json!({"kind": "scim", "name": "Slack SCIM", "base_url": "https://api.slack.com/scim/v2",
        "credentials": {"bearer_token": token}, "pool_ids": [slack], "removal": "deactivate"});
    let r = admin.post("/api/v1/connectors", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!((&r.body["credentials_set"], &r.body["pools"][0]["id"]), (&json!(true), &json!(slack)), "{}", r.body);
    assert!(!r.body.to_string().contains(token));
    let id = r.body["id"].as_i64().unwrap();
    let list = admin.get("/api/v1/connectors").await;
    assert_eq!(list.body["total"], 1);
    assert!(!list.body.to_string().contains(token));
    assert_eq!(admin.get(&format!("/api/v1/connectors/{id}")).await.body["name"], "Slack SCIM");
    // At rest: sealed, and the ledger says only that credentials were set.
    let stored: String = sqlx::query_scalar("SELECT credentials FROM connectors WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    assert!(stored.starts_with("v1.") && !stored.contains(token), "{stored}");
    let ledger: Vec<String> =
        sqlx::query_scalar("SELECT after_json FROM ledger_entries WHERE record_type = 'connector'")
            .fetch_all(&app.db.read)
            .await
            .unwrap();
    assert_eq!(ledger.len(), 1);
    assert!(ledger[0].contains("\"credentials_set\":true") && !ledger[0].contains(token), "{}", ledger[0]);

    // A pool has one connector; every field error names its field; nothing is stored.
    let before = app.count("connectors").await;
    for (body, paths) in [
        (
            json!({"kind": "scim", "name": "Again", "base_url": "https://x.example/scim", "credentials": {"bearer_token": "t"},
            "pool_ids": [zoom, slack, 99_999_999]}),
            vec!["pool_ids[1]", "pool_ids[2]"],
        ),
        (
            json!({"kind": "scim", "name": " ", "base_url": "http://example.com", "credentials": {"api_token": "t"}}),
            vec!["name", "base_url", "credentials.bearer_token", "credentials.api_token"],
        ),
        (json!({"kind": "graph", "name": "M365", "base_url": "https://graph.microsoft.com/v1.0"}), vec!["credentials"]),
        (
            json!({"kind": "manual", "name": "Adobe by hand", "base_url": "https://adobe.example", "credentials": {}}),
            vec!["base_url", "credentials"],
        ),
        (
            json!({"kind": "okta", "name": "Okta", "base_url": "https://acme.okta.com", "credentials": {"api_token": "t"}}),
            vec!["removal"],
        ),
    ] {
        let r = admin.post("/api/v1/connectors", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.body);
        assert_eq!(r.field_paths(), paths, "{}", r.body);
    }
    assert_eq!(app.count("connectors").await, before);
    let r =
        admin.post("/api/v1/connectors", json!({"kind": "manual", "name": "Zoom by hand", "pool_ids": [zoom]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["credentials_set"], false);

    // Admins only.
    for who in ["owner@example.com", "finance@example.com", "approver@example.com"] {
        let c = app.login(who).await;
        assert_eq!(c.get("/api/v1/connectors").await.status, StatusCode::FORBIDDEN, "{who}");
        let r = c.post("/api/v1/connectors", json!({"kind": "manual", "name": "x"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
    }
}

#[tokio::test]
async fn a_connection_test_says_what_works_and_what_is_missing_against_a_real_scim_server() {
    let app = spawn().await;
    let peer = ScimPeer::start("peer-token-4b1d").await;
    let admin = app.admin().await;
    let made = |name: &str, base: String, token: &str| json!({"kind": "scim", "name": name, "base_url": base, "credentials": {"bearer_token": token}});
    let mut ids = Vec::new();
    for (name, base, token) in [
        ("Right token", peer.base.clone(), "peer-token-4b1d"),
        ("Wrong token", peer.base.clone(), "another-token"),
        ("Nobody there", "http://127.0.0.1:9".to_string(), "peer-token-4b1d"),
    ] {
        let r = admin.post("/api/v1/connectors", made(name, base, token)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        ids.push(r.body["id"].as_i64().unwrap());
    }
    let checks = |r: &crate::common::Reply| -> Vec<(String, bool)> {
        r.body["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["name"].as_str().unwrap().to_string(), c["ok"].as_bool().unwrap()))
            .collect()
    };
    let r = admin.post(&format!("/api/v1/connectors/{}/test", ids[0]), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["ok"], true, "{}", r.body);
    let names: Vec<String> = checks(&r).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["reach", "patch", "filter", "read_users"]);
    let r = admin.post(&format!("/api/v1/connectors/{}/test", ids[1]), json!({})).await;
    assert_eq!(r.body["ok"], false, "{}", r.body);
    assert!(r.body.to_string().contains("refused the token"), "{}", r.body);
    assert!(!r.body.to_string().contains("another-token"), "the token is never said back");
    let r = admin.post(&format!("/api/v1/connectors/{}/test", ids[2]), json!({})).await;
    assert_eq!(r.body["ok"], false, "{}", r.body);
    assert!(r.body["checks"][0]["detail"].as_str().unwrap().contains("could not be reached"), "{}", r.body);
    // Only SCIM connectors can be tested yet; a manual one has nothing to test.
    let r = admin.post("/api/v1/connectors", json!({"kind": "manual", "name": "By hand"})).await;
    let manual = r.body["id"].as_i64().unwrap();
    assert_eq!(admin.post(&format!("/api/v1/connectors/{manual}/test"), json!({})).await.status, StatusCode::CONFLICT);
    assert_eq!(admin.post("/api/v1/connectors/999999/test", json!({})).await.status, StatusCode::NOT_FOUND);
    let owner = app.owner().await;
    assert_eq!(
        owner.post(&format!("/api/v1/connectors/{}/test", ids[0]), json!({})).await.status,
        StatusCode::FORBIDDEN
    );
}
