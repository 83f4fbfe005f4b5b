//! Scenario tests of the store under failure: gossip failure detection, and the notes' sloppy
//! quorum example (a read after a write during a failure that sees no overlap and returns stale
//! data until hinted handoff completes), with exact times on constant-latency links.

use super::gossip::Change;
use super::tests::{MS, client, fault, get, history, put, run, small};
use super::*;
use crate::sim::{Fault, TraceEvent};

/// A cluster with gossip on at its default settings (rounds every 100 ms, down after 1 s).
fn gossiping(servers: u32, quorum: Quorum) -> KvParams {
    KvParams { gossip: GossipParams::on(), quorum, ..small(servers, 3, 2, 2) }
}

/// When each server (by index) first marked `member` down after `after`.
fn marked_down(sim: &Sim<KvNode>, member: u32, after: Micros) -> Vec<Option<Micros>> {
    let servers = cluster(sim).unwrap().params.servers;
    (0..servers)
        .map(|s| {
            sim.observer()
                .membership
                .iter()
                .find(|m| {
                    m.server == s
                        && m.at >= after
                        && m.change.member() == member
                        && m.change.status() == Status::Down
                })
                .map(|m| m.at)
        })
        .collect()
}

#[test]
fn every_live_server_marks_a_crashed_one_down_within_a_few_rounds_of_the_timeout() {
    let p = gossiping(8, Quorum::Strict);
    let mut s = KvScenario::new(7, p);
    let crash = 2_000 * MS;
    fault(&mut s, crash, Fault::Crash { node: NodeId(2) });
    let sim = run(&s, 5_000 * MS);
    let down = marked_down(&sim, 2, crash);
    // Each live server marks S3 down; the last does so within the 1 s timeout plus
    // log2(8) + 2 = 5 rounds of 100 ms after the crash.
    for (i, at) in down.iter().enumerate().filter(|(i, _)| *i != 2) {
        let at = at.unwrap_or_else(|| panic!("S{} never marked S3 down", i + 1));
        assert!(at > crash + 500 * MS, "S{} believed it before any record was 500 ms stale", i + 1);
        assert!(at <= crash + 1_500 * MS, "S{} took {} µs", i + 1, at - crash);
    }
    for i in (0..8).filter(|&i| i != 2) {
        assert!(!sim.node(NodeId(i)).unwrap().node.as_server().unwrap().membership().is_up(2));
    }
    // Nobody else was ever suspected: no loss, no false positive.
    assert!(sim.observer().membership.iter().all(|m| m.change.member() == 2));
    // Some servers agreed on a peer's word before their own timeout fired.
    let confirmed =
        sim.observer().membership.iter().filter(|m| matches!(m.change, Change::Confirmed { .. })).count();
    assert_eq!(confirmed, 4, "servers that agreed on a peer's word before their own timeout");
}

#[test]
fn a_recovered_server_is_seen_up_again_by_every_server() {
    let mut s = KvScenario::new(3, gossiping(6, Quorum::Strict));
    fault(&mut s, 1_000 * MS, Fault::Crash { node: NodeId(4) });
    fault(&mut s, 3_000 * MS, Fault::Recover { node: NodeId(4) });
    let sim = run(&s, 4_000 * MS);
    let s5 = sim.node(NodeId(4)).unwrap().node.as_server().unwrap();
    assert_eq!(s5.generation(), 1);
    for i in 0..6 {
        let m = sim.node(NodeId(i)).unwrap().node.as_server().unwrap().membership();
        assert_eq!(m.status(4), Status::Alive, "S{} still thinks S5 is {}", i + 1, m.status(4).label());
        assert_eq!(m.members()[4].heartbeat.generation, 1);
    }
}

#[test]
fn a_server_whose_clock_is_a_second_off_marks_no_one_down() {
    // The skew fault's two settings on the page, from the start and as jumps in the middle of a
    // fault-free run: the detector times silences on a monotonic timer, which no skew moves.
    let mut s = KvScenario::new(7, gossiping(5, Quorum::Sloppy));
    fault(&mut s, 0, Fault::SetSkew { node: NodeId(0), skew_us: 1_000_000 });
    fault(&mut s, 0, Fault::SetSkew { node: NodeId(1), skew_us: -1_000_000 });
    fault(&mut s, 2_000 * MS, Fault::SetSkew { node: NodeId(2), skew_us: 1_000_000 });
    fault(&mut s, 2_000 * MS, Fault::SetSkew { node: NodeId(3), skew_us: -1_000_000 });
    let sim = run(&s, 5_000 * MS);
    let changes: Vec<_> = sim.observer().membership.iter().collect();
    assert!(changes.is_empty(), "{changes:?}");
}

