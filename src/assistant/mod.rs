//! The assistant: understands an entrepreneur's question, routes it to offers and composes the
//! answer, a clarifying question, a handoff to IBDO, or an honest "no offer fits" (a gap). Pure:
//! no I/O beyond the conversation store it is given; the web, API, CLI and Discord call it alike.
//!
//! The pipeline, one module per stage:
//! `understand` (language, themes, place, amount, intent) → `need` (merged with the conversation)
//! → `retrieve` (tantivy ranking; semantic similarity to offers and known uncovered needs) →
//! `rank` (one score per offer from the signals and the eligibility rules) → `decide` (the
//! outcome, on evidence) → `compose` (the words and cards, in the asker's language).
//! The question vector is computed outside (it is I/O) and passed in; without one, the same
//! pipeline runs lexically.

mod compose;
mod conversation;
mod decide;
mod need;
mod questions;
mod rank;
mod retrieve;
mod understand;

pub use crate::catalog::Lexicon;
pub use compose::figure_cards;
pub use conversation::{ConversationState, ConversationStore, MemoryConversations, Pending};
pub use understand::{Intent, Understanding, detect_language, parse_amount, warm_up};

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::catalog::Catalog;
use crate::domain::{ConversationId, GapReason, Language, Outcome, Question, Status};
use crate::knowledge::Ranking;
pub use decide::Decision;
use need::Need;
pub use retrieve::Evidence;
use understand::Understander;

/// An offer as shown in an answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfferCard {
    #[schema(
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$",
        max_length = 64,
        example = "wbso"
    )]
    pub id: String,
    pub name: String,
    pub provider: String,
    pub status: Status,
    pub why: String,
    pub how_to_apply: String,
    pub url: String,
    pub contact: String,
    pub score: f32,
    /// The day the offer closed, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    pub closed_on: Option<String>,
    /// The scheme opens in rounds: "open" is never shown without the rounds note.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rounds: bool,
    /// Every figure of the offer with its source, in the asker's language.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<FigureCard>,
}

/// A figure as an answer shows it: the value, and the source it comes from with that source's date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FigureCard {
    pub label: String,
    pub value: String,
    /// The source's host ("rvo.nl").
    pub source: String,
    /// The source's address; none when it is cut short, so no misleading link is shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    pub source_date: String,
    /// The whole line in the asker's language: "60% (bron: rvo.nl, 2024)".
    pub text: String,
}

/// A clarifying question and the answers to choose from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Clarify {
    pub question: String,
    pub options: Vec<String>,
}

/// The unmet demand an answer records.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Gap {
    pub reason: GapReason,
    pub themes: Vec<String>,
    /// The stored gap record's id, filled in by whoever logs it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// The record's reference, given out even when the database was down and the record waits
    /// in the local spool; `GET /api/gaps?ref=` finds it once written.
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// What was understood, as the API reports it.
#[derive(Debug, Clone, Serialize, Default, ToSchema)]
pub struct Understood {
    pub themes: Vec<String>,
    pub audiences: Vec<String>,
    pub stages: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subregion: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount_eur: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employees: Option<u32>,
    /// The policy tasks of the understood themes.
    pub opgaven: Vec<u8>,
}

/// The assistant's answer to one message.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Answer {
    /// Send it back to continue the conversation.
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$")]
    pub conversation_id: String,
    pub language: Language,
    pub outcome: Outcome,
    /// The answer as plain text in `language`.
    pub answer: String,
    #[schema(max_items = 4)]
    pub offers: Vec<OfferCard>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clarify: Option<Clarify>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap: Option<Gap>,
    pub understood: Understood,
    /// Set when the given conversation id was unknown or expired and a new one was started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// On the first answer of a conversation: that this is an automated assistant that decides
    /// nothing, and how to reach a person (`texts::disclosure`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disclosure: Option<String>,
    /// The semantic evidence the decision saw, for `eval --verbose`; not part of the API.
    #[serde(skip)]
    pub evidence: Option<EvidenceSummary>,
}

/// The similarities that decided scope and gaps.
#[derive(Debug, Clone, Copy)]
pub struct EvidenceSummary {
    /// The closest offer or known uncovered need.
    pub scope: f32,
    pub best_open_offer: f32,
    pub best_need: f32,
    /// Closer to a topic Wegwijzer is not for than to anything it knows, by this much.
    pub off_topic_margin: f32,
}

impl EvidenceSummary {
    fn of(e: &Evidence) -> EvidenceSummary {
        EvidenceSummary {
            scope: e.scope(),
            best_open_offer: e.best_open_offer(),
            best_need: e.best_need().map_or(-1.0, |n| n.1),
            off_topic_margin: e.off_topic_margin(),
        }
    }
}

pub struct Assistant<S: ConversationStore> {
    conversations: S,
}

impl<S: ConversationStore> Assistant<S> {
    pub fn new(conversations: S) -> Assistant<S> {
        Assistant { conversations }
    }

    /// Answers one message lexically. `conversation_id` continues a conversation; an unknown one
    /// starts a new conversation and says so in `notice`.
    pub fn ask(
        &self,
        catalog: &Catalog,
        question: &Question,
        conversation_id: Option<&ConversationId>,
    ) -> Answer {
        self.ask_with(catalog, question, conversation_id, None)
    }

