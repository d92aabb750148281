//! Testing a connector: what works and what is missing, read from the target itself. A SCIM connector reads the
//! service provider's configuration (is PATCH there, to deactivate? filtering, to find an account?) and one page of
//! users, with its token.

use seatwise_types::{ConnectorCheck, ConnectorTest};

use crate::auth::Actor;
use crate::db::Db;
use crate::domain::access;
use crate::domain::sealed::CredentialsKey;
use crate::error::AppResult;

pub async fn test(db: &Db, key: Option<&CredentialsKey>, actor: &Actor, id: i64) -> AppResult<ConnectorTest> {
    access::may_manage_connectors(&actor.user)?;
    let mut conn = db.read.acquire().await?;
    let (_, client) = super::open_scim(&mut conn, key, id, "tested").await?;
    drop(conn);
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
    let ok = checks.iter().all(|c| c.ok);
    Ok(ConnectorTest { connector_id: id, ok, checks })
}
