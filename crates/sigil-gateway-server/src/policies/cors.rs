//! `cors`: answers preflight requests and adds CORS headers to matched requests.
//!
//! APIM semantics (`cors-policy.md`): only the first `cors` policy applies; a preflight
//! (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) that matches the allowed
//! origins, methods (GET and POST when none are listed) and headers gets a 200 with the CORS
//! headers and nothing else runs; an unmatched preflight or request goes on as usual, or is
//! answered with an empty 200 when `terminate-unmatched-request="true"`.

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, VARY,
};
use http::{HeaderMap, HeaderName, HeaderValue};
use sigil_policy::model::Cors;

use crate::context::{BodySlot, Exchange, Resp};
use crate::errors::Fault;
use crate::exec::Flow;

/// True for a CORS preflight request.
pub(crate) fn is_preflight(method: &str, h: &HeaderMap) -> bool {
    method.eq_ignore_ascii_case("OPTIONS")
        && h.contains_key(http::header::ORIGIN)
        && h.contains_key(http::header::ACCESS_CONTROL_REQUEST_METHOD)
}

/// Runs the policy inside the pipeline.
pub(crate) fn run(ex: &mut Exchange<'_>, c: &Cors) -> Result<Flow, Fault> {
    if ex.cors_seen {
        return Ok(Flow::Continue);
    }
    ex.cors_seen = true;
    match decide(c, &ex.method, &ex.req_headers) {
        Decision::NotCors | Decision::Unmatched => Ok(Flow::Continue),
        Decision::Terminate => {
            ex.response = Some(Resp::ok());
            Ok(Flow::Return)
        }
        Decision::Preflight(headers) => {
            ex.response = Some(Resp::with(200, headers, BodySlot::Empty));
            Ok(Flow::Return)
        }
        Decision::Actual(headers) => {
            ex.cors_headers = headers;
            Ok(Flow::Continue)
        }
    }
}

/// What the policy makes of a request.
#[derive(Debug)]
pub(crate) enum Decision {
    /// No `Origin`: not a CORS request.
    NotCors,
    /// Not allowed; go on without CORS headers.
    Unmatched,
    /// Not allowed and `terminate-unmatched-request`: empty 200.
    Terminate,
    /// Allowed preflight: answer with these headers.
    Preflight(HeaderMap),
    /// Allowed request: add these headers to the final response.
    Actual(Vec<(HeaderName, HeaderValue)>),
}

/// Decides without touching the exchange (also used before routing for preflights).
pub(crate) fn decide(c: &Cors, method: &str, h: &HeaderMap) -> Decision {
    let Some(origin) = h.get(http::header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Decision::NotCors;
    };
    let any_origin = c.allowed_origins.iter().any(|o| o == "*");
    let origin_ok = any_origin
        || c.allowed_origins
            .iter()
            .any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(origin));
    let preflight = is_preflight(method, h);
    let asked_method = if preflight {
        h.get(http::header::ACCESS_CONTROL_REQUEST_METHOD)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    } else {
        method
    };
    let method_ok = if c.allowed_methods.is_empty() {
        ["GET", "POST"]
            .iter()
            .any(|m| m.eq_ignore_ascii_case(asked_method))
    } else {
        c.allowed_methods
            .iter()
            .any(|m| m == "*" || m.eq_ignore_ascii_case(asked_method))
    };
    let asked_headers: Vec<&str> = h
        .get(http::header::ACCESS_CONTROL_REQUEST_HEADERS)
        .and_then(|v| v.to_str().ok())
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let headers_ok = !preflight
        || asked_headers.iter().all(|a| {
            c.allowed_headers
                .iter()
                .any(|x| x == "*" || x.eq_ignore_ascii_case(a))
        });
    if !(origin_ok && method_ok && headers_ok) {
        return if c.terminate_unmatched_request {
            Decision::Terminate
        } else {
            Decision::Unmatched
        };
    }
    // A credentialed response must name the origin; `*` is only sent without credentials.
    let allow_origin = if any_origin && !c.allow_credentials {
        "*"
    } else {
        origin
    };
    let mut out: Vec<(HeaderName, HeaderValue)> = Vec::new();
    let mut push = |n: HeaderName, v: &str| {
        if let Ok(v) = HeaderValue::from_str(v) {
            out.push((n, v));
        }
    };
    push(ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
    if c.allow_credentials {
        push(ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
    }
    if preflight {
        push(ACCESS_CONTROL_ALLOW_METHODS, asked_method);
        if !asked_headers.is_empty() {
            push(ACCESS_CONTROL_ALLOW_HEADERS, &asked_headers.join(","));
        }
        if let Some(age) = c.preflight_result_max_age {
            push(ACCESS_CONTROL_MAX_AGE, &age.to_string());
        }
    } else if !c.expose_headers.is_empty() {
        push(ACCESS_CONTROL_EXPOSE_HEADERS, &c.expose_headers.join(","));
    }
    if allow_origin != "*" {
        push(VARY, "Origin");
    }
    if preflight {
        let mut map = HeaderMap::new();
        for (k, v) in out {
            map.append(k, v);
        }
        Decision::Preflight(map)
    } else {
        Decision::Actual(out)
    }
}
