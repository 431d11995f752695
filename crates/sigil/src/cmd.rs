//! One module per command; each returns a [`Failure`] that `main` maps to an exit code.

mod apply;
mod ca;
mod gateway;
mod keys;
mod up;

use std::path::PathBuf;

use crate::Failure;
use crate::cli::{Cli, Command};

pub(crate) async fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Up(args) => up::run(cli.home, args).await,
        Command::Ca(c) => ca::run(cli.home, c),
        Command::Keys(c) => keys::run(cli.home, c).await,
        Command::Apply(a) => apply::apply(cli.home, a).await,
        Command::Gateway(g) => gateway::run(g),
        Command::Export(a) => apply::export(cli.home, a).await,
    }
}

/// The process environment, read only here and handed to configuration as a lookup.
pub(crate) fn process_env(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|v| !v.is_empty())
}

/// `--home`, else `$SIGIL_HOME`, else `./.sigil`.
pub(crate) fn home_dir(flag: Option<PathBuf>) -> PathBuf {
    flag.or_else(|| process_env("SIGIL_HOME").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(".sigil"))
}

/// Load the configuration an admin command acts on.
pub(crate) fn admin_config(
    home: Option<PathBuf>,
    config: Option<&std::path::Path>,
) -> Result<sigil_app::AppConfig, Failure> {
    let sources = sigil_app::Sources {
        config_file: config,
        home,
        idp_listen: None,
        gateway_config: None,
        env: &process_env,
    };
    sigil_app::AppConfig::load(&sources).map_err(|e| Failure::Config(e.to_string()))
}
