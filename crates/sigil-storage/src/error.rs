use std::path::PathBuf;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// The database URL is not one Sigil understands.
    #[error("database_url: {0}")]
    BadUrl(String),
    /// The SQLite file's directory could not be prepared.
    #[error("{path}: {source}")]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Applying migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database answered with an error or could not be reached.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored row does not hold what the schema promises.
    #[error("corrupt row in {table}: {reason}")]
    Corrupt {
        /// The table concerned.
        table: &'static str,
        /// What is wrong.
        reason: String,
    },
}
