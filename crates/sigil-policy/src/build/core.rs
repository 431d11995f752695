//! Transformation, flow and routing policies.

use super::{Attrs, Cx, child_templates, no_children, only_children, policy_list, text_only};
use crate::model::{
    BackendTarget, Choose, ExistsAction, FindAndReplace, ForwardRequest, HttpVersion,
    IncludeFragment, LimitConcurrency, MockResponse, Retry, ReturnResponse, RewriteUri,
    SetBackendService, SetBody, SetHeader, SetMethod, SetStatus, SetVariable, Trace, When,
};
use crate::template::{Typed, ValueType};
use crate::xml::Element;

pub(super) fn set_header(cx: &mut Cx<'_>, el: &Element) -> Option<SetHeader> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let name = a
        .required(cx, "name")
        .and_then(|v| cx.template(v, ValueType::String));
    let exists_action = match a.get("exists-action") {
        None => Some(ExistsAction::Override),
        Some(v) => {
            let s = cx.plain(v)?;
            match s.as_str() {
                "override" => Some(ExistsAction::Override),
                "skip" => Some(ExistsAction::Skip),
                "append" => Some(ExistsAction::Append),
                "delete" => Some(ExistsAction::Delete),
                _ => {
                    cx.error(
                        v.pos,
                        format!(
                            "invalid exists-action '{s}': expected override, skip, append or delete"
                        ),
                    );
                    None
                }
            }
        }
    };
    a.finish(cx);
    only_children(cx, el, &["value"]);
    let values = child_templates(cx, el, "value", ValueType::String);
    Some(SetHeader {
        meta,
        name: name?,
        exists_action: exists_action?,
        values,
    })
}

pub(super) fn set_variable(cx: &mut Cx<'_>, el: &Element) -> Option<SetVariable> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let name = a.required(cx, "name").and_then(|v| cx.plain(v));
    let value = a
        .required(cx, "value")
        .and_then(|v| cx.template(v, ValueType::Any));
    a.finish(cx);
    no_children(cx, el);
    Some(SetVariable {
        meta,
        name: name?,
        value: value?,
    })
}

pub(super) fn set_method(cx: &mut Cx<'_>, el: &Element) -> Option<SetMethod> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    a.finish(cx);
    let v = text_only(cx, el);
    let method = cx.template(v, ValueType::String)?;
    if let Some(m) = method.literal() {
        if m.is_empty() || !m.bytes().all(|b| b.is_ascii_alphabetic()) {
            cx.error(
                &el.pos,
                format!("<set-method> needs an HTTP method, found '{m}'"),
            );
            return None;
        }
    }
    Some(SetMethod { meta, method })
}

pub(super) fn set_status(cx: &mut Cx<'_>, el: &Element) -> Option<SetStatus> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let code = a
        .required(cx, "code")
        .and_then(|v| cx.typed::<u16>(v, ValueType::Int, "an HTTP status code"));
    let reason = a.template(cx, "reason", ValueType::String);
    a.finish(cx);
    no_children(cx, el);
    if let Some(Typed::Literal(c)) = &code {
        if !(100..=599).contains(c) {
            cx.error(&el.pos, format!("status code {c} is outside 100-599"));
        }
    }
    Some(SetStatus {
        meta,
        code: code?,
        reason,
    })
}

pub(super) fn set_body(cx: &mut Cx<'_>, el: &Element) -> Option<SetBody> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let liquid = match a.string(cx, "template") {
        None => false,
        Some(t) if t.eq_ignore_ascii_case("liquid") => true,
        Some(t) => {
            cx.error(
                &el.pos,
                format!("invalid template '{t}': only 'liquid' is known"),
            );
            false
        }
    };
    let xsi_nil = a.string(cx, "xsi-nil");
    if let Some(x) = &xsi_nil {
        if x != "blank" && x != "null" {
            cx.error(
                &el.pos,
                format!("invalid xsi-nil '{x}': expected blank or null"),
            );
        }
    }
    let parse_date = a.bool(cx, "parse-date", true);
    a.finish(cx);
    let v = text_only(cx, el);
    let body = cx.template(v, ValueType::String)?;
    Some(SetBody {
        meta,
        body,
        liquid,
        xsi_nil,
        parse_date,
    })
}

pub(super) fn rewrite_uri(cx: &mut Cx<'_>, el: &Element) -> Option<RewriteUri> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let template = a
        .required(cx, "template")
        .and_then(|v| cx.template(v, ValueType::String));
    let copy_unmatched_params = a.bool(cx, "copy-unmatched-params", true);
    a.finish(cx);
    no_children(cx, el);
    Some(RewriteUri {
        meta,
        template: template?,
        copy_unmatched_params,
    })
}

