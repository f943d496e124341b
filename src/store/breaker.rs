//! A circuit breaker in front of the database. When PostgreSQL goes away, sqlx keeps retrying a
//! refused connection until the pool's acquire timeout (seconds), so without a breaker every
//! request that touches the database would hang that long: answers would stall and the load would
//! pile up. After a connection-level failure the breaker opens: calls fail at once with
//! [`StoreError::Unavailable`](super::StoreError::Unavailable) (gaps go to the spool, counts are
//! skipped) until, after [`OPEN_FOR`], one call is let through as a probe. Its success closes the
//! breaker, its failure opens it again. Only the probe can close it: a call admitted before the
//! outage that happens to finish well (its connection was already open) says nothing about the
//! database now, and letting it close the breaker sent every request of the next moment into the
//! pool's acquire timeout. Errors of a query itself (a constraint, a busy SQLite) do not count:
//! only the connection's.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long the breaker stays open before it lets one probe through.
pub const OPEN_FOR: Duration = Duration::from_secs(2);

const CLOSED: u8 = 0;
const OPEN: u8 = 1;
/// One probe is out; everyone else still fails fast.
const PROBING: u8 = 2;

#[derive(Debug)]
pub struct Breaker {
    state: AtomicU8,
    /// When it opened, in milliseconds since `epoch`.
    opened_at_ms: AtomicU64,
    epoch: Instant,
    open_for: Duration,
}

/// What a caller may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit {
    Go,
    /// Go, as the probe: report the outcome with [`Breaker::record`].
    Probe,
    Refused,
}

impl Default for Breaker {
    fn default() -> Self {
        Breaker::new(OPEN_FOR)
    }
}

impl Breaker {
    pub fn new(open_for: Duration) -> Breaker {
        Breaker {
            state: AtomicU8::new(CLOSED),
            opened_at_ms: AtomicU64::new(0),
            epoch: Instant::now(),
            open_for,
        }
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    pub fn permit(&self) -> Permit {
        match self.state.load(Ordering::Acquire) {
            CLOSED => Permit::Go,
            OPEN => {
                let since = self
                    .now_ms()
                    .saturating_sub(self.opened_at_ms.load(Ordering::Acquire));
                if since < self.open_for.as_millis() as u64 {
                    return Permit::Refused;
                }
                // Exactly one caller wins the right to probe.
                match self.state.compare_exchange(
                    OPEN,
                    PROBING,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                ) {
                    Ok(_) => Permit::Probe,
                    Err(_) => Permit::Refused,
                }
            }
            _ => Permit::Refused,
        }
    }

    /// Reports a connection failure: the breaker opens (again) for [`OPEN_FOR`].
    pub fn record_failure(&self) {
        self.opened_at_ms.store(self.now_ms(), Ordering::Release);
        if self.state.swap(OPEN, Ordering::AcqRel) == CLOSED {
            tracing::warn!(
                "database unreachable: failing fast for {:?} before trying again",
                self.open_for
            );
        }
    }

    /// Reports that the probe succeeded: the breaker closes.
    fn probe_succeeded(&self) {
        if self
            .state
            .compare_exchange(PROBING, CLOSED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            tracing::info!("database reachable again");
        }
    }

    /// Lets a call through or refuses it; the [`Admission`] reports the call's outcome.
    pub fn admit(&self) -> Option<Admission<'_>> {
        match self.permit() {
            Permit::Refused => None,
            Permit::Go => Some(Admission {
                breaker: self,
                probe: false,
                reported: false,
            }),
            Permit::Probe => Some(Admission {
                breaker: self,
                probe: true,
                reported: false,
            }),
        }
    }

    /// Whether calls are being refused (or only a probe is out).
    pub fn is_open(&self) -> bool {
        self.state.load(Ordering::Acquire) != CLOSED
    }
}

/// A call under way. A probe that is dropped before it reports (its request was cancelled, a
/// timeout fired) counts as failed, so the breaker cannot stay half-open for ever.
pub struct Admission<'a> {
    breaker: &'a Breaker,
    probe: bool,
    reported: bool,
}

impl Admission<'_> {
    pub fn report(mut self, connection_failed: bool) {
        self.reported = true;
        if connection_failed {
            self.breaker.record_failure();
        } else if self.probe {
            self.breaker.probe_succeeded();
        }
    }
}

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        if self.probe && !self.reported {
            self.breaker.record_failure();
        }
    }
}

/// Whether an error says the database cannot be reached (rather than that a query was wrong).
pub fn is_connection_failure(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // PostgreSQL's classes 08 (connection exception) and 57P (operator intervention: admin
        // shutdown, cannot connect now).
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_on_a_failure_then_lets_one_probe_through() {
        let b = Breaker::new(Duration::from_millis(30));
        b.admit().expect("closed").report(true);
        assert!(b.is_open());
        assert_eq!(b.permit(), Permit::Refused);
        std::thread::sleep(Duration::from_millis(40));
        let probe = b.admit().expect("the probe");
        assert!(b.admit().is_none(), "only one probe at a time");
        probe.report(true);
        assert!(b.admit().is_none(), "a failed probe opens it again");
        std::thread::sleep(Duration::from_millis(40));
        b.admit().expect("a new probe").report(false);
        assert!(!b.is_open());
        assert_eq!(b.permit(), Permit::Go);
    }

    #[test]
    fn a_probe_dropped_without_a_report_opens_the_breaker_again() {
        let b = Breaker::new(Duration::from_millis(10));
        b.record_failure();
        std::thread::sleep(Duration::from_millis(20));
        let probe = b.admit().expect("the probe");
        assert!(b.admit().is_none());
        drop(probe);
        assert!(b.admit().is_none(), "open again, for another period");
        std::thread::sleep(Duration::from_millis(20));
        b.admit().expect("a new probe").report(false);
        assert!(b.admit().is_some());
    }

    #[test]
    fn only_the_probe_closes_the_breaker() {
        let b = Breaker::new(Duration::from_millis(20));
        // Admitted while the database was still there; it finishes after the outage began.
        let before_the_outage = b.admit().expect("closed");
        b.admit().expect("closed").report(true);
        before_the_outage.report(false);
        assert!(
            b.is_open(),
            "an older call's success says nothing about now"
        );
        assert!(b.admit().is_none());
        std::thread::sleep(Duration::from_millis(30));
        let probe = b.admit().expect("the probe");
        assert!(b.is_open(), "still probing: only the probe decides");
        probe.report(false);
        assert!(!b.is_open());
    }

    #[test]
    fn query_errors_are_not_connection_failures() {
        assert!(is_connection_failure(&sqlx::Error::PoolTimedOut));
        assert!(is_connection_failure(&sqlx::Error::Io(
            std::io::Error::from(std::io::ErrorKind::ConnectionRefused)
        )));
        assert!(!is_connection_failure(&sqlx::Error::RowNotFound));
        assert!(!is_connection_failure(&sqlx::Error::ColumnNotFound(
            "x".into()
        )));
    }
}
