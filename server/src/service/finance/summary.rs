//! A scope's finance summary: spend, waste and savings by cost centre, its monthly history and its budgets.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use seatwise_types::{
    Budget, CostCentreFigures, FinanceQuery, FinanceSummary, FinanceTotals, MissedRenewals, Money, RenewalBucket,
    UtilizationBand, VendorFigures,
};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::finance::{self as store, PoolRow};
use crate::db::Db;
use crate::domain::access;
use crate::domain::finance::{self as rules, ACTIVE_DAYS};
use crate::domain::fx::Converter;
use crate::error::{AppError, AppResult};
use crate::service::org;

use super::*;

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
    let mut t = Tally::default();
    for row in &pools {
        t.add(row, &mut c, today);
    }

    let mut potential = 0i64;
    for (pool_id, saving) in forecast.values() {
        if t.in_scope.contains(pool_id) {
            // A seat's saving converts like its pool (a pool without a rate is already listed as left out).
            potential += c.convert(saving.amount_minor, &saving.currency, today).unwrap_or(0);
        }
    }
    let saved_in_period = saved_totals(&mut c, &saved, &mut t.missing);
    let totals = t.totals(&c, potential, saved_in_period);

    // Vendors keep their own shape (the conventions' `by_vendor`), in the groups' order.
    let vendors: Vec<VendorFigures> = groups(t.by_vendor, c.reporting())
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
        totals,
        by_cost_centre: t
            .by_cc
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
        by_department: groups(t.by_department, c.reporting()),
        by_product: groups(t.by_product, c.reporting()),
        renewal_pipeline: rules::PIPELINE_DAYS
            .iter()
            .zip(t.pipeline)
            .map(|(days, (value, n))| RenewalBucket { within_days: *days, value: c.money(value), pools: n })
            .collect(),
        missed_renewals: MissedRenewals { value: c.money(t.missed.0), pools: t.missed.1 },
        by_utilization: t
            .bands
            .into_iter()
            .enumerate()
            .map(|(i, (n, annual))| {
                let (from_percent, to_percent) = band_bounds(i);
                UtilizationBand { from_percent, to_percent, pools: n, annual_spend: c.money(annual) }
            })
            .collect(),
        spend_over_time: history.series(),
        rates: rates_used(&c),
        unconverted: t.missing.list(),
    })
}

/// The summary's sums over the pools in scope, each pool added once.
struct Tally {
    missing: Missing,
    totals: Sums,
    monthly: i64,
    true_up: i64,
    shortfall: i64,
    committed: i64,
    by_department: HashMap<i64, (String, Sums)>,
    by_product: HashMap<i64, (String, Sums)>,
    by_cc: BTreeMap<(String, i64), (PoolRow, Sums)>,
    by_vendor: HashMap<i64, (String, Sums)>,
    known: i64,
    active: i64,
    without: i64,
    /// Per renewal window: the annual value and the pools renewing within it.
    pipeline: [(i64, i64); rules::PIPELINE_DAYS.len()],
    missed: (i64, i64),
    /// Per utilization band (and a last one for no data): pools and annual spend.
    bands: Vec<(i64, i64)>,
    in_scope: HashSet<i64>,
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            missing: Missing::default(),
            totals: Sums::default(),
            monthly: 0,
            true_up: 0,
            shortfall: 0,
            committed: 0,
            by_department: HashMap::new(),
            by_product: HashMap::new(),
            by_cc: BTreeMap::new(),
            by_vendor: HashMap::new(),
            known: 0,
            active: 0,
            without: 0,
            pipeline: [(0, 0); rules::PIPELINE_DAYS.len()],
            missed: (0, 0),
            bands: vec![(0, 0); rules::UTILIZATION_BANDS.len() + 1],
            in_scope: HashSet::new(),
        }
    }
}

