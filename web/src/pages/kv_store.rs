//! The key-value store page (the notes' "Key-Value Store"): a Dynamo-style cluster on the hash
//! ring, running in core's simulation engine. A person tunes N, W and R, the versioning and the
//! network, crashes and partitions servers, steps through the messages on a space-time diagram,
//! reads each key's versions and vector clocks, and runs the quorum experiments. The whole run
//! (seed, parameters, every action) is in the URL as a permalink.

mod failure;

use crate::app::Route;
use crate::url_state::{Query, use_query_state};
use crate::widgets::copy_link::CopyLink;
use crate::widgets::experiment::ExperimentCard;
use crate::widgets::page::{PageTitle, Section};
use crate::widgets::plot::{Axis, Mark, Series, XyPlot, round_ticks};
use crate::widgets::ring::{RingArc, RingKey, RingNode, RingProbe, RingView};
use crate::widgets::seed::SeedField;
use crate::widgets::sim_controls::{SimControls, SimKeys, use_sim_keys};
use crate::widgets::spacetime::SpaceTimeDiagram;
use gloo::timers::callback::Interval;
use playground_core::format;
use playground_core::kv::experiments::{self, PbsLinks, PbsPoint};
use playground_core::kv::store::{key_name, value_name};
use playground_core::kv::{
    self, AntiEntropyParams, ClockActors, Coordinator, DiskParams, GossipParams, KvInput, KvNode, KvParams,
    KvScenario, KvStats, KvSystem, OpResult, Quorum, SSD_READ_US, Versioning, Workload,
};
use playground_core::sim::view::space_time;
use playground_core::sim::{
    Action, Fault, LatencyPreset, LatencyShape, Micros, NodeId, Run, SECOND, Sim, System, When, permalink,
};
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// How long the page's run lasts, in simulated time.
const HORIZON: Micros = 10 * SECOND;
/// The most events a link's moment is replayed through when the page opens.
const LINK_EVENTS: u64 = 5_000_000;
/// Simulated time per real tenth of a second while playing: (value, label).
const SPEEDS: &[(u64, &str)] = &[
    (100, "1 ms per second"),
    (500, "5 ms per second"),
    (2_000, "20 ms per second"),
    (20_000, "200 ms per second"),
    (100_000, "1 s per second"),
];

/// The page's first run: 5 servers, N = 3, W = R = 2, 3 clients sending 100 requests a second
/// over 8 keys (a fifth of the reads for keys nobody writes), data-centre links, and everything
/// of the notes' table at once: gossip, a sloppy quorum with hinted handoff, anti-entropy, and an
/// SSD behind a Bloom filter on every server.
fn default_scenario() -> KvScenario {
    KvScenario::new(
        1,
        KvParams {
            servers: 5,
            workload: Workload {
                clients: 3,
                ops_per_s: 100.0,
                keys: 8,
                absent_share: 0.2,
                ..Workload::default()
            },
            gossip: GossipParams::on(),
            quorum: Quorum::Sloppy,
            anti_entropy: AntiEntropyParams::on(),
            disk: DiskParams { read_us: SSD_READ_US, bloom: true, ..DiskParams::default() },
            ..KvParams::default()
        },
    )
}

/// The summary's trade-offs: (choice, gives, costs).
const SUMMARY: &[(&str, &str, &str)] = &[
    (
        "W + R > N",
        "every read overlaps the latest acknowledged write",
        "latency of the slower quorum; unavailable when too many replicas are down",
    ),
    ("R = 1, W = N", "fast reads", "a write waits for every replica"),
    ("W = 1, R = N", "fast writes", "a read waits for every replica"),
    ("Vector clocks", "concurrent writes kept as siblings", "clients must merge; clocks grow (pruned)"),
    ("Last write wins", "one value, no metadata", "silently drops concurrent and clock-skewed writes"),
    (
        "Gossip failure detection",
        "no central monitor; agreement in O(log N) rounds",
        "a message per peer per round; message loss marks live servers down",
    ),
    (
        "Sloppy quorum + hinted handoff",
        "writes and reads succeed while replicas are down",
        "stale reads even with W + R > N, until the hints are handed off",
    ),
    (
        "Anti-entropy (Merkle trees)",
        "replicas converge after lost hints or long outages, sending only differing buckets",
        "periodic hashing and a few round trips per session",
    ),
    (
        "Bloom filter on the read path",
        "most reads for missing keys skip the disk",
        "a few bits of memory per key; false positives still read",
    ),
];

type SharedRun = Rc<RefCell<Option<Run<KvSystem>>>>;

fn us(t: f64) -> String {
    format::duration_ns(t * 1e3)
}

fn n(x: u64) -> String {
    format::group_digits(u128::from(x))
}

/// The window of the diagram: about 80 one-way delays, ending at the clock.
fn window(params: &KvParams) -> Micros {
    ((params.latency.median_us() * 80.0) as Micros).clamp(2_000, 20 * SECOND)
}

