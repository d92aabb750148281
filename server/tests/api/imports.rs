//! HR imports: preview with row-level errors, apply all or nothing, idempotent re-import, missing people flagged.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{spawn, Client, Reply, TestApp};

fn sample(name: &str) -> String {
    let path = format!("{}/../tests/fixtures/samples/{name}", env!("CARGO_MANIFEST_DIR"));
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
    let progress = admin.get(&format!("/api/v1/imports/{id}/progress")).await;
    assert_eq!(progress.body["finished"], true, "{}", progress.body);
    assert_eq!(progress.body["done"], 9);
    assert_eq!(progress.body["total"], 9);
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
    // Bulk-recorded entries chain exactly like single ones.
    let verify = admin.post("/api/v1/ledger/verify", json!({})).await;
    assert_eq!(verify.body["ok"], true, "{}", verify.body);
}

#[tokio::test]
async fn two_bad_rows_are_both_reported_and_nothing_is_applied() {
    let app = spawn().await;
    let admin = app.admin().await;
    let mut lines: Vec<String> = sample("hr-export.csv").lines().map(str::to_string).collect();
    lines[2] = lines[2].replace("omar.haddad@example.com", "omar.haddad-at-example");
    lines[5] = lines[5].replace("2018-04-01", "31/31/2018");
    let csv = lines.join("\n");
    let people = app.count("people").await;
    let preview = upload(&admin, &csv).await;
    assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.body);
    assert_eq!(preview.body["valid_rows"], 7);
    let id = preview.body["id"].as_i64().unwrap();
    let r = admin.post(&format!("/api/v1/imports/{id}/apply"), json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["fields"], preview.body["row_errors"]);
    let fields = r.body["error"]["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 2);
    assert_eq!(
        (fields[0]["row"].as_i64(), fields[0]["line"].as_i64(), fields[0]["path"].as_str()),
        (Some(2), Some(3), Some("email"))
    );
    assert_eq!((fields[1]["row"].as_i64(), fields[1]["path"].as_str()), (Some(5), Some("start_date")));
    assert_eq!(app.count("people").await, people);
    assert_eq!(admin.get(&format!("/api/v1/imports/{id}")).await.body["status"], "previewed");

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
    // The HR termination offboards: the seat is reclaimed, and time to revoke runs from the effective date.
    let seats = admin.get(&format!("/api/v1/people/{omar}/seats")).await;
    assert_eq!(seats.body, json!([]));
    let cases = admin.get(&format!("/api/v1/reclamation/cases?person_id={omar}")).await;
    assert_eq!(cases.body["items"][0]["state"], "reclaimed", "{}", cases.body);
    // Effective 2026-11-20 00:00 UTC, revoked at the test clock's 2026-11-23 09:00 UTC.
    assert_eq!(cases.body["items"][0]["revoke_ms"], (3 * 24 + 9) * 3_600_000);
}

