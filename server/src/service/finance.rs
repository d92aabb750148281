//! The finance figures of a scope in the reporting currency, a month's chargeback statement, and budgets.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, Days, NaiveDate};
use seatwise_types::{
    Budget, BudgetInput, Chargeback, ChargebackItem, ChargebackLine, ChargebackMethod, ChargebackQuery,
    ChargebackSetting, ChargebackShare, CostCentre, CostCentreFigures, FieldError, FinancePool, FinancePoolQuery,
    FinanceQuery, FinanceSummary, FinanceTotals, MissedRenewals, Money, Page, RateUsed, Ref, RenewalBucket,
    Unconverted, UtilizationBand, VendorFigures,
};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::finance::{self as store, FinanceFilter, HeldBy, PoolRow};
use crate::db::{Conn, Db};
use crate::domain::access;
use crate::domain::finance::{self as rules, PoolFacts, ACTIVE_DAYS};
use crate::domain::fx::{self, Converter, Rate};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};
use crate::service::org;

/// The rate table into the reporting currency, read exactly (a stored rate that no longer parses is a fault, not a
/// zero).
pub(crate) async fn rates(conn: &mut Conn, reporting: &str) -> AppResult<Vec<Rate>> {
    crate::db::exchange_rates::list_in(conn, reporting)
        .await?
        .into_iter()
        .map(|r| {
            let (mantissa, scale) = fx::parse_rate(&r.rate)
                .map_err(|e| AppError::internal(format!("stored {} rate from {}: {e}", r.currency, r.date)))?;
            Ok(Rate { currency: r.currency, mantissa, scale, from: r.date })
        })
        .collect()
}

/// Every cost centre by id (a short table: the catalog's list).
async fn cost_centres(db: &Db) -> AppResult<HashMap<i64, CostCentre>> {
    Ok(crate::db::catalog::cost_centres(&db.read).await?.into_iter().map(|c| (c.id, c)).collect())
}

fn rates_used(c: &Converter<'_>) -> Vec<RateUsed> {
    c.used().into_iter().map(|(currency, rate, date)| RateUsed { currency, rate, date }).collect()
}

/// The pools a scope and the summary's filters cover.
fn filter(
    scope: &access::Scope,
    cost_centre_id: Option<i64>,
    department_id: Option<i64>,
    vendor_id: Option<i64>,
) -> FinanceFilter {
    FinanceFilter { scope: scope.as_filter(), cost_centre_id, department_id, vendor_id, pool_ids: None }
}

/// The period realized savings are counted over: as given, else the year to date.
pub(crate) fn period(q: &FinanceQuery, today: NaiveDate) -> AppResult<(NaiveDate, NaiveDate)> {
    let mut errors = Vec::new();
    for (path, day) in [("from", q.from), ("to", q.to)] {
        if day.is_some_and(|d| !crate::domain::limits::date_in_range(d)) {
            errors.push(FieldError::new(path, crate::domain::limits::date_message()));
        }
    }
    let from = q.from.unwrap_or_else(|| NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today));
    let to = q.to.unwrap_or(today);
    if to < from {
        errors.push(FieldError::new("to", "must be on or after from"));
    }
    if errors.is_empty() {
        Ok((from, to))
    } else {
        Err(AppError::validation(errors))
    }
}

/// One pool's money figures in the reporting currency.
struct Converted {
    committed: i64,
    annual: i64,
    monthly: i64,
    waste: i64,
    true_up: i64,
}

fn convert_pool(c: &mut Converter<'_>, p: &PoolFacts, day: NaiveDate) -> Option<Converted> {
    let mut at = |amount: i64| c.convert(amount, &p.currency, day);
    Some(Converted {
        committed: at(p.committed_minor())?,
        annual: at(p.annual_spend_minor())?,
        monthly: at(p.monthly_minor())?,
        waste: at(p.waste_annual_minor())?,
        true_up: at(p.true_up_annual_minor())?,
    })
}

/// Pools (and savings) left out for want of a rate, by currency.
#[derive(Default)]
struct Missing(BTreeMap<String, (i64, i64, i64)>);

impl Missing {
    fn pool(&mut self, p: &PoolFacts) {
        let e = self.0.entry(p.currency.clone()).or_default();
        e.0 += 1;
        e.1 = e.1.saturating_add(p.annual_spend_minor());
    }

