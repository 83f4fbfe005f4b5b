//! The key-value page's experiments: the notes' claims about quorums run on the simulated
//! cluster, each measured figure beside the figure a model predicts.
//!
//! The model is the WARS model of Probabilistically Bounded Staleness (Bailis, Venkataraman,
//! Franklin, Hellerstein, Stoica, "Probabilistically Bounded Staleness for Practical Partial
//! Quorums", VLDB 2012): a write reaches replica i after W_i and is acknowledged after A_i, a read
//! reaches replica j after R_j and is answered after S_j, all drawn independently from the link's
//! latency distribution; the write commits on the W-th fastest acknowledgement, the read returns
//! the R fastest answers, and it is consistent when one of them had the write. Here it is adapted
//! to this store: the coordinator may itself be a replica (its delays are 0) and the client's hops
//! are counted. The model is evaluated by Monte Carlo, as the paper does; the simulation measures
//! the same quantities on real message exchanges, so agreement checks the simulator.

use super::checker::OpResult;
use super::store::{Key, Versioning};
use super::{ClockActors, Coordinator, KvParams, KvScenario, KvSystem, Probe, Workload, lost_writes};
use crate::estimate::Claim;
use crate::experiment::{Outcome, broken};
use crate::format::{duration_ns, group_digits, significant};
use crate::sim::{Fault, LatencyModel, LatencyPreset, LatencyShape, Micros, NodeId, SECOND, System};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The seed every experiment uses (shown on the page).
pub const SEED: u64 = 2012;

/// The quorum system the WARS model describes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QuorumModel {
    pub latency: LatencyModel,
    pub servers: u32,
    pub n: u32,
    pub w: u32,
    pub r: u32,
    pub coordinator: Coordinator,
}

impl QuorumModel {
    pub fn of(p: &KvParams) -> QuorumModel {
        QuorumModel {
            latency: p.latency,
            servers: p.servers,
            n: p.n,
            w: p.w,
            r: p.r,
            coordinator: p.coordinator,
        }
    }

    /// Which replica (0 .. n) the coordinator is, if it is one.
    fn pick(&self, rng: &mut ChaCha8Rng) -> Option<u32> {
        match self.coordinator {
            Coordinator::Replica => Some(rng.random_range(0..self.n)),
            Coordinator::AnyServer => {
                Some(rng.random_range(0..self.servers.max(self.n))).filter(|&i| i < self.n)
            }
        }
    }

    fn delay(&self, rng: &mut ChaCha8Rng, local: bool) -> u64 {
        if local { 0 } else { self.latency.sample(rng) }
    }

    /// One write: each replica's arrival time, and the commit time (W-th acknowledgement), from
    /// the moment the write reaches its coordinator.
    fn write(&self, rng: &mut ChaCha8Rng) -> (Vec<u64>, u64) {
        let coord = self.pick(rng);
        let mut arrive = Vec::with_capacity(self.n as usize);
        let mut acked = Vec::with_capacity(self.n as usize);
        for i in 0..self.n {
            let local = coord == Some(i);
            let w = self.delay(rng, local);
            let a = self.delay(rng, local);
            arrive.push(w);
            acked.push(w + a);
        }
        acked.sort_unstable();
        (arrive, acked[(self.w as usize).clamp(1, acked.len()) - 1])
    }

    /// One read reaching its coordinator at `at`: whether one of the R first answers came from a
    /// replica that had the write (`arrive[j] <= when the read reached j`), and when the R-th
    /// answer came (after `at`).
    fn read(&self, rng: &mut ChaCha8Rng, at: u64, arrive: &[u64]) -> (bool, u64) {
        let coord = self.pick(rng);
        let mut answers: Vec<(u64, bool)> = (0..self.n)
            .map(|j| {
                let local = coord == Some(j);
                let r = self.delay(rng, local);
                let s = self.delay(rng, local);
                (r + s, arrive[j as usize] <= at + r)
            })
            .collect();
        answers.sort_by_key(|a| a.0);
        let first = &answers[..(self.r as usize).clamp(1, answers.len())];
        (first.iter().any(|a| a.1), first.last().map_or(0, |a| a.0))
    }

