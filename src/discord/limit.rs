//! Per-user rate limit for questions: a small burst, then one question per interval (GCRA). Plain
//! data and an explicit clock so tests need neither Discord nor sleeping.

use std::collections::HashMap;
use std::time::{Duration, Instant};

pub struct RateLimit {
    burst: u32,
    interval: Duration,
    /// Per user: the theoretical arrival time of their next question.
    tat: HashMap<u64, Instant>,
}

/// How many users are remembered before stale entries are dropped.
const PRUNE_AT: usize = 10_000;

impl RateLimit {
    /// `burst` questions at once, then one more every `interval`.
    pub fn new(burst: u32, interval: Duration) -> RateLimit {
        RateLimit {
            burst: burst.max(1),
            interval,
            tat: HashMap::new(),
        }
    }

    /// Counts a question by `user` at `now`; `Err(wait)` says how long until the next one is allowed.
    pub fn check(&mut self, user: u64, now: Instant) -> Result<(), Duration> {
        if self.tat.len() >= PRUNE_AT {
            self.tat.retain(|_, t| *t > now);
        }
        let tat = self.tat.get(&user).copied().unwrap_or(now).max(now);
        let allowance = self.interval * self.burst;
        let next = tat + self.interval;
        if next.duration_since(now) > allowance {
            return Err(next.duration_since(now) - allowance);
        }
        self.tat.insert(user, next);
        Ok(())
    }
}

impl Default for RateLimit {
    /// Five questions at once, then one every twelve seconds: a person typing is never slowed,
    /// a script is.
    fn default() -> Self {
        RateLimit::new(5, Duration::from_secs(12))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_one_per_interval_per_user() {
        let mut l = RateLimit::new(3, Duration::from_secs(10));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.check(1, t0).is_ok());
        }
        let wait = l.check(1, t0).unwrap_err();
        assert_eq!(wait, Duration::from_secs(10));
        // Someone else is not affected.
        assert!(l.check(2, t0).is_ok());
        // A refused question does not use up allowance.
        assert!(l.check(1, t0 + Duration::from_secs(9)).is_err());
        assert!(l.check(1, t0 + Duration::from_secs(10)).is_ok());
        assert!(l.check(1, t0 + Duration::from_secs(10)).is_err());
        // After a quiet while the full burst is back.
        let later = t0 + Duration::from_secs(120);
        for _ in 0..3 {
            assert!(l.check(1, later).is_ok());
        }
        assert!(l.check(1, later).is_err());
    }

    #[test]
    fn stale_users_are_pruned() {
        let mut l = RateLimit::new(1, Duration::from_secs(1));
        let t0 = Instant::now();
        for u in 0..PRUNE_AT as u64 {
            l.check(u, t0).unwrap();
        }
        l.check(u64::MAX, t0 + Duration::from_secs(5)).unwrap();
        assert_eq!(l.tat.len(), 1);
    }
}