    fn saving(&mut self, currency: &str, annual: i64) {
        let e = self.0.entry(currency.to_string()).or_default();
        e.2 = e.2.saturating_add(annual);
    }

    fn list(self) -> Vec<Unconverted> {
        self.0
            .into_iter()
            .map(|(currency, (pools, annual, saved))| Unconverted {
                annual_spend: Money::new(annual, currency.clone()),
                realized_savings: Money::new(saved, currency.clone()),
                currency,
                pools,
            })
            .collect()
    }
}

#[derive(Default)]
struct Sums {
    annual: i64,
    waste: i64,
    purchased: i64,
    assigned: i64,
    pools: i64,
}

impl Sums {
    /// A pool's seats, and its money when it converts (a pool without a rate still counts its seats).
    fn add(&mut self, p: &PoolFacts, m: Option<&Converted>) {
        if let Some(m) = m {
            self.annual += m.annual;
            self.waste += m.waste;
        }
        self.purchased += p.seats_purchased.unwrap_or(0);
        self.assigned += p.held;
        self.pools += 1;
    }
}

pub async fn summary(db: &Db, clock: &dyn Clock, actor: &Actor, q: &FinanceQuery) -> AppResult<FinanceSummary> {
    let scope = access::may_read_finance(&actor.user)?;
    let now = clock.now();
    let settings = org::load(db).await?;
    let today = settings.today(now);
    let (from, to) = period(q, today)?;
    let f = filter(&scope, q.cost_centre_id, q.department_id, q.vendor_id);
    let mut conn = db.read.acquire().await?;
    let active_since = now - chrono::Duration::days(ACTIVE_DAYS);
    let pools = store::pools(&mut conn, &f, active_since).await?;
    let table = rates(&mut conn, &settings.reporting_currency).await?;
    let forecast = crate::service::reclamation::policies::forecast(&mut conn, now).await?;
    let saved = store::savings(&mut conn, &f, from, to).await?;
    let entries = store::pool_entries(&mut conn, &f).await?;
    let budgets: HashMap<i64, Budget> =
        store::budgets(&mut conn, today.year()).await?.into_iter().map(|b| (b.cost_centre.id, b)).collect();
    drop(conn);

    let mut c = Converter::new(&table, &settings.reporting_currency);
    let history = history(&mut c, &settings, now, &entries)?;
    // A budget set before the reporting currency changed is shown at today's rate (without one, it is not shown).
    let budgets: HashMap<i64, Budget> = budgets
        .into_iter()
        .filter_map(|(id, mut b)| {
            let amount = c.convert(b.amount.amount_minor, &b.amount.currency, today)?;
            b.amount = c.money(amount);
            Some((id, b))
        })
        .collect();
    let mut missing = Missing::default();
    let mut totals = Sums::default();
    let (mut monthly, mut true_up, mut shortfall, mut committed) = (0i64, 0i64, 0i64, 0i64);
    let mut by_department: HashMap<i64, (String, Sums)> = HashMap::new();
    let mut by_product: HashMap<i64, (String, Sums)> = HashMap::new();
    let (mut known, mut active, mut without) = (0i64, 0i64, 0i64);
    let mut by_cc: BTreeMap<(String, i64), (PoolRow, Sums)> = BTreeMap::new();
    let mut by_vendor: HashMap<i64, (String, Sums)> = HashMap::new();
    let mut pipeline = [(0i64, 0i64); rules::PIPELINE_DAYS.len()];
    let mut missed = (0i64, 0i64);
    let mut bands = vec![(0i64, 0i64); rules::UTILIZATION_BANDS.len() + 1];
    let mut in_scope = HashSet::new();
    for row in &pools {
        let p = &row.facts;
        in_scope.insert(p.id);
        known += p.known;
        active += p.active;
        without += p.without_usage();
        let converted = convert_pool(&mut c, p, today);
        totals.add(p, converted.as_ref());
        let cc_key = (row.cost_centre.code.clone(), row.cost_centre.id);
        by_cc.entry(cc_key).or_insert_with(|| (row.clone(), Sums::default())).1.add(p, converted.as_ref());
        let department =
            by_department.entry(p.department_id).or_insert_with(|| (row.department_name.clone(), Sums::default()));
        department.1.add(p, converted.as_ref());
        // "Zoom Workplace" rather than "Zoom Zoom Workplace".
        let product_name = if row.product_name.starts_with(&row.vendor_name) {
            row.product_name.clone()
        } else {
            format!("{} {}", row.vendor_name, row.product_name)
        };
        by_product.entry(p.product_id).or_insert_with(|| (product_name, Sums::default())).1.add(p, converted.as_ref());
        let vendor = by_vendor.entry(p.vendor_id).or_insert_with(|| (row.vendor_name.clone(), Sums::default()));
        vendor.1.add(p, converted.as_ref());
        shortfall += p.shortfall();
        // Pools without a rate count in every breakdown (so a drill-down lists them) but add no money.
        let annual = converted.as_ref().map_or(0, |m| m.annual);
        for (i, days) in rules::PIPELINE_DAYS.iter().enumerate() {
            if rules::in_pipeline(p.cancel_by, today, *days) {
                pipeline[i].0 += annual;
                pipeline[i].1 += 1;
            }
        }
        if rules::missed_renewal(p.cancel_by, p.contract_end, today) {
            missed.0 += annual;
            missed.1 += 1;
        }
        let band = rules::utilization_band(p.utilization_percent()).map_or(rules::UTILIZATION_BANDS.len(), |b| b);
        bands[band].0 += 1;
        bands[band].1 += annual;
        let Some(m) = converted else {
            missing.pool(p);
            continue;
        };
        monthly += m.monthly;
        true_up += m.true_up;
        committed += m.committed;
    }

    let mut potential = 0i64;
    for (pool_id, saving) in forecast.values() {
        if in_scope.contains(pool_id) {
            // A seat's saving converts like its pool (a pool without a rate is already listed as left out).
            potential += c.convert(saving.amount_minor, &saving.currency, today).unwrap_or(0);
        }
    }
    let (mut realized, mut hard, mut avoided) = (0i64, 0i64, 0i64);
    for s in &saved {
        match c.convert(s.annual_minor, &s.currency, s.day) {
            Some(v) => {
                realized += v;
                match s.category.as_str() {
                    "hard" => hard += v,
                    "cost_avoided" => avoided += v,
                    _ => {}
                }
            }
            None => missing.saving(&s.currency, s.annual_minor),
        }
    }

    // Vendors keep their own shape (the conventions' `by_vendor`), in the groups' order.
    let vendors: Vec<VendorFigures> = groups(by_vendor, c.reporting())
        .into_iter()
        .map(|g| VendorFigures {
            id: g.id,
            name: g.name,
            annual_spend: g.annual_spend,
            waste_annual: g.waste_annual,
            pools: g.pools,
        })
        .collect();
    let band_bounds = |i: usize| match rules::UTILIZATION_BANDS.get(i) {
        Some(lower) => (Some(*lower), Some(rules::UTILIZATION_BANDS.get(i + 1).copied().unwrap_or(100))),
        None => (None, None),
    };
    Ok(FinanceSummary {
        reporting_currency: c.reporting().into(),
        as_of: today,
        from,
        to,
        active_days: ACTIVE_DAYS,
        totals: FinanceTotals {
            annual_spend: c.money(totals.annual),
            monthly_spend: c.money(monthly),
            waste_annual: c.money(totals.waste),
            potential_savings_annual: c.money(potential),
            realized_savings_annual: c.money(realized),
            hard_savings_annual: c.money(hard),
            cost_avoided_annual: c.money(avoided),
            seats_purchased: totals.purchased,
            seats_assigned: totals.assigned,
            seats_with_usage: known,
            seats_active: active,
            seats_without_usage: without,
            utilization_percent: rules::utilization_percent(active, known),
            shortfall_seats: shortfall,
            true_up_annual: c.money(true_up),
            committed_value: c.money(committed),
        },
        by_cost_centre: by_cc
            .into_values()
            .map(|(row, s)| CostCentreFigures {
                id: row.cost_centre.id,
                code: row.cost_centre.code,
                name: row.cost_centre.name,
                annual_spend: c.money(s.annual),
                waste_annual: c.money(s.waste),
                seats_purchased: s.purchased,
                seats_assigned: s.assigned,
                pools: s.pools,
                budget: budgets
                    .get(&row.cost_centre.id)
                    .map(|b| budget_figures(b, &history, row.cost_centre.id, today)),
            })
            .collect(),
        by_vendor: vendors,
        by_department: groups(by_department, c.reporting()),
        by_product: groups(by_product, c.reporting()),
        renewal_pipeline: rules::PIPELINE_DAYS
            .iter()
            .zip(pipeline)
            .map(|(days, (value, n))| RenewalBucket { within_days: *days, value: c.money(value), pools: n })
            .collect(),
        missed_renewals: MissedRenewals { value: c.money(missed.0), pools: missed.1 },
        by_utilization: bands
            .into_iter()
            .enumerate()
            .map(|(i, (n, annual))| {
                let (from_percent, to_percent) = band_bounds(i);
                UtilizationBand { from_percent, to_percent, pools: n, annual_spend: c.money(annual) }
            })
            .collect(),
        spend_over_time: history.series(),
        rates: rates_used(&c),
        unconverted: missing.list(),
    })
}