#[function_component(KvStorePage)]
pub fn kv_store_page() -> Html {
    let (query, set_query) = use_query_state(Route::KvStore);
    // Decoded and checked once per link, not on every frame of a playing run.
    let (scenario, link_error) = (*use_memo(query.get("s").cloned(), |text| match text {
        None => (default_scenario(), None),
        Some(text) => {
            match permalink::decode::<KvScenario>(text).and_then(|s| KvSystem::build(&s).map(|_| s)) {
                Ok(s) => (s, None),
                Err(e) => (default_scenario(), Some(e)),
            }
        }
    }))
    .clone();
    let run: SharedRun = use_mut_ref(|| None);
    // The link's step that could not be shown, and why; shown while the URL still names it.
    let step_error = use_mut_ref(|| None::<(String, String)>);
    let redraw = use_force_update();
    let playing = use_state(|| false);
    let speed = use_state(|| 2_000u64);
    // The PBS experiment's links (in the URL as `pbs`), and the curve last measured, with its links.
    let pbs_links = query.get("pbs").and_then(|id| PbsLinks::parse(id)).unwrap_or_default();
    let pbs_points = use_state(|| None::<(PbsLinks, Vec<PbsPoint>)>);
    // The URL's choices outside the run, which saving the run keeps (read when it saves, so a
    // playing run's save does not undo a choice made since it started).
    let kept = use_mut_ref(Query::new);
    *kept.borrow_mut() =
        query.iter().filter(|(k, _)| k.as_str() == "pbs").map(|(k, v)| (k.clone(), v.clone())).collect();
    let selected_key = use_state(|| 0u32);
    let (merkle_a, merkle_b) = (use_state(|| 0u32), use_state(|| 1u32));
    // The fault panel's choices: whose clock to set, and the link to slow down.
    let skew_server = use_state(|| 0u32);
    let link = use_state(|| (0u32, 1u32, LatencyPreset::CrossRegion));

    // Build (or rebuild) the run when the link's scenario is not the one running.
    {
        let mut slot = run.borrow_mut();
        if slot.as_ref().is_none_or(|r| r.scenario() != &scenario) {
            *slot = Run::new(scenario.clone()).ok();
            *step_error.borrow_mut() = None;
            if let (Some(r), Some((text, step))) = (
                slot.as_mut(),
                query.get("step").and_then(|text| Some((text.clone(), text.parse::<u64>().ok()?))),
            ) {
                // Only within the page's run: its timers never stop, so a step past the horizon
                // would run forever.
                r.run_until_bounded(HORIZON, step.min(LINK_EVENTS));
                if r.seek_step(step, 0).is_err() {
                    let end = if r.sim().now() >= HORIZON {
                        format!(
                            "the end of the run ({} events in {})",
                            n(r.sim().steps()),
                            us(HORIZON as f64)
                        )
                    } else {
                        format!("the {} events the page replays for a link", n(LINK_EVENTS))
                    };
                    let why = format!("The link's step {} is past {end}; showing the last of them.", n(step));
                    *step_error.borrow_mut() = Some((text, why));
                }
            }
            // A restart that keeps the moment (the quorum toggle) names a time instead of a step.
            if let (Some(r), Some(t)) = (slot.as_mut(), query.get("t").and_then(|s| s.parse::<Micros>().ok()))
            {
                r.run_until_bounded(t.min(HORIZON), LINK_EVENTS);
            }
        }
    }

    // Writes the run's scenario and position into the URL.
    let save = {
        let set_query = set_query.clone();
        let run = run.clone();
        let kept = kept.clone();
        Callback::from(move |_: ()| {
            if let Some(r) = run.borrow().as_ref() {
                let mut q = kept.borrow().clone();
                q.insert("s".to_string(), permalink::encode(r.scenario()));
                q.insert("step".to_string(), r.sim().steps().to_string());
                set_query.emit(q);
            }
        })
    };
    // Starts a new run from a changed scenario (new seed or parameters; the caller decides whether
    // the schedule stays), from the start or run on to the moment `at`.
    let restart_at = {
        let set_query = set_query.clone();
        let playing = playing.clone();
        let kept = kept.clone();
        move |s: KvScenario, at: Option<Micros>| {
            playing.set(false);
            let mut q = kept.borrow().clone();
            q.insert("s".to_string(), permalink::encode(&s));
            if let Some(t) = at {
                q.insert("t".to_string(), t.to_string());
            }
            set_query.emit(q);
        }
    };
    let restart_with = {
        let restart_at = restart_at.clone();
        move |s: KvScenario| restart_at(s, None)
    };

    {
        let run = run.clone();
        let redraw = redraw.clone();
        let playing_now = *playing;
        let step_us = *speed;
        let playing = playing.clone();
        let save = save.clone();
        use_effect_with((playing_now, step_us), move |&(on, step_us)| {
            let interval = on.then(|| {
                Interval::new(100, move || {
                    let mut done = false;
                    if let Some(r) = run.borrow_mut().as_mut() {
                        let target = r.sim().now().saturating_add(step_us).min(HORIZON);
                        r.run_until_bounded(target, 200_000);
                        done = r.sim().now() >= HORIZON;
                    }
                    if done {
                        playing.set(false);
                        save.emit(());
                    }
                    redraw.force_update();
                })
            });
            move || drop(interval)
        });
    }

    let act = {
        let run = run.clone();
        let save = save.clone();
        let redraw = redraw.clone();
        Callback::from(move |action: Action<KvInput>| {
            if let Some(r) = run.borrow_mut().as_mut() {
                let _ = r.act(action);
            }
            save.emit(());
            redraw.force_update();
        })
    };
    let with_run = |f: fn(&mut Run<KvSystem>)| {
        let run = run.clone();
        let save = save.clone();
        let redraw = redraw.clone();
        let playing = playing.clone();
        Callback::from(move |_: ()| {
            playing.set(false);
            if let Some(r) = run.borrow_mut().as_mut() {
                f(r);
            }
            save.emit(());
            redraw.force_update();
        })
    };
    // One event, never past the horizon (at the end the clock just reaches it).
    let on_step = with_run(|r| {
        r.run_until_bounded(HORIZON, 1);
    });
    let on_back = with_run(|r| r.step_back());
    let on_end = with_run(|r| r.run_until(HORIZON));
    let on_reset = with_run(|r| {
        let _ = r.seek_step(0, 0);
    });
    let on_toggle = {
        let playing = playing.clone();
        let save = save.clone();
        Callback::from(move |_: ()| {
            if *playing {
                save.emit(());
            }
            playing.set(!*playing);
        })
    };
    use_sim_keys(
        SimKeys {
            toggle: on_toggle.clone(),
            step: on_step.clone(),
            back: on_back.clone(),
            reset: on_reset.clone(),
        },
        *playing,
    );

    let borrowed = run.borrow();
    let Some(r) = borrowed.as_ref() else {
        return html! { <article class="page kv"><p class="field-error">{ "The run could not start." }</p></article> };
    };
    let sim = r.sim();
    let p = r.scenario().params.clone();
    let now = sim.now();

    let on_scrub = {
        let run = run.clone();
        let save = save.clone();
        let redraw = redraw.clone();
        let playing = playing.clone();
        Callback::from(move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            if let Ok(ms) = value.parse::<u64>() {
                playing.set(false);
                if let Some(r) = run.borrow_mut().as_mut() {
                    r.seek_time(ms * 1_000);
                }
                save.emit(());
                redraw.force_update();
            }
        })
    };
    let on_seed = {
        let restart_with = restart_with.clone();
        let p = p.clone();
        Callback::from(move |seed: u64| restart_with(KvScenario::new(seed, p.clone())))
    };
    let seed = r.scenario().seed;
    let set_param = |change: fn(&mut KvParams, &str)| {
        let restart_with = restart_with.clone();
        let p = p.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            let mut next = p.clone();
            change(&mut next, &value);
            next.w = next.w.min(next.n);
            next.r = next.r.min(next.n);
            if KvSystem::build(&KvScenario::new(seed, next.clone())).is_ok() {
                restart_with(KvScenario::new(seed, next));
            }
        })
    };

    // The failure knobs. The quorum keeps the seed, the faults (at the times they happened) and
    // the moment, so strict and sloppy can be compared on the same scenario; the others restart.
    let on_failure = {
        let scenario = r.scenario().clone();
        Callback::from(move |(knob, value): (failure::Knob, String)| {
            let mut next = scenario.clone();
            failure::apply(&mut next.params, knob, &value);
            let at = if knob == failure::Knob::Quorum {
                for item in &mut next.schedule {
                    if let When::AfterStep { time, .. } = item.when {
                        item.when = When::At(time);
                    }
                }
                Some(now)
            } else {
                next.schedule.clear();
                None
            };
            if KvSystem::build(&next).is_ok() {
                restart_at(next, at);
            }
        })
    };

    let controls = html! {
        <div class="kv-controls">
            <SimControls
                playing={*playing}
                at_start={sim.steps() == 0}
                at_end={now >= HORIZON}
                speed={*speed}
                speeds={SPEEDS}
                step_label="Next event"
                step_title="Run the next event: one message arrives, a timer fires or a fault happens (→)"
                back_label="Previous event"
                back_title="Go back one event, by replaying the run from its start (←)"
                clock={html! { <>{ format!("{} of {} · event {}", us(now as f64), us(HORIZON as f64), n(sim.steps())) }</> }}
                on_toggle={on_toggle}
                on_step={on_step}
                on_back={on_back}
                on_end={on_end}
                on_reset={on_reset}
                on_speed={{ let speed = speed.clone(); Callback::from(move |v| speed.set(v)) }}
            />
            <label class="scrub" title="Drag to any moment of the run: the page replays it to there">
                { "Time " }
                <input type="range" min="0" max={(HORIZON / 1_000).to_string()} step="1" value={(now / 1_000).to_string()}
                    oninput={on_scrub} aria-label="Simulated time in milliseconds" title="Drag to any moment of the run: the page replays it to there" />
            </label>
            <SeedField seed={seed} onchange={on_seed} />
        </div>
    };

    let view = space_time(sim, now.saturating_sub(window(&p)), now.max(window(&p)), 400);
    let lane_classes: Vec<AttrValue> =
        sim.nodes()
            .map(|node| {
                if node.id.0 < p.servers { format!("srv-{}", node.id.0 % 8).into() } else { "client".into() }
            })
            .collect();

    html! {
        <article class="page kv">
            <PageTitle
                title="Key-value store"
                promise="Tune N, W and R on a Dynamo-style cluster, crash its servers, and watch gossip notice, stand-ins keep hints, Merkle trees repair replicas and Bloom filters spare the disk, with every stale read measured."
            />
            if let Some(e) = link_error {
                <p class="field-error" role="alert">{ format!("{e} Showing the default run instead.") }</p>
            }
            if let Some((_, e)) = step_error.borrow().as_ref().filter(|(step, _)| query.get("step") == Some(step)) {
                <p class="field-error" role="alert">{ e.clone() }</p>
            }
            <Section id="problem" step="Step 1 · Understand the problem" title="The problem">
                <p>{ "Store key-value pairs on many servers so that the data survives a server failing and reads stay fast. \
                      The notes' design: partition the keys on a consistent-hashing ring, copy each key onto the next N \
                      distinct servers clockwise, and let a client's request wait for W of the N copies to acknowledge a \
                      write, or R of them to answer a read (quorum consensus). Versions carry a vector clock, so \
                      concurrent writes are kept side by side as siblings until a client resolves them." }</p>
            </Section>
            <Section id="estimate" step="Step 2 · Estimate" title="Estimate">
                <p>{ format!("Every value is stored N = {} times, so storage is N times the data, and every write costs N \
                     messages to replicas (plus their acknowledgements) whatever W is: W only decides how many the client waits for.", p.n) }</p>
                <p><a href="#/estimate">{ "Work out the raw traffic and storage on the estimation page." }</a></p>
            </Section>
            <Section id="design" step="Step 3 · The design, running" title="The cluster, running" wide=true>
                { controls }
                { quorum_rule(&RuleProps { n: p.n, w: p.w, r: p.r }) }
                <div class="kv-layout">
                    <div class="kv-main">
                        <SpaceTimeDiagram view={view} now={now} lane_classes={lane_classes}
                            caption={format!("Messages over the last {} of simulated time: servers S1 to S{}, then the clients. A purple square on a server's lane is a note: it changed its mind about a member (point at it to read it).", us(window(&p) as f64), p.servers)} />
                        { figures(sim) }
                        <div class="kv-charts">
                            { latency_chart(sim) }
                            { rate_chart(sim) }
                        </div>
                        <h3>{ "Failure detection: who believes whom is up" }</h3>
                        { failure::membership(sim) }
                        <h3>{ "Sloppy quorum: hints waiting for their replicas" }</h3>
                        { failure::hints(sim) }
                    </div>
                    <div class="kv-side">
                        { params_panel(&ParamsProps { params: p.clone(), on_servers: set_param(|p, v| { p.servers = v.parse().unwrap_or(p.servers); p.n = p.n.min(p.servers); p.gossip.fanout = p.gossip.fanout.clamp(1, p.servers - 1); }),
                            on_n: set_param(|p, v| p.n = v.parse().unwrap_or(p.n)),
                            on_w: set_param(|p, v| p.w = v.parse().unwrap_or(p.w)),
                            on_r: set_param(|p, v| p.r = v.parse().unwrap_or(p.r)),
                            on_versioning: set_param(|p, v| p.versioning = if v == "lww" { Versioning::LastWriteWins } else { Versioning::VectorClocks }),
                            on_actors: set_param(|p, v| p.actors = if v == "clients" { ClockActors::Clients } else { ClockActors::Servers }),
                            on_prune: set_param(|p, v| p.max_clock_entries = v.parse().unwrap_or(p.max_clock_entries)),
                            on_latency: set_param(|p, v| {
                                let preset = match v { "rack" => LatencyPreset::SameRack, "region" => LatencyPreset::CrossRegion, _ => LatencyPreset::SameDatacenter };
                                p.latency = preset.model(LatencyShape::LogNormal);
                                p.timeout_us = (preset.one_way_us() * 200).max(1_000);
                            }),
                            on_rate: set_param(|p, v| p.workload.ops_per_s = v.parse().unwrap_or(p.workload.ops_per_s)), }) }
                        { failure::failure_params(&p, &on_failure) }
                        { fault_panel(&FaultProps { sim: RunRef(run.clone()), servers: p.servers, act: act.clone(), skew_server: skew_server.clone(), link: link.clone() }) }
                    </div>
                </div>
                <CopyLink />
            </Section>
            <Section id="deep-dive" step="Step 4 · Deep dive" title="One key, its replicas and their vector clocks" wide=true>
                { key_inspector(&KeyProps { sim: RunRef(run.clone()), key_index: *selected_key,
                    on_key: { let k = selected_key.clone(); Callback::from(move |v| k.set(v)) }, act: act.clone() }) }
                <h3>{ "Anti-entropy: two replicas' Merkle trees" }</h3>
                { failure::merkle(sim, &merkle_a, &merkle_b) }
                <h3>{ "The read path: Bloom filters in front of the disks" }</h3>
                { failure::bloom(sim) }
            </Section>
            <Section id="experiments" step="Experiments" title="The notes' claims, measured">
                <ul class="experiments">
                    { for experiments::CLAIMS.iter().enumerate().map(|(i, c)| {
                        if i == 3 {
                            let points = pbs_points.clone();
                            let run = Callback::from(move |_| {
                                match experiments::pbs_curve(&pbs_links.params(), experiments::PBS_TRIALS, experiments::SEED) {
                                    Ok(p) => { let o = experiments::pbs_outcome(&p, pbs_links); points.set(Some((pbs_links, p))); o }
                                    Err(e) => playground_core::experiment::Outcome { measured: "—".into(), expected: String::new(), reproduced: false, detail: e },
                                }
                            });
                            // One of the links' two parts changed: the preset (0) or the shape (1).
                            let on_links = |part: u8| {
                                let (set_query, query) = (set_query.clone(), query.clone());
                                Callback::from(move |e: Event| {
                                    let v = e.target_unchecked_into::<HtmlSelectElement>().value();
                                    let mut next = pbs_links;
                                    match part {
                                        0 => next.preset = LatencyPreset::ALL.into_iter().find(|p| experiments::preset_id(*p) == v).unwrap_or(next.preset),
                                        _ => next.shape = LatencyShape::ALL.into_iter().find(|s| experiments::shape_id(*s) == v).unwrap_or(next.shape),
                                    }
                                    let mut q = query.clone();
                                    q.insert("pbs".to_string(), next.id());
                                    set_query.emit(q);
                                })
                            };
                            let controls = html! {
                                <div class="experiment-controls">
                                    { labelled(("kv-pbs-preset", "Links ", "The latency the links are named after: their median one-way delay, which sets the time axis"), on_links(0), false,
                                        html! { { for LatencyPreset::ALL.iter().map(|p| html! { <option value={experiments::preset_id(*p)} selected={*p == pbs_links.preset}>{ p.label() }</option> }) } }) }
                                    { labelled(("kv-pbs-shape", "shaped ", "How the delays spread around the median: the spread, not the median, makes reads stale"), on_links(1), false,
                                        html! { { for LatencyShape::ALL.iter().map(|s| html! { <option value={experiments::shape_id(*s)} selected={*s == pbs_links.shape}>{ s.label() }</option> }) } }) }
                                    <span class="note">{ "The shape makes the curve; the preset only stretches its time axis (the delays are multiples of the median). Constant links are never stale." }</span>
                                </div>
                            };
                            let points = (*pbs_points).as_ref().filter(|(l, _)| *l == pbs_links).map(|(_, p)| p.clone());
                            // Keyed by the links, so that choosing others clears the last verdict.
                            html! { <ExperimentCard key={pbs_links.id()} claim={c.claim} source={c.source} {run} {controls}>{ pbs_chart(&PbsProps { points, links: pbs_links }) }</ExperimentCard> }
                        } else {
                            let run = c.run;
                            html! { <ExperimentCard claim={c.claim} source={c.source} run={Callback::from(move |_| run())} /> }
                        }
                    }) }
                    { for (0..kv::failure_experiments::CLAIMS.len()).map(|i| html! { <failure::FailureCard index={i} /> }) }
                </ul>
            </Section>
            <Section id="summary" step="Step 5 · Summarize" title="Summary">
                <table class="summary">
                    <thead><tr><th scope="col">{ "Choice" }</th><th scope="col">{ "Gives" }</th><th scope="col">{ "Costs" }</th></tr></thead>
                    <tbody>
                        { for SUMMARY.iter().map(|(a, b, c)| html! { <tr><td>{ *a }</td><td>{ *b }</td><td>{ *c }</td></tr> }) }
                    </tbody>
                </table>
            </Section>
        </article>
    }
}

