//! Cases: reading them within the caller's scope, revoking their seats (the one place reclamation removes or
//! moves a seat), and giving a seat back.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use seatwise_types::{Case, CaseQuery, CaseState, Page, ReclaimAction};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::reclamation::cases::{self as store, Closing, StoredCase};
use crate::db::reclamation::policies::pool_facts;
use crate::db::reclamation::savings as savings_store;
use crate::db::seats;
use crate::db::{Conn, Db};
use crate::domain::access;
use crate::domain::pool::seat_refusal;
use crate::domain::reclamation as rules;
use crate::domain::renewals::Org;
use crate::domain::seat_snapshot::SeatBefore;
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change, Pending};
use crate::service::{connectors, org};

use super::settle::{record_revoked, Removal};
use super::RESTORE_DAYS;

/// A case as `actor` reads it (a legal hold's reason only for those who may know of it).
pub(super) fn shown(actor: &Actor, mut s: StoredCase) -> Case {
    s.case.hold_reason = s.case.hold_reason.map(|h| rules::hold_text_for(&h, access::may_see_legal_holds(&actor.user)));
    if matches!(s.case.state, CaseState::Reclaimed | CaseState::Downgraded) && s.removed.is_some() {
        s.case.restorable_until = s.case.closed_at.map(|at| at + Duration::days(RESTORE_DAYS));
    }
    s.case
}

