//! The import history: uploaded files newest first, and what each applied import created or changed.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use seatwise_types::AttemptOutcome;
use sqlx::any::AnyRow;
use sqlx::AnyPool;

use super::bulk::{self, Col, Statement};
use super::decode::Cols;
use super::{Conn, Sql};
use crate::clock::to_db;

/// An import as the history lists it (its file content is left out).
pub struct ImportRow {
    pub id: i64,
    pub kind: String,
    pub filename: String,
    pub status: String,
    pub document: serde_json::Value,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub applied_at: Option<DateTime<Utc>>,
}

pub struct ImportFilter {
    pub kind: Option<String>,
    pub status: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

const COLUMNS: &str =
    "SELECT id, kind, filename, status, summary_json, created_by, created_at, applied_at FROM imports";

fn row(r: &AnyRow) -> Result<ImportRow, sqlx::Error> {
    let c = Cols::new(r, "imports");
    Ok(ImportRow {
        id: c.i64("id")?,
        kind: c.text("kind")?,
        filename: c.text("filename")?,
        status: c.text("status")?,
        document: c.json("summary_json")?,
        created_by: c.text("created_by")?,
        created_at: c.timestamp("created_at")?,
        applied_at: c.opt_timestamp("applied_at")?,
    })
}

fn push_where(w: &mut Sql, f: &ImportFilter) {
    w.push(" WHERE 1 = 1");
    if let Some(k) = &f.kind {
        w.push(" AND kind = ").bind(k.clone());
    }
    if let Some(s) = &f.status {
        w.push(" AND status = ").bind(s.clone());
    }
}

/// One page of imports, newest first, and how many there are.
pub async fn list(db: &AnyPool, f: &ImportFilter) -> Result<(Vec<ImportRow>, i64), sqlx::Error> {
    let mut count = Sql::new("SELECT COUNT(*) FROM imports");
    push_where(&mut count, f);
    let total: i64 = count.query_scalar().fetch_one(db).await?;
    let mut list = Sql::new(COLUMNS);
    push_where(&mut list, f);
    list.push(" ORDER BY created_at DESC, id DESC LIMIT ")
        .bind(f.per_page)
        .push(" OFFSET ")
        .bind((f.page - 1) * f.per_page);
    let rows = list.query().fetch_all(db).await?;
    Ok((rows.iter().map(row).collect::<Result<_, _>>()?, total))
}

pub async fn get(db: &AnyPool, id: i64) -> Result<Option<ImportRow>, sqlx::Error> {
    let sql = format!("{COLUMNS} WHERE id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(db).await?.as_ref().map(row).transpose()
}

/// Whether an import created or changed a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Created,
    Updated,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Updated => "updated",
        }
    }
}

/// Remember what an import created or changed: `(record type, id, action)`.
pub async fn insert_records(
    conn: &mut Conn,
    import_id: i64,
    records: &[(&'static str, i64, Action)],
) -> Result<(), sqlx::Error> {
    let id = import_id.to_string();
    let statement = Statement {
        sql: "INSERT INTO import_records (import_id, record_type, record_id, action) \
              SELECT CAST($2 AS BIGINT), r.record_type, r.record_id, r.action FROM {rows}",
        cols: &[Col::Text("record_type"), Col::Int("record_id"), Col::Text("action")],
        args: &[&id],
    };
    let rows: Vec<_> = records.iter().map(|(t, id, a)| (*t, *id, a.as_str())).collect();
    bulk::execute(conn, &statement, &rows).await?;
    Ok(())
}

/// How many records of each type these imports created or changed.
pub async fn record_counts(db: &AnyPool, ids: &[i64]) -> Result<HashMap<i64, Vec<(String, i64)>>, sqlx::Error> {
    let mut out: HashMap<i64, Vec<(String, i64)>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut sql = Sql::new("SELECT import_id, record_type, COUNT(*) AS n FROM import_records WHERE ");
    sql.push_in("import_id", ids).push(" GROUP BY import_id, record_type ORDER BY import_id, record_type");
    for r in sql.query().fetch_all(db).await? {
        let c = Cols::new(&r, "import_records");
        out.entry(c.i64("import_id")?).or_default().push((c.text("record_type")?, c.i64("n")?));
    }
    Ok(out)
}

/// An apply attempt as stored: `outcome` is none until it ends (or is found cut off).
pub struct AttemptRow {
    pub import_id: i64,
    pub started_at: DateTime<Utc>,
    pub started_by: String,
    pub finished_at: Option<DateTime<Utc>>,
    pub outcome: Option<AttemptOutcome>,
    pub error: Option<String>,
}

/// Record that applying an import starts, committed on its own before the apply's transaction; its id.
pub async fn start_attempt(db: &AnyPool, import_id: i64, who: &str, now: DateTime<Utc>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO import_attempts (import_id, started_at, started_by) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(import_id)
    .bind(to_db(now))
    .bind(who)
    .fetch_one(db)
    .await
}

/// The attempts of these imports, oldest first.
pub async fn attempts(db: &AnyPool, ids: &[i64]) -> Result<Vec<AttemptRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql =
        Sql::new("SELECT import_id, started_at, started_by, finished_at, outcome, error FROM import_attempts WHERE ");
    sql.push_in("import_id", ids).push(" ORDER BY import_id, id");
    let rows = sql.query().fetch_all(db).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "import_attempts");
            Ok(AttemptRow {
                import_id: c.i64("import_id")?,
                started_at: c.timestamp("started_at")?,
                started_by: c.text("started_by")?,
                finished_at: c.opt_timestamp("finished_at")?,
                outcome: c.opt_parsed("outcome", AttemptOutcome::parse)?,
                error: c.opt_text("error")?,
            })
        })
        .collect()
}
