//! Rate limits and quotas.

use super::{Attrs, Cx, no_children, only_children};
use crate::model::{LimitHeaders, Quota, QuotaByKey, RateLimit, RateLimitByKey, ScopedLimit};
use crate::template::{Template, Typed, ValueType};
use crate::xml::Element;

fn headers(cx: &mut Cx<'_>, a: &mut Attrs<'_>) -> LimitHeaders {
    LimitHeaders {
        retry_after_header_name: a.string(cx, "retry-after-header-name"),
        retry_after_variable_name: a.string(cx, "retry-after-variable-name"),
        remaining_calls_header_name: a.string(cx, "remaining-calls-header-name"),
        remaining_calls_variable_name: a.string(cx, "remaining-calls-variable-name"),
        total_calls_header_name: a.string(cx, "total-calls-header-name"),
    }
}

/// `<api>` / `<operation>` children of rate-limit and quota.
fn scoped(cx: &mut Cx<'_>, el: &Element, child: &str, quota: bool) -> Vec<ScopedLimit> {
    let mut out = Vec::new();
    for c in el.elements().filter(|c| c.name == child) {
        let mut a = Attrs::new(c);
        let name = a.string(cx, "name");
        let id = a.string(cx, "id");
        let calls = a
            .get("calls")
            .and_then(|v| cx.parsed::<u64>(v, "a number of calls"));
        let bandwidth_kb = if quota {
            a.get("bandwidth")
                .and_then(|v| cx.parsed::<u64>(v, "kilobytes"))
        } else {
            None
        };
        let renewal = a
            .required(cx, "renewal-period")
            .and_then(|v| cx.parsed::<u64>(v, "seconds"));
        a.finish(cx);
        if name.is_none() && id.is_none() {
            cx.error(&c.pos, format!("<{child}> requires name or id"));
        }
        let operations = if child == "api" {
            only_children(cx, c, &["operation"]);
            scoped(cx, c, "operation", quota)
        } else {
            no_children(cx, c);
            Vec::new()
        };
        if let Some(renewal_period_secs) = renewal {
            out.push(ScopedLimit {
                name,
                id,
                calls,
                bandwidth_kb,
                renewal_period_secs,
                operations,
            });
        }
    }
    out
}

/// `counter-key`, `increment-condition` and `increment-count`, shared by the `*-by-key` policies.
fn counter_attrs(
    cx: &mut Cx<'_>,
    a: &mut Attrs<'_>,
) -> (Option<Template>, Option<Typed<bool>>, Option<Typed<u64>>) {
    let counter_key = a
        .required(cx, "counter-key")
        .and_then(|v| cx.template(v, ValueType::String));
    let increment_condition = a
        .get("increment-condition")
        .and_then(|v| cx.typed::<bool>(v, ValueType::Bool, "true or false"));
    let increment_count = match a.get("increment-count") {
        None => Some(Typed::Literal(1)),
        Some(v) => cx.typed::<u64>(v, ValueType::Int, "a count"),
    };
    (counter_key, increment_condition, increment_count)
}

fn check_window(cx: &mut Cx<'_>, el: &Element, v: Option<&Typed<u64>>) {
    if let Some(Typed::Literal(p)) = v {
        if *p == 0 || *p > 300 {
            cx.error(
                &el.pos,
                format!("renewal-period {p} is outside 1-300 seconds"),
            );
        }
    }
}

pub(super) fn rate_limit(cx: &mut Cx<'_>, el: &Element) -> Option<RateLimit> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let calls = a
        .required(cx, "calls")
        .and_then(|v| cx.parsed::<u64>(v, "a number of calls"));
    let renewal = a
        .required(cx, "renewal-period")
        .and_then(|v| cx.parsed::<u64>(v, "seconds"));
    let headers = headers(cx, &mut a);
    a.finish(cx);
    only_children(cx, el, &["api"]);
    let apis = scoped(cx, el, "api", false);
    check_window(cx, el, renewal.map(Typed::Literal).as_ref());
    Some(RateLimit {
        meta,
        calls: calls?,
        renewal_period_secs: renewal?,
        headers,
        apis,
    })
}

pub(super) fn rate_limit_by_key(cx: &mut Cx<'_>, el: &Element) -> Option<RateLimitByKey> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let calls = a
        .required(cx, "calls")
        .and_then(|v| cx.typed::<u64>(v, ValueType::Int, "a number of calls"));
    let renewal = a
        .required(cx, "renewal-period")
        .and_then(|v| cx.typed::<u64>(v, ValueType::Int, "seconds"));
    let (counter_key, increment_condition, increment_count) = counter_attrs(cx, &mut a);
    let headers = headers(cx, &mut a);
    a.finish(cx);
    no_children(cx, el);
    check_window(cx, el, renewal.as_ref());
    Some(RateLimitByKey {
        meta,
        calls: calls?,
        renewal_period: renewal?,
        counter_key: counter_key?,
        increment_condition,
        increment_count: increment_count?,
        headers,
    })
}

pub(super) fn quota(cx: &mut Cx<'_>, el: &Element) -> Option<Quota> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let calls = a
        .get("calls")
        .and_then(|v| cx.parsed::<u64>(v, "a number of calls"));
    let bandwidth_kb = a
        .get("bandwidth")
        .and_then(|v| cx.parsed::<u64>(v, "kilobytes"));
    let renewal = a
        .required(cx, "renewal-period")
        .and_then(|v| cx.parsed::<u64>(v, "seconds"));
    a.finish(cx);
    if calls.is_none() && bandwidth_kb.is_none() {
        cx.error(&el.pos, "<quota> requires calls or bandwidth");
    }
    only_children(cx, el, &["api"]);
    let apis = scoped(cx, el, "api", true);
    Some(Quota {
        meta,
        calls,
        bandwidth_kb,
        renewal_period_secs: renewal?,
        apis,
    })
}

pub(super) fn quota_by_key(cx: &mut Cx<'_>, el: &Element) -> Option<QuotaByKey> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let calls = a
        .get("calls")
        .and_then(|v| cx.typed::<u64>(v, ValueType::Int, "a number of calls"));
    let bandwidth_kb = a
        .get("bandwidth")
        .and_then(|v| cx.typed::<u64>(v, ValueType::Int, "kilobytes"));
    let renewal = a
        .required(cx, "renewal-period")
        .and_then(|v| cx.typed::<u64>(v, ValueType::Int, "seconds"));
    let (counter_key, increment_condition, increment_count) = counter_attrs(cx, &mut a);
    let first_period_start = a.string(cx, "first-period-start");
    a.finish(cx);
    no_children(cx, el);
    if calls.is_none() && bandwidth_kb.is_none() {
        cx.error(&el.pos, "<quota-by-key> requires calls or bandwidth");
    }
    if let Some(Typed::Literal(p)) = &renewal {
        if *p != 0 && *p < 300 {
            cx.error(
                &el.pos,
                format!("renewal-period {p} is below the 300-second minimum (0 means no renewal)"),
            );
        }
    }
    Some(QuotaByKey {
        meta,
        calls,
        bandwidth_kb,
        renewal_period: renewal?,
        counter_key: counter_key?,
        increment_condition,
        increment_count: increment_count?,
        first_period_start,
    })
}
