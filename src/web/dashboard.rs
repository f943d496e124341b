//! `/dashboard`: the white-spot matrix as a heat map (a table, so it reads without colour), the
//! weekly trend of questions and gaps as server-rendered SVG, the top clusters of unanswered
//! questions, and the gap list with triage. Officers see everything; advisers see the matrix, the
//! trend, the clusters and the list, without triage or exports. `/dashboard/gap/new` lets an
//! adviser log a question from a call or visit; `/dashboard/export` offers the partner exports.

use askama::Template;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::account::{require, see_other};
use super::{Chrome, Ctx, WebError};
use crate::auth::Role;
use crate::desk::{AdviserGap, DeskError, TriageChange};
use crate::domain::{Channel, GapReason, Language, Question};
use crate::http::AppState;
use crate::insights::{
    Dimension, GAP_OUTCOMES, Period, QUESTION_OUTCOMES, clusters, export, matrix,
};
use crate::store::{DemandColumn, GAP_STATUSES, GapFilter};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(dashboard))
        .route("/dashboard/gap/{id}", post(triage))
        .route("/dashboard/gaps/bulk", post(bulk_triage))
        .route("/dashboard/gap/new", get(new_gap_page).post(new_gap))
        .route("/dashboard/export", get(export_page))
}

const WEEKS: i64 = 12;
const GAP_PAGE: i64 = 50;

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

#[derive(Debug, Default, Deserialize)]
struct DashParams {
    from: Option<String>,
    to: Option<String>,
    rows: Option<String>,
    cols: Option<String>,
    status: Option<String>,
    reason: Option<String>,
    theme: Option<String>,
    saved: Option<i64>,
    /// How many gaps a bulk action just changed.
    bulk: Option<usize>,
}

/// The dashboard's filters, kept in the URL: what a triage form carries back so the officer returns
/// to the same view. Only these keys pass, so `back` can never point elsewhere.
const FILTER_KEYS: [&str; 7] = ["from", "to", "rows", "cols", "status", "reason", "theme"];

fn filter_query(pairs: impl IntoIterator<Item = (String, String)>) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if FILTER_KEYS.contains(&k.as_str()) && !v.is_empty() {
            out.append_pair(&k, &v);
        }
    }
    out.finish()
}

/// `/dashboard` with the filters of `back` (a query string) and `extra` appended.
fn dashboard_url(back: &str, extra: &str, anchor: &str) -> String {
    let q =
        filter_query(form_urlencoded::parse(back.trim_start_matches('?').as_bytes()).into_owned());
    let sep = if q.is_empty() { "" } else { "&" };
    format!("/dashboard?{q}{sep}{extra}{anchor}")
}

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn options(values: &[(String, String)], selected: Option<&str>) -> Vec<Opt> {
    values
        .iter()
        .map(|(v, l)| Opt {
            value: v.clone(),
            label: l.clone(),
            selected: selected == Some(v.as_str()),
        })
        .collect()
}

pub struct HeatRow {
    pub label: String,
    pub cells: Vec<HeatCell>,
}

pub struct HeatCell {
    pub class: &'static str,
    pub questions: i64,
    pub gaps: i64,
    pub supply: String,
}

pub struct GapView {
    pub id: i64,
    pub created: String,
    pub question: String,
    pub reason: String,
    pub channel: String,
    pub themes: String,
    pub place: String,
    pub status: String,
    pub note: String,
    pub covered_by: String,
    pub statuses: Vec<Opt>,
}

pub struct ClusterView {
    pub size: usize,
    pub terms: String,
    pub examples: Vec<String>,
}

pub struct Chart {
    pub svg_width: i64,
    pub bars: Vec<Bar>,
    pub max: i64,
    pub weeks: Vec<(String, i64, i64)>,
}

pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub h: i64,
    pub class: &'static str,
    pub label: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    page: Chrome,
    officer: bool,
    from: String,
    to: String,
    dims_rows: Vec<Opt>,
    dims_cols: Vec<Opt>,
    col_labels: Vec<String>,
    heat: Vec<HeatRow>,
    row_dim: String,
    chart: Chart,
    clusters: Vec<ClusterView>,
    gaps: Vec<GapView>,
    gap_total: i64,
    statuses: Vec<Opt>,
    reasons: Vec<Opt>,
    themes: Vec<Opt>,
    offers: Vec<(String, String)>,
    saved: Option<i64>,
    bulk: Option<usize>,
    /// The current filters as a query string, carried back by the triage forms.
    query: String,
    /// "Waar eerst op letten": the matrix's cells by priority score.
    priorities: Vec<crate::insights::priorities::Priority>,
    /// "Aanbod om te controleren": offers due for review, most-asked first.
    review: Vec<crate::insights::review::Row>,
}

