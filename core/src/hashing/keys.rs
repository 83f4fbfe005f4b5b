//! Key sets hashed once and kept sorted by position, which server owns each key under a scheme, and
//! the exact set of keys that move when the servers change.
//!
//! Hashing 100,000 keys with SHA-1 is the expensive part of every figure on the page, so a
//! [`KeySet`] hashes its keys once and keeps them sorted by ring position; a ring then finds every
//! key's owner in one sweep ([`crate::hashing::Ring::assign`]) and classic hashing with one
//! remainder per key ([`crate::hashing::ModN::assign`]). Comparing two assignments by server *name*
//! gives the keys that move, and from where to where ([`moves`]).

use super::hash::{HashFn, Position};
use crate::format;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// At most this many keys in one key set.
pub const MAX_KEYS: usize = 1_000_000;

#[derive(Clone, Debug, PartialEq)]
enum Labels {
    /// Generated keys: key `i` (in generation order) is `key-` and 16 hex digits of `ids[i]`.
    Generated(Vec<u64>),
    /// Keys given by name.
    Named(Vec<String>),
}

/// Keys hashed onto the ring, sorted by position. Slot `i` (0-based, in position order) holds one
/// key; its *rank* is its place in generation order (1 = generated first), which the popularity
/// models use to decide how often it is asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct KeySet {
    hash: HashFn,
    positions: Vec<Position>,
    /// `ranks[slot]` is the key's generation index plus one.
    ranks: Vec<u32>,
    labels: Labels,
}

impl KeySet {
    /// `count` random keys from `seed` (ChaCha8), named `key-` and 16 hex digits.
    pub fn generate(hash: HashFn, count: usize, seed: u64) -> Result<KeySet, String> {
        if count > MAX_KEYS {
            return Err(format!(
                "Use at most {} keys (asked for {}).",
                format::group_digits(MAX_KEYS as u128),
                format::group_digits(count as u128)
            ));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let ids: Vec<u64> = (0..count).map(|_| rng.next_u64()).collect();
        let positions: Vec<Position> = ids.iter().map(|&id| hash.position(key_name(id).as_bytes())).collect();
        Ok(KeySet::sorted(hash, positions, Labels::Generated(ids)))
    }

    /// The given keys, hashed with `hash`.
    pub fn from_names<S: AsRef<str>>(hash: HashFn, names: &[S]) -> Result<KeySet, String> {
        if names.len() > MAX_KEYS {
            return Err(format!("Use at most {} keys.", format::group_digits(MAX_KEYS as u128)));
        }
        let positions = names.iter().map(|n| hash.position(n.as_ref().as_bytes())).collect();
        let labels = Labels::Named(names.iter().map(|n| n.as_ref().to_string()).collect());
        Ok(KeySet::sorted(hash, positions, labels))
    }

    fn sorted(hash: HashFn, positions: Vec<Position>, labels: Labels) -> KeySet {
        let mut order: Vec<(Position, u32)> = positions.into_iter().zip(1u32..).collect();
        order.sort_unstable();
        KeySet {
            hash,
            positions: order.iter().map(|&(p, _)| p).collect(),
            ranks: order.iter().map(|&(_, r)| r).collect(),
            labels,
        }
    }

    pub fn hash(&self) -> HashFn {
        self.hash
    }

    pub fn len(&self) -> usize {
        self.positions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// Every key's position, ascending.
    pub fn positions(&self) -> &[Position] {
        &self.positions
    }

    /// The popularity rank of the key in `slot` (1 = most popular): its place in generation order.
    pub fn rank(&self, slot: usize) -> u32 {
        self.ranks[slot]
    }

    /// Every key's rank, by slot.
    pub fn ranks(&self) -> &[u32] {
        &self.ranks
    }

    /// The key in `slot` as text.
    pub fn name(&self, slot: usize) -> String {
        let generation = self.ranks[slot] as usize - 1;
        match &self.labels {
            Labels::Generated(ids) => key_name(ids[generation]),
            Labels::Named(names) => names[generation].clone(),
        }
    }

    /// Up to `count` slots spread evenly over the key set (every `len/count`-th key by position),
    /// for drawing a sample of the keys.
    pub fn sample_slots(&self, count: usize) -> Vec<usize> {
        let n = self.len();
        if count >= n {
            return (0..n).collect();
        }
        (0..count).map(|i| (i as u64 * n as u64 / count as u64) as usize).collect()
    }
}

fn key_name(id: u64) -> String {
    format!("key-{id:016x}")
}

/// Which server owns each key of a key set under one scheme. `owner[slot]` indexes `servers`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// Server names, in the scheme's order (sorted by name for a ring, the pool order for mod N).
    pub servers: Vec<String>,
    pub owner: Vec<u32>,
}

impl Assignment {
    /// Keys per server, indexed like `servers`.
    pub fn counts(&self) -> Vec<u64> {
        let mut counts = vec![0u64; self.servers.len()];
        for &o in &self.owner {
            counts[o as usize] += 1;
        }
        counts
    }

    /// The summed weight of each server's keys (`weights` by slot, as from
    /// [`crate::hashing::Popularity::weights`]), indexed like `servers`.
    pub fn load(&self, weights: &[f64]) -> Vec<f64> {
        let mut load = vec![0.0; self.servers.len()];
        for (&o, &w) in self.owner.iter().zip(weights) {
            load[o as usize] += w;
        }
        load
    }

    /// The name of the server that owns the key in `slot`.
    pub fn owner_name(&self, slot: usize) -> &str {
        &self.servers[self.owner[slot] as usize]
    }
}

/// Keys that went from one server to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    pub from: String,
    pub to: String,
    pub keys: u64,
}

