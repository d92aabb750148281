//! The demo's reclamation, made through the console's own use cases: usage data of varied age from two sources
//! (some accounts never signed in, some seats with no data), the two customer policies (the E3 downgrade enabled
//! with approval, the Zoom removal in dry run), leavers over the past months whose seats were reclaimed (so the
//! savings log and time to revoke span several months), one seat restored, a legal hold on a leaver and a
//! quarter-end blackout window.

use chrono::{Duration, Utc};
use seatwise_types::{
    BillingPeriod, CaseQuery, HoldInput, LicenseType, Money, PersonStatus, PolicyConditions, PolicyInput, PoolInput,
    ReclaimAction,
};

use crate::clock::{Clock, ManualClock};
use crate::db::reclamation::usage;
use crate::error::{AppError, AppResult};
use crate::service::reclamation::{cases, holds, policies};
use crate::service::{people, pools};
use crate::state::AppState;

use super::changes::{actor, pool};

fn conditions(inactive: i64, grace: i64) -> PolicyConditions {
    PolicyConditions {
        inactive_days: Some(inactive),
        never_used: true,
        grace_days: grace,
        statuses: vec![],
        department_ids: vec![],
        exempt_department_ids: vec![],
        exempt_person_ids: vec![],
        exempt_vips: true,
        max_data_age_days: 7,
    }
}

pub(super) async fn seed(state: &AppState) -> AppResult<()> {
    let (db, clock) = (&state.db, &*state.clock);
    let admin = actor(state, "admin@example.com").await?;
    let now = clock.now();
    let (e3, e3_holders) = pool(state, "Microsoft 365 E3").await?;
    let (zoom, zoom_holders) = pool(state, "Zoom Workplace Business").await?;
    let template = crate::db::pools::get(&db.read, e3).await?.ok_or(AppError::NotFound("demo pool"))?;
    let exchange = pools::create(
        db,
        clock,
        &admin,
        &PoolInput {
            name: "Exchange Online (Plan 1)".into(),
            product_id: template.product.id,
            tier: "plan 1".into(),
            license_type: Some(LicenseType::PerUser),
            seats_purchased: Some(120),
            unit_cost: Some(Money::new(400, "USD")),
            billing_period: Some(BillingPeriod::Monthly),
            cost_centre_id: template.cost_centre.id,
            department_id: template.department.id,
            owner_id: None,
            // Bought under the E3 agreement: no dates of its own, so "contracts from pool dates" has nothing to adopt.
            contract_start: None,
            contract_end: None,
            ..PoolInput::default()
        },
    )
    .await?;

    // Usage: one in ten never signed in, one in ten has no data, a fifth idle for months, the rest recent.
    let signal = |i: usize| -> Option<Option<chrono::DateTime<Utc>>> {
        match i % 10 {
            0 => Some(None),
            1 => None,
            2 | 3 => Some(Some(now - Duration::days(70 + (i as i64 * 7) % 90))),
            _ => Some(Some(now - Duration::days(1 + (i as i64 * 3) % 30))),
        }
    };
    let of = |pool_id: i64, holders: &[i64]| -> Vec<(i64, i64, Option<chrono::DateTime<Utc>>)> {
        holders.iter().enumerate().filter_map(|(i, p)| signal(i).map(|last| (pool_id, *p, last))).collect()
    };
    let mut tx = db.begin().await?;
    usage::set(&mut tx, &of(e3, &e3_holders), "entra-signin-log", now - Duration::hours(20)).await?;
    usage::set(&mut tx, &of(zoom, &zoom_holders), "zoom-reports", now - Duration::days(2)).await?;
    tx.commit().await?;

    policies::create(
        db,
        clock,
        &admin,
        &PolicyInput {
            name: "Downgrade E3 to Exchange Online after 60 days without a sign-in, or never".into(),
            pool_id: Some(e3),
            product_id: None,
            action: ReclaimAction::Downgrade,
            target_pool_id: Some(exchange.id),
            conditions: conditions(60, 0),
            ask_consent: false,
            needs_approval: true,
            enabled: true,
        },
    )
    .await?;
    policies::create(
        db,
        clock,
        &admin,
        &PolicyInput {
            name: "Remove Zoom after 90 days without a sign-in; new accounts keep it 90 days".into(),
            pool_id: Some(zoom),
            product_id: None,
            action: ReclaimAction::Reclaim,
            target_pool_id: None,
            conditions: conditions(90, 90),
            ask_consent: false,
            needs_approval: false,
            enabled: false,
        },
    )
    .await?;

    // Leavers over the past four months, offboarded as they left (their seats reclaimed within hours).
    let leavers: Vec<i64> = e3_holders.iter().rev().take(8).copied().collect();
    for (k, person) in leavers.iter().enumerate().skip(1) {
        let at = now - Duration::days(10 + 16 * k as i64);
        let past = ManualClock::new(at + Duration::hours(2 + k as i64));
        let mut tx = db.begin().await?;
        people::apply_status(&mut tx, admin.ledger_name(), *person, PersonStatus::Terminated, at, past.now()).await?;
        tx.commit().await?;
    }
    // One of the most recent leaver's seats was taken back by mistake: restored.
    let recent = leavers.get(1).copied().ok_or(AppError::NotFound("demo leaver"))?;
    let reclaimed = cases::list(db, &admin, &CaseQuery { person_id: Some(recent), ..CaseQuery::default() }).await?;
    // The first of their seats whose pool has room to take it back (E3 is over-assigned in the demo).
    for case in &reclaimed.items {
        if cases::restore(db, clock, &admin, case.id).await.is_ok() {
            break;
        }
    }
    // A leaver under a legal hold keeps their seats until it ends.
    let held = leavers.first().copied().ok_or(AppError::NotFound("demo leaver"))?;
    let legal = HoldInput {
        kind: "legal".into(),
        person_id: Some(held),
        pool_id: None,
        reason: "Litigation hold LT-2026-14: keep mailbox and files".into(),
        starts_on: None,
        ends_on: Some((now + Duration::days(45)).date_naive()),
    };
    holds::create(db, clock, &admin, &legal).await?;
    let mut tx = db.begin().await?;
    people::apply_status(&mut tx, admin.ledger_name(), held, PersonStatus::Terminated, now, now).await?;
    tx.commit().await?;
    // A quarter-end freeze on Sales Cloud.
    let (sales, _) = pool(state, "Sales Cloud Enterprise").await?;
    let today = now.date_naive();
    let blackout = HoldInput {
        kind: "blackout".into(),
        person_id: None,
        pool_id: Some(sales),
        reason: "Quarter-end freeze: no seat changes while the sales quarter closes".into(),
        starts_on: Some(today + Duration::days(20)),
        ends_on: Some(today + Duration::days(35)),
    };
    holds::create(db, clock, &admin, &blackout).await?;
    Ok(())
}
