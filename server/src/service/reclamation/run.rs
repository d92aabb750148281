//! Running a policy: each actionable finding without an open case becomes one, and is acted on at once, held
//! back by a hold, or sent to the approval queue as one change request for the whole run.

use std::collections::HashSet;

use seatwise_types::{
    CaseOrigin, CaseState, ChangeOrigin, ChangeRequestInput, OperationInput, Policy, PolicyRun, ReclaimAction,
};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::reclamation::cases::{self as case_store, Closing, StoredCase};
use crate::db::reclamation::policies as store;
use crate::db::{Conn, Db};
use crate::domain::access;
use crate::domain::alert_mail::Outbox;
use crate::error::{AppError, AppResult};
use crate::service::change_requests;

use super::cases::{self, organisation};
use super::open::open_cases;
use super::policies::{evaluate, readable};
use crate::domain::reclamation::Opening;

pub async fn run(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    actor: &Actor,
    id: i64,
) -> AppResult<PolicyRun> {
    let now = clock.now();
    let org = organisation(db).await?;
    let today = org.today(now);
    let mut tx = db.begin().await?;
    let stored = readable(actor, store::get(&mut *tx, id).await?)?;
    access::may_manage_policy(&actor.user, stored.pool)?;
    let policy = stored.policy;
    if policy.ask_consent {
        return Err(AppError::Conflict(
            "This policy asks each holder first: start a consent campaign for it instead of running it.".into(),
        ));
    }
    let eval = evaluate(&mut tx, &policy, now).await?;
    let mut pool_ids: Vec<i64> = eval.pools.keys().copied().collect();
    pool_ids.sort_unstable();
    // The pools' locks in id order before reading their open cases: a run and a termination (or two runs) at once
    // then wait for each other instead of both opening a case for the same seat.
    for id in &pool_ids {
        crate::db::pools::lock(&mut tx, *id).await?;
    }
    // A seat someone kept, or had given back, is left alone for the policy's own period.
    let decided_within = chrono::Duration::days(policy.conditions.inactive_days.unwrap_or(90).max(30));
    let decided = case_store::decided_since(&mut tx, &pool_ids, now - decided_within).await?;
    let mut report = PolicyRun { policy_id: policy.id, policy_version: policy.version, ..PolicyRun::default() };
    let mut seen = HashSet::new();
    let mut openings = Vec::new();
    for f in &eval.findings {
        if f.stale {
            report.stale += 1;
            continue;
        }
        if decided.contains(&(f.pool_id, f.person_id)) || !seen.insert((f.pool_id, f.person_id)) {
            report.already_open += 1;
            continue;
        }
        openings.push(Opening {
            pool_id: f.pool_id,
            person_id: f.person_id,
            origin: CaseOrigin::Policy,
            policy: Some((policy.id, policy.version)),
            action: policy.action,
            target_pool_id: policy.target_pool_id,
            reason: f.reason.clone(),
            event_at: now,
            needs_approval: policy.needs_approval,
        });
    }
    let who = actor.ledger_name();
    let opened = open_cases(&mut tx, openings, today, who, now).await?;
    report.already_open += opened.already_open;
    report.opened = opened.cases.len() as i64;
    let opened = opened.cases;
    match policy.action {
        ReclaimAction::Notify => report.notified = opened.len() as i64,
        _ if policy.needs_approval => {
            let waiting: Vec<_> = opened.iter().filter(|c| c.case.state == CaseState::AwaitingApproval).collect();
            if !waiting.is_empty() {
                let cr = send_for_approval(&mut tx, outbox, actor, &policy, &waiting, today, now).await?;
                report.awaiting_approval = waiting.len() as i64;
                report.change_request_id = Some(cr);
            }
        }
        _ => {
            let ready: Vec<_> = opened.into_iter().filter(|c| c.case.state == CaseState::Ready).collect();
            let done = cases::revoke(&mut tx, &org, &ready, who, now).await?;
            report.reclaimed = done.reclaimed;
            report.downgraded = done.downgraded;
        }
    }
    store::mark_run(&mut tx, policy.id, now).await?;
    tx.commit().await?;
    Ok(report)
}

/// The seats of a run whose policy wants an approval, sent to the approval queue as one change request (taking
/// them back, or moving them to the cheaper pool); each case keeps its seat as it is now, for a restore once the
/// request has removed it. The request's id.
async fn send_for_approval(
    tx: &mut Conn,
    outbox: Option<Outbox<'_>>,
    actor: &Actor,
    policy: &Policy,
    waiting: &[&StoredCase],
    today: chrono::NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<i64> {
    let operations = waiting
        .iter()
        .map(|c| match (policy.action, policy.target_pool_id) {
            (ReclaimAction::Downgrade, Some(to)) => OperationInput {
                op: Some("move".into()),
                from_pool_id: Some(c.case.pool_id),
                to_pool_id: Some(to),
                person_id: Some(c.case.person_id),
                ..OperationInput::default()
            },
            _ => OperationInput {
                op: Some("unassign".into()),
                pool_id: Some(c.case.pool_id),
                person_id: Some(c.case.person_id),
                ..OperationInput::default()
            },
        })
        .collect();
    let request = ChangeRequestInput {
        title: format!(
            "Reclamation: {} (version {})",
            policy.name.chars().take(150).collect::<String>(),
            policy.version
        ),
        reason: format!("{} seats selected by the reclamation policy \"{}\" on {}.", waiting.len(), policy.name, today),
        operations,
        execute_at: None,
    };
    // Whoever wrote this version of the policy is a party to the batch, as its requester is.
    let author = store::version_author(tx, policy.id, policy.version).await?;
    let cr = change_requests::draft_in(tx, outbox, actor, &request, ChangeOrigin::Reclamation, author, now).await?;
    // Each seat as it is now, for the restore once the request has removed it.
    let wanted: Vec<(i64, i64)> = waiting.iter().map(|c| (c.case.pool_id, c.case.person_id)).collect();
    let before: std::collections::HashMap<(i64, i64), _> = crate::db::seats::seats_before(tx, &wanted, &[])
        .await?
        .into_iter()
        .map(|s| ((s.pool_id, s.person_id), s))
        .collect();
    for c in waiting {
        let link = Closing {
            change_request_id: Some(cr),
            removed: before.get(&(c.case.pool_id, c.case.person_id)).cloned(),
            ..Closing::default()
        };
        case_store::step(&mut *tx, c.case.id, CaseState::AwaitingApproval, CaseState::AwaitingApproval, &link).await?;
    }
    Ok(cr)
}
