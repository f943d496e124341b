//! Connection limits against the real server (issue 19): a client that never finishes its request
//! head is cut off after the header timeout, an idle kept-alive connection after the idle timeout,
//! connections over a cap get 503 and are closed while the others are served, a head over the
//! size limit gets 431, and shutdown is not held up by slow clients.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::{Backend, Options, TestApp, TestDb, knowledge_dir, spawn_app_opts};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use wegwijzer::config::{Config, ConnectionConfig};

async fn spawn(connections: ConnectionConfig) -> TestApp {
    spawn_app_opts(
        Backend::Sqlite,
        Options {
            connections,
            ..Options::default()
        },
    )
    .await
}

fn addr(app: &TestApp) -> SocketAddr {
    app.base.trim_start_matches("http://").parse().unwrap()
}

/// A connection from `source`, any 127.0.0.0/8 address on Linux.
async fn connect_from(source: &str, to: SocketAddr) -> TcpStream {
    let s = TcpSocket::new_v4().unwrap();
    s.bind(format!("{source}:0").parse().unwrap()).unwrap();
    s.connect(to).await.unwrap()
}

/// Everything the server sends until it closes the connection (a reset counts as closed), or
/// `None` when it is still open after `within`.
async fn read_to_close(s: &mut TcpStream, within: Duration) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let closed = tokio::time::timeout(within, async {
        let mut buf = [0u8; 4096];
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    closed.is_ok().then_some(out)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `/healthz` on a new connection (a new client, nothing kept alive from before); 0 when the
/// connection failed, as a refused one may when the close overtakes the request.
async fn healthz_status(app: &TestApp) -> u16 {
    match reqwest::Client::new().get(app.url("/healthz")).send().await {
        Ok(r) => r.status().as_u16(),
        Err(_) => 0,
    }
}

async fn metric(app: &TestApp, series: &str) -> f64 {
    let body = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    body.lines()
        .find_map(|l| l.strip_prefix(series))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{series} not in /metrics"))
}

#[tokio::test]
async fn half_a_request_line_is_cut_off_after_the_header_timeout() {
    let app = spawn(ConnectionConfig {
        header_timeout_secs: 1,
        ..ConnectionConfig::default()
    })
    .await;
    let started = Instant::now();
    let mut silent = TcpStream::connect(addr(&app)).await.unwrap();
    silent.write_all(b"GET /heal").await.unwrap();
    // Bytes that keep coming do not reset the timer: the head must be whole in time.
    let mut trickle = TcpStream::connect(addr(&app)).await.unwrap();
    let trickling = tokio::spawn(async move {
        for b in b"POST /api/ask HTTP/1.1\r\nHost: x\r\nX-Slow: "
            .iter()
            .cycle()
        {
            if trickle.write_all(&[*b]).await.is_err() {
                return (trickle, true);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            if started.elapsed() > Duration::from_secs(4) {
                return (trickle, false);
            }
        }
        unreachable!()
    });

    let got = read_to_close(&mut silent, Duration::from_secs(3))
        .await
        .expect("half a request line is closed within 3 s");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900),
        "closed early: {waited:?}"
    );
    assert!(!text(&got).contains(" 200 "), "{}", text(&got));

    let (mut trickle, cut) = trickling.await.unwrap();
    let closed = cut
        || read_to_close(&mut trickle, Duration::from_secs(1))
            .await
            .is_some();
    assert!(closed, "a trickling head is cut off too");

    assert_eq!(healthz_status(&app).await, 200, "the server still answers");
    assert!(
        metric(
            &app,
            "wegwijzer_connections_timed_out_total{phase=\"header\"}"
        )
        .await
            >= 2.0
    );
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_after_the_idle_timeout() {
    let app = spawn(ConnectionConfig {
        keepalive_idle_secs: 1,
        ..ConnectionConfig::default()
    })
    .await;
    let mut s = TcpStream::connect(addr(&app)).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let got = read_to_close(&mut s, Duration::from_secs(4))
        .await
        .expect("closed within 4 s of its answer, long before the 10 s header timeout");
    let got = text(&got);
    assert!(got.starts_with("HTTP/1.1 200 "), "{got}");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "kept alive for the idle timeout first: {:?}",
        started.elapsed()
    );
    assert!(
        metric(
            &app,
            "wegwijzer_connections_timed_out_total{phase=\"idle\"}"
        )
        .await
            >= 1.0
    );
}

/// One response read off a kept-alive connection: its head and `Content-Length` bytes of body.
async fn read_response(s: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(3), s.read(&mut buf))
            .await
            .expect("a response within 3 s")
            .unwrap();
        assert!(n > 0, "closed before a whole response: {}", text(&got));
        got.extend_from_slice(&buf[..n]);
        let t = text(&got);
        if let Some((head, body)) = t.split_once("\r\n\r\n") {
            let len: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().to_owned())
                })
                .and_then(|v| v.parse().ok())
                .expect("a Content-Length");
            if body.len() >= len {
                return t;
            }
        }
    }
}

