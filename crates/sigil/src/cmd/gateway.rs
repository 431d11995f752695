//! `sigil gateway check` and `sigil gateway effective-policy`.

use std::sync::Arc;

use sigil_core::SystemClock;

use crate::Failure;
use crate::cli::GatewayCommand;

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
    }
}
