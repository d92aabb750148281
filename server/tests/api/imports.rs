//! HR imports: preview with row-level errors, apply all or nothing, idempotent re-import, missing people flagged.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{spawn, Client, Reply, TestApp};

fn sample(name: &str) -> String {
    let path = format!("{}/../../shared/samples/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn upload(c: &Client, csv: &str) -> Reply {
    c.post_raw("/api/v1/imports/hr?filename=hr.csv", "text/csv", csv.as_bytes().to_vec()).await
}

async fn person(app: &TestApp, employee_id: &str) -> Value {
    let id = app.id_of(&format!("SELECT id FROM people WHERE employee_id = '{employee_id}'")).await;
    app.admin().await.get(&format!("/api/v1/people/{id}")).await.body
}

#[tokio::test]
async fn the_sample_hr_export_previews_applies_and_reapplies_as_a_no_op() {
    let app = spawn().await;
    let admin = app.admin().await;
    let people_before = app.count("people").await;
    let preview = upload(&admin, &sample("hr-export.csv")).await;
    assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.body);
    assert_eq!(preview.body["status"], "previewed");
    assert_eq!(preview.body["rows"], 9);
    assert_eq!(preview.body["creates"], 9);
    assert_eq!(preview.body["terminations"], 1);
    assert_eq!(preview.body["new_cost_centres"], json!(["CC-410"]));
    assert_eq!(app.count("people").await, people_before, "a preview writes no people");

    let id = preview.body["id"].as_i64().unwrap();
    let applied = admin.post(&format!("/api/v1/imports/{id}/apply"), json!({})).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    assert_eq!(applied.body["status"], "applied");
    assert_eq!(app.count("people").await, people_before + 9);
    assert_eq!(admin.post(&format!("/api/v1/imports/{id}/apply"), json!({})).await.status, StatusCode::CONFLICT);

    let left = person(&app, "E0450").await;
    assert_eq!(left["status"], "terminated");
    assert_eq!(left["end_date"], "2026-08-29");
    assert!(left["terminated_at"].as_str().unwrap().starts_with("2026-08-29"));
    let contractor = person(&app, "E0907").await;
    assert_eq!(contractor["employment_type"], "contractor");
    let manager: Option<i64> = sqlx::query_scalar("SELECT manager_id FROM people WHERE employee_id = 'E1001'")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let maya = app.id_of("SELECT id FROM people WHERE employee_id = 'E0100'").await;
    assert_eq!(manager, Some(maya), "managers resolve within the same file");

    // Importing the same file again changes nothing.
    let ledger_before = app.ledger_len().await;
    let again = upload(&admin, &sample("hr-export.csv")).await;
    assert_eq!(again.body["creates"], 0);
    assert_eq!(again.body["updates"], 0);
    assert_eq!(again.body["unchanged"], 9);
    let id = again.body["id"].as_i64().unwrap();
    admin.post(&format!("/api/v1/imports/{id}/apply"), json!({})).await;
    assert_eq!(app.ledger_len().await, ledger_before + 1, "only the import itself is recorded");
    assert_eq!(app.count("people").await, people_before + 9);
}

#[tokio::test]
async fn two_bad_rows_are_both_reported_and_nothing_is_stored() {
    let app = spawn().await;
    let admin = app.admin().await;
    let mut lines: Vec<String> = sample("hr-export.csv").lines().map(str::to_string).collect();
    lines[2] = lines[2].replace("omar.haddad@example.com", "omar.haddad-at-example");
    lines[5] = lines[5].replace("2018-04-01", "31/31/2018");
    let csv = lines.join("\n");
    let imports = app.count("imports").await;
    let people = app.count("people").await;
    let r = upload(&admin, &csv).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let fields = r.body["error"]["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 2);
    assert_eq!(
        (fields[0]["row"].as_i64(), fields[0]["line"].as_i64(), fields[0]["path"].as_str()),
        (Some(2), Some(3), Some("email"))
    );
    assert_eq!((fields[1]["row"].as_i64(), fields[1]["path"].as_str()), (Some(5), Some("start_date")));
    assert_eq!(app.count("imports").await, imports);
    assert_eq!(app.count("people").await, people);

    assert_eq!(upload(&app.owner().await, &sample("hr-export.csv")).await.status, StatusCode::FORBIDDEN);
    let junk = admin.post_raw("/api/v1/imports/hr", "text/csv", vec![0xff, 0xfe, 0x00]).await;
    assert_eq!(junk.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_full_export_flags_people_it_no_longer_lists_and_hr_terminations_mark_seats() {
    let app = spawn().await;
    let admin = app.admin().await;
    let full = sample("hr-export.csv");
    let id = upload(&admin, &full).await.body["id"].as_i64().unwrap();
    admin.post(&format!("/api/v1/imports/{id}/apply"), json!({})).await;

    // Omar Haddad gets a seat, then leaves; Ana Souza is no longer in the export.
    let omar = app.id_of("SELECT id FROM people WHERE employee_id = 'E1002'").await;
    let pool = app.pool_id("Zoom Workplace Business").await;
    let seat = admin.post(&format!("/api/v1/pools/{pool}/assignments"), json!({"person_id": omar})).await;
    assert_eq!(seat.status, StatusCode::CREATED, "{}", seat.body);
    let changed: Vec<String> = full
        .lines()
        .filter(|l| !l.starts_with("E0102,"))
        .map(|l| {
            if l.starts_with("E1002,") {
                l.replace(",active,2019-07-15,", ",terminated,2019-07-15,2026-11-20")
            } else {
                l.to_string()
            }
        })
        .collect();
    let preview = upload(&admin, &changed.join("\n")).await;
    assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.body);
    assert_eq!(preview.body["missing"], 1);
    assert_eq!(preview.body["terminations"], 1);
    let id = preview.body["id"].as_i64().unwrap();
    assert_eq!(admin.post(&format!("/api/v1/imports/{id}/apply"), json!({})).await.status, StatusCode::OK);

    let ana = person(&app, "E0102").await;
    assert_eq!(ana["status"], "active", "missing from HR is flagged, not terminated or deleted");
    let flagged: Option<String> =
        sqlx::query_scalar("SELECT missing_from_hr_at FROM people WHERE employee_id = 'E0102'")
            .fetch_one(&app.db.read)
            .await
            .unwrap();
    assert!(flagged.is_some());
    let seats = admin.get(&format!("/api/v1/people/{omar}/seats")).await;
    assert_eq!(seats.body[0]["reclaim"]["reason"], "holder terminated");
    let latency: i64 =
        sqlx::query_scalar(&format!("SELECT reclaim_latency_ms FROM seat_assignments WHERE person_id = {omar}"))
            .fetch_one(&app.db.read)
            .await
            .unwrap();
    // Effective 2026-11-20 00:00 UTC, marked at the test clock's 2026-11-23 09:00 UTC.
    assert_eq!(latency, (3 * 24 + 9) * 3_600_000);
}
