//! The audit ledger.

use seatwise_types::{LedgerEntry, LedgerQuery, LedgerVerification, Page};

use super::{with_query, ApiResult};

pub async fn list(query: &LedgerQuery) -> ApiResult<Page<LedgerEntry>> {
    super::get(&with_query("/ledger", query)?).await
}

/// Recompute the whole hash chain.
pub async fn verify() -> ApiResult<LedgerVerification> {
    super::post_empty("/ledger/verify").await
}
