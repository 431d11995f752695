//! Reading files of the configuration folder with diagnostics that name them.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::diag::{Diags, Pos};

/// The folder being loaded.
pub(super) struct Folder<'a> {
    pub(super) root: &'a Path,
}

impl Folder<'_> {
    /// The path of `p` relative to the root, with `/` separators, for messages.
    pub(super) fn rel(&self, p: &Path) -> Arc<str> {
        let rel = p.strip_prefix(self.root).unwrap_or(p);
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        parts.join("/").into()
    }

    /// Sub-folders of the first of `names` that exists (APIOps writes `named values`, older
    /// layouts `namedValues`), sorted by name.
    pub(super) fn subdirs(&self, names: &[&str]) -> Vec<(String, PathBuf)> {
        let Some(dir) = names.iter().map(|n| self.root.join(n)).find(|p| p.is_dir()) else {
            return Vec::new();
        };
        let mut out: Vec<(String, PathBuf)> = fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().is_dir())
            .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
            .collect();
        out.sort();
        out
    }

    /// Reads a text file; `None` (with an error) when unreadable.
    pub(super) fn read(&self, p: &Path, diags: &mut Diags) -> Option<String> {
        match fs::read(p) {
            Ok(bytes) => match String::from_utf8(bytes) {
                // A UTF-8 byte-order mark is common in files written by Windows tools.
                Ok(s) => Some(s.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(s)),
                Err(_) => {
                    diags.error(&Pos::start_of(&self.rel(p)), "the file is not UTF-8");
                    None
                }
            },
            Err(e) => {
                diags.error(
                    &Pos::start_of(&self.rel(p)),
                    format!("cannot read the file: {e}"),
                );
                None
            }
        }
    }

    /// Reads and deserializes a JSON file, reporting serde's line and column.
    pub(super) fn json<T: DeserializeOwned>(&self, p: &Path, diags: &mut Diags) -> Option<T> {
        let text = self.read(p, diags)?;
        match serde_json::from_str::<T>(&text) {
            Ok(v) => Some(v),
            Err(e) => {
                let pos = Pos {
                    file: self.rel(p),
                    line: to_u32(e.line()),
                    col: to_u32(e.column()),
                };
                let msg = e.to_string();
                let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
                diags.error(&pos, format!("invalid JSON: {msg}"));
                None
            }
        }
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n.max(1)).unwrap_or(u32::MAX)
}

/// Resolves `${env:NAME}` (the whole value) through `env`. Other values pass through.
pub(super) fn env_ref(value: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    match value
        .trim()
        .strip_prefix("${env:")
        .and_then(|r| r.strip_suffix('}'))
    {
        Some(name) => env(name).ok_or_else(|| format!("environment variable '{name}' is not set")),
        None => Ok(value.to_owned()),
    }
}
