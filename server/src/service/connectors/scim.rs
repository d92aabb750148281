//! A SCIM 2.0 client (RFC 7644) for the calls connectors make: find an account by `userName`, read it back,
//! deactivate or reactivate it with PATCH, delete it, create it, and page through every account. Every failure is
//! said in words that never carry the token, and sorted into what a retry may fix and what it will not.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::error::{AppError, AppResult};

/// How long one call to the target may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The longest a target's `Retry-After` is honoured for before trying again anyway.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// Why a call did not do what it should.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// Unreachable, slow, a server error or a refused token: trying again later may work.
    Transient(String),
    /// The target asked to wait (429 with `Retry-After`).
    Later(Duration, String),
    /// The target refused the request itself: retrying the same request will not help.
    Refused(String),
}

impl CallError {
    pub fn message(&self) -> &str {
        match self {
            Self::Transient(m) | Self::Later(_, m) | Self::Refused(m) => m,
        }
    }
}

/// What a target's answer means, one rule for every client: a success is `Ok`; a refused token or app (401,
/// 403) and the target's own failure (5xx) may pass, so a retry may fix them (`Transient`); any other answer
/// refuses the request itself (`Refused`). Each client says them in its target's words.
pub fn sort_out(
    status: StatusCode,
    token_refused: impl FnOnce() -> String,
    failed: impl FnOnce() -> String,
    refused: impl FnOnce() -> String,
) -> Result<(), CallError> {
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        Err(CallError::Transient(token_refused()))
    } else if status.is_server_error() {
        Err(CallError::Transient(failed()))
    } else if !status.is_success() {
        Err(CallError::Refused(refused()))
    } else {
        Ok(())
    }
}

/// A target's own words in its JSON error body's top-level `field` (SCIM's `detail`, Okta's `errorSummary`), shown
/// as they are; empty when the body has none.
pub fn error_words(body: &str, field: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get(field).and_then(Value::as_str).map(str::to_string))
        .unwrap_or_default()
}

/// How long a 429 (or 503) asks to wait: its `Retry-After` in seconds, a minute without one, at most an hour.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Duration {
    headers
        .get("Retry-After")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(Duration::from_secs(60), |s| Duration::from_secs(s).min(MAX_RETRY_AFTER))
}

/// A call that got no answer, in words.
pub fn unreachable(what: &str, e: reqwest::Error) -> CallError {
    CallError::Transient(if e.is_timeout() {
        format!("{what}: no answer within {} s.", TIMEOUT.as_secs())
    } else if e.is_connect() {
        format!("{what}: the target could not be reached (connection refused or no such host).")
    } else {
        format!("{what}: {}", e.without_url())
    })
}

/// An account in the target, as far as connectors look at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub user_name: String,
    pub active: bool,
}

impl Account {
    fn from(v: &Value) -> Option<Self> {
        Some(Self {
            id: v.get("id")?.as_str()?.to_string(),
            user_name: v.get("userName").and_then(Value::as_str).unwrap_or_default().to_string(),
            // RFC 7643: an account without `active` is taken as active.
            active: v.get("active").and_then(Value::as_bool).unwrap_or(true),
        })
    }
}

pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

