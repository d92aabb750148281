//! Offboarding: a termination (by hand, HR import, Graph, SCIM) opens a case for every seat the person holds,
//! reclaimed at once unless a legal hold on them or a blackout on the pool defers it; a person who comes back
//! before that has their waiting cases cancelled.

use chrono::{DateTime, Utc};
use seatwise_types::{CaseOrigin, CaseState, FindingReason, ReclaimAction};

use crate::db::reclamation::cases as store;
use crate::db::Conn;
use crate::error::AppResult;
use crate::service::org;

use super::cases::{cancel, revoke};
use super::open::open_cases;
use crate::domain::reclamation::Opening;

/// People terminated at `event_at` (each their own): open their seats' cases and revoke what no hold defers.
pub async fn terminated(
    conn: &mut Conn,
    people: &[(i64, DateTime<Utc>)],
    who: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if people.is_empty() {
        return Ok(());
    }
    let org = org::load_from(&mut *conn).await?;
    let today = org.today(now);
    let ids: Vec<i64> = people.iter().map(|(id, _)| *id).collect();
    let seats = store::seats_of_people(conn, &ids).await?;
    if seats.is_empty() {
        return Ok(());
    }
    let mut pools: Vec<i64> = seats.iter().map(|(pool, _)| *pool).collect();
    pools.sort_unstable();
    pools.dedup();
    for id in &pools {
        crate::db::pools::lock(conn, *id).await?;
    }
    // A leaver's seat is reclaimed whatever a policy had in mind for it: its open policy case gives way.
    let open = store::open_on_seats(conn, &seats).await?;
    cancel(conn, &open, "The person left: offboarding took this seat over.", "offboarding", who, now).await?;
    let event_of: std::collections::HashMap<i64, DateTime<Utc>> = people.iter().copied().collect();
    let openings = seats
        .iter()
        .map(|&(pool_id, person_id)| Opening {
            pool_id,
            person_id,
            origin: CaseOrigin::Offboarding,
            policy: None,
            action: ReclaimAction::Reclaim,
            target_pool_id: None,
            reason: FindingReason::Terminated,
            event_at: event_of.get(&person_id).copied().unwrap_or(now),
            needs_approval: false,
        })
        .collect();
    let opened = open_cases(conn, openings, today, who, now).await?;
    let ready: Vec<_> = opened.cases.into_iter().filter(|c| c.case.state == CaseState::Ready).collect();
    revoke(conn, &org, &ready, who, now).await?;
    Ok(())
}

/// People who came back (active again): their offboarding cases still waiting are cancelled.
pub async fn returned(conn: &mut Conn, people: &[i64], who: &str, now: DateTime<Utc>) -> AppResult<()> {
    if people.is_empty() {
        return Ok(());
    }
    let waiting = store::open_offboarding_of(conn, people).await?;
    cancel(conn, &waiting, "The person is active again.", "reactivated", who, now).await?;
    Ok(())
}
