use crate::proc::{Up, client_trusting, run};

fn ca_pem(home: &std::path::Path) -> Vec<u8> {
    let out = run(&["ca", "export", "--home", home.to_str().unwrap()]);
    assert!(out.status.success());
    out.stdout
}

#[tokio::test(flavor = "multi_thread")]
async fn up_serves_health_over_tls_trusting_exported_ca_and_exits_0_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let up = Up::start(dir.path());
    let client = client_trusting(&ca_pem(dir.path()));
    let health = client
        .get(format!("{}/healthz", up.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let ready = client
        .get(format!("{}/readyz", up.url))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let status = up.terminate();
    assert_eq!(status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn restart_keeps_ca_and_data() {
    let dir = tempfile::tempdir().unwrap();
    let first = Up::start(dir.path());
    let ca_before = ca_pem(dir.path());
    let id_before = first.installation.clone();
    assert_eq!(first.terminate().code(), Some(0));

    let second = Up::start(dir.path());
    assert_eq!(ca_pem(dir.path()), ca_before, "CA changed across restart");
    assert_eq!(
        second.installation, id_before,
        "installation data lost across restart"
    );
    // The restarted server still presents a chain the old CA validates.
    let client = client_trusting(&ca_before);
    let r = client
        .get(format!("{}/healthz", second.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(second.terminate().code(), Some(0));
}

#[cfg(unix)]
#[test]
fn home_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("h");
    let up = Up::start(&home);
    let mode = std::fs::metadata(&home).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    assert_eq!(up.terminate().code(), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_registers_the_fintech_and_fitbuzz_apps() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "demo-secret-0123456789abcdef";
    // The other FitBuzz secrets are left to be generated.
    let up = Up::start_with_env(
        dir.path(),
        &["--demo"],
        &[("TP_SECRET", secret), ("FITBUZZ_PREMIUM_SECRET", secret)],
    );
    let client = client_trusting(&ca_pem(dir.path()));
    let claims = |tenant: &'static str, client_id: &'static str, scope: &'static str| {
        let client = client.clone();
        let url = format!("{}/{tenant}/oauth2/v2.0/token", up.url);
        async move {
            let r = client
                .post(url)
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", client_id),
                    ("client_secret", secret),
                    ("scope", scope),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{client_id}");
            let body: serde_json::Value = r.json().await.unwrap();
            let payload = body["access_token"]
                .as_str()
                .unwrap()
                .split('.')
                .nth(1)
                .unwrap()
                .to_owned();
            serde_json::from_slice::<serde_json::Value>(&base64_url(&payload)).unwrap()
        }
    };
    let fintech = claims(
        "fintech.example",
        "22222222-0000-4000-8000-000000000001",
        "api://fraud-detector/.default",
    )
    .await;
    assert_eq!(fintech["roles"], serde_json::json!(["Fraud.Scan"]));
    assert_eq!(fintech["aud"], "22222222-0000-4000-8000-000000000002");

    // FitBuzz: the premium member's tier role, and the fixed object id the gateway maps.
    let premium = claims(
        "fitbuzz.example",
        "66666666-0000-4000-8000-000000000012",
        "api://fitbuzz-workouts/.default",
    )
    .await;
    assert_eq!(premium["roles"], serde_json::json!(["PremiumUser"]));
    assert_eq!(premium["aud"], "66666666-0000-4000-8000-000000000001");
    assert_eq!(premium["oid"], "2b8e6d14-7c3a-4f59-b1e0-8d4a6c2f3b22");
    assert_eq!(up.terminate().code(), Some(0));
}

fn base64_url(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap()
}
