//! Contracts: listing, reading, recording and editing them, and renewal decisions.

use chrono::{DateTime, Days, NaiveDate, Utc};
use seatwise_types::{
    ChangeRequestInput, Contract, ContractDetail, ContractInput, ContractQuery, Decision, DecisionInput, FieldError,
    Money, OperationInput, Page, Ref,
};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::alerts::{self as alert_store, AlertFilter, Inbox};
use crate::db::catalog::{self, CatalogTable};
use crate::db::contracts::{
    self as store, ContractFilter, ContractSort, CoveredPool, NewTerm, PoolDatesSync, PoolFacts, StoredContract,
};
use crate::db::versions::{Key, Versioned};
use crate::db::Conn;
use crate::db::Db;
use crate::domain::access::{self, PoolPlace, Reader, Scope};
use crate::domain::alert_mail::Outbox;
use crate::domain::limits;
use crate::domain::renewal_seats::{self, SeatChanges};
use crate::domain::renewals::{self as rules, ContractValues};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};
use crate::service::{change_requests, org, paging, parse_sort, versions};

/// Holders without a sign-in for this long count as inactive on the decision screen.
pub const INACTIVE_DAYS: u64 = 90;

pub fn read_scope(actor: &Actor) -> AppResult<Scope> {
    Ok(access::may_read_contracts(&actor.user)?)
}

/// The API shape of a stored contract, as of `today`.
pub fn to_api(c: StoredContract, pools: Vec<Ref>, today: NaiveDate) -> Contract {
    let (_, key_date) = rules::key_date(c.auto_renew, c.term.end_date, c.notice_days);
    let days = (key_date - today).num_days();
    let value = c.renewal_price_minor.or(c.term.price.as_ref().map(|p| p.amount_minor));
    let value = value.or((c.pools_value_minor > 0).then_some(c.pools_value_minor));
    Contract {
        id: c.id,
        number: c.number,
        title: c.title,
        rolling: rules::is_rolling(c.auto_renew, c.term_months),
        auto_renew: c.auto_renew,
        notice_days: c.notice_days,
        term_months: c.term_months,
        cancel_by: rules::cancel_by(c.term.end_date, c.notice_days),
        key_date,
        days_to_key_date: days,
        urgency: rules::urgency(days),
        status: rules::status(c.term.decision, c.term.end_date, today),
        renewal_price: c.renewal_price_minor.map(|m| Money::new(m, c.currency.clone())),
        value: value.map(|m| Money::new(m, c.currency.clone())),
        vendor_contact: c.vendor_contact,
        documents: c.documents,
        vendor: c.vendor,
        term: c.term,
        pools,
        open_alerts: c.open_alerts,
        hidden_pools: 0,
        version: c.version,
    }
}

/// What `reader` may see of one contract: its visible covered pools and how many are hidden.
pub fn view<'a>(reader: &Reader, covered: &'a [CoveredPool], contract_id: i64) -> (Vec<&'a CoveredPool>, i64) {
    let mine = covered.iter().filter(|p| p.contract_id == contract_id);
    access::visible_pools(reader, mine, |p| (p.place, p.owner_email.as_deref()))
}

/// A contract seen by someone who sees only some of its pools: the contract's own prices and seats cover the
/// hidden pools too, so they are withheld and its value is the visible pools' annual cost (in its currency).
fn withhold(mut c: StoredContract, visible: &[&CoveredPool]) -> StoredContract {
    c.renewal_price_minor = None;
    c.term.price = None;
    c.term.seats = None;
    c.pools_value_minor = visible
        .iter()
        .filter(|p| p.currency == c.currency)
        .fold(0_i64, |sum, p| sum.saturating_add(p.annual_cost_minor));
    c
}

/// The API shape of a contract as `reader` may see it (`covered`: the covered pools of at least this contract).
pub fn scoped_api(c: StoredContract, covered: &[CoveredPool], reader: &Reader, today: NaiveDate) -> Contract {
    let (visible, hidden) = view(reader, covered, c.id);
    let refs = visible.iter().map(|p| p.pool.clone()).collect();
    let c = if hidden > 0 { withhold(c, &visible) } else { c };
    Contract { hidden_pools: hidden, ..to_api(c, refs, today) }
}

