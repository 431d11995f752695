use crate::fixtures::{SECRET, TENANT, fintech, header, payload};

const SCOPE: &str = "api://fraud-detector/.default";

#[tokio::test]
async fn secret_in_body_gets_an_entra_v2_token_with_the_role() {
    let (sigil, tp) = fintech().await;
    let fd = sigil.app_id(TENANT, "FinTech-FraudDetector-API").await;
    let (status, body) = sigil
        .token_request(
            "fintech.example",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &tp),
                ("client_secret", SECRET),
                ("scope", SCOPE),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], SCOPE);
    let expires = body["expires_in"].as_u64().expect("integer expires_in");
    assert!((3600..=5400).contains(&expires));
    assert_eq!(body["ext_expires_in"].as_u64(), Some(expires));
    let token = body["access_token"].as_str().unwrap();
    let c = payload(token);
    assert_eq!(c["aud"], fd.as_str());
    assert_eq!(c["iss"], format!("{}/{TENANT}/v2.0", sigil.idp_url()));
    assert_eq!(c["tid"], TENANT);
    assert_eq!(c["azp"], tp.as_str());
    assert_eq!(c["azpacr"], "1");
    assert_eq!(c["idtyp"], "app");
    assert_eq!(c["roles"], serde_json::json!(["Fraud.Scan"]));
    assert_eq!(c["ver"], "2.0");
    assert_eq!(c["oid"], c["sub"]);
    assert!(c["scp"].is_null());
    let h = header(token);
    assert_eq!(h["typ"], "JWT");
    assert_eq!(h["alg"], "RS256");
    assert!(h["kid"].is_string());
    sigil.shutdown().await;
}

#[tokio::test]
async fn http_basic_authentication_works() {
    let (sigil, tp) = fintech().await;
    let r = sigil
        .client()
        .post(format!("{}/{TENANT}/oauth2/v2.0/token", sigil.idp_url()))
        .basic_auth(&tp, Some(SECRET))
        .form(&[("grant_type", "client_credentials"), ("scope", SCOPE)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    sigil.shutdown().await;
}

/// (name, form, HTTP status, OAuth error, AADSTS code)
type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, u16, &'a str, u64);

/// Every refusal answers Entra's error shape with the right AADSTS code and status.
#[tokio::test]
async fn refusals_have_entra_codes() {
    let (sigil, tp) = fintech().await;
    let reporting = sigil.app_id(TENANT, "FinTech-Reporting").await;
    let cases: Vec<Case<'_>> = vec![
        (
            "wrong secret",
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", &tp),
                ("client_secret", "wrong-secret"),
                ("scope", SCOPE),
            ],
            401,
            "invalid_client",
            7000215,
        ),
        (
            "unknown client",
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "00000000-0000-0000-0000-000000000009"),
                ("client_secret", SECRET),
                ("scope", SCOPE),
            ],
            400,
            "unauthorized_client",
            700016,
        ),
        (
            "unknown resource",
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", &tp),
                ("client_secret", SECRET),
                ("scope", "api://nope/.default"),
            ],
            400,
            "invalid_resource",
            500011,
        ),
        (
            "no consent",
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", &reporting),
                ("client_secret", SECRET),
                ("scope", SCOPE),
            ],
            400,
            "invalid_grant",
            501051,
        ),
        (
            "not .default",
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", &tp),
                ("client_secret", SECRET),
                ("scope", "api://fraud-detector/Fraud.Scan"),
            ],
            400,
            "invalid_scope",
            1002012,
        ),
        (
            "unsupported grant",
            vec![("grant_type", "password"), ("client_id", &tp)],
            400,
            "unsupported_grant_type",
            70003,
        ),
        (
            "no grant_type",
            vec![("client_id", &tp)],
            400,
            "invalid_request",
            900144,
        ),
        (
            "no credential",
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", &tp),
                ("scope", SCOPE),
            ],
            401,
            "invalid_client",
            7000218,
        ),
        (
            "duplicate",
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", &tp),
                ("client_secret", SECRET),
                ("scope", SCOPE),
                ("scope", SCOPE),
            ],
            400,
            "invalid_request",
            90015,
        ),
    ];
    for (name, form, status, error, code) in cases {
        let (got, body) = sigil.token_request(TENANT, &form).await;
        assert_eq!(got, status, "{name}: {body:#}");
        assert_eq!(body["error"], error, "{name}");
        assert_eq!(body["error_codes"][0], code, "{name}");
        let desc = body["error_description"].as_str().unwrap();
        assert!(
            desc.starts_with(&format!("AADSTS{code}: ")),
            "{name}: {desc}"
        );
        assert!(
            desc.contains("Trace ID: ") && desc.contains("Correlation ID: "),
            "{name}"
        );
        assert!(
            body["trace_id"].is_string()
                && body["correlation_id"].is_string()
                && body["timestamp"].is_string()
        );
        assert!(
            !desc.contains("wrong-secret") && !desc.contains(SECRET),
            "{name}: secret echoed"
        );
    }
    let (got, body) = sigil
        .token_request(
            "common",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &tp),
                ("client_secret", SECRET),
                ("scope", SCOPE),
            ],
        )
        .await;
    assert_eq!((got, body["error_codes"][0].as_u64()), (400, Some(900023)));
    let (got, body) = sigil
        .token_request(
            "nope.example",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &tp),
                ("client_secret", SECRET),
                ("scope", SCOPE),
            ],
        )
        .await;
    assert_eq!((got, body["error_codes"][0].as_u64()), (400, Some(90002)));
    sigil.shutdown().await;
}

#[tokio::test]
async fn malformed_bodies_are_400_never_500() {
    let (sigil, _) = fintech().await;
    let url = format!("{}/{TENANT}/oauth2/v2.0/token", sigil.idp_url());
    let bodies: [(&str, Vec<u8>); 5] = [
        (
            "application/json",
            br#"{"grant_type":"client_credentials"}"#.to_vec(),
        ),
        (
            "application/x-www-form-urlencoded",
            vec![0xff, 0xfe, b'=', 0x80],
        ),
        ("application/x-www-form-urlencoded", b"%%%%===&&&".to_vec()),
        ("application/x-www-form-urlencoded", Vec::new()),
        ("text/plain", b"grant_type=client_credentials".to_vec()),
    ];
    for (ct, body) in bodies {
        let r = sigil
            .client()
            .post(&url)
            .header("content-type", ct)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{ct} {body:?}");
        let j: serde_json::Value = r.json().await.unwrap();
        assert!(j["error"].is_string());
    }
    let huge = vec![b'a'; 200 * 1024];
    let r = sigil
        .client()
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    sigil.shutdown().await;
}

#[tokio::test]
async fn correlation_id_is_echoed_from_client_request_id() {
    let (sigil, _) = fintech().await;
    let id = "4d9c0f4e-6f55-4c1e-b4a5-6a8f0a1b2c3d";
    let r = sigil
        .client()
        .post(format!("{}/{TENANT}/oauth2/v2.0/token", sigil.idp_url()))
        .header("client-request-id", id)
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let j: serde_json::Value = r.json().await.unwrap();
    assert_eq!(j["correlation_id"], id);
    sigil.shutdown().await;
}
