//! Deterministic inputs: seeded randomness, an environment map, in-memory files, certificates.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sigil_core::UnixTime;
use sigil_crypto::{HmacKey, RandomSource};
use sigil_directory::{
    ApplyError, ApplyInputs, ApplyOptions, ApplyOutcome, Directory, Document, apply,
};

/// 2026-01-01T00:00:00Z.
pub(crate) const NOW: u64 = 1_767_225_600;

/// splitmix64: deterministic, so generated ids are reproducible in assertions.
#[derive(Debug)]
pub(crate) struct SeededRandom(Mutex<u64>);

impl SeededRandom {
    pub(crate) fn new(seed: u64) -> Self {
        Self(Mutex::new(seed))
    }
}

impl RandomSource for SeededRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), sigil_crypto::Error> {
        let mut s = self.0.lock().unwrap();
        for chunk in dest.chunks_mut(8) {
            *s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = *s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
        }
        Ok(())
    }
}

pub(crate) fn hash_key() -> HmacKey {
    HmacKey::new(vec![0x42; 32]).unwrap()
}

/// Everything an apply needs, owned, so tests can tweak one part.
pub(crate) struct World {
    pub(crate) env: HashMap<String, String>,
    pub(crate) files: HashMap<PathBuf, Vec<u8>>,
    pub(crate) rng: SeededRandom,
    pub(crate) key: HmacKey,
    pub(crate) now: UnixTime,
}

impl World {
    pub(crate) fn new() -> Self {
        Self {
            env: HashMap::new(),
            files: HashMap::new(),
            rng: SeededRandom::new(1),
            key: hash_key(),
            now: UnixTime::from_secs(NOW),
        }
    }

    /// The product.md example's environment and certificate file.
    pub(crate) fn product() -> Self {
        let mut w = Self::new();
        w.env
            .insert("TP_SECRET".into(), "tp-secret-from-the-environment".into());
        w.files.insert(
            PathBuf::from("fixtures/certs/transaction-processor.pem"),
            cert_pem("transaction-processor", 2024, 2034).into_bytes(),
        );
        w
    }

    pub(crate) fn apply(
        &self,
        current: &Directory,
        doc: &Document,
        prune: bool,
    ) -> Result<ApplyOutcome, Vec<ApplyError>> {
        let env = |n: &str| self.env.get(n).cloned();
        let files = |p: &Path| {
            self.files
                .get(p)
                .cloned()
                .ok_or_else(|| "no such file".to_owned())
        };
        let inputs = ApplyInputs {
            env: &env,
            files: &files,
            rng: &self.rng,
            hash_key: &self.key,
            now: self.now,
        };
        apply(current, doc, ApplyOptions { prune }, &inputs)
    }

    /// Parses `text` as `file` and applies it; panics with the errors on failure.
    pub(crate) fn apply_text(
        &self,
        current: &Directory,
        file: &str,
        text: &str,
        prune: bool,
    ) -> ApplyOutcome {
        let doc = Document::parse(file, text).unwrap_or_else(|e| panic!("{}", lines(&e)));
        self.apply(current, &doc, prune)
            .unwrap_or_else(|e| panic!("{}", lines(&e)))
    }
}

pub(crate) fn lines<T: ToString>(items: &[T]) -> String {
    items.iter().map(|e| e.to_string() + "\n").collect()
}

pub(crate) fn product_example() -> &'static str {
    include_str!("fixtures/product-example.yaml")
}

/// A self-signed P-256 certificate, valid from Jan 1 of `from` to Jan 1 of `to`.
pub(crate) fn cert_pem(cn: &str, from: i32, to: i32) -> String {
    let mut params = rcgen::CertificateParams::new(vec![cn.to_owned()]).unwrap();
    params.not_before = rcgen::date_time_ymd(from, 1, 1);
    params.not_after = rcgen::date_time_ymd(to, 1, 1);
    let key = rcgen::KeyPair::generate().unwrap();
    params.self_signed(&key).unwrap().pem()
}

/// Indents a PEM so it can sit in a YAML literal block at `indent` spaces.
pub(crate) fn indent(text: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    text.lines().map(|l| format!("{pad}{l}\n")).collect()
}
