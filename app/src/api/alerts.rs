//! Renewal alerts: the inbox, one alert, and what can be done with it.

use seatwise_types::{Alert, AlertCounts, AlertDetail, AlertQuery, AssignInput, DecisionInput, Page, SnoozeInput};

use super::{with_query, ApiResult};

pub async fn list(query: &AlertQuery) -> ApiResult<Page<Alert>> {
    super::get(&with_query("/alerts", query)?).await
}

/// How many alerts need the caller's action.
pub async fn counts() -> ApiResult<AlertCounts> {
    super::get("/alerts/counts").await
}

pub async fn get(id: i64) -> ApiResult<AlertDetail> {
    super::get(&format!("/alerts/{id}")).await
}

pub async fn acknowledge(id: i64) -> ApiResult<Alert> {
    super::post_empty(&format!("/alerts/{id}/acknowledge")).await
}

pub async fn snooze(id: i64, input: &SnoozeInput) -> ApiResult<Alert> {
    super::post(&format!("/alerts/{id}/snooze"), input).await
}

pub async fn assign(id: i64, input: &AssignInput) -> ApiResult<Alert> {
    super::post(&format!("/alerts/{id}/assign"), input).await
}

/// Decide on the alert's contract term.
pub async fn decide(id: i64, input: &DecisionInput) -> ApiResult<AlertDetail> {
    super::post(&format!("/alerts/{id}/decision"), input).await
}
