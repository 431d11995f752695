//! JSON Web Keys (RFC 7517/7518/8037) and RFC 7638 thumbprints.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sigil_core::Secret;
use sigil_crypto::{EcCurve, HmacKey, PublicKeyParts, VerifyingKey};

use crate::{Algorithm, JoseError, b64, json};

/// One JWK. Only public members are kept (`d`, `p`, `q`, ... are dropped on parse), except
/// the symmetric `k`, which is held as a [`Secret`] and never serialised.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Jwk {
    /// Key type: `RSA`, `EC`, `OKP` or `oct`.
    pub kty: String,
    /// Intended use: `sig` or `enc`.
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    /// Permitted operations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_ops: Option<Vec<String>>,
    /// The one algorithm this key may be used with, if restricted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Key id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// SHA-1 thumbprint of the first `x5c` certificate (base64url).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x5t: Option<String>,
    /// SHA-256 thumbprint of the first `x5c` certificate (base64url).
    #[serde(rename = "x5t#S256", skip_serializing_if = "Option::is_none")]
    pub x5t_s256: Option<String>,
    /// RSA modulus.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// RSA exponent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    /// Curve (`P-256`, `P-384`, `Ed25519`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    /// EC x / OKP public key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// EC y.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// Certificate chain, standard base64 DER. Never a source of trust.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x5c: Option<Vec<String>>,
    /// Symmetric key value; never serialised.
    #[serde(skip_serializing, deserialize_with = "de_secret", default)]
    pub k: Option<Secret<String>>,
    /// Other public members (e.g. Entra's `issuer`, `cloud_instance_name`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

fn de_secret<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Secret<String>>, D::Error> {
    Ok(Some(Secret::new(String::deserialize(d)?)))
}

/// A JWK Set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct JwkSet {
    /// The keys.
    pub keys: Vec<Jwk>,
}

impl JwkSet {
    /// Parse a JWKS document strictly (duplicate member names rejected).
    pub fn parse(bytes: &[u8]) -> Result<Self, JoseError> {
        let v =
            json::from_slice_strict(bytes).map_err(|e| JoseError::MalformedJwk(e.to_string()))?;
        let Value::Object(mut o) = v else {
            return Err(JoseError::MalformedJwk("JWKS is not an object".into()));
        };
        let Some(Value::Array(keys)) = o.remove("keys") else {
            return Err(JoseError::MalformedJwk("JWKS has no keys array".into()));
        };
        let keys = keys
            .into_iter()
            .map(Jwk::from_value)
            .collect::<Result<_, _>>()?;
        Ok(Self { keys })
    }

    /// Serialise to JSON (public members only).
    pub fn to_json(&self) -> String {
        // Serialising owned strings and maps cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The key with this `kid`.
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid.as_deref() == Some(kid))
    }
}

impl Jwk {
    /// Parse one JWK strictly.
    pub fn parse(bytes: &[u8]) -> Result<Self, JoseError> {
        let v =
            json::from_slice_strict(bytes).map_err(|e| JoseError::MalformedJwk(e.to_string()))?;
        Self::from_value(v)
    }

    fn from_value(v: Value) -> Result<Self, JoseError> {
        let Value::Object(mut o) = v else {
            return Err(JoseError::MalformedJwk("JWK is not an object".into()));
        };
        for m in PRIVATE_MEMBERS {
            o.remove(m);
        }
        serde_json::from_value(Value::Object(o)).map_err(|e| JoseError::MalformedJwk(e.to_string()))
    }

    /// Serialise to JSON (public members only).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A JWK for a public key, with no `kid`/`alg`/`use` set.
    pub fn from_public_parts(parts: &PublicKeyParts) -> Self {
        let mut j = Jwk::default();
        match parts {
            PublicKeyParts::Rsa { n, e } => {
                j.kty = "RSA".into();
                j.n = Some(b64::encode(n));
                j.e = Some(b64::encode(e));
            }
            PublicKeyParts::Ec { curve, x, y } => {
                j.kty = "EC".into();
                j.crv = Some(curve.jwk_name().into());
                j.x = Some(b64::encode(x));
                j.y = Some(b64::encode(y));
            }
            PublicKeyParts::Ed25519 { x } => {
                j.kty = "OKP".into();
                j.crv = Some("Ed25519".into());
                j.x = Some(b64::encode(x));
            }
        }
        j
    }

