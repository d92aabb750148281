//! Delivering seat actions to their targets. Due actions are claimed in the database (one instance works each),
//! the account is read first (so an action that already took effect, say before a crash, is confirmed without being
//! sent again), the call is sent, and the account is read back: only what the target shows done is confirmed.
//! Failures are retried with a growing delay (a 429's `Retry-After` honoured) and then become a task for a person.

use chrono::{DateTime, Utc};
use seatwise_types::{ConnectorKind, SeatActionKind, SeatActionStatus};
use serde::Serialize;

use super::scim::{self, CallError};
use super::Opened;
use crate::clock::Clock;
use crate::db::seat_actions::{self as store, Claimed, Settled};
use crate::db::Db;
use crate::domain::connector::{self as rules, Call, Step};
use crate::domain::sealed::CredentialsKey;
use crate::domain::secret::random_token;
use crate::error::AppResult;
use crate::service::ledger::{self, Change, Pending};
use crate::service::reclamation::settle;

/// Actions claimed at a time.
const BATCH: i64 = 50;
/// How long a claim keeps other instances off an action (renewed before each one).
const LEASE_MINUTES: i64 = 5;
/// When a sent action that the target does not show done yet is read again.
const READ_AGAIN_MINUTES: i64 = 1;

/// What one delivery round did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Delivered {
    pub confirmed: u64,
    pub sent: u64,
    pub failed: u64,
    pub manual: u64,
}

/// Work every due action this instance can claim.
pub async fn deliver_due(db: &Db, clock: &dyn Clock, key: Option<&CredentialsKey>) -> AppResult<Delivered> {
    let token = random_token("");
    let lease = chrono::Duration::minutes(LEASE_MINUTES);
    let mut out = Delivered::default();
    loop {
        let batch = store::claim(&db.write, &token, clock.now(), lease, BATCH).await?;
        if batch.is_empty() {
            return Ok(out);
        }
        // Claimed in connector order: each connector's credentials are opened once per batch.
        let mut target: Option<(i64, AppResult<Target>)> = None;
        for a in &batch {
            if target.as_ref().is_none_or(|(id, _)| *id != a.connector_id) {
                target = Some((a.connector_id, connect(db, key, a.connector_id).await));
            }
            if !store::renew(&db.write, a.id, &token, clock.now() + lease).await? {
                continue; // Another instance took it over: it is theirs now.
            }
            let now = clock.now();
            let settled = match target.as_ref().map(|(_, t)| t) {
                Some(Ok((opened, client))) => work(opened, client.as_ref(), a, now).await,
                Some(Err(e)) => failed(a, &e.to_string(), rules::retry_delay(a.attempts), now),
                None => continue,
            };
            let name = target.as_ref().and_then(|(_, t)| t.as_ref().ok()).map(|(o, _)| o.connector.name.clone());
            record(db, a, &token, &settled, name.as_deref().unwrap_or("connector"), now).await?;
            match settled.status {
                SeatActionStatus::Confirmed => out.confirmed += 1,
                SeatActionStatus::Sent => out.sent += 1,
                SeatActionStatus::Failed => out.failed += 1,
                SeatActionStatus::Manual => out.manual += 1,
                SeatActionStatus::Pending => {}
            }
        }
    }
}

/// A connector opened for delivery, with its client (none for kinds whose delivery is not built).
type Target = (Opened, Option<scim::Client>);

async fn connect(db: &Db, key: Option<&CredentialsKey>, id: i64) -> AppResult<Target> {
    let mut conn = db.read.acquire().await?;
    let opened = super::open(&mut conn, key, id).await?;
    let client = match opened.connector.kind {
        ConnectorKind::Scim => Some(scim::Client::new(
            opened.connector.base_url.as_deref().unwrap_or_default(),
            opened.credential("bearer_token"),
        )?),
        _ => None,
    };
    Ok((opened, client))
}

/// Store an attempt's outcome under the claim; a confirmed removal closes the case waiting for it, and whatever
/// ends the action (confirmed, or left to a person) is in the ledger.
async fn record(db: &Db, a: &Claimed, token: &str, s: &Settled, connector: &str, now: DateTime<Utc>) -> AppResult<()> {
    let mut tx = db.begin().await?;
    if !store::settle(&mut tx, a.id, token, s).await? {
        return Ok(()); // The claim was taken over meanwhile; the new holder records its own outcome.
    }
    let who = format!("connector {connector}");
    let mut entries: Vec<Pending> = Vec::new();
    if matches!(s.status, SeatActionStatus::Confirmed | SeatActionStatus::Manual) {
        let record = serde_json::json!({"seat_action_id": a.id, "connector_id": a.connector_id, "pool_id": a.pool_id,
            "person_id": a.person_id, "kind": a.kind.as_str(), "status": s.status.as_str(), "detail": s.detail,
            "last_error": s.last_error, "attempts": a.attempts + i64::from(s.attempted)});
        let action = if s.status == SeatActionStatus::Confirmed { "seat_action.confirm" } else { "seat_action.manual" };
        entries.push(Pending::of(Change::created(action, "seat_action", Some(a.id), &record))?);
    }
    if s.status == SeatActionStatus::Confirmed && a.kind == SeatActionKind::Remove {
        entries.extend(settle::confirmed_in_target(&mut tx, a.pool_id, a.person_id, &who, now).await?);
    }
    ledger::record_many(&mut tx, now, &who, entries).await?;
    tx.commit().await?;
    Ok(())
}

