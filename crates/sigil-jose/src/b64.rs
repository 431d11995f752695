//! Base64url exactly as JWS requires (RFC 7515 §2): URL-safe alphabet, no padding, no
//! whitespace, and canonical (the unused low bits of the last character must be zero), so
//! every byte string has exactly one accepted encoding.

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{
    GeneralPurpose, GeneralPurposeConfig, STANDARD, URL_SAFE_NO_PAD,
};

/// Lenient on padding only, for `x5t` / `x5t#S256`, which some producers pad.
const URL_SAFE_ANY_PAD: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Encode without padding.
pub fn encode(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// Append the encoding of `data` to `out` (the allocation-lean sign path).
pub(crate) fn encode_into(data: &[u8], out: &mut String) {
    URL_SAFE_NO_PAD.encode_string(data, out);
}

/// Strict decode: rejects padding, non-alphabet characters and non-canonical trailing bits.
pub fn decode(s: &str) -> Result<Vec<u8>, base64::DecodeError> {
    URL_SAFE_NO_PAD.decode(s)
}

/// Decode a base64url value that may or may not carry `=` padding (still canonical bits).
pub(crate) fn decode_any_padding(s: &str) -> Result<Vec<u8>, base64::DecodeError> {
    URL_SAFE_ANY_PAD.decode(s)
}

/// Standard base64 with padding: the `x5c` encoding (RFC 7517 §4.7).
pub(crate) fn decode_standard(s: &str) -> Result<Vec<u8>, base64::DecodeError> {
    STANDARD.decode(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_rejects_padding_whitespace_and_trailing_bits() {
        assert_eq!(decode("Zm9v").unwrap(), b"foo");
        assert!(decode("Zm8=").is_err(), "padding");
        assert!(decode("Zm8").is_ok());
        assert!(decode("Zm9").is_err(), "non-canonical: low bits set");
        assert!(decode(" Zm9v").is_err());
        assert!(decode("Zm9v\n").is_err());
        assert!(decode("Zm+v").is_err(), "standard alphabet");
        assert!(decode("Z").is_err(), "impossible length");
    }

    #[test]
    fn any_padding_accepts_both_forms() {
        assert_eq!(decode_any_padding("Zm8=").unwrap(), b"fo");
        assert_eq!(decode_any_padding("Zm8").unwrap(), b"fo");
    }
}
