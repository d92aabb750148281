//! Scope on every read path of a contract (detail, list, calendar, alerts, e-mail, feed), re-checked when mail is
//! sent and feeds are rendered; alert state changes that race; the outbox lease; ledger entries for every change.

use reqwest::StatusCode;
use seatwise_server::service::{mailer, org, renewal_job};
use serde_json::{json, Value};

use crate::common::{spawn_opts, test_now, Client, Options, TestApp, PASSWORD};

async fn department(app: &TestApp, name: &str) -> i64 {
    app.id_of(&format!("SELECT id FROM departments WHERE name = '{name}'")).await
}

async fn first_pool_of(app: &TestApp, department: &str) -> i64 {
    app.id_of(&format!(
        "SELECT MIN(p.id) FROM pools p JOIN departments d ON d.id = p.department_id WHERE d.name = '{department}'"
    ))
    .await
}

/// A license owner of one department, created through the API; returns (user id, signed-in client).
async fn owner_of(app: &TestApp, admin: &Client, email: &str, dept: &str) -> (i64, Client) {
    let body = json!({"email": email, "name": "Dee Design", "password": PASSWORD, "roles": ["license_owner"],
        "department_ids": [department(app, dept).await]});
    let r = admin.post("/api/v1/users", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    (r.body["id"].as_i64().expect("id"), app.login(email).await)
}

/// A contract ending 20 days from the test day (so the 30-day stage fires), with a price covering its pools.
fn contract_body(vendor: i64, number: &str, pools: &[i64], watchers: &[i64]) -> Value {
    let end = test_now().date_naive() + chrono::Duration::days(20);
    json!({"vendor_id": vendor, "number": number, "title": format!("Contract {number}"), "term_start": "2026-01-01",
        "term_end": end, "term_months": 12, "auto_renew": false, "notice_days": 0, "pool_ids": pools,
        "watcher_ids": watchers, "renewal_price": {"amount_minor": 7_654_321, "currency": "USD"}})
}

async fn create(c: &Client, body: Value) -> i64 {
    let r = c.post("/api/v1/contracts", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_i64().expect("id")
}

/// Every object in a JSON document, depth first.
fn objects(v: &Value, out: &mut Vec<serde_json::Map<String, Value>>) {
    match v {
        Value::Object(m) => {
            out.push(m.clone());
            m.values().for_each(|x| objects(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| objects(x, out)),
        _ => {}
    }
}

/// What must never reach the Design owner: the Sales pool's id (as a pool reference), name, department, owner,
/// seats and cost, and the contract's own price (which covers the Sales pool too).
struct Foreign {
    id: i64,
    name: String,
    owner: String,
    amounts: Vec<i64>,
}

fn assert_nothing_foreign(what: &str, body: &Value, f: &Foreign) {
    let text = body.to_string();
    for needle in [f.name.as_str(), f.owner.as_str(), "\"Sales\""] {
        assert!(!text.contains(needle), "{what} shows {needle:?}: {text}");
    }
    for amount in &f.amounts {
        assert!(!text.contains(&format!("\"amount_minor\":{amount}")), "{what} shows the amount {amount}: {text}");
    }
    let mut all = Vec::new();
    objects(body, &mut all);
    for o in &all {
        let is_pool_ref = o.get("id") == Some(&json!(f.id)) && o.get("name").is_some();
        assert!(!is_pool_ref || o.get("name") != Some(&json!(f.name)), "{what} references the Sales pool: {text}");
        if let Some(Value::Object(pool)) = o.get("pool") {
            assert_ne!(pool.get("id"), Some(&json!(f.id)), "{what} carries the Sales pool's usage: {text}");
        }
    }
}

/// A message's text with quoted-printable soft line breaks joined, to search it.
fn unfold(data: &str) -> String {
    data.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
}

#[tokio::test]
async fn an_owner_sees_only_their_departments_part_of_a_contract_on_every_path() {
    let app = spawn_opts(Options { demo: true, smtp: true, ..Default::default() }).await;
    app.clear_contracts().await;
    let admin = app.admin().await;
    let (dee, owner) = owner_of(&app, &admin, "dee.design@example.com", "Design").await;
    let design = first_pool_of(&app, "Design").await;
    let sales = first_pool_of(&app, "Sales").await;
    // The Sales pool has an owner of its own (told by e-mail, without a login).
    let sales_dept = department(&app, "Sales").await;
    let seller = app
        .id_of_owned(format!(
            "SELECT MIN(id) FROM people WHERE department_id = {sales_dept} AND status = 'active' AND email LIKE '%@%'"
        ))
        .await;
    app.exec(&format!("UPDATE pools SET owner_id = {seller} WHERE id = {sales}")).await;
    app.exec(&format!("UPDATE pools SET owner_id = NULL WHERE id = {design}")).await;
    let seller_email: String = sqlx::query_scalar("SELECT email FROM people WHERE id = $1")
        .bind(seller)
        .fetch_one(&app.db.read)
        .await
        .expect("email");
    let d_pool = admin.get(&format!("/api/v1/pools/{design}")).await.body;
    let s_pool = admin.get(&format!("/api/v1/pools/{sales}")).await.body;
    let d_cost = d_pool["annual_cost"]["amount_minor"].as_i64().expect("cost");
    let s_cost = s_pool["annual_cost"]["amount_minor"].as_i64().expect("cost");
    assert_ne!(d_cost, s_cost, "the test tells the pools apart by cost");
    let foreign = Foreign {
        id: sales,
        name: s_pool["name"].as_str().expect("name").to_string(),
        owner: s_pool["owner"]["name"].as_str().expect("owner").to_string(),
        amounts: vec![s_cost, d_cost + s_cost, 7_654_321],
    };
    let vendor = d_pool["vendor"]["id"].as_i64().expect("vendor");
    let id = create(&admin, contract_body(vendor, "SPLIT-1", &[design, sales], &[dee])).await;

    // Admin sees the whole contract.
    let full = admin.get(&format!("/api/v1/contracts/{id}")).await.body;
    assert_eq!((full["contract"]["hidden_pools"].as_i64(), full["pools"].as_array().map(Vec::len)), (Some(0), Some(2)));
    assert_eq!(full["contract"]["value"]["amount_minor"], 7_654_321);

    // Detail: the Design pool only, valued at its own cost; the note's flag; no editing.
    let detail = owner.get(&format!("/api/v1/contracts/{id}")).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    assert_nothing_foreign("contract detail", &detail.body, &foreign);
    let c = &detail.body["contract"];
    assert_eq!(c["hidden_pools"], 1);
    assert_eq!(c["pools"], json!([{"id": design, "name": d_pool["name"]}]));
    assert_eq!(c["value"], json!({"amount_minor": d_cost, "currency": "USD"}));
    assert!(c["renewal_price"].is_null() && c["term"]["price"].is_null());
    assert_eq!(detail.body["pools"].as_array().map(Vec::len), Some(1));
    assert_eq!(detail.body["can_edit"], false);
    let history = owner.get(&format!("/api/v1/contracts/{id}/history")).await;
    assert_eq!(history.status, StatusCode::OK);
    assert!(history.body["total"].as_i64() > Some(0));
    assert_nothing_foreign("contract history", &history.body, &foreign);

    // List and its value; a filter on the hidden department finds nothing.
    let list = owner.get("/api/v1/contracts").await;
    assert_nothing_foreign("contract list", &list.body, &foreign);
    assert_eq!(list.body["items"][0]["value"]["amount_minor"], d_cost);
    assert_eq!(list.body["items"][0]["hidden_pools"], 1);
    let probe = owner.get(&format!("/api/v1/contracts?department_id={sales_dept}")).await;
    assert_eq!(probe.body["total"], 0, "filters cannot probe outside-scope pools");

    // Calendar events and the pipeline.
    let cal = owner.get("/api/v1/calendar").await;
    assert_nothing_foreign("calendar", &cal.body, &foreign);
    let events: Vec<&Value> = cal.body["days"]
        .as_array()
        .expect("days")
        .iter()
        .flat_map(|d| d["events"].as_array().expect("events"))
        .collect();
    let event = events.into_iter().find(|e| e["contract_id"] == id).cloned();
    let event = event.expect("the contract is in the calendar");
    assert_eq!((event["value"]["amount_minor"].as_i64(), event["hidden_pools"].as_i64()), (Some(d_cost), Some(1)));
    let day = owner.get(&format!("/api/v1/calendar/events?date={}", event["date"].as_str().expect("date"))).await;
    assert_nothing_foreign("calendar day", &day.body, &foreign);
    assert_eq!(day.body["items"], json!([event]), "the day's list shows the same event, valued the same");
    assert_eq!(cal.body["pipeline"][0]["value"], json!([{"amount_minor": d_cost, "currency": "USD"}]));

    // The daily job: an alert, its pages, and one e-mail per recipient with what that recipient may see.
    app.tick().await;
    let alerts = owner.get("/api/v1/alerts").await;
    assert_nothing_foreign("alert list", &alerts.body, &foreign);
    let alert = alerts.body["items"][0]["id"].as_i64().expect("an alert for the owner");
    let page = owner.get(&format!("/api/v1/alerts/{alert}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_nothing_foreign("alert detail", &page.body, &foreign);
    assert_eq!(page.body["contract"]["contract"]["hidden_pools"], 1);
    assert_eq!(page.body["contract"]["pools"][0]["pool"]["id"], design);

    let mails = app.smtp.as_ref().expect("sink").received();
    let to_dee: Vec<_> = mails.iter().filter(|m| m.to == ["dee.design@example.com"]).collect();
    assert_eq!(to_dee.len(), 1, "{:?}", mails.iter().map(|m| &m.to).collect::<Vec<_>>());
    let data = &unfold(&to_dee[0].data);
    assert!(data.contains(d_pool["name"].as_str().expect("name")), "{data}");
    assert!(data.contains("outside your departments"), "{data}");
    for needle in [foreign.name.as_str(), "76543.21", &format!("{}.{:02}", s_cost / 100, s_cost % 100)] {
        assert!(!data.contains(needle), "the owner's mail shows {needle:?}: {data}");
    }
    let to_seller: Vec<_> = mails.iter().filter(|m| m.to == [seller_email.clone()]).collect();
    assert_eq!(to_seller.len(), 1, "the Sales pool's owner is told about their pool");
    let seller_mail = unfold(&to_seller[0].data);
    assert!(seller_mail.contains(&foreign.name), "{seller_mail}");
    assert!(!seller_mail.contains(d_pool["name"].as_str().expect("name")), "{seller_mail}");
}

#[tokio::test]
async fn a_watcher_who_lost_the_department_gets_no_mail_and_no_feed_entry() {
    let app = spawn_opts(Options { demo: true, smtp: true, ..Default::default() }).await;
    app.clear_contracts().await;
    let admin = app.admin().await;
    let (dee, owner) = owner_of(&app, &admin, "dee.design@example.com", "Design").await;
    let design = first_pool_of(&app, "Design").await;
    app.exec(&format!("UPDATE pools SET owner_id = NULL WHERE id = {design}")).await;
    let vendor = app.id_of_owned(format!("SELECT vendor_id FROM pools WHERE id = {design}")).await;
    create(&admin, contract_body(vendor, "WATCHED-1", &[design], &[dee])).await;
    let feed = owner.post("/api/v1/calendar/feed", json!({})).await;
    let url = feed.body["url"].as_str().expect("url").to_string();
    let ics = reqwest::get(&url).await.expect("feed").text().await.expect("text");
    assert!(ics.contains("WATCHED-1"), "watched while in scope: {ics}");

    // The alert and its mail are queued as the contract is recorded (a stage is due), while Dee still has Design;
    // the day's run adds nothing ...
    assert_eq!(app.count("outbox WHERE status = 'pending'").await, 1);
    let org = org::load(&app.db).await.expect("org");
    let run = renewal_job::run_day(&app.state.db, app.state.outbox(), &org, test_now().date_naive(), test_now())
        .await
        .expect("run");
    assert_eq!(run.mails, 0, "{run:?}");
    // ... then Design is taken away before the mail goes out.
    let other = department(&app, "Engineering").await;
    let r = admin
        .put(&format!("/api/v1/users/{dee}/roles"), json!({"roles": ["license_owner"], "department_ids": [other]}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let sent =
        mailer::deliver_due(&app.state.db, &*app.state.clock, app.state.mailer.as_deref()).await.expect("deliver");
    assert_eq!(sent.sent, 0, "{sent:?}");
    assert!(app.smtp.as_ref().expect("sink").received().iter().all(|m| m.to != ["dee.design@example.com"]));
    let ics = reqwest::get(&url).await.expect("feed").text().await.expect("text");
    assert!(!ics.contains("WATCHED-1"), "out of scope now: {ics}");
    assert_eq!(owner.get("/api/v1/contracts").await.body["total"], 0);
}

/// Alerts the demo owner may act on after the day's run, one per contract.
async fn owner_alerts(app: &TestApp, owner: &Client) -> Vec<(i64, bool)> {
    app.tick().await;
    let inbox = owner.get("/api/v1/alerts?per_page=100").await;
    let mut out = Vec::new();
    for a in inbox.body["items"].as_array().expect("items") {
        let id = a["id"].as_i64().expect("id");
        if owner.get(&format!("/api/v1/alerts/{id}")).await.body["can_act"] == true {
            out.push((id, a["cancel_by"].is_string()));
        }
    }
    out
}

#[tokio::test]
async fn alert_changes_after_or_racing_a_decision_are_conflicts_and_write_nothing() {
    let app = spawn_opts(Options { demo: true, smtp: false, ..Default::default() }).await;
    let owner = app.owner().await;
    let alerts = owner_alerts(&app, &owner).await;
    assert!(alerts.len() >= 3, "{alerts:?}");
    let decision = |auto: bool| json!({"decision": if auto { "cancel" } else { "let_lapse" }, "comment": "done"});

    // Decided first: every later change is a conflict and is not ledgered.
    let (first, auto) = alerts[0];
    let decided = owner.post(&format!("/api/v1/alerts/{first}/decision"), decision(auto)).await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);
    let before = app.ledger_len().await;
    let until = test_now().date_naive() + chrono::Duration::days(2);
    let admin_id = app.id_of("SELECT id FROM users WHERE email = 'admin@example.com'").await;
    for (path, body) in
        [("acknowledge", json!({})), ("snooze", json!({"until": until})), ("assign", json!({"user_id": admin_id}))]
    {
        let r = owner.post(&format!("/api/v1/alerts/{first}/{path}"), body).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{path}: {}", r.body);
        assert_eq!(r.body["error"]["code"], "conflict", "{}", r.body);
    }
    assert_eq!(app.ledger_len().await, before);

    // A decision and an acknowledgement at once: the alert ends decided, whichever wins the race.
    for (id, auto) in &alerts[1..] {
        let (decide, ack) = (format!("/api/v1/alerts/{id}/decision"), format!("/api/v1/alerts/{id}/acknowledge"));
        let (d, a) = tokio::join!(owner.post(&decide, decision(*auto)), owner.post(&ack, json!({})));
        assert_eq!(d.status, StatusCode::OK, "{}", d.body);
        assert!(matches!(a.status, StatusCode::OK | StatusCode::CONFLICT), "{}", a.body);
        let status: String = sqlx::query_scalar("SELECT status FROM alerts WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db.read)
            .await
            .expect("status");
        assert_eq!(status, "decided", "alert {id} after the race");
    }
}

#[tokio::test]
async fn the_conditional_update_refuses_an_alert_that_moved() {
    use seatwise_server::db::alerts;
    use seatwise_types::AlertStatus;
    let app = spawn_opts(Options { demo: true, smtp: false, ..Default::default() }).await;
    app.tick().await;
    let id = app.id_of("SELECT MIN(id) FROM alerts WHERE status = 'open'").await;
    // The daily job supersedes it between someone reading it open and their write.
    app.exec(&format!("UPDATE alerts SET status = 'superseded' WHERE id = {id}")).await;
    let mut tx = app.db.begin().await.expect("tx");
    assert!(!alerts::acknowledge(&mut tx, id, AlertStatus::Open, "someone", test_now()).await.expect("ack"));
    assert!(!alerts::snooze(&mut tx, id, AlertStatus::Open, test_now().date_naive()).await.expect("snooze"));
    assert!(!alerts::assign(&mut tx, id, AlertStatus::Open, None).await.expect("assign"));
    tx.commit().await.expect("commit");
    let status: String = sqlx::query_scalar("SELECT status FROM alerts WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db.read)
        .await
        .expect("s");
    assert_eq!(status, "superseded");
}

#[tokio::test]
async fn a_mail_batch_that_outlives_its_lease_sends_every_message_once() {
    let a = spawn_opts(Options { demo: true, smtp: true, ..Default::default() }).await;
    let org = org::load(&a.db).await.expect("org");
    let run = renewal_job::run_day(&a.state.db, a.state.outbox(), &org, test_now().date_naive(), test_now())
        .await
        .expect("run");
    assert!(run.mails >= 3, "{run:?}");
    let queued = a.count("outbox WHERE status = 'pending'").await;
    // Instance A claims a batch and sends its first message, then stalls past the 5-minute lease.
    let now = test_now();
    let batch = seatwise_server::db::jobs::claim_mail(&a.db.write, "stalled", now, chrono::Duration::minutes(5), 50)
        .await
        .expect("claim");
    assert_eq!(batch.len() as i64, queued);
    let a_mailer = a.state.mailer.as_deref().expect("relay");
    assert_eq!(
        mailer::send_claimed(&a.state.db, &*a.state.clock, a_mailer, "stalled", &batch[..1]).await.expect("send").sent,
        1
    );
    let later = now + chrono::Duration::minutes(6);
    a.clock.set(later);
    // Instance B finds the lease expired and sends the rest.
    let b = a.another_instance().await;
    b.clock.set(later);
    let by_b = mailer::deliver_due(&b.state.db, &*b.state.clock, b.state.mailer.as_deref()).await.expect("deliver");
    assert_eq!(by_b.sent as i64, queued - 1);
    // A wakes up and carries on with its batch: nothing is sent twice.
    assert_eq!(
        mailer::send_claimed(&a.state.db, &*a.state.clock, a_mailer, "stalled", &batch[1..]).await.expect("send").sent,
        0
    );
    let received = a.smtp.as_ref().expect("sink").received();
    assert_eq!(received.len() as i64, queued, "every message reached the relay exactly once");
    let mut keys: Vec<(Vec<String>, String)> = received.iter().map(|m| (m.to.clone(), m.subject())).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len() as i64, queued);
    assert_eq!(a.count("outbox WHERE status = 'sent'").await, queued);
}

/// The ledger entries with this action for this record: (before, after), oldest first.
async fn entries(app: &TestApp, action: &str, record_id: i64) -> Vec<(Value, Value)> {
    let rows: Vec<(Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT before_json, after_json FROM ledger_entries WHERE action = $1 AND record_id = $2 ORDER BY seq",
    )
    .bind(action)
    .bind(record_id)
    .fetch_all(&app.db.read)
    .await
    .expect("ledger");
    let parse = |s: Option<String>| s.map_or(Value::Null, |s| serde_json::from_str(&s).expect("json"));
    rows.into_iter().map(|(b, a)| (parse(b), parse(a))).collect()
}

#[tokio::test]
async fn every_contract_link_watcher_and_import_change_is_ledgered() {
    let app = spawn_opts(Options { demo: true, smtp: false, ..Default::default() }).await;
    app.clear_contracts().await;
    let admin = app.admin().await;
    let design = first_pool_of(&app, "Design").await;
    let second = app.id_of_owned(format!("SELECT MIN(id) FROM pools WHERE id > {design} AND department_id = (SELECT department_id FROM pools WHERE id = {design})")).await;
    let vendor = app.id_of_owned(format!("SELECT vendor_id FROM pools WHERE id = {design}")).await;
    let finance = app.id_of("SELECT id FROM users WHERE email = 'finance@example.com'").await;
    let id = create(&admin, contract_body(vendor, "LEDGERED-1", &[design], &[finance])).await;

    // Creating: the pool link, the watchers, the pool's dates following the term.
    assert_eq!(
        entries(&app, "pool.contract_link", design).await,
        [(json!({"contract_id": null}), json!({"contract_id": id}))]
    );
    assert_eq!(
        entries(&app, "contract.watchers", id).await,
        [(json!({"watcher_ids": []}), json!({"watcher_ids": [finance]}))]
    );
    let dates = entries(&app, "pool.contract_dates", design).await;
    let end = (test_now().date_naive() + chrono::Duration::days(20)).to_string();
    assert_eq!(dates.last().map(|(_, a)| a["contract_end"].clone()), Some(json!(end)), "{dates:?}");

    // Updating: "before" lists the pools covered before; the new pool's link and the watcher change are ledgered.
    let r = admin
        .put(&format!("/api/v1/contracts/{id}"), contract_body(vendor, "LEDGERED-1", &[design, second], &[]))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let update = entries(&app, "contract.update", id).await;
    let pool_ids =
        |v: &Value| v["pools"].as_array().expect("pools").iter().map(|p| p["id"].clone()).collect::<Vec<_>>();
    assert_eq!(pool_ids(&update[0].0), [json!(design)], "{:?}", update[0].0);
    assert_eq!(pool_ids(&update[0].1).len(), 2);
    assert_eq!(
        entries(&app, "pool.contract_link", second).await,
        [(json!({"contract_id": null}), json!({"contract_id": id}))]
    );
    assert_eq!(
        entries(&app, "contract.watchers", id).await[1],
        (json!({"watcher_ids": [finance]}), json!({"watcher_ids": []}))
    );
    // Dropping a pool unlinks it, ledgered.
    let r = admin.put(&format!("/api/v1/contracts/{id}"), contract_body(vendor, "LEDGERED-1", &[design], &[])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        entries(&app, "pool.contract_link", second).await[1],
        (json!({"contract_id": id}), json!({"contract_id": null}))
    );

    // Adopting pools' own dates links each pool, ledgered.
    let legacy = crate::common::pool_body(&app, "Legacy ledgered", "Engineering").await;
    let legacy = admin.post("/api/v1/pools", legacy).await.body["id"].as_i64().expect("pool");
    let adopted = admin.post("/api/v1/contracts/from-pools", json!({})).await;
    assert_eq!(adopted.status, StatusCode::OK, "{}", adopted.body);
    let link = entries(&app, "pool.contract_link", legacy).await;
    assert_eq!(link.len(), 1);
    assert_eq!(link[0].0, json!({"contract_id": null}));
    assert!(link[0].1["contract_id"].as_i64().is_some());

    // The Graph import ledgers the department and cost centre it creates.
    let graph = json!({"value": [{"id": "g-1", "userPrincipalName": "new.lab@example.com", "displayName": "New Lab",
        "accountEnabled": true, "department": "Quantum Lab", "employeeId": "E9001",
        "employeeOrgData": {"costCenter": "CC-987"}, "assignedLicenses": [], "licenseAssignmentStates": []}]});
    let preview =
        admin.post_raw("/api/v1/imports/graph-users", "application/json", graph.to_string().into_bytes()).await;
    assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.body);
    let import = preview.body["id"].as_i64().expect("id");
    assert_eq!(admin.post(&format!("/api/v1/imports/{import}/apply"), json!({})).await.status, StatusCode::OK);
    let lab = department(&app, "Quantum Lab").await;
    assert_eq!(entries(&app, "department.create", lab).await, [(Value::Null, json!("Quantum Lab"))]);
    let cc = app.id_of("SELECT id FROM cost_centres WHERE code = 'CC-987'").await;
    assert_eq!(entries(&app, "cost_centre.create", cc).await, [(Value::Null, json!("CC-987"))]);

    // The HR import ledgers each new person with the manager it links them to (new in the same file).
    let csv = "employee_id,first_name,last_name,email,department,cost_centre,manager_employee_id,employment_type,status,start_date,end_date\n\
               E9100,Mia,Boss,mia.boss@example.com,Design,CC-100,,employee,active,2020-01-01,\n\
               E9101,Ned,Report,ned.report@example.com,Design,CC-100,E9100,employee,active,2021-01-01,\n";
    let preview = admin.post_raw("/api/v1/imports/hr?filename=hr.csv", "text/csv", csv.as_bytes().to_vec()).await;
    assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.body);
    let import = preview.body["id"].as_i64().expect("id");
    assert_eq!(admin.post(&format!("/api/v1/imports/{import}/apply"), json!({})).await.status, StatusCode::OK);
    let mia = app.id_of("SELECT id FROM people WHERE employee_id = 'E9100'").await;
    let ned = app.id_of("SELECT id FROM people WHERE employee_id = 'E9101'").await;
    let created = entries(&app, "person.create", ned).await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].1["manager_id"], json!(mia), "{created:?}");

    assert_eq!(admin.post("/api/v1/ledger/verify", json!({})).await.body["ok"], true);
}

/// Parallel assignments of one alert: each either wins or answers 409, and the ledger's "before" of every
/// assignment is the state the previous one left (no change built on a stale read).
#[tokio::test]
async fn parallel_assignments_chain_the_ledger_or_conflict() {
    let app = spawn_opts(Options { demo: true, smtp: false, ..Default::default() }).await;
    let owner = app.owner().await;
    let alerts = owner_alerts(&app, &owner).await;
    let (id, _) = alerts[0];
    let admin_id = app.id_of("SELECT id FROM users WHERE email = 'admin@example.com'").await;
    let owner_id = app.id_of("SELECT id FROM users WHERE email = 'owner@example.com'").await;
    let second = app.another_instance().await;
    let other = second.owner().await;
    let path = format!("/api/v1/alerts/{id}/assign");
    let mut calls = Vec::new();
    for i in 0..12 {
        let (client, user) = if i % 2 == 0 { (&owner, admin_id) } else { (&other, owner_id) };
        calls.push(client.post(&path, json!({"user_id": user})));
    }
    let replies = futures_join_all(calls).await;
    let won = replies.iter().filter(|r| r.status == StatusCode::OK).count();
    assert!(won >= 1, "at least one assignment wins");
    for r in &replies {
        assert!(matches!(r.status, StatusCode::OK | StatusCode::CONFLICT), "{}", r.body);
    }
    let rows: Vec<(Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT before_json, after_json FROM ledger_entries WHERE action = 'alert.assign' AND record_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(&app.db.read)
    .await
    .expect("ledger");
    assert_eq!(rows.len(), won, "one entry per winning assignment");
    let parse = |s: &Option<String>| -> Value { serde_json::from_str(s.as_deref().expect("json")).expect("json") };
    for pair in rows.windows(2) {
        assert_eq!(parse(&pair[1].0)["assigned_to"], parse(&pair[0].1)["assigned_to"], "before is the previous after");
    }
}

/// Run the requests concurrently on this task (the clients borrow the test's apps).
async fn futures_join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, slot) in pinned.iter_mut().zip(out.iter_mut()) {
            if slot.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().flatten().collect()
}
