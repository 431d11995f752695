//! The rate-limit / quota counter path, as `rate-limit-by-key` drives it: build the counter
//! name from a key value, then one `hit` on the store.
//!
//! - `hot_key`: every request counts the same key (one client hammering).
//! - `distinct_keys_full`: every request brings a key never seen before (the load test with
//!   distinct tokens keyed on `uti`) into a store already holding its 100,000-counter bound,
//!   so each hit inserts one counter and evicts one.
//!
//! Before the benchmarks run, the binary prints how much resident memory 120,000 distinct
//! counters take (Linux only; RSS of this process, so approximate).
//!
//! `cargo bench -p sigil-gateway-server --bench counters`

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group};
use sigil_core::UnixTime;
use sigil_gateway_server::counters::{CounterStore, MemoryCounters, Window};

const BOUND: usize = 100_000;
const WINDOW: Window = Window::Sliding(Duration::from_secs(300));

/// A 22-character token id (the shape of a `uti` claim), distinct for every `i`.
fn uti(i: u64, out: &mut [u8; 22]) -> &str {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    // Spread consecutive numbers over all characters, as real ids are.
    let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i;
    for (n, b) in out.iter_mut().enumerate() {
        if n == 11 {
            x = i;
        }
        *b = ABC[(x & 63) as usize];
        x >>= 6;
    }
    std::str::from_utf8(out).unwrap()
}

/// One `rate-limit-by-key` hit, the key built as the policy builds it (`policies/limits.rs`).
fn hit(store: &MemoryCounters, value: &str, now: UnixTime) -> bool {
    let mut key = String::with_capacity("rl:key:".len() + value.len() + ":calls".len());
    key.push_str("rl:key:");
    key.push_str(value);
    store.hit(&key, WINDOW, u64::MAX, now, 1).allowed
}

fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn report_memory() {
    let now = UnixTime::from_secs(1_000_000);
    let mut buf = [0u8; 22];
    let before = rss_bytes();
    let store = MemoryCounters::new(BOUND);
    for i in 0..120_000 {
        hit(&store, uti(i, &mut buf), now);
    }
    let show = |what: &str, store: &MemoryCounters| {
        if let (Some(b), Some(a)) = (before, rss_bytes()) {
            let delta = a.saturating_sub(b);
            println!(
                "counters memory after {what}: {} counters, RSS +{:.1} MiB, {} bytes per counter \
                 ({} heap bytes per counter, allocator overhead not included)",
                store.len(),
                delta as f64 / (1024.0 * 1024.0),
                delta / store.len().max(1) as u64,
                store.heap_bytes() / store.len().max(1)
            );
        }
    };
    show("120,000 distinct keys", &store);
    // Long churn at the bound: tables must not keep growing.
    for i in 120_000..2_000_000 {
        hit(&store, uti(i, &mut buf), now);
    }
    show("2,000,000 distinct keys", &store);
    drop(store);
}

fn bench(c: &mut Criterion) {
    let now = UnixTime::from_secs(1_000_000);
    let mut g = c.benchmark_group("counters");

    let store = MemoryCounters::new(BOUND);
    let mut buf = [0u8; 22];
    let hot = uti(7, &mut buf).to_owned();
    g.bench_function("hot_key", |b| {
        b.iter(|| hit(&store, black_box(&hot), now));
    });

    let store = MemoryCounters::new(BOUND);
    let mut i = 0u64;
    // Twice the bound: every shard is full.
    while i < 2 * BOUND as u64 {
        hit(&store, uti(i, &mut buf), now);
        i += 1;
    }
    g.bench_function("distinct_keys_full", |b| {
        b.iter(|| {
            i += 1;
            hit(&store, uti(i, &mut buf), now)
        });
    });
    g.finish();
}

criterion_group!(benches, bench);

fn main() {
    report_memory();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
