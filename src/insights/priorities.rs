//! Where to act first: every cell of a matrix (theme × sub-region, or any two dimensions) scored
//! from its unmet demand, how fast that grows, the gap share, and how little open supply there is.
//!
//! ```text
//! score = w_volume · ln(1 + unmet)
//!       + w_growth · min(max((unmet − unmet_before) / max(unmet_before, 1), 0), 3)
//!       + w_share  · gaps / questions
//!       + w_supply · 1 / (1 + open offers)
//! ```
//!
//! The weights are `knowledge/priorities.toml`. The logarithm keeps one huge cell from drowning
//! the rest; growth counts only rises and is capped, so a cell going from 1 to 4 gaps does not
//! outrank one with forty. Cells without unmet demand, and cells suppressed in a partner export,
//! are not ranked.

use serde::Serialize;

use super::Dimension;
use super::matrix::Matrix;
use crate::knowledge::KnowledgeBase;
use crate::knowledge::priorities::PriorityWeights;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Priority {
    pub row: String,
    pub col: String,
    pub row_label: String,
    pub col_label: String,
    pub score: f64,
    pub unmet: i64,
    pub unmet_before: i64,
    pub growth: f64,
    pub gap_share: f64,
    /// Open offers serving both values; `None` where supply has no meaning ("not understood").
    pub supply: Option<usize>,
    /// The policy tasks ("opgaven") the cell's theme reports against.
    pub opgaven: Vec<u8>,
    /// The dashboard's gap list filtered to this cell's theme and period.
    pub link: String,
}

/// The cells of `m` by descending score (ties by unmet demand, then by name), at most `limit`.
pub fn rank(m: &Matrix, kb: &KnowledgeBase, w: &PriorityWeights, limit: usize) -> Vec<Priority> {
    let label = |values: &[super::matrix::Value], id: &str| {
        values
            .iter()
            .find(|v| v.id == id)
            .map_or_else(|| id.to_owned(), |v| v.label.clone())
    };
    let theme_of = |c: &super::matrix::Cell| match (m.rows, m.cols) {
        (Dimension::Theme, _) => Some(c.row.clone()),
        (_, Dimension::Theme) => Some(c.col.clone()),
        _ => None,
    };
    let mut out: Vec<Priority> = m
        .cells
        .iter()
        .filter_map(|c| {
            let unmet = c.gaps?;
            if unmet <= 0 {
                return None;
            }
            let before = c.previous_gaps.unwrap_or(0);
            let growth = ((unmet - before) as f64 / before.max(1) as f64).clamp(0.0, 3.0);
            let share = c.gap_share.unwrap_or(0.0);
            let scarcity = 1.0 / (1.0 + c.supply.unwrap_or(0) as f64);
            let score = w.volume * (1.0 + unmet as f64).ln()
                + w.growth * growth
                + w.share * share
                + w.supply * scarcity;
            let theme = theme_of(c).filter(|t| !t.is_empty());
            let opgaven = theme
                .as_deref()
                .and_then(|t| kb.taxonomy.theme(t))
                .map(|t| t.opgaven.clone())
                .unwrap_or_default();
            let mut link = format!("/dashboard?from={}&to={}", m.from, m.to);
            if let Some(t) = &theme {
                link.push_str(&format!("&theme={t}"));
            }
            Some(Priority {
                row: c.row.clone(),
                col: c.col.clone(),
                row_label: label(&m.row_values, &c.row),
                col_label: label(&m.col_values, &c.col),
                score: (score * 1000.0).round() / 1000.0,
                unmet,
                unmet_before: before,
                growth: (growth * 1000.0).round() / 1000.0,
                gap_share: (share * 1000.0).round() / 1000.0,
                supply: c.supply,
                opgaven,
                link,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.unmet.cmp(&a.unmet))
            .then_with(|| (&a.row, &a.col).cmp(&(&b.row, &b.col)))
    });
    out.truncate(limit);
    out
}
