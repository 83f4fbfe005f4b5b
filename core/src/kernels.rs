//! The hot loops that `cargo xtask bench` times, named once so that criterion (natively) and the
//! browser harness (`bench-wasm`) run exactly the same code. Each kernel performs `n` operations
//! and returns a checksum, so the optimiser cannot drop the work.

use crate::estimate;
use crate::hashing;
use crate::ids;
use crate::rate_limit;
use std::sync::OnceLock;

/// A named benchmark kernel: `run(n)` performs `n` operations of the kind `unit` names.
#[derive(Clone, Copy)]
pub struct Kernel {
    pub name: &'static str,
    pub unit: &'static str,
    pub run: fn(u64) -> u64,
}

/// Every kernel, in the order the benchmark table lists them.
pub fn all() -> Vec<Kernel> {
    vec![
        Kernel { name: "estimate/full", unit: "estimate", run: estimate_full },
        Kernel { name: "ids/snowflake", unit: "ID", run: ids_snowflake },
        Kernel { name: "ids/uuid-v4", unit: "UUID", run: ids_uuid_v4 },
        Kernel { name: "ids/uuid-v7", unit: "UUID", run: ids_uuid_v7 },
        Kernel { name: "ids/check", unit: "ID checked", run: ids_check },
        Kernel { name: "hashing/lookup-1000x200", unit: "lookup", run: hashing_lookup },
        Kernel { name: "hashing/lookup-sha1-key", unit: "key", run: hashing_lookup_sha1 },
        Kernel { name: "hashing/lookup-xxh3-key", unit: "key", run: hashing_lookup_xxh3 },
        Kernel { name: "hashing/ring-build", unit: "virtual node", run: hashing_ring_build },
        Kernel { name: "hashing/load-stats", unit: "key", run: hashing_load_stats },
        Kernel { name: "rate_limit/token_bucket", unit: "decision", run: rate_limit_token_bucket },
        Kernel { name: "rate_limit/leaky_bucket", unit: "decision", run: rate_limit_leaky_bucket },
        Kernel { name: "rate_limit/fixed_window", unit: "decision", run: rate_limit_fixed_window },
        Kernel { name: "rate_limit/sliding_log", unit: "decision", run: rate_limit_sliding_log },
        Kernel { name: "rate_limit/sub_windows", unit: "decision", run: rate_limit_sub_windows },
        Kernel { name: "rate_limit/two_windows", unit: "decision", run: rate_limit_two_windows },
        Kernel { name: "sim/kv-event", unit: "event", run: sim_kv_event },
        Kernel { name: "sim/kv-event-untraced", unit: "event", run: sim_kv_event_untraced },
        Kernel { name: "kv/cluster-ms", unit: "simulated ms", run: kv_cluster_ms },
        Kernel { name: "kv/merkle-build-100k", unit: "key", run: kv_merkle_build },
        Kernel { name: "kv/merkle-diff-100k-1pct", unit: "diff", run: kv_merkle_diff },
        Kernel { name: "shortener/base62", unit: "encode + decode", run: shortener_base62 },
        Kernel { name: "shortener/hash-code", unit: "code", run: shortener_hash_code },
        Kernel { name: "shortener/redirect-cached", unit: "redirect", run: shortener_redirect_cached },
        Kernel { name: "bloom/insert", unit: "insert", run: bloom_insert },
        Kernel { name: "bloom/query", unit: "query", run: bloom_query },
    ]
}

/// Parses the default preset's form and works out the whole estimate, `n` times.
fn estimate_full(n: u64) -> u64 {
    let form = estimate::PRESETS[0].form();
    let mut checksum = 0u64;
    for i in 0..n {
        let mut a = form.parse().expect("the default preset is valid");
        a.daily_active_users += i as f64;
        let e = estimate::estimate(&a);
        checksum = checksum.wrapping_add(e.steps().map(|s| s.shown.len() as u64).sum::<u64>());
    }
    checksum
}

