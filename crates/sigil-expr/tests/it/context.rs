//! The `context` object through `MapContext`.

use sigil_expr::testing::MapContext;
use sigil_expr::{Presence, Property, ResponseData, UrlKind, Value};

use crate::support::{ev_in, eval_err, s_in};

fn ctx() -> MapContext {
    MapContext::new()
        .with_request_header("X-Forwarded-For", "198.51.100.1")
        .with_request_header("Accept", "text/html")
        .with_request_header("Accept", "application/json")
        .with_query("page", "2")
        .with_matched("id", "42")
        .with_variable("tenant", "contoso")
        .with_variable("count", 3i64)
        .with_property(Property::SubscriptionId, "subs-gold-123")
        .with_property(Property::SubscriptionName, "Gold")
        .with_property(Property::ApiName, "orders")
        .with_property(Property::OperationMethod, "GET")
        .with_property(Property::UrlPath(UrlKind::Current), "/orders/42")
        .with_property(Property::ResponseStatusCode, 200i64)
        .with_property(Property::DeploymentRegion, "West Europe")
}

#[test]
fn headers_query_and_parameters() {
    let c = ctx();
    let cases: &[(&str, &str)] = &[
        (
            r#"@(context.Request.Headers.GetValueOrDefault("x-forwarded-for", ""))"#,
            "198.51.100.1",
        ),
        (
            r#"@(context.Request.Headers.GetValueOrDefault("Accept"))"#,
            "text/html,application/json",
        ),
        (
            r#"@(context.Request.Headers.GetValueOrDefault("Missing", "dflt"))"#,
            "dflt",
        ),
        (r#"@(context.Request.Headers["Accept"].Length)"#, "2"),
        (
            r#"@(context.Request.Headers.ContainsKey("accept"))"#,
            "True",
        ),
        (
            r#"@(context.Request.Headers.Any(h => h.Key == "Accept"))"#,
            "True",
        ),
        (
            r#"@(context.Request.Url.Query.GetValueOrDefault("page", "1"))"#,
            "2",
        ),
        (r#"@(context.Request.MatchedParameters["id"])"#, "42"),
        (
            r#"@(context.Request.MatchedParameters.GetValueOrDefault("nope", "x"))"#,
            "x",
        ),
        (r#"@(context.Request.Url.Path)"#, "/orders/42"),
        (
            r#"@(context.Request.Url.ToString())"#,
            "https://api.example.com/orders/42",
        ),
        (r#"@(context.Request.Method)"#, "GET"),
        (r#"@(context.Request.IpAddress)"#, "203.0.113.7"),
        (
            r#"@{ var req = context.Request; return req.Headers.GetValueOrDefault("Accept", "").Split(',')[1]; }"#,
            "application/json",
        ),
        (
            r#"@{ var n = 0; foreach (var h in context.Request.Headers) { n++; } return n; }"#,
            "2",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(s_in(&c, src), *want, "{src}");
    }
}

#[test]
fn variables() {
    let c = ctx();
    let cases: &[(&str, &str)] = &[
        (
            r#"@(context.Variables.GetValueOrDefault<string>("tenant"))"#,
            "contoso",
        ),
        (
            r#"@(context.Variables.GetValueOrDefault<string>("nope", "d"))"#,
            "d",
        ),
        (
            r#"@(context.Variables.GetValueOrDefault("tenant") == "contoso")"#,
            "True",
        ),
        (r#"@((string)context.Variables["tenant"])"#, "contoso"),
        (r#"@((int)context.Variables["count"] + 1)"#, "4"),
        (
            r#"@(context.Variables.GetValueOrDefault<int>("count", 0) * 2)"#,
            "6",
        ),
        (r#"@(context.Variables.ContainsKey("tenant"))"#, "True"),
        (r#"@(context.Variables["tenant"].ToString())"#, "contoso"),
        (
            r#"@{ object v; if (context.Variables.TryGetValue("tenant", out v)) return (string)v; return ""; }"#,
            "contoso",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(s_in(&c, src), *want, "{src}");
    }
    // GetValueOrDefault<T> throws on a type mismatch (APIM behaviour).
    let e = eval_err(
        &c,
        r#"@(context.Variables.GetValueOrDefault<int>("tenant"))"#,
    );
    assert_eq!(e.kind, "InvalidCastException");
    let e = eval_err(&c, r#"@((string)context.Variables["missing"])"#);
    assert_eq!(e.kind, "KeyNotFoundException");
}

#[test]
fn nullable_objects() {
    let c = ctx();
    assert_eq!(s_in(&c, "@(context.Subscription.Id)"), "subs-gold-123");
    assert_eq!(s_in(&c, "@(context.Subscription?.Name)"), "Gold");
    let anon = ctx().without(Presence::Subscription);
    assert!(ev_in(&anon, "@(context.Subscription?.Id)").is_null());
    assert_eq!(
        s_in(&anon, r#"@(context.Subscription?.Id ?? "anonymous")"#),
        "anonymous"
    );
    assert_eq!(
        eval_err(&anon, "@(context.Subscription.Id)").kind,
        "NullReferenceException"
    );
    assert_eq!(s_in(&anon, "@(context.Subscription == null)"), "True");
}

#[test]
fn scalar_properties() {
    let c = ctx();
    assert_eq!(s_in(&c, "@(context.Response.StatusCode == 200)"), "True");
    assert_eq!(
        s_in(&c, "@(context.Api.Name + context.Operation.Method)"),
        "ordersGET"
    );
    assert_eq!(s_in(&c, "@(context.Deployment.Region)"), "West Europe");
    assert!(ev_in(&c, "@(context.LastError?.Reason)").is_null());
}

#[test]
fn body_consumption_and_preserve() {
    let c = ctx().with_request_body(r#"{"a": {"b": 1}, "list": [1, 2]}"#);
    assert_eq!(
        s_in(
            &c,
            r#"@(context.Request.Body.As<JObject>(preserveContent: true)["a"]["b"])"#
        ),
        "1"
    );
    // preserved: readable again
    assert_eq!(
        s_in(&c, r#"@(context.Request.Body.As<string>().Length > 0)"#),
        "True"
    );
    // consumed by the previous read without preserveContent
    assert!(ev_in(&c, r#"@(context.Request.Body.As<string>())"#).is_null());
}

#[test]
fn response_from_send_request_variable() {
    let resp = ResponseData {
        status_code: 200,
        status_reason: "OK".into(),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: bytes::Bytes::from_static(br#"{"active": true, "scope": "read"}"#),
    };
    let c = ctx().with_variable("tokenResponse", Value::Response(std::sync::Arc::new(resp)));
    let cases: &[(&str, &str)] = &[
        (
            r#"@(((IResponse)context.Variables["tokenResponse"]).StatusCode)"#,
            "200",
        ),
        (
            r#"@((bool)((IResponse)context.Variables["tokenResponse"]).Body.As<JObject>()["active"])"#,
            "True",
        ),
        (
            r#"@(((IResponse)context.Variables["tokenResponse"]).Headers.GetValueOrDefault("content-type", ""))"#,
            "application/json",
        ),
        (
            r#"@(context.Variables.GetValueOrDefault<IResponse>("tokenResponse").Body.As<JObject>().Value<string>("scope"))"#,
            "read",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(s_in(&c, src), *want, "{src}");
    }
}

#[test]
fn trace_and_guid_come_from_the_context() {
    let c = ctx();
    ev_in(&c, r#"@{ context.Trace("hello"); return 1; }"#);
    assert_eq!(c.traces.lock().unwrap().as_slice(), ["hello".to_string()]);
    let a = s_in(&c, "@(Guid.NewGuid())");
    let b = s_in(&c, "@(Guid.NewGuid())");
    assert_ne!(a, b);
}