#[tokio::test]
async fn a_connection_in_use_is_not_closed_as_idle() {
    let app = spawn(ConnectionConfig {
        keepalive_idle_secs: 1,
        ..ConnectionConfig::default()
    })
    .await;
    let mut s = TcpStream::connect(addr(&app)).await.unwrap();
    // Five requests 600 ms apart: 3 s on one connection, never 1 s without a request.
    for i in 0..5 {
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let got = read_response(&mut s).await;
        assert!(got.starts_with("HTTP/1.1 200 "), "request {i}: {got}");
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
}

#[tokio::test]
async fn over_the_per_address_cap_a_connection_gets_503_and_the_others_are_served() {
    let app = spawn(ConnectionConfig {
        max_connections_per_addr: 3,
        ..ConnectionConfig::default()
    })
    .await;
    let to = addr(&app);
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect_from("127.0.0.7", to).await);
    }
    let mut fourth = connect_from("127.0.0.7", to).await;
    let got = read_to_close(&mut fourth, Duration::from_secs(2))
        .await
        .expect("the fourth connection is closed at once");
    let got = text(&got);
    assert!(got.starts_with("HTTP/1.1 503 "), "{got}");
    assert!(got.contains("\r\nRetry-After: 1\r\n"), "{got}");

    // Another address is not affected, nor are the held connections.
    assert_eq!(healthz_status(&app).await, 200);
    let mut first = held.remove(0);
    first
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let got = read_to_close(&mut first, Duration::from_secs(2))
        .await
        .expect("answered and closed");
    assert!(text(&got).starts_with("HTTP/1.1 200 "), "{}", text(&got));

    // Its place is free again once it has closed.
    let mut answered = false;
    for _ in 0..20 {
        let mut s = connect_from("127.0.0.7", to).await;
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let got = read_to_close(&mut s, Duration::from_secs(2)).await.unwrap();
        if text(&got).starts_with("HTTP/1.1 200 ") {
            answered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(answered, "a closed connection gives its place back");
    assert!(
        metric(
            &app,
            "wegwijzer_connections_refused_total{limit=\"address\"}"
        )
        .await
            >= 1.0
    );
}

#[tokio::test]
async fn over_the_process_cap_a_connection_gets_503_until_one_closes() {
    let app = spawn(ConnectionConfig {
        max_connections: 4,
        max_connections_per_addr: 0,
        ..ConnectionConfig::default()
    })
    .await;
    let to = addr(&app);
    let mut held = Vec::new();
    for i in 0..4 {
        held.push(connect_from(&format!("127.0.1.{}", i + 1), to).await);
    }
    let mut fifth = connect_from("127.0.1.9", to).await;
    let got = read_to_close(&mut fifth, Duration::from_secs(2))
        .await
        .expect("closed at once");
    assert!(text(&got).starts_with("HTTP/1.1 503 "), "{}", text(&got));

    drop(held.pop());
    let mut status = 0;
    for _ in 0..20 {
        status = healthz_status(&app).await;
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, 200, "a place came free");
}

#[tokio::test]
async fn a_request_head_over_the_limit_gets_431() {
    let app = spawn(ConnectionConfig {
        max_header_bytes: 4096,
        ..ConnectionConfig::default()
    })
    .await;
    let r = app
        .client
        .get(app.url("/healthz"))
        .header("x-big", "a".repeat(6000))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 431);
    let r = app
        .client
        .get(app.url("/healthz"))
        .header("x-fits", "a".repeat(3000))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn the_default_head_limit_is_16_kib() {
    let app = spawn(ConnectionConfig::default()).await;
    let r = app
        .client
        .get(app.url("/healthz"))
        .header("x-fits", "a".repeat(12 * 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Far over it the server may close before it has read all of it, so the client sees the 431
    // or a reset; never an answer.
    let mut s = TcpStream::connect(addr(&app)).await.unwrap();
    let head = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(64 * 1024)
    );
    let _ = s.write_all(head.as_bytes()).await;
    let got = read_to_close(&mut s, Duration::from_secs(3))
        .await
        .expect("closed");
    let got = text(&got);
    assert!(got.is_empty() || got.starts_with("HTTP/1.1 431 "), "{got}");
    assert_eq!(healthz_status(&app).await, 200);
}

/// Shutdown stops accepting, closes idle and slow connections instead of waiting on them, and the
/// rest of `serve` (the store's close among it) still runs.
#[tokio::test]
async fn shutdown_is_not_held_up_by_slow_connections() {
    let db = TestDb::new(Backend::Sqlite).await;
    let config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database_url: db.url.clone(),
        knowledge_dir: knowledge_dir(),
        conversation_ttl_minutes: 30,
        retention_days: 180,
        admin_token: None,
        rate_limit_per_minute: 0,
        trusted_proxies: 0,
        connections: ConnectionConfig {
            header_timeout_secs: 2,
            ..ConnectionConfig::default()
        },
        discord: Default::default(),
        embed: wegwijzer::config::EmbedConfig::off(),
        spool_dir: std::env::temp_dir().join(format!("wz-spool-{}", uuid::Uuid::new_v4())),
    };
    let state = wegwijzer::startup::build_state(&config).await.unwrap();
    let store = state.store.clone();
    let limits = wegwijzer::http::conn::Limits::new(&config.connections, 0);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let to = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(wegwijzer::startup::serve_with(
        listener,
        state,
        limits,
        async {
            let _ = stopped.await;
        },
    ));
    let client = reqwest::Client::new();
    let r = client
        .get(format!("http://{to}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let _silent = TcpStream::connect(to).await.unwrap();
    let mut half = TcpStream::connect(to).await.unwrap();
    half.write_all(b"GET /heal").await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let started = Instant::now();
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(4), server)
        .await
        .expect("serve returned within the header timeout and a margin")
        .unwrap()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(4));
    assert!(TcpStream::connect(to).await.is_err(), "no longer accepting");
    assert!(
        !store.ping().await,
        "the store was closed after the connections"
    );
}
