//! A question's vector: asked of the embedder with a deadline, kept in an LRU cache (in memory
//! only: a question's vector says too much about its text to write to disk), and behind a
//! breaker, so an embedder that is slow or down costs one deadline and then nothing: the answer
//! goes on lexically, and `wegwijzer_semantic_fallbacks_total` counts it.

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lru::LruCache;

use super::{EmbedError, Embedder, Vector};

/// Consecutive failures that open the breaker, and how long it stays open before one question
/// may try again.
const TRIP_AFTER: u32 = 3;
const OPEN_FOR: Duration = Duration::from_secs(5);

#[derive(Default)]
struct Breaker {
    failures: u32,
    open_until: Option<Instant>,
}

pub struct QueryEmbedder {
    embedder: Arc<dyn Embedder>,
    batcher: Arc<super::batch::Batcher>,
    deadline: Duration,
    cache: Mutex<LruCache<String, Vector>>,
    breaker: Mutex<Breaker>,
}

impl QueryEmbedder {
    pub fn new(embedder: Arc<dyn Embedder>, deadline: Duration, capacity: usize) -> QueryEmbedder {
        QueryEmbedder {
            batcher: super::batch::Batcher::new(embedder.clone()),
            embedder,
            deadline,
            cache: Mutex::new(LruCache::new(
                NonZeroUsize::new(capacity.max(1)).expect("at least one"),
            )),
            breaker: Mutex::new(Breaker::default()),
        }
    }

    pub fn embedder(&self) -> &Arc<dyn Embedder> {
        &self.embedder
    }

    pub fn model(&self) -> &str {
        self.embedder.model()
    }

    /// Whether the breaker lets questions through now.
    pub fn available(&self) -> bool {
        self.breaker
            .lock()
            .map(|b| b.open_until.is_none_or(|t| Instant::now() >= t))
            .unwrap_or(true)
    }

    /// The vector of `text`, or why there is none.
    pub async fn vector(&self, text: &str) -> Result<Vector, EmbedError> {
        let key = text.trim().to_owned();
        if let Some(v) = self
            .cache
            .lock()
            .ok()
            .and_then(|mut c| c.get(&key).cloned())
        {
            return Ok(v);
        }
        if !self.available() {
            return Err(EmbedError::BreakerOpen);
        }
        let result =
            match tokio::time::timeout(self.deadline, self.batcher.embed(key.clone())).await {
                Ok(r) => r,
                Err(_) => Err(EmbedError::Timeout(self.deadline)),
            };
        // Turned away for load says nothing about the embedder's health.
        if !matches!(result, Err(EmbedError::Busy)) {
            self.report(result.is_ok());
        }
        if let Ok(v) = &result
            && let Ok(mut c) = self.cache.lock()
        {
            c.put(key, v.clone());
        }
        result
    }

    /// The vector, or `None` with the reason counted: what the answer path uses.
    pub async fn vector_or_fallback(&self, text: &str) -> Option<Vector> {
        match self.vector(text).await {
            Ok(v) => Some(v),
            Err(e) => {
                crate::metrics::semantic_fallback(e.kind());
                tracing::debug!(error = %e, "answering lexically");
                None
            }
        }
    }

    fn report(&self, ok: bool) {
        let Ok(mut b) = self.breaker.lock() else {
            return;
        };
        if ok {
            *b = Breaker::default();
        } else {
            b.failures += 1;
            if b.failures >= TRIP_AFTER {
                b.open_until = Some(Instant::now() + OPEN_FOR);
                b.failures = TRIP_AFTER - 1; // one more failure after the pause re-opens it
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::{EmbedFuture, Side};
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Flaky {
        calls: AtomicUsize,
        fail: bool,
        delay: Duration,
    }

    impl Embedder for Flaky {
        fn model(&self) -> &str {
            "flaky"
        }
        fn embed<'a>(&'a self, texts: &'a [String], _side: Side) -> EmbedFuture<'a> {
            Box::pin(async move {
                self.calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(self.delay).await;
                if self.fail {
                    Err(EmbedError::Unreachable("down".into()))
                } else {
                    Ok(texts
                        .iter()
                        .map(|_| Vector::from(vec![1.0f32, 0.0]))
                        .collect())
                }
            })
        }
    }

    fn flaky(fail: bool, delay: Duration) -> Arc<Flaky> {
        Arc::new(Flaky {
            calls: AtomicUsize::new(0),
            fail,
            delay,
        })
    }

    #[tokio::test]
    async fn a_cached_question_does_not_ask_again() {
        let e = flaky(false, Duration::ZERO);
        let q = QueryEmbedder::new(e.clone(), Duration::from_secs(1), 8);
        q.vector("Hoe start ik?").await.unwrap();
        q.vector(" Hoe start ik? ").await.unwrap();
        assert_eq!(e.calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_slow_embedder_costs_one_deadline_and_repeated_failures_open_the_breaker() {
        let e = flaky(false, Duration::from_millis(300));
        let q = QueryEmbedder::new(e.clone(), Duration::from_millis(20), 8);
        let t = Instant::now();
        assert!(matches!(q.vector("a").await, Err(EmbedError::Timeout(_))));
        assert!(t.elapsed() < Duration::from_millis(250));
        let down = flaky(true, Duration::ZERO);
        let q = QueryEmbedder::new(down.clone(), Duration::from_secs(1), 8);
        for t in ["a", "b", "c"] {
            assert!(q.vector(t).await.is_err());
        }
        assert!(matches!(q.vector("d").await, Err(EmbedError::BreakerOpen)));
        assert_eq!(down.calls.load(Ordering::SeqCst), 3);
        assert!(!q.available());
    }
}
