//! The record of a run: every send, delivery, drop, timer, fault, input and note, kept in a
//! bounded buffer (the newest entries; a long run forgets its beginning) and folded, every one of
//! them, into a 64-bit digest.
//!
//! The digest is how determinism is checked: two runs of one scenario, natively or in the
//! browser, must end with the same number. It hashes each entry's fields with FNV-1a's
//! xor-and-multiply step (Fowler, Noll and Vo; the 64-bit offset basis and prime), applied to whole
//! little-endian 64-bit words rather than single bytes, which is four to eight times faster and
//! still changes with any field of any entry. Lengths and enum tags are hashed as 64-bit words
//! too, so the digest does not depend on the width of `usize` (wasm32 has 32 bits, x86-64 has 64).

use super::network::DropReason;
use super::{Fault, Micros, MsgId, Node, NodeId};
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

/// FNV-1a's 64-bit offset basis and prime.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The digest's hasher: FNV-1a's step over 64-bit words, independent of the platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Digest(u64);

impl Default for Digest {
    fn default() -> Digest {
        Digest(FNV_OFFSET)
    }
}

impl Digest {
    #[inline]
    fn word(&mut self, w: u64) {
        self.0 = (self.0 ^ w).wrapping_mul(FNV_PRIME);
    }

    /// The digest of everything written so far.
    pub fn value(&self) -> u64 {
        self.0
    }
}

