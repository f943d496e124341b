//! Accepting and limiting connections: the one place that owns the listening socket. `axum::serve`
//! has none of these knobs, so this loop drives hyper's HTTP/1 server itself.
//!
//! - Header timeout: a client has `header_timeout` to send a whole request head, or the
//!   connection is closed. hyper (1.x, checked in 1.12: `proto/h1/conn.rs`, `poll_read_head` and
//!   `State::idle`) starts that timer whenever the connection waits for a head: at the start, and
//!   on a kept-alive connection again when a response has been written. Half a request line
//!   holds a socket for that long and no longer, and so does an idle kept-alive connection.
//! - Keep-alive idle timeout: hyper has no timer of its own for the wait between requests beyond
//!   the one above, so each connection counts its requests in flight and is shut down gracefully
//!   once it has been without one for `keepalive_idle` after a response. The effective idle
//!   limit is the shorter of this and the header timeout.
//! - Connection caps, for the process and for one client address (an IPv6 /64, as the rate
//!   limiter counts): over either, a new connection is answered `503` with `Retry-After` and
//!   closed at once, before anything of it is parsed.
//! - Header size: a request head larger than `max_header_bytes` gets `431` from hyper.
//!
//! Only HTTP/1 is served, as `axum::serve` did with axum's default features.
//!
//! On shutdown the loop stops accepting, asks every connection to finish the request in flight
//! and close, and waits for them up to [`SHUTDOWN_GRACE`]; whatever is still open then is closed.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tower::ServiceExt;

/// How long shutdown waits for open connections to finish before it closes them.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// What a connection over a cap gets before it is closed.
const REFUSAL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
Retry-After: 1\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Length: 29\r\n\
Connection: close\r\n\
\r\n\
Too many connections; retry.\n";

/// Limits on the connections the web service holds, so that slow or idle clients cannot use up
/// its sockets (see `http::conn`).
#[derive(Debug, Clone, clap::Args)]
pub struct ConnectionConfig {
    /// Seconds a client has to send a request's headers, counted from the connection's start or
    /// from the end of the previous response on a kept-alive connection; then it is closed.
    #[arg(
        long,
        env = "WEGWIJZER_HEADER_TIMEOUT_SECS",
        default_value_t = ConnectionConfig::DEFAULT.header_timeout_secs,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub header_timeout_secs: u64,
    /// Seconds a kept-alive connection may wait idle for its next request; 0 turns keep-alive
    /// off. The header timeout bounds this too: the longer of the two has no effect.
    #[arg(
        long,
        env = "WEGWIJZER_KEEPALIVE_IDLE_SECS",
        default_value_t = ConnectionConfig::DEFAULT.keepalive_idle_secs
    )]
    pub keepalive_idle_secs: u64,
    /// Connections the process holds at once; over it a new connection gets 503 and is closed.
    #[arg(
        long,
        env = "WEGWIJZER_MAX_CONNECTIONS",
        default_value_t = ConnectionConfig::DEFAULT.max_connections,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub max_connections: u32,
    /// Connections one client address (an IPv6 /64) holds at once; 0 = no such cap. Not applied
    /// behind trusted proxies, where every connection comes from a proxy.
    #[arg(
        long,
        env = "WEGWIJZER_MAX_CONNECTIONS_PER_ADDR",
        default_value_t = ConnectionConfig::DEFAULT.max_connections_per_addr
    )]
    pub max_connections_per_addr: u32,
    /// Largest request head (request line and headers) in bytes; larger gets 431.
    #[arg(
        long,
        env = "WEGWIJZER_MAX_HEADER_BYTES",
        default_value_t = ConnectionConfig::DEFAULT.max_header_bytes,
        value_parser = clap::value_parser!(u32).range(1024..=1024 * 1024)
    )]
    pub max_header_bytes: u32,
}

