//! Finance: the figures of a scope, the pools behind them, a month's chargeback, budgets and the exports.

use seatwise_types::{
    Budget, BudgetInput, Chargeback, ChargebackQuery, ExchangeRate, ExchangeRateInput, FinancePool, FinancePoolQuery,
    FinanceQuery, FinanceSummary, Page,
};

use super::{with_query, ApiResult};

pub async fn summary(query: &FinanceQuery) -> ApiResult<FinanceSummary> {
    super::get(&with_query("/finance/summary", query)?).await
}

pub async fn pools(query: &FinancePoolQuery) -> ApiResult<Page<FinancePool>> {
    super::get(&with_query("/finance/pools", query)?).await
}

pub async fn chargeback(query: &ChargebackQuery) -> ApiResult<Chargeback> {
    super::get(&with_query("/finance/chargeback", query)?).await
}

pub async fn set_budget(cost_centre_id: i64, year: i32, input: &BudgetInput) -> ApiResult<Budget> {
    super::put(&format!("/finance/budgets/{cost_centre_id}/{year}"), input).await
}

/// Where the figures download with the same filters: `csv` or `xlsx`.
pub fn export_url(query: &FinanceQuery, format: &str) -> ApiResult<String> {
    Ok(super::url(&with_query(&format!("/finance/export.{format}"), query)?))
}

/// Where a month's costs download in the FinOps FOCUS columns.
pub fn focus_url(query: &ChargebackQuery) -> ApiResult<String> {
    Ok(super::url(&with_query("/finance/focus.csv", query)?))
}

pub async fn exchange_rates() -> ApiResult<Vec<ExchangeRate>> {
    super::get("/exchange-rates").await
}

pub async fn add_exchange_rate(input: &ExchangeRateInput) -> ApiResult<ExchangeRate> {
    super::post("/exchange-rates", input).await
}

/// Rates from a CSV file (`currency,rate,date`): all of them, or none with each problem by row.
pub async fn upload_exchange_rates(csv: String) -> ApiResult<Vec<ExchangeRate>> {
    super::post_text("/exchange-rates/csv", "text/csv", csv).await
}
