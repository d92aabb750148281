//! What every import kind shares: the stored file with its document (the kind's typed parameters and the preview
//! summary), the access check, the apply framing (one transaction, applied once, ledgered, progress) and reading
//! imports back. Nothing here knows a kind.

use std::collections::{BTreeSet, HashMap};

use seatwise_types::{
    AttemptOutcome, FieldError, ImportAttempt, ImportQuery, ImportRecordCount, ImportSummary, JobProgress, Page,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::auth::Actor;
use crate::clock::SharedClock;
use crate::db::attempts::{self, Work};
use crate::db::import_history::{self as history, Action, ImportFilter, ImportRow};
use crate::db::imports::{self as store, NewImport, StoredImport};
use crate::db::progress::Job;
use crate::db::{Db, Tx};
use crate::domain::ledger::StoredEntry;
use crate::domain::secret::sha256_hex;
use crate::domain::{access, apply_attempt};
use crate::error::{AppError, AppResult};
pub use crate::service::attempt::Attempt;
use crate::service::ledger::{self, Change, Pending};
use crate::service::progress::Progress;

/// What imports use: the database, the clock and where progress is reported.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    pub db: &'a Db,
    pub clock: &'a SharedClock,
    pub progress: &'a Progress,
}

/// The stored document of an import: its kind's parameters and what the preview (or apply) found.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document<P> {
    pub params: P,
    pub summary: ImportSummary,
}

fn encode<P: Serialize>(doc: &Document<P>) -> AppResult<String> {
    serde_json::to_string(doc).map_err(|e| AppError::internal_in("encoding an import document", e))
}

/// Read a stored document back with the kind's types; one that does not fit is an internal error.
pub fn load<P: DeserializeOwned>(stored: &StoredImport) -> AppResult<Document<P>> {
    Document::deserialize(&stored.document)
        .map_err(|e| AppError::internal_in(format!("imports.summary_json of import {}", stored.id), e))
}

/// Store an uploaded file with what its preview found and the parameters `apply` will need.
pub async fn save_preview<P: Serialize>(
    env: Env<'_>,
    actor: &Actor,
    kind: &str,
    filename: &str,
    text: &str,
    params: P,
    summary: &mut ImportSummary,
) -> AppResult<()> {
    summary.kind = kind.into();
    summary.filename = filename.into();
    summary.status = "previewed".into();
    let doc = Document { params, summary: summary.clone() };
    let new = NewImport {
        kind,
        filename,
        content: text,
        sha256: &sha256_hex(text),
        document: &encode(&doc)?,
        created_by: actor.ledger_name(),
    };
    summary.id = store::insert(&env.db.write, &new, env.clock.now()).await?;
    Ok(())
}

/// The apply's transaction, holding the import for itself: on PostgreSQL a second apply of the same import waits
/// here for the first to end, then finds it applied (409) instead of colliding with the rows it wrote.
pub async fn begin_apply(env: Env<'_>, stored: &StoredImport) -> AppResult<Tx> {
    let mut tx = env.db.begin().await?;
    if !store::hold_for_apply(&mut tx, stored.id).await? {
        return Err(AppError::Conflict("This import has already been applied.".into()));
    }
    Ok(tx)
}

/// Finish applying: mark the import applied (once), ledger the result, commit, report progress finished.
pub async fn commit_apply<P: Serialize>(
    mut tx: Tx,
    env: Env<'_>,
    actor: &Actor,
    stored: &StoredImport,
    attempt: &Attempt,
    params: P,
    mut summary: ImportSummary,
) -> AppResult<ImportSummary> {
    let now = env.clock.now();
    summary.id = stored.id;
    summary.kind = stored.kind.clone();
    summary.filename = stored.filename.clone();
    summary.status = "applied".into();
    let doc = Document { params, summary };
    if !store::mark_applied(&mut tx, stored.id, &encode(&doc)?, now).await? {
        return Err(AppError::Conflict("This import has already been applied.".into()));
    }
    let change = Change::created("import.apply", "import", Some(stored.id), &doc.summary);
    ledger::record(&mut tx, now, actor.ledger_name(), change).await?;
    attempts::end(&mut tx, Work::Import, attempt.id(), AttemptOutcome::Applied, None, now).await?;
    tx.commit().await?;
    Ok(doc.summary)
}

/// Record that applying `import_id` starts (committed before the apply's transaction begins).
pub async fn start_attempt(env: Env<'_>, actor: &Actor, import_id: i64) -> AppResult<Attempt> {
    // Progress first: it is on its own pool, so others see the start while this waits for the write lock.
    env.progress.set(Job::Import(import_id), "starting", 0, 0).await;
    let id = history::start_attempt(&env.db.write, import_id, actor.ledger_name(), env.clock.now()).await?;
    Ok(Attempt::started(Work::Import, import_id, id, env.db.write.clone(), env.progress))
}

