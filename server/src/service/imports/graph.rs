//! Microsoft 365 / Entra: SKU mappings (part number → pool), subscribed SKUs, and users exports whose people,
//! sign-ins and license assignments become people, sign-in records and seats.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use seatwise_types::{ImportSummary, PersonStatus, SkuMapping};
use serde::{Deserialize, Serialize};

use super::directory::{self, StatusChange};
use super::staging::{self, Attempt, Env};
use crate::auth::Actor;
use crate::db::catalog::{self, CatalogTable};
use crate::db::imports::{self as people_store, StoredImport};
use crate::db::progress::Job;
use crate::db::versions::{self as version_store, Key, Versioned};
use crate::db::{graph as store, Conn};
use crate::domain::access;
use crate::domain::graph::{self, GraphUser};
use crate::domain::hr::PersonRecord;
use crate::domain::version;
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change, Pending};
use crate::service::versions;

pub const KIND: &str = "graph";

pub const SIGN_IN_SOURCE: &str = "entra";

/// A users export needs nothing besides the file: the SKU mappings are read when it is applied.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {}

pub async fn mappings(env: Env<'_>, actor: &Actor) -> AppResult<Vec<SkuMapping>> {
    access::may_import(&actor.user)?;
    Ok(store::mappings(&env.db.read).await?)
}

/// Map a SKU part number to a pool (or unmap it with `None`).
pub async fn set_mapping(
    env: Env<'_>,
    actor: &Actor,
    part_number: &str,
    pool_id: Option<i64>,
    expected: Option<i64>,
) -> AppResult<(i64, Vec<SkuMapping>)> {
    access::may_import(&actor.user)?;
    let part = part_number.trim().to_uppercase();
    if part.is_empty() || part.len() > 100 {
        return Err(AppError::field("part_number", "must be 1 to 100 characters"));
    }
    if let Some(m) = crate::domain::limits::line_problem(&part) {
        return Err(AppError::field("part_number", m));
    }
    if let Some(p) = pool_id {
        if !catalog::exists(&env.db.read, CatalogTable::Pools, p).await? {
            return Err(AppError::field("pool_id", "must name an existing pool"));
        }
    }
    let now = env.clock.now();
    let mut tx = env.db.begin().await?;
    // The row lock first, so "before" is what this write replaces. A PUT may create the mapping; an If-Match
    // against one that does not exist names a version that is not there (409).
    match (version_store::lock(&mut tx, Versioned::SkuMappings, Key::Text(&part)).await?, expected) {
        (Some(current), _) => version::check(expected, current).map_err(|s| versions::stale("SKU mapping", s))?,
        (None, Some(_)) => return Err(AppError::Conflict("This SKU mapping does not exist any more.".into())),
        (None, None) => {}
    }
    let before = store::mappings(&mut *tx).await?.into_iter().find(|m| m.part_number == part);
    store::set_pool(&mut tx, &part, pool_id, now).await?;
    let after = store::mappings(&mut *tx).await?.into_iter().find(|m| m.part_number == part);
    let version = after.as_ref().map_or(1, |m| m.version);
    ledger::record(
        &mut tx,
        now,
        actor.ledger_name(),
        Change::changed("sku_mapping.set", "sku_mapping", None, &before, &after),
    )
    .await?;
    tx.commit().await?;
    Ok((version, store::mappings(&env.db.read).await?))
}

/// Read `GET /subscribedSkus`: learn each part number's SKU id (pools are mapped separately).
pub async fn upload_skus(env: Env<'_>, actor: &Actor, text: &str) -> AppResult<Vec<SkuMapping>> {
    access::may_import(&actor.user)?;
    let skus = graph::parse_skus(text).map_err(AppError::validation)?;
    let now = env.clock.now();
    let mut tx = env.db.begin().await?;
    for s in &skus {
        store::upsert_sku(&mut tx, &s.sku_part_number, &s.sku_id, now).await?;
    }
    let recorded: Vec<(&str, &str)> = skus.iter().map(|s| (s.sku_part_number.as_str(), s.sku_id.as_str())).collect();
    ledger::record(
        &mut tx,
        now,
        actor.ledger_name(),
        Change::created("sku_mapping.import", "sku_mapping", None, &recorded),
    )
    .await?;
    tx.commit().await?;
    Ok(store::mappings(&env.db.read).await?)
}

