//! Reference data: vendors, products, departments, cost centres, and the people directory.

use seatwise_types::{CostCentre, Department, Product, ProductInput, Vendor, VendorInput};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::catalog as store;
use crate::db::Db;
use crate::domain::{access, limits};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};

pub async fn vendors(db: &Db, actor: &Actor) -> AppResult<Vec<Vendor>> {
    access::may_read_directory(&actor.user)?;
    Ok(store::vendors(&db.read).await?)
}

pub async fn vendor(db: &Db, actor: &Actor, id: i64) -> AppResult<Vendor> {
    access::may_read_directory(&actor.user)?;
    store::vendor(&db.read, id).await?.ok_or(AppError::NotFound("vendor"))
}

fn clean_name(path: &str, name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::field(path, "must be 1 to 200 characters"));
    }
    if let Some(m) = limits::line_problem(name) {
        return Err(AppError::field(path, m));
    }
    Ok(name.to_string())
}

pub async fn create_vendor(db: &Db, clock: &dyn Clock, actor: &Actor, input: &VendorInput) -> AppResult<Vendor> {
    access::may_edit_catalog(&actor.user)?;
    let name = clean_name("name", &input.name)?;
    let website = input.website.as_deref().map(str::trim).filter(|w| !w.is_empty());
    if let Some(w) = website {
        if !(w.starts_with("https://") || w.starts_with("http://"))
            || url::Url::parse(w).is_err()
            || limits::line_problem(w).is_some()
        {
            return Err(AppError::field("website", "must be an http(s) URL"));
        }
    }
    if store::vendor_name_taken(&db.read, &name, None).await? {
        return Err(AppError::field("name", "a vendor with this name exists"));
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    let id = store::insert_vendor(&mut tx, &name, website).await?;
    let vendor = Vendor { id, name, website: website.map(str::to_string), pool_count: 0 };
    ledger::record_and_commit(
        tx,
        now,
        actor.ledger_name(),
        Change::created("vendor.create", "vendor", Some(id), &vendor),
    )
    .await?;
    Ok(vendor)
}

pub async fn products(db: &Db, actor: &Actor) -> AppResult<Vec<Product>> {
    access::may_read_directory(&actor.user)?;
    Ok(store::products(&db.read).await?)
}

pub async fn create_product(db: &Db, clock: &dyn Clock, actor: &Actor, input: &ProductInput) -> AppResult<Product> {
    access::may_edit_catalog(&actor.user)?;
    let name = clean_name("name", &input.name)?;
    let vendor = store::vendor(&db.read, input.vendor_id)
        .await?
        .ok_or_else(|| AppError::field("vendor_id", "must name an existing vendor"))?;
    if store::product_name_taken(&db.read, vendor.id, &name).await? {
        return Err(AppError::field("name", "this vendor already has a product with this name"));
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    let id = store::insert_product(&mut tx, vendor.id, &name).await?;
    let product = Product { id, name, vendor: seatwise_types::Ref { id: vendor.id, name: vendor.name } };
    ledger::record_and_commit(
        tx,
        now,
        actor.ledger_name(),
        Change::created("product.create", "product", Some(id), &product),
    )
    .await?;
    Ok(product)
}

pub async fn departments(db: &Db, actor: &Actor) -> AppResult<Vec<Department>> {
    access::may_read_directory(&actor.user)?;
    Ok(store::departments(&db.read).await?)
}

pub async fn cost_centres(db: &Db, actor: &Actor) -> AppResult<Vec<CostCentre>> {
    access::may_read_directory(&actor.user)?;
    Ok(store::cost_centres(&db.read).await?)
}
