//! HTTP: the axum router, its shared state and one module per resource. Handlers parse input into
//! domain types and call the library; none builds a tantivy query or writes SQL.

mod ask;
pub mod auth;
pub mod client_addr;
pub mod conn;
mod error;
mod extract;
mod feedback;
mod gaps;
mod health;
mod insights;
mod offers;
pub mod openapi;
pub mod rate_limit;
pub mod telemetry;

pub use error::ApiError;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, StatusCode, header};
use axum::middleware;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

/// The public API refuses bodies larger than this.
pub const API_BODY_LIMIT: usize = 16 * 1024;

/// The HTTP channels' state: the core [`App`](crate::app::App) and what only HTTP needs. Derefs to
/// the app, so handlers read `state.store` as before.
#[derive(Clone)]
pub struct HttpState {
    pub app: crate::app::App,
    /// One budget per client for the public endpoints that do work (see [`rate_limit`]).
    pub rate_limiter: std::sync::Arc<rate_limit::RateLimiter>,
    /// Reverse proxies in front of us that append to `X-Forwarded-For` (see [`client_addr`]).
    pub trusted_proxies: usize,
    /// Bearer token for `POST /api/admin/reload`; reload over HTTP is off without one.
    pub admin_token: Option<String>,
}

impl std::ops::Deref for HttpState {
    type Target = crate::app::App;

    fn deref(&self) -> &crate::app::App {
        &self.app
    }
}

/// The state every HTTP handler (API and web pages) gets.
pub type AppState = HttpState;

/// The JSON API, to be nested under `/api`. The endpoints that make the service work or write draw
/// on one budget per client.
pub fn api(state: &AppState) -> Router<AppState> {
    let limited = Router::new()
        .merge(ask::router())
        .merge(feedback::router())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            rate_limit::limit,
        ));
    Router::new()
        .merge(offers::router())
        .merge(openapi::router())
        .merge(limited)
        .merge(gaps::router())
        .merge(insights::router())
        .merge(health::admin_router())
        .layer(DefaultBodyLimit::max(API_BODY_LIMIT))
}

/// `/healthz`, `/readyz` and `/metrics`: for the operator, outside `/api`.
pub fn service_routes() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(telemetry::router())
}

/// A 405 in the API's JSON shape.
pub async fn method_not_allowed() -> ApiError {
    error::method_not_allowed().await
}

/// A 404 in the API's JSON shape.
pub async fn not_found() -> ApiError {
    error::not_found().await
}

/// The layers every request passes, outermost last: timeout, panic catching, metrics, the request's
/// span and id, and hiding credentials from the trace.
pub fn layers(router: Router) -> Router {
    router
        // Layers wrap each route, innermost first, so the span and metrics see the matched route.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(15),
        ))
        .layer(CatchPanicLayer::new())
        .layer(middleware::from_fn(telemetry::record_metrics))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(telemetry::request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(telemetry::propagate_request_id())
        .layer(telemetry::set_request_id())
        .layer(middleware::from_fn(telemetry::drop_odd_request_id))
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
            header::COOKIE,
            HeaderName::from_static("x-admin-token"),
        ]))
}
