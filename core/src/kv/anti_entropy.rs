//! Anti-entropy with Merkle trees (the notes' "Handling Permanent Failures"): every so often a
//! server picks a peer it shares keys with, both build a Merkle tree ([`super::merkle`]) over the
//! keys they both replicate, and they compare the trees top down, one level per message, until
//! they reach the buckets that differ; they exchange only those buckets, and each folds in the
//! other's versions. A replica that missed writes while it was down (and whose hints were lost,
//! or that was never hinted because a strict quorum refused the write) catches up this way.
//!
//! The exchange, between an initiator I and a peer P (Dynamo, SOSP 2007, section 4.7):
//! 1. I sends its root (level 0).
//! 2. Whoever receives hashes of level `l` compares each with its own node there. If all match,
//!    the replicas agree on those nodes and the session ends. Otherwise, above the leaves, it
//!    answers with its own hashes of the children of the nodes that differ (level `l + 1`); at
//!    the leaves, with its contents of the buckets that differ, asking for the other side's.
//! 3. The other side folds those versions in and sends its own contents of the same buckets; the
//!    first side folds them in, and the session ends.
//!
//! Every message's bytes are counted (20 per hash, the encoded size of every bucket sent),
//! against the bytes of the exchange without a tree: each side sending the other every entry of
//! the shared range.

use super::merkle::{self, Buckets, Hash, MerkleTree};
use super::store::{Key, Store, Version};
use super::{Cluster, server_name};
use crate::sim::{Micros, NodeId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The settings of anti-entropy.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AntiEntropyParams {
    pub enabled: bool,
    /// Time between two sessions a server starts.
    pub interval_us: Micros,
    /// Buckets (leaves) of each tree: a power of two.
    pub buckets: u32,
}

impl Default for AntiEntropyParams {
    /// Off; when on, a session every 2 s per server over trees of 16 buckets.
    fn default() -> AntiEntropyParams {
        AntiEntropyParams { enabled: false, interval_us: 2_000_000, buckets: 16 }
    }
}

/// The most buckets a tree of the cluster may have (the page draws every leaf).
pub const MAX_TREE_BUCKETS: u32 = 1_024;

impl AntiEntropyParams {
    pub fn on() -> AntiEntropyParams {
        AntiEntropyParams { enabled: true, ..AntiEntropyParams::default() }
    }

    pub fn validate(&self) -> Result<(), String> {
        if !self.enabled {
            return Ok(());
        }
        if !(10_000..=600_000_000).contains(&self.interval_us) {
            return Err(format!(
                "The anti-entropy interval must be from 10 ms to 600 s; got {} µs.",
                self.interval_us
            ));
        }
        if !self.buckets.is_power_of_two() || self.buckets > MAX_TREE_BUCKETS {
            return Err(format!(
                "A Merkle tree here has 1, 2, 4 … {MAX_TREE_BUCKETS} buckets (a power of two); got {}.",
                self.buckets
            ));
        }
        Ok(())
    }

    pub(crate) fn layout(&self) -> Buckets {
        Buckets::new(self.buckets).unwrap_or_else(|_| Buckets::new(1).expect("one bucket is a power of two"))
    }
}

/// A session's name: the server that started it and its count of sessions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SyncId {
    pub from: u32,
    pub n: u64,
}

impl fmt::Display for SyncId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", server_name(self.from), self.n)
    }
}

/// One bucket's contents: every key of the shared range in it, with its versions.
pub type Bucket = Vec<(Key, Vec<Version>)>;

/// The keys two servers both replicate, ascending.
pub fn shared_keys(cluster: &Cluster, a: NodeId, b: NodeId) -> Vec<Key> {
    if let Some(keys) = cluster.shared_keys_of(a, b) {
        return keys.to_vec();
    }
    keys_in_common(cluster, a, b)
}

/// The keys clients write whose preference lists name both `a` and `b`, by a scan.
pub(crate) fn keys_in_common(cluster: &Cluster, a: NodeId, b: NodeId) -> Vec<Key> {
    cluster
        .prefs
        .iter()
        .take(cluster.params.workload.keys as usize)
        .enumerate()
        .filter(|(_, p)| p.contains(&a) && p.contains(&b))
        .map(|(k, _)| k as Key)
        .collect()
}

/// A replica's tree over a range of keys, with each bucket's encoded size and keys.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplicaTree {
    pub tree: MerkleTree,
    pub bucket_bytes: Vec<u64>,
    /// The range's keys by bucket.
    pub bucket_keys: Vec<Vec<Key>>,
}

impl ReplicaTree {
    /// Builds `store`'s tree over `keys` (bucketed by the cluster's key hashes).
    pub fn build(cluster: &Cluster, store: &Store, keys: &[Key]) -> ReplicaTree {
        let layout = cluster.params.anti_entropy.layout();
        let hash =
            |k: Key| cluster.key_hashes.get(k as usize).copied().unwrap_or_else(|| merkle::key_hash(k));
        let entries =
            keys.iter().filter(|&&k| !store.get(k).is_empty()).map(|&k| (hash(k), (k, store.get(k))));
        let leaves = merkle::hash_buckets(layout, entries);
        let mut bucket_keys = vec![Vec::new(); layout.count() as usize];
        for &k in keys {
            if let Some(b) = bucket_keys.get_mut(merkle::bucket_of(hash(k), layout)) {
                b.push(k);
            }
        }
        ReplicaTree { tree: MerkleTree::build(leaves.hashes), bucket_bytes: leaves.bytes, bucket_keys }
    }

