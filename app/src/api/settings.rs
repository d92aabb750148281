//! Organisation settings.

use seatwise_types::{GroupRoleMapping, OrgSettings};

use super::ApiResult;

pub async fn get() -> ApiResult<OrgSettings> {
    super::get("/settings").await
}

/// Save the settings if they are still at `version` (409 otherwise).
pub async fn update(input: &OrgSettings, version: i64) -> ApiResult<OrgSettings> {
    super::put_if("/settings", input, Some(version)).await
}

/// The identity provider's groups and the roles they give (admins).
pub async fn sign_in_groups() -> ApiResult<Vec<GroupRoleMapping>> {
    super::get("/settings/sign-in-groups").await
}

/// Replace the group → role mapping (admins).
pub async fn set_sign_in_groups(rows: &Vec<GroupRoleMapping>) -> ApiResult<Vec<GroupRoleMapping>> {
    super::put("/settings/sign-in-groups", rows).await
}