impl ConnectionConfig {
    /// The defaults, also what `Default` gives.
    pub const DEFAULT: ConnectionConfig = ConnectionConfig {
        header_timeout_secs: 10,
        keepalive_idle_secs: 5,
        max_connections: 1024,
        max_connections_per_addr: 64,
        max_header_bytes: 16 * 1024,
    };
}

impl Default for ConnectionConfig {
    fn default() -> ConnectionConfig {
        ConnectionConfig::DEFAULT
    }
}

/// The limits in force, from [`ConnectionConfig`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    pub header_timeout: Duration,
    /// `None`: keep-alive off, one request per connection.
    pub keepalive_idle: Option<Duration>,
    pub max_connections: usize,
    /// `None`: no cap per client address.
    pub max_per_addr: Option<usize>,
    pub max_header_bytes: usize,
}

impl Limits {
    /// Behind trusted proxies every connection comes from a proxy, so the per-address cap would
    /// cap the proxy: it is not applied there (the proxy limits its clients).
    pub fn new(config: &ConnectionConfig, trusted_proxies: usize) -> Limits {
        Limits {
            header_timeout: Duration::from_secs(config.header_timeout_secs.max(1)),
            keepalive_idle: (config.keepalive_idle_secs > 0)
                .then(|| Duration::from_secs(config.keepalive_idle_secs)),
            max_connections: config.max_connections.max(1) as usize,
            max_per_addr: (config.max_connections_per_addr > 0 && trusted_proxies == 0)
                .then_some(config.max_connections_per_addr as usize),
            max_header_bytes: config.max_header_bytes as usize,
        }
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::new(&ConnectionConfig::default(), 0)
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes, then drains the open
/// connections (see the module's documentation).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let gate = Arc::new(Gate::new(&limits));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_header_size(limits.max_header_bytes)
        .keep_alive(limits.keepalive_idle.is_some());
    let http = Arc::new(http);
    let (stop, stopped) = watch::channel(());
    let mut conns = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => continue,
        };
        while conns.try_join_next().is_some() {}
        match gate.admit(peer.ip()) {
            Ok(admission) => {
                conns.spawn(connection(
                    stream,
                    peer,
                    app.clone(),
                    http.clone(),
                    limits.keepalive_idle,
                    admission,
                    stopped.clone(),
                ));
            }
            Err(limit) => {
                crate::metrics::connection_refused(limit.as_str());
                tracing::debug!(limit = limit.as_str(), "connection refused: over the cap");
                refuse(stream);
            }
        }
    }
    drop(listener);
    let _ = stop.send(());
    if !conns.is_empty() {
        tracing::info!(open = conns.len(), "waiting for open connections to finish");
    }
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while conns.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open = conns.len(),
            "connections still open after {} s; closing them",
            SHUTDOWN_GRACE.as_secs()
        );
        conns.shutdown().await;
    }
}

