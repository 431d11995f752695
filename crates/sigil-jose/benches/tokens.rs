//! Token sign/verify cost against the raw aws-lc primitive, measured in the same run.
//!
//! Run: `cargo bench -p sigil-jose --bench tokens` (criterion, then the interleaved ratio
//! summary that the >= 0.9 goals are judged by), `scripts/bench-ratios` for criterion's ratio
//! table (raw time / our time; 1.0 means no overhead), or
//! `SIGIL_BENCH_RATIOS_ONLY=1 cargo bench -p sigil-jose --bench tokens` for the summary alone.
//! The `parts` group times the non-crypto pieces of `validate` (payload base64, header JSON,
//! claims JSON, and the JSON scan alone as a floor).

// Setup failures in a benchmark should abort loudly.
#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, KeyPair as _, ParsedPublicKey};
use criterion::{Criterion, criterion_group};
use serde_json::json;
use sigil_core::UnixTime;
use sigil_jose::{
    Algorithm, Claims, Header, KeyKind, KeySet, Signer, SigningKey, ValidationOptions, Validator,
};

const NOW: u64 = 1_700_000_000;
const ISS: &str = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0";
const AUD: &str = "6e74172b-be56-4843-9ff4-e66a39bb12e3";

fn entra_claims() -> serde_json::Value {
    json!({
        "aud": AUD, "iss": ISS, "iat": NOW - 60, "nbf": NOW - 60, "exp": NOW + 3600,
        "aio": "AXQAi/8UAAAAr1h9vWz3Xy5tF3bR2q", "azp": "d3b2c1a0-1111-2222-3333-444455556666", "azpacr": "1",
        "name": "Abe Lincoln", "oid": "690222be-ff1a-4d56-abd1-7e4f7d38e474",
        "preferred_username": "abeli@microsoft.com", "rh": "0.AAAA.I",
        "scp": "access_as_user User.Read", "sub": "HKZpfaHyWadeOouYlitjrI-KffTm222X5rrV3xDqfKQ",
        "tid": "72f988bf-86f1-41af-91ab-2d7cd011db47", "uti": "fqiBqXLPj0eQa82S-IYFAA", "ver": "2.0"
    })
}

struct Case {
    name: &'static str,
    kind: KeyKind,
    alg: Algorithm,
}

fn bench(c: &mut Criterion) {
    let cases = [
        Case {
            name: "rs256",
            kind: KeyKind::Rsa2048,
            alg: Algorithm::RS256,
        },
        Case {
            name: "es256",
            kind: KeyKind::P256,
            alg: Algorithm::ES256,
        },
        Case {
            name: "eddsa",
            kind: KeyKind::Ed25519,
            alg: Algorithm::EdDSA,
        },
    ];
    let claims = entra_claims();
    for case in cases {
        let key = Arc::new(SigningKey::generate(case.kind).unwrap());
        let pkcs8 = key.to_pkcs8().unwrap();
        let signer = Signer::new(key.clone(), case.alg, "kid-1").unwrap();
        let token = signer.sign_claims(&claims).unwrap();
        let (signing_input, sig_b64) = token.rsplit_once('.').unwrap();
        let sig = sigil_jose::base64url::decode(sig_b64).unwrap();
        let mut ks = KeySet::new();
        ks.insert_jwk(&signer.public_jwk()).unwrap();
        let validator =
            Validator::new(ValidationOptions::new().issuer(ISS).audience(AUD), ks).unwrap();
        let now = UnixTime::from_secs(NOW);
        validator.validate(&token, now).unwrap();

        // Raw aws-lc baselines over the same message bytes, keys parsed once.
        let rng = SystemRandom::new();
        let msg = signing_input.as_bytes();
        let mut g = c.benchmark_group(case.name);
        match case.kind {
            KeyKind::Rsa2048 => {
                let kp = aws_lc_rs::rsa::KeyPair::from_pkcs8(pkcs8.expose()).unwrap();
                let pk = ParsedPublicKey::new(
                    &signature::RSA_PKCS1_2048_8192_SHA256,
                    kp.public_key().as_ref(),
                )
                .unwrap();
                let mut out = vec![0u8; kp.public_modulus_len()];
                g.bench_function("raw_sign", |b| {
                    b.iter(|| {
                        kp.sign(&signature::RSA_PKCS1_SHA256, &rng, black_box(msg), &mut out)
                            .unwrap()
                    })
                });
                g.bench_function("raw_verify", |b| {
                    b.iter(|| pk.verify_sig(black_box(msg), &sig).unwrap())
                });
            }
            KeyKind::P256 => {
                let kp = signature::EcdsaKeyPair::from_pkcs8(
                    &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                    pkcs8.expose(),
                )
                .unwrap();
                let pk = ParsedPublicKey::new(
                    &signature::ECDSA_P256_SHA256_FIXED,
                    kp.public_key().as_ref(),
                )
                .unwrap();
                g.bench_function("raw_sign", |b| {
                    b.iter(|| kp.sign(&rng, black_box(msg)).unwrap())
                });
                g.bench_function("raw_verify", |b| {
                    b.iter(|| pk.verify_sig(black_box(msg), &sig).unwrap())
                });
            }
            _ => {
                let kp =
                    signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8.expose()).unwrap();
                let pk =
                    ParsedPublicKey::new(&signature::ED25519, kp.public_key().as_ref()).unwrap();
                g.bench_function("raw_sign", |b| b.iter(|| kp.sign(black_box(msg))));
                g.bench_function("raw_verify", |b| {
                    b.iter(|| pk.verify_sig(black_box(msg), &sig).unwrap())
                });
            }
        }
        let vk = key.verifying_key().unwrap();
        g.bench_function("sigil_crypto_sign", |b| {
            b.iter(|| key.sign(case.alg, black_box(msg)).unwrap())
        });
        g.bench_function("sigil_crypto_verify", |b| {
            b.iter(|| vk.verify(case.alg, black_box(msg), &sig).unwrap())
        });
        g.bench_function("sigil_sign_claims", |b| {
            b.iter(|| signer.sign_claims(black_box(&claims)).unwrap())
        });
        g.bench_function("sigil_validate", |b| {
            b.iter(|| validator.validate(black_box(&token), now).unwrap())
        });
        g.finish();
    }
    parts(c, &claims);
}