pub(super) fn find_and_replace(cx: &mut Cx<'_>, el: &Element) -> Option<FindAndReplace> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let from = a
        .required(cx, "from")
        .and_then(|v| cx.template(v, ValueType::String));
    let to = a
        .required(cx, "to")
        .and_then(|v| cx.template(v, ValueType::String));
    a.finish(cx);
    no_children(cx, el);
    Some(FindAndReplace {
        meta,
        from: from?,
        to: to?,
    })
}

pub(super) fn choose(cx: &mut Cx<'_>, el: &Element) -> Option<Choose> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    a.finish(cx);
    only_children(cx, el, &["when", "otherwise"]);
    let mut whens = Vec::new();
    let mut otherwise = None;
    for c in el.elements() {
        match c.name.as_str() {
            "when" => {
                if otherwise.is_some() {
                    cx.error(&c.pos, "<when> after <otherwise>");
                }
                let mut wa = Attrs::new(c);
                let condition = wa.required(cx, "condition").and_then(|v| {
                    cx.typed::<bool>(v, ValueType::Bool, "true, false or an expression")
                });
                wa.finish(cx);
                let policies = policy_list(cx, c, false);
                if let Some(condition) = condition {
                    whens.push(When {
                        pos: c.pos.clone(),
                        condition,
                        policies,
                    });
                }
            }
            "otherwise" => {
                if otherwise.is_some() {
                    cx.error(&c.pos, "more than one <otherwise>");
                }
                super::no_attrs(cx, c);
                otherwise = Some(policy_list(cx, c, false));
            }
            _ => {}
        }
    }
    if whens.is_empty() && el.elements().all(|c| c.name != "when") {
        cx.error(&el.pos, "<choose> needs at least one <when>");
    }
    Some(Choose {
        meta,
        whens,
        otherwise,
    })
}

pub(super) fn set_backend_service(cx: &mut Cx<'_>, el: &Element) -> Option<SetBackendService> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let base_url = a.template(cx, "base-url", ValueType::String);
    let backend_id = a.template(cx, "backend-id", ValueType::String);
    a.finish(cx);
    no_children(cx, el);
    let target = match (base_url, backend_id) {
        (Some(u), None) => {
            if let Some(url) = u.literal() {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    cx.error(
                        &el.pos,
                        format!("base-url '{}' is not an http(s) URL", u.source()),
                    );
                }
            }
            BackendTarget::BaseUrl(u)
        }
        (None, Some(id)) => {
            if let Some(name) = id.literal() {
                if !cx.backends.contains(&name.to_ascii_lowercase()) {
                    cx.error(
                        &el.pos,
                        format!("backend '{name}' is not defined under backends/"),
                    );
                }
            }
            BackendTarget::BackendId(id)
        }
        (Some(_), Some(_)) => {
            cx.error(
                &el.pos,
                "<set-backend-service> takes base-url or backend-id, not both",
            );
            return None;
        }
        (None, None) => {
            if el
                .attrs
                .iter()
                .all(|at| at.name != "base-url" && at.name != "backend-id")
            {
                cx.error(
                    &el.pos,
                    "<set-backend-service> requires base-url or backend-id",
                );
            }
            return None;
        }
    };
    Some(SetBackendService { meta, target })
}

pub(super) fn forward_request(cx: &mut Cx<'_>, el: &Element) -> Option<ForwardRequest> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let timeout_secs = a
        .get("timeout")
        .and_then(|v| cx.parsed::<u32>(v, "seconds"))
        .unwrap_or(300);
    let follow_redirects = a.bool(cx, "follow-redirects", false);
    let buffer_request_body = a.bool(cx, "buffer-request-body", false);
    let buffer_response = a.bool(cx, "buffer-response", true);
    let fail_on_error_status_code = a.bool(cx, "fail-on-error-status-code", false);
    let http_version = match a.get("http-version") {
        None => HttpVersion::Http1,
        Some(v) => match cx.plain(v).as_deref() {
            Some("1") => HttpVersion::Http1,
            Some("2or1") => HttpVersion::Http2Or1,
            Some("2") => HttpVersion::Http2,
            Some(other) => {
                cx.error(
                    v.pos,
                    format!("invalid http-version '{other}': expected 1, 2or1 or 2"),
                );
                HttpVersion::Http1
            }
            None => HttpVersion::Http1,
        },
    };
    a.finish(cx);
    no_children(cx, el);
    Some(ForwardRequest {
        meta,
        timeout_secs,
        follow_redirects,
        buffer_request_body,
        buffer_response,
        fail_on_error_status_code,
        http_version,
    })
}

pub(super) fn return_response(cx: &mut Cx<'_>, el: &Element) -> Option<ReturnResponse> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let response_variable_name = a.string(cx, "response-variable-name");
    a.finish(cx);
    only_children(cx, el, &["set-status", "set-header", "set-body"]);
    let mut set_status = None;
    let mut set_headers = Vec::new();
    let mut set_body = None;
    for c in el.elements() {
        match c.name.as_str() {
            "set-status" => set_status = set_status.or(self::set_status(cx, c)),
            "set-header" => set_headers.extend(set_header(cx, c)),
            "set-body" => set_body = set_body.or(self::set_body(cx, c)),
            _ => {}
        }
    }
    Some(ReturnResponse {
        meta,
        response_variable_name,
        set_status,
        set_headers,
        set_body,
    })
}

