//! Snipe-IT's license export: one row per checked-out seat of the license named in `Item name`, the license's
//! own fields repeated on each of its rows. Real files are messy, so costs like `$41.70`, US or ISO dates and
//! headers in any case or spacing are read, and nothing in them blocks an import except a row that names no
//! license (or breaks the input limits): a value Seatwise cannot read becomes a warning saying what was done
//! instead, and a column Seatwise does not keep (`maintained`, `reassignable`, `supplier`, ...) is not read at
//! all, only listed as ignored.
//!
//! Costs: Snipe-IT has one `purchase cost` per license and does not say what it is the price of. It is read as
//! the price of one seat for a year unless the upload says otherwise ([`CostBasis`]), and the preview says, per
//! license, how it was read and what unit cost and annual cost that makes.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use seatwise_types::{format_money_plain, BillingPeriod, CostBasis, FieldError, ImportColumns, Money};

use crate::domain::csv_file::{CsvFile, Record};
use crate::domain::hr::date_cell;
use crate::domain::{limits, pool};

/// The header of Snipe-IT's license export as it writes it (files in the wild vary: see [`FIELDS`]).
pub const HEADER: [&str; 20] = [
    "Full Name",
    "Email",
    "Username",
    "Item name",
    "serial number",
    "Category",
    "manufacturer",
    "purchase date",
    "purchase cost",
    "purchase order",
    "order number",
    "Licensed To Name",
    "Licensed to Email",
    "expiration date",
    "maintained",
    "reassignable",
    "seats",
    "company",
    "supplier",
    "notes",
];

/// The vendor of licenses whose `manufacturer` cell is empty.
pub const UNKNOWN_VENDOR: &str = "Unknown vendor";

/// The columns Seatwise reads: each field with the header spellings Snipe-IT and its users write.
pub const FIELDS: [(&str, &[&str]); 12] = [
    ("holder_name", &["Full Name", "Name"]),
    ("holder_email", &["Email"]),
    ("item", &["Item name", "License name", "License"]),
    ("manufacturer", &["manufacturer"]),
    ("serial", &["serial number", "serial", "product key"]),
    ("purchase_date", &["purchase date"]),
    ("purchase_cost", &["purchase cost"]),
    ("purchase_order", &["purchase order"]),
    ("order_number", &["order number"]),
    ("expiration", &["expiration date"]),
    ("seats", &["seats"]),
    ("notes", &["notes"]),
];

fn spellings(field: &str) -> &'static [&'static str] {
    FIELDS.iter().find(|(f, _)| *f == field).map_or(&[], |(_, s)| *s)
}

/// One row: the seat it records (holder) and the license fields it repeats.
#[derive(Debug, Clone, PartialEq)]
pub struct SnipeRow {
    pub row: u64,
    pub line: u64,
    pub holder_name: Option<String>,
    /// Only a value that reads as an email address; the row then records a seat.
    pub holder_email: Option<String>,
    pub item: String,
    pub manufacturer: Option<String>,
    pub serial: Option<String>,
    pub purchase_date: Option<NaiveDate>,
    /// Minor units and currency, when the cell reads as an amount.
    pub cost: Option<(i64, String)>,
    pub order: Option<String>,
    pub expiration: Option<NaiveDate>,
    pub seats: Option<i64>,
    pub notes: Option<String>,
}

/// A license as the file describes it: its first row's fields, and every row that names it.
#[derive(Debug, Clone, PartialEq)]
pub struct License {
    pub vendor: String,
    pub name: String,
    /// The row the license's fields come from (its first).
    pub first: SnipeRow,
    /// The seat count: the file's, else the seats it checks out.
    pub seats: i64,
    /// Rows with a seat holder: row number, email, name.
    pub holders: Vec<(u64, String, Option<String>)>,
}

impl License {
    /// Matched to pools by vendor and name, any case.
    pub fn key(&self) -> (String, String) {
        (self.vendor.to_lowercase(), self.name.to_lowercase())
    }

