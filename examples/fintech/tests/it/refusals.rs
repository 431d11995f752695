//! The call succeeds; every token the detector must not accept is refused with the right
//! status and an RFC 6750 challenge that does not echo the token.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use sigil_core::{Clock, FixedClock, SystemClock};
use sigil_example_fintech::{
    FRAUD_DETECTOR_APP_ID, FRAUD_SCOPE, TENANT, TRANSACTION_PROCESSOR_APP_ID, Transaction,
};

use crate::env::{
    EVIL_APP_ID, Env, OTHER_TENANT, READER_APP_ID, idp_active_signer, start_detector,
};

fn assert_refused(got: &(u16, String, String), status: u16, error: &str, token: &str) {
    let (s, www, body) = got;
    assert_eq!(*s, status, "{www}");
    assert!(www.contains(&format!("error=\"{error}\"")), "{www}");
    // Never echo the token or its contents.
    let payload = token.split('.').nth(1).unwrap_or(token);
    assert!(!www.contains(payload) && !body.contains(payload));
    assert!(body.is_empty(), "{body}");
}

#[tokio::test]
async fn transaction_processor_screens_with_fraud_detector() {
    let env = Env::start().await;
    let tp = env.processor();
    let v = tp
        .screen(&Transaction {
            id: "tx-1".into(),
            amount_cents: 12_500,
            currency: "EUR".into(),
        })
        .await
        .unwrap();
    assert_eq!(v.status, "Approved");
    assert_eq!(v.transaction_id, "tx-1");
    assert_eq!(v.screened_for, TRANSACTION_PROCESSOR_APP_ID);
    // The token is cached: a second call makes no token request (same token instance).
    let t1 = tp.tokens().token(FRAUD_SCOPE).await.unwrap();
    tp.screen(&Transaction {
        id: "tx-2".into(),
        amount_cents: 5_000_000,
        currency: "EUR".into(),
    })
    .await
    .unwrap();
    let t2 = tp.tokens().token(FRAUD_SCOPE).await.unwrap();
    assert_eq!(t1.secret(), t2.secret());
    // Readiness is wired.
    let r = reqwest::get(format!("{}/readyz", env.fd_url))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    env.sigil.shutdown().await;
}

#[tokio::test]
async fn hostile_tokens_are_refused() {
    let env = Env::start().await;
    let good = env
        .token(TENANT, TRANSACTION_PROCESSOR_APP_ID, FRAUD_SCOPE)
        .await;
    assert_eq!(env.call(&env.fd_url, &good).await.0, 200);

    // No token at all.
    let (s, www, _) = env.call(&env.fd_url, "").await;
    assert_eq!((s, www.as_str()), (401, "Bearer"));

    // Token substitution (seed 000): a valid token of this tenant for another API.
    let ledger = env
        .token(
            TENANT,
            TRANSACTION_PROCESSOR_APP_ID,
            "api://ledger/.default",
        )
        .await;
    let got = env.call(&env.fd_url, &ledger).await;
    assert_refused(&got, 401, "invalid_token", &ledger);
    assert!(got.1.contains("audience"), "{}", got.1);

    // A token from another tenant (even one carrying a Fraud.Scan role).
    let evil = env
        .token(OTHER_TENANT, EVIL_APP_ID, "api://evil-api/.default")
        .await;
    let got = env.call(&env.fd_url, &evil).await;
    assert_refused(&got, 401, "invalid_token", &evil);
    assert!(got.1.contains("issuer"), "{}", got.1);

    // A token for FraudDetector without the Fraud.Scan role.
    let reader = env
        .token(TENANT, READER_APP_ID, "api://fraud-detector/.default")
        .await;
    let got = env.call(&env.fd_url, &reader).await;
    assert_refused(&got, 403, "insufficient_scope", &reader);

    // An expired token: the detector's clock is two hours ahead (tokens live 60-90 minutes).
    let later: Arc<dyn Clock> = Arc::new(FixedClock::at(
        SystemClock
            .now()
            .saturating_add(Duration::from_secs(2 * 3600)),
    ));
    let (late_fd, _authn) = start_detector(&env.sigil, Some(later)).await;
    let got = env.call(&late_fd, &good).await;
    assert_refused(&got, 401, "invalid_token", &good);
    assert!(got.1.contains("expired"), "{}", got.1);

    // An ID token for the detector, signed with the IdP's real active key.
    let signer = idp_active_signer(&env.sigil).await;
    let now = SystemClock.now().as_secs();
    let id_token = signer
        .sign_claims(&json!({
            "aud": FRAUD_DETECTOR_APP_ID,
            "iss": format!("{}/{TENANT}/v2.0", env.sigil.idp_url()),
            "iat": now, "nbf": now, "exp": now + 3600,
            "nonce": "n-0S6_WzA2Mj", "sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
            "oid": "44444444-0000-4000-8000-000000000001", "tid": TENANT, "ver": "2.0",
            "name": "Alice", "preferred_username": "alice@fintech.example"
        }))
        .unwrap();
    let got = env.call(&env.fd_url, &id_token).await;
    assert_refused(&got, 401, "invalid_token", &id_token);
    assert!(got.1.contains("not of the expected type"), "{}", got.1);

    // The same claims shaped as an access token with the role pass: the refusal above is
    // the token-kind rule, not a bad signature.
    let at = signer
        .sign_claims(&json!({
            "aud": FRAUD_DETECTOR_APP_ID,
            "iss": format!("{}/{TENANT}/v2.0", env.sigil.idp_url()),
            "iat": now, "nbf": now, "exp": now + 3600, "idtyp": "app",
            "roles": ["Fraud.Scan"], "azp": TRANSACTION_PROCESSOR_APP_ID, "tid": TENANT
        }))
        .unwrap();
    assert_eq!(env.call(&env.fd_url, &at).await.0, 200);

    // A tampered token (payload swapped, signature kept).
    let mut parts: Vec<&str> = good.split('.').collect();
    let forged_payload = ledger.split('.').nth(1).unwrap();
    parts[1] = forged_payload;
    let forged = parts.join(".");
    let got = env.call(&env.fd_url, &forged).await;
    assert_refused(&got, 401, "invalid_token", &forged);

    env.sigil.shutdown().await;
}
