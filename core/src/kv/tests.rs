//! Scenario tests of the key-value store: hand-worked runs with exact clocks, values and times,
//! and pinned-seed runs judged by the consistency checker.

use super::checker::check_history;
use super::store::{value_id, value_name};
use super::*;
use crate::sim::{Action, Fault, Run, Scheduled, When, permalink};

pub(super) const MS: Micros = 1_000;

pub(super) fn small(servers: u32, n: u32, w: u32, r: u32) -> KvParams {
    KvParams {
        servers,
        n,
        w,
        r,
        latency: LatencyModel::Constant { us: 250 },
        workload: Workload { clients: 2, ops_per_s: 0.0, keys: 4, ..Workload::default() },
        keep_history: true,
        ..KvParams::default()
    }
}

pub(super) fn client(params: &KvParams, j: u32) -> NodeId {
    NodeId(params.servers + j)
}

pub(super) fn put(s: &mut KvScenario, t: Micros, client: NodeId, key: Key, via: Option<u32>) {
    s.schedule.push(Scheduled {
        when: When::At(t),
        action: Action::Input { node: client, input: KvInput::Put { key, via } },
    });
}

pub(super) fn get(s: &mut KvScenario, t: Micros, client: NodeId, key: Key, via: Option<u32>) {
    s.schedule.push(Scheduled {
        when: When::At(t),
        action: Action::Input { node: client, input: KvInput::Get { key, via } },
    });
}

pub(super) fn fault(s: &mut KvScenario, t: Micros, f: Fault) {
    s.schedule.push(Scheduled { when: When::At(t), action: Action::Fault(f) });
}

pub(super) fn run(s: &KvScenario, until: Micros) -> Sim<KvNode> {
    let mut sim = KvSystem::build(s).unwrap();
    sim.run_until(until);
    sim
}

pub(super) fn history(sim: &Sim<KvNode>) -> &[OpRecord] {
    sim.observer().history.as_deref().unwrap()
}

/// Every operation that began: the finished ones, then those still in progress at the end of the
/// run (no result yet). The offline check needs the unfinished ones too: a write that began
/// already replaced, by its client's choice, the values it resolves.
fn all_ops(sim: &Sim<KvNode>) -> Vec<OpRecord> {
    history(sim).iter().chain(sim.observer().in_progress()).cloned().collect()
}

fn clock(pairs: &[(u32, u64)]) -> Vec<(u32, u64)> {
    pairs.to_vec()
}

fn counters(v: &Version) -> Vec<(u32, u64)> {
    v.clock.entries().iter().map(|e| (e.actor, u64::from(e.counter))).collect()
}

/// The key every server of a three-server cluster with N = 3 replicates.
const K: Key = 0;

