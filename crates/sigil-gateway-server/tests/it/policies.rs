//! Golden tests: one small configuration per policy, a request, the exact response.

use serde_json::json;

use crate::support::*;

async fn gw_with(inbound: &str, backend: &str, outbound: &str, on_error: &str) -> Gw {
    let (be, _) = echo().await;
    let f = Folder::new()
        .api("echo", "echo", &format!("{be}/base"), false)
        .api_policy("echo", &policies(inbound, backend, outbound, on_error));
    let mut gw = start(f.path()).await;
    gw.dir = Some(f);
    gw
}

const FWD: &str = "<base />";

#[tokio::test]
async fn default_forward_appends_operation_path_and_query() {
    let gw = gw_with("<base />", FWD, "<base />", "").await;
    let r = gw.get("/echo/items/42?a=1&b=x%20y").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-backend"), Some("echo"));
    let j = r.json();
    assert_eq!(j["method"], "GET");
    assert_eq!(j["path"], "/base/items/42");
    assert_eq!(j["query"], "a=1&b=x%20y");
    assert!(
        j["headers"]["traceparent"]
            .as_str()
            .unwrap()
            .starts_with("00-")
    );
    // sigil-http's accept loop hands the peer address over (PeerAddr).
    assert_eq!(j["headers"]["x-forwarded-for"], "127.0.0.1");
}

#[tokio::test]
async fn set_header_actions() {
    let inbound = r#"<set-header name="X-Over" exists-action="override"><value>new</value></set-header>
        <set-header name="X-Skip" exists-action="skip"><value>ignored</value></set-header>
        <set-header name="X-App" exists-action="append"><value>b</value></set-header>
        <set-header name="X-Del" exists-action="delete" />
        <set-header name="X-Expr"><value>@(context.Request.Headers.GetValueOrDefault("X-Over", "none") + "!")</value></set-header>"#;
    let outbound = r#"<set-header name="X-Out"><value>@(context.Response.StatusCode.ToString())</value></set-header>
        <set-header name="x-backend" exists-action="delete" />"#;
    let gw = gw_with(inbound, FWD, outbound, "").await;
    let r = gw
        .send(
            gw.req("GET", "/echo/items/1")
                .header("X-Over", "old")
                .header("X-Skip", "kept")
                .header("X-App", "a")
                .header("X-Del", "gone"),
        )
        .await;
    let h = &r.json()["headers"];
    assert_eq!(h["x-over"], "new");
    assert_eq!(h["x-skip"], "kept");
    assert_eq!(h["x-app"], "a, b");
    assert!(h.get("x-del").is_none());
    // Policies run in order: the expression sees the overridden value.
    assert_eq!(h["x-expr"], "new!");
    assert_eq!(r.header("x-out"), Some("200"));
    assert_eq!(r.header("x-backend"), None);
}

#[tokio::test]
async fn set_query_parameter_variable_and_method() {
    let inbound = r#"<set-variable name="who" value="@(context.Request.Headers.GetValueOrDefault("X-Who", "anon"))" />
        <set-variable name="lit" value="plain" />
        <set-query-parameter name="who" exists-action="override"><value>@((string)context.Variables["who"])</value></set-query-parameter>
        <set-query-parameter name="a" exists-action="skip"><value>ignored</value></set-query-parameter>
        <set-query-parameter name="drop" exists-action="delete" />
        <set-header name="X-Lit"><value>@((string)context.Variables["lit"])</value></set-header>
        <set-method>POST</set-method>"#;
    let gw = gw_with(inbound, FWD, "", "").await;
    let r = gw
        .send(
            gw.req("GET", "/echo/items/1?a=1&drop=x")
                .header("X-Who", "ada"),
        )
        .await;
    let j = r.json();
    assert_eq!(j["method"], "POST");
    assert_eq!(j["query"], "a=1&who=ada");
    assert_eq!(j["headers"]["x-lit"], "plain");
}

#[tokio::test]
async fn set_status_and_set_body_outbound() {
    let outbound = r#"<set-status code="202" reason="Accepted Later" />
        <set-body>@{ var b = context.Response.Body.As<JObject>(); return new JObject(new JProperty("path", b["path"])).ToString(); }</set-body>"#;
    let gw = gw_with("", FWD, outbound, "").await;
    let r = gw.get("/echo/items/7").await;
    assert_eq!(r.status, 202);
    assert_eq!(r.json(), json!({"path": "/base/items/7"}));
}

