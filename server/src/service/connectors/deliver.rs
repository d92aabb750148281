//! Delivering seat actions to their targets. Due actions are claimed in the database (one instance works each),
//! the account is read first (so an action that already took effect, say before a crash, is confirmed without being
//! sent again), the call is sent, and the account is read back: only what the target shows done is confirmed.
//! Failures are retried with a growing delay (a 429's `Retry-After` honoured) and then become a task for a person.

use chrono::{DateTime, Utc};
use seatwise_types::{ConnectorKind, Removal, SeatActionKind, SeatActionStatus};
use serde::Serialize;

use std::collections::{HashMap, HashSet};

use super::scim::{self, CallError};
use super::Opened;
use super::{graph, okta};
use crate::clock::Clock;
use crate::db::connectors as connector_store;
use crate::db::seat_actions::{self as store, Claimed, Settled};
use crate::db::Db;
use crate::domain::connector::{self as rules, Call, GroupStep, Step};
use crate::domain::graph_step::{self as graph_rules, GraphStep};
use crate::domain::sealed::CredentialsKey;
use crate::domain::secret::random_token;
use crate::error::AppResult;
use crate::service::ledger::{self, Change, Pending};
use crate::service::reclamation::settle;

/// Actions claimed at a time.
const BATCH: i64 = 50;
/// How long a claim keeps other instances off an action (renewed before each one).
const LEASE_MINUTES: i64 = 1;
/// When a sent action that the target does not show done yet is read again.
const READ_AGAIN_MINUTES: i64 = 1;