#[test]
fn sloppy_quorum_needs_gossip() {
    let p = KvParams { quorum: Quorum::Sloppy, ..small(5, 3, 2, 2) };
    assert!(p.validate().unwrap_err().starts_with("A sloppy quorum takes the first healthy servers"));
}

/// The notes' example on five servers, N = 3, W = R = 2 (W + R > N): a key's replicas A, B, C
/// and the next servers clockwise D, E. A and B crash; a write through C goes to C, D and E (D and
/// E keep it with hints for A and B); A and B recover; a read through A as soon as A has heard
/// the others are up (its first lists arrive by 3.09 s) asks A, B and C, hears from A and B
/// first, and returns the old value although the write had completed; once D and E have seen A
/// and B up and handed the hints off, the same read returns the new value. Read repair is off, so
/// that only the handoff can bring A and B the new value.
struct Example {
    scenario: KvScenario,
    walk: Vec<NodeId>,
}

fn the_notes_example(quorum: Quorum) -> Example {
    let p = KvParams { read_repair: false, ..gossiping(5, quorum) };
    let probe = KvSystem::build(&KvScenario::new(1, p.clone())).unwrap();
    let walk: Vec<NodeId> = cluster(&probe).unwrap().walk(K).collect();
    let (a, b, c) = (walk[0], walk[1], walk[2]);
    let c1 = client(&p, 0);
    let mut s = KvScenario::new(1, p);
    put(&mut s, 10 * MS, c1, K, Some(a.0));
    fault(&mut s, 200 * MS, Fault::Crash { node: a });
    fault(&mut s, 200 * MS, Fault::Crash { node: b });
    put(&mut s, 2_000 * MS, c1, K, Some(c.0));
    fault(&mut s, 3_000 * MS, Fault::Recover { node: a });
    fault(&mut s, 3_000 * MS, Fault::Recover { node: b });
    get(&mut s, 3_200 * MS, c1, K, Some(a.0));
    get(&mut s, 5_000 * MS, c1, K, Some(a.0));
    Example { scenario: s, walk }
}

const K: Key = 0;

/// The values `id` holds of [`K`] in its own store.
fn held(sim: &Sim<KvNode>, id: NodeId) -> Vec<String> {
    let server = sim.node(id).unwrap().node.as_server().unwrap();
    server.store.get(K).iter().map(|v| store::value_name(v.value)).collect()
}

/// Steps `sim` until `id` holds `value` of [`K`] (by 6 s at most); returns what `id` held before
/// and the sender and message whose delivery changed it.
fn step_until_holds(sim: &mut Sim<KvNode>, id: NodeId, value: &str) -> (Vec<String>, NodeId, KvMsg) {
    let mut before = held(sim, id);
    while held(sim, id) != [value] {
        before = held(sim, id);
        assert!(sim.now() < 6_000 * MS && sim.step(), "{} never got {value}", server_name(id.0));
    }
    let entries = sim.trace().entries();
    let delivered = entries
        .iter()
        .rev()
        .take_while(|e| e.step == sim.steps())
        .find_map(|e| match e.event {
            TraceEvent::Deliver { id: msg, to, .. } if to == id => Some(msg),
            _ => None,
        })
        .expect("a message delivered to it");
    let (from, msg) = entries
        .iter()
        .find_map(|e| match &e.event {
            TraceEvent::Send { id, from, msg, .. } if *id == delivered => Some((*from, (**msg).clone())),
            _ => None,
        })
        .expect("the message's send in the trace");
    (before, from, msg)
}

fn values(r: &OpResult) -> Vec<String> {
    match r {
        OpResult::Read(v) => v.iter().map(|v| store::value_name(v.value)).collect(),
        OpResult::Written(v) => vec![store::value_name(v.value)],
        other => vec![format!("{other:?}")],
    }
}

