//! `sigil keys rotate --force` (admin API) in the middle of sustained traffic: zero failures.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sigil_example_fintech::{FRAUD_SCOPE, Transaction};

use crate::env::Env;

fn kid(jwt: &str) -> String {
    use base64::Engine as _;
    let h = jwt.split('.').next().unwrap();
    let v: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(h)
            .unwrap(),
    )
    .unwrap();
    v["kid"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forced_key_rotation_mid_traffic_fails_no_request() {
    let env = Arc::new(Env::start().await);
    let before_kid = kid(env
        .processor()
        .tokens()
        .token(FRAUD_SCOPE)
        .await
        .unwrap()
        .secret()
        .expose());
    let fetches_before = env.fd.fetch_count();

    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(4);
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (env, ok, failed) = (env.clone(), ok.clone(), failed.clone());
            tokio::spawn(async move {
                let mut i = 0u64;
                while Instant::now() < deadline {
                    // Alternate a long-lived processor (cached token, old key) with fresh ones
                    // (new token each time, so tokens signed by the new key arrive as soon as
                    // the IdP switches).
                    let tp = env.processor();
                    let tx = Transaction {
                        id: format!("w{w}-{i}"),
                        amount_cents: 100,
                        currency: "EUR".into(),
                    };
                    match tp.screen(&tx).await {
                        Ok(_) => ok.fetch_add(1, Ordering::SeqCst),
                        Err(e) => {
                            eprintln!("request failed: {e}");
                            failed.fetch_add(1, Ordering::SeqCst)
                        }
                    };
                    i += 1;
                }
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_secs(1)).await;
    let r: serde_json::Value = env
        .sigil
        .client()
        .post(format!(
            "{}/admin/v1.0/keys/rotate?force=true",
            env.sigil.idp_url()
        ))
        .bearer_auth(env.sigil.admin_token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let new_kid = r["kid"].as_str().unwrap().to_owned();
    assert_ne!(new_kid, before_kid);

    for w in workers {
        w.await.unwrap();
    }
    let after_kid = kid(env
        .processor()
        .tokens()
        .token(FRAUD_SCOPE)
        .await
        .unwrap()
        .secret()
        .expose());
    assert_eq!(after_kid, new_kid, "the IdP signs with the new key");
    let (ok, failed) = (ok.load(Ordering::SeqCst), failed.load(Ordering::SeqCst));
    eprintln!(
        "rotation loop: {ok} ok, {failed} failed; detector JWKS/discovery fetches: {} -> {}",
        fetches_before,
        env.fd.fetch_count()
    );
    assert_eq!(failed, 0);
    assert!(ok > 20, "sustained traffic ({ok} requests)");
    assert_eq!(
        env.fd.fetch_count() - fetches_before,
        1,
        "the new kid cost exactly one JWKS refetch"
    );
}
