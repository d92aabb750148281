//! Submitting a request, and the approver's and finance's sign-offs.

use chrono::{DateTime, Utc};
use seatwise_types::{ChangeRequest, ChangeStatus, CommentInput, FieldError, WaitingFor, WebhookEvent};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::change_requests::{self as store, Content, Step, StoredChange};
use crate::db::{Conn, Db};
use crate::domain::alert_mail::Outbox;
use crate::domain::change_mail::Event;
use crate::domain::change_request::lifecycle;
use crate::domain::change_request::{self as rules};
use crate::domain::change_rollback::{self as rollback};
use crate::domain::{access, approval_policy, limits};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};
use crate::service::webhooks;

use super::*;

/// Queue a draft for approval, after checking every row again; with any row in error nothing is queued (422).
/// The approvers are told by e-mail.
pub async fn submit(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    actor: &Actor,
    id: i64,
) -> AppResult<ChangeRequest> {
    let now = clock.now();
    let mut tx = db.begin().await?;
    let stored = locked(&mut tx, actor, id).await?;
    access::may_edit_change_request(&actor.user, stored.requested_by.id)?;
    expect_status(&stored, &[ChangeStatus::Draft])?;
    submit_locked(&mut tx, outbox, actor, stored, now).await?;
    tx.commit().await?;
    get(db, clock, actor, id).await
}

pub(super) async fn submit_locked(
    tx: &mut Conn,
    outbox: Option<Outbox<'_>>,
    actor: &Actor,
    stored: StoredChange,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let id = stored.id;
    let policy = store::policy(&mut *tx).await?;
    let (ops, _) = rules::parse(&stored.operations);
    let restored = rollback::restored_costs(&ops, &before_rolled_back(tx, stored.rollback_of).await?);
    let checked = check(tx, &actor.user, &stored.operations, restored, policy_limit(&policy)).await?;
    let content = Content { operations: &stored.operations, errors: &checked.errors, preview: &checked.preview };
    store::set_checked(tx, id, &content, now).await?;
    if !checked.errors.is_empty() {
        // The errors found are kept on the draft for its author to fix: the caller commits them.
        return Err(AppError::validation(checked.errors));
    }
    if let Some(e) = approval_policy::reason_problem(&policy, &stored.reason) {
        return Err(AppError::validation(vec![e]));
    }
    rollback_still_undoes(tx, &actor.user, &stored).await?;
    let needs_finance = approval_policy::needs_finance(&policy, &checked.preview);
    store::step(tx, id, ChangeStatus::Draft, Step::Submit { needs_finance }, now).await?;
    let record = serde_json::json!({"needs_finance": needs_finance, "seats_changed": checked.preview.seats_changed});
    ledger::record(
        tx,
        now,
        actor.ledger_name(),
        Change::created("change_request.submit", "change_request", Some(id), &record),
    )
    .await?;
    let stored = StoredChange { preview: checked.preview, decided_by: None, ..stored };
    let to = deciders(tx, &stored, WaitingFor::Approver).await?;
    notify(tx, outbox, &stored, Event::Waiting, &to, now).await
}

/// Approve or reject a submitted request: the approver's sign-off (approvers and admins), then finance's when the
/// request is above the policy's thresholds. Never by its requester (403 whatever their roles), and finance's
/// never by the approver who gave the first.
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    follower: &dyn Follower,
    actor: &Actor,
    id: i64,
    approve: bool,
    input: &CommentInput,
) -> AppResult<ChangeRequest> {
    let comment = input.comment.trim();
    let mut errors = Vec::new();
    limits::check_chars(&mut errors, "comment", comment, seatwise_types::limits::TEXT_CHARS);
    limits::check_text(&mut errors, "comment", Some(comment));
    if !approve && comment.is_empty() {
        errors.push(FieldError::new("comment", "say why the request is rejected"));
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    let stored = locked(&mut tx, actor, id).await?;
    let waiting = may_decide(&actor.user, &stored)?;
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let policy = store::policy(&mut *tx).await?;
    let lifecycle::Decision { to, finance_next, expires_at, action } =
        lifecycle::decide(waiting, approve, stored.needs_finance, &policy, stored.execute_at, now);
    let by = actor.user.id;
    let step = match waiting {
        WaitingFor::Approver => Step::Decide { to, by, comment, expires_at },
        WaitingFor::Finance => Step::Finance { to, by, comment, expires_at },
    };
    store::step(&mut tx, id, ChangeStatus::Submitted, step, now).await?;
    let record = serde_json::json!({"status": to.as_str(), "comment": comment, "as": waiting.as_str(),
        "expires_at": expires_at});
    ledger::record(&mut tx, now, actor.ledger_name(), Change::created(action, "change_request", Some(id), &record))
        .await?;
    let requester = requester_address(&mut tx, &stored).await?;
    if finance_next {
        let me = seatwise_types::Ref { id: actor.user.id, name: actor.user.name.clone() };
        let stored = StoredChange { decided_by: Some(me), ..stored };
        let to = deciders(&mut tx, &stored, WaitingFor::Finance).await?;
        notify(&mut tx, outbox, &stored, Event::WaitingForFinance, &to, now).await?;
    } else if approve {
        notify(&mut tx, outbox, &stored, Event::Approved, &requester, now).await?;
        let approved = serde_json::json!({"change_request_id": id, "title": stored.title, "status": to.as_str(),
            "approved_by": actor.ledger_name()});
        webhooks::emit(&mut tx, WebhookEvent::ChangeRequestApproved, &[approved], now).await?;
    } else {
        notify(&mut tx, outbox, &stored, Event::Rejected { comment }, &requester, now).await?;
        let outcome = Outcome { change_request_id: id, origin: stored.origin, who: actor.ledger_name(), now };
        follower.rejected(&mut tx, &outcome).await?;
    }
    tx.commit().await?;
    get(db, clock, actor, id).await
}
