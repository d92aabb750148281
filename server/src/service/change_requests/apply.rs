//! Applying a request in stages (a pilot, then the rest), each in one transaction with a snapshot.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use seatwise_types::{
    ApplyChangeInput, AttemptOutcome, ChangePreview, ChangeRequest, ChangeStatus, FieldError, OperationInput, User,
};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::attempts::{self, Work};
use crate::db::change_requests::stages::NewStage;
use crate::db::change_requests::{self as store, Step, StoredChange};
use crate::db::progress::Job;
use crate::db::seats as seat_store;
use crate::db::{pools, users, Conn, Db};
use crate::domain::access;
use crate::domain::alert_mail::Outbox;
use crate::domain::change_mail::Event;
use crate::domain::change_request::lifecycle;
use crate::domain::change_request::{self as rules, Checked, Operation};
use crate::domain::change_rollback::{self as rollback, Snapshot};
use crate::domain::seat_snapshot::SeatBefore;
use crate::error::{AppError, AppResult};
use crate::service::attempt::Attempt;
use crate::service::connectors;
use crate::service::ledger::{self, Change, Pending};
use crate::service::progress::Progress;

use super::*;

/// Apply the next stage of an approved request in one transaction, every row checked again first: all of the
/// stage or none of it. With `pilot: N` only its first N rows (nothing applied yet); applied again without one,
/// the rest. A snapshot of every record the stage changes is stored with it, for rollback.
///
/// Every try is recorded as an attempt (committed before the stage's transaction, ended with it), and reports its
/// progress where any instance reads it; a process killed midway leaves an attempt that reads as interrupted, and
/// nothing of its stage.
#[allow(clippy::too_many_arguments)]
pub async fn apply(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    progress: &Progress,
    follower: &dyn Follower,
    actor: &Actor,
    id: i64,
    input: &ApplyChangeInput,
) -> AppResult<ChangeRequest> {
    let from = [ChangeStatus::Approved, ChangeStatus::Piloted];
    let rows = precheck(db, clock, actor, id, input, &from).await?;
    run_stage(db, clock, outbox, progress, follower, actor, id, input, rows, &from).await?;
    get(db, clock, actor, id).await
}

/// Who may, and which rows (first row, how many), before an attempt is recorded; the stage checks both again
/// under its lock.
pub(super) async fn precheck(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    id: i64,
    input: &ApplyChangeInput,
    from: &[ChangeStatus],
) -> AppResult<(i64, i64)> {
    let stored = visible(actor, store::get(&db.read, id).await?)?;
    access::may_apply_change_request(&actor.user, stored.requested_by.id)?;
    expect_status(&stored, from)?;
    window_open(&stored, clock.now())?;
    let mut conn = db.read.acquire().await?;
    let (_, until) = stage_plan(&mut conn, &stored, input).await?;
    Ok((stored.applied_count + 1, until - stored.applied_count))
}

/// Record the attempt, then apply the stage; the attempt ends with the stage's transaction, as failed with the
/// error, or, if the request is dropped midway (timed out, its client gone), as failed by its guard.
#[allow(clippy::too_many_arguments)]
pub(super) async fn run_stage(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    progress: &Progress,
    follower: &dyn Follower,
    actor: &Actor,
    id: i64,
    input: &ApplyChangeInput,
    (first_row, rows): (i64, i64),
    from: &[ChangeStatus],
) -> AppResult<()> {
    progress.set(Job::ChangeRequest(id), "starting", 0, rows as u64).await;
    let started =
        store::stages::start_attempt(&db.write, id, (first_row, rows), actor.ledger_name(), clock.now()).await?;
    let attempt = Attempt::started(Work::ChangeRequest, id, started, db.write.clone(), progress);
    match apply_stage(db, clock, outbox, progress, follower, actor, id, input, attempt.id(), from).await {
        Ok(()) => {
            attempt.applied().await;
            Ok(())
        }
        Err(e) => {
            attempt.failed(&e).await;
            Err(e)
        }
    }
}

/// A request with an execution window is not applied before its time.
pub(super) fn window_open(stored: &StoredChange, now: DateTime<Utc>) -> AppResult<()> {
    match stored.execute_at {
        Some(at) if !lifecycle::window_open(Some(at), now) => Err(AppError::Conflict(format!(
            "This request is scheduled: the server applies it at {} (UTC). Nothing was changed; edit the request to \
             change or clear its execution window.",
            at.format("%Y-%m-%d %H:%M")
        ))),
        _ => Ok(()),
    }
}

