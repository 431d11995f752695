//! Test environment: an in-process Sigil (IdP) with the demo directory plus a few extras, the
//! Workouts service with a request recorder in front of it, and the gateway running the
//! shipped `gateway/` folder. IdP and gateway share one [`FixedClock`], so tests move time.
//!
//! The folder is copied and only its deployment-specific named values are filled in (the IdP's
//! address, the backend's address and key), exactly what an operator changes per installation.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use sigil_core::{Clock, FixedClock, Secret, SystemClock};
use sigil_example_fitbuzz::workout_api::{self, Config};
use sigil_example_fitbuzz::{DEMO_DIRECTORY, MEMBERS, Member, TENANT};
use sigil_gateway_server::{Gateway, GatewayOptions};
use sigil_testkit::{Options, TestSigil};

/// The client secret of every application in the test directory.
pub(crate) const SECRET: &str = "fitbuzz-test-secret-0123456789abcdef";
/// The key the gateway presents to the Workouts service.
pub(crate) const BACKEND_KEY: &str = "backend-key-for-tests-0123456789";

/// Holds `FreeUser`, but its oid is in no member map: authenticated, not a member.
pub(crate) const UNREGISTERED_APP_ID: &str = "66666666-0000-4000-8000-000000000021";
/// Holds only `Workouts.Export` (a non-tier role the tests add to the Workouts API).
pub(crate) const NO_TIER_APP_ID: &str = "66666666-0000-4000-8000-000000000022";
/// A second free member, added to the directory and to the gateway's member map.
pub(crate) const FREE_2: Member = Member {
    role: "FreeUser",
    client_id: "66666666-0000-4000-8000-000000000023",
    oid: "5d2e8a71-9c4b-4e36-b7f0-1a6c3e9d4b44",
    member_id: 100_234,
    secret_env: "",
};

/// The demo directory with the secrets filled in, plus a non-tier role on the Workouts API
/// and two extra applications (see the constants above).
pub(crate) fn directory() -> String {
    let mut d = DEMO_DIRECTORY.to_owned();
    for m in MEMBERS {
        let var = format!("${{env:{}}}", m.secret_env);
        assert!(d.contains(&var), "{var} not in the demo directory");
        d = d.replace(&var, SECRET);
    }
    let tier_role = "          - value: EnterpriseUser\n            displayName: Enterprise tier (no call limit)\n            allowedMemberTypes: [Application]\n";
    assert!(d.contains(tier_role), "demo layout changed");
    let d = d.replacen(
        tier_role,
        &format!(
            "{tier_role}          - value: Workouts.Export\n            allowedMemberTypes: [Application]\n"
        ),
        1,
    );
    let sps = "    # Fixed object ids";
    assert!(d.contains(sps), "demo layout changed");
    let d = d.replacen(
        sps,
        &format!(
            r#"      - displayName: FitBuzz-Unregistered
        appId: {UNREGISTERED_APP_ID}
        passwordCredentials:
          - displayName: ci
            secretText: {SECRET}
            endDateTime: 2099-12-31T00:00:00Z
        requiredResourceAccess:
          - resource: api://fitbuzz-workouts
            appRoles: [FreeUser]
            adminConsent: true
      - displayName: FitBuzz-Member-Free-2
        appId: {free2}
        passwordCredentials:
          - displayName: ci
            secretText: {SECRET}
            endDateTime: 2099-12-31T00:00:00Z
        requiredResourceAccess:
          - resource: api://fitbuzz-workouts
            appRoles: [FreeUser]
            adminConsent: true
      - displayName: FitBuzz-Exporter
        appId: {NO_TIER_APP_ID}
        passwordCredentials:
          - displayName: ci
            secretText: {SECRET}
            endDateTime: 2099-12-31T00:00:00Z
        requiredResourceAccess:
          - resource: api://fitbuzz-workouts
            appRoles: [Workouts.Export]
            adminConsent: true
{sps}"#,
            free2 = FREE_2.client_id,
        ),
        1,
    );
    let last_sp = "    servicePrincipals:\n";
    assert!(d.contains(last_sp), "demo layout changed");
    d.replacen(
        last_sp,
        &format!(
            "{last_sp}      - appId: {}\n        id: {}\n",
            FREE_2.client_id, FREE_2.oid
        ),
        1,
    )
}

/// One request as the Workouts service received it.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) headers: Vec<(String, String)>,
}

