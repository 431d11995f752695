//! Caching, refresh-ahead, single flight, retries and errors.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sigil_core::{Clock, FixedClock, SystemClock};
use sigil_crypto::{KeyKind, SigningKey};
use sigil_jose::{Jwk, KeySet, ValidationOptions, Validator};
use sigil_token_client::{
    BearerClient, ClientCredential, RetryPolicy, TokenCache, TokenClient, TokenError, secret,
};

use crate::fake::{Answer, Fake};

const CLIENT: &str = "22222222-0000-4000-8000-000000000001";
const SCOPE: &str = "api://fraud-detector/.default";

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(5),
    }
}

fn client(f: &Fake, clock: Arc<dyn Clock>) -> TokenClient {
    TokenClient::builder(f.authority(), CLIENT, secret("s3cret"))
        .clock(clock)
        .retry(fast_retry())
        .build()
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::at(SystemClock.now()))
}

#[tokio::test]
async fn sends_client_credentials_and_caches() {
    let f = Fake::start().await;
    let c = client(&f, clock());
    let t = c.token(SCOPE).await.unwrap();
    assert_eq!(t.secret().expose(), "token-1");
    assert!(!format!("{t:?}").contains("token-1"));
    let again = c.token(SCOPE).await.unwrap();
    assert_eq!(again.secret().expose(), "token-1");
    assert_eq!(f.hits(), 1);
    let form = f.forms.lock().unwrap()[0].clone();
    for (k, v) in [
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT),
        ("client_secret", "s3cret"),
        ("scope", SCOPE),
    ] {
        assert!(
            form.contains(&(k.into(), v.into())),
            "{k} missing in {form:?}"
        );
    }
    // Another resource is another cache entry.
    c.token("api://other/.default").await.unwrap();
    assert_eq!(f.hits(), 2);
    assert_eq!(c.cache().len(), 2);
}

#[tokio::test]
async fn refreshes_five_minutes_before_expiry() {
    let f = Fake::start().await;
    let clk = clock();
    let c = client(&f, clk.clone());
    c.token(SCOPE).await.unwrap();
    clk.advance(Duration::from_secs(3600 - 301));
    assert_eq!(c.token(SCOPE).await.unwrap().secret().expose(), "token-1");
    clk.advance(Duration::from_secs(2));
    assert_eq!(c.token(SCOPE).await.unwrap().secret().expose(), "token-2");
    assert_eq!(f.hits(), 2);
}

#[tokio::test]
async fn thousand_concurrent_callers_make_one_request() {
    let f = Fake::start().await;
    f.set_delay(Duration::from_millis(200));
    let c = client(&f, clock());
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.token(SCOPE).await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().secret().expose(), "token-1");
    }
    assert_eq!(f.hits(), 1);
}

#[tokio::test]
async fn shared_cache_across_clients_keyed_by_client() {
    let f = Fake::start().await;
    let cache = TokenCache::new();
    let a = TokenClient::builder(f.authority(), CLIENT, secret("s"))
        .cache(cache.clone())
        .build();
    let a2 = TokenClient::builder(format!("{}/v2.0/", f.authority()), CLIENT, secret("s"))
        .cache(cache.clone())
        .build();
    let b = TokenClient::builder(f.authority(), "other-client", secret("s"))
        .cache(cache.clone())
        .build();
    a.token(SCOPE).await.unwrap();
    a2.token(SCOPE).await.unwrap();
    assert_eq!(f.hits(), 1, "same authority and client share the entry");
    b.token(SCOPE).await.unwrap();
    assert_eq!(f.hits(), 2);
}

#[tokio::test]
async fn retries_429_honouring_retry_after() {
    let f = Fake::start().await;
    f.push(Answer::Status {
        status: 429,
        retry_after: Some("1".into()),
        body: String::new(),
    });
    f.push(Answer::Status {
        status: 503,
        retry_after: None,
        body: String::new(),
    });
    let c = TokenClient::builder(f.authority(), CLIENT, secret("s"))
        .retry(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_secs(10),
        })
        .build();
    let started = Instant::now();
    assert_eq!(c.token(SCOPE).await.unwrap().secret().expose(), "token-3");
    assert_eq!(f.hits(), 3);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "Retry-After honoured"
    );
}

