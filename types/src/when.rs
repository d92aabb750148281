//! The range of dates and times Seatwise accepts, in one place, and the deserializers every date and timestamp
//! field of the API's shapes reads with: a value outside the range is a field error when the request is read, so
//! no endpoint can store a date the server cannot compute with or read back (a year past 9999 has no fixed-width
//! text form). `scripts/check-seams.py` checks that every such field uses one of these.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer};

/// The first date Seatwise accepts: 1900-01-01.
pub const MIN_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// The last date Seatwise accepts: 2199-12-31. The range keeps term arithmetic (a 120-month term at most, 3,650
/// notice days at most) and every date computed from an accepted one (an expiry, a deadline) inside four-digit
/// years, far from chrono's limits.
pub const MAX_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2199, 12, 31) {
    Some(d) => d,
    None => NaiveDate::MAX,
};

/// Whether a date lies in the accepted range.
pub fn date_in_range(d: NaiveDate) -> bool {
    (MIN_DATE..=MAX_DATE).contains(&d)
}

/// The message for a date or time outside the range.
pub fn range_message() -> String {
    format!("must be between {MIN_DATE} and {MAX_DATE}")
}

fn bounded<E: serde::de::Error>(d: NaiveDate) -> Result<(), E> {
    if date_in_range(d) {
        Ok(())
    } else {
        Err(E::custom(range_message()))
    }
}

/// A `YYYY-MM-DD` date in the accepted range.
pub fn date<'de, D: Deserializer<'de>>(de: D) -> Result<NaiveDate, D::Error> {
    let d = NaiveDate::deserialize(de)?;
    bounded(d).map(|()| d)
}

/// An optional date in the accepted range (use with `#[serde(default)]`).
pub fn opt_date<'de, D: Deserializer<'de>>(de: D) -> Result<Option<NaiveDate>, D::Error> {
    let d = Option::<NaiveDate>::deserialize(de)?;
    d.map(bounded).transpose().map(|_| d)
}

/// An RFC 3339 timestamp whose date lies in the accepted range.
pub fn timestamp<'de, D: Deserializer<'de>>(de: D) -> Result<DateTime<Utc>, D::Error> {
    let t = DateTime::<Utc>::deserialize(de)?;
    bounded(t.date_naive()).map(|()| t)
}

/// An optional timestamp in the accepted range (use with `#[serde(default)]`).
pub fn opt_timestamp<'de, D: Deserializer<'de>>(de: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let t = Option::<DateTime<Utc>>::deserialize(de)?;
    t.map(|at| bounded(at.date_naive())).transpose().map(|_| t)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    struct Shape {
        #[serde(deserialize_with = "super::date")]
        day: chrono::NaiveDate,
        #[serde(default, deserialize_with = "super::opt_timestamp")]
        at: Option<chrono::DateTime<chrono::Utc>>,
    }

    #[test]
    fn the_range_is_enforced_when_read() {
        assert!(serde_json::from_str::<Shape>(r#"{"day":"2199-12-31","at":"1900-01-01T00:00:00Z"}"#).is_ok());
        let missing = serde_json::from_str::<Shape>(r#"{"day":"2026-01-01"}"#);
        assert!(missing.is_ok_and(|s| s.at.is_none() && s.day.to_string() == "2026-01-01"));
        for bad in [
            r#"{"day":"2200-01-01"}"#,
            r#"{"day":"1899-12-31"}"#,
            r#"{"day":"2026-01-01","at":"9999-12-31T23:59:59Z"}"#,
        ] {
            let e = serde_json::from_str::<Shape>(bad).map(|_| ()).unwrap_err().to_string();
            assert!(e.contains("must be between 1900-01-01 and 2199-12-31"), "{e}");
        }
    }
}
