//! The nodes of the key-value cluster: storage servers that coordinate requests and hold replicas,
//! and clients that send a seeded workload (or a person's requests) and record what they saw.
//!
//! The read and write path follows Dynamo (DeCandia et al., SOSP 2007, section 4.5) and the
//! notes' "Quorum Consensus": a client sends its request to a coordinator, one of the key's N
//! replicas (a partition-aware client picks one at random). For a write the coordinator makes the
//! new version (its vector clock, or its timestamp for last-write-wins), stores it, sends it to
//! the other N - 1 replicas and answers as soon as W replicas (itself included) have it. For a
//! read it asks all N replicas, answers with the versions that no other version supersedes once R
//! have answered, and when the rest have answered (or the deadline passed) sends the merged result
//! to every replica whose answer was behind: read repair. When the deadline passes first the
//! client gets a timeout that says how many replicas answered: a value, not an error.
//!
//! Under failure (Dynamo, sections 4.6 and 4.8): with gossip on, every server runs the failure
//! detector of [`super::gossip`] and keeps a membership list. With the sloppy quorum, a
//! coordinator sends a key's requests to the first N servers of the key's ring walk that its list
//! says are up, so a down replica's place is taken by the next server clockwise; that stand-in
//! keeps the write apart, with a hint naming the replica it was meant for, answers reads with it,
//! and on a periodic scan (every `handoff_interval_us`) hands its hints to every intended replica
//! it sees up again, deleting them once acknowledged: hinted handoff. With anti-entropy on,
//! servers also compare Merkle trees with their peers now and then ([`super::anti_entropy`]) and
//! swap what differs.
//!
//! With a disk simulated, reading a key costs a disk read before the answer goes out; with the
//! Bloom filter on, a server first asks its filter of the keys on its disk, and answers at once
//! when the filter says the key was never stored there.

use super::anti_entropy::{self, Bucket, ReplicaTree, Session, SyncId};
use super::bloom::{BloomFilter, Sizing};
use super::checker::OpResult;
use super::clock::{Actor, CLIENT_BASE, VectorClock};
use super::gossip::{Change, Gossiped, Membership};
use super::merkle::Hash;
use super::store::{
    Hints, Key, Store, ValueId, Version, Versioning, key_name, same_versions, value_id, value_name,
};
use super::{Cluster, KvObserver, Probe, Quorum};
use crate::sim::{Ctx, Micros, Node, NodeId, TimerId};
use rand::Rng;
use smallvec::SmallVec;
use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::rc::Rc;

/// The most values a client remembers having seen for one key (its context).
const MAX_OBSERVED: usize = 256;

/// The most keys one hand-off message carries.
const HANDOFF_KEYS: usize = 64;

/// How long a client sends no request to a server that left one of its requests unanswered.
const AVOID_US: Micros = 1_000_000;

/// A short list of servers, kept inline (no allocation) up to a cluster of 16: one request's
/// replicas or candidate coordinators.
type Servers<T> = SmallVec<[T; 16]>;

/// A coordinator's answer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Reply<T> {
    /// The quorum answered: `got` replicas.
    Ok { value: T, got: u32 },
    /// The deadline passed with `got` of the `needed` answers.
    Timeout { got: u32, needed: u32 },
}

/// What the nodes send each other.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KvMsg {
    /// Client → coordinator.
    Get {
        req: u64,
        key: Key,
    },
    /// Client → coordinator: write `value`, replacing what `context` covers.
    Put {
        req: u64,
        key: Key,
        value: ValueId,
        context: VectorClock,
    },
    /// Coordinator → client.
    GetReply {
        req: u64,
        result: Reply<Vec<Version>>,
    },
    PutReply {
        req: u64,
        result: Reply<Version>,
    },
    /// Coordinator → replica, and the replica's answer.
    Read {
        op: u64,
        key: Key,
    },
    /// Shared (an `Rc`), so that the coordinator keeps the replica's answer without copying it;
    /// it hashes and prints as the plain list.
    ReadReply {
        op: u64,
        versions: Rc<[Version]>,
    },
    /// Coordinator → replica; `hint` names the replica a stand-in keeps the version for.
    Write {
        op: u64,
        key: Key,
        version: Version,
        hint: Option<NodeId>,
    },
    WriteAck {
        op: u64,
    },
    /// Coordinator → a replica whose answer was behind.
    Repair {
        key: Key,
        versions: Vec<Version>,
    },
    /// Server → server: the sender's membership list, one row per server.
    Gossip {
        list: Vec<Gossiped>,
    },
    /// Stand-in → the replica it kept these versions for, and the replica's acknowledgement.
    Handoff {
        batch: u64,
        entries: Vec<(Key, Vec<Version>)>,
    },
    HandoffAck {
        batch: u64,
    },
    /// Anti-entropy: one side's hashes of some nodes of its tree at `level` (0 is the root).
    SyncHashes {
        sync: SyncId,
        level: u32,
        nodes: Vec<(u32, Hash)>,
    },
    /// Anti-entropy: one side's contents of the buckets that differ; `reply` asks for the other's.
    SyncBuckets {
        sync: SyncId,
        buckets: Vec<(u32, Bucket)>,
        reply: bool,
    },
    /// Anti-entropy: the hashes just received all matched; the session is over.
    SyncDone {
        sync: SyncId,
    },
}

fn list(versions: &[Version]) -> String {
    let v: Vec<String> = versions.iter().map(|v| v.to_string()).collect();
    format!("{{{}}}", v.join(", "))
}

impl fmt::Display for KvMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KvMsg::Get { key, .. } => write!(f, "get {}", key_name(*key)),
            KvMsg::Put { key, value, context, .. } => {
                write!(f, "put {}={} context {context}", key_name(*key), value_name(*value))
            }
            KvMsg::GetReply { result: Reply::Ok { value, got }, .. } => {
                write!(f, "ok {} ({got} replicas)", list(value))
            }
            KvMsg::PutReply { result: Reply::Ok { value, got }, .. } => write!(f, "ok {value} ({got} acks)"),
            KvMsg::GetReply { result: Reply::Timeout { got, needed }, .. }
            | KvMsg::PutReply { result: Reply::Timeout { got, needed }, .. } => {
                write!(f, "timeout: {got} of {needed} replicas")
            }
            KvMsg::Read { key, .. } => write!(f, "read {}", key_name(*key)),
            KvMsg::ReadReply { versions, .. } => write!(f, "versions {}", list(versions)),
            KvMsg::Write { key, version, hint: None, .. } => write!(f, "write {}={version}", key_name(*key)),
            KvMsg::Write { key, version, hint: Some(home), .. } => {
                write!(f, "write {}={version} hinted for {}", key_name(*key), super::server_name(home.0))
            }
            KvMsg::WriteAck { .. } => f.write_str("ack"),
            KvMsg::Repair { key, versions } => write!(f, "repair {} {}", key_name(*key), list(versions)),
            KvMsg::Gossip { list } => {
                let rows: Vec<String> = list
                    .iter()
                    .enumerate()
                    .map(|(i, g)| {
                        format!(
                            "{} {}{}",
                            super::server_name(i as u32),
                            g.heartbeat,
                            if g.down { " down" } else { "" }
                        )
                    })
                    .collect();
                write!(f, "gossip [{}]", rows.join(", "))
            }
            KvMsg::Handoff { entries, .. } => {
                let keys: Vec<String> =
                    entries.iter().map(|(k, v)| format!("{} {}", key_name(*k), list(v))).collect();
                write!(f, "handoff {}", keys.join("; "))
            }
            KvMsg::HandoffAck { .. } => f.write_str("handoff ack"),
            KvMsg::SyncHashes { sync, level, nodes } => {
                let ids: Vec<String> = nodes.iter().map(|(i, _)| i.to_string()).collect();
                write!(f, "merkle {sync}: level {level} hashes of nodes [{}]", ids.join(", "))
            }
            KvMsg::SyncBuckets { sync, buckets, reply } => {
                let ids: Vec<String> =
                    buckets.iter().map(|(i, b)| format!("{i} ({} keys)", b.len())).collect();
                let ask = if *reply { ", yours please" } else { "" };
                write!(f, "merkle {sync}: buckets {}{ask}", ids.join(", "))
            }
            KvMsg::SyncDone { sync } => write!(f, "merkle {sync}: in sync"),
        }
    }
}

