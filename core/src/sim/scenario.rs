//! A scenario: everything that decides a run, as plain serde data. The seed, the system's
//! parameters, and a schedule of faults and user actions. Replaying the same scenario gives the
//! same trace, event for event, which is what makes a permalink, step-back and fork possible.
//!
//! A scheduled item happens either at a virtual time (a fault plan: "crash S2 at 1.5 s") or right
//! after a given number of events (what a person did while the run was paused at that step and
//! time, so that a replay puts it between exactly the same two events, at the same instant).

use super::{LatencyModel, Micros, NodeId};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::hash::{Hash, Hasher};

/// The most items a schedule may hold (a permalink is typed or pasted by a person).
pub const MAX_SCHEDULE: usize = 10_000;
/// The largest clock skew a node may have: one hour either way.
pub const MAX_SKEW_US: i64 = 3_600_000_000;
/// The latest time a schedule may name: one simulated day (a time near `u64::MAX` would jump
/// the clock to where adding anything to it overflows).
pub const MAX_SCHEDULED_US: Micros = 86_400_000_000;

/// Something that goes wrong with (or is done to) the cluster rather than by it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "fault", rename_all = "snake_case")]
pub enum Fault {
    /// The node stops: it loses its volatile state, its timers are void and what arrives for it
    /// is dropped.
    Crash { node: NodeId },
    /// The node starts again with what it kept.
    Recover { node: NodeId },
    /// Cut the network into groups (nodes not named form one more group together).
    Partition { groups: Vec<Vec<NodeId>> },
    /// End any partition.
    Heal,
    /// Set the probability that a message is lost, in [0, 1].
    SetLoss { loss: f64 },
    /// Set the latency model of every link without an override.
    SetLatency { model: LatencyModel },
    /// Set the latency model of one directed link.
    SetLinkLatency { from: NodeId, to: NodeId, model: LatencyModel },
    /// Set how far a node's clock is ahead (positive) or behind (negative) the true time.
    SetSkew { node: NodeId, skew_us: i64 },
}

impl Hash for Fault {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Fault::Crash { node } => (0u8, node).hash(state),
            Fault::Recover { node } => (1u8, node).hash(state),
            Fault::Partition { groups } => (2u8, groups).hash(state),
            Fault::Heal => 3u8.hash(state),
            Fault::SetLoss { loss } => (4u8, loss.to_bits()).hash(state),
            Fault::SetLatency { model } => (5u8, model).hash(state),
            Fault::SetLinkLatency { from, to, model } => (6u8, from, to, model).hash(state),
            Fault::SetSkew { node, skew_us } => (7u8, node, skew_us).hash(state),
        }
    }
}

impl Fault {
    /// Checks the fault against a cluster of `nodes` nodes.
    pub fn validate(&self, nodes: usize) -> Result<(), String> {
        let node_ok = |n: &NodeId| {
            if n.index() < nodes {
                Ok(())
            } else {
                Err(format!(
                    "There is no node {} (the cluster has nodes 0 to {}).",
                    n.0,
                    nodes.saturating_sub(1)
                ))
            }
        };
        match self {
            Fault::Crash { node } | Fault::Recover { node } => node_ok(node),
            Fault::Partition { groups } => {
                let mut seen = vec![false; nodes];
                for n in groups.iter().flatten() {
                    node_ok(n)?;
                    if std::mem::replace(&mut seen[n.index()], true) {
                        return Err(format!(
                            "Node {} is named in two sides of the partition; name it once.",
                            n.0
                        ));
                    }
                }
                Ok(())
            }
            Fault::Heal => Ok(()),
            Fault::SetLoss { loss } => {
                if loss.is_finite() && (0.0..=1.0).contains(loss) {
                    Ok(())
                } else {
                    Err(format!("Message loss is a probability from 0 to 1; got {loss}."))
                }
            }
            Fault::SetLatency { model } => model.validate(),
            Fault::SetLinkLatency { from, to, model } => {
                node_ok(from)?;
                node_ok(to)?;
                model.validate()
            }
            Fault::SetSkew { node, skew_us } => {
                node_ok(node)?;
                if skew_us.unsigned_abs() <= MAX_SKEW_US as u64 {
                    Ok(())
                } else {
                    Err(format!("A clock skew must be within one hour (±3.6·10^9 µs); got {skew_us} µs."))
                }
            }
        }
    }

    /// One line for the trace and the fault panel, with node names from `name`.
    pub fn describe(&self, name: &dyn Fn(NodeId) -> String) -> String {
        match self {
            Fault::Crash { node } => format!("{} crashes", name(*node)),
            Fault::Recover { node } => format!("{} recovers", name(*node)),
            Fault::Partition { groups } => {
                let sides: Vec<String> = groups
                    .iter()
                    .map(|g| g.iter().map(|n| name(*n)).collect::<Vec<_>>().join(" "))
                    .map(|s| format!("{{{s}}}"))
                    .collect();
                format!("partition {} | the rest", sides.join(" | "))
            }
            Fault::Heal => "partition healed".to_string(),
            Fault::SetLoss { loss } => {
                format!("message loss set to {}%", crate::format::significant(loss * 100.0, 3))
            }
            Fault::SetLatency { model } => format!("latency set to {}", model.describe()),
            Fault::SetLinkLatency { from, to, model } => {
                format!("latency {} → {} set to {}", name(*from), name(*to), model.describe())
            }
            Fault::SetSkew { node, skew_us } => {
                let d = crate::format::duration_ns(skew_us.unsigned_abs() as f64 * 1e3);
                let dir = if *skew_us < 0 { "behind" } else { "ahead" };
                format!("{}'s clock set {d} {dir}", name(*node))
            }
        }
    }
}

