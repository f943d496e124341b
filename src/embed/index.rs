//! The vectors of one knowledge snapshot: each offer's passages (per language its name, summary
//! and how to apply, and each need line) and each known uncovered need's lines. Built at start
//! and at reload through the disk cache, so only changed text is embedded again.

use std::sync::Arc;

use super::{EmbedError, Embedder, Side, VectorCache, dot};
use crate::domain::Language;
use crate::knowledge::{KnowledgeBase, Offer};

/// Rows of one matrix, each owned by an offer or an uncovered need.
pub struct SemanticIndex {
    pub model: String,
    pub dim: usize,
    /// Row-major vectors, `dim` floats each.
    offer_rows: Vec<f32>,
    offer_owner: Vec<usize>,
    need_rows: Vec<f32>,
    need_owner: Vec<usize>,
    off_rows: Vec<f32>,
    offers: usize,
    needs: usize,
    /// The knowledge snapshot these vectors belong to.
    pub snapshot: Arc<KnowledgeBase>,
}

/// What building took.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildStats {
    pub passages: usize,
    pub embedded: usize,
}

/// The passages of one offer: what it is for, in each language.
pub fn offer_passages(o: &Offer) -> Vec<String> {
    let mut out = Vec::new();
    for lang in Language::ALL {
        out.push(format!(
            "{}. {} {}",
            o.name_in(lang),
            o.summary.get(lang),
            o.how_to_apply.get(lang)
        ));
        out.extend(o.needs.get(lang).iter().cloned());
    }
    out
}

impl SemanticIndex {
    pub async fn build(
        kb: Arc<KnowledgeBase>,
        embedder: &dyn Embedder,
        cache: &VectorCache,
    ) -> Result<(SemanticIndex, BuildStats), EmbedError> {
        let mut texts = Vec::new();
        let mut offer_owner = Vec::new();
        for (ord, o) in kb.offers.iter().enumerate() {
            for p in offer_passages(o) {
                texts.push(p);
                offer_owner.push(ord);
            }
        }
        let mut need_owner = Vec::new();
        for (i, n) in kb.uncovered.iter().enumerate() {
            for (_, line) in n.lines.iter() {
                texts.push(line.to_owned());
                need_owner.push(i);
            }
        }
        let need_end = texts.len();
        for t in &kb.off_topic {
            texts.extend(t.lines.iter().map(|(_, l)| l.to_owned()));
        }
        let (vectors, embedded) = cache.embed(embedder, &texts, Side::Passage).await?;
        let dim = vectors.first().map(|v| v.len()).unwrap_or(0);
        let split = offer_owner.len();
        let flat = |vs: &[super::Vector]| vs.iter().flat_map(|v| v.iter().copied()).collect();
        let index = SemanticIndex {
            model: embedder.model().to_owned(),
            dim,
            offer_rows: flat(&vectors[..split]),
            offer_owner,
            need_rows: flat(&vectors[split..need_end]),
            off_rows: flat(&vectors[need_end..]),
            need_owner,
            offers: kb.offers.len(),
            needs: kb.uncovered.len(),
            snapshot: kb,
        };
        let stats = BuildStats {
            passages: texts.len(),
            embedded,
        };
        Ok((index, stats))
    }

    /// Whether these vectors were built from `kb` (a reload swaps both; an old index must never
    /// score a new base's offers).
    pub fn belongs_to(&self, kb: &Arc<KnowledgeBase>) -> bool {
        Arc::ptr_eq(&self.snapshot, kb)
    }

    fn best_per_owner(rows: &[f32], owner: &[usize], n: usize, dim: usize, q: &[f32]) -> Vec<f32> {
        let mut best = vec![-1.0f32; n];
        if dim == 0 || q.len() != dim {
            return best;
        }
        for (row, &o) in rows.chunks_exact(dim).zip(owner) {
            let s = dot(row, q);
            if s > best[o] {
                best[o] = s;
            }
        }
        best
    }

    /// Per offer (by ord): the highest similarity of the question to any of its passages.
    pub fn offer_similarities(&self, q: &[f32]) -> Vec<f32> {
        Self::best_per_owner(
            &self.offer_rows,
            &self.offer_owner,
            self.offers,
            self.dim,
            q,
        )
    }

    /// Per known uncovered need: the highest similarity to any of its lines.
    pub fn need_similarities(&self, q: &[f32]) -> Vec<f32> {
        Self::best_per_owner(&self.need_rows, &self.need_owner, self.needs, self.dim, q)
    }

    /// The closest phrasing of a topic Wegwijzer is not for; -1 without any.
    pub fn off_topic_similarity(&self, q: &[f32]) -> f32 {
        if self.dim == 0 || q.len() != self.dim {
            return -1.0;
        }
        self.off_rows
            .chunks_exact(self.dim)
            .map(|row| dot(row, q))
            .fold(-1.0, f32::max)
    }

    pub fn passages(&self) -> usize {
        self.offer_owner.len() + self.need_owner.len() + self.off_rows.len() / self.dim.max(1)
    }
}