fn settled(status: SeatActionStatus, detail: String) -> Settled {
    Settled {
        status,
        attempted: true,
        last_error: None,
        detail: Some(detail),
        target_id: None,
        next_attempt_at: None,
        sent_at: None,
        confirmed_at: None,
        confirmed_by: None,
    }
}

/// An attempt that failed: tried again after `wait`, or, after the last attempt, left to a person.
fn failed(a: &Claimed, error: &str, wait: chrono::Duration, now: DateTime<Utc>) -> Settled {
    let attempts = a.attempts + 1;
    if attempts >= rules::MAX_ATTEMPTS {
        let what = format!("After {attempts} attempts the target has not done it: do it by hand, then mark it done.");
        return Settled { last_error: Some(error.to_string()), ..settled(SeatActionStatus::Manual, what) };
    }
    Settled {
        last_error: Some(error.to_string()),
        detail: None,
        next_attempt_at: Some(now + wait),
        ..settled(SeatActionStatus::Failed, String::new())
    }
}

fn call_failed(a: &Claimed, e: &CallError, now: DateTime<Utc>) -> Settled {
    match e {
        CallError::Transient(m) => failed(a, m, rules::retry_delay(a.attempts), now),
        CallError::Later(wait, m) => {
            failed(a, m, chrono::Duration::from_std(*wait).unwrap_or(chrono::Duration::minutes(1)), now)
        }
        CallError::Refused(m) => Settled {
            last_error: Some(m.clone()),
            ..settled(SeatActionStatus::Manual, "The target refused it: do it by hand, then mark it done.".into())
        },
    }
}

/// One attempt at one action.
async fn work(opened: &Opened, client: Option<&scim::Client>, a: &Claimed, now: DateTime<Utc>) -> Settled {
    let Some(client) = client else {
        let what = format!(
            "Delivery through {} is not built yet: do it by hand, then mark it done.",
            opened.connector.kind.as_str()
        );
        return settled(SeatActionStatus::Manual, what);
    };
    let removal = opened.connector.removal;
    // The account as the target shows it now: by the id found before, else by its user name.
    let found = match &a.target_id {
        Some(id) => client.read(id).await,
        None => client.find(&a.account).await,
    };
    let account = match found {
        Ok(account) => account,
        Err(e) => return call_failed(a, &e, now),
    };
    let id = account.as_ref().map(|acc| acc.id.clone());
    let step = rules::next_step(a.kind, removal, &a.account, account.as_ref().map(|acc| acc.active));
    let call = match step {
        Step::Done(why) => {
            return Settled { target_id: id, confirmed_at: Some(now), ..settled(SeatActionStatus::Confirmed, why) }
        }
        Step::ByHand(what) => return Settled { target_id: id, ..settled(SeatActionStatus::Manual, what) },
        Step::Call(call) => call,
    };
    let request = call.describe(id.as_deref());
    if a.dry_run {
        let what = format!("Dry run: would send {request}. Nothing was sent: do it by hand, then mark it done.");
        return Settled { target_id: id, ..settled(SeatActionStatus::Manual, what) };
    }
    let sent = match (call, id.as_deref()) {
        (Call::Deactivate, Some(id)) => client.set_active(id, false).await.map(|()| id.to_string()),
        (Call::Activate, Some(id)) => client.set_active(id, true).await.map(|()| id.to_string()),
        (Call::Delete, Some(id)) => client.delete(id).await.map(|()| id.to_string()),
        (Call::Create, _) => client.create(&a.account, &a.person_name).await.map(|acc| acc.id),
        (_, None) => Err(CallError::Refused("No account to send it to.".into())),
    };
    let id = match sent {
        Ok(id) => id,
        Err(e) => return Settled { target_id: id, ..call_failed(a, &e, now) },
    };
    let request = call.describe(Some(&id));
    // Read back: confirmed only when the target shows it.
    let shown = match client.read(&id).await {
        Ok(account) => rules::next_step(a.kind, removal, &a.account, account.map(|acc| acc.active)),
        Err(e) => Step::ByHand(e.message().to_string()),
    };
    match shown {
        Step::Done(why) => Settled {
            target_id: Some(id),
            sent_at: Some(now),
            confirmed_at: Some(now),
            ..settled(SeatActionStatus::Confirmed, format!("{request}; read back: {why}"))
        },
        _ => Settled {
            target_id: Some(id),
            sent_at: Some(now),
            next_attempt_at: Some(now + chrono::Duration::minutes(READ_AGAIN_MINUTES)),
            ..settled(SeatActionStatus::Sent, format!("{request}; the target does not show it done yet."))
        },
    }
}
