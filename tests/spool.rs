//! Gaps are never lost when the database is down: they wait in the durable local spool, the
//! answer still goes out with the gap's reference, and a replay writes each exactly once.

mod common;

use common::{TestDb, backends, knowledge_dir};
use wegwijzer::config::Config;
use wegwijzer::desk::Ask;
use wegwijzer::domain::{Channel, Outcome, Question};
use wegwijzer::spool::{Spool, Spooled};
use wegwijzer::store::{NewGap, Store};

fn config(db: &TestDb, spool: &std::path::Path) -> Config {
    Config {
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
        spool_dir: spool.to_owned(),
    }
}

#[tokio::test]
async fn a_gap_asked_while_the_database_is_down_is_spooled_and_written_once_later() {
    for b in backends() {
        let db = TestDb::new(b).await;
        let dir = tempfile::tempdir().unwrap();
        let app = wegwijzer::startup::build_state(&config(&db, dir.path()))
            .await
            .unwrap();
        // The database goes away: every query now fails.
        app.store.close().await;
        let answer = app
            .ask(Ask {
                question: Question::parse("Ik wil graag iemand spreken over mijn bedrijf, bel me")
                    .unwrap(),
                conversation: None,
                channel: Channel::Web,
                log: true,
                identity: "192.0.2.1".into(),
            })
            .await
            .expect("the answer still goes out");
        assert_eq!(answer.outcome, Outcome::Handoff, "{b:?}");
        let gap = answer.gap.expect("a handoff is logged");
        assert_eq!(gap.id, None, "not in the database yet");
        let reference = gap.reference.expect("but it has a reference");
        let spool = app.spool.clone().unwrap();
        assert_eq!(spool.pending(), 1);

        // The database is back (a new pool): the replay writes it, a second replay changes nothing.
        let store = Store::connect(&db.url).await.unwrap();
        assert_eq!(spool.replay(&store).await.unwrap(), 1);
        assert_eq!(spool.pending(), 0);
        let stored = store
            .gap_by_ref(&reference)
            .await
            .unwrap()
            .expect("replayed");
        assert_eq!(stored.reason, "handoff");
        assert!(!stored.question.unwrap().contains("192.0.2.1"));
        assert_eq!(spool.replay(&store).await.unwrap(), 0);
        assert_eq!(store.counted("handoff").await.unwrap(), 1, "counted once");
        store.close().await;
    }
}

#[tokio::test]
async fn replaying_the_same_record_twice_stores_it_once_and_torn_lines_are_kept_aside() {
    for b in backends() {
        let db = TestDb::new(b).await;
        let store = Store::connect(&db.url).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::open(dir.path()).unwrap();
        let record = Spooled {
            reference: "11111111-2222-4333-8444-555555555555".into(),
            created_at: "2026-11-20T10:00:00Z".into(),
            gap: NewGap {
                question: Some("export naar Duitsland".into()),
                language: "nl".into(),
                channel: "web".into(),
                reason: "no_offer".into(),
                themes: vec!["internationaal".into()],
                ..NewGap::default()
            },
        };
        spool.append(&record).unwrap();
        spool.append(&record).unwrap();
        // A crash in the middle of a write leaves half a line.
        std::fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join("gaps.jsonl"))
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"reference\": \"half"))
            .unwrap();
        assert_eq!(spool.replay(&store).await.unwrap(), 2);
        let (total, gaps) = store
            .list_gaps(&wegwijzer::store::GapFilter::default())
            .await
            .unwrap();
        assert_eq!(total, 1, "{b:?}: the same reference is stored once");
        assert_eq!(
            gaps[0].created_at, "2026-11-20T10:00:00Z",
            "the original time is kept"
        );
        assert_eq!(spool.pending(), 0);
        let rejected = std::fs::read_to_string(dir.path().join("gaps.rejected.jsonl")).unwrap();
        assert!(rejected.contains("half"));
        store.close().await;
    }
}
