//! Configuration: a TOML file, environment variables and command-line flags, merged in that
//! order of increasing precedence into one validated [`AppConfig`].
//!
//! The file shape is strict: an unknown key or a bad value is an error that names the key, where
//! it came from and what is allowed. Nothing reads the process environment directly; callers pass
//! a lookup function, so tests supply their own.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use sigil_storage::DatabaseUrl;

/// Default identity-provider listener (HTTPS).
pub const DEFAULT_IDP_LISTEN: &str = "127.0.0.1:8443";
/// Default drain period on shutdown.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// Name of the optional configuration file inside the home directory.
pub const HOME_CONFIG_FILE: &str = "sigil.toml";

/// The validated runtime configuration of one Sigil process.
#[derive(Clone, Debug)]
pub struct AppConfig {
    /// The installation's home directory (keys, certificates, SQLite store).
    pub home: PathBuf,
    /// Where durable state lives.
    pub database: DatabaseUrl,
    /// PostgreSQL only: the schema holding Sigil's tables (several installations can share
    /// one database). `None` uses the connection's default search path.
    pub database_schema: Option<String>,
    /// The identity provider's listener.
    pub idp: IdpConfig,
    /// How long in-flight requests may take to finish after a shutdown signal.
    pub shutdown_grace: Duration,
    /// Where the root key (which seals signing keys and keys secret hashes) comes from.
    pub root_key: RootKeySource,
    /// The admin API's bearer token.
    pub admin_token: AdminTokenSource,
    /// The gateway, when an APIM configuration folder is given.
    pub gateway: Option<GatewaySettings>,
}

/// Default plain-HTTP gateway listener.
pub const DEFAULT_GATEWAY_HTTP: &str = "127.0.0.1:8080";
/// Default HTTPS gateway listener.
pub const DEFAULT_GATEWAY_HTTPS: &str = "127.0.0.1:8444";

/// The gateway's settings.
#[derive(Clone, Debug)]
pub struct GatewaySettings {
    /// The APIOps-style configuration folder.
    pub config_dir: PathBuf,
    /// Plain HTTP listener.
    pub listen_http: SocketAddr,
    /// HTTPS listener.
    pub listen_https: SocketAddr,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

/// The admin API token's origin.
#[derive(Clone, Debug)]
pub enum AdminTokenSource {
    /// A file holding the token; created (0600) with a random token if absent.
    File(PathBuf),
    /// Given inline (`SIGIL_ADMIN_TOKEN`).
    Inline(sigil_core::Secret<String>),
}

/// The root key's origin. Replicas sharing a database must share the root key.
#[derive(Clone, Debug)]
pub enum RootKeySource {
    /// A file holding base64 of 32 bytes; created (0600) if absent.
    File(PathBuf),
    /// Given inline (`SIGIL_ROOT_KEY`, base64).
    Inline(sigil_crypto::RootKey),
}

/// The identity provider's listener settings.
#[derive(Clone, Debug)]
pub struct IdpConfig {
    /// Address to bind (port 0 picks a free port, for tests).
    pub listen: SocketAddr,
    /// The public base URL clients use (issuer URLs are built from it), without a trailing `/`.
    /// `None` means `https://localhost:<bound port>`.
    pub public_url: Option<String>,
}

/// Where configuration values come from.
pub struct Sources<'a> {
    /// `--config FILE`: must exist. Without it, `<home>/sigil.toml` is read if present.
    pub config_file: Option<&'a Path>,
    /// `--home DIR`.
    pub home: Option<PathBuf>,
    /// `--listen ADDR` for the identity provider.
    pub idp_listen: Option<String>,
    /// `--gateway-config DIR`.
    pub gateway_config: Option<PathBuf>,
    /// Environment lookup (`SIGIL_HOME`, `SIGIL_DATABASE_URL`, `SIGIL_IDP_LISTEN`, ...).
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

impl fmt::Debug for Sources<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sources")
            .field("config_file", &self.config_file)
            .field("home", &self.home)
            .finish_non_exhaustive()
    }
}

