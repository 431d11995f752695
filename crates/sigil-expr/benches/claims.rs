//! A JWT payload read the way validate-jwt reads it (parse once, then exp, nbf, aud, iss, tid
//! and one role), with `Claims` (the text plus a member index) against the `serde_json::Map` it
//! replaced, in the same run. Also what each keeps per token.
//! Run: `cargo bench -p sigil-expr --bench claims`.
#![allow(clippy::expect_used)] // Bench setup: a broken fixture should abort the run loudly.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Map, Value as J};
use sigil_expr::Claims;

/// The payload of an access token from Sigil's IdP for an app (client credentials), shaped as
/// Entra v2 issues them.
const PAYLOAD: &str = r#"{"aud":"22222222-0000-4000-8000-000000000002","iss":"https://localhost:18443/11111111-1111-1111-1111-111111111111/v2.0","iat":1763884800,"nbf":1763884800,"exp":1763888400,"aio":"k2BgYJh8yXH0NkD3c9Qp7l0sAA==","azp":"22222222-0000-4000-8000-000000000001","azpacr":"1","idp":"https://localhost:18443/11111111-1111-1111-1111-111111111111/","idtyp":"app","oid":"7d3f1e4a-5b6c-4d8e-9f01-23456789abcd","rh":"0.AAAA1xc4cZ1ZQkq2.","roles":["Fraud.Scan","Transactions.Read"],"sub":"7d3f1e4a-5b6c-4d8e-9f01-23456789abcd","tid":"11111111-1111-1111-1111-111111111111","uti":"Qm9vdHN0cmFwVXRpMDAwMDAx","ver":"2.0","xms_ftd":"c2lnaWwtbG9jYWw"}"#;

fn with_claims(text: &str) -> bool {
    let c = Claims::parse(text.to_owned()).expect("payload");
    let exp = c.number("exp").expect("exp");
    let nbf = c.number("nbf").expect("nbf");
    let aud = c.any_text("aud", |a| a == "22222222-0000-4000-8000-000000000002");
    let iss = c.str("iss").is_some_and(|i| i.ends_with("/v2.0"));
    let tid = c.str("tid").is_some_and(|t| !t.is_empty());
    let role = c.any_text("roles", |r| r == "Fraud.Scan");
    exp > nbf && aud && iss && tid && role
}

fn with_map(text: &str) -> bool {
    let c: Map<String, J> = serde_json::from_str(text).expect("payload");
    let exp = c.get("exp").and_then(J::as_f64).expect("exp");
    let nbf = c.get("nbf").and_then(J::as_f64).expect("nbf");
    let aud = c.get("aud").and_then(J::as_str) == Some("22222222-0000-4000-8000-000000000002");
    let iss = c
        .get("iss")
        .and_then(J::as_str)
        .is_some_and(|i| i.ends_with("/v2.0"));
    let tid = c
        .get("tid")
        .and_then(J::as_str)
        .is_some_and(|t| !t.is_empty());
    let role = c
        .get("roles")
        .and_then(J::as_array)
        .is_some_and(|r| r.iter().any(|v| v.as_str() == Some("Fraud.Scan")));
    exp > nbf && aud && iss && tid && role
}

fn benches(c: &mut Criterion) {
    assert!(with_claims(PAYLOAD) && with_map(PAYLOAD));
    let mut g = c.benchmark_group("claims");
    g.bench_function("index_parse_and_check", |b| {
        b.iter(|| with_claims(black_box(PAYLOAD)))
    });
    g.bench_function("serde_map_parse_and_check", |b| {
        b.iter(|| with_map(black_box(PAYLOAD)))
    });
    // Reading from a token already held (the verified-token cache hit path).
    let held = Claims::parse(PAYLOAD.to_owned()).expect("payload");
    let map: Map<String, J> = serde_json::from_str(PAYLOAD).expect("payload");
    g.bench_function("index_read_held", |b| {
        b.iter(|| {
            black_box(&held).number("exp").is_some()
                && held.any_text("roles", |r| r == "Fraud.Scan")
                && held.str("iss").is_some()
        });
    });
    g.bench_function("serde_map_read_held", |b| {
        b.iter(|| {
            black_box(&map).get("exp").and_then(J::as_f64).is_some()
                && map
                    .get("roles")
                    .and_then(J::as_array)
                    .is_some_and(|r| r.iter().any(|v| v.as_str() == Some("Fraud.Scan")))
                && map.get("iss").and_then(J::as_str).is_some()
        });
    });
    g.finish();
}

criterion_group!(group, benches);
criterion_main!(group);
