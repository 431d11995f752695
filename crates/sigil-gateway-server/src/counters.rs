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
//!
//! **One hash per hit.** Keys are attacker-controlled (a header, a claim), so they are hashed
//! with a per-store random seed (aHash, designed against hash flooding). That one 64-bit hash
//! picks the shard and is reused by the shard's table; the table still compares whole keys, so
//! two keys with the same hash stay two counters. Short keys (the common ones: an IP address, a
//! token id) are stored inside the table slot, so a new counter costs no allocation of its own.

use std::fmt;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use hashbrown::HashTable;
use sigil_core::UnixTime;

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
///
/// `key` is the counter's name (the policy family is part of it, so a rate limit and a quota on
/// the same key value do not share a counter); a shared store uses it as its key text.
pub trait CounterStore: Send + Sync + fmt::Debug {
    /// Admits the request if the counter is below `limit`, then adds `increment` (0 checks only).
    fn hit(&self, key: &str, window: Window, limit: u64, now: UnixTime, increment: u64)
    -> Decision;

    /// Adds `amount` without checking (counting decided after the response).
    fn add(&self, key: &str, window: Window, now: UnixTime, amount: u64);
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

/// Longest key kept inline: with the tag and length byte a [`Name`] is 32 bytes, the same as
/// an [`Entry`], so a slot is 64. `rl:key:` plus a 22-character token id or an IPv4 address fits.
const INLINE: usize = 30;

/// A counter's name as the table keeps it: inline when short, else one exact allocation.
enum Name {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<[u8]>),
}

impl Name {
    fn new(key: &[u8]) -> Self {
        match u8::try_from(key.len()) {
            Ok(len) if key.len() <= INLINE => {
                let mut bytes = [0; INLINE];
                bytes[..key.len()].copy_from_slice(key);
                Name::Inline { len, bytes }
            }
            _ => Name::Heap(key.into()),
        }
    }

    fn as_bytes(&self) -> &[u8] {
        match self {
            Name::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Name::Heap(b) => b,
        }
    }

    /// Bytes allocated outside the table for this name.
    fn heap_bytes(&self) -> usize {
        match self {
            Name::Inline { .. } => 0,
            Name::Heap(b) => b.len(),
        }
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&String::from_utf8_lossy(self.as_bytes()), f)
    }
}

#[derive(Debug)]
struct Slot {
    name: Name,
    entry: Entry,
}

#[derive(Debug, Default)]
struct Shard {
    table: HashTable<Slot>,
    /// Bucket where the next eviction sample starts. It moves on with every sample so that all
    /// counters are candidates in turn; always starting at the first bucket would keep evicting
    /// whatever lands there and rescan an ever longer empty prefix.
    cursor: usize,
}

/// In-process counters with a bound on the number of keys.
///
/// `S` hashes the keys; it is only chosen otherwise by tests (to make keys collide).
#[derive(Debug)]
pub struct MemoryCounters<S = ahash::RandomState> {
    shards: Box<[Mutex<Shard>]>,
    per_shard: usize,
    /// What a shard's table is sized for when rebuilt: the bound plus an eighth, so that a
    /// rebuild leaves room for many deletions before the next one.
    table_capacity: usize,
    /// Buckets of a table of `table_capacity`: a full table that would have to grow beyond it
    /// is only full of deletion markers and is rebuilt at this size instead.
    full_buckets: usize,
    hasher: S,
    evictions: AtomicU64,
}

impl MemoryCounters {
    /// A store holding at most about `max_keys` counters.
    pub fn new(max_keys: usize) -> Self {
        // Seeded from the OS's random source: a different hash function per store.
        Self::with_hasher(max_keys, ahash::RandomState::new())
    }
}

impl<S: BuildHasher> MemoryCounters<S> {
    fn with_hasher(max_keys: usize, hasher: S) -> Self {
        let per_shard = (max_keys / SHARDS).max(1);
        let table_capacity = per_shard.saturating_add(per_shard / 8 + 1);
        Self {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            per_shard,
            table_capacity,
            full_buckets: HashTable::<()>::with_capacity(table_capacity).num_buckets(),
            hasher,
            evictions: AtomicU64::new(0),
        }
    }

    /// Counters dropped to stay within the bound while still in their window.
    pub fn evictions(&self) -> u64 {
        self.evictions.load(Ordering::Relaxed)
    }

