//! One or more tests per validation rule; each fails if its rule is removed.

use serde_json::json;
use sigil_crypto::{HmacKey, VerifyingKey};
use sigil_jose::base64url::encode;
use sigil_jose::{
    Algorithm, Claims, KeyKind, KeySet, Limits, Malformed, TokenKind, ValidationError as E,
    Validator,
};

use crate::common::*;

fn rsa() -> sigil_jose::Signer {
    signer(KeyKind::Rsa2048)
}

#[test]
fn valid_entra_access_token_round_trips_for_every_signing_alg() {
    for kind in [KeyKind::Rsa2048, KeyKind::P256, KeyKind::Ed25519] {
        let s = signer(kind);
        let token = s.sign_claims(&access_claims()).unwrap();
        let v = default_validator(&s).validate(&token, now()).unwrap();
        assert_eq!(v.claims().tid.as_deref(), Some(TID));
        assert_eq!(v.header().kid.as_deref(), Some(s.kid()));
        assert_eq!(v.header().typ.as_deref(), Some("JWT"));
        assert_eq!(v.alg(), s.alg());
        let c: Claims = v.into_claims();
        assert_eq!(c.ver.as_deref(), Some("2.0"));
    }
}

#[test]
fn alg_none_and_unknown_algs_rejected() {
    let h = encode(br#"{"alg":"none","kid":"kid-Rsa2048"}"#);
    let p = encode(access_claims().to_string().as_bytes());
    let v = default_validator(&rsa());
    assert_eq!(
        v.validate(&format!("{h}.{p}."), now()).unwrap_err(),
        E::Malformed(Malformed::Structure)
    );
    assert_eq!(
        v.validate(&format!("{h}.{p}.AAAA"), now()).unwrap_err(),
        E::UnsupportedAlgorithm
    );
    let h = encode(br#"{"alg":"ES512","kid":"kid-Rsa2048"}"#);
    assert_eq!(
        v.validate(&format!("{h}.{p}.AAAA"), now()).unwrap_err(),
        E::UnsupportedAlgorithm
    );
}

#[test]
fn hs256_with_the_rsa_public_key_as_secret_is_rejected() {
    // Classic confusion: sign HS256 with the bytes of the RSA public key (here its JWK JSON
    // and its modulus), hoping the verifier uses them as an HMAC secret.
    let s = rsa();
    let jwk = s.public_jwk();
    for secret in [
        jwk.to_json().into_bytes(),
        sigil_jose::base64url::decode(jwk.n.as_deref().unwrap()).unwrap(),
    ] {
        let k = HmacKey::new(secret).unwrap();
        let input = format!(
            "{}.{}",
            encode(br#"{"alg":"HS256","kid":"kid-Rsa2048"}"#),
            encode(access_claims().to_string().as_bytes())
        );
        let tag = k.sign(Algorithm::HS256, input.as_bytes()).unwrap();
        let token = format!("{input}.{}", encode(&tag));
        // Even with HS256 on the allow-list, the RSA key cannot verify it.
        let v = validator(options().algorithms(&Algorithm::ALL), &[&s]);
        assert_eq!(
            v.validate(&token, now()).unwrap_err(),
            E::KeyAlgorithmMismatch(Algorithm::HS256)
        );
        // And by default HS256 is not even allowed.
        assert_eq!(
            default_validator(&s).validate(&token, now()).unwrap_err(),
            E::AlgorithmNotAllowed(Algorithm::HS256)
        );
    }
}

#[test]
fn hs256_works_only_with_a_configured_symmetric_key() {
    let secret = vec![42u8; 32];
    let mut ks = KeySet::new();
    ks.insert(
        Some("sym".into()),
        None,
        VerifyingKey::from_hmac(HmacKey::new(secret.clone()).unwrap()),
    )
    .unwrap();
    let input = format!(
        "{}.{}",
        encode(br#"{"alg":"HS256","kid":"sym"}"#),
        encode(access_claims().to_string().as_bytes())
    );
    let tag = HmacKey::new(secret)
        .unwrap()
        .sign(Algorithm::HS256, input.as_bytes())
        .unwrap();
    let token = format!("{input}.{}", encode(&tag));
    let v = Validator::new(options().algorithms(&[Algorithm::HS256]), ks.clone()).unwrap();
    assert!(v.validate(&token, now()).is_ok());
    let v = Validator::new(options(), ks).unwrap();
    assert_eq!(
        v.validate(&token, now()).unwrap_err(),
        E::AlgorithmNotAllowed(Algorithm::HS256)
    );
}

#[test]
fn key_family_binding_ps256_vs_es256() {
    let ec = signer(KeyKind::P256);
    let r = rsa();
    // An RS256 token whose kid names the EC key.
    let token = sign_raw(
        &rsa_key(),
        Algorithm::RS256,
        &format!(r#"{{"alg":"RS256","kid":"{}"}}"#, ec.kid()),
        &access_claims().to_string(),
    );
    let v = validator(options(), &[&ec, &r]);
    assert_eq!(
        v.validate(&token, now()).unwrap_err(),
        E::KeyAlgorithmMismatch(Algorithm::RS256)
    );
}

#[test]
fn jwk_alg_member_restricts_the_key() {
    let s = rsa(); // JWK published with alg RS256
    let token = sign_raw(
        &rsa_key(),
        Algorithm::PS256,
        r#"{"alg":"PS256","kid":"kid-Rsa2048"}"#,
        &access_claims().to_string(),
    );
    assert_eq!(
        default_validator(&s).validate(&token, now()).unwrap_err(),
        E::KeyAlgorithmMismatch(Algorithm::PS256)
    );
    // Without the alg member the same key accepts PS256.
    let mut jwk = s.public_jwk();
    jwk.alg = None;
    let mut ks = KeySet::new();
    ks.insert_jwk(&jwk).unwrap();
    assert!(
        Validator::new(options(), ks)
            .unwrap()
            .validate(&token, now())
            .is_ok()
    );
}

#[test]
fn embedded_jwk_jku_x5c_are_never_trusted() {
    let attacker = signer(KeyKind::P256);
    let jwk = attacker.public_jwk();
    for extra in [
        format!(r#""jwk":{}"#, jwk.to_json()),
        r#""jku":"https://attacker.example/keys""#.to_string(),
        r#""x5u":"https://attacker.example/cert""#.to_string(),
    ] {
        let h = format!(r#"{{"alg":"ES256","kid":"{}",{extra}}}"#, attacker.kid());
        let token = sign_raw(
            attacker_key(&attacker),
            Algorithm::ES256,
            &h,
            &access_claims().to_string(),
        );
        assert_eq!(
            default_validator(&rsa())
                .validate(&token, now())
                .unwrap_err(),
            E::KeyNotFound
        );
    }
    fn attacker_key(_: &sigil_jose::Signer) -> &sigil_jose::SigningKey {
        // Signing key is irrelevant: the kid is unknown, so no verification even starts.
        static K: std::sync::OnceLock<sigil_jose::SigningKey> = std::sync::OnceLock::new();
        K.get_or_init(|| sigil_jose::SigningKey::generate(KeyKind::P256).unwrap())
    }
}

#[test]
fn unknown_kid_is_not_found_and_missing_kid_tries_trusted_keys_only() {
    let s = rsa();
    let other = signer(KeyKind::P256);
    let token = sign_raw(
        &rsa_key(),
        Algorithm::RS256,
        r#"{"alg":"RS256","kid":"nope"}"#,
        &access_claims().to_string(),
    );
    assert_eq!(
        default_validator(&s).validate(&token, now()).unwrap_err(),
        E::KeyNotFound
    );
    let token = sign_raw(
        &rsa_key(),
        Algorithm::RS256,
        r#"{"alg":"RS256"}"#,
        &access_claims().to_string(),
    );
    assert!(default_validator(&s).validate(&token, now()).is_ok());
    assert_eq!(
        default_validator(&other)
            .validate(&token, now())
            .unwrap_err(),
        E::KeyNotFound
    );
}

#[test]
fn crit_rejected() {
    let token = sign_raw(
        &rsa_key(),
        Algorithm::RS256,
        r#"{"alg":"RS256","kid":"kid-Rsa2048","crit":["exp"],"exp":1}"#,
        &access_claims().to_string(),
    );
    assert_eq!(
        default_validator(&rsa())
            .validate(&token, now())
            .unwrap_err(),
        E::UnsupportedCritical
    );
}

#[test]
fn typ_and_token_kind_rules() {
    let s = rsa();
    let at = s.sign_claims(&access_claims()).unwrap();
    let mut id = access_claims();
    let o = id.as_object_mut().unwrap();
    o.remove("scp");
    o.insert("nonce".into(), json!("n-0S6_WzA2Mj"));
    let id = s.sign_claims(&id).unwrap();

    let want_at = validator(kind(TokenKind::AccessToken), &[&s]);
    let want_id = validator(kind(TokenKind::IdToken), &[&s]);
    assert!(want_at.validate(&at, now()).is_ok());
    assert!(want_id.validate(&id, now()).is_ok());
    assert_eq!(want_at.validate(&id, now()).unwrap_err(), E::WrongTokenType);
    assert_eq!(want_id.validate(&at, now()).unwrap_err(), E::WrongTokenType);
    // Any: both pass (APIM behaviour).
    assert!(default_validator(&s).validate(&id, now()).is_ok());

    // An id token without nonce is still not an access token: it has neither scp nor roles.
    let mut bare = access_claims();
    bare.as_object_mut().unwrap().remove("scp");
    let bare = s.sign_claims(&bare).unwrap();
    assert_eq!(
        want_at.validate(&bare, now()).unwrap_err(),
        E::WrongTokenType
    );
    assert!(
        validator(
            kind(TokenKind::AccessToken).allow_acl_access_tokens(true),
            &[&s]
        )
        .validate(&bare, now())
        .is_ok()
    );

    // typ at+jwt (RFC 9068) is an access token and never an id token.
    let at_jwt = s
        .clone()
        .with_typ("at+jwt")
        .sign_claims(&access_claims())
        .unwrap();
    assert!(want_at.validate(&at_jwt, now()).is_ok());
    assert_eq!(
        want_id.validate(&at_jwt, now()).unwrap_err(),
        E::WrongTokenType
    );
    // Some other typ is neither.
    let other = s
        .clone()
        .with_typ("dpop+jwt")
        .sign_claims(&access_claims())
        .unwrap();
    assert_eq!(
        want_at.validate(&other, now()).unwrap_err(),
        E::WrongTokenType
    );
}

#[test]
fn issuer_exact_and_tenant_template() {
    let s = rsa();
    let token = s.sign_claims(&access_claims()).unwrap();
    let v = validator(
        ValidationOptions::new()
            .issuer("https://other/")
            .audience(AUD),
        &[&s],
    );
    assert_eq!(v.validate(&token, now()).unwrap_err(), E::IssuerNotAllowed);

    let templ = || {
        ValidationOptions::new()
            .issuer_template("https://login.microsoftonline.com/{tenantid}/v2.0")
            .unwrap()
            .audience(AUD)
    };
    assert!(validator(templ(), &[&s]).validate(&token, now()).is_ok());
    // iss names another tenant than tid.
    let mut c = access_claims();
    c["tid"] = json!("00000000-0000-0000-0000-000000000000");
    let forged = s.sign_claims(&c).unwrap();
    assert_eq!(
        validator(templ(), &[&s])
            .validate(&forged, now())
            .unwrap_err(),
        E::IssuerNotAllowed
    );
    // No tid at all.
    c.as_object_mut().unwrap().remove("tid");
    let no_tid = s.sign_claims(&c).unwrap();
    assert_eq!(
        validator(templ(), &[&s])
            .validate(&no_tid, now())
            .unwrap_err(),
        E::MissingClaim("tid")
    );
    assert!(
        ValidationOptions::new()
            .issuer_template("https://x/")
            .is_err()
    );
}

use sigil_jose::ValidationOptions;

#[test]
fn audience_string_or_array() {
    let s = rsa();
    let mut c = access_claims();
    c["aud"] = json!(["api://other", AUD]);
    assert!(
        default_validator(&s)
            .validate(&s.sign_claims(&c).unwrap(), now())
            .is_ok()
    );
    c["aud"] = json!(["api://other"]);
    assert_eq!(
        default_validator(&s)
            .validate(&s.sign_claims(&c).unwrap(), now())
            .unwrap_err(),
        E::AudienceNotAllowed
    );
    c["aud"] = json!("api://other");
    assert_eq!(
        default_validator(&s)
            .validate(&s.sign_claims(&c).unwrap(), now())
            .unwrap_err(),
        E::AudienceNotAllowed
    );
    assert!(
        Validator::new(ValidationOptions::new().issuer(ISS), KeySet::new()).is_err(),
        "no audience configured"
    );
}

#[test]
fn exp_required_and_times_with_skew() {
    let s = rsa();
    let v = default_validator(&s);
    let v0 = validator(options().skew(skew(0)), &[&s]);
    let mut c = access_claims();
    c.as_object_mut().unwrap().remove("exp");
    assert_eq!(
        v.validate(&s.sign_claims(&c).unwrap(), now()).unwrap_err(),
        E::MissingClaim("exp")
    );
    assert!(
        validator(options().require_exp(false), &[&s])
            .validate(&s.sign_claims(&c).unwrap(), now())
            .is_ok()
    );

    // Expired 100 s ago: inside the default 5 min skew, outside skew 0.
    c["exp"] = json!(NOW - 100);
    let t = s.sign_claims(&c).unwrap();
    assert!(v.validate(&t, now()).is_ok());
    assert_eq!(v0.validate(&t, now()).unwrap_err(), E::Expired);
    c["exp"] = json!(NOW - 301);
    assert_eq!(
        v.validate(&s.sign_claims(&c).unwrap(), now()).unwrap_err(),
        E::Expired
    );
    c["exp"] = json!(NOW); // now == exp is expired (RFC 7519)
    assert_eq!(
        v0.validate(&s.sign_claims(&c).unwrap(), now()).unwrap_err(),
        E::Expired
    );
    c["exp"] = json!(NOW as f64 + 0.5);
    assert_eq!(
        v0.validate(&s.sign_claims(&c).unwrap(), now()).unwrap_err(),
        E::Expired,
        "floats truncate toward the safe side"
    );
    c["exp"] = json!(NOW as f64 + 10.5);
    assert!(
        v0.validate(&s.sign_claims(&c).unwrap(), now()).is_ok(),
        "float exp accepted"
    );

    let mut c = access_claims();
    c["nbf"] = json!(NOW + 100);
    let t = s.sign_claims(&c).unwrap();
    assert!(v.validate(&t, now()).is_ok());
    assert_eq!(v0.validate(&t, now()).unwrap_err(), E::NotYetValid);
    let mut c = access_claims();
    c["iat"] = json!(NOW + 400);
    assert_eq!(
        v.validate(&s.sign_claims(&c).unwrap(), now()).unwrap_err(),
        E::IssuedInFuture
    );
}

#[test]
fn duplicate_members_rejected_in_header_and_payload() {
    let s = rsa();
    let body = access_claims().to_string();
    let dup_payload = body.replacen('{', r#"{"aud":"api://attacker","#, 1);
    let t = sign_raw(
        &rsa_key(),
        Algorithm::RS256,
        r#"{"alg":"RS256","kid":"kid-Rsa2048"}"#,
        &dup_payload,
    );
    assert_eq!(
        default_validator(&s).validate(&t, now()).unwrap_err(),
        E::Malformed(Malformed::DuplicateMember)
    );
    let t = sign_raw(
        &rsa_key(),
        Algorithm::RS256,
        r#"{"alg":"RS256","kid":"kid-Rsa2048","kid":"kid-Rsa2048"}"#,
        &body,
    );
    assert_eq!(
        default_validator(&s).validate(&t, now()).unwrap_err(),
        E::Malformed(Malformed::DuplicateMember)
    );
}

#[test]
fn non_canonical_base64url_rejected() {
    let s = rsa();
    let token = s.sign_claims(&access_claims()).unwrap();
    let v = default_validator(&s);
    let parts: Vec<&str> = token.split('.').collect();
    for bad in [
        format!("{}=.{}.{}", parts[0], parts[1], parts[2]),
        format!("{}.{}==.{}", parts[0], parts[1], parts[2]),
        format!("{}.{}.{}=", parts[0], parts[1], parts[2]),
        format!("{} .{}.{}", parts[0], parts[1], parts[2]),
    ] {
        assert!(v.validate(&bad, now()).is_err(), "{bad}");
    }
    // The standard alphabet is not base64url.
    let std_alpha = parts[2].replace('-', "+").replace('_', "/");
    if std_alpha != parts[2] {
        let bad = format!("{}.{}.{std_alpha}", parts[0], parts[1]);
        assert_eq!(
            v.validate(&bad, now()).unwrap_err(),
            E::Malformed(Malformed::Base64)
        );
    }
    // Set a trailing unused bit in the signature's last character.
    let sig = parts[2];
    let last = sig.chars().last().unwrap();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let idx = alphabet.find(last).unwrap();
    let tweaked = alphabet.chars().nth(idx ^ 1).unwrap();
    let bad = format!(
        "{}.{}.{}{tweaked}",
        parts[0],
        parts[1],
        &sig[..sig.len() - 1]
    );
    assert_eq!(
        v.validate(&bad, now()).unwrap_err(),
        E::Malformed(Malformed::Base64)
    );
}

#[test]
fn size_limits() {
    let s = rsa();
    let mut c = access_claims();
    c["groups"] = json!(vec!["0b5b2b6e-5e9c-4b4f-9e3a-1f1f1f1f1f1f"; 400]);
    let big = s.sign_claims(&c).unwrap();
    assert_eq!(
        default_validator(&s).validate(&big, now()).unwrap_err(),
        E::Malformed(Malformed::TokenTooLarge)
    );
    let small = Limits {
        max_token_len: 64 * 1024,
        max_header_len: 1024,
        max_payload_len: 1024,
    };
    let t = s.sign_claims(&access_claims()).unwrap();
    assert!(
        validator(options().limits(small), &[&s])
            .validate(&t, now())
            .is_ok()
    );
    let tiny = Limits {
        max_payload_len: 100,
        ..small
    };
    assert_eq!(
        validator(options().limits(tiny), &[&s])
            .validate(&t, now())
            .unwrap_err(),
        E::Malformed(Malformed::PayloadTooLarge)
    );
    let h = encode(
        format!(
            r#"{{"alg":"RS256","kid":"kid-Rsa2048","pad":"{}"}}"#,
            "x".repeat(1000)
        )
        .as_bytes(),
    );
    let t = format!("{h}.{}.AAAA", encode(b"{}"));
    assert_eq!(
        default_validator(&s).validate(&t, now()).unwrap_err(),
        E::Malformed(Malformed::HeaderTooLarge)
    );
}

#[test]
fn required_claims_hook() {
    let s = rsa();
    let opts = options().check(|c| {
        if !c.has("oid") {
            return Err(E::RequiredClaimMissing("oid".into()));
        }
        if c.scopes().any(|x| x == "access_as_user") {
            Ok(())
        } else {
            Err(E::ClaimValueNotAllowed("scp".into()))
        }
    });
    let v = validator(opts, &[&s]);
    assert!(
        v.validate(&s.sign_claims(&access_claims()).unwrap(), now())
            .is_ok()
    );
    let mut c = access_claims();
    c["scp"] = json!("other");
    let e = v.validate(&s.sign_claims(&c).unwrap(), now()).unwrap_err();
    assert_eq!(e.apim_reason(), "TokenClaimValueNotAllowed");
}

#[test]
fn weak_rsa_keys_rejected_including_roca() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/testvectors/wycheproof/testvectors_v1/json_web_key_test.json"),
    )
    .unwrap();
    let d: serde_json::Value = serde_json::from_str(&text).unwrap();
    let group = |name: &str| {
        d["testGroups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["comment"] == name)
            .unwrap()["private"]["keys"][0]
            .clone()
    };
    let n =
        |g: &serde_json::Value| sigil_jose::base64url::decode(g["n"].as_str().unwrap()).unwrap();
    assert!(sigil_crypto::has_roca_fingerprint(&n(&group(
        "jws_rsa_roca_key"
    ))));
    assert!(!sigil_crypto::has_roca_fingerprint(&n(&group(
        "exponentOne"
    ))));
    for name in ["jws_rsa_roca_key", "keysize_too_small", "exponentOne"] {
        let g = group(name);
        let jwk = sigil_jose::Jwk::parse(g.to_string().as_bytes()).unwrap();
        assert!(jwk.verifying_key().is_err(), "{name}");
    }
}

#[test]
fn x5t_header_from_attached_certificate() {
    let s = rsa().with_certificate(b"pretend DER");
    let v = default_validator(&s)
        .validate(&s.sign_claims(&access_claims()).unwrap(), now())
        .unwrap();
    assert_eq!(
        v.header().x5t.as_deref(),
        Some(encode(&sigil_crypto::sha1(b"pretend DER")).as_str())
    );
}

#[test]
fn errors_map_to_apim_and_rfc6750() {
    let s = rsa();
    let mut c = access_claims();
    c["exp"] = json!(NOW - 1000);
    let e = default_validator(&s)
        .validate(&s.sign_claims(&c).unwrap(), now())
        .unwrap_err();
    assert_eq!(
        (e.apim_reason(), e.rfc6750_error(), e.rfc6750_description()),
        ("TokenExpired", "invalid_token", "The token expired")
    );
}