/// The non-crypto pieces of `validate`, so a regression shows where it is.
fn parts(c: &mut Criterion, claims: &serde_json::Value) {
    let key = Arc::new(SigningKey::generate(KeyKind::Ed25519).unwrap());
    let signer = Signer::new(key, Algorithm::EdDSA, "kid-1").unwrap();
    let token = signer.sign_claims(claims).unwrap();
    let mut it = token.split('.');
    let (h, p) = (it.next().unwrap(), it.next().unwrap());
    let header = sigil_jose::base64url::decode(h).unwrap();
    let payload = sigil_jose::base64url::decode(p).unwrap();
    let mut g = c.benchmark_group("parts");
    g.bench_function("payload_b64_decode", |b| {
        b.iter(|| sigil_jose::base64url::decode(black_box(p)).unwrap())
    });
    g.bench_function("header_json", |b| {
        b.iter(|| serde_json::from_slice::<Header>(black_box(&header)).unwrap())
    });
    g.bench_function("claims_json", |b| {
        b.iter(|| serde_json::from_slice::<Claims>(black_box(&payload)).unwrap())
    });
    let text = std::str::from_utf8(&payload).unwrap();
    g.bench_function("claims_json_str", |b| {
        b.iter(|| serde_json::from_str::<Claims>(black_box(text)).unwrap())
    });
    g.bench_function("scan_only_floor", |b| {
        b.iter(|| serde_json::from_str::<serde::de::IgnoredAny>(black_box(text)).unwrap())
    });
    g.bench_function("claims_to_json", |b| {
        b.iter(|| serde_json::to_vec(black_box(claims)).unwrap())
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1)).sample_size(30);
    targets = bench
}

/// Ratio of raw to Sigil time, measured interleaved (raw batch, Sigil batch, repeat) and taking
/// the median of per-round ratios, so background load on a shared machine hits both sides alike.
fn interleaved_ratio(mut raw: impl FnMut(), mut ours: impl FnMut()) -> f64 {
    const ROUNDS: usize = 41;
    const BATCH: usize = 20;
    let mut ratios = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let t = Instant::now();
        for _ in 0..BATCH {
            raw();
        }
        let r = t.elapsed();
        let t = Instant::now();
        for _ in 0..BATCH {
            ours();
        }
        let o = t.elapsed();
        ratios.push(r.as_secs_f64() / o.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    ratios[ROUNDS / 2]
}

/// The same claims as a borrowed struct, the way an issuer (sigil-idp) serialises them.
#[derive(serde::Serialize)]
struct EntraAccessClaims<'a> {
    aud: &'a str,
    iss: &'a str,
    iat: u64,
    nbf: u64,
    exp: u64,
    aio: &'a str,
    azp: &'a str,
    azpacr: &'a str,
    name: &'a str,
    oid: &'a str,
    preferred_username: &'a str,
    rh: &'a str,
    scp: &'a str,
    sub: &'a str,
    tid: &'a str,
    uti: &'a str,
    ver: &'a str,
}

fn typed_claims() -> EntraAccessClaims<'static> {
    EntraAccessClaims {
        aud: AUD,
        iss: ISS,
        iat: NOW - 60,
        nbf: NOW - 60,
        exp: NOW + 3600,
        aio: "AXQAi/8UAAAAr1h9vWz3Xy5tF3bR2q",
        azp: "d3b2c1a0-1111-2222-3333-444455556666",
        azpacr: "1",
        name: "Abe Lincoln",
        oid: "690222be-ff1a-4d56-abd1-7e4f7d38e474",
        preferred_username: "abeli@microsoft.com",
        rh: "0.AAAA.I",
        scp: "access_as_user User.Read",
        sub: "HKZpfaHyWadeOouYlitjrI-KffTm222X5rrV3xDqfKQ",
        tid: "72f988bf-86f1-41af-91ab-2d7cd011db47",
        uti: "fqiBqXLPj0eQa82S-IYFAA",
        ver: "2.0",
    }
}

