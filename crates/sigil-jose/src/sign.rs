//! Signing tokens with an in-memory key.

use std::sync::Arc;

use serde::Serialize;
use sigil_crypto::SigningKey;

use crate::{Algorithm, JoseError, Jwk, b64};

/// Signs JWTs with one key. The header (`typ`, `alg`, `kid`, optional `x5t`) is encoded once
/// at construction, so signing costs one JSON serialisation, one base64 pass and the
/// signature itself.
#[derive(Debug, Clone)]
pub struct Signer {
    key: Arc<SigningKey>,
    alg: Algorithm,
    kid: String,
    typ: String,
    x5t: Option<String>,
    header_b64: String,
}

impl Signer {
    /// A signer for `key` using `alg` (which must match the key family) under `kid`.
    /// The header `typ` is `JWT`, as Entra sends.
    pub fn new(
        key: Arc<SigningKey>,
        alg: Algorithm,
        kid: impl Into<String>,
    ) -> Result<Self, JoseError> {
        if !key.supports(alg) {
            return Err(JoseError::CannotSign(alg));
        }
        let mut s = Self {
            key,
            alg,
            kid: kid.into(),
            typ: "JWT".into(),
            x5t: None,
            header_b64: String::new(),
        };
        s.encode_header();
        Ok(s)
    }

    /// Use another `typ` (e.g. `at+jwt` for RFC 9068 access tokens).
    pub fn with_typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = typ.into();
        self.encode_header();
        self
    }

    /// Attach the DER certificate for this key: the header gains `x5t` (base64url SHA-1),
    /// as Entra v1 tokens carry.
    pub fn with_certificate(mut self, cert_der: &[u8]) -> Self {
        self.x5t = Some(b64::encode(&sigil_crypto::sha1(cert_der)));
        self.encode_header();
        self
    }

    fn encode_header(&mut self) {
        #[derive(Serialize)]
        struct H<'a> {
            typ: &'a str,
            alg: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            x5t: Option<&'a str>,
            kid: &'a str,
        }
        let h = H {
            typ: &self.typ,
            alg: self.alg.name(),
            x5t: self.x5t.as_deref(),
            kid: &self.kid,
        };
        // Serialising a struct of strings cannot fail.
        let json = serde_json::to_vec(&h).unwrap_or_default();
        self.header_b64 = b64::encode(&json);
    }

    /// The key id put in every header.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The signing algorithm.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The public JWK for this signer (`kid`, `alg`, `use: sig`, plus `x5t` if set).
    pub fn public_jwk(&self) -> Jwk {
        let mut j = Jwk::from_public_parts(&self.key.public_key());
        j.kid = Some(self.kid.clone());
        j.alg = Some(self.alg.name().into());
        j.use_ = Some("sig".into());
        j.x5t.clone_from(&self.x5t);
        j
    }

    /// Serialise `claims` as JSON and sign them.
    pub fn sign_claims<T: Serialize + ?Sized>(&self, claims: &T) -> Result<String, JoseError> {
        // Access-token claims serialise to 0.5-2 KB: starting at 1 KB skips most of
        // `to_vec`'s 128 → 256 → 512 → 1024 regrowth copies.
        let mut payload = Vec::with_capacity(1024);
        serde_json::to_writer(&mut payload, claims)
            .map_err(|e| JoseError::Serialize(e.to_string()))?;
        self.sign_payload(&payload)
    }

    /// Sign arbitrary payload bytes as a compact JWS.
    pub fn sign_payload(&self, payload: &[u8]) -> Result<String, JoseError> {
        let sig_len = 512 * 4 / 3 + 4; // enough for RSA-4096
        let mut out =
            String::with_capacity(self.header_b64.len() + payload.len() * 4 / 3 + 8 + sig_len);
        out.push_str(&self.header_b64);
        out.push('.');
        b64::encode_into(payload, &mut out);
        let sig = self.key.sign(self.alg, out.as_bytes())?;
        out.push('.');
        b64::encode_into(&sig, &mut out);
        Ok(out)
    }
}
