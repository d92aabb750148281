//! Real files as they come (tests/fixtures/samples): Snipe-IT license exports with empty and unknown values and
//! extra columns, a corrected re-import that updates pools with a diff, Snipe-IT's users export as people, an
//! apply that skips the rows in error and hands them back as CSV, and the import history.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{spawn, Client, Reply, TestApp};

fn sample(name: &str) -> String {
    let path = format!("{}/../tests/fixtures/samples/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn snipeit(app: &TestApp, c: &Client, file: &str) -> Reply {
    let dept = app.id_of("SELECT id FROM departments WHERE name = 'IT Operations'").await;
    let cc = app.id_of("SELECT id FROM cost_centres WHERE code = 'CC-100'").await;
    let path = format!("/api/v1/imports/snipeit?filename={file}&department_id={dept}&cost_centre_id={cc}");
    c.post_raw(&path, "text/csv", sample(file).into_bytes()).await
}

async fn apply(c: &Client, preview: &Reply, body: Value) -> Reply {
    let id = preview.body["id"].as_i64().unwrap();
    c.post(&format!("/api/v1/imports/{id}/apply"), body).await
}

fn paths_by_row(list: &Value) -> Vec<(i64, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|w| (w["row"].as_i64().unwrap_or(0), w["path"].as_str().unwrap_or_default().to_string()))
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_messy_snipe_it_export_imports_with_warnings_and_a_corrected_one_updates_with_a_diff() {
    let app = spawn().await;
    let admin = app.admin().await;
    let pools_before = app.count("pools").await;
    let preview = snipeit(&app, &admin, "snipeit-licenses-messy.csv").await;
    assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.body);
    let p = &preview.body;
    assert_eq!(p["row_errors"], json!([]), "nothing in the file blocks it");
    assert_eq!((p["rows"].as_i64(), p["valid_rows"].as_i64()), (Some(8), Some(8)));
    assert_eq!((p["pools_created"].as_i64(), p["pools_updated"].as_i64()), (Some(4), Some(0)), "{p}");
    assert_eq!(p["seats_created"], 6, "{p}");
    // Each value not understood: row and column, and what was done instead.
    assert_eq!(
        paths_by_row(&p["warnings"]),
        [
            (3, "Manufacturer".to_string()),
            (5, "Expiration Date".to_string()),
            (7, "Email".to_string()),
            (8, "Purchase Cost".to_string()),
            (8, " Seats ".trim().to_string()),
        ],
        "{}",
        p["warnings"]
    );
    let warning = |row: i64| p["warnings"].as_array().unwrap().iter().find(|w| w["row"] == row).unwrap().clone();
    assert!(warning(3)["message"].as_str().unwrap().contains("Unknown vendor"), "{}", warning(3));
    assert!(warning(5)["message"].as_str().unwrap().contains("expiration was dropped"), "{}", warning(5));
    // Columns: which were read, which ignored (Seatwise does not keep them, so their values are never checked).
    let ignored = strings(&p["columns"]["ignored"]);
    for c in ["Username", "Category", "Maintained", "Reassignable", "Supplier", "Asset Tag", "Custom: Renewal Owner"] {
        assert!(ignored.iter().any(|i| i == c), "{c} ignored: {ignored:?}");
    }
    let read: Vec<(String, String)> = p["columns"]["recognised"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["header"].as_str().unwrap().to_string(), c["field"].as_str().unwrap().to_string()))
        .collect();
    assert!(read.contains(&("Item Name".into(), "item".into())), "{read:?}");
    assert!(read.contains(&("Seats".into(), "seats".into())), "a padded header is read: {read:?}");
    assert!(read.contains(&("purchase_order".into(), "purchase_order".into())), "{read:?}");
    // How each cost was read.
    let costs = strings(&p["cost_reading"]);
    assert!(
        costs.iter().any(|c| c.starts_with("Mural Enterprise: purchase cost 16.00 USD read as the price of one seat for a year → unit cost 16.00 USD per seat per year, 480.00 USD a year for 30 seats")),
        "{costs:?}"
    );
    assert_eq!(app.count("pools").await, pools_before, "the preview is a dry run");

    let applied = apply(&admin, &preview, json!({})).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    let sublime = app.id_of("SELECT p.id FROM pools p JOIN vendors v ON v.id = p.vendor_id WHERE p.name = 'Sublime Text' AND v.name = 'Unknown vendor'").await;
    assert_eq!(admin.get(&format!("/api/v1/pools/{sublime}")).await.body["seats_assigned"], 2);
    let qlik = app.pool_id("Qlik Sense Business").await;
    let t = admin.get(&format!("/api/v1/pools/{qlik}")).await.body;
    assert_eq!((t["contract_start"].as_str(), t["contract_end"].as_str()), (Some("2024-07-06"), None), "{t}");
    assert_eq!(t["unit_cost"], json!({"amount_minor": 105_000, "currency": "USD"}));
    let whimsical = app.pool_id("Whimsical Pro").await;
    let l = admin.get(&format!("/api/v1/pools/{whimsical}")).await.body;
    assert_eq!((l["seats_purchased"].as_i64(), l["unit_cost"]["amount_minor"].as_i64()), (Some(1), Some(0)), "{l}");

    // The corrected file: matched by vendor and name, three pools change, each change listed before and after.
    let again = snipeit(&app, &admin, "snipeit-licenses-corrected.csv").await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    let a = &again.body;
    assert_eq!((a["pools_created"].as_i64(), a["pools_updated"].as_i64()), (Some(0), Some(3)), "{a}");
    assert_eq!(a["seats_created"], 1, "the fixed e-mail address is a new seat: {a}");
    let diff: Vec<(String, String, Value, Value)> = a["pool_changes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| {
            let pool = p["pool"].as_str().unwrap().to_string();
            p["changes"].as_array().unwrap().iter().map(move |c| {
                (pool.clone(), c["field"].as_str().unwrap().to_string(), c["before"].clone(), c["after"].clone())
            })
        })
        .collect();
    let has = |pool: &str, field: &str, before: Value, after: Value| {
        assert!(
            diff.contains(&(pool.to_string(), field.to_string(), before.clone(), after.clone())),
            "{pool} {field} {before} → {after}: {diff:?}"
        )
    };
    has("Mural Enterprise", "Seats purchased", json!("30"), json!("35"));
    has("Mural Enterprise", "Unit cost", json!("16.00 USD per seat per year"), json!("18.00 USD per seat per year"));
    has("Qlik Sense Business", "Contract end", Value::Null, json!("2025-07-05"));
    has("Whimsical Pro", "Seats purchased", json!("1"), json!("10"));
    assert_eq!(diff.len(), 5, "Sublime Text is unchanged: {diff:?}");
    let mural = app.pool_id("Mural Enterprise").await;
    let before = admin.get(&format!("/api/v1/pools/{mural}")).await.body;
    assert_eq!(before["seats_purchased"], 30, "still a preview");

    let ledger = app.ledger_len().await;
    let done = apply(&admin, &again, json!({})).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let after = admin.get(&format!("/api/v1/pools/{mural}")).await.body;
    assert_eq!(
        (after["seats_purchased"].as_i64(), after["unit_cost"]["amount_minor"].as_i64()),
        (Some(35), Some(1800))
    );
    assert_eq!(after["version"], before["version"].as_i64().unwrap() + 1, "an update counts a version");
    let history = admin.get(&format!("/api/v1/pools/{mural}/history")).await.body;
    let actions: Vec<&str> = history["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions[..2], ["pool.seat_assign", "pool.update"], "{history}");
    // Three pool updates, one person, one seat, the import itself.
    assert_eq!(app.ledger_len().await, ledger + 6);

    // The same corrected file again changes nothing.
    let third = snipeit(&app, &admin, "snipeit-licenses-corrected.csv").await;
    assert_eq!((third.body["pools_updated"].as_i64(), third.body["seats_created"].as_i64()), (Some(0), Some(0)));
    assert_eq!(third.body["pool_changes"], json!([]));
}