fn dim_label(d: Dimension, lang: Language) -> String {
    let (nl, en, de) = match d {
        Dimension::Theme => ("Thema", "Theme", "Thema"),
        Dimension::Audience => ("Doelgroep", "Audience", "Zielgruppe"),
        Dimension::Stage => ("Fase", "Stage", "Phase"),
        Dimension::Subregion => ("Deelregio", "Sub-region", "Teilregion"),
        Dimension::Municipality => ("Gemeente", "Municipality", "Gemeinde"),
        Dimension::Opgave => ("Opgave", "Policy task", "Aufgabe"),
        Dimension::Channel => ("Kanaal", "Channel", "Kanal"),
    };
    lang.pick(nl, en, de).to_owned()
}

fn heat_class(questions: i64, gaps: i64, max_gaps: i64) -> &'static str {
    if questions == 0 {
        return "ww-heat-0";
    }
    let share = gaps as f64 / max_gaps.max(1) as f64;
    match share {
        s if s <= 0.0 => "ww-heat-1",
        s if s < 0.34 => "ww-heat-2",
        s if s < 0.67 => "ww-heat-3",
        _ => "ww-heat-4",
    }
}

/// Questions and gaps per week for the last [`WEEKS`] weeks, from the demand counts.
async fn weekly(app: &AppState) -> Result<Vec<(String, i64, i64)>, crate::store::StoreError> {
    let end = today();
    let mut out = Vec::new();
    for w in (0..WEEKS).rev() {
        let to = end - time::Duration::days(7 * w);
        let from = to - time::Duration::days(6);
        let (f, t) = (
            crate::knowledge::format_date(from),
            crate::knowledge::format_date(to),
        );
        let rows = app
            .store
            .demand_by(DemandColumn::Channel, DemandColumn::Channel, &f, &t)
            .await?;
        let sum = |set: &[&str]| -> i64 {
            rows.iter()
                .filter(|r| set.contains(&r.outcome.as_str()))
                .map(|r| r.n)
                .sum()
        };
        out.push((f, sum(&QUESTION_OUTCOMES), sum(&GAP_OUTCOMES)));
    }
    Ok(out)
}

fn chart(weeks: Vec<(String, i64, i64)>, lang: Language) -> Chart {
    let max = weeks.iter().map(|w| w.1.max(w.2)).max().unwrap_or(0).max(1);
    let (bar, gap, height) = (14, 12, 120);
    let mut bars = Vec::new();
    for (i, (week, q, g)) in weeks.iter().enumerate() {
        let x0 = 40 + i as i64 * (2 * bar + gap);
        for (j, (n, class, what)) in [
            (*q, "questions", lang.pick("vragen", "questions", "Fragen")),
            (*g, "gaps", lang.pick("hiaten", "gaps", "Lücken")),
        ]
        .into_iter()
        .enumerate()
        {
            let h = n * height / max;
            bars.push(Bar {
                x: x0 + j as i64 * bar,
                y: 10 + height - h,
                h,
                class,
                label: format!("{week}: {n} {what}"),
            });
        }
    }
    Chart {
        svg_width: 40 + WEEKS * (2 * bar + gap) + 10,
        bars,
        max,
        weeks,
    }
}

