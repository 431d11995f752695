//! The one Sigil crate that touches cryptographic primitives.
//!
//! Everything here wraps [`aws_lc_rs`]; no other crate in the workspace depends on it, so a
//! second backend (FIPS build, HSM) only has to replace this crate.
//!
//! What it provides:
//! - [`SigningKey`]: a private key parsed **once** and kept in memory (RSA-2048/3072, P-256,
//!   P-384, Ed25519), generated fresh or imported from PKCS#8, exported to PKCS#8 as a
//!   [`Secret`](sigil_core::Secret).
//! - [`VerifyingKey`]: a public key built from JWK components, SPKI DER or an X.509
//!   certificate, pre-parsed for fast repeated verification, plus symmetric HMAC keys that
//!   can only ever verify `HS*` algorithms.
//! - [`Algorithm`]: the JOSE signature algorithms and the key type each one is bound to.
//! - HMAC ([`keyed_hash`] for client secrets), AES-256-GCM sealing under a [`RootKey`],
//!   SHA-1/SHA-256 digests, secure random bytes.
//!
//! What it is not: a JOSE library (that is `sigil-jose`), a certificate validator (that is
//! `sigil-pki`), or a place for policy beyond the key-strength rules every caller needs:
//! RSA public exponent must be 65537, moduli must be at least 2048 bits and must not carry
//! the ROCA fingerprint; HMAC keys must be at least as long as the hash output.

mod aead;
mod alg;
mod der;
mod digest;
mod error;
mod mac;
mod rand;
mod rsa_rules;
mod signing;
mod verifying;

pub use aead::{RootKey, open, seal};
pub use alg::{Algorithm, KeyFamily, UnknownAlgorithm};
pub use digest::{sha1, sha256, sha384, sha512};
pub use error::Error;
pub use mac::{HmacKey, keyed_hash, keyed_hash_verify};
pub use rand::{RandomSource, SystemRandom, random_array, random_bytes};
pub use rsa_rules::{MIN_RSA_BITS, has_roca_fingerprint};
pub use signing::{KeyKind, SigningKey};
pub use verifying::{EcCurve, PublicKeyParts, VerifyingKey};

/// Constant-time comparison, re-exported so crypto users need only this crate.
pub use sigil_core::constant_time_eq;
