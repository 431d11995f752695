//! Errors. [`ValidationError`] is precise enough to map onto both RFC 6750 `invalid_token`
//! descriptions and the `Reason` codes of APIM's `validate-jwt` policy.

use thiserror::Error;

use crate::Algorithm;

/// Why the token's bytes could not be read as a compact JWS (all map to APIM `JwtInvalid`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Malformed {
    /// The whole token exceeds the size limit.
    TokenTooLarge,
    /// The header exceeds the size limit.
    HeaderTooLarge,
    /// The payload exceeds the size limit.
    PayloadTooLarge,
    /// Not exactly three dot-separated parts, or an empty header/signature.
    Structure,
    /// A part is not canonical, unpadded base64url.
    Base64,
    /// The header is not a valid JOSE header object.
    Header,
    /// The payload is not a JSON claims object.
    Payload,
    /// A JSON member name appears twice (header or payload, any depth).
    DuplicateMember,
}

/// Why a token was rejected.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// The token is not a well-formed compact JWS.
    #[error("malformed token: {0:?}")]
    Malformed(Malformed),
    /// `alg` is unknown to Sigil (this includes `none`).
    #[error("unsupported signature algorithm")]
    UnsupportedAlgorithm,
    /// `alg` is known but not on this validator's allow-list.
    #[error("signature algorithm {0} not allowed")]
    AlgorithmNotAllowed(Algorithm),
    /// `crit` names an extension this library does not implement (it implements none).
    #[error("unsupported critical header parameter")]
    UnsupportedCritical,
    /// No trusted key matches the token's `kid` (or, without `kid`, its algorithm).
    #[error("signing key not found")]
    KeyNotFound,
    /// The key chosen by `kid` cannot be used with the token's `alg` (other key type, or the
    /// key is bound to a different `alg`).
    #[error("algorithm {0} not usable with the selected key")]
    KeyAlgorithmMismatch(Algorithm),
    /// The signature does not verify.
    #[error("invalid signature")]
    InvalidSignature,
    /// The token is of the wrong kind (access token vs ID token) or has the wrong `typ`.
    #[error("wrong token type")]
    WrongTokenType,
    /// A required claim is missing (`exp`, `iss`, `aud`, `tid` for templated issuers, ...).
    #[error("missing claim {0}")]
    MissingClaim(&'static str),
    /// `iss` is not one of the accepted issuers.
    #[error("issuer not allowed")]
    IssuerNotAllowed,
    /// No `aud` value is one of the accepted audiences.
    #[error("audience not allowed")]
    AudienceNotAllowed,
    /// `exp` is in the past (beyond the allowed skew).
    #[error("token expired")]
    Expired,
    /// `nbf` is in the future (beyond the allowed skew).
    #[error("token not yet valid")]
    NotYetValid,
    /// `iat` is in the future (beyond the allowed skew).
    #[error("token issued in the future")]
    IssuedInFuture,
    /// A caller-supplied claim check found a required claim missing.
    #[error("required claim {0} not found")]
    RequiredClaimMissing(String),
    /// A caller-supplied claim check rejected a claim's value.
    #[error("claim {0} has a value that is not allowed")]
    ClaimValueNotAllowed(String),
}

