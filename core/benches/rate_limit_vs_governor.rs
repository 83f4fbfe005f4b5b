//! Time per decision of every rate-limiting algorithm on one keyed workload, and of the `governor`
//! crate's GCRA (the reference for our token bucket: same burst, same rate) on the same workload,
//! driven by governor's fake clock so the run is deterministic. One decision per iteration, so
//! criterion (and `cargo xtask bench`, which lists this group beside the kernels) reports
//! nanoseconds per decision.
//!
//! The workload: 100,000 requests from 1,000 clients chosen at random, time advancing by 0 to 3 ms
//! between requests (so many share a millisecond), limits of 10 per 100 ms window (a bucket of 10
//! refilled at 100/s). `cargo bench -p playground-core --bench rate_limit_vs_governor`.

use criterion::{Criterion, criterion_group, criterion_main};
use governor::{Quota, RateLimiter, clock::FakeRelativeClock};
use playground_core::rate_limit::{
    FixedWindow, Keyed, LeakyBucket, Rate, SlidingLog, SubWindowCounter, TokenBucket, TwoWindowCounter,
};
use rand::{Rng, SeedableRng};
use std::hint::black_box;
use std::num::NonZeroU32;
use std::time::Duration;

const REQUESTS: usize = 100_000;
const CLIENTS: u64 = 1_000;

/// (client, time in ms), time non-decreasing.
fn workload() -> Vec<(u64, u64)> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2024);
    let mut now = 0;
    (0..REQUESTS)
        .map(|_| {
            now += rng.random_range(0..4u64);
            (rng.random_range(0..CLIENTS), now)
        })
        .collect()
}

/// Runs one of our limiters over the workload; returns how many were admitted.
fn ours<A: playground_core::rate_limit::Algorithm>(algorithm: A, work: &[(u64, u64)]) -> u64 {
    let mut limiter = Keyed::new(algorithm);
    let mut admitted = 0;
    for &(client, now) in work {
        admitted += limiter.decide(black_box(client), black_box(now)).is_admitted() as u64;
    }
    admitted
}

/// Runs governor's keyed GCRA (a mutex-guarded std HashMap) over the workload.
fn governor_gcra(work: &[(u64, u64)]) -> u64 {
    let clock = FakeRelativeClock::default();
    let quota = Quota::per_second(NonZeroU32::new(100).unwrap()).allow_burst(NonZeroU32::new(10).unwrap());
    let limiter = RateLimiter::hashmap_with_clock(quota, clock.clone());
    let mut last = 0;
    let mut admitted = 0;
    for &(client, now) in work {
        if now != last {
            clock.advance(Duration::from_millis(now - last));
            last = now;
        }
        admitted += limiter.check_key(&black_box(client)).is_ok() as u64;
    }
    admitted
}

/// Times one decision per iteration: the limiter keeps its state across iterations and walks the
/// workload round and round, shifted in time on every lap so the clock never goes back.
fn per_decision<A: playground_core::rate_limit::Algorithm>(
    b: &mut criterion::Bencher<'_>,
    algorithm: A,
    work: &[(u64, u64)],
) {
    let mut limiter = Keyed::new(algorithm);
    let mut walk = Walk::new(work);
    b.iter(|| {
        let (client, now) = walk.next();
        limiter.decide(black_box(client), black_box(now)).is_admitted()
    });
}

/// The workload round and round, each lap later than the last (no division per step).
struct Walk<'a> {
    work: &'a [(u64, u64)],
    pos: usize,
    offset: u64,
    lap: u64,
}

impl<'a> Walk<'a> {
    fn new(work: &'a [(u64, u64)]) -> Walk<'a> {
        Walk { work, pos: 0, offset: 0, lap: work.last().map_or(1, |w| w.1 + 1) }
    }

    #[inline]
    fn next(&mut self) -> (u64, u64) {
        let (client, at) = self.work[self.pos];
        let now = at + self.offset;
        self.pos += 1;
        if self.pos == self.work.len() {
            self.pos = 0;
            self.offset += self.lap;
        }
        (client, now)
    }
}

fn rate_limit(c: &mut Criterion) {
    let work = workload();
    let bucket = TokenBucket::new(10, Rate::per_second(100));
    // Same decisions, or the comparison would be meaningless.
    assert_eq!(ours(bucket, &work), governor_gcra(&work), "token bucket and GCRA must agree");

    // One decision per iteration, so `cargo xtask bench` reads nanoseconds per decision.
    let mut group = c.benchmark_group("rate_limit");
    group.bench_function("token_bucket", |b| per_decision(b, bucket, &work));
    group.bench_function("governor_gcra", |b| {
        let clock = FakeRelativeClock::default();
        let quota =
            Quota::per_second(NonZeroU32::new(100).unwrap()).allow_burst(NonZeroU32::new(10).unwrap());
        let limiter = RateLimiter::hashmap_with_clock(quota, clock.clone());
        let mut walk = Walk::new(&work);
        let mut last = 0u64;
        b.iter(|| {
            let (client, now) = walk.next();
            if now != last {
                clock.advance(Duration::from_millis(now - last));
                last = now;
            }
            limiter.check_key(&black_box(client)).is_ok()
        });
    });
    group.bench_function("leaky_bucket", |b| {
        per_decision(b, LeakyBucket::new(10, Rate::per_second(100)), &work)
    });
    group.bench_function("fixed_window", |b| per_decision(b, FixedWindow::new(100, 10), &work));
    group.bench_function("sliding_log", |b| per_decision(b, SlidingLog::new(100, 10), &work));
    group
        .bench_function("sub_window_counter", |b| per_decision(b, SubWindowCounter::new(100, 10, 10), &work));
    group.bench_function("two_window_counter", |b| per_decision(b, TwoWindowCounter::new(100, 10), &work));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    targets = rate_limit
}
criterion_main!(benches);
