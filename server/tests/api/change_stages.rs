//! Change requests past the first approval: a pilot then the rest, rollback to the snapshot (and its refusal
//! where later changes would be overwritten), the finance sign-off above the policy's thresholds, re-approval
//! after an edit, lapsed approvals, and the mail each step sends.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::change_requests::{free_people, rows_in_error, seats_of};
use seatwise_server::clock::Clock;

use crate::common::{spawn, spawn_opts, Client, Options, TestApp};

/// Every seat of a pool as (person, assigned at, assigned by), by person.
async fn holders(app: &TestApp, pool: i64) -> Vec<(i64, String, Option<String>)> {
    let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT person_id, assigned_at, assigned_by FROM seat_assignments WHERE pool_id = $1 AND person_id IS NOT NULL \
         ORDER BY person_id",
    )
    .bind(pool)
    .fetch_all(&app.db.read)
    .await
    .expect("holders");
    rows
}

/// A request by `by`, submitted; its id.
async fn submitted(by: &Client, title: &str, operations: Vec<Value>) -> i64 {
    let r =
        by.post("/api/v1/change-requests", json!({"title": title, "reason": "test", "operations": operations})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["errors"], json!([]), "{}", r.body["errors"]);
    let id = r.body["id"].as_i64().unwrap();
    let r = by.post(&format!("/api/v1/change-requests/{id}/submit"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    id
}

fn step(id: i64, what: &str) -> String {
    format!("/api/v1/change-requests/{id}/{what}")
}

#[tokio::test]
async fn a_pilot_then_the_rest_then_an_approved_rollback_puts_every_seat_back() {
    let app = spawn_opts(Options { demo: true, smtp: true, ..Default::default() }).await;
    let owner = app.owner().await;
    let approver = app.approver().await;
    let jira = app.pool_id("Jira Software Premium").await;
    app.exec(&format!("UPDATE pools SET seats_purchased = seats_assigned + 30 WHERE id = {jira}")).await;
    let before = holders(&app, jira).await;
    let leaving: Vec<i64> = before.iter().take(5).map(|h| h.0).collect();
    let mut operations: Vec<Value> = free_people(&app, jira, 20)
        .await
        .iter()
        .map(|p| json!({"op": "assign", "pool_id": jira, "person_id": p}))
        .collect();
    operations.extend(leaving.iter().map(|p| json!({"op": "unassign", "pool_id": jira, "person_id": p})));
    let id = submitted(&owner, "Spring onboarding", operations).await;

    // The approvers hear of it: the mail goes out on the next tick, through a real SMTP conversation.
    app.tick().await;
    let mails = app.smtp.as_ref().unwrap().received();
    let to_approver = mails.iter().find(|m| m.to.iter().any(|t| t.contains("approver@example.com")));
    let subject = to_approver.map(|m| m.subject()).unwrap_or_default();
    assert!(subject.contains("Approval needed") && subject.contains("Spring onboarding"), "{subject}");
    let to_requester = |m: &&crate::common::ReceivedMail| m.to.iter().any(|t| t.contains("owner@example.com"));
    assert!(!mails.iter().filter(to_requester).any(|m| m.subject().contains("Spring")), "not to the requester");

    // The requester may not approve it: no action offered, and the API refuses.
    let mine = owner.get(&format!("/api/v1/change-requests/{id}")).await;
    assert_eq!(mine.body["actions"]["decide"], false);
    assert_eq!(owner.post(&step(id, "approve"), json!({})).await.status, StatusCode::FORBIDDEN);
    let r = approver.post(&step(id, "approve"), json!({"comment": "go"})).await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::OK, Some("approved")), "{}", r.body);

    // The pilot applies the first five rows, and only them.
    let r = approver.post(&step(id, "apply"), json!({"pilot": 25})).await;
    assert_eq!((r.status, r.field_paths()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["pilot".to_string()]));
    let r = owner.post(&step(id, "apply"), json!({"pilot": 5})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.body["status"].as_str(), r.body["applied_count"].as_i64()), (Some("piloted"), Some(5)));
    assert_eq!(r.body["stages"][0]["pilot"], true);
    assert_eq!(seats_of(&app, jira).await, before.len() as i64 + 5);
    let r = owner.post(&step(id, "apply"), json!({"pilot": 3})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "one pilot only");
    // The rest, confirmed.
    let r = approver.post(&step(id, "apply"), json!({})).await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::OK, Some("applied")), "{}", r.body);
    assert_eq!(r.body["stages"].as_array().map(Vec::len), Some(2));
    assert_eq!(seats_of(&app, jira).await, before.len() as i64 + 15);

    // The rollback is a request of its own, submitted, that the requester cannot approve either.
    let r = owner.post(&step(id, "rollback"), json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let undo = r.body["id"].as_i64().unwrap();
    assert_eq!((r.body["status"].as_str(), r.body["rollback_of"].as_i64()), (Some("submitted"), Some(id)));
    assert_eq!(r.body["operations"].as_array().map(Vec::len), Some(25));
    assert_eq!(owner.post(&step(id, "rollback"), json!({})).await.status, StatusCode::CONFLICT, "asked once");
    assert_eq!(owner.post(&step(undo, "approve"), json!({})).await.status, StatusCode::FORBIDDEN);
    assert_eq!(seats_of(&app, jira).await, before.len() as i64 + 15, "nothing undone before approval");
    approver.post(&step(undo, "approve"), json!({})).await;
    let r = owner.post(&step(undo, "apply"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Exactly as before: the same holders, with the dates and names they were first given their seats.
    assert_eq!(holders(&app, jira).await, before);
    let counted = app.id_of_owned(format!("SELECT seats_assigned FROM pools WHERE id = {jira}")).await;
    assert_eq!(counted, before.len() as i64);
    assert_eq!(owner.get(&format!("/api/v1/change-requests/{id}")).await.body["status"], "rolled_back");
    let verify = app.admin().await.post("/api/v1/ledger/verify", json!({})).await;
    assert_eq!(verify.body["ok"], true, "{}", verify.body);
    // The requester heard of the decisions and of the stage the approver applied (not of those they applied).
    app.tick().await;
    let to_owner: Vec<String> = app
        .smtp
        .as_ref()
        .unwrap()
        .received()
        .iter()
        .filter(|m| m.to.iter().any(|t| t.contains("owner@example.com")))
        .map(|m| m.subject())
        .collect();
    assert!(to_owner.iter().any(|s| s.starts_with("Approved:")), "{to_owner:?}");
    assert!(to_owner.iter().any(|s| s == "Applied: #1 Spring onboarding"), "{to_owner:?}");
    assert!(to_owner.iter().any(|s| s == "Approved: #2 Roll back: Spring onboarding"), "{to_owner:?}");
    assert!(!to_owner.iter().any(|s| s.starts_with("Pilot applied")), "{to_owner:?}");
}

#[tokio::test]
async fn a_rollback_is_refused_where_a_record_changed_since_naming_it() {
    let app = spawn().await;
    let owner = app.owner().await;
    let jira = app.pool_id("Jira Software Premium").await;
    app.exec(&format!("UPDATE pools SET seats_purchased = seats_assigned + 5 WHERE id = {jira}")).await;
    let people = free_people(&app, jira, 2).await;
    let ops = people.iter().map(|p| json!({"op": "assign", "pool_id": jira, "person_id": p})).collect();
    let id = submitted(&owner, "Two seats", ops).await;
    app.approver().await.post(&step(id, "approve"), json!({})).await;
    assert_eq!(owner.post(&step(id, "apply"), json!({})).await.status, StatusCode::OK);
    // Someone takes the second seat away by hand afterwards.
    let seat = app
        .id_of_owned(format!("SELECT id FROM seat_assignments WHERE pool_id = {jira} AND person_id = {}", people[1]))
        .await;
    assert_eq!(owner.delete(&format!("/api/v1/pools/{jira}/assignments/{seat}")).await.status, StatusCode::NO_CONTENT);
    let requests = app.count("change_requests").await;
    let r = owner.post(&step(id, "rollback"), json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(rows_in_error(&r.body["error"]["fields"]), vec![(2, "person_id".to_string())]);
    let message = r.body["error"]["fields"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("changed after this request was applied"), "{message}");
    assert_eq!(app.count("change_requests").await, requests, "nothing asked for");
}

#[tokio::test]
async fn a_retired_pool_is_rolled_back_with_its_holders_and_cost() {
    let app = spawn().await;
    let owner = app.owner().await;
    let jira = app.pool_id("Jira Software Premium").await;
    let before = holders(&app, jira).await;
    let cost = app.id_of_owned(format!("SELECT annual_cost_minor FROM pools WHERE id = {jira}")).await;
    let id = submitted(&owner, "Retire Jira", vec![json!({"op": "retire_pool", "pool_id": jira})]).await;
    let approver = app.approver().await;
    approver.post(&step(id, "approve"), json!({})).await;
    assert_eq!(owner.post(&step(id, "apply"), json!({})).await.status, StatusCode::OK);
    assert_eq!(seats_of(&app, jira).await, 0);
    let r = owner.post(&step(id, "rollback"), json!({"reason": "still needed"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["operations"][0]["op"], "restore_pool");
    let undo = r.body["id"].as_i64().unwrap();
    approver.post(&step(undo, "approve"), json!({})).await;
    let r = owner.post(&step(undo, "apply"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(holders(&app, jira).await, before);
    assert_eq!(app.id_of_owned(format!("SELECT annual_cost_minor FROM pools WHERE id = {jira}")).await, cost);
    let retired = app.id_of_owned(format!("SELECT COUNT(*) FROM pools WHERE id = {jira} AND retired_at IS NULL")).await;
    assert_eq!(retired, 1, "in use again");
}

#[tokio::test]
async fn above_the_threshold_finance_signs_off_after_the_approver() {
    let app = spawn().await;
    let admin = app.admin().await;
    let policy = json!({"finance_above_seats": 2, "finance_above_annual_minor": null, "max_operations": 1000,
        "approval_valid_days": 14, "reminder_hours": 24});
    assert_eq!(app.owner().await.put("/api/v1/approval-policy", policy.clone()).await.status, StatusCode::FORBIDDEN);
    let r = admin.put("/api/v1/approval-policy", json!({"max_operations": 0})).await;
    assert_eq!((r.status, r.field_paths()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["max_operations".to_string()]));
    let r = admin.put("/api/v1/approval-policy", policy).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let owner = app.owner().await;
    let jira = app.pool_id("Jira Software Premium").await;
    app.exec(&format!("UPDATE pools SET seats_purchased = seats_assigned + 5 WHERE id = {jira}")).await;
    let ops = free_people(&app, jira, 3)
        .await
        .iter()
        .map(|p| json!({"op": "assign", "pool_id": jira, "person_id": p}))
        .collect();
    let id = submitted(&owner, "Three seats", ops).await;
    let approver = app.approver().await;
    let finance = app.finance().await;
    let r = approver.get(&format!("/api/v1/change-requests/{id}")).await;
    assert_eq!((r.body["needs_finance"].as_bool(), r.body["waiting_for"].as_str()), (Some(true), Some("approver")));
    // Finance is second, not first.
    assert_eq!(finance.post(&step(id, "approve"), json!({})).await.status, StatusCode::FORBIDDEN);
    let r = approver.post(&step(id, "approve"), json!({"comment": "ok by me"})).await;
    assert_eq!((r.body["status"].as_str(), r.body["waiting_for"].as_str()), (Some("submitted"), Some("finance")));
    assert_eq!(owner.post(&step(id, "apply"), json!({})).await.status, StatusCode::CONFLICT, "not yet approved");
    assert_eq!(approver.post(&step(id, "approve"), json!({})).await.status, StatusCode::FORBIDDEN, "not twice");
    // Each sees it in their own queue.
    let queue = finance.get("/api/v1/change-requests?for_me=true").await;
    assert_eq!(queue.body["items"][0]["id"], id, "{}", queue.body);
    assert_eq!(approver.get("/api/v1/change-requests?for_me=true").await.body["total"], 0);
    let r = finance.post(&step(id, "approve"), json!({"comment": "budgeted"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.body["status"].as_str(), r.body["finance_decision"]["comment"].as_str()),
        (Some("approved"), Some("budgeted"))
    );
    assert!(r.body["expires_at"].is_string());
}

#[tokio::test]
async fn an_edited_request_is_approved_again_and_an_unused_approval_lapses() {
    let app = spawn().await;
    let owner = app.owner().await;
    let approver = app.approver().await;
    let jira = app.pool_id("Jira Software Premium").await;
    app.exec(&format!("UPDATE pools SET seats_purchased = seats_assigned + 5 WHERE id = {jira}")).await;
    let people = free_people(&app, jira, 2).await;
    let one = vec![json!({"op": "assign", "pool_id": jira, "person_id": people[0]})];
    let id = submitted(&owner, "One seat", one).await;
    approver.post(&step(id, "approve"), json!({})).await;
    // Changed after its approval: a draft again, the approval gone.
    let two: Vec<Value> = people.iter().map(|p| json!({"op": "assign", "pool_id": jira, "person_id": p})).collect();
    let r = owner
        .put(
            &format!("/api/v1/change-requests/{id}"),
            json!({"title": "Two seats", "reason": "test", "operations": two}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.body["status"].as_str(), r.body["decided_by"].is_null()), (Some("draft"), true));
    assert_eq!(
        approver
            .put(&format!("/api/v1/change-requests/{id}"), json!({"title": "x", "reason": "test", "operations": []}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    owner.post(&step(id, "submit"), json!({})).await;
    approver.post(&step(id, "approve"), json!({})).await;
    // Fourteen days on (the default validity), unapplied: the approval lapses and nothing is applied.
    let before = seats_of(&app, jira).await;
    app.clock.set(app.clock.now() + chrono::Duration::days(15));
    let report = app.tick().await;
    assert_eq!(report.changes_expired, 1);
    let owner = app.owner().await;
    let r = owner.post(&step(id, "apply"), json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(owner.get(&format!("/api/v1/change-requests/{id}")).await.body["status"], "expired");
    assert_eq!(seats_of(&app, jira).await, before);
}

#[tokio::test]
async fn a_scheduled_request_waits_for_its_window_and_exactly_one_instance_applies_it() {
    let app = spawn().await;
    let other = app.another_instance().await;
    let (owner, approver) = (app.owner().await, app.approver().await);
    let jira = app.pool_id("Jira Software Premium").await;
    let before = seats_of(&app, jira).await;
    let people: Vec<i64> = holders(&app, jira).await.iter().take(3).map(|s| s.0).collect();
    let ops: Vec<Value> = people.iter().map(|p| json!({"op": "unassign", "pool_id": jira, "person_id": p})).collect();
    let past = (app.clock.now() - chrono::Duration::minutes(1)).to_rfc3339();
    let r = owner
        .post(
            "/api/v1/change-requests",
            json!({"title": "Later", "reason": "test", "operations": ops, "execute_at": past}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["fields"][0]["path"], "execute_at");

    let at = app.clock.now() + chrono::Duration::hours(6);
    let r = owner
        .post(
            "/api/v1/change-requests",
            json!({"title": "Later", "reason": "test", "operations": ops, "execute_at": at.to_rfc3339()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    owner.post(&step(id, "submit"), json!({})).await;
    assert_eq!(approver.post(&step(id, "approve"), json!({})).await.status, StatusCode::OK);
    // Not before its time, by hand or by the background run.
    let early = approver.post(&step(id, "apply"), json!({})).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    assert_eq!(app.tick().await.changes_applied, 0);
    assert_eq!(seats_of(&app, jira).await, before);

    // Its time comes on both instances: one claims and applies it, the other finds it claimed.
    let later = at + chrono::Duration::minutes(1);
    app.clock.set(later);
    other.clock.set(later);
    let (a, b) = tokio::join!(app.tick(), other.tick());
    assert_eq!(a.changes_applied + b.changes_applied, 1, "applied exactly once");
    let done = owner.get(&format!("/api/v1/change-requests/{id}")).await.body;
    assert_eq!(done["status"], "applied", "{}", done["attempts"]);
    assert_eq!(done["attempts"].as_array().map(Vec::len), Some(1));
    assert_eq!(done["stages"][0]["applied_by"]["id"], done["requested_by"]["id"]);
    assert_eq!(seats_of(&app, jira).await, before - 3);
    assert_eq!(app.tick().await.changes_applied + other.tick().await.changes_applied, 0);
}

#[tokio::test]
async fn a_pilot_for_one_department_applies_its_peoples_rows_first_and_only_them() {
    let app = spawn().await;
    let (owner, approver) = (app.owner().await, app.approver().await);
    let jira = app.pool_id("Jira Software Premium").await;
    // Six holders, two of them moved to another department: the pilot is for those two.
    let six: Vec<i64> = holders(&app, jira).await.iter().take(6).map(|h| h.0).collect();
    let pilot_department = app
        .id_of(&format!(
            "SELECT MIN(id) FROM departments WHERE id NOT IN (SELECT department_id FROM people WHERE id IN ({}) \
             AND department_id IS NOT NULL)",
            six.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ))
        .await;
    app.exec(&format!("UPDATE people SET department_id = {pilot_department} WHERE id IN ({}, {})", six[4], six[5]))
        .await;
    // The department's people are the last rows.
    let chosen: Vec<(i64, i64)> = six.iter().map(|p| (*p, 0)).collect();
    let ops: Vec<Value> =
        chosen.iter().map(|(p, _)| json!({"op": "unassign", "pool_id": jira, "person_id": p})).collect();
    let id = submitted(&owner, "Jira clean-up", ops).await;
    approver.post(&step(id, "approve"), json!({})).await;

    let r = owner.get(&format!("/api/v1/change-requests/{id}")).await;
    let groups = r.body["pilot_groups"].as_array().unwrap();
    let group = groups.iter().find(|g| g["department"]["id"] == pilot_department).expect("the department is offered");
    assert_eq!(group["rows"], 2);

    let both = owner.post(&step(id, "apply"), json!({"pilot": 2, "pilot_department_id": pilot_department})).await;
    assert_eq!(both.field_paths(), ["pilot_department_id"]);
    let nobody = owner.post(&step(id, "apply"), json!({"pilot_department_id": 999_999})).await;
    assert_eq!(
        (nobody.status, nobody.field_paths()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["pilot_department_id".into()])
    );
    let before = seats_of(&app, jira).await;
    let r = owner.post(&step(id, "apply"), json!({"pilot_department_id": pilot_department})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.body["status"].as_str(), r.body["applied_count"].as_i64()), (Some("piloted"), Some(2)));
    // Its rows now lead, the others follow in their order; only its people lost their seats.
    let order: Vec<i64> =
        r.body["operations"].as_array().unwrap().iter().map(|o| o["person_id"].as_i64().unwrap()).collect();
    let expected: Vec<i64> = chosen[4..].iter().chain(&chosen[..4]).map(|(p, _)| *p).collect();
    assert_eq!(order, expected);
    assert_eq!(seats_of(&app, jira).await, before - 2);
    let still: Vec<i64> = holders(&app, jira).await.iter().map(|h| h.0).collect();
    assert!(chosen[..4].iter().all(|(p, _)| still.contains(p)) && !chosen[4..].iter().any(|(p, _)| still.contains(p)));
    assert_eq!(r.body["pilot_groups"], json!([]), "offered only before the pilot");
    let r = approver.post(&step(id, "apply"), json!({})).await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::OK, Some("applied")), "{}", r.body);
    assert_eq!(seats_of(&app, jira).await, before - 6);
}

#[tokio::test]
async fn a_window_that_passed_before_the_approval_waits_for_a_person_and_a_run_that_cannot_start_says_why() {
    let app = spawn().await;
    let (owner, approver, admin) = (app.owner().await, app.approver().await, app.admin().await);
    let jira = app.pool_id("Jira Software Premium").await;
    let people: Vec<i64> = holders(&app, jira).await.iter().take(4).map(|s| s.0).collect();
    let request = |people: &[i64], at: chrono::DateTime<chrono::Utc>| {
        let ops: Vec<Value> =
            people.iter().map(|p| json!({"op": "unassign", "pool_id": jira, "person_id": p})).collect();
        json!({"title": "Scheduled", "reason": "test", "operations": ops, "execute_at": at.to_rfc3339()})
    };
    let at = app.clock.now() + chrono::Duration::hours(1);
    let late = owner.post("/api/v1/change-requests", request(&people[..2], at)).await.body["id"].as_i64().unwrap();
    owner.post(&step(late, "submit"), json!({})).await;
    // Approved only after its time: not run late by itself; a person may apply it.
    app.clock.set(at + chrono::Duration::hours(2));
    assert_eq!(approver.post(&step(late, "approve"), json!({})).await.status, StatusCode::OK);
    assert_eq!(app.tick().await.changes_applied, 0);
    assert_eq!(owner.get(&format!("/api/v1/change-requests/{late}")).await.body["status"], "approved");
    let r = owner.post(&step(late, "apply"), json!({})).await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::OK, Some("applied")), "{}", r.body);

    // A run whose requester may no longer apply it does not start, and the request says why.
    let at = app.clock.now() + chrono::Duration::hours(1);
    let refused = owner.post("/api/v1/change-requests", request(&people[2..], at)).await.body["id"].as_i64().unwrap();
    owner.post(&step(refused, "submit"), json!({})).await;
    approver.post(&step(refused, "approve"), json!({})).await;
    let owner_id = app.id_of("SELECT id FROM users WHERE email = 'owner@example.com'").await;
    let demoted = admin.put(&format!("/api/v1/users/{owner_id}/roles"), json!({"roles": []})).await;
    assert_eq!(demoted.status, StatusCode::OK, "{}", demoted.body);
    let seats = seats_of(&app, jira).await;
    app.clock.set(at + chrono::Duration::minutes(1));
    assert_eq!(app.tick().await.changes_applied, 0);
    assert_eq!(seats_of(&app, jira).await, seats);
    let r = admin.get(&format!("/api/v1/change-requests/{refused}")).await.body;
    assert_eq!(r["status"], "approved");
    let attempt = &r["attempts"][0];
    assert_eq!(attempt["outcome"], "failed", "{r}");
    assert!(attempt["error"].as_str().is_some_and(|e| e.starts_with("The scheduled run did not start")), "{attempt}");
    assert_eq!(app.tick().await.changes_applied, 0, "claimed once: not retried every tick");
}