/// Errors from `accept` about one connection are that connection's; others (out of file
/// descriptors) would repeat at once, so the loop waits a little.
async fn accept_failed(e: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accepting a connection failed; trying again in a second");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Tells the client why and closes, without waiting on it: what it already sent is read away
/// first, so the close is a FIN after the 503 rather than a reset that could discard it.
fn refuse(stream: TcpStream) {
    let mut sink = [0u8; 4096];
    for _ in 0..4 {
        match stream.try_read(&mut sink) {
            Ok(n) if n > 0 => {}
            _ => break,
        }
    }
    let _ = stream.try_write(REFUSAL);
}

/// One connection: HTTP/1 with the limits, the client's address for the handlers, and graceful
/// shutdown when the server stops or the connection has idled too long.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    http: Arc<http1::Builder>,
    keepalive_idle: Option<Duration>,
    _admission: Admission,
    mut stopped: watch::Receiver<()>,
) {
    let activity = Arc::new(Activity::new());
    let for_service = activity.clone();
    let service = service_fn(move |mut req: hyper::Request<Incoming>| {
        // Handlers and the rate limiter read the peer from here, as with axum's connect info.
        req.extensions_mut().insert(ConnectInfo(peer));
        let in_flight = InFlight::start(&for_service);
        let app = app.clone();
        async move {
            let _in_flight = in_flight;
            app.oneshot(req).await
        }
    });
    let conn = http.serve_connection(TokioIo::new(stream), service);
    let mut conn = std::pin::pin!(conn);
    let mut closing = false;
    // Unused without keep-alive: that branch is off.
    let idle = keepalive_idle.unwrap_or(Duration::from_secs(60));
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    if e.is_timeout() {
                        crate::metrics::connection_timed_out("header");
                    }
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return;
            }
            _ = stopped.changed(), if !closing => {
                closing = true;
                conn.as_mut().graceful_shutdown();
            }
            () = idle_for(&activity, idle), if !closing && keepalive_idle.is_some() => {
                crate::metrics::connection_timed_out("idle");
                closing = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// The requests of one connection, shared by its service and its idle timer. Atomics, so that a
/// request costs no wake-up of the connection's task: the timer looks when it is due.
struct Activity {
    epoch: Instant,
    in_flight: AtomicUsize,
    /// When the last request finished, in milliseconds after `epoch`; 0 while none has.
    last_done_ms: AtomicU64,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            epoch: Instant::now(),
            in_flight: AtomicUsize::new(0),
            last_done_ms: AtomicU64::new(0),
        }
    }
}

/// One request in flight, from its head to its response (its body may still be on the way).
struct InFlight(Arc<Activity>);

impl InFlight {
    fn start(activity: &Arc<Activity>) -> InFlight {
        activity.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(activity.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let done = self.0.epoch.elapsed().as_millis().max(1);
        self.0
            .last_done_ms
            .store(u64::try_from(done).unwrap_or(u64::MAX), Ordering::Release);
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Completes once the connection has served a request and then been without one for `idle`.
/// Before its first request the header timeout alone bounds the wait. A request that starts just
/// as this completes is still answered: graceful shutdown only ends the connection after it.
async fn idle_for(activity: &Activity, idle: Duration) {
    let mut due = Instant::now() + idle;
    loop {
        tokio::time::sleep_until(due).await;
        let done = activity.last_done_ms.load(Ordering::Acquire);
        if done == 0 || activity.in_flight.load(Ordering::Acquire) > 0 {
            due = Instant::now() + idle;
            continue;
        }
        due = activity.epoch + Duration::from_millis(done) + idle;
        if due <= Instant::now() {
            return;
        }
    }
}

/// Which cap refused a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cap {
    Process,
    Address,
}

impl Cap {
    fn as_str(self) -> &'static str {
        match self {
            Cap::Process => "process",
            Cap::Address => "address",
        }
    }
}

/// The caps: permits for the process, counts per client address.
struct Gate {
    process: Arc<Semaphore>,
    max_per_addr: Option<usize>,
    per_addr: Mutex<HashMap<IpAddr, usize>>,
}

impl Gate {
    fn new(limits: &Limits) -> Gate {
        Gate {
            process: Arc::new(Semaphore::new(limits.max_connections)),
            max_per_addr: limits.max_per_addr,
            per_addr: Mutex::new(HashMap::new()),
        }
    }

    fn admit(self: &Arc<Gate>, ip: IpAddr) -> Result<Admission, Cap> {
        let permit = self
            .process
            .clone()
            .try_acquire_owned()
            .map_err(|_| Cap::Process)?;
        let key = super::rate_limit::key(ip);
        if let Some(cap) = self.max_per_addr {
            let mut counts = self.per_addr.lock().unwrap_or_else(PoisonError::into_inner);
            let n = counts.entry(key).or_insert(0);
            if *n >= cap {
                return Err(Cap::Address);
            }
            *n += 1;
        }
        crate::metrics::connections_open(1.0);
        Ok(Admission {
            gate: self.clone(),
            key,
            _permit: permit,
        })
    }

    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.per_addr.lock().unwrap().len()
    }
}

