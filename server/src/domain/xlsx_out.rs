//! Writing workbooks the way every export does: a bold, frozen header row; money as numbers in the currency's
//! digits with a number format (so a column sums); dates as date cells shown as ISO dates; text as text (a name
//! that looks like a formula stays text).

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use seatwise_types::{currency_minor_digits, Money};

pub fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    // Dates are bounded to 1900..=2199 (`types::when`), inside what both types hold.
    let year = u16::try_from(d.year()).map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8)
}

pub fn excel_time(t: DateTime<Utc>) -> Result<ExcelDateTime, XlsxError> {
    excel_date(t.date_naive())?.and_hms(t.hour() as u16, t.minute() as u8, t.second())
}

/// A money amount in major units, as the number a spreadsheet sums (exact for any amount below 2^53 minor units).
pub fn major(m: &Money) -> f64 {
    let digits = currency_minor_digits(&m.currency).unwrap_or(2);
    m.amount_minor as f64 / 10f64.powi(digits as i32)
}

/// The number format of a currency's amounts: thousands grouped, its minor digits.
pub fn money_format(currency: &str) -> Format {
    let digits = currency_minor_digits(currency).unwrap_or(2);
    let pattern = if digits == 0 { "#,##0".to_string() } else { format!("#,##0.{}", "0".repeat(digits as usize)) };
    Format::new().set_num_format(pattern)
}

/// One sheet being written row by row.
pub struct Sheet<'a> {
    pub ws: &'a mut Worksheet,
    row: u32,
    date: Format,
}

impl<'a> Sheet<'a> {
    /// A new sheet named `name` with a bold header row that stays in view.
    pub fn new(book: &'a mut Workbook, name: &str, headers: &[&str]) -> Result<Self, XlsxError> {
        let ws = book.add_worksheet().set_name(name)?;
        let bold = Format::new().set_bold();
        for (col, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, col as u16, *h, &bold)?;
            ws.set_column_width(col as u16, (h.len() as f64 + 4.0).max(12.0))?;
        }
        ws.set_freeze_panes(1, 0)?;
        Ok(Self { ws, row: 0, date: Format::new().set_num_format("yyyy-mm-dd") })
    }

    /// Start the next row; cells are then written by column.
    pub fn next_row(&mut self) -> u32 {
        self.row += 1;
        self.row
    }

    pub fn text(&mut self, col: u16, value: &str) -> Result<(), XlsxError> {
        self.ws.write_string(self.row, col, value)?;
        Ok(())
    }

    pub fn int(&mut self, col: u16, value: i64) -> Result<(), XlsxError> {
        self.ws.write_number(self.row, col, value as f64)?;
        Ok(())
    }

    /// An optional count or percent: empty when there is none (never a made-up zero).
    pub fn opt_int(&mut self, col: u16, value: Option<i64>) -> Result<(), XlsxError> {
        match value {
            Some(v) => self.int(col, v),
            None => Ok(()),
        }
    }

    pub fn money(&mut self, col: u16, m: &Money) -> Result<(), XlsxError> {
        self.ws.write_number_with_format(self.row, col, major(m), &money_format(&m.currency))?;
        Ok(())
    }

    pub fn opt_money(&mut self, col: u16, m: Option<&Money>) -> Result<(), XlsxError> {
        match m {
            Some(m) => self.money(col, m),
            None => Ok(()),
        }
    }

    pub fn date(&mut self, col: u16, d: NaiveDate) -> Result<(), XlsxError> {
        self.ws.write_date_with_format(self.row, col, &excel_date(d)?, &self.date)?;
        Ok(())
    }

    pub fn opt_date(&mut self, col: u16, d: Option<NaiveDate>) -> Result<(), XlsxError> {
        match d {
            Some(d) => self.date(col, d),
            None => Ok(()),
        }
    }
}
