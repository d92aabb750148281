//! Organisation settings: the time zone "today" follows, alert stages, the rolling review cadence, the reporting
//! currency and right-sizing's buffer.

use seatwise_types::OrgSettings;
use sqlx::{Any, Executor};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::jobs as store;
use crate::db::versions::{Key, Versioned};
use crate::db::Db;
use crate::domain::access;
use crate::domain::renewals::{self as rules, Org};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};
use crate::service::versions;

pub async fn load(db: &Db) -> AppResult<Org> {
    load_from(&db.read).await
}

/// The settings as a transaction sees them.
pub async fn load_from<'e, E: Executor<'e, Database = Any>>(exec: E) -> AppResult<Org> {
    let stored = store::org_settings(exec).await?;
    let input = OrgSettings {
        timezone: stored.timezone,
        alert_stages: rules::parse_stages(&stored.alert_stages),
        rolling_review_months: stored.rolling_review_months,
        daily_run_hour: stored.daily_run_hour,
        reporting_currency: stored.reporting_currency,
        right_size_buffer_percent: stored.right_size_buffer_percent,
        version: 0,
    };
    // Stored settings were checked on the way in; fall back to defaults rather than stop the daily job.
    Ok(rules::validate_org(&input).unwrap_or_default())
}

/// Today in the organisation's time zone, from the injected clock: the one way a request learns the date.
pub async fn today(db: &Db, clock: &dyn Clock) -> AppResult<chrono::NaiveDate> {
    Ok(load(db).await?.today(clock.now()))
}

/// Checked settings as the row stores them.
pub(crate) fn row(s: &OrgSettings) -> store::OrgSettingsRow {
    store::OrgSettingsRow {
        timezone: s.timezone.clone(),
        alert_stages: rules::format_stages(&s.alert_stages),
        rolling_review_months: s.rolling_review_months,
        daily_run_hour: s.daily_run_hour,
        reporting_currency: s.reporting_currency.clone(),
        right_size_buffer_percent: s.right_size_buffer_percent,
    }
}

pub async fn get(db: &Db, actor: &Actor) -> AppResult<OrgSettings> {
    access::may_read_directory(&actor.user)?;
    let version = store::org_settings_version(&db.read).await?;
    Ok(OrgSettings { version, ..load(db).await?.to_api() })
}

/// Change the settings; with `expected` (the client's `If-Match`) only if nobody changed them since. The body's
/// own `version` field is ignored: the condition is the header.
pub async fn update(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    input: &OrgSettings,
    expected: Option<i64>,
) -> AppResult<OrgSettings> {
    access::may_change_settings(&actor.user)?;
    let org = rules::validate_org(input).map_err(AppError::validation)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let version = versions::lock(&mut tx, Versioned::OrgSettings, Key::Id(1), expected, "settings").await?;
    let before = OrgSettings { version, ..load_from(&mut *tx).await?.to_api() };
    let after = OrgSettings { version: version + 1, ..org.to_api() };
    versions::bump(&mut tx, Versioned::OrgSettings, Key::Id(1), version).await?;
    store::save_org_settings(&mut tx, &row(&after), now).await?;
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
