//! Wegwijzer: first-line help for entrepreneurs in Drenthe.
//!
//! # Layout
//! - [`domain`]: types that parse (languages, offer ids, questions, statuses, channels, outcomes).
//! - [`knowledge`]: loads and validates `knowledge/` (offers, taxonomy, intents).
//! - [`search`]: the in-RAM tantivy index, analysis, query building and facets.
//! - [`catalog`]: one knowledge snapshot with its index and lexicon, swapped whole on reload.
//! - [`assistant`]: understands a question, routes it, composes the answer; pure.
//! - [`eval`]: scores the assistant on a questions file.
//! - [`privacy`]: PII redaction before anything is stored or logged.
//! - [`store`]: sqlx storage on SQLite or PostgreSQL, with migrations.
//! - [`http`]: the axum router: API, health, reload.
//! - [`startup`]: wires everything together; signals.
//! - [`cli`]: the terminal commands.

pub mod assistant;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod domain;
pub mod eval;
pub mod http;
pub mod knowledge;
pub mod privacy;
pub mod search;
pub mod startup;
pub mod store;
