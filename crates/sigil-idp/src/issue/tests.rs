use std::sync::Arc;

use sigil_core::UnixTime;
use sigil_crypto::{KeyKind, SigningKey, SystemRandom};
use sigil_jose::{Algorithm, JwkSet, KeySet, Signer, TokenKind, ValidationOptions, Validator};

use super::*;
use crate::{CertCredential, ClientInfo, ErrorCode, ResourceInfo, Thumbprint};

const TID: &str = "11111111-1111-1111-1111-111111111111";
const NOW: u64 = 1_800_000_000;

/// A directory with one client (`tp`, secret "s3cret") and two resources.
struct Dir {
    assignment_required: bool,
    granted: bool,
    secret_expired: bool,
}

impl DirectoryView for Dir {
    fn tenant_id(&self, s: &str) -> Option<&str> {
        (s == TID || s.eq_ignore_ascii_case("fintech.example")).then_some(TID)
    }
    fn client(&self, _t: &str, app_id: &str) -> Option<ClientInfo<'_>> {
        (app_id == "tp-app").then_some(ClientInfo {
            app_id: "tp-app",
            sp_object_id: "tp-sp",
            display_name: "TP",
        })
    }
    fn check_secret(&self, _t: &str, _a: &str, presented: &str, _n: UnixTime) -> SecretCheck {
        match (presented == "s3cret", self.secret_expired) {
            (true, false) => SecretCheck::Valid,
            (true, true) => SecretCheck::Expired,
            _ => SecretCheck::Invalid,
        }
    }
    fn certificate(&self, _t: &str, _a: &str, _th: Thumbprint<'_>) -> Option<CertCredential<'_>> {
        None
    }
    fn resource(&self, _t: &str, id: &str) -> Option<ResourceInfo<'_>> {
        match id {
            "api://fraud-detector" | "fd-app" => Some(ResourceInfo {
                app_id: "fd-app",
                sp_object_id: "fd-sp",
                assignment_required: self.assignment_required,
                access_token_lifetime_secs: None,
            }),
            "api://short" => Some(ResourceInfo {
                app_id: "short-app",
                sp_object_id: "short-sp",
                assignment_required: false,
                access_token_lifetime_secs: Some(60),
            }),
            _ => None,
        }
    }
    fn granted_roles(&self, _t: &str, client: &str, resource: &str) -> Vec<&str> {
        if self.granted && client == "tp-sp" && resource == "fd-sp" {
            vec!["Fraud.Scan"]
        } else {
            vec![]
        }
    }
}

fn dir() -> Dir {
    Dir {
        assignment_required: true,
        granted: true,
        secret_expired: false,
    }
}

fn signer() -> Signer {
    let key = Arc::new(SigningKey::generate(KeyKind::Rsa2048).unwrap());
    Signer::new(key, Algorithm::RS256, "kid-1").unwrap()
}

fn req(secret: &str, scope: &str) -> TokenRequest {
    TokenRequest {
        grant: Grant::ClientCredentials {
            scope: scope.into(),
        },
        client: ClientAuth::Secret {
            client_id: "tp-app".into(),
            secret: secret.into(),
        },
    }
}

fn issue(d: &Dir, s: &Signer, tenant: &str, r: &TokenRequest) -> Result<TokenResponse, TokenError> {
    let ctx = IssueContext {
        base_url: "https://localhost:8443",
        tenant_segment: tenant,
        now: UnixTime::from_secs(NOW),
        signer: s,
        rng: &SystemRandom,
    };
    client_credentials(d, &ctx, r)
}