#[test]
fn the_dynamo_papers_example_runs_through_the_cluster() {
    // DeCandia et al., figure 3, with Sx, Sy, Sz = S1, S2, S3 and W = R = N = 3, so that every
    // step sees the previous one.
    let p = small(3, 3, 3, 3);
    let (c1, c2) = (client(&p, 0), client(&p, 1));
    let mut s = KvScenario::new(1, p);
    put(&mut s, 0, c1, K, Some(0)); // D1 [Sx,1]
    put(&mut s, 10 * MS, c1, K, Some(0)); // D2 [Sx,2]
    get(&mut s, 20 * MS, c2, K, Some(0)); // C2 sees D2
    put(&mut s, 30 * MS, c1, K, Some(1)); // D3 [Sx,2][Sy,1]
    put(&mut s, 40 * MS, c2, K, Some(2)); // D4 [Sx,2][Sz,1]
    get(&mut s, 50 * MS, c1, K, None); // siblings D3 and D4
    put(&mut s, 60 * MS, c1, K, Some(0)); // D5 [Sx,3][Sy,1][Sz,1]
    get(&mut s, 70 * MS, c2, K, None);
    let sim = run(&s, 100 * MS);
    let h = history(&sim);
    let written: Vec<(String, Vec<(u32, u64)>)> = h
        .iter()
        .filter_map(|op| match &op.result {
            OpResult::Written(v) => Some((value_name(v.value), counters(v))),
            _ => None,
        })
        .collect();
    assert_eq!(
        written,
        vec![
            ("v1.1".to_string(), clock(&[(0, 1)])),
            ("v1.2".to_string(), clock(&[(0, 2)])),
            ("v1.3".to_string(), clock(&[(0, 2), (1, 1)])),
            ("v2.1".to_string(), clock(&[(0, 2), (2, 1)])),
            ("v1.4".to_string(), clock(&[(0, 3), (1, 1), (2, 1)])),
        ]
    );
    let reads: Vec<Vec<String>> = h
        .iter()
        .filter_map(|op| match &op.result {
            OpResult::Read(v) => Some(v.iter().map(|x| value_name(x.value)).collect()),
            _ => None,
        })
        .collect();
    assert_eq!(reads, vec![vec!["v1.2"], vec!["v1.3", "v2.1"], vec!["v1.4"]]);
    // The resolving write replaced both siblings by choice: nothing lost, nothing stale.
    let c = &sim.observer().checker;
    assert_eq!((c.reads_checked, c.stale_reads), (3, 0));
    assert!(lost_writes(&sim).is_empty());
    let st = &sim.observer().stats;
    // D4 was stored beside D3 on each of the three replicas; one read returned two versions.
    assert_eq!((st.sibling_copies, st.sibling_reads, st.max_siblings), (3, 1, 2));
    for (_, up, versions) in replica_versions(&sim, K) {
        assert!(up);
        assert_eq!(versions.iter().map(counters).collect::<Vec<_>>(), vec![clock(&[(0, 3), (1, 1), (2, 1)])]);
    }
    // A write is two one-way trips plus the slower of two replica round trips: 1 ms.
    assert_eq!(st.write_latency.percentile(100.0), Some(1_000));
}

#[test]
fn a_quorum_that_cannot_be_reached_times_out_as_a_value() {
    // S2 and S3 are down: S1 alone cannot give W = 2 or R = 2. The coordinator's deadline (50 ms)
    // passes and the client gets "1 of 2": 0.25 ms there, 50 ms waiting, 0.25 ms back.
    let p = small(3, 3, 2, 2);
    let c1 = client(&p, 0);
    let mut s = KvScenario::new(1, p);
    fault(&mut s, 0, Fault::Crash { node: NodeId(1) });
    fault(&mut s, 0, Fault::Crash { node: NodeId(2) });
    put(&mut s, MS, c1, K, Some(0));
    get(&mut s, 100 * MS, c1, K, Some(0));
    let sim = run(&s, 200 * MS);
    let h = history(&sim);
    assert_eq!(h[0].result, OpResult::Timeout { got: 1, needed: 2 });
    assert_eq!(h[0].end - h[0].start, 50_500);
    assert_eq!(h[1].result, OpResult::Timeout { got: 1, needed: 2 });
    let st = &sim.observer().stats;
    assert_eq!((st.writes.timeout, st.reads.timeout, st.writes.ok), (1, 1, 0));
    // The write was not acknowledged, so it is nobody's lost write even though S1 kept it.
    assert_eq!(sim.observer().checker.writes_acked, 0);
    assert!(held(&sim, K, value_id(0, 1)));
}

#[test]
fn a_crashed_coordinator_leaves_the_client_without_an_answer() {
    let p = small(3, 3, 2, 2);
    let c1 = client(&p, 0);
    let mut s = KvScenario::new(1, p);
    fault(&mut s, 0, Fault::Crash { node: NodeId(0) });
    put(&mut s, MS, c1, K, Some(0));
    let sim = run(&s, 1_000 * MS);
    let h = history(&sim);
    assert_eq!(h[0].result, OpResult::NoReply);
    let give_up = cluster(&sim).unwrap().give_up_us;
    assert_eq!(give_up, 2 * 50_000 + 2 * 250);
    assert_eq!(h[0].end - h[0].start, give_up);
}

