//! The storage layer on both backends: migrations run at connect, queries work the same.

mod common;

use common::{TestDb, backends};
use wegwijzer::store::Store;

#[tokio::test]
async fn migrations_run_and_knowledge_loads_are_recorded_on_every_backend() {
    for b in backends() {
        let db = TestDb::new(b).await;
        let store = Store::connect(&db.url).await.expect("connect and migrate");
        assert!(store.ping().await, "{b:?}");
        let first = store.record_knowledge_load(52, 0, "test-a").await.unwrap();
        let second = store.record_knowledge_load(53, 2, "test-b").await.unwrap();
        assert!(second > first, "{b:?}: ids increase");
        let loads = store.knowledge_loads(10).await.unwrap();
        assert_eq!(loads.len(), 2, "{b:?}");
        assert_eq!(
            (
                loads[0].offers,
                loads[0].warnings,
                loads[0].instance.as_str()
            ),
            (53, 2, "test-b")
        );
        assert!(
            loads[1].loaded_at.starts_with("20"),
            "RFC 3339 time: {}",
            loads[1].loaded_at
        );
        // Connecting again does not re-run applied migrations.
        let again = Store::connect(&db.url).await.expect("reconnect");
        assert_eq!(again.knowledge_loads(10).await.unwrap().len(), 2);
        store.close().await;
        again.close().await;
    }
}

#[tokio::test]
async fn an_unsupported_database_url_is_a_clear_error() {
    let err = Store::connect("mysql://root@localhost/test")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("unsupported database url"),
        "{err}"
    );
}

#[tokio::test]
async fn gaps_and_counts_round_trip_on_every_backend() {
    use wegwijzer::store::NewGap;
    for b in backends() {
        let db = TestDb::new(b).await;
        let store = Store::connect(&db.url).await.unwrap();
        let gap = NewGap {
            question: Some("Subsidie voor een winkel in [postcode]?".into()),
            language: "nl".into(),
            channel: "web".into(),
            reason: "no_offer".into(),
            themes: vec!["vestiging".into()],
            audiences: vec!["retail".into()],
            stages: vec![],
            opgaven: vec![1],
            municipality: Some("coevorden".into()),
            subregion: Some("zuidoost-drenthe".into()),
            offers: vec!["ibdo".into()],
            conversation_id: Some("c1".into()),
            person: Some("abc".into()),
        };
        let id = store.insert_gap(&gap).await.unwrap();
        let back = store.gap(id).await.unwrap().expect("stored gap");
        assert_eq!(
            back.question.as_deref(),
            Some("Subsidie voor een winkel in [postcode]?"),
            "{b:?}"
        );
        assert_eq!(
            (
                back.themes.clone(),
                back.opgaven.clone(),
                back.status.as_str()
            ),
            (vec!["vestiging".to_owned()], vec![1], "new")
        );
        assert_eq!(back.subregion.as_deref(), Some("zuidoost-drenthe"));
        let no_text = NewGap {
            question: None,
            ..gap.clone()
        };
        let id2 = store.insert_gap(&no_text).await.unwrap();
        assert_eq!(store.gap(id2).await.unwrap().unwrap().question, None);
        assert_eq!(store.recent_gaps(10).await.unwrap().len(), 2);
        assert!(store.gap(id2 + 100).await.unwrap().is_none());

        use wegwijzer::store::DemandKey;
        let two = ["financiering".to_owned(), "starten".to_owned()];
        let one = ["financiering".to_owned()];
        let key = |themes| DemandKey {
            themes,
            subregion: Some("noord-drenthe"),
            channel: "web",
            outcome: "answered",
            ..DemandKey::default()
        };
        store.count_demand(&key(&two)).await.unwrap();
        store.count_demand(&key(&one)).await.unwrap();
        store
            .count_demand(&DemandKey {
                channel: "api",
                outcome: "clarify",
                ..DemandKey::default()
            })
            .await
            .unwrap();
        assert_eq!(store.counted("answered").await.unwrap(), 3, "{b:?}");
        // Each gap counts as demand under its reason, in the same transaction.
        assert_eq!(store.counted("no_offer").await.unwrap(), 2, "{b:?}");
        assert_eq!(store.counted("clarify").await.unwrap(), 1);

        let salt = store.pseudonym_salt().await.unwrap();
        assert_eq!(salt.len(), 64);
        assert_eq!(
            store.pseudonym_salt().await.unwrap(),
            salt,
            "the salt is created once"
        );
        store.close().await;
    }
}

