//! The limits every input obeys, in one place: dates, money and text. Each validator calls these per field, so an
//! API body, an import row and a SCIM attribute are held to the same rule.

use chrono::{DateTime, NaiveDate, Utc};
use seatwise_types::FieldError;

/// The accepted range of dates and times is the API shapes' own (`seatwise_types::when`), so an API body, an
/// import row and a SCIM attribute are held to one range.
pub use seatwise_types::when::{date_in_range, MAX_DATE, MIN_DATE};

/// The largest amount of money Seatwise accepts or derives, in minor units: 10^13, i.e. 100 billion major units
/// (USD 100,000,000,000.00). It bounds every amount entered (unit cost, contract and decision prices, import costs)
/// and a pool's derived annual cost, so sums over up to 900,000 records still fit in an `i64`.
pub const MAX_AMOUNT_MINOR: i64 = 10_000_000_000_000;

/// The longest span in days a filter or a rule takes (ten years).
pub const MAX_DAYS: i64 = 3650;

/// A number of days a list filter takes (0 to [`MAX_DAYS`]), or the field error for `path`.
pub fn filter_days(path: &str, days: Option<i64>) -> Result<Option<i64>, FieldError> {
    match days {
        Some(d) if !(0..=MAX_DAYS).contains(&d) => {
            Err(FieldError::new(path, format!("must be between 0 and {MAX_DAYS}")))
        }
        d => Ok(d),
    }
}

/// The message for a date outside the range.
pub fn date_message() -> String {
    seatwise_types::when::range_message()
}

/// Record a field error when an optional date lies outside the range.
pub fn check_date(errors: &mut Vec<FieldError>, path: &str, date: Option<NaiveDate>) {
    if date.is_some_and(|d| !date_in_range(d)) {
        errors.push(FieldError::new(path, date_message()));
    }
}

/// A timestamp whose date lies outside the range is as wrong as such a date.
pub fn check_timestamp(errors: &mut Vec<FieldError>, path: &str, at: Option<DateTime<Utc>>) {
    check_date(errors, path, at.map(|t| t.date_naive()));
}

/// The message for an amount outside `0..=MAX_AMOUNT_MINOR`, if it is.
pub fn amount_problem(amount_minor: i64) -> Option<String> {
    if amount_minor < 0 {
        Some("must be 0 or more".into())
    } else if amount_minor > MAX_AMOUNT_MINOR {
        Some(format!("must be at most {MAX_AMOUNT_MINOR} (minor units)"))
    } else {
        None
    }
}

/// Record a field error when an amount lies outside `0..=MAX_AMOUNT_MINOR`.
pub fn check_amount(errors: &mut Vec<FieldError>, path: &str, amount_minor: i64) {
    if let Some(m) = amount_problem(amount_minor) {
        errors.push(FieldError::new(path, m));
    }
}

/// Unicode bidirectional embeddings, overrides and isolates: they reorder how text displays (a name that reads
/// differently from what it is).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// What is wrong with a single-line value (a name, title, number): any C0 or C1 control character (NUL, TAB,
/// CR, LF, ESC, ...), DEL, or a bidi override or isolate.
pub fn line_problem(value: &str) -> Option<&'static str> {
    value.chars().find_map(|c| {
        if c.is_control() {
            Some("must not contain control characters (line breaks, tabs, NUL, escape)")
        } else if is_bidi_control(c) {
            Some("must not contain bidirectional text overrides")
        } else {
            None
        }
    })
}

/// What is wrong with a multi-line value (notes, comments): as for a single line, except that line feeds, CR LF
/// pairs and tabs are allowed. A lone CR is not (it splits lines differently in different readers).
pub fn text_problem(value: &str) -> Option<&'static str> {
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        let allowed = match c {
            '\n' | '\t' => true,
            '\r' => chars.peek() == Some(&'\n'),
            _ => false,
        };
        if allowed {
            continue;
        }
        if c.is_control() {
            return Some("must not contain control characters other than line breaks and tabs");
        }
        if is_bidi_control(c) {
            return Some("must not contain bidirectional text overrides");
        }
    }
    None
}

