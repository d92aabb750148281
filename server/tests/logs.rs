//! Log lines: user-supplied values cannot forge a line, in the pretty and the JSON format.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly

#[path = "api/common/mod.rs"]
mod common;

use reqwest::StatusCode;
use serde_json::json;

use common::{spawn, LogSink as Sink};

// Current-thread runtime: the server runs on this thread, where the test's log subscriber is in force. A test
// binary of its own, so no other test registers log callsites at the same time (that could cache "nobody
// listens" for them).
#[tokio::test]
async fn a_hostile_login_name_cannot_forge_log_lines() {
    for format in ["pretty", "json"] {
        let sink = Sink::default();
        let writer = sink.clone();
        let subscriber = seatwise_server::telemetry::log_subscriber(
            format,
            tracing_subscriber::EnvFilter::new("info"),
            false,
            move || writer.clone(),
        );
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = spawn().await;
        // A callsite first reached by another test at the moment this subscriber was set can have cached "no
        // one listens"; recompute with this subscriber in place.
        tracing::callsite::rebuild_interest_cache();
        for email in
            ["a@b.c\r\nERROR forged", "a@b.c\nERROR forged", "a@b.c\rERROR forged", "a@b.c\u{2028}ERROR forged"]
        {
            let r = app.anonymous().post("/api/v1/session", json!({"email": email, "password": "x"})).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        let text = sink.text();
        assert!(text.contains("login failed"), "{format}: {text}");
        for line in text.split(['\n', '\r', '\u{2028}']) {
            assert!(!line.trim_start().to_lowercase().starts_with("error forged"), "{format} forged a line: {line:?}");
        }
        if format == "json" {
            for line in text.lines() {
                serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
            }
        }
    }
}