    /// Serial number and notes, as the pool's notes.
    pub fn notes(&self) -> Option<String> {
        [self.first.serial.as_ref().map(|s| format!("Serial / key: {s}")), self.first.notes.clone()]
            .into_iter()
            .flatten()
            .reduce(|a, b| format!("{a}\n{b}"))
    }
}

/// What a file says, or what it could not say: rows in error are left out of `licenses`.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub rows: usize,
    pub licenses: Vec<License>,
    pub row_errors: Vec<FieldError>,
    pub warnings: Vec<FieldError>,
    pub columns: ImportColumns,
}

/// `$41.70`, `"$1,234.5"`, `779`, `€12,50` is not accepted (ambiguous decimal comma); returns minor units.
pub fn parse_cost(s: &str) -> Option<(i64, &'static str)> {
    let t = s.trim();
    let (currency, rest) = match t.chars().next()? {
        '$' => ("USD", &t[1..]),
        '€' => ("EUR", &t['€'.len_utf8()..]),
        '£' => ("GBP", &t['£'.len_utf8()..]),
        _ => ("USD", t),
    };
    let digits = rest.trim().replace(',', "");
    let (whole, frac) = digits.split_once('.').unwrap_or((&digits, ""));
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let cents: i64 = format!("{frac:0<2}").parse().ok()?;
    Some((whole.parse::<i64>().ok()?.checked_mul(100)?.checked_add(cents)?, currency))
}

fn looks_like_email(s: &str) -> bool {
    s.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !s.contains(' '))
}

struct RowProblems<'a> {
    row: u64,
    line: u64,
    errors: &'a mut Vec<FieldError>,
    warnings: &'a mut Vec<FieldError>,
}

impl RowProblems<'_> {
    fn at(&self, column: &str, message: String) -> FieldError {
        FieldError { path: column.into(), message, row: Some(self.row), line: Some(self.line) }
    }
    fn error(&mut self, column: &str, message: String) {
        let e = self.at(column, message);
        self.errors.push(e);
    }
    fn warn(&mut self, column: &str, message: String) {
        let w = self.at(column, message);
        self.warnings.push(w);
    }
}

/// The header as the file writes it for a field, for messages (the first spelling when the file has none).
fn header_of(file: &CsvFile, field: &str) -> String {
    let names = spellings(field);
    match names.iter().find_map(|n| file.column(n)).and_then(|i| file.original.get(i)) {
        Some(header) => header.clone(),
        None => names.first().copied().unwrap_or(field).to_string(),
    }
}

