//! What every import kind shares: the stored file with its document (the kind's typed parameters and the preview
//! summary), the access check, the apply framing (one transaction, applied once, ledgered, progress) and reading
//! imports back. Nothing here knows a kind.

use seatwise_types::{ImportSummary, JobProgress};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::imports::{self as store, NewImport, StoredImport};
use crate::db::{Db, Tx};
use crate::domain::access;
use crate::domain::ledger::StoredEntry;
use crate::domain::secret::sha256_hex;
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change, Pending};
use crate::state::{AppState, Progress};

/// What imports use: the database, the clock and where progress is reported.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    pub db: &'a Db,
    pub clock: &'a dyn Clock,
    pub progress: &'a Progress,
}

impl<'a> Env<'a> {
    pub fn of(state: &'a AppState) -> Self {
        Env { db: &state.db, clock: state.clock.as_ref(), progress: &state.progress }
    }
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

/// Finish applying: mark the import applied (once), ledger the result, commit, report progress finished.
pub async fn commit_apply<P: Serialize>(
    mut tx: Tx,
    env: Env<'_>,
    actor: &Actor,
    stored: &StoredImport,
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
    tx.commit().await?;
    env.progress.finish(stored.id).await;
    Ok(doc.summary)
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
            env.progress.set(import_id, phase, done, total).await;
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

pub async fn get(env: Env<'_>, actor: &Actor, id: i64) -> AppResult<ImportSummary> {
    access::may_import(&actor.user)?;
    let stored = store::get(&env.db.read, id).await?.ok_or(AppError::NotFound("import"))?;
    let mut summary = load::<serde::de::IgnoredAny>(&stored)?.summary;
    summary.id = stored.id;
    summary.status = stored.status;
    Ok(summary)
}

/// How far applying an import has come, from the database: any instance can answer while another applies.
pub async fn progress(env: Env<'_>, actor: &Actor, id: i64) -> AppResult<JobProgress> {
    access::may_import(&actor.user)?;
    if let Some(p) = env.progress.get(id).await? {
        return Ok(p);
    }
    let stored = store::get(&env.db.read, id).await?.ok_or(AppError::NotFound("import"))?;
    let finished = stored.status == "applied";
    Ok(JobProgress { done: 0, total: 0, phase: stored.status, finished })
}
