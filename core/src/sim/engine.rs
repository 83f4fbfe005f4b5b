//! The event loop: one queue of events ordered by (virtual time, sequence number), nodes that
//! react to them through a [`Ctx`], and the network model in between.
//!
//! Each step pops the earliest event and runs it: a message arrives (or is dropped: lost on the
//! link, cut by a partition, or the receiver is down), a timer fires, or a scheduled fault or
//! input is applied. What the handler asked for (sends, timers, notes) is applied afterwards, in
//! the order asked; a send draws its delay from the link's latency model and its fate (loss) at
//! that moment. The sequence number breaks ties between events due at the same microsecond, so
//! the order never depends on anything but the scenario.

use super::metrics::{Histogram, Metrics};
use super::network::{DropReason, Network};
use super::scenario::{Action, Fault, Scheduled, When};
use super::trace::{Trace, TraceEvent};
use super::{Micros, MsgId, Node, NodeId, TimerId};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::rc::Rc;

/// The default number of trace entries a run keeps.
pub const DEFAULT_TRACE_CAPACITY: usize = 50_000;

/// What a handler asked for, applied when it returns. A message goes into its shared box at
/// once, so that the (possibly large) message is copied once and the effects stay small.
enum Effect<N: Node> {
    Send { to: NodeId, msg: Rc<N::Msg> },
    SetTimer { id: TimerId, after: Micros, timer: N::Timer },
    Cancel(TimerId),
    Note(String),
}

/// A node's handle on the world while it handles one event.
pub struct Ctx<'a, N: Node> {
    now: Micros,
    me: NodeId,
    skew: i64,
    rng: &'a mut ChaCha8Rng,
    effects: &'a mut Vec<Effect<N>>,
    queue: &'a mut Queue<N>,
    metrics: &'a mut Metrics,
    observer: &'a mut N::Observer,
}

impl<N: Node> Ctx<'_, N> {
    /// The true virtual time. A node's *logic* should read the time of day (timestamps) from
    /// [`Ctx::local_clock`]; the true time is for measuring (latencies, histories), as an outside
    /// observer with a perfect watch would, and for a node's monotonic timer: how long ago
    /// something happened, which skew (the only clock fault simulated, no drift) does not change.
    pub fn now(&self) -> Micros {
        self.now
    }

    /// What this node's own clock reads: the true time plus its skew (never below 0).
    pub fn local_clock(&self) -> Micros {
        (i128::from(self.now) + i128::from(self.skew)).clamp(0, i128::from(u64::MAX)) as Micros
    }

    /// This node's id.
    pub fn me(&self) -> NodeId {
        self.me
    }

    /// Sends `msg` to `to`; the network decides when (and whether) it arrives.
    pub fn send(&mut self, to: NodeId, msg: N::Msg) {
        self.effects.push(Effect::Send { to, msg: Rc::new(msg) });
    }

    /// Asks to be woken with `timer` after `after` microseconds.
    pub fn set_timer(&mut self, after: Micros, timer: N::Timer) -> TimerId {
        let id = self.queue.reserve();
        self.effects.push(Effect::SetTimer { id, after, timer });
        id
    }

    /// Cancels a timer that has not fired yet (cancelling a fired one does nothing).
    pub fn cancel_timer(&mut self, id: TimerId) {
        self.effects.push(Effect::Cancel(id));
    }

    /// The run's random number generator.
    pub fn rng(&mut self) -> &mut ChaCha8Rng {
        self.rng
    }

    /// Writes a note into the trace (shown on the space-time diagram).
    pub fn note(&mut self, text: impl Into<String>) {
        self.effects.push(Effect::Note(text.into()));
    }

    /// Named counters and histograms.
    pub fn metrics(&mut self) -> &mut Metrics {
        self.metrics
    }

    /// The observer's state: write what happened; never read it to decide.
    pub fn observer(&mut self) -> &mut N::Observer {
        self.observer
    }
}

