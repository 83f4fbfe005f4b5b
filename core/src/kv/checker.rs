//! The consistency checker: reads the history of client operations (each with the moment it
//! began and the moment it ended) and flags every stale read and every lost write.
//!
//! - A read is *stale* when a write of the same key had completed (acknowledged to its client)
//!   before the read began, and nothing the read returned covers it: no returned version descends
//!   from it (vector clocks) or has a later-or-equal timestamp (last-write-wins). This is the
//!   "regular register" condition that W + R > N promises (Gifford's weighted voting, SOSP 1979;
//!   the notes' "strong consistency is guaranteed"); it does not depend on wall clocks, only on
//!   the order in which the operations' start and end events happened in the simulation.
//! - A write is *lost* when it was acknowledged, no client ever chose to replace it, and yet no
//!   replica holds it any more. A write is replaced by choice when a later write's client had seen
//!   it (a read returned it, so the client's context covered it) or was that same client's own
//!   later write of the key. Vector clocks with client actors lose nothing; last-write-wins loses
//!   the losers of every race, and so do server-actor clocks when two clients race through one
//!   coordinator.
//!
//! The checker is incremental: the simulation feeds it events as they happen (so a page can show
//! live counts for an hour-long run in bounded memory), and [`check_history`] feeds it a recorded
//! history after the fact; both give the same answer.

use super::store::{Key, ValueId, Version, Versioning, value_name};
use crate::sim::{Micros, NodeId};
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

/// How many examples of each kind of anomaly are kept for the page.
pub const EXAMPLES: usize = 20;

/// A client operation's identity: the client's node number and its request number.
pub type OpId = (NodeId, u64);

/// How an operation ended.
#[derive(Clone, Debug, PartialEq)]
pub enum OpResult {
    /// A read's versions (siblings when more than one).
    Read(Vec<Version>),
    /// A write's acknowledged version.
    Written(Version),
    /// The coordinator answered that it could not reach the quorum in time.
    Timeout { got: u32, needed: u32 },
    /// No answer reached the client (coordinator down, messages lost): the client gave up.
    NoReply,
}

impl OpResult {
    pub fn ok(&self) -> bool {
        matches!(self, OpResult::Read(_) | OpResult::Written(_))
    }
}

/// One operation of the history.
#[derive(Clone, Debug, PartialEq)]
pub struct OpRecord {
    pub op: OpId,
    pub key: Key,
    /// The value a write wrote (None for a read).
    pub write: Option<ValueId>,
    /// The values a write replaces by its client's choice.
    pub resolves: Vec<ValueId>,
    pub coordinator: NodeId,
    pub start: Micros,
    /// The observer's event counter at the start and at the end: the order of events at equal
    /// times.
    pub start_seq: u64,
    pub end: Micros,
    pub end_seq: u64,
    pub result: OpResult,
}

/// A stale read, explained.
#[derive(Clone, Debug, PartialEq)]
pub struct StaleRead {
    pub op: OpId,
    pub key: Key,
    pub start: Micros,
    pub returned: Vec<ValueId>,
    /// A completed write that the read should have seen.
    pub missed: ValueId,
}

impl StaleRead {
    pub fn describe(&self) -> String {
        let returned: Vec<String> = self.returned.iter().map(|v| value_name(*v)).collect();
        format!(
            "read of k{} returned {{{}}} but {} had already been acknowledged",
            self.key,
            returned.join(", "),
            value_name(self.missed)
        )
    }
}

/// A lost write, explained.
#[derive(Clone, Debug, PartialEq)]
pub struct LostWrite {
    pub key: Key,
    pub value: ValueId,
    pub acked_at: Micros,
}

/// A key's maximal acknowledged writes, shared.
type Frontier = Rc<Vec<Version>>;

/// The incremental checker.
#[derive(Clone, Debug)]
pub struct Checker {
    mode: Versioning,
    /// Per key (indexed by key), the maximal acknowledged writes (none covers another). Shared
    /// with the reads in progress that began while it was current, and copied only when a write
    /// changes it while such a read holds it.
    frontier: Vec<Option<Frontier>>,
    /// Reads in progress: what had completed when each began.
    reads: BTreeMap<OpId, (Key, Micros, Option<Frontier>)>,
    /// Writes in progress: their value, and whether a later write has already replaced it by
    /// choice.
    writes: BTreeMap<ValueId, bool>,
    /// Acknowledged writes not (yet) replaced by choice: value → (key, when acknowledged).
    candidates: BTreeMap<ValueId, (Key, Micros)>,
    pub reads_checked: u64,
    pub stale_reads: u64,
    pub writes_acked: u64,
    pub stale_examples: VecDeque<StaleRead>,
}

impl Checker {
    pub fn new(mode: Versioning) -> Checker {
        Checker {
            mode,
            frontier: Vec::new(),
            reads: BTreeMap::new(),
            writes: BTreeMap::new(),
            candidates: BTreeMap::new(),
            reads_checked: 0,
            stale_reads: 0,
            writes_acked: 0,
            stale_examples: VecDeque::new(),
        }
    }

