//! Access-control policies: check-header, ip-filter, cors, validate-jwt, validate-azure-ad-token.

use std::net::IpAddr;

use super::{
    Attrs, Cx, child_strings, child_templates, no_attrs, no_children, only_children, text_only,
};
use crate::model::{
    CheckHeader, Cors, IpFilter, IpFilterAction, JwtKey, RequiredClaim, TokenSource,
    ValidateAzureAdToken, ValidateJwt,
};
use crate::template::ValueType;
use crate::xml::Element;

pub(super) fn check_header(cx: &mut Cx<'_>, el: &Element) -> Option<CheckHeader> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let name = a
        .required(cx, "name")
        .and_then(|v| cx.template(v, ValueType::String));
    let code = a
        .required(cx, "failed-check-httpcode")
        .and_then(|v| cx.parsed::<u16>(v, "an HTTP status code"));
    let message = a
        .required(cx, "failed-check-error-message")
        .and_then(|v| cx.template(v, ValueType::String));
    let ignore_case = a
        .required(cx, "ignore-case")
        .and_then(|v| cx.parsed::<bool>(v, "true or false"));
    a.finish(cx);
    only_children(cx, el, &["value"]);
    let values = child_templates(cx, el, "value", ValueType::String);
    Some(CheckHeader {
        meta,
        name: name?,
        failed_check_httpcode: code?,
        failed_check_error_message: message?,
        ignore_case: ignore_case?,
        values,
    })
}

pub(super) fn ip_filter(cx: &mut Cx<'_>, el: &Element) -> Option<IpFilter> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let action = a.required(cx, "action").and_then(|v| {
        let s = cx.plain(v)?;
        match s.as_str() {
            "allow" => Some(IpFilterAction::Allow),
            "forbid" => Some(IpFilterAction::Forbid),
            _ => {
                cx.error(
                    v.pos,
                    format!("invalid action '{s}': expected allow or forbid"),
                );
                None
            }
        }
    });
    a.finish(cx);
    only_children(cx, el, &["address", "address-range"]);
    let addresses = child_templates(cx, el, "address", ValueType::String);
    for (t, c) in addresses
        .iter()
        .zip(el.elements().filter(|c| c.name == "address"))
    {
        if let Some(lit) = t.literal() {
            if lit.parse::<IpAddr>().is_err() {
                cx.error(&c.pos, format!("'{}' is not an IP address", t.source()));
            }
        }
    }
    let mut ranges = Vec::new();
    for c in el.elements().filter(|c| c.name == "address-range") {
        let mut ra = Attrs::new(c);
        let from = ra
            .required(cx, "from")
            .and_then(|v| cx.parsed::<IpAddr>(v, "an IP address"));
        let to = ra
            .required(cx, "to")
            .and_then(|v| cx.parsed::<IpAddr>(v, "an IP address"));
        ra.finish(cx);
        no_children(cx, c);
        if let (Some(f), Some(t)) = (from, to) {
            if f.is_ipv4() != t.is_ipv4() || f > t {
                cx.error(
                    &c.pos,
                    format!("address range {f} - {t} is empty or mixes IPv4 and IPv6"),
                );
            }
            ranges.push((f, t));
        }
    }
    Some(IpFilter {
        meta,
        action: action?,
        addresses,
        ranges,
    })
}

pub(super) fn cors(cx: &mut Cx<'_>, el: &Element) -> Option<Cors> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let allow_credentials = a.bool(cx, "allow-credentials", false);
    let terminate_unmatched_request = a.bool(cx, "terminate-unmatched-request", false);
    a.finish(cx);
    only_children(
        cx,
        el,
        &[
            "allowed-origins",
            "allowed-methods",
            "allowed-headers",
            "expose-headers",
        ],
    );
    let mut cors = Cors {
        meta,
        allow_credentials,
        terminate_unmatched_request,
        allowed_origins: Vec::new(),
        allowed_methods: Vec::new(),
        preflight_result_max_age: None,
        allowed_headers: Vec::new(),
        expose_headers: Vec::new(),
    };
    for c in el.elements() {
        match c.name.as_str() {
            "allowed-origins" => {
                no_attrs(cx, c);
                only_children(cx, c, &["origin"]);
                cors.allowed_origins = child_strings(cx, c, "origin");
            }
            "allowed-methods" => {
                let mut ma = Attrs::new(c);
                cors.preflight_result_max_age = ma
                    .get("preflight-result-max-age")
                    .and_then(|v| cx.parsed::<u32>(v, "seconds"));
                ma.finish(cx);
                only_children(cx, c, &["method"]);
                cors.allowed_methods = child_strings(cx, c, "method");
            }
            "allowed-headers" => {
                no_attrs(cx, c);
                only_children(cx, c, &["header"]);
                cors.allowed_headers = child_strings(cx, c, "header");
            }
            "expose-headers" => {
                no_attrs(cx, c);
                only_children(cx, c, &["header"]);
                cors.expose_headers = child_strings(cx, c, "header");
            }
            _ => {}
        }
    }
    if cors.allowed_origins.is_empty() {
        cx.error(
            &el.pos,
            "<cors> requires <allowed-origins> with at least one <origin>",
        );
    }
    if cors.allow_credentials && cors.allowed_origins.iter().any(|o| o == "*") {
        cx.error(
            &el.pos,
            "allow-credentials=\"true\" cannot be combined with the origin '*'",
        );
    }
    Some(cors)
}

