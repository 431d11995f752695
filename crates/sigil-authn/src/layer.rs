//! The tower middleware: authenticate every request, optionally enforce a [`Requirement`],
//! and hand the [`Principal`] to the inner service through the request's extensions.

use std::task::{Context, Poll};

use futures_util::future::BoxFuture;
use http::{Request, Response};
use tower::{Layer, Service};

use crate::{Authn, Requirement};

/// Wraps a service so only authenticated (and, with [`AuthnLayer::require`], authorised)
/// requests reach it. Refusals are empty-bodied RFC 6750 responses.
#[derive(Clone, Debug)]
pub struct AuthnLayer {
    authn: Authn,
    requirement: Option<Requirement>,
}

impl AuthnLayer {
    /// Authenticate with `authn`.
    pub fn new(authn: Authn) -> Self {
        Self {
            authn,
            requirement: None,
        }
    }

    /// Also require scopes or roles (403 `insufficient_scope` otherwise).
    pub fn require(mut self, requirement: Requirement) -> Self {
        self.requirement = Some(requirement);
        self
    }
}

impl<S> Layer<S> for AuthnLayer {
    type Service = AuthnService<S>;

    fn layer(&self, inner: S) -> AuthnService<S> {
        AuthnService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service built by [`AuthnLayer`].
#[derive(Clone, Debug)]
pub struct AuthnService<S> {
    inner: S,
    layer: AuthnLayer,
}

impl<S, ReqB, ResB> Service<Request<ReqB>> for AuthnService<S>
where
    S: Service<Request<ReqB>, Response = Response<ResB>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ReqB: Send + 'static,
    ResB: Default + Send + 'static,
{
    type Response = Response<ResB>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Response<ResB>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<ReqB>) -> Self::Future {
        // The ready inner service is the one to call; leave a fresh clone in its place.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let layer = self.layer.clone();
        Box::pin(async move {
            let principal = match layer.authn.authenticate(req.headers()).await {
                Ok(p) => p,
                Err(e) => return Ok(e.to_response()),
            };
            if let Some(r) = &layer.requirement {
                if let Err(e) = r.check(&principal) {
                    return Ok(e.to_response());
                }
            }
            req.extensions_mut().insert(principal);
            inner.call(req).await
        })
    }
}
