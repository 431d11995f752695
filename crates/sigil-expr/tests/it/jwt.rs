//! `AsJwt()` / `TryParseJwt()` and the `Jwt` members.

use serde_json::json;
use sigil_expr::testing::MapContext;

use crate::support::{ev_in, jwt, s_in};

fn ctx() -> MapContext {
    let t = jwt(&json!({
        "sub": "user-1", "iss": "https://login.example/tid/v2.0", "aud": ["api://a", "api://b"],
        "tid": "tenant-1", "roles": ["Fraud.Scan", "Api.Reader"], "exp": 1704070800, "jti": "j1", "scp": "api.read api.write"
    }));
    MapContext::new().with_request_header("Authorization", &format!("Bearer {t}"))
}

#[test]
fn claims_and_properties() {
    let c = ctx();
    let h = r#"context.Request.Headers.GetValueOrDefault("Authorization","")"#;
    let cases: Vec<(String, &str)> = vec![
        (format!("@({h}.AsJwt().Subject)"), "user-1"),
        (
            format!("@({h}.AsJwt()?.Claims[\"tid\"].First())"),
            "tenant-1",
        ),
        (
            format!("@({h}.AsJwt().Claims.GetValueOrDefault(\"tid\", \"\"))"),
            "tenant-1",
        ),
        (
            format!("@({h}.AsJwt().Claims.GetValueOrDefault(\"nope\", \"dflt\"))"),
            "dflt",
        ),
        (
            format!("@({h}.AsJwt().Claims[\"roles\"].Contains(\"Fraud.Scan\"))"),
            "True",
        ),
        (
            format!(
                "@({h}.AsJwt().Claims.GetValueOrDefault(\"scp\", \"\").Split(' ').Contains(\"api.write\"))"
            ),
            "True",
        ),
        (format!("@({h}.AsJwt().Audiences.Length)"), "2"),
        (
            format!("@({h}.AsJwt().ExpirationTime.Value > DateTime.UtcNow)"),
            "True",
        ),
        (
            format!("@({h}.AsJwt().ExpirationTime > DateTime.UtcNow)"),
            "True",
        ),
        (
            format!("@({h}.AsJwt().Id + {h}.AsJwt().Algorithm)"),
            "j1RS256",
        ),
        (
            format!(
                "@{{ Jwt jwt; if ({h}.TryParseJwt(out jwt)) {{ return jwt.Issuer; }} return \"bad\"; }}"
            ),
            "https://login.example/tid/v2.0",
        ),
        ("@(\"garbage\".AsJwt() == null)".to_string(), "True"),
        (
            "@{ if (\"garbage\".TryParseJwt(out var j)) return \"ok\"; return \"bad\"; }"
                .to_string(),
            "bad",
        ),
    ];
    for (src, want) in &cases {
        assert_eq!(s_in(&c, src), *want, "{src}");
    }
}

#[test]
fn validate_jwt_output_variable() {
    let token = jwt(&json!({"group": ["finance", "ops"]}));
    let parsed = sigil_expr::Jwt::parse(&token).unwrap();
    let c =
        MapContext::new().with_variable("jwt", sigil_expr::Value::Jwt(std::sync::Arc::new(parsed)));
    assert_eq!(
        s_in(
            &c,
            r#"@(((Jwt)context.Variables["jwt"]).Claims["group"].Contains("finance"))"#
        ),
        "True"
    );
    assert!(ev_in(&c, r#"@(((Jwt)context.Variables["jwt"]).Subject)"#).is_null());
}