fn read_row(file: &CsvFile, record: &Record, errors: &mut Vec<FieldError>, warnings: &mut Vec<FieldError>) -> SnipeRow {
    let get = |field: &str| record.get_any(file, spellings(field));
    let col = |field: &str| header_of(file, field);
    let mut p = RowProblems { row: record.row, line: record.line, errors, warnings };
    for (field, _) in FIELDS {
        let problem = get(field).and_then(if field == "notes" { limits::text_problem } else { limits::line_problem });
        if let Some(m) = problem {
            p.error(&col(field), m.into());
        }
    }
    let item = get("item").unwrap_or_default().to_string();
    if item.is_empty() {
        p.error(&col("item"), "is empty: the row names no license".into());
    }
    let cost = get("purchase_cost").and_then(|v| match parse_cost(v) {
        Some((minor, _)) if limits::amount_problem(minor).is_some() => {
            p.warn(
                &col("purchase_cost"),
                format!("{v:?} is more than the largest amount accepted: the cost is left out"),
            );
            None
        }
        Some((minor, currency)) => Some((minor, currency.to_string())),
        None => {
            p.warn(&col("purchase_cost"), format!("{v:?} is not an amount such as $41.70: the cost is left out"));
            None
        }
    });
    let mut date = |field: &str| {
        date_cell(get(field)).unwrap_or_else(|m| {
            p.warn(&col(field), format!("{m}: the date is left out"));
            None
        })
    };
    let purchase_date = date("purchase_date");
    let mut expiration = date("expiration");
    if let (Some(bought), Some(ends)) = (purchase_date, expiration) {
        if ends < bought {
            p.warn(
                &col("expiration"),
                format!("{ends} is before the purchase date {bought}: the expiration was dropped"),
            );
            expiration = None;
        }
    }
    let seats = get("seats").and_then(|v| match v.parse::<i64>() {
        Ok(n) if (0..=pool::MAX_SEATS).contains(&n) => Some(n),
        _ => {
            p.warn(&col("seats"), format!("{v:?} is not a seat count: the license's seats are counted from this file"));
            None
        }
    });
    let holder_email = get("holder_email").and_then(|e| {
        let e = e.to_lowercase();
        if looks_like_email(&e) {
            Some(e)
        } else {
            p.warn(&col("holder_email"), format!("{e:?} is not an email address: no seat is recorded for this row"));
            None
        }
    });
    SnipeRow {
        row: record.row,
        line: record.line,
        holder_name: get("holder_name").map(str::to_string),
        holder_email,
        item,
        manufacturer: get("manufacturer").map(str::to_string),
        serial: get("serial").map(str::to_string),
        purchase_date,
        cost,
        order: get("purchase_order").or(get("order_number")).map(str::to_string),
        expiration,
        seats,
        notes: get("notes").map(str::to_string),
    }
}

/// Read a whole file. `Err` only when it cannot be an export of licenses at all (no header, no `Item name`).
pub fn parse(text: &str) -> Result<Parsed, Vec<FieldError>> {
    let (file, records) = CsvFile::open(text)?;
    let columns = file.columns(&FIELDS);
    if !columns.recognised.iter().any(|c| c.field == "item") {
        return Err(vec![FieldError::new(
            "file",
            format!(
                "The header has no “Item name” column, which names each license, so this is not a Snipe-IT license \
                 export. Its columns are: {}.",
                file.original.join(", ")
            ),
        )]);
    }
    let mut row_errors = Vec::new();
    let mut warnings = Vec::new();
    let mut rows = Vec::new();
    let mut total = 0;
    for record in records {
        total += 1;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                row_errors.push(e);
                continue;
            }
        };
        let record = &record;
        let before = row_errors.len();
        let mut row_warnings = Vec::new();
        let row = read_row(&file, record, &mut row_errors, &mut row_warnings);
        if row_errors.len() == before {
            rows.push((row, row_warnings));
        }
    }
    for missing in ["manufacturer", "seats"] {
        if !columns.recognised.iter().any(|c| c.field == missing) {
            let instead = if missing == "seats" {
                "each license gets as many seats as the file checks out"
            } else {
                "every license is filed under the vendor “Unknown vendor”"
            };
            warnings.push(FieldError::new("file", format!("The file has no {missing} column: {instead}.")));
        }
    }
    let mut licenses: BTreeMap<(String, String), License> = BTreeMap::new();
    for (r, row_warnings) in rows {
        let vendor = r.manufacturer.clone().unwrap_or_else(|| UNKNOWN_VENDOR.to_string());
        let key = (vendor.to_lowercase(), r.item.to_lowercase());
        let first = !licenses.contains_key(&key);
        // A license's fields come from its first row: only that row's warnings about them matter.
        let license_fields = ["purchase_cost", "purchase_date", "expiration", "seats"].map(|f| header_of(&file, f));
        for w in row_warnings {
            if first || !license_fields.contains(&w.path) {
                warnings.push(w);
            }
        }
        if first && r.manufacturer.is_none() && columns.recognised.iter().any(|c| c.field == "manufacturer") {
            warnings.push(FieldError {
                path: header_of(&file, "manufacturer"),
                message: format!("is empty: {:?} is filed under the vendor “{UNKNOWN_VENDOR}”", r.item),
                row: Some(r.row),
                line: Some(r.line),
            });
        }
        let license = licenses.entry(key).or_insert_with(|| License {
            vendor,
            name: r.item.clone(),
            first: r.clone(),
            seats: 0,
            holders: Vec::new(),
        });
        if let Some(email) = &r.holder_email {
            license.holders.push((r.row, email.clone(), r.holder_name.clone()));
        }
    }
    let licenses = licenses
        .into_values()
        .map(|mut l| {
            l.seats = l.first.seats.unwrap_or(l.holders.len() as i64);
            l
        })
        .collect();
    // By row, then in the file's column order, as people read the file.
    warnings.sort_by_key(|w| (w.row, w.line, file.original.iter().position(|h| *h == w.path)));
    Ok(Parsed { rows: total, licenses, row_errors, warnings, columns })
}

