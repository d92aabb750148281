//! Change requests over HTTP: row errors, submit, four-eyes approval, apply as a whole, and the re-check.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{spawn, TestApp};

/// `n` active people who hold no seat on `pool`, lowest ids first.
pub(crate) async fn free_people(app: &TestApp, pool: i64, n: usize) -> Vec<i64> {
    let mut out = Vec::new();
    for k in 0..n {
        out.push(
            app.id_of_owned(format!(
                "SELECT id FROM people WHERE status = 'active' AND id NOT IN (SELECT person_id FROM \
                 seat_assignments WHERE pool_id = {pool} AND person_id IS NOT NULL) ORDER BY id LIMIT 1 OFFSET {k}"
            ))
            .await,
        );
    }
    out
}

pub(crate) async fn seats_of(app: &TestApp, pool: i64) -> i64 {
    app.id_of_owned(format!("SELECT COUNT(*) FROM seat_assignments WHERE pool_id = {pool}")).await
}

pub(crate) fn rows_in_error(body: &Value) -> Vec<(u64, String)> {
    body.as_array()
        .map(|a| {
            a.iter().map(|e| (e["row"].as_u64().unwrap_or(0), e["path"].as_str().unwrap_or("").to_string())).collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn bad_rows_are_named_and_nothing_is_queued() {
    let app = spawn().await;
    let owner = app.owner().await;
    let jira = app.pool_id("Jira Software Premium").await;
    let sales = app.pool_id("Sales Cloud Enterprise").await;
    let person = free_people(&app, jira, 1).await[0];
    let terminated = app.id_of("SELECT MIN(id) FROM people WHERE status = 'terminated'").await;
    let r = owner
        .post(
            "/api/v1/change-requests",
            json!({"title": "Three bad rows", "reason": "test", "operations": [
                {"op": "assign", "pool_id": jira, "person_id": person},
                {"op": "assign", "pool_id": jira},
                {"op": "assign", "pool_id": sales, "person_id": person},
                {"op": "assign", "pool_id": jira, "person_id": terminated},
            ]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["status"], "draft");
    assert_eq!(
        rows_in_error(&r.body["errors"]),
        vec![(2, "person_id".into()), (3, "pool_id".into()), (4, "person_id".into())],
        "{}",
        r.body["errors"]
    );
    // A pool outside the requester's departments does not exist for them, not even by name.
    assert_eq!(r.body["errors"][1]["message"], format!("no pool has id {sales}"));
    let id = r.body["id"].as_i64().unwrap();
    let before = seats_of(&app, jira).await;
    let r = owner.post(&format!("/api/v1/change-requests/{id}/submit"), json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(rows_in_error(&r.body["error"]["fields"]).len(), 3);
    let r = owner.get(&format!("/api/v1/change-requests/{id}")).await;
    assert_eq!(r.body["status"], "draft", "nothing is queued");
    let approver = app.approver().await;
    let queue = approver.get("/api/v1/change-requests?status=submitted").await;
    assert_eq!(queue.body["total"], 0);
    assert_eq!(seats_of(&app, jira).await, before);
}

#[tokio::test]
async fn a_request_is_approved_by_someone_else_and_applied_as_a_whole() {
    let app = spawn().await;
    let owner = app.owner().await;
    let jira = app.pool_id("Jira Software Premium").await;
    app.exec(&format!("UPDATE pools SET seats_purchased = seats_assigned + 10 WHERE id = {jira}")).await;
    let new = free_people(&app, jira, 3).await;
    let holder = app.id_of_owned(format!("SELECT MIN(person_id) FROM seat_assignments WHERE pool_id = {jira}")).await;
    let before = seats_of(&app, jira).await;
    let mut operations: Vec<Value> =
        new.iter().map(|p| json!({"op": "assign", "pool_id": jira, "person_id": p})).collect();
    operations.push(json!({"op": "unassign", "pool_id": jira, "person_id": holder}));
    let r = owner
        .post("/api/v1/change-requests", json!({"title": "Onboarding", "reason": "new team", "operations": operations}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["errors"], json!([]));
    let preview = &r.body["preview"];
    assert_eq!(preview["seats_assigned"], 3);
    assert_eq!(preview["people_losing_seats"], 1);
    assert_eq!(preview["pools"][0]["seats_assigned_after"], before + 2);
    let id = r.body["id"].as_i64().unwrap();
    let path = |step: &str| format!("/api/v1/change-requests/{id}/{step}");

    // Not yet submitted: nobody may approve it.
    let approver = app.approver().await;
    assert_eq!(approver.post(&path("approve"), json!({"comment": "ok"})).await.status, StatusCode::CONFLICT);
    let r = owner.post(&path("submit"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "submitted");
    assert_eq!(r.body["can_decide"], false, "the requester never decides");
    // The requester cannot approve their own request, and neither can finance.
    let r = owner.post(&path("approve"), json!({"comment": "mine"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(app.finance().await.post(&path("approve"), json!({})).await.status, StatusCode::FORBIDDEN);
    // A rejection needs a reason.
    let r = approver.post(&path("reject"), json!({"comment": " "})).await;
    assert_eq!((r.status, r.field_paths()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["comment".to_string()]));
    assert_eq!(approver.get(&format!("/api/v1/change-requests/{id}")).await.body["can_decide"], true);
    let r = approver.post(&path("approve"), json!({"comment": "fine"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.body["status"].as_str(), r.body["decided_by"]["name"].is_string()), (Some("approved"), true));
    assert_eq!(seats_of(&app, jira).await, before, "approving changes nothing yet");

    let ledger = app.ledger_len().await;
    let r = owner.post(&path("apply"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "applied");
    assert_eq!(seats_of(&app, jira).await, before + 2);
    let counted = app.id_of_owned(format!("SELECT seats_assigned FROM pools WHERE id = {jira}")).await;
    assert_eq!(counted, before + 2, "the pool's counter follows its seats");
    assert_eq!(app.ledger_len().await, ledger + 5, "one entry per operation and one for the apply");
    assert_eq!(owner.post(&path("apply"), json!({})).await.status, StatusCode::CONFLICT, "applied once");
}

#[tokio::test]
async fn an_admin_never_approves_their_own_request() {
    let app = spawn().await;
    let admin = app.admin().await;
    let jira = app.pool_id("Jira Software Premium").await;
    let r = admin
        .post(
            "/api/v1/change-requests",
            json!({"title": "More seats", "reason": "test", "operations": [{"op": "set_seats", "pool_id": jira, "seats_purchased": 500}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(admin.post(&format!("/api/v1/change-requests/{id}/submit"), json!({})).await.status, StatusCode::OK);
    let r = admin.post(&format!("/api/v1/change-requests/{id}/approve"), json!({"comment": "self"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("someone else"));
    let approver = app.approver().await;
    let r = approver.post(&format!("/api/v1/change-requests/{id}/approve"), json!({"comment": "ok"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let annual_before = app.id_of_owned(format!("SELECT annual_cost_minor FROM pools WHERE id = {jira}")).await;
    let preview_after = r.body["preview"]["pools"][0]["annual_cost_after"]["amount_minor"].as_i64().unwrap();
    assert_eq!(admin.post(&format!("/api/v1/change-requests/{id}/apply"), json!({})).await.status, StatusCode::OK);
    let pool = admin.get(&format!("/api/v1/pools/{jira}")).await;
    assert_eq!(pool.body["seats_purchased"], 500);
    assert_eq!(pool.body["annual_cost"]["amount_minor"].as_i64(), Some(preview_after));
    assert_ne!(preview_after, annual_before);
    // A license owner reads only their own requests.
    let owner = app.owner().await;
    assert_eq!(owner.get(&format!("/api/v1/change-requests/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(owner.get("/api/v1/change-requests").await.body["total"], 0);
    assert_eq!(app.finance().await.get("/api/v1/change-requests").await.body["total"], 1);
}

#[tokio::test]
async fn an_approved_request_is_checked_again_and_applies_nothing_if_the_inventory_moved() {
    let app = spawn().await;
    let owner = app.owner().await;
    let jira = app.pool_id("Jira Software Premium").await;
    app.exec(&format!("UPDATE pools SET seats_purchased = seats_assigned + 10 WHERE id = {jira}")).await;
    let people = free_people(&app, jira, 2).await;
    let ops: Vec<Value> = people.iter().map(|p| json!({"op": "assign", "pool_id": jira, "person_id": p})).collect();
    let r =
        owner.post("/api/v1/change-requests", json!({"title": "Two seats", "reason": "test", "operations": ops})).await;
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(owner.post(&format!("/api/v1/change-requests/{id}/submit"), json!({})).await.status, StatusCode::OK);
    let approver = app.approver().await;
    let r = approver.post(&format!("/api/v1/change-requests/{id}/approve"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Meanwhile the second person leaves.
    app.exec(&format!("UPDATE people SET status = 'terminated' WHERE id = {}", people[1])).await;
    let before = seats_of(&app, jira).await;
    let r = approver.post(&format!("/api/v1/change-requests/{id}/apply"), json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(rows_in_error(&r.body["error"]["fields"]), vec![(2, "person_id".into())]);
    assert_eq!(seats_of(&app, jira).await, before, "nothing applied");
    assert_eq!(approver.get(&format!("/api/v1/change-requests/{id}")).await.body["status"], "approved");
}

#[tokio::test]
async fn retiring_a_pool_frees_every_seat() {
    let app = spawn().await;
    let owner = app.owner().await;
    let jira = app.pool_id("Jira Software Premium").await;
    assert!(seats_of(&app, jira).await > 0);
    let r = owner
        .post(
            "/api/v1/change-requests",
            json!({"title": "Retire Jira", "reason": "test", "operations": [{"op": "retire_pool", "pool_id": jira}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let holders =
        app.id_of_owned(format!("SELECT COUNT(DISTINCT person_id) FROM seat_assignments WHERE pool_id = {jira}")).await;
    assert_eq!(r.body["preview"]["people_losing_seats"], holders);
    let id = r.body["id"].as_i64().unwrap();
    owner.post(&format!("/api/v1/change-requests/{id}/submit"), json!({})).await;
    app.approver().await.post(&format!("/api/v1/change-requests/{id}/approve"), json!({})).await;
    let r = owner.post(&format!("/api/v1/change-requests/{id}/apply"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(seats_of(&app, jira).await, 0);
    assert_eq!(app.count("pools WHERE retired_at IS NOT NULL AND annual_cost_minor = 0").await, 1);
    assert_eq!(app.count("ledger_entries WHERE action = 'pool.seat_unassign'").await, holders);
    // Nor does the pool page change it.
    let person = free_people(&app, jira, 1).await[0];
    let r = owner.post(&format!("/api/v1/pools/{jira}/assignments"), json!({"person_id": person})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    // A retired pool takes no further change.
    let r = owner
        .post(
            "/api/v1/change-requests",
            json!({"title": "Again", "reason": "test", "operations": [{"op": "set_seats", "pool_id": jira, "seats_purchased": 1}]}),
        )
        .await;
    assert!(r.body["errors"][0]["message"].as_str().unwrap().contains("is retired"), "{}", r.body);
}

#[tokio::test]
async fn a_request_that_would_do_more_than_was_approved_goes_back_to_its_requester() {
    let app = spawn().await;
    let owner = app.owner().await;
    let jira = app.pool_id("Jira Software Premium").await;
    let r = owner
        .post(
            "/api/v1/change-requests",
            json!({"title": "Retire", "reason": "test", "operations": [{"op": "retire_pool", "pool_id": jira}]}),
        )
        .await;
    let id = r.body["id"].as_i64().unwrap();
    owner.post(&format!("/api/v1/change-requests/{id}/submit"), json!({})).await;
    let approver = app.approver().await;
    approver.post(&format!("/api/v1/change-requests/{id}/approve"), json!({})).await;
    // A pilot is part of a request: of one operation there is none.
    let r = approver.post(&format!("/api/v1/change-requests/{id}/apply"), json!({"pilot": 5})).await;
    assert_eq!((r.status, r.field_paths()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["pilot".to_string()]));
    // Someone gets a seat after the approval: retiring now would take it away too.
    app.exec(&format!("UPDATE pools SET seats_purchased = seats_assigned + 1 WHERE id = {jira}")).await;
    let person = free_people(&app, jira, 1).await[0];
    let r = owner.post(&format!("/api/v1/pools/{jira}/assignments"), json!({"person_id": person})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let before = seats_of(&app, jira).await;
    let r = approver.post(&format!("/api/v1/change-requests/{id}/apply"), json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(seats_of(&app, jira).await, before, "nothing applied");
    let r = owner.get(&format!("/api/v1/change-requests/{id}")).await;
    assert_eq!(r.body["status"], "draft");
    assert_eq!(r.body["preview"]["pools"][0]["seats_assigned_before"], before);
}

#[tokio::test]
async fn a_csv_request_names_each_bad_row_by_line_and_column_and_queues_nothing() {
    let app = spawn().await;
    let owner = app.owner().await;
    let jira = app.pool_id("Jira Software Premium").await;
    app.exec(&format!("UPDATE pools SET seats_purchased = seats_assigned + 10 WHERE id = {jira}")).await;
    let free = free_people(&app, jira, 2).await;
    let mut emails = Vec::new();
    for id in &free {
        let r = owner.get(&format!("/api/v1/people/{id}")).await;
        emails.push(r.body["email"].as_str().unwrap().to_string());
    }
    let csv = format!(
        "Op,Pool,Person,Seats Purchased\n\
         assign,Jira Software Premium,{},\n\
         assign,No Such Pool,{},\n\
         \"assign\",{jira},nobody@example.invalid,\n\
         set_seats,{jira},,lots\n\
         assign,{jira},{},\n",
        emails[0],
        emails[1],
        emails[1].to_uppercase()
    );
    let r = owner.post_raw("/api/v1/change-requests/csv?title=From%20a%20file", "text/csv", csv.into_bytes()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["title"], "From a file");
    let errors = &r.body["errors"];
    assert_eq!(
        rows_in_error(errors),
        vec![(2, "pool".into()), (3, "person".into()), (4, "seats_purchased".into())],
        "{errors}"
    );
    assert_eq!(errors[0]["message"], "no pool is named \"No Such Pool\"");
    assert_eq!(errors[1]["line"], 4);
    // Rows 1 and 5 name pools by name and by id, and people by e-mail in any case.
    assert_eq!(r.body["preview"]["seats_assigned"], 2);
    let id = r.body["id"].as_i64().unwrap();
    let r = owner.post(&format!("/api/v1/change-requests/{id}/submit"), json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(app.count("change_requests WHERE status = 'submitted'").await, 0, "nothing is queued");
    // A file without an op column is refused whole.
    let r =
        owner.post_raw("/api/v1/change-requests/csv", "text/csv", b"pool,person\nJira,x@example.com\n".to_vec()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(app.count("change_requests").await, 1);
}

#[tokio::test]
async fn a_request_goes_to_the_approvers_only_with_a_reason_unless_the_policy_says_otherwise() {
    let app = spawn().await;
    let owner = app.owner().await;
    let jira = app.pool_id("Jira Software Premium").await;
    let op = json!([{"op": "set_seats", "pool_id": jira, "seats_purchased": 150}]);
    let r =
        owner.post("/api/v1/change-requests", json!({"title": "More seats", "reason": "  ", "operations": op})).await;
    assert_eq!(r.status, StatusCode::CREATED, "a draft may wait for its reason: {}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    let r = owner.post(&format!("/api/v1/change-requests/{id}/submit"), json!({})).await;
    assert_eq!(
        (r.status, r.field_paths()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["reason".to_string()]),
        "{}",
        r.body
    );
    assert_eq!(owner.get(&format!("/api/v1/change-requests/{id}")).await.body["status"], "draft");
    // The policy says so, on by default; an admin may turn it off.
    let admin = app.admin().await;
    let mut policy = admin.get("/api/v1/approval-policy").await.body;
    assert_eq!(policy["require_reason"], true);
    policy["require_reason"] = json!(false);
    let r = admin.put("/api/v1/approval-policy", policy).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = owner.post(&format!("/api/v1/change-requests/{id}/submit"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn an_approver_sees_each_row_s_person_status_department_and_last_sign_in() {
    let app = spawn().await;
    let owner = app.owner().await;
    let jira = app.pool_id("Jira Software Premium").await;
    let holders: Vec<i64> = sqlx::query_scalar(
        "SELECT person_id FROM seat_assignments WHERE pool_id = $1 AND person_id IS NOT NULL ORDER BY person_id LIMIT 2",
    )
    .bind(jira)
    .fetch_all(&app.db.read)
    .await
    .unwrap();
    app.exec(&format!(
        "INSERT INTO usage_signals (pool_id, person_id, source, last_used_at, read_at) VALUES \
         ({jira}, {}, 'jira-audit', '2026-08-01T10:00:00.000000Z', '2026-11-22T00:00:00.000000Z')",
        holders[0]
    ))
    .await;
    let ops: Vec<serde_json::Value> =
        holders.iter().map(|p| json!({"op": "unassign", "pool_id": jira, "person_id": p})).collect();
    let r = owner.post("/api/v1/change-requests", json!({"title": "Two", "reason": "test", "operations": ops})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    let seen = app.approver().await.get(&format!("/api/v1/change-requests/{id}")).await;
    let names = &seen.body["names"];
    let context = names["people_context"].as_array().unwrap();
    assert_eq!(context.len(), 2, "{names}");
    for c in context {
        let status: String = sqlx::query_scalar("SELECT status FROM people WHERE id = $1")
            .bind(c["id"].as_i64().unwrap())
            .fetch_one(&app.db.read)
            .await
            .unwrap();
        assert_eq!((c["status"].as_str(), c["department"].as_str()), (Some(status.as_str()), Some("Engineering")));
    }
    assert_eq!(
        names["sign_ins"],
        json!([{"pool_id": jira, "person_id": holders[0], "last_used_at": "2026-08-01T10:00:00Z", "source": "jira-audit"}]),
        "only the seat with usage data"
    );
}

/// A rollback can take chosen rows: only their seats come back, the request stays applied for its other rows,
/// and those can be rolled back later; rows never applied are refused by field.
#[tokio::test]
async fn a_rollback_takes_chosen_rows_only() {
    let app = spawn().await;
    let (owner, approver) = (app.owner().await, app.approver().await);
    let jira = app.pool_id("Jira Software Premium").await;
    let people: Vec<i64> = sqlx::query_scalar(
        "SELECT person_id FROM seat_assignments WHERE pool_id = $1 AND person_id IS NOT NULL ORDER BY id LIMIT 3",
    )
    .bind(jira)
    .fetch_all(&app.db.read)
    .await
    .unwrap();
    let holds = |person: i64| {
        app.id_of_owned(format!(
            "SELECT COUNT(*) FROM seat_assignments WHERE pool_id = {jira} AND person_id = {person}"
        ))
    };
    let ops: Vec<_> = people.iter().map(|p| json!({"op": "unassign", "pool_id": jira, "person_id": p})).collect();
    let run = |body: Value| {
        let (owner, approver) = (&owner, &approver);
        async move {
            let id = body["id"].as_i64().expect("a request");
            if body["status"] == "draft" {
                assert_eq!(
                    owner.post(&format!("/api/v1/change-requests/{id}/submit"), json!({})).await.status,
                    StatusCode::OK
                );
            }
            assert_eq!(
                approver.post(&format!("/api/v1/change-requests/{id}/approve"), json!({})).await.status,
                StatusCode::OK
            );
            let r = approver.post(&format!("/api/v1/change-requests/{id}/apply"), json!({})).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            id
        }
    };
    let created = owner
        .post("/api/v1/change-requests", json!({"title": "Three leavers", "reason": "Left", "operations": ops}))
        .await;
    let original = run(created.body).await;
    for p in &people {
        assert_eq!(holds(*p).await, 0);
    }
    let r = owner.post(&format!("/api/v1/change-requests/{original}/rollback"), json!({"rows": [9]})).await;
    assert_eq!((r.status, r.field_paths()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["rows".to_string()]));

    let r = owner.post(&format!("/api/v1/change-requests/{original}/rollback"), json!({"rows": [2]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!((r.body["operations"].as_array().unwrap().len(), r.body["rollback_rows"].clone()), (1, json!([2])));
    assert!(r.body["title"].as_str().unwrap().starts_with("Roll back row 2: "), "{}", r.body["title"]);
    run(r.body).await;
    assert_eq!((holds(people[0]).await, holds(people[1]).await, holds(people[2]).await), (0, 1, 0));
    let after = owner.get(&format!("/api/v1/change-requests/{original}")).await;
    assert_eq!(after.body["status"], "applied", "its other rows stand");

    // The rest later; the row already undone cannot be undone twice.
    let twice = owner.post(&format!("/api/v1/change-requests/{original}/rollback"), json!({"rows": [2]})).await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", twice.body);
    let rest = owner.post(&format!("/api/v1/change-requests/{original}/rollback"), json!({"rows": [1, 3]})).await;
    assert_eq!(rest.status, StatusCode::CREATED, "{}", rest.body);
    run(rest.body).await;
    assert_eq!((holds(people[0]).await, holds(people[1]).await, holds(people[2]).await), (1, 1, 1));
}
