//! Counters behind `rate-limit`, `rate-limit-by-key`, `quota` and `quota-by-key`.
//!
//! [`CounterStore`] is the seam for a shared store (Redis, with scale-out); [`MemoryCounters`]
//! is the in-process one. As in APIM, one counter exists per key value: every policy that
//! counts the same key shares it, whatever its scope.
//!
//! **Sliding windows** (rate limits) use the sliding-window-counter approximation: two fixed
//! windows per key, the previous one weighted by how much of it still overlaps the sliding
//! window (`prev * (1 - elapsed / W) + current`). Two numbers per key instead of one bucket per
//! second, exact at window boundaries and never more than one window's worth off in between;
//! APIM documents its own throttling as approximate too.
//!
//! **Fixed windows** (quotas) are aligned to a start instant; the counter resets when a new
//! window starts.
//!
//! **Bounded memory.** The store holds at most `max_keys` counters over 16 shards. A full shard
//! first drops counters whose windows are over; if none are, it evicts the least recently used
//! of a small sample (Redis's approximated LRU), so a flood of distinct keys costs a fixed amount
//! of memory and O(1) work per new key. Evictions are counted ([`MemoryCounters::evictions`]).

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use sigil_core::UnixTime;

/// The name of one counter (the policy family is part of it, so a rate limit and a quota on
/// the same key value do not share a counter).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CounterKey(pub String);

/// How a counter's window moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    /// The last `0` seconds, sliding.
    Sliding(Duration),
    /// Fixed periods of `period` starting at `start` (Unix seconds, may be negative); a zero
    /// period never renews.
    Fixed {
        /// Alignment of the periods.
        start: i64,
        /// Length of one period.
        period: Duration,
    },
}

/// The outcome of [`CounterStore::hit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The request may go on (the counter was below the limit).
    pub allowed: bool,
    /// What is left after this hit.
    pub remaining: u64,
    /// When a refused caller may try again (zero when allowed, or never for a lifetime quota).
    pub retry_after: Duration,
}

/// Where counters live.
pub trait CounterStore: Send + Sync + fmt::Debug {
    /// Admits the request if the counter is below `limit`, then adds `increment` (0 checks only).
    fn hit(
        &self,
        key: &CounterKey,
        window: Window,
        limit: u64,
        now: UnixTime,
        increment: u64,
    ) -> Decision;

    /// Adds `amount` without checking (counting decided after the response).
    fn add(&self, key: &CounterKey, window: Window, now: UnixTime, amount: u64);
}

const SHARDS: usize = 16;
const SAMPLE: usize = 8;

#[derive(Clone, Copy, Debug)]
struct Entry {
    /// Index of the current window (sliding: `now / W`; fixed: periods since `start`).
    index: i64,
    current: u64,
    previous: u64,
    touched: u64,
}

/// In-process counters with a bound on the number of keys.
#[derive(Debug)]
pub struct MemoryCounters {
    shards: Vec<Mutex<HashMap<CounterKey, Entry>>>,
    per_shard: usize,
    evictions: AtomicU64,
}

