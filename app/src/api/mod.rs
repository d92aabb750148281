//! The one typed client for the Seatwise API: one module per resource, one function per endpoint the console
//! uses, so pages never build an API address. This module is their base: fetch, the session's CSRF token on
//! writes, `If-Match` versions, and the server's error shape. Cookie session; writes echo the CSRF token.

pub mod alerts;
pub mod calendar;
pub mod campaigns;
pub mod catalog;
pub mod change_requests;
pub mod connectors;
pub mod contracts;
pub mod devices;
pub mod finance;
pub mod imports;
pub mod ledger;
pub mod people;
pub mod pools;
pub mod reclamation;
pub mod session;
pub mod settings;
pub mod webhooks;

use std::cell::RefCell;

use gloo_net::http::{Request, RequestBuilder};
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
        Self::failure("network", format!("Could not reach the server: {e}"))
    }

    /// A failure that has no field to stand beside (a file that could not be read, say).
    pub fn failure(code: &str, message: impl Into<String>) -> Self {
        ApiError { status: 0, body: ErrorBody { code: code.into(), message: message.into(), fields: vec![] } }
    }

    /// The same error answered with another HTTP status (as the server would have).
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
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

// The transport below is not generic: only `decode` is compiled once per answer type, so each endpoint adds its
// JSON decoding to the app and not another copy of fetching, status handling and error parsing (issue 34: size).

/// Send a request and read its answer: the body of a 2xx (`None` for 204), else the server's error.
async fn exchange(request: Result<Request, gloo_net::Error>) -> ApiResult<Option<String>> {
    let response = request.map_err(ApiError::network)?.send().await.map_err(ApiError::network)?;
    let status = response.status();
    if (200..300).contains(&status) {
        if status == 204 {
            return Ok(None);
        }
        return response.text().await.map(Some).map_err(ApiError::network);
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

/// The answer's JSON as `T`; endpoints that answer 204 are called with `T = ()`.
fn decode<T: DeserializeOwned>(body: Option<String>) -> ApiResult<T> {
    serde_json::from_str(body.as_deref().unwrap_or("null")).map_err(ApiError::network)
}

/// A body as JSON text, written before the (non-generic) request is built.
fn encode<B: Serialize>(body: &B) -> ApiResult<String> {
    serde_json::to_string(body).map_err(ApiError::network)
}

fn with_csrf(builder: RequestBuilder) -> RequestBuilder {
    let token = CSRF.with(|c| c.borrow().clone());
    builder.header("X-CSRF-Token", &token)
}

async fn get<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    decode(exchange(Request::get(&url(path)).build()).await?)
}

/// A write: the CSRF token, and the JSON body if there is one.
async fn send(builder: RequestBuilder, json: Option<String>) -> ApiResult<Option<String>> {
    let builder = with_csrf(builder);
    let request = match json {
        Some(text) => builder.header("Content-Type", "application/json").body(text),
        None => builder.build(),
    };
    exchange(request).await
}

async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    decode(send(Request::post(&url(path)), Some(encode(body)?)).await?)
}

async fn post_empty<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    decode(send(Request::post(&url(path)), None).await?)
}

/// Upload a text file as the request body (imports).
async fn post_text<T: DeserializeOwned>(path: &str, content_type: &str, text: String) -> ApiResult<T> {
    let request = with_csrf(Request::post(&url(path))).header("Content-Type", content_type).body(text);
    decode(exchange(request).await?)
}

async fn put<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    decode(send(Request::put(&url(path)), Some(encode(body)?)).await?)
}

/// What a form shows when its record changed on the server after it was opened (409 on an If-Match write).
pub const STALE_MESSAGE: &str = "Someone else changed this record since you opened it. Reload to see their changes.";

/// Replace a record only if it is still at `version` (the one the page loaded): `If-Match: "<version>"`. A 409
/// means someone else saved in between; the caller keeps what was typed and shows `STALE_MESSAGE`.
async fn put_if<B: Serialize, T: DeserializeOwned>(path: &str, body: &B, version: Option<i64>) -> ApiResult<T> {
    let builder = match version {
        Some(v) => Request::put(&url(path)).header("If-Match", &format!("\"{v}\"")),
        None => Request::put(&url(path)),
    };
    let answer = send(builder, Some(encode(body)?)).await.map_err(|mut e| {
        if version.is_some() && e.status == 409 {
            e.body.message = STALE_MESSAGE.to_string();
        }
        e
    })?;
    decode(answer)
}

async fn delete(path: &str) -> ApiResult<()> {
    decode(send(Request::delete(&url(path)), None).await?)
}

/// A DELETE that answers with a body.
async fn delete_with_answer<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    decode(send(Request::delete(&url(path)), None).await?)
}

/// The one place the API's base address is written; resource modules pass paths below it.
fn url(path: &str) -> String {
    format!("/api/v1{path}")
}

/// `path` with the query's set fields (`None` is left out), still below the base address.
fn with_query<Q: Serialize>(path: &str, query: &Q) -> ApiResult<String> {
    let qs = serde_urlencoded::to_string(query)
        .map_err(|e| ApiError::failure("query", format!("The request could not be written: {e}")))?;
    Ok(if qs.is_empty() { path.to_string() } else { format!("{path}?{qs}") })
}
