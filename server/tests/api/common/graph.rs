//! A Microsoft Graph stand-in, written from Microsoft's documented requests and responses, since no real Graph is
//! reachable here: the client-credentials token endpoint, `GET /users/{id|upn}` with `licenseAssignmentStates`,
//! `POST /users/{id}/assignLicense` (a license a group assigns cannot be removed on the user; no free unit is a
//! `CountViolation`; a user without a usage location cannot be given one), `DELETE /groups/{id}/members/{id}/$ref`,
//! `GET /groups/{id}`, `GET /subscribedSkus` and `GET /users` with paging. It can answer 429 with `Retry-After`.

use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

pub const TOKEN: &str = "standin-access-token";

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub upn: String,
    pub usage_location: Option<String>,
    /// SKUs assigned directly.
    pub direct: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub name: String,
    /// The SKU the group assigns to its members.
    pub sku: String,
    pub members: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Sku {
    pub sku_id: String,
    pub part_number: String,
    pub enabled: i64,
}

#[derive(Debug, Default)]
pub struct Tenant {
    /// The Graph base address (set when started; paging links name it).
    pub base: String,
    pub secret: String,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub skus: Vec<Sku>,
    /// The next this many Graph calls are answered 429 with `Retry-After: 1`.
    pub throttle: u32,
    /// Every Graph call, as "METHOD /path".
    pub calls: Vec<String>,
}

impl Tenant {
    fn holds(&self, user: &User, sku: &str) -> bool {
        user.direct.iter().any(|s| s.eq_ignore_ascii_case(sku))
            || self.groups.iter().any(|g| g.sku.eq_ignore_ascii_case(sku) && g.members.contains(&user.id))
    }

    fn consumed(&self, sku: &str) -> i64 {
        self.users.iter().filter(|u| self.holds(u, sku)).count() as i64
    }

    fn find(&self, key: &str) -> Option<usize> {
        self.users.iter().position(|u| u.id == key || u.upn.eq_ignore_ascii_case(key))
    }

    fn user_json(&self, u: &User) -> Value {
        let mut states: Vec<Value> = u
            .direct
            .iter()
            .map(|s| json!({"skuId": s, "assignedByGroup": null, "state": "Active", "error": "None", "disabledPlans": []}))
            .collect();
        for g in self.groups.iter().filter(|g| g.members.contains(&u.id)) {
            states.push(json!({"skuId": g.sku, "assignedByGroup": g.id, "state": "Active", "error": "None",
                "disabledPlans": []}));
        }
        let assigned: Vec<Value> = states.iter().map(|s| json!({"skuId": s["skuId"], "disabledPlans": []})).collect();
        json!({"id": u.id, "userPrincipalName": u.upn, "usageLocation": u.usage_location,
            "assignedLicenses": assigned, "licenseAssignmentStates": states})
    }
}

type Shared = Arc<Mutex<Tenant>>;

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"error": {"code": code, "message": message, "innerError": {"request-id": "standin"}}})))
        .into_response()
}

