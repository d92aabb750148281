//! Asking for a license (My seats): the pools on offer, one's asks and where each stands. An ask becomes a
//! one-row change request through the approval queue, requested by the person themselves, so an approver (never
//! they) signs it off and applies it.

use std::collections::{HashMap, HashSet};

use seatwise_types::{MyRequest, Ref, RequestablePool, SeatAsk};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::my_requests as store;
use crate::db::Db;
use crate::domain::alert_mail::Outbox;
use crate::domain::{access, seat_ask};
use crate::error::{AppError, AppResult};
use crate::service::change_requests;
use crate::service::people::seat_price;

/// How many of one's asks the list shows, newest first.
const SHOWN: i64 = 100;

/// The pools one may ask for a seat of: every pool in use but those one holds a seat of, with what a seat costs
/// a month.
pub async fn offered(db: &Db, actor: &Actor) -> AppResult<Vec<RequestablePool>> {
    let person_id = access::may_ask_for_seat(&actor.user)?;
    let held: HashSet<i64> = crate::db::pools::seats_of_person(&db.read, person_id, &None)
        .await?
        .into_iter()
        .map(|s| s.priced.pool.id)
        .collect();
    Ok(store::offered(&db.read)
        .await?
        .into_iter()
        .filter(|p| !held.contains(&p.pool.id))
        .map(|p| {
            let (monthly_cost, _) = seat_price(&p);
            RequestablePool { pool: p.pool, vendor: p.vendor, monthly_cost }
        })
        .collect())
}

/// One's asks, newest first.
pub async fn list(db: &Db, actor: &Actor) -> AppResult<Vec<MyRequest>> {
    let person_id = access::may_ask_for_seat(&actor.user)?;
    let mut conn = db.read.acquire().await?;
    let asks: Vec<(i64, store::StoredAsk)> = store::asks_of(&mut conn, actor.user.id, None, SHOWN)
        .await?
        .into_iter()
        .filter_map(|a| Some((seat_ask::asked_pool(&a.operations, person_id)?, a)))
        .collect();
    drop(conn);
    let ids: Vec<i64> = asks.iter().map(|(pool, _)| *pool).collect();
    let names: HashMap<i64, String> =
        store::pool_names(&db.read, &ids).await?.into_iter().map(|r| (r.id, r.name)).collect();
    Ok(asks
        .into_iter()
        .map(|(pool_id, a)| MyRequest {
            id: a.id,
            pool: Ref { id: pool_id, name: names.get(&pool_id).cloned().unwrap_or_default() },
            reason: a.reason,
            status: a.status,
            created_at: a.created_at,
            decided_at: a.decided_at,
            decision_comment: a.decision_comment,
        })
        .collect())
}

/// Ask for a seat of a pool: refused when one holds a seat of it already or an ask for it still waits.
pub async fn ask(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    actor: &Actor,
    input: &SeatAsk,
) -> AppResult<MyRequest> {
    let person_id = access::may_ask_for_seat(&actor.user)?;
    let reason = seat_ask::reason(&input.reason).map_err(|e| AppError::validation(vec![e]))?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let Some(pool) = store::pool_on_offer(&mut tx, input.pool_id).await? else {
        return Err(AppError::field("pool_id", "is not a license you can ask for: no pool in use has this id"));
    };
    crate::db::pools::lock(&mut tx, pool.id).await?;
    if crate::db::pools::holds_seat(&mut tx, pool.id, person_id).await? {
        return Err(AppError::Conflict(format!("You hold a seat of {} already.", pool.name)));
    }
    // Every ask still on its way, however many older ones there are.
    let waiting = store::asks_of(&mut tx, actor.user.id, Some(&seat_ask::WAITING), i64::MAX)
        .await?
        .into_iter()
        .find(|a| seat_ask::asked_pool(&a.operations, person_id) == Some(pool.id));
    if let Some(a) = waiting {
        return Err(AppError::Conflict(format!(
            "You asked for a seat of {} already: request #{} is {}.",
            pool.name,
            a.id,
            a.status.label().to_lowercase()
        )));
    }
    let id = change_requests::ask_in(&mut tx, outbox, actor, (pool.id, &pool.name), &reason, now).await?;
    tx.commit().await?;
    list(db, actor).await?.into_iter().find(|r| r.id == id).ok_or(AppError::NotFound("request"))
}
