//! The alerts inbox: list, read, acknowledge, snooze, assign and decide.

use seatwise_types::{Alert, AlertCounts, AlertDetail, AlertQuery, AssignInput, DecisionInput, Page, Ref, SnoozeInput};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::alerts::{self as store, AlertFilter, AlertSort};
use crate::db::contracts as contract_store;
use crate::db::jobs::{self as mail_store, Mail};
use crate::db::Db;
use crate::db::{users, Tx};
use crate::domain::access::{self, Reader};
use crate::domain::alert_mail::{self, Outbox};
use crate::domain::limits;
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};
use crate::service::{contracts, org, paging, parse_sort};

/// Whom Seatwise writes to at `email`: their login's roles and departments as they are now, and the pools they own.
pub async fn recipient_reader(db: &Db, email: &str, user_id: Option<i64>) -> AppResult<Reader> {
    let user_id = match user_id {
        Some(id) => Some(id),
        None => users::user_of_address(&db.read, email).await?,
    };
    let user = match user_id {
        Some(id) => users::load(&db.read, id).await?,
        None => None,
    };
    Ok(Reader::recipient(user.as_ref(), email))
}

/// Whether a message about `alert_id` may still go to `email`: checked again when it is sent, so someone who lost
/// the contract's departments after it was queued is not told.
pub async fn may_receive(db: &Db, alert_id: Option<i64>, email: &str) -> AppResult<bool> {
    let Some(alert_id) = alert_id else {
        return Ok(true);
    };
    let Some(contract_id) = store::contract_of(&db.read, alert_id).await? else {
        return Ok(false);
    };
    let covered = contract_store::covered_pools(&db.read, &[contract_id]).await?;
    let reader = recipient_reader(db, email, None).await?;
    let (visible, _) = contracts::view(&reader, &covered, contract_id);
    Ok(access::sees_contract(&reader, visible.len()))
}

pub async fn list(db: &Db, clock: &dyn Clock, actor: &Actor, p: &AlertQuery) -> AppResult<Page<Alert>> {
    let scope = contracts::read_scope(actor)?;
    let (page, per_page) = paging(p.page, p.per_page)?;
    let today = org::today(db, clock).await?;
    let f = AlertFilter {
        scope: scope.as_filter(),
        inbox: p.inbox.unwrap_or_default(),
        mine: p.mine.unwrap_or(false).then_some(actor.user.id),
        contract_id: p.contract_id,
        missed: p.missed,
        today,
        sort: parse_sort(p.sort.as_deref(), AlertSort::parse)?,
    };
    Ok(store::list(&db.read, &f, page, per_page).await?)
}

/// The alerts this user can act on that need action (and those of them sent or assigned to them).
pub async fn counts(db: &Db, clock: &dyn Clock, actor: &Actor) -> AppResult<AlertCounts> {
    contracts::read_scope(actor)?;
    let scope = access::alert_action_scope(&actor.user);
    let today = org::today(db, clock).await?;
    Ok(store::counts(&db.read, &scope.as_filter(), actor.user.id, today).await?)
}

/// An alert the caller may read (its contract is readable) and whether they may act on it.
async fn readable(db: &Db, clock: &dyn Clock, actor: &Actor, id: i64) -> AppResult<(Alert, access::Access)> {
    contracts::read_scope(actor)?;
    let today = org::today(db, clock).await?;
    let alert = store::get(&db.read, id, today).await?.ok_or(AppError::NotFound("alert"))?;
    let (_, places) = match contracts::readable(db, actor, alert.contract_id).await {
        Ok(found) => found,
        Err(AppError::NotFound(_)) => return Err(AppError::NotFound("alert")),
        Err(e) => return Err(e),
    };
    Ok((alert, access::may_act_on_alert(&actor.user, &places)))
}

async fn actionable(db: &Db, clock: &dyn Clock, actor: &Actor, id: i64) -> AppResult<Alert> {
    let (alert, may_act) = readable(db, clock, actor, id).await?;
    may_act?;
    Ok(alert)
}

pub async fn detail(db: &Db, clock: &dyn Clock, actor: &Actor, id: i64) -> AppResult<AlertDetail> {
    let (alert, may_act) = readable(db, clock, actor, id).await?;
    let can_act = may_act.is_ok();
    let contract = contracts::detail(db, clock, actor, alert.contract_id).await?;
    let places = crate::db::contracts::places_of(&db.read, alert.contract_id).await?;
    let assignees = users::assignable(&db.read, &places).await?;
    Ok(AlertDetail { alert, contract, can_act, assignees })
}

