//! The key-value store's simulation inside headless Chromium (wasm32): two simulated seconds of
//! core's determinism scenario end with exactly the trace digest and event count that the native
//! test pins (core/src/kv/tests.rs), so a permalink replays the same run in every browser.

use playground_core::kv::KvSystem;
use playground_core::kv::experiments::determinism_scenario;
use playground_core::sim::System;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn the_determinism_scenario_has_the_native_digest() {
    let mut sim = KvSystem::build(&determinism_scenario()).unwrap();
    sim.run_until(2_000_000);
    assert_eq!((sim.digest(), sim.steps()), (9_336_828_246_780_223_920, 5_957));
}
