//! One loaded knowledge base with everything derived from it: the search index and the assistant's
//! lexicon. Built whole at start and on reload, then swapped in as one `Arc`, so a request always
//! sees one consistent snapshot.

use std::path::Path;
use std::sync::Arc;

pub mod lexicon;

use crate::embed::SemanticIndex;
use crate::knowledge::{KnowledgeBase, LoadError, Problem};
use crate::search::SearchIndex;
pub use lexicon::Lexicon;

#[derive(Clone)]
pub struct Catalog {
    pub kb: Arc<KnowledgeBase>,
    pub index: Arc<SearchIndex>,
    pub lexicon: Arc<Lexicon>,
    /// The offers' vectors, when an embedder built them for this snapshot; without them the
    /// assistant answers lexically.
    pub semantic: Option<Arc<SemanticIndex>>,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error(transparent)]
    Knowledge(#[from] LoadError),
    #[error("building the search index failed: {0}")]
    Index(#[from] tantivy::TantivyError),
}

impl Catalog {
    pub fn build(kb: KnowledgeBase) -> Result<Catalog, tantivy::TantivyError> {
        let index = SearchIndex::build(&kb)?;
        let lexicon = Lexicon::build(&kb, index.analyzers(), index.decompounder());
        Ok(Catalog {
            kb: Arc::new(kb),
            index: Arc::new(index),
            lexicon: Arc::new(lexicon),
            semantic: None,
        })
    }

    /// The same snapshot with its vectors. Vectors of another snapshot are refused.
    pub fn with_semantic(&self, semantic: Arc<SemanticIndex>) -> Catalog {
        Catalog {
            semantic: semantic.belongs_to(&self.kb).then_some(semantic),
            ..self.clone()
        }
    }

    /// The vectors of this snapshot, when built (`with_semantic` refuses any other's).
    pub fn semantic(&self) -> Option<&SemanticIndex> {
        self.semantic.as_deref()
    }

    /// Loads and validates `dir`, then builds the index. Warnings are returned for logging.
    pub fn load(dir: &Path) -> Result<(Catalog, Vec<Problem>), CatalogError> {
        let today = time::OffsetDateTime::now_utc().date();
        let (kb, warnings) = KnowledgeBase::load(dir, today)?;
        Ok((Catalog::build(kb)?, warnings))
    }
}
