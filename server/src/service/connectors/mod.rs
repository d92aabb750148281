//! Connectors: admins register where seat decisions are pushed. Credentials are sealed with the server's key as
//! they arrive, never returned, logged or ledgered (the ledger says only that they were set).

use seatwise_types::{Connector, ConnectorInput, FieldError, Page};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::connectors::{self as store, NewConnector};
use crate::db::versions::{Key, Versioned};
use crate::db::Db;
use crate::domain::access;
use crate::domain::connector::{self as rules, Write};
use crate::domain::sealed::{self, CredentialsKey};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};
use crate::service::versions;

pub mod actions;
pub mod check;
pub mod deliver;
pub mod graph;
pub mod okta;
pub mod reconcile;
pub mod scim;

pub async fn list(db: &Db, actor: &Actor) -> AppResult<Page<Connector>> {
    access::may_manage_connectors(&actor.user)?;
    let mut conn = db.read.acquire().await?;
    let items = store::list(&mut conn, None).await?;
    let total = items.len() as i64;
    Ok(Page { items, total, page: 1, per_page: total.max(1) })
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> AppResult<Connector> {
    access::may_manage_connectors(&actor.user)?;
    let mut conn = db.read.acquire().await?;
    store::list(&mut conn, Some(id)).await?.pop().ok_or(AppError::NotFound("connector"))
}

/// Seal the credentials given (none given: `None`); a 409 when no credentials key is configured.
fn sealed_credentials(input: &ConnectorInput, key: Option<&CredentialsKey>) -> AppResult<Option<String>> {
    match (&input.credentials, key) {
        (None, _) => Ok(None),
        (Some(_), None) => Err(AppError::Conflict(
            "Credentials are sealed with the server's credentials key, and none is configured \
             (SEATWISE_CREDENTIALS_KEY or SEATWISE_CREDENTIALS_KEY_FILE)."
                .into(),
        )),
        (Some(given), Some(key)) => {
            let plain = serde_json::to_vec(given).map_err(|e| AppError::internal_in("writing the credentials", e))?;
            Ok(Some(
                sealed::seal(key, &plain)
                    .ok_or_else(|| AppError::internal("the credentials could not be sealed".to_string()))?,
            ))
        }
    }
}

/// Put the input's pools under connector `id` (with their groups), each checked: it exists and no other
/// connector acts on it.
async fn place_pools(tx: &mut crate::db::Conn, id: i64, input: &ConnectorInput) -> AppResult<()> {
    let named = store::pools_named(tx, &input.pool_ids).await?;
    let taken = store::pools_taken(tx, &input.pool_ids).await?;
    let mut errors = Vec::new();
    for (i, pool_id) in input.pool_ids.iter().enumerate() {
        let path = format!("pool_ids[{i}]");
        match (named.get(pool_id), taken.get(pool_id)) {
            (None, _) => errors.push(FieldError::new(path, format!("no pool {pool_id}"))),
            (Some(pool), Some(by)) => {
                errors.push(FieldError::new(path, format!("{pool} is already pushed by the connector {by}")))
            }
            (Some(_), None) => {}
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let pools: Vec<(i64, Option<&str>)> = input
        .pool_ids
        .iter()
        .map(|p| (*p, input.targets.iter().find(|t| t.pool_id == *p).map(|t| t.group.trim())))
        .collect();
    store::add_pools(tx, id, &pools).await?;
    Ok(())
}

fn fields<'a>(input: &'a ConnectorInput, sealed: Option<&'a str>, who: &'a str) -> NewConnector<'a> {
    NewConnector {
        kind: input.kind,
        name: input.name.trim(),
        base_url: input.base_url.as_deref().map(str::trim).filter(|u| !u.is_empty()),
        credentials: sealed,
        removal: input.removal,
        dry_run: input.dry_run,
        max_actions_per_minute: input.max_actions_per_minute,
        created_by: who,
    }
}

/// Ledger a connector's write (credentials only said to be given) and commit; the connector as stored.
async fn finish(
    mut tx: crate::db::Tx,
    id: i64,
    input: &ConnectorInput,
    c: &NewConnector<'_>,
    action: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<Connector> {
    let record = serde_json::json!({"connector_id": id, "kind": input.kind.as_str(), "name": c.name,
        "base_url": c.base_url, "credentials_set": c.credentials.is_some(), "pool_ids": input.pool_ids,
        "removal": input.removal.as_str(), "dry_run": input.dry_run, "targets": input.targets,
        "max_actions_per_minute": input.max_actions_per_minute});
    ledger::record(&mut tx, now, c.created_by, Change::created(action, "connector", Some(id), &record)).await?;
    let stored = store::list(&mut tx, Some(id))
        .await?
        .pop()
        .ok_or_else(|| AppError::internal(format!("connector {id} vanished")))?;
    tx.commit().await?;
    Ok(stored)
}

pub async fn create(
    db: &Db,
    clock: &dyn Clock,
    key: Option<&CredentialsKey>,
    actor: &Actor,
    input: &ConnectorInput,
) -> AppResult<Connector> {
    access::may_manage_connectors(&actor.user)?;
    let errors = rules::validate(input, Write::Create);
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let sealed = sealed_credentials(input, key)?;
    let now = clock.now();
    let who = actor.ledger_name();
    let mut tx = db.begin().await?;
    let new = fields(input, sealed.as_deref(), who);
    let id = store::insert(&mut tx, &new, now).await?;
    place_pools(&mut tx, id, input).await?;
    finish(tx, id, input, &new, "connector.create", now).await
}

/// Replace a connector's settings (its kind stays; credentials left out keep the stored ones); with `expected`
/// (the client's `If-Match`) only if nobody changed it since.
pub async fn update(
    db: &Db,
    clock: &dyn Clock,
    key: Option<&CredentialsKey>,
    actor: &Actor,
    id: i64,
    expected: Option<i64>,
    input: &ConnectorInput,
) -> AppResult<Connector> {
    access::may_manage_connectors(&actor.user)?;
    let mut errors = rules::validate(input, Write::Update);
    let now = clock.now();
    let who = actor.ledger_name();
    let mut tx = db.begin().await?;
    let before = store::list(&mut tx, Some(id)).await?.pop().ok_or(AppError::NotFound("connector"))?;
    if before.kind != input.kind {
        errors.push(FieldError::new(
            "kind",
            format!("stays {}: add another connector for another kind", before.kind.as_str()),
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let sealed = sealed_credentials(input, key)?;
    let version = versions::lock(&mut tx, Versioned::Connectors, Key::Id(id), expected, "connector").await?;
    let new = fields(input, sealed.as_deref(), who);
    store::update(&mut tx, id, &new, now).await?;
    store::clear_pools(&mut tx, id).await?;
    place_pools(&mut tx, id, input).await?;
    versions::bump(&mut tx, Versioned::Connectors, Key::Id(id), version).await?;
    finish(tx, id, input, &new, "connector.update", now).await
}

/// Remove a connector: its pools are free for another, its history stays. Refused while any of its actions is
/// still on its way or waiting for a person.
pub async fn remove(db: &Db, clock: &dyn Clock, actor: &Actor, id: i64) -> AppResult<()> {
    access::may_manage_connectors(&actor.user)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let before = store::list(&mut tx, Some(id)).await?.pop().ok_or(AppError::NotFound("connector"))?;
    let open = store::open_actions(&mut tx, id).await?;
    if open > 0 {
        return Err(AppError::Conflict(format!(
            "{open} of this connector's seat actions are still on their way or waiting for a person: let them \
             finish, or mark them done, first."
        )));
    }
    store::clear_pools(&mut tx, id).await?;
    if !store::retire(&mut tx, id, now).await? {
        return Err(AppError::NotFound("connector"));
    }
    let record = serde_json::json!({"connector_id": id, "name": before.name, "kind": before.kind.as_str()});
    ledger::record(
        &mut tx,
        now,
        actor.ledger_name(),
        Change::removed("connector.remove", "connector", Some(id), &record),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A connector as the server's own calls use it: its record and its credentials, opened.
pub struct Opened {
    pub connector: Connector,
    pub credentials: serde_json::Map<String, serde_json::Value>,
}

impl Opened {
    /// A credential field's text (empty when missing: the target then refuses, and says so).
    pub fn credential(&self, field: &str) -> &str {
        self.credentials.get(field).and_then(|t| t.as_str()).unwrap_or_default()
    }

    fn base_url(&self) -> &str {
        self.connector.base_url.as_deref().unwrap_or_default()
    }

    /// The SCIM client for this connector's target.
    pub fn scim(&self) -> AppResult<scim::Client> {
        scim::Client::new(self.base_url(), self.credential("bearer_token"))
    }

    /// The Okta client for this connector's target.
    pub fn okta(&self) -> AppResult<okta::Client> {
        okta::Client::new(self.base_url(), self.credential("api_token"))
    }

    /// Signed in to this connector's Microsoft Graph tenant as the app.
    pub async fn graph(&self) -> Result<graph::Client, scim::CallError> {
        let (tenant, client_id, secret) =
            (self.credential("tenant_id"), self.credential("client_id"), self.credential("client_secret"));
        graph::Client::connect(self.base_url(), tenant, client_id, secret).await
    }
}

/// Read connector `id` and open its credentials; what stands in the way, in words (a 409 to a person, a delivery's
/// last error otherwise).
pub async fn open(conn: &mut crate::db::Conn, key: Option<&CredentialsKey>, id: i64) -> AppResult<Opened> {
    let connector = store::list(&mut *conn, Some(id)).await?.pop().ok_or(AppError::NotFound("connector"))?;
    let sealed_credentials = store::credentials(conn, id).await?;
    let (Some(key), Some(sealed_credentials)) = (key, sealed_credentials) else {
        return Err(AppError::Conflict(
            "This connector's credentials cannot be read: no credentials key, or none stored.".into(),
        ));
    };
    let plain = sealed::open(key, &sealed_credentials).ok_or_else(|| {
        AppError::Conflict(
            "This connector's credentials do not open with the server's credentials key: write them again.".into(),
        )
    })?;
    let credentials =
        serde_json::from_slice(&plain).map_err(|e| AppError::internal_in("reading sealed credentials", e))?;
    Ok(Opened { connector, credentials })
}
