//! Finance: the exchange-rate table (every figure in the reporting currency is converted with it).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use seatwise_types::{ErrorResponse, ExchangeRate, ExchangeRateInput};

use super::extract::{ApiBody, ApiJson};
use super::imports::text;
use crate::auth::Actor;
use crate::error::AppResult;
use crate::service::exchange_rates;
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
