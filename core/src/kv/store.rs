//! What one replica keeps for each key: a set of versions, and the two rules for folding a new
//! version in, vector clocks (keep every version no other version descends from: siblings) or
//! last-write-wins (keep the one with the latest timestamp).
//!
//! With vector clocks a replica never throws away a version unless a version it holds descends
//! from it, so concurrent writes survive side by side until a client reads them all and writes
//! a version that descends from every one (the notes' "after resolving above conflict").
//! Last-write-wins keeps one value per key, chosen by the writer's clock; it needs no metadata
//! but silently drops the losers of a race, and with skewed clocks a later write can lose to an
//! earlier one (Kleppmann, "Designing Data-Intensive Applications", chapter 5, "Last write wins").

use super::clock::VectorClock;
use crate::sim::{Micros, NodeId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A key's number: key `i` is named `k{i}` and hashed onto the ring by that name.
pub type Key = u32;

/// The page's name of key `k`.
pub fn key_name(k: Key) -> String {
    format!("k{k}")
}

/// A written value's identity: the writing client (from 1) in the high 32 bits and that client's
/// write number in the low 32 bits, shown as `v{client}.{n}`. Every write writes a new value, so
/// a value names the write that produced it.
pub type ValueId = u64;

/// The page's name of a value: `v2.17` is client C2's 17th write.
pub fn value_name(v: ValueId) -> String {
    format!("v{}.{}", v >> 32, v & 0xffff_ffff)
}

/// The value id of client `client` (from 0)'s `n`-th write (from 1).
pub fn value_id(client: u32, n: u32) -> ValueId {
    (u64::from(client) + 1) << 32 | u64::from(n)
}

/// One version of a key's value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Version {
    pub value: ValueId,
    /// Empty in last-write-wins mode.
    pub clock: VectorClock,
    /// The coordinator's clock when it accepted the write (its own, possibly skewed, clock).
    pub ts: Micros,
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.clock.is_empty() {
            write!(f, "{}@{}", value_name(self.value), self.ts)
        } else {
            write!(f, "{}{}", value_name(self.value), self.clock)
        }
    }
}

/// How versions are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Versioning {
    /// Vector clocks with siblings (Dynamo, Riak).
    #[default]
    VectorClocks,
    /// One value per key, the latest timestamp wins, ties by value id (Cassandra's default).
    LastWriteWins,
}

/// What folding a version into a set did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Added {
    /// The set already had this version or one that supersedes it.
    Ignored,
    /// The version replaced `dropped` versions it supersedes (0 when the set was empty).
    Replaced { dropped: usize },
    /// The version joined the set beside concurrent versions: now `siblings` in all.
    Sibling { siblings: usize },
}

impl Versioning {
    pub fn label(self) -> &'static str {
        match self {
            Versioning::VectorClocks => "vector clocks",
            Versioning::LastWriteWins => "last write wins",
        }
    }

    /// Whether `a` supersedes or equals `b`: a read that returned `a` has seen the write of `b`.
    pub fn covers(self, a: &Version, b: &Version) -> bool {
        match self {
            Versioning::VectorClocks => a.value == b.value || a.clock.descends(&b.clock),
            Versioning::LastWriteWins => (a.ts, a.value) >= (b.ts, b.value),
        }
    }

    /// Folds `v` into `set`.
    pub fn add(self, set: &mut Vec<Version>, v: Version) -> Added {
        let Some(dropped) = self.make_room(set, &v) else { return Added::Ignored };
        set.push(v);
        if set.len() > 1 { Added::Sibling { siblings: set.len() } } else { Added::Replaced { dropped } }
    }

    /// The first half of [`Versioning::add`]: `None` when `set` already covers `v`, else drops
    /// the versions `v` supersedes and says how many, leaving `v` to be pushed (so that a caller
    /// holding `v` by reference copies only the versions it keeps).
    fn make_room(self, set: &mut Vec<Version>, v: &Version) -> Option<usize> {
        if set.iter().any(|old| self.covers(old, v)) {
            return None;
        }
        let before = set.len();
        set.retain(|old| !self.covers(v, old));
        Some(before - set.len())
    }

    /// The versions that no other version in `versions` supersedes (duplicates once): what a
    /// coordinator returns from several replicas' answers.
    pub fn reconcile<'a>(self, versions: impl IntoIterator<Item = &'a Version>) -> Vec<Version> {
        let mut out = Vec::new();
        for v in versions {
            if self.make_room(&mut out, v).is_some() {
                out.push(v.clone());
            }
        }
        out
    }
}

/// Whether two version sets hold the same versions (in any order).
pub fn same_versions(a: &[Version], b: &[Version]) -> bool {
    a.len() == b.len() && a.iter().all(|v| b.contains(v))
}