    /// Answers one message with the question's vector, when the embedder gave one in time.
    pub fn ask_with(
        &self,
        catalog: &Catalog,
        question: &Question,
        conversation_id: Option<&ConversationId>,
        vector: Option<&[f32]>,
    ) -> Answer {
        let (id, mut state, notice) = match conversation_id {
            Some(id) => match self.conversations.load(id.as_str()) {
                Some(state) => (id.clone(), state, false),
                None => (ConversationId::new(), ConversationState::default(), true),
            },
            None => (ConversationId::new(), ConversationState::default(), false),
        };
        let first = state.turns == 0;
        let prepared = prepare(catalog, question.as_str(), &mut state, vector);
        let mut answer = conclude(catalog, &prepared, &mut state, &catalog.kb.ranking);
        if first {
            answer.disclosure = Some(crate::texts::disclosure(answer.language).to_owned());
        }
        if notice {
            answer.notice = Some(compose::new_conversation_notice(answer.language));
        }
        answer.conversation_id = id.as_str().to_owned();
        state.last_offers = answer.offers.iter().map(|o| o.id.clone()).collect();
        self.conversations.save(id.as_str(), state);
        answer
    }

    /// Puts a conversation's state in place (from a store shared by several instances), so the
    /// next message continues it here.
    pub fn remember(&self, id: &ConversationId, state: ConversationState) {
        self.conversations.save(id.as_str(), state);
    }

    /// What a conversation has established so far, if it is still remembered.
    pub fn conversation(&self, id: &ConversationId) -> Option<ConversationState> {
        self.conversations.load(id.as_str())
    }
}

/// What the assistant understands of a text on its own, without a conversation: the language and
/// the understanding an adviser-logged gap is filed under.
pub fn understand_only(catalog: &Catalog, question: &Question) -> (Language, Understood) {
    let mut state = ConversationState::default();
    let p = prepare(catalog, question.as_str(), &mut state, None);
    (p.lang, p.understood)
}

/// A message understood and its evidence retrieved: everything that does not depend on the
/// ranking weights, so `tune` computes it once per question.
pub struct Prepared {
    u: understand::Understanding,
    need: Need,
    lang: Language,
    understood: Understood,
    /// The message answers a clarifying question: no second one right after.
    after_pending: bool,
    search: HashMap<usize, f32>,
    evidence: Option<Evidence>,
}

impl Prepared {
    pub fn language(&self) -> Language {
        self.lang
    }
}

/// Understand and retrieve. Updates the conversation with what this message established.
pub fn prepare(
    catalog: &Catalog,
    text: &str,
    state: &mut ConversationState,
    vector: Option<&[f32]>,
) -> Prepared {
    let kb = &catalog.kb;
    let understander = Understander {
        lexicon: &catalog.lexicon,
        taxonomy: &kb.taxonomy,
        analyzers: catalog.index.analyzers(),
        decompounder: catalog.index.decompounder(),
    };
    let u = understander.understand(text, state.language);
    let lang = if u.language_sure {
        u.language
    } else {
        state.language.unwrap_or(u.language)
    };
    let after_pending = state.pending.take().is_some();
    let mut need = need::merge(&u, state, kb);
    need.staff_need = catalog.lexicon.staff_need(&u.analysed);
    need::remember(state, &need, &u, lang);
    let understood = need::understood(&need, state.employees, kb);
    // Markup, an injection or a request for a person decides alone: no search needed.
    let decided = u.intent == Intent::Person || (u.intent == Intent::OutOfScope && !u.blocklisted);
    let search = if decided {
        HashMap::new()
    } else {
        retrieve::lexical(catalog, text, &need, &u, lang)
    };
    Prepared {
        evidence: Evidence::of(catalog, vector),
        u,
        need,
        lang,
        understood,
        after_pending,
        search,
    }
}

/// Rank, decide and compose, with the given weights and thresholds.
pub fn conclude(
    catalog: &Catalog,
    p: &Prepared,
    state: &mut ConversationState,
    ranking: &Ranking,
) -> Answer {
    let kb = &catalog.kb;
    let thresholds = ranking.thresholds_for(p.evidence.is_some());
    let signals = rank::Signals {
        search: &p.search,
        evidence: p.evidence.as_ref(),
        weights: &ranking.weights,
    };
    let by_intent = decide::by_intent(&p.u, p.evidence.as_ref(), &thresholds);
    let scored = match by_intent {
        Some(_) => Vec::new(),
        None => rank::score_offers(kb, &p.need, &signals, |ord| catalog.lexicon.staff_side(ord)),
    };
    let named = scored
        .iter()
        .take(3)
        .map(|s| catalog.lexicon.name_match(s.ord, &p.u.analysed))
        .fold(0.0f32, f32::max);
    let ctx = decide::Context {
        catalog,
        need: &p.need,
        u: &p.u,
        scored: &scored,
        evidence: p.evidence.as_ref(),
        thresholds: &thresholds,
        lang: p.lang,
        named,
    };
    let decision =
        by_intent.unwrap_or_else(|| decide::decide(&ctx, state.clarifications, p.after_pending));
    if let Decision::Clarify { pending, .. } = &decision {
        state.pending = Some(*pending);
        state.clarifications += 1;
    }
    let mut answer = compose::render(
        &decision,
        &compose::Render {
            kb,
            scored: &scored,
            lang: p.lang,
            municipality: p.need.municipality.as_deref(),
            understood: &p.understood,
        },
    );
    answer.evidence = p.evidence.as_ref().map(EvidenceSummary::of);
    answer
}
