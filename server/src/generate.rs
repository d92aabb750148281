//! A large generated company for benchmarks: many people, pools and seat assignments with realistic skew
//! (a few company-wide pools hold most seats; most pools are small departmental ones).

use std::time::Instant;

use chrono::Duration;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use seatwise_types::{BillingPeriod, LicenseType, Money, PersonStatus, PoolInput};

use crate::clock::Clock;
use crate::db::bulk::{self, PersonRow, SeatRow};
use crate::db::Db;
use crate::db::{catalog, contracts, pools};
use crate::domain::pool as rules;
use crate::domain::renewals::{self, ContractValues};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};

pub struct Size {
    pub people: usize,
    pub pools: usize,
    pub assignments: usize,
    pub seed: u64,
    /// Give every pool its own contract (a tenth of them monthly rolling), for the renewal job benchmark.
    pub contracts: bool,
    /// Products the pools are spread over (1 to 100).
    pub products: usize,
    /// Usage signals for most seats: a sign-in log for nine in ten, an Okta export for a third, of varied age.
    pub usage: bool,
}

/// One seat's usage signals as the generator writes them: (source, last use), `None` for never signed in.
fn usage_of(
    rng: &mut StdRng,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<(&'static str, Option<chrono::DateTime<chrono::Utc>>)> {
    let at = |rng: &mut StdRng| match rng.gen_range(0..100) {
        0..=9 => None,
        // Most recent, a long tail back to eight months.
        _ => Some(now - Duration::minutes((rng.gen::<f64>().powi(3) * 240.0 * 24.0 * 60.0) as i64)),
    };
    let mut out = Vec::new();
    if rng.gen_range(0..10) < 9 {
        out.push(("entra-signin-log", at(rng)));
    }
    if rng.gen_range(0..3) == 0 {
        out.push(("okta", at(rng)));
    }
    out
}

const VENDORS: [&str; 20] = [
    "Microsoft",
    "Adobe",
    "Salesforce",
    "Zoom",
    "Atlassian",
    "Slack",
    "GitHub",
    "Figma",
    "Okta",
    "Oracle",
    "SAP",
    "Autodesk",
    "JetBrains",
    "Datadog",
    "Zendesk",
    "HubSpot",
    "DocuSign",
    "Workday",
    "ServiceNow",
    "Miro",
];

/// Fill an empty database; prints progress to stderr because this takes a while.
pub async fn run(db: &Db, clock: &dyn Clock, size: &Size) -> AppResult<()> {
    if !bulk::is_empty(&db.read).await? {
        return Err(AppError::Conflict("The database is not empty; generate into a fresh one.".into()));
    }
    let started = Instant::now();
    let now = clock.now();
    let today = now.date_naive();
    let mut rng = StdRng::seed_from_u64(size.seed);
    let mut tx = db.begin().await?;

    let mut cost_centres = Vec::new();
    for i in 0..40 {
        cost_centres.push(
            catalog::insert_cost_centre(&mut tx, &format!("CC-{:03}", 100 + i), &format!("Cost centre {i}")).await?,
        );
    }
    let mut departments = Vec::new();
    for i in 0..120 {
        departments.push(catalog::insert_department(&mut tx, &format!("Department {i:03}")).await?);
    }
    let people: Vec<PersonRow> = (0..size.people)
        .map(|i| {
            // Department sizes follow a skewed distribution: low indexes are large departments.
            let d = ((rng.gen::<f64>().powi(2)) * departments.len() as f64) as usize;
            PersonRow {
                name: format!("Person {i}"),
                email: format!("person{i}@bench.example.com"),
                department_id: departments[d.min(departments.len() - 1)],
                cost_centre_id: cost_centres[d % cost_centres.len()],
                status: match rng.gen_range(0..100) {
                    0..=4 => PersonStatus::Terminated,
                    5..=6 => PersonStatus::OnLeave,
                    _ => PersonStatus::Active,
                },
            }
        })
        .collect();
    let person_ids = bulk::insert_people(&mut tx, &people, now).await?;
    eprintln!("generate: {} people in {:.1?}", person_ids.len(), started.elapsed());

    let mut products = Vec::new();
    for v in VENDORS {
        let vendor_id = catalog::insert_vendor(&mut tx, v, None).await?;
        for p in 0..5 {
            if products.len() < size.products.clamp(1, 100) {
                products
                    .push((vendor_id, catalog::insert_product(&mut tx, vendor_id, &format!("{v} Product {p}")).await?));
            }
        }
    }
    let mut signals: Vec<(&'static str, i64, i64, Option<chrono::DateTime<chrono::Utc>>)> = Vec::new();
    // Its own stream, so the company is the same with or without usage.
    let mut usage_rng = StdRng::seed_from_u64(size.seed ^ 0x05ee_d5a9);
    // Seats per pool: a heavy-tailed split of the total so a few pools are huge.
    let weights: Vec<f64> = (0..size.pools).map(|i| 1.0 / (1.0 + i as f64).powf(0.8)).collect();
    let weight_sum: f64 = weights.iter().sum();
    let mut pool_ids = Vec::with_capacity(size.pools);
    let mut contract_specs = Vec::new();
    let mut seats_left = size.assignments;
    let mut seats_rows = Vec::new();
    let types = [
        LicenseType::PerUser,
        LicenseType::PerUser,
        LicenseType::PerDevice,
        LicenseType::Concurrent,
        LicenseType::Subscription,
    ];
    for (i, w) in weights.iter().enumerate() {
        let (vendor_id, product_id) = products[rng.gen_range(0..products.len())];
        let assigned =
            (((*w / weight_sum) * size.assignments as f64).round() as usize).min(seats_left).min(person_ids.len());
        seats_left -= assigned;
        let utilization = rng.gen_range(40..=115) as f64 / 100.0;
        let purchased = ((assigned as f64 / utilization).ceil() as i64).max(1);
        let d = rng.gen_range(0..departments.len());
        let end = today + Duration::days(rng.gen_range(-30..460));
        let input = PoolInput {
            name: format!("Pool {i:05}"),
            product_id,
            tier: ["standard", "premium", "enterprise"][i % 3].into(),
            license_type: Some(types[i % types.len()]),
            seats_purchased: Some(purchased),
            allow_overage: false,
            unit_cost: Some(Money::new(rng.gen_range(200..20_000), if i % 7 == 0 { "EUR" } else { "USD" })),
            billing_period: Some(if i % 3 == 0 { BillingPeriod::Annual } else { BillingPeriod::Monthly }),
            cost_centre_id: cost_centres[d % cost_centres.len()],
            department_id: departments[d],
            owner_id: Some(person_ids[rng.gen_range(0..person_ids.len())]),
            contract_start: Some(end - Duration::days(364)),
            contract_end: Some(end),
            auto_renew: i % 4 != 0,
            notice_days: Some([30, 60, 90][i % 3]),
            po_number: Some(format!("PO-{}", 100_000 + i)),
            notes: None,
        };
        let values = rules::validate(&input, vendor_id).map_err(AppError::validation)?;
        let pool_id = pools::insert(&mut tx, &values, now).await?;
        pool_ids.push(pool_id);
        if size.contracts {
            contract_specs.push((i, pool_id, values));
        }
        // Distinct holders: a stride through the people list from a random start.
        let start = rng.gen_range(0..person_ids.len());
        let stride = 7919 % person_ids.len().max(1);
        for k in 0..assigned {
            let idx = (start + k * stride.max(1)) % person_ids.len();
            seats_rows.push(SeatRow {
                pool_id,
                person_id: person_ids[idx],
                assigned_at: now - Duration::days((k % 700) as i64),
            });
            if size.usage {
                for (source, at) in usage_of(&mut usage_rng, now) {
                    signals.push((source, pool_id, person_ids[idx], at));
                }
            }
        }
        if seats_rows.len() >= 50_000 {
            bulk::insert_seats(&mut tx, &seats_rows, "generator").await?;
            seats_rows.clear();
            write_usage(&mut tx, &mut signals, now).await?;
        }
    }
    bulk::insert_seats(&mut tx, &seats_rows, "generator").await?;
    write_usage(&mut tx, &mut signals, now).await?;
    bulk::recount_seats(&mut tx).await?;
    for (i, pool_id, pool) in &contract_specs {
        let rolling = i % 10 == 0;
        let (Some(start), Some(end)) = (pool.contract_start, pool.contract_end) else { continue };
        let (start, end) = if rolling { (end - Duration::days(29), end) } else { (start, end) };
        let values = ContractValues {
            vendor_id: pool.vendor_id,
            number: format!("C-{i:06}"),
            title: pool.name.clone(),
            term_start: start,
            term_end: end,
            term_months: if rolling { 1 } else { 12 },
            auto_renew: rolling || pool.auto_renew,
            notice_days: if rolling { 0 } else { pool.notice_days.unwrap_or(30) },
            renewal_price: None,
            vendor_contact: None,
            documents: Vec::new(),
        };
        let id = contracts::insert(&mut tx, &values, &pool.currency, now).await?;
        let (_, key_date) = renewals::key_date(values.auto_renew, end, values.notice_days);
        let term = contracts::NewTerm {
            contract_id: id,
            seq: 1,
            start,
            end,
            cancel_by: renewals::cancel_by(end, values.notice_days),
            key_date,
            price_minor: None,
            seats: pool.seats_purchased,
            tier: Some(pool.tier.clone()),
        };
        contracts::insert_term(&mut tx, &term, now).await?;
        contracts::set_pool(&mut tx, id, *pool_id).await?;
    }
    if !contract_specs.is_empty() {
        eprintln!("generate: {} contracts in {:.1?}", contract_specs.len(), started.elapsed());
    }
    let summary = serde_json::json!({
        "people": size.people, "pools": size.pools, "assignments": size.assignments - seats_left, "seed": size.seed,
        "contracts": contract_specs.len(), "products": products.len(), "usage": size.usage
    });
    ledger::record(&mut tx, now, "generator", Change::created("generate", "system", None, &summary)).await?;
    tx.commit().await?;
    db.refresh_statistics().await?;
    eprintln!("generate: done in {:.1?}: {summary}", started.elapsed());
    Ok(())
}

/// Write the signals gathered so far, by source (read a day ago), and clear them.
async fn write_usage(
    tx: &mut crate::db::Conn,
    signals: &mut Vec<(&'static str, i64, i64, Option<chrono::DateTime<chrono::Utc>>)>,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    for source in ["entra-signin-log", "okta"] {
        let of: Vec<_> = signals.iter().filter(|s| s.0 == source).map(|s| (s.1, s.2, s.3)).collect();
        if !of.is_empty() {
            crate::db::reclamation::usage::set(tx, &of, source, now - Duration::days(1)).await?;
        }
    }
    signals.clear();
    Ok(())
}
