use crate::fixtures::{TENANT, fintech};

#[tokio::test]
async fn admin_api_requires_the_bootstrap_token() {
    let (sigil, _) = fintech().await;
    let url = format!("{}/admin/v1.0/tenants", sigil.idp_url());
    let none = sigil.client().get(&url).send().await.unwrap();
    assert_eq!(none.status(), 401);
    assert!(none.headers().contains_key("www-authenticate"));
    let wrong = sigil
        .client()
        .get(&url)
        .bearer_auth("x".repeat(43))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let post = sigil
        .client()
        .post(format!("{}/admin/v1.0/directory", sigil.idp_url()))
        .body("tenants: []")
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 401);
    let ok = sigil
        .client()
        .get(&url)
        .bearer_auth(sigil.admin_token())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    sigil.shutdown().await;
}

#[tokio::test]
async fn applications_never_expose_secret_hashes() {
    let (sigil, _) = fintech().await;
    let text = sigil
        .client()
        .get(format!(
            "{}/admin/v1.0/tenants/{TENANT}/applications",
            sigil.idp_url()
        ))
        .bearer_auth(sigil.admin_token())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("FinTech-TransactionProcessor"));
    assert!(!text.contains("secretHash"), "{text}");
    sigil.shutdown().await;
}

#[tokio::test]
async fn invalid_document_changes_nothing_and_reapply_is_idempotent() {
    let (sigil, _) = fintech().await;
    let before = export(&sigil).await;
    let r = sigil
        .client()
        .post(format!("{}/admin/v1.0/directory", sigil.idp_url()))
        .bearer_auth(sigil.admin_token())
        .body(format!("tenants:\n  - id: {TENANT}\n    applications:\n      - displayName: X\n        appRoles:\n          - value: A\n            allowedMemberTypes: [Robot]\n"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let e: serde_json::Value = r.json().await.unwrap();
    let detail = e["error"]["details"][0]["message"].as_str().unwrap();
    assert!(detail.starts_with("request:7:"), "{detail}");
    assert!(detail.contains("allowedMemberTypes"), "{detail}");
    assert_eq!(
        export(&sigil).await,
        before,
        "a refused apply changed the directory"
    );

    let again = sigil.apply(&crate::fixtures::fintech_yaml(None)).await;
    assert_eq!(
        again["changes"],
        serde_json::json!([]),
        "re-apply should change nothing"
    );
    assert_eq!(export(&sigil).await, before);
    sigil.shutdown().await;
}

#[tokio::test]
async fn generated_secret_is_returned_once_and_works() {
    let sigil = sigil_testkit::TestSigil::start().await;
    let report = sigil
        .apply(&format!("tenants:\n  - id: {TENANT}\n    applications:\n      - displayName: Api\n        identifierUris: [api://api]\n        appRoles:\n          - value: Read\n            allowedMemberTypes: [Application]\n      - displayName: Client\n        passwordCredentials:\n          - displayName: gen\n        requiredResourceAccess:\n          - resource: api://api\n            appRoles: [Read]\n            adminConsent: true\n"))
        .await;
    let secret = report["generatedSecrets"][0]["secretText"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = report["generatedSecrets"][0]["appId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(secret.len(), 40);
    let (status, body) = sigil
        .token_request(
            TENANT,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &client),
                ("client_secret", &secret),
                ("scope", "api://api/.default"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body:#}");
    let export_text = export(&sigil).await;
    assert!(!export_text.contains(&secret));
    sigil.shutdown().await;
}

async fn export(sigil: &sigil_testkit::TestSigil) -> String {
    sigil
        .client()
        .get(format!("{}/admin/v1.0/directory", sigil.idp_url()))
        .bearer_auth(sigil.admin_token())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}
