//! Reclamation over a fixed population on an injected clock: the two customer policies select exactly the seats
//! they should ("no data" is never "never used", new hires keep their grace), the dry run's saving is the sum of
//! those seats, a run reclaims or sends its batch for approval, holds defer an offboarding, a restore gives the
//! seat back, and the savings log and its exports add up.

use chrono::{Duration, NaiveDate};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{pool_body, spawn, test_now, Client, TestApp};
use seatwise_server::clock::Clock;

pub(crate) struct Population {
    /// People 1..=6 by their number.
    pub people: Vec<i64>,
    pub e3: i64,
    pub exchange: i64,
    pub citrix: i64,
}

fn day(days_ago: i64) -> String {
    (test_now() - Duration::days(days_ago)).date_naive().to_string()
}

async fn pool(admin: &Client, app: &TestApp, name: &str, unit_minor: i64) -> i64 {
    let mut body = pool_body(app, name, "Engineering").await;
    body["unit_cost"] = json!({"amount_minor": unit_minor, "currency": "USD"});
    body["seats_purchased"] = json!(20);
    let r = admin.post("/api/v1/pools", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_i64().unwrap()
}

/// Six people, each holding a seat of E3 and of Citrix since 200 days ago:
/// 1 used 10 days ago, 2 61 days ago, 3 95 days ago, 4 never (started 400 days ago), 5 never (started 20 days
/// ago), 6 no data at all. Usage read yesterday.
pub(crate) async fn population(app: &TestApp) -> Population {
    let admin = app.admin().await;
    app.clock.set(test_now() - Duration::days(200));
    let mut hr = String::from("employee_id,first_name,last_name,email,department,status,start_date\n");
    for (n, started) in [(1, 900), (2, 900), (3, 900), (4, 400), (5, 20), (6, 900)] {
        hr.push_str(&format!("R{n},Rec,Number{n},rec{n}@example.com,Engineering,active,{}\n", day(started)));
    }
    let r = admin.post_raw("/api/v1/imports/hr?full=false", "text/csv", hr.into_bytes()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    let r = admin.post(&format!("/api/v1/imports/{id}/apply"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut people = Vec::new();
    for n in 1..=6 {
        people.push(app.id_of_owned(format!("SELECT id FROM people WHERE email = 'rec{n}@example.com'")).await);
    }
    let e3 = pool(&admin, app, "Microsoft 365 E3 (rec)", 3_600).await;
    let exchange = pool(&admin, app, "Exchange Online Plan 1 (rec)", 400).await;
    let citrix = pool(&admin, app, "Citrix Workspace (rec)", 1_600).await;
    for p in &people {
        for pool in [e3, citrix] {
            let r = admin.post(&format!("/api/v1/pools/{pool}/assignments"), json!({"person_id": p})).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
    }
    app.clock.set(test_now());
    let last = |n: usize| match n {
        1 => day(10),
        2 => day(61),
        3 => day(95),
        _ => String::new(),
    };
    let mut usage = String::from("email,pool,last_used_at\n");
    for n in 1..=5 {
        for pool in [e3, citrix] {
            usage.push_str(&format!("rec{n}@example.com,{pool},{}\n", last(n)));
        }
    }
    let read_at = (test_now() - Duration::days(1)).to_rfc3339();
    let path = format!("/api/v1/imports/usage?source=signin-log&read_at={}", urlencode(&read_at));
    let r = admin.post_raw(&path, "text/csv", usage.into_bytes()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["usage_signals"], 10, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    let r = admin.post(&format!("/api/v1/imports/{id}/apply"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    Population { people, e3, exchange, citrix }
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

pub(crate) fn e3_policy(p: &Population, needs_approval: bool) -> Value {
    json!({"name": "E3 to Exchange Online after 60 days or never", "pool_id": p.e3, "action": "downgrade",
        "target_pool_id": p.exchange, "needs_approval": needs_approval,
        "conditions": {"inactive_days": 60, "never_used": true, "grace_days": 0}})
}

pub(crate) fn citrix_policy(p: &Population) -> Value {
    json!({"name": "Citrix after 90 days, new accounts keep it 90 days", "pool_id": p.citrix, "action": "reclaim",
        "conditions": {"inactive_days": 90, "never_used": true, "grace_days": 90}})
}

pub(crate) async fn created(admin: &Client, body: Value) -> i64 {
    let r = admin.post("/api/v1/reclamation/policies", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["version"], 1);
    r.body["id"].as_i64().unwrap()
}

/// The people a dry run selects, by their number in the population.
fn selected(p: &Population, dry: &Value) -> Vec<usize> {
    let mut out: Vec<usize> = dry["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| p.people.iter().position(|id| Some(*id) == i["person_id"].as_i64()).map(|n| n + 1))
        .collect();
    out.sort_unstable();
    out
}

#[tokio::test]
async fn the_two_customer_policies_select_exactly_their_seats_and_the_saving_is_their_sum() {
    let app = spawn().await;
    let p = population(&app).await;
    let admin = app.admin().await;
    let ledger_before = app.ledger_len().await;
    let e3 = created(&admin, e3_policy(&p, false)).await;
    let citrix = created(&admin, citrix_policy(&p)).await;

    let dry = admin.get(&format!("/api/v1/reclamation/policies/{e3}/dry-run")).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!(selected(&p, &dry.body), [2, 3, 4, 5], "60 days or never; no data (6) is not never");
    assert_eq!(dry.body["total"], 4);
    assert_eq!(dry.body["without_data"], 1);
    // Each downgrade saves (36.00 - 4.00) a month: 32.00 a month, 384.00 a year, four seats.
    assert_eq!(dry.body["saving"]["monthly"], json!([{"amount_minor": 12_800, "currency": "USD"}]));
    assert_eq!(dry.body["saving"]["annual"], json!([{"amount_minor": 153_600, "currency": "USD"}]));
    let sum: i64 = dry.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["annual_saving"]["amount_minor"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 153_600);
    let two = dry.body["items"].as_array().unwrap().iter().find(|i| i["person_id"] == p.people[1]).unwrap();
    assert_eq!(
        two["reason"],
        json!({"kind": "inactive", "last_used_at": format!("{}T00:00:00Z", day(61)), "days": 61, "threshold_days": 60})
    );
    assert_eq!((two["data_source"].as_str(), two["stale"].as_bool()), (Some("signin-log"), Some(false)));
    assert!(two["data_read_at"].as_str().is_some());

    let dry = admin.get(&format!("/api/v1/reclamation/policies/{citrix}/dry-run")).await;
    assert_eq!(selected(&p, &dry.body), [3, 4], "the new hire (5) keeps Citrix for 90 days");
    let four = dry.body["items"].as_array().unwrap().iter().find(|i| i["person_id"] == p.people[3]).unwrap();
    assert_eq!(four["reason"], json!({"kind": "never_used", "account_age_days": 400, "grace_days": 90}));
    assert_eq!(dry.body["saving"]["annual"], json!([{"amount_minor": 38_400, "currency": "USD"}]));
    assert_eq!(app.ledger_len().await, ledger_before + 2, "a dry run writes nothing");

    // Seventy days on, the new hire's grace has ended and the usage is stale: reported, not acted on.
    app.clock.set(test_now() + Duration::days(70));
    let later = app.admin().await;
    let dry = later.get(&format!("/api/v1/reclamation/policies/{citrix}/dry-run")).await;
    assert_eq!(selected(&p, &dry.body), [2, 3, 4, 5]);
    assert_eq!(dry.body["stale"], 4);
    assert_eq!(dry.body["saving"]["annual"], json!([]), "stale findings save nothing");
    app.clock.set(test_now());

    // A change is a new version; the old one stays readable.
    let mut changed = citrix_policy(&p);
    changed["conditions"]["inactive_days"] = json!(30);
    let r = admin.put(&format!("/api/v1/reclamation/policies/{citrix}"), changed).await;
    assert_eq!((r.status, r.body["version"].as_i64()), (StatusCode::OK, Some(2)), "{}", r.body);
    let versions = admin.get(&format!("/api/v1/reclamation/policies/{citrix}/versions")).await;
    assert_eq!(versions.body[1]["definition"]["conditions"]["inactive_days"], 90);
    let dry = admin.get(&format!("/api/v1/reclamation/policies/{citrix}/dry-run")).await;
    assert_eq!((selected(&p, &dry.body), dry.body["policy_version"].as_i64()), (vec![2, 3, 4], Some(2)));
}

#[tokio::test]
async fn bad_policies_are_refused_field_by_field() {
    let app = spawn().await;
    let p = population(&app).await;
    let admin = app.admin().await;
    let mut no_target = e3_policy(&p, false);
    no_target["target_pool_id"] = Value::Null;
    let r = admin.post("/api/v1/reclamation/policies", no_target).await;
    assert_eq!((r.status, r.field_paths()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["target_pool_id".to_string()]));
    let mut unknown = citrix_policy(&p);
    unknown["pool_id"] = json!(999_999);
    unknown["conditions"]["exempt_person_ids"] = json!([999_998]);
    let r = admin.post("/api/v1/reclamation/policies", unknown).await;
    assert_eq!(r.field_paths(), ["pool_id", "conditions.exempt_person_ids"]);
    let mut nothing = citrix_policy(&p);
    nothing["conditions"] = json!({});
    assert_eq!(admin.post("/api/v1/reclamation/policies", nothing).await.field_paths(), ["conditions"]);
    // A license owner may not write a policy for a whole product (it spans departments).
    let product = app.id_of("SELECT id FROM products WHERE name = 'Jira'").await;
    let mut product_wide = citrix_policy(&p);
    product_wide["pool_id"] = Value::Null;
    product_wide["product_id"] = json!(product);
    assert_eq!(
        app.owner().await.post("/api/v1/reclamation/policies", product_wide).await.status,
        StatusCode::FORBIDDEN
    );
}

async fn seat_of(app: &TestApp, pool: i64, person: i64) -> Option<(String, Option<String>)> {
    sqlx::query_as("SELECT assigned_at, assigned_by FROM seat_assignments WHERE pool_id = $1 AND person_id = $2")
        .bind(pool)
        .bind(person)
        .fetch_optional(&app.db.read)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_run_reclaims_logs_the_saving_and_a_restore_gives_the_seat_back() {
    let app = spawn().await;
    let p = population(&app).await;
    let admin = app.admin().await;
    let citrix = created(&admin, citrix_policy(&p)).await;
    let four_before = seat_of(&app, p.citrix, p.people[3]).await.expect("seat");

    let run = admin.post(&format!("/api/v1/reclamation/policies/{citrix}/run"), json!({})).await;
    assert_eq!(run.status, StatusCode::OK, "{}", run.body);
    assert_eq!((run.body["opened"].as_i64(), run.body["reclaimed"].as_i64()), (Some(2), Some(2)), "{}", run.body);
    assert_eq!(seat_of(&app, p.citrix, p.people[2]).await, None);
    assert_eq!(seat_of(&app, p.citrix, p.people[3]).await, None);
    // Running again opens nothing: the seats are gone and their cases closed.
    let again = admin.post(&format!("/api/v1/reclamation/policies/{citrix}/run"), json!({})).await;
    assert_eq!(again.body["opened"], 0, "{}", again.body);

    let cases = admin.get(&format!("/api/v1/reclamation/cases?policy_id={citrix}")).await;
    assert_eq!(cases.body["total"], 2, "{}", cases.body);
    let case = cases.body["items"].as_array().unwrap().iter().find(|c| c["person_id"] == p.people[3]).unwrap().clone();
    assert_eq!((case["state"].as_str(), case["policy_version"].as_i64()), (Some("reclaimed"), Some(1)));
    assert!(case["restorable_until"].as_str().is_some());

    let log = admin.get("/api/v1/savings").await;
    assert_eq!(log.body["total"], 2, "{}", log.body);
    assert_eq!(log.body["totals"]["annual"], json!([{"amount_minor": 38_400, "currency": "USD"}]));
    assert_eq!(log.body["items"][0]["price_source"], "Citrix Workspace (rec): unit cost 16.00 USD per month");
    assert_eq!(log.body["months"][0]["month"], test_now().format("%Y-%m").to_string());

    let id = case["id"].as_i64().unwrap();
    let restored = admin.post(&format!("/api/v1/reclamation/cases/{id}/restore"), json!({})).await;
    assert_eq!(
        (restored.status, restored.body["state"].as_str()),
        (StatusCode::OK, Some("restored")),
        "{}",
        restored.body
    );
    assert_eq!(seat_of(&app, p.citrix, p.people[3]).await, Some(four_before), "given back as it was");
    let twice = admin.post(&format!("/api/v1/reclamation/cases/{id}/restore"), json!({})).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let log = admin.get("/api/v1/savings").await;
    assert_eq!(log.body["totals"]["annual"], json!([{"amount_minor": 19_200, "currency": "USD"}]), "reversed");

    // The export adds up to the page to the cent: the restored seat's row is followed by its reversal.
    let csv = admin.get("/api/v1/savings/export.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.body.as_str().unwrap();
    assert!(text.starts_with("\u{feff}removed_on,person,pool,person_department,pool_cost_centre,kind,"), "{text}");
    let annual_cents: i64 = text
        .lines()
        .skip(1)
        .map(|l| {
            let cell = l.split(',').nth(8).unwrap();
            let (whole, cents) = cell.split_once('.').unwrap();
            let sign = if whole.starts_with('-') { -1 } else { 1 };
            sign * (whole.trim_start_matches('-').parse::<i64>().unwrap() * 100 + cents.parse::<i64>().unwrap())
        })
        .sum();
    assert_eq!(annual_cents, 19_200, "{text}");
    assert_eq!(text.lines().filter(|l| l.contains(",restored,")).count(), 1, "{text}");
    // The page's filters: a month, a policy (and the same for the list).
    let month = test_now().format("%Y-%m").to_string();
    let filtered = admin.get(&format!("/api/v1/savings/export.csv?month={month}&policy_id={citrix}")).await;
    assert_eq!(filtered.body.as_str().unwrap().lines().count(), 1 + 3);
    let none = admin.get(&format!("/api/v1/savings?policy_id={}", citrix + 1000)).await;
    assert_eq!(none.body["total"], 0, "{}", none.body);
    let bad = admin.get("/api/v1/savings?month=2026-13").await;
    assert_eq!((bad.status, bad.field_paths()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["month".to_string()]));
    let xlsx = admin.send(reqwest::Method::GET, "/api/v1/savings/export.xlsx", None).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    // Past the window a restore is refused.
    let other = cases.body["items"].as_array().unwrap().iter().find(|c| c["person_id"] == p.people[2]).unwrap();
    app.clock.set(test_now() + Duration::days(31));
    let late = app.admin().await.post(&format!("/api/v1/reclamation/cases/{}/restore", other["id"]), json!({})).await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    assert!(app.clock.now() > test_now());
}

#[tokio::test]
async fn a_downgrade_needing_approval_goes_to_the_queue_and_closes_when_applied() {
    let app = spawn().await;
    let p = population(&app).await;
    let admin = app.admin().await;
    let e3 = created(&admin, e3_policy(&p, true)).await;
    let run = admin.post(&format!("/api/v1/reclamation/policies/{e3}/run"), json!({})).await;
    assert_eq!(run.status, StatusCode::OK, "{}", run.body);
    assert_eq!(run.body["awaiting_approval"], 4, "{}", run.body);
    let cr = run.body["change_request_id"].as_i64().unwrap();
    let request = admin.get(&format!("/api/v1/change-requests/{cr}")).await;
    assert_eq!(request.body["status"], "submitted", "{}", request.body);
    assert_eq!(request.body["operations"].as_array().unwrap().len(), 4);
    assert!(seat_of(&app, p.e3, p.people[1]).await.is_some(), "nothing moves before approval");

    let approver = app.approver().await;
    let r = approver.post(&format!("/api/v1/change-requests/{cr}/approve"), json!({"comment": "ok"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = approver.post(&format!("/api/v1/change-requests/{cr}/apply"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(seat_of(&app, p.e3, p.people[1]).await, None);
    assert!(seat_of(&app, p.exchange, p.people[1]).await.is_some(), "moved to the cheaper pool");
    let cases = admin.get(&format!("/api/v1/reclamation/cases?policy_id={e3}&state=downgraded")).await;
    assert_eq!(cases.body["total"], 4, "{}", cases.body);
    let log = admin.get("/api/v1/savings").await;
    assert_eq!(log.body["totals"]["annual"], json!([{"amount_minor": 153_600, "currency": "USD"}]));
}

#[tokio::test]
async fn a_legal_hold_keeps_a_leavers_seats_until_it_ends_and_time_to_revoke_shows_it() {
    let app = spawn().await;
    let p = population(&app).await;
    let admin = app.admin().await;
    let (held, free) = (p.people[0], p.people[1]);
    let hold = admin
        .post(
            "/api/v1/reclamation/holds",
            json!({"kind": "legal", "person_id": held, "reason": "Litigation LT-7",
            "ends_on": (test_now() + Duration::days(10)).date_naive()}),
        )
        .await;
    assert_eq!(hold.status, StatusCode::CREATED, "{}", hold.body);
    assert_eq!(hold.body["active"], true);
    assert_eq!(
        app.owner()
            .await
            .post(
                "/api/v1/reclamation/holds",
                json!({"kind": "legal", "person_id": free,
        "reason": "x"})
            )
            .await
            .status,
        StatusCode::FORBIDDEN,
        "legal holds are admins'"
    );

    for person in [held, free] {
        let r = admin.put(&format!("/api/v1/people/{person}/status"), json!({"status": "terminated"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    assert_eq!(seat_of(&app, p.e3, free).await, None, "reclaimed at once");
    assert!(seat_of(&app, p.e3, held).await.is_some(), "held");
    let waiting = admin.get(&format!("/api/v1/reclamation/cases?person_id={held}")).await;
    assert_eq!(waiting.body["total"], 2);
    assert_eq!(waiting.body["items"][0]["state"], "awaiting_revocation");
    assert!(waiting.body["items"][0]["hold_reason"].as_str().unwrap().contains("Litigation LT-7"));
    // Others in scope see that it waits and until when, not that a legal hold exists or why (issue 27, point 4).
    let until = (test_now() + Duration::days(10)).date_naive();
    for reader in [app.finance().await, app.approver().await] {
        let seen = reader.get(&format!("/api/v1/reclamation/cases?person_id={held}")).await;
        assert_eq!(seen.body["total"], 2, "{}", seen.body);
        let text = seen.body.to_string();
        assert!(!text.contains("Litigation") && !text.contains("legal"), "{text}");
        assert_eq!(seen.body["items"][0]["hold_reason"], format!("On hold until {until}"), "{text}");
        let id = seen.body["items"][0]["id"].as_i64().unwrap();
        let one = reader.get(&format!("/api/v1/reclamation/cases/{id}")).await;
        assert_eq!(one.body["hold_reason"], format!("On hold until {until}"), "{}", one.body);
        let holds = reader.get("/api/v1/reclamation/holds").await;
        assert!(!holds.body.to_string().contains("Litigation"), "{}", holds.body);
    }

    // The hold ends: the daily run revokes what it held, ten days after the termination.
    app.set_day((test_now() + Duration::days(11)).date_naive());
    app.tick().await;
    let admin = app.admin().await;
    assert_eq!(seat_of(&app, p.e3, held).await, None);
    let done = admin.get(&format!("/api/v1/reclamation/cases?person_id={held}")).await;
    assert_eq!(done.body["items"][0]["state"], "reclaimed", "{}", done.body);
    let ms = done.body["items"][0]["revoke_ms"].as_i64().unwrap();
    assert!(ms >= Duration::days(10).num_milliseconds(), "{ms}");
    let stats = admin.get("/api/v1/reclamation/time-to-revoke").await;
    assert_eq!(stats.status, StatusCode::OK, "{}", stats.body);
    let month = &stats.body["months"].as_array().unwrap().last().unwrap().clone();
    assert!(month["p95_ms"].as_i64().unwrap() >= ms, "{}", stats.body);
    let _: NaiveDate = test_now().date_naive();
}

#[tokio::test]
async fn a_leaver_s_seat_is_reclaimed_even_while_a_policy_case_waits_and_a_kept_seat_is_left_alone() {
    let app = spawn().await;
    let p = population(&app).await;
    let admin = app.admin().await;
    let e3 = created(&admin, e3_policy(&p, true)).await;
    let run = admin.post(&format!("/api/v1/reclamation/policies/{e3}/run"), json!({})).await;
    assert_eq!(run.body["awaiting_approval"], 4, "{}", run.body);
    let cr = run.body["change_request_id"].as_i64().unwrap();

    // Person 2 leaves while their E3 seat waits in the queue: offboarding takes it over.
    let two = p.people[1];
    let r = admin.put(&format!("/api/v1/people/{two}/status"), json!({"status": "terminated"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(seat_of(&app, p.e3, two).await, None);
    let cases = admin.get(&format!("/api/v1/reclamation/cases?person_id={two}&pool_id={}", p.e3)).await;
    let states: Vec<&str> =
        cases.body["items"].as_array().unwrap().iter().filter_map(|c| c["state"].as_str()).collect();
    assert_eq!(states, ["reclaimed", "cancelled"], "{}", cases.body);

    // The approver rejects the rest: the seats stay, their cases are kept, and the next run leaves them alone.
    let r = app.approver().await.post(&format!("/api/v1/change-requests/{cr}/reject"), json!({"comment": "no"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let kept = admin.get(&format!("/api/v1/reclamation/cases?policy_id={e3}&state=kept")).await;
    assert_eq!(kept.body["total"], 3, "{}", kept.body);
    let again = admin.post(&format!("/api/v1/reclamation/policies/{e3}/run"), json!({})).await;
    assert_eq!(
        (again.body["opened"].as_i64(), again.body["change_request_id"].as_i64()),
        (Some(0), None),
        "{}",
        again.body
    );
}

#[tokio::test]
async fn the_author_of_a_policy_cannot_approve_the_batch_another_admin_s_run_sent() {
    let app = spawn().await;
    let p = population(&app).await;
    let author = app.admin().await;
    let e3 = created(&author, e3_policy(&p, true)).await;
    let r = author
        .post(
            "/api/v1/users",
            json!({"email": "second.admin@example.com", "name": "Second Admin",
            "password": crate::common::PASSWORD, "roles": ["admin"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let runner = app.login("second.admin@example.com").await;
    let run = runner.post(&format!("/api/v1/reclamation/policies/{e3}/run"), json!({})).await;
    assert_eq!(run.status, StatusCode::OK, "{}", run.body);
    let cr = run.body["change_request_id"].as_i64().unwrap();
    let path = format!("/api/v1/change-requests/{cr}");

    // Neither the policy's author nor the admin who ran it signs the batch off.
    assert_eq!(author.get(&path).await.body["actions"]["decide"], false);
    let r = author.post(&format!("{path}/approve"), json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.to_string().contains("You wrote the reclamation policy"), "{}", r.body);
    assert_eq!(runner.post(&format!("{path}/approve"), json!({})).await.status, StatusCode::FORBIDDEN);
    assert_eq!(author.post(&format!("{path}/reject"), json!({"comment": "mine"})).await.status, StatusCode::FORBIDDEN);
    let r = app.approver().await.post(&format!("{path}/approve"), json!({})).await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::OK, Some("approved")), "{}", r.body);
}
