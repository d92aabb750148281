//! A case's seat removed (by reclamation itself, or by the change request that carried it): the case closes as
//! reclaimed or downgraded, keeps the seat as it was for a restore, and the saving is logged. Reclamation follows
//! the change requests its runs send (`Cases`, a `change_requests::Follower`): applied, their cases close as
//! removed; rejected, as kept.

use chrono::{DateTime, NaiveDate, Utc};
use seatwise_types::{CaseState, ChangeOrigin, ReclaimAction, WebhookEvent};

use crate::db::reclamation::cases::{self as store, Closing, StoredCase};
use crate::db::reclamation::policies::{pool_facts, PoolFacts};
use crate::db::reclamation::savings::{self as savings_store, NewSaving};
use crate::db::seats;
use crate::db::Conn;
use crate::domain::pool::per_month;
use crate::domain::reclamation as rules;
use crate::domain::seat_snapshot::SeatBefore;
use crate::error::{AppError, AppResult};
use crate::service::change_requests::{Follower, Outcome};
use crate::service::ledger::{self, Change, Pending};
use crate::service::{org, webhooks};

fn price_source(pool: &PoolFacts, target: Option<&PoolFacts>) -> String {
    match target {
        Some(t) => format!("{} less {}", pool.price.source(&pool.name), t.price.source(&t.name)),
        None => pool.price.source(&pool.name),
    }
}

/// The seat a case removed, and the prices its saving comes from.
#[derive(Clone, Copy)]
pub(super) struct Removal<'a> {
    pub seat: &'a SeatBefore,
    pub pool: &'a PoolFacts,
    pub target: Option<&'a PoolFacts>,
}

