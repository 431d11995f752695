//! ns/route for `RouteTable::route`, which runs on every gateway request.
//! Run: `cargo bench -p sigil-policy --bench route`.
#![allow(clippy::expect_used)] // Bench setup: a broken fixture should abort the run loudly.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use sigil_policy::route::{RouteTable, UrlTemplate};

/// Ten APIs with path prefixes and ten operations each, literal and `{param}` templates mixed,
/// roughly the shape of the FitBuzz and FinTech configurations scaled up.
fn table() -> RouteTable {
    const PREFIXES: [&str; 10] = [
        "orders/v1",
        "orders/v2",
        "members",
        "payments",
        "fraud",
        "catalog/items",
        "search",
        "notifications",
        "admin",
        "bench",
    ];
    const OPS: [(&str, &str); 10] = [
        ("GET", "/workouts"),
        ("POST", "/workouts"),
        ("GET", "/workouts/{id}"),
        ("PUT", "/workouts/{id}"),
        ("DELETE", "/workouts/{id}"),
        ("GET", "/workouts/{id}/laps/{lap}"),
        ("GET", "/members/{member}/workouts"),
        ("GET", "/files/{name}.{ext}"),
        ("GET", "/health"),
        ("GET", "/static/*"),
    ];
    let mut t = RouteTable::default();
    for (i, prefix) in PREFIXES.iter().enumerate() {
        let ops = OPS
            .iter()
            .enumerate()
            .map(|(j, (m, p))| {
                (
                    format!("op-{i}-{j}"),
                    (*m).to_owned(),
                    UrlTemplate::parse(p).expect("template"),
                )
            })
            .collect();
        t.add_api(&format!("api-{i}"), prefix, ops).expect("prefix");
    }
    t
}

fn bench(c: &mut Criterion) {
    let t = table();
    let mut g = c.benchmark_group("route");
    g.measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    let cases = [
        ("param_hit", "GET", "/bench/workouts/42"),
        ("literal_hit", "GET", "/bench/health"),
        ("two_params", "GET", "/orders/v2/workouts/42/laps/7"),
        ("api_miss", "GET", "/nope/workouts/42"),
        ("operation_miss", "PATCH", "/bench/workouts/42"),
        (
            "percent_encoded",
            "GET",
            "/bench/files/%72eport%20final.tar.gz",
        ),
        ("dot_segments", "GET", "/admin/../bench/./workouts//42/"),
    ];
    for (name, method, path) in cases {
        g.bench_function(name, |b| {
            b.iter(|| {
                let r = t.route(black_box(method), black_box(path));
                black_box(r.is_ok())
            });
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
