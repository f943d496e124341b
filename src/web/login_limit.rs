//! Failed logins, counted so that guessing is slow without locking the owner out. Failures count
//! per (account name, client address): after [`FREE_FAILURES`] the pair must wait 2, 4, 8 … s
//! (at most [`MAX_DELAY`]) after each further failure. A correct password from another address is
//! not affected, so an attacker hammering a name cannot lock its owner out, as the old limit of
//! five failures per name from anywhere did. Failures also count per address across all names:
//! past [`ADDRESS_MAX`] in [`WINDOW`] the address waits, which stops spraying many names with a
//! few guesses each.
//!
//! The counts live in memory, per process. The store has no place for them, and writing one row
//! per failed attempt would let anyone on the internet make the database write at will, the very
//! load this limit is there to cap. The cost: an attacker spread over N instances gets up to N
//! times the attempts, which argon2's cost and the growing delays still keep small; a restart
//! forgets the counts (every failure stays in the audit trail).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Failures of one (name, address) pair before any delay.
pub const FREE_FAILURES: u32 = 3;
/// The longest a pair waits between attempts however often it failed.
pub const MAX_DELAY: Duration = Duration::from_secs(300);
/// Failed logins one address may make across all names within [`WINDOW`].
pub const ADDRESS_MAX: usize = 20;
/// How long a failure is remembered: a pair quiet this long since its last failure starts over.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Above this many remembered pairs or addresses, forgotten ones are swept at the next failure, so
/// a flood of made-up names cannot grow the maps without bound.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct PairFailures {
    count: u32,
    last: Instant,
}

impl PairFailures {
    /// How long after the last failure the next attempt is allowed.
    fn delay(&self) -> Duration {
        match self.count.checked_sub(FREE_FAILURES - 1) {
            None | Some(0) => Duration::ZERO,
            // The 3rd failure makes the next attempt wait 2 s, the 4th 4 s, …
            Some(k) => Duration::from_secs(1u64 << k.min(20)).min(MAX_DELAY),
        }
    }
}

#[derive(Default)]
struct Counts {
    pairs: HashMap<(String, IpAddr), PairFailures>,
    /// The times of an address's most recent failures, oldest first, at most [`ADDRESS_MAX`].
    addresses: HashMap<IpAddr, VecDeque<Instant>>,
}

impl Counts {
    fn sweep(&mut self, now: Instant) {
        self.pairs
            .retain(|_, f| now.saturating_duration_since(f.last) < WINDOW);
        self.addresses.retain(|_, times| {
            times.retain(|t| now.saturating_duration_since(*t) < WINDOW);
            !times.is_empty()
        });
    }
}

/// The failed-login counts of this process; cheap to clone (one shared map).
#[derive(Clone, Default)]
pub struct LoginLimiter {
    counts: Arc<Mutex<Counts>>,
}

/// The key of an account name: names are looked up as typed, but `Olga` and `olga` must not be
/// two budgets.
fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

impl LoginLimiter {
    /// Lets an attempt at `name` from `addr` go ahead and counts it as failed until
    /// [`succeed`](Self::succeed) says otherwise; or refuses it (uncounted) with how long to wait.
    /// Counting before the password is checked makes check and count one step: attempts sent in
    /// parallel cannot all pass while the first are still being verified.
    pub fn attempt(&self, name: &str, addr: IpAddr, now: Instant) -> Result<(), Duration> {
        let addr = crate::http::rate_limit::key(addr);
        let key = (name_key(name), addr);
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = Duration::ZERO;
        if let Some(times) = counts.addresses.get_mut(&addr) {
            times.retain(|t| now.saturating_duration_since(*t) < WINDOW);
            if times.len() >= ADDRESS_MAX
                && let Some(oldest) = times.front()
            {
                // One more attempt once the oldest failure leaves the window.
                wait = wait.max(WINDOW.saturating_sub(now.saturating_duration_since(*oldest)));
            }
        }
        if let Some(f) = counts.pairs.get(&key)
            && now.saturating_duration_since(f.last) < WINDOW
        {
            wait = wait.max(
                f.delay()
                    .saturating_sub(now.saturating_duration_since(f.last)),
            );
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        if counts.pairs.len() > SWEEP_ABOVE || counts.addresses.len() > SWEEP_ABOVE {
            counts.sweep(now);
        }
        let pair = counts.pairs.entry(key).or_insert(PairFailures {
            count: 0,
            last: now,
        });
        if now.saturating_duration_since(pair.last) >= WINDOW {
            pair.count = 0;
        }
        pair.count = pair.count.saturating_add(1);
        pair.last = now;
        let times = counts.addresses.entry(addr).or_default();
        times.push_back(now);
        while times.len() > ADDRESS_MAX {
            times.pop_front();
        }
        Ok(())
    }

    /// The attempt had the right password: its pair starts over, and it no longer counts against
    /// the address. The address's earlier failures stay, or an attacker with one account of
    /// their own could wipe them between guesses at others.
    pub fn succeed(&self, name: &str, addr: IpAddr) {
        let addr = crate::http::rate_limit::key(addr);
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts.pairs.remove(&(name_key(name), addr));
        if let Some(times) = counts.addresses.get_mut(&addr) {
            times.pop_back();
        }
    }
}

/// Whole seconds for `Retry-After`, rounded up so a client that waits that long is let in.
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    const ATTACKER: &str = "203.0.113.9";
    const OWNER: &str = "198.51.100.7";