/// A configuration problem the user must fix. Displayed as `ORIGIN: KEY: what is wrong`.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {key}{sep}{message}", sep = if key.is_empty() { "" } else { ": " })]
pub struct ConfigError {
    /// Where the bad value came from: a file path, an environment variable or a flag.
    pub origin: String,
    /// The offending key (`idp.listen`), or empty when the whole source is unreadable.
    pub key: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    home: Option<PathBuf>,
    database_url: Option<String>,
    database_schema: Option<String>,
    shutdown_grace_secs: Option<u64>,
    root_key_file: Option<PathBuf>,
    admin_token_file: Option<PathBuf>,
    idp: Option<IdpFileShape>,
    gateway: Option<GatewayFileShape>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct GatewayFileShape {
    config_dir: Option<PathBuf>,
    listen_http: Option<String>,
    listen_https: Option<String>,
    #[serde(default)]
    trusted_proxies: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct IdpFileShape {
    listen: Option<String>,
    public_url: Option<String>,
}

/// A value and where it came from, so errors can name the origin.
struct Origin<T> {
    value: T,
    origin: String,
}

impl AppConfig {
    /// Merge file, environment and flags into a validated configuration.
    pub fn load(src: &Sources<'_>) -> Result<Self, ConfigError> {
        let env = src.env;
        let home = src
            .home
            .clone()
            .or_else(|| env("SIGIL_HOME").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from(".sigil"));

        let (file, file_origin) = match src.config_file {
            Some(path) => (read_file(path, true)?, path.display().to_string()),
            None => {
                let path = home.join(HOME_CONFIG_FILE);
                (read_file(&path, false)?, path.display().to_string())
            }
        };
        // A file may relocate the home only when it was given explicitly.
        let home = match (&src.home, env("SIGIL_HOME"), src.config_file, &file.home) {
            (None, None, Some(_), Some(h)) => h.clone(),
            _ => home,
        };

        let idp_file = file.idp.unwrap_or_default();
        let listen = pick(
            src.idp_listen.clone().map(|v| (v, "--listen".to_owned())),
            env("SIGIL_IDP_LISTEN").map(|v| (v, "SIGIL_IDP_LISTEN".to_owned())),
            idp_file.listen.map(|v| (v, file_origin.clone())),
            DEFAULT_IDP_LISTEN,
        );
        let listen = parse_listen(&listen.value).map_err(|message| ConfigError {
            origin: listen.origin,
            key: "idp.listen".into(),
            message,
        })?;

        let public_url = match idp_file.public_url {
            Some(u) => Some(parse_public_url(&u).map_err(|message| ConfigError {
                origin: file_origin.clone(),
                key: "idp.public_url".into(),
                message,
            })?),
            None => None,
        };

        let database = match env("SIGIL_DATABASE_URL")
            .map(|v| (v, "SIGIL_DATABASE_URL".to_owned()))
            .or_else(|| file.database_url.map(|v| (v, file_origin.clone())))
        {
            Some((url, origin)) => DatabaseUrl::parse(&url).map_err(|e| ConfigError {
                origin,
                key: "database_url".into(),
                message: e
                    .to_string()
                    .trim_start_matches("database_url: ")
                    .to_owned(),
            })?,
            None => DatabaseUrl::SqliteFile(home.join("sigil.db")),
        };

        let shutdown_grace = match file.shutdown_grace_secs {
            Some(0) => {
                return Err(ConfigError {
                    origin: file_origin,
                    key: "shutdown_grace_secs".into(),
                    message: "must be at least 1 (seconds)".into(),
                });
            }
            Some(s) => Duration::from_secs(s),
            None => DEFAULT_SHUTDOWN_GRACE,
        };

        let root_key = match (env("SIGIL_ROOT_KEY"), file.root_key_file) {
            (Some(b64), _) => RootKeySource::Inline(
                crate::home::parse_root_key(b64.trim()).map_err(|message| ConfigError {
                    origin: "SIGIL_ROOT_KEY".into(),
                    key: "root_key".into(),
                    message,
                })?,
            ),
            (None, Some(path)) => RootKeySource::File(path),
            (None, None) => RootKeySource::File(home.join("root.key")),
        };

        let admin_token = match (env("SIGIL_ADMIN_TOKEN"), file.admin_token_file) {
            (Some(t), _) if t.trim().len() < 32 => {
                return Err(ConfigError {
                    origin: "SIGIL_ADMIN_TOKEN".into(),
                    key: "admin_token".into(),
                    message: "must be at least 32 characters".into(),
                });
            }
            (Some(t), _) => AdminTokenSource::Inline(sigil_core::Secret::new(t.trim().to_owned())),
            (None, Some(path)) => AdminTokenSource::File(path),
            (None, None) => AdminTokenSource::File(home.join("admin.token")),
        };

        let gateway = gateway_settings(src, file.gateway.unwrap_or_default(), &file_origin)?;

        let database_schema = env("SIGIL_DATABASE_SCHEMA").or(file.database_schema);

        Ok(Self {
            home,
            database,
            database_schema,
            idp: IdpConfig { listen, public_url },
            shutdown_grace,
            root_key,
            admin_token,
            gateway,
        })
    }
}

fn gateway_settings(
    src: &Sources<'_>,
    file: GatewayFileShape,
    file_origin: &str,
) -> Result<Option<GatewaySettings>, ConfigError> {
    let env = src.env;
    let dir = src
        .gateway_config
        .clone()
        .or_else(|| env("SIGIL_GATEWAY_CONFIG").map(PathBuf::from))
        .or(file.config_dir);
    let Some(config_dir) = dir else {
        return Ok(None);
    };
    let http = pick(
        None,
        env("SIGIL_GATEWAY_HTTP_LISTEN").map(|v| (v, "SIGIL_GATEWAY_HTTP_LISTEN".into())),
        file.listen_http.map(|v| (v, file_origin.to_owned())),
        DEFAULT_GATEWAY_HTTP,
    );
    let https = pick(
        None,
        env("SIGIL_GATEWAY_HTTPS_LISTEN").map(|v| (v, "SIGIL_GATEWAY_HTTPS_LISTEN".into())),
        file.listen_https.map(|v| (v, file_origin.to_owned())),
        DEFAULT_GATEWAY_HTTPS,
    );
    let listen_http = parse_listen(&http.value).map_err(|message| ConfigError {
        origin: http.origin,
        key: "gateway.listen_http".into(),
        message,
    })?;
    let listen_https = parse_listen(&https.value).map_err(|message| ConfigError {
        origin: https.origin,
        key: "gateway.listen_https".into(),
        message,
    })?;
    let trusted_proxies = file
        .trusted_proxies
        .iter()
        .map(|p| {
            p.parse::<ipnet::IpNet>()
                .or_else(|_| p.parse::<IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| ConfigError {
                    origin: file_origin.to_owned(),
                    key: "gateway.trusted_proxies".into(),
                    message: format!("{p:?} is not an IP address or CIDR (e.g. 10.0.0.0/8)"),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(GatewaySettings {
        config_dir,
        listen_http,
        listen_https,
        trusted_proxies,
    }))
}

fn pick(
    flag: Option<(String, String)>,
    env: Option<(String, String)>,
    file: Option<(String, String)>,
    default: &str,
) -> Origin<String> {
    let (value, origin) = flag
        .or(env)
        .or(file)
        .unwrap_or_else(|| (default.to_owned(), "default".to_owned()));
    Origin { value, origin }
}

fn read_file(path: &Path, required: bool) -> Result<FileShape, ConfigError> {
    let origin = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(FileShape::default());
        }
        Err(e) => {
            return Err(ConfigError {
                origin,
                key: String::new(),
                message: e.to_string(),
            });
        }
    };
    toml::from_str(&text).map_err(|e| ConfigError {
        origin,
        key: String::new(),
        // toml's message already names the key and the line and column.
        message: e.to_string().trim_end().to_owned(),
    })
}

/// `IP:PORT` with a port in 0..=65535 (0 = any free port).
fn parse_listen(s: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let Some((host, port)) = s.rsplit_once(':') else {
        return Err(format!("{s:?} is not IP:PORT (e.g. 127.0.0.1:8443)"));
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.parse::<IpAddr>().is_err() {
        return Err(format!(
            "{host:?} is not an IP address; use e.g. 127.0.0.1 or 0.0.0.0"
        ));
    }
    match port.parse::<u64>() {
        Ok(p) if p > 65_535 => Err(format!("port {p} is out of range (0-65535)")),
        _ => Err(format!("port {port:?} is not a number in 0-65535")),
    }
}

fn parse_public_url(s: &str) -> Result<String, String> {
    let trimmed = s.trim_end_matches('/');
    if !trimmed.starts_with("https://") {
        return Err(format!(
            "{s:?} must start with https:// (Microsoft clients refuse http:// authorities)"
        ));
    }
    if trimmed.len() <= "https://".len() {
        return Err("missing host".into());
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests;
