//! Background work: the daily renewal run (once per organisation day, claimed in the database so only one
//! instance runs it) and mail delivery. `tick` is what the timer calls; tests call it after moving the clock.

use std::sync::Arc;
use std::time::Duration;

use crate::clock::SharedClock;
use crate::db::jobs as store;
use crate::db::Db;
use crate::domain::alert_mail::Outbox;
use crate::domain::escape::Escaped;
use crate::error::AppResult;
use crate::service::change_requests;
use crate::service::connectors;
use crate::service::mailer::{self, Delivery, Mailer};
use crate::service::org;
use crate::service::progress::Progress;
use crate::service::reclamation;
use crate::service::renewal_job::{self, RunSummary};

pub const RENEWALS: &str = "renewals";
pub const RECLAMATION: &str = "reclamation";
pub const RECONCILIATION: &str = "reconciliation";
/// A run that has not finished in this time is presumed dead and taken over.
const LEASE_MINUTES: i64 = 15;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    /// The daily run, when this tick ran it.
    pub renewals: Option<RunSummary>,
    pub mail: Delivery,
    /// Change requests whose approval lapsed, and reminders queued to their approvers.
    pub changes_expired: u64,
    pub changes_reminded: u64,
    /// Scheduled change requests this tick applied (claimed by this instance).
    pub changes_applied: u64,
    /// The daily reclamation run, when this tick ran it.
    pub reclamation: Option<reclamation::daily::DailySummary>,
    /// Campaigns' reminders and deadlines this tick kept.
    pub campaigns: reclamation::campaign_upkeep::CampaignUpkeep,
    /// Seat actions this tick carried out in connectors' targets.
    pub seat_actions: connectors::deliver::Delivered,
    /// Tasks left to a person too long, mailed to the admins by this tick.
    pub tasks_told: u64,
    pub tasks_escalated: u64,
    /// Webhook deliveries this tick posted.
    pub webhooks: crate::service::webhooks::Posted,
    /// The nightly reconciliation of connectors' targets, when this tick ran it.
    pub reconciliation: Option<connectors::reconcile::Nightly>,
}

/// What background work takes: the database, the clock, this instance's name in job claims, and the mail relay
/// (if any) with the console's address for links in mail.
#[derive(Clone)]
pub struct Worker {
    pub db: Db,
    pub clock: SharedClock,
    pub instance: Arc<str>,
    pub mailer: Option<Arc<Mailer>>,
    pub public_url: String,
    /// Opens connectors' credentials, for seat actions.
    pub credentials_key: Option<Arc<crate::domain::sealed::CredentialsKey>>,
}

impl Worker {
    fn outbox(&self) -> Option<Outbox<'_>> {
        self.mailer.as_ref().map(|_| Outbox { public_url: &self.public_url })
    }
}

