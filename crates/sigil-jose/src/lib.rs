//! JOSE for Sigil: compact JWS signing and verification, JWK/JWKS, JWT validation with a
//! proof type, and signing-key rotation. Sans-IO: time and keys are inputs; nothing here
//! reads the clock, the network or a database.
//!
//! # What it is not
//! Not a JWKS fetcher (the caller fetches a configured URL and builds a [`KeySet`]), not JWE,
//! not a general JSON serialisation (compact only), and not a policy engine (beyond the
//! token-level rules below, authorisation belongs to `sigil-policy`).
//!
//! # Validation rules ([`Validator::validate`]), all on by default
//! - **Algorithms** come from an allow-list ([`ValidationOptions::DEFAULT_ALGORITHMS`]: RS*,
//!   PS*, ES256, ES384, EdDSA). `none` cannot even be represented. Every algorithm is bound to
//!   a key family, and a key only verifies its own family, so `HS256` can never be checked
//!   with an RSA key's bytes. `HS*` works only if added to the allow-list *and* the key was
//!   configured as a symmetric secret ([`KeySet::insert_symmetric_jwk`]); a key set never
//!   mixes symmetric and asymmetric keys.
//! - **Keys** come only from the trusted [`KeySet`], chosen by `kid`. `jku`, `x5u` and
//!   embedded `jwk`/`x5c` header members are never used. A key whose JWK has `alg` only
//!   verifies that algorithm; `use: enc` or `key_ops` without `verify` are never trusted.
//! - **`crit`** present at all → rejected (no extensions are implemented).
//! - **Strict encoding**: exactly three parts, canonical unpadded base64url, JSON with no
//!   duplicate member names at any depth, size limits on token, header and payload.
//! - **`iss`** exact, or a template with `{tenantid}` that must equal the token's `tid`.
//! - **`aud`** string or array; one value must be configured.
//! - **`exp`** required; `exp`, `nbf`, `iat` checked with a skew (default 5 minutes like
//!   Microsoft.IdentityModel; pass `Duration::ZERO` for APIM's default of 0).
//!
//! # Access token vs ID token ([`TokenKind`])
//! Entra sends `typ: JWT` on both, so the header alone cannot tell them apart. The rule:
//! - [`TokenKind::AccessToken`]: `typ` absent, `JWT` or `at+jwt` (RFC 9068); the payload has
//!   no `nonce`, `at_hash` or `c_hash` (ID-token-only claims); and it has `scp` or `roles`
//!   (as Microsoft.Identity.Web requires by default) unless `typ` is `at+jwt` or
//!   [`ValidationOptions::allow_acl_access_tokens`] is set.
//! - [`TokenKind::IdToken`]: `typ` absent or `JWT` (never `at+jwt`); no `scp`; `idtyp` not
//!   `app`; `sub` present.
//! - [`TokenKind::Any`]: no kind check (what APIM's `validate-jwt` does).
//!
//! Sigil's own IdP therefore never puts `scp` in an ID token and never puts `nonce` in an
//! access token payload.
//!
//! # Key rotation ([`keyring`])
//! Keys move `Next → Active → Retired → deleted`. A next key is published in the JWKS
//! `publish_ahead` (default 24 h) before it signs, so relying parties that cache the JWKS for
//! a day already know it; the active key is replaced every `rotate_every` (default 30 days);
//! a retired key stays published for `retire_after` (default 24 h 90 min = a 90-minute maximum
//! token lifetime plus a 24-hour client cache) so tokens it signed keep validating.

mod b64;
mod claims;
mod error;
mod header;
mod json;
mod jwk;
mod jws;
pub mod keyring;
mod keyset;
mod sign;
mod validate;

#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;

pub use claims::{Audience, Claims, NumericDate};
pub use error::{JoseError, Malformed, ValidationError};
pub use header::Header;
pub use jwk::{Jwk, JwkSet};
pub use jws::{Limits, VerifiedJws, verify_compact};
pub use keyset::{KeySet, TrustedKey};
pub use sign::Signer;
pub use validate::{ClaimCheck, TokenKind, ValidationOptions, Validator, Verified};

pub use sigil_crypto::{Algorithm, KeyKind, SigningKey, VerifyingKey};

/// Base64url helpers with the strictness JWS needs (for callers building tokens by hand).
pub mod base64url {
    pub use crate::b64::{decode, encode};
}
