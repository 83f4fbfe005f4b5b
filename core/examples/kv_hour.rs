//! Times the simulation target of the engine: a 10-node cluster (10 servers, 10 clients) serving
//! 1,000 operations per simulated second for one simulated hour (the scenario of
//! `playground_core::kernels::kv_bench_scenario`), and prints the wall time, the events run and
//! the cost of one event.
//!
//! `cargo run --profile bench -p playground-core --example kv_hour -- [simulated seconds] [mode]`
//! where mode is `page` (default: a `Run` with the page's bounded trace, digest and snapshots, as
//! the key-value page drives it) or `untraced` (a bare `Sim` with no trace and no digest). Use
//! `--release` instead of `--profile bench` for the site's size-optimised build.

use playground_core::kernels::kv_bench_scenario;
use playground_core::kv::KvSystem;
use playground_core::sim::{Run, SECOND, System};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(3_600);
    let mode = args.next().unwrap_or_else(|| "page".to_string());
    let scenario = kv_bench_scenario();
    let until = seconds * SECOND;
    let start = Instant::now();
    let (steps, digest, stats) = match mode.as_str() {
        "untraced" => {
            let mut sim = KvSystem::build(&scenario).expect("valid").without_trace();
            sim.run_until(until);
            (sim.steps(), sim.digest(), sim.observer().stats.clone())
        }
        _ => {
            let mut run = Run::<KvSystem>::new(scenario).expect("valid");
            run.run_until(until);
            (run.sim().steps(), run.digest(), run.sim().observer().stats.clone())
        }
    };
    let wall = start.elapsed().as_secs_f64();
    let per_event_us = wall * 1e6 / steps.max(1) as f64;
    println!("mode {mode}: {seconds} simulated s, {steps} events, {wall:.2} s wall");
    println!(
        "{per_event_us:.3} µs per event, {:.0} events per second, {:.1} s per simulated hour",
        steps as f64 / wall,
        wall * 3_600.0 / seconds as f64
    );
    println!(
        "reads {} ok / {} failed, writes {} ok / {} failed, digest {digest}",
        stats.reads.ok,
        stats.reads.failed(),
        stats.writes.ok,
        stats.writes.failed()
    );
}
