//! The hot loops that `cargo xtask bench` times, named once so that criterion (natively) and the
//! browser harness (`bench-wasm`) run exactly the same code. Each kernel performs `n` operations
//! and returns a checksum, so the optimiser cannot drop the work.

use crate::estimate;
use crate::ids;

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
