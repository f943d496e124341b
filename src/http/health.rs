//! Liveness, readiness and knowledge reload.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::{ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

pub fn admin_router() -> Router<AppState> {
    Router::new().route("/admin/reload", post(reload))
}

/// The process is up: no dependency is checked.
async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// Ready to serve: knowledge loaded and the database answering. The semantic signal is reported,
/// not required: without it answers are lexical.
async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let db = state.store.ping().await;
    let offers = state.catalog.load().kb.offers.len();
    let spooled = state.spool.as_ref().map_or(0, |s| s.pending());
    let semantic = state.semantic_status().await;
    let status = if db {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(
            json!({"status": if db && spooled == 0 {"ok"} else {"degraded"}, "database": {"backend": state.store.backend(), "ok": db}, "spooled_gaps": spooled, "offers": offers, "semantic": semantic}),
        ),
    )
}

async fn reload(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let Some(expected) = state.admin_token.as_deref() else {
        return Err(ApiError::Forbidden(
            "reload over HTTP is disabled: set WEGWIJZER_ADMIN_TOKEN, or send SIGHUP to the process".into(),
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        // The scheme is case-insensitive (RFC 9110), as for API tokens.
        .and_then(super::auth::bearer_token)
        .unwrap_or("");
    if !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        return Err(ApiError::Forbidden(
            "a valid admin token is required".into(),
        ));
    }
    let offers = state
        .app
        .reload()
        .await
        .map_err(|e| ApiError::BadRequest(format!("{e:#}")))?;
    Ok(Json(json!({"status": "reloaded", "offers": offers})))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