/// `n` IDs from one Twitter-layout snowflake worker whose virtual clock moves on one millisecond
/// every 4,096 IDs: the format's ceiling of 4,096,000 IDs a second. The generator keeps up with
/// that ceiling when one ID costs less than 244 ns.
fn ids_snowflake(n: u64) -> u64 {
    let mut worker = ids::Snowflake::new(ids::Layout::twitter(), &[1, 1], ids::ClockPolicy::Refuse)
        .expect("the preset is valid");
    let start = ids::run::DEFAULT_START_UNIX_MS;
    let mut checksum = 0u64;
    for i in 0..n {
        if let ids::Next::Issued(id) = worker.next_id(start + i / 4_096) {
            checksum ^= id;
        }
    }
    checksum
}

/// `n` version 4 UUIDs from a seeded ChaCha8 generator.
fn ids_uuid_v4(n: u64) -> u64 {
    let mut g = ids::uuid::UuidV4Generator::new(n);
    (0..n).fold(0u64, |acc, _| acc ^ g.next_uuid().as_u64_pair().1)
}

/// `n` version 7 UUIDs, 4,096 per virtual millisecond (counter path and new-millisecond path).
fn ids_uuid_v7(n: u64) -> u64 {
    let mut g = ids::uuid::UuidV7Generator::new(n);
    let start = ids::run::DEFAULT_START_UNIX_MS;
    (0..n).fold(0u64, |acc, i| acc ^ g.next_uuid(start + i / 4_096).as_u64_pair().1)
}

/// The uniqueness and ordering checker over `n` snowflake-like IDs from two interleaved workers.
fn ids_check(n: u64) -> u64 {
    let report = ids::checker::check(&interleaved_records(n));
    report.distinct ^ report.k ^ report.out_of_order
}

/// Two workers taking turns, four IDs each per millisecond.
fn interleaved_records(n: u64) -> Vec<ids::checker::Record> {
    (0..n)
        .map(|i| ids::checker::Record {
            generator: (i % 2) as u32,
            at_ms: i / 8,
            id: u128::from(((i / 8) << 22) | ((i % 2) << 12) | ((i % 8) / 2)),
        })
        .collect()
}

/// The benchmark ring: 1,000 servers with 200 virtual nodes each (200,000 positions, SHA-1), built
/// once.
fn hashing_ring() -> &'static hashing::Ring {
    static RING: OnceLock<hashing::Ring> = OnceLock::new();
    RING.get_or_init(|| {
        let servers: Vec<(String, u32)> = (0..1000).map(|i| (format!("server-{i}"), 200)).collect();
        hashing::Ring::build(hashing::HashFn::Sha1, &servers)
            .expect("1,000 servers x 200 virtual nodes is valid")
    })
}

/// SplitMix64 (Steele, Lea and Flood 2014): cheap, well-spread benchmark inputs.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `n` lookups of random, already hashed 160-bit positions on the 1,000 x 200 ring: the binary
/// search with wrap-around alone (the target: under 150 ns natively).
fn hashing_lookup(n: u64) -> u64 {
    let ring = hashing_ring();
    let mut state = n;
    (0..n).fold(0u64, |acc, _| {
        let p = hashing::Position { hi: splitmix64(&mut state), mid: splitmix64(&mut state), lo: 0 };
        acc.wrapping_add(ring.owner(p).map_or(0, |s| s as u64))
    })
}

/// `n` lookups of 8-byte keys including hashing them with SHA-1, on the 1,000 x 200 ring.
fn hashing_lookup_sha1(n: u64) -> u64 {
    hashing_lookup_keys(n, hashing::HashFn::Sha1)
}

/// `n` lookups of 8-byte keys including hashing them with XXH3-64.
fn hashing_lookup_xxh3(n: u64) -> u64 {
    hashing_lookup_keys(n, hashing::HashFn::Xxh3)
}

