//! The rate-limiting page (the notes' "Rate Limiting"): one stream of requests played through the
//! five throttling algorithms side by side on a timeline, their live counts and state, the HTTP
//! response each request got, gateways racing on a shared counter, and the notes' claims run as
//! experiments. Everything is computed by `playground_core::rate_limit`; the parameters, the
//! run's time, the inspected request and client all live in the URL query, so a view is a link.

use crate::app::Route;
use crate::url_state::{Query, use_query_state};
use crate::widgets::copy_link::CopyLink;
use crate::widgets::experiment::{ExperimentCard, SlicedExperimentCard};
use crate::widgets::field::TextField;
use crate::widgets::page::{PageTitle, Section};
use crate::widgets::seed::SeedField;
use crate::widgets::sim_controls::{SimControls, SimKeys, use_sim_keys};
use gloo::timers::callback::Interval;
use playground_core::format::{self, group_digits};
use playground_core::rate_limit::distributed::{
    self, DistParam, DistributedForm, OpKind, Setup, SetupResult,
};
use playground_core::rate_limit::experiments::{CounterErrorParams, CounterErrorRun, EXPERIMENTS, Finding};
use playground_core::rate_limit::timeline::{
    Event as LaneEvent, Lane, Param, TRAFFIC_KINDS, Timeline, TimelineConfig, TimelineForm, default_configs,
};
use playground_core::rate_limit::traffic::{IMPATIENT_RETRY_MS, Pattern, RetryTally, impatience};
use playground_core::rate_limit::{Config, Kind, Millis, StateView, Verdict};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::time::sleep;
use yew::prelude::*;

/// Query keys of the page's own state (the parameters have their keys in core).
const T_KEY: &str = "t";
const REQ_KEY: &str = "req";
const CLIENT_KEY: &str = "client";

/// The timer's tick, and the simulated milliseconds per tick to choose from.
const TICK_MS: u32 = 100;
const SPEEDS: &[(u64, &str)] = &[
    (10, "0.1× real time"),
    (25, "0.25× real time"),
    (50, "0.5× real time"),
    (100, "Real time"),
    (250, "2.5× real time"),
    (1000, "10× real time"),
];
const DEFAULT_SPEED: u64 = 100;

/// The most marks drawn per row: beyond it the oldest in view are left out (and said so).
const MAX_MARKS: usize = 400;

/// The experiment long enough to run in slices (the counter error over 600,000 requests), and the
/// requests decided per slice.
const SLICED_EXPERIMENT: &str = "error";
const SLICE_REQUESTS: usize = 20_000;

/// Reads and writes the URL query from any callback, including the timer's and the keyboard's,
/// which outlive the render that made them.
#[derive(Clone)]
struct Nav {
    latest: Rc<RefCell<Query>>,
    set_query: Callback<Query>,
}

impl PartialEq for Nav {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.latest, &other.latest)
    }
}

impl Nav {
    fn update(&self, change: impl FnOnce(&mut Query)) {
        let mut next = self.latest.borrow().clone();
        change(&mut next);
        *self.latest.borrow_mut() = next.clone();
        self.set_query.emit(next);
    }

    fn t(&self) -> Millis {
        self.latest.borrow().get(T_KEY).and_then(|v| v.parse().ok()).unwrap_or(0)
    }

    fn set_t(&self, t: Millis) {
        self.update(|q| {
            if t == 0 {
                q.remove(T_KEY);
            } else {
                q.insert(T_KEY.to_string(), t.to_string());
            }
        });
    }

    fn set(&self, key: &str, value: Option<String>) {
        self.update(|q| match value {
            Some(v) => {
                q.insert(key.to_string(), v);
            }
            None => {
                q.remove(key);
            }
        });
    }

    fn set_form(&self, form: &TimelineForm) {
        self.update(|q| {
            for p in Param::ALL {
                q.remove(p.key());
            }
            for (k, v) in form.to_query() {
                q.insert(k.to_string(), v);
            }
        });
    }

    fn set_dist_form(&self, form: &DistributedForm) {
        self.update(|q| {
            for p in DistParam::ALL {
                q.remove(p.key());
            }
            for (k, v) in form.to_query() {
                q.insert(k.to_string(), v);
            }
        });
    }
}

/// Play state, kept out of the URL (a link opens paused, as STYLE.md asks).
#[derive(Clone, Copy, PartialEq)]
struct Control {
    playing: bool,
    speed: u64,
}

enum ControlAction {
    Toggle,
    Stop,
    Speed(u64),
}

impl Reducible for Control {
    type Action = ControlAction;
    fn reduce(self: Rc<Self>, action: ControlAction) -> Rc<Self> {
        let mut next = *self;
        match action {
            ControlAction::Toggle => next.playing = !next.playing,
            ControlAction::Stop => next.playing = false,
            ControlAction::Speed(s) => next.speed = s,
        }
        Rc::new(next)
    }
}

