//! Test environment: Sigil with the demo directory (plus extras), a FraudDetector, and
//! helpers to obtain tokens.

use std::sync::Arc;

use base64::Engine as _;
use sigil_authn::Authn;
use sigil_core::Clock;
use sigil_example_fintech::transaction_processor::Processor;
use sigil_example_fintech::{DEMO_DIRECTORY, TENANT, fraud_detector};
use sigil_testkit::TestSigil;
use sigil_token_client::secret;

pub(crate) const TP_SECRET: &str = "tp-secret-value-0123456789abcdef";
pub(crate) const OTHER_TENANT: &str = "33333333-3333-3333-3333-333333333333";
pub(crate) const READER_APP_ID: &str = "22222222-0000-4000-8000-000000000003";
pub(crate) const EVIL_APP_ID: &str = "33333333-0000-4000-8000-000000000001";

/// The demo directory with the secret filled in, plus:
/// - FraudDetector also defines `Fraud.Read`; `FinTech-Reader` holds only that role;
/// - `FinTech-Ledger-API` (another audience) which TransactionProcessor may also call;
/// - a second tenant with its own API and client.
pub(crate) fn directory() -> String {
    let demo = DEMO_DIRECTORY.replace("${env:TP_SECRET}", TP_SECRET);
    let demo = demo.replacen(
        "          - value: Fraud.Scan\n            allowedMemberTypes: [Application]\n",
        "          - value: Fraud.Scan\n            allowedMemberTypes: [Application]\n          - value: Fraud.Read\n            allowedMemberTypes: [Application]\n",
        1,
    );
    assert!(
        demo.trim_end().ends_with("adminConsent: true"),
        "demo layout changed"
    );
    format!(
        r#"{demo}          - resource: api://ledger
            appRoles: [Ledger.Write]
            adminConsent: true
      - displayName: FinTech-Ledger-API
        identifierUris: [api://ledger]
        appRoles:
          - value: Ledger.Write
            allowedMemberTypes: [Application]
      - displayName: FinTech-Reader
        appId: {READER_APP_ID}
        passwordCredentials:
          - displayName: ci
            secretText: {TP_SECRET}
            endDateTime: 2099-12-31T00:00:00Z
        requiredResourceAccess:
          - resource: api://fraud-detector
            appRoles: [Fraud.Read]
            adminConsent: true
  - id: {OTHER_TENANT}
    domains: [evil.example]
    applications:
      - displayName: Evil-API
        identifierUris: [api://evil-api]
        appRoles:
          - value: Fraud.Scan
            allowedMemberTypes: [Application]
      - displayName: Evil-Client
        appId: {EVIL_APP_ID}
        passwordCredentials:
          - displayName: ci
            secretText: {TP_SECRET}
            endDateTime: 2099-12-31T00:00:00Z
        requiredResourceAccess:
          - resource: api://evil-api
            appRoles: [Fraud.Scan]
            adminConsent: true
"#
    )
}

pub(crate) struct Env {
    pub(crate) sigil: TestSigil,
    pub(crate) fd_url: String,
    pub(crate) fd: Authn,
}

impl Env {
    pub(crate) async fn start() -> Self {
        let sigil = TestSigil::start().await;
        sigil.apply(&directory()).await;
        let (fd_url, fd) = start_detector(&sigil, None).await;
        Self { sigil, fd_url, fd }
    }

    pub(crate) fn authority(&self) -> String {
        format!("{}/{TENANT}", self.sigil.idp_url())
    }

    /// A TransactionProcessor with its own token cache.
    pub(crate) fn processor(&self) -> Processor {
        Processor::new(
            self.sigil.client(),
            &self.authority(),
            secret(TP_SECRET),
            &self.fd_url,
        )
    }

    /// A client-credentials token straight from the token endpoint.
    pub(crate) async fn token(&self, tenant: &str, client_id: &str, scope: &str) -> String {
        self.sigil
            .client_credentials_token(tenant, client_id, TP_SECRET, scope)
            .await
    }

    /// POST a transaction to the detector with this bearer token (none if empty):
    /// (status, WWW-Authenticate, body).
    pub(crate) async fn call(&self, base: &str, token: &str) -> (u16, String, String) {
        let mut r = reqwest::Client::new().post(format!("{base}/fraud/analyze"));
        if !token.is_empty() {
            r = r.bearer_auth(token);
        }
        let r = r
            .json(&serde_json::json!({"id": "t1", "amountCents": 100, "currency": "EUR"}))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let www = r
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, www, r.text().await.unwrap())
    }
}

/// Start a FraudDetector against this Sigil, optionally with its own clock.
pub(crate) async fn start_detector(
    sigil: &TestSigil,
    clock: Option<Arc<dyn Clock>>,
) -> (String, Authn) {
    let mut opts = fraud_detector::options(&format!("{}/{TENANT}", sigil.idp_url()));
    if let Some(c) = clock {
        opts = opts.clock(c);
    }
    let authn = Authn::new(opts, sigil.client()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = fraud_detector::spawn(listener, authn.clone()).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(10), authn.ready())
        .await
        .expect("detector loads the IdP's keys");
    (format!("http://{addr}"), authn)
}

/// The IdP's active signer, read the way the IdP reads it: sealed keys from the store,
/// unsealed with the installation's root key (through the public `KeyService`).
pub(crate) async fn idp_active_signer(sigil: &TestSigil) -> sigil_jose::Signer {
    let text = std::fs::read_to_string(sigil.home().join("root.key")).unwrap();
    let bytes: [u8; 32] = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .unwrap()
        .try_into()
        .unwrap();
    let root = sigil_crypto::RootKey::from_bytes(bytes);
    let store = sigil_storage::OpenOptions::new(sigil_storage::DatabaseUrl::SqliteFile(
        sigil.home().join("sigil.db"),
    ))
    .open()
    .await
    .unwrap();
    let keys = sigil_idp_server::KeyService::start(
        store,
        root,
        sigil_jose::keyring::RotationPolicy::default(),
        Arc::new(sigil_core::SystemClock),
    )
    .await
    .unwrap();
    keys.snapshot().ring.active_signer().unwrap().clone()
}
