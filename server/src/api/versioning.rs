//! `If-Match` in, `ETag` out: the HTTP side of record versions (see `domain::version`).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::domain::version::{self, IfMatch as Condition};
use crate::error::AppError;

/// The optional `If-Match: "<version>"` of a write; `None` without one (or with `*`): unconditional.
pub struct IfMatch(pub Option<i64>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::IF_MATCH) else {
            return Ok(IfMatch(None));
        };
        value.to_str().ok().and_then(version::parse_if_match).map(|c| IfMatch(Condition::expected(c))).ok_or_else(
            || {
                AppError::BadRequest(
                    "If-Match must be one entity tag as sent in ETag, e.g. \"3\" (or * for any version)".into(),
                )
            },
        )
    }
}

/// A JSON record with its version as the `ETag` header.
pub struct Tagged<T>(pub i64, pub T);

impl<T: Serialize> IntoResponse for Tagged<T> {
    fn into_response(self) -> Response {
        let mut response = Json(self.1).into_response();
        if let Ok(v) = HeaderValue::from_str(&version::etag(self.0)) {
            response.headers_mut().insert(header::ETAG, v);
        }
        response
    }
}