/// What nodes wake up for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KvTimer {
    /// A client's next workload operation is due.
    Arrival,
    /// A client stops waiting for request `req`.
    GiveUp { req: u64 },
    /// A coordinator's deadline for operation `op`.
    Deadline { op: u64 },
    /// The probe client starts its next trial.
    ProbeNext,
    /// A server's gossip round.
    Gossip,
    /// A stand-in's periodic scan of its hints (sloppy quorum).
    Handoff,
    /// A server starts an anti-entropy session.
    AntiEntropy,
    /// The probe client reads what it wrote, `delay` after the write was acknowledged. (The
    /// version is boxed so that every timer, and every trace entry holding one, stays small.)
    ProbeRead { key: Key, written: Box<Version>, delay: Micros },
    /// A server's disk read of `key` is done, for a coordinator (or for itself).
    DiskRead { key: Key, reader: Reader },
}

/// Whom a replica reads a key for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reader {
    /// A coordinator's operation `op` (another server).
    Peer { to: NodeId, op: u64 },
    /// This server's own operation `op`, as the coordinator.
    Own { op: u64 },
}

impl fmt::Display for KvTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KvTimer::Arrival => f.write_str("next request"),
            KvTimer::GiveUp { .. } => f.write_str("give up waiting"),
            KvTimer::Deadline { .. } => f.write_str("quorum deadline"),
            KvTimer::ProbeNext => f.write_str("next probe"),
            KvTimer::Gossip => f.write_str("gossip round"),
            KvTimer::Handoff => f.write_str("hinted handoff scan"),
            KvTimer::AntiEntropy => f.write_str("anti-entropy session"),
            KvTimer::DiskRead { key, .. } => write!(f, "disk read of {} done", key_name(*key)),
            KvTimer::ProbeRead { key, .. } => write!(f, "probe read {}", key_name(*key)),
        }
    }
}

/// What a person can tell a client to do.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KvInput {
    /// Read `key`, through server `via` (0-based) or a random replica.
    Get { key: Key, via: Option<u32> },
    /// Write a new value to `key` with the client's current context.
    Put { key: Key, via: Option<u32> },
}

impl fmt::Display for KvInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (verb, key, via) = match self {
            KvInput::Get { key, via } => ("get", key, via),
            KvInput::Put { key, via } => ("put", key, via),
        };
        write!(f, "{verb} {}", key_name(*key))?;
        if let Some(s) = via {
            write!(f, " via S{}", s + 1)?;
        }
        Ok(())
    }
}

/// A node of the cluster.
#[derive(Clone, Debug)]
pub enum KvNode {
    Server(Server),
    Client(Client),
}

impl KvNode {
    pub fn as_server(&self) -> Option<&Server> {
        match self {
            KvNode::Server(s) => Some(s),
            KvNode::Client(_) => None,
        }
    }

    pub fn as_client(&self) -> Option<&Client> {
        match self {
            KvNode::Client(c) => Some(c),
            KvNode::Server(_) => None,
        }
    }
}

impl Node for KvNode {
    type Msg = KvMsg;
    type Timer = KvTimer;
    type Input = KvInput;
    type Observer = KvObserver;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        match self {
            KvNode::Server(s) => s.start(ctx),
            KvNode::Client(c) => c.start(ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &KvMsg) {
        match self {
            KvNode::Server(s) => s.on_message(ctx, from, msg),
            KvNode::Client(c) => c.on_message(ctx, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: KvTimer) {
        match self {
            KvNode::Server(s) => s.on_timer(ctx, timer),
            KvNode::Client(c) => c.on_timer(ctx, timer),
        }
    }

    fn on_input(&mut self, ctx: &mut Ctx<'_, Self>, input: KvInput) {
        if let KvNode::Client(c) = self {
            match input {
                KvInput::Get { key, via } => c.read(ctx, key, via, None),
                KvInput::Put { key, via } => c.write(ctx, key, via, None),
            }
        }
    }

    fn on_crash(&mut self, ctx: &mut Ctx<'_, Self>) {
        match self {
            KvNode::Server(s) => s.crash(ctx),
            KvNode::Client(c) => c.crash(ctx),
        }
    }

    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>) {
        match self {
            KvNode::Server(s) => s.recover(ctx),
            KvNode::Client(c) => c.start(ctx),
        }
    }
}

/// Requests in progress, keyed by a number that only grows (an operation or request number): a
/// window of slots from the oldest unfinished number to the newest, so that finding one is an
/// index rather than a tree search, and iteration is in number order.
#[derive(Clone, Debug)]
struct Pending<T> {
    /// The number of the first slot.
    base: u64,
    slots: VecDeque<Option<T>>,
    len: usize,
}

impl<T> Pending<T> {
    fn new() -> Pending<T> {
        Pending { base: 0, slots: VecDeque::new(), len: 0 }
    }

    fn index(&self, id: u64) -> Option<usize> {
        let i = id.checked_sub(self.base)?;
        (i < self.slots.len() as u64).then_some(i as usize)
    }

    /// Adds (or replaces) entry `id`.
    fn insert(&mut self, id: u64, value: T) {
        if self.slots.is_empty() {
            self.base = id;
        }
        while id < self.base {
            self.slots.push_front(None);
            self.base -= 1;
        }
        while self.base + (self.slots.len() as u64) <= id {
            self.slots.push_back(None);
        }
        let i = (id - self.base) as usize;
        if self.slots[i].replace(value).is_none() {
            self.len += 1;
        }
    }

    fn get(&self, id: u64) -> Option<&T> {
        self.index(id).and_then(|i| self.slots[i].as_ref())
    }

    fn get_mut(&mut self, id: u64) -> Option<&mut T> {
        self.index(id).and_then(|i| self.slots[i].as_mut())
    }

    fn remove(&mut self, id: u64) -> Option<T> {
        let i = self.index(id)?;
        let value = self.slots[i].take()?;
        self.len -= 1;
        while let Some(None) = self.slots.front() {
            self.slots.pop_front();
            self.base += 1;
        }
        while let Some(None) = self.slots.back() {
            self.slots.pop_back();
        }
        Some(value)
    }

    fn len(&self) -> usize {
        self.len
    }

    /// Removes every entry, returning them in number order.
    fn take_all(&mut self) -> Vec<(u64, T)> {
        let base = self.base;
        let all = std::mem::take(&mut self.slots)
            .into_iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (base + i as u64, v)))
            .collect();
        self.len = 0;
        all
    }
}

