//! The pool owner's decision on a campaign's case waiting for one: a holder's Keep to confirm, or a seat nobody
//! answered for where silence does not take it back.

use seatwise_types::{Case, CaseDecision, OwnerDecision};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::reclamation::cases as store;
use crate::db::Db;
use crate::domain::access;
use crate::domain::campaign as rules;
use crate::error::{AppError, AppResult};
use crate::service::ledger;

use super::campaigns::{answered_entries, keep, take_back};
use super::cases::{organisation, shown};

pub async fn decide(db: &Db, clock: &dyn Clock, actor: &Actor, id: i64, input: &CaseDecision) -> AppResult<Case> {
    access::may_act_on_reclamation(&actor.user)?;
    let errors = rules::validate_comment(input.note.as_deref());
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let now = clock.now();
    let org = organisation(db).await?;
    let mut tx = db.begin().await?;
    let stored = match store::get(&mut *tx, id).await? {
        Some(s) if access::may_read_reclamation(&actor.user)?.covers(s.place) => s,
        _ => return Err(AppError::NotFound("reclamation case")),
    };
    access::may_work_case(&actor.user, stored.place)?;
    crate::db::pools::lock(&mut tx, stored.case.pool_id).await?;
    let Some(stored) = store::get(&mut *tx, id).await? else { return Err(AppError::NotFound("reclamation case")) };
    if !stored.case.awaiting_owner {
        return Err(AppError::Conflict(format!(
            "Only a campaign's case waiting for its owner's decision can be decided here; this case is {}.",
            stored.case.state.as_str().replace('_', " ")
        )));
    }
    let who = actor.ledger_name();
    let said = input.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let with_note = |s: &str| match said {
        Some(n) => format!("{s}: “{n}”"),
        None => s.to_string(),
    };
    let cases = [stored];
    match input.decision {
        OwnerDecision::Keep => keep(&mut tx, &cases, who, &with_note("Kept by the license's owner"), now).await?,
        OwnerDecision::Reclaim => {
            take_back(&mut tx, &org, &cases, who, &with_note("Taken back by the license's owner"), now).await?
        }
    }
    let what = serde_json::json!({"decision": match input.decision { OwnerDecision::Keep => "keep", OwnerDecision::Reclaim => "reclaim" },
        "note": said, "owner": true});
    ledger::record_many(&mut tx, now, who, answered_entries(&cases, &what)?).await?;
    let case = store::get(&mut *tx, id).await?.ok_or_else(|| AppError::internal(format!("case {id} vanished")))?;
    tx.commit().await?;
    Ok(shown(actor, case))
}
