//! The one router of all HTTP channels: the JSON API under `/api`, the service endpoints, and the web
//! pages, with the shared fallbacks and layers. It sits above both `http` and `web`, so neither
//! needs the other's routes.

use axum::Router;
use axum::response::{IntoResponse, Response};

use crate::http::AppState;

pub fn router(state: AppState) -> Router {
    let app = Router::new()
        .nest("/api", crate::http::api(&state))
        .merge(crate::http::service_routes())
        .merge(crate::web::router(&state))
        // After every route is in: it applies to the method routers registered so far.
        .method_not_allowed_fallback(crate::http::method_not_allowed)
        .fallback(fallback)
        .with_state(state);
    crate::http::layers(crate::web::security_headers(app))
}

/// Unknown paths: JSON under `/api`, a page for people elsewhere.
async fn fallback(req: axum::extract::Request) -> Response {
    let path = req.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        return crate::http::not_found().await.into_response();
    }
    crate::web::not_found(req.headers()).await
}
