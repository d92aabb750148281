//! Change requests (drafted, submitted, approved, applied in stages, rolled back) and the approval policy.

use seatwise_types::{
    ApplyChangeInput, ApprovalPolicy, ChangeRequest, ChangeRequestCsvQuery, ChangeRequestInput, ChangeRequestQuery,
    ChangeRequestSummary, CommentInput, JobProgress, Page, RollbackInput,
};

use super::{with_query, ApiResult};

pub async fn list(query: &ChangeRequestQuery) -> ApiResult<Page<ChangeRequestSummary>> {
    super::get(&with_query("/change-requests", query)?).await
}

pub async fn get(id: i64) -> ApiResult<ChangeRequest> {
    super::get(&format!("/change-requests/{id}")).await
}

/// A draft: every row checked, the effect previewed; queued only by `submit`.
pub async fn create(input: &ChangeRequestInput) -> ApiResult<ChangeRequest> {
    super::post("/change-requests", input).await
}

/// A draft from a CSV file, one operation per row.
pub async fn create_from_csv(query: &ChangeRequestCsvQuery, csv: String) -> ApiResult<ChangeRequest> {
    super::post_text(&with_query("/change-requests/csv", query)?, "text/csv", csv).await
}

/// Replace the request's title, reason and rows (a submitted or approved request becomes a draft again).
pub async fn update(id: i64, input: &ChangeRequestInput) -> ApiResult<ChangeRequest> {
    super::put(&format!("/change-requests/{id}"), input).await
}

pub async fn submit(id: i64) -> ApiResult<ChangeRequest> {
    super::post_empty(&format!("/change-requests/{id}/submit")).await
}

pub async fn approve(id: i64, input: &CommentInput) -> ApiResult<ChangeRequest> {
    super::post(&format!("/change-requests/{id}/approve"), input).await
}

pub async fn reject(id: i64, input: &CommentInput) -> ApiResult<ChangeRequest> {
    super::post(&format!("/change-requests/{id}/reject"), input).await
}

/// Apply all that is left, or with `pilot` only the first rows.
pub async fn apply(id: i64, input: &ApplyChangeInput) -> ApiResult<ChangeRequest> {
    super::post(&format!("/change-requests/{id}/apply"), input).await
}

/// Ask for a rollback: answers the new request that undoes this one.
pub async fn rollback(id: i64, input: &RollbackInput) -> ApiResult<ChangeRequest> {
    super::post(&format!("/change-requests/{id}/rollback"), input).await
}

/// How far the stage being applied has come (any instance answers).
pub async fn progress(id: i64) -> ApiResult<JobProgress> {
    super::get(&format!("/change-requests/{id}/progress")).await
}

pub async fn policy() -> ApiResult<ApprovalPolicy> {
    super::get("/approval-policy").await
}

/// Save the policy if it is still at `version` (409 otherwise).
pub async fn set_policy(input: &ApprovalPolicy, version: i64) -> ApiResult<ApprovalPolicy> {
    super::put_if("/approval-policy", input, Some(version)).await
}