/// Reads the token source attributes shared by the JWT policies.
fn token_source(
    cx: &mut Cx<'_>,
    a: &mut Attrs<'_>,
    el: &Element,
    default_header: Option<&str>,
) -> Option<TokenSource> {
    let header = a.string(cx, "header-name");
    let query = a.string(cx, "query-parameter-name");
    let value = a.template(cx, "token-value", ValueType::String);
    match (header, query, value) {
        (Some(h), None, None) => Some(TokenSource::Header(h)),
        (None, Some(q), None) => Some(TokenSource::Query(q)),
        (None, None, Some(v)) => Some(TokenSource::Value(v)),
        (None, None, None) => match default_header {
            Some(h) => Some(TokenSource::Header(h.to_owned())),
            None => {
                cx.error(
                    &el.pos,
                    format!(
                        "<{}> requires one of header-name, query-parameter-name or token-value",
                        el.name
                    ),
                );
                None
            }
        },
        _ => {
            cx.error(
                &el.pos,
                format!(
                    "<{}> takes only one of header-name, query-parameter-name or token-value",
                    el.name
                ),
            );
            None
        }
    }
}

fn required_claims(cx: &mut Cx<'_>, el: &Element) -> Vec<RequiredClaim> {
    no_attrs(cx, el);
    only_children(cx, el, &["claim"]);
    let mut out = Vec::new();
    for c in el.elements().filter(|c| c.name == "claim") {
        let mut ca = Attrs::new(c);
        let name = ca.required(cx, "name").and_then(|v| cx.plain(v));
        let match_all = match ca.string(cx, "match").as_deref() {
            None | Some("all") => true,
            Some("any") => false,
            Some(other) => {
                cx.error(
                    &c.pos,
                    format!("invalid match '{other}': expected all or any"),
                );
                true
            }
        };
        // `separator=" "` (the usual one, for `scp`) must survive the trimming plain values get.
        let separator = match ca.get("separator") {
            Some(v) if !v.value.is_empty() && v.value.trim().is_empty() => Some(v.value.to_owned()),
            Some(v) => cx.plain(v),
            None => None,
        };
        ca.finish(cx);
        only_children(cx, c, &["value"]);
        let values = child_strings(cx, c, "value");
        if let Some(name) = name {
            out.push(RequiredClaim {
                name,
                match_all,
                separator,
                values,
            });
        }
    }
    out
}

fn keys(cx: &mut Cx<'_>, el: &Element) -> Vec<JwtKey> {
    no_attrs(cx, el);
    only_children(cx, el, &["key"]);
    let mut out = Vec::new();
    for k in el.elements().filter(|c| c.name == "key") {
        let mut ka = Attrs::new(k);
        let key = JwtKey {
            id: ka.string(cx, "id"),
            certificate_id: ka.string(cx, "certificate-id"),
            n: ka.string(cx, "n"),
            e: ka.string(cx, "e"),
            value: None,
        };
        ka.finish(cx);
        let v = text_only(cx, k);
        let value = if v.value.trim().is_empty() {
            None
        } else {
            cx.template(v, ValueType::String)
        };
        if value.is_none() && key.certificate_id.is_none() && (key.n.is_none() || key.e.is_none()) {
            cx.error(
                &k.pos,
                "<key> needs base64 text, certificate-id, or both n and e",
            );
        }
        out.push(JwtKey { value, ..key });
    }
    out
}

fn list(cx: &mut Cx<'_>, el: &Element, child: &str) -> Vec<crate::template::Template> {
    no_attrs(cx, el);
    only_children(cx, el, &[child]);
    child_templates(cx, el, child, ValueType::String)
}