    /// The full comparison's cost: every entry of the range.
    pub fn total_bytes(&self) -> u64 {
        self.bucket_bytes.iter().sum()
    }

    /// `store`'s contents of bucket `b` now, and their encoded size.
    pub fn contents(&self, store: &Store, b: usize) -> (Bucket, u64) {
        let keys = self.bucket_keys.get(b).map_or(&[][..], |k| k.as_slice());
        let entries: Bucket =
            keys.iter().filter(|&&k| !store.get(k).is_empty()).map(|&k| (k, store.get(k).to_vec())).collect();
        let mut buf = Vec::new();
        for (k, v) in &entries {
            merkle::encode_entry(&(*k, v.as_slice()), &mut buf);
        }
        (entries, buf.len() as u64)
    }

    /// Of `nodes` (index, the other side's hash) at `level`, those whose hash differs here.
    pub fn differing(&self, level: usize, nodes: &[(u32, Hash)]) -> Vec<usize> {
        nodes
            .iter()
            .filter(|(i, h)| self.tree.node(level, *i as usize) != Some(*h))
            .map(|(i, _)| *i as usize)
            .collect()
    }

    /// This side's hashes of the children of `parents` at `level`, for the next message.
    pub fn children_hashes(&self, level: usize, parents: &[usize]) -> Vec<(u32, Hash)> {
        parents
            .iter()
            .flat_map(|&p| self.tree.children(level, p))
            .filter_map(|c| self.tree.node(level + 1, c).map(|h| (c as u32, h)))
            .collect()
    }

    /// Whether `level` is the leaves.
    pub fn is_leaf_level(&self, level: usize) -> bool {
        level + 1 >= self.tree.depth()
    }
}

/// What one session between two replicas' trees costs, walked as the protocol does it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Walk {
    /// Per level from the root: the nodes whose hashes were sent, and those found to differ.
    pub sent: Vec<Vec<usize>>,
    pub differing: Vec<Vec<usize>>,
    pub hash_bytes: u64,
    /// Both sides' contents of the differing buckets.
    pub bucket_bytes: u64,
    /// Both sides' contents of the whole range: the exchange without a tree.
    pub full_bytes: u64,
}

impl Walk {
    /// The buckets (leaves) found to differ.
    pub fn buckets(&self) -> &[usize] {
        self.differing.last().map_or(&[], |v| v.as_slice())
    }

    pub fn bytes(&self) -> u64 {
        self.hash_bytes + self.bucket_bytes
    }
}

/// Walks the protocol between `a` (the initiator) and `b` (both over the same range and bucket
/// count): what [`super::node`]'s messages do, without the network.
pub fn walk(a: &ReplicaTree, b: &ReplicaTree) -> Walk {
    let mut w = Walk { full_bytes: a.total_bytes() + b.total_bytes(), ..Walk::default() };
    let mut nodes = vec![(0u32, a.tree.root())];
    let mut level = 0;
    // The side that receives hashes compares them; the roles alternate level by level.
    let sides = [a, b];
    loop {
        let (sender, receiver) = (sides[level % 2], sides[(level + 1) % 2]);
        w.hash_bytes += hash_bytes(&nodes);
        w.sent.push(nodes.iter().map(|(i, _)| *i as usize).collect());
        let differ = receiver.differing(level, &nodes);
        w.differing.push(differ.clone());
        if differ.is_empty() {
            break;
        }
        if receiver.is_leaf_level(level) {
            w.bucket_bytes = differ
                .iter()
                .map(|&i| {
                    sender.bucket_bytes.get(i).copied().unwrap_or(0)
                        + receiver.bucket_bytes.get(i).copied().unwrap_or(0)
                })
                .sum();
            break;
        }
        nodes = receiver.children_hashes(level, &differ);
        level += 1;
    }
    w
}

/// Two replicas' trees over the keys they share, as they are now, and what a session between
/// them would do: for the page's side-by-side view.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub a: NodeId,
    pub b: NodeId,
    pub keys: Vec<Key>,
    pub tree_a: ReplicaTree,
    pub tree_b: ReplicaTree,
    pub walk: Walk,
}

/// Compares servers `a` and `b` of a run (`None` unless both are servers that share keys).
pub fn compare(sim: &crate::sim::Sim<super::KvNode>, a: NodeId, b: NodeId) -> Option<Comparison> {
    let cluster = super::cluster(sim)?;
    let store = |id: NodeId| sim.node(id).and_then(|n| n.node.as_server().map(|s| &s.store));
    let (sa, sb) = (store(a)?, store(b)?);
    let keys = shared_keys(cluster, a, b);
    if a == b || keys.is_empty() {
        return None;
    }
    let (tree_a, tree_b) = (ReplicaTree::build(cluster, sa, &keys), ReplicaTree::build(cluster, sb, &keys));
    let walk = walk(&tree_a, &tree_b);
    Some(Comparison { a, b, keys, tree_a, tree_b, walk })
}

