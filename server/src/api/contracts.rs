//! Contracts and renewal decisions.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use seatwise_types::{
    AdoptedContracts, Contract, ContractDetail, ContractInput, ContractQuery, DecisionInput, ErrorResponse,
    LedgerEntry, Page, PageQuery, WatchInput,
};

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::versioning::{IfMatch, Tagged};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::service::{contracts, renewal_job};
use crate::state::AppState;

/// Contracts covering pools in your scope, soonest decision first.
#[utoipa::path(get, path = "/contracts", tag = "renewals", params(ContractQuery),
    responses((status = 200, body = Page<Contract>), (status = 401, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn list_contracts(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(params): ApiQuery<ContractQuery>,
) -> AppResult<Json<Page<Contract>>> {
    Ok(Json(contracts::list(&state.db, &*state.clock, &actor, &params).await?))
}

/// Record a contract and the pools it covers (its first term starts the renewal history).
#[utoipa::path(post, path = "/contracts", tag = "renewals", request_body = ContractInput,
    responses((status = 201, body = Contract), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_contract(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<ContractInput>,
) -> AppResult<(StatusCode, Json<Contract>)> {
    let contract = contracts::create(&state.db, &*state.clock, &actor, &body).await?;
    renewal_job::raise_due_now(&state.db, &*state.clock, state.outbox(), Some(&[contract.id])).await;
    Ok((StatusCode::CREATED, Json(contract)))
}

/// A contract with its terms, covered pools and their usage, watchers and alerts; the contract's `version` is
/// also the `ETag`.
#[utoipa::path(get, path = "/contracts/{id}", tag = "renewals", params(("id" = i64, Path)),
    responses((status = 200, body = ContractDetail, headers(("ETag" = String, description = "The contract's version, e.g. \"3\""))),
        (status = 404, body = ErrorResponse)))]
pub async fn get_contract(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Tagged<ContractDetail>> {
    let detail = contracts::detail(&state.db, &*state.clock, &actor, id).await?;
    Ok(Tagged(detail.contract.version, detail))
}

/// Replace a contract's fields (the dates are those of its current term). Send the version you loaded as
/// `If-Match`: a stale version answers 409 and changes nothing. Decisions and watch toggles also count as changes.
#[utoipa::path(put, path = "/contracts/{id}", tag = "renewals", request_body = ContractInput,
    params(("id" = i64, Path),
        ("If-Match" = Option<String>, Header, description = "The version last read (ETag), e.g. \"3\"; without it the write is unconditional.")),
    responses((status = 200, body = Contract, headers(("ETag" = String, description = "The new version"))),
        (status = 400, body = ErrorResponse, description = "Malformed If-Match"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse, description = "The contract is at another version than If-Match"),
        (status = 422, body = ErrorResponse)))]
pub async fn update_contract(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(body): ApiJson<ContractInput>,
) -> AppResult<Tagged<Contract>> {
    let contract = contracts::update(&state.db, &*state.clock, &actor, id, &body, expected).await?;
    renewal_job::raise_due_now(&state.db, &*state.clock, state.outbox(), Some(&[id])).await;
    Ok(Tagged(contract.version, contract))
}

/// Decide on renewing the current term: renew (with changes), renegotiate, cancel or let lapse.
#[utoipa::path(post, path = "/contracts/{id}/decision", tag = "renewals", params(("id" = i64, Path)),
    request_body = DecisionInput,
    responses((status = 200, body = ContractDetail), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn decide_contract(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DecisionInput>,
) -> AppResult<Json<ContractDetail>> {
    Ok(Json(contracts::decide(&state.db, &*state.clock, state.outbox(), &actor, id, &body, None).await?))
}

/// A contract's history from the audit ledger, newest first.
#[utoipa::path(get, path = "/contracts/{id}/history", tag = "renewals", params(("id" = i64, Path), PageQuery),
    responses((status = 200, body = Page<LedgerEntry>), (status = 404, body = ErrorResponse)))]
pub async fn contract_history(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<PageQuery>,
) -> AppResult<Json<Page<LedgerEntry>>> {
    Ok(Json(contracts::history(&state.db, &actor, id, p.page, p.per_page).await?))
}

/// Watch a contract (its alerts reach you and it joins your calendar feed), or stop watching it.
#[utoipa::path(put, path = "/contracts/{id}/watch", tag = "renewals", params(("id" = i64, Path)), request_body = WatchInput,
    responses((status = 200, body = ContractDetail), (status = 404, body = ErrorResponse)))]
pub async fn watch_contract(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<WatchInput>,
) -> AppResult<Json<ContractDetail>> {
    Ok(Json(contracts::watch(&state.db, &*state.clock, &actor, id, body.watching).await?))
}

/// Turn pools' own contract dates into contracts (admins), so their renewals raise alerts too.
#[utoipa::path(post, path = "/contracts/from-pools", tag = "renewals",
    responses((status = 200, body = AdoptedContracts), (status = 403, body = ErrorResponse)))]
pub async fn adopt_pool_terms(State(state): State<AppState>, actor: Actor) -> AppResult<Json<AdoptedContracts>> {
    let adopted = contracts::adopt_pool_terms(&state.db, &*state.clock, &actor).await?;
    renewal_job::raise_due_now(&state.db, &*state.clock, state.outbox(), None).await;
    Ok(Json(adopted))
}
