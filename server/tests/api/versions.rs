//! Concurrent writers: every editable record carries a version (`ETag` / `If-Match`), a stale write answers 409
//! and changes nothing, the ledger's "before" is read under the write's lock, and a delete that deleted nothing
//! answers 404 without a ledger entry. The concurrency tests run two server instances on one database.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{pool_body, spawn, Client, Reply, TestApp};

/// A write with `If-Match`.
async fn send_if(c: &Client, method: Method, path: &str, body: Option<Value>, if_match: &str) -> Reply {
    c.send_with(method, path, body, &[("If-Match", if_match)]).await
}

async fn put_if(c: &Client, path: &str, body: Value, version: i64) -> Reply {
    send_if(c, Method::PUT, path, Some(body), &format!("\"{version}\"")).await
}

fn etag(r: &Reply) -> Option<String> {
    r.headers.get("etag").and_then(|v| v.to_str().ok()).map(str::to_string)
}

fn version(v: &Value) -> i64 {
    v["version"].as_i64().unwrap_or_else(|| panic!("no version in {v}"))
}

/// One record type under the protocol: `get` answers the record (picked out of the GET body), `put` changes it.
struct Record<'a> {
    get_path: String,
    /// Whether the GET answers this one record (with its ETag) rather than a list it is part of.
    get_one: bool,
    put_path: String,
    pick: &'a dyn Fn(&Value) -> Value,
    fresh: Value,
    stale: Value,
}

/// Fresh If-Match: 200, version + 1 and the new ETag. Stale If-Match: 409 `conflict`, the record and the ledger
/// unchanged. A malformed If-Match: 400. Without If-Match: unconditional, still counted.
async fn check_record(app: &TestApp, c: &Client, r: Record<'_>) {
    let got = c.get(&r.get_path).await;
    assert_eq!(got.status, StatusCode::OK, "{}: {}", r.get_path, got.body);
    let v = version(&(r.pick)(&got.body));
    if r.get_one {
        assert_eq!(etag(&got), Some(format!("\"{v}\"")), "GET {} carries the version as ETag", r.get_path);
    }

    let ok = put_if(c, &r.put_path, r.fresh.clone(), v).await;
    assert_eq!(ok.status, StatusCode::OK, "{}: {}", r.put_path, ok.body);
    assert_eq!(version(&(r.pick)(&ok.body)), v + 1, "{}", r.put_path);
    assert_eq!(etag(&ok), Some(format!("\"{}\"", v + 1)), "{}", r.put_path);
    let current = (r.pick)(&c.get(&r.get_path).await.body);
    assert_eq!(version(&current), v + 1);

    let ledger = app.ledger_len().await;
    let stale = put_if(c, &r.put_path, r.stale.clone(), v).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}: {}", r.put_path, stale.body);
    assert_eq!(stale.body["error"]["code"], "conflict", "{}", stale.body);
    assert_eq!(app.ledger_len().await, ledger, "a stale write is not ledgered: {}", r.put_path);
    assert_eq!((r.pick)(&c.get(&r.get_path).await.body), current, "a stale write changes nothing: {}", r.put_path);

    let bad = send_if(c, Method::PUT, &r.put_path, Some(r.stale.clone()), "\"not-a-version\"").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert_eq!((r.pick)(&c.get(&r.get_path).await.body), current);

    let blind = c.put(&r.put_path, r.stale.clone()).await;
    assert_eq!(blind.status, StatusCode::OK, "without If-Match the write is unconditional: {}", blind.body);
    assert_eq!(version(&(r.pick)(&blind.body)), v + 2);
    assert_eq!(app.ledger_len().await, ledger + 1);
}

fn same(v: &Value) -> Value {
    v.clone()
}

#[tokio::test]
async fn pools_are_versioned() {
    let app = spawn().await;
    let owner = app.owner().await;
    let created = owner.post("/api/v1/pools", pool_body(&app, "Versioned pool", "Engineering").await).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(version(&created.body), 1);
    let id = created.body["id"].as_i64().expect("id");
    let mut fresh = pool_body(&app, "Versioned pool", "Engineering").await;
    fresh["seats_purchased"] = json!(11);
    let mut stale = fresh.clone();
    stale["seats_purchased"] = json!(99);
    let path = format!("/api/v1/pools/{id}");
    check_record(
        &app,
        &owner,
        Record { get_path: path.clone(), get_one: true, put_path: path, pick: &same, fresh, stale },
    )
    .await;
}

