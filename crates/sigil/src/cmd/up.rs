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

/// A demo scenario: its directory, embedded so `sigil up --demo` works from any directory, and
/// the environment variables holding its client secrets (generated when unset).
struct Demo {
    name: &'static str,
    directory: &'static str,
    secrets: &'static [&'static str],
    /// What a client of the scenario needs, printed after the apply.
    guide: &'static [&'static str],
}

const DEMOS: [Demo; 2] = [
    // Seed 001: TransactionProcessor calls FraudDetector with the Fraud.Scan app role.
    Demo {
        name: "fintech",
        directory: include_str!("../../../../examples/fintech/directory.yaml"),
        secrets: &["TP_SECRET"],
        guide: &[
            "FinTech — TransactionProcessor client_id 22222222-0000-4000-8000-000000000001,",
            "      scope api://fraud-detector/.default (FraudDetector appId 22222222-0000-4000-8000-000000000002)",
        ],
    },
    // Seed 000: members of three tiers call the FitBuzz Workouts API through the gateway.
    Demo {
        name: "fitbuzz",
        directory: include_str!("../../../../examples/fitbuzz/directory.yaml"),
        secrets: &[
            "FITBUZZ_FREE_SECRET",
            "FITBUZZ_PREMIUM_SECRET",
            "FITBUZZ_ENTERPRISE_SECRET",
        ],
        guide: &[
            "FitBuzz — tenant fitbuzz.example, scope api://fitbuzz-workouts/.default; members:",
            "      FreeUser (100 calls/h)          client_id 66666666-0000-4000-8000-000000000011",
            "      PremiumUser (10,000 calls/h)    client_id 66666666-0000-4000-8000-000000000012",
            "      EnterpriseUser (no limit)       client_id 66666666-0000-4000-8000-000000000013",
            "      gateway: --gateway-config examples/fitbuzz/gateway (needs FITBUZZ_BACKEND_KEY), or examples/fitbuzz/run",
        ],
    },
];

async fn apply_demo(config: &AppConfig) -> Result<(), Failure> {
    let inst = sigil_app::admin::Installation::open(config)
        .await
        .context("opening the installation")?;
    let mut outcome = Ok(());
    for demo in &DEMOS {
        outcome = apply_one(&inst, demo).await;
        if outcome.is_err() {
            break;
        }
    }
    // Closed on success and failure alike: `sigil_app::start` opens the store again.
    inst.store.close().await;
    outcome
}

async fn apply_one(inst: &sigil_app::admin::Installation, demo: &Demo) -> Result<(), Failure> {
    // (variable, value, generated)
    let mut secrets = Vec::with_capacity(demo.secrets.len());
    for var in demo.secrets {
        match super::process_env(var) {
            Some(s) => secrets.push((*var, s, false)),
            None => secrets.push((*var, random_secret()?, true)),
        }
    }
    let env = |name: &str| {
        secrets
            .iter()
            .find(|(var, _, _)| *var == name)
            .map(|(_, value, _)| value.clone())
    };
    let label = format!("demo:{}", demo.name);
    let report = sigil_app::admin::apply_text(inst, &label, demo.directory, &SystemClock, &env)
        .await
        .map_err(|e| {
            Failure::Runtime(anyhow::anyhow!(
                "applying the {} demo directory: {e}",
                demo.name
            ))
        })?;
    for c in &report.changes {
        println!("demo: {c}");
    }
    for (i, line) in demo.guide.iter().enumerate() {
        let prefix = if i == 0 { "demo: " } else { "" };
        println!("{prefix}{line}");
    }
    for (var, value, generated) in &secrets {
        if *generated {
            println!(
                "      {var}={value}   (generated; shown once — export it for examples/{}/run)",
                demo.name
            );
        } else {
            println!("      client secret: from ${var}");
        }
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
