//! Entry points for the cargo-fuzz targets in `/fuzz` (feature `fuzzing`). Each checks a
//! property as well as "does not panic".

use std::sync::OnceLock;

use sigil_core::UnixTime;

use crate::{Algorithm, Jwk, JwkSet, KeySet, Limits, ValidationOptions, Validator, json};

fn validator() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| {
        let mut keys = KeySet::new();
        // A fixed Ed25519 public key (RFC 8032 test 1): fuzz input cannot forge signatures,
        // so this exercises every parsing path up to the signature check.
        let x =
            crate::b64::decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo").unwrap_or_default();
        if let Ok(k) = sigil_crypto::VerifyingKey::from_ed25519(&x) {
            let _ = keys.insert(Some("k".into()), None, k);
        }
        let opts = ValidationOptions::new().issuer("i").audience("a");
        // Options are fixed and valid; fall back to a permissive one rather than panic.
        Validator::new(opts, keys).unwrap_or_else(|_| {
            let o = ValidationOptions::new()
                .dangerous_accept_any_issuer()
                .dangerous_accept_any_audience();
            #[allow(clippy::unwrap_used)]
            Validator::new(o, KeySet::new()).unwrap()
        })
    })
}

/// Parse and validate arbitrary bytes as a token. Must never panic; must never succeed
/// (nothing in the input can carry a valid signature for the fixed key).
pub fn jws_parse(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let r = validator().validate(s, UnixTime::from_secs(1_700_000_000));
    assert!(r.is_err(), "fuzz input validated");
    let _ = crate::jws::parse(s, &Limits::default());
    let _ = crate::verify_compact(
        s,
        validator().keys(),
        &[Algorithm::EdDSA],
        &Limits::default(),
    );
}

/// Parse arbitrary bytes as a JWK and a JWKS. A JWK that parses must survive a
/// serialise/parse round trip unchanged (apart from the never-serialised `k`).
pub fn jwk_parse(data: &[u8]) {
    if let Ok(jwk) = Jwk::parse(data) {
        let _ = jwk.thumbprint();
        let _ = jwk.verifying_key();
        let again = Jwk::parse(jwk.to_json().as_bytes());
        let mut expect = jwk.clone();
        expect.k = None;
        assert_eq!(again.ok(), Some(expect), "JWK round trip changed the key");
    }
    if let Ok(set) = JwkSet::parse(data) {
        let _ = KeySet::from_jwks(&set);
    }
    let _ = json::from_slice_strict(data);
}

#[cfg(test)]
mod tests {
    #[test]
    fn fuzz_entry_points_survive_samples() {
        for s in [
            "",
            "a.b.c",
            "eyJhbGciOiJFZERTQSJ9.e30.AAAA",
            "{}",
            r#"{"kty":"RSA","n":"AQAB","e":"AQAB"}"#,
        ] {
            super::jws_parse(s.as_bytes());
            super::jwk_parse(s.as_bytes());
        }
        super::jwk_parse(br#"{"kty":"oct","k":"AAAA","extra":{"a":[1,2.5,null]}}"#);
    }
}
