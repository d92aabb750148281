//! The savings log: entries page by page with totals by month, and the same as CSV and XLSX for a quarterly
//! business review.

use seatwise_types::{money_totals, Money, Saving, SavingEntry, SavingsMonth, SavingsPage, SavingsQuery};

use crate::auth::Actor;
use crate::db::reclamation::savings as store;
use crate::db::Db;
use crate::domain::access;
use crate::domain::csv_out::CsvOut;
use crate::error::{AppError, AppResult};

fn check(q: &SavingsQuery) -> AppResult<()> {
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if to < from {
            return Err(AppError::field("to", "must be on or after from"));
        }
    }
    Ok(())
}

async fn months(
    conn: &mut crate::db::Conn,
    q: &SavingsQuery,
    departments: Option<&[i64]>,
) -> AppResult<Vec<SavingsMonth>> {
    Ok(store::months(conn, q, departments)
        .await?
        .into_iter()
        .map(|(month, currency, seats, monthly, annual)| SavingsMonth {
            month,
            seats,
            monthly: Money::new(monthly, currency.clone()),
            annual: Money::new(annual, currency),
        })
        .collect())
}

pub async fn list(db: &Db, actor: &Actor, q: &SavingsQuery) -> AppResult<SavingsPage> {
    let scope = access::may_read_reclamation(&actor.user)?;
    check(q)?;
    let (page, per_page) = crate::service::paging(q.page, q.per_page)?;
    let filter = scope.as_filter();
    let mut conn = db.read.acquire().await?;
    let items = store::list(&mut conn, q, filter.as_deref(), Some((per_page, (page - 1) * per_page))).await?;
    let total = store::count(&mut conn, q, filter.as_deref()).await?;
    let months = months(&mut conn, q, filter.as_deref()).await?;
    let totals = Saving {
        monthly: money_totals(months.iter().map(|m| &m.monthly)),
        annual: money_totals(months.iter().map(|m| &m.annual)),
    };
    Ok(SavingsPage { items, total, page, per_page, totals, months })
}

/// Every entry the filters match, newest first, with the sums by month, for the exports.
pub async fn all(db: &Db, actor: &Actor, q: &SavingsQuery) -> AppResult<(Vec<SavingEntry>, Vec<SavingsMonth>)> {
    let scope = access::may_read_reclamation(&actor.user)?;
    check(q)?;
    let filter = scope.as_filter();
    let mut conn = db.read.acquire().await?;
    let entries = store::list(&mut conn, q, filter.as_deref(), None).await?;
    let months = months(&mut conn, q, filter.as_deref()).await?;
    Ok((entries, months))
}

fn amount(m: &Money) -> String {
    let plain = seatwise_types::format_money_plain(m);
    plain.split(' ').next().unwrap_or_default().to_string()
}

/// Headers and rows of an export, the same for CSV and XLSX.
const HEADERS: [&str; 12] = [
    "removed_on",
    "person",
    "pool",
    "department",
    "cost_centre",
    "kind",
    "category",
    "monthly_saving",
    "annual_saving",
    "currency",
    "price_source",
    "reversed_at",
];

/// The entries as CSV (amounts in major units with the currency's digits, one column for the currency).
pub fn csv(entries: &[SavingEntry]) -> AppResult<String> {
    let fail = |e: csv::Error| AppError::internal_in("writing the savings CSV", e);
    let mut out = CsvOut::new(&HEADERS).map_err(fail)?;
    for e in entries {
        out.row(&[
            e.removed_on.to_string(),
            e.person_name.clone(),
            e.pool_name.clone(),
            e.department_name.clone().unwrap_or_default(),
            e.cost_centre_code.clone(),
            e.kind.clone(),
            e.category.clone(),
            amount(&e.monthly),
            amount(&e.annual),
            e.monthly.currency.clone(),
            e.price_source.clone(),
            e.reversed_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        ])
        .map_err(fail)?;
    }
    out.finish().map_err(fail)
}

/// The entries and the months as an XLSX workbook: amounts as numbers in the currency's digits, so they sum.
pub fn xlsx(entries: &[SavingEntry], months: &[SavingsMonth]) -> AppResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::internal_in("writing the savings workbook", e);
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let money_format = |currency: &str| {
        let digits = seatwise_types::currency_minor_digits(currency).unwrap_or(2);
        let pattern = if digits == 0 { "#,##0".to_string() } else { format!("#,##0.{}", "0".repeat(digits as usize)) };
        Format::new().set_num_format(pattern)
    };
    let major = |m: &Money| {
        let digits = seatwise_types::currency_minor_digits(&m.currency).unwrap_or(2);
        m.amount_minor as f64 / 10f64.powi(digits as i32)
    };
    let sheet = book.add_worksheet().set_name("Savings").map_err(fail)?;
    for (col, h) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *h, &bold).map_err(fail)?;
    }
    for (i, e) in entries.iter().enumerate() {
        let row = i as u32 + 1;
        let money = money_format(&e.monthly.currency);
        sheet.write_string(row, 0, e.removed_on.to_string()).map_err(fail)?;
        sheet.write_string(row, 1, &e.person_name).map_err(fail)?;
        sheet.write_string(row, 2, &e.pool_name).map_err(fail)?;
        sheet.write_string(row, 3, e.department_name.as_deref().unwrap_or("")).map_err(fail)?;
        sheet.write_string(row, 4, &e.cost_centre_code).map_err(fail)?;
        sheet.write_string(row, 5, &e.kind).map_err(fail)?;
        sheet.write_string(row, 6, &e.category).map_err(fail)?;
        sheet.write_number_with_format(row, 7, major(&e.monthly), &money).map_err(fail)?;
        sheet.write_number_with_format(row, 8, major(&e.annual), &money).map_err(fail)?;
        sheet.write_string(row, 9, &e.monthly.currency).map_err(fail)?;
        sheet.write_string(row, 10, &e.price_source).map_err(fail)?;
        sheet.write_string(row, 11, e.reversed_at.map(|t| t.to_rfc3339()).unwrap_or_default()).map_err(fail)?;
    }
    let by_month = book.add_worksheet().set_name("By month").map_err(fail)?;
    for (col, h) in ["month", "seats", "monthly_saving", "annual_saving", "currency"].iter().enumerate() {
        by_month.write_string_with_format(0, col as u16, *h, &bold).map_err(fail)?;
    }
    for (i, m) in months.iter().enumerate() {
        let row = i as u32 + 1;
        let money = money_format(&m.monthly.currency);
        by_month.write_string(row, 0, &m.month).map_err(fail)?;
        by_month.write_number(row, 1, m.seats as f64).map_err(fail)?;
        by_month.write_number_with_format(row, 2, major(&m.monthly), &money).map_err(fail)?;
        by_month.write_number_with_format(row, 3, major(&m.annual), &money).map_err(fail)?;
        by_month.write_string(row, 4, &m.monthly.currency).map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}
