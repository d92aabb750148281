//! The limits every input obeys (dates, money, text), the daily job and renewals on data stored before them, empty
//! id lists, and "today" in the organisation's time zone.

use std::time::Duration;

use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{pool_body, spawn, Client, TestApp};

/// 100 billion major units in minor units: the documented maximum.
const MAX_AMOUNT: i64 = 10_000_000_000_000;

async fn vendor(app: &TestApp) -> i64 {
    app.id_of("SELECT id FROM vendors WHERE name = 'Atlassian'").await
}

/// Engineering pools no contract covers (the demo's contracts let go of them).
async fn free_pools(app: &TestApp, n: usize) -> Vec<i64> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT p.id FROM pools p JOIN departments d ON d.id = p.department_id WHERE d.name = 'Engineering' \
         ORDER BY p.id",
    )
    .fetch_all(&app.db.read)
    .await
    .expect("pools");
    let ids: Vec<i64> = ids.into_iter().take(n).collect();
    for id in &ids {
        app.exec(&format!("UPDATE pools SET contract_id = NULL WHERE id = {id}")).await;
    }
    ids
}

async fn free_pool(app: &TestApp) -> i64 {
    free_pools(app, 1).await[0]
}

fn contract(vendor: i64, number: &str, end: &str, pools: Value) -> Value {
    json!({"vendor_id": vendor, "number": number, "title": format!("Contract {number}"), "term_start": "2026-01-01",
        "term_end": end, "term_months": 12, "auto_renew": false, "notice_days": 30, "pool_ids": pools})
}

fn assert_field(r: &crate::common::Reply, path: &str) {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {}", r.body);
    assert!(r.field_paths().iter().any(|p| p == path), "expected a {path} error: {}", r.body);
}

async fn within<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), f).await.unwrap_or_else(|_| panic!("{what} did not finish"))
}

#[tokio::test]
async fn dates_outside_the_range_are_refused_on_every_entry_point() {
    let app = spawn().await;
    let admin = app.admin().await;
    let v = vendor(&app).await;
    let pool = free_pool(&app).await;
    let ledger = app.ledger_len().await;

    let r = admin.post("/api/v1/contracts", contract(v, "X-1", "+262142-12-31", json!([pool]))).await;
    assert_field(&r, "term_end");
    let mut early = contract(v, "X-2", "2026-12-31", json!([pool]));
    early["term_start"] = json!("1899-12-31");
    assert_field(&admin.post("/api/v1/contracts", early).await, "term_start");

    let mut body = pool_body(&app, "Far future", "Engineering").await;
    body["contract_end"] = json!("2200-01-01");
    assert_field(&admin.post("/api/v1/pools", body).await, "contract_end");

    assert_field(&admin.get("/api/v1/calendar?from=1800-01-01&to=1800-02-01").await, "from");

    let hr = "employee_id,first_name,last_name,email,start_date\nE9,Far,Away,far@example.com,2200-01-01\n";
    let r = admin.post_raw("/api/v1/imports/hr?filename=hr.csv", "text/csv", hr.as_bytes().to_vec()).await;
    assert_field(&r, "start_date");
    assert_eq!(r.body["error"]["fields"][0]["row"], 1, "{}", r.body);

    // A contract ending on the last accepted day cannot be renewed past it: a field error, not a loop.
    let id = admin.post("/api/v1/contracts", contract(v, "X-3", "2199-12-31", json!([pool]))).await.body["id"]
        .as_i64()
        .expect("id");
    let accepted = app.ledger_len().await;
    assert!(accepted > ledger, "the accepted contract is ledgered");
    let r =
        within("renewal", admin.post(&format!("/api/v1/contracts/{id}/decision"), json!({"decision": "renew"}))).await;
    assert_field(&r, "decision");
    // The refused renewal wrote nothing.
    assert_eq!(app.ledger_len().await, accepted);

    // A snooze date beyond the range (the alert's own date bounds it from above anyway).
    app.tick().await;
    let alert: i64 = app.id_of("SELECT MIN(id) FROM alerts WHERE status = 'open'").await;
    let r = admin.post(&format!("/api/v1/alerts/{alert}/snooze"), json!({"until": "+262142-12-31"})).await;
    assert_field(&r, "until");
}