/// What a scheduled item does: a fault, or an input to one node.
#[derive(Clone, Debug, PartialEq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action<I> {
    Fault(Fault),
    Input { node: NodeId, input: I },
}

/// When a scheduled item happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// At this virtual time, after the events already queued for the same instant.
    At(Micros),
    /// Right after `step` events have been processed (0: before the first), with the clock moved
    /// on to `time` if it reads less (a run paused at a time between two events).
    AfterStep { step: u64, time: Micros },
}

/// One item of a scenario's schedule.
#[derive(Clone, Debug, PartialEq, Hash, Serialize, Deserialize)]
pub struct Scheduled<I> {
    pub when: When,
    pub action: Action<I>,
}

/// Everything that decides a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scenario<P, I> {
    /// The seed of the run's only random number generator.
    pub seed: u64,
    /// The system's own parameters (cluster size, quorum, workload ...).
    pub params: P,
    /// Faults and user actions, in the order they were added.
    #[serde(default = "Vec::new")]
    pub schedule: Vec<Scheduled<I>>,
}

impl<P, I> Scenario<P, I> {
    pub fn new(seed: u64, params: P) -> Scenario<P, I> {
        Scenario { seed, params, schedule: Vec::new() }
    }

    /// Checks the schedule against a cluster of `nodes` nodes (the system checks the params).
    pub fn validate_schedule(&self, nodes: usize) -> Result<(), String> {
        if self.schedule.len() > MAX_SCHEDULE {
            return Err(format!(
                "The scenario schedules {} faults and actions; at most {MAX_SCHEDULE} are allowed.",
                self.schedule.len()
            ));
        }
        for item in &self.schedule {
            let (When::At(time) | When::AfterStep { time, .. }) = item.when;
            if time > MAX_SCHEDULED_US {
                return Err(format!(
                    "An item is scheduled at {time} µs; the latest time a scenario may name is one simulated day (8.64·10^10 µs)."
                ));
            }
            match &item.action {
                Action::Fault(f) => f.validate(nodes)?,
                Action::Input { node, .. } if node.index() >= nodes => {
                    return Err(format!("An action is addressed to node {}, which does not exist.", node.0));
                }
                Action::Input { .. } => {}
            }
        }
        Ok(())
    }
}

impl<I: fmt::Display> Action<I> {
    /// One line for the page, with node names from `name`.
    pub fn describe(&self, name: &dyn Fn(NodeId) -> String) -> String {
        match self {
            Action::Fault(f) => f.describe(name),
            Action::Input { node, input } => format!("{}: {input}", name(*node)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_checked_against_the_cluster() {
        let cases: [(Fault, Option<&str>); 8] = [
            (Fault::Crash { node: NodeId(2) }, None),
            (Fault::Crash { node: NodeId(3) }, Some("There is no node 3 (the cluster has nodes 0 to 2).")),
            (Fault::Partition { groups: vec![vec![NodeId(0)], vec![NodeId(1)]] }, None),
            (
                Fault::Partition { groups: vec![vec![NodeId(0)], vec![NodeId(0)]] },
                Some("Node 0 is named in two sides of the partition; name it once."),
            ),
            (Fault::SetLoss { loss: 0.25 }, None),
            (Fault::SetLoss { loss: 1.5 }, Some("Message loss is a probability from 0 to 1; got 1.5.")),
            (Fault::SetSkew { node: NodeId(1), skew_us: -5_000 }, None),
            (
                Fault::SetSkew { node: NodeId(1), skew_us: i64::MIN },
                Some("A clock skew must be within one hour (±3.6·10^9 µs); got -9223372036854775808 µs."),
            ),
        ];
        for (fault, want) in cases {
            assert_eq!(fault.validate(3).err().as_deref(), want, "{fault:?}");
        }
    }

    #[test]
    fn a_schedule_names_times_up_to_one_simulated_day() {
        let at = |when: When| Scenario::<(), u64> {
            seed: 1,
            params: (),
            schedule: vec![Scheduled { when, action: Action::Fault(Fault::Heal) }],
        };
        assert_eq!(at(When::At(MAX_SCHEDULED_US)).validate_schedule(3), Ok(()));
        assert_eq!(
            at(When::At(MAX_SCHEDULED_US + 1)).validate_schedule(3),
            Err("An item is scheduled at 86400000001 µs; the latest time a scenario may name is one simulated day (8.64·10^10 µs).".to_string())
        );
        assert_eq!(
            at(When::AfterStep { step: 3, time: u64::MAX }).validate_schedule(3),
            Err(format!(
                "An item is scheduled at {} µs; the latest time a scenario may name is one simulated day (8.64·10^10 µs).",
                u64::MAX
            ))
        );
    }

    #[test]
    fn faults_read_as_sentences() {
        let name = |n: NodeId| format!("S{}", n.0);
        assert_eq!(Fault::Crash { node: NodeId(1) }.describe(&name), "S1 crashes");
        assert_eq!(
            Fault::Partition { groups: vec![vec![NodeId(0), NodeId(1)]] }.describe(&name),
            "partition {S0 S1} | the rest"
        );
        assert_eq!(Fault::SetLoss { loss: 0.05 }.describe(&name), "message loss set to 5%");
        assert_eq!(
            Fault::SetSkew { node: NodeId(2), skew_us: -1500 }.describe(&name),
            "S2's clock set 1.5 ms behind"
        );
    }
}