/// A handle on the page's run for child components (compared by identity; `version` re-renders).
#[derive(Clone)]
struct RunRef(SharedRun);

impl PartialEq for RunRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl RunRef {
    fn with<T>(&self, f: impl FnOnce(&Sim<KvNode>) -> T) -> Option<T> {
        self.0.borrow().as_ref().map(|r| f(r.sim()))
    }
}

struct RuleProps {
    n: u32,
    w: u32,
    r: u32,
}

/// W + R against N, live.
fn quorum_rule(p: &RuleProps) -> Html {
    let sum = p.w + p.r;
    if sum > p.n {
        html! {
            <p class="rule ok"><span aria-hidden="true">{ "● " }</span>
                { format!("W + R = {} + {} = {sum} > N = {}: every read quorum overlaps every write quorum, so a read sees the latest acknowledged write (without faults).", p.w, p.r, p.n) }</p>
        }
    } else {
        html! {
            <p class="rule stale"><span aria-hidden="true">{ "◆ " }</span>
                { format!("W + R = {} + {} = {sum} ≤ N = {}: a read can miss the replicas a write reached, so stale reads are possible.", p.w, p.r, p.n) }</p>
        }
    }
}

/// The live figures of the run.
fn figures(sim: &Sim<KvNode>) -> Html {
    let o = sim.observer();
    let st = &o.stats;
    let pct = |h: &playground_core::sim::Histogram, q: f64| {
        h.percentile(q).map_or("—".to_string(), |v| us(v as f64))
    };
    let lost = kv::lost_writes(sim).len() as u64;
    html! {
        <div class="kv-figures">
            <div class="table-scroll" tabindex="0" role="region" aria-label="Live figures (scrolls sideways)">
                <table class="figures">
                    <caption>{ "Live figures (client side)" }</caption>
                    <thead><tr><th scope="col">{ "" }</th><th scope="col">{ "ok" }</th><th scope="col">{ "timeouts" }</th><th scope="col">{ "no reply" }</th><th scope="col">{ "p50" }</th><th scope="col">{ "p95" }</th><th scope="col">{ "p99" }</th></tr></thead>
                    <tbody>
                        <tr><th scope="row">{ "Reads" }</th><td>{ n(st.reads.ok) }</td><td>{ n(st.reads.timeout) }</td><td>{ n(st.reads.no_reply) }</td>
                            <td>{ pct(&st.read_latency, 50.0) }</td><td>{ pct(&st.read_latency, 95.0) }</td><td>{ pct(&st.read_latency, 99.0) }</td></tr>
                        <tr><th scope="row">{ "Writes" }</th><td>{ n(st.writes.ok) }</td><td>{ n(st.writes.timeout) }</td><td>{ n(st.writes.no_reply) }</td>
                            <td>{ pct(&st.write_latency, 50.0) }</td><td>{ pct(&st.write_latency, 95.0) }</td><td>{ pct(&st.write_latency, 99.0) }</td></tr>
                    </tbody>
                </table>
            </div>
            <p class="tag-row">
                <span class={classes!("tag", (o.checker.stale_reads > 0).then_some("stale"))} data-figure="stale">
                    { format!("◆ {} of {} checked", format::plural(o.checker.stale_reads, "stale read", "stale reads"), n(o.checker.reads_checked)) }</span>
                <span class="tag" data-figure="siblings">{ format!("{} · replicas stored {}",
                    format::plural(st.sibling_reads, "read returned siblings", "reads returned siblings"), format::plural(st.sibling_copies, "sibling copy", "sibling copies")) }</span>
                <span class="tag" data-figure="repairs">{ format::plural(st.repairs, "read repair", "read repairs") }</span>
                <span class="tag" data-figure="pruned"
                    title="Clock entries dropped because a clock grew past the pruning limit: each can turn a newer version into a false sibling of the one it replaced">
                    { format!("✂ {}", format::plural(st.pruned_entries, "clock entry pruned", "clock entries pruned")) }</span>
                <span class={classes!("tag", (lost > 0).then_some("deny"))} data-figure="lost">{ format!("✕ {}", format::plural(lost, "lost write", "lost writes")) }</span>
            </p>
        </div>
    }
}

