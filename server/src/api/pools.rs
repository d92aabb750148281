//! License pools and their seats.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use seatwise_types::{
    Assignment, AssignmentInput, ErrorResponse, HistoryGroup, InventorySummary, LedgerEntry, Lookups, OwnedPool, Page,
    PageQuery, Pool, PoolDetail, PoolInput, PoolQuery, ReassignInput, SeatHolders, SeatQuery,
};

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::versioning::{IfMatch, Tagged};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::service::pools;
use crate::state::AppState;

/// License pools in your scope, searchable, filterable, sortable and paged.
#[utoipa::path(get, path = "/pools", tag = "pools", params(PoolQuery),
    responses((status = 200, body = Page<Pool>), (status = 401, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn list_pools(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(params): ApiQuery<PoolQuery>,
) -> AppResult<Json<Page<Pool>>> {
    Ok(Json(pools::list(&state.db, &*state.clock, &actor, &params).await?))
}

/// Create a pool.
#[utoipa::path(post, path = "/pools", tag = "pools", request_body = PoolInput,
    responses((status = 201, body = Pool), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_pool(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<PoolInput>,
) -> AppResult<(StatusCode, Json<Pool>)> {
    Ok((StatusCode::CREATED, Json(pools::create(&state.db, &*state.clock, &actor, &body).await?)))
}

/// One pool; its `version` is also the `ETag`.
#[utoipa::path(get, path = "/pools/{id}", tag = "pools", params(("id" = i64, Path)),
    responses((status = 200, body = Pool, headers(("ETag" = String, description = "The pool's version, e.g. \"3\""))),
        (status = 404, body = ErrorResponse)))]
pub async fn get_pool(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Tagged<Pool>> {
    let pool = pools::get(&state.db, &actor, id).await?;
    Ok(Tagged(pool.version, pool))
}

/// Replace a pool's fields. Send the version you loaded as `If-Match` so you cannot overwrite a change you have not
/// seen: a stale version answers 409 and changes nothing.
#[utoipa::path(put, path = "/pools/{id}", tag = "pools", request_body = PoolInput,
    params(("id" = i64, Path),
        ("If-Match" = Option<String>, Header, description = "The version last read (ETag), e.g. \"3\"; without it the write is unconditional.")),
    responses((status = 200, body = Pool, headers(("ETag" = String, description = "The new version"))),
        (status = 400, body = ErrorResponse, description = "Malformed If-Match"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse, description = "The pool is at another version than If-Match"),
        (status = 422, body = ErrorResponse)))]
pub async fn update_pool(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(body): ApiJson<PoolInput>,
) -> AppResult<Tagged<Pool>> {
    let pool = pools::update(&state.db, &*state.clock, &actor, id, &body, expected).await?;
    Ok(Tagged(pool.version, pool))
}

/// Everything the pool page shows: the pool, its first seats, and whether you may edit it.
#[utoipa::path(get, path = "/pools/{id}/detail", tag = "pools", params(("id" = i64, Path)),
    responses((status = 200, body = PoolDetail), (status = 404, body = ErrorResponse)))]
pub async fn pool_detail(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<PoolDetail>> {
    Ok(Json(pools::detail(&state.db, &actor, id).await?))
}

/// A pool's history from the audit ledger, newest first.
#[utoipa::path(get, path = "/pools/{id}/history", tag = "pools", params(("id" = i64, Path), PageQuery),
    responses((status = 200, body = Page<LedgerEntry>), (status = 404, body = ErrorResponse)))]
pub async fn pool_history(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<PageQuery>,
) -> AppResult<Json<Page<LedgerEntry>>> {
    Ok(Json(pools::history(&state.db, &actor, id, p.page, p.per_page).await?))
}

/// A pool's history in words, newest first: a page of its ledger entries (`total` counts entries) grouped by the
/// change request, policy run, import or person that made them, each group linked to its cause.
#[utoipa::path(get, path = "/pools/{id}/activity", tag = "pools", params(("id" = i64, Path), PageQuery),
    responses((status = 200, body = Page<HistoryGroup>), (status = 404, body = ErrorResponse)))]