/// Graph knows names, departments and cost centres; HR-only fields (dates, manager) are left as they are.
fn next_record(u: &GraphUser, found: Option<&PersonRecord>, dept: Option<i64>, cc: Option<i64>) -> PersonRecord {
    let base = found.cloned().unwrap_or(PersonRecord {
        id: 0,
        employee_id: None,
        username: None,
        email: u.upn.clone(),
        name: u.name.clone(),
        department_id: None,
        cost_centre_id: None,
        manager_id: None,
        employment_type: seatwise_types::EmploymentType::Employee,
        status: PersonStatus::Active,
        start_date: None,
        end_date: None,
        missing_from_hr: false,
        vip: false,
    });
    PersonRecord {
        employee_id: u.employee_id.clone().or(base.employee_id.clone()),
        email: u.upn.clone(),
        name: u.name.clone(),
        department_id: dept.or(base.department_id),
        cost_centre_id: cc.or(base.cost_centre_id),
        ..base
    }
}

/// Names not in `known` (lower-case keys), each once, in order of first appearance.
fn unknown<'a>(names: impl Iterator<Item = &'a String>, known: &HashMap<String, i64>) -> Vec<String> {
    let mut seen = HashSet::new();
    names.filter(|n| !known.contains_key(&n.to_lowercase()) && seen.insert(n.to_lowercase())).cloned().collect()
}