/// Ledger the change made in `tx` and commit both together.
async fn finish(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    mut tx: Tx,
    id: i64,
    before: &Alert,
    action: &str,
) -> AppResult<Alert> {
    let now = clock.now();
    let today = org::today(db, clock).await?;
    let after = store::get(&mut *tx, id, today).await?.ok_or(AppError::NotFound("alert"))?;
    ledger::record_and_commit(tx, now, actor.ledger_name(), Change::changed(action, "alert", Some(id), before, &after))
        .await?;
    Ok(after)
}

fn still_open(alert: &Alert) -> AppResult<()> {
    if !crate::domain::alerts::is_open(alert.status) {
        return Err(AppError::Conflict(format!("This alert is already {}.", alert.status.label().to_lowercase())));
    }
    Ok(())
}

/// The alert changed between reading it and writing (a decision, the daily job or another person): the
/// transaction is dropped, so nothing is written and nothing ledgered.
fn moved() -> AppError {
    AppError::Conflict("This alert changed a moment ago (decided, superseded or updated); reload it.".into())
}

/// Begin the change: lock the alert and check it is still exactly what the caller's checks were made on (status,
/// assignee, snooze date). Two people changing one alert at once: the second gets 409, and the ledger's "before"
/// of every change is the state it replaced.
async fn begin_change(db: &Db, clock: &dyn Clock, id: i64, seen: &Alert) -> AppResult<Tx> {
    let today = org::today(db, clock).await?;
    let mut tx = db.begin().await?;
    if !store::lock(&mut tx, id).await? {
        return Err(AppError::NotFound("alert"));
    }
    let current = store::get(&mut *tx, id, today).await?.ok_or(AppError::NotFound("alert"))?;
    if current != *seen {
        return Err(moved());
    }
    Ok(tx)
}

pub async fn acknowledge(db: &Db, clock: &dyn Clock, actor: &Actor, id: i64) -> AppResult<Alert> {
    let before = actionable(db, clock, actor, id).await?;
    still_open(&before)?;
    let mut tx = begin_change(db, clock, id, &before).await?;
    if !store::acknowledge(&mut tx, id, before.status, actor.ledger_name(), clock.now()).await? {
        return Err(moved());
    }
    finish(db, clock, actor, tx, id, &before, "alert.acknowledge").await
}

pub async fn snooze(db: &Db, clock: &dyn Clock, actor: &Actor, id: i64, input: &SnoozeInput) -> AppResult<Alert> {
    let before = actionable(db, clock, actor, id).await?;
    still_open(&before)?;
    let today = org::today(db, clock).await?;
    if !limits::date_in_range(input.until) {
        return Err(AppError::field("until", &limits::date_message()));
    }
    if input.until <= today {
        return Err(AppError::field("until", "must be after today"));
    }
    if input.until > before.due_date {
        return Err(AppError::field(
            "until",
            &format!("must be on or before the date that matters, {}", before.due_date),
        ));
    }
    let mut tx = begin_change(db, clock, id, &before).await?;
    if !store::snooze(&mut tx, id, before.status, input.until).await? {
        return Err(moved());
    }
    finish(db, clock, actor, tx, id, &before, "alert.snooze").await
}

pub async fn assign(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    actor: &Actor,
    id: i64,
    input: &AssignInput,
) -> AppResult<Alert> {
    let before = actionable(db, clock, actor, id).await?;
    still_open(&before)?;
    if let Some(user_id) = input.user_id {
        let places = crate::db::contracts::places_of(&db.read, before.contract_id).await?;
        let allowed: Vec<Ref> = users::assignable(&db.read, &places).await?;
        if !allowed.iter().any(|u| u.id == user_id) {
            return Err(AppError::field("user_id", "must be an admin or an owner of the contract's pools"));
        }
    }
    let mut tx = begin_change(db, clock, id, &before).await?;
    if !store::assign(&mut tx, id, before.status, input.user_id).await? {
        return Err(moved());
    }
    // Tell the new assignee, unless they assigned it to themselves.
    if let (Some(user_id), Some(outbox)) = (input.user_id.filter(|u| *u != actor.user.id), outbox) {
        if let Some(user) = users::load(&db.read, user_id).await? {
            let message = alert_mail::assignment(&before, &actor.user.name, outbox.public_url);
            let mail = Mail {
                alert_id: Some(id),
                recipient: &user.email,
                subject: &message.subject,
                text: &message.text,
                html: &message.html,
            };
            mail_store::queue_mail(&mut tx, &mail, clock.now()).await?;
        }
    }
    finish(db, clock, actor, tx, id, &before, "alert.assign").await
}

pub async fn decide(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    actor: &Actor,
    id: i64,
    input: &DecisionInput,
) -> AppResult<AlertDetail> {
    let alert = actionable(db, clock, actor, id).await?;
    still_open(&alert)?;
    contracts::decide(db, clock, outbox, actor, alert.contract_id, input, Some(id)).await?;
    detail(db, clock, actor, id).await
}
