//! What filters and forms choose from: vendors, products, departments, cost centres, owners.

use seatwise_types::{Department, Lookups};

use super::ApiResult;

pub async fn lookups() -> ApiResult<Lookups> {
    super::get("/lookups").await
}

pub async fn departments() -> ApiResult<Vec<Department>> {
    super::get("/departments").await
}