enum Event<N: Node> {
    Deliver { id: MsgId, from: NodeId, to: NodeId, sent: Micros, msg: Rc<N::Msg>, fate: Option<DropReason> },
    Timer { node: NodeId, id: TimerId, incarnation: u32, timer: N::Timer },
    Scheduled(usize),
}

impl<N: Node> Clone for Event<N> {
    fn clone(&self) -> Self {
        match self {
            Event::Deliver { id, from, to, sent, msg, fate } => {
                Event::Deliver { id: *id, from: *from, to: *to, sent: *sent, msg: msg.clone(), fate: *fate }
            }
            Event::Timer { node, id, incarnation, timer } => {
                Event::Timer { node: *node, id: *id, incarnation: *incarnation, timer: timer.clone() }
            }
            Event::Scheduled(i) => Event::Scheduled(*i),
        }
    }
}

/// The event queue: a binary heap of small (time, sequence, slot) keys over a slab that holds the
/// events, so that sifting moves 24-byte keys and never the events themselves.
///
/// Cancelling a timer is lazy: the timer's slot is emptied (a tombstone) and its key stays in the
/// heap until it reaches the top, where it is thrown away and the slot freed. A timer's id is its
/// slot and that slot's generation (how many times the slot has been taken), so cancelling is
/// one array look-up and a timer that has already fired (its slot free or reused) is recognised
/// by the generation. No set of cancelled ids is kept.
struct Queue<N: Node> {
    heap: BinaryHeap<Reverse<(Micros, u64, u32)>>,
    slab: Vec<Cell<N>>,
    free: Vec<u32>,
}

/// One slot of the slab: the event (None while reserved for a timer being set, or after the
/// timer was cancelled) and the slot's generation.
struct Cell<N: Node> {
    event: Option<Event<N>>,
    generation: u32,
}

impl<N: Node> Clone for Cell<N> {
    fn clone(&self) -> Self {
        Cell { event: self.event.clone(), generation: self.generation }
    }
}

impl<N: Node> Clone for Queue<N> {
    fn clone(&self) -> Self {
        Queue { heap: self.heap.clone(), slab: self.slab.clone(), free: self.free.clone() }
    }
}

/// A timer id from a slot and its generation.
fn timer_id(slot: u32, generation: u32) -> TimerId {
    TimerId(u64::from(generation) << 32 | u64::from(slot))
}

impl<N: Node> Queue<N> {
    fn new() -> Queue<N> {
        Queue { heap: BinaryHeap::new(), slab: Vec::new(), free: Vec::new() }
    }

    /// Takes a free slot (a new generation of it) and returns it with its generation.
    fn take_slot(&mut self) -> (u32, u32) {
        match self.free.pop() {
            Some(slot) => {
                let cell = &mut self.slab[slot as usize];
                cell.generation = cell.generation.wrapping_add(1);
                (slot, cell.generation)
            }
            None => {
                self.slab.push(Cell { event: None, generation: 0 });
                ((self.slab.len() - 1) as u32, 0)
            }
        }
    }

    /// Reserves a slot for a timer that a handler is setting; [`Queue::push_timer`] fills it, or
    /// [`Queue::release`] gives it back if the timer is not set after all.
    fn reserve(&mut self) -> TimerId {
        let (slot, generation) = self.take_slot();
        timer_id(slot, generation)
    }

    fn slot_of(id: TimerId) -> usize {
        (id.0 & 0xffff_ffff) as usize
    }

    /// Queues the timer `id` reserved (a timer event whose id is `id`).
    fn push_timer(&mut self, time: Micros, seq: u64, id: TimerId, event: Event<N>) {
        let slot = Self::slot_of(id);
        self.slab[slot].event = Some(event);
        self.heap.push(Reverse((time, seq, slot as u32)));
    }

    /// Gives back a reserved slot that was never queued.
    fn release(&mut self, id: TimerId) {
        let slot = Self::slot_of(id);
        if self.slab.get(slot).is_some_and(|c| c.event.is_none() && id == timer_id(slot as u32, c.generation))
        {
            self.free.push(slot as u32);
        }
    }