#[test]
fn last_write_wins_loses_a_later_write_to_a_fast_clock() {
    // S1's clock is 20 ms behind. C1 writes through S2 at 100 ms (timestamp 100.25 ms), then
    // through S1 at 110 ms (timestamp 90.25 ms): the later write loses everywhere.
    let mut p = small(3, 3, 3, 1);
    p.versioning = Versioning::LastWriteWins;
    let c1 = client(&p, 0);
    let c2 = client(&p, 1);
    let mut s = KvScenario::new(1, p);
    fault(&mut s, 0, Fault::SetSkew { node: NodeId(0), skew_us: -20_000 });
    put(&mut s, 100 * MS, c1, K, Some(1));
    put(&mut s, 110 * MS, c2, K, Some(0));
    get(&mut s, 150 * MS, c1, K, None);
    let sim = run(&s, 200 * MS);
    let h = history(&sim);
    let ts: Vec<Micros> = h
        .iter()
        .filter_map(|op| if let OpResult::Written(v) = &op.result { Some(v.ts) } else { None })
        .collect();
    assert_eq!(ts, vec![100_250, 90_250]);
    assert_eq!(
        h[2].result,
        OpResult::Read(vec![Version { value: value_id(0, 1), clock: VectorClock::new(), ts: 100_250 }])
    );
    // Not stale (the returned value has the later timestamp), but C2's acknowledged write is lost.
    assert_eq!(sim.observer().checker.stale_reads, 0);
    let lost = lost_writes(&sim);
    assert_eq!(lost.iter().map(|l| value_name(l.value)).collect::<Vec<_>>(), vec!["v2.1"]);
}

#[test]
fn racing_clients_lose_a_write_with_server_clocks_and_keep_siblings_with_client_clocks() {
    for (actors, lost, siblings) in [(ClockActors::Servers, 1, 0), (ClockActors::Clients, 0, 1)] {
        let mut p = small(3, 3, 3, 3);
        p.actors = actors;
        let (c1, c2) = (client(&p, 0), client(&p, 1));
        let mut s = KvScenario::new(1, p);
        // Both blind writes reach S1 at 0.25 ms.
        put(&mut s, 0, c1, K, Some(0));
        put(&mut s, 0, c2, K, Some(0));
        get(&mut s, 10 * MS, c1, K, None);
        let sim = run(&s, 50 * MS);
        assert_eq!(lost_writes(&sim).len(), lost, "{actors:?}");
        assert_eq!(sim.observer().stats.sibling_reads, siblings, "{actors:?}");
    }
}

#[test]
fn read_repair_brings_a_behind_replica_up_to_date() {
    for (repair, s3_has_it, repairs) in [(true, true, 1), (false, false, 0)] {
        let mut p = small(3, 3, 2, 1);
        p.read_repair = repair;
        let c1 = client(&p, 0);
        let mut s = KvScenario::new(1, p);
        fault(&mut s, 0, Fault::Partition { groups: vec![vec![NodeId(2)]] });
        put(&mut s, MS, c1, K, Some(0));
        fault(&mut s, 10 * MS, Fault::Heal);
        get(&mut s, 20 * MS, c1, K, Some(0));
        let sim = run(&s, 40 * MS);
        let s3 = &replica_versions(&sim, K).into_iter().find(|(id, _, _)| *id == NodeId(2)).unwrap().2;
        assert_eq!(!s3.is_empty(), s3_has_it, "repair {repair}");
        assert_eq!(sim.observer().stats.repairs, repairs);
    }
}

/// A written version's clock counters and its timestamp.
type Written = (Vec<(u32, u64)>, Micros);

