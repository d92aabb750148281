//! Snipe-IT's license export: one row per checked-out seat of the license named in `Item name`. Real files are
//! messy, so costs like `$41.70`, US or ISO dates and yes/TRUE/false/1 booleans are accepted; anything else is
//! reported by row and column.

use chrono::NaiveDate;
use seatwise_types::FieldError;

use crate::domain::csv_file::CsvFile;
use crate::domain::hr::date_cell;
use crate::domain::limits;

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

#[derive(Debug, Clone, PartialEq)]
pub struct SnipeRow {
    pub row: u64,
    pub line: u64,
    pub holder_name: Option<String>,
    pub holder_email: Option<String>,
    pub item: String,
    pub manufacturer: String,
    pub serial: Option<String>,
    pub purchase_date: Option<NaiveDate>,
    pub cost_minor: i64,
    pub currency: String,
    pub order: Option<String>,
    pub expiration: Option<NaiveDate>,
    pub seats: i64,
    pub notes: Option<String>,
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

pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" => Some(true),
        "no" | "n" | "false" | "0" => Some(false),
        _ => None,
    }
}

pub fn parse(text: &str) -> Result<Vec<SnipeRow>, Vec<FieldError>> {
    let file = CsvFile::read(text)?;
    let missing: Vec<&str> =
        ["Item name", "manufacturer", "seats"].into_iter().filter(|c| file.column(c).is_none()).collect();
    if !missing.is_empty() {
        return Err(vec![FieldError::new("file", format!("the header lacks {}", missing.join(", ")))]);
    }
    let mut rows = Vec::new();
    let mut errors = file.errors.clone();
    for record in &file.records {
        let (row, line) = (record.row, record.line);
        let get = |name: &str| record.get(&file, name);
        let mut problem = |path: &str, message: String| {
            errors.push(FieldError { path: path.into(), message, row: Some(row), line: Some(line) });
        };
        for column in HEADER {
            let value = get(column);
            let m = if column == "notes" {
                value.and_then(limits::text_problem)
            } else {
                value.and_then(limits::line_problem)
            };
            if let Some(m) = m {
                problem(column, m.into());
            }
        }
        let item = get("Item name").unwrap_or_default().to_string();
        if item.is_empty() {
            problem("Item name", "is required".into());
        }
        let manufacturer = get("manufacturer").unwrap_or_default().to_string();
        if manufacturer.is_empty() {
            problem("manufacturer", "is required".into());
        }
        let seats = match get("seats").map(|s| s.parse::<i64>()) {
            Some(Ok(n)) if (0..=10_000_000).contains(&n) => n,
            Some(_) => {
                problem("seats", format!("{:?} is not a seat count", get("seats").unwrap_or_default()));
                0
            }
            None => {
                problem("seats", "is required".into());
                0
            }
        };
        let (cost_minor, currency) = match get("purchase cost") {
            None => (0, "USD"),
            Some(v) => match parse_cost(v) {
                Some((minor, _)) if limits::amount_problem(minor).is_some() => {
                    problem("purchase cost", format!("{v:?} is more than the largest amount accepted"));
                    (0, "USD")
                }
                Some(cost) => cost,
                None => {
                    problem("purchase cost", format!("{v:?} is not an amount such as $41.70"));
                    (0, "USD")
                }
            },
        };
        let mut date = |column: &str| {
            date_cell(get(column)).unwrap_or_else(|m| {
                problem(column, m);
                None
            })
        };
        let purchase_date = date("purchase date");
        let expiration = date("expiration date");
        for column in ["maintained", "reassignable"] {
            if let Some(v) = get(column) {
                if parse_bool(v).is_none() {
                    problem(column, format!("{v:?} is not yes/no/true/false/1/0"));
                }
            }
        }
        let holder_email = get("Email").map(str::to_lowercase);
        if let Some(e) = &holder_email {
            if !e.contains('@') {
                problem("Email", format!("{e:?} is not an email address"));
            }
        }
        rows.push(SnipeRow {
            row,
            line,
            holder_name: get("Full Name").map(str::to_string),
            holder_email,
            item,
            manufacturer,
            serial: get("serial number").map(str::to_string),
            purchase_date,
            cost_minor,
            currency: currency.to_string(),
            order: get("purchase order").or(get("order number")).map(str::to_string),
            expiration,
            seats,
            notes: get("notes").map(str::to_string),
        });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
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
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("1"), Some(true));
        assert_eq!(parse_bool("no"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
    }

    #[test]
    fn reads_the_sample_with_its_multi_line_note() {
        let rows = parse(&crate::domain::hr::tests::sample("snipeit-licenses.csv")).unwrap();
        assert!(rows.len() >= 5);
        let jetbrains: Vec<_> = rows.iter().filter(|r| r.item == "JetBrains All Products Pack").collect();
        assert_eq!(jetbrains[0].cost_minor, 77_900);
        assert!(jetbrains[0].notes.as_deref().unwrap_or_default().contains('\n'));
        // The row after a two-line quoted note starts two lines later.
        assert_eq!(jetbrains[1].line, jetbrains[0].line + 2);
        let visio = rows.iter().find(|r| r.item == "Microsoft Visio Plan 2").unwrap();
        assert_eq!(visio.holder_email, None);
        assert_eq!(visio.expiration, NaiveDate::from_ymd_opt(2026, 6, 29));
    }

    #[test]
    fn bad_values_are_named_by_row_and_column() {
        let text =
            format!("{}\nA,a@example.com,a,Tool,1,C,Acme,13/01/2025,$x,,,,,,perhaps,yes,5,,,\n", HEADER.join(","));
        let errors = parse(&text).unwrap_err();
        let cols: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(cols, ["purchase cost", "purchase date", "maintained"]);
        assert!(errors.iter().all(|e| e.row == Some(1) && e.line == Some(2)));
    }
}
