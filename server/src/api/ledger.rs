//! The audit ledger (admin).

use axum::extract::State;
use axum::Json;
use seatwise_types::{ErrorResponse, LedgerEntry, LedgerQuery, LedgerVerification, Page};

use super::extract::ApiQuery;
use crate::auth::Actor;
use crate::error::AppResult;
use crate::service::ledger;
use crate::state::AppState;

/// Ledger entries, newest first.
#[utoipa::path(get, path = "/ledger", tag = "ledger", params(LedgerQuery),
    responses((status = 200, body = Page<LedgerEntry>), (status = 403, body = ErrorResponse)))]
pub async fn list_ledger(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(p): ApiQuery<LedgerQuery>,
) -> AppResult<Json<Page<LedgerEntry>>> {
    Ok(Json(ledger::list(&state.db, &actor, p.record_type, p.record_id, p.page, p.per_page).await?))
}

/// Recompute the whole hash chain and name the first entry that does not match.
#[utoipa::path(post, path = "/ledger/verify", tag = "ledger",
    responses((status = 200, body = LedgerVerification), (status = 403, body = ErrorResponse)))]
pub async fn verify_ledger(State(state): State<AppState>, actor: Actor) -> AppResult<Json<LedgerVerification>> {
    Ok(Json(ledger::verify_as(&state.db, &actor).await?))
}