/// A connection's place under both caps, given back when it closes.
struct Admission {
    gate: Arc<Gate>,
    key: IpAddr,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Admission {
    fn drop(&mut self) {
        crate::metrics::connections_open(-1.0);
        if self.gate.max_per_addr.is_none() {
            return;
        }
        let mut counts = self
            .gate
            .per_addr
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Entry::Occupied(mut e) = counts.entry(self.key) {
            *e.get_mut() -= 1;
            if *e.get() == 0 {
                e.remove();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max: usize, per_addr: Option<usize>) -> Limits {
        Limits {
            max_connections: max,
            max_per_addr: per_addr,
            ..Limits::default()
        }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_refusal_is_a_whole_503_with_retry_after() {
        let text = std::str::from_utf8(REFUSAL).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 503 "));
        assert!(head.contains("\r\nRetry-After: 1"));
        assert!(head.contains(&format!("\r\nContent-Length: {}", body.len())));
    }

    #[test]
    fn each_address_has_its_cap_and_gets_its_places_back() {
        let gate = Arc::new(Gate::new(&limits(100, Some(2))));
        let a1 = gate.admit(ip("192.0.2.1")).unwrap();
        let _a2 = gate.admit(ip("192.0.2.1")).unwrap();
        assert_eq!(gate.admit(ip("192.0.2.1")).err(), Some(Cap::Address));
        let _b = gate
            .admit(ip("192.0.2.2"))
            .expect("another address has its own cap");
        drop(a1);
        let _a3 = gate
            .admit(ip("192.0.2.1"))
            .expect("a closed connection frees its place");
        assert_eq!(gate.tracked(), 2);
    }

    #[test]
    fn an_ipv6_slash_64_counts_as_one_address() {
        let gate = Arc::new(Gate::new(&limits(100, Some(1))));
        let _a = gate.admit(ip("2001:db8::1")).unwrap();
        assert_eq!(gate.admit(ip("2001:db8::2")).err(), Some(Cap::Address));
        assert!(gate.admit(ip("2001:db8:0:1::1")).is_ok());
    }

    #[test]
    fn the_process_cap_holds_whatever_the_addresses() {
        let gate = Arc::new(Gate::new(&limits(2, None)));
        let a = gate.admit(ip("192.0.2.1")).unwrap();
        let _b = gate.admit(ip("192.0.2.2")).unwrap();
        assert_eq!(gate.admit(ip("192.0.2.3")).err(), Some(Cap::Process));
        drop(a);
        assert!(gate.admit(ip("192.0.2.3")).is_ok());
        assert_eq!(gate.tracked(), 0, "no per-address counts without that cap");
    }

    #[test]
    fn refused_places_are_not_counted() {
        let gate = Arc::new(Gate::new(&limits(1, Some(5))));
        let _a = gate.admit(ip("192.0.2.1")).unwrap();
        assert_eq!(gate.admit(ip("192.0.2.9")).err(), Some(Cap::Process));
        assert_eq!(
            gate.tracked(),
            1,
            "the refused address left no count behind"
        );
    }

    #[test]
    fn limits_come_from_the_config() {
        let c = ConnectionConfig::default();
        let l = Limits::new(&c, 0);
        assert_eq!(l.header_timeout, Duration::from_secs(10));
        assert_eq!(l.keepalive_idle, Some(Duration::from_secs(5)));
        assert_eq!((l.max_connections, l.max_per_addr), (1024, Some(64)));
        assert_eq!(l.max_header_bytes, 16 * 1024);
        assert_eq!(Limits::new(&c, 1).max_per_addr, None, "not behind proxies");
        let off = ConnectionConfig {
            keepalive_idle_secs: 0,
            max_connections_per_addr: 0,
            ..c
        };
        let l = Limits::new(&off, 0);
        assert_eq!((l.keepalive_idle, l.max_per_addr), (None, None));
    }
}
