//! Assembling the HTTP application and running it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use std::future::{Future, IntoFuture};

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{middleware, Json, Router};
use seatwise_types::Health;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::domain::escape::Escaped;
use crate::error::AppError;
use crate::state::AppState;
use crate::{api, telemetry, web};

/// API bodies above this are refused with 413 before they are read.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub fn router(state: AppState) -> Router {
    // Install the recorder before the first request so no measurement is lost.
    telemetry::metrics();
    let (api, doc) = api::router();
    let doc = Arc::new(doc);
    let api = api
        .route("/api/v1/openapi.json", get(move || async move { Json(doc.as_ref().clone()) }))
        .route_layer(middleware::from_fn(telemetry::track))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &Request| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            // The path only: query strings may carry tokens in later features (calendar feeds).
            // Client-supplied values are Debug-escaped fields, like every user-supplied value in a log line.
            tracing::info_span!("request", request_id = ?id, method = %req.method(), path = ?req.uri().path())
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO));
    Router::new()
        .route("/healthz", get(health))
        .route("/metrics", get(metrics))
        .merge(api)
        .merge(
            api::scim::router()
                .route_layer(middleware::from_fn(telemetry::track))
                .layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(state.clone(), timeout))
        .layer(middleware::from_fn_with_state(state.clone(), web::security_headers))
        .layer(trace)
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    if state.db.ping().await {
        (StatusCode::OK, Json(Health { status: "ok".into() }))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: "unavailable".into() }))
    }
}

/// Every request answers within `request_timeout`: past it the handler is dropped (an open transaction rolls back)
/// and the client gets 503 `timeout`.
async fn timeout(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = if is_long_work(req.method(), req.uri().path()) {
        state.settings.import_timeout
    } else {
        state.settings.request_timeout
    };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(timeout = ?limit, "request timed out");
            AppError::Timeout.into_response()
        }
    }
}

/// Applying an import or a change request's stage are the requests whose length grows with their input
/// (hundreds of thousands of rows); they show progress while they run and get their own, longer limit.
fn is_long_work(method: &axum::http::Method, path: &str) -> bool {
    method == axum::http::Method::POST
        && ["/api/v1/imports/", "/api/v1/change-requests/"].iter().any(|prefix| {
            path.strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix("/apply"))
                .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        })
}

fn render_metrics() -> Response {
    match telemetry::metrics() {
        Some(h) => ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], h.render()).into_response(),
        None => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// On the main listener metrics need the metrics token; without one configured they are not served there at all.
async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(expected) = state.settings.metrics_token.as_deref() else {
        return AppError::NotFound("endpoint").into_response();
    };
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim())
        .unwrap_or_default();
    if sent.is_empty() || !crate::domain::secret::constant_time_eq(sent, expected) {
        return AppError::Unauthenticated.into_response();
    }
    render_metrics()
}

/// The `--metrics-bind` listener: metrics only, no token (bind it to an address only the scraper reaches).
pub fn metrics_router() -> Router {
    telemetry::metrics();
    Router::new().route("/metrics", get(|| async { render_metrics() }))
}

/// Unknown API paths get the JSON error shape; everything else is the browser app.
async fn fallback(method: axum::http::Method, headers: axum::http::HeaderMap, uri: Uri) -> Response {
    let path = uri.path();
    if path.starts_with("/scim/") {
        return api::scim::not_found();
    }
    if path.starts_with("/api/") {
        return AppError::NotFound("endpoint").into_response();
    }
    web::serve(method, headers, uri).await
}

/// Housekeeping that is safe to run on every instance at once (idempotent deletes).
pub fn spawn_housekeeping(state: AppState) {
    let db = state.db.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            if let Err(e) = db.checkpoint().await {
                tracing::warn!(error = %Escaped(&e), "database checkpoint failed");
            }
        }
    });
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            match crate::db::sessions::delete_expired(&state.db.write, state.clock.now()).await {
                Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %Escaped(&e), "session cleanup failed"),
            }
            if let Err(e) = crate::service::accounts::purge_login_budgets(&state.sign_in()).await {
                tracing::warn!(error = %Escaped(&e), "login budget cleanup failed");
            }
        }
    });
}

/// Listen until Ctrl-C or SIGTERM, then finish in-flight requests for at most `shutdown_grace`.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    serve_until(state, listener, shutdown_signal()).await
}

/// Serve until `signal`, then stop accepting and give in-flight requests `shutdown_grace` to finish; after that
/// return anyway (the caller exits, dropping what still runs: open transactions roll back).
pub async fn serve_until(
    state: AppState,
    listener: tokio::net::TcpListener,
    signal: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let grace = state.settings.shutdown_grace;
    let (told, heard) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            signal.await;
            let _ = told.send(());
        })
        .into_future();
    tokio::pin!(server);
    let deadline = async move {
        match heard.await {
            Ok(()) => tokio::time::sleep(grace).await,
            // The server ended by itself; the other branch has its result.
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        result = &mut server => result,
        () = deadline => {
            tracing::warn!(grace = ?grace, "shutdown grace elapsed with requests still running; exiting");
            Ok(())
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

#[cfg(test)]
mod tests {
    use super::is_long_work;
    use axum::http::Method;

    #[test]
    fn only_applying_an_import_or_a_change_request_gets_the_long_limit() {
        assert!(is_long_work(&Method::POST, "/api/v1/imports/42/apply"));
        assert!(!is_long_work(&Method::GET, "/api/v1/imports/42/apply"));
        assert!(!is_long_work(&Method::POST, "/api/v1/imports/42/apply/x"));
        assert!(!is_long_work(&Method::POST, "/api/v1/imports//apply"));
        assert!(!is_long_work(&Method::POST, "/api/v1/imports/4a/apply"));
        assert!(is_long_work(&Method::POST, "/api/v1/change-requests/7/apply"));
        assert!(!is_long_work(&Method::POST, "/api/v1/change-requests/7/approve"));
        assert!(!is_long_work(&Method::POST, "/api/v1/pools"));
    }
}
