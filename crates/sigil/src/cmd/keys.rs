//! `sigil keys rotate`.

use std::path::PathBuf;

use anyhow::Context;
use sigil_app::admin::{Installation, rotate_keys};
use sigil_core::{Clock, SystemClock};

use crate::Failure;
use crate::cli::KeysCommand;

pub(crate) async fn run(home: Option<PathBuf>, cmd: KeysCommand) -> Result<(), Failure> {
    match cmd {
        KeysCommand::Rotate { force, config } => {
            let config = super::admin_config(home, config.as_deref())?;
            let inst = Installation::open(&config)
                .await
                .context("opening the installation")?;
            let r = rotate_keys(&inst, &SystemClock, force)
                .await
                .context("rotating keys")?;
            let now = SystemClock.now().as_secs();
            if r.signs_from <= now {
                println!("key {} signs now", r.kid);
            } else {
                let hours = (r.signs_from - now) as f64 / 3600.0;
                println!(
                    "key {} published; it signs in {hours:.1} h (unix {})",
                    r.kid, r.signs_from
                );
            }
            inst.store.close().await;
            Ok(())
        }
    }
}
