//! Money and dates for people: money in the currency's format (computed from exact minor units, never floats),
//! dates in the browser's locale with the ISO date kept for hover.

use chrono::{Datelike, NaiveDate};
use js_sys::{Array, Intl, Object, Reflect};
use seatwise_types::{currency_minor_digits, Money};
use wasm_bindgen::JsValue;

/// Exact decimal text of minor units, e.g. 4170 USD -> "41.70".
pub fn decimal(m: &Money) -> String {
    let digits = currency_minor_digits(&m.currency).unwrap_or(2);
    let sign = if m.amount_minor < 0 { "-" } else { "" };
    let abs = m.amount_minor.unsigned_abs();
    if digits == 0 {
        return format!("{sign}{abs}");
    }
    let scale = 10u64.pow(digits);
    format!("{sign}{}.{:0w$}", abs / scale, abs % scale, w = digits as usize)
}

/// Locale-formatted money. Intl.NumberFormat takes the exact decimal string, so no float rounding happens.
pub fn money(m: &Money) -> String {
    let opts = Object::new();
    let _ = Reflect::set(&opts, &"style".into(), &"currency".into());
    let _ = Reflect::set(&opts, &"currency".into(), &m.currency.as_str().into());
    let nf = Intl::NumberFormat::new(&Array::new(), &opts);
    nf.format()
        .call1(&JsValue::NULL, &JsValue::from_str(&decimal(m)))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| format!("{} {}", decimal(m), m.currency))
}

/// Parse "1,234.5" in a currency into minor units exactly; `None` when it is not a plain amount.
pub fn parse_amount(text: &str, currency: &str) -> Option<i64> {
    let digits = currency_minor_digits(currency).unwrap_or(2) as usize;
    let t = text.trim().replace(',', "");
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, t),
    };
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) || frac.len() > digits {
        return None;
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let frac_value: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<digits$}").parse().ok()? };
    let v = whole.checked_mul(10i64.pow(digits as u32))?.checked_add(frac_value)?;
    Some(if neg { -v } else { v })
}

pub fn date(d: &NaiveDate) -> String {
    let js = js_sys::Date::new_with_year_month_day(d.year() as u32, d.month0() as i32, d.day() as i32);
    js.to_locale_date_string("default", &JsValue::UNDEFINED).as_string().unwrap_or_else(|| d.to_string())
}

pub fn datetime(t: &chrono::DateTime<chrono::Utc>) -> String {
    let js = js_sys::Date::new(&JsValue::from_f64(t.timestamp_millis() as f64));
    js.to_locale_string("default", &JsValue::UNDEFINED).as_string().unwrap_or_else(|| t.to_rfc3339())
}

pub fn number(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A phrase as the start of a sentence: its first letter upper case.
pub fn sentence_case(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// How long ago `t` was, roughly, as people say it ("3 days", "5 hours", "just now").
pub fn age(t: &chrono::DateTime<chrono::Utc>) -> String {
    let minutes = ((js_sys::Date::now() as i64 - t.timestamp_millis()) / 60_000).max(0);
    let (n, unit) = match minutes {
        0 => return "just now".into(),
        m if m < 60 => (m, "minute"),
        m if m < 48 * 60 => (m / 60, "hour"),
        m => (m / (24 * 60), "day"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}