#[tokio::test]
async fn cost_can_be_read_per_month_or_as_the_total_and_the_upload_names_what_is_missing() {
    let app = spawn().await;
    let admin = app.admin().await;
    let dept = app.id_of("SELECT id FROM departments WHERE name = 'IT Operations'").await;
    let cc = app.id_of("SELECT id FROM cost_centres WHERE code = 'CC-100'").await;
    let csv = sample("snipeit-licenses-messy.csv").into_bytes();
    let path =
        |basis: &str| format!("/api/v1/imports/snipeit?department_id={dept}&cost_centre_id={cc}&cost_per={basis}");
    let total = admin.post_raw(&path("total_year"), "text/csv", csv.clone()).await;
    assert_eq!(total.status, StatusCode::CREATED, "{}", total.body);
    let costs = strings(&total.body["cost_reading"]);
    assert!(
        costs.iter().any(|c| c.contains("Qlik Sense Business: purchase cost 1050.00 USD read as the price of all the license's seats for a year → unit cost 350.00 USD per seat per year (1050.00 USD ÷ 3 seats)")),
        "{costs:?}"
    );
    let applied = apply(&admin, &total, json!({})).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    let qlik = admin.get(&format!("/api/v1/pools/{}", app.pool_id("Qlik Sense Business").await)).await.body;
    assert_eq!(
        (qlik["unit_cost"]["amount_minor"].as_i64(), qlik["billing_period"].as_str()),
        (Some(35_000), Some("annual"))
    );
    assert_eq!(qlik["annual_cost"]["amount_minor"], 105_000);

    let monthly = admin.post_raw(&path("seat_month"), "text/csv", csv.clone()).await;
    let changes = monthly.body["pool_changes"].as_array().unwrap();
    let qlik = changes.iter().find(|p| p["pool"] == "Qlik Sense Business").unwrap();
    assert_eq!(qlik["changes"][0]["after"], "1050.00 USD per seat per month", "{qlik}");

    // Every problem with the query is a sentence naming the parameter; nothing is stored.
    let imports = app.count("imports").await;
    let none = admin.post_raw("/api/v1/imports/snipeit", "text/csv", csv.clone()).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", none.body);
    assert_eq!(none.field_paths(), ["department_id", "cost_centre_id"]);
    assert_eq!(none.body["error"]["fields"][0]["message"], "Choose the department that will own the imported pools.");
    let empty =
        admin.post_raw("/api/v1/imports/snipeit?department_id=&cost_centre_id=1", "text/csv", csv.clone()).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", empty.body);
    assert_eq!(empty.body["error"]["fields"], json!([{"path": "department_id", "message": "must be a whole number"}]));
    let message = empty.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("department_id") && !message.contains("deserialize"), "{message}");
    let basis = admin.post_raw(&path("weekly"), "text/csv", csv.clone()).await;
    assert_eq!(basis.field_paths(), ["cost_per"]);
    let nowhere = admin.post_raw("/api/v1/imports/snipeit?department_id=999&cost_centre_id=999", "text/csv", csv).await;
    assert_eq!(nowhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(nowhere.body["error"]["fields"][0]["message"], "There is no department with id 999.");
    assert_eq!(app.count("imports").await, imports);
    let not_licenses = admin.post_raw(&path("seat_year"), "text/csv", sample("snipeit-users.csv").into_bytes()).await;
    assert_eq!(not_licenses.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(not_licenses.body["error"]["message"].as_str().unwrap().contains("Item name"), "{}", not_licenses.body);
}

#[tokio::test]
async fn snipe_it_users_export_comes_in_as_people_with_its_extra_columns_ignored() {
    let app = spawn().await;
    let admin = app.admin().await;
    let people = app.count("people").await;
    let preview = admin
        .post_raw(
            "/api/v1/imports/hr?filename=users.csv&full=false",
            "text/csv",
            sample("snipeit-users.csv").into_bytes(),
        )
        .await;
    assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.body);
    let p = &preview.body;
    assert_eq!((p["rows"].as_i64(), p["creates"].as_i64(), p["row_errors"].clone()), (Some(8), Some(8), json!([])));
    assert_eq!(p["new_departments"], json!(["Field Ops"]));
    assert_eq!(
        strings(&p["columns"]["ignored"]),
        ["Activated", "Location", "Phone", "Job Title", "Company", "Notes", "Remote"]
    );
    let applied = apply(&admin, &preview, json!({})).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    assert_eq!(app.count("people").await, people + 8);
    let priya = app.id_of("SELECT id FROM people WHERE employee_id = 'E2001'").await;
    let person = admin.get(&format!("/api/v1/people/{priya}")).await.body;
    assert_eq!(
        (person["name"].as_str(), person["email"].as_str()),
        (Some("Priya Raman"), Some("priya.raman@example.com"))
    );
    assert_eq!(person["department"]["name"], "Engineering");
    assert_eq!(person["start_date"], "2023-02-13");
    let lars = app.id_of("SELECT id FROM people WHERE email = 'lars.oberg@example.com'").await;
    assert_eq!(admin.get(&format!("/api/v1/people/{lars}")).await.body["name"], "Lars Öberg");

    // A header Seatwise cannot read names from is one message, not a symptom on every row.
    let csv = sample("snipeit-users.csv").replacen("First Name,Last Name", "Given,Family", 1);
    let r = admin.post_raw("/api/v1/imports/hr", "text/csv", csv.into_bytes()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let fields = r.body["error"]["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 1, "{}", r.body);
    assert!(fields[0]["message"].as_str().unwrap().contains("no first_name or last_name column"), "{}", r.body);
}

#[tokio::test]
async fn the_valid_rows_can_be_applied_and_the_skipped_ones_downloaded_to_fix() {
    let app = spawn().await;
    let admin = app.admin().await;
    let people = app.count("people").await;
    let preview = admin
        .post_raw(
            "/api/v1/imports/hr?filename=hr-export-with-errors.csv",
            "text/csv",
            sample("hr-export-with-errors.csv").into_bytes(),
        )
        .await;
    assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.body);
    assert_eq!((preview.body["rows"].as_i64(), preview.body["valid_rows"].as_i64()), (Some(9), Some(7)));
    assert_eq!(paths_by_row(&preview.body["row_errors"]), [(2, "email".into()), (5, "start_date".into())]);
    let id = preview.body["id"].as_i64().unwrap();

    // Without the choice, any bad row blocks: 422 listing them, nothing written.
    let ledger = app.ledger_len().await;
    let refused = apply(&admin, &preview, json!({})).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(refused.field_paths(), ["email", "start_date"]);
    assert!(refused.body["error"]["message"].as_str().unwrap().starts_with("2 rows have errors"), "{}", refused.body);
    let empty_body = admin.post_raw(&format!("/api/v1/imports/{id}/apply"), "application/json", Vec::new()).await;
    assert_eq!(empty_body.status, StatusCode::UNPROCESSABLE_ENTITY, "an empty body is no choice either");
    assert_eq!((app.count("people").await, app.ledger_len().await), (people, ledger));
    assert_eq!(admin.get(&format!("/api/v1/imports/{id}")).await.body["status"], "previewed");
    let typo = apply(&admin, &preview, json!({"skip_invalid": "yes"})).await;
    assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(typo.field_paths(), ["skip_invalid"]);

    let applied = apply(&admin, &preview, json!({"skip_invalid": true})).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    assert_eq!((applied.body["creates"].as_i64(), applied.body["skipped_rows"].as_i64()), (Some(7), Some(2)));
    assert_eq!(
        applied.body["records"],
        json!([{"record_type": "person", "count": 7}]),
        "the answer links what it made"
    );
    assert_eq!(app.count("people").await, people + 7);
    assert_eq!(app.count("people WHERE employee_id IN ('E1002', 'E0450')").await, 0, "the rows in error are skipped");
    // Each try is in the history with how it ended; the refusals say why, as the person was told.
    let attempts = admin.get(&format!("/api/v1/imports/{id}")).await.body["attempts"].clone();
    let outcomes: Vec<&str> = attempts.as_array().unwrap().iter().filter_map(|a| a["outcome"].as_str()).collect();
    assert_eq!(outcomes, ["failed", "failed", "applied"], "{attempts}");
    assert!(attempts[0]["error"].as_str().unwrap().starts_with("2 rows have errors"), "{attempts}");
    assert!(attempts[2]["finished_at"].is_string() && attempts[2]["error"].is_null(), "{attempts}");

    let skipped = admin.get(&format!("/api/v1/imports/{id}/skipped.csv")).await;
    assert_eq!(skipped.status, StatusCode::OK);
    assert!(skipped.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert_eq!(
        skipped.headers["content-disposition"].to_str().unwrap(),
        "attachment; filename=\"hr-export-with-errors-skipped.csv\""
    );
    let text = skipped.body.as_str().unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    // A byte-order mark first, so Excel reads the file as UTF-8.
    assert_eq!(lines[0], "\u{feff}employee_id,first_name,last_name,email,department,cost_centre,manager_employee_id,employment_type,status,start_date,end_date,error");
    assert!(lines[1].starts_with("E1002,Omar,Haddad,omar.haddad-at-example,Finance,"), "{text}");
    // Quotes in the error column are doubled, as CSV writes them.
    assert!(lines[1].ends_with(r#","email: ""omar.haddad-at-example"" is not an email address""#), "{text}");
    assert!(
        lines[2].starts_with("E0450,Lea,Left,") && lines[2].contains(r#"start_date: ""31/31/2018"" is not a date"#),
        "{text}"
    );

    // The fixed rows, with the error column left in, import as they are.
    let fixed = text.replace("omar.haddad-at-example", "omar.haddad@example.com").replace("31/31/2018", "2018-04-01");
    let preview = admin.post_raw("/api/v1/imports/hr?full=false", "text/csv", fixed.into_bytes()).await;
    assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.body);
    assert_eq!((preview.body["creates"].as_i64(), preview.body["row_errors"].clone()), (Some(2), json!([])));
    assert_eq!(strings(&preview.body["columns"]["ignored"]), ["error"]);
    assert_eq!(apply(&admin, &preview, json!({})).await.status, StatusCode::OK);
    assert_eq!(app.count("people").await, people + 9);

    // Leaving out a manager's row in error puts the rows they manage in error too (their manager is unknown).
    let csv = "employee_id,first_name,email,manager_employee_id\n\
               E8001,Ivy,ivy@example.com,E8002\n\
               E8002,Bo,bo-at-example,\n\
               E8003,Al,al@example.com,E0100\n";
    let preview = admin.post_raw("/api/v1/imports/hr?full=false", "text/csv", csv.as_bytes().to_vec()).await;
    assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.body);
    assert_eq!(paths_by_row(&preview.body["row_errors"]), [(1, "manager_employee_id".into()), (2, "email".into())]);
    assert_eq!((preview.body["valid_rows"].as_i64(), preview.body["creates"].as_i64()), (Some(1), Some(1)));
    let applied = apply(&admin, &preview, json!({"skip_invalid": true})).await;
    assert_eq!((applied.status, applied.body["skipped_rows"].as_i64()), (StatusCode::OK, Some(2)), "{}", applied.body);
    assert_eq!(app.count("people WHERE employee_id IN ('E8001', 'E8002', 'E8003')").await, 1);

    // A file with no row that could be imported is refused whole, as before.
    let csv = "employee_id,first_name,email\nE1,A,not-an-email\n";
    let imports = app.count("imports").await;
    let all_bad = admin.post_raw("/api/v1/imports/hr", "text/csv", csv.as_bytes().to_vec()).await;
    assert_eq!(all_bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(all_bad.field_paths(), ["email"]);
    assert_eq!(app.count("imports").await, imports);
}

#[tokio::test]
async fn the_import_history_lists_each_import_and_links_to_what_it_created() {
    let app = spawn().await;
    let admin = app.admin().await;
    let hr = admin
        .post_raw("/api/v1/imports/hr?filename=hr-export.csv", "text/csv", sample("hr-export.csv").into_bytes())
        .await;
    apply(&admin, &hr, json!({})).await;
    let licenses = snipeit(&app, &admin, "snipeit-licenses-messy.csv").await;
    assert_eq!(apply(&admin, &licenses, json!({})).await.status, StatusCode::OK);
    let pending = snipeit(&app, &admin, "snipeit-licenses-corrected.csv").await;

    let list = admin.get("/api/v1/imports").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(
        (list.body["total"].as_i64(), list.body["page"].as_i64(), list.body["per_page"].as_i64()),
        (Some(3), Some(1), Some(50))
    );
    let items = list.body["items"].as_array().unwrap();
    let summary: Vec<(&str, &str, &str)> = items
        .iter()
        .map(|i| (i["kind"].as_str().unwrap(), i["filename"].as_str().unwrap(), i["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        [
            ("snipeit", "snipeit-licenses-corrected.csv", "previewed"),
            ("snipeit", "snipeit-licenses-messy.csv", "applied"),
            ("hr", "hr-export.csv", "applied"),
        ],
        "newest first"
    );
    assert_eq!(items[0]["id"], pending.body["id"]);
    assert_eq!(items[2]["created_by"], "admin@example.com");
    assert!(items[2]["created_at"].as_str().is_some() && items[2]["applied_at"].as_str().is_some());
    assert_eq!(items[0]["applied_at"], Value::Null);
    assert_eq!(items[2]["records"], json!([{"record_type": "person", "count": 9}]));
    let counts = items[1]["records"].as_array().unwrap();
    assert!(counts.contains(&json!({"record_type": "pool", "count": 4})), "{counts:?}");

    // What each import created: the people and pools lists filtered by it.
    let hr_id = items[2]["id"].as_i64().unwrap();
    let people = admin.get(&format!("/api/v1/people?import_id={hr_id}&per_page=100")).await;
    assert_eq!(people.body["total"], 9, "{}", people.body);
    assert!(people.body["items"].as_array().unwrap().iter().any(|p| p["email"] == "maya.lindqvist@example.com"));
    let snipe_id = items[1]["id"].as_i64().unwrap();
    let pools = admin.get(&format!("/api/v1/pools?import_id={snipe_id}")).await;
    let names: Vec<&str> =
        pools.body["items"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Mural Enterprise", "Qlik Sense Business", "Sublime Text", "Whimsical Pro"]);
    assert_eq!(admin.get(&format!("/api/v1/pools?import_id={hr_id}")).await.body["total"], 0);

    let one = admin.get(&format!("/api/v1/imports/{hr_id}")).await.body;
    assert_eq!((one["created_by"].as_str(), one["records"][0]["count"].as_i64()), (Some("admin@example.com"), Some(9)));
    let applied_only = admin.get("/api/v1/imports?status=applied&kind=snipeit").await;
    assert_eq!(applied_only.body["total"], 1);
    let bad = admin.get("/api/v1/imports?status=done&per_page=x").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.field_paths(), ["per_page"]);
    let bad = admin.get("/api/v1/imports?status=done").await;
    assert_eq!(bad.field_paths(), ["status"]);
    assert_eq!(admin.get("/api/v1/imports?kind=csv").await.field_paths(), ["kind"]);
    assert_eq!(app.owner().await.get("/api/v1/imports").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn two_applies_of_one_import_at_once_apply_it_once_and_the_other_is_told_so() {
    let app = spawn().await;
    let admin = app.admin().await;
    let people = app.count("people").await;
    let preview =
        admin.post_raw("/api/v1/imports/hr?filename=hr.csv", "text/csv", sample("hr-export.csv").into_bytes()).await;
    assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.body);
    let (a, b) = tokio::join!(apply(&admin, &preview, json!({})), apply(&admin, &preview, json!({})));
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{} / {}", a.body, b.body);
    assert_eq!(app.count("people").await, people + 9, "applied once");
    let id = preview.body["id"].as_i64().unwrap();
    let attempts = admin.get(&format!("/api/v1/imports/{id}")).await.body["attempts"].clone();
    let mut outcomes: Vec<&str> = attempts.as_array().unwrap().iter().filter_map(|a| a["outcome"].as_str()).collect();
    outcomes.sort();
    assert_eq!(outcomes, ["applied", "failed"], "{attempts}");
}

/// Snipe-IT keys users by username, and some rows of its users export have neither e-mail nor employee number:
/// every user comes in, the username is kept (and matched by SCIM userName and Graph userPrincipalName), the
/// Manager column links when it names one person, and VIP marks people policies may exempt.
#[tokio::test]
async fn snipe_it_users_come_in_by_username_with_managers_by_name_and_vips() {
    let app = spawn().await;
    let admin = app.admin().await;
    let people = app.count("people").await;
    let csv = sample("snipeit-users-usernames.csv");
    let preview =
        admin.post_raw("/api/v1/imports/hr?filename=users.csv&full=false", "text/csv", csv.into_bytes()).await;
    assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.body);
    let p = &preview.body;
    assert_eq!((p["rows"].as_i64(), p["creates"].as_i64(), p["row_errors"].clone()), (Some(5), Some(5), json!([])));
    for column in ["Username", "Manager", "VIP"] {
        assert!(!strings(&p["columns"]["ignored"]).contains(&column.to_string()), "{column} is read");
    }
    let warnings = p["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!((warnings[0]["row"].as_i64(), warnings[0]["path"].as_str()), (Some(5), Some("manager")));
    assert!(warnings[0]["message"].as_str().unwrap().contains("Nobody Known"));
    let applied = apply(&admin, &preview, json!({})).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    assert_eq!(app.count("people").await, people + 5);

    let person = |username: &'static str| {
        let (app, admin) = (&app, &admin);
        async move {
            let id = app.id_of_owned(format!("SELECT id FROM people WHERE username = '{username}'")).await;
            admin.get(&format!("/api/v1/people/{id}")).await.body
        }
    };
    let tobias = person("tek").await;
    assert_eq!((tobias["name"].as_str(), tobias["username"].as_str()), (Some("Tobias Ek"), Some("tek")));
    assert_eq!(tobias["email"], "tek@username.invalid", "a made-up address that reaches nobody");
    assert_eq!(tobias["manager"]["name"], "Maya Lindqvist", "linked by name, new in the same file");
    assert_eq!(tobias["vip"], false);
    let maya = person("mlindqvist").await;
    assert_eq!((maya["vip"].as_bool(), maya["email"].as_str()), (Some(true), Some("maya.lindqvist@example.com")));
    assert_eq!(person("rokafor").await["manager"], json!(null));

    // The same file again matches everyone by username: nothing new.
    let again = sample("snipeit-users-usernames.csv");
    let r = admin.post_raw("/api/v1/imports/hr?full=false", "text/csv", again.into_bytes()).await;
    assert_eq!((r.body["creates"].as_i64(), r.body["unchanged"].as_i64()), (Some(0), Some(5)), "{}", r.body);

    // SCIM finds a person by the user name as userName, and says that name back.
    let token = admin.post("/api/v1/scim/tokens", json!({"name": "okta"})).await;
    let mut scim = app.anonymous();
    scim.bearer = Some(token.body["token"].as_str().unwrap().to_string());
    let found = scim.get("/scim/v2/Users?filter=userName%20eq%20%22TEK%22").await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert_eq!(found.body["totalResults"], 1);
    assert_eq!(found.body["Resources"][0]["userName"], "tek");
    let taken = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "tek"});
    assert_eq!(scim.post("/scim/v2/Users", taken).await.status, StatusCode::CONFLICT);

    // Graph's userPrincipalName matches a username too: Kofi is updated, not created twice.
    let graph = json!({"value": [{"id": "g-1", "displayName": "Kofi Mensah", "userPrincipalName": "kofi.m@corp.example",
        "mail": "kofi.mensah@example.com", "accountEnabled": true, "department": "Engineering", "assignedLicenses": []}]});
    let r = admin.post_raw("/api/v1/imports/graph-users", "application/json", graph.to_string().into_bytes()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["creates"], 0, "{}", r.body);

    // A policy that exempts VIPs leaves Maya's seat alone; one that does not selects it.
    let figma = app.pool_id("FigJam").await;
    for username in ["mlindqvist", "tek"] {
        let id = app.id_of_owned(format!("SELECT id FROM people WHERE username = '{username}'")).await;
        let r = admin.post(&format!("/api/v1/pools/{figma}/assignments"), json!({"person_id": id})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let usage =
        format!("email,pool,last_used_at\nmaya.lindqvist@example.com,{figma},\ntek@username.invalid,{figma},\n");
    let r = admin.post_raw("/api/v1/imports/usage?source=figma-audit", "text/csv", usage.into_bytes()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(admin.post(&format!("/api/v1/imports/{id}/apply"), json!({})).await.status, StatusCode::OK);
    let policy = |exempt: bool| {
        json!({"name": format!("Never used, VIPs exempt: {exempt}"), "pool_id": figma,
        "action": "reclaim", "conditions": {"never_used": true, "exempt_vips": exempt}})
    };
    for (exempt, want) in [(true, vec!["Tobias Ek"]), (false, vec!["Maya Lindqvist", "Tobias Ek"])] {
        let created = admin.post("/api/v1/reclamation/policies", policy(exempt)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        assert_eq!(created.body["conditions"]["exempt_vips"], exempt);
        let dry = admin.get(&format!("/api/v1/reclamation/policies/{}/dry-run", created.body["id"])).await;
        let mut names: Vec<&str> = dry.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| ["Maya Lindqvist", "Tobias Ek"].contains(&i["person_name"].as_str().unwrap_or("")))
            .map(|i| i["person_name"].as_str().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, want, "exempt_vips {exempt}: {}", dry.body);
    }
}
