//! What the background does for requests: lapsed approvals, due runs and reminders, once across instances.

use chrono::{DateTime, Utc};
use seatwise_types::{ApplyChangeInput, AttemptOutcome, ChangeStatus};

use crate::auth::{Actor, Via};
use crate::clock::Clock;
use crate::db::attempts::{self, Work};
use crate::db::change_requests::{self as store, Step, StoredChange};
use crate::db::{users, Conn, Db};
use crate::domain::alert_mail::Outbox;
use crate::domain::change_mail::Event;
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};
use crate::service::progress::Progress;

use super::*;

pub(super) async fn expire_locked(
    tx: &mut Conn,
    outbox: Option<Outbox<'_>>,
    who: &str,
    stored: &StoredChange,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if store::step(tx, stored.id, ChangeStatus::Approved, Step::Expire, now).await? {
        ledger::record(tx, now, who, Change::event("change_request.expire", "change_request", Some(stored.id))).await?;
        let to = requester_address(tx, stored).await?;
        notify(tx, outbox, stored, Event::Expired, &to, now).await?;
    }
    Ok(())
}

/// Background upkeep, safe on several instances at once: approvals that lapsed unused expire (their requesters
/// are told), and approvers of requests waiting longer than the policy allows are reminded. Returns how many of
/// each.
pub async fn upkeep(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    progress: &Progress,
    follower: &dyn Follower,
) -> AppResult<Upkeep> {
    let now = clock.now();
    let applied = run_due(db, clock, outbox, progress, follower).await?;
    let policy = store::policy(&db.read).await?;
    let mut expired = 0;
    for id in store::upkeep::lapsed(&db.read, now).await? {
        let mut tx = db.begin().await?;
        if store::lock(&mut tx, id).await? == Some(ChangeStatus::Approved) {
            if let Some(stored) = store::get(&mut *tx, id).await? {
                expire_locked(&mut tx, outbox, "seatwise", &stored, now).await?;
                expired += 1;
            }
        }
        tx.commit().await?;
    }
    let mut reminded = 0;
    if let Some(hours) = policy.reminder_hours {
        let before = now - chrono::Duration::hours(hours);
        for id in store::upkeep::waiting_since(&db.read, before).await? {
            let mut tx = db.begin().await?;
            // Claimed by the conditional update: another instance that got there first wins and this one skips.
            if store::upkeep::claim_reminder(&mut tx, id, before, now).await? {
                if let Some(stored) = store::get(&mut *tx, id).await? {
                    if let Some(waiting) = stored.waiting_for() {
                        let to = deciders(&mut tx, &stored, waiting).await?;
                        notify(&mut tx, outbox, &stored, Event::Reminder, &to, now).await?;
                        reminded += 1;
                    }
                }
            }
            tx.commit().await?;
        }
    }
    Ok(Upkeep { expired, reminded, applied })
}

/// What the background upkeep did: approvals lapsed, approvers reminded, scheduled requests applied.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Upkeep {
    pub expired: u64,
    pub reminded: u64,
    pub applied: u64,
}

/// Apply the requests whose execution window has come, each claimed first by a conditional update so that of
/// several instances exactly one runs it. Applied as their requester; a stage that fails is recorded as a failed
/// attempt on the request (its page says why) and not tried again by the run.
pub(super) async fn run_due(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    progress: &Progress,
    follower: &dyn Follower,
) -> AppResult<u64> {
    let mut applied = 0;
    let whole = ApplyChangeInput::default();
    for id in store::upkeep::due_runs(&db.read, clock.now()).await? {
        if !store::upkeep::claim_run(&db.write, id, clock.now()).await? {
            continue;
        }
        let Some(stored) = store::get(&db.read, id).await? else { continue };
        let requester =
            users::load(&db.read, stored.requested_by.id).await?.map(|user| Actor { user, via: Via::Token });
        let scheduled = [ChangeStatus::Approved];
        let refused = match requester {
            None => Some("its requester's account no longer exists".to_string()),
            Some(requester) => match precheck(db, clock, &requester, id, &whole, &scheduled).await {
                Err(e @ (AppError::Database(_) | AppError::Internal(_) | AppError::Busy { .. })) => {
                    // Not the request's fault: the next tick tries again.
                    tracing::warn!(change_request = id, error = %e, "a scheduled change request could not start");
                    store::upkeep::release_run(&db.write, id).await?;
                    None
                }
                // Applied or lapsed meanwhile: nothing left to run.
                Err(_) if store::get(&db.read, id).await?.is_none_or(|s| s.status != ChangeStatus::Approved) => None,
                Err(e) => Some(e.public_message()),
                Ok(rows) => {
                    // A stage that fails records its own attempt.
                    match run_stage(db, clock, outbox, progress, follower, &requester, id, &whole, rows, &scheduled)
                        .await
                    {
                        Ok(()) => applied += 1,
                        Err(e) => {
                            tracing::warn!(change_request = id, error = %e, "a scheduled change request did not apply")
                        }
                    }
                    None
                }
            },
        };
        if let Some(why) = refused {
            tracing::warn!(change_request = id, why, "a scheduled change request did not start");
            run_refused(db, clock, &stored, &why).await;
        }
    }
    Ok(applied)
}

/// A scheduled run that could not start is recorded as a failed attempt with why, where the request's page shows
/// it; the run stays claimed (a person applies it by hand once the cause is fixed). Advisory: logged if it fails.
pub(super) async fn run_refused(db: &Db, clock: &dyn Clock, stored: &StoredChange, why: &str) {
    let now = clock.now();
    let rows = (stored.applied_count + 1, stored.operations.len() as i64 - stored.applied_count);
    let message = format!("The scheduled run did not start: {why}");
    let recorded = async {
        let attempt = store::stages::start_attempt(&db.write, stored.id, rows, "Seatwise (scheduled run)", now).await?;
        let mut conn = db.write.acquire().await?;
        attempts::end(&mut conn, Work::ChangeRequest, attempt, AttemptOutcome::Failed, Some(&message), now).await
    };
    if let Err(e) = recorded.await {
        tracing::warn!(change_request = stored.id, error = %e, "could not record that a scheduled run did not start");
    }
}