/// Entries written per ledger append: progress moves between them.
const LEDGER_CHUNK: usize = 50_000;

/// Ledger many changes in the caller's transaction, reporting progress as `phase` while they are written.
pub async fn ledger_all(
    tx: &mut Tx,
    env: Env<'_>,
    who: &str,
    import_id: i64,
    phase: &str,
    changes: Vec<Pending>,
) -> AppResult<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let start = ledger::claim(tx, changes.len()).await?;
    let entries = ledger::chain(start, env.clock.now(), who, changes);
    append_ledger(tx, env, import_id, phase, &entries).await
}

/// Write entries already chained (see `ledger::chain`), reporting progress as `phase` between runs.
pub async fn append_ledger(
    tx: &mut Tx,
    env: Env<'_>,
    import_id: i64,
    phase: &str,
    entries: &[StoredEntry],
) -> AppResult<()> {
    let total = entries.len() as u64;
    let mut done = 0;
    for run in entries.chunks(LEDGER_CHUNK) {
        ledger::append_chained(tx, run).await?;
        done += run.len() as u64;
        if total > LEDGER_CHUNK as u64 {
            env.progress.set(Job::Import(import_id), phase, done, total).await;
        }
    }
    Ok(())
}

/// A stored import that may still be applied.
pub async fn previewed(env: Env<'_>, actor: &Actor, id: i64) -> AppResult<StoredImport> {
    access::may_import(&actor.user)?;
    let stored = store::get(&env.db.read, id).await?.ok_or(AppError::NotFound("import"))?;
    if stored.status != "previewed" {
        return Err(AppError::Conflict("This import has already been applied.".into()));
    }
    Ok(stored)
}

/// An import's summary with what only the table knows: its status, who uploaded it and when.
fn summary_of(row: ImportRow, records: Vec<(String, i64)>) -> AppResult<ImportSummary> {
    let doc = Document::<serde::de::IgnoredAny>::deserialize(&row.document)
        .map_err(|e| AppError::internal_in(format!("imports.summary_json of import {}", row.id), e))?;
    let mut summary = doc.summary;
    summary.id = row.id;
    summary.kind = row.kind;
    summary.filename = row.filename;
    summary.status = row.status;
    summary.created_by = row.created_by;
    summary.created_at = Some(row.created_at);
    summary.applied_at = row.applied_at;
    summary.records =
        records.into_iter().map(|(record_type, count)| ImportRecordCount { record_type, count }).collect();
    Ok(summary)
}

pub async fn get(env: Env<'_>, actor: &Actor, id: i64) -> AppResult<ImportSummary> {
    access::may_import(&actor.user)?;
    let row = history::get(&env.db.read, id).await?.ok_or(AppError::NotFound("import"))?;
    let records = history::record_counts(&env.db.read, &[id]).await?.remove(&id).unwrap_or_default();
    let mut summary = summary_of(row, records)?;
    summary.attempts = attempts_of(env, &[id]).await?.remove(&id).unwrap_or_default();
    Ok(summary)
}

/// The apply attempts of these imports, oldest first, each with how it ended or whether it still runs.
async fn attempts_of(env: Env<'_>, ids: &[i64]) -> AppResult<HashMap<i64, Vec<ImportAttempt>>> {
    let rows = history::attempts(&env.db.read, ids).await?;
    let open: Vec<i64> = rows.iter().filter(|a| a.outcome.is_none()).map(|a| a.import_id).collect();
    let alive = if open.is_empty() { HashMap::new() } else { env.progress.last_alive(Job::Import, &open).await? };
    let now = env.clock.now();
    let mut out: HashMap<i64, Vec<ImportAttempt>> = HashMap::new();
    for a in rows {
        let last_alive = apply_attempt::last_alive(a.started_at, alive.get(&a.import_id).copied());
        out.entry(a.import_id).or_default().push(ImportAttempt {
            started_at: a.started_at,
            started_by: a.started_by,
            outcome: apply_attempt::outcome(a.outcome, last_alive, now),
            finished_at: a.finished_at,
            error: a.error,
        });
    }
    Ok(out)
}