/// Contract writes change a pool's contract link and dates, so they move its version: a pool form opened before
/// them cannot put the old dates back.
#[tokio::test]
async fn contract_writes_move_the_versions_of_the_pools_they_change() {
    let app = spawn().await;
    let owner = app.owner().await;
    let body = pool_body(&app, "Covered later", "Engineering").await;
    let created = owner.post("/api/v1/pools", body.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_i64().expect("id");
    let opened = version(&created.body);
    let vendor = app.id_of("SELECT id FROM vendors WHERE name = 'Atlassian'").await;
    let contract = owner
        .post(
            "/api/v1/contracts",
            json!({"vendor_id": vendor, "number": "V-1", "title": "Covers the pool", "term_start": "2026-01-01",
                "term_end": "2026-12-31", "term_months": 12, "auto_renew": false, "notice_days": 30, "pool_ids": [id]}),
        )
        .await;
    assert_eq!(contract.status, StatusCode::CREATED, "{}", contract.body);
    let now = owner.get(&format!("/api/v1/pools/{id}")).await;
    assert!(version(&now.body) > opened, "{}", now.body);
    assert_eq!(now.body["contract_end"], "2026-12-31");
    let r = put_if(&owner, &format!("/api/v1/pools/{id}"), body, opened).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(owner.get(&format!("/api/v1/pools/{id}")).await.body["contract_end"], "2026-12-31");
}

#[tokio::test]
async fn contracts_are_versioned_and_a_watch_toggle_counts() {
    let app = spawn().await;
    let admin = app.admin().await;
    let pool = admin.post("/api/v1/pools", pool_body(&app, "Under contract", "Engineering").await).await;
    assert_eq!(pool.status, StatusCode::CREATED, "{}", pool.body);
    let (pool, vendor) = (pool.body["id"].as_i64().expect("id"), pool.body["vendor"]["id"].as_i64().expect("vendor"));
    let body = |title: &str| {
        json!({"vendor_id": vendor, "number": "V-1", "title": title, "term_start": "2026-01-01",
            "term_end": "2026-12-31", "term_months": 12, "auto_renew": false, "notice_days": 30, "pool_ids": [pool]})
    };
    let created = admin.post("/api/v1/contracts", body("First")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_i64().expect("id");
    let get_path = format!("/api/v1/contracts/{id}");
    let pick = |v: &Value| if v.get("contract").is_some() { v["contract"].clone() } else { v.clone() };
    check_record(
        &app,
        &admin,
        Record {
            get_path: get_path.clone(),
            get_one: true,
            put_path: get_path.clone(),
            pick: &pick,
            fresh: body("Second"),
            stale: body("Stale"),
        },
    )
    .await;

    // Watching changes the watcher list the edit form saves: an edit opened before it is stale.
    let v = version(&admin.get(&get_path).await.body["contract"]);
    let watched = admin.put(&format!("/api/v1/contracts/{id}/watch"), json!({"watching": true})).await;
    assert_eq!(watched.status, StatusCode::OK, "{}", watched.body);
    assert_eq!(version(&watched.body["contract"]), v + 1);
    assert_eq!(put_if(&admin, &get_path, body("Lost"), v).await.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn settings_are_versioned() {
    let app = spawn().await;
    let admin = app.admin().await;
    let settings = |tz: &str| json!({"timezone": tz, "alert_stages": [90, 60, 30], "rolling_review_months": 3, "daily_run_hour": 6});
    let path = "/api/v1/settings".to_string();
    check_record(
        &app,
        &admin,
        Record {
            get_path: path.clone(),
            get_one: true,
            put_path: path,
            pick: &same,
            fresh: settings("Europe/Berlin"),
            stale: settings("Pacific/Auckland"),
        },
    )
    .await;
}

#[tokio::test]
async fn user_roles_are_versioned() {
    let app = spawn().await;
    let admin = app.admin().await;
    let id = app.id_of("SELECT id FROM users WHERE email = 'finance@example.com'").await;
    let pick = move |v: &Value| {
        v.as_array().and_then(|users| users.iter().find(|u| u["id"] == id).cloned()).unwrap_or_else(|| v.clone())
    };
    check_record(
        &app,
        &admin,
        Record {
            get_path: "/api/v1/users".into(),
            get_one: false,
            put_path: format!("/api/v1/users/{id}/roles"),
            pick: &pick,
            fresh: json!({"roles": ["finance", "approver"]}),
            stale: json!({"roles": ["admin"]}),
        },
    )
    .await;
}

#[tokio::test]
async fn person_status_is_versioned() {
    let app = spawn().await;
    let admin = app.admin().await;
    let id = app.id_of("SELECT MIN(id) FROM people WHERE status = 'active'").await;
    let path = format!("/api/v1/people/{id}");
    check_record(
        &app,
        &admin,
        Record {
            get_path: path.clone(),
            get_one: true,
            put_path: format!("{path}/status"),
            pick: &same,
            fresh: json!({"status": "on_leave"}),
            stale: json!({"status": "active"}),
        },
    )
    .await;
}

#[tokio::test]
async fn sku_mappings_are_versioned() {
    let app = spawn().await;
    let admin = app.admin().await;
    let pools: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM pools ORDER BY id LIMIT 2").fetch_all(&app.db.read).await.expect("pools");
    let created = admin.put("/api/v1/sku-mappings/VERSIONED_SKU", json!({"pool_id": pools[0]})).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_eq!(etag(&created).as_deref(), Some("\"1\""));
    let pick = |v: &Value| {
        v.as_array()
            .and_then(|all| all.iter().find(|m| m["part_number"] == "VERSIONED_SKU").cloned())
            .unwrap_or_else(|| v.clone())
    };
    check_record(
        &app,
        &admin,
        Record {
            get_path: "/api/v1/sku-mappings".into(),
            get_one: false,
            put_path: "/api/v1/sku-mappings/VERSIONED_SKU".into(),
            pick: &pick,
            fresh: json!({"pool_id": pools[1]}),
            stale: json!({"pool_id": null}),
        },
    )
    .await;
    // If-Match on a mapping that does not exist names a version that is not there.
    let r = put_if(&admin, "/api/v1/sku-mappings/NO_SUCH_SKU", json!({"pool_id": pools[0]}), 1).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
}

#[tokio::test]
async fn deleting_a_seat_twice_is_204_then_404_with_one_ledger_entry() {
    let app = spawn().await;
    let owner = app.owner().await;
    let created = owner.post("/api/v1/pools", pool_body(&app, "Delete twice", "Engineering").await).await;
    let id = created.body["id"].as_i64().expect("id");
    let seat = owner.post(&format!("/api/v1/pools/{id}/assignments"), json!({"device": "laptop-1"})).await;
    assert_eq!(seat.status, StatusCode::CREATED, "{}", seat.body);
    let seat = seat.body["id"].as_i64().expect("seat id");
    let ledger = app.ledger_len().await;
    let path = format!("/api/v1/pools/{id}/assignments/{seat}");
    assert_eq!(owner.delete(&path).await.status, StatusCode::NO_CONTENT);
    assert_eq!(owner.delete(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.ledger_len().await, ledger + 1);

    // Tokens follow the same rule.
    let token = owner.post("/api/v1/tokens", json!({"name": "twice"})).await.body["id"].as_i64().expect("token");
    let ledger = app.ledger_len().await;
    assert_eq!(owner.delete(&format!("/api/v1/tokens/{token}")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(owner.delete(&format!("/api/v1/tokens/{token}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.ledger_len().await, ledger + 1);
}

/// Read, +1, write with If-Match; on 409 read again. Returns how many 409s it met.
async fn add_seats(c: Client, id: i64, body: Value, times: usize) -> usize {
    let path = format!("/api/v1/pools/{id}");
    let mut conflicts = 0;
    for _ in 0..times {
        loop {
            let pool = c.get(&path).await;
            assert_eq!(pool.status, StatusCode::OK, "{}", pool.body);
            let mut next = body.clone();
            next["seats_purchased"] = json!(pool.body["seats_purchased"].as_i64().expect("seats") + 1);
            let r = put_if(&c, &path, next, version(&pool.body)).await;
            match r.status {
                StatusCode::OK => break,
                StatusCode::CONFLICT => conflicts += 1,
                other => panic!("unexpected {other}: {}", r.body),
            }
        }
    }
    conflicts
}

#[tokio::test]
async fn two_instances_editing_one_pool_lose_no_update_and_chain_the_ledger() {
    let one = spawn().await;
    let two = one.another_instance().await;
    let (a, b) = (one.owner().await, two.owner().await);
    let body = pool_body(&one, "Contended pool", "Engineering").await;
    let created = a.post("/api/v1/pools", body.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_i64().expect("id");
    let start = created.body["seats_purchased"].as_i64().expect("seats");

    let (ca, cb) = tokio::join!(
        tokio::spawn(add_seats(a, id, body.clone(), 50)),
        tokio::spawn(add_seats(b, id, body.clone(), 50))
    );
    let conflicts = ca.expect("instance one") + cb.expect("instance two");

    let after = one.owner().await.get(&format!("/api/v1/pools/{id}")).await;
    assert_eq!(after.body["seats_purchased"].as_i64(), Some(start + 100), "no lost update ({conflicts} retried 409s)");
    assert_eq!(version(&after.body), 101);
    // Whatever the interleaving was, a write made from a version both instances have moved past is refused.
    let mut stale = body.clone();
    stale["seats_purchased"] = json!(1);
    let r = put_if(&two.owner().await, &format!("/api/v1/pools/{id}"), stale, 100).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let unchanged = one.owner().await.get(&format!("/api/v1/pools/{id}")).await;
    assert_eq!(unchanged.body["seats_purchased"].as_i64(), Some(start + 100));

    // Every "before" is the previous "after": each write saw exactly the state it replaced.
    let rows: Vec<(Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT before_json, after_json FROM ledger_entries WHERE action = 'pool.update' AND record_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(&one.db.read)
    .await
    .expect("ledger");
    assert_eq!(rows.len(), 100);
    let parse = |s: &Option<String>| -> Value { serde_json::from_str(s.as_deref().expect("json")).expect("json") };
    let mut previous = created.body.clone();
    for (i, (before, after)) in rows.iter().enumerate() {
        let (before, after) = (parse(before), parse(after));
        assert_eq!(before["seats_purchased"], previous["seats_purchased"], "entry {i}");
        assert_eq!(before["version"], previous["version"], "entry {i}");
        assert_eq!(before, previous, "entry {i}: before is the previous after");
        assert_eq!(after["seats_purchased"].as_i64(), Some(start + i as i64 + 1), "entry {i}");
        previous = after;
    }
}

#[tokio::test]
async fn two_instances_deleting_the_same_seats_delete_each_once() {
    let one = spawn().await;
    let two = one.another_instance().await;
    let (a, b) = (one.owner().await, two.owner().await);
    let mut body = pool_body(&one, "Seats to take back", "Engineering").await;
    body["seats_purchased"] = json!(40);
    let id = a.post("/api/v1/pools", body).await.body["id"].as_i64().expect("id");
    let mut seats = Vec::new();
    for i in 0..30 {
        let r = a.post(&format!("/api/v1/pools/{id}/assignments"), json!({"device": format!("laptop-{i}")})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        seats.push(r.body["id"].as_i64().expect("seat"));
    }
    let ledger = one.ledger_len().await;

    let (a, b) = (std::sync::Arc::new(a), std::sync::Arc::new(b));
    let mut tasks = Vec::new();
    for seat in &seats {
        for c in [a.clone(), b.clone()] {
            let path = format!("/api/v1/pools/{id}/assignments/{seat}");
            tasks.push(tokio::spawn(async move { c.delete(&path).await.status }));
        }
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("task"));
    }
    let ok = statuses.iter().filter(|s| **s == StatusCode::NO_CONTENT).count();
    let gone = statuses.iter().filter(|s| **s == StatusCode::NOT_FOUND).count();
    assert_eq!((ok, gone), (30, 30), "{statuses:?}");
    let unassigns: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM ledger_entries WHERE action = 'pool.seat_unassign' AND record_id = $1",
    )
    .bind(id)
    .fetch_one(&one.db.read)
    .await
    .expect("count");
    assert_eq!(unassigns, 30);
    assert_eq!(one.ledger_len().await, ledger + 30);
    let pool = one.owner().await.get(&format!("/api/v1/pools/{id}")).await;
    assert_eq!(pool.body["seats_assigned"], 0);
}

/// Two contracts claiming the same free pool at once, through two instances: one gets it, the other is refused
/// (422 when it saw the claim, 409 when it lost the race), and the pool is linked, and ledgered, once.
#[tokio::test]
async fn two_contracts_claiming_one_pool_at_once_do_not_steal_it() {
    let one = spawn().await;
    let two = one.another_instance().await;
    let (a, b) = (one.owner().await, two.owner().await);
    let vendor = one.id_of("SELECT id FROM vendors WHERE name = 'Atlassian'").await;
    for round in 0..5 {
        let created = a.post("/api/v1/pools", pool_body(&one, &format!("Claimed {round}"), "Engineering").await).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let pool = created.body["id"].as_i64().expect("id");
        let body = |n: &str| {
            json!({"vendor_id": vendor, "number": n, "title": n, "term_start": "2026-01-01", "term_end": "2026-12-31",
                "term_months": 12, "auto_renew": false, "notice_days": 30, "pool_ids": [pool]})
        };
        let (x, y) = tokio::join!(
            a.post("/api/v1/contracts", body(&format!("A-{round}"))),
            b.post("/api/v1/contracts", body(&format!("B-{round}")))
        );
        let statuses = [x.status, y.status];
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{} / {}", x.body, y.body);
        for r in [&x, &y] {
            assert!(
                matches!(r.status, StatusCode::CREATED | StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY),
                "{}",
                r.body
            );
        }
        let links: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM ledger_entries WHERE action = 'pool.contract_link' AND record_id = $1",
        )
        .bind(pool)
        .fetch_one(&one.db.read)
        .await
        .expect("ledger");
        assert_eq!(links, 1, "round {round}");
    }
}
