//! Entry points for the cargo-fuzz targets in /fuzz. Each must never panic, whatever the input.

use sigil_core::UnixTime;
use sigil_crypto::{HmacKey, RandomSource};

use crate::{ApplyInputs, ApplyOptions, Directory, Document, apply, export};

/// Parses arbitrary bytes as a directory document; on success also applies it to an empty
/// directory (no environment, no files, fixed randomness) and exports the result, so the whole
/// pipeline is exercised. Returns whether the document parsed.
pub fn parse_document(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    let Ok(doc) = Document::parse("fuzz.yaml", text) else {
        return false;
    };
    let Ok(key) = HmacKey::new(vec![7; 32]) else {
        return true;
    };
    let env = |_: &str| None;
    let files = |_: &std::path::Path| Err("no files while fuzzing".to_owned());
    let inputs = ApplyInputs {
        env: &env,
        files: &files,
        rng: &FuzzRandom,
        hash_key: &key,
        now: UnixTime::from_secs(1_800_000_000),
    };
    if let Ok(out) = apply(
        &Directory::default(),
        &doc,
        ApplyOptions::default(),
        &inputs,
    ) {
        let _ = export(&out.directory, crate::TenantFilter::All);
    }
    true
}

/// Deterministic "randomness" so fuzz runs reproduce.
#[derive(Debug)]
struct FuzzRandom;

impl RandomSource for FuzzRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), sigil_crypto::Error> {
        for (i, b) in dest.iter_mut().enumerate() {
            *b = u8::try_from(i % 251).unwrap_or(0) ^ 0x5a;
        }
        Ok(())
    }
}
