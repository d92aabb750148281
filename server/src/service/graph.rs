//! Microsoft 365 / Entra: SKU mappings (part number → pool), subscribed SKUs, and users exports whose people,
//! sign-ins and license assignments become people, sign-in records and seats.

use std::collections::{BTreeSet, HashMap};

use seatwise_types::{ImportSummary, PersonStatus, SkuMapping};

use crate::auth::Actor;
use crate::db::catalog::{self, CatalogTable};
use crate::db::imports::{self as people_store, StoredImport};
use crate::db::versions::{self as version_store, Key, Versioned};
use crate::db::{graph as store, pools, Conn};
use crate::domain::graph::{self, GraphUser};
use crate::domain::hr::PersonRecord;
use crate::domain::version;
use crate::error::{AppError, AppResult};
use crate::service::imports::{commit_apply, require_admin, save_preview};
use crate::service::ledger::{self, Change};
use crate::service::{people, versions};
use crate::state::AppState;

pub const SIGN_IN_SOURCE: &str = "entra";

pub async fn mappings(state: &AppState, actor: &Actor) -> AppResult<Vec<SkuMapping>> {
    require_admin(actor)?;
    Ok(store::mappings(&state.db.read).await?)
}

/// Map a SKU part number to a pool (or unmap it with `None`).
pub async fn set_mapping(
    state: &AppState,
    actor: &Actor,
    part_number: &str,
    pool_id: Option<i64>,
    expected: Option<i64>,
) -> AppResult<(i64, Vec<SkuMapping>)> {
    require_admin(actor)?;
    let part = part_number.trim().to_uppercase();
    if part.is_empty() || part.len() > 100 {
        return Err(AppError::field("part_number", "must be 1 to 100 characters"));
    }
    if let Some(m) = crate::domain::limits::line_problem(&part) {
        return Err(AppError::field("part_number", m));
    }
    if let Some(p) = pool_id {
        if !catalog::exists(&state.db.read, CatalogTable::Pools, p).await? {
            return Err(AppError::field("pool_id", "must name an existing pool"));
        }
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
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
    Ok((version, store::mappings(&state.db.read).await?))
}

/// Read `GET /subscribedSkus`: learn each part number's SKU id (pools are mapped separately).
pub async fn upload_skus(state: &AppState, actor: &Actor, text: &str) -> AppResult<Vec<SkuMapping>> {
    require_admin(actor)?;
    let skus = graph::parse_skus(text).map_err(AppError::validation)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
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
    Ok(store::mappings(&state.db.read).await?)
}

/// Apply users to the directory inside the caller's transaction (rolled back for a preview).
async fn run(conn: &mut Conn, state: &AppState, who: &str, users: &[GraphUser], id: i64) -> AppResult<ImportSummary> {
    let now = state.clock.now();
    let mut s = ImportSummary { id, kind: "graph".into(), rows: users.len() as i64, ..Default::default() };
    let existing = people_store::all_people(&mut *conn).await?;
    let by_employee: HashMap<String, PersonRecord> =
        existing.iter().filter_map(|p| p.employee_id.clone().map(|e| (e, p.clone()))).collect();
    let by_email: HashMap<String, PersonRecord> = existing.iter().map(|p| (p.email.clone(), p.clone())).collect();
    let mut departments = catalog::department_names(conn).await?;
    let mut cost_centres = catalog::cost_centre_codes(conn).await?;
    let sku_pools: HashMap<String, (String, Option<i64>)> = store::mappings(&mut *conn)
        .await?
        .into_iter()
        .filter_map(|m| m.sku_id.clone().map(|id| (id, (m.part_number, m.pool_id))))
        .collect();
    let mut unmapped = BTreeSet::new();
    for u in users {
        let mut dept = None;
        if let Some(d) = &u.department {
            dept = Some(match departments.get(&d.to_lowercase()) {
                Some(id) => *id,
                None => {
                    let id = catalog::insert_department(conn, d).await?;
                    ledger::record(conn, now, who, Change::created("department.create", "department", Some(id), d))
                        .await?;
                    departments.insert(d.to_lowercase(), id);
                    s.new_departments.push(d.clone());
                    id
                }
            });
        }
        let mut cc = None;
        if let Some(c) = &u.cost_centre {
            cc = Some(match cost_centres.get(&c.to_lowercase()) {
                Some(id) => *id,
                None => {
                    let id = catalog::insert_cost_centre(conn, c, c).await?;
                    ledger::record(conn, now, who, Change::created("cost_centre.create", "cost_centre", Some(id), c))
                        .await?;
                    cost_centres.insert(c.to_lowercase(), id);
                    s.new_cost_centres.push(c.clone());
                    id
                }
            });
        }
        let found = u.employee_id.as_ref().and_then(|e| by_employee.get(e)).or_else(|| by_email.get(&u.upn)).cloned();
        // Graph knows names, departments and cost centres; HR-only fields (dates, manager) are left as they are.
        let base = found.clone().unwrap_or(PersonRecord {
            id: 0,
            employee_id: None,
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
        });
        let next = PersonRecord {
            employee_id: u.employee_id.clone().or(base.employee_id.clone()),
            email: u.upn.clone(),
            name: u.name.clone(),
            department_id: dept.or(base.department_id),
            cost_centre_id: cc.or(base.cost_centre_id),
            missing_from_hr: base.missing_from_hr,
            ..base.clone()
        };
        let person_id = match &found {
            None => {
                let pid = people_store::upsert_person(conn, &next, now).await?;
                let created = PersonRecord { id: pid, ..next.clone() };
                ledger::record(conn, now, who, Change::created("person.create", "person", Some(pid), &created)).await?;
                s.creates += 1;
                pid
            }
            Some(before) if *before != next => {
                people_store::upsert_person(conn, &next, now).await?;
                ledger::record(
                    conn,
                    now,
                    who,
                    Change::changed("person.update", "person", Some(before.id), before, &next),
                )
                .await?;
                s.updates += 1;
                before.id
            }
            Some(before) => {
                s.unchanged += 1;
                before.id
            }
        };
        if !u.enabled && base.status != PersonStatus::Terminated {
            people::apply_status(conn, who, person_id, PersonStatus::Terminated, now, now).await?;
            s.status_changes += 1;
            s.terminations += 1;
        }
        store::set_sign_in(conn, person_id, SIGN_IN_SOURCE, u.last_sign_in, now).await?;
        for sku in &u.sku_ids {
            match sku_pools.get(sku) {
                Some((_, Some(pool_id))) => {
                    if !pools::holds_seat(conn, *pool_id, person_id).await? {
                        let seat = pools::insert_assignment(conn, *pool_id, Some(person_id), None, who, now).await?;
                        let a = pools::assignment(&mut *conn, *pool_id, seat)
                            .await?
                            .ok_or(AppError::NotFound("assignment"))?;
                        ledger::record(conn, now, who, Change::created("pool.seat_assign", "pool", Some(*pool_id), &a))
                            .await?;
                        s.seats_created += 1;
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
    s.unmapped_skus = unmapped.into_iter().collect();
    Ok(s)
}

pub async fn preview_users(state: &AppState, actor: &Actor, filename: &str, text: &str) -> AppResult<ImportSummary> {
    require_admin(actor)?;
    let users = graph::parse_users(text).map_err(AppError::validation)?;
    let mut tx = state.db.begin().await?;
    let mut s = run(&mut tx, state, actor.ledger_name(), &users, 0).await?;
    tx.rollback().await?;
    save_preview(state, actor, "graph", filename, text, &(), &mut s).await?;
    Ok(s)
}

pub async fn apply(state: &AppState, actor: &Actor, stored: StoredImport) -> AppResult<ImportSummary> {
    let users = graph::parse_users(&stored.content).map_err(AppError::validation)?;
    let mut tx = state.db.begin().await?;
    let s = run(&mut tx, state, actor.ledger_name(), &users, stored.id).await?;
    commit_apply(tx, state, actor, &stored, &(), s).await
}
