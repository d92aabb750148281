//! Seat actions: every seat removed or given back in a pool a connector acts on is queued here, in the transaction
//! that changed the seat, for the delivery (`deliver`) to carry out in the target; admins read where each stands
//! and mark a manual one done.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

use seatwise_types::{Page, PageQuery, SeatAction, SeatActionKind, SeatActionQuery, SeatActionStatus};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::connectors as connector_store;
use crate::db::jobs::{self as mail_store, Mail};
use crate::db::seat_actions::{self as store, SeatChange};
use crate::db::users;
use crate::db::{Conn, Db};
use crate::domain::access;
use crate::domain::alert_mail::Outbox;
use crate::domain::connector as rules;
use crate::domain::task_mail;
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};
use crate::service::pool_people::PoolPeople;
use crate::service::reclamation::settle;
use seatwise_types::Role;

/// Queue the target's side of seats `removed` and `added` (pool, person) in pools a connector acts on.
pub async fn queue(
    tx: &mut Conn,
    removed: &[(i64, i64)],
    added: &[(i64, i64)],
    who: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let changes: Vec<SeatChange> = removed
        .iter()
        .map(|&(pool_id, person_id)| SeatChange { pool_id, person_id, kind: SeatActionKind::Remove })
        .chain(added.iter().map(|&(pool_id, person_id)| SeatChange { pool_id, person_id, kind: SeatActionKind::Add }))
        .collect();
    if changes.is_empty() || !store::any_connected(tx).await? {
        return Ok(());
    }
    store::enqueue(tx, &changes, who, now).await?;
    Ok(())
}

async fn connector_exists(conn: &mut Conn, id: i64) -> AppResult<()> {
    match connector_store::list(conn, Some(id)).await?.pop() {
        Some(_) => Ok(()),
        None => Err(AppError::NotFound("connector")),
    }
}

/// An action as people read it: one waiting for a person without words from a delivery says what to do.
fn worded(mut a: SeatAction) -> SeatAction {
    if a.status == SeatActionStatus::Manual && a.detail.is_none() {
        a.detail = Some(rules::manual_task(a.kind, &a.account, &a.pool_name));
    }
    a
}

/// A connector's seat actions, newest first.
pub async fn list(db: &Db, actor: &Actor, connector_id: i64, q: &SeatActionQuery) -> AppResult<Page<SeatAction>> {
    access::may_manage_connectors(&actor.user)?;
    let (page, per_page) = crate::service::paging(q.page, q.per_page)?;
    let mut conn = db.read.acquire().await?;
    connector_exists(&mut conn, connector_id).await?;
    let (items, total) = store::list(&mut conn, connector_id, q.status, per_page, (page - 1) * per_page).await?;
    Ok(Page { items: items.into_iter().map(worded).collect(), total, page, per_page })
}

/// The seat tasks waiting for a person in the pools this user runs (every pool for admins), oldest first.
pub async fn tasks(db: &Db, actor: &Actor, q: &PageQuery) -> AppResult<Page<SeatAction>> {
    let scope = access::may_do_seat_tasks(&actor.user)?;
    let (page, per_page) = crate::service::paging(q.page, q.per_page)?;
    let mut conn = db.read.acquire().await?;
    let (items, total) = store::tasks(&mut conn, &scope, per_page, (page - 1) * per_page).await?;
    Ok(Page { items: items.into_iter().map(worded).collect(), total, page, per_page })
}

