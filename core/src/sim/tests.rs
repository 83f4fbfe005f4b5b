//! Tests of the engine as a whole: exact event times on hand-worked runs, every kind of fault,
//! determinism (one scenario twice, one digest), and stepping back and forking through `Run`.

use super::*;
use proptest::prelude::*;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// A node that pings random peers on a random timer and answers pings with pongs.
#[derive(Clone, Debug, Default, PartialEq)]
struct Chatter {
    peers: u32,
    /// Durable: how many messages it has handled.
    heard: u64,
    /// Volatile: lost on a crash.
    since_boot: u64,
    recoveries: u32,
    ticking: bool,
}

#[derive(Clone, Debug, Hash, PartialEq)]
enum ChatMsg {
    Ping(u64),
    Pong(u64),
}

impl fmt::Display for ChatMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChatMsg::Ping(x) => write!(f, "ping {x}"),
            ChatMsg::Pong(x) => write!(f, "pong {x}"),
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq)]
enum Tick {
    Chat,
    Named(u32),
}

impl fmt::Display for Tick {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

/// What the observer saw: (time, receiver, message).
type Seen = Vec<(Micros, NodeId, String)>;

impl Node for Chatter {
    type Msg = ChatMsg;
    type Timer = Tick;
    type Input = u64;
    type Observer = Seen;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.ticking {
            let after = ctx.rng().random_range(1..1_000);
            ctx.set_timer(after, Tick::Chat);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &ChatMsg) {
        self.heard += 1;
        self.since_boot += 1;
        let (now, me) = (ctx.now(), ctx.me());
        ctx.observer().push((now, me, msg.to_string()));
        if let ChatMsg::Ping(x) = msg {
            ctx.send(from, ChatMsg::Pong(x + 1));
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Tick) {
        let me = ctx.me().0;
        if let Tick::Named(n) = timer {
            let now = ctx.now();
            ctx.observer().push((now, NodeId(me), format!("timer {n}")));
            return;
        }
        let mut to = ctx.rng().random_range(0..self.peers - 1);
        if to >= me {
            to += 1;
        }
        let x = ctx.rng().random_range(0..100);
        ctx.send(NodeId(to), ChatMsg::Ping(x));
        let after = ctx.rng().random_range(1..1_000);
        ctx.set_timer(after, Tick::Chat);
    }

    fn on_input(&mut self, ctx: &mut Ctx<'_, Self>, input: u64) {
        // Input n: ping node 0 with n, and set timers n+1 and n+2 at the same instant.
        ctx.send(NodeId(0), ChatMsg::Ping(input));
        ctx.set_timer(100, Tick::Named(input as u32 + 1));
        let cancel = ctx.set_timer(100, Tick::Named(input as u32 + 99));
        ctx.set_timer(100, Tick::Named(input as u32 + 2));
        ctx.cancel_timer(cancel);
    }

    fn on_crash(&mut self, _ctx: &mut Ctx<'_, Self>) {
        self.since_boot = 0;
    }

    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.recoveries += 1;
        self.on_start(ctx);
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct ChatParams {
    nodes: u32,
    latency: LatencyModel,
    ticking: bool,
}

struct ChatSystem;

impl System for ChatSystem {
    type Node = Chatter;
    type Params = ChatParams;

    fn build(s: &Scenario<ChatParams, u64>) -> Result<Sim<Chatter>, String> {
        let p = &s.params;
        let nodes = (0..p.nodes)
            .map(|i| (format!("N{i}"), Chatter { peers: p.nodes, ticking: p.ticking, ..Chatter::default() }))
            .collect();
        Sim::new(nodes, Network::new(p.nodes as usize, p.latency), s.seed, Vec::new(), s.schedule.clone())
    }
}

fn quiet(nodes: u32, us: Micros) -> Scenario<ChatParams, u64> {
    Scenario::new(1, ChatParams { nodes, latency: LatencyModel::Constant { us }, ticking: false })
}

fn busy(seed: u64) -> Scenario<ChatParams, u64> {
    Scenario::new(
        seed,
        ChatParams {
            nodes: 5,
            latency: LatencyPreset::SameDatacenter.model(LatencyShape::LogNormal),
            ticking: true,
        },
    )
}

fn input_at(t: Micros, node: u32, n: u64) -> Scheduled<u64> {
    Scheduled { when: When::At(t), action: Action::Input { node: NodeId(node), input: n } }
}

fn fault_at(t: Micros, f: Fault) -> Scheduled<u64> {
    Scheduled { when: When::At(t), action: Action::Fault(f) }
}

fn run_to_end(s: &Scenario<ChatParams, u64>) -> Sim<Chatter> {
    let mut sim = ChatSystem::build(s).unwrap();
    while sim.step() {}
    sim
}

#[test]
fn a_ping_and_its_pong_arrive_one_latency_apart() {
    // Node 1 pings node 0 at 10 µs over 250 µs links: ping at 260, pong back at 510; the two
    // timers set at 10 µs fire at 110 µs in the order they were set; the cancelled one never.
    let mut s = quiet(2, 250);
    s.schedule.push(input_at(10, 1, 7));
    let sim = run_to_end(&s);
    assert_eq!(
        sim.observer(),
        &vec![
            (110, NodeId(1), "timer 8".to_string()),
            (110, NodeId(1), "timer 9".to_string()),
            (260, NodeId(0), "ping 7".to_string()),
            (510, NodeId(1), "pong 8".to_string()),
        ]
    );
    assert_eq!(sim.now(), 510);
    // Events: the input, 2 timers, 2 deliveries (the cancelled timer is not an event).
    assert_eq!(sim.steps(), 5);
    let st = sim.stats();
    assert_eq!((st.sent, st.delivered, st.dropped(), st.timers), (2, 2, 0, 2));
    assert_eq!(st.delay.percentile(50.0), Some(250));
    let kinds: Vec<&str> = sim
        .trace()
        .entries()
        .iter()
        .map(|e| match e.event {
            TraceEvent::Send { .. } => "send",
            TraceEvent::Deliver { .. } => "deliver",
            TraceEvent::Drop { .. } => "drop",
            TraceEvent::Timer { .. } => "timer",
            TraceEvent::Fault(_) => "fault",
            TraceEvent::Input { .. } => "input",
            TraceEvent::Note { .. } => "note",
        })
        .collect();
    assert_eq!(kinds, ["input", "send", "timer", "timer", "deliver", "send", "deliver"]);
}

#[test]
fn loss_partition_and_crash_each_drop_with_their_reason() {
    let reasons = |s: &Scenario<ChatParams, u64>| -> Vec<(Micros, DropReason)> {
        run_to_end(s)
            .trace()
            .entries()
            .iter()
            .filter_map(|e| match &e.event {
                TraceEvent::Drop { reason, .. } => Some((e.time, *reason)),
                _ => None,
            })
            .collect()
    };
    // Loss 1: the ping is lost, recorded when it would have arrived.
    let mut s = quiet(2, 250);
    s.schedule.push(fault_at(0, Fault::SetLoss { loss: 1.0 }));
    s.schedule.push(input_at(10, 1, 1));
    assert_eq!(reasons(&s), vec![(260, DropReason::Loss)]);
    // A partition at 100 µs cuts the ping sent at 10 µs while it is on the wire.
    let mut s = quiet(2, 250);
    s.schedule.push(input_at(10, 1, 1));
    s.schedule.push(fault_at(100, Fault::Partition { groups: vec![vec![NodeId(0)]] }));
    assert_eq!(reasons(&s), vec![(260, DropReason::Partition)]);
    // Healed before it arrives: a message sent across a partition is still cut.
    let mut s = quiet(2, 250);
    s.schedule.push(fault_at(0, Fault::Partition { groups: vec![vec![NodeId(0)]] }));
    s.schedule.push(input_at(10, 1, 1));
    s.schedule.push(fault_at(20, Fault::Heal));
    assert_eq!(reasons(&s), vec![(260, DropReason::Partition)]);
    // The receiver crashes before the ping arrives; the pong never happens.
    let mut s = quiet(2, 250);
    s.schedule.push(input_at(10, 1, 1));
    s.schedule.push(fault_at(200, Fault::Crash { node: NodeId(0) }));
    assert_eq!(reasons(&s), vec![(260, DropReason::NodeDown)]);
}

#[test]
fn a_crash_voids_timers_and_volatile_state_and_recovery_restarts() {
    let mut s = quiet(2, 250);
    s.schedule.push(input_at(0, 1, 1)); // timers 2 and 3 at 100 µs on node 1
    s.schedule.push(fault_at(50, Fault::Crash { node: NodeId(1) }));
    s.schedule.push(input_at(60, 1, 5)); // ignored: node 1 is down
    s.schedule.push(fault_at(70, Fault::Recover { node: NodeId(1) }));
    let sim = run_to_end(&s);
    // No timer fired; the pong to node 1 (due at 500 µs) arrives after the recovery.
    assert_eq!(sim.stats().timers, 0);
    let n1 = sim.node(NodeId(1)).unwrap();
    assert!(n1.up);
    assert_eq!((n1.node.heard, n1.node.since_boot, n1.node.recoveries), (1, 1, 1));
    let ignored =
        sim.trace().entries().iter().filter(|e| matches!(e.event, TraceEvent::Input { ignored: true, .. }));
    assert_eq!(ignored.count(), 1);
}

#[test]
fn a_skewed_clock_reads_ahead_or_behind() {
    #[derive(Clone)]
    struct Clock;
    impl Node for Clock {
        type Msg = u8;
        type Timer = u8;
        type Input = u8;
        type Observer = Vec<Micros>;
        fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: &u8) {}
        fn on_timer(&mut self, _: &mut Ctx<'_, Self>, _: u8) {}
        fn on_input(&mut self, ctx: &mut Ctx<'_, Self>, _: u8) {
            let t = ctx.local_clock();
            ctx.observer().push(t);
        }
    }
    let at = |t, a| Scheduled { when: When::At(t), action: a };
    let schedule = vec![
        at(1_000, Action::Fault(Fault::SetSkew { node: NodeId(0), skew_us: -400 })),
        at(1_000, Action::Input { node: NodeId(0), input: 0 }),
        at(2_000, Action::Fault(Fault::SetSkew { node: NodeId(0), skew_us: 5_000 })),
        at(2_000, Action::Input { node: NodeId(0), input: 0 }),
        at(3_000, Action::Fault(Fault::SetSkew { node: NodeId(0), skew_us: -9_000 })),
        at(3_000, Action::Input { node: NodeId(0), input: 0 }),
    ];
    let mut sim = Sim::new(
        vec![("c".into(), Clock)],
        Network::new(1, LatencyModel::Constant { us: 1 }),
        0,
        vec![],
        schedule,
    )
    .unwrap();
    sim.run_until(10_000);
    assert_eq!(sim.observer(), &vec![600, 7_000, 0]);
}

#[test]
fn bad_schedules_are_refused() {
    let mut s = quiet(2, 250);
    s.schedule.push(fault_at(0, Fault::Crash { node: NodeId(5) }));
    assert_eq!(
        ChatSystem::build(&s).err().as_deref(),
        Some("There is no node 5 (the cluster has nodes 0 to 1).")
    );
    let mut s = quiet(2, 250);
    s.schedule.push(input_at(0, 9, 1));
    assert!(ChatSystem::build(&s).is_err());
    let mut sim = ChatSystem::build(&quiet(2, 250)).unwrap();
    assert!(sim.act(Action::Fault(Fault::SetLoss { loss: -0.5 })).is_err());
    assert!(
        Sim::<Chatter>::new(vec![], Network::new(0, LatencyModel::Constant { us: 1 }), 0, vec![], vec![])
            .is_err()
    );
}

#[test]
fn one_scenario_twice_gives_one_digest() {
    let mut s = busy(2024);
    s.schedule.push(fault_at(40_000, Fault::Crash { node: NodeId(2) }));
    s.schedule.push(fault_at(50_000, Fault::SetLoss { loss: 0.1 }));
    s.schedule.push(fault_at(60_000, Fault::Partition { groups: vec![vec![NodeId(0), NodeId(1)]] }));
    s.schedule.push(fault_at(80_000, Fault::Recover { node: NodeId(2) }));
    let run = |s: &Scenario<ChatParams, u64>| {
        let mut sim = ChatSystem::build(s).unwrap();
        sim.run_until(100_000);
        (sim.digest(), sim.steps(), sim.trace().recorded(), sim.stats().clone())
    };
    let a = run(&s);
    let b = run(&s);
    assert_eq!(a, b);
    assert!(a.1 > 500, "the run should be busy: {} steps", a.1);
    assert!(a.3.lost > 0 && a.3.cut_by_partition > 0 && a.3.to_down_node > 0, "{:?}", a.3);
    // Another seed is another run.
    let mut other = s.clone();
    other.seed = 2025;
    assert_ne!(run(&other).0, a.0);
}

#[test]
fn the_digest_does_not_depend_on_how_much_trace_is_kept() {
    let s = busy(7);
    let mut kept = ChatSystem::build(&s).unwrap();
    let mut bounded = ChatSystem::build(&s).unwrap().with_trace_capacity(10);
    kept.run_until(50_000);
    bounded.run_until(50_000);
    assert_eq!(kept.digest(), bounded.digest());
    assert_eq!(bounded.trace().entries().len(), 10);
    let last_kept: Vec<u64> = kept.trace().entries().iter().rev().take(10).map(|e| e.step).collect();
    let last_bounded: Vec<u64> = bounded.trace().entries().iter().rev().map(|e| e.step).collect();
    assert_eq!(last_kept, last_bounded);
}

#[test]
fn stepping_back_lands_where_a_fresh_replay_does() {
    let s = busy(11);
    let mut run = Run::<ChatSystem>::new(s.clone()).unwrap();
    run.run_until(200_000);
    let end = run.sim().steps();
    assert!(end > 5_000, "enough steps for several snapshots: {end}");
    for target in [0, 1, 1_999, 2_000, 2_001, 4_321, end - 1] {
        run.seek_step(target, u64::MAX).unwrap();
        let mut fresh = ChatSystem::build(&s).unwrap();
        fresh.run_to_step(target);
        assert_eq!(run.sim().digest(), fresh.digest(), "step {target}");
        assert_eq!(run.sim().now(), fresh.now());
        let mine: Vec<_> = run.sim().trace().entries().iter().map(|e| (e.step, e.time)).collect();
        let theirs: Vec<_> = fresh.trace().entries().iter().map(|e| (e.step, e.time)).collect();
        assert_eq!(mine, theirs, "the kept trace at step {target}");
    }
    run.seek_step(100, 0).unwrap();
    run.step_back();
    assert_eq!(run.sim().steps(), 99);
    run.seek_time(50_000);
    let mut fresh = ChatSystem::build(&s).unwrap();
    fresh.run_until(50_000);
    assert_eq!((run.sim().digest(), run.sim().now()), (fresh.digest(), 50_000));
}

#[test]
fn seeking_forward_stops_at_its_budget_or_at_the_last_event() {
    // Ticking nodes never empty the queue: a step far ahead is refused after the budget.
    let mut run = Run::<ChatSystem>::new(busy(2)).unwrap();
    assert_eq!(run.seek_step(1_000, 1_000), Ok(()));
    assert_eq!(
        run.seek_step(u64::MAX, 500),
        Err(format!("Step {} is past the 1500 events this run reached.", u64::MAX))
    );
    assert_eq!(run.sim().steps(), 1_500);
    // Backwards needs no budget.
    assert_eq!(run.seek_step(10, 0), Ok(()));
    assert_eq!(run.sim().steps(), 10);
    // Without ticking, the run ends once the ping and its pong are delivered.
    let mut s = quiet(2, 250);
    s.schedule.push(input_at(10, 1, 1));
    let mut run = Run::<ChatSystem>::new(s).unwrap();
    let end = run_to_end(run.scenario()).steps();
    assert_eq!(
        run.seek_step(end + 5, u64::MAX),
        Err(format!("Step {} is past the {end} events this run reached.", end + 5))
    );
    assert_eq!(run.sim().steps(), end);
}

#[test]
fn acting_forks_the_run_and_the_scenario_replays_the_fork() {
    let mut run = Run::<ChatSystem>::new(busy(3)).unwrap();
    run.run_until(30_000);
    run.act(Action::Fault(Fault::Crash { node: NodeId(4) })).unwrap();
    run.run_until(60_000);
    run.act(Action::Input { node: NodeId(3), input: 40 }).unwrap();
    run.run_until(90_000);
    // Go back before the second action and take another one instead: the fork drops it.
    run.seek_time(45_000);
    run.act(Action::Fault(Fault::Recover { node: NodeId(4) })).unwrap();
    run.run_until(90_000);
    assert_eq!(run.scenario().schedule.len(), 2);
    let digest = run.digest();
    // The recorded scenario, replayed from scratch and through a permalink, ends the same.
    let replayed =
        permalink::decode::<Scenario<ChatParams, u64>>(&permalink::encode(run.scenario())).unwrap();
    let mut again = Run::<ChatSystem>::new(replayed).unwrap();
    again.run_until(90_000);
    assert_eq!(again.digest(), digest);
    // And stepping back across the fork and forward again also ends the same.
    run.seek_step(10, 0).unwrap();
    run.run_until(90_000);
    assert_eq!(run.digest(), digest);
    // An invalid action changes nothing.
    let steps = run.sim().steps();
    assert!(run.act(Action::Fault(Fault::Crash { node: NodeId(77) })).is_err());
    assert_eq!((run.scenario().schedule.len(), run.sim().steps()), (2, steps));
}

#[test]
fn acting_before_the_first_event_is_replayed_too() {
    let mut run = Run::<ChatSystem>::new(busy(5)).unwrap();
    run.act(Action::Fault(Fault::Crash { node: NodeId(0) })).unwrap();
    run.run_until(20_000);
    let digest = run.digest();
    run.seek_step(0, 0).unwrap();
    assert!(!run.sim().node(NodeId(0)).unwrap().up);
    run.run_until(20_000);
    assert_eq!(run.digest(), digest);
    let mut again = Run::<ChatSystem>::new(run.scenario().clone()).unwrap();
    again.run_until(20_000);
    assert_eq!(again.digest(), digest);
}

#[test]
fn messages_in_flight_are_listed_by_arrival() {
    let mut s = quiet(3, 250);
    s.schedule.push(input_at(10, 1, 1));
    s.schedule.push(input_at(20, 2, 2));
    let mut sim = ChatSystem::build(&s).unwrap();
    sim.run_until(30);
    let flying: Vec<(u32, Micros, String)> =
        sim.in_flight().into_iter().map(|m| (m.from.0, m.arrives, m.summary)).collect();
    assert_eq!(flying, vec![(1, 260, "ping 1".to_string()), (2, 270, "ping 2".to_string())]);
}

#[test]
fn the_space_time_view_shows_each_message_and_its_fate() {
    use view::{Fate, MarkKind, space_time};
    // Node 1 pings node 0 at 10 µs (arrives 260, pong back at 510); node 2 pings node 0 at 20 µs
    // but node 0 crashes at 200 µs, so that ping is dropped at 270; node 0 recovers at 300.
    let mut s = quiet(3, 250);
    s.schedule.push(input_at(10, 1, 1));
    s.schedule.push(input_at(20, 2, 2));
    s.schedule.push(fault_at(200, Fault::Crash { node: NodeId(0) }));
    s.schedule.push(fault_at(300, Fault::Recover { node: NodeId(0) }));
    let mut sim = ChatSystem::build(&s).unwrap();
    sim.run_until(400);
    let v = space_time(&sim, 0, 400, 10);
    let arrows: Vec<(u32, u32, Micros, Micros, Fate, &str)> =
        v.arrows.iter().map(|a| (a.from.0, a.to.0, a.sent, a.arrives, a.fate, a.summary.as_str())).collect();
    assert_eq!(
        arrows,
        vec![
            (1, 0, 10, 260, Fate::Dropped(DropReason::NodeDown), "ping 1"),
            (2, 0, 20, 270, Fate::Dropped(DropReason::NodeDown), "ping 2"),
        ]
    );
    let marks: Vec<(Option<u32>, Micros, MarkKind)> =
        v.marks.iter().map(|m| (m.node.map(|n| n.0), m.time, m.kind)).collect();
    assert_eq!(
        marks,
        vec![
            (Some(1), 10, MarkKind::Input),
            (Some(2), 20, MarkKind::Input),
            (Some(0), 200, MarkKind::Crash),
            (Some(0), 300, MarkKind::Recover),
        ]
    );
    assert_eq!(v.marks[2].text, "N0 crashes");
    assert_eq!(
        v.lanes.iter().map(|l| (l.name.as_str(), l.up)).collect::<Vec<_>>(),
        [("N0", true), ("N1", true), ("N2", true)]
    );
    // Mid-flight, a message is in flight; a narrow window keeps only the newest arrow.
    let mut s = quiet(2, 250);
    s.schedule.push(input_at(10, 1, 1));
    let mut sim = ChatSystem::build(&s).unwrap();
    sim.run_until(100);
    let v = space_time(&sim, 0, 100, 10);
    assert_eq!(v.arrows[0].fate, Fate::InFlight);
    sim.run_until(600);
    let v = space_time(&sim, 0, 600, 1);
    assert_eq!((v.arrows.len(), v.omitted, v.arrows[0].summary.as_str()), (1, 1, "pong 2"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]
    #[test]
    fn any_seek_sequence_matches_a_fresh_replay(seed in 0u64..1000, targets in prop::collection::vec(0u64..6_000, 1..6)) {
        let s = busy(seed);
        let mut run = Run::<ChatSystem>::new(s.clone()).unwrap();
        for &t in &targets {
            prop_assert!(run.seek_step(t, u64::MAX).is_ok());
            let mut fresh = ChatSystem::build(&s).unwrap();
            fresh.run_to_step(t);
            prop_assert_eq!(run.sim().digest(), fresh.digest());
        }
    }
}
