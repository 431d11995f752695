use thiserror::Error;

/// Why a cryptographic operation failed. Deliberately coarse: callers map these to protocol
/// errors, and finer detail (which byte of a signature was wrong) would only help attackers.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Error {
    /// The key material could not be parsed or is inconsistent.
    #[error("malformed key: {0}")]
    MalformedKey(&'static str),
    /// The key parsed but violates a strength rule (exponent, size, ROCA, short HMAC key).
    #[error("weak key rejected: {0}")]
    WeakKey(&'static str),
    /// The algorithm cannot be used with this key (e.g. HS256 with an RSA key).
    #[error("algorithm not allowed for this key")]
    AlgorithmMismatch,
    /// The signature or MAC did not verify.
    #[error("signature verification failed")]
    BadSignature,
    /// Sealed data failed authentication or is truncated.
    #[error("decryption failed")]
    Decrypt,
    /// The backend refused the operation (RNG failure, internal error).
    #[error("crypto backend failure")]
    Backend,
}
