//! A seat and a pool as they were before something changed them: what a change request's stage keeps for its
//! rollback and what a reclamation case keeps for its restore. Both features read these; neither owns them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A pool's seat count, cost and whether it was retired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolBefore {
    pub id: i64,
    pub seats_purchased: Option<i64>,
    pub annual_cost_minor: i64,
    pub retired: bool,
}

/// A seat: who held it, since when and from whom, and its reclamation mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatBefore {
    /// The seat record's id (a seat taken back and given again is a new record); absent in older snapshots.
    #[serde(default)]
    pub id: Option<i64>,
    pub pool_id: i64,
    pub person_id: i64,
    pub assigned_at: DateTime<Utc>,
    pub assigned_by: Option<String>,
    pub reclaim_marked_at: Option<DateTime<Utc>>,
    pub reclaim_reason: Option<String>,
}
