//! The Bloom filter core inside headless Chromium (wasm32), where `usize` is 32 bits: a billion
//! keys size to the same 9,585,058,378 bits as natively, the double-hashed positions of an item
//! are the ones worked out by hand, and the first experiment counts exactly the false positives
//! the native test pins (core/src/kv/bloom.rs), so the page shows the same figure everywhere.

use playground_core::kv::bloom::{self, BloomFilter, Sizing};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn sizing_a_billion_keys_does_not_overflow_on_wasm32() {
    assert_eq!(usize::BITS, 32);
    assert_eq!(Sizing::for_items(1_000_000_000, 0.01), Ok(Sizing { bits: 9_585_058_378, hashes: 7 }));
    assert_eq!(Sizing::for_items(10_000, 1e-6), Ok(Sizing { bits: 287_552, hashes: 20 }));
    assert!(BloomFilter::new(9_585_058_378, 7).unwrap_err().contains("more than this page allocates"));
}

#[wasm_bindgen_test]
fn positions_and_the_experiment_match_the_native_run() {
    let filter = BloomFilter::new(1000, 5).unwrap();
    assert_eq!(filter.indices(b"apple").collect::<Vec<_>>(), vec![115, 360, 605, 850, 95]);
    let r = bloom::fpr_experiment(1_000, 0.01, 100_000, bloom::EXPERIMENT_SEED).unwrap();
    assert_eq!(r.point.false_positives, 931);
    assert_eq!(r.point.theory.to_bits(), bloom::false_positive_rate(9_586, 7, 1_000).to_bits());
}
