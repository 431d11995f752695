//! A local issuer (RSA keys, a JWKS served over HTTP) and token builders.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde_json::{Value, json};
use sigil_authn::{Authn, AuthnOptions};
use sigil_core::{Clock, SystemClock};
use sigil_crypto::{KeyKind, SigningKey};
use sigil_jose::{Algorithm, JwkSet, Signer};

pub(crate) const TENANT: &str = "11111111-1111-1111-1111-111111111111";
pub(crate) const API: &str = "api://fraud-detector";
pub(crate) const API_APP_ID: &str = "22222222-0000-4000-8000-000000000002";
pub(crate) const CLIENT: &str = "22222222-0000-4000-8000-000000000001";

pub(crate) fn signer(kid: &str) -> Signer {
    let key = Arc::new(SigningKey::generate(KeyKind::Rsa2048).unwrap());
    Signer::new(key, Algorithm::RS256, kid).unwrap()
}

pub(crate) fn now() -> i64 {
    i64::try_from(SystemClock.now().as_secs()).unwrap()
}

/// Entra's v2 app-only access token claims for the API.
pub(crate) fn app_claims(iss: &str) -> Value {
    let n = now();
    json!({
        "aud": API_APP_ID, "iss": iss, "iat": n, "nbf": n, "exp": n + 3600,
        "azp": CLIENT, "azpacr": "1", "idtyp": "app", "oid": "33333333-0000-4000-8000-000000000001",
        "roles": ["Fraud.Scan"], "sub": "33333333-0000-4000-8000-000000000001", "tid": TENANT,
        "uti": "abc", "ver": "2.0"
    })
}

/// A delegated (user) access token with scopes.
pub(crate) fn user_claims(iss: &str, scp: &str) -> Value {
    let mut c = app_claims(iss);
    let o = c.as_object_mut().unwrap();
    o.remove("roles");
    o.insert("idtyp".into(), json!("user"));
    o.insert("scp".into(), json!(scp));
    c
}

/// An OpenID Connect ID token for the API's client id.
pub(crate) fn id_token_claims(iss: &str) -> Value {
    let n = now();
    json!({
        "aud": API_APP_ID, "iss": iss, "iat": n, "nbf": n, "exp": n + 3600,
        "nonce": "n-0S6_WzA2Mj", "sub": "user-sub", "tid": TENANT, "oid": "u1", "ver": "2.0",
        "name": "Alice"
    })
}

pub(crate) fn issuer_url(base: &str) -> String {
    format!("{base}/{TENANT}/v2.0")
}

/// A fake authority: discovery and JWKS on 127.0.0.1:0, counting requests, switchable off.
#[derive(Clone)]
pub(crate) struct FakeIdp {
    pub(crate) base: String,
    jwks: Arc<Mutex<JwkSet>>,
    pub(crate) jwks_hits: Arc<AtomicU64>,
    pub(crate) down: Arc<AtomicBool>,
    delay_ms: Arc<AtomicU64>,
}

impl FakeIdp {
    pub(crate) async fn start(signers: &[&Signer]) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let idp = Self {
            base: base.clone(),
            jwks: Arc::new(Mutex::new(JwkSet {
                keys: signers.iter().map(|s| s.public_jwk()).collect(),
            })),
            jwks_hits: Arc::default(),
            down: Arc::default(),
            delay_ms: Arc::default(),
        };
        let app = Router::new()
            .route(
                &format!("/{TENANT}/v2.0/.well-known/openid-configuration"),
                get(|State(i): State<FakeIdp>| async move {
                    if i.down.load(Ordering::SeqCst) {
                        return Err(StatusCode::SERVICE_UNAVAILABLE);
                    }
                    Ok(axum::Json(json!({
                        "issuer": issuer_url(&i.base),
                        "jwks_uri": format!("{}/{TENANT}/discovery/v2.0/keys", i.base),
                    })))
                }),
            )
            .route(
                &format!("/{TENANT}/discovery/v2.0/keys"),
                get(|State(i): State<FakeIdp>| async move {
                    i.jwks_hits.fetch_add(1, Ordering::SeqCst);
                    let d = i.delay_ms.load(Ordering::SeqCst);
                    if d > 0 {
                        tokio::time::sleep(Duration::from_millis(d)).await;
                    }
                    if i.down.load(Ordering::SeqCst) {
                        return Err(StatusCode::SERVICE_UNAVAILABLE);
                    }
                    Ok(i.jwks.lock().unwrap().to_json())
                }),
            )
            .with_state(idp.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        idp
    }

    pub(crate) fn issuer(&self) -> String {
        issuer_url(&self.base)
    }

    pub(crate) fn authority(&self) -> String {
        format!("{}/{TENANT}", self.base)
    }

    pub(crate) fn publish(&self, signers: &[&Signer]) {
        *self.jwks.lock().unwrap() = JwkSet {
            keys: signers.iter().map(|s| s.public_jwk()).collect(),
        };
    }

    pub(crate) fn set_delay(&self, d: Duration) {
        self.delay_ms
            .store(u64::try_from(d.as_millis()).unwrap(), Ordering::SeqCst);
    }

    pub(crate) fn hits(&self) -> u64 {
        self.jwks_hits.load(Ordering::SeqCst)
    }

    pub(crate) fn options(&self) -> AuthnOptions {
        AuthnOptions::authority(self.authority())
            .audience(API)
            .audience(API_APP_ID)
    }

    pub(crate) async fn authn(&self, opts: AuthnOptions) -> Authn {
        let a = Authn::new(opts, reqwest::Client::new()).unwrap();
        tokio::time::timeout(Duration::from_secs(10), a.ready())
            .await
            .expect("keys load");
        a
    }
}
