//! How far long-running work (an import being applied, a change request's stage) has come, kept where every
//! instance reads it, with a heartbeat that says the work is still alive.

use chrono::{DateTime, Utc};
use seatwise_types::JobProgress;

use crate::clock::SharedClock;
use crate::db::progress::Job;

/// How far long-running work (an import being applied, a change request's stage) has come. Kept in the database on
/// its own connection pool, outside the work's transaction, so any instance behind a load balancer can answer while
/// it runs.
#[derive(Clone)]
pub struct Progress {
    db: sqlx::AnyPool,
    clock: SharedClock,
}

impl Progress {
    pub fn new(db: sqlx::AnyPool, clock: SharedClock) -> Self {
        Self { db, clock }
    }

    /// Progress is advisory: a failed write is logged and the work goes on.
    pub async fn set(&self, job: Job, phase: &str, done: u64, total: u64) {
        let p = JobProgress { done, total, phase: phase.to_string(), finished: false };
        if let Err(e) = crate::db::progress::set(&self.db, job, &p, self.clock.now()).await {
            tracing::warn!(?job, error = %e, "could not record progress");
        }
    }

    pub async fn finish(&self, job: Job) {
        if let Err(e) = crate::db::progress::finish(&self.db, job, self.clock.now()).await {
            tracing::warn!(?job, error = %e, "could not record progress");
        }
    }

    /// The time by the clock this progress is kept with.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub async fn get(&self, job: Job) -> Result<Option<JobProgress>, sqlx::Error> {
        crate::db::progress::get(&self.db, job).await
    }

    /// Say every `HEARTBEAT` that `job` is still running, until the returned guard is dropped.
    pub fn keep_alive(&self, job: Job) -> KeepAlive {
        let progress = self.clone();
        KeepAlive(tokio::spawn(async move {
            loop {
                tokio::time::sleep(crate::domain::apply_attempt::HEARTBEAT).await;
                if let Err(e) = crate::db::progress::beat(&progress.db, job, progress.clock.now()).await {
                    tracing::warn!(?job, error = %e, "could not record that work is still running");
                }
            }
        }))
    }

    /// When each of these jobs (of the kind `of` makes) last showed it was running, by id.
    pub async fn last_alive(
        &self,
        of: fn(i64) -> Job,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, DateTime<Utc>>, sqlx::Error> {
        crate::db::progress::last_updates(&self.db, of, ids).await
    }
}

/// Stops a [`Progress::keep_alive`] heartbeat when dropped.
pub struct KeepAlive(tokio::task::JoinHandle<()>);

impl Drop for KeepAlive {
    fn drop(&mut self) {
        self.0.abort();
    }
}