    /// The probability that a read issued `t_us` after the writer saw its acknowledgement
    /// returns the write (or something newer), by Monte Carlo over `samples` trials.
    pub fn consistency(&self, t_us: Micros, samples: u32, seed: u64) -> f64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut ok = 0u32;
        for _ in 0..samples {
            let (arrive, commit) = self.write(&mut rng);
            let reply = self.latency.sample(&mut rng);
            let request = self.latency.sample(&mut rng);
            let (consistent, _) = self.read(&mut rng, commit + reply + t_us + request, &arrive);
            ok += u32::from(consistent);
        }
        f64::from(ok) / f64::from(samples.max(1))
    }

    /// The median client-side latency of reads and of writes, in microseconds, by Monte Carlo.
    pub fn medians(&self, samples: u32, seed: u64) -> (f64, f64) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (mut reads, mut writes) = (Vec::new(), Vec::new());
        for _ in 0..samples {
            let hops = self.latency.sample(&mut rng) + self.latency.sample(&mut rng);
            let (_, commit) = self.write(&mut rng);
            writes.push(hops + commit);
            let hops = self.latency.sample(&mut rng) + self.latency.sample(&mut rng);
            let (_, answered) = self.read(&mut rng, 0, &vec![0; self.n as usize]);
            reads.push(hops + answered);
        }
        let median = |mut v: Vec<u64>| {
            v.sort_unstable();
            v.get(v.len() / 2).copied().unwrap_or(0) as f64
        };
        (median(reads), median(writes))
    }
}

/// What a workload run measured.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadRun {
    pub reads: u64,
    pub stale: u64,
    pub writes_acked: u64,
    pub lost: usize,
    pub sibling_reads: u64,
    pub read_p50: u64,
    pub write_p50: u64,
    pub read_p99: u64,
    pub write_p99: u64,
}

impl WorkloadRun {
    pub fn stale_share(&self) -> f64 {
        if self.reads == 0 { 0.0 } else { self.stale as f64 / self.reads as f64 }
    }
}

/// The experiments' cluster: 5 servers, 4 clients sending 400 requests a second (half writes)
/// over 20 keys with Zipf popularity, links with a Pareto tail around the data-centre round trip.
pub fn experiment_params(n: u32, w: u32, r: u32) -> KvParams {
    KvParams {
        n,
        w,
        r,
        latency: LatencyPreset::SameDatacenter.model(LatencyShape::Pareto),
        workload: Workload {
            clients: 4,
            ops_per_s: 400.0,
            write_share: 0.5,
            read_before_write: true,
            keys: 20,
            zipf: 1.0,
            absent_share: 0.0,
            probe: None,
        },
        ..KvParams::default()
    }
}

/// Runs `params` for `seconds` of simulated time and summarises what the checker found.
pub fn run_workload(
    params: KvParams,
    seed: u64,
    seconds: u64,
    faults: &[(Micros, Fault)],
) -> Result<WorkloadRun, String> {
    let mut s = KvScenario::new(seed, params);
    for (t, f) in faults {
        s.schedule.push(crate::sim::Scheduled {
            when: crate::sim::When::At(*t),
            action: crate::sim::Action::Fault(f.clone()),
        });
    }
    let mut sim = KvSystem::build(&s)?.with_trace_capacity(0);
    sim.run_until(seconds.saturating_mul(SECOND));
    let o = sim.observer();
    let st = &o.stats;
    Ok(WorkloadRun {
        reads: o.checker.reads_checked,
        stale: o.checker.stale_reads,
        writes_acked: o.checker.writes_acked,
        lost: lost_writes(&sim).len(),
        sibling_reads: st.sibling_reads,
        read_p50: st.read_latency.percentile(50.0).unwrap_or(0),
        write_p50: st.write_latency.percentile(50.0).unwrap_or(0),
        read_p99: st.read_latency.percentile(99.0).unwrap_or(0),
        write_p99: st.write_latency.percentile(99.0).unwrap_or(0),
    })
}

/// One point of the PBS curve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PbsPoint {
    pub t_us: Micros,
    /// Share of probe reads that saw the write, in the simulation.
    pub measured: f64,
    pub reads: u64,
    /// Trials whose write or read failed (a Pareto tail can outlast the quorum timeout).
    pub failed: u64,
    /// The WARS model's probability.
    pub model: f64,
}

