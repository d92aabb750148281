//! Writing to and verifying the audit ledger.

use chrono::{DateTime, Utc};
use seatwise_types::{HistoryGroup, LedgerEntry, LedgerVerification, Page};
use serde::Serialize;

use crate::auth::Actor;
use crate::clock::to_db;
use crate::db::change_requests as change_store;
use crate::db::imports as import_store;
use crate::db::reclamation::cases as case_store;
use crate::db::{ledger as store, Conn, Db, Tx};
use crate::domain::access;
use crate::domain::history;
use crate::domain::ledger::{entry_hash, ChainVerifier, StoredEntry};
use crate::error::AppResult;

/// One change to record: what happened to which record, with its values before and after.
pub struct Change<'a, B: Serialize, A: Serialize> {
    pub action: &'a str,
    pub record_type: &'a str,
    pub record_id: Option<i64>,
    pub before: Option<&'a B>,
    pub after: Option<&'a A>,
}

impl<'a, A: Serialize> Change<'a, (), A> {
    /// A record that did not exist before.
    pub fn created(action: &'a str, record_type: &'a str, record_id: Option<i64>, after: &'a A) -> Self {
        Change { action, record_type, record_id, before: None, after: Some(after) }
    }
}

impl<'a, B: Serialize> Change<'a, B, ()> {
    /// A record that is gone after the change.
    pub fn removed(action: &'a str, record_type: &'a str, record_id: Option<i64>, before: &'a B) -> Self {
        Change { action, record_type, record_id, before: Some(before), after: None }
    }
}

impl<'a> Change<'a, (), ()> {
    /// Something that happened to a record without values worth keeping (e.g. a token revoked).
    pub fn event(action: &'a str, record_type: &'a str, record_id: Option<i64>) -> Self {
        Change { action, record_type, record_id, before: None, after: None }
    }
}

impl<'a, B: Serialize, A: Serialize> Change<'a, B, A> {
    pub fn changed(action: &'a str, record_type: &'a str, record_id: Option<i64>, before: &'a B, after: &'a A) -> Self {
        Change { action, record_type, record_id, before: Some(before), after: Some(after) }
    }
}

/// Append an entry inside the caller's transaction, so the change and its record commit together.
/// Record `change` as a use case's last write and commit its transaction: the change and its ledger entry land
/// together or not at all.
pub async fn record_and_commit<B: Serialize, A: Serialize>(
    mut tx: Tx,
    now: DateTime<Utc>,
    actor: &str,
    change: Change<'_, B, A>,
) -> Result<LedgerEntry, sqlx::Error> {
    let entry = record(&mut tx, now, actor, change).await?;
    tx.commit().await?;
    Ok(entry)
}

