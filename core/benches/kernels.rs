//! Criterion benchmarks of every kernel in `playground_core::kernels`, natively. `cargo xtask bench`
//! reads the results and prints them beside the same kernels timed in headless Chromium.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

/// Operations per criterion iteration: large enough that the loop overhead vanishes.
const BATCH: u64 = 1_000;

fn kernels(c: &mut Criterion) {
    let mut group = c.benchmark_group("kernels");
    group.throughput(Throughput::Elements(BATCH));
    for kernel in playground_core::kernels::all() {
        group.bench_function(kernel.name, |b| b.iter(|| (kernel.run)(black_box(BATCH))));
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(2));
    targets = kernels
}
criterion_main!(benches);
