//! The deterministic discrete-event simulation engine that every system with peers runs on: the
//! key-value store first, later the crawler, notifications, chat, video and file sync.
//!
//! The idea (as in turmoil, madsim and FoundationDB's simulator): nothing happens "for real".
//! Time is a virtual clock in microseconds that jumps from one event to the next; the events wait
//! in one queue ordered by (time, sequence number), so two events at the same instant always run
//! in the order they were scheduled. Nodes are state machines: the engine hands a node a message,
//! a timer or a user input together with a [`Ctx`], and the node answers by sending messages and
//! setting timers through that context. The network between nodes is a model ([`network`]): each
//! message's delay is drawn from a latency distribution, it may be lost, a partition may cut it,
//! and a crashed node drops what arrives. All randomness comes from one `ChaCha8Rng` seeded from
//! the scenario's seed, and every transcendental function goes through `libm`, so a run is the
//! same natively and in the browser, bit for bit.
//!
//! Everything the engine does is written to a bounded [`trace`] and folded into a 64-bit digest;
//! a [`scenario`] (seed, parameters, fault schedule, user actions) is plain serde data that
//! replays to the same digest, and [`replay::Run`] uses that to step back, scrub and fork a run.

pub mod engine;
pub mod latency;
pub mod metrics;
pub mod network;
pub mod permalink;
pub mod replay;
pub mod scenario;
pub mod trace;
pub mod view;
pub mod ziggurat;

pub use engine::{Ctx, Sim};
pub use latency::{LatencyModel, LatencyPreset, LatencyShape};
pub use metrics::{Histogram, Metrics};
pub use network::{DropReason, Network};
pub use replay::{Run, System};
pub use scenario::{Action, Fault, Scenario, Scheduled, When};
pub use trace::{Trace, TraceEntry, TraceEvent};

use serde::{Deserialize, Serialize};
use std::fmt;
use std::hash::Hash;

/// Virtual time and durations, in microseconds since the start of the run.
pub type Micros = u64;

/// Microseconds in a millisecond and in a second, for readable constants.
pub const MS: Micros = 1_000;
pub const SECOND: Micros = 1_000_000;

/// A node of the simulated cluster: its index in the engine's node list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NodeId(pub u32);

impl NodeId {
    /// The index into the engine's node list.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A timer's handle, unique over the whole run: cancel it with [`Ctx::cancel_timer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimerId(pub u64);

/// A message's number, unique over the whole run: it links a send to its delivery or drop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MsgId(pub u64);

/// A participant of a simulation. The engine calls these handlers one at a time, in the order of
/// the event queue; a handler reacts through the [`Ctx`] (send, set a timer, draw a random number,
/// note something for the observer) and never sees the wall clock or any other node's state.
///
/// A node's fields are its state. What a crash loses is up to the node: [`Node::on_crash`] must
/// drop the volatile part (requests in progress, caches) and keep what a real server would have
/// on disk.
pub trait Node: Clone {
    /// What nodes send each other. `Display` is the one-line summary the space-time diagram shows.
    type Msg: Clone + fmt::Debug + fmt::Display + Hash;
    /// What a node asks to be woken up with.
    type Timer: Clone + fmt::Debug + fmt::Display + Hash;
    /// What a person (or a scenario's script) can tell a node to do.
    type Input: Clone + fmt::Debug + fmt::Display + Hash;
    /// The omniscient observer's state: histories, checkers and statistics that nodes write to as
    /// things happen. Nodes must never read it to make a decision; it is how the page and the
    /// tests see what happened.
    type Observer: Clone;

    /// Called once for every node at time 0, in node order.
    fn on_start(&mut self, _ctx: &mut Ctx<'_, Self>) {}
    /// A message from `from` has arrived.
    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &Self::Msg);
    /// A timer set earlier (and not cancelled) has fired.
    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Self::Timer);
    /// A user input addressed to this node.
    fn on_input(&mut self, _ctx: &mut Ctx<'_, Self>, _input: Self::Input) {}
    /// The node has crashed: drop the volatile state. The node's timers are already void and
    /// anything it sends from here is discarded; the context is for telling the observer.
    fn on_crash(&mut self, _ctx: &mut Ctx<'_, Self>) {}
    /// The node is back up after a crash (with whatever [`Node::on_crash`] kept).
    fn on_recover(&mut self, _ctx: &mut Ctx<'_, Self>) {}
}

#[cfg(test)]
mod tests;
