use std::sync::Arc;

use crate::clock::SharedClock;
use crate::db::Db;

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: SharedClock,
    pub settings: Arc<Settings>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// Mark session cookies `Secure` (served over TLS).
    pub secure_cookies: bool,
    pub session_hours: i64,
    /// Failed logins per email within `login_window_minutes` before further attempts are refused.
    pub login_max_failures: i64,
    pub login_window_minutes: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Self { secure_cookies: false, session_hours: 12, login_max_failures: 5, login_window_minutes: 15 }
    }
}
