//! The at-rest form of a ring key, for the storage crate: plain data plus seal/unseal.
//! The private key is PKCS#8 DER sealed with AES-256-GCM under the root key; the AAD binds
//! the ciphertext to its `kid`, so a sealed blob moved to another row fails to open.

use std::sync::Arc;

use sigil_core::UnixTime;
use sigil_crypto::{RootKey, SigningKey};

use super::{KeyEntry, KeyRing, KeyState, RotationPolicy};
use crate::{Algorithm, JoseError};

/// The persisted state name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoredState {
    /// Published, not yet signing.
    Next,
    /// Signing.
    Active,
    /// Published, no longer signing.
    Retired,
}

impl StoredState {
    /// A stable lowercase name for a database column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Next => "next",
            Self::Active => "active",
            Self::Retired => "retired",
        }
    }

    /// Parse [`StoredState::as_str`] output.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "next" => Some(Self::Next),
            "active" => Some(Self::Active),
            "retired" => Some(Self::Retired),
            _ => None,
        }
    }
}

/// One signing key as stored. Times are Unix seconds.
///
/// - `activates_at`: when it starts (or started) signing.
/// - `retires_at`: for an active key, when rotation is due; for a retired key, when it was
///   retired; `None` for a next key.
/// - `delete_at`: for a retired key, when it leaves the JWKS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredKey {
    /// Key id (RFC 7638 thumbprint).
    pub kid: String,
    /// JOSE algorithm name.
    pub alg: String,
    /// Lifecycle state.
    pub state: StoredState,
    /// Creation (= first publication) time.
    pub created_at: u64,
    /// Activation time.
    pub activates_at: u64,
    /// Rotation or retirement time.
    pub retires_at: Option<u64>,
    /// Deletion time for retired keys.
    pub delete_at: Option<u64>,
    /// `seal(root, aad(kid), pkcs8)`.
    pub sealed_private_key: Vec<u8>,
}

fn aad(kid: &str) -> Vec<u8> {
    format!("sigil-jose/signing-key/v1:{kid}").into_bytes()
}

/// Seal a private key for storage under `kid`.
pub fn seal_key(root: &RootKey, kid: &str, key: &SigningKey) -> Result<Vec<u8>, JoseError> {
    let pkcs8 = key.to_pkcs8()?;
    Ok(sigil_crypto::seal(root, &aad(kid), pkcs8.expose())?)
}

/// Open a sealed private key stored under `kid`.
pub fn unseal_key(root: &RootKey, kid: &str, sealed: &[u8]) -> Result<SigningKey, JoseError> {
    let pkcs8 = sigil_crypto::open(root, &aad(kid), sealed)?;
    Ok(SigningKey::from_pkcs8(pkcs8.expose())?)
}

impl KeyEntry {
    /// The stored form, with the private key sealed under `root`.
    pub fn to_stored(&self, root: &RootKey) -> Result<StoredKey, JoseError> {
        let (state, activates_at, retires_at, delete_at) = match self.state {
            KeyState::Next { activates_at } => (StoredState::Next, activates_at, None, None),
            KeyState::Active { since, rotate_at } => {
                (StoredState::Active, since, Some(rotate_at.as_secs()), None)
            }
            KeyState::Retired { since, delete_at } => {
                // The activation time is not kept once retired; `since` bounds it from above.
                (
                    StoredState::Retired,
                    since,
                    Some(since.as_secs()),
                    Some(delete_at.as_secs()),
                )
            }
        };
        Ok(StoredKey {
            kid: self.kid().to_owned(),
            alg: self.alg().name().to_owned(),
            state,
            created_at: self.created_at.as_secs(),
            activates_at: activates_at.as_secs(),
            retires_at,
            delete_at,
            sealed_private_key: seal_key(root, self.kid(), &self.key)?,
        })
    }

    /// Rebuild from storage; the unsealed key's thumbprint must equal the stored `kid`.
    pub fn from_stored(s: &StoredKey, root: &RootKey) -> Result<Self, JoseError> {
        let bad = |m: &str| JoseError::StoredKey(format!("{}: {m}", s.kid));
        let alg: Algorithm = s.alg.parse().map_err(|_| bad("unknown alg"))?;
        let key = unseal_key(root, &s.kid, &s.sealed_private_key)?;
        let t = UnixTime::from_secs;
        let state = match (s.state, s.retires_at, s.delete_at) {
            (StoredState::Next, _, _) => KeyState::Next {
                activates_at: t(s.activates_at),
            },
            (StoredState::Active, Some(r), _) => KeyState::Active {
                since: t(s.activates_at),
                rotate_at: t(r),
            },
            (StoredState::Retired, Some(r), Some(d)) => KeyState::Retired {
                since: t(r),
                delete_at: t(d),
            },
            _ => return Err(bad("timestamps missing for state")),
        };
        let entry = KeyEntry::new(Arc::new(key), alg, t(s.created_at), state)?;
        if entry.kid() != s.kid {
            return Err(bad("kid does not match the key"));
        }
        Ok(entry)
    }
}

impl KeyRing {
    /// Every key in stored form.
    pub fn to_stored(&self, root: &RootKey) -> Result<Vec<StoredKey>, JoseError> {
        self.entries.iter().map(|e| e.to_stored(root)).collect()
    }

    /// Rebuild a ring from storage. At most one next and one active key are allowed.
    pub fn from_stored(
        policy: RotationPolicy,
        stored: &[StoredKey],
        root: &RootKey,
    ) -> Result<Self, JoseError> {
        let mut ring = KeyRing::new(policy);
        for s in stored {
            ring.push_entry(KeyEntry::from_stored(s, root)?)?;
        }
        for st in [StoredState::Next, StoredState::Active] {
            if stored.iter().filter(|s| s.state == st).count() > 1 {
                return Err(JoseError::StoredKey(format!(
                    "more than one {} key",
                    st.as_str()
                )));
            }
        }
        Ok(ring)
    }
}
