//! `/aanbod`: the offer search for advisers and anyone else (typo-tolerant search, facet filters
//! with counts, snippets; the filters live in the query string so a search can be shared), and
//! `/aanbod/{id}`: one offer in full with its sources and similar offers.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::chat::{Badge, badge};
use super::i18n::{kind_label, offer_status_label, status_label};
use super::{Chrome, Ctx, WebError};
use crate::catalog::Catalog;
use crate::domain::{Kind, Language, OfferId, Status};
use crate::http::AppState;
use crate::knowledge::{Offer, format_date};
use crate::search::Filters;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/aanbod", get(search_page))
        .route("/aanbod/{id}", get(offer_page))
}

const FACETS: [&str; 6] = ["theme", "audience", "stage", "region", "kind", "status"];
const MAX_QUERY_CHARS: usize = 500;
const SIMILAR: usize = 4;

/// The query string. Unknown filter values are dropped, not refused: a stale shared link still
/// shows results.
#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
    theme: Option<String>,
    audience: Option<String>,
    stage: Option<String>,
    region: Option<String>,
    kind: Option<String>,
    status: Option<String>,
}

impl SearchParams {
    fn get(&self, facet: &str) -> Option<&str> {
        let v = match facet {
            "theme" => &self.theme,
            "audience" => &self.audience,
            "stage" => &self.stage,
            "region" => &self.region,
            "kind" => &self.kind,
            "status" => &self.status,
            _ => &None,
        };
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    /// This search as a query string, without one facet (to remove that filter).
    fn href_without(&self, skip: Option<&str>) -> String {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if !self.q.trim().is_empty() {
            pairs.push(("q", self.q.trim()));
        }
        for f in FACETS {
            if Some(f) != skip
                && let Some(v) = self.get(f)
            {
                pairs.push((f, v));
            }
        }
        let qs = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        if qs.is_empty() {
            "/aanbod".into()
        } else {
            format!("/aanbod?{qs}")
        }
    }
}

/// Turns the parameters into filters, keeping only values the taxonomy knows.
fn filters(c: &Catalog, p: &SearchParams, skip: Option<&str>) -> Filters {
    let t = &c.kb.taxonomy;
    let keep = |f: &str, ok: &dyn Fn(&str) -> bool| {
        if Some(f) == skip {
            return None;
        }
        p.get(f).filter(|v| ok(v)).map(str::to_owned)
    };
    Filters {
        theme: keep("theme", &|v| t.theme(v).is_some()),
        audience: keep("audience", &|v| t.audience(v).is_some()),
        stage: keep("stage", &|v| t.stage(v).is_some()),
        region: keep("region", &|v| t.is_region(v)),
        kind: keep("kind", &|v| Kind::parse(v).is_some()).and_then(|k| Kind::parse(&k)),
        status: keep("status", &|v| Status::parse(v).is_some()).and_then(|s| Status::parse(&s)),
    }
}

/// The label of a facet value in a language.
fn facet_label(c: &Catalog, facet: &str, value: &str, lang: Language) -> String {
    let t = &c.kb.taxonomy;
    let label = match facet {
        "theme" => t.theme(value).map(|x| x.label.get(lang).to_owned()),
        "audience" => t.audience(value).map(|x| x.label.get(lang).to_owned()),
        "stage" => t.stage(value).map(|x| x.label.get(lang).to_owned()),
        "region" => Some(t.region_label(value, lang)),
        "kind" => Kind::parse(value).map(|k| kind_label(k, lang).to_owned()),
        "status" => Status::parse(value).map(|s| status_label(s, lang).to_owned()),
        _ => None,
    };
    label.unwrap_or_else(|| value.to_owned())
}

pub struct FacetView {
    pub name: &'static str,
    pub label: &'static str,
    pub options: Vec<FacetOption>,
}

pub struct FacetOption {
    pub value: String,
    pub label: String,
    pub count: u64,
    pub selected: bool,
}

pub struct ActiveFilter {
    pub label: String,
    pub remove_href: String,
}

pub struct HitView {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub status_class: &'static str,
    /// HTML from the index: text escaped, matches in `<b>`.
    pub snippet: String,
}

#[derive(Template)]
#[template(path = "offers.html")]
struct SearchPage {
    page: Chrome,
    q: String,
    facets: Vec<FacetView>,
    active: Vec<ActiveFilter>,
    clear_href: String,
    hits: Vec<HitView>,
    total: usize,
}

fn status_class(s: Status) -> &'static str {
    match s {
        Status::Open => "ww-badge--open",
        Status::Closed => "ww-badge--closed",
        Status::Unknown => "ww-badge--check",
    }
}

