//! The composition root, started through the test kit exactly as other crates' tests will.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use sigil_storage::DatabaseUrl;
use sigil_testkit::{Options, TestSigil};

#[tokio::test]
async fn starts_on_a_free_port_and_serves_health_over_tls() {
    let sigil = TestSigil::start().await;
    let r = sigil
        .client()
        .get(format!("{}/readyz", sigil.idp_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    sigil.shutdown().await;
}

#[tokio::test]
async fn restart_on_same_home_keeps_installation() {
    let first = TestSigil::start().await;
    let id = first.installation_id().to_owned();
    let ca = std::fs::read(first.ca_cert_path()).unwrap();
    let home = first.shutdown().await.unwrap();
    let second = TestSigil::start_with(Options {
        home: Some(home.path().to_path_buf()),
        ..Default::default()
    })
    .await;
    assert_eq!(second.installation_id(), id);
    assert_eq!(std::fs::read(second.ca_cert_path()).unwrap(), ca);
    second.shutdown().await;
}

#[tokio::test]
async fn runs_on_postgres_restarts_and_refuses_a_foreign_root_key() {
    let url = std::env::var("SIGIL_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    if std::env::var_os("SIGIL_TEST_NO_POSTGRES").is_some() {
        eprintln!("!!! SIGIL_TEST_NO_POSTGRES set: skipping the PostgreSQL start test");
        return;
    }
    // A fresh schema per run: the shared test database outlives runs, and each run has its own
    // root key (keys sealed under another run's root key must, rightly, refuse to load).
    let schema = format!("sigil_app_{}_{}", std::process::id(), unique());
    let opts = || Options {
        database: Some(DatabaseUrl::parse(&url).unwrap()),
        database_schema: Some(schema.clone()),
        ..Default::default()
    };
    let sigil = TestSigil::start_with(opts()).await;
    let r = sigil
        .client()
        .get(format!("{}/readyz", sigil.idp_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let id = sigil.installation_id().to_owned();
    let home = sigil.shutdown().await.unwrap();

    // Same schema and home (root key): state survives a restart on PostgreSQL.
    let again = TestSigil::start_with(Options {
        home: Some(home.path().to_path_buf()),
        ..opts()
    })
    .await;
    assert_eq!(again.installation_id(), id);
    again.shutdown().await;

    // Same schema, another root key: refused, with a message that says what to fix.
    let other = tempfile::tempdir().unwrap();
    let cfg = sigil_app::AppConfig {
        database: DatabaseUrl::parse(&url).unwrap(),
        database_schema: Some(schema.clone()),
        home: other.path().to_path_buf(),
        idp: sigil_app::config::IdpConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            public_url: None,
        },
        shutdown_grace: std::time::Duration::from_secs(1),
        root_key: sigil_app::RootKeySource::File(other.path().join("root.key")),
        admin_token: sigil_app::AdminTokenSource::File(other.path().join("admin.token")),
        gateway: None,
    };
    let err = sigil_app::start(cfg, std::sync::Arc::new(sigil_core::SystemClock))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("root key does not match"), "{err}");
}

fn unique() -> u128 {
    #[allow(clippy::disallowed_methods)] // unique schema names only
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}
