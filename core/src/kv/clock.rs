//! Vector clocks: how the store tells whether one version of a value replaced another or the two
//! were written without either knowing of the other.
//!
//! The notes write a clock as `D([S1, V1], [S2, V2], ...)`: for every actor that wrote the item, a
//! counter that only grows. One clock is *before* another when no counter is larger and at least
//! one is smaller (an actor missing from a clock counts as 0); *after* is the reverse; *equal* when
//! every counter matches; and *concurrent* ("conflict", siblings) when some counters are larger
//! and others smaller: neither write saw the other. Merging takes the larger counter of every
//! actor, which gives the smallest clock after both (what a client sends back when it resolves
//! siblings). Source: the notes' "Vector Clock" section; DeCandia et al., "Dynamo", SOSP 2007,
//! section 4.4, which also prunes a clock past a threshold by dropping its oldest entry (each
//! entry carries the time its actor last updated it), as the notes suggest.

use smallvec::SmallVec;
use std::cmp::Ordering;
use std::fmt;

use crate::sim::Micros;

/// Who increments a clock entry. Servers are actors `0 .. CLIENT_BASE`, named `S1`, `S2` ...;
/// clients are `CLIENT_BASE + j`, named `C1`, `C2` ... (see [`actor_name`]).
pub type Actor = u32;
/// The first client actor.
pub const CLIENT_BASE: Actor = 1 << 16;

/// The page's name for an actor: server `i` is `S{i+1}`, client `j` is `C{j+1}`.
pub fn actor_name(a: Actor) -> String {
    if a >= CLIENT_BASE { format!("C{}", a - CLIENT_BASE + 1) } else { format!("S{}", a + 1) }
}

/// One actor's entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Entry {
    pub actor: Actor,
    /// 32 bits: four billion writes by one actor to one key before it saturates.
    pub counter: u32,
    /// When the actor last advanced this entry (its own clock): what pruning drops the oldest by.
    pub at: Micros,
}

/// How two clocks are related.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Causality {
    /// The first happened before the second: the second descends from it.
    Before,
    /// The first descends from the second.
    After,
    Equal,
    /// Neither saw the other: siblings.
    Concurrent,
}

impl Causality {
    pub fn label(self) -> &'static str {
        match self {
            Causality::Before => "before (ancestor)",
            Causality::After => "after (descendant)",
            Causality::Equal => "equal",
            Causality::Concurrent => "concurrent (conflict)",
        }
    }
}

/// A vector clock: entries sorted by actor, every counter above 0. Up to four entries live inline
/// (no allocation), the common case when N ≤ 4 servers coordinate a key.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub struct VectorClock {
    entries: SmallVec<[Entry; 4]>,
}

/// Copies the entries in one go (`from_slice` is a plain copy for `Copy` items) where the
/// derived clone pushes them one at a time: a clock is cloned with every version that moves
/// between nodes, so this is one of the hottest copies of a key-value run.
impl Clone for VectorClock {
    fn clone(&self) -> VectorClock {
        VectorClock { entries: SmallVec::from_slice(&self.entries) }
    }
}

impl VectorClock {
    pub fn new() -> VectorClock {
        VectorClock::default()
    }

