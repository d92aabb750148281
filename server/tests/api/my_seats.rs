//! My seats: every login that is a person sees the seats that person holds; an employee sees nothing else.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{spawn, spawn_opts, Options};

#[tokio::test]
async fn an_employee_sees_their_own_seats_with_last_use_and_cost_and_nothing_else() {
    let app = spawn().await;
    let employee = app.login("liam.okafor1@example.com").await;
    let me = employee.get("/api/v1/me").await.body;
    assert_eq!(me["roles"], json!(["employee"]));
    let can = &me["capabilities"];
    assert_eq!(
        (&can["home"], &can["read_console"], &can["my_seats"]),
        (&json!("my_seats"), &json!(false), &json!(true))
    );
    let person = me["user"]["person_id"].as_i64().unwrap();

    let held = app.id_of_owned(format!("SELECT COUNT(*) FROM seat_assignments WHERE person_id = {person}")).await;
    assert!(held >= 3, "the demo's Liam holds seats");
    let pools: Vec<i64> =
        sqlx::query_scalar("SELECT pool_id FROM seat_assignments WHERE person_id = $1 ORDER BY pool_id")
            .bind(person)
            .fetch_all(&app.db.read)
            .await
            .unwrap();
    // One seat used a week ago, one known never used, one a Microsoft 365 SKU maps to whose holder signed in to
    // Entra two days ago; the rest have no data.
    app.exec("DELETE FROM usage_signals").await;
    app.exec("DELETE FROM person_signins").await;
    app.exec(&format!(
        "INSERT INTO sku_mappings (part_number, sku_id, pool_id, updated_at) VALUES \
         ('TEST_SKU', 'test-sku', {}, '2026-11-01T00:00:00.000000Z')",
        pools[2]
    ))
    .await;
    app.exec(&format!(
        "INSERT INTO person_signins (person_id, source, last_sign_in_at, read_at) VALUES \
         ({person}, 'Entra sign-in log', '2026-11-21T08:00:00.000000Z', '2026-11-22T00:00:00.000000Z')"
    ))
    .await;
    app.exec(&format!(
        "INSERT INTO usage_signals (pool_id, person_id, source, last_used_at, read_at) VALUES \
         ({}, {person}, 'Slack analytics', '2026-11-16T09:00:00.000000Z', '2026-11-22T00:00:00.000000Z'), \
         ({}, {person}, 'Zoom reports', NULL, '2026-11-22T00:00:00.000000Z')",
        pools[0], pools[1]
    ))
    .await;
    let r = employee.get("/api/v1/my/seats").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let seats = r.body.as_array().unwrap();
    assert_eq!(seats.len() as i64, held);
    let of = |pool: i64| seats.iter().find(|s| s["pool"]["id"] == pool).unwrap().clone();
    assert_eq!(
        (of(pools[0])["last_used_at"].as_str(), of(pools[0])["usage_source"].as_str()),
        (Some("2026-11-16T09:00:00Z"), Some("Slack analytics"))
    );
    assert_eq!(
        (of(pools[1])["last_used_at"].as_str(), of(pools[1])["usage_source"].as_str()),
        (None, Some("Zoom reports"))
    );
    for s in seats {
        assert!(s["monthly_cost"]["amount_minor"].as_i64().unwrap() >= 0, "{s}");
        assert!(s["annual_cost"]["currency"].is_string(), "{s}");
    }

    // The console itself is closed to an employee.
    for path in ["/api/v1/pools", "/api/v1/people", "/api/v1/finance/summary", "/api/v1/settings"] {
        let status = employee.get(path).await.status;
        assert!(matches!(status.as_u16(), 403 | 404), "{path}: {status}");
    }
    // A login that is nobody in the directory holds no seats, and says why.
    let finance = app.finance().await;
    if finance.get("/api/v1/me").await.body["user"]["person_id"].is_null() {
        let r = finance.get("/api/v1/my/seats").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert!(r.body["error"]["message"].as_str().unwrap().contains("not a person of the directory"));
    }
    // A license owner who is a person sees their own seats too.
    assert_eq!(app.owner().await.get("/api/v1/my/seats").await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_employee_gives_a_seat_back_at_once_with_its_saving_and_an_admin_can_restore_it() {
    let app = spawn().await;
    let employee = app.login("liam.okafor1@example.com").await;
    let person = employee.get("/api/v1/me").await.body["user"]["person_id"].as_i64().unwrap();
    let before = employee.get("/api/v1/my/seats").await.body.as_array().unwrap().clone();
    assert!(before.len() >= 3, "the demo's Liam holds seats");
    let seat = &before[0];
    let (assignment, pool) = (seat["assignment_id"].as_i64().unwrap(), seat["pool"]["id"].as_i64().unwrap());
    let assigned = |pool: i64| format!("SELECT seats_assigned FROM pools WHERE id = {pool}");
    let count_before = app.id_of_owned(assigned(pool)).await;

    // Someone else's seat, a device's or one that does not exist is not found, and nothing changes.
    let others = app
        .id_of_owned(format!(
            "SELECT MIN(id) FROM seat_assignments WHERE person_id IS NOT NULL AND person_id <> {person}"
        ))
        .await;
    for id in [others, 999_999] {
        let r = employee.post(&format!("/api/v1/my/seats/{id}/release"), json!({})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{id}: {}", r.body);
    }
    assert_eq!(app.id_of_owned(format!("SELECT COUNT(*) FROM seat_assignments WHERE id = {others}")).await, 1);

    let r = employee.post(&format!("/api/v1/my/seats/{assignment}/release"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let case = r.body;
    assert_eq!(
        (&case["origin"], &case["state"], &case["reason"]["kind"], &case["pool_id"], &case["person_id"]),
        (&json!("holder"), &json!("reclaimed"), &json!("given_back"), &json!(pool), &json!(person))
    );
    let case_id = case["id"].as_i64().unwrap();
    // The seat is free: gone from My seats and from the pool's count.
    let after = employee.get("/api/v1/my/seats").await.body.as_array().unwrap().clone();
    assert_eq!(after.len(), before.len() - 1);
    assert!(after.iter().all(|s| s["assignment_id"] != assignment));
    assert_eq!(app.id_of_owned(assigned(pool)).await, count_before - 1);
    // Its saving is the seat's cost, in the savings log with no approval asked for.
    let saved: (i64, String, Option<String>) = sqlx::query_as(
        "SELECT annual_minor, currency, reversed_at FROM savings WHERE case_id = $1 AND kind = 'reclaimed'",
    )
    .bind(case_id)
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    assert_eq!(
        (saved.0, saved.1.as_str(), saved.2),
        (
            seat["annual_cost"]["amount_minor"].as_i64().unwrap(),
            seat["annual_cost"]["currency"].as_str().unwrap(),
            None
        )
    );
    assert_eq!(
        app.id_of_owned(
            "SELECT COUNT(*) FROM change_requests WHERE requested_by IN \
             (SELECT id FROM users WHERE email = 'liam.okafor1@example.com')"
                .to_string()
        )
        .await,
        0
    );
    let ledgered = app
        .id_of_owned(format!(
            "SELECT COUNT(*) FROM ledger_entries WHERE action = 'reclamation.case.open' AND record_id = {case_id} \
             AND actor LIKE '%liam.okafor1@example.com%'"
        ))
        .await;
    assert_eq!(ledgered, 1, "the case's opening is ledgered under the employee's name");
    // Once given back it is gone: a second click finds nothing.
    let again = employee.post(&format!("/api/v1/my/seats/{assignment}/release"), json!({})).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.body);

    // A legal hold on the person defers the next one: the seat stays, the case waits.
    let admin = app.admin().await;
    let hold = admin
        .post("/api/v1/reclamation/holds", json!({"kind": "legal", "person_id": person, "reason": "Litigation LT-9"}))
        .await;
    assert_eq!(hold.status, StatusCode::CREATED, "{}", hold.body);
    let second = after[0]["assignment_id"].as_i64().unwrap();
    let r = employee.post(&format!("/api/v1/my/seats/{second}/release"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["state"], "awaiting_revocation");
    assert!(!r.body["hold_reason"].as_str().unwrap_or_default().contains("Litigation"), "{}", r.body);
    assert_eq!(app.id_of_owned(format!("SELECT COUNT(*) FROM seat_assignments WHERE id = {second}")).await, 1);

    // An admin gives the first seat back within the restore window; its saving is reversed.
    let restored = admin.post(&format!("/api/v1/reclamation/cases/{case_id}/restore"), json!({})).await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.body);
    let mine = employee.get("/api/v1/my/seats").await.body.as_array().unwrap().clone();
    assert!(mine.iter().any(|s| s["pool"]["id"] == pool));
    assert_eq!(app.id_of_owned(assigned(pool)).await, count_before);
}

#[tokio::test]
async fn an_employee_asks_for_a_license_which_an_approver_signs_off_and_applies_and_its_owners_hear_of() {
    let app = spawn_opts(Options { demo: true, smtp: true, ..Default::default() }).await;
    let employee = app.login("liam.okafor1@example.com").await;
    let person = employee.get("/api/v1/me").await.body["user"]["person_id"].as_i64().unwrap();
    // A pool of the demo's license owner that Liam holds no seat of, with room.
    let owner = app.owner().await;
    let owned = owner.get("/api/v1/pools?per_page=500").await.body["items"].as_array().unwrap().clone();
    let mut pool = 0;
    for p in &owned {
        let id = p["id"].as_i64().unwrap();
        let held = app.id_of_owned(format!(
            "SELECT COUNT(*) FROM seat_assignments WHERE pool_id = {id} AND person_id = {person}"
        ));
        if held.await == 0 && p["retired_at"].is_null() {
            pool = id;
            break;
        }
    }
    assert!(pool > 0, "the owner runs a pool Liam holds no seat of");
    app.exec(&format!("UPDATE pools SET seats_purchased = seats_assigned + 5 WHERE id = {pool}")).await;
    let name: String =
        sqlx::query_scalar("SELECT name FROM pools WHERE id = $1").bind(pool).fetch_one(&app.db.read).await.unwrap();

    // The catalog offers it, with a seat's monthly cost.
    let catalog = employee.get("/api/v1/my/catalog").await;
    assert_eq!(catalog.status, StatusCode::OK, "{}", catalog.body);
    let offered = catalog.body.as_array().unwrap().iter().find(|p| p["pool"]["id"] == pool).cloned().unwrap();
    assert!(offered["monthly_cost"]["currency"].is_string(), "{offered}");
    let offered_ids: Vec<i64> =
        catalog.body.as_array().unwrap().iter().map(|p| p["pool"]["id"].as_i64().unwrap()).collect();
    let holds: Vec<i64> = sqlx::query_scalar("SELECT pool_id FROM seat_assignments WHERE person_id = $1")
        .bind(person)
        .fetch_all(&app.db.read)
        .await
        .unwrap();
    assert!(holds.iter().all(|p| !offered_ids.contains(p)), "what one holds is not offered");

    // Bad asks say which field and why, and store nothing.
    let before = app.id_of_owned("SELECT COUNT(*) FROM change_requests".to_string()).await;
    for (body, path) in [
        (json!({"pool_id": pool, "reason": "   "}), "reason"),
        (json!({"pool_id": pool}), "reason"),
        (json!({"pool_id": 999_999, "reason": "Design work"}), "pool_id"),
        (json!({"pool_id": pool, "reason": "x".repeat(1001)}), "reason"),
    ] {
        let r = employee.post("/api/v1/my/requests", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.body);
        assert_eq!(r.body["error"]["fields"][0]["path"], path, "{}", r.body);
    }
    let held = app.id_of_owned(format!("SELECT MIN(pool_id) FROM seat_assignments WHERE person_id = {person}")).await;
    let r = employee.post("/api/v1/my/requests", json!({"pool_id": held, "reason": "More"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("already"), "{}", r.body);
    assert_eq!(app.id_of_owned("SELECT COUNT(*) FROM change_requests".to_string()).await, before);

    let r = employee.post("/api/v1/my/requests", json!({"pool_id": pool, "reason": "Design reviews for Q1"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!((&r.body["pool"]["name"], &r.body["status"]), (&json!(name), &json!("submitted")));
    let id = r.body["id"].as_i64().unwrap();
    // Asking again while it waits is refused, naming the request.
    let again = employee.post("/api/v1/my/requests", json!({"pool_id": pool, "reason": "Again"})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body["error"]["message"].as_str().unwrap().contains(&format!("#{id}")), "{}", again.body);

    // The approvers are asked, the pool's owner is told, with the reason.
    app.tick().await;
    let mails = app.smtp.as_ref().unwrap().received();
    let to = |who: &str| mails.iter().filter(|m| m.to.iter().any(|t| t.contains(who))).cloned().collect::<Vec<_>>();
    assert!(to("approver@example.com").iter().any(|m| m.subject().contains("Approval needed")));
    let told = to("owner@example.com");
    let notice = told.iter().find(|m| m.subject().contains("Seat asked for")).expect("the owner hears of the ask");
    let body = notice.data.replace("=\r\n", "").replace("=\n", "");
    assert!(body.contains("Design reviews for Q1") && body.contains("Liam"), "{body}");
    assert!(body.contains(&format!("/pools/{pool}")), "the notice links the pool: {body}");

    // In the queue it is the employee's request: an approver signs it off and applies it.
    let approver = app.approver().await;
    let cr = approver.get(&format!("/api/v1/change-requests/{id}")).await;
    assert_eq!(cr.body["requested_by"]["name"].as_str().map(|n| n.contains("Liam")), Some(true), "{}", cr.body);
    assert_eq!(cr.body["operations"], json!([{"op": "assign", "pool_id": pool, "person_id": person}]));
    let r = approver.post(&format!("/api/v1/change-requests/{id}/approve"), json!({"comment": "Enjoy"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = approver.post(&format!("/api/v1/change-requests/{id}/apply"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let seats = employee.get("/api/v1/my/seats").await.body;
    assert!(seats.as_array().unwrap().iter().any(|s| s["pool"]["id"] == pool), "{seats}");
    let mine = employee.get("/api/v1/my/requests").await.body;
    assert_eq!(
        (&mine[0]["id"], &mine[0]["status"], &mine[0]["decision_comment"]),
        (&json!(id), &json!("applied"), &json!("Enjoy"))
    );

    // The employee reaches nothing else of the request.
    assert!(matches!(employee.get(&format!("/api/v1/change-requests/{id}")).await.status.as_u16(), 403 | 404));
    // A login that is nobody in the directory cannot ask.
    let admin = app.admin().await;
    let r = admin.post("/api/v1/my/requests", json!({"pool_id": pool, "reason": "x"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}
