//! Holds: placing and lifting them; seats waiting for a hold are revoked once no hold is in force.

use chrono::Utc;
use seatwise_types::{CaseState, FieldError, Hold, HoldInput};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::reclamation::cases::{self as case_store, Closing};
use crate::db::reclamation::holds::{self as store, NewHold, StoredHold};
use crate::db::reclamation::policies::pool_facts;
use crate::db::{catalog, Db};
use crate::domain::reclamation::{self as rules, hold_in_force};
use crate::domain::{access, limits};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};

use super::cases::{self, organisation};

fn shown(s: StoredHold, today: chrono::NaiveDate) -> Hold {
    let active = hold_in_force(s.hold.starts_on, s.hold.ends_on, s.hold.lifted_at.is_some(), today);
    Hold { active, ..s.hold }
}

/// Whether a hold exists for this reader: legal holds (a person, a legal reason) for those who may know of them,
/// blackouts with their pool's scope. Any other hold is answered as a missing one.
fn visible(actor: &Actor, scope: &access::Scope, hold: &StoredHold) -> bool {
    match hold.pool {
        Some(p) => scope.covers(p),
        None => access::may_see_legal_holds(&actor.user),
    }
}

pub async fn list(db: &Db, clock: &dyn Clock, actor: &Actor) -> AppResult<Vec<Hold>> {
    let scope = access::may_read_reclamation(&actor.user)?;
    let today = organisation(db).await?.today(clock.now());
    Ok(store::list(&db.read, true)
        .await?
        .into_iter()
        .filter(|h| visible(actor, &scope, h))
        .map(|h| shown(h, today))
        .collect())
}

pub async fn create(db: &Db, clock: &dyn Clock, actor: &Actor, input: &HoldInput) -> AppResult<Hold> {
    access::may_read_reclamation(&actor.user)?;
    let now = clock.now();
    let today = organisation(db).await?.today(now);
    let mut errors = Vec::new();
    let reason = input.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        errors.push(FieldError::new("reason", "must be 1 to 500 characters"));
    }
    limits::check_line(&mut errors, "reason", Some(reason));
    let starts_on = input.starts_on.unwrap_or(today);
    limits::check_date(&mut errors, "starts_on", Some(starts_on));
    limits::check_date(&mut errors, "ends_on", input.ends_on);
    if input.ends_on.is_some_and(|end| end < starts_on) {
        errors.push(FieldError::new("ends_on", "must be on or after starts_on"));
    }
    let (person_id, pool_id) = match (input.kind.as_str(), input.person_id, input.pool_id) {
        ("legal", Some(person), None) => (Some(person), None),
        ("blackout", None, Some(pool)) => (None, Some(pool)),
        ("legal", _, _) => {
            errors.push(FieldError::new("person_id", "a legal hold names the person it holds, and no pool"));
            (None, None)
        }
        ("blackout", _, _) => {
            errors.push(FieldError::new("pool_id", "a blackout names the pool it freezes, and no person"));
            (None, None)
        }
        _ => {
            errors.push(FieldError::new("kind", "must be legal or blackout"));
            (None, None)
        }
    };
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let mut tx = db.begin().await?;
    // A pool outside what the caller may read is as missing as one that does not exist.
    let scope = access::may_read_reclamation(&actor.user)?;
    let place = match pool_id {
        Some(pool) => match pool_facts(&mut tx, &[pool]).await?.get(&pool).filter(|p| scope.covers(p.place())) {
            Some(p) => Some(p.place()),
            None => return Err(AppError::field("pool_id", "must name an existing pool")),
        },
        None => None,
    };
    if let Some(person) = person_id {
        if !catalog::missing(&mut tx, catalog::CatalogTable::People, &[person]).await?.is_empty() {
            return Err(AppError::field("person_id", "must name an existing person"));
        }
    }
    access::may_place_hold(&actor.user, place)?;
    let new = NewHold { kind: &input.kind, person_id, pool_id, reason, starts_on, ends_on: input.ends_on };
    let id = store::insert(&mut tx, &new, actor.ledger_name(), now).await?;
    let record = serde_json::json!({"id": id, "kind": input.kind, "person_id": person_id, "pool_id": pool_id,
        "reason": reason, "starts_on": starts_on, "ends_on": input.ends_on});
    ledger::record(
        &mut tx,
        now,
        actor.ledger_name(),
        Change::created("reclamation.hold.create", "reclamation_hold", Some(id), &record),
    )
    .await?;
    tx.commit().await?;
    let stored = store::get(&db.read, id).await?.ok_or(AppError::NotFound("hold"))?;
    Ok(shown(stored, today))
}

/// Lift a hold now; seats it held back are revoked at once if no other hold is in force.
pub async fn lift(db: &Db, clock: &dyn Clock, actor: &Actor, id: i64) -> AppResult<Hold> {
    let now = clock.now();
    let org = organisation(db).await?;
    let mut tx = db.begin().await?;
    let scope = access::may_read_reclamation(&actor.user)?;
    let stored =
        store::get(&mut *tx, id).await?.filter(|h| visible(actor, &scope, h)).ok_or(AppError::NotFound("hold"))?;
    access::may_place_hold(&actor.user, stored.pool)?;
    if !store::lift(&mut tx, id, now).await? {
        return Err(AppError::Conflict("This hold was already lifted.".into()));
    }
    ledger::record(
        &mut tx,
        now,
        actor.ledger_name(),
        Change::removed("reclamation.hold.lift", "reclamation_hold", Some(id), &stored.hold),
    )
    .await?;
    release(&mut tx, &org, actor.ledger_name(), now, Some(&stored.hold)).await?;
    tx.commit().await?;
    Ok(shown(store::get(&db.read, id).await?.ok_or(AppError::NotFound("hold"))?, org.today(now)))
}

/// Revoke every seat waiting for a hold that no longer holds (a hold lifted, or past its last day): with `lifted`,
/// only the seats that hold covered (its person's, or its pool's); the daily run looks at all of them. How many
/// were revoked.
pub async fn release(
    tx: &mut crate::db::Conn,
    org: &crate::domain::renewals::Org,
    who: &str,
    now: chrono::DateTime<Utc>,
    lifted: Option<&Hold>,
) -> AppResult<i64> {
    let today = org.today(now);
    let holds = store::list(&mut *tx, false).await?;
    let covered =
        |person: i64, pool: i64| lifted.is_none_or(|h| h.person_id == Some(person) || h.pool_id == Some(pool));
    let waiting: Vec<_> =
        case_store::on_hold(tx).await?.into_iter().filter(|c| covered(c.case.person_id, c.case.pool_id)).collect();
    let mut free = Vec::new();
    for mut c in waiting {
        match rules::hold_on(holds.iter().map(|h| &h.hold), c.case.person_id, c.case.pool_id, today) {
            Some(reason) if Some(&reason) != c.case.hold_reason.as_ref() => {
                // Another hold took over: say which.
                let note = Closing { hold_reason: Some(reason), ..Closing::default() };
                case_store::step(tx, c.case.id, CaseState::AwaitingRevocation, CaseState::AwaitingRevocation, &note)
                    .await?;
            }
            Some(_) => {}
            None => {
                let ready = Closing { clear_hold: true, ..Closing::default() };
                if case_store::step(tx, c.case.id, CaseState::AwaitingRevocation, CaseState::Ready, &ready).await? {
                    c.case.state = CaseState::Ready;
                    c.case.hold_reason = None;
                    free.push(c);
                }
            }
        }
    }
    let done = cases::revoke(tx, org, &free, who, now).await?;
    Ok(done.reclaimed + done.downgraded)
}
