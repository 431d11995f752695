//! validate-jwt and validate-azure-ad-token against a real in-process Sigil IdP: keys from its
//! openid-config over TLS signed by the local CA, real client-credentials tokens.

use std::sync::Arc;
use std::time::Duration;

use sigil_core::{Clock, FixedClock, SystemClock};
use sigil_gateway_server::GatewayOptions;
use sigil_testkit::TestSigil;

use crate::limits::serve;
use crate::support::*;

pub(crate) const TENANT: &str = "11111111-1111-1111-1111-111111111111";
const SECRET: &str = "tp-secret-value-0123456789abcdef";

pub(crate) const DIRECTORY: &str = r#"tenants:
  - id: 11111111-1111-1111-1111-111111111111
    domains: [fintech.example]
    applications:
      - displayName: FinTech-FraudDetector-API
        identifierUris: [api://fraud-detector]
        appRoles:
          - value: Fraud.Scan
            allowedMemberTypes: [Application]
      - displayName: FinTech-TransactionProcessor
        passwordCredentials:
          - displayName: ci
            secretText: tp-secret-value-0123456789abcdef
            endDateTime: 2099-12-31T00:00:00Z
        requiredResourceAccess:
          - resource: api://fraud-detector
            appRoles: [Fraud.Scan]
            adminConsent: true
"#;

pub(crate) const ON_ERROR: &str = r#"<set-header name="X-Error-Reason" exists-action="override"><value>@(context.LastError.Reason)</value></set-header>"#;

pub(crate) async fn token(sigil: &TestSigil, client: &str) -> String {
    sigil
        .client_credentials_token(TENANT, client, SECRET, "api://fraud-detector/.default")
        .await
}

fn api(f: Folder, name: &str, backend: &str, inbound: &str) -> Folder {
    f.api(name, name, backend, false).api_policy(
        name,
        &policies(inbound, "<forward-request />", "", ON_ERROR),
    )
}

#[tokio::test]
async fn tokens_from_the_sigil_idp() {
    let sigil = TestSigil::start().await;
    sigil.apply(DIRECTORY).await;
    let tp = sigil.app_id(TENANT, "FinTech-TransactionProcessor").await;
    let fd = sigil.app_id(TENANT, "FinTech-FraudDetector-API").await;
    let idp = sigil.idp_url().to_owned();
    let openid = format!("{idp}/{TENANT}/v2.0/.well-known/openid-configuration");
    let get = |url: String| {
        let c = sigil.client();
        async move {
            c.get(url)
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let discovery = get(openid.clone()).await;
    let jwks = get(discovery["jwks_uri"].as_str().unwrap().to_owned()).await;
    // Every published RSA key as n/e (the ring may publish its next key ahead).
    let ne_keys: String = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["kty"] == "RSA")
        .map(|k| {
            format!(
                r#"<key n="{}" e="{}" />"#,
                k["n"].as_str().unwrap(),
                k["e"].as_str().unwrap()
            )
        })
        .collect();
    let (backend, _) = echo().await;
    let jwt = |extra: &str, children: &str| {
        format!(
            r#"<validate-jwt header-name="Authorization" {extra}><openid-config url="{openid}" />{children}</validate-jwt>"#
        )
    };
    let good = format!(
        r#"{}<set-header name="X-Caller" exists-action="override"><value>@(((Jwt)context.Variables["jwt"]).Claims["azp"].FirstOrDefault())</value></set-header>"#,
        jwt(
            r#"output-token-variable-name="jwt" require-scheme="Bearer""#,
            &format!(
                r#"<audiences><audience>{fd}</audience></audiences><required-claims><claim name="roles" match="any"><value>Fraud.Scan</value></claim></required-claims>"#
            )
        )
    );
    let dir = Folder::new();
    let dir = api(dir, "good", &backend, &good);
    let dir = api(
        dir,
        "aud",
        &backend,
        &jwt(
            "",
            "<audiences><audience>api://someone-else</audience></audiences>",
        ),
    );
    let dir = api(
        dir,
        "claim",
        &backend,
        &jwt(
            "",
            r#"<required-claims><claim name="scp"><value>Orders.Read</value></claim></required-claims>"#,
        ),
    );
    let dir = api(
        dir,
        "custom",
        &backend,
        &jwt(
            r#"failed-validation-httpcode="403" failed-validation-error-message="Go away""#,
            "<audiences><audience>api://someone-else</audience></audiences>",
        ),
    );
    // n/e keys (no openid-config) with an issuer the token does not have.
    let dir = api(
        dir,
        "iss",
        &backend,
        &format!(
            r#"<validate-jwt header-name="Authorization"><issuer-signing-keys>{ne_keys}</issuer-signing-keys><issuers><issuer>https://evil.example/</issuer></issuers></validate-jwt>"#
        ),
    );
    let ne_ok = format!(
        r#"<validate-jwt header-name="Authorization"><issuer-signing-keys>{ne_keys}</issuer-signing-keys><issuers><issuer>{idp}/{TENANT}/v2.0</issuer></issuers></validate-jwt>"#
    );
    let dir = api(dir, "ne", &backend, &ne_ok);
    let dir = api(
        dir,
        "aad",
        &backend,
        &format!(
            r#"<validate-azure-ad-token tenant-id="{TENANT}"><client-application-ids><application-id>{tp}</application-id></client-application-ids><audiences><audience>{fd}</audience></audiences></validate-azure-ad-token>"#
        ),
    );
    let dir = api(
        dir,
        "aadother",
        &backend,
        &format!(
            r#"<validate-azure-ad-token tenant-id="{TENANT}"><client-application-ids><application-id>00000000-0000-0000-0000-000000000000</application-id></client-application-ids></validate-azure-ad-token>"#
        ),
    );

    let ca = std::fs::read_to_string(sigil.ca_cert_path()).unwrap();
    let opts = GatewayOptions {
        extra_root_certs_pem: vec![ca],
        entra_authority: idp.clone(),
        ..GatewayOptions::default()
    };
    let clock = Arc::new(FixedClock::at(SystemClock.now()));
    let gw = serve(&dir, opts, clock.clone()).await;
    let t = token(&sigil, &tp).await;
    let call = |path: &str, tok: Option<&str>| {
        let rb = gw.req("GET", &format!("/{path}/items/1"));
        match tok {
            Some(t) => rb.header("Authorization", format!("Bearer {t}")),
            None => rb,
        }
    };

    // Valid: passes, and the output variable is usable in a later expression.
    let r = gw.send(call("good", Some(&t))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["headers"]["x-caller"], tp.as_str());
    let r = gw.send(call("good", Some(&t))).await;
    assert_eq!(r.status, 200);
    let stats = gw.gw.stats();
    assert!(stats.token_cache_hits >= 1, "{stats:?}");
    assert_eq!(stats.key_fetches, 2, "discovery + JWKS, once");

    // Missing token.
    let r = gw.send(call("good", None)).await;
    assert_eq!(
        (r.status, r.body.clone()),
        (401, apim(401, "JWT not present."))
    );
    assert_eq!(r.header("x-error-reason"), Some("TokenNotPresent"));

    // Bad signature: one token's header and payload with another's signature.
    let t2 = token(&sigil, &tp).await;
    let (hp, _) = t.rsplit_once('.').unwrap();
    let (_, sig2) = t2.rsplit_once('.').unwrap();
    let r = gw.send(call("good", Some(&format!("{hp}.{sig2}")))).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.header("x-error-reason"), Some("TokenSignatureInvalid"));

    let r = gw.send(call("aud", Some(&t))).await;
    assert_eq!(
        (r.status, r.body.clone()),
        (
            401,
            apim(401, "IDX10214: Audience validation failed. Access denied.")
        )
    );
    assert_eq!(r.header("x-error-reason"), Some("TokenAudienceNotAllowed"));

    let r = gw.send(call("claim", Some(&t))).await;
    assert_eq!(
        (r.status, r.body.clone()),
        (
            401,
            apim(
                401,
                "JWT is missing the following claims: scp. Access denied."
            )
        )
    );
    assert_eq!(r.header("x-error-reason"), Some("TokenClaimNotFound"));

    let r = gw.send(call("custom", Some(&t))).await;
    assert_eq!((r.status, r.body.clone()), (403, apim(403, "Go away")));
    assert_eq!(r.header("x-error-reason"), Some("TokenAudienceNotAllowed"));

    let r = gw.send(call("iss", Some(&t))).await;
    assert_eq!(
        (r.status, r.body.clone()),
        (
            401,
            apim(401, "IDX10205: Issuer validation failed. Access denied.")
        )
    );
    assert_eq!(r.header("x-error-reason"), Some("TokenIssuerNotAllowed"));
    assert_eq!(gw.send(call("ne", Some(&t))).await.status, 200);

    // validate-azure-ad-token against Sigil as the Entra authority.
    let r = gw.send(call("aad", Some(&t))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = gw.send(call("aadother", Some(&t))).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header("x-error-reason"),
        Some("TokenClaimValueNotAllowed")
    );

    // Expired: the gateway's clock moves past exp (tokens live at most 90 minutes).
    clock.advance(Duration::from_secs(2 * 3_600));
    let r = gw.send(call("good", Some(&t))).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.header("x-error-reason"), Some("TokenExpired"));

    // The IdP goes away: keys already cached keep serving (the token is still refused only
    // because it expired; the failed refresh does not turn it into a key error).
    sigil.shutdown().await;
    clock.advance(Duration::from_secs(2 * 3_600));
    let r = gw.send(call("good", Some(&t))).await;
    assert_eq!(r.header("x-error-reason"), Some("TokenExpired"));
}