pub async fn list(db: &Db, clock: &dyn Clock, actor: &Actor, p: &ContractQuery) -> AppResult<Page<Contract>> {
    let scope = read_scope(actor)?;
    let (page, per_page) = paging(p.page, p.per_page)?;
    let sort = parse_sort(p.sort.as_deref(), ContractSort::parse)?;
    let f = ContractFilter {
        scope: scope.as_filter(),
        q: p.q.clone(),
        vendor_id: p.vendor_id,
        department_id: p.department_id,
        cost_centre_id: p.cost_centre_id,
        owner_id: p.owner_id,
        ids: None,
    };
    let Page { items: rows, total, .. } = store::list(&db.read, &f, sort, page, per_page).await?;
    let today = org::today(db, clock).await?;
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let covered = store::covered_pools(&db.read, &ids).await?;
    let reader = Reader::user(&actor.user);
    let items = rows.into_iter().map(|c| scoped_api(c, &covered, &reader, today)).collect();
    Ok(Page { items, total, page, per_page })
}

/// A contract the caller may read (404 outside their scope) and where its covered pools sit, which decides what
/// the caller may do with it (`access::may_edit_contract` and its kin).
pub async fn readable(db: &Db, actor: &Actor, id: i64) -> AppResult<(StoredContract, Vec<PoolPlace>)> {
    read_scope(actor)?;
    let places = store::places_of(&db.read, id).await?;
    let reader = Reader::user(&actor.user);
    let visible = access::sees_contract(&reader, places.iter().filter(|p| reader.sees(**p, None)).count());
    let contract = match store::get(&db.read, id).await? {
        Some(c) if visible => c,
        _ => return Err(AppError::NotFound("contract")),
    };
    Ok((contract, places))
}

pub async fn detail(db: &Db, clock: &dyn Clock, actor: &Actor, id: i64) -> AppResult<ContractDetail> {
    let (c, places) = readable(db, actor, id).await?;
    let can_edit = access::may_edit_contract(&actor.user, &places).is_ok();
    let today = org::today(db, clock).await?;
    let db = &db.read;
    let currency = c.currency.clone();
    let inactive_before = today.checked_sub_days(Days::new(INACTIVE_DAYS)).unwrap_or(today);
    let covered = store::covered_pools(db, &[id]).await?;
    let reader = Reader::user(&actor.user);
    let (visible, _) = view(&reader, &covered, id);
    let visible: Vec<i64> = visible.iter().map(|p| p.pool.id).collect();
    let contract = scoped_api(c, &covered, &reader, today);
    let mut terms = store::terms(db, id, &currency).await?;
    let mut pools: Vec<seatwise_types::PoolUsage> =
        store::usage(db, id, inactive_before).await?.into_iter().filter(|u| visible.contains(&u.pool.id)).collect();
    right_size(db, clock, &mut pools).await?;
    if contract.hidden_pools > 0 {
        for t in &mut terms {
            t.price = None;
            t.seats = None;
        }
    }
    let watchers = store::watchers(db, id).await?;
    let filter = AlertFilter { contract_id: Some(id), inbox: Inbox::All, today, ..Default::default() };
    let alerts = alert_store::list(db, &filter, 1, 100).await?.items;
    let watching = watchers.iter().any(|w| w.id == actor.user.id);
    Ok(ContractDetail { contract, terms, pools, watchers, watching, alerts, can_edit })
}

