//! Connectors (admins): where seat decisions are pushed; credentials are written, never read back.

use seatwise_types::{Connector, ConnectorInput, ConnectorTest, Page};

use super::ApiResult;

pub async fn list() -> ApiResult<Page<Connector>> {
    super::get("/connectors").await
}

pub async fn create(input: &ConnectorInput) -> ApiResult<Connector> {
    super::post("/connectors", input).await
}

/// What works and what is missing at the connector's target.
pub async fn test(id: i64) -> ApiResult<ConnectorTest> {
    super::post_empty(&format!("/connectors/{id}/test")).await
}
