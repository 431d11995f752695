//! Drive unmodified Microsoft and OIDC client libraries against a running Sigil.
//!
//! Each [`Client`] is a short program under `tests/clients/{python,node}/` that uses one real
//! library (MSAL Python, azure-identity, msal-node, @azure/identity, openid-client, PyJWT, jose)
//! the way that library's docs show. [`run`] hands it a [`ClientJob`] as JSON on stdin and reads
//! back one JSON line, a [`ClientOutcome`]. The programs trust Sigil's CA only through the
//! environment (`REQUESTS_CA_BUNDLE`, `SSL_CERT_FILE`, `NODE_EXTRA_CA_CERTS`), never by turning
//! verification off.
//!
//! The libraries are installed by `scripts/install-test-clients` (which `scripts/test` runs);
//! a missing install is a loud test failure, never a skip. See `docs/client-tests.md`.
//!
//! [`run`] blocks (it waits for a child process); from async tests use [`run_async`].
//!
//! ```no_run
//! # async fn demo(sigil: &sigil_testkit::TestSigil) {
//! use sigil_testkit::clients::{run_async, Client, ClientJob};
//! let job = ClientJob::client_credentials(sigil.idp_url(), "tenant-guid", "app-id", "api://x/.default")
//!     .with_secret("s3cret");
//! let out = run_async(Client::MsalPythonSecret, &job, sigil.ca_cert_path()).await;
//! let token = out.access_token();
//! # let _ = token;
//! # }
//! ```

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize, Serializer};
use sigil_core::Secret;

/// How long one client program may run before it is killed and the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(60);

const INSTALL_HINT: &str = "run scripts/install-test-clients (the README test command does it)";

/// One real client library, used one way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Client {
    /// MSAL Python `ConfidentialClientApplication`, client secret.
    MsalPythonSecret,
    /// MSAL Python, certificate (`private_key` + `public_certificate`: PS256, padded
    /// `x5t#S256`, `x5c` with line breaks, float `exp`/`iat`).
    MsalPythonCert,
    /// azure-identity `ClientSecretCredential` (MSAL Python underneath).
    AzureIdentityPythonSecret,
    /// azure-identity `CertificateCredential` (RS256, padded SHA-1 `x5t`, float `exp`/`iat`).
    AzureIdentityPythonCert,
    /// @azure/msal-node `ConfidentialClientApplication`, client secret.
    MsalNodeSecret,
    /// @azure/msal-node, certificate (`thumbprintSha256`: PS256, unpadded `x5t#S256`, `x5c`,
    /// integer claims with `nbf` possibly 1 s after `iat`).
    MsalNodeCert,
    /// @azure/identity `ClientSecretCredential` (its own bundled msal-node 5.x).
    AzureIdentityNodeSecret,
    /// openid-client v6 `discovery` + `clientCredentialsGrant` (client_secret_post).
    OpenIdClientNode,
    /// PyJWT `PyJWKClient` + `jwt.decode`: validates [`ClientJob::token`].
    PyJwtVerify,
    /// jose `createRemoteJWKSet` + `jwtVerify`: validates [`ClientJob::token`].
    JoseVerify,
}

impl Client {
    /// Every client.
    pub const ALL: [Self; 10] = [
        Self::MsalPythonSecret,
        Self::MsalPythonCert,
        Self::AzureIdentityPythonSecret,
        Self::AzureIdentityPythonCert,
        Self::MsalNodeSecret,
        Self::MsalNodeCert,
        Self::AzureIdentityNodeSecret,
        Self::OpenIdClientNode,
        Self::PyJwtVerify,
        Self::JoseVerify,
    ];
    /// Clients that get a token with a client secret.
    pub const SECRET: [Self; 5] = [
        Self::MsalPythonSecret,
        Self::AzureIdentityPythonSecret,
        Self::MsalNodeSecret,
        Self::AzureIdentityNodeSecret,
        Self::OpenIdClientNode,
    ];
    /// Clients that get a token with a certificate (client assertion).
    pub const CERTIFICATE: [Self; 3] = [
        Self::MsalPythonCert,
        Self::AzureIdentityPythonCert,
        Self::MsalNodeCert,
    ];
    /// Clients that validate a token against the JWKS.
    pub const VALIDATORS: [Self; 2] = [Self::PyJwtVerify, Self::JoseVerify];

