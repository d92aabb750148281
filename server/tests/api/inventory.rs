//! Pools: create, edit, seats, list filters, and bad input that changes nothing.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{pool_body, spawn};

#[tokio::test]
async fn create_and_edit_return_the_stored_record_and_land_in_the_ledger() {
    let app = spawn().await;
    let owner = app.owner().await;
    let before = app.ledger_len().await;
    let created = owner.post("/api/v1/pools", pool_body(&app, "Linear Business", "Engineering").await).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let p = &created.body;
    assert_eq!(p["annual_cost"], json!({"amount_minor": 1600 * 12 * 10, "currency": "USD"}));
    assert_eq!(p["cancel_by"], "2026-12-01");
    assert_eq!(p["seats_assigned"], 0);
    assert_eq!(p["utilization_percent"], 0);
    assert_eq!(app.ledger_len().await, before + 1);
    let id = p["id"].as_i64().unwrap();

    let mut body = pool_body(&app, "Linear Business", "Engineering").await;
    body["seats_purchased"] = json!(25);
    body["unit_cost"] = json!({"amount_minor": 4170, "currency": "eur"});
    let updated = owner.put(&format!("/api/v1/pools/{id}"), body).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["seats_purchased"], 25);
    assert_eq!(updated.body["unit_cost"], json!({"amount_minor": 4170, "currency": "EUR"}));

    let history = owner.get(&format!("/api/v1/pools/{id}/history")).await;
    let entries = history.body["items"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["action"], "pool.update");
    assert_eq!(entries[0]["actor"], "owner@example.com");
    assert_eq!(entries[0]["before"]["seats_purchased"], 10);
    assert_eq!(entries[0]["after"]["seats_purchased"], 25);
    assert_eq!(entries[1]["action"], "pool.create");
}

