//! The installation's home directory: created owner-only, holds the store, keys and certificates.

use std::path::{Path, PathBuf};

/// Paths inside a home directory.
#[derive(Clone, Debug)]
pub(crate) struct Home {
    root: PathBuf,
}

impl Home {
    pub(crate) fn new(root: PathBuf) -> Self {
        Self { root }
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    pub(crate) fn pki_dir(&self) -> PathBuf {
        self.root.join("pki")
    }

    /// Create the directory (and parents) with mode 0700 on Unix.
    pub(crate) fn create(&self) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.root)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&self.root, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }
}

/// Read the root key file (base64 of 32 bytes), or create it (mode 0600) if absent.
///
/// The root key seals signing keys at rest and keys the client-secret hashes. Replicas that share
/// a database must share it (`root_key_file` / `SIGIL_ROOT_KEY`).
pub(crate) fn load_or_create_root_key(path: &Path) -> Result<sigil_crypto::RootKey, String> {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    match std::fs::read_to_string(path) {
        Ok(text) => parse_root_key(text.trim()).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = sigil_crypto::RootKey::generate().map_err(|e| e.to_string())?;
            let text = format!("{}\n", STANDARD.encode(key.expose()));
            write_private(path, text.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(key)
        }
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Read the admin token file, or create it (0600) with 32 random bytes (base64url) if absent.
pub(crate) fn load_or_create_token(path: &Path) -> Result<sigil_core::Secret<String>, String> {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    match std::fs::read_to_string(path) {
        Ok(text) if text.trim().len() >= 32 => Ok(sigil_core::Secret::new(text.trim().to_owned())),
        Ok(_) => Err(format!(
            "{}: the admin token must be at least 32 characters",
            path.display()
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let bytes = sigil_crypto::random_array::<32>().map_err(|e| e.to_string())?;
            let token = URL_SAFE_NO_PAD.encode(bytes);
            write_private(path, format!("{token}\n").as_bytes())
                .map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(sigil_core::Secret::new(token))
        }
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Parse base64 of exactly 32 bytes.
pub(crate) fn parse_root_key(text: &str) -> Result<sigil_crypto::RootKey, String> {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    let bytes = STANDARD
        .decode(text)
        .map_err(|_| "root key is not base64".to_owned())?;
    let arr: [u8; 32] = bytes
        .try_into()
        .map_err(|_| "root key must be 32 bytes (base64, 44 characters)".to_owned())?;
    Ok(sigil_crypto::RootKey::from_bytes(arr))
}

fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&tmp)?;
    f.write_all(data)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)
}
