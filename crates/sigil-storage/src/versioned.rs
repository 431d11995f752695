//! Versioned state: signing keys and the directory document.
//!
//! Each is replaced whole, in one transaction, only if its version is still the one the writer
//! read (compare-and-set). A writer that loses the race gets [`Conflict`] and re-reads.

use sqlx::{Any, Row, Transaction};

use crate::{StorageError, Store};

/// The version a writer expected had moved on: someone else wrote first. Re-read and retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("state changed concurrently (expected version {expected})")]
pub struct Conflict {
    /// The version the writer had read.
    pub expected: u64,
}

/// One stored signing key (see `sigil_jose::keyring::StoredKey`, which maps 1:1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningKeyRow {
    /// Key id.
    pub kid: String,
    /// JOSE algorithm.
    pub alg: String,
    /// `next`, `active` or `retired`.
    pub state: String,
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds.
    pub activates_at: u64,
    /// Unix seconds.
    pub retires_at: Option<u64>,
    /// Unix seconds.
    pub delete_at: Option<u64>,
    /// The sealed private key.
    pub sealed_key: Vec<u8>,
}

/// Versions of every piece of versioned state, for cheap change polling.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Versions {
    /// Version of the signing keys.
    pub signing_keys: u64,
    /// Version of the directory.
    pub directory: u64,
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn to_u64(table: &'static str, v: i64) -> Result<u64, StorageError> {
    u64::try_from(v).map_err(|_| StorageError::Corrupt {
        table,
        reason: format!("negative {v}"),
    })
}

impl Store {
    /// Current versions of all versioned state.
    pub async fn versions(&self) -> Result<Versions, StorageError> {
        let rows = sqlx::query("SELECT name, version FROM state_versions")
            .fetch_all(&self.pool)
            .await?;
        let mut v = Versions::default();
        for row in rows {
            let name: String = row.try_get("name")?;
            let version = to_u64("state_versions", row.try_get("version")?)?;
            match name.as_str() {
                "signing_keys" => v.signing_keys = version,
                "directory" => v.directory = version,
                _ => {}
            }
        }
        Ok(v)
    }

    /// All signing keys and their version.
    pub async fn signing_keys(&self) -> Result<(u64, Vec<SigningKeyRow>), StorageError> {
        let mut tx = self.pool.begin().await?;
        let version = read_version(&mut tx, "signing_keys").await?;
        let rows = sqlx::query(
            "SELECT kid, alg, state, created_at, activates_at, retires_at, delete_at, sealed_key \
             FROM signing_keys ORDER BY created_at, kid",
        )
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let t = "signing_keys";
        let opt = |v: Option<i64>| v.map(|v| to_u64(t, v)).transpose();
        let keys = rows
            .into_iter()
            .map(|r| {
                Ok(SigningKeyRow {
                    kid: r.try_get("kid")?,
                    alg: r.try_get("alg")?,
                    state: r.try_get("state")?,
                    created_at: to_u64(t, r.try_get("created_at")?)?,
                    activates_at: to_u64(t, r.try_get("activates_at")?)?,
                    retires_at: opt(r.try_get("retires_at")?)?,
                    delete_at: opt(r.try_get("delete_at")?)?,
                    sealed_key: r.try_get("sealed_key")?,
                })
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        Ok((version, keys))
    }

    /// Replace all signing keys if their version is still `expected`; the new version on success.
    pub async fn replace_signing_keys(
        &self,
        expected: u64,
        keys: &[SigningKeyRow],
    ) -> Result<Result<u64, Conflict>, StorageError> {
        let mut tx = self.pool.begin().await?;
        if !bump_version(&mut tx, "signing_keys", expected).await? {
            return Ok(Err(Conflict { expected }));
        }
        sqlx::query("DELETE FROM signing_keys")
            .execute(&mut *tx)
            .await?;
        for k in keys {
            sqlx::query(
                "INSERT INTO signing_keys \
                 (kid, alg, state, created_at, activates_at, retires_at, delete_at, sealed_key) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&k.kid)
            .bind(&k.alg)
            .bind(&k.state)
            .bind(to_i64(k.created_at))
            .bind(to_i64(k.activates_at))
            .bind(k.retires_at.map(to_i64))
            .bind(k.delete_at.map(to_i64))
            .bind(&k.sealed_key)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Ok(expected + 1))
    }

    /// The directory document (JSON) and its version; `None` before the first write.
    pub async fn directory(&self) -> Result<(u64, Option<String>), StorageError> {
        let mut tx = self.pool.begin().await?;
        let version = read_version(&mut tx, "directory").await?;
        let body = sqlx::query("SELECT body FROM directory WHERE singleton = 1")
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get::<String, _>("body"))
            .transpose()?;
        tx.commit().await?;
        Ok((version, body))
    }

    /// Replace the directory document if its version is still `expected`.
    pub async fn replace_directory(
        &self,
        expected: u64,
        body: &str,
    ) -> Result<Result<u64, Conflict>, StorageError> {
        let mut tx = self.pool.begin().await?;
        if !bump_version(&mut tx, "directory", expected).await? {
            return Ok(Err(Conflict { expected }));
        }
        sqlx::query(
            "INSERT INTO directory (singleton, body) VALUES (1, $1) \
             ON CONFLICT (singleton) DO UPDATE SET body = excluded.body",
        )
        .bind(body)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(expected + 1))
    }
}

async fn read_version(tx: &mut Transaction<'_, Any>, name: &str) -> Result<u64, StorageError> {
    let row = sqlx::query("SELECT version FROM state_versions WHERE name = $1")
        .bind(name)
        .fetch_one(&mut **tx)
        .await?;
    to_u64("state_versions", row.try_get("version")?)
}

/// Compare-and-set the version; false when another writer got there first.
async fn bump_version(
    tx: &mut Transaction<'_, Any>,
    name: &str,
    expected: u64,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "UPDATE state_versions SET version = version + 1 WHERE name = $1 AND version = $2",
    )
    .bind(name)
    .bind(to_i64(expected))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
