//! Webhooks (admins): signed outgoing events for service desks.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use seatwise_types::{ErrorResponse, Page, PageQuery, Webhook, WebhookDelivery, WebhookInput};

use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::service::webhooks;
use crate::state::AppState;

/// Every webhook with the events it takes and its deliveries waiting or failed. Secrets are never returned.
#[utoipa::path(get, path = "/webhooks", tag = "webhooks",
    responses((status = 200, body = Page<Webhook>), (status = 403, body = ErrorResponse)))]
pub async fn list_webhooks(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Page<Webhook>>> {
    Ok(Json(webhooks::list(&state.db, &actor).await?))
}

/// Make a webhook for chosen events (`case.opened`, `seat.reclaimed`, `change_request.approved`,
/// `reconciliation.drift`). Each delivery is a POST of `{"event","occurred_at","data"}` with the headers
/// `X-Seatwise-Event`, `X-Seatwise-Delivery`, `X-Seatwise-Timestamp` (Unix seconds) and `X-Seatwise-Signature:
/// sha256=HEX`, the HMAC-SHA256 of `{timestamp}.{body}` keyed with the secret this answer carries, once. A 2xx
/// answer delivers it; anything else is retried with a growing delay, eight times in all.
#[utoipa::path(post, path = "/webhooks", tag = "webhooks", request_body = WebhookInput,
    responses((status = 201, body = Webhook), (status = 403, body = ErrorResponse), (status = 409, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn create_webhook(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<WebhookInput>,
) -> AppResult<(StatusCode, Json<Webhook>)> {
    let key = state.settings.credentials_key.as_ref();
    Ok((StatusCode::CREATED, Json(webhooks::create(&state.db, &*state.clock, key, &actor, &body).await?)))
}

/// A webhook's deliveries, newest first: the body posted, its status, attempts, the receiver's last answer.
#[utoipa::path(get, path = "/webhooks/{id}/deliveries", tag = "webhooks", params(("id" = i64, Path), PageQuery),
    responses((status = 200, body = Page<WebhookDelivery>), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Page<WebhookDelivery>>> {
    Ok(Json(webhooks::deliveries(&state.db, &actor, id, &q).await?))
}
