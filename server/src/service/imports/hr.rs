//! The HR export kind: upsert people by employee id, else email; people missing from a full export are flagged.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use seatwise_types::{FieldError, ImportSummary, PersonStatus};
use serde::{Deserialize, Serialize};

use super::directory::{self, StatusChange};
use super::staging::{self, Attempt, Env};
use crate::auth::Actor;
use crate::db::bulk::CHUNK;
use crate::db::imports::{self as store, StoredImport};
use crate::db::progress::Job;
use crate::db::{catalog, Conn};
use crate::domain::access;
use crate::domain::hr::{self, Directory, HrRow, Plan};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change, Pending};

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

/// Check a file and say what it would do; stores it for `apply`. Rows in error are listed (by row, line and column)
/// with the count of valid rows; a file with no valid row is refused: 422 listing every problem.
pub async fn preview(
    env: Env<'_>,
    actor: &Actor,
    filename: &str,
    text: &str,
    params: Params,
) -> AppResult<ImportSummary> {
    access::may_import(&actor.user)?;
    let parsed = hr::read(text).map_err(AppError::validation)?;
    let mut conn = env.db.read.acquire().await?;
    let people = store::all_people(&mut conn).await?;
    let (departments, cost_centres) = directory_maps(&mut conn).await?;
    drop(conn);
    let dir = Directory { people: &people, departments: &departments, cost_centres: &cost_centres };
    let mut row_errors = parsed.row_errors;
    let (rows, plan) = plan_valid(parsed.rows, &dir, params.full, &mut row_errors)?;
    staging::valid_rows(parsed.total as i64, &row_errors)?;
    let mut s = summary(parsed.total, &plan);
    s.valid_rows = rows.len() as i64;
    s.row_errors = row_errors;
    s.warnings = plan.warnings.clone();
    s.columns = parsed.columns;
    staging::save_preview(env, actor, KIND, filename, text, params, &mut s).await?;
    Ok(s)
}

/// Plan the rows that read cleanly. Rows the plan cannot apply (a manager nobody knows, people managing each
/// other) join `errors` and are left out, and the rest is planned again until it plans cleanly: leaving out a
/// manager's row puts the rows they manage in error too.
fn plan_valid(
    mut rows: Vec<HrRow>,
    dir: &Directory<'_>,
    full: bool,
    errors: &mut Vec<FieldError>,
) -> AppResult<(Vec<HrRow>, Plan)> {
    loop {
        let plan = hr::plan(&rows, dir, full);
        if plan.errors.is_empty() {
            errors.sort_by_key(|e| (e.row, e.line));
            return Ok((rows, plan));
        }
        if plan.errors.iter().any(|e| e.row.is_none()) {
            // An error no row can be left out for: the file as a whole.
            return Err(AppError::validation(plan.errors));
        }
        let bad: HashSet<u64> = plan.errors.iter().filter_map(|e| e.row).collect();
        errors.extend(plan.errors);
        rows.retain(|r| !bad.contains(&r.row));
    }
}

/// A plan with the rows it was made from: new people's records are built from their rows as they are written.
struct Planned {
    rows: Vec<HrRow>,
    plan: Plan,
}

impl Planned {
    /// A new person's record, built from its row.
    fn created(&self, create: &hr::Create) -> Result<hr::PersonRecord, sqlx::Error> {
        create.record(&self.rows).ok_or_else(|| sqlx::Error::Protocol(format!("row {} was not planned", create.row)))
    }
}

/// The `i`th ledger change of a plan: its new people in order, then its changed ones (`changed` indexes updates).
fn person_change(planned: &Planned, changed: &[usize], i: usize) -> Result<Pending, sqlx::Error> {
    let plan = &planned.plan;
    if let Some(create) = plan.creates.get(i) {
        let record = planned.created(create)?;
        return Pending::of(Change::created("person.create", "person", Some(record.id), &record));
    }
    match changed.get(i - plan.creates.len()).and_then(|u| plan.updates.get(*u)) {
        Some(u) => Pending::of(Change::changed("person.update", "person", Some(u.after.id), &u.before, &u.after)),
        None => Err(sqlx::Error::Protocol(format!("no ledger change number {i} in the plan"))),
    }
}

/// HR dates are days; a termination took effect at the start of its end date (UTC).
fn effective_at(end: Option<NaiveDate>, now: DateTime<Utc>) -> DateTime<Utc> {
    end.map(|d| d.and_time(NaiveTime::MIN).and_utc()).filter(|t| *t <= now).unwrap_or(now)
}

