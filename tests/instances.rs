//! Several `wegwijzer serve` instances on one PostgreSQL database (runs when TEST_DATABASE_URL is
//! set): a conversation started on one continues on the other, and a gap logged through one is
//! visible through the other.

mod common;

use common::{Backend, TestDb, backends, knowledge_dir};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use wegwijzer::config::Config;

async fn instance(db: &TestDb) -> (String, oneshot::Sender<()>) {
    let config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database_url: db.url.clone(),
        knowledge_dir: knowledge_dir(),
        conversation_ttl_minutes: 30,
        retention_days: 180,
        admin_token: None,
        rate_limit_per_minute: 0,
        trusted_proxies: 0,
        connections: Default::default(),
        discord: Default::default(),
        embed: wegwijzer::config::EmbedConfig::off(),
        spool_dir: std::env::temp_dir().join(format!("wz-spool-{}", uuid::Uuid::new_v4())),
    };
    let state = wegwijzer::startup::build_state(&config).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        wegwijzer::startup::serve(listener, state, async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    (format!("http://{addr}"), tx)
}

#[tokio::test]
async fn two_instances_share_conversations_and_gaps() {
    if !backends().contains(&Backend::Postgres) {
        return; // PostgreSQL only: SQLite is one instance's embedded database.
    }
    let db = TestDb::new(Backend::Postgres).await;
    let (a, _stop_a) = instance(&db).await;
    let (b, _stop_b) = instance(&db).await;
    let client = reqwest::Client::new();
    let ask = |base: &str, body: Value| client.post(format!("{base}/api/ask")).json(&body).send();

    let first: Value = ask(&a, json!({"question": "Ik zoek financiering"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first["outcome"], "clarify", "{first}");
    let id = first["conversation_id"].as_str().unwrap();
    let second: Value = ask(
        &b,
        json!({"question": "een webwinkel starten, 15.000 euro", "conversation_id": id}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert!(
        second.get("notice").is_none(),
        "instance b knew the conversation: {second}"
    );
    assert_eq!(second["conversation_id"], id);
    assert_eq!(second["outcome"], "answered", "{second}");
    assert!(
        second["understood"]["themes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "financiering"),
        "{second}"
    );

    // A gap through a, found through b.
    let gap: Value = ask(
        &a,
        json!({"question": "Ik wil iemand spreken over mijn bedrijf, bel me"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let gap_id = gap["gap"]["id"].as_i64().expect("logged");
    let token = common::api_token(&db.url, wegwijzer::auth::Role::Adviser).await;
    let found: Value = client
        .get(format!("{b}/api/gaps/{gap_id}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found["id"], gap_id);
    assert_eq!(found["reason"], "handoff");
}
