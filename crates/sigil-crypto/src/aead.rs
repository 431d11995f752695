//! AES-256-GCM sealing under a root key: how private signing keys are stored at rest.
//!
//! Format: `version (1 byte) || nonce (12) || ciphertext || tag (16)`. The nonce is random per
//! seal (aws-lc `RandomizedNonceKey`); with 96-bit random nonces a single root key is good for
//! far more seals than key rotation will ever produce.

use std::fmt;

use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce, RandomizedNonceKey};
use sigil_core::Secret;

use crate::Error;

const VERSION: u8 = 1;
const TAG_LEN: usize = 16;

/// A 256-bit key-encryption key. `Debug` never shows it.
#[derive(Clone)]
pub struct RootKey(Secret<[u8; 32]>);

impl RootKey {
    /// Wrap 32 bytes of key material.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Secret::new(bytes))
    }

    /// A fresh random root key.
    pub fn generate() -> Result<Self, Error> {
        Ok(Self::from_bytes(crate::random_array()?))
    }

    /// The raw key, for the storage layer to wrap further (e.g. under a KMS).
    pub fn expose(&self) -> &[u8; 32] {
        self.0.expose()
    }
}

impl fmt::Debug for RootKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RootKey(***)")
    }
}

/// Encrypt and authenticate `plaintext`, binding `aad` (e.g. the key id) to it.
pub fn seal(root: &RootKey, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, Error> {
    let key = RandomizedNonceKey::new(&AES_256_GCM, root.expose()).map_err(|_| Error::Backend)?;
    let mut in_out = plaintext.to_vec();
    let nonce = key
        .seal_in_place_append_tag(Aad::from(aad), &mut in_out)
        .map_err(|_| Error::Backend)?;
    let mut out = Vec::with_capacity(1 + NONCE_LEN + in_out.len());
    out.push(VERSION);
    out.extend_from_slice(nonce.as_ref());
    out.extend_from_slice(&in_out);
    zeroize::Zeroize::zeroize(&mut in_out);
    Ok(out)
}

/// Decrypt data produced by [`seal`] with the same `aad`.
pub fn open(root: &RootKey, aad: &[u8], sealed: &[u8]) -> Result<Secret<Vec<u8>>, Error> {
    if sealed.len() < 1 + NONCE_LEN + TAG_LEN || sealed[0] != VERSION {
        return Err(Error::Decrypt);
    }
    let nonce =
        Nonce::try_assume_unique_for_key(&sealed[1..1 + NONCE_LEN]).map_err(|_| Error::Decrypt)?;
    let key = RandomizedNonceKey::new(&AES_256_GCM, root.expose()).map_err(|_| Error::Backend)?;
    let mut buf = sealed[1 + NONCE_LEN..].to_vec();
    let len = key
        .open_in_place(nonce, Aad::from(aad), &mut buf)
        .map_err(|_| Error::Decrypt)?
        .len();
    buf.truncate(len);
    Ok(Secret::new(buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_aad_binding() {
        let root = RootKey::generate().unwrap();
        let sealed = seal(&root, b"kid-1", b"private key").unwrap();
        assert_eq!(
            open(&root, b"kid-1", &sealed).unwrap().expose(),
            b"private key"
        );
        assert_eq!(open(&root, b"kid-2", &sealed).unwrap_err(), Error::Decrypt);
        let other = RootKey::generate().unwrap();
        assert_eq!(open(&other, b"kid-1", &sealed).unwrap_err(), Error::Decrypt);
    }

    #[test]
    fn any_flipped_bit_fails() {
        let root = RootKey::from_bytes([9; 32]);
        let sealed = seal(&root, b"a", b"hello").unwrap();
        for i in 0..sealed.len() {
            let mut t = sealed.clone();
            t[i] ^= 1;
            assert!(open(&root, b"a", &t).is_err(), "byte {i}");
        }
        assert!(open(&root, b"a", &sealed[..10]).is_err());
        assert_eq!(format!("{root:?}"), "RootKey(***)");
    }

    #[test]
    fn nonces_are_fresh() {
        let root = RootKey::from_bytes([1; 32]);
        assert_ne!(
            seal(&root, b"", b"x").unwrap(),
            seal(&root, b"", b"x").unwrap()
        );
    }
}
