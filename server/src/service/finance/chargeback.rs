//! A month's chargeback statement, and how each pool charges its cost centres.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::Days;
use seatwise_types::{
    Chargeback, ChargebackItem, ChargebackLine, ChargebackMethod, ChargebackQuery, ChargebackSetting, ChargebackShare,
    FieldError,
};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::finance::{self as store, FinanceFilter, HeldBy, PoolRow};
use crate::db::Db;
use crate::domain::access;
use crate::domain::finance::{self as rules, PoolFacts, ACTIVE_DAYS};
use crate::domain::fx::{Converter, Rate};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};
use crate::service::org;

use super::*;

/// How one pool's month is shared: (cost centre, weight) by its method; empty weights fall back to the pool's own
/// cost centre.
pub(super) fn weights(
    p: &PoolFacts,
    method: Option<&store::Method>,
    held: &[&HeldBy],
) -> (ChargebackMethod, Vec<(i64, i64)>) {
    let (kind, splits) = match method {
        Some((kind, splits)) => (*kind, splits.as_slice()),
        None => (ChargebackMethod::Seat, [].as_slice()),
    };
    let mut w: Vec<(i64, i64)> = match kind {
        ChargebackMethod::Seat => {
            let mut w: Vec<(i64, i64)> = held.iter().map(|h| (h.cost_centre_id, h.held)).collect();
            w.push((p.cost_centre_id, p.unassigned()));
            w
        }
        ChargebackMethod::ActiveUser => held.iter().map(|h| (h.cost_centre_id, h.active)).collect(),
        ChargebackMethod::Percentage => splits.to_vec(),
    };
    if w.iter().all(|(_, n)| *n <= 0) {
        w = vec![(p.cost_centre_id, 1)];
    }
    // One weight per cost centre (a pool's own may appear as holder and as unassigned).
    let mut merged: BTreeMap<i64, i64> = BTreeMap::new();
    for (cc, n) in w {
        *merged.entry(cc).or_default() += n.max(0);
    }
    (kind, merged.into_iter().collect())
}

/// What each cost centre owes for a month: every pool's monthly cost (a twelfth of its annual spend, converted at
/// the rate of the day counted) shared by its method. Seats are counted on the month's last day (today for this
/// month) from the seats held then; the shares of a pool add up to its monthly cost exactly.
pub async fn chargeback(db: &Db, clock: &dyn Clock, actor: &Actor, q: &ChargebackQuery) -> AppResult<Chargeback> {
    Ok(statement(db, clock, actor, q).await?.0)
}

/// The statement, with the pools it was drawn from and the rate table (for the FOCUS export).
pub(crate) async fn statement(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    q: &ChargebackQuery,
) -> AppResult<(Chargeback, Vec<PoolRow>, Vec<Rate>)> {
    let scope = access::may_read_finance(&actor.user)?;
    let now = clock.now();
    let settings = org::load(db).await?;
    let today = settings.today(now);
    let month = q.month.clone().unwrap_or_else(|| today.format("%Y-%m").to_string());
    let (first, last) = rules::month_bounds(&month).map_err(|m| AppError::field("month", &m))?;
    if first > today {
        return Err(AppError::field("month", "is still to come: a statement covers this month or an earlier one"));
    }
    let counted_on = last.min(today);
    let until = if last >= today {
        now
    } else {
        settings.start_of(last + Days::new(1)).ok_or_else(|| AppError::field("month", "is out of range"))?
    };
    let f = FinanceFilter { scope: scope.as_filter(), ..Default::default() };
    let active_since = until - chrono::Duration::days(ACTIVE_DAYS);
    let mut conn = db.read.acquire().await?;
    let existing: HashSet<i64> = store::pools_created_by(&mut conn, &f, until).await?.into_iter().collect();
    let pools: Vec<PoolRow> = store::pools(&mut conn, &f, active_since)
        .await?
        .into_iter()
        .filter(|p| existing.contains(&p.facts.id))
        .collect();
    // This month counts every seat held now (no date to compare seat by seat).
    let own: HashMap<i64, i64> = pools.iter().map(|p| (p.facts.id, p.facts.cost_centre_id)).collect();
    let held = store::held_by_cost_centre(&mut conn, &own, (last < today).then_some(until), active_since).await?;
    let ids: Vec<i64> = pools.iter().map(|p| p.facts.id).collect();
    let methods = store::methods(&mut conn, &ids).await?;
    let table = rates(&mut conn, &settings.reporting_currency).await?;

    let mut held_of: HashMap<i64, Vec<&HeldBy>> = HashMap::new();
    for h in &held {
        held_of.entry(h.pool_id).or_default().push(h);
    }
    let mut c = Converter::new(&table, &settings.reporting_currency);
    let mut missing = Missing::default();
    // cost centre -> (amount, seats, lines)
    let mut owed: BTreeMap<i64, (i64, i64, Vec<ChargebackLine>)> = BTreeMap::new();
    for row in &pools {
        let p = &row.facts;
        let holders = held_of.get(&p.id).map(Vec::as_slice).unwrap_or_default();
        let Some(monthly) = c.convert(p.monthly_minor(), &p.currency, counted_on) else {
            missing.pool(p);
            continue;
        };
        let (method, w) = weights(p, methods.get(&p.id), holders);
        for (cc, amount) in rules::split(monthly, &w) {
            let seats: i64 = holders.iter().filter(|h| h.cost_centre_id == cc).map(|h| h.held).sum();
            if amount == 0 && seats == 0 {
                continue;
            }
            let e = owed.entry(cc).or_default();
            e.0 += amount;
            e.1 += seats;
            let amount = c.money(amount);
            e.2.push(ChargebackLine { pool_id: p.id, pool_name: p.name.clone(), method, amount, seats });
        }
    }
    let names = cost_centres(db).await?;
    let mut items: Vec<ChargebackItem> = owed
        .into_iter()
        .filter(|(cc, _)| q.cost_centre_id.is_none_or(|only| only == *cc))
        .map(|(cc, (amount, seats, lines))| {
            let cost_centre =
                names.get(&cc).cloned().ok_or_else(|| AppError::internal(format!("cost centre {cc} is gone")))?;
            Ok(ChargebackItem { cost_centre, amount: c.money(amount), seats, lines })
        })
        .collect::<AppResult<_>>()?;
    items.sort_by(|a, b| a.cost_centre.code.cmp(&b.cost_centre.code).then(a.cost_centre.id.cmp(&b.cost_centre.id)));
    let total = items.iter().map(|i| i.amount.amount_minor).sum();
    let statement = Chargeback {
        month,
        reporting_currency: c.reporting().into(),
        counted_on,
        items,
        total: c.money(total),
        rates: rates_used(&c),
        unconverted: missing.list(),
    };
    Ok((statement, pools, table))
}

