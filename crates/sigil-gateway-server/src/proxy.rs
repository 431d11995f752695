//! The backend side: pooled HTTP/1.1 + HTTP/2 client over rustls, `forward-request`, and the
//! hygiene every forwarded request gets (hop-by-hop headers dropped, `X-Forwarded-For` from
//! trusted proxies only, W3C `traceparent` propagated or created).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;
use http::header::{CONTENT_LENGTH, HOST};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use http_body_util::{BodyExt, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use ipnet::IpNet;
use sigil_policy::model::ForwardRequest;

use crate::context::{BodySlot, Exchange, Resp, lock};
use crate::errors::Fault;
use crate::exec::Env;
use crate::url::{BaseUrl, query_string};

/// The outbound client (connection pool shared by all requests and kept across reloads).
pub(crate) type HttpClient = Client<HttpsConnector<HttpConnector>, Body>;

/// Builds the client: rustls with the aws-lc-rs provider, webpki roots (plus the system's with
/// the `native-roots` feature), HTTP/2 by ALPN, idle connections kept 90 s. `extra_roots` (PEM)
/// are trusted as well; with them, the roots are webpki's plus these (not the system's).
pub(crate) fn client(
    connect_timeout: Duration,
    extra_roots: &[String],
) -> Result<HttpClient, String> {
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    let builder = hyper_rustls::HttpsConnectorBuilder::new();
    let builder = if extra_roots.is_empty() {
        #[cfg(feature = "native-roots")]
        let b = builder
            .with_provider_and_native_roots(provider)
            .map_err(|e| format!("no usable native root certificates: {e}"))?;
        #[cfg(not(feature = "native-roots"))]
        let b = builder
            .with_provider_and_webpki_roots(provider)
            .map_err(|e| format!("TLS provider: {e}"))?;
        b
    } else {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for pem in extra_roots {
            let mut added = 0;
            for cert in rustls_pemfile::certs(&mut pem.as_bytes()) {
                let cert = cert.map_err(|e| format!("extra root certificate: {e}"))?;
                roots
                    .add(cert)
                    .map_err(|e| format!("extra root certificate: {e}"))?;
                added += 1;
            }
            if added == 0 {
                return Err("extra root certificate: no PEM certificate found".into());
            }
        }
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(provider))
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS provider: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        builder.with_tls_config(tls)
    };
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_connect_timeout(Some(connect_timeout));
    http.set_nodelay(true);
    let https = builder
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .wrap_connector(http);
    Ok(Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(90))
        .pool_timer(TokioTimer::new())
        .build(https))
}

/// Headers that describe one connection, never forwarded (RFC 9110 §7.6.1), plus any named in
/// `Connection`.
pub(crate) fn strip_hop_by_hop(h: &mut HeaderMap) {
    use http::header::{
        CONNECTION, PROXY_AUTHENTICATE, PROXY_AUTHORIZATION, TE, TRAILER, TRANSFER_ENCODING,
        UPGRADE,
    };
    // Names as constants: removing by `&str` parses the name on every call (hot path).
    static KEEP_ALIVE: HeaderName = HeaderName::from_static("keep-alive");
    static PROXY_CONNECTION: HeaderName = HeaderName::from_static("proxy-connection");
    let fixed = [
        &KEEP_ALIVE,
        &PROXY_CONNECTION,
        &PROXY_AUTHENTICATE,
        &PROXY_AUTHORIZATION,
        &TE,
        &TRAILER,
        &TRANSFER_ENCODING,
        &UPGRADE,
    ];
    // Most messages carry none of them: one pass over the names present (cheap comparisons)
    // instead of a hashed removal per name, twice per request.
    if !h.keys().any(|k| *k == CONNECTION || fixed.contains(&k)) {
        return;
    }
    if h.contains_key(CONNECTION) {
        let named: Vec<HeaderName> = h
            .get_all(CONNECTION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|t| HeaderName::from_bytes(t.trim().as_bytes()).ok())
            .collect();
        for n in named {
            h.remove(n);
        }
        h.remove(CONNECTION);
    }
    for n in fixed {
        h.remove(n);
    }
}

/// The caller's address and the `X-Forwarded-For` to send on. The header is only believed when
/// the peer is a trusted proxy; then the client is the right-most address that is not one.
pub(crate) fn client_ip(peer: IpAddr, xff: Option<&str>, trusted: &[IpNet]) -> (IpAddr, String) {
    let peer = peer.to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    let chain = xff.map(str::trim).filter(|s| !s.is_empty());
    match chain {
        Some(chain) if is_trusted(&peer) => {
            let mut client = peer;
            for hop in chain.rsplit(',') {
                match hop.trim().parse::<IpAddr>() {
                    Ok(ip) => {
                        client = ip.to_canonical();
                        if !is_trusted(&client) {
                            break;
                        }
                    }
                    Err(_) => break,
                }
            }
            (client, format!("{chain}, {peer}"))
        }
        _ => (peer, peer.to_string()),
    }
}

