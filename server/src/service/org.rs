//! Organisation settings: the time zone "today" follows, alert stages, the rolling review cadence.

use seatwise_types::OrgSettings;

use crate::auth::Actor;
use crate::db::jobs as store;
use crate::db::Db;
use crate::domain::access;
use crate::domain::renewals::{self as rules, Org};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};
use crate::state::AppState;

pub async fn load(db: &Db) -> AppResult<Org> {
    let (timezone, stages, review_months, hour) = store::org_settings(&db.read).await?;
    let input = OrgSettings {
        timezone,
        alert_stages: rules::parse_stages(&stages),
        rolling_review_months: review_months,
        daily_run_hour: hour,
    };
    // Stored settings were checked on the way in; fall back to defaults rather than stop the daily job.
    Ok(rules::validate_org(&input).unwrap_or_default())
}

/// Today in the organisation's time zone, from the injected clock: the one way a request learns the date.
pub async fn today(state: &AppState) -> AppResult<chrono::NaiveDate> {
    Ok(load(&state.db).await?.today(state.clock.now()))
}

pub async fn get(state: &AppState, actor: &Actor) -> AppResult<OrgSettings> {
    if actor.user.roles.is_empty() {
        return Err(AppError::Forbidden("Your account has no role yet.".into()));
    }
    Ok(load(&state.db).await?.to_api())
}

pub async fn update(state: &AppState, actor: &Actor, input: &OrgSettings) -> AppResult<OrgSettings> {
    if !access::is_admin(&actor.user) {
        return Err(AppError::Forbidden("Only admins change organisation settings.".into()));
    }
    let org = rules::validate_org(input).map_err(AppError::validation)?;
    let before = load(&state.db).await?.to_api();
    let after = org.to_api();
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    store::save_org_settings(
        &mut tx,
        &after.timezone,
        &rules::format_stages(&after.alert_stages),
        after.rolling_review_months,
        after.daily_run_hour,
        now,
    )
    .await?;
    ledger::record(
        &mut tx,
        now,
        actor.ledger_name(),
        Change::changed("settings.update", "settings", None, &before, &after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
