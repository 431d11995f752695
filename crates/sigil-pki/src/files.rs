//! Owner-only, crash-safe file handling for key material.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::PkiError;

pub(crate) const CA_CERT: &str = "ca.crt";
pub(crate) const CA_KEY: &str = "ca.key";
pub(crate) const SERVER_CERT: &str = "server.crt";
pub(crate) const SERVER_KEY: &str = "server.key";

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> PkiError + '_ {
    move |source| PkiError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Create `dir` (and parents) readable by the owner only.
pub(crate) fn create_private_dir(dir: &Path) -> Result<(), PkiError> {
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io_err(dir))?;
    }
    Ok(())
}

pub(crate) fn read(path: &Path) -> Result<String, PkiError> {
    fs::read_to_string(path).map_err(io_err(path))
}

pub(crate) fn read_if_exists(path: &Path) -> Result<Option<String>, PkiError> {
    match fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(path)(e)),
    }
}

/// Write `contents` to `path` atomically (temp file, fsync, rename, fsync dir), mode 0600.
///
/// A crash at any point leaves either the old file or the new one, never a torn one.
pub(crate) fn write_private(path: &Path, contents: &str) -> Result<(), PkiError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = path.with_extension("tmp");
    {
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp).map_err(io_err(&tmp))?;
        f.write_all(contents.as_bytes()).map_err(io_err(&tmp))?;
        f.sync_all().map_err(io_err(&tmp))?;
    }
    fs::rename(&tmp, path).map_err(io_err(path))?;
    if let Ok(d) = fs::File::open(dir) {
        // Persist the rename itself; failure to fsync a directory is not fatal on all platforms.
        let _ = d.sync_all();
    }
    Ok(())
}
