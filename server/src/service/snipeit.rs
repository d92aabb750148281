//! Moving over from Snipe-IT: its license export becomes vendors, products, pools, people and seats.
//! Pools are matched by vendor and name, people by email, so importing the same file again changes nothing.

use std::collections::BTreeMap;

use seatwise_types::{BillingPeriod, ImportSummary, LicenseType, Money, PersonStatus, PoolInput};

use crate::auth::Actor;
use crate::db::catalog::{self, CatalogTable, NewPerson};
use crate::db::imports::{self as store, KeyedTable, StoredImport};
use crate::db::{pools, Conn};
use crate::domain::pool as rules;
use crate::domain::snipeit::{self, SnipeRow};
use crate::error::{AppError, AppResult};
use crate::service::imports::{commit_apply, require_admin, save_preview};
use crate::service::ledger::{self, Change};
use crate::state::AppState;

/// Where imported pools go: Snipe-IT has no departments or cost centres.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct Target {
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

fn pool_input(r: &SnipeRow, product_id: i64, target: Target) -> PoolInput {
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

async fn check_target(state: &AppState, target: Target) -> AppResult<()> {
    let mut errors = Vec::new();
    if !catalog::exists(&state.db.read, CatalogTable::Departments, target.department_id).await? {
        errors.push(seatwise_types::FieldError::new("department_id", "must name an existing department"));
    }
    if !catalog::exists(&state.db.read, CatalogTable::CostCentres, target.cost_centre_id).await? {
        errors.push(seatwise_types::FieldError::new("cost_centre_id", "must name an existing cost centre"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(errors))
    }
}

/// What applying would do, counted inside a transaction that is rolled back.
async fn run(
    conn: &mut Conn,
    state: &AppState,
    who: &str,
    rows: &[SnipeRow],
    target: Target,
    id: i64,
) -> AppResult<ImportSummary> {
    let now = state.clock.now();
    let mut s = ImportSummary { id, kind: "snipeit".into(), rows: rows.len() as i64, ..Default::default() };
    let mut pool_ids = BTreeMap::new();
    for ((vendor_key, item_key), r) in licenses(rows) {
        let vendor_id = match store::id_by(conn, KeyedTable::Vendor, &r.manufacturer).await? {
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
    for r in rows {
        let Some(email) = &r.holder_email else { continue };
        let pool_id = pool_ids[&(r.manufacturer.to_lowercase(), r.item.to_lowercase())];
        let person_id = match store::id_by(conn, KeyedTable::PersonEmail, email).await? {
            Some(p) => p,
            None => {
                let name =
                    r.holder_name.clone().unwrap_or_else(|| email.split('@').next().unwrap_or(email).to_string());
                let new = NewPerson {
                    name: &name,
                    email,
                    department_id: None,
                    cost_centre_id: None,
                    status: PersonStatus::Active,
                };
                let p = catalog::insert_person(conn, &new, now).await?;
                ledger::record(conn, now, who, Change::created("person.create", "person", Some(p), email)).await?;
                s.creates += 1;
                p
            }
        };
        if pools::holds_seat(conn, pool_id, person_id).await? {
            s.unchanged += 1;
            continue;
        }
        // Imported seats reflect what was already handed out; over-assignment shows as a finding on the pool.
        let seat = pools::insert_assignment(conn, pool_id, Some(person_id), None, who, now).await?;
        let assignment = pools::assignment(&mut *conn, pool_id, seat).await?.ok_or(AppError::NotFound("assignment"))?;
        ledger::record(conn, now, who, Change::created("pool.seat_assign", "pool", Some(pool_id), &assignment)).await?;
        s.seats_created += 1;
    }
    Ok(s)
}

pub async fn preview(
    state: &AppState,
    actor: &Actor,
    filename: &str,
    text: &str,
    target: Target,
) -> AppResult<ImportSummary> {
    require_admin(actor)?;
    check_target(state, target).await?;
    let rows = snipeit::parse(text).map_err(AppError::validation)?;
    // A dry run: the same code as apply, in a transaction that is never committed.
    let mut tx = state.db.begin().await?;
    let mut s = run(&mut tx, state, actor.ledger_name(), &rows, target, 0).await?;
    tx.rollback().await?;
    save_preview(state, actor, "snipeit", filename, text, &target, &mut s).await?;
    Ok(s)
}

pub async fn apply(state: &AppState, actor: &Actor, stored: StoredImport) -> AppResult<ImportSummary> {
    let (target, _): (Target, ImportSummary) =
        serde_json::from_str(&stored.summary_json).map_err(|e| AppError::Internal(e.to_string()))?;
    let rows = snipeit::parse(&stored.content).map_err(AppError::validation)?;
    let mut tx = state.db.begin().await?;
    let s = run(&mut tx, state, actor.ledger_name(), &rows, target, stored.id).await?;
    commit_apply(tx, state, actor, &stored, &target, s).await
}
