//! SCIM 2.0 provisioning: identity providers create, update, deactivate and delete people. Deactivation and delete
//! terminate the person (their seats are marked for reclamation); Seatwise keeps the person, and a deleted user
//! simply no longer exists for SCIM.

use seatwise_types::PersonStatus;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::ScimClient;
use crate::clock::Clock;
use crate::db::catalog::{self, NewPerson};
use crate::db::scim::{self as store, ScimPerson};
use crate::db::Conn;
use crate::db::Db;
use crate::domain::people as person_rules;
use crate::domain::scim::{self as rules, ScimFault, UserChanges, LIST_SCHEMA, USER_SCHEMA};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};
use crate::service::people;

/// The user as SCIM shows it: the provider's own document, with Seatwise's authoritative id, userName, active and
/// meta on top.
pub fn user_json(p: &ScimPerson) -> Value {
    let stored: Option<Value> = p.document.clone();
    let has_document = stored.is_some();
    let mut doc = stored.unwrap_or_else(|| {
        json!({
            "displayName": p.name,
            "name": {"formatted": p.name},
            "emails": if person_rules::is_placeholder_email(&p.email) { json!([]) } else { json!([{"value": p.email, "type": "work", "primary": true}]) },
        })
    });
    if let Some(obj) = doc.as_object_mut() {
        obj.remove("password");
        obj.insert("schemas".into(), json!([USER_SCHEMA]));
        obj.insert("id".into(), json!(p.id.to_string()));
        obj.insert("userName".into(), json!(person_rules::scim_user_name(&p.email, p.username.as_deref())));
        if let Some(e) = &p.external_id {
            obj.insert("externalId".into(), json!(e));
        }
        // `active` is reported when the provider manages it (or for people it did not create).
        if !has_document || obj.keys().any(|k| k.eq_ignore_ascii_case("active")) {
            obj.retain(|k, _| !k.eq_ignore_ascii_case("active"));
            obj.insert("active".into(), json!(p.status != PersonStatus::Terminated));
        }
        obj.insert(
            "meta".into(),
            json!({
                "resourceType": "User",
                "created": p.created_at.to_rfc3339(),
                "lastModified": p.updated_at.unwrap_or(p.created_at).to_rfc3339(),
                "location": format!("/scim/v2/Users/{}", p.id),
            }),
        );
    }
    doc
}

impl From<ScimFault> for AppError {
    fn from(f: ScimFault) -> Self {
        AppError::Scim { scim_type: f.scim_type(), detail: f.to_string() }
    }
}

fn parse_id(id: &str) -> AppResult<i64> {
    id.parse().map_err(|_| AppError::NotFound("user"))
}

/// Query parameters (or a `.search` body) of a user list.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    pub filter: Option<String>,
    pub start_index: Option<i64>,
    pub count: Option<i64>,
    #[serde(default, deserialize_with = "names")]
    pub attributes: Option<String>,
    #[serde(default, deserialize_with = "names")]
    pub excluded_attributes: Option<String>,
}

/// Attribute names arrive comma-separated in a query string and as an array in a `.search` body.
fn names<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Names {
        One(String),
        Many(Vec<String>),
    }
    Ok(Option::<Names>::deserialize(d)?.map(|n| match n {
        Names::One(s) => s,
        Names::Many(v) => v.join(","),
    }))
}

pub async fn list(db: &Db, q: &ListQuery) -> AppResult<Value> {
    let filter = q.filter.as_deref().map(rules::parse_filter).transpose()?;
    let start = q.start_index.unwrap_or(1).max(1);
    let count = rules::page_size(q.count);
    let filter = filter.as_ref().map(|(attribute, value)| store::ScimFilter { attribute, value });
    let store::ScimPage { total, people } = store::list(&db.read, filter, start, count).await?;
    let resources: Vec<Value> = people
        .iter()
        .map(|p| rules::project(user_json(p), q.attributes.as_deref(), q.excluded_attributes.as_deref()))
        .collect();
    Ok(json!({
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    }))
}

async fn live<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(exec: E, id: i64) -> AppResult<ScimPerson> {
    store::get(exec, id).await?.filter(|p| !p.deleted).ok_or(AppError::NotFound("user"))
}

pub async fn get(db: &Db, id: &str, attributes: Option<&str>, excluded: Option<&str>) -> AppResult<Value> {
    let p = live(&db.read, parse_id(id)?).await?;
    Ok(rules::project(user_json(&p), attributes, excluded))
}

fn clean(mut doc: Value) -> Value {
    if let Some(obj) = doc.as_object_mut() {
        for k in ["id", "meta", "schemas", "password"] {
            obj.remove(k);
        }
    }
    doc
}

