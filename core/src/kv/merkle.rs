//! The Merkle tree of anti-entropy: how two replicas find the keys on which they disagree while
//! exchanging a few hashes instead of all their data.
//!
//! The keys are split into a fixed, power-of-two number of buckets by the top bits of a 64-bit key
//! hash, so every bucket is a contiguous range of hash values (as Cassandra's repair trees divide a
//! token range). A bucket's content (its entries, sorted) is hashed into a leaf; every inner node
//! hashes its two children; the root summarises everything. Two replicas compare the trees top
//! down: equal roots mean equal data; otherwise they descend only into the children that differ,
//! level by level (one round trip each), and end at the leaves whose buckets must be exchanged.
//! Sources: R. C. Merkle, "A Digital Signature Based on a Conventional Encryption Function",
//! CRYPTO 1987 (the hash tree); DeCandia et al., "Dynamo", SOSP 2007, section 4.7 (a tree per key
//! range, compared top down to repair replicas); the notes' "Anti-Entropy Protocol w/ Merkle
//! Tree" ("build the tree in a bottom-up fashion", "compare ... in a top-down fashion").
//!
//! Three choices keep different data from ever looking the same:
//!
//! - **Domain separation.** A leaf is SHA-1(0x00 || bucket encoding) and an inner node is
//!   SHA-1(0x01 || left || right), the prefixes of RFC 6962 ("Certificate Transparency"), section
//!   2.1, so a leaf can never be passed off as an inner node or the reverse.
//! - **Odd levels promote, never duplicate.** A level with an odd number of nodes carries its last
//!   node up unchanged. Bitcoin instead pairs the last node with a copy of itself, which gives
//!   leaves `[a, b, c]` and `[a, b, c, c]` the same root (CVE-2012-2459); here they differ. A
//!   promoted node has a single child, with the same hash, so the comparison skips it.
//! - **Buckets are hashed whole, never by combining entry hashes.** A bucket's encoding is the
//!   concatenation of its entries, each `u32 BE length || key bytes || u32 BE length || value
//!   bytes`, sorted bytewise, and the leaf hashes that. XOR-ing (or adding) per-entry hashes would
//!   let two equal entries cancel out into an empty bucket; a length-prefixed concatenation is a
//!   unique encoding of the multiset of entries. (A key or value of 4 GiB or more, impossible on
//!   wasm32, would have its length clamped to `u32::MAX`.)
//!
//! The entry of the store is `(Key, &[Version])`, see [`BucketEntry`]; any other content can be
//! fed as raw `(key, value)` byte pairs. Trees over the same number of leaves have the same shape,
//! so nodes are addressed by (level from the top, index) and [`diff`] refuses trees of different
//! sizes with an `Err`.

use super::store::{Key, Version, key_name};
use crate::hashing::HashFn;
use sha1::{Digest, Sha1};
use smallvec::SmallVec;
use std::cmp::Ordering;
use std::ops::Range;

/// A SHA-1 digest: a leaf's or an inner node's hash.
pub type Hash = [u8; 20];

/// Bytes of one hash on the wire.
pub const HASH_BYTES: u64 = 20;

/// The most buckets a tree may have (2^20, about 40 MB of hashes for the whole tree).
pub const MAX_BUCKETS: u32 = 1 << 20;

const LEAF_PREFIX: u8 = 0x00;
const NODE_PREFIX: u8 = 0x01;

/// The leaf hash of a bucket whose canonical encoding is `encoded`: SHA-1(0x00 || encoded).
pub fn leaf_hash(encoded: &[u8]) -> Hash {
    let mut h = Sha1::new();
    h.update([LEAF_PREFIX]);
    h.update(encoded);
    h.finalize().into()
}

/// The leaf hash of an empty bucket: SHA-1(0x00).
pub fn empty_bucket_hash() -> Hash {
    leaf_hash(&[])
}

/// An inner node's hash: SHA-1(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha1::new();
    h.update([NODE_PREFIX]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of a tree with no leaves: SHA-1 of nothing, as RFC 6962 (section 2.1) defines the
/// hash of an empty list.
pub fn empty_tree_root() -> Hash {
    Sha1::digest([]).into()
}

/// Something a bucket holds: a key and its value, each written as bytes. The bucket's encoding
/// puts a `u32` big-endian length before each of them (see [`encode_entry`]), so an
/// implementation only has to write bytes that identify the key and the value.
pub trait BucketEntry {
    /// Writes the key's bytes.
    fn encode_key(&self, out: &mut Vec<u8>);
    /// Writes the value's bytes.
    fn encode_value(&self, out: &mut Vec<u8>);
}

impl<E: BucketEntry + ?Sized> BucketEntry for &E {
    fn encode_key(&self, out: &mut Vec<u8>) {
        (**self).encode_key(out)
    }
    fn encode_value(&self, out: &mut Vec<u8>) {
        (**self).encode_value(out)
    }
}

/// Raw bytes: `(key, value)`.
impl BucketEntry for (&[u8], &[u8]) {
    fn encode_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.0);
    }
    fn encode_value(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.1);
    }
}

/// A key of the store and its versions, as [`super::store::Store::iter`] yields them. The key is
/// its `u32` big-endian; the value is [`encode_versions`].
impl BucketEntry for (Key, &[Version]) {
    fn encode_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0.to_be_bytes());
    }
    fn encode_value(&self, out: &mut Vec<u8>) {
        encode_versions(self.1, out);
    }
}

