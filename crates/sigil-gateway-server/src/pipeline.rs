//! One request from start to finish: framing and path checks, route, CORS preflight,
//! subscription key, then inbound → backend → outbound, or on-error.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::body::HttpBody as _;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST, TRANSFER_ENCODING};
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode};
use http_body_util::Limited;
use sigil_policy::model::{Cors, Policy, Section};
use sigil_policy::route::RouteError;
use sigil_policy::{Access, SubscriptionError};

use crate::context::{BodySlot, Exchange, Identity, Original, Resp};
use crate::errors::{self, Fault};
use crate::exec::{Env, Flow, Loc, run_section};
use crate::policies::{cors, limits};
use crate::runtime::{Prepared, Runtime};
use crate::url::parse_query;
use crate::{Shared, proxy};

/// Handles one request with the configuration generation `rt`.
pub(crate) async fn handle(
    shared: &Shared,
    rt: Arc<Runtime>,
    req: Request<Body>,
    peer: Option<IpAddr>,
) -> Response<Body> {
    let (mut parts, body) = req.into_parts();
    let h = &parts.headers;
    // hyper refuses most ambiguous framing; these are the cases it leaves to the application.
    if h.contains_key(TRANSFER_ENCODING) && h.contains_key(CONTENT_LENGTH)
        || h.get_all(CONTENT_LENGTH).iter().count() > 1
    {
        return errors::early(400, "Bad Request");
    }
    let declared = h
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > shared.opts.max_body_bytes as u64) {
        return errors::early(413, "Request Entity Too Large");
    }
    let raw_path = parts.uri.path();
    if has_dot_segment(raw_path) {
        return errors::early(400, "Bad Request");
    }
    let cfg = &rt.cfg;
    let method = parts.method.as_str();
    let query = parse_query(parts.uri.query().unwrap_or(""));
    let preflight = cors::is_preflight(method, h);

    let (api_name, op_name, matched, op_path) = match cfg.route(method, raw_path) {
        Ok(m) => (m.api, Some(m.operation), m.params, m.operation_path),
        Err(RouteError::OperationNotFound(api)) => match cfg.apis.get_key_value(&api) {
            Some((name, _)) => (name.as_str(), None, Vec::new(), String::new()),
            None => return errors::early(404, errors::MSG_NOT_FOUND),
        },
        Err(RouteError::ApiNotFound) => return errors::early(404, errors::MSG_NOT_FOUND),
        Err(_) => return errors::early(400, "Bad Request"),
    };
    let Some(api) = cfg.apis.get(api_name) else {
        return errors::early(404, errors::MSG_NOT_FOUND);
    };

    if preflight {
        if let Some(resp) = answer_preflight(&rt, api_name, op_name, raw_path, h) {
            return resp;
        }
    }

    let peer = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let xff = h.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let (client_ip, forwarded_for) = proxy::client_ip(peer, xff, &shared.opts.trusted_proxies);
    let incoming_tp = h.get("traceparent").and_then(|v| v.to_str().ok());

    let operation = op_name.and_then(|o| api.operations.get(o));
    let mut fault = None;
    let access = match operation {
        None => {
            fault = Some(Fault::operation_not_found());
            None
        }
        Some(_) => {
            let key = cfg.subscription_key(
                api_name,
                &|n| h.get(n).and_then(|v| v.to_str().ok()),
                &|n| query.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str()),
            );
            match cfg.authorize(api_name, key) {
                Ok(a) => Some(a),
                Err(SubscriptionError::KeyNotFound) => {
                    fault = Some(Fault::key_missing());
                    None
                }
                Err(_) => {
                    fault = Some(Fault::key_invalid());
                    None
                }
            }
        }
    };
    let product = match &access {
        Some(Access::Subscription { product, .. }) => product.map(|p| p.name.as_str()),
        Some(Access::OpenProduct(p)) => Some(p.name.as_str()),
        _ => None,
    };
    let prepared = match op_name {
        Some(op) => rt.effective(api_name, op, product),
        None => rt.api_scope(api_name),
    };
    let Some(prepared) = prepared else {
        return errors::early(404, errors::MSG_NOT_FOUND);
    };

    let host = h
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| parts.uri.authority().map(http::uri::Authority::as_str))
        .unwrap_or("localhost");
    let scheme = parts.uri.scheme_str().unwrap_or("http").to_owned();
    let (host_name, port) = split_host(host, if scheme == "https" { 443 } else { 80 });
    let start = shared.clock.now();
    let traceparent = proxy::traceparent(incoming_tp);
    let mut ex = Exchange {
        cfg,
        clock: &*shared.clock,
        deployment: &shared.deployment,
        who: Identity::new(api, operation, access.as_ref()),
        start,
        request_id: uuid::Uuid::new_v4(),
        client_ip,
        method: method.to_owned(),
        original: Original {
            scheme,
            host: host_name,
            port,
            path: raw_path.to_owned(),
            query: query.clone(),
        },
        matched,
        path: if op_path.is_empty() {
            "/".into()
        } else {
            op_path
        },
        query,
        backend: rt.backend(api_name),
        backend_headers: Vec::new(),
        backend_query: Vec::new(),
        // Moved, not cloned: nothing reads the request head after this point.
        req_headers: std::mem::take(&mut parts.headers),
        req_body: Mutex::new(BodySlot::Empty),
        response: None,
        variables: HashMap::new(),
        last_error: None,
        cors_headers: Vec::new(),
        cors_seen: false,
        traceparent,
        forwarded_for,
        limit_headers: Vec::new(),
        deferred: Vec::new(),
        counted: std::collections::HashSet::new(),
    };
    let span = tracing::debug_span!("gateway", request_id = %ex.request_id, api = api_name, operation = op_name.unwrap_or(""));
    let _enter = span.enter();
    let env = Env { shared, prepared };
    if let Some(f) = fault {
        return on_error(&mut ex, &env, prepared, f).await;
    }

    // The body: buffered when a policy may read it, else streamed with the size limit.
    let limit = shared.opts.max_body_bytes;
    let slot = if body.is_end_stream() {
        BodySlot::Empty
    } else if prepared.buffer_request {
        let read = proxy::collect(body, limit);
        match tokio::time::timeout(shared.opts.client_body_timeout, read).await {
            Ok(Ok(b)) => BodySlot::Bytes(b),
            Ok(Err(proxy::CollectError::TooLarge)) => {
                return on_error(&mut ex, &env, prepared, Fault::body_too_large()).await;
            }
            Ok(Err(proxy::CollectError::Io(e))) => {
                tracing::debug!(error = %e, "request body unreadable");
                let f = Fault::client_connection("The request body could not be read.");
                return on_error(&mut ex, &env, prepared, f).await;
            }
            Err(_) => {
                let f = Fault::client_connection("Timed out reading the request body.");
                return on_error(&mut ex, &env, prepared, f).await;
            }
        }
    } else {
        BodySlot::Stream(Body::new(Limited::new(body, limit)))
    };
    ex.req_body = Mutex::new(slot);

    match run_sections(&mut ex, &env, prepared).await {
        Ok(()) => {
            limits::settle(&mut ex, &*shared.counters);
            finish(&mut ex)
        }
        Err(f) => on_error(&mut ex, &env, prepared, f).await,
    }
}