/// Write the provider's document, identity fields and the active flag in the caller's transaction.
async fn write(
    conn: &mut Conn,
    clock: &dyn Clock,
    client: &ScimClient,
    id: i64,
    doc: &Value,
    deleted: bool,
) -> AppResult<ScimPerson> {
    let now = clock.now();
    let who = client.ledger_name();
    let changes: UserChanges = rules::from_document(doc).map_err(AppError::BadRequest)?;
    let before = store::get(&mut *conn, id).await?.ok_or(AppError::NotFound("user"))?;
    let email = changes.user_name.clone().unwrap_or_else(|| before.email.clone());
    if email.to_lowercase() != before.email && store::by_email(conn, &email).await?.is_some_and(|other| other != id) {
        return Err(AppError::Conflict(format!("userName {email} is already taken")));
    }
    let name = changes.name().unwrap_or_else(|| before.name.clone());
    // The document is the whole user: an externalId it no longer carries was removed.
    let external_id = changes.external_id.clone();
    store::update_identity(conn, id, &email, &name, external_id.as_deref(), now).await?;
    let text = serde_json::to_string(&clean(doc.clone())).map_err(AppError::internal)?;
    store::set_document(conn, id, &text, deleted.then_some(now)).await?;
    let updated = store::get(&mut *conn, id).await?.ok_or(AppError::NotFound("user"))?;
    if updated.email != before.email
        || updated.name != before.name
        || updated.external_id != before.external_id
        || updated.deleted != before.deleted
    {
        let (b, a) = (user_json(&before), user_json(&updated));
        ledger::record(conn, now, &who, Change::changed("person.scim_update", "person", Some(id), &b, &a)).await?;
    }
    let target = match (changes.active, before.status, deleted) {
        (_, s, true) if s != PersonStatus::Terminated => Some(PersonStatus::Terminated),
        (Some(false), s, _) if s != PersonStatus::Terminated => Some(PersonStatus::Terminated),
        (Some(true), PersonStatus::Terminated, false) => Some(PersonStatus::Active),
        _ => None,
    };
    if let Some(status) = target {
        people::apply_status(conn, &who, id, status, now, now).await?;
    }
    store::get(&mut *conn, id).await?.ok_or(AppError::NotFound("user"))
}

pub async fn create(db: &Db, clock: &dyn Clock, client: &ScimClient, doc: &Value) -> AppResult<Value> {
    let changes = rules::from_document(doc).map_err(AppError::BadRequest)?;
    let email = changes.user_name.clone().ok_or_else(|| AppError::BadRequest("userName is required".into()))?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let id = match store::by_email(&mut tx, &email).await? {
        // Re-provisioning a user the provider deleted earlier brings the same person back.
        Some(existing) if store::get(&mut *tx, existing).await?.is_some_and(|p| p.deleted) => existing,
        Some(_) => return Err(AppError::Conflict(format!("userName {email} already exists"))),
        None => {
            let name = changes.name().unwrap_or_else(|| email.clone());
            let new = NewPerson {
                name: &name,
                email: &email,
                department_id: None,
                cost_centre_id: None,
                status: PersonStatus::Active,
            };
            let id = catalog::insert_person(&mut tx, &new, now).await?;
            let created = store::get(&mut *tx, id).await?.ok_or(AppError::NotFound("user"))?;
            let shown = user_json(&created);
            let change = Change::created("person.create", "person", Some(id), &shown);
            ledger::record(&mut tx, now, &client.ledger_name(), change).await?;
            id
        }
    };
    let p = write(&mut tx, clock, client, id, doc, false).await?;
    tx.commit().await?;
    Ok(user_json(&p))
}

pub async fn replace(db: &Db, clock: &dyn Clock, client: &ScimClient, id: &str, doc: &Value) -> AppResult<Value> {
    let mut tx = db.begin().await?;
    let id = live(&mut *tx, parse_id(id)?).await?.id;
    let p = write(&mut tx, clock, client, id, doc, false).await?;
    tx.commit().await?;
    Ok(user_json(&p))
}

pub async fn patch(db: &Db, clock: &dyn Clock, client: &ScimClient, id: &str, patch: &Value) -> AppResult<Value> {
    let mut tx = db.begin().await?;
    let current = live(&mut *tx, parse_id(id)?).await?;
    let mut doc = clean(user_json(&current));
    rules::patch_document(&mut doc, patch)?;
    let p = write(&mut tx, clock, client, current.id, &doc, false).await?;
    tx.commit().await?;
    Ok(user_json(&p))
}

/// DELETE deprovisions: the person is terminated and kept, and no longer exists for SCIM.
pub async fn delete(db: &Db, clock: &dyn Clock, client: &ScimClient, id: &str) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let current = live(&mut *tx, parse_id(id)?).await?;
    let doc = clean(user_json(&current));
    write(&mut tx, clock, client, current.id, &doc, true).await?;
    tx.commit().await?;
    Ok(())
}
