//! Wegwijzer: first-line help for entrepreneurs in Drenthe.
//!
//! # Layout
//! - [`domain`]: types that parse (languages, offer ids, questions, statuses, channels, outcomes).
//! - [`knowledge`]: loads and validates `knowledge/` (offers, taxonomy, intents).
//! - [`search`]: the in-RAM tantivy index, analysis, query building and facets.
//! - [`embed`]: sentence embeddings over the OpenAI-compatible protocol: client, disk cache, the
//!   supervised local embedder, the question path (deadline, cache, breaker), a snapshot's vectors.
//! - [`catalog`]: one knowledge snapshot with its index, lexicon and vectors, swapped whole on reload.
//! - [`assistant`]: understands a question, routes it, composes the answer; pure.
//! - [`eval`]: scores the assistant on a questions file.
//! - [`tune`]: fits the semantic weights and thresholds with k-fold cross-validation.
//! - [`privacy`]: PII redaction before anything is stored or logged.
//! - [`spool`]: the durable local spool for gaps while the database is down.
//! - [`store`]: sqlx storage on SQLite or PostgreSQL, with migrations.
//! - [`auth`]: roles, password hashing, API and session secrets.
//! - [`app`]: the application state every channel shares.
//! - [`desk`]: asks the assistant and records the demand; every channel goes through it.
//! - [`compute`]: the threads the assistant's CPU-bound work runs on, first in, first out.
//! - [`discord`]: the Discord bot, thin adapters over the desk with its decisions as plain functions.
//! - [`texts`]: fixed texts every channel shows alike (the privacy notice).
//! - [`insights`]: the white-spot matrix, clusters of unanswered questions, exports.
//! - [`metrics`]: the Prometheus metrics behind `/metrics`.
//! - [`http`]: the axum router: API, health, reload, rate limiting, request ids.
//! - [`web`]: the web pages (chat, offer search, login, dashboard) and their assets.
//! - [`startup`]: wires everything together; signals.
//! - [`cli`]: the terminal commands.

pub mod app;
pub mod assistant;
pub mod auth;
pub mod catalog;
pub mod cli;
pub mod compute;
pub mod config;
pub mod desk;
pub mod discord;
pub mod domain;
pub mod embed;
pub mod eval;
pub mod http;
pub mod insights;
pub mod knowledge;
pub mod metrics;
pub mod privacy;
pub mod router;
pub mod search;
pub mod spool;
pub mod startup;
pub mod store;
pub mod texts;
pub mod tune;
pub mod web;
