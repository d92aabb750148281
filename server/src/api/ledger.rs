//! The audit ledger (admin).

use axum::extract::State;
use axum::Json;
use seatwise_types::{ErrorResponse, LedgerEntry, LedgerQuery, LedgerVerification, Page};

use super::extract::ApiQuery;
use crate::auth::Actor;
use crate::domain::access;
use crate::error::{AppError, AppResult};
use crate::service::{ledger, paging};
use crate::state::AppState;

fn require_admin(actor: &Actor) -> AppResult<()> {
    if access::is_admin(&actor.user) {
        Ok(())
    } else {
        Err(AppError::Forbidden("Only admins read the whole ledger.".into()))
    }
}

/// Ledger entries, newest first.
#[utoipa::path(get, path = "/ledger", tag = "ledger", params(LedgerQuery),
    responses((status = 200, body = Page<LedgerEntry>), (status = 403, body = ErrorResponse)))]
pub async fn list_ledger(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(p): ApiQuery<LedgerQuery>,
) -> AppResult<Json<Page<LedgerEntry>>> {
    require_admin(&actor)?;
    let (page, per_page) = paging(p.page, p.per_page)?;
    let q = crate::db::ledger::LedgerQuery { record_type: p.record_type, record_id: p.record_id, page, per_page };
    Ok(Json(ledger::list(&state.db, &q).await?))
}

/// Recompute the whole hash chain and name the first entry that does not match.
#[utoipa::path(post, path = "/ledger/verify", tag = "ledger",
    responses((status = 200, body = LedgerVerification), (status = 403, body = ErrorResponse)))]
pub async fn verify_ledger(State(state): State<AppState>, actor: Actor) -> AppResult<Json<LedgerVerification>> {
    require_admin(&actor)?;
    Ok(Json(ledger::verify(&state.db).await?))
}
