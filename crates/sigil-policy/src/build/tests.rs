use std::collections::{HashMap, HashSet};

use super::*;
use crate::diag::Diagnostic;
use crate::model::{ExistsAction, HttpVersion, IpFilterAction, TokenSource};
use crate::template::NamedValue;
use crate::xml::parse;

fn build(inbound_or_backend: &str, section: &str) -> Result<PolicyDocument, Vec<Diagnostic>> {
    let xml = format!("<policies>\n<{section}>\n{inbound_or_backend}\n</{section}>\n</policies>");
    let src = Source::new("t.xml".into(), xml);
    let root = parse(&src).map_err(|d| vec![d])?;
    let mut diags = Diags::default();
    let mut nvs = NamedValues::default();
    nvs.insert(NamedValue::new("cond", "@(true)", false));
    nvs.insert(NamedValue::new("key", "hunter2", true));
    let backends: HashSet<String> = ["known".to_owned()].into();
    let fragments = HashMap::new();
    let schemas: Schemas = [
        (
            "addr".to_owned(),
            Some(serde_json::json!({"components": {"schemas": {"address": {"type": "object", "required": ["city"]}}}})),
        ),
        ("soapy".to_owned(), None),
    ]
    .into();
    let mut cx = Cx {
        src: &src,
        nvs: &nvs,
        diags: &mut diags,
        fragments: Some(&fragments),
        backends: &backends,
        schemas: &schemas,
        scope: Scope::Api,
    };
    let doc = document(&mut cx, &root);
    if diags.has_errors() {
        Err(diags.into_sorted())
    } else {
        Ok(doc)
    }
}

