//! Sigil's API gateway runtime.
//!
//! [`Gateway`] serves a [`sigil_policy::GatewayConfig`] (an APIOps folder) the way Azure API
//! Management does: route to an API and operation, check the subscription key, merge the
//! effective policy (global > product > API > operation through `<base/>`), run `inbound`,
//! `backend` (`forward-request` to a pooled HTTP/1.1 + HTTP/2 client over rustls), `outbound`,
//! and `on-error` with `context.LastError` when anything fails. Expressions were compiled when
//! the folder was loaded; here they are only evaluated.
//!
//! Configuration generations are swapped atomically ([`Gateway::reload`], [`Gateway::watch`]):
//! a request keeps the generation it started with, and a folder that does not load, or holds a
//! policy this gateway cannot run yet, is refused while the old generation keeps serving.
//!
//! See `docs/gateway.md` for behaviour, limits and error shapes.

use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use http::{Request, Response};
use ipnet::IpNet;
use sigil_core::Clock;
use sigil_policy::{Diagnostic, GatewayConfig};

mod context;
pub mod counters;
mod errors;
mod eval;
mod exec;
mod keys;
mod pipeline;
mod policies;
mod proxy;
mod reload;
mod runtime;
mod token_cache;
mod url;

use context::Deployment;
use counters::{CounterStore, MemoryCounters};
use keys::KeyStore;
use policies::access::Limiter;
use runtime::Runtime;
use token_cache::TokenCache;

/// The caller's socket address, put into request extensions by `sigil_http::serve`. Without it
/// the caller is taken to be `0.0.0.0` (for `ip-filter`, `context.Request.IpAddress` and
/// `X-Forwarded-For`).
pub use sigil_http::PeerAddr;

/// Operational settings (not part of the APIM configuration folder).
#[derive(Clone, Debug)]
pub struct GatewayOptions {
    /// Peers whose `X-Forwarded-For` is believed (load balancers in front of the gateway).
    pub trusted_proxies: Vec<IpNet>,
    /// Largest request body accepted (413 above it), buffered or streamed.
    pub max_body_bytes: usize,
    /// Largest backend response body buffered for outbound policies.
    pub max_response_buffer_bytes: usize,
    /// Upper bound on any backend call (`forward-request timeout` is capped by it).
    pub backend_timeout: Duration,
    /// TCP connect timeout towards backends.
    pub connect_timeout: Duration,
    /// How long reading a request body that policies need may take.
    pub client_body_timeout: Duration,
    /// `context.Deployment.GatewayId`.
    pub gateway_id: String,
    /// `context.Deployment.Region`.
    pub region: String,
    /// `context.Deployment.ServiceName`.
    pub service_name: String,
    /// PEM certificates trusted as roots for outbound TLS (backends and `openid-config`
    /// fetches) besides the webpki roots: Sigil's local CA, so `validate-jwt` can read
    /// `https://localhost:8443/{tenant}/v2.0/.well-known/openid-configuration`.
    pub extra_root_certs_pem: Vec<String>,
    /// Where `validate-azure-ad-token` finds a tenant's discovery document
    /// (`{authority}/{tenant-id}/v2.0/.well-known/openid-configuration`): Entra's
    /// `https://login.microsoftonline.com` by default, or Sigil's IdP URL.
    pub entra_authority: String,
    /// Most rate-limit / quota counters held in memory (oldest evicted beyond it).
    pub max_counters: usize,
    /// Most verified tokens remembered (signature checks skipped for them).
    pub max_cached_tokens: usize,
}

impl Default for GatewayOptions {
    fn default() -> Self {
        Self {
            trusted_proxies: Vec::new(),
            max_body_bytes: 16 * 1024 * 1024,
            max_response_buffer_bytes: 16 * 1024 * 1024,
            backend_timeout: Duration::from_secs(300),
            connect_timeout: Duration::from_secs(10),
            client_body_timeout: Duration::from_secs(60),
            gateway_id: "sigil".into(),
            region: String::new(),
            service_name: "sigil".into(),
            extra_root_certs_pem: Vec::new(),
            entra_authority: "https://login.microsoftonline.com".into(),
            max_counters: 100_000,
            max_cached_tokens: 10_000,
        }
    }
}

/// Why a gateway cannot be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GatewayError {
    /// The configuration loaded but holds something this gateway cannot run (e.g. a policy of
    /// the next milestone); every problem is listed as `file:line:col: message`.
    #[error("the gateway configuration cannot be served:\n{}", join(.0))]
    NotExecutable(Vec<Diagnostic>),
    /// The backend HTTP client could not be set up (TLS roots).
    #[error("backend HTTP client: {0}")]
    Client(String),
}

fn join(d: &[Diagnostic]) -> String {
    d.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// State shared by every request and kept across reloads.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) current: ArcSwap<Runtime>,
    pub(crate) client: proxy::HttpClient,
    pub(crate) limiter: Limiter,
    pub(crate) opts: GatewayOptions,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) deployment: Deployment,
    pub(crate) keys: Arc<KeyStore>,
    pub(crate) tokens: TokenCache,
    pub(crate) counters: Arc<dyn CounterStore>,
}