/// The experiments' findings, by experiment id, once run.
#[derive(Default, PartialEq)]
struct Findings(BTreeMap<&'static str, Finding>);

impl Reducible for Findings {
    type Action = (&'static str, Finding);
    fn reduce(self: Rc<Self>, (id, finding): Self::Action) -> Rc<Self> {
        let mut next = self.0.clone();
        next.insert(id, finding);
        Rc::new(Findings(next))
    }
}

/// Brings the cached timeline to `config` at time `t`: replays from the start when the
/// parameters changed or the time went back, otherwise only decides the new requests.
fn sync_timeline(cache: &mut Option<Timeline>, config: &TimelineConfig, t: Millis) -> Result<(), String> {
    let reusable = cache.as_ref().is_some_and(|tl| tl.config() == config && tl.now() <= t);
    if !reusable {
        *cache = None;
        *cache = Some(Timeline::new(config)?);
    }
    if let Some(tl) = cache.as_mut() {
        tl.advance_to(t);
    }
    Ok(())
}

fn ms(t: Millis) -> String {
    format!("{} ms", group_digits(t.into()))
}

/// A time on the axis: "0", then in the unit that fits ("500 ms", "1.5 s").
fn duration(t: Millis) -> String {
    if t == 0 { "0".to_string() } else { format::duration_ns(t as f64 * 1e6) }
}

#[function_component(RateLimitPage)]
pub fn rate_limit_page() -> Html {
    let (query, set_query) = use_query_state(Route::RateLimit);
    let latest = use_mut_ref(Query::new);
    *latest.borrow_mut() = query.clone();
    let nav = Nav { latest: latest.clone(), set_query };
    let pairs = || query.iter().map(|(k, v)| (k.as_str(), v.as_str()));

    let form = TimelineForm::from_query(pairs());
    let parsed = form.parse();
    let fallback = TimelineForm::default().parse().ok();
    let config = parsed.as_ref().ok().cloned().or(fallback);
    let errors: Vec<(Param, String)> = parsed.as_ref().err().cloned().unwrap_or_default();
    let end = config.as_ref().map_or(0, |c| c.duration_ms);
    let t: Millis = query.get(T_KEY).and_then(|v| v.parse().ok()).unwrap_or(0).min(end);

    let cache = use_mut_ref(|| None::<Timeline>);
    let synced = match &config {
        Some(c) => sync_timeline(&mut cache.borrow_mut(), c, t),
        None => Err("The run could not start.".to_string()),
    };
    let control = use_reducer(|| Control { playing: false, speed: DEFAULT_SPEED });
    let findings = use_reducer(Findings::default);

    // The play timer: advances the run's time in the URL every tick.
    {
        let nav = nav.clone();
        let control_handle = control.clone();
        let ok = synced.is_ok();
        use_effect_with((control.playing, control.speed, end, ok), move |&(playing, speed, end, ok)| {
            let interval = (playing && ok).then(|| {
                Interval::new(TICK_MS, move || {
                    let next = (nav.t() + speed).min(end);
                    nav.set_t(next);
                    if next >= end {
                        control_handle.dispatch(ControlAction::Stop);
                    }
                })
            });
            move || drop(interval)
        });
    }

    // Step: to the next request any algorithm has not decided; back: undo the latest requests.
    let (next_t, previous_t) = {
        let tl = cache.borrow();
        match tl.as_ref() {
            Some(tl) => (tl.next_request_time().unwrap_or(end).min(end), tl.previous_request_time()),
            None => (end, 0),
        }
    };
    let on_toggle = {
        let c = control.clone();
        Callback::from(move |_| c.dispatch(ControlAction::Toggle))
    };
    let on_step = {
        let nav = nav.clone();
        Callback::from(move |_| nav.set_t(next_t))
    };
    let on_back = {
        let nav = nav.clone();
        Callback::from(move |_| nav.set_t(previous_t))
    };
    let on_end = {
        let nav = nav.clone();
        Callback::from(move |_| nav.set_t(end))
    };
    let on_reset = {
        let nav = nav.clone();
        let c = control.clone();
        Callback::from(move |_| {
            c.dispatch(ControlAction::Stop);
            nav.set_t(0);
        })
    };
    let on_speed = {
        let c = control.clone();
        Callback::from(move |s| c.dispatch(ControlAction::Speed(s)))
    };
    use_sim_keys(
        SimKeys {
            toggle: on_toggle.clone(),
            step: on_step.clone(),
            back: on_back.clone(),
            reset: on_reset.clone(),
        },
        (next_t, previous_t, end),
    );

    let selected: Option<u64> = query.get(REQ_KEY).and_then(|v| v.parse().ok());
    let client: u64 = query.get(CLIENT_KEY).and_then(|v| v.parse().ok()).unwrap_or(0);
    let seed = config.as_ref().map_or(1, |c| c.seed);

    // The long experiment runs in slices between frames, with a progress bar.
    let sliced_progress = use_state(|| None::<f64>);
    let on_sliced_start = {
        let progress = sliced_progress.clone();
        let findings = findings.clone();
        Callback::from(move |_| {
            if progress.is_some() {
                return;
            }
            progress.set(Some(0.0));
            let progress = progress.clone();
            let findings = findings.clone();
            yew::platform::spawn_local(async move {
                // Let the progress bar paint before the trace is generated.
                sleep(Duration::from_millis(16)).await;
                let mut run = CounterErrorRun::new(CounterErrorParams::default(), seed);
                loop {
                    let done = run.advance(SLICE_REQUESTS);
                    if run.is_finished() {
                        break;
                    }
                    progress.set(Some(done));
                    sleep(Duration::ZERO).await;
                }
                findings.dispatch((SLICED_EXPERIMENT, run.finding()));
                progress.set(None);
            });
        })
    };

    let tl_ref = cache.borrow();
    let tl = tl_ref.as_ref().filter(|_| synced.is_ok());

    html! {
        <article class="page rate-limit">
            <PageTitle
                title="Rate limiting"
                promise="Send one stream of requests through five throttling algorithms at once, see where they disagree and what a 429 says, and watch limiters in a cluster let too much through."
            />
            <Section id="problem" step="Step 1 · Understand the problem" title="The problem">
                <p>
                    { "An API must stop one client (a user, an API key, an IP address) from sending more than a set \
                       number of requests in a period, per endpoint and per user, to survive denial-of-service \
                       attacks, protect shared capacity and cap costs. The notes put the limiter on the server side, \
                       as middleware in a reverse proxy in front of the API servers, because a client-side limit can \
                       be forged. A refused request gets " }
                    <code>{ "429 Too Many Requests" }</code>
                    { " and headers that say how long to wait. In a cluster, several limiters must agree on one \
                       count without racing each other." }
                </p>
            </Section>
            <EstimateSection config={config.clone()} />
            <Section id="run" step="Step 3 · The design, running" title="Five algorithms, one stream of requests" wide=true>
                <p>
                    { "Every algorithm below receives exactly the same requests, one row each, time running to the \
                       right. Each mark is one request; dashed lines are the fixed windows' edges. Click a request to \
                       see the response it got." }
                </p>
                <ul class="rl-legend" aria-label="Legend">
                    <li><svg class="legend-mark" aria-hidden="true" width="18" height="18"><use href="#rl-allowed" class="outcome-ok" x="9" y="9" /></svg>{ "Allowed" }</li>
                    <li><svg class="legend-mark" aria-hidden="true" width="18" height="18"><use href="#rl-queued" class="outcome-wait" x="9" y="9" /></svg>{ "Queued (the line runs to when it reaches the API)" }</li>
                    <li><svg class="legend-mark" aria-hidden="true" width="18" height="18"><use href="#rl-denied" class="outcome-deny" x="9" y="9" /></svg>{ "Denied with 429" }</li>
                    <li><svg class="legend-mark" aria-hidden="true" width="18" height="18"><use href="#rl-soft" class="outcome-ok" x="9" y="9" /></svg>{ "Admitted over the limit (soft allowance)" }</li>
                </ul>
                <MarkDefs />
                <SimControls
                    playing={control.playing}
                    at_start={t == 0}
                    at_end={t >= end}
                    speed={control.speed}
                    speeds={SPEEDS}
                    step_label="Next request"
                    step_title="Advance to the next request and decide it (→)"
                    back_label="Previous request"
                    back_title="Undo the latest requests: the run replays from the start (←)"
                    clock={html! { <>
                        <span class="figure">{ ms(t) }</span>{ format!(" of {}", ms(end)) }
                    </> }}
                    on_toggle={on_toggle}
                    on_step={on_step}
                    on_back={on_back}
                    on_end={on_end}
                    on_reset={on_reset}
                    on_speed={on_speed}
                />
                if !errors.is_empty() {
                    <p class="run-error" role="status">
                        <span aria-hidden="true">{ "✕ " }</span>
                        { format!("Fix the fields marked under “The knobs” below ({}): until then this run uses the default parameters.",
                            errors.iter().map(|(p, _)| p.label()).collect::<Vec<_>>().join(", ")) }
                    </p>
                }
                if let Some(tl) = tl {
                    { timeline_view(tl, selected, &nav) }
                    { counts_table(tl) }
                    { retry_table(tl) }
                    { inspector(tl, selected, &nav) }
                } else {
                    <p class="run-error" role="alert">
                        <span aria-hidden="true">{ "✕ " }</span>
                        { synced.as_ref().err().cloned().unwrap_or_else(|| "The run could not start.".to_string()) }
                    </p>
                }
                <CopyLink />
            </Section>
            <Section id="deep-dive" step="Step 4 · Deep dive" title="The knobs and what each algorithm keeps" wide=true>
                <div class="rl-deep">
                    { knobs(&form, &errors, config.as_ref(), &nav) }
                    <div class="rl-states">
                        if let Some(tl) = tl {
                            { state_views(tl, client, &nav) }
                        }
                    </div>
                </div>
            </Section>
            <DistributedSection form={DistributedForm::from_query(pairs())} nav={nav.clone()} />
            <Section id="experiments" step="Experiments" title="Claims, run live" wide=true>
                <p>{ format!("Each card runs in the same code as the timeline. The counter-error, gateway and \
                    memory cards draw their random traffic from seed {seed}, the page's seed; the window-edge and \
                    starving-log cards send the same requests every time.") }</p>
                <ul class="experiments">
                    { for EXPERIMENTS.iter().map(|e| {
                        let findings_handle = findings.clone();
                        let run = e.run;
                        let id = e.id;
                        if id == SLICED_EXPERIMENT {
                            return html! {
                                <SlicedExperimentCard claim={e.claim} source={e.source} start={on_sliced_start.clone()}
                                    progress={*sliced_progress} outcome={findings.0.get(id).map(|f| f.outcome.clone())}>
                                    if let Some(f) = findings.0.get(id) {
                                        { finding_rows(f) }
                                    }
                                </SlicedExperimentCard>
                            };
                        }
                        let on_run = Callback::from(move |_| {
                            let finding = run(seed);
                            let outcome = finding.outcome.clone();
                            findings_handle.dispatch((id, finding));
                            outcome
                        });
                        html! {
                            <ExperimentCard claim={e.claim} source={e.source} run={on_run}>
                                if let Some(f) = findings.0.get(e.id) {
                                    { finding_rows(f) }
                                }
                            </ExperimentCard>
                        }
                    }) }
                </ul>
            </Section>
            <SummarySection config={config} />
        </article>
    }
}

/// The shapes every mark is drawn with, defined once for the page.
#[function_component(MarkDefs)]
fn mark_defs() -> Html {
    html! {
        <svg class="rl-defs" aria-hidden="true" focusable="false" width="0" height="0">
            <defs>
                <circle id="rl-allowed" r="5" />
                <circle id="rl-queued" r="5" fill="none" stroke-width="2" />
                <path id="rl-denied" d="M-4.5 -4.5 L4.5 4.5 M-4.5 4.5 L4.5 -4.5" fill="none" stroke-width="2.5" />
                <g id="rl-soft">
                    <circle r="4" />
                    <circle r="7.5" fill="none" stroke-width="1.5" />
                </g>
            </defs>
        </svg>
    }
}

fn pct(x: f64) -> String {
    format!("{:.3}%", x.clamp(0.0, 100.0))
}

/// One row per algorithm: the requests sent in the visible span, window edges, the now line.
fn timeline_view(tl: &Timeline, selected: Option<u64>, nav: &Nav) -> Html {
    let window = tl.config().window_ms.max(1);
    let span = (4 * window).clamp(1000, 600_000);
    let t1 = tl.now().max(span);
    let t0 = t1 - span;
    let x = |at: Millis| pct((at.saturating_sub(t0)) as f64 / span as f64 * 100.0);
    let edges: Vec<Millis> = {
        let first = t0.div_ceil(window) * window;
        let count = (t1 - first) / window + 1;
        if count > 60 {
            Vec::new()
        } else {
            (0..count).map(|k| first + k * window).filter(|&e| e <= t1).collect()
        }
    };
    let ticks: Vec<Millis> = {
        let step = [100, 250, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000, 120_000]
            .into_iter()
            .find(|s| span / s <= 5)
            .unwrap_or(300_000);
        let first = t0.div_ceil(step) * step;
        (0..).map(|k| first + k * step).take_while(|&v| v <= t1).collect()
    };
    let rows = tl.lanes.iter().map(|lane| {
        let events = lane.events_between(t0, t1 + 1);
        let hidden = events.len().saturating_sub(MAX_MARKS);
        let marks = events[hidden..].iter().map(|e| mark(e, &x, t1, selected, nav));
        html! {
            <li class="rl-lane">
                <span class="rl-lane-name">
                    { lane.kind().short_name() }
                    <small>{ lane.config.describe() }</small>
                </span>
                <svg class="rl-strip" role="img" aria-label={lane_summary(lane)}>
                    { for edges.iter().map(|&e| html! { <line class="rl-edge" x1={x(e)} x2={x(e)} y1="0" y2="100%" /> }) }
                    <line class="rl-now" x1={x(tl.now())} x2={x(tl.now())} y1="0" y2="100%" />
                    { for marks }
                </svg>
                if hidden > 0 {
                    <small class="rl-hidden">{ format!("{} in view not drawn", format::plural(hidden as u64, "older request", "older requests")) }</small>
                }
            </li>
        }
    });
    html! {
        <figure class="rl-timeline">
            <figcaption>{ format!("Requests from {} to {}, one row per algorithm", ms(t0), ms(t1)) }</figcaption>
            <ul class="rl-lanes">{ for rows }</ul>
            <div class="rl-axis" aria-hidden="true">
                <span></span>
                <svg class="axis">
                    { for ticks.iter().map(|&v| {
                        let anchor = if v == t0 { "start" } else if v == t1 { "end" } else { "middle" };
                        html! { <text x={x(v)} y="14" text-anchor={anchor}>{ duration(v) }</text> }
                    }) }
                </svg>
            </div>
        </figure>
    }
}

/// A lane's counts in words, for screen readers.
fn lane_summary(lane: &Lane) -> String {
    let s = lane.stats;
    format!(
        "{}: {} allowed, {} queued, {} denied so far",
        lane.kind().name(),
        group_digits(s.allowed.into()),
        group_digits(s.queued.into()),
        group_digits(s.denied.into())
    )
}

/// One request's mark, clickable to inspect it.
fn mark(e: &LaneEvent, x: &impl Fn(Millis) -> String, t1: Millis, selected: Option<u64>, nav: &Nav) -> Html {
    let id = e.request.id;
    let onclick = {
        let nav = nav.clone();
        Callback::from(move |_: MouseEvent| nav.set(REQ_KEY, Some(id.to_string())))
    };
    let cx = x(e.request.at);
    let (shape, class) = match e.decision.verdict {
        Verdict::Allowed if e.decision.over_limit => ("#rl-soft", "outcome-ok"),
        Verdict::Allowed => ("#rl-allowed", "outcome-ok"),
        Verdict::Queued { .. } if e.decision.over_limit => ("#rl-soft", "outcome-wait"),
        Verdict::Queued { .. } => ("#rl-queued", "outcome-wait"),
        Verdict::Denied { .. } => ("#rl-denied", "outcome-deny"),
    };
    let wait_line = match e.decision.verdict {
        Verdict::Queued { delay_ms } => {
            let departs = e.request.at + delay_ms;
            let to = x(departs.min(t1));
            html! {
                <>
                    <line class="rl-wait outcome-wait" x1={cx.clone()} x2={to.clone()} y1="27" y2="27" />
                    if departs <= t1 {
                        <line class="rl-wait outcome-wait" x1={to.clone()} x2={to} y1="23" y2="31" />
                    }
                </>
            }
        }
        _ => html! {},
    };
    html! {
        <g class="rl-mark" {onclick}>
            { wait_line }
            if selected == Some(id) {
                <circle class="rl-selected" cx={cx.clone()} cy="16" r="10" />
            }
            <use href={shape} class={class} x={cx} y="16">
                <title>{ format!("Request #{id} from client {} at {}", e.request.client, ms(e.request.at)) }</title>
            </use>
        </g>
    }
}

/// Live counts per algorithm.
fn counts_table(tl: &Timeline) -> Html {
    let window = tl.config().window_ms;
    html! {
        <div class="table-scroll">
            <table class="rl-counts">
                <caption>{ format!("Live counts at {}", ms(tl.now())) }</caption>
                <thead>
                    <tr>
                        <th scope="col">{ "Algorithm" }</th>
                        <th scope="col" class="num" title="Requests passed to the API at once">{ "Allowed" }</th>
                        <th scope="col" class="num" title="Requests that waited in the leaky bucket's queue, then reached the API">{ "Queued" }</th>
                        <th scope="col" class="num" title="Requests refused with 429 Too Many Requests">{ "Denied" }</th>
                        <th scope="col" class="num" title="Admitted beyond the hard limit by the soft allowance">{ "Over limit" }</th>
                        <th scope="col" class="num" title="Requests that reached the API per second of the run so far (a request in the leaky bucket's queue counts when it leaves)">{ "Effective rate" }</th>
                        <th scope="col" class="num" title="The most requests of one client that reached the API within any span of one window length">
                            { format!("Most in {}", duration(window)) }
                        </th>
                        <th scope="col" class="num" title="Measured: key, state and the room their queues have allocated, for the clients held now, divided by the clients; never above the per-client figure of Step 2, except for a sliding log that also logs rejected requests">{ "Memory per client" }</th>
                    </tr>
                </thead>
                <tbody>
                    { for tl.lanes.iter().enumerate().map(|(i, lane)| {
                        let s = lane.stats;
                        let memory = lane.memory();
                        html! {
                            <tr>
                                <th scope="row" title={lane.kind().name()}>{ lane.kind().short_name() }</th>
                                <td class="num">{ group_digits(s.allowed.into()) }</td>
                                <td class="num">{ group_digits(s.queued.into()) }</td>
                                <td class="num">{ group_digits(s.denied.into()) }</td>
                                <td class="num">{ group_digits(s.over_limit.into()) }</td>
                                <td class="num">{ format!("{}/s", format::significant(tl.effective_rate(i), 3)) }</td>
                                <td class="num">{ group_digits(s.max_in_window.into()) }</td>
                                <td class="num">{ if memory.clients == 0 { "—".to_string() } else { format::bytes(memory.per_client()) } }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}

/// With retrying clients: per algorithm, what the clients honouring Retry-After and the impatient
/// ones sent, and how much of it got through.
fn retry_table(tl: &Timeline) -> Html {
    let Pattern::Retrying { honouring, impatient, .. } = tl.config().pattern else {
        return html! {};
    };
    let kinds = (honouring > 0) as usize + (impatient > 0) as usize;
    let compared = |h: RetryTally, i: RetryTally| {
        impatience((honouring, h), (impatient, i)).map(|(sent, succeeded)| {
            format!(
                "{}× the requests for {}× the successes",
                format::significant(sent, 3),
                format::significant(succeeded, 3)
            )
        })
    };
    let sum = |a: RetryTally, b: RetryTally| RetryTally {
        sent: a.sent.saturating_add(b.sent),
        succeeded: a.succeeded.saturating_add(b.succeeded),
        refused: a.refused.saturating_add(b.refused),
    };
    let (all_h, all_i) = tl
        .lanes
        .iter()
        .map(Lane::retry_tallies)
        .fold((RetryTally::default(), RetryTally::default()), |(h, i), (lh, li)| (sum(h, lh), sum(i, li)));
    let lane_rows = |lane: &Lane| {
        let (h, i) = lane.retry_tallies();
        let lane_compared = compared(h, i).unwrap_or_else(|| "—".to_string());
        let groups =
            [(Param::Honouring, "Honouring", honouring, h), (Param::Impatient, "Impatient", impatient, i)];
        let rows =
            groups.into_iter().filter(|g| g.2 > 0).enumerate().map(|(row, (param, name, clients, t))| {
                let share = t.success_share().map_or_else(|| "—".to_string(), format::percent);
                html! {
                    <tr>
                        if row == 0 {
                            <th scope="rowgroup" rowspan={kinds.to_string()}>{ lane.kind().short_name() }</th>
                        }
                        <td title={param.help()}>{ name }<small>{ format::plural(clients.into(), "client", "clients") }</small></td>
                        <td class="num">{ group_digits(t.sent.into()) }</td>
                        <td class="num">{ group_digits(t.succeeded.into()) }<small>{ share }</small></td>
                        <td class="num">{ group_digits(t.refused.into()) }</td>
                        if row == 0 && kinds == 2 {
                            <td rowspan="2">{ lane_compared.clone() }</td>
                        }
                    </tr>
                }
            });
        html! { <tbody>{ for rows }</tbody> }
    };
    html! {
        <>
        if let Some(line) = compared(all_h, all_i) {
            <p class="rl-impatience">
                { "All algorithms together, an impatient client sent " }<strong>{ line }</strong>
                { " of an honouring one." }
            </p>
        }
        <div class="table-scroll">
            <table class="rl-retry">
                <caption>{ format!("Retrying clients at {}: what each kind sent and what got through", ms(tl.now())) }</caption>
                <thead>
                    <tr>
                        <th scope="col">{ "Algorithm" }</th>
                        <th scope="col" title="Each kind of client, and how many of them">{ "Clients" }</th>
                        <th scope="col" class="num" title="Requests sent, retries included">{ "Sent" }</th>
                        <th scope="col" class="num" title="Requests allowed or queued, and their share of those sent">{ "Succeeded" }</th>
                        <th scope="col" class="num" title="Requests refused with 429 Too Many Requests">{ "Refused" }</th>
                        if kinds == 2 {
                            <th scope="col" title="Per client: what an impatient client sent and got through, as a multiple of what an honouring one did">{ "Impatient against honouring" }</th>
                        }
                    </tr>
                </thead>
                { for tl.lanes.iter().map(lane_rows) }
            </table>
        </div>
        <p class="note">
            { format!("Honouring clients wait as long as Retry-After says before resending a refused request; \
                impatient ones resend it after {}.", ms(IMPATIENT_RETRY_MS)) }
        </p>
        </>
    }
}

/// The response every algorithm gave to the selected request (the latest one by default).
fn inspector(tl: &Timeline, selected: Option<u64>, nav: &Nav) -> Html {
    let latest = tl.lanes.iter().filter_map(|l| l.events.last()).map(|e| e.request.id).max();
    let Some(id) = selected.filter(|id| tl.lanes.iter().any(|l| l.event(*id).is_some())).or(latest) else {
        return html! {
            <section class="rl-inspector" aria-label="Response inspector">
                <h3>{ "Response inspector" }</h3>
                <p class="muted">{ "No request yet: press Play or Next request." }</p>
            </section>
        };
    };
    let closed_loop = tl.config().pattern.is_closed_loop();
    let go = |to: Option<u64>| {
        let nav = nav.clone();
        Callback::from(move |_: MouseEvent| nav.set(REQ_KEY, to.map(|v| v.to_string())))
    };
    let last = latest.unwrap_or(0);
    html! {
        <section class="rl-inspector" aria-label="Response inspector">
            <h3>{ format!("Response inspector: request #{id}") }</h3>
            <div class="sim-controls">
                <button type="button" class="secondary" onclick={go(id.checked_sub(1))} disabled={id == 0}
                    title="Inspect the request before this one">{ "◀ Earlier request" }</button>
                <button type="button" class="secondary" onclick={go(Some(id + 1))} disabled={id >= last}
                    title="Inspect the request after this one">{ "Later request ▶" }</button>
            </div>
            if closed_loop {
                <p class="note">{ "With retrying clients each algorithm's clients react to its own answers, so request #n is a different request in each row." }</p>
            }
            <ul class="rl-responses">
                { for tl.lanes.iter().map(|lane| match lane.event(id) {
                    Some(e) => {
                        let response = e.decision.http();
                        let verdict_class = match e.decision.verdict {
                            Verdict::Allowed => "ok",
                            Verdict::Queued { .. } => "wait",
                            Verdict::Denied { .. } => "deny",
                        };
                        html! {
                            <li class="rl-response">
                                <p class="rl-response-head">
                                    <strong>{ lane.kind().short_name() }</strong>
                                    { format!(" · client {} at {}", e.request.client, ms(e.request.at)) }
                                </p>
                                <pre class={classes!("rl-http", verdict_class)}>{ response.text() }</pre>
                                {
                                    match e.decision.verdict {
                                        Verdict::Queued { delay_ms } => html! {
                                            <p class="note">{ format!("Waited {} in the queue; reached the API at {}.", ms(delay_ms), ms(e.request.at + delay_ms)) }</p>
                                        },
                                        Verdict::Denied { retry_after_ms } => html! {
                                            <p class="note">{ format!("A retry succeeds after {} (Retry-After rounds up to whole seconds).", ms(retry_after_ms)) }</p>
                                        },
                                        Verdict::Allowed if e.decision.over_limit => html! {
                                            <p class="note">{ "Over the hard limit, admitted by the soft allowance." }</p>
                                        },
                                        Verdict::Allowed => html! {},
                                    }
                                }
                            </li>
                        }
                    }
                    None => html! {
                        <li class="rl-response">
                            <p class="rl-response-head"><strong>{ lane.kind().short_name() }</strong></p>
                            <p class="muted">{ "Not sent yet in this row." }</p>
                        </li>
                    },
                }) }
            </ul>
        </section>
    }
}

/// The knobs: every parameter of the run, with core's message under a bad one.
fn knobs(
    form: &TimelineForm,
    errors: &[(Param, String)],
    config: Option<&TimelineConfig>,
    nav: &Nav,
) -> Html {
    let error_of = |p: Param| errors.iter().find(|(q, _)| *q == p).map(|(_, m)| AttrValue::from(m.clone()));
    let set = |p: Param| {
        let nav = nav.clone();
        let form = form.clone();
        Callback::from(move |text: String| {
            let mut next = form.clone();
            next.set(p, &text);
            nav.set_form(&next);
        })
    };
    let traffic = form.get(Param::Traffic).to_string();
    let relevant = Param::traffic_fields(&traffic);
    // What an empty bucket or queue field stands for: the limit, and the limit per window.
    let followed = |p: Param| -> Option<AttrValue> {
        config?
            .configs
            .iter()
            .find_map(|c| match (p, c) {
                (Param::BucketSize, Config::TokenBucket(b)) => Some(format!("{} (the limit)", b.size)),
                (Param::Refill, Config::TokenBucket(b)) => {
                    Some(format!("{} (the limit per window)", b.refill))
                }
                (Param::QueueSize, Config::LeakyBucket(b)) => Some(format!("{} (the limit)", b.queue)),
                (Param::Outflow, Config::LeakyBucket(b)) => {
                    Some(format!("{} (the limit per window)", b.outflow))
                }
                _ => None,
            })
            .map(AttrValue::from)
    };
    let text_field = |p: Param| {
        html! {
            <TextField
                id={format!("rl-{}", p.key())}
                label={p.label()}
                help={p.help()}
                value={form.get(p).to_string()}
                error={error_of(p)}
                placeholder={followed(p)}
                inputmode={if matches!(p, Param::Window | Param::SubWindow | Param::Refill | Param::Outflow | Param::Every | Param::Duration) { "text" } else { "numeric" }}
                oninput={set(p)}
            />
        }
    };
    let on_traffic = {
        let set = set(Param::Traffic);
        Callback::from(move |e: Event| set.emit(e.target_unchecked_into::<HtmlSelectElement>().value()))
    };
    let on_log_rejected = {
        let set = set(Param::LogRejected);
        Callback::from(move |e: Event| {
            let checked = e.target_unchecked_into::<HtmlInputElement>().checked();
            set.emit(if checked { "yes" } else { "no" }.to_string());
        })
    };
    let on_seed = {
        let set = set(Param::Seed);
        Callback::from(move |seed: u64| set.emit(seed.to_string()))
    };
    let seed: u64 = form.get(Param::Seed).trim().parse().unwrap_or(1);
    let log_rejected = matches!(form.get(Param::LogRejected).trim(), "yes" | "1" | "true" | "on");
    html! {
        <form class="fields rl-knobs" aria-label="Parameters" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
            <fieldset>
                <legend>{ "Limits" }</legend>
                { text_field(Param::Limit) }
                { text_field(Param::Window) }
                { text_field(Param::SubWindow) }
                { text_field(Param::BucketSize) }
                { text_field(Param::Refill) }
                { text_field(Param::QueueSize) }
                { text_field(Param::Outflow) }
                { text_field(Param::Soft) }
                <label class="switch" title={Param::LogRejected.help()}>
                    <input type="checkbox" checked={log_rejected} onchange={on_log_rejected} />
                    { format!(" {} (sliding log)", Param::LogRejected.label()) }
                </label>
            </fieldset>
            <fieldset>
                <legend>{ "Traffic" }</legend>
                <div class="field">
                    <label for="rl-traffic" title={Param::Traffic.help()}>{ Param::Traffic.label() }</label>
                    <select id="rl-traffic" onchange={on_traffic} title={Param::Traffic.help()}>
                        { for TRAFFIC_KINDS.iter().map(|(key, label)| html! {
                            <option value={*key} selected={traffic == *key}>{ *label }</option>
                        }) }
                    </select>
                    if let Some(e) = error_of(Param::Traffic) {
                        <p class="field-error" role="alert"><span aria-hidden="true">{ "✕ " }</span>{ e }</p>
                    }
                </div>
                { for relevant.iter().map(|&p| text_field(p)) }
                { text_field(Param::Duration) }
                <SeedField seed={seed} onchange={on_seed} />
                if let Some(e) = error_of(Param::Seed) {
                    <p class="field-error" role="alert"><span aria-hidden="true">{ "✕ " }</span>{ e }</p>
                }
            </fieldset>
        </form>
    }
}

/// What each algorithm keeps for one client, now.
fn state_views(tl: &Timeline, client: u64, nav: &Nav) -> Html {
    let clients = tl.clients().max(1);
    let client = client.min(clients - 1);
    let on_client = {
        let nav = nav.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            nav.set(CLIENT_KEY, Some(value).filter(|v| v != "0"));
        })
    };
    let now = tl.now();
    html! {
        <section class="rl-state" aria-label="Algorithm state">
            <h3>{ format!("What each algorithm keeps for client {client} at {}", ms(now)) }</h3>
            if clients > 1 {
                <label class="inline-field" title="The client whose state is shown (each client is limited separately)">
                    { "Client " }
                    <select onchange={on_client} title="The client whose state is shown (each client is limited separately)">
                        { for (0..clients.min(100)).map(|c| html! {
                            <option value={c.to_string()} selected={c == client}>{ c.to_string() }</option>
                        }) }
                    </select>
                </label>
            }
            <ul class="rl-state-list">
                { for tl.lanes.iter().map(|lane| html! {
                    <li class="rl-state-item">
                        <h4>{ lane.kind().name() }</h4>
                        { state_view(&lane.view(client, now), &lane.config, now) }
                    </li>
                }) }
            </ul>
        </section>
    }
}

fn state_view(view: &StateView, config: &Config, now: Millis) -> Html {
    match view {
        StateView::Fresh => {
            let why = match config.kind() {
                Kind::TokenBucket => "The bucket is full: a full bucket is the same as no entry at all.",
                Kind::LeakyBucket => "The queue is empty and the outflow idle.",
                Kind::FixedWindow => {
                    "No counter for the current window: the last one went stale when its window ended."
                }
                Kind::SlidingLog => "Every logged timestamp has left the window.",
                Kind::SubWindowCounter => "Every sub-window counter has left the window.",
                Kind::TwoWindowCounter => "Neither the previous nor the current window counted anything.",
            };
            html! { <p class="muted">{ format!("Nothing stored. {why} (A sweep drops such entries.)") }</p> }
        }
        StateView::TokenBucket { tokens, size, last_ms } => {
            let share = (tokens.max(0.0) / (*size).max(1) as f64 * 100.0).min(100.0);
            html! {
                <>
                    <p class="rl-figure">{ format!("{} of {}", format::significant(*tokens, 3), format::plural((*size).into(), "token", "tokens")) }</p>
                    <svg class="rl-gauge" aria-hidden="true">
                        <rect class="rl-gauge-track" x="0" y="0" width="100%" height="100%" rx="3" />
                        <rect class="rl-gauge-fill" x="0" y="0" width={pct(share)} height="100%" rx="3" />
                    </svg>
                    <p class="note">{ format!("Refilled lazily from the time since the last request ({}); stored as {{tokens, ts}}.", ms(*last_ms)) }</p>
                </>
            }
        }
        StateView::LeakyBucket { waiting, next_slot_ms } => html! {
            <>
                <p class="rl-figure">{ format!("{} waiting in the queue", waiting.len()) }</p>
                if !waiting.is_empty() {
                    <ol class="rl-chips">
                        { for waiting.iter().take(24).map(|d| html! { <li class="mono">{ format!("leaves {}", ms(*d)) }</li> }) }
                    </ol>
                }
                <p class="note">{ format!("The outflow sends the next request at {} ms.", format::significant(*next_slot_ms, 6)) }</p>
            </>
        },
        StateView::FixedWindow { window_start_ms, count } => {
            let window = match config {
                Config::FixedWindow(f) => f.window_ms,
                _ => 0,
            };
            html! {
                <>
                    <p class="rl-figure">{ format!("{count} in the current window") }</p>
                    <p class="note mono">{ format!("key user_{{client}}_{}: {count} (window {} – {})", window_start_ms, ms(*window_start_ms), ms(window_start_ms + window)) }</p>
                </>
            }
        }
        StateView::SlidingLog { entries } => html! {
            <>
                <p class="rl-figure">{ format!("{} in the log", format::plural(entries.len() as u64, "timestamp", "timestamps")) }</p>
                <p class="note">{ "Newest first:" }</p>
                <ol class="rl-chips">
                    { for entries.iter().rev().take(24).map(|e| html! { <li class="mono">{ ms(*e) }</li> }) }
                </ol>
                if entries.len() > 24 {
                    <p class="note">{ format!("… and {} older ones.", entries.len() - 24) }</p>
                }
            </>
        },
        StateView::SubWindows { counters, total } => {
            let (window, sub) = match config {
                Config::SubWindowCounter(s) => (s.window_ms, s.sub_window_ms.max(1)),
                _ => (1, 1),
            };
            let start = (now / sub + 1).saturating_mul(sub).saturating_sub(window);
            let slots = (window / sub).clamp(1, 120);
            let biggest = counters.iter().map(|c| c.1).max().unwrap_or(1).max(1);
            html! {
                <>
                    <p class="rl-figure">{ format!("{total} in the last {}", duration(window)) }</p>
                    <svg class="rl-subs" role="img" aria-label={format!("{} holding {}", format::plural(counters.len() as u64, "non-empty sub-window", "non-empty sub-windows"), format::plural((*total).into(), "request", "requests"))}>
                        { for counters.iter().map(|&(at, count)| {
                            let i = at.saturating_sub(start) / sub;
                            let w = 100.0 / slots as f64;
                            let h = count as f64 / biggest as f64 * 100.0;
                            html! { <rect class="rl-sub" x={pct(i as f64 * w)} width={pct(w * 0.8)} y={pct(100.0 - h)} height={pct(h)} /> }
                        }) }
                    </svg>
                    <p class="note">{ format!("{} of {} each (sub-window start: count), summed over the window.", format::plural(counters.len() as u64, "counter", "counters"), duration(sub)) }</p>
                </>
            }
        }
        StateView::TwoWindows { window_start_ms, previous, current, weight, estimate } => html! {
            <>
                <p class="rl-figure">{ format!("estimate {}", format::significant(*estimate, 3)) }</p>
                <p class="formula">{ format!("{previous} × {} + {current} = {}", format::significant(*weight, 3), format::significant(*estimate, 3)) }</p>
                <p class="note">{ format!("Previous window's count weighted by the share of it still inside the sliding window, plus the current window's (since {}).", ms(*window_start_ms)) }</p>
            </>
        },
    }
}

/// The experiment's rows as a small table under its card.
fn finding_rows(f: &Finding) -> Html {
    html! {
        <table class="rl-finding">
            <tbody>
                { for f.rows.iter().map(|r| html! {
                    <tr>
                        <th scope="row">{ r.label.clone() }</th>
                        <td>{ r.shown.clone() }<small>{ r.note.clone() }</small></td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

#[derive(Properties, PartialEq)]
struct ConfigProps {
    config: Option<TimelineConfig>,
}

/// The back-of-the-envelope numbers: load on the API and memory for a million clients.
#[function_component(EstimateSection)]
fn estimate_section(props: &ConfigProps) -> Html {
    let configs = props.config.as_ref().map_or_else(|| default_configs(1000, 5), |c| c.configs.clone());
    let window = props.config.as_ref().map_or(1000, |c| c.window_ms);
    let limit = match configs.iter().find(|c| c.kind() == Kind::FixedWindow) {
        Some(Config::FixedWindow(f)) => f.limit,
        _ => 5,
    };
    let clients = 1_000_000f64;
    let per_second = limit as f64 * 1000.0 / window as f64;
    let per_day = per_second * 86_400.0;
    let href = format!("#/estimate?dau=1%2C000%2C000&rpu={}&rw=10%3A1", per_day.round());
    html! {
        <Section id="estimate" step="Step 2 · Estimate" title="A million clients">
            <p class="big-figure">
                <span class="figure">{ format::count((clients * per_second).round()) }</span>
                { " requests per second at most reach the API" }
            </p>
            <p class="formula">{ format!("1,000,000 clients × {} ÷ {} = {} requests/s", format::plural(limit.into(), "request", "requests"), duration(window), format::count((clients * per_second).round())) }</p>
            <p>
                { "If every client used its whole allowance, the API behind the limiter would see that many requests \
                   a second; a limiter caps the worst case, not the average. Each client may make up to " }
                { format::count(per_day.round()) }
                { " requests a day: " }
                <a href={href}>{ "open the estimation page with these numbers" }</a>
                { "." }
            </p>
            <table class="rl-memory">
                <caption>{ "Memory for a million clients, each holding as much as its state can" }</caption>
                <thead><tr><th scope="col">{ "Algorithm" }</th><th scope="col" class="num">{ "Per client" }</th><th scope="col" class="num">{ "1 million clients" }</th></tr></thead>
                <tbody>
                    { for configs.iter().map(|c| {
                        let b = c.worst_case_bytes_per_client() as f64;
                        html! {
                            <tr>
                                <th scope="row">{ c.kind().name() }</th>
                                <td class="num">{ format::bytes(b) }</td>
                                <td class="num">{ format::bytes(b * clients) }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            <p class="note">
                { "Per client: the 8-byte key, the state struct (padding included) and the room its queue has \
                   allocated once it held every entry the state can hold (8 bytes per queued request or logged \
                   timestamp, 16 per sub-window counter; a queue grows to 4 entries, then doubles, so its room is up \
                   to twice the entries). The live counts' memory column measures the same things for the clients \
                   held now, so it never exceeds this figure (a sliding log that also logs rejected requests has no \
                   bound but the traffic; its figure here counts the admitted ones). The map's own bookkeeping, which depends on the store \
                   (a hash index here, Redis elsewhere), is left out. The sizes are this build's: in the browser \
                   (wasm32) a pointer takes 4 bytes, so a queue's or a log's header is half its size in a 64-bit \
                   server." }
            </p>
        </Section>
    }
}

#[derive(Properties, PartialEq)]
struct DistributedProps {
    form: DistributedForm,
    nav: Nav,
}

/// Gateways in front of one API: counting alone, racing on a shared counter, sharing it atomically.
#[function_component(DistributedSection)]
fn distributed_section(props: &DistributedProps) -> Html {
    let form = &props.form;
    let parsed = form.parse();
    let errors = parsed.as_ref().err().cloned().unwrap_or_default();
    let field = |p: DistParam| {
        let nav = props.nav.clone();
        let current = form.clone();
        let oninput = Callback::from(move |text: String| {
            let mut next = current.clone();
            next.set(p, &text);
            nav.set_dist_form(&next);
        });
        html! {
            <TextField
                id={format!("rl-{}", p.key())}
                label={p.label()}
                help={p.help()}
                value={form.get(p).to_string()}
                error={errors.iter().find(|(q, _)| *q == p).map(|(_, m)| AttrValue::from(m.clone()))}
                inputmode="numeric"
                {oninput}
            />
        }
    };
    let results = parsed.as_ref().ok().and_then(|c| distributed::run_all(c).ok().map(|r| (*c, r)));
    html! {
        <Section id="distributed" step="Step 4 · Deep dive" title="Several limiters, one limit" wide=true>
            <p>
                { "The notes' two issues in a cluster: without synchronization each gateway enforces the limit on \
                   its own share of the traffic, and with one shared counter a read-then-write lets two gateways \
                   read the same count and both admit. Each window the client sends its requests through a load \
                   balancer to random gateways; a seeded scheduler interleaves the gateways' cache operations." }
            </p>
            <div class="rl-dist">
                <form class="fields" aria-label="Distributed parameters" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                    { for DistParam::ALL.iter().map(|&p| field(p)) }
                </form>
                if let Some((config, results)) = results {
                    <ul class="rl-setups">
                        { for results.iter().map(|r| setup_card(&config, r)) }
                    </ul>
                } else {
                    <p class="run-error" role="alert"><span aria-hidden="true">{ "✕ " }</span>{ "Fix the fields marked to run the gateways." }</p>
                }
            </div>
        </Section>
    }
}

fn setup_card(config: &distributed::DistributedConfig, r: &SetupResult) -> Html {
    let shown: Vec<u32> = r.per_window.iter().take(40).copied().collect();
    let top = shown.iter().copied().max().unwrap_or(1).max(config.limit).max(1) as f64 * 1.15;
    let bar_w = 100.0 / shown.len().max(1) as f64;
    let limit_y = pct(100.0 - config.limit as f64 / top * 100.0);
    let verdict = if r.over_admitted == 0 { "outcome-ok" } else { "outcome-deny" };
    html! {
        <li class="rl-setup">
            <h3>{ r.setup.name() }</h3>
            <p class="note">{ r.setup.description() }</p>
            <p class="rl-over-line">
                <span class={classes!("rl-over", verdict)}>
                    <span aria-hidden="true">{ if r.over_admitted == 0 { "● " } else { "✕ " } }</span>
                    { format!("+{}", group_digits(r.over_admitted.into())) }
                </span>
                { " over the limit" }
            </p>
            <p>{ format!("{} of {} admitted; the limit allows {}. Worst window: {}.",
                group_digits(r.admitted.into()), format::plural(r.requests, "request", "requests"), group_digits(r.allowed.into()), r.worst_window) }</p>
            if r.setup == Setup::SharedRacy {
                <p>{ format!("{} lost to the race.", format::plural(r.lost_updates, "increment", "increments")) }</p>
            }
            <svg class="rl-windows" role="img" aria-label={format!("Admitted per window for the first {}, against the limit of {}", format::plural(shown.len() as u64, "window", "windows"), config.limit)}>
                { for shown.iter().enumerate().map(|(i, &n)| {
                    let within = n.min(config.limit) as f64 / top * 100.0;
                    let total = n as f64 / top * 100.0;
                    let (bx, bw) = (pct(i as f64 * bar_w), pct(bar_w * 0.8));
                    html! {
                        <>
                            <rect class="rl-bar" x={bx.clone()} width={bw.clone()} y={pct(100.0 - within)} height={pct(within)} />
                            if n > config.limit {
                                <rect class="rl-bar over" x={bx} width={bw} y={pct(100.0 - total)} height={pct(total - within)} />
                            }
                        </>
                    }
                }) }
                <line class="rl-limit" x1="0" x2="100%" y1={limit_y.clone()} y2={limit_y} />
            </svg>
            <p class="axis-label">{ "Admitted per window, first windows (dashed: the limit; red: beyond it)" }</p>
            <details class="rl-ops">
                <summary>{ "The first window's operations" }</summary>
                <ol>
                    { for r.first_window.iter().take(60).map(|op| html! {
                        <li>{ format!("gateway {} · request {} · {}", op.gateway + 1, op.request + 1, op_text(&op.kind)) }</li>
                    }) }
                </ol>
            </details>
        </li>
    }
}

fn op_text(kind: &OpKind) -> String {
    match *kind {
        OpKind::Local { count, admitted } => {
            format!("own count {count}: {}", if admitted { "admitted" } else { "refused" })
        }
        OpKind::Read { value } => format!("GET count → {value}"),
        OpKind::Write { value, lost } => {
            format!(
                "SET count = {value}: admitted{}",
                if lost { " (overwrote another gateway's increment)" } else { "" }
            )
        }
        OpKind::Refuse { value } => format!("GET count → {value}: at the limit, refused"),
        OpKind::CheckAndIncrement { before, admitted } => format!(
            "check-and-increment {before} → {}: {}",
            before + admitted as u32,
            if admitted { "admitted" } else { "refused" }
        ),
    }
}

/// The trade-offs in a short table, with the memory model's figures.
#[function_component(SummarySection)]
fn summary_section(props: &ConfigProps) -> Html {
    let configs = props.config.as_ref().map_or_else(|| default_configs(1000, 5), |c| c.configs.clone());
    let bytes = |k: Kind| {
        configs
            .iter()
            .find(|c| c.kind() == k)
            .map_or_else(String::new, |c| format::bytes(c.worst_case_bytes_per_client() as f64))
    };
    let rows = [
        (
            Kind::TokenBucket,
            "Allows a burst of the bucket size, then the refill rate; lazy refill per request.",
            "Bursty traffic that should average out",
        ),
        (
            Kind::LeakyBucket,
            "Smooths every burst into an even outflow; admitted requests wait instead of failing.",
            "A backend that needs a steady rate",
        ),
        (
            Kind::FixedWindow,
            "Cheapest and atomic with INCR, but lets up to twice the limit through at a window edge.",
            "Coarse quotas where edges do not matter",
        ),
        (
            Kind::SlidingLog,
            "Exact in every window span; one entry per request. Logging refusals starves busy clients.",
            "Low limits that must be exact",
        ),
        (
            Kind::SubWindowCounter,
            "Close to the log with one counter per sub-window; forgets part of the oldest sub-window.",
            "Large limits with bounded memory (Figma)",
        ),
        (
            Kind::TwoWindowCounter,
            "Two counters per client; the estimate is off by a few percent near the limit.",
            "Huge numbers of clients (Cloudflare)",
        ),
    ];
    html! {
        <Section id="summary" step="Step 5 · Summarize" title="Summary">
            <p>
                { "The same stream makes the differences plain: the fixed window's edge lets a burst through twice, the \
                   sliding log and counters do not, the token bucket trades a burst for a long-run rate, and the \
                   leaky bucket turns refusals into waiting. Across gateways, only an atomic shared counter holds \
                   the limit." }
            </p>
            <div class="table-scroll">
                <table class="summary">
                    <thead><tr><th scope="col">{ "Algorithm" }</th><th scope="col">{ "Behaviour" }</th><th scope="col">{ "Memory per client" }</th><th scope="col">{ "Good for" }</th></tr></thead>
                    <tbody>
                        { for rows.iter().map(|(k, behaviour, good)| html! {
                            <tr><th scope="row">{ k.name() }</th><td>{ *behaviour }</td><td class="num">{ bytes(*k) }</td><td>{ *good }</td></tr>
                        }) }
                    </tbody>
                </table>
            </div>
        </Section>
    }
}
