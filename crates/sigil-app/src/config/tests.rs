use std::collections::HashMap;
use std::io::Write;

use super::*;

fn load_with(
    file: Option<&str>,
    env: &[(&str, &str)],
    listen_flag: Option<&str>,
) -> (Result<AppConfig, ConfigError>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let path = dir.path().join("sigil.toml");
    if let Some(text) = file {
        std::fs::File::create(&path)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let lookup = move |k: &str| env.get(k).cloned();
    let src = Sources {
        config_file: file.map(|_| path.as_path()),
        home: Some(dir.path().join("home")),
        idp_listen: listen_flag.map(str::to_owned),
        gateway_config: None,
        env: &lookup,
    };
    (AppConfig::load(&src), dir)
}

#[test]
fn defaults_are_loopback_sqlite_in_home() {
    let (cfg, dir) = load_with(None, &[], None);
    let cfg = cfg.unwrap();
    assert_eq!(cfg.idp.listen.to_string(), "127.0.0.1:8443");
    assert_eq!(
        cfg.database,
        DatabaseUrl::SqliteFile(dir.path().join("home/sigil.db"))
    );
    assert_eq!(cfg.shutdown_grace, DEFAULT_SHUTDOWN_GRACE);
}

#[test]
fn unknown_key_names_key_file_and_line() {
    let (err, _d) = load_with(
        Some("[idp]\nlisten = \"127.0.0.1:1\"\nlisen = 3\n"),
        &[],
        None,
    );
    let msg = err.unwrap_err().to_string();
    assert!(msg.contains("sigil.toml"), "{msg}");
    assert!(msg.contains("lisen"), "{msg}");
    assert!(msg.contains("line 3"), "{msg}");
    assert!(msg.contains("listen"), "should list allowed keys: {msg}");
}

#[test]
fn bad_port_is_precise() {
    let (err, _d) = load_with(Some("[idp]\nlisten = \"127.0.0.1:99999\"\n"), &[], None);
    let msg = err.unwrap_err().to_string();
    assert!(
        msg.ends_with("idp.listen: port 99999 is out of range (0-65535)"),
        "{msg}"
    );
}

#[test]
fn flag_beats_env_beats_file() {
    let file = Some("[idp]\nlisten = \"127.0.0.1:1001\"\n");
    let env = [("SIGIL_IDP_LISTEN", "127.0.0.1:1002")];
    let (cfg, _d) = load_with(file, &env, Some("127.0.0.1:1003"));
    assert_eq!(cfg.unwrap().idp.listen.port(), 1003);
    let (cfg, _d) = load_with(file, &env, None);
    assert_eq!(cfg.unwrap().idp.listen.port(), 1002);
    let (cfg, _d) = load_with(file, &[], None);
    assert_eq!(cfg.unwrap().idp.listen.port(), 1001);
}

#[test]
fn env_error_names_the_variable() {
    let (err, _d) = load_with(None, &[("SIGIL_IDP_LISTEN", "localhost:80")], None);
    let msg = err.unwrap_err().to_string();
    assert!(msg.starts_with("SIGIL_IDP_LISTEN: idp.listen:"), "{msg}");
    assert!(msg.contains("not an IP address"), "{msg}");
}

#[test]
fn public_url_must_be_https() {
    let (err, _d) = load_with(Some("[idp]\npublic_url = \"http://x\"\n"), &[], None);
    assert!(
        err.unwrap_err()
            .to_string()
            .contains("must start with https://")
    );
    let (cfg, _d) = load_with(
        Some("[idp]\npublic_url = \"https://id.example/\"\n"),
        &[],
        None,
    );
    assert_eq!(
        cfg.unwrap().idp.public_url.as_deref(),
        Some("https://id.example")
    );
}

#[test]
fn database_url_from_env_and_bad_scheme() {
    let (cfg, _d) = load_with(None, &[("SIGIL_DATABASE_URL", "postgres://u@h/db")], None);
    assert!(matches!(cfg.unwrap().database, DatabaseUrl::Postgres(_)));
    let (err, _d) = load_with(Some("database_url = \"mysql://x\"\n"), &[], None);
    let msg = err.unwrap_err().to_string();
    assert!(
        msg.contains("database_url: expected sqlite://PATH"),
        "{msg}"
    );
}

#[test]
fn zero_grace_is_refused() {
    let (err, _d) = load_with(Some("shutdown_grace_secs = 0\n"), &[], None);
    assert!(
        err.unwrap_err()
            .to_string()
            .contains("shutdown_grace_secs: must be at least 1")
    );
}

#[test]
fn missing_explicit_file_is_an_error() {
    let lookup = |_: &str| None;
    let src = Sources {
        config_file: Some(Path::new("/nonexistent/sigil.toml")),
        home: None,
        idp_listen: None,
        gateway_config: None,
        env: &lookup,
    };
    let msg = AppConfig::load(&src).unwrap_err().to_string();
    assert!(msg.starts_with("/nonexistent/sigil.toml:"), "{msg}");
}

#[test]
fn root_key_from_env_must_be_32_bytes() {
    let (err, _d) = load_with(None, &[("SIGIL_ROOT_KEY", "c2hvcnQ=")], None);
    let msg = err.unwrap_err().to_string();
    assert!(
        msg.starts_with("SIGIL_ROOT_KEY: root_key: root key must be 32 bytes"),
        "{msg}"
    );
    let good = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let (cfg, _d) = load_with(None, &[("SIGIL_ROOT_KEY", good)], None);
    assert!(matches!(cfg.unwrap().root_key, RootKeySource::Inline(_)));
}

#[test]
fn gateway_is_off_without_a_folder_and_validates_proxies() {
    let (cfg, _d) = load_with(None, &[], None);
    assert!(cfg.unwrap().gateway.is_none());
    let (cfg, _d) = load_with(
        Some(
            "[gateway]\nconfig_dir = \"apim\"\ntrusted_proxies = [\"10.0.0.0/8\", \"192.168.1.1\"]\n",
        ),
        &[],
        None,
    );
    let g = cfg.unwrap().gateway.unwrap();
    assert_eq!(g.listen_http.port(), 8080);
    assert_eq!(g.listen_https.port(), 8444);
    assert_eq!(g.trusted_proxies.len(), 2);
    let (err, _d) = load_with(
        Some("[gateway]\nconfig_dir = \"apim\"\ntrusted_proxies = [\"nope\"]\n"),
        &[],
        None,
    );
    assert!(
        err.unwrap_err()
            .to_string()
            .contains("gateway.trusted_proxies: \"nope\" is not an IP")
    );
}
