//! In-process Sigil for integration tests.
//!
//! [`TestSigil::start`] runs the same `sigil_app::start` as `sigil up`, on `127.0.0.1:0` with a
//! fresh temporary home, and hands back the bound address, the CA path and an HTTP client that
//! trusts the local CA. Tests never depend on fixed ports or on each other.
//!
//! Only ever a dev-dependency.

#![allow(clippy::expect_used)] // a test kit that cannot set up should fail the test loudly

pub mod clients;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sigil_app::config::IdpConfig;
use sigil_app::{AppConfig, Running};
use sigil_core::{Clock, SystemClock};
use sigil_storage::DatabaseUrl;

/// A running in-process Sigil with a temporary home.
#[derive(Debug)]
pub struct TestSigil {
    running: Option<Running>,
    home: HomeDir,
}

#[derive(Debug)]
enum HomeDir {
    Temp(tempfile::TempDir),
    Given(PathBuf),
}

/// Options for [`TestSigil::start_with`].
#[derive(Debug, Default)]
pub struct Options {
    /// Reuse this home instead of a fresh temporary one (to test restarts).
    pub home: Option<PathBuf>,
    /// Use this database instead of `<home>/sigil.db`.
    pub database: Option<DatabaseUrl>,
    /// Use this clock instead of the system clock.
    pub clock: Option<Arc<dyn Clock>>,
}

impl TestSigil {
    /// Start with a fresh temporary home, SQLite and the system clock.
    pub async fn start() -> Self {
        Self::start_with(Options::default()).await
    }

    /// Start with options.
    pub async fn start_with(opts: Options) -> Self {
        let home = match opts.home {
            Some(p) => HomeDir::Given(p),
            None => HomeDir::Temp(tempfile::tempdir().expect("temp home")),
        };
        let root = home.path().to_path_buf();
        let config = AppConfig {
            database: opts
                .database
                .unwrap_or_else(|| DatabaseUrl::SqliteFile(root.join("sigil.db"))),
            home: root.clone(),
            idp: IdpConfig {
                listen: "127.0.0.1:0".parse().expect("addr"),
                public_url: None,
            },
            shutdown_grace: std::time::Duration::from_secs(5),
            root_key: sigil_app::RootKeySource::File(root.join("root.key")),
            admin_token: sigil_app::AdminTokenSource::File(root.join("admin.token")),
        };
        let clock = opts.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let running = sigil_app::start(config, clock).await.expect("sigil starts");
        Self {
            running: Some(running),
            home,
        }
    }

    fn running(&self) -> &Running {
        self.running.as_ref().expect("running until shutdown")
    }

    /// `https://localhost:<port>` of the identity provider.
    pub fn idp_url(&self) -> &str {
        &self.running().idp_url
    }

    /// The home directory.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// The installation id.
    pub fn installation_id(&self) -> &str {
        &self.running().installation_id
    }

    /// Path of the local CA certificate.
    pub fn ca_cert_path(&self) -> &Path {
        &self.running().ca_cert_path
    }

    /// An HTTP client that trusts only the local CA.
    pub fn client(&self) -> reqwest::Client {
        let pem = std::fs::read(self.ca_cert_path()).expect("read CA");
        let ca = reqwest::Certificate::from_pem(&pem).expect("parse CA");
        reqwest::Client::builder()
            .tls_built_in_root_certs(false)
            .add_root_certificate(ca)
            .build()
            .expect("client")
    }

    /// Stop gracefully, keeping the home directory (for restart tests, pass it to `start_with`).
    pub async fn shutdown(mut self) -> Option<tempfile::TempDir> {
        if let Some(r) = self.running.take() {
            r.shutdown().await.expect("clean shutdown");
        }
        match std::mem::replace(&mut self.home, HomeDir::Given(PathBuf::new())) {
            HomeDir::Temp(t) => Some(t),
            HomeDir::Given(_) => None,
        }
    }
}

impl HomeDir {
    fn path(&self) -> &Path {
        match self {
            Self::Temp(t) => t.path(),
            Self::Given(p) => p,
        }
    }
}