/// The first 4 bytes of a hash in hex, as the page shows one.
pub fn short_hash(h: &Hash) -> String {
    h.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

/// The bytes of a list of hashes on the wire.
pub fn hash_bytes(nodes: &[(u32, Hash)]) -> u64 {
    nodes.len() as u64 * merkle::HASH_BYTES
}

/// A server's part in a session (volatile).
#[derive(Clone, Debug)]
pub struct Session {
    pub peer: NodeId,
    pub tree: ReplicaTree,
    pub started: Micros,
}

/// What one session found and cost, as the observer records it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionRecord {
    pub initiator: u32,
    pub peer: u32,
    pub started: Micros,
    pub ended: Option<Micros>,
    /// Ended unfinished: a side crashed, saw its peer down or gave up waiting.
    pub dropped: bool,
    /// Keys both replicate.
    pub keys: u64,
    /// Levels of hashes exchanged.
    pub rounds: u32,
    pub hash_bytes: u64,
    pub bucket_bytes: u64,
    pub buckets_sent: u64,
    /// What the two would have sent without a tree: each side every entry of the range.
    pub full_bytes: u64,
    /// Versions that changed a store when folded in.
    pub repaired: u64,
}

impl SessionRecord {
    pub fn bytes(&self) -> u64 {
        self.hash_bytes + self.bucket_bytes
    }
}

/// What the anti-entropy sessions of a run did, in all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AntiEntropyStats {
    pub sessions: u64,
    /// Sessions whose roots matched at once.
    pub in_sync: u64,
    /// Sessions dropped unfinished (see [`SessionRecord::dropped`]).
    pub dropped: u64,
    pub hash_bytes: u64,
    pub bucket_bytes: u64,
    pub full_bytes: u64,
    pub repaired: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::store::{Versioning, value_id};
    use crate::kv::{KvParams, KvScenario, KvSystem, Workload, cluster};
    use crate::sim::System;

    fn cluster_of(keys: u32) -> Cluster {
        let params = KvParams {
            servers: 4,
            anti_entropy: AntiEntropyParams { buckets: 8, ..AntiEntropyParams::on() },
            workload: Workload { ops_per_s: 0.0, keys, ..Workload::default() },
            ..KvParams::default()
        };
        let sim = KvSystem::build(&KvScenario::new(1, params)).unwrap();
        cluster(&sim).unwrap().clone()
    }

    fn version(n: u32) -> Version {
        Version {
            value: value_id(0, n),
            clock: crate::kv::VectorClock::from_pairs(&[(0, u64::from(n))]),
            ts: 0,
        }
    }

    #[test]
    fn two_replicas_find_exactly_the_buckets_where_they_differ() {
        let c = cluster_of(200);
        let (a, b) = (NodeId(0), NodeId(1));
        let keys = shared_keys(&c, a, b);
        assert_eq!(keys.len(), 70, "servers 1 and 2 share that many of 200 keys");
        for &k in &keys {
            let prefs = &c.prefs[k as usize];
            assert!(prefs.contains(&a) && prefs.contains(&b));
        }
        let (mut sa, mut sb) = (Store::new(200), Store::new(200));
        for &k in &keys {
            sa.apply(Versioning::VectorClocks, k, version(1));
            sb.apply(Versioning::VectorClocks, k, version(1));
        }
        let same = (ReplicaTree::build(&c, &sa, &keys), ReplicaTree::build(&c, &sb, &keys));
        assert_eq!(same.0.tree.root(), same.1.tree.root());
        assert_eq!(same.0.total_bytes(), same.1.total_bytes());
        // B misses the newer version of two keys.
        let missed = [keys[3], keys[17]];
        for &k in &missed {
            sa.apply(Versioning::VectorClocks, k, version(2));
        }
        let (ta, tb) = (ReplicaTree::build(&c, &sa, &keys), ReplicaTree::build(&c, &sb, &keys));
        assert_ne!(ta.tree.root(), tb.tree.root());
        let want: Vec<usize> = {
            let mut v: Vec<usize> = missed
                .iter()
                .map(|&k| merkle::bucket_of(c.key_hashes[k as usize], Buckets::new(8).unwrap()))
                .collect();
            v.sort();
            v.dedup();
            v
        };
        assert_eq!(merkle::diff(&ta.tree, &tb.tree).unwrap().leaves, want);
        // Walking the protocol by hand from the root reaches the same buckets.
        let mut level = 0;
        let mut nodes = vec![(0u32, ta.tree.root())];
        loop {
            let differ = tb.differing(level, &nodes);
            if tb.is_leaf_level(level) {
                assert_eq!(differ, want);
                break;
            }
            nodes = ta.children_hashes(level, &differ);
            level += 1;
        }
        for &b in &want {
            let (entries, bytes) = ta.contents(&sa, b);
            assert!(entries.iter().any(|(k, _)| missed.contains(k)));
            assert!(bytes > 0 && bytes <= ta.total_bytes());
        }
    }
}