struct ParamsProps {
    params: KvParams,
    on_servers: Callback<Event>,
    on_n: Callback<Event>,
    on_w: Callback<Event>,
    on_r: Callback<Event>,
    on_versioning: Callback<Event>,
    on_actors: Callback<Event>,
    on_prune: Callback<Event>,
    on_latency: Callback<Event>,
    on_rate: Callback<Event>,
}

/// A select with a visible label; the tooltip (on both) says what it does.
fn labelled<T: Into<AttrValue>>(
    (id, label, title): (&'static str, &'static str, T),
    onchange: Callback<Event>,
    disabled: bool,
    options: Html,
) -> Html {
    let title: AttrValue = title.into();
    html! { <label title={title.clone()}>{ label }<select {id} {onchange} {title} {disabled}>{ options }</select></label> }
}

/// Options from (value, text) pairs, `current` selected.
fn choices(list: &[(&str, &str)], current: &str) -> Html {
    list.iter().map(|(v, text)| html! { <option value={v.to_string()} selected={*v == current}>{ text.to_string() }</option> }).collect()
}

fn options(range: impl Iterator<Item = u32>, current: u32) -> Html {
    range.map(|v| html! { <option value={v.to_string()} selected={v == current}>{ v }</option> }).collect()
}

/// The clock lengths a person can prune at: (entries, label). A clock holds an entry per server
/// that coordinated a write (at most N of them when a replica coordinates) or per client (the
/// page's 3), so 3 and 4 prune only with a larger N, and Dynamo's 10 is never reached here.
const PRUNE_LIMITS: &[(u32, &str)] =
    &[(1, "1 entry"), (2, "2 entries"), (3, "3 entries"), (4, "4 entries"), (10, "10 (Dynamo)")];

