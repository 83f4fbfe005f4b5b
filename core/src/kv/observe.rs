//! What the outside observer of a key-value run records: every client operation (fed to the
//! consistency checker as it starts and ends), latency histograms, outcome counts, siblings and
//! read repairs, and the probe results of the PBS experiment. Nodes write here; none reads.

use super::anti_entropy::{AntiEntropyStats, SessionRecord, SyncId};
use super::checker::{Checker, OpId, OpRecord, OpResult};
use super::gossip::{Change, Status};
use super::store::{Added, Key, ValueId, Versioning};
use crate::sim::metrics::Timeline;
use crate::sim::{Histogram, Micros, NodeId};
use std::collections::{BTreeMap, VecDeque};

/// How many finished operations the observer keeps for the page's table.
pub const RECENT: usize = 200;

/// How many membership changes the observer keeps in order, the newest (a long run with flapping
/// servers makes many).
pub const MEMBERSHIP_LOG: usize = 100_000;

/// How many anti-entropy sessions the observer follows at once, and keeps when finished.
const OPEN_SYNCS: usize = 64;
pub const RECENT_SYNCS: usize = 20;

/// A server changed its mind about a member, at true time `at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MembershipChange {
    pub at: Micros,
    /// The server whose list changed (0-based server index).
    pub server: u32,
    pub change: Change,
}

/// The membership changes of a run: the newest [`MEMBERSHIP_LOG`] in order, and, over the whole
/// run however long, each (server, member) pair's latest change, the down marks and the time
/// spent believing members down.
#[derive(Clone, Debug, Default)]
pub struct MembershipLog {
    recent: VecDeque<MembershipChange>,
    latest: BTreeMap<(u32, u32), MembershipChange>,
    down_marks: u64,
    /// Time from each down mark to the pair's next change, for the marks followed by one.
    ended_down_us: u64,
}

impl MembershipLog {
    pub fn record(&mut self, change: MembershipChange) {
        let pair = (change.server, change.change.member());
        if let Some(before) = self.latest.insert(pair, change)
            && before.change.status() == Status::Down
        {
            self.ended_down_us = self.ended_down_us.saturating_add(change.at.saturating_sub(before.at));
        }
        self.down_marks += u64::from(change.change.status() == Status::Down);
        if self.recent.len() >= MEMBERSHIP_LOG {
            self.recent.pop_front();
        }
        self.recent.push_back(change);
    }

    /// The newest changes, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &MembershipChange> {
        self.recent.iter()
    }

    /// The latest change `server` made about `member`.
    pub fn latest(&self, server: u32, member: u32) -> Option<&MembershipChange> {
        self.latest.get(&(server, member))
    }

    /// How many times a server marked a member down.
    pub fn down_marks(&self) -> u64 {
        self.down_marks
    }

    /// The time servers spent believing members down, summed over pairs, up to `end`: from each
    /// down mark to the pair's next change, or to `end`.
    pub fn down_time(&self, end: Micros) -> u64 {
        self.latest
            .values()
            .filter(|c| c.change.status() == Status::Down)
            .fold(self.ended_down_us, |sum, c| sum.saturating_add(end.saturating_sub(c.at)))
    }
}

/// How a kind of operation ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub ok: u64,
    pub timeout: u64,
    pub no_reply: u64,
}

impl Tally {
    pub fn total(&self) -> u64 {
        self.ok + self.timeout + self.no_reply
    }

    pub fn failed(&self) -> u64 {
        self.timeout + self.no_reply
    }
}

/// What the servers' disks did (with a disk simulated).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DiskStats {
    /// Disk reads made.
    pub reads: u64,
    /// Reads that found nothing: the Bloom filter's false positives when it is on.
    pub empty: u64,
    /// Lookups the Bloom filter answered "no" to, without touching the disk.
    pub skipped: u64,
}

