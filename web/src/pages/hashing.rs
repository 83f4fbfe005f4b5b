//! The consistent-hashing page (the notes' "Consistent Hashing"): the SHA-1 ring drawn live with its
//! servers, virtual nodes, partitions and keys; `hash % N` and the ring side by side after the same
//! membership change with the moved keys highlighted and counted; the load per server with its
//! statistics; a cascading failure; and the notes' claims run as experiments. Every figure comes
//! from `playground_core::hashing`; all settings live in the URL query.

use crate::app::Route;
use crate::url_state::{Query, use_query_state};
use crate::widgets::copy_link::CopyLink;
use crate::widgets::experiment::ExperimentCard;
use crate::widgets::page::{PageTitle, Section};
use crate::widgets::plot::{Axis, Column, Columns, Mark, Series, XyPlot};
use crate::widgets::ring::{RingArc, RingKey, RingNode, RingProbe, RingView};
use crate::widgets::seed::SeedField;
use playground_core::experiment;
use playground_core::format;
use playground_core::hashing::experiments::{self, CascadeComparison, CvCurve, HotKey, MovedShare};
use playground_core::hashing::load::expected_cv;
use playground_core::hashing::ring::vnode_label;
use playground_core::hashing::settings::{
    HEADROOM_STEPS, KEY_STEPS, PAGE_MAX_SERVERS, Settings, VNODE_STEPS, ZIPF_STEPS, nearest_step,
};
use playground_core::hashing::{
    Assignment, HashFn, KeySet, LoadStats, ModN, Moves, Position, Ring, cascade, moves,
};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Keys drawn on the main ring at most (a sample spread evenly by position).
const DRAWN_KEYS: usize = 1000;
/// Keys drawn on each ring of the side-by-side comparison at most.
const COMPARED_KEYS: usize = 500;
/// Partition arcs drawn exactly up to this many; beyond, the ring is drawn in this many slices.
const ARC_SLICES: usize = 720;
/// Virtual-node ticks drawn up to this many; beyond, only each server's first.
const DRAWN_TICKS: usize = 2000;

