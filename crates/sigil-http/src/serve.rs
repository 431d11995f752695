//! The accept loop: TLS or plain TCP, HTTP/1.1 and HTTP/2, graceful drain on shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use rustls::ServerConfig;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// A TLS handshake that takes longer than this is dropped (slowloris protection).
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest request head accepted; larger answers 431.
const MAX_HEADER_BYTES: usize = 64 * 1024;

/// The caller's socket address, inserted into every request's extensions by [`serve`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerAddr(pub std::net::SocketAddr);

/// A future that completes when the server should stop accepting and drain.
pub type Shutdown = std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

/// Why the server stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// In-flight requests did not finish within the grace period; they were cut off.
    #[error("{0} connection(s) still open after the grace period")]
    DrainTimeout(usize),
}

/// Serve `app` on `listener` until `shutdown` completes, then drain for at most `grace`.
///
/// With `tls`, every connection must complete a TLS handshake first; HTTP/2 is chosen by ALPN.
/// Every request carries the caller's [`PeerAddr`] in its extensions.
pub async fn serve(
    listener: TcpListener,
    tls: Option<Arc<ServerConfig>>,
    app: Router,
    shutdown: Shutdown,
    grace: Duration,
) -> Result<(), ServeError> {
    let make = move |peer: SocketAddr| {
        TowerToHyperService::new(tower::ServiceExt::map_request(
            app.clone(),
            move |mut req: Request<Incoming>| {
                req.extensions_mut().insert(PeerAddr(peer));
                req
            },
        ))
    };
    serve_with(listener, tls, make, shutdown, grace).await
}

/// Like [`serve`], with a hyper service made per connection by `make` from the caller's
/// address: for a server whose every request goes to one handler (the gateway), so no router,
/// request-extension map or per-request service clone sits on its hot path.
pub async fn serve_with<M, S, B>(
    listener: TcpListener,
    tls: Option<Arc<ServerConfig>>,
    make: M,
    shutdown: Shutdown,
    grace: Duration,
) -> Result<(), ServeError>
where
    M: Fn(SocketAddr) -> S,
    S: hyper::service::Service<Request<Incoming>, Response = Response<B>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let graceful = GracefulShutdown::new();
    let acceptor = tls.map(TlsAcceptor::from);
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .max_buf_size(MAX_HEADER_BYTES)
        .timer(hyper_util::rt::TokioTimer::new());
    builder.http1().header_read_timeout(Duration::from_secs(30));
    builder
        .http2()
        .max_header_list_size(MAX_HEADER_BYTES as u32);
    let builder = Arc::new(builder);
    let mut shutdown = shutdown;

    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let watcher = graceful.watcher();
        let builder = builder.clone();
        let service = make(peer);
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let result = match acceptor {
                Some(acceptor) => {
                    let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream))
                        .await
                    {
                        Ok(Ok(tls)) => tls,
                        Ok(Err(e)) => {
                            tracing::debug!(%peer, error = %e, "TLS handshake failed");
                            return;
                        }
                        Err(_) => {
                            tracing::debug!(%peer, "TLS handshake timed out");
                            return;
                        }
                    };
                    let conn = builder.serve_connection_with_upgrades(TokioIo::new(tls), service);
                    watcher.watch(conn.into_owned()).await
                }
                None => {
                    let conn =
                        builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
                    watcher.watch(conn.into_owned()).await
                }
            };
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }

    drop(listener);
    let open = graceful.count();
    tracing::info!(open_connections = open, "draining");
    tokio::select! {
        () = graceful.shutdown() => Ok(()),
        () = tokio::time::sleep(grace) => Err(ServeError::DrainTimeout(open)),
    }
}