    /// The runtime and the program, relative to `tests/clients/`.
    fn program(self) -> (Runtime, &'static str) {
        match self {
            Self::MsalPythonSecret | Self::MsalPythonCert => (Runtime::Python, "python/msal_cc.py"),
            Self::AzureIdentityPythonSecret | Self::AzureIdentityPythonCert => {
                (Runtime::Python, "python/azid_cc.py")
            }
            Self::PyJwtVerify => (Runtime::Python, "python/pyjwt_verify.py"),
            Self::MsalNodeSecret | Self::MsalNodeCert => (Runtime::Node, "node/msal_cc.mjs"),
            Self::AzureIdentityNodeSecret => (Runtime::Node, "node/azid_cc.mjs"),
            Self::OpenIdClientNode => (Runtime::Node, "node/oidc_cc.mjs"),
            Self::JoseVerify => (Runtime::Node, "node/jose_verify.mjs"),
        }
    }

    /// Whether this client authenticates with a certificate rather than a secret.
    pub fn uses_certificate(self) -> bool {
        Self::CERTIFICATE.contains(&self)
    }
}

#[derive(Debug, Clone, Copy)]
enum Runtime {
    Python,
    Node,
}

/// What a client program should do, serialized as the JSON its program reads.
///
/// Token clients need `authority`/`authority_host`, `tenant_id`, `client_id`, `scope` and one
/// credential; validators need `token`, `jwks_uri`, `issuer` and `audience`. `ca_path` is
/// filled in by [`run`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct ClientJob {
    /// `https://localhost:PORT/{tenant}`: the MSAL authority.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    /// `https://localhost:PORT`: azure-identity's authority host (the tenant is added by it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authority_host: Option<String>,
    /// Tenant GUID (or domain).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Application (client) id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Client secret, for the `*Secret` clients and openid-client.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "expose_secret"
    )]
    pub client_secret: Option<Secret<String>>,
    /// PEM certificate of the app's key credential, for the `*Cert` clients.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_pem_path: Option<PathBuf>,
    /// PEM private key (PKCS#8 or PKCS#1, unencrypted) matching `cert_pem_path`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_pem_path: Option<PathBuf>,
    /// One scope, e.g. `api://fraud-detector/.default`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Acquire this many times in one process (default 1), to observe the client's token cache
    /// in [`ClientOutcome::from_cache`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeat: Option<u32>,
    /// MSAL `client_capabilities` (e.g. `["CP1"]`): adds the `claims` form field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub client_capabilities: Vec<String>,
    /// azure-identity `enable_cae`: adds the `xms_cc` claims request, as Key Vault clients do.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub enable_cae: bool,
    /// Issuer: the discovery base URL for openid-client (default `{authority}/v2.0`) and the
    /// expected `iss` for the validators.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// JWKS URL, for the validators.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// Expected `aud`, for the validators.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// The token to validate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Accepted algorithms for the validators (default `["RS256"]`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub algorithms: Vec<String>,
}

// The job goes to a child process over a pipe: that is the one place the secret leaves its
// wrapper.
fn expose_secret<S: Serializer>(v: &Option<Secret<String>>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(secret) => s.serialize_str(secret.expose()),
        None => s.serialize_none(),
    }
}

impl ClientJob {
    /// A client-credentials job for `idp_url` (e.g. [`crate::TestSigil::idp_url`]); add a
    /// credential with [`Self::with_secret`] or [`Self::with_certificate`].
    pub fn client_credentials(
        idp_url: &str,
        tenant_id: &str,
        client_id: &str,
        scope: &str,
    ) -> Self {
        let host = idp_url.trim_end_matches('/');
        Self {
            authority: Some(format!("{host}/{tenant_id}")),
            authority_host: Some(host.to_owned()),
            tenant_id: Some(tenant_id.to_owned()),
            client_id: Some(client_id.to_owned()),
            scope: Some(scope.to_owned()),
            issuer: Some(format!("{host}/{tenant_id}/v2.0")),
            ..Self::default()
        }
    }

    /// Authenticate with a client secret.
    pub fn with_secret(mut self, secret: impl Into<String>) -> Self {
        self.client_secret = Some(Secret::new(secret.into()));
        self
    }

    /// Authenticate with a certificate: PEM certificate and PEM private key files.
    pub fn with_certificate(
        mut self,
        cert_pem: impl Into<PathBuf>,
        key_pem: impl Into<PathBuf>,
    ) -> Self {
        self.cert_pem_path = Some(cert_pem.into());
        self.key_pem_path = Some(key_pem.into());
        self
    }