    /// A clock from (actor, counter) pairs (time 0), as the notes write them; zero counters are
    /// left out and a repeated actor keeps its largest counter.
    pub fn from_pairs(pairs: &[(Actor, u64)]) -> VectorClock {
        let mut c = VectorClock::new();
        for &(actor, counter) in pairs {
            c.raise(actor, counter, 0);
        }
        c
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The counter of `actor` (0 when absent).
    pub fn get(&self, actor: Actor) -> u64 {
        match self.entries.binary_search_by_key(&actor, |e| e.actor) {
            Ok(i) => u64::from(self.entries[i].counter),
            Err(_) => 0,
        }
    }

    /// Sets `actor`'s counter to `counter` if that is larger, stamping it with `at`.
    pub fn raise(&mut self, actor: Actor, counter: u64, at: Micros) {
        if counter == 0 {
            return;
        }
        let counter = counter.min(u64::from(u32::MAX)) as u32;
        match self.entries.binary_search_by_key(&actor, |e| e.actor) {
            Ok(i) => {
                let e = &mut self.entries[i];
                if counter > e.counter {
                    e.counter = counter;
                    e.at = at;
                }
            }
            Err(i) => self.entries.insert(i, Entry { actor, counter, at }),
        }
    }

    /// Advances `actor`'s entry by one (a write by that actor), stamped `at`.
    pub fn increment(&mut self, actor: Actor, at: Micros) {
        let next = self.get(actor).saturating_add(1);
        self.raise(actor, next, at);
    }

    /// Compares two clocks, a missing entry counting as 0.
    pub fn compare(&self, other: &VectorClock) -> Causality {
        let (mut less, mut more) = (false, false);
        let (a, b) = (&self.entries, &other.entries);
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            let ord = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) => x.actor.cmp(&y.actor),
                (Some(_), None) => Ordering::Less,
                (None, _) => Ordering::Greater,
            };
            match ord {
                // Only in self: self has more.
                Ordering::Less => {
                    more = true;
                    i += 1;
                }
                Ordering::Greater => {
                    less = true;
                    j += 1;
                }
                Ordering::Equal => {
                    match a[i].counter.cmp(&b[j].counter) {
                        Ordering::Less => less = true,
                        Ordering::Greater => more = true,
                        Ordering::Equal => {}
                    }
                    i += 1;
                    j += 1;
                }
            }
            if less && more {
                return Causality::Concurrent;
            }
        }
        match (less, more) {
            (false, false) => Causality::Equal,
            (true, false) => Causality::Before,
            (false, true) => Causality::After,
            (true, true) => Causality::Concurrent,
        }
    }

    /// Whether this clock is equal to or after `other` (it has seen everything `other` has).
    pub fn descends(&self, other: &VectorClock) -> bool {
        matches!(self.compare(other), Causality::After | Causality::Equal)
    }

    /// The smallest clock that descends from both: every actor's larger counter (with that
    /// entry's stamp; the later stamp when the counters tie).
    pub fn merge(&self, other: &VectorClock) -> VectorClock {
        let mut out = SmallVec::with_capacity(self.entries.len().max(other.entries.len()));
        let (a, b) = (&self.entries, &other.entries);
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) if x.actor == y.actor => {
                    out.push(match x.counter.cmp(&y.counter) {
                        Ordering::Greater => *x,
                        Ordering::Less => *y,
                        Ordering::Equal => Entry { at: x.at.max(y.at), ..*x },
                    });
                    i += 1;
                    j += 1;
                }
                (Some(x), Some(y)) if x.actor < y.actor => {
                    out.push(*x);
                    i += 1;
                }
                (Some(x), None) => {
                    out.push(*x);
                    i += 1;
                }
                (_, Some(y)) => {
                    out.push(*y);
                    j += 1;
                }
                (None, None) => break,
            }
        }
        VectorClock { entries: out }
    }

    /// Drops the oldest entries (smallest stamp; the lowest actor on a tie), never `keep`'s,
    /// until at most `max_len` remain (or only `keep`'s); returns how many were dropped. The
    /// writer keeps the entry it just advanced, as Riak does: its stamp comes from the writer's
    /// own clock, which may run behind, and dropping it would make the new version no newer
    /// than the one it replaces. Pruning forgets history: a clock that lost an entry can look
    /// concurrent with (or older than) a version it actually descends from, which is the price
    /// Dynamo accepts for bounded clocks.
    pub fn prune(&mut self, max_len: usize, keep: Actor) -> usize {
        let mut dropped = 0;
        while self.entries.len() > max_len {
            let Some(oldest) = self
                .entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.actor != keep)
                .min_by_key(|(_, e)| (e.at, e.actor))
                .map(|(i, _)| i)
            else {
                break;
            };
            self.entries.remove(oldest);
            dropped += 1;
        }
        dropped
    }

    /// The notes' notation with the page's actor names: `D([S1, 1], [S2, 2])`.
    pub fn notation(&self) -> String {
        let inner: Vec<String> =
            self.entries.iter().map(|e| format!("[{}, {}]", actor_name(e.actor), e.counter)).collect();
        format!("D({})", inner.join(", "))
    }

    /// Why `self` and `other` are related as they are, worked entry by entry the way the notes
    /// compare clocks: "S1: 1 = 1, S2: 2 > 1, S3: 0 < 1 → mixed: concurrent".
    pub fn explain(&self, other: &VectorClock) -> String {
        let mut actors: Vec<Actor> = self.entries.iter().chain(&other.entries).map(|e| e.actor).collect();
        actors.sort_unstable();
        actors.dedup();
        let parts: Vec<String> = actors
            .iter()
            .map(|&a| {
                let (x, y) = (self.get(a), other.get(a));
                let sign = match x.cmp(&y) {
                    Ordering::Less => "<",
                    Ordering::Equal => "=",
                    Ordering::Greater => ">",
                };
                format!("{}: {x} {sign} {y}", actor_name(a))
            })
            .collect();
        let verdict = match self.compare(other) {
            Causality::Equal => "every counter equal: the same version",
            Causality::Before => "none larger, some smaller: the first is an ancestor of the second",
            Causality::After => "none smaller, some larger: the first descends from the second",
            Causality::Concurrent => "some larger and some smaller (mixed): concurrent, so siblings",
        };
        if parts.is_empty() {
            format!("both empty → {verdict}")
        } else {
            format!("{} → {verdict}", parts.join(", "))
        }
    }
}

