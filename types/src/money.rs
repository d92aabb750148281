use serde::{Deserialize, Serialize};

/// An exact amount of money: integer minor units (cents) and an ISO 4217 currency code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Money {
    #[cfg_attr(feature = "openapi", schema(example = 4170))]
    pub amount_minor: i64,
    #[cfg_attr(feature = "openapi", schema(example = "USD"))]
    pub currency: String,
}

impl Money {
    pub fn new(amount_minor: i64, currency: impl Into<String>) -> Self {
        Self { amount_minor, currency: currency.into() }
    }
}

/// ISO 4217 codes with their number of minor digits. A closed list: an unknown code is a typo, not a currency.
pub const CURRENCIES: &[(&str, u32)] = &[
    ("AED", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EGP", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("ISK", 0),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("MXN", 2),
    ("MYR", 2),
    ("NGN", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("RON", 2),
    ("SAR", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("THB", 2),
    ("TRY", 2),
    ("TWD", 2),
    ("UAH", 2),
    ("USD", 2),
    ("VND", 0),
    ("ZAR", 2),
];

/// Minor digits of a currency, `None` when the code is not a known ISO 4217 currency.
pub fn currency_minor_digits(code: &str) -> Option<u32> {
    CURRENCIES.iter().find(|(c, _)| *c == code).map(|(_, d)| *d)
}

/// One total per currency, in order of first appearance, so amounts in different currencies are never added.
pub fn money_totals<'a>(amounts: impl IntoIterator<Item = &'a Money>) -> Vec<Money> {
    let mut out: Vec<Money> = Vec::new();
    for m in amounts {
        match out.iter_mut().find(|t| t.currency == m.currency) {
            Some(t) => t.amount_minor = t.amount_minor.saturating_add(m.amount_minor),
            None => out.push(m.clone()),
        }
    }
    out
}

/// Plain formatting used where no locale-aware formatter is at hand (logs, CSV): `1234.50 USD`.
pub fn format_money_plain(m: &Money) -> String {
    let digits = currency_minor_digits(&m.currency).unwrap_or(2);
    if digits == 0 {
        return format!("{} {}", m.amount_minor, m.currency);
    }
    let scale = 10_i64.pow(digits);
    let sign = if m.amount_minor < 0 { "-" } else { "" };
    let abs = m.amount_minor.unsigned_abs();
    let scale = scale.unsigned_abs();
    format!("{sign}{}.{:0width$} {}", abs / scale, abs % scale, m.currency, width = digits as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_minor_units_exactly() {
        assert_eq!(format_money_plain(&Money::new(4170, "USD")), "41.70 USD");
        assert_eq!(format_money_plain(&Money::new(-5, "EUR")), "-0.05 EUR");
        assert_eq!(format_money_plain(&Money::new(1200, "JPY")), "1200 JPY");
        assert_eq!(format_money_plain(&Money::new(1001, "KWD")), "1.001 KWD");
    }

    #[test]
    fn knows_currencies() {
        assert_eq!(currency_minor_digits("USD"), Some(2));
        assert_eq!(currency_minor_digits("XYZ"), None);
    }
}
