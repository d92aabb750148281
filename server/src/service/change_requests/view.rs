//! A request as its reader sees it: its rows' names, its stages and attempts, what the reader may do next.

use std::collections::{BTreeSet, HashMap, HashSet};

use seatwise_types::{
    ChangeActions, ChangeAttempt, ChangeNames, ChangeRequest, ChangeRequestQuery, ChangeRequestSummary, ChangeStatus,
    JobProgress, OperationInput, Page, PersonContext, Ref, User, WaitingFor,
};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::change_requests::{self as store, ChangeFilter, StoredChange};
use crate::db::progress::{self as progress_store, Job};
use crate::db::Db;
use crate::domain::change_request::lifecycle;
use crate::domain::change_request::{self as rules};
use crate::domain::{access, apply_attempt};
use crate::error::{AppError, AppResult};
use crate::service::paging;
use crate::service::progress::Progress;

pub(super) fn visible(actor: &Actor, stored: Option<StoredChange>) -> AppResult<StoredChange> {
    let reader = access::change_request_reader(&actor.user)?;
    match stored {
        Some(s) if reader.sees(s.requested_by.id) => Ok(s),
        _ => Err(AppError::NotFound("change request")),
    }
}

/// Whether `user` may give the sign-off `s` waits for.
pub(super) fn may_decide(user: &User, s: &StoredChange) -> AppResult<WaitingFor> {
    match s.waiting_for() {
        Some(WaitingFor::Approver) => {
            access::may_decide_change_request(user, s.requested_by.id, s.author_id)?;
            Ok(WaitingFor::Approver)
        }
        Some(WaitingFor::Finance) => {
            let approver = s.decided_by.as_ref().map_or(0, |r| r.id);
            access::may_give_finance_approval(user, s.requested_by.id, s.author_id, approver)?;
            Ok(WaitingFor::Finance)
        }
        None => {
            access::may_sign_off_changes(user)?;
            Err(AppError::Conflict(format!(
                "This change request is {}; only a submitted request can be approved or rejected.",
                s.status.as_str()
            )))
        }
    }
}

pub(super) fn actions(user: &User, s: &StoredChange) -> ChangeActions {
    let mine = access::may_edit_change_request(user, s.requested_by.id).is_ok();
    let unapplied = matches!(s.status, ChangeStatus::Draft | ChangeStatus::Submitted | ChangeStatus::Approved);
    let rollback_pending = s.rolled_back_by.is_some();
    ChangeActions {
        edit: mine && unapplied && s.rollback_of.is_none(),
        submit: mine && s.status == ChangeStatus::Draft,
        decide: s.status == ChangeStatus::Submitted && may_decide(user, s).is_ok(),
        apply: matches!(s.status, ChangeStatus::Approved | ChangeStatus::Piloted)
            && access::may_apply_change_request(user, s.requested_by.id).is_ok(),
        rollback: matches!(s.status, ChangeStatus::Applied | ChangeStatus::Piloted)
            && !rollback_pending
            && access::may_roll_back_change_request(user, s.requested_by.id).is_ok(),
    }
}

/// Names for the people and pools `operations` name; pools outside the reader's scope stay unnamed.
pub(super) async fn names(db: &Db, reader: &User, operations: &[OperationInput]) -> AppResult<ChangeNames> {
    let mut pool_ids = BTreeSet::new();
    for o in operations {
        pool_ids.extend([o.pool_id, o.from_pool_id, o.to_pool_id].into_iter().flatten());
    }
    let person_ids = rules::people_named(operations);
    let mut conn = db.read.acquire().await?;
    let readable = access::pool_read_scope(reader);
    let pools: Vec<Ref> = store::facts::pools(&mut conn, &pool_ids.into_iter().collect::<Vec<_>>())
        .await?
        .into_iter()
        .filter(|(place, _)| readable.covers(*place))
        .map(|(_, p)| Ref { id: p.id, name: p.name })
        .collect();
    let person_ids: Vec<i64> = person_ids.into_iter().collect();
    let named = store::facts::people(&mut conn, &person_ids).await?;
    let departments: HashMap<i64, Ref> =
        store::facts::departments_of_people(&mut conn, &person_ids).await?.into_iter().collect();
    let people_context = named
        .iter()
        .map(|(id, _, status)| PersonContext {
            id: *id,
            status: *status,
            department: departments.get(id).map(|d| d.name.clone()),
        })
        .collect();
    let people = named.into_iter().map(|(id, name, _)| Ref { id, name }).collect();
    // Each seat a row names, on the pools the reader may see.
    let shown: HashSet<i64> = pools.iter().map(|p: &Ref| p.id).collect();
    let mut seats: BTreeSet<(i64, i64)> = BTreeSet::new();
    for o in operations {
        for (pool, person) in [(o.pool_id, o.person_id), (o.pool_id, o.from_person_id), (o.from_pool_id, o.person_id)] {
            if let (Some(pool), Some(person)) = (pool, person) {
                if shown.contains(&pool) {
                    seats.insert((pool, person));
                }
            }
        }
    }
    let sign_ins = crate::db::reclamation::usage::sign_ins(&mut conn, &seats.into_iter().collect::<Vec<_>>()).await?;
    Ok(ChangeNames { people, pools, people_context, sign_ins })
}

