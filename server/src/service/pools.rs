//! Listing, reading, creating and editing license pools, and assigning their seats.

use seatwise_types::{
    Assignment, AssignmentInput, FieldError, InventorySummary, Lookups, OwnedPool, Page, PersonStatus, Pool,
    PoolDetail, PoolInput, ReassignInput, SeatHolders, SeatQuery, SeatUse,
};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::catalog::{self, CatalogTable};
use crate::db::pools::{self as store, PoolQuery, PoolSort, SeatFilter, SeatSort};
use crate::db::reclamation::usage;
use crate::db::versions::{Key, Versioned};
use crate::db::{DateRange, Db, Sort};
use crate::domain::access::{self, PoolPlace, Scope};
use crate::domain::limits;
use crate::domain::pool::{self as rules, PoolValues, UNDER_USED_PERCENT};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};
use crate::service::{connectors, org, paging, parse_sort, versions};

fn read_scope(actor: &Actor) -> AppResult<Scope> {
    Ok(access::may_read_inventory(&actor.user)?)
}

/// The list's filters as storage reads them, within the caller's scope: the list and its summary take the same.
async fn pool_filter(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    p: &seatwise_types::PoolQuery,
    paged: bool,
) -> AppResult<PoolQuery> {
    let scope = read_scope(actor)?;
    // Paging and sort are checked whether used or not: the summary takes the list's query as it is.
    let (page, per_page) = paging(p.page, p.per_page)?;
    let sort = parse_sort(p.sort.as_deref(), PoolSort::parse)?.filter(|_| paged);
    // Only this filter needs the organisation's date, so only it reads the settings.
    let within = limits::filter_days("expiring_within_days", p.expiring_within_days)?;
    let ending_between = match within {
        Some(d) => {
            let today = org::today(db, clock).await?;
            Some(DateRange { from: today, to: today + chrono::Days::new(d as u64) })
        }
        None => None,
    };
    Ok(PoolQuery {
        scope: scope.as_filter(),
        q: p.q.clone(),
        vendor_id: p.vendor_id,
        department_id: p.department_id,
        cost_centre_id: p.cost_centre_id,
        owner_id: p.owner_id,
        license_type: p.license_type,
        ending_between,
        over_assigned: p.over_assigned.unwrap_or(false),
        under_used_below_percent: p.under_used.unwrap_or(false).then_some(UNDER_USED_PERCENT),
        import_id: p.import_id,
        sort,
        page,
        per_page,
    })
}

pub async fn list(db: &Db, clock: &dyn Clock, actor: &Actor, p: &seatwise_types::PoolQuery) -> AppResult<Page<Pool>> {
    let q = pool_filter(db, clock, actor, p, true).await?;
    Ok(store::list(&db.read, db.backend, &q).await?)
}

/// Totals over exactly the pools the list shows with the same filters (every page of it).
pub async fn summary(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    p: &seatwise_types::PoolQuery,
) -> AppResult<InventorySummary> {
    let q = pool_filter(db, clock, actor, p, false).await?;
    Ok(store::summary(&db.read, &q, org::today(db, clock).await?).await?)
}

pub async fn lookups(db: &Db, actor: &Actor) -> AppResult<Lookups> {
    let scope = read_scope(actor)?;
    let db = &db.read;
    let departments = catalog::departments(db).await?;
    Ok(Lookups {
        vendors: catalog::vendors(db)
            .await?
            .into_iter()
            .map(|v| seatwise_types::Ref { id: v.id, name: v.name })
            .collect(),
        products: catalog::products(db).await?,
        departments: departments.into_iter().filter(|d| scope.has_department(d.id)).collect(),
        cost_centres: catalog::cost_centres(db).await?,
        owners: store::owners(db, &scope.as_filter()).await?,
    })
}

/// A pool the caller may read; pools outside their scope do not exist for them (404, not 403).
async fn readable(db: &Db, actor: &Actor, id: i64) -> AppResult<Pool> {
    let scope = read_scope(actor)?;
    in_scope(&scope, store::get(&db.read, id).await?, |pool| pool)
}

