//! The demo's approval queue: change requests in every state, made through the same use cases as the console
//! (the owner drafts and submits, the approver and finance sign off, stages are applied, one is rolled back), so
//! the queue, the ledger and the pools agree. No e-mail is sent for them.

use crate::service::CHANGE_FOLLOWER;
use seatwise_types::{
    ApplyChangeInput, ApprovalPolicy, ChangeRequestInput, CommentInput, OperationInput, RollbackInput,
};

use crate::auth::{Actor, Via};
use crate::db::change_requests as store;
use crate::db::seats as seat_store;
use crate::db::users;
use crate::error::{AppError, AppResult};
use crate::service::change_requests as changes;
use crate::state::AppState;

pub(super) async fn actor(state: &AppState, email: &str) -> AppResult<Actor> {
    let id = users::user_of_address(&state.db.read, email).await?.ok_or(AppError::NotFound("demo user"))?;
    let user = users::load(&state.db.read, id).await?.ok_or(AppError::NotFound("demo user"))?;
    Ok(Actor { user, via: Via::Token })
}

/// A pool's id and the people holding its seats (by id, so the demo is the same every time).
pub(super) async fn pool(state: &AppState, name: &str) -> AppResult<(i64, Vec<i64>)> {
    let mut conn = state.db.read.acquire().await?;
    let found = store::facts::pools_named(&mut conn, &[name.to_lowercase()]).await?;
    let id = found.first().map(|(id, _, _)| *id).ok_or(AppError::NotFound("demo pool"))?;
    let mut holders: Vec<i64> =
        seat_store::holders(&mut conn, &[id]).await?.into_iter().map(|(_, person)| person).collect();
    holders.sort_unstable();
    Ok((id, holders))
}

/// The first `n` of `ids` (all of them when there are fewer).
fn first(ids: &[i64], n: usize) -> &[i64] {
    &ids[..n.min(ids.len())]
}

fn op(name: &str, pool_id: i64) -> OperationInput {
    OperationInput { op: Some(name.into()), pool_id: Some(pool_id), ..Default::default() }
}

fn unassign(pool_id: i64, people: &[i64]) -> Vec<OperationInput> {
    people.iter().map(|p| OperationInput { person_id: Some(*p), ..op("unassign", pool_id) }).collect()
}

fn input(title: &str, reason: &str, operations: Vec<OperationInput>) -> ChangeRequestInput {
    ChangeRequestInput { title: title.into(), reason: reason.into(), operations, execute_at: None }
}

fn comment(text: &str) -> CommentInput {
    CommentInput { comment: text.into() }
}

