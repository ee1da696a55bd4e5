//! The HTTP side of `serve`: axum routes over the in-memory site, with live reload injected
//! into HTML responses. Paths are decoded and checked before lookup, and only paths the build
//! produced can be served, so `..`, `%2e%2e`, `%2f`, backslashes and symlinks cannot escape.

use std::convert::Infallible;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State as AxumState;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use tower_http::set_header::SetResponseHeaderLayer;

use super::{Served, State};
use crate::error::{Error, Result};

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
    let shutdown = tokio::signal::ctrl_c();
    tokio::pin!(shutdown);
    // Event streams stay open forever, so shutdown does not wait for them: it stops accepting
    // and returns, and the process exits.
    loop {
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _)) => stream,
                // A failed accept (too many open files) ends nothing: the next may work.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            _ = &mut shutdown => {
                eprintln!("stopped");
                return Ok(());
            }
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let io = hyper_util::rt::TokioIo::new(IdleTimeout::new(stream, IDLE_TIMEOUT));
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(io, service)
                .await;
        });
    }
}

/// How long a client may take to send a request's headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a connection may pass no bytes either way before it is closed (live-reload
/// streams send a keep-alive every 15 s, so they stay open).
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// A connection that fails with `TimedOut` once it has been idle (nothing read or written)
/// for its timeout: hyper alone keeps an idle keep-alive connection open for ever.
struct IdleTimeout {
    stream: tokio::net::TcpStream,
    timeout: Duration,
    sleep: std::pin::Pin<Box<tokio::time::Sleep>>,
}

impl IdleTimeout {
    fn new(stream: tokio::net::TcpStream, timeout: Duration) -> Self {
        IdleTimeout {
            stream,
            timeout,
            sleep: Box::pin(tokio::time::sleep(timeout)),
        }
    }

    fn active(&mut self) {
        let deadline = tokio::time::Instant::now() + self.timeout;
        self.sleep.as_mut().reset(deadline);
    }

    /// `Ready(Err)` once the idle time is over, while the connection waits.
    fn expired(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<std::io::Error> {
        self.sleep
            .as_mut()
            .poll(cx)
            .map(|()| std::io::Error::new(std::io::ErrorKind::TimedOut, "idle connection closed"))
    }
}

impl tokio::io::AsyncRead for IdleTimeout {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let this = self.get_mut();
        match std::pin::Pin::new(&mut this.stream).poll_read(cx, buf) {
            std::task::Poll::Pending => this.expired(cx).map(Err),
            ready => {
                this.active();
                ready
            }
        }
    }
}

impl tokio::io::AsyncWrite for IdleTimeout {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        match std::pin::Pin::new(&mut this.stream).poll_write(cx, buf) {
            std::task::Poll::Pending => this.expired(cx).map(Err),
            ready => {
                this.active();
                ready
            }
        }
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
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
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    if decoded.contains('\\') || decoded.contains('\0') || !decoded.starts_with('/') {
        return None;
    }
    let rel = &decoded[1..];
    if rel.starts_with('/') || rel.contains("//") || rel.split('/').any(|s| s == ".." || s == ".") {
        return None;
    }
    Some(crate::site::paths::index_file(rel))
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

async fn body_of(served: &Served, root: &Path) -> Option<Vec<u8>> {
    match served {
        Served::Bytes(b) => Some(b.as_slice().to_vec()),
        Served::File(p) => {
            let (p, root) = (p.clone(), root.to_path_buf());
            tokio::task::spawn_blocking(move || read_static(&p, &root))
                .await
                .ok()
                .flatten()
        }
    }
}

/// Reads a static file the build found, refusing what was swapped in since: the last
/// component is opened without following a link (`O_NOFOLLOW`) and without waiting on a
/// FIFO (`O_NONBLOCK`), it must be a regular file, and the file actually opened must lie
/// under the site root (a folder on the way may have become a link).
pub(crate) fn read_static(path: &Path, root: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let mut file = opts.open(path).ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    #[cfg(target_os = "linux")]
    let real = {
        use std::os::fd::AsRawFd;
        std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())).ok()?
    };
    #[cfg(not(target_os = "linux"))]
    let real = path.canonicalize().ok()?;
    if !real.starts_with(root) {
        return None;
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// The byte range a `Range` header asks of a body of `len` bytes: `bytes=a-b`, `bytes=a-`
/// or `bytes=-n`. `None` for no header or one this preview does not honour (several ranges,
/// another unit: the whole body is sent, as HTTP allows); `Some(Err(()))` when it is
/// unsatisfiable.
fn byte_range(header: Option<&str>, len: u64) -> Option<Result<(u64, u64), ()>> {
    let spec = header?.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    let range = if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        if n == 0 || len == 0 {
            return Some(Err(()));
        }
        (len.saturating_sub(n), len - 1)
    } else {
        let start: u64 = a.parse().ok()?;
        let end: u64 = if b.is_empty() {
            len.saturating_sub(1)
        } else {
            b.parse::<u64>().ok()?.min(len.saturating_sub(1))
        };
        if start >= len || end < start {
            return Some(Err(()));
        }
        (start, end)
    };
    Some(Ok(range))
}

