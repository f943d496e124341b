//! The application core: everything a channel (the API, the web pages, the Discord bot) needs to
//! serve someone, and nothing only one channel needs (the HTTP state wraps it). Built once at start
//! and cloned cheaply into each handler; [`App::reload`] swaps the knowledge in.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use arc_swap::ArcSwap;

use crate::assistant::{Assistant, MemoryConversations};
use crate::catalog::{Catalog, CatalogError};
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
    /// Names this process in the database (host and pid), for several instances.
    pub instance: String,
    /// Removes personal data from questions before anything is stored.
    pub redactor: Arc<Redactor>,
    /// Where gap records wait when the database cannot take them.
    pub spool: Option<Arc<crate::spool::Spool>>,
    /// The secret that turns a client address or Discord id into this month's pseudonym.
    pub pseudonym_salt: Arc<str>,
    /// The threads the assistant's CPU-bound work runs on, in arrival order (see
    /// [`crate::compute`]).
    pub compute: Arc<crate::compute::ComputePool>,
    /// The embedder behind the semantic signal; `None` answers lexically (see `semantic_off`).
    pub semantics: Option<Arc<crate::embed::Semantics>>,
    /// Why there is no embedder, for the log and `/readyz`.
    pub semantic_off: Arc<str>,
}

/// Whether answers use the semantic signal now, as `/readyz` reports it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
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
    /// Loads the knowledge directory again and swaps it in whole; start-up, SIGHUP and the admin
    /// endpoint all call this. A broken knowledge base is refused and the old one keeps serving.
    pub async fn reload(&self) -> anyhow::Result<usize> {
        let state = self;
        let dir = state.knowledge_dir.clone();
        let loaded = tokio::task::spawn_blocking(move || load_catalog(&dir))
            .await
            .map_err(anyhow::Error::from)
            .and_then(|r| r);
        crate::metrics::knowledge_reload(loaded.is_ok());
        let (catalog, warnings) = loaded?;
        let n = catalog.kb.offers.len();
        // Changed text is embedded before the swap, so answers keep their semantic signal; when the
        // embedder does not answer, the lexical snapshot goes in and the keeper adds the vectors.
        let catalog = match &state.semantics {
            Some(sem) if sem.is_up().await => match sem.index(catalog.kb.clone()).await {
                Ok((index, _)) => catalog.with_semantic(Arc::new(index)),
                Err(e) => {
                    tracing::warn!(error = %e, "reloaded without offer vectors for now");
                    catalog
                }
            },
            _ => catalog,
        };
        crate::metrics::semantic_enabled(catalog.semantic().is_some());
        state.redactor.set_known(known_words(&catalog.kb));
        crate::metrics::offers_due(
            crate::knowledge::review::due(&catalog.kb, time::OffsetDateTime::now_utc().date())
                .len(),
        );
        state.catalog.store(Arc::new(catalog));
        if let Err(e) = state
            .store
            .record_knowledge_load(n, warnings, &state.instance)
            .await
        {
            tracing::warn!(error = %e, "could not record the knowledge reload");
        }
        tracing::info!(offers = n, "knowledge reloaded");
        Ok(n)
    }

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

/// Loads the knowledge directory into a catalog, logging every warning and problem.
pub fn load_catalog(dir: &std::path::Path) -> anyhow::Result<(Catalog, usize)> {
    match Catalog::load(dir) {
        Ok((c, warnings)) => {
            for w in &warnings {
                tracing::warn!("{w}");
            }
            Ok((c, warnings.len()))
        }
        Err(CatalogError::Knowledge(e)) => {
            for p in &e.problems {
                tracing::error!("{p}");
            }
            Err(anyhow::anyhow!(e)).context(format!("loading knowledge from {}", dir.display()))
        }
        Err(e) => Err(e.into()),
    }
}

/// A redactor that keeps what this knowledge base knows (places, offers, providers, its prose).
pub fn redactor_for(kb: &crate::knowledge::KnowledgeBase) -> crate::privacy::Redactor {
    crate::privacy::Redactor::with_known(known_words(kb))
}

fn known_words(kb: &crate::knowledge::KnowledgeBase) -> crate::privacy::Known {
    crate::privacy::Known::from_texts(kb.proper_names(), kb.prose())
}
