//! The application: everything a channel (the API, the web pages, the Discord bot) needs to serve
//! someone, built once at start by [`crate::startup`] and cloned cheaply into each handler.

use std::path::PathBuf;
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::assistant::{Assistant, MemoryConversations};
use crate::catalog::Catalog;
use crate::privacy::Redactor;
use crate::store::Store;

#[derive(Clone)]
pub struct App {
    /// The knowledge, its index and lexicon; swapped whole on reload.
    pub catalog: Arc<ArcSwap<Catalog>>,
    pub assistant: Arc<Assistant<MemoryConversations>>,
    pub store: Store,
    pub knowledge_dir: PathBuf,
    /// How long a conversation's understanding is kept without a new message.
    pub conversation_ttl: std::time::Duration,
    /// Bearer token for `POST /api/admin/reload`; reload over HTTP is off without one.
    pub admin_token: Option<String>,
    /// Names this process in the database (host and pid), for several instances.
    pub instance: String,
    /// Removes personal data from questions before anything is stored.
    pub redactor: Arc<Redactor>,
    /// Where gap records wait when the database cannot take them.
    pub spool: Option<Arc<crate::spool::Spool>>,
    /// The secret that turns a client address or Discord id into this month's pseudonym.
    pub pseudonym_salt: Arc<str>,
    /// One budget per client for the public endpoints that do work (see [`crate::http::rate_limit`]).
    pub rate_limiter: Arc<crate::http::rate_limit::RateLimiter>,
    /// Reverse proxies in front of us that append to `X-Forwarded-For` (see
    /// [`crate::http::client_addr`]).
    pub trusted_proxies: usize,
    /// The threads the assistant's CPU-bound work runs on, in arrival order (see
    /// [`crate::compute`]).
    pub compute: Arc<crate::compute::ComputePool>,
    /// The embedder behind the semantic signal; `None` answers lexically (see `semantic_off`).
    pub semantics: Option<Arc<crate::embed::Semantics>>,
    /// Why there is no embedder, for the log and `/readyz`.
    pub semantic_off: Arc<str>,
}

/// Whether answers use the semantic signal now, as `/readyz` reports it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SemanticStatus {
    /// `on`, `starting` (the embedder loads or the offers' vectors are being built), `down` (the
    /// embedder does not answer: lexical answers), or `off` (none configured or installed).
    pub state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl App {
    pub async fn semantic_status(&self) -> SemanticStatus {
        let Some(sem) = &self.semantics else {
            return SemanticStatus {
                state: "off",
                provider: None,
                model: None,
                reason: Some(self.semantic_off.to_string()),
            };
        };
        let indexed = self.catalog.load().semantic().is_some();
        let up = sem.is_up().await;
        let (state, reason) = match (indexed, up) {
            (true, true) => ("on", None),
            (false, true) => ("starting", Some("building the offers' vectors".to_owned())),
            (_, false) => (
                if indexed { "down" } else { "starting" },
                Some("the embedder does not answer; answers are lexical".to_owned()),
            ),
        };
        SemanticStatus {
            state,
            provider: Some(sem.provider.as_str()),
            model: Some(sem.model().to_owned()),
            reason,
        }
    }
}
