//! `rate-limit`, `rate-limit-by-key`, `quota`, `quota-by-key` over a [`CounterStore`].
//!
//! A request is admitted while its counter is below the limit and then counted. With an
//! `increment-condition` (which may read `context.Response`), inbound only checks and the
//! count is added after the response, when the condition holds (APIM semantics). Quota
//! bandwidth is always counted after the response: request plus response body kilobytes, as far
//! as their sizes are known (`Content-Length` or a buffered body).
//!
//! `rate-limit` and `quota` count per subscription and do nothing without one (APIM: "only
//! applies when a subscription key is used"). `quota` windows start at the Unix epoch (APIM
//! aligns them to the subscription's creation, which APIOps does not export).

use std::time::Duration;

use http::{HeaderName, HeaderValue};
use sigil_policy::model::{
    LimitHeaders, Quota, QuotaByKey, RateLimit, RateLimitByKey, ScopedLimit,
};
use sigil_policy::template::Typed;

use crate::context::{Exchange, lock};
use crate::counters::{CounterStore, Decision, Window};
use crate::errors::Fault;
use crate::eval;
use crate::exec::Env;

/// A count to add once the response is known.
#[derive(Debug)]
pub(crate) struct Deferred {
    key: String,
    window: Window,
    amount: u64,
    condition: Option<Typed<bool>>,
    /// Count the exchange's kilobytes instead of `amount`.
    bandwidth: bool,
}

// Counter names are the store's keys (a shared store's too), so their text must stay as it is:
// `rl:` and `q:` keep a rate limit and a quota on the same key value apart. They are written
// into one String sized up front rather than with `format!`, which grows its guess.

/// Room for the longest suffix `count_quota` appends (`:calls`), so that it never reallocates.
const SUFFIX_ROOM: usize = ":calls".len();

/// Initial room for a subscription's counter names (most fit without growing).
const SUBSCRIPTION_NAME_ROOM: usize = 96;

/// `prefix` followed by `rest`, with room for a suffix.
fn counter_name(prefix: &str, rest: &str) -> String {
    let mut s = String::with_capacity(prefix.len() + rest.len() + SUFFIX_ROOM);
    s.push_str(prefix);
    s.push_str(rest);
    s
}

/// Where an `<api>` / `<operation>` limit applies: part of its counter's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope<'a> {
    Api(&'a str),
    Operation(&'a str, &'a str),
}

/// `{family}{sub}` (the product's limit) or `{family}{sub}:api:{api}` /
/// `{family}{sub}:op:{api}:{op}`, over `buf`.
fn subscription_name(buf: &mut String, family: &str, sub: &str, scope: Option<Scope<'_>>) {
    buf.clear();
    buf.push_str(family);
    buf.push_str(sub);
    match scope {
        None => {}
        Some(Scope::Api(api)) => {
            buf.push_str(":api:");
            buf.push_str(api);
        }
        Some(Scope::Operation(api, op)) => {
            buf.push_str(":op:");
            buf.push_str(api);
            buf.push(':');
            buf.push_str(op);
        }
    }
}

/// `rate-limit`: the product limit plus any matching `<api>` / `<operation>` limit.
pub(crate) fn rate_limit(ex: &mut Exchange<'_>, env: &Env<'_>, p: &RateLimit) -> Result<(), Fault> {
    // The subscription and API outlive the exchange borrow: no copies of their names.
    let Some(sub) = ex.who.subscription.as_ref().map(|(s, _)| *s) else {
        return Ok(());
    };
    let scopes = scoped(ex, &p.apis);
    let limits = std::iter::once((None, p.calls, p.renewal_period_secs)).chain(
        scopes
            .iter()
            .filter_map(|(scope, l)| l.calls.map(|c| (Some(*scope), c, l.renewal_period_secs))),
    );
    let mut key = String::with_capacity(SUBSCRIPTION_NAME_ROOM);
    for (scope, calls, period) in limits {
        subscription_name(&mut key, "rl:sub:", &sub.id, scope);
        let window = Window::Sliding(Duration::from_secs(period.max(1)));
        let d = env
            .shared
            .counters
            .hit(&key, window, calls, ex.clock.now(), 1);
        report(ex, "rate-limit", &p.headers, d, calls)?;
    }
    Ok(())
}