/// The run's statistics.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KvStats {
    pub reads: Tally,
    pub writes: Tally,
    /// Client-side latency of successful reads and writes, in microseconds.
    pub read_latency: Histogram,
    pub write_latency: Histogram,
    /// Successful reads that returned more than one version.
    pub sibling_reads: u64,
    /// The most versions one read returned.
    pub max_siblings: u64,
    /// Times a replica stored a version beside a concurrent one: a write that races another is
    /// counted once on every replica that keeps both (three times with N = 3), not once.
    pub sibling_copies: u64,
    /// Read-repair messages sent (and local repairs made) by coordinators.
    pub repairs: u64,
    /// Clock entries dropped by pruning.
    pub pruned_entries: u64,
    /// Writes a stand-in kept with a hint (sloppy quorum). Each is later handed off to its
    /// replica and deleted (`hints_handed_off`), replaced first by a newer hinted write of the
    /// same key for the same replica (`hints_replaced`), or still waiting: `hints_stored` is the
    /// sum of the three ([`KvStats::hints_waiting`]).
    pub hints_stored: u64,
    pub hints_handed_off: u64,
    pub hints_replaced: u64,
    pub disk: DiskStats,
    /// Per interval of simulated time, by when the client got its answer: operations that
    /// succeeded (slot `ANSWERED`), failed (`FAILED`) and reads the checker found stale (`STALE`).
    pub timeline: Timeline<3>,
}

impl KvStats {
    pub const ANSWERED: usize = 0;
    pub const FAILED: usize = 1;
    pub const STALE: usize = 2;

    /// The hinted writes neither handed off nor replaced: the versions the stand-ins still keep.
    pub fn hints_waiting(&self) -> u64 {
        self.hints_stored.saturating_sub(self.hints_handed_off).saturating_sub(self.hints_replaced)
    }
}

/// One delay of the PBS probe: how many reads at that delay after a write saw it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProbeTally {
    pub consistent: u64,
    pub reads: u64,
    /// Trials that did not complete (write or read failed).
    pub failed: u64,
}

impl ProbeTally {
    pub fn share(&self) -> f64 {
        if self.reads == 0 { 0.0 } else { self.consistent as f64 / self.reads as f64 }
    }
}

/// The observer of a key-value run.
#[derive(Clone, Debug)]
pub struct KvObserver {
    pub checker: Checker,
    pub stats: KvStats,
    /// The newest finished operations, oldest first.
    pub recent: VecDeque<OpRecord>,
    /// Every finished operation, when the run was asked to keep them (tests, experiments).
    pub history: Option<Vec<OpRecord>>,
    open: BTreeMap<OpId, OpRecord>,
    seq: u64,
    /// PBS probe results by delay.
    pub probes: BTreeMap<Micros, ProbeTally>,
    pub membership: MembershipLog,
    pub anti_entropy: AntiEntropyStats,
    /// Anti-entropy sessions in progress, and the newest finished ones (oldest first).
    pub open_syncs: BTreeMap<SyncId, SessionRecord>,
    pub recent_syncs: VecDeque<SessionRecord>,
}

impl KvObserver {
    pub fn new(mode: Versioning, keep_history: bool) -> KvObserver {
        KvObserver {
            checker: Checker::new(mode),
            stats: KvStats::default(),
            recent: VecDeque::new(),
            history: keep_history.then(Vec::new),
            open: BTreeMap::new(),
            seq: 0,
            probes: BTreeMap::new(),
            membership: MembershipLog::default(),
            anti_entropy: AntiEntropyStats::default(),
            open_syncs: BTreeMap::new(),
            recent_syncs: VecDeque::new(),
        }
    }

    /// An operation began.
    pub fn began(
        &mut self,
        op: OpId,
        key: Key,
        write: Option<ValueId>,
        resolves: Vec<ValueId>,
        via: NodeId,
        now: Micros,
    ) {
        self.seq += 1;
        match write {
            None => self.checker.read_began(op, key, now),
            Some(v) => self.checker.write_began(v, &resolves),
        }
        self.open.insert(
            op,
            OpRecord {
                op,
                key,
                write,
                resolves,
                coordinator: via,
                start: now,
                start_seq: self.seq,
                end: now,
                end_seq: self.seq,
                result: OpResult::NoReply,
            },
        );
    }

