//! The signing keys of the identity provider: loaded from the store, unsealed once, rotated on
//! schedule, and published to request handlers as an immutable snapshot.
//!
//! Every replica runs the same loop: read the keys' version; if it moved, rebuild the ring from
//! the stored (sealed) keys; apply due rotation steps; write them back with compare-and-set. The
//! replica that loses a race re-reads, so exactly one writer performs each step. The CLI
//! (`sigil keys rotate`) changes the same rows; servers pick it up on their next poll.

use std::sync::Arc;

use arc_swap::ArcSwap;
use bytes::Bytes;
use sigil_core::Clock;
use sigil_crypto::RootKey;
use sigil_jose::keyring::{KeyRing, RotationPolicy, StoredKey, StoredState};
use sigil_storage::{SigningKeyRow, Store};

/// Why keys could not be loaded or rotated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The store failed.
    #[error(transparent)]
    Storage(#[from] sigil_storage::StorageError),
    /// A key operation failed.
    #[error("signing keys: {0}")]
    Jose(#[from] sigil_jose::JoseError),
    /// The stored keys were sealed under another root key.
    #[error(
        "stored signing key {kid} cannot be unsealed: the root key does not match the one that \
         sealed it (check root_key_file / SIGIL_ROOT_KEY; replicas sharing a database must share \
         the root key)"
    )]
    WrongRootKey {
        /// The key that failed to open.
        kid: String,
    },
    /// A stored row is not a valid key record.
    #[error("signing key {kid}: unknown state {state:?}")]
    BadState {
        /// The key.
        kid: String,
        /// The stored state.
        state: String,
    },
    /// Other writers kept winning.
    #[error("signing keys changed concurrently too many times; try again")]
    Contended,
}

/// An immutable view of the ring, swapped atomically on change.
#[derive(Debug)]
pub struct KeySnapshot {
    /// The stored version this snapshot reflects.
    pub version: u64,
    /// The ring (holds parsed private keys; never re-parsed per signature).
    pub ring: KeyRing,
    /// The JWKS document, serialised once.
    pub jwks_json: Bytes,
}

/// Owner of the ring for one process.
#[derive(Debug)]
pub struct KeyService {
    store: Store,
    root: RootKey,
    policy: RotationPolicy,
    clock: Arc<dyn Clock>,
    current: ArcSwap<KeySnapshot>,
}

impl KeyService {
    /// Load (bootstrapping the first key if there is none) and return the service.
    pub async fn start(
        store: Store,
        root: RootKey,
        policy: RotationPolicy,
        clock: Arc<dyn Clock>,
    ) -> Result<Arc<Self>, KeyError> {
        let empty = snapshot(u64::MAX, KeyRing::new(policy))?;
        let svc = Arc::new(Self {
            store,
            root,
            policy,
            clock,
            current: ArcSwap::from_pointee(empty),
        });
        svc.sync().await?;
        Ok(svc)
    }

    /// The rotation timings.
    pub fn policy(&self) -> RotationPolicy {
        self.policy
    }

    /// The current snapshot (cheap: an `Arc` clone).
    pub fn snapshot(&self) -> Arc<KeySnapshot> {
        self.current.load_full()
    }

    /// Pick up changes from the store and perform due rotation steps.
    pub async fn sync(&self) -> Result<(), KeyError> {
        for _ in 0..5 {
            let current = self.current.load_full();
            let (version, rows) = self.store.signing_keys().await?;
            let mut ring = if version == current.version {
                current.ring.clone()
            } else {
                ring_from_rows(self.policy, &rows, &self.root)?
            };
            let actions = ring.tick(self.clock.now())?;
            if actions.is_empty() {
                if version != current.version {
                    self.current.store(Arc::new(snapshot(version, ring)?));
                }
                return Ok(());
            }
            let rows = rows_from_ring(&ring, &self.root)?;
            match self.store.replace_signing_keys(version, &rows).await? {
                Ok(new_version) => {
                    tracing::info!(?actions, version = new_version, "signing keys rotated");
                    self.current.store(Arc::new(snapshot(new_version, ring)?));
                    return Ok(());
                }
                Err(_) => continue,
            }
        }
        Err(KeyError::Contended)
    }
}

/// Start a rollover now, from the CLI, whether or not a server is running: publish a next key
/// (if none) that activates after the safe publication delay. With `force`, the new key signs
/// at once (relying parties that cached the JWKS will refetch on the unknown `kid`).
/// Returns the new key's id and when it signs.
pub async fn rotate_now(
    store: &Store,
    root: &RootKey,
    policy: RotationPolicy,
    clock: &dyn Clock,
    force: bool,
) -> Result<(String, u64), KeyError> {
    for _ in 0..5 {
        let (version, rows) = store.signing_keys().await?;
        let mut ring = ring_from_rows(policy, &rows, root)?;
        let now = clock.now();
        ring.tick(now)?;
        let result = if force {
            (ring.force_rotate_now(now)?, now.as_secs())
        } else {
            let at = ring.rotate_now(now)?;
            let kid = ring
                .entries()
                .iter()
                .find(|e| matches!(e.state(), sigil_jose::keyring::KeyState::Next { .. }))
                .map(|e| e.kid().to_owned())
                .unwrap_or_default();
            (kid, at.as_secs())
        };
        let rows = rows_from_ring(&ring, root)?;
        if store.replace_signing_keys(version, &rows).await?.is_ok() {
            return Ok(result);
        }
    }
    Err(KeyError::Contended)
}

fn snapshot(version: u64, ring: KeyRing) -> Result<KeySnapshot, KeyError> {
    let jwks_json = serde_json::to_vec(&ring.jwks())
        .map(Bytes::from)
        .unwrap_or_default();
    Ok(KeySnapshot {
        version,
        ring,
        jwks_json,
    })
}

fn ring_from_rows(
    policy: RotationPolicy,
    rows: &[SigningKeyRow],
    root: &RootKey,
) -> Result<KeyRing, KeyError> {
    let stored = rows
        .iter()
        .map(|r| {
            let state = StoredState::parse(&r.state).ok_or_else(|| KeyError::BadState {
                kid: r.kid.clone(),
                state: r.state.clone(),
            })?;
            Ok(StoredKey {
                kid: r.kid.clone(),
                alg: r.alg.clone(),
                state,
                created_at: r.created_at,
                activates_at: r.activates_at,
                retires_at: r.retires_at,
                delete_at: r.delete_at,
                sealed_private_key: r.sealed_key.clone(),
            })
        })
        .collect::<Result<Vec<_>, KeyError>>()?;
    // Unseal each key first so a mismatched root key is reported as such, naming the key.
    for k in &stored {
        if sigil_jose::keyring::unseal_key(root, &k.kid, &k.sealed_private_key).is_err() {
            return Err(KeyError::WrongRootKey { kid: k.kid.clone() });
        }
    }
    Ok(KeyRing::from_stored(policy, &stored, root)?)
}

fn rows_from_ring(ring: &KeyRing, root: &RootKey) -> Result<Vec<SigningKeyRow>, KeyError> {
    Ok(ring
        .to_stored(root)?
        .into_iter()
        .map(|s| SigningKeyRow {
            kid: s.kid,
            alg: s.alg,
            state: s.state.as_str().to_owned(),
            created_at: s.created_at,
            activates_at: s.activates_at,
            retires_at: s.retires_at,
            delete_at: s.delete_at,
            sealed_key: s.sealed_private_key,
        })
        .collect())
}
