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
async fn runs_on_postgres() {
    let url = std::env::var("SIGIL_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    if std::env::var_os("SIGIL_TEST_NO_POSTGRES").is_some() {
        eprintln!("!!! SIGIL_TEST_NO_POSTGRES set: skipping the PostgreSQL start test");
        return;
    }
    let sigil = TestSigil::start_with(Options {
        database: Some(DatabaseUrl::parse(&url).unwrap()),
        ..Default::default()
    })
    .await;
    let r = sigil
        .client()
        .get(format!("{}/readyz", sigil.idp_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    sigil.shutdown().await;
}