/// The rows a stage applies, as the last of them (numbered from 1): with `pilot: N` the first N; with
/// `pilot_department_id` those that change a seat of someone in that department, which move ahead of the rest
/// (the rows are returned in their new order: the same set, so the same approval); otherwise all that are left.
pub(super) async fn stage_plan(
    conn: &mut Conn,
    stored: &StoredChange,
    input: &ApplyChangeInput,
) -> AppResult<(Option<Vec<usize>>, i64)> {
    let Some(department) = input.pilot_department_id else {
        return Ok((None, stage_end(stored, input.pilot)?));
    };
    let refuse = |why: &str| Err(AppError::field("pilot_department_id", why));
    if input.pilot.is_some() {
        return refuse("give a pilot size or a department, not both");
    }
    if stored.status == ChangeStatus::Piloted {
        return refuse("the pilot is applied: apply again without a pilot for the rest");
    }
    let people: Vec<i64> = rules::people_named(&stored.operations).into_iter().collect();
    let in_department: HashSet<i64> = store::facts::departments_of_people(conn, &people)
        .await?
        .into_iter()
        .filter(|(_, d)| d.id == department)
        .map(|(person, _)| person)
        .collect();
    match rules::group_pilot(&stored.operations, |p| in_department.contains(&p)) {
        Ok((order, leading)) => Ok((Some(order), leading as i64)),
        Err(why) => refuse(why),
    }
}

/// The last row (numbered from 1) of the stage `pilot` asks for: its first `pilot` rows, or all that is left.
pub(super) fn stage_end(stored: &StoredChange, pilot: Option<i64>) -> AppResult<i64> {
    let total = stored.operations.len() as i64;
    match (pilot, stored.status) {
        (Some(_), ChangeStatus::Piloted) => {
            Err(AppError::field("pilot", "the pilot is applied: apply again without a pilot for the rest"))
        }
        (Some(_), _) if total < 2 => {
            Err(AppError::field("pilot", "a request of one operation has no pilot: apply it whole"))
        }
        (Some(n), _) if !(1..total).contains(&n) => Err(AppError::validation(vec![FieldError::new(
            "pilot",
            format!("must be from 1 to {} (fewer than the request's {total} operations)", total - 1),
        )])),
        (Some(n), _) => Ok(n),
        (None, _) => Ok(total),
    }
}