/// Two puts of one client 10 ms apart (through S1, then S2) with clocks pruned to one entry and
/// `skew` on S2's clock: the run, and each write's clock counters with its timestamp.
fn two_pruned_writes(skew_us: i64) -> (Sim<KvNode>, Vec<Written>) {
    let mut p = small(3, 3, 3, 3);
    p.max_clock_entries = 1;
    let c1 = client(&p, 0);
    let mut s = KvScenario::new(1, p);
    if skew_us != 0 {
        fault(&mut s, 0, Fault::SetSkew { node: NodeId(1), skew_us });
    }
    put(&mut s, 0, c1, K, Some(0));
    put(&mut s, 10 * MS, c1, K, Some(1));
    let sim = run(&s, 50 * MS);
    let written = history(&sim)
        .iter()
        .filter_map(|op| if let OpResult::Written(v) = &op.result { Some((counters(v), v.ts)) } else { None })
        .collect();
    (sim, written)
}

#[test]
fn pruning_keeps_the_newest_entries() {
    let (sim, written) = two_pruned_writes(0);
    // [S1:1] then [S1:1][S2:1] pruned to its newest entry.
    assert_eq!(written, vec![(clock(&[(0, 1)]), 250), (clock(&[(1, 1)]), 10_250)]);
    assert_eq!(sim.observer().stats.pruned_entries, 1);
}

#[test]
fn pruning_keeps_the_entry_just_advanced_when_its_clock_runs_behind() {
    // As above, but S2's clock is 10.1 ms behind: its entry is stamped 0.15 ms, older than S1's
    // 0.25 ms. Pruning S2's own entry would leave [S1:1], the clock of the version it replaces,
    // and the replicas would ignore the write; S2 keeps its entry instead.
    let (sim, written) = two_pruned_writes(-10_100);
    assert_eq!(written, vec![(clock(&[(0, 1)]), 250), (clock(&[(1, 1)]), 150)]);
    assert_eq!(sim.observer().stats.pruned_entries, 1);
    // Pruning's price remains: [S2:1] no longer shows that it descends from [S1:1], so every
    // replica keeps both as siblings (before the fix, each kept v1.1 and dropped v1.2).
    for (_, _, versions) in replica_versions(&sim, K) {
        assert_eq!(versions.iter().map(|v| value_name(v.value)).collect::<Vec<_>>(), vec!["v1.1", "v1.2"]);
    }
}

#[test]
fn shorter_clocks_prune_more_entries_and_make_false_siblings() {
    // The experiments' workload (4 clients, 400 requests a second, each write with the context of
    // the client's read) on N = 3, W = R = 2 for 2 s, with the clock limit the page offers. Five
    // servers never fill Dynamo's 10 entries; shorter limits drop entries, and a version that lost
    // an entry no longer shows that it descends from the one it replaced, so replicas keep both.
    let figures = |limit: u32| {
        let p = KvParams { max_clock_entries: limit, ..experiments::experiment_params(3, 2, 2) };
        let sim = run(&KvScenario::new(experiments::SEED, p), 2_000 * MS);
        let st = &sim.observer().stats;
        (st.pruned_entries, st.sibling_copies, st.sibling_reads, lost_writes(&sim).len())
    };
    // (entries pruned, sibling copies stored, reads that returned siblings, lost writes). With
    // N = 3 and a replica coordinating, a clock holds at most the 3 replicas' entries, so limits
    // of 3 and more prune nothing and give the same run, whose 27 sibling copies are true races
    // (clients writing through different servers); 2 and 1 multiply them by 33 and 38. No write
    // is lost: a pruned version keeps its writer's entry, so it never looks older than the one it
    // replaces.
    let all: Vec<(u64, u64, u64, usize)> = [10, 4, 3, 2, 1].into_iter().map(figures).collect();
    assert_eq!(
        all,
        vec![(0, 27, 28, 0), (0, 27, 28, 0), (0, 27, 28, 0), (298, 897, 591, 0), (641, 1032, 678, 0)]
    );
}

