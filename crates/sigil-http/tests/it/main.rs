//! The accept loop under real sockets: in-flight requests survive shutdown, new ones are refused.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use axum::Router;
use axum::routing::get;
use sigil_http::health::Readiness;

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_millis(800)).await;
    "finished"
}

#[tokio::test]
async fn shutdown_drains_in_flight_requests() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let app = Router::new().route("/slow", get(slow));
    let server = tokio::spawn(sigil_http::serve(
        listener,
        None,
        app,
        Box::pin(async move {
            let _ = stop_rx.await;
        }),
        Duration::from_secs(5),
    ));

    let client = reqwest::Client::new();
    let in_flight = tokio::spawn(client.get(format!("http://{addr}/slow")).send());
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop_tx.send(()).unwrap();

    let resp = in_flight.await.unwrap().unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().await.unwrap(), "finished");
    server.await.unwrap().unwrap();
    // The listener is closed: new connections are refused.
    assert!(
        reqwest::Client::new()
            .get(format!("http://{addr}/slow"))
            .send()
            .await
            .is_err()
    );
}

#[tokio::test]
async fn drain_gives_up_after_grace() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let app = Router::new().route(
        "/hang",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            "never"
        }),
    );
    let server = tokio::spawn(sigil_http::serve(
        listener,
        None,
        app,
        Box::pin(async move {
            let _ = stop_rx.await;
        }),
        Duration::from_millis(300),
    ));
    let _hung = tokio::spawn(
        reqwest::Client::new()
            .get(format!("http://{addr}/hang"))
            .send(),
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop_tx.send(()).unwrap();
    let result = server.await.unwrap();
    assert!(
        matches!(result, Err(sigil_http::ServeError::DrainTimeout(1))),
        "{result:?}"
    );
}

#[tokio::test]
async fn readyz_reports_failing_checks() {
    let readiness = Readiness::new()
        .with_check("store", || async { Ok(()) })
        .with_check("keys", || async { Err("no signing key yet".to_owned()) });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (_stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(sigil_http::serve(
        listener,
        None,
        sigil_http::health::router(readiness),
        Box::pin(async move {
            let _ = stop_rx.await;
        }),
        Duration::from_secs(1),
    ));
    let r = reqwest::get(format!("http://{addr}/readyz")).await.unwrap();
    assert_eq!(r.status(), 503);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["not_ready"]["keys"], "no signing key yet");
    assert!(body["not_ready"].get("store").is_none());
    let r = reqwest::get(format!("http://{addr}/healthz"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
