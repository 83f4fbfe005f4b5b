//! The network between simulated nodes: a latency distribution per link, random loss, and
//! partitions that cut the cluster into groups that cannot reach each other.
//!
//! Links are like UDP, not TCP: each message is delayed independently, so two messages on the
//! same link can arrive out of order, and a lost one is simply gone (a protocol that needs
//! retries must do them itself, as real ones do). A message to oneself arrives at once and is
//! never lost.

use super::{LatencyModel, NodeId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Why a message never reached its destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// Random loss on the link.
    Loss,
    /// The sender and the receiver were on different sides of a partition when it was sent or
    /// when it would have arrived.
    Partition,
    /// The receiver was down when it arrived.
    NodeDown,
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DropReason::Loss => "lost on the link",
            DropReason::Partition => "cut by a partition",
            DropReason::NodeDown => "receiver down",
        })
    }
}

/// The state of the simulated network.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    /// The delay of every link without an override.
    pub default_latency: LatencyModel,
    /// Directed per-link overrides: (from, to) → model.
    pub links: BTreeMap<(NodeId, NodeId), LatencyModel>,
    /// The probability that a message between two different nodes is lost, in [0, 1].
    pub loss: f64,
    /// The partition group of every node; all equal when the network is whole.
    groups: Vec<u32>,
}

impl Network {
    /// A whole network of `nodes` nodes with one latency model and no loss.
    pub fn new(nodes: usize, latency: LatencyModel) -> Network {
        Network { default_latency: latency, links: BTreeMap::new(), loss: 0.0, groups: vec![0; nodes] }
    }

    /// The latency model of the directed link `from → to`.
    pub fn latency(&self, from: NodeId, to: NodeId) -> &LatencyModel {
        if self.links.is_empty() {
            return &self.default_latency;
        }
        self.links.get(&(from, to)).unwrap_or(&self.default_latency)
    }

    /// Whether a message can currently go from `a` to `b` (same side of any partition).
    pub fn reachable(&self, a: NodeId, b: NodeId) -> bool {
        self.groups.get(a.index()) == self.groups.get(b.index())
    }

    /// Whether a partition is in force.
    pub fn is_partitioned(&self) -> bool {
        self.groups.windows(2).any(|w| w[0] != w[1])
    }

    /// The partition group of every node (group numbers start at 0; nodes not named in the
    /// partition share the last group).
    pub fn groups(&self) -> &[u32] {
        &self.groups
    }

    /// Cuts the network into `groups`; every node not named joins one more group of its own
    /// together with the other unnamed nodes. The caller has validated the node ids.
    pub fn partition(&mut self, groups: &[Vec<NodeId>]) {
        let rest = groups.len() as u32;
        self.groups.iter_mut().for_each(|g| *g = rest);
        for (i, group) in groups.iter().enumerate() {
            for node in group {
                if let Some(g) = self.groups.get_mut(node.index()) {
                    *g = i as u32;
                }
            }
        }
    }

    /// Ends any partition.
    pub fn heal(&mut self) {
        self.groups.iter_mut().for_each(|g| *g = 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_split_named_groups_and_the_rest() {
        let mut net = Network::new(5, LatencyModel::Constant { us: 250 });
        assert!(!net.is_partitioned());
        net.partition(&[vec![NodeId(0), NodeId(1)], vec![NodeId(2)]]);
        assert_eq!(net.groups(), &[0, 0, 1, 2, 2]);
        assert!(net.is_partitioned());
        assert!(net.reachable(NodeId(0), NodeId(1)));
        assert!(!net.reachable(NodeId(1), NodeId(2)));
        assert!(net.reachable(NodeId(3), NodeId(4)));
        assert!(!net.reachable(NodeId(4), NodeId(0)));
        net.heal();
        assert!(net.reachable(NodeId(4), NodeId(0)));
        assert!(!net.is_partitioned());
    }

    #[test]
    fn link_overrides_are_directed() {
        let mut net = Network::new(3, LatencyModel::Constant { us: 250 });
        net.links.insert((NodeId(0), NodeId(2)), LatencyModel::Constant { us: 75_000 });
        assert_eq!(net.latency(NodeId(0), NodeId(2)), &LatencyModel::Constant { us: 75_000 });
        assert_eq!(net.latency(NodeId(2), NodeId(0)), &LatencyModel::Constant { us: 250 });
    }
}
