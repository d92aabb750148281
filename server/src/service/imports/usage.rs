//! Usage files (`domain::usage_file`): a generic CSV, or an Okta users export for one pool. Each row becomes the
//! source's usage signal for a person and a pool (every pool of a product, when a row names a product); applying
//! replaces what the same source said of the same seats.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use seatwise_types::{FieldError, ImportSummary};
use serde::{Deserialize, Serialize};

use super::staging::{self, Attempt, Env};
use crate::auth::Actor;
use crate::db::change_requests as names;
use crate::db::imports::StoredImport;
use crate::db::progress::Job;
use crate::db::reclamation::usage as store;
use crate::db::Conn;
use crate::domain::access;
use crate::domain::change_csv::{person_key, pool_key, PersonKey, PoolKey};
use crate::domain::usage_file::{self, UsageRow};
use crate::error::{AppError, AppResult};

pub const KIND: &str = "usage";

/// How the file is read and what its signals are recorded as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// `csv` or `okta`.
    pub format: String,
    /// The source the signals are recorded under (`okta`, `citrix-director`, ...).
    pub source: String,
    /// When the source was read: the export's time (default: the upload).
    pub read_at: DateTime<Utc>,
    /// The pool an Okta app stands for (Okta exports name no product).
    pub pool_id: Option<i64>,
}

impl Params {
    /// Check what the upload says, as field errors.
    pub fn check(&self, now: DateTime<Utc>) -> AppResult<()> {
        let mut errors = Vec::new();
        if !["csv", "okta"].contains(&self.format.as_str()) {
            errors.push(FieldError::new("format", "must be csv or okta"));
        }
        let source = self.source.trim();
        if source.is_empty()
            || source.len() > 60
            || !source.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            errors.push(FieldError::new("source", "must be 1 to 60 letters, digits, '-', '_' or '.'"));
        }
        if self.read_at > now {
            errors.push(FieldError::new("read_at", "is in the future"));
        }
        crate::domain::limits::check_timestamp(&mut errors, "read_at", Some(self.read_at));
        if self.format == "okta" && self.pool_id.is_none() {
            errors.push(FieldError::new("pool_id", "an Okta export needs the pool its app stands for"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::validation(errors))
        }
    }
}

fn read(
    text: &str,
    params: &Params,
    now: DateTime<Utc>,
) -> AppResult<(Vec<UsageRow>, Vec<FieldError>, seatwise_types::ImportColumns)> {
    if params.format == "okta" {
        let (rows, errors) = usage_file::read_okta(text, now).map_err(AppError::validation)?;
        Ok((rows, errors, seatwise_types::ImportColumns::default()))
    } else {
        usage_file::read_csv(text, now).map_err(AppError::validation)
    }
}

