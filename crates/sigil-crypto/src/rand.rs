//! Secure randomness behind a small trait, so code that needs random bytes (key ids, nonces,
//! secrets) can be driven deterministically in tests.

use std::fmt;

use aws_lc_rs::rand::SecureRandom as _;

use crate::Error;

/// A source of cryptographically secure random bytes.
pub trait RandomSource: Send + Sync + fmt::Debug {
    /// Fill `dest` with random bytes.
    fn fill(&self, dest: &mut [u8]) -> Result<(), Error>;
}

/// The operating system / aws-lc DRBG. The only production implementation.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemRandom;

impl RandomSource for SystemRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), Error> {
        aws_lc_rs::rand::SystemRandom::new()
            .fill(dest)
            .map_err(|_| Error::Backend)
    }
}

/// `len` random bytes from the system source.
pub fn random_bytes(len: usize) -> Result<Vec<u8>, Error> {
    let mut v = vec![0u8; len];
    SystemRandom.fill(&mut v)?;
    Ok(v)
}

/// `N` random bytes from the system source.
pub fn random_array<const N: usize>() -> Result<[u8; N], Error> {
    let mut a = [0u8; N];
    SystemRandom.fill(&mut a)?;
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_bytes_differ() {
        let a: [u8; 32] = random_array().unwrap();
        let b: [u8; 32] = random_array().unwrap();
        assert_ne!(a, b);
        assert_eq!(random_bytes(7).unwrap().len(), 7);
    }
}
