//! Watching the configuration folder: poll a fingerprint of every file's size and mtime, and
//! reload on a change (or `SIGHUP`). Polling instead of inotify keeps it portable and works on
//! network and container volumes where change events are unreliable.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::Gateway;

const POLL: Duration = Duration::from_secs(1);

/// A hash of the folder's file names, sizes and modification times.
pub(crate) fn fingerprint(dir: &Path) -> u64 {
    let mut entries = Vec::new();
    collect(dir, &mut entries, 0);
    entries.sort();
    let mut h = DefaultHasher::new();
    entries.hash(&mut h);
    h.finish()
}

fn collect(dir: &Path, out: &mut Vec<(PathBuf, u64, u128)>, depth: usize) {
    // APIOps folders are shallow; the bound only guards against symlink loops.
    if depth > 16 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let path = e.path();
        let Ok(md) = std::fs::metadata(&path) else {
            continue;
        };
        if md.is_dir() {
            collect(&path, out, depth + 1);
        } else {
            let mtime = md
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            out.push((path, md.len(), mtime));
        }
    }
}

pub(crate) fn spawn_watch(gw: Gateway, dir: PathBuf) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last = {
            let d = dir.clone();
            tokio::task::spawn_blocking(move || fingerprint(&d))
                .await
                .unwrap_or(0)
        };
        let mut hup = hangup();
        let mut tick = tokio::time::interval(POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let forced = tokio::select! {
                _ = tick.tick() => false,
                () = next_hangup(&mut hup) => true,
            };
            let d = dir.clone();
            let Ok(now) = tokio::task::spawn_blocking(move || fingerprint(&d)).await else {
                continue;
            };
            if now == last && !forced {
                continue;
            }
            last = now;
            let (g, d) = (gw.clone(), dir.clone());
            let result =
                tokio::task::spawn_blocking(move || g.reload(&d, &|k| std::env::var(k).ok())).await;
            match result {
                Ok(Ok(())) => {
                    tracing::info!(dir = %dir.display(), "gateway configuration reloaded")
                }
                Ok(Err(diags)) => {
                    for d in &diags {
                        tracing::error!(dir = %dir.display(), "{d}");
                    }
                    tracing::error!(
                        dir = %dir.display(),
                        problems = diags.len(),
                        "gateway configuration refused; the previous one keeps serving"
                    );
                }
                Err(e) => tracing::error!(error = %e, "gateway reload task failed"),
            }
        }
    })
}

#[cfg(unix)]
type Hangup = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Hangup = ();

#[cfg(unix)]
fn hangup() -> Hangup {
    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok()
}

#[cfg(not(unix))]
fn hangup() -> Hangup {}

#[cfg(unix)]
async fn next_hangup(h: &mut Hangup) {
    match h {
        Some(s) => {
            s.recv().await;
        }
        None => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn next_hangup(_: &mut Hangup) {
    std::future::pending().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_changes_with_content() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("a.xml"), "x").unwrap();
        let a = fingerprint(d.path());
        assert_eq!(a, fingerprint(d.path()));
        std::fs::write(d.path().join("a.xml"), "xy").unwrap();
        assert_ne!(a, fingerprint(d.path()));
    }
}