#[tokio::test]
async fn bad_payloads_are_rejected_with_field_paths_and_write_nothing() {
    let app = spawn().await;
    let admin = app.admin().await;
    let good = pool_body(&app, "Validation pool", "Engineering").await;
    let pools = app.count("pools").await;
    let ledger = app.ledger_len().await;

    let cases: Vec<(serde_json::Value, StatusCode, Vec<&str>)> = vec![
        (
            {
                let mut b = good.clone();
                b["seats_purchased"] = json!(-5);
                b
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["seats_purchased"],
        ),
        (
            {
                let mut b = good.clone();
                b["contract_end"] = json!("2025-06-30");
                b
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["contract_end"],
        ),
        (
            {
                let mut b = good.clone();
                b["unit_cost"]["currency"] = json!("ZZZ");
                b
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["unit_cost.currency"],
        ),
        (
            {
                let mut b = good.clone();
                b["unit_cost"]["amount_minor"] = json!(-1);
                b
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["unit_cost.amount_minor"],
        ),
        (
            {
                let mut b = good.clone();
                b["seats_purchased"] = json!("ten");
                b
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["seats_purchased"],
        ),
        (
            {
                let mut b = good.clone();
                b["unit_cost"]["amount_minor"] = json!(41.7);
                b
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["unit_cost.amount_minor"],
        ),
        (
            {
                let mut b = good.clone();
                b["license_type"] = json!("per_galaxy");
                b
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["license_type"],
        ),
        (
            {
                let mut b = good.clone();
                b["contract_start"] = json!("2026-02-30");
                b
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["contract_start"],
        ),
        (
            {
                let mut b = good.clone();
                b.as_object_mut().unwrap().remove("name");
                b
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["name"],
        ),
        (
            {
                let mut b = good.clone();
                b["product_id"] = json!(999999);
                b["department_id"] = json!(999999);
                b
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["product_id", "department_id"],
        ),
        (
            {
                let mut b = good.clone();
                b["license_type"] = json!("site");
                b
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["seats_purchased"],
        ),
        (
            {
                let mut b = good.clone();
                b["notice_days"] = json!(-1);
                b["name"] = json!(" ");
                b
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["name", "notice_days"],
        ),
        (
            {
                let mut b = good.clone();
                b["seats_purchased"] = json!(9_223_372_036_854_775_807_i64);
                b
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["seats_purchased"],
        ),
    ];
    for (body, status, paths) in cases {
        let r = admin.post("/api/v1/pools", body.clone()).await;
        assert_eq!(r.status, status, "{body} -> {}", r.body);
        assert_eq!(r.body["error"]["code"], "validation_failed");
        assert_eq!(r.field_paths(), paths, "{body} -> {}", r.body);
    }
    let malformed = admin.post_raw("/api/v1/pools", "application/json", b"{\"name\": ".to_vec()).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.body["error"]["code"], "bad_request");
    let not_json = admin.post_raw("/api/v1/pools", "text/plain", b"name=x".to_vec()).await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = admin.post_raw("/api/v1/pools", "application/json", vec![b' '; 2 * 1024 * 1024]).await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    let array = admin.post_raw("/api/v1/pools", "application/json", b"[1,2]".to_vec()).await;
    assert_eq!(array.status, StatusCode::UNPROCESSABLE_ENTITY);

    assert_eq!(app.count("pools").await, pools, "nothing written");
    assert_eq!(app.ledger_len().await, ledger, "nothing ledgered");
}

#[tokio::test]
async fn bad_query_parameters_are_named() {
    let app = spawn().await;
    let c = app.finance().await;
    for (q, path) in [
        ("per_page=501", "per_page"),
        ("page=0", "page"),
        ("page=9223372036854775807", "page"),
        ("sort=-price", "sort"),
        ("expiring_within_days=-1", "expiring_within_days"),
    ] {
        let r = c.get(&format!("/api/v1/pools?{q}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        assert_eq!(r.field_paths(), [path]);
    }
    // A value the parameter cannot hold is a sentence naming it, like any invalid field.
    let r = c.get("/api/v1/pools?vendor_id=abc").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field_paths(), ["vendor_id"]);
    assert_eq!(r.body["error"]["message"], "The query parameter vendor_id must be a whole number.", "{}", r.body);
    assert_eq!(c.get("/api/v1/pools/abc").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(c.get("/api/v1/nothing-here").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn filters_sorting_and_paging() {
    let app = spawn().await;
    let c = app.finance().await;
    let all = c.get("/api/v1/pools?per_page=500").await;
    let total = all.body["total"].as_i64().unwrap();
    assert_eq!(total, 40);

    let microsoft = app.id_of("SELECT id FROM vendors WHERE name = 'Microsoft'").await;
    let r = c.get(&format!("/api/v1/pools?vendor_id={microsoft}")).await;
    assert_eq!(r.body["total"], 4);
    assert!(r.body["items"].as_array().unwrap().iter().all(|p| p["vendor"]["name"] == "Microsoft"));

    let r = c.get("/api/v1/pools?q=CREATIVE").await;
    assert_eq!(r.body["total"], 2, "search is case-insensitive over pool names");
    let r = c.get("/api/v1/pools?q=atlassian").await;
    assert_eq!(r.body["total"], 3, "and over vendor names");

    let over = c.get("/api/v1/pools?over_assigned=true&per_page=500").await;
    let items = over.body["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items
        .iter()
        .all(|p| p["over_assigned"] == true && p["seats_assigned"].as_i64() > p["seats_purchased"].as_i64()));

    let under = c.get("/api/v1/pools?under_used=true&per_page=500").await;
    assert!(under.body["items"].as_array().unwrap().iter().all(|p| p["utilization_percent"].as_i64().unwrap() < 50));

    let soon = c.get("/api/v1/pools?expiring_within_days=45&per_page=500").await;
    for p in soon.body["items"].as_array().unwrap() {
        let end = p["contract_end"].as_str().unwrap();
        assert!(("2026-11-23"..="2027-01-07").contains(&end), "{end}");
    }
    assert!(soon.body["total"].as_i64().unwrap() > 0);

    let sorted = c.get("/api/v1/pools?sort=-annual_cost&per_page=500").await;
    let costs: Vec<i64> = sorted.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["annual_cost"]["amount_minor"].as_i64().unwrap())
        .collect();
    assert!(costs.windows(2).all(|w| w[0] >= w[1]), "{costs:?}");
    let by_util = c.get("/api/v1/pools?sort=utilization&per_page=500").await;
    let utils: Vec<Option<i64>> =
        by_util.body["items"].as_array().unwrap().iter().map(|p| p["utilization_percent"].as_i64()).collect();
    let known: Vec<i64> = utils.iter().flatten().copied().collect();
    assert!(known.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(utils.last().unwrap(), &None, "pools without a seat count sort last");

    let page2 = c.get("/api/v1/pools?per_page=15&page=2&sort=name").await;
    assert_eq!(page2.body["page"], 2);
    assert_eq!(page2.body["per_page"], 15);
    assert_eq!(page2.body["items"].as_array().unwrap().len(), 15);
    let page3 = c.get("/api/v1/pools?per_page=15&page=3&sort=name").await;
    assert_eq!(page3.body["items"].as_array().unwrap().len(), 10);

    let summary = c.get("/api/v1/inventory/summary").await;
    assert_eq!(summary.body["pools"], 40);
}

#[tokio::test]
async fn seats_respect_capacity_and_terminated_people() {
    let app = spawn().await;
    let owner = app.owner().await;
    let mut body = pool_body(&app, "Tiny pool", "Engineering").await;
    body["seats_purchased"] = json!(1);
    let id = owner.post("/api/v1/pools", body).await.body["id"].as_i64().unwrap();
    let eng = app.id_of("SELECT id FROM departments WHERE name = 'Engineering'").await;
    let active =
        app.id_of(&format!("SELECT MIN(id) FROM people WHERE status = 'active' AND department_id = {eng}")).await;
    let second =
        app.id_of(&format!("SELECT MAX(id) FROM people WHERE status = 'active' AND department_id = {eng}")).await;
    let gone = app.id_of("SELECT MIN(id) FROM people WHERE status = 'terminated'").await;

    let r = owner.post(&format!("/api/v1/pools/{id}/assignments"), json!({"person_id": gone})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["error"]["fields"][0]["message"].as_str().unwrap().contains("terminated"));

    let r = owner.post(&format!("/api/v1/pools/{id}/assignments"), json!({"person_id": active})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let seat = r.body["id"].as_i64().unwrap();
    assert_eq!(r.body["assigned_by"], "owner@example.com");

    let full = owner.post(&format!("/api/v1/pools/{id}/assignments"), json!({"person_id": second})).await;
    assert_eq!(full.status, StatusCode::CONFLICT);
    let detail = owner.get(&format!("/api/v1/pools/{id}/detail")).await;
    assert_eq!(detail.body["pool"]["seats_assigned"], 1);
    assert_eq!(detail.body["pool"]["utilization_percent"], 100);
    assert_eq!(detail.body["assignments"]["items"][0]["person"]["id"], active);

    assert_eq!(owner.delete(&format!("/api/v1/pools/{id}/assignments/{seat}")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(owner.delete(&format!("/api/v1/pools/{id}/assignments/{seat}")).await.status, StatusCode::NOT_FOUND);
    let history = owner.get(&format!("/api/v1/pools/{id}/history")).await;
    let actions: Vec<&str> =
        history.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["pool.seat_unassign", "pool.seat_assign", "pool.create"]);
}

#[tokio::test]
async fn concurrent_seat_assignments_never_exceed_capacity() {
    let app = spawn().await;
    let admin = std::sync::Arc::new(app.admin().await);
    let mut body = pool_body(&app, "Contended pool", "Engineering").await;
    body["seats_purchased"] = json!(5);
    let id = admin.post("/api/v1/pools", body).await.body["id"].as_i64().unwrap();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let admin = admin.clone();
        tasks.push(tokio::spawn(async move {
            admin
                .post(&format!("/api/v1/pools/{id}/assignments"), json!({"device": format!("DEVICE-{i}")}))
                .await
                .status
        }));
    }
    let mut created = 0;
    for t in tasks {
        if t.await.unwrap() == StatusCode::CREATED {
            created += 1;
        }
    }
    assert_eq!(created, 5);
    assert_eq!(app.count(&format!("seat_assignments WHERE pool_id = {id}")).await, 5);
    let verify = admin.post("/api/v1/ledger/verify", json!({})).await;
    assert_eq!(verify.body["ok"], true, "{}", verify.body);
}

#[tokio::test]
async fn the_generator_builds_a_consistent_company() {
    let app = crate::common::spawn_with(false).await;
    let size = seatwise_server::generate::Size {
        people: 2_000,
        pools: 60,
        assignments: 10_000,
        seed: 7,
        contracts: true,
        products: 100,
        usage: true,
    };
    seatwise_server::generate::run(&app.state.db, &*app.state.clock, &size).await.unwrap();
    assert_eq!(app.count("people").await, 2_000);
    assert_eq!(app.count("pools").await, 60);
    assert_eq!(app.count("seat_assignments").await, 10_000);
    assert_eq!(app.count("contracts").await, 60, "one contract per pool");
    assert_eq!(app.count("pools WHERE contract_id IS NULL").await, 0);
    let mismatched = app
        .count("pools p WHERE p.seats_assigned <> (SELECT COUNT(*) FROM seat_assignments a WHERE a.pool_id = p.id)")
        .await;
    assert_eq!(mismatched, 0, "seat counters match the rows");
    let duplicates = app
        .count("(SELECT pool_id, person_id FROM seat_assignments GROUP BY pool_id, person_id HAVING COUNT(*) > 1) d")
        .await;
    assert_eq!(duplicates, 0, "nobody holds two seats in one pool");
    // A second run refuses to mix generated data into an existing company.
    assert!(seatwise_server::generate::run(&app.state.db, &*app.state.clock, &size).await.is_err());
    assert!(seatwise_server::service::ledger::verify(&app.db).await.unwrap().ok);
}

/// The summary's figures, from the pools the list gives with the same filters (every page).
async fn summed(c: &crate::common::Client, filters: &str) -> (i64, i64, i64, std::collections::BTreeMap<String, i64>) {
    let list = c.get(&format!("/api/v1/pools?per_page=500&{filters}")).await;
    let items = list.body["items"].as_array().unwrap().clone();
    assert_eq!(list.body["total"].as_i64(), Some(items.len() as i64));
    let mut costs = std::collections::BTreeMap::new();
    for p in &items {
        let cost = &p["annual_cost"];
        *costs.entry(cost["currency"].as_str().unwrap().to_string()).or_insert(0) +=
            cost["amount_minor"].as_i64().unwrap();
    }
    let purchased = items.iter().filter_map(|p| p["seats_purchased"].as_i64()).sum();
    let assigned = items.iter().filter_map(|p| p["seats_assigned"].as_i64()).sum();
    (items.len() as i64, purchased, assigned, costs)
}

#[tokio::test]
async fn the_summary_counts_exactly_the_pools_the_filtered_list_shows() {
    let app = spawn().await;
    let cc = app.id_of("SELECT MIN(cost_centre_id) FROM pools").await;
    let vendor = app.id_of("SELECT id FROM vendors WHERE name = 'Microsoft'").await;
    for (who, c) in [("admin", app.admin().await), ("owner", app.owner().await), ("finance", app.finance().await)] {
        for filters in [
            String::new(),
            format!("cost_centre_id={cc}"),
            format!("vendor_id={vendor}&over_assigned=true"),
            "q=zoom".to_string(),
            "expiring_within_days=90&under_used=true".to_string(),
            "page=2&per_page=5&sort=-annual_cost".to_string(),
        ] {
            let (pools, purchased, assigned, costs) = summed(&c, &filters.replace("page=2&per_page=5&", "")).await;
            let s = c.get(&format!("/api/v1/inventory/summary?{filters}")).await;
            assert_eq!(s.status, StatusCode::OK, "{who} {filters}: {}", s.body);
            let summary_costs: std::collections::BTreeMap<String, i64> = s.body["annual_cost"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| (m["currency"].as_str().unwrap().to_string(), m["amount_minor"].as_i64().unwrap()))
                .collect();
            let got = (s.body["pools"].as_i64().unwrap(), s.body["seats_purchased"].as_i64().unwrap());
            assert_eq!(got, (pools, purchased), "{who} {filters}: {}", s.body);
            assert_eq!(s.body["seats_assigned"].as_i64().unwrap(), assigned, "{who} {filters}");
            assert_eq!(summary_costs, costs, "{who} {filters}");
        }
    }
    let one = app.admin().await.get(&format!("/api/v1/inventory/summary?cost_centre_id={cc}")).await;
    assert!(one.body["pools"].as_i64().unwrap() < 40, "a cost centre is not the whole company: {}", one.body);
    let bad = app.admin().await.get("/api/v1/inventory/summary?expiring_within_days=9999").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// A pool's seats page with their total, search by name or e-mail, filter by status and by last sign-in, and hand
/// over the holders of every matching seat (all pages) for a change request.
#[tokio::test]
async fn seat_lists_page_search_filter_and_take_all_matching() {
    let app = spawn().await;
    let owner = app.owner().await;
    let e3 = app.pool_id("Microsoft 365 E3").await;
    let held = app.id_of_owned(format!("SELECT COUNT(*) FROM seat_assignments WHERE pool_id = {e3}")).await;
    assert!(held > 250, "a pool of more seats than one page");
    let seats = |query: String| {
        let owner = &owner;
        async move {
            let r = owner.get(&format!("/api/v1/pools/{e3}/assignments?{query}")).await;
            assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.body);
            r.body
        }
    };
    // Paging: every seat once, with the total on each page.
    let mut seen = std::collections::BTreeSet::new();
    for page in 1..=6 {
        let body = seats(format!("per_page=50&page={page}")).await;
        assert_eq!(body["total"], held);
        for a in body["items"].as_array().unwrap() {
            assert!(seen.insert(a["id"].as_i64().unwrap()), "a seat on two pages");
        }
    }
    assert_eq!(seen.len() as i64, held);

    // Search by name and by e-mail; the status filter counts what the database holds.
    let first = seats("sort=name&per_page=3".into()).await;
    let holders: Vec<(String, String)> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["person"]["name"].as_str().unwrap().into(), a["person"]["email"].as_str().unwrap().into()))
        .collect();
    let by_name = seats(format!("q={}", holders[0].0.replace(' ', "%20"))).await;
    assert!(by_name["items"].as_array().unwrap().iter().all(|a| a["person"]["name"] == holders[0].0.as_str()));
    assert_eq!(seats(format!("q={}", holders[1].1.to_uppercase())).await["total"], 1);
    let left = app
        .id_of_owned(format!(
            "SELECT COUNT(*) FROM seat_assignments a JOIN people p ON p.id = a.person_id \
             WHERE a.pool_id = {e3} AND p.status = 'terminated'"
        ))
        .await;
    assert!(left > 0);
    let terminated = seats("status=terminated&per_page=500".into()).await;
    assert_eq!(terminated["total"], left);
    assert!(terminated["items"].as_array().unwrap().iter().all(|a| a["person"]["status"] == "terminated"));

    // Usage: one holder signed in 10 days ago, one 200 days ago, one is known and never did; the rest have no data.
    let now = crate::common::test_now();
    let ago = |d: i64| (now - chrono::Duration::days(d)).to_rfc3339();
    let csv = format!(
        "email,pool,last_used_at\n{},{e3},{}\n{},{e3},{}\n{},{e3},\n",
        holders[0].1,
        ago(10),
        holders[1].1,
        ago(200),
        holders[2].1
    );
    let admin = app.admin().await;
    let r = admin.post_raw("/api/v1/imports/usage?source=signin-log", "text/csv", csv.into_bytes()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(admin.post(&format!("/api/v1/imports/{id}/apply"), json!({})).await.status, StatusCode::OK);
    let idle = seats("no_signin_days=90".into()).await;
    let mut idle_names: Vec<&str> =
        idle["items"].as_array().unwrap().iter().map(|a| a["person"]["name"].as_str().unwrap()).collect();
    idle_names.sort();
    let mut want = vec![holders[1].0.as_str(), holders[2].0.as_str()];
    want.sort();
    assert_eq!((idle["total"].as_i64(), idle_names), (Some(2), want), "no data is never counted as unused");
    assert_eq!(seats("no_usage_data=true".into()).await["total"], held - 3);
    let latest = seats("sort=-last_sign_in&per_page=3".into()).await;
    let first = &latest["items"][0];
    assert_eq!(first["person"]["name"], holders[0].0.as_str());
    assert_eq!(first["last_sign_in"]["source"], "signin-log");
    assert_eq!(first["last_sign_in"]["at"].as_str().unwrap()[..10], ago(10)[..10]);
    let never = &latest["items"][2];
    assert_eq!(
        (never["last_sign_in"]["at"].clone(), never["last_sign_in"]["source"].clone()),
        (json!(null), json!("signin-log"))
    );
    assert_eq!(seats("sort=last_sign_in&per_page=1".into()).await["items"][0]["last_sign_in"], json!(null));

    // Every matching seat's holder, across pages, for a change request over "all N matching".
    let all = owner.get(&format!("/api/v1/pools/{e3}/assignments/holders?status=terminated")).await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(all.body["person_ids"].as_array().unwrap().len() as i64 + all.body["devices"].as_i64().unwrap(), left);
    let everyone = owner.get(&format!("/api/v1/pools/{e3}/assignments/holders")).await;
    let ids = everyone.body["person_ids"].as_array().unwrap().len() as i64;
    assert_eq!(ids + everyone.body["devices"].as_i64().unwrap(), held);

    // Bad filters are named; another department's pool is as missing as none.
    for (query, field) in
        [("no_signin_days=-1", "no_signin_days"), ("sort=salary", "sort"), ("per_page=501", "per_page")]
    {
        let r = owner.get(&format!("/api/v1/pools/{e3}/assignments?{query}")).await;
        assert_eq!((r.status, r.field_paths()), (StatusCode::UNPROCESSABLE_ENTITY, vec![field.to_string()]), "{query}");
    }
    let r = owner.get(&format!("/api/v1/pools/{e3}/assignments/holders?per_page=0")).await;
    assert_eq!(r.field_paths(), ["per_page"], "the list's query is checked as the list checks it");
    let sales = app.pool_id("Sales Cloud Enterprise").await;
    assert_eq!(owner.get(&format!("/api/v1/pools/{sales}/assignments/holders")).await.status, StatusCode::NOT_FOUND);
}

/// The approval policy says whether license owners may still take back a single seat at once; when it says no,
/// the pool page offers no such button and the server refuses, while admins keep the direct way.
#[tokio::test]
async fn owners_take_back_one_seat_directly_only_while_the_policy_lets_them() {
    let app = spawn().await;
    let (owner, admin) = (app.owner().await, app.admin().await);
    let jira = app.pool_id("Jira Software Premium").await;
    let seats = |n: i64| {
        app.id_of_owned(format!(
            "SELECT id FROM seat_assignments WHERE pool_id = {jira} ORDER BY id LIMIT 1 OFFSET {n}"
        ))
    };
    let detail = owner.get(&format!("/api/v1/pools/{jira}/detail")).await;
    assert_eq!((detail.body["can_edit"].as_bool(), detail.body["can_take_back"].as_bool()), (Some(true), Some(true)));
    let first = seats(0).await;
    assert_eq!(owner.delete(&format!("/api/v1/pools/{jira}/assignments/{first}")).await.status, StatusCode::NO_CONTENT);

    let mut policy = admin.get("/api/v1/approval-policy").await.body;
    assert_eq!(policy["owners_take_back_directly"], true, "on unless turned off");
    policy["owners_take_back_directly"] = json!(false);
    let saved = admin.put("/api/v1/approval-policy", policy).await;
    assert_eq!((saved.status, saved.body["owners_take_back_directly"].as_bool()), (StatusCode::OK, Some(false)));

    let detail = owner.get(&format!("/api/v1/pools/{jira}/detail")).await;
    assert_eq!((detail.body["can_edit"].as_bool(), detail.body["can_take_back"].as_bool()), (Some(true), Some(false)));
    let second = seats(0).await;
    let before = app.ledger_len().await;
    let refused = owner.delete(&format!("/api/v1/pools/{jira}/assignments/{second}")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.body["error"]["message"].as_str().unwrap().contains("change request"));
    assert_eq!(app.ledger_len().await, before, "nothing taken");
    assert_eq!(admin.get(&format!("/api/v1/pools/{jira}/detail")).await.body["can_take_back"], true);
    assert_eq!(
        admin.delete(&format!("/api/v1/pools/{jira}/assignments/{second}")).await.status,
        StatusCode::NO_CONTENT
    );
}

/// A pool's history in words: a change request's rows are one group, linked to it, with its reason and each row
/// naming the person; a change by hand stands alone.
#[tokio::test]
async fn pool_history_reads_in_words_grouped_by_what_made_it() {
    let app = spawn().await;
    let (owner, approver) = (app.owner().await, app.approver().await);
    let jira = app.pool_id("Jira Software Premium").await;
    let holders: Vec<(i64, String)> = sqlx::query_as(
        "SELECT p.id, p.name FROM seat_assignments a JOIN people p ON p.id = a.person_id WHERE a.pool_id = $1 \
         ORDER BY a.id LIMIT 2",
    )
    .bind(jira)
    .fetch_all(&app.db.read)
    .await
    .unwrap();
    let ops: Vec<_> =
        holders.iter().map(|(id, _)| json!({"op": "unassign", "pool_id": jira, "person_id": id})).collect();
    let body = json!({"title": "Two leavers", "reason": "Left in November", "operations": ops});
    let id = owner.post("/api/v1/change-requests", body).await.body["id"].as_i64().unwrap();
    assert_eq!(owner.post(&format!("/api/v1/change-requests/{id}/submit"), json!({})).await.status, StatusCode::OK);
    assert_eq!(approver.post(&format!("/api/v1/change-requests/{id}/approve"), json!({})).await.status, StatusCode::OK);
    let applied = approver.post(&format!("/api/v1/change-requests/{id}/apply"), json!({})).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    let seat = app.id_of_owned(format!("SELECT MIN(id) FROM seat_assignments WHERE pool_id = {jira}")).await;
    assert_eq!(owner.delete(&format!("/api/v1/pools/{jira}/assignments/{seat}")).await.status, StatusCode::NO_CONTENT);

    let r = owner.get(&format!("/api/v1/pools/{jira}/activity")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let groups = r.body["items"].as_array().unwrap();
    assert!(groups[0]["title"].as_str().unwrap().starts_with("Took back the seat of "), "{}", groups[0]);
    assert_eq!((groups[0]["link"].clone(), groups[0]["actor"].as_str()), (json!(null), Some("owner@example.com")));
    let request = &groups[1];
    assert_eq!(
        request["link"],
        json!({"kind": "change_request", "id": id, "label": format!("Change request #{id} “Two leavers”")})
    );
    assert_eq!((request["title"].as_str(), request["why"].as_str()), (Some("2 changes"), Some("Left in November")));
    let mut lines: Vec<String> =
        request["lines"].as_array().unwrap().iter().map(|l| l["text"].as_str().unwrap().into()).collect();
    lines.sort();
    let mut want: Vec<String> = holders.iter().map(|(_, n)| format!("Took back the seat of {n}")).collect();
    want.sort();
    assert_eq!(lines, want);
    assert_eq!(groups.last().unwrap()["title"], "Created the pool");
    let sales = app.pool_id("Sales Cloud Enterprise").await;
    assert_eq!(owner.get(&format!("/api/v1/pools/{sales}/activity")).await.status, StatusCode::NOT_FOUND);
}
