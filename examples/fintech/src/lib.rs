//! The FinTech demo of seed 001, on Sigil's service libraries.
//!
//! - [`fraud_detector`]: `POST /fraud/analyze`, protected by `sigil-authn`; callers need an
//!   app-only token for this API carrying the `Fraud.Scan` app role.
//! - [`transaction_processor`]: acquires that token with `sigil-token-client` (client
//!   credentials, cached) and calls the detector.
//!
//! [`DEMO_DIRECTORY`] registers both applications (`sigil up --demo` applies it).

pub mod fraud_detector;
pub mod transaction_processor;

/// The demo directory: both applications, the `Fraud.Scan` role and its admin consent. The
/// TransactionProcessor secret is `${env:TP_SECRET}`.
pub const DEMO_DIRECTORY: &str = include_str!("../directory.yaml");

/// The demo tenant.
pub const TENANT: &str = "11111111-1111-1111-1111-111111111111";
/// FraudDetector's appId (the `aud` of v2 tokens for it).
pub const FRAUD_DETECTOR_APP_ID: &str = "22222222-0000-4000-8000-000000000002";
/// FraudDetector's identifier URI.
pub const FRAUD_DETECTOR_URI: &str = "api://fraud-detector";
/// TransactionProcessor's appId (its client id).
pub const TRANSACTION_PROCESSOR_APP_ID: &str = "22222222-0000-4000-8000-000000000001";
/// The scope TransactionProcessor requests.
pub const FRAUD_SCOPE: &str = "api://fraud-detector/.default";
/// The app role FraudDetector requires.
pub const FRAUD_SCAN_ROLE: &str = "Fraud.Scan";

/// An HTTP client trusting the PEM CA at `ca_path` (Sigil's `<home>/pki/ca.crt`) in addition
/// to the system roots, so the same binary works against a local Sigil and real Entra.
pub fn http_client(ca_path: Option<&std::path::Path>) -> anyhow::Result<reqwest::Client> {
    let mut b = reqwest::Client::builder();
    if let Some(p) = ca_path {
        let pem = std::fs::read(p)
            .map_err(|e| anyhow::anyhow!("reading CA certificate {}: {e}", p.display()))?;
        b = b.add_root_certificate(reqwest::Certificate::from_pem(&pem)?);
    }
    Ok(b.build()?)
}

/// A transaction to screen.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    /// Caller's id for the transaction.
    pub id: String,
    /// Amount in minor units (cents).
    pub amount_cents: u64,
    /// ISO 4217 currency.
    pub currency: String,
}

/// The detector's verdict.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    /// The transaction id.
    pub transaction_id: String,
    /// 0.0 (clean) to 1.0.
    pub risk_score: f64,
    /// `Approved` or `Review`.
    pub status: String,
    /// The calling application (`azp` of the token).
    pub screened_for: String,
}
