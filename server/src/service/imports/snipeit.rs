//! Moving over from Snipe-IT: its license export becomes vendors, products, pools, people and seats.
//! Pools are matched by vendor and name, people by email. Importing a file again is an upsert: a pool the file
//! describes differently is updated (the preview lists each change), and the same file changes nothing.
//!
//! On an existing pool the file sets what Snipe-IT knows: seats purchased, unit cost and billing period, contract
//! start and end, PO number and notes; an empty cell keeps the pool's value. Department, cost centre, owner and
//! the rest stay as they are: the upload's department and cost centre are for the pools it creates.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use seatwise_types::{
    format_money_plain, CostBasis, EmploymentType, FieldChange, FieldError, ImportSummary, LicenseType, Money,
    PersonStatus, Pool, PoolChange, PoolInput,
};

use super::directory;
use super::staging::{self, Attempt, Env, Record};
use crate::auth::Actor;
use crate::db::catalog::{self, CatalogTable};
use crate::db::imports::{self as store, StoredImport};
use crate::db::progress::Job;
use crate::db::versions::{Key, Versioned};
use crate::db::{pools, Conn};
use crate::domain::access;
use crate::domain::hr::PersonRecord;
use crate::domain::pool as rules;
use crate::domain::snipeit::{self, License, Parsed};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change, Pending};
use crate::service::versions;

pub const KIND: &str = "snipeit";

/// Where created pools go (Snipe-IT has no departments or cost centres) and how costs are read.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub department_id: i64,
    pub cost_centre_id: i64,
    #[serde(default)]
    pub cost_per: CostBasis,
}

/// The pool fields a Snipe-IT license sets, as the file gives them (`None`: the file leaves it to the pool).
struct FromFile {
    seats: i64,
    cost: Option<snipeit::CostRead>,
    start: Option<chrono::NaiveDate>,
    end: Option<chrono::NaiveDate>,
    po_number: Option<String>,
    notes: Option<String>,
}

fn from_file(l: &License, basis: CostBasis) -> FromFile {
    FromFile {
        seats: l.seats,
        cost: l
            .first
            .cost
            .as_ref()
            .map(|(minor, currency)| snipeit::read_cost(&l.name, *minor, currency, l.seats, basis)),
        start: l.first.purchase_date,
        end: l.first.expiration,
        po_number: l.first.order.clone(),
        notes: l.notes(),
    }
}

fn new_pool(l: &License, f: &FromFile, product_id: i64, target: Params) -> PoolInput {
    PoolInput {
        name: l.name.clone(),
        product_id,
        tier: String::new(),
        license_type: Some(LicenseType::PerUser),
        seats_purchased: Some(f.seats),
        allow_overage: false,
        unit_cost: Some(f.cost.as_ref().map_or_else(|| Money::new(0, "USD"), |c| c.unit.clone())),
        billing_period: Some(f.cost.as_ref().map_or(seatwise_types::BillingPeriod::Annual, |c| c.period)),
        cost_centre_id: target.cost_centre_id,
        department_id: target.department_id,
        owner_id: None,
        contract_start: f.start,
        contract_end: f.end.filter(|e| f.start.is_none_or(|s| *e >= s)),
        auto_renew: false,
        notice_days: None,
        po_number: f.po_number.clone(),
        notes: f.notes.clone(),
    }
}

/// The pool as it is, with what the file sets on it.
fn updated_pool(p: &Pool, f: &FromFile) -> PoolInput {
    let mut input = PoolInput {
        name: p.name.clone(),
        product_id: p.product.id,
        tier: p.tier.clone(),
        license_type: Some(p.license_type),
        seats_purchased: p.seats_purchased,
        allow_overage: p.allow_overage,
        unit_cost: Some(p.unit_cost.clone()),
        billing_period: Some(p.billing_period),
        cost_centre_id: p.cost_centre.id,
        department_id: p.department.id,
        owner_id: p.owner.as_ref().map(|o| o.id),
        contract_start: f.start.or(p.contract_start),
        contract_end: f.end.or(p.contract_end),
        auto_renew: p.auto_renew,
        notice_days: p.notice_days,
        po_number: f.po_number.clone().or_else(|| p.po_number.clone()),
        notes: f.notes.clone().or_else(|| p.notes.clone()),
    };
    if p.license_type.has_seat_count() {
        input.seats_purchased = Some(f.seats);
    }
    if let Some(c) = &f.cost {
        input.unit_cost = Some(c.unit.clone());
        input.billing_period = Some(c.period);
    }
    input
}

