//! The key-value store of the notes ("Key-Value Store"): a Dynamo-style cluster on the
//! consistent-hashing ring, running on the simulation engine. The read and write path:
//! partitioning and replication on the ring, quorum reads and writes (N, W, R) with timeouts,
//! versioning with vector clocks (siblings, resolution by the client's next write, pruning) or
//! last-write-wins, read repair, a seeded client workload, and a consistency checker that flags
//! stale reads and lost writes. Under failure: gossip failure detection, sloppy quorum with
//! hinted handoff, anti-entropy with Merkle trees, and a Bloom filter in front of each server's
//! disk on the read path.
//!
//! - [`clock`]: vector clocks (compare, merge, prune), with the notes' examples as tests.
//! - [`gossip`]: membership lists, heartbeats, suspicion and the spreading of "down".
//! - [`store`]: a replica's versions and the two ways of folding a new one in.
//! - [`merkle`]: the Merkle tree of anti-entropy (buckets, build, top-down diff, bytes exchanged).
//! - [`anti_entropy`]: the sessions in which two replicas compare trees and swap what differs.
//! - [`node`]: servers (replica and coordinator) and clients, and their messages.
//! - [`checker`]: stale reads and lost writes over the history of client operations.
//! - [`observe`]: what the run records for the page.
//! - [`experiments`]: the notes' claims about quorums, measured.
//! - [`failure_experiments`]: detection time, false positives, sloppy quorum and handoff, measured.
//! - [`bloom`]: the Bloom filter of the read path ("Fast Lookup"): sizing, the filter, its
//!   measured false-positive rate, and the Bloom filter page's demo and experiments.
//!
//! Partitioning uses [`crate::hashing::Ring`]: key `k{i}` is stored on `replicas(k{i}, N)`, the
//! next N distinct servers clockwise from the key's SHA-1 position (the notes: "copy data onto the
//! next three unique servers towards the clockwise direction").

pub mod anti_entropy;
pub mod bloom;
pub mod checker;
pub mod clock;
pub mod experiments;
pub mod failure_experiments;
pub mod gossip;
pub mod merkle;
pub mod node;
pub mod observe;
pub mod store;

#[cfg(test)]
mod failure_tests;
#[cfg(test)]
mod tests;

pub use anti_entropy::AntiEntropyParams;
pub use checker::{Checker, LostWrite, OpRecord, OpResult, Report, StaleRead};
pub use clock::{Causality, VectorClock};
pub use gossip::{GossipParams, Status};
pub use node::{KvInput, KvMsg, KvNode, KvTimer};
pub use observe::{KvObserver, KvStats, Tally};
pub use store::{Key, ValueId, Version, Versioning};

use crate::hashing::{HashFn, Ring};
use crate::sim::{LatencyModel, LatencyPreset, LatencyShape, Micros, Network, NodeId, Scenario, Sim, System};
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// Limits on the parameters, so that any link or slider gives a run that fits in a browser tab.
pub const MAX_SERVERS: u32 = 32;
pub const MAX_CLIENTS: u32 = 32;
pub const MAX_N: u32 = 7;
pub const MAX_KEYS: u32 = 100_000;
pub const MAX_OPS_PER_S: f64 = 100_000.0;
pub const MAX_VNODES: u32 = 256;

/// Whose counter a write advances in the vector clock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockActors {
    /// The coordinating server (the notes' `[Si, Vi]`, Dynamo). Two clients racing through the
    /// same coordinator get ordered clocks: one write silently replaces the other.
    #[default]
    Servers,
    /// The writing client (early Riak's client ids): every race becomes siblings.
    Clients,
}

/// Which server a client sends a request to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coordinator {
    /// One of the key's N replicas, at random (Dynamo's partition-aware client): the
    /// coordinator's own copy answers at once.
    #[default]
    Replica,
    /// Any server, at random (a load balancer in front, as with Cassandra): most coordinators
    /// hold no copy and wait for the network, the setting the PBS paper models.
    AnyServer,
}

/// Which servers a coordinator sends a key's reads and writes to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quorum {
    /// The key's N replicas, up or not: with fewer than W (or R) of them reachable the request
    /// times out.
    #[default]
    Strict,
    /// The first N servers on the ring walk that the coordinator believes healthy (the notes'
    /// "Sloppy Quorum"): a server standing in for a down replica keeps the write with a hint
    /// naming that replica, and hands it off when it sees the replica up again. Needs gossip.
    Sloppy,
}

