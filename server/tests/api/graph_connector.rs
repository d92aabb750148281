//! The Microsoft Graph connector against a stand-in written from Microsoft's documented requests and responses
//! (`common::graph`): a license assigned directly is removed with `assignLicense`; a downgrade adds the cheaper SKU
//! and removes the dearer in one call; a license a group assigns becomes a task naming the group, or a group
//! removal where the connector may; a 429 is waited out as its `Retry-After` says; CountViolation and a missing
//! usage location are said in words; the tenant's units sit beside the pool's in reconciliation.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::graph::{GraphStandIn, Group, Sku, Tenant, User};
use crate::common::{spawn, TestApp};
use crate::reclamation::{created, e3_policy, population, Population};

const E3: &str = "6fd2c87f-b296-42f0-b197-1e91e994b900";
const EXO1: &str = "4b9405b0-7788-4568-add1-99614e613b69";
const SECRET: &str = "graph-client-secret-0c1d";

fn user(n: usize, direct: &[&str], usage: bool) -> User {
    User {
        id: format!("00000000-0000-0000-0000-00000000000{n}"),
        upn: format!("rec{n}@example.com"),
        usage_location: usage.then(|| "US".to_string()),
        direct: direct.iter().map(|s| s.to_string()).collect(),
    }
}

/// Map the two SKUs to the population's E3 and Exchange pools, and add a Graph connector for both.
async fn connect(app: &TestApp, p: &Population, graph: &GraphStandIn, removal: &str) -> i64 {
    let admin = app.admin().await;
    let skus = json!({"value": [
        {"skuId": E3, "skuPartNumber": "ENTERPRISEPACK", "consumedUnits": 0, "prepaidUnits": {"enabled": 10}},
        {"skuId": EXO1, "skuPartNumber": "EXCHANGESTANDARD", "consumedUnits": 0, "prepaidUnits": {"enabled": 10}}]});
    let r = admin.post_raw("/api/v1/imports/graph-skus", "application/json", skus.to_string().into_bytes()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for (part, pool) in [("ENTERPRISEPACK", p.e3), ("EXCHANGESTANDARD", p.exchange)] {
        let r = admin.put(&format!("/api/v1/sku-mappings/{part}"), json!({"pool_id": pool})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let body = json!({"kind": "graph", "name": "Microsoft 365", "base_url": graph.base, "removal": removal,
        "credentials": {"tenant_id": "contoso", "client_id": "seatwise-app", "client_secret": SECRET},
        "pool_ids": [p.e3, p.exchange]});
    let r = admin.post("/api/v1/connectors", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_i64().unwrap()
}

fn assign_calls(graph: &GraphStandIn, n: usize) -> usize {
    let path = format!("POST /users/00000000-0000-0000-0000-00000000000{n}/assignLicense");
    graph.tenant.lock().unwrap().calls.iter().filter(|c| **c == path).count()
}

#[tokio::test]
async fn graph_removes_direct_licenses_downgrades_in_one_call_and_says_what_a_person_must_do() {
    let app = spawn().await;
    let p = population(&app).await;
    // 2 and 3 hold E3 directly; 4 through a group; 5 directly but without a usage location, which Exchange needs.
    let tenant = Tenant {
        secret: SECRET.into(),
        users: vec![
            user(1, &[E3], true),
            user(2, &[E3], true),
            user(3, &[E3], true),
            user(4, &[], true),
            user(5, &[E3], false),
            user(6, &[], true),
        ],
        groups: vec![Group {
            id: "9e1c6f0a-license-e3".into(),
            name: "License – Microsoft 365 E3".into(),
            sku: E3.into(),
            members: vec!["00000000-0000-0000-0000-000000000004".into()],
        }],
        skus: vec![
            Sku { sku_id: E3.into(), part_number: "ENTERPRISEPACK".into(), enabled: 5 },
            Sku { sku_id: EXO1.into(), part_number: "EXCHANGESTANDARD".into(), enabled: 10 },
        ],
        ..Tenant::default()
    };
    let graph = GraphStandIn::start(tenant).await;
    let connector = connect(&app, &p, &graph, "deactivate").await;
    // The day's runs (the nightly reconciliation among them) out of the way; then the first Graph call of the
    // delivery is throttled, and waits out its Retry-After.
    app.tick().await;
    graph.tenant.lock().unwrap().throttle = 1;
    let admin = app.admin().await;
    let policy = created(&admin, e3_policy(&p, false)).await;
    let run = admin.post(&format!("/api/v1/reclamation/policies/{policy}/run"), json!({})).await;
    assert_eq!(run.body["downgraded"], 4, "{}", run.body);

    let report = app.tick().await.seat_actions;
    assert_eq!((report.failed, report.confirmed, report.manual), (2, 2, 4), "{report:?}");
    let actions = admin.get(&format!("/api/v1/connectors/{connector}/actions?per_page=100")).await.body;
    let of = |n: usize, kind: &str| {
        actions["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["account"] == format!("rec{n}@example.com") && a["kind"] == kind)
            .unwrap()
            .clone()
    };
    // Throttled: both halves of the downgrade wait, with the words and the next attempt.
    let two = of(2, "remove");
    assert_eq!(two["status"], "failed", "{two}");
    assert!(two["last_error"].as_str().unwrap().contains("asked to wait 1 s (429"), "{two}");
    // Downgraded in one call: Exchange added, E3 removed, read back.
    let three = of(3, "remove");
    assert_eq!((three["status"].as_str(), of(3, "add")["status"].as_str()), (Some("confirmed"), Some("confirmed")));
    assert!(
        three["detail"].as_str().unwrap().contains(&format!("assignLicense add [{EXO1}] remove [{E3}]")),
        "{three}"
    );
    assert_eq!(assign_calls(&graph, 3), 1);
    assert!(graph.holds("rec3@example.com", EXO1) && !graph.holds("rec3@example.com", E3));
    // The group's license: a task naming the group.
    let four = of(4, "remove");
    assert_eq!(four["status"], "manual");
    assert!(four["detail"].as_str().unwrap().contains("License – Microsoft 365 E3"), "{four}");
    assert!(graph.holds("rec4@example.com", E3), "nothing removed on the user");
    // No usage location: in words, and nothing changed.
    let five = of(5, "remove");
    assert_eq!(five["status"], "manual");
    assert!(five["last_error"].as_str().unwrap().contains("no valid usage location"), "{five}");
    assert!(graph.holds("rec5@example.com", E3));

    // After the Retry-After, the throttled downgrade goes through.
    app.clock.advance(chrono::Duration::seconds(2));
    assert_eq!(app.tick().await.seat_actions.confirmed, 2);
    assert!(graph.holds("rec2@example.com", EXO1) && !graph.holds("rec2@example.com", E3));
    let cases = admin.get(&format!("/api/v1/reclamation/cases?policy_id={policy}")).await.body;
    let state = |n: usize| {
        cases["items"].as_array().unwrap().iter().find(|c| c["person_id"] == p.people[n - 1]).unwrap()["state"].clone()
    };
    assert_eq!(
        (state(2), state(3), state(4)),
        (json!("downgraded"), json!("downgraded"), json!("awaiting_revocation"))
    );

    // A direct removal: the seat taken back, the license removed.
    let seats = admin.get(&format!("/api/v1/pools/{}/assignments?per_page=50", p.e3)).await.body;
    let one = seats["items"].as_array().unwrap().iter().find(|a| a["person"]["id"] == p.people[0]).unwrap().clone();
    assert_eq!(
        admin.delete(&format!("/api/v1/pools/{}/assignments/{}", p.e3, one["id"])).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.tick().await.seat_actions.confirmed, 1);
    assert!(!graph.holds("rec1@example.com", E3));

    // A restore with no E3 unit free: CountViolation, in words; rec3 keeps Exchange.
    graph.tenant.lock().unwrap().skus[0].enabled = 1;
    let three_case = cases["items"].as_array().unwrap().iter().find(|c| c["person_id"] == p.people[2]).unwrap().clone();
    let r = admin.post(&format!("/api/v1/reclamation/cases/{}/restore", three_case["id"]), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let report = app.tick().await.seat_actions;
    assert_eq!(report.manual, 2, "{report:?}");
    let actions = admin.get(&format!("/api/v1/connectors/{connector}/actions?status=manual")).await.body;
    let restored = actions["items"].as_array().unwrap().iter().find(|a| a["account"] == "rec3@example.com").unwrap();
    assert!(restored["last_error"].as_str().unwrap().contains("CountViolation"), "{restored}");
    assert!(graph.holds("rec3@example.com", EXO1) && !graph.holds("rec3@example.com", E3));
    // The secret never comes back.
    assert!(!admin.get(&format!("/api/v1/connectors/{connector}")).await.body.to_string().contains(SECRET));
}

#[tokio::test]
async fn graph_leaves_the_license_group_where_the_connector_may_and_a_wrong_secret_is_said() {
    let app = spawn().await;
    let p = population(&app).await;
    let tenant = Tenant {
        secret: SECRET.into(),
        users: vec![
            user(1, &[], true),
            user(2, &[E3], true),
            user(3, &[EXO1], true),
            User {
                id: "shadow".into(),
                upn: "shadow@example.com".into(),
                usage_location: None,
                direct: vec![E3.into()],
            },
        ],
        groups: vec![Group {
            id: "g-e3".into(),
            name: "License – Microsoft 365 E3".into(),
            sku: E3.into(),
            members: vec!["00000000-0000-0000-0000-000000000001".into()],
        }],
        skus: vec![
            Sku { sku_id: E3.into(), part_number: "ENTERPRISEPACK".into(), enabled: 5 },
            Sku { sku_id: EXO1.into(), part_number: "EXCHANGESTANDARD".into(), enabled: 10 },
        ],
        ..Tenant::default()
    };
    let graph = GraphStandIn::start(tenant).await;
    let connector = connect(&app, &p, &graph, "group").await;
    let admin = app.admin().await;
    let seats = admin.get(&format!("/api/v1/pools/{}/assignments?per_page=50", p.e3)).await.body;
    let one = seats["items"].as_array().unwrap().iter().find(|a| a["person"]["id"] == p.people[0]).unwrap().clone();
    admin.delete(&format!("/api/v1/pools/{}/assignments/{}", p.e3, one["id"])).await;
    assert_eq!(app.tick().await.seat_actions.confirmed, 1);
    assert!(!graph.holds("rec1@example.com", E3));
    let calls = graph.tenant.lock().unwrap().calls.clone();
    assert!(
        calls.contains(&"DELETE /groups/g-e3/members/00000000-0000-0000-0000-000000000001/$ref".to_string()),
        "{calls:?}"
    );
    let done = admin.get(&format!("/api/v1/connectors/{connector}/actions")).await.body;
    assert_eq!(done["items"][0]["status"], "confirmed");

    // Reconciliation, license by license: 2 matches; 3 holds Exchange instead of E3; 4 to 6 have no user; an
    // account nobody knows holds E3. The tenant's units beside the pools' seats.
    let r = admin.post(&format!("/api/v1/connectors/{connector}/reconcile"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let report = &r.body;
    assert_eq!(
        (report["seats"].as_i64(), report["matched"].as_i64(), report["missing_total"].as_i64()),
        (Some(5), Some(1), Some(3))
    );
    assert_eq!(report["differs"][0]["account"], "rec3@example.com", "{report}");
    assert_eq!(
        report["differs"][0]["detail"],
        "Holds Exchange Online Plan 1 (rec) in the tenant instead of Microsoft 365 E3 (rec)."
    );
    assert_eq!(
        (report["unknown_total"].as_i64(), report["unknown_in_target"][0]["account"].as_str()),
        (Some(1), Some("shadow@example.com"))
    );
    assert_eq!(report["target_active"], 3);
    let e3 = report["units"].as_array().unwrap().iter().find(|u| u["pool_id"] == p.e3).unwrap();
    assert_eq!(
        (
            e3["sku"].as_str(),
            e3["target_consumed"].as_i64(),
            e3["target_purchased"].as_i64(),
            e3["seats_assigned"].as_i64()
        ),
        (Some("ENTERPRISEPACK"), Some(2), Some(5), Some(5)),
        "{e3}"
    );

    // The connection test: signed in, licenses and users read, every pool's SKU mapped.
    let t = admin.post(&format!("/api/v1/connectors/{connector}/test"), json!({})).await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.body);
    let names: Vec<&str> = t.body["checks"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["sign_in", "licenses", "users", "skus_mapped"]);
    assert_eq!(t.body["ok"], true, "{}", t.body);

    // A wrong secret: the sign-in's refusal in words, retried later; the secret itself never in them.
    graph.tenant.lock().unwrap().secret = "rotated".into();
    let two = seats["items"].as_array().unwrap().iter().find(|a| a["person"]["id"] == p.people[1]).unwrap().clone();
    admin.delete(&format!("/api/v1/pools/{}/assignments/{}", p.e3, two["id"])).await;
    assert_eq!(app.tick().await.seat_actions.failed, 1);
    let failed = admin.get(&format!("/api/v1/connectors/{connector}/actions?status=failed")).await.body;
    let error = failed["items"][0]["last_error"].as_str().unwrap().to_string();
    assert!(error.contains("AADSTS7000215") && !error.contains(SECRET), "{error}");
    let t = admin.post(&format!("/api/v1/connectors/{connector}/test"), json!({})).await;
    assert_eq!((t.body["ok"].as_bool(), t.body["checks"][0]["ok"].as_bool()), (Some(false), Some(false)), "{}", t.body);
    assert!(t.body["checks"][0]["detail"].as_str().unwrap().contains("AADSTS7000215"), "{}", t.body);
}
