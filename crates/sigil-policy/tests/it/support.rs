//! Shared helpers.

use std::path::PathBuf;

pub(crate) fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The environment the fixtures expect.
pub(crate) fn env(name: &str) -> Option<String> {
    match name {
        "GOLD_PRIMARY_KEY" => Some("gold-primary-key-0001".into()),
        "SIGIL_NAMED_VALUE_TENANT_DB_SECRET" => Some("s3cr3t-db-key".into()),
        _ => None,
    }
}
