//! Money across currencies, exactly. A dated rate table says how many units of the reporting currency one unit of
//! another currency is worth from a day on; a figure on a day uses the latest rate on or before it. Converting
//! multiplies integer minor units by the rate as an exact decimal (never a float) and rounds once, at the end, half
//! away from zero to the reporting currency's minor unit. Sums convert each amount and then add, so a total is
//! the sum of the converted figures shown beside it.

use chrono::NaiveDate;
use seatwise_types::currency_minor_digits;

/// The most decimal places a rate may have.
pub const MAX_RATE_DECIMALS: u32 = 10;
/// The largest rate accepted (units of the reporting currency per unit): wide enough for any real pair.
const MAX_RATE_UNITS: i128 = 1_000_000;

/// A rate as an exact decimal: `mantissa / 10^scale` units of the reporting currency per unit of `currency`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rate {
    pub currency: String,
    pub mantissa: i128,
    pub scale: u32,
    /// The first day it applies.
    pub from: NaiveDate,
}

impl Rate {
    /// The rate as written ("1.0850"), without trailing zeros beyond the first decimal.
    pub fn text(&self) -> String {
        let unit = 10i128.pow(self.scale);
        let (whole, frac) = (self.mantissa / unit, self.mantissa % unit);
        if self.scale == 0 {
            return whole.to_string();
        }
        let frac = format!("{frac:0w$}", w = self.scale as usize);
        let frac = frac.trim_end_matches('0');
        format!("{whole}.{}", if frac.is_empty() { "0" } else { frac })
    }
}

/// A rate's text read exactly: a positive decimal with at most [`MAX_RATE_DECIMALS`] places, below 1,000,000.
/// `Err` says why, for the field.
pub fn parse_rate(text: &str) -> Result<(i128, u32), String> {
    let t = text.trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(whole) || !(frac.is_empty() || digits(frac)) {
        return Err(format!("{t:?} is not a decimal number such as 1.0850"));
    }
    if frac.len() > MAX_RATE_DECIMALS as usize {
        return Err(format!("has more than {MAX_RATE_DECIMALS} decimal places"));
    }
    let scale = frac.len() as u32;
    let too_big = || format!("must be below {MAX_RATE_UNITS}");
    let whole: i128 = whole.parse().map_err(|_| too_big())?;
    if whole >= MAX_RATE_UNITS {
        return Err(too_big());
    }
    let frac: i128 = if frac.is_empty() { 0 } else { frac.parse().map_err(|_| too_big())? };
    let mantissa = whole * 10i128.pow(scale) + frac;
    if mantissa == 0 {
        return Err("must be more than 0".into());
    }
    Ok((mantissa, scale))
}

/// The rate for `currency` on `day`: the latest that applies from that day or before.
pub fn rate_on<'a>(rates: &'a [Rate], currency: &str, day: NaiveDate) -> Option<&'a Rate> {
    rates.iter().filter(|r| r.currency == currency && r.from <= day).max_by_key(|r| r.from)
}

/// `amount_minor` of `from` in minor units of `to` at `rate` (units of `to` per unit of `from`), rounded once,
/// half away from zero. `None` when a currency is unknown or the result does not fit.
pub fn convert(amount_minor: i64, from: &str, to: &str, mantissa: i128, scale: u32) -> Option<i64> {
    let (from_digits, to_digits) = (currency_minor_digits(from)?, currency_minor_digits(to)?);
    // amount / 10^from * mantissa / 10^scale * 10^to, in one exact fraction.
    let numerator = i128::from(amount_minor).checked_mul(mantissa)?.checked_mul(10i128.checked_pow(to_digits)?)?;
    let denominator = 10i128.checked_pow(from_digits.checked_add(scale)?)?;
    let (quotient, remainder) = (numerator / denominator, numerator % denominator);
    let rounded = if remainder.abs() * 2 >= denominator { quotient + numerator.signum() } else { quotient };
    i64::try_from(rounded).ok()
}

