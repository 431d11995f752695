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
    /// PostgreSQL schema for the tables (use a fresh one per test).
    pub database_schema: Option<String>,
    /// Use this clock instead of the system clock.
    pub clock: Option<Arc<dyn Clock>>,
    /// Run the gateway with these settings (use port 0 listeners).
    pub gateway: Option<sigil_app::config::GatewaySettings>,
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
            database_schema: opts.database_schema,
            home: root.clone(),
            idp: IdpConfig {
                listen: "127.0.0.1:0".parse().expect("addr"),
                public_url: None,
            },
            shutdown_grace: std::time::Duration::from_secs(5),
            root_key: sigil_app::RootKeySource::File(root.join("root.key")),
            admin_token: sigil_app::AdminTokenSource::File(root.join("admin.token")),
            gateway: opts.gateway,
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

    /// The gateway's plain-HTTP base URL, when it runs.
    pub fn gateway_url(&self) -> Option<String> {
        self.running()
            .gateway_addrs
            .map(|(http, _)| format!("http://{http}"))
    }

    /// The admin API bearer token of this installation.
    pub fn admin_token(&self) -> String {
        std::fs::read_to_string(self.home().join("admin.token"))
            .expect("admin token")
            .trim()
            .to_owned()
    }

    /// Apply a directory document through the admin API; panics with the server's errors if it
    /// is refused. Returns the JSON report (`changes`, `generatedSecrets`, `warnings`).
    pub async fn apply(&self, yaml: &str) -> serde_json::Value {
        let r = self
            .client()
            .post(format!("{}/admin/v1.0/directory", self.idp_url()))
            .bearer_auth(self.admin_token())
            .body(yaml.to_owned())
            .send()
            .await
            .expect("admin API reachable");
        let status = r.status();
        let body: serde_json::Value = r.json().await.expect("JSON report");
        assert!(status.is_success(), "apply refused ({status}): {body:#}");
        body
    }

    /// `GET {idp}/{tenant}/discovery/v2.0/keys` as JSON.
    pub async fn jwks(&self, tenant: &str) -> serde_json::Value {
        self.client()
            .get(format!("{}/{tenant}/discovery/v2.0/keys", self.idp_url()))
            .send()
            .await
            .expect("JWKS reachable")
            .json()
            .await
            .expect("JWKS JSON")
    }

    /// `POST {idp}{path}` on the admin API (e.g. `/admin/v1.0/keys/rotate?force=true`) as JSON.
    pub async fn admin_post(&self, path: &str) -> serde_json::Value {
        let r = self
            .client()
            .post(format!("{}{path}", self.idp_url()))
            .bearer_auth(self.admin_token())
            .send()
            .await
            .expect("admin API reachable");
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.expect("admin JSON")
    }

    /// Look up an application's appId by display name through the admin API.
    pub async fn app_id(&self, tenant: &str, display_name: &str) -> String {
        let apps: serde_json::Value = self
            .client()
            .get(format!(
                "{}/admin/v1.0/tenants/{tenant}/applications",
                self.idp_url()
            ))
            .bearer_auth(self.admin_token())
            .send()
            .await
            .expect("admin API reachable")
            .json()
            .await
            .expect("JSON");
        apps["value"]
            .as_array()
            .and_then(|v| v.iter().find(|a| a["displayName"] == display_name))
            .and_then(|a| a["appId"].as_str())
            .unwrap_or_else(|| panic!("no application {display_name:?} in {tenant}: {apps:#}"))
            .to_owned()
    }

    /// `POST` a form to this tenant's token endpoint; returns (status, JSON body).
    pub async fn token_request(
        &self,
        tenant: &str,
        form: &[(&str, &str)],
    ) -> (u16, serde_json::Value) {
        let r = self
            .client()
            .post(format!("{}/{tenant}/oauth2/v2.0/token", self.idp_url()))
            .form(form)
            .send()
            .await
            .expect("token endpoint reachable");
        let status = r.status().as_u16();
        (status, r.json().await.expect("JSON token response"))
    }

    /// A client-credentials access token (client secret in the body); panics with the error body
    /// unless the endpoint answers 200.
    pub async fn client_credentials_token(
        &self,
        tenant: &str,
        client_id: &str,
        secret: &str,
        scope: &str,
    ) -> String {
        let (status, body) = self
            .token_request(
                tenant,
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", client_id),
                    ("client_secret", secret),
                    ("scope", scope),
                ],
            )
            .await;
        assert_eq!(status, 200, "{body:#}");
        body["access_token"]
            .as_str()
            .expect("access_token in a 200 answer")
            .to_owned()
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
