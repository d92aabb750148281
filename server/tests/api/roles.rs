//! Every endpoint against every role: allowed, 403 outside the role, 404 outside the scope (422 for a body naming a
//! record outside it, as for a missing one), 401 without a session.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{pool_body, spawn};

const ROLES: [&str; 4] = ["admin", "owner", "finance", "approver"];

struct Case {
    method: Method,
    path: String,
    body: Option<Value>,
    /// Expected status for admin, license owner (Engineering + Design), finance, approver.
    expect: [u16; 4],
}

fn case(method: Method, path: String, body: Option<Value>, expect: [u16; 4]) -> Case {
    Case { method, path, body, expect }
}

#[tokio::test]
async fn every_endpoint_against_every_role() {
    let app = spawn().await;
    let eng = app.pool_id("Jira Software Premium").await;
    let sales = app.pool_id("Sales Cloud Enterprise").await;
    let approver_id = app.id_of("SELECT id FROM users WHERE email = 'approver@example.com'").await;
    let vendor_id = app.id_of("SELECT id FROM vendors WHERE name = 'Zoom'").await;
    let person = app.id_of("SELECT MIN(id) FROM people WHERE status = 'active'").await;
    // Large seat counts so the later seat assignments in the table still find free seats.
    let mut eng_body = pool_body(&app, "Matrix pool", "Engineering").await;
    eng_body["seats_purchased"] = json!(1000);
    let mut sales_body = pool_body(&app, "Sales Cloud Enterprise", "Sales").await;
    sales_body["seats_purchased"] = json!(1000);
    let eng_contract = app.id_of("SELECT contract_id FROM pools WHERE name = 'Jira Software Premium'").await;
    let sales_contract = app.id_of("SELECT contract_id FROM pools WHERE name = 'Sales Cloud Enterprise'").await;
    // One open alert on each (the daily job's output, written directly so the matrix does not depend on dates).
    sqlx::query(
        "INSERT INTO alerts (dedupe_key, contract_id, term_id, kind, stage_days, due_date, fired_on, created_at, status) \
         SELECT 'matrix-' || CAST(c.id AS TEXT), c.id, (SELECT MAX(t.id) FROM contract_terms t WHERE t.contract_id = c.id), \
         'end', 30, '2026-12-20', '2026-11-23', '2026-11-23T09:00:00.000000Z', 'open' FROM contracts c \
         WHERE c.id IN ($1, $2)",
    )
    .bind(eng_contract)
    .bind(sales_contract)
    .execute(&app.db.write)
    .await
    .expect("alerts");
    // Change requests: drafts and submitted ones by the owner (Engineering) and by the admin (Sales).
    let owner_client = app.owner().await;
    let admin_client = app.admin().await;
    let connector = admin_client.post("/api/v1/connectors", json!({"kind": "manual", "name": "By hand"})).await.body
        ["id"]
        .as_i64()
        .expect("connector");
    let request = |pool: i64| {
        let op = json!({"op": "set_seats", "pool_id": pool, "seats_purchased": 900});
        json!({"title": "Matrix", "reason": "The role matrix", "operations": [op]})
    };
    let mut change_ids = Vec::new();
    for (client, pool, submit) in [
        (&owner_client, eng, false),
        (&owner_client, eng, false),
        (&owner_client, eng, true),
        (&admin_client, sales, true),
    ] {
        let r = client.post("/api/v1/change-requests", request(pool)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.body["id"].as_i64().expect("id");
        if submit {
            let r = client.post(&format!("/api/v1/change-requests/{id}/submit"), json!({})).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        change_ids.push(id);
    }
    let (owner_draft, owner_spare, owner_submitted, admin_submitted) =
        (change_ids[0], change_ids[1], change_ids[2], change_ids[3]);
    let cr = |id: i64, step: &str| format!("/api/v1/change-requests/{id}{step}");
    // Reclamation policies on an Engineering pool and a Sales pool, written by the admin.
    let reclaim_body = |pool: i64| json!({"name": "Matrix policy", "pool_id": pool, "action": "reclaim", "conditions": {"inactive_days": 90}});
    let policy_of = |pool: i64| {
        let admin = &admin_client;
        let body = reclaim_body(pool);
        async move {
            let r = admin.post("/api/v1/reclamation/policies", body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.body["id"].as_i64().expect("id")
        }
    };
    let (eng_policy, sales_policy) = (policy_of(eng).await, policy_of(sales).await);
    let rp = |id: i64, step: &str| format!("/api/v1/reclamation/policies/{id}{step}");
    let policy = json!({"finance_above_seats": null, "finance_above_annual_minor": null, "max_operations": 50000,
        "approval_valid_days": 14, "reminder_hours": 24});
    let alert_of = |c: i64| app.id_of_owned(format!("SELECT id FROM alerts WHERE dedupe_key = 'matrix-{c}'"));
    let (eng_alert, sales_alert) = (alert_of(eng_contract).await, alert_of(sales_contract).await);
    let sales_vendor = app.id_of("SELECT vendor_id FROM pools WHERE name = 'Sales Cloud Enterprise'").await;
    let sales_contract_body = json!({"vendor_id": sales_vendor, "number": "SAL-MATRIX", "title": "Sales Cloud",
        "term_start": "2026-01-01", "term_end": "2026-12-31", "term_months": 12, "pool_ids": [sales]});
    let new_contract = json!({"vendor_id": vendor_id, "number": "MATRIX", "title": "Matrix", "term_start": "2026-01-01",
        "term_end": "2026-12-31", "pool_ids": []});
    let settings =
        json!({"timezone": "UTC", "alert_stages": [90, 60, 30], "rolling_review_months": 3, "daily_run_hour": 6});
    let g = Method::GET;
    let cases = vec![
        case(g.clone(), "/api/v1/contracts".into(), None, [200, 200, 200, 200]),
        case(g.clone(), format!("/api/v1/contracts/{eng_contract}"), None, [200, 200, 200, 200]),
        case(g.clone(), format!("/api/v1/contracts/{sales_contract}"), None, [200, 404, 200, 200]),
        case(g.clone(), format!("/api/v1/contracts/{sales_contract}/history"), None, [200, 404, 200, 200]),
        case(Method::POST, "/api/v1/contracts".into(), Some(new_contract), [201, 422, 403, 403]),
        case(
            Method::PUT,
            format!("/api/v1/contracts/{sales_contract}"),
            Some(sales_contract_body),
            [200, 404, 403, 403],
        ),
        case(
            Method::POST,
            format!("/api/v1/contracts/{eng_contract}/decision"),
            Some(json!({"decision": "renegotiate", "comment": "asking for a discount"})),
            [200, 200, 403, 403],
        ),
        case(
            Method::PUT,
            format!("/api/v1/contracts/{sales_contract}/watch"),
            Some(json!({"watching": true})),
            [200, 404, 200, 200],
        ),
        case(g.clone(), "/api/v1/alerts".into(), None, [200, 200, 200, 200]),
        case(g.clone(), "/api/v1/alerts/counts".into(), None, [200, 200, 200, 200]),
        case(g.clone(), format!("/api/v1/alerts/{eng_alert}"), None, [200, 200, 200, 200]),
        case(g.clone(), format!("/api/v1/alerts/{sales_alert}"), None, [200, 404, 200, 200]),
        case(Method::POST, format!("/api/v1/alerts/{sales_alert}/acknowledge"), None, [200, 404, 403, 403]),
        case(
            Method::POST,
            format!("/api/v1/alerts/{sales_alert}/snooze"),
            Some(json!({"until": "2026-12-01"})),
            [200, 404, 403, 403],
        ),
        case(
            Method::POST,
            format!("/api/v1/alerts/{sales_alert}/assign"),
            Some(json!({"user_id": null})),
            [200, 404, 403, 403],
        ),
        case(
            Method::POST,
            format!("/api/v1/alerts/{sales_alert}/decision"),
            Some(json!({"decision": "renegotiate"})),
            [200, 404, 403, 403],
        ),
        case(g.clone(), "/api/v1/calendar".into(), None, [200, 200, 200, 200]),
        case(g.clone(), "/api/v1/calendar/events?date=2026-12-13".into(), None, [200, 200, 200, 200]),
        case(g.clone(), "/api/v1/calendar/feed".into(), None, [200, 200, 200, 200]),
        case(Method::POST, "/api/v1/calendar/feed".into(), None, [201, 201, 201, 201]),
        case(Method::DELETE, "/api/v1/calendar/feed".into(), None, [204, 204, 204, 204]),
        case(g.clone(), "/api/v1/settings".into(), None, [200, 200, 200, 200]),
        case(Method::PUT, "/api/v1/settings".into(), Some(settings), [200, 403, 403, 403]),
        case(g.clone(), "/api/v1/settings/sign-in-groups".into(), None, [200, 403, 403, 403]),
        case(Method::PUT, "/api/v1/settings/sign-in-groups".into(), Some(json!([])), [200, 403, 403, 403]),
        case(g.clone(), "/api/v1/me".into(), None, [200, 200, 200, 200]),
        case(g.clone(), "/api/v1/pools".into(), None, [200, 200, 200, 200]),
        case(g.clone(), "/api/v1/inventory/summary".into(), None, [200, 200, 200, 200]),
        case(g.clone(), "/api/v1/lookups".into(), None, [200, 200, 200, 200]),
        case(g.clone(), "/api/v1/my/licenses".into(), None, [200, 200, 403, 403]),
        case(g.clone(), "/api/v1/sku-mappings".into(), None, [200, 403, 403, 403]),
        case(
            Method::PUT,
            "/api/v1/sku-mappings/ENTERPRISEPACK".into(),
            Some(json!({"pool_id": null})),
            [200, 403, 403, 403],
        ),
        case(g.clone(), format!("/api/v1/pools/{eng}"), None, [200, 200, 200, 200]),
        case(g.clone(), format!("/api/v1/pools/{sales}"), None, [200, 404, 200, 200]),
        case(g.clone(), format!("/api/v1/pools/{sales}/detail"), None, [200, 404, 200, 200]),
        case(g.clone(), format!("/api/v1/pools/{sales}/history"), None, [200, 404, 200, 200]),
        case(g.clone(), format!("/api/v1/pools/{sales}/assignments"), None, [200, 404, 200, 200]),
        case(g.clone(), format!("/api/v1/pools/{eng}/detail"), None, [200, 200, 200, 200]),
        case(g.clone(), "/api/v1/pools/999999".into(), None, [404, 404, 404, 404]),
        case(Method::POST, "/api/v1/pools".into(), Some(eng_body.clone()), [201, 201, 403, 403]),
        case(Method::PUT, format!("/api/v1/pools/{eng}"), Some(eng_body.clone()), [200, 200, 403, 403]),
        case(Method::PUT, format!("/api/v1/pools/{sales}"), Some(sales_body), [200, 404, 403, 403]),
        case(
            Method::POST,
            format!("/api/v1/pools/{eng}/assignments"),
            Some(json!({"device": "LAPTOP-1"})),
            [201, 201, 403, 403],
        ),
        case(
            Method::POST,
            format!("/api/v1/pools/{sales}/assignments"),
            Some(json!({"device": "LAPTOP-2"})),
            [201, 404, 403, 403],
        ),
        case(Method::DELETE, format!("/api/v1/pools/{sales}/assignments/999999"), None, [404, 404, 403, 403]),
        case(g.clone(), "/api/v1/vendors".into(), None, [200, 200, 200, 200]),
        case(g.clone(), format!("/api/v1/vendors/{vendor_id}"), None, [200, 200, 200, 200]),
        case(g.clone(), "/api/v1/products".into(), None, [200, 200, 200, 200]),
        case(g.clone(), "/api/v1/departments".into(), None, [200, 200, 200, 200]),
        case(g.clone(), "/api/v1/cost-centres".into(), None, [200, 200, 200, 200]),
        case(g.clone(), "/api/v1/people".into(), None, [200, 200, 200, 200]),
        case(g.clone(), format!("/api/v1/people/{person}"), None, [200, 200, 200, 200]),
        case(g.clone(), format!("/api/v1/people/{person}/seats"), None, [200, 200, 200, 200]),
        case(g.clone(), format!("/api/v1/people/{person}/history"), None, [200, 200, 200, 200]),
        case(
            Method::PUT,
            format!("/api/v1/people/{person}/status"),
            Some(json!({"status": "active"})),
            [200, 403, 403, 403],
        ),
        case(
            Method::POST,
            format!("/api/v1/pools/{sales}/assignments/999999/reassign"),
            Some(json!({"person_id": person})),
            [404, 404, 403, 403],
        ),
        case(
            Method::POST,
            format!("/api/v1/pools/{eng}/assignments/999999/reassign"),
            Some(json!({"person_id": person})),
            [404, 404, 403, 403],
        ),
        case(g.clone(), "/api/v1/users".into(), None, [200, 403, 403, 403]),
        case(
            Method::PUT,
            format!("/api/v1/users/{approver_id}/roles"),
            Some(json!({"roles": ["approver"]})),
            [200, 403, 403, 403],
        ),
        case(g.clone(), "/api/v1/ledger".into(), None, [200, 403, 403, 403]),
        case(Method::POST, "/api/v1/ledger/verify".into(), None, [200, 403, 403, 403]),
        case(g.clone(), "/api/v1/tokens".into(), None, [200, 200, 200, 200]),
        case(Method::POST, "/api/v1/tokens".into(), Some(json!({"name": "t"})), [201, 201, 201, 201]),
        case(Method::DELETE, "/api/v1/tokens/999999".into(), None, [404, 404, 404, 404]),
        case(g.clone(), "/api/v1/scim/tokens".into(), None, [200, 403, 403, 403]),
        case(Method::POST, "/api/v1/scim/tokens".into(), Some(json!({"name": "entra"})), [201, 403, 403, 403]),
        case(Method::DELETE, "/api/v1/scim/tokens/999999".into(), None, [404, 403, 403, 403]),
        case(Method::POST, "/api/v1/contracts/from-pools".into(), None, [200, 403, 403, 403]),
        case(g.clone(), "/api/v1/change-requests".into(), None, [200, 200, 200, 200]),
        case(g.clone(), "/api/v1/change-requests?for_me=true".into(), None, [200, 200, 200, 200]),
        case(Method::POST, "/api/v1/change-requests".into(), Some(request(eng)), [201, 201, 403, 403]),
        case(g.clone(), cr(owner_draft, ""), None, [200, 200, 200, 200]),
        // A license owner reads their own requests only: another's does not exist for them.
        case(g.clone(), cr(admin_submitted, ""), None, [200, 404, 200, 200]),
        case(g.clone(), cr(admin_submitted, "/progress"), None, [200, 404, 200, 200]),
        case(Method::POST, cr(admin_submitted, "/approve"), Some(json!({})), [403, 404, 403, 200]),
        case(Method::PUT, cr(owner_draft, ""), Some(request(eng)), [403, 200, 403, 403]),
        case(Method::PUT, cr(admin_submitted, ""), Some(request(sales)), [200, 404, 403, 403]),
        case(Method::POST, cr(owner_draft, "/submit"), None, [403, 200, 403, 403]),
        // Never one's own, whatever the roles; finance signs off only after an approver.
        case(Method::POST, cr(owner_submitted, "/reject"), Some(json!({"comment": ""})), [422, 403, 403, 422]),
        case(Method::POST, cr(owner_spare, "/apply"), None, [409, 409, 403, 409]),
        case(Method::POST, cr(owner_spare, "/rollback"), None, [409, 409, 403, 403]),
        case(g.clone(), "/api/v1/approval-policy".into(), None, [200, 200, 200, 200]),
        case(Method::PUT, "/api/v1/approval-policy".into(), Some(policy), [200, 403, 403, 403]),
        case(g.clone(), "/api/v1/reclamation/policies".into(), None, [200, 200, 200, 200]),
        case(Method::POST, "/api/v1/reclamation/policies".into(), Some(reclaim_body(eng)), [201, 201, 403, 403]),
        // A pool outside the owner's scope is as missing to them as one that does not exist: 422 on its field.
        case(Method::POST, "/api/v1/reclamation/policies".into(), Some(reclaim_body(sales)), [201, 422, 403, 403]),
        case(g.clone(), rp(eng_policy, ""), None, [200, 200, 200, 200]),
        case(g.clone(), rp(sales_policy, ""), None, [200, 404, 200, 200]),
        case(Method::PUT, rp(eng_policy, ""), Some(reclaim_body(eng)), [200, 200, 403, 403]),
        case(Method::PUT, rp(sales_policy, ""), Some(reclaim_body(sales)), [200, 404, 403, 403]),
        case(g.clone(), rp(eng_policy, "/versions"), None, [200, 200, 200, 200]),
        case(g.clone(), rp(sales_policy, "/versions"), None, [200, 404, 200, 200]),
        case(g.clone(), rp(eng_policy, "/dry-run"), None, [200, 200, 200, 200]),
        case(g.clone(), rp(sales_policy, "/dry-run"), None, [200, 404, 200, 200]),
        case(Method::POST, rp(eng_policy, "/run"), None, [200, 200, 403, 403]),
        case(Method::POST, rp(sales_policy, "/run"), None, [200, 404, 403, 403]),
        case(g.clone(), "/api/v1/reclamation/cases".into(), None, [200, 200, 200, 200]),
        case(g.clone(), "/api/v1/reclamation/cases/999999".into(), None, [404, 404, 404, 404]),
        case(Method::POST, "/api/v1/reclamation/cases/999999/restore".into(), None, [404, 404, 404, 404]),
        case(g.clone(), "/api/v1/reclamation/time-to-revoke".into(), None, [200, 200, 200, 200]),
        case(g.clone(), "/api/v1/reclamation/holds".into(), None, [200, 200, 200, 200]),
        case(
            Method::POST,
            "/api/v1/reclamation/holds".into(),
            Some(json!({"kind": "blackout", "pool_id": eng, "reason": "Quarter-end freeze"})),
            [201, 201, 403, 403],
        ),
        case(
            Method::POST,
            "/api/v1/reclamation/holds".into(),
            Some(json!({"kind": "blackout", "pool_id": sales, "reason": "Quarter-end freeze"})),
            [201, 422, 403, 403],
        ),
        case(
            Method::POST,
            "/api/v1/reclamation/holds".into(),
            Some(json!({"kind": "legal", "person_id": person, "reason": "Litigation"})),
            [201, 403, 403, 403],
        ),
        case(Method::POST, "/api/v1/reclamation/holds/999999/lift".into(), None, [404, 404, 404, 404]),
        case(g.clone(), "/api/v1/exchange-rates".into(), None, [200, 200, 200, 200]),
        case(
            Method::POST,
            "/api/v1/exchange-rates".into(),
            Some(json!({"currency": "CHF", "rate": "1.12", "date": "2026-01-01"})),
            [201, 403, 403, 403],
        ),
        case(g.clone(), "/api/v1/finance/summary".into(), None, [200, 200, 200, 200]),
        case(g.clone(), "/api/v1/finance/chargeback?month=2026-11".into(), None, [200, 200, 200, 200]),
        case(g.clone(), "/api/v1/finance/budgets".into(), None, [200, 200, 200, 200]),
        case(g.clone(), "/api/v1/finance/pools".into(), None, [200, 200, 200, 200]),
        case(g.clone(), "/api/v1/finance/export.csv".into(), None, [200, 200, 200, 200]),
        case(g.clone(), "/api/v1/finance/export.xlsx".into(), None, [200, 200, 200, 200]),
        case(g.clone(), "/api/v1/finance/focus.csv".into(), None, [200, 200, 200, 200]),
        case(
            Method::PUT,
            "/api/v1/finance/budgets/1/2026".into(),
            Some(json!({"amount": {"amount_minor": 10_000_000, "currency": "USD"}})),
            [200, 403, 200, 403],
        ),
        case(Method::DELETE, "/api/v1/finance/budgets/1/2026".into(), None, [204, 403, 404, 403]),
        case(g.clone(), format!("/api/v1/pools/{eng}/chargeback"), None, [200, 200, 200, 200]),
        case(g.clone(), format!("/api/v1/pools/{sales}/chargeback"), None, [200, 404, 200, 200]),
        case(
            Method::PUT,
            format!("/api/v1/pools/{eng}/chargeback"),
            Some(json!({"method": "active_user"})),
            [200, 200, 403, 403],
        ),
        case(
            Method::PUT,
            format!("/api/v1/pools/{sales}/chargeback"),
            Some(json!({"method": "seat"})),
            [200, 404, 403, 403],
        ),
        case(g.clone(), "/api/v1/savings".into(), None, [200, 200, 200, 200]),
        case(g.clone(), "/api/v1/savings/export.csv".into(), None, [200, 200, 200, 200]),
        case(g.clone(), "/api/v1/savings/export.xlsx".into(), None, [200, 200, 200, 200]),
        // One's own seats: every login that is a person of the directory.
        case(g.clone(), "/api/v1/my/seats".into(), None, [403, 200, 403, 403]),
        case(Method::POST, "/api/v1/my/seats/999999/release".into(), None, [403, 404, 403, 403]),
        case(g.clone(), "/api/v1/my/catalog".into(), None, [403, 200, 403, 403]),
        case(g.clone(), "/api/v1/my/requests".into(), None, [403, 200, 403, 403]),
        case(
            Method::POST,
            "/api/v1/my/requests".into(),
            Some(json!({"pool_id": 999_999, "reason": "For the audit"})),
            [403, 422, 403, 403],
        ),
        // Consent campaigns: whoever reads reclamation reads them (within their scope); those who manage it start
        // them (this app has no mail relay: 409) and decide what the holders left to them.
        case(g.clone(), "/api/v1/reclamation/campaigns".into(), None, [200, 200, 200, 200]),
        case(
            Method::POST,
            "/api/v1/reclamation/campaigns".into(),
            Some(json!({"name": "Ask", "deadline": "2026-12-20"})),
            [409, 409, 403, 403],
        ),
        case(g.clone(), "/api/v1/reclamation/campaigns/999999".into(), None, [404, 404, 404, 404]),
        case(g.clone(), "/api/v1/reclamation/campaigns/999999/record.csv".into(), None, [404, 404, 404, 404]),
        case(
            Method::POST,
            "/api/v1/reclamation/cases/999999/decide".into(),
            Some(json!({"decision": "keep"})),
            [404, 404, 403, 403],
        ),
        // Connectors: admins only.
        case(g.clone(), "/api/v1/connectors".into(), None, [200, 403, 403, 403]),
        case(
            Method::POST,
            "/api/v1/connectors".into(),
            Some(json!({"kind": "manual", "name": "M"})),
            [201, 403, 403, 403],
        ),
        case(g.clone(), format!("/api/v1/connectors/{connector}"), None, [200, 403, 403, 403]),
        case(
            Method::PUT,
            format!("/api/v1/connectors/{connector}"),
            Some(json!({"kind": "manual", "name": "By hand, renamed"})),
            [200, 403, 403, 403],
        ),
        case(Method::DELETE, "/api/v1/connectors/999999".into(), None, [404, 403, 403, 403]),
        case(Method::POST, format!("/api/v1/connectors/{connector}/test"), None, [409, 403, 403, 403]),
        case(g.clone(), format!("/api/v1/connectors/{connector}/actions"), None, [200, 403, 403, 403]),
        case(Method::POST, format!("/api/v1/connectors/{connector}/actions/999999/done"), None, [404, 404, 403, 403]),
        // Seat tasks: who runs the pool.
        case(g.clone(), "/api/v1/tasks".into(), None, [200, 200, 403, 403]),
        case(Method::POST, format!("/api/v1/connectors/{connector}/reconcile"), None, [409, 403, 403, 403]),
        case(g.clone(), format!("/api/v1/connectors/{connector}/reconciliation"), None, [404, 403, 403, 403]),
        case(g.clone(), "/api/v1/webhooks".into(), None, [200, 403, 403, 403]),
        case(
            Method::POST,
            "/api/v1/webhooks".into(),
            Some(json!({"name": "Desk", "url": "https://desk.example.com/hook", "events": ["case.opened"]})),
            [201, 403, 403, 403],
        ),
        case(g.clone(), "/api/v1/webhooks/999999/deliveries".into(), None, [404, 403, 403, 403]),
    ];
    let clients = [app.admin().await, app.owner().await, app.finance().await, app.approver().await];
    // An employee (the demo's Liam Okafor) reaches none of the console's endpoints: only who they are, and their
    // own seats (checked below).
    let employee = app.login("liam.okafor1@example.com").await;
    let employee_may = ["/api/v1/me", "/api/v1/my/seats", "/api/v1/my/catalog", "/api/v1/my/requests"];
    let anonymous = app.anonymous();
    let mut failures = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let reply = employee.send(c.method.clone(), &c.path, c.body.clone()).await;
        let allowed = employee_may.contains(&c.path.as_str());
        // Allowed: answered (an ask for no pool is refused as such, 422); else closed (403, or 404 for a seat).
        let answered = reply.status.is_success() || reply.status == StatusCode::UNPROCESSABLE_ENTITY;
        if (allowed && !answered) || (!allowed && !matches!(reply.status.as_u16(), 403 | 404)) {
            failures.push(format!("{} {} as employee: {} {}", c.method, c.path, reply.status, reply.body));
        }
        for (r, client) in clients.iter().enumerate() {
            // Unique names so creates by several roles do not collide.
            let body = c.body.clone().map(|mut b| {
                if let Some(name) = b.get("name").and_then(|n| n.as_str()).map(str::to_string) {
                    if c.method == Method::POST {
                        b["name"] = json!(format!("{name} {i} {r}"));
                    }
                }
                b
            });
            let reply = client.send(c.method.clone(), &c.path, body).await;
            if reply.status.as_u16() != c.expect[r] {
                failures.push(format!(
                    "{} {} as {}: {} (expected {}) {}",
                    c.method, c.path, ROLES[r], reply.status, c.expect[r], reply.body
                ));
            }
        }
        let reply = anonymous.send(c.method.clone(), &c.path, c.body.clone()).await;
        if reply.status != StatusCode::UNAUTHORIZED {
            failures.push(format!("{} {} without a session: {}", c.method, c.path, reply.status));
        }
    }
    // Imports: admins only, for every kind.
    let hr = "employee_id,first_name,email\nE9,Ida,ida@example.com\n";
    let cc = app.id_of("SELECT MIN(id) FROM cost_centres").await;
    let dept = app.id_of("SELECT MIN(id) FROM departments").await;
    let snipe = format!(
        "{}\nA,a@example.com,a,Tool,,,Acme,,$1.00,,,,,,,,5,,,\n",
        seatwise_server::domain::snipeit::HEADER.join(",")
    );
    // A change request from a file: whoever may request changes.
    let file = format!("op,pool,seats_purchased\nset_seats,{eng},900\n");
    for (r, client) in clients.iter().enumerate() {
        let want = if r < 2 { 201 } else { 403 };
        let got = client.post_raw("/api/v1/change-requests/csv?title=M", "text/csv", file.as_bytes().to_vec()).await;
        if got.status.as_u16() != want {
            failures.push(format!("change request CSV as {}: {} (expected {want}) {}", ROLES[r], got.status, got.body));
        }
    }
    for (r, client) in clients.iter().enumerate() {
        let want = if r == 0 { 201 } else { 403 };
        let rates = format!("currency,rate,date\nSEK,0.095,2026-0{}-01\n", r + 1);
        let got = client.post_raw("/api/v1/exchange-rates/csv", "text/csv", rates.into_bytes()).await;
        if got.status.as_u16() != want {
            failures.push(format!("exchange rates CSV as {}: {} (expected {want}) {}", ROLES[r], got.status, got.body));
        }
        let got = client.post_raw("/api/v1/imports/hr", "text/csv", hr.as_bytes().to_vec()).await;
        if got.status.as_u16() != want {
            failures.push(format!("HR import as {}: {} (expected {want})", ROLES[r], got.status));
        }
        let path = format!("/api/v1/imports/snipeit?department_id={dept}&cost_centre_id={cc}");
        let got = client.post_raw(&path, "text/csv", snipe.as_bytes().to_vec()).await;
        if got.status.as_u16() != want {
            failures.push(format!("Snipe-IT import as {}: {} (expected {want})", ROLES[r], got.status));
        }
        let graph =
            client.post_raw("/api/v1/imports/graph-users", "application/json", br#"{"value":[]}"#.to_vec()).await;
        if graph.status.as_u16() != want {
            failures.push(format!("Graph import as {}: {} (expected {want})", ROLES[r], graph.status));
        }
        let usage = client.post_raw("/api/v1/imports/usage", "text/csv", b"email,pool,last_used_at\n".to_vec()).await;
        if usage.status.as_u16() != if r == 0 { 201 } else { 403 } {
            failures.push(format!("usage import as {}: {} {}", ROLES[r], usage.status, usage.body));
        }
        let skus = client.post_raw("/api/v1/imports/graph-skus", "application/json", br#"{"value":[]}"#.to_vec()).await;
        if skus.status.as_u16() != if r == 0 { 200 } else { 403 } {
            failures.push(format!("Graph SKUs as {}: {}", ROLES[r], skus.status));
        }
        let got = client.get("/api/v1/imports/1").await;
        if got.status.as_u16() != if r == 0 { 200 } else { 403 } {
            failures.push(format!("read import as {}: {}", ROLES[r], got.status));
        }
        let got = client.post("/api/v1/imports/999/apply", json!({})).await;
        if got.status.as_u16() != if r == 0 { 404 } else { 403 } {
            failures.push(format!("apply import as {}: {}", ROLES[r], got.status));
        }
    }
    if anonymous.post_raw("/api/v1/imports/hr", "text/csv", hr.as_bytes().to_vec()).await.status
        != StatusCode::UNAUTHORIZED
    {
        failures.push("HR import without a session is not 401".into());
    }

    // Vendors and products: admins and owners add them, finance and approvers do not.
    for (r, client) in clients.iter().enumerate() {
        let v = client.post("/api/v1/vendors", json!({"name": format!("Vendor {r}")})).await;
        let p = client.post("/api/v1/products", json!({"vendor_id": vendor_id, "name": format!("Product {r}")})).await;
        let u = client.post("/api/v1/users", json!({"email": format!("new{r}@example.com"), "name": "New", "password": "long enough pw", "roles": ["finance"]})).await;
        let expected = if r < 2 { 201 } else { 403 };
        for (what, reply, want) in
            [("vendor", &v, expected), ("product", &p, expected), ("user", &u, if r == 0 { 201 } else { 403 })]
        {
            if reply.status.as_u16() != want {
                failures.push(format!("create {what} as {}: {} (expected {want})", ROLES[r], reply.status));
            }
        }
    }
    assert!(failures.is_empty(), "{} role checks failed:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test]
async fn owners_see_and_change_only_their_departments() {
    let app = spawn().await;
    let owner = app.owner().await;
    let list = owner.get("/api/v1/pools?per_page=500").await;
    let departments: std::collections::BTreeSet<String> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["department"]["name"].as_str().unwrap().to_string())
        .collect();
    // Their departments, and IT Operations only for the pools naming them as owner.
    assert_eq!(departments.into_iter().collect::<Vec<_>>(), ["Design", "Engineering", "IT Operations"]);
    let foreign = list.body["items"].as_array().unwrap().iter().filter(|p| p["department"]["name"] == "IT Operations");
    assert!(foreign.clone().count() > 0 && foreign.into_iter().all(|p| p["owner"]["name"] == "Omar Owner"));
    let all = app.finance().await.get("/api/v1/pools?per_page=500").await;
    assert!(all.body["total"].as_i64().unwrap() > list.body["total"].as_i64().unwrap());

    // Filtering by a department outside the scope finds nothing rather than leaking it.
    let sales = app.id_of("SELECT id FROM departments WHERE name = 'Sales'").await;
    let r = owner.get(&format!("/api/v1/pools?department_id={sales}")).await;
    assert_eq!(r.body["total"], 0);

    // Moving a pool into a department they do not own is refused by field.
    let eng = app.pool_id("Jira Software Premium").await;
    let body = pool_body(&app, "Jira Software Premium", "Sales").await;
    let before = app.ledger_len().await;
    let r = owner.put(&format!("/api/v1/pools/{eng}"), body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field_paths(), ["department_id"]);
    assert_eq!(app.ledger_len().await, before);

    // Finance reads the money but the UI gets can_edit = false from the server.
    let detail = app.finance().await.get(&format!("/api/v1/pools/{eng}/detail")).await;
    assert_eq!(detail.body["can_edit"], false);
    assert!(detail.body["pool"]["annual_cost"]["amount_minor"].as_i64().unwrap() > 0);
    assert_eq!(owner.get(&format!("/api/v1/pools/{eng}/detail")).await.body["can_edit"], true);
}

/// `GET /api/v1/me` tells each demo role what the server will allow, and the server then allows exactly that.
#[tokio::test]
async fn me_reports_each_roles_capabilities() {
    let app = spawn().await;
    let everything = json!({"create_pools": true, "record_contracts": true, "edit_catalog": true,
        "own_licenses": true, "import": true, "read_ledger": true, "administer": true, "edit_people": true,
        "see_money": true, "register_devices": true, "adopt_pool_terms": true, "request_changes": true,
        "read_change_requests": true, "approve_changes": true, "read_reclamation": true,
        "manage_reclamation": true, "read_finance": true, "keep_budgets": true, "keep_exchange_rates": true});
    let owner = json!({"create_pools": true, "record_contracts": true, "edit_catalog": true, "own_licenses": true,
        "import": false, "read_ledger": false, "administer": false, "edit_people": false, "see_money": true,
        "register_devices": true, "adopt_pool_terms": false, "request_changes": true, "read_change_requests": true,
        "approve_changes": false, "read_reclamation": true, "manage_reclamation": true, "read_finance": true,
        "keep_budgets": false, "keep_exchange_rates": false});
    let reader = |keeps_budgets: bool| {
        json!({"create_pools": false, "record_contracts": false, "edit_catalog": false,
        "own_licenses": false, "import": false, "read_ledger": false, "administer": false, "edit_people": false,
        "see_money": true, "register_devices": false, "adopt_pool_terms": false, "request_changes": false,
        "read_change_requests": true, "approve_changes": true, "read_reclamation": true,
        "manage_reclamation": false, "read_finance": true, "keep_budgets": keeps_budgets,
        "keep_exchange_rates": false})
    };
    let expected = [everything, owner, reader(true), reader(false)];
    for (role, mut expected) in ROLES.iter().zip(expected) {
        let c = app.login(&format!("{role}@example.com")).await;
        let me = c.get("/api/v1/me").await;
        assert_eq!(me.status, StatusCode::OK, "{role}");
        // Where each starts is checked on its own (each_role_starts_where_its_work_is...).
        expected["home"] = me.body["capabilities"]["home"].clone();
        // Every role reads the console's shared pages; My seats is for a login that is a person.
        expected["read_console"] = json!(true);
        expected["my_seats"] = json!(!me.body["user"]["person_id"].is_null());
        assert_eq!(me.body["capabilities"], expected, "{role}");
        // The answers guard the endpoints behind them.
        let caps = &me.body["capabilities"];
        for (capability, path) in [
            ("read_ledger", "/api/v1/ledger"),
            ("administer", "/api/v1/users"),
            ("own_licenses", "/api/v1/my/licenses"),
            ("read_change_requests", "/api/v1/change-requests"),
            ("read_reclamation", "/api/v1/reclamation/cases"),
            ("read_finance", "/api/v1/finance/summary"),
        ] {
            let status = c.get(path).await.status;
            let allowed = caps[capability].as_bool().unwrap();
            assert_eq!(status == StatusCode::OK, allowed, "{role}: {capability} vs GET {path} ({status})");
            if !allowed {
                assert_eq!(status, StatusCode::FORBIDDEN, "{role}: GET {path}");
            }
        }
        // Logging in answers the same capabilities as asking afterwards.
        let login = app
            .anonymous()
            .post(
                "/api/v1/session",
                json!({"email": format!("{role}@example.com"), "password": crate::common::PASSWORD}),
            )
            .await;
        assert_eq!(login.body["capabilities"], me.body["capabilities"], "{role}");
    }
}

#[tokio::test]
async fn each_role_starts_where_its_work_is_and_counts_only_alerts_it_can_act_on() {
    let app = spawn().await;
    app.tick().await;
    for (who, home, acts) in [
        ("admin", "overview", true),
        ("owner", "my_licenses", true),
        ("finance", "finance", false),
        ("approver", "approvals", false),
    ] {
        let c = app.login(&format!("{who}@example.com")).await;
        let me = c.get("/api/v1/me").await;
        assert_eq!(me.body["capabilities"]["home"], home, "{who}: {}", me.body["capabilities"]);
        let counts = c.get("/api/v1/alerts/counts").await;
        assert_eq!(counts.status, StatusCode::OK);
        let needs = counts.body["needs_action"].as_i64().unwrap();
        assert_eq!(needs > 0, acts, "{who}: {}", counts.body);
        // Reading them is still allowed: the list is not the badge.
        assert!(c.get("/api/v1/alerts").await.body["total"].as_i64().unwrap() > 0, "{who} reads alerts");
    }
}

/// (method, path from the pool, contract and alert, body from the pool, expected for [owned pool, another]).
type OwnedCase = (Method, fn(i64, i64, i64) -> String, Option<fn(i64) -> Value>, [u16; 2]);

/// A pool naming the owner's person as its owner is theirs wherever its department is: read, managed, its contract,
/// its alerts, its policies and cases; a pool of the same department owned by someone else stays out of reach.
#[tokio::test]
async fn owners_reach_pools_naming_them_in_other_departments() {
    let app = spawn().await;
    let owner = app.owner().await;
    let me = owner.get("/api/v1/me").await;
    let omar = app.id_of("SELECT id FROM people WHERE email = 'owner@example.com'").await;
    assert_eq!(me.body["user"]["person_id"], omar, "a login is the person with its address");
    // Zoom Workplace Business is IT Operations' (not one of the owner's departments) and names Omar as owner.
    let zoom = app.pool_id("Zoom Workplace Business").await;
    // Another IT Operations pool, on a contract with nothing of the owner's.
    let others = app
        .id_of_owned(format!(
            "SELECT MIN(p.id) FROM pools p JOIN departments d ON d.id = p.department_id \
             WHERE d.name = 'IT Operations' AND (p.owner_id IS NULL OR p.owner_id <> {omar}) \
             AND p.contract_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pools q JOIN departments qd \
             ON qd.id = q.department_id WHERE q.contract_id = p.contract_id \
             AND (q.owner_id = {omar} OR qd.name IN ('Engineering', 'Design')))"
        ))
        .await;
    let contract_of = |pool: i64| app.id_of_owned(format!("SELECT contract_id FROM pools WHERE id = {pool}"));
    let (zoom_contract, others_contract) = (contract_of(zoom).await, contract_of(others).await);
    assert_ne!(zoom_contract, others_contract);
    for c in [zoom_contract, others_contract] {
        sqlx::query(
            "INSERT INTO alerts (dedupe_key, contract_id, term_id, kind, stage_days, due_date, fired_on, created_at, \
             status) SELECT 'owned-' || CAST(c.id AS TEXT), c.id, (SELECT MAX(t.id) FROM contract_terms t \
             WHERE t.contract_id = c.id), 'end', 30, '2026-12-20', '2026-11-23', '2026-11-23T09:00:00.000000Z', \
             'open' FROM contracts c WHERE c.id = $1",
        )
        .bind(c)
        .execute(&app.db.write)
        .await
        .expect("alert");
    }
    let alert_of = |c: i64| app.id_of_owned(format!("SELECT id FROM alerts WHERE dedupe_key = 'owned-{c}'"));
    let (zoom_alert, others_alert) = (alert_of(zoom_contract).await, alert_of(others_contract).await);
    let it_ops = app.id_of("SELECT id FROM departments WHERE name = 'IT Operations'").await;
    let policy =
        |pool: i64| json!({"name": "Owned", "pool_id": pool, "action": "reclaim", "conditions": {"inactive_days": 90}});
    let blackout = |pool: i64| json!({"kind": "blackout", "pool_id": pool, "reason": "Freeze"});
    let zoom_body = {
        let mut b = pool_body(&app, "Zoom Workplace Business", "IT Operations").await;
        b["owner_id"] = json!(omar);
        b["seats_purchased"] = json!(500);
        b
    };
    let g = Method::GET;
    // [the owned pool, the other IT Operations pool]
    let pairs: Vec<OwnedCase> = vec![
        (g.clone(), |p, _, _| format!("/api/v1/pools/{p}"), None, [200, 404]),
        (g.clone(), |p, _, _| format!("/api/v1/pools/{p}/detail"), None, [200, 404]),
        (g.clone(), |p, _, _| format!("/api/v1/pools/{p}/assignments"), None, [200, 404]),
        (g.clone(), |p, _, _| format!("/api/v1/pools/{p}/history"), None, [200, 404]),
        (
            Method::POST,
            |p, _, _| format!("/api/v1/pools/{p}/assignments"),
            Some(|_| json!({"device": "OWNED-LAPTOP"})),
            [201, 404],
        ),
        (g.clone(), |_, c, _| format!("/api/v1/contracts/{c}"), None, [200, 404]),
        (
            Method::POST,
            |_, c, _| format!("/api/v1/contracts/{c}/decision"),
            Some(|_| json!({"decision": "renegotiate", "comment": "a discount"})),
            [200, 404],
        ),
        (g.clone(), |_, _, a| format!("/api/v1/alerts/{a}"), None, [200, 404]),
        (Method::POST, |_, _, a| format!("/api/v1/alerts/{a}/acknowledge"), None, [200, 404]),
        (Method::POST, |_, _, _| "/api/v1/reclamation/policies".into(), Some(policy), [201, 422]),
        (Method::POST, |_, _, _| "/api/v1/reclamation/holds".into(), Some(blackout), [201, 422]),
    ];
    let mut failures = Vec::new();
    for (method, path, body, expect) in &pairs {
        for (i, (pool, contract, alert)) in
            [(zoom, zoom_contract, zoom_alert), (others, others_contract, others_alert)].into_iter().enumerate()
        {
            let path = path(pool, contract, alert);
            let reply = owner.send(method.clone(), &path, body.as_ref().map(|b| b(pool))).await;
            if reply.status.as_u16() != expect[i] {
                failures.push(format!("{method} {path}: {} (expected {}) {}", reply.status, expect[i], reply.body));
            }
        }
    }
    assert!(failures.is_empty(), "{} owner checks failed:\n{}", failures.len(), failures.join("\n"));

    // Lists take it in: inventory, My licenses, contracts, alerts and its counts; the department's name is not
    // offered as theirs.
    let ids = |v: &Value| v["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect::<Vec<_>>();
    let pools = owner.get(&format!("/api/v1/pools?department_id={it_ops}&per_page=100")).await;
    assert!(ids(&pools.body).contains(&zoom) && !ids(&pools.body).contains(&others), "{}", pools.body);
    let mine = owner.get("/api/v1/my/licenses").await;
    assert!(mine.body.to_string().contains("Zoom Workplace Business"), "{}", mine.body);
    let contracts = owner.get("/api/v1/contracts?per_page=100").await;
    assert!(ids(&contracts.body).contains(&zoom_contract) && !ids(&contracts.body).contains(&others_contract));
    let alerts = owner.get("/api/v1/alerts?per_page=100").await;
    assert!(ids(&alerts.body).contains(&zoom_alert) && !ids(&alerts.body).contains(&others_alert));
    let lookups = owner.get("/api/v1/lookups").await;
    let departments: Vec<&str> =
        lookups.body["departments"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(departments, ["Design", "Engineering"]);

    // The owned pool is changed in place, but not moved or handed over; new pools go to their departments only.
    assert_eq!(owner.put(&format!("/api/v1/pools/{zoom}"), zoom_body.clone()).await.status, StatusCode::OK);
    let before = app.ledger_len().await;
    let mut handed = zoom_body.clone();
    handed["owner_id"] = json!(app.id_of("SELECT MIN(id) FROM people WHERE email <> 'owner@example.com'").await);
    let r = owner.put(&format!("/api/v1/pools/{zoom}"), handed).await;
    assert_eq!((r.status, r.field_paths()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["owner_id".to_string()]));
    let mut moved = zoom_body.clone();
    moved["department_id"] = json!(app.id_of("SELECT id FROM departments WHERE name = 'Sales'").await);
    let r = owner.put(&format!("/api/v1/pools/{zoom}"), moved).await;
    assert_eq!(r.field_paths(), ["department_id"]);
    let mut created = zoom_body;
    created["name"] = json!("Zoom for IT");
    let r = owner.post("/api/v1/pools", created).await;
    assert_eq!(r.field_paths(), ["department_id"]);
    assert_eq!(app.ledger_len().await, before, "refusals change nothing");
}
