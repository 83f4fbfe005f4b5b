//! The browser half of `cargo xtask bench`: runs every kernel of `playground_core::kernels` in the
//! page, timed with `performance.now()`, and returns nanoseconds per operation as JSON.

use std::collections::BTreeMap;
use std::hint::black_box;
use wasm_bindgen::prelude::*;

/// How long each kernel is timed, at least.
const MIN_MS: f64 = 300.0;

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Runs every kernel with a doubling operation count until one run lasts `MIN_MS`, and returns
/// `{"kernel name": ns per operation}` as a JSON string.
#[wasm_bindgen]
pub fn run_kernels() -> String {
    let mut results = BTreeMap::new();
    for kernel in playground_core::kernels::all() {
        black_box((kernel.run)(black_box(1))); // warm-up
        let mut n: u64 = 1;
        let per_op = loop {
            let start = now_ms();
            black_box((kernel.run)(black_box(n)));
            let elapsed = now_ms() - start;
            if elapsed >= MIN_MS || n >= 1 << 40 {
                break elapsed * 1e6 / n as f64;
            }
            n *= 2;
        };
        results.insert(kernel.name, per_op);
    }
    serde_json::to_string(&results).unwrap_or_else(|_| "{}".to_string())
}
