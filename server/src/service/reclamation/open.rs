//! Opening cases: the one place any origin does (a policy run, an offboarding, a seat given back, a consent
//! campaign). A seat with a case open gets no second one; each new case starts in the state the domain gives it
//! (held back by a hold, waiting for an approval, or ready) and its opening is ledgered. Callers hold the pools'
//! locks, so two openings for one seat wait for each other.

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::reclamation::cases::{self as store, NewCase, StoredCase};
use crate::db::reclamation::holds as hold_store;
use crate::db::Conn;
use crate::domain::reclamation::{self as rules, Opening};
use crate::error::AppResult;
use crate::service::ledger::{self, Change, Pending};
use crate::service::webhooks;
use seatwise_types::WebhookEvent;

/// What opening did: the new cases, and how many seats had one open already.
pub(super) struct Opened {
    pub cases: Vec<StoredCase>,
    pub already_open: i64,
}

pub(super) async fn open_cases(
    tx: &mut Conn,
    openings: Vec<Opening>,
    today: NaiveDate,
    who: &str,
    now: DateTime<Utc>,
) -> AppResult<Opened> {
    let mut pool_ids: Vec<i64> = openings.iter().map(|o| o.pool_id).collect();
    pool_ids.sort_unstable();
    pool_ids.dedup();
    let open = store::open_seats(tx, &pool_ids).await?;
    let holds = hold_store::list(&mut *tx, false).await?;
    let mut already_open = 0;
    let mut new = Vec::new();
    for o in openings {
        if open.contains(&(o.pool_id, o.person_id)) {
            already_open += 1;
            continue;
        }
        let hold_reason = rules::hold_on(holds.iter().map(|h| &h.hold), o.person_id, o.pool_id, today);
        let state = rules::starting_state(o.origin, o.action, hold_reason.is_some(), o.needs_approval);
        new.push(NewCase { opening: o, state, hold_reason });
    }
    let ids = store::insert(tx, &new, now).await?;
    let entries = ids
        .iter()
        .zip(&new)
        .map(|(id, c)| {
            let o = &c.opening;
            let record = serde_json::json!({"case_id": id, "pool_id": o.pool_id, "person_id": o.person_id,
                "origin": o.origin.as_str(), "policy_id": o.policy.map(|p| p.0), "policy_version": o.policy.map(|p| p.1),
                "reason": o.reason, "state": c.state.as_str(), "hold": c.hold_reason});
            Pending::of(Change::created("reclamation.case.open", "reclamation_case", Some(*id), &record))
        })
        .collect::<Result<Vec<_>, _>>()?;
    ledger::record_many(tx, now, who, entries).await?;
    let opened: Vec<serde_json::Value> = ids
        .iter()
        .zip(&new)
        .map(|(id, c)| {
            let o = &c.opening;
            serde_json::json!({"case_id": id, "pool_id": o.pool_id, "person_id": o.person_id,
                "origin": o.origin.as_str(), "reason": o.reason, "state": c.state.as_str()})
        })
        .collect();
    webhooks::emit(tx, WebhookEvent::CaseOpened, &opened, now).await?;
    Ok(Opened { cases: store::by_ids(tx, &ids).await?, already_open })
}
