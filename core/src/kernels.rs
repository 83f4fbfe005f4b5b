//! The hot loops that `cargo xtask bench` times, named once so that criterion (natively) and the
//! browser harness (`bench-wasm`) run exactly the same code. Each kernel performs `n` operations
//! and returns a checksum, so the optimiser cannot drop the work.

use crate::estimate;

/// A named benchmark kernel: `run(n)` performs `n` operations of the kind `unit` names.
#[derive(Clone, Copy)]
pub struct Kernel {
    pub name: &'static str,
    pub unit: &'static str,
    pub run: fn(u64) -> u64,
}

/// Every kernel, in the order the benchmark table lists them.
pub fn all() -> Vec<Kernel> {
    vec![Kernel { name: "estimate/full", unit: "estimate", run: estimate_full }]
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