    /// Cancels timer `id` if it is still queued: its slot becomes a tombstone until its key is
    /// popped.
    fn cancel(&mut self, id: TimerId) {
        let slot = Self::slot_of(id);
        if let Some(cell) = self.slab.get_mut(slot)
            && id == timer_id(slot as u32, cell.generation)
            && matches!(cell.event, Some(Event::Timer { .. }))
        {
            cell.event = None;
        }
    }

    fn push(&mut self, time: Micros, seq: u64, event: Event<N>) {
        let (slot, _) = self.take_slot();
        self.slab[slot as usize].event = Some(event);
        self.heap.push(Reverse((time, seq, slot)));
    }

    /// Throws away cancelled timers at the top of the heap.
    fn settle(&mut self) {
        while let Some(Reverse((_, _, slot))) = self.heap.peek() {
            if self.slab[*slot as usize].event.is_some() {
                return;
            }
            let slot = *slot;
            self.heap.pop();
            self.free.push(slot);
        }
    }

    /// The next event (call [`Queue::settle`] first).
    fn peek(&self) -> Option<(Micros, &Event<N>)> {
        let Reverse((time, _, slot)) = self.heap.peek()?;
        self.slab[*slot as usize].event.as_ref().map(|e| (*time, e))
    }

    /// Removes the next event, skipping cancelled timers.
    fn pop(&mut self) -> Option<(Micros, Event<N>)> {
        loop {
            let Reverse((time, _, slot)) = self.heap.pop()?;
            self.free.push(slot);
            if let Some(e) = self.slab[slot as usize].event.take() {
                return Some((time, e));
            }
        }
    }

    fn len(&self) -> usize {
        self.heap.len()
    }

    /// Every queued event with its (time, sequence number), in no particular order.
    fn iter(&self) -> impl Iterator<Item = (Micros, u64, &Event<N>)> {
        self.heap.iter().filter_map(|Reverse((t, seq, slot))| {
            self.slab[*slot as usize].event.as_ref().map(|e| (*t, *seq, e))
        })
    }
}

/// An action scheduled after a step: (step, time, action).
type AfterStep<N> = (u64, Micros, Action<<N as Node>::Input>);

/// One node and what the engine knows about it.
#[derive(Clone)]
struct Slot<N> {
    node: N,
    name: String,
    up: bool,
    incarnation: u32,
    skew: i64,
}

/// What the engine counted: events, messages and their fates, and message delays.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NetStats {
    pub events: u64,
    pub sent: u64,
    pub delivered: u64,
    pub lost: u64,
    pub cut_by_partition: u64,
    pub to_down_node: u64,
    pub timers: u64,
    pub faults: u64,
    /// One-way delay of every delivered message between two different nodes, in microseconds.
    pub delay: Histogram,
}

impl NetStats {
    /// All dropped messages.
    pub fn dropped(&self) -> u64 {
        self.lost + self.cut_by_partition + self.to_down_node
    }
}

/// A message on the wire, for drawing it in flight.
#[derive(Clone, Debug, PartialEq)]
pub struct InFlight {
    pub id: MsgId,
    pub from: NodeId,
    pub to: NodeId,
    pub sent: Micros,
    pub arrives: Micros,
    /// Already doomed (lost or cut at send time).
    pub doomed: bool,
    pub summary: String,
}

/// A node as the page sees it.
pub struct NodeView<'a, N> {
    pub id: NodeId,
    pub name: &'a str,
    pub up: bool,
    pub skew_us: i64,
    pub node: &'a N,
}

/// The simulation: nodes, the event queue, the network, the generator, the trace.
pub struct Sim<N: Node> {
    now: Micros,
    step: u64,
    seq: u64,
    next_msg: u64,
    slots: Vec<Slot<N>>,
    queue: Queue<N>,
    rng: ChaCha8Rng,
    network: Network,
    stats: NetStats,
    metrics: Metrics,
    observer: N::Observer,
    trace: Trace<N>,
    /// The actions scheduled at a time (queued as `Event::Scheduled(index)` when the run starts).
    timed: Rc<Vec<Action<N::Input>>>,
    /// The actions scheduled after a step: (step, time, action), sorted by step (stably), and
    /// the next one due.
    after_step: Rc<Vec<AfterStep<N>>>,
    after_cursor: usize,
    effects: Vec<Effect<N>>,
}

