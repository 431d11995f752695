//! Shapes seen in public APIM policy snippets, evaluated end to end.

use serde_json::json;
use sigil_expr::testing::MapContext;
use sigil_expr::{Property, ResponseData, UrlKind, Value};

use crate::support::{jwt, s_in};

fn ctx() -> MapContext {
    let token = jwt(&json!({"sub": "alice", "email": "a@example.com"}));
    let resp = ResponseData {
        status_code: 200,
        status_reason: "OK".into(),
        headers: vec![],
        body: bytes::Bytes::from_static(br#"{"active": true}"#),
    };
    MapContext::new()
        .with_request_header("Authorization", &format!("Bearer {token}"))
        .with_request_header("X-Trace", "1")
        .with_request_header("X-Client", "web")
        .with_variable("accessToken", "tok")
        .with_variable("resp", Value::Response(std::sync::Arc::new(resp)))
        .with_matched("id", "ab")
        .with_property(Property::UrlPath(UrlKind::Current), "/api/users/42")
        .with_property(Property::OperationId, "getUser")
        .with_property(Property::ResponseStatusCode, 503i64)
        .with_request_body(r#"{"items": [1, 2, 3]}"#)
}

#[test]
fn snippet_shapes() {
    let c = ctx();
    let cases: &[(&str, &str)] = &[
        (
            r#"@(context.Request.Headers.GetValueOrDefault("Authorization","").Split(' ')[1].AsJwt()?.Subject)"#,
            "alice",
        ),
        (
            r#"@{ var jwt = context.Request.Headers.GetValueOrDefault("Authorization","").AsJwt(); return jwt?.Claims.GetValueOrDefault("email", "anonymous"); }"#,
            "a@example.com",
        ),
        (
            r#"@("Bearer " + (string)context.Variables["accessToken"])"#,
            "Bearer tok",
        ),
        (
            r#"@(context.Request.Url.Query.GetValueOrDefault("api-version") ?? "2020")"#,
            "2020",
        ),
        (
            r#"@{ var response = (IResponse)context.Variables["resp"]; return response.StatusCode == 200 ? "ok" : "fail"; }"#,
            "ok",
        ),
        (
            r#"@(((IResponse)context.Variables["resp"]).Body.As<JObject>()["active"].ToString().ToLower() == "true")"#,
            "True",
        ),
        (
            r#"@(new JObject(new JProperty("error", "unauthorized")).ToString())"#,
            "{\n  \"error\": \"unauthorized\"\n}",
        ),
        (
            r#"@(DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"))"#,
            "2024-01-01T00:00:00.000Z",
        ),
        (
            r#"@(context.Request.Body.As<JObject>(true)["items"].Count())"#,
            "3",
        ),
        (
            r#"@(context.Request.MatchedParameters["id"].ToUpper())"#,
            "AB",
        ),
        (
            r#"@{ string[] parts = context.Request.Url.Path.Split('/'); return parts[parts.Length - 1]; }"#,
            "42",
        ),
        (r#"@(context.Request.IpAddress.StartsWith("203."))"#, "True"),
        (r#"@(context.Operation.Id.Equals("getUser"))"#, "True"),
        (
            r#"@(String.Concat(context.Request.Url.Scheme, "://", context.Request.Url.Host))"#,
            "https://api.example.com",
        ),
        (r#"@(context.User?.Email ?? "none")"#, "none"),
        (
            r#"@{ var body = context.Request.Body.As<JObject>(true); var items = body["items"] as JArray; return items?.Count ?? 0; }"#,
            "3",
        ),
        (
            r#"@(context.Variables.ContainsKey("x") ? (string)context.Variables["x"] : "")"#,
            "",
        ),
        (
            r#"@(((JArray)JObject.Parse("{\"a\":[1]}")["a"]).Count)"#,
            "1",
        ),
        (
            r#"@(context.Request.Headers.Where(h => h.Key.StartsWith("X-")).Select(h => h.Key).Count())"#,
            "2",
        ),
        (
            r#"@(context.Request.Url.Path.Contains("/admin") && !context.Request.Headers.ContainsKey("X-Admin"))"#,
            "False",
        ),
        (
            r#"@(Convert.ToBase64String(Encoding.UTF8.GetBytes(context.Request.Headers.GetValueOrDefault("X-Client", ""))))"#,
            "d2Vi",
        ),
        (
            r#"@(context.Request.Body?.As<string>(preserveContent: true).Length > 0)"#,
            "True",
        ),
        (r#"@((int)context.Response.StatusCode >= 500)"#, "True"),
        (
            r#"@(context.Request.Headers.GetValueOrDefault("X-Trace") == "1")"#,
            "True",
        ),
        (
            r#"@(context.Elapsed.TotalMilliseconds >= 0 && context.Deployment.GatewayId == "managed")"#,
            "True",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(s_in(&c, src), *want, "{src}");
    }
}
