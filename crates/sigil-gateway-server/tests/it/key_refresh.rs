//! validate-jwt's `<openid-config>` key cache end to end against a real in-process Sigil IdP:
//! an unknown `kid` refetches once (at most once per 5 minutes per URL, single flight), a
//! forced key rotation is picked up by that refetch, and cached keys keep serving after the
//! 1-hour refresh when the IdP is down. The IdP and the gateway share one fixed clock, so the
//! windows are crossed by moving it, not by sleeping.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;
use sigil_core::{Clock, FixedClock, SystemClock};
use sigil_gateway_server::GatewayOptions;
use sigil_jose::{Algorithm, KeyKind, Signer, SigningKey};
use sigil_testkit::{Options, TestSigil};

use crate::jwt::{DIRECTORY, ON_ERROR, TENANT, token};
use crate::limits::serve;
use crate::support::*;

const MINUTE: u64 = 60;

/// A Sigil IdP with the FinTech directory and a gateway whose `good` API validates its tokens
/// through `<openid-config>`; both run on `clock`.
struct Setup {
    sigil: TestSigil,
    gw: Gw,
    clock: Arc<FixedClock>,
    /// The caller's appId (client of the client-credentials tokens).
    tp: String,
}

async fn setup() -> Setup {
    let clock = Arc::new(FixedClock::at(SystemClock.now()));
    let sigil = TestSigil::start_with(Options {
        clock: Some(clock.clone()),
        ..Options::default()
    })
    .await;
    sigil.apply(DIRECTORY).await;
    let tp = sigil.app_id(TENANT, "FinTech-TransactionProcessor").await;
    let fd = sigil.app_id(TENANT, "FinTech-FraudDetector-API").await;
    let idp = sigil.idp_url().to_owned();
    let openid = format!("{idp}/{TENANT}/v2.0/.well-known/openid-configuration");
    let (backend, _) = echo().await;
    let inbound = format!(
        r#"<validate-jwt header-name="Authorization" require-scheme="Bearer"><openid-config url="{openid}" /><audiences><audience>{fd}</audience></audiences></validate-jwt>"#
    );
    let dir = Folder::new()
        .api("good", "good", &backend, false)
        .api_policy(
            "good",
            &policies(&inbound, "<forward-request />", "", ON_ERROR),
        );
    let opts = GatewayOptions {
        extra_root_certs_pem: vec![std::fs::read_to_string(sigil.ca_cert_path()).unwrap()],
        ..GatewayOptions::default()
    };
    let mut gw = serve(&dir, opts, clock.clone()).await;
    gw.dir = Some(dir);
    Setup {
        sigil,
        gw,
        clock,
        tp,
    }
}

async fn call(gw: &Gw, token: &str) -> Got {
    gw.send(
        gw.req("GET", "/good/items/1")
            .header("Authorization", format!("Bearer {token}")),
    )
    .await
}

fn fetches(gw: &Gw) -> u64 {
    gw.gw.stats().key_fetches
}

fn b64url_json(part: &str) -> Value {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&raw).unwrap()
}

/// The `kid` of a compact token's header.
fn kid(token: &str) -> String {
    let header = token.split('.').next().unwrap();
    b64url_json(header)["kid"].as_str().unwrap().to_owned()
}

/// `token`'s claims (same issuer, audience, lifetime) re-signed by a fresh RSA key under `kid`
/// that the IdP never published.
fn forge(token: &str, kid: &str) -> String {
    let claims = b64url_json(token.split('.').nth(1).unwrap());
    let key = Arc::new(SigningKey::generate(KeyKind::Rsa2048).unwrap());
    Signer::new(key, Algorithm::RS256, kid)
        .unwrap()
        .sign_claims(&claims)
        .unwrap()
}