    /// RFC 7638 thumbprint: base64url SHA-256 of the required members in lexicographic order.
    pub fn thumbprint(&self) -> Result<String, JoseError> {
        fn req<'a>(v: &'a Option<String>, name: &str) -> Result<&'a str, JoseError> {
            v.as_deref()
                .ok_or_else(|| JoseError::UnusableJwk(format!("missing {name}")))
        }
        let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let canonical = match self.kty.as_str() {
            "RSA" => format!(
                r#"{{"e":{},"kty":"RSA","n":{}}}"#,
                q(req(&self.e, "e")?),
                q(req(&self.n, "n")?)
            ),
            "EC" => format!(
                r#"{{"crv":{},"kty":"EC","x":{},"y":{}}}"#,
                q(req(&self.crv, "crv")?),
                q(req(&self.x, "x")?),
                q(req(&self.y, "y")?)
            ),
            "OKP" => format!(
                r#"{{"crv":{},"kty":"OKP","x":{}}}"#,
                q(req(&self.crv, "crv")?),
                q(req(&self.x, "x")?)
            ),
            "oct" => {
                let k = self
                    .k
                    .as_ref()
                    .ok_or_else(|| JoseError::UnusableJwk("missing k".into()))?;
                format!(r#"{{"k":{},"kty":"oct"}}"#, q(k.expose()))
            }
            other => return Err(JoseError::UnusableJwk(format!("unsupported kty {other}"))),
        };
        Ok(b64::encode(&sigil_crypto::sha256(canonical.as_bytes())))
    }

    /// Whether `use` and `key_ops` permit verifying signatures.
    pub fn allows_verify(&self) -> bool {
        self.use_.as_deref().is_none_or(|u| u == "sig")
            && self
                .key_ops
                .as_ref()
                .is_none_or(|ops| ops.iter().any(|o| o == "verify"))
    }

    /// The `alg` member as an [`Algorithm`], checked against the key type. `Ok(None)` when
    /// the key is not restricted to one algorithm.
    pub fn algorithm(&self) -> Result<Option<Algorithm>, JoseError> {
        let Some(a) = &self.alg else { return Ok(None) };
        let alg: Algorithm = a
            .parse()
            .map_err(|_| JoseError::UnusableJwk(format!("unsupported alg {a}")))?;
        let ok = match (self.kty.as_str(), self.crv.as_deref()) {
            ("RSA", _) => alg.family() == sigil_crypto::KeyFamily::Rsa,
            ("EC", Some("P-256")) => alg == Algorithm::ES256,
            ("EC", Some("P-384")) => alg == Algorithm::ES384,
            ("OKP", Some("Ed25519")) => alg == Algorithm::EdDSA,
            ("oct", _) => alg.is_symmetric(),
            _ => false,
        };
        if !ok {
            return Err(JoseError::UnusableJwk(format!(
                "alg {a} does not match the key type"
            )));
        }
        Ok(Some(alg))
    }

    /// The public key for verification (asymmetric keys only).
    ///
    /// Checks `use`/`key_ops`, that `alg` matches the key type, that the first `x5c`
    /// certificate (if any) holds the same key, and that `x5t`/`x5t#S256` (padded or not)
    /// match that certificate. The certificate is not validated and confers no trust.
    pub fn verifying_key(&self) -> Result<VerifyingKey, JoseError> {
        if !self.allows_verify() {
            return Err(JoseError::UnusableJwk(
                "use/key_ops exclude signature verification".into(),
            ));
        }
        self.algorithm()?;
        let bytes = |v: &Option<String>, name: &str| -> Result<Vec<u8>, JoseError> {
            let s = v
                .as_deref()
                .ok_or_else(|| JoseError::UnusableJwk(format!("missing {name}")))?;
            b64::decode(s).map_err(|_| JoseError::UnusableJwk(format!("{name} is not base64url")))
        };
        let unusable = |e: sigil_crypto::Error| JoseError::UnusableJwk(e.to_string());
        let key = match (self.kty.as_str(), self.crv.as_deref()) {
            ("RSA", _) => {
                VerifyingKey::from_rsa_components(&bytes(&self.n, "n")?, &bytes(&self.e, "e")?)
            }
            ("EC", Some(c @ ("P-256" | "P-384"))) => {
                let curve = if c == "P-256" {
                    EcCurve::P256
                } else {
                    EcCurve::P384
                };
                VerifyingKey::from_ec_coordinates(
                    curve,
                    &bytes(&self.x, "x")?,
                    &bytes(&self.y, "y")?,
                )
            }
            ("OKP", Some("Ed25519")) => VerifyingKey::from_ed25519(&bytes(&self.x, "x")?),
            ("oct", _) => {
                return Err(JoseError::UnusableJwk(
                    "symmetric key where a public key was expected".into(),
                ));
            }
            (kty, crv) => {
                return Err(JoseError::UnusableJwk(format!(
                    "unsupported kty/crv {kty}/{crv:?}"
                )));
            }
        }
        .map_err(unusable)?;
        self.check_certificate_binding(&key)?;
        Ok(key)
    }

    /// The symmetric key of an `oct` JWK. Only call this where a symmetric secret is
    /// explicitly configured (APIM's inline signing key); never for a fetched JWKS.
    pub fn symmetric_key(&self) -> Result<VerifyingKey, JoseError> {
        if self.kty != "oct" {
            return Err(JoseError::UnusableJwk("not a symmetric key".into()));
        }
        if !self.allows_verify() {
            return Err(JoseError::UnusableJwk(
                "use/key_ops exclude signature verification".into(),
            ));
        }
        let alg = self.algorithm()?;
        let k = self
            .k
            .as_ref()
            .ok_or_else(|| JoseError::UnusableJwk("missing k".into()))?;
        let raw = b64::decode(k.expose())
            .map_err(|_| JoseError::UnusableJwk("k is not base64url".into()))?;
        let key = HmacKey::new(raw).map_err(|e| JoseError::UnusableJwk(e.to_string()))?;
        if let Some(alg) = alg {
            key.check_for(alg)
                .map_err(|e| JoseError::UnusableJwk(e.to_string()))?;
        }
        Ok(VerifyingKey::from_hmac(key))
    }

    /// The decoded `x5t` (SHA-1 certificate thumbprint), padded or unpadded base64url.
    pub fn x5t_bytes(&self) -> Result<Option<[u8; 20]>, JoseError> {
        decode_thumb(self.x5t.as_deref(), "x5t")
    }

    /// The decoded `x5t#S256`, padded or unpadded base64url.
    pub fn x5t_s256_bytes(&self) -> Result<Option<[u8; 32]>, JoseError> {
        decode_thumb(self.x5t_s256.as_deref(), "x5t#S256")
    }

    fn check_certificate_binding(&self, key: &VerifyingKey) -> Result<(), JoseError> {
        let Some(first) = self.x5c.as_ref().and_then(|c| c.first()) else {
            return Ok(());
        };
        let der = b64::decode_standard(first)
            .map_err(|_| JoseError::UnusableJwk("x5c is not base64".into()))?;
        let cert_key = VerifyingKey::from_certificate_der(&der)
            .map_err(|e| JoseError::UnusableJwk(e.to_string()))?;
        if cert_key.parts() != key.parts() {
            return Err(JoseError::UnusableJwk(
                "x5c certificate holds a different key".into(),
            ));
        }
        if self
            .x5t_bytes()?
            .is_some_and(|t| t != sigil_crypto::sha1(&der))
        {
            return Err(JoseError::UnusableJwk("x5t does not match x5c".into()));
        }
        if self
            .x5t_s256_bytes()?
            .is_some_and(|t| t != sigil_crypto::sha256(&der))
        {
            return Err(JoseError::UnusableJwk("x5t#S256 does not match x5c".into()));
        }
        Ok(())
    }
}

