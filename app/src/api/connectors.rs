//! Connectors (admins): where seat decisions are pushed; credentials are written, never read back.

use seatwise_types::{
    Connector, ConnectorInput, ConnectorTest, Page, PageQuery, Reconciliation, SeatAction, SeatActionQuery,
};

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

pub async fn get(id: i64) -> ApiResult<Connector> {
    super::get(&format!("/connectors/{id}")).await
}

/// The connector's seat actions, newest first.
pub async fn actions(id: i64, query: &SeatActionQuery) -> ApiResult<Page<SeatAction>> {
    super::get(&super::with_query(&format!("/connectors/{id}/actions"), query)?).await
}

/// The seat tasks waiting for the reader, in the pools they run (every pool for admins), oldest first.
pub async fn tasks(query: &PageQuery) -> ApiResult<Page<SeatAction>> {
    super::get(&super::with_query("/tasks", query)?).await
}

/// A person did a manual action: confirmed by them (an admin, or a license owner who runs its pool).
pub async fn done(id: i64, action_id: i64) -> ApiResult<SeatAction> {
    super::post_empty(&format!("/connectors/{id}/actions/{action_id}/done")).await
}

/// Reconcile now: the target's accounts against the seats.
pub async fn reconcile(id: i64) -> ApiResult<Reconciliation> {
    super::post_empty(&format!("/connectors/{id}/reconcile")).await
}

/// The latest reconciliation (404 before the first).
pub async fn reconciliation(id: i64) -> ApiResult<Reconciliation> {
    super::get(&format!("/connectors/{id}/reconciliation")).await
}

/// Replace a connector's settings (credentials left out keep the stored ones).
pub async fn update(id: i64, input: &ConnectorInput) -> ApiResult<Connector> {
    super::put(&format!("/connectors/{id}"), input).await
}

/// Remove a connector (refused while its actions wait).
pub async fn remove(id: i64) -> ApiResult<()> {
    super::delete(&format!("/connectors/{id}")).await
}
