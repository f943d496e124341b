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
        .merge(ask::router())
        .merge(feedback::router())
        .merge(gaps::router())
        .merge(insights::router())
        .merge(health::admin_router())
        .layer(DefaultBodyLimit::max(API_BODY_LIMIT));
    let app = Router::new()
        .nest("/api", api)
        .merge(health::router())
        .merge(crate::web::router())
        .fallback(fallback)
        .with_state(state);
    crate::web::security_headers(app)
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

/// Unknown paths: JSON under `/api`, a page for people elsewhere.
async fn fallback(req: axum::extract::Request) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = req.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        return error::not_found().await.into_response();
    }
    crate::web::not_found(req.headers()).await
}
