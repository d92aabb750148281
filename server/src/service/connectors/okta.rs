//! An Okta client for group memberships: find a user by login, read a group (its type: only `OKTA_GROUP`s can be
//! changed through the API) and its members (paged by `Link` headers), whether a user is in it, and remove or add
//! them. Okta's rate limits are honoured: a
//! 429 waits until `X-Rate-Limit-Reset` (Unix seconds).

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::scim::{error_words, sort_out, unreachable, urlencoding, CallError, TIMEOUT};
use crate::error::{AppError, AppResult};

pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

/// How long a 429 asks to wait: until `X-Rate-Limit-Reset`, at least a second and at most an hour.
fn until_reset(headers: &reqwest::header::HeaderMap) -> Duration {
    let now = chrono::Utc::now().timestamp();
    let reset = headers
        .get("X-Rate-Limit-Reset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(now + 60);
    Duration::from_secs((reset - now).clamp(1, 3600) as u64)
}

impl Client {
    pub fn new(base: &str, token: &str) -> AppResult<Self> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| AppError::internal_in("building the HTTP client", e))?;
        Ok(Self { http, base: base.trim_end_matches('/').to_string(), token: token.to_string() })
    }

    async fn call(&self, method: Method, path: &str) -> Result<Option<Value>, CallError> {
        Ok(self.page(method, path).await?.map(|(value, _)| value))
    }

    /// A call's answer and the path of its next page, from the `Link: <…>; rel="next"` header Okta pages lists
    /// with (only one on this connector's own base address is followed).
    async fn page(&self, method: Method, path: &str) -> Result<Option<(Value, Option<String>)>, CallError> {
        let what = format!("{method} {}", path.split('?').next().unwrap_or(path));
        let reply = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("Authorization", format!("SSWS {}", self.token))
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|e| unreachable(&what, e))?;
        let status = reply.status();
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            let wait = until_reset(reply.headers());
            return Err(CallError::Later(
                wait,
                format!("{what}: Okta's rate limit; it resets in {} s.", wait.as_secs()),
            ));
        }
        let next = reply
            .headers()
            .get_all("Link")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .find(|l| l.contains("rel=\"next\""))
            .and_then(|l| l.split(';').next())
            .map(|u| u.trim().trim_start_matches('<').trim_end_matches('>'))
            .and_then(|u| u.strip_prefix(self.base.as_str()))
            .map(str::to_string);
        let text = reply.text().await.unwrap_or_default();
        sort_out(
            status,
            || {
                format!(
                    "{what}: Okta refused the API token ({status}): it needs to manage groups (okta.groups.manage)."
                )
            },
            || format!("{what}: Okta failed ({status})."),
            || format!("{what}: Okta refused it ({status}). {}", error_words(&text, "errorSummary")).trim_end().into(),
        )?;
        let value =
            if text.trim().is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::Null) };
        Ok(Some((value, next)))
    }

    /// Every member's login (lower case) of a group, page by page; `None` when there is no such group.
    pub async fn members(&self, group_id: &str) -> Result<Option<Vec<String>>, CallError> {
        let mut path = Some(format!("/api/v1/groups/{}/users?limit=200", urlencoding(group_id)));
        let mut logins = Vec::new();
        while let Some(p) = path.take() {
            let Some((page, next)) = self.page(Method::GET, &p).await? else { return Ok(None) };
            let users = page.as_array().ok_or_else(|| {
                CallError::Transient(format!(
                    "GET {}: Okta's answer is not a list of users.",
                    p.split('?').next().unwrap_or(&p)
                ))
            })?;
            logins.extend(
                users
                    .iter()
                    .filter(|u| u.get("status").and_then(Value::as_str) != Some("DEPROVISIONED"))
                    .filter_map(|u| u.pointer("/profile/login").and_then(Value::as_str))
                    .map(str::to_lowercase),
            );
            // A next page that repeats this one would loop forever.
            path = next.filter(|n| *n != p);
        }
        Ok(Some(logins))
    }

    /// The user's id, by id or login; `None` when there is no such user.
    pub async fn user(&self, login: &str) -> Result<Option<String>, CallError> {
        let found = self.call(Method::GET, &format!("/api/v1/users/{}", urlencoding(login))).await?;
        Ok(found.as_ref().and_then(|u| u.get("id")).and_then(Value::as_str).map(str::to_string))
    }

    /// A group's type (`OKTA_GROUP`, `APP_GROUP`, `BUILT_IN`) and name; `None` when there is no such group.
    pub async fn group(&self, id: &str) -> Result<Option<(String, String)>, CallError> {
        let found = self.call(Method::GET, &format!("/api/v1/groups/{}", urlencoding(id))).await?;
        Ok(found.map(|g| {
            let kind = g.get("type").and_then(Value::as_str).unwrap_or("").to_string();
            let name = g.pointer("/profile/name").and_then(Value::as_str).unwrap_or(id).to_string();
            (kind, name)
        }))
    }

    /// Whether the user is in the group.
    pub async fn is_member(&self, user_id: &str, group_id: &str) -> Result<bool, CallError> {
        let groups = self.call(Method::GET, &format!("/api/v1/users/{}/groups", urlencoding(user_id))).await?;
        Ok(groups
            .as_ref()
            .and_then(Value::as_array)
            .is_some_and(|gs| gs.iter().any(|g| g.get("id").and_then(Value::as_str) == Some(group_id))))
    }

    pub async fn leave(&self, group_id: &str, user_id: &str) -> Result<(), CallError> {
        let path = format!("/api/v1/groups/{}/users/{}", urlencoding(group_id), urlencoding(user_id));
        self.call(Method::DELETE, &path).await.map(|_| ())
    }

    pub async fn join(&self, group_id: &str, user_id: &str) -> Result<(), CallError> {
        let path = format!("/api/v1/groups/{}/users/{}", urlencoding(group_id), urlencoding(user_id));
        self.call(Method::PUT, &path).await.map(|_| ())
    }
}
