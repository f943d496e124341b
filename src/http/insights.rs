//! The white-spot analysis over HTTP: `GET /api/insights/matrix` (advisers and officers),
//! `/api/insights/clusters`, `/api/insights/codebook`, and the exports for partners (officers only,
//! each one audited): `/api/insights/matrix.csv`, `/api/insights/matrix.json`, `/api/gaps.csv`.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::{Adviser, Officer};
use super::extract::ApiQuery;
use super::gaps::GapParams;
use super::{ApiError, AppState};
use crate::auth::Caller;
use crate::domain::Language;
use crate::insights::{Dimension, Period, clusters, export, matrix};
use crate::store::GapFilter;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/insights/matrix", get(matrix_json))
        .route("/insights/priorities", get(priorities_json))
        .route("/insights/matrix.json", get(matrix_export_json))
        .route("/insights/matrix.csv", get(matrix_export_csv))
        .route("/insights/clusters", get(cluster_list))
        .route("/insights/codebook", get(codebook))
        .route("/gaps.csv", get(gaps_csv))
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct MatrixParams {
    pub from: Option<String>,
    pub to: Option<String>,
    pub rows: Option<String>,
    pub cols: Option<String>,
    /// Language of the labels: nl (default), en or de.
    pub lang: Option<String>,
}

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

impl MatrixParams {
    pub fn parse(&self) -> Result<(Dimension, Dimension, Period, Language), ApiError> {
        let dim = |v: &Option<String>, default| match v.as_deref().filter(|s| !s.is_empty()) {
            None => Ok(default),
            Some(s) => Dimension::parse(s).map_err(ApiError::BadRequest),
        };
        let rows = dim(&self.rows, Dimension::Theme)?;
        let cols = dim(&self.cols, Dimension::Subregion)?;
        if rows == cols {
            return Err(ApiError::BadRequest("rows and cols must differ".into()));
        }
        let period = Period::parse(self.from.as_deref(), self.to.as_deref(), today())
            .map_err(ApiError::BadRequest)?;
        let lang = match self.lang.as_deref().filter(|s| !s.is_empty()) {
            None => Language::Nl,
            Some(l) => Language::parse(l)
                .ok_or_else(|| ApiError::BadRequest("`lang` must be nl, en or de".into()))?,
        };
        Ok((rows, cols, period, lang))
    }
}

async fn build(
    app: &AppState,
    p: &MatrixParams,
    suppress: bool,
) -> Result<matrix::Matrix, ApiError> {
    let (rows, cols, period, lang) = p.parse()?;
    let catalog = app.catalog.load_full();
    matrix::build(&app.store, &catalog.kb, rows, cols, period, lang, suppress)
        .await
        .map_err(|e| ApiError::Internal(e.into()))
}

/// The full matrix for people inside (no suppression: they see the small cells too).
async fn matrix_json(
    State(app): State<AppState>,
    Adviser(_): Adviser,
    ApiQuery(p): ApiQuery<MatrixParams>,
) -> Result<Json<matrix::Matrix>, ApiError> {
    Ok(Json(build(&app, &p, false).await?))
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PriorityParams {
    pub from: Option<String>,
    pub to: Option<String>,
    pub rows: Option<String>,
    pub cols: Option<String>,
    pub lang: Option<String>,
    /// How many cells (1-100, default 10).
    pub limit: Option<usize>,
}

/// The cells where unmet demand weighs most, by the documented score (`insights::priorities`).
async fn priorities_json(
    State(app): State<AppState>,
    Adviser(_): Adviser,
    ApiQuery(p): ApiQuery<PriorityParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let limit = p.limit.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::BadRequest(
            "`limit` must be between 1 and 100".into(),
        ));
    }
    let mp = MatrixParams {
        from: p.from,
        to: p.to,
        rows: p.rows,
        cols: p.cols,
        lang: p.lang,
    };
    let m = build(&app, &mp, false).await?;
    let catalog = app.catalog.load_full();
    let ranked = crate::insights::priorities::rank(&m, &catalog.kb, &catalog.kb.priorities, limit);
    Ok(Json(serde_json::json!({
        "from": m.from,
        "to": m.to,
        "rows": m.rows,
        "cols": m.cols,
        "weights": catalog.kb.priorities,
        "priorities": ranked,
    })))
}

