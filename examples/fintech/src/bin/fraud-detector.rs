//! FraudDetector. Environment: `SIGIL_URL` (default `https://localhost:8443`), `SIGIL_CA`
//! (default `.sigil/pki/ca.crt` when it exists), `FD_LISTEN` (default `127.0.0.1:8081`),
//! `TENANT` (default the demo tenant).

use sigil_example_fintech::{TENANT, fraud_detector, http_client};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let sigil = std::env::var("SIGIL_URL").unwrap_or_else(|_| "https://localhost:8443".into());
    let tenant = std::env::var("TENANT").unwrap_or_else(|_| TENANT.into());
    let listen = std::env::var("FD_LISTEN").unwrap_or_else(|_| "127.0.0.1:8081".into());
    let ca = ca_path();
    let authn = sigil_authn::Authn::new(
        fraud_detector::options(&format!("{sigil}/{tenant}")),
        http_client(ca.as_deref())?,
    )?;
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    let addr = fraud_detector::spawn(listener, authn.clone())?;
    tokio::time::timeout(std::time::Duration::from_secs(30), authn.ready())
        .await
        .map_err(|_| anyhow::anyhow!("could not load signing keys from {sigil} within 30 s"))?;
    println!("fraud-detector listening on http://{addr} (keys loaded from {sigil}/{tenant})");
    tokio::signal::ctrl_c().await?;
    Ok(())
}

fn ca_path() -> Option<std::path::PathBuf> {
    std::env::var_os("SIGIL_CA").map(Into::into).or_else(|| {
        let p = std::path::PathBuf::from(".sigil/pki/ca.crt");
        p.exists().then_some(p)
    })
}