/// The delays of the PBS curve, as multiples of the latency model's median one-way delay.
pub const PBS_DELAYS: [f64; 9] = [0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0];

/// The probability of a consistent read `t` after a write (N = 3, R = W = 1 unless `params` say
/// otherwise), measured with the probe on the simulated cluster and predicted by the model.
pub fn pbs_curve(params: &KvParams, trials: u32, seed: u64) -> Result<Vec<PbsPoint>, String> {
    let median = params.latency.median_us().max(1.0);
    let delays: Vec<Micros> = PBS_DELAYS.iter().map(|m| (m * median).round() as Micros).collect();
    let spacing = (median * 40.0).round() as Micros;
    let mut p = params.clone();
    p.workload = Workload {
        clients: 1,
        ops_per_s: 0.0,
        write_share: 0.5,
        read_before_write: false,
        keys: 16,
        zipf: 0.0,
        absent_share: 0.0,
        probe: Some(Probe { delays_us: delays.clone(), trials, spacing_us: spacing }),
    };
    let mut sim = KvSystem::build(&KvScenario::new(seed, p.clone()))?.with_trace_capacity(0);
    while sim.step() {}
    let model = QuorumModel::of(&p);
    Ok(delays
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            let tally = sim.observer().probes.get(&t).copied().unwrap_or_default();
            PbsPoint {
                t_us: t,
                measured: tally.share(),
                reads: tally.reads,
                failed: tally.failed,
                model: model.consistency(t, 40_000, seed + i as u64),
            }
        })
        .collect())
}

fn n(x: u64) -> String {
    group_digits(u128::from(x))
}

fn us(x: f64) -> String {
    duration_ns(x * 1e3)
}

const RUN_SECONDS: u64 = 20;

fn overlapping_quorums() -> Outcome {
    let expected = "0 stale reads";
    match run_workload(experiment_params(3, 2, 2), SEED, RUN_SECONDS, &[]) {
        Err(e) => broken(expected, e),
        Ok(run) => Outcome {
            measured: format!("{} stale reads of {}", n(run.stale), n(run.reads)),
            expected: expected.to_string(),
            reproduced: run.stale == 0 && run.reads > 0,
            detail: format!(
                "N = 3, W = 2, R = 2 (2 + 2 > 3), no faults: 5 servers, 4 clients, 400 requests/s for {RUN_SECONDS} s \
of simulated time over 20 Zipf-popular keys, links with a Pareto tail around 250 µs. A read is stale when it \
returns nothing that covers a write acknowledged before the read began. Seed {SEED}."
            ),
        },
    }
}

fn partial_quorums() -> Outcome {
    let expected = "more than 0 stale reads";
    match run_workload(experiment_params(3, 1, 1), SEED, RUN_SECONDS, &[]) {
        Err(e) => broken(expected, e),
        Ok(run) => Outcome {
            measured: format!(
                "{}% stale ({} of {} reads)",
                significant(run.stale_share() * 100.0, 3),
                n(run.stale),
                n(run.reads)
            ),
            expected: expected.to_string(),
            reproduced: run.stale > 0,
            detail: format!(
                "N = 3, W = 1, R = 1 (1 + 1 ≤ 3), the same cluster and workload, no faults: a read can reach a replica \
the write has not reached yet. Only reads that begin after a write of their key was acknowledged can be \
stale, so the share depends on how often the same key is written and read within a few milliseconds. Seed {SEED}."
            ),
        },
    }
}

