//! Sigil's local certificate authority.
//!
//! Every Microsoft client refuses an `http://` authority, so even a laptop install needs TLS that
//! clients can trust. On first start this crate generates a private CA and a server certificate
//! for `localhost`/`127.0.0.1`/`::1` (plus any extra names); later starts reload them. The server
//! certificate is re-issued by the same CA when it nears expiry or the requested names change, so
//! a client that trusted the CA once keeps working.
//!
//! What this crate is not: a general PKI. It issues exactly one CA and server leaf certificates.

mod files;
mod issue;

use std::path::{Path, PathBuf};

use sigil_core::{Clock, Secret};

pub use issue::ServerNames;

/// Certificates and keys a TLS server needs, as PEM.
#[derive(Debug, Clone)]
pub struct TlsMaterial {
    /// The local CA certificate: what clients must trust.
    pub ca_cert_pem: String,
    /// The server certificate followed by the CA certificate.
    pub server_chain_pem: String,
    /// The server's PKCS#8 private key.
    pub server_key_pem: Secret<String>,
    /// Path of the CA certificate file, for `REQUESTS_CA_BUNDLE` / `NODE_EXTRA_CA_CERTS`.
    pub ca_cert_path: PathBuf,
}

/// Why the local CA could not be created or loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PkiError {
    /// Reading or writing a file under the home directory failed.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A stored certificate or key could not be parsed.
    #[error("{path}: {reason}")]
    Corrupt {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Certificate generation failed.
    #[error("certificate generation failed: {0}")]
    Generate(#[from] rcgen::Error),
}

/// Load the CA and server certificate from `dir`, creating or renewing what is missing or stale.
///
/// `dir` is created owner-only if absent. Keys are written with mode 0600, atomically.
pub fn ensure(dir: &Path, names: &ServerNames, clock: &dyn Clock) -> Result<TlsMaterial, PkiError> {
    files::create_private_dir(dir)?;
    let ca = issue::load_or_create_ca(dir, clock)?;
    let (chain, key) = issue::load_or_issue_server(dir, &ca, names, clock)?;
    Ok(TlsMaterial {
        ca_cert_pem: ca.cert_pem.clone(),
        server_chain_pem: chain,
        server_key_pem: key,
        ca_cert_path: dir.join(files::CA_CERT),
    })
}

/// Read the CA certificate PEM from an installation's PKI directory without creating anything.
pub fn read_ca_cert(dir: &Path) -> Result<String, PkiError> {
    files::read(&dir.join(files::CA_CERT))
}

#[cfg(test)]
mod tests;
