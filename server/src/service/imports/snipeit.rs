//! Moving over from Snipe-IT: its license export becomes vendors, products, pools, people and seats.
//! Pools are matched by vendor and name, people by email, so importing the same file again changes nothing.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use seatwise_types::{BillingPeriod, EmploymentType, ImportSummary, LicenseType, Money, PersonStatus, PoolInput};

use super::directory;
use super::staging::{self, Env};
use crate::auth::Actor;
use crate::db::catalog::{self, CatalogTable};
use crate::db::imports::{self as store, StoredImport};
use crate::db::{pools, Conn};
use crate::domain::access;
use crate::domain::hr::PersonRecord;
use crate::domain::pool as rules;
use crate::domain::snipeit::{self, SnipeRow};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change, Pending};

pub const KIND: &str = "snipeit";

/// Where imported pools go: Snipe-IT has no departments or cost centres.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub department_id: i64,
    pub cost_centre_id: i64,
}

fn licenses(rows: &[SnipeRow]) -> BTreeMap<(String, String), &SnipeRow> {
    let mut out = BTreeMap::new();
    for r in rows {
        out.entry((r.manufacturer.to_lowercase(), r.item.to_lowercase())).or_insert(r);
    }
    out
}

fn pool_input(r: &SnipeRow, product_id: i64, target: Params) -> PoolInput {
    PoolInput {
        name: r.item.clone(),
        product_id,
        tier: String::new(),
        license_type: Some(LicenseType::PerUser),
        seats_purchased: Some(r.seats),
        allow_overage: false,
        // Snipe-IT records a purchase cost per license seat; treated as an annual unit price.
        unit_cost: Some(Money::new(r.cost_minor, r.currency.clone())),
        billing_period: Some(BillingPeriod::Annual),
        cost_centre_id: target.cost_centre_id,
        department_id: target.department_id,
        owner_id: None,
        contract_start: r.purchase_date,
        contract_end: r.expiration.filter(|e| r.purchase_date.is_none_or(|s| *e >= s)),
        auto_renew: false,
        notice_days: None,
        po_number: r.order.clone(),
        notes: [r.serial.as_ref().map(|s| format!("Serial / key: {s}")), r.notes.clone()]
            .into_iter()
            .flatten()
            .reduce(|a, b| format!("{a}\n{b}")),
    }
}