/// Groups largest spend first (then by name), as the summary lists them.
fn groups(sums: HashMap<i64, (String, Sums)>, currency: &str) -> Vec<seatwise_types::GroupFigures> {
    let mut out: Vec<seatwise_types::GroupFigures> = sums
        .into_iter()
        .map(|(id, (name, s))| seatwise_types::GroupFigures {
            id,
            name,
            annual_spend: Money::new(s.annual, currency),
            waste_annual: Money::new(s.waste, currency),
            pools: s.pools,
        })
        .collect();
    out.sort_by(|a, b| b.annual_spend.amount_minor.cmp(&a.annual_spend.amount_minor).then(a.name.cmp(&b.name)));
    out
}

/// Months of spend counted from the ledger: the months (first day, the day counted), and per month the total run
/// rate and monthly spend, and each cost centre's monthly spend.
struct History {
    currency: String,
    months: Vec<NaiveDate>,
    run_rate: Vec<i64>,
    monthly: Vec<i64>,
    by_cost_centre: HashMap<i64, Vec<i64>>,
}

/// How many months the spend history covers, this one included.
const HISTORY_MONTHS: usize = 12;

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn history(
    c: &mut Converter<'_>,
    settings: &crate::domain::renewals::Org,
    now: chrono::DateTime<chrono::Utc>,
    entries: &[store::PoolEntry],
) -> AppResult<History> {
    use crate::domain::spend_history::{annual_at, event, Events};
    let today = settings.today(now);
    let this_month = first_of_month(today);
    let months: Vec<NaiveDate> = (0..HISTORY_MONTHS as u32)
        .rev()
        .filter_map(|back| this_month.checked_sub_months(chrono::Months::new(back)))
        .collect();
    // Each month is counted at its end (today for this one), at the rate of that day.
    let counted: Vec<(NaiveDate, chrono::DateTime<chrono::Utc>)> = months
        .iter()
        .map(|first| {
            let next = first.checked_add_months(chrono::Months::new(1)).unwrap_or(*first);
            let last = next.pred_opt().unwrap_or(*first);
            if last >= today {
                Ok((today, now))
            } else {
                let at = settings.start_of(next).ok_or_else(|| AppError::internal(format!("no start of {next}")))?;
                Ok((last, at))
            }
        })
        .collect::<AppResult<_>>()?;
    let mut events: BTreeMap<i64, (i64, Events)> = BTreeMap::new();
    for (pool, cc, at, action, after) in entries {
        if let Some(e) = event(action, after.as_ref()) {
            events.entry(*pool).or_insert_with(|| (*cc, Vec::new())).1.push((*at, e));
        }
    }
    let mut h = History {
        currency: c.reporting().to_string(),
        months: months.clone(),
        run_rate: vec![0; months.len()],
        monthly: vec![0; months.len()],
        by_cost_centre: HashMap::new(),
    };
    for (cc, pool_events) in events.values() {
        for (i, (day, at)) in counted.iter().enumerate() {
            let Some((annual, currency)) = annual_at(pool_events, *at) else { continue };
            let (Some(rate), Some(month)) = (
                c.convert(annual, &currency, *day),
                c.convert(crate::domain::pool::per_month(annual), &currency, *day),
            ) else {
                continue;
            };
            h.run_rate[i] += rate;
            h.monthly[i] += month;
            h.by_cost_centre.entry(*cc).or_insert_with(|| vec![0; months.len()])[i] += month;
        }
    }
    Ok(h)
}

