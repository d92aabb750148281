//! Consent campaigns and access reviews, the owner's decision on a case waiting for one, and the response link's
//! two public endpoints (no login: the link's signed token is the credential).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use seatwise_types::{
    Campaign, CampaignInput, CampaignQuery, Case, CaseDecision, ErrorResponse, Page, ResponseInput, ResponsePage,
};

use super::download;
use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::service::reclamation::{campaigns, decide, respond};
use crate::state::AppState;

/// Ask the people who hold seats before taking them back: the seats a policy selects now (`policy_id`) or chosen
/// seats (`assignment_ids`). Each seat becomes a case waiting for an answer; each person asked gets one e-mail
/// listing their seats with Keep and Release links. `ask` makes it an access review, asking each holder's manager
/// or the pool's owner instead.
#[utoipa::path(post, path = "/reclamation/campaigns", tag = "reclamation", request_body = CampaignInput,
    responses((status = 201, body = Campaign), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn start_campaign(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<CampaignInput>,
) -> AppResult<(StatusCode, Json<Campaign>)> {
    let campaign = campaigns::start(&state.db, &*state.clock, state.outbox(), &actor, &body).await?;
    Ok((StatusCode::CREATED, Json(campaign)))
}

/// Campaigns asking about seats the caller may read, newest first, with their counts and saving.
#[utoipa::path(get, path = "/reclamation/campaigns", tag = "reclamation", params(CampaignQuery),
    responses((status = 200, body = Page<Campaign>), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn list_campaigns(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<CampaignQuery>,
) -> AppResult<Json<Page<Campaign>>> {
    Ok(Json(campaigns::list(&state.db, &actor, &q).await?))
}

/// One campaign with its counts per department.
#[utoipa::path(get, path = "/reclamation/campaigns/{id}", tag = "reclamation", params(("id" = i64, Path)),
    responses((status = 200, body = Campaign), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn get_campaign(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Campaign>> {
    Ok(Json(campaigns::get(&state.db, &actor, id).await?))
}

/// The campaign's record for an auditor: per seat, who was asked and when, who answered what and when, and how it
/// ended.
#[utoipa::path(get, path = "/reclamation/campaigns/{id}/record.csv", tag = "reclamation", params(("id" = i64, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse)))]
pub async fn campaign_record_csv(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<impl axum::response::IntoResponse> {
    let (_, csv) = campaigns::record_csv(&state.db, &actor, id).await?;
    Ok(download("text/csv; charset=utf-8", "attachment; filename=\"seatwise-campaign-record.csv\"", csv))
}

/// Decide a campaign's case that waits for the pool's owner (a Keep to confirm, or no answer by the deadline).
#[utoipa::path(post, path = "/reclamation/cases/{id}/decide", tag = "reclamation", params(("id" = i64, Path)),
    request_body = CaseDecision,
    responses((status = 200, body = Case), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn decide_case(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<CaseDecision>,
) -> AppResult<Json<Case>> {
    Ok(Json(decide::decide(&state.db, &*state.clock, &actor, id, &body).await?))
}

/// What a response link shows: the question, the seats and whom to contact. No login; reading it changes nothing,
/// so mail scanners that open every link do no harm.
#[utoipa::path(get, path = "/respond/{token}", tag = "reclamation", params(("token" = String, Path)),
    responses((status = 200, body = ResponsePage), (status = 404, body = ErrorResponse)))]
pub async fn response_page(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> AppResult<Json<ResponsePage>> {
    Ok(Json(respond::view(&state.db, &*state.clock, &token).await?))
}

/// Answer through a response link: `keep` or `release`, for every seat still waiting or for `case_ids`. Each seat
/// takes one answer, until the deadline. No login: the link's signed token is the credential.
#[utoipa::path(post, path = "/respond/{token}", tag = "reclamation", params(("token" = String, Path)),
    request_body = ResponseInput,
    responses((status = 200, body = ResponsePage), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn answer_response(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    ApiJson(body): ApiJson<ResponseInput>,
) -> AppResult<Json<ResponsePage>> {
    Ok(Json(respond::answer(&state.db, &*state.clock, state.outbox(), &token, &body).await?))
}