/// A coordinator's request in progress (volatile).
#[derive(Clone, Debug)]
struct Coordinating {
    client: NodeId,
    req: u64,
    key: Key,
    timer: TimerId,
    work: Work,
}

#[derive(Clone, Debug)]
enum Work {
    /// `asked`: how many servers the read went to (N, or fewer when a sloppy quorum found fewer
    /// healthy servers).
    Read {
        answers: Vec<(NodeId, Rc<[Version]>)>,
        asked: u32,
        replied: bool,
    },
    Write {
        version: Version,
        acks: u32,
        asked: u32,
    },
}

/// A hand-off on its way to the replica it is meant for.
#[derive(Clone, Debug)]
struct HandoffSent {
    home: NodeId,
    sent: Micros,
    entries: Vec<(Key, Vec<Version>)>,
}

/// A storage server: a replica for the keys whose preference list names it, and a coordinator
/// for the requests clients send it.
#[derive(Clone, Debug)]
pub struct Server {
    cluster: Rc<Cluster>,
    index: u32,
    /// Durable: survives a crash.
    pub store: Store,
    /// Durable: operation numbers never repeat, even across a crash.
    next_op: u64,
    /// Volatile: lost in a crash.
    pending: Pending<Coordinating>,
    /// Durable: grows on every restart, so that this server's heartbeats after a restart beat
    /// the ones it sent before.
    generation: u32,
    /// Volatile: what this server believes of every server (with gossip on, every other one down
    /// after a restart until the gossip says otherwise).
    membership: Membership,
    /// Durable: versions this server keeps as a stand-in, for the replicas they are meant for.
    pub hints: Hints,
    /// Volatile: hand-offs sent and not yet acknowledged, by replica.
    handoffs: BTreeMap<u64, HandoffSent>,
    /// Durable, like `next_op`.
    next_batch: u64,
    /// Volatile: anti-entropy sessions this server takes part in.
    syncs: BTreeMap<SyncId, Session>,
    /// Durable: sessions this server has started.
    next_sync: u64,
    /// Durable (kept with the table on disk): a Bloom filter of every key this server stored.
    pub bloom: Option<BloomFilter>,
    /// Durable: per key, the last counter this server gave its own clock entry. It only grows, so
    /// no two versions this server coordinates share a clock, even when it keeps no copy of the
    /// key (a coordinator that is not a replica, or a stand-in whose hint was handed off).
    counters: BTreeMap<Key, u64>,
}

impl Server {
    pub(crate) fn new(cluster: Rc<Cluster>, index: u32) -> Server {
        let store = Store::new(cluster.params.workload.keys);
        let membership = Membership::new(index, cluster.params.servers, 0, 0);
        let bloom = cluster.params.disk.bloom.then(|| {
            // Sized for the keys this server replicates.
            let me = NodeId(index);
            let n = cluster
                .prefs
                .iter()
                .take(cluster.params.workload.keys as usize)
                .filter(|p| p.contains(&me))
                .count();
            Sizing::for_items(n.max(1) as u64, cluster.params.disk.bloom_fpr)
                .and_then(BloomFilter::with_sizing)
                .ok()
        });
        Server {
            cluster,
            index,
            store,
            next_op: 0,
            pending: Pending::new(),
            generation: 0,
            membership,
            hints: Hints::default(),
            handoffs: BTreeMap::new(),
            next_batch: 0,
            syncs: BTreeMap::new(),
            next_sync: 0,
            bloom: bloom.flatten(),
            counters: BTreeMap::new(),
        }
    }

    /// What this server believes of every server.
    pub fn membership(&self) -> &Membership {
        &self.membership
    }