/// What one delivery round did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Delivered {
    pub confirmed: u64,
    pub sent: u64,
    pub failed: u64,
    pub manual: u64,
    /// Put off to the next minute by the connector's pace.
    pub paced: u64,
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
        // Claimed in connector order: each connector is opened (and signed in to) once per batch.
        let mut target: Option<(i64, Result<Target, String>)> = None;
        let mut handled: HashSet<i64> = HashSet::new();
        for a in &batch {
            if handled.contains(&a.id) {
                continue;
            }
            if target.as_ref().is_none_or(|(id, _)| *id != a.connector_id) {
                target = Some((a.connector_id, connect(db, key, a.connector_id, &batch).await));
            }
            // A downgrade in one Microsoft Graph call: the seat given in the cheaper pool goes with the removal.
            let partner = match target.as_ref().map(|(_, t)| t) {
                Some(Ok(Target { client: Client::Graph(_), .. })) if a.kind == SeatActionKind::Remove => {
                    batch.iter().find(|b| {
                        b.kind == SeatActionKind::Add
                            && b.person_id == a.person_id
                            && b.connector_id == a.connector_id
                            && !handled.contains(&b.id)
                    })
                }
                _ => None,
            };
            let mut ours = vec![a];
            ours.extend(partner);
            let mut renewed = true;
            for x in &ours {
                renewed &= store::renew(&db.write, x.id, &token, clock.now() + lease).await?;
            }
            if !renewed {
                continue; // Another instance took it over: it is theirs now.
            }
            let now = clock.now();
            // A connector with a pace sends no more than its allowance a minute (a dry run sends nothing).
            let paced = matches!(target.as_ref().map(|(_, t)| t), Some(Ok(t)) if t.opened.connector.max_actions_per_minute.is_some());
            if paced && !a.dry_run {
                // The connection is let go before the postponement takes one (SQLite has a single writer).
                let spent = connector_store::take_pace(&mut *db.write.acquire().await?, a.connector_id, now).await?;
                if let Some(next) = spent {
                    for x in ours {
                        handled.insert(x.id);
                        store::postpone(&db.write, x.id, &token, next).await?;
                        out.paced += 1;
                    }
                    continue;
                }
            }
            let (settled, name) = match target.as_ref().map(|(_, t)| t) {
                Some(Ok(t)) => (work(t, a, partner, now).await, t.opened.connector.name.clone()),
                Some(Err(e)) => (failed(a, e, rules::retry_delay(a.attempts), now), "connector".to_string()),
                None => continue,
            };
            for x in ours {
                handled.insert(x.id);
                record(db, x, &token, &settled, &name, now).await?;
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
}

/// How a connector's target is reached.
enum Client {
    Scim(scim::Client),
    Graph(graph::Client),
    Okta(okta::Client),
    /// Delivery for this kind is not built: its actions go to a person.
    None,
}

/// A connector opened for delivery: its record, its client, and (Graph) the SKU of each pool of the batch.
struct Target {
    opened: Opened,
    client: Client,
    skus: HashMap<i64, String>,
}

async fn connect(db: &Db, key: Option<&CredentialsKey>, id: i64, batch: &[Claimed]) -> Result<Target, String> {
    let mut conn = db.read.acquire().await.map_err(|e| e.to_string())?;
    let opened = super::open(&mut conn, key, id).await.map_err(|e| e.to_string())?;
    let (client, skus) = match opened.connector.kind {
        ConnectorKind::Scim => (Client::Scim(opened.scim().map_err(|e| e.to_string())?), HashMap::new()),
        ConnectorKind::Graph => {
            let pools: Vec<i64> = batch.iter().filter(|a| a.connector_id == id).map(|a| a.pool_id).collect();
            let skus = connector_store::skus(&mut conn, &pools).await.map_err(|e| e.to_string())?;
            (Client::Graph(opened.graph().await.map_err(|e| e.message().to_string())?), skus)
        }
        ConnectorKind::Okta => (Client::Okta(opened.okta().map_err(|e| e.to_string())?), HashMap::new()),
        ConnectorKind::Manual => (Client::None, HashMap::new()),
    };
    Ok(Target { opened, client, skus })
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

/// One attempt at one action (and, for Graph, the downgrade's other half).
async fn work(t: &Target, a: &Claimed, partner: Option<&Claimed>, now: DateTime<Utc>) -> Settled {
    match &t.client {
        Client::Scim(client) => work_scim(&t.opened, client, a, now).await,
        Client::Graph(client) => work_graph(t, client, a, partner, now).await,
        Client::Okta(client) => work_okta(&t.opened, client, a, now).await,
        Client::None => {
            let what = format!(
                "Delivery through {} is not built yet: do it by hand, then mark it done.",
                t.opened.connector.kind.as_str()
            );
            settled(SeatActionStatus::Manual, what)
        }
    }
}

/// A SCIM action: find the account, send the call, read it back.
async fn work_scim(opened: &Opened, client: &scim::Client, a: &Claimed, now: DateTime<Utc>) -> Settled {
    let removal = opened.connector.removal;
    let group = opened.connector.pools.iter().find(|p| p.id == a.pool_id).and_then(|p| p.group.clone());
    if let (Removal::Group, Some(group)) = (removal, group) {
        return work_scim_group(client, a, &group, now).await;
    }
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
        return dry(id, &request);
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
    let done = match client.read(&id).await {
        Ok(account) => match rules::next_step(a.kind, removal, &a.account, account.map(|acc| acc.active)) {
            Step::Done(why) => Some(why),
            _ => None,
        },
        Err(_) => None,
    };
    read_back(done, Some(id), &request, now)
}

/// A Microsoft Graph action: read the user's licenses, remove (and, for a downgrade, add) in one `assignLicense`,
/// leave the group that assigns it or name that group to a person, and read back.
async fn work_graph(
    t: &Target,
    client: &graph::Client,
    a: &Claimed,
    partner: Option<&Claimed>,
    now: DateTime<Utc>,
) -> Settled {
    let sku_of = |c: &Claimed| t.skus.get(&c.pool_id).cloned();
    let (remove, add) = match (a.kind, partner) {
        (SeatActionKind::Remove, Some(p)) => (sku_of(a), sku_of(p)),
        (SeatActionKind::Remove, None) => (sku_of(a), None),
        (SeatActionKind::Add, _) => (None, sku_of(a)),
    };
    let unmapped = match (a.kind, &remove, &add) {
        (SeatActionKind::Remove, None, _) | (SeatActionKind::Add, _, None) => true,
        _ => partner.is_some() && add.is_none(),
    };
    if unmapped {
        let what = "No Microsoft 365 SKU is mapped to this pool (Import, Graph SKUs): map it, or do it by hand and \
                    mark it done.";
        return settled(SeatActionStatus::Manual, what.into());
    }
    let may_leave = t.opened.connector.removal == Removal::Group;
    let user = match client.user(a.target_id.as_deref().unwrap_or(&a.account)).await {
        Ok(u) => u,
        Err(e) => return call_failed(a, &e, now),
    };
    let id = user.as_ref().map(|u| u.id.clone());
    let step = graph_rules::next_step(
        &a.account,
        user.as_ref().map(|u| u.licenses.as_slice()),
        remove.as_deref(),
        add.as_deref(),
        may_leave,
    );
    let request = match (&step, id.as_deref()) {
        (GraphStep::Done(why), _) => {
            return Settled {
                target_id: id,
                confirmed_at: Some(now),
                ..settled(SeatActionStatus::Confirmed, why.clone())
            }
        }
        (GraphStep::ByHand { groups }, _) => {
            let what = if groups.is_empty() {
                format!("No user {} in the tenant: create them with the license by hand, then mark it done.", a.account)
            } else {
                let mut names = Vec::new();
                for g in groups {
                    names.push(client.group_name(g).await);
                }
                format!(
                    "The license comes from the group {}: remove {} from it in Entra ID (or let this connector do it: \
                     removal \"group\"), then mark it done.",
                    names.join(", "),
                    a.account
                )
            };
            return Settled { target_id: id, ..settled(SeatActionStatus::Manual, what) };
        }
        (GraphStep::Assign { add, remove }, Some(user_id)) => {
            let words =
                format!("POST /users/{user_id}/assignLicense add [{}] remove [{}]", add.join(", "), remove.join(", "));
            if a.dry_run {
                return dry(id, &words);
            }
            if let Err(e) = client.assign(user_id, add, remove).await {
                return Settled { target_id: id, ..call_failed(a, &e, now) };
            }
            words
        }
        (GraphStep::LeaveGroups(groups), Some(user_id)) => {
            let words = groups
                .iter()
                .map(|g| format!("DELETE /groups/{g}/members/{user_id}/$ref"))
                .collect::<Vec<_>>()
                .join("; ");
            if a.dry_run {
                return dry(id, &words);
            }
            for g in groups {
                if let Err(e) = client.leave_group(g, user_id).await {
                    return Settled { target_id: id, ..call_failed(a, &e, now) };
                }
            }
            words
        }
        (_, None) => return settled(SeatActionStatus::Manual, "No user to send it to.".into()),
    };
    let user_id = id.clone().unwrap_or_default();
    let shown = match client.user(&user_id).await {
        Ok(u) => graph_rules::next_step(
            &a.account,
            u.as_ref().map(|u| u.licenses.as_slice()),
            remove.as_deref(),
            add.as_deref(),
            may_leave,
        ),
        Err(e) => GraphStep::ByHand { groups: vec![e.message().to_string()] },
    };
    let done = match shown {
        GraphStep::Done(why) => Some(why),
        _ => None,
    };
    read_back(done, id, &request, now)
}

fn dry(id: Option<String>, request: &str) -> Settled {
    let what = format!("Dry run: would send {request}. Nothing was sent: do it by hand, then mark it done.");
    Settled { target_id: id, ..settled(SeatActionStatus::Manual, what) }
}

/// An Okta action: the pool's group, the user, whether they are in it; leave or join the group; read back.
async fn work_okta(opened: &Opened, client: &okta::Client, a: &Claimed, now: DateTime<Utc>) -> Settled {
    let Some(group) = opened.connector.pools.iter().find(|p| p.id == a.pool_id).and_then(|p| p.group.clone()) else {
        let what = "This pool names no Okta group on the connector: name it, or do it by hand and mark it done.";
        return settled(SeatActionStatus::Manual, what.into());
    };
    let (kind, name) = match client.group(&group).await {
        Ok(Some(g)) => g,
        Ok(None) => return call_failed(a, &CallError::Refused(format!("Okta has no group {group}.")), now),
        Err(e) => return call_failed(a, &e, now),
    };
    let user = match client.user(a.target_id.as_deref().unwrap_or(&a.account)).await {
        Ok(u) => u,
        Err(e) => return call_failed(a, &e, now),
    };
    let member = match &user {
        Some(id) => match client.is_member(id, &group).await {
            Ok(m) => Some(m),
            Err(e) => return call_failed(a, &e, now),
        },
        None => None,
    };
    let step = rules::okta_step(a.kind, &a.account, member, &kind, &name);
    let (user_id, request) = match (step, user.clone()) {
        (GroupStep::Done(why), _) => {
            return Settled { target_id: user, confirmed_at: Some(now), ..settled(SeatActionStatus::Confirmed, why) }
        }
        (GroupStep::ByHand(what), _) => return Settled { target_id: user, ..settled(SeatActionStatus::Manual, what) },
        (GroupStep::Leave, Some(id)) => {
            let words = format!("DELETE /api/v1/groups/{group}/users/{id}");
            if a.dry_run {
                return dry(user, &words);
            }
            if let Err(e) = client.leave(&group, &id).await {
                return Settled { target_id: user, ..call_failed(a, &e, now) };
            }
            (id, words)
        }
        (GroupStep::Join, Some(id)) => {
            let words = format!("PUT /api/v1/groups/{group}/users/{id}");
            if a.dry_run {
                return dry(user, &words);
            }
            if let Err(e) = client.join(&group, &id).await {
                return Settled { target_id: user, ..call_failed(a, &e, now) };
            }
            (id, words)
        }
        (_, None) => return settled(SeatActionStatus::Manual, "No Okta user to send it to.".into()),
    };
    let shown = match client.is_member(&user_id, &group).await {
        Ok(m) => rules::okta_step(a.kind, &a.account, Some(m), &kind, &name),
        Err(e) => GroupStep::ByHand(e.message().to_string()),
    };
    read_back(group_done(shown), Some(user_id), &request, now)
}

/// A SCIM action on the pool's license group: the account, whether it is a member; leave or join; read back.
async fn work_scim_group(client: &scim::Client, a: &Claimed, group: &str, now: DateTime<Utc>) -> Settled {
    let found = match &a.target_id {
        Some(id) => client.read(id).await,
        None => client.find(&a.account).await,
    };
    let account = match found {
        Ok(account) => account.map(|acc| acc.id),
        Err(e) => return call_failed(a, &e, now),
    };
    let members = match client.group_members(group).await {
        Ok(Some(m)) => m,
        Ok(None) => return call_failed(a, &CallError::Refused(format!("The target has no group {group}.")), now),
        Err(e) => return call_failed(a, &e, now),
    };
    let member = account.as_ref().map(|id| members.contains(id));
    let (id, join) = match (rules::group_step(a.kind, &a.account, member, group), account.clone()) {
        (GroupStep::Done(why), _) => {
            return Settled { target_id: account, confirmed_at: Some(now), ..settled(SeatActionStatus::Confirmed, why) }
        }
        (GroupStep::ByHand(what), _) => {
            return Settled { target_id: account, ..settled(SeatActionStatus::Manual, what) }
        }
        (GroupStep::Leave, Some(id)) => (id, false),
        (GroupStep::Join, Some(id)) => (id, true),
        (_, None) => return settled(SeatActionStatus::Manual, "No account to send it to.".into()),
    };
    let request = format!("PATCH /Groups/{group} {} member {id}", if join { "add" } else { "remove" });
    if a.dry_run {
        return dry(account, &request);
    }
    if let Err(e) = client.set_member(group, &id, join).await {
        return Settled { target_id: account, ..call_failed(a, &e, now) };
    }
    let shown = match client.group_members(group).await {
        Ok(Some(m)) => rules::group_step(a.kind, &a.account, Some(m.contains(&id)), group),
        Ok(None) => GroupStep::ByHand(format!("The target has no group {group}.")),
        Err(e) => GroupStep::ByHand(e.message().to_string()),
    };
    read_back(group_done(shown), Some(id), &request, now)
}

/// Why a group's membership is as it should be, when the read-back shows it so.
fn group_done(shown: GroupStep) -> Option<String> {
    match shown {
        GroupStep::Done(why) => Some(why),
        _ => None,
    }
}

/// A sent call's outcome once read back: confirmed when the target shows it done (`done`: why), else sent and
/// read again later.
fn read_back(done: Option<String>, id: Option<String>, request: &str, now: DateTime<Utc>) -> Settled {
    match done {
        Some(why) => Settled {
            target_id: id,
            sent_at: Some(now),
            confirmed_at: Some(now),
            ..settled(SeatActionStatus::Confirmed, format!("{request}; read back: {why}"))
        },
        None => Settled {
            target_id: id,
            sent_at: Some(now),
            next_attempt_at: Some(now + chrono::Duration::minutes(READ_AGAIN_MINUTES)),
            ..settled(SeatActionStatus::Sent, format!("{request}; the target does not show it done yet."))
        },
    }
}