fn cost_text(m: &Money, period: seatwise_types::BillingPeriod) -> String {
    let per = match period {
        seatwise_types::BillingPeriod::Monthly => "per seat per month",
        seatwise_types::BillingPeriod::Annual => "per seat per year",
        seatwise_types::BillingPeriod::OneTime => "once",
    };
    format!("{} {per}", format_money_plain(m))
}

/// What an update changes, as people read it.
fn diff(before: &Pool, after: &rules::PoolValues) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let mut field = |name: &str, b: Option<String>, a: Option<String>| {
        if b != a {
            out.push(FieldChange { field: name.into(), before: b, after: a });
        }
    };
    field(
        "Seats purchased",
        before.seats_purchased.map(|n| n.to_string()),
        after.seats_purchased.map(|n| n.to_string()),
    );
    field(
        "Unit cost",
        Some(cost_text(&before.unit_cost, before.billing_period)),
        Some(cost_text(&Money::new(after.unit_cost_minor, after.currency.clone()), after.billing_period)),
    );
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
    field("Contract start", day(before.contract_start), day(after.contract_start));
    field("Contract end", day(before.contract_end), day(after.contract_end));
    field("PO number", before.po_number.clone(), after.po_number.clone());
    field("Notes", before.notes.clone(), after.notes.clone());
    out
}

async fn check_target(env: Env<'_>, department_id: Option<i64>, cost_centre_id: Option<i64>) -> AppResult<(i64, i64)> {
    let mut errors = Vec::new();
    let department = match department_id {
        None => {
            errors.push(FieldError::new("department_id", "Choose the department that will own the imported pools."));
            0
        }
        Some(d) if !catalog::exists(&env.db.read, CatalogTable::Departments, d).await? => {
            errors.push(FieldError::new("department_id", format!("There is no department with id {d}.")));
            0
        }
        Some(d) => d,
    };
    let cost_centre = match cost_centre_id {
        None => {
            errors.push(FieldError::new("cost_centre_id", "Choose the cost centre the imported pools are charged to."));
            0
        }
        Some(c) if !catalog::exists(&env.db.read, CatalogTable::CostCentres, c).await? => {
            errors.push(FieldError::new("cost_centre_id", format!("There is no cost centre with id {c}.")));
            0
        }
        Some(c) => c,
    };
    if errors.is_empty() {
        return Ok((department, cost_centre));
    }
    let message = errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" ");
    Err(AppError::Validation { message, fields: errors })
}

/// A pool the file's values do not fit (say, an annual cost past the limit): a warning on the license's row.
fn not_fitting(l: &License, what: &str, fields: Vec<FieldError>) -> Vec<FieldError> {
    fields
        .into_iter()
        .map(|f| FieldError {
            path: f.path.clone(),
            message: format!("{} {what}: {} {}", l.name, f.path, f.message),
            row: Some(l.first.row),
            line: Some(l.first.line),
        })
        .collect()
}