/// N, W, R and the rest: changing one starts a new run with the same seed.
fn params_panel(props: &ParamsProps) -> Html {
    let p = &props.params;
    let latency = if p.latency.median_us() <= 20.0 {
        "rack"
    } else if p.latency.median_us() >= 10_000.0 {
        "region"
    } else {
        "dc"
    };
    html! {
        <fieldset class="kv-params">
            <legend>{ "Cluster" }</legend>
            { labelled(("kv-servers", "Servers ", "Storage servers on the ring"), props.on_servers.clone(), false, html! { { options(3..=8, p.servers) } }) }
            { labelled(("kv-n", "N ", "N: how many servers keep a copy of each key (the next N distinct servers clockwise)"), props.on_n.clone(), false, html! { { options(1..=p.servers.min(5), p.n) } }) }
            { labelled(("kv-w", "W ", "W: how many replicas must acknowledge a write before the client is told it succeeded"), props.on_w.clone(), false, html! { { options(1..=p.n, p.w) } }) }
            { labelled(("kv-r", "R ", "R: how many replicas must answer a read before the client gets the result"), props.on_r.clone(), false, html! { { options(1..=p.n, p.r) } }) }
            { labelled(("kv-versioning", "Versions ", "Vector clocks keep concurrent writes as siblings; last-write-wins keeps the latest timestamp"), props.on_versioning.clone(), false, html! { { choices(&[("vc", "vector clocks"), ("lww", "last write wins")], if p.versioning == Versioning::VectorClocks { "vc" } else { "lww" }) } }) }
            { labelled(("kv-actors", "Clock entries per ", "Server entries are the notes' [Si, Vi]; with client entries every race becomes siblings"), props.on_actors.clone(), false, html! { { choices(&[("servers", "server"), ("clients", "client")], if p.actors == ClockActors::Servers { "servers" } else { "clients" }) } }) }
            { labelled(("kv-prune", "Prune clocks past ", "Dynamo drops a clock's oldest entry once it has more than this many (keeping the writer's own); its 10 is never reached with the servers here. A pruned clock forgets what it descends from, so a newer version can look concurrent with the one it replaced: a false sibling"),
                props.on_prune.clone(), p.versioning == Versioning::LastWriteWins, html! { { for PRUNE_LIMITS.iter().map(|(v, label)| html! { <option value={v.to_string()} selected={*v == p.max_clock_entries}>{ *label }</option> }) } }) }
            { labelled(("kv-latency", "Links ", "Same rack 40 µs, same data centre 0.5 ms, cross-region 150 ms round trip (log-normal)"), props.on_latency.clone(), false, html! { { choices(&[("rack", "same rack"), ("dc", "same data centre"), ("region", "cross-region")], latency) } }) }
            { labelled(("kv-rate", "Operations/s ", "Client operations per simulated second, all clients together: a read is one request, a write is a read then a write (two)"), props.on_rate.clone(), false, html! { { for [20u32, 100, 500, 1000].iter().map(|v| html! { <option value={v.to_string()} selected={(p.workload.ops_per_s - f64::from(*v)).abs() < 0.5}>{ v }</option> }) } }) }
            <p class="note">{ format!("{} clients, {} keys ({}), {} writes (read, then write with the returned context), quorum timeout {}, coordinator: {}.",
                p.workload.clients, p.workload.keys,
                if p.workload.zipf > 0.0 { format!("Zipf {}", p.workload.zipf) } else { "uniform".to_string() },
                format!("{}%", (p.workload.write_share * 100.0).round()),
                us(p.timeout_us as f64),
                if p.coordinator == Coordinator::Replica { "a random replica of the key" } else { "any server" }) }</p>
        </fieldset>
    }
}

struct FaultProps {
    sim: RunRef,
    servers: u32,
    act: Callback<Action<KvInput>>,
    skew_server: UseStateHandle<u32>,
    link: UseStateHandle<(u32, u32, LatencyPreset)>,
}

/// Clock skews a person can give a server: (microseconds, label).
const SKEWS: &[(i64, &str)] = &[
    (-1_000_000, "1 s behind"),
    (-50_000, "50 ms behind"),
    (-5_000, "5 ms behind"),
    (0, "on time"),
    (5_000, "5 ms ahead"),
    (50_000, "50 ms ahead"),
    (1_000_000, "1 s ahead"),
];

/// What the fault panel shows of the run now: which servers are up, the partition, the loss, each
/// server's clock skew, and the links with a latency of their own.
#[derive(Default)]
struct FaultState {
    ups: Vec<bool>,
    skews: Vec<i64>,
    partitioned: bool,
    loss: f64,
    slow_links: Vec<String>,
}

fn skew_label(skew_us: i64) -> String {
    match skew_us {
        0 => "on time".to_string(),
        s if s > 0 => format!("{} ahead", us(s as f64)),
        s => format!("{} behind", us(s.unsigned_abs() as f64)),
    }
}