/// Close open cases whose seats are gone, each case's step, saving and webhook written together with the others':
/// the state each closed in and its ledger entry, in the order given.
pub(super) async fn record_revoked(
    tx: &mut Conn,
    removed: &[(&StoredCase, Removal<'_>)],
    today: NaiveDate,
    who: &str,
    now: DateTime<Utc>,
) -> AppResult<Vec<(CaseState, Pending)>> {
    let mut closings = Vec::with_capacity(removed.len());
    let mut savings = Vec::new();
    let mut reclaimed = Vec::new();
    let mut out = Vec::with_capacity(removed.len());
    for (c, Removal { seat, pool, target }) in removed {
        let case = &c.case;
        let (closed, kind) = closed_state(case.action);
        let revoke_ms = rules::revoke_ms(case.event_at, now);
        // A connector's pool: the seat is gone here, and the case waits until the target confirms it gone there
        // (`confirmed_in_target`), which is when it counts as revoked.
        let (state, done) = if pool.connected {
            let waiting = Closing {
                removed: Some((*seat).clone()),
                note: Some(format!(
                    "Removed from {}; waiting for the connector to confirm it in the target.",
                    pool.name
                )),
                ..Closing::default()
            };
            (CaseState::AwaitingRevocation, waiting)
        } else {
            let done = Closing {
                removed: Some((*seat).clone()),
                revoked_at: Some(now),
                revoke_ms: Some(revoke_ms),
                closed_at: Some(now),
                closed_by: Some(who.to_string()),
                ..Closing::default()
            };
            (closed, done)
        };
        closings.push((case.id, case.state, state, done));
        if let Some(annual) = rules::seat_saving(case.action, &pool.price, target.map(|t| &t.price)) {
            savings.push(NewSaving {
                case_id: case.id,
                person_id: case.person_id,
                pool_id: case.pool_id,
                kind,
                removed_on: today,
                monthly_minor: per_month(annual.amount_minor),
                annual_minor: annual.amount_minor,
                currency: annual.currency.clone(),
                price_source: price_source(pool, *target),
            });
        }
        let record = serde_json::json!({"case_id": case.id, "pool_id": case.pool_id, "person_id": case.person_id,
            "state": state.as_str(), "revoke_ms": (!pool.connected).then_some(revoke_ms),
            "change_request_id": case.change_request_id});
        let action = if pool.connected { "reclamation.case.remove" } else { "reclamation.case.close" };
        out.push((state, Pending::of(Change::created(action, "reclamation_case", Some(case.id), &record))?));
        if !pool.connected {
            reclaimed.push(record);
        }
    }
    let steps: Vec<_> = closings.iter().map(|(id, from, to, closing)| (*id, *from, *to, closing)).collect();
    if store::step_many(tx, &steps).await? != steps.len() as u64 {
        return Err(AppError::internal("a case moved under its pool's lock"));
    }
    if savings_store::insert_many(tx, &savings, now).await? != savings.len() as u64 {
        return Err(AppError::internal("a saving's pool or person is gone"));
    }
    webhooks::emit(tx, WebhookEvent::SeatReclaimed, &reclaimed, now).await?;
    Ok(out)
}

fn closed_state(action: ReclaimAction) -> (CaseState, &'static str) {
    match action {
        ReclaimAction::Downgrade => (CaseState::Downgraded, "downgraded"),
        _ => (CaseState::Reclaimed, "reclaimed"),
    }
}

/// The target confirmed a seat of `pool_id` gone for `person_id` (or a person did it by hand): the case waiting
/// for that closes, its time to revoke measured to now. Its ledger entry, if there was one.
pub async fn confirmed_in_target(
    tx: &mut Conn,
    pool_id: i64,
    person_id: i64,
    who: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<Pending>> {
    let Some(c) = store::awaiting_target(tx, pool_id, person_id).await? else { return Ok(None) };
    let (state, _) = closed_state(c.case.action);
    let revoke_ms = rules::revoke_ms(c.case.event_at, now);
    let done = Closing {
        revoked_at: Some(now),
        revoke_ms: Some(revoke_ms),
        closed_at: Some(now),
        closed_by: Some(who.to_string()),
        note: Some("Confirmed removed in the target.".into()),
        ..Closing::default()
    };
    if !store::step(tx, c.case.id, CaseState::AwaitingRevocation, state, &done).await? {
        return Ok(None);
    }
    let record = serde_json::json!({"case_id": c.case.id, "pool_id": pool_id, "person_id": person_id,
        "state": state.as_str(), "revoke_ms": revoke_ms, "confirmed_in_target": true});
    webhooks::emit(tx, WebhookEvent::SeatReclaimed, std::slice::from_ref(&record), now).await?;
    Ok(Some(Pending::of(Change::created("reclamation.case.close", "reclamation_case", Some(c.case.id), &record))?))
}

/// Reclamation as a follower of the change requests its runs send.
pub struct Cases;

#[async_trait::async_trait]
impl Follower for Cases {
    async fn applied(&self, tx: &mut Conn, o: &Outcome<'_>) -> AppResult<()> {
        match o.origin {
            ChangeOrigin::Reclamation => change_applied(tx, o.change_request_id, o.who, o.now).await,
            _ => Ok(()),
        }
    }

    async fn rejected(&self, tx: &mut Conn, o: &Outcome<'_>) -> AppResult<()> {
        match o.origin {
            ChangeOrigin::Reclamation => change_rejected(tx, o.change_request_id, o.who, o.now).await,
            _ => Ok(()),
        }
    }
}

/// A change request carrying reclamation cases applied (all or a stage): each case whose seat it removed closes.
async fn change_applied(tx: &mut Conn, change_request_id: i64, who: &str, now: DateTime<Utc>) -> AppResult<()> {
    let waiting = store::awaiting_change(tx, change_request_id).await?;
    if waiting.is_empty() {
        return Ok(());
    }
    let today = org::load_from(&mut *tx).await?.today(now);
    let mut pools: Vec<i64> =
        waiting.iter().flat_map(|c| [Some(c.case.pool_id), c.case.target_pool_id]).flatten().collect();
    pools.sort_unstable();
    pools.dedup();
    let facts = pool_facts(tx, &pools).await?;
    let wanted: Vec<(i64, i64)> = waiting.iter().map(|c| (c.case.pool_id, c.case.person_id)).collect();
    let still_held = seats::held(tx, &wanted).await?;
    let mut removed = Vec::new();
    for c in &waiting {
        if still_held.contains(&(c.case.pool_id, c.case.person_id)) {
            continue; // Not in this stage: the rest of a pilot.
        }
        let (Some(seat), Some(pool)) = (c.removed.as_ref(), facts.get(&c.case.pool_id)) else {
            return Err(AppError::internal(format!("case {}: no seat kept, or its pool is gone", c.case.id)));
        };
        let target = c.case.target_pool_id.and_then(|t| facts.get(&t));
        removed.push((c, Removal { seat, pool, target }));
    }
    let entries = record_revoked(tx, &removed, today, who, now).await?.into_iter().map(|(_, entry)| entry).collect();
    Ok(ledger::record_many(tx, now, who, entries).await?)
}

/// A change request carrying reclamation cases was rejected: the seats stay, and their cases close as kept.
async fn change_rejected(tx: &mut Conn, change_request_id: i64, who: &str, now: DateTime<Utc>) -> AppResult<()> {
    let mut entries = Vec::new();
    for c in store::awaiting_change(tx, change_request_id).await? {
        let kept = Closing {
            closed_at: Some(now),
            closed_by: Some(who.to_string()),
            note: Some(format!("Change request {change_request_id} was rejected: the seat stays.")),
            ..Closing::default()
        };
        if store::step(tx, c.case.id, CaseState::AwaitingApproval, CaseState::Kept, &kept).await? {
            let record =
                serde_json::json!({"case_id": c.case.id, "state": "kept", "change_request_id": change_request_id});
            entries.push(Pending::of(Change::created(
                "reclamation.case.close",
                "reclamation_case",
                Some(c.case.id),
                &record,
            ))?);
        }
    }
    Ok(ledger::record_many(tx, now, who, entries).await?)
}