async fn search_page(
    State(app): State<AppState>,
    ctx: Ctx,
    params: Result<Query<SearchParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, WebError> {
    let Query(mut p) = params.map_err(|_| WebError::bad_request(ctx.lang))?;
    p.q = p.q.chars().take(MAX_QUERY_CHARS).collect();
    let catalog = app.catalog.load_full();
    let lang = ctx.lang;
    let (p, result, facet_counts) = tokio::task::spawn_blocking(move || {
        let n = catalog.kb.offers.len().max(1);
        let all = Language::ALL;
        let result = catalog.index.search(
            &catalog.kb,
            &p.q,
            &all,
            &filters(&catalog, &p, None),
            n,
            true,
        );
        // Each facet counts as if its own filter were off, so one can switch between its values.
        let counts: Vec<_> = FACETS
            .iter()
            .map(|f| {
                catalog
                    .index
                    .search(
                        &catalog.kb,
                        &p.q,
                        &all,
                        &filters(&catalog, &p, Some(f)),
                        1,
                        false,
                    )
                    .map(|r| r.facets.get(*f).cloned().unwrap_or_default())
            })
            .collect();
        (p, result.map(|r| (catalog, r)), counts)
    })
    .await
    .map_err(|e| WebError::internal(lang, e))?;
    let (catalog, result) = result.map_err(|e| WebError::internal(lang, e))?;
    let t = ctx.t;
    let labels = [
        t.facet_theme,
        t.facet_audience,
        t.facet_stage,
        t.facet_region,
        t.facet_kind,
        t.facet_status,
    ];
    let mut facets = Vec::new();
    let mut active = Vec::new();
    for ((name, label), counts) in FACETS.iter().zip(labels).zip(facet_counts) {
        let counts = counts.map_err(|e| WebError::internal(lang, e))?;
        let selected = p.get(name).map(str::to_owned);
        let mut options: Vec<FacetOption> = counts
            .iter()
            .map(|(v, n)| FacetOption {
                value: v.clone(),
                label: facet_label(&catalog, name, v, lang),
                count: *n,
                selected: selected.as_deref() == Some(v.as_str()),
            })
            .collect();
        if let Some(sel) = &selected
            && !options.iter().any(|o| &o.value == sel)
        {
            options.push(FacetOption {
                value: sel.clone(),
                label: facet_label(&catalog, name, sel, lang),
                count: 0,
                selected: true,
            });
        }
        options.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
        if let Some(sel) = &selected {
            active.push(ActiveFilter {
                label: format!("{label}: {}", facet_label(&catalog, name, sel, lang)),
                remove_href: p.href_without(Some(name)),
            });
        }
        facets.push(FacetView {
            name,
            label,
            options,
        });
    }
    let hits = result
        .hits
        .iter()
        .map(|h| {
            let o = &catalog.kb.offers[h.ord];
            HitView {
                id: o.id.as_str().to_owned(),
                name: o.name_in(lang).to_owned(),
                provider: o.provider.clone(),
                kind: kind_label(o.kind, lang),
                status: offer_status_label(o, lang),
                status_class: status_class(o.status),
                snippet: if h.snippet.trim().is_empty() {
                    escape(o.summary.get(lang))
                } else {
                    h.snippet.clone()
                },
            }
        })
        .collect();
    let title = if p.q.trim().is_empty() {
        t.offers_title.to_owned()
    } else {
        format!("{} · {}", p.q.trim(), t.offers_title)
    };
    let page = SearchPage {
        page: ctx.chrome(&title),
        q: p.q.clone(),
        facets,
        active,
        clear_href: if p.q.trim().is_empty() {
            "/aanbod".into()
        } else {
            format!(
                "/aanbod?{}",
                serde_urlencoded::to_string([("q", p.q.trim())]).unwrap_or_default()
            )
        },
        hits,
        total: result.total,
    };
    Ok(ctx.page(&page))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

pub struct SimilarView {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub badge: Option<Badge>,
}

#[derive(Template)]
#[template(path = "offer.html")]
struct OfferPage {
    page: Chrome,
    name: String,
    provider: String,
    status: &'static str,
    status_class: &'static str,
    summary: String,
    how_to_apply: String,
    body_html: String,
    url: String,
    contact: String,
    facts: Vec<Fact>,
    sources: Vec<SourceView>,
    figures: Vec<String>,
    last_reviewed: String,
    similar: Vec<SimilarView>,
}

struct SourceView {
    url: String,
    /// False for a cut-short address.
    link: bool,
    date: String,
}

/// Offers that share the most themes, audiences and stages with `o`.
fn similar(c: &Catalog, o: &Offer, lang: Language) -> Vec<SimilarView> {
    let shared = |a: &[String], b: &[String]| a.iter().filter(|x| b.contains(x)).count();
    let mut scored: Vec<(usize, &Arc<Offer>)> =
        c.kb.offers
            .iter()
            .filter(|x| x.id != o.id)
            .map(|x| {
                let s = 3 * shared(&x.themes, &o.themes)
                    + shared(&x.audiences, &o.audiences)
                    + shared(&x.stages, &o.stages)
                    + usize::from(x.status != Status::Closed);
                (s, x)
            })
            .filter(|(s, _)| *s > 3)
            .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
    scored
        .into_iter()
        .take(SIMILAR)
        .map(|(_, x)| SimilarView {
            id: x.id.as_str().to_owned(),
            name: x.name_in(lang).to_owned(),
            provider: x.provider.clone(),
            badge: badge(x.status, x.rounds, lang),
        })
        .collect()
}

fn amount(o: &Offer) -> Option<String> {
    let eur = |n: u64| {
        let s = n.to_string();
        let mut out = String::new();
        for (i, ch) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push('.');
            }
            out.push(ch);
        }
        format!("€ {out}")
    };
    match (o.amount_min_eur, o.amount_max_eur) {
        (Some(a), Some(b)) => Some(format!("{} – {}", eur(a), eur(b))),
        (Some(a), None) => Some(format!("≥ {}", eur(a))),
        (None, Some(b)) => Some(format!("≤ {}", eur(b))),
        (None, None) => None,
    }
}

