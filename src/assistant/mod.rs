//! The assistant: understands an entrepreneur's question, routes it to offers and composes the
//! answer, a clarifying question, a handoff to IBDO, or an honest "no offer fits" (a gap). Pure:
//! no I/O beyond the conversation store it is given; the web, API, CLI and Discord call it alike.

mod compose;
mod conversation;
mod lexicon;
mod route;
mod understand;

pub use conversation::{ConversationState, ConversationStore, MemoryConversations, Pending};
pub use lexicon::Lexicon;
pub use understand::{Intent, Understanding, detect_language, parse_amount, warm_up};

use std::collections::HashMap;

use serde::Serialize;

use crate::catalog::Catalog;
use crate::domain::{ConversationId, GapReason, Language, Outcome, Question, Status};
use crate::knowledge::{Offer, RegionMatch, format_date};
use route::{Need, Scored};
use understand::Understander;

/// An offer as shown in an answer.
#[derive(Debug, Clone, Serialize)]
pub struct OfferCard {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub status: Status,
    pub why: String,
    pub how_to_apply: String,
    pub url: String,
    pub contact: String,
    pub score: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_on: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Clarify {
    pub question: String,
    pub options: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize, Default)]
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

#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub conversation_id: String,
    pub language: Language,
    pub outcome: Outcome,
    pub answer: String,
    pub offers: Vec<OfferCard>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clarify: Option<Clarify>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap: Option<Gap>,
    pub understood: Understood,
    /// Set when the given conversation id was unknown or expired and a new one was started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
}

/// Thresholds, tuned on the development questions (`wegwijzer eval`).
const MIN_ANSWER_SCORE: f32 = 0.55;
const SHOW_RATIO: f32 = 0.55;
const MAX_OFFERS: usize = 4;
const MAX_CLARIFICATIONS: u32 = 2;
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
const NAMED: f32 = 0.6;
/// A one-word question skips the clarifying question only when it names an offer outright.
const NAMED_FULLY: f32 = 0.99;

pub struct Assistant<S: ConversationStore> {
    conversations: S,
}

impl<S: ConversationStore> Assistant<S> {
    pub fn new(conversations: S) -> Assistant<S> {
        Assistant { conversations }
    }