impl<N: Node> Clone for Sim<N> {
    fn clone(&self) -> Self {
        self.clone_with_trace(self.trace.clone())
    }
}

impl<N: Node> Sim<N> {
    /// Builds a run: the nodes (name and initial state, in id order), the network, the seed, the
    /// observer, and the schedule of faults and inputs. Calls every node's `on_start` and applies
    /// what is scheduled after step 0. Errs if the schedule names a node that does not exist or
    /// a fault's parameters are invalid.
    pub fn new(
        nodes: Vec<(String, N)>,
        network: Network,
        seed: u64,
        observer: N::Observer,
        schedule: Vec<Scheduled<N::Input>>,
    ) -> Result<Sim<N>, String> {
        let count = nodes.len();
        if count == 0 {
            return Err("A simulation needs at least one node.".to_string());
        }
        if count > u32::MAX as usize / 2 {
            return Err("Too many nodes for one simulation.".to_string());
        }
        let scenario = super::Scenario { seed, params: (), schedule };
        scenario.validate_schedule(count)?;
        let schedule = scenario.schedule;
        let mut sim = Sim {
            now: 0,
            step: 0,
            seq: 0,
            next_msg: 0,
            slots: nodes
                .into_iter()
                .map(|(name, node)| Slot { node, name, up: true, incarnation: 0, skew: 0 })
                .collect(),
            queue: Queue::new(),
            rng: ChaCha8Rng::seed_from_u64(seed),
            network,
            stats: NetStats::default(),
            metrics: Metrics::default(),
            observer,
            trace: Trace::new(DEFAULT_TRACE_CAPACITY),
            timed: Rc::new(Vec::new()),
            after_step: Rc::new(Vec::new()),
            after_cursor: 0,
            effects: Vec::new(),
        };
        sim.network.heal_to(count);
        let mut timed = Vec::new();
        for item in &schedule {
            if let When::At(t) = item.when {
                sim.push(t, Event::Scheduled(timed.len()));
                timed.push(item.action.clone());
            }
        }
        sim.timed = Rc::new(timed);
        sim.replace_after_actions(&schedule);
        sim.after_cursor = 0;
        for i in 0..count {
            let id = NodeId(i as u32);
            sim.with_node(id, |node, ctx| node.on_start(ctx));
        }
        sim.apply_due_actions();
        Ok(sim)
    }

    /// Sets how many trace entries to keep (the digest covers all of them regardless).
    pub fn with_trace_capacity(mut self, capacity: usize) -> Sim<N> {
        self.trace.set_capacity(capacity);
        self
    }

    /// Keeps no trace entries and computes no digest: for long runs whose figures are all that
    /// matters (an hour of a busy cluster), about a third faster.
    pub fn without_trace(mut self) -> Sim<N> {
        self.trace.set_capacity(0);
        self.trace.set_digesting(false);
        self
    }

    fn clone_with_trace(&self, trace: Trace<N>) -> Sim<N> {
        Sim {
            now: self.now,
            step: self.step,
            seq: self.seq,
            next_msg: self.next_msg,
            slots: self.slots.clone(),
            queue: self.queue.clone(),
            rng: self.rng.clone(),
            network: self.network.clone(),
            stats: self.stats.clone(),
            metrics: self.metrics.clone(),
            observer: self.observer.clone(),
            trace,
            timed: self.timed.clone(),
            after_step: self.after_step.clone(),
            after_cursor: self.after_cursor,
            effects: Vec::new(),
        }
    }

    /// A copy without the trace's kept entries (its digest and counts carry on): cheap enough to
    /// keep many of, for stepping back.
    pub fn snapshot(&self) -> Sim<N> {
        self.clone_with_trace(self.trace.without_entries())
    }

    fn push(&mut self, time: Micros, event: Event<N>) {
        self.queue.push(time, self.seq, event);
        self.seq += 1;
    }

