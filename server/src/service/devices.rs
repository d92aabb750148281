//! Devices: every role reads them; admins and license owners register them.

use seatwise_types::{Device, DeviceInput, FieldError};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::catalog::{self, CatalogTable};
use crate::db::devices as store;
use crate::db::Db;
use crate::domain::{access, limits};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};

pub async fn list(db: &Db, actor: &Actor) -> AppResult<Vec<Device>> {
    access::may_read_directory(&actor.user)?;
    Ok(store::list(&db.read).await?)
}

pub async fn create(db: &Db, clock: &dyn Clock, actor: &Actor, input: &DeviceInput) -> AppResult<Device> {
    access::may_register_devices(&actor.user)?;
    let tag = input.asset_tag.trim().to_string();
    let name = input.name.trim().to_string();
    let mut errors = Vec::new();
    if tag.is_empty() || tag.chars().count() > 100 {
        errors.push(FieldError::new("asset_tag", "must be 1 to 100 characters"));
    } else if store::tag_taken(&db.read, &tag).await? {
        errors.push(FieldError::new("asset_tag", "is already registered"));
    }
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new("name", "must be 1 to 200 characters"));
    }
    limits::check_line(&mut errors, "asset_tag", Some(&tag));
    limits::check_line(&mut errors, "name", Some(&name));
    if let Some(p) = input.person_id {
        if !catalog::exists(&db.read, CatalogTable::People, p).await? {
            errors.push(FieldError::new("person_id", "must name an existing person"));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    let id = store::insert(&mut tx, &tag, &name, input.person_id).await?;
    let record = serde_json::json!({"id": id, "asset_tag": tag, "name": name, "person_id": input.person_id});
    ledger::record_and_commit(
        tx,
        now,
        actor.ledger_name(),
        Change::created("device.create", "device", Some(id), &record),
    )
    .await?;
    store::list(&db.read).await?.into_iter().find(|d| d.id == id).ok_or(AppError::NotFound("device"))
}
