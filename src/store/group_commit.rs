//! Group commit of gap records. Every gap must be committed before its id goes out, and a commit
//! is most of what a small insert costs (on SQLite, the single writer's turn; on PostgreSQL, a
//! flush of its log). Gaps that arrive while a batch is being written wait for the next batch and
//! share its one transaction, so under load many gaps are committed for the price of one, and a
//! lone gap is written at once as before. The id still goes out only after its batch committed.
//! While the circuit breaker is open, gaps bypass the batches (see [`Store::group_commit`]).

use tokio::sync::{mpsc, oneshot};

use super::gaps::GapWrite;
use super::{NewGap, Store, StoreError};

/// Gaps per transaction at most: enough to amortise the commit, few enough to keep the writer's
/// turn short for everyone else.
const MAX_BATCH: usize = 64;

/// How long a batch may take before the database counts as away: well under the time an answer
/// waits for its gap (`desk::RECORD_DEADLINE`), far over what a batch takes.
const WRITE_DEADLINE: std::time::Duration = std::time::Duration::from_secs(1);

/// One gap waiting for the writer.
#[derive(Debug)]
pub(crate) struct Job {
    gap: NewGap,
    reference: String,
    created_at: Option<String>,
    reply: oneshot::Sender<Result<i64, StoreError>>,
}

/// Starts the writer task of a store; it ends when every sender (every clone of the store that
/// holds one) is gone. `store` must not hold a sender itself.
pub(crate) fn spawn(store: Store) -> mpsc::Sender<Job> {
    let (tx, mut rx) = mpsc::channel::<Job>(1024);
    tokio::spawn(async move {
        let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
        while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
            // Asked-for ids only: a caller that gave up waiting has spooled its gap already,
            // and the reference makes the second write a no-op.
            let items: Vec<GapWrite<'_>> = batch
                .iter()
                .map(|j| GapWrite::new(&j.gap, Some(&j.reference), j.created_at.as_deref()))
                .collect();
            // A database that went away makes a connection wait for the pool's timeout (seconds),
            // and every gap queued behind this batch would wait with it. Past the deadline the
            // batch counts as failed (its callers spool their gaps; a batch that did commit after
            // all is replayed as a no-op by its references) and the breaker opens, so the next
            // batches fail at once instead of queueing.
            let result = match tokio::time::timeout(WRITE_DEADLINE, store.write_gaps(&items)).await
            {
                Ok(result) => result,
                Err(_) => {
                    store.report_unreachable();
                    Err(StoreError::Unavailable)
                }
            };
            drop(items);
            match result {
                Ok(ids) => {
                    for (job, id) in batch.drain(..).zip(ids) {
                        let _ = job.reply.send(Ok(id));
                    }
                }
                Err(e) => {
                    let shared = match &e {
                        StoreError::Unavailable => None,
                        other => Some(other.to_string()),
                    };
                    for job in batch.drain(..) {
                        let err = match &shared {
                            None => StoreError::Unavailable,
                            Some(msg) => StoreError::Batch(msg.clone()),
                        };
                        let _ = job.reply.send(Err(err));
                    }
                }
            }
        }
    });
    tx
}

impl Store {
    /// Writes a gap with the next batch. `None` when this store has no writer task (or it is
    /// gone, as when its runtime shuts down): the caller writes the gap itself.
    pub(crate) async fn group_commit(
        &self,
        gap: &NewGap,
        reference: &str,
        created_at: Option<&str>,
    ) -> Option<Result<i64, StoreError>> {
        let sender = self.batcher.as_ref()?;
        // While the database is known to be away, each caller goes through the breaker on its own:
        // one probe at a time, everyone else refused at once, none queued behind the probe.
        if self.breaker.is_open() {
            return None;
        }
        let (reply, answer) = oneshot::channel();
        let job = Job {
            gap: gap.clone(),
            reference: reference.to_owned(),
            created_at: created_at.map(str::to_owned),
            reply,
        };
        sender.send(job).await.ok()?;
        answer.await.ok()
    }
}