/// A person did a manual action in the target: it is confirmed by them, and a case waiting for it closes. Admins
/// and the license owners who run its pool may say so; to others the action is not found.
pub async fn done(db: &Db, clock: &dyn Clock, actor: &Actor, connector_id: i64, id: i64) -> AppResult<SeatAction> {
    let scope = access::may_do_seat_tasks(&actor.user)?;
    let now = clock.now();
    let who = actor.ledger_name();
    let mut tx = db.begin().await?;
    let action = match store::get_placed(&mut tx, id).await? {
        Some((a, place)) if a.connector_id == connector_id && scope.covers(place) => a,
        _ => return Err(AppError::NotFound("seat action")),
    };
    if action.status != SeatActionStatus::Manual {
        return Err(AppError::Conflict(format!(
            "Only an action waiting for a person can be marked done; this one is {}.",
            action.status.as_str()
        )));
    }
    if !store::mark_done(&mut tx, id, who, now).await? {
        return Err(AppError::Conflict("This action changed meanwhile; read it again.".into()));
    }
    let record = serde_json::json!({"seat_action_id": id, "connector_id": connector_id, "pool_id": action.pool_id,
        "person_id": action.person_id, "kind": action.kind.as_str(), "status": "confirmed", "by_hand": true});
    let mut entries = vec![ledger::Pending::of(Change::created("seat_action.done", "seat_action", Some(id), &record))?];
    if action.kind == SeatActionKind::Remove {
        entries.extend(settle::confirmed_in_target(&mut tx, action.pool_id, action.person_id, who, now).await?);
    }
    ledger::record_many(&mut tx, now, who, entries).await?;
    let stored = store::get(&mut tx, id).await?.ok_or_else(|| AppError::internal(format!("action {id} vanished")))?;
    tx.commit().await?;
    Ok(stored)
}

/// Tell the people who run each new task's pool, once, that it waits for them: one mail each, listing their
/// tasks. Without a mail relay nothing is marked, so they are told once one is configured. How many were told of.
pub async fn tell(db: &Db, clock: &dyn Clock, outbox: Option<Outbox<'_>>) -> AppResult<u64> {
    let Some(outbox) = outbox else { return Ok(0) };
    let now = clock.now();
    let mut tx = db.begin().await?;
    let new = store::tell_new_tasks(&mut tx, now).await?;
    if new.is_empty() {
        return Ok(0);
    }
    let people = PoolPeople::load(&mut tx).await?;
    let mut by_recipient: BTreeMap<String, Vec<task_mail::Assigned<'_>>> = BTreeMap::new();
    for t in &new {
        let a = &t.action;
        for u in people.to_tell(t.place) {
            by_recipient.entry(u.email.clone()).or_default().push(task_mail::Assigned {
                person: &a.person_name,
                account: &a.account,
                pool: &a.pool_name,
                todo: a.detail.as_deref(),
            });
        }
    }
    for (recipient, tasks) in &by_recipient {
        let mail = task_mail::render_assigned(tasks, outbox.public_url);
        let m = Mail { alert_id: None, recipient, subject: &mail.subject, text: &mail.text, html: &mail.html };
        mail_store::queue_mail(&mut tx, &m, now).await?;
    }
    tx.commit().await?;
    Ok(new.len() as u64)
}

/// Tell the admins, once, about tasks that have waited for a person longer than `task_mail::OVERDUE_DAYS`: one
/// mail each, listing them. Without a mail relay nothing is marked, so they are told once one is configured.
pub async fn escalate(db: &Db, clock: &dyn Clock, outbox: Option<Outbox<'_>>) -> AppResult<u64> {
    let Some(outbox) = outbox else { return Ok(0) };
    let now = clock.now();
    let mut tx = db.begin().await?;
    let overdue = store::escalate_overdue(&mut tx, now - chrono::Duration::days(task_mail::OVERDUE_DAYS), now).await?;
    if overdue.is_empty() {
        return Ok(0);
    }
    let tasks: Vec<task_mail::Task<'_>> = overdue
        .iter()
        .map(|o| task_mail::Task {
            connector_id: o.connector_id,
            connector: &o.connector,
            person: &o.person,
            pool: &o.pool,
            waiting_days: (now - o.created_at).num_days(),
        })
        .collect();
    let mail = task_mail::render(&tasks, outbox.public_url);
    for (_, address) in users::with_roles(&mut tx, &[Role::Admin]).await? {
        let m =
            Mail { alert_id: None, recipient: &address, subject: &mail.subject, text: &mail.text, html: &mail.html };
        mail_store::queue_mail(&mut tx, &m, now).await?;
    }
    let ids: Vec<i64> = overdue.iter().map(|o| o.id).collect();
    let record = serde_json::json!({"seat_action_ids": ids, "overdue_days": task_mail::OVERDUE_DAYS});
    ledger::record(
        &mut tx,
        now,
        "seat task escalation",
        Change::created("seat_action.escalate", "seat_action", None, &record),
    )
    .await?;
    tx.commit().await?;
    Ok(overdue.len() as u64)
}