impl fmt::Display for VectorClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{}:{}", actor_name(e.actor), e.counter)?;
        }
        f.write_str("]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // The notes' servers Sx, Sy, Sz.
    const X: Actor = 0;
    const Y: Actor = 1;
    const Z: Actor = 2;

    fn d(pairs: &[(Actor, u64)]) -> VectorClock {
        VectorClock::from_pairs(pairs)
    }

    #[test]
    fn the_notes_examples() {
        use Causality::*;
        // (first, second, how the first relates to the second, the notes' words)
        type Pairs = &'static [(Actor, u64)];
        let cases: [(Pairs, Pairs, Causality, &str); 5] = [
            (&[(X, 1)], &[(X, 2)], Before, "parent, then child in the next write"),
            (&[(X, 1)], &[(X, 1), (Y, 1)], Before, "parent, then child"),
            (&[(X, 1), (Y, 2)], &[(X, 2), (Y, 1)], Concurrent, "conflict: mixed"),
            (&[(X, 1), (Y, 2)], &[(X, 1), (Y, 1)], After, "the second happened first (parent)"),
            (&[(X, 1), (Y, 1)], &[(X, 1), (Z, 1)], Concurrent, "parallel writes: siblings"),
        ];
        for (a, b, want, words) in cases {
            let (a, b) = (d(a), d(b));
            assert_eq!(a.compare(&b), want, "{words}: {} vs {}", a.notation(), b.notation());
            let mirrored = match want {
                Before => After,
                After => Before,
                other => other,
            };
            assert_eq!(b.compare(&a), mirrored, "{words}, mirrored");
        }
        // "D([Sx, 1], [Sy, 1], [Sz, 1]) -- after resolving above conflict": the merge of the two
        // siblings, after both of them.
        let (sy, sz) = (d(&[(X, 1), (Y, 1)]), d(&[(X, 1), (Z, 1)]));
        let resolved = sy.merge(&sz);
        assert_eq!(resolved, d(&[(X, 1), (Y, 1), (Z, 1)]));
        assert_eq!(resolved.notation(), "D([S1, 1], [S2, 1], [S3, 1])");
        assert_eq!((resolved.compare(&sy), resolved.compare(&sz)), (After, After));
    }

    #[test]
    fn the_dynamo_papers_sequence() {
        // DeCandia et al., figure 3: D1 [Sx,1]; D2 [Sx,2]; D3 [Sx,2][Sy,1]; D4 [Sx,2][Sz,1];
        // D5 [Sx,3][Sy,1][Sz,1], written by Sx after reconciling D3 and D4.
        let mut d1 = VectorClock::new();
        d1.increment(X, 1);
        let mut d2 = d1.clone();
        d2.increment(X, 2);
        let mut d3 = d2.clone();
        d3.increment(Y, 3);
        let mut d4 = d2.clone();
        d4.increment(Z, 4);
        let mut d5 = d3.merge(&d4);
        d5.increment(X, 5);
        assert_eq!(d5, d(&[(X, 3), (Y, 1), (Z, 1)]).with_stamps(&[(X, 5), (Y, 3), (Z, 4)]));
        assert_eq!(d3.compare(&d4), Causality::Concurrent);
        for older in [&d1, &d2, &d3, &d4] {
            assert_eq!(d5.compare(older), Causality::After);
        }
        assert_eq!(d5.to_string(), "[S1:3 S2:1 S3:1]");
    }

    #[test]
    fn explanations_work_entry_by_entry() {
        let (a, b) = (d(&[(X, 1), (Y, 2)]), d(&[(X, 2), (Y, 1)]));
        assert_eq!(
            a.explain(&b),
            "S1: 1 < 2, S2: 2 > 1 → some larger and some smaller (mixed): concurrent, so siblings"
        );
        assert_eq!(
            d(&[(X, 1)]).explain(&d(&[(X, 1), (Y, 1)])),
            "S1: 1 = 1, S2: 0 < 1 → none larger, some smaller: the first is an ancestor of the second"
        );
        assert_eq!(
            VectorClock::new().explain(&VectorClock::new()),
            "both empty → every counter equal: the same version"
        );
        assert_eq!(actor_name(CLIENT_BASE + 1), "C2");
    }

    #[test]
    fn pruning_drops_the_oldest_entries() {
        let mut c = VectorClock::new();
        c.raise(Z, 4, 300);
        c.raise(X, 7, 100);
        c.raise(Y, 2, 200);
        assert_eq!(c.prune(3, Z), 0);
        assert_eq!(c.prune(2, Z), 1);
        assert_eq!(c, d(&[(Y, 2), (Z, 4)]).with_stamps(&[(Y, 200), (Z, 300)]));
        // What pruning costs: the pruned clock no longer descends from [Sx, 7].
        assert_eq!(c.compare(&d(&[(X, 7)])), Causality::Concurrent);
        // The kept actor's entry stays even past the limit.
        assert_eq!(c.prune(0, Z), 1);
        assert_eq!(c, d(&[(Z, 4)]).with_stamps(&[(Z, 300)]));
        assert_eq!(c.prune(0, X), 1);
        assert!(c.is_empty());
    }

    #[test]
    fn pruning_keeps_the_entry_just_advanced_even_when_it_is_the_oldest() {
        // Sx's clock runs behind: it advances its entry at 50 µs, older than Sy's at 200 µs.
        let mut c = VectorClock::new();
        c.raise(Y, 3, 200);
        c.raise(X, 1, 50);
        assert_eq!(c.prune(1, X), 1);
        assert_eq!(c, d(&[(X, 1)]).with_stamps(&[(X, 50)]));
    }

    impl VectorClock {
        fn with_stamps(mut self, stamps: &[(Actor, Micros)]) -> VectorClock {
            for &(a, at) in stamps {
                if let Ok(i) = self.entries.binary_search_by_key(&a, |e| e.actor) {
                    self.entries[i].at = at;
                }
            }
            self
        }
    }

    fn clock() -> impl Strategy<Value = VectorClock> {
        prop::collection::vec((0u32..5, 0u64..4, 0u64..10), 0..6).prop_map(|v| {
            let mut c = VectorClock::new();
            for (a, n, at) in v {
                c.raise(a, n, at);
            }
            c
        })
    }

    fn counters(c: &VectorClock) -> Vec<(Actor, u32)> {
        c.entries().iter().map(|e| (e.actor, e.counter)).collect()
    }

    proptest! {
        #[test]
        fn compare_is_a_partial_order(a in clock(), b in clock(), c in clock()) {
            use Causality::*;
            // Reflexive; antisymmetric; mirrored; transitive.
            prop_assert_eq!(a.compare(&a), Equal);
            if a.descends(&b) && b.descends(&a) {
                prop_assert_eq!(counters(&a), counters(&b));
            }
            let mirrored = match a.compare(&b) { Before => After, After => Before, x => x };
            prop_assert_eq!(b.compare(&a), mirrored);
            if a.descends(&b) && b.descends(&c) {
                prop_assert!(a.descends(&c));
            }
            // The definition, actor by actor, missing as 0.
            let all: Vec<Actor> = (0..5).collect();
            let le = all.iter().all(|&x| a.get(x) <= b.get(x));
            let ge = all.iter().all(|&x| a.get(x) >= b.get(x));
            let want = match (le, ge) { (true, true) => Equal, (true, false) => Before, (false, true) => After, _ => Concurrent };
            prop_assert_eq!(a.compare(&b), want);
        }

        #[test]
        fn merge_is_the_least_upper_bound(a in clock(), b in clock(), c in clock()) {
            let ab = a.merge(&b);
            prop_assert_eq!(counters(&ab), counters(&b.merge(&a)));
            prop_assert_eq!(counters(&ab.merge(&c)), counters(&a.merge(&b.merge(&c))));
            prop_assert_eq!(counters(&a.merge(&a)), counters(&a));
            prop_assert!(ab.descends(&a) && ab.descends(&b));
            // Least: any clock after both is after the merge.
            if c.descends(&a) && c.descends(&b) {
                prop_assert!(c.descends(&ab));
            }
        }

        #[test]
        fn increment_makes_a_strict_descendant(a in clock(), actor in 0u32..5) {
            let mut b = a.clone();
            b.increment(actor, 99);
            prop_assert_eq!(b.compare(&a), Causality::After);
            prop_assert_eq!(b.get(actor), a.get(actor) + 1);
        }

        #[test]
        fn pruning_bounds_the_length_and_keeps_the_newest(a in clock(), max in 0usize..6, keep in 0u32..6) {
            let mut p = a.clone();
            let dropped = p.prune(max, keep);
            let kept_actor = usize::from(a.get(keep) > 0);
            prop_assert_eq!(p.len(), a.len().min(max.max(kept_actor)));
            prop_assert_eq!(dropped, a.len() - p.len());
            prop_assert_eq!(p.get(keep), a.get(keep));
            // Every other kept entry is at least as recent as every dropped one.
            let kept_min = p.entries().iter().filter(|e| e.actor != keep).map(|e| e.at).min();
            for e in a.entries() {
                if !p.entries().contains(e) {
                    prop_assert!(kept_min.is_none_or(|k| e.at <= k));
                }
            }
        }
    }
}
