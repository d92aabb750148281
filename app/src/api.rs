//! The one typed client for the Seatwise API. Cookie session; writes echo the CSRF token.

use std::cell::RefCell;

use gloo_net::http::{Request, RequestBuilder, Response};
use seatwise_types::{ErrorBody, ErrorResponse, FieldError};
use serde::de::DeserializeOwned;
use serde::Serialize;

thread_local! {
    static CSRF: RefCell<String> = const { RefCell::new(String::new()) };
    static ON_UNAUTHENTICATED: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

pub fn set_csrf(token: &str) {
    CSRF.with(|c| *c.borrow_mut() = token.to_string());
}

/// Called when the server says the session is gone, so the app can show the login page.
pub fn on_unauthenticated(f: impl Fn() + 'static) {
    ON_UNAUTHENTICATED.with(|c| *c.borrow_mut() = Some(Box::new(f)));
}

/// An API error as the server sent it, or a network failure dressed in the same shape.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub body: ErrorBody,
}

impl ApiError {
    fn network(e: impl std::fmt::Display) -> Self {
        ApiError {
            status: 0,
            body: ErrorBody {
                code: "network".into(),
                message: format!("Could not reach the server: {e}"),
                fields: vec![],
            },
        }
    }

    /// A problem found before sending, in the server's shape so forms show it the same way.
    pub fn local(path: &str, message: &str) -> Self {
        Self::invalid(vec![FieldError::new(path, message)])
    }

    /// Field problems found before sending.
    pub fn invalid(fields: Vec<FieldError>) -> Self {
        let message = match fields.as_slice() {
            [one] => one.message.clone(),
            _ => "Some fields need attention.".into(),
        };
        ApiError { status: 422, body: ErrorBody { code: "validation_failed".into(), message, fields } }
    }

    pub fn message(&self) -> String {
        self.body.message.clone()
    }

    /// The server's message for one field, if it named that field.
    pub fn field(&self, path: &str) -> Option<String> {
        self.body.fields.iter().find(|f| f.path == path).map(|f| f.message.clone())
    }

    pub fn fields(&self) -> &[FieldError] {
        &self.body.fields
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

async fn finish<T: DeserializeOwned>(response: Result<Response, gloo_net::Error>) -> ApiResult<T> {
    let response = response.map_err(ApiError::network)?;
    let status = response.status();
    if (200..300).contains(&status) {
        if status == 204 {
            // Endpoints that answer 204 are called with T = ().
            return serde_json::from_str("null").map_err(ApiError::network);
        }
        return response.json::<T>().await.map_err(ApiError::network);
    }
    if status == 401 {
        ON_UNAUTHENTICATED.with(|c| {
            if let Some(f) = c.borrow().as_ref() {
                f();
            }
        });
    }
    let body = match response.json::<ErrorResponse>().await {
        Ok(e) => e.error,
        Err(_) => ErrorBody { code: "http".into(), message: format!("The server answered {status}."), fields: vec![] },
    };
    Err(ApiError { status, body })
}

fn with_csrf(builder: RequestBuilder) -> RequestBuilder {
    let token = CSRF.with(|c| c.borrow().clone());
    builder.header("X-CSRF-Token", &token)
}

pub async fn get<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    finish(Request::get(path).send().await).await
}

async fn send<B: Serialize, T: DeserializeOwned>(builder: RequestBuilder, body: Option<&B>) -> ApiResult<T> {
    let builder = with_csrf(builder);
    let request = match body {
        Some(b) => builder.json(b).map_err(ApiError::network)?,
        None => builder.build().map_err(ApiError::network)?,
    };
    finish(request.send().await).await
}

pub async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    send(Request::post(path), Some(body)).await
}

pub async fn post_empty<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    send::<(), T>(Request::post(path), None).await
}

/// Upload a text file as the request body (imports).
pub async fn post_text<T: DeserializeOwned>(path: &str, content_type: &str, text: String) -> ApiResult<T> {
    let request =
        with_csrf(Request::post(path)).header("Content-Type", content_type).body(text).map_err(ApiError::network)?;
    finish(request.send().await).await
}

pub async fn put<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    send(Request::put(path), Some(body)).await
}

/// What a form shows when its record changed on the server after it was opened (409 on an If-Match write).
pub const STALE_MESSAGE: &str = "Someone else changed this record since you opened it. Reload to see their changes.";

/// Replace a record only if it is still at `version` (the one the page loaded): `If-Match: "<version>"`. A 409
/// means someone else saved in between; the caller keeps what was typed and shows `STALE_MESSAGE`.
pub async fn put_if<B: Serialize, T: DeserializeOwned>(path: &str, body: &B, version: Option<i64>) -> ApiResult<T> {
    let builder = match version {
        Some(v) => Request::put(path).header("If-Match", &format!("\"{v}\"")),
        None => Request::put(path),
    };
    send(builder, Some(body)).await.map_err(|mut e| {
        if version.is_some() && e.status == 409 {
            e.body.message = STALE_MESSAGE.to_string();
        }
        e
    })
}

pub async fn delete(path: &str) -> ApiResult<()> {
    send::<(), ()>(Request::delete(path), None).await
}

/// Build `?a=1&b=x` from pairs, skipping empty values.
pub fn query(pairs: &[(&str, String)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", js_sys::encode_uri_component(v)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}