/// An amount in the reporting currency: itself in that currency, converted at the rate of `day` otherwise.
/// `Err` names the currency that has no rate on that day.
pub fn to_reporting(
    amount_minor: i64,
    currency: &str,
    reporting: &str,
    rates: &[Rate],
    day: NaiveDate,
) -> Result<i64, String> {
    if currency == reporting {
        return Ok(amount_minor);
    }
    let rate = rate_on(rates, currency, day).ok_or_else(|| format!("no {currency} rate on or before {day}"))?;
    convert(amount_minor, currency, reporting, rate.mantissa, rate.scale)
        .ok_or_else(|| format!("{amount_minor} {currency} does not convert to {reporting}"))
}

/// Converts amounts into the reporting currency and remembers which rates it used, so every figure can show the
/// rate and day behind it.
#[derive(Debug)]
pub struct Converter<'a> {
    rates: &'a [Rate],
    reporting: &'a str,
    used: std::collections::BTreeMap<(String, NaiveDate), String>,
}

impl<'a> Converter<'a> {
    pub fn new(rates: &'a [Rate], reporting: &'a str) -> Self {
        Self { rates, reporting, used: Default::default() }
    }

    pub fn reporting(&self) -> &str {
        self.reporting
    }

    /// An amount already in the reporting currency, as money.
    pub fn money(&self, amount_minor: i64) -> seatwise_types::Money {
        seatwise_types::Money::new(amount_minor, self.reporting)
    }

    /// `amount_minor` of `currency` in the reporting currency at the rate of `day`; `None` when that currency has
    /// no rate on or before it (or the result does not fit).
    pub fn convert(&mut self, amount_minor: i64, currency: &str, day: NaiveDate) -> Option<i64> {
        if currency == self.reporting {
            return Some(amount_minor);
        }
        let rate = rate_on(self.rates, currency, day)?;
        self.used.insert((rate.currency.clone(), rate.from), rate.text());
        convert(amount_minor, currency, self.reporting, rate.mantissa, rate.scale)
    }

    /// The rate `currency` converts at on `day` (its text and first day); `None` for the reporting currency or
    /// without a rate.
    pub fn rate(&self, currency: &str, day: NaiveDate) -> Option<(String, NaiveDate)> {
        if currency == self.reporting {
            return None;
        }
        rate_on(self.rates, currency, day).map(|r| (r.text(), r.from))
    }

    /// Whether `currency` converts on `day`.
    pub fn converts(&self, currency: &str, day: NaiveDate) -> bool {
        currency == self.reporting || rate_on(self.rates, currency, day).is_some()
    }

    /// The rates used so far: (currency, rate text, first day), by currency then day.
    pub fn used(&self) -> Vec<(String, String, NaiveDate)> {
        self.used.iter().map(|((c, d), text)| (c.clone(), text.clone(), *d)).collect()
    }
}

