//! The gateway as `sigil up` runs it, and the offline commands over a configuration folder.

use std::path::Path;
use std::sync::Arc;

use sigil_core::Clock;
use sigil_gateway_server::{Gateway, GatewayError, GatewayOptions};
use sigil_policy::GatewayConfig;

use crate::config::GatewaySettings;
use crate::run::StartError;

/// A started gateway and its folder watcher (hot reload).
#[derive(Debug)]
pub(crate) struct Started {
    pub(crate) gateway: Gateway,
    pub(crate) watcher: tokio::task::JoinHandle<()>,
}

/// The process environment, for `{{named value}}` `${env:…}` references in the folder.
fn env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

/// What the gateway needs from the rest of the process.
#[derive(Debug, Clone)]
pub(crate) struct Wiring {
    /// The local CA (PEM): validate-jwt fetches keys from Sigil's own IdP over HTTPS.
    pub(crate) local_ca_pem: String,
    /// The identity provider's base URL, used by validate-azure-ad-token.
    pub(crate) idp_url: String,
}

pub(crate) async fn start(
    s: &GatewaySettings,
    wiring: &Wiring,
    clock: Arc<dyn Clock>,
) -> Result<Started, StartError> {
    let config = GatewayConfig::load(&s.config_dir, &env).map_err(|diags| {
        StartError::GatewayConfig(
            diags
                .iter()
                .filter(|d| d.is_error())
                .map(ToString::to_string)
                .collect(),
        )
    })?;
    for w in &config.warnings {
        tracing::warn!("{w}");
    }
    let opts = GatewayOptions {
        trusted_proxies: s.trusted_proxies.clone(),
        extra_root_certs_pem: vec![wiring.local_ca_pem.clone()],
        entra_authority: wiring.idp_url.clone(),
        ..GatewayOptions::default()
    };
    let gateway = Gateway::new(config, opts, clock).map_err(|e| match e {
        GatewayError::NotExecutable(diags) => {
            StartError::GatewayConfig(diags.iter().map(ToString::to_string).collect())
        }
        other => StartError::Gateway(other.to_string()),
    })?;
    let watcher = gateway.watch(s.config_dir.clone());
    Ok(Started { gateway, watcher })
}

/// `sigil gateway check DIR`: every diagnostic (errors and warnings), including policies the
/// gateway cannot execute yet. Empty means the folder is valid. `Err` when the check itself
/// could not run.
pub fn check(dir: &Path, clock: Arc<dyn Clock>) -> Result<Vec<sigil_policy::Diagnostic>, String> {
    match GatewayConfig::load(dir, &env) {
        Err(diags) => Ok(diags),
        Ok(config) => {
            let warnings = config.warnings.clone();
            match Gateway::new(config, GatewayOptions::default(), clock) {
                Ok(_) => Ok(warnings),
                Err(GatewayError::NotExecutable(mut diags)) => {
                    diags.extend(warnings);
                    Ok(diags)
                }
                Err(other) => Err(other.to_string()),
            }
        }
    }
}

/// `sigil gateway effective-policy DIR --api A [--operation O] [--product P]`.
pub fn effective_policy(
    dir: &Path,
    api: &str,
    operation: Option<&str>,
    product: Option<&str>,
) -> Result<String, Vec<String>> {
    let config = GatewayConfig::load(dir, &env).map_err(|d| {
        d.iter()
            .filter(|d| d.is_error())
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    })?;
    config
        .effective_policy_xml(api, operation, product)
        .map_err(|e| vec![e.to_string()])
}

/// Which subscription key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeySlot {
    /// `primaryKey`.
    Primary,
    /// `secondaryKey`.
    Secondary,
}

/// The outcome of [`regenerate_key`].
#[derive(Debug)]
pub struct Regenerated {
    /// The new key (shown once).
    pub key: sigil_core::Secret<String>,
    /// When the key is taken from an environment variable, the variable to set; the file is
    /// then left unchanged.
    pub env_var: Option<String>,
}

/// Generate a new subscription key (128 random bits, hex, as APIM's) and write it into
/// `subscriptions/<id>/subscriptionInformation.json`, atomically. A running gateway reloads it.
pub fn regenerate_key(
    dir: &Path,
    subscription: &str,
    slot: KeySlot,
) -> Result<Regenerated, String> {
    if subscription.is_empty()
        || subscription.contains(['/', '\\'])
        || subscription.starts_with('.')
    {
        return Err(format!(
            "{subscription:?} is not a subscription folder name"
        ));
    }
    let path = dir
        .join("subscriptions")
        .join(subscription)
        .join("subscriptionInformation.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let props = doc
        .get_mut("properties")
        .and_then(serde_json::Value::as_object_mut)
        .ok_or_else(|| format!("{}: no \"properties\" object", path.display()))?;
    let field = match slot {
        KeySlot::Primary => "primaryKey",
        KeySlot::Secondary => "secondaryKey",
    };
    let bytes = sigil_crypto::random_array::<16>().map_err(|e| e.to_string())?;
    let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let current = props
        .get(field)
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    if let Some(var) = current
        .strip_prefix("${env:")
        .and_then(|r| r.strip_suffix('}'))
    {
        return Ok(Regenerated {
            key: sigil_core::Secret::new(key),
            env_var: Some(var.to_owned()),
        });
    }
    props.insert(field.to_owned(), serde_json::Value::String(key.clone()));
    let out = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, out + "\n")
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Regenerated {
        key: sigil_core::Secret::new(key),
        env_var: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regenerates_literal_keys_and_defers_env_keys() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("subscriptions/gold");
        std::fs::create_dir_all(&sub).unwrap();
        let file = sub.join("subscriptionInformation.json");
        std::fs::write(&file, r#"{"properties":{"scope":"/apis","primaryKey":"old-primary-key","secondaryKey":"${env:GOLD_2ND}"}}"#).unwrap();

        let r = regenerate_key(dir.path(), "gold", KeySlot::Primary).unwrap();
        assert_eq!(r.key.expose().len(), 32);
        assert!(r.env_var.is_none());
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert_eq!(doc["properties"]["primaryKey"], r.key.expose().as_str());
        assert_eq!(doc["properties"]["scope"], "/apis");

        let r2 = regenerate_key(dir.path(), "gold", KeySlot::Secondary).unwrap();
        assert_eq!(r2.env_var.as_deref(), Some("GOLD_2ND"));
        let after: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert_eq!(after["properties"]["secondaryKey"], "${env:GOLD_2ND}");

        assert!(regenerate_key(dir.path(), "../x", KeySlot::Primary).is_err());
        assert!(regenerate_key(dir.path(), "missing", KeySlot::Primary).is_err());
    }
}
