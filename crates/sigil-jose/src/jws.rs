//! Compact JWS: strict parsing and signature verification against a trusted [`KeySet`].

use std::mem::MaybeUninit;

use crate::error::{Malformed, ValidationError};
use crate::{Algorithm, Header, KeySet, b64, json};

/// Size limits applied before any decoding. Defaults fit Entra tokens with large `groups`
/// claims (Entra caps groups at 200 in a JWT, ~8 KB) with room to spare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Maximum length of the whole compact token, in bytes.
    pub max_token_len: usize,
    /// Maximum length of the encoded header, in bytes.
    pub max_header_len: usize,
    /// Maximum length of the decoded payload, in bytes.
    pub max_payload_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_token_len: 16 * 1024,
            max_header_len: 1024,
            max_payload_len: 12 * 1024,
        }
    }
}

/// A compact JWS split into its parts, header decoded. Nothing here is trusted yet.
#[derive(Debug)]
pub(crate) struct Parsed<'a> {
    pub(crate) header: Header,
    pub(crate) alg: Algorithm,
    /// `BASE64URL(header) '.' BASE64URL(payload)`: the bytes the signature covers.
    pub(crate) signing_input: &'a str,
    pub(crate) payload_b64: &'a str,
    pub(crate) signature: Vec<u8>,
}

/// Split, size-check and decode a compact JWS; parse its header; reject `crit`.
pub(crate) fn parse<'a>(token: &'a str, limits: &Limits) -> Result<Parsed<'a>, ValidationError> {
    use ValidationError::Malformed as M;
    if token.len() > limits.max_token_len {
        return Err(M(Malformed::TokenTooLarge));
    }
    let mut parts = token.splitn(4, '.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(M(Malformed::Structure));
    };
    // An unsigned token (empty signature) is never acceptable; an empty payload is legal JWS.
    if h.is_empty() || s.is_empty() {
        return Err(M(Malformed::Structure));
    }
    if h.len() > limits.max_header_len {
        return Err(M(Malformed::HeaderTooLarge));
    }
    // Decoded size is 3/4 of the encoded size: check before decoding.
    if p.len() / 4 * 3 > limits.max_payload_len {
        return Err(M(Malformed::PayloadTooLarge));
    }
    let signature = b64::decode(s).map_err(|_| M(Malformed::Base64))?;
    let mut buf = [MaybeUninit::uninit(); HEADER_INLINE];
    let header: Header = decode_then(h, &mut buf, |b| parse_json(b, Malformed::Header))?;
    if header.crit.is_some() {
        return Err(ValidationError::UnsupportedCritical);
    }
    let alg = header
        .alg
        .parse::<Algorithm>()
        .map_err(|_| ValidationError::UnsupportedAlgorithm)?;
    Ok(Parsed {
        header,
        alg,
        signing_input: &token[..h.len() + 1 + p.len()],
        payload_b64: p,
        signature,
    })
}

/// Stack buffer for the decoded header: the default `max_header_len` (1024) decodes to 768.
const HEADER_INLINE: usize = 768;

/// Stack buffer for the decoded payload on the validate path; an Entra access token payload is
/// 0.5-3 KB. Larger payloads (up to `max_payload_len`) are decoded onto the heap.
pub(crate) const PAYLOAD_INLINE: usize = 4096;

/// Decode base64url `s` into `buf` when it fits, else onto the heap, and hand the bytes to
/// `f`. Saves an allocation per part on the hot path; strictness is [`b64::decode`]'s.
fn decode_then<T>(
    s: &str,
    buf: &mut [MaybeUninit<u8>],
    f: impl FnOnce(&[u8]) -> Result<T, ValidationError>,
) -> Result<T, ValidationError> {
    if let Some(bytes) = b64::decode_into(s, buf) {
        return f(bytes);
    }
    // Too big for `buf`, or invalid (then this fails the same way).
    let bytes = b64::decode(s).map_err(|_| ValidationError::Malformed(Malformed::Base64))?;
    f(&bytes)
}

