//! Liveness and readiness endpoints.
//!
//! `/healthz` answers 200 while the process can serve at all. `/readyz` answers 200 only when
//! every registered check passes (e.g. the database answers, signing keys are loaded), and 503
//! with the failing check names otherwise, so a load balancer stops routing before clients fail.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The result of one readiness check: `Err` carries a short reason (never a secret).
pub type CheckResult = Result<(), String>;

type CheckFn = dyn Fn() -> Pin<Box<dyn Future<Output = CheckResult> + Send>> + Send + Sync;

/// A named set of readiness checks.
#[derive(Clone, Default)]
pub struct Readiness {
    checks: Vec<(&'static str, Arc<CheckFn>)>,
}

impl fmt::Debug for Readiness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.checks.iter().map(|(n, _)| n))
            .finish()
    }
}

impl Readiness {
    /// No checks: always ready.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a named check.
    pub fn with_check<F, Fut>(mut self, name: &'static str, check: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = CheckResult> + Send + 'static,
    {
        self.checks
            .push((name, Arc::new(move || Box::pin(check()))));
        self
    }

    /// Run every check; the names and reasons of those that fail.
    pub async fn failures(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for (name, check) in &self.checks {
            if let Err(reason) = check().await {
                out.push((*name, reason));
            }
        }
        out
    }
}

/// `GET /healthz` and `GET /readyz`.
pub fn router(readiness: Readiness) -> Router {
    Router::new()
        .route("/healthz", get(|| async { (StatusCode::OK, "ok\n") }))
        .route("/readyz", get(ready))
        .with_state(readiness)
}

async fn ready(State(readiness): State<Readiness>) -> Response {
    let failures = readiness.failures().await;
    if failures.is_empty() {
        return (StatusCode::OK, "ready\n").into_response();
    }
    let body: serde_json::Map<String, serde_json::Value> = failures
        .into_iter()
        .map(|(n, r)| (n.to_owned(), r.into()))
        .collect();
    (
        StatusCode::SERVICE_UNAVAILABLE,
        axum::Json(serde_json::json!({ "not_ready": body })),
    )
        .into_response()
}