/// One stage in one transaction; its attempt's end is written with it.
#[allow(clippy::too_many_arguments)]
pub(super) async fn apply_stage(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    progress: &Progress,
    follower: &dyn Follower,
    actor: &Actor,
    id: i64,
    input: &ApplyChangeInput,
    attempt: i64,
    from_status: &[ChangeStatus],
) -> AppResult<()> {
    let now = clock.now();
    let job = Job::ChangeRequest(id);
    let mut tx = db.begin().await?;
    let mut stored = locked(&mut tx, actor, id).await?;
    access::may_apply_change_request(&actor.user, stored.requested_by.id)?;
    expect_status(&stored, from_status)?;
    window_open(&stored, now)?;
    let total = stored.operations.len() as i64;
    let from = stored.applied_count;
    let (order, until) = stage_plan(&mut tx, &stored, input).await?;
    if let Some(order) = &order {
        // A department's pilot: its rows first. Stored only once the stage applies; until then errors name the
        // rows as the reader numbers them.
        stored.operations = order.iter().filter_map(|i| stored.operations.get(*i).cloned()).collect();
    }
    let as_read = |errors: Vec<FieldError>| match &order {
        Some(order) => rules::original_rows(errors, order),
        None => errors,
    };
    let rows = (until - from) as u64;
    progress.set(job, "checking the rows again", 0, rows).await;
    if stored.status == ChangeStatus::Approved && stored.expires_at.is_some_and(|at| at <= now) {
        expire_locked(&mut tx, outbox, actor.ledger_name(), &stored, now).await?;
        tx.commit().await?;
        return Err(AppError::Conflict(EXPIRED.into()));
    }
    let requester = requester_of(&mut tx, &stored).await?;
    let (all_ops, _) = rules::parse(&stored.operations);
    let in_stage = |row: &u64| (from as u64) < *row && *row <= until as u64;
    let stage_ops: Vec<(u64, Operation)> = all_ops.iter().filter(|(row, _)| in_stage(row)).copied().collect();
    let (pool_ids, seats, retiring) = rollback::touched(&stage_ops);
    // Lock the pools in id order (two requests locking in opposite orders could otherwise wait on each other).
    for pool_id in &pool_ids {
        pools::lock(&mut tx, *pool_id).await?;
    }
    rollback_still_undoes(&mut tx, &requester, &stored).await?;
    let as_before = before_rolled_back(&mut tx, stored.rollback_of).await?;
    let restored = rollback::restored_costs(&all_ops, &as_before);
    // What is left must still apply as approved: the whole request before its first stage, the rest after a pilot.
    let left: Vec<OperationInput> = stored.operations[from as usize..].to_vec();
    let checked = renumber(check(&mut tx, &requester, &left, restored.clone(), MAX_OPERATIONS).await?, from as u64);
    let expected =
        if from == 0 { Some(stored.preview.clone()) } else { store::stages::snapshots(&mut tx, id).await?.1 };
    if !checked.errors.is_empty() {
        return Err(AppError::Validation {
            message: format!(
                "The inventory changed since this request was approved: {} of its rows cannot be applied as they \
                 stand. Nothing was changed.",
                checked.errors.iter().filter_map(|e| e.row).collect::<BTreeSet<_>>().len()
            ),
            fields: as_read(checked.errors),
        });
    }
    if expected.as_ref() != Some(&checked.preview) {
        let refused = changed_since(&mut tx, actor, &stored, &checked, now).await?;
        tx.commit().await?;
        return Err(refused);
    }
    let stage_preview = if until < total {
        let pilot = &stored.operations[..until as usize];
        match pilot_preview(&mut tx, &requester, pilot, restored.clone(), order.is_some()).await? {
            Ok(preview) => preview,
            Err((message, errors)) => return Err(AppError::Validation { message, fields: as_read(errors) }),
        }
    } else {
        checked.preview.clone()
    };
    progress.set(job, "taking a snapshot", 0, rows).await;
    let mut snapshot = Snapshot {
        pools: seat_store::pools_before(&mut tx, &pool_ids).await?,
        seats: seat_store::seats_before(&mut tx, &seats, &retiring).await?,
        after: Vec::new(),
    };
    let who = actor.ledger_name();
    let freed = seat_store::holders(&mut tx, &retiring).await?;
    progress.set(job, "changing seats and pools", 0, rows).await;
    write_stage(&mut tx, &stage_ops, &stage_preview, &as_before, who, now).await?;
    seat_store::recount(&mut tx, &pool_ids).await?;
    // The seats as this stage left them: a rollback takes back only these records, not a seat given again since.
    snapshot.after = seat_store::seats_before(&mut tx, &seats, &[]).await?;
    if order.is_some() && !store::set_operations(&mut tx, id, &stored.operations).await? {
        return Err(AppError::internal(format!("change request {id}: its operations changed under its row lock")));
    }
    let stage = StageRows { from, until, total };
    let stage_number = record_stage(&mut tx, &requester, &stored, stage, &snapshot, restored, actor, now).await?;
    progress.set(job, "writing the ledger", rows, rows).await;
    let applied = serde_json::json!({"stage": stage_number, "first_row": from + 1, "rows": until - from,
        "of": total, "pilot_department_id": input.pilot_department_id});
    let changes = stage_entries(&stored, &stage_ops, order.as_deref(), &freed, &applied)?;
    ledger::record_many(&mut tx, now, who, changes).await?;
    let to = if until < total { ChangeStatus::Piloted } else { ChangeStatus::Applied };
    if !store::step(&mut tx, id, stored.status, Step::Applied { to, applied_count: until }, now).await? {
        return Err(AppError::internal(format!("change request {id} moved under its row lock")));
    }
    if to == ChangeStatus::Applied {
        if let Some(original) = stored.rollback_of {
            finish_rollback(&mut tx, who, original, stored.rollback_rows.as_deref(), now).await?;
        }
    }
    if stored.requested_by.id != actor.user.id {
        let to = requester_address(&mut tx, &stored).await?;
        notify(&mut tx, outbox, &stored, Event::Applied { rows: until, of: total }, &to, now).await?;
    }
    follower.applied(&mut tx, &Outcome { change_request_id: id, origin: stored.origin, who, now }).await?;
    attempts::end(&mut tx, Work::ChangeRequest, attempt, AttemptOutcome::Applied, None, now).await?;
    tx.commit().await?;
    Ok(())
}

