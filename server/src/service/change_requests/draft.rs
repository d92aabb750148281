//! Drafting a request (by hand, by another feature, or an employee's ask for a seat) and changing a draft.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use seatwise_types::{ChangeOrigin, ChangeRequest, ChangeRequestInput, ChangeStatus, FieldError};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::change_requests::{self as store, Content, NewChange, Step};
use crate::db::{Conn, Db};
use crate::domain::alert_mail::Outbox;
use crate::domain::change_mail::Event;
use crate::domain::change_request::lifecycle;
use crate::domain::{access, seat_ask};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};

use super::*;

/// A draft, stored with every row's errors and the preview; nothing is queued until it is submitted without any.
pub async fn create(db: &Db, clock: &dyn Clock, actor: &Actor, input: &ChangeRequestInput) -> AppResult<ChangeRequest> {
    let mut tx = db.begin().await?;
    let (id, _) = draft(&mut tx, actor, input, ChangeOrigin::Json, None, clock.now()).await?;
    tx.commit().await?;
    get(db, clock, actor, id).await
}

/// A request another feature drafts in its own transaction (a renewal's seat changes; reclamation's batches):
/// checked like any other and submitted at once when no row is in error, or else left a draft, with its errors,
/// for its requester to fix. `from` says which feature; it hears what became of the request. Returns its id.
pub async fn draft_in(
    tx: &mut Conn,
    outbox: Option<Outbox<'_>>,
    actor: &Actor,
    input: &ChangeRequestInput,
    from: ChangeOrigin,
    author_id: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let (id, clean) = draft(tx, actor, input, from, author_id, now).await?;
    if clean {
        let draft = store::get(&mut *tx, id)
            .await?
            .ok_or_else(|| AppError::internal(format!("change request {id} vanished in its transaction")))?;
        submit_locked(tx, outbox, actor, draft, now).await?;
    }
    Ok(id)
}

/// Someone's ask for a seat of `pool_id` for themselves (My seats): one row, checked as its requester would
/// apply it and submitted at once; the approvers and the pool's owners are told. With the row in error (a retired
/// pool, no free seat) nothing is stored and the errors are returned, named by the field asked (`pool_id`).
/// Returns its id.
pub async fn ask_in(
    tx: &mut Conn,
    outbox: Option<Outbox<'_>>,
    actor: &Actor,
    (pool_id, pool_name): (i64, &str),
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let person_id = access::may_ask_for_seat(&actor.user)?;
    let operations = vec![seat_ask::operation(pool_id, person_id)];
    let title = seat_ask::title(pool_name, &actor.user.name);
    let policy = store::policy(&mut *tx).await?;
    let checked = check(tx, &actor.user, &operations, HashMap::new(), policy_limit(&policy)).await?;
    if !checked.errors.is_empty() {
        let errors = checked.errors.into_iter().map(|e| FieldError::new("pool_id", e.message)).collect();
        return Err(AppError::validation(errors));
    }
    let content = Content { operations: &operations, errors: &checked.errors, preview: &checked.preview };
    let new = NewChange {
        title: &title,
        reason,
        requested_by: actor.user.id,
        rollback_of: None,
        execute_at: None,
        author_id: None,
        origin: ChangeOrigin::MySeats,
    };
    let id = store_draft(tx, actor, &new, &content, now).await?;
    let draft = store::get(&mut *tx, id)
        .await?
        .ok_or_else(|| AppError::internal(format!("change request {id} vanished in its transaction")))?;
    submit_locked(tx, outbox, actor, draft.clone(), now).await?;
    let owners = pool_owners(tx, pool_id).await?;
    notify(tx, outbox, &draft, Event::Asked { pool_id, pool: pool_name, reason }, &owners, now).await?;
    Ok(id)
}

