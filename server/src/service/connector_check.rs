//! Testing a connector: what works and what is missing, read from the target itself. A SCIM connector reads the
//! service provider's configuration (is PATCH there, to deactivate? filtering, to find an account?) and one page of
//! users, with its token.

use std::time::Duration;

use seatwise_types::{ConnectorCheck, ConnectorKind, ConnectorTest};

use crate::auth::Actor;
use crate::db::connectors as store;
use crate::db::Db;
use crate::domain::access;
use crate::domain::sealed::{self, CredentialsKey};
use crate::error::{AppError, AppResult};

/// How long one call to the target may take.
const TIMEOUT: Duration = Duration::from_secs(10);

pub async fn test(db: &Db, key: Option<&CredentialsKey>, actor: &Actor, id: i64) -> AppResult<ConnectorTest> {
    access::may_manage_connectors(&actor.user)?;
    let mut conn = db.read.acquire().await?;
    let connector = store::list(&mut conn, Some(id)).await?.pop().ok_or(AppError::NotFound("connector"))?;
    let sealed_credentials = store::credentials(&mut conn, id).await?;
    drop(conn);
    if connector.kind != ConnectorKind::Scim {
        return Err(AppError::Conflict(format!(
            "Testing a {} connector comes with its delivery; only SCIM connectors can be tested yet.",
            connector.kind.as_str()
        )));
    }
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
    let credentials: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&plain).map_err(|e| AppError::internal_in("reading sealed credentials", e))?;
    let token = credentials.get("bearer_token").and_then(|t| t.as_str()).unwrap_or_default();
    let base = connector.base_url.as_deref().unwrap_or_default().trim_end_matches('/');
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| AppError::internal_in("building the HTTP client", e))?;
    let mut checks = Vec::new();
    let config = get_json(&client, &format!("{base}/ServiceProviderConfig"), token).await;
    match &config {
        Ok(c) => {
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
        Err(m) => checks.push(ConnectorCheck::missing("reach", m)),
    }
    match get_json(&client, &format!("{base}/Users?count=1"), token).await {
        Ok(list) => {
            let total = list.get("totalResults").and_then(|t| t.as_i64()).unwrap_or(0);
            checks.push(ConnectorCheck::ok("read_users", &format!("The token reads users ({total} in the target).")));
        }
        Err(m) => checks.push(ConnectorCheck::missing("read_users", &m)),
    }
    let ok = checks.iter().all(|c| c.ok);
    Ok(ConnectorTest { connector_id: id, ok, checks })
}

/// GET a SCIM resource as JSON, or say in words why not (the token's text never appears).
async fn get_json(client: &reqwest::Client, url: &str, token: &str) -> Result<serde_json::Value, String> {
    let reply = client
        .get(url)
        .bearer_auth(token)
        .header("Accept", "application/scim+json, application/json")
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                format!("{url} did not answer within {} s.", TIMEOUT.as_secs())
            } else if e.is_connect() {
                format!("{url} could not be reached (connection refused or no such host).")
            } else {
                format!("{url} could not be read: {}", e.without_url())
            }
        })?;
    let status = reply.status();
    if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
        return Err(format!("{url} refused the token ({status}): check the bearer token and its scopes."));
    }
    if !status.is_success() {
        return Err(format!("{url} answered {status}."));
    }
    let text = reply.text().await.map_err(|e| format!("{url}: the answer could not be read: {}", e.without_url()))?;
    serde_json::from_str(&text).map_err(|_| format!("{url} did not answer with JSON."))
}
