//! A holder gives their own seat back from My seats: a case of its own origin, revoked at once with its savings
//! entry, or kept waiting while a hold defers it. No approval: the seat is the holder's own to give.

use seatwise_types::{Case, CaseOrigin, CaseState, FindingReason, ReclaimAction};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::reclamation::cases as store;
use crate::db::Db;
use crate::domain::access;
use crate::error::{AppError, AppResult};

use super::cases::{cancel, organisation, revoke, shown};
use super::open::open_cases;
use crate::domain::reclamation::Opening;

/// Give back the seat `assignment_id` the signed-in person holds. Another's seat, or a device's, is not found.
pub async fn give_back(db: &Db, clock: &dyn Clock, actor: &Actor, assignment_id: i64) -> AppResult<Case> {
    let person_id = access::may_see_own_seats(&actor.user)?;
    let now = clock.now();
    let org = organisation(db).await?;
    let mut tx = db.begin().await?;
    let pool_id = match crate::db::pools::seat_place(&mut tx, assignment_id).await? {
        Some((pool_id, Some(holder))) if holder == person_id => pool_id,
        _ => return Err(AppError::NotFound("seat")),
    };
    crate::db::pools::lock(&mut tx, pool_id).await?;
    let who = actor.ledger_name();
    // A case already open on the seat (a policy's, waiting for its holder or an approval) gives way: its holder
    // has decided.
    let open = store::open_on_seats(&mut tx, &[(pool_id, person_id)]).await?;
    cancel(&mut tx, &open, "Its holder gave the seat back.", "given_back", who, now).await?;
    let opening = Opening {
        pool_id,
        person_id,
        origin: CaseOrigin::Holder,
        policy: None,
        action: ReclaimAction::Reclaim,
        target_pool_id: None,
        reason: FindingReason::GivenBack,
        event_at: now,
        needs_approval: false,
    };
    let opened = open_cases(&mut tx, vec![opening], org.today(now), who, now).await?;
    // An offboarding's case, which nothing but the person's return cancels, has the seat already.
    let Some(case) = opened.cases.into_iter().next() else {
        return Err(AppError::Conflict("This seat is being taken back already: you left the organisation.".into()));
    };
    let id = case.case.id;
    let ready: Vec<_> = [case].into_iter().filter(|c| c.case.state == CaseState::Ready).collect();
    revoke(&mut tx, &org, &ready, who, now).await?;
    let case = store::get(&mut *tx, id).await?.ok_or_else(|| AppError::internal(format!("case {id} vanished")))?;
    tx.commit().await?;
    Ok(shown(actor, case))
}