pub(super) async fn seed(state: &AppState) -> AppResult<()> {
    let (db, clock, progress) = (&state.db, &*state.clock, &state.progress);
    let owner = actor(state, "owner@example.com").await?;
    let approver = actor(state, "approver@example.com").await?;
    let admin = actor(state, "admin@example.com").await?;
    let policy = changes::policy(db, &admin).await?;
    let policy = ApprovalPolicy {
        finance_above_seats: Some(40),
        finance_above_annual_minor: Some(1_000_000),
        approval_valid_days: Some(14),
        reminder_hours: Some(24),
        require_reason: true,
        ..policy
    };
    changes::set_policy(db, clock, &admin, &policy, Some(policy.version)).await?;
    let submit = |id| changes::submit(db, clock, None, &owner, id);

    // Applied, then rolled back by a request of its own.
    let (jira, jira_holders) = pool(state, "Jira Software Premium").await?;
    let r = changes::create(
        db,
        clock,
        &owner,
        &input(
            "Jira Software: take back 4 seats from the platform team",
            "The platform team moved to Linear in October.",
            unassign(jira, first(&jira_holders, 4)),
        ),
    )
    .await?;
    submit(r.id).await?;
    changes::decide(
        db,
        clock,
        None,
        CHANGE_FOLLOWER,
        &approver,
        r.id,
        true,
        &comment("Agreed with the platform lead."),
    )
    .await?;
    changes::apply(db, clock, None, progress, CHANGE_FOLLOWER, &owner, r.id, &ApplyChangeInput::default()).await?;
    let undo = changes::request_rollback(
        db,
        clock,
        None,
        &owner,
        r.id,
        &RollbackInput {
            reason: Some("Two of the four still file tickets in Jira; putting the seats back.".into()),
            rows: None,
        },
    )
    .await?;
    changes::decide(db, clock, None, CHANGE_FOLLOWER, &approver, undo.id, true, &comment("Fine, put them back."))
        .await?;
    changes::apply(db, clock, None, progress, CHANGE_FOLLOWER, &owner, undo.id, &ApplyChangeInput::default()).await?;

    // Applied: three seats freed and the seat count brought down to match.
    let (pagerduty, pd_holders) = pool(state, "PagerDuty Business").await?;
    let mut ops = unassign(pagerduty, first(&pd_holders, 3));
    ops.push(OperationInput { seats_purchased: Some(32), ..op("set_seats", pagerduty) });
    let r = changes::create(
        db,
        clock,
        &owner,
        &input(
            "PagerDuty: three fewer responders",
            "The on-call rota shrank after the reorganisation; buy three seats fewer at renewal.",
            ops,
        ),
    )
    .await?;
    submit(r.id).await?;
    changes::decide(db, clock, None, CHANGE_FOLLOWER, &approver, r.id, true, &comment("")).await?;
    changes::apply(db, clock, None, progress, CHANGE_FOLLOWER, &approver, r.id, &ApplyChangeInput::default()).await?;

    // Rejected.
    let (miro, _) = pool(state, "Miro Business").await?;
    let r = changes::create(
        db,
        clock,
        &owner,
        &input("Retire Miro Business", "FigJam covers our whiteboarding now.", vec![op("retire_pool", miro)]),
    )
    .await?;
    submit(r.id).await?;
    changes::decide(
        db,
        clock,
        None,
        CHANGE_FOLLOWER,
        &approver,
        r.id,
        false,
        &comment("Design runs its client workshops on Miro until March; ask again then."),
    )
    .await?;

    // Pilot applied, the rest waiting to be confirmed.
    let (postman, postman_holders) = pool(state, "Postman Enterprise").await?;
    let r = changes::create(
        db,
        clock,
        &owner,
        &input(
            "Postman: release 8 seats nobody opened this quarter",
            "No sign-in since August for these eight.",
            unassign(postman, first(&postman_holders, 8)),
        ),
    )
    .await?;
    submit(r.id).await?;
    changes::decide(db, clock, None, CHANGE_FOLLOWER, &approver, r.id, true, &comment("Pilot first, please.")).await?;
    changes::apply(
        db,
        clock,
        None,
        progress,
        CHANGE_FOLLOWER,
        &owner,
        r.id,
        &ApplyChangeInput { pilot: Some(3), ..Default::default() },
    )
    .await?;

    // Above the finance threshold: approved, waiting for finance.
    let (copilot, _) = pool(state, "GitHub Copilot Business").await?;
    let r = changes::create(
        db,
        clock,
        &owner,
        &input(
            "GitHub Copilot for every engineer",
            "Engineering leadership wants Copilot for the whole department from January.",
            vec![OperationInput { seats_purchased: Some(140), ..op("set_seats", copilot) }],
        ),
    )
    .await?;
    submit(r.id).await?;
    changes::decide(
        db,
        clock,
        None,
        CHANGE_FOLLOWER,
        &approver,
        r.id,
        true,
        &comment("Fine by me; finance to confirm the budget."),
    )
    .await?;

    // Approved, scheduled for a quiet hour next week.
    let (creative, _) = pool(state, "Creative Cloud All Apps").await?;
    let at = (clock.now() + chrono::Duration::days(7)).date_naive().and_hms_opt(6, 0, 0).map(|t| t.and_utc());
    let r = changes::create(
        db,
        clock,
        &owner,
        &ChangeRequestInput {
            execute_at: at,
            ..input(
                "Creative Cloud: 20 seats from next week",
                "Five seats have not been used since the summer; lower the count before the true-up.",
                vec![OperationInput { seats_purchased: Some(20), ..op("set_seats", creative) }],
            )
        },
    )
    .await?;
    submit(r.id).await?;
    changes::decide(
        db,
        clock,
        None,
        CHANGE_FOLLOWER,
        &approver,
        r.id,
        true,
        &comment("Scheduled for Monday morning, fine."),
    )
    .await?;

    // Waiting for an approver.
    let (datadog, dd_holders) = pool(state, "Datadog Pro").await?;
    let r = changes::create(
        db,
        clock,
        &owner,
        &input(
            "Datadog: hand back 6 seats",
            "Six of the dashboards' viewers only need the free read-only role.",
            unassign(datadog, first(&dd_holders, 6)),
        ),
    )
    .await?;
    submit(r.id).await?;

    // A draft with rows in error: a person who left, and a seat already held.
    let (figma, figma_holders) = pool(state, "Figma Organization").await?;
    let leaver = {
        let mut conn = db.read.acquire().await?;
        store::facts::people_keyed(&mut conn, &["kwame.okafor58@example.com".into()], &[]).await?.first().map(|p| p.0)
    };
    let mut ops: Vec<OperationInput> =
        figma_holders.iter().take(1).map(|p| OperationInput { person_id: Some(*p), ..op("assign", figma) }).collect();
    ops.push(OperationInput { person_id: leaver, ..op("assign", figma) });
    changes::create(db, clock, &owner, &input("Figma for the new design contractors", "", ops)).await?;
    Ok(())
}
