//! The finance figures to take away: the pools as CSV, a workbook with one sheet per view (the same numbers as
//! the summary), and a month's license costs in the FinOps FOCUS columns, allocated by cost centre.

use chrono::NaiveDate;
use seatwise_types::{
    BillingPeriod, Chargeback, ChargebackQuery, FinancePool, FinancePoolQuery, FinanceQuery, FinanceSummary, Money,
};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::Db;
use crate::domain::csv_out::{amount, CsvOut};
use crate::domain::fx::Converter;
use crate::domain::xlsx_out::Sheet;
use crate::error::{AppError, AppResult};
use crate::service::finance;

fn opt_amount(m: Option<&Money>) -> String {
    m.map(amount).unwrap_or_default()
}

fn opt(v: Option<i64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn pool_query(q: &FinanceQuery) -> FinancePoolQuery {
    FinancePoolQuery {
        cost_centre_id: q.cost_centre_id,
        department_id: q.department_id,
        vendor_id: q.vendor_id,
        ..Default::default()
    }
}

const POOL_HEADERS: [&str; 24] = [
    "pool",
    "vendor",
    "cost_centre_code",
    "cost_centre",
    "currency",
    "annual_cost",
    "reporting_currency",
    "annual_spend",
    "monthly_spend",
    "waste_annual",
    "seats_purchased",
    "seats_assigned",
    "seats_active",
    "seats_without_usage",
    "waste_seats",
    "utilization_percent",
    "position",
    "shortfall_seats",
    "true_up_annual",
    "right_size_seats",
    "right_size_saving_annual",
    "cancel_by",
    "rate",
    "rate_date",
];

/// The pools of a scope with their figures, as CSV (amounts in major units; empty where there is no figure).
pub async fn csv(db: &Db, clock: &dyn Clock, actor: &Actor, q: &FinanceQuery) -> AppResult<String> {
    // The period only bears on savings, which the CSV leaves out; it is still checked like everywhere else.
    let settings = crate::service::org::load(db).await?;
    finance::period(q, settings.today(clock.now()))?;
    let (_, pools) = finance::pool_figures_all(db, clock, actor, &pool_query(q)).await?;
    let fail = |e: csv::Error| AppError::internal_in("writing the finance CSV", e);
    let mut out = CsvOut::new(&POOL_HEADERS).map_err(fail)?;
    for p in &pools {
        out.row(&[
            p.name.clone(),
            p.vendor.name.clone(),
            p.cost_centre.code.clone(),
            p.cost_centre.name.clone(),
            p.annual_cost.currency.clone(),
            amount(&p.annual_cost),
            settings.reporting_currency.clone(),
            opt_amount(p.annual_spend.as_ref()),
            opt_amount(p.monthly_spend.as_ref()),
            opt_amount(p.waste_annual.as_ref()),
            opt(p.seats_purchased),
            p.seats_assigned.to_string(),
            p.seats_active.to_string(),
            p.seats_without_usage.to_string(),
            p.waste_seats.to_string(),
            opt(p.utilization_percent),
            p.position.clone(),
            p.shortfall_seats.to_string(),
            opt_amount(p.true_up_annual.as_ref()),
            opt(p.right_size_seats),
            opt_amount(p.right_size_saving_annual.as_ref()),
            p.cancel_by.map(|d| d.to_string()).unwrap_or_default(),
            p.rate.as_ref().map(|r| r.rate.clone()).unwrap_or_default(),
            p.rate.as_ref().map(|r| r.date.to_string()).unwrap_or_default(),
        ])
        .map_err(fail)?;
    }
    out.finish().map_err(fail)
}

/// The month a workbook's chargeback sheet covers: that of the period's end, or this month.
fn statement_month(summary: &FinanceSummary) -> String {
    summary.to.min(summary.as_of).format("%Y-%m").to_string()
}

/// The workbook: Summary, Departments, Products, Cost centres, Vendors, Pools, Renewals, Chargeback and Rates,
/// each a sheet with a frozen header, money as numbers in the currency's format, dates as dates.
pub async fn xlsx(db: &Db, clock: &dyn Clock, actor: &Actor, q: &FinanceQuery) -> AppResult<Vec<u8>> {
    let summary = finance::summary(db, clock, actor, q).await?;
    let month = ChargebackQuery { month: Some(statement_month(&summary)), cost_centre_id: q.cost_centre_id };
    // The pool sheet and the statement read apart (each on its own connection), so the workbook waits for the
    // longer of the two, not their sum.
    let pool_q = pool_query(q);
    let ((_, pools), chargeback) = tokio::try_join!(
        finance::pool_figures_all(db, clock, actor, &pool_q),
        finance::chargeback(db, clock, actor, &month)
    )?;
    workbook(&summary, &pools, &chargeback).map_err(|e| AppError::internal_in("writing the finance workbook", e))
}

fn workbook(
    s: &FinanceSummary,
    pools: &[FinancePool],
    chargeback: &Chargeback,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    summary_sheet(&mut book, s)?;
    for (name, groups) in [("Departments", &s.by_department), ("Products", &s.by_product)] {
        let mut sh = Sheet::new(&mut book, name, &["name", "annual_spend", "waste_annual", "pools"])?;
        for g in groups {
            sh.next_row();
            sh.text(0, &g.name)?;
            sh.money(1, &g.annual_spend)?;
            sh.money(2, &g.waste_annual)?;
            sh.int(3, g.pools)?;
        }
    }
    {
        let headers =
            ["code", "cost_centre", "annual_spend", "waste_annual", "seats_purchased", "seats_assigned", "pools"];
        let mut sh = Sheet::new(&mut book, "Cost centres", &headers)?;
        for c in &s.by_cost_centre {
            sh.next_row();
            sh.text(0, &c.code)?;
            sh.text(1, &c.name)?;
            sh.money(2, &c.annual_spend)?;
            sh.money(3, &c.waste_annual)?;
            sh.int(4, c.seats_purchased)?;
            sh.int(5, c.seats_assigned)?;
            sh.int(6, c.pools)?;
        }
    }
    {
        let mut sh = Sheet::new(&mut book, "Vendors", &["vendor", "annual_spend", "waste_annual", "pools"])?;
        for v in &s.by_vendor {
            sh.next_row();
            sh.text(0, &v.name)?;
            sh.money(1, &v.annual_spend)?;
            sh.money(2, &v.waste_annual)?;
            sh.int(3, v.pools)?;
        }
    }
    pool_sheet(&mut book, s, pools)?;
    {
        let mut sh = Sheet::new(&mut book, "Renewals", &["cancel_by_within_days", "annual_value", "pools"])?;
        for b in &s.renewal_pipeline {
            sh.next_row();
            sh.int(0, b.within_days)?;
            sh.money(1, &b.value)?;
            sh.int(2, b.pools)?;
        }
    }
    {
        // What each cost centre owes; the pool-by-pool lines are the FOCUS export's rows.
        let headers = ["month", "code", "cost_centre", "amount", "seats_held", "pools"];
        let mut sh = Sheet::new(&mut book, "Chargeback", &headers)?;
        for item in &chargeback.items {
            sh.next_row();
            sh.text(0, &chargeback.month)?;
            sh.text(1, &item.cost_centre.code)?;
            sh.text(2, &item.cost_centre.name)?;
            sh.money(3, &item.amount)?;
            sh.int(4, item.seats)?;
            sh.int(5, item.lines.len() as i64)?;
        }
    }
    {
        let mut sh = Sheet::new(&mut book, "Rates", &["currency", "rate", "from"])?;
        for r in &s.rates {
            sh.next_row();
            sh.text(0, &r.currency)?;
            sh.text(1, &r.rate)?;
            sh.date(2, r.date)?;
        }
    }
    book.save_to_buffer()
}

/// The Summary sheet: the totals, seat counts and the period.
fn summary_sheet(book: &mut rust_xlsxwriter::Workbook, s: &FinanceSummary) -> Result<(), rust_xlsxwriter::XlsxError> {
    let t = &s.totals;
    let mut sh = Sheet::new(book, "Summary", &["figure", "value", "currency"])?;
    sh.ws.set_column_width(0, 34)?;
    let money_rows: [(&str, &Money); 10] = [
        ("Committed contract value", &t.committed_value),
        ("Annual spend", &t.annual_spend),
        ("Monthly spend", &t.monthly_spend),
        ("Waste per year", &t.waste_annual),
        ("Potential savings per year", &t.potential_savings_annual),
        ("Realized savings per year", &t.realized_savings_annual),
        ("Hard savings per year", &t.hard_savings_annual),
        ("Cost avoided per year", &t.cost_avoided_annual),
        ("True-up exposure per year", &t.true_up_annual),
        ("Missed renewals (annual value)", &s.missed_renewals.value),
    ];
    for (label, m) in money_rows {
        sh.next_row();
        sh.text(0, label)?;
        sh.money(1, m)?;
        sh.text(2, &m.currency)?;
    }
    for (label, v) in [
        ("Seats purchased", Some(t.seats_purchased)),
        ("Seats assigned", Some(t.seats_assigned)),
        ("Seats active", Some(t.seats_active)),
        ("Seats without usage data", Some(t.seats_without_usage)),
        ("Utilization percent", t.utilization_percent),
        ("Shortfall seats", Some(t.shortfall_seats)),
    ] {
        sh.next_row();
        sh.text(0, label)?;
        sh.opt_int(1, v)?;
    }
    for (label, d) in [("As of", s.as_of), ("Savings from", s.from), ("Savings to", s.to)] {
        sh.next_row();
        sh.text(0, label)?;
        sh.date(1, d)?;
    }
    Ok(())
}

/// The Pools sheet: every pool's figures, in its own currency and the reporting one, with the rate used.
fn pool_sheet(
    book: &mut rust_xlsxwriter::Workbook,
    s: &FinanceSummary,
    pools: &[FinancePool],
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let mut sh = Sheet::new(book, "Pools", &POOL_HEADERS)?;
    sh.ws.set_column_width(0, 32)?;
    for p in pools {
        sh.next_row();
        sh.text(0, &p.name)?;
        sh.text(1, &p.vendor.name)?;
        sh.text(2, &p.cost_centre.code)?;
        sh.text(3, &p.cost_centre.name)?;
        sh.text(4, &p.annual_cost.currency)?;
        sh.money(5, &p.annual_cost)?;
        sh.text(6, &s.reporting_currency)?;
        sh.opt_money(7, p.annual_spend.as_ref())?;
        sh.opt_money(8, p.monthly_spend.as_ref())?;
        sh.opt_money(9, p.waste_annual.as_ref())?;
        sh.opt_int(10, p.seats_purchased)?;
        sh.int(11, p.seats_assigned)?;
        sh.int(12, p.seats_active)?;
        sh.int(13, p.seats_without_usage)?;
        sh.int(14, p.waste_seats)?;
        sh.opt_int(15, p.utilization_percent)?;
        sh.text(16, &p.position)?;
        sh.int(17, p.shortfall_seats)?;
        sh.opt_money(18, p.true_up_annual.as_ref())?;
        sh.opt_int(19, p.right_size_seats)?;
        sh.opt_money(20, p.right_size_saving_annual.as_ref())?;
        sh.opt_date(21, p.cancel_by)?;
        if let Some(r) = &p.rate {
            sh.text(22, &r.rate)?;
            sh.date(23, r.date)?;
        }
    }
    Ok(())
}

/// The FOCUS columns written, in order: the specification's (alphabetical), then Seatwise's own (`x_`).
const FOCUS_HEADERS: [&str; 27] = [
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "ContractedCost",
    "EffectiveCost",
    "InvoiceIssuerName",
    "ListCost",
    "ListUnitPrice",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "ServiceCategory",
    "ServiceName",
    "ServiceProviderName",
    "SkuId",
    "x_CostCentreCode",
    "x_CostCentreName",
];

/// Seatwise's further FOCUS columns: how the row was allocated.
const FOCUS_EXTRA: [&str; 3] = ["x_AllocationMethod", "x_PoolName", "x_SeatsHeld"];

/// A day's first instant in FOCUS's ISO 8601 UTC form.
fn focus_time(d: NaiveDate) -> String {
    format!("{}T00:00:00Z", d.format("%Y-%m-%d"))
}

/// A decimal quotient `a / b` with six places, exact to the last place shown (rounded half away from zero).
fn quotient(a: i64, b: i64) -> String {
    if b == 0 {
        return String::new();
    }
    let scaled = i128::from(a) * 1_000_000;
    let (q, r) = (scaled / i128::from(b), scaled % i128::from(b));
    let q = if r.abs() * 2 >= i128::from(b).abs() { q + scaled.signum() * i128::from(b).signum() } else { q };
    let sign = if q < 0 { "-" } else { "" };
    format!("{sign}{}.{:06}", q.abs() / 1_000_000, q.abs() % 1_000_000)
}

/// A month's license costs as FOCUS rows: one per pool and cost centre of the chargeback statement, each the
/// share it owes (BilledCost = EffectiveCost = ListCost), priced per seat-month in the reporting currency.
pub async fn focus_csv(db: &Db, clock: &dyn Clock, actor: &Actor, q: &ChargebackQuery) -> AppResult<String> {
    let (statement, pools, table) = finance::statement(db, clock, actor, q).await?;
    let by_id: std::collections::HashMap<i64, &crate::db::finance::PoolRow> =
        pools.iter().map(|p| (p.facts.id, p)).collect();
    let (first, last) =
        crate::domain::finance::month_bounds(&statement.month).map_err(|m| AppError::field("month", &m))?;
    let end = last.succ_opt().unwrap_or(last);
    let mut c = Converter::new(&table, &statement.reporting_currency);
    let fail = |e: csv::Error| AppError::internal_in("writing the FOCUS CSV", e);
    let headers: Vec<&str> = FOCUS_HEADERS.iter().chain(FOCUS_EXTRA.iter()).copied().collect();
    let mut out = CsvOut::new(&headers).map_err(fail)?;
    for item in &statement.items {
        for line in &item.lines {
            let Some(pool) = by_id.get(&line.pool_id) else { continue };
            let p = &pool.facts;
            let site = p.seats_purchased.is_none();
            // A seat-month's price (the site's month for a site licence) in the reporting currency.
            let unit_month = if site {
                crate::domain::pool::per_month(p.annual_spend_minor())
            } else {
                crate::domain::pool::per_month(p.seat_annual_minor().unwrap_or(0))
            };
            let unit = c.convert(unit_month, &p.currency, statement.counted_on).unwrap_or(0);
            let cost = amount(&line.amount);
            let frequency = match p.billing_period {
                BillingPeriod::OneTime => "One-Time",
                _ => "Recurring",
            };
            let sku = if pool.tier.is_empty() {
                pool.product_name.clone()
            } else {
                format!("{} {}", pool.product_name, pool.tier)
            };
            let mut row: Vec<String> = vec![
                cost.clone(),
                "seatwise".into(),
                "Seatwise license inventory".into(),
                statement.reporting_currency.clone(),
                focus_time(end),
                focus_time(first),
                "Purchase".into(),
                String::new(),
                format!("{} seats of {} ({})", pool.vendor_name, pool.product_name, line.method.label()),
                frequency.into(),
                focus_time(end),
                focus_time(first),
                cost.clone(),
                cost.clone(),
                pool.vendor_name.clone(),
                cost,
                amount(&c.money(unit)),
                quotient(line.amount.amount_minor, unit),
                if site { "Site-Month".into() } else { "Seat-Month".into() },
                pool.vendor_name.clone(),
                pool.vendor_name.clone(),
                "Business Applications".into(),
                pool.product_name.clone(),
                pool.vendor_name.clone(),
                sku,
                item.cost_centre.code.clone(),
                item.cost_centre.name.clone(),
            ];
            row.extend([line.method.as_str().to_string(), line.pool_name.clone(), line.seats.to_string()]);
            out.row(&row).map_err(fail)?;
        }
    }
    out.finish_plain().map_err(fail)
}