/// What was found for a pool, if the pool is in the reader's scope; otherwise it does not exist for them.
fn in_scope<T>(scope: &Scope, found: Option<T>, pool: impl Fn(&T) -> &Pool) -> AppResult<T> {
    match found {
        Some(found) if scope.covers(place(pool(&found))) => Ok(found),
        _ => Err(AppError::NotFound("pool")),
    }
}

/// Where a pool sits, for access.
pub fn place(pool: &Pool) -> PoolPlace {
    PoolPlace::new(pool.department.id, pool.owner.as_ref().map(|o| o.id))
}

fn can_edit(actor: &Actor, pool: &Pool) -> bool {
    access::may_edit_pool(&actor.user, place(pool)).is_ok()
}

async fn editable(db: &Db, actor: &Actor, id: i64) -> AppResult<Pool> {
    let pool = readable(db, actor, id).await?;
    access::may_edit_pool(&actor.user, place(&pool))?;
    if store::retired(&db.read, id).await? == Some(true) {
        return Err(AppError::Conflict("This pool is retired: it keeps its history and takes no changes.".into()));
    }
    Ok(pool)
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> AppResult<Pool> {
    readable(db, actor, id).await
}

pub async fn detail(db: &Db, actor: &Actor, id: i64) -> AppResult<PoolDetail> {
    const FIRST_SEATS: i64 = 100;
    let scope = read_scope(actor)?;
    // The pool and its first seats at once, each on its own pooled connection; the seats are dropped unseen if the
    // pool turns out not to be the reader's.
    let (head, seats) = tokio::try_join!(
        store::get_with_marks_and_contract(&db.read, id),
        store::assignment_items(&db.read, db.backend, id, 1, FIRST_SEATS),
    )?;
    let (pool, marked_for_reclamation, contract) = in_scope(&scope, head, |(pool, ..)| pool)?;
    let mut assignments = Page { items: seats, total: pool.seats_assigned, page: 1, per_page: FIRST_SEATS };
    with_sign_ins(db, &mut assignments.items).await?;
    let can_edit = can_edit(actor, &pool);
    let can_take_back = may_take_back(db, actor, &pool).await?.is_ok();
    Ok(PoolDetail { pool, assignments, can_edit, can_take_back, marked_for_reclamation, contract })
}

/// A seat list's filters as storage reads them.
fn seat_filter(clock: &dyn Clock, q: &SeatQuery) -> AppResult<SeatFilter> {
    let days = limits::filter_days("no_signin_days", q.no_signin_days)?;
    Ok(SeatFilter {
        q: q.q.clone(),
        status: q.status,
        unused_since: days.map(|d| clock.now() - chrono::Duration::days(d)),
        no_usage_data: q.no_usage_data.unwrap_or(false),
        sort: parse_sort(q.sort.as_deref(), SeatSort::parse)?,
    })
}

/// A page of a pool's seats with the filters, each with its holder's last sign-in.
pub async fn assignments(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    id: i64,
    q: &SeatQuery,
) -> AppResult<Page<Assignment>> {
    readable(db, actor, id).await?;
    let (page, per_page) = paging(q.page, q.per_page)?;
    let filter = seat_filter(clock, q)?;
    let mut seats = store::seat_page(&db.read, db.backend, id, &filter, page, per_page).await?;
    with_sign_ins(db, &mut seats.items).await?;
    Ok(seats)
}

/// The holders of every seat matching the seat list's filters, for a change request over all of them.
pub async fn seat_holders(db: &Db, clock: &dyn Clock, actor: &Actor, id: i64, q: &SeatQuery) -> AppResult<SeatHolders> {
    readable(db, actor, id).await?;
    // It takes the list's query as it is: paging is checked like the list's, then every page is taken.
    paging(q.page, q.per_page)?;
    let (person_ids, devices) = store::seat_holders(&db.read, id, &seat_filter(clock, q)?).await?;
    Ok(SeatHolders { person_ids, devices })
}

/// Each seat's latest use as the usage sources report it.
async fn with_sign_ins(db: &Db, seats: &mut [Assignment]) -> AppResult<()> {
    let held: Vec<(i64, i64)> = seats.iter().filter_map(|a| a.person.as_ref().map(|p| (a.pool_id, p.id))).collect();
    let mut conn = db.read.acquire().await?;
    let seen: std::collections::HashMap<(i64, i64), SeatUse> = usage::sign_ins(&mut conn, &held)
        .await?
        .into_iter()
        .map(|s| ((s.pool_id, s.person_id), SeatUse { at: s.last_used_at, source: s.source }))
        .collect();
    for seat in seats.iter_mut() {
        seat.last_sign_in = seat.person.as_ref().and_then(|p| seen.get(&(seat.pool_id, p.id)).cloned());
    }
    Ok(())
}

/// Domain checks, then the references only the database can check; all problems reported together.
/// `before`: where the pool sits now (`None` for a new one).
async fn validate(db: &Db, actor: &Actor, input: &PoolInput, before: Option<PoolPlace>) -> AppResult<PoolValues> {
    let db = &db.read;
    let product = if input.product_id > 0 { catalog::product(db, input.product_id).await? } else { None };
    let checked = rules::validate(input, product.as_ref().map_or(0, |p| p.vendor.id));
    let mut errors = checked.as_ref().err().cloned().unwrap_or_default();
    if product.is_none() {
        errors.push(FieldError::new("product_id", "must name an existing product"));
    }
    if input.department_id > 0 {
        if !catalog::exists(db, CatalogTable::Departments, input.department_id).await? {
            errors.push(FieldError::new("department_id", "must name an existing department"));
        } else if let Err((field, denied)) =
            access::may_place_pool(&actor.user, PoolPlace::new(input.department_id, input.owner_id), before)
        {
            errors.push(FieldError::new(field, denied.reason));
        }
    }
    if input.cost_centre_id > 0 && !catalog::exists(db, CatalogTable::CostCentres, input.cost_centre_id).await? {
        errors.push(FieldError::new("cost_centre_id", "must name an existing cost centre"));
    }
    if let Some(owner) = input.owner_id {
        if !catalog::exists(db, CatalogTable::People, owner).await? {
            errors.push(FieldError::new("owner_id", "must name an existing person"));
        }
    }
    match checked {
        Ok(values) if errors.is_empty() => Ok(values),
        _ => Err(AppError::validation(errors)),
    }
}

pub async fn create(db: &Db, clock: &dyn Clock, actor: &Actor, input: &PoolInput) -> AppResult<Pool> {
    access::may_create_pools(&actor.user)?;
    let values = validate(db, actor, input, None).await?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let id = store::insert(&mut tx, &values, now).await?;
    let pool = store::get(&mut *tx, id).await?.ok_or(AppError::NotFound("pool"))?;
    ledger::record_and_commit(tx, now, actor.ledger_name(), Change::created("pool.create", "pool", Some(id), &pool))
        .await?;
    Ok(pool)
}

/// Replace a pool's fields; with `expected` (the client's `If-Match`) only if nobody changed it since.
pub async fn update(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    id: i64,
    input: &PoolInput,
    expected: Option<i64>,
) -> AppResult<Pool> {
    let current = editable(db, actor, id).await?;
    let values = validate(db, actor, input, Some(place(&current))).await?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    // Lock first, then read "before": the ledger shows exactly what this write replaced, even with a concurrent
    // writer on another instance.
    let version = versions::lock(&mut tx, Versioned::Pools, Key::Id(id), expected, "pool").await?;
    let before = store::get(&mut *tx, id).await?.ok_or(AppError::NotFound("pool"))?;
    store::update(&mut tx, id, &values, now).await?;
    versions::bump(&mut tx, Versioned::Pools, Key::Id(id), version).await?;
    let after = store::get(&mut *tx, id).await?.ok_or(AppError::NotFound("pool"))?;
    ledger::record(
        &mut tx,
        now,
        actor.ledger_name(),
        Change::changed("pool.update", "pool", Some(id), &before, &after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn assign(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    pool_id: i64,
    input: &AssignmentInput,
) -> AppResult<Assignment> {
    editable(db, actor, pool_id).await?;
    let device = input.device.as_deref().map(str::trim).filter(|d| !d.is_empty()).map(str::to_string);
    match (input.person_id, &device) {
        (None, None) => return Err(AppError::field("person_id", "name a person or a device")),
        (Some(_), Some(_)) => return Err(AppError::field("device", "a seat goes to a person or a device, not both")),
        _ => {}
    }
    if let Some(m) = device.as_deref().and_then(limits::line_problem) {
        return Err(AppError::field("device", m));
    }
    if let Some(person_id) = input.person_id {
        let person = catalog::person(&db.read, person_id)
            .await?
            .ok_or_else(|| AppError::field("person_id", "must name an existing person"))?;
        if person.status == PersonStatus::Terminated {
            return Err(AppError::field("person_id", &format!("{} is terminated and cannot hold a seat", person.name)));
        }
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    if !store::lock(&mut tx, pool_id).await? {
        return Err(AppError::NotFound("pool"));
    }
    let capacity = store::seats(&mut *tx, pool_id).await?.ok_or(AppError::NotFound("pool"))?;
    if let Some(reason) = rules::seat_refusal(capacity.seats.purchased, capacity.seats.assigned, capacity.allow_overage)
    {
        return Err(AppError::Conflict(format!("No free seat: {reason}.")));
    }
    if let Some(person_id) = input.person_id {
        if store::holds_seat(&mut tx, pool_id, person_id).await? {
            return Err(AppError::Conflict("This person already holds a seat in this pool.".into()));
        }
    }
    let id = store::insert_assignment(&mut tx, pool_id, input.person_id, device, actor.ledger_name(), now).await?;
    let assignment = store::assignment(&mut *tx, pool_id, id).await?.ok_or(AppError::NotFound("assignment"))?;
    let added: Vec<(i64, i64)> = input.person_id.map(|p| (pool_id, p)).into_iter().collect();
    connectors::actions::queue(&mut tx, &[], &added, actor.ledger_name(), now).await?;
    ledger::record(
        &mut tx,
        now,
        actor.ledger_name(),
        Change::created("pool.seat_assign", "pool", Some(pool_id), &assignment),
    )
    .await?;
    tx.commit().await?;
    Ok(assignment)
}

/// Move a seat to another person (for example from someone who left to their replacement).
pub async fn reassign(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    pool_id: i64,
    id: i64,
    input: &ReassignInput,
) -> AppResult<Assignment> {
    editable(db, actor, pool_id).await?;
    let person = catalog::person(&db.read, input.person_id)
        .await?
        .ok_or_else(|| AppError::field("person_id", "must name an existing person"))?;
    if person.status == PersonStatus::Terminated {
        return Err(AppError::field("person_id", &format!("{} is terminated and cannot hold a seat", person.name)));
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    store::lock(&mut tx, pool_id).await?;
    let before = store::assignment(&mut *tx, pool_id, id).await?.ok_or(AppError::NotFound("assignment"))?;
    if before.person.as_ref().is_some_and(|p| p.id == input.person_id) {
        return Err(AppError::field("person_id", "already holds this seat"));
    }
    if store::holds_seat(&mut tx, pool_id, input.person_id).await? {
        return Err(AppError::Conflict(format!("{} already holds a seat in this pool.", person.name)));
    }
    store::reassign(&mut tx, pool_id, id, input.person_id, actor.ledger_name(), now).await?;
    let after = store::assignment(&mut *tx, pool_id, id).await?.ok_or(AppError::NotFound("assignment"))?;
    let removed: Vec<(i64, i64)> = before.person.as_ref().map(|p| (pool_id, p.id)).into_iter().collect();
    connectors::actions::queue(&mut tx, &removed, &[(pool_id, input.person_id)], actor.ledger_name(), now).await?;
    let change = Change::changed("pool.seat_reassign", "pool", Some(pool_id), &before, &after);
    ledger::record_and_commit(tx, now, actor.ledger_name(), change).await?;
    Ok(after)
}

/// Whether the approval policy lets this caller take a seat of `pool` back at once.
async fn may_take_back(db: &Db, actor: &Actor, pool: &Pool) -> AppResult<access::Access> {
    let policy = crate::db::change_requests::policy(&db.read).await?;
    Ok(access::may_take_back_directly(&actor.user, place(pool), policy.owners_take_back_directly))
}

pub async fn unassign(db: &Db, clock: &dyn Clock, actor: &Actor, pool_id: i64, id: i64) -> AppResult<()> {
    let pool = editable(db, actor, pool_id).await?;
    may_take_back(db, actor, &pool).await??;
    let now = clock.now();
    let mut tx = db.begin().await?;
    // Seat changes of one pool happen one at a time; a seat another request already took back is gone (404, and
    // no second ledger entry), which the delete's row count confirms whatever the isolation level.
    if !store::lock(&mut tx, pool_id).await? {
        return Err(AppError::NotFound("pool"));
    }
    let before = store::assignment(&mut *tx, pool_id, id).await?.ok_or(AppError::NotFound("assignment"))?;
    if !store::delete_assignment(&mut tx, pool_id, id).await? {
        return Err(AppError::NotFound("assignment"));
    }
    let removed: Vec<(i64, i64)> = before.person.as_ref().map(|p| (pool_id, p.id)).into_iter().collect();
    connectors::actions::queue(&mut tx, &removed, &[], actor.ledger_name(), now).await?;
    ledger::record(
        &mut tx,
        now,
        actor.ledger_name(),
        Change::removed("pool.seat_unassign", "pool", Some(pool_id), &before),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn history(
    db: &Db,
    actor: &Actor,
    id: i64,
    page: Option<i64>,
    per_page: Option<i64>,
) -> AppResult<Page<seatwise_types::LedgerEntry>> {
    readable(db, actor, id).await?;
    ledger::history(db, "pool", id, page, per_page).await
}

/// The pool's history in words, grouped by what made each change.
pub async fn history_in_words(
    db: &Db,
    actor: &Actor,
    id: i64,
    page: Option<i64>,
    per_page: Option<i64>,
) -> AppResult<Page<seatwise_types::HistoryGroup>> {
    readable(db, actor, id).await?;
    ledger::history_in_words(db, "pool", id, page, per_page).await
}

/// The caller's own pools (their departments; everything for admins), those needing attention first.
pub async fn mine(db: &Db, clock: &dyn Clock, actor: &Actor) -> AppResult<Vec<OwnedPool>> {
    let scope = access::may_own_pools(&actor.user)?;
    let today = org::today(db, clock).await?;
    let q = PoolQuery {
        scope: scope.as_filter(),
        sort: Some(Sort { key: PoolSort::CancelBy, descending: false }),
        page: 1,
        per_page: 500,
        ..Default::default()
    };
    let pools = store::list(&db.read, db.backend, &q).await?.items;
    let counts = store::holder_counts(&db.read, &scope.as_filter()).await?;
    let mut owned: Vec<OwnedPool> = pools
        .into_iter()
        .map(|pool| {
            let (marked, on_leave) =
                counts.iter().find(|c| c.pool_id == pool.id).map_or((0, 0), |c| (c.marked, c.on_leave));
            let attention = rules::attention(&pool, marked, on_leave, today);
            OwnedPool { pool, marked_seats: marked, on_leave_seats: on_leave, attention }
        })
        .collect();
    // Stable: within each group the cancel-by order from the query stays.
    owned.sort_by_key(|o| o.attention.is_empty());
    Ok(owned)
}
