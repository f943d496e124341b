//! Liveness, readiness and knowledge reload.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::error::ErrorBody;
use super::{ApiError, AppState};
use crate::app::SemanticStatus;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

pub fn admin_router() -> Router<AppState> {
    Router::new().route("/admin/reload", post(reload))
}

/// What `/healthz` says.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct Health {
    status: Up,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum Up {
    Ok,
}

/// What `/readyz` says.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct Readiness {
    /// `degraded` when the database does not answer or gaps wait in the local spool.
    status: ReadyStatus,
    database: DatabaseHealth,
    /// Gap records waiting in the local spool for the database.
    spooled_gaps: usize,
    /// Offers in the loaded knowledge base.
    offers: usize,
    semantic: SemanticStatus,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum ReadyStatus {
    Ok,
    Degraded,
}

#[derive(Debug, Serialize, ToSchema)]
struct DatabaseHealth {
    /// `sqlite` or `postgres`.
    #[schema(example = "sqlite")]
    backend: &'static str,
    ok: bool,
}

/// Liveness: the process is up (no dependency is checked)
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "healthz",
    responses(
        (status = 200, description = "Up", body = Health),
        (status = 405, description = "The route does not take this method (see `Allow`)", body = ErrorBody),
    )
)]
pub(super) async fn healthz() -> Json<Health> {
    Json(Health { status: Up::Ok })
}

/// Readiness: knowledge loaded and the database answering
///
/// The semantic signal is reported, not required: without it answers are lexical.
#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "readyz",
    responses(
        (status = 200, description = "Ready", body = Readiness),
        (status = 405, description = "The route does not take this method (see `Allow`)", body = ErrorBody),
        (status = 503, description = "Degraded: the database does not answer", body = Readiness),
    )
)]
pub(super) async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
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
        Json(Readiness {
            status: if db && spooled == 0 {
                ReadyStatus::Ok
            } else {
                ReadyStatus::Degraded
            },
            database: DatabaseHealth {
                backend: state.store.backend(),
                ok: db,
            },
            spooled_gaps: spooled,
            offers,
            semantic,
        }),
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