impl MemoryCounters {
    /// A store holding at most about `max_keys` counters.
    pub fn new(max_keys: usize) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            per_shard: (max_keys / SHARDS).max(1),
            evictions: AtomicU64::new(0),
        }
    }

    /// Counters dropped to stay within the bound while still in their window.
    pub fn evictions(&self) -> u64 {
        self.evictions.load(Ordering::Relaxed)
    }

    /// Counters held now.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(PoisonError::into_inner).len())
            .sum()
    }

    /// True when no counter is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn shard(&self, key: &CounterKey) -> &Mutex<HashMap<CounterKey, Entry>> {
        let mut h = DefaultHasher::new();
        key.hash(&mut h);
        let i = usize::try_from(h.finish() % SHARDS as u64).unwrap_or(0);
        &self.shards[i]
    }

    fn with_entry<R>(
        &self,
        key: &CounterKey,
        window: Window,
        now: UnixTime,
        f: impl FnOnce(&mut Entry, &Clocked) -> R,
    ) -> R {
        let c = Clocked::new(window, now);
        let mut map = self
            .shard(key)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if !map.contains_key(key) && map.len() >= self.per_shard {
            self.make_room(&mut map, &c);
        }
        let e = map.entry(key.clone()).or_insert(Entry {
            index: c.index,
            current: 0,
            previous: 0,
            touched: c.millis,
        });
        roll(e, c.index);
        e.touched = c.millis;
        f(e, &c)
    }

    fn make_room(&self, map: &mut HashMap<CounterKey, Entry>, c: &Clocked) {
        // Counters whose windows ended hold nothing: drop them first (at most a sample's worth,
        // so one insertion never scans the whole shard).
        let stale: Vec<CounterKey> = map
            .iter()
            .take(SAMPLE * 4)
            .filter(|(_, e)| c.index > e.index.saturating_add(1) && c.same_kind)
            .map(|(k, _)| k.clone())
            .collect();
        if !stale.is_empty() {
            for k in stale {
                map.remove(&k);
            }
            return;
        }
        let victim = map
            .iter()
            .take(SAMPLE)
            .min_by_key(|(_, e)| e.touched)
            .map(|(k, _)| k.clone());
        if let Some(k) = victim {
            map.remove(&k);
            self.evictions.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Default for MemoryCounters {
    /// 100,000 counters.
    fn default() -> Self {
        Self::new(100_000)
    }
}

/// The current window position for one call.
struct Clocked {
    window: Window,
    index: i64,
    /// Milliseconds into the current window.
    into: u64,
    /// Window length in milliseconds (0 for a lifetime quota).
    len: u64,
    millis: u64,
    /// Eviction of stale entries only compares indexes of the same window kind; all entries of
    /// a key share its policy's window, so this is always true in practice.
    same_kind: bool,
}

impl Clocked {
    fn new(window: Window, now: UnixTime) -> Self {
        let millis = u64::try_from(now.as_duration().as_millis()).unwrap_or(u64::MAX);
        let (index, into, len) = match window {
            Window::Sliding(w) => {
                let len = u64::try_from(w.as_millis()).unwrap_or(u64::MAX).max(1);
                (
                    i64::try_from(millis / len).unwrap_or(i64::MAX),
                    millis % len,
                    len,
                )
            }
            Window::Fixed { start, period } => {
                let len = u64::try_from(period.as_millis()).unwrap_or(u64::MAX);
                let since = i128::from(millis) - i128::from(start) * 1000;
                if len == 0 || since < 0 {
                    (0, 0, 0)
                } else {
                    let since = u128::try_from(since).unwrap_or(0);
                    let idx = since / u128::from(len);
                    let into = since % u128::from(len);
                    (
                        i64::try_from(idx).unwrap_or(i64::MAX),
                        u64::try_from(into).unwrap_or(0),
                        len,
                    )
                }
            }
        };
        Self {
            window,
            index,
            into,
            len,
            millis,
            same_kind: true,
        }
    }

    /// The count the limit is compared with.
    fn estimate(&self, e: &Entry) -> u64 {
        match self.window {
            Window::Sliding(_) => {
                let left = self.len.saturating_sub(self.into);
                let weighted = u128::from(e.previous) * u128::from(left) / u128::from(self.len);
                e.current
                    .saturating_add(u64::try_from(weighted).unwrap_or(u64::MAX))
            }
            Window::Fixed { .. } => e.current,
        }
    }

    /// How long until the estimate drops below `limit`.
    fn retry_after(&self, e: &Entry, limit: u64) -> Duration {
        let to_end = self.len.saturating_sub(self.into);
        let ms = match self.window {
            Window::Fixed { .. } if self.len == 0 => 0,
            Window::Fixed { .. } => to_end,
            Window::Sliding(_) if e.current >= limit => {
                // Next window: current * (1 - x / W) < limit, i.e. x > W * (current - limit) / current.
                let x = u128::from(self.len) * u128::from(e.current - limit)
                    / u128::from(e.current.max(1));
                to_end.saturating_add(u64::try_from(x).unwrap_or(u64::MAX).saturating_add(1))
            }
            Window::Sliding(_) => {
                // This window: previous * (1 - t / W) < limit - current, i.e.
                // t > W * (previous - room) / previous.
                let room = u128::from(limit - e.current);
                let prev = u128::from(e.previous.max(1));
                let t = u128::from(self.len) * prev.saturating_sub(room) / prev;
                u64::try_from(t)
                    .unwrap_or(u64::MAX)
                    .saturating_add(1)
                    .saturating_sub(self.into)
            }
        };
        // Whole seconds, at least one, as Retry-After carries.
        Duration::from_secs(ms.div_ceil(1000).max(1))
    }
}

/// Moves an entry to window `index`.
fn roll(e: &mut Entry, index: i64) {
    if index == e.index {
        return;
    }
    e.previous = if index == e.index.saturating_add(1) {
        e.current
    } else {
        0
    };
    e.current = 0;
    e.index = index;
}

impl CounterStore for MemoryCounters {
    fn hit(
        &self,
        key: &CounterKey,
        window: Window,
        limit: u64,
        now: UnixTime,
        increment: u64,
    ) -> Decision {
        self.with_entry(key, window, now, |e, c| {
            let used = c.estimate(e);
            if used >= limit {
                return Decision {
                    allowed: false,
                    remaining: 0,
                    retry_after: c.retry_after(e, limit),
                };
            }
            e.current = e.current.saturating_add(increment);
            Decision {
                allowed: true,
                remaining: limit.saturating_sub(used.saturating_add(increment)),
                retry_after: Duration::ZERO,
            }
        })
    }

    fn add(&self, key: &CounterKey, window: Window, now: UnixTime, amount: u64) {
        self.with_entry(key, window, now, |e, _| {
            e.current = e.current.saturating_add(amount);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> CounterKey {
        CounterKey(s.into())
    }

    const W: Window = Window::Sliding(Duration::from_secs(60));

    #[test]
    fn sliding_limit_refuses_after_n_and_recovers() {
        let c = MemoryCounters::default();
        let t = UnixTime::from_secs(6_000); // a window boundary
        for i in 0..3 {
            let d = c.hit(&k("a"), W, 3, t, 1);
            assert!(d.allowed);
            assert_eq!(d.remaining, 2 - i);
        }
        let d = c.hit(&k("a"), W, 3, t, 1);
        assert!(!d.allowed);
        // All three are in the current window: the estimate drops below 3 once a third of the
        // next window has passed (3 * (1 - x/60) < 3 → x > 0 → 1 s granularity).
        assert_eq!(d.retry_after, Duration::from_secs(61));
        // Other keys are independent.
        assert!(c.hit(&k("b"), W, 3, t, 1).allowed);
        // Two windows later, all forgotten.
        assert!(c.hit(&k("a"), W, 3, UnixTime::from_secs(6_120), 1).allowed);
    }

    #[test]
    fn previous_window_is_weighted() {
        let c = MemoryCounters::default();
        for _ in 0..10 {
            c.hit(&k("a"), W, 10, UnixTime::from_secs(6_000), 1);
        }
        // Half-way through the next window half of the previous count still weighs in.
        let d = c.hit(&k("a"), W, 10, UnixTime::from_secs(6_090), 1);
        assert!(d.allowed);
        assert_eq!(d.remaining, 4);
        // 90 % through: one of the ten still counts.
        let d = c.hit(&k("a"), W, 2, UnixTime::from_secs(6_114), 0);
        assert!(!d.allowed, "1 + 1 weighted >= 2");
    }

    #[test]
    fn check_only_and_deferred_add() {
        let c = MemoryCounters::default();
        let t = UnixTime::from_secs(6_000);
        assert!(c.hit(&k("a"), W, 1, t, 0).allowed);
        assert!(c.hit(&k("a"), W, 1, t, 0).allowed);
        c.add(&k("a"), W, t, 1);
        assert!(!c.hit(&k("a"), W, 1, t, 0).allowed);
    }

    #[test]
    fn fixed_window_resets_at_period_start() {
        let c = MemoryCounters::default();
        let w = Window::Fixed {
            start: 0,
            period: Duration::from_secs(3_600),
        };
        let t = UnixTime::from_secs(7_200 + 3_000);
        assert!(c.hit(&k("q"), w, 1, t, 1).allowed);
        let d = c.hit(&k("q"), w, 1, t, 1);
        assert!(!d.allowed);
        assert_eq!(d.retry_after, Duration::from_secs(600));
        assert!(c.hit(&k("q"), w, 1, UnixTime::from_secs(10_800), 1).allowed);
        // A lifetime quota never renews.
        let life = Window::Fixed {
            start: 0,
            period: Duration::ZERO,
        };
        c.hit(&k("l"), life, 1, t, 1);
        assert!(
            !c.hit(&k("l"), life, 1, UnixTime::from_secs(1 << 40), 1)
                .allowed
        );
    }

    #[test]
    fn memory_is_bounded_under_a_flood_of_keys() {
        let c = MemoryCounters::new(1_000);
        let t = UnixTime::from_secs(6_000);
        for i in 0..100_000 {
            c.hit(&k(&format!("flood-{i}")), W, 10, t, 1);
        }
        assert!(c.len() <= 1_000, "{}", c.len());
        assert!(c.evictions() >= 99_000);
        // Stale counters are reclaimed before live ones are evicted.
        let before = c.evictions();
        let later = UnixTime::from_secs(6_300);
        for i in 0..500 {
            c.hit(&k(&format!("later-{i}")), W, 10, later, 1);
        }
        assert!(c.len() <= 1_000);
        assert!(
            c.evictions() - before < 500,
            "stale entries were dropped first"
        );
    }
}
