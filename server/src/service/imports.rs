//! Imports: upload, preview with row-level errors, then apply in one transaction. Nothing is applied while any
//! row is in error, and applying the same file again changes nothing.

use std::collections::HashMap;

use chrono::{DateTime, NaiveTime, Utc};
use seatwise_types::{ImportSummary, PersonStatus, Role};

use crate::auth::Actor;
use crate::db::{catalog, imports as store, Conn};
use crate::domain::hr::{self, Directory, Plan};
use crate::domain::secret::sha256_hex;
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change, Pending};
use crate::service::people;
use crate::state::AppState;

/// Store an uploaded file with what its preview found and the parameters `apply` will need.
pub(super) async fn save_preview<P: serde::Serialize>(
    state: &AppState,
    actor: &Actor,
    kind: &str,
    filename: &str,
    text: &str,
    params: &P,
    s: &mut ImportSummary,
) -> AppResult<()> {
    s.filename = filename.into();
    s.status = "previewed".into();
    let json = serde_json::to_string(&(params, &*s)).map_err(|e| AppError::Internal(e.to_string()))?;
    let now = state.clock.now();
    s.id = store::insert(&state.db.write, kind, filename, text, &sha256_hex(text), &json, actor.ledger_name(), now)
        .await?;
    Ok(())
}

/// Finish applying: mark the import applied (once), ledger the result, commit.
pub(super) async fn commit_apply<P: serde::Serialize>(
    mut tx: crate::db::Tx,
    state: &AppState,
    actor: &Actor,
    stored: &store::StoredImport,
    params: &P,
    mut s: ImportSummary,
) -> AppResult<ImportSummary> {
    let now = state.clock.now();
    s.id = stored.id;
    s.filename = stored.filename.clone();
    s.status = "applied".into();
    let json = serde_json::to_string(&(params, &s)).map_err(|e| AppError::Internal(e.to_string()))?;
    if !store::mark_applied(&mut tx, stored.id, &json, now).await? {
        return Err(AppError::Conflict("This import has already been applied.".into()));
    }
    ledger::record(&mut tx, now, actor.ledger_name(), Change::created("import.apply", "import", Some(stored.id), &s))
        .await?;
    tx.commit().await?;
    state.progress.finish(stored.id).await;
    Ok(s)
}

pub(super) fn require_admin(actor: &Actor) -> AppResult<()> {
    if actor.user.has(Role::Admin) {
        Ok(())
    } else {
        Err(AppError::Forbidden("Only admins import people.".into()))
    }
}

fn summary(id: i64, filename: &str, status: &str, rows: usize, plan: &Plan) -> ImportSummary {
    ImportSummary {
        id,
        kind: "hr".into(),
        filename: filename.into(),
        status: status.into(),
        rows: rows as i64,
        creates: plan.creates.len() as i64,
        updates: plan.updates.len() as i64,
        unchanged: plan.unchanged as i64,
        status_changes: plan.status_changes as i64,
        terminations: plan.terminations as i64,
        missing: plan.missing.len() as i64,
        new_departments: plan.new_departments.clone(),
        new_cost_centres: plan.new_cost_centres.clone(),
        ..Default::default()
    }
}

async fn directory_maps(conn: &mut Conn) -> Result<(HashMap<String, i64>, HashMap<String, i64>), sqlx::Error> {
    let departments = catalog::department_names(&mut *conn).await?;
    let cost_centres = catalog::cost_centre_codes(&mut *conn).await?;
    Ok((departments, cost_centres))
}

/// Check a file and say what it would do; stores it for `apply`. Any bad row: 422 listing every problem.
pub async fn preview_hr(
    state: &AppState,
    actor: &Actor,
    filename: &str,
    text: &str,
    full: bool,
) -> AppResult<ImportSummary> {
    require_admin(actor)?;
    let rows = hr::parse(text).map_err(AppError::validation)?;
    let mut conn = state.db.read.acquire().await?;
    let people = store::all_people(&mut *conn).await?;
    let (departments, cost_centres) = directory_maps(&mut conn).await?;
    let plan =
        hr::plan(&rows, &Directory { people: &people, departments: &departments, cost_centres: &cost_centres }, full);
    let mut s = summary(0, filename, "previewed", rows.len(), &plan);
    save_preview(state, actor, "hr", filename, text, &full, &mut s).await?;
    Ok(s)
}

