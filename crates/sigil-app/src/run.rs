//! Starting and stopping the components of one Sigil process.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use sigil_core::Clock;
use sigil_crypto::SystemRandom;
use sigil_http::health::Readiness;
use sigil_idp_server::Idp;
use sigil_jose::keyring::RotationPolicy;
use sigil_pki::ServerNames;
use sigil_storage::{OpenOptions, Store};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{AppConfig, RootKeySource};
use crate::home::{self, Home};

/// Why Sigil could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The home directory could not be created.
    #[error("home directory {path}: {source}")]
    Home {
        /// The directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The local CA or server certificate could not be prepared.
    #[error(transparent)]
    Pki(#[from] sigil_pki::PkiError),
    /// The TLS configuration was refused.
    #[error(transparent)]
    Tls(#[from] sigil_http::tls::TlsError),
    /// The store could not be opened or migrated.
    #[error(transparent)]
    Storage(#[from] sigil_storage::StorageError),
    /// The root key could not be read or created.
    #[error("root key: {0}")]
    RootKey(String),
    /// The identity provider could not load its state.
    #[error(transparent)]
    Idp(#[from] sigil_idp_server::IdpError),
    /// The gateway configuration folder is invalid: one `file:line:col: message` per problem.
    #[error("gateway configuration refused:\n{}", .0.join("\n"))]
    GatewayConfig(Vec<String>),
    /// The gateway could not start.
    #[error("gateway: {0}")]
    Gateway(String),
    /// A listener could not bind.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// A started Sigil process. Drop does not stop it: call [`Running::shutdown`].
#[derive(Debug)]
pub struct Running {
    /// Where the identity provider listens (the real port when 0 was configured).
    pub idp_addr: SocketAddr,
    /// Public base URL of the identity provider.
    pub idp_url: String,
    /// The CA certificate clients must trust.
    pub ca_cert_path: PathBuf,
    /// The home directory in use.
    pub home: PathBuf,
    /// The installation's id (stable across restarts).
    pub installation_id: String,
    /// The open store.
    pub store: Store,
    /// The identity provider.
    pub idp: Arc<Idp>,
    /// The gateway's plain-HTTP and HTTPS addresses, when it runs.
    pub gateway_addrs: Option<(SocketAddr, SocketAddr)>,
    stop: Option<watch::Sender<bool>>,
    background: Vec<JoinHandle<()>>,
    tasks: Vec<JoinHandle<Result<(), sigil_http::ServeError>>>,
}

impl Running {
    /// Stop accepting, let in-flight requests finish within the grace period, close the store.
    pub async fn shutdown(mut self) -> Result<(), sigil_http::ServeError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        self.wait().await
    }

    /// Wait until the servers stop (after [`Running::shutdown`] or a fatal error).
    pub async fn wait(self) -> Result<(), sigil_http::ServeError> {
        let mut result = Ok(());
        for task in self.tasks {
            let r = match task.await {
                Ok(r) => r,
                // The serve task panicked or was cancelled; report it as a drain failure.
                Err(_) => Err(sigil_http::ServeError::DrainTimeout(0)),
            };
            if result.is_ok() {
                result = r;
            }
        }
        for b in &self.background {
            b.abort();
        }
        self.store.close().await;
        result
    }

    /// A sender that triggers shutdown when sent to or dropped (for signal handlers).
    pub fn take_stop(&mut self) -> Option<watch::Sender<bool>> {
        self.stop.take()
    }
}

/// Open the home directory, store and certificates, bind the listeners, and start serving.
pub async fn start(config: AppConfig, clock: Arc<dyn Clock>) -> Result<Running, StartError> {
    let home = Home::new(config.home.clone());
    home.create().map_err(|source| StartError::Home {
        path: home.root().to_path_buf(),
        source,
    })?;

    let tls = sigil_pki::ensure(&home.pki_dir(), &ServerNames::default(), clock.as_ref())?;
    let tls_config =
        sigil_http::tls::server_config(&tls.server_chain_pem, tls.server_key_pem.expose())?;

    let store = open_store(&config).await?;
    let installation = store.installation(clock.as_ref()).await?;
    tracing::info!(
        installation = %installation.id,
        database = ?config.database,
        "store open"
    );

    let listener = tokio::net::TcpListener::bind(config.idp.listen)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.idp.listen,
            source,
        })?;
    let idp_addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: config.idp.listen,
        source,
    })?;
    let idp_url = config
        .idp
        .public_url
        .clone()
        .unwrap_or_else(|| format!("https://localhost:{}", idp_addr.port()));

    let root_key = match &config.root_key {
        RootKeySource::File(path) => {
            home::load_or_create_root_key(path).map_err(StartError::RootKey)?
        }
        RootKeySource::Inline(key) => key.clone(),
    };
    let rng: Arc<dyn sigil_crypto::RandomSource> = Arc::new(SystemRandom);
    let admin_token = match &config.admin_token {
        crate::config::AdminTokenSource::File(path) => {
            home::load_or_create_token(path).map_err(StartError::RootKey)?
        }
        crate::config::AdminTokenSource::Inline(t) => t.clone(),
    };
    let admin = sigil_idp_server::AdminCredential::new(&admin_token, rng.as_ref())
        .map_err(|e| StartError::RootKey(e.to_string()))?;
    let idp = Idp::start(sigil_idp_server::IdpOptions {
        base_url: idp_url.clone(),
        store: store.clone(),
        root_key,
        policy: RotationPolicy::default(),
        admin: Some(admin),
        clock: clock.clone(),
        rng,
    })
    .await?;
    let background = vec![idp.spawn_sync(sigil_idp_server::DEFAULT_POLL_INTERVAL)];

    let ready_store = store.clone();
    let ready_idp = idp.clone();
    let readiness = Readiness::new()
        .with_check("store", move || {
            let store = ready_store.clone();
            async move {
                store
                    .ping()
                    .await
                    .map_err(|_| "database unreachable".to_owned())
            }
        })
        .with_check("signing_keys", move || {
            let idp = ready_idp.clone();
            async move { idp.ready() }
        });
    let app = Router::new()
        .merge(sigil_http::health::router(readiness))
        .merge(idp.router());

    let (stop_tx, stop_rx) = watch::channel(false);
    // Every listener stops on an explicit stop or when the sender is dropped.
    let shutdown = move || -> sigil_http::Shutdown {
        let mut rx = stop_rx.clone();
        Box::pin(async move {
            let _ = rx.wait_for(|stop| *stop).await;
        })
    };
    let grace = config.shutdown_grace;
    let mut tasks = vec![tokio::spawn(sigil_http::serve(
        listener,
        Some(tls_config.clone()),
        app,
        shutdown(),
        grace,
    ))];

    let mut background = background;
    let gateway_addrs = match &config.gateway {
        Some(g) => {
            let wiring = crate::gateway::Wiring {
                local_ca_pem: tls.ca_cert_pem.clone(),
                idp_url: idp_url.clone(),
            };
            let started = crate::gateway::start(g, &wiring, clock.clone()).await?;
            let http = bind(g.listen_http).await?;
            let https = bind(g.listen_https).await?;
            let addrs = (local(&http, g.listen_http)?, local(&https, g.listen_https)?);
            let gw = &started.gateway;
            tasks.push(tokio::spawn(gw.clone().serve(
                http,
                None,
                shutdown(),
                grace,
            )));
            tasks.push(tokio::spawn(gw.clone().serve(
                https,
                Some(tls_config),
                shutdown(),
                grace,
            )));
            background.push(started.watcher);
            Some(addrs)
        }
        None => None,
    };

    Ok(Running {
        idp_addr,
        idp_url,
        ca_cert_path: tls.ca_cert_path,
        home: config.home,
        installation_id: installation.id,
        store,
        idp,
        gateway_addrs,
        stop: Some(stop_tx),
        background,
        tasks,
    })
}

async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, StartError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })
}

fn local(l: &tokio::net::TcpListener, addr: SocketAddr) -> Result<SocketAddr, StartError> {
    l.local_addr()
        .map_err(|source| StartError::Bind { addr, source })
}

/// Open (and migrate) the store named by the configuration.
pub(crate) async fn open_store(config: &AppConfig) -> Result<Store, StartError> {
    let mut opts = OpenOptions::new(config.database.clone());
    if let Some(schema) = &config.database_schema {
        opts = opts.pg_schema(schema.clone());
    }
    Ok(opts.open().await?)
}
