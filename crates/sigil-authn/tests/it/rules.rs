//! Token rules: what the API accepts and refuses, and the guards.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use sigil_authn::{AuthError, Authn, AuthnOptions, Requirement};
use sigil_core::{FixedClock, UnixTime};
use sigil_jose::{KeySet, ValidationError};

use crate::common::*;

const ISS: &str = "https://login.example/11111111-1111-1111-1111-111111111111/v2.0";

fn fixed(signer: &sigil_jose::Signer, opts: AuthnOptions) -> Authn {
    let mut keys = KeySet::new();
    keys.insert_jwk(&signer.public_jwk()).unwrap();
    Authn::with_keys(opts.issuer(ISS), keys).unwrap()
}

fn opts() -> AuthnOptions {
    AuthnOptions::jwks(ISS, "unused")
        .audience(API)
        .audience(API_APP_ID)
}

fn invalid(e: ValidationError) -> Result<(), AuthError> {
    Err(AuthError::InvalidToken(e))
}

#[tokio::test]
async fn app_token_accepted_with_accessors() {
    let s = signer("k1");
    let a = fixed(&s, opts());
    let t = s.sign_claims(&app_claims(ISS)).unwrap();
    let p = a.validate(&t).await.unwrap();
    assert_eq!(p.tenant_id(), Some(TENANT));
    assert_eq!(p.client_app_id(), Some(CLIENT));
    assert_eq!(p.object_id(), Some("33333333-0000-4000-8000-000000000001"));
    assert_eq!(p.roles(), ["Fraud.Scan".to_owned()]);
    assert!(p.is_app_only());
    assert_eq!(p.raw_token().expose(), &t);
    assert!(
        !format!("{p:?}").contains(&t[..20]),
        "Debug leaks the token"
    );
    Requirement::app_roles(["Fraud.Scan"]).check(&p).unwrap();
}

#[tokio::test]
async fn token_substitution_other_audience_refused() {
    let s = signer("k1");
    let a = fixed(&s, opts());
    let mut c = app_claims(ISS);
    c["aud"] = json!("99999999-0000-4000-8000-000000000009"); // a token for another API
    let t = s.sign_claims(&c).unwrap();
    assert_eq!(
        a.validate(&t).await.map(|_| ()),
        invalid(ValidationError::AudienceNotAllowed)
    );
}

#[tokio::test]
async fn other_issuer_and_other_tenant_refused() {
    let s = signer("k1");
    let a = fixed(&s, opts());
    let mut c = app_claims(ISS);
    c["iss"] = json!("https://login.example/99999999-9999-9999-9999-999999999999/v2.0");
    c["tid"] = json!("99999999-9999-9999-9999-999999999999");
    let t = s.sign_claims(&c).unwrap();
    assert_eq!(
        a.validate(&t).await.map(|_| ()),
        invalid(ValidationError::IssuerNotAllowed)
    );

    // Multi-tenant API: template issuer plus an allow-list of tenants.
    let mt = {
        let mut keys = KeySet::new();
        keys.insert_jwk(&s.public_jwk()).unwrap();
        let o = AuthnOptions::jwks("https://unused.example", "unused")
            .issuer_template("https://login.example/{tenantid}/v2.0")
            .allowed_tenants([TENANT.to_uppercase()])
            .audience(API_APP_ID);
        Authn::with_keys(o, keys).unwrap()
    };
    assert_eq!(
        mt.validate(&t).await.map(|_| ()),
        invalid(ValidationError::ClaimValueNotAllowed("tid".into()))
    );
    let ok = s.sign_claims(&app_claims(ISS)).unwrap();
    mt.validate(&ok).await.unwrap();
}

