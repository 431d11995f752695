//! Operations the CLI performs directly on an installation's store, whether or not a server is
//! running: a running server picks the change up on its next poll (every few seconds).

use sigil_core::Clock;
use sigil_crypto::RootKey;
use sigil_jose::keyring::RotationPolicy;
use sigil_storage::Store;

use crate::config::{AppConfig, RootKeySource};
use crate::home::{self, Home};
use crate::run::{StartError, open_store};

/// The store and root key of an installation, opened for an admin command.
#[derive(Debug)]
pub struct Installation {
    /// The store (migrated).
    pub store: Store,
    /// The root key.
    pub root_key: RootKey,
}

impl Installation {
    /// Open the store and root key named by `config` (creating the home if needed).
    pub async fn open(config: &AppConfig) -> Result<Self, StartError> {
        let h = Home::new(config.home.clone());
        h.create().map_err(|source| StartError::Home {
            path: config.home.clone(),
            source,
        })?;
        let store = open_store(config).await?;
        let root_key = match &config.root_key {
            RootKeySource::File(path) => {
                home::load_or_create_root_key(path).map_err(StartError::RootKey)?
            }
            RootKeySource::Inline(key) => key.clone(),
        };
        Ok(Self { store, root_key })
    }
}

/// What `sigil keys rotate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The new key's id.
    pub kid: String,
    /// When it signs (Unix seconds).
    pub signs_from: u64,
}

/// Start a signing-key rollover now (see `sigil_idp_server::rotate_now`).
pub async fn rotate_keys(
    inst: &Installation,
    clock: &dyn Clock,
    force: bool,
) -> Result<Rotation, sigil_idp_server::keys::KeyError> {
    let (kid, signs_from) = sigil_idp_server::rotate_now(
        &inst.store,
        &inst.root_key,
        RotationPolicy::default(),
        clock,
        force,
    )
    .await?;
    Ok(Rotation { kid, signs_from })
}

pub use sigil_idp_server::admin::{ApplyFailure, ApplyReport};

/// Apply a directory document (YAML file) in one transaction. Idempotent. `file:` references
/// resolve against the document's directory.
pub async fn apply_file(
    inst: &Installation,
    path: &std::path::Path,
    prune: bool,
    clock: &dyn Clock,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Result<ApplyReport, ApplyFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| ApplyFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let base = path
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let files = move |p: &std::path::Path| -> Result<Vec<u8>, String> {
        let full = if p.is_absolute() {
            p.to_path_buf()
        } else {
            base.join(p)
        };
        std::fs::read(&full).map_err(|e| format!("{}: {e}", full.display()))
    };
    let hash_key = sigil_idp_server::secret_hash_key(&inst.root_key);
    let apply_env = sigil_idp_server::admin::ApplyEnv {
        env: &env,
        files: &files,
        rng: &sigil_crypto::SystemRandom,
        hash_key: &hash_key,
        now: clock.now(),
    };
    let file = path.display().to_string();
    Ok(sigil_idp_server::admin::apply_yaml(&inst.store, &file, &text, prune, &apply_env).await?)
}

/// Apply a directory document given as text (e.g. the embedded demo directory). `file:`
/// references are refused: there is no document directory to resolve them against.
pub async fn apply_text(
    inst: &Installation,
    name: &str,
    text: &str,
    clock: &dyn Clock,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Result<ApplyReport, ApplyFailure> {
    let no_files = |p: &std::path::Path| -> Result<Vec<u8>, String> {
        Err(format!(
            "{}: file references are not allowed here",
            p.display()
        ))
    };
    let hash_key = sigil_idp_server::secret_hash_key(&inst.root_key);
    let apply_env = sigil_idp_server::admin::ApplyEnv {
        env: &env,
        files: &no_files,
        rng: &sigil_crypto::SystemRandom,
        hash_key: &hash_key,
        now: clock.now(),
    };
    sigil_idp_server::admin::apply_yaml(&inst.store, name, text, false, &apply_env).await
}

/// Why `apply_file` changed nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApplyFileError {
    /// The document could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The apply failed.
    #[error(transparent)]
    Apply(#[from] ApplyFailure),
}

/// The directory as YAML in the `sigil apply` format (secrets never included).
pub async fn export(inst: &Installation, tenant: Option<&str>) -> Result<String, String> {
    sigil_idp_server::admin::export_yaml(&inst.store, tenant).await
}