    /// A read of `key` began.
    pub fn read_began(&mut self, op: OpId, key: Key, at: Micros) {
        let seen = self.frontier.get(key as usize).cloned().flatten();
        self.reads.insert(op, (key, at, seen));
    }

    /// A read ended (successfully with `versions`, or not with `None`).
    pub fn read_ended(&mut self, op: OpId, versions: Option<&[Version]>) {
        let Some((key, start, due)) = self.reads.remove(&op) else { return };
        let Some(returned) = versions else { return };
        self.reads_checked += 1;
        let due = due.as_deref().map_or(&[][..], |d| d.as_slice());
        let missed = due.iter().find(|w| !returned.iter().any(|r| self.mode.covers(r, w)));
        if let Some(w) = missed {
            self.stale_reads += 1;
            if self.stale_examples.len() >= EXAMPLES {
                self.stale_examples.pop_front();
            }
            self.stale_examples.push_back(StaleRead {
                op,
                key,
                start,
                returned: returned.iter().map(|r| r.value).collect(),
                missed: w.value,
            });
        }
    }

    /// A write of `value` began, replacing `resolves` by its client's choice.
    pub fn write_began(&mut self, value: ValueId, resolves: &[ValueId]) {
        for r in resolves {
            if self.candidates.remove(r).is_none()
                && let Some(replaced) = self.writes.get_mut(r)
            {
                *replaced = true;
            }
        }
        self.writes.insert(value, false);
    }

    /// A write ended: acknowledged with `version` at `at` (of key `key`), or not (`None`).
    pub fn write_ended(&mut self, key: Key, value: ValueId, version: Option<&Version>, at: Micros) {
        let replaced = self.writes.remove(&value).unwrap_or(false);
        let Some(w) = version else { return };
        self.writes_acked += 1;
        if !replaced {
            self.candidates.insert(value, (key, at));
        }
        let i = key as usize;
        if self.frontier.len() <= i {
            self.frontier.resize(i + 1, None);
        }
        let f = self.frontier[i].get_or_insert_with(Default::default);
        if !f.iter().any(|x| self.mode.covers(x, w)) {
            let f = Rc::make_mut(f);
            f.retain(|x| !self.mode.covers(w, x));
            f.push(w.clone());
        }
    }

    /// The share of checked reads that were stale (0 when none was checked).
    pub fn stale_share(&self) -> f64 {
        if self.reads_checked == 0 { 0.0 } else { self.stale_reads as f64 / self.reads_checked as f64 }
    }

    /// The acknowledged writes that nobody replaced by choice and that `held(key, value)` says
    /// no replica holds any more, oldest first.
    pub fn lost_writes(&self, held: impl Fn(Key, ValueId) -> bool) -> Vec<LostWrite> {
        let mut lost: Vec<LostWrite> = self
            .candidates
            .iter()
            .filter(|&(&value, &(key, _))| !held(key, value))
            .map(|(&value, &(key, acked_at))| LostWrite { key, value, acked_at })
            .collect();
        lost.sort_by_key(|l| (l.acked_at, l.value));
        lost
    }
}

/// The checker's verdict on a whole history.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub reads_checked: u64,
    pub stale_reads: u64,
    pub writes_acked: u64,
    pub lost_writes: Vec<LostWrite>,
    pub stale_examples: Vec<StaleRead>,
}

