//! The white-spot matrix: for two dimensions (theme × sub-region by default), per cell the
//! questions asked, the gaps and their share, the open offers that serve the cell (supply, from
//! the knowledge base) and the change against the previous period of the same length.
//! High demand, many gaps and few offers is a white spot.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::{Dimension, GAP_OUTCOMES, MIN_CELL, Period, QUESTION_OUTCOMES};
use crate::domain::{Language, Status};
use crate::knowledge::{KnowledgeBase, Offer, RegionMatch};
use crate::store::{DemandColumn, DemandRow, Store, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    pub rows: Dimension,
    pub cols: Dimension,
    pub from: String,
    pub to: String,
    pub previous_from: String,
    pub previous_to: String,
    /// Row and column values in display order, with labels; `""` is "not understood".
    pub row_values: Vec<Value>,
    pub col_values: Vec<Value>,
    pub cells: Vec<Cell>,
    /// Whether cells under the threshold were suppressed (partner exports).
    pub suppressed_below: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Value {
    pub id: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Cell {
    pub row: String,
    pub col: String,
    /// `None` when suppressed.
    pub questions: Option<i64>,
    pub gaps: Option<i64>,
    pub handoffs: Option<i64>,
    pub gap_share: Option<f64>,
    /// Open offers serving both the row and the column value; `None` where supply has no meaning
    /// (channel, "not understood").
    pub supply: Option<usize>,
    pub previous_questions: Option<i64>,
    pub previous_gaps: Option<i64>,
    /// Relative change of questions against the previous period (`None` without a base).
    pub trend: Option<f64>,
    pub suppressed: bool,
}

fn column(d: Dimension) -> DemandColumn {
    match d {
        Dimension::Theme | Dimension::Opgave => DemandColumn::Theme,
        Dimension::Audience => DemandColumn::Audience,
        Dimension::Stage => DemandColumn::Stage,
        Dimension::Subregion => DemandColumn::Subregion,
        Dimension::Municipality => DemandColumn::Municipality,
        Dimension::Channel => DemandColumn::Channel,
    }
}

/// The values a stored value counts under: a theme counts under each of its opgaven.
fn values_of(kb: &KnowledgeBase, d: Dimension, stored: &str) -> Vec<String> {
    if d != Dimension::Opgave {
        return vec![stored.to_owned()];
    }
    match kb.taxonomy.theme(stored) {
        Some(t) if !t.opgaven.is_empty() => t.opgaven.iter().map(u8::to_string).collect(),
        _ => vec![String::new()],
    }
}

/// Every value of a dimension from the taxonomy, so cells without any demand still show their
/// supply; channels are those seen.
fn all_values(kb: &KnowledgeBase, d: Dimension, lang: Language) -> Vec<Value> {
    let t = &kb.taxonomy;
    let v = |id: &str, label: &str| Value {
        id: id.to_owned(),
        label: label.to_owned(),
    };
    match d {
        Dimension::Theme => t
            .themes
            .iter()
            .map(|x| v(&x.id, x.label.get(lang)))
            .collect(),
        Dimension::Audience => t
            .audiences
            .iter()
            .map(|x| v(&x.id, x.label.get(lang)))
            .collect(),
        Dimension::Stage => t
            .stages
            .iter()
            .map(|x| v(&x.id, x.label.get(lang)))
            .collect(),
        Dimension::Subregion => t
            .subregions
            .iter()
            .map(|x| v(&x.id, x.label.get(lang)))
            .collect(),
        Dimension::Municipality => t.municipalities.iter().map(|x| v(&x.id, &x.name)).collect(),
        Dimension::Opgave => t
            .opgaven
            .iter()
            .map(|x| v(&x.id.to_string(), x.label.get(lang)))
            .collect(),
        Dimension::Channel => Vec::new(),
    }
}

/// Whether an offer serves a dimension's value; `None` where that has no meaning.
fn serves(kb: &KnowledgeBase, o: &Offer, d: Dimension, value: &str) -> Option<bool> {
    if value.is_empty() {
        return None;
    }
    let t = &kb.taxonomy;
    Some(match d {
        Dimension::Theme => o.themes.iter().any(|x| x == value),
        // An offer that names no audience or stage is for everyone.
        Dimension::Audience => o.audiences.is_empty() || o.audiences.iter().any(|x| x == value),
        Dimension::Stage => o.stages.is_empty() || o.stages.iter().any(|x| x == value),
        Dimension::Subregion => {
            t.region_match(&o.regions, None, Some(value), false) == RegionMatch::Local
                || o.regions
                    .iter()
                    .any(|r| matches!(r.as_str(), "drenthe" | "noord-nederland" | "nederland"))
        }
        Dimension::Municipality => {
            t.region_match(&o.regions, Some(value), None, false) != RegionMatch::Elsewhere
        }
        Dimension::Opgave => o.opgaven.iter().any(|x| x.to_string() == value),
        Dimension::Channel => return None,
    })
}

#[derive(Default, Clone, Copy)]
struct Tally {
    questions: i64,
    gaps: i64,
    handoffs: i64,
}

fn tally(
    kb: &KnowledgeBase,
    rows: Dimension,
    cols: Dimension,
    data: &[DemandRow],
) -> HashMap<(String, String), Tally> {
    let mut out: HashMap<(String, String), Tally> = HashMap::new();
    for r in data {
        let q = QUESTION_OUTCOMES.contains(&r.outcome.as_str());
        let g = GAP_OUTCOMES.contains(&r.outcome.as_str());
        let h = r.outcome == "handoff";
        if !(q || g || h) {
            continue;
        }
        for rv in values_of(kb, rows, &r.row) {
            for cv in values_of(kb, cols, &r.col) {
                let t = out.entry((rv.clone(), cv)).or_default();
                if q {
                    t.questions += r.n;
                }
                if g {
                    t.gaps += r.n;
                }
                if h {
                    t.handoffs += r.n;
                }
            }
        }
    }
    out
}

/// Builds the matrix. `suppress` hides cells under [`MIN_CELL`] questions (partner exports).
pub async fn build(
    store: &Store,
    kb: &KnowledgeBase,
    rows: Dimension,
    cols: Dimension,
    period: Period,
    lang: Language,
    suppress: bool,
) -> Result<Matrix, StoreError> {
    let (from, to) = period.bounds();
    let prev = period.previous();
    let (pfrom, pto) = prev.bounds();
    let (rc, cc) = (column(rows), column(cols));
    // Both periods at once, on two of the pool's connections: each is a scan of its days.
    let (now, before) = tokio::try_join!(
        store.demand_by(rc, cc, &from, &to),
        store.demand_by(rc, cc, &pfrom, &pto)
    )?;
    let now = tally(kb, rows, cols, &now);
    let before = tally(kb, rows, cols, &before);

    let unknown = |lang: Language| lang.pick("onbekend", "unknown", "unbekannt").to_owned();
    let mut row_values = all_values(kb, rows, lang);
    let mut col_values = all_values(kb, cols, lang);
    // Values seen in the data but not in the taxonomy (channels, "not understood", retired ids).
    let mut seen_rows: BTreeMap<String, ()> = BTreeMap::new();
    let mut seen_cols: BTreeMap<String, ()> = BTreeMap::new();
    for (r, c) in now.keys().chain(before.keys()) {
        seen_rows.insert(r.clone(), ());
        seen_cols.insert(c.clone(), ());
    }
    for (values, seen) in [(&mut row_values, &seen_rows), (&mut col_values, &seen_cols)] {
        for id in seen.keys() {
            if !values.iter().any(|v| &v.id == id) {
                values.push(Value {
                    id: id.clone(),
                    label: if id.is_empty() {
                        unknown(lang)
                    } else {
                        id.clone()
                    },
                });
            }
        }
    }

    let open: Vec<&Offer> = kb
        .offers
        .iter()
        .map(AsRef::as_ref)
        .filter(|o| o.status != Status::Closed)
        .collect();
    let mut cells = Vec::with_capacity(row_values.len() * col_values.len());
    for r in &row_values {
        for c in &col_values {
            let key = (r.id.clone(), c.id.clone());
            let t = now.get(&key).copied().unwrap_or_default();
            let p = before.get(&key).copied().unwrap_or_default();
            let supply = open
                .iter()
                .map(|o| {
                    serves(kb, o, rows, &r.id)
                        .zip(serves(kb, o, cols, &c.id))
                        .map(|(a, b)| a && b)
                })
                .try_fold(0usize, |n, s| s.map(|s| n + usize::from(s)));
            let hide = suppress && t.questions < MIN_CELL;
            let shown = |n: i64| (!hide).then_some(n);
            cells.push(Cell {
                row: r.id.clone(),
                col: c.id.clone(),
                questions: shown(t.questions),
                gaps: shown(t.gaps),
                handoffs: shown(t.handoffs),
                gap_share: (!hide && t.questions > 0)
                    .then(|| round3(t.gaps as f64 / t.questions as f64)),
                supply,
                previous_questions: (!(suppress && p.questions < MIN_CELL)).then_some(p.questions),
                previous_gaps: (!(suppress && p.questions < MIN_CELL)).then_some(p.gaps),
                trend: (!hide && p.questions > 0)
                    .then(|| round3((t.questions - p.questions) as f64 / p.questions as f64)),
                suppressed: hide,
            });
        }
    }
    Ok(Matrix {
        rows,
        cols,
        from,
        to,
        previous_from: pfrom,
        previous_to: pto,
        row_values,
        col_values,
        cells,
        suppressed_below: suppress.then_some(MIN_CELL),
    })
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
