//! An apply attempt under way (an import, a change request's stage): recorded as started before the work's
//! transaction and kept alive in the progress record while it runs. Dropped without an end, because the request
//! timed out or its client went away and the work was cancelled, it records that it failed: an attempt never
//! stays open after the work that made it is gone.

use seatwise_types::AttemptOutcome;

use crate::db::attempts::{self, Work};
use crate::db::progress::Job;
use crate::db::{Backend, Db};
use crate::domain::apply_attempt;
use crate::error::{AppError, AppResult};
use crate::service::progress::{KeepAlive, Progress};

/// The progress record of the work an attempt of `work` applies, by that work's id.
fn job(work: Work) -> fn(i64) -> Job {
    match work {
        Work::Import => Job::Import,
        Work::ChangeRequest => Job::ChangeRequest,
    }
}

pub struct Attempt {
    id: i64,
    work: Work,
    job: Job,
    db: sqlx::AnyPool,
    progress: Progress,
    open: bool,
    _alive: KeepAlive,
}

impl Attempt {
    /// Attempt `id` at applying `owner` (an import, a change request), its start already written by the kind's
    /// own module (their columns differ).
    pub fn started(work: Work, owner: i64, id: i64, db: sqlx::AnyPool, progress: &Progress) -> Self {
        let job = job(work)(owner);
        Self { id, work, job, db, progress: progress.clone(), open: true, _alive: progress.keep_alive(job) }
    }

    pub fn id(&self) -> i64 {
        self.id
    }

    /// Its end was written in the work's own transaction (which committed): only the progress is left to close.
    pub async fn applied(mut self) {
        self.open = false;
        self.progress.finish(self.job).await;
    }

    /// Record that it failed and why, as the person was told. Advisory: the failure is what they see.
    pub async fn failed(mut self, error: &AppError) {
        self.open = false;
        record_failure(&self.db, self.work, self.id, &error.public_message(), &self.progress).await;
        self.progress.finish(self.job).await;
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        if !self.open {
            return;
        }
        let (id, work, job, db, progress) = (self.id, self.work, self.job, self.db.clone(), self.progress.clone());
        // Drop cannot wait: the write goes on after the request is gone. It ends only an attempt still without an
        // end, so one the work's transaction ended keeps its real outcome.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                let why = "The apply stopped before it finished (the request timed out or its connection closed); \
                           nothing of it was kept.";
                record_failure(&db, work, id, why, &progress).await;
                progress.finish(job).await;
            });
        }
    }
}

/// End an attempt as failed, on its own connection (the work's transaction is gone). Logged if it cannot be.
async fn record_failure(db: &sqlx::AnyPool, work: Work, id: i64, why: &str, progress: &Progress) {
    let now = progress.now();
    let ended = async {
        let mut conn = db.acquire().await?;
        attempts::end(&mut conn, work, id, AttemptOutcome::Failed, Some(why), now).await
    };
    if let Err(e) = ended.await {
        tracing::warn!(attempt = id, ?work, error = %e, "could not record that an apply attempt failed");
    }
}

/// Attempts of `work` left without an end by a process that stopped. A SQLite file has one server, so at its
/// start an attempt that has gone quiet was cut off; on PostgreSQL other instances may be applying, and an
/// attempt reads as interrupted once it has been quiet for longer (`domain::apply_attempt`).
pub async fn recover_interrupted(db: &Db, progress: &Progress, work: Work) -> AppResult<u64> {
    if db.backend != Backend::Sqlite {
        return Ok(0);
    }
    let open = attempts::unfinished(&db.write, work).await?;
    let owners: Vec<i64> = open.iter().map(|(_, owner, _)| *owner).collect();
    let alive = progress.last_alive(job(work), &owners).await?;
    let gone = apply_attempt::cut_off_among(open, &alive, progress.now());
    Ok(attempts::interrupt(&db.write, work, &gone).await?)
}