    /// Counters held now.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(s).table.len()).sum()
    }

    /// True when no counter is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Heap bytes the counters take (tables and long names; allocator overhead not included).
    pub fn heap_bytes(&self) -> usize {
        self.shards
            .iter()
            .map(|s| {
                let s = lock(s);
                s.table.allocation_size()
                    + s.table.iter().map(|s| s.name.heap_bytes()).sum::<usize>()
            })
            .sum()
    }

    fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }

    fn with_entry<R>(
        &self,
        key: &str,
        window: Window,
        now: UnixTime,
        f: impl FnOnce(&mut Entry, &Clocked) -> R,
    ) -> R {
        let c = Clocked::new(window, now);
        let key = key.as_bytes();
        let hash = self.hash(key);
        // The table places entries by the hash's low bits and tags them with its top 7, so the
        // shard takes bits from the middle: all keys of one shard share these bits without
        // crowding one part of its table.
        let shard = usize::try_from((hash >> 32) % SHARDS as u64).unwrap_or(0);
        let mut shard = lock(&self.shards[shard]);
        if let Some(s) = shard.table.find_mut(hash, |s| s.name.as_bytes() == key) {
            roll(&mut s.entry, c.index);
            s.entry.touched = c.millis;
            return f(&mut s.entry, &c);
        }
        if shard.table.len() >= self.per_shard {
            self.make_room(&mut shard, &c);
        }
        let rehash = |s: &Slot| self.hash(s.name.as_bytes());
        if shard.table.len() == shard.table.capacity()
            && shard.table.num_buckets() >= self.full_buckets
        {
            // Inserting would double the table although it is large enough for the bound: its
            // free buckets are all deletion markers left by churn. Rebuild it at the same size.
            let old = std::mem::replace(
                &mut shard.table,
                HashTable::with_capacity(self.table_capacity),
            );
            for s in old {
                shard.table.insert_unique(rehash(&s), s, rehash);
            }
        }
        let slot = Slot {
            name: Name::new(key),
            entry: Entry {
                index: c.index,
                current: 0,
                previous: 0,
                touched: c.millis,
            },
        };
        let s = shard.table.insert_unique(hash, slot, rehash).into_mut();
        f(&mut s.entry, &c)
    }

    fn make_room(&self, shard: &mut Shard, c: &Clocked) {
        let Shard { table, cursor } = shard;
        let buckets = table.num_buckets();
        // The next few counters from the cursor on, in bucket order (a random order of keys).
        let mut sample = [0usize; SAMPLE * 4];
        let mut found = 0;
        let mut i = *cursor % buckets.max(1);
        for _ in 0..buckets {
            if found == sample.len() {
                break;
            }
            if table.get_bucket(i).is_some() {
                sample[found] = i;
                found += 1;
            }
            i = (i + 1) % buckets;
        }
        let sample = &sample[..found];
        // Counters whose windows ended hold nothing: drop them first (at most a sample's worth,
        // so one insertion never scans the whole shard). Removing a counter moves no other, so
        // the sampled bucket numbers stay valid.
        let mut dropped = false;
        for &b in sample {
            if let Ok(e) = table.get_bucket_entry(b) {
                if c.index > e.get().entry.index.saturating_add(1) && c.same_kind {
                    e.remove();
                    dropped = true;
                }
            }
        }
        if dropped {
            *cursor = i;
            return;
        }
        let candidates = &sample[..sample.len().min(SAMPLE)];
        let victim = candidates
            .iter()
            .copied()
            .min_by_key(|&b| table.get_bucket(b).map_or(u64::MAX, |s| s.entry.touched));
        if let Some(v) = victim {
            if let Ok(e) = table.get_bucket_entry(v) {
                e.remove();
                self.evictions.fetch_add(1, Ordering::Relaxed);
            }
        }
        if let Some(last) = candidates.last() {
            *cursor = last + 1;
        }
    }
}

fn lock(m: &Mutex<Shard>) -> std::sync::MutexGuard<'_, Shard> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
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

