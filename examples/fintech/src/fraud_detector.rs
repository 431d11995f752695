//! FraudDetector: `POST /fraud/analyze` for callers holding the `Fraud.Scan` app role.

use std::net::SocketAddr;

use axum::routing::{get, post};
use axum::{Json, Router};
use sigil_authn::{Authn, AuthnLayer, AuthnOptions, Principal, Requirement};

use crate::{FRAUD_DETECTOR_APP_ID, FRAUD_DETECTOR_URI, FRAUD_SCAN_ROLE, Transaction, Verdict};

/// The detector's validation options for an authority (`https://localhost:8443/{tenant}`):
/// both of its audiences (identifier URI and appId), the issuer from discovery.
pub fn options(authority: &str) -> AuthnOptions {
    AuthnOptions::authority(authority)
        .audience(FRAUD_DETECTOR_URI)
        .audience(FRAUD_DETECTOR_APP_ID)
}

/// The routes: `/fraud/analyze` behind authentication and the `Fraud.Scan` app role;
/// `/healthz` and `/readyz` (ready once signing keys are loaded) open.
pub fn router(authn: Authn) -> Router {
    let api = Router::new()
        .route("/fraud/analyze", post(analyze))
        .layer(AuthnLayer::new(authn.clone()).require(Requirement::app_roles([FRAUD_SCAN_ROLE])));
    let ready = move || {
        let authn = authn.clone();
        async move {
            if authn.is_ready() {
                (axum::http::StatusCode::OK, "ready")
            } else {
                (
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    "loading signing keys",
                )
            }
        }
    };
    api.route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
}

async fn analyze(caller: Principal, Json(tx): Json<Transaction>) -> Json<Verdict> {
    // A stand-in model: large amounts go to review.
    let risk_score = match tx.amount_cents {
        0..=100_000 => 0.05,
        100_001..=1_000_000 => 0.4,
        _ => 0.9,
    };
    Json(Verdict {
        transaction_id: tx.id,
        risk_score,
        status: if risk_score < 0.5 {
            "Approved"
        } else {
            "Review"
        }
        .into(),
        screened_for: caller.client_app_id().unwrap_or_default().to_owned(),
    })
}

/// Serve on `listener` until the process ends; returns the bound address at once.
pub fn spawn(listener: tokio::net::TcpListener, authn: Authn) -> std::io::Result<SocketAddr> {
    let addr = listener.local_addr()?;
    let app = router(authn);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "fraud-detector stopped");
        }
    });
    Ok(addr)
}
