//! `GET /api/search`, `GET /api/offers` and `GET /api/offers/{id}`.

use std::collections::BTreeMap;
use std::time::Instant;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::ErrorBody;
use super::extract::{ApiPath, ApiQuery};
use super::{ApiError, AppState};
use crate::catalog::Catalog;
use crate::domain::{Kind, Language, OfferId, Status};
use crate::knowledge::{Offer, Texts, format_date};
use crate::search::Filters;

/// Counts per facet (theme, audience, stage, region, kind, status …) and value.
#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
pub(super) struct Facets(BTreeMap<String, BTreeMap<String, u64>>);

/// One search hit.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct SearchHit {
    #[schema(
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$",
        max_length = 64,
        example = "wbso"
    )]
    id: String,
    name: String,
    kind: Kind,
    status: Status,
    score: f32,
    /// HTML with the matches in `<b>`; the text is escaped.
    snippet: String,
}

/// Search hits, best first, with facet counts.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct SearchResponse {
    hits: Vec<SearchHit>,
    /// How many offers match, of which `hits` are the best.
    total: usize,
    facets: Facets,
    #[schema(minimum = 0)]
    took_ms: f64,
}

/// An offer in a list.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct OfferSummary {
    #[schema(
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$",
        max_length = 64,
        example = "wbso"
    )]
    id: String,
    name: String,
    name_en: String,
    provider: String,
    kind: Kind,
    status: Status,
    themes: Vec<String>,
    audiences: Vec<String>,
    stages: Vec<String>,
    regions: Vec<String>,
    url: String,
    summary: Texts,
}

/// All offers matching the filters, by id.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct OfferList {
    offers: Vec<OfferSummary>,
    total: usize,
    facets: Facets,
}

/// A source of an offer's facts.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct OfferSource {
    url: String,
    /// `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or `undated`.
    date: String,
    /// The address is cut short: show it without a link.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    partial: bool,
    /// The facts mark what this source says as uncertain or stale.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    uncertain: bool,
}

/// The problems an offer solves, in each language.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct OfferNeeds {
    nl: Vec<String>,
    en: Vec<String>,
    de: Vec<String>,
}

/// A figure of an offer, with the index of its source in `sources`.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct OfferFigure {
    label: String,
    value: FigureValue,
    /// 0-based index into the offer's `sources`.
    source: usize,
}

/// A figure's value: `kind` says how to read `value`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub(super) enum FigureValue {
    Eur(f64),
    Percent(f64),
    /// `YYYY-MM-DD`.
    Date(String),
    /// `YYYY-MM`.
    Month(String),
    Year(i32),
    Number(f64),
}

impl From<&crate::knowledge::figures::Value> for FigureValue {
    fn from(v: &crate::knowledge::figures::Value) -> Self {
        use crate::knowledge::figures::Value;
        match *v {
            Value::Eur(x) => FigureValue::Eur(x),
            Value::Percent(x) => FigureValue::Percent(x),
            Value::Date(d) => FigureValue::Date(format_date(d)),
            Value::Month(y, m) => FigureValue::Month(format!("{y:04}-{m:02}")),
            Value::Year(y) => FigureValue::Year(y),
            Value::Number(x) => FigureValue::Number(x),
        }
    }
}