/// Each pool's right-sized seat count for the next term, from the finance figures (`domain::finance`).
async fn right_size(db: &sqlx::AnyPool, clock: &dyn Clock, pools: &mut [seatwise_types::PoolUsage]) -> AppResult<()> {
    use crate::db::finance::{self as finance_store, FinanceFilter};
    let ids: Vec<i64> = pools.iter().map(|u| u.pool.id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let filter = FinanceFilter { pool_ids: Some(ids), ..Default::default() };
    let since = clock.now() - chrono::Duration::days(crate::domain::finance::ACTIVE_DAYS);
    let facts = finance_store::pools(&mut *db.acquire().await?, &filter, since).await?;
    let buffer = crate::service::org::load_from(db).await?.right_size_buffer_percent;
    for u in pools.iter_mut() {
        if let Some(f) = facts.iter().find(|f| f.facts.id == u.pool.id) {
            u.right_size_seats = f.facts.right_size(buffer);
            u.right_size_saving_annual = u
                .right_size_seats
                .map(|_| Money::new(f.facts.right_size_saving_minor(buffer), f.facts.currency.clone()));
        }
    }
    Ok(())
}

/// Domain checks, then the references only the database can check; all problems reported together.
async fn validate(
    db: &Db,
    actor: &Actor,
    input: &ContractInput,
    id: Option<i64>,
) -> AppResult<(ContractValues, String)> {
    let db = &db.read;
    let checked = rules::validate_contract(input);
    let mut errors = checked.as_ref().err().cloned().unwrap_or_default();
    if input.vendor_id > 0 {
        if !catalog::exists(db, CatalogTable::Vendors, input.vendor_id).await? {
            errors.push(FieldError::new("vendor_id", "must name an existing vendor"));
        } else if !input.number.trim().is_empty()
            && store::number_taken(db, input.vendor_id, input.number.trim(), id).await?
        {
            errors.push(FieldError::new("number", "this vendor already has a contract with this number"));
        }
    }
    let mut pool_ids = input.pool_ids.clone();
    pool_ids.sort_unstable();
    pool_ids.dedup();
    let facts = store::pool_facts(db, &pool_ids).await?;
    for (i, pid) in input.pool_ids.iter().enumerate() {
        let path = format!("pool_ids[{i}]");
        match facts.iter().find(|f| f.pool_id == *pid) {
            None => errors.push(FieldError::new(&path, "must name an existing pool")),
            Some(f) if access::may_edit_pool(&actor.user, f.place).is_err() => {
                errors.push(FieldError::new(&path, "must be a pool of one of your departments"))
            }
            Some(PoolFacts { contract_id: Some(other), .. }) if Some(*other) != id => {
                errors.push(FieldError::new(&path, format!("is already covered by contract {other}")))
            }
            Some(_) => {}
        }
    }
    if let (true, Err(denied)) = (pool_ids.is_empty(), access::may_record_uncovered_contract(&actor.user)) {
        errors.push(FieldError::new("pool_ids", denied.reason));
    }
    for (i, uid) in input.watcher_ids.iter().enumerate() {
        if !catalog::exists(db, CatalogTable::Users, *uid).await? {
            errors.push(FieldError::new(format!("watcher_ids[{i}]"), "must name an existing user"));
        }
    }
    let currency = match (&input.renewal_price, facts.first()) {
        (Some(p), _) => p.currency.trim().to_uppercase(),
        (None, Some(f)) => f.currency.clone(),
        (None, None) => "USD".to_string(),
    };
    match checked {
        Ok(values) if errors.is_empty() => Ok((values, currency)),
        _ => Err(AppError::validation(errors)),
    }
}

fn new_term(contract_id: i64, seq: i64, v: &ContractValues, start: NaiveDate, end: NaiveDate) -> NewTerm {
    let (_, key_date) = rules::key_date(v.auto_renew, end, v.notice_days);
    NewTerm {
        contract_id,
        seq,
        start,
        end,
        cancel_by: rules::cancel_by(end, v.notice_days),
        key_date,
        price_minor: v.renewal_price.as_ref().map(|p| p.amount_minor),
        seats: None,
        tier: None,
    }
}

fn sorted(ids: &[i64]) -> Vec<i64> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids
}

pub async fn create(db: &Db, clock: &dyn Clock, actor: &Actor, input: &ContractInput) -> AppResult<Contract> {
    access::may_record_contracts(&actor.user)?;
    let (values, currency) = validate(db, actor, input, None).await?;
    let now = clock.now();
    let today = org::today(db, clock).await?;
    let mut tx = db.begin().await?;
    let id = store::insert(&mut tx, &values, &currency, now).await?;
    let term = new_term(id, 1, &values, values.term_start, values.term_end);
    store::insert_term(&mut tx, &term, now).await?;
    let mut entries = link_pools(&mut tx, id, &sorted(&input.pool_ids)).await?;
    entries.extend(replace_watchers(&mut tx, id, &sorted(&input.watcher_ids)).await?);
    entries.extend(synced_entries(&store::sync_running_terms(&mut tx, today, Some(id)).await?)?);
    ledger::record_many(&mut tx, now, actor.ledger_name(), entries).await?;
    let stored = stored_api(&mut tx, id, today).await?;
    ledger::record(
        &mut tx,
        now,
        actor.ledger_name(),
        Change::created("contract.create", "contract", Some(id), &stored),
    )
    .await?;
    tx.commit().await?;
    Ok(stored)
}