/// Parse strict JSON into `T`, classifying duplicate members separately.
///
/// The bytes are checked as UTF-8 once, up front, and parsed as `&str`: from a byte slice
/// serde_json re-validates every string token separately, which costs more on a claims payload
/// of a few dozen short strings. Invalid UTF-8 is the same `kind` of malformed either way.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    kind: Malformed,
) -> Result<T, ValidationError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ValidationError::Malformed(kind))?;
    serde_json::from_str(text).map_err(|e| {
        ValidationError::Malformed(if json::is_duplicate(&e) {
            Malformed::DuplicateMember
        } else {
            kind
        })
    })
}

impl Parsed<'_> {
    /// Choose the key and verify the signature.
    ///
    /// With a `kid`, only the trusted key with that `kid` is tried. Without one, every
    /// trusted key that accepts `alg` is tried in order, as APIM's `validate-jwt` does with its
    /// issuer-signing-keys; an Entra token always has a `kid`.
    pub(crate) fn verify_signature(
        &self,
        keys: &KeySet,
        allowed: &[Algorithm],
    ) -> Result<(), ValidationError> {
        if !allowed.contains(&self.alg) {
            return Err(ValidationError::AlgorithmNotAllowed(self.alg));
        }
        let msg = self.signing_input.as_bytes();
        if let Some(kid) = &self.header.kid {
            let key = keys.find(kid).ok_or(ValidationError::KeyNotFound)?;
            if !key.accepts(self.alg) {
                return Err(ValidationError::KeyAlgorithmMismatch(self.alg));
            }
            return key
                .key()
                .verify(self.alg, msg, &self.signature)
                .map_err(|_| ValidationError::InvalidSignature);
        }
        let mut tried = false;
        for key in keys.iter().filter(|k| k.accepts(self.alg)) {
            tried = true;
            if key.key().verify(self.alg, msg, &self.signature).is_ok() {
                return Ok(());
            }
        }
        Err(if tried {
            ValidationError::InvalidSignature
        } else {
            ValidationError::KeyNotFound
        })
    }

    /// Decode the payload into `buf` (heap if larger), enforce the decoded size limit, and
    /// hand the bytes to `f`.
    pub(crate) fn with_payload<T>(
        &self,
        limits: &Limits,
        buf: &mut [MaybeUninit<u8>],
        f: impl FnOnce(&[u8]) -> Result<T, ValidationError>,
    ) -> Result<T, ValidationError> {
        decode_then(self.payload_b64, buf, |p| {
            if p.len() > limits.max_payload_len {
                return Err(ValidationError::Malformed(Malformed::PayloadTooLarge));
            }
            f(p)
        })
    }

    /// Decode the payload, enforcing the decoded size limit.
    pub(crate) fn payload(&self, limits: &Limits) -> Result<Vec<u8>, ValidationError> {
        let p = b64::decode(self.payload_b64)
            .map_err(|_| ValidationError::Malformed(Malformed::Base64))?;
        if p.len() > limits.max_payload_len {
            return Err(ValidationError::Malformed(Malformed::PayloadTooLarge));
        }
        Ok(p)
    }
}

/// A JWS whose signature verified with a trusted key; the payload is opaque bytes. Only
/// [`verify_compact`] builds one.
#[derive(Debug)]
pub struct VerifiedJws {
    header: Header,
    alg: Algorithm,
    payload: Vec<u8>,
}

impl VerifiedJws {
    /// The protected header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The algorithm that verified.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The payload bytes, owned (no copy).
    pub fn into_payload(self) -> Vec<u8> {
        self.payload
    }
}

/// Verify a compact JWS with an arbitrary payload (no JWT claim checks): the layer under
/// [`Validator`](crate::Validator), also useful for non-JWT payloads.
pub fn verify_compact(
    token: &str,
    keys: &KeySet,
    allowed: &[Algorithm],
    limits: &Limits,
) -> Result<VerifiedJws, ValidationError> {
    let parsed = parse(token, limits)?;
    parsed.verify_signature(keys, allowed)?;
    let payload = parsed.payload(limits)?;
    Ok(VerifiedJws {
        header: parsed.header,
        alg: parsed.alg,
        payload,
    })
}