/// The gateway. Cheap to clone; clones share configuration, connection pool and counters.
#[derive(Clone, Debug)]
pub struct Gateway {
    inner: Arc<Shared>,
}

impl Gateway {
    /// Builds a gateway for `config`, refusing it if any policy cannot be executed.
    pub fn new(
        config: GatewayConfig,
        opts: GatewayOptions,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, GatewayError> {
        let counters = Arc::new(MemoryCounters::new(opts.max_counters));
        Self::with_counters(config, opts, clock, counters)
    }

    /// Like [`Gateway::new`], with the rate-limit and quota counters in `counters` (a shared
    /// store when several gateways must count together).
    pub fn with_counters(
        config: GatewayConfig,
        opts: GatewayOptions,
        clock: Arc<dyn Clock>,
        counters: Arc<dyn CounterStore>,
    ) -> Result<Self, GatewayError> {
        let rt = Runtime::build(config).map_err(GatewayError::NotExecutable)?;
        let client = proxy::client(opts.connect_timeout, &opts.extra_root_certs_pem)
            .map_err(GatewayError::Client)?;
        let keys = Arc::new(KeyStore::new(client.clone(), clock.clone()));
        keys.warm(runtime::openid_urls(&rt.cfg));
        let deployment = Deployment {
            gateway_id: opts.gateway_id.as_str().into(),
            region: opts.region.as_str().into(),
            service_name: opts.service_name.as_str().into(),
        };
        Ok(Self {
            inner: Arc::new(Shared {
                current: ArcSwap::from_pointee(rt),
                client,
                limiter: Limiter::default(),
                tokens: TokenCache::new(opts.max_cached_tokens),
                opts,
                clock,
                deployment,
                keys,
                counters,
            }),
        })
    }

    /// An axum router answering every path (through its fallback) with the gateway.
    pub fn router(&self) -> Router {
        Router::new().fallback(serve).with_state(self.clone())
    }

    /// A hyper service answering every request of one connection from `peer` with the
    /// gateway (for `sigil_http::serve_with`): the listener's hot path, without a router.
    pub fn service(&self, peer: SocketAddr) -> GatewayService {
        GatewayService {
            gateway: self.clone(),
            peer: peer.ip(),
        }
    }

    /// Serves the gateway on `listener` (TLS with `tls`) until `shutdown` completes, then
    /// drains for at most `grace`: [`sigil_http::serve_with`] with [`Gateway::service`].
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        tls: Option<Arc<rustls::ServerConfig>>,
        shutdown: sigil_http::Shutdown,
        grace: Duration,
    ) -> Result<(), sigil_http::ServeError> {
        sigil_http::serve_with(
            listener,
            tls,
            move |peer| self.service(peer),
            shutdown,
            grace,
        )
        .await
    }

    /// Handles one request in process (what the router calls; also for benchmarks and tests).
    /// The caller's address is read from the request's [`PeerAddr`] extension.
    pub async fn handle(&self, req: Request<Body>) -> Response<Body> {
        let peer = req.extensions().get::<PeerAddr>().map(|p| p.0.ip());
        let rt = self.inner.current.load_full();
        pipeline::handle(&self.inner, rt, req, peer).await
    }

    /// Loads `dir` and swaps it in atomically. On any problem the current configuration keeps
    /// serving and every diagnostic is returned.
    pub fn reload(
        &self,
        dir: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(), Vec<Diagnostic>> {
        let cfg = GatewayConfig::load(dir, env)?;
        let rt = Runtime::build(cfg)?;
        self.inner.keys.warm(runtime::openid_urls(&rt.cfg));
        self.inner.current.store(Arc::new(rt));
        Ok(())
    }

    /// Operational counters: `openid-config` / JWKS fetches made, verified-token cache hits.
    pub fn stats(&self) -> GatewayStats {
        GatewayStats {
            key_fetches: self.inner.keys.fetches(),
            token_cache_hits: self.inner.tokens.hits(),
        }
    }

    /// Watches `dir` (file sizes and modification times, polled about every second) and, on
    /// Unix, `SIGHUP`; reloads on a change and logs a refused configuration. Environment
    /// references are resolved from the process environment.
    pub fn watch(&self, dir: PathBuf) -> tokio::task::JoinHandle<()> {
        reload::spawn_watch(self.clone(), dir)
    }
}

/// See [`Gateway::stats`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GatewayStats {
    /// HTTP requests made for discovery documents and JWKS.
    pub key_fetches: u64,
    /// Tokens whose signature check was skipped thanks to the verified-token cache.
    pub token_cache_hits: u64,
}

async fn serve(State(gw): State<Gateway>, req: Request<Body>) -> Response<Body> {
    gw.handle(req).await
}

/// See [`Gateway::service`].
#[derive(Clone, Debug)]
pub struct GatewayService {
    gateway: Gateway,
    peer: IpAddr,
}

impl hyper::service::Service<Request<hyper::body::Incoming>> for GatewayService {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn call(&self, req: Request<hyper::body::Incoming>) -> Self::Future {
        let gw = self.gateway.clone();
        let peer = self.peer;
        Box::pin(async move {
            let rt = gw.inner.current.load_full();
            Ok(pipeline::handle(&gw.inner, rt, req.map(Body::new), Some(peer)).await)
        })
    }
}