/// `rate-limit-by-key`
pub(crate) fn rate_limit_by_key(
    ex: &mut Exchange<'_>,
    env: &Env<'_>,
    p: &RateLimitByKey,
) -> Result<(), Fault> {
    let calls = eval::int(ex, &p.calls, "calls")?;
    let period: u64 = eval::int(ex, &p.renewal_period, "renewal-period")?;
    let key = counter_name("rl:key:", &eval::text(ex, &p.counter_key)?);
    let amount = eval::int(ex, &p.increment_count, "increment-count")?;
    let window = Window::Sliding(Duration::from_secs(period.clamp(1, 300)));
    let now = ex.clock.now();
    let d = if p.increment_condition.is_some() {
        let d = env.shared.counters.hit(&key, window, calls, now, 0);
        if d.allowed {
            ex.deferred.push(Deferred {
                key,
                window,
                amount,
                condition: p.increment_condition.clone(),
                bandwidth: false,
            });
        }
        d
    } else {
        env.shared.counters.hit(&key, window, calls, now, amount)
    };
    report(ex, "rate-limit-by-key", &p.headers, d, calls)
}

/// `quota`: calls and bandwidth per subscription, plus matching `<api>` / `<operation>` quotas.
pub(crate) fn quota(ex: &mut Exchange<'_>, env: &Env<'_>, p: &Quota) -> Result<(), Fault> {
    let Some(sub) = ex.who.subscription.as_ref().map(|(s, _)| *s) else {
        return Ok(());
    };
    let scopes = scoped(ex, &p.apis);
    let limits = std::iter::once((None, p.calls, p.bandwidth_kb, p.renewal_period_secs)).chain(
        scopes
            .iter()
            .map(|(scope, l)| (Some(*scope), l.calls, l.bandwidth_kb, l.renewal_period_secs)),
    );
    for (scope, calls, kb, period) in limits {
        // APIM: "relative to the start time of the subscription".
        let window = Window::Fixed {
            start: sub.started.unwrap_or(0),
            period: Duration::from_secs(period),
        };
        let mut key = String::with_capacity(SUBSCRIPTION_NAME_ROOM);
        subscription_name(&mut key, "q:sub:", &sub.id, scope);
        count_quota(ex, env, "quota", key, window, calls, kb, 1, None)?;
    }
    Ok(())
}

/// `quota-by-key`
pub(crate) fn quota_by_key(
    ex: &mut Exchange<'_>,
    env: &Env<'_>,
    p: &QuotaByKey,
) -> Result<(), Fault> {
    let calls = p
        .calls
        .as_ref()
        .map(|c| eval::int(ex, c, "calls"))
        .transpose()?;
    let kb = p
        .bandwidth_kb
        .as_ref()
        .map(|b| eval::int(ex, b, "bandwidth"))
        .transpose()?;
    let period: u64 = eval::int(ex, &p.renewal_period, "renewal-period")?;
    let amount = eval::int(ex, &p.increment_count, "increment-count")?;
    let key = counter_name("q:key:", &eval::text(ex, &p.counter_key)?);
    let start = match p.first_period_start.as_deref() {
        Some(s) => parse_start(s).ok_or_else(|| Fault::bad_value("first-period-start", s))?,
        None => DOTNET_MIN,
    };
    let window = Window::Fixed {
        start,
        period: Duration::from_secs(period),
    };
    let cond = p.increment_condition.clone();
    count_quota(
        ex,
        env,
        "quota-by-key",
        key,
        window,
        calls,
        kb,
        amount,
        cond,
    )
}

/// `0001-01-01T00:00:00Z` in Unix seconds (APIM's default `first-period-start`).
const DOTNET_MIN: i64 = -62_135_596_800;