#[tokio::test]
async fn expired_and_future_tokens_refused_by_the_injected_clock() {
    let s = signer("k1");
    let clock = Arc::new(FixedClock::at(UnixTime::from_secs(
        u64::try_from(now()).unwrap(),
    )));
    let a = fixed(&s, opts().clock(clock.clone()));
    let t = s.sign_claims(&app_claims(ISS)).unwrap();
    a.validate(&t).await.unwrap();
    // exp is one hour ahead; past it plus the 5 minute skew the token is refused.
    clock.advance(Duration::from_secs(3600 + 301));
    assert_eq!(
        a.validate(&t).await.map(|_| ()),
        invalid(ValidationError::Expired)
    );
    clock.set(UnixTime::from_secs(1_000));
    assert_eq!(
        a.validate(&t).await.map(|_| ()),
        invalid(ValidationError::NotYetValid)
    );
}

#[tokio::test]
async fn id_token_refused() {
    let s = signer("k1");
    let a = fixed(&s, opts());
    let t = s.sign_claims(&id_token_claims(ISS)).unwrap();
    assert_eq!(
        a.validate(&t).await.map(|_| ()),
        invalid(ValidationError::WrongTokenType)
    );
}

#[tokio::test]
async fn unknown_signer_and_tampering_refused() {
    let s = signer("k1");
    let a = fixed(&s, opts());
    let other = signer("k1"); // same kid, different key
    let t = other.sign_claims(&app_claims(ISS)).unwrap();
    assert_eq!(
        a.validate(&t).await.map(|_| ()),
        invalid(ValidationError::InvalidSignature)
    );
    let t = signer("k9").sign_claims(&app_claims(ISS)).unwrap();
    assert_eq!(
        a.validate(&t).await.map(|_| ()),
        invalid(ValidationError::KeyNotFound)
    );
}

#[tokio::test]
async fn guards_distinguish_app_and_delegated_tokens() {
    let s = signer("k1");
    let a = fixed(&s, opts());
    let app = a
        .validate(&s.sign_claims(&app_claims(ISS)).unwrap())
        .await
        .unwrap();
    let user = a
        .validate(
            &s.sign_claims(&user_claims(ISS, "Fraud.Read Other"))
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(!user.is_app_only());
    assert_eq!(user.scopes().collect::<Vec<_>>(), ["Fraud.Read", "Other"]);

    let scope = Requirement::scopes(["Fraud.Read"]);
    let role = Requirement::app_roles(["Fraud.Scan"]);
    let either = Requirement::scopes(["Fraud.Read"]).or_app_roles(["Fraud.Scan"]);
    assert_eq!(scope.check(&user), Ok(()));
    assert_eq!(scope.check(&app), Err(AuthError::InsufficientScope));
    assert_eq!(role.check(&app), Ok(()));
    assert_eq!(role.check(&user), Err(AuthError::InsufficientScope));
    assert_eq!(either.check(&app), Ok(()));
    assert_eq!(either.check(&user), Ok(()));
    assert_eq!(
        Requirement::app_roles(["Fraud.Admin"]).check(&app),
        Err(AuthError::InsufficientScope)
    );
    assert_eq!(
        Requirement::default().check(&app),
        Err(AuthError::InsufficientScope)
    );

    // An app token that also carries `scp` is still app-only: it cannot pass a scope guard.
    let mut c = app_claims(ISS);
    c["scp"] = json!("Fraud.Read");
    let sneaky = a.validate(&s.sign_claims(&c).unwrap()).await.unwrap();
    assert_eq!(scope.check(&sneaky), Err(AuthError::InsufficientScope));
}

#[test]
fn configuration_requires_audience_and_issuer() {
    let e = Authn::with_keys(AuthnOptions::jwks(ISS, "x"), KeySet::new()).unwrap_err();
    assert!(matches!(e, sigil_authn::ConfigError::NoAudience), "{e}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let _g = rt.enter();
    let e = Authn::new(
        AuthnOptions::authority("https://h/t").audience(API),
        reqwest::Client::new(),
    );
    assert!(e.is_ok(), "discovery supplies the issuer");
}
