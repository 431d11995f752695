//! Signing-key rotation as a pure state machine: time is passed in, actions come out.
//!
//! ```text
//!   GenerateNext           Promote                      Retire            Delete
//!  ─────────────▶ Next ─────────────▶ Active ─────────────▶ Retired ─────────────▶ (gone)
//!   at rotate_at −        at activates_at     (when the next key     at retired_at +
//!   publish_ahead        (≥ publish_ahead      is promoted)          retire_after
//!                         after creation)
//! ```
//! Next, active and retired keys are all in [`KeyRing::jwks`]; only the active key signs.
//!
//! Two ways to rotate by hand (`sigil keys rotate`):
//! - [`KeyRing::rotate_now`] (safe): make sure a next key exists and schedule it for the
//!   earliest safe time, `publish_ahead` after it was first published. Tokens keep validating
//!   at every relying party throughout.
//! - [`KeyRing::force_rotate_now`] (for a compromised key): promote immediately. Relying
//!   parties that cached the JWKS before the new key existed reject new tokens until they
//!   refetch (Entra clients refetch on an unknown `kid`, APIM at most every 5 minutes).
//!   Combine with [`KeyRing::revoke`] to unpublish the compromised key at once.

mod stored;

use std::sync::Arc;
use std::time::Duration;

use sigil_core::UnixTime;
use sigil_crypto::{KeyKind, SigningKey};

use crate::{Algorithm, JoseError, JwkSet, Signer};

pub use stored::{StoredKey, StoredState, seal_key, unseal_key};

/// Rotation timings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RotationPolicy {
    /// How long a next key is published before it signs (≥ relying parties' JWKS cache).
    pub publish_ahead: Duration,
    /// How long a key signs before it is replaced.
    pub rotate_every: Duration,
    /// How long a retired key stays published (≥ max token lifetime + JWKS cache window).
    pub retire_after: Duration,
    /// Which key type to generate.
    pub key_kind: KeyKind,
    /// Which algorithm new keys sign with.
    pub alg: Algorithm,
}

impl Default for RotationPolicy {
    fn default() -> Self {
        const HOUR: u64 = 3600;
        Self {
            publish_ahead: Duration::from_secs(24 * HOUR),
            rotate_every: Duration::from_secs(30 * 24 * HOUR),
            retire_after: Duration::from_secs(90 * 60 + 24 * HOUR),
            key_kind: KeyKind::Rsa2048,
            alg: Algorithm::RS256,
        }
    }
}

/// Where a key is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyState {
    /// Published, not yet signing; becomes active at `activates_at`.
    Next {
        /// When it may start signing.
        activates_at: UnixTime,
    },
    /// The signing key; due for replacement at `rotate_at`.
    Active {
        /// When it became active.
        since: UnixTime,
        /// When the next key should take over.
        rotate_at: UnixTime,
    },
    /// No longer signing, still published until `delete_at`.
    Retired {
        /// When it stopped signing.
        since: UnixTime,
        /// When it leaves the JWKS.
        delete_at: UnixTime,
    },
}

/// One key in the ring.
#[derive(Debug, Clone)]
pub struct KeyEntry {
    signer: Signer,
    key: Arc<SigningKey>,
    created_at: UnixTime,
    state: KeyState,
}

impl KeyEntry {
    /// The key id (RFC 7638 thumbprint of the public key).
    pub fn kid(&self) -> &str {
        self.signer.kid()
    }
    /// The signing algorithm.
    pub fn alg(&self) -> Algorithm {
        self.signer.alg()
    }
    /// The state.
    pub fn state(&self) -> KeyState {
        self.state
    }
    /// When the key was created (and first published).
    pub fn created_at(&self) -> UnixTime {
        self.created_at
    }
    /// The signer for this key.
    pub fn signer(&self) -> &Signer {
        &self.signer
    }
    /// The private key.
    pub fn signing_key(&self) -> &Arc<SigningKey> {
        &self.key
    }
}

/// What [`KeyRing::plan`] says should happen now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RotationAction {
    /// Create a next key that activates at `activates_at`.
    GenerateNext {
        /// Activation time of the new key.
        activates_at: UnixTime,
    },
    /// Make this next key the active one (the current active key is retired in the same step).
    Promote {
        /// The next key.
        kid: String,
    },
    /// Remove a retired key from the JWKS and the store.
    Delete {
        /// The retired key.
        kid: String,
    },
}

/// The signing keys of one issuer.
#[derive(Debug, Clone)]
pub struct KeyRing {
    policy: RotationPolicy,
    entries: Vec<KeyEntry>,
}