#[tokio::test]
async fn retention_keeps_records_without_text_and_erasure_deletes_a_conversation() {
    use wegwijzer::store::NewGap;
    for b in backends() {
        let db = TestDb::new(b).await;
        let store = Store::connect(&db.url).await.unwrap();
        let gap = |cid: &str| NewGap {
            question: Some("iets zonder aanbod".into()),
            language: "nl".into(),
            channel: "api".into(),
            reason: "no_offer".into(),
            conversation_id: Some(cid.into()),
            ..NewGap::default()
        };
        let a = store.insert_gap(&gap("keep")).await.unwrap();
        store.insert_gap(&gap("erase-me")).await.unwrap();
        store.insert_gap(&gap("erase-me")).await.unwrap();
        assert_eq!(
            store.forget_old_texts(1).await.unwrap(),
            0,
            "{b:?}: nothing is old yet"
        );
        assert_eq!(
            store.forget_old_texts(0).await.unwrap(),
            3,
            "{b:?}: a zero-day retention forgets all texts"
        );
        let kept = store.gap(a).await.unwrap().expect("the record stays");
        assert_eq!(kept.question, None);
        assert_eq!(kept.reason, "no_offer");
        assert_eq!(store.erase_conversation("erase-me").await.unwrap(), 2);
        assert_eq!(store.recent_gaps(10).await.unwrap().len(), 1);
        store.close().await;
    }
}

#[tokio::test]
async fn demand_counts_wait_in_memory_while_the_database_is_away_and_are_written_after() {
    use wegwijzer::store::{DemandKey, StoreError};
    for b in backends() {
        let db = TestDb::new(b).await;
        let store = Store::connect(&db.url).await.unwrap();
        let themes = ["export".to_owned()];
        let key = DemandKey {
            themes: &themes,
            channel: "web",
            outcome: "answered",
            ..DemandKey::default()
        };
        // The breaker opens: the database counts as away for a moment.
        store.report_unreachable();
        store.count_demand(&key).await.unwrap();
        store.count_demand(&key).await.unwrap();
        assert!(matches!(
            store.flush_demand().await,
            Err(StoreError::Unavailable)
        ));
        assert_eq!(store.pending_demand_cells(), 1, "{b:?}: kept, not lost");
        // Once the breaker lets a probe through, the held counts are written.
        tokio::time::sleep(wegwijzer::store::breaker::OPEN_FOR).await;
        store.flush_demand().await.unwrap();
        assert_eq!(store.pending_demand_cells(), 0, "{b:?}");
        assert_eq!(store.counted("answered").await.unwrap(), 2, "{b:?}");
        // Closing writes what is still held, so a graceful shutdown loses no count.
        store.count_demand(&key).await.unwrap();
        store.close().await;
        let again = Store::connect(&db.url).await.unwrap();
        assert_eq!(again.counted("answered").await.unwrap(), 3, "{b:?}");
        again.close().await;
    }
}

#[tokio::test]
async fn demand_sums_stay_right_across_buckets_and_late_writes() {
    use time::{Duration, OffsetDateTime};
    use wegwijzer::knowledge::format_date;
    use wegwijzer::store::{DemandColumn, DemandRow, NewGap};
    let today = OffsetDateTime::now_utc().date();
    let d = |n: i64| format_date(today - Duration::days(n));
    let gap = |theme: &str, subregion: &str| NewGap {
        language: "nl".into(),
        channel: "web".into(),
        reason: "no_offer".into(),
        themes: vec![theme.to_owned()],
        subregion: Some(subregion.to_owned()),
        ..NewGap::default()
    };
    let sum = |rows: &[DemandRow], theme: &str, subregion: &str| -> i64 {
        rows.iter()
            .filter(|r| r.row == theme && r.col == subregion)
            .map(|r| r.n)
            .sum()
    };
    for b in backends() {
        let db = TestDb::new(b).await;
        let store = Store::connect(&db.url).await.unwrap();
        store
            .insert_gaps_on(&[
                (d(400), gap("export", "noord-drenthe")),
                (d(100), gap("export", "noord-drenthe")),
                (d(40), gap("export", "noord-drenthe")),
                (d(40), gap("innovatie", "zuidwest-drenthe")),
                (d(5), gap("export", "noord-drenthe")),
                (d(1), gap("export", "noord-drenthe")),
                (d(0), gap("export", "noord-drenthe")),
            ])
            .await
            .unwrap();
        let by = |from: String, to: String| {
            let store = store.clone();
            async move {
                store
                    .demand_by(DemandColumn::Theme, DemandColumn::Subregion, &from, &to)
                    .await
                    .unwrap()
            }
        };
        // A few days first: those days are summed as day buckets inside months that a longer
        // period later reads as whole months. Nothing may count twice.
        let few = by(d(45), d(35)).await;
        assert_eq!(sum(&few, "export", "noord-drenthe"), 1, "{b:?}");
        let year = by(d(364), d(0)).await;
        assert_eq!(sum(&year, "export", "noord-drenthe"), 5, "{b:?}: {year:?}");
        assert_eq!(sum(&year, "innovatie", "zuidwest-drenthe"), 1, "{b:?}");
        let again = by(d(364), d(0)).await;
        assert_eq!(
            sum(&again, "export", "noord-drenthe"),
            5,
            "{b:?}: read from the sums"
        );
        let two_years = by(d(729), d(0)).await;
        assert_eq!(sum(&two_years, "export", "noord-drenthe"), 6, "{b:?}");

        // A spooled gap replayed after its day was summed: the sums of that day and month go.
        let at = format!("{}T10:00:00Z", d(100));
        store
            .insert_gap_ref(&gap("export", "noord-drenthe"), "late-replay", Some(&at))
            .await
            .unwrap();
        let after = by(d(364), d(0)).await;
        assert_eq!(
            sum(&after, "export", "noord-drenthe"),
            6,
            "{b:?}: late gap counted"
        );
        let few = by(d(45), d(35)).await;
        assert_eq!(sum(&few, "export", "noord-drenthe"), 1, "{b:?}");
        store.close().await;
    }
}