impl Client {
    pub fn new(base: &str, token: &str) -> AppResult<Self> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| AppError::internal_in("building the HTTP client", e))?;
        Ok(Self { http, base: base.trim_end_matches('/').to_string(), token: token.to_string() })
    }

    /// One call; the JSON answer (`Null` for an empty one), `None` for a 404.
    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Option<Value>, CallError> {
        let url = format!("{}{path}", self.base);
        let what = format!("{method} {}", path.split('?').next().unwrap_or(path));
        let mut request = self
            .http
            .request(method, &url)
            .bearer_auth(&self.token)
            .header("Accept", "application/scim+json, application/json");
        if let Some(b) = body {
            request = request.header("Content-Type", "application/scim+json").body(b.to_string());
        }
        let reply = request.send().await.map_err(|e| unreachable(&what, e))?;
        let status = reply.status();
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            let wait = retry_after(reply.headers());
            return Err(CallError::Later(
                wait,
                format!("{what}: the target asked to wait {} s (429).", wait.as_secs()),
            ));
        }
        let text = reply.text().await.unwrap_or_default();
        sort_out(
            status,
            || format!("{what}: the target refused the token ({status}): check the bearer token and its scopes."),
            || format!("{what}: the target failed ({status})."),
            || {
                // SCIM errors carry a `detail` (RFC 7644 §3.12); it is the target's words, shown as they are.
                format!("{what}: refused ({status}). {}", error_words(&text, "detail")).trim_end().to_string()
            },
        )?;
        if text.trim().is_empty() {
            return Ok(Some(Value::Null));
        }
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|_| CallError::Transient(format!("{what}: the answer was not JSON.")))
    }

    /// GET a resource as JSON (a connection test's reads).
    pub async fn get(&self, path: &str) -> Result<Option<Value>, CallError> {
        self.call(Method::GET, path, None).await
    }

    /// The account whose `userName` is `user_name` (compared as the target compares it: case-insensitively per
    /// RFC 7643), if any.
    pub async fn find(&self, user_name: &str) -> Result<Option<Account>, CallError> {
        // The filter's value is a JSON string (RFC 7644 §3.4.2.2): quotes and backslashes in it are escaped.
        let filter = format!("userName eq {}", Value::String(user_name.to_string()));
        let query = format!("/Users?filter={}&count=2", urlencoding(&filter));
        let Some(list) = self.call(Method::GET, &query, None).await? else { return Ok(None) };
        let found: Vec<Account> = list
            .get("Resources")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Account::from).collect())
            .unwrap_or_default();
        match found.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one.clone())),
            _ => Err(CallError::Refused(format!("{} accounts have the userName {user_name}.", found.len()))),
        }
    }

    /// The account `id`, read back; `None` when it is gone.
    pub async fn read(&self, id: &str) -> Result<Option<Account>, CallError> {
        Ok(self.call(Method::GET, &format!("/Users/{}", urlencoding(id)), None).await?.as_ref().and_then(Account::from))
    }

    /// `PATCH active` (deactivate with `false`, give back with `true`).
    pub async fn set_active(&self, id: &str, active: bool) -> Result<(), CallError> {
        let body = json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "active", "value": active}]});
        match self.call(Method::PATCH, &format!("/Users/{}", urlencoding(id)), Some(&body)).await? {
            Some(_) => Ok(()),
            None => Err(CallError::Refused("The account is gone from the target.".into())),
        }
    }

    /// `DELETE` the account; one already gone is no error.
    pub async fn delete(&self, id: &str) -> Result<(), CallError> {
        self.call(Method::DELETE, &format!("/Users/{}", urlencoding(id)), None).await.map(|_| ())
    }

    /// Create an active account for `user_name` (a seat given back where the account was deleted).
    pub async fn create(&self, user_name: &str, display_name: &str) -> Result<Account, CallError> {
        let body = json!({"schemas": [USER], "userName": user_name, "displayName": display_name, "active": true,
            "emails": [{"value": user_name, "primary": true}]});
        self.call(Method::POST, "/Users", Some(&body))
            .await?
            .as_ref()
            .and_then(Account::from)
            .ok_or_else(|| CallError::Refused("The target did not return the account it created.".into()))
    }

    /// The ids of a group's members; `None` when there is no such group.
    pub async fn group_members(&self, group: &str) -> Result<Option<Vec<String>>, CallError> {
        let path = format!("/Groups/{}?attributes=members", urlencoding(group));
        Ok(self.call(Method::GET, &path, None).await?.map(|g| {
            g.get("members")
                .and_then(Value::as_array)
                .map(|m| m.iter().filter_map(|x| x.get("value").and_then(Value::as_str).map(str::to_string)).collect())
                .unwrap_or_default()
        }))
    }

    /// Take the account out of a group (`PATCH` remove `members[value eq "id"]`), or put it in (`add`).
    pub async fn set_member(&self, group: &str, id: &str, member: bool) -> Result<(), CallError> {
        let op = if member {
            json!({"op": "add", "path": "members", "value": [{"value": id}]})
        } else {
            json!({"op": "remove", "path": format!("members[value eq {}]", Value::String(id.to_string()))})
        };
        let body = json!({"schemas": [PATCH_OP], "Operations": [op]});
        match self.call(Method::PATCH, &format!("/Groups/{}", urlencoding(group)), Some(&body)).await? {
            Some(_) => Ok(()),
            None => Err(CallError::Refused(format!("The target has no group {group}."))),
        }
    }

    /// Every account, a page at a time (for reconciliation).
    pub async fn all(&self) -> Result<Vec<Account>, CallError> {
        const PAGE: usize = 500;
        let mut out = Vec::new();
        loop {
            let path = format!("/Users?startIndex={}&count={PAGE}&attributes=userName,active", out.len() + 1);
            let Some(list) = self.call(Method::GET, &path, None).await? else { break };
            let page: Vec<Account> = list
                .get("Resources")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Account::from).collect())
                .unwrap_or_default();
            let total = list.get("totalResults").and_then(Value::as_u64).unwrap_or(0) as usize;
            let n = page.len();
            out.extend(page);
            if n == 0 || out.len() >= total {
                break;
            }
        }
        Ok(out)
    }
}

/// Percent-encode a query value or path segment (everything but RFC 3986's unreserved characters).
pub fn urlencoding(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_encoded_for_queries_and_paths() {
        assert_eq!(urlencoding(r#"userName eq "a+b@x.io""#), "userName%20eq%20%22a%2Bb%40x.io%22");
        assert_eq!(urlencoding("../x"), "..%2Fx");
    }

    #[test]
    fn an_account_without_active_is_active() {
        let a = Account::from(&json!({"id": "7", "userName": "a@x.io"})).unwrap();
        assert!(a.active);
        assert!(Account::from(&json!({"userName": "a@x.io"})).is_none());
    }
}
