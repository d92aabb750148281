//! Rolling a request back by a request of its own, refused where a record changed since.

use chrono::{DateTime, Utc};
use seatwise_types::{ChangeOrigin, ChangeRequest, ChangeStatus, FieldError, OperationInput, RollbackInput, User};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::change_requests::{self as store, Content, NewChange, Step, StoredChange};
use crate::db::seats as seat_store;
use crate::db::{Conn, Db};
use crate::domain::access;
use crate::domain::alert_mail::Outbox;
use crate::domain::change_request::{self as rules, Checked, Operation};
use crate::domain::change_rollback::{self as rollback, Snapshot};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};

use super::*;

/// Applying would do something other than what was approved (seats or costs moved since): nothing is changed.
/// Before anything is applied the request goes back to its requester as a draft with its new preview; after a
/// pilot it stays piloted, for the pilot to be rolled back or the inventory put right.
pub(super) async fn changed_since(
    tx: &mut Conn,
    actor: &Actor,
    stored: &StoredChange,
    checked: &Checked,
    now: DateTime<Utc>,
) -> AppResult<AppError> {
    if stored.status == ChangeStatus::Piloted {
        return Ok(AppError::Conflict(
            "The inventory changed since the pilot was applied, so applying the rest now would do something other \
             than what was approved. Nothing was changed; roll the pilot back and ask again."
                .into(),
        ));
    }
    let content = Content { operations: &stored.operations, errors: &checked.errors, preview: &checked.preview };
    store::set_checked(tx, stored.id, &content, now).await?;
    store::step(tx, stored.id, ChangeStatus::Approved, Step::Reopen, now).await?;
    ledger::record(
        tx,
        now,
        actor.ledger_name(),
        Change::event("change_request.reopen", "change_request", Some(stored.id)),
    )
    .await?;
    // The reopening is kept with the refusal: the caller commits it.
    Ok(AppError::Conflict(
        "The inventory changed since this request was approved, so applying it now would do something other than \
         what was approved. Nothing was changed; it is a draft again with its new preview, to submit for approval \
         once more."
            .into(),
    ))
}

/// The rollback request of `original` is applied: the original is rolled back.
/// A rollback applied: the request it undid reads rolled back; one that undid chosen rows leaves it applied (its
/// other rows stand, and may be rolled back later) with the rows in the ledger.
pub(super) async fn finish_rollback(
    tx: &mut Conn,
    who: &str,
    original: i64,
    rows: Option<&[u64]>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let status = store::lock(tx, original).await?;
    if let Some(rows) = rows {
        store::set_rolled_back_by(tx, original, None).await?;
        let change = Change::created("change_request.rolled_back_rows", "change_request", Some(original), &rows);
        ledger::record(tx, now, who, change).await?;
        return Ok(());
    }
    if let Some(from @ (ChangeStatus::Applied | ChangeStatus::Piloted)) = status {
        store::step(tx, original, from, Step::RolledBack, now).await?;
        ledger::record(tx, now, who, Change::event("change_request.rolled_back", "change_request", Some(original)))
            .await?;
    }
    Ok(())
}

/// What undoes the applied rows of `original` now, or the rows (of `original`) whose records changed again since
/// it applied them: a seat taken back, given again by someone else, a seat count moved on.
/// `rows`: only these rows of the original (`None`: every applied row).
pub(super) async fn undo_of(
    tx: &mut Conn,
    reader: &User,
    original: &StoredChange,
    rows: Option<&[u64]>,
) -> AppResult<(rollback::Undo, Vec<FieldError>)> {
    let (ops, _) = rules::parse(&original.operations);
    let applied: Vec<(u64, Operation)> = ops
        .into_iter()
        .filter(|(row, _)| *row <= original.applied_count as u64 && rows.is_none_or(|r| r.contains(row)))
        .collect();
    let (snapshots, _) = store::stages::snapshots(&mut *tx, original.id).await?;
    let before = Snapshot::merged(snapshots);
    let now_facts = facts(tx, reader, &applied).await?;
    let (_, seats, _) = rollback::touched(&applied);
    let records = seat_store::seats_before(tx, &seats, &[]).await?;
    Ok(rollback::undo_all(&applied, &before, &now_facts, &records))
}