pub async fn pool_activity(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<PageQuery>,
) -> AppResult<Json<Page<HistoryGroup>>> {
    Ok(Json(pools::history_in_words(&state.db, &actor, id, p.page, p.per_page).await?))
}

/// Who holds the pool's seats (newest first unless sorted), searched and filtered, each with their last sign-in.
#[utoipa::path(get, path = "/pools/{id}/assignments", tag = "pools", params(("id" = i64, Path), SeatQuery),
    responses((status = 200, body = Page<Assignment>), (status = 404, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn list_assignments(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<SeatQuery>,
) -> AppResult<Json<Page<Assignment>>> {
    Ok(Json(pools::assignments(&state.db, &*state.clock, &actor, id, &q).await?))
}

/// The holders of every seat matching the seat list's filters (all pages), for a change request over all of them.
#[utoipa::path(get, path = "/pools/{id}/assignments/holders", tag = "pools", params(("id" = i64, Path), SeatQuery),
    responses((status = 200, body = SeatHolders), (status = 404, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn seat_holders(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<SeatQuery>,
) -> AppResult<Json<SeatHolders>> {
    Ok(Json(pools::seat_holders(&state.db, &*state.clock, &actor, id, &q).await?))
}

/// Give a seat to a person or a device.
#[utoipa::path(post, path = "/pools/{id}/assignments", tag = "pools", params(("id" = i64, Path)),
    request_body = AssignmentInput,
    responses((status = 201, body = Assignment), (status = 403, body = ErrorResponse), (status = 409, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn create_assignment(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<AssignmentInput>,
) -> AppResult<(StatusCode, Json<Assignment>)> {
    Ok((StatusCode::CREATED, Json(pools::assign(&state.db, &*state.clock, &actor, id, &body).await?)))
}

/// Move a seat to another person.
#[utoipa::path(post, path = "/pools/{id}/assignments/{assignment_id}/reassign", tag = "pools",
    params(("id" = i64, Path), ("assignment_id" = i64, Path)), request_body = ReassignInput,
    responses((status = 200, body = Assignment), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn reassign_assignment(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((id, assignment_id)): ApiPath<(i64, i64)>,
    ApiJson(body): ApiJson<ReassignInput>,
) -> AppResult<Json<Assignment>> {
    Ok(Json(pools::reassign(&state.db, &*state.clock, &actor, id, assignment_id, &body).await?))
}

/// Take a seat back.
#[utoipa::path(delete, path = "/pools/{id}/assignments/{assignment_id}", tag = "pools",
    params(("id" = i64, Path), ("assignment_id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse, description = "No such seat, or it was already taken back (no ledger entry)")))]
pub async fn delete_assignment(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((id, assignment_id)): ApiPath<(i64, i64)>,
) -> AppResult<StatusCode> {
    pools::unassign(&state.db, &*state.clock, &actor, id, assignment_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Totals over the pools the list shows with the same filters (`page`, `per_page` and `sort` are ignored).
#[utoipa::path(get, path = "/inventory/summary", tag = "pools", params(PoolQuery),
    responses((status = 200, body = InventorySummary), (status = 401, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn inventory_summary(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<PoolQuery>,
) -> AppResult<Json<InventorySummary>> {
    Ok(Json(pools::summary(&state.db, &*state.clock, &actor, &q).await?))
}

/// Values for filter and form pickers, limited to your scope.
#[utoipa::path(get, path = "/lookups", tag = "pools",
    responses((status = 200, body = Lookups), (status = 401, body = ErrorResponse)))]
pub async fn lookups(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Lookups>> {
    Ok(Json(pools::lookups(&state.db, &actor).await?))
}

/// Your own pools with what needs your attention (seats held by leavers, dates coming up), most urgent first.
#[utoipa::path(get, path = "/my/licenses", tag = "pools",
    responses((status = 200, body = Vec<OwnedPool>), (status = 403, body = ErrorResponse)))]
pub async fn my_licenses(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Vec<OwnedPool>>> {
    Ok(Json(pools::mine(&state.db, &*state.clock, &actor).await?))
}