/// The import history, newest first (the caller checks the kind it filters by).
pub async fn list(env: Env<'_>, actor: &Actor, q: &ImportQuery) -> AppResult<Page<ImportSummary>> {
    access::may_import(&actor.user)?;
    let (page, per_page) = crate::service::paging(q.page, q.per_page)?;
    if q.status.as_deref().is_some_and(|s| !["previewed", "applied"].contains(&s)) {
        return Err(AppError::field("status", "must be previewed or applied"));
    }
    let filter = ImportFilter { kind: q.kind.clone(), status: q.status.clone(), page, per_page };
    let (rows, total) = history::list(&env.db.read, &filter).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut counts = history::record_counts(&env.db.read, &ids).await?;
    let mut attempts = attempts_of(env, &ids).await?;
    let items = rows
        .into_iter()
        .map(|r| {
            let (id, records) = (r.id, counts.remove(&r.id).unwrap_or_default());
            let mut summary = summary_of(r, records)?;
            summary.attempts = attempts.remove(&id).unwrap_or_default();
            Ok(summary)
        })
        .collect::<AppResult<_>>()?;
    Ok(Page { items, total, page, per_page })
}

/// The rows of an import that are in error, as CSV to fix and upload again: the original header and rows, with
/// an `error` column.
pub async fn skipped_rows(env: Env<'_>, actor: &Actor, id: i64) -> AppResult<(String, String)> {
    access::may_import(&actor.user)?;
    let stored = store::get(&env.db.read, id).await?.ok_or(AppError::NotFound("import"))?;
    let summary = load::<serde::de::IgnoredAny>(&stored)?.summary;
    let csv = crate::domain::csv_file::rows_in_error(&stored.content, &summary.row_errors)
        .map_err(|e| AppError::internal_in(format!("rewriting the rows in error of import {id}"), e))?;
    let stem = stored.filename.strip_suffix(".csv").unwrap_or(&stored.filename);
    Ok((format!("{stem}-skipped.csv"), csv))
}

/// Rows in error, by row number.
fn rows_in_error(errors: &[FieldError]) -> BTreeSet<u64> {
    errors.iter().filter_map(|e| e.row).collect()
}

/// How many of a file's rows can be applied. A file with no such row cannot be imported at all: 422 listing
/// every problem, and nothing is stored.
pub fn valid_rows(rows: i64, row_errors: &[FieldError]) -> AppResult<i64> {
    let valid = rows - rows_in_error(row_errors).len() as i64;
    if valid <= 0 && !row_errors.is_empty() {
        return Err(AppError::Validation {
            message: format!(
                "No row of this file can be imported: {} need fixing. Nothing was stored.",
                if rows == 1 { "the only row".to_string() } else { format!("all {rows} rows") }
            ),
            fields: row_errors.to_vec(),
        });
    }
    Ok(valid)
}

/// Whether a file may be applied as it is: with rows in error only when the caller chose to skip them (then
/// how many are skipped); otherwise 422 listing them, and nothing is written.
pub fn may_apply(row_errors: &[FieldError], skip_invalid: bool) -> AppResult<i64> {
    let bad = rows_in_error(row_errors).len() as i64;
    if bad > 0 && !skip_invalid {
        return Err(AppError::Validation {
            message: format!(
                "{bad} {} errors, so nothing was imported. Fix the file and upload it again, or apply with \
                 skip_invalid to import the other rows and skip {}.",
                if bad == 1 { "row has" } else { "rows have" },
                if bad == 1 { "it" } else { "them" }
            ),
            fields: row_errors.to_vec(),
        });
    }
    Ok(bad)
}

/// A record an import created or changed, for its history.
#[derive(Debug, Clone, Copy)]
pub struct Record {
    pub record_type: &'static str,
    pub id: i64,
    pub action: Action,
}

impl Record {
    pub fn created(record_type: &'static str, id: i64) -> Self {
        Record { record_type, id, action: Action::Created }
    }
    pub fn updated(record_type: &'static str, id: i64) -> Self {
        Record { record_type, id, action: Action::Updated }
    }
}

/// Remember what an import created or changed, in its apply transaction.
pub async fn record(tx: &mut Tx, import_id: i64, records: &[Record]) -> AppResult<()> {
    let rows: Vec<_> = records.iter().map(|r| (r.record_type, r.id, r.action)).collect();
    Ok(history::insert_records(tx, import_id, &rows).await?)
}

/// How far applying an import has come, from the database: any instance can answer while another applies.
pub async fn progress(env: Env<'_>, actor: &Actor, id: i64) -> AppResult<JobProgress> {
    access::may_import(&actor.user)?;
    if let Some(p) = env.progress.get(Job::Import(id)).await? {
        return Ok(p);
    }
    let stored = store::get(&env.db.read, id).await?.ok_or(AppError::NotFound("import"))?;
    let finished = stored.status == "applied";
    Ok(JobProgress { done: 0, total: 0, phase: stored.status, finished })
}