/// Apply the file inside the caller's transaction (rolled back for a preview): what it did, and what it created
/// or changed for the import's history.
async fn run(
    conn: &mut Conn,
    now: DateTime<Utc>,
    who: &str,
    parsed: &Parsed,
    target: Params,
) -> AppResult<(ImportSummary, Vec<Record>)> {
    let mut s = ImportSummary { kind: KIND.into(), rows: parsed.rows as i64, ..Default::default() };
    let mut records = Vec::new();
    // Licenses are few: each is matched or created (vendor, product, pool) on its own.
    let mut pool_ids = BTreeMap::new();
    for l in &parsed.licenses {
        let f = from_file(l, target.cost_per);
        if let Some(c) = &f.cost {
            s.cost_reading.push(c.sentence.clone());
        }
        let (vendor_id, product_id) = vendor_and_product(conn, l, now, who).await?;
        match store::pool_id(conn, vendor_id, &l.name).await? {
            None => {
                let values = match rules::validate(&new_pool(l, &f, product_id, target), vendor_id) {
                    Ok(v) => v,
                    Err(fields) => {
                        s.warnings.extend(not_fitting(l, "is not created, and no seats are recorded for it", fields));
                        continue;
                    }
                };
                let p = pools::insert(conn, &values, now).await?;
                let pool = pools::get(&mut *conn, p).await?.ok_or(AppError::NotFound("pool"))?;
                ledger::record(conn, now, who, Change::created("pool.create", "pool", Some(p), &pool)).await?;
                s.pools_created += 1;
                records.push(Record::created("pool", p));
                pool_ids.insert(l.key(), p);
            }
            Some(p) => {
                // Lock first, then read "before", as any pool edit does.
                let version = versions::lock(conn, Versioned::Pools, Key::Id(p), None, "pool").await?;
                let before = pools::get(&mut *conn, p).await?.ok_or(AppError::NotFound("pool"))?;
                pool_ids.insert(l.key(), p);
                let values = match rules::validate(&updated_pool(&before, &f), before.vendor.id) {
                    Ok(v) => v,
                    Err(fields) => {
                        s.warnings.extend(not_fitting(l, "is not updated", fields));
                        continue;
                    }
                };
                let changes = diff(&before, &values);
                if changes.is_empty() {
                    continue;
                }
                pools::update(conn, p, &values, now).await?;
                versions::bump(conn, Versioned::Pools, Key::Id(p), version).await?;
                let after = pools::get(&mut *conn, p).await?.ok_or(AppError::NotFound("pool"))?;
                ledger::record(conn, now, who, Change::changed("pool.update", "pool", Some(p), &before, &after))
                    .await?;
                s.pools_updated += 1;
                s.pool_changes.push(PoolChange { pool_id: p, pool: before.name.clone(), changes });
                records.push(Record::updated("pool", p));
            }
        }
    }
    s.warnings.sort_by_key(|w| (w.row, w.line));
    // Seat holders are many: matched by email, the new ones created together, then the seats.
    let mut people: HashMap<String, i64> =
        store::all_people(conn).await?.into_iter().map(|p| (p.email, p.id)).collect();
    let new_people = new_holders(parsed, &pool_ids, &people);
    let new_ids = store::insert_people(conn, &new_people, now).await?;
    let mut created = Vec::with_capacity(new_people.len());
    for (p, id) in new_people.into_iter().zip(new_ids) {
        created.push(Pending::of(Change::created("person.create", "person", Some(id), &p.email))?);
        records.push(Record::created("person", id));
        people.insert(p.email, id);
    }
    s.creates = created.len() as i64;
    ledger::record_many(conn, now, who, created).await?;
    let pools: Vec<i64> = pool_ids.values().copied().collect();
    let mut held = store::seat_holders(conn, &pools).await?;
    let mut seats = Vec::new();
    for l in &parsed.licenses {
        let Some(pool_id) = pool_ids.get(&l.key()).copied() else { continue };
        for (_, email, _) in &l.holders {
            let Some(person_id) = people.get(email).copied() else { continue };
            // Imported seats reflect what was already handed out; over-assignment shows as a finding on the pool.
            if held.insert((pool_id, person_id)) {
                seats.push((pool_id, person_id));
            } else {
                s.unchanged += 1;
            }
        }
    }
    s.seats_created = directory::assign_seats(conn, now, who, &seats).await?;
    Ok((s, records))
}

/// A license's vendor and product, each found by name or created (and ledgered).
async fn vendor_and_product(conn: &mut Conn, l: &License, now: DateTime<Utc>, who: &str) -> AppResult<(i64, i64)> {
    let vendor_id = match store::vendor_id(conn, &l.vendor).await? {
        Some(v) => v,
        None => {
            let v = catalog::insert_vendor(conn, &l.vendor, None).await?;
            ledger::record(conn, now, who, Change::created("vendor.create", "vendor", Some(v), &l.vendor)).await?;
            v
        }
    };
    let product_id = match store::product_id(conn, vendor_id, &l.name).await? {
        Some(p) => p,
        None => {
            let p = catalog::insert_product(conn, vendor_id, &l.name).await?;
            ledger::record(conn, now, who, Change::created("product.create", "product", Some(p), &l.name)).await?;
            p
        }
    };
    Ok((vendor_id, product_id))
}

