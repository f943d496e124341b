//! Full-text search over the knowledge base: an in-RAM tantivy index built from the offers, with
//! per-language analysis, compound splitting, typo tolerance, query-side synonyms and facets.
//! It owns the index and query building; it knows nothing of HTTP or of the assistant's routing.

mod analysis;
mod index;
mod typos;

pub use analysis::{Analyzers, Decompounder, analyze, analyzer};
pub use index::{FacetCounts, Filters, Hit, SearchIndex, SearchResult};
