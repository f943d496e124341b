//! What operators rely on, against the real server: rate limiting per client, `/metrics`, request
//! ids and JSON logs.

mod common;

use std::net::IpAddr;
use std::time::Duration;

use common::{Backend, Options, TestApp, spawn_app_opts};
use serde_json::{Value, json};

fn limited(per_minute: u32, trusted_proxies: usize) -> Options {
    Options {
        rate_limit_per_minute: per_minute,
        trusted_proxies,
        ..Options::default()
    }
}

/// A client whose connections come from `source` (any 127.0.0.0/8 address on Linux).
fn client_from(source: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(source.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

async fn ask_as(
    app: &TestApp,
    client: &reqwest::Client,
    forwarded_for: Option<&str>,
) -> reqwest::Response {
    let mut r = client
        .post(app.url("/api/ask"))
        .json(&json!({"question": "subsidie voor zonnepanelen", "log": false}));
    if let Some(f) = forwarded_for {
        r = r.header("x-forwarded-for", f);
    }
    r.send().await.unwrap()
}

#[tokio::test]
async fn the_chat_form_and_the_login_share_the_budget_and_refuse_with_a_page() {
    let app = spawn_app_opts(Backend::Sqlite, limited(3, 0)).await;
    let me = client_from("127.0.0.1");
    // Three forms spend the budget; they need no valid CSRF token to count.
    for path in ["/", "/feedback", "/login"] {
        let r = me
            .post(app.url(path))
            .form(&[("question", "subsidie voor zonnepanelen")])
            .send()
            .await
            .unwrap();
        assert_ne!(r.status(), 429, "{path} refused too early");
    }
    for path in ["/", "/feedback", "/login", "/api/ask"] {
        let r = me
            .post(app.url(path))
            .form(&[("question", "subsidie voor zonnepanelen")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 429, "{path}");
        // Whole seconds, at least one, at most the minute the budget refills in.
        let retry: u64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry), "{path}: Retry-After {retry}");
        let html = path != "/api/ask";
        let kind = r.headers()["content-type"].to_str().unwrap().to_owned();
        assert_eq!(kind.starts_with("text/html"), html, "{path}: {kind}");
    }
    // Reading pages costs nothing.
    for path in ["/", "/login", "/aanbod"] {
        let r = me.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "GET {path}");
    }
}

/// Every 429 the service can send is built in one of two places that set `Retry-After`: the API
/// error (`ApiError::RateLimited`) and the web's 429 page (`web::too_many_page`). A status code
/// written anywhere else would be a 429 without it; walking the sources keeps it that way.
#[test]
fn every_429_is_built_where_retry_after_is_set() {
    fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                if text.contains("TOO_MANY_REQUESTS") || text.contains("from_u16(429)") {
                    out.push(p.display().to_string());
                }
            }
        }
    }
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    walk(&src, &mut found);
    found.sort();
    let expected: Vec<String> = ["http/error.rs", "web/mod.rs"]
        .iter()
        .map(|f| src.join(f).display().to_string())
        .collect();
    assert_eq!(found, expected);
}

