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

/// How many threads run requests: `TOKIO_WORKER_THREADS` when set, else the CPUs this process
/// may use (std reads the affinity mask and the cgroup CPU quota, so a container limited to one
/// CPU counts one).
fn worker_threads() -> usize {
    std::env::var("TOKIO_WORKER_THREADS")
        .ok()
        .and_then(|n| n.trim().parse().ok())
        .filter(|&n| n > 0)
        .or_else(|| std::thread::available_parallelism().ok().map(usize::from))
        .unwrap_or(1)
}

/// One thread: Tokio's current-thread scheduler, which skips the work-stealing machinery (run
/// queue atomics, a LIFO slot that lets a just-woken task jump the queue, a parked-worker
/// handshake) that a single worker gains nothing from. Measured with `bench/gateway-vs` on one
/// core: about 8 % more requests per second, 1.7 µs less CPU per request, and a lower p99
/// (docs/gateway.md, "Performance"). More threads: the multi-thread scheduler.
fn runtime_builder(threads: usize) -> tokio::runtime::Builder {
    if threads == 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(threads);
        b
    }
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    logging::init(cli.log_format);
    let runtime = match runtime_builder(worker_threads()).enable_all().build() {
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
