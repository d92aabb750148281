//! The people directory: lists, a person's seats and history, and status changes with their consequences.

use chrono::{DateTime, Utc};
use seatwise_types::{Money, Page, Person, PersonSeat, PersonStatus};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::catalog::{self as store, PeopleFilter};
use crate::db::versions::{Key, Versioned};
use crate::db::Db;
use crate::db::{pools as pool_store, Conn};
use crate::domain::people::{seat_cost_minor, transition, TERMINATION_REASON};
use crate::domain::{access, limits};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};
use crate::service::reclamation::offboarding;
use crate::service::{paging, versions};

pub async fn list(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    p: &seatwise_types::PeopleQuery,
) -> AppResult<Page<Person>> {
    access::may_read_directory(&actor.user)?;
    let (page, per_page) = paging(p.page, p.per_page)?;
    let no_signin_since =
        limits::filter_days("no_signin_days", p.no_signin_days)?.map(|d| clock.now() - chrono::Duration::days(d));
    let filter = PeopleFilter {
        q: p.q.clone(),
        department_id: p.department_id,
        cost_centre_id: p.cost_centre_id,
        status: p.status,
        holds_seats: p.holds_seats,
        no_signin_since,
        import_id: p.import_id,
        page,
        per_page,
    };
    Ok(store::people(&db.read, db.backend, &filter).await?)
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> AppResult<Person> {
    access::may_read_directory(&actor.user)?;
    store::person(&db.read, id).await?.ok_or(AppError::NotFound("person"))
}

/// The seats a person holds in pools the caller may see, with each seat's cost.
pub async fn seats(db: &Db, actor: &Actor, id: i64) -> AppResult<Vec<PersonSeat>> {
    get(db, actor, id).await?;
    let scope = access::pool_read_scope(&actor.user).as_filter();
    let held = pool_store::seats_of_person(&db.read, id, &scope).await?;
    Ok(held.into_iter().map(person_seat).collect())
}

/// A held seat as the API shows it, with what it costs a month and a year.
pub(crate) fn person_seat(s: pool_store::HeldSeat) -> PersonSeat {
    let (monthly_cost, annual_cost) = seat_price(&s.priced);
    PersonSeat {
        assignment_id: s.assignment_id,
        pool: s.priced.pool,
        vendor: s.priced.vendor,
        monthly_cost,
        annual_cost,
        assigned_at: s.assigned_at,
        reclaim: s.reclaim,
    }
}

/// What one seat of the pool costs a month and a year.
pub(crate) fn seat_price(p: &pool_store::PricedPool) -> (Money, Money) {
    let (monthly, annual) = seat_cost_minor(p.unit_cost_minor, p.billing_period, p.contract_start, p.contract_end);
    (Money::new(monthly, p.currency.clone()), Money::new(annual, p.currency.clone()))
}

pub async fn history(
    db: &Db,
    actor: &Actor,
    id: i64,
    page: Option<i64>,
    per_page: Option<i64>,
) -> AppResult<Page<seatwise_types::LedgerEntry>> {
    get(db, actor, id).await?;
    ledger::history(db, "person", id, page, per_page).await
}

/// Change a person's status by hand (admins). Imports and SCIM call `apply_status` inside their own transactions.
/// Change a person's status; with `expected` (the client's `If-Match`) only if nobody changed them since.
pub async fn set_status(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    id: i64,
    status: PersonStatus,
    expected: Option<i64>,
) -> AppResult<Person> {
    access::may_edit_people(&actor.user)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    // Every write to a person counts its version in the UPDATE itself (imports and SCIM too); here only the lock
    // and the client's condition.
    versions::lock(&mut tx, Versioned::People, Key::Id(id), expected, "person").await?;
    apply_status(&mut tx, actor.ledger_name(), id, status, now, now).await?;
    let person = store::person(&mut *tx, id).await?.ok_or(AppError::NotFound("person"))?;
    tx.commit().await?;
    Ok(person)
}

/// The one way a status changes: the person, their seats' reclamation marks and the ledger, in the caller's
/// transaction. `event_at` is when it happened at the source; the mark records how long it took to get here.
pub async fn apply_status(
    conn: &mut Conn,
    actor: &str,
    id: i64,
    status: PersonStatus,
    event_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let before = store::person(&mut *conn, id).await?.ok_or(AppError::NotFound("person"))?;
    let t = transition(before.status, status, before.terminated_at, event_at);
    store::set_status(conn, id, status, t.terminated_at, now).await?;
    let after = store::person(&mut *conn, id).await?.ok_or(AppError::NotFound("person"))?;
    ledger::record(conn, now, actor, Change::changed("person.status", "person", Some(id), &before, &after)).await?;
    if t.mark_seats {
        let latency_ms = (now - event_at).num_milliseconds().max(0);
        let marked = pool_store::mark_person_seats(conn, id, TERMINATION_REASON, now, latency_ms).await?;
        for seat in &marked {
            let change = Change::created("pool.seat_reclaim_mark", "pool", Some(seat.pool_id), seat);
            ledger::record(conn, now, actor, change).await?;
        }
        offboarding::terminated(conn, &[(id, event_at)], actor, now).await?;
    } else if status == PersonStatus::Active && before.status != PersonStatus::Active {
        offboarding::returned(conn, &[id], actor, now).await?;
    }
    Ok(())
}