impl Quorum {
    pub fn label(self) -> &'static str {
        match self {
            Quorum::Strict => "strict",
            Quorum::Sloppy => "sloppy",
        }
    }
}

/// Each server's disk: what a read of a key from it costs, and whether a Bloom filter of the
/// keys on it is checked first (the notes' "Fast Lookup"; Bigtable and Cassandra keep one per
/// on-disk table). The filter holds every key the server ever stored (it cannot forget) and is
/// sized for the keys the server replicates at the chosen false-positive rate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DiskParams {
    /// Time to read a key's versions from disk; 0 simulates no disk (reads are answered from
    /// memory at once).
    pub read_us: Micros,
    pub bloom: bool,
    /// The filter's false-positive rate at its design load.
    pub bloom_fpr: f64,
}

impl Default for DiskParams {
    /// No disk; when one is simulated, a filter at 1 %.
    fn default() -> DiskParams {
        DiskParams { read_us: 0, bloom: false, bloom_fpr: 0.01 }
    }
}

/// The random read of 4 KB from an SSD in the latency numbers (hellerbarde's gist): 150 µs.
pub const SSD_READ_US: Micros = 150;

/// The PBS probe: client C1 writes a key, waits for the acknowledgement, waits `delay`, reads the
/// key back and records whether the read saw the write; `trials` times for every delay, one trial
/// after another with `spacing_us` between them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Probe {
    pub delays_us: Vec<Micros>,
    pub trials: u32,
    pub spacing_us: Micros,
}

/// The clients' seeded workload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Workload {
    /// Client nodes, each sending an independent Poisson stream of requests.
    pub clients: u32,
    /// Requests per simulated second, all clients together.
    pub ops_per_s: f64,
    /// The share of requests that are writes.
    pub write_share: f64,
    /// Whether a write is a read-modify-write (get, then put with the context the get returned,
    /// as Dynamo's clients do) rather than a blind put with whatever context the client last had.
    pub read_before_write: bool,
    /// Keys `k0 .. k{keys-1}`.
    pub keys: u32,
    /// Key popularity: 0 for uniform, otherwise Zipf with this exponent (key `k0` the hottest).
    pub zipf: f64,
    /// The share of reads that ask for a key nobody writes, one of `k{keys}` to `k{2·keys - 1}`
    /// at random (what a Bloom filter on the read path is for).
    pub absent_share: f64,
    /// Replace client C1's workload by the PBS probe.
    pub probe: Option<Probe>,
}

impl Default for Workload {
    fn default() -> Workload {
        Workload {
            clients: 4,
            ops_per_s: 200.0,
            write_share: 0.5,
            read_before_write: true,
            keys: 20,
            zipf: 1.0,
            absent_share: 0.0,
            probe: None,
        }
    }
}

/// Everything that defines a cluster (the scenario's `params`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct KvParams {
    pub servers: u32,
    /// Virtual nodes per server on the ring.
    pub vnodes: u32,
    /// Replicas per key.
    pub n: u32,
    /// Acknowledgements a write waits for.
    pub w: u32,
    /// Answers a read waits for.
    pub r: u32,
    /// How long a coordinator waits for its quorum.
    pub timeout_us: Micros,
    pub versioning: Versioning,
    pub actors: ClockActors,
    /// Clock entries kept before the oldest is pruned (Dynamo's threshold: 10).
    pub max_clock_entries: u32,
    pub read_repair: bool,
    pub coordinator: Coordinator,
    pub latency: LatencyModel,
    /// Probability that a message is lost.
    pub loss: f64,
    pub workload: Workload,
    /// Failure detection.
    pub gossip: GossipParams,
    pub quorum: Quorum,
    /// How often a stand-in scans its hints and hands off those whose replica it sees up.
    pub handoff_interval_us: Micros,
    pub anti_entropy: AntiEntropyParams,
    pub disk: DiskParams,
    /// Keep every finished operation (for tests and experiments; the page keeps the newest).
    pub keep_history: bool,
}

impl Default for KvParams {
    fn default() -> KvParams {
        KvParams {
            servers: 5,
            vnodes: 16,
            n: 3,
            w: 2,
            r: 2,
            timeout_us: 50_000,
            versioning: Versioning::VectorClocks,
            actors: ClockActors::Servers,
            max_clock_entries: 10,
            read_repair: true,
            coordinator: Coordinator::Replica,
            latency: LatencyPreset::SameDatacenter.model(LatencyShape::LogNormal),
            loss: 0.0,
            workload: Workload::default(),
            gossip: GossipParams::default(),
            quorum: Quorum::Strict,
            handoff_interval_us: 1_000_000,
            anti_entropy: AntiEntropyParams::default(),
            disk: DiskParams::default(),
            keep_history: false,
        }
    }
}