#[tokio::test]
async fn gives_up_after_max_attempts() {
    let f = Fake::start().await;
    for _ in 0..3 {
        f.push(Answer::Status {
            status: 500,
            retry_after: None,
            body: String::new(),
        });
    }
    let c = client(&f, clock());
    let e = c.token(SCOPE).await.unwrap_err();
    assert!(
        matches!(
            e,
            TokenError::Unavailable {
                attempts: 3,
                status: Some(500),
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(f.hits(), 3);
}

#[tokio::test]
async fn refusal_carries_aadsts_and_is_not_retried() {
    let f = Fake::start().await;
    f.push(Answer::Status {
        status: 401,
        retry_after: None,
        body: r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Trace ID: x","error_codes":[7000215],"correlation_id":"c-1"}"#.into(),
    });
    let c = client(&f, clock());
    let e = c.token(SCOPE).await.unwrap_err();
    assert_eq!(e.aadsts(), Some(7000215));
    assert!(
        matches!(&e, TokenError::Refused { status: 401, error, correlation_id: Some(c), .. } if error == "invalid_client" && c == "c-1")
    );
    assert_eq!(f.hits(), 1);
}

#[tokio::test]
async fn failed_refresh_serves_the_unexpired_token() {
    let f = Fake::start().await;
    let clk = clock();
    let c = client(&f, clk.clone());
    c.token(SCOPE).await.unwrap();
    clk.advance(Duration::from_secs(3500)); // inside the refresh window, not expired
    for _ in 0..3 {
        f.push(Answer::Status {
            status: 503,
            retry_after: None,
            body: String::new(),
        });
    }
    assert_eq!(c.token(SCOPE).await.unwrap().secret().expose(), "token-1");
    clk.advance(Duration::from_secs(200)); // expired now
    for _ in 0..3 {
        f.push(Answer::Status {
            status: 503,
            retry_after: None,
            body: String::new(),
        });
    }
    assert!(c.token(SCOPE).await.is_err());
}

#[tokio::test]
async fn certificate_credential_sends_a_verifiable_assertion() {
    let f = Fake::start().await;
    let key = SigningKey::generate(KeyKind::Rsa2048).unwrap();
    let jwk = Jwk::from_public_parts(&key.public_key());
    let cert_der = b"not really a certificate, but thumbprinted the same way";
    let cred = ClientCredential::certificate(key, cert_der).unwrap();
    assert!(!format!("{cred:?}").contains("PRIVATE"));
    let c = TokenClient::builder(f.authority(), CLIENT, cred).build();
    c.token(SCOPE).await.unwrap();
    let form = f.forms.lock().unwrap()[0].clone();
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(
        get("client_assertion_type").as_deref(),
        Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    );
    assert_eq!(get("client_secret"), None);
    let assertion = get("client_assertion").unwrap();
    let x5t = sigil_jose::base64url::encode(&sigil_crypto::sha1(cert_der));
    let mut keys = KeySet::new();
    keys.insert(Some(x5t.clone()), None, jwk.verifying_key().unwrap())
        .unwrap();
    let v = Validator::new(
        ValidationOptions::new()
            .issuer(CLIENT)
            .audience(c.token_endpoint()),
        keys,
    )
    .unwrap();
    let ok = v.validate(&assertion, SystemClock.now()).unwrap();
    assert_eq!(ok.claims().sub.as_deref(), Some(CLIENT));
    assert_eq!(ok.header().x5t.as_deref(), Some(x5t.as_str()));
    assert_eq!(
        ok.claims().exp.unwrap().secs() - ok.claims().iat.unwrap().secs(),
        600
    );
}

#[tokio::test]
async fn bearer_client_attaches_and_renews_on_401() {
    use axum::http::{HeaderMap, StatusCode};
    let f = Fake::start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/r", listener.local_addr().unwrap());
    // The resource refuses token-1 and accepts anything else.
    let app = axum::Router::new().route(
        "/r",
        axum::routing::post(|h: HeaderMap| async move {
            match h.get("authorization").and_then(|v| v.to_str().ok()) {
                Some("Bearer token-1") => (StatusCode::UNAUTHORIZED, String::new()),
                Some(v) => (StatusCode::OK, v.to_owned()),
                None => (StatusCode::UNAUTHORIZED, String::new()),
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    let bc = BearerClient::new(reqwest::Client::new(), client(&f, clock()), SCOPE);
    let r = bc.send(bc.http().post(&url).body("{}")).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "Bearer token-2");
    assert_eq!(f.hits(), 2);
}