/// The `traceparent` for the backend: the caller's trace id and flags with a new parent id, or a
/// new trace when the header is missing or malformed (W3C Trace Context §3.2, §4.3).
pub(crate) fn traceparent(incoming: Option<&str>) -> String {
    // Ids from v4 UUIDs: random, and never all zero (the version nibble is set). Written
    // straight into one buffer: this runs on every request.
    let mut out = String::with_capacity(55);
    out.push_str("00-");
    let flags = match incoming.and_then(parse_traceparent) {
        Some((trace, flags)) => {
            out.push_str(trace);
            flags
        }
        None => {
            push_hex(&mut out, uuid::Uuid::new_v4().as_bytes());
            "00"
        }
    };
    out.push('-');
    push_hex(&mut out, &uuid::Uuid::new_v4().as_bytes()[..8]);
    out.push('-');
    out.push_str(flags);
    out
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
}

fn parse_traceparent(v: &str) -> Option<(&str, &str)> {
    let hex = |s: &str, n: usize| {
        s.len() == n && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    };
    let mut parts = v.trim().split('-');
    let (version, trace, parent, flags) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let ok = hex(version, 2)
        && version != "ff"
        && (version != "00" || parts.next().is_none())
        && hex(trace, 32)
        && trace.bytes().any(|b| b != b'0')
        && hex(parent, 16)
        && parent.bytes().any(|b| b != b'0')
        && hex(flags, 2);
    ok.then_some((trace, flags))
}

/// Reads a body into memory, refusing more than `limit` bytes.
pub(crate) async fn collect(body: Body, limit: usize) -> Result<Bytes, CollectError> {
    match Limited::new(body, limit).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(CollectError::TooLarge),
        Err(e) => Err(CollectError::Io(e.to_string())),
    }
}

/// True when a streamed request body was cut off by `max_body_bytes` while being forwarded.
pub(crate) fn caused_by_body_limit(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cur = err.source();
    }
    false
}

/// Why a body could not be read.
#[derive(Debug)]
pub(crate) enum CollectError {
    TooLarge,
    Io(String),
}