/// A pool moved onto or off a contract; ledgered on the pool, where its history is read.
fn link_entry(pool_id: i64, before: Option<i64>, after: Option<i64>) -> AppResult<ledger::Pending> {
    let (b, a) = (serde_json::json!({"contract_id": before}), serde_json::json!({"contract_id": after}));
    Ok(ledger::Pending::of(Change::changed("pool.contract_link", "pool", Some(pool_id), &b, &a))?)
}

/// Point exactly these pools at the contract; one ledger entry per pool whose contract changed.
fn taken(pool: i64, other: i64) -> AppError {
    AppError::Conflict(format!("Pool {pool} was just added to contract {other}; reload and try again."))
}

async fn link_pools(conn: &mut Conn, id: i64, pool_ids: &[i64]) -> AppResult<Vec<ledger::Pending>> {
    let mut touched: Vec<i64> = store::pools_of(&mut *conn, &[id]).await?.into_iter().map(|c| c.pool.id).collect();
    touched.extend(pool_ids);
    touched.sort_unstable();
    touched.dedup();
    let before = store::pool_links(conn, &touched).await?;
    // Checked again here, in the writing transaction: another contract may have taken a pool since validation.
    let mut to_attach = 0;
    for link in before.iter().filter(|l| pool_ids.contains(&l.pool_id)) {
        match link.contract_id {
            None => to_attach += 1,
            Some(other) if other != id => return Err(taken(link.pool_id, other)),
            Some(_) => {}
        }
    }
    if store::set_pools(conn, id, pool_ids).await? != to_attach {
        return Err(AppError::Conflict(
            "One of the pools was just added to another contract; reload and try again.".into(),
        ));
    }
    let after = store::pool_links(conn, &touched).await?;
    before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b != a)
        .map(|(b, a)| link_entry(b.pool_id, b.contract_id, a.contract_id))
        .collect()
}

/// Replace the watchers; a ledger entry when the set changed (a watch or unwatch of one's own is ledgered too).
async fn replace_watchers(conn: &mut Conn, id: i64, user_ids: &[i64]) -> AppResult<Vec<ledger::Pending>> {
    let before = store::watcher_ids(conn, id).await?;
    if before == user_ids {
        return Ok(Vec::new());
    }
    store::set_watchers(conn, id, user_ids).await?;
    let (b, a) = (serde_json::json!({"watcher_ids": before}), serde_json::json!({"watcher_ids": user_ids}));
    Ok(vec![ledger::Pending::of(Change::changed("contract.watchers", "contract", Some(id), &b, &a))?])
}

/// Ledger entries for the pools whose contract dates followed a running term.
pub fn synced_entries(changes: &[PoolDatesSync]) -> AppResult<Vec<ledger::Pending>> {
    changes
        .iter()
        .map(|c| {
            let change = Change::changed("pool.contract_dates", "pool", Some(c.pool_id), &c.before, &c.after);
            Ok(ledger::Pending::of(change)?)
        })
        .collect()
}

async fn stored_api(conn: &mut Conn, id: i64, today: NaiveDate) -> AppResult<Contract> {
    let c = store::get(&mut *conn, id).await?.ok_or(AppError::NotFound("contract"))?;
    let pools = store::pools_of(&mut *conn, &[id]).await?.into_iter().map(|c| c.pool).collect();
    Ok(to_api(c, pools, today))
}

