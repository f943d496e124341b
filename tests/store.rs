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