impl History {
    fn series(&self) -> Vec<seatwise_types::SpendMonth> {
        self.months
            .iter()
            .zip(self.run_rate.iter().zip(&self.monthly))
            .map(|(m, (rate, monthly))| seatwise_types::SpendMonth {
                month: m.format("%Y-%m").to_string(),
                annual_run_rate: Money::new(*rate, &self.currency),
                monthly_spend: Money::new(*monthly, &self.currency),
            })
            .collect()
    }
}

/// A cost centre's budget beside its spend this year: months gone in full, this month in proportion to its days
/// gone (rounded half up), and for the projection this month's spend for each month left.
fn budget_figures(b: &Budget, h: &History, cost_centre_id: i64, today: NaiveDate) -> seatwise_types::BudgetFigures {
    let zeros = vec![0; h.months.len()];
    let monthly = h.by_cost_centre.get(&cost_centre_id).unwrap_or(&zeros);
    let this_year: Vec<(NaiveDate, i64)> =
        h.months.iter().copied().zip(monthly.iter().copied()).filter(|(m, _)| m.year() == today.year()).collect();
    let (current, gone): (Vec<_>, Vec<_>) = this_year.iter().partition(|(m, _)| m.month() == today.month());
    let gone: i64 = gone.iter().map(|(_, v)| v).sum();
    let current = current.first().map_or(0, |(_, v)| *v);
    let days = i64::from(
        first_of_month(today)
            .checked_add_months(chrono::Months::new(1))
            .map_or(30, |n| (n - first_of_month(today)).num_days() as u32),
    );
    let part = rules::split(current, &[(0, i64::from(today.day())), (1, days - i64::from(today.day()))]);
    let so_far = part.first().map_or(0, |(_, v)| *v);
    let months_left = i64::from(12 - today.month0());
    seatwise_types::BudgetFigures {
        year: b.year,
        budget: b.amount.clone(),
        actual_to_date: Money::new(gone + so_far, &h.currency),
        projection: Money::new(gone + current * months_left, &h.currency),
    }
}

