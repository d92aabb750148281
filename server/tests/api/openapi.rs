//! The OpenAPI document is the contract external tools (schemathesis, generated clients) hold the server to: every
//! reference resolves, every operation lists the statuses it can answer, and those answers carry the error shape.

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::spawn;

fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                out.push(r);
            }
            m.values().for_each(|v| refs(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

fn statuses(doc: &Value, method: &str, path: &str) -> Vec<String> {
    let op = &doc["paths"][format!("/api/v1{path}")][method];
    let responses = op["responses"].as_object().unwrap_or_else(|| panic!("{method} {path} is not documented"));
    for (status, r) in responses {
        if status.starts_with('4') || status.starts_with('5') {
            assert_eq!(
                r["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorResponse",
                "{method} {path} {status}"
            );
            assert!(r["description"].as_str().is_some_and(|d| !d.is_empty()), "{method} {path} {status}");
        }
    }
    responses.keys().cloned().collect()
}

#[tokio::test]
async fn every_reference_resolves() {
    let app = spawn().await;
    let doc = app.anonymous().get("/api/v1/openapi.json").await.body;
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(found.len() > 50);
    for r in found {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{r}"));
        assert!(doc["components"]["schemas"][name].is_object(), "{r} does not resolve");
    }
}

#[tokio::test]
async fn each_operation_lists_the_errors_its_shape_allows() {
    let app = spawn().await;
    let doc = app.anonymous().get("/api/v1/openapi.json").await.body;
    assert_eq!(
        statuses(&doc, "put", "/pools/{id}"),
        ["200", "400", "401", "403", "404", "409", "413", "415", "422", "503"]
    );
    assert_eq!(statuses(&doc, "get", "/me"), ["200", "401", "503"]);
    assert_eq!(statuses(&doc, "get", "/pools"), ["200", "400", "401", "422", "503"]);
    assert_eq!(statuses(&doc, "delete", "/tokens/{id}"), ["204", "400", "401", "403", "404", "503"]);
    // Uploads take the file as it comes: no 415.
    assert_eq!(statuses(&doc, "post", "/imports/hr"), ["201", "400", "401", "403", "413", "422", "503"]);
    // Public operations: no 401 for a missing session (login's own 401 is wrong credentials; it also limits).
    assert_eq!(statuses(&doc, "post", "/session"), ["200", "400", "401", "413", "415", "422", "429", "503"]);
    assert_eq!(statuses(&doc, "get", "/calendar/feed.ics"), ["200", "400", "404", "422", "503"]);
    assert_eq!(doc["paths"]["/api/v1/session"]["post"]["security"], serde_json::json!([{}]));
    assert_eq!(doc["security"], serde_json::json!([{"bearer": []}, {"session": []}]));
}

#[tokio::test]
async fn malformed_paths_and_bodies_answer_in_the_error_shape() {
    let app = spawn().await;
    let admin = app.admin().await;
    let r = admin.get("/api/v1/pools/not-a-number").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["code"], "bad_request", "{}", r.body);
    let r = admin.delete("/api/v1/pools/1/assignments/99999999999999999999").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["code"], "bad_request", "{}", r.body);
    let r = admin.post_raw("/api/v1/imports/hr", "text/csv", vec![b'x'; 64 * 1024 * 1024 + 1]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.body["error"]["code"], "payload_too_large", "{}", r.body);
}
