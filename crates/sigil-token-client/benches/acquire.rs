//! The cached token acquisition path (a fresh token is in the cache). Target: ≤ 1 µs.
//!
//! `cargo bench -p sigil-token-client --bench acquire`

#![allow(clippy::unwrap_used, clippy::expect_used)] // bench setup fails loudly

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use sigil_token_client::{TokenClient, secret};

const SCOPE: &str = "api://fraud-detector/.default";

/// A token client whose cache holds a fresh token (fetched once from a local endpoint).
fn warm_client(rt: &tokio::runtime::Runtime) -> TokenClient {
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = axum::Router::new().route(
            "/t/oauth2/v2.0/token",
            axum::routing::post(|| async {
                axum::Json(serde_json::json!({
                    "token_type": "Bearer", "expires_in": 3600, "access_token": "eyJ0.eyJ0.c2ln"
                }))
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        let c = TokenClient::builder(format!("{base}/t"), "client", secret("s")).build();
        c.token(SCOPE).await.unwrap();
        // Other resources in the same cache, as a service calling several APIs has.
        for i in 0..8 {
            c.token(&format!("api://other-{i}/.default")).await.unwrap();
        }
        c
    })
}

fn cached(c: &TokenClient) {
    use futures_util::FutureExt as _;
    // A cache hit never awaits, so one poll completes it.
    black_box(c.token(black_box(SCOPE)).now_or_never().unwrap().unwrap());
}

fn benches(crit: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let c = warm_client(&rt);
    crit.bench_function("TokenClient::token (cached)", |b| b.iter(|| cached(&c)));
}

criterion_group!(group, benches);

fn absolute() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let c = warm_client(&rt);
    let n = 200_000;
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..n {
            cached(&c);
        }
        best = best.min(t.elapsed());
    }
    println!(
        "CACHED token path = {:.1} ns per call (target ≤ 1000 ns)",
        best.as_secs_f64() * 1e9 / f64::from(n)
    );
}

fn main() {
    group();
    Criterion::default().configure_from_args().final_summary();
    absolute();
}
