//! Finance: the figures in the reporting currency, chargeback, budgets and the exchange-rate table.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use seatwise_types::{
    Budget, BudgetInput, BudgetQuery, Chargeback, ChargebackQuery, ChargebackSetting, ErrorResponse, ExchangeRate,
    ExchangeRateInput, FinancePool, FinancePoolQuery, FinanceQuery, FinanceSummary, Page,
};

use super::download;
use super::extract::{ApiBody, ApiJson, ApiPath, ApiQuery};
use super::imports::text;
use crate::auth::Actor;
use crate::error::AppResult;
use crate::service::{exchange_rates, finance, finance_export};
use crate::state::AppState;

/// The rates, by currency then day: units of the reporting currency per unit, each from its day on.
#[utoipa::path(get, path = "/exchange-rates", tag = "finance",
    responses((status = 200, body = Vec<ExchangeRate>), (status = 403, body = ErrorResponse)))]
pub async fn list_exchange_rates(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Vec<ExchangeRate>>> {
    Ok(Json(exchange_rates::list(&state.db, &actor).await?))
}

/// Add a rate (admins): `{"currency","rate","date"}`, the rate as an exact decimal in a string.
#[utoipa::path(post, path = "/exchange-rates", tag = "finance", request_body = ExchangeRateInput,
    responses((status = 201, body = ExchangeRate), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_exchange_rate(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<ExchangeRateInput>,
) -> AppResult<(StatusCode, Json<ExchangeRate>)> {
    Ok((StatusCode::CREATED, Json(exchange_rates::create(&state.db, &*state.clock, &actor, body).await?)))
}

/// Add rates from a CSV file (admins) with the columns `currency`, `rate`, `date`: all of them, or none with every
/// problem by row.
#[utoipa::path(post, path = "/exchange-rates/csv", tag = "finance", request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = Vec<ExchangeRate>), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_exchange_rates_from_csv(
    State(state): State<AppState>,
    actor: Actor,
    ApiBody(body): ApiBody,
) -> AppResult<(StatusCode, Json<Vec<ExchangeRate>>)> {
    let added = exchange_rates::create_from_csv(&state.db, &*state.clock, &actor, text(&body)?).await?;
    Ok((StatusCode::CREATED, Json(added)))
}

/// The finance figures of a scope, every amount in the reporting currency with the rates used.
#[utoipa::path(get, path = "/finance/summary", tag = "finance", params(FinanceQuery),
    responses((status = 200, body = FinanceSummary), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn finance_summary(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<FinanceQuery>,
) -> AppResult<Json<FinanceSummary>> {
    Ok(Json(finance::summary(&state.db, &*state.clock, &actor, &q).await?))
}

/// What each cost centre owes for a month (`month=YYYY-MM`, this month by default), pool by pool.
#[utoipa::path(get, path = "/finance/chargeback", tag = "finance", params(ChargebackQuery),
    responses((status = 200, body = Chargeback), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn finance_chargeback(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ChargebackQuery>,
) -> AppResult<Json<Chargeback>> {
    Ok(Json(finance::chargeback(&state.db, &*state.clock, &actor, &q).await?))
}

/// The cost centres' budgets for a year (this year by default).
#[utoipa::path(get, path = "/finance/budgets", tag = "finance", params(BudgetQuery),
    responses((status = 200, body = Vec<Budget>), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn list_budgets(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<BudgetQuery>,
) -> AppResult<Json<Vec<Budget>>> {
    Ok(Json(finance::budgets(&state.db, &*state.clock, &actor, q.year).await?))
}

/// Set a cost centre's budget for a year (finance and admins), in the reporting currency.
#[utoipa::path(put, path = "/finance/budgets/{cost_centre_id}/{year}", tag = "finance", request_body = BudgetInput,
    params(("cost_centre_id" = i64, Path), ("year" = i32, Path)),
    responses((status = 200, body = Budget), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn set_budget(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((cost_centre_id, year)): ApiPath<(i64, i32)>,
    ApiJson(body): ApiJson<BudgetInput>,
) -> AppResult<Json<Budget>> {
    Ok(Json(finance::set_budget(&state.db, &*state.clock, &actor, cost_centre_id, year, &body).await?))
}

/// Remove a cost centre's budget for a year.
#[utoipa::path(delete, path = "/finance/budgets/{cost_centre_id}/{year}", tag = "finance",
    params(("cost_centre_id" = i64, Path), ("year" = i32, Path)),
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn delete_budget(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((cost_centre_id, year)): ApiPath<(i64, i32)>,
) -> AppResult<StatusCode> {
    finance::delete_budget(&state.db, &*state.clock, &actor, cost_centre_id, year).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How a pool's cost is charged back to cost centres (by seat held when never set).
#[utoipa::path(get, path = "/pools/{id}/chargeback", tag = "finance", params(("id" = i64, Path)),
    responses((status = 200, body = ChargebackSetting), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn pool_chargeback(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<ChargebackSetting>> {
    Ok(Json(finance::pool_method(&state.db, &actor, id).await?))
}

/// Set how a pool's cost is charged back (its editors): by seat held, by active user, or a percentage split that
/// adds up to 100.
#[utoipa::path(put, path = "/pools/{id}/chargeback", tag = "finance", params(("id" = i64, Path)), request_body = ChargebackSetting,
    responses((status = 200, body = ChargebackSetting), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn set_pool_chargeback(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ChargebackSetting>,
) -> AppResult<Json<ChargebackSetting>> {
    Ok(Json(finance::set_pool_method(&state.db, &*state.clock, &actor, id, &body).await?))
}

/// The pools behind the figures, each with its own (the slice a chart bar stands for, by the filters).
#[utoipa::path(get, path = "/finance/pools", tag = "finance", params(FinancePoolQuery),
    responses((status = 200, body = Page<FinancePool>), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn finance_pools(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<FinancePoolQuery>,
) -> AppResult<Json<Page<FinancePool>>> {
    Ok(Json(finance::pools(&state.db, &*state.clock, &actor, &q).await?))
}

/// The pools of a scope with their figures, as CSV.
#[utoipa::path(get, path = "/finance/export.csv", tag = "finance", params(FinanceQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn finance_export_csv(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<FinanceQuery>,
) -> AppResult<impl IntoResponse> {
    let body = finance_export::csv(&state.db, &*state.clock, &actor, &q).await?;
    Ok(download("text/csv; charset=utf-8", "attachment; filename=\"seatwise-finance.csv\"", body))
}

/// The figures as a workbook, one sheet per view: summary, cost centres, vendors, pools, renewals, the month's
/// chargeback and the rates.
#[utoipa::path(get, path = "/finance/export.xlsx", tag = "finance", params(FinanceQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn finance_export_xlsx(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<FinanceQuery>,
) -> AppResult<impl IntoResponse> {
    let body = finance_export::xlsx(&state.db, &*state.clock, &actor, &q).await?;
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "attachment; filename=\"seatwise-finance.xlsx\"",
        body,
    ))
}

/// A month's license costs in the FinOps FOCUS columns, one row per pool and cost centre.
#[utoipa::path(get, path = "/finance/focus.csv", tag = "finance", params(ChargebackQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn finance_focus_csv(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ChargebackQuery>,
) -> AppResult<impl IntoResponse> {
    let body = finance_export::focus_csv(&state.db, &*state.clock, &actor, &q).await?;
    Ok(download("text/csv; charset=utf-8", "attachment; filename=\"seatwise-focus.csv\"", body))
}