fn hashing_lookup_keys(n: u64, hash: hashing::HashFn) -> u64 {
    let ring = hashing_ring();
    (0..n).fold(0u64, |acc, i| {
        acc.wrapping_add(ring.owner(hash.position(&i.to_le_bytes())).map_or(0, |s| s as u64))
    })
}

/// Builds rings holding `n` virtual nodes in all (servers of 200 virtual nodes, SHA-1, up to
/// 200,000 per ring): hashing every position and sorting them.
fn hashing_ring_build(n: u64) -> u64 {
    let mut left = n;
    let mut checksum = 0u64;
    let mut round = 0u64;
    while left > 0 {
        let this = left.min(200_000);
        let servers: Vec<(String, u32)> = (0..this.div_ceil(200))
            .map(|i| (format!("r{round}-s{i}"), (this - i * 200).min(200) as u32))
            .collect();
        let ring = hashing::Ring::build(hashing::HashFn::Sha1, &servers).expect("valid servers");
        checksum = checksum.wrapping_add(ring.points()[0].position.hi);
        left -= this;
        round += 1;
    }
    checksum
}

/// The benchmark key set: 1,000,000 keys (XXH3-64 positions, sorted), made once.
fn hashing_keys() -> &'static hashing::KeySet {
    static KEYS: OnceLock<hashing::KeySet> = OnceLock::new();
    KEYS.get_or_init(|| {
        hashing::KeySet::generate(hashing::HashFn::Xxh3, 1_000_000, 42).expect("1 million keys is valid")
    })
}

/// The load statistics of `n` keys (a run of the 1,000,000 sorted keys, repeated as needed) on the
/// 1,000 x 200 ring: the owner of every key by one sweep, keys per server, mean, standard
/// deviation, CV and max/mean. Times 1,000,000 gives the cost of the page's statistics for a
/// million keys.
fn hashing_load_stats(n: u64) -> u64 {
    let ring = hashing_ring();
    let positions = hashing_keys().positions();
    let total = positions.len() as u64;
    let mut left = n;
    let mut checksum = 0u64;
    while left > 0 {
        let this = left.min(total);
        let start = ((n.wrapping_mul(7_919) + left) % (total - this + 1)) as usize;
        let owners = ring.owners_of_sorted(&positions[start..start + this as usize]).expect("not empty");
        let mut counts = vec![0u64; ring.servers().len()];
        for o in owners {
            counts[o as usize] += 1;
        }
        let stats = hashing::LoadStats::of_counts(&counts).expect("1,000 servers");
        checksum = checksum.wrapping_add(stats.max as u64).wrapping_add(stats.cv.to_bits());
        left -= this;
    }
    checksum
}

/// `n` decisions of one rate limiter on a keyed workload: 64 clients in a scrambled order, the
/// clock moving on 1 ms every 4 requests, against a limit of 10 per 100 ms (a bucket of 10 at
/// 100/s). The kernels below differ only in the algorithm; the criterion bench
/// `rate_limit_vs_governor` times the same algorithms on a larger workload next to `governor`.
fn rate_limit_decisions<A: rate_limit::Algorithm>(algorithm: A, n: u64) -> u64 {
    let mut limiter = rate_limit::Keyed::new(algorithm);
    (0..n).fold(0u64, |admitted, i| {
        let client = i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58;
        admitted + limiter.decide(client, i / 4).is_admitted() as u64
    })
}

fn rate_limit_token_bucket(n: u64) -> u64 {
    rate_limit_decisions(rate_limit::TokenBucket::new(10, rate_limit::Rate::per_second(100)), n)
}

fn rate_limit_leaky_bucket(n: u64) -> u64 {
    rate_limit_decisions(rate_limit::LeakyBucket::new(10, rate_limit::Rate::per_second(100)), n)
}

fn rate_limit_fixed_window(n: u64) -> u64 {
    rate_limit_decisions(rate_limit::FixedWindow::new(100, 10), n)
}