    /// How many times this server has restarted.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    fn start(&mut self, ctx: &mut Ctx<'_, KvNode>) {
        let p = &self.cluster.params;
        // Random phases, so that the servers' rounds do not run in lockstep.
        if p.gossip.enabled {
            let phase = ctx.rng().random_range(1..=p.gossip.interval_us);
            ctx.set_timer(phase, KvTimer::Gossip);
        }
        if p.quorum == Quorum::Sloppy {
            let phase = ctx.rng().random_range(1..=p.handoff_interval_us);
            ctx.set_timer(phase, KvTimer::Handoff);
        }
        if p.anti_entropy.enabled {
            let phase = ctx.rng().random_range(1..=p.anti_entropy.interval_us);
            ctx.set_timer(phase, KvTimer::AntiEntropy);
        }
    }

    fn crash(&mut self, ctx: &mut Ctx<'_, KvNode>) {
        self.pending.take_all();
        self.handoffs.clear();
        let now = ctx.now();
        for id in std::mem::take(&mut self.syncs).into_keys() {
            ctx.observer().sync_dropped(id, now);
        }
    }

    /// Starts an anti-entropy session with a random peer this server shares keys with and sees
    /// up, after dropping sessions that cannot finish: those older than two intervals (a message
    /// lost) and those whose peer it now sees down.
    fn start_sync(&mut self, ctx: &mut Ctx<'_, KvNode>) {
        let cluster = self.shared();
        let ae = cluster.params.anti_entropy;
        ctx.set_timer(ae.interval_us, KvTimer::AntiEntropy);
        let now = ctx.now();
        let stale = ae.interval_us.saturating_mul(2);
        let dropped: Vec<SyncId> = self
            .syncs
            .iter()
            .filter(|(_, s)| now.saturating_sub(s.started) >= stale || !self.membership.is_up(s.peer.0))
            .map(|(id, _)| *id)
            .collect();
        for id in dropped {
            self.syncs.remove(&id);
            ctx.observer().sync_dropped(id, now);
        }
        let me = self.me();
        let peers: Vec<NodeId> = (0..cluster.params.servers)
            .map(NodeId)
            .filter(|&p| p != me && self.membership.is_up(p.0))
            .filter(|&p| cluster.shared_keys_of(me, p).is_some_and(|k| !k.is_empty()))
            .collect();
        if peers.is_empty() {
            return;
        }
        let peer = peers[ctx.rng().random_range(0..peers.len() as u32) as usize];
        let keys = anti_entropy::shared_keys(&cluster, self.me(), peer);
        let tree = ReplicaTree::build(&cluster, &self.store, &keys);
        let id = SyncId { from: self.index, n: self.next_sync };
        self.next_sync += 1;
        let nodes = vec![(0, tree.tree.root())];
        let bytes = anti_entropy::hash_bytes(&nodes);
        ctx.observer().sync_started(id, peer.0, keys.len() as u64, tree.total_bytes(), bytes, now);
        ctx.send(peer, KvMsg::SyncHashes { sync: id, level: 0, nodes });
        self.syncs.insert(id, Session { peer, tree, started: now });
    }

    /// Compares the other side's hashes of `level` with this side's tree and answers with the
    /// children of the nodes that differ, or at the leaves with the differing buckets.
    fn on_sync_hashes(
        &mut self,
        ctx: &mut Ctx<'_, KvNode>,
        from: NodeId,
        sync: SyncId,
        level: u32,
        nodes: &[(u32, Hash)],
    ) {
        let now = ctx.now();
        let cluster = self.shared();
        let store = &self.store;
        let me = self.me();
        if level > 0 && !self.syncs.contains_key(&sync) {
            // A late message of a session this server has already forgotten.
            return;
        }
        let session = self.syncs.entry(sync).or_insert_with(|| {
            let keys = anti_entropy::shared_keys(&cluster, me, from);
            let tree = ReplicaTree::build(&cluster, store, &keys);
            ctx.observer().sync_joined(sync, tree.total_bytes());
            Session { peer: from, tree, started: now }
        });
        let l = level as usize;
        let differ = session.tree.differing(l, nodes);
        if differ.is_empty() {
            self.syncs.remove(&sync);
            ctx.observer().sync_ended(sync, level == 0, now);
            ctx.send(from, KvMsg::SyncDone { sync });
        } else if session.tree.is_leaf_level(l) {
            let (buckets, bytes) = contents(&session.tree, store, &differ);
            ctx.observer().sync_sent(sync, level, 0, buckets.len() as u64, bytes);
            ctx.send(from, KvMsg::SyncBuckets { sync, buckets, reply: true });
        } else {
            let next = session.tree.children_hashes(l, &differ);
            ctx.observer().sync_sent(sync, level + 1, anti_entropy::hash_bytes(&next), 0, 0);
            ctx.send(from, KvMsg::SyncHashes { sync, level: level + 1, nodes: next });
        }
    }

    /// Folds in the other side's buckets; answers with this side's when asked, else the session
    /// is over.
    fn on_sync_buckets(
        &mut self,
        ctx: &mut Ctx<'_, KvNode>,
        from: NodeId,
        sync: SyncId,
        buckets: &[(u32, Bucket)],
        reply: bool,
    ) {
        let session = self.syncs.remove(&sync);
        // This side's own contents of the same buckets, as they were before folding the other's in.
        let answer = reply.then(|| {
            let cluster = self.shared();
            let tree = match session {
                Some(s) => s.tree,
                None => ReplicaTree::build(
                    &cluster,
                    &self.store,
                    &anti_entropy::shared_keys(&cluster, self.me(), from),
                ),
            };
            let indices: Vec<usize> = buckets.iter().map(|(i, _)| *i as usize).collect();
            contents(&tree, &self.store, &indices)
        });
        let mut repaired = 0;
        for (_, entries) in buckets {
            for (key, versions) in entries {
                for v in versions {
                    let added = self.apply(ctx, *key, v.clone());
                    repaired += u64::from(added != super::store::Added::Ignored);
                }
            }
        }
        ctx.observer().sync_repaired(sync, repaired);
        if let Some((mine, bytes)) = answer {
            ctx.observer().sync_sent(sync, 0, 0, mine.len() as u64, bytes);
            ctx.send(from, KvMsg::SyncBuckets { sync, buckets: mine, reply: false });
        } else {
            let now = ctx.now();
            ctx.observer().sync_ended(sync, false, now);
        }
    }

    /// The anti-entropy sessions this server takes part in: (session, peer).
    pub fn syncs(&self) -> impl Iterator<Item = (SyncId, NodeId)> + '_ {
        self.syncs.iter().map(|(id, s)| (*id, s.peer))
    }

    fn recover(&mut self, ctx: &mut Ctx<'_, KvNode>) {
        self.generation = self.generation.saturating_add(1);
        let (servers, generation) = (self.cluster.params.servers, self.generation);
        self.membership = if self.cluster.params.gossip.enabled {
            Membership::restarted(self.index, servers, generation)
        } else {
            Membership::new(self.index, servers, generation, ctx.now())
        };
        self.start(ctx);
    }

    /// One gossip round: heartbeat, expiry, the list to `fanout` random peers.
    ///
    /// The failure detector times silences on [`Ctx::now`], not on the wall clock that the skew
    /// fault moves: it only ever measures how long ago something happened, which a server reads
    /// off a monotonic timer (as Cassandra's detector uses `System.nanoTime`), so setting a
    /// server's clock a second ahead does not make every peer look a second more silent.
    fn gossip_round(&mut self, ctx: &mut Ctx<'_, KvNode>) {
        let g = self.cluster.params.gossip;
        let now = ctx.now();
        self.membership.beat(now);
        let changes = self.membership.expire(now, &g);
        self.report(ctx, &changes);
        let mut others: Vec<u32> = (0..self.cluster.params.servers).filter(|&i| i != self.index).collect();
        let fanout = (g.fanout as usize).min(others.len());
        for i in 0..fanout {
            let j = ctx.rng().random_range(i as u32..others.len() as u32) as usize;
            others.swap(i, j);
        }
        let list = self.membership.gossip(now);
        for &peer in &others[..fanout] {
            ctx.send(NodeId(peer), KvMsg::Gossip { list: list.clone() });
        }
        ctx.set_timer(g.interval_us, KvTimer::Gossip);
    }

    /// Writes what this server changed its mind about into the trace and the observer.
    fn report(&mut self, ctx: &mut Ctx<'_, KvNode>, changes: &[Change]) {
        for &change in changes {
            ctx.note(change.describe());
            let now = ctx.now();
            ctx.observer().membership_changed(now, self.index, change);
        }
    }

    /// The periodic hint scan: sends every replica this server sees up the hints waiting for it,
    /// one batch at a time. A replica with a batch on its way for less than a client's give-up
    /// time gets nothing new; after that the batch counts as lost and is sent again (an ack that
    /// still arrives deletes exactly what its batch carried, so nothing is deleted twice).
    fn hand_off(&mut self, ctx: &mut Ctx<'_, KvNode>) {
        let now = ctx.now();
        let patience = self.cluster.give_up_us;
        self.handoffs.retain(|_, h| now.saturating_sub(h.sent) < patience.saturating_mul(4));
        for home in self.hints.homes() {
            let waiting =
                self.handoffs.values().any(|h| h.home == home && now.saturating_sub(h.sent) < patience);
            if waiting || !self.membership.is_up(home.0) {
                continue;
            }
            let entries = self.hints.batch(home, HANDOFF_KEYS);
            let batch = self.next_batch;
            self.next_batch += 1;
            ctx.send(home, KvMsg::Handoff { batch, entries: entries.clone() });
            self.handoffs.insert(batch, HandoffSent { home, sent: now, entries });
        }
    }

    /// The hand-offs this server has sent and not yet had acknowledged: (replica, keys).
    pub fn handoffs_in_flight(&self) -> impl Iterator<Item = (NodeId, usize)> + '_ {
        self.handoffs.values().map(|h| (h.home, h.entries.len()))
    }

    /// The servers a request for `key` goes to, each with the replica it stands in for (`None`
    /// for one of the key's own replicas).
    fn targets(&self, key: Key) -> Servers<(NodeId, Option<NodeId>)> {
        let c = &self.cluster;
        let prefs = c.prefs.get(key as usize).map_or(&[][..], |p| p.as_slice());
        match c.params.quorum {
            Quorum::Strict => prefs.iter().map(|&r| (r, None)).collect(),
            Quorum::Sloppy => {
                let me = self.me();
                let chosen: Servers<NodeId> = c
                    .walk(key)
                    .filter(|&id| id == me || self.membership.is_up(id.0))
                    .take(c.params.n as usize)
                    .collect();
                let mut skipped = prefs.iter().filter(|p| !chosen.contains(p)).copied();
                chosen.iter().map(|&t| (t, if prefs.contains(&t) { None } else { skipped.next() })).collect()
            }
        }
    }

    /// What this server answers for `key`: its own versions and any it keeps as a stand-in.
    fn local_versions(&self, key: Key) -> Rc<[Version]> {
        let own = self.store.get(key);
        if self.hints.is_empty() {
            Rc::from(own)
        } else {
            Rc::from(self.mode().reconcile(own.iter().chain(self.hints.of_key(key))))
        }
    }

    /// Stores a version: as a replica of its own, or as a stand-in for `hint`.
    fn keep(&mut self, ctx: &mut Ctx<'_, KvNode>, key: Key, v: Version, hint: Option<NodeId>) {
        match hint {
            None => {
                self.apply(ctx, key, v);
            }
            Some(home) => {
                self.remember(key);
                let before = self.hints.len();
                if self.hints.keep(self.mode(), home, key, v) != super::store::Added::Ignored {
                    // The version is kept; the hints it supersedes are gone, never handed off.
                    ctx.observer().hinted((before + 1).saturating_sub(self.hints.len()));
                }
            }
        }
    }

    fn actor(&self) -> Actor {
        self.index
    }

    pub(crate) fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    fn me(&self) -> NodeId {
        NodeId(self.index)
    }

    fn mode(&self) -> Versioning {
        self.cluster.params.versioning
    }

    /// Requests this server is coordinating right now.
    pub fn coordinating(&self) -> usize {
        self.pending.len()
    }

    /// Whether this server has anything of `key` on disk (in its store or as a hint).
    fn holds(&self, key: Key) -> bool {
        !self.store.get(key).is_empty() || self.hints.of_key(key).next().is_some()
    }

    /// Adds a key about to be written to disk (the store or a hint) to the Bloom filter, once.
    fn remember(&mut self, key: Key) {
        let new = !self.holds(key);
        if let Some(f) = self.bloom.as_mut().filter(|_| new) {
            f.insert(key_name(key).as_bytes());
        }
    }

    /// Folds a version into the store (and its key into the Bloom filter).
    fn apply(&mut self, ctx: &mut Ctx<'_, KvNode>, key: Key, v: Version) -> super::store::Added {
        self.remember(key);
        let added = self.store.apply(self.mode(), key, v);
        ctx.observer().stored(added);
        added
    }

    /// Reads `key` for `reader`: at once without a simulated disk or when the Bloom filter says
    /// the key was never stored here, else after a disk read.
    fn lookup(&mut self, ctx: &mut Ctx<'_, KvNode>, key: Key, reader: Reader) {
        let disk = self.cluster.params.disk;
        if disk.read_us == 0 {
            return self.answer(ctx, key, reader);
        }
        if self.bloom.as_ref().is_some_and(|f| !f.contains(key_name(key).as_bytes())) {
            ctx.observer().stats.disk.skipped += 1;
            return self.answer(ctx, key, reader);
        }
        let stats = &mut ctx.observer().stats.disk;
        stats.reads += 1;
        stats.empty += u64::from(!self.holds(key));
        ctx.set_timer(disk.read_us, KvTimer::DiskRead { key, reader });
    }

    /// Hands what this server holds of `key` to `reader`.
    fn answer(&mut self, ctx: &mut Ctx<'_, KvNode>, key: Key, reader: Reader) {
        let versions = self.local_versions(key);
        match reader {
            Reader::Peer { to, op } => ctx.send(to, KvMsg::ReadReply { op, versions }),
            Reader::Own { op } => {
                let me = self.me();
                if let Some(Coordinating { work: Work::Read { answers, .. }, .. }) = self.pending.get_mut(op)
                {
                    answers.push((me, versions));
                    self.progress_read(ctx, op, false);
                }
            }
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, KvNode>, from: NodeId, msg: &KvMsg) {
        match msg {
            KvMsg::Get { req, key } => self.coordinate_get(ctx, from, *req, *key),
            KvMsg::Put { req, key, value, context } => {
                self.coordinate_put(ctx, from, *req, *key, *value, context)
            }
            KvMsg::Read { op, key } => self.lookup(ctx, *key, Reader::Peer { to: from, op: *op }),
            KvMsg::Write { op, key, version, hint } => {
                self.keep(ctx, *key, version.clone(), *hint);
                ctx.send(from, KvMsg::WriteAck { op: *op });
            }
            KvMsg::Gossip { list } => {
                // A monotonic timer, like the rounds' (see `gossip_round`).
                let now = ctx.now();
                let changes = self.membership.merge(list, now, &self.cluster.params.gossip);
                self.report(ctx, &changes);
            }
            KvMsg::Handoff { batch, entries } => {
                for (key, versions) in entries {
                    for v in versions {
                        self.apply(ctx, *key, v.clone());
                    }
                }
                ctx.send(from, KvMsg::HandoffAck { batch: *batch });
            }
            KvMsg::SyncHashes { sync, level, nodes } => self.on_sync_hashes(ctx, from, *sync, *level, nodes),
            KvMsg::SyncBuckets { sync, buckets, reply } => {
                self.on_sync_buckets(ctx, from, *sync, buckets, *reply)
            }
            KvMsg::SyncDone { sync } => {
                self.syncs.remove(sync);
            }
            KvMsg::HandoffAck { batch } => {
                if self.handoffs.get(batch).is_some_and(|h| h.home == from)
                    && let Some(h) = self.handoffs.remove(batch)
                {
                    let delivered = self.hints.delivered(from, &h.entries);
                    ctx.observer().stats.hints_handed_off += delivered;
                }
            }
            KvMsg::Repair { key, versions } => {
                for v in versions {
                    self.apply(ctx, *key, v.clone());
                }
            }
            KvMsg::ReadReply { op, versions } => {
                if let Some(Coordinating { work: Work::Read { answers, .. }, .. }) = self.pending.get_mut(*op)
                {
                    answers.push((from, Rc::clone(versions)));
                    self.progress_read(ctx, *op, false);
                }
            }
            KvMsg::WriteAck { op } => {
                if let Some(Coordinating { work: Work::Write { acks, .. }, .. }) = self.pending.get_mut(*op) {
                    *acks += 1;
                    self.progress_write(ctx, *op, false);
                }
            }
            KvMsg::GetReply { .. } | KvMsg::PutReply { .. } => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, KvNode>, timer: KvTimer) {
        match timer {
            KvTimer::Deadline { op } => match self.pending.get(op).map(|c| &c.work) {
                Some(Work::Read { .. }) => self.progress_read(ctx, op, true),
                Some(Work::Write { .. }) => self.progress_write(ctx, op, true),
                None => {}
            },
            KvTimer::Gossip => self.gossip_round(ctx),
            KvTimer::Handoff => {
                self.hand_off(ctx);
                ctx.set_timer(self.cluster.params.handoff_interval_us, KvTimer::Handoff);
            }
            KvTimer::AntiEntropy => self.start_sync(ctx),
            KvTimer::DiskRead { key, reader } => self.answer(ctx, key, reader),
            _ => {}
        }
    }

    /// The cluster (shared, so that a handler can read the preference lists while it changes
    /// this server).
    fn shared(&self) -> Rc<Cluster> {
        self.cluster.clone()
    }

    fn start_op(&mut self, ctx: &mut Ctx<'_, KvNode>) -> (u64, TimerId) {
        let op = self.next_op;
        self.next_op += 1;
        let timer = ctx.set_timer(self.cluster.params.timeout_us, KvTimer::Deadline { op });
        (op, timer)
    }

    fn coordinate_get(&mut self, ctx: &mut Ctx<'_, KvNode>, client: NodeId, req: u64, key: Key) {
        let targets = self.targets(key);
        let (op, timer) = self.start_op(ctx);
        let mut own = false;
        for &(r, _) in &targets {
            if r == self.me() {
                own = true;
            } else {
                ctx.send(r, KvMsg::Read { op, key });
            }
        }
        let asked = targets.len() as u32;
        let answers = Vec::with_capacity(targets.len());
        self.pending.insert(
            op,
            Coordinating { client, req, key, timer, work: Work::Read { answers, asked, replied: false } },
        );
        if own {
            // Answers now (no disk, or the filter says no) or after its own disk read.
            self.lookup(ctx, key, Reader::Own { op });
            return;
        }
        self.progress_read(ctx, op, false);
    }

    /// Answers the client once R replicas have (or every server asked, if fewer); repairs and
    /// forgets the request once all have answered or the deadline has passed.
    fn progress_read(&mut self, ctx: &mut Ctx<'_, KvNode>, op: u64, deadline: bool) {
        let (r, mode) = (self.cluster.params.r, self.mode());
        let Some(c) = self.pending.get_mut(op) else { return };
        let Work::Read { answers, asked, replied } = &mut c.work else { return };
        let n = *asked;
        let got = answers.len() as u32;
        // Every server asked has answered: with fewer than R (a sloppy quorum that found too few
        // healthy servers) waiting longer cannot help.
        if !*replied && (got >= r || got >= n || deadline) {
            *replied = true;
            let result = if got >= r {
                Reply::Ok { value: mode.reconcile(answers.iter().flat_map(|(_, v)| v.iter())), got }
            } else {
                Reply::Timeout { got, needed: r }
            };
            ctx.send(c.client, KvMsg::GetReply { req: c.req, result });
        }
        if got < n && !deadline {
            return;
        }
        let Some(c) = self.pending.remove(op) else { return };
        if !deadline {
            ctx.cancel_timer(c.timer);
        }
        let Work::Read { answers, .. } = c.work else { return };
        if !self.cluster.params.read_repair || answers.len() < 2 {
            return;
        }
        let merged = mode.reconcile(answers.iter().flat_map(|(_, v)| v.iter()));
        let cluster = self.shared();
        let replicas = cluster.prefs.get(c.key as usize).map_or(&[][..], |p| p.as_slice());
        for (node, versions) in &answers {
            // A stand-in is not repaired: what it keeps is the hint it hands off.
            if same_versions(versions, &merged) || !replicas.contains(node) {
                continue;
            }
            ctx.observer().stats.repairs += 1;
            if *node == self.me() {
                for v in &merged {
                    self.apply(ctx, c.key, v.clone());
                }
            } else {
                ctx.send(*node, KvMsg::Repair { key: c.key, versions: merged.clone() });
            }
        }
    }

    fn coordinate_put(
        &mut self,
        ctx: &mut Ctx<'_, KvNode>,
        client: NodeId,
        req: u64,
        key: Key,
        value: ValueId,
        context: &VectorClock,
    ) {
        let p = &self.cluster.params;
        let ts = ctx.local_clock();
        let clock = match (p.versioning, p.actors) {
            (Versioning::LastWriteWins, _) => VectorClock::new(),
            // The client already advanced its own entry.
            (Versioning::VectorClocks, super::ClockActors::Clients) => context.clone(),
            (Versioning::VectorClocks, super::ClockActors::Servers) => {
                // Advance this server's entry past both the context and every version it made.
                let me = self.actor();
                let counter = self.counters.entry(key).or_default();
                *counter = (*counter).max(context.get(me)).saturating_add(1);
                let mut clock = context.clone();
                clock.raise(me, *counter, ts);
                let pruned = clock.prune(p.max_clock_entries as usize, me);
                ctx.observer().stats.pruned_entries += pruned as u64;
                clock
            }
        };
        let version = Version { value, clock, ts };
        let targets = self.targets(key);
        let asked = targets.len() as u32;
        let (op, timer) = self.start_op(ctx);
        let mut acks = 0;
        for (r, hint) in targets {
            if r == self.me() {
                self.keep(ctx, key, version.clone(), hint);
                acks += 1;
            } else {
                ctx.send(r, KvMsg::Write { op, key, version: version.clone(), hint });
            }
        }
        self.pending
            .insert(op, Coordinating { client, req, key, timer, work: Work::Write { version, acks, asked } });
        self.progress_write(ctx, op, false);
    }

    /// Answers the client once W replicas have acknowledged, or once every server asked has and
    /// they are fewer than W (a sloppy quorum that found too few healthy servers), or at the
    /// deadline.
    fn progress_write(&mut self, ctx: &mut Ctx<'_, KvNode>, op: u64, deadline: bool) {
        let w = self.cluster.params.w;
        let Some(c) = self.pending.get(op) else { return };
        let Work::Write { acks, asked, .. } = &c.work else { return };
        if *acks < w && *acks < *asked && !deadline {
            return;
        }
        let Some(c) = self.pending.remove(op) else { return };
        let Work::Write { version, acks, .. } = c.work else { return };
        if !deadline {
            ctx.cancel_timer(c.timer);
        }
        let result = if acks >= w {
            Reply::Ok { value: version, got: acks }
        } else {
            Reply::Timeout { got: acks, needed: w }
        };
        ctx.send(c.client, KvMsg::PutReply { req: c.req, result });
    }
}

/// `store`'s contents of the buckets `indices` of `tree`'s range, and their encoded size.
fn contents(tree: &ReplicaTree, store: &Store, indices: &[usize]) -> (Vec<(u32, Bucket)>, u64) {
    let mut bytes = 0;
    let buckets = indices
        .iter()
        .map(|&b| {
            let (entries, size) = tree.contents(store, b);
            bytes += size;
            (b as u32, entries)
        })
        .collect();
    (buckets, bytes)
}

/// What a client remembers of a key: the clock of what it last saw (its "context"), the values
/// its last read returned, and its own latest write (its earlier ones it replaced by writing it).
/// Its next write replaces all of these by choice.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Context {
    pub clock: VectorClock,
    pub observed: Vec<ValueId>,
    pub own: Option<ValueId>,
}