#[test]
fn a_write_kept_only_by_stand_ins_is_held_not_lost() {
    // K's three replicas crash; once gossip has marked them down, a write through the fourth
    // server on K's walk goes to the fourth and fifth, which keep it as hints (W = 2 acks). No
    // replica's store has it until the hints are handed off, yet it is not lost.
    let p = KvParams { gossip: GossipParams::on(), quorum: Quorum::Sloppy, ..small(5, 3, 2, 2) };
    let c1 = client(&p, 0);
    let mut s = KvScenario::new(1, p);
    let walk: Vec<NodeId> = cluster(&KvSystem::build(&s).unwrap()).unwrap().walk(K).collect();
    for &replica in &walk[..3] {
        fault(&mut s, 200 * MS, Fault::Crash { node: replica });
    }
    put(&mut s, 2_000 * MS, c1, K, Some(walk[3].0));
    let sim = run(&s, 2_500 * MS);
    let v = value_id(0, 1);
    assert!(matches!(history(&sim)[0].result, OpResult::Written(_)));
    assert!(sim.nodes().all(|n| n.node.as_server().is_none_or(|s| s.store.get(K).is_empty())));
    let hinted: Vec<u64> =
        walk.iter().map(|&id| sim.node(id).unwrap().node.as_server().unwrap().hints.len()).collect();
    assert_eq!(hinted, vec![0, 0, 0, 1, 1]);
    assert!(held(&sim, K, v));
    assert_eq!(lost_writes(&sim), vec![]);
}

#[test]
fn a_coordinator_that_is_no_replica_never_repeats_a_clock() {
    // Four servers, N = 3: one server holds no copy of K. Two clients write K through it with
    // the same (empty) context, 1 µs apart. Its counter for K only grows, so the writes get
    // [S:1] and [S:2], ordered exactly as through a replica coordinator (server clocks order a
    // race through one coordinator: the first write is lost, and the checker says so). With
    // clocks taken from its own, empty, copy both would be [S:1]: equal clocks, each replica
    // keeping whichever arrived first and acknowledging the other.
    let p = small(4, 3, 2, 2);
    let (c1, c2) = (client(&p, 0), client(&p, 1));
    let mut s = KvScenario::new(1, p);
    let built = KvSystem::build(&s).unwrap();
    let prefs = &cluster(&built).unwrap().prefs[K as usize];
    let outsider = (0..4).find(|&i| !prefs.contains(&NodeId(i))).unwrap();
    put(&mut s, 0, c1, K, Some(outsider));
    put(&mut s, 1, c2, K, Some(outsider));
    let sim = run(&s, 50 * MS);
    let written: Vec<(String, Vec<(u32, u64)>)> = history(&sim)
        .iter()
        .filter_map(|op| match &op.result {
            OpResult::Written(v) => Some((value_name(v.value), counters(v))),
            _ => None,
        })
        .collect();
    assert_eq!(
        written,
        vec![("v1.1".to_string(), clock(&[(outsider, 1)])), ("v2.1".to_string(), clock(&[(outsider, 2)]))]
    );
    let held: Vec<Vec<String>> = replica_versions(&sim, K)
        .into_iter()
        .map(|(_, _, v)| v.iter().map(|x| value_name(x.value)).collect())
        .collect();
    assert_eq!(held, vec![vec!["v2.1"]; 3]);
    let lost: Vec<String> = lost_writes(&sim).iter().map(|l| value_name(l.value)).collect();
    assert_eq!(lost, vec!["v1.1"]);
    // C1's next write carries its own [S:1] as context: the counter, at 2, decides: [S:3].
    let mut s2 = s.clone();
    put(&mut s2, 10 * MS, c1, K, Some(outsider));
    let sim = run(&s2, 50 * MS);
    let last = history(&sim).iter().rev().find_map(|op| match &op.result {
        OpResult::Written(v) => Some(counters(v)),
        _ => None,
    });
    assert_eq!(last, Some(clock(&[(outsider, 3)])));
}

