//! Rate limiting per client: a keyed GCRA limiter (governor) on the endpoints that make the service
//! work or write, so one client cannot starve the others or flood the demand log. Over the limit a
//! request gets 429 with `Retry-After` and the API's JSON error body.
//!
//! Put it on a route with
//! `.route_layer(axum::middleware::from_fn_with_state(state, rate_limit::limit))`; every route so
//! wrapped draws on the same budget per client.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use super::client_addr::ClientAddr;
use super::{ApiError, AppState};

/// How often keys whose budget has refilled are forgotten, and how many keys may pile up between
/// two sweeps before one is forced: memory stays bounded whatever the traffic.
const SWEEP_EVERY: Duration = Duration::from_secs(60);
const SWEEP_ABOVE_KEYS: usize = 100_000;

/// A budget of requests per minute per client, or none.
pub struct RateLimiter {
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
    last_sweep: Mutex<Instant>,
}

impl RateLimiter {
    /// `per_minute` requests a minute with a burst of as many; 0 turns limiting off.
    pub fn per_minute(per_minute: u32) -> RateLimiter {
        RateLimiter {
            limiter: NonZeroU32::new(per_minute)
                .map(|n| DefaultKeyedRateLimiter::keyed(Quota::per_minute(n))),
            last_sweep: Mutex::new(Instant::now()),
        }
    }

    /// Takes one request from `client`'s budget, or says how long until one is available.
    pub fn check(&self, client: ClientAddr) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        self.sweep_if_due(limiter);
        limiter
            .check_key(&key(client.ip()))
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Number of clients currently remembered.
    pub fn tracked(&self) -> usize {
        self.limiter.as_ref().map_or(0, |l| l.len())
    }

    fn sweep_if_due(&self, limiter: &DefaultKeyedRateLimiter<IpAddr>) {
        let Ok(mut last) = self.last_sweep.try_lock() else {
            return; // another request is sweeping or checking
        };
        if last.elapsed() >= SWEEP_EVERY || limiter.len() > SWEEP_ABOVE_KEYS {
            limiter.retain_recent();
            limiter.shrink_to_fit();
            *last = Instant::now();
        }
    }
}

/// IPv6 clients usually own a whole /64: limiting single addresses in it would limit nothing.
/// The login limiter counts per address the same way.
pub(crate) fn key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
    }
}

/// Resolves the client address (kept in the request's extensions for the handler) and spends one
/// of its budget; `Err` holds the seconds to wait when it is spent. Each channel answers the refusal
/// in its own way: the API with JSON ([`limit`]), the web pages with a page.
pub fn admit(app: &AppState, parts: &mut axum::http::request::Parts) -> Result<(), u64> {
    let client = ClientAddr::from_parts(parts, app.trusted_proxies);
    parts.extensions.insert(client);
    app.rate_limiter.check(client).map_err(|wait| {
        crate::metrics::rate_limited();
        wait.as_secs_f64().ceil().max(1.0) as u64
    })
}

/// Middleware for the API: refuses with the JSON 429 (with `Retry-After`) when the budget is spent.
pub async fn limit(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    if let Err(retry_after_secs) = admit(&app, &mut parts) {
        return ApiError::RateLimited { retry_after_secs }.into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(s: &str) -> ClientAddr {
        ClientAddr(s.parse().unwrap())
    }

    #[test]
    fn a_burst_of_the_budget_passes_and_the_next_waits() {
        let l = RateLimiter::per_minute(30);
        for _ in 0..30 {
            assert!(l.check(client("192.0.2.1")).is_ok());
        }
        let wait = l.check(client("192.0.2.1")).unwrap_err();
        // One request comes back every 2 s.
        assert!(
            wait <= Duration::from_secs(2) && wait > Duration::ZERO,
            "{wait:?}"
        );
        assert!(l.check(client("192.0.2.2")).is_ok());
    }

    #[test]
    fn zero_is_off() {
        let l = RateLimiter::per_minute(0);
        for _ in 0..1000 {
            assert!(l.check(client("192.0.2.1")).is_ok());
        }
        assert_eq!(l.tracked(), 0);
    }

    #[test]
    fn an_ipv6_slash_64_shares_one_budget() {
        let l = RateLimiter::per_minute(2);
        assert!(l.check(client("2001:db8::1")).is_ok());
        assert!(l.check(client("2001:db8::2")).is_ok());
        assert!(l.check(client("2001:db8::ffff:3")).is_err());
        assert!(l.check(client("2001:db8:0:1::1")).is_ok());
    }
}