/// A request's attempts, each with its stored end or, while it has none, running or cut off by its heartbeat.
pub(super) async fn attempts_of(db: &Db, clock: &dyn Clock, id: i64) -> AppResult<Vec<ChangeAttempt>> {
    let rows = store::stages::attempts(&db.read, id).await?;
    let beat = if rows.iter().any(|a| a.outcome.is_none()) {
        progress_store::last_updates(&db.progress, Job::ChangeRequest, &[id]).await?.get(&id).copied()
    } else {
        None
    };
    let now = clock.now();
    Ok(rows
        .into_iter()
        .map(|a| ChangeAttempt {
            first_row: a.first_row,
            row_count: a.row_count,
            outcome: apply_attempt::outcome(a.outcome, apply_attempt::last_alive(a.started_at, beat), now),
            started_at: a.started_at,
            started_by: a.started_by,
            finished_at: a.finished_at,
            error: a.error,
        })
        .collect())
}

pub(super) async fn shown(db: &Db, clock: &dyn Clock, actor: &Actor, s: StoredChange) -> AppResult<ChangeRequest> {
    let stages = store::stages::stages(&db.read, s.id, s.operations.len() as i64).await?;
    let attempts = attempts_of(db, clock, s.id).await?;
    let names = names(db, &actor.user, &s.operations).await?;
    let actions = actions(&actor.user, &s);
    let pilot_groups = if actions.apply && s.status == ChangeStatus::Approved && s.applied_count == 0 {
        let people: Vec<i64> = rules::people_named(&s.operations).into_iter().collect();
        let mut conn = db.read.acquire().await?;
        let department_of = store::facts::departments_of_people(&mut conn, &people).await?.into_iter().collect();
        rules::pilot_groups(&s.operations, &department_of)
    } else {
        Vec::new()
    };
    Ok(ChangeRequest {
        id: s.id,
        title: s.title.clone(),
        reason: s.reason.clone(),
        status: s.status,
        requested_by: s.requested_by.clone(),
        created_at: s.created_at,
        submitted_at: s.submitted_at,
        decided_by: s.decided_by.clone(),
        decided_at: s.decided_at,
        decision_comment: s.decision_comment.clone(),
        needs_finance: s.needs_finance,
        finance_decision: s.finance_decision.clone(),
        waiting_for: s.waiting_for(),
        expires_at: s.expires_at,
        execute_at: s.execute_at,
        window_missed: lifecycle::window_missed(
            s.execute_at,
            s.finance_decision.as_ref().map(|f| f.at).or(s.decided_at),
        ),
        applied_at: s.applied_at,
        applied_count: s.applied_count,
        stages,
        attempts,
        rollback_of: s.rollback_of,
        rollback_rows: s.rollback_rows.clone(),
        rolled_back_by: s.rolled_back_by,
        operations: s.operations,
        names,
        pilot_groups,
        errors: s.errors,
        preview: s.preview,
        can_decide: actions.decide,
        actions,
        version: s.version,
    })
}

pub async fn get(db: &Db, clock: &dyn Clock, actor: &Actor, id: i64) -> AppResult<ChangeRequest> {
    let stored = visible(actor, store::get(&db.read, id).await?)?;
    shown(db, clock, actor, stored).await
}

/// Newest first; license owners see their own requests.
pub async fn list(db: &Db, actor: &Actor, q: &ChangeRequestQuery) -> AppResult<Page<ChangeRequestSummary>> {
    let reader = access::change_request_reader(&actor.user)?;
    let (page, per_page) = paging(q.page, q.per_page)?;
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => Some(ChangeStatus::parse(s).ok_or_else(|| {
            AppError::field(
                "status",
                "must be draft, submitted, approved, piloted, applied, rejected, expired or rolled_back",
            )
        })?),
    };
    let waiting_for = match q.waiting_for.as_deref() {
        None => None,
        Some(w) => {
            Some(WaitingFor::parse(w).ok_or_else(|| AppError::field("waiting_for", "must be approver or finance"))?)
        }
    };
    let requested_by = match (reader, q.mine.unwrap_or(false)) {
        (access::ChangeReader::Own(user), _) => Some(user),
        (access::ChangeReader::All, true) => Some(actor.user.id),
        (access::ChangeReader::All, false) => None,
    };
    let decidable_by = q.for_me.unwrap_or(false).then(|| {
        let (approver, finance) = access::approves_as(&actor.user);
        (actor.user.id, approver, finance)
    });
    let filter = ChangeFilter { status, requested_by, waiting_for, decidable_by, page, per_page };
    Ok(store::list(&db.read, &filter).await?)
}

/// How far the request's latest stage has come, from the database: any instance answers while another applies.
pub async fn progress(db: &Db, progress: &Progress, actor: &Actor, id: i64) -> AppResult<JobProgress> {
    let stored = visible(actor, store::get(&db.read, id).await?)?;
    if let Some(p) = progress.get(Job::ChangeRequest(id)).await? {
        return Ok(p);
    }
    let total = stored.operations.len() as u64;
    let done = u64::try_from(stored.applied_count).unwrap_or(0);
    Ok(JobProgress { phase: stored.status.as_str().into(), done, total, finished: done == total })
}
