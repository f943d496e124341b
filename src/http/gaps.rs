//! The unmet-demand log for advisers and officers: `GET /api/gaps` (filtered pages),
//! `GET /api/gaps/{id}`, `POST /api/gaps` (a gap an adviser logs from a call or visit) and
//! `PATCH /api/gaps/{id}` (triage, officers). Exports live in [`super::insights`].

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::{Adviser, Officer};
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{ApiError, AppState};
use crate::desk::{AdviserGap, TriageChange};
use crate::domain::{Channel, GapReason, Question};
use crate::store::{GAP_STATUSES, GapFilter};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/gaps", get(list).post(log_gap))
        .route("/gaps/{id}", get(one).patch(triage))
}

/// Query parameters shared by the gap list and the exports.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct GapParams {
    pub from: Option<String>,
    pub to: Option<String>,
    pub theme: Option<String>,
    pub audience: Option<String>,
    pub subregion: Option<String>,
    pub municipality: Option<String>,
    pub reason: Option<String>,
    pub channel: Option<String>,
    pub status: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

pub const MAX_PAGE: i64 = 500;

/// A day parameter: `YYYY-MM-DD`, a real date.
pub fn parse_day(name: &str, v: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(v, &format)
        .map(|_| Some(v.to_owned()))
        .map_err(|_| ApiError::BadRequest(format!("`{name}` must be a date as YYYY-MM-DD")))
}

fn one_of(name: &str, v: Option<&str>, allowed: &[&str]) -> Result<Option<String>, ApiError> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if allowed.contains(&v) => Ok(Some(v.to_owned())),
        Some(_) => Err(ApiError::BadRequest(format!(
            "`{name}` must be one of: {}",
            allowed.join(", ")
        ))),
    }
}

/// Free identifiers (theme, place …) are matched as given; only their length is bounded.
fn ident(name: &str, v: Option<&str>) -> Result<Option<String>, ApiError> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if v.len() <= 64 && !v.contains(',') => Ok(Some(v.to_owned())),
        Some(_) => Err(ApiError::BadRequest(format!("`{name}` is not a valid id"))),
    }
}

pub const REASONS: [&str; 6] = [
    "no_offer",
    "offer_closed",
    "audience_mismatch",
    "region_mismatch",
    "not_helpful",
    "handoff",
];
pub const CHANNELS: [&str; 5] = ["web", "discord", "api", "cli", "adviser"];

impl GapParams {
    pub fn filter(&self) -> Result<GapFilter, ApiError> {
        let limit = self.limit.unwrap_or(50);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(ApiError::BadRequest(format!(
                "`limit` must be between 1 and {MAX_PAGE}"
            )));
        }
        let offset = self.offset.unwrap_or(0);
        if offset < 0 {
            return Err(ApiError::BadRequest("`offset` must not be negative".into()));
        }
        Ok(GapFilter {
            from: parse_day("from", self.from.as_deref())?,
            to: parse_day("to", self.to.as_deref())?,
            theme: ident("theme", self.theme.as_deref())?,
            audience: ident("audience", self.audience.as_deref())?,
            subregion: ident("subregion", self.subregion.as_deref())?,
            municipality: ident("municipality", self.municipality.as_deref())?,
            reason: one_of("reason", self.reason.as_deref(), &REASONS)?,
            channel: one_of("channel", self.channel.as_deref(), &CHANNELS)?,
            status: one_of("status", self.status.as_deref(), &GAP_STATUSES)?,
            limit,
            offset,
        })
    }
}

async fn list(
    State(app): State<AppState>,
    Adviser(_): Adviser,
    ApiQuery(p): ApiQuery<GapParams>,
) -> Result<Json<Value>, ApiError> {
    let (total, gaps) = app.store.list_gaps(&p.filter()?).await.map_err(internal)?;
    Ok(Json(json!({"total": total, "gaps": gaps})))
}

async fn one(
    State(app): State<AppState>,
    Adviser(_): Adviser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let id = gap_id(&id)?;
    let gap = app.store.gap(id).await.map_err(internal)?;
    gap.map(|g| Json(json!(g)))
        .ok_or_else(|| ApiError::NotFound(format!("no gap {id}")))
}

fn gap_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::BadRequest("a gap id is a positive number".into()))
}

fn internal(e: crate::store::StoreError) -> ApiError {
    ApiError::Internal(e.into())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LogGap {
    question: String,
    /// Defaults to `no_offer`; `handoff` or `offer_closed` where that is what happened.
    reason: Option<String>,
    /// Where the question came in; `adviser` unless the adviser says otherwise.
    channel: Option<Channel>,
    /// Overrides of what the assistant understands from the text.
    themes: Option<Vec<String>>,
    audiences: Option<Vec<String>>,
    stages: Option<Vec<String>>,
    municipality: Option<String>,
    note: Option<String>,
}

/// An adviser logs a question from a phone call or visit: the same understanding is run on its
/// text, the adviser's own classification wins, and the text is redacted like any other.
async fn log_gap(
    State(app): State<AppState>,
    Adviser(caller): Adviser,
    ApiJson(req): ApiJson<LogGap>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let question =
        Question::parse(&req.question).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let reason = match req.reason.as_deref() {
        None => GapReason::NoOffer,
        Some(r) => GapReason::parse(r).map_err(ApiError::BadRequest)?,
    };
    let catalog = app.catalog.load_full();
    let taxonomy = &catalog.kb.taxonomy;
    let check = |kind: &str, ids: &Option<Vec<String>>, known: &dyn Fn(&str) -> bool| match ids {
        Some(ids) => match ids.iter().find(|id| !known(id)) {
            Some(bad) => Err(ApiError::BadRequest(format!(
                "unknown {kind} `{}`",
                bad.chars().take(60).collect::<String>()
            ))),
            None => Ok(Some(ids.clone())),
        },
        None => Ok(None),
    };
    let themes = check("theme", &req.themes, &|id| taxonomy.theme(id).is_some())?;
    let audiences = check("audience", &req.audiences, &|id| {
        taxonomy.audience(id).is_some()
    })?;
    let stages = check("stage", &req.stages, &|id| taxonomy.stage(id).is_some())?;
    if let Some(m) = &req.municipality
        && taxonomy.municipality(m).is_none()
    {
        return Err(ApiError::BadRequest(format!(
            "unknown municipality `{}`",
            m.chars().take(60).collect::<String>()
        )));
    }
    let stored = app
        .log_adviser_gap(
            &caller,
            AdviserGap {
                question,
                reason,
                channel: req.channel.unwrap_or(Channel::Adviser),
                themes,
                audiences,
                stages,
                municipality: req.municipality,
                note: req.note,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(json!(stored))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TriageRequest {
    status: Option<String>,
    note: Option<String>,
    covered_by: Option<String>,
}

async fn triage(
    State(app): State<AppState>,
    Officer(caller): Officer,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<TriageRequest>,
) -> Result<Json<Value>, ApiError> {
    let id = gap_id(&id)?;
    if req.status.is_none() && req.note.is_none() && req.covered_by.is_none() {
        return Err(ApiError::BadRequest(
            "give at least one of status, note, covered_by".into(),
        ));
    }
    let change = TriageChange {
        status: req.status.as_deref(),
        note: req.note.as_deref(),
        covered_by: req.covered_by.as_deref(),
    };
    let changed = app
        .triage(&caller, id, change)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no gap {id}")))?;
    Ok(Json(json!(changed)))
}