/// A client's request in progress.
#[derive(Clone, Debug)]
struct Request {
    key: Key,
    /// The coordinator it went to.
    to: NodeId,
    timer: TimerId,
    then: Option<Then>,
}

/// What a client does when a request ends.
#[derive(Clone, Debug)]
enum Then {
    /// A read-modify-write's read: write the key with the context the read returned.
    Write,
    /// The probe's write: read the key back `delay` after the acknowledgement.
    ProbeWrite { delay: Micros },
    /// The probe's read: record whether it saw `written`.
    ProbeRead { written: Version, delay: Micros },
}

/// A client: sends the workload's requests (or a person's) and records what it saw.
#[derive(Clone, Debug)]
pub struct Client {
    cluster: Rc<Cluster>,
    index: u32,
    next_req: u64,
    writes: u32,
    /// This client's own clock counter (for client-actor clocks).
    counter: u64,
    /// Volatile: per key, what the client last saw.
    contexts: BTreeMap<Key, Context>,
    pending: Pending<Request>,
    probe_trial: u32,
    /// Volatile: servers that left a request unanswered, and until when to send them none.
    avoid: BTreeMap<NodeId, Micros>,
}

impl Client {
    pub(crate) fn new(cluster: Rc<Cluster>, index: u32) -> Client {
        Client {
            cluster,
            index,
            next_req: 0,
            writes: 0,
            counter: 0,
            contexts: BTreeMap::new(),
            pending: Pending::new(),
            probe_trial: 0,
            avoid: BTreeMap::new(),
        }
    }