/// A replica's data: the version set of every key it holds (a key nobody wrote has none). It
/// survives a crash: it stands for what the server keeps on disk. Only the keys written take
/// room, so a snapshot of a large key space with few keys written stays small.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Store {
    keys: BTreeMap<Key, Vec<Version>>,
    /// Keys are `0 .. limit`.
    limit: Key,
}

impl Store {
    /// An empty store for keys `0 .. keys`.
    pub fn new(keys: u32) -> Store {
        Store { keys: BTreeMap::new(), limit: keys }
    }

    /// The versions of `key` (none for a key out of range).
    pub fn get(&self, key: Key) -> &[Version] {
        self.keys.get(&key).map_or(&[], |v| v.as_slice())
    }

    /// Folds `v` into `key`'s set under `mode`.
    pub fn apply(&mut self, mode: Versioning, key: Key, v: Version) -> Added {
        if key >= self.limit {
            return Added::Ignored;
        }
        mode.add(self.keys.entry(key).or_default(), v)
    }

    /// Keys that hold at least one version, with their versions, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (Key, &[Version])> {
        self.keys.iter().map(|(&k, v)| (k, v.as_slice()))
    }
}

/// What a stand-in keeps for down replicas (hinted handoff): per replica it was meant for, per
/// key, the versions folded by the same rule as a store. It survives a crash, like the store: a
/// hint is written to disk before the write is acknowledged.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hints {
    by_home: BTreeMap<NodeId, BTreeMap<Key, Vec<Version>>>,
    versions: u64,
}

impl Hints {
    /// Keeps `v` of `key` for `home`.
    pub fn keep(&mut self, mode: Versioning, home: NodeId, key: Key, v: Version) -> Added {
        let set = self.by_home.entry(home).or_default().entry(key).or_default();
        let before = set.len() as u64;
        let added = mode.add(set, v);
        self.versions = self.versions + set.len() as u64 - before;
        added
    }

    /// Every hinted version of `key`, whoever it is meant for.
    pub fn of_key(&self, key: Key) -> impl Iterator<Item = &Version> {
        self.by_home.values().filter_map(move |keys| keys.get(&key)).flatten()
    }

    /// Versions waiting, in all.
    pub fn len(&self) -> u64 {
        self.versions
    }

    pub fn is_empty(&self) -> bool {
        self.versions == 0
    }

    /// Per replica, the keys waiting for it and their versions, replicas and keys in order.
    pub fn iter(&self) -> impl Iterator<Item = (NodeId, &BTreeMap<Key, Vec<Version>>)> {
        self.by_home.iter().map(|(home, keys)| (*home, keys))
    }

    /// The replicas some hint waits for.
    pub fn homes(&self) -> Vec<NodeId> {
        self.by_home.keys().copied().collect()
    }

    /// Up to `max_keys` keys waiting for `home`, with their versions, for one hand-off message.
    pub fn batch(&self, home: NodeId, max_keys: usize) -> Vec<(Key, Vec<Version>)> {
        self.by_home
            .get(&home)
            .map(|keys| keys.iter().take(max_keys).map(|(k, v)| (*k, v.clone())).collect())
            .unwrap_or_default()
    }

