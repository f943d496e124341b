//! HTTP: the axum router, its shared state and one module per resource. Handlers parse input into
//! domain types and call the library; none builds a tantivy query or writes SQL.

mod ask;
mod error;
mod extract;
mod feedback;
mod health;
mod offers;

pub use error::ApiError;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, StatusCode, header};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::assistant::{Assistant, MemoryConversations};
use crate::catalog::Catalog;
use crate::store::Store;

/// The public API refuses bodies larger than this.
pub const API_BODY_LIMIT: usize = 16 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub catalog: Arc<ArcSwap<Catalog>>,
    pub assistant: Arc<Assistant<MemoryConversations>>,
    pub store: Store,
    pub knowledge_dir: PathBuf,
    /// Bearer token for `POST /api/admin/reload`; reload over HTTP is off without one.
    pub admin_token: Option<String>,
    pub instance: String,
    /// Removes personal data from questions before anything is stored.
    pub redactor: Arc<crate::privacy::Redactor>,
    /// The secret that turns a client address into this month's pseudonym.
    pub pseudonym_salt: Arc<str>,
}

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .merge(offers::router())
        .merge(ask::router())
        .merge(feedback::router())
        .merge(health::admin_router())
        .layer(DefaultBodyLimit::max(API_BODY_LIMIT));
    Router::new()
        .nest("/api", api)
        .merge(health::router())
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
