//! Test harness: an echo backend, APIOps folders in temp dirs, a gateway served on loopback.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use http::{Request, Response};
use serde_json::{Value, json};
use sigil_gateway_server::{Gateway, GatewayOptions};
use sigil_policy::GatewayConfig;
use tempfile::TempDir;
use tokio::net::TcpListener;

/// Per-key call counters of the echo backend (for retry tests).
#[derive(Clone, Default)]
pub(crate) struct Calls(Arc<Mutex<HashMap<String, u32>>>);

impl Calls {
    pub(crate) fn get(&self, key: &str) -> u32 {
        *self.0.lock().unwrap().get(key).unwrap_or(&0)
    }
}

/// Starts the echo backend; returns its base URL (`http://127.0.0.1:port`).
///
/// It answers with JSON `{method, path, query, headers, body}`. Request headers steer it:
/// `x-echo-status` (answer status), `x-echo-delay-ms`, `x-echo-fail-times` + `x-echo-key`
/// (answer 500 to the first N calls with that key).
pub(crate) async fn echo() -> (String, Calls) {
    let calls = Calls::default();
    let app = Router::new()
        .fallback(echo_handler)
        .with_state(calls.clone());
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(l, app).await.unwrap();
    });
    (format!("http://{addr}"), calls)
}