const EXPIRED: &str =
    "This request's approval expired before it was applied. Nothing was changed; submit it again for a new approval.";

/// The user who requested it, whose rights its rows are applied with.
async fn requester_of(tx: &mut Conn, stored: &StoredChange) -> AppResult<User> {
    users::load_in(tx, stored.requested_by.id)
        .await?
        .ok_or_else(|| AppError::internal(format!("change request {}: its requester is gone", stored.id)))
}

/// The rows a stage applies: after `from`, up to `until`, of `total`.
#[derive(Clone, Copy)]
struct StageRows {
    from: i64,
    until: i64,
    total: i64,
}

/// Store the stage with its snapshot and what the rows after it would do; its number.
#[allow(clippy::too_many_arguments)]
async fn record_stage(
    tx: &mut Conn,
    requester: &User,
    stored: &StoredChange,
    StageRows { from, until, total }: StageRows,
    snapshot: &Snapshot,
    restored: HashMap<i64, i64>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let id = stored.id;
    let rest_preview = if until < total {
        let rest: Vec<OperationInput> = stored.operations[until as usize..].to_vec();
        Some(renumber(check(tx, requester, &rest, restored, MAX_OPERATIONS).await?, until as u64).preview)
    } else {
        None
    };
    let stage_number = store::stages::stages(&mut *tx, id, total).await?.len() as i64 + 1;
    let new_stage = NewStage {
        stage: stage_number,
        first_row: from + 1,
        row_count: until - from,
        snapshot,
        rest_preview: rest_preview.as_ref(),
        applied_by: actor.user.id,
    };
    store::stages::insert_stage(tx, id, &new_stage, now).await?;
    Ok(stage_number)
}

/// A pilot checked on its own: its rows must apply without the rows after it (capacity above all). Its preview,
/// or why it cannot be a pilot with its rows' errors.
async fn pilot_preview(
    tx: &mut Conn,
    requester: &User,
    pilot: &[OperationInput],
    restored: HashMap<i64, i64>,
    by_department: bool,
) -> AppResult<Result<ChangePreview, (String, Vec<FieldError>)>> {
    let checked = check(tx, requester, pilot, restored, MAX_OPERATIONS).await?;
    if checked.errors.is_empty() {
        return Ok(Ok(checked.preview));
    }
    let until = pilot.len();
    let message = if by_department {
        format!(
            "The {until} rows for that department cannot be applied on their own as a pilot (they rely on other \
             rows). Nothing was changed; choose another pilot."
        )
    } else {
        format!(
            "The first {until} rows cannot be applied on their own as a pilot (they rely on rows after them). \
             Nothing was changed; choose another pilot size."
        )
    };
    Ok(Err((message, checked.errors)))
}