/// One offer in full, with its body as Markdown and as sanitised HTML. Dates are `YYYY-MM-DD`.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct OfferDetail {
    #[schema(
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$",
        max_length = 64,
        example = "wbso"
    )]
    id: String,
    name: String,
    name_en: String,
    name_de: Option<String>,
    provider: String,
    kind: Kind,
    themes: Vec<String>,
    audiences: Vec<String>,
    stages: Vec<String>,
    regions: Vec<String>,
    /// The policy tasks the offer serves.
    opgaven: Vec<u8>,
    status: Status,
    #[schema(format = Date)]
    open_until: Option<String>,
    #[schema(format = Date)]
    closed_on: Option<String>,
    amount_min_eur: Option<u64>,
    amount_max_eur: Option<u64>,
    url: String,
    contact: String,
    keywords: Vec<String>,
    #[schema(format = Date)]
    last_reviewed: String,
    summary: Texts,
    how_to_apply: Texts,
    needs: OfferNeeds,
    sources: Vec<OfferSource>,
    /// Which partner keeps this offer current.
    owner: String,
    /// The scheme opens in application rounds: "open" never stands alone.
    rounds: bool,
    /// The next round's opening date, when a source gives it.
    #[schema(format = Date)]
    next_round: Option<String>,
    /// When the round information was last checked.
    #[schema(format = Date)]
    round_checked: Option<String>,
    figures: Vec<OfferFigure>,
    /// The body as Markdown (Dutch).
    body_markdown: String,
    /// Sanitised HTML rendered from the Markdown body.
    body_html: String,
}

