//! `/scim/v2`: the SCIM 2.0 service provider identity providers (Entra ID, Okta) provision people through.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::ScimClient;
use crate::domain::escape::Escaped;
use crate::domain::scim::{ERROR_SCHEMA, LIST_SCHEMA, MAX_RESULTS, USER_SCHEMA};
use crate::error::AppError;
use crate::service::scim;
use crate::state::AppState;

const SCIM_JSON: &str = "application/scim+json";

/// Errors in SCIM's own shape (RFC 7644 §3.12), from the application's errors.
pub struct ScimError(AppError);

impl From<AppError> for ScimError {
    fn from(e: AppError) -> Self {
        ScimError(e)
    }
}

impl From<sqlx::Error> for ScimError {
    fn from(e: sqlx::Error) -> Self {
        ScimError(AppError::Database(e))
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let (status, scim_type) = match &self.0 {
            AppError::Unauthenticated | AppError::InvalidCredentials(_) => (StatusCode::UNAUTHORIZED, None),
            AppError::Forbidden(_) | AppError::Denied(_) | AppError::Csrf => (StatusCode::FORBIDDEN, None),
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, None),
            AppError::Conflict(_) => (StatusCode::CONFLICT, Some("uniqueness")),
            AppError::BadRequest(_) | AppError::Validation { .. } | AppError::UnsupportedMediaType => {
                (StatusCode::BAD_REQUEST, Some("invalidValue"))
            }
            AppError::Scim { scim_type, .. } => (StatusCode::BAD_REQUEST, Some(*scim_type)),
            AppError::Timeout => (StatusCode::SERVICE_UNAVAILABLE, None),
            AppError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, None),
            AppError::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, None),
            AppError::Busy { .. } => (StatusCode::SERVICE_UNAVAILABLE, None),
            AppError::Database(e) => {
                tracing::error!(error = %Escaped(&crate::error::chain(&e)), "database error in SCIM");
                (StatusCode::INTERNAL_SERVER_ERROR, None)
            }
            AppError::Internal(e) => {
                tracing::error!(error = %Escaped(&crate::error::chain(e.as_ref())), "internal error in SCIM");
                (StatusCode::INTERNAL_SERVER_ERROR, None)
            }
        };
        let detail =
            if status == StatusCode::INTERNAL_SERVER_ERROR { "internal error".to_string() } else { self.0.to_string() };
        let mut body = json!({"schemas": [ERROR_SCHEMA], "status": status.as_u16().to_string(), "detail": detail});
        if let Some(t) = scim_type {
            body["scimType"] = json!(t);
        }
        scim_response(status, body)
    }
}

fn scim_response(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, SCIM_JSON)], body.to_string()).into_response()
}

type ScimResult = Result<Response, ScimError>;

fn document(body: &Bytes) -> Result<Value, ScimError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| ScimError(AppError::BadRequest(format!("malformed JSON: {e}"))))?;
    // No text Seatwise keeps may hold a NUL (PostgreSQL cannot store one).
    match super::extract::nul_at(&value) {
        Some(path) => Err(ScimError(AppError::BadRequest(format!("{path} must not contain a NUL character")))),
        None => Ok(value),
    }
}

async fn list_users(State(state): State<AppState>, _: ScimClient, Query(q): Query<scim::ListQuery>) -> ScimResult {
    Ok(scim_response(StatusCode::OK, scim::list(&state.db, &q).await?))
}

/// `POST /Users/.search`: the same query in a body.
async fn search_users(State(state): State<AppState>, _: ScimClient, body: Bytes) -> ScimResult {
    let q: scim::ListQuery = serde_json::from_slice(&body)
        .map_err(|e| ScimError(AppError::BadRequest(format!("malformed search request: {e}"))))?;
    Ok(scim_response(StatusCode::OK, scim::list(&state.db, &q).await?))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Projection {
    attributes: Option<String>,
    excluded_attributes: Option<String>,
}

async fn create_user(State(state): State<AppState>, client: ScimClient, body: Bytes) -> ScimResult {
    Ok(scim_response(StatusCode::CREATED, scim::create(&state.db, &*state.clock, &client, &document(&body)?).await?))
}

async fn get_user(
    State(state): State<AppState>,
    _: ScimClient,
    Path(id): Path<String>,
    Query(p): Query<Projection>,
) -> ScimResult {
    let user = scim::get(&state.db, &id, p.attributes.as_deref(), p.excluded_attributes.as_deref()).await?;
    Ok(scim_response(StatusCode::OK, user))
}

async fn put_user(
    State(state): State<AppState>,
    client: ScimClient,
    Path(id): Path<String>,
    body: Bytes,
) -> ScimResult {
    Ok(scim_response(StatusCode::OK, scim::replace(&state.db, &*state.clock, &client, &id, &document(&body)?).await?))
}

async fn patch_user(
    State(state): State<AppState>,
    client: ScimClient,
    Path(id): Path<String>,
    body: Bytes,
) -> ScimResult {
    Ok(scim_response(StatusCode::OK, scim::patch(&state.db, &*state.clock, &client, &id, &document(&body)?).await?))
}

async fn delete_user(State(state): State<AppState>, client: ScimClient, Path(id): Path<String>) -> ScimResult {
    scim::delete(&state.db, &*state.clock, &client, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Groups are listed (none yet); group-driven provisioning comes with license groups.
async fn list_groups(_: ScimClient) -> ScimResult {
    Ok(scim_response(
        StatusCode::OK,
        json!({"schemas": [LIST_SCHEMA], "totalResults": 0, "startIndex": 1, "itemsPerPage": 0, "Resources": []}),
    ))
}

async fn service_provider_config(_: ScimClient) -> ScimResult {
    Ok(scim_response(
        StatusCode::OK,
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "patch": {"supported": true},
            "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": true, "maxResults": MAX_RESULTS},
            "changePassword": {"supported": false},
            "sort": {"supported": false},
            "etag": {"supported": false},
            "authenticationSchemes": [{"type": "oauthbearertoken", "name": "Bearer token",
                "description": "A SCIM token created by a Seatwise admin (POST /api/v1/scim/tokens)."}],
            "meta": {"resourceType": "ServiceProviderConfig", "location": "/scim/v2/ServiceProviderConfig"}
        }),
    ))
}