#[test]
fn issues_an_entra_v2_app_token_that_validates() {
    let s = signer();
    let resp = issue(
        &dir(),
        &s,
        "fintech.example",
        &req("s3cret", "api://fraud-detector/.default"),
    )
    .unwrap();
    assert_eq!(resp.token_type, "Bearer");
    assert!(
        (3600..=5400).contains(&resp.expires_in),
        "{}",
        resp.expires_in
    );
    assert_eq!(resp.scope, "api://fraud-detector/.default");

    let jwks = JwkSet {
        keys: vec![s.public_jwk()],
    };
    let opts = ValidationOptions::new()
        .issuer(format!("https://localhost:8443/{TID}/v2.0"))
        .audience("fd-app")
        .token_kind(TokenKind::AccessToken);
    let v = Validator::new(opts, KeySet::from_jwks(&jwks).unwrap()).unwrap();
    let verified = v
        .validate(&resp.access_token, UnixTime::from_secs(NOW + 10))
        .unwrap();
    let c = verified.claims();
    assert_eq!(c.tid.as_deref(), Some(TID));
    assert_eq!(c.azp.as_deref(), Some("tp-app"));
    assert_eq!(c.azpacr.as_deref(), Some("1"));
    assert_eq!(c.idtyp.as_deref(), Some("app"));
    assert_eq!(c.oid.as_deref(), Some("tp-sp"));
    assert_eq!(c.sub.as_deref(), Some("tp-sp"));
    assert_eq!(c.role_list(), ["Fraud.Scan"]);
    assert_eq!(c.ver.as_deref(), Some("2.0"));
    assert_eq!(c.uti.as_deref().map(str::len), Some(22));
    assert_eq!(verified.header().kid.as_deref(), Some("kid-1"));
    assert_eq!(verified.header().typ.as_deref(), Some("JWT"));
}

#[test]
fn wrong_and_expired_secrets() {
    let s = signer();
    let e = issue(
        &dir(),
        &s,
        TID,
        &req("nope", "api://fraud-detector/.default"),
    )
    .unwrap_err();
    assert_eq!(
        (e.code, e.aadsts, e.status),
        (ErrorCode::InvalidClient, 7000215, 401)
    );
    let expired = Dir {
        secret_expired: true,
        ..dir()
    };
    let e = issue(
        &expired,
        &s,
        TID,
        &req("s3cret", "api://fraud-detector/.default"),
    )
    .unwrap_err();
    assert_eq!(e.aadsts, 7000222);
}

#[test]
fn unknown_client_tenant_and_resource() {
    let s = signer();
    let mut r = req("s3cret", "api://fraud-detector/.default");
    r.client = ClientAuth::Secret {
        client_id: "nobody".into(),
        secret: "x".into(),
    };
    let e = issue(&dir(), &s, TID, &r).unwrap_err();
    assert_eq!((e.code, e.aadsts), (ErrorCode::UnauthorizedClient, 700016));
    let e = issue(
        &dir(),
        &s,
        "22222222-2222-2222-2222-222222222222",
        &req("s3cret", "x/.default"),
    )
    .unwrap_err();
    assert_eq!(e.aadsts, 90002);
    let e = issue(&dir(), &s, "common", &req("s3cret", "x/.default")).unwrap_err();
    assert_eq!(e.aadsts, 900023);
    let e = issue(&dir(), &s, TID, &req("s3cret", "api://nothing/.default")).unwrap_err();
    assert_eq!((e.code, e.aadsts), (ErrorCode::InvalidResource, 500011));
}

#[test]
fn scope_must_be_one_default_scope() {
    let s = signer();
    for bad in [
        "api://fraud-detector",
        "api://fraud-detector/Fraud.Read",
        "/.default",
        "a/.default b/.default",
        "",
    ] {
        let e = issue(&dir(), &s, TID, &req("s3cret", bad)).unwrap_err();
        assert_eq!(
            (e.code, e.aadsts),
            (ErrorCode::InvalidScope, 1002012),
            "{bad:?}"
        );
    }
}

#[test]
fn no_assignment_is_refused_unless_resource_opts_out() {
    let s = signer();
    let ungranted = Dir {
        granted: false,
        ..dir()
    };
    let e = issue(
        &ungranted,
        &s,
        TID,
        &req("s3cret", "api://fraud-detector/.default"),
    )
    .unwrap_err();
    assert_eq!((e.code, e.aadsts), (ErrorCode::InvalidGrant, 501051));
    let open = Dir {
        granted: false,
        assignment_required: false,
        secret_expired: false,
    };
    let ok = issue(
        &open,
        &s,
        TID,
        &req("s3cret", "api://fraud-detector/.default"),
    )
    .unwrap();
    let payload = ok.access_token.split('.').nth(1).unwrap();
    let json = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert!(!json.contains("\"roles\""), "{json}");
}

#[test]
fn configured_lifetime_is_clamped() {
    let s = signer();
    let r = issue(&dir(), &s, TID, &req("s3cret", "api://short/.default")).unwrap();
    assert_eq!(r.expires_in, 600);
}