async fn audit_export(
    app: &AppState,
    caller: &Caller,
    what: &str,
    detail: String,
) -> Result<(), ApiError> {
    app.store
        .audit(&caller.actor(), "export", Some(what), Some(&detail))
        .await
        .map_err(|e| ApiError::Internal(e.into()))
}

fn describe(p: &MatrixParams) -> String {
    format!(
        "rows={} cols={} from={} to={}",
        p.rows.as_deref().unwrap_or("theme"),
        p.cols.as_deref().unwrap_or("subregion"),
        p.from.as_deref().unwrap_or("-"),
        p.to.as_deref().unwrap_or("-")
    )
}

/// The partner export: small cells suppressed.
async fn matrix_export_json(
    State(app): State<AppState>,
    Officer(caller): Officer,
    ApiQuery(p): ApiQuery<MatrixParams>,
) -> Result<Response, ApiError> {
    let m = build(&app, &p, true).await?;
    audit_export(&app, &caller, "matrix.json", describe(&p)).await?;
    Ok(attachment(
        "application/json",
        "wegwijzer-matrix.json",
        serde_json::to_string_pretty(&json!({"codebook": export::codebook(), "matrix": m}))
            .map_err(|e| ApiError::Internal(e.into()))?,
    ))
}

async fn matrix_export_csv(
    State(app): State<AppState>,
    Officer(caller): Officer,
    ApiQuery(p): ApiQuery<MatrixParams>,
) -> Result<Response, ApiError> {
    let m = build(&app, &p, true).await?;
    audit_export(&app, &caller, "matrix.csv", describe(&p)).await?;
    Ok(attachment(
        "text/csv; charset=utf-8",
        "wegwijzer-matrix.csv",
        export::matrix_csv(&m),
    ))
}

/// Exports are capped: a partner file is for a period, not the whole history at once.
pub const MAX_EXPORT_ROWS: i64 = 100_000;

async fn gaps_csv(
    State(app): State<AppState>,
    Officer(caller): Officer,
    ApiQuery(p): ApiQuery<GapParams>,
) -> Result<Response, ApiError> {
    let mut filter: GapFilter = GapParams {
        limit: Some(1),
        ..p
    }
    .filter()?;
    filter.limit = MAX_EXPORT_ROWS;
    let (total, gaps) = app
        .store
        .list_gaps(&filter)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    audit_export(
        &app,
        &caller,
        "gaps.csv",
        format!("rows={} of {total}", gaps.len()),
    )
    .await?;
    Ok(attachment(
        "text/csv; charset=utf-8",
        "wegwijzer-gaps.csv",
        export::gaps_csv(&gaps),
    ))
}

fn attachment(content_type: &'static str, name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ClusterParams {
    from: Option<String>,
    to: Option<String>,
}

/// How many of a period's gap texts clustering looks at (newest first).
const CLUSTER_SAMPLE: i64 = 5000;

async fn cluster_list(
    State(app): State<AppState>,
    Adviser(_): Adviser,
    ApiQuery(p): ApiQuery<ClusterParams>,
) -> Result<Json<Value>, ApiError> {
    let period =
        Period::parse(p.from.as_deref(), p.to.as_deref(), today()).map_err(ApiError::BadRequest)?;
    let (from, to) = period.bounds();
    let texts = app
        .store
        .gap_texts(&from, &to, CLUSTER_SAMPLE)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let n = texts.len();
    let found = tokio::task::spawn_blocking(move || {
        clusters::cluster(&crate::search::Analyzers::default(), &texts)
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(Json(
        json!({"from": from, "to": to, "gaps_considered": n, "clusters": found}),
    ))
}

async fn codebook(Adviser(_): Adviser) -> Json<export::Codebook> {
    Json(export::codebook())
}