pub async fn record<B: Serialize, A: Serialize>(
    conn: &mut Conn,
    now: DateTime<Utc>,
    actor: &str,
    change: Change<'_, B, A>,
) -> Result<LedgerEntry, sqlx::Error> {
    let encode = |e: serde_json::Error| sqlx::Error::Encode(Box::new(e));
    let before_json = change.before.map(serde_json::to_string).transpose().map_err(encode)?;
    let after_json = change.after.map(serde_json::to_string).transpose().map_err(encode)?;
    let store::ChainPoint { seq, hash: prev_hash } = store::claim_next(conn).await?;
    let mut entry = StoredEntry {
        seq,
        at: to_db(now),
        actor: actor.to_string(),
        action: change.action.to_string(),
        record_type: change.record_type.to_string(),
        record_id: change.record_id,
        before_json,
        after_json,
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry_hash(&entry);
    store::append(conn, &entry).await?;
    store::to_api(entry)
}

/// A change serialized and ready to chain, for bulk operations that record many at once.
pub struct Pending {
    pub action: String,
    pub record_type: String,
    pub record_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

impl Pending {
    pub fn of<B: Serialize, A: Serialize>(change: Change<'_, B, A>) -> Result<Self, sqlx::Error> {
        let encode = |e: serde_json::Error| sqlx::Error::Encode(Box::new(e));
        Ok(Pending {
            action: change.action.to_string(),
            record_type: change.record_type.to_string(),
            record_id: change.record_id,
            before_json: change.before.map(serde_json::to_string).transpose().map_err(encode)?,
            after_json: change.after.map(serde_json::to_string).transpose().map_err(encode)?,
        })
    }
}

/// Record `changes` as a use case's last writes and commit its transaction, all together or nothing.
pub async fn record_many_and_commit(
    mut tx: Tx,
    now: DateTime<Utc>,
    actor: &str,
    changes: Vec<Pending>,
) -> Result<(), sqlx::Error> {
    record_many(&mut tx, now, actor, changes).await?;
    tx.commit().await
}

/// Record many changes in the caller's transaction: one head update and multi-row inserts, the same chain as
/// recording them one by one.
pub async fn record_many(
    conn: &mut Conn,
    now: DateTime<Utc>,
    actor: &str,
    changes: Vec<Pending>,
) -> Result<(), sqlx::Error> {
    if changes.is_empty() {
        return Ok(());
    }
    let start = claim(conn, changes.len()).await?;
    append_chained(conn, &chain(start, now, actor, changes)).await
}

/// Claim the places of `n` entries in the chain (in the caller's transaction, which holds the head until it
/// ends), to be filled by [`chain`] and [`append_chained`].
pub async fn claim(conn: &mut Conn, n: usize) -> Result<store::ChainPoint, sqlx::Error> {
    store::claim_many(conn, n as i64).await
}

/// Chain changes in memory from a claimed start: CPU work only, so a bulk writer can run it on another thread
/// while it writes its records.
pub fn chain(start: store::ChainPoint, now: DateTime<Utc>, actor: &str, changes: Vec<Pending>) -> Vec<StoredEntry> {
    let store::ChainPoint { seq: first, hash: mut prev_hash } = start;
    let at = to_db(now);
    changes
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let mut e = StoredEntry {
                seq: first + i as i64,
                at: at.clone(),
                actor: actor.to_string(),
                action: c.action,
                record_type: c.record_type,
                record_id: c.record_id,
                before_json: c.before_json,
                after_json: c.after_json,
                prev_hash: std::mem::take(&mut prev_hash),
                hash: String::new(),
            };
            e.hash = entry_hash(&e);
            prev_hash = e.hash.clone();
            e
        })
        .collect()
}

/// Write chained entries (in order, a run at a time if the caller reports progress between runs).
pub async fn append_chained(conn: &mut Conn, entries: &[StoredEntry]) -> Result<(), sqlx::Error> {
    store::append_many(conn, entries).await
}

/// Entries chained on a blocking thread a chunk at a time, at most two chunks ahead of the writer: a bulk apply's
/// serializing and hashing overlap its writes, and it never holds every entry in memory.
pub struct Chaining {
    rx: tokio::sync::mpsc::Receiver<Result<Vec<StoredEntry>, sqlx::Error>>,
    expected: usize,
    written: usize,
}

impl Chaining {
    /// Chain `n` changes, the `i`th built by `change(i)`, from a claimed `start`.
    pub fn spawn<F>(
        start: store::ChainPoint,
        now: DateTime<Utc>,
        actor: String,
        n: usize,
        chunk: usize,
        change: F,
    ) -> Self
    where
        F: Fn(usize) -> Result<Pending, sqlx::Error> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::mpsc::channel(2);
        tokio::task::spawn_blocking(move || {
            let mut start = start;
            let mut from = 0;
            while from < n {
                let to = n.min(from + chunk.max(1));
                let entries = (from..to).map(&change).collect::<Result<Vec<_>, _>>().map(|changes| {
                    let entries = chain(start.clone(), now, &actor, changes);
                    if let Some(last) = entries.last() {
                        start = store::ChainPoint { seq: last.seq + 1, hash: last.hash.clone() };
                    }
                    entries
                });
                let failed = entries.is_err();
                // The writer gone (its transaction failed) or this chunk failed: stop.
                if tx.blocking_send(entries).is_err() || failed {
                    return;
                }
                from = to;
            }
        });
        Chaining { rx, expected: n, written: 0 }
    }

    /// Write the next chunk once it is chained; how many entries (0 when all are written).
    pub async fn append_next(&mut self, conn: &mut Conn) -> Result<usize, sqlx::Error> {
        let Some(entries) = self.rx.recv().await else { return Ok(0) };
        let entries = entries?;
        append_chained(conn, &entries).await?;
        self.written += entries.len();
        Ok(entries.len())
    }

    /// Write what is left; an error if fewer entries arrived than were claimed.
    pub async fn finish(mut self, conn: &mut Conn) -> Result<(), sqlx::Error> {
        while self.append_next(conn).await? > 0 {}
        if self.written == self.expected {
            Ok(())
        } else {
            Err(sqlx::Error::Protocol(format!(
                "ledger chaining stopped after {} of {} entries",
                self.written, self.expected
            )))
        }
    }
}