    /// Runs `f` on node `id` with a context, then applies what it asked for.
    fn with_node(&mut self, id: NodeId, f: impl FnOnce(&mut N, &mut Ctx<'_, N>)) {
        let slot = &mut self.slots[id.index()];
        let mut ctx = Ctx {
            now: self.now,
            me: id,
            skew: slot.skew,
            rng: &mut self.rng,
            effects: &mut self.effects,
            queue: &mut self.queue,
            metrics: &mut self.metrics,
            observer: &mut self.observer,
        };
        f(&mut slot.node, &mut ctx);
        self.apply_effects(id);
    }

    fn apply_effects(&mut self, from: NodeId) {
        let mut effects = std::mem::take(&mut self.effects);
        let up = self.slots[from.index()].up;
        for effect in effects.drain(..) {
            match effect {
                Effect::Note(text) => {
                    self.trace.record(self.step, self.now, || TraceEvent::Note { node: from, text })
                }
                Effect::SetTimer { id, .. } if !up => self.queue.release(id),
                _ if !up => {}
                Effect::Send { to, msg } => self.send(from, to, msg),
                Effect::SetTimer { id, after, timer } => {
                    let incarnation = self.slots[from.index()].incarnation;
                    self.queue.push_timer(
                        self.now.saturating_add(after),
                        self.seq,
                        id,
                        Event::Timer { node: from, id, incarnation, timer },
                    );
                    self.seq += 1;
                }
                Effect::Cancel(id) => self.queue.cancel(id),
            }
        }
        self.effects = effects;
    }

    fn send(&mut self, from: NodeId, to: NodeId, msg: Rc<N::Msg>) {
        if to.index() >= self.slots.len() {
            let text = format!("message to a node that does not exist ({to}) discarded");
            self.trace.record(self.step, self.now, || TraceEvent::Note { node: from, text });
            return;
        }
        let id = MsgId(self.next_msg);
        self.next_msg += 1;
        self.stats.sent += 1;
        let (delay, fate) = if from == to {
            (0, None)
        } else {
            let delay = self.network.latency(from, to).sample(&mut self.rng);
            let fate = if !self.network.reachable(from, to) {
                Some(DropReason::Partition)
            } else if self.network.loss > 0.0 && self.rng.random::<f64>() < self.network.loss {
                Some(DropReason::Loss)
            } else {
                None
            };
            (delay, fate)
        };
        let arrives = self.now.saturating_add(delay);
        self.trace.record(self.step, self.now, || TraceEvent::Send {
            id,
            from,
            to,
            arrives,
            msg: msg.clone(),
        });
        self.push(arrives, Event::Deliver { id, from, to, sent: self.now, msg, fate });
    }

    /// Drops timers that were cancelled or belong to a crashed incarnation from the top of the
    /// queue, so that the top is the next event that will really run.
    fn settle_top(&mut self) {
        loop {
            self.queue.settle();
            match self.queue.peek() {
                Some((_, Event::Timer { node, incarnation, .. }))
                    if self.slots[node.index()].incarnation != *incarnation =>
                {
                    self.queue.pop();
                }
                _ => return,
            }
        }
    }

    /// The time of the next event that will run, if any.
    pub fn next_time(&mut self) -> Option<Micros> {
        self.settle_top();
        self.queue.peek().map(|(t, _)| t)
    }

    /// Runs the next event. Returns false when nothing is left to run.
    pub fn step(&mut self) -> bool {
        self.settle_top();
        let Some((time, event)) = self.queue.pop() else { return false };
        self.now = time;
        self.step += 1;
        self.stats.events += 1;
        match event {
            Event::Deliver { id, from, to, sent, msg, fate } => {
                let fate = fate.or_else(|| {
                    if !self.network.reachable(from, to) {
                        Some(DropReason::Partition)
                    } else if !self.slots[to.index()].up {
                        Some(DropReason::NodeDown)
                    } else {
                        None
                    }
                });
                if let Some(reason) = fate {
                    match reason {
                        DropReason::Loss => self.stats.lost += 1,
                        DropReason::Partition => self.stats.cut_by_partition += 1,
                        DropReason::NodeDown => self.stats.to_down_node += 1,
                    }
                    self.trace.record(self.step, time, || TraceEvent::Drop { id, from, to, sent, reason });
                } else {
                    self.stats.delivered += 1;
                    if from != to {
                        self.stats.delay.record(time - sent);
                    }
                    self.trace.record(self.step, time, || TraceEvent::Deliver { id, from, to, sent });
                    self.with_node(to, |node, ctx| node.on_message(ctx, from, &msg));
                }
            }
            Event::Timer { node, timer, .. } => {
                self.stats.timers += 1;
                self.trace.record(self.step, time, || TraceEvent::Timer { node, timer: timer.clone() });
                self.with_node(node, |n, ctx| n.on_timer(ctx, timer));
            }
            Event::Scheduled(i) => {
                let action = self.timed[i].clone();
                self.apply(action);
            }
        }
        self.apply_due_actions();
        true
    }

    /// Applies the `AfterStep` items due after the current step.
    fn apply_due_actions(&mut self) {
        while let Some((s, time, action)) = self.after_step.get(self.after_cursor) {
            if *s > self.step {
                break;
            }
            self.after_cursor += 1;
            if *s == self.step {
                let action = action.clone();
                self.now = self.now.max(*time);
                self.apply(action);
            }
        }
    }

    /// Takes the `AfterStep` items of `schedule` as the ones to apply from now on; those at or
    /// before the current step count as done (the `At` items were queued when the run began and
    /// are not affected). [`super::Run`] calls this when a person forks a run.
    pub(crate) fn replace_after_actions(&mut self, schedule: &[Scheduled<N::Input>]) {
        let mut after: Vec<AfterStep<N>> = schedule
            .iter()
            .filter_map(|item| match item.when {
                When::AfterStep { step, time } => Some((step, time, item.action.clone())),
                When::At(_) => None,
            })
            .collect();
        after.sort_by_key(|(s, _, _)| *s);
        self.after_cursor = after.partition_point(|(s, _, _)| *s <= self.step);
        self.after_step = Rc::new(after);
    }

    /// Applies an action now (between two events), without recording it anywhere but the trace;
    /// [`super::Run::act`] also records it in the scenario so that a replay repeats it. Errs on
    /// an invalid action (unknown node, loss outside [0, 1] ...).
    pub fn act(&mut self, action: Action<N::Input>) -> Result<(), String> {
        match &action {
            Action::Fault(f) => f.validate(self.slots.len())?,
            Action::Input { node, .. } if node.index() >= self.slots.len() => {
                return Err(format!("There is no node {} to send that to.", node.0));
            }
            Action::Input { .. } => {}
        }
        self.apply(action);
        Ok(())
    }

    fn apply(&mut self, action: Action<N::Input>) {
        match action {
            Action::Fault(f) => self.apply_fault(f),
            Action::Input { node, input } => {
                let ignored = !self.slots[node.index()].up;
                self.trace.record(self.step, self.now, || TraceEvent::Input {
                    node,
                    input: input.clone(),
                    ignored,
                });
                if !ignored {
                    self.with_node(node, |n, ctx| n.on_input(ctx, input));
                }
            }
        }
    }

    fn apply_fault(&mut self, fault: Fault) {
        self.stats.faults += 1;
        self.trace.record(self.step, self.now, || TraceEvent::Fault(fault.clone()));
        match fault {
            Fault::Crash { node } => {
                let slot = &mut self.slots[node.index()];
                if slot.up {
                    slot.up = false;
                    slot.incarnation += 1;
                    self.with_node(node, |n, ctx| n.on_crash(ctx));
                }
            }
            Fault::Recover { node } => {
                let slot = &mut self.slots[node.index()];
                if !slot.up {
                    slot.up = true;
                    self.with_node(node, |n, ctx| n.on_recover(ctx));
                }
            }
            Fault::Partition { groups } => self.network.partition(&groups),
            Fault::Heal => self.network.heal(),
            Fault::SetLoss { loss } => self.network.loss = loss,
            Fault::SetLatency { model } => self.network.default_latency = model,
            Fault::SetLinkLatency { from, to, model } => {
                self.network.links.insert((from, to), model);
            }
            Fault::SetSkew { node, skew_us } => self.slots[node.index()].skew = skew_us,
        }
    }

    /// Runs every event due at or before `t`, then moves the clock to `t`.
    pub fn run_until(&mut self, t: Micros) {
        while self.next_time().is_some_and(|next| next <= t) {
            self.step();
        }
        self.now = self.now.max(t);
    }

    /// Like [`Sim::run_until`] but stops after `budget` events; returns whether `t` was reached
    /// (so a page can spread a long run over several animation frames).
    pub fn run_until_bounded(&mut self, t: Micros, budget: u64) -> bool {
        for _ in 0..budget {
            if self.next_time().is_none_or(|next| next > t) {
                self.now = self.now.max(t);
                return true;
            }
            self.step();
        }
        if self.next_time().is_none_or(|next| next > t) {
            self.now = self.now.max(t);
            true
        } else {
            false
        }
    }

    /// Runs until `step` events have run (or nothing is left).
    pub fn run_to_step(&mut self, step: u64) {
        while self.step < step && self.step() {}
    }

    pub fn now(&self) -> Micros {
        self.now
    }

    /// How many events have run.
    pub fn steps(&self) -> u64 {
        self.step
    }

    pub fn trace(&self) -> &Trace<N> {
        &self.trace
    }

    pub(crate) fn trace_mut(&mut self) -> &mut Trace<N> {
        &mut self.trace
    }

    /// The digest of the whole trace so far.
    pub fn digest(&self) -> u64 {
        self.trace.digest()
    }

    pub fn stats(&self) -> &NetStats {
        &self.stats
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    pub fn observer(&self) -> &N::Observer {
        &self.observer
    }

    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The number of nodes.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Node `id` as the page sees it, if it exists.
    pub fn node(&self, id: NodeId) -> Option<NodeView<'_, N>> {
        self.slots.get(id.index()).map(|s| NodeView {
            id,
            name: &s.name,
            up: s.up,
            skew_us: s.skew,
            node: &s.node,
        })
    }

    /// Every node, in id order.
    pub fn nodes(&self) -> impl Iterator<Item = NodeView<'_, N>> {
        self.slots.iter().enumerate().map(|(i, s)| NodeView {
            id: NodeId(i as u32),
            name: &s.name,
            up: s.up,
            skew_us: s.skew,
            node: &s.node,
        })
    }