/// A license's cost as a pool's unit cost and billing period, with the sentence the preview shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CostRead {
    pub unit: Money,
    pub period: BillingPeriod,
    pub sentence: String,
}

/// Read a purchase cost as `basis` says, for `seats` seats.
pub fn read_cost(license: &str, cost_minor: i64, currency: &str, seats: i64, basis: CostBasis) -> CostRead {
    let cost = Money::new(cost_minor, currency);
    let (unit_minor, period, per) = match basis {
        CostBasis::SeatYear => (cost_minor, BillingPeriod::Annual, "per seat per year"),
        CostBasis::SeatMonth => (cost_minor, BillingPeriod::Monthly, "per seat per month"),
        // Rounded half up to the minor unit: the unit cost is what a seat costs, the total follows from it.
        CostBasis::TotalYear if seats > 0 => {
            ((cost_minor * 2 + seats) / (seats * 2), BillingPeriod::Annual, "per seat per year")
        }
        CostBasis::TotalYear => (cost_minor, BillingPeriod::Annual, "per seat per year"),
    };
    let unit = Money::new(unit_minor, currency);
    let annual = pool::annual_cost_minor(unit_minor, period, Some(seats), None, None)
        .map(|a| format!(", {} a year for {seats} seats", format_money_plain(&Money::new(a, currency))))
        .unwrap_or_default();
    let divided = match basis {
        CostBasis::TotalYear if seats > 0 => format!(" ({} ÷ {seats} seats)", format_money_plain(&cost)),
        CostBasis::TotalYear => " (the license has no seats to divide it by)".to_string(),
        _ => String::new(),
    };
    let sentence = format!(
        "{license}: purchase cost {} read as {} → unit cost {} {per}{divided}{annual}.",
        format_money_plain(&cost),
        basis.label(),
        format_money_plain(&unit),
    );
    CostRead { unit, period, sentence }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messy_values() {
        assert_eq!(parse_cost("$41.70"), Some((4170, "USD")));
        assert_eq!(parse_cost("$1,234.5"), Some((123_450, "USD")));
        assert_eq!(parse_cost("779"), Some((77_900, "USD")));
        assert_eq!(parse_cost("£9.99"), Some((999, "GBP")));
        assert_eq!(parse_cost("12,50 EUR"), None);
    }

    #[test]
    fn reads_the_sample_with_its_multi_line_note() {
        let parsed = parse(&crate::domain::hr::tests::sample("snipeit-licenses.csv")).unwrap();
        assert!(parsed.row_errors.is_empty(), "{:?}", parsed.row_errors);
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
        let jetbrains = parsed.licenses.iter().find(|l| l.name == "JetBrains All Products Pack").unwrap();
        assert_eq!(jetbrains.first.cost, Some((77_900, "USD".into())));
        assert!(jetbrains.first.notes.as_deref().unwrap_or_default().contains('\n'));
        assert_eq!(jetbrains.seats, 40);
        // The row after a two-line quoted note starts two lines later.
        assert_eq!(jetbrains.holders.iter().map(|h| h.0).collect::<Vec<_>>(), [3, 4]);
        let visio = parsed.licenses.iter().find(|l| l.name == "Microsoft Visio Plan 2").unwrap();
        assert!(visio.holders.is_empty());
        assert_eq!(visio.first.expiration, NaiveDate::from_ymd_opt(2026, 6, 29));
        let ignored = &parsed.columns.ignored;
        for c in ["Username", "Category", "maintained", "reassignable", "company", "supplier"] {
            assert!(ignored.iter().any(|i| i == c), "{c} ignored: {ignored:?}");
        }
    }

    #[test]
    fn what_cannot_be_read_is_a_warning_naming_row_and_column() {
        let text = "Name,Email,Item Name,Manufacturer,Purchase Date,Purchase Cost,Expiration Date,Seats,Reassignable\n\
                    A,a@example.com,Tool,,13/01/2025,$x,,five,sometimes\n\
                    B,b-at-example,Tool,,,,,,\n\
                    C,c@example.com,Kit,Acme,07/06/2016,$10,07/01/2016,3,\n\
                    D,d@example.com,,Acme,,,,,\n";
        let parsed = parse(text).unwrap();
        let found: Vec<(Option<u64>, &str)> = parsed.warnings.iter().map(|w| (w.row, w.path.as_str())).collect();
        assert_eq!(
            found,
            [
                (Some(1), "Manufacturer"),
                (Some(1), "Purchase Date"),
                (Some(1), "Purchase Cost"),
                (Some(1), "Seats"),
                (Some(2), "Email"),
                (Some(3), "Expiration Date"),
            ],
            "{:?}",
            parsed.warnings
        );
        assert!(parsed.warnings[5].message.contains("expiration was dropped"));
        assert_eq!(parsed.row_errors.len(), 1);
        assert_eq!((parsed.row_errors[0].row, parsed.row_errors[0].path.as_str()), (Some(4), "Item Name"));
        let tool = parsed.licenses.iter().find(|l| l.name == "Tool").unwrap();
        assert_eq!(tool.vendor, UNKNOWN_VENDOR);
        assert_eq!(tool.seats, 1, "counted from the one valid holder");
        assert_eq!(tool.first.cost, None);
        let kit = parsed.licenses.iter().find(|l| l.name == "Kit").unwrap();
        assert_eq!((kit.first.purchase_date.is_some(), kit.first.expiration), (true, None));
        assert_eq!(parsed.columns.ignored, ["Reassignable"]);
    }

    #[test]
    fn a_file_without_licenses_is_refused_in_one_message() {
        let errors = parse("First Name,Last Name,Email\nA,B,a@example.com\n").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("Item name"), "{}", errors[0].message);
    }

    #[test]
    fn costs_are_read_as_the_basis_says() {
        let year = read_cost("JetBrains", 77_900, "USD", 40, CostBasis::SeatYear);
        assert_eq!((year.unit.amount_minor, year.period), (77_900, BillingPeriod::Annual));
        assert_eq!(
            year.sentence,
            "JetBrains: purchase cost 779.00 USD read as the price of one seat for a year → unit cost 779.00 USD per \
             seat per year, 31160.00 USD a year for 40 seats."
        );
        let month = read_cost("Zoom", 1832, "USD", 120, CostBasis::SeatMonth);
        assert_eq!((month.unit.amount_minor, month.period), (1832, BillingPeriod::Monthly));
        assert!(
            month.sentence.ends_with("per seat per month, 26380.80 USD a year for 120 seats."),
            "{}",
            month.sentence
        );
        let total = read_cost("JetBrains", 77_900, "USD", 40, CostBasis::TotalYear);
        assert_eq!(total.unit.amount_minor, 1948, "779.00 / 40 = 19.475, rounded half up");
        assert!(total.sentence.contains("(779.00 USD ÷ 40 seats)"), "{}", total.sentence);
    }
}