#[test]
fn the_notes_sloppy_quorum_example_reads_stale_data_until_hinted_handoff_completes() {
    let Example { scenario, walk } = the_notes_example(Quorum::Sloppy);
    let sim = run(&scenario, 6_000 * MS);
    let h = history(&sim);
    let got: Vec<(Micros, Vec<String>)> = h.iter().map(|r| (r.start / MS, values(&r.result))).collect();
    assert_eq!(
        got,
        vec![
            (10, vec!["v1.1".to_string()]),
            (2_000, vec!["v1.2".to_string()]),
            (3_200, vec!["v1.1".to_string()]),
            (5_000, vec!["v1.2".to_string()]),
        ],
        "the write during the failure succeeds; the read right after recovery returns the old value"
    );
    assert_eq!(sim.observer().checker.stale_reads, 1, "exactly the read at 3.2 s is stale");
    assert_eq!(sim.observer().stats.hints_stored, 2, "D kept v1.2 for A, E for B");
    assert_eq!(sim.observer().stats.hints_handed_off, 2);
    for &id in &walk[..3] {
        assert_eq!(held(&sim, id), ["v1.2"], "{} holds the new value", server_name(id.0));
    }
    for &id in &walk[3..] {
        let server = sim.node(id).unwrap().node.as_server().unwrap();
        assert!(server.hints.is_empty(), "{} deleted its hints", server_name(id.0));
        assert!(server.store.get(K).is_empty(), "a stand-in keeps the key only as a hint");
    }
}

#[test]
fn the_hinted_handoff_itself_brings_the_recovered_replicas_the_new_value() {
    let Example { scenario, walk } = the_notes_example(Quorum::Sloppy);
    let (a, b, d, e) = (walk[0], walk[1], walk[3], walk[4]);
    let mut sim = KvSystem::build(&scenario).unwrap();
    // A and B keep the old value past the stale read (nothing repairs it) until the hand-off from
    // their stand-in arrives: D's to A at 3.71 s, E's to B at 4.08 s (each stand-in's first hint
    // scan after it saw them up, plus the 250 µs link).
    sim.run_until(3_300 * MS);
    for (replica, stand_in, at) in [(a, d, 3_710_861), (b, e, 4_080_634)] {
        let (before, from, msg) = step_until_holds(&mut sim, replica, "v1.2");
        assert_eq!(before, ["v1.1"], "{} just before", server_name(replica.0));
        assert_eq!(from, stand_in);
        assert!(matches!(msg, KvMsg::Handoff { .. }), "{msg:?}");
        assert_eq!(sim.now(), at, "when {} got it", server_name(replica.0));
    }
}

/// The versions every stand-in keeps as hints, summed over the servers.
fn hints_kept(sim: &Sim<KvNode>) -> u64 {
    sim.nodes().filter_map(|n| n.node.as_server()).map(|s| s.hints.len()).sum()
}

#[test]
fn hinted_writes_add_up_to_handed_off_plus_replaced_plus_waiting() {
    // The notes' example, with a second write of K through C while A and B are still down (after
    // a read, so that it supersedes the first): D and E each replace the hint they kept.
    let Example { mut scenario, walk } = the_notes_example(Quorum::Sloppy);
    let (c, c1) = (walk[2], client(&scenario.params, 0));
    get(&mut scenario, 2_300 * MS, c1, K, Some(c.0));
    put(&mut scenario, 2_500 * MS, c1, K, Some(c.0));
    let figures = |sim: &Sim<KvNode>| {
        let st = &sim.observer().stats;
        assert_eq!(st.hints_waiting(), hints_kept(sim), "the stand-ins keep what the figures say");
        (st.hints_stored, st.hints_handed_off, st.hints_replaced, st.hints_waiting())
    };
    // Two writes kept twice each (by D for A, by E for B); the second replaced the first.
    assert_eq!(figures(&run(&scenario, 2_600 * MS)), (4, 0, 2, 2));
    let end = run(&scenario, 6_000 * MS);
    assert_eq!(figures(&end), (4, 2, 2, 0), "after recovery both are handed off");
    assert_eq!(values(&history(&end)[5].result), ["v1.3"], "the read at 5 s sees the second write");
}

#[test]
fn the_strict_quorum_refuses_the_write_during_the_failure_instead() {
    let Example { scenario, .. } = the_notes_example(Quorum::Strict);
    let sim = run(&scenario, 6_000 * MS);
    let h = history(&sim);
    assert_eq!(h[1].result, OpResult::Timeout { got: 1, needed: 2 }, "only C of A, B, C is up");
    assert_eq!(sim.observer().checker.stale_reads, 0);
    assert_eq!(sim.observer().stats.hints_stored, 0);
}

