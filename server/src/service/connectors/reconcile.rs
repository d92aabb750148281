//! Reconciliation: read every account of a connector's target and compare with the seats Seatwise has in its pools
//! (matched, missing in the target, unknown in the target), on demand or nightly. Each report is kept for the
//! drift page and ledgered with its counts.

use chrono::{DateTime, Utc};
use seatwise_types::{ConnectorKind, Reconciliation, TargetUnits, WebhookEvent};
use serde::Serialize;

use super::graph;
use super::scim::CallError;
use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::connectors as store;
use crate::db::reclamation::policies::pool_facts;
use crate::db::Db;
use crate::domain::access;
use crate::domain::reconcile::{self as rules, LicensedAccount, Licenses, PoolSku, TargetAccount};
use crate::domain::sealed::CredentialsKey;
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};
use crate::service::webhooks;

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

/// What the target showed.
enum Read {
    /// SCIM: every account, active or not.
    Accounts(Vec<TargetAccount>),
    /// Graph: every user's licenses, and the tenant's SKUs with their units.
    Licenses(Vec<LicensedAccount>, Vec<graph::Sku>),
    /// Okta: the members of each pool's group, as accounts holding those groups.
    Groups(Vec<LicensedAccount>),
}

async fn read_target(opened: &super::Opened) -> Result<Read, CallError> {
    match opened.connector.kind {
        ConnectorKind::Scim => {
            let client = opened.scim().map_err(|e| CallError::Transient(e.to_string()))?;
            let accounts = client.all().await?;
            Ok(Read::Accounts(
                accounts.into_iter().map(|a| TargetAccount { user_name: a.user_name, active: a.active }).collect(),
            ))
        }
        ConnectorKind::Okta => {
            let client = opened.okta().map_err(|e| CallError::Transient(e.to_string()))?;
            let mut groups_of: std::collections::BTreeMap<String, Vec<String>> = Default::default();
            for group in opened.connector.pools.iter().filter_map(|p| p.group.as_deref()) {
                let members = client
                    .members(group)
                    .await?
                    .ok_or_else(|| CallError::Refused(format!("Okta has no group {group}.")))?;
                for login in members {
                    groups_of.entry(login).or_default().push(group.to_string());
                }
            }
            Ok(Read::Groups(
                groups_of.into_iter().map(|(user_name, skus)| LicensedAccount { user_name, skus }).collect(),
            ))
        }
        _ => {
            let client = opened.graph().await?;
            let users = client.users().await?;
            let skus = client.subscribed_skus().await?;
            let accounts = users
                .into_iter()
                .map(|u| LicensedAccount {
                    user_name: u.user_principal_name,
                    skus: u.licenses.into_iter().map(|l| l.sku_id).collect(),
                })
                .collect();
            Ok(Read::Licenses(accounts, skus))
        }
    }
}

/// Whether a connector's target can be read back (all but a manual one).
fn reconciles(kind: ConnectorKind) -> bool {
    matches!(kind, ConnectorKind::Scim | ConnectorKind::Graph | ConnectorKind::Okta)
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
    let kind = store::list(&mut conn, Some(id)).await?.pop().ok_or(AppError::NotFound("connector"))?.kind;
    if !reconciles(kind) {
        return Err(AppError::Conflict(
            "A manual connector has no target to read: its seats are checked by the person who does its tasks.".into(),
        ));
    }
    let opened = super::open(&mut conn, key, id).await?;
    drop(conn);
    let read = read_target(&opened)
        .await
        .map_err(|e| AppError::Conflict(format!("The target's accounts could not be read: {}", e.message())))?;
    let mut tx = db.begin().await?;
    let holders = store::holders(&mut tx, id).await?;
    let in_flight = store::in_flight(&mut tx, id).await?;
    let (mut drift, units) = match read {
        Read::Accounts(accounts) => (rules::compare(&holders, &accounts, &in_flight), Vec::new()),
        Read::Licenses(accounts, skus) => {
            let pool_ids: Vec<i64> = opened.connector.pools.iter().map(|p| p.id).collect();
            let sku_of = store::skus(&mut tx, &pool_ids).await?;
            let pools: Vec<PoolSku> = opened
                .connector
                .pools
                .iter()
                .filter_map(|p| {
                    sku_of.get(&p.id).map(|s| PoolSku { pool_id: p.id, pool_name: p.name.clone(), sku_id: s.clone() })
                })
                .collect();
            let facts = pool_facts(&mut tx, &pool_ids).await?;
            let units = pools
                .iter()
                .map(|p| {
                    let sku = skus.iter().find(|s| s.sku_id.eq_ignore_ascii_case(&p.sku_id));
                    let pool = facts.get(&p.pool_id);
                    TargetUnits {
                        pool_id: p.pool_id,
                        pool_name: p.pool_name.clone(),
                        sku: sku.map_or_else(|| p.sku_id.clone(), |s| s.part_number.clone()),
                        target_consumed: sku.map_or(0, |s| s.consumed),
                        target_purchased: sku.map_or(0, |s| s.enabled),
                        seats_assigned: pool.map_or(0, |f| f.seats_assigned),
                        seats_purchased: pool.and_then(|f| f.seats_purchased),
                    }
                })
                .collect();
            (rules::compare_licenses(&holders, &accounts, &pools, &in_flight, Licenses::Tenant), units)
        }
        Read::Groups(accounts) => {
            let pools: Vec<PoolSku> = opened
                .connector
                .pools
                .iter()
                .filter_map(|p| {
                    p.group.clone().map(|g| PoolSku { pool_id: p.id, pool_name: p.name.clone(), sku_id: g })
                })
                .collect();
            (rules::compare_licenses(&holders, &accounts, &pools, &in_flight, Licenses::OktaGroups), Vec::new())
        }
    };
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
        differs: drift.differs,
        seats: drift.seats,
        target_active: drift.target_active,
        units,
        ran_at: now,
        ran_by: by.to_string(),
    };
    report.id = store::insert_reconciliation(&mut tx, &report).await?;
    let record = serde_json::json!({"reconciliation_id": report.id, "connector_id": id, "matched": report.matched,
        "missing_in_target": report.missing_total, "unknown_in_target": report.unknown_total,
        "differs": report.differs.len()});
    ledger::record(&mut tx, now, by, Change::created("connector.reconcile", "connector", Some(id), &record)).await?;
    if report.missing_total + report.unknown_total > 0 || !report.differs.is_empty() {
        let drift = serde_json::json!({"connector_id": id, "connector": opened.connector.name,
            "reconciliation_id": report.id, "matched": report.matched, "missing_in_target": report.missing_total,
            "unknown_in_target": report.unknown_total, "differs": report.differs.len()});
        webhooks::emit(&mut tx, WebhookEvent::ReconciliationDrift, &[drift], now).await?;
    }
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

/// Reconcile every connector with an API (the nightly run; one connector's trouble does not stop the others).
pub async fn nightly(db: &Db, key: Option<&CredentialsKey>, now: DateTime<Utc>) -> AppResult<Nightly> {
    let mut conn = db.read.acquire().await?;
    let connectors = store::list(&mut conn, None).await?;
    drop(conn);
    let mut out = Nightly::default();
    for c in connectors.iter().filter(|c| reconciles(c.kind)) {
        out.connectors += 1;
        match run(db, key, c.id, "nightly reconciliation", now).await {
            Ok(r) if r.missing_total + r.unknown_total > 0 || !r.differs.is_empty() => out.drifted += 1,
            Ok(_) => {}
            Err(e) => out.failed.push(format!("{}: {e}", c.name)),
        }
    }
    Ok(out)
}