async fn dashboard(
    State(app): State<AppState>,
    ctx: Ctx,
    params: Result<Query<DashParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, WebError> {
    let caller = match require(&ctx, Role::Adviser) {
        Ok(c) => c,
        Err(resp) => return Ok(*resp),
    };
    let lang = ctx.lang;
    let Query(p) = params.map_err(|_| WebError::bad_request(lang))?;
    let bad = |_| WebError::bad_request(lang);
    let rows = p
        .rows
        .as_deref()
        .filter(|s| !s.is_empty())
        .map_or(Ok(Dimension::Theme), Dimension::parse)
        .map_err(bad)?;
    let mut cols = p
        .cols
        .as_deref()
        .filter(|s| !s.is_empty())
        .map_or(Ok(Dimension::Subregion), Dimension::parse)
        .map_err(bad)?;
    if cols == rows {
        cols = if rows == Dimension::Subregion {
            Dimension::Theme
        } else {
            Dimension::Subregion
        };
    }
    let period = Period::parse(p.from.as_deref(), p.to.as_deref(), today()).map_err(bad)?;
    let catalog = app.catalog.load_full();
    let internal = |e: crate::store::StoreError| WebError::internal(lang, e);
    let m = matrix::build(&app.store, &catalog.kb, rows, cols, period, lang, false)
        .await
        .map_err(internal)?;
    let max_gaps = m.cells.iter().filter_map(|c| c.gaps).max().unwrap_or(0);
    let priorities = crate::insights::priorities::rank(&m, &catalog.kb, &catalog.kb.priorities, 5);
    let heat = m
        .row_values
        .iter()
        .map(|r| HeatRow {
            label: r.label.clone(),
            cells: m
                .col_values
                .iter()
                .map(|c| {
                    let cell = m.cells.iter().find(|x| x.row == r.id && x.col == c.id);
                    let q = cell.and_then(|x| x.questions).unwrap_or(0);
                    let g = cell.and_then(|x| x.gaps).unwrap_or(0);
                    HeatCell {
                        class: heat_class(q, g, max_gaps),
                        questions: q,
                        gaps: g,
                        supply: cell
                            .and_then(|x| x.supply)
                            .map_or_else(|| "–".to_owned(), |s| s.to_string()),
                    }
                })
                .collect(),
        })
        .collect();
    let (from, to) = period.bounds();
    let texts = app
        .store
        .gap_texts(&from, &to, 2000)
        .await
        .map_err(internal)?;
    let found = tokio::task::spawn_blocking(move || {
        clusters::cluster(&crate::search::Analyzers::default(), &texts)
    })
    .await
    .map_err(|e| WebError::internal(lang, e))?;
    let clusters = found
        .into_iter()
        .take(5)
        .map(|c| ClusterView {
            size: c.size,
            terms: c.top_terms.join(", "),
            examples: c.examples.into_iter().take(2).collect(),
        })
        .collect();
    let keep = |v: &Option<String>, ok: &dyn Fn(&str) -> bool| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty() && ok(s))
            .map(str::to_owned)
    };
    let tax = &catalog.kb.taxonomy;
    let filter = GapFilter {
        from: Some(from.clone()),
        to: Some(to.clone()),
        status: keep(&p.status, &|s| GAP_STATUSES.contains(&s)),
        reason: keep(&p.reason, &|s| GapReason::parse(s).is_ok()),
        theme: keep(&p.theme, &|s| tax.theme(s).is_some()),
        limit: GAP_PAGE,
        ..GapFilter::default()
    };
    let (gap_total, records) = app.store.list_gaps(&filter).await.map_err(internal)?;
    let status_values: Vec<(String, String)> = GAP_STATUSES
        .iter()
        .map(|s| ((*s).to_owned(), status_label(s, lang)))
        .collect();
    let gaps = records
        .into_iter()
        .map(|g| GapView {
            id: g.id,
            created: g.created_at.chars().take(10).collect(),
            question: g.question.unwrap_or_else(|| "—".into()),
            reason: g.reason,
            channel: g.channel,
            themes: g
                .themes
                .iter()
                .map(|t| {
                    tax.theme(t)
                        .map_or(t.clone(), |x| x.label.get(lang).to_owned())
                })
                .collect::<Vec<_>>()
                .join(", "),
            place: g
                .municipality
                .as_deref()
                .or(g.subregion.as_deref())
                .map(|r| tax.region_label(r, lang))
                .unwrap_or_default(),
            statuses: options(&status_values, Some(&g.status)),
            status: status_label(&g.status, lang),
            note: g.note.unwrap_or_default(),
            covered_by: g.covered_by.unwrap_or_default(),
        })
        .collect();
    let dims: Vec<(String, String)> = Dimension::ALL
        .iter()
        .map(|d| (d.as_str().to_owned(), dim_label(*d, lang)))
        .collect();
    let mut offers: Vec<(String, String)> = catalog
        .kb
        .offers
        .iter()
        .map(|o| (o.id.as_str().to_owned(), o.name_in(lang).to_owned()))
        .collect();
    offers.sort_by(|a, b| a.1.cmp(&b.1));
    let reasons: Vec<(String, String)> = GapReason::ALL
        .iter()
        .map(|r| (r.as_str().to_owned(), r.as_str().replace('_', " ")))
        .collect();
    let themes: Vec<(String, String)> = tax
        .themes
        .iter()
        .map(|t| (t.id.clone(), t.label.get(lang).to_owned()))
        .collect();
    let weeks = weekly(&app).await.map_err(internal)?;
    let title = lang.pick(
        "Dashboard witte vlekken",
        "White-spot dashboard",
        "Dashboard weiße Flecken",
    );
    let page = DashboardPage {
        page: ctx.chrome(title),
        officer: caller.role >= Role::Officer,
        from,
        to,
        dims_rows: options(&dims, Some(rows.as_str())),
        dims_cols: options(&dims, Some(cols.as_str())),
        col_labels: m.col_values.iter().map(|c| c.label.clone()).collect(),
        heat,
        row_dim: dim_label(rows, lang),
        chart: chart(weeks, lang),
        clusters,
        gaps,
        gap_total,
        statuses: options(&status_values, filter.status.as_deref()),
        reasons: options(&reasons, filter.reason.as_deref()),
        themes: options(&themes, filter.theme.as_deref()),
        offers,
        saved: p.saved,
        bulk: p.bulk,
        priorities,
        query: filter_query(
            [
                ("from", p.from.clone()),
                ("to", p.to.clone()),
                ("rows", p.rows.clone()),
                ("cols", p.cols.clone()),
                ("status", p.status.clone()),
                ("reason", p.reason.clone()),
                ("theme", p.theme.clone()),
            ]
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_owned(), v?))),
        ),
        review: crate::insights::review::list(&catalog.kb, Some(&app.store), today())
            .await
            .0,
    };
    Ok(ctx.page(&page))
}

