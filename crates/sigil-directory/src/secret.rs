//! Client secrets: generation in Entra's shape, keyed hashing, constant-time verification.
//!
//! Why a keyed hash and not a password KDF: these secrets are generated with ≥ 222 bits of
//! entropy (or, when supplied, must be at least [`MIN_SECRET_LEN`] characters), so a slow
//! KDF buys nothing against guessing, while it would cost the token endpoint milliseconds per
//! request. The HMAC key lives outside the database, so a leaked database alone does not even
//! allow offline guessing.

use sigil_core::{Secret, UnixTime};
use sigil_crypto::{Algorithm, HmacKey, RandomSource};
use time::OffsetDateTime;

use crate::SecretError;
use crate::model::{Application, PasswordCredential};

/// Length of a generated secret, as in Entra (`abc8Q~` + 34 characters).
pub const GENERATED_SECRET_LEN: usize = 40;

/// Shortest secret accepted in `secretText`. The hash is fast, so a short secret would be
/// guessable by anyone holding both the database and the hash key.
pub const MIN_SECRET_LEN: usize = 16;

/// URL-safe alphabet of 64 symbols, so each random byte gives exactly 6 unbiased bits.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Generates a secret shaped like Entra's: three characters, a digit and `Q~` (Entra's
/// marker, which secret scanners such as GitHub push protection recognise), then 34 more
/// characters: 40 in all, 37 of them random (37 × 6 = 222 bits).
///
/// 40 URL-safe characters cannot carry 256 bits; keeping Entra's length (and so the scanners'
/// detection of leaked secrets) was preferred over a longer, unrecognisable string.
pub fn generate_secret(rng: &dyn RandomSource) -> Result<Secret<String>, sigil_crypto::Error> {
    let mut bytes = [0u8; 37];
    rng.fill(&mut bytes)?;
    let mut out = String::with_capacity(GENERATED_SECRET_LEN);
    for (i, b) in bytes.iter().enumerate() {
        if i == 3 {
            out.push_str("8Q~");
        }
        out.push(char::from(ALPHABET[usize::from(b & 63)]));
    }
    bytes.fill(0);
    Ok(Secret::new(out))
}

/// The stored form of a secret: HMAC-SHA256 under the installation's key.
pub fn hash_secret(key: &HmacKey, secret: &str) -> Result<Vec<u8>, sigil_crypto::Error> {
    key.sign(Algorithm::HS256, secret.as_bytes())
}

/// What Entra shows of a secret: its first three characters.
pub fn secret_hint(secret: &str) -> String {
    secret.chars().take(3).collect()
}

/// Checks `presented` against every password credential of `app`.
///
/// The HMAC is computed once and compared with every stored hash in constant time, with no
/// early exit, so the time taken does not reveal which credential (or whether any) matched.
/// A match whose `startDateTime` is in the future counts as [`SecretError::Invalid`]; a match
/// past its `endDateTime` is [`SecretError::Expired`]. Returns the matching credential.
pub fn verify_client_secret<'a>(
    app: &'a Application,
    presented: &str,
    hash_key: &HmacKey,
    now: UnixTime,
) -> Result<&'a PasswordCredential, SecretError> {
    let Ok(tag) = hash_secret(hash_key, presented) else {
        return Err(SecretError::Invalid);
    };
    let mut found: Option<&PasswordCredential> = None;
    for cred in &app.password_credentials {
        // `&` (not `&&`) and no `break`: every credential is compared.
        if sigil_crypto::constant_time_eq(&tag, &cred.secret_hash) & found.is_none() {
            found = Some(cred);
        }
    }
    let cred = found.ok_or(SecretError::Invalid)?;
    let now = to_datetime(now);
    if now < cred.start_date_time {
        return Err(SecretError::Invalid);
    }
    if now >= cred.end_date_time {
        return Err(SecretError::Expired);
    }
    Ok(cred)
}

/// A clock reading as a `time` value (saturating far in the future).
pub(crate) fn to_datetime(t: UnixTime) -> OffsetDateTime {
    let secs = i64::try_from(t.as_secs()).unwrap_or(i64::MAX);
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::PrimitiveDateTime::MAX.assume_utc())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU8, Ordering};

    use uuid::Uuid;

    use super::*;
    use crate::model::*;

    #[derive(Debug, Default)]
    struct Counter(AtomicU8);
    impl RandomSource for Counter {
        fn fill(&self, dest: &mut [u8]) -> Result<(), sigil_crypto::Error> {
            for b in dest {
                *b = self.0.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        }
    }

    fn key() -> HmacKey {
        HmacKey::new(vec![9; 32]).unwrap()
    }

    fn app_with(creds: Vec<PasswordCredential>) -> Application {
        let mut app = crate::apply::tests_support::empty_app("a");
        app.password_credentials = creds;
        app
    }

    fn cred(secret: &str, start: i64, end: i64) -> PasswordCredential {
        PasswordCredential {
            key_id: Uuid::from_u128(start as u128),
            display_name: String::new(),
            hint: secret_hint(secret),
            secret_hash: hash_secret(&key(), secret).unwrap(),
            start_date_time: OffsetDateTime::from_unix_timestamp(start).unwrap(),
            end_date_time: OffsetDateTime::from_unix_timestamp(end).unwrap(),
        }
    }

    #[test]
    fn generated_secrets_look_like_entra() {
        let s = generate_secret(&Counter::default()).unwrap();
        let s = s.expose();
        assert_eq!(s.len(), GENERATED_SECRET_LEN);
        assert_eq!(&s[3..6], "8Q~");
        assert!(
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_~".contains(c))
        );
        assert_eq!(&s[..3], "ABC");
        let other = generate_secret(&Counter::default()).unwrap();
        assert_eq!(
            other.expose(),
            s,
            "deterministic for a deterministic source"
        );
    }

    #[test]
    fn verify_accepts_any_current_credential_and_classifies_failures() {
        let app = app_with(vec![
            cred("old-secret-0123456789", 0, 100),
            cred("new-secret-0123456789", 50, 1000),
            cred("future-secret-0123456", 500, 1000),
        ]);
        let k = key();
        let t = UnixTime::from_secs(200);
        let ok = verify_client_secret(&app, "new-secret-0123456789", &k, t).unwrap();
        assert_eq!(ok.hint, "new");
        assert_eq!(
            verify_client_secret(&app, "old-secret-0123456789", &k, t).unwrap_err(),
            SecretError::Expired
        );
        assert_eq!(
            verify_client_secret(&app, "future-secret-0123456", &k, t).unwrap_err(),
            SecretError::Invalid
        );
        assert_eq!(
            verify_client_secret(&app, "nope", &k, t).unwrap_err(),
            SecretError::Invalid
        );
        let other_key = HmacKey::new(vec![8; 32]).unwrap();
        assert_eq!(
            verify_client_secret(&app, "new-secret-0123456789", &other_key, t).unwrap_err(),
            SecretError::Invalid
        );
        assert_eq!(
            verify_client_secret(&app_with(vec![]), "x", &k, t).unwrap_err(),
            SecretError::Invalid
        );
    }
}
