//! Error paths: on-error with `context.LastError`, APIM's default error responses, backend
//! failures without leaking internals, configurations the gateway refuses.

use std::sync::Arc;

use serde_json::json;
use sigil_gateway_server::{Gateway, GatewayError, GatewayOptions};

use crate::support::*;

const LAST_ERROR: &str = r#"<return-response>
    <set-status code="599" />
    <set-body>@{
      var e = context.LastError;
      return new JObject(
        new JProperty("Source", e.Source), new JProperty("Reason", e.Reason),
        new JProperty("Message", e.Message), new JProperty("Scope", e.Scope),
        new JProperty("Section", e.Section), new JProperty("Path", e.Path),
        new JProperty("PolicyId", e.PolicyId)).ToString();
    }</set-body>
  </return-response>"#;

async fn gw(api_policy: &str, global_on_error: &str) -> Gw {
    let (be, _) = echo().await;
    let f = Folder::new()
        .file(
            "policy.xml",
            &policies("", "<forward-request />", "", global_on_error),
        )
        .api("echo", "echo", &be, false)
        .api_policy("echo", api_policy);
    let mut gw = start(f.path()).await;
    gw.dir = Some(f);
    gw
}

#[tokio::test]
async fn no_route_is_apim_404() {
    let gw = gw("<policies />", "").await;
    let r = gw.get("/nope/x").await;
    assert_eq!(
        (r.status, r.body.clone()),
        (404, apim(404, "Resource not found"))
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn operation_not_found_runs_on_error() {
    let gw = gw("<policies />", LAST_ERROR).await;
    let r = gw.get("/echo/unknown").await;
    assert_eq!(r.status, 599);
    let j = r.json();
    assert_eq!(j["Source"], "configuration");
    assert_eq!(j["Reason"], "OperationNotFound");
    // Without on-error: plain 404.
    let gw2 = self::gw("<policies />", "").await;
    assert_eq!(
        gw2.get("/echo/unknown").await.body,
        apim(404, "Resource not found")
    );
}

#[tokio::test]
async fn expression_failure_fills_last_error() {
    let api = policies(
        r#"<base /><choose><when condition="@(true)"><set-header name="X" id="boom"><value>@(context.Request.Headers["missing"].ToString())</value></set-header></when></choose>"#,
        "<base />",
        "<base />",
        "<base />",
    );
    let gw = gw(&api, LAST_ERROR).await;
    let r = gw.get("/echo/items/1").await;
    assert_eq!(r.status, 599);
    let j = r.json();
    assert_eq!(j["Source"], "set-header");
    assert_eq!(j["Reason"], "ExpressionValueEvaluationFailure");
    assert!(
        j["Message"]
            .as_str()
            .unwrap()
            .starts_with("Expression evaluation failed.")
    );
    assert_eq!(j["Scope"], "api");
    assert_eq!(j["Section"], "inbound");
    assert_eq!(j["Path"], "choose[1]/when[1]/set-header[1]");
    assert_eq!(j["PolicyId"], "boom");
}

#[tokio::test]
async fn unhandled_error_is_apim_500_with_activity_id() {
    let api = policies(
        r#"<set-header name="X"><value>@(context.Request.Headers["missing"].ToString())</value></set-header>"#,
        "<base />",
        "",
        "",
    );
    let gw = gw(&api, "").await;
    let r = gw.get("/echo/items/1").await;
    assert_eq!(r.status, 500);
    let j = r.json();
    assert_eq!(j["statusCode"], 500);
    assert_eq!(j["message"], "Internal server error");
    assert_eq!(j["activityId"].as_str().unwrap().len(), 36);
}

#[tokio::test]
async fn on_error_edits_the_default_error_response() {
    let api = policies(
        r#"<check-header name="X-Need" failed-check-httpcode="400" failed-check-error-message="need it" ignore-case="false" />"#,
        "<base />",
        "",
        r#"<set-header name="X-Reason"><value>@(context.LastError.Reason)</value></set-header>"#,
    );
    let gw = gw(&api, "").await;
    let r = gw.get("/echo/items/1").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.header("x-reason"), Some("HeaderNotFound"));
    assert_eq!(r.body, apim(400, "need it"));
}

#[tokio::test]
async fn backend_down_is_500_without_internals() {
    let f = Folder::new().api("echo", "echo", "http://127.0.0.1:9/secret-host-path", false);
    let gw = start(f.path()).await;
    let r = gw.get("/echo/items/1").await;
    assert_eq!(r.status, 500);
    assert_eq!(r.json()["message"], "Internal server error");
    assert!(!r.body.contains("127.0.0.1") && !r.body.contains("secret-host-path"));
    // on-error sees BackendConnectionFailure.
    let f = Folder::new()
        .file(
            "policy.xml",
            &policies("", "<forward-request />", "", LAST_ERROR),
        )
        .api("echo", "echo", "http://127.0.0.1:9/", false);
    let gw = start(f.path()).await;
    let j = gw.get("/echo/items/1").await.json();
    assert_eq!(
        (j["Source"].as_str(), j["Reason"].as_str()),
        (Some("forward-request"), Some("BackendConnectionFailure"))
    );
    assert_eq!(
        (j["Scope"].as_str(), j["Section"].as_str()),
        (Some("global"), Some("backend"))
    );
}

#[tokio::test]
async fn backend_timeout_is_504() {
    let (be, _) = echo().await;
    let f = Folder::new().api("echo", "echo", &be, false);
    let opts = GatewayOptions {
        backend_timeout: std::time::Duration::from_millis(200),
        ..GatewayOptions::default()
    };
    let gw = start_with(f.path(), opts).await;
    let r = gw
        .send(
            gw.req("GET", "/echo/items/1")
                .header("x-echo-delay-ms", "1000"),
        )
        .await;
    assert_eq!(
        (r.status, r.body.clone()),
        (504, apim(504, "Gateway Timeout"))
    );
}

#[tokio::test]
async fn fail_on_error_status_code_keeps_the_backend_response_for_on_error() {
    let api = policies(
        "",
        r#"<forward-request fail-on-error-status-code="true" />"#,
        r#"<set-header name="X-Outbound"><value>ran</value></set-header>"#,
        r#"<set-header name="X-Err"><value>@(context.LastError.Reason + "/" + context.Response.StatusCode)</value></set-header>"#,
    );
    let gw = gw(&api, "").await;
    let r = gw
        .send(
            gw.req("GET", "/echo/items/1")
                .header("x-echo-status", "503"),
        )
        .await;
    assert_eq!(r.status, 503);
    assert_eq!(r.header("x-err"), Some("BackendError/503"));
    assert_eq!(r.header("x-outbound"), None);
    assert_eq!(r.json()["path"], "/items/1");
}

#[tokio::test]
async fn unsupported_policy_shapes_and_liquid_are_refused_at_load() {
    let (be, _) = echo().await;
    let f = Folder::new().api("echo", "echo", &be, false).api_policy(
        "echo",
        &policies(
            r#"<validate-jwt header-name="Authorization"><issuer-signing-keys><key certificate-id="c1" /></issuer-signing-keys></validate-jwt><set-body template="liquid">hi</set-body>"#,
            "<base />",
            "",
            "",
        ),
    );
    let err = Gateway::new(
        load(f.path()),
        GatewayOptions::default(),
        Arc::new(sigil_core::SystemClock),
    )
    .unwrap_err();
    let GatewayError::NotExecutable(d) = &err else {
        panic!("{err}");
    };
    assert_eq!(d.len(), 2, "{err}");
    let text = err.to_string();
    assert!(
        text.contains("<key certificate-id> is not supported"),
        "{text}"
    );
    assert!(text.contains("liquid"), "{text}");
    assert!(text.contains("apis/echo/policy.xml:1:"), "{text}");
    let _ = json!(null);
}