/// Record a field error when `value` is longer than `max` characters (the limits are `seatwise_types::limits`).
pub fn check_chars(errors: &mut Vec<FieldError>, path: &str, value: &str, max: usize) {
    if value.chars().count() > max {
        errors.push(FieldError::new(path, format!("must be at most {max} characters")));
    }
}

/// Record a field error when a single-line value holds a control character.
pub fn check_line(errors: &mut Vec<FieldError>, path: &str, value: Option<&str>) {
    if let Some(m) = value.and_then(line_problem) {
        errors.push(FieldError::new(path, m));
    }
}

/// Record a field error when a multi-line value holds a control character other than a line break or tab.
pub fn check_text(errors: &mut Vec<FieldError>, path: &str, value: Option<&str>) {
    if let Some(m) = value.and_then(text_problem) {
        errors.push(FieldError::new(path, m));
    }
}

/// Record a field error for each repeat in a list that is a set (roles, departments): the repeat is named by its
/// index, so the stored record is exactly what was sent.
pub fn check_distinct<T: PartialEq>(errors: &mut Vec<FieldError>, path: &str, items: &[T]) {
    for (i, item) in items.iter().enumerate() {
        if items[..i].contains(item) {
            errors.push(FieldError::new(format!("{path}[{i}]"), "is listed more than once"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_in_a_set_are_named_by_index() {
        let mut errors = Vec::new();
        check_distinct(&mut errors, "roles", &["admin", "finance", "admin", "admin"]);
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["roles[2]", "roles[3]"]);
        check_distinct(&mut errors, "department_ids", &[1, 2, 3]);
        assert_eq!(errors.len(), 2);
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn dates_are_bounded() {
        assert!(date_in_range(d("1900-01-01")) && date_in_range(d("2199-12-31")));
        assert!(!date_in_range(d("1899-12-31")) && !date_in_range(d("2200-01-01")));
        assert!(!date_in_range(NaiveDate::MAX) && !date_in_range(NaiveDate::MIN));
        let mut errors = Vec::new();
        check_date(&mut errors, "term_end", Some(d("+262142-12-31")));
        check_date(&mut errors, "term_start", None);
        assert_eq!(errors, [FieldError::new("term_end", "must be between 1900-01-01 and 2199-12-31")]);
    }

    #[test]
    fn amounts_are_bounded() {
        assert_eq!(amount_problem(0), None);
        assert_eq!(amount_problem(MAX_AMOUNT_MINOR), None);
        assert!(amount_problem(MAX_AMOUNT_MINOR + 1).is_some());
        assert!(amount_problem(i64::MAX).is_some());
        assert!(amount_problem(-1).is_some());
    }

    #[test]
    fn hostile_characters_are_refused() {
        // (value, allowed on a single line, allowed in multi-line text)
        let cases = [
            ("Zoom Pro", true, true),
            ("Zürich – Ünïcödé 東京", true, true),
            ("a\0b", false, false),
            ("a\rb", false, false),
            ("a\nb", false, true),
            ("a\r\nb", false, true),
            ("a\tb", false, true),
            ("a\u{1b}[31mb", false, false),
            ("a\u{7f}b", false, false),
            ("a\u{85}b", false, false),
            ("a\u{9b}b", false, false),
            ("a\u{202e}gpj.exe", false, false),
            ("a\u{202a}b", false, false),
            ("a\u{2066}b", false, false),
            ("a\u{2069}b", false, false),
            ("\u{200f}mark", true, true),
        ];
        for (value, line_ok, text_ok) in cases {
            assert_eq!(line_problem(value).is_none(), line_ok, "single line {value:?}");
            assert_eq!(text_problem(value).is_none(), text_ok, "text {value:?}");
        }
        let mut errors = Vec::new();
        check_line(&mut errors, "title", Some("x\ny"));
        check_text(&mut errors, "notes", Some("x\ny"));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].path, "title");
    }
}
