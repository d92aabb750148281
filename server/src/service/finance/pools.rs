//! Finance per pool: what each costs, wastes and could save, sorted and filtered.

use chrono::NaiveDate;
use seatwise_types::{FieldError, FinancePool, FinancePoolQuery, Money, Page, RateUsed, Ref};

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

/// The pools behind the figures, as a chart bar or a filter selects them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PoolSort {
    Name,
    AnnualSpend,
    Waste,
    Utilization,
    CancelBy,
}

pub(super) struct PoolSelection {
    band: Option<Option<usize>>,
    within_days: Option<i64>,
    missed: bool,
    waste: bool,
    shortfall: bool,
    sort: PoolSort,
    descending: bool,
}

pub(super) fn selection(q: &FinancePoolQuery) -> AppResult<PoolSelection> {
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

pub(super) fn position_name(p: rules::Position) -> &'static str {
    match p {
        rules::Position::OverLicensed => "over_licensed",
        rules::Position::UnderLicensed => "under_licensed",
        rules::Position::Balanced => "balanced",
        rules::Position::Unlimited => "unlimited",
    }
}

/// One pool's figures in the reporting currency at the rate of `day`.
pub(super) fn pool_figures(c: &mut Converter<'_>, row: &PoolRow, day: NaiveDate, buffer_percent: i64) -> FinancePool {
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