async fn check_target(env: Env<'_>, target: Params) -> AppResult<()> {
    let mut errors = Vec::new();
    if !catalog::exists(&env.db.read, CatalogTable::Departments, target.department_id).await? {
        errors.push(seatwise_types::FieldError::new("department_id", "must name an existing department"));
    }
    if !catalog::exists(&env.db.read, CatalogTable::CostCentres, target.cost_centre_id).await? {
        errors.push(seatwise_types::FieldError::new("cost_centre_id", "must name an existing cost centre"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(errors))
    }
}

/// Apply the file inside the caller's transaction (rolled back for a preview): what it did.
async fn run(
    conn: &mut Conn,
    now: DateTime<Utc>,
    who: &str,
    rows: &[SnipeRow],
    target: Params,
) -> AppResult<ImportSummary> {
    let mut s = ImportSummary { kind: KIND.into(), rows: rows.len() as i64, ..Default::default() };
    // Licenses are few: each is matched or created (vendor, product, pool) on its own.
    let mut pool_ids = BTreeMap::new();
    for ((vendor_key, item_key), r) in licenses(rows) {
        let vendor_id = match store::vendor_id(conn, &r.manufacturer).await? {
            Some(v) => v,
            None => {
                let v = catalog::insert_vendor(conn, &r.manufacturer, None).await?;
                ledger::record(conn, now, who, Change::created("vendor.create", "vendor", Some(v), &r.manufacturer))
                    .await?;
                v
            }
        };
        let product_id = match store::product_id(conn, vendor_id, &r.item).await? {
            Some(p) => p,
            None => {
                let p = catalog::insert_product(conn, vendor_id, &r.item).await?;
                ledger::record(conn, now, who, Change::created("product.create", "product", Some(p), &r.item)).await?;
                p
            }
        };
        let pool_id = match store::pool_id(conn, vendor_id, &r.item).await? {
            Some(p) => p,
            None => {
                let values = rules::validate(&pool_input(r, product_id, target), vendor_id).map_err(|fields| {
                    AppError::validation(
                        fields
                            .into_iter()
                            .map(|f| seatwise_types::FieldError { row: Some(r.row), line: Some(r.line), ..f })
                            .collect(),
                    )
                })?;
                let p = pools::insert(conn, &values, now).await?;
                let pool = pools::get(&mut *conn, p).await?.ok_or(AppError::NotFound("pool"))?;
                ledger::record(conn, now, who, Change::created("pool.create", "pool", Some(p), &pool)).await?;
                s.pools_created += 1;
                p
            }
        };
        pool_ids.insert((vendor_key, item_key), pool_id);
    }
    // Seat holders are many: matched by email, the new ones created together, then the seats.
    let mut people: HashMap<String, i64> =
        store::all_people(conn).await?.into_iter().map(|p| (p.email, p.id)).collect();
    let mut new_people: Vec<PersonRecord> = Vec::new();
    let mut pending = HashSet::new();
    for r in rows {
        let Some(email) = r.holder_email.as_ref().map(|e| e.to_lowercase()) else { continue };
        if people.contains_key(&email) || !pending.insert(email.clone()) {
            continue;
        }
        let name = r.holder_name.clone().unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_string());
        new_people.push(PersonRecord {
            id: 0,
            employee_id: None,
            email,
            name,
            department_id: None,
            cost_centre_id: None,
            manager_id: None,
            employment_type: EmploymentType::Employee,
            status: PersonStatus::Active,
            start_date: None,
            end_date: None,
            missing_from_hr: false,
        });
    }
    let new_ids = store::insert_people(conn, &new_people, now).await?;
    let mut created = Vec::with_capacity(new_people.len());
    for (p, id) in new_people.into_iter().zip(new_ids) {
        created.push(Pending::of(Change::created("person.create", "person", Some(id), &p.email))?);
        people.insert(p.email, id);
    }
    s.creates = created.len() as i64;
    ledger::record_many(conn, now, who, created).await?;
    let pools: Vec<i64> = pool_ids.values().copied().collect();
    let mut held = store::seat_holders(conn, &pools).await?;
    let mut seats = Vec::new();
    for r in rows {
        let Some(email) = r.holder_email.as_ref().map(|e| e.to_lowercase()) else { continue };
        let pool_id = pool_ids[&(r.manufacturer.to_lowercase(), r.item.to_lowercase())];
        let person_id = people[&email];
        // Imported seats reflect what was already handed out; over-assignment shows as a finding on the pool.
        if held.insert((pool_id, person_id)) {
            seats.push((pool_id, person_id));
        } else {
            s.unchanged += 1;
        }
    }
    s.seats_created = directory::assign_seats(conn, now, who, &seats).await?;
    Ok(s)
}

pub async fn preview(
    env: Env<'_>,
    actor: &Actor,
    filename: &str,
    text: &str,
    target: Params,
) -> AppResult<ImportSummary> {
    access::may_import(&actor.user)?;
    check_target(env, target).await?;
    let rows = snipeit::parse(text).map_err(AppError::validation)?;
    // A dry run: the same code as apply, in a transaction that is never committed.
    let mut tx = env.db.begin().await?;
    let mut s = run(&mut tx, env.clock.now(), actor.ledger_name(), &rows, target).await?;
    tx.rollback().await?;
    staging::save_preview(env, actor, KIND, filename, text, target, &mut s).await?;
    Ok(s)
}

pub async fn apply(env: Env<'_>, actor: &Actor, stored: StoredImport) -> AppResult<ImportSummary> {
    let target = staging::load::<Params>(&stored)?.params;
    let rows = snipeit::parse(&stored.content).map_err(AppError::validation)?;
    env.progress.set(stored.id, "applying", 0, rows.len() as u64).await;
    let mut tx = env.db.begin().await?;
    let s = run(&mut tx, env.clock.now(), actor.ledger_name(), &rows, target).await?;
    staging::commit_apply(tx, env, actor, &stored, target, s).await
}