fn errors(xml: &str) -> Vec<String> {
    build(xml, "inbound")
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn defaults_follow_apim() {
    let doc = build("<forward-request />", "backend").unwrap();
    let Policy::ForwardRequest(f) = &doc.backend[0] else {
        panic!()
    };
    assert_eq!(f.timeout_secs, 300);
    assert!(
        f.buffer_response
            && !f.buffer_request_body
            && !f.follow_redirects
            && !f.fail_on_error_status_code
    );
    assert_eq!(f.http_version, HttpVersion::Http1);
    let doc = build(r#"<set-header name="a"><value>x</value></set-header><validate-jwt header-name="Authorization"><openid-config url="https://x" /></validate-jwt>"#, "inbound").unwrap();
    let Policy::SetHeader(h) = &doc.inbound[0] else {
        panic!()
    };
    assert_eq!(h.exists_action, ExistsAction::Override);
    let Policy::ValidateJwt(j) = &doc.inbound[1] else {
        panic!()
    };
    assert!(matches!(&j.token, TokenSource::Header(h) if h == "Authorization"));
    assert!(j.require_signed_tokens && j.require_expiration_time);
    assert_eq!(j.clock_skew_secs, 0);
    let doc = build(r#"<validate-jwt header-name="Authorization"><openid-config url="https://x" /><required-claims><claim name="scp" separator=" "><value>a</value></claim></required-claims></validate-jwt>"#, "inbound").unwrap();
    let Policy::ValidateJwt(j) = &doc.inbound[0] else {
        panic!()
    };
    assert_eq!(j.required_claims[0].separator.as_deref(), Some(" "));
    // The sections not written inherit.
    assert!(matches!(doc.outbound.as_slice(), [Policy::Base(_)]));
}

#[test]
fn unknown_attributes_children_and_values_are_errors() {
    assert_eq!(
        errors(r#"<set-header name="a" exist-action="skip" />"#),
        ["t.xml:3:22: unknown attribute 'exist-action' on <set-header>"]
    );
    assert_eq!(
        errors(r#"<set-header name="a" exists-action="replace" />"#),
        ["t.xml:3:22: invalid exists-action 'replace': expected override, skip, append or delete"]
    );
    assert_eq!(
        errors("<set-header><value>x</value><valeu>y</valeu></set-header>"),
        [
            "t.xml:3:1: <set-header> requires attribute 'name'",
            "t.xml:3:29: unknown element <valeu> in <set-header> (expected one of: value)",
        ]
    );
    assert_eq!(
        errors("<send-one-way-request />"),
        ["t.xml:3:1: unsupported policy 'send-one-way-request'"]
    );
    assert_eq!(
        errors(r#"<retry condition="true" count="99" interval="1" />"#),
        ["t.xml:3:1: retry count 99 is outside 1-50"]
    );
    assert_eq!(
        errors(r#"<ip-filter action="allow"><address>10.0.0.300</address></ip-filter>"#),
        ["t.xml:3:27: '10.0.0.300' is not an IP address"]
    );
    assert_eq!(
        errors(r#"<set-backend-service backend-id="unknown" />"#),
        ["t.xml:3:1: backend 'unknown' is not defined under backends/"]
    );
    assert_eq!(
        errors("<choose />"),
        ["t.xml:3:1: <choose> needs at least one <when>"]
    );
    assert_eq!(
        errors(r#"<set-variable name="@(x)" value="1" />"#),
        ["t.xml:3:15: policy expressions are not allowed in attribute 'name' of <set-variable>"]
    );
    assert_eq!(errors("text"), ["t.xml:3:1: unexpected text"]);
}

#[test]
fn named_values_can_hold_expressions_and_secrets() {
    let doc = build(r#"<choose><when condition="{{cond}}"><set-header name="k"><value>{{key}}</value></set-header></when></choose>"#, "inbound").unwrap();
    let Policy::Choose(c) = &doc.inbound[0] else {
        panic!()
    };
    assert!(matches!(c.whens[0].condition, Typed::Expression(_)));
    let Policy::SetHeader(h) = &c.whens[0].policies[0] else {
        panic!()
    };
    let Template::Literal(l) = &h.values[0] else {
        panic!()
    };
    assert!(l.is_secret() && l.value() == "hunter2");
    assert!(!format!("{doc:?}").contains("hunter2"));
}

#[test]
fn expression_errors_point_into_the_expression() {
    let errs = errors(r#"<set-variable name="p" value="@(context.Principal.Id)" />"#);
    assert_eq!(errs.len(), 1, "{errs:?}");
    // Line 3; the column is inside the expression (which starts at column 31).
    assert!(errs[0].starts_with("t.xml:3:"), "{errs:?}");
    let col: u32 = errs[0].split(':').nth(2).unwrap().parse().unwrap();
    assert!((31..=52).contains(&col), "{errs:?}");
    assert!(errs[0].contains("Principal"), "{errs:?}");
}

#[test]
fn access_policies_are_typed() {
    let doc = build(
        r#"<ip-filter action="forbid"><address>10.0.0.1</address><address-range from="10.1.0.0" to="10.1.255.255" /></ip-filter>
<cors allow-credentials="true"><allowed-origins><origin>https://a.example</origin></allowed-origins></cors>
<check-header name="X" failed-check-httpcode="403" failed-check-error-message="no" ignore-case="false" />
<rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Request.IpAddress)" />"#,
        "inbound",
    )
    .unwrap();
    let Policy::IpFilter(ip) = &doc.inbound[0] else {
        panic!()
    };
    assert_eq!(ip.action, IpFilterAction::Forbid);
    assert_eq!(ip.ranges.len(), 1);
    let Policy::Cors(c) = &doc.inbound[1] else {
        panic!()
    };
    assert!(c.allow_credentials && c.allowed_methods.is_empty());
    let Policy::RateLimitByKey(r) = &doc.inbound[3] else {
        panic!()
    };
    assert!(
        matches!(r.calls, Typed::Literal(10)) && matches!(r.increment_count, Typed::Literal(1))
    );
}

#[test]
fn validation_policies_are_typed() {
    use crate::model::{TypeMatch, ValidateAs, ValidationAction};
    use crate::template::Typed;
    let doc = build(
        r##"<validate-content unspecified-content-type-action="Detect" max-size="102400" size-exceeded-action="prevent" errors-variable-name="e">
            <content-type-map missing-content-type-value="application/json" any-content-type-value="Application/JSON; charset=x">
                <type from="application/hal+json" to="application/json" />
                <type when="@(context.Request.Method == &quot;PUT&quot;)" to="application/json" />
            </content-type-map>
            <content type="application/json" validate-as="json" action="prevent" allow-additional-properties="false" />
            <content validate-as="json" schema-id="ADDR" schema-ref="#/components/schemas/address" action="detect" />
            <content type="text/xml" validate-as="soap" schema-id="soapy" action="prevent" />
        </validate-content>
        <validate-parameters specified-parameter-action="@(&quot;detect&quot;)" unspecified-parameter-action="ignore">
            <headers unspecified-parameter-action="prevent"><parameter name="Host" action="ignore" /></headers>
            <path specified-parameter-action="prevent" />
        </validate-parameters>"##,
        "inbound",
    )
    .unwrap();
    let Policy::ValidateContent(v) = &doc.inbound[0] else {
        panic!()
    };
    assert_eq!(v.unspecified_content_type_action, ValidationAction::Detect);
    let map = v.content_type_map.as_ref().unwrap();
    assert_eq!(
        map.any_content_type_value.as_deref(),
        Some("application/json")
    );
    assert!(matches!(
        &map.types[1].from,
        TypeMatch::When(Typed::Expression(_))
    ));
    assert_eq!(v.contents[0].allow_additional_properties, Some(false));
    let up = v.contents[1].schema.as_ref().unwrap();
    assert_eq!(
        up.schema_ref.as_deref(),
        Some("#/components/schemas/address")
    );
    assert!(up.compiled.check(&serde_json::json!({"city": "x"})).is_ok());
    assert_eq!(v.contents[2].validate_as, ValidateAs::Soap);
    let Policy::ValidateParameters(p) = &doc.inbound[1] else {
        panic!()
    };
    assert!(matches!(p.specified_parameter_action, Typed::Expression(_)));
    let h = p.headers.as_ref().unwrap();
    assert_eq!(h.parameters[0].name, "Host");
    assert!(p.query.is_none() && p.path.is_some());

    let errs = errors(
        r##"<validate-content unspecified-content-type-action="block" max-size="102401" size-exceeded-action="prevent">
            <content type="application/json" validate-as="yaml" action="prevent" />
            <content validate-as="json" schema-ref="#/x" action="prevent" />
            <content validate-as="json" schema-id="missing" action="prevent" />
            <content validate-as="json" schema-id="soapy" action="prevent" />
            <content validate-as="json" schema-id="addr" schema-ref="#/nope" action="prevent" />
            <content validate-as="json" />
        </validate-content>
        <validate-status-code unspecified-status-code-action="prevent"><status-code code="99" action="ignore" /></validate-status-code>
        <validate-headers specified-header-action="prevent" />"##,
    );
    let expect = [
        "invalid value 'block' for attribute 'unspecified-content-type-action' of <validate-content>: expected ignore, prevent or detect",
        "max-size 102401 is above APIM's limit of 102400 bytes",
        "invalid validate-as 'yaml': expected json, xml or soap",
        "schema-ref needs schema-id",
        "schema 'missing' is not defined under schemas/",
        "schema 'soapy' is an XML schema",
        "schema 'addr': schema-ref '#/nope' does not name anything in the schema",
        "<content> requires attribute 'action'",
        "99 is not an HTTP status code",
        "<validate-headers> requires attribute 'unspecified-header-action'",
    ];
    for e in expect {
        assert!(errs.iter().any(|x| x.contains(e)), "{e} not in {errs:#?}");
    }
}