impl KvParams {
    /// Whether W + R > N: every read quorum overlaps every write quorum.
    pub fn overlapping(&self) -> bool {
        self.w + self.r > self.n
    }

    /// Checks every parameter; the message says what to change.
    pub fn validate(&self) -> Result<(), String> {
        let p = self;
        let w = &p.workload;
        let range = |name: &str, v: u32, lo: u32, hi: u32| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(format!("{name} must be from {lo} to {hi}; got {v}."))
            }
        };
        range("The number of servers", p.servers, 1, MAX_SERVERS)?;
        range("Virtual nodes per server", p.vnodes, 1, MAX_VNODES)?;
        range("N (replicas per key)", p.n, 1, MAX_N.min(p.servers))?;
        range("W (write acknowledgements)", p.w, 1, p.n)?;
        range("R (read answers)", p.r, 1, p.n)?;
        range("The clock length limit", p.max_clock_entries, 1, 64)?;
        range("The number of clients", w.clients, 1, MAX_CLIENTS)?;
        range("The number of keys", w.keys, 1, MAX_KEYS)?;
        if !(1..=60_000_000).contains(&p.timeout_us) {
            return Err(format!("The quorum timeout must be from 1 µs to 60 s; got {} µs.", p.timeout_us));
        }
        p.latency.validate()?;
        p.gossip.validate(p.servers)?;
        p.anti_entropy.validate()?;
        if !(1_000..=600_000_000).contains(&p.handoff_interval_us) {
            return Err(format!(
                "The hinted-handoff interval must be from 1 ms to 600 s; got {} µs.",
                p.handoff_interval_us
            ));
        }
        if p.quorum == Quorum::Sloppy && !p.gossip.enabled {
            return Err(
                "A sloppy quorum takes the first healthy servers, so it needs gossip to tell which are \
                        healthy: turn gossip on, or choose the strict quorum."
                    .to_string(),
            );
        }
        if !(p.loss.is_finite() && (0.0..=1.0).contains(&p.loss)) {
            return Err(format!("Message loss is a probability from 0 to 1; got {}.", p.loss));
        }
        if !(w.ops_per_s.is_finite() && (0.0..=MAX_OPS_PER_S).contains(&w.ops_per_s)) {
            return Err(format!(
                "The request rate must be from 0 to 100,000 per second; got {}.",
                w.ops_per_s
            ));
        }
        if !(w.write_share.is_finite() && (0.0..=1.0).contains(&w.write_share)) {
            return Err(format!("The share of writes must be from 0 to 1; got {}.", w.write_share));
        }
        if !(w.absent_share.is_finite() && (0.0..=1.0).contains(&w.absent_share)) {
            return Err(format!(
                "The share of reads for missing keys must be from 0 to 1; got {}.",
                w.absent_share
            ));
        }
        if p.disk.read_us > 1_000_000 {
            return Err(format!("A disk read must take at most 1 s; got {} µs.", p.disk.read_us));
        }
        if !(p.disk.bloom_fpr.is_finite() && (1e-9..1.0).contains(&p.disk.bloom_fpr)) {
            return Err(format!(
                "The Bloom filter's false-positive rate must be from 0.000000001 to below 1 (say 0.01); got {}.",
                p.disk.bloom_fpr
            ));
        }
        if !(w.zipf.is_finite() && (0.0..=3.0).contains(&w.zipf)) {
            return Err(format!("The Zipf exponent must be from 0 (uniform) to 3; got {}.", w.zipf));
        }
        if let Some(probe) = &w.probe {
            if probe.delays_us.is_empty() || probe.delays_us.len() > 64 {
                return Err("The probe needs 1 to 64 delays.".to_string());
            }
            if probe.trials == 0 || u64::from(probe.trials) * probe.delays_us.len() as u64 > 1_000_000 {
                return Err("The probe needs 1 to 1,000,000 trials in all.".to_string());
            }
            if probe.delays_us.iter().chain([&probe.spacing_us]).any(|&d| d > 60_000_000) {
                return Err("Probe delays and spacing must be at most 60 s.".to_string());
            }
        }
        Ok(())
    }
}