/// One tick: the daily runs when due, then change-request upkeep and mail. Each part runs whatever another part's
/// trouble (one request that cannot be read must not stop mail for everyone); the first failure is returned once
/// the rest has run.
pub async fn tick(state: &Worker) -> AppResult<TickReport> {
    let org = org::load(&state.db).await?;
    let now = state.clock.now();
    let mut report = TickReport::default();
    let mut failed = None;
    if org.daily_job_due(now) {
        let today = org.today(now);
        let renewals = renewal_job::run_day(&state.db, state.outbox(), &org, today, now);
        match claimed_daily(state, RENEWALS, today, now, renewals).await {
            Ok(summary) => {
                if let Some(s) = &summary {
                    metrics::counter!("seatwise_alerts_raised_total").increment(s.alerts as u64);
                    metrics::counter!("seatwise_tacit_renewals_total").increment(s.renewed as u64);
                }
                report.renewals = summary;
            }
            Err(e) => failed = Some(e),
        }
        let reclaiming = reclamation::daily::run_day(&state.db, &*state.clock, state.outbox(), &org, now);
        match claimed_daily(state, RECLAMATION, today, now, reclaiming).await {
            Ok(summary) => report.reclamation = summary,
            Err(e) => failed = failed.or(Some(e)),
        }
        let reconciling = connectors::reconcile::nightly(&state.db, state.credentials_key.as_deref(), now);
        match claimed_daily(state, RECONCILIATION, today, now, reconciling).await {
            Ok(summary) => report.reconciliation = summary,
            Err(e) => failed = failed.or(Some(e)),
        }
    }
    let progress = Progress::new(state.db.progress.clone(), state.clock.clone());
    match change_requests::upkeep(&state.db, &*state.clock, state.outbox(), &progress, super::CHANGE_FOLLOWER).await {
        Ok(upkeep) => {
            report.changes_expired = upkeep.expired;
            report.changes_reminded = upkeep.reminded;
            report.changes_applied = upkeep.applied;
        }
        Err(e) => failed = failed.or(Some(e)),
    }
    // Before mail, so a deadline's or reminder's letters go out in the same tick.
    match reclamation::campaign_upkeep::upkeep(&state.db, &*state.clock, state.outbox()).await {
        Ok(done) => report.campaigns = done,
        Err(e) => failed = failed.or(Some(e)),
    }
    // After the runs and change requests that queue them, so their removals reach the targets in the same tick.
    match connectors::deliver::deliver_due(&state.db, &*state.clock, state.credentials_key.as_deref()).await {
        Ok(done) => report.seat_actions = done,
        Err(e) => failed = failed.or(Some(e)),
    }
    match connectors::actions::tell(&state.db, &*state.clock, state.outbox()).await {
        Ok(n) => report.tasks_told = n,
        Err(e) => failed = failed.or(Some(e)),
    }
    match connectors::actions::escalate(&state.db, &*state.clock, state.outbox()).await {
        Ok(n) => report.tasks_escalated = n,
        Err(e) => failed = failed.or(Some(e)),
    }
    match crate::service::webhooks::deliver_due(&state.db, &*state.clock, state.credentials_key.as_deref()).await {
        Ok(done) => report.webhooks = done,
        Err(e) => failed = failed.or(Some(e)),
    }
    match mailer::deliver_due(&state.db, &*state.clock, state.mailer.as_deref()).await {
        Ok(mail) => report.mail = mail,
        Err(e) => failed = failed.or(Some(e)),
    }
    // Mail that cannot be delivered should page someone, not sit unseen in a table.
    let outbox = store::outbox_counts(&state.db.read).await?;
    metrics::gauge!("seatwise_mail_outbox", "status" => "pending").set(outbox.pending as f64);
    metrics::gauge!("seatwise_mail_outbox", "status" => "failed").set(outbox.failed as f64);
    match failed {
        Some(e) => Err(e),
        None => Ok(report),
    }
}

/// Run one of the day's jobs if this instance claims it: the claim is taken in the database first (the job's future
/// does nothing until awaited), and its summary is recorded with the finished run. `None` when another instance
/// has it.
async fn claimed_daily<T: serde::Serialize + std::fmt::Debug>(
    state: &Worker,
    name: &str,
    today: chrono::NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
    job: impl std::future::Future<Output = AppResult<T>>,
) -> AppResult<Option<T>> {
    let lease = chrono::Duration::minutes(LEASE_MINUTES);
    if !store::claim_run(&state.db.write, name, today, &state.instance, now, lease).await? {
        return Ok(None);
    }
    let summary = job.await?;
    let text = serde_json::to_string(&summary).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    store::finish_run(&state.db.write, name, today, state.clock.now(), &text).await?;
    tracing::info!(job = name, day = %today, ?summary, "daily run finished");
    Ok(Some(summary))
}

/// Tick now and then every `interval` until the process ends.
pub fn spawn(state: Worker, interval: Duration) {
    tokio::spawn(async move {
        let mut timer = tokio::time::interval(interval);
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            timer.tick().await;
            if let Err(e) = tick(&state).await {
                tracing::warn!(error = %Escaped(&e), "background jobs failed; retrying next tick");
            }
        }
    });
}