fn rate_limit_sliding_log(n: u64) -> u64 {
    rate_limit_decisions(rate_limit::SlidingLog::new(100, 10), n)
}

fn rate_limit_sub_windows(n: u64) -> u64 {
    rate_limit_decisions(rate_limit::SubWindowCounter::new(100, 10, 10), n)
}

fn rate_limit_two_windows(n: u64) -> u64 {
    rate_limit_decisions(rate_limit::TwoWindowCounter::new(100, 10), n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snowflake_kernel_makes_distinct_ids_at_the_ceiling() {
        // Re-run the kernel's loop keeping the IDs: 3 × 4,096 + 5 IDs over 4 virtual milliseconds.
        let mut worker =
            ids::Snowflake::new(ids::Layout::twitter(), &[1, 1], ids::ClockPolicy::Refuse).unwrap();
        let start = ids::run::DEFAULT_START_UNIX_MS;
        let got: Vec<u64> =
            (0..3 * 4_096 + 5).filter_map(|i| worker.next_id(start + i / 4_096).id()).collect();
        assert_eq!(got.len(), 3 * 4_096 + 5, "no request had to wait");
        assert!(got.windows(2).all(|w| w[0] < w[1]), "strictly increasing, so no duplicates");
        let report = ids::checker::check(&interleaved_records(1_000));
        assert_eq!((report.distinct, report.duplicates, report.max_disorder_ms), (1_000, 0, 0));
    }
}

/// The scenario of the simulation target: 10 servers (N = 3, W = R = 2, vector clocks) and 10
/// clients sending 1,000 operations per simulated second (half reads, half read-modify-writes, so
/// 1,500 requests) over 1,000 Zipf-popular keys, data-centre links. `examples/kv_hour.rs` runs
/// one simulated hour of it.
pub fn kv_bench_scenario() -> crate::kv::KvScenario {
    use crate::kv::{KvParams, KvScenario, Workload};
    let params = KvParams {
        servers: 10,
        workload: Workload { clients: 10, ops_per_s: 1_000.0, keys: 1_000, ..Workload::default() },
        ..KvParams::default()
    };
    KvScenario::new(1, params)
}

/// The benchmark cluster, built from [`kv_bench_scenario`].
fn kv_bench_sim() -> crate::sim::Sim<crate::kv::KvNode> {
    use crate::sim::System;
    crate::kv::KvSystem::build(&kv_bench_scenario()).expect("the benchmark cluster is valid")
}

thread_local! {
    // Each kernel keeps one cluster running across calls, so that it measures the steady state
    // of a long run rather than building clusters.
    static KV_TRACED: std::cell::RefCell<Option<crate::sim::Sim<crate::kv::KvNode>>> = const { std::cell::RefCell::new(None) };
    static KV_UNTRACED: std::cell::RefCell<Option<crate::sim::Sim<crate::kv::KvNode>>> = const { std::cell::RefCell::new(None) };
}

/// `n` engine events of the benchmark cluster with the page's trace (50,000 kept entries) and
/// the digest.
fn sim_kv_event(n: u64) -> u64 {
    KV_TRACED.with(|cell| {
        let mut cell = cell.borrow_mut();
        let sim = cell.get_or_insert_with(kv_bench_sim);
        for _ in 0..n {
            sim.step();
        }
        sim.digest() ^ sim.steps()
    })
}

/// `n` engine events of the benchmark cluster with no trace and no digest (how a long run for
/// its figures is done).
fn sim_kv_event_untraced(n: u64) -> u64 {
    KV_UNTRACED.with(|cell| {
        let mut cell = cell.borrow_mut();
        let sim = cell.get_or_insert_with(|| kv_bench_sim().without_trace());
        for _ in 0..n {
            sim.step();
        }
        sim.steps()
    })
}

/// `n` simulated milliseconds of the benchmark cluster without trace: one simulated hour is
/// 3,600,000 of these.
fn kv_cluster_ms(n: u64) -> u64 {
    thread_local! {
        static SIM: std::cell::RefCell<Option<crate::sim::Sim<crate::kv::KvNode>>> = const { std::cell::RefCell::new(None) };
    }
    SIM.with(|cell| {
        let mut cell = cell.borrow_mut();
        let sim = cell.get_or_insert_with(|| kv_bench_sim().without_trace());
        let until = sim.now() + n * crate::sim::MS;
        sim.run_until(until);
        sim.steps()
    })
}

/// Keys of the Merkle benchmark store.
const MERKLE_KEYS: u32 = 100_000;
/// Its buckets: 2^15, about three keys each.
const MERKLE_BUCKETS: u32 = 1 << 15;
/// Keys that differ between the two replicas of the diff benchmark: 1 %.
const MERKLE_CHANGED: u32 = MERKLE_KEYS / 100;

/// Two replicas of a 100,000-key store for the Merkle kernels: every key with one version (a
/// value, a one-entry vector clock, a timestamp, from a seeded ChaCha8), its key hash worked out
/// beforehand; replica B has a newer version of 1,000 keys (1 %) chosen at random. Both trees are
/// built here, outside the timed part.
struct MerkleBench {
    buckets: crate::kv::merkle::Buckets,
    a: Vec<(u64, crate::kv::Key, Vec<crate::kv::Version>)>,
    /// The keys B changed, ascending (read by the kernels' test).
    #[cfg_attr(not(test), allow(dead_code))]
    changed: Vec<crate::kv::Key>,
    tree_a: crate::kv::merkle::MerkleTree,
    tree_b: crate::kv::merkle::MerkleTree,
}

fn merkle_tree_of(
    buckets: crate::kv::merkle::Buckets,
    store: &[(u64, crate::kv::Key, Vec<crate::kv::Version>)],
) -> crate::kv::merkle::MerkleTree {
    crate::kv::merkle::MerkleTree::from_entries(
        buckets,
        store.iter().map(|(h, k, vs)| (*h, (*k, vs.as_slice()))),
    )
}

fn merkle_bench() -> &'static MerkleBench {
    use crate::kv::merkle::{Buckets, key_hash};
    use crate::kv::store::value_id;
    use crate::kv::{VectorClock, Version};
    use rand::{Rng, SeedableRng};
    static BENCH: OnceLock<MerkleBench> = OnceLock::new();
    BENCH.get_or_init(|| {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let version = |rng: &mut rand_chacha::ChaCha8Rng, n: u32| {
            let ts = rng.random_range(0..3_600_000_000u64);
            let mut clock = VectorClock::new();
            clock.raise(rng.random_range(0..10u32), u64::from(n), ts);
            Version { value: value_id(rng.random_range(0..10u32), n), clock, ts }
        };
        let a: Vec<_> = (0..MERKLE_KEYS).map(|k| (key_hash(k), k, vec![version(&mut rng, 1)])).collect();
        // 1,000 distinct keys: the head of a partial Fisher-Yates shuffle.
        let mut keys: Vec<u32> = (0..MERKLE_KEYS).collect();
        for i in 0..MERKLE_CHANGED {
            let j = rng.random_range(u64::from(i)..u64::from(MERKLE_KEYS)) as usize;
            keys.swap(i as usize, j);
        }
        let mut changed = keys[..MERKLE_CHANGED as usize].to_vec();
        changed.sort_unstable();
        let mut b = a.clone();
        for &k in &changed {
            b[k as usize].2 = vec![version(&mut rng, 2)];
        }
        let buckets = Buckets::new(MERKLE_BUCKETS).expect("a power of two");
        let (tree_a, tree_b) = (merkle_tree_of(buckets, &a), merkle_tree_of(buckets, &b));
        MerkleBench { buckets, a, changed, tree_a, tree_b }
    })
}