async fn page(
    AxumState(state): AxumState<Arc<State>>,
    method: Method,
    uri: Uri,
    headers: axum::http::HeaderMap,
) -> Response {
    // A preview serves files: nothing to post, put or delete.
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
        )
            .into_response();
    }
    let files = match state.files.read() {
        Ok(f) => f.clone(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let generation = state.generation.load(Ordering::SeqCst);
    let not_found = || async {
        let body = match files.get("404.html") {
            Some(s) => body_of(s, &state.root)
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
    // A site published under a sub-path is served under it: `/` leads there, and nothing
    // outside it exists, as on the host.
    let prefix = state
        .prefix
        .read()
        .map(|p| p.clone())
        .unwrap_or_else(|_| "/".into());
    let path = match uri.path().strip_prefix(prefix.trim_end_matches('/')) {
        Some(rest) if rest.starts_with('/') => rest,
        Some("") => {
            return (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, prefix)]).into_response();
        }
        _ if uri.path() == "/" => {
            return (StatusCode::FOUND, [(header::LOCATION, prefix)]).into_response();
        }
        _ => return not_found().await,
    };
    let Some(key) = resolve(path) else {
        return not_found().await;
    };
    let Some(served) = files.get(&key) else {
        // `/episodes/x` → `/episodes/x/`, as static hosts do.
        if files.contains_key(&crate::site::paths::index_file(&format!("{key}/"))) {
            let location = format!("{}/", uri.path());
            return (
                StatusCode::MOVED_PERMANENTLY,
                [(header::LOCATION, location)],
            )
                .into_response();
        }
        return not_found().await;
    };
    let Some(bytes) = body_of(served, &state.root).await else {
        return not_found().await;
    };
    let ctype = crate::mime::content_type(&key);
    if ctype.starts_with("text/html") {
        return Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, ctype)
            .body(Body::from(inject(&bytes, generation)))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    }
    // Files answer range requests, as a host does: a player seeks with them (without, a
    // browser cannot seek in an audio file and snaps back to the start).
    let len = bytes.len() as u64;
    let asked = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let response = match byte_range(asked, len) {
        None => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, ctype)
            .header(header::ACCEPT_RANGES, "bytes")
            .body(Body::from(bytes)),
        Some(Ok((start, end))) => {
            let part = bytes
                .get(start as usize..=end as usize)
                .map(<[u8]>::to_vec)
                .unwrap_or_default();
            Response::builder()
                .status(StatusCode::PARTIAL_CONTENT)
                .header(header::CONTENT_TYPE, ctype)
                .header(header::ACCEPT_RANGES, "bytes")
                .header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}"))
                .body(Body::from(part))
        }
        Some(Err(())) => Response::builder()
            .status(StatusCode::RANGE_NOT_SATISFIABLE)
            .header(header::CONTENT_RANGE, format!("bytes */{len}"))
            .body(Body::empty()),
    };
    response.unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
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
    fn static_files_swapped_for_links_fifos_or_linked_folders_are_refused() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = tmp.path().join("site");
        let outside = tmp.path().join("outside");
        for d in [root.join("static"), outside.clone()] {
            std::fs::create_dir_all(d).unwrap_or_else(|e| panic!("{e}"));
        }
        let _ = std::fs::write(outside.join("secret"), "secret");
        let file = root.join("static/a.css");
        let _ = std::fs::write(&file, "a");
        assert_eq!(read_static(&file, &root).as_deref(), Some(&b"a"[..]));
        // The file itself becomes a link out of the site.
        let _ = std::fs::remove_file(&file);
        let _ = std::os::unix::fs::symlink(outside.join("secret"), &file);
        assert_eq!(read_static(&file, &root), None);
        // A FIFO: refused at once, not waited on.
        let _ = std::fs::remove_file(&file);
        let made = std::process::Command::new("mkfifo").arg(&file).status();
        if made.is_ok_and(|s| s.success()) {
            assert_eq!(read_static(&file, &root), None);
        }
        // A folder on the way becomes a link out of the site.
        let _ = std::fs::remove_file(&file);
        let _ = std::fs::remove_dir_all(root.join("static"));
        let _ = std::os::unix::fs::symlink(&outside, root.join("static"));
        let _ = std::fs::write(outside.join("a.css"), "outside");
        assert_eq!(read_static(&file, &root), None);
    }

    #[test]
    fn ranges_are_read_as_players_send_them() {
        assert_eq!(byte_range(None, 100), None);
        assert_eq!(byte_range(Some("bytes=0-"), 100), Some(Ok((0, 99))));
        assert_eq!(byte_range(Some("bytes=10-19"), 100), Some(Ok((10, 19))));
        assert_eq!(byte_range(Some("bytes=90-500"), 100), Some(Ok((90, 99))));
        assert_eq!(byte_range(Some("bytes=-10"), 100), Some(Ok((90, 99))));
        assert_eq!(byte_range(Some("bytes=100-"), 100), Some(Err(())));
        assert_eq!(byte_range(Some("bytes=5-2"), 100), Some(Err(())));
        assert_eq!(byte_range(Some("bytes=0-1,5-6"), 100), None);
        assert_eq!(byte_range(Some("items=0-1"), 100), None);
        assert_eq!(byte_range(Some("bytes=x-1"), 100), None);
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