#[tokio::test]
async fn gap_list_totals_follow_inserts_triage_and_erasure() {
    use wegwijzer::store::{GapFilter, GapRecord, NewGap, Triage};
    for b in backends() {
        let db = TestDb::new(b).await;
        let store = Store::connect(&db.url).await.unwrap();
        let gap = |reason: &str, channel: &str, conversation: &str| NewGap {
            language: "nl".into(),
            channel: channel.into(),
            reason: reason.into(),
            themes: vec!["export".into()],
            conversation_id: Some(conversation.into()),
            ..NewGap::default()
        };
        let mut ids = Vec::new();
        for (reason, channel, conv) in [
            ("no_offer", "web", "c1"),
            ("no_offer", "web", "c2"),
            ("handoff", "discord", "c2"),
            ("region_mismatch", "api", "c3"),
            ("no_offer", "api", "c3"),
        ] {
            ids.push(store.insert_gap(&gap(reason, channel, conv)).await.unwrap());
        }
        store
            .insert_gaps_on(&[("2025-03-04".into(), gap("no_offer", "web", "c9"))])
            .await
            .unwrap();
        let triage = |status: &str| Triage {
            status: Some(status.into()),
            ..Triage::default()
        };
        store.triage_gap(ids[0], &triage("reviewed")).await.unwrap();
        store
            .triage_gap(ids[0], &triage("addressed"))
            .await
            .unwrap();
        store
            .triage_gap(ids[3], &triage("not-a-gap"))
            .await
            .unwrap();
        // A note alone changes no count.
        let note = Triage {
            note: Some("seen".into()),
            ..Triage::default()
        };
        store.triage_gap(ids[3], &note).await.unwrap();
        assert_eq!(store.erase_conversation("c2").await.unwrap(), 2);

        let all: Vec<GapRecord> = store.recent_gaps(1000).await.unwrap();
        assert_eq!(all.len(), 4, "{b:?}");
        let filters = [
            GapFilter::default(),
            GapFilter {
                reason: Some("no_offer".into()),
                ..GapFilter::default()
            },
            GapFilter {
                channel: Some("api".into()),
                ..GapFilter::default()
            },
            GapFilter {
                status: Some("new".into()),
                ..GapFilter::default()
            },
            GapFilter {
                status: Some("addressed".into()),
                channel: Some("web".into()),
                ..GapFilter::default()
            },
            GapFilter {
                from: Some("2025-01-01".into()),
                to: Some("2025-12-31".into()),
                ..GapFilter::default()
            },
        ];
        for f in &filters {
            let expected = all
                .iter()
                .filter(|g| f.reason.as_ref().is_none_or(|r| &g.reason == r))
                .filter(|g| f.channel.as_ref().is_none_or(|c| &g.channel == c))
                .filter(|g| f.status.as_ref().is_none_or(|s| &g.status == s))
                .filter(|g| f.from.as_ref().is_none_or(|d| g.created_at[..10] >= **d))
                .filter(|g| f.to.as_ref().is_none_or(|d| g.created_at[..10] <= **d))
                .count() as i64;
            let (total, page) = store.list_gaps(f).await.unwrap();
            assert_eq!(total, expected, "{b:?}: {f:?}");
            assert_eq!(page.len() as i64, expected, "{b:?}: {f:?}");
        }
        store.close().await;
    }
}