fn status_label(s: &str, lang: Language) -> String {
    let (nl, en, de) = match s {
        "new" => ("nieuw", "new", "neu"),
        "reviewed" => ("bekeken", "reviewed", "gesichtet"),
        "addressed" => ("opgepakt", "addressed", "bearbeitet"),
        "not-a-gap" => ("geen hiaat", "not a gap", "keine Lücke"),
        other => (other, other, other),
    };
    lang.pick(nl, en, de).to_owned()
}

/// Input a person can correct is a 400 page; the rest is internal.
fn desk_error(lang: Language, e: DeskError) -> WebError {
    match e {
        DeskError::Invalid(_) | DeskError::CommentTooLong => WebError::bad_request(lang),
        DeskError::UnknownConversation => WebError::not_found(lang),
        other => WebError::internal(lang, other),
    }
}

#[derive(Debug, Deserialize)]
struct TriageForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    covered_by: String,
    /// The dashboard's filters to return to.
    #[serde(default)]
    back: String,
}

async fn triage(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    form: Result<axum::Form<TriageForm>, FormRejection>,
) -> Result<Response, WebError> {
    let caller = match require(&ctx, Role::Officer) {
        Ok(c) => c,
        Err(resp) => return Ok(*resp),
    };
    let lang = ctx.lang;
    let axum::Form(form) = form.map_err(|_| WebError::bad_request(lang))?;
    ctx.check_csrf(&app, &form.csrf)?;
    let change = TriageChange {
        status: Some(&form.status),
        note: Some(&form.note),
        covered_by: Some(&form.covered_by),
    };
    let changed = app
        .triage(&caller, id, change)
        .await
        .map_err(|e| desk_error(lang, e))?;
    if changed.is_none() {
        return Err(WebError::not_found(lang));
    }
    let to = dashboard_url(&form.back, &format!("saved={id}"), &format!("#gap-{id}"));
    Ok(see_other(ctx, &to))
}

/// The statuses a bulk action may set: the two a triage round mostly needs.
const BULK_STATUSES: [&str; 2] = ["reviewed", "not-a-gap"];

/// Several gaps at once, from the checkboxes of the triage table (one plain form, no script):
/// `ids` repeated, `status`, `csrf`, `back`. Each change is audited like a single triage.
async fn bulk_triage(
    State(app): State<AppState>,
    ctx: Ctx,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    let caller = match require(&ctx, Role::Officer) {
        Ok(c) => c,
        Err(resp) => return Ok(*resp),
    };
    let lang = ctx.lang;
    let (mut csrf, mut status, mut back, mut ids) =
        (String::new(), String::new(), String::new(), Vec::new());
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "csrf" => csrf = v.into_owned(),
            "status" => status = v.into_owned(),
            "back" => back = v.into_owned(),
            "ids" => ids.push(v.parse::<i64>().map_err(|_| WebError::bad_request(lang))?),
            _ => {}
        }
    }
    ctx.check_csrf(&app, &csrf)?;
    if !BULK_STATUSES.contains(&status.as_str()) || ids.is_empty() || ids.len() > GAP_PAGE as usize
    {
        return Err(WebError::bad_request(lang));
    }
    let mut changed = 0;
    for id in ids {
        let change = TriageChange {
            status: Some(&status),
            note: None,
            covered_by: None,
        };
        if app
            .triage(&caller, id, change)
            .await
            .map_err(|e| desk_error(lang, e))?
            .is_some()
        {
            changed += 1;
        }
    }
    let to = dashboard_url(&back, &format!("bulk={changed}"), "#gaps-heading");
    Ok(see_other(ctx, &to))
}

