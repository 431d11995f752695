//! Policy pipeline overhead without network: route, subscription check, effective policy, a
//! typical inbound (set-header + choose on a header + set-variable), and an answer built by the
//! gateway (the backend section is empty, so nothing is forwarded).
//!
//! `cargo bench -p sigil-gateway-server --bench pipeline`

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use axum::body::Body;
use criterion::{Criterion, criterion_group, criterion_main};
use sigil_gateway_server::{Gateway, GatewayOptions};
use sigil_policy::GatewayConfig;

const SPEC: &str = r#"{"openapi": "3.0.1", "info": {"title": "b", "version": "1"},
  "paths": {"/items/{id}": {"get": {"operationId": "get-item", "responses": {"200": {"description": "ok"}}}}}}"#;

const TYPICAL: &str = r#"<policies><inbound><base />
  <set-header name="X-Gateway" exists-action="override"><value>sigil</value></set-header>
  <choose>
    <when condition="@(context.Request.Headers.GetValueOrDefault("X-Tier", "free") == "gold")">
      <set-variable name="backend" value="gold" />
    </when>
    <otherwise><set-variable name="backend" value="@(context.Request.Headers.GetValueOrDefault("X-Tenant", "common"))" /></otherwise>
  </choose>
  <set-variable name="tenant" value="@(context.Request.Headers.GetValueOrDefault("X-Tenant", "none").ToUpper())" />
</inbound><backend /><outbound><base /></outbound></policies>"#;

const EMPTY: &str = "<policies><inbound /><backend /><outbound /></policies>";

fn gateway(api_policy: &str) -> Gateway {
    let dir = tempfile::tempdir().unwrap();
    let w = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w(
        "policy.xml",
        "<policies><inbound /><backend /><outbound /></policies>",
    );
    w(
        "apis/b/apiInformation.json",
        r#"{"properties": {"path": "b", "serviceUrl": "http://127.0.0.1:9", "subscriptionRequired": false}}"#,
    );
    w("apis/b/specification.json", SPEC);
    w("apis/b/policy.xml", api_policy);
    let cfg = GatewayConfig::load(dir.path(), &|_| None).unwrap();
    Gateway::new(
        cfg,
        GatewayOptions::default(),
        Arc::new(sigil_core::SystemClock),
    )
    .unwrap()
}

fn request() -> http::Request<Body> {
    http::Request::get("/b/items/42?x=1")
        .header("X-Tier", "gold")
        .header("X-Tenant", "contoso")
        .body(Body::empty())
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut g = c.benchmark_group("pipeline");
    for (name, policy) in [("empty", EMPTY), ("typical_inbound", TYPICAL)] {
        let gw = rt.block_on(async { gateway(policy) });
        g.bench_function(name, |b| {
            b.iter(|| {
                let resp = rt.block_on(gw.handle(request()));
                assert_eq!(resp.status(), 200);
                resp
            });
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
