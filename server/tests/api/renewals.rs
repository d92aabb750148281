//! Renewals: contracts, the daily alert job walked across a year (restarts, downtime, two instances), the inbox
//! and decisions, e-mail at a real SMTP sink, the calendar and its iCalendar feed.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{spawn, spawn_opts, test_now, Client, Options, TestApp};

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

async fn engineering_pools(app: &TestApp) -> Vec<i64> {
    sqlx::query_scalar(
        "SELECT p.id FROM pools p JOIN departments d ON d.id = p.department_id WHERE d.name = 'Engineering' \
         ORDER BY p.id LIMIT 4",
    )
    .fetch_all(&app.db.read)
    .await
    .expect("pools")
}

#[allow(clippy::too_many_arguments)]
fn contract(
    vendor: i64,
    number: &str,
    start: &str,
    end: &str,
    months: i64,
    auto: bool,
    notice: i64,
    pool: i64,
) -> Value {
    json!({"vendor_id": vendor, "number": number, "title": format!("Contract {number}"), "term_start": start,
        "term_end": end, "term_months": months, "auto_renew": auto, "notice_days": notice, "pool_ids": [pool],
        "renewal_price": {"amount_minor": 1_200_000, "currency": "USD"}})
}

async fn create(c: &Client, body: Value) -> i64 {
    let r = c.post("/api/v1/contracts", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_i64().expect("id")
}

/// Every alert raised: fired_on -> "number kind stage".
async fn fired(app: &TestApp) -> BTreeMap<String, Vec<String>> {
    let rows: Vec<(String, String, String, Option<i64>, i64)> = sqlx::query_as(
        "SELECT a.fired_on, c.number, a.kind, a.stage_days, a.missed FROM alerts a \
         JOIN contracts c ON c.id = a.contract_id ORDER BY a.fired_on, c.number",
    )
    .fetch_all(&app.db.read)
    .await
    .expect("alerts");
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (day, number, kind, stage, missed) in rows {
        let stage = stage.map_or(if missed == 1 { " missed".to_string() } else { String::new() }, |s| format!(" {s}"));
        out.entry(day).or_default().push(format!("{number} {kind}{stage}"));
    }
    out
}

#[tokio::test]
async fn a_year_of_alerts_fires_each_stage_exactly_once() {
    let app = spawn_opts(Options { demo: true, smtp: true, ..Default::default() }).await;
    app.clear_contracts().await;
    let admin = app.admin().await;
    let r = admin
        .put(
            "/api/v1/settings",
            json!({"timezone": "Europe/Berlin", "alert_stages": [30, 90, 60], "rolling_review_months": 3,
                "daily_run_hour": 6}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["alert_stages"], json!([90, 60, 30]));
    let vendor = app.id_of("SELECT id FROM vendors WHERE name = 'Atlassian'").await;
    let finance = app.id_of("SELECT id FROM users WHERE email = 'finance@example.com'").await;
    let pools = engineering_pools(&app).await;
    app.set_day(d("2026-01-01"));
    // Annual, renews itself unless cancelled 30 days before the end; finance watches it.
    let mut annual = contract(vendor, "A-ANNUAL", "2026-01-01", "2026-12-31", 12, true, 30, pools[0]);
    annual["watcher_ids"] = json!([finance]);
    let annual = create(&admin, annual).await;
    // Explicit renewal: the end date matters.
    create(&admin, contract(vendor, "B-EXPLICIT", "2026-01-01", "2026-06-30", 6, false, 0, pools[1])).await;
    // Monthly rolling: reviewed each quarter, never alerted monthly.
    let rolling = create(&admin, contract(vendor, "C-ROLLING", "2026-01-01", "2026-01-31", 1, true, 0, pools[2])).await;

    let mut instance = app.another_instance().await;
    let mut day = d("2026-01-01");
    while day <= d("2027-01-01") {
        if day == d("2026-07-01") {
            // A restart: a new process on the same database, nothing kept in memory.
            instance = app.another_instance().await;
        }
        let down = day >= d("2026-09-20") && day <= d("2026-10-04");
        app.set_day(day);
        instance.set_day(day);
        if day == d("2026-08-12") {
            // Recorded 19 days before its end: only the 30-day stage is raised.
            let admin = instance.admin().await;
            let late =
                create(&admin, contract(vendor, "D-LATE", "2025-09-01", "2026-08-31", 12, false, 0, pools[3])).await;
            // Raised as it is recorded, not on the next daily run.
            assert_eq!(app.count(&format!("alerts WHERE contract_id = {late} AND stage_days = 30")).await, 1);
        }
        if !down {
            let first = instance.tick().await;
            assert!(first.renewals.is_some(), "the day's run on {day}");
            let again = instance.tick().await;
            assert!(again.renewals.is_none(), "a second tick on {day} runs nothing");
        }
        day = day.succ_opt().expect("next day");
    }

    let expected: BTreeMap<String, Vec<String>> = [
        ("2026-04-01", vec!["B-EXPLICIT end 90", "C-ROLLING review"]),
        ("2026-05-01", vec!["B-EXPLICIT end 60"]),
        ("2026-05-31", vec!["B-EXPLICIT end 30"]),
        ("2026-07-01", vec!["C-ROLLING review"]),
        ("2026-08-12", vec!["D-LATE end 30"]),
        ("2026-09-02", vec!["A-ANNUAL cancel_by 90"]),
        // Down from 20 September to 4 October: the 60-day stage (2 October) and the review (1 October) catch up.
        ("2026-10-05", vec!["A-ANNUAL cancel_by 60", "C-ROLLING review"]),
        ("2026-11-01", vec!["A-ANNUAL cancel_by 30"]),
        // Its cancel-by passed with no decision while it still renews: the missed alert, once.
        ("2026-12-02", vec!["A-ANNUAL cancel_by missed"]),
        ("2027-01-01", vec!["C-ROLLING review"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(str::to_string).collect()))
    .collect();
    assert_eq!(fired(&app).await, expected);

    // The annual contract renewed itself on 1 January; the monthly one every month.
    let admin = app.admin().await;
    let detail = admin.get(&format!("/api/v1/contracts/{annual}")).await;
    let terms = detail.body["terms"].as_array().expect("terms");
    assert_eq!(terms.len(), 2, "{}", detail.body);
    assert_eq!(terms[0]["decision"], "auto_renewed");
    assert_eq!(
        (terms[1]["start_date"].as_str(), terms[1]["end_date"].as_str()),
        (Some("2027-01-01"), Some("2027-12-31"))
    );
    assert_eq!(detail.body["contract"]["cancel_by"], "2027-12-01");
    let pool_end: String = sqlx::query_scalar("SELECT contract_end FROM pools WHERE id = $1")
        .bind(pools[0])
        .fetch_one(&app.db.read)
        .await
        .expect("pool");
    assert_eq!(pool_end, "2027-12-31", "the pool follows its contract's running term");
    let rolling = admin.get(&format!("/api/v1/contracts/{rolling}")).await;
    assert_eq!(rolling.body["terms"].as_array().map(Vec::len), Some(13));
    assert_eq!(rolling.body["contract"]["term"]["end_date"], "2027-01-31");

    // One e-mail per recipient per alert: the annual contract's owner and its watcher, the others' owner.
    let mails = app.smtp.as_ref().expect("sink").received();
    assert_eq!(mails.len(), 4 * 2 + 3 + 4 + 1, "{:#?}", mails.iter().map(|m| m.subject()).collect::<Vec<_>>());
    let annual_mails: Vec<_> = mails.iter().filter(|m| m.subject().contains("A-ANNUAL")).collect();
    assert_eq!(annual_mails.len(), 8);
    assert!(annual_mails.iter().any(|m| m.to == ["finance@example.com"]));
    let (stages, missed): (Vec<&&crate::common::ReceivedMail>, Vec<_>) =
        annual_mails.iter().partition(|m| m.subject().starts_with("Cancel by 2026-12-01"));
    assert_eq!((stages.len(), missed.len()), (6, 2));
    assert!(missed.iter().all(|m| m.subject() == "Missed cancel-by, renews 2027-01-01: Contract A-ANNUAL (Atlassian)"));
    assert_eq!(admin.post("/api/v1/ledger/verify", json!({})).await.body["ok"], true);
}

#[tokio::test]
async fn two_instances_on_one_database_raise_each_alert_once() {
    let single = spawn_opts(Options { demo: true, smtp: true, ..Default::default() }).await;
    let a = spawn_opts(Options { demo: true, smtp: true, ..Default::default() }).await;
    let b = a.another_instance().await;
    let start = test_now().date_naive();
    for n in 0..120 {
        let day = start.checked_add_days(Days::new(n)).expect("day");
        for app in [&single, &a, &b] {
            app.set_day(day);
        }
        single.tick().await;
        let (x, y) = tokio::join!(a.tick(), b.tick());
        assert!(x.renewals.is_some() != y.renewals.is_some(), "exactly one instance runs {day}");
    }
    let reference = fired(&single).await;
    assert!(reference.values().map(Vec::len).sum::<usize>() > 20, "the demo raises alerts: {reference:?}");
    assert_eq!(fired(&a).await, reference, "two instances raise what one does");

    // Race the job itself, past the daily claim: the unique stage keys still let only one write.
    let day = start.checked_add_days(Days::new(400)).expect("day");
    for app in [&a, &b] {
        app.set_day(day);
    }
    let org = seatwise_server::service::org::load(&a.db).await.expect("org");
    let now = test_now() + chrono::Duration::days(400);
    let (x, y) = tokio::join!(
        seatwise_server::service::renewal_job::run_day(&a.state.db, a.state.outbox(), &org, day, now),
        seatwise_server::service::renewal_job::run_day(&b.state.db, b.state.outbox(), &org, day, now),
    );
    let (x, y) = (x.expect("run a"), y.expect("run b"));
    assert!(x.alerts + y.alerts > 0);
    assert_eq!(a.count("alerts").await as usize, reference.values().map(Vec::len).sum::<usize>() + x.alerts + y.alerts);
    let queued = a.count("outbox").await;
    assert_eq!(queued, a.count("alert_recipients").await, "one message per recipient, never two");
    a.tick().await;
    b.tick().await;
    let sent = a.smtp.as_ref().expect("sink").received().len() as i64;
    assert_eq!(sent, queued, "every queued message sent once");
}

async fn figma(app: &TestApp) -> i64 {
    app.id_of("SELECT contract_id FROM pools WHERE name = 'Figma Organization'").await
}

#[tokio::test]
async fn owner_decides_from_the_inbox_and_the_mail_arrives() {
    let app = spawn_opts(Options { demo: true, smtp: true, ..Default::default() }).await;
    let report = app.tick().await;
    assert!(report.renewals.as_ref().is_some_and(|r| r.alerts > 0), "{report:?}");
    let owner = app.owner().await;
    let contract = figma(&app).await;
    let inbox = owner.get("/api/v1/alerts?mine=true").await;
    let items = inbox.body["items"].as_array().expect("items");
    let alert = items.iter().find(|a| a["contract_id"] == contract).expect("Figma alert in the owner's inbox");
    let cancel_by = test_now().date_naive() + chrono::Duration::days(20);
    assert_eq!((alert["kind"].as_str(), alert["stage_days"].as_i64()), (Some("cancel_by"), Some(30)));
    assert_eq!(alert["due_date"], cancel_by.to_string());
    assert_eq!(alert["urgency"], "critical");
    let id = alert["id"].as_i64().expect("id");
    assert!(owner.get("/api/v1/alerts/counts").await.body["mine"].as_i64() > Some(0));
    let newest_first = owner.get("/api/v1/alerts?sort=-due_date").await;
    let dates: Vec<&str> =
        newest_first.body["items"].as_array().expect("items").iter().filter_map(|a| a["due_date"].as_str()).collect();
    assert!(dates.len() > 1 && dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
    assert_eq!(owner.get("/api/v1/alerts?sort=nope").await.field_paths(), ["sort"]);

    // The mail: to the owner, plain text and HTML, linking to the alert.
    let mails = app.smtp.as_ref().expect("sink").received();
    let mail = mails.iter().find(|m| m.subject().contains("Figma Organization")).expect("mail for the Figma contract");
    assert_eq!(mail.to, ["owner@example.com"]);
    assert_eq!(mail.subject(), format!("Cancel by {cancel_by}: Figma Organization (Figma)"));
    assert!(mail.data.contains("multipart/alternative") && mail.data.contains("text/html"), "{}", mail.data);
    assert!(mail.data.contains(&format!("{}/alerts/{id}", app.base)), "{}", mail.data);

    // The decision screen carries the usage figures.
    let detail = owner.get(&format!("/api/v1/alerts/{id}")).await;
    assert_eq!(detail.body["can_act"], true);
    let usage = &detail.body["contract"]["pools"][0];
    assert!(usage["seats_assigned"].as_i64() > Some(0) && usage["annual_cost"]["amount_minor"].as_i64() > Some(0));
    assert!(usage.get("held_by_inactive").is_some() && usage.get("held_by_terminated").is_some());

    // Acknowledge, snooze (bad dates refused), assign.
    assert_eq!(owner.post(&format!("/api/v1/alerts/{id}/acknowledge"), json!({})).await.body["status"], "acknowledged");
    let before = app.ledger_len().await;
    let past = owner.post(&format!("/api/v1/alerts/{id}/snooze"), json!({"until": "2026-01-01"})).await;
    assert_eq!((past.status, past.field_paths()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["until".to_string()]));
    let beyond = cancel_by + chrono::Duration::days(1);
    let late = owner.post(&format!("/api/v1/alerts/{id}/snooze"), json!({"until": beyond})).await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.ledger_len().await, before, "refused requests write nothing");
    let until = test_now().date_naive() + chrono::Duration::days(3);
    let snoozed = owner.post(&format!("/api/v1/alerts/{id}/snooze"), json!({"until": until})).await;
    assert_eq!(snoozed.body["status"], "snoozed");
    let needs = owner.get("/api/v1/alerts?mine=true").await;
    assert!(needs.body["items"].as_array().expect("items").iter().all(|a| a["id"] != id), "snoozed alerts wait");
    let admin_id = app.id_of("SELECT id FROM users WHERE email = 'admin@example.com'").await;
    let assigned = owner.post(&format!("/api/v1/alerts/{id}/assign"), json!({"user_id": admin_id})).await;
    assert_eq!(assigned.body["assigned_to"]["id"], admin_id);
    app.tick().await;
    let told = app.smtp.as_ref().expect("sink").received();
    let told = told.iter().find(|m| m.to == ["admin@example.com"]).expect("the assignee is told by e-mail");
    assert_eq!(told.subject(), format!("Assigned to you: Cancel by {cancel_by} for Figma Organization (Figma)"));
    let finance_id = app.id_of("SELECT id FROM users WHERE email = 'finance@example.com'").await;
    let wrong = owner.post(&format!("/api/v1/alerts/{id}/assign"), json!({"user_id": finance_id})).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Finance reads but does not decide; the owner decides: renew with 15 seats.
    let finance = app.finance().await;
    assert_eq!(finance.get(&format!("/api/v1/alerts/{id}")).await.body["can_act"], false);
    let body = json!({"decision": "renew_with_changes", "comment": "Drop 5 unused seats", "seats": 15});
    assert_eq!(
        finance.post(&format!("/api/v1/alerts/{id}/decision"), body.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    let missing = owner.post(&format!("/api/v1/alerts/{id}/decision"), json!({"decision": "renew_with_changes"})).await;
    assert_eq!(missing.field_paths(), ["seats"]);
    let lapse = owner.post(&format!("/api/v1/alerts/{id}/decision"), json!({"decision": "let_lapse"})).await;
    assert_eq!(lapse.field_paths(), ["decision"], "auto-renewing contracts are cancelled, not left to lapse");
    let decided = owner.post(&format!("/api/v1/alerts/{id}/decision"), body.clone()).await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);
    assert_eq!(decided.body["alert"]["status"], "decided");
    assert_eq!(decided.body["alert"]["decision"], "renew_with_changes");
    let terms = decided.body["contract"]["terms"].as_array().expect("terms");
    assert_eq!(terms.len(), 2);
    assert_eq!(terms[0]["decision"], "renew_with_changes");
    assert_eq!(terms[0]["decision_comment"], "Drop 5 unused seats");
    assert_eq!(terms[1]["seats"], 15);
    assert_eq!(terms[1]["start_date"], (test_now().date_naive() + chrono::Duration::days(51)).to_string());
    // The seat change itself goes through the approval queue: a request for the covered pool, submitted, that
    // the server applies when the next term starts.
    let request = terms[1]["change_request_id"].as_i64().expect("the next term names its change request");
    let cr = owner.get(&format!("/api/v1/change-requests/{request}")).await.body;
    let pool = detail.body["contract"]["pools"][0]["pool"]["id"].as_i64().expect("pool");
    assert_eq!(cr["operations"], json!([{"op": "set_seats", "pool_id": pool, "seats_purchased": 15}]), "{cr}");
    // The pool has more holders than that today: the request waits as a draft, saying so, until seats are freed.
    assert_eq!(cr["status"], "draft");
    assert_eq!(cr["errors"][0]["path"], "seats_purchased", "{}", cr["errors"]);
    assert!(cr["errors"][0]["message"].as_str().is_some_and(|m| m.contains("fewer than the 19 assigned")));
    let submit = owner.post(&format!("/api/v1/change-requests/{request}/submit"), json!({})).await;
    assert_eq!(submit.status, StatusCode::UNPROCESSABLE_ENTITY, "nothing is queued while a row is in error");
    assert_eq!(cr["requested_by"]["id"], app.id_of("SELECT id FROM users WHERE email = 'owner@example.com'").await);
    let starts = terms[1]["start_date"].as_str().expect("start");
    assert!(cr["execute_at"].as_str().is_some_and(|at| at.starts_with(starts)), "{}", cr["execute_at"]);
    assert!(cr["reason"].as_str().is_some_and(|r| r.contains("Drop 5 unused seats")), "{}", cr["reason"]);
    let again = owner.post(&format!("/api/v1/alerts/{id}/decision"), body).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let history = owner.get(&format!("/api/v1/contracts/{contract}/history")).await;
    let actions: Vec<&str> =
        history.body["items"].as_array().expect("items").iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.starts_with(&["contract.decision", "contract.term.create"]), "{actions:?}");
    assert!(actions.contains(&"alert.raise"));

    // Other departments' contracts do not exist for this owner.
    let sales = app
        .id_of("SELECT MIN(p.contract_id) FROM pools p JOIN departments d ON d.id = p.department_id WHERE d.name = 'Sales'")
        .await;
    assert_eq!(owner.get(&format!("/api/v1/contracts/{sales}")).await.status, StatusCode::NOT_FOUND);
}

/// The events a calendar answer carries in full, day by day.
fn day_events(calendar: &Value) -> Vec<&Value> {
    calendar["days"].as_array().expect("days").iter().flat_map(|d| d["events"].as_array().expect("events")).collect()
}

/// Each day's total, checked against its counts by kind.
fn day_totals(calendar: &Value) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for day in calendar["days"].as_array().expect("days") {
        let total = day["total"].as_i64().expect("total");
        let counted: i64 = day["counts"].as_array().expect("counts").iter().filter_map(|c| c["count"].as_i64()).sum();
        assert_eq!(total, counted, "{day}");
        out.insert(day["date"].as_str().expect("date").to_string(), total);
    }
    out
}

#[tokio::test]
async fn calendar_shows_the_dates_and_the_feed_is_valid_icalendar() {
    let app = spawn().await;
    let owner = app.owner().await;
    let contract = figma(&app).await;
    let cancel_by = test_now().date_naive() + chrono::Duration::days(20);
    let r = owner.get("/api/v1/calendar?from=2026-12-01&to=2026-12-31").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let events = day_events(&r.body);
    let figma_events: Vec<&Value> = events.iter().copied().filter(|e| e["contract_id"] == contract).collect();
    assert_eq!(figma_events.len(), 1, "the end date is in January: {figma_events:?}");
    assert_eq!(figma_events[0]["kind"], "cancel_by");
    assert_eq!(figma_events[0]["date"], cancel_by.to_string());
    assert_eq!(r.body["pipeline"][0]["within_days"], 30);
    assert!(r.body["pipeline"][0]["contracts"].as_i64() >= Some(1));
    // Owners see only their departments' contracts; filters narrow further.
    let finance_view = app.finance().await.get("/api/v1/calendar?from=2026-11-01&to=2027-10-31").await;
    let owner_view = owner.get("/api/v1/calendar?from=2026-11-01&to=2027-10-31").await;
    let count = |r: &crate::common::Reply| day_totals(&r.body).values().sum::<i64>();
    assert!(count(&finance_view) > count(&owner_view) && count(&owner_view) > 0);
    // A range longer than a quarter is an overview: each day's counts, no events.
    assert_eq!(finance_view.body["per_day"], 0);
    assert!(day_events(&finance_view.body).is_empty() && day_events(&owner_view.body).is_empty());
    // Finance sees every contract, so its pipeline is summed in the database; an owner's from their rows. Each
    // window holds the ones before it.
    for view in [&finance_view, &owner_view] {
        let p = view.body["pipeline"].as_array().expect("pipeline");
        let counts: Vec<i64> = p.iter().filter_map(|b| b["contracts"].as_i64()).collect();
        assert!(counts.len() == 3 && counts[0] <= counts[1] && counts[1] <= counts[2], "{p:?}");
    }
    assert!(
        finance_view.body["pipeline"][2]["contracts"].as_i64() >= owner_view.body["pipeline"][2]["contracts"].as_i64()
    );
    assert_eq!(finance_view.body["pipeline"], app.admin().await.get("/api/v1/calendar").await.body["pipeline"]);
    let sales = app.id_of("SELECT id FROM departments WHERE name = 'Sales'").await;
    assert_eq!(
        count(&owner.get(&format!("/api/v1/calendar?from=2026-11-01&to=2027-10-31&department_id={sales}")).await),
        0
    );
    let bad = owner.get("/api/v1/calendar?from=2026-12-01&to=2026-11-01").await;
    assert_eq!((bad.status, bad.field_paths()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["to".to_string()]));

    // The feed: created once, readable without a session, parsed by an independent parser.
    let feed = owner.post("/api/v1/calendar/feed", json!({})).await;
    assert_eq!(feed.status, StatusCode::CREATED);
    let url = feed.body["url"].as_str().expect("url").to_string();
    assert!(owner.get("/api/v1/calendar/feed").await.body["url"].is_null(), "the address is shown once");
    let resp = reqwest::get(&url).await.expect("feed");
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"].to_str().unwrap_or_default().starts_with("text/calendar"));
    let text = resp.text().await.expect("text");
    let mut parser = ical::IcalParser::new(text.as_bytes());
    let calendar = parser.next().expect("one calendar").expect("valid iCalendar");
    assert!(parser.next().is_none());
    let prop = |props: &[ical::property::Property], name: &str| {
        props.iter().find(|p| p.name == name).and_then(|p| p.value.clone()).unwrap_or_default()
    };
    assert_eq!(prop(&calendar.properties, "VERSION"), "2.0");
    let compact = cancel_by.format("%Y%m%d").to_string();
    let event = calendar
        .events
        .iter()
        .find(|e| {
            prop(&e.properties, "DTSTART") == compact && prop(&e.properties, "SUMMARY").contains("Figma Organization")
        })
        .unwrap_or_else(|| panic!("cancel-by event on {compact} in:\n{text}"));
    assert!(prop(&event.properties, "SUMMARY").starts_with("Cancel by"));
    assert!(prop(&event.properties, "UID").starts_with(&format!("contract-{contract}-cancel_by-")));
    assert!(prop(&event.properties, "URL").ends_with(&format!("/contracts/{contract}")));
    assert!(calendar.events.iter().all(|e| !prop(&e.properties, "DTSTAMP").is_empty()));
    // Only what the owner owns or watches: no Sales contract.
    assert!(!text.contains("Sales Cloud"), "{text}");

    // Finance watches the contract: it joins their feed (they own no pools).
    let finance = app.finance().await;
    let watched = finance.put(&format!("/api/v1/contracts/{contract}/watch"), json!({"watching": true})).await;
    assert_eq!(watched.body["watching"], true);
    assert_eq!(watched.body["watchers"][0]["name"], "Fiona Finance");
    let finance_feed = finance.post("/api/v1/calendar/feed", json!({})).await;
    let finance_ics =
        reqwest::get(finance_feed.body["url"].as_str().expect("url")).await.expect("feed").text().await.expect("text");
    assert!(finance_ics.contains("Figma Organization"), "{finance_ics}");
    assert_eq!(finance_ics.matches("BEGIN:VEVENT").count(), 2, "only the watched contract's two dates");

    // Revoked: the address stops working.
    assert_eq!(owner.delete("/api/v1/calendar/feed").await.status, StatusCode::NO_CONTENT);
    assert_eq!(reqwest::get(&url).await.expect("feed").status(), StatusCode::NOT_FOUND);
    let guessed = format!("{}/api/v1/calendar/feed.ics?token=swcal_guess", app.base);
    assert_eq!(reqwest::get(&guessed).await.expect("feed").status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn contracts_are_validated_and_scoped() {
    let app = spawn().await;
    let owner = app.owner().await;
    let vendor = app.id_of("SELECT id FROM vendors WHERE name = 'Atlassian'").await;
    let covered = app.pool_id("Jira Software Premium").await;
    let sales_pool = app.pool_id("Sales Cloud Enterprise").await;
    let before = (app.ledger_len().await, app.count("contracts").await);
    let bad = owner
        .post(
            "/api/v1/contracts",
            json!({"vendor_id": vendor, "number": "", "title": "X", "term_start": "2026-05-01", "term_end": "2026-04-01",
                "term_months": 0, "notice_days": -1, "documents": ["javascript:alert(1)"],
                "renewal_price": {"amount_minor": -1, "currency": "XXX"}, "pool_ids": [covered, sales_pool, 999999]}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.field_paths(),
        [
            "number",
            "term_end",
            "term_months",
            "notice_days",
            "renewal_price.amount_minor",
            "renewal_price.currency",
            "documents[0]",
            "pool_ids[0]",
            "pool_ids[1]",
            "pool_ids[2]"
        ]
    );
    assert_eq!((app.ledger_len().await, app.count("contracts").await), before, "nothing written");
    let finance = app.finance().await;
    let body = contract(vendor, "NEW-1", "2026-01-01", "2026-12-31", 12, true, 30, covered);
    assert_eq!(finance.post("/api/v1/contracts", body).await.status, StatusCode::FORBIDDEN);
    // A free pool of the owner's: recorded, with its first term and cancel-by date.
    let free =
        app.admin().await.post("/api/v1/pools", crate::common::pool_body(&app, "Free pool", "Design").await).await;
    let free = free.body["id"].as_i64().expect("pool");
    let r = owner
        .post("/api/v1/contracts", contract(vendor, "NEW-1", "2026-01-01", "2026-12-31", 12, true, 30, free))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["cancel_by"], "2026-12-01");
    assert_eq!(r.body["key_date"], "2026-12-01");
    assert_eq!(r.body["term"]["seq"], 1);
    let dup = owner
        .post("/api/v1/contracts", contract(vendor, "new-1", "2026-01-01", "2026-12-31", 12, true, 30, free))
        .await;
    assert_eq!(dup.field_paths(), ["number", "pool_ids[0]"]);
    // The list: scoped, sorted, searchable.
    let list = app.finance().await.get("/api/v1/contracts?sort=-vendor&per_page=500").await;
    let vendors: Vec<String> = list.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["vendor"]["name"].as_str().unwrap_or_default().to_lowercase())
        .collect();
    assert!(vendors.windows(2).all(|w| w[0] >= w[1]), "{vendors:?}");
    assert_eq!(list.body["total"], 38);
    assert_eq!(owner.get("/api/v1/contracts?q=new-1").await.body["total"], 1);
    assert!(owner.get("/api/v1/contracts?per_page=500").await.body["total"].as_i64() < Some(38));
    assert_eq!(owner.get("/api/v1/contracts?sort=bogus").await.field_paths(), ["sort"]);
    let pool = app.admin().await.get(&format!("/api/v1/pools/{free}")).await;
    assert_eq!(
        (pool.body["contract_end"].as_str(), pool.body["cancel_by"].as_str()),
        (Some("2026-12-31"), Some("2026-12-01"))
    );
}

#[tokio::test]
async fn the_daily_run_follows_the_organisation_time_zone() {
    let app = spawn().await;
    app.clear_contracts().await;
    let admin = app.admin().await;
    let vendor = app.id_of("SELECT id FROM vendors WHERE name = 'Atlassian'").await;
    let pools = engineering_pools(&app).await;
    // Ends 30 December: the 30-day stage is due on 30 November.
    create(&admin, contract(vendor, "TZ-1", "2026-01-01", "2026-12-30", 12, false, 0, pools[0])).await;
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).expect("ts").to_utc();
    let settings = |tz: &str| json!({"timezone": tz, "alert_stages": [90, 60, 30], "rolling_review_months": 3, "daily_run_hour": 6});
    admin.put("/api/v1/settings", settings("Pacific/Auckland")).await;
    // 29 November 17:30 UTC is 30 November 06:30 in Auckland: the stage is due there, not yet in UTC.
    app.clock.set(at("2026-11-29T17:30:00Z"));
    app.tick().await;
    assert_eq!(fired(&app).await.get("2026-11-30").map(Vec::len), Some(1), "{:?}", fired(&app).await);
    // Before the run hour nothing runs: 05:00 local.
    app.clear_contracts().await;
    app.clock.set(at("2026-11-30T16:00:00Z"));
    let admin = app.admin().await;
    create(&admin, contract(vendor, "TZ-2", "2026-01-01", "2026-12-31", 12, false, 0, pools[1])).await;
    assert!(app.tick().await.renewals.is_none(), "05:00 in Auckland is before the run hour");
    let bad = admin.put("/api/v1/settings", settings("Mars/Olympus")).await;
    assert_eq!(bad.field_paths(), ["timezone"]);
    assert_eq!(app.owner().await.put("/api/v1/settings", settings("UTC")).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn pools_own_contract_dates_become_contracts_and_raise_alerts() {
    let app = spawn_opts(Options { demo: true, smtp: false, ..Default::default() }).await;
    let admin = app.admin().await;
    // Two pools created with their own dates (as before contracts existed), one order number between them.
    let mut first = crate::common::pool_body(&app, "Legacy A", "Engineering").await;
    first["po_number"] = json!("PO-777");
    let mut second = crate::common::pool_body(&app, "Legacy B", "Engineering").await;
    second["po_number"] = json!("PO-777");
    let a = admin.post("/api/v1/pools", first).await.body["id"].as_i64().expect("pool");
    let b = admin.post("/api/v1/pools", second).await.body["id"].as_i64().expect("pool");
    assert_eq!(app.owner().await.post("/api/v1/contracts/from-pools", json!({})).await.status, StatusCode::FORBIDDEN);
    let created = "ledger_entries WHERE action = 'contract.create'";
    let linked = "ledger_entries WHERE action = 'pool.contract_link'";
    let before = (app.count(created).await, app.count(linked).await);
    let r = admin.post("/api/v1/contracts/from-pools", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.body["contracts"].as_i64(), r.body["pools"].as_i64()), (Some(1), Some(2)));
    assert_eq!((app.count(created).await, app.count(linked).await), (before.0 + 1, before.1 + 2));
    let contract = app.id_of_owned(format!("SELECT contract_id FROM pools WHERE id = {a}")).await;
    assert_eq!(app.id_of_owned(format!("SELECT contract_id FROM pools WHERE id = {b}")).await, contract);
    let detail = admin.get(&format!("/api/v1/contracts/{contract}")).await;
    assert_eq!(detail.body["contract"]["number"], "PO-777");
    assert_eq!(detail.body["contract"]["cancel_by"], "2026-12-01");
    // Ends 31 December with 30 days' notice: on 23 November the 30-day stage is due.
    app.tick().await;
    let alerts = admin.get(&format!("/api/v1/alerts?contract_id={contract}")).await;
    assert_eq!(alerts.body["items"][0]["stage_days"], 30, "{}", alerts.body);
    // Nothing left to adopt.
    assert_eq!(admin.post("/api/v1/contracts/from-pools", json!({})).await.body["pools"], 0);
}

/// A busy day: the calendar counts every date of it by kind but carries only the first `per_day`, by contract with
/// cancel-by before end; the day's list pages through all of them in that order; filters narrow the counts; the
/// feed, which has no grid, still lists every date.
#[tokio::test]
async fn a_busy_day_is_counted_in_full_shown_in_part_and_listed_page_by_page() {
    let app = spawn().await;
    app.clear_contracts().await;
    let admin = app.admin().await;
    let atlassian = app.id_of("SELECT id FROM vendors WHERE name = 'Atlassian'").await;
    let zoom = app.id_of("SELECT id FROM vendors WHERE name = 'Zoom'").await;
    let pools: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM pools ORDER BY id LIMIT 6").fetch_all(&app.db.read).await.expect("pools");
    // Five contracts end on 2027-03-31; the first two renew automatically with no notice, so their cancel-by date is
    // the same day; the third gives 30 days' notice (cancel by 2027-03-01); the fifth is Zoom's.
    let mut ids = Vec::new();
    for (i, (auto, notice)) in [(true, 0), (true, 0), (true, 30), (false, 0), (false, 0)].into_iter().enumerate() {
        let vendor = if i == 4 { zoom } else { atlassian };
        let body = contract(vendor, &format!("BUSY-{i}"), "2026-04-01", "2027-03-31", 12, auto, notice, pools[i]);
        ids.push(create(&admin, body).await);
    }
    let finance = app.finance().await;
    for id in &ids {
        finance.put(&format!("/api/v1/contracts/{id}/watch"), json!({"watching": true})).await;
    }
    let (c0, c1, c2, c3, c4) = (ids[0], ids[1], ids[2], ids[3], ids[4]);
    let order = [(c0, "cancel_by"), (c0, "end"), (c1, "cancel_by"), (c1, "end"), (c2, "end"), (c3, "end"), (c4, "end")];
    let keys = |events: &[&Value]| -> Vec<(i64, String)> {
        events.iter().map(|e| (e["contract_id"].as_i64().unwrap(), e["kind"].as_str().unwrap().to_string())).collect()
    };
    let expected = |n: usize| -> Vec<(i64, String)> { order[..n].iter().map(|(c, k)| (*c, k.to_string())).collect() };

    let cal = finance.get("/api/v1/calendar?from=2027-03-01&to=2027-03-31").await;
    assert_eq!(cal.status, StatusCode::OK, "{}", cal.body);
    assert_eq!(cal.body["per_day"], 3);
    let days = cal.body["days"].as_array().expect("days");
    assert_eq!(days.len(), 2, "only days with dates: {days:?}");
    assert_eq!(days[0]["date"], "2027-03-01");
    assert_eq!((days[0]["total"].as_i64(), &days[0]["counts"]), (Some(1), &json!([{"kind": "cancel_by", "count": 1}])));
    assert_eq!(days[1]["date"], "2027-03-31");
    assert_eq!(days[1]["total"], 7);
    assert_eq!(days[1]["counts"], json!([{"kind": "cancel_by", "count": 2}, {"kind": "end", "count": 5}]));
    let firsts: Vec<&Value> = days[1]["events"].as_array().expect("events").iter().collect();
    assert_eq!(keys(&firsts), expected(3));
    assert_eq!(firsts[0]["date"], "2027-03-31");
    assert_eq!(firsts[0]["contract_number"], "BUSY-0");
    assert_eq!(firsts[0]["value"], json!({"amount_minor": 1_200_000, "currency": "USD"}));

    // The whole day, three at a time: the same first three, then the rest, each once.
    let mut listed = Vec::new();
    for page in 1..=3 {
        let r = finance.get(&format!("/api/v1/calendar/events?date=2027-03-31&per_page=3&page={page}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            (r.body["total"].as_i64(), r.body["page"].as_i64(), r.body["per_page"].as_i64()),
            (Some(7), Some(page), Some(3))
        );
        if page == 1 {
            assert_eq!(r.body["items"], days[1]["events"], "the first page is what the calendar carries");
        }
        listed.extend(r.body["items"].as_array().expect("items").clone());
    }
    assert_eq!(keys(&listed.iter().collect::<Vec<_>>()), expected(7));
    let past = finance.get("/api/v1/calendar/events?date=2027-03-31&per_page=3&page=4").await;
    assert_eq!((past.body["total"].as_i64(), past.body["items"].as_array().map(Vec::len)), (Some(7), Some(0)));
    let quiet = finance.get("/api/v1/calendar/events?date=2027-03-30").await;
    assert_eq!((quiet.body["total"].as_i64(), quiet.body["items"].as_array().map(Vec::len)), (Some(0), Some(0)));

    // Filters narrow the counts and the list alike.
    let only = finance.get(&format!("/api/v1/calendar?from=2027-03-31&to=2027-03-31&vendor_id={atlassian}")).await;
    assert_eq!(only.body["days"][0]["counts"], json!([{"kind": "cancel_by", "count": 2}, {"kind": "end", "count": 4}]));
    let zoom_day = finance.get(&format!("/api/v1/calendar/events?date=2027-03-31&vendor_id={zoom}")).await;
    assert_eq!(
        keys(&zoom_day.body["items"].as_array().expect("items").iter().collect::<Vec<_>>()),
        [(c4, "end".into())]
    );

    // Bad input is named.
    let missing = finance.get("/api/v1/calendar/events").await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", missing.body);
    assert_eq!(missing.field_paths(), ["date"]);
    assert_eq!(finance.get("/api/v1/calendar/events?date=1800-01-01").await.field_paths(), ["date"]);
    assert_eq!(finance.get("/api/v1/calendar/events?date=2027-03-31&per_page=0").await.field_paths(), ["per_page"]);

    // The feed is complete: every date of the watched contracts, however many share a day.
    let feed = finance.post("/api/v1/calendar/feed", json!({})).await;
    let ics = reqwest::get(feed.body["url"].as_str().expect("url")).await.expect("feed").text().await.expect("text");
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 8, "{ics}");
    assert_eq!(ics.matches("DTSTART;VALUE=DATE:20270331").count(), 7, "{ics}");
}

#[tokio::test]
async fn a_missed_cancel_by_is_raised_once_and_mailed_saying_what_can_still_be_done() {
    // The demo's LinkedIn Sales Navigator contract renews itself in 22 days; its cancel-by passed 8 days ago.
    let app = spawn_opts(Options { demo: true, smtp: true, ..Default::default() }).await;
    app.tick().await;
    app.tick().await;
    let admin = app.admin().await;
    let alerts = admin.get("/api/v1/alerts?inbox=needs_action&per_page=100").await;
    let missed: Vec<&Value> =
        alerts.body["items"].as_array().unwrap().iter().filter(|a| a["missed"] == json!(true)).collect();
    assert_eq!(missed.len(), 1, "{}", alerts.body);
    let a = missed[0];
    assert_eq!(
        (a["contract_title"].as_str(), a["kind"].as_str()),
        (Some("LinkedIn Sales Navigator"), Some("cancel_by"))
    );
    let today = test_now().date_naive();
    assert_eq!(a["due_date"], (today - Days::new(8)).to_string());
    assert_eq!(a["end_date"], (today + Days::new(22)).to_string());
    assert_eq!(a["stage_days"], Value::Null);
    // It is the first thing the alert list shows (the date that matters comes first).
    assert_eq!(alerts.body["items"][0]["id"], a["id"]);
    let count = app.count("alerts WHERE missed = 1").await;
    assert_eq!(count, 1, "raised once, however often the job runs");
    let mails = app.smtp.as_ref().unwrap().received();
    let mail = mails.iter().find(|m| m.subject().starts_with("Missed cancel-by")).expect("mailed");
    assert!(mail.subject().contains("LinkedIn Sales Navigator"), "{}", mail.subject());
    // Deciding it settles it: no other alert for the term is raised afterwards.
    let id = a["id"].as_i64().unwrap();
    let r = admin
        .post(&format!("/api/v1/alerts/{id}/decision"), json!({"decision": "renew", "comment": "negotiated"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    app.set_day(today + Days::new(1));
    app.tick().await;
    assert_eq!(app.count("alerts WHERE missed = 1").await, 1);
}