/// Shared data that compares by identity: memoised results are the same `Rc` until their inputs
/// change, so a component skips re-rendering without comparing 100,000 keys.
#[derive(Debug)]
pub struct Shared<T>(pub Rc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Where every key lives under both schemes, for one server pool.
#[derive(Debug)]
pub struct Placement {
    pub ring: Result<Ring, String>,
    pub ring_keys: Result<Assignment, String>,
    pub mod_n_keys: Result<Assignment, String>,
}

fn place(keys: &KeySet, hash: HashFn, servers: &[String], vnodes: u32) -> Placement {
    let specs: Vec<(&str, u32)> = servers.iter().map(|s| (s.as_str(), vnodes)).collect();
    let ring = Ring::build(hash, &specs);
    let ring_keys = match &ring {
        Ok(r) => r.assign(keys).map_err(|e| e.to_string()),
        Err(e) => Err(e.clone()),
    };
    let mod_n_keys = ModN::new(hash, servers).and_then(|m| m.assign(keys).map_err(|e| e.to_string()));
    Placement { ring, ring_keys, mod_n_keys }
}

fn count(n: impl Into<u128>) -> String {
    format::group_digits(n.into())
}

fn degrees(f: f64) -> String {
    format!("{}°", format::significant(f * 360.0, 4))
}

#[function_component(HashingPage)]
pub fn hashing_page() -> Html {
    let (query, set_query) = use_query_state(Route::Hashing);
    let (settings, link_errors) = Settings::from_query(query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let write = Callback::from(move |s: Settings| {
        set_query.emit(s.to_query().into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Query>())
    });

    let keys = use_memo((settings.hash, settings.keys, settings.seed), |&(hash, count, seed)| {
        KeySet::generate(hash, count, seed)
            .or_else(|_| KeySet::from_names::<&str>(hash, &[]))
            .expect("an empty key set is always valid")
    });
    let now = {
        let keys = keys.clone();
        use_memo(
            (settings.hash, settings.keys, settings.seed, settings.servers.clone(), settings.vnodes),
            move |(hash, _, _, servers, vnodes)| place(&keys, *hash, servers, *vnodes),
        )
    };
    let before = {
        let keys = keys.clone();
        use_memo(
            (settings.hash, settings.keys, settings.seed, settings.before.clone(), settings.vnodes),
            move |(hash, _, _, before, vnodes)| before.as_ref().map(|b| place(&keys, *hash, b, *vnodes)),
        )
    };
    let weights = {
        let keys = keys.clone();
        let popularity = settings.popularity();
        use_memo((settings.hash, settings.keys, settings.seed, settings.zipf.to_bits()), move |_| {
            popularity.weights(&keys)
        })
    };

    let keys = Shared(keys);
    let now = Shared(now);
    let before = Shared(before);
    let weights = Shared(weights);
    let n = settings.servers.len();
    let v = settings.vnodes;
    let k = settings.keys;

    html! {
        <article class="page hashing">
            <PageTitle
                title="Consistent hashing"
                promise="Add or remove a server and see exactly which keys move: almost all of them under hash mod N, about one in N+1 on a hash ring."
            />
            <Section id="problem" step="Step 1 · Understand the problem" title="The problem">
                <p>
                    { "A cache or a database spread over N servers must send every key to one server, and every client must \
                       agree which. The servers change: one is added when traffic grows, one crashes. The notes ask for a \
                       scheme that (1) spreads keys evenly, (2) moves as few keys as possible when a server joins or leaves, \
                       since every moved key is a cache miss or a copy over the network, and (3) finds a key's server fast. \
                       Amazon's Dynamo, Apache Cassandra and Akamai's CDN use consistent hashing for this." }
                </p>
                <p>
                    { "Classic hashing picks " }<code>{ "serverIndex = hash(key) % N" }</code>
                    { ". Consistent hashing (Karger et al., 1997) puts servers and keys on one circle of hash values instead; \
                       a key belongs to the first server clockwise from it." }
                </p>
            </Section>
            <Section id="estimate" step="Step 2 · Estimate" title="The numbers for this ring">
                <Estimate settings={settings.clone()} now={now.clone()} />
            </Section>
            <Section id="ring" step="Step 3 · The design, running" title="The ring" wide=true>
                if !link_errors.is_empty() {
                    <ul class="link-errors" role="status">
                        { for link_errors.iter().map(|e| html! { <li><span aria-hidden="true">{ "✕ " }</span>{ e.clone() }</li> }) }
                    </ul>
                }
                <RingExplorer settings={settings.clone()} keys={keys.clone()} now={now.clone()} write={write.clone()} />
                <CopyLink />
            </Section>
            <Section id="deep-dive" step="Step 4 · Deep dive" title="What moves, what balances, what breaks" wide=true>
                <h3>{ "hash mod N against the ring, after the same change" }</h3>
                <Comparison settings={settings.clone()} keys={keys.clone()} now={now.clone()} before={before.clone()} write={write.clone()} />
                <h3>{ "Load per server" }</h3>
                <LoadPanel settings={settings.clone()} now={now.clone()} weights={weights.clone()} />
                <h3>{ "Cascading failure" }</h3>
                <CascadePanel settings={settings.clone()} keys={keys.clone()} now={now.clone()} weights={weights.clone()} write={write.clone()} />
            </Section>
            <Section id="experiments" step="Experiments" title="Claims, measured" wide=true>
                <p>{ format!("Each experiment runs on this page's {} keys ({}, seed {}) with servers named S1, S2, ….",
                    count(k as u64), settings.hash.label(), settings.seed) }</p>
                <Experiments settings={settings.clone()} keys={keys.clone()} />
            </Section>
            <Section id="summary" step="Step 5 · Summarize" title="Summary">
                <Summary settings={settings.clone()} now={now.clone()} before={before.clone()} />
            </Section>
            <p class="note">{ format!("{n} servers, {v} virtual node{} each, {} keys.", if v == 1 { "" } else { "s" }, count(k as u64)) }</p>
        </article>
    }
}

#[derive(Properties, PartialEq)]
struct EstimateProps {
    settings: Settings,
    now: Shared<Placement>,
}

/// Back-of-the-envelope figures for the current ring, each with its formula.
#[function_component(Estimate)]
fn estimate(props: &EstimateProps) -> Html {
    let s = &props.settings;
    let n = s.servers.len() as f64;
    let k = s.keys as f64;
    let positions = n * s.vnodes as f64;
    let memory = props.now.ring.as_ref().map(Ring::memory_bytes).unwrap_or(0);
    html! {
        <>
            <table class="steps">
                <tbody>
                    <tr>
                        <th scope="row">{ "Keys moved when a server joins, ring" }</th>
                        <td class="formula">{ format!("K/(N+1) = {} / {} =", count(s.keys as u64), format::count(n + 1.0)) }</td>
                        <td class="value">{ format!("≈ {} keys", format::count((k / (n + 1.0)).round())) }</td>
                    </tr>
                    <tr>
                        <th scope="row">{ "Keys moved when a server joins, hash mod N" }</th>
                        <td class="formula">{ format!("K·N/(N+1) = {} × {}/{} =", count(s.keys as u64), format::count(n), format::count(n + 1.0)) }</td>
                        <td class="value">{ format!("≈ {} keys", format::count((k * n / (n + 1.0)).round())) }</td>
                    </tr>
                    <tr>
                        <th scope="row">{ "Positions on the ring" }</th>
                        <td class="formula">{ format!("N × v = {} × {} =", format::count(n), count(s.vnodes)) }</td>
                        <td class="value">{ format::count(positions) }</td>
                    </tr>
                    <tr>
                        <th scope="row">{ "Comparisons per plain binary search" }</th>
                        <td class="formula">{ format!("log₂({}) =", format::count(positions.max(1.0))) }</td>
                        <td class="value">{ format::significant(positions.max(1.0).log2(), 3) }</td>
                    </tr>
                    <tr>
                        <th scope="row">{ "Memory of this ring" }</th>
                        <td class="formula">{ format!("{} positions × 40 bytes + a radix table + names =", format::count(positions)) }</td>
                        <td class="value">{ format::bytes(memory as f64) }</td>
                    </tr>
                    <tr>
                        <th scope="row">{ "Expected CV of keys per server" }</th>
                        <td class="formula">{ format!("√((N−1)/(N·v+1) + (N−1)/K) with N = {}, v = {}, K = {} =", format::count(n), count(s.vnodes), count(s.keys as u64)) }</td>
                        <td class="value">{ if n >= 1.0 { format::significant(expected_cv(n as u32, s.vnodes, s.keys as u64), 3) } else { "—".to_string() } }</td>
                    </tr>
                </tbody>
            </table>
            <p class="note">
                { "This ring narrows each binary search with a radix table on the top bits, so a lookup touches a couple of \
                   positions instead of log₂(N·v). How many servers you need in the first place: " }
                <a href="#/estimate">{ "capacity estimation" }</a>{ "." }
            </p>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct RingExplorerProps {
    settings: Settings,
    keys: Shared<KeySet>,
    now: Shared<Placement>,
    write: Callback<Settings>,
}

/// The main ring with its controls and the key inspector. Hovering a key re-renders only this.
#[function_component(RingExplorer)]
fn ring_explorer(props: &RingExplorerProps) -> Html {
    let s = &props.settings;
    let selected = use_state(|| None::<usize>);
    let keys = &*props.keys;
    let colour = |name: &str| s.colour_of(name);

    // The drawing depends only on the placement, not on the hovered key: computed once per change.
    let drawing =
        use_memo((props.now.clone(), props.keys.clone(), s.servers.clone()), |(now, keys, servers)| {
            let s = Settings { servers: servers.clone(), ..Settings::default() };
            let drawn: Vec<usize> = keys.sample_slots(DRAWN_KEYS);
            let (arcs, nodes, note) = match &now.ring {
                Ok(ring) => ring_drawing(ring, &s),
                Err(_) => (Vec::new(), Vec::new(), String::new()),
            };
            let ring_keys: Vec<RingKey> = match &now.ring_keys {
                Ok(a) => drawn
                    .iter()
                    .map(|&slot| RingKey {
                        id: slot,
                        at: keys.positions()[slot].fraction(),
                        colour: s.colour_of(a.owner_name(slot)),
                        emphasis: false,
                        title: None,
                    })
                    .collect(),
                Err(_) => Vec::new(),
            };
            Drawing { drawn, arcs, nodes, keys: ring_keys, note }
        });
    let drawn = drawing.drawn.clone();
    // One callback for the page's lifetime, so the ring's static layer sees equal props on hover.
    let on_select = {
        let selected = selected.clone();
        use_memo((), move |_| Callback::from(move |slot: usize| selected.set(Some(slot))))
    };
    // The key under inspection: a typed key wins over a hovered one.
    let typed = (!s.lookup.is_empty()).then(|| s.lookup.clone());
    let inspected: Option<(String, Position)> = match (&typed, *selected) {
        (Some(t), _) => Some((t.clone(), s.hash.position(t.as_bytes()))),
        (None, Some(slot)) if slot < keys.len() => Some((keys.name(slot), keys.positions()[slot])),
        _ => None,
    };
    let probes: Vec<RingProbe> = match (&props.now.ring, &inspected) {
        (Ok(ring), Some((_, pos))) => ring
            .successor(*pos)
            .map(|i| {
                let p = ring.points()[i];
                vec![RingProbe {
                    from: pos.fraction(),
                    to: p.position.fraction(),
                    colour: colour(&ring.servers()[p.server as usize].name),
                }]
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let n = s.servers.len();
    let center: Vec<AttrValue> = match &props.now.ring {
        Ok(r) if !r.is_empty() => vec![
            format!("{n} server{}", if n == 1 { "" } else { "s" }).into(),
            format!("{} positions", count(r.points().len() as u64)).into(),
            s.hash.label().into(),
        ],
        _ => vec!["no servers".into()],
    };
    let key_note = if keys.len() > drawn.len() {
        format!(
            "Drawn: {} of the {} keys (every {}th by position), each coloured by its server. {}",
            count(drawn.len() as u64),
            count(keys.len() as u64),
            keys.len().div_ceil(drawn.len().max(1)),
            drawing.note
        )
    } else {
        format!("Drawn: all {} keys, each coloured by its server. {}", count(keys.len() as u64), drawing.note)
    };

    html! {
        <div class="hash-layout">
            <div class="hash-figure">
                <RingView
                    caption={format!("The hash ring: {} server{} with {} virtual node{} each; keys as dots. Hover or tap a key.",
                        n, if n == 1 { "" } else { "s" }, s.vnodes, if s.vnodes == 1 { "" } else { "s" })}
                    arcs={drawing.arcs.clone()} nodes={drawing.nodes.clone()} keys={drawing.keys.clone()} probes={probes}
                    selected={if typed.is_some() { None } else { *selected }}
                    center={center} on_select={(*on_select).clone()} note={key_note} />
            </div>
            <div class="hash-side">
                <Controls settings={s.clone()} write={props.write.clone()} />
                <Inspector settings={s.clone()} now={props.now.clone()} inspected={inspected.clone()}
                    typed={typed.is_some()} write={props.write.clone()}
                    step={{
                        let selected = selected.clone();
                        let drawn = drawn.clone();
                        Callback::from(move |delta: i64| {
                            if drawn.is_empty() { return; }
                            let at = selected.and_then(|s| drawn.iter().position(|&d| d == s));
                            let next = match at {
                                Some(i) => (i as i64 + delta).rem_euclid(drawn.len() as i64) as usize,
                                None => 0,
                            };
                            selected.set(Some(drawn[next]));
                        })
                    }} />
            </div>
        </div>
    }
}

/// What the main ring draws for one placement.
struct Drawing {
    /// The slots of the keys drawn.
    drawn: Vec<usize>,
    arcs: Vec<RingArc>,
    nodes: Vec<RingNode>,
    keys: Vec<RingKey>,
    /// What was simplified in the drawing.
    note: String,
}

/// The partitions and virtual-node ticks of a ring, and a note on what was simplified.
fn ring_drawing(ring: &Ring, s: &Settings) -> (Vec<RingArc>, Vec<RingNode>, String) {
    let name = |i: u32| ring.servers()[i as usize].name.as_str();
    let exact = ring.arcs();
    let (arcs, mut note) = if exact.len() <= ARC_SLICES {
        (exact, String::new())
    } else {
        (
            ring.arcs_binned(ARC_SLICES),
            format!(
                "The {} partitions are drawn in {} slices of 0.5°: a partition narrower than a slice may not show.",
                count(exact.len() as u64),
                ARC_SLICES
            ),
        )
    };
    let arcs = arcs
        .iter()
        .map(|a| RingArc {
            from: a.from.fraction(),
            to: a.to.fraction(),
            colour: s.colour_of(name(a.server)),
            full: a.full,
        })
        .collect();
    let all_ticks = ring.points().len() <= DRAWN_TICKS;
    if !all_ticks {
        note.push_str(" Ticks mark each server's first virtual node only.");
    }
    let label = ring.servers().len() <= 16;
    let nodes = ring
        .points()
        .iter()
        .filter(|p| all_ticks || p.vnode == 0)
        .map(|p| RingNode {
            at: p.position.fraction(),
            colour: s.colour_of(name(p.server)),
            emphasis: p.vnode == 0,
            label: (label && p.vnode == 0).then(|| AttrValue::from(name(p.server).to_string())),
        })
        .collect();
    (arcs, nodes, note)
}

#[derive(Properties, PartialEq)]
struct ControlsProps {
    settings: Settings,
    write: Callback<Settings>,
}

fn slider_index(e: &Event) -> usize {
    e.target_unchecked_into::<HtmlInputElement>()
        .value()
        .parse::<f64>()
        .map_or(0, |v| v.max(0.0).round() as usize)
}

/// Add and remove servers, virtual nodes, keys, hash function, popularity and seed.
#[function_component(Controls)]
fn controls(props: &ControlsProps) -> Html {
    let s = &props.settings;
    let add = {
        let (s, write) = (s.clone(), props.write.clone());
        Callback::from(move |_| {
            if let Ok(next) = s.with_server_added() {
                write.emit(next);
            }
        })
    };
    let full = s.servers.len() >= PAGE_MAX_SERVERS;
    let v_index = nearest_step(VNODE_STEPS.map(f64::from), s.vnodes as f64);
    let k_index = nearest_step(KEY_STEPS.map(|k| k as f64), s.keys as f64);
    let on_v = {
        let (s, write) = (s.clone(), props.write.clone());
        Callback::from(move |e: Event| {
            let i = slider_index(&e).min(VNODE_STEPS.len() - 1);
            write.emit(Settings { vnodes: VNODE_STEPS[i], ..s.clone() });
        })
    };
    let on_k = {
        let (s, write) = (s.clone(), props.write.clone());
        Callback::from(move |e: Event| {
            let i = slider_index(&e).min(KEY_STEPS.len() - 1);
            write.emit(Settings { keys: KEY_STEPS[i], ..s.clone() });
        })
    };
    let on_hash = {
        let (s, write) = (s.clone(), props.write.clone());
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(hash) = HashFn::from_key(&value) {
                write.emit(Settings { hash, ..s.clone() });
            }
        })
    };
    let on_zipf = {
        let (s, write) = (s.clone(), props.write.clone());
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Ok(zipf) = value.parse::<f64>() {
                write.emit(Settings { zipf, ..s.clone() });
            }
        })
    };
    let on_seed = {
        let (s, write) = (s.clone(), props.write.clone());
        Callback::from(move |seed: u64| write.emit(Settings { seed, ..s.clone() }))
    };
    let zipf_options: Vec<f64> = {
        let mut o = ZIPF_STEPS.to_vec();
        if !o.contains(&s.zipf) {
            o.push(s.zipf);
        }
        o
    };
    html! {
        <div class="hash-controls" role="group" aria-label="Ring settings">
            <div class="server-list">
                <p class="control-label">{ format!("Servers ({})", s.servers.len()) }</p>
                <ul>
                    { for s.servers.iter().map(|name| {
                        let remove = {
                            let (s, write, name) = (s.clone(), props.write.clone(), name.clone());
                            Callback::from(move |_| { if let Ok(next) = s.with_server_removed(&name) { write.emit(next); } })
                        };
                        let colour = format!("srv-{}", s.colour_of(name));
                        html! {
                            <li class="server-chip">
                                <svg class="chip-swatch" viewBox="0 0 10 10" aria-hidden="true"><circle class={colour} cx="5" cy="5" r="4" /></svg>
                                <span class="mono">{ name.clone() }</span>
                                <button type="button" class="secondary remove" onclick={remove}
                                    aria-label={format!("Remove server {name}")}
                                    title={format!("Remove server {name}: its keys move to other servers")}>{ "✕" }</button>
                            </li>
                        }
                    }) }
                </ul>
                <button type="button" class="add-server" onclick={add} disabled={full}
                    title={format!("Add server {} to the pool: on the ring it takes over about 1/(N+1) of the keys", s.next_server_name())}>
                    { format!("Add server {}", s.next_server_name()) }
                </button>
                if full { <p class="note">{ format!("The page holds at most {PAGE_MAX_SERVERS} servers.") }</p> }
            </div>
            <div class="field">
                <label for="hash-vnodes" title="How many positions each server gets on the ring: more virtual nodes even out the load">
                    { format!("Virtual nodes per server: {}", s.vnodes) }
                </label>
                <input id="hash-vnodes" type="range" min="0" max={(VNODE_STEPS.len() - 1).to_string()} step="1"
                    value={v_index.to_string()} onchange={on_v}
                    title="How many positions each server gets on the ring: more virtual nodes even out the load" />
            </div>
            <div class="field">
                <label for="hash-keys" title="How many keys are placed on the ring (each hashed once)">
                    { format!("Keys: {}", count(s.keys as u64)) }
                </label>
                <input id="hash-keys" type="range" min="0" max={(KEY_STEPS.len() - 1).to_string()} step="1"
                    value={k_index.to_string()} onchange={on_k}
                    title="How many keys are placed on the ring (each hashed once)" />
            </div>
            <div class="field">
                <label for="hash-fn" title="The function that places servers and keys on the ring (and computes hash mod N)">{ "Hash function" }</label>
                <select id="hash-fn" onchange={on_hash} title="The function that places servers and keys on the ring (and computes hash mod N)">
                    { for HashFn::ALL.iter().map(|h| html! {
                        <option value={h.key()} selected={*h == s.hash}>{ h.label() }</option>
                    }) }
                </select>
            </div>
            <div class="field">
                <label for="hash-zipf" title="How often each key is asked for: Zipf's law with exponent s makes a few keys hot">{ "Key popularity" }</label>
                <select id="hash-zipf" onchange={on_zipf} title="How often each key is asked for: Zipf's law with exponent s makes a few keys hot">
                    { for zipf_options.iter().map(|&z| html! {
                        <option value={z.to_string()} selected={z == s.zipf}>
                            { if z == 0.0 { "Uniform".to_string() } else { format!("Zipf, s = {}", format::significant(z, 3)) } }
                        </option>
                    }) }
                </select>
            </div>
            <SeedField seed={s.seed} onchange={on_seed} />
            <p class="note">{ format!("Hash: {}.", s.hash.source()) }</p>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct InspectorProps {
    settings: Settings,
    now: Shared<Placement>,
    inspected: Option<(String, Position)>,
    typed: bool,
    write: Callback<Settings>,
    step: Callback<i64>,
}

/// One key taken apart: its hash, where it lands, the clockwise probe to its server, its replicas
/// and what hash mod N would say.
#[function_component(Inspector)]
fn inspector(props: &InspectorProps) -> Html {
    let s = &props.settings;
    let on_lookup = {
        let (s, write) = (s.clone(), props.write.clone());
        Callback::from(move |e: InputEvent| {
            let text: String =
                e.target_unchecked_into::<HtmlInputElement>().value().chars().take(200).collect();
            write.emit(Settings { lookup: text, ..s.clone() });
        })
    };
    let prev = {
        let step = props.step.clone();
        Callback::from(move |_| step.emit(-1))
    };
    let next = {
        let step = props.step.clone();
        Callback::from(move |_| step.emit(1))
    };
    let body = match (&props.inspected, &props.now.ring) {
        (None, _) => {
            html! { <p class="note">{ "Hover or tap a key on the ring, step through the keys, or type any key above." }</p> }
        }
        (Some(_), Err(e)) => html! { <p class="field-error">{ e.clone() }</p> },
        (Some((name, pos)), Ok(ring)) => match ring.successor(*pos) {
            Err(empty) => {
                html! { <p class="field-error" role="status"><span aria-hidden="true">{ "✕ " }</span>{ empty.to_string() }</p> }
            }
            Ok(i) => {
                let point = ring.points()[i];
                let server = &ring.servers()[point.server as usize].name;
                let distance = pos.clockwise_to(point.position).fraction();
                let replicas = ring
                    .replicas_at(*pos, 3)
                    .map(|r| (r.servers.join(" → "), r.shortfall()))
                    .unwrap_or_default();
                let n = s.servers.len() as u64;
                let mod_n = s.hash.value_rem(*pos, n).map(|i| s.servers[i as usize].clone());
                html! {
                    <dl class="inspect">
                        <dt>{ "Key" }</dt><dd class="mono">{ name.clone() }</dd>
                        <dt>{ format!("{}(key)", if s.hash == HashFn::Sha1 { "SHA-1" } else { "XXH3-64" }) }</dt>
                        <dd class="mono hash-hex">{ s.hash.hex(*pos) }</dd>
                        <dt>{ "On the ring" }</dt><dd>{ format!("{} of the way round ({})", format::percent(pos.fraction()), degrees(pos.fraction())) }</dd>
                        <dt>{ "Clockwise probe" }</dt>
                        <dd>
                            { format!("{} further to virtual node ", degrees(distance)) }
                            <span class="mono">{ vnode_label(server, point.vnode) }</span>
                            { format!(" at {}", degrees(point.position.fraction())) }
                        </dd>
                        <dt>{ "Ring says" }</dt><dd><span class={classes!("mono", format!("srv-text-{}", s.colour_of(server)))}>{ server.clone() }</span></dd>
                        <dt>{ "Replicas (3 copies)" }</dt>
                        <dd>{ replicas.0 }{ for replicas.1.map(|m| html! { <small class="note">{ format!(" {m}") }</small> }) }</dd>
                        <dt>{ format!("hash mod {n} says") }</dt>
                        <dd class="mono">{ match mod_n {
                            Some(m) => format!("{m} (index {} of the pool)", s.hash.value_rem(*pos, n).unwrap_or(0)),
                            None => "—".to_string(),
                        } }</dd>
                    </dl>
                }
            }
        },
    };
    html! {
        <div class="inspector" aria-live="polite">
            <div class="field">
                <label for="hash-lookup" title="Type any key to see its hash, its server on the ring and under hash mod N">{ "Look up a key" }</label>
                <input id="hash-lookup" type="text" autocomplete="off" spellcheck="false" placeholder="user:42"
                    value={s.lookup.clone()} oninput={on_lookup}
                    title="Type any key to see its hash, its server on the ring and under hash mod N" />
            </div>
            if !props.typed {
                <div class="step-keys">
                    <button type="button" class="secondary" onclick={prev} title="Inspect the previous drawn key, anticlockwise">{ "◀ Previous key" }</button>
                    <button type="button" class="secondary" onclick={next} title="Inspect the next drawn key, clockwise">{ "Next key ▶" }</button>
                </div>
            }
            { body }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ComparisonProps {
    settings: Settings,
    keys: Shared<KeySet>,
    now: Shared<Placement>,
    before: Shared<Option<Placement>>,
    write: Callback<Settings>,
}

/// hash mod N and the ring after the same membership change, moved keys highlighted and counted.
#[function_component(Comparison)]
fn comparison(props: &ComparisonProps) -> Html {
    let s = &props.settings;
    let Some(before) = &*props.before else {
        return html! {
            <p class="callout">
                { "Add or remove a server above (or " }
                <button type="button" class="linkish" onclick={{
                    let (s, write) = (s.clone(), props.write.clone());
                    Callback::from(move |_| { if let Ok(next) = s.with_server_added() { write.emit(next); } })
                }} title="Add one server and compare which keys move under each scheme">{ "add one now" }</button>
                { "): the two schemes are then drawn side by side with the keys that moved highlighted." }
            </p>
        };
    };
    let old = s.before.clone().unwrap_or_default();
    let added: Vec<&String> = s.servers.iter().filter(|x| !old.contains(x)).collect();
    let removed: Vec<&String> = old.iter().filter(|x| !s.servers.contains(x)).collect();
    let change = match (added.as_slice(), removed.as_slice()) {
        ([a], []) => format!("{a} joined {} servers", old.len()),
        ([], [r]) => format!("{r} left {} servers", old.len()),
        _ => format!("{} → {} servers", old.len(), s.servers.len()),
    };
    let keys = &*props.keys;
    let drawn = keys.sample_slots(COMPARED_KEYS);
    let panel = |title: &str,
                 was: &Result<Assignment, String>,
                 is: &Result<Assignment, String>,
                 ring: Option<&Ring>,
                 expected: Option<(f64, String)>|
     -> Html {
        match (was, is) {
            (Ok(was), Ok(is)) => {
                let m: Moves = moves(was, is);
                let moved_keys: Vec<RingKey> = drawn
                    .iter()
                    .map(|&slot| RingKey {
                        id: slot,
                        at: keys.positions()[slot].fraction(),
                        colour: s.colour_of(is.owner_name(slot)),
                        emphasis: m.contains(slot),
                        title: None,
                    })
                    .collect();
                let arcs = ring.map(|r| ring_drawing(r, s).0).unwrap_or_default();
                let drawn_moved = moved_keys.iter().filter(|k| k.emphasis).count();
                html! {
                    <div class="compare-panel">
                        <h4>{ title.to_string() }</h4>
                        <p class="big-figure"><span class="figure">{ count(m.count()) }</span>{ format!(" of {} keys moved ({})", count(m.total), format::percent(m.share())) }</p>
                        if let Some((share, why)) = expected {
                            <p class="formula">{ format!("expected ≈ {} ({why})", format::percent(share)) }</p>
                        }
                        <RingView caption={format!("{title}: moved keys large and outlined, the rest faint; colour = the key's server now")}
                            arcs={arcs} keys={moved_keys} center={vec![AttrValue::from(format!("{} moved", format::percent(m.share())))]}
                            note={format!("Drawn: {} of the keys ({} of them moved).", count(drawn.len() as u64), count(drawn_moved as u64))} />
                        <details>
                            <summary>{ format!("Where the keys went ({} flows)", m.flows.len()) }</summary>
                            <table class="flows">
                                <thead><tr><th scope="col">{ "From" }</th><th scope="col">{ "To" }</th><th scope="col">{ "Keys" }</th></tr></thead>
                                <tbody>
                                    { for m.flows.iter().take(20).map(|f| html! {
                                        <tr><td class="mono">{ f.from.clone() }</td><td class="mono">{ f.to.clone() }</td><td>{ count(f.keys) }</td></tr>
                                    }) }
                                </tbody>
                            </table>
                            if m.flows.len() > 20 { <p class="note">{ format!("… and {} more flows.", m.flows.len() - 20) }</p> }
                        </details>
                    </div>
                }
            }
            (Err(e), _) | (_, Err(e)) => html! {
                <div class="compare-panel"><h4>{ title.to_string() }</h4><p class="field-error" role="status"><span aria-hidden="true">{ "✕ " }</span>{ e.clone() }</p></div>
            },
        }
    };
    let n_old = old.len() as f64;
    let (ring_expected, mod_expected) = match (added.len(), removed.len()) {
        (1, 0) => (
            Some((1.0 / (n_old + 1.0), format!("1/(N+1) = 1/{}", n_old + 1.0))),
            Some((n_old / (n_old + 1.0), format!("N/(N+1) = {}/{}", n_old, n_old + 1.0))),
        ),
        (0, 1) if n_old >= 1.0 => {
            (Some((1.0 / n_old, format!("the leaving server's share, about 1/N = 1/{n_old}"))), None)
        }
        _ => (None, None),
    };
    html! {
        <>
            <p>{ format!("Last change: {change}. The same keys, placed before and after under each scheme.") }</p>
            <div class="compare">
                { panel("hash mod N", &before.mod_n_keys, &props.now.mod_n_keys, None, mod_expected) }
                { panel("Ring", &before.ring_keys, &props.now.ring_keys, props.now.ring.as_ref().ok(), ring_expected) }
            </div>
            <p class="note">
                { "Under hash mod N a key stays only if hash mod N and hash mod (N+1) name the same server, which happens for \
                   1 key in N+1. On the ring only the keys in the new server's partitions move, and all of them move to it \
                   (the notes: \"move anti-clockwise from that server … all keys till the first server\")." }
            </p>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct LoadPanelProps {
    settings: Settings,
    now: Shared<Placement>,
    weights: Shared<Vec<f64>>,
}

fn stats_rows(stats: &LoadStats, unit: &str, shown: fn(f64) -> String) -> Html {
    html! {
        <>
            <tr><th scope="row">{ "Mean" }</th><td>{ format!("{} {unit}", shown(stats.mean)) }</td></tr>
            <tr><th scope="row">{ "Standard deviation" }</th><td>{ format!("{} {unit}", shown(stats.std_dev)) }</td></tr>
            <tr><th scope="row">{ "Coefficient of variation" }</th><td>{ format::significant(stats.cv, 3) }</td></tr>
            <tr><th scope="row">{ "Busiest / mean" }</th><td>{ format::significant(stats.max_over_mean, 3) }</td></tr>
            <tr><th scope="row">{ "Least / most" }</th><td>{ format!("{} / {} {unit}", shown(stats.min), shown(stats.max)) }</td></tr>
        </>
    }
}

/// Keys per server (and requests per server under Zipf popularity) with their statistics.
#[function_component(LoadPanel)]
fn load_panel(props: &LoadPanelProps) -> Html {
    let s = &props.settings;
    let Ok(assignment) = &props.now.ring_keys else {
        return html! { <p class="field-error" role="status"><span aria-hidden="true">{ "✕ " }</span>{ props.now.ring_keys.as_ref().err().cloned().unwrap_or_default() }</p> };
    };
    let counts = assignment.counts();
    let Some(stats) = LoadStats::of_counts(&counts) else { return html! {} };
    let columns: Vec<Column> = assignment
        .servers
        .iter()
        .zip(&counts)
        .map(|(name, c)| Column {
            label: name.clone().into(),
            value: *c as f64,
            shown: count(*c).into(),
            class: format!("srv-{}", s.colour_of(name)).into(),
        })
        .collect();
    let n = assignment.servers.len() as u32;
    let expected = expected_cv(n, s.vnodes, s.keys as u64);
    let zipf = (s.zipf > 0.0).then(|| {
        let load = assignment.load(&props.weights);
        let req = LoadStats::of(&load);
        let request_columns: Vec<Column> = assignment
            .servers
            .iter()
            .zip(&load)
            .map(|(name, l)| Column {
                label: name.clone().into(),
                value: *l,
                shown: format::percent(*l).into(),
                class: format!("srv-{}", s.colour_of(name)).into(),
            })
            .collect();
        let top = s.popularity().share_of_rank(1, s.keys);
        (req, request_columns, top)
    });
    html! {
        <div class="load">
            <div class="load-chart">
                <Columns caption={format!("Keys per server ({} keys, {} virtual nodes each)", count(s.keys as u64), s.vnodes)}
                    columns={columns} reference={Some((stats.mean, AttrValue::from("mean")))} y_label="keys" />
                <table class="stats">
                    <caption>{ "Keys per server" }</caption>
                    <tbody>
                        { stats_rows(&stats, "keys", |x| format::significant(x, 3)) }
                        <tr><th scope="row">{ "Expected CV" }</th><td>{ format!("{} = √((N−1)/(N·v+1) + (N−1)/K)", format::significant(expected, 3)) }</td></tr>
                    </tbody>
                </table>
            </div>
            if let Some((Some(req), request_columns, top)) = zipf {
                <div class="load-chart">
                    <Columns caption={format!("Share of requests per server (Zipf s = {})", format::significant(s.zipf, 3))}
                        columns={request_columns} reference={Some((req.mean, AttrValue::from("mean")))} y_label="share of requests" />
                    <table class="stats">
                        <caption>{ "Requests per server" }</caption>
                        <tbody>
                            { stats_rows(&req, "", format::percent) }
                            <tr><th scope="row">{ "Hottest key alone" }</th><td>{ format!("{} of all requests", format::percent(top)) }</td></tr>
                        </tbody>
                    </table>
                    <p class="note">{ "A hotspot: virtual nodes even out how many keys each server holds, not how often its keys are asked for." }</p>
                </div>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct CascadePanelProps {
    settings: Settings,
    keys: Shared<KeySet>,
    now: Shared<Placement>,
    weights: Shared<Vec<f64>>,
    write: Callback<Settings>,
}

/// Fail one server and follow the overload round by round.
#[function_component(CascadePanel)]
fn cascade_panel(props: &CascadePanelProps) -> Html {
    let s = &props.settings;
    let on_headroom = {
        let (s, write) = (s.clone(), props.write.clone());
        Callback::from(move |e: Event| {
            if let Ok(h) = e.target_unchecked_into::<HtmlSelectElement>().value().parse::<u32>() {
                write.emit(Settings { headroom: h, ..s.clone() });
            }
        })
    };
    let on_fail = {
        let (s, write) = (s.clone(), props.write.clone());
        Callback::from(move |e: Event| {
            let name = e.target_unchecked_into::<HtmlSelectElement>().value();
            write.emit(Settings { fail: Some(name), ..s.clone() });
        })
    };
    let first = s.first_failure().map(str::to_string);
    let run = match (&props.now.ring, &first) {
        (Ok(ring), Some(first)) => {
            cascade::run(ring, &props.keys, &props.weights, s.headroom as f64 / 100.0, first).map(Some)
        }
        (Err(e), _) => Err(e.clone()),
        (_, None) => Ok(None),
    };
    let mut headrooms = HEADROOM_STEPS.to_vec();
    if !headrooms.contains(&s.headroom) {
        headrooms.push(s.headroom);
    }
    let controls = html! {
        <div class="cascade-controls">
            <div class="field">
                <label for="hash-headroom" title="How much more than its normal load each server can carry before it fails">{ "Headroom" }</label>
                <select id="hash-headroom" onchange={on_headroom} title="How much more than its normal load each server can carry before it fails">
                    { for headrooms.iter().map(|&h| html! { <option value={h.to_string()} selected={h == s.headroom}>{ format!("{h}% over normal load") }</option> }) }
                </select>
            </div>
            <div class="field">
                <label for="hash-fail" title="The server that crashes first">{ "Server that fails" }</label>
                <select id="hash-fail" onchange={on_fail} title="The server that crashes first">
                    { for s.servers.iter().map(|name| html! { <option value={name.clone()} selected={first.as_deref() == Some(name.as_str())}>{ name.clone() }</option> }) }
                </select>
            </div>
        </div>
    };
    let result = match run {
        Err(e) => {
            html! { <p class="field-error" role="status"><span aria-hidden="true">{ "✕ " }</span>{ e }</p> }
        }
        Ok(None) => html! { <p class="note">{ "Add a server to fail one." }</p> },
        Ok(Some(c)) => {
            let servers: Vec<String> = c.before.iter().map(|(n, _)| n.clone()).collect();
            let verdict = if c.total_outage() {
                html! { <p class="verdict fail"><span aria-hidden="true">{ "✕ " }</span>{ format!("Cascade: all {} servers failed, one after another.", servers.len()) }</p> }
            } else if c.cascaded() {
                html! { <p class="verdict fail"><span aria-hidden="true">{ "✕ " }</span>{ format!("Cascade: {} of {} servers failed; {} survived.", c.failed, servers.len(), c.survivors) }</p> }
            } else {
                html! { <p class="verdict ok"><span aria-hidden="true">{ "● " }</span>{ format!("Contained: only {} failed; its load spread over {} server{}.",
                first.clone().unwrap_or_default(), c.rounds.first().map_or(0, |r| r.receivers), if c.rounds.first().map_or(0, |r| r.receivers) == 1 { "" } else { "s" }) }</p> }
            };
            let capacity = |name: &str| c.capacity.iter().find(|(n, _)| n == name).map_or(0.0, |x| x.1);
            html! {
                <>
                    { verdict }
                    <div class="chart-scroll">
                        <table class="cascade">
                            <caption>{ "Load as a share of each server's capacity, round by round (✕ = failed)" }</caption>
                            <thead>
                                <tr><th scope="col">{ "Round" }</th>
                                    { for servers.iter().map(|n| html! { <th scope="col" class={format!("srv-text-{}", s.colour_of(n))}>{ n.clone() }</th> }) }
                                </tr>
                            </thead>
                            <tbody>
                                <tr>
                                    <th scope="row">{ "before" }</th>
                                    { for c.before.iter().map(|(n, l)| html! { <td>{ format::percent(if capacity(n) > 0.0 { l / capacity(n) } else { 0.0 }) }</td> }) }
                                </tr>
                                { for c.rounds.iter().enumerate().map(|(i, r)| html! {
                                    <tr>
                                        <th scope="row">{ format!("{} ({} fail{})", i + 1, r.failed.join(", "), if r.failed.len() == 1 { "s" } else { "" }) }</th>
                                        { for servers.iter().map(|n| match r.load.iter().find(|(m, _)| m == n) {
                                            None => html! { <td class="down"><span aria-label="failed">{ "✕" }</span></td> },
                                            Some((_, l)) => {
                                                let ratio = if capacity(n) > 0.0 { l / capacity(n) } else if *l > 0.0 { f64::INFINITY } else { 0.0 };
                                                let over = r.overloaded.contains(n);
                                                html! { <td class={classes!(over.then_some("over"))}>{ if ratio.is_finite() { format::percent(ratio) } else { "∞".to_string() } }{ if over { " ▲" } else { "" } }</td> }
                                            }
                                        }) }
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                    </div>
                    <p class="note">{ "Each server can carry its normal load plus the headroom. ▲ = over capacity: it fails in the next round, and its keys move clockwise to the next live server." }</p>
                </>
            }
        }
    };
    html! { <div class="cascade-panel">{ controls }{ result }</div> }
}

#[derive(Properties, PartialEq)]
struct ExperimentsProps {
    settings: Settings,
    keys: Shared<KeySet>,
}

/// The four claims, each with its chart once run.
#[function_component(Experiments)]
fn experiments_section(props: &ExperimentsProps) -> Html {
    let s = &props.settings;
    let moved = use_state(|| None::<Rc<MovedShare>>);
    let cv = use_state(|| None::<Rc<CvCurve>>);
    let cascade = use_state(|| None::<Rc<CascadeComparison>>);
    let hot = use_state(|| None::<Rc<HotKey>>);
    let n = s.servers.len() as u32;
    let run_moved = {
        let (keys, moved, v) = (props.keys.clone(), moved.clone(), s.vnodes);
        Callback::from(move |_| match experiments::moved_share(&keys, n.clamp(1, 100), v) {
            Ok(r) => {
                let o = r.outcome.clone();
                moved.set(Some(Rc::new(r)));
                o
            }
            Err(e) => experiment::broken("—", e),
        })
    };
    let run_cv = {
        let (keys, cv) = (props.keys.clone(), cv.clone());
        Callback::from(move |_| {
            match experiments::cv_by_vnodes(&keys, n.clamp(2, 50), experiments::cv_trials(n.clamp(2, 50))) {
                Ok(r) => {
                    let o = r.outcome.clone();
                    cv.set(Some(Rc::new(r)));
                    o
                }
                Err(e) => experiment::broken("—", e),
            }
        })
    };
    let run_cascade = {
        let (keys, cascade, popularity, headroom) =
            (props.keys.clone(), cascade.clone(), s.popularity(), s.headroom);
        Callback::from(move |_| {
            match experiments::cascade_by_vnodes(&keys, popularity, n.clamp(2, 100), headroom as f64 / 100.0)
            {
                Ok(r) => {
                    let o = r.outcome.clone();
                    cascade.set(Some(Rc::new(r)));
                    o
                }
                Err(e) => experiment::broken("—", e),
            }
        })
    };
    let run_hot = {
        let (keys, hot, zipf) = (props.keys.clone(), hot.clone(), s.zipf);
        Callback::from(move |_| {
            match experiments::hot_key(&keys, n.clamp(2, 100), if zipf > 0.0 { zipf } else { 1.0 }) {
                Ok(r) => {
                    let o = r.outcome.clone();
                    hot.set(Some(Rc::new(r)));
                    o
                }
                Err(e) => experiment::broken("—", e),
            }
        })
    };
    let moved_chart = moved.as_ref().map(|r| {
        let top = r.sweep.last().map_or(10, |p| p.n) as f64;
        let curve = |f: fn(f64) -> f64| (1..=top as u32).map(|n| (n as f64, f(n as f64))).collect::<Vec<_>>();
        html! {
            <XyPlot caption="Share of keys moved when server N+1 joins N"
                x={Axis { label: "servers before the join (N)".into(), log: false, min: 1.0, max: top,
                    ticks: (1..=top as u32).filter(|n| *n == 1 || n % 2 == 0 || top <= 10.0).map(|n| (n as f64, AttrValue::from(n.to_string()))).collect() }}
                y={Axis { label: "share of keys moved".into(), log: false, min: 0.0, max: 1.0,
                    ticks: [0.0, 0.25, 0.5, 0.75, 1.0].iter().map(|&t| (t, AttrValue::from(format::percent(t)))).collect() }}
                series={vec![
                    Series { label: "hash mod N, measured".into(), points: r.sweep.iter().map(|p| (p.n as f64, p.mod_n)).collect(), mark: Mark::Squares, class: "series-b".into() },
                    Series { label: "N/(N+1)".into(), points: curve(|n| n / (n + 1.0)), mark: Mark::Dotted, class: "series-b".into() },
                    Series { label: format!("ring ({} virtual nodes), measured", r.vnodes).into(), points: r.sweep.iter().map(|p| (p.n as f64, p.ring)).collect(), mark: Mark::Dots, class: "series-a".into() },
                    Series { label: "1/(N+1), the ideal".into(), points: curve(|n| 1.0 / (n + 1.0)), mark: Mark::Dashed, class: "series-a".into() },
                ]} />
        }
    });
    let cv_chart = cv.as_ref().map(|r| {
        html! {
            <XyPlot caption={format!("CV of keys per server against virtual nodes ({} servers)", r.n)}
                x={Axis { label: "virtual nodes per server (v), log scale".into(), log: true, min: 1.0, max: 1000.0,
                    ticks: [1.0, 10.0, 100.0, 1000.0].iter().map(|&t| (t, AttrValue::from(format::count(t)))).collect() }}
                y={Axis { label: "coefficient of variation, log scale".into(), log: true, min: 0.01, max: 2.0,
                    ticks: [0.01, 0.03, 0.1, 0.3, 1.0].iter().map(|&t| (t, AttrValue::from(format::significant(t, 1)))).collect() }}
                series={vec![
                    Series { label: format!("measured (root mean square of {} rings)", r.trials).into(), points: r.points.iter().map(|p| (p.vnodes as f64, p.cv)).collect(), mark: Mark::Dots, class: "series-a".into() },
                    Series { label: "1/√v".into(), points: r.points.iter().map(|p| (p.vnodes as f64, p.inverse_sqrt)).collect(), mark: Mark::Dashed, class: "series-b".into() },
                    Series { label: "√((N−1)/(N·v+1) + (N−1)/K)".into(), points: r.points.iter().map(|p| (p.vnodes as f64, p.expected)).collect(), mark: Mark::Dotted, class: "series-a".into() },
                ]} />
        }
    });
    let cascade_chart = cascade.as_ref().map(|r| {
        html! {
            <table class="flows">
                <caption>{ "Servers lost when each one fails first" }</caption>
                <thead><tr><th scope="col">{ "First to fail" }</th><th scope="col">{ "1 virtual node" }</th><th scope="col">{ format!("{} virtual nodes", r.with.vnodes) }</th></tr></thead>
                <tbody>
                    { for r.without.failed.iter().zip(&r.with.failed).enumerate().map(|(i, (a, b))| html! {
                        <tr><td class="mono">{ experiments::server_name(i as u32 + 1) }</td><td>{ a }</td><td>{ b }</td></tr>
                    }) }
                </tbody>
            </table>
        }
    });
    let hot_chart = hot.as_ref().map(|r| {
        let columns: Vec<Column> = r
            .requests
            .per_server
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let name = experiments::server_name(i as u32 + 1);
                Column { label: name.clone().into(), value: *l, shown: format::percent(*l).into(), class: format!("srv-{}", s.colour_of(&name)).into() }
            })
            .collect();
        html! { <Columns caption={format!("Share of requests per server, {} virtual nodes each", count(r.vnodes))} columns={columns}
            reference={Some((r.requests.mean, AttrValue::from("mean")))} y_label="share of requests" /> }
    });
    html! {
        <ul class="experiments">
            <ExperimentCard claim="Adding a server to N moves about 1/(N+1) of the keys on a ring, and about N/(N+1) under hash mod N."
                source="the notes, \"Consistent Hashing\"; Karger et al. 1997" run={run_moved}>
                { for moved_chart }
            </ExperimentCard>
            <ExperimentCard claim="With v virtual nodes per server, the spread of keys per server (CV) falls like 1/√v."
                source="the notes, \"Virtual Nodes\"; the Beta(v, (N−1)v) share of N·v random points" run={run_cv}>
                { for cv_chart }
            </ExperimentCard>
            <ExperimentCard claim="Without virtual nodes one failed server cascades round the ring; with them its load spreads and the failure stays contained."
                source="the notes, \"Drawbacks: cascading failures\"" run={run_cascade}>
                { for cascade_chart }
            </ExperimentCard>
            <ExperimentCard claim="Virtual nodes even out keys, not requests: the server holding a hot key stays a hotspot."
                source="the notes, \"Drawbacks: hotspots\"; Zipf's law" run={run_hot}>
                { for hot_chart }
            </ExperimentCard>
        </ul>
    }
}

#[derive(Properties, PartialEq)]
struct SummaryProps {
    settings: Settings,
    now: Shared<Placement>,
    before: Shared<Option<Placement>>,
}

#[function_component(Summary)]
fn summary(props: &SummaryProps) -> Html {
    let s = &props.settings;
    let shown = match (&*props.before, &props.now.ring_keys, &props.now.mod_n_keys) {
        (Some(b), Ok(ring_now), Ok(mod_now)) => match (&b.ring_keys, &b.mod_n_keys) {
            (Ok(ring_was), Ok(mod_was)) => Some(format!(
                "In this run the last change moved {} of the keys on the ring and {} under hash mod N.",
                format::percent(moves(ring_was, ring_now).share()),
                format::percent(moves(mod_was, mod_now).share())
            )),
            _ => None,
        },
        _ => None,
    };
    let cv = props.now.ring_keys.as_ref().ok().and_then(|a| LoadStats::of_counts(&a.counts())).map(|st| {
        format!(
            "With {} virtual node{} per server the keys per server vary by a CV of {} (busiest server {} × the mean).",
            s.vnodes,
            if s.vnodes == 1 { "" } else { "s" },
            format::significant(st.cv, 3),
            format::significant(st.max_over_mean, 3)
        )
    });
    html! {
        <>
            { for shown.map(|t| html! { <p>{ t }</p> }) }
            { for cv.map(|t| html! { <p>{ t }</p> }) }
            <div class="chart-scroll">
            <table class="summary">
                <thead><tr><th scope="col">{ "" }</th><th scope="col">{ "hash mod N" }</th><th scope="col">{ "ring, 1 position" }</th><th scope="col">{ "ring, v virtual nodes" }</th></tr></thead>
                <tbody>
                    <tr><th scope="row">{ "Keys moved when a server joins" }</th><td>{ "N/(N+1): nearly all" }</td><td>{ "1/(N+1) on average, but anywhere from a sliver to a lot" }</td><td>{ "about 1/(N+1)" }</td></tr>
                    <tr><th scope="row">{ "Balance (CV of keys)" }</th><td>{ "even: only √(N/K) noise" }</td><td>{ "poor: CV near 1" }</td><td>{ "about 1/√v" }</td></tr>
                    <tr><th scope="row">{ "One server fails" }</th><td>{ "every key is re-placed" }</td><td>{ "all its load lands on one neighbour: cascades" }</td><td>{ "its load spreads over all servers" }</td></tr>
                    <tr><th scope="row">{ "Lookup" }</th><td>{ "one remainder" }</td><td>{ "binary search over N positions" }</td><td>{ "binary search over N·v positions" }</td></tr>
                    <tr><th scope="row">{ "Memory" }</th><td>{ "the server list" }</td><td>{ "N positions" }</td><td>{ "N·v positions (≈ 40 bytes each here)" }</td></tr>
                </tbody>
            </table>
            </div>
            <p class="note">{ "A hot key is a hotspot under every scheme: split it (key + suffix), cache it, or replicate it for reads." }</p>
        </>
    }
}
