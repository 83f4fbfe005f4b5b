//! One base62 round trip (encode a 64-bit ID, decode the code back) with our `shortener::base62`
//! and with the `base62` crate's `encode_alternative`/`decode_alternative` (the same `0-9a-zA-Z`
//! alphabet), over the same 10,000 well-spread IDs. One round trip per iteration, so criterion
//! (and `cargo xtask bench`, which lists this group beside the kernels) reports nanoseconds per
//! round trip. `cargo bench -p playground-core --bench base62_vs_crate`.

use criterion::{Criterion, criterion_group, criterion_main};
use playground_core::shortener::base62 as ours;
use rand::{Rng, SeedableRng};
use std::hint::black_box;

fn ids() -> Vec<u64> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(62);
    (0..10_000).map(|_| rng.random::<u64>()).collect()
}

fn round_trips(c: &mut Criterion) {
    let ids = ids();
    let mut group = c.benchmark_group("base62_vs_crate");
    let mut i = 0;
    group.bench_function("ours", |b| {
        b.iter(|| {
            i = (i + 1) % ids.len();
            let code = ours::encode(black_box(ids[i]));
            ours::decode(&code).unwrap_or(0)
        })
    });
    let mut i = 0;
    group.bench_function("base62-crate", |b| {
        b.iter(|| {
            i = (i + 1) % ids.len();
            let code = base62::encode_alternative(black_box(ids[i]));
            base62::decode_alternative(&code).unwrap_or(0)
        })
    });
    group.finish();
}

criterion_group!(benches, round_trips);
criterion_main!(benches);