/// Crash and recover servers, cut the network, lose messages, skew a server's clock, slow one link.
fn fault_panel(props: &FaultProps) -> Html {
    let (skew_server, link) = (props.skew_server.clone(), props.link.clone());
    let FaultState { ups, skews, partitioned, loss, slow_links } = props
        .sim
        .with(|sim| {
            let servers = (0..props.servers).filter_map(|i| sim.node(NodeId(i)));
            let (ups, skews) = servers.map(|n| (n.up, n.skew_us)).unzip();
            let net = sim.network();
            let slow_links = net
                .links
                .iter()
                .map(|((from, to), model)| {
                    format!("{} → {}: {} median", sim.name(*from), sim.name(*to), us(model.median_us()))
                })
                .collect();
            FaultState { ups, skews, partitioned: net.is_partitioned(), loss: net.loss, slow_links }
        })
        .unwrap_or_default();
    let server_options = |selected: u32| {
        (0..props.servers)
            .map(|i| html! { <option value={i.to_string()} selected={i == selected}>{ kv::server_name(i) }</option> })
            .collect::<Html>()
    };
    let select_value = |e: &Event| e.target_unchecked_into::<HtmlSelectElement>().value();
    let on_skew_server = {
        let skew_server = skew_server.clone();
        Callback::from(move |e: Event| skew_server.set(select_value(&e).parse().unwrap_or(0)))
    };
    let on_skew = {
        let (act, node) = (props.act.clone(), NodeId(*skew_server));
        Callback::from(move |e: Event| {
            if let Ok(skew_us) = select_value(&e).parse::<i64>() {
                act.emit(Action::Fault(Fault::SetSkew { node, skew_us }));
            }
        })
    };
    let current_skew = skews.get(*skew_server as usize).copied().unwrap_or(0);
    let on_link_part = |part: u8| {
        let link = link.clone();
        Callback::from(move |e: Event| {
            let v = select_value(&e);
            let (mut from, mut to, mut preset) = *link;
            match part {
                0 => from = v.parse().unwrap_or(0),
                1 => to = v.parse().unwrap_or(0),
                _ => preset = LatencyPreset::ALL.into_iter().find(|p| p.label() == v).unwrap_or(preset),
            }
            link.set((from, to, preset));
        })
    };
    let on_slow_link = {
        let (act, (from, to, preset)) = (props.act.clone(), *link);
        Callback::from(move |_: MouseEvent| {
            let model = preset.model(LatencyShape::LogNormal);
            for (a, b) in [(from, to), (to, from)] {
                act.emit(Action::Fault(Fault::SetLinkLatency { from: NodeId(a), to: NodeId(b), model }));
            }
        })
    };
    let fault = |f: Fault| {
        let act = props.act.clone();
        Callback::from(move |_: MouseEvent| act.emit(Action::Fault(f.clone())))
    };
    let half = (props.servers / 2).max(1);
    let on_loss = {
        let act = props.act.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value().parse::<f64>().unwrap_or(0.0);
            act.emit(Action::Fault(Fault::SetLoss { loss: v / 100.0 }));
        })
    };
    html! {
        <fieldset class="kv-faults">
            <legend>{ "Faults" }</legend>
            <div class="fault-buttons">
                { for ups.iter().enumerate().map(|(i, up)| {
                    let node = NodeId(i as u32);
                    let name = kv::server_name(i as u32);
                    if *up {
                        html! { <button type="button" class="secondary crash" data-server={name.clone()} onclick={fault(Fault::Crash { node })}
                            title={format!("Crash {name}: it loses its requests in progress (its data is on disk) and drops what arrives")}>{ format!("Crash {name}") }</button> }
                    } else {
                        html! { <button type="button" class="secondary recover" data-server={name.clone()} onclick={fault(Fault::Recover { node })}
                            title={format!("Restart {name} with the data it had")}>{ format!("Recover {name}") }</button> }
                    }
                }) }
            </div>
            <div class="fault-buttons">
                <button type="button" class="secondary" onclick={fault(Fault::Partition { groups: vec![(0..half).map(NodeId).collect()] })}
                    title={format!("Cut S1 to S{half} off from the other servers and the clients")}>{ format!("Partition S1–S{half} away") }</button>
                <button type="button" class="secondary" onclick={fault(Fault::Heal)} disabled={!partitioned}
                    title="End the partition">{ "Heal" }</button>
            </div>
            { labelled(("kv-loss", "Message loss ", "The probability that any one message is lost"), on_loss, false, html! { { for [0u32, 1, 10, 50].iter().map(|v| html! { <option value={v.to_string()} selected={(loss * 100.0 - f64::from(*v)).abs() < 0.01}>{ format!("{v}%") }</option> }) } }) }
            <div class="fault-buttons">
                { labelled(("kv-skew-server", "Clock of ", "The server whose clock to set"), on_skew_server, false, html! { { server_options(*skew_server) } }) }
                { labelled(("kv-skew", "is ", "How far this server's clock is from the true time; last-write-wins timestamps come from it"), on_skew, false, html! { { for SKEWS.iter().map(|(v, label)| html! { <option value={v.to_string()} selected={*v == current_skew}>{ *label }</option> }) } }) }
                <span class="note">{ skews.iter().enumerate().filter(|(_, s)| **s != 0)
                    .map(|(i, s)| format!("{} {}", kv::server_name(i as u32), skew_label(*s))).collect::<Vec<_>>().join(", ") }</span>
            </div>
            <div class="fault-buttons">
                { labelled(("kv-link-from", "Link ", "One end of the link to slow down"), on_link_part(0), false, html! { { server_options(link.0) } }) }
                { labelled(("kv-link-to", "↔ ", "The other end of the link"), on_link_part(1), false, html! { { server_options(link.1) } }) }
                { labelled(("kv-link-preset", "as ", "The latency this link gets, both ways (log-normal around the table's value)"), on_link_part(2), false, html! { { for LatencyPreset::ALL.iter().map(|p| html! { <option value={p.label()} selected={*p == link.2}>{ p.label() }</option> }) } }) }
                <button type="button" class="secondary" id="kv-link-set" onclick={on_slow_link} disabled={link.0 == link.1}
                    title="Give this link its own latency, both ways; the other links keep theirs">{ "Set link" }</button>
                <span class="note">{ slow_links.join(", ") }</span>
            </div>
        </fieldset>
    }
}

struct KeyProps {
    sim: RunRef,
    key_index: u32,
    on_key: Callback<u32>,
    act: Callback<Action<KvInput>>,
}

