//! `GET /api/search`, `GET /api/offers` and `GET /api/offers/{id}`.

use std::time::Instant;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::extract::{ApiPath, ApiQuery};
use super::{ApiError, AppState};
use crate::catalog::Catalog;
use crate::domain::{Kind, Language, OfferId, Status};
use crate::knowledge::{Offer, format_date};
use crate::search::Filters;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/search", get(search_offers))
        .route("/offers", get(list_offers))
        .route("/offers/{id}", get(get_offer))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchParams {
    #[serde(default)]
    q: String,
    theme: Option<String>,
    audience: Option<String>,
    stage: Option<String>,
    region: Option<String>,
    kind: Option<String>,
    status: Option<String>,
    /// nl, en or de: the language to analyse the query in; all three when absent.
    lang: Option<String>,
    limit: Option<usize>,
}

const MAX_QUERY_CHARS: usize = 500;

/// Turns query parameters into filters, refusing ids the taxonomy does not know.
fn filters(c: &Catalog, p: &SearchParams) -> Result<Filters, ApiError> {
    let t = &c.kb.taxonomy;
    let check = |name: &str,
                 v: &Option<String>,
                 ok: &dyn Fn(&str) -> bool|
     -> Result<Option<String>, ApiError> {
        match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) if ok(s) => Ok(Some(s.to_owned())),
            Some(s) => Err(ApiError::BadRequest(format!(
                "unknown {name} `{}`",
                s.chars().take(60).collect::<String>()
            ))),
        }
    };
    let kind = match p.kind.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(k) => Some(Kind::parse(k).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "unknown kind `{}`",
                k.chars().take(60).collect::<String>()
            ))
        })?),
    };
    let status = match p.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            ApiError::BadRequest("unknown status (open, closed or unknown)".into())
        })?),
    };
    Ok(Filters {
        theme: check("theme", &p.theme, &|s| t.theme(s).is_some())?,
        audience: check("audience", &p.audience, &|s| t.audience(s).is_some())?,
        stage: check("stage", &p.stage, &|s| t.stage(s).is_some())?,
        region: check("region", &p.region, &|s| t.is_region(s))?,
        kind,
        status,
    })
}

fn languages(lang: &Option<String>) -> Result<Vec<Language>, ApiError> {
    match lang.as_deref().filter(|s| !s.is_empty()) {
        None => Ok(Language::ALL.to_vec()),
        Some(l) => Language::parse(l)
            .map(|l| vec![l])
            .ok_or_else(|| ApiError::BadRequest("unknown lang (nl, en or de)".into())),
    }
}

fn summary(o: &Offer) -> Value {
    json!({
        "id": o.id, "name": o.name, "name_en": o.name_en, "provider": o.provider, "kind": o.kind,
        "status": o.status, "themes": o.themes, "audiences": o.audiences, "stages": o.stages,
        "regions": o.regions, "url": o.url, "summary": o.summary,
    })
}

async fn search_offers(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Json<Value>, ApiError> {
    let started = Instant::now();
    if p.q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::BadRequest(format!(
            "q is longer than {MAX_QUERY_CHARS} characters"
        )));
    }
    let limit = p.limit.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::BadRequest(
            "limit must be between 1 and 100".into(),
        ));
    }
    let catalog = state.catalog.load_full();
    let f = filters(&catalog, &p)?;
    let langs = languages(&p.lang)?;
    let q = p.q.clone();
    // Search is CPU work: keep it off the async executor.
    let result = tokio::task::spawn_blocking(move || {
        let r = catalog
            .index
            .search(&catalog.kb, &q, &langs, &f, limit, true);
        (catalog, r)
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?;
    let (catalog, r) = result;
    let r = r.map_err(|e| ApiError::Internal(e.into()))?;
    let hits: Vec<Value> = r
        .hits
        .iter()
        .map(|h| {
            let o = &catalog.kb.offers[h.ord];
            json!({"id": o.id, "name": o.name, "kind": o.kind, "status": o.status,
                   "score": (h.score * 1000.0).round() / 1000.0, "snippet": h.snippet})
        })
        .collect();
    Ok(Json(json!({
        "hits": hits, "total": r.total, "facets": r.facets,
        "took_ms": started.elapsed().as_secs_f64() * 1000.0,
    })))
}

async fn list_offers(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Json<Value>, ApiError> {
    if !p.q.is_empty() {
        return Err(ApiError::BadRequest(
            "use /api/search for text queries".into(),
        ));
    }
    let catalog = state.catalog.load_full();
    let f = filters(&catalog, &p)?;
    let n = catalog.kb.offers.len().max(1);
    let r = catalog
        .index
        .search(&catalog.kb, "", &Language::ALL, &f, n, false)
        .map_err(|e| ApiError::Internal(e.into()))?;
    let mut offers: Vec<&std::sync::Arc<Offer>> =
        r.hits.iter().map(|h| &catalog.kb.offers[h.ord]).collect();
    offers.sort_by(|a, b| a.id.cmp(&b.id));
    let list: Vec<Value> = offers.iter().map(|o| summary(o)).collect();
    Ok(Json(
        json!({"offers": list, "total": r.total, "facets": r.facets}),
    ))
}

async fn get_offer(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let id = OfferId::parse(&id).map_err(ApiError::BadRequest)?;
    let catalog = state.catalog.load();
    let o = catalog
        .kb
        .get(id.as_str())
        .ok_or_else(|| ApiError::NotFound(format!("no offer with id `{id}`")))?;
    let mut v = serde_json::to_value(o.as_ref()).map_err(|e| ApiError::Internal(e.into()))?;
    if let Some(map) = v.as_object_mut() {
        map.remove("body");
        map.insert("body_markdown".into(), json!(o.body));
        map.insert("body_html".into(), json!(o.body_html()));
        map.insert("last_reviewed".into(), json!(format_date(o.last_reviewed)));
        map.insert("open_until".into(), json!(o.open_until.map(format_date)));
        map.insert("closed_on".into(), json!(o.closed_on.map(format_date)));
    }
    Ok(Json(v))
}
