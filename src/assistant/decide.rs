//! Decide: the outcome of a question, from the evidence — out of scope, a handoff, one clarifying
//! question, a closed scheme, a gap, or an answer. Each rule is a function of its own, tried in
//! order; the thresholds are data (`knowledge/ranking.toml`), fitted by `wegwijzer tune`.
//!
//! With a question vector, scope and gaps are decided on semantic evidence as well: the closeness
//! of the question to every offer and every known uncovered need. The lexicon's topic lists stay
//! as one feature, and a strong semantic match overrides them.

use super::conversation::Pending;
use super::need::Need;
use super::questions;
use super::rank::Scored;
use super::retrieve::Evidence;
use super::understand::{Intent, Understanding};
use crate::catalog::Catalog;
use crate::domain::{Language, Status};
use crate::knowledge::{RegionMatch, Thresholds};

/// What the assistant concludes. Offers are indices into the ranked list.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    OutOfScope,
    Handoff,
    Clarify {
        pending: Pending,
        intro: String,
        question: String,
        options: Vec<String>,
    },
    /// The scheme meant is closed: shown marked closed, with what is open now.
    Closed {
        closed: usize,
        alternatives: Vec<usize>,
    },
    /// The best fit serves another region only.
    RegionGap {
        alternatives: Vec<usize>,
    },
    /// No open offer serves the need: the nearest help, and IBDO.
    Gap {
        near: Vec<usize>,
    },
    Answered {
        shown: Vec<usize>,
    },
}

const SHOW_RATIO: f32 = 0.55;
const MAX_OFFERS: usize = 4;
pub const MAX_CLARIFICATIONS: u32 = 2;
/// Themes too wide to answer from alone: a one-line "financing?" or "something with sustainability"
/// gets a question back.
const BROAD_THEMES: [&str; 5] = [
    "financiering",
    "duurzaamheid",
    "innovatie",
    "digitalisering",
    "internationaal",
];
/// Without any recognised theme, only a strong search match (or an offer named) is an answer.
const THEMELESS_MIN_SCORE: f32 = 1.3;
/// The share of an offer's distinctive name a message must contain to count as naming it.
pub const NAMED: f32 = 0.6;
/// A one-word question skips the clarifying question only when it names an offer outright.
const NAMED_FULLY: f32 = 0.99;

/// Everything the rules look at.
pub struct Context<'a> {
    pub catalog: &'a Catalog,
    pub need: &'a Need,
    pub u: &'a Understanding,
    pub scored: &'a [Scored],
    pub evidence: Option<&'a Evidence>,
    pub thresholds: &'a Thresholds,
    pub lang: Language,
    /// How clearly the message names one of the top offers ("mkbfonds drenthe", "wbso").
    pub named: f32,
}

impl Context<'_> {
    fn open(&self, i: usize) -> bool {
        self.catalog.kb.offers[self.scored[i].ord].status != Status::Closed
    }

    fn is_ibdo(&self, i: usize) -> bool {
        self.catalog.kb.offers[self.scored[i].ord].id.as_str() == "ibdo"
    }

    fn best_open(&self) -> Option<usize> {
        (0..self.scored.len()).find(|&i| self.open(i))
    }

    /// Semantic evidence at least this close to the base.
    fn sim_at_least(&self, threshold: f32) -> bool {
        self.evidence.is_some_and(|e| e.scope() >= threshold)
    }

    /// A known need no offer serves: the lexicon's list, or close in meaning to one in
    /// `uncovered-needs.toml` and closer to it than to any open offer.
    pub fn uncovered(&self) -> bool {
        if self.named >= NAMED {
            return false;
        }
        let t = self.thresholds;
        let semantic = self.evidence.is_some_and(|e| {
            e.best_need().is_some_and(|(_, sim)| {
                sim >= t.uncovered_sim && sim - e.best_open_offer() >= t.uncovered_margin
            })
        });
        semantic || self.catalog.lexicon.uncovered(&self.u.analysed)
    }

    fn vague_topic(&self) -> bool {
        let n = self.need;
        n.themes.is_empty() && n.audiences.is_empty() && n.stages.is_empty() && !self.uncovered()
    }
}

/// The intent decides alone: markup or an injection is out of scope, asking for a person is a
/// handoff, and a blocklisted topic is out of scope unless the question is close in meaning to
/// the base.
pub fn by_intent(
    u: &Understanding,
    evidence: Option<&Evidence>,
    t: &Thresholds,
) -> Option<Decision> {
    match u.intent {
        Intent::Person => Some(Decision::Handoff),
        Intent::OutOfScope
            if u.blocklisted
                && evidence.is_some_and(|e| {
                    e.scope() >= t.business_sim && e.off_topic_margin() < t.off_topic_margin
                }) =>
        {
            None
        }
        Intent::OutOfScope => Some(Decision::OutOfScope),
        Intent::Support => None,
    }
}

/// Not a business-support question: nothing in it is close to an offer or a known need, or
/// (lexically) it names no business, sector or topic at all.
pub fn scope(c: &Context) -> Option<Decision> {
    if c.named >= NAMED {
        return None;
    }
    let t = c.thresholds;
    if c.evidence.is_some_and(|e| {
        e.scope() < t.out_of_scope_sim || e.off_topic_margin() >= t.off_topic_margin
    }) {
        return Some(Decision::OutOfScope);
    }
    let u = c.u;
    let lexical = c.vague_topic() && !u.business && u.vagueness < 0.5 && u.content_words >= 2;
    (lexical && !c.sim_at_least(t.business_sim)).then_some(Decision::OutOfScope)
}

