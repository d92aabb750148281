//! An Okta stand-in for group memberships, written from Okta's documented requests and responses: `SSWS` API
//! tokens, `GET /api/v1/users/{id|login}`, `GET /api/v1/groups/{id}` with its `type`, `GET /api/v1/users/{id}/groups`,
//! `GET /api/v1/groups/{id}/users` paged by `limit`/`after` with `Link` headers,
//! `DELETE`/`PUT /api/v1/groups/{group}/users/{user}` (an `APP_GROUP`'s members are refused), errors as
//! `{"errorCode","errorSummary"}`, and rate limits: every answer carries `X-Rate-Limit-Limit`, `-Remaining` and
//! `-Reset` (Unix seconds), and a 429 can be made to happen.

use std::sync::{Arc, Mutex};

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde_json::json;

#[derive(Debug, Clone)]
pub struct OktaGroup {
    pub id: String,
    pub name: String,
    /// `OKTA_GROUP` or `APP_GROUP`.
    pub kind: String,
    /// User ids.
    pub members: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Org {
    pub token: String,
    /// (id, login)
    pub users: Vec<(String, String)>,
    pub groups: Vec<OktaGroup>,
    /// The next this many calls are answered 429 (rate limit reached, resets in a second).
    pub limited: u32,
    pub calls: Vec<String>,
}

type Shared = Arc<Mutex<Org>>;

fn error(status: StatusCode, code: &str, summary: &str) -> Response {
    (
        status,
        Json(json!({"errorCode": code, "errorSummary": summary, "errorLink": code, "errorId": "standin",
        "errorCauses": []})),
    )
        .into_response()
}

async fn guard(State(o): State<Shared>, request: Request, next: Next) -> Response {
    let reset = (chrono::Utc::now().timestamp() + 1).to_string();
    {
        let mut org = o.lock().unwrap();
        org.calls.push(format!("{} {}", request.method(), request.uri().path()));
        let auth = request.headers().get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
        if auth != format!("SSWS {}", org.token) {
            return error(StatusCode::UNAUTHORIZED, "E0000011", "Invalid token provided");
        }
        if org.limited > 0 {
            org.limited -= 1;
            let mut r = error(
                StatusCode::TOO_MANY_REQUESTS,
                "E0000047",
                "API call exceeded rate limit due to too many requests.",
            );
            for (k, v) in [("X-Rate-Limit-Limit", "600"), ("X-Rate-Limit-Remaining", "0")] {
                r.headers_mut().insert(k, v.parse().unwrap());
            }
            r.headers_mut().insert("X-Rate-Limit-Reset", reset.parse().unwrap());
            return r;
        }
    }
    let mut r = next.run(request).await;
    r.headers_mut().insert("X-Rate-Limit-Limit", "600".parse().unwrap());
    r.headers_mut().insert("X-Rate-Limit-Remaining", "599".parse().unwrap());
    r.headers_mut().insert("X-Rate-Limit-Reset", reset.parse().unwrap());
    r
}

fn find_user(org: &Org, key: &str) -> Option<(String, String)> {
    org.users.iter().find(|(id, login)| id == key || login.eq_ignore_ascii_case(key)).cloned()
}

async fn user(State(o): State<Shared>, Path(key): Path<String>) -> Response {
    let org = o.lock().unwrap();
    match find_user(&org, &key) {
        Some((id, login)) => {
            Json(json!({"id": id, "status": "ACTIVE", "profile": {"login": login, "email": login}})).into_response()
        }
        None => error(StatusCode::NOT_FOUND, "E0000007", &format!("Not found: Resource not found: {key} (User)")),
    }
}

fn group_json(g: &OktaGroup) -> serde_json::Value {
    json!({"id": g.id, "type": g.kind, "profile": {"name": g.name, "description": null}})
}

async fn group(State(o): State<Shared>, Path(id): Path<String>) -> Response {
    let org = o.lock().unwrap();
    match org.groups.iter().find(|g| g.id == id) {
        Some(g) => Json(group_json(g)).into_response(),
        None => error(StatusCode::NOT_FOUND, "E0000007", &format!("Not found: Resource not found: {id} (UserGroup)")),
    }
}

async fn user_groups(State(o): State<Shared>, Path(id): Path<String>) -> Response {
    let org = o.lock().unwrap();
    let groups: Vec<serde_json::Value> =
        org.groups.iter().filter(|g| g.members.contains(&id)).map(group_json).collect();
    Json(groups).into_response()
}

#[derive(serde::Deserialize)]
struct ListQuery {
    limit: Option<usize>,
    after: Option<String>,
}

/// A group's members, `limit` at a time after the cursor `after` (a user id), with Okta's `Link` headers: `self`,
/// and `next` while more follow.
async fn members(
    State(o): State<Shared>,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<ListQuery>,
    headers: axum::http::HeaderMap,
) -> Response {
    let org = o.lock().unwrap();
    let Some(g) = org.groups.iter().find(|g| g.id == id) else {
        return error(StatusCode::NOT_FOUND, "E0000007", &format!("Not found: Resource not found: {id} (UserGroup)"));
    };
    let limit = q.limit.unwrap_or(1000).clamp(1, 10_000);
    let start = q.after.as_ref().and_then(|a| g.members.iter().position(|m| m == a)).map_or(0, |i| i + 1);
    let page: Vec<&String> = g.members.iter().skip(start).take(limit).collect();
    let users: Vec<serde_json::Value> = page
        .iter()
        .filter_map(|m| find_user(&org, m))
        .map(|(id, login)| json!({"id": id, "status": "ACTIVE", "profile": {"login": login, "email": login}}))
        .collect();
    let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    let base = format!("http://{host}/api/v1/groups/{id}/users");
    let mut r = Json(users).into_response();
    r.headers_mut().append("Link", format!("<{base}?limit={limit}>; rel=\"self\"").parse().unwrap());
    if start + limit < g.members.len() {
        let last = page.last().map(|s| s.as_str()).unwrap_or("");
        r.headers_mut().append("Link", format!("<{base}?after={last}&limit={limit}>; rel=\"next\"").parse().unwrap());
    }
    r
}

async fn membership(
    State(o): State<Shared>,
    Path((group, user)): Path<(String, String)>,
    request: Request,
) -> Response {
    let mut org = o.lock().unwrap();
    if find_user(&org, &user).is_none() {
        return error(StatusCode::NOT_FOUND, "E0000007", "Not found: Resource not found (User)");
    }
    let Some(g) = org.groups.iter_mut().find(|g| g.id == group) else {
        return error(StatusCode::NOT_FOUND, "E0000007", "Not found: Resource not found (UserGroup)");
    };
    if g.kind != "OKTA_GROUP" {
        return error(
            StatusCode::BAD_REQUEST,
            "E0000001",
            "Api validation failed: Cannot modify an app group's members.",
        );
    }
    g.members.retain(|m| *m != user);
    if request.method() == axum::http::Method::PUT {
        g.members.push(user);
    }
    StatusCode::NO_CONTENT.into_response()
}

pub struct OktaStandIn {
    pub base: String,
    pub org: Shared,
}

impl OktaStandIn {
    pub async fn start(org: Org) -> OktaStandIn {
        let shared: Shared = Arc::new(Mutex::new(org));
        let app = Router::new()
            .route("/api/v1/users/{key}", get(user))
            .route("/api/v1/users/{key}/groups", get(user_groups))
            .route("/api/v1/groups/{id}", get(group))
            .route("/api/v1/groups/{id}/users", get(members))
            .route("/api/v1/groups/{group}/users/{user}", delete(membership).put(membership))
            .layer(middleware::from_fn_with_state(shared.clone(), guard))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        OktaStandIn { base, org: shared }
    }

    pub fn in_group(&self, group: &str, user: &str) -> bool {
        self.org.lock().unwrap().groups.iter().any(|g| g.id == group && g.members.iter().any(|m| m == user))
    }
}
