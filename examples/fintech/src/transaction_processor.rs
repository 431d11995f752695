//! TransactionProcessor: screens transactions with FraudDetector using a client-credentials
//! token carrying `Fraud.Scan`.

use sigil_token_client::{BearerClient, ClientCredential, TokenClient};

use crate::{FRAUD_SCOPE, TRANSACTION_PROCESSOR_APP_ID, Transaction, Verdict};

/// Why a transaction could not be screened.
#[derive(Debug, thiserror::Error)]
pub enum ScreenError {
    /// No token (the message carries the AADSTS code when the IdP refused), or no answer.
    #[error("calling fraud-detector: {0}")]
    Send(#[from] sigil_token_client::SendError),
    /// The detector refused (status and its `WWW-Authenticate`) or failed.
    #[error("fraud-detector answered {0} {1}")]
    Status(u16, String),
    /// The detector's answer was not a verdict.
    #[error("fraud-detector's answer: {0}")]
    Body(reqwest::Error),
}

/// A client of FraudDetector.
#[derive(Clone, Debug)]
pub struct Processor {
    fraud: BearerClient,
    url: String,
}

impl Processor {
    /// Screen with the detector at `detector_base` (`http://127.0.0.1:8081`), authenticating
    /// at `authority` (`https://localhost:8443/{tenant}`) as TransactionProcessor.
    pub fn new(
        http: reqwest::Client,
        authority: &str,
        credential: ClientCredential,
        detector_base: &str,
    ) -> Self {
        let tokens = TokenClient::builder(authority, TRANSACTION_PROCESSOR_APP_ID, credential)
            .http(http.clone())
            .build();
        Self::with_tokens(http, tokens, detector_base)
    }

    /// Screen using an existing token client (to share its cache).
    pub fn with_tokens(http: reqwest::Client, tokens: TokenClient, detector_base: &str) -> Self {
        Self {
            fraud: BearerClient::new(http, tokens, FRAUD_SCOPE),
            url: format!("{}/fraud/analyze", detector_base.trim_end_matches('/')),
        }
    }

    /// The token client.
    pub fn tokens(&self) -> &TokenClient {
        self.fraud.tokens()
    }

    /// Ask the detector for a verdict.
    pub async fn screen(&self, tx: &Transaction) -> Result<Verdict, ScreenError> {
        let r = self
            .fraud
            .send(self.fraud.http().post(&self.url).json(tx))
            .await
            .map_err(ScreenError::Send)?;
        if !r.status().is_success() {
            let www = r
                .headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            return Err(ScreenError::Status(r.status().as_u16(), www));
        }
        r.json().await.map_err(ScreenError::Body)
    }
}
