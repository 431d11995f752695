//! `ip-filter` and the counters behind `limit-concurrency`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use sigil_policy::model::{IpFilter, IpFilterAction};

use crate::context::Exchange;
use crate::errors::Fault;
use crate::eval;

/// `ip-filter`: `allow` lets only listed callers through, `forbid` refuses listed callers.
pub(crate) fn ip_filter(ex: &mut Exchange<'_>, p: &IpFilter) -> Result<(), Fault> {
    let ip = ex.client_ip.to_canonical();
    let mut listed = p.ranges.iter().any(|(from, to)| in_range(ip, *from, *to));
    if !listed {
        for a in &p.addresses {
            let text = eval::text(ex, a)?;
            let addr: IpAddr = text
                .trim()
                .parse()
                .map_err(|_| Fault::bad_value("An ip-filter address", &text))?;
            if addr.to_canonical() == ip {
                listed = true;
                break;
            }
        }
    }
    match (p.action, listed) {
        (IpFilterAction::Allow, false) => Err(Fault::ip_filter(
            "CallerIpNotAllowed",
            format!("Caller IP address {ip} is not allowed."),
        )),
        (IpFilterAction::Forbid, true) => Err(Fault::ip_filter(
            "CallerIpBlocked",
            format!("Caller IP address {ip} is blocked."),
        )),
        _ => Ok(()),
    }
}

fn in_range(ip: IpAddr, from: IpAddr, to: IpAddr) -> bool {
    let (ip, from, to) = (ip.to_canonical(), from.to_canonical(), to.to_canonical());
    match (ip, from, to) {
        (IpAddr::V4(i), IpAddr::V4(f), IpAddr::V4(t)) => (f..=t).contains(&i),
        (IpAddr::V6(i), IpAddr::V6(f), IpAddr::V6(t)) => (f..=t).contains(&i),
        _ => false,
    }
}

/// Concurrency counters by key, shared by every `limit-concurrency` policy and kept across
/// reloads. Entries disappear when their count drops to zero, so keys cannot pile up.
#[derive(Debug, Default)]
pub(crate) struct Limiter {
    counts: Arc<Mutex<HashMap<String, u32>>>,
}

/// One admitted request; releases its slot when dropped (also on error or cancellation).
#[derive(Debug)]
pub(crate) struct Permit {
    counts: Arc<Mutex<HashMap<String, u32>>>,
    key: String,
}

impl Limiter {
    /// Takes a slot under `key` if fewer than `max` are taken.
    pub(crate) fn acquire(&self, key: &str, max: u32) -> Option<Permit> {
        let mut m = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let n = m.entry(key.to_owned()).or_insert(0);
        if *n >= max {
            if *n == 0 {
                m.remove(key);
            }
            return None;
        }
        *n += 1;
        Some(Permit {
            counts: self.counts.clone(),
            key: key.to_owned(),
        })
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut m = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = m.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                m.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_counts_per_key_and_releases() {
        let l = Limiter::default();
        let a = l.acquire("k", 2).unwrap();
        let _b = l.acquire("k", 2).unwrap();
        assert!(l.acquire("k", 2).is_none());
        assert!(l.acquire("other", 1).is_some());
        drop(a);
        assert!(l.acquire("k", 2).is_some());
    }

    #[test]
    fn ranges_are_inclusive_and_family_aware() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(in_range(ip("10.0.0.5"), ip("10.0.0.1"), ip("10.0.0.5")));
        assert!(!in_range(ip("10.0.0.6"), ip("10.0.0.1"), ip("10.0.0.5")));
        assert!(in_range(
            ip("::ffff:10.0.0.2"),
            ip("10.0.0.1"),
            ip("10.0.0.5")
        ));
        assert!(!in_range(ip("::1"), ip("10.0.0.1"), ip("10.0.0.5")));
    }
}
