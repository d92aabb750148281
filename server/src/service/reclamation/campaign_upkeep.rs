//! A campaign's own clock, kept on every background tick: seats used again are let go, the reminder goes out
//! once before the deadline, and at the deadline each seat still waiting is taken back or passed to the pool's
//! owner. Each step is claimed in the database, so several instances never do it twice.

use chrono::{DateTime, Utc};
use seatwise_types::{CaseState, Choice};
use serde::Serialize;

use crate::clock::Clock;
use crate::db::reclamation::campaigns as store;
use crate::db::reclamation::cases as case_store;
use crate::db::Db;
use crate::domain::alert_mail::Outbox;
use crate::domain::campaign::{self as rules, Next};
use crate::error::{AppError, AppResult};
use crate::service::ledger;

use super::campaigns::{answered_entries, respond_key, send, take_back, tell_owners};
use super::cases::{cancel, organisation};

/// Who the ledger names for what a campaign's deadline and reminders do.
pub const CAMPAIGNS: &str = "seatwise:campaigns";

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct CampaignUpkeep {
    /// Cases let go because their seat was used again.
    pub used_again: i64,
    /// Letters reminded.
    pub reminded: i64,
    /// Campaigns whose deadline was acted on.
    pub closed: i64,
    /// Seats taken back at a deadline without an answer.
    pub taken_back: i64,
    /// Seats passed to their pool's owner at a deadline.
    pub to_owner: i64,
}

pub async fn upkeep(db: &Db, clock: &dyn Clock, outbox: Option<Outbox<'_>>) -> AppResult<CampaignUpkeep> {
    let now = clock.now();
    let mut done = CampaignUpkeep { used_again: let_go_used(db, now).await?, ..CampaignUpkeep::default() };
    let mut conn = db.read.acquire().await?;
    let reminders = store::due_reminders(&mut conn, now).await?;
    let deadlines = store::due_deadlines(&mut conn, now).await?;
    drop(conn);
    if let (Some(outbox), false) = (outbox, reminders.is_empty()) {
        let key = respond_key(db, now).await?;
        for id in reminders {
            done.reminded += remind(db, outbox, &key, id, now).await?;
        }
    }
    for id in deadlines {
        if let Some((taken, owner)) = close(db, outbox, id, now).await? {
            done.closed += 1;
            done.taken_back += taken;
            done.to_owner += owner;
        }
    }
    Ok(done)
}

/// A holder asked about a seat they have used since: the case is cancelled, they need it.
async fn let_go_used(db: &Db, now: DateTime<Utc>) -> AppResult<i64> {
    let mut tx = db.begin().await?;
    let used: std::collections::HashMap<i64, DateTime<Utc>> = store::used_again(&mut tx).await?.into_iter().collect();
    let ids: Vec<i64> = used.keys().copied().collect();
    let cases = case_store::by_ids(&mut tx, &ids).await?;
    for c in &cases {
        let Some(at) = used.get(&c.case.id) else { continue };
        let note = format!("Used again on {} before the deadline: the seat is in use.", at.date_naive());
        cancel(&mut tx, std::slice::from_ref(c), &note, "used_again", CAMPAIGNS, now).await?;
    }
    tx.commit().await?;
    Ok(cases.len() as i64)
}

/// Remind everyone a campaign still waits for, once: the same links again. How many letters.
async fn remind(db: &Db, outbox: Outbox<'_>, key: &[u8], id: i64, now: DateTime<Utc>) -> AppResult<i64> {
    let mut tx = db.begin().await?;
    if !store::claim_reminder(&mut tx, id, now).await? {
        return Ok(0);
    }
    let campaign =
        store::get(&mut *tx, id).await?.ok_or_else(|| AppError::internal(format!("campaign {id} vanished")))?;
    let mut n = 0;
    for letter in store::waiting_letters(&mut tx, id).await? {
        let cases: Vec<_> = store::letter_cases(&mut tx, letter.id)
            .await?
            .into_iter()
            .filter(|c| c.letters.waiting == Some(letter.id))
            .filter(|c| matches!(c.case.state, CaseState::AwaitingUser | CaseState::AwaitingApproval))
            .collect();
        send(&mut tx, outbox, key, &campaign, &letter, &cases, true, now).await?;
        store::mark_reminded(&mut tx, letter.id, now).await?;
        n += 1;
    }
    tx.commit().await?;
    Ok(n)
}

/// Act on a campaign's deadline, if this instance claims it: (seats taken back, seats passed to the owner).
async fn close(db: &Db, outbox: Option<Outbox<'_>>, id: i64, now: DateTime<Utc>) -> AppResult<Option<(i64, i64)>> {
    let org = organisation(db).await?;
    let mut tx = db.begin().await?;
    if !store::claim_close(&mut tx, id, now).await? {
        return Ok(None);
    }
    let campaign =
        store::get(&mut *tx, id).await?.ok_or_else(|| AppError::internal(format!("campaign {id} vanished")))?;
    let waiting = store::waiting_cases(&mut tx, id).await?;
    let (taken, owner): (Vec<_>, Vec<_>) = waiting
        .into_iter()
        .partition(|c| rules::at_deadline(campaign.no_answer, c.case.answer == Some(Choice::Keep)) == Next::TakeBack);
    let mut pools: Vec<i64> = taken.iter().map(|c| c.case.pool_id).collect();
    pools.sort_unstable();
    pools.dedup();
    for p in &pools {
        crate::db::pools::lock(&mut tx, *p).await?;
    }
    take_back(&mut tx, &org, &taken, CAMPAIGNS, "No answer by the deadline: taken back.", now).await?;
    for c in &owner {
        store::pass_on(&mut tx, c.case.id, c.case.state, CaseState::AwaitingApproval, None).await?;
    }
    tell_owners(&mut tx, outbox, &campaign, &owner, now).await?;
    let mut entries =
        answered_entries(&taken, &serde_json::json!({"choice": null, "next": "takeback", "deadline": true}))?;
    entries
        .extend(answered_entries(&owner, &serde_json::json!({"choice": null, "next": "toowner", "deadline": true}))?);
    ledger::record_many(&mut tx, now, CAMPAIGNS, entries).await?;
    tx.commit().await?;
    Ok(Some((taken.len() as i64, owner.len() as i64)))
}
