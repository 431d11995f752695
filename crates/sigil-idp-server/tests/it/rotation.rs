use sigil_testkit::TestSigil;

use crate::fixtures::{SECRET, TENANT, fintech, header};

const SCOPE: &str = "api://fraud-detector/.default";

/// The `kid` of a freshly issued token for TransactionProcessor.
async fn token_kid(sigil: &TestSigil, tp: &str) -> String {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", tp),
        ("client_secret", SECRET),
        ("scope", SCOPE),
    ];
    let (status, body) = sigil.token_request(TENANT, &form).await;
    assert_eq!(status, 200, "{body:#}");
    header(body["access_token"].as_str().unwrap())["kid"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn kids(jwks: &serde_json::Value) -> Vec<String> {
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn forced_rotation_publishes_and_signs_with_the_new_key_old_stays_published() {
    let (sigil, tp) = fintech().await;
    let old_kid = token_kid(&sigil, &tp).await;
    let rotated = sigil.admin_post("/admin/v1.0/keys/rotate?force=true").await;
    let new_kid = rotated["kid"].as_str().unwrap().to_owned();
    assert_ne!(new_kid, old_kid);
    assert_eq!(token_kid(&sigil, &tp).await, new_kid);
    let published = kids(&sigil.jwks(TENANT).await);
    assert!(
        published.contains(&old_kid) && published.contains(&new_kid),
        "{published:?}"
    );
    sigil.shutdown().await;
}

#[tokio::test]
async fn scheduled_rotation_publishes_next_key_without_signing_with_it() {
    let (sigil, tp) = fintech().await;
    let next = sigil.admin_post("/admin/v1.0/keys/rotate").await["kid"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(token_kid(&sigil, &tp).await, next);
    let published = kids(&sigil.jwks("common").await);
    assert_eq!(published.len(), 2);
    assert!(published.contains(&next));
    sigil.shutdown().await;
}

#[tokio::test]
async fn keys_survive_restart() {
    let (sigil, tp) = fintech().await;
    let kid = token_kid(&sigil, &tp).await;
    let home = sigil.shutdown().await.unwrap();
    let again = TestSigil::start_with(sigil_testkit::Options {
        home: Some(home.path().to_path_buf()),
        ..Default::default()
    })
    .await;
    // The directory, the hashed secret and the signing key all survived.
    assert_eq!(token_kid(&again, &tp).await, kid);
    again.shutdown().await;
}
