//! `private_key_jwt` client assertions, shaped exactly as MSAL Python (RS256, padded `x5t`, float
//! times) and msal-node (PS256, `x5t#S256`) send them.

use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use sigil_core::{Clock, SystemClock};
use sigil_crypto::{Algorithm, SigningKey};
use sigil_testkit::TestSigil;

use crate::fixtures::{TENANT, fintech_yaml, payload};

const SCOPE: &str = "api://fraud-detector/.default";
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

struct Cert {
    pem: String,
    der: Vec<u8>,
    key: SigningKey,
}

fn rsa_cert() -> Cert {
    let kp = rcgen::KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048)
        .unwrap();
    let params = rcgen::CertificateParams::new(vec!["transaction-processor".into()]).unwrap();
    let cert = params.self_signed(&kp).unwrap();
    Cert {
        pem: cert.pem(),
        der: cert.der().to_vec(),
        key: SigningKey::from_pkcs8(&kp.serialize_der()).unwrap(),
    }
}

fn sign(key: &SigningKey, alg: Algorithm, header: &Value, claims: &Value) -> String {
    let h = URL_SAFE_NO_PAD.encode(serde_json::to_vec(header).unwrap());
    let p = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap());
    let msg = format!("{h}.{p}");
    let sig = key.sign(alg, msg.as_bytes()).unwrap();
    format!("{msg}.{}", URL_SAFE_NO_PAD.encode(sig))
}

struct Setup {
    sigil: TestSigil,
    tp: String,
    cert: Cert,
    token_url: String,
}

async fn setup() -> Setup {
    let cert = rsa_cert();
    let sigil = TestSigil::start().await;
    sigil.apply(&fintech_yaml(Some(&cert.pem))).await;
    let tp = sigil.app_id(TENANT, "FinTech-TransactionProcessor").await;
    let token_url = format!("{}/{TENANT}/oauth2/v2.0/token", sigil.idp_url());
    Setup {
        sigil,
        tp,
        cert,
        token_url,
    }
}

fn now() -> i64 {
    i64::try_from(SystemClock.now().as_secs()).unwrap()
}

fn claims(s: &Setup, aud: &str, exp_offset: i64) -> Value {
    json!({ "aud": aud, "iss": s.tp, "sub": s.tp, "jti": "5f3b1c7e-0000-4000-8000-000000000001",
            "nbf": now(), "iat": now(), "exp": now() + exp_offset })
}

async fn exchange(s: &Setup, assertion: &str) -> (u16, Value) {
    s.sigil
        .token_request(
            TENANT,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &s.tp),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", assertion),
                ("scope", SCOPE),
            ],
        )
        .await
}

fn x5t(der: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(sigil_crypto::sha1(der))
}

#[tokio::test]
async fn msal_python_shape_rs256_padded_x5t_float_times_and_reused_jti() {
    let s = setup().await;
    let header = json!({ "alg": "RS256", "typ": "JWT", "x5t": URL_SAFE.encode(sigil_crypto::sha1(&s.cert.der)) });
    let t = now() as f64 + 0.25;
    let c = json!({ "aud": s.token_url, "iss": s.tp, "sub": s.tp, "jti": "abc", "iat": t, "nbf": t, "exp": t + 600.0 });
    let a = sign(&s.cert.key, Algorithm::RS256, &header, &c);
    for attempt in 0..2 {
        let (status, body) = exchange(&s, &a).await;
        assert_eq!(status, 200, "attempt {attempt}: {body:#}");
        assert_eq!(
            payload(body["access_token"].as_str().unwrap())["azpacr"],
            "2"
        );
    }
    s.sigil.shutdown().await;
}