/// A set of versions in a canonical form, so that replicas holding the same versions in any order
/// write the same bytes: the number of versions (`u32` BE), then the versions sorted by
/// (value id, timestamp, clock entries), each as value id (`u64` BE), timestamp (`u64` BE), the
/// number of clock entries (`u32` BE) and every entry in the clock's own order (by actor):
/// actor (`u32` BE), counter (`u32` BE), the time it was last advanced (`u64` BE). Every field of
/// [`Version`] is written, so two version sets encode alike exactly when they are equal.
pub fn encode_versions(versions: &[Version], out: &mut Vec<u8>) {
    let mut sorted: SmallVec<[&Version; 4]> = versions.iter().collect();
    sorted.sort_unstable_by(|a, b| canonical_order(a, b));
    out.extend_from_slice(&clamped_len(sorted.len()).to_be_bytes());
    for v in sorted {
        out.extend_from_slice(&v.value.to_be_bytes());
        out.extend_from_slice(&v.ts.to_be_bytes());
        let entries = v.clock.entries();
        out.extend_from_slice(&clamped_len(entries.len()).to_be_bytes());
        for e in entries {
            out.extend_from_slice(&e.actor.to_be_bytes());
            out.extend_from_slice(&e.counter.to_be_bytes());
            out.extend_from_slice(&e.at.to_be_bytes());
        }
    }
}

fn canonical_order(a: &Version, b: &Version) -> Ordering {
    (a.value, a.ts).cmp(&(b.value, b.ts)).then_with(|| {
        let fields = |v: &Version| {
            v.clock.entries().iter().map(|e| (e.actor, e.counter, e.at)).collect::<SmallVec<[_; 4]>>()
        };
        fields(a).cmp(&fields(b))
    })
}

fn clamped_len(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// Appends one entry's encoding: `u32 BE length || key bytes || u32 BE length || value bytes`.
pub fn encode_entry<E: BucketEntry + ?Sized>(entry: &E, out: &mut Vec<u8>) {
    put_prefixed(out, |o| entry.encode_key(o));
    put_prefixed(out, |o| entry.encode_value(o));
}

fn put_prefixed(out: &mut Vec<u8>, write: impl FnOnce(&mut Vec<u8>)) {
    let at = out.len();
    out.extend_from_slice(&[0; 4]);
    write(out);
    let len = clamped_len(out.len() - at - 4);
    out[at..at + 4].copy_from_slice(&len.to_be_bytes());
}

/// Collects one bucket's entries in any order and hashes them in the canonical order (entry
/// encodings sorted bytewise). Reusable: [`BucketHasher::finish`] empties it.
#[derive(Clone, Debug, Default)]
pub struct BucketHasher {
    buf: Vec<u8>,
    spans: Vec<Range<usize>>,
}

impl BucketHasher {
    pub fn new() -> BucketHasher {
        BucketHasher::default()
    }

    /// Adds a raw `(key, value)` entry.
    pub fn add(&mut self, key: &[u8], value: &[u8]) {
        self.add_entry(&(key, value));
    }

    /// Adds an entry.
    pub fn add_entry<E: BucketEntry + ?Sized>(&mut self, entry: &E) {
        let start = self.buf.len();
        encode_entry(entry, &mut self.buf);
        self.spans.push(start..self.buf.len());
    }

    /// Entries added since the last `finish`.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Bytes of the bucket's encoding: what sending the bucket costs in [`Diff::exchange`].
    pub fn encoded_len(&self) -> u64 {
        self.buf.len() as u64
    }

    /// The bucket's canonical encoding (the bytes its leaf hashes after the 0x00 prefix).
    pub fn encoding(&mut self) -> Vec<u8> {
        self.sort();
        let mut out = Vec::with_capacity(self.buf.len());
        for s in &self.spans {
            out.extend_from_slice(&self.buf[s.clone()]);
        }
        out
    }

    /// The bucket's leaf hash; the hasher is empty afterwards.
    pub fn finish(&mut self) -> Hash {
        self.sort();
        let mut h = Sha1::new();
        h.update([LEAF_PREFIX]);
        for s in &self.spans {
            h.update(&self.buf[s.clone()]);
        }
        self.buf.clear();
        self.spans.clear();
        h.finalize().into()
    }

    fn sort(&mut self) {
        let buf = &self.buf;
        self.spans.sort_unstable_by(|x, y| buf[x.clone()].cmp(&buf[y.clone()]));
    }
}

/// A number of buckets: a power of two from 1 to [`MAX_BUCKETS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Buckets {
    bits: u32,
}

impl Buckets {
    /// `count` buckets; an `Err` unless it is a power of two from 1 to [`MAX_BUCKETS`].
    pub fn new(count: u32) -> Result<Buckets, String> {
        if !count.is_power_of_two() || count > MAX_BUCKETS {
            return Err(format!(
                "a Merkle tree needs a power of two from 1 to {MAX_BUCKETS} buckets, not {count}"
            ));
        }
        Ok(Buckets { bits: count.trailing_zeros() })
    }

    pub fn count(self) -> u32 {
        1 << self.bits
    }

    /// log2 of the count: the key hash's bits that choose a bucket.
    pub fn bits(self) -> u32 {
        self.bits
    }
}