impl KeyRing {
    /// An empty ring. [`KeyRing::plan`] on it bootstraps a key that is active at once (there
    /// is nothing cached anywhere to protect).
    pub fn new(policy: RotationPolicy) -> Self {
        Self {
            policy,
            entries: Vec::new(),
        }
    }

    /// The policy.
    pub fn policy(&self) -> &RotationPolicy {
        &self.policy
    }

    /// All keys, in insertion order.
    pub fn entries(&self) -> &[KeyEntry] {
        &self.entries
    }

    /// The one key that signs now.
    pub fn active_signer(&self) -> Option<&Signer> {
        self.entries
            .iter()
            .find(|e| matches!(e.state, KeyState::Active { .. }))
            .map(|e| &e.signer)
    }

    fn next_entry(&self) -> Option<&KeyEntry> {
        self.entries
            .iter()
            .find(|e| matches!(e.state, KeyState::Next { .. }))
    }

    fn active_entry(&self) -> Option<&KeyEntry> {
        self.entries
            .iter()
            .find(|e| matches!(e.state, KeyState::Active { .. }))
    }

    /// The JWKS to publish: next, active and retired keys.
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: self.entries.iter().map(|e| e.signer.public_jwk()).collect(),
        }
    }

    /// What should happen at `now`, in order. Empty when nothing is due.
    pub fn plan(&self, now: UnixTime) -> Vec<RotationAction> {
        let mut actions = Vec::new();
        let next = self.next_entry();
        match (self.active_entry(), next) {
            (None, None) => {
                actions.push(RotationAction::GenerateNext { activates_at: now });
            }
            (None, Some(n)) => actions.push(RotationAction::Promote {
                kid: n.kid().into(),
            }),
            (Some(a), None) => {
                let KeyState::Active { rotate_at, .. } = a.state else {
                    return actions;
                };
                if now >= rotate_at.saturating_sub(self.policy.publish_ahead) {
                    let earliest = now.saturating_add(self.policy.publish_ahead);
                    actions.push(RotationAction::GenerateNext {
                        activates_at: rotate_at.max(earliest),
                    });
                }
            }
            (Some(_), Some(n)) => {
                if let KeyState::Next { activates_at } = n.state {
                    if now >= activates_at {
                        actions.push(RotationAction::Promote {
                            kid: n.kid().into(),
                        });
                    }
                }
            }
        }
        for e in &self.entries {
            if let KeyState::Retired { delete_at, .. } = e.state {
                if now >= delete_at {
                    actions.push(RotationAction::Delete {
                        kid: e.kid().into(),
                    });
                }
            }
        }
        actions
    }

    /// Apply one action, generating keys with [`SigningKey::generate`].
    pub fn apply(&mut self, action: &RotationAction, now: UnixTime) -> Result<(), JoseError> {
        self.apply_with(action, now, &mut |k| {
            SigningKey::generate(k).map_err(JoseError::from)
        })
    }

    /// Apply one action with a caller-supplied key generator (tests, HSMs).
    pub fn apply_with(
        &mut self,
        action: &RotationAction,
        now: UnixTime,
        generate: &mut dyn FnMut(KeyKind) -> Result<SigningKey, JoseError>,
    ) -> Result<(), JoseError> {
        match action {
            RotationAction::GenerateNext { activates_at } => {
                if self.next_entry().is_some() {
                    return Err(JoseError::KeyRing("a next key already exists".into()));
                }
                let key = generate(self.policy.key_kind)?;
                self.insert(
                    key,
                    now,
                    KeyState::Next {
                        activates_at: *activates_at,
                    },
                )?;
                // Bootstrap: with no active key, a key due now is promoted in the same step.
                if self.active_entry().is_none() && *activates_at <= now {
                    let kid = self
                        .next_entry()
                        .map(|e| e.kid().to_owned())
                        .unwrap_or_default();
                    self.promote(&kid, now)?;
                }
                Ok(())
            }
            RotationAction::Promote { kid } => self.promote(kid, now),
            RotationAction::Delete { kid } => {
                let before = self.entries.len();
                self.entries
                    .retain(|e| !(e.kid() == kid && matches!(e.state, KeyState::Retired { .. })));
                if self.entries.len() == before {
                    return Err(JoseError::KeyRing(format!("no retired key {kid}")));
                }
                Ok(())
            }
        }
    }

    /// Run [`KeyRing::plan`] and apply everything due. Returns what was done.
    pub fn tick(&mut self, now: UnixTime) -> Result<Vec<RotationAction>, JoseError> {
        let mut done = Vec::new();
        // Bootstrapping can take two rounds (generate, then promote); three is a safe bound.
        for _ in 0..3 {
            let plan = self.plan(now);
            if plan.is_empty() {
                break;
            }
            for a in plan {
                self.apply(&a, now)?;
                done.push(a);
            }
        }
        Ok(done)
    }

    /// Safe manual rotation: ensure a next key exists, activating `publish_ahead` after it was
    /// first published, and return its activation time. Does not disturb signing.
    pub fn rotate_now(&mut self, now: UnixTime) -> Result<UnixTime, JoseError> {
        if self.active_entry().is_none() {
            self.tick(now)?;
        }
        if let Some((n, KeyState::Next { activates_at })) = self.next_entry().map(|n| (n, n.state))
        {
            let earliest = n.created_at.saturating_add(self.policy.publish_ahead);
            let at = activates_at.min(earliest).max(now);
            let kid = n.kid().to_owned();
            self.set_state(&kid, KeyState::Next { activates_at: at });
            return Ok(at);
        }
        let at = now.saturating_add(self.policy.publish_ahead);
        self.apply(&RotationAction::GenerateNext { activates_at: at }, now)?;
        Ok(at)
    }

    /// Immediate rotation for a compromised key: the next key (created if absent) signs from
    /// `now`; the old active key is retired normally. See the module docs for the cost.
    pub fn force_rotate_now(&mut self, now: UnixTime) -> Result<String, JoseError> {
        if self.next_entry().is_none() {
            let key = SigningKey::generate(self.policy.key_kind)?;
            self.insert(key, now, KeyState::Next { activates_at: now })?;
        }
        let kid = self
            .next_entry()
            .map(|e| e.kid().to_owned())
            .unwrap_or_default();
        self.promote(&kid, now)?;
        Ok(kid)
    }

    /// Remove a key at once, whatever its state (compromise). Removing the active key leaves
    /// the ring without a signer until [`KeyRing::tick`] or [`KeyRing::force_rotate_now`].
    pub fn revoke(&mut self, kid: &str) -> Result<(), JoseError> {
        let before = self.entries.len();
        self.entries.retain(|e| e.kid() != kid);
        if self.entries.len() == before {
            return Err(JoseError::KeyRing(format!("no key {kid}")));
        }
        Ok(())
    }

    fn insert(&mut self, key: SigningKey, now: UnixTime, state: KeyState) -> Result<(), JoseError> {
        let entry = KeyEntry::new(Arc::new(key), self.policy.alg, now, state)?;
        if self.entries.iter().any(|e| e.kid() == entry.kid()) {
            return Err(JoseError::DuplicateKid(entry.kid().to_owned()));
        }
        self.entries.push(entry);
        Ok(())
    }

    pub(crate) fn push_entry(&mut self, entry: KeyEntry) -> Result<(), JoseError> {
        if self.entries.iter().any(|e| e.kid() == entry.kid()) {
            return Err(JoseError::DuplicateKid(entry.kid().to_owned()));
        }
        self.entries.push(entry);
        Ok(())
    }

    fn set_state(&mut self, kid: &str, state: KeyState) {
        if let Some(e) = self.entries.iter_mut().find(|e| e.kid() == kid) {
            e.state = state;
        }
    }

    fn promote(&mut self, kid: &str, now: UnixTime) -> Result<(), JoseError> {
        if !self
            .entries
            .iter()
            .any(|e| e.kid() == kid && matches!(e.state, KeyState::Next { .. }))
        {
            return Err(JoseError::KeyRing(format!("no next key {kid}")));
        }
        let retire_after = self.policy.retire_after;
        for e in &mut self.entries {
            if matches!(e.state, KeyState::Active { .. }) {
                e.state = KeyState::Retired {
                    since: now,
                    delete_at: now.saturating_add(retire_after),
                };
            }
        }
        self.set_state(
            kid,
            KeyState::Active {
                since: now,
                rotate_at: now.saturating_add(self.policy.rotate_every),
            },
        );
        Ok(())
    }
}

impl KeyEntry {
    pub(crate) fn new(
        key: Arc<SigningKey>,
        alg: Algorithm,
        created_at: UnixTime,
        state: KeyState,
    ) -> Result<Self, JoseError> {
        let kid = crate::Jwk::from_public_parts(&key.public_key()).thumbprint()?;
        let signer = Signer::new(Arc::clone(&key), alg, kid)?;
        Ok(Self {
            signer,
            key,
            created_at,
            state,
        })
    }
}

#[cfg(test)]
mod tests;