#[derive(Template)]
#[template(path = "gap_new.html")]
struct NewGapPage {
    page: Chrome,
    reasons: Vec<Opt>,
    themes: Vec<Opt>,
    municipalities: Vec<Opt>,
    question: String,
    error: Option<&'static str>,
    saved: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
struct SavedParam {
    saved: Option<i64>,
}

fn new_gap_form(app: &AppState, ctx: &Ctx) -> NewGapPage {
    let lang = ctx.lang;
    let catalog = app.catalog.load();
    let tax = &catalog.kb.taxonomy;
    let reasons: Vec<(String, String)> = GapReason::ALL
        .iter()
        .filter(|r| !matches!(r, GapReason::NotHelpful))
        .map(|r| (r.as_str().to_owned(), r.as_str().replace('_', " ")))
        .collect();
    let themes: Vec<(String, String)> = tax
        .themes
        .iter()
        .map(|t| (t.id.clone(), t.label.get(lang).to_owned()))
        .collect();
    let munis: Vec<(String, String)> = tax
        .municipalities
        .iter()
        .map(|m| (m.id.clone(), m.name.clone()))
        .collect();
    NewGapPage {
        page: ctx.chrome(lang.pick("Vraag vastleggen", "Log a question", "Frage erfassen")),
        reasons: options(&reasons, Some("no_offer")),
        themes: options(&themes, None),
        municipalities: options(&munis, None),
        question: String::new(),
        error: None,
        saved: None,
    }
}

async fn new_gap_page(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<SavedParam>,
) -> Response {
    if let Err(resp) = require(&ctx, Role::Adviser) {
        return *resp;
    }
    let mut page = new_gap_form(&app, &ctx);
    page.saved = p.saved;
    ctx.page(&page)
}

#[derive(Debug, Deserialize)]
struct NewGapForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    question: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    theme: String,
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    note: String,
}

/// Logs a question an adviser heard, as `POST /api/gaps` does: the assistant's understanding of
/// the text, the adviser's own classification winning, the text redacted.
async fn new_gap(
    State(app): State<AppState>,
    ctx: Ctx,
    form: Result<axum::Form<NewGapForm>, FormRejection>,
) -> Result<Response, WebError> {
    let caller = match require(&ctx, Role::Adviser) {
        Ok(c) => c,
        Err(resp) => return Ok(*resp),
    };
    let lang = ctx.lang;
    let axum::Form(form) = form.map_err(|_| WebError::bad_request(lang))?;
    ctx.check_csrf(&app, &form.csrf)?;
    let Ok(question) = Question::parse(&form.question) else {
        let mut page = new_gap_form(&app, &ctx);
        page.error = Some(ctx.t.question_invalid);
        return Ok(ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let reason = GapReason::parse(form.reason.trim()).unwrap_or(GapReason::NoOffer);
    let (theme, municipality) = {
        let catalog = app.catalog.load();
        let tax = &catalog.kb.taxonomy;
        (
            Some(form.theme.trim())
                .filter(|t| tax.theme(t).is_some())
                .map(|t| vec![t.to_owned()]),
            Some(form.municipality.trim())
                .filter(|m| tax.municipality(m).is_some())
                .map(str::to_owned),
        )
    };
    let stored = app
        .log_adviser_gap(
            &caller,
            AdviserGap {
                question,
                reason,
                channel: Channel::Adviser,
                themes: theme,
                audiences: None,
                stages: None,
                municipality,
                note: Some(form.note),
            },
        )
        .await
        .map_err(|e| desk_error(lang, e))?;
    let id = stored.id;
    Ok(see_other(ctx, &format!("/dashboard/gap/new?saved={id}")))
}

#[derive(Template)]
#[template(path = "export.html")]
struct ExportPage {
    page: Chrome,
    codebook: export::Codebook,
}

async fn export_page(ctx: Ctx) -> Response {
    if let Err(resp) = require(&ctx, Role::Officer) {
        return *resp;
    }
    let page = ExportPage {
        page: ctx.chrome(ctx.lang.pick("Exports", "Exports", "Exporte")),
        codebook: export::codebook(),
    };
    ctx.page(&page)
}
