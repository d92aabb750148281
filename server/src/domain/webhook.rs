//! Webhooks' rules: what a webhook must name, and how a delivery is signed. The signature is HMAC-SHA256 over
//! `{timestamp}.{body}` with the webhook's secret, sent as `X-Seatwise-Signature: sha256={hex}` beside
//! `X-Seatwise-Timestamp` (Unix seconds): a receiver recomputes it and refuses old timestamps, so a captured
//! delivery cannot be replayed later.

use hmac::{Hmac, Mac};
use seatwise_types::limits::TITLE_CHARS;
use seatwise_types::{FieldError, WebhookInput};
use sha2::Sha256;

use super::connector::url_problem;
use super::limits;

/// Events a webhook may name (all of them, once each).
pub const MAX_EVENTS: usize = 4;

pub fn validate(input: &WebhookInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() {
        errors.push(FieldError::new("name", "is required"));
    }
    limits::check_chars(&mut errors, "name", name, TITLE_CHARS);
    limits::check_line(&mut errors, "name", Some(name));
    if let Some(m) = url_problem(input.url.trim()) {
        errors.push(FieldError::new("url", m));
    }
    if input.events.is_empty() {
        errors.push(FieldError::new("events", "name at least one event"));
    }
    for (i, e) in input.events.iter().enumerate() {
        if input.events[..i].contains(e) {
            errors.push(FieldError::new(format!("events[{i}]"), format!("{} is named twice", e.as_str())));
        }
    }
    errors
}

/// The signature header's value for a body sent at `timestamp`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return String::new() };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use seatwise_types::WebhookEvent;

    #[test]
    fn the_signature_covers_the_timestamp_and_the_body() {
        let s = signature("whsec_x", 1_700_000_000, r#"{"event":"case.opened"}"#);
        assert!(s.starts_with("sha256=") && s.len() == 7 + 64, "{s}");
        assert_ne!(s, signature("whsec_x", 1_700_000_001, r#"{"event":"case.opened"}"#));
        assert_ne!(s, signature("whsec_y", 1_700_000_000, r#"{"event":"case.opened"}"#));
        assert_ne!(s, signature("whsec_x", 1_700_000_000, r#"{"event":"seat.reclaimed"}"#));
    }

    #[test]
    fn a_webhook_names_an_address_and_its_events_once() {
        let input = WebhookInput {
            name: " ".into(),
            url: "ftp://x".into(),
            events: vec![WebhookEvent::CaseOpened, WebhookEvent::CaseOpened],
        };
        let paths: Vec<String> = validate(&input).into_iter().map(|e| e.path).collect();
        assert_eq!(paths, ["name", "url", "events[1]"]);
    }
}
