//! Reclamation: policies and their dry runs and runs, cases and restores, holds, and the savings log.

use seatwise_types::{
    Case, CaseQuery, DryRun, Hold, HoldInput, Page, PageQuery, Policy, PolicyInput, PolicyRun, SavingsFilter,
    SavingsPage, SavingsQuery, TimeToRevoke,
};

use super::{with_query, ApiResult};

pub async fn policies() -> ApiResult<Page<Policy>> {
    super::get("/reclamation/policies").await
}

pub async fn policy(id: i64) -> ApiResult<Policy> {
    super::get(&format!("/reclamation/policies/{id}")).await
}

pub async fn create_policy(input: &PolicyInput) -> ApiResult<Policy> {
    super::post("/reclamation/policies", input).await
}

/// A new version of the policy.
pub async fn update_policy(id: i64, input: &PolicyInput) -> ApiResult<Policy> {
    super::put(&format!("/reclamation/policies/{id}"), input).await
}

/// What the policy would do now; changes nothing.
pub async fn dry_run(id: i64, query: &PageQuery) -> ApiResult<DryRun> {
    super::get(&with_query(&format!("/reclamation/policies/{id}/dry-run"), query)?).await
}

pub async fn run(id: i64) -> ApiResult<PolicyRun> {
    super::post_empty(&format!("/reclamation/policies/{id}/run")).await
}

pub async fn cases(query: &CaseQuery) -> ApiResult<Page<Case>> {
    super::get(&with_query("/reclamation/cases", query)?).await
}

pub async fn restore(id: i64) -> ApiResult<Case> {
    super::post_empty(&format!("/reclamation/cases/{id}/restore")).await
}

pub async fn time_to_revoke() -> ApiResult<TimeToRevoke> {
    super::get("/reclamation/time-to-revoke").await
}

pub async fn holds() -> ApiResult<Vec<Hold>> {
    super::get("/reclamation/holds").await
}

pub async fn create_hold(input: &HoldInput) -> ApiResult<Hold> {
    super::post("/reclamation/holds", input).await
}

pub async fn lift_hold(id: i64) -> ApiResult<Hold> {
    super::post_empty(&format!("/reclamation/holds/{id}/lift")).await
}

pub async fn savings(query: &SavingsQuery) -> ApiResult<SavingsPage> {
    super::get(&with_query("/savings", query)?).await
}

/// Where the savings log downloads, with the same filters: `csv` or `xlsx`.
pub fn savings_export_url(filter: &SavingsFilter, format: &str) -> ApiResult<String> {
    Ok(super::url(&with_query(&format!("/savings/export.{format}"), filter)?))
}
