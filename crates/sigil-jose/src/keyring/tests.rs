use std::time::Duration;

use sigil_crypto::RootKey;

use super::*;

const H: u64 = 3600;

fn policy() -> RotationPolicy {
    RotationPolicy {
        key_kind: KeyKind::P256,
        alg: Algorithm::ES256,
        ..RotationPolicy::default()
    }
}

fn t(secs: u64) -> UnixTime {
    UnixTime::from_secs(1_700_000_000 + secs)
}

fn states(r: &KeyRing) -> Vec<&'static str> {
    r.entries()
        .iter()
        .map(|e| match e.state() {
            KeyState::Next { .. } => "next",
            KeyState::Active { .. } => "active",
            KeyState::Retired { .. } => "retired",
        })
        .collect()
}

#[test]
fn bootstrap_makes_one_active_key() {
    let mut r = KeyRing::new(policy());
    assert!(r.active_signer().is_none());
    r.tick(t(0)).unwrap();
    assert_eq!(states(&r), ["active"]);
    assert!(r.plan(t(H)).is_empty());
}

#[test]
fn full_cycle_publishes_ahead_and_keeps_retired_keys() {
    let p = policy();
    let mut r = KeyRing::new(p);
    r.tick(t(0)).unwrap();
    let first = r.active_signer().unwrap().kid().to_owned();
    let rotate = p.rotate_every.as_secs();
    let ahead = p.publish_ahead.as_secs();

    // Just before the publish window: nothing.
    assert!(r.plan(t(rotate - ahead - 1)).is_empty());
    // At the window: a next key appears in the JWKS but does not sign.
    r.tick(t(rotate - ahead)).unwrap();
    assert_eq!(states(&r), ["active", "next"]);
    assert_eq!(r.jwks().keys.len(), 2);
    assert_eq!(r.active_signer().unwrap().kid(), first);
    let next = r.entries()[1].kid().to_owned();
    let KeyState::Next { activates_at } = r.entries()[1].state() else {
        panic!()
    };
    assert_eq!(
        activates_at.since(r.entries()[1].created_at()),
        p.publish_ahead
    );

    // At rotate time: next becomes active, old retires but stays published.
    r.tick(t(rotate)).unwrap();
    assert_eq!(states(&r), ["retired", "active"]);
    assert_eq!(r.active_signer().unwrap().kid(), next);
    assert!(r.jwks().find(&first).is_some());

    // Retired key deleted only after retire_after.
    let retire = p.retire_after.as_secs();
    assert!(r.plan(t(rotate + retire - 1)).is_empty());
    assert_eq!(
        r.plan(t(rotate + retire)),
        [RotationAction::Delete { kid: first.clone() }]
    );
    r.tick(t(rotate + retire)).unwrap();
    assert!(r.jwks().find(&first).is_none());
}

#[test]
fn rotate_now_is_safe_and_force_is_immediate() {
    let p = policy();
    let mut r = KeyRing::new(p);
    r.tick(t(0)).unwrap();
    let first = r.active_signer().unwrap().kid().to_owned();
    let at = r.rotate_now(t(10)).unwrap();
    assert_eq!(at, t(10).saturating_add(p.publish_ahead));
    // Still signing with the old key until the new one has been published long enough.
    r.tick(t(11)).unwrap();
    assert_eq!(r.active_signer().unwrap().kid(), first);
    r.tick(at).unwrap();
    assert_ne!(r.active_signer().unwrap().kid(), first);

    let second = r.active_signer().unwrap().kid().to_owned();
    let forced = r
        .force_rotate_now(at.saturating_add(Duration::from_secs(1)))
        .unwrap();
    assert_ne!(forced, second);
    assert_eq!(r.active_signer().unwrap().kid(), forced);
    r.revoke(&second).unwrap();
    assert!(r.jwks().find(&second).is_none());
}

#[test]
fn stored_round_trip_and_tamper_detection() {
    let root = RootKey::generate().unwrap();
    let mut r = KeyRing::new(policy());
    r.tick(t(0)).unwrap();
    r.rotate_now(t(5)).unwrap();
    let stored = r.to_stored(&root).unwrap();
    assert_eq!(stored.len(), 2);
    let r2 = KeyRing::from_stored(policy(), &stored, &root).unwrap();
    assert_eq!(states(&r2), states(&r));
    assert_eq!(
        r2.active_signer().unwrap().kid(),
        r.active_signer().unwrap().kid()
    );

    // Wrong root key, swapped kid, corrupted ciphertext: all refused.
    assert!(KeyRing::from_stored(policy(), &stored, &RootKey::generate().unwrap()).is_err());
    let mut swapped = stored.clone();
    swapped[0].sealed_private_key = stored[1].sealed_private_key.clone();
    assert!(KeyRing::from_stored(policy(), &swapped, &root).is_err());
    let mut two_active = stored.clone();
    two_active[1].state = StoredState::Active;
    two_active[1].retires_at = Some(1);
    assert!(KeyRing::from_stored(policy(), &two_active, &root).is_err());
}

#[test]
fn signed_tokens_verify_against_published_jwks() {
    let mut r = KeyRing::new(policy());
    r.tick(t(0)).unwrap();
    let token = r.active_signer().unwrap().sign_payload(b"{}").unwrap();
    let keys = crate::KeySet::from_jwks(&r.jwks()).unwrap();
    crate::verify_compact(
        &token,
        &keys,
        &[Algorithm::ES256],
        &crate::Limits::default(),
    )
    .unwrap();
}
