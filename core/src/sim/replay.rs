//! Stepping back, scrubbing and forking a run, by replaying its scenario.
//!
//! A run never needs to be undone: since the same scenario always gives the same events, the
//! state at any earlier step is "the start, replayed up to that step". To make that quick the
//! [`Run`] keeps snapshots (copies of the simulation without its trace entries) every so many
//! steps, restores the latest one before the target and replays the rest. Snapshots are thinned
//! as the run grows (every other one dropped, the interval doubled), so memory stays bounded.
//!
//! Acting on a paused run (crash a node, send a request) forks it: the action is recorded in the
//! scenario as "after step k", whatever the old run did after step k is forgotten, and from then
//! on the new scenario is the truth. Its permalink reproduces the fork exactly.

use super::scenario::{Action, Scenario, Scheduled, When};
use super::{Micros, Node, Sim};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Debug;

/// The input type of a system's nodes.
pub type InputOf<S> = <<S as System>::Node as Node>::Input;

/// A system that runs on the engine: how to build its simulation from a scenario.
pub trait System {
    type Node: Node;
    type Params: Clone + PartialEq + Debug + Serialize + DeserializeOwned;

    /// Builds the run, or says what is wrong with the parameters.
    fn build(scenario: &Scenario<Self::Params, InputOf<Self>>) -> Result<Sim<Self::Node>, String>;
}

/// The most snapshots a run keeps before thinning them.
const MAX_SNAPSHOTS: usize = 32;
/// Steps between snapshots at the start of a run.
const FIRST_INTERVAL: u64 = 2_000;

/// A run that can go back in time.
pub struct Run<S: System> {
    scenario: Scenario<S::Params, InputOf<S>>,
    sim: Sim<S::Node>,
    /// Snapshots in increasing step order; the first is the state after step 0.
    snapshots: Vec<Sim<S::Node>>,
    interval: u64,
}

impl<S: System> Run<S> {
    /// Builds the run of `scenario`, paused before its first event.
    pub fn new(scenario: Scenario<S::Params, InputOf<S>>) -> Result<Run<S>, String> {
        let sim = S::build(&scenario)?;
        let snapshots = vec![sim.snapshot()];
        Ok(Run { scenario, sim, snapshots, interval: FIRST_INTERVAL })
    }

    /// The simulation at the current point.
    pub fn sim(&self) -> &Sim<S::Node> {
        &self.sim
    }

    /// The scenario that reproduces the current run (with every action taken so far).
    pub fn scenario(&self) -> &Scenario<S::Params, InputOf<S>> {
        &self.scenario
    }

    fn maybe_snapshot(&mut self) {
        let last = self.snapshots.last().map_or(0, |s| s.steps());
        if self.sim.steps() >= last + self.interval {
            self.snapshots.push(self.sim.snapshot());
            if self.snapshots.len() > MAX_SNAPSHOTS {
                let mut i = 0;
                self.snapshots.retain(|_| {
                    i += 1;
                    i % 2 == 1
                });
                self.interval *= 2;
            }
        }
    }

    /// Runs the next event; false when nothing is left.
    pub fn step(&mut self) -> bool {
        let ran = self.sim.step();
        self.maybe_snapshot();
        ran
    }

    /// Runs every event due at or before `t` (forward only; see [`Run::seek_time`]).
    pub fn run_until(&mut self, t: Micros) {
        while !self.run_until_bounded(t, u64::MAX) {}
    }

    /// Runs at most `budget` events towards `t`; returns whether `t` was reached.
    pub fn run_until_bounded(&mut self, t: Micros, budget: u64) -> bool {
        let mut left = budget;
        while left > 0 {
            if self.sim.next_time().is_none_or(|next| next > t) {
                self.sim.run_until(t);
                return true;
            }
            self.sim.step();
            self.maybe_snapshot();
            left -= 1;
        }
        let done = self.sim.next_time().is_none_or(|next| next > t);
        if done {
            self.sim.run_until(t);
        }
        done
    }

    /// Restores the latest snapshot at or before `step` (trace kept off until the caller is done).
    fn restore_before(&self, fits: impl Fn(&Sim<S::Node>) -> bool) -> Sim<S::Node> {
        let i = self.snapshots.iter().rposition(fits).unwrap_or(0);
        let mut sim = self.snapshots[i].snapshot();
        sim.trace_mut().set_keeping(false);
        sim
    }

    fn adopt(&mut self, mut sim: Sim<S::Node>) {
        sim.trace_mut().set_keeping(true);
        let steps = sim.steps();
        sim.trace_mut().adopt_prefix(self.sim.trace(), steps);
        self.sim = sim;
    }

    /// Goes to the state right after `step` events: back by replaying from a snapshot, forward by
    /// running at most `budget` more events (a run whose timers never stop has no end to run
    /// to). Errs, at the furthest point reached, when the budget or the events run out first.
    pub fn seek_step(&mut self, step: u64, budget: u64) -> Result<(), String> {
        if step >= self.sim.steps() {
            let mut left = budget;
            while self.sim.steps() < step && left > 0 && self.step() {
                left -= 1;
            }
            let reached = self.sim.steps();
            return if reached == step {
                Ok(())
            } else {
                Err(format!("Step {step} is past the {reached} events this run reached."))
            };
        }
        let mut sim = self.restore_before(|s| s.steps() <= step);
        sim.run_to_step(step);
        self.adopt(sim);
        Ok(())
    }

    /// Goes one event back (nothing happens at step 0).
    pub fn step_back(&mut self) {
        if let Some(previous) = self.sim.steps().checked_sub(1) {
            // Backwards: within what was run, never short.
            let _ = self.seek_step(previous, 0);
        }
    }

    /// Goes to virtual time `t`: every event due at or before `t` has run (forward or back).
    pub fn seek_time(&mut self, t: Micros) {
        if t >= self.sim.now() {
            self.run_until(t);
            return;
        }
        let mut sim = self.restore_before(|s| s.now() <= t);
        sim.run_until(t);
        self.adopt(sim);
    }

    /// Applies an action now and records it in the scenario, forking the run: actions that the
    /// old run took after this step are dropped. Errs (changing nothing) on an invalid action.
    pub fn act(&mut self, action: Action<InputOf<S>>) -> Result<(), String> {
        let (step, time) = (self.sim.steps(), self.sim.now());
        self.sim.act(action.clone())?;
        self.scenario
            .schedule
            .retain(|item| !matches!(item.when, When::AfterStep { step: s, .. } if s > step));
        self.scenario.schedule.push(Scheduled { when: When::AfterStep { step, time }, action });
        // Snapshots taken at this step or later do not have the action.
        self.snapshots.retain(|s| s.steps() < step);
        if self.snapshots.is_empty() {
            // Acting before the first event: rebuild step 0 with the action in the scenario.
            let fresh = S::build(&self.scenario)?;
            self.snapshots.push(fresh.snapshot());
        }
        for snapshot in &mut self.snapshots {
            snapshot.replace_after_actions(&self.scenario.schedule);
        }
        self.sim.replace_after_actions(&self.scenario.schedule);
        Ok(())
    }

    /// Starts over from the same scenario (with the actions taken so far).
    pub fn restart(&mut self) -> Result<(), String> {
        *self = Run::new(self.scenario.clone())?;
        Ok(())
    }

    /// The digest of the trace so far.
    pub fn digest(&self) -> u64 {
        self.sim.digest()
    }
}