    /// Acquire `n` times in one process.
    pub fn with_repeat(mut self, n: u32) -> Self {
        self.repeat = Some(n);
        self
    }

    /// A validation job: check `token` against `jwks_uri`, expecting `issuer` and `audience`.
    pub fn verify(token: &str, jwks_uri: &str, issuer: &str, audience: &str) -> Self {
        Self {
            token: Some(token.to_owned()),
            jwks_uri: Some(jwks_uri.to_owned()),
            issuer: Some(issuer.to_owned()),
            audience: Some(audience.to_owned()),
            ..Self::default()
        }
    }
}

/// What a client program printed.
#[derive(Debug, Clone, Deserialize)]
pub struct ClientOutcome {
    /// The library call succeeded.
    pub ok: bool,
    /// The access token (token clients).
    #[serde(default)]
    pub access_token: Option<String>,
    /// Seconds until expiry, as the library computed it.
    #[serde(default)]
    pub expires_in: Option<i64>,
    /// Token type as the library reports it (openid-client lower-cases it).
    #[serde(default)]
    pub token_type: Option<String>,
    /// Granted scope, when the library exposes it (openid-client).
    #[serde(default)]
    pub scope: Option<String>,
    /// Per acquisition, whether the library served it from its cache (see [`ClientJob::repeat`]).
    #[serde(default)]
    pub from_cache: Vec<bool>,
    /// OAuth `error` code, when the library exposes it (azure-identity Python does not).
    #[serde(default)]
    pub error: Option<String>,
    /// `error_description`, or the exception message.
    #[serde(default)]
    pub error_description: Option<String>,
    /// AADSTS numbers from `error_codes` (or recovered from the message text).
    #[serde(default)]
    pub error_codes: Vec<u64>,
    /// `ClassName: message` of the exception the library raised, if any.
    #[serde(default)]
    pub exception: Option<String>,
    /// Validated claims (validators).
    #[serde(default)]
    pub claims: Option<serde_json::Map<String, serde_json::Value>>,
    /// Protected header of the validated token (validators).
    #[serde(default)]
    pub header: Option<serde_json::Map<String, serde_json::Value>>,
    /// Anything else the program printed (e.g. jose's `code` and `claim`).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Which client produced this.
    #[serde(skip, default = "placeholder_client")]
    pub client: Option<Client>,
    /// The program's stderr (library logs, stack traces).
    #[serde(skip)]
    pub stderr: String,
}

fn placeholder_client() -> Option<Client> {
    None
}

impl ClientOutcome {
    /// The access token; panics with the whole outcome (and stderr) if the call failed.
    pub fn access_token(&self) -> &str {
        match (&self.access_token, self.ok) {
            (Some(t), true) => t,
            _ => panic!("{:?} did not get a token: {self:#?}", self.client),
        }
    }

    /// The validated claims; panics with the whole outcome if validation failed.
    pub fn claims(&self) -> &serde_json::Map<String, serde_json::Value> {
        match (&self.claims, self.ok) {
            (Some(c), true) => c,
            _ => panic!("{:?} rejected the token: {self:#?}", self.client),
        }
    }

    /// Panics unless the call failed and carried AADSTS `code` (in `error_codes` or the text).
    pub fn assert_error_code(&self, code: u64) {
        let in_text = self
            .error_description
            .as_deref()
            .is_some_and(|d| d.contains(&format!("AADSTS{code}")));
        assert!(
            !self.ok && (self.error_codes.contains(&code) || in_text),
            "{:?}: expected failure AADSTS{code}, got {self:#?}",
            self.client
        );
    }
}

/// The repository root, from this crate's manifest directory (`crates/sigil-testkit`).
pub fn repo_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// Panics with the install hint unless both the Python venv and `node_modules` are present.
pub fn ensure_installed() {
    let root = repo_root();
    for (what, path) in [
        ("Python venv", root.join(".venv/bin/python")),
        (
            "Node modules",
            root.join("tests/clients/node/node_modules/@azure/msal-node"),
        ),
    ] {
        assert!(
            path.exists(),
            "{what} for the real-client tests is missing ({}): {INSTALL_HINT}",
            path.display()
        );
    }
}