fn parse_start(s: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
        .ok()?;
    Some(t.unix_timestamp())
}

/// Counts one quota: `key` is its name, `{key}:kb` and `{key}:calls` its two counters.
#[allow(clippy::too_many_arguments)] // one call site per policy; a struct would only rename them
fn count_quota(
    ex: &mut Exchange<'_>,
    env: &Env<'_>,
    source: &str,
    mut key: String,
    window: Window,
    calls: Option<u64>,
    kb: Option<u64>,
    amount: u64,
    condition: Option<Typed<bool>>,
) -> Result<(), Fault> {
    let now = ex.clock.now();
    let store = &env.shared.counters;
    let renews = |d: &Decision| match window {
        Window::Fixed { period, .. } if period.is_zero() => None,
        _ => Some(d.retry_after),
    };
    // The counters' names are `key` plus a suffix, written in place and cut off again.
    let base = key.len();
    if let Some(kb) = kb {
        key.push_str(":kb");
        let d = store.hit(&key, window, kb.saturating_mul(1024), now, 0);
        key.truncate(base);
        if !d.allowed {
            retry_header(ex, renews(&d));
            return Err(Fault::quota_exceeded(source, true, renews(&d)));
        }
    }
    // "If multiple policies would increment the same key value, it is incremented only once
    // per request." (`key` itself is recorded below, on every way out from here on.)
    let first = !ex.counted.contains(key.as_str());
    let mut refused = None;
    if let Some(calls) = calls {
        key.push_str(":calls");
        let now_amount = if condition.is_some() || !first {
            0
        } else {
            amount
        };
        let d = store.hit(&key, window, calls, now, now_amount);
        if !d.allowed {
            refused = Some(d);
        } else if condition.is_some() && first {
            ex.deferred.push(Deferred {
                key: key.clone(),
                window,
                amount,
                condition: condition.clone(),
                bandwidth: false,
            });
        }
        key.truncate(base);
    }
    if refused.is_none() && kb.is_some() && first {
        ex.deferred.push(Deferred {
            key: counter_name(&key, ":kb"),
            window,
            amount: 0,
            condition,
            bandwidth: true,
        });
    }
    if first {
        ex.counted.insert(key);
    }
    if let Some(d) = refused {
        retry_header(ex, renews(&d));
        return Err(Fault::quota_exceeded(source, false, renews(&d)));
    }
    Ok(())
}

fn retry_header(ex: &mut Exchange<'_>, after: Option<Duration>) {
    if let Some(d) = after {
        push(ex, "retry-after", d.as_secs().max(1));
    }
}

/// The `<api>` / `<operation>` limits matching this request, with their scopes. The scopes
/// borrow the configuration, not the exchange, so the exchange stays free to change.
fn scoped<'c, 'p>(ex: &Exchange<'c>, apis: &'p [ScopedLimit]) -> Vec<(Scope<'c>, &'p ScopedLimit)> {
    let api: &'c str = &ex.who.api.name;
    let op: Option<&'c str> = ex.who.operation.map(|o| o.name.as_str());
    let hit = |l: &ScopedLimit, name: &str| match &l.id {
        Some(id) => id == name,
        None => l.name.as_deref() == Some(name),
    };
    let mut out = Vec::new();
    for a in apis.iter().filter(|a| hit(a, api)) {
        out.push((Scope::Api(api), a));
        if let Some(op) = op {
            for o in a.operations.iter().filter(|o| hit(o, op)) {
                out.push((Scope::Operation(api, op), o));
            }
        }
    }
    out
}

