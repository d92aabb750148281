//! License pools, their seats, and the inventory figures.

use seatwise_types::{
    Assignment, AssignmentInput, HistoryGroup, InventorySummary, OwnedPool, Page, PageQuery, Pool, PoolDetail,
    PoolInput, PoolQuery, ReassignInput, SeatHolders, SeatQuery,
};

use super::{with_query, ApiResult};

pub async fn list(query: &PoolQuery) -> ApiResult<Page<Pool>> {
    super::get(&with_query("/pools", query)?).await
}

pub async fn get(id: i64) -> ApiResult<Pool> {
    super::get(&format!("/pools/{id}")).await
}

/// The pool with its seats, contract and what the caller may do with it.
pub async fn detail(id: i64) -> ApiResult<PoolDetail> {
    super::get(&format!("/pools/{id}/detail")).await
}

/// The pool's history in words, grouped by what made each change.
pub async fn activity(id: i64, query: &PageQuery) -> ApiResult<Page<HistoryGroup>> {
    super::get(&with_query(&format!("/pools/{id}/activity"), query)?).await
}

pub async fn create(input: &PoolInput) -> ApiResult<Pool> {
    super::post("/pools", input).await
}

/// Replace the pool if it is still at `version` (409 otherwise).
pub async fn update(id: i64, input: &PoolInput, version: i64) -> ApiResult<Pool> {
    super::put_if(&format!("/pools/{id}"), input, Some(version)).await
}

/// A page of the pool's seats with the list's filters, each with its last sign-in.
pub async fn seats(pool_id: i64, query: &SeatQuery) -> ApiResult<Page<Assignment>> {
    super::get(&with_query(&format!("/pools/{pool_id}/assignments"), query)?).await
}

/// The holders of every seat matching the filters (all pages).
pub async fn seat_holders(pool_id: i64, query: &SeatQuery) -> ApiResult<SeatHolders> {
    super::get(&with_query(&format!("/pools/{pool_id}/assignments/holders"), query)?).await
}

pub async fn assign(pool_id: i64, input: &AssignmentInput) -> ApiResult<Assignment> {
    super::post(&format!("/pools/{pool_id}/assignments"), input).await
}

pub async fn reassign(pool_id: i64, assignment_id: i64, input: &ReassignInput) -> ApiResult<Assignment> {
    super::post(&format!("/pools/{pool_id}/assignments/{assignment_id}/reassign"), input).await
}

pub async fn unassign(pool_id: i64, assignment_id: i64) -> ApiResult<()> {
    super::delete(&format!("/pools/{pool_id}/assignments/{assignment_id}")).await
}

/// Totals over every pool the list shows with these filters (all its pages).
pub async fn summary(query: &PoolQuery) -> ApiResult<InventorySummary> {
    super::get(&with_query("/inventory/summary", query)?).await
}

/// The caller's own pools, with what needs attention.
pub async fn mine() -> ApiResult<Vec<OwnedPool>> {
    super::get("/my/licenses").await
}