/// The selected key: its replicas in ring order, each replica's versions with their clocks, and
/// why each pair of distinct versions is ordered or concurrent.
fn key_inspector(props: &KeyProps) -> Html {
    let key = props.key_index;
    props
        .sim
        .with(|sim| {
            let Some(cluster) = kv::cluster(sim) else { return Html::default() };
            let keys = cluster.params.workload.keys;
            let key = key.min(keys - 1);
            let replicas = kv::replica_versions(sim, key);
            let on_key = {
                let cb = props.on_key.clone();
                Callback::from(move |e: Event| cb.emit(e.target_unchecked_into::<HtmlSelectElement>().value().parse().unwrap_or(0)))
            };
            let client = NodeId(cluster.params.servers);
            let input = |i: KvInput| {
                let act = props.act.clone();
                Callback::from(move |_: MouseEvent| act.emit(Action::Input { node: client, input: i.clone() }))
            };
            let mut distinct: Vec<kv::Version> = Vec::new();
            for (_, _, versions) in &replicas {
                for v in versions {
                    if !distinct.contains(v) {
                        distinct.push(v.clone());
                    }
                }
            }
            let recent = sim.observer().recent.iter().rev().filter(|op| op.key == key).take(8);
            // The ring: partitions and virtual nodes coloured per server, the keys as dots, the
            // selected key's replicas labelled and its clockwise probe to its first replica.
            let ring = &cluster.ring;
            let colour = |ring_index: u32| {
                ring.servers().get(ring_index as usize).and_then(|srv| srv.name.trim_start_matches('S').parse::<usize>().ok()).map_or(0, |k| (k + 7) % 8)
            };
            let replica_names: Vec<String> = replicas.iter().map(|(id, _, _)| sim.name(*id).to_string()).collect();
            let arcs: Vec<RingArc> = ring.arcs().iter().map(|a| RingArc { from: a.from.fraction(), to: a.to.fraction(), colour: colour(a.server), full: a.full }).collect();
            let mut first_seen = std::collections::BTreeSet::new();
            let nodes: Vec<RingNode> = ring.points().iter().map(|pt| {
                let name = ring.servers()[pt.server as usize].name.clone();
                let emphasis = replica_names.contains(&name) && first_seen.insert(name.clone());
                RingNode { at: pt.position.fraction(), colour: colour(pt.server), emphasis, label: emphasis.then(|| name.into()) }
            }).collect();
            let position = |k: u32| ring.hash().position(key_name(k).as_bytes());
            let ring_keys: Vec<RingKey> = (0..keys.min(64)).map(|k| {
                let owner = ring.owner(position(k)).map_or(0, |o| colour(o as u32));
                RingKey { id: k as usize, at: position(k).fraction(), colour: owner, emphasis: k == key, title: Some(key_name(k).into()) }
            }).collect();
            let probes: Vec<RingProbe> = ring.successor(position(key)).ok().map(|i| {
                let pt = ring.points()[i];
                RingProbe { from: position(key).fraction(), to: pt.position.fraction(), colour: colour(pt.server) }
            }).into_iter().collect();
            let on_ring_key = {
                let cb = props.on_key.clone();
                Callback::from(move |id: usize| cb.emit(id as u32))
            };
            html! {
                <div class="key-inspector">
                    { labelled(("kv-key", "Key ", "The key to inspect"), on_key, false, html! { { for (0..keys.min(64)).map(|k| html! { <option value={k.to_string()} selected={k == key}>{ key_name(k) }</option> }) } }) }
                    <button type="button" class="secondary" onclick={input(KvInput::Get { key, via: None })} title="Client C1 reads this key now">{ "C1: get" }</button>
                    <button type="button" class="secondary" onclick={input(KvInput::Put { key, via: None })} title="Client C1 writes a new value with the context of its last read">{ "C1: put" }</button>
                    <p>{ format!("{} lives on {}: the next {} distinct servers clockwise from its SHA-1 position on the ring.",
                        key_name(key),
                        replicas.iter().map(|(id, _, _)| sim.name(*id).to_string()).collect::<Vec<_>>().join(", "),
                        cluster.params.n) }</p>
                    <RingView caption={format!("The ring: {} servers with {} virtual nodes each, {} keys; {} and its replicas marked.", cluster.params.servers, cluster.params.vnodes, keys.min(64), key_name(key))}
                        {arcs} {nodes} keys={ring_keys} {probes} selected={Some(key as usize)} center={vec![AttrValue::from(key_name(key)), AttrValue::from(replica_names.join(" → "))]}
                        on_select={Some(on_ring_key)} />
                    <table class="versions">
                        <thead><tr><th scope="col">{ "Replica" }</th><th scope="col">{ "Versions (value and vector clock)" }</th></tr></thead>
                        <tbody>
                            { for replicas.iter().map(|(id, up, versions)| html! {
                                <tr class={classes!((!up).then_some("down"))}>
                                    <th scope="row">{ format!("{}{}", sim.name(*id), if *up { "" } else { " (down)" }) }</th>
                                    <td>{ if versions.is_empty() { "nothing yet".to_string() } else {
                                        versions.iter().map(|v| if v.clock.is_empty() { format!("{} at {}", value_name(v.value), us(v.ts as f64)) } else { format!("{} {}", value_name(v.value), v.clock.notation()) }).collect::<Vec<_>>().join(" · ")
                                    } }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                    { clock_comparison(sim, &replicas, &distinct, cluster.params.versioning) }
                    <table class="recent-ops">
                        <caption>{ format!("The newest operations on {}", key_name(key)) }</caption>
                        <thead><tr><th scope="col">{ "Client" }</th><th scope="col">{ "Operation" }</th><th scope="col">{ "Via" }</th><th scope="col">{ "Result" }</th><th scope="col">{ "Took" }</th></tr></thead>
                        <tbody>
                            { for recent.map(|op| {
                                let what = match op.write { Some(v) => format!("put {}", value_name(v)), None => "get".to_string() };
                                let result = match &op.result {
                                    OpResult::Read(vs) => vs.iter().map(|v| value_name(v.value)).collect::<Vec<_>>().join(", "),
                                    OpResult::Written(v) => format!("ok {}", if v.clock.is_empty() { String::new() } else { v.clock.notation() }),
                                    OpResult::Timeout { got, needed } => format!("timeout: {got} of {needed}"),
                                    OpResult::NoReply => "no reply".to_string(),
                                };
                                html! { <tr><td>{ sim.name(op.op.0).to_string() }</td><td>{ what }</td><td>{ sim.name(op.coordinator).to_string() }</td>
                                    <td class={classes!(experiments::outcome_word(&op.result).replace(' ', "-"))}>{ result }</td><td>{ us((op.end - op.start) as f64) }</td></tr> }
                            }) }
                        </tbody>
                    </table>
                </div>
            }
        })
        .unwrap_or_default()
}

/// "S1", "S1 and S2", "S1, S2 and S3".
fn and_list(names: &[String]) -> String {
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// Why the selected key's versions are ordered or concurrent: each pair of distinct versions
/// compared entry by entry (vector clocks) or by timestamp (last write wins, which is said first),
/// or a sentence saying why there is nothing to compare.
fn clock_comparison(
    sim: &Sim<KvNode>,
    replicas: &[(NodeId, bool, Vec<kv::Version>)],
    distinct: &[kv::Version],
    versioning: Versioning,
) -> Html {
    let lww = versioning == Versioning::LastWriteWins;
    let stamp = |v: &kv::Version| {
        if lww {
            format!("{} at {}", value_name(v.value), us(v.ts as f64))
        } else {
            format!("{} {}", value_name(v.value), v.clock.notation())
        }
    };
    let names = |keep: &dyn Fn(&[kv::Version]) -> bool| -> Vec<String> {
        replicas.iter().filter(|(_, _, vs)| keep(vs)).map(|(id, _, _)| sim.name(*id).to_string()).collect()
    };
    let verb = |who: &[String]| if who.len() == 1 { "holds" } else { "hold" };
    let why = if lww {
        html! { <p class="note">{ "Last write wins keeps no vector clock: a version carries only the timestamp its coordinator's clock gave \
        the write, and a replica that gets two versions keeps the later one (equal timestamps: the higher value), whether or not the \
        writes were concurrent and however far the clocks are skewed. So there is nothing to find concurrent, only timestamps to compare." }</p> }
    } else {
        Html::default()
    };
    let comparison = match distinct {
        [] => {
            html! { <p class="clock-same">{ "No replica holds a version of this key yet: nothing to compare." }</p> }
        }
        [only] => {
            let (holders, empty) = (names(&|vs| !vs.is_empty()), names(&|vs| vs.is_empty()));
            let what = if holders.len() > 1 { "the same version" } else { "the only version" };
            let rest = if empty.is_empty() {
                String::new()
            } else {
                format!(" {} {} nothing yet.", and_list(&empty), verb(&empty))
            };
            html! { <p class="clock-same">{ format!("{} {} {what}, {}: nothing to compare.{rest}", and_list(&holders), verb(&holders), stamp(only)) }</p> }
        }
        _ => {
            let pairs =
                distinct.iter().enumerate().flat_map(|(i, a)| distinct[i + 1..].iter().map(move |b| (a, b)));
            html! {
                <ul class="clock-pairs">
                    { for pairs.map(|(a, b)| {
                        let reason = if lww {
                            let (win, lose) = if (a.ts, a.value) >= (b.ts, b.value) { (a, b) } else { (b, a) };
                            let rule = if a.ts == b.ts { "equal timestamps, so the higher value" } else { "the later timestamp" };
                            format!("{rule} wins: a replica that gets both keeps {} and drops {}", value_name(win.value), value_name(lose.value))
                        } else {
                            a.clock.explain(&b.clock)
                        };
                        html! { <li><strong>{ format!("{} vs {}: ", stamp(a), stamp(b)) }</strong>{ reason }</li> }
                    }) }
                </ul>
            }
        }
    };
    html! { <>{ why }{ comparison }</> }
}

/// The read and write latency distributions of the run so far, ten bins per decade on a log axis.
fn latency_chart(sim: &Sim<KvNode>) -> Html {
    let st = &sim.observer().stats;
    let shares = |h: &playground_core::sim::Histogram| -> Vec<(f64, f64)> {
        let total = h.count().max(1) as f64;
        h.log_bins()
            .into_iter()
            .map(|(lo, hi, c)| ((lo.max(1) as f64 * hi as f64).sqrt(), 100.0 * c as f64 / total))
            .collect()
    };
    let (reads, writes) = (shares(&st.read_latency), shares(&st.write_latency));
    let xs = || reads.iter().chain(&writes).map(|p| p.0);
    let (lo, hi) = (xs().fold(f64::INFINITY, f64::min), xs().fold(0.0, f64::max));
    if reads.len() + writes.len() < 2 {
        return html! { <p class="note">{ "The latency histogram appears once requests have completed." }</p> };
    }
    let (lo, hi) = (lo / 1.5, hi * 1.5);
    let ymax = reads.iter().chain(&writes).map(|p| p.1).fold(0.0, f64::max).max(1.0);
    let decades = || (0..10).map(|k| 10f64.powi(k));
    let mut ticks: Vec<f64> = decades().filter(|t| (lo..=hi).contains(t)).collect();
    if ticks.len() < 2 {
        ticks = decades().flat_map(|t| [t, 2.0 * t, 5.0 * t]).filter(|t| (lo..=hi).contains(t)).collect();
    }
    let ticks = ticks.into_iter().map(|t| (t, AttrValue::from(us(t)))).collect();
    html! {
        <XyPlot
            caption={format!("Latency of the {} reads and {} writes answered so far (share in each bin)", n(st.read_latency.count()), n(st.write_latency.count()))}
            x={Axis { label: "latency seen by the client (log scale)".into(), log: true, min: lo, max: hi, ticks }}
            y={Axis { label: "share of requests".into(), log: false, min: 0.0, max: ymax,
                ticks: round_ticks(ymax, |v| format!("{}%", format::significant(v, 3))) }}
            series={vec![
                Series { label: "reads".into(), points: reads, mark: Mark::Dots, class: "series-a".into() },
                Series { label: "writes".into(), points: writes, mark: Mark::Squares, class: "series-b".into() },
            ]}
        />
    }
}

/// Answers, failures and stale reads per second over the run so far: where a fault shows.
fn rate_chart(sim: &Sim<KvNode>) -> Html {
    let timeline = &sim.observer().stats.timeline;
    let (bins, step_s) = (timeline.bins(), timeline.step() as f64 / SECOND as f64);
    if bins.len() < 2 {
        return Html::default();
    }
    let series = |slot: usize| -> Vec<(f64, f64)> {
        bins.iter().enumerate().map(|(i, b)| ((i as f64 + 0.5) * step_s, b[slot] as f64 / step_s)).collect()
    };
    let end = bins.len() as f64 * step_s;
    let ymax = bins.iter().flat_map(|b| b.iter()).fold(0, |m, v| m.max(*v)) as f64 / step_s;
    let ymax = ymax.max(1.0);
    html! {
        <XyPlot
            caption={format!("Per second of simulated time, in steps of {}, by when the client got its answer", us(timeline.step() as f64))}
            x={Axis { label: "simulated time (s)".into(), log: false, min: 0.0, max: end, ticks: round_ticks(end, |v| format::significant(v, 3)) }}
            y={Axis { label: "per second".into(), log: false, min: 0.0, max: ymax, ticks: round_ticks(ymax, |v| format::significant(v, 3)) }}
            series={vec![
                Series { label: "answered".into(), points: series(KvStats::ANSWERED), mark: Mark::Line, class: "series-a".into() },
                Series { label: "failed (timeout or no reply)".into(), points: series(KvStats::FAILED), mark: Mark::Squares, class: "series-deny".into() },
                Series { label: "stale reads".into(), points: series(KvStats::STALE), mark: Mark::Dots, class: "series-stale".into() },
            ]}
        />
    }
}

struct PbsProps {
    points: Option<Vec<PbsPoint>>,
    links: PbsLinks,
}

/// The PBS curve: measured points and the model's dashed line, on a time axis of the links' own
/// scale (the delays are multiples of their median).
fn pbs_chart(props: &PbsProps) -> Html {
    let Some(points) = &props.points else { return Html::default() };
    let xmax = points.iter().map(|p| p.t_us).max().unwrap_or(1).max(1) as f64;
    let ymin = points.iter().map(|p| p.measured.min(p.model)).fold(1.0, f64::min).min(0.9);
    let to_us = |p: &PbsPoint| p.t_us as f64;
    html! {
        <XyPlot
            caption={format!("Probability that a read t after a write returns it (N = 3, R = W = 1, links {})", props.links.label())}
            x={Axis { label: "t after the acknowledgement".into(), log: false, min: 0.0, max: xmax,
                ticks: [0.0, xmax / 4.0, xmax / 2.0, xmax].iter().map(|v| (*v, AttrValue::from(us(*v)))).collect() }}
            y={Axis { label: "consistent reads".into(), log: false, min: ymin, max: 1.0,
                ticks: [ymin, (ymin + 1.0) / 2.0, 1.0].iter().map(|v| (*v, AttrValue::from(format!("{}%", format::significant(v * 100.0, 3))))).collect() }}
            series={vec![
                Series { label: "simulated".into(), points: points.iter().map(|p| (to_us(p), p.measured)).collect(), mark: Mark::Dots, class: "series-a".into() },
                Series { label: "PBS model".into(), points: points.iter().map(|p| (to_us(p), p.model)).collect(), mark: Mark::Dashed, class: "series-b".into() },
            ]}
        />
    }
}