/// Headers and variables of a rate-limit decision; the 429 when refused.
fn report(
    ex: &mut Exchange<'_>,
    source: &str,
    h: &LimitHeaders,
    d: Decision,
    total: u64,
) -> Result<(), Fault> {
    if let Some(n) = &h.remaining_calls_header_name {
        push(ex, n, d.remaining);
    }
    if let Some(n) = &h.remaining_calls_variable_name {
        let v = i64::try_from(d.remaining).unwrap_or(i64::MAX);
        ex.variables.insert(n.clone(), sigil_expr::Value::Int(v));
    }
    if let Some(n) = &h.total_calls_header_name {
        push(ex, n, total);
    }
    if d.allowed {
        return Ok(());
    }
    let secs = d.retry_after.as_secs().max(1);
    let name = h
        .retry_after_header_name
        .as_deref()
        .unwrap_or("Retry-After");
    push(ex, name, secs);
    if let Some(n) = &h.retry_after_variable_name {
        let v = i64::try_from(secs).unwrap_or(i64::MAX);
        ex.variables.insert(n.clone(), sigil_expr::Value::Int(v));
    }
    Err(Fault::rate_limited(source, secs))
}

/// Sets a limit header to a number (written by `HeaderValue` itself, no String on the way).
fn push(ex: &mut Exchange<'_>, name: &str, value: u64) {
    if let Ok(n) = HeaderName::from_bytes(name.as_bytes()) {
        ex.limit_headers.retain(|(k, _)| *k != n);
        ex.limit_headers.push((n, HeaderValue::from(value)));
    }
}

/// Adds the counts decided after the response (conditions see `context.Response`). A
/// condition that fails to evaluate counts nothing (the response is already decided).
pub(crate) fn settle(ex: &mut Exchange<'_>, store: &dyn CounterStore) {
    let now = ex.clock.now();
    for d in std::mem::take(&mut ex.deferred) {
        let go = match &d.condition {
            None => true,
            Some(c) => eval::boolean(ex, c).unwrap_or_else(|f| {
                tracing::debug!(reason = %f.error.message, "increment-condition failed");
                false
            }),
        };
        if !go {
            continue;
        }
        let amount = if d.bandwidth { kilobytes(ex) } else { d.amount };
        if amount > 0 {
            store.add(&d.key, d.window, now, amount);
        }
    }
}

/// Request plus response bytes in kilobytes, rounded up.
fn kilobytes(ex: &Exchange<'_>) -> u64 {
    let declared = |h: &http::HeaderMap| {
        h.get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
    };
    let slot_len = |s: &crate::context::BodySlot| match s {
        crate::context::BodySlot::Bytes(b) => Some(b.len() as u64),
        _ => None,
    };
    let req = declared(&ex.req_headers)
        .or_else(|| slot_len(&lock(&ex.req_body)))
        .unwrap_or(0);
    let resp = ex.response.as_ref().map_or(0, |r| {
        declared(&r.headers)
            .or_else(|| slot_len(&lock(&r.body)))
            .unwrap_or(0)
    });
    req.saturating_add(resp).div_ceil(1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_period_start_parses() {
        assert_eq!(parse_start("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_start("0001-01-01T00:00:00Z"), Some(DOTNET_MIN));
        assert_eq!(parse_start("yesterday"), None);
    }

    /// The names as `format!` wrote them before: they are the store's keys and must not change.
    #[test]
    fn counter_names_are_unchanged() {
        assert_eq!(counter_name("rl:key:", "10.0.0.1"), "rl:key:10.0.0.1");
        assert_eq!(counter_name("q:key:", "tenant"), "q:key:tenant");
        let mut buf = String::from("left over");
        subscription_name(&mut buf, "rl:sub:", "sid", None);
        assert_eq!(buf, "rl:sub:sid");
        subscription_name(&mut buf, "rl:sub:", "sid", Some(Scope::Api("orders")));
        assert_eq!(buf, "rl:sub:sid:api:orders");
        subscription_name(
            &mut buf,
            "q:sub:",
            "sid",
            Some(Scope::Operation("orders", "get-item")),
        );
        assert_eq!(buf, "q:sub:sid:op:orders:get-item");
        // count_quota's suffixes fit in the room left for them.
        let mut q = counter_name("q:key:", "tenant");
        let cap = q.capacity();
        q.push_str(":calls");
        assert_eq!(q, "q:key:tenant:calls");
        assert_eq!(q.capacity(), cap);
    }
}
