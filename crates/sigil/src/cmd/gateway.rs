//! `sigil gateway check` and `sigil gateway effective-policy`.

use std::sync::Arc;

use sigil_core::SystemClock;

use crate::Failure;
use crate::cli::{GatewayCommand, KeyArg};

pub(crate) fn run(cmd: GatewayCommand) -> Result<(), Failure> {
    match cmd {
        GatewayCommand::Check { dir } => {
            let diags = sigil_app::gateway::check(&dir, Arc::new(SystemClock))
                .map_err(|e| Failure::Runtime(anyhow::anyhow!(e)))?;
            for d in &diags {
                println!("{d}");
            }
            let errors = diags.iter().filter(|d| d.is_error()).count();
            if errors > 0 {
                return Err(Failure::Config(format!(
                    "{errors} error(s) in {}",
                    dir.display()
                )));
            }
            println!("{}: ok ({} warning(s))", dir.display(), diags.len());
            Ok(())
        }
        GatewayCommand::EffectivePolicy {
            dir,
            api,
            operation,
            product,
        } => {
            match sigil_app::gateway::effective_policy(
                &dir,
                &api,
                operation.as_deref(),
                product.as_deref(),
            ) {
                Ok(xml) => {
                    print!("{xml}");
                    Ok(())
                }
                Err(lines) => Err(Failure::Config(lines.join("\n"))),
            }
        }
        GatewayCommand::RegenerateKey {
            dir,
            subscription,
            key,
        } => {
            let slot = match key {
                KeyArg::Primary => sigil_app::gateway::KeySlot::Primary,
                KeyArg::Secondary => sigil_app::gateway::KeySlot::Secondary,
            };
            let r = sigil_app::gateway::regenerate_key(&dir, &subscription, slot)
                .map_err(Failure::Config)?;
            match r.env_var {
                Some(var) => {
                    println!(
                        "{subscription}: this key comes from ${var}; set it and restart or touch the folder:"
                    );
                    println!("  export {var}={}", r.key.expose());
                }
                None => println!("{subscription}: new key (shown once): {}", r.key.expose()),
            }
            Ok(())
        }
    }
}
