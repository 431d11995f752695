//! Proxy hygiene: path traversal, framing, body limits, traceparent, X-Forwarded-For.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use sigil_gateway_server::{Gateway, GatewayOptions, PeerAddr};

use crate::support::*;

async fn plain(opts: GatewayOptions) -> Gw {
    let (be, _) = echo().await;
    let f = Folder::new()
        .api("echo", "echo", &be, false)
        .api("admin", "admin", &be, false);
    let mut gw = start_with(f.path(), opts).await;
    gw.dir = Some(f);
    gw
}

#[tokio::test]
async fn dot_segments_are_refused_not_resolved() {
    let gw = plain(GatewayOptions::default()).await;
    for path in [
        "/echo/../admin/items/1",
        "/echo/%2e%2e/admin/items/1",
        "/echo/./items/1",
    ] {
        let req = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assert_eq!(raw(&gw.url, &req).await, 400, "{path}");
    }
    let req = "GET /admin/items/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    assert_eq!(raw(&gw.url, req).await, 200);
}

#[tokio::test]
async fn ambiguous_framing_is_refused() {
    let gw = plain(GatewayOptions::default()).await;
    // Content-Length with Transfer-Encoding: hyper lets chunked win and drops Content-Length
    // (RFC 9112 §6.3), so the backend sees the chunked body and nothing is smuggled.
    let both = "POST /echo/items HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    let (status, text) = raw_full(&gw.url, both).await;
    assert_eq!(status, 200);
    assert!(text.contains(r#""body":"abc""#), "{text}");
    let two = "POST /echo/items HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5\r\nConnection: close\r\n\r\nabcd";
    assert_eq!(raw(&gw.url, two).await, 400);
}

#[tokio::test]
async fn body_limit_is_413() {
    let gw = plain(GatewayOptions {
        max_body_bytes: 10,
        ..GatewayOptions::default()
    })
    .await;
    let r = gw
        .send(gw.req("POST", "/echo/items").body("x".repeat(11)))
        .await;
    assert_eq!(
        (r.status, r.body.clone()),
        (413, apim(413, "Request Entity Too Large"))
    );
    // Streamed (chunked, no length): cut off while forwarding, still 413.
    let chunked = "POST /echo/items HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n";
    assert_eq!(raw(&gw.url, chunked).await, 413);
    let r = gw
        .send(gw.req("POST", "/echo/items").body("x".repeat(10)))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["body"], "x".repeat(10));
}

#[tokio::test]
async fn traceparent_is_propagated_with_a_new_parent() {
    let gw = plain(GatewayOptions::default()).await;
    let tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let j = gw
        .send(gw.req("GET", "/echo/items/1").header("traceparent", tp))
        .await
        .json();
    let sent = j["headers"]["traceparent"].as_str().unwrap();
    assert!(sent.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
    assert!(sent.ends_with("-01"));
    assert_ne!(sent, tp);
}

#[tokio::test]
async fn hop_by_hop_headers_are_not_forwarded() {
    let gw = plain(GatewayOptions::default()).await;
    let j = gw
        .send(
            gw.req("GET", "/echo/items/1")
                .header("Connection", "x-secret")
                .header("x-secret", "1")
                .header("x-keep", "1"),
        )
        .await
        .json();
    assert!(j["headers"].get("x-secret").is_none());
    assert_eq!(j["headers"]["x-keep"], "1");
}

#[tokio::test]
async fn forwarded_for_is_trusted_only_from_listed_proxies() {
    let (be, _) = echo().await;
    let f = Folder::new().api("echo", "echo", &be, false).api_policy(
        "echo",
        &policies(r#"<set-header name="X-Caller"><value>@(context.Request.IpAddress)</value></set-header>"#, "<base />", "", ""),
    );
    let opts = GatewayOptions {
        trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
        ..GatewayOptions::default()
    };
    let gw = Gateway::new(load(f.path()), opts, Arc::new(sigil_core::SystemClock)).unwrap();
    let call = |peer: &str| {
        let mut req = http::Request::get("/echo/items/1")
            .header("x-forwarded-for", "198.51.100.7")
            .body(Body::empty())
            .unwrap();
        req.extensions_mut()
            .insert(PeerAddr(peer.parse::<SocketAddr>().unwrap()));
        let gw = gw.clone();
        async move {
            let r = gw.handle(req).await;
            let b = axum::body::to_bytes(r.into_body(), usize::MAX)
                .await
                .unwrap();
            serde_json::from_slice::<serde_json::Value>(&b).unwrap()
        }
    };
    let j = call("10.1.2.3:5000").await;
    assert_eq!(j["headers"]["x-caller"], "198.51.100.7");
    assert_eq!(j["headers"]["x-forwarded-for"], "198.51.100.7, 10.1.2.3");
    let j = call("203.0.113.5:5000").await;
    assert_eq!(j["headers"]["x-caller"], "203.0.113.5");
    assert_eq!(j["headers"]["x-forwarded-for"], "203.0.113.5");
}

#[tokio::test]
async fn http2_prior_knowledge_works() {
    let gw = plain(GatewayOptions::default()).await;
    let c = reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap();
    let r = c
        .get(format!("{}/echo/items/1", gw.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.version(), reqwest::Version::HTTP_2);
    assert_eq!(r.status(), 200);
}