/// What every node of a run shares and never changes: the parameters, the ring, each key's
/// preference list, the key popularity.
#[derive(Clone, Debug)]
pub struct Cluster {
    pub params: KvParams,
    pub ring: Ring,
    /// For every key, its N replicas in clockwise order (node ids of servers).
    pub prefs: Vec<Vec<NodeId>>,
    /// For every key, every server in the order of the clockwise walk from the key (server
    /// indices, `servers` of them per key): the N replicas first, then the stand-ins a sloppy
    /// quorum takes.
    walks: Vec<u8>,
    /// With anti-entropy on: every key's 64-bit hash (which Merkle bucket it falls in).
    pub(crate) key_hashes: Vec<u64>,
    /// With anti-entropy on, for every pair of servers (a < b, at `a · servers + b`) the keys both
    /// replicate.
    shared: Vec<Vec<Key>>,
    /// Cumulative key popularity (empty for uniform).
    key_cdf: Vec<f64>,
    /// Mean gap between one client's requests, in microseconds (0: no workload).
    arrival_gap_us: f64,
    /// How long a client waits for an answer before giving up.
    pub give_up_us: Micros,
}

impl Cluster {
    fn new(params: KvParams) -> Result<Cluster, String> {
        params.validate()?;
        let names: Vec<String> = (0..params.servers).map(server_name).collect();
        let servers: Vec<(&str, u32)> = names.iter().map(|n| (n.as_str(), params.vnodes)).collect();
        let ring = Ring::build(HashFn::Sha1, &servers)?;
        // Ring server index -> node index (the ring keeps its own order of servers).
        let node_of: Vec<u8> = ring
            .servers()
            .iter()
            .map(|s| names.iter().position(|n| *n == s.name).unwrap_or(0) as u8)
            .collect();
        let key_space = key_space(&params.workload);
        let mut walks = Vec::with_capacity(key_space as usize * params.servers as usize);
        let mut prefs: Vec<Vec<NodeId>> = Vec::with_capacity(key_space as usize);
        for k in 0..key_space {
            let position = ring.hash().position(store::key_name(k).as_bytes());
            let walk = ring.clockwise_servers(position).map_err(|e| e.to_string())?;
            if walk.len() != params.servers as usize {
                return Err(format!(
                    "The ring walk from {} met {} of {} servers.",
                    store::key_name(k),
                    walk.len(),
                    params.servers
                ));
            }
            let start = walks.len();
            walks.extend(walk.iter().map(|&s| node_of[s]));
            prefs.push(
                walks[start..start + params.n as usize].iter().map(|&i| NodeId(u32::from(i))).collect(),
            );
        }
        let w = &params.workload;
        let key_cdf = if w.zipf > 0.0 {
            let weights: Vec<f64> = (1..=w.keys).map(|i| libm::pow(f64::from(i), -w.zipf)).collect();
            let total: f64 = weights.iter().sum();
            let mut acc = 0.0;
            weights
                .iter()
                .map(|x| {
                    acc += x / total;
                    acc
                })
                .collect()
        } else {
            Vec::new()
        };
        let arrival_gap_us = if w.ops_per_s > 0.0 { 1e6 * f64::from(w.clients) / w.ops_per_s } else { 0.0 };
        let tail = params.latency.quantile_us(0.999).min(1e10) as Micros;
        let give_up_us = params.timeout_us.saturating_mul(2).saturating_add(tail.saturating_mul(2));
        let key_hashes = if params.anti_entropy.enabled {
            (0..key_space).map(merkle::key_hash).collect()
        } else {
            Vec::new()
        };
        let servers = params.servers as usize;
        let mut shared = vec![Vec::new(); if params.anti_entropy.enabled { servers * servers } else { 0 }];
        if params.anti_entropy.enabled {
            for (k, p) in prefs.iter().take(params.workload.keys as usize).enumerate() {
                for a in p.iter() {
                    for b in p.iter().filter(|b| *b > a) {
                        shared[a.index() * servers + b.index()].push(k as Key);
                    }
                }
            }
        }
        Ok(Cluster { params, ring, prefs, walks, key_hashes, shared, key_cdf, arrival_gap_us, give_up_us })
    }