#[tokio::test]
async fn the_31st_request_in_a_minute_is_refused_with_retry_after() {
    let app = spawn_app_opts(Backend::Sqlite, limited(30, 0)).await;
    let me = client_from("127.0.0.1");
    assert_eq!(ask_as(&app, &me, None).await.status(), 200);
    // Refused requests spend the budget too; they are quick, so no token comes back (one every
    // 2 s) before the 31st even on a slow debug build.
    for i in 1..30 {
        let r = me
            .post(app.url("/api/ask"))
            .json(&json!({"question": ""}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "request {i}");
    }
    let r = ask_as(&app, &me, None).await;
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited", "{body}");

    // The same budget covers feedback.
    let r = me
        .post(app.url("/api/feedback"))
        .json(&json!({"conversation_id": "c-0123456789abcdef", "helpful": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);

    // Another address is not affected, nor are the routes that do no work.
    let other = client_from("127.0.0.2");
    assert_eq!(ask_as(&app, &other, None).await.status(), 200);
    let r = me
        .get(app.url("/api/search?q=qredits"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Refusals are counted.
    let metrics = me.get(app.url("/metrics")).send().await.unwrap();
    let text = metrics.text().await.unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("wegwijzer_http_requests_total")
                && l.contains(r#"route="/api/ask""#)
                && l.contains(r#"status="429""#)),
        "{text}"
    );
}

#[tokio::test]
async fn zero_turns_the_limit_off() {
    let app = spawn_app_opts(Backend::Sqlite, limited(0, 0)).await;
    let me = client_from("127.0.0.1");
    for i in 0..45 {
        assert_eq!(ask_as(&app, &me, None).await.status(), 200, "request {i}");
    }
}

#[tokio::test]
async fn forwarded_for_counts_only_behind_trusted_proxies() {
    // No trusted proxy: a forged header does not buy a fresh budget.
    let app = spawn_app_opts(Backend::Sqlite, limited(2, 0)).await;
    let me = client_from("127.0.0.1");
    for f in ["198.51.100.1", "198.51.100.2"] {
        assert_eq!(ask_as(&app, &me, Some(f)).await.status(), 200);
    }
    assert_eq!(ask_as(&app, &me, Some("198.51.100.3")).await.status(), 429);

    // One trusted proxy: the rightmost entry is the client; what the client wrote left of it is
    // ignored.
    let app = spawn_app_opts(Backend::Sqlite, limited(2, 1)).await;
    for _ in 0..2 {
        let r = ask_as(&app, &me, Some("6.6.6.6, 198.51.100.1")).await;
        assert_eq!(r.status(), 200);
    }
    let r = ask_as(&app, &me, Some("7.7.7.7, 198.51.100.1")).await;
    assert_eq!(r.status(), 429, "a forged left entry must not help");
    let r = ask_as(&app, &me, Some("198.51.100.2")).await;
    assert_eq!(
        r.status(),
        200,
        "another client behind the proxy has its own budget"
    );
}

fn metric_line<'a>(text: &'a str, name: &str, labels: &[(&str, &str)]) -> Option<&'a str> {
    text.lines().find(|l| {
        l.starts_with(&format!("{name}{{"))
            && labels
                .iter()
                .all(|(k, v)| l.contains(&format!(r#"{k}="{v}""#)))
    })
}

fn value_of(line: &str) -> f64 {
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn metrics_count_requests_answers_and_gaps() {
    let app = spawn_app_opts(Backend::Sqlite, Options::default()).await;
    let c = &app.client;
    let answer: Value = c
        .post(app.url("/api/ask"))
        .json(&json!({"question": "Ik zoek een microkrediet om te starten"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let gap: Value = c
        .post(app.url("/api/ask"))
        .json(
            &json!({"question": "Waar vind ik een subsidie voor het fokken van alpaca's op Mars?"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    c.get(app.url("/no/such/page/12345")).send().await.unwrap();

    let r = c.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = r.text().await.unwrap();

    let line = metric_line(
        &text,
        "wegwijzer_answers_total",
        &[
            ("channel", "api"),
            ("outcome", answer["outcome"].as_str().unwrap()),
            ("language", answer["language"].as_str().unwrap()),
        ],
    )
    .unwrap_or_else(|| panic!("no answers line for {answer}\n{text}"));
    assert!(value_of(line) >= 1.0);

    let reason = gap["gap"]["reason"]
        .as_str()
        .unwrap_or_else(|| panic!("expected a gap: {gap}"));
    let line = metric_line(&text, "wegwijzer_gaps_total", &[("reason", reason)])
        .unwrap_or_else(|| panic!("no gaps line for {reason}\n{text}"));
    assert!(value_of(line) >= 1.0);

    let line = metric_line(
        &text,
        "wegwijzer_http_requests_total",
        &[("route", "/api/ask"), ("method", "POST"), ("status", "200")],
    )
    .unwrap_or_else(|| panic!("no request line\n{text}"));
    assert!(value_of(line) >= 2.0);
    assert!(
        metric_line(
            &text,
            "wegwijzer_http_request_duration_seconds_bucket",
            &[("route", "/api/ask"), ("le", "0.05")]
        )
        .is_some(),
        "{text}"
    );
    // Unmatched URLs share one label; the raw path never becomes one.
    assert!(
        metric_line(
            &text,
            "wegwijzer_http_requests_total",
            &[("route", "unmatched")]
        )
        .is_some()
    );
    assert!(!text.contains("12345"));
    assert!(text.contains("wegwijzer_discord_connected 0"), "{text}");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app_opts(Backend::Sqlite, Options::default()).await;
    let c = &app.client;
    let r = c.get(app.url("/healthz")).send().await.unwrap();
    let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");

    // A proxy's plain id is kept; an odd one is replaced.
    let r = c
        .get(app.url("/api/offers/nope"))
        .header("x-request-id", "nginx-7f3a")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "nginx-7f3a");
    let r = c
        .get(app.url("/healthz"))
        .header("x-request-id", "bad id\"}")
        .send()
        .await
        .unwrap();
    let id = r.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "replaced by a UUID: {id}");
}

/// The binary with `WEGWIJZER_LOG_FORMAT=json`: every line is JSON, the lines of a request carry
/// its id, and the question's text is nowhere.
#[tokio::test]
async fn json_logs_carry_the_request_id_and_never_the_question() {
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let log = dir.path().join("log.jsonl");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wegwijzer"))
        .arg("serve")
        .env("WEGWIJZER_ADDR", format!("127.0.0.1:{port}"))
        .env(
            "DATABASE_URL",
            format!("sqlite://{}?mode=rwc", dir.path().join("w.db").display()),
        )
        .env("WEGWIJZER_KNOWLEDGE_DIR", common::knowledge_dir())
        .env("WEGWIJZER_LOG_FORMAT", "json")
        .env("RUST_LOG", "wegwijzer=info,tower_http=info")
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let c = reqwest::Client::new();
    let mut up = false;
    for _ in 0..300 {
        if c.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let secret = "Zorgboerderij Klaverweide zoekt subsidie voor alpacas";
    let r = if up {
        Some(
            c.post(format!("{base}/api/ask"))
                .json(&json!({"question": secret}))
                .send()
                .await
                .unwrap(),
        )
    } else {
        None
    };
    // Let the response line be written before stopping the server.
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.kill().ok();
    child.wait().ok();
    let r = r.expect("the server did not come up");
    assert_eq!(r.status(), 200);
    let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();

    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        !text.contains("Klaverweide"),
        "the question leaked:\n{text}"
    );
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let of_request: Vec<&Value> = lines
        .iter()
        .filter(|l| l.to_string().contains(&id))
        .collect();
    let messages: Vec<&str> = of_request
        .iter()
        .filter_map(|l| l["fields"]["message"].as_str())
        .collect();
    assert!(messages.contains(&"answered"), "{text}");
    assert!(
        messages.iter().any(|m| m.contains("finished processing")),
        "{text}"
    );
    for l in &of_request {
        assert_eq!(l["spans"][0]["request_id"], id.as_str(), "{l}");
        assert_eq!(l["spans"][0]["route"], "/api/ask", "{l}");
    }
}
