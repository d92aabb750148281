//! The exchange-rate table: admins keep it, one rate or a file at a time, all or nothing; everyone who sees money
//! reads it.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::spawn;

/// Each field error of a refusal as (row, field).
fn row_paths(body: &serde_json::Value) -> Vec<(i64, String)> {
    body["error"]["fields"]
        .as_array()
        .map(|f| {
            f.iter().map(|f| (f["row"].as_i64().unwrap_or(0), f["path"].as_str().unwrap_or("").to_string())).collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn admins_keep_the_exchange_rates_exactly_and_everyone_reads_them() {
    let app = spawn().await;
    app.exec("DELETE FROM exchange_rates").await;
    let admin = app.admin().await;
    let before = app.ledger_len().await;
    let r =
        admin.post("/api/v1/exchange-rates", json!({"currency": "eur", "rate": "1.0850", "date": "2026-01-01"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        (r.body["currency"].as_str(), r.body["rate"].as_str(), r.body["date"].as_str()),
        (Some("EUR"), Some("1.085"), Some("2026-01-01"))
    );
    // The rate is exact text; a JSON number (a float on the way in) is refused.
    let r = admin.post("/api/v1/exchange-rates", json!({"currency": "EUR", "rate": 1.05, "date": "2026-07-01"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r =
        admin.post("/api/v1/exchange-rates", json!({"currency": "EUR", "rate": "1.05", "date": "2026-07-01"})).await;
    assert_eq!((r.status, r.body["rate"].as_str()), (StatusCode::CREATED, Some("1.05")));
    assert_eq!(app.ledger_len().await, before + 2);

    // Refused by field, nothing written: a taken day, an unknown code and a bad rate, the reporting currency.
    for (body, paths) in [
        (json!({"currency": "EUR", "rate": "1.2", "date": "2026-07-01"}), vec!["date"]),
        (json!({"currency": "EURO", "rate": "-1", "date": "2026-08-01"}), vec!["currency", "rate"]),
        (json!({"currency": "USD", "rate": "1", "date": "2026-08-01"}), vec!["currency"]),
        (json!({"currency": "GBP", "rate": "1.00000000001", "date": "2026-08-01"}), vec!["rate"]),
    ] {
        let r = admin.post("/api/v1/exchange-rates", body.clone()).await;
        assert_eq!(
            (r.status, r.field_paths()),
            (StatusCode::UNPROCESSABLE_ENTITY, paths.iter().map(|p| p.to_string()).collect()),
            "{body}"
        );
    }
    let r = admin
        .post("/api/v1/exchange-rates", json!({"currency": "GBP", "rate": "1.2", "date": "2026-08-01", "x": 1}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused");
    assert_eq!(app.ledger_len().await, before + 2);

    // A file: all of it, or none of it with each problem by row.
    let bad =
        "currency,rate,date\nGBP,1.27,2026-01-01\nSEK,abc,2026-01-01\nGBP,1.30,2026-01-01\nJPY,0.0067,2026-13-01\n";
    let r = admin.post_raw("/api/v1/exchange-rates/csv", "text/csv", bad.as_bytes().to_vec()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let rows = row_paths(&r.body);
    assert_eq!(rows, [(4, "date".to_string())], "a date that is no date stops the file first");
    let bad = "currency,rate,date\nGBP,1.27,2026-01-01\nSEK,abc,2026-01-01\nGBP,1.30,2026-01-01\n";
    let r = admin.post_raw("/api/v1/exchange-rates/csv", "text/csv", bad.as_bytes().to_vec()).await;
    let rows = row_paths(&r.body);
    assert_eq!(rows, [(2, "rate".to_string()), (3, "date".to_string())], "{}", r.body);
    let r = admin.post_raw("/api/v1/exchange-rates/csv", "text/csv", b"currency,rate\nGBP,1.27\n".to_vec()).await;
    assert_eq!(r.field_paths(), ["file"]);
    assert_eq!(app.ledger_len().await, before + 2, "nothing of a refused file");
    let good = "currency,rate,date\nGBP,1.27,2026-01-01\nJPY,0.0067,2026-01-01\n";
    let r = admin.post_raw("/api/v1/exchange-rates/csv", "text/csv", good.as_bytes().to_vec()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body.as_array().unwrap().len(), 2);

    // Everyone who sees money reads them, in order; only admins add.
    for who in ["finance", "owner", "approver"] {
        let c = app.login(&format!("{who}@example.com")).await;
        let list = c.get("/api/v1/exchange-rates").await;
        assert_eq!(list.status, StatusCode::OK, "{who}");
        let keys: Vec<String> = list
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|r| format!("{} {}", r["currency"].as_str().unwrap(), r["date"].as_str().unwrap()))
            .collect();
        assert_eq!(keys, ["EUR 2026-01-01", "EUR 2026-07-01", "GBP 2026-01-01", "JPY 2026-01-01"]);
        let r = c.post("/api/v1/exchange-rates", json!({"currency": "CHF", "rate": "1.1", "date": "2026-01-01"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
        let r = c.post_raw("/api/v1/exchange-rates/csv", "text/csv", good.as_bytes().to_vec()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
    }
    assert_eq!(app.anonymous().get("/api/v1/exchange-rates").await.status, StatusCode::UNAUTHORIZED);
}

/// A fixed dataset of its own (a vendor no demo pool uses, two cost centres): pools in EUR (monthly, the rate
/// changing mid-year), GBP (annual, over-assigned), USD (a site licence past its cancel-by) and SEK (no rate).
struct Books {
    vendor: i64,
    fa: i64,
    fb: i64,
    p1: i64,
    p2: i64,
    p3: i64,
}

async fn books(app: &crate::common::TestApp, admin: &crate::common::Client) -> Books {
    // The demo's own rates and budgets would change what these figures are computed with.
    app.exec("DELETE FROM exchange_rates").await;
    app.exec("DELETE FROM budgets").await;
    for (currency, rate, date) in
        [("EUR", "1.10", "2026-01-01"), ("EUR", "1.05", "2026-07-01"), ("GBP", "1.2500", "2026-01-01")]
    {
        let r = admin.post("/api/v1/exchange-rates", json!({"currency": currency, "rate": rate, "date": date})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let vendor = app.insert("INSERT INTO vendors (name) VALUES ('Finvendor') RETURNING id").await;
    let product = app
        .insert(&format!("INSERT INTO products (vendor_id, name) VALUES ({vendor}, 'Finproduct') RETURNING id"))
        .await;
    let fa = app.insert("INSERT INTO cost_centres (code, name) VALUES ('FA-1', 'Finance A') RETURNING id").await;
    let fb = app.insert("INSERT INTO cost_centres (code, name) VALUES ('FB-2', 'Finance B') RETURNING id").await;
    let dept = app.id_of("SELECT id FROM departments WHERE name = 'Sales'").await;
    let mut people = std::collections::HashMap::new();
    for (name, cc) in [("pa1", fa), ("pa2", fa), ("pa3", fa), ("pa4", fa), ("pb1", fb), ("pb2", fb), ("pb3", fb)] {
        let id = app
            .insert(&format!(
                "INSERT INTO people (name, email, department_id, cost_centre_id, status, created_at) VALUES \
                 ('{name}', '{name}@books.example', {dept}, {cc}, 'active', '2026-01-01T00:00:00.000000Z') RETURNING id"
            ))
            .await;
        people.insert(name, id);
    }
    let pool = |name: &str, body: serde_json::Value| {
        let mut b = json!({"name": name, "product_id": product, "tier": "", "department_id": dept, "auto_renew": true});
        for (k, v) in body.as_object().cloned().unwrap_or_default() {
            b[k] = v;
        }
        b
    };
    let bodies = [
        pool(
            "Fin EUR monthly",
            json!({"license_type": "per_user", "seats_purchased": 8, "billing_period": "monthly",
            "unit_cost": {"amount_minor": 1000, "currency": "EUR"}, "cost_centre_id": fa,
            "contract_start": "2026-02-01", "contract_end": "2027-01-31", "notice_days": 30}),
        ),
        pool(
            "Fin GBP annual",
            json!({"license_type": "per_user", "seats_purchased": 3, "allow_overage": true,
            "billing_period": "annual", "unit_cost": {"amount_minor": 10000, "currency": "GBP"}, "cost_centre_id": fb,
            "contract_start": "2025-12-11", "contract_end": "2026-12-10", "notice_days": 0}),
        ),
        pool(
            "Fin USD site",
            json!({"license_type": "site", "billing_period": "annual",
            "unit_cost": {"amount_minor": 500000, "currency": "USD"}, "cost_centre_id": fa,
            "contract_start": "2025-12-01", "contract_end": "2026-11-30", "notice_days": 30}),
        ),
        pool(
            "Fin SEK monthly",
            json!({"license_type": "per_user", "seats_purchased": 2, "billing_period": "monthly",
            "unit_cost": {"amount_minor": 10000, "currency": "SEK"}, "cost_centre_id": fb,
            "contract_start": "2026-01-01", "contract_end": "2026-12-31", "notice_days": 30}),
        ),
    ];
    // Bought on 10 May; the EUR pool grows from 8 to 10 seats on 15 September.
    app.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 5, 10, 9, 0, 0).unwrap());
    let mut ids = Vec::new();
    for b in &bodies {
        let r = admin.post("/api/v1/pools", b.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.body);
        ids.push(r.body["id"].as_i64().unwrap());
    }
    let (p1, p2, p3) = (ids[0], ids[1], ids[2]);
    for (pool, holders) in [
        (p1, vec!["pa1", "pa2", "pa3", "pa4", "pb1", "pb2"]),
        (p2, vec!["pb1", "pb2", "pb3", "pa1"]),
        (p3, vec!["pa2"]),
    ] {
        for h in holders {
            let r = admin.post(&format!("/api/v1/pools/{pool}/assignments"), json!({"person_id": people[h]})).await;
            assert_eq!(r.status, StatusCode::CREATED, "{h}: {}", r.body);
        }
    }
    app.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 9, 15, 9, 0, 0).unwrap());
    let mut grown = bodies[0].clone();
    grown["seats_purchased"] = json!(10);
    let r = admin.put(&format!("/api/v1/pools/{p1}"), grown).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    app.clock.set(crate::common::test_now());
    app.exec(&format!("UPDATE people SET status = 'terminated' WHERE id = {}", people["pa4"])).await;
    // Today is 2026-11-23: pa1 used it 5 days ago, pb1 10, pa2 45; pb2 never (known); pa3 nothing reports.
    for (who, last) in [
        ("pa1", "'2026-11-18T09:00:00.000000Z'"),
        ("pb1", "'2026-11-13T09:00:00.000000Z'"),
        ("pa2", "'2026-10-09T09:00:00.000000Z'"),
        ("pb2", "NULL"),
    ] {
        app.exec(&format!(
            "INSERT INTO usage_signals (pool_id, person_id, source, last_used_at, read_at) VALUES \
             ({p1}, {}, 'books', {last}, '2026-11-22T00:00:00.000000Z')",
            people[who]
        ))
        .await;
    }
    // Savings on the EUR pool: hard before the rate change, cost avoided after it, one restored, one last year.
    for (n, (category, day, reversed)) in [
        ("hard", "2026-03-15", "NULL"),
        ("cost_avoided", "2026-08-01", "NULL"),
        ("hard", "2026-09-01", "'2026-09-02T00:00:00.000000Z'"),
        ("freed", "2025-12-01", "NULL"),
    ]
    .into_iter()
    .enumerate()
    {
        let person = people["pa3"];
        let case = app
            .insert(&format!(
                "INSERT INTO reclamation_cases (pool_id, person_id, origin, action, reason, state, event_at, opened_at) \
                 VALUES ({p1}, {person}, 'offboarding', 'reclaim', 'books {n}', 'reclaimed', \
                 '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z') RETURNING id"
            ))
            .await;
        app.exec(&format!(
            "INSERT INTO savings (case_id, person_id, pool_id, cost_centre_id, kind, category, removed_on, \
             monthly_minor, annual_minor, currency, price_source, reversed_at, created_at) VALUES \
             ({case}, {person}, {p1}, {fa}, 'reclaimed', '{category}', '{day}', 1000, 12000, 'EUR', 'books', \
             {reversed}, '2026-01-01T00:00:00.000000Z')"
        ))
        .await;
    }
    Books { vendor, fa, fb, p1, p2, p3 }
}

fn minor(v: &serde_json::Value) -> i64 {
    assert_eq!(v["currency"], "USD", "{v}");
    v["amount_minor"].as_i64().unwrap_or(i64::MIN)
}

#[tokio::test]
async fn the_summary_computes_every_figure_exactly_in_the_reporting_currency() {
    let app = spawn().await;
    let admin = app.admin().await;
    let b = books(&app, &admin).await;
    let finance = app.finance().await;
    let r = finance.get(&format!("/api/v1/finance/summary?vendor_id={}", b.vendor)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let s = &r.body;
    assert_eq!((s["reporting_currency"].as_str(), s["as_of"].as_str()), (Some("USD"), Some("2026-11-23")));
    assert_eq!((s["from"].as_str(), s["to"].as_str()), (Some("2026-01-01"), Some("2026-11-23")), "the year to date");
    // By hand, at today's rates (EUR 1.05 from July, GBP 1.25):
    // EUR pool: 10 seats x 10.00 x 12 = 1,200.00 EUR = 1,260.00 USD a year, 105.00 a month.
    //   Waste: 4 unassigned + 1 terminated + 2 known and idle (pa2 45 days, pb2 never) = 7 seat-years of
    //   120.00 EUR = 840.00 EUR = 882.00 USD. Utilization: 2 active of 4 known = 50 %; pa3 has no data.
    // GBP pool: 3 x 100.00 = 300.00 GBP = 375.00 USD a year, 25.00 GBP = 31.25 USD a month; 4 held: 1 short,
    //   its true-up 100.00 GBP = 125.00 USD; nothing reports on its seats.
    // USD site licence: 5,000.00 a year, 416.666.. -> 416.67 a month; no seats to waste.
    // SEK pool: no rate, left out of the money and listed.
    let t = &s["totals"];
    assert_eq!(minor(&t["annual_spend"]), 126_000 + 37_500 + 500_000);
    assert_eq!(minor(&t["monthly_spend"]), 10_500 + 3_125 + 41_667);
    assert_eq!(minor(&t["waste_annual"]), 88_200);
    assert_eq!(minor(&t["true_up_annual"]), 12_500);
    assert_eq!(
        (t["shortfall_seats"].as_i64(), t["seats_purchased"].as_i64(), t["seats_assigned"].as_i64()),
        (Some(1), Some(15), Some(11))
    );
    assert_eq!(
        (t["seats_with_usage"].as_i64(), t["seats_active"].as_i64(), t["seats_without_usage"].as_i64()),
        (Some(4), Some(2), Some(6))
    );
    assert_eq!(t["utilization_percent"], 50);
    // Realized this year: 120.00 EUR at 1.10 (March) + 120.00 EUR at 1.05 (August); the restored one and last
    // year's are not counted.
    assert_eq!(minor(&t["realized_savings_annual"]), 13_200 + 12_600);
    assert_eq!((minor(&t["hard_savings_annual"]), minor(&t["cost_avoided_annual"])), (13_200, 12_600));
    assert_eq!(minor(&t["potential_savings_annual"]), 0, "no policy covers these pools");

    let cc: Vec<(String, i64, i64, i64, i64, i64)> = s["by_cost_centre"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["code"].as_str().unwrap().to_string(),
                minor(&c["annual_spend"]),
                minor(&c["waste_annual"]),
                c["seats_purchased"].as_i64().unwrap(),
                c["seats_assigned"].as_i64().unwrap(),
                c["pools"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(cc, [("FA-1".into(), 626_000, 88_200, 10, 7, 2), ("FB-2".into(), 37_500, 0, 5, 4, 2)]);
    assert_eq!(cc.iter().map(|c| c.1).sum::<i64>(), minor(&t["annual_spend"]), "the cost centres add up to the total");
    assert_eq!(s["by_vendor"].as_array().unwrap().len(), 1);
    // One department and one product own all four; 365-day terms commit a year each.
    assert_eq!(
        (s["by_department"][0]["name"].as_str(), minor(&s["by_department"][0]["annual_spend"])),
        (Some("Sales"), 663_500)
    );
    assert_eq!(s["by_department"][0]["pools"], 4);
    assert_eq!(s["by_product"][0]["name"], "Finvendor Finproduct");
    assert_eq!(minor(&t["committed_value"]), 126_000 + 37_500 + 500_000);
    assert_eq!(minor(&s["by_vendor"][0]["annual_spend"]), 663_500);
    let pipeline: Vec<(i64, i64, i64)> = s["renewal_pipeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["within_days"].as_i64().unwrap(), minor(&p["value"]), p["pools"].as_i64().unwrap()))
        .collect();
    // GBP cancel-by 2026-12-10 (17 days), SEK 2026-12-01 (8 days, no rate), EUR 2027-01-01 (39 days).
    assert_eq!(pipeline, [(30, 37_500, 2), (60, 163_500, 3), (90, 163_500, 3)], "the SEK pool counts, without money");
    assert_eq!((minor(&s["missed_renewals"]["value"]), s["missed_renewals"]["pools"].as_i64()), (500_000, Some(1)));
    let bands: Vec<(Option<i64>, i64, i64)> = s["by_utilization"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["from_percent"].as_i64(), u["pools"].as_i64().unwrap(), minor(&u["annual_spend"])))
        .collect();
    assert_eq!(
        bands,
        [(Some(0), 0, 0), (Some(25), 0, 0), (Some(50), 1, 126_000), (Some(75), 0, 0), (None, 3, 537_500)]
    );
    let rates: Vec<(String, String, String)> = s["rates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["currency"].as_str().unwrap().into(),
                r["rate"].as_str().unwrap().into(),
                r["date"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        rates,
        [
            ("EUR".into(), "1.1".into(), "2026-01-01".into()),
            ("EUR".into(), "1.05".into(), "2026-07-01".into()),
            ("GBP".into(), "1.25".into(), "2026-01-01".into())
        ]
    );
    // Spend over time from the ledger: nothing before May; 8 EUR seats at 1.10 in May and June, at 1.05 from
    // July, 10 seats from September; the GBP pool and the site licence throughout.
    let series: Vec<(String, i64, i64)> = s["spend_over_time"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["month"].as_str().unwrap().into(), minor(&m["annual_run_rate"]), minor(&m["monthly_spend"])))
        .collect();
    let month = |m: &str, rate: i64, monthly: i64| (m.to_string(), rate, monthly);
    assert_eq!(
        series,
        [
            month("2025-12", 0, 0),
            month("2026-01", 0, 0),
            month("2026-02", 0, 0),
            month("2026-03", 0, 0),
            month("2026-04", 0, 0),
            month("2026-05", 105_600 + 37_500 + 500_000, 8_800 + 3_125 + 41_667),
            month("2026-06", 643_100, 53_592),
            month("2026-07", 100_800 + 37_500 + 500_000, 8_400 + 3_125 + 41_667),
            month("2026-08", 638_300, 53_192),
            month("2026-09", 663_500, 55_292),
            month("2026-10", 663_500, 55_292),
            month("2026-11", 663_500, 55_292),
        ]
    );
    assert_eq!(series[11].2, minor(&t["monthly_spend"]), "this month is the summary's monthly spend");
    assert_eq!(s["unconverted"][0]["currency"], "SEK");
    assert_eq!(
        (s["unconverted"][0]["pools"].as_i64(), s["unconverted"][0]["annual_spend"]["amount_minor"].as_i64()),
        (Some(1), Some(240_000))
    );

    // A budget: FA spent 504.67 a month in May and June, 500.67 in July and August, 521.67 since; this month
    // 23 of 30 days gone (400.00 rounded from 399.947); the projection keeps November's rate to December.
    let r = finance
        .put(
            &format!("/api/v1/finance/budgets/{}/2026", b.fa),
            json!({"amount": {"amount_minor": 7_000_000, "currency": "USD"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = finance.get(&format!("/api/v1/finance/summary?vendor_id={}", b.vendor)).await;
    let fa = &r.body["by_cost_centre"][0];
    let gone = 2 * 50_467 + 2 * 50_067 + 2 * 52_167;
    assert_eq!(
        (minor(&fa["budget"]["budget"]), minor(&fa["budget"]["actual_to_date"]), minor(&fa["budget"]["projection"])),
        (7_000_000, gone + 39_995, gone + 2 * 52_167)
    );
    assert_eq!(r.body["by_cost_centre"][1]["budget"], serde_json::Value::Null, "FB has none");

    // One cost centre; a period; a policy's forecast is the potential.
    let r = finance.get(&format!("/api/v1/finance/summary?vendor_id={}&cost_centre_id={}", b.vendor, b.fb)).await;
    assert_eq!(minor(&r.body["totals"]["annual_spend"]), 37_500);
    let r = finance.get(&format!("/api/v1/finance/summary?vendor_id={}&from=2026-07-01&to=2026-12-31", b.vendor)).await;
    assert_eq!(minor(&r.body["totals"]["realized_savings_annual"]), 12_600);
    let policy = admin
        .post(
            "/api/v1/reclamation/policies",
            json!({"name": "Books idle", "pool_id": b.p1, "action": "reclaim",
                "conditions": {"inactive_days": 30, "never_used": true, "grace_days": 0}}),
        )
        .await;
    assert_eq!(policy.status, StatusCode::CREATED, "{}", policy.body);
    let dry = admin.get(&format!("/api/v1/reclamation/policies/{}/dry-run", policy.body["id"])).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    let eur = dry.body["saving"]["annual"].as_array().unwrap()[0]["amount_minor"].as_i64().unwrap();
    assert!(eur > 0, "{}", dry.body);
    let r = finance.get(&format!("/api/v1/finance/summary?vendor_id={}", b.vendor)).await;
    assert_eq!(minor(&r.body["totals"]["potential_savings_annual"]), eur * 105 / 100, "the forecast at today's rate");

    // Refused with the field: a period backwards, a day out of range.
    let r = finance.get("/api/v1/finance/summary?from=2026-05-01&to=2026-04-01").await;
    assert_eq!((r.status, r.field_paths()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["to".to_string()]));
    let r = finance.get("/api/v1/finance/summary?from=1200-01-01").await;
    assert_eq!((r.status, r.field_paths()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["from".to_string()]));
    let _ = (b.p2, b.p3, b.fa);
}

#[tokio::test]
async fn the_pools_behind_each_figure_and_the_exports_carry_the_same_numbers() {
    let app = spawn().await;
    let admin = app.admin().await;
    let b = books(&app, &admin).await;
    let finance = app.finance().await;
    let names = |body: &serde_json::Value| -> Vec<String> {
        body["items"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_string()).collect()
    };
    let list = |q: &str| {
        let path = format!("/api/v1/finance/pools?vendor_id={}&{q}", b.vendor);
        let finance = &finance;
        async move { finance.get(&path).await }
    };
    let r = list("sort=-annual_spend").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(names(&r.body), ["Fin USD site", "Fin EUR monthly", "Fin GBP annual", "Fin SEK monthly"]);
    let eur = &r.body["items"][1];
    assert_eq!(
        (minor(&eur["annual_spend"]), minor(&eur["waste_annual"]), eur["waste_seats"].as_i64()),
        (126_000, 88_200, Some(7))
    );
    assert_eq!((eur["rate"]["rate"].as_str(), eur["rate"]["date"].as_str()), (Some("1.05"), Some("2026-07-01")));
    assert_eq!((eur["right_size_seats"].as_i64(), minor(&eur["right_size_saving_annual"])), (Some(4), 6 * 12_600));
    assert_eq!(r.body["items"][3]["annual_spend"], serde_json::Value::Null, "no rate: no made-up figure");
    // Each chart's slice: a utilization band, a pipeline window, missed renewals, waste, shortfall.
    for (q, want) in [
        ("utilization=50", vec!["Fin EUR monthly"]),
        ("utilization=none", vec!["Fin GBP annual", "Fin SEK monthly", "Fin USD site"]),
        ("within_days=30", vec!["Fin GBP annual", "Fin SEK monthly"]),
        ("missed=true", vec!["Fin USD site"]),
        ("position=waste", vec!["Fin EUR monthly", "Fin SEK monthly"]),
        ("position=shortfall", vec!["Fin GBP annual"]),
        (&format!("cost_centre_id={}&sort=name", b.fa), vec!["Fin EUR monthly", "Fin USD site"]),
    ] {
        assert_eq!(names(&list(q).await.body), want, "{q}");
    }
    for (q, field) in [
        ("utilization=10", "utilization"),
        ("within_days=45", "within_days"),
        ("position=x", "position"),
        ("sort=cost", "sort"),
        ("per_page=0", "per_page"),
    ] {
        let r = list(q).await;
        assert_eq!((r.status, r.field_paths()), (StatusCode::UNPROCESSABLE_ENTITY, vec![field.to_string()]), "{q}");
    }

    // The CSV: a row per pool, the same figures.
    let csv = finance.get(&format!("/api/v1/finance/export.csv?vendor_id={}", b.vendor)).await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.body.as_str().unwrap_or_default().trim_start_matches('\u{feff}').to_string();
    let rows: Vec<Vec<String>> = text.lines().map(|l| l.split(',').map(str::to_string).collect()).collect();
    assert_eq!(rows.len(), 5, "{text}");
    assert_eq!(
        &rows[0][..8],
        [
            "pool",
            "vendor",
            "cost_centre_code",
            "cost_centre",
            "currency",
            "annual_cost",
            "reporting_currency",
            "annual_spend"
        ]
    );
    let eur_row = rows.iter().find(|r| r[0] == "Fin EUR monthly").unwrap();
    assert_eq!((&eur_row[5][..], &eur_row[7][..], &eur_row[9][..]), ("1200.00", "1260.00", "882.00"));
    let xlsx = finance.get(&format!("/api/v1/finance/export.xlsx?vendor_id={}", b.vendor)).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.headers["content-type"].to_str().unwrap_or("").contains("spreadsheetml"));
    let r = finance.get("/api/v1/finance/export.xlsx?from=2026-05-01&to=2026-04-01").await;
    assert_eq!(r.field_paths(), ["to"]);

    // FOCUS: the month's chargeback, allocated by cost centre, in the FinOps columns.
    let focus = finance.get("/api/v1/finance/focus.csv?month=2026-11").await;
    assert_eq!(focus.status, StatusCode::OK);
    let text = focus.body.as_str().unwrap_or_default().to_string();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    for column in [
        "BilledCost",
        "BillingPeriodStart",
        "ChargeCategory",
        "ChargeFrequency",
        "EffectiveCost",
        "ListUnitPrice",
        "PricingQuantity",
        "PricingUnit",
        "ServiceCategory",
        "ServiceName",
        "ServiceProviderName",
        "SkuId",
        "x_CostCentreCode",
    ] {
        assert!(header.contains(&column), "{column} in {header:?}");
    }
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let fa_rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>())
        .filter(|r| r[col("x_CostCentreCode")] == "FA-1")
        .collect();
    let cents: i64 = fa_rows.iter().map(|r| r[col("BilledCost")].replace('.', "").parse::<i64>().unwrap()).sum();
    assert_eq!(cents, 8_400 + 781 + 41_667, "the FOCUS rows add up to the statement");
    let eur_fa = fa_rows.iter().find(|r| r[col("x_PoolName")] == "Fin EUR monthly").unwrap();
    assert_eq!(
        (&eur_fa[col("BilledCost")][..], &eur_fa[col("ChargePeriodStart")][..], &eur_fa[col("ChargePeriodEnd")][..]),
        ("84.00", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")
    );
    // 84.00 at 10.50 a seat-month: 8 seat-months (FA's 4 held and the 4 unassigned).
    assert_eq!((&eur_fa[col("ListUnitPrice")][..], &eur_fa[col("PricingQuantity")][..]), ("10.50", "8.000000"));
    assert_eq!(
        (&eur_fa[col("ServiceCategory")][..], &eur_fa[col("ChargeCategory")][..]),
        ("Business Applications", "Purchase")
    );
}

#[tokio::test]
async fn chargeback_shares_each_pools_month_by_its_method_exactly() {
    let app = spawn().await;
    let admin = app.admin().await;
    let b = books(&app, &admin).await;
    let finance = app.finance().await;
    let statement = |body: &serde_json::Value| -> Vec<(String, i64, i64)> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (i["cost_centre"]["code"].as_str().unwrap().into(), minor(&i["amount"]), i["seats"].as_i64().unwrap())
            })
            .collect()
    };
    // Seats held by a device, or by someone without a cost centre, belong to the pool's own cost centre.
    let nobody = app
        .insert(
            "INSERT INTO people (name, email, status, created_at) VALUES \
             ('pn', 'pn@books.example', 'active', '2026-01-01T00:00:00.000000Z') RETURNING id",
        )
        .await;
    let r = admin.post(&format!("/api/v1/pools/{}/assignments", b.p1), json!({"person_id": nobody})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = admin.post(&format!("/api/v1/pools/{}/assignments", b.p2), json!({"device": "Kiosk 7"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // By seat held (the default): EUR 105.00 a month over FA's 5 held (pn's among them) + 3 unassigned and FB's 2
    // -> 84.00 / 21.00; GBP 31.25 over FA 1 and FB 4 (the kiosk's among them) -> 6.25 / 25.00; the site licence's
    // 416.67 to FA, whose person holds its one seat.
    let fa_seat = 8_400 + 625 + 41_667;
    let fb_seat = 2_100 + 2_500;
    for cc in [b.fa, b.fb] {
        let r = finance.get(&format!("/api/v1/finance/chargeback?month=2026-11&cost_centre_id={cc}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["counted_on"], "2026-11-23");
        let expected = if cc == b.fa { ("FA-1".to_string(), fa_seat, 7) } else { ("FB-2".to_string(), fb_seat, 6) };
        assert_eq!(statement(&r.body), std::slice::from_ref(&expected));
        assert_eq!(minor(&r.body["total"]), expected.1);
    }
    let r = finance.get("/api/v1/finance/chargeback?month=2026-11").await;
    let all = statement(&r.body);
    assert_eq!(all.iter().map(|i| i.1).sum::<i64>(), minor(&r.body["total"]), "the items add up to the total");

    // Finance changes nothing but budgets; the pool's editors set its method.
    let set = |pool: i64| format!("/api/v1/pools/{pool}/chargeback");
    let r = finance.put(&set(b.p1), json!({"method": "active_user"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = admin.put(&set(b.p1), json!({"method": "active_user"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for (body, paths) in [
        (
            json!({"method": "percentage", "splits": [{"cost_centre_id": b.fa, "percent": "33.33"}, {"cost_centre_id": b.fb, "percent": "66.66"}]}),
            vec!["splits"],
        ),
        (
            json!({"method": "percentage", "splits": [{"cost_centre_id": b.fa, "percent": "x"}, {"cost_centre_id": 999_999, "percent": "50"}]}),
            vec!["splits[0].percent", "splits[1].cost_centre_id"],
        ),
        (json!({"method": "percentage"}), vec!["splits"]),
        (json!({"method": "seat", "splits": [{"cost_centre_id": b.fa, "percent": "100"}]}), vec!["splits"]),
    ] {
        let r = admin.put(&set(b.p2), body.clone()).await;
        assert_eq!(
            (r.status, r.field_paths()),
            (StatusCode::UNPROCESSABLE_ENTITY, paths.iter().map(|p| p.to_string()).collect()),
            "{body}"
        );
    }
    let split = json!({"method": "percentage", "splits": [{"cost_centre_id": b.fa, "percent": "33.33"}, {"cost_centre_id": b.fb, "percent": "66.67"}]});
    let r = admin.put(&set(b.p2), split.clone()).await;
    assert_eq!((r.status, &r.body), (StatusCode::OK, &split));
    assert_eq!(admin.get(&set(b.p2)).await.body, split);
    // By active user: pa1 (FA) and pb1 (FB) used the EUR pool -> 52.50 each. By percentage: 31.25 x 33.33 % =
    // 10.415625 and x 66.67 % = 20.834375 -> 10.42 / 20.83.
    let r = finance.get(&format!("/api/v1/finance/chargeback?month=2026-11&cost_centre_id={}", b.fa)).await;
    assert_eq!(statement(&r.body), [("FA-1".to_string(), 5_250 + 1_042 + 41_667, 7)]);
    let r = finance.get(&format!("/api/v1/finance/chargeback?month=2026-11&cost_centre_id={}", b.fb)).await;
    assert_eq!(statement(&r.body), [("FB-2".to_string(), 5_250 + 2_083, 6)]);
    let methods: Vec<&str> =
        r.body["items"][0]["lines"].as_array().unwrap().iter().map(|l| l["method"].as_str().unwrap()).collect();
    assert_eq!(methods, ["active_user", "percentage"]);

    // A month before these pools existed owes nothing; a month to come and a non-month are refused.
    let r = finance.get(&format!("/api/v1/finance/chargeback?month=2026-04&cost_centre_id={}", b.fa)).await;
    assert_eq!((r.status, r.body["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)));
    assert_eq!(r.body["counted_on"], "2026-04-30");
    for bad in ["2026-12", "2026-13", "11-2026"] {
        let r = finance.get(&format!("/api/v1/finance/chargeback?month={bad}")).await;
        assert_eq!((r.status, r.field_paths()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["month".to_string()]), "{bad}");
    }
}

#[tokio::test]
async fn finance_keeps_budgets_and_owners_see_only_their_scope() {
    let app = spawn().await;
    let admin = app.admin().await;
    let b = books(&app, &admin).await;
    let finance = app.finance().await;
    let owner = app.owner().await;
    let path = format!("/api/v1/finance/budgets/{}/2026", b.fa);
    let before = app.ledger_len().await;
    let r = owner.put(&path, json!({"amount": {"amount_minor": 1_000_000, "currency": "USD"}})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for (body, field) in [
        (json!({"amount": {"amount_minor": 1_000_000, "currency": "EUR"}}), "amount.currency"),
        (json!({"amount": {"amount_minor": -1, "currency": "USD"}}), "amount.amount_minor"),
    ] {
        let r = finance.put(&path, body).await;
        assert_eq!(
            (r.status, r.field_paths().first().cloned()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field.to_string()))
        );
    }
    let r = finance
        .put(
            &format!("/api/v1/finance/budgets/{}/1999", b.fa),
            json!({"amount": {"amount_minor": 1, "currency": "USD"}}),
        )
        .await;
    assert_eq!(r.field_paths(), ["year"]);
    let r = finance
        .put("/api/v1/finance/budgets/999999/2026", json!({"amount": {"amount_minor": 1, "currency": "USD"}}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.ledger_len().await, before, "nothing written by a refusal");
    let r = finance.put(&path, json!({"amount": {"amount_minor": 1_000_000, "currency": "USD"}})).await;
    assert_eq!((r.status, r.body["amount"]["amount_minor"].as_i64()), (StatusCode::OK, Some(1_000_000)), "{}", r.body);
    let r = admin.put(&path, json!({"amount": {"amount_minor": 900_000, "currency": "usd"}})).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = finance.get("/api/v1/finance/budgets?year=2026").await;
    let list: Vec<(String, i64)> = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["cost_centre"]["code"].as_str().unwrap().into(), minor(&b["amount"])))
        .collect();
    assert_eq!(list, [("FA-1".to_string(), 900_000)]);
    assert_eq!(app.ledger_len().await, before + 2);
    assert_eq!(finance.delete(&path).await.status, StatusCode::NO_CONTENT);
    assert_eq!(finance.delete(&path).await.status, StatusCode::NOT_FOUND);

    // An owner's summary covers their pools only: none of these (Engineering pools of another owner's reach
    // aside) unless they are in it.
    let mine = owner.get("/api/v1/finance/summary").await;
    let all = finance.get("/api/v1/finance/summary").await;
    assert_eq!(mine.status, StatusCode::OK);
    let inventory = owner.get("/api/v1/inventory/summary").await;
    assert_eq!(mine.body["totals"]["seats_purchased"], inventory.body["seats_purchased"], "the inventory's scope");
    assert!(minor(&mine.body["totals"]["annual_spend"]) < minor(&all.body["totals"]["annual_spend"]));
    let listed = owner.get("/api/v1/finance/pools?per_page=200").await;
    assert_eq!(listed.body["total"], inventory.body["pools"], "the same pools behind the figures");
    let theirs = owner.get(&format!("/api/v1/finance/pools?vendor_id={}", b.vendor)).await;
    assert_eq!(theirs.body["total"], 0, "pools outside their reach never show");
    let _ = (b.p1, b.fb);
}

#[tokio::test]
async fn a_renewal_decision_is_offered_the_right_sized_seat_count_of_the_finance_figures() {
    let app = spawn().await;
    let admin = app.admin().await;
    let pool = app.pool_id("Zoom Workplace Business").await;
    let contract = app.id_of(&format!("SELECT contract_id FROM pools WHERE id = {pool}")).await;
    let detail = admin.get(&format!("/api/v1/contracts/{contract}")).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    let usage = detail.body["pools"].as_array().unwrap().iter().find(|p| p["pool"]["id"] == pool).unwrap().clone();
    let zoom_vendor = app.id_of(&format!("SELECT vendor_id FROM pools WHERE id = {pool}")).await;
    let listed = admin.get(&format!("/api/v1/finance/pools?vendor_id={zoom_vendor}&per_page=100")).await;
    let mine = listed.body["items"].as_array().unwrap().iter().find(|p| p["id"] == pool).unwrap().clone();
    assert_eq!(usage["right_size_seats"], mine["right_size_seats"], "one rule, two places");
    let seats = usage["seats_purchased"].as_i64().unwrap();
    let suggested = usage["right_size_seats"].as_i64().unwrap();
    assert!(suggested <= seats.max(usage["seats_assigned"].as_i64().unwrap()), "{usage}");
    // The saving is in the pool's own currency; the finance list converts it.
    assert_eq!(usage["right_size_saving_annual"]["currency"], usage["annual_cost"]["currency"]);
}

#[tokio::test]
async fn the_reporting_currency_and_the_right_sizing_buffer_are_the_organisations_settings() {
    let app = spawn().await;
    let admin = app.admin().await;
    let b = books(&app, &admin).await;
    let finance = app.finance().await;
    let p1_right_size = || async {
        let r = finance.get(&format!("/api/v1/finance/pools?vendor_id={}&per_page=100", b.vendor)).await;
        let p1 = r.body["items"].as_array().unwrap().iter().find(|p| p["id"] == b.p1).unwrap().clone();
        (p1["right_size_seats"].as_i64(), p1["right_size_saving_annual"].clone())
    };
    // The EUR pool: 2 active + 1 nothing reports on (pa3; pa4 left) = 3 used; 10% more is 3.3, rounded up to 4.
    assert_eq!(p1_right_size().await.0, Some(4));

    let mut settings = admin.get("/api/v1/settings").await.body;
    assert_eq!(
        (settings["reporting_currency"].as_str(), settings["right_size_buffer_percent"].as_i64()),
        (Some("USD"), Some(10))
    );
    settings["reporting_currency"] = json!("EURO");
    settings["right_size_buffer_percent"] = json!(101);
    let bad = admin.put("/api/v1/settings", settings.clone()).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(
        row_paths(&bad.body).into_iter().map(|(_, p)| p).collect::<Vec<_>>(),
        ["reporting_currency", "right_size_buffer_percent"]
    );
    settings["reporting_currency"] = json!("eur");
    settings["right_size_buffer_percent"] = json!(0);
    assert_eq!(finance.put("/api/v1/settings", settings.clone()).await.status, StatusCode::FORBIDDEN);
    let saved = admin.put("/api/v1/settings", settings.clone()).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(
        (saved.body["reporting_currency"].as_str(), saved.body["right_size_buffer_percent"].as_i64()),
        (Some("EUR"), Some(0))
    );

    // No buffer: 3 seats, 7 fewer than bought, each 120.00 EUR a year, now in euros without conversion.
    let (seats, saving) = p1_right_size().await;
    assert_eq!(seats, Some(3));
    assert_eq!(saving, json!({"amount_minor": 84_000, "currency": "EUR"}));

    // The rates kept into USD do not convert into EUR: only the EUR pool counts until rates into EUR exist.
    assert_eq!(finance.get("/api/v1/exchange-rates").await.body, json!([]));
    let s = finance.get(&format!("/api/v1/finance/summary?vendor_id={}", b.vendor)).await.body;
    assert_eq!(s["reporting_currency"], "EUR");
    assert_eq!(s["totals"]["annual_spend"], json!({"amount_minor": 120_000, "currency": "EUR"}));
    let left_out: Vec<&str> =
        s["unconverted"].as_array().unwrap().iter().filter_map(|u| u["currency"].as_str()).collect();
    assert_eq!(left_out, ["GBP", "SEK", "USD"], "{}", s["unconverted"]);
    for (currency, rate) in [("USD", "0.90"), ("GBP", "1.20")] {
        let r = admin
            .post("/api/v1/exchange-rates", json!({"currency": currency, "rate": rate, "date": "2026-01-01"}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let euro =
        admin.post("/api/v1/exchange-rates", json!({"currency": "EUR", "rate": "1", "date": "2026-01-01"})).await;
    assert_eq!(euro.status, StatusCode::UNPROCESSABLE_ENTITY, "the reporting currency needs no rate: {}", euro.body);
    // 1,200.00 EUR + 300.00 GBP x 1.20 = 360.00 EUR + 5,000.00 USD x 0.90 = 4,500.00 EUR.
    let s = finance.get(&format!("/api/v1/finance/summary?vendor_id={}", b.vendor)).await.body;
    assert_eq!(s["totals"]["annual_spend"], json!({"amount_minor": 120_000 + 36_000 + 450_000, "currency": "EUR"}));
    assert_eq!(
        s["rates"],
        json!([{"currency": "GBP", "rate": "1.2", "date": "2026-01-01"},
        {"currency": "USD", "rate": "0.9", "date": "2026-01-01"}])
    );

    // Budgets are set in the reporting currency; one set in dollars before the change shows at today's rate.
    let usd = json!({"amount": {"amount_minor": 100_000, "currency": "USD"}});
    let refused = finance.put(&format!("/api/v1/finance/budgets/{}/2026", b.fa), usd).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(refused.body["error"]["fields"][0]["message"], "must be the reporting currency, EUR");
    app.exec(&format!(
        "INSERT INTO budgets (cost_centre_id, year, amount_minor, currency, updated_by, updated_at) VALUES \
         ({}, 2026, 100000, 'USD', 'finance', '2026-01-01T00:00:00.000000Z')",
        b.fa
    ))
    .await;
    let s = finance.get(&format!("/api/v1/finance/summary?vendor_id={}", b.vendor)).await.body;
    let fa = s["by_cost_centre"].as_array().unwrap().iter().find(|c| c["id"] == b.fa).unwrap().clone();
    assert_eq!(fa["budget"]["budget"], json!({"amount_minor": 90_000, "currency": "EUR"}));

    // Back to dollars: the rates kept into USD apply again, untouched.
    settings["reporting_currency"] = json!("USD");
    settings["right_size_buffer_percent"] = json!(10);
    assert_eq!(admin.put("/api/v1/settings", settings).await.status, StatusCode::OK);
    let s = finance.get(&format!("/api/v1/finance/summary?vendor_id={}", b.vendor)).await.body;
    assert_eq!(minor(&s["totals"]["annual_spend"]), 126_000 + 37_500 + 500_000);
    let rates = admin.get("/api/v1/exchange-rates").await.body;
    let kept: Vec<&str> = rates.as_array().unwrap().iter().filter_map(|r| r["currency"].as_str()).collect();
    assert_eq!(kept, ["EUR", "EUR", "GBP"], "as books() added them");
}
