//! Reconciliation: read every account of a connector's target and compare with the seats Seatwise has in its pools
//! (matched, missing in the target, unknown in the target), on demand or nightly. Each report is kept for the
//! drift page and ledgered with its counts.

use chrono::{DateTime, Utc};
use seatwise_types::{ConnectorKind, Reconciliation};
use serde::Serialize;

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::connectors as store;
use crate::db::Db;
use crate::domain::access;
use crate::domain::reconcile::{self as rules, TargetAccount};
use crate::domain::sealed::CredentialsKey;
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};

/// Reconcile connector `id` now (admins).
pub async fn reconcile(
    db: &Db,
    clock: &dyn Clock,
    key: Option<&CredentialsKey>,
    actor: &Actor,
    id: i64,
) -> AppResult<Reconciliation> {
    access::may_manage_connectors(&actor.user)?;
    run(db, key, id, actor.ledger_name(), clock.now()).await
}

/// The connector's latest report (404 before its first).
pub async fn last(db: &Db, actor: &Actor, id: i64) -> AppResult<Reconciliation> {
    access::may_manage_connectors(&actor.user)?;
    let mut conn = db.read.acquire().await?;
    store::list(&mut conn, Some(id)).await?.pop().ok_or(AppError::NotFound("connector"))?;
    store::last_reconciliation(&mut conn, id).await?.ok_or(AppError::NotFound("reconciliation"))
}

/// Read the target, compare, keep the report.
pub async fn run(
    db: &Db,
    key: Option<&CredentialsKey>,
    id: i64,
    by: &str,
    now: DateTime<Utc>,
) -> AppResult<Reconciliation> {
    let mut conn = db.read.acquire().await?;
    let (_, client) = super::open_scim(&mut conn, key, id, "reconciled").await?;
    drop(conn);
    let accounts: Vec<TargetAccount> = client
        .all()
        .await
        .map_err(|e| AppError::Conflict(format!("The target's accounts could not be read: {}", e.message())))?
        .into_iter()
        .map(|a| TargetAccount { user_name: a.user_name, active: a.active })
        .collect();
    let mut tx = db.begin().await?;
    let holders = store::holders(&mut tx, id).await?;
    let in_flight = store::in_flight(&mut tx, id).await?;
    let mut drift = rules::compare(&holders, &accounts, &in_flight);
    // Unknown accounts that are people of the directory are named: they can be taken in as seats.
    let addresses: Vec<String> = drift.unknown.iter().map(|e| e.account.clone()).collect();
    let people = store::people_by_email(&mut tx, &addresses).await?;
    for entry in &mut drift.unknown {
        if let Some((person_id, name)) = people.get(&entry.account.to_lowercase()) {
            entry.person_id = Some(*person_id);
            entry.person_name = Some(name.clone());
        }
    }
    let mut report = Reconciliation {
        id: 0,
        connector_id: id,
        matched: drift.matched,
        missing_in_target: drift.missing,
        missing_total: drift.missing_total,
        unknown_in_target: drift.unknown,
        unknown_total: drift.unknown_total,
        differs: Vec::new(),
        seats: drift.seats,
        target_active: drift.target_active,
        ran_at: now,
        ran_by: by.to_string(),
    };
    report.id = store::insert_reconciliation(&mut tx, &report).await?;
    let record = serde_json::json!({"reconciliation_id": report.id, "connector_id": id, "matched": report.matched,
        "missing_in_target": report.missing_total, "unknown_in_target": report.unknown_total});
    ledger::record(&mut tx, now, by, Change::created("connector.reconcile", "connector", Some(id), &record)).await?;
    tx.commit().await?;
    Ok(report)
}

/// What the nightly reconciliation found, over every connector that reconciles.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Nightly {
    pub connectors: u64,
    pub drifted: u64,
    /// Connectors whose target could not be read, with why.
    pub failed: Vec<String>,
}

/// Reconcile every SCIM connector (the nightly run; one connector's trouble does not stop the others).
pub async fn nightly(db: &Db, key: Option<&CredentialsKey>, now: DateTime<Utc>) -> AppResult<Nightly> {
    let mut conn = db.read.acquire().await?;
    let connectors = store::list(&mut conn, None).await?;
    drop(conn);
    let mut out = Nightly::default();
    for c in connectors.iter().filter(|c| c.kind == ConnectorKind::Scim) {
        out.connectors += 1;
        match run(db, key, c.id, "nightly reconciliation", now).await {
            Ok(r) if r.missing_total + r.unknown_total > 0 => out.drifted += 1,
            Ok(_) => {}
            Err(e) => out.failed.push(format!("{}: {e}", c.name)),
        }
    }
    Ok(out)
}