/// The bucket of a key whose 64-bit hash is `key_hash`: its top `buckets.bits()` bits, so bucket
/// `i` holds the contiguous hash range `[i, i + 1) · 2^64 / count`.
pub fn bucket_of(key_hash: u64, buckets: Buckets) -> usize {
    key_hash.checked_shr(64 - buckets.bits).unwrap_or(0) as usize
}

/// The 64-bit hash of a store key: the top 64 bits of its SHA-1 ring position (the `hi` word of
/// [`crate::hashing::Position`] for `k{key}`), so the buckets are arcs of the ring.
pub fn key_hash(key: Key) -> u64 {
    HashFn::Sha1.position(key_name(key).as_bytes()).hi
}

/// What hashing entries into buckets gives: every bucket's leaf hash, and its encoded size in
/// bytes (what sending that bucket costs) and number of entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaves {
    pub hashes: Vec<Hash>,
    pub bytes: Vec<u64>,
    pub entries: Vec<u64>,
}

/// Puts every `(key hash, entry)` into its bucket ([`bucket_of`]) and hashes every bucket, in
/// the canonical order, whatever the order of `entries`.
pub fn hash_buckets<E, I>(buckets: Buckets, entries: I) -> Leaves
where
    E: BucketEntry,
    I: IntoIterator<Item = (u64, E)>,
{
    let count = buckets.count() as usize;
    let mut buf = Vec::new();
    let mut spans: Vec<(usize, Range<usize>)> = Vec::new();
    for (h, e) in entries {
        let start = buf.len();
        encode_entry(&e, &mut buf);
        spans.push((bucket_of(h, buckets), start..buf.len()));
    }
    spans.sort_unstable_by(|x, y| x.0.cmp(&y.0).then_with(|| buf[x.1.clone()].cmp(&buf[y.1.clone()])));
    let empty = empty_bucket_hash();
    let mut leaves = Leaves { hashes: vec![empty; count], bytes: vec![0; count], entries: vec![0; count] };
    let mut rest = spans.as_slice();
    while let Some((b, _)) = rest.first() {
        let b = *b;
        let n = rest.iter().take_while(|(x, _)| *x == b).count();
        let (this, next) = rest.split_at(n);
        let mut h = Sha1::new();
        h.update([LEAF_PREFIX]);
        let mut bytes = 0u64;
        for (_, s) in this {
            h.update(&buf[s.clone()]);
            bytes += s.len() as u64;
        }
        if let (Some(hash), Some(size), Some(k)) =
            (leaves.hashes.get_mut(b), leaves.bytes.get_mut(b), leaves.entries.get_mut(b))
        {
            *hash = h.finalize().into();
            *size = bytes;
            *k = n as u64;
        }
        rest = next;
    }
    leaves
}

/// A Merkle tree over a list of leaf hashes, every level kept. Levels are counted from the top
/// for the protocol: level 0 is the root, level `depth() - 1` the leaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerkleTree {
    /// Bottom up: `levels[0]` is the leaves, the last level is `[root]`; no levels without leaves.
    levels: Vec<Vec<Hash>>,
}

impl MerkleTree {
    /// Builds the tree bottom up: each level pairs the nodes of the one below (left, right) and
    /// carries an odd last node up unchanged.
    pub fn build(leaves: Vec<Hash>) -> MerkleTree {
        let mut levels = Vec::new();
        if leaves.is_empty() {
            return MerkleTree { levels };
        }
        levels.push(leaves);
        while let Some(below) = levels.last().filter(|l| l.len() > 1) {
            let up: Vec<Hash> = below
                .chunks(2)
                .map(|pair| match pair {
                    [l, r] => node_hash(l, r),
                    [only] => *only,
                    _ => empty_tree_root(), // chunks(2) yields one or two
                })
                .collect();
            levels.push(up);
        }
        MerkleTree { levels }
    }

    /// A tree over buckets of entries, one leaf per bucket (each hashed in canonical order).
    pub fn from_buckets<E: BucketEntry, B: AsRef<[E]>>(buckets: &[B]) -> MerkleTree {
        let mut hasher = BucketHasher::new();
        let leaves = buckets
            .iter()
            .map(|b| {
                for e in b.as_ref() {
                    hasher.add_entry(e);
                }
                hasher.finish()
            })
            .collect();
        MerkleTree::build(leaves)
    }

    /// A tree over `(key hash, entry)` pairs in `buckets` buckets ([`hash_buckets`]). Use
    /// [`hash_buckets`] and [`MerkleTree::build`] to keep the buckets' sizes as well.
    pub fn from_entries<E, I>(buckets: Buckets, entries: I) -> MerkleTree
    where
        E: BucketEntry,
        I: IntoIterator<Item = (u64, E)>,
    {
        MerkleTree::build(hash_buckets(buckets, entries).hashes)
    }

    /// The root hash ([`empty_tree_root`] for a tree without leaves).
    pub fn root(&self) -> Hash {
        self.levels.last().and_then(|l| l.first()).copied().unwrap_or_else(empty_tree_root)
    }

    pub fn leaf_count(&self) -> usize {
        self.levels.first().map_or(0, Vec::len)
    }

    pub fn leaves(&self) -> &[Hash] {
        self.levels.first().map_or(&[], Vec::as_slice)
    }

