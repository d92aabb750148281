//! Consent campaigns and access reviews, the owner's decision on a case waiting for one, and the public response
//! link's page.

use seatwise_types::{Campaign, CampaignInput, CampaignQuery, Case, CaseDecision, Page, ResponseInput, ResponsePage};

use super::{with_query, ApiResult};

pub async fn campaigns(query: &CampaignQuery) -> ApiResult<Page<Campaign>> {
    super::get(&with_query("/reclamation/campaigns", query)?).await
}

pub async fn campaign(id: i64) -> ApiResult<Campaign> {
    super::get(&format!("/reclamation/campaigns/{id}")).await
}

pub async fn start(input: &CampaignInput) -> ApiResult<Campaign> {
    super::post("/reclamation/campaigns", input).await
}

/// Where the browser downloads a campaign's record for an auditor.
pub fn record_csv_url(id: i64) -> String {
    super::url(&format!("/reclamation/campaigns/{id}/record.csv"))
}

pub async fn decide(case_id: i64, input: &CaseDecision) -> ApiResult<Case> {
    super::post(&format!("/reclamation/cases/{case_id}/decide"), input).await
}

/// What a response link shows (no login).
pub async fn response(token: &str) -> ApiResult<ResponsePage> {
    super::get(&format!("/respond/{}", js_sys::encode_uri_component(token))).await
}

pub async fn answer(token: &str, input: &ResponseInput) -> ApiResult<ResponsePage> {
    super::post(&format!("/respond/{}", js_sys::encode_uri_component(token)), input).await
}
