//! The token endpoint's in-process cost: `client_credentials` (form already decoded; secret
//! check, directory lookups, claims, RS256 signature) against a raw RSA-2048 signature of the
//! same payload size, measured in the same run. The ratio raw/ours is printed at the end.
//!
//! `cargo bench -p sigil-idp --bench issue`

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark setup may panic

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use sigil_core::UnixTime;
use sigil_crypto::{Algorithm, HmacKey, KeyKind, SigningKey, SystemRandom};
use sigil_idp::{
    CertCredential, ClientAuth, ClientInfo, DirectoryView, Grant, IssueContext, ResourceInfo,
    SecretCheck, Thumbprint, TokenRequest, client_credentials,
};
use sigil_jose::Signer;

const TID: &str = "11111111-1111-1111-1111-111111111111";

/// A directory whose secret check does the real work (HMAC + constant-time compare).
struct Dir {
    key: HmacKey,
    stored: [u8; 32],
}

impl DirectoryView for Dir {
    fn tenant_id(&self, s: &str) -> Option<&str> {
        (s == TID).then_some(TID)
    }
    fn client(&self, _t: &str, _a: &str) -> Option<ClientInfo<'_>> {
        Some(ClientInfo {
            app_id: "22222222-0000-4000-8000-000000000001",
            sp_object_id: "61494291-b58d-495e-8e35-a6d0f0d1deb3",
            display_name: "TP",
        })
    }
    fn check_secret(&self, _t: &str, _a: &str, presented: &str, _n: UnixTime) -> SecretCheck {
        let tag = self
            .key
            .sign(Algorithm::HS256, presented.as_bytes())
            .unwrap_or_default();
        if sigil_crypto::constant_time_eq(&tag, &self.stored) {
            SecretCheck::Valid
        } else {
            SecretCheck::Invalid
        }
    }
    fn certificate(&self, _t: &str, _a: &str, _th: Thumbprint<'_>) -> Option<CertCredential<'_>> {
        None
    }
    fn resource(&self, _t: &str, _id: &str) -> Option<ResourceInfo<'_>> {
        Some(ResourceInfo {
            app_id: "dafd0982-583b-4a9f-95ae-597a4aefa743",
            sp_object_id: "b0f82e78-5a36-4b31-acc3-9de05df139d1",
            assignment_required: true,
            access_token_lifetime_secs: None,
        })
    }
    fn granted_roles(&self, _t: &str, _c: &str, _r: &str) -> Vec<&str> {
        vec!["Fraud.Scan"]
    }
}

fn setup() -> (Dir, Signer, SigningKey, TokenRequest) {
    let key = HmacKey::new(vec![7u8; 32]).unwrap();
    let secret = "bench-secret-0123456789abcdef";
    let tag = key.sign(Algorithm::HS256, secret.as_bytes()).unwrap();
    let stored: [u8; 32] = tag.try_into().unwrap();
    let signing = Arc::new(SigningKey::generate(KeyKind::Rsa2048).unwrap());
    let raw = SigningKey::from_pkcs8(signing.to_pkcs8().unwrap().expose()).unwrap();
    let signer = Signer::new(signing, Algorithm::RS256, "kid").unwrap();
    let req = TokenRequest {
        grant: Grant::ClientCredentials {
            scope: "api://fraud-detector/.default".into(),
        },
        client: ClientAuth::Secret {
            client_id: "22222222-0000-4000-8000-000000000001".into(),
            secret: secret.into(),
        },
    };
    (Dir { key, stored }, signer, raw, req)
}

fn issue(dir: &Dir, signer: &Signer, req: &TokenRequest) -> usize {
    let ctx = IssueContext {
        base_url: "https://localhost:8443",
        tenant_segment: TID,
        now: UnixTime::from_secs(1_800_000_000),
        signer,
        rng: &SystemRandom,
    };
    let len = client_credentials(dir, &ctx, req)
        .map(|r| r.access_token.len())
        .unwrap_or(0);
    assert!(len > 0, "the benchmarked request must succeed");
    len
}

fn bench(c: &mut Criterion) {
    let (dir, signer, raw, req) = setup();
    // The signing input of a real token, so both sides sign the same number of bytes.
    let token = {
        let ctx = IssueContext {
            base_url: "https://localhost:8443",
            tenant_segment: TID,
            now: UnixTime::from_secs(1_800_000_000),
            signer: &signer,
            rng: &SystemRandom,
        };
        client_credentials(&dir, &ctx, &req).unwrap().access_token
    };
    let signing_input = token.rsplit_once('.').unwrap().0.as_bytes().to_vec();

    let mut g = c.benchmark_group("token_endpoint");
    g.measurement_time(Duration::from_secs(3));
    g.bench_function("raw_rsa2048_sign", |b| {
        b.iter(|| {
            raw.sign(Algorithm::RS256, black_box(&signing_input))
                .unwrap()
        })
    });
    g.bench_function("client_credentials", |b| {
        b.iter(|| issue(black_box(&dir), &signer, black_box(&req)))
    });
    g.finish();

    // Interleaved batches: both sides see the same machine load; report the median ratio.
    let mut ratios = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        for _ in 0..20 {
            black_box(raw.sign(Algorithm::RS256, &signing_input).unwrap());
        }
        let raw_t = t.elapsed();
        let t = Instant::now();
        for _ in 0..20 {
            black_box(issue(&dir, &signer, &req));
        }
        let ours = t.elapsed();
        ratios.push(raw_t.as_secs_f64() / ours.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "\nclient_credentials throughput vs raw RSA-2048 sign (median of 21 interleaved rounds): {:.2}x",
        ratios[10]
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