    /// Every server in the order of the clockwise walk from `key` (empty for an unknown key).
    pub fn walk(&self, key: Key) -> impl Iterator<Item = NodeId> + '_ {
        let s = self.params.servers as usize;
        let range = (key as usize).checked_mul(s).and_then(|start| Some(start..start.checked_add(s)?));
        range.and_then(|r| self.walks.get(r)).unwrap_or(&[]).iter().map(|&i| NodeId(u32::from(i)))
    }

    /// With anti-entropy on, the keys servers `a` and `b` both replicate (computed once).
    pub(crate) fn shared_keys_of(&self, a: NodeId, b: NodeId) -> Option<&[Key]> {
        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
        let i = lo.index().checked_mul(self.params.servers as usize)?.checked_add(hi.index())?;
        self.shared.get(i).map(|k| k.as_slice())
    }

    /// Every key a request may name: the keys clients write, then the missing ones reads may ask for.
    pub fn key_space(&self) -> u32 {
        key_space(&self.params.workload)
    }

    /// A key drawn from the popularity.
    fn pick_key(&self, rng: &mut rand_chacha::ChaCha8Rng) -> Key {
        use rand::Rng;
        let keys = self.params.workload.keys;
        if self.key_cdf.is_empty() {
            rng.random_range(0..keys)
        } else {
            let u = rng.random::<f64>();
            (self.key_cdf.partition_point(|&c| c < u) as u32).min(keys - 1)
        }
    }
}

/// `keys`, or twice as many when some reads ask for missing keys.
fn key_space(w: &Workload) -> u32 {
    if w.absent_share > 0.0 { w.keys.saturating_mul(2) } else { w.keys }
}

/// The name of server `i` (from 0): `S{i+1}`, as on the consistent-hashing page.
pub fn server_name(i: u32) -> String {
    crate::hashing::experiments::server_name(i + 1)
}

/// The name of client `j` (from 0): `C{j+1}`.
pub fn client_name(j: u32) -> String {
    format!("C{}", j + 1)
}

/// A scenario of this system.
pub type KvScenario = Scenario<KvParams, KvInput>;

/// The key-value store as a system of the engine.
pub struct KvSystem;

impl System for KvSystem {
    type Node = KvNode;
    type Params = KvParams;

    fn build(scenario: &KvScenario) -> Result<Sim<KvNode>, String> {
        let cluster = Rc::new(Cluster::new(scenario.params.clone())?);
        let p = &cluster.params;
        let mut nodes = Vec::with_capacity((p.servers + p.workload.clients) as usize);
        for i in 0..p.servers {
            nodes.push((server_name(i), KvNode::Server(node::Server::new(cluster.clone(), i))));
        }
        for j in 0..p.workload.clients {
            nodes.push((client_name(j), KvNode::Client(node::Client::new(cluster.clone(), j))));
        }
        let mut network = Network::new(nodes.len(), p.latency);
        network.loss = p.loss;
        let observer = KvObserver::new(p.versioning, p.keep_history);
        Sim::new(nodes, network, scenario.seed, observer, scenario.schedule.clone())
    }
}

/// The cluster's shared configuration, from any node of a run.
pub fn cluster(sim: &Sim<KvNode>) -> Option<&Cluster> {
    sim.nodes().next().map(|n| match n.node {
        KvNode::Server(s) => s.cluster(),
        KvNode::Client(c) => c.cluster(),
    })
}

/// Every replica's versions of `key`, in preference-list order: (server, up, versions).
pub fn replica_versions(sim: &Sim<KvNode>, key: Key) -> Vec<(NodeId, bool, Vec<Version>)> {
    let Some(c) = cluster(sim) else { return Vec::new() };
    let Some(prefs) = c.prefs.get(key as usize) else { return Vec::new() };
    prefs
        .iter()
        .filter_map(|&id| {
            let view = sim.node(id)?;
            let server = view.node.as_server()?;
            Some((id, view.up, server.store.get(key).to_vec()))
        })
        .collect()
}

/// Whether any server still holds `value` for `key`, as a replica or as a stand-in's hint.
pub fn held(sim: &Sim<KvNode>, key: Key, value: ValueId) -> bool {
    sim.nodes().any(|n| {
        n.node
            .as_server()
            .is_some_and(|s| s.store.get(key).iter().chain(s.hints.of_key(key)).any(|v| v.value == value))
    })
}

/// The writes lost so far (acknowledged, replaced by nobody's choice, held by no server).
pub fn lost_writes(sim: &Sim<KvNode>) -> Vec<LostWrite> {
    sim.observer().checker.lost_writes(|k, v| held(sim, k, v))
}