    /// Answers one message. `conversation_id` continues a conversation; an unknown one starts a
    /// new conversation and says so in `notice`.
    pub fn ask(
        &self,
        catalog: &Catalog,
        question: &Question,
        conversation_id: Option<&ConversationId>,
    ) -> Answer {
        let (id, mut state, notice) = match conversation_id {
            Some(id) => match self.conversations.load(id.as_str()) {
                Some(state) => (id.clone(), state, false),
                None => (ConversationId::new(), ConversationState::default(), true),
            },
            None => (ConversationId::new(), ConversationState::default(), false),
        };
        let mut answer = respond(catalog, question.as_str(), &mut state);
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
    let answer = respond(
        catalog,
        question.as_str(),
        &mut ConversationState::default(),
    );
    (answer.language, answer.understood)
}

/// Merges this message's understanding with what the conversation already knew.
fn merge(u: &Understanding, state: &ConversationState) -> Need {
    let carry = |now: &[(String, f32)], before: &[String]| {
        let mut out: Vec<(String, f32)> = now.to_vec();
        for b in before {
            if !out.iter().any(|(id, _)| id == b) {
                out.push((b.clone(), 0.8));
            }
        }
        out
    };
    let municipality = u
        .municipality
        .clone()
        .or_else(|| state.municipality.clone());
    let themes = carry(&u.themes, &state.themes);
    let mut stages = carry(&u.stages, &state.stages);
    // Some themes are also a stage: starting a business is the start stage, and so on.
    if stages.is_empty() {
        for (theme, stage) in [
            ("starten", "start"),
            ("overname", "overdracht"),
            ("crisis", "crisis"),
        ] {
            if themes.iter().any(|(t, _)| t == theme) {
                stages.push((stage.to_owned(), 0.5));
            }
        }
    }
    Need {
        themes,
        audiences: carry(&u.audiences, &state.audiences),
        stages,
        subregion: u.subregion.clone(),
        municipality,
        outside_drenthe: u.outside_drenthe,
        amount_eur: u.amount_eur.or(state.amount_eur),
        asks_money: u.asks_money,
        staff_need: 0.0,
        mentions_bank: u.analysed.words.iter().any(|w| {
            w.starts_with("bank")
                || w.contains("krediet")
                || w.starts_with("kredit")
                || w.starts_with("credit")
        }),
    }
}

fn remember(state: &mut ConversationState, need: &Need, u: &Understanding, language: Language) {
    state.language = Some(language);
    state.themes = need.themes.iter().map(|(t, _)| t.clone()).collect();
    state.audiences = need.audiences.iter().map(|(t, _)| t.clone()).collect();
    state.stages = need.stages.iter().map(|(t, _)| t.clone()).collect();
    state.municipality = need.municipality.clone();
    state.amount_eur = need.amount_eur;
    state.employees = u.employees.or(state.employees);
    state.turns += 1;
}

fn respond(catalog: &Catalog, text: &str, state: &mut ConversationState) -> Answer {
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
    let pending = state.pending.take();
    let mut need = merge(&u, state);
    if let Some(m) = &need.municipality
        && need.subregion.is_none()
    {
        need.subregion = kb.taxonomy.municipality(m).map(|m| m.subregion.clone());
    }
    remember(state, &need, &u, lang);
    let mut understood = Understood {
        themes: need.themes.iter().map(|(t, _)| t.clone()).collect(),
        audiences: need.audiences.iter().map(|(t, _)| t.clone()).collect(),
        stages: need.stages.iter().map(|(t, _)| t.clone()).collect(),
        municipality: need.municipality.clone(),
        subregion: need.subregion.clone(),
        amount_eur: need.amount_eur,
        employees: state.employees,
        opgaven: Vec::new(),
    };
    understood.opgaven = kb.taxonomy.opgaven_of(&understood.themes);
    let base = |outcome: Outcome, answer: String| Answer {
        conversation_id: String::new(),
        language: lang,
        outcome,
        answer,
        offers: Vec::new(),
        clarify: None,
        gap: None,
        understood: understood.clone(),
        notice: None,
    };

    match u.intent {
        Intent::OutOfScope => return base(Outcome::OutOfScope, compose::out_of_scope(lang)),
        Intent::Person => {
            let mut a = base(Outcome::Handoff, compose::handoff(lang));
            if let Some(ibdo) = kb.get("ibdo") {
                a.offers
                    .push(card(ibdo, None, lang, 1.0, &catalog.kb.taxonomy, None));
            }
            return a;
        }
        Intent::Support => {}
    }

    // Search with the message plus the labels of what the conversation already established.
    let mut query = text.to_owned();
    for (t, _) in need
        .themes
        .iter()
        .filter(|(t, _)| !u.themes.iter().any(|(x, _)| x == t))
    {
        if let Some(term) = kb.taxonomy.theme(t) {
            query.push(' ');
            query.push_str(term.label.get(lang));
        }
    }
    let langs = if lang == Language::Nl {
        vec![Language::Nl]
    } else {
        vec![lang, Language::Nl]
    };
    let limit = kb.offers.len().min(60);
    let search: HashMap<usize, f32> = catalog
        .index
        .rank(&query, &langs, limit)
        .map(|hits| hits.into_iter().collect())
        .unwrap_or_default();
    need.staff_need = catalog.lexicon.staff_need(&u.analysed);
    let scored = route::score_offers(kb, &need, &search, |ord| catalog.lexicon.staff_side(ord));

    // How clearly the message names an offer ("mkbfonds drenthe", "wbso"): naming one is never vague.
    let named = scored
        .iter()
        .take(3)
        .map(|s| catalog.lexicon.name_match(s.ord, &u.analysed))
        .fold(0.0f32, f32::max);
    let vague_topic = need.themes.is_empty() && need.audiences.is_empty() && need.stages.is_empty();

    // A need no offer serves (a work permit, say) is a business question, and never vague.
    let uncovered = named < NAMED && catalog.lexicon.uncovered(&u.analysed);
    let vague_topic = vague_topic && !uncovered;

    // Nothing about a business at all, and not a greeting or a bare "help": not our subject.
    if vague_topic && !u.business && u.vagueness < 0.5 && u.content_words >= 2 && named < NAMED {
        return base(Outcome::OutOfScope, compose::out_of_scope(lang));
    }

    // Too vague to route: ask one question back (at most twice in a conversation).
    let implied_stage_only = need.stages.iter().all(|(_, w)| *w <= 0.5);
    let broad_single_theme = need.themes.len() == 1
        && BROAD_THEMES.contains(&need.themes[0].0.as_str())
        && implied_stage_only
        && need.audiences.is_empty()
        && need.amount_eur.is_none()
        && need.municipality.is_none()
        && u.content_words <= 3
        && named < NAMED_FULLY;
    let weak_search = scored
        .first()
        .is_none_or(|s| s.search < 0.99 || s.score < MIN_ANSWER_SCORE * 1.5);
    if state.clarifications < MAX_CLARIFICATIONS && pending.is_none() {
        let clarify = if vague_topic
            && named < NAMED
            && u.content_words <= 5
            && (weak_search || u.vagueness >= 0.5)
        {
            state.pending = Some(Pending::Topic);
            Some(compose::clarify_topic(lang))
        } else if broad_single_theme && need.themes[0].0 == "financiering" {
            state.pending = Some(Pending::Stage);
            Some(compose::clarify_stage(lang))
        } else if broad_single_theme {
            // Offer the knowledge base's own options for this theme: replying with one names it.
            state.pending = Some(Pending::Topic);
            let options: Vec<String> = scored
                .iter()
                .filter(|s| {
                    kb.offers[s.ord].status != Status::Closed
                        && kb.offers[s.ord].id.as_str() != "ibdo"
                })
                .take(4)
                .map(|s| kb.offers[s.ord].name_in(lang).to_owned())
                .collect();
            let (intro, q) = compose::clarify_offers(lang);
            (options.len() >= 3).then_some((intro, q, options))
        } else {
            None
        };
        if let Some((intro, q, options)) = clarify {
            state.clarifications += 1;
            let mut a = base(Outcome::Clarify, format!("{intro} {q}"));
            a.clarify = Some(Clarify {
                question: q,
                options,
            });
            return a;
        }
        state.pending = None;
    }

    decide(catalog, &need, &u, scored, named, lang, base)
}

fn decide(
    catalog: &Catalog,
    need: &Need,
    u: &Understanding,
    scored: Vec<Scored>,
    named: f32,
    lang: Language,
    base: impl Fn(Outcome, String) -> Answer,
) -> Answer {
    let kb = &catalog.kb;
    let tax = &kb.taxonomy;
    let offer = |s: &Scored| &kb.offers[s.ord];
    let best_open = scored.iter().find(|s| offer(s).status != Status::Closed);
    let best_closed = scored.iter().find(|s| offer(s).status == Status::Closed);
    let top = scored.first();
    let themes: Vec<String> = need.themes.iter().map(|(t, _)| t.clone()).collect();
    let place_label = need
        .municipality
        .as_deref()
        .map(|m| tax.region_label(m, lang));
    let cards_from = |list: &[&Scored]| -> Vec<OfferCard> {
        list.iter()
            .map(|s| {
                card(
                    offer(s),
                    Some(&s.fit),
                    lang,
                    s.score,
                    tax,
                    need.municipality.as_deref(),
                )
            })
            .collect()
    };
    let ibdo_card = || kb.get("ibdo").map(|o| card(o, None, lang, 0.0, tax, None));
    let with_ibdo = |mut cards: Vec<OfferCard>| {
        if !cards.iter().any(|c| c.id == "ibdo")
            && let Some(c) = ibdo_card()
        {
            cards.push(c);
        }
        cards
    };

    // A closed scheme the person clearly means: show it marked closed, with what is open now.
    let meant = |s: &Scored| {
        catalog.lexicon.name_match(s.ord, &u.analysed) > 0.5
            || best_open.is_none_or(|o| s.score >= o.score * 1.3)
    };
    if let (Some(closed), Some(t)) = (best_closed, top)
        && closed.ord == t.ord
        && closed.score >= MIN_ANSWER_SCORE
        && meant(closed)
    {
        let alternatives: Vec<&Scored> = scored
            .iter()
            .filter(|s| {
                offer(s).status != Status::Closed
                    && s.score >= closed.score * 0.6
                    && offer(s).id.as_str() != "ibdo"
            })
            .take(2)
            .collect();
        let mut cards = cards_from(&[closed]);
        cards.extend(cards_from(&alternatives));
        let mut a = base(
            Outcome::Gap,
            compose::gap_closed(lang, offer(closed).name_in(lang)),
        );
        a.offers = with_ibdo(cards);
        a.gap = Some(Gap {
            reason: crate::domain::GapReason::OfferClosed,
            themes,
            id: None,
            reference: None,
        });
        return a;
    }

    let Some(best) = best_open else {
        let mut a = base(Outcome::Gap, compose::gap_none(lang));
        a.offers = with_ibdo(Vec::new());
        a.gap = Some(Gap {
            reason: GapReason::NoOffer,
            themes,
            id: None,
            reference: None,
        });
        return a;
    };

    // The best fit by content is limited to another region, and nothing comparable serves this one.
    if let Some(local) = scored
        .iter()
        .filter(|s| offer(s).status != Status::Closed)
        .max_by(|a, b| a.content.total_cmp(&b.content))
        && local.fit.region == Some(RegionMatch::Elsewhere)
        && local.content >= MIN_ANSWER_SCORE * 1.5
        && best.score < local.content * 0.45
    {
        let mut a = base(
            Outcome::Gap,
            compose::gap_region(lang, place_label.as_deref().unwrap_or("uw regio")),
        );
        let alts: Vec<&Scored> = scored
            .iter()
            .filter(|s| offer(s).status != Status::Closed && offer(s).id.as_str() != "ibdo")
            .take(2)
            .collect();
        a.offers = with_ibdo(cards_from(&alts));
        a.gap = Some(Gap {
            reason: GapReason::RegionMismatch,
            themes,
            id: None,
            reference: None,
        });
        return a;
    }

    // Nothing fits well enough: an honest gap, with the nearest help.
    let unknown_need = !u.unknown_words.is_empty() && best.search < 0.5;
    let themeless = need.themes.is_empty() && named < NAMED && best.score < THEMELESS_MIN_SCORE;
    let uncovered = named < NAMED && catalog.lexicon.uncovered(&u.analysed);
    if best.score < MIN_ANSWER_SCORE
        || themeless
        || uncovered
        || (unknown_need && best.score < MIN_ANSWER_SCORE * 1.6)
    {
        let mut a = base(Outcome::Gap, compose::gap_none(lang));
        let near: Vec<&Scored> = scored
            .iter()
            .filter(|s| {
                offer(s).status != Status::Closed
                    && offer(s).id.as_str() != "ibdo"
                    && s.score >= MIN_ANSWER_SCORE * 0.6
            })
            .take(1)
            .collect();
        let mut cards = cards_from(&near);
        if let Some(c) = ibdo_card() {
            cards.insert(0, c);
        }
        a.offers = cards;
        a.gap = Some(Gap {
            reason: GapReason::NoOffer,
            themes,
            id: None,
            reference: None,
        });
        return a;
    }

    let shown: Vec<&Scored> = scored
        .iter()
        .filter(|s| offer(s).status != Status::Closed)
        .filter(|s| s.score >= best.score * SHOW_RATIO)
        .take(MAX_OFFERS)
        .collect();
    let mut a = base(
        Outcome::Answered,
        compose::answered(lang, place_label.as_deref()),
    );
    a.offers = cards_from(&shown);
    a
}

fn card(
    o: &Offer,
    fit: Option<&route::Fit>,
    lang: Language,
    score: f32,
    tax: &crate::knowledge::Taxonomy,
    municipality: Option<&str>,
) -> OfferCard {
    let why = match fit {
        Some(fit) => compose::why(o, fit, tax, municipality, lang),
        None => o.summary.get(lang).to_owned(),
    };
    OfferCard {
        id: o.id.to_string(),
        name: o.name_in(lang).to_owned(),
        provider: o.provider.clone(),
        status: o.status,
        why,
        how_to_apply: compose::how_to_apply(o, lang),
        url: o.url.clone(),
        contact: o.contact.clone(),
        score: (score * 1000.0).round() / 1000.0,
        closed_on: o.closed_on.map(format_date),
    }
}