#[test]
fn anti_entropy_brings_a_replica_that_missed_writes_up_to_date() {
    let p = KvParams {
        read_repair: false,
        anti_entropy: AntiEntropyParams { interval_us: 200 * MS, ..AntiEntropyParams::on() },
        workload: Workload { clients: 1, ops_per_s: 0.0, keys: 40, ..Workload::default() },
        keep_history: true,
        ..small(4, 3, 2, 2)
    };
    let c1 = client(&p, 0);
    let mut s = KvScenario::new(5, p.clone());
    fault(&mut s, 0, Fault::Crash { node: NodeId(1) });
    // Writes of every key while S2 is down: each reaches the two other replicas (W = 2).
    for k in 0..40 {
        put(&mut s, 10 * MS + u64::from(k) * MS, c1, k, None);
    }
    fault(&mut s, 100 * MS, Fault::Recover { node: NodeId(1) });
    let behind = {
        let sim = run(&s, 100 * MS);
        let s2 = sim.node(NodeId(1)).unwrap().node.as_server().unwrap();
        let c = cluster(&sim).unwrap();
        let held_elsewhere = |k: Key| {
            c.prefs[k as usize]
                .iter()
                .any(|&id| !sim.node(id).unwrap().node.as_server().unwrap().store.get(k).is_empty())
        };
        (0..40)
            .filter(|&k| {
                c.prefs[k as usize].contains(&NodeId(1)) && s2.store.get(k).is_empty() && held_elsewhere(k)
            })
            .count()
    };
    assert_eq!(behind, 25, "S2 came back missing the keys it replicates that were written");
    let sim = run(&s, 5_000 * MS);
    let c = cluster(&sim).unwrap();
    let mut written = 0;
    for k in 0..40 {
        let held: Vec<Vec<Version>> = c.prefs[k as usize]
            .iter()
            .map(|&id| sim.node(id).unwrap().node.as_server().unwrap().store.get(k).to_vec())
            .collect();
        assert!(held.iter().all(|v| v == &held[0]), "k{k}: {held:?}");
        written += usize::from(!held[0].is_empty());
    }
    // The writes whose client picked S2 as coordinator got no answer and wrote nothing.
    let acked = history(&sim).iter().filter(|r| matches!(r.result, OpResult::Written(_))).count();
    assert_eq!(written, acked);
    assert_eq!(acked, 31, "writes acknowledged of 40");
    let ae = sim.observer().anti_entropy;
    // Every version S2 missed arrived, once each.
    assert_eq!(ae.repaired, behind as u64, "versions repaired");
    assert_eq!(ae.in_sync, 98, "sessions that found the trees equal at the root");
    assert!(ae.hash_bytes + ae.bucket_bytes < ae.full_bytes, "{ae:?}");
    assert!(
        sim.observer().recent_syncs.iter().all(|r| r.repaired == 0),
        "converged: the last sessions repair nothing"
    );
    let early = run(&s, 1_000 * MS);
    let done =
        early.observer().recent_syncs.iter().find(|r| r.repaired > 0).expect("a session that repaired");
    assert_eq!((done.rounds, done.buckets_sent), (5, 8), "{done:?}");
}

#[test]
fn the_bloom_filter_lets_a_read_of_a_missing_key_skip_the_disk() {
    let p = KvParams {
        disk: DiskParams { read_us: SSD_READ_US, bloom: true, bloom_fpr: 0.01 },
        workload: Workload { clients: 1, ops_per_s: 0.0, keys: 4, absent_share: 0.5, ..Workload::default() },
        keep_history: true,
        ..small(3, 3, 2, 2)
    };
    let c1 = client(&p, 0);
    let mut s = KvScenario::new(1, p);
    put(&mut s, 10 * MS, c1, 0, Some(0));
    get(&mut s, 20 * MS, c1, 0, Some(0));
    // k5 is one of the missing keys (k4 to k7): nobody ever writes it.
    get(&mut s, 30 * MS, c1, 5, Some(0));
    let sim = run(&s, 100 * MS);
    let d = sim.observer().stats.disk;
    assert_eq!((d.reads, d.empty, d.skipped), (3, 0, 3), "k0 read from 3 disks, k5 from none");
    let h = history(&sim);
    // A constant 250 µs link: the k0 read waits for the coordinator's own 150 µs disk read and
    // a replica's (250 + 150 + 250 µs); the k5 read for one round trip only.
    assert_eq!(h[1].end - h[1].start, 250 + 650 + 250);
    assert_eq!(h[2].end - h[2].start, 250 + 500 + 250);
    assert_eq!(h[2].result, OpResult::Read(Vec::new()));
    for view in sim.nodes().filter_map(|n| n.node.as_server()) {
        let f = view.bloom.as_ref().unwrap();
        assert!(f.contains(b"k0") && f.items() == 1, "every replica of k0 has it in its filter");
    }
}

