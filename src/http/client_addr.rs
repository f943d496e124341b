//! Who is asking: the client address a request came from, taken from the connection unless the
//! operator said how many reverse proxies stand in front of us. A client can write anything into
//! `X-Forwarded-For`; only the entries our own proxies appended are believed.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName};

use super::AppState;

static X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// The client address of a request, as far as this deployment can vouch for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// `peer` is the connection's address. With `trusted_proxies` = N > 0, each of our N proxies
    /// appended the address it saw to `X-Forwarded-For`, so the client is the Nth entry from the
    /// right; entries left of it were written by the client and are ignored. When the header has
    /// fewer entries than that, the leftmost is the furthest a trusted proxy saw; when it has
    /// none, or a trusted entry does not parse, the connection's address is used.
    pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted_proxies: usize) -> ClientAddr {
        if trusted_proxies == 0 {
            return ClientAddr(peer);
        }
        // Several headers count as one comma-separated list, in order (RFC 9110 §5.3).
        let entries: Vec<&str> = headers
            .get_all(&X_FORWARDED_FOR)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect();
        let Some(entry) = entries
            .len()
            .checked_sub(trusted_proxies)
            .map_or(entries.first(), |i| entries.get(i))
        else {
            return ClientAddr(peer);
        };
        ClientAddr(parse_entry(entry).unwrap_or(peer))
    }

    pub fn ip(self) -> IpAddr {
        self.0
    }
}

/// `1.2.3.4`, `1.2.3.4:5678`, `::1` or `[::1]:80`.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// Handlers take the address the rate limiter already resolved, or resolve it themselves on routes
/// without the limiter.
impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(addr) = parts.extensions.get::<ClientAddr>() {
            return Ok(*addr);
        }
        Ok(ClientAddr::from_parts(parts, state.trusted_proxies))
    }
}

impl ClientAddr {
    pub(crate) fn from_parts(parts: &Parts, trusted_proxies: usize) -> ClientAddr {
        // Without connection info (a router driven in-process) there is no peer to name.
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        ClientAddr::resolve(peer, &parts.headers, trusted_proxies)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xff(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(&X_FORWARDED_FOR, v.parse().unwrap());
        }
        h
    }

    const PEER: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let h = xff(&["203.0.113.9"]);
        assert_eq!(ClientAddr::resolve(PEER, &h, 0).ip(), PEER);
    }

    #[test]
    fn the_nth_entry_from_the_right_is_the_client() {
        // The client forged 6.6.6.6; our one proxy appended what it saw.
        let h = xff(&["6.6.6.6, 203.0.113.9"]);
        assert_eq!(ClientAddr::resolve(PEER, &h, 1).ip(), ip("203.0.113.9"));
        let h = xff(&["6.6.6.6", "203.0.113.9, 192.0.2.1"]);
        assert_eq!(ClientAddr::resolve(PEER, &h, 2).ip(), ip("203.0.113.9"));
        assert_eq!(ClientAddr::resolve(PEER, &h, 1).ip(), ip("192.0.2.1"));
    }

    #[test]
    fn short_missing_or_broken_headers_fall_back_safely() {
        assert_eq!(ClientAddr::resolve(PEER, &HeaderMap::new(), 1).ip(), PEER);
        let h = xff(&["203.0.113.9"]);
        assert_eq!(ClientAddr::resolve(PEER, &h, 3).ip(), ip("203.0.113.9"));
        let h = xff(&["1.2.3.4, not-an-address"]);
        assert_eq!(ClientAddr::resolve(PEER, &h, 1).ip(), PEER);
    }

    #[test]
    fn ports_and_ipv6_are_understood() {
        let h = xff(&["[2001:db8::1]:443"]);
        assert_eq!(ClientAddr::resolve(PEER, &h, 1).ip(), ip("2001:db8::1"));
        let h = xff(&["198.51.100.7:5000"]);
        assert_eq!(ClientAddr::resolve(PEER, &h, 1).ip(), ip("198.51.100.7"));
    }
}
