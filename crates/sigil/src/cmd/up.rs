//! `sigil up`: everything in one process, on embedded defaults.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use sigil_app::{AppConfig, Sources};
use sigil_core::SystemClock;

use crate::Failure;
use crate::cli::UpArgs;

pub(crate) async fn run(home: Option<PathBuf>, args: UpArgs) -> Result<(), Failure> {
    let sources = Sources {
        config_file: args.config.as_deref(),
        home,
        idp_listen: args.listen,
        gateway_config: args.gateway_config,
        env: &super::process_env,
    };
    let signals = shutdown_signal()?;
    let config = AppConfig::load(&sources).map_err(|e| Failure::Config(e.to_string()))?;
    if args.demo {
        apply_demo(&config).await?;
    }
    let mut running = match sigil_app::start(config, Arc::new(SystemClock)).await {
        Ok(r) => r,
        Err(e @ sigil_app::StartError::GatewayConfig(_)) => {
            return Err(Failure::Config(e.to_string()));
        }
        Err(e) => return Err(anyhow::Error::new(e).context("starting sigil").into()),
    };

    print_banner(
        &running.home,
        &running.installation_id,
        &running.idp_url,
        &running.ca_cert_path,
        running.gateway_addrs,
    );

    let stop = running.take_stop();
    tokio::spawn(async move {
        signals.await;
        tracing::info!("shutdown requested");
        drop(stop);
    });
    running.wait().await.context("shutting down")?;
    tracing::info!("stopped");
    Ok(())
}

fn print_banner(
    home: &Path,
    installation: &str,
    idp_url: &str,
    ca: &Path,
    gateway: Option<(std::net::SocketAddr, std::net::SocketAddr)>,
) {
    let home = home.canonicalize().unwrap_or_else(|_| home.to_path_buf());
    let ca = ca.canonicalize().unwrap_or_else(|_| ca.to_path_buf());
    let ca = ca.display();
    println!(
        "sigil {} (home {})",
        env!("CARGO_PKG_VERSION"),
        home.display()
    );
    println!("installation {installation}");
    println!();
    println!("  identity provider   {idp_url}");
    println!("  health              {idp_url}/healthz   {idp_url}/readyz");
    println!(
        "  admin API           {idp_url}/admin/v1.0   (Bearer token in {}/admin.token)",
        home.display()
    );
    match gateway {
        Some((http, https)) => {
            println!(
                "  gateway             http://{http}   https://localhost:{}",
                https.port()
            );
        }
        None => println!("  gateway             not started (pass --gateway-config DIR)"),
    }
    println!("  local CA            {ca}");
    println!();
    println!("Trust the local CA in clients:");
    println!("  export REQUESTS_CA_BUNDLE={ca}   # Python requests, msal, azure-identity");
    println!("  export SSL_CERT_FILE={ca}        # Python ssl, httpx, aiohttp");
    println!("  export NODE_EXTRA_CA_CERTS={ca}  # Node.js");
    println!("  curl --cacert {ca} {idp_url}/healthz");
    println!();
    println!("sigil is ready");
}

/// Register SIGTERM and SIGINT handlers now, and return a future that completes on either.
///
/// Registration happens before `sigil is ready` is printed: a supervisor that signals right
/// after readiness must get a graceful drain, not the default (immediate) termination.
fn shutdown_signal()
-> anyhow::Result<std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
        let mut int = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
        Ok(Box::pin(async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }))
    }
    #[cfg(not(unix))]
    {
        Ok(Box::pin(async {
            let _ = tokio::signal::ctrl_c().await;
        }))
    }
}

/// The FinTech scenario of seed 001, embedded so `sigil up --demo` works from any directory.
const DEMO_DIRECTORY: &str = include_str!("../../../../examples/fintech/directory.yaml");

async fn apply_demo(config: &AppConfig) -> Result<(), Failure> {
    use sigil_app::admin::{Installation, apply_text};
    let inst = Installation::open(config)
        .await
        .context("opening the installation")?;
    let (secret, generated) = match super::process_env("TP_SECRET") {
        Some(s) => (s, false),
        None => (random_secret()?, true),
    };
    let env = |name: &str| {
        if name == "TP_SECRET" {
            Some(secret.clone())
        } else {
            None
        }
    };
    let report = apply_text(&inst, "demo:fintech", DEMO_DIRECTORY, &SystemClock, &env)
        .await
        .map_err(|e| Failure::Runtime(anyhow::anyhow!("applying the demo directory: {e}")))?;
    inst.store.close().await;
    for c in &report.changes {
        println!("demo: {c}");
    }
    println!(
        "demo: FinTech — TransactionProcessor client_id 22222222-0000-4000-8000-000000000001,"
    );
    println!(
        "      scope api://fraud-detector/.default (FraudDetector appId 22222222-0000-4000-8000-000000000002)"
    );
    if generated {
        println!(
            "      TP_SECRET={secret}   (generated; shown once — export it for examples/fintech/run)"
        );
    } else {
        println!("      client secret: from $TP_SECRET");
    }
    Ok(())
}

/// 24 random bytes, hex: a 48-character client secret.
fn random_secret() -> Result<String, Failure> {
    use sigil_crypto::RandomSource as _;
    let mut bytes = [0u8; 24];
    sigil_crypto::SystemRandom
        .fill(&mut bytes)
        .map_err(|e| Failure::Runtime(anyhow::anyhow!("random source: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
