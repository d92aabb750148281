//! How the feature a request came from hears what became of it.

use chrono::{DateTime, Utc};
use seatwise_types::ChangeOrigin;

use crate::db::Conn;
use crate::error::AppResult;

/// What became of a request, for the feature it came from.
#[derive(Debug, Clone, Copy)]
pub struct Outcome<'a> {
    pub change_request_id: i64,
    pub origin: ChangeOrigin,
    pub who: &'a str,
    pub now: DateTime<Utc>,
}

/// A feature that drafts change requests from its own records hears through this when one of them is applied
/// (a stage of it) or rejected: reclamation closes the cases a batch carried. Change requests announce every
/// outcome here and call no feature themselves, so features may call change requests, never the reverse.
#[async_trait::async_trait]
pub trait Follower: Sync {
    async fn applied(&self, tx: &mut Conn, outcome: &Outcome<'_>) -> AppResult<()>;
    async fn rejected(&self, tx: &mut Conn, outcome: &Outcome<'_>) -> AppResult<()>;
}