    fn me(&self) -> NodeId {
        NodeId(self.cluster.params.servers + self.index)
    }

    pub(crate) fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// The client's context for `key`.
    pub fn context(&self, key: Key) -> Option<&Context> {
        self.contexts.get(&key)
    }

    /// Requests waiting for an answer.
    pub fn waiting(&self) -> usize {
        self.pending.len()
    }

    fn probe(&self) -> Option<&Probe> {
        if self.index == 0 { self.cluster.params.workload.probe.as_ref() } else { None }
    }

    fn start(&mut self, ctx: &mut Ctx<'_, KvNode>) {
        if let Some(p) = self.probe() {
            let spacing = p.spacing_us;
            ctx.set_timer(spacing, KvTimer::ProbeNext);
        } else if self.cluster.arrival_gap_us > 0.0 {
            self.schedule_arrival(ctx);
        }
    }

    fn schedule_arrival(&mut self, ctx: &mut Ctx<'_, KvNode>) {
        // Poisson arrivals: exponential gaps with the per-client mean.
        let e = crate::sim::ziggurat::standard_exponential(ctx.rng());
        let gap = (e * self.cluster.arrival_gap_us).round().max(1.0);
        ctx.set_timer(gap.min(1e12) as Micros, KvTimer::Arrival);
    }

