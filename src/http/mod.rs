//! HTTP: the axum router, its shared state and one module per resource. Handlers parse input into
//! domain types and call the library; none builds a tantivy query or writes SQL.

mod ask;
pub mod auth;
mod error;
mod extract;
mod feedback;
mod gaps;
mod health;
mod insights;
mod offers;
pub mod openapi;

pub use error::ApiError;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, StatusCode, header};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// The public API refuses bodies larger than this.
pub const API_BODY_LIMIT: usize = 16 * 1024;

/// The router's state is the application itself.
pub type AppState = crate::app::App;

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .merge(offers::router())
        .merge(openapi::router())
        .merge(ask::router())
        .merge(feedback::router())
        .merge(gaps::router())
        .merge(insights::router())
        .merge(health::admin_router())
        .layer(DefaultBodyLimit::max(API_BODY_LIMIT));
    Router::new()
        .nest("/api", api)
        .merge(health::router())
        // After every route is in: it applies to the method routers registered so far.
        .method_not_allowed_fallback(error::method_not_allowed)
        .fallback(error::not_found)
        .with_state(state)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(15),
        ))
        .layer(CatchPanicLayer::new())
        .layer(TraceLayer::new_for_http())
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
            header::COOKIE,
            HeaderName::from_static("x-admin-token"),
        ]))
}
