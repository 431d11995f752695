//! JOSE signature algorithm identifiers and the key family each is bound to.

use std::fmt;
use std::str::FromStr;

/// A JWS signature algorithm (RFC 7518 §3, RFC 8037 for `EdDSA`).
///
/// `none` is deliberately absent: it cannot be represented, so it cannot be allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384 (verify only).
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512 (verify only).
    RS512,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, salt 32.
    PS256,
    /// RSASSA-PSS with SHA-384 (verify only).
    PS384,
    /// RSASSA-PSS with SHA-512 (verify only).
    PS512,
    /// ECDSA P-256 with SHA-256, IEEE P1363 signature encoding.
    ES256,
    /// ECDSA P-384 with SHA-384 (verify only).
    ES384,
    /// Ed25519 (RFC 8037).
    EdDSA,
    /// HMAC-SHA-256; only with a key configured as a symmetric secret.
    HS256,
    /// HMAC-SHA-384; only with a key configured as a symmetric secret.
    HS384,
    /// HMAC-SHA-512; only with a key configured as a symmetric secret.
    HS512,
}

/// The kind of key an [`Algorithm`] is bound to. An algorithm is never used with a key of
/// another family: this is what stops RS256/HS256 and similar confusion attacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyFamily {
    /// RSA keys (`kty` `RSA`).
    Rsa,
    /// NIST P-256 keys.
    EcP256,
    /// NIST P-384 keys.
    EcP384,
    /// Ed25519 keys (`kty` `OKP`, `crv` `Ed25519`).
    Ed25519,
    /// Symmetric secrets (`kty` `oct`).
    Symmetric,
}

impl Algorithm {
    /// Every algorithm this crate can verify.
    pub const ALL: [Algorithm; 12] = [
        Self::RS256,
        Self::RS384,
        Self::RS512,
        Self::PS256,
        Self::PS384,
        Self::PS512,
        Self::ES256,
        Self::ES384,
        Self::EdDSA,
        Self::HS256,
        Self::HS384,
        Self::HS512,
    ];

    /// The JOSE name (`"RS256"`, `"EdDSA"`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::EdDSA => "EdDSA",
            Self::HS256 => "HS256",
            Self::HS384 => "HS384",
            Self::HS512 => "HS512",
        }
    }

    /// The key family this algorithm may be used with.
    pub const fn family(self) -> KeyFamily {
        match self {
            Self::RS256 | Self::RS384 | Self::RS512 | Self::PS256 | Self::PS384 | Self::PS512 => {
                KeyFamily::Rsa
            }
            Self::ES256 => KeyFamily::EcP256,
            Self::ES384 => KeyFamily::EcP384,
            Self::EdDSA => KeyFamily::Ed25519,
            Self::HS256 | Self::HS384 | Self::HS512 => KeyFamily::Symmetric,
        }
    }

    /// Whether Sigil will produce signatures with this algorithm (the others are verify-only,
    /// accepted for interoperability).
    pub const fn can_sign(self) -> bool {
        matches!(self, Self::RS256 | Self::PS256 | Self::ES256 | Self::EdDSA)
    }

    /// Whether this is an HMAC algorithm.
    pub const fn is_symmetric(self) -> bool {
        matches!(self.family(), KeyFamily::Symmetric)
    }
}

impl FromStr for Algorithm {
    type Err = UnknownAlgorithm;

    /// Exact, case-sensitive match on the JOSE name (RFC 7515 §4.1.1: `alg` is case-sensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or(UnknownAlgorithm)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The `alg` string is not one this crate supports (this includes `none`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownAlgorithm;

impl fmt::Display for UnknownAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown or unsupported algorithm")
    }
}

impl std::error::Error for UnknownAlgorithm {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_none_is_unrepresentable() {
        for a in Algorithm::ALL {
            assert_eq!(a.name().parse::<Algorithm>(), Ok(a));
        }
        assert!("none".parse::<Algorithm>().is_err());
        assert!(
            "rs256".parse::<Algorithm>().is_err(),
            "alg is case-sensitive"
        );
        assert!("ES512".parse::<Algorithm>().is_err());
    }

    #[test]
    fn only_the_issuing_algorithms_sign() {
        let signers: Vec<_> = Algorithm::ALL
            .into_iter()
            .filter(|a| a.can_sign())
            .collect();
        assert_eq!(
            signers,
            [
                Algorithm::RS256,
                Algorithm::PS256,
                Algorithm::ES256,
                Algorithm::EdDSA
            ]
        );
    }
}
