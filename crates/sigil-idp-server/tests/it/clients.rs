//! Unmodified Microsoft and OIDC client libraries against a real Sigil (docs/client-tests.md).
//!
//! Each case runs the real library (MSAL Python/Node, azure-identity Python/Node, openid-client,
//! PyJWT, jose) in a child process through `sigil_testkit::clients`, trusting Sigil's local CA
//! only through the environment. Needs `scripts/install-test-clients` (run by `scripts/test`).

use sigil_testkit::TestSigil;
use sigil_testkit::clients::{
    Client, ClientCertificate, ClientJob, ClientOutcome, make_client_certificate, run_async,
};

use crate::fixtures::{SECRET, TENANT, fintech_yaml};

const SCOPE: &str = "api://fraud-detector/.default";

/// The FinTech directory with a certificate on TransactionProcessor, plus the ids the cases need.
struct Fixture {
    sigil: TestSigil,
    /// TransactionProcessor: secret + certificate, holds `Fraud.Scan`.
    tp: String,
    /// FraudDetector: the API (`aud` of the tokens).
    fd: String,
    /// Reporting: a secret but no consent to the API.
    reporting: String,
    cert: ClientCertificate,
    unregistered: ClientCertificate,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let cert = make_client_certificate(dir.path(), "transaction-processor");
    let unregistered = make_client_certificate(dir.path(), "impostor");
    let pem = std::fs::read_to_string(&cert.cert_pem_path).unwrap();
    let sigil = TestSigil::start().await;
    sigil.apply(&fintech_yaml(Some(&pem))).await;
    let tp = sigil.app_id(TENANT, "FinTech-TransactionProcessor").await;
    let fd = sigil.app_id(TENANT, "FinTech-FraudDetector-API").await;
    let reporting = sigil.app_id(TENANT, "FinTech-Reporting").await;
    Fixture {
        sigil,
        tp,
        fd,
        reporting,
        cert,
        unregistered,
        _dir: dir,
    }
}

impl Fixture {
    fn job(&self, client_id: &str) -> ClientJob {
        ClientJob::client_credentials(self.sigil.idp_url(), TENANT, client_id, SCOPE)
    }

    fn with_cert(&self, cert: &ClientCertificate) -> ClientJob {
        self.job(&self.tp)
            .with_certificate(&cert.cert_pem_path, &cert.key_pem_path)
    }

    fn verify(&self, token: &str, issuer: &str, audience: &str) -> ClientJob {
        let jwks = format!("{}/{TENANT}/discovery/v2.0/keys", self.sigil.idp_url());
        ClientJob::verify(token, &jwks, issuer, audience)
    }

    fn issuer(&self) -> String {
        format!("{}/{TENANT}/v2.0", self.sigil.idp_url())
    }

    async fn run(&self, client: Client, job: &ClientJob) -> ClientOutcome {
        run_async(client, job, self.sigil.ca_cert_path()).await
    }
}

/// Every secret client gets a token that PyJWT and jose both accept, with the Entra v2 claims of
/// an app-only token.
#[tokio::test(flavor = "multi_thread")]
async fn secret_clients_get_tokens_that_validators_accept() {
    let f = fixture().await;
    for client in Client::SECRET {
        let out = f.run(client, &f.job(&f.tp).with_secret(SECRET)).await;
        let token = out.access_token().to_owned();
        let expires_in = out.expires_in.unwrap_or_default();
        assert!(expires_in > 3000, "{client:?}: expires_in {expires_in}");
        for validator in Client::VALIDATORS {
            let v = f
                .run(validator, &f.verify(&token, &f.issuer(), &f.fd))
                .await;
            let c = v.claims();
            let at = format!("{client:?} → {validator:?}");
            assert_eq!(c["azp"], f.tp.as_str(), "{at}");
            assert_eq!(c["azpacr"], "1", "{at}");
            assert_eq!(c["tid"], TENANT, "{at}");
            assert_eq!(c["ver"], "2.0", "{at}");
            assert_eq!(c["idtyp"], "app", "{at}");
            assert_eq!(c["roles"], serde_json::json!(["Fraud.Scan"]), "{at}");
            assert!(c.get("scp").is_none(), "{at}");
        }
    }
    // openid-client is the one library here that reports the granted scope.
    let oidc = f
        .run(Client::OpenIdClientNode, &f.job(&f.tp).with_secret(SECRET))
        .await;
    assert_eq!(oidc.scope.as_deref(), Some(SCOPE));
}

