//! My seats: every login that is a person sees the seats that person holds; an employee sees nothing else.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::spawn;

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
