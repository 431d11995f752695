//! Connecting, configuring the engine for durability, and migrating.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Once;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{ConnectOptions, Executor};

use crate::{StorageError, Store};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The database engine behind a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A validated database location.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file on disk.
    SqliteFile(PathBuf),
    /// A `postgres://` URL (may carry a password, so it is never printed whole).
    Postgres(String),
}

impl DatabaseUrl {
    /// Parse `sqlite://PATH`, `sqlite:PATH`, or `postgres://...` / `postgresql://...`.
    pub fn parse(s: &str) -> Result<Self, StorageError> {
        if let Some(rest) = s
            .strip_prefix("sqlite://")
            .or_else(|| s.strip_prefix("sqlite:"))
        {
            let path = rest.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err(StorageError::BadUrl("sqlite URL needs a file path".into()));
            }
            return Ok(Self::SqliteFile(PathBuf::from(path)));
        }
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            return Ok(Self::Postgres(s.to_owned()));
        }
        Err(StorageError::BadUrl(
            "expected sqlite://PATH or postgres://USER@HOST:PORT/DB".into(),
        ))
    }

    fn backend(&self) -> Backend {
        match self {
            Self::SqliteFile(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SqliteFile(p) => write!(f, "sqlite://{}", p.display()),
            // Only scheme and host part after '@': the user info may hold a password.
            Self::Postgres(u) => {
                let host = u.rsplit('@').next().unwrap_or("");
                let host = host
                    .trim_start_matches("postgres://")
                    .trim_start_matches("postgresql://");
                write!(f, "postgres://***@{host}")
            }
        }
    }
}

/// How to open a [`Store`].
#[derive(Clone, Debug)]
pub struct OpenOptions {
    url: DatabaseUrl,
    max_connections: u32,
    pg_schema: Option<String>,
}

impl OpenOptions {
    /// Open the database at `url` with defaults.
    pub fn new(url: DatabaseUrl) -> Self {
        Self {
            url,
            max_connections: 8,
            pg_schema: None,
        }
    }

    /// Maximum pool size.
    pub fn max_connections(mut self, n: u32) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// PostgreSQL only: keep all tables in this schema (created if absent). Lets several
    /// installations, or parallel test runs, share one database.
    pub fn pg_schema(mut self, schema: impl Into<String>) -> Self {
        self.pg_schema = Some(schema.into());
        self
    }

    /// Connect, configure the engine for durability, and apply pending migrations.
    pub async fn open(self) -> Result<Store, StorageError> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(sqlx::any::install_default_drivers);

        let backend = self.url.backend();
        let url = match &self.url {
            DatabaseUrl::SqliteFile(path) => {
                prepare_sqlite_dir(path)?;
                format!("sqlite://{}?mode=rwc", path.display())
            }
            DatabaseUrl::Postgres(u) => u.clone(),
        };
        let connect = AnyConnectOptions::from_str(&url)
            .map_err(|e| StorageError::BadUrl(e.to_string()))?
            .log_statements(tracing::log::LevelFilter::Trace)
            .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(500));

        if let (Backend::Postgres, Some(schema)) = (backend, &self.pg_schema) {
            validate_identifier(schema)?;
            let mut conn = connect.connect().await?;
            conn.execute(format!("CREATE SCHEMA IF NOT EXISTS {schema}").as_str())
                .await?;
        }

        let schema = self.pg_schema.clone();
        // SQLite allows one writer; a single connection avoids SQLITE_BUSY between our own
        // connections while WAL still lets readers in other processes proceed.
        let max = match backend {
            Backend::Sqlite => 1,
            Backend::Postgres => self.max_connections,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                let schema = schema.clone();
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => {
                            for pragma in SQLITE_PRAGMAS {
                                conn.execute(*pragma).await?;
                            }
                        }
                        Backend::Postgres => {
                            if let Some(s) = schema {
                                conn.execute(format!("SET search_path TO {s}").as_str())
                                    .await?;
                            }
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(connect)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(Store { pool, backend })
    }
}

/// WAL for concurrent readers; FULL sync so a commit is on disk before we answer the client.
const SQLITE_PRAGMAS: &[&str] = &[
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
];

fn prepare_sqlite_dir(path: &Path) -> Result<(), StorageError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| StorageError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    Ok(())
}

/// Schema names are interpolated into SQL, so only plain identifiers are allowed.
fn validate_identifier(s: &str) -> Result<(), StorageError> {
    let ok = !s.is_empty()
        && s.len() <= 63
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(StorageError::BadUrl(format!(
            "invalid schema name {s:?}: use letters, digits and _"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls() {
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.db").unwrap(),
            DatabaseUrl::SqliteFile("/tmp/x.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:rel.db").unwrap(),
            DatabaseUrl::SqliteFile("rel.db".into())
        );
        assert!(matches!(
            DatabaseUrl::parse("postgres://u:p@h/db").unwrap(),
            DatabaseUrl::Postgres(_)
        ));
        assert!(DatabaseUrl::parse("mysql://x").is_err());
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn debug_hides_postgres_password() {
        let u = DatabaseUrl::parse("postgres://user:hunter2@db:5432/sigil").unwrap();
        let s = format!("{u:?}");
        assert!(!s.contains("hunter2") && !s.contains("user"), "{s}");
        assert!(s.contains("db:5432/sigil"));
    }

    #[test]
    fn schema_names_are_identifiers() {
        assert!(validate_identifier("sigil_test_1").is_ok());
        assert!(validate_identifier("x; DROP TABLE y").is_err());
        assert!(validate_identifier("1abc").is_err());
    }
}