/// Write a stage's rows: pools retired and restored, seats removed, handed over and added (a seat a rollback
/// gives back as it was), seat counts set at the annual cost the stage's preview worked out.
async fn write_stage(
    tx: &mut Conn,
    stage_ops: &[(u64, Operation)],
    preview: &ChangePreview,
    as_before: &Snapshot,
    who: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut plan = Plan::default();
    for (_, op) in stage_ops {
        plan.add(*op);
    }
    let annual_after: HashMap<i64, (Option<i64>, i64)> = preview
        .pools
        .iter()
        .map(|p| (p.pool_id, (p.seats_purchased_after, p.annual_cost_after.amount_minor)))
        .collect();
    seat_store::retire(tx, &plan.retire, now).await?;
    let restores: Vec<(i64, i64)> =
        plan.restore.iter().filter_map(|id| annual_after.get(id).map(|(_, annual)| (*id, *annual))).collect();
    seat_store::restore(tx, &restores, now).await?;
    seat_store::remove_seats(tx, &plan.remove).await?;
    seat_store::hand_over(tx, &plan.hand_over, who, now).await?;
    let seat_before: HashMap<(i64, i64), &SeatBefore> =
        as_before.seats.iter().map(|s| ((s.pool_id, s.person_id), s)).collect();
    let (restored_seats, new_seats): (Vec<_>, Vec<_>) =
        plan.add.iter().partition(|seat| seat_before.contains_key(*seat));
    seat_store::add_seats(tx, &new_seats.into_iter().copied().collect::<Vec<_>>(), who, now).await?;
    let restored_seats: Vec<&SeatBefore> =
        restored_seats.iter().filter_map(|seat| seat_before.get(*seat).copied()).collect();
    seat_store::add_seats_as_before(tx, &restored_seats).await?;
    // The targets' side: a hand-over removes the seat from one holder and gives it to another.
    let removed: Vec<(i64, i64)> =
        plan.remove.iter().copied().chain(plan.hand_over.iter().map(|&(pool, from, _)| (pool, from))).collect();
    let added: Vec<(i64, i64)> =
        plan.add.iter().copied().chain(plan.hand_over.iter().map(|&(pool, _, to)| (pool, to))).collect();
    connectors::actions::queue(tx, &removed, &added, who, now).await?;
    let seat_counts: Vec<(i64, i64, i64)> = plan
        .set_seats
        .iter()
        .filter_map(|id| match annual_after.get(id) {
            Some((Some(seats), annual)) => Some((*id, *seats, *annual)),
            _ => None,
        })
        .collect();
    seat_store::set_seats(tx, &seat_counts, now).await?;
    Ok(())
}

/// A stage's ledger entries: each row applied (with its number as submitted, for a department's pilot), each seat a
/// retired pool freed, and the stage itself.
fn stage_entries(
    stored: &StoredChange,
    stage_ops: &[(u64, Operation)],
    order: Option<&[usize]>,
    freed: &[(i64, i64)],
    applied: &serde_json::Value,
) -> AppResult<Vec<Pending>> {
    let id = stored.id;
    Ok(stage_ops
        .iter()
        .map(|(row, _)| {
            let op = &stored.operations[(*row - 1) as usize];
            let original = order.and_then(|o| o.get((*row - 1) as usize)).map(|i| i + 1);
            let record = serde_json::json!({"change_request_id": id, "row": row, "operation": op,
                "row_as_submitted": original});
            let pool = op.pool_id.or(op.from_pool_id);
            Pending::of(Change::created("change_request.operation", "pool", pool, &record))
        })
        .chain(freed.iter().map(|(pool, person)| {
            let record = serde_json::json!({"change_request_id": id, "person_id": person, "pool_retired": true});
            Pending::of(Change::removed("pool.seat_unassign", "pool", Some(*pool), &record))
        }))
        .chain([Pending::of(Change::created("change_request.apply", "change_request", Some(id), applied))])
        .collect::<Result<Vec<_>, _>>()?)
}

/// Errors of a check of the rows from `offset + 1` on, numbered as rows of the whole request.
pub(super) fn renumber(mut checked: Checked, offset: u64) -> Checked {
    for e in &mut checked.errors {
        e.row = e.row.map(|r| r + offset);
    }
    checked
}

/// The writes of a checked stage, grouped by kind (a checked batch changes each seat once, so order is free).
#[derive(Default)]
pub(super) struct Plan {
    add: Vec<(i64, i64)>,
    remove: Vec<(i64, i64)>,
    hand_over: Vec<(i64, i64, i64)>,
    set_seats: BTreeSet<i64>,
    retire: Vec<i64>,
    restore: Vec<i64>,
}

impl Plan {
    fn add(&mut self, op: Operation) {
        match op {
            Operation::Assign { pool_id, person_id } => self.add.push((pool_id, person_id)),
            Operation::Unassign { pool_id, person_id } => self.remove.push((pool_id, person_id)),
            Operation::Reassign { pool_id, from_person_id, to_person_id } => {
                self.hand_over.push((pool_id, from_person_id, to_person_id))
            }
            Operation::Move { from_pool_id, to_pool_id, person_id } => {
                self.remove.push((from_pool_id, person_id));
                self.add.push((to_pool_id, person_id));
            }
            Operation::SetSeats { pool_id, .. } => {
                self.set_seats.insert(pool_id);
            }
            Operation::RetirePool { pool_id } => self.retire.push(pool_id),
            Operation::RestorePool { pool_id } => self.restore.push(pool_id),
        }
    }
}
