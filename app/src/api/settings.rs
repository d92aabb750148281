//! Organisation settings.

use seatwise_types::OrgSettings;

use super::ApiResult;

pub async fn get() -> ApiResult<OrgSettings> {
    super::get("/settings").await
}

/// Save the settings if they are still at `version` (409 otherwise).
pub async fn update(input: &OrgSettings, version: i64) -> ApiResult<OrgSettings> {
    super::put_if("/settings", input, Some(version)).await
}
