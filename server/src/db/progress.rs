//! Progress of long work (an import being applied, a change request's stage), on its own pool (`Db::progress`):
//! written while the work's transaction holds the write lock, read by any instance.

use chrono::{DateTime, Utc};
use sqlx::AnyPool;

use super::decode::Cols;
use crate::clock::to_db;

use seatwise_types::JobProgress;

/// Whose progress: each kind of work has its own table, keyed by its record's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    Import(i64),
    ChangeRequest(i64),
}

impl Job {
    fn id(self) -> i64 {
        match self {
            Job::Import(id) | Job::ChangeRequest(id) => id,
        }
    }
}

/// A statement on the job's table: `{t}` is the table, `{k}` its key column.
fn on(job: Job, sql: &str) -> String {
    let (table, key) = match job {
        Job::Import(_) => ("import_progress", "import_id"),
        Job::ChangeRequest(_) => ("change_request_progress", "change_request_id"),
    };
    sql.replace("{t}", table).replace("{k}", key)
}

pub async fn set(db: &AnyPool, job: Job, p: &JobProgress, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let sql = on(
        job,
        "INSERT INTO {t} ({k}, phase, done, total, finished, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT ({k}) DO UPDATE SET \
         phase = excluded.phase, done = excluded.done, total = excluded.total, finished = excluded.finished, \
         updated_at = excluded.updated_at",
    );
    sqlx::query(&sql)
        .bind(job.id())
        .bind(&p.phase)
        .bind(i64::try_from(p.done).unwrap_or(i64::MAX))
        .bind(i64::try_from(p.total).unwrap_or(i64::MAX))
        .bind(i64::from(p.finished))
        .bind(to_db(now))
        .execute(db)
        .await?;
    Ok(())
}

/// Mark finished: done catches up with total.
pub async fn finish(db: &AnyPool, job: Job, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query(&on(job, "UPDATE {t} SET done = total, finished = 1, updated_at = $1 WHERE {k} = $2"))
        .bind(to_db(now))
        .bind(job.id())
        .execute(db)
        .await?;
    Ok(())
}

pub async fn get(db: &AnyPool, job: Job) -> Result<Option<JobProgress>, sqlx::Error> {
    let row = sqlx::query(&on(job, "SELECT phase, done, total, finished FROM {t} WHERE {k} = $1"))
        .bind(job.id())
        .fetch_optional(db)
        .await?;
    row.map(|r| {
        let c = Cols::new(&r, "progress");
        Ok(JobProgress {
            phase: c.text("phase")?,
            done: c.count("done")?,
            total: c.count("total")?,
            finished: c.flag("finished")?,
        })
    })
    .transpose()
}

/// Say an apply is still alive without changing how far it has come.
pub async fn beat(db: &AnyPool, job: Job, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query(&on(job, "UPDATE {t} SET updated_at = $1 WHERE {k} = $2"))
        .bind(to_db(now))
        .bind(job.id())
        .execute(db)
        .await?;
    Ok(())
}

/// When each of these jobs (all of one kind, `of` making one from an id) last reported progress, by id.
pub async fn last_updates(
    db: &AnyPool,
    of: fn(i64) -> Job,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, DateTime<Utc>>, sqlx::Error> {
    let mut out = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let job = of(0);
    let mut sql = super::Sql::new(&on(job, "SELECT {k} AS id, updated_at FROM {t} WHERE "));
    sql.push_in(&on(job, "{k}"), ids);
    for r in sql.query().fetch_all(db).await? {
        let c = Cols::new(&r, "progress");
        out.insert(c.i64("id")?, c.timestamp("updated_at")?);
    }
    Ok(out)
}
