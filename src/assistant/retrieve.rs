//! Retrieve: the candidate evidence for a question, before any rule. Lexically, the tantivy
//! ranking of the message plus what the conversation established; semantically, the question
//! vector's similarity to every offer's passages and to every known uncovered need.

use std::collections::HashMap;

use super::need::Need;
use super::understand::Understanding;
use crate::catalog::Catalog;
use crate::domain::{Language, Status};
use crate::knowledge::KnowledgeBase;

/// Offer ord → raw tantivy score, for the message and the labels of the conversation's themes.
pub fn lexical(
    catalog: &Catalog,
    text: &str,
    need: &Need,
    u: &Understanding,
    lang: Language,
) -> HashMap<usize, f32> {
    let kb = &catalog.kb;
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
    catalog
        .index
        .rank(&query, &langs, limit)
        .map(|hits| hits.into_iter().collect())
        .unwrap_or_default()
}

/// The question's cosine similarity to each offer (its closest passage) and to each known
/// uncovered need (its closest phrasing).
#[derive(Debug, Clone)]
pub struct Evidence {
    pub offers: Vec<f32>,
    pub needs: Vec<f32>,
    /// The closest topic Wegwijzer is not for (`out-of-scope.toml`).
    pub off_topic: f32,
    best_offer: f32,
    best_open: f32,
}

impl Evidence {
    /// The evidence for a question vector, when the catalog has vectors of its own.
    pub fn of(catalog: &Catalog, vector: Option<&[f32]>) -> Option<Evidence> {
        let index = catalog.semantic()?;
        let v = vector?;
        if v.len() != index.dim {
            return None;
        }
        let mut e = Evidence::new(
            &catalog.kb,
            index.offer_similarities(v),
            index.need_similarities(v),
        );
        e.off_topic = index.off_topic_similarity(v);
        Some(e)
    }

    pub fn new(kb: &KnowledgeBase, offers: Vec<f32>, needs: Vec<f32>) -> Evidence {
        let open: Vec<bool> = kb
            .offers
            .iter()
            .map(|o| o.status != Status::Closed)
            .collect();
        Evidence::with_open(offers, needs, &open)
    }

    fn with_open(offers: Vec<f32>, needs: Vec<f32>, open: &[bool]) -> Evidence {
        let best_offer = offers.iter().copied().fold(-1.0f32, f32::max);
        let best_open = offers
            .iter()
            .zip(open)
            .filter(|(_, open)| **open)
            .map(|(s, _)| *s)
            .fold(-1.0f32, f32::max);
        Evidence {
            offers,
            needs,
            off_topic: -1.0,
            best_offer,
            best_open,
        }
    }

    /// The semantic feature of one offer: 1 for the closest, falling off with the distance to it.
    pub fn feature(&self, ord: usize, temperature: f32) -> f32 {
        let sim = self.offers.get(ord).copied().unwrap_or(-1.0);
        ((sim - self.best_offer) / temperature.max(1e-4)).exp()
    }

    /// How close the question is to anything the base knows: an offer or an uncovered need.
    pub fn scope(&self) -> f32 {
        self.needs.iter().copied().fold(self.best_offer, f32::max)
    }

    /// How much closer the question is to a topic Wegwijzer is not for than to anything it knows.
    pub fn off_topic_margin(&self) -> f32 {
        self.off_topic - self.scope()
    }

    pub fn best_open_offer(&self) -> f32 {
        self.best_open
    }

    /// The closest known uncovered need and its similarity.
    pub fn best_need(&self) -> Option<(usize, f32)> {
        self.needs
            .iter()
            .copied()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closest_offer_has_feature_one_and_others_fall_off() {
        let e = Evidence::with_open(vec![0.80, 0.86, 0.84], vec![0.90], &[true, false, true]);
        assert_eq!(e.best_open_offer(), 0.84);
        assert!((e.feature(1, 0.02) - 1.0).abs() < 1e-6);
        assert!(e.feature(2, 0.02) < 0.4 && e.feature(2, 0.02) > 0.3);
        assert!(e.feature(0, 0.02) < 0.06);
        assert_eq!(e.scope(), 0.90);
        assert_eq!(e.best_need(), Some((0, 0.90)));
    }
}
