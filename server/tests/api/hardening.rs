//! What an outside probe broke in the approval and reclamation paths (issue 27), one test per defect: dates past
//! the accepted range, a rollback over a later grant, a reopened rollback, legal-hold reasons, formulas in CSV,
//! existence by name or id, four-eyes through a policy, and a NUL in free text.

use reqwest::StatusCode;
use serde_json::json;

use crate::change_requests::free_people;
use crate::common::{spawn, spawn_opts, Options};

fn step(id: i64, what: &str) -> String {
    format!("/api/v1/change-requests/{id}/{what}")
}

#[tokio::test]
async fn a_date_outside_the_range_is_a_field_error_and_background_work_goes_on() {
    let app = spawn_opts(Options { demo: true, smtp: true, ..Default::default() }).await;
    let owner = app.owner().await;
    let approver = app.approver().await;
    let jira = app.pool_id("Jira Software Premium").await;
    let person = free_people(&app, jira, 1).await[0];
    let body = |at: &str| {
        json!({"title": "Far away", "reason": "probe", "execute_at": at,
               "operations": [{"op": "assign", "pool_id": jira, "person_id": person}]})
    };
    for at in ["9999-12-31T23:59:59Z", "2200-01-01T00:00:00Z"] {
        let r = owner.post("/api/v1/change-requests", body(at)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{at}: {}", r.body);
        assert_eq!(r.field_paths(), vec!["execute_at".to_string()], "{}", r.body);
        assert!(r.body.to_string().contains("between 1900-01-01 and 2199-12-31"), "{}", r.body);
    }
    // The same range for a date in a query and in another endpoint's body.
    let r = owner.get("/api/v1/calendar?from=9999-01-01").await;
    assert_eq!((r.status, r.field_paths()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["from".to_string()]));
    let r = app
        .admin()
        .await
        .post(
            "/api/v1/reclamation/holds",
            json!({"kind": "legal", "person_id": person,
        "reason": "probe", "ends_on": "2500-01-01"}),
        )
        .await;
    assert_eq!((r.status, r.field_paths()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["ends_on".to_string()]));

    // The last accepted moment works end to end: its expiry (computed from it) reads back, and ticks go on.
    let r = owner.post("/api/v1/change-requests", body("2199-12-31T23:00:00Z")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(owner.post(&step(id, "submit"), json!({})).await.status, StatusCode::OK);
    let r = approver.post(&step(id, "approve"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["expires_at"].as_str().is_some_and(|e| e.starts_with("2200-")), "{}", r.body);
    assert_eq!(owner.get(&format!("/api/v1/change-requests/{id}")).await.status, StatusCode::OK);
    app.tick().await;

    // A row no one can read (written before the range held) fails its part of the tick, not the mail.
    app.exec(&format!("UPDATE change_requests SET expires_at = '+10000-01-01T00:00:00.000000Z' WHERE id = {id}")).await;
    let before = app.smtp.as_ref().unwrap().received().len();
    let r = owner.post(&step(id, "submit"), json!({})).await;
    assert!(r.status.is_server_error() || r.status.is_client_error());
    let other = free_people(&app, jira, 2).await[1];
    let r = owner
        .post(
            "/api/v1/change-requests",
            json!({"title": "Near", "reason": "probe",
            "operations": [{"op": "assign", "pool_id": jira, "person_id": other}]}),
        )
        .await;
    let near = r.body["id"].as_i64().unwrap();
    assert_eq!(owner.post(&step(near, "submit"), json!({})).await.status, StatusCode::OK);
    let worker = app.state.worker();
    assert!(seatwise_server::service::jobs::tick(&worker).await.is_err(), "the unreadable row is reported");
    let mails = app.smtp.as_ref().unwrap().received();
    assert!(mails.len() > before, "mail still goes out");
    assert!(
        mails.iter().any(|m| m.subject().contains("Near")),
        "{:?}",
        mails.iter().map(|m| m.subject()).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_formula_in_an_uploaded_row_comes_back_neutralised_in_the_skipped_rows() {
    let app = spawn().await;
    let admin = app.admin().await;
    let path = format!("{}/../tests/fixtures/samples/hr-export-with-errors.csv", env!("CARGO_MANIFEST_DIR"));
    let csv = std::fs::read_to_string(path).unwrap().replacen(
        ",Omar,",
        r#","=HYPERLINK(""http://evil.example"",""Omar"")","#,
        1,
    );
    let preview = admin.post_raw("/api/v1/imports/hr", "text/csv", csv.into_bytes()).await;
    assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.body);
    let id = preview.body["id"].as_i64().unwrap();
    let r = admin.post(&format!("/api/v1/imports/{id}/apply"), json!({"skip_invalid": true})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let skipped = admin.get(&format!("/api/v1/imports/{id}/skipped.csv")).await;
    let text = skipped.body.as_str().unwrap();
    let row = text.lines().find(|l| l.starts_with("E1002,")).unwrap_or_default();
    assert!(row.starts_with(r#"E1002,"'=HYPERLINK(""http://evil.example"",""Omar"")",Haddad"#), "{text}");
    assert!(!text.contains(",=HYPERLINK") && !text.contains(",\"=HYPERLINK"), "{text}");
}

#[tokio::test]
async fn a_nul_in_any_free_text_is_a_clear_error_never_a_500() {
    let app = spawn().await;
    let admin = app.admin().await;
    for path in
        ["/api/v1/people?q=%00", "/api/v1/people?q=a%00b", "/api/v1/pools?q=%00", "/api/v1/change-requests?q=%00"]
    {
        let r = admin.get(path).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {}", r.body);
        assert_eq!(r.field_paths(), vec!["q".to_string()], "{path}: {}", r.body);
    }
    let jira = app.pool_id("Jira Software Premium").await;
    let r = admin
        .post(
            "/api/v1/change-requests",
            json!({"title": "ok", "reason": "a\u{0}b",
            "operations": [{"op": "assign", "pool_id": jira, "person_id": 1}]}),
        )
        .await;
    assert_eq!((r.status, r.field_paths()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["reason".to_string()]));
    let r = admin.post_raw("/api/v1/imports/hr", "text/csv", b"employee_id,first_name\nE1,A\0B\n".to_vec()).await;
    assert_eq!((r.status, r.field_paths()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["file".to_string()]));
    assert!(r.body.to_string().contains("NUL character on line 2"), "{}", r.body);
    // The service is still there.
    assert_eq!(admin.get("/api/v1/people?q=Ann").await.status, StatusCode::OK);
}

/// A request by `by`, submitted, approved by the approver and applied by `by`; its id.
async fn applied(
    app: &crate::common::TestApp,
    by: &crate::common::Client,
    title: &str,
    operations: Vec<serde_json::Value>,
) -> i64 {
    let r =
        by.post("/api/v1/change-requests", json!({"title": title, "reason": "probe", "operations": operations})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(by.post(&step(id, "submit"), json!({})).await.status, StatusCode::OK);
    let r = app.approver().await.post(&step(id, "approve"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = by.post(&step(id, "apply"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    id
}

async fn holder_of(app: &crate::common::TestApp, pool: i64, person: i64) -> Option<String> {
    sqlx::query_scalar("SELECT assigned_by FROM seat_assignments WHERE pool_id = $1 AND person_id = $2")
        .bind(pool)
        .bind(person)
        .fetch_optional(&app.db.read)
        .await
        .unwrap()
        .flatten()
}

/// Take `person`'s seat on `pool` back by hand, an hour later, then have the admin give it again.
async fn taken_and_given_again(app: &crate::common::TestApp, pool: i64, person: i64) {
    app.clock.advance(chrono::Duration::hours(1));
    let seat = app
        .id_of_owned(format!("SELECT id FROM seat_assignments WHERE pool_id = {pool} AND person_id = {person}"))
        .await;
    let owner = app.owner().await;
    assert_eq!(owner.delete(&format!("/api/v1/pools/{pool}/assignments/{seat}")).await.status, StatusCode::NO_CONTENT);
    let r = app.admin().await.post(&format!("/api/v1/pools/{pool}/assignments"), json!({"person_id": person})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

#[tokio::test]
async fn a_rollback_never_takes_back_a_seat_someone_gave_again_since() {
    let app = spawn().await;
    let owner = app.owner().await;
    let jira = app.pool_id("Jira Software Premium").await;
    app.exec(&format!("UPDATE pools SET seats_purchased = seats_assigned + 5 WHERE id = {jira}")).await;
    let people = free_people(&app, jira, 2).await;

    // Asked for after the seat was given again: refused, naming the row.
    let id =
        applied(&app, &owner, "One seat", vec![json!({"op": "assign", "pool_id": jira, "person_id": people[0]})]).await;
    taken_and_given_again(&app, jira, people[0]).await;
    let requests = app.count("change_requests").await;
    let r = owner.post(&step(id, "rollback"), json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(crate::change_requests::rows_in_error(&r.body["error"]["fields"]), vec![(1, "person_id".to_string())]);
    assert_eq!(app.count("change_requests").await, requests, "nothing asked for");
    assert_eq!(holder_of(&app, jira, people[0]).await.as_deref(), Some("admin@example.com"));

    // Asked for and approved first, the seat given again before it is applied: the apply refuses.
    let id =
        applied(&app, &owner, "Another seat", vec![json!({"op": "assign", "pool_id": jira, "person_id": people[1]})])
            .await;
    let r = owner.post(&step(id, "rollback"), json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let undo = r.body["id"].as_i64().unwrap();
    assert_eq!(app.approver().await.post(&step(undo, "approve"), json!({})).await.status, StatusCode::OK);
    taken_and_given_again(&app, jira, people[1]).await;
    let r = owner.post(&step(undo, "apply"), json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(crate::change_requests::rows_in_error(&r.body["error"]["fields"]), vec![(1, "person_id".to_string())]);
    assert_eq!(holder_of(&app, jira, people[1]).await.as_deref(), Some("admin@example.com"), "the later grant stays");
}

#[tokio::test]
async fn a_rollback_reopened_by_a_later_change_is_checked_again_when_submitted_again() {
    let app = spawn().await;
    let owner = app.owner().await;
    let approver = app.approver().await;
    let jira = app.pool_id("Jira Software Premium").await;
    let seats = app.id_of_owned(format!("SELECT seats_assigned + 5 FROM pools WHERE id = {jira}")).await;
    app.exec(&format!("UPDATE pools SET seats_purchased = {seats} WHERE id = {jira}")).await;
    let set = |n: i64| vec![json!({"op": "set_seats", "pool_id": jira, "seats_purchased": n})];
    let first = applied(&app, &owner, "More seats", set(seats + 10)).await;
    let r = owner.post(&step(first, "rollback"), json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let undo = r.body["id"].as_i64().unwrap();
    assert_eq!(approver.post(&step(undo, "approve"), json!({})).await.status, StatusCode::OK);

    // A later change to the same pool (another holder) is applied: the rollback's apply finds the pool moved and
    // reopens it as a draft.
    let person = free_people(&app, jira, 1).await[0];
    applied(&app, &owner, "A new hire", vec![json!({"op": "assign", "pool_id": jira, "person_id": person})]).await;
    let r = owner.post(&step(undo, "apply"), json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(owner.get(&format!("/api/v1/change-requests/{undo}")).await.body["status"], "draft");
    // Then the seat count the first request set is changed again.
    applied(&app, &owner, "Even more seats", set(seats + 20)).await;

    // Submitted again, it is checked against what the first request left: refused, naming its row.
    let r = owner.post(&step(undo, "submit"), json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(
        crate::change_requests::rows_in_error(&r.body["error"]["fields"]),
        vec![(1, "seats_purchased".to_string())]
    );
    assert_eq!(owner.get(&format!("/api/v1/change-requests/{undo}")).await.body["status"], "draft");
    let now = app.id_of_owned(format!("SELECT seats_purchased FROM pools WHERE id = {jira}")).await;
    assert_eq!(now, seats + 20, "the later change stands");
}

#[tokio::test]
async fn outside_a_user_s_scope_a_record_and_a_missing_one_get_the_same_answer() {
    let app = spawn().await;
    let owner = app.owner().await;
    let foreign_sql =
        "SELECT id FROM pools WHERE department_id NOT IN (SELECT ud.department_id FROM user_departments ud \
         JOIN users u ON u.id = ud.user_id WHERE u.email = 'owner@example.com') \
         AND (owner_id IS NULL OR owner_id <> (SELECT id FROM people WHERE email = 'owner@example.com')) \
         ORDER BY id LIMIT 1";
    let foreign = app.id_of(foreign_sql).await;
    let name: String =
        sqlx::query_scalar("SELECT name FROM pools WHERE id = $1").bind(foreign).fetch_one(&app.db.read).await.unwrap();
    let email: String = sqlx::query_scalar("SELECT email FROM people WHERE status = 'active' ORDER BY id LIMIT 1")
        .fetch_one(&app.db.read)
        .await
        .unwrap();

    // A change-request file naming a foreign pool by name: told only that no pool has that name.
    let csv = format!("op,pool,person\nassign,{name},{email}\nassign,No Such Pool,{email}\n");
    let r = owner.post_raw("/api/v1/change-requests/csv", "text/csv", csv.into_bytes()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let messages: Vec<&str> =
        r.body["errors"].as_array().unwrap().iter().filter_map(|e| e["message"].as_str()).collect();
    assert_eq!(messages, [format!("no pool is named {name:?}"), "no pool is named \"No Such Pool\"".to_string()]);
    assert!(!r.body.to_string().contains(&format!("id {foreign}")), "{}", r.body);

    // A policy or a blackout aimed at a foreign pool: the same 422 as at a missing one.
    for pool in [foreign, 999_999] {
        let policy =
            json!({"name": "Probe", "pool_id": pool, "action": "reclaim", "conditions": {"inactive_days": 60}});
        let blackout = json!({"kind": "blackout", "pool_id": pool, "reason": "probe"});
        for (path, body) in [("/api/v1/reclamation/policies", policy), ("/api/v1/reclamation/holds", blackout)] {
            let r = owner.post(path, body).await;
            let answer = (r.status, r.field_paths());
            assert_eq!(answer, (StatusCode::UNPROCESSABLE_ENTITY, vec!["pool_id".to_string()]), "{path}: {}", r.body);
        }
    }

    // Lifting a legal hold someone may not know of answers as a missing hold does.
    let admin = app.admin().await;
    let person = app.id_of("SELECT id FROM people ORDER BY id LIMIT 1").await;
    let hold =
        admin.post("/api/v1/reclamation/holds", json!({"kind": "legal", "person_id": person, "reason": "LT-9"})).await;
    assert_eq!(hold.status, StatusCode::CREATED, "{}", hold.body);
    let id = hold.body["id"].as_i64().unwrap();
    for reader in [app.owner().await, app.finance().await, app.approver().await] {
        let real = reader.post(&format!("/api/v1/reclamation/holds/{id}/lift"), json!({})).await;
        let missing = reader.post("/api/v1/reclamation/holds/999999/lift", json!({})).await;
        assert_eq!((real.status, &real.body), (missing.status, &missing.body));
        assert_eq!(real.status, StatusCode::NOT_FOUND);
    }
}