pub(super) fn validate_jwt(cx: &mut Cx<'_>, el: &Element) -> Option<ValidateJwt> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let token = token_source(cx, &mut a, el, None);
    let failed_validation_httpcode = a
        .get("failed-validation-httpcode")
        .and_then(|v| cx.parsed::<u16>(v, "an HTTP status code"))
        .unwrap_or(401);
    let failed_validation_error_message =
        a.template(cx, "failed-validation-error-message", ValueType::String);
    let require_expiration_time = a.bool(cx, "require-expiration-time", true);
    let require_scheme = a.string(cx, "require-scheme");
    let require_signed_tokens = a.bool(cx, "require-signed-tokens", true);
    let clock_skew_secs = a
        .get("clock-skew")
        .and_then(|v| cx.parsed::<u32>(v, "seconds"))
        .unwrap_or(0);
    let output_token_variable_name = a.string(cx, "output-token-variable-name");
    a.finish(cx);
    only_children(
        cx,
        el,
        &[
            "openid-config",
            "issuer-signing-keys",
            "decryption-keys",
            "audiences",
            "issuers",
            "required-claims",
        ],
    );
    let mut p = ValidateJwt {
        meta,
        token: token?,
        failed_validation_httpcode,
        failed_validation_error_message,
        require_expiration_time,
        require_scheme,
        require_signed_tokens,
        clock_skew_secs,
        output_token_variable_name,
        openid_configs: Vec::new(),
        issuer_signing_keys: Vec::new(),
        decryption_keys: Vec::new(),
        audiences: Vec::new(),
        issuers: Vec::new(),
        required_claims: Vec::new(),
    };
    for c in el.elements() {
        match c.name.as_str() {
            "openid-config" => {
                let mut oa = Attrs::new(c);
                if let Some(u) = oa
                    .required(cx, "url")
                    .and_then(|v| cx.template(v, ValueType::String))
                {
                    p.openid_configs.push(u);
                }
                oa.finish(cx);
                no_children(cx, c);
            }
            "issuer-signing-keys" => p.issuer_signing_keys.extend(keys(cx, c)),
            "decryption-keys" => p.decryption_keys.extend(keys(cx, c)),
            "audiences" => p.audiences.extend(list(cx, c, "audience")),
            "issuers" => p.issuers.extend(list(cx, c, "issuer")),
            "required-claims" => p.required_claims.extend(required_claims(cx, c)),
            _ => {}
        }
    }
    if p.openid_configs.is_empty() && p.issuer_signing_keys.is_empty() && p.require_signed_tokens {
        cx.error(
            &el.pos,
            "<validate-jwt> needs <openid-config> or <issuer-signing-keys> to verify signatures",
        );
    }
    Some(p)
}

pub(super) fn validate_azure_ad_token(
    cx: &mut Cx<'_>,
    el: &Element,
) -> Option<ValidateAzureAdToken> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let tenant_id = a
        .required(cx, "tenant-id")
        .and_then(|v| cx.template(v, ValueType::String));
    let token = token_source(cx, &mut a, el, Some("Authorization"));
    let failed_validation_httpcode = a
        .get("failed-validation-httpcode")
        .and_then(|v| cx.parsed::<u16>(v, "an HTTP status code"))
        .unwrap_or(401);
    let failed_validation_error_message =
        a.template(cx, "failed-validation-error-message", ValueType::String);
    let output_token_variable_name = a.string(cx, "output-token-variable-name");
    a.finish(cx);
    only_children(
        cx,
        el,
        &[
            "client-application-ids",
            "backend-application-ids",
            "audiences",
            "required-claims",
        ],
    );
    let mut p = ValidateAzureAdToken {
        meta,
        tenant_id: tenant_id?,
        token: token?,
        failed_validation_httpcode,
        failed_validation_error_message,
        output_token_variable_name,
        client_application_ids: Vec::new(),
        backend_application_ids: Vec::new(),
        audiences: Vec::new(),
        required_claims: Vec::new(),
    };
    for c in el.elements() {
        match c.name.as_str() {
            "client-application-ids" => {
                p.client_application_ids
                    .extend(list(cx, c, "application-id"))
            }
            "backend-application-ids" => {
                p.backend_application_ids
                    .extend(list(cx, c, "application-id"))
            }
            "audiences" => p.audiences.extend(list(cx, c, "audience")),
            "required-claims" => p.required_claims.extend(required_claims(cx, c)),
            _ => {}
        }
    }
    if p.client_application_ids.is_empty() {
        cx.error(
            &el.pos,
            "<validate-azure-ad-token> requires <client-application-ids>",
        );
    }
    Some(p)
}