fn fast_reads_or_fast_writes() -> Outcome {
    let expected_text =
        "reads faster with R = 1, W = N; writes faster with W = 1, R = N; medians within 10% of the model";
    let a = experiment_params(3, 3, 1);
    let b = experiment_params(3, 1, 3);
    let (ra, rb) = match (
        run_workload(a.clone(), SEED, RUN_SECONDS, &[]),
        run_workload(b.clone(), SEED, RUN_SECONDS, &[]),
    ) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(e), _) | (_, Err(e)) => return broken(expected_text, e),
    };
    let (ma, mb) = (QuorumModel::of(&a).medians(40_000, SEED), QuorumModel::of(&b).medians(40_000, SEED));
    let close = |measured: u64, model: f64| (measured as f64 - model).abs() <= 0.1 * model;
    let reproduced = ra.read_p50 < ra.write_p50
        && rb.write_p50 < rb.read_p50
        && close(ra.read_p50, ma.0)
        && close(ra.write_p50, ma.1)
        && close(rb.read_p50, mb.0)
        && close(rb.write_p50, mb.1);
    Outcome {
        measured: format!(
            "R = 1, W = 3: read {} / write {}; W = 1, R = 3: read {} / write {}",
            us(ra.read_p50 as f64),
            us(ra.write_p50 as f64),
            us(rb.read_p50 as f64),
            us(rb.write_p50 as f64)
        ),
        expected: format!(
            "model medians {} / {} and {} / {} (within 10%)",
            us(ma.0),
            us(ma.1),
            us(mb.0),
            us(mb.1)
        ),
        reproduced,
        detail: format!(
            "Median client-side latency over {RUN_SECONDS} s of the experiments' workload. With R = 1 the coordinator \
(one of the replicas) answers a read from its own copy, so a read costs the client's round trip; W = 3 waits \
for the slower of two replica round trips as well. The 99th percentiles: read {} / write {}, then read {} / \
write {}. Model: PBS's WARS with the coordinator as a replica, 40,000 draws. Seed {SEED}.",
            us(ra.read_p99 as f64),
            us(ra.write_p99 as f64),
            us(rb.read_p99 as f64),
            us(rb.write_p99 as f64)
        ),
    }
}

/// The links of the PBS experiment, which a person chooses: a latency preset (named after the
/// latency numbers) and the shape of the distribution around its one-way delay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PbsLinks {
    pub preset: LatencyPreset,
    pub shape: LatencyShape,
}

impl Default for PbsLinks {
    /// Pareto-tailed data-centre links, like the paper's fits to LinkedIn's and Yammer's latencies.
    fn default() -> PbsLinks {
        PbsLinks { preset: LatencyPreset::SameDatacenter, shape: LatencyShape::Pareto }
    }
}

impl PbsLinks {
    /// Every choice: each preset with each shape.
    pub fn all() -> impl Iterator<Item = PbsLinks> {
        LatencyPreset::ALL
            .into_iter()
            .flat_map(|preset| LatencyShape::ALL.into_iter().map(move |shape| PbsLinks { preset, shape }))
    }

    /// The choice's name in the page's URL: "dc-pareto".
    pub fn id(self) -> String {
        format!("{}-{}", preset_id(self.preset), shape_id(self.shape))
    }

    /// The choice an `id` names, if any.
    pub fn parse(id: &str) -> Option<PbsLinks> {
        PbsLinks::all().find(|l| l.id() == id)
    }

    /// "same data centre, Pareto tail".
    pub fn label(self) -> String {
        format!("{}, {}", self.preset.label(), self.shape.label())
    }

    /// The experiment's cluster: N = 3, R = W = 1, a load balancer in front (any server
    /// coordinates, as in the paper's Cassandra setting), these links, and a quorum timeout of 200
    /// one-way delays (as the cluster panel sets it), so that slow links do not time out.
    pub fn params(self) -> KvParams {
        KvParams {
            coordinator: Coordinator::AnyServer,
            latency: self.preset.model(self.shape),
            timeout_us: (self.preset.one_way_us() * 200).max(1_000),
            ..experiment_params(3, 1, 1)
        }
    }
}

/// A preset's short name in a URL.
pub fn preset_id(preset: LatencyPreset) -> &'static str {
    match preset {
        LatencyPreset::SameRack => "rack",
        LatencyPreset::SameDatacenter => "dc",
        LatencyPreset::CrossRegion => "region",
    }
}

/// A shape's short name in a URL.
pub fn shape_id(shape: LatencyShape) -> &'static str {
    match shape {
        LatencyShape::Constant => "constant",
        LatencyShape::Uniform => "uniform",
        LatencyShape::LogNormal => "lognormal",
        LatencyShape::Pareto => "pareto",
    }
}

/// Trials per delay of the PBS experiment.
pub const PBS_TRIALS: u32 = 600;