async fn offer_page(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let lang = ctx.lang;
    let id = OfferId::parse(&id).map_err(|_| WebError::not_found(lang))?;
    let catalog = app.catalog.load_full();
    let o = catalog
        .kb
        .get(id.as_str())
        .ok_or_else(|| WebError::not_found(lang))?;
    let t = ctx.t;
    let tax = &catalog.kb.taxonomy;
    let join = |ids: &[String], f: &dyn Fn(&str) -> String| {
        ids.iter().map(|i| f(i)).collect::<Vec<_>>().join(", ")
    };
    let mut facts = vec![
        Fact {
            label: t.kind,
            value: kind_label(o.kind, lang).to_owned(),
        },
        Fact {
            label: t.themes,
            value: join(&o.themes, &|i| facet_label(&catalog, "theme", i, lang)),
        },
        Fact {
            label: t.audiences,
            value: join(&o.audiences, &|i| {
                facet_label(&catalog, "audience", i, lang)
            }),
        },
        Fact {
            label: t.regions,
            value: join(&o.regions, &|i| tax.region_label(i, lang)),
        },
    ];
    if let Some(a) = amount(o) {
        facts.push(Fact {
            label: t.amount,
            value: a,
        });
    }
    if let Some(d) = o.open_until {
        facts.push(Fact {
            label: t.open_until,
            value: format_date(d),
        });
    }
    if let Some(d) = o.closed_on {
        facts.push(Fact {
            label: t.closed_on,
            value: format_date(d),
        });
    }
    let name = o.name_in(lang).to_owned();
    let page = OfferPage {
        page: ctx.chrome(&name),
        name,
        provider: o.provider.clone(),
        status: offer_status_label(o, lang),
        status_class: status_class(o.status),
        summary: o.summary.get(lang).to_owned(),
        how_to_apply: o.how_to_apply.get(lang).to_owned(),
        body_html: o.body_html(),
        url: o.url.clone(),
        contact: o.contact.clone(),
        facts,
        // A cut-short address is shown as text, never as a link that lands somewhere else.
        sources: o
            .sources
            .iter()
            .map(|s| SourceView {
                url: s.url.clone(),
                link: !s.partial,
                date: s.date_in(lang).to_owned(),
            })
            .collect(),
        figures: crate::assistant::figure_cards(o, lang)
            .into_iter()
            .map(|f| f.text)
            .collect(),
        last_reviewed: format_date(o.last_reviewed),
        similar: similar(&catalog, o, lang),
    };
    Ok(ctx.page(&page))
}