    /// An operation ended.
    pub fn ended(&mut self, op: OpId, result: OpResult, now: Micros) {
        self.seq += 1;
        let Some(mut rec) = self.open.remove(&op) else { return };
        let latency = now.saturating_sub(rec.start);
        let tally = if rec.write.is_some() { &mut self.stats.writes } else { &mut self.stats.reads };
        match &result {
            OpResult::Read(versions) => {
                tally.ok += 1;
                self.stats.read_latency.record(latency);
                if versions.len() > 1 {
                    self.stats.sibling_reads += 1;
                }
                self.stats.max_siblings = self.stats.max_siblings.max(versions.len() as u64);
            }
            OpResult::Written(_) => {
                tally.ok += 1;
                self.stats.write_latency.record(latency);
            }
            OpResult::Timeout { .. } => tally.timeout += 1,
            OpResult::NoReply => tally.no_reply += 1,
        }
        let answered = matches!(result, OpResult::Read(_) | OpResult::Written(_));
        let slot = if answered { KvStats::ANSWERED } else { KvStats::FAILED };
        self.stats.timeline.add(now, slot, 1);
        let stale_before = self.checker.stale_reads;
        match rec.write {
            None => self.checker.read_ended(op, if let OpResult::Read(v) = &result { Some(v) } else { None }),
            Some(value) => {
                let version = if let OpResult::Written(v) = &result { Some(v) } else { None };
                self.checker.write_ended(rec.key, value, version, now);
            }
        }
        self.stats.timeline.add(now, KvStats::STALE, self.checker.stale_reads - stale_before);
        rec.end = now;
        rec.end_seq = self.seq;
        rec.result = result;
        if let Some(h) = &mut self.history {
            h.push(rec.clone());
        }
        if self.recent.len() >= RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(rec);
    }

    /// A replica folded a version in.
    pub fn stored(&mut self, added: Added) {
        if let Added::Sibling { .. } = added {
            self.stats.sibling_copies += 1;
        }
    }

    /// A stand-in kept a hinted version, which superseded `replaced` versions it had kept before.
    pub fn hinted(&mut self, replaced: u64) {
        self.stats.hints_stored += 1;
        self.stats.hints_replaced += replaced;
    }

    /// Server `server` changed its mind about a member.
    pub fn membership_changed(&mut self, at: Micros, server: u32, change: Change) {
        self.membership.record(MembershipChange { at, server, change });
    }

    /// A server started an anti-entropy session over `keys` keys whose entries weigh
    /// `full_bytes`, sending its root (`hash_bytes`).
    pub fn sync_started(
        &mut self,
        id: SyncId,
        peer: u32,
        keys: u64,
        full_bytes: u64,
        hash_bytes: u64,
        now: Micros,
    ) {
        if self.open_syncs.len() >= OPEN_SYNCS {
            self.open_syncs.pop_first();
        }
        self.anti_entropy.sessions += 1;
        self.anti_entropy.full_bytes += full_bytes;
        self.anti_entropy.hash_bytes += hash_bytes;
        let record = SessionRecord {
            initiator: id.from,
            peer,
            started: now,
            keys,
            rounds: 1,
            hash_bytes,
            full_bytes,
            ..SessionRecord::default()
        };
        self.open_syncs.insert(id, record);
    }

    /// The peer of session `id` built its tree, over entries weighing `full_bytes`.
    pub fn sync_joined(&mut self, id: SyncId, full_bytes: u64) {
        self.anti_entropy.full_bytes += full_bytes;
        if let Some(r) = self.open_syncs.get_mut(&id) {
            r.full_bytes += full_bytes;
        }
    }

