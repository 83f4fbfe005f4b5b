//! The key-value page under failure (the notes' gossip, sloppy quorum with hinted handoff,
//! anti-entropy with Merkle trees and the Bloom filter of the read path): the knobs, each
//! server's membership list, the hints waiting on stand-ins, two replicas' Merkle trees side by
//! side, the filters and disks, and the failure experiments with their charts. Everything shown
//! is read from core's run or computed by core's experiments.

use super::{choices, labelled, n, us};
use crate::widgets::experiment::SlicedExperimentCard;
use crate::widgets::plot::{Axis, Mark, Series, XyPlot, round_ticks};
use playground_core::experiment::{self, Outcome};
use playground_core::format::{self, plural};
use playground_core::kv::anti_entropy::{self, ReplicaTree, Walk};
use playground_core::kv::experiments::SEED;
use playground_core::kv::failure_experiments::{self as fx, DetectionPoint, SyncPoint};
use playground_core::kv::store::key_name;
use playground_core::kv::{self, KvNode, KvParams, Quorum, SSD_READ_US, Status};
use playground_core::sim::{NodeId, Sim};
use std::time::Duration;
use web_sys::HtmlSelectElement;
use yew::platform::time::sleep;
use yew::prelude::*;

/// A knob of the failure panel; its value arrives as the select's value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Knob {
    Gossip,
    Fanout,
    Quorum,
    AntiEntropy,
    Buckets,
    Disk,
    Bloom,
    Absent,
}

/// Applies a knob's new value; a sloppy quorum turns gossip on, gossip off makes the quorum strict.
pub(super) fn apply(p: &mut KvParams, knob: Knob, v: &str) {
    let on = v == "on";
    match knob {
        Knob::Gossip => {
            p.gossip.enabled = on;
            if !on {
                p.quorum = Quorum::Strict;
            }
        }
        Knob::Fanout => p.gossip.fanout = v.parse().unwrap_or(p.gossip.fanout),
        Knob::Quorum => {
            p.quorum = if v == "sloppy" { Quorum::Sloppy } else { Quorum::Strict };
            p.gossip.enabled |= p.quorum == Quorum::Sloppy;
        }
        Knob::AntiEntropy => p.anti_entropy.enabled = on,
        Knob::Buckets => p.anti_entropy.buckets = v.parse().unwrap_or(p.anti_entropy.buckets),
        Knob::Disk => p.disk.read_us = if on { SSD_READ_US } else { 0 },
        Knob::Bloom => p.disk.bloom = on,
        Knob::Absent => {
            p.workload.absent_share = v.parse::<f64>().map_or(p.workload.absent_share, |x| x / 100.0)
        }
    }
}

/// One labelled select of the panel: (value, text) options.
fn knob<T: Into<AttrValue>>(
    text: (&'static str, &'static str, T),
    options: &[(&str, &str)],
    current: &str,
    disabled: bool,
    k: Knob,
    cb: &Callback<(Knob, String)>,
) -> Html {
    let cb = cb.clone();
    let onchange =
        Callback::from(move |e: Event| cb.emit((k, e.target_unchecked_into::<HtmlSelectElement>().value())));
    labelled(text, onchange, disabled, choices(options, current))
}

const ON_OFF: &[(&str, &str)] = &[("on", "on"), ("off", "off")];

