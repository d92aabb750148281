//! People: the directory, a person's seats, termination marking seats for reclamation, reassigning seats.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{pool_body, spawn, Client};

#[tokio::test]
async fn terminating_a_person_marks_every_seat_in_the_same_change() {
    let app = spawn().await;
    let admin = app.admin().await;
    let eng = app.id_of("SELECT id FROM departments WHERE name = 'Engineering'").await;
    let person = app
        .id_of(&format!(
            "SELECT MIN(pe.id) FROM people pe WHERE pe.status = 'active' AND pe.department_id = {eng} \
             AND (SELECT COUNT(*) FROM seat_assignments a WHERE a.person_id = pe.id) >= 3"
        ))
        .await;
    let seats = admin.get(&format!("/api/v1/people/{person}/seats")).await;
    let held = seats.body.as_array().unwrap().len();
    assert!(held >= 3);
    assert!(seats.body.as_array().unwrap().iter().all(|s| s["reclaim"].is_null()));
    assert!(seats.body[0]["monthly_cost"]["amount_minor"].as_i64().unwrap() > 0);

    // Only admins change employment status.
    let r = app.owner().await.put(&format!("/api/v1/people/{person}/status"), json!({"status": "terminated"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let r = admin.put(&format!("/api/v1/people/{person}/status"), json!({"status": "terminated"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "terminated");
    assert!(r.body["terminated_at"].is_string());
    // Offboarding in the same change: each seat is marked, then reclaimed at once (no hold applies) by a case.
    let seats = admin.get(&format!("/api/v1/people/{person}/seats")).await;
    assert_eq!(seats.body.as_array().unwrap().len(), 0, "{}", seats.body);
    let cases = admin.get(&format!("/api/v1/reclamation/cases?person_id={person}")).await;
    assert_eq!(cases.body["total"].as_i64(), Some(held as i64));
    for c in cases.body["items"].as_array().unwrap() {
        assert_eq!((c["state"].as_str(), c["origin"].as_str()), (Some("reclaimed"), Some("offboarding")), "{c}");
        assert_eq!(c["revoke_ms"], 0, "revoked in the same transaction as the termination");
    }
    assert_eq!(app.count("ledger_entries WHERE action = 'pool.seat_unassign'").await as usize, held);
    let history = admin.get(&format!("/api/v1/people/{person}/history")).await;
    assert_eq!(history.body["items"][0]["action"], "person.status");
    assert_eq!(history.body["items"][0]["before"]["status"], "active");
    let marks = app.count("ledger_entries WHERE action = 'pool.seat_reclaim_mark'").await;
    assert_eq!(marks as usize, held);

    // Terminating again marks and reclaims nothing twice.
    admin.put(&format!("/api/v1/people/{person}/status"), json!({"status": "terminated"})).await;
    assert_eq!(app.count("ledger_entries WHERE action = 'pool.seat_reclaim_mark'").await as usize, held);
    assert_eq!(app.count("reclamation_cases").await as usize, held);

    let filtered = admin.get("/api/v1/people?status=terminated&holds_seats=false&per_page=500").await;
    assert!(filtered.body["items"].as_array().unwrap().iter().any(|p| p["id"] == person));
}

#[tokio::test]
async fn owners_reassign_seats_to_active_people_in_their_pools() {
    let app = spawn().await;
    let owner = app.owner().await;
    let pool = app.pool_id("Miro Business").await;
    let detail = owner.get(&format!("/api/v1/pools/{pool}/detail")).await;
    let seat = &detail.body["assignments"]["items"][0];
    let seat_id = seat["id"].as_i64().unwrap();
    // Owners may give their seats to anyone active, also outside their departments.
    let newcomer = app
        .id_of(&format!(
            "SELECT MIN(pe.id) FROM people pe WHERE pe.status = 'active' \
             AND NOT EXISTS (SELECT 1 FROM seat_assignments a WHERE a.person_id = pe.id AND a.pool_id = {pool})"
        ))
        .await;
    let gone = app.id_of("SELECT MIN(id) FROM people WHERE status = 'terminated'").await;
    let path = format!("/api/v1/pools/{pool}/assignments/{seat_id}/reassign");

    let r = owner.post(&path, json!({"person_id": gone})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let holder = seat["person"]["id"].as_i64().unwrap();
    assert_eq!(owner.post(&path, json!({"person_id": holder})).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.finance().await.post(&path, json!({"person_id": newcomer})).await.status, StatusCode::FORBIDDEN);

    let r = owner.post(&path, json!({"person_id": newcomer})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["person"]["id"], newcomer);
    assert_eq!(r.body["assigned_by"], "owner@example.com");
    let history = owner.get(&format!("/api/v1/pools/{pool}/history")).await;
    let entry = &history.body["items"][0];
    assert_eq!(entry["action"], "pool.seat_reassign");
    assert_eq!(entry["before"]["person"]["id"], holder);
    assert_eq!(entry["after"]["person"]["id"], newcomer);
    // Seat count unchanged.
    let after = owner.get(&format!("/api/v1/pools/{pool}/detail")).await;
    assert_eq!(after.body["pool"]["seats_assigned"], detail.body["pool"]["seats_assigned"]);

    // Outside their departments the pool does not exist for them.
    let sales = app.pool_id("Sales Cloud Enterprise").await;
    let r = owner.post(&format!("/api/v1/pools/{sales}/assignments/1/reassign"), json!({"person_id": newcomer})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let _ = pool_body;
}

#[tokio::test]
async fn demo_leavers_seats_are_marked_and_people_filters_work() {
    let app = spawn().await;
    let c = app.finance().await;
    let marked = app.count("seat_assignments WHERE reclaim_marked_at IS NOT NULL").await;
    assert!(marked > 0);
    let leavers = c.get("/api/v1/people?status=terminated&per_page=500").await;
    assert!(leavers.body["items"].as_array().unwrap().iter().all(|p| p["status"] == "terminated"));
    let eng = app.id_of("SELECT id FROM departments WHERE name = 'Engineering'").await;
    let r = c.get(&format!("/api/v1/people?department_id={eng}&holds_seats=false")).await;
    assert!(r.body["items"].as_array().unwrap().iter().all(|p| p["seats_held"] == 0));
    // Nobody has a sign-in recorded yet, so everyone counts as not signed in.
    let r = c.get("/api/v1/people?no_signin_days=60").await;
    assert_eq!(r.body["total"], 301);
    assert_eq!(c.get("/api/v1/people?no_signin_days=-3").await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn my_licenses_puts_what_needs_attention_first() {
    let app = spawn().await;
    let owner = app.owner().await;
    let r = owner.get("/api/v1/my/licenses").await;
    assert_eq!(r.status, StatusCode::OK);
    let items = r.body.as_array().unwrap();
    assert_eq!(items.len(), 19, "the owner's Engineering and Design pools, and the others naming them as owner");
    assert!(items
        .iter()
        .all(|i| ["Engineering", "Design"].contains(&i["pool"]["department"]["name"].as_str().unwrap())
            || i["pool"]["owner"]["name"] == "Omar Owner"));
    let first_calm = items.iter().position(|i| i["attention"].as_array().unwrap().is_empty()).unwrap_or(items.len());
    assert!(items[first_calm..].iter().all(|i| i["attention"].as_array().unwrap().is_empty()), "attention first");
    let jetbrains = items.iter().find(|i| i["pool"]["name"] == "JetBrains All Products Pack").unwrap();
    assert!(jetbrains["marked_seats"].as_i64().unwrap() > 0);
    let notes: Vec<&str> = jetbrains["attention"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    assert!(notes.iter().any(|n| n.starts_with("Over-assigned")), "{notes:?}");
    assert!(notes.iter().any(|n| n.ends_with("who left")), "{notes:?}");
}

#[tokio::test]
async fn devices_are_registered_by_owners_and_admins_and_count_their_seats() {
    let app = spawn().await;
    let owner = app.owner().await;
    let person = app.id_of("SELECT MIN(id) FROM people WHERE status = 'active'").await;
    let r = owner
        .post("/api/v1/devices", json!({"asset_tag": "NW-LT-0042", "name": "Design laptop", "person_id": person}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["person"]["id"], person);
    let dup = owner.post("/api/v1/devices", json!({"asset_tag": "nw-lt-0042", "name": "Again"})).await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(dup.field_paths(), ["asset_tag"]);
    let bad = owner.post("/api/v1/devices", json!({"asset_tag": " ", "name": "", "person_id": 999999})).await;
    assert_eq!(bad.field_paths(), ["asset_tag", "name", "person_id"]);
    for client in [app.finance().await, app.approver().await] {
        assert_eq!(
            client.post("/api/v1/devices", json!({"asset_tag": "X-1", "name": "x"})).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(client.get("/api/v1/devices").await.status, StatusCode::OK);
    }
    assert_eq!(app.anonymous().get("/api/v1/devices").await.status, StatusCode::UNAUTHORIZED);
    // A per-device seat names the device by asset tag.
    let pool = app.pool_id("Lucidchart Team").await;
    let seat =
        app.admin().await.post(&format!("/api/v1/pools/{pool}/assignments"), json!({"device": "NW-LT-0042"})).await;
    assert_eq!(seat.status, StatusCode::CREATED, "{}", seat.body);
    let list = owner.get("/api/v1/devices").await;
    assert_eq!(list.body[0]["seats_held"], 1);
}

/// Search is a case-insensitive substring of name or e-mail, answered from the trigram index (SQLite FTS5,
/// PostgreSQL pg_trgm), which follows every write: people created and renamed through SCIM are found by their new
/// name only.
#[tokio::test]
async fn search_finds_any_part_of_a_name_or_address_in_any_case_and_follows_renames() {
    let app = spawn().await;
    let admin = app.admin().await;
    let token = admin.post("/api/v1/scim/tokens", json!({"name": "entra"})).await;
    let mut scim = app.anonymous();
    scim.bearer = Some(token.body["token"].as_str().unwrap().to_string());
    let user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "zq.smythe@example.com",
        "name": {"givenName": "Zoë", "familyName": "Quintanilla-Smythe"}, "active": true});
    let created = scim.post("/scim/v2/Users", user.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id: i64 = created.body["id"].as_str().unwrap().parse().unwrap();

    for q in ["NTANILLA", "zoë quin", "ZOË", "q.smythe@ex", "  smythe  ", "zq"] {
        assert_eq!(search(&admin, q).await, [id], "{q:?} is part of the name or address");
    }
    // Characters are only themselves: no wildcards, no query syntax, nothing the index could choke on.
    for q in ["smy_he", "quint%smythe", "%%", "_", "zoë\"", "\"smythe\"", "smythe*", "NEAR(zq)", "ë-"] {
        assert_eq!(search(&admin, q).await, Vec::<i64>::new(), "{q:?} is not in the name or address");
    }
    // Someone from the demo, by part of their name: the index holds the rows that were there before it.
    let (name, email): (String, String) =
        sqlx::query_as("SELECT name, email FROM people WHERE email = 'owner@example.com'")
            .fetch_one(&app.db.read)
            .await
            .unwrap();
    let owner = app.id_of("SELECT id FROM people WHERE email = 'owner@example.com'").await;
    assert!(search(&admin, &name[1..name.len() - 1].to_uppercase()).await.contains(&owner), "{name}");
    assert!(search(&admin, &email[..5]).await.contains(&owner), "{email}");

    // A rename through SCIM: the new name is found, the old one is not.
    let mut renamed = user;
    renamed["name"] = json!({"givenName": "Zoë", "familyName": "Okonkwo"});
    renamed["userName"] = json!("zoe.okonkwo@example.com");
    let r = scim.put(&format!("/scim/v2/Users/{id}"), renamed).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(search(&admin, "okonkwo").await, [id]);
    assert_eq!(search(&admin, "e.okon").await, [id]);
    assert_eq!(search(&admin, "smythe").await, Vec::<i64>::new());
    assert_eq!(search(&admin, "quintanilla").await, Vec::<i64>::new());
}

/// The ids a directory search answers, all on one page.
async fn search(c: &Client, q: &str) -> Vec<i64> {
    let r = c
        .get(&format!("/api/v1/people?q={}", url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
    let ids: Vec<i64> = r.body["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
    assert_eq!(r.body["total"].as_i64(), Some(ids.len() as i64), "{q}: one page");
    ids
}