impl OfferDetail {
    fn of(o: &Offer) -> OfferDetail {
        OfferDetail {
            id: o.id.to_string(),
            name: o.name.clone(),
            name_en: o.name_en.clone(),
            name_de: o.name_de.clone(),
            provider: o.provider.clone(),
            kind: o.kind,
            themes: o.themes.clone(),
            audiences: o.audiences.clone(),
            stages: o.stages.clone(),
            regions: o.regions.clone(),
            opgaven: o.opgaven.clone(),
            status: o.status,
            open_until: o.open_until.map(format_date),
            closed_on: o.closed_on.map(format_date),
            amount_min_eur: o.amount_min_eur,
            amount_max_eur: o.amount_max_eur,
            url: o.url.clone(),
            contact: o.contact.clone(),
            keywords: o.keywords.clone(),
            last_reviewed: format_date(o.last_reviewed),
            summary: o.summary.clone(),
            how_to_apply: o.how_to_apply.clone(),
            needs: OfferNeeds {
                nl: o.needs.nl.clone(),
                en: o.needs.en.clone(),
                de: o.needs.de.clone(),
            },
            sources: o
                .sources
                .iter()
                .map(|s| OfferSource {
                    url: s.url.clone(),
                    date: s.date.clone(),
                    partial: s.partial,
                    uncertain: s.uncertain,
                })
                .collect(),
            owner: o.owner.clone(),
            rounds: o.rounds,
            next_round: o.next_round.map(format_date),
            round_checked: o.round_checked.map(format_date),
            figures: o
                .figures
                .iter()
                .map(|f| OfferFigure {
                    label: f.label.clone(),
                    value: (&f.value).into(),
                    source: f.source,
                })
                .collect(),
            body_markdown: o.body.clone(),
            body_html: o.body_html(),
        }
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/search", get(search_offers))
        .route("/offers", get(list_offers))
        .route("/offers/{id}", get(get_offer))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SearchParams {
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

fn summary(o: &Offer) -> OfferSummary {
    OfferSummary {
        id: o.id.to_string(),
        name: o.name.clone(),
        name_en: o.name_en.clone(),
        provider: o.provider.clone(),
        kind: o.kind,
        status: o.status,
        themes: o.themes.clone(),
        audiences: o.audiences.clone(),
        stages: o.stages.clone(),
        regions: o.regions.clone(),
        url: o.url.clone(),
        summary: o.summary.clone(),
    }
}

/// Full-text search over the offers, with facet counts
#[utoipa::path(
    get,
    path = "/api/search",
    operation_id = "search",
    params(
        ("q" = Option<String>, Query, max_length = 500, description = "Free text in Dutch, English or German; typos and compounds are handled."),
        ("theme" = Option<String>, Query, description = "A theme id from the taxonomy; an unknown id is a 400."),
        ("audience" = Option<String>, Query, description = "An audience id from the taxonomy."),
        ("stage" = Option<String>, Query, description = "A stage id from the taxonomy."),
        ("region" = Option<String>, Query, description = "A region, subregion or municipality id."),
        ("kind" = Option<Kind>, Query, description = "What sort of help."),
        ("status" = Option<Status>, Query, description = "Whether the offer can be applied for now."),
        ("lang" = Option<Language>, Query, description = "The language to analyse the query in; all three when absent."),
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 100, description = "At most this many hits (default 10)."),
    ),
    responses(
        (status = 200, description = "Hits, best first", body = SearchResponse),
        (status = 400, description = "The input is invalid; the message says how", body = ErrorBody),
        (status = 405, description = "The route does not take this method (see `Allow`)", body = ErrorBody),
        (status = 500, description = "Something failed on our side; details are only in the server log", body = ErrorBody),
    )
)]
pub(super) async fn search_offers(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Json<SearchResponse>, ApiError> {
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
    let hits = r
        .hits
        .iter()
        .map(|h| {
            let o = &catalog.kb.offers[h.ord];
            SearchHit {
                id: o.id.to_string(),
                name: o.name.clone(),
                kind: o.kind,
                status: o.status,
                score: (h.score * 1000.0).round() / 1000.0,
                snippet: h.snippet.clone(),
            }
        })
        .collect();
    Ok(Json(SearchResponse {
        hits,
        total: r.total,
        facets: Facets(r.facets),
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
    }))
}

/// All offers matching the filters, by id
#[utoipa::path(
    get,
    path = "/api/offers",
    operation_id = "listOffers",
    params(
        ("q" = Option<String>, Query, max_length = 0, description = "Must be empty: use /api/search for text."),
        ("theme" = Option<String>, Query, description = "A theme id from the taxonomy; an unknown id is a 400."),
        ("audience" = Option<String>, Query, description = "An audience id from the taxonomy."),
        ("stage" = Option<String>, Query, description = "A stage id from the taxonomy."),
        ("region" = Option<String>, Query, description = "A region, subregion or municipality id."),
        ("kind" = Option<Kind>, Query, description = "What sort of help."),
        ("status" = Option<Status>, Query, description = "Whether the offer can be applied for now."),
        ("lang" = Option<Language>, Query, description = "Accepted; the list does not depend on it."),
        ("limit" = Option<usize>, Query, description = "Accepted and ignored: the list is never paged."),
    ),
    responses(
        (status = 200, description = "The offers", body = OfferList),
        (status = 400, description = "The input is invalid; the message says how", body = ErrorBody),
        (status = 405, description = "The route does not take this method (see `Allow`)", body = ErrorBody),
        (status = 500, description = "Something failed on our side; details are only in the server log", body = ErrorBody),
    )
)]
pub(super) async fn list_offers(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Json<OfferList>, ApiError> {
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
    Ok(Json(OfferList {
        offers: offers.iter().map(|o| summary(o)).collect(),
        total: r.total,
        facets: Facets(r.facets),
    }))
}

/// One offer in full, with its body as Markdown and as sanitised HTML
#[utoipa::path(
    get,
    path = "/api/offers/{id}",
    operation_id = "getOffer",
    params(
        ("id" = String, Path, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 64, example = "wbso", description = "The offer's id"),
    ),
    responses(
        (status = 200, description = "The offer", body = OfferDetail),
        (status = 400, description = "The input is invalid; the message says how", body = ErrorBody),
        (status = 404, description = "No such offer", body = ErrorBody),
        (status = 405, description = "The route does not take this method (see `Allow`)", body = ErrorBody),
        (status = 500, description = "Something failed on our side; details are only in the server log", body = ErrorBody),
    )
)]
pub(super) async fn get_offer(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<OfferDetail>, ApiError> {
    let id = OfferId::parse(&id).map_err(ApiError::BadRequest)?;
    let catalog = state.catalog.load();
    let o = catalog
        .kb
        .get(id.as_str())
        .ok_or_else(|| ApiError::NotFound(format!("no offer with id `{id}`")))?;
    Ok(Json(OfferDetail::of(o)))
}