#[tokio::test]
async fn msal_node_shape_ps256_x5t_s256() {
    let s = setup().await;
    let header = json!({ "alg": "PS256", "typ": "JWT", "x5t#S256": URL_SAFE_NO_PAD.encode(sigil_crypto::sha256(&s.cert.der)) });
    let a = sign(
        &s.cert.key,
        Algorithm::PS256,
        &header,
        &claims(&s, &s.token_url, 600),
    );
    let (status, body) = exchange(&s, &a).await;
    assert_eq!(status, 200, "{body:#}");
    s.sigil.shutdown().await;
}

/// Both MSALs embed the certificate (`x5c`, ~1.5 KB) in the header; it is carried, never trusted.
#[tokio::test]
async fn x5c_in_header_is_accepted_but_not_trusted() {
    let s = setup().await;
    let x5c = base64::engine::general_purpose::STANDARD.encode(&s.cert.der);
    let header = json!({ "alg": "PS256", "typ": "JWT", "x5t#S256": URL_SAFE_NO_PAD.encode(sigil_crypto::sha256(&s.cert.der)), "x5c": [x5c] });
    let a = sign(
        &s.cert.key,
        Algorithm::PS256,
        &header,
        &claims(&s, &s.token_url, 600),
    );
    assert!(a.split('.').next().unwrap().len() > 1024);
    let (status, body) = exchange(&s, &a).await;
    assert_eq!(status, 200, "{body:#}");
    // An unregistered certificate in x5c does not help an attacker.
    let other = rsa_cert();
    let evil = json!({ "alg": "PS256", "x5c": [base64::engine::general_purpose::STANDARD.encode(&other.der)],
                       "x5t#S256": URL_SAFE_NO_PAD.encode(sigil_crypto::sha256(&other.der)) });
    let (status, _) = exchange(
        &s,
        &sign(
            &other.key,
            Algorithm::PS256,
            &evil,
            &claims(&s, &s.token_url, 600),
        ),
    )
    .await;
    assert_eq!(status, 401);
    s.sigil.shutdown().await;
}

#[tokio::test]
async fn refused_assertions() {
    let s = setup().await;
    let rs = |c: &Value| {
        sign(
            &s.cert.key,
            Algorithm::RS256,
            &json!({ "alg": "RS256", "x5t": x5t(&s.cert.der) }),
            c,
        )
    };
    let other = rsa_cert();
    let mut wrong_sub = claims(&s, &s.token_url, 600);
    wrong_sub["sub"] = json!("someone-else");
    let mut tampered = rs(&claims(&s, &s.token_url, 600));
    tampered.push('A');
    let cases = vec![
        ("expired", rs(&claims(&s, &s.token_url, -900)), 700024),
        (
            "exp too far ahead",
            rs(&claims(&s, &s.token_url, 48 * 3600)),
            700024,
        ),
        (
            "wrong audience",
            rs(&claims(&s, "https://elsewhere.example/token", 600)),
            700025,
        ),
        ("wrong subject", rs(&wrong_sub), 700021),
        (
            "unregistered cert",
            sign(
                &other.key,
                Algorithm::RS256,
                &json!({ "alg": "RS256", "x5t": x5t(&other.der) }),
                &claims(&s, &s.token_url, 600),
            ),
            700027,
        ),
        (
            "signed by another key",
            sign(
                &other.key,
                Algorithm::RS256,
                &json!({ "alg": "RS256", "x5t": x5t(&s.cert.der) }),
                &claims(&s, &s.token_url, 600),
            ),
            700027,
        ),
        (
            "no thumbprint",
            sign(
                &s.cert.key,
                Algorithm::RS256,
                &json!({ "alg": "RS256" }),
                &claims(&s, &s.token_url, 600),
            ),
            700027,
        ),
        ("tampered", tampered, 700027),
        ("not a jwt", "garbage".to_owned(), 50027),
    ];
    for (name, a, code) in cases {
        let (status, body) = exchange(&s, &a).await;
        assert_eq!(status, 401, "{name}: {body:#}");
        assert_eq!(body["error"], "invalid_client", "{name}");
        assert_eq!(body["error_codes"][0], code, "{name}: {body:#}");
    }
    s.sigil.shutdown().await;
}