#[tokio::test]
async fn set_body_inbound_reads_the_request_json() {
    let inbound = r#"<set-body>@{ var b = context.Request.Body.As<JObject>(preserveContent: true); b["seen"] = true; return b.ToString(Newtonsoft.Json.Formatting.None); }</set-body>"#;
    let gw = gw_with(inbound, FWD, "", "").await;
    let r = gw
        .send(gw.req("POST", "/echo/items").body(r#"{"name":"x"}"#))
        .await;
    let j = r.json();
    assert_eq!(j["body"], r#"{"name":"x","seen":true}"#);
    assert_eq!(j["headers"]["content-length"], "24");
}

#[tokio::test]
async fn rewrite_uri_uses_template_parameters_and_copies_unmatched_query() {
    let inbound =
        r#"<rewrite-uri template="/v2/things/{id}?fixed=1" copy-unmatched-params="true" />"#;
    let gw = gw_with(inbound, FWD, "", "").await;
    let j = gw.get("/echo/items/a%20b?x=2").await.json();
    assert_eq!(j["path"], "/base/v2/things/a%20b");
    assert_eq!(j["query"], "fixed=1&x=2");
    let inbound = r#"<rewrite-uri template="/flat" copy-unmatched-params="false" />"#;
    let gw = gw_with(inbound, FWD, "", "").await;
    let j = gw.get("/echo/items/1?x=2").await.json();
    assert_eq!(
        (j["path"].as_str(), j["query"].as_str()),
        (Some("/base/flat"), Some(""))
    );
}

#[tokio::test]
async fn find_and_replace_on_the_response() {
    let gw = gw_with(
        "",
        FWD,
        r#"<find-and-replace from="/base/" to="/public/" />"#,
        "",
    )
    .await;
    let r = gw.get("/echo/items/9").await;
    assert_eq!(r.json()["path"], "/public/items/9");
}

#[tokio::test]
async fn choose_when_otherwise() {
    let inbound = r#"<choose>
        <when condition="@(context.Request.Headers.GetValueOrDefault("X-Tier", "") == "gold")"><set-header name="X-Branch"><value>gold</value></set-header></when>
        <when condition="@(context.Request.Headers.ContainsKey("X-Tier"))"><set-header name="X-Branch"><value>other</value></set-header></when>
        <otherwise><set-header name="X-Branch"><value>none</value></set-header></otherwise>
      </choose>"#;
    let gw = gw_with(inbound, FWD, "", "").await;
    for (tier, want) in [(Some("gold"), "gold"), (Some("x"), "other"), (None, "none")] {
        let mut rb = gw.req("GET", "/echo/items/1");
        if let Some(t) = tier {
            rb = rb.header("X-Tier", t);
        }
        assert_eq!(gw.send(rb).await.json()["headers"]["x-branch"], want);
    }
}

#[tokio::test]
async fn set_backend_service_base_url_and_backend_id() {
    let (be, _) = echo().await;
    let f = Folder::new()
        .api("echo", "echo", "http://127.0.0.1:9/unused", false)
        .file(
            "backends/b1/backendInformation.json",
            &json!({"properties": {"url": format!("{be}/via-id"), "protocol": "http",
                "credentials": {"header": {"x-db-key": ["{{db-key}}"]}}}})
            .to_string(),
        )
        .file(
            "named values/db-key/namedValueInformation.json",
            r#"{"properties": {"displayName": "db-key", "secret": true, "value": "s3cret"}}"#,
        )
        .api_policy(
            "echo",
            &policies(
                &format!(
                    r#"<choose><when condition="@(context.Request.Headers.ContainsKey("X-Id"))"><set-backend-service backend-id="b1" /></when>
                    <otherwise><set-backend-service base-url="{be}/via-url" /></otherwise></choose>"#
                ),
                FWD,
                "",
                "",
            ),
        );
    let gw = start(f.path()).await;
    let j = gw.get("/echo/items/1").await.json();
    assert_eq!(j["path"], "/via-url/items/1");
    let j = gw
        .send(gw.req("GET", "/echo/items/1").header("X-Id", "1"))
        .await
        .json();
    assert_eq!(j["path"], "/via-id/items/1");
    assert_eq!(j["headers"]["x-db-key"], "s3cret");
}

#[tokio::test]
async fn return_response_short_circuits_and_skips_outbound() {
    let inbound = r#"<return-response>
        <set-status code="418" reason="Teapot" />
        <set-header name="Content-Type" exists-action="override"><value>application/json</value></set-header>
        <set-body>@("{\"op\":\"" + context.Operation.Id + "\"}")</set-body>
      </return-response>"#;
    let gw = gw_with(
        inbound,
        FWD,
        r#"<set-header name="X-Out"><value>1</value></set-header>"#,
        "",
    )
    .await;
    let r = gw.get("/echo/items/1").await;
    assert_eq!(r.status, 418);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("x-out"), None);
    assert_eq!(r.body, r#"{"op":"get-item"}"#);
    // Default return-response: 200, empty.
    let gw = gw_with("<return-response />", FWD, "", "").await;
    let r = gw.get("/echo/items/1").await;
    assert_eq!((r.status, r.body.as_str()), (200, ""));
}

#[tokio::test]
async fn mock_response_from_examples_and_schemas() {
    let gw = gw_with(
        r#"<mock-response status-code="200" content-type="application/json" />"#,
        FWD,
        "",
        "",
    )
    .await;
    let r = gw.get("/echo/items/5").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.json(), json!({"id": "1", "name": "widget"}));
    let gw = gw_with(r#"<mock-response status-code="201" />"#, FWD, "", "").await;
    let r = gw.req("POST", "/echo/items");
    let r = gw.send(r).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json(), json!({"id": 0, "name": "string"}));
}

#[tokio::test]
async fn retry_until_the_condition_is_false() {
    let backend = r#"<retry condition="@(context.Response.StatusCode >= 500)" count="3" interval="0" first-fast-retry="true"><forward-request buffer-request-body="true" /></retry>"#;
    let (be, calls) = echo().await;
    let f = Folder::new()
        .api("echo", "echo", &be, false)
        .api_policy("echo", &policies("", backend, "", ""));
    let gw = start(f.path()).await;
    let r = gw
        .send(
            gw.req("PUT", "/echo/any/x")
                .header("x-echo-fail-times", "2")
                .header("x-echo-key", "k1")
                .body("payload"),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["body"], "payload");
    assert_eq!(calls.get("k1"), 3);
    // Exhausted: the last response stands.
    let r = gw
        .send(
            gw.req("GET", "/echo/any/y")
                .header("x-echo-fail-times", "9")
                .header("x-echo-key", "k2"),
        )
        .await;
    assert_eq!(r.status, 500);
    assert_eq!(calls.get("k2"), 4);
}

#[tokio::test]
async fn limit_concurrency_answers_429_when_full() {
    let backend = r#"<limit-concurrency key="@(context.Api.Id)" max-count="1"><forward-request /></limit-concurrency>"#;
    let gw = gw_with("", backend, "", "").await;
    let slow = gw.send(
        gw.req("GET", "/echo/items/1")
            .header("x-echo-delay-ms", "600"),
    );
    let fast = async {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        gw.get("/echo/items/2").await
    };
    let (a, b) = tokio::join!(slow, fast);
    assert_eq!(a.status, 200);
    assert_eq!(b.status, 429);
    assert_eq!(b.body, apim(429, "Too Many Requests"));
    // The slot is free again.
    assert_eq!(gw.get("/echo/items/3").await.status, 200);
}

#[tokio::test]
async fn check_header_codes_and_messages() {
    let inbound = r#"<check-header name="X-Tenant" failed-check-httpcode="401" failed-check-error-message="Tenant missing or wrong" ignore-case="true"><value>Contoso</value><value>Fabrikam</value></check-header>"#;
    let gw = gw_with(inbound, FWD, "", "").await;
    let r = gw.get("/echo/items/1").await;
    assert_eq!(
        (r.status, r.body.clone()),
        (401, apim(401, "Tenant missing or wrong"))
    );
    let r = gw
        .send(gw.req("GET", "/echo/items/1").header("X-Tenant", "other"))
        .await;
    assert_eq!(r.status, 401);
    let r = gw
        .send(gw.req("GET", "/echo/items/1").header("X-Tenant", "contoso"))
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn ip_filter_allow_and_forbid() {
    // sigil-http's accept loop provides PeerAddr: the caller is 127.0.0.1.
    let gw = gw_with(
        r#"<ip-filter action="allow"><address>10.0.0.1</address></ip-filter>"#,
        FWD,
        "",
        "",
    )
    .await;
    let r = gw.get("/echo/items/1").await;
    assert_eq!((r.status, r.body.clone()), (403, apim(403, "Forbidden")));
    let gw = gw_with(
        r#"<ip-filter action="allow"><address-range from="127.0.0.0" to="127.0.0.1" /></ip-filter>"#,
        FWD,
        "",
        "",
    )
    .await;
    assert_eq!(gw.get("/echo/items/1").await.status, 200);
    let gw = gw_with(
        r#"<ip-filter action="forbid"><address>@("127.0.0.1")</address></ip-filter>"#,
        FWD,
        "",
        "",
    )
    .await;
    assert_eq!(gw.get("/echo/items/1").await.status, 403);
}

#[tokio::test]
async fn cors_preflight_and_actual_requests() {
    let inbound = r#"<cors allow-credentials="true">
        <allowed-origins><origin>https://app.example</origin></allowed-origins>
        <allowed-methods preflight-result-max-age="300"><method>GET</method><method>PUT</method></allowed-methods>
        <allowed-headers><header>X-Custom</header></allowed-headers>
        <expose-headers><header>X-Backend</header></expose-headers>
      </cors>"#;
    let (be, _) = echo().await;
    let f = Folder::new()
        .api("echo", "echo", &be, true)
        .api_policy("echo", &policies(inbound, FWD, "", ""));
    let gw = start(f.path()).await;
    // Preflight: answered before the subscription check, no operation for OPTIONS needed.
    let r = gw
        .send(
            gw.req("OPTIONS", "/echo/items/1")
                .header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "x-custom"),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
    assert_eq!(r.header("access-control-allow-methods"), Some("GET"));
    assert_eq!(r.header("access-control-allow-headers"), Some("x-custom"));
    assert_eq!(r.header("access-control-max-age"), Some("300"));
    assert_eq!(r.body, "");
    // An unmatched preflight goes on as a normal request (no OPTIONS operation: 404).
    let r = gw
        .send(
            gw.req("OPTIONS", "/echo/items/1")
                .header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "GET"),
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn cors_actual_request_gets_headers() {
    let inbound = r#"<cors><allowed-origins><origin>*</origin></allowed-origins><expose-headers><header>X-Backend</header></expose-headers></cors>"#;
    let gw = gw_with(inbound, FWD, "", "").await;
    let r = gw
        .send(
            gw.req("GET", "/echo/items/1")
                .header("Origin", "https://x.example"),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(r.header("access-control-expose-headers"), Some("X-Backend"));
    let r = gw.get("/echo/items/1").await;
    assert_eq!(r.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn trace_and_include_fragment() {
    let (be, _) = echo().await;
    let f = Folder::new()
        .api("echo", "echo", &be, false)
        .file(
            "policy fragments/stamp/policy.xml",
            r#"<fragment><set-header name="X-Frag"><value>@(context.Api.Name)</value></set-header></fragment>"#,
        )
        .api_policy(
            "echo",
            &policies(
                r#"<trace source="test" severity="information"><message>@("hello " + context.Operation.Id)</message><metadata name="k" value="v" /></trace><include-fragment fragment-id="stamp" />"#,
                FWD,
                "",
                "",
            ),
        );
    let gw = start(f.path()).await;
    let r = gw.get("/echo/items/1").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["headers"]["x-frag"], "echo API");
}

#[tokio::test]
async fn scopes_merge_by_base_position() {
    let (be, _) = echo().await;
    let f = Folder::new()
        .file(
            "policy.xml",
            &policies(
                r#"<set-header name="X-Order" exists-action="append"><value>global</value></set-header>"#,
                "<forward-request />",
                "",
                "",
            ),
        )
        .api("echo", "echo", &be, false)
        .api_policy(
            "echo",
            &policies(
                r#"<set-header name="X-Order" exists-action="append"><value>api-before</value></set-header><base /><set-header name="X-Order" exists-action="append"><value>api-after</value></set-header>"#,
                "<base />",
                "",
                "",
            ),
        )
        .op_policy(
            "echo",
            "get-item",
            &policies(r#"<base /><set-header name="X-Order" exists-action="append"><value>op</value></set-header>"#, "<base />", "", ""),
        );
    let gw = start(f.path()).await;
    let j = gw.get("/echo/items/1").await.json();
    assert_eq!(j["headers"]["x-order"], "api-before, global, api-after, op");
}
