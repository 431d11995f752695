//! TransactionProcessor: screens one transaction (or `TP_COUNT` of them) with FraudDetector.
//! Environment: `TP_SECRET` (required), `SIGIL_URL` (default `https://localhost:8443`),
//! `SIGIL_CA` (default `.sigil/pki/ca.crt` when it exists), `FD_URL` (default
//! `http://127.0.0.1:8081`), `TENANT`, `TP_AMOUNT_CENTS` (default 12500).

use sigil_example_fintech::transaction_processor::Processor;
use sigil_example_fintech::{TENANT, Transaction, http_client};
use sigil_token_client::secret;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
    let sigil = env("SIGIL_URL", "https://localhost:8443");
    let tenant = env("TENANT", TENANT);
    let fd = env("FD_URL", "http://127.0.0.1:8081");
    let tp_secret = std::env::var("TP_SECRET")
        .map_err(|_| anyhow::anyhow!("TP_SECRET is not set (the TransactionProcessor secret)"))?;
    let amount: u64 = env("TP_AMOUNT_CENTS", "12500").parse()?;
    let count: u32 = env("TP_COUNT", "1").parse()?;
    let ca = std::env::var_os("SIGIL_CA")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            let p = std::path::PathBuf::from(".sigil/pki/ca.crt");
            p.exists().then_some(p)
        });
    let processor = Processor::new(
        http_client(ca.as_deref())?,
        &format!("{sigil}/{tenant}"),
        secret(tp_secret),
        &fd,
    );
    for i in 0..count {
        let tx = Transaction {
            id: format!("tx-{i:04}"),
            amount_cents: amount,
            currency: "EUR".into(),
        };
        let verdict = processor.screen(&tx).await?;
        println!("{}", serde_json::to_string(&verdict)?);
    }
    Ok(())
}