impl Seen {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Log = Arc<Mutex<Vec<Seen>>>;

async fn record(State(log): State<Log>, req: Request, next: Next) -> Response {
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    log.lock().unwrap().push(Seen {
        method: req.method().to_string(),
        path: req.uri().path().to_owned(),
        headers,
    });
    next.run(req).await
}

/// An answer from the gateway.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: String,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

pub(crate) struct Env {
    pub(crate) sigil: TestSigil,
    pub(crate) clock: Arc<FixedClock>,
    pub(crate) gateway: String,
    seen: Log,
    http: reqwest::Client,
    _gw: Gateway,
    _dir: tempfile::TempDir,
}

impl Env {
    pub(crate) async fn start() -> Self {
        let clock = Arc::new(FixedClock::at(SystemClock.now()));
        let sigil = TestSigil::start_with(Options {
            clock: Some(clock.clone()),
            ..Options::default()
        })
        .await;
        sigil.apply(&directory()).await;

        let seen: Log = Arc::default();
        let backend = workout_api::router(Config {
            gateway_key: Secret::new(BACKEND_KEY.to_owned()),
            node: "workouts-node-7".into(),
        })
        .layer(axum::middleware::from_fn_with_state(seen.clone(), record));
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let backend_url = format!("http://{}", workout_api::spawn(l, backend).unwrap());

        let dir = tempfile::tempdir().unwrap();
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("gateway");
        copy_dir(&shipped, dir.path());
        let authority = format!("{}/{TENANT}", sigil.idp_url());
        set_named_value(dir.path(), "fitbuzz-authority", &authority);
        set_named_value(dir.path(), "workout-api-url", &backend_url);
        set_named_value(dir.path(), "workout-api-key", BACKEND_KEY);
        // The operator's member map, plus the test's second free member.
        let file = dir
            .path()
            .join("named values/fitbuzz-member-ids/namedValueInformation.json");
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let mut map: serde_json::Value =
            serde_json::from_str(doc["properties"]["value"].as_str().unwrap()).unwrap();
        map[FREE_2.oid] = FREE_2.member_id.into();
        set_named_value(dir.path(), "fitbuzz-member-ids", &map.to_string());
        // No environment: every value the folder needs is in it now.
        let cfg = sigil_policy::GatewayConfig::load(dir.path(), &|_| None)
            .unwrap_or_else(|d| panic!("the shipped folder does not load: {d:#?}"));
        assert!(cfg.warnings.is_empty(), "{:?}", cfg.warnings);
        let opts = GatewayOptions {
            extra_root_certs_pem: vec![std::fs::read_to_string(sigil.ca_cert_path()).unwrap()],
            entra_authority: sigil.idp_url().to_owned(),
            ..GatewayOptions::default()
        };
        let gw = Gateway::new(cfg, opts, clock.clone()).unwrap();
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gateway = format!("http://{}", l.local_addr().unwrap());
        let never: sigil_http::Shutdown = Box::pin(std::future::pending());
        tokio::spawn(gw.clone().serve(l, None, never, Duration::from_secs(1)));
        Self {
            sigil,
            clock,
            gateway,
            seen,
            http: reqwest::Client::new(),
            _gw: gw,
            _dir: dir,
        }
    }

    /// A client-credentials token for `client_id` and `scope`.
    pub(crate) async fn token(&self, client_id: &str, scope: &str) -> String {
        self.sigil
            .client_credentials_token(TENANT, client_id, SECRET, scope)
            .await
    }

    /// A member's token for the Workouts API.
    pub(crate) async fn member_token(&self, m: Member) -> String {
        self.token(m.client_id, sigil_example_fitbuzz::WORKOUTS_SCOPE)
            .await
    }

    /// `method /fitbuzz{path}` through the gateway, with a bearer token unless empty, a JSON
    /// body if given, and extra headers.
    pub(crate) async fn call_with(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut rb = self.http.request(
            method.parse().unwrap(),
            format!("{}/fitbuzz{path}", self.gateway),
        );
        if !token.is_empty() {
            rb = rb.bearer_auth(token);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        let r = rb.send().await.unwrap();
        Reply {
            status: r.status().as_u16(),
            headers: r.headers().clone(),
            body: r.text().await.unwrap(),
        }
    }

    pub(crate) async fn call(&self, method: &str, path: &str, token: &str) -> Reply {
        self.call_with(method, path, token, None, &[]).await
    }

    /// Everything the Workouts service received so far.
    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Replace a named value's `value` in the copied folder (the file must already exist).
fn set_named_value(dir: &Path, name: &str, value: &str) {
    let file = dir
        .join("named values")
        .join(name)
        .join("namedValueInformation.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    doc["properties"]["value"] = value.into();
    std::fs::write(&file, doc.to_string()).unwrap();
}

/// Asserts that `text` carries nothing the Workouts service knows internally about `m`, nor
/// its diagnostics.
pub(crate) fn assert_no_internal_detail(text: &str, m: Option<Member>) {
    for needle in [
        "workouts-node-7",
        "workout_api.rs",
        "memberId",
        "shard",
        "fitbuzz-workouts/",
        BACKEND_KEY,
    ] {
        assert!(!text.contains(needle), "{needle:?} leaked: {text}");
    }
    if let Some(m) = m {
        assert!(
            !text.contains(&m.member_id.to_string()),
            "member id {} leaked: {text}",
            m.member_id
        );
    }
}

/// The masked error body: `{"error": {"code", "message"}, "correlationId"}` and nothing else.
/// Returns the correlation id.
pub(crate) fn assert_masked(r: &Reply, status: u16, code: &str) -> String {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let body = r.json();
    let obj = body.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["correlationId", "error"], "{body:#}");
    assert_eq!(body["error"]["code"], code, "{body:#}");
    assert_eq!(body["error"].as_object().unwrap().len(), 2, "{body:#}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    let id = body["correlationId"].as_str().unwrap().to_owned();
    uuid::Uuid::parse_str(&id).unwrap();
    id
}

/// Asserts that no response header names the backend's internals.
pub(crate) fn assert_no_internal_headers(r: &Reply) {
    for h in [
        workout_api::INTERNAL_USER_HEADER,
        workout_api::NODE_HEADER,
        "server",
    ] {
        assert!(r.header(h).is_none(), "{h} leaked: {:?}", r.headers);
    }
    for (k, v) in &r.headers {
        assert_no_internal_detail(v.to_str().unwrap_or_default(), None);
        assert!(!k.as_str().starts_with("x-internal"), "{k} leaked");
    }
}
