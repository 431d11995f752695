use std::time::Duration;

use sigil_core::{FixedClock, UnixTime};
use sigil_storage::{Backend, DatabaseUrl, OpenOptions};

use crate::harness::{self, TestDb};

#[tokio::test]
async fn installation_is_created_once_and_stable() {
    harness::both(|db: TestDb| async move {
        let clock = FixedClock::at(UnixTime::from_secs(1_800_000_000));
        let a = db.store.installation(&clock).await.unwrap();
        clock.advance(Duration::from_secs(60));
        let b = db.store.installation(&clock).await.unwrap();
        assert_eq!(a, b, "{}", db.label);
        assert_eq!(a.created_at, 1_800_000_000);
        db.store.ping().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn concurrent_first_starts_agree() {
    harness::both(|db: TestDb| async move {
        let clock = FixedClock::at(UnixTime::from_secs(1_800_000_000));
        let (a, b, c) = tokio::join!(
            db.store.installation(&clock),
            db.store.installation(&clock),
            db.store.installation(&clock)
        );
        let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
        assert_eq!(a, b, "{}", db.label);
        assert_eq!(b, c, "{}", db.label);
    })
    .await;
}

#[tokio::test]
async fn sqlite_reopen_keeps_data_and_uses_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/sigil.db");
    let clock = FixedClock::at(UnixTime::from_secs(1_800_000_000));
    let first = {
        let store = OpenOptions::new(DatabaseUrl::SqliteFile(path.clone()))
            .open()
            .await
            .unwrap();
        assert_eq!(store.backend(), Backend::Sqlite);
        let i = store.installation(&clock).await.unwrap();
        store.close().await;
        i
    };
    assert!(dir.path().join("nested/sigil.db-wal").exists() || path.exists());
    let store = OpenOptions::new(DatabaseUrl::SqliteFile(path))
        .open()
        .await
        .unwrap();
    assert_eq!(store.installation(&clock).await.unwrap(), first);
}

#[tokio::test]
async fn postgres_reopen_same_schema_keeps_data() {
    let schema = "sigil_t_reopen_".to_string() + &std::process::id().to_string();
    let Some(db) = harness::postgres_with_schema(&schema).await else {
        return;
    };
    let clock = FixedClock::at(UnixTime::from_secs(1_800_000_000));
    let first = db.store.installation(&clock).await.unwrap();
    db.store.close().await;
    let db2 = harness::postgres_with_schema(&schema).await.unwrap();
    assert_eq!(db2.store.backend(), Backend::Postgres);
    assert_eq!(db2.store.installation(&clock).await.unwrap(), first);
}
