//! How the client proves its identity: a secret, or a certificate's private key signing a
//! client assertion (RFC 7523, as MSAL does).

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use sigil_core::{Secret, UnixTime};
use sigil_crypto::SigningKey;
use sigil_jose::{Algorithm, Signer};

use crate::TokenError;

/// The client's credential.
#[derive(Clone)]
pub struct ClientCredential(Inner);

#[derive(Clone)]
enum Inner {
    Secret(Secret<String>),
    Certificate(Signer),
}

impl ClientCredential {
    /// A client secret (sent as `client_secret` in the form body).
    pub fn secret(secret: Secret<String>) -> Self {
        Self(Inner::Secret(secret))
    }

    /// A certificate: its RSA private key signs an RS256 client assertion whose header
    /// carries the certificate's SHA-1 thumbprint (`x5t`, also used as `kid`), which is how
    /// Entra and Sigil find the registered certificate.
    pub fn certificate(key: SigningKey, cert_der: &[u8]) -> Result<Self, TokenError> {
        let x5t = sigil_jose::base64url::encode(&sigil_crypto::sha1(cert_der));
        let signer = Signer::new(Arc::new(key), Algorithm::RS256, x5t)
            .map_err(|e| TokenError::Assertion(e.to_string()))?
            .with_certificate(cert_der);
        Ok(Self(Inner::Certificate(signer)))
    }

    /// The form parameters that authenticate the client at `token_endpoint`.
    pub(crate) fn form_params(
        &self,
        client_id: &str,
        token_endpoint: &str,
        now: UnixTime,
    ) -> Result<Vec<(&'static str, Secret<String>)>, TokenError> {
        match &self.0 {
            Inner::Secret(s) => Ok(vec![("client_secret", s.clone())]),
            Inner::Certificate(signer) => {
                let assertion = assertion(signer, client_id, token_endpoint, now)?;
                Ok(vec![
                    (
                        "client_assertion_type",
                        Secret::new(
                            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
                        ),
                    ),
                    ("client_assertion", Secret::new(assertion)),
                ])
            }
        }
    }
}

impl fmt::Debug for ClientCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Inner::Secret(_) => f.write_str("ClientCredential::Secret(***)"),
            Inner::Certificate(s) => write!(f, "ClientCredential::Certificate(x5t={})", s.kid()),
        }
    }
}

/// Assertion lifetime: ten minutes, as MSAL uses.
const ASSERTION_LIFETIME: u64 = 600;

fn assertion(
    signer: &Signer,
    client_id: &str,
    token_endpoint: &str,
    now: UnixTime,
) -> Result<String, TokenError> {
    #[derive(Serialize)]
    struct Claims<'a> {
        aud: &'a str,
        iss: &'a str,
        sub: &'a str,
        jti: String,
        nbf: u64,
        iat: u64,
        exp: u64,
    }
    let jti = sigil_crypto::random_array::<16>()
        .map_err(|e| TokenError::Assertion(e.to_string()))?
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let n = now.as_secs();
    signer
        .sign_claims(&Claims {
            aud: token_endpoint,
            iss: client_id,
            sub: client_id,
            jti,
            nbf: n,
            iat: n,
            exp: n + ASSERTION_LIFETIME,
        })
        .map_err(|e| TokenError::Assertion(e.to_string()))
}
