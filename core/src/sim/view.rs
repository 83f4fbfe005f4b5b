//! What the space-time diagram draws, taken from a run's trace: one lane per node, an arrow per
//! message (delivered, dropped with its reason, or still in flight), and marks for crashes,
//! recoveries, partitions, inputs and notes. The web widget only draws this; choosing what falls
//! in the window, and what became of each message, happens here where it can be tested.

use super::network::DropReason;
use super::scenario::Fault;
use super::trace::TraceEvent;
use super::{Micros, Node, NodeId, Sim};
use std::collections::BTreeMap;

/// One node's lane.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub id: NodeId,
    pub name: String,
    pub up: bool,
}

/// What became of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    InFlight,
    Delivered,
    Dropped(DropReason),
}

/// One message, drawn from (sent, from) to (arrives, to).
#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    pub id: u64,
    pub from: NodeId,
    pub to: NodeId,
    pub sent: Micros,
    pub arrives: Micros,
    pub fate: Fate,
    /// The message's one-line contents.
    pub summary: String,
}

/// The kind of a mark on a lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkKind {
    Crash,
    Recover,
    /// The network was cut (drawn across every lane).
    Partition,
    Heal,
    /// Another fault (loss, latency, skew), across every lane or on one node.
    Fault,
    /// A person's input to the node.
    Input,
    Note,
}

/// A mark at a time on one lane (or on all of them when `node` is `None`).
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub node: Option<NodeId>,
    pub time: Micros,
    pub kind: MarkKind,
    pub text: String,
}

/// Everything the diagram shows between `from` and `to`.
#[derive(Clone, Debug, PartialEq)]
pub struct SpaceTime {
    pub from: Micros,
    pub to: Micros,
    pub lanes: Vec<Lane>,
    /// Oldest first.
    pub arrows: Vec<Arrow>,
    pub marks: Vec<Mark>,
    /// Arrows left out because there were more than asked for (the oldest go first).
    pub omitted: usize,
}

/// The diagram of `sim` for the window `from ..= to`, with at most `max_arrows` messages (the
/// newest). Messages that overlap the window are drawn, even if sent before it.
pub fn space_time<N: Node>(sim: &Sim<N>, from: Micros, to: Micros, max_arrows: usize) -> SpaceTime {
    let name = |id: NodeId| sim.name(id).to_string();
    let now = sim.now();
    let mut arrows: Vec<Arrow> = Vec::new();
    let mut index: BTreeMap<u64, usize> = BTreeMap::new();
    let mut marks = Vec::new();
    for e in sim.trace().entries() {
        if e.time > to {
            break;
        }
        match &e.event {
            TraceEvent::Send { id, from: a, to: b, arrives, msg } if *arrives >= from => {
                index.insert(id.0, arrows.len());
                let fate = if *arrives > now { Fate::InFlight } else { Fate::Delivered };
                arrows.push(Arrow {
                    id: id.0,
                    from: *a,
                    to: *b,
                    sent: e.time,
                    arrives: *arrives,
                    fate,
                    summary: msg.to_string(),
                });
            }
            TraceEvent::Deliver { id, .. } => {
                if let Some(&i) = index.get(&id.0) {
                    arrows[i].fate = Fate::Delivered;
                }
            }
            TraceEvent::Drop { id, reason, .. } => {
                if let Some(&i) = index.get(&id.0) {
                    arrows[i].fate = Fate::Dropped(*reason);
                }
            }
            TraceEvent::Fault(f) if e.time >= from => {
                let (node, kind) = match f {
                    Fault::Crash { node } => (Some(*node), MarkKind::Crash),
                    Fault::Recover { node } => (Some(*node), MarkKind::Recover),
                    Fault::Partition { .. } => (None, MarkKind::Partition),
                    Fault::Heal => (None, MarkKind::Heal),
                    Fault::SetSkew { node, .. } => (Some(*node), MarkKind::Fault),
                    _ => (None, MarkKind::Fault),
                };
                marks.push(Mark { node, time: e.time, kind, text: f.describe(&name) });
            }
            TraceEvent::Input { node, input, ignored } if e.time >= from => {
                let text = if *ignored {
                    format!("{input} (ignored: {} is down)", name(*node))
                } else {
                    input.to_string()
                };
                marks.push(Mark { node: Some(*node), time: e.time, kind: MarkKind::Input, text });
            }
            TraceEvent::Note { node, text } if e.time >= from => {
                marks.push(Mark {
                    node: Some(*node),
                    time: e.time,
                    kind: MarkKind::Note,
                    text: text.clone(),
                });
            }
            _ => {}
        }
    }
    let omitted = arrows.len().saturating_sub(max_arrows);
    arrows.drain(..omitted);
    SpaceTime {
        from,
        to,
        lanes: sim.nodes().map(|n| Lane { id: n.id, name: n.name.to_string(), up: n.up }).collect(),
        arrows,
        marks,
        omitted,
    }
}