/// Apply users to the directory inside the caller's transaction (rolled back for a preview): what it did, and the
/// people it created or changed.
async fn run(
    conn: &mut Conn,
    now: DateTime<Utc>,
    who: &str,
    users: &[GraphUser],
) -> AppResult<(ImportSummary, Vec<staging::Record>)> {
    let mut s = ImportSummary { kind: KIND.into(), rows: users.len() as i64, ..Default::default() };
    let existing = people_store::all_people(&mut *conn).await?;
    let by_employee: HashMap<&str, &PersonRecord> =
        existing.iter().filter_map(|p| p.employee_id.as_deref().map(|e| (e, p))).collect();
    let by_email: HashMap<&str, &PersonRecord> = existing.iter().map(|p| (p.email.as_str(), p)).collect();
    let by_username: HashMap<&str, &PersonRecord> =
        existing.iter().filter_map(|p| p.username.as_deref().map(|u| (u, p))).collect();
    let mut departments = catalog::department_names(conn).await?;
    let mut cost_centres = catalog::cost_centre_codes(conn).await?;
    s.new_departments = unknown(users.iter().filter_map(|u| u.department.as_ref()), &departments);
    s.new_cost_centres = unknown(users.iter().filter_map(|u| u.cost_centre.as_ref()), &cost_centres);
    directory::new_departments(conn, now, who, &s.new_departments, &mut departments).await?;
    directory::new_cost_centres(conn, now, who, &s.new_cost_centres, &mut cost_centres).await?;

    // People: each user matched (employee id, then email, then a username equal to the userPrincipalName), the new
    // ones created together.
    let mut person_ids: Vec<i64> = Vec::with_capacity(users.len());
    let mut terminated: Vec<bool> = Vec::with_capacity(users.len());
    let (mut creates, mut updates, mut changes) = (Vec::new(), Vec::new(), Vec::new());
    let mut history = Vec::new();
    for u in users {
        let dept = u.department.as_ref().and_then(|d| departments.get(&d.to_lowercase()).copied());
        let cc = u.cost_centre.as_ref().and_then(|c| cost_centres.get(&c.to_lowercase()).copied());
        let found = u
            .employee_id
            .as_deref()
            .and_then(|e| by_employee.get(e))
            .or_else(|| by_email.get(u.upn.as_str()))
            .or_else(|| by_username.get(u.upn.as_str()))
            .copied();
        let next = next_record(u, found, dept, cc);
        match found {
            None => {
                creates.push((person_ids.len(), next));
                s.creates += 1;
            }
            Some(before) if *before != next => {
                changes.push(Pending::of(Change::changed("person.update", "person", Some(before.id), before, &next))?);
                history.push(staging::Record::updated("person", before.id));
                updates.push(next);
                s.updates += 1;
            }
            Some(_) => s.unchanged += 1,
        }
        person_ids.push(found.map_or(0, |p| p.id));
        terminated.push(found.is_some_and(|p| p.status == PersonStatus::Terminated));
    }
    let records: Vec<PersonRecord> = creates.iter().map(|(_, r)| r.clone()).collect();
    let new_ids = people_store::insert_people(conn, &records, now).await?;
    let mut created = Vec::with_capacity(creates.len());
    for ((index, record), id) in creates.into_iter().zip(new_ids) {
        person_ids[index] = id;
        history.push(staging::Record::created("person", id));
        let record = PersonRecord { id, ..record };
        created.push(Pending::of(Change::created("person.create", "person", Some(id), &record))?);
    }
    people_store::update_people(conn, &updates.iter().collect::<Vec<_>>(), now).await?;
    created.append(&mut changes);
    ledger::record_many(conn, now, who, created).await?;

    // A disabled account is a termination.
    let terminations: Vec<StatusChange> = users
        .iter()
        .zip(person_ids.iter().zip(&terminated))
        .filter(|(u, (_, terminated))| !u.enabled && !**terminated)
        .map(|(_, (id, _))| StatusChange { person_id: *id, status: PersonStatus::Terminated, event_at: now })
        .collect();
    s.status_changes = terminations.len() as i64;
    s.terminations = terminations.len() as i64;
    directory::apply_statuses(conn, now, who, &terminations).await?;

    // One sign-in record per person and source (a person listed twice keeps the later row's).
    let sign_ins: HashMap<i64, Option<DateTime<Utc>>> =
        users.iter().zip(&person_ids).map(|(u, id)| (*id, u.last_sign_in)).collect();
    let sign_ins: Vec<(i64, Option<DateTime<Utc>>)> = sign_ins.into_iter().collect();
    store::set_sign_ins(conn, &sign_ins, SIGN_IN_SOURCE, now).await?;

    // Licenses become seats in the pools their SKUs are mapped to.
    let sku_pools: HashMap<String, (String, Option<i64>)> = store::mappings(&mut *conn)
        .await?
        .into_iter()
        .filter_map(|m| m.sku_id.clone().map(|id| (id, (m.part_number, m.pool_id))))
        .collect();
    let mapped: Vec<i64> = sku_pools.values().filter_map(|(_, p)| *p).collect();
    let mut held = people_store::seat_holders(conn, &mapped).await?;
    let mut seats = Vec::new();
    let mut unmapped = BTreeSet::new();
    for (u, person_id) in users.iter().zip(&person_ids) {
        for sku in &u.sku_ids {
            match sku_pools.get(sku) {
                Some((_, Some(pool_id))) => {
                    if held.insert((*pool_id, *person_id)) {
                        seats.push((*pool_id, *person_id));
                    }
                }
                Some((part, None)) => {
                    unmapped.insert(part.clone());
                }
                None => {
                    unmapped.insert(sku.clone());
                }
            }
        }
    }
    s.seats_created = directory::assign_seats(conn, now, who, &seats).await?;
    s.unmapped_skus = unmapped.into_iter().collect();
    Ok((s, history))
}

pub async fn preview_users(env: Env<'_>, actor: &Actor, filename: &str, text: &str) -> AppResult<ImportSummary> {
    access::may_import(&actor.user)?;
    let users = graph::parse_users(text).map_err(AppError::validation)?;
    let mut tx = env.db.begin().await?;
    let (mut s, _) = run(&mut tx, env.clock.now(), actor.ledger_name(), &users).await?;
    tx.rollback().await?;
    staging::save_preview(env, actor, KIND, filename, text, Params {}, &mut s).await?;
    Ok(s)
}

pub async fn apply(env: Env<'_>, actor: &Actor, stored: StoredImport, attempt: &Attempt) -> AppResult<ImportSummary> {
    let params = staging::load::<Params>(&stored)?.params;
    let users = graph::parse_users(&stored.content).map_err(AppError::validation)?;
    env.progress.set(Job::Import(stored.id), "applying", 0, users.len() as u64).await;
    let mut tx = staging::begin_apply(env, &stored).await?;
    let (s, records) = run(&mut tx, env.clock.now(), actor.ledger_name(), &users).await?;
    staging::record(&mut tx, stored.id, &records).await?;
    staging::commit_apply(tx, env, actor, &stored, attempt, params, s).await
}
