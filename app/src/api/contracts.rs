//! Contracts, their renewal decisions and watchers.

use seatwise_types::{
    AdoptedContracts, Contract, ContractDetail, ContractInput, ContractQuery, DecisionInput, LedgerEntry, Page,
    PageQuery, WatchInput,
};

use super::{with_query, ApiResult};

pub async fn list(query: &ContractQuery) -> ApiResult<Page<Contract>> {
    super::get(&with_query("/contracts", query)?).await
}

pub async fn get(id: i64) -> ApiResult<ContractDetail> {
    super::get(&format!("/contracts/{id}")).await
}

pub async fn history(id: i64, query: &PageQuery) -> ApiResult<Page<LedgerEntry>> {
    super::get(&with_query(&format!("/contracts/{id}/history"), query)?).await
}

pub async fn create(input: &ContractInput) -> ApiResult<Contract> {
    super::post("/contracts", input).await
}

/// Replace the contract if it is still at `version` (409 otherwise).
pub async fn update(id: i64, input: &ContractInput, version: i64) -> ApiResult<Contract> {
    super::put_if(&format!("/contracts/{id}"), input, Some(version)).await
}

/// Decide on the current term.
pub async fn decide(id: i64, input: &DecisionInput) -> ApiResult<ContractDetail> {
    super::post(&format!("/contracts/{id}/decision"), input).await
}

pub async fn watch(id: i64, input: &WatchInput) -> ApiResult<ContractDetail> {
    super::put(&format!("/contracts/{id}/watch"), input).await
}

/// Turn the contract dates recorded on pools into contracts (admins).
pub async fn adopt_pool_terms() -> ApiResult<AdoptedContracts> {
    super::post_empty("/contracts/from-pools").await
}
