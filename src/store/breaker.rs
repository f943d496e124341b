//! A circuit breaker in front of the database. When PostgreSQL goes away, sqlx keeps retrying a
//! refused connection until the pool's acquire timeout (seconds), so without a breaker every
//! request that touches the database would hang that long: answers would stall and the load would
//! pile up. After a connection-level failure the breaker opens: calls fail at once with
//! [`StoreError::Unavailable`](super::StoreError::Unavailable) (gaps go to the spool, counts are
//! skipped) until, after [`OPEN_FOR`], one call is let through as a probe. Its success closes the
//! breaker, its failure opens it again. Errors of a query itself (a constraint, a busy SQLite) do
//! not count: only the connection's.

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

    /// Reports how a call went: a connection failure opens the breaker, a success (of the probe
    /// or of a call that was already under way) closes it.
    pub fn record(&self, connection_failed: bool) {
        if connection_failed {
            self.opened_at_ms.store(self.now_ms(), Ordering::Release);
            if self.state.swap(OPEN, Ordering::AcqRel) == CLOSED {
                tracing::warn!(
                    "database unreachable: failing fast for {:?} before trying again",
                    self.open_for
                );
            }
        } else if self.state.load(Ordering::Acquire) != CLOSED
            && self.state.swap(CLOSED, Ordering::AcqRel) != CLOSED
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
        self.breaker.record(connection_failed);
    }
}

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        if self.probe && !self.reported {
            self.breaker.record(true);
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
        assert_eq!(b.permit(), Permit::Go);
        b.record(true);
        assert!(b.is_open());
        assert_eq!(b.permit(), Permit::Refused);
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(b.permit(), Permit::Probe);
        assert_eq!(b.permit(), Permit::Refused, "only one probe at a time");
        b.record(true);
        assert_eq!(b.permit(), Permit::Refused, "a failed probe opens it again");
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(b.permit(), Permit::Probe);
        b.record(false);
        assert!(!b.is_open());
        assert_eq!(b.permit(), Permit::Go);
    }

    #[test]
    fn a_probe_dropped_without_a_report_opens_the_breaker_again() {
        let b = Breaker::new(Duration::from_millis(10));
        b.record(true);
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
