//! Sigil's durable state. This is the only crate that speaks SQL.
//!
//! One [`Store`] runs on either the embedded default (a SQLite file in WAL mode with
//! `synchronous=FULL`, so every acknowledged write survives `kill -9` and power loss) or
//! PostgreSQL for replicas. Both run the same portable migrations from `migrations/`, and the
//! integration suite runs every test against both.
//!
//! Every write goes through a transaction; a method either commits all of its rows or none.

mod error;
mod installation;
mod open;
mod versioned;

pub use error::StorageError;
pub use installation::Installation;
pub use open::{Backend, DatabaseUrl, OpenOptions};
pub use versioned::{Conflict, SigningKeyRow, Versions};

use sqlx::AnyPool;

/// A handle to the database. Cheap to clone (a pool inside).
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Which database engine this store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A cheap round trip, for readiness checks.
    pub async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Close the pool, waiting for connections to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
