//! The Okta connector against a stand-in written from Okta's documented requests and responses
//! (`common::okta`): a seat taken back removes the person from the pool's group, read back; a restore adds them
//! again; an app group Okta does not let an API change is a task for a person; the rate limit is waited out.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::okta::{OktaGroup, OktaStandIn, Org};
use crate::common::spawn;
use crate::reclamation::population;

const TOKEN: &str = "00okta-api-token-x9";

/// An Okta connector over E3 (group `00g-e3`) and Citrix (group `00g-citrix`), created.
async fn add_okta(
    admin: &crate::common::Client,
    base: &str,
    p: &crate::reclamation::Population,
) -> crate::common::Reply {
    let r = admin
        .post(
            "/api/v1/connectors",
            json!({"kind": "okta", "name": "Okta", "base_url": base, "removal": "group",
            "credentials": {"api_token": TOKEN}, "pool_ids": [p.e3, p.citrix],
            "targets": [{"pool_id": p.e3, "group": "00g-e3"}, {"pool_id": p.citrix, "group": "00g-citrix"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r
}

#[tokio::test]
async fn okta_removes_people_from_the_pools_group_and_leaves_app_groups_to_a_person() {
    let app = spawn().await;
    let p = population(&app).await;
    let users: Vec<(String, String)> = (1..=6).map(|n| (format!("00u{n}"), format!("rec{n}@example.com"))).collect();
    let everyone: Vec<String> = users.iter().map(|(id, _)| id.clone()).collect();
    let org = Org {
        token: TOKEN.into(),
        users,
        groups: vec![
            OktaGroup {
                id: "00g-e3".into(),
                name: "M365 E3 licensed".into(),
                kind: "OKTA_GROUP".into(),
                members: everyone.clone(),
            },
            OktaGroup {
                id: "00g-citrix".into(),
                name: "Citrix (app)".into(),
                kind: "APP_GROUP".into(),
                members: everyone,
            },
        ],
        ..Org::default()
    };
    let okta = OktaStandIn::start(org).await;
    let admin = app.admin().await;
    // Every pool of an Okta connector names its group.
    let r = admin
        .post("/api/v1/connectors", json!({"kind": "okta", "name": "Okta", "base_url": okta.base, "removal": "group",
            "credentials": {"api_token": TOKEN}, "pool_ids": [p.e3, p.citrix], "targets": [{"pool_id": p.e3, "group": "00g-e3"}]}))
        .await;
    assert_eq!(
        (r.status, r.field_paths()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["pool_ids[1]".to_string()]),
        "{}",
        r.body
    );
    let r = add_okta(&admin, &okta.base, &p).await;
    assert_eq!(r.body["pools"].as_array().unwrap().iter().map(|p| p["group"].clone()).collect::<Vec<_>>().len(), 2);
    let connector = r.body["id"].as_i64().unwrap();
    // The connection test reads each pool's group (pools by name): Citrix's is an app group, E3's can be changed.
    let t = admin.post(&format!("/api/v1/connectors/{connector}/test"), json!({})).await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.body);
    let oks: Vec<bool> = t.body["checks"].as_array().unwrap().iter().map(|c| c["ok"].as_bool().unwrap()).collect();
    assert_eq!((t.body["ok"].as_bool(), oks), (Some(false), vec![false, true]), "{}", t.body);
    assert!(t.body["checks"][0]["detail"].as_str().unwrap().contains("APP_GROUP"), "{}", t.body);
    app.tick().await; // The day's runs out of the way.
    okta.org.lock().unwrap().limited = 1;

    let take = |pool: i64, person: i64| {
        let admin = &admin;
        async move {
            let seats = admin.get(&format!("/api/v1/pools/{pool}/assignments?per_page=50")).await.body;
            let seat = seats["items"].as_array().unwrap().iter().find(|a| a["person"]["id"] == person).unwrap().clone();
            let r = admin.delete(&format!("/api/v1/pools/{pool}/assignments/{}", seat["id"])).await;
            assert_eq!(r.status, StatusCode::NO_CONTENT);
        }
    };
    take(p.e3, p.people[0]).await;
    take(p.citrix, p.people[0]).await;
    // The rate limit: the first call waits for its reset; the app group goes to a person.
    let report = app.tick().await.seat_actions;
    assert_eq!((report.failed, report.manual), (1, 1), "{report:?}");
    let actions = admin.get(&format!("/api/v1/connectors/{connector}/actions")).await.body;
    let on = |pool: i64| actions["items"].as_array().unwrap().iter().find(|a| a["pool_id"] == pool).unwrap().clone();
    assert!(on(p.e3)["last_error"].as_str().unwrap().contains("rate limit"), "{}", on(p.e3));
    assert!(on(p.citrix)["detail"].as_str().unwrap().contains("APP_GROUP"), "{}", on(p.citrix));
    assert!(okta.in_group("00g-citrix", "00u1"));
    app.clock.advance(chrono::Duration::minutes(2));
    assert_eq!(app.tick().await.seat_actions.confirmed, 1);
    assert!(!okta.in_group("00g-e3", "00u1") && okta.in_group("00g-e3", "00u2"));
    let done = admin.get(&format!("/api/v1/connectors/{connector}/actions?status=confirmed")).await.body;
    assert!(done["items"][0]["detail"]
        .as_str()
        .unwrap()
        .starts_with("DELETE /api/v1/groups/00g-e3/users/00u1; read back"));
    assert!(!admin.get(&format!("/api/v1/connectors/{connector}")).await.body.to_string().contains(TOKEN));
}

#[tokio::test]
async fn okta_reconciliation_reads_each_pools_group_page_by_page_and_finds_who_is_missing_or_unknown() {
    let app = spawn().await;
    let p = population(&app).await;
    // 450 members in E3's group (three pages of 200): numbers 1 to 5 of the population and 445 others, one of them
    // a person Seatwise does not know at all; number 6 holds an E3 seat and is in no group.
    let mut users: Vec<(String, String)> =
        (1..=6).map(|n| (format!("00u{n}"), format!("rec{n}@example.com"))).collect();
    users.extend((0..445).map(|n| (format!("00x{n:03}"), format!("outside{n:03}@example.com"))));
    let mut e3: Vec<String> = (1..=5).map(|n| format!("00u{n}")).collect();
    e3.extend((0..445).map(|n| format!("00x{n:03}")));
    let org = Org {
        token: TOKEN.into(),
        users,
        groups: vec![
            OktaGroup { id: "00g-e3".into(), name: "M365 E3".into(), kind: "OKTA_GROUP".into(), members: e3 },
            // Citrix's group has number 1 only.
            OktaGroup {
                id: "00g-citrix".into(),
                name: "Citrix".into(),
                kind: "OKTA_GROUP".into(),
                members: vec!["00u1".into()],
            },
        ],
        ..Org::default()
    };
    let okta = OktaStandIn::start(org).await;
    let admin = app.admin().await;
    let r = add_okta(&admin, &okta.base, &p).await;
    let connector = r.body["id"].as_i64().unwrap();
    let r = admin.post(&format!("/api/v1/connectors/{connector}/reconcile"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let report = &r.body;
    // Twelve seats (six people in two pools): E3's 1-5 match, Citrix's 1 matches; E3's 6 and Citrix's 2-6 are missing.
    assert_eq!(
        (report["seats"].as_i64(), report["matched"].as_i64(), report["missing_total"].as_i64()),
        (Some(12), Some(6), Some(6)),
        "{report}"
    );
    let missing: Vec<&str> =
        report["missing_in_target"].as_array().unwrap().iter().map(|e| e["detail"].as_str().unwrap()).collect();
    assert!(missing.contains(&"Not in Microsoft 365 E3 (rec)'s group in Okta."), "{missing:?}");
    // The 445 others are in E3's group with no seat: unknown, all of them counted, across the pages.
    assert_eq!(
        (report["unknown_total"].as_i64(), report["target_active"].as_i64()),
        (Some(445), Some(450)),
        "{report}"
    );
    let calls = okta.org.lock().unwrap().calls.clone();
    let pages = calls.iter().filter(|c| c.as_str() == "GET /api/v1/groups/00g-e3/users").count();
    assert_eq!(pages, 3, "{calls:?}");
    // Nightly too: the next day's first tick reconciles every connector with an API.
    app.tick().await;
    app.clock.advance(chrono::Duration::days(1));
    let nightly = app.tick().await.reconciliation.expect("the nightly run");
    assert_eq!((nightly.connectors, nightly.drifted, nightly.failed.len()), (1, 1, 0), "{nightly:?}");
}
