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

/// The router's state is the application itself.
pub type AppState = crate::app::App;

pub fn router(state: AppState) -> Router {
    // The endpoints that make the service work or write draw on one budget per client.
    let limited = Router::new()
        .merge(ask::router())
        .merge(feedback::router())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            rate_limit::limit,
        ));
    let api = Router::new()
        .merge(offers::router())
        .merge(openapi::router())
        .merge(limited)
        .merge(gaps::router())
        .merge(insights::router())
        .merge(health::admin_router())
        .layer(DefaultBodyLimit::max(API_BODY_LIMIT));
    let app = Router::new()
        .nest("/api", api)
        .merge(health::router())
        .merge(crate::web::router(&state))
        .merge(telemetry::router())
        // After every route is in: it applies to the method routers registered so far.
        .method_not_allowed_fallback(error::method_not_allowed)
        .fallback(fallback)
        .with_state(state);
    crate::web::security_headers(app)
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

/// Unknown paths: JSON under `/api`, a page for people elsewhere.
async fn fallback(req: axum::extract::Request) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = req.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        return error::not_found().await.into_response();
    }
    crate::web::not_found(req.headers()).await
}
