//! The command-line surface. Commands appear here only once they work.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Sigil: a self-hosted, Entra-ID-compatible identity provider and API gateway.
#[derive(Debug, Parser)]
#[command(name = "sigil", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    /// The installation's home directory [default: $SIGIL_HOME or ./.sigil]
    #[arg(long, global = true, value_name = "DIR")]
    pub(crate) home: Option<PathBuf>,

    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub(crate) log_format: LogFormat,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LogFormat {
    /// Human-readable.
    Text,
    /// One JSON object per line.
    Json,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Start every component in one process on embedded defaults (SQLite, local CA).
    Up(UpArgs),
    /// The local certificate authority.
    #[command(subcommand)]
    Ca(CaCommand),
    /// Apply a directory document (tenants, applications, credentials, consents), idempotently.
    Apply(ApplyArgs),
    /// Print the directory in the `sigil apply` format (secrets are never printed).
    Export(ExportArgs),
    /// Token signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Offline tools for APIM configuration folders.
    #[command(subcommand)]
    Gateway(GatewayCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum GatewayCommand {
    /// Validate a configuration folder: XML, policies, attributes, expressions, references.
    /// Prints `file:line:col: message` per problem; exit 2 if any is an error.
    Check {
        /// The folder (global policy.xml, apis/, products/, ...).
        dir: std::path::PathBuf,
    },
    /// Print the merged policy (global > product > API > operation) for an operation.
    EffectivePolicy {
        /// The folder.
        dir: std::path::PathBuf,
        /// API folder name.
        #[arg(long)]
        api: String,
        /// Operation name.
        #[arg(long)]
        operation: Option<String>,
        /// Product whose policy applies (as for a product-scoped subscription).
        #[arg(long)]
        product: Option<String>,
    },
    /// Regenerate a subscription's primary or secondary key in the folder (a running gateway
    /// reloads it). The new key is printed once.
    RegenerateKey {
        /// The folder.
        dir: std::path::PathBuf,
        /// The subscription (its folder name under subscriptions/).
        #[arg(long)]
        subscription: String,
        /// Which key.
        #[arg(long, value_enum, default_value_t = KeyArg::Primary)]
        key: KeyArg,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum KeyArg {
    /// primaryKey
    Primary,
    /// secondaryKey
    Secondary,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ApplyArgs {
    /// The YAML document.
    #[arg(short = 'f', long = "file", value_name = "FILE.yaml")]
    pub(crate) file: std::path::PathBuf,
    /// Remove what the document does not describe.
    #[arg(long)]
    pub(crate) prune: bool,
    /// A TOML configuration file [default: <home>/sigil.toml if present]
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<std::path::PathBuf>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ExportArgs {
    /// Only this tenant (GUID or domain).
    #[arg(long, value_name = "TENANT")]
    pub(crate) tenant: Option<String>,
    /// A TOML configuration file [default: <home>/sigil.toml if present]
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum KeysCommand {
    /// Start a signing-key rollover now (normally automatic every 30 days).
    ///
    /// Publishes a new key at once; it starts signing after the publication delay (24 h), so
    /// relying parties that cache the JWKS already know it. A running server picks it up.
    Rotate {
        /// Sign with the new key immediately (relying parties refetch on the unknown kid).
        #[arg(long)]
        force: bool,
        /// A TOML configuration file [default: <home>/sigil.toml if present]
        #[arg(long, value_name = "FILE")]
        config: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub(crate) struct UpArgs {
    /// A TOML configuration file [default: <home>/sigil.toml if present]
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// Identity provider listen address [default: 127.0.0.1:8443]
    #[arg(long, value_name = "IP:PORT")]
    pub(crate) listen: Option<String>,

    /// Also register the demo scenarios (FinTech: TransactionProcessor -> FraudDetector;
    /// FitBuzz: three member tiers -> the Workouts API). Client secrets come from $TP_SECRET,
    /// $FITBUZZ_FREE_SECRET, $FITBUZZ_PREMIUM_SECRET and $FITBUZZ_ENTERPRISE_SECRET, or are
    /// generated and printed once.
    #[arg(long)]
    pub(crate) demo: bool,

    /// Run the gateway with this APIM (APIOps-style) configuration folder, on
    /// http://127.0.0.1:8080 and https://127.0.0.1:8444. Reloaded when files change.
    #[arg(long, value_name = "DIR")]
    pub(crate) gateway_config: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CaCommand {
    /// Print the local CA certificate (PEM), creating the CA if this home has none yet.
    Export,
}