/// `forward-request`: sends the current request to the backend and stores its response.
pub(crate) async fn forward(
    ex: &mut Exchange<'_>,
    env: &Env<'_>,
    fr: &ForwardRequest,
) -> Result<(), Fault> {
    let base = match &ex.backend {
        Some(b) => b.clone(),
        None => {
            let url = ex.who.api.service_url.as_deref().ok_or_else(|| {
                Fault::internal("forward-request", "The API has no backend service URL.")
            })?;
            Arc::new(BaseUrl::parse(url).map_err(|e| Fault::internal("forward-request", e))?)
        }
    };
    let query = query_string(ex.query.iter().chain(&ex.backend_query));
    let uri: Uri = base
        .join(&ex.path, &query)
        .parse()
        .map_err(|_| Fault::internal("forward-request", "The backend URL is not valid."))?;
    let method = Method::from_bytes(ex.method.as_bytes())
        .map_err(|_| Fault::internal("forward-request", "The method is not valid."))?;

    static X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
    static TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");
    let mut headers = ex.req_headers.clone();
    strip_hop_by_hop(&mut headers);
    // The backend's own host, as APIM sends it. Set here for plain-HTTP backends (always
    // HTTP/1.1); over TLS the client sets it only if ALPN chose HTTP/1.1 (HTTP/2 has
    // `:authority`).
    if base.scheme == "http" {
        headers.insert(HOST, base.host_header.clone());
    } else {
        headers.remove(HOST);
    }
    if let Ok(v) = HeaderValue::from_str(&ex.forwarded_for) {
        headers.insert(&X_FORWARDED_FOR, v);
    }
    if let Ok(v) = HeaderValue::from_str(&ex.traceparent) {
        headers.insert(&TRACEPARENT, v);
    }
    for (k, v) in &ex.backend_headers {
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            headers.insert(k, v);
        }
    }
    let body = {
        let mut slot = lock(&ex.req_body);
        match std::mem::replace(&mut *slot, BodySlot::Consumed) {
            BodySlot::Bytes(b) => {
                *slot = BodySlot::Bytes(b.clone());
                if b.is_empty() {
                    headers.remove(CONTENT_LENGTH);
                } else {
                    headers.insert(CONTENT_LENGTH, HeaderValue::from(b.len()));
                }
                Body::from(b)
            }
            BodySlot::Stream(s) => s,
            other @ (BodySlot::Empty | BodySlot::Consumed) => {
                *slot = other;
                headers.remove(CONTENT_LENGTH);
                Body::empty()
            }
        }
    };
    let mut req = http::Request::new(body);
    *req.method_mut() = method;
    *req.uri_mut() = uri;
    *req.headers_mut() = headers;

    let timeout =
        Duration::from_secs(u64::from(fr.timeout_secs)).min(env.shared.opts.backend_timeout);
    let started = tokio::time::Instant::now();
    let resp = match tokio::time::timeout(timeout, env.shared.client.request(req)).await {
        Err(_) => {
            tracing::warn!(request_id = %ex.request_id, backend = %base.authority, "backend timed out");
            return Err(Fault::backend_timeout());
        }
        Ok(Err(e)) if caused_by_body_limit(&e) => return Err(Fault::body_too_large()),
        Ok(Err(e)) => {
            // The detail (host, OS error) is for the operator's log only.
            tracing::warn!(request_id = %ex.request_id, backend = %base.authority, error = ?e, "backend call failed");
            return Err(Fault::backend_connection(
                "Error occurred while calling the backend service.",
            ));
        }
        Ok(Ok(r)) => r,
    };
    let (parts, incoming) = resp.into_parts();
    let mut headers = parts.headers;
    strip_hop_by_hop(&mut headers);
    let status = parts.status.as_u16();
    let body = if env.prepared.buffer_response && fr.buffer_response {
        let left = timeout.saturating_sub(started.elapsed());
        let read = collect(
            Body::new(incoming),
            env.shared.opts.max_response_buffer_bytes,
        );
        match tokio::time::timeout(left, read).await {
            Ok(Ok(b)) => {
                headers.remove(CONTENT_LENGTH);
                BodySlot::Bytes(b)
            }
            Ok(Err(e)) => {
                tracing::warn!(request_id = %ex.request_id, error = ?e, "backend response body unreadable");
                return Err(Fault::backend_connection(
                    "Error occurred while reading the backend response.",
                ));
            }
            Err(_) => return Err(Fault::backend_timeout()),
        }
    } else {
        BodySlot::Stream(Body::new(incoming))
    };
    ex.response = Some(Resp::with(status, headers, body));
    if fr.fail_on_error_status_code && status >= 400 {
        return Err(Fault::backend_status(status));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            client_ip(ip("203.0.113.9"), Some("1.2.3.4"), &trusted),
            (ip("203.0.113.9"), "203.0.113.9".into())
        );
        assert_eq!(
            client_ip(ip("10.0.0.1"), Some("1.2.3.4, 10.0.0.7"), &trusted),
            (ip("1.2.3.4"), "1.2.3.4, 10.0.0.7, 10.0.0.1".into())
        );
        assert_eq!(client_ip(ip("10.0.0.1"), None, &trusted).0, ip("10.0.0.1"));
    }

    #[test]
    fn traceparent_is_propagated_or_created() {
        let t = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let out = traceparent(Some(t));
        assert!(
            out.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"),
            "{out}"
        );
        assert!(out.ends_with("-01"));
        assert_ne!(out, t);
        for bad in [
            "",
            "00-0000-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ] {
            let out = traceparent(Some(bad));
            assert_eq!(out.len(), 55, "{out}");
            assert!(!out.contains("4bf92f35"));
        }
    }

    #[test]
    fn hop_by_hop_headers_are_dropped() {
        let mut h = HeaderMap::new();
        h.insert(
            "connection",
            HeaderValue::from_static("x-private, keep-alive"),
        );
        h.insert("x-private", HeaderValue::from_static("1"));
        h.insert("transfer-encoding", HeaderValue::from_static("chunked"));
        h.insert("x-kept", HeaderValue::from_static("1"));
        strip_hop_by_hop(&mut h);
        assert_eq!(h.len(), 1);
        assert!(h.contains_key("x-kept"));

        // Each fixed name alone is found by the quick scan too.
        for name in [
            "keep-alive",
            "proxy-connection",
            "proxy-authenticate",
            "proxy-authorization",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "connection",
        ] {
            let mut h = HeaderMap::new();
            h.insert(HeaderName::from_static(name), HeaderValue::from_static("x"));
            h.insert("x-kept", HeaderValue::from_static("1"));
            strip_hop_by_hop(&mut h);
            assert_eq!(h.len(), 1, "{name}");
        }
    }
}