fn pbs() -> Outcome {
    let links = PbsLinks::default();
    match pbs_curve(&links.params(), PBS_TRIALS, SEED) {
        Ok(points) => pbs_outcome(&points, links),
        Err(e) => broken(PBS_EXPECTED, e),
    }
}

const PBS_EXPECTED: &str = "the model's curve, every point within 3 standard errors + 1 point";

/// The PBS experiment's verdict on a curve measured over `links` (the page draws the same points).
pub fn pbs_outcome(points: &[PbsPoint], links: PbsLinks) -> Outcome {
    let fits = |p: &PbsPoint| {
        let se = (p.model * (1.0 - p.model) / p.reads.max(1) as f64).sqrt();
        (p.measured - p.model).abs() <= 3.0 * se + 0.01
    };
    let Some(first) = points.first() else { return broken(PBS_EXPECTED, "no delays".to_string()) };
    let listed: Vec<String> = points
        .iter()
        .map(|p| {
            format!(
                "t = {}: {}% (model {}%)",
                us(p.t_us as f64),
                significant(p.measured * 100.0, 3),
                significant(p.model * 100.0, 3)
            )
        })
        .collect();
    Outcome {
        measured: format!("{}% consistent right after the write", significant(first.measured * 100.0, 3)),
        expected: format!("{}% ({PBS_EXPECTED})", significant(first.model * 100.0, 3)),
        reproduced: points.iter().all(fits) && points.iter().all(|p| p.reads > 0),
        detail: format!(
            "N = 3, R = W = 1 on 5 servers, any server coordinating, links {} (median {} one way, quorum timeout \
{}). The probe writes a key, waits t after the acknowledgement, reads it back, {PBS_TRIALS} trials per t: {}. Seed {SEED}.",
            links.label(),
            us(links.params().latency.median_us()),
            us(links.params().timeout_us as f64),
            listed.join("; ")
        ),
    }
}

/// Runs (of each versioning) the last-write-wins experiment sums over.
const LWW_SEEDS: u64 = 3;

fn lww_loses_writes() -> Outcome {
    let expected = "last write wins loses writes; vector clocks with client entries lose none";
    let mut lww = experiment_params(3, 2, 2);
    lww.versioning = Versioning::LastWriteWins;
    let mut vc = experiment_params(3, 2, 2);
    vc.actors = ClockActors::Clients;
    // S1's clock runs 50 ms behind (an NTP-disciplined clock can be off by that much): its
    // writes lose to earlier writes through other servers.
    let skew = [(0, Fault::SetSkew { node: NodeId(0), skew_us: -50_000 })];
    // Summed over several seeds, so that the verdict does not rest on one run's luck.
    let (mut lost, mut acked, mut vc_lost, mut vc_acked, mut siblings) = (0, 0, 0, 0, 0);
    for seed in SEED..SEED + LWW_SEEDS {
        match (
            run_workload(lww.clone(), seed, RUN_SECONDS, &skew),
            run_workload(vc.clone(), seed, RUN_SECONDS, &skew),
        ) {
            (Ok(a), Ok(b)) => {
                (lost, acked) = (lost + a.lost as u64, acked + a.writes_acked);
                (vc_lost, vc_acked, siblings) =
                    (vc_lost + b.lost as u64, vc_acked + b.writes_acked, siblings + b.sibling_reads);
            }
            (Err(e), _) | (_, Err(e)) => return broken(expected, e),
        }
    }
    Outcome {
        measured: format!(
            "{} of {} writes lost with last write wins; {} of {} with vector clocks ({} reads saw siblings)",
            n(lost),
            n(acked),
            n(vc_lost),
            n(vc_acked),
            n(siblings)
        ),
        expected: expected.to_string(),
        reproduced: lost > 0 && vc_lost == 0,
        detail: format!(
            "N = 3, W = 2, R = 2, the experiments' workload for {RUN_SECONDS} s, S1's clock 50 ms behind, seeds {SEED} to \
{}. A write is lost when it was acknowledged, no client had seen it when a later write replaced it, and no replica \
holds it at the end.",
            SEED + LWW_SEEDS - 1
        ),
    }
}