    /// `home` acknowledged `entries`: deletes exactly those versions (a version hinted since
    /// stays). Returns how many were deleted.
    pub fn delivered(&mut self, home: NodeId, entries: &[(Key, Vec<Version>)]) -> u64 {
        let Some(keys) = self.by_home.get_mut(&home) else { return 0 };
        let mut deleted = 0;
        for (key, sent) in entries {
            if let Some(set) = keys.get_mut(key) {
                let before = set.len();
                set.retain(|v| !sent.contains(v));
                deleted += (before - set.len()) as u64;
                if set.is_empty() {
                    keys.remove(key);
                }
            }
        }
        if keys.is_empty() {
            self.by_home.remove(&home);
        }
        self.versions -= deleted;
        deleted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(value: ValueId, pairs: &[(u32, u64)], ts: Micros) -> Version {
        Version { value, clock: VectorClock::from_pairs(pairs), ts }
    }

    #[test]
    fn vector_clocks_keep_siblings_until_a_descendant_arrives() {
        let m = Versioning::VectorClocks;
        let mut set = Vec::new();
        // The notes' example: [Sx,1] → [Sx,1][Sy,1] and [Sx,1][Sz,1] → [Sx,1][Sy,1][Sz,1].
        assert_eq!(m.add(&mut set, v(1, &[(0, 1)], 10)), Added::Replaced { dropped: 0 });
        assert_eq!(m.add(&mut set, v(2, &[(0, 1), (1, 1)], 20)), Added::Replaced { dropped: 1 });
        assert_eq!(m.add(&mut set, v(3, &[(0, 1), (2, 1)], 30)), Added::Sibling { siblings: 2 });
        assert_eq!(m.add(&mut set, v(1, &[(0, 1)], 10)), Added::Ignored, "an old version arriving late");
        assert_eq!(set.iter().map(|x| x.value).collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!(m.add(&mut set, v(4, &[(0, 1), (1, 1), (2, 1)], 40)), Added::Replaced { dropped: 2 });
        assert_eq!(set, vec![v(4, &[(0, 1), (1, 1), (2, 1)], 40)]);
    }

    #[test]
    fn last_write_wins_keeps_the_latest_timestamp() {
        let m = Versioning::LastWriteWins;
        let mut set = Vec::new();
        m.add(&mut set, v(1, &[], 100));
        assert_eq!(
            m.add(&mut set, v(2, &[], 90)),
            Added::Ignored,
            "an earlier timestamp loses, even if written later"
        );
        assert_eq!(
            m.add(&mut set, v(3, &[], 100)),
            Added::Replaced { dropped: 1 },
            "a tie goes to the larger value id"
        );
        assert_eq!(set, vec![v(3, &[], 100)]);
    }

    #[test]
    fn reconcile_returns_the_maximal_versions_once() {
        let m = Versioning::VectorClocks;
        let answers =
            [v(2, &[(0, 2)], 0), v(1, &[(0, 1)], 0), v(3, &[(0, 1), (1, 1)], 0), v(2, &[(0, 2)], 0)];
        let got = m.reconcile(&answers);
        assert_eq!(got.iter().map(|x| x.value).collect::<Vec<_>>(), vec![2, 3]);
        assert!(same_versions(&got, &[answers[2].clone(), answers[0].clone()]));
        assert!(!same_versions(&got, &answers[..1]));
    }

    #[test]
    fn names() {
        assert_eq!(value_name(value_id(1, 17)), "v2.17");
        assert_eq!(key_name(42), "k42");
        assert_eq!(v(value_id(0, 3), &[(0, 2), (65_536, 1)], 5).to_string(), "v1.3[S1:2 C1:1]");
        assert_eq!(v(value_id(0, 3), &[], 5).to_string(), "v1.3@5");
    }

    #[test]
    fn a_store_keeps_only_the_keys_written_and_ignores_keys_out_of_range() {
        let mut s = Store::new(2);
        assert_eq!(s.apply(Versioning::VectorClocks, 5, v(1, &[], 0)), Added::Ignored);
        assert_eq!(s.apply(Versioning::VectorClocks, 2, v(1, &[], 0)), Added::Ignored);
        assert!(s.get(9).is_empty());
        // Only written keys take room, listed in key order.
        assert_eq!(s.apply(Versioning::VectorClocks, 1, v(2, &[(0, 1)], 0)), Added::Replaced { dropped: 0 });
        assert_eq!(s.apply(Versioning::VectorClocks, 0, v(3, &[(0, 1)], 0)), Added::Replaced { dropped: 0 });
        let held: Vec<(Key, usize)> = s.iter().map(|(k, v)| (k, v.len())).collect();
        assert_eq!(held, vec![(0, 1), (1, 1)]);
        assert_eq!(s.keys.len(), 2);
    }

    #[test]
    fn hints_wait_per_replica_and_are_deleted_only_once_delivered() {
        let m = Versioning::VectorClocks;
        let mut h = Hints::default();
        let (s1, s2) = (NodeId(0), NodeId(1));
        assert_eq!(h.keep(m, s1, 7, v(1, &[(2, 1)], 0)), Added::Replaced { dropped: 0 });
        assert_eq!(
            h.keep(m, s1, 7, v(2, &[(2, 2)], 0)),
            Added::Replaced { dropped: 1 },
            "a newer version replaces"
        );
        assert_eq!(h.keep(m, s2, 7, v(2, &[(2, 2)], 0)), Added::Replaced { dropped: 0 });
        assert_eq!(h.keep(m, s1, 9, v(3, &[(2, 3)], 0)), Added::Replaced { dropped: 0 });
        assert_eq!(h.len(), 3);
        assert_eq!(h.of_key(7).map(|x| x.value).collect::<Vec<_>>(), vec![2, 2]);
        assert_eq!(h.homes(), vec![s1, s2]);
        let batch = h.batch(s1, 1);
        assert_eq!(batch, vec![(7, vec![v(2, &[(2, 2)], 0)])], "at most one key per batch here");
        // A newer hint for k7 arrives while the batch is on its way: it stays after the ack.
        h.keep(m, s1, 7, v(4, &[(2, 4)], 0));
        assert_eq!(h.delivered(s1, &batch), 0, "the sent version was already replaced");
        assert_eq!(h.delivered(s1, &h.batch(s1, 10)), 2);
        assert_eq!(h.delivered(s2, &h.batch(s2, 10)), 1);
        assert!(h.is_empty() && h.homes().is_empty());
    }
}
