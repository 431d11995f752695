//! The FinTech scenario of seed 001 as a directory document, plus helpers.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sigil_testkit::TestSigil;

pub(crate) const TENANT: &str = "11111111-1111-1111-1111-111111111111";
pub(crate) const SECRET: &str = "tp-secret-value-0123456789abcdef";

/// FraudDetector exposes `Fraud.Scan`; TransactionProcessor holds it (admin consent) and has a
/// secret; Reporting has a secret but no consent; an extra cert is inserted by `with_cert`.
pub(crate) fn fintech_yaml(cert_pem: Option<&str>) -> String {
    let key_creds = match cert_pem {
        Some(pem) => {
            let indented: String = pem
                .lines()
                .map(|l| format!("              {l}\n"))
                .collect();
            format!(
                "        keyCredentials:\n          - displayName: tp-cert\n            type: AsymmetricX509Cert\n            key: |\n{indented}"
            )
        }
        None => String::new(),
    };
    format!(
        r#"tenants:
  - id: {TENANT}
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
            secretText: {SECRET}
            endDateTime: 2099-12-31T00:00:00Z
{key_creds}        requiredResourceAccess:
          - resource: api://fraud-detector
            appRoles: [Fraud.Scan]
            adminConsent: true
      - displayName: FinTech-Reporting
        passwordCredentials:
          - displayName: ci
            secretText: {SECRET}
            endDateTime: 2099-12-31T00:00:00Z
"#
    )
}

/// A started Sigil with the FinTech directory applied; returns it and TransactionProcessor's appId.
pub(crate) async fn fintech() -> (TestSigil, String) {
    let sigil = TestSigil::start().await;
    sigil.apply(&fintech_yaml(None)).await;
    let tp = sigil.app_id(TENANT, "FinTech-TransactionProcessor").await;
    (sigil, tp)
}

/// Decode a JWT's payload without verifying (tests verify separately where it matters).
pub(crate) fn payload(jwt: &str) -> serde_json::Value {
    let p = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
}

pub(crate) fn header(jwt: &str) -> serde_json::Value {
    let p = jwt.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
}
