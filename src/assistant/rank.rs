//! Rank: one score per offer from several signals — the tantivy ranking, the semantic similarity
//! of the question to the offer's need lines, and how well the offer's themes, audiences, stages,
//! region and amount range fit. The weights are data (`knowledge/ranking.toml`, fitted by
//! `wegwijzer tune`); the eligibility factors below are rules, each with its reason.

use std::collections::HashMap;

use super::need::Need;
use super::retrieve::Evidence;
use crate::domain::{Kind, Status};
use crate::knowledge::{KnowledgeBase, Offer, RegionMatch, Weights};

/// Why an offer scored as it did, kept to explain the match to the asker.
#[derive(Debug, Clone, Default)]
pub struct Fit {
    pub themes: Vec<String>,
    pub audiences: Vec<String>,
    pub stages: Vec<String>,
    pub region: Option<RegionMatch>,
    pub amount_in_range: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct Scored {
    pub ord: usize,
    pub score: f32,
    /// The score before the region and audience eligibility penalties.
    pub content: f32,
    pub search: f32,
    /// The semantic part of `content` (weight × feature), before any factor.
    pub semantic: f32,
    pub fit: Fit,
}

/// Audiences that say little about eligibility: most offers serve them.
const BROAD_AUDIENCES: [&str; 5] = ["mkb", "zzp", "starter", "scale-up", "familiebedrijf"];

/// Themes that make an offer specialised.
const SPECIALTIES: [&str; 6] = [
    "innovatie",
    "duurzaamheid",
    "internationaal",
    "overname",
    "crisis",
    "digitalisering",
];

/// A staff offer on the other side (hiring vs training) than the question.
const STAFF_MISMATCH: f32 = 0.7;

/// The signals an offer is scored on, besides the need itself.
pub struct Signals<'a> {
    /// Offer ord → raw tantivy score.
    pub search: &'a HashMap<usize, f32>,
    /// Similarities to the question, when it has a vector.
    pub evidence: Option<&'a Evidence>,
    pub weights: &'a Weights,
}

