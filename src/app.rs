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
}
