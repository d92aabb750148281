//! The browser app, embedded in the binary: precompressed assets, long caching for hashed files, a SPA fallback
//! for deep links, and the security headers every response carries.

use std::sync::OnceLock;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};

/// Built by Trunk into `app/dist`, with `.br` and `.gz` siblings made by the build hook. In debug builds the
/// files are read from disk at run time, so the server compiles before the app has been built.
#[derive(rust_embed::Embed)]
#[folder = "../app/dist"]
#[allow_missing = true]
struct Assets;

const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Seatwise</title></head>\
<body><main><h1>Seatwise</h1><p>The browser app has not been built. Run <code>./run</code> (see README).</p></main></body></html>";

/// Trunk names built files `name-<hash>.ext`; those never change, so browsers may keep them for a year.
fn is_hashed(path: &str) -> bool {
    let stem = path.rsplit('/').next().unwrap_or(path);
    let stem = stem.split('.').next().unwrap_or(stem);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, h)| h.len() == 16 && h.chars().all(|c| c.is_ascii_hexdigit()))
}

fn accepts(headers: &HeaderMap, encoding: &str) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|e| e.split(';').next().is_some_and(|e| e.trim() == encoding))
}

/// Serve a built file, or `index.html` for app routes (deep links such as `/pools/42`).
pub async fn serve(method: Method, headers: HeaderMap, uri: axum::http::Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = uri.path().trim_start_matches('/');
    let last = path.rsplit('/').next().unwrap_or_default();
    let (path, is_index) = if path.is_empty() || !last.contains('.') { ("index.html", true) } else { (path, false) };
    let Some(file) = Assets::get(path) else {
        if is_index {
            return ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], NOT_BUILT).into_response();
        }
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..16]));
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let mut body = file.data;
    let mut encoding = None;
    for (name, ext) in [("br", "br"), ("gzip", "gz")] {
        if accepts(&headers, name) {
            if let Some(c) = Assets::get(&format!("{path}.{ext}")) {
                body = c.data;
                encoding = Some(name);
                break;
            }
        }
    }
    let cache = if is_hashed(path) { "public, max-age=31536000, immutable" } else { "no-cache" };
    let mut response = Response::new(Body::from(body.into_owned()));
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(mime.as_ref()) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Some(e) = encoding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(e));
    }
    response
}

/// Hashes of the inline scripts Trunk writes into index.html, so the CSP can allow exactly those.
fn inline_script_hashes() -> &'static str {
    static HASHES: OnceLock<String> = OnceLock::new();
    HASHES.get_or_init(|| {
        let Some(index) = Assets::get("index.html") else {
            return String::new();
        };
        let html = String::from_utf8_lossy(&index.data).into_owned();
        let mut out = String::new();
        let mut rest = html.as_str();
        while let Some(open) = rest.find("<script") {
            let after = &rest[open..];
            let Some(tag_end) = after.find('>') else {
                break;
            };
            let Some(close) = after.find("</script>") else {
                break;
            };
            let content = &after[tag_end + 1..close];
            if !after[..tag_end].contains("src=") && !content.trim().is_empty() {
                let digest = Sha256::digest(content.as_bytes());
                out.push_str(&format!(" 'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest)));
            }
            rest = &after[close + 9..];
        }
        out
    })
}

pub fn content_security_policy() -> String {
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'",
        inline_script_hashes()
    )
}

/// Security headers on every response, API and assets alike: HSTS when the console is served over https, and
/// `no-store` on API answers (they carry data a shared or back-button cache must not keep).
pub async fn security_headers(State(state): State<crate::state::AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let api = path.starts_with("/api/") || path.starts_with("/scim/");
    static CSP: OnceLock<HeaderValue> = OnceLock::new();
    let csp = CSP.get_or_init(|| {
        HeaderValue::from_str(&content_security_policy()).unwrap_or(HeaderValue::from_static("default-src 'self'"))
    });
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, csp.clone());
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=()"));
    if state.settings.public_url.starts_with("https://") {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    // A handler that chose its own caching (the calendar feed for calendar clients) keeps it.
    if api && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_trunk_hashed_names() {
        assert!(is_hashed("seatwise-app-3f2a9c1d0b8e7f65_bg.wasm"));
        assert!(is_hashed("seatwise-app-3f2a9c1d0b8e7f65.js"));
        assert!(is_hashed("style-0123456789abcdef.css"));
        assert!(!is_hashed("index.html"));
        assert!(!is_hashed("favicon.svg"));
    }

    #[test]
    fn csp_allows_only_own_origin_and_wasm() {
        let csp = content_security_policy();
        assert!(csp.contains("default-src 'self'"));
        assert!(csp.contains("'wasm-unsafe-eval'"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
    }
}