/// Too vague to route: one question back, at most twice in a conversation, never right after one.
pub fn clarify(c: &Context, clarifications: u32, after_pending: bool) -> Option<Decision> {
    if clarifications >= MAX_CLARIFICATIONS || after_pending {
        return None;
    }
    let (need, u, lang) = (c.need, c.u, c.lang);
    let weak_search = c
        .scored
        .first()
        .is_none_or(|s| s.search < 0.99 || s.score < c.thresholds.min_answer_score * 1.5);
    if c.vague_topic()
        && c.named < NAMED
        && u.content_words <= 5
        && (weak_search || u.vagueness >= 0.5)
    {
        let (intro, question, options) = questions::clarify_topic(lang);
        return Some(Decision::Clarify {
            pending: Pending::Topic,
            intro,
            question,
            options,
        });
    }
    let implied_stage_only = need.stages.iter().all(|(_, w)| *w <= 0.5);
    let broad_single_theme = need.themes.len() == 1
        && BROAD_THEMES.contains(&need.themes[0].0.as_str())
        && implied_stage_only
        && need.audiences.is_empty()
        && need.amount_eur.is_none()
        && need.municipality.is_none()
        && u.content_words <= 3
        && c.named < NAMED_FULLY;
    if !broad_single_theme {
        return None;
    }
    if need.themes[0].0 == "financiering" {
        let (intro, question, options) = questions::clarify_stage(lang);
        return Some(Decision::Clarify {
            pending: Pending::Stage,
            intro,
            question,
            options,
        });
    }
    clarify_offers(c)
}

/// Offers the knowledge base's own options for a broad theme: replying with one names it.
fn clarify_offers(c: &Context) -> Option<Decision> {
    let kb = &c.catalog.kb;
    let options: Vec<String> = (0..c.scored.len())
        .filter(|&i| c.open(i) && !c.is_ibdo(i))
        .take(4)
        .map(|i| kb.offers[c.scored[i].ord].name_in(c.lang).to_owned())
        .collect();
    let (intro, question) = questions::clarify_offers(c.lang);
    (options.len() >= 3).then_some(Decision::Clarify {
        pending: Pending::Topic,
        intro,
        question,
        options,
    })
}

/// A closed scheme the person clearly means: show it marked closed, with what is open now.
pub fn closed(c: &Context) -> Option<Decision> {
    let top = c.scored.first()?;
    let kb = &c.catalog.kb;
    if kb.offers[top.ord].status != Status::Closed || top.score < c.thresholds.min_answer_score {
        return None;
    }
    let meant = c.catalog.lexicon.name_match(top.ord, &c.u.analysed) > 0.5
        || c.best_open()
            .is_none_or(|o| top.score >= c.scored[o].score * 1.3);
    if !meant {
        return None;
    }
    let alternatives = (0..c.scored.len())
        .filter(|&i| c.open(i) && c.scored[i].score >= top.score * 0.6 && !c.is_ibdo(i))
        .take(2)
        .collect();
    Some(Decision::Closed {
        closed: 0,
        alternatives,
    })
}

/// The best fit by content is limited to another region, and nothing comparable serves this one.
pub fn region_gap(c: &Context) -> Option<Decision> {
    let best = &c.scored[c.best_open()?];
    let min = c.thresholds.min_answer_score;
    let local = (0..c.scored.len())
        .filter(|&i| c.open(i))
        .map(|i| &c.scored[i])
        .max_by(|a, b| a.content.total_cmp(&b.content))?;
    let elsewhere = local.fit.region == Some(RegionMatch::Elsewhere)
        && local.content >= min * 1.5
        && best.score < local.content * 0.45;
    elsewhere.then(|| Decision::RegionGap {
        alternatives: (0..c.scored.len())
            .filter(|&i| c.open(i) && !c.is_ibdo(i))
            .take(2)
            .collect(),
    })
}

/// Nothing fits well enough, or the need is a known uncovered one: an honest gap.
pub fn gap(c: &Context) -> Option<Decision> {
    let min = c.thresholds.min_answer_score;
    let Some(b) = c.best_open() else {
        return Some(Decision::Gap { near: Vec::new() });
    };
    let best = &c.scored[b];
    // A question close in meaning to an offer is not a gap for want of known words.
    let semantic_fit = c
        .evidence
        .is_some_and(|e| e.best_open_offer() >= c.thresholds.answer_sim);
    let unknown_need = !c.u.unknown_words.is_empty() && best.search < 0.5 && !semantic_fit;
    let themeless = c.need.themes.is_empty()
        && c.named < NAMED
        && best.score < THEMELESS_MIN_SCORE
        && !semantic_fit;
    let gap =
        best.score < min || themeless || c.uncovered() || (unknown_need && best.score < min * 1.6);
    gap.then(|| Decision::Gap {
        near: (0..c.scored.len())
            .filter(|&i| c.open(i) && !c.is_ibdo(i) && c.scored[i].score >= min * 0.6)
            .take(1)
            .collect(),
    })
}

/// The open offers close enough to the best, best first.
pub fn answered(c: &Context) -> Decision {
    let best = c.best_open().map(|i| c.scored[i].score).unwrap_or(0.0);
    Decision::Answered {
        shown: (0..c.scored.len())
            .filter(|&i| c.open(i) && c.scored[i].score >= best * SHOW_RATIO)
            .take(MAX_OFFERS)
            .collect(),
    }
}

/// The rules in order, after the intent and before composing.
pub fn decide(c: &Context, clarifications: u32, after_pending: bool) -> Decision {
    scope(c)
        .or_else(|| clarify(c, clarifications, after_pending))
        .or_else(|| closed(c))
        .or_else(|| region_gap(c))
        .or_else(|| gap(c))
        .unwrap_or_else(|| answered(c))
}