    /// The name of node `id` ("?" if it does not exist).
    pub fn name(&self, id: NodeId) -> &str {
        self.slots.get(id.index()).map_or("?", |s| s.name.as_str())
    }

    /// The messages on the wire, earliest arrival first.
    pub fn in_flight(&self) -> Vec<InFlight> {
        let mut v: Vec<(Micros, u64, InFlight)> = self
            .queue
            .iter()
            .filter_map(|(time, seq, event)| match event {
                Event::Deliver { id, from, to, sent, msg, fate } => Some((
                    time,
                    seq,
                    InFlight {
                        id: *id,
                        from: *from,
                        to: *to,
                        sent: *sent,
                        arrives: time,
                        doomed: fate.is_some(),
                        summary: msg.to_string(),
                    },
                )),
                _ => None,
            })
            .collect();
        v.sort_by_key(|(t, s, _)| (*t, *s));
        v.into_iter().map(|(_, _, m)| m).collect()
    }

    /// How many events are waiting (including timers that will turn out to be cancelled).
    pub fn pending(&self) -> usize {
        self.queue.len()
    }
}

impl Network {
    /// Makes sure the network knows every node (a network built for fewer nodes grows).
    fn heal_to(&mut self, nodes: usize) {
        if self.groups().len() != nodes {
            let mut n = Network::new(nodes, self.default_latency);
            n.links = std::mem::take(&mut self.links);
            n.loss = self.loss;
            *self = n;
        }
    }
}
