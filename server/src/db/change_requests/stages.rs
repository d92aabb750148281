//! A change request's applied stages (with the snapshot taken before each) and every attempt to apply one.

use chrono::{DateTime, Utc};
use seatwise_types::{AttemptOutcome, ChangePreview, ChangeStage, Ref};
use sqlx::{Any, AnyPool, Executor};

use super::encode;
use crate::clock::to_db;
use crate::db::decode::Cols;
use crate::db::Conn;
use crate::domain::change_rollback::Snapshot;

// --- Stages and their snapshots -----------------------------------------------------------------------------

/// An applied stage as written, with the snapshot taken before it.
pub struct NewStage<'a> {
    pub stage: i64,
    pub first_row: i64,
    pub row_count: i64,
    pub snapshot: &'a Snapshot,
    pub rest_preview: Option<&'a ChangePreview>,
    pub applied_by: i64,
}

pub async fn insert_stage(conn: &mut Conn, id: i64, s: &NewStage<'_>, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO change_request_stages (change_request_id, stage, first_row, row_count, snapshot, rest_preview, \
           applied_by, applied_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(s.stage)
    .bind(s.first_row)
    .bind(s.row_count)
    .bind(encode(s.snapshot)?)
    .bind(s.rest_preview.map(encode).transpose()?)
    .bind(s.applied_by)
    .bind(to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// The request's applied stages, first first, as shown (`pilot`: a stage that left rows to apply).
pub async fn stages<'e, E: Executor<'e, Database = Any>>(
    exec: E,
    id: i64,
    operation_count: i64,
) -> Result<Vec<ChangeStage>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT s.stage, s.first_row, s.row_count, s.applied_by, u.name AS applied_by_name, s.applied_at \
         FROM change_request_stages s JOIN users u ON u.id = s.applied_by \
         WHERE s.change_request_id = $1 ORDER BY s.stage",
    )
    .bind(id)
    .fetch_all(exec)
    .await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "change_request_stages");
            let (first_row, row_count) = (c.i64("first_row")?, c.i64("row_count")?);
            Ok(ChangeStage {
                stage: c.i64("stage")?,
                first_row,
                row_count,
                pilot: first_row == 1 && row_count < operation_count,
                applied_by: Ref { id: c.i64("applied_by")?, name: c.of("users").text("applied_by_name")? },
                applied_at: c.timestamp("applied_at")?,
            })
        })
        .collect()
}

/// The snapshots of the request's stages, first first, and the preview of what the last one left to apply.
pub async fn snapshots(conn: &mut Conn, id: i64) -> Result<(Vec<Snapshot>, Option<ChangePreview>), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT snapshot, rest_preview FROM change_request_stages WHERE change_request_id = $1 ORDER BY stage",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    let mut snapshots = Vec::with_capacity(rows.len());
    let mut rest = None;
    for r in &rows {
        let c = Cols::new(r, "change_request_stages");
        snapshots.push(c.json("snapshot")?);
        rest = c.opt_json("rest_preview")?;
    }
    Ok((snapshots, rest))
}

// --- Attempts at a stage ----------------------------------------------------------------------------------------

/// A stage attempt as stored: `outcome` is none until it ends (or is found cut off).
pub struct AttemptRow {
    pub first_row: i64,
    pub row_count: i64,
    pub started_at: DateTime<Utc>,
    pub started_by: String,
    pub finished_at: Option<DateTime<Utc>>,
    pub outcome: Option<AttemptOutcome>,
    pub error: Option<String>,
}

/// Record that a stage starts, committed on its own before the stage's transaction; its id.
pub async fn start_attempt(
    db: &AnyPool,
    id: i64,
    rows: (i64, i64),
    who: &str,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO change_request_attempts (change_request_id, first_row, row_count, started_at, started_by) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(id)
    .bind(rows.0)
    .bind(rows.1)
    .bind(to_db(now))
    .bind(who)
    .fetch_one(db)
    .await
}

/// A request's attempts, oldest first.
pub async fn attempts<'e, E: Executor<'e, Database = Any>>(exec: E, id: i64) -> Result<Vec<AttemptRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT first_row, row_count, started_at, started_by, finished_at, outcome, error \
         FROM change_request_attempts WHERE change_request_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(exec)
    .await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "change_request_attempts");
            Ok(AttemptRow {
                first_row: c.i64("first_row")?,
                row_count: c.i64("row_count")?,
                started_at: c.timestamp("started_at")?,
                started_by: c.text("started_by")?,
                finished_at: c.opt_timestamp("finished_at")?,
                outcome: c.opt_parsed("outcome", AttemptOutcome::parse)?,
                error: c.opt_text("error")?,
            })
        })
        .collect()
}
