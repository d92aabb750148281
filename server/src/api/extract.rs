//! Extractors that turn bad input into the API's error shape instead of axum's plain-text rejections.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
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
        if !is_json(&req) {
            return Err(AppError::UnsupportedMediaType);
        }
        parse_json(&body_bytes(req, state).await?).map(ApiJson)
    }
}

/// A raw body (an uploaded file): too large is 413, unreadable 400, both in the API's error shape.
pub struct ApiBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        body_bytes(req, state).await.map(ApiBody)
    }
}

/// An optional JSON body: an empty body is `T::default()`, anything else is read as [`ApiJson`] reads it.
pub struct OptionalJson<T>(pub T);

fn is_json(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")))
}

async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, AppError> {
    Bytes::from_request(req, state).await.map_err(|e: BytesRejection| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge
        } else {
            AppError::BadRequest(format!("could not read the request body: {e}"))
        }
    })
}

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for OptionalJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = is_json(&req);
        let bytes = body_bytes(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        if !json {
            return Err(AppError::UnsupportedMediaType);
        }
        parse_json(&bytes).map(OptionalJson)
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    // No text Seatwise keeps may hold a NUL (PostgreSQL cannot store one); only a body that escapes one is walked.
    if bytes.windows(6).any(|w| w == b"\\u0000") {
        if let Some(path) = serde_json::from_slice::<serde_json::Value>(bytes).ok().as_ref().and_then(nul_at) {
            return Err(AppError::validation(vec![FieldError::new(path, NUL_MESSAGE)]));
        }
    }
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

const NUL_MESSAGE: &str = "must not contain a NUL character";

/// The path of the first string (or key) in a JSON value that holds a NUL, as serde names paths.
pub(super) fn nul_at(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) if s.contains('\0') => Some(".".into()),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| {
            nul_at(v).map(|rest| if rest == "." { format!("[{i}]") } else { format!("[{i}]{}", dotted(&rest)) })
        }),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.contains('\0') {
                return Some(k.replace('\0', "\\u0000"));
            }
            nul_at(v).map(|rest| if rest == "." { k.clone() } else { format!("{k}{}", dotted(&rest)) })
        }),
        _ => None,
    }
}

fn dotted(rest: &str) -> String {
    if rest.starts_with('[') {
        rest.to_string()
    } else {
        format!(".{rest}")
    }
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Query parameters. A missing or unreadable one (e.g. `vendor_id=abc`) is a 422 naming the parameter in a
/// sentence, as a bad JSON field is.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or_default()).map(ApiQuery)
    }
}

pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, AppError> {
    if let Some((name, _)) =
        form_urlencoded::parse(query.as_bytes()).find(|(k, v)| k.contains('\0') || v.contains('\0'))
    {
        let name = name.replace('\0', "\\u0000");
        return Err(AppError::Validation {
            message: format!("The query parameter {name} {NUL_MESSAGE}."),
            fields: vec![FieldError::new(name, NUL_MESSAGE)],
        });
    }
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let message = e.inner().to_string();
        let mut path = e.path().to_string();
        let invalid = |path: String, why: String| AppError::Validation {
            message: format!("The query parameter {path} {why}."),
            fields: vec![FieldError::new(path, why)],
        };
        if let Some(field) = message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
            return invalid(field.to_string(), "is required".into());
        }
        const DATE_ERRORS: [&str; 6] = [
            "input contains invalid characters",
            "premature end of input",
            "trailing input",
            "input is out of range",
            "no possible date and time matching input",
            "input is not enough for unique date and time",
        ];
        let why = if ["integer", "digit", "number too"].iter().any(|m| message.contains(m)) {
            "must be a whole number".to_string()
        } else if message == seatwise_types::when::range_message() {
            message
        } else if DATE_ERRORS.contains(&message.as_str()) {
            "must be a date such as 2026-01-31".to_string()
        } else if message.contains("provided string was not `true` or `false`") {
            "must be true or false".to_string()
        } else if let Some(rest) = message.strip_prefix("unknown variant ") {
            // serde: "unknown variant `x`, expected one of `a`, `b`"
            format!("must be one of {}", rest.split_once("expected ").map_or(rest, |(_, e)| e).replace("one of ", ""))
        } else {
            format!("cannot be read: {message}")
        };
        if path == "." {
            path = "query".into();
        }
        invalid(path, why)
    })
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
    fn query_problems_name_the_parameter() {
        let fields = |q: &str| match parse_query::<seatwise_types::SnipeItUploadQuery>(q) {
            Err(AppError::Validation { fields, .. }) => fields,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            fields("department_id=&cost_centre_id=1"),
            [FieldError::new("department_id", "must be a whole number")]
        );
        assert_eq!(fields("department_id=x"), [FieldError::new("department_id", "must be a whole number")]);
        let basis = fields("cost_per=weekly");
        assert_eq!(basis[0].path, "cost_per");
        assert!(basis[0].message.contains("seat_year"), "{}", basis[0].message);
        match parse_query::<seatwise_types::FeedQuery>("") {
            Err(AppError::Validation { fields, .. }) => assert_eq!(fields, [FieldError::new("token", "is required")]),
            other => panic!("{other:?}"),
        }
        let ok: seatwise_types::SnipeItUploadQuery =
            parse_query("department_id=3&cost_centre_id=4&filename=a%20b.csv").unwrap();
        assert_eq!((ok.department_id, ok.filename.as_deref()), (Some(3), Some("a b.csv")));
    }

    #[test]
    fn a_nul_anywhere_is_named_not_stored() {
        match error(r#"{"name":"a\u0000b","product_id":1}"#) {
            AppError::Validation { fields, .. } => assert_eq!(fields, [FieldError::new("name", NUL_MESSAGE)]),
            other => panic!("{other:?}"),
        }
        let v: serde_json::Value = serde_json::from_str(r#"{"operations":[{"op":"x"},{"note":"\u0000"}]}"#).unwrap();
        assert_eq!(nul_at(&v).as_deref(), Some("operations[1].note"));
        match parse_query::<seatwise_types::SnipeItUploadQuery>("filename=a%00b") {
            Err(AppError::Validation { fields, .. }) => assert_eq!(fields, [FieldError::new("filename", NUL_MESSAGE)]),
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
