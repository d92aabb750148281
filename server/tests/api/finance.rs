//! The exchange-rate table: admins keep it, one rate or a file at a time, all or nothing; everyone who sees money
//! reads it.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::spawn;

/// Each field error of a refusal as (row, field).
fn row_paths(body: &serde_json::Value) -> Vec<(i64, String)> {
    body["error"]["fields"]
        .as_array()
        .map(|f| {
            f.iter().map(|f| (f["row"].as_i64().unwrap_or(0), f["path"].as_str().unwrap_or("").to_string())).collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn admins_keep_the_exchange_rates_exactly_and_everyone_reads_them() {
    let app = spawn().await;
    let admin = app.admin().await;
    let before = app.ledger_len().await;
    let r =
        admin.post("/api/v1/exchange-rates", json!({"currency": "eur", "rate": "1.0850", "date": "2026-01-01"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        (r.body["currency"].as_str(), r.body["rate"].as_str(), r.body["date"].as_str()),
        (Some("EUR"), Some("1.085"), Some("2026-01-01"))
    );
    // The rate is exact text; a JSON number (a float on the way in) is refused.
    let r = admin.post("/api/v1/exchange-rates", json!({"currency": "EUR", "rate": 1.05, "date": "2026-07-01"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r =
        admin.post("/api/v1/exchange-rates", json!({"currency": "EUR", "rate": "1.05", "date": "2026-07-01"})).await;
    assert_eq!((r.status, r.body["rate"].as_str()), (StatusCode::CREATED, Some("1.05")));
    assert_eq!(app.ledger_len().await, before + 2);

    // Refused by field, nothing written: a taken day, an unknown code and a bad rate, the reporting currency.
    for (body, paths) in [
        (json!({"currency": "EUR", "rate": "1.2", "date": "2026-07-01"}), vec!["date"]),
        (json!({"currency": "EURO", "rate": "-1", "date": "2026-08-01"}), vec!["currency", "rate"]),
        (json!({"currency": "USD", "rate": "1", "date": "2026-08-01"}), vec!["currency"]),
        (json!({"currency": "GBP", "rate": "1.00000000001", "date": "2026-08-01"}), vec!["rate"]),
    ] {
        let r = admin.post("/api/v1/exchange-rates", body.clone()).await;
        assert_eq!(
            (r.status, r.field_paths()),
            (StatusCode::UNPROCESSABLE_ENTITY, paths.iter().map(|p| p.to_string()).collect()),
            "{body}"
        );
    }
    let r = admin
        .post("/api/v1/exchange-rates", json!({"currency": "GBP", "rate": "1.2", "date": "2026-08-01", "x": 1}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused");
    assert_eq!(app.ledger_len().await, before + 2);

    // A file: all of it, or none of it with each problem by row.
    let bad =
        "currency,rate,date\nGBP,1.27,2026-01-01\nSEK,abc,2026-01-01\nGBP,1.30,2026-01-01\nJPY,0.0067,2026-13-01\n";
    let r = admin.post_raw("/api/v1/exchange-rates/csv", "text/csv", bad.as_bytes().to_vec()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let rows = row_paths(&r.body);
    assert_eq!(rows, [(4, "date".to_string())], "a date that is no date stops the file first");
    let bad = "currency,rate,date\nGBP,1.27,2026-01-01\nSEK,abc,2026-01-01\nGBP,1.30,2026-01-01\n";
    let r = admin.post_raw("/api/v1/exchange-rates/csv", "text/csv", bad.as_bytes().to_vec()).await;
    let rows = row_paths(&r.body);
    assert_eq!(rows, [(2, "rate".to_string()), (3, "date".to_string())], "{}", r.body);
    let r = admin.post_raw("/api/v1/exchange-rates/csv", "text/csv", b"currency,rate\nGBP,1.27\n".to_vec()).await;
    assert_eq!(r.field_paths(), ["file"]);
    assert_eq!(app.ledger_len().await, before + 2, "nothing of a refused file");
    let good = "currency,rate,date\nGBP,1.27,2026-01-01\nJPY,0.0067,2026-01-01\n";
    let r = admin.post_raw("/api/v1/exchange-rates/csv", "text/csv", good.as_bytes().to_vec()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body.as_array().unwrap().len(), 2);

    // Everyone who sees money reads them, in order; only admins add.
    for who in ["finance", "owner", "approver"] {
        let c = app.login(&format!("{who}@example.com")).await;
        let list = c.get("/api/v1/exchange-rates").await;
        assert_eq!(list.status, StatusCode::OK, "{who}");
        let keys: Vec<String> = list
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|r| format!("{} {}", r["currency"].as_str().unwrap(), r["date"].as_str().unwrap()))
            .collect();
        assert_eq!(keys, ["EUR 2026-01-01", "EUR 2026-07-01", "GBP 2026-01-01", "JPY 2026-01-01"]);
        let r = c.post("/api/v1/exchange-rates", json!({"currency": "CHF", "rate": "1.1", "date": "2026-01-01"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
        let r = c.post_raw("/api/v1/exchange-rates/csv", "text/csv", good.as_bytes().to_vec()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
    }
    assert_eq!(app.anonymous().get("/api/v1/exchange-rates").await.status, StatusCode::UNAUTHORIZED);
}