    fn crash(&mut self, ctx: &mut Ctx<'_, KvNode>) {
        let now = ctx.now();
        let me = self.me();
        for (req, _) in self.pending.take_all() {
            ctx.observer().ended((me, req), OpResult::NoReply, now);
        }
        self.contexts.clear();
        self.avoid.clear();
    }

    /// The server to send a request for `key` to: `via`, or one of the key's replicas (any
    /// server, behind a load balancer) at random, leaving out servers that recently left a
    /// request unanswered; when that leaves none, the first such server on the key's ring walk
    /// with a sloppy quorum (any server can coordinate it), else any of them.
    fn coordinator(&mut self, ctx: &mut Ctx<'_, KvNode>, key: Key, via: Option<u32>) -> NodeId {
        let c = &self.cluster;
        if let Some(s) = via.filter(|s| *s < c.params.servers) {
            return NodeId(s);
        }
        let now = ctx.now();
        self.avoid.retain(|_, until| *until > now);
        let any = c.params.coordinator == super::Coordinator::AnyServer;
        let candidates: Servers<NodeId> = if any {
            (0..c.params.servers).map(NodeId).collect()
        } else {
            Servers::from_slice(&c.prefs[key as usize])
        };
        let usable: Servers<NodeId> =
            candidates.iter().copied().filter(|id| !self.avoid.contains_key(id)).collect();
        let pool = if !usable.is_empty() {
            usable
        } else if let Some(first) =
            c.walk(key).find(|id| !self.avoid.contains_key(id)).filter(|_| c.params.quorum == Quorum::Sloppy)
        {
            smallvec::smallvec![first]
        } else {
            candidates
        };
        pool[ctx.rng().random_range(0..pool.len() as u32) as usize]
    }

    fn begin(&mut self, ctx: &mut Ctx<'_, KvNode>, key: Key, to: NodeId, then: Option<Then>) -> u64 {
        let req = self.next_req;
        self.next_req += 1;
        let timer = ctx.set_timer(self.cluster.give_up_us, KvTimer::GiveUp { req });
        self.pending.insert(req, Request { key, to, timer, then });
        req
    }

    fn read(&mut self, ctx: &mut Ctx<'_, KvNode>, key: Key, via: Option<u32>, then: Option<Then>) {
        let space = self.cluster.key_space();
        if key >= space {
            ctx.note(format!("no key {} (keys are k0 to k{})", key, space - 1));
            return;
        }
        let to = self.coordinator(ctx, key, via);
        let req = self.begin(ctx, key, to, then);
        let (me, now) = (self.me(), ctx.now());
        ctx.observer().began((me, req), key, None, Vec::new(), to, now);
        ctx.send(to, KvMsg::Get { req, key });
    }

    fn write(&mut self, ctx: &mut Ctx<'_, KvNode>, key: Key, via: Option<u32>, then: Option<Then>) {
        if key >= self.cluster.params.workload.keys {
            ctx.note(format!("no key {} (keys are k0 to k{})", key, self.cluster.params.workload.keys - 1));
            return;
        }
        let to = self.coordinator(ctx, key, via);
        self.writes = self.writes.saturating_add(1);
        let value = value_id(self.index, self.writes);
        let req = self.begin(ctx, key, to, then);
        let p = &self.cluster.params;
        let known = self.contexts.entry(key).or_default();
        let mut resolves = std::mem::take(&mut known.observed);
        resolves.extend(known.own.replace(value));
        let mut context = known.clock.clone();
        if p.versioning == Versioning::VectorClocks && p.actors == super::ClockActors::Clients {
            // A client actor advances its own entry past anything it ever wrote.
            self.counter = self.counter.max(context.get(CLIENT_BASE + self.index)) + 1;
            context.raise(CLIENT_BASE + self.index, self.counter, ctx.local_clock());
            let pruned = context.prune(p.max_clock_entries as usize, CLIENT_BASE + self.index);
            ctx.observer().stats.pruned_entries += pruned as u64;
        }
        let (me, now) = (self.me(), ctx.now());
        ctx.observer().began((me, req), key, Some(value), resolves, to, now);
        ctx.send(to, KvMsg::Put { req, key, value, context });
    }