thread_local! {
    static MERKLE_KEYS_OWED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Building the Merkle tree of a 100,000-key replica (encoding every key's versions, sorting
/// them into 32,768 buckets, hashing the buckets and the 32,767 inner nodes), per key: `n` keys'
/// worth of whole builds. A build covers 100,000 keys, so a call builds `⌊(carried + n) /
/// 100,000⌋` trees and carries the remainder to the next call: the mean over many calls is the
/// cost per key of whole builds (criterion's batch of 1,000 keys builds a tree every 100th call,
/// so its samples are lumpy; the browser runner's doubling `n` is not).
fn kv_merkle_build(n: u64) -> u64 {
    let bench = merkle_bench();
    let owed = MERKLE_KEYS_OWED.get().saturating_add(n);
    MERKLE_KEYS_OWED.set(owed % u64::from(MERKLE_KEYS));
    let mut checksum = 0u64;
    for _ in 0..owed / u64::from(MERKLE_KEYS) {
        let root = merkle_tree_of(bench.buckets, &bench.a).root();
        checksum ^=
            u64::from_be_bytes([root[0], root[1], root[2], root[3], root[4], root[5], root[6], root[7]]);
    }
    checksum
}

/// `n` top-down comparisons of the two 100,000-key replicas' trees (1 % of the keys differ),
/// built beforehand: the differing buckets and the hashes compared.
fn kv_merkle_diff(n: u64) -> u64 {
    let bench = merkle_bench();
    (0..n).fold(0u64, |acc, _| match crate::kv::merkle::diff(&bench.tree_a, &bench.tree_b) {
        Ok(d) => acc.wrapping_add(d.leaves.len() as u64).wrapping_add(d.compared),
        Err(_) => acc,
    })
}

#[cfg(test)]
mod merkle_tests {
    use super::*;
    use crate::kv::merkle::{bucket_of, diff};

    #[test]
    fn the_merkle_kernels_do_the_work_they_name() {
        let bench = merkle_bench();
        assert_eq!((bench.a.len(), bench.changed.len()), (100_000, 1_000));
        assert!(bench.changed.windows(2).all(|w| w[0] < w[1]), "1,000 distinct keys");
        let d = diff(&bench.tree_a, &bench.tree_b).unwrap();
        let mut expected: Vec<usize> =
            bench.changed.iter().map(|&k| bucket_of(bench.a[k as usize].0, bench.buckets)).collect();
        expected.sort_unstable();
        expected.dedup();
        assert_eq!(d.leaves, expected, "exactly the buckets of the changed keys");
        assert_eq!((d.leaf_count, d.rounds), (32_768, 16));
        // 1,000 keys fall in 990 buckets; every level of the tree has some to compare.
        assert_eq!((d.leaves.len(), d.compared), (990, 10_441));
        // Every entry encodes to 52 bytes (4 + 4 key, 4 + 40 one version) on either replica, so the
        // protocol sends 10,441 x 20 bytes of hashes and the 4,023 keys of the 990 buckets both
        // ways (2 x 52 x 4,023), 6.03 % of both replicas sending all 100,000 entries (2 x 52 x
        // 100,000), as the anti-entropy protocol counts it.
        let sizes = crate::kv::merkle::hash_buckets(
            bench.buckets,
            bench.a.iter().map(|(h, k, vs)| (*h, (*k, vs.as_slice()))),
        )
        .bytes;
        let x = d.exchange(&sizes, &sizes).unwrap();
        assert_eq!(
            (x.hash_bytes, x.bucket_bytes, x.protocol_bytes, x.full_bytes),
            (208_820, 418_392, 627_212, 10_400_000)
        );
        assert_eq!(kv_merkle_diff(3), 3 * (d.leaves.len() as u64 + d.compared));
        // 99,999 keys carried build nothing; one more key completes a build of tree A.
        MERKLE_KEYS_OWED.set(0);
        assert_eq!(kv_merkle_build(99_999), 0);
        let root = bench.tree_a.root();
        let first =
            u64::from_be_bytes([root[0], root[1], root[2], root[3], root[4], root[5], root[6], root[7]]);
        assert_eq!(kv_merkle_build(1), first);
        assert_eq!(MERKLE_KEYS_OWED.get(), 0);
    }
}

/// `n` base62 round trips: encode a well-spread 64-bit ID (11 symbols for most), decode it back.
fn shortener_base62(n: u64) -> u64 {
    use crate::shortener::base62;
    let mut state = n;
    let mut checksum = 0u64;
    for _ in 0..n {
        let id = splitmix64(&mut state);
        let code = base62::encode(id);
        checksum ^= base62::decode(&code).unwrap_or(0) ^ code.len() as u64;
    }
    checksum
}

/// `n` hash-prefix codes of 7 symbols for distinct URLs, each checked against the codes taken so
/// far (a `BTreeSet`, as the store's index) and rehashed with a salt on a collision: the work of
/// one shorten request under the hash scheme, without the HTTP around it.
fn shortener_hash_code(n: u64) -> u64 {
    use crate::shortener::service::hash_code_value;
    let mut taken = std::collections::BTreeSet::new();
    let mut checksum = 0u64;
    for i in 0..n {
        let url = format!("https://example.com/article/{i}");
        let mut attempt = 0u32;
        loop {
            let value = hash_code_value(&url, attempt, 7);
            if taken.insert(value) {
                checksum ^= value;
                break;
            }
            attempt += 1;
        }
    }
    checksum
}

/// The benchmark service: 1,000 links (base62 codes) behind a cache that holds them all, warmed,
/// so every redirect is a cache hit. Kept across calls.
fn shortener_bench_service() -> (crate::shortener::Service, Vec<crate::shortener::Request>) {
    use crate::shortener::{Config, Request, Service};
    let config = Config { cache_size: 1_000, burst: 1_000, ..Config::default() };
    let mut service = Service::new(config).expect("the benchmark configuration is valid");
    let start = ids::run::DEFAULT_START_UNIX_MS;
    for i in 0..1_000u64 {
        service.handle(&Request::shorten(&format!("https://example.com/article/{i}"), 1), start + i);
    }
    let requests: Vec<Request> = service.rows().map(|r| Request::get(&format!("/{}", r.code), 2)).collect();
    for r in &requests {
        service.handle(r, start + 1_000);
    }
    (service, requests)
}

thread_local! {
    static SHORTENER: std::cell::RefCell<Option<(crate::shortener::Service, Vec<crate::shortener::Request>)>> =
        const { std::cell::RefCell::new(None) };
}

/// `n` clicks (`GET /{code}`) answered through the cache: route, cache hit, the URL checked again
/// before it is sent, a click counted, the 302 with its `Location` built.
fn shortener_redirect_cached(n: u64) -> u64 {
    SHORTENER.with(|cell| {
        let mut cell = cell.borrow_mut();
        let (service, requests) = cell.get_or_insert_with(shortener_bench_service);
        let now = ids::run::DEFAULT_START_UNIX_MS + 2_000;
        let mut checksum = 0u64;
        for i in 0..n {
            let request = &requests[(i % requests.len() as u64) as usize];
            let handled = service.handle(request, now);
            checksum = checksum
                .wrapping_add(handled.response.status as u64 + handled.touched.cache.unwrap_or(false) as u64);
        }
        checksum
    })
}

#[cfg(test)]
mod shortener_tests {
    use super::*;

    #[test]
    fn the_shortener_kernels_do_the_work_they_name() {
        // Every redirect of the benchmark is a 302 answered from the cache: 302 + 1 each.
        assert_eq!(shortener_redirect_cached(2_000), 2_000 * 303);
        let (service, requests) = shortener_bench_service();
        assert_eq!((service.rows().count(), requests.len()), (1_000, 1_000));
        assert_eq!((service.cache().hits(), service.cache().misses()), (0, 1_000));
        // 1,000 seven-symbol codes never collide here, so the checksum is the XOR of the first tries.
        let expected = (0..1_000u64).fold(0, |acc, i| {
            acc ^ crate::shortener::service::hash_code_value(
                &format!("https://example.com/article/{i}"),
                0,
                7,
            )
        });
        assert_eq!(shortener_hash_code(1_000), expected);
        // Round trips are exact, so the checksum is the XOR of the IDs and the code lengths.
        let mut state = 10;
        let expected = (0..10).fold(0, |acc, _| {
            let id = splitmix64(&mut state);
            acc ^ id ^ crate::shortener::base62::encode(id).len() as u64
        });
        assert_eq!(shortener_base62(10), expected);
    }
}

/// The benchmark Bloom filter: sized for 1,000,000 items at 1 % (m = 9,585,059 bits, 1.2 MB,
/// k = 7), so the bit array is larger than the caches, as on a server.
fn bloom_bench_filter() -> crate::kv::bloom::BloomFilter {
    use crate::kv::bloom::{BloomFilter, Sizing};
    BloomFilter::with_sizing(Sizing::for_items(1_000_000, 0.01).expect("a valid sizing"))
        .expect("1.2 MB is below the allocation cap")
}

thread_local! {
    static BLOOM: std::cell::RefCell<Option<(crate::kv::bloom::BloomFilter, u64)>> =
        const { std::cell::RefCell::new(None) };
}

/// `n` inserts of well-spread 8-byte keys into the benchmark filter (kept across calls, so it
/// fills up; the cost of an insert does not depend on how full the filter is).
fn bloom_insert(n: u64) -> u64 {
    BLOOM.with(|cell| {
        let mut cell = cell.borrow_mut();
        let (filter, state) = cell.get_or_insert_with(|| (bloom_bench_filter(), 0));
        let mut checksum = 0u64;
        for _ in 0..n {
            checksum += filter.insert(&splitmix64(state).to_le_bytes()) as u64;
        }
        checksum + filter.bits_set()
    })
}

/// The query filter: the benchmark filter holding its 1,000,000 items (keys 0 to 999,999), built once.
fn bloom_query_filter() -> &'static crate::kv::bloom::BloomFilter {
    static FILTER: OnceLock<crate::kv::bloom::BloomFilter> = OnceLock::new();
    FILTER.get_or_init(|| {
        let mut filter = bloom_bench_filter();
        for i in 0..1_000_000u64 {
            filter.insert(&i.to_le_bytes());
        }
        filter
    })
}

/// `n` queries of the full filter, alternating between keys it holds ("probably yes", all k bits
/// read) and keys it does not (mostly "no" after a bit or two).
fn bloom_query(n: u64) -> u64 {
    let filter = bloom_query_filter();
    let mut state = n;
    (0..n).fold(0u64, |acc, i| {
        let key =
            if i % 2 == 0 { splitmix64(&mut state) % 1_000_000 } else { 1_000_000 + splitmix64(&mut state) };
        acc + filter.contains(&key.to_le_bytes()) as u64
    })
}

#[cfg(test)]
mod bloom_tests {
    use super::*;

    #[test]
    fn the_bloom_kernels_do_the_work_they_name() {
        // Half the queries are for held keys (always yes); the other half say yes about 1 % of
        // the time (the filter is sized for exactly what it holds).
        let yes = bloom_query(20_000);
        assert!((10_000..10_300).contains(&yes), "{yes}");
        // 1,000 inserts into an empty 9.6-million-bit filter: each sets new bits (checksum 1,000),
        // 7 each bar a few of the 7,000 landing on a bit already set (about 2.6 expected).
        let checksum = bloom_insert(1_000);
        assert!((1_000 + 6_990..=1_000 + 7_000).contains(&checksum), "{checksum}");
    }
}