fn decode_thumb<const N: usize>(v: Option<&str>, name: &str) -> Result<Option<[u8; N]>, JoseError> {
    let Some(s) = v else { return Ok(None) };
    let raw = b64::decode_any_padding(s)
        .map_err(|_| JoseError::UnusableJwk(format!("{name} is not base64url")))?;
    raw.try_into()
        .map(Some)
        .map_err(|_| JoseError::UnusableJwk(format!("{name} has the wrong length")))
}

impl fmt::Debug for Jwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwk")
            .field("kty", &self.kty)
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("use", &self.use_)
            .field("crv", &self.crv)
            .field("k", &self.k.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7638 §3.1 example key and thumbprint.
    const RFC7638: &str = r#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#;

    #[test]
    fn rfc7638_thumbprint() {
        let j = Jwk::parse(RFC7638.as_bytes()).unwrap();
        assert_eq!(
            j.thumbprint().unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        assert!(j.verifying_key().is_ok());
    }

    #[test]
    fn private_members_dropped_and_k_never_serialised() {
        let j = Jwk::parse(
            br#"{"kty":"oct","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI","d":"x"}"#,
        )
        .unwrap();
        assert!(j.k.is_some());
        assert!(!j.to_json().contains("\"k\""));
        assert!(!format!("{j:?}").contains("c2Vj"));
        assert!(j.verifying_key().is_err(), "oct is not a public key");
        assert!(j.symmetric_key().is_ok());
    }

    #[test]
    fn use_key_ops_and_alg_are_honoured() {
        let mut j = Jwk::parse(RFC7638.as_bytes()).unwrap();
        j.use_ = Some("enc".into());
        assert!(j.verifying_key().is_err());
        j.use_ = None;
        j.key_ops = Some(vec!["encrypt".into()]);
        assert!(j.verifying_key().is_err());
        j.key_ops = Some(vec!["verify".into()]);
        assert!(j.verifying_key().is_ok());
        j.alg = Some("ES256".into());
        assert!(j.verifying_key().is_err(), "alg must match kty");
        j.alg = Some("none".into());
        assert!(j.verifying_key().is_err());
    }

    #[test]
    fn x5t_padded_and_unpadded() {
        let mut j = Jwk {
            x5t: Some(b64::encode(&[7u8; 20])),
            ..Jwk::default()
        };
        assert_eq!(j.x5t_bytes().unwrap(), Some([7; 20]));
        j.x5t = Some(format!("{}=", b64::encode(&[7u8; 20])));
        assert_eq!(j.x5t_bytes().unwrap(), Some([7; 20]));
        j.x5t = Some(b64::encode(&[7u8; 19]));
        assert!(j.x5t_bytes().is_err());
    }

    #[test]
    fn duplicate_members_rejected() {
        assert!(Jwk::parse(br#"{"kty":"RSA","kty":"EC"}"#).is_err());
        assert!(JwkSet::parse(br#"{"keys":[],"keys":[]}"#).is_err());
    }
}
