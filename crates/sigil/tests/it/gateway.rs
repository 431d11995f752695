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

/// The gateway validates a real token from Sigil's own IdP (keys fetched over HTTPS, trusting
/// the local CA); the folder is rewritten after start, so this also exercises hot reload.
#[tokio::test(flavor = "multi_thread")]
async fn validate_jwt_against_the_local_idp_after_hot_reload() {
    validate_jwt_flow("2").await;
}

/// The same on one thread: with one CPU `sigil up` runs Tokio's current-thread scheduler, where
/// the gateway's key fetch is served by the IdP on the very thread that waits for it.
#[tokio::test(flavor = "multi_thread")]
async fn validate_jwt_against_the_local_idp_on_one_thread() {
    validate_jwt_flow("1").await;
}

async fn validate_jwt_flow(threads: &str) {
    let home = tempfile::tempdir().unwrap();
    let cfg = tempfile::tempdir().unwrap();
    folder(cfg.path(), GREETING);
    let up = crate::proc::Up::start_with_env(
        home.path(),
        &["--gateway-config", cfg.path().to_str().unwrap()],
        &[("TOKIO_WORKER_THREADS", threads)],
    );
    let base = up.gateway.clone().unwrap();
    let home_s = home.path().to_str().unwrap();

    let yaml = home.path().join("dir.yaml");
    std::fs::write(&yaml, "tenants:\n  - id: 11111111-1111-1111-1111-111111111111\n    domains: [fintech.example]\n    applications:\n      - displayName: Api\n        appId: 33333333-0000-4000-8000-000000000001\n        identifierUris: [api://hello]\n        appRoles:\n          - value: Hello.Call\n            allowedMemberTypes: [Application]\n      - displayName: Caller\n        appId: 33333333-0000-4000-8000-000000000002\n        passwordCredentials:\n          - displayName: t\n            secretText: caller-secret-0123456789\n        requiredResourceAccess:\n          - resource: api://hello\n            appRoles: [Hello.Call]\n            adminConsent: true\n").unwrap();
    let out = run(&["apply", "-f", yaml.to_str().unwrap(), "--home", home_s]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let tid = "11111111-1111-1111-1111-111111111111";
    let guard = format!(
        r#"<validate-jwt header-name="Authorization" failed-validation-httpcode="401" failed-validation-error-message="Unauthorized. Access token is missing or invalid."><openid-config url="{}/{tid}/v2.0/.well-known/openid-configuration" /><audiences><audience>33333333-0000-4000-8000-000000000001</audience></audiences><required-claims><claim name="roles" match="any"><value>Hello.Call</value></claim></required-claims></validate-jwt>{GREETING}"#,
        up.url
    );
    folder(cfg.path(), &guard);

    let ca = std::fs::read(home.path().join("pki/ca.crt")).unwrap();
    let idp = crate::proc::client_trusting(&ca);
    let mut token = String::new();
    for _ in 0..50 {
        let r = idp
            .post(format!("{}/{tid}/oauth2/v2.0/token", up.url))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "33333333-0000-4000-8000-000000000002"),
                ("client_secret", "caller-secret-0123456789"),
                ("scope", "api://hello/.default"),
            ])
            .send()
            .await
            .unwrap();
        if r.status() == 200 {
            token = r.json::<serde_json::Value>().await.unwrap()["access_token"]
                .as_str()
                .unwrap()
                .to_owned();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!token.is_empty(), "no token from the IdP");

    // Wait for the reload: without a token the new policy answers 401.
    let gw = reqwest::Client::new();
    let mut status = 0;
    for _ in 0..50 {
        status = gw
            .get(format!("{base}/hello/greet"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        if status == 401 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, 401, "the validate-jwt folder was not picked up");
    let ok = gw
        .get(format!("{base}/hello/greet"))
        .bearer_auth(&token)
        .header("X-Name", "caller")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200, "{:?}", ok.text().await);
    // Change the signature's last character (always to a different one).
    let last = if token.ends_with('A') { 'Q' } else { 'A' };
    let forged = format!("{}{last}", &token[..token.len() - 1]);
    let bad = gw
        .get(format!("{base}/hello/greet"))
        .bearer_auth(&forged)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    assert_eq!(up.terminate().code(), Some(0));
}
