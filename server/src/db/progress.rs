//! Import progress, on its own pool (`Db::progress`): written while the import's transaction holds the write lock,
//! read by any instance.

use chrono::{DateTime, Utc};
use sqlx::AnyPool;

use super::decode::Cols;
use crate::clock::to_db;

use seatwise_types::JobProgress;

pub async fn set(db: &AnyPool, import_id: i64, p: &JobProgress, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
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
    .execute(db)
    .await?;
    Ok(())
}

/// Mark finished: done catches up with total.
pub async fn finish(db: &AnyPool, import_id: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE import_progress SET done = total, finished = 1, updated_at = $1 WHERE import_id = $2")
        .bind(to_db(now))
        .bind(import_id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn get(db: &AnyPool, import_id: i64) -> Result<Option<JobProgress>, sqlx::Error> {
    let row = sqlx::query("SELECT phase, done, total, finished FROM import_progress WHERE import_id = $1")
        .bind(import_id)
        .fetch_optional(db)
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

/// Say an apply is still alive without changing how far it has come.
pub async fn beat(db: &AnyPool, import_id: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE import_progress SET updated_at = $1 WHERE import_id = $2")
        .bind(to_db(now))
        .bind(import_id)
        .execute(db)
        .await?;
    Ok(())
}

/// When each of these imports last reported progress.
pub async fn last_updates(
    db: &AnyPool,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, DateTime<Utc>>, sqlx::Error> {
    let mut out = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut sql = super::Sql::new("SELECT import_id, updated_at FROM import_progress WHERE ");
    sql.push_in("import_id", ids);
    for r in sql.query().fetch_all(db).await? {
        let c = Cols::new(&r, "import_progress");
        out.insert(c.i64("import_id")?, c.timestamp("updated_at")?);
    }
    Ok(out)
}
