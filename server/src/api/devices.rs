//! Devices for per-device licenses.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use seatwise_types::{Device, DeviceInput, ErrorResponse};

use super::extract::ApiJson;
use crate::auth::Actor;
use crate::error::AppResult;
use crate::service::devices;
use crate::state::AppState;

/// All devices, with who uses them and how many seats they hold.
#[utoipa::path(get, path = "/devices", tag = "people",
    responses((status = 200, body = Vec<Device>), (status = 401, body = ErrorResponse)))]
pub async fn list_devices(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Vec<Device>>> {
    Ok(Json(devices::list(&state.db, &actor).await?))
}

/// Register a device (its asset tag is what per-device seats name).
#[utoipa::path(post, path = "/devices", tag = "people", request_body = DeviceInput,
    responses((status = 201, body = Device), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_device(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<DeviceInput>,
) -> AppResult<(StatusCode, Json<Device>)> {
    Ok((StatusCode::CREATED, Json(devices::create(&state.db, &*state.clock, &actor, &body).await?)))
}
