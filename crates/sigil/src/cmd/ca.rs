//! `sigil ca export`.

use std::path::PathBuf;

use anyhow::Context;
use sigil_core::SystemClock;
use sigil_pki::ServerNames;

use crate::Failure;
use crate::cli::CaCommand;

pub(crate) fn run(home: Option<PathBuf>, cmd: CaCommand) -> Result<(), Failure> {
    match cmd {
        CaCommand::Export => {
            let pki = super::home_dir(home).join("pki");
            // Reuse what exists; create it otherwise, exactly as `sigil up` would.
            let pem = match sigil_pki::read_ca_cert(&pki) {
                Ok(pem) => pem,
                Err(_) => {
                    sigil_pki::ensure(&pki, &ServerNames::default(), &SystemClock)
                        .with_context(|| format!("creating the local CA in {}", pki.display()))?
                        .ca_cert_pem
                }
            };
            print!("{pem}");
            Ok(())
        }
    }
}
