//! Consent campaigns and access reviews with a real SMTP sink and an injected clock: one holder releases, one
//! keeps (confirmed by their manager), one stays silent and is reclaimed at the deadline; a scanner's GET changes
//! nothing; replayed, tampered, forged, expired and misdirected links are refused; the starter's scope holds; a
//! seat is never in two open cases; a manager's access review exports its record.

use chrono::Duration;
use regex::Regex;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{pool_body, spawn_opts, test_now, Client, Options, TestApp};

struct Team {
    /// Ana, Ben and Cal (reports of Mia), by name.
    ana: i64,
    ben: i64,
    cal: i64,
    /// Their seats of an Engineering pool, in that order.
    seats: [i64; 3],
    pool: i64,
    /// A seat in a Sales pool, outside the demo owner's departments.
    sales_seat: i64,
}

async fn team(app: &TestApp) -> Team {
    let admin = app.admin().await;
    let mut hr = String::from("employee_id,first_name,last_name,email,department,status,manager_employee_id\n");
    hr.push_str("K0,Mia,Manager,mia.manager@example.com,Engineering,active,\n");
    for (id, first) in [("K1", "Ana"), ("K2", "Ben"), ("K3", "Cal")] {
        hr.push_str(&format!(
            "{id},{first},Report,{}.report@example.com,Engineering,active,K0\n",
            first.to_lowercase()
        ));
    }
    let r = admin.post_raw("/api/v1/imports/hr?full=false", "text/csv", hr.into_bytes()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    let r = admin.post(&format!("/api/v1/imports/{id}/apply"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let person = |n: &str| app.id_of_owned(format!("SELECT id FROM people WHERE email = '{n}.report@example.com'"));
    let (ana, ben, cal) = (person("ana").await, person("ben").await, person("cal").await);
    let r = admin.post("/api/v1/pools", pool_body(app, "Figma (campaign)", "Engineering").await).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let pool = r.body["id"].as_i64().unwrap();
    let mut seats = [0; 3];
    for (i, p) in [ana, ben, cal].into_iter().enumerate() {
        let r = admin.post(&format!("/api/v1/pools/{pool}/assignments"), json!({"person_id": p})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        seats[i] = r.body["id"].as_i64().unwrap();
    }
    let r = admin.post("/api/v1/pools", pool_body(app, "Gong (campaign)", "Sales").await).await;
    let sales = r.body["id"].as_i64().unwrap();
    let r = admin.post(&format!("/api/v1/pools/{sales}/assignments"), json!({"person_id": ana})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    Team { ana, ben, cal, seats, pool, sales_seat: r.body["id"].as_i64().unwrap() }
}

/// Mail to `who` so far, each as (subject, body with quoted-printable soft breaks undone).
fn mail_to(app: &TestApp, who: &str) -> Vec<(String, String)> {
    app.smtp
        .as_ref()
        .unwrap()
        .received()
        .into_iter()
        .filter(|m| m.to.iter().any(|t| t.contains(who)))
        .map(|m| (m.subject(), m.data.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")))
        .collect()
}

/// The response token in the newest mail to `who`.
fn token_for(app: &TestApp, who: &str) -> String {
    let mails = mail_to(app, who);
    let (_, body) = mails.last().unwrap_or_else(|| panic!("no mail to {who}"));
    let re = Regex::new(r"/respond/(swr_[A-Za-z0-9_-]+)\?").unwrap();
    re.captures(body).map(|c| c[1].to_string()).unwrap_or_else(|| panic!("no link in {body}"))
}

async fn case_of(app: &TestApp, campaign: i64, person: i64) -> (i64, String) {
    let row: (i64, String) =
        sqlx::query_as("SELECT id, state FROM reclamation_cases WHERE campaign_id = $1 AND person_id = $2")
            .bind(campaign)
            .bind(person)
            .fetch_one(&app.db.read)
            .await
            .unwrap();
    row
}

fn deadline() -> String {
    (test_now() + Duration::days(14)).date_naive().to_string()
}

async fn counts(owner: &Client, id: i64) -> Value {
    let r = owner.get(&format!("/api/v1/reclamation/campaigns/{id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

#[tokio::test]
async fn holders_release_keep_or_stay_silent_and_every_bad_link_is_refused() {
    let app = spawn_opts(Options { demo: true, smtp: true, ..Default::default() }).await;
    let t = team(&app).await;
    let owner = app.owner().await;
    let body = json!({"name": "Figma seats Q4", "assignment_ids": t.seats, "deadline": deadline(),
        "reminder_days_before": 3, "no_answer": "reclaim", "keep_confirmed_by": "manager"});
    let r = owner.post("/api/v1/reclamation/campaigns", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(r.body["counts"]["asked"], 3, "{}", r.body);
    assert_eq!(r.body["counts"]["waiting"], 3, "{}", r.body);
    assert_eq!(r.body["letters"], 3);

    // One mail each, listing the seat and why; the links open the page, they do not act.
    app.tick().await;
    let (subject, text) = mail_to(&app, "ana.report@").pop().expect("Ana is asked");
    assert_eq!(subject, "Do you still need this license?");
    assert!(text.contains("Figma (campaign)") && text.contains("no sign-in on record"), "{text}");
    let ana = token_for(&app, "ana.report@");
    let (ben, cal) = (token_for(&app, "ben.report@"), token_for(&app, "cal.report@"));

    // A mail scanner opens every link: nothing changes, and the app's page is served for it.
    let anon = app.anonymous();
    let seen = anon.get(&format!("/api/v1/respond/{ana}")).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
    assert_eq!((&seen.body["status"], &seen.body["seats"][0]["open"]), (&json!("open"), &json!(true)));
    let page = reqwest::get(format!("{}/respond/{ana}?choice=release&case=1", app.base)).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(counts(&owner, id).await["counts"]["waiting"], 3);

    // Tampered, forged and misdirected links are refused and change nothing.
    let mut tampered = ana.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let forged = ana.replacen(&format!("swr_{}", ana[4..].split('-').next().unwrap()), "swr_999", 1);
    for bad in [tampered, forged, "swr_1-1-AAAA".to_string(), "nonsense".to_string()] {
        let r = anon.post(&format!("/api/v1/respond/{bad}"), json!({"choice": "release"})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{bad}: {}", r.body);
    }
    let (ben_case, _) = case_of(&app, id, t.ben).await;
    let r = anon.post(&format!("/api/v1/respond/{ana}"), json!({"choice": "release", "case_ids": [ben_case]})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.field_paths(), ["case_ids[0]"]);
    let r = anon.post(&format!("/api/v1/respond/{ana}"), json!({"choice": "maybe"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(counts(&owner, id).await["counts"]["waiting"], 3);

    // Ana releases: the seat is freed at once with its savings entry. A replay is refused.
    let r = anon
        .post(&format!("/api/v1/respond/{ana}"), json!({"choice": "release", "comment": "Switched to Penpot"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["seats"][0]["outcome"], "Given back", "{}", r.body);
    assert_eq!(r.body["status"], "answered");
    let (ana_case, state) = case_of(&app, id, t.ana).await;
    assert_eq!(state, "reclaimed");
    assert_eq!(app.id_of_owned(format!("SELECT COUNT(*) FROM seat_assignments WHERE id = {}", t.seats[0])).await, 0);
    assert_eq!(app.id_of_owned(format!("SELECT COUNT(*) FROM savings WHERE case_id = {ana_case}")).await, 1);
    let again = anon.post(&format!("/api/v1/respond/{ana}"), json!({"choice": "keep"})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body["error"]["message"].as_str().unwrap().contains("answered already"), "{}", again.body);
    assert_eq!(case_of(&app, id, t.ana).await.1, "reclaimed");

    // Ben keeps, with a comment: his manager is asked to confirm, quoting it, and confirms.
    let r = anon
        .post(&format!("/api/v1/respond/{ben}"), json!({"choice": "keep", "comment": "Design reviews weekly"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(case_of(&app, id, t.ben).await.1, "awaiting_approval");
    app.tick().await;
    let (subject, text) = mail_to(&app, "mia.manager@").pop().expect("the manager is asked");
    assert!(subject.starts_with("Please confirm"), "{subject}");
    assert!(text.contains("Design reviews weekly") && text.contains("Ben Report"), "{text}");
    let mia = token_for(&app, "mia.manager@");
    let confirm = anon.get(&format!("/api/v1/respond/{mia}")).await;
    assert_eq!(confirm.body["purpose"], "confirm");
    assert_eq!(confirm.body["seats"][0]["holder_comment"], "Design reviews weekly");
    let r = anon.post(&format!("/api/v1/respond/{mia}"), json!({"choice": "keep"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(case_of(&app, id, t.ben).await.1, "kept");

    // The same seat is never in two open cases; a kept seat cools down.
    for (seat, why) in [(t.seats[2], "already have an open case"), (t.seats[1], "kept within")] {
        let body = json!({"name": "Again", "assignment_ids": [seat], "deadline": deadline()});
        let r = owner.post("/api/v1/reclamation/campaigns", body).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(r.body["error"]["message"].as_str().unwrap().contains(why), "{}", r.body);
    }

    // The reminder goes once, to Cal only (everyone else answered).
    app.clock.set(test_now() + Duration::days(11) + Duration::hours(1));
    app.tick().await;
    app.tick().await;
    let reminders: Vec<String> = app
        .smtp
        .as_ref()
        .unwrap()
        .received()
        .iter()
        .map(|m| m.subject())
        .filter(|s| s.starts_with("Reminder:"))
        .collect();
    assert_eq!(reminders, ["Reminder: Do you still need this license?"]);
    assert_eq!(token_for(&app, "cal.report@"), cal, "the reminder repeats the first link");

    // Cal never answers: at the deadline the seat is reclaimed; the links expire.
    app.clock.set(test_now() + Duration::days(16));
    let report = app.tick().await;
    assert_eq!((report.campaigns.closed, report.campaigns.taken_back), (1, 1), "{report:?}");
    // Two weeks on, sessions have lapsed.
    let owner = app.owner().await;
    assert_eq!(case_of(&app, id, t.cal).await.1, "reclaimed");
    let c = counts(&owner, id).await;
    assert_eq!(
        c["counts"],
        json!({"asked": 3, "kept": 1, "released": 1, "reclaimed": 1, "waiting": 0, "with_owner": 0, "cancelled": 0,
            "answered": 2})
    );
    assert_eq!(c["response_rate_percent"], 67);
    // Two seats at 16.00 a month.
    assert_eq!(c["saving"]["monthly"], json!([{"amount_minor": 3200, "currency": "USD"}]));
    assert_eq!(c["by_department"][0]["department"], "Engineering");
    let late = anon.get(&format!("/api/v1/respond/{cal}")).await;
    assert_eq!(late.body["status"], "expired");
    let r = anon.post(&format!("/api/v1/respond/{cal}"), json!({"choice": "keep"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("expired"), "{}", r.body);

    // A second instance's tick finds nothing left to do; the ledger verifies.
    let other = app.another_instance().await;
    assert_eq!(other.tick().await.campaigns.closed, 0);
    let v = app.admin().await.post("/api/v1/ledger/verify", json!({})).await;
    assert_eq!(v.body["ok"], true, "{}", v.body);
    let _ = t.pool;
}

#[tokio::test]
async fn campaigns_hold_to_the_starters_scope_and_say_which_field_is_wrong() {
    let app = spawn_opts(Options { demo: true, smtp: true, ..Default::default() }).await;
    let t = team(&app).await;
    let owner = app.owner().await;
    let cases_before = app.count("reclamation_cases").await;
    let r = owner
        .post(
            "/api/v1/reclamation/campaigns",
            json!({"name": "Mixed", "assignment_ids": [t.seats[0], t.sales_seat, 99_999_999], "deadline": deadline()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.field_paths(), ["assignment_ids[1]", "assignment_ids[2]"]);
    for (body, path) in [
        (json!({"name": "", "assignment_ids": [t.seats[0]], "deadline": deadline()}), "name"),
        (
            json!({"name": "x", "assignment_ids": [t.seats[0]], "deadline": test_now().date_naive().to_string()}),
            "deadline",
        ),
        (json!({"name": "x", "deadline": deadline()}), "policy_id"),
        (
            json!({"name": "x", "assignment_ids": [t.seats[0]], "deadline": deadline(), "ask": "manager", "keep_confirmed_by": "owner"}),
            "keep_confirmed_by",
        ),
    ] {
        let r = owner.post("/api/v1/reclamation/campaigns", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.body);
        assert_eq!(r.field_paths(), [path], "{}", r.body);
    }
    let r = owner
        .post(
            "/api/v1/reclamation/campaigns",
            json!({"name": "x", "pool_id": t.pool, "person_ids": [t.ana, t.sales_seat], "deadline": deadline()}),
        )
        .await;
    assert_eq!(r.field_paths(), ["person_ids[1]"], "{}", r.body);
    assert_eq!(app.count("reclamation_cases").await, cases_before);
    assert_eq!(app.count("reclamation_campaigns").await, 0);
    // A pool page's selection: the chosen people's seats of the pool.
    let r = owner
        .post(
            "/api/v1/reclamation/campaigns",
            json!({"name": "Chosen", "pool_id": t.pool, "person_ids": [t.ben, t.cal], "deadline": deadline()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["counts"]["asked"], 2);
    assert_eq!(owner.get("/api/v1/reclamation/campaigns").await.body["total"], 1);
    let employee = app.login("liam.okafor1@example.com").await;
    let r = employee
        .post(
            "/api/v1/reclamation/campaigns",
            json!({"name": "x", "assignment_ids": [t.seats[0]], "deadline": deadline()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // An admin's campaign over a Sales seat is not the Engineering owner's to read.
    let admin = app.admin().await;
    let r = admin
        .post(
            "/api/v1/reclamation/campaigns",
            json!({"name": "Sales", "assignment_ids": [t.sales_seat], "deadline": deadline()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(owner.get(&format!("/api/v1/reclamation/campaigns/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        owner.get(&format!("/api/v1/reclamation/campaigns/{id}/record.csv")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(owner.get("/api/v1/reclamation/campaigns").await.body["total"], 1, "only its own pool's campaign");
    assert_eq!(admin.get("/api/v1/reclamation/campaigns").await.body["total"], 2);

    // A review asking the pool's owner (a person of the directory) writes to them.
    let mia = app.id_of_owned("SELECT id FROM people WHERE email = 'mia.manager@example.com'".to_string()).await;
    let mut body = pool_body(&app, "Miro (owned by Mia)", "Engineering").await;
    body["owner_id"] = json!(mia);
    let r = admin.post("/api/v1/pools", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let owned = r.body["id"].as_i64().unwrap();
    let r = admin.post(&format!("/api/v1/pools/{owned}/assignments"), json!({"person_id": t.ana})).await;
    let seat = r.body["id"].as_i64().unwrap();
    let r = admin
        .post(
            "/api/v1/reclamation/campaigns",
            json!({"name": "Miro review", "assignment_ids": [seat], "deadline": deadline(), "ask": "owner"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!((&r.body["letters"], &r.body["counts"]["waiting"]), (&json!(1), &json!(1)), "{}", r.body);
    app.tick().await;
    let (subject, text) = mail_to(&app, "mia.manager@").pop().expect("the pool's owner is asked");
    assert_eq!(subject, "Access review: Miro review");
    assert!(text.contains("Ana Report: Miro (owned by Mia)"), "{text}");
}

#[tokio::test]
async fn a_managers_access_review_decides_each_report_and_exports_its_record() {
    let app = spawn_opts(Options { demo: true, smtp: true, ..Default::default() }).await;
    let t = team(&app).await;
    let admin = app.admin().await;
    let body = json!({"name": "Figma access review", "assignment_ids": t.seats, "deadline": deadline(),
        "ask": "manager", "no_answer": "owner_decides", "reminder_days_before": 0});
    let r = admin.post("/api/v1/reclamation/campaigns", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(r.body["letters"], 1, "one letter to the manager for all three: {}", r.body);
    app.tick().await;
    let (subject, text) = mail_to(&app, "mia.manager@").pop().expect("the manager is asked");
    assert_eq!(subject, "Access review: Figma access review");
    assert!(text.contains("Ana Report") && text.contains("Ben Report") && text.contains("Cal Report"), "{text}");
    assert!(mail_to(&app, "ana.report@").is_empty(), "the holders are not asked in a review");
    let mia = token_for(&app, "mia.manager@");
    let anon = app.anonymous();
    let (ana_case, _) = case_of(&app, id, t.ana).await;
    let (ben_case, _) = case_of(&app, id, t.ben).await;
    let r = anon.post(&format!("/api/v1/respond/{mia}"), json!({"choice": "keep", "case_ids": [ana_case]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = anon
        .post(
            &format!("/api/v1/respond/{mia}"),
            json!({"choice": "release", "case_ids": [ben_case], "comment": "Moved to Sales"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "open", "Cal still waits: {}", r.body);
    assert_eq!(
        (case_of(&app, id, t.ana).await.1, case_of(&app, id, t.ben).await.1),
        ("kept".into(), "reclaimed".into())
    );

    // Nobody answers for Cal: the owner decides, in the console.
    app.clock.set(test_now() + Duration::days(16));
    assert_eq!(app.tick().await.campaigns.to_owner, 1);
    let (cal_case, state) = case_of(&app, id, t.cal).await;
    assert_eq!(state, "awaiting_approval");
    // The pool's owner is told, with the seat and why it waits for them.
    app.tick().await;
    let (subject, text) = mail_to(&app, "owner@example.com").pop().expect("the owner hears of it");
    assert_eq!(subject, "Your decision: Figma access review");
    assert!(text.contains("Cal Report: Figma (campaign) (no answer by the deadline)"), "{text}");
    assert!(text.contains(&format!("/reclamation/cases?campaign_id={id}&state=awaiting_approval")), "{text}");
    let owner = app.owner().await;
    assert_eq!(counts(&owner, id).await["counts"]["with_owner"], 1);
    let r = owner.post(&format!("/api/v1/reclamation/cases/{ana_case}/decide"), json!({"decision": "reclaim"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a closed case is not decided again: {}", r.body);
    let r = owner
        .post(
            &format!("/api/v1/reclamation/cases/{cal_case}/decide"),
            json!({"decision": "keep", "note": "Contractor"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["state"], "kept");

    // The auditor's record: who was asked, who answered what and when, how each ended.
    let r = owner.get(&format!("/api/v1/reclamation/campaigns/{id}/record.csv")).await;
    assert_eq!(r.status, StatusCode::OK);
    let csv = r.body.as_str().unwrap().trim_start_matches('\u{feff}').to_string();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(
        lines[0].starts_with("case_id,license,holder,holder_email,why,asked,asked_email,asked_at,answer,answered_by")
    );
    assert!(
        lines[1].contains("Ana Report")
            && lines[1].contains("Mia Manager")
            && lines[1].contains(",keep,mia.manager@example.com,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains(",release,") && lines[2].contains("Moved to Sales") && lines[2].contains("reclaimed"),
        "{}",
        lines[2]
    );
    assert!(lines[3].contains(",kept,") && lines[3].contains("owner@example.com"), "{}", lines[3]);
}

async fn usage(app: &TestApp, pool: i64, rows: &[(&str, chrono::DateTime<chrono::Utc>)]) {
    let admin = app.admin().await;
    let mut csv = String::from("email,pool,last_used_at\n");
    for (who, at) in rows {
        csv.push_str(&format!("{who}.report@example.com,{pool},{}\n", at.to_rfc3339()));
    }
    let now = seatwise_server::clock::Clock::now(&*app.clock);
    let read_at = now.to_rfc3339().replace('+', "%2B").replace(':', "%3A");
    let r = admin
        .post_raw(&format!("/api/v1/imports/usage?source=signin-log&read_at={read_at}"), "text/csv", csv.into_bytes())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    let r = admin.post(&format!("/api/v1/imports/{id}/apply"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn a_policys_campaign_asks_only_idle_holders_lets_go_of_seats_used_again_and_takes_one_answer_at_a_time() {
    let app = spawn_opts(Options { demo: true, smtp: true, ..Default::default() }).await;
    // The seats were given 200 days ago (a seat given last week is not idle, whatever its holder's last sign-in).
    app.clock.set(test_now() - Duration::days(200));
    let t = team(&app).await;
    app.clock.set(test_now());
    let now = test_now();
    usage(
        &app,
        t.pool,
        &[("ana", now - Duration::days(100)), ("ben", now - Duration::days(120)), ("cal", now - Duration::days(5))],
    )
    .await;
    let owner = app.owner().await;
    let r = owner
        .post(
            "/api/v1/reclamation/policies",
            json!({"name": "Figma after 90 days", "pool_id": t.pool, "action": "reclaim",
                "conditions": {"inactive_days": 90, "never_used": true, "grace_days": 0}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let policy = r.body["id"].as_i64().unwrap();
    let r = owner
        .post(
            "/api/v1/reclamation/campaigns",
            json!({"name": "Figma idle", "policy_id": policy, "deadline": deadline()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(
        (r.body["counts"]["asked"].as_i64(), r.body["policy_id"].as_i64()),
        (Some(2), Some(policy)),
        "{}",
        r.body
    );
    app.tick().await;
    let (_, text) = mail_to(&app, "ana.report@").pop().expect("Ana is asked");
    assert!(text.contains("No sign-in for 100 days"), "the mail says why: {text}");
    assert!(mail_to(&app, "cal.report@").is_empty(), "Cal uses the seat and is not asked");

    // Ben signs in again before the deadline: his case is let go.
    app.clock.advance(Duration::hours(2));
    usage(&app, t.pool, &[("ben", test_now() + Duration::hours(1))]).await;
    let report = app.tick().await;
    assert_eq!(report.campaigns.used_again, 1, "{report:?}");
    assert_eq!(case_of(&app, id, t.ben).await.1, "cancelled");
    assert_eq!(counts(&owner, id).await["counts"]["cancelled"], 1);

    // Two answers at once for the same seat (a double click, two tabs): one is taken, the other refused.
    let ana = token_for(&app, "ana.report@");
    let anon = app.anonymous();
    let path = format!("/api/v1/respond/{ana}");
    let (a, b) =
        tokio::join!(anon.post(&path, json!({"choice": "release"})), anon.post(&path, json!({"choice": "keep"})));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{} / {}", a.body, b.body);
    let (ana_case, state) = case_of(&app, id, t.ana).await;
    assert!(state == "reclaimed" || state == "kept", "{state}");
    let saved = app.id_of_owned(format!("SELECT COUNT(*) FROM savings WHERE case_id = {ana_case}")).await;
    assert_eq!(saved, i64::from(state == "reclaimed"));
    let r = app.admin().await.post("/api/v1/ledger/verify", json!({})).await;
    assert_eq!(r.body["ok"], true, "{}", r.body);
}
