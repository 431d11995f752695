//! `sigil apply` and `sigil export`.

use std::path::PathBuf;

use anyhow::Context;
use sigil_app::admin::{self, ApplyFailure, ApplyFileError, Installation};
use sigil_core::SystemClock;

use crate::Failure;
use crate::cli::{ApplyArgs, ExportArgs};

pub(crate) async fn apply(home: Option<PathBuf>, args: ApplyArgs) -> Result<(), Failure> {
    let config = super::admin_config(home, args.config.as_deref())?;
    let inst = Installation::open(&config)
        .await
        .context("opening the installation")?;
    let result = admin::apply_file(
        &inst,
        &args.file,
        args.prune,
        &SystemClock,
        &super::process_env,
    )
    .await;
    inst.store.close().await;
    let report = match result {
        Ok(r) => r,
        Err(
            e @ (ApplyFileError::Apply(ApplyFailure::Invalid(_)) | ApplyFileError::Read { .. }),
        ) => {
            return Err(Failure::Config(format!("nothing was applied:\n{e}")));
        }
        Err(e) => {
            return Err(Failure::Runtime(anyhow::anyhow!(
                "nothing was applied: {e}"
            )));
        }
    };
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    if report.changes.is_empty() {
        println!("no changes");
    }
    for c in &report.changes {
        println!("{c}");
    }
    if !report.generated_secrets.is_empty() {
        println!();
        println!("Generated client secrets (shown once; only their hashes are stored):");
        for s in &report.generated_secrets {
            println!(
                "  {} (appId {}) {}: {}",
                s.app_display_name,
                s.app_id,
                s.credential_display_name,
                s.secret.expose()
            );
        }
    }
    Ok(())
}

pub(crate) async fn export(home: Option<PathBuf>, args: ExportArgs) -> Result<(), Failure> {
    let config = super::admin_config(home, args.config.as_deref())?;
    let inst = Installation::open(&config)
        .await
        .context("opening the installation")?;
    let yaml = admin::export(&inst, args.tenant.as_deref()).await;
    inst.store.close().await;
    match yaml {
        Ok(y) => {
            print!("{y}");
            Ok(())
        }
        Err(e) => Err(Failure::Config(e)),
    }
}
