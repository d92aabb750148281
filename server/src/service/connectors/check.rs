//! Testing a connector: what works and what is missing, read from the target itself, changing nothing there. A
//! SCIM connector reads the service provider's configuration (is PATCH there, to deactivate? filtering, to find an
//! account?) and one page of users; a Microsoft Graph connector signs in, reads the tenant's licenses and a user,
//! and says which pools have no SKU mapped; an Okta connector reads each pool's group.

use std::collections::HashMap;

use seatwise_types::{ConnectorCheck, ConnectorKind, ConnectorTest};

use crate::auth::Actor;
use crate::db::connectors as store;
use crate::db::Db;
use crate::domain::access;
use crate::domain::sealed::CredentialsKey;
use crate::error::{AppError, AppResult};

pub async fn test(db: &Db, key: Option<&CredentialsKey>, actor: &Actor, id: i64) -> AppResult<ConnectorTest> {
    access::may_manage_connectors(&actor.user)?;
    let mut conn = db.read.acquire().await?;
    let kind = store::list(&mut conn, Some(id)).await?.pop().ok_or(AppError::NotFound("connector"))?.kind;
    let checks = match kind {
        ConnectorKind::Graph => {
            let opened = super::open(&mut conn, key, id).await?;
            let pool_ids: Vec<i64> = opened.connector.pools.iter().map(|p| p.id).collect();
            let skus = store::skus(&mut conn, &pool_ids).await?;
            drop(conn);
            graph_checks(&opened, &skus).await
        }
        ConnectorKind::Okta => {
            let opened = super::open(&mut conn, key, id).await?;
            drop(conn);
            okta_checks(&opened).await?
        }
        ConnectorKind::Manual => {
            return Err(AppError::Conflict("A manual connector has no API to test: a person does its work.".into()))
        }
        ConnectorKind::Scim => {
            let client = super::open(&mut conn, key, id).await?.scim()?;
            drop(conn);
            scim_checks(&client).await
        }
    };
    let ok = checks.iter().all(|c| c.ok);
    Ok(ConnectorTest { connector_id: id, ok, checks })
}

async fn scim_checks(client: &super::scim::Client) -> Vec<ConnectorCheck> {
    let mut checks = Vec::new();
    match client.get("/ServiceProviderConfig").await {
        Ok(Some(c)) => {
            checks.push(ConnectorCheck::ok("reach", "The SCIM service answered with its configuration."));
            let supported = |feature: &str| c.get(feature).and_then(|f| f.get("supported")).and_then(|s| s.as_bool());
            checks.push(match supported("patch") {
                Some(true) => ConnectorCheck::ok("patch", "PATCH is supported: accounts can be deactivated."),
                _ => ConnectorCheck::missing("patch", "PATCH is not announced: deactivating accounts may be refused."),
            });
            checks.push(match supported("filter") {
                Some(true) => ConnectorCheck::ok("filter", "Filtering is supported: accounts are found by userName."),
                _ => ConnectorCheck::missing(
                    "filter",
                    "Filtering is not announced: accounts cannot be found by userName.",
                ),
            });
        }
        Ok(None) => checks.push(ConnectorCheck::missing(
            "reach",
            "GET /ServiceProviderConfig: not found (404): is the base address the SCIM root?",
        )),
        Err(e) => checks.push(ConnectorCheck::missing("reach", e.message())),
    }
    match client.get("/Users?count=1").await {
        Ok(Some(list)) => {
            let total = list.get("totalResults").and_then(|t| t.as_i64()).unwrap_or(0);
            checks.push(ConnectorCheck::ok("read_users", &format!("The token reads users ({total} in the target).")));
        }
        Ok(None) => checks.push(ConnectorCheck::missing("read_users", "GET /Users: not found (404).")),
        Err(e) => checks.push(ConnectorCheck::missing("read_users", e.message())),
    }
    checks
}

async fn graph_checks(opened: &super::Opened, skus: &HashMap<i64, String>) -> Vec<ConnectorCheck> {
    let mut checks = Vec::new();
    let unmapped: Vec<&str> =
        opened.connector.pools.iter().filter(|p| !skus.contains_key(&p.id)).map(|p| p.name.as_str()).collect();
    checks.push(if unmapped.is_empty() {
        ConnectorCheck::ok("skus_mapped", "Every pool has its Microsoft 365 SKU mapped.")
    } else {
        ConnectorCheck::missing(
            "skus_mapped",
            &format!("No SKU is mapped for {} (Import, Graph SKUs): their seats become tasks.", unmapped.join(", ")),
        )
    });
    let client = match opened.graph().await {
        Ok(c) => {
            checks.insert(0, ConnectorCheck::ok("sign_in", "Signed in to Microsoft Graph as the app."));
            c
        }
        Err(e) => {
            checks.insert(0, ConnectorCheck::missing("sign_in", e.message()));
            return checks;
        }
    };
    match client.subscribed_skus().await {
        Ok(s) => checks
            .insert(1, ConnectorCheck::ok("licenses", &format!("Reads the tenant's licenses ({} SKUs).", s.len()))),
        Err(e) => checks.insert(1, ConnectorCheck::missing("licenses", e.message())),
    }
    match client.first_user().await {
        Ok(_) => checks.insert(2, ConnectorCheck::ok("users", "Reads users and their license assignments.")),
        Err(e) => checks.insert(2, ConnectorCheck::missing("users", e.message())),
    }
    checks
}

async fn okta_checks(opened: &super::Opened) -> AppResult<Vec<ConnectorCheck>> {
    let client = opened.okta()?;
    let mut checks = Vec::new();
    for pool in &opened.connector.pools {
        let name = format!("group:{}", pool.id);
        let Some(group) = &pool.group else {
            checks.push(ConnectorCheck::missing(&name, &format!("{} names no Okta group.", pool.name)));
            continue;
        };
        checks.push(match client.group(group).await {
            Ok(Some((kind, g))) if kind == "OKTA_GROUP" => ConnectorCheck::ok(
                &name,
                &format!("{}: the group {g} is read, and its members can be changed.", pool.name),
            ),
            Ok(Some((kind, g))) => ConnectorCheck::missing(
                &name,
                &format!(
                    "{}: {g} is an {kind} group, which Okta does not let an API change: its seats become tasks.",
                    pool.name
                ),
            ),
            Ok(None) => ConnectorCheck::missing(&name, &format!("{}: Okta has no group {group}.", pool.name)),
            Err(e) => ConnectorCheck::missing(&name, e.message()),
        });
    }
    Ok(checks)
}
