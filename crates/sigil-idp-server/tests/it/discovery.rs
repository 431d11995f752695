use crate::fixtures::{TENANT, fintech};

#[tokio::test]
async fn tenant_discovery_by_guid_and_domain() {
    let (sigil, _) = fintech().await;
    let base = sigil.idp_url().to_owned();
    for segment in [TENANT, "fintech.example", "FINTECH.example"] {
        let r = sigil
            .client()
            .get(format!(
                "{base}/{segment}/v2.0/.well-known/openid-configuration"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{segment}");
        assert_eq!(
            r.headers()["content-type"],
            "application/json; charset=utf-8"
        );
        let d: serde_json::Value = r.json().await.unwrap();
        assert_eq!(d["issuer"], format!("{base}/{TENANT}/v2.0"));
        assert_eq!(
            d["token_endpoint"],
            format!("{base}/{TENANT}/oauth2/v2.0/token")
        );
        assert_eq!(
            d["jwks_uri"],
            format!("{base}/{TENANT}/discovery/v2.0/keys")
        );
        assert_eq!(
            d["id_token_signing_alg_values_supported"],
            serde_json::json!(["RS256"])
        );
        assert!(d["authorization_endpoint"].is_string() && d["end_session_endpoint"].is_string());
    }
    sigil.shutdown().await;
}

#[tokio::test]
async fn common_uses_the_tenantid_template_and_unknown_tenant_is_400() {
    let (sigil, _) = fintech().await;
    let base = sigil.idp_url().to_owned();
    let d: serde_json::Value = sigil
        .client()
        .get(format!(
            "{base}/common/v2.0/.well-known/openid-configuration"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["issuer"], format!("{base}/{{tenantid}}/v2.0"));
    let r = sigil
        .client()
        .get(format!(
            "{base}/nope.example/v2.0/.well-known/openid-configuration"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["error_codes"][0], 90002);
    sigil.shutdown().await;
}

#[tokio::test]
async fn jwks_publishes_the_active_rsa_key() {
    let (sigil, _) = fintech().await;
    let base = sigil.idp_url().to_owned();
    for path in [
        format!("{TENANT}/discovery/v2.0/keys"),
        "common/discovery/keys".to_owned(),
    ] {
        let j: serde_json::Value = sigil
            .client()
            .get(format!("{base}/{path}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let keys = j["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0]["kty"], "RSA");
        assert_eq!(keys[0]["use"], "sig");
        assert!(keys[0]["d"].is_null(), "private member published!");
    }
    sigil.shutdown().await;
}

#[tokio::test]
async fn instance_discovery_answers_for_this_host_only() {
    let (sigil, _) = fintech().await;
    let base = sigil.idp_url().to_owned();
    let ok = sigil
        .client()
        .get(format!("{base}/common/discovery/instance?api-version=1.1&authorization_endpoint={base}/common/oauth2/v2.0/authorize"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let bad = sigil
        .client()
        .get(format!("{base}/common/discovery/instance?api-version=1.1&authorization_endpoint=https://evil.example/x"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    sigil.shutdown().await;
}
