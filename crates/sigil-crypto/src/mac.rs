//! HMAC: `HS*` JWS signatures and keyed hashing of client secrets.

use std::fmt;

use aws_lc_rs::hmac;
use sigil_core::Secret;

use crate::{Algorithm, Error};

/// A symmetric HMAC secret. `Debug` never shows the bytes.
///
/// RFC 7518 §3.2 requires a key at least as long as the hash output; [`HmacKey::new`] enforces
/// it per algorithm at verification time, and rejects empty keys outright.
#[derive(Clone)]
pub struct HmacKey {
    secret: Secret<Vec<u8>>,
}

impl HmacKey {
    /// Wrap a secret. Fails only for an empty secret; length against a given hash is checked
    /// by [`HmacKey::check_for`].
    pub fn new(secret: Vec<u8>) -> Result<Self, Error> {
        if secret.is_empty() {
            return Err(Error::WeakKey("empty HMAC key"));
        }
        Ok(Self {
            secret: Secret::new(secret),
        })
    }

    /// The key length in bytes.
    pub fn len(&self) -> usize {
        self.secret.expose().len()
    }

    /// Always false: empty keys cannot be built.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Whether this key is long enough for `alg` (and `alg` is an HMAC algorithm).
    pub fn check_for(&self, alg: Algorithm) -> Result<(), Error> {
        let (_, min) = hmac_alg(alg)?;
        if self.len() < min {
            return Err(Error::WeakKey("HMAC key shorter than the hash output"));
        }
        Ok(())
    }

    /// MAC `msg` with `alg`.
    pub fn sign(&self, alg: Algorithm, msg: &[u8]) -> Result<Vec<u8>, Error> {
        self.check_for(alg)?;
        let (a, _) = hmac_alg(alg)?;
        let key = hmac::Key::new(a, self.secret.expose());
        Ok(hmac::sign(&key, msg).as_ref().to_vec())
    }

    /// Verify a MAC in constant time.
    pub fn verify(&self, alg: Algorithm, msg: &[u8], tag: &[u8]) -> Result<(), Error> {
        self.check_for(alg)?;
        let (a, _) = hmac_alg(alg)?;
        let key = hmac::Key::new(a, self.secret.expose());
        hmac::verify(&key, msg, tag).map_err(|_| Error::BadSignature)
    }
}

impl fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HmacKey({} bytes, ***)", self.len())
    }
}

fn hmac_alg(alg: Algorithm) -> Result<(hmac::Algorithm, usize), Error> {
    match alg {
        Algorithm::HS256 => Ok((hmac::HMAC_SHA256, 32)),
        Algorithm::HS384 => Ok((hmac::HMAC_SHA384, 48)),
        Algorithm::HS512 => Ok((hmac::HMAC_SHA512, 64)),
        _ => Err(Error::AlgorithmMismatch),
    }
}

/// HMAC-SHA-256 of `data` under `key`: how client secrets are stored (a server-side pepper
/// as `key`, so a database dump alone does not allow offline guessing).
pub fn keyed_hash(key: &[u8], data: &[u8]) -> [u8; 32] {
    let k = hmac::Key::new(hmac::HMAC_SHA256, key);
    let mut out = [0u8; 32];
    out.copy_from_slice(hmac::sign(&k, data).as_ref());
    out
}

/// Check `data` against a stored [`keyed_hash`] in constant time.
pub fn keyed_hash_verify(key: &[u8], data: &[u8], expected: &[u8]) -> bool {
    let k = hmac::Key::new(hmac::HMAC_SHA256, key);
    hmac::verify(&k, data, expected).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_case_2() {
        // RFC 4231 test case 2: key "Jefe".
        let mac = keyed_hash(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(mac[..4], [0x5b, 0xdc, 0xc1, 0x46]);
        assert!(keyed_hash_verify(
            b"Jefe",
            b"what do ya want for nothing?",
            &mac
        ));
        assert!(!keyed_hash_verify(
            b"Jefe",
            b"what do ya want for nothing!",
            &mac
        ));
    }

    #[test]
    fn short_and_empty_keys_are_rejected() {
        assert!(HmacKey::new(vec![]).is_err());
        let k = HmacKey::new(vec![7; 32]).unwrap();
        assert!(k.check_for(Algorithm::HS256).is_ok());
        assert_eq!(
            k.check_for(Algorithm::HS384),
            Err(Error::WeakKey("HMAC key shorter than the hash output"))
        );
        assert_eq!(k.check_for(Algorithm::RS256), Err(Error::AlgorithmMismatch));
    }

    #[test]
    fn sign_verify_and_debug_redacts() {
        let k = HmacKey::new(vec![1; 64]).unwrap();
        for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
            let tag = k.sign(alg, b"m").unwrap();
            assert!(k.verify(alg, b"m", &tag).is_ok());
            assert!(k.verify(alg, b"n", &tag).is_err());
        }
        assert!(!format!("{k:?}").contains('1'));
    }
}
