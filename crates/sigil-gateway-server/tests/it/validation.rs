//! The content validation policies against live traffic: validate-content (sizes, content
//! types, JSON schemas from the specification and uploaded, detect vs prevent, hostile
//! bodies), validate-parameters, validate-headers and validate-status-code (masked 502s).

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sigil_gateway_server::{Gateway, GatewayError, GatewayOptions};

use crate::support::*;

const MASKED: &str =
    "The request could not be processed due to an internal error. Contact the API owner.";

const PETS: &str = r#"openapi: 3.0.1
info: {title: Pets, version: '1'}
paths:
  /pets:
    post:
      operationId: create-pet
      parameters:
        - {name: dry-run, in: query, schema: {type: boolean}}
        - {name: X-Request-Id, in: header, schema: {type: string, pattern: '^[0-9a-f]{8}$'}}
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Pet'}
      responses:
        '201':
          description: created
          headers:
            X-Pet-Id: {schema: {type: integer}}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Echo'}
  /pets/{id}:
    get:
      operationId: get-pet
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer, minimum: 1}}
        - {name: fields, in: query, explode: false, schema: {type: array, items: {type: string, enum: [name, tag]}}}
        - {name: limit, in: query, required: true, schema: {type: integer, maximum: 10}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {type: integer, readOnly: true}
        name: {type: string, maxLength: 20}
        tag: {type: string, nullable: true}
        age: {type: integer, format: int32}
    Echo:
      type: object
      required: [method, body]
      properties:
        method: {type: string}
        body: {type: string}
"#;

/// The `pets` API (path `v`, no key) in front of the echo backend, with `api` as its policy
/// and `global_on_error` in the global on-error section.
async fn gw_with(api: &str, global_on_error: &str, extra: &[(&str, &str)]) -> Gw {
    let (be, _) = echo().await;
    let info = json!({"properties": {"displayName": "Pets", "path": "v", "serviceUrl": be,
        "subscriptionRequired": false}});
    let mut f = Folder::new()
        .file(
            "policy.xml",
            &policies("", "<forward-request />", "", global_on_error),
        )
        .file("apis/pets/apiInformation.json", &info.to_string())
        .file("apis/pets/specification.yaml", PETS)
        .api_policy("pets", api);
    for (path, text) in extra {
        f = f.file(path, text);
    }
    let mut gw = start(f.path()).await;
    gw.dir = Some(f);
    gw
}

async fn gw(api: &str) -> Gw {
    gw_with(api, "", &[]).await
}

fn inbound(xml: &str) -> String {
    policies(
        &format!("<base />{xml}"),
        "<base />",
        "<base />",
        "<base />",
    )
}

fn outbound(xml: &str) -> String {
    policies(
        "<base />",
        "<base />",
        &format!("<base />{xml}"),
        "<base />",
    )
}

async fn post_json(gw: &Gw, path: &str, body: &str) -> Got {
    gw.send(
        gw.req("POST", path)
            .header("content-type", "application/json")
            .body(body.to_owned()),
    )
    .await
}

const PREVENT_JSON: &str = r#"<validate-content unspecified-content-type-action="prevent" max-size="1024" size-exceeded-action="prevent">
    <content type="application/json" validate-as="json" action="prevent" />
</validate-content>"#;

#[tokio::test]
async fn a_valid_body_passes_and_an_invalid_one_is_400_with_details() {
    let gw = gw(&inbound(PREVENT_JSON)).await;
    // readOnly `id` is not required in a request; `nullable` tag accepts null.
    let ok = r#"{"name": "rex", "tag": null, "age": 3}"#;
    let r = post_json(&gw, "/v/pets", ok).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["body"], ok, "the body reaches the backend intact");

    let r = post_json(&gw, "/v/pets", r#"{"name": 5}"#).await;
    assert_eq!(r.status, 400);
    let msg = r.json()["message"].as_str().unwrap().to_owned();
    assert!(
        msg.starts_with("Body of the request does not conform to the definition Pet, which is associated with the content type application/json."),
        "{msg}"
    );
    assert!(msg.contains("Path: '/name'"), "{msg}");
    assert!(!msg.contains("rex"));

    for bad in [
        r#"{"tag": "x"}"#,                      // name missing
        r#"{"name": "x", "age": 3000000000}"#,  // int32 overflow
        r#"{"name": "xxxxxxxxxxxxxxxxxxxxx"}"#, // maxLength
        r#"{"name": "x""#,                      // not JSON
    ] {
        let r = post_json(&gw, "/v/pets", bad).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
    }
    // A request without a body has nothing to validate.
    assert_eq!(gw.get("/v/pets/1?limit=1").await.status, 200);
}

#[tokio::test]
async fn detect_mode_passes_and_fills_the_errors_variable() {
    let api = inbound(
        r#"<validate-content unspecified-content-type-action="detect" max-size="1024" size-exceeded-action="prevent" errors-variable-name="errs">
            <content type="application/json" validate-as="json" action="detect" />
        </validate-content>
        <validate-content unspecified-content-type-action="detect" max-size="1024" size-exceeded-action="prevent" errors-variable-name="errs">
            <content type="application/json" validate-as="json" action="detect" allow-additional-properties="false" />
        </validate-content>
        <set-header name="X-Errors" exists-action="override">
            <value>@(context.Variables.ContainsKey("errs") ? context.Variables.GetValueOrDefault<JArray>("errs").Count.ToString() : "0")</value>
        </set-header>
        <set-header name="X-First" exists-action="override">
            <value>@(context.Variables.ContainsKey("errs") ? (string)context.Variables.GetValueOrDefault<JArray>("errs")[1]["ValidationRule"] + "/" + (string)context.Variables.GetValueOrDefault<JArray>("errs")[1]["Action"] : "")</value>
        </set-header>"#,
    );
    let gw = gw(&api).await;
    let r = post_json(&gw, "/v/pets", r#"{"name": "ok"}"#).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["headers"]["x-errors"], "0");

    // Both policies report the extra property's problem into the same variable; the first
    // allows additional properties (the schema does not forbid them), the second does not.
    let r = post_json(&gw, "/v/pets", r#"{"name": 1, "extra": true}"#).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let echoed = r.json();
    assert_eq!(echoed["headers"]["x-errors"], "2");
    assert_eq!(echoed["headers"]["x-first"], "IncorrectMessage/detect");
    assert_eq!(echoed["body"], r#"{"name": 1, "extra": true}"#);
}

#[tokio::test]
async fn max_size_is_checked_from_content_length_and_while_reading() {
    let gw = gw(&inbound(
        r#"<validate-content unspecified-content-type-action="prevent" max-size="64" size-exceeded-action="prevent">
            <content type="application/json" validate-as="json" action="prevent" />
        </validate-content>"#,
    ))
    .await;
    let big = format!(r#"{{"name": "{}"}}"#, "x".repeat(90));
    let r = post_json(&gw, "/v/pets", &big).await;
    assert_eq!(
        (r.status, r.body),
        (
            400,
            apim(
                400,
                &format!(
                    "Request's body is {} bytes long and it exceeds the limit of 64 bytes.",
                    big.len()
                )
            )
        )
    );
    // Chunked: no Content-Length, so the size is checked while reading.
    let host = gw.url.trim_start_matches("http://");
    let chunked = format!(
        "POST /v/pets HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{big}\r\n0\r\n\r\n",
        big.len()
    );
    let (status, text) = raw_full(&gw.url, &chunked).await;
    assert_eq!(status, 400, "{text}");
    // Reading stops at the first frame past the limit: the size is what was read by then.
    assert!(text.contains("Request's body is at least "), "{text}");
    assert!(
        text.contains(" bytes long and it exceeds the limit of 64 bytes."),
        "{text}"
    );

    // detect: the oversized body goes on whole and is not parsed.
    let gw = self::gw(&inbound(
        r#"<validate-content unspecified-content-type-action="prevent" max-size="64" size-exceeded-action="detect">
            <content type="application/json" validate-as="json" action="prevent" />
        </validate-content>"#,
    ))
    .await;
    let (status, text) = raw_full(&gw.url, &chunked).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains(&"x".repeat(90)));
    let r = post_json(&gw, "/v/pets", &format!("{big} ")).await;
    assert_eq!(r.status, 200);
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

async fn post_encoded(gw: &Gw, coding: &str, body: Vec<u8>) -> Got {
    gw.send(
        gw.req("POST", "/v/pets")
            .header("content-type", "application/json")
            .header("content-encoding", coding)
            .body(body),
    )
    .await
}

#[tokio::test]
async fn compressed_bodies_are_validated_decoded_and_forwarded_encoded() {
    let gw = gw(&inbound(PREVENT_JSON)).await;
    let ok = gzip(br#"{"name": "rex"}"#);
    let r = post_encoded(&gw, "gzip", ok.clone()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let echoed = r.json();
    assert_eq!(echoed["headers"]["content-encoding"], "gzip");
    assert_eq!(
        echoed["body_len"],
        ok.len(),
        "the backend gets the body still encoded"
    );

    let mut br = Vec::new();
    {
        use std::io::Write;
        let mut w = brotli::CompressorWriter::new(&mut br, 4096, 5, 22);
        w.write_all(br#"{"name": 5}"#).unwrap();
    }
    let r = post_encoded(&gw, "br", br).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains("does not conform to the definition Pet"),
        "{}",
        r.body
    );

    // 2 KB of JSON compresses to a few dozen bytes but is over max-size (1024) once decoded.
    let padded = format!(r#"{{"name": "x", "tag": "{}"}}"#, " ".repeat(2000));
    let r = post_encoded(&gw, "gzip", gzip(padded.as_bytes())).await;
    assert_eq!(
        (r.status, r.body),
        (
            400,
            apim(
                400,
                "Request's body decompresses to more than 1024 bytes and it exceeds the limit of 1024 bytes."
            )
        )
    );

    // Codings the gateway cannot undo, and broken data: a validation error, never a pass.
    let mut truncated = gzip(br#"{"name": "rex"}"#);
    truncated.truncate(truncated.len() - 6);
    for (coding, body) in [("zstd", b"(\xb5/\xfd".to_vec()), ("gzip", truncated)] {
        let r = post_encoded(&gw, coding, body).await;
        assert_eq!(r.status, 400, "{coding}: {}", r.body);
        assert_eq!(
            r.body,
            apim(400, MASKED),
            "{coding}: details stay in the logs"
        );
    }
}

#[tokio::test]
async fn unspecified_content_types() {
    let gw = gw(&inbound(PREVENT_JSON)).await;
    let r = gw
        .send(
            gw.req("POST", "/v/pets")
                .header("content-type", "text/plain")
                .body("hello"),
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            400,
            apim(400, "Unspecified content type text/plain is not allowed.")
        )
    );

    let gw = self::gw(&inbound(
        r#"<validate-content unspecified-content-type-action="ignore" max-size="1024" size-exceeded-action="prevent">
            <content-type-map missing-content-type-value="application/json">
                <type from="application/hal+json" to="application/json" />
            </content-type-map>
            <content type="application/json" validate-as="json" action="prevent" />
        </validate-content>"#,
    ))
    .await;
    let r = gw
        .send(
            gw.req("POST", "/v/pets")
                .header("content-type", "text/plain")
                .body("hello"),
        )
        .await;
    assert_eq!(r.status, 200, "ignored");
    // Mapped types are validated as the type they map to.
    let r = gw
        .send(
            gw.req("POST", "/v/pets")
                .header("content-type", "application/hal+json")
                .body(r#"{"name": 1}"#),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    let r = gw
        .send(gw.req("POST", "/v/pets").body(r#"{"age": 1}"#))
        .await;
    assert_eq!(r.status, 400, "missing content type mapped: {}", r.body);
}

#[tokio::test]
async fn uploaded_schemas_are_used_by_schema_id() {
    let schema = json!({"properties": {"schemaType": "json", "document": {
        "components": {"schemas": {"strict": {"type": "object", "required": ["code"], "properties": {"code": {"type": "string", "pattern": "^[A-Z]{3}$"}}}}}}}});
    let api = inbound(
        r##"<validate-content unspecified-content-type-action="prevent" max-size="1024" size-exceeded-action="prevent">
            <content type="application/vnd.code+json" validate-as="json" schema-id="codes" schema-ref="#/components/schemas/strict" action="prevent" />
        </validate-content>"##,
    );
    let gw = gw_with(
        &api,
        "",
        &[("schemas/codes/schemaInformation.json", &schema.to_string())],
    )
    .await;
    let send = |body: &'static str| {
        gw.req("POST", "/v/pets")
            .header("content-type", "application/vnd.code+json")
            .body(body)
    };
    assert_eq!(gw.send(send(r#"{"code": "ABC"}"#)).await.status, 200);
    let r = gw.send(send(r#"{"code": "abc"}"#)).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("definition strict"), "{}", r.body);
}

#[tokio::test]
async fn validate_parameters_checks_path_query_and_headers() {
    let api = inbound(
        r#"<validate-parameters specified-parameter-action="prevent" unspecified-parameter-action="prevent" errors-variable-name="perrs">
            <headers specified-parameter-action="prevent" unspecified-parameter-action="ignore" />
        </validate-parameters>"#,
    );
    let gw = gw(&api).await;
    let ok = gw.get("/v/pets/7?fields=name,tag&limit=3").await;
    assert_eq!(ok.status, 200, "{}", ok.body);

    let r = gw.get("/v/pets/7?limit=3&foo=1").await;
    assert_eq!(
        (r.status, r.body),
        (
            400,
            apim(400, "Unspecified query parameter foo is not allowed.")
        )
    );
    let r = gw.get("/v/pets/abc?limit=3").await;
    assert_eq!(r.status, 400);
    let msg = r.json()["message"].as_str().unwrap().to_owned();
    assert!(
        msg.starts_with(
            "Value of the path parameter id couldn't be parsed according to the definition."
        ),
        "{msg}"
    );
    let r = gw.get("/v/pets/0?limit=3").await;
    assert!(
        r.body
            .contains("The value of the path parameter id does not conform to the definition."),
        "{}",
        r.body
    );
    assert_eq!(gw.get("/v/pets/1?limit=3&fields=age").await.status, 400);
    assert_eq!(gw.get("/v/pets/1?limit=3&limit=4").await.status, 400);
    let r = gw.get("/v/pets/1").await;
    assert!(r.body.contains("query parameter limit"), "{}", r.body);

    let r = gw
        .send(
            gw.req("POST", "/v/pets?dry-run=TRUE")
                .header("x-request-id", "deadbeef"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = gw
        .send(gw.req("POST", "/v/pets").header("x-request-id", "not-hex!"))
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("header X-Request-Id"), "{}", r.body);
}

#[tokio::test]
async fn validate_parameters_overrides_and_the_subscription_key() {
    // Unspecified headers are refused unless overridden by name.
    let api = inbound(
        r#"<validate-parameters specified-parameter-action="detect" unspecified-parameter-action="prevent">
            <headers>
                <parameter name="Accept" action="ignore" />
                <parameter name="Host" action="ignore" />
                <parameter name="User-Agent" action="ignore" />
            </headers>
            <query><parameter name="trace" action="ignore" /></query>
        </validate-parameters>"#,
    );
    let gw = gw(&api).await;
    assert_eq!(gw.get("/v/pets/1?limit=1&trace=x").await.status, 200);
    // Specified problems are only detected.
    assert_eq!(gw.get("/v/pets/0?limit=99").await.status, 200);
    let r = gw
        .send(gw.req("GET", "/v/pets/1?limit=1").header("x-other", "1"))
        .await;
    assert_eq!(
        (r.status, r.body),
        (400, apim(400, "Unspecified header x-other is not allowed."))
    );
}

#[tokio::test]
async fn status_codes_and_response_headers_are_masked_502() {
    let on_error = r#"<set-header name="X-Reason" exists-action="override"><value>@(context.LastError.Reason + "|" + context.LastError.Source + "|" + context.LastError.Message)</value></set-header>"#;
    let api = outbound(
        r#"<validate-status-code unspecified-status-code-action="prevent">
            <status-code code="404" action="ignore" />
        </validate-status-code>"#,
    );
    let gw = gw_with(&api, on_error, &[]).await;
    let r = gw
        .send(gw.req("POST", "/v/pets").header("x-echo-status", "201"))
        .await;
    assert_eq!(r.status, 201);
    let r = gw
        .send(gw.req("POST", "/v/pets").header("x-echo-status", "404"))
        .await;
    assert_eq!(r.status, 404, "overridden to ignore");
    let r = gw
        .send(gw.req("POST", "/v/pets").header("x-echo-status", "500"))
        .await;
    assert_eq!((r.status, r.body.clone()), (502, apim(502, MASKED)));
    assert_eq!(
        r.header("x-reason"),
        Some("Response not allowed|validate-status-code|Response status code 500 is not allowed.")
    );
    assert!(
        r.header("x-backend").is_none(),
        "nothing of the backend's answer leaks"
    );

    let api = outbound(
        r#"<set-header name="X-Pet-Id" exists-action="override"><value>@(context.Request.Headers.GetValueOrDefault("x-pet", "1"))</value></set-header>
        <validate-headers specified-header-action="prevent" unspecified-header-action="ignore" errors-variable-name="herrs" />
        <validate-headers specified-header-action="ignore" unspecified-header-action="prevent">
            <header name="x-backend" action="ignore" />
            <header name="server" action="ignore" />
            <header name="date" action="ignore" />
            <header name="x-pet-id" action="ignore" />
        </validate-headers>"#,
    );
    let gw = self::gw(&api).await;
    let send = |pet: &'static str| {
        gw.req("POST", "/v/pets")
            .header("x-echo-status", "201")
            .header("x-pet", pet)
    };
    let r = gw.send(send("42")).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = gw.send(send("forty-two")).await;
    assert_eq!((r.status, r.body), (502, apim(502, MASKED)));
}

#[tokio::test]
async fn response_bodies_are_validated_and_masked() {
    let api = outbound(
        r#"<validate-content unspecified-content-type-action="prevent" max-size="102400" size-exceeded-action="prevent">
            <content type="application/json" validate-as="json" action="prevent" />
        </validate-content>"#,
    );
    let gw = gw(&api).await;
    // create-pet's 201 is the echo shape: valid.
    let r = gw
        .send(gw.req("POST", "/v/pets").header("x-echo-status", "201"))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["method"], "POST");
    // get-pet's 200 is a Pet: the echo body is not one.
    let r = gw.get("/v/pets/1?limit=1").await;
    assert_eq!((r.status, r.body), (502, apim(502, MASKED)));
    // A status the operation does not declare has no content type declared either.
    let r = gw
        .send(gw.req("POST", "/v/pets").header("x-echo-status", "200"))
        .await;
    assert_eq!(r.status, 502);
}

#[tokio::test]
async fn hostile_bodies_are_refused_cleanly() {
    let gw = gw(&inbound(
        r#"<validate-content unspecified-content-type-action="prevent" max-size="102400" size-exceeded-action="prevent">
            <content type="application/json" validate-as="json" action="prevent" />
        </validate-content>"#,
    ))
    .await;
    let start = Instant::now();
    let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    let huge_digits = format!(r#"{{"name": "x", "age": {}}}"#, "9".repeat(100_000));
    let cases: Vec<(String, &str)> = vec![
        (deep, "recursion limit exceeded"),
        (
            r#"{"name": "x", "age": 1e999999}"#.to_owned(),
            "number out of range",
        ),
        (huge_digits, "number out of range"),
        (
            format!(r#"{{"name": "x", "tag": "{}"#, "\\u0000".repeat(10)),
            "EOF",
        ),
    ];
    for (body, why) in cases {
        let r = post_json(&gw, "/v/pets", &body).await;
        assert_eq!(r.status, 400, "{why}");
        let msg: Value = r.json();
        assert!(
            msg["message"].as_str().unwrap().contains(why),
            "{why}: {}",
            r.body
        );
    }
    // Deeper than max-size allows: refused by size, never parsed.
    let deeper = "[".repeat(200_000);
    let r = post_json(&gw, "/v/pets", &deeper).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("exceeds the limit of 102400 bytes"));
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn configurations_the_gateway_cannot_run_are_refused() {
    let f = Folder::new()
        .file(
            "apis/pets/apiInformation.json",
            r#"{"properties": {"path": "v", "serviceUrl": "http://127.0.0.1:9"}}"#,
        )
        .file("apis/pets/specification.yaml", PETS)
        .file(
            "schemas/x/schemaInformation.json",
            r#"{"properties": {"schemaType": "xml", "value": "<xs:schema/>"}}"#,
        )
        .api_policy(
            "pets",
            &inbound(
                r#"<validate-content unspecified-content-type-action="prevent" max-size="10" size-exceeded-action="prevent">
                    <content type="text/xml" validate-as="soap" schema-id="x" action="prevent" />
                </validate-content>"#,
            ),
        );
    let err = Gateway::new(
        load(f.path()),
        GatewayOptions::default(),
        Arc::new(sigil_core::SystemClock),
    )
    .unwrap_err();
    assert!(
        matches!(&err, GatewayError::NotExecutable(d) if d[0].message.contains("validate-as=\"xml\" and \"soap\" are not supported")),
        "{err}"
    );

    f.write(
        "apis/pets/policy.xml",
        &inbound(
            r#"<validate-content unspecified-content-type-action="prevent" max-size="200000" size-exceeded-action="prevent">
                <content type="application/json" validate-as="json" schema-id="nope" action="prevent" />
            </validate-content>
            <validate-headers specified-header-action="prevent" unspecified-header-action="prevent" />"#,
        ),
    );
    let diags: Vec<String> = sigil_policy::check(f.path(), &env)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        diags
            .iter()
            .any(|d| d.contains("max-size 200000 is above APIM's limit of 102400 bytes")),
        "{diags:?}"
    );
    assert!(
        diags
            .iter()
            .any(|d| d.contains("schema 'nope' is not defined under schemas/")),
        "{diags:?}"
    );
    assert!(
        diags
            .iter()
            .any(|d| d.contains("<validate-headers> is not allowed in the inbound section")),
        "{diags:?}"
    );
}

#[tokio::test]
async fn thousands_of_parameters_are_checked_in_linear_time_and_reports_are_capped() {
    let api = inbound(
        r#"<validate-parameters specified-parameter-action="detect" unspecified-parameter-action="detect" errors-variable-name="perrs">
            <headers unspecified-parameter-action="ignore" />
        </validate-parameters>
        <set-header name="X-Errors" exists-action="override">
            <value>@(context.Variables.GetValueOrDefault<JArray>("perrs").Count.ToString())</value>
        </set-header>"#,
    );
    let gw = gw(&api).await;
    // About 50 KB: the http crate refuses URIs past 64 KiB.
    let query: String = (0..4_000).map(|i| format!("p{i}=1&x=2&")).collect();
    let start = Instant::now();
    let r = gw.get(&format!("/v/pets/1?{query}limit=1")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["headers"]["x-errors"], "100");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}
