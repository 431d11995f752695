//! The Workouts service behind the FitBuzz gateway. Environment: `FITBUZZ_BACKEND_KEY`
//! (required, at least 16 characters: the key the gateway sends in `X-Gateway-Key`),
//! `WORKOUT_API_LISTEN` (default `127.0.0.1:8091`), `WORKOUT_API_NODE` (default
//! `workouts-node-1`).

use sigil_core::Secret;
use sigil_example_fitbuzz::workout_api::{self, Config};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let key = std::env::var("FITBUZZ_BACKEND_KEY")
        .map_err(|_| anyhow::anyhow!("FITBUZZ_BACKEND_KEY is not set (the gateway's key)"))?;
    if key.len() < 16 {
        anyhow::bail!("FITBUZZ_BACKEND_KEY must be at least 16 characters");
    }
    let listen = std::env::var("WORKOUT_API_LISTEN").unwrap_or_else(|_| "127.0.0.1:8091".into());
    let node = std::env::var("WORKOUT_API_NODE").unwrap_or_else(|_| "workouts-node-1".into());
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| anyhow::anyhow!("binding {listen}: {e}"))?;
    let app = workout_api::router(Config {
        gateway_key: Secret::new(key),
        node,
    });
    let addr = workout_api::spawn(listener, app)?;
    println!("workout-api listening on http://{addr}");
    tokio::signal::ctrl_c().await?;
    Ok(())
}