/// Walk the whole chain in batches and name the first entry that does not match.
pub async fn verify(db: &Db) -> Result<LedgerVerification, sqlx::Error> {
    let store::ChainPoint { seq: head_seq, hash: head_hash } = store::head(&db.read).await?;
    let mut verifier = ChainVerifier::default();
    let mut after = 0;
    loop {
        let batch = store::batch(&db.read, after, 5_000).await?;
        let Some(last) = batch.last() else { break };
        after = last.seq;
        for entry in &batch {
            if let Err(b) = verifier.check(entry) {
                return Ok(broken(verifier.checked, b.seq, &b.reason));
            }
        }
    }
    // Entries appended while we read are beyond the head we took at the start; only check up to it.
    if verifier.checked < head_seq {
        return Ok(broken(verifier.checked, verifier.checked + 1, "entries after it are missing"));
    }
    if verifier.checked == head_seq {
        if let Err(b) = verifier.finish(head_seq, &head_hash) {
            return Ok(broken(verifier.checked, b.seq, &b.reason));
        }
    }
    Ok(LedgerVerification {
        ok: true,
        entries_checked: verifier.checked,
        first_bad_seq: None,
        message: format!("All {} entries verified.", verifier.checked),
    })
}

fn broken(checked: i64, seq: i64, reason: &str) -> LedgerVerification {
    LedgerVerification {
        ok: false,
        entries_checked: checked,
        first_bad_seq: Some(seq),
        message: format!("Entry {seq} does not match: {reason}."),
    }
}

/// One record's history, newest first (callers check access to the record first).
pub async fn history(
    db: &Db,
    record_type: &str,
    record_id: i64,
    page: Option<i64>,
    per_page: Option<i64>,
) -> AppResult<Page<LedgerEntry>> {
    let (page, per_page) = super::paging(page, per_page)?;
    let q = store::LedgerQuery { record_type: Some(record_type.into()), record_id: Some(record_id), page, per_page };
    Ok(store::list(&db.read, &q).await?)
}

/// A record's history in words, newest first: a page of its ledger entries (`total` counts entries), grouped by
/// what made them, with the names of the people and pools they touch and links to their causes.
pub async fn history_in_words(
    db: &Db,
    record_type: &str,
    record_id: i64,
    page: Option<i64>,
    per_page: Option<i64>,
) -> AppResult<Page<HistoryGroup>> {
    let entries = history(db, record_type, record_id, page, per_page).await?;
    let wanted = history::referenced(&entries.items);
    let ids = |s: &std::collections::BTreeSet<i64>| s.iter().copied().collect::<Vec<_>>();
    let mut conn = db.read.acquire().await?;
    let mut names = history::Names::default();
    for (id, name, _) in change_store::facts::people(&mut conn, &ids(&wanted.people)).await? {
        names.people.insert(id, name);
    }
    for (_, pool) in change_store::facts::pools(&mut conn, &ids(&wanted.pools)).await? {
        names.pools.insert(pool.id, pool.name);
    }
    for (id, title, reason) in change_store::titles(&mut conn, &ids(&wanted.change_requests)).await? {
        names.change_requests.insert(id, (title, reason));
    }
    for (id, policy, reason) in case_store::causes(&mut conn, &ids(&wanted.cases)).await? {
        names.cases.insert(id, history::CaseCause { policy, reason: reason.sentence() });
    }
    let times: Vec<DateTime<Utc>> = wanted.direct_times.into_iter().collect();
    for (at, id, file) in import_store::applied_at(&mut conn, &times).await? {
        names.imports.insert(at, (id, file));
    }
    let items = history::group(&entries.items, &names);
    Ok(Page { items, total: entries.total, page: entries.page, per_page: entries.per_page })
}

/// The whole ledger, newest first, optionally narrowed to one record type or record (admins).
pub async fn list(
    db: &Db,
    actor: &Actor,
    record_type: Option<String>,
    record_id: Option<i64>,
    page: Option<i64>,
    per_page: Option<i64>,
) -> AppResult<Page<LedgerEntry>> {
    access::may_read_ledger(&actor.user)?;
    let (page, per_page) = super::paging(page, per_page)?;
    let q = store::LedgerQuery { record_type, record_id, page, per_page };
    Ok(store::list(&db.read, &q).await?)
}

/// `verify` on request of a user (admins); the command line verifies without one.
pub async fn verify_as(db: &Db, actor: &Actor) -> AppResult<LedgerVerification> {
    access::may_read_ledger(&actor.user)?;
    Ok(verify(db).await?)
}
