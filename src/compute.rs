//! The threads the assistant's CPU-bound work runs on: one per core, taking questions first in,
//! first out from one shared queue.
//!
//! Measured under load (64 clients, 2 cores; `scripts/loadtest.sh`, docs/performance.md) against
//! the two obvious alternatives: tokio's blocking pool behind a semaphore of one permit per core
//! kept answers in order but paid two extra thread wake-ups per question (1,390 answers/s);
//! answering on the async workers themselves was fastest (2,300/s) but unfair, as a worker's own
//! queue lets late arrivals overtake (p99 three times the median). A pool of its own with one
//! queue has both: no hand-off beyond the queue, and every answer waits about as long as any other.

use std::panic::AssertUnwindSafe;

#[derive(Debug, thiserror::Error)]
#[error("the assistant failed on this message (see the log)")]
pub struct ComputeError;

pub struct ComputePool {
    pool: rayon::ThreadPool,
}

impl ComputePool {
    /// A pool of `threads` threads (at least one).
    pub fn new(threads: usize) -> ComputePool {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .thread_name(|i| format!("wegwijzer-compute-{i}"))
            .build()
            .expect("starting the compute threads");
        ComputePool { pool }
    }

    /// One thread per core.
    pub fn per_core() -> ComputePool {
        ComputePool::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    /// Runs `work` on the pool after the work queued before it, and waits for its result. A panic
    /// in `work` is caught (and logged) and becomes an error for this caller only.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ComputeError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.pool.spawn_fifo(move || {
            let result = std::panic::catch_unwind(AssertUnwindSafe(work));
            if result.is_err() {
                tracing::error!("the assistant panicked on a message");
            }
            let _ = tx.send(result.map_err(|_| ComputeError));
        });
        rx.await.map_err(|_| ComputeError)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_work_and_survives_a_panic() {
        let pool = ComputePool::new(2);
        assert_eq!(pool.run(|| 6 * 7).await.unwrap(), 42);
        let failed = pool.run(|| -> u32 { panic!("boom") }).await;
        assert!(failed.is_err());
        // The pool still works after a panic.
        assert_eq!(pool.run(|| "still here").await.unwrap(), "still here");
    }

    #[tokio::test]
    async fn work_starts_in_arrival_order() {
        // One thread: the jobs must run in the order they were queued.
        let pool = std::sync::Arc::new(ComputePool::new(1));
        let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let gate = std::sync::Arc::new(std::sync::Barrier::new(2));
        let g = gate.clone();
        let first = {
            let pool = pool.clone();
            tokio::spawn(async move { pool.run(move || g.wait()).await })
        };
        // Let the first job occupy the thread, then queue the rest behind it.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let mut waiting = Vec::new();
        for i in 0..20 {
            let (pool, order) = (pool.clone(), order.clone());
            waiting.push(tokio::spawn(async move {
                pool.run(move || order.lock().unwrap().push(i)).await
            }));
            tokio::task::yield_now().await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        gate.wait();
        first.await.unwrap().unwrap();
        for w in waiting {
            w.await.unwrap().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), (0..20).collect::<Vec<_>>());
    }
}