impl ValidationError {
    /// The `context.LastError.Reason` APIM's `validate-jwt` would report.
    ///
    /// APIM documents `TokenNotPresent` (the gateway's, not ours), `TokenSignatureInvalid`,
    /// `TokenAudienceNotAllowed`, `TokenIssuerNotAllowed`, `TokenExpired`,
    /// `TokenSignatureKeyNotFound`, `TokenClaimNotFound`, `TokenClaimValueNotAllowed` and
    /// `JwtInvalid`. It has no documented reason for a not-yet-valid token, a disallowed
    /// algorithm or a wrong token type, so those report `JwtInvalid` / `TokenSignatureInvalid`.
    pub fn apim_reason(&self) -> &'static str {
        match self {
            Self::Malformed(_)
            | Self::UnsupportedAlgorithm
            | Self::UnsupportedCritical
            | Self::WrongTokenType
            | Self::NotYetValid
            | Self::IssuedInFuture
            | Self::MissingClaim(_) => "JwtInvalid",
            Self::AlgorithmNotAllowed(_)
            | Self::KeyAlgorithmMismatch(_)
            | Self::InvalidSignature => "TokenSignatureInvalid",
            Self::KeyNotFound => "TokenSignatureKeyNotFound",
            Self::IssuerNotAllowed => "TokenIssuerNotAllowed",
            Self::AudienceNotAllowed => "TokenAudienceNotAllowed",
            Self::Expired => "TokenExpired",
            Self::RequiredClaimMissing(_) => "TokenClaimNotFound",
            Self::ClaimValueNotAllowed(_) => "TokenClaimValueNotAllowed",
        }
    }

    /// The RFC 6750 error code: always `invalid_token` for validation failures.
    pub fn rfc6750_error(&self) -> &'static str {
        "invalid_token"
    }

    /// A short `error_description` for the `WWW-Authenticate` header. Says what class of
    /// check failed, never which key or value was expected.
    pub fn rfc6750_description(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "The token is malformed",
            Self::UnsupportedAlgorithm | Self::AlgorithmNotAllowed(_) => {
                "The token signature algorithm is not allowed"
            }
            Self::UnsupportedCritical => "The token uses an unsupported critical header",
            Self::KeyNotFound => "The token signing key is not trusted",
            Self::KeyAlgorithmMismatch(_) | Self::InvalidSignature => {
                "The token signature is invalid"
            }
            Self::WrongTokenType => "The token is not of the expected type",
            Self::MissingClaim(_) | Self::RequiredClaimMissing(_) => {
                "The token is missing a required claim"
            }
            Self::IssuerNotAllowed => "The token issuer is not allowed",
            Self::AudienceNotAllowed => "The token audience is not allowed",
            Self::Expired => "The token expired",
            Self::NotYetValid => "The token is not valid yet",
            Self::IssuedInFuture => "The token was issued in the future",
            Self::ClaimValueNotAllowed(_) => "The token has a claim value that is not allowed",
        }
    }
}

/// Errors building keys, key sets, signers and key rings.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum JoseError {
    /// A JWK or JWKS document could not be parsed (bad JSON, duplicate members, wrong types).
    #[error("malformed JWK: {0}")]
    MalformedJwk(String),
    /// The JWK is well-formed but unusable: unsupported `kty`/`crv`/`alg`, inconsistent
    /// members, `use`/`key_ops` that exclude signatures, or a weak key.
    #[error("unusable JWK: {0}")]
    UnusableJwk(String),
    /// Two keys in one trusted set share a `kid`.
    #[error("duplicate kid {0}")]
    DuplicateKid(String),
    /// A trusted set may not mix symmetric and asymmetric keys.
    #[error("a key set may not mix symmetric and asymmetric keys")]
    MixedKeySet,
    /// The algorithm cannot be used to sign with this key.
    #[error("cannot sign {0} with this key")]
    CannotSign(Algorithm),
    /// Claims could not be serialised.
    #[error("claims serialisation failed: {0}")]
    Serialize(String),
    /// A stored key could not be unsealed or is inconsistent with its record.
    #[error("stored key rejected: {0}")]
    StoredKey(String),
    /// A key ring operation was invalid (unknown kid, wrong state).
    #[error("key ring: {0}")]
    KeyRing(String),
    /// Options are inconsistent (e.g. no audience configured).
    #[error("invalid validation options: {0}")]
    Options(&'static str),
    /// A cryptographic operation failed.
    #[error(transparent)]
    Crypto(#[from] sigil_crypto::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apim_reasons_match_the_documented_names() {
        assert_eq!(ValidationError::Expired.apim_reason(), "TokenExpired");
        assert_eq!(
            ValidationError::InvalidSignature.apim_reason(),
            "TokenSignatureInvalid"
        );
        assert_eq!(
            ValidationError::AudienceNotAllowed.apim_reason(),
            "TokenAudienceNotAllowed"
        );
        assert_eq!(
            ValidationError::IssuerNotAllowed.apim_reason(),
            "TokenIssuerNotAllowed"
        );
        assert_eq!(
            ValidationError::KeyNotFound.apim_reason(),
            "TokenSignatureKeyNotFound"
        );
        assert_eq!(
            ValidationError::RequiredClaimMissing("x".into()).apim_reason(),
            "TokenClaimNotFound"
        );
        assert_eq!(
            ValidationError::Malformed(Malformed::Base64).apim_reason(),
            "JwtInvalid"
        );
        assert_eq!(ValidationError::Expired.rfc6750_error(), "invalid_token");
        assert_eq!(
            ValidationError::Expired.rfc6750_description(),
            "The token expired"
        );
    }
}