/// A busy cluster: 5 servers, 4 clients, 400 requests a second over 20 hot keys, 30 s.
fn busy(n: u32, w: u32, r: u32, seed: u64) -> KvScenario {
    KvScenario::new(
        seed,
        KvParams {
            n,
            w,
            r,
            workload: Workload {
                clients: 4,
                ops_per_s: 400.0,
                write_share: 0.5,
                read_before_write: true,
                keys: 20,
                zipf: 1.0,
                absent_share: 0.0,
                probe: None,
            },
            keep_history: true,
            ..KvParams::default()
        },
    )
}

#[test]
fn overlapping_quorums_without_faults_never_read_stale() {
    for (n, w, r) in [(3, 2, 2), (3, 1, 3), (3, 3, 1), (5, 3, 3)] {
        let sim = run(&busy(n, w, r, 7), 30_000 * MS);
        let c = &sim.observer().checker;
        assert!(c.reads_checked > 5_000, "N{n} W{w} R{r}: {} reads", c.reads_checked);
        assert_eq!(c.stale_reads, 0, "N{n} W{w} R{r}");
        // The offline check of the recorded history agrees with the live one.
        let report = check_history(Versioning::VectorClocks, &all_ops(&sim), |k, v| held(&sim, k, v));
        assert_eq!((report.reads_checked, report.stale_reads), (c.reads_checked, 0));
        assert_eq!(report.lost_writes, lost_writes(&sim));
    }
}

#[test]
fn non_overlapping_quorums_read_stale() {
    // Under a heavy-tailed (Pareto) latency a write's slowest copies lag far behind its
    // acknowledgement, so reads that miss them are common enough to count.
    for (n, w, r) in [(3, 1, 1), (3, 2, 1)] {
        let mut s = busy(n, w, r, 7);
        s.params.latency = LatencyPreset::SameDatacenter.model(LatencyShape::Pareto);
        let sim = run(&s, 30_000 * MS);
        let c = &sim.observer().checker;
        assert!(c.stale_reads > 0, "N{n} W{w} R{r}: no stale read in {} reads", c.reads_checked);
        let report = check_history(Versioning::VectorClocks, &all_ops(&sim), |k, v| held(&sim, k, v));
        assert_eq!(report.stale_reads, c.stale_reads);
        // The page's time series adds up to the same totals, over 150 intervals of 200 ms.
        let st = &sim.observer().stats;
        let total = |slot: usize| st.timeline.bins().iter().map(|b| b[slot]).sum::<u64>();
        assert_eq!(total(KvStats::ANSWERED), st.reads.ok + st.writes.ok);
        assert_eq!(total(KvStats::FAILED), st.reads.failed() + st.writes.failed());
        assert_eq!(total(KvStats::STALE), c.stale_reads);
        assert_eq!((st.timeline.step(), st.timeline.bins().len()), (200 * MS, 150));
    }
}

#[test]
fn client_clocks_lose_nothing_under_a_busy_workload() {
    // Blind writes (no read first) race often on the hot keys.
    let mut s = busy(3, 2, 2, 9);
    s.params.workload.read_before_write = false;
    s.params.actors = ClockActors::Clients;
    let sim = run(&s, 30_000 * MS);
    assert!(sim.observer().stats.sibling_reads > 0);
    assert_eq!(lost_writes(&sim), vec![]);
    // Server clocks under the same workload lose the races through one coordinator.
    s.params.actors = ClockActors::Servers;
    assert!(!lost_writes(&run(&s, 30_000 * MS)).is_empty());
}