/// The keys whose server changed between two assignments of the same key set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Moves {
    pub total: u64,
    /// Slots of the keys that moved, ascending.
    pub moved: Vec<u32>,
    /// How many keys went from each server to each other one, sorted by (from, to).
    pub flows: Vec<Flow>,
}

impl Moves {
    pub fn count(&self) -> u64 {
        self.moved.len() as u64
    }

    /// Moved keys as a share of all keys (0 when there are no keys).
    pub fn share(&self) -> f64 {
        if self.total == 0 { 0.0 } else { self.count() as f64 / self.total as f64 }
    }

    /// Whether the key in `slot` moved.
    pub fn contains(&self, slot: usize) -> bool {
        u32::try_from(slot).is_ok_and(|s| self.moved.binary_search(&s).is_ok())
    }
}

/// The keys that move from `before` to `after`, matching servers by name: a key moves when its
/// server in `after` has another name than in `before` (a key whose server was removed always
/// moves). Both must assign the same key set.
pub fn moves(before: &Assignment, after: &Assignment) -> Moves {
    let after_index: BTreeMap<&str, u32> =
        after.servers.iter().enumerate().map(|(i, s)| (s.as_str(), i as u32)).collect();
    let same: Vec<Option<u32>> =
        before.servers.iter().map(|s| after_index.get(s.as_str()).copied()).collect();
    let mut moved = Vec::new();
    let mut flows: BTreeMap<(u32, u32), u64> = BTreeMap::new();
    for (slot, (&b, &a)) in before.owner.iter().zip(&after.owner).enumerate() {
        if same[b as usize] != Some(a) {
            moved.push(slot as u32);
            *flows.entry((b, a)).or_default() += 1;
        }
    }
    let mut flows: Vec<Flow> = flows
        .into_iter()
        .map(|((b, a), keys)| Flow {
            from: before.servers[b as usize].clone(),
            to: after.servers[a as usize].clone(),
            keys,
        })
        .collect();
    flows.sort_by(|x, y| (&x.from, &x.to).cmp(&(&y.from, &y.to)));
    Moves { total: before.owner.len().min(after.owner.len()) as u64, moved, flows }
}

/// The key set most tests share: 100,000 SHA-1 keys from seed 1 (the page's default), made once.
#[cfg(test)]
pub(crate) fn test_keys() -> &'static KeySet {
    static KEYS: std::sync::OnceLock<KeySet> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| KeySet::generate(HashFn::Sha1, 100_000, 1).expect("valid"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_seeded_and_sorted() {
        let a = KeySet::generate(HashFn::Sha1, 1000, 7).unwrap();
        let b = KeySet::generate(HashFn::Sha1, 1000, 7).unwrap();
        let c = KeySet::generate(HashFn::Sha1, 1000, 8).unwrap();
        assert_eq!(a, b);
        assert_ne!(a.positions(), c.positions());
        assert!(a.positions().windows(2).all(|w| w[0] <= w[1]));
        // Ranks are a permutation of 1..=1000.
        let mut ranks = a.ranks().to_vec();
        ranks.sort();
        assert_eq!(ranks, (1..=1000).collect::<Vec<u32>>());
        // Every slot's name hashes to its position.
        for slot in [0, 1, 500, 999] {
            let name = a.name(slot);
            assert!(name.starts_with("key-") && name.len() == 20, "{name}");
            assert_eq!(HashFn::Sha1.position(name.as_bytes()), a.positions()[slot]);
        }
        // The first key ChaCha8 draws for seed 7 (pinned: a change here changes every page link).
        let first = (0..1000).find(|&s| a.rank(s) == 1).unwrap();
        assert_eq!(a.name(first), "key-2865533423d743bb");
    }

    #[test]
    fn named_keys_keep_their_names() {
        let keys = KeySet::from_names(HashFn::Sha1, &["abc", "b", "a"]).unwrap();
        let names: Vec<String> = (0..3).map(|s| keys.name(s)).collect();
        // Sorted by SHA-1: "a" = 86f7e437..., "abc" = a9993e36..., "b" = e9d71f5e...
        assert_eq!(names, ["a", "abc", "b"]);
        assert_eq!(keys.ranks(), [3, 1, 2]);
        assert!(KeySet::generate(HashFn::Xxh3, MAX_KEYS + 1, 0).is_err());
        assert_eq!(keys.sample_slots(2), vec![0, 1]);
        assert_eq!(keys.sample_slots(10), vec![0, 1, 2]);
    }

    #[test]
    fn moves_match_servers_by_name() {
        let before = Assignment { servers: vec!["A".into(), "B".into()], owner: vec![0, 1, 0, 1] };
        // After: a new server C sorted between; A keeps slot 0, C takes slot 2, B keeps 1, 3.
        let after = Assignment { servers: vec!["A".into(), "C".into(), "B".into()], owner: vec![0, 2, 1, 2] };
        let m = moves(&before, &after);
        assert_eq!(m.moved, vec![2]);
        assert_eq!(m.flows, vec![Flow { from: "A".into(), to: "C".into(), keys: 1 }]);
        assert_eq!(m.share(), 0.25);
        assert!(m.contains(2) && !m.contains(1));
        // Removing B moves both its keys.
        let gone = Assignment { servers: vec!["A".into()], owner: vec![0, 0, 0, 0] };
        let m = moves(&before, &gone);
        assert_eq!(m.moved, vec![1, 3]);
        assert_eq!(m.flows, vec![Flow { from: "B".into(), to: "A".into(), keys: 2 }]);
        assert_eq!(before.counts(), vec![2, 2]);
        assert_eq!(before.load(&[0.5, 0.25, 0.125, 0.125]), vec![0.625, 0.375]);
    }
}