/// Apply a previewed file in one transaction: all of it, or (`skip_invalid`) its rows without errors; or none.
pub async fn apply(
    env: Env<'_>,
    actor: &Actor,
    mut stored: StoredImport,
    attempt: &Attempt,
    skip_invalid: bool,
) -> AppResult<ImportSummary> {
    let started = std::time::Instant::now();
    let params = staging::load::<Params>(&stored)?.params;
    let parsed = hr::read(&stored.content).map_err(AppError::validation)?;
    // The rows hold what the apply needs from here on.
    stored.content = String::new();
    let mut row_errors = parsed.row_errors;
    tracing::debug!(elapsed = ?started.elapsed(), "import: parsed");
    let (id, now, who) = (stored.id, env.clock.now(), actor.ledger_name());
    let total = parsed.rows.len() as u64;
    env.progress.set(Job::Import(id), "planning", 0, total).await;
    let mut tx = staging::begin_apply(env, &stored).await?;
    // Plan again inside the transaction: the directory may have changed since the preview.
    let people = store::all_people(&mut tx).await?;
    let (mut departments, mut cost_centres) = directory_maps(&mut tx).await?;
    let dir = Directory { people: &people, departments: &departments, cost_centres: &cost_centres };
    // Rows in error are checked again here too: an apply without `skip_invalid` writes nothing while there are any.
    let (rows, mut plan) = plan_valid(parsed.rows, &dir, params.full, &mut row_errors)?;
    let skipped = staging::may_apply(&row_errors, skip_invalid)?;
    let (new_departments, new_cost_centres) = (plan.new_departments.clone(), plan.new_cost_centres.clone());
    if !new_departments.is_empty() || !new_cost_centres.is_empty() {
        directory::new_departments(&mut tx, now, who, &new_departments, &mut departments).await?;
        directory::new_cost_centres(&mut tx, now, who, &new_cost_centres, &mut cost_centres).await?;
        plan.link_new_names(&rows, &departments, &cost_centres)
            .map_err(|name| AppError::internal_in("linking new departments", format!("{name:?} was not created")))?;
    }

    // New people get their ids first, so each is written once, with its manager, and ledgered as written.
    plan.assign_ids(&store::reserve_person_ids(&mut tx, plan.creates.len()).await?);
    tracing::debug!(elapsed = ?started.elapsed(), "import: planned");
    let valid_rows = rows.len() as i64;
    let planned = Arc::new(Planned { rows, plan });
    let plan = &planned.plan;
    let changed: Arc<Vec<usize>> =
        Arc::new(plan.updates.iter().enumerate().filter(|(_, u)| u.before != u.after).map(|(i, _)| i).collect());
    // Each person's ledger entry is serialized and chained on another thread while the people are written here.
    let n = plan.creates.len() + changed.len();
    let start = ledger::claim(&mut tx, n).await?;
    let mut chained = ledger::Chaining::spawn(start, now, who.to_string(), n, CHUNK, {
        let (planned, changed) = (Arc::clone(&planned), Arc::clone(&changed));
        move |i| person_change(&planned, &changed, i)
    });
    let mut written = 0;
    for chunk in plan.creates.chunks(CHUNK) {
        let records = chunk.iter().map(|c| planned.created(c)).collect::<Result<Vec<_>, _>>()?;
        store::insert_people_with_ids(&mut tx, &records.iter().collect::<Vec<_>>(), now).await?;
        drop(records);
        chained.append_next(&mut tx).await?;
        written += chunk.len() as u64;
        env.progress.set(Job::Import(id), "people", written, total).await;
    }
    let updated: Vec<&hr::PersonRecord> =
        changed.iter().filter_map(|i| plan.updates.get(*i)).map(|u| &u.after).collect();
    store::update_people(&mut tx, &updated, now).await?;
    chained.finish(&mut tx).await?;
    tracing::debug!(elapsed = ?started.elapsed(), "import: ledger written");
    env.progress.set(Job::Import(id), "status changes", total, total).await;
    let end_date = |at: usize| planned.rows.get(at).and_then(|r| r.end_date);
    let status_changes: Vec<StatusChange> = plan
        .creates
        .iter()
        .filter(|c| c.status != PersonStatus::Active)
        .map(|c| (c.at, c.id, c.status))
        .chain(plan.updates.iter().filter(|u| u.status != u.before.status).map(|u| (u.at, u.after.id, u.status)))
        .map(|(at, person_id, status)| StatusChange { person_id, status, event_at: effective_at(end_date(at), now) })
        .collect();
    directory::apply_statuses(&mut tx, now, who, &status_changes).await?;
    tracing::debug!(elapsed = ?started.elapsed(), "import: statuses applied");

    store::flag_missing(&mut tx, &plan.missing, now).await?;
    let missing = plan
        .missing
        .iter()
        .map(|person_id| Pending::of(Change::event("person.missing_from_hr", "person", Some(*person_id))))
        .collect::<Result<Vec<_>, _>>()?;
    staging::ledger_all(&mut tx, env, who, id, "missing people", missing).await?;

    let records: Vec<staging::Record> = plan
        .creates
        .iter()
        .map(|c| staging::Record::created("person", c.id))
        .chain(plan.updates.iter().map(|u| staging::Record::updated("person", u.after.id)))
        .collect();
    staging::record(&mut tx, id, &records).await?;

    let mut s = summary(parsed.total, plan);
    s.new_departments = new_departments;
    s.new_cost_centres = new_cost_centres;
    s.row_errors = row_errors;
    s.warnings = plan.warnings.clone();
    s.columns = parsed.columns;
    s.valid_rows = valid_rows;
    s.skipped_rows = skipped;
    let applied = staging::commit_apply(tx, env, actor, &stored, attempt, params, s).await;
    tracing::debug!(elapsed = ?started.elapsed(), "import: committed");
    applied
}