pub async fn list(db: &Db, actor: &Actor, q: &CaseQuery) -> AppResult<Page<Case>> {
    let scope = access::may_read_reclamation(&actor.user)?;
    if let Some(s) = q.state.as_deref() {
        if s != "open" && CaseState::parse(s).is_none() {
            return Err(AppError::field("state", "must be open or a case state (ready, awaiting_user, ...)"));
        }
    }
    let (page, per_page) = crate::service::paging(q.page, q.per_page)?;
    let filter = scope.as_filter();
    let mut conn = db.read.acquire().await?;
    let (items, total) = store::list(&mut conn, q, filter.as_ref(), per_page, (page - 1) * per_page).await?;
    Ok(Page { items: items.into_iter().map(|c| shown(actor, c)).collect(), total, page, per_page })
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> AppResult<Case> {
    let scope = access::may_read_reclamation(&actor.user)?;
    match store::get(&db.read, id).await? {
        Some(s) if scope.covers(s.place) => Ok(shown(actor, s)),
        _ => Err(AppError::NotFound("reclamation case")),
    }
}

/// What a revocation did.
#[derive(Debug, Default)]
pub(super) struct Revoked {
    pub reclaimed: i64,
    pub downgraded: i64,
}

/// Revoke the seats of these open cases now: reclaim frees the seat, downgrade moves its holder to the target
/// pool (kept waiting, with a note, while the target has no free seat). Each revoked seat is kept on its case for
/// a restore and priced in the savings log. A seat already gone closes its case as cancelled.
pub(super) async fn revoke(
    tx: &mut Conn,
    org: &Org,
    cases: &[StoredCase],
    who: &str,
    now: DateTime<Utc>,
) -> AppResult<Revoked> {
    let mut out = Revoked::default();
    if cases.is_empty() {
        return Ok(out);
    }
    let today = org.today(now);
    let mut pool_ids: Vec<i64> =
        cases.iter().flat_map(|c| [Some(c.case.pool_id), c.case.target_pool_id]).flatten().collect();
    pool_ids.sort_unstable();
    pool_ids.dedup();
    // Lock the pools in id order, as change requests do.
    for id in &pool_ids {
        crate::db::pools::lock(tx, *id).await?;
    }
    let facts = pool_facts(tx, &pool_ids).await?;
    let wanted: Vec<(i64, i64)> = cases.iter().map(|c| (c.case.pool_id, c.case.person_id)).collect();
    let before: HashMap<(i64, i64), SeatBefore> =
        seats::seats_before(tx, &wanted, &[]).await?.into_iter().map(|s| ((s.pool_id, s.person_id), s)).collect();
    let targets: Vec<(i64, i64)> =
        cases.iter().filter_map(|c| c.case.target_pool_id.map(|t| (t, c.case.person_id))).collect();
    let already_in_target: HashSet<(i64, i64)> = seats::held(tx, &targets).await?;
    let mut room: HashMap<i64, Option<i64>> = facts
        .values()
        .map(|p| (p.id, p.seats_purchased.filter(|_| !p.allow_overage).map(|s| s - p.seats_assigned)))
        .collect();
    let (mut remove, mut add) = (Vec::new(), Vec::new());
    let mut entries: Vec<Pending> = Vec::new();
    // The seats removed, and whether each moves into its downgrade's pool.
    let (mut removed, mut moved_in) = (Vec::new(), Vec::new());
    for c in cases {
        let case = &c.case;
        let Some(seat) = before.get(&(case.pool_id, case.person_id)) else {
            let free = Closing {
                closed_at: Some(now),
                closed_by: Some(who.to_string()),
                note: Some("The seat was already free.".into()),
                ..Closing::default()
            };
            store::step(tx, case.id, case.state, CaseState::Cancelled, &free).await?;
            continue;
        };
        let Some(pool) = facts.get(&case.pool_id) else {
            return Err(AppError::internal(format!("case {}: pool {} is gone", case.id, case.pool_id)));
        };
        let target = case.target_pool_id.and_then(|t| facts.get(&t));
        let moves_in = match (case.action, target) {
            (ReclaimAction::Downgrade, Some(t)) => !already_in_target.contains(&(t.id, case.person_id)),
            _ => false,
        };
        if let (true, Some(t)) = (moves_in, target) {
            if let Some(Some(left)) = room.get_mut(&t.id) {
                if *left <= 0 {
                    let note = format!("Waiting for a free seat in {}.", t.name);
                    let waiting =
                        Closing { note: Some(note), hold_reason: case.hold_reason.clone(), ..Closing::default() };
                    store::step(tx, case.id, case.state, case.state, &waiting).await?;
                    continue;
                }
                *left -= 1;
            }
            add.push((t.id, case.person_id));
        }
        remove.push((case.pool_id, case.person_id));
        removed.push((c, Removal { seat, pool, target }));
        moved_in.push(moves_in);
    }
    let closed = record_revoked(tx, &removed, today, who, now).await?;
    for (((c, removal), moves_in), (state, entry)) in removed.iter().zip(moved_in).zip(closed) {
        let case = &c.case;
        entries.push(entry);
        let record = serde_json::json!({"case_id": case.id, "person_id": case.person_id, "reason": case.reason,
            "target_pool_id": case.target_pool_id});
        entries.push(Pending::of(Change::removed("pool.seat_unassign", "pool", Some(case.pool_id), &record))?);
        if let (true, Some(t)) = (moves_in, removal.target) {
            let record =
                serde_json::json!({"case_id": case.id, "person_id": case.person_id, "downgraded_from": case.pool_id});
            entries.push(Pending::of(Change::created("pool.seat_assign", "pool", Some(t.id), &record))?);
        }
        // Counted by what was done here (a connector's pool still waits for the target to confirm it).
        match (state, case.action) {
            (CaseState::Downgraded, _) | (CaseState::AwaitingRevocation, ReclaimAction::Downgrade) => {
                out.downgraded += 1
            }
            _ => out.reclaimed += 1,
        }
    }
    seats::remove_seats(tx, &remove).await?;
    seats::add_seats(tx, &add, who, now).await?;
    seats::recount(tx, &pool_ids).await?;
    connectors::actions::queue(tx, &remove, &add, who, now).await?;
    ledger::record_many(tx, now, who, entries).await?;
    Ok(out)
}

/// Close these open cases as cancelled, each with `note` (why, for people) and `why` (ledgered); a case that moved
/// on meanwhile is left as it is.
pub(super) async fn cancel(
    tx: &mut Conn,
    cases: &[StoredCase],
    note: &str,
    why: &str,
    who: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut entries = Vec::new();
    for c in cases {
        let closing = Closing {
            closed_at: Some(now),
            closed_by: Some(who.to_string()),
            note: Some(note.to_string()),
            ..Closing::default()
        };
        if store::step(tx, c.case.id, c.case.state, CaseState::Cancelled, &closing).await? {
            let record = serde_json::json!({"case_id": c.case.id, "state": "cancelled", "why": why});
            let change = Change::created("reclamation.case.cancel", "reclamation_case", Some(c.case.id), &record);
            entries.push(Pending::of(change)?);
        }
    }
    ledger::record_many(tx, now, who, entries).await?;
    Ok(())
}

/// Give a reclaimed or downgraded seat back, as it was (its original assigned date and by whom), within
/// `RESTORE_DAYS` of its removal. A downgrade's seat in the cheaper pool is freed again if the downgrade gave it.
/// The case's saving is reversed.
pub async fn restore(db: &Db, clock: &dyn Clock, actor: &Actor, id: i64) -> AppResult<Case> {
    let now = clock.now();
    let mut tx = db.begin().await?;
    let stored = match store::get(&mut *tx, id).await? {
        Some(s) if access::may_read_reclamation(&actor.user)?.covers(s.place) => s,
        _ => return Err(AppError::NotFound("reclamation case")),
    };
    access::may_work_case(&actor.user, stored.place)?;
    let case = &stored.case;
    if !matches!(case.state, CaseState::Reclaimed | CaseState::Downgraded) {
        return Err(AppError::Conflict(format!(
            "Only a reclaimed or downgraded seat can be restored; this case is {}.",
            case.state.as_str().replace('_', " ")
        )));
    }
    let Some(seat) = stored.removed.clone() else {
        return Err(AppError::Conflict("This case kept no seat to give back.".into()));
    };
    if case.closed_at.is_some_and(|at| now > at + Duration::days(RESTORE_DAYS)) {
        return Err(AppError::Conflict(format!(
            "Seats can be restored for {RESTORE_DAYS} days after they were removed; this one was removed on {}.",
            case.closed_at.map(|at| at.date_naive().to_string()).unwrap_or_default()
        )));
    }
    let mut pool_ids: Vec<i64> = [Some(case.pool_id), case.target_pool_id].into_iter().flatten().collect();
    pool_ids.sort_unstable();
    for p in &pool_ids {
        crate::db::pools::lock(&mut tx, *p).await?;
    }
    if !seats::held(&mut tx, &[(case.pool_id, case.person_id)]).await?.is_empty() {
        return Err(AppError::Conflict(format!(
            "{} holds a seat of {} again already.",
            case.person_name, case.pool_name
        )));
    }
    let facts = pool_facts(&mut tx, &pool_ids).await?;
    if let Some(pool) = facts.get(&case.pool_id) {
        if pool.retired {
            return Err(AppError::Conflict(format!("{} is retired.", pool.name)));
        }
        if let Some(why) = seat_refusal(pool.seats_purchased, pool.seats_assigned, pool.allow_overage) {
            return Err(AppError::Conflict(format!("{} cannot take the seat back: {why}.", pool.name)));
        }
    }
    let mut freed = Vec::new();
    if let (ReclaimAction::Downgrade, Some(target)) = (case.action, case.target_pool_id) {
        // The downgrade's own seat (given at the moment of the downgrade) goes; one held before stays.
        let given = seats::seats_before(&mut tx, &[(target, case.person_id)], &[]).await?;
        if given.iter().any(|s| Some(s.assigned_at) == case.revoked_at) {
            seats::remove_seats(&mut tx, &[(target, case.person_id)]).await?;
            freed.push((target, case.person_id));
        }
    }
    seats::add_seats_as_before(&mut tx, &[&seat]).await?;
    connectors::actions::queue(&mut tx, &freed, &[(case.pool_id, case.person_id)], actor.ledger_name(), now).await?;
    seats::recount(&mut tx, &pool_ids).await?;
    savings_store::reverse(&mut tx, id, now).await?;
    let closing =
        Closing { closed_at: Some(now), closed_by: Some(actor.ledger_name().to_string()), ..Closing::default() };
    if !store::step(&mut tx, id, case.state, CaseState::Restored, &closing).await? {
        return Err(AppError::Conflict("This case changed meanwhile; read it again.".into()));
    }
    let record = serde_json::json!({"case_id": id, "person_id": case.person_id, "assigned_at": seat.assigned_at,
        "assigned_by": seat.assigned_by});
    ledger::record(
        &mut tx,
        now,
        actor.ledger_name(),
        Change::created("reclamation.restore", "pool", Some(case.pool_id), &record),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// The organisation (time zone) for dates the savings log records.
pub(super) async fn organisation(db: &Db) -> AppResult<Org> {
    org::load(db).await
}

/// Time to revoke per month: median, 95th percentile and breaches of the limit, for offboarding cases.
pub async fn time_to_revoke(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    q: &seatwise_types::RevokeQuery,
) -> AppResult<seatwise_types::TimeToRevoke> {
    use chrono::{Datelike, NaiveDate};
    let scope = access::may_read_reclamation(&actor.user)?;
    let months = q.months.unwrap_or(12);
    let limit_hours = q.limit_hours.unwrap_or(24);
    let mut errors = Vec::new();
    if !(1..=36).contains(&months) {
        errors.push(seatwise_types::FieldError::new("months", "must be 1 to 36"));
    }
    if !(1..=8760).contains(&limit_hours) {
        errors.push(seatwise_types::FieldError::new("limit_hours", "must be 1 to 8760"));
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let org = organisation(db).await?;
    let now = clock.now();
    let today = org.today(now);
    let first_of = |y: i32, m: u32| NaiveDate::from_ymd_opt(y, m, 1);
    let mut starts = Vec::new();
    let (mut y, mut m) = (today.year(), today.month());
    for _ in 0..months {
        starts.push(first_of(y, m).ok_or_else(|| AppError::internal("a month without a first day"))?);
        (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    }
    starts.reverse();
    let from = starts.first().and_then(|d| org.start_of(*d)).ok_or_else(|| AppError::internal("no start of month"))?;
    let mut conn = db.read.acquire().await?;
    let filter = scope.as_filter();
    let times = store::revoke_times(&mut conn, from, now + Duration::seconds(1), filter.as_ref()).await?;
    let limit_ms = limit_hours * 3_600_000;
    let out = starts
        .iter()
        .map(|start| {
            let month = start.format("%Y-%m").to_string();
            let of_month: Vec<i64> = times
                .iter()
                .filter(|(at, _)| org.today(*at).format("%Y-%m").to_string() == month)
                .map(|(_, ms)| *ms)
                .collect();
            let cases = of_month.len() as i64;
            let stats = rules::revoke_stats(of_month, limit_ms);
            seatwise_types::RevokeMonth {
                month,
                cases,
                median_ms: stats.map(|s| s.0),
                p95_ms: stats.map(|s| s.1),
                breaches: stats.map_or(0, |s| s.2),
            }
        })
        .collect();
    Ok(seatwise_types::TimeToRevoke { limit_ms, months: out })
}