/// The claims the page runs, in the order it shows them.
pub const CLAIMS: [Claim; 5] = [
    Claim {
        claim: "If W + R > N, strong consistency is guaranteed: with no faults, no read returns stale data.",
        source: "The notes, \"Quorum Consensus\"; Gifford, \"Weighted voting for replicated data\", SOSP 1979",
        run: overlapping_quorums,
    },
    Claim {
        claim: "If W + R ≤ N, strong consistency is not guaranteed: some reads return stale data.",
        source: "The notes, \"Quorum Consensus\"",
        run: partial_quorums,
    },
    Claim {
        claim: "R = 1 and W = N optimizes for fast reads; W = 1 and R = N for fast writes.",
        source: "The notes, \"Quorum Consensus\"; model: Bailis et al., PBS, VLDB 2012",
        run: fast_reads_or_fast_writes,
    },
    Claim {
        claim: "With N = 3 and R = W = 1, the chance that a read sees a write grows with the time since it.",
        source: "Bailis et al., \"Probabilistically Bounded Staleness for Practical Partial Quorums\", VLDB 2012",
        run: pbs,
    },
    Claim {
        claim: "Last write wins silently drops concurrent and clock-skewed writes; vector clocks keep them as siblings.",
        source: "The notes, \"Vector Clock\"; Kleppmann, \"Designing Data-Intensive Applications\", ch. 5",
        run: lww_loses_writes,
    },
];

/// The scenario of the determinism checks: Pareto links, three clients, gossip and a sloppy
/// quorum, a crash, loss and a recovery (so hints and their handoff too). Two seconds of it must end with the same trace digest natively and in the browser.
pub fn determinism_scenario() -> KvScenario {
    use crate::sim::{Action, Scheduled, When};
    let mut s = KvScenario::new(
        42,
        KvParams {
            latency: LatencyPreset::SameDatacenter.model(LatencyShape::Pareto),
            workload: Workload { clients: 3, ops_per_s: 300.0, keys: 10, ..Workload::default() },
            gossip: super::GossipParams::on(),
            quorum: super::Quorum::Sloppy,
            ..KvParams::default()
        },
    );
    for (t, f) in [
        (200_000, Fault::Crash { node: NodeId(1) }),
        (800_000, Fault::SetLoss { loss: 0.02 }),
        (1_600_000, Fault::Recover { node: NodeId(1) }),
    ] {
        s.schedule.push(Scheduled { when: When::At(t), action: Action::Fault(f) });
    }
    s
}

/// How many versions each replica holds of `key` in a finished run, for explaining a result.
pub fn key_summary(sim: &crate::sim::Sim<super::KvNode>, key: Key) -> Vec<(String, usize)> {
    super::replica_versions(sim, key)
        .into_iter()
        .map(|(id, _, v)| (sim.name(id).to_string(), v.len()))
        .collect()
}

