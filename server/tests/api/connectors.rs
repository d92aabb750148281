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

/// A TCP proxy in front of the SCIM server that can be switched off (connections dropped as they come), to stand
/// for a target that is down and comes back.
struct Switch {
    base: String,
    up: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Switch {
    async fn to(target: &str) -> Switch {
        use std::sync::atomic::{AtomicBool, Ordering};
        let upstream = target.trim_start_matches("http://").to_string();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let up = std::sync::Arc::new(AtomicBool::new(true));
        let on = up.clone();
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !on.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    if let Ok(mut out) = tokio::net::TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                    }
                });
            }
        });
        Switch { base, up }
    }

    fn set(&self, up: bool) {
        self.up.store(up, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A SCIM server's answer to a GET, as JSON.
async fn scim_get(peer: &ScimPeer, token: &str, path: &str) -> serde_json::Value {
    let r = reqwest::Client::new().get(format!("{}{path}", peer.base)).bearer_auth(token).send().await.unwrap();
    r.json().await.unwrap()
}

/// Accounts in the SCIM server, by userName: whether each is active.
async fn scim_accounts(peer: &ScimPeer, token: &str) -> std::collections::BTreeMap<String, bool> {
    let list = scim_get(peer, token, "/Users?count=500").await;
    list["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["userName"].as_str().unwrap().to_lowercase(), u["active"].as_bool().unwrap_or(true)))
        .collect()
}

async fn scim_user(peer: &ScimPeer, token: &str, user_name: &str) {
    let r = reqwest::Client::new()
        .post(format!("{}/Users", peer.base))
        .bearer_auth(token)
        .header("Content-Type", "application/scim+json")
        .body(
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": user_name, "active": true})
                .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
}

/// Deactivate an account directly in the SCIM server (as someone in the app, or a PATCH that landed, would).
async fn scim_deactivate(peer: &ScimPeer, token: &str, user_name: &str) {
    let found = scim_get(peer, token, &format!("/Users?filter=userName%20eq%20%22{user_name}%22")).await;
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": false}]});
    let r = reqwest::Client::new()
        .patch(format!("{}/Users/{}", peer.base, found["Resources"][0]["id"].as_str().unwrap()))
        .bearer_auth(token)
        .header("Content-Type", "application/scim+json")
        .body(patch.to_string())
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
}

#[tokio::test]
async fn a_reclaimed_seat_is_deactivated_in_the_scim_app_confirmed_and_survives_the_target_going_down() {
    use crate::reclamation::{citrix_policy, created, population};
    let app = spawn().await;
    let p = population(&app).await;
    let token = "deliver-token-9c2e";
    let peer = ScimPeer::start(token).await;
    let switch = Switch::to(&peer.base).await;
    // Numbers 1 to 3 have accounts in the app (the third in capitals: user names compare case-insensitively);
    // number 4, whose seat the policy also takes, has none.
    for user in ["rec1@example.com", "rec2@example.com", "REC3@example.com"] {
        scim_user(&peer, token, user).await;
    }
    let admin = app.admin().await;
    let r = admin
        .post(
            "/api/v1/connectors",
            json!({"kind": "scim", "name": "Citrix SCIM", "base_url": switch.base, "credentials": {"bearer_token": token},
                "pool_ids": [p.citrix], "removal": "deactivate"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let connector = r.body["id"].as_i64().unwrap();
    let actions = |status: &str| format!("/api/v1/connectors/{connector}/actions?status={status}");

    // The policy takes two seats: removed here at once, their cases waiting for the target.
    let policy = created(&admin, citrix_policy(&p)).await;
    let run = admin.post(&format!("/api/v1/reclamation/policies/{policy}/run"), json!({})).await;
    assert_eq!(run.body["reclaimed"], 2, "{}", run.body);
    let cases = admin.get(&format!("/api/v1/reclamation/cases?policy_id={policy}")).await;
    let states: Vec<&str> =
        cases.body["items"].as_array().unwrap().iter().map(|c| c["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["awaiting_revocation", "awaiting_revocation"], "{}", cases.body);
    assert_eq!(admin.get(&actions("pending")).await.body["total"], 2);

    // One tick: the third is deactivated in the app and read back inactive; the fourth had no account.
    let report = app.tick().await;
    assert_eq!(report.seat_actions.confirmed, 2, "{report:?}");
    let accounts = scim_accounts(&peer, token).await;
    assert!(!accounts["rec3@example.com"], "{accounts:?}");
    assert_eq!((accounts["rec1@example.com"], accounts["rec2@example.com"]), (true, true), "{accounts:?}");
    let done = admin.get(&actions("confirmed")).await;
    assert_eq!(done.body["total"], 2, "{}", done.body);
    let details: Vec<&str> =
        done.body["items"].as_array().unwrap().iter().map(|a| a["detail"].as_str().unwrap()).collect();
    assert!(details.iter().any(|d| d.starts_with("PATCH /Users/") && d.contains("read back")), "{details:?}");
    assert!(details.iter().any(|d| d.contains("No account rec4@example.com")), "{details:?}");
    let cases = admin.get(&format!("/api/v1/reclamation/cases?policy_id={policy}")).await;
    for c in cases.body["items"].as_array().unwrap() {
        assert_eq!(c["state"], "reclaimed", "{c}");
        assert!(c["revoke_ms"].as_i64().is_some(), "time to revoke measured to the confirmation: {c}");
    }
    // A second tick sends nothing again.
    assert_eq!(app.tick().await.seat_actions, Default::default());

    // The target goes down: a seat taken back directly fails, is retried later, and is confirmed once it is back.
    switch.set(false);
    let seats = admin.get(&format!("/api/v1/pools/{}/assignments?per_page=50", p.citrix)).await;
    let one = seats.body["items"].as_array().unwrap().iter().find(|a| a["person"]["id"] == p.people[0]).unwrap();
    let r = admin.delete(&format!("/api/v1/pools/{}/assignments/{}", p.citrix, one["id"])).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(app.tick().await.seat_actions.failed, 1);
    let failed = admin.get(&actions("failed")).await;
    let action = &failed.body["items"][0];
    assert_eq!((action["attempts"].as_i64(), action["account"].as_str()), (Some(1), Some("rec1@example.com")));
    assert!(action["last_error"].as_str().unwrap().starts_with("GET /Users"), "{action}");
    assert!(action["next_attempt_at"].as_str().is_some(), "{action}");
    assert_eq!(app.tick().await.seat_actions, Default::default(), "not before its next attempt");
    switch.set(true);
    app.clock.advance(chrono::Duration::minutes(2));
    assert_eq!(app.tick().await.seat_actions.confirmed, 1);
    assert!(!scim_accounts(&peer, token).await["rec1@example.com"]);

    // A restore gives the account back through the same path.
    let third = cases.body["items"].as_array().unwrap().iter().find(|c| c["person_id"] == p.people[2]).unwrap();
    let r = admin.post(&format!("/api/v1/reclamation/cases/{}/restore", third["id"]), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(app.tick().await.seat_actions.confirmed, 1);
    assert!(scim_accounts(&peer, token).await["rec3@example.com"]);
    let all = admin.get(&format!("/api/v1/connectors/{connector}/actions")).await;
    assert_eq!(all.body["total"], 4, "{}", all.body);
    assert_eq!(all.body["items"][0]["kind"], "add");
    assert!(!all.body.to_string().contains(token));
    // Admins only; another connector's action is not found through this one.
    let owner = app.owner().await;
    assert_eq!(owner.get(&actions("confirmed")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(admin.get("/api/v1/connectors/999999/actions").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_manual_connector_gives_a_person_the_task_and_the_case_closes_when_they_mark_it_done() {
    use crate::reclamation::{citrix_policy, created, population};
    let app = spawn().await;
    let p = population(&app).await;
    let admin = app.admin().await;
    let r = admin
        .post("/api/v1/connectors", json!({"kind": "manual", "name": "Citrix by hand", "pool_ids": [p.citrix]}))
        .await;
    let connector = r.body["id"].as_i64().unwrap();
    let policy = created(&admin, citrix_policy(&p)).await;
    let run = admin.post(&format!("/api/v1/reclamation/policies/{policy}/run"), json!({})).await;
    assert_eq!(run.body["reclaimed"], 2, "{}", run.body);
    let tasks = admin.get(&format!("/api/v1/connectors/{connector}/actions?status=manual")).await;
    assert_eq!(tasks.body["total"], 2, "{}", tasks.body);
    // Nothing to send: a tick leaves them to the person.
    assert_eq!(app.tick().await.seat_actions, Default::default());
    let task = &tasks.body["items"][0];
    let done = admin.post(&format!("/api/v1/connectors/{connector}/actions/{}/done", task["id"]), json!({})).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(
        (done.body["status"].as_str(), done.body["confirmed_by"].as_str()),
        (Some("confirmed"), Some("admin@example.com"))
    );
    let again = admin.post(&format!("/api/v1/connectors/{connector}/actions/{}/done", task["id"]), json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    // Its case closed; the other still waits for its task.
    let cases = admin.get(&format!("/api/v1/reclamation/cases?policy_id={policy}")).await;
    let state_of = |person: &serde_json::Value| {
        cases.body["items"].as_array().unwrap().iter().find(|c| &c["person_id"] == person).unwrap()["state"].clone()
    };
    assert_eq!(state_of(&task["person_id"]), "reclaimed");
    assert_eq!(state_of(&tasks.body["items"][1]["person_id"]), "awaiting_revocation");
    // Through another connector's path it is not found.
    let other = admin.post("/api/v1/connectors", json!({"kind": "manual", "name": "Other"})).await.body["id"].clone();
    let r = admin
        .post(&format!("/api/v1/connectors/{other}/actions/{}/done", tasks.body["items"][1]["id"]), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn reconciliation_finds_missing_and_shadow_accounts_on_demand_and_nightly() {
    use crate::reclamation::population;
    let app = spawn().await;
    let p = population(&app).await;
    let token = "reconcile-token-51aa";
    let peer = ScimPeer::start(token).await;
    // Number 1 matches; number 2's account is inactive; 3 to 6 have none. Two accounts were added in the app
    // directly: one of a person of the directory, one of nobody Seatwise knows.
    let known: String = sqlx::query_scalar("SELECT email FROM people WHERE email NOT LIKE 'rec%' ORDER BY id LIMIT 1")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    for user in ["rec1@example.com", "rec2@example.com", "shadow.it@example.com", known.as_str()] {
        scim_user(&peer, token, user).await;
    }
    scim_deactivate(&peer, token, "rec2@example.com").await;
    let admin = app.admin().await;
    let body = json!({"kind": "scim", "name": "Citrix SCIM", "base_url": peer.base, "credentials": {"bearer_token": token},
        "pool_ids": [p.citrix]});
    let connector = admin.post("/api/v1/connectors", body).await.body["id"].as_i64().unwrap();
    assert_eq!(
        admin.get(&format!("/api/v1/connectors/{connector}/reconciliation")).await.status,
        StatusCode::NOT_FOUND
    );

    let r = admin.post(&format!("/api/v1/connectors/{connector}/reconcile"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let report = &r.body;
    assert_eq!(
        (report["matched"].as_i64(), report["seats"].as_i64(), report["target_active"].as_i64()),
        (Some(1), Some(6), Some(3))
    );
    assert_eq!(report["missing_total"], 5, "{report}");
    let missing: Vec<&str> =
        report["missing_in_target"].as_array().unwrap().iter().map(|e| e["account"].as_str().unwrap()).collect();
    assert_eq!(
        missing,
        ["rec2@example.com", "rec3@example.com", "rec4@example.com", "rec5@example.com", "rec6@example.com"]
    );
    assert_eq!(report["missing_in_target"][0]["detail"], "The account is inactive in the target.");
    assert_eq!(report["missing_in_target"][0]["pool_id"], p.citrix);
    let unknown = report["unknown_in_target"].as_array().unwrap();
    assert_eq!(report["unknown_total"], 2, "{report}");
    let shadow = unknown.iter().find(|e| e["account"] == "shadow.it@example.com").unwrap();
    assert!(shadow["person_id"].is_null());
    let person = unknown.iter().find(|e| e["account"].as_str().unwrap().eq_ignore_ascii_case(&known)).unwrap();
    assert!(person["person_id"].as_i64().is_some(), "a person of the directory is named: {person}");
    assert_eq!(report["differs"], json!([]));
    assert_eq!(admin.get(&format!("/api/v1/connectors/{connector}/reconciliation")).await.body["id"], report["id"]);

    // Nightly, claimed like the other daily runs: the next day's first tick reconciles again.
    app.clock.advance(chrono::Duration::days(1));
    let tick = app.tick().await;
    let nightly = tick.reconciliation.expect("the nightly run");
    assert_eq!((nightly.connectors, nightly.drifted), (1, 1), "{nightly:?}");
    let admin = app.admin().await; // A day on: a new session.
    let last = admin.get(&format!("/api/v1/connectors/{connector}/reconciliation")).await;
    assert_eq!(last.body["ran_by"], "nightly reconciliation");
    assert!(last.body["id"].as_i64() > report["id"].as_i64());
    assert_eq!(app.tick().await.reconciliation, None, "once a day");

    // A target that cannot be read says so; a manual connector does not reconcile.
    drop(peer);
    let r = admin.post(&format!("/api/v1/connectors/{connector}/reconcile"), json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("could not be read"), "{}", r.body);
    let manual = admin.post("/api/v1/connectors", json!({"kind": "manual", "name": "M"})).await.body["id"].clone();
    let r = admin.post(&format!("/api/v1/connectors/{manual}/reconcile"), json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        app.owner().await.post(&format!("/api/v1/connectors/{connector}/reconcile"), json!({})).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_worker_killed_mid_delivery_loses_nothing_and_sends_nothing_twice() {
    use crate::reclamation::{citrix_policy, created, population};
    use seatwise_server::clock::Clock;
    let app = spawn().await;
    let p = population(&app).await;
    let token = "crash-token-77aa";
    let peer = ScimPeer::start(token).await;
    for n in 1..=6 {
        scim_user(&peer, token, &format!("rec{n}@example.com")).await;
    }
    let admin = app.admin().await;
    let body = json!({"kind": "scim", "name": "Citrix SCIM", "base_url": peer.base, "credentials": {"bearer_token": token},
        "pool_ids": [p.citrix]});
    let connector = admin.post("/api/v1/connectors", body).await.body["id"].as_i64().unwrap();
    let policy = created(&admin, citrix_policy(&p)).await;
    admin.post(&format!("/api/v1/reclamation/policies/{policy}/run"), json!({})).await;
    // A worker claimed both actions and was killed: its PATCH for number 3 had reached the app, number 4's had not.
    let lease = seatwise_server::clock::to_db(app.clock.now() + chrono::Duration::minutes(1));
    sqlx::query("UPDATE seat_actions SET claim_token = 'killed-worker', claimed_until = $1")
        .bind(lease)
        .execute(&app.db.write)
        .await
        .unwrap();
    scim_deactivate(&peer, token, "rec3@example.com").await;

    // Another instance leaves them while the dead worker's lease runs, then takes them over.
    let other = app.another_instance().await;
    assert_eq!(other.tick().await.seat_actions, Default::default());
    other.clock.advance(chrono::Duration::minutes(2));
    assert_eq!(other.tick().await.seat_actions.confirmed, 2);
    let actions = admin.get(&format!("/api/v1/connectors/{connector}/actions")).await.body;
    let detail = |n: usize| {
        actions["items"].as_array().unwrap().iter().find(|a| a["account"] == format!("rec{n}@example.com")).unwrap()
            ["detail"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(detail(3), "The account rec3@example.com is inactive in the target.", "read first: not sent again");
    assert!(detail(4).starts_with("PATCH /Users/"), "{}", detail(4));
    let accounts = scim_accounts(&peer, token).await;
    assert!(!accounts["rec3@example.com"] && !accounts["rec4@example.com"] && accounts["rec1@example.com"]);
}

#[tokio::test]
async fn a_connector_is_edited_without_its_credentials_and_removed_once_nothing_waits() {
    let app = spawn().await;
    let admin = app.admin().await;
    let (slack, zoom) = (app.pool_id("Slack Business+").await, app.pool_id("Zoom Workplace Business").await);
    let body = json!({"kind": "scim", "name": "Slack SCIM", "base_url": "https://api.slack.com/scim/v2",
        "credentials": {"bearer_token": "tok-1"}, "pool_ids": [slack]});
    let made = admin.post("/api/v1/connectors", body).await.body;
    let id = made["id"].as_i64().unwrap();
    let sealed = || async {
        sqlx::query_scalar::<_, String>("SELECT credentials FROM connectors WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db.read)
            .await
            .unwrap()
    };
    let before = sealed().await;
    // Renamed, dry run, moved to Zoom; the credentials left out stay as they were.
    let edit = json!({"kind": "scim", "name": "Zoom SCIM", "base_url": "https://api.zoom.us/scim2", "pool_ids": [zoom],
        "dry_run": true});
    let r = admin.put(&format!("/api/v1/connectors/{id}"), edit.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.body["name"].as_str(), r.body["dry_run"].as_bool(), r.body["version"].as_i64()),
        (Some("Zoom SCIM"), Some(true), Some(2))
    );
    assert_eq!((r.body["pools"][0]["id"].as_i64(), r.body["credentials_set"].as_bool()), (Some(zoom), Some(true)));
    assert_eq!(sealed().await, before);
    // A stale version, another kind: refused, nothing changed.
    let stale = admin
        .send_with(
            reqwest::Method::PUT,
            &format!("/api/v1/connectors/{id}"),
            Some(edit.clone()),
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    let r = admin.put(&format!("/api/v1/connectors/{id}"), json!({"kind": "manual", "name": "x"})).await;
    assert_eq!((r.status, r.field_paths()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["kind".to_string()]));
    // Slack is free again.
    let other =
        admin.post("/api/v1/connectors", json!({"kind": "manual", "name": "Slack by hand", "pool_ids": [slack]})).await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);
    let other = other.body["id"].as_i64().unwrap();

    // A task waits: the connector stays until it is done.
    let seats = admin.get(&format!("/api/v1/pools/{slack}/assignments?per_page=1")).await.body;
    admin.delete(&format!("/api/v1/pools/{slack}/assignments/{}", seats["items"][0]["id"])).await;
    let r = admin.delete(&format!("/api/v1/connectors/{other}")).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let task = admin.get(&format!("/api/v1/connectors/{other}/actions")).await.body["items"][0]["id"].clone();
    admin.post(&format!("/api/v1/connectors/{other}/actions/{task}/done"), json!({})).await;
    assert_eq!(admin.delete(&format!("/api/v1/connectors/{other}")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(admin.get(&format!("/api/v1/connectors/{other}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(admin.delete(&format!("/api/v1/connectors/{other}")).await.status, StatusCode::NOT_FOUND);
    let again =
        admin.post("/api/v1/connectors", json!({"kind": "manual", "name": "Slack again", "pool_ids": [slack]})).await;
    assert_eq!(again.status, StatusCode::CREATED, "the pool is free: {}", again.body);
    assert_eq!(app.owner().await.put(&format!("/api/v1/connectors/{id}"), edit).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn with_removal_group_a_scim_account_leaves_the_pools_group_and_stays_active() {
    use crate::reclamation::population;
    let app = spawn().await;
    let p = population(&app).await;
    let token = "group-token-3e";
    let peer = ScimPeer::start(token).await;
    for n in 1..=3 {
        scim_user(&peer, token, &format!("rec{n}@example.com")).await;
    }
    let users = scim_get(&peer, token, "/Users?count=50").await;
    let ids: Vec<String> =
        users["Resources"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap().to_string()).collect();
    let members: Vec<serde_json::Value> = ids.iter().map(|id| json!({"value": id})).collect();
    let group: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/Groups", peer.base))
        .bearer_auth(token)
        .header("Content-Type", "application/scim+json")
        .body(
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Citrix licensed",
            "members": members})
            .to_string(),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let gid = group["id"].as_str().unwrap().to_string();
    let admin = app.admin().await;
    let body = json!({"kind": "scim", "name": "Citrix SCIM", "base_url": peer.base, "credentials": {"bearer_token": token},
        "pool_ids": [p.citrix], "removal": "group", "targets": [{"pool_id": p.citrix, "group": gid}]});
    let r = admin.post("/api/v1/connectors", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let seats = admin.get(&format!("/api/v1/pools/{}/assignments?per_page=50", p.citrix)).await.body;
    let one = seats["items"].as_array().unwrap().iter().find(|a| a["person"]["id"] == p.people[0]).unwrap().clone();
    admin.delete(&format!("/api/v1/pools/{}/assignments/{}", p.citrix, one["id"])).await;
    assert_eq!(app.tick().await.seat_actions.confirmed, 1);
    let after = scim_get(&peer, token, &format!("/Groups/{gid}")).await;
    let left: Vec<&str> = after["members"].as_array().unwrap().iter().map(|m| m["value"].as_str().unwrap()).collect();
    assert_eq!(left.len(), 2, "{after}");
    assert!(scim_accounts(&peer, token).await["rec1@example.com"], "the account itself stays active");
}

#[tokio::test]
async fn tasks_left_to_a_person_too_long_are_mailed_to_the_admins_once() {
    use crate::common::{spawn_opts, Options};
    use crate::reclamation::{citrix_policy, created, population};
    let app = spawn_opts(Options { demo: true, smtp: true, ..Default::default() }).await;
    let p = population(&app).await;
    let admin = app.admin().await;
    admin.post("/api/v1/connectors", json!({"kind": "manual", "name": "Citrix by hand", "pool_ids": [p.citrix]})).await;
    let policy = created(&admin, citrix_policy(&p)).await;
    admin.post(&format!("/api/v1/reclamation/policies/{policy}/run"), json!({})).await;
    assert_eq!(app.tick().await.tasks_escalated, 0, "not overdue yet");
    app.clock.advance(chrono::Duration::days(4));
    assert_eq!(app.tick().await.tasks_escalated, 2);
    let mails: Vec<_> = app
        .smtp
        .as_ref()
        .unwrap()
        .received()
        .into_iter()
        .filter(|m| m.to.iter().any(|t| t.contains("admin@example.com")) && m.subject().contains("seat task"))
        .collect();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].subject(), "2 seat tasks waiting for a person for over 3 days");
    assert!(mails[0].data.contains("Citrix Workspace (rec)"), "{}", mails[0].data);
    assert_eq!(app.tick().await.tasks_escalated, 0, "once");
}

#[tokio::test]
async fn a_task_goes_to_the_owners_who_run_its_pool_who_are_mailed_once_and_mark_it_done() {
    use crate::common::{spawn_opts, Options, PASSWORD};
    use crate::reclamation::{citrix_policy, created, population};
    let app = spawn_opts(Options { demo: true, smtp: true, ..Default::default() }).await;
    let p = population(&app).await;
    let admin = app.admin().await;
    let connector = admin
        .post("/api/v1/connectors", json!({"kind": "manual", "name": "Citrix by hand", "pool_ids": [p.citrix]}))
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let policy = created(&admin, citrix_policy(&p)).await;
    admin.post(&format!("/api/v1/reclamation/policies/{policy}/run"), json!({})).await;
    // The owner of Engineering runs the Citrix pool; an owner of Sales does not; finance does no tasks.
    let owner = app.owner().await;
    let sales: i64 = app.id_of("SELECT id FROM departments WHERE name = 'Sales'").await;
    let body = json!({"email": "sales.owner@example.com", "name": "Sal Sales", "password": PASSWORD,
        "roles": ["license_owner"], "department_ids": [sales]});
    assert_eq!(admin.post("/api/v1/users", body).await.status, StatusCode::CREATED);
    let stranger = app.login("sales.owner@example.com").await;
    let mine = owner.get("/api/v1/tasks").await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert_eq!(mine.body["total"], 2, "{}", mine.body);
    assert_eq!(mine.body["items"][0]["pool_id"], p.citrix);
    assert!(mine.body["items"][0]["detail"].as_str().unwrap_or("").contains("by hand"), "{}", mine.body);
    assert_eq!(stranger.get("/api/v1/tasks").await.body["total"], 0);
    assert_eq!(app.finance().await.get("/api/v1/tasks").await.status, StatusCode::FORBIDDEN);
    assert_eq!(admin.get("/api/v1/tasks").await.body["total"], 2);

    // One mail to each person told, listing both, once; the pool's owners before the admins.
    assert_eq!(app.tick().await.tasks_told, 2);
    assert_eq!(app.tick().await.tasks_told, 0, "once");
    let told: Vec<_> =
        app.smtp.as_ref().unwrap().received().into_iter().filter(|m| m.subject().contains("to make by hand")).collect();
    let to: Vec<String> = told.iter().flat_map(|m| m.to.clone()).collect();
    assert!(to.iter().any(|t| t.contains("owner@example.com")), "{to:?}");
    assert!(!to.iter().any(|t| t.contains("sales.owner@") || t.contains("admin@")), "{to:?}");
    assert_eq!(told[0].subject(), "2 seat changes to make by hand");
    assert!(told[0].data.contains("/reclamation/tasks"), "{}", told[0].data);

    // The stranger cannot mark it done (not found to them); the owner can, and its case closes.
    let task = mine.body["items"][0].clone();
    let path = format!("/api/v1/connectors/{connector}/actions/{}/done", task["id"]);
    assert_eq!(stranger.post(&path, json!({})).await.status, StatusCode::NOT_FOUND);
    let done = owner.post(&path, json!({})).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["confirmed_by"], "owner@example.com");
    assert_eq!(owner.get("/api/v1/tasks").await.body["total"], 1);
    let cases = admin.get(&format!("/api/v1/reclamation/cases?policy_id={policy}")).await;
    let case = cases.body["items"].as_array().unwrap().iter().find(|c| c["person_id"] == task["person_id"]).unwrap();
    assert_eq!(case["state"], "reclaimed");
}

#[tokio::test]
async fn a_paced_connector_sends_no_more_than_its_allowance_a_minute_across_instances() {
    use crate::reclamation::{citrix_policy, created, population};
    let app = spawn().await;
    let p = population(&app).await;
    let token = "paced-token-77d1";
    let peer = ScimPeer::start(token).await;
    for user in ["rec3@example.com", "rec4@example.com"] {
        scim_user(&peer, token, user).await;
    }
    let admin = app.admin().await;
    let body = json!({"kind": "scim", "name": "Citrix SCIM", "base_url": peer.base, "credentials": {"bearer_token": token},
        "pool_ids": [p.citrix], "max_actions_per_minute": 0});
    let refused = admin.post("/api/v1/connectors", body.clone()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(refused.body["error"]["fields"][0]["path"], "max_actions_per_minute");
    let mut body = body;
    body["max_actions_per_minute"] = json!(1);
    let r = admin.post("/api/v1/connectors", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["max_actions_per_minute"], 1);
    let connector = r.body["id"].as_i64().unwrap();
    let policy = created(&admin, citrix_policy(&p)).await;
    assert_eq!(admin.post(&format!("/api/v1/reclamation/policies/{policy}/run"), json!({})).await.body["reclaimed"], 2);

    // One a minute: the first goes, the second waits for the next minute, whichever instance looks.
    let first = app.tick().await.seat_actions;
    assert_eq!((first.confirmed, first.paced), (1, 1), "{first:?}");
    let other = app.another_instance().await;
    let again = other.tick().await.seat_actions;
    assert_eq!((again.confirmed, again.paced), (0, 0), "put off, not due: {again:?}");
    let pending = admin.get(&format!("/api/v1/connectors/{connector}/actions?status=pending")).await;
    assert_eq!(pending.body["total"], 1, "{}", pending.body);
    assert_eq!(pending.body["items"][0]["attempts"], 0, "a paced action is not an attempt");
    app.clock.advance(chrono::Duration::seconds(61));
    other.clock.advance(chrono::Duration::seconds(61));
    let later = other.tick().await.seat_actions;
    assert_eq!((later.confirmed, later.paced), (1, 0), "{later:?}");
    let accounts = scim_accounts(&peer, token).await;
    assert_eq!((accounts["rec3@example.com"], accounts["rec4@example.com"]), (false, false), "{accounts:?}");
}
