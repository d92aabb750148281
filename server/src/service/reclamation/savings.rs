//! The savings log: entries page by page with totals by month, and the same as CSV and XLSX for a quarterly
//! business review.

use seatwise_types::{money_totals, Money, Saving, SavingEntry, SavingsMonth, SavingsPage, SavingsQuery};

use crate::auth::Actor;
use crate::db::reclamation::savings as store;
use crate::db::Db;
use crate::domain::access::{self, Reach};
use crate::domain::csv_out::{amount, CsvOut};
use crate::error::{AppError, AppResult};

fn check(q: &SavingsQuery) -> AppResult<()> {
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if to < from {
            return Err(AppError::field("to", "must be on or after from"));
        }
    }
    if let Some(m) = &q.month {
        let first = chrono::NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok();
        if m.len() != 7 || !first.is_some_and(crate::domain::limits::date_in_range) {
            return Err(AppError::field("month", "must be a month such as 2026-11"));
        }
    }
    Ok(())
}

async fn months(conn: &mut crate::db::Conn, q: &SavingsQuery, scope: Option<&Reach>) -> AppResult<Vec<SavingsMonth>> {
    Ok(store::months(conn, q, scope)
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
    let items = store::list(&mut conn, q, filter.as_ref(), Some((per_page, (page - 1) * per_page))).await?;
    let total = store::count(&mut conn, q, filter.as_ref()).await?;
    let months = months(&mut conn, q, filter.as_ref()).await?;
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
    let entries = store::list(&mut conn, q, filter.as_ref(), None).await?;
    let months = months(&mut conn, q, filter.as_ref()).await?;
    Ok((entries, months))
}

/// Headers and rows of an export, the same for CSV and XLSX. The department is the person's (when the seat was
/// removed), the cost centre the pool's.
const HEADERS: [&str; 12] = [
    "removed_on",
    "person",
    "pool",
    "person_department",
    "pool_cost_centre",
    "kind",
    "category",
    "monthly_saving",
    "annual_saving",
    "currency",
    "price_source",
    "restored_at",
];

/// One row of an export: an entry as logged, or the reversal of a restored one (its amounts negated, kind
/// `restored`), so the amount columns sum to the page's totals to the cent.
struct Row<'a> {
    entry: &'a SavingEntry,
    reversal: bool,
}

impl Row<'_> {
    fn kind(&self) -> &str {
        if self.reversal {
            "restored"
        } else {
            &self.entry.kind
        }
    }

    fn signed(&self, m: &Money) -> Money {
        if self.reversal {
            Money::new(-m.amount_minor, m.currency.clone())
        } else {
            m.clone()
        }
    }
}

fn rows(entries: &[SavingEntry]) -> Vec<Row<'_>> {
    entries
        .iter()
        .flat_map(|entry| {
            let undone = entry.reversed_at.is_some().then_some(Row { entry, reversal: true });
            std::iter::once(Row { entry, reversal: false }).chain(undone)
        })
        .collect()
}

/// The entries as CSV (amounts in major units with the currency's digits, one column for the currency).
pub fn csv(entries: &[SavingEntry]) -> AppResult<String> {
    let fail = |e: csv::Error| AppError::internal_in("writing the savings CSV", e);
    let mut out = CsvOut::new(&HEADERS).map_err(fail)?;
    for r in rows(entries) {
        let e = r.entry;
        out.row(&[
            e.removed_on.to_string(),
            e.person_name.clone(),
            e.pool_name.clone(),
            e.department_name.clone().unwrap_or_default(),
            e.cost_centre_code.clone(),
            r.kind().to_string(),
            e.category.clone(),
            amount(&r.signed(&e.monthly)),
            amount(&r.signed(&e.annual)),
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
    use crate::domain::xlsx_out::{excel_date, excel_time, major, money_format};
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::internal_in("writing the savings workbook", e);
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet().set_name("Savings").map_err(fail)?;
    for (col, h) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *h, &bold).map_err(fail)?;
    }
    // Dates are date cells (they sort and filter as dates), shown as ISO dates whatever the reader's locale.
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let time_format = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    for (i, r) in rows(entries).iter().enumerate() {
        let (row, e) = (i as u32 + 1, r.entry);
        let money = money_format(&e.monthly.currency);
        sheet.write_date_with_format(row, 0, &excel_date(e.removed_on).map_err(fail)?, &date_format).map_err(fail)?;
        sheet.write_string(row, 1, &e.person_name).map_err(fail)?;
        sheet.write_string(row, 2, &e.pool_name).map_err(fail)?;
        sheet.write_string(row, 3, e.department_name.as_deref().unwrap_or("")).map_err(fail)?;
        sheet.write_string(row, 4, &e.cost_centre_code).map_err(fail)?;
        sheet.write_string(row, 5, r.kind()).map_err(fail)?;
        sheet.write_string(row, 6, &e.category).map_err(fail)?;
        sheet.write_number_with_format(row, 7, major(&r.signed(&e.monthly)), &money).map_err(fail)?;
        sheet.write_number_with_format(row, 8, major(&r.signed(&e.annual)), &money).map_err(fail)?;
        sheet.write_string(row, 9, &e.monthly.currency).map_err(fail)?;
        sheet.write_string(row, 10, &e.price_source).map_err(fail)?;
        if let Some(at) = e.reversed_at {
            sheet.write_datetime_with_format(row, 11, &excel_time(at).map_err(fail)?, &time_format).map_err(fail)?;
        }
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
