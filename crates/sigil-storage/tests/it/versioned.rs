use sigil_storage::{Conflict, SigningKeyRow};

use crate::harness::{self, TestDb};

fn key(kid: &str, state: &str) -> SigningKeyRow {
    SigningKeyRow {
        kid: kid.into(),
        alg: "RS256".into(),
        state: state.into(),
        created_at: 1_800_000_000,
        activates_at: 1_800_000_000,
        retires_at: Some(1_900_000_000),
        delete_at: None,
        sealed_key: vec![1, 0, 255, 42],
    }
}

#[tokio::test]
async fn signing_keys_round_trip_with_compare_and_set() {
    harness::both(|db: TestDb| async move {
        let (v0, keys) = db.store.signing_keys().await.unwrap();
        assert_eq!((v0, keys.len()), (0, 0), "{}", db.label);
        let rows = vec![key("a", "active"), key("b", "next")];
        let v1 = db
            .store
            .replace_signing_keys(v0, &rows)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(v1, 1);
        let (v, got) = db.store.signing_keys().await.unwrap();
        assert_eq!((v, got), (1, rows.clone()), "{}", db.label);
        // A stale writer loses and changes nothing.
        let stale = db
            .store
            .replace_signing_keys(v0, &[key("c", "active")])
            .await
            .unwrap();
        assert_eq!(stale, Err(Conflict { expected: 0 }));
        assert_eq!(
            db.store.signing_keys().await.unwrap().1,
            rows,
            "{}",
            db.label
        );
        assert_eq!(db.store.versions().await.unwrap().signing_keys, 1);
    })
    .await;
}

#[tokio::test]
async fn directory_document_replaced_atomically() {
    harness::both(|db: TestDb| async move {
        assert_eq!(
            db.store.directory().await.unwrap(),
            (0, None),
            "{}",
            db.label
        );
        let v1 = db
            .store
            .replace_directory(0, r#"{"tenants":[]}"#)
            .await
            .unwrap()
            .unwrap();
        let v2 = db
            .store
            .replace_directory(v1, r#"{"tenants":[1]}"#)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            db.store.replace_directory(v1, "{}").await.unwrap(),
            Err(Conflict { expected: 1 })
        );
        let (v, body) = db.store.directory().await.unwrap();
        assert_eq!(
            (v, body.as_deref()),
            (v2, Some(r#"{"tenants":[1]}"#)),
            "{}",
            db.label
        );
        assert_eq!(db.store.versions().await.unwrap().directory, 2);
    })
    .await;
}

#[tokio::test]
async fn concurrent_writers_exactly_one_wins() {
    harness::both(|db: TestDb| async move {
        let store = db.store.clone();
        let attempts = (0..8).map(|i| {
            let s = store.clone();
            async move {
                s.replace_directory(0, &format!("{{\"w\":{i}}}"))
                    .await
                    .unwrap()
            }
        });
        let results = futures_util::future::join_all(attempts).await;
        let wins = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(wins, 1, "{}: {results:?}", db.label);
    })
    .await;
}