/// Checks a recorded history; `held(key, value)` says whether a replica still holds a value at
/// the end of the run. The history must hold every operation that began, those still in progress
/// at the end too (as the observer keeps them, with no result): a write in progress has already
/// replaced, by its client's choice, the values it resolves, so leaving it out would flag those
/// as lost.
pub fn check_history(mode: Versioning, history: &[OpRecord], held: impl Fn(Key, ValueId) -> bool) -> Report {
    // Replay starts and ends in the order they happened.
    let mut events: Vec<(u64, bool, usize)> = Vec::with_capacity(history.len() * 2);
    for (i, op) in history.iter().enumerate() {
        events.push((op.start_seq, false, i));
        events.push((op.end_seq, true, i));
    }
    events.sort_unstable();
    let mut c = Checker::new(mode);
    for (_, end, i) in events {
        let op = &history[i];
        match (op.write, end) {
            (None, false) => c.read_began(op.op, op.key, op.start),
            (None, true) => {
                let versions = match &op.result {
                    OpResult::Read(v) => Some(v.as_slice()),
                    _ => None,
                };
                c.read_ended(op.op, versions);
            }
            (Some(value), false) => c.write_began(value, &op.resolves),
            (Some(value), true) => {
                let version = match &op.result {
                    OpResult::Written(v) => Some(v),
                    _ => None,
                };
                c.write_ended(op.key, value, version, op.end);
            }
        }
    }
    Report {
        reads_checked: c.reads_checked,
        stale_reads: c.stale_reads,
        writes_acked: c.writes_acked,
        lost_writes: c.lost_writes(held),
        stale_examples: c.stale_examples.iter().cloned().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::clock::VectorClock;

    fn version(value: ValueId, pairs: &[(u32, u64)]) -> Version {
        Version { value, clock: VectorClock::from_pairs(pairs), ts: value }
    }

    struct H(Vec<OpRecord>, u64);

    impl H {
        fn op(
            &mut self,
            client: u32,
            write: Option<ValueId>,
            resolves: &[ValueId],
            span: (Micros, Micros),
            result: OpResult,
        ) {
            let n = self.0.len() as u64;
            self.0.push(OpRecord {
                op: (NodeId(client), n),
                key: 0,
                write,
                resolves: resolves.to_vec(),
                coordinator: NodeId(0),
                start: span.0,
                start_seq: span.0 * 10,
                end: span.1,
                end_seq: span.1 * 10 + 1,
                result,
            });
            self.1 += 1;
        }
    }

    #[test]
    fn a_read_that_misses_a_completed_write_is_stale() {
        let (v1, v2) = (version(1, &[(0, 1)]), version(2, &[(0, 2)]));
        let mut h = H(Vec::new(), 0);
        h.op(10, Some(1), &[], (0, 5), OpResult::Written(v1.clone()));
        h.op(10, Some(2), &[1], (10, 20), OpResult::Written(v2.clone()));
        // Overlaps the second write: either answer is fine.
        h.op(11, None, &[], (15, 30), OpResult::Read(vec![v1.clone()]));
        // Begins after the second write completed: v1 alone is stale.
        h.op(11, None, &[], (25, 35), OpResult::Read(vec![v1.clone()]));
        // v2 is fine, and so is a sibling set containing a descendant of v2.
        h.op(12, None, &[], (40, 45), OpResult::Read(vec![v2.clone()]));
        h.op(
            12,
            None,
            &[],
            (50, 55),
            OpResult::Read(vec![version(3, &[(0, 2), (1, 1)]), version(4, &[(2, 1)])]),
        );
        // A failed read is not judged.
        h.op(12, None, &[], (60, 65), OpResult::Timeout { got: 1, needed: 2 });
        let r = check_history(Versioning::VectorClocks, &h.0, |_, _| true);
        assert_eq!((r.reads_checked, r.stale_reads, r.writes_acked), (4, 1, 2));
        assert_eq!(
            r.stale_examples[0].describe(),
            "read of k0 returned {v0.1} but v0.2 had already been acknowledged"
        );
    }

    #[test]
    fn lost_writes_are_the_unchosen_ones_that_vanished() {
        let mut h = H(Vec::new(), 0);
        // Client 10 writes 1, client 11 writes 2 blind at the same time, client 10 then writes 3
        // having read 1 only (so it replaces 1 by choice, not 2).
        h.op(10, Some(1), &[], (0, 5), OpResult::Written(version(1, &[(0, 1)])));
        h.op(11, Some(2), &[], (1, 6), OpResult::Written(version(2, &[(1, 1)])));
        h.op(10, Some(3), &[1], (10, 15), OpResult::Written(version(3, &[(0, 2)])));
        // A write whose client gave up is never counted as lost.
        h.op(12, Some(4), &[], (20, 25), OpResult::NoReply);
        // Replaced by choice before it was even acknowledged (the reader saw it in flight).
        h.op(13, Some(5), &[], (30, 50), OpResult::Written(version(5, &[(2, 1)])));
        h.op(14, Some(6), &[5], (40, 45), OpResult::Written(version(6, &[(2, 1), (3, 1)])));
        // At the end only 3 and 6 are held: 2 vanished without anyone choosing to replace it.
        let held = |_: Key, v: ValueId| v == 3 || v == 6;
        let r = check_history(Versioning::VectorClocks, &h.0, held);
        assert_eq!(r.lost_writes, vec![LostWrite { key: 0, value: 2, acked_at: 6 }]);
        assert_eq!(r.writes_acked, 5);
    }

    #[test]
    fn last_write_wins_covers_by_timestamp() {
        let mut h = H(Vec::new(), 0);
        let late = Version { value: 7, clock: VectorClock::new(), ts: 100 };
        let early = Version { value: 8, clock: VectorClock::new(), ts: 50 };
        h.op(10, Some(7), &[], (0, 5), OpResult::Written(late.clone()));
        // Written later in real time but with an earlier (skewed) timestamp.
        h.op(11, Some(8), &[], (10, 15), OpResult::Written(early));
        h.op(12, None, &[], (20, 25), OpResult::Read(vec![late]));
        let r = check_history(Versioning::LastWriteWins, &h.0, |_, v| v == 7);
        // The read is not stale (7 has the later timestamp) but write 8 is lost.
        assert_eq!((r.stale_reads, r.lost_writes.len()), (0, 1));
        assert_eq!(r.lost_writes[0].value, 8);
    }
}