/// Run `client` on `job` against a server whose CA certificate is `ca_path`. Blocks until the
/// program prints its answer (at most [`TIMEOUT`]). Panics if the program is missing, crashes,
/// times out or prints no JSON; a library-level failure is an `ok: false` outcome instead.
pub fn run(client: Client, job: &ClientJob, ca_path: &Path) -> ClientOutcome {
    let (runtime, script) = client.program();
    let ca = ca_path
        .canonicalize()
        .unwrap_or_else(|e| panic!("CA certificate {}: {e}", ca_path.display()));
    let mut input = serde_json::to_value(job).expect("a job serializes");
    input["ca_path"] = serde_json::Value::String(ca.display().to_string());
    let (line, stderr) = exec(&format!("{client:?}"), runtime, script, &input, Some(&ca));
    let mut outcome: ClientOutcome = serde_json::from_str(&line)
        .unwrap_or_else(|e| panic!("{client:?} printed {line:?}: {e}\n--- stderr ---\n{stderr}"));
    outcome.client = Some(client);
    outcome.stderr = stderr;
    outcome
}

/// A self-signed client certificate for an app's key credential, made by
/// `tests/clients/python/make_cert.py`.
#[derive(Debug, Clone, Deserialize)]
pub struct ClientCertificate {
    /// PEM certificate (register it as the app's `keyCredentials` key).
    pub cert_pem_path: PathBuf,
    /// PEM PKCS#8 private key.
    pub key_pem_path: PathBuf,
    /// SHA-1 thumbprint, upper-case hex, as the Entra portal shows it.
    pub thumbprint_sha1_hex: String,
    /// SHA-1 thumbprint as an unpadded base64url `x5t`.
    pub x5t: String,
    /// SHA-256 thumbprint as an unpadded base64url `x5t#S256`.
    pub x5t_s256: String,
}

/// Make `{dir}/{common_name}.pem` and `.key`: an RSA-2048 self-signed certificate valid for 30
/// days (with the venv's `cryptography`, so the test kit needs no X.509 code of its own).
pub fn make_client_certificate(dir: &Path, common_name: &str) -> ClientCertificate {
    let input = serde_json::json!({ "dir": dir, "common_name": common_name });
    let (line, stderr) = exec(
        "make_cert",
        Runtime::Python,
        "python/make_cert.py",
        &input,
        None,
    );
    serde_json::from_str(&line)
        .unwrap_or_else(|e| panic!("make_cert printed {line:?}: {e}\n--- stderr ---\n{stderr}"))
}