/// The outcome of a client operation in one word, for tables.
pub fn outcome_word(r: &OpResult) -> &'static str {
    match r {
        OpResult::Read(v) if v.len() > 1 => "siblings",
        OpResult::Read(_) | OpResult::Written(_) => "ok",
        OpResult::Timeout { .. } => "timeout",
        OpResult::NoReply => "no reply",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_is_exact_for_constant_links() {
        // Constant 250 µs links, coordinator a replica: a read with R = 1 is the client's round
        // trip (500 µs); a write with W = 3 adds one replica round trip (1 ms).
        let m = QuorumModel {
            latency: LatencyModel::Constant { us: 250 },
            servers: 5,
            n: 3,
            w: 3,
            r: 1,
            coordinator: Coordinator::Replica,
        };
        assert_eq!(m.medians(100, 1), (500.0, 1_000.0));
        // R = W = 1: the write is at its coordinator at 0 and at the others at 250 µs; the read
        // reaches its coordinator 500 µs after the commit, so it is always consistent.
        assert_eq!(m.consistency(0, 1_000, 1), 1.0);
        // With a load balancer and a coordinator outside the replicas, nothing is faster than a
        // round trip, and reads still always see the write.
        let any = QuorumModel { coordinator: Coordinator::AnyServer, r: 1, w: 1, ..m };
        assert_eq!(any.consistency(0, 1_000, 1), 1.0);
    }

    #[test]
    fn a_slow_replica_makes_a_stale_read_when_the_model_says() {
        // Uniform 0..1000 µs links, W = R = 1, coordinator a replica, t = 0. P(consistent) =
        // 1/3 + 2/3 · P(w ≤ d2 + d3) for independent uniforms: P(w ≤ d2 + d3) = 5/6 (the sum of
        // two uniforms exceeds a third with probability 5/6), so 1/3 + 5/9 = 0.8889.
        let m = QuorumModel {
            latency: LatencyModel::Uniform { min_us: 0, max_us: 1_000 },
            servers: 3,
            n: 3,
            w: 1,
            r: 1,
            coordinator: Coordinator::Replica,
        };
        let p = m.consistency(0, 200_000, 3);
        assert!((p - 8.0 / 9.0).abs() < 0.005, "{p}");
    }

    #[test]
    fn the_simulated_pbs_curve_follows_the_model() {
        let points = pbs_curve(&PbsLinks::default().params(), 300, 5).unwrap();
        assert_eq!(points.len(), PBS_DELAYS.len());
        for p in &points {
            assert_eq!(p.reads + p.failed, 300, "every trial is accounted for");
            let se = (p.model * (1.0 - p.model) / 300.0).sqrt();
            assert!((p.measured - p.model).abs() <= 3.0 * se + 0.01, "{p:?}");
        }
        // The curve rises: staler right after the write than long after it.
        assert!(points[0].model < points[PBS_DELAYS.len() - 1].model);
        assert!(points[PBS_DELAYS.len() - 1].model > 0.99);
    }

    #[test]
    fn the_cross_region_curve_follows_the_model_on_its_own_time_scale() {
        let links = PbsLinks::parse("region-lognormal").unwrap();
        assert_eq!(links.label(), "cross-region, log-normal");
        // 75 ms one way: the delays are multiples of it, and the timeout is 200 of them.
        assert_eq!(links.params().timeout_us, 15_000_000);
        let points = pbs_curve(&links.params(), 300, 5).unwrap();
        let t: Vec<Micros> = points.iter().map(|p| p.t_us).collect();
        assert_eq!(t, [0, 18_750, 37_500, 75_000, 150_000, 300_000, 600_000, 1_200_000, 2_400_000]);
        // Reads that saw the write, of 300 per delay (none failed: the timeout is 15 s).
        let seen: Vec<u64> = points.iter().map(|p| (p.measured * p.reads as f64).round() as u64).collect();
        assert_eq!(seen, [292, 290, 297, 299, 300, 300, 300, 300, 300]);
        assert!(points.iter().all(|p| p.reads == 300 && p.failed == 0));
        // The model: 96.7% right after the write, 99.4% one median delay (75 ms) later, certain
        // from 8 medians (600 ms) on.
        let model: Vec<f64> = points.iter().map(|p| p.model).collect();
        assert_eq!(model[..4], [0.9674, 0.97825, 0.98695, 0.994325]);
        assert_eq!(model[6..], [1.0, 1.0, 1.0]);
        let o = pbs_outcome(&points, links);
        assert!(o.reproduced, "{}", o.detail);
        assert!(
            o.detail.contains("links cross-region, log-normal (median 75 ms one way, quorum timeout 15 s)"),
            "{}",
            o.detail
        );
    }

    #[test]
    fn the_page_reproduces_the_curve_for_every_links_choice() {
        let all: Vec<PbsLinks> = PbsLinks::all().collect();
        assert_eq!(all.len(), 12);
        for links in all {
            assert_eq!(PbsLinks::parse(&links.id()), Some(links));
            let points = pbs_curve(&links.params(), PBS_TRIALS, SEED).unwrap();
            let o = pbs_outcome(&points, links);
            assert!(o.reproduced, "{}: {}", links.id(), o.detail);
        }
        assert_eq!(PbsLinks::default().id(), "dc-pareto");
        assert_eq!(PbsLinks::parse("lan-pareto"), None);
    }

    #[test]
    fn every_claim_is_reproduced() {
        for claim in CLAIMS {
            let o = (claim.run)();
            assert!(
                o.reproduced,
                "{}: measured {} expected {} ({})",
                claim.claim, o.measured, o.expected, o.detail
            );
        }
    }
}