fn user_schema() -> Value {
    let attr = |name: &str, kind: &str, required: bool, uniqueness: &str| {
        json!({"name": name, "type": kind, "multiValued": false, "required": required, "caseExact": false,
            "mutability": "readWrite", "returned": "default", "uniqueness": uniqueness})
    };
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": USER_SCHEMA, "name": "User", "description": "A person who can hold seats",
        "attributes": [
            attr("userName", "string", true, "server"),
            attr("displayName", "string", false, "none"),
            attr("externalId", "string", false, "none"),
            attr("active", "boolean", false, "none"),
            {"name": "name", "type": "complex", "multiValued": false, "required": false, "mutability": "readWrite",
             "returned": "default", "subAttributes": [attr("givenName", "string", false, "none"), attr("familyName", "string", false, "none"), attr("formatted", "string", false, "none")]},
            {"name": "emails", "type": "complex", "multiValued": true, "required": false, "mutability": "readWrite",
             "returned": "default", "subAttributes": [attr("value", "string", false, "none"), attr("type", "string", false, "none"), attr("primary", "boolean", false, "none")]}
        ],
        "meta": {"resourceType": "Schema", "location": format!("/scim/v2/Schemas/{USER_SCHEMA}")}
    })
}

async fn schema_by_id(_: ScimClient, Path(id): Path<String>) -> ScimResult {
    if id == USER_SCHEMA {
        Ok(scim_response(StatusCode::OK, user_schema()))
    } else {
        Err(ScimError(AppError::NotFound("schema")))
    }
}

async fn resource_type_by_id(_: ScimClient, Path(id): Path<String>) -> ScimResult {
    if id == "User" {
        Ok(scim_response(StatusCode::OK, user_resource_type()))
    } else {
        Err(ScimError(AppError::NotFound("resource type")))
    }
}

/// Unknown paths under /scim answer in SCIM's error shape.
pub fn not_found() -> Response {
    ScimError(AppError::NotFound("SCIM endpoint")).into_response()
}

async fn schemas(_: ScimClient) -> ScimResult {
    let list = vec![user_schema()];
    Ok(scim_response(
        StatusCode::OK,
        json!({"schemas": [LIST_SCHEMA], "totalResults": list.len(), "startIndex": 1, "itemsPerPage": list.len(), "Resources": list}),
    ))
}

fn user_resource_type() -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "id": "User", "name": "User",
        "endpoint": "/Users", "schema": USER_SCHEMA, "meta": {"resourceType": "ResourceType", "location": "/scim/v2/ResourceTypes/User"}})
}

async fn resource_types(_: ScimClient) -> ScimResult {
    let users = user_resource_type();
    Ok(scim_response(
        StatusCode::OK,
        json!({"schemas": [LIST_SCHEMA], "totalResults": 1, "startIndex": 1, "itemsPerPage": 1, "Resources": [users]}),
    ))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/scim/v2/ServiceProviderConfig", get(service_provider_config))
        .route("/scim/v2/Schemas", get(schemas))
        .route("/scim/v2/ResourceTypes", get(resource_types))
        .route("/scim/v2/ResourceTypes/{id}", get(resource_type_by_id))
        .route("/scim/v2/Schemas/{id}", get(schema_by_id))
        .route("/scim/v2/Users", get(list_users).post(create_user))
        .route("/scim/v2/Users/.search", axum::routing::post(search_users))
        .route("/scim/v2/.search", axum::routing::post(search_users))
        .route("/scim/v2/Users/{id}", get(get_user).put(put_user).patch(patch_user).delete(delete_user))
        .route("/scim/v2/Groups", get(list_groups))
}