#[tokio::test]
async fn renewals_and_the_daily_job_finish_on_dates_stored_before_the_range() {
    let app = spawn().await;
    let admin = app.admin().await;
    let v = vendor(&app).await;
    let pools = free_pools(&app, 3).await;
    let far = admin.post("/api/v1/contracts", contract(v, "FAR", "2026-12-31", json!([pools[0]]))).await;
    let far = far.body["id"].as_i64().expect("id");
    let mut past = contract(v, "PAST", "2026-12-31", json!([pools[1]]));
    past["auto_renew"] = json!(true);
    past["term_months"] = json!(1);
    let past = admin.post("/api/v1/contracts", past).await.body["id"].as_i64().expect("id");
    // A healthy auto-renewing contract that ended last month: the job still renews it.
    let mut good = contract(v, "GOOD", "2026-10-31", json!([pools[2]]));
    good["auto_renew"] = json!(true);
    good["term_start"] = json!("2025-11-01");
    let good = admin.post("/api/v1/contracts", good).await.body["id"].as_i64().expect("id");

    // Stored before dates were bounded: the largest and the smallest date chrono knows.
    let (max, min) = (NaiveDate::MAX.to_string(), NaiveDate::MIN.to_string());
    app.exec(&format!("UPDATE contract_terms SET end_date = '{max}', cancel_by = '{max}', key_date = '{max}' WHERE contract_id = {far}")).await;
    app.exec(&format!("UPDATE contracts SET cycle_anchor = '{min}' WHERE id = {past}")).await;
    app.exec(&format!("UPDATE contract_terms SET start_date = '{min}', end_date = '{min}', cancel_by = '{min}', key_date = '{min}' WHERE contract_id = {past}")).await;

    let r =
        within("renewal", admin.post(&format!("/api/v1/contracts/{far}/decision"), json!({"decision": "renew"}))).await;
    assert_field(&r, "decision");
    let report = within("the daily job", app.tick()).await;
    assert!(report.renewals.is_some(), "the day's run finished");
    let terms = |id: i64| app.id_of_owned(format!("SELECT COUNT(*) FROM contract_terms WHERE contract_id = {id}"));
    assert_eq!(terms(far).await, 1);
    assert_eq!(terms(past).await, 1, "the contract with stored extreme dates is skipped");
    assert_eq!(terms(good).await, 2, "the healthy contract renewed");
    // Reading them back works too.
    assert_eq!(admin.get(&format!("/api/v1/contracts/{far}")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn money_is_bounded_and_summed_exactly() {
    let app = spawn().await;
    let admin = app.admin().await;
    let before = admin.get("/api/v1/inventory/summary").await;
    assert_eq!(before.status, StatusCode::OK);
    let usd = |s: &Value| {
        s["annual_cost"]
            .as_array()
            .expect("costs")
            .iter()
            .find(|m| m["currency"] == "USD")
            .map_or(0, |m| m["amount_minor"].as_i64().expect("amount"))
    };
    for name in ["Max one", "Max two"] {
        let mut body = pool_body(&app, name, "Engineering").await;
        body["seats_purchased"] = json!(1);
        body["billing_period"] = json!("annual");
        body["unit_cost"] = json!({"amount_minor": MAX_AMOUNT, "currency": "USD"});
        let r = admin.post("/api/v1/pools", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["annual_cost"]["amount_minor"], MAX_AMOUNT);
    }
    let finance = app.finance().await;
    for c in [&admin, &finance] {
        let after = c.get("/api/v1/inventory/summary").await;
        assert_eq!(after.status, StatusCode::OK, "{}", after.body);
        assert_eq!(usd(&after.body), usd(&before.body) + 2 * MAX_AMOUNT);
    }
    // A monthly pool: its annual cost is exact, or the pool is refused; never saturated.
    let mut body = pool_body(&app, "Monthly", "Engineering").await;
    body["seats_purchased"] = json!(1);
    body["unit_cost"] = json!({"amount_minor": MAX_AMOUNT / 12, "currency": "USD"});
    let r = admin.post("/api/v1/pools", body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["annual_cost"]["amount_minor"], MAX_AMOUNT / 12 * 12);
    body["unit_cost"] = json!({"amount_minor": MAX_AMOUNT, "currency": "USD"});
    assert_field(&admin.post("/api/v1/pools", body.clone()).await, "unit_cost.amount_minor");
    body["unit_cost"] = json!({"amount_minor": i64::MAX, "currency": "USD"});
    body["billing_period"] = json!("annual");
    assert_field(&admin.post("/api/v1/pools", body).await, "unit_cost.amount_minor");

    let v = vendor(&app).await;
    let pool = free_pool(&app).await;
    let mut c = contract(v, "BIG", "2026-12-31", json!([pool]));
    c["renewal_price"] = json!({"amount_minor": MAX_AMOUNT + 1, "currency": "USD"});
    assert_field(&admin.post("/api/v1/contracts", c.clone()).await, "renewal_price.amount_minor");
    c["renewal_price"] = json!({"amount_minor": MAX_AMOUNT, "currency": "USD"});
    let r = admin.post("/api/v1/contracts", c).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_i64().expect("id");
    let r = admin
        .post(
            &format!("/api/v1/contracts/{id}/decision"),
            json!({"decision": "renew_with_changes", "price": {"amount_minor": MAX_AMOUNT + 1, "currency": "USD"}}),
        )
        .await;
    assert_field(&r, "price.amount_minor");
}

#[tokio::test]
async fn an_empty_pool_list_detaches_every_pool() {
    let app = spawn().await;
    let admin = app.admin().await;
    let v = vendor(&app).await;
    let pool = free_pool(&app).await;
    let body = contract(v, "EMPTY", "2026-12-31", json!([pool]));
    let id = admin.post("/api/v1/contracts", body.clone()).await.body["id"].as_i64().expect("id");
    let covered = || app.id_of_owned(format!("SELECT COUNT(*) FROM pools WHERE contract_id = {id}"));
    assert_eq!(covered().await, 1);
    let mut none = body;
    none["pool_ids"] = json!([]);
    let r = admin.put(&format!("/api/v1/contracts/{id}"), none).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(covered().await, 0);
    assert_eq!(r.body["pools"], json!([]), "{}", r.body);
}

#[tokio::test]
async fn today_is_the_organisations_day() {
    let app = spawn().await;
    let admin = app.admin().await;
    let settings = json!({"timezone": "Pacific/Auckland", "alert_stages": [90, 60, 30], "rolling_review_months": 3,
        "daily_run_hour": 6});
    assert_eq!(admin.put("/api/v1/settings", settings).await.status, StatusCode::OK);
    let owner = app.owner().await;
    let mut body = pool_body(&app, "Ends on the 30th", "Engineering").await;
    body["contract_end"] = json!("2026-11-30");
    body["auto_renew"] = json!(false);
    let r = owner.post("/api/v1/pools", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // 12:00 UTC on the 30th is 01:00 on 1 December in Auckland: the contract has ended there.
    app.clock.set("2026-11-30T12:00:00Z".parse().expect("time"));
    let owner = app.owner().await;
    let mine = owner.get("/api/v1/my/licenses").await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    let probe = mine.body.as_array().expect("list").iter().find(|o| o["pool"]["name"] == "Ends on the 30th").cloned();
    let attention = probe.expect("the pool")["attention"].clone();
    assert!(attention.as_array().expect("attention").iter().any(|a| a == "Contract ended 2026-11-30"), "{attention}");
    let expiring = owner.get("/api/v1/pools?expiring_within_days=0&per_page=500").await;
    assert!(
        !expiring.body["items"].as_array().expect("items").iter().any(|p| p["name"] == "Ends on the 30th"),
        "{}",
        expiring.body
    );
}

#[tokio::test]
async fn control_characters_are_refused_in_single_line_fields() {
    let app = spawn().await;
    let admin = app.admin().await;
    let hostile = [
        "NUL\0",
        "CR\rforged",
        "LF\nforged",
        "TAB\tx",
        "ESC\u{1b}[31m",
        "DEL\u{7f}",
        "C1\u{85}x",
        "bidi\u{202e}gpj.exe",
        "isolate\u{2066}x",
    ];
    let v = vendor(&app).await;
    let pool = free_pool(&app).await;
    let ledger = app.ledger_len().await;
    for text in hostile {
        let mut body = pool_body(&app, text, "Engineering").await;
        assert_field(&admin.post("/api/v1/pools", body.clone()).await, "name");
        body["name"] = json!("Fine");
        body["po_number"] = json!(text);
        assert_field(&admin.post("/api/v1/pools", body).await, "po_number");
        let mut c = contract(v, "H-1", "2026-12-31", json!([pool]));
        c["title"] = json!(text);
        assert_field(&admin.post("/api/v1/contracts", c).await, "title");
        assert_field(&admin.post("/api/v1/vendors", json!({"name": text})).await, "name");
        assert_field(&admin.post("/api/v1/tokens", json!({"name": text})).await, "name");
        assert_field(&admin.post("/api/v1/devices", json!({"asset_tag": "T-1", "name": text})).await, "name");
    }
    assert_eq!(app.ledger_len().await, ledger, "nothing was written");

    // Notes are multi-line: line breaks and tabs are fine, escape sequences are not.
    let mut body = pool_body(&app, "With notes", "Engineering").await;
    body["notes"] = json!("line one\r\nline two\n\tindented");
    assert_eq!(admin.post("/api/v1/pools", body.clone()).await.status, StatusCode::CREATED);
    body["name"] = json!("With bad notes");
    body["notes"] = json!("bell\u{7}");
    assert_field(&admin.post("/api/v1/pools", body).await, "notes");

    // Import rows name the row and the column.
    let hr = "employee_id,first_name,last_name,email\nE9,Eve\u{1b}[2J,Mallory,eve@example.com\n";
    let r = admin.post_raw("/api/v1/imports/hr?filename=hr.csv", "text/csv", hr.as_bytes().to_vec()).await;
    assert_field(&r, "first_name");
    assert_eq!(r.body["error"]["fields"][0]["row"], 1, "{}", r.body);

    // SCIM: 400 invalidValue.
    let token = admin.post("/api/v1/scim/tokens", json!({"name": "entra"})).await;
    let mut scim: Client = app.anonymous();
    scim.bearer = Some(token.body["token"].as_str().expect("token").to_string());
    let user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "eve@example.com",
        "displayName": "Eve\u{202e}nimda", "active": true});
    let r = scim.post("/scim/v2/Users", user).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body["scimType"], "invalidValue", "{}", r.body);
    assert_eq!(app.id_of("SELECT COUNT(*) FROM people WHERE email = 'eve@example.com'").await, 0);
}