/// One timed operation.
type Op<'a> = Box<dyn FnMut() + 'a>;

/// Raw aws-lc sign and verify of `msg` (giving `sig`) with the key in `pkcs8`.
fn raw_ops<'a>(kind: KeyKind, pkcs8: &[u8], msg: &'a [u8], sig: &'a [u8]) -> (Op<'a>, Op<'a>) {
    let rng = SystemRandom::new();
    match kind {
        KeyKind::Rsa2048 => {
            let kp = Arc::new(aws_lc_rs::rsa::KeyPair::from_pkcs8(pkcs8).unwrap());
            let pk = ParsedPublicKey::new(
                &signature::RSA_PKCS1_2048_8192_SHA256,
                kp.public_key().as_ref(),
            )
            .unwrap();
            let mut out = vec![0u8; kp.public_modulus_len()];
            (
                Box::new(move || {
                    kp.sign(&signature::RSA_PKCS1_SHA256, &rng, black_box(msg), &mut out)
                        .unwrap();
                }),
                Box::new(move || pk.verify_sig(black_box(msg), sig).unwrap()),
            )
        }
        KeyKind::P256 => {
            let kp = signature::EcdsaKeyPair::from_pkcs8(
                &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                pkcs8,
            )
            .unwrap();
            let pk = ParsedPublicKey::new(
                &signature::ECDSA_P256_SHA256_FIXED,
                kp.public_key().as_ref(),
            )
            .unwrap();
            (
                Box::new(move || {
                    black_box(kp.sign(&rng, black_box(msg)).unwrap());
                }),
                Box::new(move || pk.verify_sig(black_box(msg), sig).unwrap()),
            )
        }
        _ => {
            let kp = signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8).unwrap();
            let pk = ParsedPublicKey::new(&signature::ED25519, kp.public_key().as_ref()).unwrap();
            (
                Box::new(move || {
                    black_box(kp.sign(black_box(msg)));
                }),
                Box::new(move || pk.verify_sig(black_box(msg), sig).unwrap()),
            )
        }
    }
}

fn summary() {
    println!("\nInterleaved ratios (raw aws-lc time / Sigil time; >= 0.90 required):");
    println!(
        "  sign = Signer::sign_claims(serde_json::Value), verify+claims = Validator::validate;"
    );
    println!(
        "  typed = sign_claims(borrowed struct, as sigil-idp does); crypto = sigil-crypto alone"
    );
    let claims = entra_claims();
    let typed = typed_claims();
    let now = UnixTime::from_secs(NOW);
    for (name, kind, alg) in [
        ("RS256", KeyKind::Rsa2048, Algorithm::RS256),
        ("ES256", KeyKind::P256, Algorithm::ES256),
        ("EdDSA", KeyKind::Ed25519, Algorithm::EdDSA),
    ] {
        let key = Arc::new(SigningKey::generate(kind).unwrap());
        let pkcs8 = key.to_pkcs8().unwrap();
        let signer = Signer::new(key.clone(), alg, "kid-1").unwrap();
        let token = signer.sign_claims(&claims).unwrap();
        assert_eq!(signer.sign_claims(&typed).unwrap().len(), token.len());
        let (input, sig_b64) = token.rsplit_once('.').unwrap();
        let sig = sigil_jose::base64url::decode(sig_b64).unwrap();
        let mut ks = KeySet::new();
        ks.insert_jwk(&signer.public_jwk()).unwrap();
        let v = Validator::new(ValidationOptions::new().issuer(ISS).audience(AUD), ks).unwrap();
        let vk = key.verifying_key().unwrap();
        let msg = input.as_bytes();
        let (mut raw_sign, mut raw_verify) = raw_ops(kind, pkcs8.expose(), msg, &sig);
        let s = interleaved_ratio(&mut raw_sign, || {
            black_box(signer.sign_claims(black_box(&claims)).unwrap());
        });
        let vr = interleaved_ratio(&mut raw_verify, || {
            black_box(v.validate(black_box(&token), now).unwrap());
        });
        let st = interleaved_ratio(&mut raw_sign, || {
            black_box(signer.sign_claims(black_box(&typed)).unwrap());
        });
        let cs = interleaved_ratio(&mut raw_sign, || {
            black_box(key.sign(alg, black_box(msg)).unwrap());
        });
        let cv = interleaved_ratio(&mut raw_verify, || {
            vk.verify(alg, black_box(msg), &sig).unwrap();
        });
        println!(
            "  {name}: sign {s:.2}x   verify+claims {vr:.2}x   | typed sign {st:.2}x   crypto sign {cs:.2}x   crypto verify {cv:.2}x"
        );
    }
}

fn main() {
    // `SIGIL_BENCH_RATIOS_ONLY=1`: skip the criterion runs and print only the interleaved
    // ratios (the quick check that the >= 0.9 goals hold).
    if std::env::var_os("SIGIL_BENCH_RATIOS_ONLY").is_some_and(|v| v == "1") {
        summary();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
    // Profiling one function (`--profile-time`) should not also run the ratio rounds.
    if !std::env::args().any(|a| a == "--profile-time") {
        summary();
    }
}
