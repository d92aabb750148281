//! What import kinds write into the directory, many rows at a time through the bulk path, each change ledgered
//! exactly as the one-at-a-time use cases ledger it: new departments and cost centres, status changes with their
//! seat marks, and new seats.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use seatwise_types::PersonStatus;

use crate::db::imports::{self as store, StatusRow};
use crate::db::{catalog, pools, Conn};
use crate::domain::people::{transition, TERMINATION_REASON};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change, Pending};
use crate::service::reclamation::offboarding;

/// Create departments by name (adding them to `ids`, keyed by lower-case name).
pub async fn new_departments(
    conn: &mut Conn,
    now: DateTime<Utc>,
    who: &str,
    names: &[String],
    ids: &mut HashMap<String, i64>,
) -> AppResult<()> {
    let new = store::insert_departments(conn, names).await?;
    let mut changes = Vec::with_capacity(names.len());
    for (name, id) in names.iter().zip(new) {
        changes.push(Pending::of(Change::created("department.create", "department", Some(id), name))?);
        ids.insert(name.to_lowercase(), id);
    }
    Ok(ledger::record_many(conn, now, who, changes).await?)
}

/// Create cost centres by code (adding them to `ids`, keyed by lower-case code).
pub async fn new_cost_centres(
    conn: &mut Conn,
    now: DateTime<Utc>,
    who: &str,
    codes: &[String],
    ids: &mut HashMap<String, i64>,
) -> AppResult<()> {
    let new = store::insert_cost_centres(conn, codes).await?;
    let mut changes = Vec::with_capacity(codes.len());
    for (code, id) in codes.iter().zip(new) {
        changes.push(Pending::of(Change::created("cost_centre.create", "cost_centre", Some(id), code))?);
        ids.insert(code.to_lowercase(), id);
    }
    Ok(ledger::record_many(conn, now, who, changes).await?)
}

/// A status an import sets, and when it took effect at the source.
pub struct StatusChange {
    pub person_id: i64,
    pub status: PersonStatus,
    pub event_at: DateTime<Utc>,
}

/// Set many statuses with their consequences (`domain::people::transition`): the person, the reclamation marks
/// on their seats, and the ledger (each person's status entry, then their marked seats), as
/// `service::people::apply_status` does for one.
pub async fn apply_statuses(conn: &mut Conn, now: DateTime<Utc>, who: &str, changes: &[StatusChange]) -> AppResult<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<i64> = changes.iter().map(|c| c.person_id).collect();
    ids.sort_unstable();
    let before: HashMap<i64, _> = catalog::people_by_ids(conn, &ids).await?.into_iter().map(|p| (p.id, p)).collect();
    let mut rows = Vec::with_capacity(changes.len());
    let mut marks = Vec::new();
    for c in changes {
        let b = before.get(&c.person_id).ok_or(AppError::NotFound("person"))?;
        let t = transition(b.status, c.status, b.terminated_at, c.event_at);
        rows.push(StatusRow { id: c.person_id, status: c.status, terminated_at: t.terminated_at });
        if t.mark_seats {
            marks.push((c.person_id, (now - c.event_at).num_milliseconds().max(0)));
        }
    }
    store::set_statuses(conn, &rows, now).await?;
    store::mark_seats(conn, &marks, TERMINATION_REASON, now).await?;
    let after: HashMap<i64, _> = catalog::people_by_ids(conn, &ids).await?.into_iter().map(|p| (p.id, p)).collect();
    let mut marked_ids: Vec<i64> = marks.iter().map(|(id, _)| *id).collect();
    marked_ids.sort_unstable();
    let mut marked: HashMap<i64, Vec<_>> = HashMap::new();
    for seat in pools::marked_at(conn, &marked_ids, now).await? {
        if let Some(holder) = &seat.person {
            marked.entry(holder.id).or_default().push(seat);
        }
    }
    let mut entries = Vec::with_capacity(changes.len());
    for c in changes {
        let (Some(b), Some(a)) = (before.get(&c.person_id), after.get(&c.person_id)) else {
            return Err(AppError::NotFound("person"));
        };
        entries.push(Pending::of(Change::changed("person.status", "person", Some(c.person_id), b, a))?);
        for seat in marked.remove(&c.person_id).unwrap_or_default() {
            entries.push(Pending::of(Change::created("pool.seat_reclaim_mark", "pool", Some(seat.pool_id), &seat))?);
        }
    }
    ledger::record_many(conn, now, who, entries).await?;
    let marked_now: std::collections::HashSet<i64> = marks.iter().map(|(id, _)| *id).collect();
    let left: Vec<(i64, DateTime<Utc>)> =
        changes.iter().filter(|c| marked_now.contains(&c.person_id)).map(|c| (c.person_id, c.event_at)).collect();
    offboarding::terminated(conn, &left, who, now).await?;
    let back: Vec<i64> = changes
        .iter()
        .filter(|c| {
            c.status == PersonStatus::Active
                && before.get(&c.person_id).is_some_and(|b| b.status != PersonStatus::Active)
        })
        .map(|c| c.person_id)
        .collect();
    offboarding::returned(conn, &back, who, now).await
}

/// Give each `(pool, person)` a seat, ledgered as `pool.seat_assign` with the seat as stored; how many.
pub async fn assign_seats(conn: &mut Conn, now: DateTime<Utc>, who: &str, seats: &[(i64, i64)]) -> AppResult<i64> {
    let ids = store::insert_seats(conn, seats, who, now).await?;
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    let mut stored: HashMap<i64, _> =
        pools::assignments_by_ids(conn, &sorted).await?.into_iter().map(|a| (a.id, a)).collect();
    let mut entries = Vec::with_capacity(ids.len());
    for id in &ids {
        let seat = stored.remove(id).ok_or(AppError::NotFound("assignment"))?;
        entries.push(Pending::of(Change::created("pool.seat_assign", "pool", Some(seat.pool_id), &seat))?);
    }
    ledger::record_many(conn, now, who, entries).await?;
    Ok(ids.len() as i64)
}