    #[test]
    fn three_failures_are_free_then_the_wait_doubles_up_to_the_cap() {
        let l = LoginLimiter::default();
        let mut now = Instant::now();
        for _ in 0..FREE_FAILURES {
            assert_eq!(l.attempt("olga", ip(ATTACKER), now), Ok(()));
        }
        let mut expected = 2;
        for _ in 0..12 {
            let wait = l.attempt("olga", ip(ATTACKER), now).unwrap_err();
            assert_eq!(wait, Duration::from_secs(expected).min(MAX_DELAY));
            // Halfway through the wait: still waiting, for the rest of it. Refusals do not count.
            let half = now + wait / 2;
            assert_eq!(l.attempt("olga", ip(ATTACKER), half), Err(wait - wait / 2));
            now += wait;
            assert_eq!(l.attempt("olga", ip(ATTACKER), now), Ok(()));
            expected *= 2;
        }
        assert_eq!(l.attempt("olga", ip(ATTACKER), now), Err(MAX_DELAY));
    }

    #[test]
    fn the_owner_from_another_address_is_never_slowed_by_an_attacker() {
        let l = LoginLimiter::default();
        let now = Instant::now();
        for _ in 0..FREE_FAILURES {
            l.attempt("olga", ip(ATTACKER), now).unwrap();
        }
        assert!(l.attempt("olga", ip(ATTACKER), now).is_err());
        assert_eq!(l.attempt("olga", ip(OWNER), now), Ok(()));
        l.succeed("olga", ip(OWNER));
        // Names are one budget whatever their case.
        assert!(l.attempt("OLGA", ip(ATTACKER), now).is_err());
    }

    #[test]
    fn spraying_names_from_one_address_hits_the_address_cap() {
        let l = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..ADDRESS_MAX {
            let name = format!("user{i}");
            assert_eq!(l.attempt(&name, ip(ATTACKER), t0), Ok(()), "{name}");
        }
        // Any name, even a fresh one: the address waits out the window.
        assert_eq!(l.attempt("someone-new", ip(ATTACKER), t0), Err(WINDOW));
        let later = t0 + Duration::from_secs(60);
        assert_eq!(
            l.attempt("someone-new", ip(ATTACKER), later),
            Err(WINDOW - Duration::from_secs(60))
        );
        assert_eq!(l.attempt("someone-new", ip(ATTACKER), t0 + WINDOW), Ok(()));
        assert_eq!(l.attempt("someone-new", ip(OWNER), t0), Ok(()));
    }

    #[test]
    fn successes_do_not_count_and_clear_their_pair() {
        let l = LoginLimiter::default();
        let now = Instant::now();
        for _ in 0..FREE_FAILURES {
            l.attempt("olga", ip(OWNER), now).unwrap();
        }
        assert!(l.attempt("olga", ip(OWNER), now).is_err());
        l.succeed("olga", ip(OWNER));
        assert_eq!(l.attempt("olga", ip(OWNER), now), Ok(()));
        l.succeed("olga", ip(OWNER));
        // Many good logins from one address never reach the address cap.
        for _ in 0..ADDRESS_MAX * 2 {
            assert_eq!(l.attempt("anne", ip(OWNER), now), Ok(()));
            l.succeed("anne", ip(OWNER));
        }
    }

    #[test]
    fn a_pair_quiet_for_the_window_starts_over() {
        let l = LoginLimiter::default();
        let now = Instant::now();
        for _ in 0..5 {
            let _ = l.attempt("anne", ip(OWNER), now);
        }
        assert!(l.attempt("anne", ip(OWNER), now).is_err());
        let later = now + WINDOW;
        assert_eq!(l.attempt("anne", ip(OWNER), later), Ok(()));
        assert_eq!(
            l.attempt("anne", ip(OWNER), later),
            Ok(()),
            "the count started over"
        );
    }

    #[test]
    fn parallel_attempts_cannot_all_pass_before_the_first_fail() {
        let l = LoginLimiter::default();
        let now = Instant::now();
        // None of these has finished (no succeed): only the free ones go ahead.
        let passed = (0..50)
            .filter(|_| l.attempt("olga", ip(ATTACKER), now).is_ok())
            .count();
        assert_eq!(passed, FREE_FAILURES as usize);
    }

    #[test]
    fn an_ipv6_slash_64_is_one_address() {
        let l = LoginLimiter::default();
        let now = Instant::now();
        for i in 0..FREE_FAILURES {
            l.attempt("olga", ip(&format!("2001:db8::{i}")), now)
                .unwrap();
        }
        assert!(l.attempt("olga", ip("2001:db8::ffff"), now).is_err());
        assert_eq!(l.attempt("olga", ip("2001:db8:0:1::1"), now), Ok(()));
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(2001)), 3);
        assert_eq!(retry_after_secs(Duration::from_secs(2)), 2);
    }
}
