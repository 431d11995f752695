//! Base64url exactly as JWS requires (RFC 7515 §2): URL-safe alphabet, no padding, no
//! whitespace, and canonical (the unused low bits of the last character must be zero), so
//! every byte string has exactly one accepted encoding.

use std::mem::MaybeUninit;

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{
    GeneralPurpose, GeneralPurposeConfig, STANDARD, URL_SAFE_NO_PAD,
};
use base64_simd::Out;

/// Lenient on padding only, for `x5t` / `x5t#S256`, which some producers pad.
const URL_SAFE_ANY_PAD: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The hot-path codec. base64-simd's non-forgiving decoder has exactly the strictness above
/// (no padding, alphabet only, zero trailing bits); `simd_matches_reference` checks that
/// against the `base64` crate's `URL_SAFE_NO_PAD` on arbitrary input.
const SIMD: base64_simd::Base64 = base64_simd::URL_SAFE_NO_PAD;

/// Encode without padding.
pub fn encode(data: &[u8]) -> String {
    SIMD.encode_to_string(data)
}

/// Append the encoding of `data` to `out` (the allocation-lean sign path).
pub(crate) fn encode_into(data: &[u8], out: &mut String) {
    SIMD.encode_append(data, out);
}

/// Strict decode: rejects padding, non-alphabet characters and non-canonical trailing bits.
pub fn decode(s: &str) -> Result<Vec<u8>, base64::DecodeError> {
    SIMD.decode_to_vec(s).or_else(|_| {
        // Failure path only: the `base64` crate names the offending byte for the public error
        // type. Should it ever accept what SIMD refused, still refuse: strictness wins.
        URL_SAFE_NO_PAD
            .decode(s)
            .and(Err(base64::DecodeError::InvalidPadding))
    })
}

/// Strict decode into a caller's (possibly uninitialised) buffer: the allocation-free form of
/// [`decode`] for the validate path. `None` when the input is invalid or the decoded bytes
/// would not fit `buf`.
pub(crate) fn decode_into<'b>(s: &str, buf: &'b mut [MaybeUninit<u8>]) -> Option<&'b mut [u8]> {
    // An upper bound on the decoded length; base64-simd panics on a short buffer.
    if s.len() / 4 * 3 + 2 > buf.len() {
        return None;
    }
    SIMD.decode(s.as_bytes(), Out::from_uninit_slice(buf)).ok()
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
    fn encode_matches_reference() {
        for n in 0..70 {
            let data: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(encode(&data), URL_SAFE_NO_PAD.encode(&data));
            let mut s = String::from("x.");
            encode_into(&data, &mut s);
            assert_eq!(s, format!("x.{}", URL_SAFE_NO_PAD.encode(&data)));
        }
    }

    #[test]
    fn decode_into_agrees_and_refuses_short_buffers() {
        let mut buf = [MaybeUninit::uninit(); 8];
        assert_eq!(
            decode_into("Zm9vYmFy", &mut buf).as_deref(),
            Some(&b"foobar"[..])
        );
        assert_eq!(decode_into("Zm9", &mut buf), None, "non-canonical");
        assert_eq!(
            decode_into("Zm9vYmFyZm9vYmFy", &mut buf),
            None,
            "does not fit"
        );
    }

    proptest::proptest! {
        /// The SIMD decoder accepts exactly what the reference strict decoder accepts, with
        /// the same bytes; inputs mix the alphabet, near-misses and lengths around SIMD blocks.
        #[test]
        fn simd_matches_reference(s in "[A-Za-z0-9_-]{0,80}[A-Za-z0-9_=+/. é-]{0,3}") {
            let reference = URL_SAFE_NO_PAD.decode(&s).ok();
            proptest::prop_assert_eq!(decode(&s).ok(), reference.clone());
            let mut buf = [MaybeUninit::uninit(); 64];
            proptest::prop_assert_eq!(decode_into(&s, &mut buf).map(|b| b.to_vec()), reference);
        }

        /// Every byte string round-trips.
        #[test]
        fn round_trip(data in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            proptest::prop_assert_eq!(decode(&encode(&data)).ok(), Some(data));
        }
    }

    #[test]
    fn any_padding_accepts_both_forms() {
        assert_eq!(decode_any_padding("Zm8=").unwrap(), b"fo");
        assert_eq!(decode_any_padding("Zm8").unwrap(), b"fo");
    }
}
