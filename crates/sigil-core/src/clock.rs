//! Time is an input. Code that needs "now" takes a [`Clock`], so tests can fix or advance it.
//! `SystemTime::now` is banned everywhere else by `clippy.toml`.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds and nanoseconds since the Unix epoch, as read from a [`Clock`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(Duration);

impl UnixTime {
    /// A time `secs` seconds after the epoch.
    pub const fn from_secs(secs: u64) -> Self {
        Self(Duration::from_secs(secs))
    }

    /// A time from a duration since the epoch.
    pub const fn from_duration(d: Duration) -> Self {
        Self(d)
    }

    /// Whole seconds since the epoch (what JWT `iat`/`nbf`/`exp` carry).
    pub const fn as_secs(self) -> u64 {
        self.0.as_secs()
    }

    /// The duration since the epoch.
    pub const fn as_duration(self) -> Duration {
        self.0
    }

    /// `self + d`, saturating at the maximum representable time.
    pub fn saturating_add(self, d: Duration) -> Self {
        Self(self.0.saturating_add(d))
    }

    /// `self - d`, saturating at the epoch.
    pub fn saturating_sub(self, d: Duration) -> Self {
        Self(self.0.saturating_sub(d))
    }

    /// How long after `earlier` this time is (zero if it is not later).
    pub fn since(self, earlier: UnixTime) -> Duration {
        self.0.saturating_sub(earlier.0)
    }
}

/// A source of the current time.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// The current time.
    fn now(&self) -> UnixTime;
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> UnixTime {
        (**self).now()
    }
}

/// The operating system's wall clock. The only place in Sigil that reads it.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one sanctioned read of the wall clock
    fn now(&self) -> UnixTime {
        // A wall clock before 1970 is a broken host; treat it as the epoch rather than panic.
        UnixTime(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default(),
        )
    }
}

/// A clock that only moves when told to; for tests and deterministic simulations.
#[derive(Debug, Default)]
pub struct FixedClock {
    nanos: AtomicU64,
}

impl FixedClock {
    /// A clock standing at `t`.
    pub fn at(t: UnixTime) -> Self {
        let nanos = u64::try_from(t.0.as_nanos()).unwrap_or(u64::MAX);
        Self {
            nanos: AtomicU64::new(nanos),
        }
    }

    /// Move the clock forward by `d`.
    pub fn advance(&self, d: Duration) {
        let add = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(add, Ordering::SeqCst);
    }

    /// Set the clock to `t`.
    pub fn set(&self, t: UnixTime) {
        let nanos = u64::try_from(t.0.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.store(nanos, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> UnixTime {
        UnixTime(Duration::from_nanos(self.nanos.load(Ordering::SeqCst)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clock_moves_only_when_told() {
        let c = FixedClock::at(UnixTime::from_secs(1_700_000_000));
        assert_eq!(c.now().as_secs(), 1_700_000_000);
        c.advance(Duration::from_secs(90));
        assert_eq!(c.now().as_secs(), 1_700_000_090);
        c.set(UnixTime::from_secs(5));
        assert_eq!(c.now().as_secs(), 5);
    }

    #[test]
    fn system_clock_is_after_2020() {
        assert!(SystemClock.now().as_secs() > 1_577_836_800);
    }

    #[test]
    fn unix_time_arithmetic_saturates() {
        let t = UnixTime::from_secs(10);
        assert_eq!(t.saturating_sub(Duration::from_secs(20)).as_secs(), 0);
        assert_eq!(t.since(UnixTime::from_secs(20)), Duration::ZERO);
        assert_eq!(UnixTime::from_secs(20).since(t), Duration::from_secs(10));
    }
}
