//! `sigil gateway check`, `effective-policy`, and `sigil up --gateway-config` serving a request.

use std::path::Path;

use crate::proc::run;

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const SPEC: &str = "openapi: 3.0.1\ninfo:\n  title: Hello\n  version: '1'\npaths:\n  /greet:\n    get:\n      operationId: greet\n      responses:\n        '200':\n          description: ok\n";

/// A folder whose one operation answers from policy (no backend needed).
fn folder(dir: &Path, inbound: &str) {
    write(
        dir,
        "apis/hello/apiInformation.json",
        r#"{"properties":{"displayName":"Hello","path":"hello","serviceUrl":"http://127.0.0.1:9","protocols":["http","https"],"subscriptionRequired":false}}"#,
    );
    write(dir, "apis/hello/specification.yaml", SPEC);
    write(
        dir,
        "apis/hello/operations/greet/policy.xml",
        &format!(
            "<policies><inbound><base />{inbound}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>"
        ),
    );
}

const GREETING: &str = r#"<return-response><set-status code="200" reason="OK" /><set-header name="X-Who" exists-action="override"><value>@(context.Request.Headers.GetValueOrDefault("X-Name", "world"))</value></set-header><set-body>@("hello " + context.Request.Headers.GetValueOrDefault("X-Name", "world"))</set-body></return-response>"#;

#[test]
fn check_accepts_a_valid_folder_and_points_at_errors() {
    let dir = tempfile::tempdir().unwrap();
    folder(dir.path(), GREETING);
    let ok = run(&["gateway", "check", dir.path().to_str().unwrap()]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );

    folder(
        dir.path(),
        r#"<set-header name="X" exists-action="override"><value>@(context.Request.Nope)</value></set-header><frobnicate />"#,
    );
    let bad = run(&["gateway", "check", dir.path().to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    let out = String::from_utf8_lossy(&bad.stdout);
    assert!(
        out.contains("apis/hello/operations/greet/policy.xml:1:"),
        "{out}"
    );
    assert!(out.contains("Nope"), "unknown member named: {out}");
    assert!(out.contains("frobnicate"), "unknown policy named: {out}");
}

#[test]
fn effective_policy_prints_the_merged_document() {
    let dir = tempfile::tempdir().unwrap();
    folder(dir.path(), GREETING);
    write(
        dir.path(),
        "policy.xml",
        r#"<policies><inbound><set-header name="X-Global" exists-action="override"><value>1</value></set-header></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>"#,
    );
    let out = run(&[
        "gateway",
        "effective-policy",
        dir.path().to_str().unwrap(),
        "--api",
        "hello",
        "--operation",
        "greet",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let xml = String::from_utf8_lossy(&out.stdout);
    let global = xml.find("X-Global").expect("global policy merged");
    let op = xml
        .find("return-response")
        .expect("operation policy merged");
    assert!(
        global < op,
        "global inbound runs before the operation's: {xml}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn up_serves_the_gateway_folder() {
    let home = tempfile::tempdir().unwrap();
    let cfg = tempfile::tempdir().unwrap();
    folder(cfg.path(), GREETING);
    let up = crate::proc::Up::start_with(
        home.path(),
        &["--gateway-config", cfg.path().to_str().unwrap()],
    );
    let base = up.gateway.clone().expect("gateway line in banner");
    let r = reqwest::Client::new()
        .get(format!("{base}/hello/greet"))
        .header("X-Name", "sigil")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-who"], "sigil");
    assert_eq!(r.text().await.unwrap(), "hello sigil");
    let missing = reqwest::Client::new()
        .get(format!("{base}/nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(up.terminate().code(), Some(0));
}

#[test]
fn up_refuses_a_broken_gateway_folder_with_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let cfg = tempfile::tempdir().unwrap();
    folder(cfg.path(), "<frobnicate />");
    let out = crate::proc::sigil()
        .args([
            "up",
            "--home",
            home.path().to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
            "--gateway-config",
            cfg.path().to_str().unwrap(),
        ])
        .env("SIGIL_GATEWAY_HTTP_LISTEN", "127.0.0.1:0")
        .env("SIGIL_GATEWAY_HTTPS_LISTEN", "127.0.0.1:0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("frobnicate"));
}