/// How one pool's month is shared: (cost centre, weight) by its method; empty weights fall back to the pool's own
/// cost centre.
fn weights(p: &PoolFacts, method: Option<&store::Method>, held: &[&HeldBy]) -> (ChargebackMethod, Vec<(i64, i64)>) {
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

fn setting(method: Option<&store::Method>) -> ChargebackSetting {
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

fn check_year(year: i32) -> AppResult<i32> {
    if (2000..=2100).contains(&year) {
        Ok(year)
    } else {
        Err(AppError::field("year", "must be a year from 2000 to 2100"))
    }
}

/// The budgets of a year (this year by default).
pub async fn budgets(db: &Db, clock: &dyn Clock, actor: &Actor, year: Option<i32>) -> AppResult<Vec<Budget>> {
    access::may_read_finance(&actor.user)?;
    let year = match year {
        Some(y) => check_year(y)?,
        None => org::today(db, clock).await?.year(),
    };
    let mut conn = db.read.acquire().await?;
    Ok(store::budgets(&mut conn, year).await?)
}

/// Set a cost centre's budget for a year, in the reporting currency.
pub async fn set_budget(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    cost_centre_id: i64,
    year: i32,
    input: &BudgetInput,
) -> AppResult<Budget> {
    access::may_keep_budgets(&actor.user)?;
    let year = check_year(year)?;
    let mut errors = Vec::new();
    let currency = input.amount.currency.trim().to_uppercase();
    let reporting = org::load(db).await?.reporting_currency;
    if currency != reporting {
        errors.push(FieldError::new("amount.currency", format!("must be the reporting currency, {reporting}")));
    }
    if input.amount.amount_minor < 0 {
        errors.push(FieldError::new("amount.amount_minor", "must be 0 or more"));
    }
    crate::domain::limits::check_amount(&mut errors, "amount.amount_minor", input.amount.amount_minor);
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    if !cost_centres(db).await?.contains_key(&cost_centre_id) {
        return Err(AppError::NotFound("cost centre"));
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    let before = store::budget(&mut tx, cost_centre_id, year).await?;
    store::set_budget(
        &mut tx,
        cost_centre_id,
        year,
        &Money::new(input.amount.amount_minor, currency),
        actor.ledger_name(),
        now,
    )
    .await?;
    let after = store::budget(&mut tx, cost_centre_id, year).await?.ok_or(AppError::NotFound("budget"))?;
    let change = Change {
        action: "budget.set",
        record_type: "cost_centre",
        record_id: Some(cost_centre_id),
        before: before.as_ref(),
        after: Some(&after),
    };
    ledger::record_and_commit(tx, now, actor.ledger_name(), change).await?;
    Ok(after)
}

pub async fn delete_budget(db: &Db, clock: &dyn Clock, actor: &Actor, cost_centre_id: i64, year: i32) -> AppResult<()> {
    access::may_keep_budgets(&actor.user)?;
    let year = check_year(year)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let before = store::budget(&mut tx, cost_centre_id, year).await?.ok_or(AppError::NotFound("budget"))?;
    store::delete_budget(&mut tx, cost_centre_id, year).await?;
    ledger::record(
        &mut tx,
        now,
        actor.ledger_name(),
        Change::removed("budget.delete", "cost_centre", Some(cost_centre_id), &before),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The pools behind the figures, as a chart bar or a filter selects them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PoolSort {
    Name,
    AnnualSpend,
    Waste,
    Utilization,
    CancelBy,
}

struct PoolSelection {
    band: Option<Option<usize>>,
    within_days: Option<i64>,
    missed: bool,
    waste: bool,
    shortfall: bool,
    sort: PoolSort,
    descending: bool,
}

fn selection(q: &FinancePoolQuery) -> AppResult<PoolSelection> {
    let mut errors = Vec::new();
    let band = match q.utilization.as_deref() {
        None => None,
        Some("none") => Some(None),
        Some(b) => match rules::UTILIZATION_BANDS.iter().position(|lower| lower.to_string() == b) {
            Some(i) => Some(Some(i)),
            None => {
                errors.push(FieldError::new("utilization", "must be 0, 25, 50, 75 or none"));
                None
            }
        },
    };
    if q.within_days.is_some_and(|d| !rules::PIPELINE_DAYS.contains(&d)) {
        errors.push(FieldError::new("within_days", "must be 30, 60 or 90"));
    }
    let (waste, shortfall) = match q.position.as_deref() {
        None => (false, false),
        Some("waste") => (true, false),
        Some("shortfall") => (false, true),
        Some(_) => {
            errors.push(FieldError::new("position", "must be waste or shortfall"));
            (false, false)
        }
    };
    let sort_text = q.sort.as_deref().unwrap_or("name");
    let (descending, key) = match sort_text.strip_prefix('-') {
        Some(k) => (true, k),
        None => (false, sort_text),
    };
    let sort = match key {
        "name" => PoolSort::Name,
        "annual_spend" => PoolSort::AnnualSpend,
        "waste_annual" => PoolSort::Waste,
        "utilization" => PoolSort::Utilization,
        "cancel_by" => PoolSort::CancelBy,
        _ => {
            errors.push(FieldError::new(
                "sort",
                "must be name, annual_spend, waste_annual, utilization or cancel_by (with - for descending)",
            ));
            PoolSort::Name
        }
    };
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    Ok(PoolSelection {
        band,
        within_days: q.within_days,
        missed: q.missed == Some(true),
        waste,
        shortfall,
        sort,
        descending,
    })
}

fn position_name(p: rules::Position) -> &'static str {
    match p {
        rules::Position::OverLicensed => "over_licensed",
        rules::Position::UnderLicensed => "under_licensed",
        rules::Position::Balanced => "balanced",
        rules::Position::Unlimited => "unlimited",
    }
}

/// One pool's figures in the reporting currency at the rate of `day`.
fn pool_figures(c: &mut Converter<'_>, row: &PoolRow, day: NaiveDate, buffer_percent: i64) -> FinancePool {
    let p = &row.facts;
    let reporting = c.reporting().to_string();
    let mut at = |amount: i64| c.convert(amount, &p.currency, day).map(|m| Money::new(m, &reporting));
    FinancePool {
        id: p.id,
        name: p.name.clone(),
        vendor: Ref { id: p.vendor_id, name: row.vendor_name.clone() },
        cost_centre: row.cost_centre.clone(),
        annual_cost: Money::new(p.annual_spend_minor(), p.currency.clone()),
        annual_spend: at(p.annual_spend_minor()),
        monthly_spend: at(p.monthly_minor()),
        waste_annual: at(p.waste_annual_minor()),
        true_up_annual: at(p.true_up_annual_minor()),
        right_size_saving_annual: p
            .right_size(buffer_percent)
            .and_then(|_| at(p.right_size_saving_minor(buffer_percent))),
        seats_purchased: p.seats_purchased,
        seats_assigned: p.held,
        seats_active: p.active,
        seats_with_usage: p.known,
        seats_without_usage: p.without_usage(),
        waste_seats: p.waste_seats(),
        fill_percent: p.fill_percent(),
        utilization_percent: p.utilization_percent(),
        position: position_name(p.position()).into(),
        shortfall_seats: p.shortfall(),
        right_size_seats: p.right_size(buffer_percent),
        cancel_by: p.cancel_by,
        rate: c.rate(&p.currency, day).map(|(rate, date)| RateUsed { currency: p.currency.clone(), rate, date }),
    }
}

/// Every pool the query selects with its figures, sorted (for a page or an export), and the day they are priced.
pub async fn pool_figures_all(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    q: &FinancePoolQuery,
) -> AppResult<(NaiveDate, Vec<FinancePool>)> {
    let scope = access::may_read_finance(&actor.user)?;
    let sel = selection(q)?;
    let settings = org::load(db).await?;
    let today = settings.today(clock.now());
    let f = filter(&scope, q.cost_centre_id, q.department_id, q.vendor_id);
    let mut conn = db.read.acquire().await?;
    let rows = store::pools(&mut conn, &f, clock.now() - chrono::Duration::days(ACTIVE_DAYS)).await?;
    let table = rates(&mut conn, &settings.reporting_currency).await?;
    drop(conn);
    let mut c = Converter::new(&table, &settings.reporting_currency);
    let mut out: Vec<FinancePool> = rows
        .iter()
        .filter(|row| {
            let p = &row.facts;
            q.product_id.is_none_or(|id| p.product_id == id)
                && sel.band.is_none_or(|b| rules::utilization_band(p.utilization_percent()) == b)
                && sel.within_days.is_none_or(|d| rules::in_pipeline(p.cancel_by, today, d))
                && (!sel.missed || rules::missed_renewal(p.cancel_by, p.contract_end, today))
                && (!sel.waste || p.waste_seats() > 0)
                && (!sel.shortfall || p.shortfall() > 0)
        })
        .map(|row| pool_figures(&mut c, row, today, settings.right_size_buffer_percent))
        .collect();
    let amount = |m: &Option<Money>| m.as_ref().map(|m| m.amount_minor);
    out.sort_by(|a, b| {
        let order = match sel.sort {
            PoolSort::Name => std::cmp::Ordering::Equal,
            PoolSort::AnnualSpend => amount(&a.annual_spend).cmp(&amount(&b.annual_spend)),
            PoolSort::Waste => amount(&a.waste_annual).cmp(&amount(&b.waste_annual)),
            PoolSort::Utilization => a.utilization_percent.cmp(&b.utilization_percent),
            PoolSort::CancelBy => a.cancel_by.cmp(&b.cancel_by),
        };
        // A stable sort: ties keep the query's order, by name.
        if sel.descending {
            order.reverse()
        } else {
            order
        }
    });
    if sel.descending && sel.sort == PoolSort::Name {
        out.reverse();
    }
    Ok((today, out))
}

/// A page of [`pool_figures_all`].
pub async fn pools(db: &Db, clock: &dyn Clock, actor: &Actor, q: &FinancePoolQuery) -> AppResult<Page<FinancePool>> {
    let (page, per_page) = crate::service::paging(q.page, q.per_page)?;
    let (_, all) = pool_figures_all(db, clock, actor, q).await?;
    let total = all.len() as i64;
    let items = all.into_iter().skip(((page - 1) * per_page) as usize).take(per_page as usize).collect();
    Ok(Page { items, total, page, per_page })
}
