//! The current time is a parameter so tests can move through dates without sleeping.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

pub type SharedClock = Arc<dyn Clock>;

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved; for tests.
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Mutex::new(at))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut t) = self.0.lock() {
            *t = at;
        }
    }

    pub fn advance(&self, by: chrono::Duration) {
        if let Ok(mut t) = self.0.lock() {
            *t += by;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.lock().map(|t| *t).unwrap_or_else(|p| *p.into_inner())
    }
}

/// The system time moved by the whole seconds written in a file, read on every call, so end-to-end tests move a
/// running server through dates without waiting (`--clock-offset-file`). Not for production: a missing or
/// unreadable file counts as no offset.
pub struct OffsetClock {
    pub path: std::path::PathBuf,
}

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        let now = Utc::now();
        let secs = std::fs::read_to_string(&self.path).ok().and_then(|s| s.trim().parse::<i64>().ok()).unwrap_or(0);
        chrono::Duration::try_seconds(secs).and_then(|d| now.checked_add_signed(d)).unwrap_or(now)
    }
}

/// Timestamps are stored as fixed-width RFC 3339 UTC text so they sort as text on every backend.
pub fn to_db(ts: DateTime<Utc>) -> String {
    ts.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Read a stored timestamp; a malformed one is an error (see `db::decode`), never a default.
pub fn parse_db(s: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc))
}
