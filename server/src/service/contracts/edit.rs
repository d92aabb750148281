//! Recording and editing contracts: their terms, the pools they cover, who watches them, and adopting pools'
//! own terms as contracts.

use chrono::NaiveDate;
use seatwise_types::{Contract, ContractDetail, ContractInput, FieldError};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::catalog::{self, CatalogTable};
use crate::db::contracts::{self as store, NewTerm, PoolDatesSync, PoolFacts};
use crate::db::versions::{Key, Versioned};
use crate::db::Conn;
use crate::db::Db;
use crate::domain::access::{self};
use crate::domain::limits;
use crate::domain::renewals::{self as rules, ContractValues};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};
use crate::service::{org, versions};

use super::*;

/// Domain checks, then the references only the database can check; all problems reported together.
pub(super) async fn validate(
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

pub(super) fn new_term(contract_id: i64, seq: i64, v: &ContractValues, start: NaiveDate, end: NaiveDate) -> NewTerm {
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

pub(super) fn sorted(ids: &[i64]) -> Vec<i64> {
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
pub(super) fn link_entry(pool_id: i64, before: Option<i64>, after: Option<i64>) -> AppResult<ledger::Pending> {
    let (b, a) = (serde_json::json!({"contract_id": before}), serde_json::json!({"contract_id": after}));
    Ok(ledger::Pending::of(Change::changed("pool.contract_link", "pool", Some(pool_id), &b, &a))?)
}

/// Point exactly these pools at the contract; one ledger entry per pool whose contract changed.
pub(super) fn taken(pool: i64, other: i64) -> AppError {
    AppError::Conflict(format!("Pool {pool} was just added to contract {other}; reload and try again."))
}

pub(super) async fn link_pools(conn: &mut Conn, id: i64, pool_ids: &[i64]) -> AppResult<Vec<ledger::Pending>> {
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
pub(super) async fn replace_watchers(conn: &mut Conn, id: i64, user_ids: &[i64]) -> AppResult<Vec<ledger::Pending>> {
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

pub(super) async fn stored_api(conn: &mut Conn, id: i64, today: NaiveDate) -> AppResult<Contract> {
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