#[test]
fn a_live_anti_entropy_session_costs_what_the_walk_predicts() {
    let p = KvParams {
        read_repair: false,
        anti_entropy: AntiEntropyParams { interval_us: 1_000 * MS, buckets: 16, ..AntiEntropyParams::on() },
        workload: Workload { clients: 1, ops_per_s: 0.0, keys: 64, ..Workload::default() },
        keep_history: true,
        ..small(2, 2, 1, 1)
    };
    let c1 = client(&p, 0);
    let mut s = KvScenario::new(3, p);
    fault(&mut s, 0, Fault::Crash { node: NodeId(1) });
    for k in 0..64 {
        put(&mut s, 10 * MS + u64::from(k) * MS, c1, k, Some(0));
    }
    fault(&mut s, 100 * MS, Fault::Recover { node: NodeId(1) });
    // S2 missed every write; nothing changes the stores until a session repairs them.
    let before = run(&s, 101 * MS);
    let walks = [
        anti_entropy::compare(&before, NodeId(0), NodeId(1)).unwrap().walk,
        anti_entropy::compare(&before, NodeId(1), NodeId(0)).unwrap().walk,
    ];
    assert_eq!(walks[0].buckets().len(), 16, "{:?}", walks[0].buckets());
    let after = run(&s, 3_000 * MS);
    let o = after.observer();
    let r = o.recent_syncs.iter().find(|r| r.repaired > 0).expect("a session repaired S2");
    let w = &walks[r.initiator as usize];
    assert_eq!(
        (r.hash_bytes, r.bucket_bytes, r.buckets_sent, r.rounds),
        (w.hash_bytes, w.bucket_bytes, 2 * w.buckets().len() as u64, w.sent.len() as u32),
        "{r:?}"
    );
    assert_eq!(r.full_bytes, w.full_bytes);
    assert_eq!(r.repaired, 64);
}

/// A session that lost its other side is dropped, not left open: when its own server crashes at
/// once; when its peer crashes, at the initiator's next session timer once gossip shows the peer
/// down (one interval, 2 s, after the start), or without gossip once it is two intervals old.
#[test]
fn an_anti_entropy_session_ends_when_a_side_crashes() {
    let interval = AntiEntropyParams::default().interval_us;
    for (gossip, crash_initiator, ended_after) in
        [(false, true, 1), (true, false, interval), (false, false, 2 * interval)]
    {
        let gossip = if gossip { GossipParams::on() } else { GossipParams::default() };
        let p = KvParams { gossip, anti_entropy: AntiEntropyParams::on(), ..small(3, 3, 2, 2) };
        let mut s = KvScenario::new(5, p);
        // The first session, whose root is on its way to the peer for 250 µs.
        let mut probe = KvSystem::build(&s).unwrap();
        while probe.observer().open_syncs.is_empty() {
            assert!(probe.step());
        }
        let (&id, first) = probe.observer().open_syncs.first_key_value().unwrap();
        let (peer, started) = (first.peer, first.started);
        let crashed = if crash_initiator { id.from } else { peer };
        fault(&mut s, started + 1, Fault::Crash { node: NodeId(crashed) });
        let case = format!("gossip {}, S{} crashed", s.params.gossip.enabled, crashed + 1);
        let before = run(&s, started + ended_after - 1);
        assert!(before.observer().open_syncs.contains_key(&id), "{case}: still open just before");
        let sim = run(&s, started + ended_after);
        let o = sim.observer();
        assert!(!o.open_syncs.contains_key(&id), "{case}: open at {} µs", sim.now());
        let r = o.recent_syncs.iter().find(|r| r.started == started && r.initiator == id.from).unwrap();
        assert_eq!((r.dropped, r.ended), (true, Some(started + ended_after)), "{case}");
        assert_eq!(o.anti_entropy.dropped, 1, "{case}");
    }
}