/// The seat holders of the imported pools nobody in the directory has the address of, once each, to create.
fn new_holders(
    parsed: &Parsed,
    pool_ids: &BTreeMap<(String, String), i64>,
    people: &HashMap<String, i64>,
) -> Vec<PersonRecord> {
    let mut new_people: Vec<PersonRecord> = Vec::new();
    let mut pending = HashSet::new();
    for l in parsed.licenses.iter().filter(|l| pool_ids.contains_key(&l.key())) {
        for (_, email, name) in &l.holders {
            if people.contains_key(email) || !pending.insert(email.clone()) {
                continue;
            }
            let name = name.clone().unwrap_or_else(|| email.split('@').next().unwrap_or(email).to_string());
            new_people.push(PersonRecord {
                id: 0,
                employee_id: None,
                username: None,
                email: email.clone(),
                name,
                department_id: None,
                cost_centre_id: None,
                manager_id: None,
                employment_type: EmploymentType::Employee,
                status: PersonStatus::Active,
                start_date: None,
                end_date: None,
                missing_from_hr: false,
                vip: false,
            });
        }
    }
    new_people
}

fn finish_summary(s: &mut ImportSummary, parsed: &Parsed) {
    let mut warnings = parsed.warnings.clone();
    warnings.append(&mut s.warnings);
    warnings.sort_by_key(|w| (w.row, w.line));
    s.warnings = warnings;
    s.columns = parsed.columns.clone();
    s.row_errors = parsed.row_errors.clone();
}

pub struct Upload {
    pub department_id: Option<i64>,
    pub cost_centre_id: Option<i64>,
    pub cost_per: Option<CostBasis>,
}

pub async fn preview(
    env: Env<'_>,
    actor: &Actor,
    filename: &str,
    text: &str,
    upload: Upload,
) -> AppResult<ImportSummary> {
    access::may_import(&actor.user)?;
    let (department_id, cost_centre_id) = check_target(env, upload.department_id, upload.cost_centre_id).await?;
    let target = Params { department_id, cost_centre_id, cost_per: upload.cost_per.unwrap_or_default() };
    let parsed = snipeit::parse(text).map_err(AppError::validation)?;
    let valid = staging::valid_rows(parsed.rows as i64, &parsed.row_errors)?;
    // A dry run: the same code as apply, in a transaction that is never committed.
    let mut tx = env.db.begin().await?;
    let (mut s, _) = run(&mut tx, env.clock.now(), actor.ledger_name(), &parsed, target).await?;
    tx.rollback().await?;
    finish_summary(&mut s, &parsed);
    s.valid_rows = valid;
    staging::save_preview(env, actor, KIND, filename, text, target, &mut s).await?;
    Ok(s)
}

pub async fn apply(
    env: Env<'_>,
    actor: &Actor,
    stored: StoredImport,
    attempt: &Attempt,
    skip_invalid: bool,
) -> AppResult<ImportSummary> {
    let target = staging::load::<Params>(&stored)?.params;
    let parsed = snipeit::parse(&stored.content).map_err(AppError::validation)?;
    let skipped = staging::may_apply(&parsed.row_errors, skip_invalid)?;
    env.progress.set(Job::Import(stored.id), "applying", 0, parsed.rows as u64).await;
    let mut tx = staging::begin_apply(env, &stored).await?;
    let (mut s, records) = run(&mut tx, env.clock.now(), actor.ledger_name(), &parsed, target).await?;
    finish_summary(&mut s, &parsed);
    s.valid_rows = parsed.rows as i64 - skipped;
    s.skipped_rows = skipped;
    staging::record(&mut tx, stored.id, &records).await?;
    staging::commit_apply(tx, env, actor, &stored, attempt, target, s).await
}
