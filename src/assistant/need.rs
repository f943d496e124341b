//! The need: this message's understanding merged with what the conversation already established.
//! Routing works from it, and the conversation remembers it for the next message.

use super::Understood;
use super::conversation::ConversationState;
use super::understand::Understanding;
use crate::domain::Language;
use crate::knowledge::KnowledgeBase;

/// The understanding of the conversation so far, merged: what routing works from.
#[derive(Debug, Clone, Default)]
pub struct Need {
    pub themes: Vec<(String, f32)>,
    pub audiences: Vec<(String, f32)>,
    pub stages: Vec<(String, f32)>,
    pub municipality: Option<String>,
    pub subregion: Option<String>,
    pub outside_drenthe: bool,
    pub amount_eur: Option<u64>,
    pub asks_money: bool,
    /// A bank (loan) is part of the question: only then is a guarantee on bank credit an answer.
    pub mentions_bank: bool,
    /// For staff questions: positive when finding people, negative when training them.
    pub staff_need: f32,
}

/// Weight of a theme, audience or stage carried over from an earlier message.
const CARRIED: f32 = 0.8;

/// Some themes are also a stage: starting a business is the start stage, and so on.
const THEME_STAGES: [(&str, &str); 3] = [
    ("starten", "start"),
    ("overname", "overdracht"),
    ("crisis", "crisis"),
];

fn carry(now: &[(String, f32)], before: &[String]) -> Vec<(String, f32)> {
    let mut out: Vec<(String, f32)> = now.to_vec();
    for b in before {
        if !out.iter().any(|(id, _)| id == b) {
            out.push((b.clone(), CARRIED));
        }
    }
    out
}

/// Merges this message's understanding with what the conversation already knew.
pub fn merge(u: &Understanding, state: &ConversationState, kb: &KnowledgeBase) -> Need {
    let municipality = u
        .municipality
        .clone()
        .or_else(|| state.municipality.clone());
    let themes = carry(&u.themes, &state.themes);
    let mut stages = carry(&u.stages, &state.stages);
    if stages.is_empty() {
        for (theme, stage) in THEME_STAGES {
            if themes.iter().any(|(t, _)| t == theme) {
                stages.push((stage.to_owned(), 0.5));
            }
        }
    }
    let subregion = u.subregion.clone().or_else(|| {
        let m = municipality.as_deref()?;
        kb.taxonomy.municipality(m).map(|m| m.subregion.clone())
    });
    Need {
        themes,
        audiences: carry(&u.audiences, &state.audiences),
        stages,
        subregion,
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

/// Keeps the need in the conversation for the next message.
pub fn remember(state: &mut ConversationState, need: &Need, u: &Understanding, language: Language) {
    state.language = Some(language);
    state.themes = need.themes.iter().map(|(t, _)| t.clone()).collect();
    state.audiences = need.audiences.iter().map(|(t, _)| t.clone()).collect();
    state.stages = need.stages.iter().map(|(t, _)| t.clone()).collect();
    state.municipality = need.municipality.clone();
    state.amount_eur = need.amount_eur;
    state.employees = u.employees.or(state.employees);
    state.turns += 1;
}

/// What was understood, as the API reports it.
pub fn understood(need: &Need, employees: Option<u32>, kb: &KnowledgeBase) -> Understood {
    let ids = |v: &[(String, f32)]| v.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>();
    let themes = ids(&need.themes);
    Understood {
        opgaven: kb.taxonomy.opgaven_of(&themes),
        themes,
        audiences: ids(&need.audiences),
        stages: ids(&need.stages),
        municipality: need.municipality.clone(),
        subregion: need.subregion.clone(),
        amount_eur: need.amount_eur,
        employees,
    }
}