/// Scores every offer, best first. `staff_side` gives each offer's side of the staff theme (see
/// `Lexicon::staff_side`).
pub fn score_offers(
    kb: &KnowledgeBase,
    need: &Need,
    signals: &Signals,
    staff_side: impl Fn(usize) -> f32,
) -> Vec<Scored> {
    let search = signals.search;
    let max_search = search.values().copied().fold(0.0f32, f32::max).max(1e-6);
    let theme_total: f32 = need
        .themes
        .iter()
        .map(|(_, w)| w.min(3.0))
        .sum::<f32>()
        .max(1e-6);
    let mut out: Vec<Scored> = kb
        .offers
        .iter()
        .enumerate()
        .map(|(ord, o)| {
            let lexical = score_lexical(o, ord, need, signals, max_search, theme_total);
            let mut s = eligibility(kb, o, need, lexical);
            // Finding staff and training staff are different needs under one theme.
            let side = staff_side(ord);
            if o.themes.first().is_some_and(|t| t == "personeel") && need.staff_need * side < -0.25
            {
                s.content *= STAFF_MISMATCH;
                s.score *= STAFF_MISMATCH;
            }
            s
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out
}

/// 1 in the middle of [min, max] on a log scale, 0 at the edges. A missing minimum counts as
/// €1,000, a missing maximum as a hundred times the minimum.
fn centrality(amount: u64, min: Option<u64>, max: Option<u64>) -> f32 {
    let lo = min.unwrap_or(1_000).max(1) as f32;
    let hi = max.unwrap_or((lo as u64).saturating_mul(100)) as f32;
    if hi <= lo {
        return 0.0;
    }
    let p = ((amount as f32).max(lo).ln() - lo.ln()) / (hi.ln() - lo.ln());
    (1.0 - (2.0 * p - 1.0).abs()).clamp(0.0, 1.0)
}

fn position_weight(list: &[String], id: &str) -> Option<f32> {
    list.iter().position(|x| x == id).map(|i| match i {
        0 => 1.0,
        1 => 0.85,
        _ => 0.7,
    })
}

/// The content score before any rule: the weighted sum of the signals.
fn score_lexical(
    o: &Offer,
    ord: usize,
    need: &Need,
    signals: &Signals,
    max_search: f32,
    theme_total: f32,
) -> Scored {
    let w = signals.weights;
    let mut fit = Fit::default();
    let s_search = signals.search.get(&ord).copied().unwrap_or(0.0) / max_search;
    let mut s_theme = 0.0;
    for (t, w) in &need.themes {
        if let Some(pw) = position_weight(&o.themes, t) {
            s_theme += w.min(3.0) * pw;
            fit.themes.push(t.clone());
        }
    }
    s_theme /= theme_total;
    let mut s_aud = 0.0f32;
    for (a, _) in &need.audiences {
        if o.audiences.contains(a) {
            s_aud = s_aud.max(if BROAD_AUDIENCES.contains(&a.as_str()) {
                0.5
            } else {
                1.0
            });
            fit.audiences.push(a.clone());
        }
    }
    let mut s_stage = 0.0f32;
    for (s, _) in &need.stages {
        if o.stages.contains(s) {
            s_stage = 1.0;
            fit.stages.push(s.clone());
        }
    }
    let s_semantic = signals
        .evidence
        .map(|e| e.feature(ord, w.temperature))
        .unwrap_or(0.0);
    let content = w.search * s_search
        + w.theme * s_theme
        + w.audience * s_aud
        + w.stage * s_stage
        + w.semantic * s_semantic;
    Scored {
        ord,
        score: content,
        content,
        search: s_search,
        semantic: w.semantic * s_semantic,
        fit,
    }
}

/// The rules of fit and eligibility: money, specialty, region and audience, as factors.
fn eligibility(kb: &KnowledgeBase, o: &Offer, need: &Need, mut s: Scored) -> Scored {
    // The specialty rules stand in for knowing what an offer is for, which the semantic part
    // measures itself: they apply to the lexical part only. Money, region and audience are
    // eligibility and apply to the whole.
    let lexical = s.content - s.semantic;
    s.content = (lexical * specialty_fit(o, need) + s.semantic) * money_fit(o, need, &mut s.fit);
    s.score = s.content * region_fit(kb, o, need, &mut s.fit) * audience_fit(o, need, &s.fit);
    s
}

/// Money: an amount outside the offer's range lowers it; asking for money favours offers giving it.
fn money_fit(o: &Offer, need: &Need, fit: &mut Fit) -> f32 {
    let mut content = 1.0;
    // Money: an amount outside the offer's range lowers it; asking for money favours offers giving it.
    if let Some(amount) = need.amount_eur
        && o.kind.is_money()
        && (o.amount_min_eur.is_some() || o.amount_max_eur.is_some())
    {
        let in_range = o.amount_min_eur.is_none_or(|lo| amount >= lo / 2)
            && o.amount_max_eur.is_none_or(|hi| amount <= hi);
        fit.amount_in_range = Some(in_range);
        // An amount in the middle of an offer's range (on a log scale) fits better than one at its
        // edges: a €20,000 start is the heart of microcredit and the very bottom of a €10,000-€2.5m fund.
        content *= if in_range {
            1.0 + 0.15 * centrality(amount, o.amount_min_eur, o.amount_max_eur)
        } else {
            0.5
        };
    }
    // Money answers a money question; a question without one ("I can't find staff") is better
    // served by a service than by a subsidy.
    let money_offer = o.kind.is_money() || o.kind == Kind::Tax || o.kind == Kind::Benefit;
    let money_need = need.asks_money || need.themes.iter().any(|(t, _)| t == "financiering");
    if money_need && !money_offer {
        content *= 0.85;
    } else if !money_need && money_offer {
        content *= 0.9;
    }
    if o.kind == Kind::Guarantee && !need.mentions_bank {
        content *= 0.85;
    }
    content
}

/// Specialised offers fit their specialty; IBDO is the first line, not a catch-all.
fn specialty_fit(o: &Offer, need: &Need) -> f32 {
    let mut content = 1.0;
    // Specialised offers (innovation, energy, export, takeover, trouble) fit only when the
    // question is about their specialty: an innovation loan is no answer to "how do I finance my
    // start".
    let specialties: Vec<&String> = o
        .themes
        .iter()
        .take(2)
        .filter(|t| SPECIALTIES.contains(&t.as_str()))
        .collect();
    if !specialties.is_empty()
        && !need.themes.is_empty()
        && !specialties
            .iter()
            .any(|t| need.themes.iter().any(|(n, _)| n == *t))
    {
        content *= 0.75;
    }
    // IBDO is the first line for orientation, not a catch-all first answer for specific needs.
    if o.id.as_str() == "ibdo" {
        content *= if need.themes.iter().any(|(t, _)| t == "advies") {
            0.85
        } else {
            0.55
        };
    }
    if o.status == Status::Unknown {
        content *= 0.95;
    }
    content
}

/// Region eligibility: a local offer for its own place, a lower rank when the place is unknown.
fn region_fit(kb: &KnowledgeBase, o: &Offer, need: &Need, fit: &mut Fit) -> f32 {
    let mut score = 1.0;
    let region = kb.taxonomy.region_match(
        &o.regions,
        need.municipality.as_deref(),
        need.subregion.as_deref(),
        need.outside_drenthe,
    );
    fit.region = Some(region);
    let local_only = o
        .regions
        .iter()
        .all(|r| kb.taxonomy.municipality(r).is_some() || kb.taxonomy.subregion(r).is_some());
    match region {
        RegionMatch::Local if local_only => score *= 1.05,
        RegionMatch::Local => {}
        // A local offer when the place is unknown: possible, but a wider offer is the safer first answer.
        RegionMatch::Wide if local_only => score *= 0.7,
        RegionMatch::Wide => {}
        RegionMatch::Elsewhere => score *= 0.25,
    }
    score
}

/// Audience eligibility: an offer only for specific groups, asked by someone of another group.
fn audience_fit(o: &Offer, need: &Need, fit: &Fit) -> f32 {
    // Audience eligibility: an offer only for specific groups, asked by someone of another group.
    let specific_need: Vec<&str> = need
        .audiences
        .iter()
        .map(|(a, _)| a.as_str())
        .filter(|a| !BROAD_AUDIENCES.contains(a))
        .collect();
    let offer_specific = o
        .audiences
        .iter()
        .all(|a| !BROAD_AUDIENCES.contains(&a.as_str()));
    if offer_specific && !specific_need.is_empty() && fit.audiences.is_empty() {
        0.6
    } else {
        1.0
    }
}