impl<S: BuildHasher + Send + Sync + fmt::Debug> CounterStore for MemoryCounters<S> {
    fn hit(
        &self,
        key: &str,
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

    fn add(&self, key: &str, window: Window, now: UnixTime, amount: u64) {
        self.with_entry(key, window, now, |e, _| {
            e.current = e.current.saturating_add(amount);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: Window = Window::Sliding(Duration::from_secs(60));

    #[test]
    fn sliding_limit_refuses_after_n_and_recovers() {
        let c = MemoryCounters::default();
        let t = UnixTime::from_secs(6_000); // a window boundary
        for i in 0..3 {
            let d = c.hit("a", W, 3, t, 1);
            assert!(d.allowed);
            assert_eq!(d.remaining, 2 - i);
        }
        let d = c.hit("a", W, 3, t, 1);
        assert!(!d.allowed);
        // All three are in the current window: the estimate drops below 3 once a third of the
        // next window has passed (3 * (1 - x/60) < 3 → x > 0 → 1 s granularity).
        assert_eq!(d.retry_after, Duration::from_secs(61));
        // Other keys are independent.
        assert!(c.hit("b", W, 3, t, 1).allowed);
        // Two windows later, all forgotten.
        assert!(c.hit("a", W, 3, UnixTime::from_secs(6_120), 1).allowed);
    }

    #[test]
    fn previous_window_is_weighted() {
        let c = MemoryCounters::default();
        for _ in 0..10 {
            c.hit("a", W, 10, UnixTime::from_secs(6_000), 1);
        }
        // Half-way through the next window half of the previous count still weighs in.
        let d = c.hit("a", W, 10, UnixTime::from_secs(6_090), 1);
        assert!(d.allowed);
        assert_eq!(d.remaining, 4);
        // 90 % through: one of the ten still counts.
        let d = c.hit("a", W, 2, UnixTime::from_secs(6_114), 0);
        assert!(!d.allowed, "1 + 1 weighted >= 2");
    }

    #[test]
    fn check_only_and_deferred_add() {
        let c = MemoryCounters::default();
        let t = UnixTime::from_secs(6_000);
        assert!(c.hit("a", W, 1, t, 0).allowed);
        assert!(c.hit("a", W, 1, t, 0).allowed);
        c.add("a", W, t, 1);
        assert!(!c.hit("a", W, 1, t, 0).allowed);
    }

    #[test]
    fn fixed_window_resets_at_period_start() {
        let c = MemoryCounters::default();
        let w = Window::Fixed {
            start: 0,
            period: Duration::from_secs(3_600),
        };
        let t = UnixTime::from_secs(7_200 + 3_000);
        assert!(c.hit("q", w, 1, t, 1).allowed);
        let d = c.hit("q", w, 1, t, 1);
        assert!(!d.allowed);
        assert_eq!(d.retry_after, Duration::from_secs(600));
        assert!(c.hit("q", w, 1, UnixTime::from_secs(10_800), 1).allowed);
        // A lifetime quota never renews.
        let life = Window::Fixed {
            start: 0,
            period: Duration::ZERO,
        };
        c.hit("l", life, 1, t, 1);
        assert!(!c.hit("l", life, 1, UnixTime::from_secs(1 << 40), 1).allowed);
    }

    #[test]
    fn memory_is_bounded_under_a_flood_of_keys() {
        let c = MemoryCounters::new(1_000);
        let t = UnixTime::from_secs(6_000);
        for i in 0..100_000 {
            c.hit(&format!("flood-{i}"), W, 10, t, 1);
        }
        assert!(c.len() <= 1_000, "{}", c.len());
        assert!(c.evictions() >= 99_000);
        // Stale counters are reclaimed before live ones are evicted.
        let before = c.evictions();
        let later = UnixTime::from_secs(6_300);
        for i in 0..500 {
            c.hit(&format!("later-{i}"), W, 10, later, 1);
        }
        assert!(c.len() <= 1_000);
        assert!(
            c.evictions() - before < 500,
            "stale entries were dropped first"
        );
    }

    #[test]
    fn tables_stay_at_the_size_of_the_bound_under_churn() {
        // Churn leaves deletion markers; a full table of them must be rebuilt, not doubled.
        // 1,590 counters a shard fill 2,048 buckets to 78 %: few free ones, markers pile up.
        let c = MemoryCounters::new(16 * 1_590);
        assert_eq!(c.full_buckets, 2_048);
        let t = UnixTime::from_secs(6_000);
        for i in 0..150_000 {
            c.hit(&format!("churn-{i}"), W, 10, t, 1);
        }
        assert!(c.len() <= 16 * 1_590);
        for s in c.shards.iter() {
            let s = lock(s);
            assert!(
                s.table.num_buckets() <= c.full_buckets,
                "{}",
                s.table.num_buckets()
            );
        }
    }

    #[test]
    fn recently_used_counters_survive_a_flood() {
        let c = MemoryCounters::new(16 * 64);
        let mut hot = 0;
        for i in 0..20_000 {
            let t = UnixTime::from_duration(Duration::from_millis(6_000_000 + i));
            assert!(c.hit("hot", W, u64::MAX, t, 1).allowed);
            hot += 1;
            c.hit(&format!("flood-{i}"), W, 10, t, 1);
        }
        // Never evicted: its count was never reset.
        let t = UnixTime::from_duration(Duration::from_millis(6_000_000 + 20_000));
        assert_eq!(c.hit("hot", W, hot, t, 0).remaining, 0);
        assert!(c.hit("hot", W, hot + 1, t, 0).allowed);
    }

    #[test]
    fn stores_are_seeded_differently() {
        // Keys are attacker-chosen: a fixed-seed hash would let colliding keys be precomputed.
        let (a, b) = (MemoryCounters::new(16), MemoryCounters::new(16));
        let key = b"rl:key:10.0.0.1";
        assert_ne!(a.hash(key), b.hash(key));
    }

    /// Every key hashes to the same value.
    #[derive(Clone, Copy, Debug, Default)]
    struct Collide;

    impl BuildHasher for Collide {
        type Hasher = Collider;
        fn build_hasher(&self) -> Collider {
            Collider
        }
    }

    struct Collider;

    impl std::hash::Hasher for Collider {
        fn finish(&self) -> u64 {
            0x5EED_0000_0000_0042
        }
        fn write(&mut self, _: &[u8]) {}
    }

    #[test]
    fn keys_with_the_same_hash_are_different_counters() {
        let c = MemoryCounters::with_hasher(100, Collide);
        let t = UnixTime::from_secs(6_000);
        assert!(c.hit("rl:key:a", W, 2, t, 1).allowed);
        assert!(c.hit("rl:key:a", W, 2, t, 1).allowed);
        assert!(!c.hit("rl:key:a", W, 2, t, 1).allowed);
        // Same hash, same shard, same probe sequence: still their own counters.
        assert_eq!(c.hit("q:key:a", W, 2, t, 1).remaining, 1);
        assert_eq!(c.hit("rl:key:b", W, 2, t, 1).remaining, 1);
        assert_eq!(c.hit("rl:key:", W, 2, t, 1).remaining, 1);
        assert_eq!(c.len(), 4);
        // Bounded as well: every key lands in one shard of 100 / 16 = 6 counters.
        for i in 0..1_000 {
            c.hit(&format!("collide-{i}"), W, 10, t, 1);
        }
        assert!(c.len() <= 6, "{}", c.len());
    }

    #[test]
    fn short_and_long_names_are_kept_whole() {
        let c = MemoryCounters::default();
        let t = UnixTime::from_secs(6_000);
        let inline = "x".repeat(INLINE);
        let boxed = "x".repeat(INLINE + 1);
        let long = format!("rl:key:{}", "é".repeat(500));
        for key in ["", "a", inline.as_str(), boxed.as_str(), long.as_str()] {
            assert_eq!(c.hit(key, W, 10, t, 1).remaining, 9, "{key:?}");
            assert_eq!(c.hit(key, W, 10, t, 1).remaining, 8, "{key:?}");
        }
        assert_eq!(c.len(), 5);
        assert!(matches!(Name::new(inline.as_bytes()), Name::Inline { .. }));
        assert!(matches!(Name::new(boxed.as_bytes()), Name::Heap(_)));
        assert_eq!(Name::new(long.as_bytes()).as_bytes(), long.as_bytes());
    }

    /// Bytes per counter (the memory the `max_counters` bound stands for), 64-bit targets.
    ///
    /// Before: a `HashMap<CounterKey(String), Entry>` slot of 24 + 32 = 56 bytes, plus the key's
    /// own allocation (`rl:key:` + a 22-character token id = 29 bytes: a 32-byte mimalloc block,
    /// 48 with glibc), plus a control byte; 6,250 counters a shard fill 8,192 buckets (x 1.31),
    /// and churn doubled the tables to 16,384 (x 2.62): ~107 bytes a counter when the store
    /// has just filled, ~181 after churn (mimalloc).
    /// After: a 64-byte slot with names up to 30 bytes inside it, no allocation of their own, and
    /// tables kept at 8,192 buckets: ~85 bytes a counter.
    #[test]
    fn a_counter_is_one_64_byte_slot() {
        assert_eq!(size_of::<Entry>(), 32);
        assert_eq!(size_of::<Name>(), 32);
        assert_eq!(size_of::<Slot>(), 64);
        let c = MemoryCounters::new(100_000);
        let t = UnixTime::from_secs(6_000);
        for i in 0..120_000u32 {
            // `rl:key:` + 22 characters, as a `uti` claim.
            c.hit(&format!("rl:key:{i:022}"), W, 10, t, 1);
        }
        let per_counter = c.heap_bytes() / c.len();
        assert!(per_counter <= 90, "{per_counter} bytes a counter");
    }
}
