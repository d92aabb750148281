//! Import progress, on its own pool (`Db::progress`): written while the import's transaction holds the write lock,
//! read by any instance.

use chrono::{DateTime, Utc};
use sqlx::AnyPool;

use super::decode::Cols;
use crate::clock::to_db;

/// How far an import's apply has come (served as is by `GET /api/v1/imports/{id}/progress`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct JobProgress {
    pub done: u64,
    pub total: u64,
    pub phase: String,
    pub finished: bool,
}

pub async fn set(pool: &AnyPool, import_id: i64, p: &JobProgress, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO import_progress (import_id, phase, done, total, finished, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (import_id) DO UPDATE SET \
         phase = excluded.phase, done = excluded.done, total = excluded.total, finished = excluded.finished, \
         updated_at = excluded.updated_at",
    )
    .bind(import_id)
    .bind(&p.phase)
    .bind(i64::try_from(p.done).unwrap_or(i64::MAX))
    .bind(i64::try_from(p.total).unwrap_or(i64::MAX))
    .bind(i64::from(p.finished))
    .bind(to_db(now))
    .execute(pool)
    .await?;
    Ok(())
}

/// Mark finished: done catches up with total.
pub async fn finish(pool: &AnyPool, import_id: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE import_progress SET done = total, finished = 1, updated_at = $1 WHERE import_id = $2")
        .bind(to_db(now))
        .bind(import_id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn get(pool: &AnyPool, import_id: i64) -> Result<Option<JobProgress>, sqlx::Error> {
    let row = sqlx::query("SELECT phase, done, total, finished FROM import_progress WHERE import_id = $1")
        .bind(import_id)
        .fetch_optional(pool)
        .await?;
    row.map(|r| {
        let c = Cols::new(&r, "import_progress");
        Ok(JobProgress {
            phase: c.text("phase")?,
            done: c.count("done")?,
            total: c.count("total")?,
            finished: c.flag("finished")?,
        })
    })
    .transpose()
}