/// Run one program with `input` on stdin; return its last stdout line and its stderr. Panics
/// (with both streams) if it cannot start, times out, exits non-zero or prints nothing.
fn exec(
    name: &str,
    runtime: Runtime,
    script: &str,
    input: &serde_json::Value,
    ca: Option<&Path>,
) -> (String, String) {
    ensure_installed();
    let root = repo_root();
    let script = root.join("tests/clients").join(script);
    let interpreter = match runtime {
        Runtime::Python => root.join(".venv/bin/python"),
        Runtime::Node => PathBuf::from("node"),
    };

    let mut cmd = Command::new(&interpreter);
    cmd.arg(&script)
        .current_dir(&root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // A clean environment: no proxy, no AZURE_*/MSAL_* settings or CA bundles from the host can
    // change what the client does. Only the CA variables the libraries document are set.
    cmd.env_clear();
    for var in [
        "PATH",
        "HOME",
        "LANG",
        "LC_ALL",
        "TMPDIR",
        "LD_LIBRARY_PATH",
    ] {
        if let Some(v) = std::env::var_os(var) {
            cmd.env(var, v);
        }
    }
    if let Some(ca) = ca {
        cmd.env("REQUESTS_CA_BUNDLE", ca)
            .env("SSL_CERT_FILE", ca)
            .env("NODE_EXTRA_CA_CERTS", ca);
    }
    cmd.env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1");

    let mut child = cmd.spawn().unwrap_or_else(|e| {
        panic!(
            "{name}: cannot start {}: {e}; {INSTALL_HINT}",
            interpreter.display()
        )
    });
    // The job goes over stdin, so a secret never shows in `ps`.
    let mut stdin = child.stdin.take().expect("piped stdin");
    let payload = input.to_string();
    let writer = std::thread::spawn(move || {
        // A program that dies before reading is reported below with its stderr.
        let _ = stdin.write_all(payload.as_bytes());
    });
    let stdout = drain(child.stdout.take().expect("piped stdout"));
    let stderr = drain(child.stderr.take().expect("piped stderr"));

    // std has no wait-with-timeout; polling try_wait is enough for a test harness and avoids a
    // dependency.
    let started = Instant::now();
    let status = loop {
        match child.try_wait().expect("wait for client program") {
            Some(status) => break status,
            None if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                let err = stderr.join().unwrap_or_default();
                panic!("{name} timed out after {TIMEOUT:?}; stderr:\n{err}");
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    let _ = writer.join();
    let out = stdout.join().unwrap_or_default();
    let err = stderr.join().unwrap_or_default();

    match out.lines().rev().find(|l| !l.trim().is_empty()) {
        Some(line) if status.success() => (line.to_owned(), err),
        _ => panic!(
            "{name} ({}) crashed: {status}\n--- stdout ---\n{out}\n--- stderr ---\n{err}",
            script.display()
        ),
    }
}

/// [`run`] on tokio's blocking pool, for `#[tokio::test]`s.
pub async fn run_async(client: Client, job: &ClientJob, ca_path: &Path) -> ClientOutcome {
    let job = job.clone();
    let ca = ca_path.to_path_buf();
    tokio::task::spawn_blocking(move || run(client, &job, &ca))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_serializes_to_the_programs_field_names() {
        let job = ClientJob::client_credentials(
            "https://localhost:1234/",
            "t1",
            "c1",
            "api://x/.default",
        )
        .with_secret("s")
        .with_repeat(2);
        let v = serde_json::to_value(&job).unwrap();
        assert_eq!(v["authority"], "https://localhost:1234/t1");
        assert_eq!(v["authority_host"], "https://localhost:1234");
        assert_eq!(v["tenant_id"], "t1");
        assert_eq!(v["client_id"], "c1");
        assert_eq!(v["client_secret"], "s");
        assert_eq!(v["scope"], "api://x/.default");
        assert_eq!(v["issuer"], "https://localhost:1234/t1/v2.0");
        assert_eq!(v["repeat"], 2);
        // Unset options are absent, so the programs apply their own defaults.
        for absent in [
            "cert_pem_path",
            "token",
            "algorithms",
            "enable_cae",
            "client_capabilities",
        ] {
            assert!(v.get(absent).is_none(), "{absent} should be omitted");
        }
        assert!(
            !format!("{job:?}").contains("\"s\""),
            "Debug must not print the secret"
        );
    }

    #[test]
    fn outcome_parses_success_failure_and_extras() {
        let ok: ClientOutcome = serde_json::from_str(
            r#"{"ok":true,"access_token":"t","expires_in":3599,"from_cache":[false,true]}"#,
        )
        .unwrap();
        assert_eq!(ok.access_token(), "t");
        assert_eq!(ok.from_cache, [false, true]);

        let err: ClientOutcome = serde_json::from_str(
            r#"{"ok":false,"error":"invalid_client","error_description":"AADSTS7000215: bad",
                "error_codes":[7000215],"exception":null,"code":"X"}"#,
        )
        .unwrap();
        err.assert_error_code(7000215);
        assert_eq!(err.extra["code"], "X");
    }

    #[test]
    #[should_panic(expected = "did not get a token")]
    fn access_token_of_a_failure_panics() {
        let err: ClientOutcome =
            serde_json::from_str(r#"{"ok":false,"error":"invalid_client"}"#).unwrap();
        let _ = err.access_token();
    }

    #[test]
    fn make_client_certificate_writes_pem_files_and_thumbprints() {
        let dir = tempfile::tempdir().unwrap();
        let cert = make_client_certificate(dir.path(), "app-one");
        let pem = std::fs::read_to_string(&cert.cert_pem_path).unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
        let key = std::fs::read_to_string(&cert.key_pem_path).unwrap();
        assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"));
        assert_eq!(cert.thumbprint_sha1_hex.len(), 40);
        assert_eq!(cert.x5t.len(), 27, "unpadded base64url of 20 bytes");
        assert_eq!(cert.x5t_s256.len(), 43, "unpadded base64url of 32 bytes");
    }

    #[test]
    fn every_client_program_exists() {
        for c in Client::ALL {
            let path = repo_root().join("tests/clients").join(c.program().1);
            assert!(path.is_file(), "{c:?}: {} missing", path.display());
        }
        assert_eq!(
            Client::SECRET.len() + Client::CERTIFICATE.len() + Client::VALIDATORS.len(),
            Client::ALL.len()
        );
    }
}