async fn run_sections(
    ex: &mut Exchange<'_>,
    env: &Env<'_>,
    prepared: &Prepared,
) -> Result<(), Fault> {
    let doc = &prepared.doc;
    for (section, list) in [
        (Section::Inbound, &doc.inbound),
        (Section::Backend, &doc.backend),
        (Section::Outbound, &doc.outbound),
    ] {
        if run_section(ex, env, list, Loc::section(section)).await? == Flow::Return {
            break;
        }
    }
    Ok(())
}

/// Sets `context.LastError` and the default error response, runs `on-error`, and answers.
async fn on_error(
    ex: &mut Exchange<'_>,
    env: &Env<'_>,
    prepared: &Prepared,
    f: Fault,
) -> Response<Body> {
    tracing::debug!(source = %f.error.source, reason = %f.error.reason, section = %f.error.section, path = %f.error.path, "policy error");
    if let Some((status, body)) = errors::render(&f.response, &ex.request_id) {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        ex.response = Some(Resp::with(
            status.as_u16(),
            headers,
            BodySlot::Bytes(body.into()),
        ));
    } else if ex.response.is_none() {
        ex.response = Some(Resp::ok());
    }
    ex.last_error = Some(f.error.clone());
    let on_error = &prepared.doc.on_error;
    if let Err(again) = run_section(ex, env, on_error, Loc::section(Section::OnError)).await {
        tracing::warn!(source = %again.error.source, reason = %again.error.reason, "on-error section failed");
        return internal_error(&ex.request_id);
    }
    limits::settle(ex, &*env.shared.counters);
    finish(ex)
}

