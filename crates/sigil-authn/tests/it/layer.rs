//! The tower layer and axum extractor over HTTP semantics (oneshot, no sockets).

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::routing::post;
use serde_json::json;
use sigil_authn::{Authn, AuthnLayer, AuthnOptions, Principal, Requirement};
use sigil_jose::KeySet;
use tower::ServiceExt;

use crate::common::*;

const ISS: &str = "https://login.example/11111111-1111-1111-1111-111111111111/v2.0";

fn app(s: &sigil_jose::Signer) -> Router {
    let mut keys = KeySet::new();
    keys.insert_jwk(&s.public_jwk()).unwrap();
    let authn =
        Authn::with_keys(AuthnOptions::jwks(ISS, "unused").audience(API_APP_ID), keys).unwrap();
    Router::new()
        .route(
            "/fraud/analyze",
            post(|p: Principal| async move { p.client_app_id().unwrap_or("").to_owned() }),
        )
        .layer(AuthnLayer::new(authn).require(Requirement::app_roles(["Fraud.Scan"])))
}

async fn call(app: &Router, auth: Option<&str>) -> (StatusCode, String, String) {
    let mut r = Request::post("/fraud/analyze");
    if let Some(a) = auth {
        r = r.header(header::AUTHORIZATION, a);
    }
    let resp = app
        .clone()
        .oneshot(r.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let www = resp
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = axum::body::to_bytes(resp.into_body(), 1 << 16)
        .await
        .unwrap();
    (status, www, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn statuses_and_challenges() {
    let s = signer("k1");
    let app = app(&s);

    let good = s.sign_claims(&app_claims(ISS)).unwrap();
    let (st, _, body) = call(&app, Some(&format!("Bearer {good}"))).await;
    assert_eq!((st, body.as_str()), (StatusCode::OK, CLIENT));

    let (st, www, _) = call(&app, None).await;
    assert_eq!((st, www.as_str()), (StatusCode::UNAUTHORIZED, "Bearer"));

    let mut c = app_claims(ISS);
    c["roles"] = json!(["Fraud.Read"]);
    let no_role = s.sign_claims(&c).unwrap();
    let (st, www, body) = call(&app, Some(&format!("Bearer {no_role}"))).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(www.contains("error=\"insufficient_scope\""), "{www}");
    assert!(body.is_empty());

    let mut c = app_claims(ISS);
    c["aud"] = json!("someone-else");
    let wrong_aud = s.sign_claims(&c).unwrap();
    let (st, www, body) = call(&app, Some(&format!("Bearer {wrong_aud}"))).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(
        www,
        "Bearer error=\"invalid_token\", error_description=\"The token audience is not allowed\""
    );
    assert!(!www.contains("someone-else") && !body.contains("someone-else"));

    let idt = s.sign_claims(&id_token_claims(ISS)).unwrap();
    let (st, www, _) = call(&app, Some(&format!("Bearer {idt}"))).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert!(www.contains("not of the expected type"), "{www}");

    let (st, www, _) = call(&app, Some("Bearer not.a.jwt")).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert!(www.contains("invalid_token") && !www.contains("not.a.jwt"));
}

#[tokio::test]
async fn extractor_without_layer_refuses() {
    let app: Router = Router::new().route("/x", post(|_p: Principal| async { "no" }));
    let resp = app
        .oneshot(Request::post("/x").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}