/// A rollback is checked against what its request left each time it moves on (submitted again, applied, the rest
/// after a pilot): a record changed since the rollback was asked for refuses it, naming the rows of the request
/// it rolls back.
pub(super) async fn rollback_still_undoes(tx: &mut Conn, reader: &User, rollback: &StoredChange) -> AppResult<()> {
    let Some(original_id) = rollback.rollback_of else { return Ok(()) };
    let original = store::get(&mut *tx, original_id).await?.ok_or_else(|| {
        AppError::internal(format!("change request {}: the request it rolls back is gone", rollback.id))
    })?;
    let (undo, errors) = undo_of(tx, reader, &original, rollback.rollback_rows.as_deref()).await?;
    let done = usize::try_from(rollback.applied_count).unwrap_or(0);
    match rollback::still_changed_since(&undo, errors, done) {
        fields if fields.is_empty() => Ok(()),
        fields => Err(AppError::Validation {
            message: format!(
                "{} of the records change request #{original_id} changed were changed again since this rollback \
                 was asked for; applying it would overwrite those changes. Nothing was changed; reject this rollback.",
                fields.len()
            ),
            fields,
        }),
    }
}

/// Ask to roll back what a request applied: a new request of the opposite operations, which restores each
/// record as its snapshot had it and is approved like any other. Refused (naming the records) where a record
/// changed again since, as undoing it would overwrite that later change.
pub async fn request_rollback(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    actor: &Actor,
    id: i64,
    input: &RollbackInput,
) -> AppResult<ChangeRequest> {
    let now = clock.now();
    let mut tx = db.begin().await?;
    let stored = locked(&mut tx, actor, id).await?;
    access::may_roll_back_change_request(&actor.user, stored.requested_by.id)?;
    expect_status(&stored, &[ChangeStatus::Applied, ChangeStatus::Piloted])?;
    if let Some(pending) = stored.rolled_back_by {
        let status = store::lock(&mut tx, pending).await?;
        if !matches!(status, Some(ChangeStatus::Rejected | ChangeStatus::Expired)) {
            return Err(AppError::Conflict(format!(
                "Change request #{pending} already rolls this one back; decide that one instead."
            )));
        }
    }
    let rows =
        rollback::chosen_rows(input.rows.as_deref(), stored.applied_count).map_err(|m| AppError::field("rows", &m))?;
    let (undo, fields) = undo_of(&mut tx, &actor.user, &stored, rows.as_deref()).await?;
    if !fields.is_empty() {
        return Err(AppError::Validation {
            message: format!(
                "{} of the records this request changed were changed again since; rolling it back would overwrite \
                 those changes, so nothing was asked for.",
                fields.len()
            ),
            fields,
        });
    }
    let operations: Vec<OperationInput> = undo.ops.iter().map(|(_, op)| op.input()).collect();
    let checked = check(&mut tx, &actor.user, &operations, undo.restored_costs.clone(), MAX_OPERATIONS).await?;
    if !checked.errors.is_empty() {
        // Name the rows of the request being rolled back, which is what the reader has in front of them.
        let fields = checked
            .errors
            .into_iter()
            .map(|mut e| {
                e.row = e.row.and_then(|r| undo.ops.get((r - 1) as usize)).map(|(original, _)| *original);
                e.message = format!("undoing this row: {}", e.message);
                e
            })
            .collect();
        return Err(AppError::Validation {
            message: "This request cannot be rolled back as things stand now; nothing was asked for.".into(),
            fields,
        });
    }
    let which = rows.as_deref().map(rollback::rows_text);
    let reason = match (input.reason.as_deref().map(str::trim), &which) {
        (Some(r), _) if !r.is_empty() => r.to_string(),
        (_, Some(w)) => format!("Undo {w} of change request #{id} “{}”.", stored.title),
        (_, None) => format!("Undo change request #{id} “{}”.", stored.title),
    };
    let title = match &which {
        Some(w) => format!("Roll back {w}: {}", stored.title),
        None => format!("Roll back: {}", stored.title),
    };
    let title: String = title.chars().take(200).collect();
    let (title, reason) = check_heading(&title, &reason, operations.len(), "operations")?;
    let content = Content { operations: &operations, errors: &checked.errors, preview: &checked.preview };
    let new = NewChange {
        title: &title,
        reason: &reason,
        requested_by: actor.user.id,
        rollback_of: Some(id),
        execute_at: None,
        author_id: None,
        origin: ChangeOrigin::Rollback,
    };
    let rollback_id = store_draft(&mut tx, actor, &new, &content, now).await?;
    store::set_rollback_rows(&mut tx, rollback_id, rows.as_deref()).await?;
    store::set_rolled_back_by(&mut tx, id, Some(rollback_id)).await?;
    let draft = store::get(&mut *tx, rollback_id)
        .await?
        .ok_or_else(|| AppError::internal(format!("change request {rollback_id} vanished in its transaction")))?;
    submit_locked(&mut tx, outbox, actor, draft, now).await?;
    tx.commit().await?;
    get(db, clock, actor, rollback_id).await
}
