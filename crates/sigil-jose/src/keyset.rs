//! The trusted key set a validator chooses keys from.

use sigil_crypto::{KeyFamily, VerifyingKey};

use crate::{Algorithm, JoseError, Jwk, JwkSet};

/// A key the validator may use, with the `kid` and optional `alg` it is bound to.
#[derive(Clone, Debug)]
pub struct TrustedKey {
    kid: Option<String>,
    alg: Option<Algorithm>,
    key: VerifyingKey,
}

impl TrustedKey {
    /// The key id.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The only algorithm this key may verify, if restricted.
    pub fn alg(&self) -> Option<Algorithm> {
        self.alg
    }

    /// The key.
    pub fn key(&self) -> &VerifyingKey {
        &self.key
    }

    /// Whether `alg` may be used with this key (family and `alg` binding).
    pub fn accepts(&self, alg: Algorithm) -> bool {
        self.key.supports(alg) && self.alg.is_none_or(|a| a == alg)
    }
}

/// The only keys a validator trusts. Keys come from configuration or from a JWKS the caller
/// fetched from a configured URL; never from the token (`jku`, `x5u`, `jwk`, `x5c`).
///
/// Rules: `kid`s are unique; symmetric and asymmetric keys are never mixed in one set (a
/// mixed set is how HS256-with-the-public-key confusion attacks find a foothold).
#[derive(Clone, Debug, Default)]
pub struct KeySet {
    keys: Vec<TrustedKey>,
    skipped: Vec<(Option<String>, String)>,
}

impl KeySet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Trust the signature keys of a JWKS. Keys that cannot verify signatures (`use: enc`,
    /// unsupported types, weak or malformed keys, symmetric keys) are skipped and listed in
    /// [`KeySet::skipped`]; a duplicate `kid` fails the whole set.
    pub fn from_jwks(jwks: &JwkSet) -> Result<Self, JoseError> {
        let mut set = Self::new();
        for jwk in &jwks.keys {
            match set.insert_jwk(jwk) {
                Ok(()) => {}
                Err(e @ JoseError::DuplicateKid(_)) => return Err(e),
                Err(e) => set.skipped.push((jwk.kid.clone(), e.to_string())),
            }
        }
        Ok(set)
    }

    /// Add an asymmetric JWK.
    pub fn insert_jwk(&mut self, jwk: &Jwk) -> Result<(), JoseError> {
        let key = jwk.verifying_key()?;
        self.insert(jwk.kid.clone(), jwk.algorithm()?, key)
    }

    /// Add a symmetric (`oct`) JWK: only for secrets configured as such.
    pub fn insert_symmetric_jwk(&mut self, jwk: &Jwk) -> Result<(), JoseError> {
        let key = jwk.symmetric_key()?;
        self.insert(jwk.kid.clone(), jwk.algorithm()?, key)
    }

    /// Add a key.
    pub fn insert(
        &mut self,
        kid: Option<String>,
        alg: Option<Algorithm>,
        key: VerifyingKey,
    ) -> Result<(), JoseError> {
        if let Some(a) = alg {
            if !key.supports(a) {
                return Err(JoseError::UnusableJwk(format!(
                    "alg {a} does not match the key"
                )));
            }
        }
        if let Some(k) = &kid {
            if self.keys.iter().any(|t| t.kid.as_deref() == Some(k)) {
                return Err(JoseError::DuplicateKid(k.clone()));
            }
        }
        let symmetric = key.family() == KeyFamily::Symmetric;
        if self
            .keys
            .iter()
            .any(|t| (t.key.family() == KeyFamily::Symmetric) != symmetric)
        {
            return Err(JoseError::MixedKeySet);
        }
        self.keys.push(TrustedKey { kid, alg, key });
        Ok(())
    }

    /// The key with this `kid`.
    pub fn find(&self, kid: &str) -> Option<&TrustedKey> {
        self.keys.iter().find(|t| t.kid.as_deref() == Some(kid))
    }

    /// All keys.
    pub fn iter(&self) -> impl Iterator<Item = &TrustedKey> {
        self.keys.iter()
    }

    /// Number of trusted keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Keys left out by [`KeySet::from_jwks`], with the reason.
    pub fn skipped(&self) -> &[(Option<String>, String)] {
        &self.skipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigil_crypto::{HmacKey, KeyKind, SigningKey};

    fn ec() -> VerifyingKey {
        SigningKey::generate(KeyKind::P256)
            .unwrap()
            .verifying_key()
            .unwrap()
    }

    #[test]
    fn duplicate_kid_and_mixed_sets_rejected() {
        let mut s = KeySet::new();
        s.insert(Some("a".into()), None, ec()).unwrap();
        assert_eq!(
            s.insert(Some("a".into()), None, ec()),
            Err(JoseError::DuplicateKid("a".into()))
        );
        let h = VerifyingKey::from_hmac(HmacKey::new(vec![1; 32]).unwrap());
        assert_eq!(
            s.insert(Some("h".into()), None, h),
            Err(JoseError::MixedKeySet)
        );
    }

    #[test]
    fn alg_binding() {
        let mut s = KeySet::new();
        assert!(
            s.insert(Some("a".into()), Some(Algorithm::RS256), ec())
                .is_err()
        );
        s.insert(Some("a".into()), Some(Algorithm::ES256), ec())
            .unwrap();
        assert!(s.find("a").unwrap().accepts(Algorithm::ES256));
        assert!(!s.find("a").unwrap().accepts(Algorithm::HS256));
    }
}