#[tokio::test]
async fn the_snipe_it_sample_creates_its_licenses_and_seats_and_reimports_as_a_no_op() {
    let app = spawn().await;
    let admin = app.admin().await;
    let dept = app.id_of("SELECT id FROM departments WHERE name = 'IT Operations'").await;
    let cc = app.id_of("SELECT id FROM cost_centres WHERE code = 'CC-100'").await;
    let path = format!("/api/v1/imports/snipeit?filename=snipe.csv&department_id={dept}&cost_centre_id={cc}");
    let csv = sample("snipeit-licenses.csv");
    let pools_before = app.count("pools").await;
    let preview = admin.post_raw(&path, "text/csv", csv.as_bytes().to_vec()).await;
    assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.body);
    let licenses = preview.body["pools_created"].as_i64().unwrap();
    let seats = preview.body["seats_created"].as_i64().unwrap();
    // JetBrains All Products Pack and Zoom Workplace Business already exist in the demo and are matched by name:
    // the file updates them.
    assert_eq!(licenses, 2, "{}", preview.body);
    assert_eq!(preview.body["pools_updated"], 2, "{}", preview.body);
    assert_eq!(seats, 5, "{}", preview.body);
    assert_eq!(app.count("pools").await, pools_before, "the preview is a dry run");

    let id = preview.body["id"].as_i64().unwrap();
    let applied = admin.post(&format!("/api/v1/imports/{id}/apply"), json!({})).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    assert_eq!(app.count("pools").await, pools_before + licenses);
    let adobe = app.id_of("SELECT id FROM pools WHERE name = 'Adobe Creative Cloud All Apps'").await;
    let pool = admin.get(&format!("/api/v1/pools/{adobe}")).await.body;
    assert_eq!(pool["unit_cost"], json!({"amount_minor": 5499, "currency": "USD"}));
    assert_eq!(pool["seats_purchased"], 25);
    assert_eq!(pool["seats_assigned"], 2);
    assert_eq!(pool["contract_start"], "2025-01-15");
    assert_eq!(pool["contract_end"], "2026-01-14");
    assert_eq!(pool["vendor"]["name"], "Adobe", "matched to the existing vendor");
    assert!(pool["notes"].as_str().unwrap().contains("Renews yearly"));
    let jetbrains = app.pool_id("JetBrains All Products Pack").await;
    let holders = app.count(&format!("seat_assignments a JOIN people p ON p.id = a.person_id WHERE a.pool_id = {jetbrains} AND p.email = 'li.wei@example.com'")).await;
    assert_eq!(holders, 1, "seats land in the matching existing pool");
    let visio = app.id_of("SELECT id FROM pools WHERE name = 'Microsoft Visio Plan 2'").await;
    assert_eq!(
        admin.get(&format!("/api/v1/pools/{visio}")).await.body["seats_assigned"],
        0,
        "the row without a person adds no seat"
    );

    let again = admin.post_raw(&path, "text/csv", csv.as_bytes().to_vec()).await;
    assert_eq!(again.body["pools_created"], 0);
    assert_eq!(again.body["pools_updated"], 0);
    assert_eq!(again.body["seats_created"], 0);

    // A cost that cannot be read is a warning naming row and column; the import still goes ahead.
    let bad = csv.replacen("$54.99", "fifty", 1);
    let r = admin.post_raw(&path, "text/csv", bad.into_bytes()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["warnings"][0]["path"], "purchase cost");
    assert_eq!(r.body["warnings"][0]["row"], 1);
    assert_eq!(r.body["pools_updated"], 0, "the cost left out keeps the pool's");
    let nowhere = admin
        .post_raw("/api/v1/imports/snipeit?department_id=999&cost_centre_id=999", "text/csv", csv.into_bytes())
        .await;
    assert_eq!(nowhere.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn graph_users_become_people_sign_ins_and_seats_through_the_sku_mapping() {
    let app = spawn().await;
    let admin = app.admin().await;
    let skus = admin
        .post_raw("/api/v1/imports/graph-skus", "application/json", sample("graph-subscribed-skus.json").into_bytes())
        .await;
    assert_eq!(skus.status, StatusCode::OK, "{}", skus.body);
    assert_eq!(skus.body.as_array().unwrap().len(), 3);
    let e3 = app.pool_id("Microsoft 365 E3").await;
    let r = admin.put("/api/v1/sku-mappings/ENTERPRISEPACK", json!({"pool_id": e3})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body[0]["pool_name"], "Microsoft 365 E3");
    assert_eq!(
        app.owner().await.put("/api/v1/sku-mappings/SPE_E5", json!({"pool_id": e3})).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        admin.put("/api/v1/sku-mappings/SPE_E5", json!({"pool_id": 999999})).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let seats_before = app.count(&format!("seat_assignments WHERE pool_id = {e3}")).await;
    let preview = admin
        .post_raw("/api/v1/imports/graph-users", "application/json", sample("graph-users.json").into_bytes())
        .await;
    assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.body);
    assert!(preview.body["creates"].as_i64().unwrap() >= 4);
    assert!(preview.body["seats_created"].as_i64().unwrap() >= 2);
    assert_eq!(preview.body["unmapped_skus"][0], "SPE_E5");
    assert_eq!(
        app.count(&format!("seat_assignments WHERE pool_id = {e3}")).await,
        seats_before,
        "preview is a dry run"
    );
    let id = preview.body["id"].as_i64().unwrap();
    let applied = admin.post(&format!("/api/v1/imports/{id}/apply"), json!({})).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    assert_eq!(
        app.count(&format!("seat_assignments WHERE pool_id = {e3}")).await,
        seats_before + applied.body["seats_created"].as_i64().unwrap()
    );
    // Sign-ins: Dana signed in recently, Nia never did.
    let dana: Option<String> = sqlx::query_scalar(
        "SELECT s.last_sign_in_at FROM person_signins s JOIN people p ON p.id = s.person_id WHERE p.email = 'dana.whitfield@example.com' AND s.source = 'entra'",
    )
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    assert!(dana.unwrap().starts_with("2026-11-20"));
    let never = admin.get("/api/v1/people?no_signin_days=30&q=new.hire").await;
    assert_eq!(never.body["total"], 1);
    // A disabled account is a termination.
    let lea = app.id_of("SELECT id FROM people WHERE email = 'left.company@example.com'").await;
    assert_eq!(admin.get(&format!("/api/v1/people/{lea}")).await.body["status"], "terminated");

    let again = admin
        .post_raw("/api/v1/imports/graph-users", "application/json", sample("graph-users.json").into_bytes())
        .await;
    assert_eq!(again.body["creates"], 0);
    assert_eq!(again.body["seats_created"], 0);
    let bad = admin
        .post_raw("/api/v1/imports/graph-users", "application/json", br#"{"value":[{"displayName":"x"}]}"#.to_vec())
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.body["error"]["fields"][0]["row"], 1);
}

/// Make the database refuse ledger entries with `action`, as a failure part-way through an apply.
async fn refuse_ledger_action(app: &TestApp, action: &str) {
    match app.db.backend {
        seatwise_server::db::Backend::Sqlite => {
            app.exec(&format!(
                "CREATE TRIGGER refuse_entries BEFORE INSERT ON ledger_entries WHEN NEW.action = '{action}' \
                 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            ))
            .await
        }
        seatwise_server::db::Backend::Postgres => {
            app.exec(&format!(
                "CREATE FUNCTION refuse_entries() RETURNS trigger AS $$ BEGIN \
                 IF NEW.action = '{action}' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END \
                 $$ LANGUAGE plpgsql"
            ))
            .await;
            app.exec("CREATE TRIGGER refuse_entries BEFORE INSERT ON ledger_entries FOR EACH ROW EXECUTE FUNCTION refuse_entries()")
                .await
        }
    }
}

async fn allow_ledger_actions(app: &TestApp) {
    match app.db.backend {
        seatwise_server::db::Backend::Sqlite => app.exec("DROP TRIGGER refuse_entries").await,
        seatwise_server::db::Backend::Postgres => {
            app.exec("DROP TRIGGER refuse_entries ON ledger_entries").await;
            app.exec("DROP FUNCTION refuse_entries").await
        }
    }
}

#[tokio::test]
async fn a_manager_nobody_knows_is_a_row_error_and_a_file_may_list_managers_after_their_reports() {
    let app = spawn().await;
    let admin = app.admin().await;
    let header = "employee_id,first_name,last_name,email,manager_employee_id\n";
    let csv = format!("{header}E8001,Ivy,Report,ivy@example.com,E8002\nE8003,Al,Lone,al@example.com,E8999\n");
    let people = app.count("people").await;
    let r = upload(&admin, &csv).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let fields = r.body["error"]["fields"].as_array().unwrap();
    let found: Vec<_> = fields.iter().map(|f| (f["row"].as_i64(), f["path"].as_str())).collect();
    assert_eq!(found, [(Some(1), Some("manager_employee_id")), (Some(2), Some("manager_employee_id"))]);
    assert!(fields[1]["message"].as_str().unwrap().contains("E8999"), "{}", r.body);
    assert_eq!(app.count("people").await, people);

    // The manager comes after the report in the file: both are created, linked, each with one ledger entry.
    let creates = app.count("ledger_entries WHERE action = 'person.create'").await;
    let csv = format!("{header}E8001,Ivy,Report,ivy@example.com,E8002\nE8002,Bo,Boss,bo@example.com,\n");
    let preview = upload(&admin, &csv).await;
    assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.body);
    let id = preview.body["id"].as_i64().unwrap();
    assert_eq!(admin.post(&format!("/api/v1/imports/{id}/apply"), json!({})).await.status, StatusCode::OK);
    let boss = app.id_of("SELECT id FROM people WHERE employee_id = 'E8002'").await;
    let manager: Option<i64> = sqlx::query_scalar("SELECT manager_id FROM people WHERE employee_id = 'E8001'")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    assert_eq!(manager, Some(boss));
    assert_eq!(app.count("ledger_entries WHERE action = 'person.create'").await, creates + 2);
}

#[tokio::test]
async fn an_apply_that_fails_part_way_leaves_nothing_and_a_later_one_verifies() {
    let app = spawn().await;
    let admin = app.admin().await;
    let mut csv = sample("hr-export.csv").trim_end().to_string();
    csv.push('\n');
    csv.push_str(
        "E7001,Nova,Quinn,nova.quinn@example.com,Quantum Lab,CC-977,E0100,employee,terminated,2021-01-04,2026-11-01\n",
    );
    let preview = upload(&admin, &csv).await;
    assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.body);
    let id = preview.body["id"].as_i64().unwrap();
    let tables = ["people", "departments", "cost_centres", "ledger_entries", "seat_assignments"];
    let mut before = Vec::new();
    for t in tables {
        before.push(app.count(t).await);
    }

    let creates = app.count("ledger_entries WHERE action = 'person.create'").await;
    // Status changes are written after the people, departments and their ledger entries.
    refuse_ledger_action(&app, "person.status").await;
    let failed = admin.post(&format!("/api/v1/imports/{id}/apply"), json!({})).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", failed.body);
    for (t, n) in tables.iter().zip(&before) {
        assert_eq!(app.count(t).await, *n, "{t}: a failed apply writes nothing");
    }
    assert_eq!(admin.get(&format!("/api/v1/imports/{id}")).await.body["status"], "previewed");

    allow_ledger_actions(&app).await;
    let applied = admin.post(&format!("/api/v1/imports/{id}/apply"), json!({})).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    assert_eq!(applied.body["creates"], 10);
    assert_eq!(applied.body["terminations"], 2);
    assert_eq!(applied.body["new_departments"], json!(["Quantum Lab"]));
    assert_eq!(app.count("people").await, before[0] + 10);
    assert_eq!(app.count("ledger_entries WHERE action = 'person.create'").await, creates + 10);
    let nova = person(&app, "E7001").await;
    assert_eq!(nova["status"], "terminated");
    assert_eq!(nova["department"]["name"], "Quantum Lab");
    let history = admin.get(&format!("/api/v1/people/{}/history", nova["id"])).await;
    let actions: Vec<&str> =
        history.body["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, ["person.status", "person.create"], "{}", history.body);
    let verify = admin.post("/api/v1/ledger/verify", json!({})).await;
    assert_eq!(verify.body["ok"], true, "{}", verify.body);
}
