//! One loaded knowledge base with everything derived from it: the search index and the assistant's
//! lexicon. Built whole at start and on reload, then swapped in as one `Arc`, so a request always
//! sees one consistent snapshot.

use std::path::Path;
use std::sync::Arc;

use crate::assistant::Lexicon;
use crate::knowledge::{KnowledgeBase, LoadError, Problem};
use crate::search::SearchIndex;

pub struct Catalog {
    pub kb: Arc<KnowledgeBase>,
    pub index: SearchIndex,
    pub lexicon: Lexicon,
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
            index,
            lexicon,
        })
    }

    /// Loads and validates `dir`, then builds the index. Warnings are returned for logging.
    pub fn load(dir: &Path) -> Result<(Catalog, Vec<Problem>), CatalogError> {
        let today = time::OffsetDateTime::now_utc().date();
        let (kb, warnings) = KnowledgeBase::load(dir, today)?;
        Ok((Catalog::build(kb)?, warnings))
    }
}
