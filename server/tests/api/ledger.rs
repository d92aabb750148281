//! The audit ledger: chained, verifiable, and tamper-evident.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{pool_body, spawn};

#[tokio::test]
async fn intact_ledger_verifies_and_a_direct_edit_is_named() {
    let app = spawn().await;
    let admin = app.admin().await;
    let ok = admin.post("/api/v1/ledger/verify", json!({})).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.body["ok"], true);
    let n = ok.body["entries_checked"].as_i64().unwrap();
    assert!(n >= 40, "demo seeding is ledgered: {n}");

    // Someone with database access quietly changes the recorded seat count of entry 7.
    sqlx::query("UPDATE ledger_entries SET after_json = REPLACE(after_json, '\"seats_assigned\"', '\"seats_assigned_x\"') WHERE seq = 7")
        .execute(&app.db.write)
        .await
        .unwrap();
    let bad = admin.post("/api/v1/ledger/verify", json!({})).await;
    assert_eq!(bad.body["ok"], false);
    assert_eq!(bad.body["first_bad_seq"], 7);
    assert_eq!(bad.body["entries_checked"], 6);

    // The CLI reports the same and exits non-zero.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_seatwise"))
        .args(["verify-ledger", "--database", &app.database_url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Entry 7 does not match"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[tokio::test]
async fn deleted_entries_are_detected() {
    let app = spawn().await;
    let admin = app.admin().await;
    let last: i64 = app.ledger_len().await;
    sqlx::query("DELETE FROM ledger_entries WHERE seq = $1").bind(last).execute(&app.db.write).await.unwrap();
    let r = admin.post("/api/v1/ledger/verify", json!({})).await;
    assert_eq!(r.body["ok"], false);
    assert_eq!(r.body["first_bad_seq"], last);
    sqlx::query("DELETE FROM ledger_entries WHERE seq = 3").execute(&app.db.write).await.unwrap();
    let r = admin.post("/api/v1/ledger/verify", json!({})).await;
    assert_eq!(r.body["first_bad_seq"], 3);
}

#[tokio::test]
async fn concurrent_writers_never_fork_the_chain() {
    let app = spawn().await;
    let admin = std::sync::Arc::new(app.admin().await);
    let owner = std::sync::Arc::new(app.owner().await);
    let body = pool_body(&app, "Busy pool", "Engineering").await;
    let mut tasks = Vec::new();
    for i in 0..24 {
        let client = if i % 2 == 0 { admin.clone() } else { owner.clone() };
        let mut b = body.clone();
        b["name"] = json!(format!("Busy pool {i}"));
        tasks.push(tokio::spawn(async move { client.post("/api/v1/pools", b).await.status }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::CREATED);
    }
    let r = admin.post("/api/v1/ledger/verify", json!({})).await;
    assert_eq!(r.body["ok"], true, "{}", r.body);
    let seqs: Vec<i64> =
        sqlx::query_scalar("SELECT seq FROM ledger_entries ORDER BY seq").fetch_all(&app.db.read).await.unwrap();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>(), "gapless");
}

#[tokio::test]
async fn ledger_lists_newest_first_with_before_and_after() {
    let app = spawn().await;
    let admin = app.admin().await;
    let id = app.pool_id("Zoom Workplace Business").await;
    let mut body = pool_body(&app, "Zoom Workplace Business", "IT Operations").await;
    body["seats_purchased"] = json!(150);
    assert_eq!(admin.put(&format!("/api/v1/pools/{id}"), body).await.status, StatusCode::OK);
    let page = admin.get(&format!("/api/v1/ledger?record_type=pool&record_id={id}")).await;
    let first = &page.body["items"][0];
    assert_eq!(first["action"], "pool.update");
    assert_eq!(first["before"]["seats_purchased"], 120);
    assert_eq!(first["after"]["seats_purchased"], 150);
    assert_eq!(first["prev_hash"].as_str().unwrap().len(), 64);
}