/// A pool's chargeback method as set (by seat when never set).
pub async fn pool_method(db: &Db, actor: &Actor, pool_id: i64) -> AppResult<ChargebackSetting> {
    crate::service::pools::get(db, actor, pool_id).await?;
    let mut conn = db.read.acquire().await?;
    let methods = store::methods(&mut conn, &[pool_id]).await?;
    Ok(setting(methods.get(&pool_id)))
}

pub(super) fn setting(method: Option<&store::Method>) -> ChargebackSetting {
    match method {
        Some((method, splits)) => ChargebackSetting {
            method: *method,
            splits: splits
                .iter()
                .map(|(cc, bp)| ChargebackShare { cost_centre_id: *cc, percent: rules::percent_text(*bp) })
                .collect(),
        },
        None => ChargebackSetting { method: ChargebackMethod::Seat, splits: Vec::new() },
    }
}

/// Set how a pool is charged back: a percentage split names existing cost centres, each once, summing to 100.
pub async fn set_pool_method(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    pool_id: i64,
    input: &ChargebackSetting,
) -> AppResult<ChargebackSetting> {
    let pool = crate::service::pools::get(db, actor, pool_id).await?;
    access::may_set_chargeback(&actor.user, crate::service::pools::place(&pool))?;
    let mut errors = Vec::new();
    let mut splits = Vec::new();
    let mut seen = HashSet::new();
    if input.method != ChargebackMethod::Percentage && !input.splits.is_empty() {
        errors.push(FieldError::new("splits", "are only for the percentage method"));
    }
    if input.method == ChargebackMethod::Percentage {
        if input.splits.is_empty() {
            errors.push(FieldError::new("splits", "are required for the percentage method"));
        }
        for (i, s) in input.splits.iter().enumerate() {
            match rules::parse_percent(&s.percent) {
                Ok(bp) => splits.push((s.cost_centre_id, bp)),
                Err(m) => errors.push(FieldError::new(format!("splits[{i}].percent"), m)),
            }
            if !seen.insert(s.cost_centre_id) {
                errors.push(FieldError::new(format!("splits[{i}].cost_centre_id"), "appears twice"));
            }
        }
    }
    let known = cost_centres(db).await?;
    for (i, s) in input.splits.iter().enumerate() {
        if !known.contains_key(&s.cost_centre_id) {
            errors.push(FieldError::new(format!("splits[{i}].cost_centre_id"), "must name an existing cost centre"));
        }
    }
    let sum: i64 = splits.iter().map(|(_, bp)| bp).sum();
    if errors.is_empty() && input.method == ChargebackMethod::Percentage && sum != 10_000 {
        errors.push(FieldError::new(
            "splits",
            format!("add up to {}%: they must add up to 100%", rules::percent_text(sum)),
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let method: store::Method = (input.method, splits);
    let now = clock.now();
    let mut tx = db.begin().await?;
    let before = setting(store::methods(&mut tx, &[pool_id]).await?.get(&pool_id));
    store::set_method(&mut tx, pool_id, &method, actor.ledger_name(), now).await?;
    let after = setting(Some(&method));
    let change = Change::changed("pool.chargeback", "pool", Some(pool_id), &before, &after);
    ledger::record_and_commit(tx, now, actor.ledger_name(), change).await?;
    Ok(after)
}