async fn echo_handler(State(calls): State<Calls>, req: Request<Body>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let h = |n: &str| {
        parts
            .headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    if let Some(ms) = h("x-echo-delay-ms").and_then(|v| v.parse().ok()) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let mut status: u16 = h("x-echo-status")
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    if let (Some(n), Some(key)) = (
        h("x-echo-fail-times").and_then(|v| v.parse::<u32>().ok()),
        h("x-echo-key"),
    ) {
        let mut m = calls.0.lock().unwrap();
        let c = m.entry(key).or_insert(0);
        *c += 1;
        if *c <= n {
            status = 500;
        }
    }
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in &parts.headers {
        let v = v.to_str().unwrap_or("").to_owned();
        headers
            .entry(k.as_str().to_owned())
            .and_modify(|e| {
                e.push_str(", ");
                e.push_str(&v);
            })
            .or_insert(v);
    }
    let out = json!({
        "method": parts.method.as_str(),
        "path": parts.uri.path(),
        "query": parts.uri.query().unwrap_or(""),
        "headers": headers,
        "body": String::from_utf8_lossy(&body),
        "body_len": body.len(),
    });
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("x-backend", "echo")
        .header("server", "echo-server")
        .body(Body::from(out.to_string()))
        .unwrap()
}

/// An APIOps folder in a temp dir.
pub(crate) struct Folder(pub TempDir);

impl Folder {
    pub(crate) fn new() -> Self {
        Self(tempfile::tempdir().unwrap())
    }

    pub(crate) fn path(&self) -> &Path {
        self.0.path()
    }

    /// Writes a file (creating folders).
    pub(crate) fn file(self, rel: &str, content: &str) -> Self {
        self.write(rel, content);
        self
    }

    pub(crate) fn write(&self, rel: &str, content: &str) {
        let p = self.0.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    /// The `echo` API at path `echo` with the standard specification.
    pub(crate) fn api(self, name: &str, path: &str, service_url: &str, sub_required: bool) -> Self {
        let info = json!({"properties": {"displayName": format!("{name} API"), "path": path,
            "serviceUrl": service_url, "protocols": ["https"], "subscriptionRequired": sub_required}});
        self.file(
            &format!("apis/{name}/apiInformation.json"),
            &info.to_string(),
        )
        .file(&format!("apis/{name}/specification.yaml"), SPEC)
    }

    pub(crate) fn api_policy(self, name: &str, inbound: &str) -> Self {
        self.file(&format!("apis/{name}/policy.xml"), inbound)
    }

    pub(crate) fn op_policy(self, api: &str, op: &str, xml: &str) -> Self {
        self.file(&format!("apis/{api}/operations/{op}/policy.xml"), xml)
    }
}

/// Operations: `get-item` GET /items/{id} (with an example), `create-item` POST /items (with
/// a schema), `any` GET /any/{*rest}, `put-any` PUT /any/{*rest}.
pub(crate) const SPEC: &str = r#"openapi: 3.0.1
info:
  title: Echo
  version: '1'
paths:
  /items/{id}:
    get:
      operationId: get-item
      summary: Get item
      responses:
        '200':
          description: ok
          content:
            application/json:
              example:
                id: "1"
                name: widget
  /items:
    post:
      operationId: create-item
      responses:
        '201':
          description: created
          content:
            application/json:
              schema:
                type: object
                properties:
                  id:
                    type: integer
                  name:
                    type: string
  /any/{*rest}:
    get:
      operationId: any
      responses:
        '200':
          description: ok
    put:
      operationId: put-any
      responses:
        '200':
          description: ok
"#;

/// Wraps inbound/backend/outbound/on-error bodies into a policy document.
pub(crate) fn policies(inbound: &str, backend: &str, outbound: &str, on_error: &str) -> String {
    format!(
        "<policies><inbound>{inbound}</inbound><backend>{backend}</backend><outbound>{outbound}</outbound><on-error>{on_error}</on-error></policies>"
    )
}

pub(crate) fn env(k: &str) -> Option<String> {
    match k {
        "GOLD_PRIMARY_KEY" => Some("gold-primary-key-0001".into()),
        "SIGIL_NAMED_VALUE_TENANT_DB_SECRET" => Some("tenant-db-secret-value".into()),
        _ => None,
    }
}

pub(crate) fn load(dir: &Path) -> GatewayConfig {
    match GatewayConfig::load(dir, &env) {
        Ok(c) => c,
        Err(d) => panic!(
            "{}",
            d.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

/// A gateway served over plain HTTP on loopback with sigil-http's accept loop.
pub(crate) struct Gw {
    pub(crate) url: String,
    pub(crate) gw: Gateway,
    pub(crate) http: reqwest::Client,
    /// Keeps a temp folder alive as long as the gateway.
    pub(crate) dir: Option<Folder>,
}

pub(crate) async fn start(dir: &Path) -> Gw {
    start_with(dir, GatewayOptions::default()).await
}

pub(crate) async fn start_with(dir: &Path, opts: GatewayOptions) -> Gw {
    let gw = Gateway::new(load(dir), opts, Arc::new(sigil_core::SystemClock)).unwrap();
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let never: sigil_http::Shutdown = Box::pin(std::future::pending());
    tokio::spawn(gw.clone().serve(l, None, never, Duration::from_secs(1)));
    Gw {
        url: format!("http://{addr}"),
        gw,
        http: reqwest::Client::new(),
        dir: None,
    }
}

/// Status, headers and body of a response.
pub(crate) struct Got {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: String,
}

impl Got {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    pub(crate) fn header(&self, n: &str) -> Option<&str> {
        self.headers.get(n).and_then(|v| v.to_str().ok())
    }
}

impl Gw {
    pub(crate) async fn send(&self, rb: reqwest::RequestBuilder) -> Got {
        let r = rb.send().await.unwrap();
        Got {
            status: r.status().as_u16(),
            headers: r.headers().clone(),
            body: r.text().await.unwrap(),
        }
    }

    pub(crate) async fn get(&self, path: &str) -> Got {
        self.send(self.http.get(format!("{}{path}", self.url)))
            .await
    }

    pub(crate) fn req(&self, method: &str, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method.parse().unwrap(), format!("{}{path}", self.url))
    }
}

/// Sends raw bytes and returns the status line's code.
pub(crate) async fn raw(url: &str, request: &str) -> u16 {
    raw_full(url, request).await.0
}

/// Sends raw bytes and returns the status code and everything read until the server closes.
pub(crate) async fn raw_full(url: &str, request: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = url.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(request.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf)).await;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text:?}"));
    (status, text)
}

/// The APIM error body.
pub(crate) fn apim(code: u16, message: &str) -> String {
    format!(
        "{{ \"statusCode\": {code}, \"message\": {} }}",
        json!(message)
    )
}
