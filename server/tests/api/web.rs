//! Health, OpenAPI, metrics, security headers and the app's deep links.

use reqwest::StatusCode;

use crate::common::spawn;

#[tokio::test]
async fn health_answers_when_the_database_does() {
    let app = spawn().await;
    let r = app.anonymous().get("/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, serde_json::json!({"status": "ok"}));
    app.db.read.close().await;
    let r = app.anonymous().get("/healthz").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn openapi_documents_every_route_with_schemas() {
    let app = spawn().await;
    let doc = app.anonymous().get("/api/v1/openapi.json").await.body;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/session",
        "/api/v1/me",
        "/api/v1/tokens",
        "/api/v1/tokens/{id}",
        "/api/v1/scim/tokens",
        "/api/v1/pools",
        "/api/v1/pools/{id}",
        "/api/v1/pools/{id}/assignments",
        "/api/v1/ledger/verify",
        "/api/v1/users",
    ] {
        assert!(paths.contains_key(p), "{p} missing");
    }
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path} has no responses");
            // Any request can be stopped at the time limit.
            assert_eq!(
                op["responses"]["503"]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ErrorResponse",
                "{method} {path} does not document 503"
            );
        }
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for s in ["Pool", "PoolInput", "Money", "ErrorResponse", "LedgerEntry", "SessionInfo"] {
        assert!(schemas.contains_key(s), "schema {s} missing");
    }
}

#[tokio::test]
async fn security_headers_on_api_and_app_and_deep_links_load_the_app() {
    let app = spawn().await;
    let c = app.anonymous();
    for path in ["/api/v1/me", "/pools/42", "/healthz"] {
        let r = c.get(path).await;
        let csp = r.headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'self'")
                && csp.contains("frame-ancestors 'none'")
                && csp.contains("'wasm-unsafe-eval'"),
            "{csp}"
        );
        assert_eq!(r.headers["x-content-type-options"], "nosniff");
        assert!(r.headers.contains_key("referrer-policy"));
        assert!(r.headers.contains_key("x-request-id"));
    }
    let deep = c.get("/pools/42").await;
    assert_eq!(deep.status, StatusCode::OK);
    assert!(deep.headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert_eq!(c.get("/missing-file.js").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn metrics_count_requests_by_route() {
    let app = spawn().await;
    let c = app.finance().await;
    c.get("/api/v1/pools").await;
    // Metrics are served on their own listener (`--metrics-bind`), not to anyone on the main one.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let metrics = format!("http://{}/metrics", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, seatwise_server::app::metrics_router()).await });
    let text = reqwest::get(metrics).await.unwrap().text().await.unwrap();
    assert!(text.contains("http_requests_total"), "{text}");
    assert!(text.contains("route=\"/api/v1/pools\""));
    assert!(text.contains("http_request_duration_seconds"));
}