    fn finish(&mut self, ctx: &mut Ctx<'_, KvNode>, req: u64, result: OpResult) -> Option<Request> {
        let request = self.pending.remove(req)?;
        ctx.cancel_timer(request.timer);
        match &result {
            OpResult::Read(versions) => {
                // The context becomes what the read returned (the client still knows its own
                // latest write).
                let mut clock = VectorClock::new();
                for v in versions {
                    clock = clock.merge(&v.clock);
                }
                let observed: Vec<ValueId> = versions.iter().map(|v| v.value).take(MAX_OBSERVED).collect();
                let known = self.contexts.entry(request.key).or_default();
                known.clock = clock;
                known.observed = observed;
            }
            OpResult::Written(version) => {
                let known = self.contexts.entry(request.key).or_default();
                known.clock = known.clock.merge(&version.clock);
            }
            _ => {}
        }
        let (me, now) = (self.me(), ctx.now());
        ctx.observer().ended((me, req), result, now);
        Some(request)
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, KvNode>, msg: &KvMsg) {
        let (req, result) = match msg {
            KvMsg::GetReply { req, result: Reply::Ok { value, .. } } => (*req, OpResult::Read(value.clone())),
            KvMsg::PutReply { req, result: Reply::Ok { value, .. } } => {
                (*req, OpResult::Written(value.clone()))
            }
            KvMsg::GetReply { req, result: Reply::Timeout { got, needed } }
            | KvMsg::PutReply { req, result: Reply::Timeout { got, needed } } => {
                (*req, OpResult::Timeout { got: *got, needed: *needed })
            }
            _ => return,
        };
        // Only a request with a follow-up needs the result after the observer has it, and a
        // read-modify-write's read only whether it succeeded (not a copy of its versions).
        let keep = match self.pending.get(req).and_then(|r| r.then.as_ref()) {
            None => None,
            Some(Then::Write) if matches!(result, OpResult::Read(_)) => Some(OpResult::Read(Vec::new())),
            Some(_) => Some(result.clone()),
        };
        let Some(request) = self.finish(ctx, req, result) else { return };
        if let Some(result) = keep {
            self.after(ctx, request, &result);
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, KvNode>, timer: KvTimer) {
        match timer {
            KvTimer::Arrival => {
                let w = &self.cluster.params.workload;
                let write = ctx.rng().random::<f64>() < w.write_share;
                let mut key = self.cluster.pick_key(ctx.rng());
                if !write && w.absent_share > 0.0 && ctx.rng().random::<f64>() < w.absent_share {
                    key = w.keys + ctx.rng().random_range(0..w.keys);
                }
                if write && w.read_before_write {
                    self.read(ctx, key, None, Some(Then::Write));
                } else if write {
                    self.write(ctx, key, None, None);
                } else {
                    self.read(ctx, key, None, None);
                }
                self.schedule_arrival(ctx);
            }
            KvTimer::GiveUp { req } => {
                if let Some(request) = self.finish(ctx, req, OpResult::NoReply) {
                    self.avoid.insert(request.to, ctx.now().saturating_add(AVOID_US));
                    self.after(ctx, request, &OpResult::NoReply);
                }
            }
            KvTimer::ProbeNext => self.probe_next(ctx),
            KvTimer::ProbeRead { key, written, delay } => {
                self.read(ctx, key, None, Some(Then::ProbeRead { written: *written, delay }));
            }
            KvTimer::Deadline { .. }
            | KvTimer::Gossip
            | KvTimer::Handoff
            | KvTimer::AntiEntropy
            | KvTimer::DiskRead { .. } => {}
        }
    }

    fn probe_next(&mut self, ctx: &mut Ctx<'_, KvNode>) {
        let cluster = self.cluster.clone();
        let Some(p) = cluster.params.workload.probe.as_ref().filter(|_| self.index == 0) else { return };
        let total = p.trials.saturating_mul(p.delays_us.len() as u32);
        if self.probe_trial >= total || p.delays_us.is_empty() {
            return;
        }
        let i = self.probe_trial;
        self.probe_trial += 1;
        let delay = p.delays_us[(i % p.delays_us.len() as u32) as usize];
        let key = i % self.cluster.params.workload.keys;
        self.write(ctx, key, None, Some(Then::ProbeWrite { delay }));
    }

    fn after(&mut self, ctx: &mut Ctx<'_, KvNode>, request: Request, result: &OpResult) {
        let Some(then) = request.then else { return };
        let mode = self.cluster.params.versioning;
        let spacing = self.probe().map_or(0, |p| p.spacing_us);
        match (then, result) {
            (Then::Write, OpResult::Read(_)) => self.write(ctx, request.key, None, None),
            (Then::Write, _) => {}
            (Then::ProbeWrite { delay }, OpResult::Written(v)) => {
                let written = Box::new(v.clone());
                ctx.set_timer(delay, KvTimer::ProbeRead { key: request.key, written, delay });
            }
            (Then::ProbeRead { written, delay }, OpResult::Read(versions)) => {
                let consistent = versions.iter().any(|v| mode.covers(v, &written));
                ctx.observer().probe(delay, Some(consistent));
                ctx.set_timer(spacing, KvTimer::ProbeNext);
            }
            (Then::ProbeWrite { delay } | Then::ProbeRead { delay, .. }, _) => {
                ctx.observer().probe(delay, None);
                ctx.set_timer(spacing, KvTimer::ProbeNext);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Pending;

    #[test]
    fn pending_requests_are_found_by_number_and_come_out_in_order() {
        let mut p = Pending::new();
        for id in 5..10 {
            p.insert(id, id * 10);
        }
        assert_eq!((p.len(), p.get(7), p.get(4), p.get(10)), (5, Some(&70), None, None));
        // Finishing the oldest moves the window on; finishing one in the middle leaves a hole.
        assert_eq!(p.remove(5), Some(50));
        assert_eq!(p.remove(8), Some(80));
        assert_eq!(p.remove(8), None, "already finished");
        assert_eq!((p.base, p.slots.len(), p.len()), (6, 4, 3));
        *p.get_mut(9).unwrap() += 1;
        p.insert(12, 120);
        assert_eq!(p.get(11), None, "a gap the window skips");
        p.insert(3, 30);
        assert_eq!(p.take_all(), vec![(3, 30), (6, 60), (7, 70), (9, 91), (12, 120)]);
        assert_eq!((p.len(), p.get(6)), (0, None));
    }
}