/// Edit a contract; with `expected` (the client's `If-Match`) only if nobody changed it since.
pub async fn update(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    id: i64,
    input: &ContractInput,
    expected: Option<i64>,
) -> AppResult<Contract> {
    let (_, places) = readable(db, actor, id).await?;
    access::may_edit_contract(&actor.user, &places)?;
    let (values, currency) = validate(db, actor, input, Some(id)).await?;
    let now = clock.now();
    let today = org::today(db, clock).await?;
    let mut tx = db.begin().await?;
    // "Before" is read under the row lock, so it is what this write replaces (not a concurrent writer's past).
    let version = versions::lock(&mut tx, Versioned::Contracts, Key::Id(id), expected, "contract").await?;
    let before = store::get(&mut *tx, id).await?.ok_or(AppError::NotFound("contract"))?;
    // Covered pools included.
    let before_api = stored_api(&mut tx, id, today).await?;
    // Renewal dates count from the term being edited when its dates or length change.
    let anchor = if values.term_start != before.term.start_date || values.term_months != before.term_months {
        values.term_start
    } else {
        before.cycle_anchor
    };
    store::update(&mut tx, id, &values, &currency, anchor, now).await?;
    versions::bump(&mut tx, Versioned::Contracts, Key::Id(id), version).await?;
    let mut term = new_term(id, before.term.seq, &values, values.term_start, values.term_end);
    term.price_minor = before.term.price.as_ref().map(|p| p.amount_minor).or(term.price_minor);
    store::update_term(&mut tx, &term, before.term.id).await?;
    let mut entries = link_pools(&mut tx, id, &sorted(&input.pool_ids)).await?;
    entries.extend(replace_watchers(&mut tx, id, &sorted(&input.watcher_ids)).await?);
    entries.extend(synced_entries(&store::sync_running_terms(&mut tx, today, Some(id)).await?)?);
    ledger::record_many(&mut tx, now, actor.ledger_name(), entries).await?;
    let after = stored_api(&mut tx, id, today).await?;
    ledger::record(
        &mut tx,
        now,
        actor.ledger_name(),
        Change::changed("contract.update", "contract", Some(id), &before_api, &after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

fn check_decision(c: &StoredContract, input: &DecisionInput) -> AppResult<()> {
    let mut errors = Vec::new();
    if input.decision == Decision::AutoRenewed {
        errors.push(FieldError::new("decision", "is recorded by Seatwise itself; choose renew instead"));
    }
    if input.decision == Decision::LetLapse && c.auto_renew {
        errors.push(FieldError::new("decision", "an auto-renewing contract renews unless cancelled; choose cancel"));
    }
    if input.comment.chars().count() > 2000 {
        errors.push(FieldError::new("comment", "must be at most 2000 characters"));
    }
    limits::check_text(&mut errors, "comment", Some(&input.comment));
    if input.decision == Decision::RenewWithChanges
        && input.pool_seats.is_empty()
        && !renewal_seats::names_other_change(input)
    {
        errors.push(FieldError::new("seats", "say what changes: seats, tier or price"));
    }
    if input.decision != Decision::RenewWithChanges && !input.pool_seats.is_empty() {
        errors.push(FieldError::new("pool_seats", "seats change only with the decision renew with changes"));
    }
    if input.seats.is_some_and(|s| !(0..=10_000_000).contains(&s)) {
        errors.push(FieldError::new("seats", "must be 0 to 10,000,000"));
    }
    if input.tier.as_deref().is_some_and(|t| t.chars().count() > 100) {
        errors.push(FieldError::new("tier", "must be at most 100 characters"));
    }
    limits::check_line(&mut errors, "tier", input.tier.as_deref().map(str::trim));
    if let Some(p) = &input.price {
        limits::check_amount(&mut errors, "price.amount_minor", p.amount_minor);
        if !p.currency.eq_ignore_ascii_case(&c.currency) {
            errors.push(FieldError::new("price.currency", format!("must be the contract's currency, {}", c.currency)));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(errors))
    }
}

/// The change request that carries a renewal's seat changes to the covered pools, applied by the server when
/// the next term starts (`starts`, in the organisation's time zone) once approved.
fn seat_change_request(
    c: &StoredContract,
    changes: &SeatChanges,
    comment: &str,
    starts: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> ChangeRequestInput {
    let operations = changes
        .pools
        .iter()
        .map(|&(pool, seats)| OperationInput {
            op: Some("set_seats".into()),
            pool_id: Some(pool),
            seats_purchased: Some(seats),
            ..Default::default()
        })
        .collect();
    let title: String = format!("Seats for the next term of {} {}", c.number, c.title).chars().take(200).collect();
    let decided = "Decided at renewal: renew with changes.";
    let reason = if comment.is_empty() { decided.to_string() } else { format!("{decided} {comment}") };
    ChangeRequestInput { title, reason, operations, execute_at: starts.filter(|at| *at > now) }
}

/// Record a renewal decision on the contract's current term. Renewing creates the next term (the previous one
/// keeps its dates, price, seats and decision); final decisions close the contract's open alerts. `alert_id` is
/// the alert the decision was made from, if any.
pub async fn decide(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    actor: &Actor,
    id: i64,
    input: &DecisionInput,
    alert_id: Option<i64>,
) -> AppResult<ContractDetail> {
    let (c, places) = readable(db, actor, id).await?;
    access::may_decide_contract(&actor.user, &places)?;
    check_decision(&c, input)?;
    if c.term.decision.is_some() {
        return Err(AppError::Conflict(format!(
            "The current term already has a decision ({}); renewals start from the next term.",
            c.term.decision.map_or("", |d| d.label())
        )));
    }
    let now = clock.now();
    let organisation = org::load(db).await?;
    let today = organisation.today(now);
    let comment = input.comment.trim();
    let by = actor.ledger_name().to_string();
    let mut tx = db.begin().await?;
    if input.decision.is_final() {
        if !store::decide_term(&mut tx, c.term.id, input.decision, Some(comment), &by, now).await? {
            return Err(AppError::Conflict("Someone else decided on this term a moment ago.".into()));
        }
        if matches!(input.decision, Decision::Renew | Decision::RenewWithChanges) {
            let (start, end) = rules::next_term(c.cycle_anchor, c.term_months, c.term.end_date).ok_or_else(|| {
                AppError::field(
                    "decision",
                    &format!("the next term would fall outside the accepted dates ({})", limits::date_message()),
                )
            })?;
            let (_, key_date) = rules::key_date(c.auto_renew, end, c.notice_days);
            let seat_changes = if input.decision == Decision::RenewWithChanges {
                let covered = store::covered_seats(&mut tx, id).await?;
                let changes = renewal_seats::seat_changes(&covered, input.seats, &input.pool_seats)
                    .map_err(AppError::validation)?;
                if changes.pools.is_empty() && !renewal_seats::names_other_change(input) {
                    return Err(AppError::field("pool_seats", "these are the pools' seats today: say what changes"));
                }
                changes
            } else {
                SeatChanges::default()
            };
            let tier = input.tier.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
            let next = NewTerm {
                contract_id: id,
                seq: c.term.seq + 1,
                start,
                end,
                cancel_by: rules::cancel_by(end, c.notice_days),
                key_date,
                price_minor: input.price.as_ref().map(|p| p.amount_minor).or(c.renewal_price_minor).or(c
                    .term
                    .price
                    .as_ref()
                    .map(|p| p.amount_minor)),
                seats: seat_changes.term_seats.or(input.seats).or(c.term.seats),
                tier: tier.or(c.term.tier.clone()),
            };
            let term_id = store::insert_term(&mut tx, &next, now)
                .await?
                .ok_or_else(|| AppError::Conflict("The next term was recorded a moment ago.".into()))?;
            let change_request = if seat_changes.pools.is_empty() {
                None
            } else {
                let request = seat_change_request(&c, &seat_changes, comment, organisation.start_of(start), now);
                let cr = change_requests::draft_in(
                    &mut tx,
                    outbox,
                    actor,
                    &request,
                    seatwise_types::ChangeOrigin::Renewal,
                    None,
                    now,
                )
                .await?;
                store::set_change_request(&mut tx, term_id, cr).await?;
                Some(cr)
            };
            let record = serde_json::json!({"contract_id": id, "term_id": term_id, "seq": next.seq,
                "start_date": start, "end_date": end, "price_minor": next.price_minor, "seats": next.seats,
                "tier": next.tier, "change_request_id": change_request});
            ledger::record(&mut tx, now, &by, Change::created("contract.term.create", "contract", Some(id), &record))
                .await?;
        }
    }
    let decision = serde_json::json!({"contract_id": id, "term_id": c.term.id, "decision": input.decision,
        "comment": comment, "seats": input.seats, "tier": input.tier, "price": input.price, "alert_id": alert_id});
    // Close the contract's open alerts; renegotiating closes only the alert it was made from.
    let filter = AlertFilter { contract_id: Some(id), inbox: Inbox::NeedsAction, today, ..Default::default() };
    let open = alert_store::list(&db.read, &filter, 1, 500).await?.items;
    let mut closing: Vec<i64> = if input.decision.is_final() { open.iter().map(|a| a.id).collect() } else { vec![] };
    closing.extend(alert_id);
    closing.sort_unstable();
    closing.dedup();
    for a in closing {
        // The alert decided from must still be active (the daily job may have superseded it); others that moved
        // meanwhile are simply no longer open.
        if !alert_store::decide(&mut tx, a, input.decision, comment, &by, now).await? && Some(a) == alert_id {
            return Err(AppError::Conflict("This alert was decided or superseded a moment ago; reload it.".into()));
        }
    }
    if input.decision.is_final() {
        alert_store::supersede_others(&mut tx, id, alert_id.unwrap_or(0)).await?;
    }
    ledger::record(&mut tx, now, &by, Change::created("contract.decision", "contract", Some(id), &decision)).await?;
    let synced = synced_entries(&store::sync_running_terms(&mut tx, today, Some(id)).await?)?;
    ledger::record_many_and_commit(tx, now, &by, synced).await?;
    detail(db, clock, actor, id).await
}

/// A contract's history from the audit ledger (decisions, renewals, alerts raised), newest first.
pub async fn history(
    db: &Db,
    actor: &Actor,
    id: i64,
    page: Option<i64>,
    per_page: Option<i64>,
) -> AppResult<Page<seatwise_types::LedgerEntry>> {
    readable(db, actor, id).await?;
    let mut entries = ledger::history(db, "contract", id, page, per_page).await?;
    // Recorded values cover the whole contract (every pool, its price, its recipients): someone who sees only part
    // of it gets what happened and when, not the values.
    let covered = store::covered_pools(&db.read, &[id]).await?;
    if view(&Reader::user(&actor.user), &covered, id).1 > 0 {
        for e in &mut entries.items {
            e.before = None;
            e.after = None;
        }
    }
    Ok(entries)
}

/// Watch a contract you can read (its alerts reach you; it joins your calendar feed), or stop watching it.
pub async fn watch(db: &Db, clock: &dyn Clock, actor: &Actor, id: i64, watching: bool) -> AppResult<ContractDetail> {
    readable(db, actor, id).await?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let version = versions::lock(&mut tx, Versioned::Contracts, Key::Id(id), None, "contract").await?;
    if store::set_watching(&mut tx, id, actor.user.id, watching).await? {
        // The watcher list is part of what the edit form saves: an edit opened before this toggle is stale.
        versions::bump(&mut tx, Versioned::Contracts, Key::Id(id), version).await?;
        let action = if watching { "contract.watch" } else { "contract.unwatch" };
        let record = serde_json::json!({"contract_id": id, "user_id": actor.user.id});
        ledger::record(&mut tx, now, actor.ledger_name(), Change::created(action, "contract", Some(id), &record))
            .await?;
    }
    tx.commit().await?;
    detail(db, clock, actor, id).await
}

/// Turn pools' own contract dates (recorded before contracts existed, or imported from Snipe-IT) into contracts, so
/// their renewals are alerted too. Pools sharing a vendor and order number share a contract. Admins only; all or
/// nothing, ledgered.
pub async fn adopt_pool_terms(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
) -> AppResult<seatwise_types::AdoptedContracts> {
    access::may_adopt_pool_terms(&actor.user)?;
    let pools = store::uncovered_pool_terms(&db.read).await?;
    let now = clock.now();
    let today = org::today(db, clock).await?;
    let mut done = seatwise_types::AdoptedContracts::default();
    let mut entries = Vec::new();
    let mut tx = db.begin().await?;
    // Pool dates stored before the accepted range was enforced do not become contracts.
    let in_range = |p: &&rules::PoolTerms| limits::date_in_range(p.end) && p.start.is_none_or(limits::date_in_range);
    for p in pools.iter().filter(in_range) {
        let values = rules::contract_from_pool(p);
        let id = match store::id_by_number(&mut tx, values.vendor_id, &values.number).await? {
            Some(id) => id,
            None => {
                let currency: String = store::pool_currency(&mut tx, p.pool_id).await?;
                let id = store::insert(&mut tx, &values, &currency, now).await?;
                store::insert_term(&mut tx, &new_term(id, 1, &values, values.term_start, values.term_end), now).await?;
                let record = serde_json::json!({"contract_id": id, "number": values.number, "from_pool": p.pool_id,
                    "term_start": values.term_start, "term_end": values.term_end, "auto_renew": values.auto_renew,
                    "notice_days": values.notice_days});
                entries.push(ledger::Pending::of(Change::created("contract.create", "contract", Some(id), &record))?);
                done.contracts += 1;
                id
            }
        };
        store::set_pool(&mut tx, id, p.pool_id).await?;
        entries.push(link_entry(p.pool_id, None, Some(id))?);
        done.pools += 1;
    }
    entries.extend(synced_entries(&store::sync_running_terms(&mut tx, today, None).await?)?);
    ledger::record_many_and_commit(tx, now, actor.ledger_name(), entries).await?;
    Ok(done)
}
