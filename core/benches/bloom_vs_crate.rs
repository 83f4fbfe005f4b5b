//! One Bloom filter insert and one query with our `kv::bloom::BloomFilter` and with the
//! `fastbloom` crate (SipHash-1-3 by default; also with XXH3 as its hasher, to compare the filters
//! rather than the hashes), with the same m and k: sized for 1,000,000 items at 1 % (m = 9,585,059
//! bits, k = 7), over the same 100,000 well-spread 8-byte keys. The query filters hold 1,000,000
//! keys; half the queries ask for a held key, half for one never added. One operation per
//! iteration, so criterion reports nanoseconds per insert or query.
//! `cargo bench -p playground-core --bench bloom_vs_crate`.

use criterion::{Criterion, criterion_group, criterion_main};
use fastbloom::BloomFilter as Fast;
use playground_core::kv::bloom::{BloomFilter, Sizing};
use rand::{Rng, SeedableRng};
use std::hint::black_box;

const HELD: u64 = 1_000_000;

fn keys() -> Vec<[u8; 8]> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    (0..100_000)
        .map(|i| {
            // Even positions: a held key (below HELD); odd: a key never added.
            let key = if i % 2 == 0 { rng.random_range(0..HELD) } else { HELD + rng.random::<u32>() as u64 };
            key.to_le_bytes()
        })
        .collect()
}

fn sizing() -> Sizing {
    Sizing::for_items(HELD, 0.01).expect("a valid sizing")
}

fn ours() -> BloomFilter {
    BloomFilter::with_sizing(sizing()).expect("below the cap")
}

fn fast_sip() -> Fast {
    let s = sizing();
    Fast::with_num_bits(s.bits as usize).seed(&42).hashes(s.hashes)
}

fn fast_xxh3() -> Fast<xxhash_rust::xxh3::Xxh3DefaultBuilder> {
    let s = sizing();
    Fast::with_num_bits(s.bits as usize).hasher(xxhash_rust::xxh3::Xxh3DefaultBuilder).hashes(s.hashes)
}

fn bench(c: &mut Criterion) {
    let keys = keys();
    let held: Vec<[u8; 8]> = (0..HELD).map(|i| i.to_le_bytes()).collect();

    let mut group = c.benchmark_group("bloom_vs_crate/insert");
    let (mut f, mut i) = (ours(), 0);
    group.bench_function("ours", |b| {
        b.iter(|| {
            i = (i + 1) % keys.len();
            f.insert(black_box(&keys[i]))
        })
    });
    let (mut f, mut i) = (fast_sip(), 0);
    group.bench_function("fastbloom-sip13", |b| {
        b.iter(|| {
            i = (i + 1) % keys.len();
            f.insert(black_box(&keys[i][..]))
        })
    });
    let (mut f, mut i) = (fast_xxh3(), 0);
    group.bench_function("fastbloom-xxh3", |b| {
        b.iter(|| {
            i = (i + 1) % keys.len();
            f.insert(black_box(&keys[i][..]))
        })
    });
    group.finish();

    let mut group = c.benchmark_group("bloom_vs_crate/query");
    let mut f = ours();
    held.iter().for_each(|k| {
        f.insert(k);
    });
    let mut i = 0;
    group.bench_function("ours", |b| {
        b.iter(|| {
            i = (i + 1) % keys.len();
            f.contains(black_box(&keys[i]))
        })
    });
    let mut f = fast_sip();
    held.iter().for_each(|k| {
        f.insert(&k[..]);
    });
    let mut i = 0;
    group.bench_function("fastbloom-sip13", |b| {
        b.iter(|| {
            i = (i + 1) % keys.len();
            f.contains(black_box(&keys[i][..]))
        })
    });
    let mut f = fast_xxh3();
    held.iter().for_each(|k| {
        f.insert(&k[..]);
    });
    let mut i = 0;
    group.bench_function("fastbloom-xxh3", |b| {
        b.iter(|| {
            i = (i + 1) % keys.len();
            f.contains(black_box(&keys[i][..]))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
