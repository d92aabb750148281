//! Devices that hold per-device licenses.

use seatwise_types::{Device, DeviceInput};

use super::ApiResult;

pub async fn list() -> ApiResult<Vec<Device>> {
    super::get("/devices").await
}

pub async fn create(input: &DeviceInput) -> ApiResult<Device> {
    super::post("/devices", input).await
}
