//! SCIM 2.0 provisioning: identity providers create, update, deactivate and delete people. Deactivation and delete
//! terminate the person (their seats are marked for reclamation); people are never deleted.

use seatwise_types::PersonStatus;
use serde_json::{json, Value};

use crate::auth::ScimClient;
use crate::db::catalog::{self, NewPerson};
use crate::db::scim::{self as store, ScimPerson};
use crate::domain::scim::{self as rules, UserChanges, LIST_SCHEMA, USER_SCHEMA};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};
use crate::service::people;
use crate::state::AppState;

pub fn user_json(p: &ScimPerson) -> Value {
    json!({
        "schemas": [USER_SCHEMA],
        "id": p.id.to_string(),
        "externalId": p.external_id,
        "userName": p.email,
        "displayName": p.name,
        "name": {"formatted": p.name},
        "emails": [{"value": p.email, "type": "work", "primary": true}],
        "active": p.status != PersonStatus::Terminated,
        "meta": {
            "resourceType": "User",
            "created": p.created_at.to_rfc3339(),
            "lastModified": p.updated_at.unwrap_or(p.created_at).to_rfc3339(),
            "location": format!("/scim/v2/Users/{}", p.id),
        }
    })
}

fn parse_id(id: &str) -> AppResult<i64> {
    id.parse().map_err(|_| AppError::NotFound("user"))
}

pub async fn list(
    state: &AppState,
    filter: Option<&str>,
    start_index: Option<i64>,
    count: Option<i64>,
) -> AppResult<Value> {
    let filter = filter.map(rules::parse_filter).transpose().map_err(AppError::BadRequest)?;
    let start = start_index.unwrap_or(1).max(1);
    let count = count.unwrap_or(100).clamp(0, 500);
    let (total, people) =
        store::list(&state.db.read, filter.as_ref().map(|(a, v)| (a.as_str(), v.as_str())), start, count).await?;
    Ok(json!({
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": people.len(),
        "Resources": people.iter().map(user_json).collect::<Vec<_>>(),
    }))
}

pub async fn get(state: &AppState, id: &str) -> AppResult<Value> {
    let p = store::get(&state.db.read, parse_id(id)?).await?.ok_or(AppError::NotFound("user"))?;
    Ok(user_json(&p))
}

/// Write identity fields and the active flag in one transaction; `active: false` terminates.
async fn apply(state: &AppState, client: &ScimClient, id: i64, changes: &UserChanges) -> AppResult<Value> {
    let now = state.clock.now();
    let who = client.ledger_name();
    let mut tx = state.db.begin().await?;
    let before = store::get(&mut *tx, id).await?.ok_or(AppError::NotFound("user"))?;
    let email = changes.user_name.clone().unwrap_or_else(|| before.email.clone());
    if email.to_lowercase() != before.email && store::by_email(&mut tx, &email).await?.is_some_and(|other| other != id)
    {
        return Err(AppError::Conflict(format!("userName {email} is already taken")));
    }
    let name = changes.name().unwrap_or_else(|| before.name.clone());
    let external_id = changes.external_id.clone().or_else(|| before.external_id.clone());
    store::update_identity(&mut tx, id, &email, &name, external_id.as_deref(), now).await?;
    let updated = store::get(&mut *tx, id).await?.ok_or(AppError::NotFound("user"))?;
    if updated.email != before.email || updated.name != before.name || updated.external_id != before.external_id {
        let (b, a) = (user_json(&before), user_json(&updated));
        ledger::record(&mut tx, now, &who, Change::changed("person.update", "person", Some(id), &b, &a)).await?;
    }
    let target = match (changes.active, before.status) {
        (Some(false), s) if s != PersonStatus::Terminated => Some(PersonStatus::Terminated),
        (Some(true), PersonStatus::Terminated) => Some(PersonStatus::Active),
        _ => None,
    };
    if let Some(status) = target {
        people::apply_status(&mut tx, &who, id, status, now, now).await?;
    }
    let after = store::get(&mut *tx, id).await?.ok_or(AppError::NotFound("user"))?;
    tx.commit().await?;
    Ok(user_json(&after))
}

pub async fn create(state: &AppState, client: &ScimClient, doc: &Value) -> AppResult<Value> {
    let changes = rules::from_document(doc).map_err(AppError::BadRequest)?;
    let email = changes.user_name.clone().ok_or_else(|| AppError::BadRequest("userName is required".into()))?;
    if !email.contains('@') {
        return Err(AppError::BadRequest("userName must be an email address (the user principal name)".into()));
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    if store::by_email(&mut tx, &email).await?.is_some() {
        return Err(AppError::Conflict(format!("userName {email} already exists")));
    }
    let name = changes.name().unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_string());
    let new = NewPerson {
        name: &name,
        email: &email,
        department_id: None,
        cost_centre_id: None,
        status: PersonStatus::Active,
    };
    let id = catalog::insert_person(&mut tx, &new, now).await?;
    store::update_identity(&mut tx, id, &email, &name, changes.external_id.as_deref(), now).await?;
    let created = store::get(&mut *tx, id).await?.ok_or(AppError::NotFound("user"))?;
    ledger::record(
        &mut tx,
        now,
        &client.ledger_name(),
        Change::created("person.create", "person", Some(id), &user_json(&created)),
    )
    .await?;
    tx.commit().await?;
    if changes.active == Some(false) {
        return apply(state, client, id, &UserChanges { active: Some(false), ..Default::default() }).await;
    }
    Ok(user_json(&created))
}

pub async fn replace(state: &AppState, client: &ScimClient, id: &str, doc: &Value) -> AppResult<Value> {
    let changes = rules::from_document(doc).map_err(AppError::BadRequest)?;
    apply(state, client, parse_id(id)?, &changes).await
}

pub async fn patch(state: &AppState, client: &ScimClient, id: &str, doc: &Value) -> AppResult<Value> {
    let changes = rules::from_patch(doc).map_err(AppError::BadRequest)?;
    apply(state, client, parse_id(id)?, &changes).await
}

/// DELETE deprovisions: the person is terminated and kept, so history and seat reclamation survive.
pub async fn delete(state: &AppState, client: &ScimClient, id: &str) -> AppResult<()> {
    apply(state, client, parse_id(id)?, &UserChanges { active: Some(false), ..Default::default() }).await?;
    Ok(())
}