    /// Number of levels, root and leaves included: 1 for one leaf, ⌈log2 n⌉ + 1 for n leaves,
    /// 0 without leaves.
    pub fn depth(&self) -> usize {
        self.levels.len()
    }

    /// The nodes of a level counted from the top (empty past the leaves).
    pub fn level(&self, level_from_top: usize) -> &[Hash] {
        self.bottom_up(level_from_top).map_or(&[], |l| l.as_slice())
    }

    /// The hash of node `index` of level `level_from_top` (0 is the root).
    pub fn node(&self, level_from_top: usize, index: usize) -> Option<Hash> {
        self.level(level_from_top).get(index).copied()
    }

    /// The indices, in level `level_from_top + 1`, of the children of node `index` of level
    /// `level_from_top`: two, or one for a node promoted from an odd level (same hash as its
    /// parent), none for a leaf or a node that does not exist.
    pub fn children(&self, level_from_top: usize, index: usize) -> Vec<usize> {
        self.child_range(level_from_top, index).collect()
    }

    fn child_range(&self, level_from_top: usize, index: usize) -> Range<usize> {
        if index >= self.level(level_from_top).len() {
            return 0..0;
        }
        let below = self.level(level_from_top.saturating_add(1)).len();
        let first = index.saturating_mul(2);
        first.min(below)..first.saturating_add(2).min(below)
    }

    fn bottom_up(&self, level_from_top: usize) -> Option<&Vec<Hash>> {
        self.levels.len().checked_sub(level_from_top.checked_add(1)?).and_then(|i| self.levels.get(i))
    }
}

/// What comparing two trees found and what it cost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diff {
    /// The leaves (buckets) whose hashes differ, ascending.
    pub leaves: Vec<usize>,
    /// Pairs of hashes compared in all (one pair per node looked at, both sides' hash).
    pub compared: u64,
    /// Pairs compared at each level, from the root (length `depth`).
    pub compared_per_level: Vec<u64>,
    /// Levels at which hashes were exchanged: the round trips the comparison took.
    pub rounds: u32,
    /// The trees' leaf count.
    pub leaf_count: usize,
}

/// The bytes an anti-entropy exchange costs, against shipping everything. The same model as the
/// protocol's ([`super::anti_entropy`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exchange {
    /// Hashes sent: one side sends its hash of every node compared, the other compares,
    /// `20 × compared`.
    pub hash_bytes: u64,
    /// The differing buckets' contents, both sides' (each sends its version to the other).
    pub bucket_bytes: u64,
    /// `hash_bytes + bucket_bytes`.
    pub protocol_bytes: u64,
    /// A full exchange without a tree: both sides send all their entries.
    pub full_bytes: u64,
}

impl Diff {
    /// The byte model of the exchange, the protocol's: at every level one side sends its hashes
    /// of the nodes being compared (20 bytes each) and the other compares them with its own,
    /// then both sides send the encoded contents of every differing bucket; the alternative,
    /// without a tree, is both sides sending the encoded contents of all their buckets.
    /// `sizes_a[i]` and `sizes_b[i]` are bucket `i`'s encoded bytes on either side
    /// ([`Leaves::bytes`]); an `Err` unless both have one size per leaf. Sums saturate at
    /// `u64::MAX`.
    pub fn exchange(&self, sizes_a: &[u64], sizes_b: &[u64]) -> Result<Exchange, String> {
        if sizes_a.len() != self.leaf_count || sizes_b.len() != self.leaf_count {
            return Err(format!(
                "the bucket sizes ({} and {}) must give one size per leaf of the trees ({})",
                sizes_a.len(),
                sizes_b.len(),
                self.leaf_count
            ));
        }
        let hash_bytes = self.compared.saturating_mul(HASH_BYTES);
        let bucket_bytes = self.leaves.iter().fold(0u64, |acc, &i| {
            let a = sizes_a.get(i).copied().unwrap_or(0);
            let b = sizes_b.get(i).copied().unwrap_or(0);
            acc.saturating_add(a).saturating_add(b)
        });
        let full_bytes = sizes_a.iter().chain(sizes_b).fold(0u64, |acc, &s| acc.saturating_add(s));
        Ok(Exchange {
            hash_bytes,
            bucket_bytes,
            protocol_bytes: hash_bytes.saturating_add(bucket_bytes),
            full_bytes,
        })
    }
}

