//! Undoing a body's `Content-Encoding` so `validate-content` can check what the sender meant.
//!
//! APIM checks `max-size` against the decompressed length too, so a small compressed body
//! cannot smuggle a large document past the limit. Every decoding stage here stops one byte
//! past `max-size` of output: a decompression bomb costs at most `max-size + 1` bytes of memory
//! and the CPU to produce them, never more. The message itself goes on as it came (still
//! encoded); only the copy that is validated is decoded.

use std::borrow::Cow;
use std::io::Read;

use flate2::read::{DeflateDecoder, MultiGzDecoder, ZlibDecoder};

/// Most codings one body may stack (`Content-Encoding: gzip, br`): real senders use one.
const MAX_CODINGS: usize = 4;

/// Why a body could not be decoded.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum DecodeError {
    /// A stage produced more than `max` bytes.
    TooLarge,
    /// A coding the gateway does not implement (`compress`, `zstd`, ...), or too many codings.
    Unsupported(String),
    /// The data is not valid for its coding (truncated, bad checksum, trailing garbage).
    Corrupt { coding: String, reason: String },
}

/// Decodes `body` encoded with `codings` (a `Content-Encoding` value: codings in the order they
/// were applied, so they are undone last to first). `identity` stages are skipped.
pub(super) fn decode(codings: &str, body: &[u8], max: usize) -> Result<Vec<u8>, DecodeError> {
    let stages: Vec<&str> = codings
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty() && !c.eq_ignore_ascii_case("identity"))
        .collect();
    if stages.len() > MAX_CODINGS {
        return Err(DecodeError::Unsupported(codings.trim().to_owned()));
    }
    let mut data = Cow::Borrowed(body);
    for coding in stages.iter().rev() {
        data = Cow::Owned(stage(coding, &data, max)?);
    }
    Ok(data.into_owned())
}

fn stage(coding: &str, input: &[u8], max: usize) -> Result<Vec<u8>, DecodeError> {
    let c = coding.to_ascii_lowercase();
    match c.as_str() {
        "gzip" | "x-gzip" => bounded(MultiGzDecoder::new(input), &c, max),
        // RFC 9110 `deflate` is zlib-wrapped; some servers send raw deflate, which browsers
        // accept too. A zlib stream announces itself in its first two bytes.
        "deflate" if zlib_header(input) => bounded(ZlibDecoder::new(input), &c, max),
        "deflate" => bounded(DeflateDecoder::new(input), &c, max),
        "br" => bounded(brotli_decompressor::Decompressor::new(input, 4096), &c, max),
        _ => Err(DecodeError::Unsupported(coding.to_owned())),
    }
}

/// Reads `reader` to its end, failing as soon as it yields more than `max` bytes.
fn bounded(reader: impl Read, coding: &str, max: usize) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    match reader.take(limit).read_to_end(&mut out) {
        Ok(_) if out.len() > max => Err(DecodeError::TooLarge),
        Ok(_) => Ok(out),
        Err(e) => Err(DecodeError::Corrupt {
            coding: coding.to_owned(),
            reason: e.to_string(),
        }),
    }
}

/// RFC 1950: compression method 8 (deflate), a window of at most 32 KiB, and a header
/// checksum that makes the first two bytes a multiple of 31.
fn zlib_header(input: &[u8]) -> bool {
    match input {
        [cmf, flg, ..] => {
            cmf & 0x0f == 8 && cmf >> 4 <= 7 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::Compression;
    use flate2::write::{DeflateEncoder, GzEncoder, ZlibEncoder};

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn brotli(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        w.write_all(data).unwrap();
        drop(w);
        out
    }

    #[test]
    fn every_supported_coding_round_trips() {
        let doc = br#"{"name": "rex", "tag": null}"#.repeat(10);
        let mut zlib = ZlibEncoder::new(Vec::new(), Compression::default());
        zlib.write_all(&doc).unwrap();
        let mut raw = DeflateEncoder::new(Vec::new(), Compression::default());
        raw.write_all(&doc).unwrap();
        let cases = [
            ("gzip", gzip(&doc)),
            ("X-GZIP", gzip(&doc)),
            ("deflate", zlib.finish().unwrap()),
            ("deflate", raw.finish().unwrap()),
            ("br", brotli(&doc)),
            ("gzip, br", brotli(&gzip(&doc))),
            ("identity, gzip", gzip(&doc)),
        ];
        for (coding, body) in cases {
            assert_eq!(
                decode(coding, &body, 1024).as_deref(),
                Ok(&doc[..]),
                "{coding}"
            );
        }
    }

    #[test]
    fn output_stops_one_byte_past_the_limit() {
        // A 10 MB run of zeros compresses to about 10 KB: a small bomb.
        let bomb = gzip(&vec![0u8; 10_000_000]);
        assert!(bomb.len() < 20_000);
        assert_eq!(decode("gzip", &bomb, 102_400), Err(DecodeError::TooLarge));
        assert_eq!(
            decode("br", &brotli(&[b'a'; 2000]), 1999),
            Err(DecodeError::TooLarge)
        );
        assert_eq!(
            decode("br", &brotli(&[b'a'; 2000]), 2000).unwrap().len(),
            2000
        );
        // Stacked codings are bounded at each stage.
        assert_eq!(
            decode("gzip, gzip", &gzip(&bomb), 102_400),
            Err(DecodeError::TooLarge)
        );
    }

    #[test]
    fn unknown_codings_and_broken_data_are_named() {
        assert_eq!(
            decode("zstd", b"x", 10),
            Err(DecodeError::Unsupported("zstd".into()))
        );
        assert_eq!(
            decode("gzip,gzip,gzip,gzip,gzip", b"x", 10),
            Err(DecodeError::Unsupported("gzip,gzip,gzip,gzip,gzip".into()))
        );
        let good = gzip(b"{}");
        for broken in [&good[..good.len() - 4], b"not gzip at all"] {
            assert!(matches!(
                decode("gzip", broken, 100),
                Err(DecodeError::Corrupt { .. })
            ));
        }
        let mut trailing = good.clone();
        trailing.extend_from_slice(b"garbage");
        assert!(matches!(
            decode("gzip", &trailing, 100),
            Err(DecodeError::Corrupt { .. })
        ));
        assert!(matches!(
            decode("br", b"\xff\xff\xff", 100),
            Err(DecodeError::Corrupt { .. })
        ));
    }

    proptest::proptest! {
        /// Arbitrary bytes under any coding: an error or a bounded output, never a panic.
        #[test]
        fn arbitrary_input_never_panics_or_exceeds_the_limit(
            data in proptest::collection::vec(proptest::num::u8::ANY, 0..512),
            coding in proptest::sample::select(vec!["gzip", "deflate", "br", "gzip, br"]),
        ) {
            if let Ok(out) = decode(coding, &data, 256) {
                proptest::prop_assert!(out.len() <= 256);
            }
        }
    }
}
