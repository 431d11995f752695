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

pub(crate) async fn start(
    s: &GatewaySettings,
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
