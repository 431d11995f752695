//! The installation record: created once, on first start, and never changed.

use sigil_core::Clock;
use sqlx::Row;

use crate::{StorageError, Store};

/// Identity of one Sigil installation (one home directory or one shared database).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Installation {
    /// A random GUID chosen at first start.
    pub id: String,
    /// Seconds since the epoch when it was created.
    pub created_at: u64,
}

impl Store {
    /// The installation record, creating it on first call. Safe under concurrent first starts:
    /// exactly one row wins and every caller gets it.
    pub async fn installation(&self, clock: &dyn Clock) -> Result<Installation, StorageError> {
        let mut tx = self.pool.begin().await?;
        let candidate = uuid::Uuid::new_v4().to_string();
        let now = i64::try_from(clock.now().as_secs()).unwrap_or(i64::MAX);
        sqlx::query(
            "INSERT INTO installation (singleton, id, created_at) VALUES (1, $1, $2) \
             ON CONFLICT (singleton) DO NOTHING",
        )
        .bind(&candidate)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query("SELECT id, created_at FROM installation WHERE singleton = 1")
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        let created_at: i64 = row.try_get("created_at")?;
        Ok(Installation {
            id: row.try_get("id")?,
            created_at: u64::try_from(created_at).map_err(|_| StorageError::Corrupt {
                table: "installation",
                reason: "negative created_at".into(),
            })?,
        })
    }
}
