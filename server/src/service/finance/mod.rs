//! The finance figures of a scope in the reporting currency, a month's chargeback statement, and budgets.

mod budgets;
mod chargeback;
mod pools;
mod summary;

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use seatwise_types::{CostCentre, FieldError, FinanceQuery, Money, RateUsed, Unconverted};

use crate::db::finance::FinanceFilter;
use crate::db::{Conn, Db};
use crate::domain::access;
use crate::domain::finance::PoolFacts;
use crate::domain::fx::{self, Converter, Rate};
use crate::error::{AppError, AppResult};

pub use budgets::*;
pub use chargeback::*;
pub use pools::*;
pub use summary::*;

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