    /// A message of session `id` carried `hash_bytes` of hashes at `level`, or `buckets` buckets
    /// weighing `bucket_bytes`.
    pub fn sync_sent(&mut self, id: SyncId, level: u32, hash_bytes: u64, buckets: u64, bucket_bytes: u64) {
        self.anti_entropy.hash_bytes += hash_bytes;
        self.anti_entropy.bucket_bytes += bucket_bytes;
        if let Some(r) = self.open_syncs.get_mut(&id) {
            r.rounds = r.rounds.max(level + 1);
            r.hash_bytes += hash_bytes;
            r.bucket_bytes += bucket_bytes;
            r.buckets_sent += buckets;
        }
    }

    /// Folding in session `id`'s versions changed a store `repaired` times.
    pub fn sync_repaired(&mut self, id: SyncId, repaired: u64) {
        self.anti_entropy.repaired += repaired;
        if let Some(r) = self.open_syncs.get_mut(&id) {
            r.repaired += repaired;
        }
    }

    /// Session `id` ended (`in_sync`: its roots matched).
    pub fn sync_ended(&mut self, id: SyncId, in_sync: bool, now: Micros) {
        self.anti_entropy.in_sync += u64::from(in_sync);
        self.close_sync(id, now, false);
    }

    /// A side dropped session `id` unfinished (it crashed, saw its peer down, or waited two
    /// intervals for a lost message): the session is over, whatever the other side still holds.
    pub fn sync_dropped(&mut self, id: SyncId, now: Micros) {
        self.close_sync(id, now, true);
    }

    fn close_sync(&mut self, id: SyncId, now: Micros, dropped: bool) {
        if let Some(mut r) = self.open_syncs.remove(&id) {
            self.anti_entropy.dropped += u64::from(dropped);
            r.ended = Some(now);
            r.dropped = dropped;
            if self.recent_syncs.len() >= RECENT_SYNCS {
                self.recent_syncs.pop_front();
            }
            self.recent_syncs.push_back(r);
        }
    }

    /// Operations still in progress.
    pub fn in_progress(&self) -> impl Iterator<Item = &OpRecord> {
        self.open.values()
    }

    /// A probe trial at `delay` ended: consistent or not, or failed (`None`).
    pub fn probe(&mut self, delay: Micros, consistent: Option<bool>) {
        let t = self.probes.entry(delay).or_default();
        match consistent {
            Some(c) => {
                t.reads += 1;
                t.consistent += u64::from(c);
            }
            None => t.failed += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_membership_log_keeps_the_newest_changes_and_every_pair_s_latest() {
        let change = |at: Micros, server: u32, change: Change| MembershipChange { at, server, change };
        let mut log = MembershipLog::default();
        let down = change(10, 0, Change::TimedOut { member: 1 });
        log.record(down);
        // S3's mind about S4 changes MEMBERSHIP_LOG times, pushing S1's mark out of the log.
        for i in 0..MEMBERSHIP_LOG as u64 {
            log.record(change(100 + i, 2, Change::Suspected { member: 3 }));
        }
        assert_eq!(log.iter().count(), MEMBERSHIP_LOG);
        assert_eq!(log.iter().next(), Some(&change(100, 2, Change::Suspected { member: 3 })));
        assert_eq!(
            log.latest(0, 1),
            Some(&down),
            "S1's latest change about S2, although no longer in the log"
        );
        assert_eq!(log.latest(2, 3).map(|c| c.at), Some(100 + MEMBERSHIP_LOG as u64 - 1));
        assert_eq!(log.latest(1, 0), None);
        assert_eq!((log.down_marks(), log.down_time(150_000)), (1, 150_000 - 10));
        let up = change(200_000, 0, Change::Recovered { member: 1 });
        log.record(up);
        assert_eq!(log.iter().count(), MEMBERSHIP_LOG);
        assert_eq!(log.iter().next_back(), Some(&up), "the newest change is kept");
        assert_eq!(log.iter().next().map(|c| c.at), Some(101));
        assert_eq!(log.latest(0, 1), Some(&up));
        // The spell from 10 to 200,000 has ended; a second one runs from 250,000 to the end.
        log.record(change(250_000, 0, Change::Confirmed { member: 1 }));
        assert_eq!((log.down_marks(), log.down_time(300_000)), (2, 199_990 + 50_000));
    }
}