async fn token(State(t): State<Shared>, Path(_tenant): Path<String>, body: String) -> Response {
    let form: std::collections::HashMap<String, String> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let secret = t.lock().unwrap().secret.clone();
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "unsupported_grant_type"}))).into_response();
    }
    if form.get("client_secret") != Some(&secret) {
        let description = "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the \
                           request is the client secret value, not the client secret ID.\r\nTrace ID: standin";
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": "invalid_client", "error_description": description})))
            .into_response();
    }
    Json(json!({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": TOKEN}))
        .into_response()
}

/// Every Graph call: the token checked, the call logged, and a 429 while throttled.
async fn guard(State(t): State<Shared>, request: Request, next: Next) -> Response {
    let bearer = request.headers().get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    {
        let mut tenant = t.lock().unwrap();
        tenant.calls.push(format!("{} {}", request.method(), request.uri().path()));
        if bearer != format!("Bearer {TOKEN}") {
            return error(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", "Access token is empty.");
        }
        if tenant.throttle > 0 {
            tenant.throttle -= 1;
            let mut r = error(StatusCode::TOO_MANY_REQUESTS, "TooManyRequests", "Too many requests.");
            r.headers_mut().insert("Retry-After", "1".parse().unwrap());
            return r;
        }
    }
    next.run(request).await
}

async fn user(State(t): State<Shared>, Path(key): Path<String>) -> Response {
    let tenant = t.lock().unwrap();
    match tenant.find(&key) {
        Some(i) => Json(tenant.user_json(&tenant.users[i])).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            &format!(
                "Resource '{key}' does not exist or one of its queried reference-property objects are not present."
            ),
        ),
    }
}

async fn assign_license(State(t): State<Shared>, Path(key): Path<String>, Json(body): Json<Value>) -> Response {
    let mut tenant = t.lock().unwrap();
    let Some(i) = tenant.find(&key) else {
        return error(StatusCode::NOT_FOUND, "Request_ResourceNotFound", "Resource does not exist.");
    };
    let user = tenant.users[i].clone();
    let add: Vec<String> = body["addLicenses"]
        .as_array()
        .map(|a| a.iter().filter_map(|l| l["skuId"].as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let remove: Vec<String> = body["removeLicenses"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    // Checked whole before anything changes, as Graph does.
    for sku in &remove {
        if !user.direct.iter().any(|s| s.eq_ignore_ascii_case(sku)) {
            if tenant.holds(&user, sku) {
                return error(
                    StatusCode::BAD_REQUEST,
                    "Request_BadRequest",
                    "User license is inherited from a group membership and it cannot be removed directly from the user.",
                );
            }
            return error(StatusCode::BAD_REQUEST, "Request_BadRequest", "User does not have a corresponding license.");
        }
    }
    for sku in &add {
        if user.usage_location.is_none() {
            return error(
                StatusCode::BAD_REQUEST,
                "Request_BadRequest",
                "License assignment cannot be done for user with invalid usage location.",
            );
        }
        let enabled = tenant.skus.iter().find(|s| s.sku_id.eq_ignore_ascii_case(sku)).map_or(0, |s| s.enabled);
        // Units freed by this same call count (a downgrade within one SKU family).
        let freed = remove.iter().filter(|r| r.eq_ignore_ascii_case(sku)).count() as i64;
        if tenant.consumed(sku) - freed >= enabled && !tenant.holds(&user, sku) {
            return error(
                StatusCode::BAD_REQUEST,
                "Request_BadRequest",
                &format!("Subscription with SKU {sku} does not have any available licenses."),
            );
        }
    }
    let u = &mut tenant.users[i];
    u.direct.retain(|s| !remove.iter().any(|r| r.eq_ignore_ascii_case(s)));
    for sku in add {
        if !u.direct.iter().any(|s| s.eq_ignore_ascii_case(&sku)) {
            u.direct.push(sku);
        }
    }
    let u = tenant.users[i].clone();
    Json(tenant.user_json(&u)).into_response()
}

async fn leave_group(State(t): State<Shared>, Path((group, user)): Path<(String, String)>) -> Response {
    let mut tenant = t.lock().unwrap();
    match tenant.groups.iter_mut().find(|g| g.id == group) {
        Some(g) => {
            g.members.retain(|m| *m != user);
            StatusCode::NO_CONTENT.into_response()
        }
        None => error(StatusCode::NOT_FOUND, "Request_ResourceNotFound", "Resource does not exist."),
    }
}

async fn group(State(t): State<Shared>, Path(id): Path<String>) -> Response {
    let tenant = t.lock().unwrap();
    match tenant.groups.iter().find(|g| g.id == id) {
        Some(g) => Json(json!({"id": g.id, "displayName": g.name})).into_response(),
        None => error(StatusCode::NOT_FOUND, "Request_ResourceNotFound", "Resource does not exist."),
    }
}

async fn subscribed_skus(State(t): State<Shared>) -> Response {
    let tenant = t.lock().unwrap();
    let value: Vec<Value> = tenant
        .skus
        .iter()
        .map(|s| {
            json!({"skuId": s.sku_id, "skuPartNumber": s.part_number, "consumedUnits": tenant.consumed(&s.sku_id),
                "capabilityStatus": "Enabled", "prepaidUnits": {"enabled": s.enabled, "suspended": 0, "warning": 0}})
        })
        .collect();
    Json(json!({"value": value})).into_response()
}

async fn users(State(t): State<Shared>, Query(q): Query<std::collections::HashMap<String, String>>) -> Response {
    let tenant = t.lock().unwrap();
    let top: usize = q.get("$top").and_then(|v| v.parse().ok()).unwrap_or(100).min(999);
    let skip: usize = q.get("$skiptoken").and_then(|v| v.parse().ok()).unwrap_or(0);
    let page: Vec<Value> = tenant.users.iter().skip(skip).take(top).map(|u| tenant.user_json(u)).collect();
    let mut body = json!({"value": page});
    if skip + top < tenant.users.len() {
        body["@odata.nextLink"] = json!(format!("{}/users?$top={top}&$skiptoken={}", tenant.base, skip + top));
    }
    Json(body).into_response()
}

pub struct GraphStandIn {
    /// The Graph base address (`…/v1.0`).
    pub base: String,
    pub tenant: Shared,
}

impl GraphStandIn {
    pub async fn start(tenant: Tenant) -> GraphStandIn {
        let shared: Shared = Arc::new(Mutex::new(tenant));
        let graph = Router::new()
            .route("/users", get(users))
            .route("/users/{key}", get(user))
            .route("/users/{key}/assignLicense", post(assign_license))
            .route("/groups/{group}", get(group))
            .route("/groups/{group}/members/{user}/$ref", delete(leave_group))
            .route("/subscribedSkus", get(subscribed_skus))
            .layer(middleware::from_fn_with_state(shared.clone(), guard));
        let app = Router::new()
            .route("/{tenant}/oauth2/v2.0/token", post(token))
            .nest("/v1.0", graph)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/v1.0", listener.local_addr().unwrap());
        shared.lock().unwrap().base = base.clone();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        GraphStandIn { base, tenant: shared }
    }

    /// Whether the user holds the SKU (directly or by a group).
    pub fn holds(&self, upn: &str, sku: &str) -> bool {
        let t = self.tenant.lock().unwrap();
        t.find(upn).is_some_and(|i| t.holds(&t.users[i], sku))
    }
}
