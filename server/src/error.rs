//! The one place where errors become HTTP responses.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use seatwise_types::{ErrorBody, ErrorResponse, FieldError};

use crate::domain::escape::Escaped;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("authentication required")]
    Unauthenticated,
    #[error("{0}")]
    InvalidCredentials(String),
    #[error("{0}")]
    Forbidden(String),
    /// The access policy refused (`domain::access`), with its reason.
    #[error(transparent)]
    Denied(#[from] crate::domain::access::Denied),
    #[error("CSRF token missing or wrong: send the session's csrf_token as X-CSRF-Token")]
    Csrf,
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    BadRequest(String),
    #[error("{message}")]
    Validation { message: String, fields: Vec<FieldError> },
    #[error("{0}")]
    Conflict(String),
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("unsupported media type: send application/json")]
    UnsupportedMediaType,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Something that should not happen; the cause is kept for the log.
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("the server is busy; try again in {retry_after_secs} seconds")]
    Busy { retry_after_secs: u64 },
    /// The request ran past `--request-timeout`; what it did was rolled back.
    #[error("the request took too long and was stopped; try again")]
    Timeout,
    /// A SCIM request that cannot be applied; `scim_type` is its RFC 7644 §3.12 error type.
    #[error("{detail}")]
    Scim { scim_type: &'static str, detail: String },
}

/// What was being done when an internal error happened.
#[derive(Debug, thiserror::Error)]
#[error("{context}")]
struct InContext {
    context: String,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

pub type AppResult<T> = Result<T, AppError>;

/// One field's problem is a validation error of its own.
impl From<FieldError> for AppError {
    fn from(field: FieldError) -> Self {
        AppError::validation(vec![field])
    }
}

impl AppError {
    pub fn validation(fields: Vec<FieldError>) -> Self {
        let message = match fields.as_slice() {
            [one] => format!("{}: {}", one.path, one.message),
            _ => format!("{} fields are invalid", fields.len()),
        };
        AppError::Validation { message, fields }
    }

    /// An internal error that keeps its cause (an error value, or a sentence saying what broke).
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        AppError::Internal(cause.into())
    }

    /// An internal error saying where it happened, with its cause below.
    pub fn internal_in(context: impl Into<String>, cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        AppError::Internal(Box::new(InContext { context: context.into(), source: cause.into() }))
    }

    pub fn field(path: &str, message: &str) -> Self {
        Self::validation(vec![FieldError::new(path, message)])
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            AppError::InvalidCredentials(_) => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            AppError::Forbidden(_) | AppError::Denied(_) => (StatusCode::FORBIDDEN, "forbidden"),
            AppError::Csrf => (StatusCode::FORBIDDEN, "csrf_failed"),
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            AppError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            AppError::Validation { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
            AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            AppError::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            AppError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            AppError::UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            AppError::Database(_) | AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            AppError::Busy { .. } => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            AppError::Scim { .. } => (StatusCode::BAD_REQUEST, "bad_request"),
            AppError::Timeout => (StatusCode::SERVICE_UNAVAILABLE, "timeout"),
        }
    }
}

/// An error with every cause under it, for the log: `sqlx::Error::ColumnDecode` names the column (`table.column`)
/// and its source says why the stored value was refused. A cause already spelled out by the message above it is not
/// repeated.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text
}

impl AppError {
    /// What the client is told: the error itself, except that internal causes stay in the log.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Database(_) | AppError::Internal(_) => "The server could not complete the request.".to_string(),
            other => other.to_string(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        // Internal details go to the log, never to the client.
        match &self {
            AppError::Database(e) => tracing::error!(error = %Escaped(&chain(e)), "database error"),
            AppError::Internal(e) => tracing::error!(error = %Escaped(&chain(e.as_ref())), "internal error"),
            _ => {}
        }
        let message = self.public_message();
        let fields = match self {
            AppError::Validation { ref fields, .. } => fields.clone(),
            _ => Vec::new(),
        };
        let body = ErrorResponse { error: ErrorBody { code: code.to_string(), message, fields } };
        let mut response = (status, axum::Json(body)).into_response();
        if let AppError::TooManyRequests { retry_after_secs } | AppError::Busy { retry_after_secs } = self {
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decode_error_is_logged_with_its_column_and_cause() {
        let e = sqlx::Error::ColumnDecode {
            index: "pools.contract_end".into(),
            source: Box::new(std::io::Error::other("not a date")),
        };
        let text = chain(&e);
        assert!(text.contains("pools.contract_end"), "{text}");
        assert!(text.contains("not a date"), "{text}");
        assert_eq!(text.matches("not a date").count(), 1, "{text}");
    }
}