pub(super) fn mock_response(cx: &mut Cx<'_>, el: &Element) -> Option<MockResponse> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let status_code = a
        .get("status-code")
        .and_then(|v| cx.parsed::<u16>(v, "an HTTP status code"))
        .unwrap_or(200);
    let content_type = a.string(cx, "content-type");
    a.finish(cx);
    no_children(cx, el);
    Some(MockResponse {
        meta,
        status_code,
        content_type,
    })
}

pub(super) fn retry(cx: &mut Cx<'_>, el: &Element) -> Option<Retry> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let condition = a
        .required(cx, "condition")
        .and_then(|v| cx.typed::<bool>(v, ValueType::Bool, "true, false or an expression"));
    let count = a
        .required(cx, "count")
        .and_then(|v| cx.typed::<u32>(v, ValueType::Int, "a count"));
    let interval = a
        .required(cx, "interval")
        .and_then(|v| cx.typed::<u32>(v, ValueType::Int, "seconds"));
    let max_interval = a
        .get("max-interval")
        .and_then(|v| cx.typed::<u32>(v, ValueType::Int, "seconds"));
    let delta = a
        .get("delta")
        .and_then(|v| cx.typed::<u32>(v, ValueType::Int, "seconds"));
    let first_fast_retry = match a.get("first-fast-retry") {
        None => Some(Typed::Literal(false)),
        Some(v) => cx.typed::<bool>(v, ValueType::Bool, "true or false"),
    };
    a.finish(cx);
    if let Some(Typed::Literal(n)) = &count {
        if !(1..=50).contains(n) {
            cx.error(&el.pos, format!("retry count {n} is outside 1-50"));
        }
    }
    let policies = policy_list(cx, el, false);
    Some(Retry {
        meta,
        condition: condition?,
        count: count?,
        interval: interval?,
        max_interval,
        delta,
        first_fast_retry: first_fast_retry?,
        policies,
    })
}

pub(super) fn limit_concurrency(cx: &mut Cx<'_>, el: &Element) -> Option<LimitConcurrency> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let key = a
        .required(cx, "key")
        .and_then(|v| cx.template(v, ValueType::String));
    let max_count = a
        .required(cx, "max-count")
        .and_then(|v| cx.parsed::<u32>(v, "a count"));
    a.finish(cx);
    let policies = policy_list(cx, el, false);
    Some(LimitConcurrency {
        meta,
        key: key?,
        max_count: max_count?,
        policies,
    })
}

pub(super) fn trace(cx: &mut Cx<'_>, el: &Element) -> Option<Trace> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let source = a.required(cx, "source").and_then(|v| cx.plain(v));
    let severity = a.string(cx, "severity").unwrap_or_else(|| "verbose".into());
    if !matches!(severity.as_str(), "verbose" | "information" | "error") {
        cx.error(
            &el.pos,
            format!("invalid severity '{severity}': expected verbose, information or error"),
        );
    }
    a.finish(cx);
    only_children(cx, el, &["message", "metadata"]);
    let message = child_templates(cx, el, "message", ValueType::String)
        .into_iter()
        .next();
    if message.is_none() && el.elements().all(|c| c.name != "message") {
        cx.error(&el.pos, "<trace> requires a <message>");
    }
    let mut metadata = Vec::new();
    for m in el.elements().filter(|c| c.name == "metadata") {
        let mut ma = Attrs::new(m);
        let name = ma.required(cx, "name").and_then(|v| cx.plain(v));
        let value = ma
            .required(cx, "value")
            .and_then(|v| cx.template(v, ValueType::String));
        ma.finish(cx);
        if let (Some(n), Some(v)) = (name, value) {
            metadata.push((n, v));
        }
    }
    Some(Trace {
        meta,
        source: source?,
        severity,
        message: message?,
        metadata,
    })
}

pub(super) fn include_fragment(cx: &mut Cx<'_>, el: &Element) -> Option<IncludeFragment> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let fragment_id = a.required(cx, "fragment-id").and_then(|v| cx.plain(v));
    a.finish(cx);
    no_children(cx, el);
    let fragment_id = fragment_id?;
    let Some(fragments) = cx.fragments else {
        cx.error(&el.pos, "a policy fragment cannot include another fragment");
        return None;
    };
    let Some(policies) = fragments.get(&fragment_id.to_ascii_lowercase()).cloned() else {
        cx.error(
            &el.pos,
            format!("policy fragment '{fragment_id}' is not defined under policy fragments/"),
        );
        return None;
    };
    Some(IncludeFragment {
        meta,
        fragment_id,
        policies,
    })
}