/// Compares two trees over the same number of leaves top down: the roots first, then, level by
/// level, the children of every node that differs, down to the leaves. A node promoted from an odd
/// level has one child with its own hash, which both sides already know to differ, so it is
/// carried down without being compared. Two trees without leaves compare nothing. An `Err` when
/// the trees have different leaf counts (their nodes would not correspond).
pub fn diff(a: &MerkleTree, b: &MerkleTree) -> Result<Diff, String> {
    if a.leaf_count() != b.leaf_count() {
        return Err(format!(
            "only trees over the same number of buckets can be compared, not {} and {} leaves",
            a.leaf_count(),
            b.leaf_count()
        ));
    }
    let depth = a.depth();
    let mut out = Diff {
        leaves: Vec::new(),
        compared: 0,
        compared_per_level: vec![0; depth],
        rounds: 0,
        leaf_count: a.leaf_count(),
    };
    // (index, already known to differ) of the nodes to look at on this level.
    let mut frontier: Vec<(usize, bool)> = vec![(0, false)];
    for (t, compared) in out.compared_per_level.iter_mut().enumerate() {
        let (la, lb) = (a.level(t), b.level(t));
        let mut differing = Vec::new();
        for &(i, known) in &frontier {
            if !known {
                *compared += 1;
            }
            if known || la.get(i) != lb.get(i) {
                differing.push(i);
            }
        }
        if t + 1 == depth {
            out.leaves = differing;
            break;
        }
        frontier.clear();
        for i in differing {
            let children = a.child_range(t, i);
            let single = children.len() == 1;
            frontier.extend(children.map(|c| (c, single)));
        }
        if frontier.is_empty() {
            break;
        }
    }
    out.compared = out.compared_per_level.iter().sum();
    out.rounds = out.compared_per_level.iter().filter(|&&c| c > 0).count() as u32;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::clock::VectorClock;
    use crate::kv::store::value_id;
    use proptest::prelude::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn hex(h: &Hash) -> String {
        h.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn bucket(entries: &[(&str, &str)]) -> Hash {
        let mut h = BucketHasher::new();
        for (k, v) in entries {
            h.add(k.as_bytes(), v.as_bytes());
        }
        h.finish()
    }

    /// Leaves a, b, c, d: buckets holding one entry each, ("a", "1") ... ("d", "4").
    fn abcd() -> [Hash; 4] {
        [bucket(&[("a", "1")]), bucket(&[("b", "2")]), bucket(&[("c", "3")]), bucket(&[("d", "4")])]
    }

    // The expected digests, computed independently in Python with
    //   import hashlib
    //   def e(k, v): return len(k).to_bytes(4, 'big') + k + len(v).to_bytes(4, 'big') + v
    //   def leaf(*es): return hashlib.sha1(b'\0' + b''.join(e(k, v) for k, v in es)).digest()
    //   def node(l, r): return hashlib.sha1(b'\1' + l + r).digest()
    //   a, b, c, d = leaf((b'a', b'1')), leaf((b'b', b'2')), leaf((b'c', b'3')), leaf((b'd', b'4'))
    #[test]
    fn roots_match_digests_computed_independently() {
        // leaf() = sha1(b'\0')
        assert_eq!(hex(&empty_bucket_hash()), "5ba93c9db0cff93f52b521d7420e43f6eda2784f");
        assert_eq!(hex(&bucket(&[])), "5ba93c9db0cff93f52b521d7420e43f6eda2784f");
        let leaves = abcd();
        let cases: [(usize, &str, &str); 4] = [
            (1, "a", "4115b090aa033ed650d77a1c1563aeafc30ea6c0"),
            (2, "node(a, b)", "069e09394be538c5cb9420e8ccefa911ce8702b3"),
            (3, "node(node(a, b), c)", "be368bcd9adff19eb9c1d93f9a4f4fbcc3c8eebd"),
            (4, "node(node(a, b), node(c, d))", "7d409b56bbd5aac87e98ddd80b20114cc220a7da"),
        ];
        for (n, expr, root) in cases {
            let t = MerkleTree::build(leaves[..n].to_vec());
            assert_eq!(hex(&t.root()), root, "{n} leaves: {expr}");
            assert_eq!(t.leaf_count(), n);
        }
        assert_eq!([1, 2, 3, 4].map(|n| MerkleTree::build(leaves[..n].to_vec()).depth()), [1, 2, 3, 3]);
        // No leaves: SHA-1 of nothing (RFC 6962's empty list), hashlib.sha1(b'').hexdigest().
        let empty = MerkleTree::build(Vec::new());
        assert_eq!(hex(&empty.root()), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!((empty.depth(), empty.leaf_count(), empty.node(0, 0)), (0, 0, None));
    }

    #[test]
    fn an_odd_last_node_is_promoted_not_duplicated() {
        let [a, b, c, _] = abcd();
        let three = MerkleTree::build(vec![a, b, c]);
        let four = MerkleTree::build(vec![a, b, c, c]);
        // node(node(a, b), node(c, c))
        assert_eq!(hex(&four.root()), "aec66a9dd1ff634e4aefb930024db71b6d5ba763");
        assert_ne!(three.root(), four.root(), "CVE-2012-2459: [a, b, c] and [a, b, c, c] must differ");
        assert_eq!(three.node(1, 1), Some(c), "c is carried up unchanged");
        // Bitcoin's rule (pair the odd node with itself) would give them the same root.
        let bitcoin_three = node_hash(&node_hash(&a, &b), &node_hash(&c, &c));
        assert_eq!(bitcoin_three, four.root());
    }

    #[test]
    fn equal_entries_never_cancel_and_lengths_delimit() {
        let x = ("key", "value");
        let (none, one, two) = (bucket(&[]), bucket(&[x]), bucket(&[x, x]));
        assert_ne!(two, none, "[x, x] is not an empty bucket");
        assert_ne!(two, one, "[x, x] is not [x]");
        assert_ne!(one, none);
        // What XOR-ing per-entry hashes would do: x ^ x = 0, the empty bucket.
        let e = leaf_hash(b"key:value");
        let xor: Hash = std::array::from_fn(|i| e[i] ^ e[i]);
        assert_eq!(xor, [0; 20]);
        // The length prefixes keep the key/value boundary and the entry boundary.
        assert_ne!(bucket(&[("ab", "c")]), bucket(&[("a", "bc")]));
        assert_ne!(bucket(&[("a", "b"), ("c", "d")]), bucket(&[("a", "b\0\0\0\x01c\0\0\0\x01d")]));
        // Any order of entries gives the same bucket.
        assert_eq!(
            bucket(&[("a", "1"), ("b", "2"), ("a", "1")]),
            bucket(&[("b", "2"), ("a", "1"), ("a", "1")])
        );
        let mut h = BucketHasher::new();
        h.add(b"b", b"2");
        h.add(b"a", b"1");
        assert_eq!((h.len(), h.encoded_len()), (2, 20));
        assert_eq!(h.encoding(), b"\0\0\0\x01a\0\0\0\x011\0\0\0\x01b\0\0\0\x012".to_vec());
        assert_eq!(h.finish(), bucket(&[("a", "1"), ("b", "2")]));
        assert!(h.is_empty(), "finish empties the hasher");
    }

    fn version(value: u64, pairs: &[(u32, u64, u64)], ts: u64) -> Version {
        let mut clock = VectorClock::new();
        for &(actor, counter, at) in pairs {
            clock.raise(actor, counter, at);
        }
        Version { value, clock, ts }
    }

    #[test]
    fn a_store_entry_has_a_pinned_encoding() {
        let versions = [version(value_id(0, 1), &[(0, 1, 5)], 5)];
        let mut out = Vec::new();
        encode_entry(&(7, &versions[..]), &mut out);
        let expected: &[&[u8]] = &[
            &[0, 0, 0, 4],
            &[0, 0, 0, 7], // key 7
            &[0, 0, 0, 40],
            &[0, 0, 0, 1],             // one version
            &[0, 0, 0, 1, 0, 0, 0, 1], // value v1.1 = 2^32 + 1
            &[0, 0, 0, 0, 0, 0, 0, 5], // ts 5
            &[0, 0, 0, 1],             // one clock entry
            &[0, 0, 0, 0, 0, 0, 0, 1], // S1: 1
            &[0, 0, 0, 0, 0, 0, 0, 5], // advanced at 5
        ];
        assert_eq!(out, expected.concat());
        // hashlib.sha1(b'\0' + bytes.fromhex('00000004' '00000007' '00000028' '00000001'
        //   '0000000100000001' '0000000000000005' '00000001' '0000000000000001' '0000000000000005'))
        let mut h = BucketHasher::new();
        h.add_entry(&(7, &versions[..]));
        assert_eq!(hex(&h.finish()), "d2fadbaaf0fd0818b38d0f1c8334932712b6f44e");
    }

    #[test]
    fn versions_in_any_order_hash_the_same() {
        let s1 = version(value_id(0, 1), &[(0, 1, 10)], 10);
        let s2 = version(value_id(1, 1), &[(1, 1, 12)], 12);
        let s3 = version(value_id(1, 1), &[(1, 1, 12), (2, 1, 12)], 12);
        let hash = |vs: &[Version]| {
            let mut h = BucketHasher::new();
            h.add_entry(&(3, vs));
            h.finish()
        };
        let base = hash(&[s1.clone(), s2.clone(), s3.clone()]);
        for order in [[&s1, &s3, &s2], [&s2, &s1, &s3], [&s2, &s3, &s1], [&s3, &s1, &s2], [&s3, &s2, &s1]] {
            assert_eq!(hash(&order.map(|v| v.clone())), base);
        }
        assert_ne!(hash(&[s1.clone(), s2.clone()]), base, "a missing sibling shows");
        assert_ne!(hash(&[s1.clone(), s2.clone(), s2.clone()]), base);
        let later = version(value_id(0, 1), &[(0, 1, 11)], 10);
        assert_ne!(hash(&[later, s2, s3]), base, "every field of a version counts, `at` included");
    }

    fn store_entries(rng: &mut ChaCha8Rng, keys: u32) -> Vec<(Key, Vec<Version>)> {
        (0..keys)
            .map(|k| {
                let n = rng.random_range(1..=3u32);
                let versions = (0..n)
                    .map(|j| {
                        let actor = rng.random_range(0..5u32);
                        version(
                            value_id(j, k),
                            &[(actor, rng.random_range(1..4u64), rng.random_range(0..100u64))],
                            7,
                        )
                    })
                    .collect();
                (k, versions)
            })
            .collect()
    }

    #[test]
    fn building_from_entries_in_any_order_gives_the_same_root() {
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        let entries = store_entries(&mut rng, 500);
        let buckets = Buckets::new(64).unwrap();
        let tree = |list: &[(Key, Vec<Version>)]| {
            MerkleTree::from_entries(buckets, list.iter().map(|(k, vs)| (key_hash(*k), (*k, vs.as_slice()))))
        };
        let base = tree(&entries);
        assert_eq!(base.leaf_count(), 64);
        let mut shuffled = entries.clone();
        for _ in 0..3 {
            for i in (1..shuffled.len()).rev() {
                let j = rng.random_range(0..=i as u64) as usize;
                shuffled.swap(i, j);
            }
            for (_, vs) in shuffled.iter_mut() {
                vs.reverse();
            }
            assert_eq!(tree(&shuffled).root(), base.root());
        }
        // The same as grouping by hand and hashing each bucket.
        let mut grouped: Vec<Vec<(Key, &[Version])>> = vec![Vec::new(); 64];
        for (k, vs) in &entries {
            grouped[bucket_of(key_hash(*k), buckets)].push((*k, vs));
        }
        assert_eq!(MerkleTree::from_buckets(&grouped), base);
        let leaves = hash_buckets(buckets, entries.iter().map(|(k, vs)| (key_hash(*k), (*k, vs.as_slice()))));
        assert_eq!(leaves.entries.iter().sum::<u64>(), 500);
        let mut h = BucketHasher::new();
        for e in &grouped[0] {
            h.add_entry(e);
        }
        assert_eq!(leaves.bytes[0], h.encoded_len());
        // One changed version changes the root.
        let mut changed = entries.clone();
        changed[42].1[0].ts += 1;
        assert_ne!(tree(&changed).root(), base.root());
    }

    #[test]
    fn buckets_are_the_top_bits_of_the_key_hash() {
        for bad in [0, 3, 12, MAX_BUCKETS * 2, u32::MAX] {
            assert!(Buckets::new(bad).is_err(), "{bad}");
        }
        let b = |n: u32| Buckets::new(n).unwrap();
        assert_eq!((b(1).bits(), b(8).bits(), b(MAX_BUCKETS).count()), (0, 3, 1 << 20));
        let cases: [(u64, u32, usize); 8] = [
            (u64::MAX, 1, 0),
            (0, 8, 0),
            ((1 << 61) - 1, 8, 0),
            (1 << 61, 8, 1),
            (u64::MAX, 8, 7),
            (1 << 63, 2, 1),
            (0x8000_0000_0000_0000 - 1, 2, 0),
            (u64::MAX, MAX_BUCKETS, (1 << 20) - 1),
        ];
        for (hash, count, expected) in cases {
            assert_eq!(bucket_of(hash, b(count)), expected, "hash {hash:#x}, {count} buckets");
        }
        // k0's SHA-1: hashlib.sha1(b'k0').hexdigest()[:16]
        assert_eq!(format!("{:016x}", key_hash(0)), "699de12dc3094b06");
    }

    #[test]
    fn nodes_are_addressed_from_the_top() {
        let leaves: Vec<Hash> = (0..6u8).map(|i| leaf_hash(&[i])).collect();
        let t = MerkleTree::build(leaves.clone());
        // 6 leaves: levels of 1, 2, 3, 6 nodes; the third node of level 2 is the pair (4, 5),
        // promoted to level 1 as the root's right child.
        assert_eq!((0..5).map(|l| t.level(l).len()).collect::<Vec<_>>(), vec![1, 2, 3, 6, 0]);
        assert_eq!(t.children(0, 0), vec![0, 1]);
        assert_eq!(t.children(1, 1), vec![2], "promoted: one child");
        assert_eq!(t.node(1, 1), t.node(2, 2));
        assert_eq!(t.children(2, 2), vec![4, 5]);
        assert_eq!(t.children(3, 5), Vec::<usize>::new(), "a leaf");
        assert_eq!(t.children(1, 2), Vec::<usize>::new(), "no such node");
        assert_eq!(t.children(usize::MAX, 0), Vec::<usize>::new());
        assert_eq!(t.node(3, 4), Some(leaves[4]));
        assert_eq!((t.node(3, 6), t.node(4, 0), t.node(usize::MAX, usize::MAX)), (None, None, None));
        assert_eq!(t.node(2, 2), Some(node_hash(&leaves[4], &leaves[5])));
        assert_eq!(t.root(), node_hash(&t.node(1, 0).unwrap(), &t.node(1, 1).unwrap()));
        assert_eq!(t.leaves(), &leaves[..]);
    }

    #[test]
    fn trees_of_different_sizes_are_not_compared() {
        let [a, b, c, _] = abcd();
        let err = diff(&MerkleTree::build(vec![a, b, c]), &MerkleTree::build(vec![a, b, c, c])).unwrap_err();
        assert_eq!(err, "only trees over the same number of buckets can be compared, not 3 and 4 leaves");
        let empty = MerkleTree::build(Vec::new());
        let d = diff(&empty, &empty).unwrap();
        assert_eq!((d.leaves.len(), d.compared, d.rounds), (0, 0, 0));
        let d = diff(&MerkleTree::build(vec![a]), &MerkleTree::build(vec![b])).unwrap();
        assert_eq!((d.leaves, d.compared, d.rounds), (vec![0], 1, 1));
    }

    #[test]
    fn byte_accounting_worked_examples() {
        struct Case {
            leaves: usize,
            differ: &'static [usize],
            per_level: &'static [u64],
            rounds: u32,
            hash_bytes: u64,
            bucket_bytes: u64,
            full_bytes: u64,
        }
        // Every bucket holds 100 encoded bytes on both sides; a hash sent is 20 bytes.
        let cases = [
            // 8 buckets, bucket 3 differs: the root, its two children, the two children of the
            // left one, leaves 2 and 3: 7 hashes sent, 140 bytes; bucket 3 both ways, 200;
            // without a tree both sides send all 8 buckets, 1,600.
            Case {
                leaves: 8,
                differ: &[3],
                per_level: &[1, 2, 2, 2],
                rounds: 4,
                hash_bytes: 140,
                bucket_bytes: 200,
                full_bytes: 1_600,
            },
            // Nothing differs: the roots alone.
            Case {
                leaves: 8,
                differ: &[],
                per_level: &[1, 0, 0, 0],
                rounds: 1,
                hash_bytes: 20,
                bucket_bytes: 0,
                full_bytes: 1_600,
            },
            // Everything differs: the whole tree (15 hashes) and then every bucket anyway, more
            // than without a tree.
            Case {
                leaves: 8,
                differ: &[0, 1, 2, 3, 4, 5, 6, 7],
                per_level: &[1, 2, 4, 8],
                rounds: 4,
                hash_bytes: 300,
                bucket_bytes: 1_600,
                full_bytes: 1_600,
            },
            // Two differ on different sides of the root.
            Case {
                leaves: 8,
                differ: &[0, 7],
                per_level: &[1, 2, 4, 4],
                rounds: 4,
                hash_bytes: 220,
                bucket_bytes: 400,
                full_bytes: 1_600,
            },
            // 3 buckets, c differs: c was promoted to level 1, where comparing it already names
            // leaf 2; its single child is not compared again.
            Case {
                leaves: 3,
                differ: &[2],
                per_level: &[1, 2, 0],
                rounds: 2,
                hash_bytes: 60,
                bucket_bytes: 200,
                full_bytes: 600,
            },
            // 6 buckets, leaf 4 differs: the pair (4, 5) is promoted from level 2 to level 1, so
            // level 2 compares nothing and level 3 compares leaves 4 and 5.
            Case {
                leaves: 6,
                differ: &[4],
                per_level: &[1, 2, 0, 2],
                rounds: 3,
                hash_bytes: 100,
                bucket_bytes: 200,
                full_bytes: 1_200,
            },
        ];
        for c in cases {
            let a: Vec<Hash> = (0..c.leaves as u8).map(|i| leaf_hash(&[i])).collect();
            let mut b = a.clone();
            for &i in c.differ {
                b[i] = leaf_hash(&[i as u8, 0xff]);
            }
            let d = diff(&MerkleTree::build(a), &MerkleTree::build(b)).unwrap();
            let name = format!("{} leaves, {:?} differ", c.leaves, c.differ);
            assert_eq!(d.leaves, c.differ, "{name}");
            assert_eq!(d.compared_per_level, c.per_level, "{name}");
            assert_eq!((d.compared, d.rounds), (c.per_level.iter().sum(), c.rounds), "{name}");
            let sizes = vec![100; c.leaves];
            let x = d.exchange(&sizes, &sizes).unwrap();
            assert_eq!(
                x,
                Exchange {
                    hash_bytes: c.hash_bytes,
                    bucket_bytes: c.bucket_bytes,
                    protocol_bytes: c.hash_bytes + c.bucket_bytes,
                    full_bytes: c.full_bytes,
                },
                "{name}"
            );
            assert!(d.exchange(&sizes[1..], &sizes).is_err());
        }
        let d = diff(&MerkleTree::build(vec![[0; 20]]), &MerkleTree::build(vec![[1; 20]])).unwrap();
        assert_eq!(d.exchange(&[u64::MAX], &[u64::MAX]).unwrap().protocol_bytes, u64::MAX, "saturates");
    }

    fn contents() -> impl Strategy<Value = Vec<(Vec<u8>, Vec<u8>)>> {
        prop::collection::vec(
            (prop::collection::vec(0..4u8, 0..3), prop::collection::vec(0..4u8, 0..3)),
            0..4,
        )
    }

    fn sorted(mut b: Vec<(Vec<u8>, Vec<u8>)>) -> Vec<(Vec<u8>, Vec<u8>)> {
        b.sort();
        b
    }

    fn tree_of(buckets: &[Vec<(Vec<u8>, Vec<u8>)>]) -> MerkleTree {
        let refs: Vec<Vec<(&[u8], &[u8])>> =
            buckets.iter().map(|b| b.iter().map(|(k, v)| (k.as_slice(), v.as_slice())).collect()).collect();
        MerkleTree::from_buckets(&refs)
    }

    proptest! {
        #[test]
        fn diff_finds_exactly_the_buckets_that_differ(
            pairs in prop::collection::vec((contents(), prop::option::weighted(0.1, contents())), 1..300),
        ) {
            let a: Vec<_> = pairs.iter().map(|(x, _)| x.clone()).collect();
            let b: Vec<_> = pairs.iter().map(|(x, y)| y.clone().unwrap_or_else(|| x.clone())).collect();
            let (ta, tb) = (tree_of(&a), tree_of(&b));
            let d = diff(&ta, &tb).unwrap();
            let by_hash: Vec<usize> = (0..a.len()).filter(|&i| ta.leaves()[i] != tb.leaves()[i]).collect();
            let by_content: Vec<usize> =
                (0..a.len()).filter(|&i| sorted(a[i].clone()) != sorted(b[i].clone())).collect();
            prop_assert_eq!(&d.leaves, &by_hash);
            prop_assert_eq!(&d.leaves, &by_content);
            prop_assert_eq!(d.compared_per_level.len(), ta.depth());
            prop_assert!(d.compared <= 2 * a.len() as u64);
            prop_assert_eq!(ta.depth(), (a.len() as f64).log2().ceil() as usize + 1);
            let mirrored = diff(&tb, &ta).unwrap();
            prop_assert_eq!(mirrored, d);
            let same = diff(&ta, &ta).unwrap();
            prop_assert!(same.leaves.is_empty());
            prop_assert_eq!((same.compared, same.rounds), (1, 1));
        }
    }
}
