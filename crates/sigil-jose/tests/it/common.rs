//! Helpers shared by the integration tests.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde_json::{Value, json};
use sigil_core::UnixTime;
use sigil_jose::base64url;
use sigil_jose::{
    Algorithm, KeyKind, KeySet, Signer, SigningKey, TokenKind, ValidationOptions, Validator,
};

pub(crate) const NOW: u64 = 1_700_000_000;
pub(crate) const ISS: &str =
    "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0";
pub(crate) const TID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub(crate) const AUD: &str = "6e74172b-be56-4843-9ff4-e66a39bb12e3";

pub(crate) fn now() -> UnixTime {
    UnixTime::from_secs(NOW)
}

/// One RSA key per test binary run (generation is slow in debug builds).
pub(crate) fn rsa_key() -> Arc<SigningKey> {
    static K: OnceLock<Arc<SigningKey>> = OnceLock::new();
    K.get_or_init(|| Arc::new(SigningKey::generate(KeyKind::Rsa2048).unwrap()))
        .clone()
}

pub(crate) fn signer(kind: KeyKind) -> Signer {
    let key = if kind == KeyKind::Rsa2048 {
        rsa_key()
    } else {
        Arc::new(SigningKey::generate(kind).unwrap())
    };
    let alg = key.default_algorithm();
    Signer::new(key, alg, format!("kid-{kind:?}")).unwrap()
}

pub(crate) fn keyset(signers: &[&Signer]) -> KeySet {
    let mut ks = KeySet::new();
    for s in signers {
        ks.insert_jwk(&s.public_jwk()).unwrap();
    }
    ks
}

/// An Entra v2-shaped delegated access token payload, valid at [`NOW`].
pub(crate) fn access_claims() -> Value {
    json!({
        "aud": AUD,
        "iss": ISS,
        "iat": NOW - 60, "nbf": NOW - 60, "exp": NOW + 3600,
        "aio": "AXQAi/8UAAAA", "azp": "d3b2c1a0-1111-2222-3333-444455556666", "azpacr": "1",
        "name": "Abe Lincoln", "oid": "690222be-ff1a-4d56-abd1-7e4f7d38e474",
        "preferred_username": "abeli@microsoft.com", "rh": "I",
        "scp": "access_as_user", "sub": "HKZpfaHyWadeOouYlitjrI-KffTm222X5rrV3xDqfKQ",
        "tid": TID, "uti": "fqiBqXLPj0eQa82S-IYFAA", "ver": "2.0"
    })
}

pub(crate) fn options() -> ValidationOptions {
    ValidationOptions::new().issuer(ISS).audience(AUD)
}

pub(crate) fn validator(opts: ValidationOptions, signers: &[&Signer]) -> Validator {
    Validator::new(opts, keyset(signers)).unwrap()
}

pub(crate) fn default_validator(s: &Signer) -> Validator {
    validator(options(), &[s])
}

/// Build a token from raw header/payload JSON text, signed by `s` over exactly those bytes.
pub(crate) fn sign_raw(s: &SigningKey, alg: Algorithm, header: &str, payload: &str) -> String {
    let input = format!(
        "{}.{}",
        base64url::encode(header.as_bytes()),
        base64url::encode(payload.as_bytes())
    );
    let sig = s.sign(alg, input.as_bytes()).unwrap();
    format!("{input}.{}", base64url::encode(&sig))
}

pub(crate) fn skew(secs: u64) -> Duration {
    Duration::from_secs(secs)
}

pub(crate) fn kind(k: TokenKind) -> ValidationOptions {
    options().token_kind(k)
}
