//! The seed-002 multi-tenant folder: the original loads and runs (its validate-jwt points at
//! Entra, so without a token it answers APIM's 401); a copy without the token policies runs the
//! choose/when, subscription routing and X-Tenant-Db snippets unchanged.

use std::path::PathBuf;

use crate::support::*;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[tokio::test]
async fn original_seed_loads_and_demands_a_token() {
    let gw = start(&fixture("seed-002")).await;
    let r = gw
        .send(
            gw.req("GET", "/orders/orders/789")
                .header("Ocp-Apim-Subscription-Key", "gold-primary-key-0001"),
        )
        .await;
    assert_eq!(
        (r.status, r.body.clone()),
        (401, apim(401, "JWT not present."))
    );
    assert_eq!(r.header("x-error-reason"), Some("TokenNotPresent"));
}

#[tokio::test]
async fn subscription_routing_and_tenant_db() {
    let gw = start(&fixture("seed-002-runnable")).await;
    let key = |k: &str| {
        gw.req("GET", "/orders/orders/789")
            .header("Ocp-Apim-Subscription-Key", k)
    };
    let r = gw.send(key("gold-primary-key-0001")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.header("x-backend-host"),
        Some("gold-tenant-backend.azurewebsites.net")
    );
    assert_eq!(r.header("x-tenant-db"), Some("DefaultDB"));
    assert_eq!(r.header("x-gateway"), Some("sigil"));
    let r = gw.send(key("gold-secondary-key-0002")).await;
    assert_eq!(
        r.header("x-backend-host"),
        Some("gold-tenant-backend.azurewebsites.net")
    );
    let r = gw.send(key("all-access-primary-key-01")).await;
    assert_eq!(
        r.header("x-backend-host"),
        Some("default-tenant-backend.azurewebsites.net")
    );
    // Suspended subscription: refused, and the global on-error stamps the reason.
    let r = gw.send(key("standard-primary-key-0001")).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.header("x-error-reason"), Some("SubscriptionKeyInvalid"));
}

#[tokio::test]
async fn create_order_checks_and_health_mock() {
    let gw = start(&fixture("seed-002-runnable")).await;
    let post = |ct: &str, body: &str| {
        gw.req("POST", "/orders/orders")
            .header("Ocp-Apim-Subscription-Key", "all-access-primary-key-01")
            .header("Content-Type", ct.to_owned())
            .body(body.to_owned())
    };
    let r = gw.send(post("text/plain", "{}")).await;
    assert_eq!((r.status, r.body.clone()), (415, apim(415, "JSON only")));
    assert_eq!(r.header("x-error-reason"), Some("HeaderValueNotAllowed"));
    let r = gw
        .send(post("application/json", r#"{"q": "1; drop table orders"}"#))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body, "");
    let r = gw.get("/health/").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), serde_json::json!({"status": "up"}));
    assert_eq!(r.header("server"), None);
}

#[tokio::test]
async fn seed_cors_preflight() {
    let gw = start(&fixture("seed-002-runnable")).await;
    let r = gw
        .send(
            gw.req("OPTIONS", "/orders/orders/1")
                .header("Origin", "https://app.fitness.example")
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "Authorization"),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://app.fitness.example")
    );
    assert_eq!(r.header("access-control-max-age"), Some("300"));
}
