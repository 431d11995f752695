//! Per-request validation cost with cached keys, against sigil-jose's `Validator::validate`
//! on the same token in the same run. Target: `Authn::validate` within 1.1× of it.
//!
//! `cargo bench -p sigil-authn --bench validate`

#![allow(clippy::unwrap_used, clippy::expect_used)] // bench setup fails loudly

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use futures_util::FutureExt as _;
use serde_json::json;
use sigil_authn::{Authn, AuthnOptions, Requirement};
use sigil_core::{Clock, SystemClock};
use sigil_crypto::{KeyKind, SigningKey};
use sigil_jose::{Algorithm, KeySet, Signer, TokenKind, ValidationOptions, Validator};

const ISS: &str = "https://login.example/11111111-1111-1111-1111-111111111111/v2.0";
const AUD: &str = "22222222-0000-4000-8000-000000000002";

struct Fixture {
    token: String,
    jose: Validator,
    authn: Authn,
}

fn fixture() -> Fixture {
    let key = Arc::new(SigningKey::generate(KeyKind::Rsa2048).unwrap());
    let signer = Signer::new(key, Algorithm::RS256, "k1").unwrap();
    let now = SystemClock.now().as_secs();
    let token = signer
        .sign_claims(&json!({
            "aud": AUD, "iss": ISS, "iat": now, "nbf": now, "exp": now + 36_000,
            "azp": "22222222-0000-4000-8000-000000000001", "azpacr": "1", "idtyp": "app",
            "oid": "33333333-0000-4000-8000-000000000001", "roles": ["Fraud.Scan"],
            "sub": "33333333-0000-4000-8000-000000000001",
            "tid": "11111111-1111-1111-1111-111111111111", "uti": "AbCdEf0123456789xyzABC",
            "ver": "2.0"
        }))
        .unwrap();
    // A JWKS like Entra's: several keys, ours last.
    let mut keys = KeySet::new();
    for i in 0..3 {
        let other = Signer::new(
            Arc::new(SigningKey::generate(KeyKind::Rsa2048).unwrap()),
            Algorithm::RS256,
            format!("other-{i}"),
        )
        .unwrap();
        keys.insert_jwk(&other.public_jwk()).unwrap();
    }
    keys.insert_jwk(&signer.public_jwk()).unwrap();
    let jose = Validator::new(
        ValidationOptions::new()
            .issuer(ISS)
            .audience(AUD)
            .token_kind(TokenKind::AccessToken),
        keys.clone(),
    )
    .unwrap();
    let authn = Authn::with_keys(
        AuthnOptions::jwks(ISS, "unused")
            .audience("api://fraud-detector")
            .audience(AUD),
        keys,
    )
    .unwrap();
    Fixture { token, jose, authn }
}

fn authn_validate(f: &Fixture, req: &Requirement) {
    // The cached-key path never awaits, so one poll completes it.
    let p = f
        .authn
        .validate(black_box(&f.token))
        .now_or_never()
        .unwrap()
        .unwrap();
    req.check(&p).unwrap();
    black_box(p);
}

fn jose_validate(f: &Fixture) {
    black_box(
        f.jose
            .validate(black_box(&f.token), SystemClock.now())
            .unwrap(),
    );
}

fn benches(c: &mut Criterion) {
    let f = fixture();
    let req = Requirement::app_roles(["Fraud.Scan"]);
    let mut g = c.benchmark_group("validate");
    g.bench_function("sigil_jose::Validator::validate", |b| {
        b.iter(|| jose_validate(&f))
    });
    g.bench_function("sigil_authn::Authn::validate+guard", |b| {
        b.iter(|| authn_validate(&f, &req))
    });
    g.finish();
}

criterion_group!(group, benches);

/// Interleaved rounds, best of each, so both sides see the same machine state.
fn ratio() {
    let f = fixture();
    let req = Requirement::app_roles(["Fraud.Scan"]);
    let n = 2_000;
    let (mut best_jose, mut best_authn) = (Duration::MAX, Duration::MAX);
    for _ in 0..7 {
        let t = Instant::now();
        for _ in 0..n {
            jose_validate(&f);
        }
        best_jose = best_jose.min(t.elapsed());
        let t = Instant::now();
        for _ in 0..n {
            authn_validate(&f, &req);
        }
        best_authn = best_authn.min(t.elapsed());
    }
    let per = |d: Duration| d.as_secs_f64() * 1e6 / f64::from(n);
    println!(
        "RATIO authn/jose = {:.3} (authn {:.2} µs, jose {:.2} µs per token; target ≤ 1.10)",
        best_authn.as_secs_f64() / best_jose.as_secs_f64(),
        per(best_authn),
        per(best_jose)
    );
}

fn main() {
    group();
    Criterion::default().configure_from_args().final_summary();
    ratio();
}