/// Check and store a draft: its id, and whether no row is in error.
pub(super) async fn draft(
    tx: &mut Conn,
    actor: &Actor,
    input: &ChangeRequestInput,
    from: ChangeOrigin,
    author_id: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<(i64, bool)> {
    access::may_request_changes(&actor.user)?;
    let (title, reason) = check_heading(&input.title, &input.reason, input.operations.len(), "operations")?;
    if let Some(e) = lifecycle::check_execute_at(input.execute_at, now) {
        return Err(AppError::validation(vec![e]));
    }
    let policy = store::policy(&mut *tx).await?;
    let checked = check(tx, &actor.user, &input.operations, HashMap::new(), policy_limit(&policy)).await?;
    let content = Content { operations: &input.operations, errors: &checked.errors, preview: &checked.preview };
    let new = NewChange {
        title: &title,
        reason: &reason,
        requested_by: actor.user.id,
        rollback_of: None,
        execute_at: input.execute_at,
        author_id,
        origin: from,
    };
    let id = store_draft(tx, actor, &new, &content, now).await?;
    Ok((id, checked.errors.is_empty()))
}

/// Store a draft and ledger its creation, with where it came from.
pub(super) async fn store_draft(
    tx: &mut Conn,
    actor: &Actor,
    new: &NewChange<'_>,
    content: &Content<'_>,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let id = store::insert(tx, new, content, now).await?;
    let record = serde_json::json!({"id": id, "title": new.title, "operations": content.operations.len(),
        "errors": content.errors.len(), "from": new.origin.as_str(), "rollback_of": new.rollback_of});
    let change = Change::created("change_request.create", "change_request", Some(id), &record);
    ledger::record(tx, now, actor.ledger_name(), change).await?;
    Ok(id)
}

/// Replace a request's title, reason and operations (its requester, before anything of it is applied). A
/// submitted or approved request changed this way is a draft again: it must be submitted and approved anew.
pub async fn update(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    id: i64,
    input: &ChangeRequestInput,
) -> AppResult<ChangeRequest> {
    let (title, reason) = check_heading(&input.title, &input.reason, input.operations.len(), "operations")?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let stored = locked(&mut tx, actor, id).await?;
    access::may_edit_change_request(&actor.user, stored.requested_by.id)?;
    // A window left as it was is not checked again (it may have passed while the request waited).
    let moved = input.execute_at != stored.execute_at;
    if let Some(e) = lifecycle::check_execute_at(input.execute_at.filter(|_| moved), now) {
        return Err(AppError::validation(vec![e]));
    }
    expect_status(&stored, &[ChangeStatus::Draft, ChangeStatus::Submitted, ChangeStatus::Approved])?;
    if stored.rollback_of.is_some() {
        return Err(AppError::Conflict(
            "A rollback request undoes exactly what its request did, so it cannot be edited; reject it and ask for \
             a new rollback instead."
                .into(),
        ));
    }
    let policy = store::policy(&mut *tx).await?;
    let checked = check(&mut tx, &actor.user, &input.operations, HashMap::new(), policy_limit(&policy)).await?;
    let content = Content { operations: &input.operations, errors: &checked.errors, preview: &checked.preview };
    let new = NewChange {
        title: &title,
        reason: &reason,
        requested_by: stored.requested_by.id,
        rollback_of: None,
        execute_at: input.execute_at,
        author_id: stored.author_id,
        origin: stored.origin,
    };
    store::replace(&mut tx, id, &new, &content, now).await?;
    if lifecycle::edit_reopens(stored.status) {
        store::step(&mut tx, id, stored.status, Step::Reopen, now).await?;
    }
    let record = serde_json::json!({"title": title, "operations": input.operations.len(),
        "errors": checked.errors.len(), "was": stored.status.as_str()});
    ledger::record(
        &mut tx,
        now,
        actor.ledger_name(),
        Change::created("change_request.update", "change_request", Some(id), &record),
    )
    .await?;
    tx.commit().await?;
    get(db, clock, actor, id).await
}
