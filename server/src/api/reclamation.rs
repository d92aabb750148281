//! Reclamation: policies (versioned, tried with a dry run, run by hand or daily), the cases they open, holds
//! that defer revocation, restores, and the savings log with its exports.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use seatwise_types::{
    Case, CaseQuery, DryRun, ErrorResponse, Hold, HoldInput, Page, PageQuery, Policy, PolicyInput, PolicyRun,
    PolicyVersion, RevokeQuery, SavingsFilter, SavingsPage, SavingsQuery, TimeToRevoke,
};

use super::download;
use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::service::reclamation::{cases, holds, policies, run, savings};
use crate::state::AppState;

/// Reclamation policies the caller may read (license owners: their departments' pools), by id.
#[utoipa::path(get, path = "/reclamation/policies", tag = "reclamation",
    responses((status = 200, body = Page<Policy>), (status = 403, body = ErrorResponse)))]
pub async fn list_policies(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Page<Policy>>> {
    Ok(Json(policies::list(&state.db, &actor).await?))
}

/// Write a policy (version 1) for a pool or a product: conditions on use, status and department, exemptions, and
/// what to do (reclaim, downgrade to a cheaper pool, or notify the owner). A new policy is best left disabled
/// until its dry run says what it would do.
#[utoipa::path(post, path = "/reclamation/policies", tag = "reclamation", request_body = PolicyInput,
    responses((status = 201, body = Policy), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_policy(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<PolicyInput>,
) -> AppResult<(StatusCode, Json<Policy>)> {
    Ok((StatusCode::CREATED, Json(policies::create(&state.db, &*state.clock, &actor, &body).await?)))
}

#[utoipa::path(get, path = "/reclamation/policies/{id}", tag = "reclamation", params(("id" = i64, Path)),
    responses((status = 200, body = Policy), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn get_policy(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Policy>> {
    Ok(Json(policies::get(&state.db, &actor, id).await?))
}

/// Write the policy's next version; cases opened by earlier versions keep the version that opened them.
#[utoipa::path(put, path = "/reclamation/policies/{id}", tag = "reclamation", params(("id" = i64, Path)),
    request_body = PolicyInput,
    responses((status = 200, body = Policy), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn update_policy(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<PolicyInput>,
) -> AppResult<Json<Policy>> {
    Ok(Json(policies::update(&state.db, &*state.clock, &actor, id, &body).await?))
}

/// Every version of a policy as it was written, newest first.
#[utoipa::path(get, path = "/reclamation/policies/{id}/versions", tag = "reclamation", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<PolicyVersion>), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn policy_versions(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Vec<PolicyVersion>>> {
    Ok(Json(policies::versions(&state.db, &actor, id).await?))
}

/// Which seats the policy would touch now and why (signal, value, threshold, freshness of the data), with the
/// monthly and annual saving per currency. Changes nothing.
#[utoipa::path(get, path = "/reclamation/policies/{id}/dry-run", tag = "reclamation", params(("id" = i64, Path), PageQuery),
    responses((status = 200, body = DryRun), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn dry_run_policy(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<DryRun>> {
    Ok(Json(policies::dry_run(&state.db, &*state.clock, &actor, id, q.page, q.per_page).await?))
}

/// Run the policy now: each finding with fresh data and no open case becomes a case, acted on at once, held by a
/// hold, or sent for approval as one change request.
#[utoipa::path(post, path = "/reclamation/policies/{id}/run", tag = "reclamation", params(("id" = i64, Path)),
    responses((status = 200, body = PolicyRun), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn run_policy(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<PolicyRun>> {
    Ok(Json(run::run(&state.db, &*state.clock, state.outbox(), &actor, id).await?))
}

/// Cases newest first, within the caller's scope; `state=open` for every case still waiting.
#[utoipa::path(get, path = "/reclamation/cases", tag = "reclamation", params(CaseQuery),
    responses((status = 200, body = Page<Case>), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn list_cases(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<CaseQuery>,
) -> AppResult<Json<Page<Case>>> {
    Ok(Json(cases::list(&state.db, &actor, &q).await?))
}

#[utoipa::path(get, path = "/reclamation/cases/{id}", tag = "reclamation", params(("id" = i64, Path)),
    responses((status = 200, body = Case), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn get_case(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<i64>) -> AppResult<Json<Case>> {
    Ok(Json(cases::get(&state.db, &actor, id).await?))
}

/// Give a reclaimed or downgraded seat back as it was, within the restore window; its saving is reversed.
#[utoipa::path(post, path = "/reclamation/cases/{id}/restore", tag = "reclamation", params(("id" = i64, Path)),
    responses((status = 200, body = Case), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse)))]
pub async fn restore_case(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Case>> {
    Ok(Json(cases::restore(&state.db, &*state.clock, &actor, id).await?))
}

/// Time from a termination to its seats' removal, per month: median, 95th percentile and breaches of a limit.
#[utoipa::path(get, path = "/reclamation/time-to-revoke", tag = "reclamation", params(RevokeQuery),
    responses((status = 200, body = TimeToRevoke), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn time_to_revoke(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<RevokeQuery>,
) -> AppResult<Json<TimeToRevoke>> {
    Ok(Json(cases::time_to_revoke(&state.db, &*state.clock, &actor, &q).await?))
}

/// Holds, newest first: legal holds on people and blackout windows on pools, with whether each is in force today.
#[utoipa::path(get, path = "/reclamation/holds", tag = "reclamation",
    responses((status = 200, body = Vec<Hold>), (status = 403, body = ErrorResponse)))]
pub async fn list_holds(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Vec<Hold>>> {
    Ok(Json(holds::list(&state.db, &*state.clock, &actor).await?))
}

/// Place a hold: a legal hold on a person (admins) or a blackout window on a pool (whoever may edit it).
/// Revocation of the seats it covers waits until it ends.
#[utoipa::path(post, path = "/reclamation/holds", tag = "reclamation", request_body = HoldInput,
    responses((status = 201, body = Hold), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_hold(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<HoldInput>,
) -> AppResult<(StatusCode, Json<Hold>)> {
    Ok((StatusCode::CREATED, Json(holds::create(&state.db, &*state.clock, &actor, &body).await?)))
}

/// Lift a hold now: the seats it held back are revoked at once unless another hold is in force.
#[utoipa::path(post, path = "/reclamation/holds/{id}/lift", tag = "reclamation", params(("id" = i64, Path)),
    responses((status = 200, body = Hold), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse)))]
pub async fn lift_hold(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Hold>> {
    Ok(Json(holds::lift(&state.db, &*state.clock, &actor, id).await?))
}

/// The savings log: one entry per reclaimed or downgraded seat, with totals and sums by month (reversed entries
/// excluded from the sums).
#[utoipa::path(get, path = "/savings", tag = "savings", params(SavingsQuery),
    responses((status = 200, body = SavingsPage), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn list_savings(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<SavingsQuery>,
) -> AppResult<Json<SavingsPage>> {
    Ok(Json(savings::list(&state.db, &actor, &q).await?))
}

/// The savings log as CSV, with the list's filters.
#[utoipa::path(get, path = "/savings/export.csv", tag = "savings", params(SavingsFilter),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn export_savings_csv(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<SavingsFilter>,
) -> AppResult<impl IntoResponse> {
    let (entries, _) = savings::all(&state.db, &actor, &q.as_query()).await?;
    Ok(download("text/csv; charset=utf-8", "attachment; filename=\"seatwise-savings.csv\"", savings::csv(&entries)?))
}

/// The savings log as an XLSX workbook (entries, and sums by month), with the list's filters.
#[utoipa::path(get, path = "/savings/export.xlsx", tag = "savings", params(SavingsFilter),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn export_savings_xlsx(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<SavingsFilter>,
) -> AppResult<impl IntoResponse> {
    let (entries, months) = savings::all(&state.db, &actor, &q.as_query()).await?;
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "attachment; filename=\"seatwise-savings.xlsx\"",
        savings::xlsx(&entries, &months)?,
    ))
}
