//! A Microsoft Graph client for the calls connectors make: an app-only token (client credentials), a user's
//! licenses (`licenseAssignmentStates`), `assignLicense`, leaving a group, a group's name, the tenant's SKUs and
//! every licensed user. Errors are sorted as the SCIM client's are (`CallError`), a 429's `Retry-After` honoured.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::scim::{retry_after, sort_out, unreachable, CallError, TIMEOUT};
use crate::domain::graph_step::{error_words, LicenseState};
use crate::error::{AppError, AppResult};

/// A user as the connector looks at them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphUser {
    pub id: String,
    pub user_principal_name: String,
    pub licenses: Vec<LicenseState>,
}

impl GraphUser {
    fn from(v: &Value) -> Option<Self> {
        let licenses = v
            .get("licenseAssignmentStates")
            .and_then(Value::as_array)
            .map(|states| {
                states
                    .iter()
                    .filter_map(|s| {
                        Some(LicenseState {
                            sku_id: s.get("skuId")?.as_str()?.to_string(),
                            assigned_by_group: s.get("assignedByGroup").and_then(Value::as_str).map(str::to_string),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(Self {
            id: v.get("id")?.as_str()?.to_string(),
            user_principal_name: v.get("userPrincipalName").and_then(Value::as_str).unwrap_or_default().to_string(),
            licenses,
        })
    }
}

/// A SKU the tenant subscribes to, with its units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sku {
    pub sku_id: String,
    pub part_number: String,
    pub consumed: i64,
    pub enabled: i64,
}

pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

/// Where a tenant's tokens come from: Microsoft's sign-in service for Microsoft's Graph hosts; for any other base
/// address (a stand-in, a national cloud proxy) the same origin serves `/{tenant}/oauth2/v2.0/token`.
pub fn token_url(base: &str, tenant: &str) -> String {
    let origin = url::Url::parse(base).ok().map(|u| u.origin().ascii_serialization()).unwrap_or_default();
    let authority = if origin == "https://graph.microsoft.com" { "https://login.microsoftonline.com" } else { &origin };
    format!("{authority}/{tenant}/oauth2/v2.0/token")
}

fn http() -> AppResult<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| AppError::internal_in("building the HTTP client", e))
}

impl Client {
    /// Sign in as the app (client credentials) and keep the token for this client's calls.
    pub async fn connect(base: &str, tenant: &str, client_id: &str, secret: &str) -> Result<Self, CallError> {
        let http = http().map_err(|e| CallError::Transient(e.to_string()))?;
        let url = token_url(base, tenant);
        let form = [
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", "https://graph.microsoft.com/.default"),
            ("grant_type", "client_credentials"),
        ];
        let body = serde_urlencoded::to_string(form).map_err(|e| CallError::Refused(e.to_string()))?;
        let reply = http
            .post(&url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|e| unreachable("Signing in to Microsoft Graph", e))?;
        let status = reply.status();
        let answer: Value = serde_json::from_str(&reply.text().await.unwrap_or_default()).unwrap_or(Value::Null);
        if !status.is_success() {
            // Entra's answer names what is wrong (AADSTS codes) without the secret.
            let why = answer.get("error_description").and_then(Value::as_str).unwrap_or("no reason given");
            let first = why.lines().next().unwrap_or(why);
            return Err(CallError::Transient(format!(
                "Signing in to Microsoft Graph was refused ({status}): {first} Check the tenant, client id and secret."
            )));
        }
        let token = answer
            .get("access_token")
            .and_then(Value::as_str)
            .ok_or_else(|| CallError::Transient("Signing in to Microsoft Graph gave no access token.".into()))?;
        Ok(Self { http, base: base.trim_end_matches('/').to_string(), token: token.to_string() })
    }

    /// One call; its JSON (`Null` when empty), `None` for a 404.
    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Option<Value>, CallError> {
        let what = format!("{method} {}", path.split('?').next().unwrap_or(path));
        let mut request = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(b) = body {
            request = request.header("Content-Type", "application/json").body(b.to_string());
        }
        let reply = request.send().await.map_err(|e| unreachable(&what, e))?;
        let status = reply.status();
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE {
            let wait = retry_after(reply.headers());
            return Err(CallError::Later(
                wait,
                format!("{what}: Microsoft Graph asked to wait {} s ({status}).", wait.as_secs()),
            ));
        }
        let text = reply.text().await.unwrap_or_default();
        let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        sort_out(
            status,
            || {
                format!(
                    "{what}: Microsoft Graph refused the app ({status}): it needs LicenseAssignment.ReadWrite.All \
                     (and GroupMember.ReadWrite.All to leave groups)."
                )
            },
            || format!("{what}: Microsoft Graph failed ({status})."),
            || {
                let error = answer.get("error");
                let code = error.and_then(|e| e.get("code")).and_then(Value::as_str).unwrap_or("error");
                let message = error.and_then(|e| e.get("message")).and_then(Value::as_str).unwrap_or("");
                error_words(code, message)
            },
        )?;
        Ok(Some(answer))
    }

    /// A user by id or user principal name, with their licenses; `None` when there is no such user.
    pub async fn user(&self, id_or_upn: &str) -> Result<Option<GraphUser>, CallError> {
        let path = format!(
            "/users/{}?$select=id,userPrincipalName,licenseAssignmentStates",
            super::scim::urlencoding(id_or_upn)
        );
        Ok(self.call(Method::GET, &path, None).await?.as_ref().and_then(GraphUser::from))
    }

    /// Add and remove SKUs in one call.
    pub async fn assign(&self, user_id: &str, add: &[String], remove: &[String]) -> Result<(), CallError> {
        let add: Vec<Value> = add.iter().map(|s| json!({"skuId": s, "disabledPlans": []})).collect();
        let body = json!({"addLicenses": add, "removeLicenses": remove});
        let path = format!("/users/{}/assignLicense", super::scim::urlencoding(user_id));
        match self.call(Method::POST, &path, Some(&body)).await? {
            Some(_) => Ok(()),
            None => Err(CallError::Refused("The user is gone from the tenant.".into())),
        }
    }

    /// Take the user out of a group (one already out is no error).
    pub async fn leave_group(&self, group_id: &str, user_id: &str) -> Result<(), CallError> {
        let path = format!(
            "/groups/{}/members/{}/$ref",
            super::scim::urlencoding(group_id),
            super::scim::urlencoding(user_id)
        );
        self.call(Method::DELETE, &path, None).await.map(|_| ())
    }

    /// A group's display name (its id when it cannot be read).
    pub async fn group_name(&self, group_id: &str) -> String {
        let path = format!("/groups/{}?$select=displayName", super::scim::urlencoding(group_id));
        match self.call(Method::GET, &path, None).await {
            Ok(Some(g)) => g.get("displayName").and_then(Value::as_str).unwrap_or(group_id).to_string(),
            _ => group_id.to_string(),
        }
    }

    /// The tenant's SKUs with their consumed and purchased (enabled) units.
    pub async fn subscribed_skus(&self) -> Result<Vec<Sku>, CallError> {
        let list = self.call(Method::GET, "/subscribedSkus", None).await?.unwrap_or(Value::Null);
        Ok(list
            .get("value")
            .and_then(Value::as_array)
            .map(|skus| {
                skus.iter()
                    .filter_map(|s| {
                        Some(Sku {
                            sku_id: s.get("skuId")?.as_str()?.to_string(),
                            part_number: s.get("skuPartNumber").and_then(Value::as_str).unwrap_or("").to_string(),
                            consumed: s.get("consumedUnits").and_then(Value::as_i64).unwrap_or(0),
                            enabled: s.pointer("/prepaidUnits/enabled").and_then(Value::as_i64).unwrap_or(0),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Whether users and their licenses can be read (a connection test's read of one user).
    pub async fn first_user(&self) -> Result<(), CallError> {
        self.call(Method::GET, "/users?$select=id,licenseAssignmentStates&$top=1", None).await.map(|_| ())
    }

    /// Every user with their licenses, following `@odata.nextLink` (for reconciliation).
    pub async fn users(&self) -> Result<Vec<GraphUser>, CallError> {
        let mut out = Vec::new();
        let mut path = "/users?$select=id,userPrincipalName,licenseAssignmentStates&$top=999".to_string();
        loop {
            let Some(page) = self.call(Method::GET, &path, None).await? else { break };
            out.extend(page.get("value").and_then(Value::as_array).into_iter().flatten().filter_map(GraphUser::from));
            // The next link is absolute; only its path and query are followed, on this client's base.
            match page.get("@odata.nextLink").and_then(Value::as_str).and_then(|l| l.split_once(&self.base)) {
                Some((_, rest)) if !rest.is_empty() => path = rest.to_string(),
                _ => break,
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_come_from_microsoft_for_graph_and_from_the_same_origin_otherwise() {
        assert_eq!(
            token_url("https://graph.microsoft.com/v1.0", "contoso"),
            "https://login.microsoftonline.com/contoso/oauth2/v2.0/token"
        );
        assert_eq!(token_url("http://127.0.0.1:9000/v1.0", "t1"), "http://127.0.0.1:9000/t1/oauth2/v2.0/token");
    }
}