/// Certificate credentials as each library builds them: MSAL Python (PS256, padded `x5t#S256`,
/// `x5c` with line breaks, float `exp`/`iat`), azure-identity (RS256, padded SHA-1 `x5t`) and
/// msal-node (PS256, unpadded `x5t#S256`, `x5c`, `nbf` possibly one second after `iat`).
#[tokio::test(flavor = "multi_thread")]
async fn certificate_clients_get_tokens() {
    let f = fixture().await;
    for client in Client::CERTIFICATE {
        let out = f.run(client, &f.with_cert(&f.cert)).await;
        let token = out.access_token().to_owned();
        let v = f
            .run(Client::JoseVerify, &f.verify(&token, &f.issuer(), &f.fd))
            .await;
        assert_eq!(v.claims()["azpacr"], "2", "{client:?}");
        assert_eq!(v.claims()["azp"], f.tp.as_str(), "{client:?}");
    }
}

/// The MSALs cache a token only when `expires_in` is sane and the `scope` echo matches the
/// request: the second acquisition in one process must not reach the server.
#[tokio::test(flavor = "multi_thread")]
async fn msal_based_clients_serve_the_second_call_from_cache() {
    let f = fixture().await;
    let job = f.job(&f.tp).with_secret(SECRET).with_repeat(2);
    for client in [
        Client::MsalPythonSecret,
        Client::AzureIdentityPythonSecret,
        Client::MsalNodeSecret,
        Client::AzureIdentityNodeSecret,
    ] {
        let out = f.run(client, &job).await;
        out.access_token();
        assert_eq!(out.from_cache, [false, true], "{client:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_secret_is_aadsts7000215_in_every_client() {
    let f = fixture().await;
    let job = f.job(&f.tp).with_secret("not-the-secret-0123456789");
    for client in Client::SECRET {
        let out = f.run(client, &job).await;
        out.assert_error_code(7000215);
        // azure-identity (Python) surfaces only the message; the others keep the OAuth code.
        if out.error.is_some() {
            assert_eq!(out.error.as_deref(), Some("invalid_client"), "{client:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn unregistered_certificate_is_aadsts700027_in_every_client() {
    let f = fixture().await;
    for client in Client::CERTIFICATE {
        let out = f.run(client, &f.with_cert(&f.unregistered)).await;
        out.assert_error_code(700027);
    }
}

/// An app without an assignment to an API that requires one is refused (AADSTS501051) in
/// every client, with the OAuth code where the library keeps it.
#[tokio::test(flavor = "multi_thread")]
async fn app_without_consent_is_refused_in_every_client() {
    let f = fixture().await;
    let job = f.job(&f.reporting).with_secret(SECRET);
    for client in Client::SECRET {
        let out = f.run(client, &job).await;
        out.assert_error_code(501051);
    }
}

/// The seed's token-substitution case from the validators' side: a token for FraudDetector
/// does not validate for another audience or issuer.
#[tokio::test(flavor = "multi_thread")]
async fn validators_refuse_another_audience_or_issuer() {
    let f = fixture().await;
    let token = f
        .run(Client::MsalPythonSecret, &f.job(&f.tp).with_secret(SECRET))
        .await
        .access_token()
        .to_owned();
    let foreign_issuer = format!("https://login.microsoftonline.com/{TENANT}/v2.0");
    for validator in Client::VALIDATORS {
        let wrong_aud = f
            .run(validator, &f.verify(&token, &f.issuer(), &f.reporting))
            .await;
        assert!(!wrong_aud.ok, "{validator:?} accepted another audience");
        let wrong_iss = f
            .run(validator, &f.verify(&token, &foreign_issuer, &f.fd))
            .await;
        assert!(!wrong_iss.ok, "{validator:?} accepted another issuer");
    }
}

/// Client capabilities / CAE add a `claims` form field (with an `id_token` member and, from
/// @azure/identity JS, a lower-case `cp1`); client credentials must still work.
#[tokio::test(flavor = "multi_thread")]
async fn capabilities_claims_do_not_break_client_credentials() {
    let f = fixture().await;
    let mut job = f.job(&f.tp).with_secret(SECRET);
    job.client_capabilities = vec!["CP1".into()];
    job.enable_cae = true;
    for client in [
        Client::MsalPythonSecret,
        Client::AzureIdentityPythonSecret,
        Client::MsalNodeSecret,
        Client::AzureIdentityNodeSecret,
    ] {
        f.run(client, &job).await.access_token();
    }
}

/// The MSALs accept a tenant domain in the authority; the token is still the tenant's.
#[tokio::test(flavor = "multi_thread")]
async fn msal_with_a_tenant_domain_authority() {
    let f = fixture().await;
    let job = ClientJob::client_credentials(f.sigil.idp_url(), "fintech.example", &f.tp, SCOPE)
        .with_secret(SECRET);
    for client in [Client::MsalPythonSecret, Client::MsalNodeSecret] {
        let token = f.run(client, &job).await.access_token().to_owned();
        let v = f
            .run(Client::PyJwtVerify, &f.verify(&token, &f.issuer(), &f.fd))
            .await;
        assert_eq!(v.claims()["tid"], TENANT, "{client:?}");
    }
}
