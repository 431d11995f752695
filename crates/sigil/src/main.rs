//! `sigil`: the one binary. Parses the command line, sets up logging, runs one command, and maps
//! the outcome to an exit code: 0 success, 1 runtime failure, 2 usage or configuration error.

mod cli;
mod cmd;
mod logging;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of the system allocator: the gateway and token endpoint make many small,
/// short-lived allocations per request; measured with `bench/gateway-vs` (see docs/gateway.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// An error that says which exit code it deserves.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Bad usage or configuration: exit 2.
    Config(String),
    /// Anything else: exit 1.
    Runtime(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Self::Runtime(e)
    }
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    logging::init(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(cmd::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Config(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Runtime(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
