//! Webhooks (admins): signed outgoing events; the secret comes back once, when one is made.

use seatwise_types::{Page, PageQuery, Webhook, WebhookDelivery, WebhookInput};

use super::{with_query, ApiResult};

pub async fn list() -> ApiResult<Page<Webhook>> {
    super::get("/webhooks").await
}

pub async fn create(input: &WebhookInput) -> ApiResult<Webhook> {
    super::post("/webhooks", input).await
}

pub async fn deliveries(id: i64) -> ApiResult<Page<WebhookDelivery>> {
    let q = PageQuery { page: None, per_page: Some(20) };
    super::get(&with_query(&format!("/webhooks/{id}/deliveries"), &q)?).await
}
