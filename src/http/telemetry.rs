//! What each request leaves behind for operators: a request id (taken from a proxy's
//! `x-request-id` when it is well-formed, made up otherwise, and returned on the response), a
//! tracing span that every log line of the request carries, and the request metrics. Spans and
//! metrics name the matched route, never the raw URL: a query string can hold someone's question.

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tracing::Span;

use super::AppState;

pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The route label of requests that matched no route: one label, however many URLs are tried.
const UNMATCHED: &str = "unmatched";

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

async fn metrics() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        crate::metrics::render(),
    )
        .into_response()
}

pub fn set_request_id() -> SetRequestIdLayer<MakeRequestUuid> {
    SetRequestIdLayer::new(X_REQUEST_ID.clone(), MakeRequestUuid)
}

pub fn propagate_request_id() -> PropagateRequestIdLayer {
    PropagateRequestIdLayer::new(X_REQUEST_ID.clone())
}

/// A client-supplied id goes into every log line, so only a short, plain one is kept; anything
/// else is dropped and replaced by a fresh UUID.
pub async fn drop_odd_request_id(mut request: Request, next: Next) -> Response {
    let odd = request
        .headers()
        .get_all(&X_REQUEST_ID)
        .iter()
        .enumerate()
        .any(|(i, v)| i > 0 || !plain_id(v.as_bytes()));
    if odd {
        request.headers_mut().remove(&X_REQUEST_ID);
    }
    next.run(request).await
}

fn plain_id(id: &[u8]) -> bool {
    (1..=128).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

fn route_of(request: &Request) -> &str {
    request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str)
}

/// The span every log line of a request is recorded in.
pub fn request_span(request: &Request) -> Span {
    let id = request
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %request.method(),
        route = route_of(request),
        request_id = id,
    )
}

/// Counts the request by route and status and records its latency.
pub async fn record_metrics(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = route_of(&request).to_owned();
    let method = method_label(request.method());
    let response = next.run(request).await;
    crate::metrics::http_request(
        &route,
        method,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// Clients may send any method name; the label keeps to the standard ones.
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
    KNOWN
        .into_iter()
        .find(|k| *k == method.as_str())
        .unwrap_or("other")
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_plain_request_ids_are_kept() {
        assert!(super::plain_id(b"9f1c2a7e-1b2c-4d5e-8f90-123456789abc"));
        assert!(super::plain_id(b"req_42.a:b"));
        assert!(!super::plain_id(b""));
        assert!(!super::plain_id(b"a b"));
        assert!(!super::plain_id(b"x\"}{\"injected\":1"));
        assert!(!super::plain_id(&[b'a'; 129]));
    }
}