fn internal_error(id: &uuid::Uuid) -> Response<Body> {
    let mut r = Response::new(Body::from(errors::internal_error_body(id)));
    *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// Turns the exchange's response into the HTTP response (an empty 200 if nothing set one).
fn finish(ex: &mut Exchange<'_>) -> Response<Body> {
    let r = ex.response.take().unwrap_or_else(Resp::ok);
    let mut headers = r.headers;
    proxy::strip_hop_by_hop(&mut headers);
    for (k, v) in std::mem::take(&mut ex.cors_headers) {
        headers.insert(k, v);
    }
    for (k, v) in std::mem::take(&mut ex.limit_headers) {
        headers.insert(k, v);
    }
    let body = match r
        .body
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
    {
        BodySlot::Bytes(b) => {
            headers.remove(CONTENT_LENGTH);
            Body::from(b)
        }
        BodySlot::Stream(s) => s,
        BodySlot::Empty | BodySlot::Consumed => {
            headers.remove(CONTENT_LENGTH);
            Body::empty()
        }
    };
    let mut resp = Response::new(body);
    *resp.status_mut() =
        StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    *resp.headers_mut() = headers;
    if let Some(reason) = r.reason {
        if let Ok(p) = hyper::ext::ReasonPhrase::try_from(reason.into_bytes()) {
            resp.extensions_mut().insert(p);
        }
    }
    resp
}

/// Answers a CORS preflight with the first `cors` policy of the API (or of the operation the
/// preflight asks about) before routing and subscription checks, as APIM does: browsers send
/// no key on a preflight. `None` means go on as a normal request.
fn answer_preflight(
    rt: &Runtime,
    api: &str,
    op: Option<&str>,
    path: &str,
    h: &HeaderMap,
) -> Option<Response<Body>> {
    let asked = h
        .get(http::header::ACCESS_CONTROL_REQUEST_METHOD)
        .and_then(|v| v.to_str().ok())?;
    let op = match op {
        Some(o) => Some(o.to_owned()),
        None => rt
            .cfg
            .route(asked, path)
            .ok()
            .map(|m| m.operation.to_owned()),
    };
    let prepared = match &op {
        Some(o) => rt.effective(api, o, None),
        None => rt.api_scope(api),
    }?;
    let c = first_cors(&prepared.doc.inbound)?;
    match cors::decide(c, "OPTIONS", h) {
        cors::Decision::Preflight(headers) => {
            let mut r = Response::new(Body::empty());
            *r.headers_mut() = headers;
            Some(r)
        }
        cors::Decision::Terminate => Some(Response::new(Body::empty())),
        _ => None,
    }
}

/// The first `cors` policy that always runs (top level or in a fragment).
fn first_cors(list: &[Policy]) -> Option<&Cors> {
    list.iter().find_map(|p| match p {
        Policy::Cors(c) => Some(&**c),
        Policy::IncludeFragment(f) => first_cors(&f.policies),
        _ => None,
    })
}

/// True when a raw path has a `.` or `..` segment, also percent-encoded. Clients normalise
/// these away; one that arrives is an attempt to reach a path through another's prefix, and
/// is refused rather than resolved.
pub(crate) fn has_dot_segment(raw: &str) -> bool {
    raw.split('/').any(|seg| {
        // A segment of one or two dots, each written `.` or `%2e` (any case); no allocation,
        // this runs on every request.
        let mut rest = seg.as_bytes();
        let mut dots = 0;
        while !rest.is_empty() {
            if rest[0] == b'.' {
                rest = &rest[1..];
            } else if rest.len() >= 3 && rest[..3].eq_ignore_ascii_case(b"%2e") {
                rest = &rest[3..];
            } else {
                return false;
            }
            dots += 1;
        }
        dots == 1 || dots == 2
    })
}

fn split_host(host: &str, default_port: u16) -> (String, u16) {
    if let Some(rest) = host.strip_prefix('[') {
        if let Some((h, p)) = rest.split_once(']') {
            let port = p.strip_prefix(':').and_then(|p| p.parse().ok());
            return (format!("[{h}]"), port.unwrap_or(default_port));
        }
    }
    match host.rsplit_once(':') {
        Some((h, p)) if p.parse::<u16>().is_ok() => {
            (h.to_owned(), p.parse().unwrap_or(default_port))
        }
        _ => (host.to_owned(), default_port),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_segments_are_detected_raw_and_encoded() {
        assert!(has_dot_segment("/api/../admin"));
        assert!(has_dot_segment("/api/%2e%2E/admin"));
        assert!(has_dot_segment("/api/./x"));
        assert!(!has_dot_segment("/api/..x/a.b"));
        assert!(!has_dot_segment("/api/.../a"));
        assert!(!has_dot_segment("/api/%2e%2e%2e/a"));
        assert!(!has_dot_segment("/api/%2/a"));
        assert!(has_dot_segment("/api/.%2E"));
        assert!(has_dot_segment("/api/%2e."));
        assert!(!has_dot_segment("/api//x"));
    }

    #[test]
    fn hosts_split_with_default_ports() {
        assert_eq!(split_host("a.example:8080", 80), ("a.example".into(), 8080));
        assert_eq!(split_host("a.example", 443), ("a.example".into(), 443));
        assert_eq!(split_host("[::1]:9", 80), ("[::1]".into(), 9));
    }
}