#[test]
fn one_kv_scenario_twice_gives_one_digest_and_survives_a_permalink() {
    let mut s = busy(3, 2, 2, 42);
    fault(&mut s, 2_000 * MS, Fault::Crash { node: NodeId(1) });
    fault(&mut s, 3_000 * MS, Fault::SetLoss { loss: 0.05 });
    fault(&mut s, 4_000 * MS, Fault::Partition { groups: vec![vec![NodeId(0), NodeId(2)]] });
    fault(&mut s, 6_000 * MS, Fault::Recover { node: NodeId(1) });
    fault(&mut s, 7_000 * MS, Fault::Heal);
    let a = run(&s, 8_000 * MS);
    let decoded: KvScenario = permalink::decode(&permalink::encode(&s)).unwrap();
    let b = run(&decoded, 8_000 * MS);
    assert_eq!(a.digest(), b.digest());
    assert_eq!(a.observer().stats, b.observer().stats);
    let st = &a.observer().stats;
    assert!(st.reads.failed() + st.writes.failed() > 0, "faults should fail some requests: {st:?}");
    // Stepping back through `Run` lands on the same states.
    let mut r = Run::<KvSystem>::new(s.clone()).unwrap();
    r.run_until(8_000 * MS);
    assert_eq!(r.digest(), a.digest());
    r.seek_time(3_500 * MS);
    let c = run(&s, 3_500 * MS);
    assert_eq!((r.digest(), r.sim().observer().stats.clone()), (c.digest(), c.observer().stats.clone()));
}

#[test]
fn invalid_parameters_say_what_to_change() {
    type Breaks = fn(&mut KvParams);
    let cases: [(Breaks, &str); 7] = [
        (|p| p.n = 0, "N (replicas per key) must be from 1 to 5; got 0."),
        (|p| p.n = 6, "N (replicas per key) must be from 1 to 5; got 6."),
        (|p| p.w = 4, "W (write acknowledgements) must be from 1 to 3; got 4."),
        (|p| p.servers = 0, "The number of servers must be from 1 to 32; got 0."),
        (|p| p.loss = f64::NAN, "Message loss is a probability from 0 to 1; got NaN."),
        (
            |p| p.workload.ops_per_s = 1e9,
            "The request rate must be from 0 to 100,000 per second; got 1000000000.",
        ),
        (|p| p.timeout_us = 0, "The quorum timeout must be from 1 µs to 60 s; got 0 µs."),
    ];
    for (break_it, want) in cases {
        let mut p = KvParams::default();
        break_it(&mut p);
        assert_eq!(KvSystem::build(&KvScenario::new(1, p)).err().as_deref(), Some(want));
    }
    // A hostile permalink: valid JSON, absurd numbers.
    let text = permalink::encode(&serde_json::json!({"seed": 1, "params": {"servers": 4000000000u32}}));
    let s: KvScenario = permalink::decode(&text).unwrap();
    assert!(KvSystem::build(&s).err().unwrap_or_default().contains("servers"));
}

#[test]
fn every_key_lives_on_n_distinct_servers_clockwise() {
    let sim = run(&busy(3, 2, 2, 1), 0);
    let c = cluster(&sim).unwrap();
    for (k, prefs) in c.prefs.iter().enumerate() {
        let names: Vec<String> = prefs.iter().map(|id| server_name(id.0)).collect();
        let ring = c.ring.replicas(store::key_name(k as Key).as_bytes(), 3).unwrap();
        assert_eq!(names, ring.servers);
        let mut distinct = prefs.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 3);
    }
}

#[test]
fn the_determinism_scenario_has_the_pinned_digest() {
    // web/tests/kv_store.rs checks the same number in wasm32 in headless Chromium.
    let mut sim = KvSystem::build(&experiments::determinism_scenario()).unwrap();
    sim.run_until(2_000 * MS);
    assert_eq!((sim.digest(), sim.steps()), (9_669_420_283_906_834_362, 6_015));
}