impl Hasher for Digest {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.word(u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            // Mark the tail's length so "ab" and "ab\0" differ.
            self.word(u64::from_le_bytes(last) ^ ((rest.len() as u64) << 59));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.word(u64::from(i));
    }
    fn write_u16(&mut self, i: u16) {
        self.word(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.word(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.word(i);
    }
    fn write_u128(&mut self, i: u128) {
        self.word(i as u64);
        self.word((i >> 64) as u64);
    }
    fn write_usize(&mut self, i: usize) {
        self.word(i as u64);
    }
    fn write_i8(&mut self, i: i8) {
        self.word(i as u64);
    }
    fn write_i16(&mut self, i: i16) {
        self.word(i as u64);
    }
    fn write_i32(&mut self, i: i32) {
        self.word(i as u64);
    }
    fn write_i64(&mut self, i: i64) {
        self.word(i as u64);
    }
    fn write_isize(&mut self, i: isize) {
        self.word(i as i64 as u64);
    }
}

/// What happened, in one entry of the trace.
pub enum TraceEvent<N: Node> {
    /// A message left `from`; it is due at `arrives` (unless it is dropped).
    Send { id: MsgId, from: NodeId, to: NodeId, arrives: Micros, msg: Rc<N::Msg> },
    /// A message reached `to` (its contents are on its `Send` entry, linked by `id`).
    Deliver { id: MsgId, from: NodeId, to: NodeId, sent: Micros },
    /// A message did not reach `to`: recorded at the time it would have arrived.
    Drop { id: MsgId, from: NodeId, to: NodeId, sent: Micros, reason: DropReason },
    /// A node's timer fired.
    Timer { node: NodeId, timer: N::Timer },
    /// A fault was applied.
    Fault(Fault),
    /// A user input reached a node (or was ignored because the node was down).
    Input { node: NodeId, input: N::Input, ignored: bool },
    /// A node (or the engine) wrote a note for the reader.
    Note { node: NodeId, text: String },
}

impl<N: Node> Clone for TraceEvent<N> {
    fn clone(&self) -> Self {
        match self {
            TraceEvent::Send { id, from, to, arrives, msg } => {
                TraceEvent::Send { id: *id, from: *from, to: *to, arrives: *arrives, msg: msg.clone() }
            }
            TraceEvent::Deliver { id, from, to, sent } => {
                TraceEvent::Deliver { id: *id, from: *from, to: *to, sent: *sent }
            }
            TraceEvent::Drop { id, from, to, sent, reason } => {
                TraceEvent::Drop { id: *id, from: *from, to: *to, sent: *sent, reason: *reason }
            }
            TraceEvent::Timer { node, timer } => TraceEvent::Timer { node: *node, timer: timer.clone() },
            TraceEvent::Fault(f) => TraceEvent::Fault(f.clone()),
            TraceEvent::Input { node, input, ignored } => {
                TraceEvent::Input { node: *node, input: input.clone(), ignored: *ignored }
            }
            TraceEvent::Note { node, text } => TraceEvent::Note { node: *node, text: text.clone() },
        }
    }
}

impl<N: Node> TraceEvent<N> {
    fn digest(&self, h: &mut Digest) {
        match self {
            TraceEvent::Send { id, from, to, arrives, msg } => {
                h.word(1);
                (id.0, from.0, to.0, arrives).hash(h);
                msg.hash(h);
            }
            TraceEvent::Deliver { id, from, to, sent } => {
                // The message itself was hashed when it was sent.
                h.word(2);
                (id.0, from.0, to.0, sent).hash(h);
            }
            TraceEvent::Drop { id, from, to, sent, reason } => {
                h.word(3);
                (id.0, from.0, to.0, sent, reason).hash(h);
            }
            TraceEvent::Timer { node, timer } => {
                h.word(4);
                node.hash(h);
                timer.hash(h);
            }
            TraceEvent::Fault(f) => {
                h.word(5);
                f.hash(h);
            }
            TraceEvent::Input { node, input, ignored } => {
                h.word(6);
                (node, ignored).hash(h);
                input.hash(h);
            }
            TraceEvent::Note { node, text } => {
                h.word(7);
                (node, text).hash(h);
            }
        }
    }
}

/// One entry: the event, when it happened, and the number of the engine step that caused it
/// (0 for what happened before the first event).
pub struct TraceEntry<N: Node> {
    pub step: u64,
    pub time: Micros,
    pub event: TraceEvent<N>,
}

impl<N: Node> Clone for TraceEntry<N> {
    fn clone(&self) -> Self {
        TraceEntry { step: self.step, time: self.time, event: self.event.clone() }
    }
}

/// The bounded trace and the digest of everything ever recorded in it.
pub struct Trace<N: Node> {
    entries: VecDeque<TraceEntry<N>>,
    capacity: usize,
    keeping: bool,
    digesting: bool,
    recorded: u64,
    digest: Digest,
}

impl<N: Node> Clone for Trace<N> {
    fn clone(&self) -> Self {
        Trace {
            entries: self.entries.clone(),
            capacity: self.capacity,
            keeping: self.keeping,
            digesting: self.digesting,
            recorded: self.recorded,
            digest: self.digest,
        }
    }
}

impl<N: Node> Trace<N> {
    /// A trace that keeps the newest `capacity` entries (0 keeps none but still digests all).
    pub fn new(capacity: usize) -> Trace<N> {
        Trace {
            entries: VecDeque::new(),
            capacity,
            keeping: true,
            digesting: true,
            recorded: 0,
            digest: Digest::default(),
        }
    }

    /// The same trace without its entries (the digest and counts carry on): what a snapshot keeps.
    pub fn without_entries(&self) -> Trace<N> {
        Trace {
            entries: VecDeque::new(),
            capacity: self.capacity,
            keeping: self.keeping,
            digesting: self.digesting,
            recorded: self.recorded,
            digest: self.digest,
        }
    }

    /// Adds an entry (built only when something will use it): to the digest unless digesting is
    /// off, to the buffer while keeping.
    #[inline]
    pub fn record(&mut self, step: u64, time: Micros, event: impl FnOnce() -> TraceEvent<N>) {
        self.recorded += 1;
        let keep = self.keeping && self.capacity > 0;
        if !keep && !self.digesting {
            return;
        }
        let event = event();
        if self.digesting {
            self.digest.word(step);
            self.digest.word(time);
            event.digest(&mut self.digest);
        }
        if keep {
            if self.entries.len() >= self.capacity {
                self.entries.pop_front();
            }
            self.entries.push_back(TraceEntry { step, time, event });
        }
    }

    /// Turns the digest off (or on again): a long run that nobody will compare saves the
    /// hashing. A digest that was off for part of a run is not comparable with one that was not.
    pub fn set_digesting(&mut self, digesting: bool) {
        self.digesting = digesting;
    }

    /// Whether the digest covers every entry recorded.
    pub fn digesting(&self) -> bool {
        self.digesting
    }

    /// Whether entries go to the buffer (replaying up to a point already seen turns this off).
    pub fn set_keeping(&mut self, keeping: bool) {
        self.keeping = keeping;
    }

    /// The digest of every entry recorded since the start of the run.
    pub fn digest(&self) -> u64 {
        self.digest.value()
    }

    /// How many entries were recorded since the start (kept or not).
    pub fn recorded(&self) -> u64 {
        self.recorded
    }

    /// The kept entries, oldest first.
    pub fn entries(&self) -> &VecDeque<TraceEntry<N>> {
        &self.entries
    }

    /// Keeps at most `capacity` entries from now on (dropping the oldest beyond it).
    pub fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity;
        while self.entries.len() > capacity {
            self.entries.pop_front();
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Replaces the kept entries with those of `other` up to and including step `step`.
    pub(crate) fn adopt_prefix(&mut self, other: &Trace<N>, step: u64) {
        let keep = other.entries.partition_point(|e| e.step <= step);
        self.entries = other.entries.range(..keep).cloned().collect();
        while self.entries.len() > self.capacity {
            self.entries.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_starts_at_the_fnv_offset_and_mixes_words() {
        let mut d = Digest::default();
        assert_eq!(d.value(), 0xcbf29ce484222325);
        d.write_u64(0);
        assert_eq!(d.value(), 0xcbf29ce484222325u64.wrapping_mul(0x100000001b3));
        // usize and u64 hash alike, so wasm32 and x86-64 agree.
        let (mut a, mut b) = (Digest::default(), Digest::default());
        a.write_usize(7);
        b.write_u64(7);
        assert_eq!(a, b);
        // The tail of a byte string is length-marked.
        let (mut a, mut b) = (Digest::default(), Digest::default());
        a.write(b"ab");
        b.write(b"ab\0");
        assert_ne!(a, b);
    }
}