fn on_off(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

/// Gossip, the quorum, anti-entropy and the disk: changing one starts a new run with the same
/// seed (the quorum keeps the faults too).
pub(super) fn failure_params(p: &KvParams, cb: &Callback<(Knob, String)>) -> Html {
    let fanout = p.gossip.fanout.to_string();
    let fanouts: Vec<(String, String)> =
        (1..=3.min(p.servers.saturating_sub(1)).max(1)).map(|f| (f.to_string(), f.to_string())).collect();
    let fanouts: Vec<(&str, &str)> = fanouts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let buckets = p.anti_entropy.buckets.to_string();
    let absent = format!("{}", (p.workload.absent_share * 100.0).round());
    let ssd = format!("SSD, {}", us(SSD_READ_US as f64));
    html! {
        <fieldset class="kv-params">
            <legend>{ "Under failure" }</legend>
            { knob(("kv-gossip", "Gossip ", "Servers send their membership lists (heartbeats) to random peers and mark a silent one down"),
                ON_OFF, on_off(p.gossip.enabled), false, Knob::Gossip, cb) }
            { knob(("kv-fanout", "to peers ", format!("Peers each gossip round's list goes to (every {})", us(p.gossip.interval_us as f64))), &fanouts, &fanout, !p.gossip.enabled, Knob::Fanout, cb) }
            { knob(("kv-quorum", "Quorum ", "Strict: only the key's N replicas count. Sloppy: the first N healthy servers on the ring, a stand-in keeping a hint (needs gossip). Keeps the seed and the faults"),
                &[("strict", "strict"), ("sloppy", "sloppy")], p.quorum.label(), false, Knob::Quorum, cb) }
            { knob(("kv-ae", "Anti-entropy ", format!("Every {} each server compares a Merkle tree of the keys it shares with a peer and swaps what differs", us(p.anti_entropy.interval_us as f64))),
                ON_OFF, on_off(p.anti_entropy.enabled), false, Knob::AntiEntropy, cb) }
            { knob(("kv-buckets", "buckets ", "Leaves of each Merkle tree: more buckets send more hashes but smaller buckets"),
                &[("8", "8"), ("16", "16"), ("64", "64")], &buckets, !p.anti_entropy.enabled, Knob::Buckets, cb) }
            { knob(("kv-disk", "Disk ", format!("Whether a read pays an SSD read ({}) for the key's versions", us(SSD_READ_US as f64))),
                &[("on", &ssd), ("off", "none")], on_off(p.disk.read_us > 0), false, Knob::Disk, cb) }
            { knob(("kv-bloom", "Bloom filter ", "A Bloom filter of each server's keys answers a confident no without reading the disk"),
                ON_OFF, on_off(p.disk.bloom), false, Knob::Bloom, cb) }
            { knob(("kv-absent", "Reads of missing keys ", "The share of reads that ask for a key nobody writes"),
                &[("0", "0%"), ("20", "20%"), ("50", "50%")], &absent, false, Knob::Absent, cb) }
        </fieldset>
    }
}

/// A small table that scrolls inside its own box (a focusable region named `label`, so that a
/// keyboard can scroll it too): the first cell of each row names it, cells starting with a digit
/// are numbers (right-aligned).
fn table(
    class: &'static str,
    label: &'static str,
    caption: Option<String>,
    cols: &[&'static str],
    rows: Vec<Vec<String>>,
) -> Html {
    let cell = |c: String| html! { <td class={c.starts_with(|ch: char| ch.is_ascii_digit()).then_some("num")}>{ c }</td> };
    html! {
        <>
        if let Some(c) = caption { <p class="table-note">{ c }</p> }
        <div class="table-scroll" tabindex="0" role="region" aria-label={format!("{label} (scrolls sideways)")}>
            <table class={classes!("kv-table", class)}>
                <thead><tr>{ for cols.iter().map(|c| html! { <th scope="col">{ *c }</th> }) }</tr></thead>
                <tbody>{ for rows.into_iter().map(|r| html! { <tr>{ for r.into_iter().map(cell) }</tr> }) }</tbody>
            </table>
        </div>
        </>
    }
}

/// One figure of a row of tags, optionally named for the tests (`data-figure`).
fn tag(figure: Option<&'static str>, text: String) -> Html {
    html! { <span class="tag" data-figure={figure}>{ text }</span> }
}

/// The status as a coloured symbol with a second cue (STYLE.md): ● alive, ○ suspected, ✕ down.
fn status_mark(s: Status) -> Html {
    let (class, mark) = match s {
        Status::Alive => ("st-alive", "●"),
        Status::Suspected => ("st-suspected", "○"),
        Status::Down => ("st-down", "✕"),
    };
    html! { <span class={class} aria-hidden="true">{ mark }</span> }
}

/// Each server's membership list as a row (members as columns), and the newest changes of mind.
pub(super) fn membership(sim: &Sim<KvNode>) -> Html {
    let Some(c) = kv::cluster(sim) else { return Html::default() };
    if !c.params.gossip.enabled {
        return html! { <p class="note">{ "Gossip is off: every server believes every other one is up. Turn it on under “Under failure”." }</p> };
    }
    let servers = c.params.servers;
    let rows = (0..servers).filter_map(|i| {
        let view = sim.node(NodeId(i))?;
        let list = view.node.as_server()?.membership();
        let me = kv::server_name(i);
        Some(html! {
            <tr class={classes!((!view.up).then_some("down"))} data-server={me.clone()}>
                <th scope="row">{ me.clone() }if !view.up { <span class="st-down">{ " ✕ down" }</span> }</th>
                { for list.members().iter().enumerate().map(|(j, m)| {
                    let (label, text) = if m.unknown {
                        ("unknown", " unknown".to_string())
                    } else {
                        (m.status.label(), format!(" {} {}", m.heartbeat, m.status.label()))
                    };
                    html! { <td data-member={kv::server_name(j as u32)} data-status={label}>{ status_mark(m.status) }{ text }</td> }
                }) }
            </tr>
        })
    });
    let changes = sim.observer().membership.iter().rev().take(8);
    html! {
        <div class="kv-membership">
            <p class="table-note">{ format!("Each server's membership list: a row per server, the heartbeat it last heard from every member and its status. \
                A heartbeat is a counter the member raises every round (#25: its 25th round); after a restart it counts again from #0 in a new generation (“#15 · gen 1”), which beats any heartbeat of the old one. \
                ● alive · ○ suspected (silent {}) · ✕ down (silent {}, or a peer said so and its own record agrees). A down server's row is its list as it was when it crashed; \
                a restarted server holds every other one ✕ unknown (taken for down) until a peer's list brings it a fresh heartbeat.",
                us(c.params.gossip.suspect_after_us as f64), us(c.params.gossip.fail_after_us as f64)) }</p>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Membership lists (scrolls sideways)">
                <table class="kv-table membership">
                    <thead><tr><th scope="col">{ "List of" }</th>
                        { for (0..servers).map(|j| html! { <th scope="col">{ kv::server_name(j) }</th> }) }</tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
            <ol class="kv-changes" aria-label="The newest membership changes, newest first">
                { for changes.map(|m| html! {
                    <li>{ status_mark(m.change.status()) }{ format!(" {} {}: {}", us(m.at as f64), kv::server_name(m.server), m.change.describe()) }</li>
                }) }
            </ol>
        </div>
    }
}

/// The hints waiting on each stand-in, the hand-offs in flight and the totals.
pub(super) fn hints(sim: &Sim<KvNode>) -> Html {
    let Some(c) = kv::cluster(sim) else { return Html::default() };
    let st = &sim.observer().stats;
    let mut rows = Vec::new();
    let mut flights = Vec::new();
    let mut waiting = 0;
    for i in 0..c.params.servers {
        let Some(s) = sim.node(NodeId(i)).and_then(|v| v.node.as_server()) else { continue };
        waiting += s.hints.len();
        for (home, keys) in s.hints.iter() {
            let versions: usize = keys.values().map(Vec::len).sum();
            let names: Vec<String> = keys.keys().take(12).map(|&k| key_name(k)).collect();
            let more = if keys.len() > 12 { format!(" … ({} keys)", keys.len()) } else { String::new() };
            rows.push(vec![
                kv::server_name(i),
                sim.name(home).to_string(),
                format!("{}{more}", names.join(", ")),
                versions.to_string(),
            ]);
        }
        flights.extend(s.handoffs_in_flight().map(|(home, k)| {
            format!("{} → {}: {}", kv::server_name(i), sim.name(home), plural(k as u64, "key", "keys"))
        }));
    }
    html! {
        <div class="kv-hints">
            <p>{ "A hint is a write a stand-in keeps for a replica it believes down, with that replica's name; when gossip shows the replica up again, the stand-in hands the write off to it and drops the hint. \
                A newer write of the same key for the same replica replaces the hint before that. So every write kept as a hint is handed off, replaced or still waiting: the three figures after the first add up to it." }</p>
            if c.params.quorum == Quorum::Strict {
                <p class="note">{ "With the strict quorum no server stands in, so there are no hints: choose the sloppy quorum." }</p>
            }
            <p class="tag-row">
                { tag(Some("hints-stored"), plural(st.hints_stored, "write kept as a hint", "writes kept as hints")) }
                { tag(Some("hints-handed-off"), format!("{} handed off", n(st.hints_handed_off))) }
                { tag(Some("hints-replaced"), format!("{} replaced by a newer write", n(st.hints_replaced))) }
                { tag(Some("hints-waiting"), plural(waiting, "hinted version waiting", "hinted versions waiting")) }
                { tag(None, if flights.is_empty() { "no hand-off in flight".to_string() } else { format!("in flight: {}", flights.join(", ")) }) }
            </p>
            if !rows.is_empty() {
                { table("hints", "Hints waiting", None, &["Stand-in", "For replica", "Keys", "Versions"], rows) }
            }
        </div>
    }
}

/// The most leaves a tree drawing shows.
const MAX_LEAVES: usize = 64;

/// One replica's tree as rows of nodes per level: differing nodes as purple diamonds, nodes
/// compared and equal as green dots, nodes the walk never reached as small hollow circles.
fn tree_svg(name: &str, t: &ReplicaTree, walk: &Walk) -> Html {
    let levels: Vec<usize> =
        (0..t.tree.depth()).take_while(|&l| t.tree.level(l).len() <= MAX_LEAVES).collect();
    let (w, row) = (320.0, 22.0);
    let h = row * levels.len() as f64 + 8.0;
    let mut nodes = Vec::new();
    for &l in &levels {
        let count = t.tree.level(l).len();
        let (sent, differ) = (walk.sent.get(l), walk.differing.get(l));
        for i in 0..count {
            let (x, y) = ((i as f64 + 0.5) * w / count as f64, row * l as f64 + 14.0);
            let hash = t.tree.node(l, i).map(|h| anti_entropy::short_hash(&h)).unwrap_or_default();
            // A diamond, a filled circle of radius 3.5 or a small one of radius 2, as one path.
            let (class, what, d) = if differ.is_some_and(|d| d.contains(&i)) {
                ("mt-diff", "differs", format!("M{x:.1} {:.1}l5 5l-5 5l-5 -5z", y - 5.0))
            } else {
                let (class, what, r) = if sent.is_some_and(|s| s.contains(&i)) {
                    ("mt-same", "compared, equal", 3.5)
                } else {
                    ("mt-skip", "not compared", 2.0)
                };
                (
                    class,
                    what,
                    format!("M{:.1} {y:.1}a{r} {r} 0 1 0 {} 0a{r} {r} 0 1 0 -{} 0", x - r, 2.0 * r, 2.0 * r),
                )
            };
            nodes.push(html! { <path class={class} {d}><title>{ format!("{name}, level {l}, node {i}: {hash} ({what})") }</title></path> });
        }
    }
    html! {
        <figure class="merkle-tree">
            <figcaption>{ format!("{name}: root {}", anti_entropy::short_hash(&t.tree.root())) }</figcaption>
            <svg viewBox={format!("0 0 {w} {h}")} role="img" aria-label={format!("{name}'s Merkle tree, {} buckets", t.tree.leaf_count())}>{ for nodes }</svg>
        </figure>
    }
}

/// Two servers' trees over the keys they share, side by side, what a session between them
/// would send, and the sessions of the run; `first` and `second` are the page's choice of servers.
pub(super) fn merkle(sim: &Sim<KvNode>, first: &UseStateHandle<u32>, second: &UseStateHandle<u32>) -> Html {
    let Some(c) = kv::cluster(sim) else { return Html::default() };
    let select = |text, side: &UseStateHandle<u32>| {
        let options = (0..c.params.servers).map(|i| html! { <option value={i.to_string()} selected={i == **side}>{ kv::server_name(i) }</option> }).collect();
        let side = side.clone();
        let pick = Callback::from(move |e: Event| {
            side.set(e.target_unchecked_into::<HtmlSelectElement>().value().parse().unwrap_or(0))
        });
        labelled(text, pick, false, options)
    };
    let (a, b) = (**first, **second);
    if !c.params.anti_entropy.enabled {
        return html! { <p class="note">{ "Anti-entropy is off: turn it on under “Under failure” to compare replicas' Merkle trees." }</p> };
    }
    let o = sim.observer();
    let ae = &o.anti_entropy;
    let cmp = anti_entropy::compare(sim, NodeId(a), NodeId(b));
    let body = match &cmp {
        None => {
            html! { <p class="note">{ format!("{} and {} share no keys (or are the same server): pick two servers that replicate some of the same keys.", kv::server_name(a), kv::server_name(b)) }</p> }
        }
        Some(cmp) => {
            let w = &cmp.walk;
            let buckets = w.buckets();
            let leaves = cmp.tree_a.tree.leaf_count();
            html! { <>
                <div class="merkle-pair">
                    { tree_svg(&kv::server_name(a), &cmp.tree_a, w) }
                    { tree_svg(&kv::server_name(b), &cmp.tree_b, w) }
                </div>
                <p class="legend-line"><span class="mt-diff" aria-hidden="true">{ "◆" }</span>{ " differs · " }
                    <span class="mt-same" aria-hidden="true">{ "●" }</span>{ " compared, equal · small dot: never compared (its parent was equal)" }
                    if leaves > MAX_LEAVES { { format!(" · {leaves} buckets: only the levels with at most {MAX_LEAVES} nodes are drawn") } }</p>
                <p class="merkle-bytes" data-figure="merkle-buckets">{ if buckets.is_empty() {
                    format!("{}; the roots match, so a session ends after one hash ({}).", keys_shared(cmp.keys.len()), format::bytes(w.hash_bytes as f64))
                } else {
                    format!("{}; {} of {leaves} buckets differ. A session sends {} of hashes (20 B each) + {} of buckets = {}, against {} for both sides sending everything ({}%).{}",
                        keys_shared(cmp.keys.len()), buckets.len(), format::bytes(w.hash_bytes as f64), format::bytes(w.bucket_bytes as f64),
                        format::bytes(w.bytes() as f64), format::bytes(w.full_bytes as f64),
                        format::significant(100.0 * w.bytes() as f64 / w.full_bytes.max(1) as f64, 3),
                        if w.bytes() > w.full_bytes { format!(" With this few keys the hashes cost more than the data; the experiment below has {}.", n(u64::from(fx::SYNC_KEYS))) } else { String::new() })
                } }</p>
                if !buckets.is_empty() {
                    <ul class="merkle-buckets">
                        { for buckets.iter().take(16).map(|&i| html! {
                            <li><span class="mt-diff" aria-hidden="true">{ "◆ " }</span>{ format!("bucket {i}: {}", cmp.tree_a.bucket_keys.get(i).map(|ks| ks.iter().map(|&k| key_name(k)).collect::<Vec<_>>().join(", ")).unwrap_or_default()) }</li>
                        }) }
                    </ul>
                }
            </> }
        }
    };
    html! {
        <div class="kv-merkle">
            <div class="fault-buttons">
                { select(("kv-mt-a", "Compare ", "The first replica of the comparison (it starts the session)"), first) }
                { select(("kv-mt-b", "with ", "The second replica of the comparison"), second) }
            </div>
            { body }
            <p class="tag-row">
                { tag(None, format!("{}, {} in sync at the root", plural(ae.sessions, "session", "sessions"), n(ae.in_sync))) }
                { tag(None, format!("sent {} of hashes + {} of buckets, against {} without trees", format::bytes(ae.hash_bytes as f64), format::bytes(ae.bucket_bytes as f64), format::bytes(ae.full_bytes as f64))) }
                { tag(None, format!("{} repaired", plural(ae.repaired, "version", "versions"))) }
                { tag(Some("ae-open"), format!("{} · {} dropped unfinished (a side crashed, saw the other down or gave up waiting)",
                    plural(o.open_syncs.len() as u64, "session open", "sessions open"), n(ae.dropped))) }
            </p>
            if !o.recent_syncs.is_empty() {
                { table("syncs", "Anti-entropy sessions", Some("The newest anti-entropy sessions".into()),
                    &["Servers", "Started", "Keys", "Levels", "Buckets", "Sent", "Without tree", "Repaired"],
                    o.recent_syncs.iter().rev().take(8).map(|s| vec![
                        format!("{} → {}{}", kv::server_name(s.initiator), kv::server_name(s.peer), if s.dropped { " (dropped)" } else { "" }), us(s.started as f64),
                        n(s.keys), s.rounds.to_string(), n(s.buckets_sent),
                        format::bytes(s.bytes() as f64), format::bytes(s.full_bytes as f64), n(s.repaired)]).collect()) }
            }
        </div>
    }
}

/// Each server's Bloom filter and what the disks did.
pub(super) fn bloom(sim: &Sim<KvNode>) -> Html {
    let Some(c) = kv::cluster(sim) else { return Html::default() };
    let d = sim.observer().stats.disk;
    let disk = c.params.disk;
    let rows: Vec<Vec<String>> = (0..c.params.servers)
        .filter_map(|i| {
            let f = sim.node(NodeId(i))?.node.as_server()?.bloom.as_ref()?;
            Some(vec![
                kv::server_name(i),
                n(f.bits()),
                f.hashes().to_string(),
                n(f.items()),
                n(f.bits_set()),
                format::percent(f.fill_ratio()),
                format::percent(f.estimated_false_positive_rate()),
            ])
        })
        .collect();
    html! {
        <div class="kv-bloom">
            <p>{ if disk.read_us == 0 { "No disk is simulated: reads are answered from memory. Turn the disk on under “Under failure” to see what the filter saves.".to_string() }
                else { format!("Each read of a key costs a disk read of {}, unless the server's Bloom filter says the key was never stored there.", us(disk.read_us as f64)) } }</p>
            <p class="tag-row" data-figure="disk">
                { tag(None, plural(d.reads, "disk read", "disk reads")) }
                { tag(None, format!("{} of them for nothing (key absent)", n(d.empty))) }
                { tag(None, format!("{} skipped by the filter", n(d.skipped))) }
            </p>
            if disk.bloom {
                { table("bloom", "Bloom filters", Some(format!("Each server's filter, sized for the keys it replicates at {} false positives; k hashes per key; fill = bits set / bits; false positives now ≈ fillᵏ (above {} once a filter holds more keys than it was sized for, as a stand-in adds the keys it keeps hints of)",
                    format::percent(disk.bloom_fpr), format::percent(disk.bloom_fpr))),
                    &["Server", "Bits", "k", "Keys added", "Bits set", "Fill", "False positives"], rows) }
            } else {
                <p class="note">{ "The Bloom filter is off: every read for a missing key reads the disk." }</p>
            }
        </div>
    }
}

/// What a failure card keeps once run: the outcome and the points of its chart.
#[derive(Clone, PartialEq, Default)]
struct Found {
    /// The share done while running.
    progress: Option<f64>,
    outcome: Option<Outcome>,
    detection: Vec<DetectionPoint>,
    sync: Vec<SyncPoint>,
}

#[derive(Properties, PartialEq)]
pub(super) struct FailureCardProps {
    /// Index into core's `failure_experiments::CLAIMS`.
    pub index: usize,
}

/// A failure claim as a card that runs between frames, with a progress bar: the detection sweep
/// one cluster size at a time, the others in one go after the bar has painted.
#[function_component(FailureCard)]
pub(super) fn failure_card(props: &FailureCardProps) -> Html {
    let found = use_state(Found::default);
    let index = props.index;
    let claim = &fx::CLAIMS[index];
    let start = {
        let found = found.clone();
        Callback::from(move |_| {
            if found.progress.is_some() {
                return;
            }
            let mut f = Found { progress: Some(0.0), ..Found::default() };
            found.set(f.clone());
            let found = found.clone();
            yew::platform::spawn_local(async move {
                sleep(Duration::from_millis(16)).await;
                if index == 0 {
                    let total = fx::DETECTION_FANOUTS.len() * fx::DETECTION_SIZES.len();
                    for fanout in fx::DETECTION_FANOUTS {
                        for servers in fx::DETECTION_SIZES {
                            match fx::detection(servers, fanout, fx::DETECTION_TRIALS, SEED) {
                                Ok(p) => f.detection.push(p),
                                Err(e) => f.outcome = Some(experiment::broken("—", e)),
                            }
                            f.progress = Some(f.detection.len() as f64 / total as f64);
                            found.set(f.clone());
                            sleep(Duration::ZERO).await;
                        }
                    }
                    f.outcome = f.outcome.or_else(|| Some(fx::detection_outcome(&f.detection)));
                } else if index == 3 {
                    match fx::sync_sweep(SEED) {
                        Ok(points) => {
                            f.outcome = Some(fx::sync_outcome(&points));
                            f.sync = points;
                        }
                        Err(e) => f.outcome = Some(experiment::broken("—", e)),
                    }
                } else {
                    f.outcome = Some((fx::CLAIMS[index].run)());
                }
                f.progress = None;
                found.set(f);
            });
        })
    };
    let done = found.progress.is_none();
    html! {
        <SlicedExperimentCard claim={claim.claim} source={claim.source} {start} progress={found.progress} outcome={found.outcome.clone()}>
            if done && !found.detection.is_empty() { { detection_chart(&found.detection) } }
            if done && !found.sync.is_empty() { { sync_chart(&found.sync) } }
        </SlicedExperimentCard>
    }
}

/// Mean agreement time against cluster size (log2 axis), one series per fanout.
fn detection_chart(points: &[DetectionPoint]) -> Html {
    let ms = || points.iter().map(|p| p.mean_us / 1e3).filter(|v| v.is_finite());
    let ymax = ms().fold(1.0, f64::max);
    // From a round 100 ms under the fastest point, so that the growth with size shows.
    let ymin = (ms().fold(ymax, f64::min) * 0.9 / 100.0).floor() * 100.0;
    let (lo, hi) =
        (f64::from(fx::DETECTION_SIZES[0]), f64::from(fx::DETECTION_SIZES[fx::DETECTION_SIZES.len() - 1]));
    let marks = [(Mark::Line, "series-a"), (Mark::Squares, "series-b"), (Mark::Dots, "series-stale")];
    let series: Vec<Series> = fx::DETECTION_FANOUTS
        .iter()
        .zip(marks)
        .map(|(&f, (mark, class))| Series {
            label: format!("fanout {f}").into(),
            points: points
                .iter()
                .filter(|p| p.fanout == f && p.mean_us.is_finite())
                .map(|p| (f64::from(p.servers), p.mean_us / 1e3))
                .collect(),
            mark,
            class: class.into(),
        })
        .collect();
    html! {
        <XyPlot caption="Mean time from a crash until every live server marks it down"
            x={Axis { label: "servers (log₂ scale)".into(), log: true, min: lo, max: hi,
                ticks: fx::DETECTION_SIZES.iter().map(|&s| (f64::from(s), AttrValue::from(s.to_string()))).collect() }}
            y={Axis { label: "agreement time (ms)".into(), log: false, min: ymin, max: ymax * 1.1,
                ticks: round_ticks(ymax * 1.1 - ymin, |v| format::significant(v + ymin, 3)).into_iter().map(|(v, l)| (v + ymin, l)).collect() }}
            {series} />
    }
}

/// "1 key shared", "3 keys shared".
fn keys_shared(keys: usize) -> String {
    plural(keys as u64, "key shared", "keys shared")
}

/// Bytes a session sends against the share of keys differing (log x and y), the model dashed.
fn sync_chart(points: &[SyncPoint]) -> Html {
    let pts: Vec<&SyncPoint> = points.iter().filter(|p| p.share > 0.0).collect();
    let full = pts.iter().map(|p| p.full_bytes).max().unwrap_or(1) as f64;
    let lo_y = pts.iter().map(|p| (p.bytes as f64).min(p.model_bytes)).fold(f64::INFINITY, f64::min).max(1.0);
    let (ymin, ymax) = (10f64.powf(lo_y.log10().floor()), 10f64.powf(full.log10().ceil()));
    let decades = (ymin.log10() as i32..=ymax.log10() as i32)
        .map(|e| (10f64.powi(e), AttrValue::from(format::bytes(10f64.powi(e)))))
        .collect();
    let shares = [0.001, 0.01, 0.1, 1.0]
        .iter()
        .map(|&s| (s, AttrValue::from(format!("{}%", format::significant(s * 100.0, 2)))))
        .collect();
    html! {
        <XyPlot caption={format!("Bytes one anti-entropy session sends as the share of differing keys grows ({} keys, {} buckets)", n(u64::from(fx::SYNC_KEYS)), n(u64::from(fx::SYNC_BUCKETS)))}
            x={Axis { label: "keys differing (log scale)".into(), log: true, min: 0.001, max: 1.0, ticks: shares }}
            y={Axis { label: "bytes sent (log scale)".into(), log: true, min: ymin, max: ymax, ticks: decades }}
            series={vec![
                Series { label: "measured".into(), points: pts.iter().map(|p| (p.share, p.bytes as f64)).collect(), mark: Mark::Dots, class: "series-a".into() },
                Series { label: "model".into(), points: pts.iter().map(|p| (p.share, p.model_bytes)).collect(), mark: Mark::Dashed, class: "series-b".into() },
                Series { label: "without a tree".into(), points: pts.iter().map(|p| (p.share, p.full_bytes as f64)).collect(), mark: Mark::Dotted, class: "series-deny".into() },
            ]} />
    }
}
