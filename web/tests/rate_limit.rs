//! The rate-limiting core inside headless Chromium (wasm32): seeded traffic and an experiment run
//! give exactly the figures the native tests pin (core/src/rate_limit/traffic.rs and
//! experiments.rs), down to the bits of a floating-point sum, so a link replays the same run in
//! every browser and natively.

use playground_core::rate_limit::experiments::{CounterErrorParams, CounterErrorRun};
use playground_core::rate_limit::traffic::Pattern;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn seeded_poisson_traffic_matches_the_native_run() {
    let trace = Pattern::Poisson { clients: 10, per_second: 50 }.generate(42, 100_000).unwrap();
    let head: Vec<(u64, u64)> = trace.iter().take(4).map(|r| (r.at, r.client)).collect();
    assert_eq!(head, [(1, 5), (1, 9), (4, 1), (7, 8)]);
    assert_eq!((trace.len(), trace.last().map(|r| (r.at, r.client))), (49_624, Some((99_999, 3))));
}

#[wasm_bindgen_test]
fn the_counter_error_experiment_matches_the_native_run() {
    let params = CounterErrorParams { clients: 50, duration_ms: 120_000, ..CounterErrorParams::default() };
    let mut run = CounterErrorRun::new(params, 3);
    run.advance(usize::MAX);
    assert_eq!((run.total(), run.refused, run.two.wrong(), run.sub.wrong()), (3020, 1798, 16, 3));
    assert_eq!(run.two.rel_error_sum.to_bits(), 4_634_220_442_885_062_543);
}