pub async fn get(state: &AppState, actor: &Actor, id: i64) -> AppResult<ImportSummary> {
    require_admin(actor)?;
    let stored = store::get(&state.db.read, id).await?.ok_or(AppError::NotFound("import"))?;
    let (_, mut s): (serde_json::Value, ImportSummary) =
        serde_json::from_str(&stored.summary_json).map_err(|e| AppError::Internal(e.to_string()))?;
    s.id = stored.id;
    s.status = stored.status;
    Ok(s)
}

/// HR dates are days; a termination took effect at the start of its end date (UTC).
fn effective_at(end: Option<chrono::NaiveDate>, now: DateTime<Utc>) -> DateTime<Utc> {
    end.map(|d| d.and_time(NaiveTime::MIN).and_utc()).filter(|t| *t <= now).unwrap_or(now)
}

/// Apply a previewed file: all of it in one transaction, or none of it.
pub async fn apply(state: &AppState, actor: &Actor, id: i64) -> AppResult<ImportSummary> {
    require_admin(actor)?;
    let stored = store::get(&state.db.read, id).await?.ok_or(AppError::NotFound("import"))?;
    if stored.status != "previewed" {
        return Err(AppError::Conflict("This import has already been applied.".into()));
    }
    match stored.kind.as_str() {
        "snipeit" => return super::snipeit::apply(state, actor, stored).await,
        "graph" => return super::graph::apply(state, actor, stored).await,
        _ => {}
    }
    let (full, _): (bool, ImportSummary) =
        serde_json::from_str(&stored.summary_json).map_err(|e| AppError::Internal(e.to_string()))?;
    let rows = hr::parse(&stored.content).map_err(AppError::validation)?;
    let now = state.clock.now();
    let who = actor.ledger_name();
    state.progress.set(id, "planning", 0, rows.len() as u64).await;
    let mut tx = state.db.begin().await?;
    // Plan again inside the transaction: the directory may have changed since the preview.
    let people = store::all_people(&mut *tx).await?;
    let (mut departments, mut cost_centres) = directory_maps(&mut tx).await?;
    let first =
        hr::plan(&rows, &Directory { people: &people, departments: &departments, cost_centres: &cost_centres }, full);
    for name in &first.new_departments {
        let dept_id = catalog::insert_department(&mut tx, name).await?;
        ledger::record(&mut tx, now, who, Change::created("department.create", "department", Some(dept_id), name))
            .await?;
        departments.insert(name.to_lowercase(), dept_id);
    }
    for code in &first.new_cost_centres {
        let cc_id = catalog::insert_cost_centre(&mut tx, code, code).await?;
        ledger::record(&mut tx, now, who, Change::created("cost_centre.create", "cost_centre", Some(cc_id), code))
            .await?;
        cost_centres.insert(code.to_lowercase(), cc_id);
    }
    let plan =
        hr::plan(&rows, &Directory { people: &people, departments: &departments, cost_centres: &cost_centres }, full);
    let started = std::time::Instant::now();
    let mut ids_by_row = HashMap::new();
    let records: Vec<hr::PersonRecord> = plan.creates.iter().map(|(_, r, _)| r.clone()).collect();
    let total = rows.len() as u64;
    let mut new_ids = Vec::with_capacity(records.len());
    for chunk in records.chunks(2_000) {
        new_ids.extend(store::insert_people(&mut tx, chunk, now).await?);
        state.progress.set(id, "people", new_ids.len() as u64, total).await;
    }
    let mut pending = Vec::with_capacity(records.len() + plan.updates.len());
    for ((row, record, _), person_id) in plan.creates.iter().zip(&new_ids) {
        let created = hr::PersonRecord { id: *person_id, ..record.clone() };
        pending.push(Pending::of(Change::created("person.create", "person", Some(*person_id), &created))?);
        ids_by_row.insert(*row, *person_id);
    }
    for (row, before, after, _) in &plan.updates {
        if before != after {
            store::upsert_person(&mut tx, after, now).await?;
            pending.push(Pending::of(Change::changed("person.update", "person", Some(after.id), before, after))?);
        }
        ids_by_row.insert(*row, after.id);
    }
    tracing::debug!(elapsed = ?started.elapsed(), "import: people written");
    state.progress.set(id, "audit ledger", total, total).await;
    ledger::record_many(&mut tx, now, who, pending).await?;
    tracing::debug!(elapsed = ?started.elapsed(), "import: ledger written");
    state.progress.set(id, "status changes", total, total).await;
    // Status changes one by one: each may mark seats and carries its own effective time.
    let status_changes = plan
        .creates
        .iter()
        .filter(|(_, _, s)| *s != PersonStatus::Active)
        .map(|(row, _, s)| (*row, *s))
        .chain(plan.updates.iter().filter(|(_, b, _, s)| *s != b.status).map(|(row, _, _, s)| (*row, *s)));
    for (row, status) in status_changes {
        let event = effective_at(rows[row as usize - 1].end_date, now);
        people::apply_status(&mut tx, who, ids_by_row[&row], status, event, now).await?;
    }
    tracing::debug!(elapsed = ?started.elapsed(), "import: statuses applied");
    // Managers last: they may be created by this same file.
    let mut by_employee: HashMap<String, i64> =
        people.iter().filter_map(|p| p.employee_id.clone().map(|e| (e, p.id))).collect();
    for r in &rows {
        if let (Some(e), Some(id)) = (&r.employee_id, ids_by_row.get(&r.row)) {
            by_employee.insert(e.clone(), *id);
        }
    }
    let current: HashMap<i64, Option<i64>> = people.iter().map(|p| (p.id, p.manager_id)).collect();
    let managers: Vec<(i64, Option<i64>)> = rows
        .iter()
        .filter_map(|r| {
            let id = *ids_by_row.get(&r.row)?;
            let manager_id = r.manager_employee_id.as_ref().and_then(|m| by_employee.get(m).copied());
            (current.get(&id).copied().flatten() != manager_id).then_some((id, manager_id))
        })
        .collect();
    store::set_managers(&mut tx, &managers).await?;
    let links = managers
        .iter()
        .map(|(id, manager)| {
            let before = serde_json::json!({"manager_id": current.get(id).copied().flatten()});
            let after = serde_json::json!({"manager_id": manager});
            Pending::of(Change::changed("person.manager", "person", Some(*id), &before, &after))
        })
        .collect::<Result<Vec<_>, _>>()?;
    ledger::record_many(&mut tx, now, who, links).await?;
    tracing::debug!(elapsed = ?started.elapsed(), managers = managers.len(), "import: managers linked");
    for person_id in &plan.missing {
        store::flag_missing(&mut tx, *person_id, now).await?;
        ledger::record(&mut tx, now, who, Change::event("person.missing_from_hr", "person", Some(*person_id))).await?;
    }
    let mut s = summary(id, &stored.filename, "applied", rows.len(), &plan);
    s.new_departments = first.new_departments.clone();
    s.new_cost_centres = first.new_cost_centres.clone();
    commit_apply(tx, state, actor, &stored, &full, s).await
}

/// How far applying an import has come, from the database: any instance can answer while another applies.
pub async fn progress(state: &AppState, actor: &Actor, id: i64) -> AppResult<seatwise_types::JobProgress> {
    require_admin(actor)?;
    if let Some(p) = state.progress.get(id).await? {
        return Ok(p);
    }
    let stored = store::get(&state.db.read, id).await?.ok_or(AppError::NotFound("import"))?;
    let done = stored.status == "applied";
    Ok(seatwise_types::JobProgress { done: 0, total: 0, phase: stored.status, finished: done })
}