fn assert_key_not_found(r: &Got) {
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(
        r.header("x-error-reason"),
        Some("TokenSignatureKeyNotFound"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_force_rotated_key_is_accepted_after_exactly_one_refetch() {
    let s = setup().await;
    let t1 = token(&s.sigil, &s.tp).await;
    let r = call(&s.gw, &t1).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(fetches(&s.gw), 2, "discovery + JWKS, once");
    // The kids the gateway now holds (nothing rotated since its fetch).
    let cached: Vec<String> = s.sigil.jwks(TENANT).await["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect();
    assert!(cached.contains(&kid(&t1)), "{cached:?}");

    // Force-rotate until a key the gateway has never seen signs (a forced rotation promotes an
    // already-published next key if the ring had one; the second one is brand new).
    let mut new_kid = String::new();
    for _ in 0..2 {
        let out = s
            .sigil
            .admin_post("/admin/v1.0/keys/rotate?force=true")
            .await;
        new_kid = out["kid"].as_str().unwrap().to_owned();
        if !cached.contains(&new_kid) {
            break;
        }
    }
    assert!(!cached.contains(&new_kid), "{new_kid} {cached:?}");
    // Several callers with new-key tokens at once (single flight): one refetch, and the callers
    // that waited for it verify against the keys it brought instead of being refused.
    let mut fresh = Vec::new();
    for _ in 0..4 {
        fresh.push(token(&s.sigil, &s.tp).await);
    }
    assert!(fresh.iter().all(|t| kid(t) == new_kid));
    let calls = fresh.iter().map(|t| call(&s.gw, t));
    for r in futures_util::future::join_all(calls).await {
        assert_eq!(r.status, 200, "{}", r.body);
    }
    assert_eq!(fetches(&s.gw), 4, "one refetch: discovery + JWKS again");
    // Both keys are now known: no further fetch for either token.
    assert_eq!(call(&s.gw, &fresh[0]).await.status, 200);
    assert_eq!(
        call(&s.gw, &t1).await.status,
        200,
        "the retired key is still published"
    );
    assert_eq!(fetches(&s.gw), 4);
}

#[tokio::test]
async fn an_unknown_kid_refetches_at_most_once_per_five_minutes() {
    let s = setup().await;
    let good = token(&s.sigil, &s.tp).await;
    assert_eq!(call(&s.gw, &good).await.status, 200);
    assert_eq!(fetches(&s.gw), 2);

    // First miss: refused, after one refetch (the key is not published there either).
    let r = call(&s.gw, &forge(&good, "never-published-1")).await;
    assert_key_not_found(&r);
    assert_eq!(
        r.body,
        apim(
            401,
            "IDX10501: Signature validation failed. Unable to match key. Access denied."
        )
    );
    assert_eq!(fetches(&s.gw), 4, "one refetch on the first miss");

    // Another miss within 5 minutes (other kid, other key): refused without a fetch.
    s.clock.advance(Duration::from_secs(4 * MINUTE));
    assert_key_not_found(&call(&s.gw, &forge(&good, "never-published-2")).await);
    assert_eq!(fetches(&s.gw), 4, "no refetch inside the 5-minute window");
    assert_eq!(call(&s.gw, &good).await.status, 200);
    assert_eq!(fetches(&s.gw), 4);

    // Past the window: concurrent misses share a single refetch.
    s.clock.advance(Duration::from_secs(MINUTE + 1));
    let forged: Vec<String> = (0..4)
        .map(|i| forge(&good, &format!("never-published-3-{i}")))
        .collect();
    let calls = forged.iter().map(|t| call(&s.gw, t));
    for r in futures_util::future::join_all(calls).await {
        assert_key_not_found(&r);
    }
    assert_eq!(
        fetches(&s.gw),
        6,
        "exactly one more refetch for the concurrent misses"
    );
    assert_key_not_found(&call(&s.gw, &forge(&good, "never-published-4")).await);
    assert_eq!(fetches(&s.gw), 6);
}

#[tokio::test]
async fn cached_keys_keep_serving_while_the_idp_is_down() {
    let s = setup().await;
    let t1 = token(&s.sigil, &s.tp).await;
    assert_eq!(call(&s.gw, &t1).await.status, 200);
    assert_eq!(fetches(&s.gw), 2);

    // A token issued 55 minutes later by the same key is still valid an hour after the fetch.
    s.clock.advance(Duration::from_secs(55 * MINUTE));
    let t2 = token(&s.sigil, &s.tp).await;
    assert_eq!(kid(&t2), kid(&t1));
    s.sigil.shutdown().await;

    // Past the 1-hour refresh with the IdP gone: the refresh is attempted, fails, and the
    // cached keys serve.
    s.clock.advance(Duration::from_secs(6 * MINUTE));
    let r = call(&s.gw, &t2).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(fetches(&s.gw), 3, "one failed discovery request");
    assert_eq!(call(&s.gw, &t2).await.status, 200);
    assert_eq!(
        fetches(&s.gw),
        3,
        "a failed refresh is retried at most every 5 minutes"
    );

    // An unknown kid while the IdP is down: a plain key-not-found refusal, never a 500.
    let r = call(&s.gw, &forge(&t2, "never-published")).await;
    assert_key_not_found(&r);
    assert_eq!(fetches(&s.gw), 4, "the miss tried the IdP once");

    // Five minutes later the refresh is tried again, and the stale keys still serve.
    s.clock.advance(Duration::from_secs(5 * MINUTE));
    let r = call(&s.gw, &t2).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(fetches(&s.gw), 5);
}