/// A rate as given, checked: the currency (upper-cased, a known ISO 4217 code other than the reporting currency),
/// the rate as its exact text, and the day it applies from. Each problem names its field.
pub fn check_rate(
    currency: &str,
    rate: &str,
    from: NaiveDate,
    reporting: &str,
) -> Result<(String, String, NaiveDate), Vec<seatwise_types::FieldError>> {
    use seatwise_types::FieldError;
    let mut errors = Vec::new();
    let code = currency.trim().to_uppercase();
    if currency_minor_digits(&code).is_none() {
        errors.push(FieldError::new("currency", format!("{:?} is not an ISO 4217 currency code", currency.trim())));
    } else if code == reporting {
        errors.push(FieldError::new("currency", format!("is the reporting currency ({reporting}): it needs no rate")));
    }
    let text = match parse_rate(rate) {
        Ok((mantissa, scale)) => Rate { currency: code.clone(), mantissa, scale, from }.text(),
        Err(m) => {
            errors.push(FieldError::new("rate", m));
            String::new()
        }
    };
    if !crate::domain::limits::date_in_range(from) {
        errors.push(FieldError::new("date", crate::domain::limits::date_message()));
    }
    if errors.is_empty() {
        Ok((code, text, from))
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    fn rate(currency: &str, text: &str, from: &str) -> Rate {
        let (mantissa, scale) = parse_rate(text).unwrap_or((0, 0));
        Rate { currency: currency.into(), mantissa, scale, from: day(from) }
    }

    #[test]
    fn rates_are_read_exactly_and_refused_with_a_reason() {
        assert_eq!(parse_rate("1.0850"), Ok((10_850, 4)));
        assert_eq!(parse_rate(" 0.0067 "), Ok((67, 4)));
        assert_eq!(parse_rate("150"), Ok((150, 0)));
        assert!(parse_rate("0").unwrap_err().contains("more than 0"));
        assert!(parse_rate("-1.2").unwrap_err().contains("decimal number"));
        assert!(parse_rate("1,08").unwrap_err().contains("decimal number"));
        assert!(parse_rate("1.00000000001").unwrap_err().contains("decimal places"));
        assert!(parse_rate("1000000").unwrap_err().contains("below"));
        assert_eq!(rate("EUR", "1.0850", "2026-01-01").text(), "1.085");
        assert_eq!(rate("EUR", "2.000", "2026-01-01").text(), "2.0");
    }

    #[test]
    fn amounts_convert_exactly_and_round_once_half_away_from_zero() {
        // 41.70 EUR at 1.0850 USD/EUR = 45.2445 USD -> 45.24 USD.
        assert_eq!(convert(4_170, "EUR", "USD", 10_850, 4), Some(4_524));
        // 0.05 EUR at 1.5 = 0.075 -> 0.08 (half away from zero), and -0.075 -> -0.08.
        assert_eq!(convert(5, "EUR", "USD", 15, 1), Some(8));
        assert_eq!(convert(-5, "EUR", "USD", 15, 1), Some(-8));
        // Currencies without minor units: 1,000 JPY at 0.0067 USD/JPY = 6.70 USD; 10.00 USD at 150 JPY/USD = 1,500 JPY.
        assert_eq!(convert(1_000, "JPY", "USD", 67, 4), Some(670));
        assert_eq!(convert(1_000, "USD", "JPY", 150, 0), Some(1_500));
        // Three-decimal currencies: 1.000 KWD at 3.25 USD/KWD = 3.25 USD.
        assert_eq!(convert(1_000, "KWD", "USD", 325, 2), Some(325));
        assert_eq!(convert(i64::MAX, "EUR", "JPY", 999_999, 0), None, "too large to hold is refused, not wrapped");
        assert_eq!(convert(100, "XXQ", "USD", 1, 0), None, "an unknown currency");
    }

    #[test]
    fn a_rate_as_given_is_checked_field_by_field() {
        let on = day("2026-07-01");
        assert_eq!(check_rate(" eur ", "1.0850", on, "USD"), Ok(("EUR".into(), "1.085".into(), on)));
        let paths = |r: Result<_, Vec<seatwise_types::FieldError>>| {
            r.err().unwrap_or_default().into_iter().map(|e| e.path).collect::<Vec<_>>()
        };
        assert_eq!(paths(check_rate("EURO", "x", on, "USD")), ["currency", "rate"]);
        assert_eq!(paths(check_rate("USD", "1", on, "USD")), ["currency"], "the reporting currency needs none");
        assert_eq!(paths(check_rate("EUR", "1", day("1800-01-01"), "USD")), ["date"]);
    }

    #[test]
    fn a_day_takes_the_latest_rate_from_that_day_or_before() {
        let rates =
            [rate("EUR", "1.10", "2026-01-01"), rate("EUR", "1.05", "2026-07-01"), rate("GBP", "1.27", "2026-01-01")];
        assert_eq!(rate_on(&rates, "EUR", day("2026-06-30")).map(Rate::text), Some("1.1".into()));
        assert_eq!(rate_on(&rates, "EUR", day("2026-07-01")).map(Rate::text), Some("1.05".into()));
        assert_eq!(rate_on(&rates, "EUR", day("2025-12-31")), None);
        // A rate change mid-year: the same 100.00 EUR before and after it.
        assert_eq!(to_reporting(10_000, "EUR", "USD", &rates, day("2026-03-01")), Ok(11_000));
        assert_eq!(to_reporting(10_000, "EUR", "USD", &rates, day("2026-09-01")), Ok(10_500));
        assert_eq!(to_reporting(10_000, "USD", "USD", &rates, day("2020-01-01")), Ok(10_000), "no rate needed");
        assert_eq!(
            to_reporting(10_000, "SEK", "USD", &rates, day("2026-03-01")),
            Err("no SEK rate on or before 2026-03-01".into())
        );
    }
}
