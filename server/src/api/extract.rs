//! Extractors that turn bad input into the API's error shape instead of axum's plain-text rejections.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use seatwise_types::FieldError;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A JSON body. Syntax errors are 400; well-formed JSON with wrong types or missing fields is 422 with the path.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json =
            req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|ct| {
                ct.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !is_json {
            return Err(AppError::UnsupportedMediaType);
        }
        let ApiBody(bytes) = ApiBody::from_request(req, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// A raw body (an uploaded file): too large is 413, unreadable 400, both in the API's error shape.
pub struct ApiBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state).await.map(ApiBody).map_err(|e: BytesRejection| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge
            } else {
                AppError::BadRequest(format!("could not read the request body: {e}"))
            }
        })
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        if inner.is_syntax() || inner.is_eof() {
            return AppError::BadRequest(format!("malformed JSON: {inner}"));
        }
        let message = strip_position(&inner.to_string());
        let mut path = e.path().to_string();
        // serde reports a missing field at its parent; name the field itself.
        if let Some(field) = message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
            path = if path == "." { field.to_string() } else { format!("{path}.{field}") };
            return AppError::validation(vec![FieldError::new(path, "is required")]);
        }
        AppError::validation(vec![FieldError::new(path, message)])
    })?;
    de.end().map_err(|e| AppError::BadRequest(format!("malformed JSON: {e}")))?;
    Ok(value)
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Query parameters; a bad value (e.g. `vendor_id=abc`) is a 400 naming it.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|e: QueryRejection| AppError::BadRequest(format!("invalid query string: {}", e.body_text())))
    }
}

/// Path parameters; a value of the wrong type (e.g. `/pools/abc`) is a 400 naming it.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|e: PathRejection| AppError::BadRequest(format!("invalid path: {}", e.body_text())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use seatwise_types::PoolInput;

    fn error(json: &str) -> AppError {
        match parse_json::<PoolInput>(json.as_bytes()) {
            Err(e) => e,
            Ok(_) => panic!("accepted {json}"),
        }
    }

    #[test]
    fn wrong_types_name_the_field() {
        match error(r#"{"name":"x","product_id":1,"cost_centre_id":1,"department_id":1,"seats_purchased":"ten"}"#) {
            AppError::Validation { fields, .. } => assert_eq!(fields[0].path, "seats_purchased"),
            other => panic!("{other:?}"),
        }
        match error(
            r#"{"name":"x","product_id":1,"cost_centre_id":1,"department_id":1,"unit_cost":{"amount_minor":1.5,"currency":"USD"}}"#,
        ) {
            AppError::Validation { fields, .. } => {
                assert_eq!(fields[0].path, "unit_cost.amount_minor")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn missing_fields_and_syntax() {
        match error(r#"{"product_id":1}"#) {
            AppError::Validation { fields, .. } => {
                assert_eq!(fields[0], FieldError::new("name", "is required"))
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(error("{\"name\": "), AppError::BadRequest(_)));
        assert!(matches!(error("[] trailing"), AppError::BadRequest(_) | AppError::Validation { .. }));
    }
}
