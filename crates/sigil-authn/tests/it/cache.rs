//! The JWKS cache: readiness, rotation, single flight, refetch budget, outages.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use sigil_authn::{AuthError, Authn};
use sigil_core::{FixedClock, UnixTime};
use sigil_jose::ValidationError;

use crate::common::*;

#[tokio::test]
async fn not_ready_until_keys_load_then_validates() {
    let s = signer("k1");
    let idp = FakeIdp::start(&[&s]).await;
    idp.down.store(true, Ordering::SeqCst);
    let a = Authn::new(idp.options(), reqwest::Client::new()).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!a.is_ready());
    let t = s.sign_claims(&app_claims(&idp.issuer())).unwrap();
    assert_eq!(
        a.validate(&t).await.map(|_| ()),
        Err(AuthError::KeysUnavailable)
    );
    idp.down.store(false, Ordering::SeqCst);
    tokio::time::timeout(Duration::from_secs(5), a.ready())
        .await
        .unwrap();
    a.validate(&t).await.unwrap();
}

#[tokio::test]
async fn rotation_reaches_readers_with_one_refetch() {
    let old = signer("old");
    let idp = FakeIdp::start(&[&old]).await;
    let a = idp.authn(idp.options()).await;
    let mut updates = a.key_updates();
    let v1 = updates.borrow_and_update().as_ref().unwrap().version();
    assert_eq!(idp.hits(), 1);

    let new = signer("new");
    idp.publish(&[&old, &new]);
    let t = new.sign_claims(&app_claims(&idp.issuer())).unwrap();
    a.validate(&t).await.unwrap();
    assert_eq!(idp.hits(), 2, "exactly one refetch for the new kid");
    assert!(updates.has_changed().unwrap());
    assert!(updates.borrow_and_update().as_ref().unwrap().version() > v1);
    // Old tokens still validate; the new kid is now cached (no further fetch).
    a.validate(&old.sign_claims(&app_claims(&idp.issuer())).unwrap())
        .await
        .unwrap();
    a.validate(&t).await.unwrap();
    assert_eq!(idp.hits(), 2);
}

#[tokio::test]
async fn concurrent_misses_share_one_fetch() {
    let old = signer("old");
    let idp = FakeIdp::start(&[&old]).await;
    let a = idp.authn(idp.options()).await;
    let new = signer("new");
    idp.publish(&[&new]);
    idp.set_delay(Duration::from_millis(300));
    let t = Arc::new(new.sign_claims(&app_claims(&idp.issuer())).unwrap());
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let (a, t) = (a.clone(), t.clone());
            tokio::spawn(async move { a.validate(&t).await.map(|_| ()) })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(idp.hits(), 2, "initial load + one shared refetch");
}

#[tokio::test]
async fn unknown_kid_storm_costs_one_request_per_interval() {
    let s = signer("k1");
    let idp = FakeIdp::start(&[&s]).await;
    let clock = Arc::new(FixedClock::at(UnixTime::from_secs(
        u64::try_from(now()).unwrap(),
    )));
    let a = idp
        .authn(
            idp.options()
                .clock(clock.clone())
                .refetch_interval(Duration::from_secs(300)),
        )
        .await;
    let forged: Vec<String> = (0..20)
        .map(|i| {
            signer(&format!("forged-{i}"))
                .sign_claims(&app_claims(&idp.issuer()))
                .unwrap()
        })
        .collect();
    let before = idp.hits();
    let tasks: Vec<_> = forged
        .iter()
        .cycle()
        .take(500)
        .map(|t| {
            let (a, t) = (a.clone(), t.clone());
            tokio::spawn(async move { a.validate(&t).await.map(|_| ()) })
        })
        .collect();
    for task in tasks {
        assert_eq!(
            task.await.unwrap(),
            Err(AuthError::InvalidToken(ValidationError::KeyNotFound))
        );
    }
    assert_eq!(idp.hits() - before, 1, "one refetch in the interval");
    clock.advance(Duration::from_secs(301));
    let _ = a.validate(&forged[0]).await;
    let _ = a.validate(&forged[1]).await;
    assert_eq!(idp.hits() - before, 2, "one more after the interval");
}

#[tokio::test]
async fn idp_outage_keeps_validating_with_cached_keys() {
    let s = signer("k1");
    let idp = FakeIdp::start(&[&s]).await;
    let a = idp
        .authn(idp.options().refresh_interval(Duration::from_millis(100)))
        .await;
    idp.down.store(true, Ordering::SeqCst);
    let t = s.sign_claims(&app_claims(&idp.issuer())).unwrap();
    assert!(a.refresh().await.is_err());
    tokio::time::sleep(Duration::from_millis(350)).await; // background refreshes fail
    assert!(idp.hits() >= 3, "background refresh kept trying");
    assert!(a.is_ready());
    a.validate(&t).await.unwrap();
    // A new kid during the outage is refused (cannot be checked), without losing the old keys.
    let t2 = signer("k2")
        .sign_claims(&app_claims(&idp.issuer()))
        .unwrap();
    assert!(a.validate(&t2).await.is_err());
    a.validate(&t).await.unwrap();
}

#[tokio::test]
async fn background_refresh_picks_up_published_keys() {
    let old = signer("old");
    let idp = FakeIdp::start(&[&old]).await;
    let a = idp
        .authn(idp.options().refresh_interval(Duration::from_millis(100)))
        .await;
    let mut updates = a.key_updates();
    updates.borrow_and_update();
    let new = signer("new");
    idp.publish(&[&old, &new]);
    tokio::time::timeout(Duration::from_secs(5), updates.changed())
        .await
        .unwrap()
        .unwrap();
    let has_new = updates
        .borrow()
        .as_ref()
        .unwrap()
        .validator()
        .keys()
        .find("new")
        .is_some();
    assert!(has_new);
}

#[tokio::test]
async fn discovered_issuer_on_another_origin_is_not_trusted() {
    let s = signer("k1");
    let idp = FakeIdp::start(&[&s]).await;
    // The authority's host differs from the discovery document's issuer (127.0.0.1 vs localhost).
    let authority = idp.authority().replace("127.0.0.1", "localhost");
    let a = Authn::new(
        sigil_authn::AuthnOptions::authority(authority).audience(API),
        reqwest::Client::new(),
    )
    .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!a.is_ready());
}
