//! The HR export kind: upsert people by employee id, else email; people missing from a full export are flagged.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use seatwise_types::{ImportSummary, PersonStatus};
use serde::{Deserialize, Serialize};

use super::directory::{self, StatusChange};
use super::staging::{self, Env};
use crate::auth::Actor;
use crate::db::bulk::CHUNK;
use crate::db::imports::{self as store, StoredImport};
use crate::db::{catalog, Conn};
use crate::domain::access;
use crate::domain::hr::{self, Directory, Plan};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{Change, Pending};

pub const KIND: &str = "hr";

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// A full export flags people it no longer lists; a partial one does not.
    pub full: bool,
}

fn summary(rows: usize, plan: &Plan) -> ImportSummary {
    ImportSummary {
        kind: KIND.into(),
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
pub async fn preview(
    env: Env<'_>,
    actor: &Actor,
    filename: &str,
    text: &str,
    params: Params,
) -> AppResult<ImportSummary> {
    access::may_import(&actor.user)?;
    let rows = hr::parse(text).map_err(AppError::validation)?;
    let mut conn = env.db.read.acquire().await?;
    let people = store::all_people(&mut conn).await?;
    let (departments, cost_centres) = directory_maps(&mut conn).await?;
    drop(conn);
    let dir = Directory { people: &people, departments: &departments, cost_centres: &cost_centres };
    let mut s = summary(rows.len(), &hr::plan(&rows, &dir, params.full));
    staging::save_preview(env, actor, KIND, filename, text, params, &mut s).await?;
    Ok(s)
}

/// HR dates are days; a termination took effect at the start of its end date (UTC).
fn effective_at(end: Option<NaiveDate>, now: DateTime<Utc>) -> DateTime<Utc> {
    end.map(|d| d.and_time(NaiveTime::MIN).and_utc()).filter(|t| *t <= now).unwrap_or(now)
}

/// Apply a previewed file: all of it in one transaction, or none of it.
pub async fn apply(env: Env<'_>, actor: &Actor, stored: StoredImport) -> AppResult<ImportSummary> {
    let params = staging::load::<Params>(&stored)?.params;
    let rows = hr::parse(&stored.content).map_err(AppError::validation)?;
    let (id, now, who) = (stored.id, env.clock.now(), actor.ledger_name());
    let total = rows.len() as u64;
    env.progress.set(id, "planning", 0, total).await;
    let mut tx = env.db.begin().await?;
    // Plan again inside the transaction: the directory may have changed since the preview.
    let people = store::all_people(&mut tx).await?;
    let (mut departments, mut cost_centres) = directory_maps(&mut tx).await?;
    let first = hr::plan(
        &rows,
        &Directory { people: &people, departments: &departments, cost_centres: &cost_centres },
        params.full,
    );
    directory::new_departments(&mut tx, now, who, &first.new_departments, &mut departments).await?;
    directory::new_cost_centres(&mut tx, now, who, &first.new_cost_centres, &mut cost_centres).await?;
    let plan = hr::plan(
        &rows,
        &Directory { people: &people, departments: &departments, cost_centres: &cost_centres },
        params.full,
    );

    let started = std::time::Instant::now();
    let records: Vec<hr::PersonRecord> = plan.creates.iter().map(|(_, r, _)| r.clone()).collect();
    let mut new_ids = Vec::with_capacity(records.len());
    for chunk in records.chunks(CHUNK) {
        new_ids.extend(store::insert_people(&mut tx, chunk, now).await?);
        env.progress.set(id, "people", new_ids.len() as u64, total).await;
    }
    let mut ids_by_row = HashMap::with_capacity(rows.len());
    let mut changes = Vec::with_capacity(records.len() + plan.updates.len());
    for ((row, record, _), person_id) in plan.creates.iter().zip(&new_ids) {
        let created = hr::PersonRecord { id: *person_id, ..record.clone() };
        changes.push(Pending::of(Change::created("person.create", "person", Some(*person_id), &created))?);
        ids_by_row.insert(*row, *person_id);
    }
    let mut updated = Vec::new();
    for (row, before, after, _) in &plan.updates {
        if before != after {
            updated.push(after.clone());
            changes.push(Pending::of(Change::changed("person.update", "person", Some(after.id), before, after))?);
        }
        ids_by_row.insert(*row, after.id);
    }
    store::update_people(&mut tx, &updated, now).await?;
    tracing::debug!(elapsed = ?started.elapsed(), "import: people written");
    staging::ledger_all(&mut tx, env, who, id, "audit ledger", changes).await?;
    tracing::debug!(elapsed = ?started.elapsed(), "import: ledger written");

    env.progress.set(id, "status changes", total, total).await;
    let status_changes: Vec<StatusChange> = plan
        .creates
        .iter()
        .filter(|(_, _, s)| *s != PersonStatus::Active)
        .map(|(row, _, s)| (*row, *s))
        .chain(plan.updates.iter().filter(|(_, b, _, s)| *s != b.status).map(|(row, _, _, s)| (*row, *s)))
        .map(|(row, status)| StatusChange {
            person_id: ids_by_row[&row],
            status,
            event_at: effective_at(rows[row as usize - 1].end_date, now),
        })
        .collect();
    directory::apply_statuses(&mut tx, now, who, &status_changes).await?;
    tracing::debug!(elapsed = ?started.elapsed(), "import: statuses applied");

    // Managers last: they may be created by this same file.
    env.progress.set(id, "managers", total, total).await;
    let mut by_employee: HashMap<&str, i64> =
        people.iter().filter_map(|p| p.employee_id.as_deref().map(|e| (e, p.id))).collect();
    for r in &rows {
        if let (Some(e), Some(id)) = (&r.employee_id, ids_by_row.get(&r.row)) {
            by_employee.insert(e, *id);
        }
    }
    let current: HashMap<i64, Option<i64>> = people.iter().map(|p| (p.id, p.manager_id)).collect();
    let managers: Vec<(i64, Option<i64>)> = rows
        .iter()
        .filter_map(|r| {
            let id = *ids_by_row.get(&r.row)?;
            let manager_id = r.manager_employee_id.as_deref().and_then(|m| by_employee.get(m).copied());
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
    staging::ledger_all(&mut tx, env, who, id, "managers", links).await?;
    tracing::debug!(elapsed = ?started.elapsed(), managers = managers.len(), "import: managers linked");

    store::flag_missing(&mut tx, &plan.missing, now).await?;
    let missing = plan
        .missing
        .iter()
        .map(|person_id| Pending::of(Change::event("person.missing_from_hr", "person", Some(*person_id))))
        .collect::<Result<Vec<_>, _>>()?;
    staging::ledger_all(&mut tx, env, who, id, "missing people", missing).await?;

    let mut s = summary(rows.len(), &plan);
    s.new_departments = first.new_departments.clone();
    s.new_cost_centres = first.new_cost_centres.clone();
    staging::commit_apply(tx, env, actor, &stored, params, s).await
}