impl Tally {
    /// The totals row: `saved` is the period's realized, hard and cost-avoided savings.
    fn totals(&self, c: &Converter, potential: i64, (realized, hard, avoided): (i64, i64, i64)) -> FinanceTotals {
        FinanceTotals {
            annual_spend: c.money(self.totals.annual),
            monthly_spend: c.money(self.monthly),
            waste_annual: c.money(self.totals.waste),
            potential_savings_annual: c.money(potential),
            realized_savings_annual: c.money(realized),
            hard_savings_annual: c.money(hard),
            cost_avoided_annual: c.money(avoided),
            seats_purchased: self.totals.purchased,
            seats_assigned: self.totals.assigned,
            seats_with_usage: self.known,
            seats_active: self.active,
            seats_without_usage: self.without,
            utilization_percent: rules::utilization_percent(self.active, self.known),
            shortfall_seats: self.shortfall,
            true_up_annual: c.money(self.true_up),
            committed_value: c.money(self.committed),
        }
    }

    fn add(&mut self, row: &PoolRow, c: &mut Converter, today: NaiveDate) {
        let p = &row.facts;
        self.in_scope.insert(p.id);
        self.known += p.known;
        self.active += p.active;
        self.without += p.without_usage();
        let converted = convert_pool(c, p, today);
        self.totals.add(p, converted.as_ref());
        let cc_key = (row.cost_centre.code.clone(), row.cost_centre.id);
        self.by_cc.entry(cc_key).or_insert_with(|| (row.clone(), Sums::default())).1.add(p, converted.as_ref());
        let department =
            self.by_department.entry(p.department_id).or_insert_with(|| (row.department_name.clone(), Sums::default()));
        department.1.add(p, converted.as_ref());
        // "Zoom Workplace" rather than "Zoom Zoom Workplace".
        let product_name = if row.product_name.starts_with(&row.vendor_name) {
            row.product_name.clone()
        } else {
            format!("{} {}", row.vendor_name, row.product_name)
        };
        let product = self.by_product.entry(p.product_id).or_insert_with(|| (product_name, Sums::default()));
        product.1.add(p, converted.as_ref());
        let vendor = self.by_vendor.entry(p.vendor_id).or_insert_with(|| (row.vendor_name.clone(), Sums::default()));
        vendor.1.add(p, converted.as_ref());
        self.shortfall += p.shortfall();
        // Pools without a rate count in every breakdown (so a drill-down lists them) but add no money.
        let annual = converted.as_ref().map_or(0, |m| m.annual);
        for (i, days) in rules::PIPELINE_DAYS.iter().enumerate() {
            if rules::in_pipeline(p.cancel_by, today, *days) {
                self.pipeline[i].0 += annual;
                self.pipeline[i].1 += 1;
            }
        }
        if rules::missed_renewal(p.cancel_by, p.contract_end, today) {
            self.missed.0 += annual;
            self.missed.1 += 1;
        }
        let band = rules::utilization_band(p.utilization_percent()).map_or(rules::UTILIZATION_BANDS.len(), |b| b);
        self.bands[band].0 += 1;
        self.bands[band].1 += annual;
        let Some(m) = converted else {
            self.missing.pool(p);
            return;
        };
        self.monthly += m.monthly;
        self.true_up += m.true_up;
        self.committed += m.committed;
    }
}

/// The savings logged in the period, converted on each one's day: realized, of which hard and cost avoided. A
/// saving in a currency without a rate is listed as left out.
fn saved_totals(c: &mut Converter, saved: &[store::SavedOn], missing: &mut Missing) -> (i64, i64, i64) {
    let (mut realized, mut hard, mut avoided) = (0i64, 0i64, 0i64);
    for s in saved {
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
    (realized, hard, avoided)
}

/// Months of spend counted from the ledger: the months (first day, the day counted), and per month the total run
/// rate and monthly spend, and each cost centre's monthly spend.
pub(super) struct History {
    currency: String,
    months: Vec<NaiveDate>,
    run_rate: Vec<i64>,
    monthly: Vec<i64>,
    by_cost_centre: HashMap<i64, Vec<i64>>,
}

/// How many months the spend history covers, this one included.
pub(super) const HISTORY_MONTHS: usize = 12;

pub(super) fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

pub(super) fn history(
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
pub(super) fn budget_figures(
    b: &Budget,
    h: &History,
    cost_centre_id: i64,
    today: NaiveDate,
) -> seatwise_types::BudgetFigures {
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
