//! Vendors, products, departments, cost centres, people.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use seatwise_types::{CostCentre, Department, ErrorResponse, Product, ProductInput, Vendor, VendorInput};

use super::extract::{ApiJson, ApiPath};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::service::catalog;
use crate::state::AppState;

/// All vendors with their pool counts.
#[utoipa::path(get, path = "/vendors", tag = "catalog",
    responses((status = 200, body = Vec<Vendor>), (status = 401, body = ErrorResponse)))]
pub async fn list_vendors(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Vec<Vendor>>> {
    Ok(Json(catalog::vendors(&state.db, &actor).await?))
}

/// Add a vendor.
#[utoipa::path(post, path = "/vendors", tag = "catalog", request_body = VendorInput,
    responses((status = 201, body = Vendor), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_vendor(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<VendorInput>,
) -> AppResult<(StatusCode, Json<Vendor>)> {
    Ok((StatusCode::CREATED, Json(catalog::create_vendor(&state.db, &*state.clock, &actor, &body).await?)))
}

/// One vendor.
#[utoipa::path(get, path = "/vendors/{id}", tag = "catalog", params(("id" = i64, Path)),
    responses((status = 200, body = Vendor), (status = 404, body = ErrorResponse)))]
pub async fn get_vendor(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Vendor>> {
    Ok(Json(catalog::vendor(&state.db, &actor, id).await?))
}

/// All products with their vendors.
#[utoipa::path(get, path = "/products", tag = "catalog",
    responses((status = 200, body = Vec<Product>), (status = 401, body = ErrorResponse)))]
pub async fn list_products(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Vec<Product>>> {
    Ok(Json(catalog::products(&state.db, &actor).await?))
}

/// Add a product to a vendor.
#[utoipa::path(post, path = "/products", tag = "catalog", request_body = ProductInput,
    responses((status = 201, body = Product), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_product(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<ProductInput>,
) -> AppResult<(StatusCode, Json<Product>)> {
    Ok((StatusCode::CREATED, Json(catalog::create_product(&state.db, &*state.clock, &actor, &body).await?)))
}

/// All departments.
#[utoipa::path(get, path = "/departments", tag = "catalog",
    responses((status = 200, body = Vec<Department>), (status = 401, body = ErrorResponse)))]
pub async fn list_departments(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Vec<Department>>> {
    Ok(Json(catalog::departments(&state.db, &actor).await?))
}

/// All cost centres.
#[utoipa::path(get, path = "/cost-centres", tag = "catalog",
    responses((status = 200, body = Vec<CostCentre>), (status = 401, body = ErrorResponse)))]
pub async fn list_cost_centres(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Vec<CostCentre>>> {
    Ok(Json(catalog::cost_centres(&state.db, &actor).await?))
}
