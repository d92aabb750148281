//! Imports: upload a file for a preview with row-level errors, then apply it in one transaction. Nothing is
//! applied while any row is in error unless the apply says to skip those rows (`skip_invalid`; they can be
//! downloaded as CSV to fix), and applying the same file again changes nothing.
//!
//! Each kind of file is one module with its typed parameters, its preview and its apply; `staging` holds what
//! they share and knows no kind; `directory` holds the bulk writes kinds make. A new kind is a new module and one
//! arm in [`ImportKind`].

mod directory;
pub mod graph;
pub mod hr;
pub mod snipeit;
mod staging;
pub mod usage;

use seatwise_types::{ApplyImportInput, ImportQuery, ImportSummary, JobProgress, Page};

use crate::auth::Actor;
use crate::error::{AppError, AppResult};
pub use staging::{Attempt, Env};

/// The kinds of file Seatwise imports, stored as their name in `imports.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Hr,
    SnipeIt,
    Graph,
    Usage,
}

impl ImportKind {
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Hr, Self::SnipeIt, Self::Graph, Self::Usage].into_iter().find(|k| k.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hr => hr::KIND,
            Self::SnipeIt => snipeit::KIND,
            Self::Graph => graph::KIND,
            Self::Usage => usage::KIND,
        }
    }
}

/// Apply a previewed import in one transaction: all of it, or with `skip_invalid` every row but those in error;
/// otherwise none of it.
/// Every try is recorded as an attempt with how it ended; one cut off by a crash shows as interrupted.
pub async fn apply(env: Env<'_>, actor: &Actor, id: i64, options: ApplyImportInput) -> AppResult<ImportSummary> {
    let stored = staging::previewed(env, actor, id).await?;
    let kind = ImportKind::parse(&stored.kind)
        .ok_or_else(|| AppError::internal(format!("imports.kind of import {id}: unknown kind {:?}", stored.kind)))?;
    let skip = options.skip_invalid;
    let attempt = staging::start_attempt(env, actor, id).await?;
    let applied = match kind {
        ImportKind::Hr => hr::apply(env, actor, stored, &attempt, skip).await,
        ImportKind::SnipeIt => snipeit::apply(env, actor, stored, &attempt, skip).await,
        ImportKind::Graph => graph::apply(env, actor, stored, &attempt).await,
        ImportKind::Usage => usage::apply(env, actor, stored, &attempt, skip).await,
    };
    match applied {
        Ok(summary) => {
            // Its end was written in the apply's transaction.
            attempt.applied().await;
            // Read back as the history shows it, with the records it made and its attempts; the import is applied
            // either way, so a failed read falls back to the summary.
            match staging::get(env, actor, id).await {
                Ok(full) => Ok(full),
                Err(e) => {
                    tracing::warn!(import_id = id, error = %e, "could not read an applied import back");
                    Ok(summary)
                }
            }
        }
        Err(e) => {
            attempt.failed(&e).await;
            Err(e)
        }
    }
}

pub async fn get(env: Env<'_>, actor: &Actor, id: i64) -> AppResult<ImportSummary> {
    staging::get(env, actor, id).await
}

/// The import history, newest first.
pub async fn list(env: Env<'_>, actor: &Actor, query: &ImportQuery) -> AppResult<Page<ImportSummary>> {
    if query.kind.as_deref().is_some_and(|k| ImportKind::parse(k).is_none()) {
        return Err(AppError::field("kind", "must be hr, snipeit or graph"));
    }
    staging::list(env, actor, query).await
}

/// The rows of an import that are in error, as CSV (file name, content).
pub async fn skipped_rows(env: Env<'_>, actor: &Actor, id: i64) -> AppResult<(String, String)> {
    staging::skipped_rows(env, actor, id).await
}

pub async fn progress(env: Env<'_>, actor: &Actor, id: i64) -> AppResult<JobProgress> {
    staging::progress(env, actor, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_stored_names() {
        for kind in [ImportKind::Hr, ImportKind::SnipeIt, ImportKind::Graph] {
            assert_eq!(ImportKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ImportKind::parse("csv"), None);
    }
}
