//! Every expression from shared/seeds/002 and shared/reference/apim-policies.md, as written.

use serde_json::json;
use sigil_expr::testing::MapContext;
use sigil_expr::{ExpectedType, Presence, Property, UrlKind, compile, parse};

use crate::support::{ev_in, eval_err, jwt, s_in};

fn compiled(src: &str, t: ExpectedType) -> sigil_expr::Compiled {
    let p = parse(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    compile(&p, t).unwrap_or_else(|e| panic!("{src}: {e}"))
}

#[test]
fn seed_multi_tenant_choose() {
    let src = r#"@(context.Variables.GetValueOrDefault("tenant") == "contoso")"#;
    let c = compiled(src, ExpectedType::Bool);
    assert_eq!(
        c.eval(&MapContext::new().with_variable("tenant", "contoso"))
            .unwrap()
            .as_bool(),
        Some(true)
    );
    assert_eq!(
        c.eval(&MapContext::new().with_variable("tenant", "fabrikam"))
            .unwrap()
            .as_bool(),
        Some(false)
    );
    assert_eq!(c.eval(&MapContext::new()).unwrap().as_bool(), Some(false));
}

#[test]
fn seed_rate_limit_by_tid_claim() {
    // As written in the seed (the line break inside the attribute included).
    let src = "@(context.Request.Headers.GetValueOrDefault(\"Authorization\",\"\")\n.AsJwt()?.Claims[\"tid\"])";
    let c = compiled(src, ExpectedType::String);
    let token = jwt(&json!({"tid": "tenant-1"}));
    let ctx = MapContext::new().with_request_header("Authorization", &format!("Bearer {token}"));
    // Claims[...] is a string[]; APIM turns a non-string counter-key with .NET ToString(), so the
    // seed's key is the same for every tenant. Faithful, and worth knowing.
    assert_eq!(c.eval(&ctx).unwrap().as_str(), Some("System.String[]"));
    // No token: `?.` makes the whole chain null.
    assert!(c.eval(&MapContext::new()).unwrap().is_null());
    // What the author meant:
    let fixed = compiled(
        r#"@(context.Request.Headers.GetValueOrDefault("Authorization","").AsJwt()?.Claims.GetValueOrDefault("tid", ""))"#,
        ExpectedType::String,
    );
    assert_eq!(fixed.eval(&ctx).unwrap().as_str(), Some("tenant-1"));
}

#[test]
fn seed_context_principal_is_rejected_at_load_time() {
    // APIM has no `context.Principal` (apim-policies.md §1.4), so these seed lines must fail
    // loudly at load time instead of silently producing nothing.
    for src in [
        r#"@($"{context.Request.IpAddress}-{context.Principal.Claims.GetValueOrDefault("oid")}")"#,
        r#"@(context.Principal.Claims.GetValueOrDefault("tid"))"#,
    ] {
        let e = compile(&parse(src).unwrap(), ExpectedType::String).unwrap_err();
        assert!(
            e.message.contains("'IProxyRequestContext.Principal'"),
            "{}",
            e.message
        );
    }
}

#[test]
fn seed_subscription_routing() {
    let src = r#"@(context.Subscription.Id == "subs-gold-123")"#;
    let c = compiled(src, ExpectedType::Bool);
    let ctx = MapContext::new().with_property(Property::SubscriptionId, "subs-gold-123");
    assert_eq!(c.eval(&ctx).unwrap().as_bool(), Some(true));
    // The seed's text has `\"` (a C# escape outside a string, itself broken XML): a clear error.
    let e = parse(r#"@(context.Subscription.Id == \"subs-gold-123\")"#).unwrap_err();
    assert_eq!(e.offset, 29);
    assert!(
        e.message.contains("unexpected character '\\'"),
        "{}",
        e.message
    );
}

#[test]
fn seed_tenant_db_block() {
    let src = r#"@{
    if (context.Subscription.Id == "subs-tenant-a")
    return "TenantADB";
    if (context.Subscription.Id == "subs-tenant-b")
    return "TenantBDB";
    return "DefaultDB";
    }"#;
    let c = compiled(src, ExpectedType::String);
    for (id, want) in [
        ("subs-tenant-a", "TenantADB"),
        ("subs-tenant-b", "TenantBDB"),
        ("other", "DefaultDB"),
    ] {
        let ctx = MapContext::new().with_property(Property::SubscriptionId, id);
        assert_eq!(c.eval(&ctx).unwrap().as_str(), Some(want));
    }
    let anon = MapContext::new().without(Presence::Subscription);
    assert_eq!(c.eval(&anon).unwrap_err().kind, "NullReferenceException");
}

#[test]
fn seed_log_masking_block() {
    let src = r#"@{
    var body = context.Request.Body.As<string>();
    body = Regex.Replace(body, "\"ssn\":\\s*\"[^\"]+\"", "\"ssn\":\"***\"");
    return $"{{ \"path\": \"{context.Request.Url.Path}\", \"body\": \"{body}\" }}";
    }"#;
    let c = compiled(src, ExpectedType::String);
    let ctx = MapContext::new()
        .with_property(Property::UrlPath(UrlKind::Current), "/orders")
        .with_request_body(r#"{"ssn": "123-45-6789","x":1}"#);
    assert_eq!(
        c.eval(&ctx).unwrap().as_str(),
        Some(r#"{ "path": "/orders", "body": "{"ssn":"***","x":1}" }"#)
    );
}

#[test]
fn seed_sql_injection_check() {
    // Unescaped form of the seed (its `\"` is broken XML, see seed_subscription_routing).
    let src = r#"@(
context.Request.Body.As<string>().Contains("--") ||
context.Request.Body.As<string>().Contains("; drop table") ||
context.Request.Body.As<string>().Contains(" or 1=1")
)"#;
    let c = compiled(src, ExpectedType::Bool);
    let hit = MapContext::new().with_request_body("name=x'--");
    assert_eq!(c.eval(&hit).unwrap().as_bool(), Some(true));
    // The seed reads the body three times without preserveContent: APIM consumed it on the
    // first read, so the second read sees null. Faithful: an evaluation error, not a silent pass.
    let clean = MapContext::new().with_request_body("name=x");
    assert_eq!(c.eval(&clean).unwrap_err().kind, "NullReferenceException");
}

#[test]
fn seed_xss_strip() {
    let src = r#"@(Regex.Replace(context.Request.Body.As<string>(), "<script.*?>.*?</script>", "", RegexOptions.IgnoreCase))"#;
    let c = compiled(src, ExpectedType::String);
    let ctx = MapContext::new().with_request_body("a<SCRIPT src=x>alert(1)</script>b");
    assert_eq!(c.eval(&ctx).unwrap().as_str(), Some("ab"));
}

#[test]
fn reference_doc_expressions() {
    let token = jwt(&json!({"sub": "u", "group": ["finance"]}));
    let basic = "Basic dXNlcjpwYXNz"; // user:pass
    let ctx = MapContext::new()
        .with_property(Property::ResponseStatusCode, 200i64)
        .with_request_header("Authorization", &format!("Bearer {token}"))
        .with_request_header("X-Basic", basic)
        .with_query("q", "v")
        .with_variable(
            "jwt",
            sigil_expr::Value::Jwt(std::sync::Arc::new(sigil_expr::Jwt::parse(&token).unwrap())),
        )
        .with_variable("n", 5i64)
        .with_request_body("{\"a\":1}");
    let cases: &[(&str, &str)] = &[
        ("@(context.Response.StatusCode == 200)", "True"),
        (
            r#"@(((Jwt)context.Variables["jwt"]).Claims["group"].Contains("finance"))"#,
            "True",
        ),
        (
            r#"@(context.Request.Headers.GetValueOrDefault("Authorization", "").StartsWith("Bearer "))"#,
            "True",
        ),
        (
            r#"@(context.Request.Url.Query.GetValueOrDefault("q", ""))"#,
            "v",
        ),
        (
            r#"@(context.Variables.GetValueOrDefault<int>("n", 0))"#,
            "5",
        ),
        (
            r#"@(context.Request.Body.As<JObject>(preserveContent: true)["a"])"#,
            "1",
        ),
        (
            r#"@(context.Request.Body.As<string>(preserveContent: false))"#,
            "{\"a\":1}",
        ),
        (
            r#"@(context.Request.Headers.GetValueOrDefault("Authorization", "").AsJwt().Subject)"#,
            "u",
        ),
        (
            r#"@{ Jwt t; return context.Request.Headers.GetValueOrDefault("Authorization", "").TryParseJwt(out t) ? t.Subject : "none"; }"#,
            "u",
        ),
        (
            r#"@(context.Request.Headers.GetValueOrDefault("X-Basic", "").AsBasic().Username)"#,
            "user",
        ),
        (
            r#"@{ BasicAuthCredentials c; return context.Request.Headers.GetValueOrDefault("X-Basic","").TryParseBasic(out c) ? c.Password : ""; }"#,
            "pass",
        ),
        (r#"@{ context.Trace("hit"); return true; }"#, "True"),
    ];
    for (src, want) in cases {
        assert_eq!(s_in(&ctx, src), *want, "{src}");
    }
    assert!(ev_in(&ctx, r#"@(context.LastError?.Message)"#).is_null());
    let _ = eval_err;
}
