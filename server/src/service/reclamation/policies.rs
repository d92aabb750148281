//! Reclamation policies: written in versions, tried with a dry run before anything is enabled.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use seatwise_types::{DryRun, FieldError, Finding, Page, Policy, PolicyInput, PolicyVersion, Saving};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::catalog::{self, CatalogTable};
use crate::db::reclamation::policies::{self as store, PoolFacts, StoredPolicy};
use crate::db::reclamation::usage;
use crate::db::{Conn, Db};
use crate::domain::access;
use crate::domain::pool::per_month;
use crate::domain::reclamation::{self as rules, Finding as Found};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};

/// Check a policy as written against the catalog and the caller's scope: every id it names exists (for the caller:
/// a pool outside their scope does not), and the caller may manage the pool it watches (and the pool a downgrade
/// moves holders to).
async fn check(conn: &mut Conn, actor: &Actor, input: &PolicyInput) -> AppResult<()> {
    let errors = rules::validate(input);
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let pools: Vec<i64> = input.pool_id.into_iter().chain(input.target_pool_id).collect();
    // A pool outside what the caller may read is as missing as one that does not exist (the same answer for both).
    let scope = access::may_read_reclamation(&actor.user)?;
    let mut facts = store::pool_facts(conn, &pools).await?;
    facts.retain(|_, p| scope.covers(p.place()));
    let mut errors = Vec::new();
    for (path, id) in [("pool_id", input.pool_id), ("target_pool_id", input.target_pool_id)] {
        match id.map(|id| facts.get(&id)) {
            Some(None) => errors.push(FieldError::new(path, "must name an existing pool")),
            Some(Some(p)) if p.retired => errors.push(FieldError::new(path, "names a retired pool")),
            _ => {}
        }
    }
    if let Some(product) = input.product_id {
        if !catalog::missing(conn, CatalogTable::Products, &[product]).await?.is_empty() {
            errors.push(FieldError::new("product_id", "must name an existing product"));
        }
    }
    let c = &input.conditions;
    for (path, table, ids) in [
        ("conditions.department_ids", CatalogTable::Departments, &c.department_ids),
        ("conditions.exempt_department_ids", CatalogTable::Departments, &c.exempt_department_ids),
        ("conditions.exempt_person_ids", CatalogTable::People, &c.exempt_person_ids),
    ] {
        let missing = catalog::missing(conn, table, ids).await?;
        if let Some(first) = missing.first() {
            errors.push(FieldError::new(path, format!("{} do not exist (first: {first})", missing.len())));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    for id in &pools {
        access::may_manage_policy(&actor.user, facts.get(id).map(|p| p.place()))?;
    }
    if input.pool_id.is_none() {
        access::may_manage_policy(&actor.user, None)?;
    }
    Ok(())
}

/// A policy the caller may read (404 for one outside their scope, as if it did not exist).
pub(super) fn readable(actor: &Actor, stored: Option<StoredPolicy>) -> AppResult<StoredPolicy> {
    let scope = access::may_read_reclamation(&actor.user)?;
    match stored {
        Some(s) if s.pool.is_none_or(|p| scope.covers(p)) => {
            if s.pool.is_none() && scope != access::Scope::All {
                return Err(AppError::NotFound("reclamation policy"));
            }
            Ok(s)
        }
        _ => Err(AppError::NotFound("reclamation policy")),
    }
}

pub async fn create(db: &Db, clock: &dyn Clock, actor: &Actor, input: &PolicyInput) -> AppResult<Policy> {
    access::may_read_reclamation(&actor.user)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    check(&mut tx, actor, input).await?;
    let id = store::insert(&mut tx, input, author(actor), now).await?;
    let change = Change::created("reclamation.policy.create", "reclamation_policy", Some(id), input);
    ledger::record_and_commit(tx, now, actor.ledger_name(), change).await?;
    get(db, actor, id).await
}

/// Write a new version of a policy. The cases earlier versions opened keep the version that opened them.
pub async fn update(db: &Db, clock: &dyn Clock, actor: &Actor, id: i64, input: &PolicyInput) -> AppResult<Policy> {
    let now = clock.now();
    let mut tx = db.begin().await?;
    let before = readable(actor, store::get(&mut *tx, id).await?)?;
    access::may_manage_policy(&actor.user, before.pool)?;
    check(&mut tx, actor, input).await?;
    let version =
        store::update(&mut tx, id, input, author(actor), now).await?.ok_or(AppError::NotFound("reclamation policy"))?;
    let record = serde_json::json!({"version": version, "policy": input});
    let change = Change::changed("reclamation.policy.update", "reclamation_policy", Some(id), &before.policy, &record);
    ledger::record_and_commit(tx, now, actor.ledger_name(), change).await?;
    get(db, actor, id).await
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> AppResult<Policy> {
    Ok(readable(actor, store::get(&db.read, id).await?)?.policy)
}

/// Every policy the caller may read, by id.
pub async fn list(db: &Db, actor: &Actor) -> AppResult<Page<Policy>> {
    let scope = access::may_read_reclamation(&actor.user)?;
    let filter = scope.as_filter();
    let items: Vec<Policy> = store::list(&db.read, filter.as_ref()).await?.into_iter().map(|s| s.policy).collect();
    let total = items.len() as i64;
    Ok(Page { items, total, page: 1, per_page: total.max(1) })
}

pub async fn versions(db: &Db, actor: &Actor, id: i64) -> AppResult<Vec<PolicyVersion>> {
    readable(actor, store::get(&db.read, id).await?)?;
    Ok(store::versions(&db.read, id).await?)
}

/// A policy's findings now, with what the pools involved need for pricing and acting.
pub(super) struct Evaluation {
    pub findings: Vec<Found>,
    pub without_data: i64,
    pub pools: HashMap<i64, PoolFacts>,
}

pub(super) async fn evaluate(conn: &mut Conn, policy: &Policy, now: DateTime<Utc>) -> AppResult<Evaluation> {
    let pool_ids = store::pools_of(conn, policy).await?;
    let holders = usage::holders(conn, &pool_ids, &rules::in_use(&policy.conditions, now)).await?;
    let without_data = holders.iter().filter(|h| h.usage.is_none()).count() as i64;
    let findings: Vec<Found> = holders.iter().filter_map(|h| rules::evaluate(&policy.conditions, h, now)).collect();
    drop(holders);
    let facts_of: Vec<i64> = pool_ids.iter().copied().chain(policy.target_pool_id).collect();
    let pools = store::pool_facts(conn, &facts_of).await?;
    Ok(Evaluation { findings, without_data, pools })
}

impl Evaluation {
    /// What acting on one finding saves per year.
    pub fn annual_saving(&self, policy: &Policy, f: &Found) -> Option<seatwise_types::Money> {
        let from = self.pools.get(&f.pool_id)?;
        let to = policy.target_pool_id.and_then(|t| self.pools.get(&t));
        rules::seat_saving(policy.action, &from.price, to.map(|t| &t.price))
    }
}

/// What every policy would take back now, enabled or only tried in dry runs: each seat once, at the largest saving
/// any policy finds for it (assignment id -> (pool id, annual saving)). Stale findings are left out, as a run
/// leaves them.
pub async fn forecast(conn: &mut Conn, now: DateTime<Utc>) -> AppResult<HashMap<i64, (i64, seatwise_types::Money)>> {
    let mut out: HashMap<i64, (i64, seatwise_types::Money)> = HashMap::new();
    for stored in store::list(&mut *conn, None).await? {
        let policy = stored.policy;
        let eval = evaluate(conn, &policy, now).await?;
        for f in eval.findings.iter().filter(|f| !f.stale) {
            let Some(saving) = eval.annual_saving(&policy, f) else { continue };
            let larger = out.get(&f.assignment_id).is_none_or(|(_, m)| m.amount_minor < saving.amount_minor);
            if larger {
                out.insert(f.assignment_id, (f.pool_id, saving));
            }
        }
    }
    Ok(out)
}

/// Which seats the policy would touch now, why, and what that saves; nothing is changed. Readable by whoever
/// reads the policy.
pub async fn dry_run(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    id: i64,
    page: Option<i64>,
    per_page: Option<i64>,
) -> AppResult<DryRun> {
    let (page, per_page) = crate::service::paging(page, per_page)?;
    let now = clock.now();
    let mut conn = db.read.acquire().await?;
    // Anyone who reads the policy reads what it would do (finance weighs the saving); only running it is guarded.
    let policy = readable(actor, store::get(&mut *conn, id).await?)?.policy;
    let eval = evaluate(&mut conn, &policy, now).await?;
    let actionable: Vec<Found> = eval.findings.iter().filter(|f| !f.stale).cloned().collect();
    let (monthly, annual) = rules::saving(&actionable, |f| eval.annual_saving(&policy, f));
    let offset = ((page - 1) * per_page) as usize;
    let shown: Vec<&Found> = eval.findings.iter().skip(offset).take(per_page as usize).collect();
    let people: Vec<i64> = shown.iter().map(|f| f.person_id).collect();
    let names = store::people_named(&mut conn, &people).await?;
    let items = shown
        .into_iter()
        .map(|f| {
            let (person_name, person_email) = names.get(&f.person_id).cloned().ok_or_else(|| {
                AppError::internal(format!("seat {}: its holder {} is gone", f.assignment_id, f.person_id))
            })?;
            let pool_name = eval.pools.get(&f.pool_id).map(|p| p.name.clone()).ok_or_else(|| {
                AppError::internal(format!("seat {}: its pool {} is gone", f.assignment_id, f.pool_id))
            })?;
            let annual = eval.annual_saving(&policy, f);
            Ok(Finding {
                assignment_id: f.assignment_id,
                person_id: f.person_id,
                person_name,
                person_email,
                pool_id: f.pool_id,
                pool_name,
                detail: f.reason.sentence(),
                reason: f.reason.clone(),
                data_source: f.data_source.clone(),
                data_read_at: f.data_read_at,
                stale: f.stale,
                monthly_saving: annual
                    .as_ref()
                    .map(|a| seatwise_types::Money::new(per_month(a.amount_minor), a.currency.clone())),
                annual_saving: annual,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(DryRun {
        policy_id: policy.id,
        policy_version: policy.version,
        items,
        total: eval.findings.len() as i64,
        page,
        per_page,
        stale: eval.findings.iter().filter(|f| f.stale).count() as i64,
        without_data: eval.without_data,
        saving: Saving { monthly, annual },
        evaluated_at: now,
    })
}

fn author(actor: &Actor) -> store::Author<'_> {
    store::Author { name: actor.ledger_name(), user_id: actor.user.id }
}
