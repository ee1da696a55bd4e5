//! The HTTP side of `serve`: axum routes over the in-memory site, with live reload injected
//! into HTML responses. Paths are decoded and checked before lookup, and only paths the build
//! produced can be served, so `..`, `%2e%2e`, `%2f`, backslashes and symlinks cannot escape.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State as AxumState;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use tower_http::set_header::SetResponseHeaderLayer;

use super::{Served, State};
use crate::error::{Error, Result};
use crate::linkcheck::percent_decode;

const LIVE_JS: &str = include_str!("live.js");

/// Runs the server until Ctrl-C.
pub async fn serve(listener: std::net::TcpListener, state: Arc<State>) -> Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener)
        .map_err(|e| Error::io("listening", "socket", e))?;
    let app = Router::new()
        .route("/__castdown/events", get(events))
        .route("/__castdown/live.js", get(live_js))
        .fallback(page)
        .with_state(state)
        // A preview must never show a stale page from the browser's cache.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    // Event streams stay open forever, so shutdown does not wait for them: it stops accepting
    // and returns, and the process exits.
    tokio::select! {
        r = axum::serve(listener, app) => r.map_err(|e| Error::io("serving", "socket", e)),
        _ = shutdown => {
            eprintln!("stopped");
            Ok(())
        }
    }
}

async fn live_js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        LIVE_JS,
    )
        .into_response()
}

async fn events(
    AxumState(state): AxumState<Arc<State>>,
) -> Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>> {
    let first = tokio_stream::once(Ok(Event::default().event("state").data(state.snapshot())));
    let updates = BroadcastStream::new(state.events.subscribe())
        .map(move |_| Ok(Event::default().event("state").data(state.snapshot())));
    Sse::new(first.chain(updates)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// The site file a request path names, or why it names none.
pub fn resolve(path: &str) -> Option<String> {
    let decoded = percent_decode(path);
    if decoded.contains('\\') || decoded.contains('\0') || !decoded.starts_with('/') {
        return None;
    }
    let rel = &decoded[1..];
    if rel.starts_with('/') || rel.contains("//") || rel.split('/').any(|s| s == ".." || s == ".") {
        return None;
    }
    Some(if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    })
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "vtt" => "text/vtt; charset=utf-8",
        "srt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "mp3" => "audio/mpeg",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// Adds the live-reload script to an HTML page.
fn inject(html: &[u8], generation: u64) -> Vec<u8> {
    let tag =
        format!("<script src=\"/__castdown/live.js\" data-generation=\"{generation}\"></script>");
    let text = String::from_utf8_lossy(html);
    let out = match text.rfind("</body>") {
        Some(i) => format!("{}{tag}{}", &text[..i], &text[i..]),
        None => format!("{text}{tag}"),
    };
    out.into_bytes()
}

async fn body_of(served: &Served) -> Option<Vec<u8>> {
    match served {
        Served::Bytes(b) => Some(b.as_slice().to_vec()),
        Served::File(p) => tokio::fs::read(p).await.ok(),
    }
}

async fn page(AxumState(state): AxumState<Arc<State>>, uri: Uri) -> Response {
    let files = match state.files.read() {
        Ok(f) => f.clone(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let generation = state.generation.load(Ordering::SeqCst);
    let not_found = || async {
        let body = match files.get("404.html") {
            Some(s) => body_of(s)
                .await
                .map(|b| inject(&b, generation))
                .unwrap_or_default(),
            None => inject(
                b"<!DOCTYPE html><title>Not found</title><p>Not found.</p>",
                generation,
            ),
        };
        (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response()
    };
    let Some(key) = resolve(uri.path()) else {
        return not_found().await;
    };
    let Some(served) = files.get(&key) else {
        // `/episodes/x` → `/episodes/x/`, as static hosts do.
        if files.contains_key(&format!("{key}/index.html")) {
            let location = format!("{}/", uri.path());
            return (
                StatusCode::MOVED_PERMANENTLY,
                [(header::LOCATION, location)],
            )
                .into_response();
        }
        return not_found().await;
    };
    let Some(bytes) = body_of(served).await else {
        return not_found().await;
    };
    let ctype = content_type(&key);
    let body = if ctype.starts_with("text/html") {
        inject(&bytes, generation)
    } else {
        bytes
    };
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, ctype)
        .body(Body::from(body))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_is_refused() {
        for bad in [
            "/../Cargo.toml",
            "/%2e%2e/castdown.yaml",
            "/a/..%2f..%2fetc/passwd",
            "/..\\x",
            "/a%5c..%5cb",
            "//etc/passwd",
            "/a/./b",
            "/%00",
        ] {
            assert_eq!(resolve(bad), None, "{bad}");
        }
        assert_eq!(resolve("/").as_deref(), Some("index.html"));
        assert_eq!(
            resolve("/episodes/a/").as_deref(),
            Some("episodes/a/index.html")
        );
        assert_eq!(
            resolve("/concepts/%E6%A9%9F%E6%A2%B0/").as_deref(),
            Some("concepts/機械/index.html")
        );
    }

    #[test]
    fn regression_leading_double_slash_resolved_to_an_absolute_key() {
        // `//etc/passwd` once resolved to the key `/etc/passwd`: harmless only because no such
        // key exists. The resolver itself must refuse it.
        assert_eq!(resolve("//etc/passwd"), None);
        assert_eq!(resolve("/%2Fetc/passwd"), None);
    }

    #[test]
    fn live_reload_goes_before_body_end() {
        let out =
            String::from_utf8(inject(b"<html><body><p>x</p></body></html>", 7)).unwrap_or_default();
        assert!(
            out.ends_with(
                "<script src=\"/__castdown/live.js\" data-generation=\"7\"></script></body></html>"
            ),
            "{out}"
        );
    }
}