/// The signals the rows make, (pool id, person id, last use), one per seat (a later row wins), and errors for
/// rows naming someone or something unknown.
async fn resolve(
    conn: &mut Conn,
    rows: &[UsageRow],
    params: &Params,
    errors: &mut Vec<FieldError>,
) -> AppResult<Vec<(i64, i64, Option<DateTime<Utc>>)>> {
    let (mut emails, mut employee_ids, mut pool_names, mut products) =
        (BTreeSet::new(), BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    let mut pool_ids: Vec<i64> = params.pool_id.into_iter().collect();
    for r in rows {
        match person_key(&r.person) {
            PersonKey::Email(e) => emails.insert(e),
            PersonKey::EmployeeId(e) => employee_ids.insert(e),
        };
        match r.pool.as_deref().map(pool_key) {
            Some(PoolKey::Name(n)) => {
                pool_names.insert(n);
            }
            Some(PoolKey::Id(id)) => pool_ids.push(id),
            None => {}
        }
        if let Some(p) = &r.product {
            products.insert(p.to_lowercase());
        }
    }
    let mut people: HashMap<PersonKey, i64> = HashMap::new();
    let (emails, employee_ids): (Vec<_>, Vec<_>) = (emails.into_iter().collect(), employee_ids.into_iter().collect());
    for (id, email, employee_id) in names::facts::people_keyed(conn, &emails, &employee_ids).await? {
        people.insert(PersonKey::Email(email), id);
        if let Some(e) = employee_id {
            people.insert(PersonKey::EmployeeId(e), id);
        }
    }
    let mut named: HashMap<String, Vec<i64>> = HashMap::new();
    for (id, name, _) in names::facts::pools_named(conn, &pool_names.into_iter().collect::<Vec<_>>()).await? {
        named.entry(name).or_default().push(id);
    }
    let mut of_product: HashMap<String, Vec<i64>> = HashMap::new();
    for (id, name) in store::pools_of_products(conn, &products.into_iter().collect::<Vec<_>>()).await? {
        of_product.entry(name).or_default().push(id);
    }
    pool_ids.sort_unstable();
    pool_ids.dedup();
    let in_use: HashSet<i64> = store::pools_in_use(conn, &pool_ids).await?;
    if let Some(p) = params.pool_id {
        if !in_use.contains(&p) {
            return Err(AppError::field("pool_id", "must name a pool in use"));
        }
    }
    let mut signals: HashMap<(i64, i64), Option<DateTime<Utc>>> = HashMap::new();
    for r in rows {
        let fail =
            |path: &str, m: String| FieldError { path: path.into(), message: m, row: Some(r.row), line: Some(r.line) };
        let Some(person) = people.get(&person_key(&r.person)).copied() else {
            let m = match person_key(&r.person) {
                PersonKey::Email(_) => format!("nobody has the e-mail address {:?}", r.person),
                PersonKey::EmployeeId(_) => format!("nobody has the employee id {:?}", r.person),
            };
            errors.push(fail("person", m));
            continue;
        };
        let pools: Vec<i64> = match (&r.pool, &r.product, params.pool_id) {
            (Some(cell), _, _) => match pool_key(cell) {
                PoolKey::Id(id) if in_use.contains(&id) => vec![id],
                PoolKey::Id(id) => {
                    errors.push(fail("pool", format!("no pool in use has the id {id}")));
                    continue;
                }
                PoolKey::Name(n) => match named.get(&n).map(Vec::as_slice) {
                    Some([id]) => vec![*id],
                    Some(ids) if ids.len() > 1 => {
                        errors.push(fail("pool", format!("{} pools are named {cell:?}: name it by its id", ids.len())));
                        continue;
                    }
                    _ => {
                        errors.push(fail("pool", format!("no pool is named {cell:?}")));
                        continue;
                    }
                },
            },
            (None, Some(product), _) => match of_product.get(&product.to_lowercase()) {
                Some(ids) => ids.clone(),
                None => {
                    errors.push(fail("product", format!("no pool in use is of a product named {product:?}")));
                    continue;
                }
            },
            (None, None, Some(pool)) => vec![pool],
            (None, None, None) => {
                errors.push(fail("pool", "names no pool".into()));
                continue;
            }
        };
        for pool in pools {
            signals.insert((pool, person), r.last_used_at);
        }
    }
    let mut out: Vec<_> = signals.into_iter().map(|((pool, person), at)| (pool, person, at)).collect();
    out.sort_unstable();
    Ok(out)
}

fn summary(
    rows: usize,
    signals: usize,
    row_errors: Vec<FieldError>,
    columns: seatwise_types::ImportColumns,
) -> ImportSummary {
    let bad = row_errors.iter().filter_map(|e| e.row).collect::<BTreeSet<_>>().len();
    ImportSummary {
        kind: KIND.into(),
        rows: rows as i64,
        usage_signals: signals as i64,
        valid_rows: (rows - bad.min(rows)) as i64,
        row_errors,
        columns,
        ..ImportSummary::default()
    }
}

pub async fn preview(
    env: Env<'_>,
    actor: &Actor,
    filename: &str,
    text: &str,
    params: Params,
) -> AppResult<ImportSummary> {
    access::may_import(&actor.user)?;
    let now = env.clock.now();
    params.check(now)?;
    let (rows, mut row_errors, columns) = read(text, &params, now)?;
    let total = rows.len() + row_errors.iter().filter_map(|e| e.row).collect::<BTreeSet<_>>().len();
    let mut conn = env.db.read.acquire().await?;
    let signals = resolve(&mut conn, &rows, &params, &mut row_errors).await?;
    drop(conn);
    staging::valid_rows(total as i64, &row_errors)?;
    let mut s = summary(total, signals.len(), row_errors, columns);
    staging::save_preview(env, actor, KIND, filename, text, params, &mut s).await?;
    Ok(s)
}

pub async fn apply(
    env: Env<'_>,
    actor: &Actor,
    stored: StoredImport,
    attempt: &Attempt,
    skip_invalid: bool,
) -> AppResult<ImportSummary> {
    let params = staging::load::<Params>(&stored)?.params;
    let (rows, mut row_errors, columns) = read(&stored.content, &params, env.clock.now())?;
    let total = rows.len() + row_errors.iter().filter_map(|e| e.row).collect::<BTreeSet<_>>().len();
    env.progress.set(Job::Import(stored.id), "applying", 0, rows.len() as u64).await;
    let mut tx = staging::begin_apply(env, &stored).await?;
    let signals = resolve(&mut tx, &rows, &params, &mut row_errors).await?;
    let skipped = staging::may_apply(&row_errors, skip_invalid)?;
    store::set(&mut tx, &signals, params.source.trim(), params.read_at).await?;
    let mut s = summary(total, signals.len(), row_errors, columns);
    s.skipped_rows = skipped;
    staging::commit_apply(tx, env, actor, &stored, attempt, params, s).await
}
