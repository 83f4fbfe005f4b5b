//! The unique-ID page (the notes' "Distributed Unique ID"): the five schemes running side by side
//! on simulated servers with a client workload, every ID streaming into a table, a bit-field
//! inspector, fault buttons, a comparison table measured from the run, the birthday-bound
//! calculator and the claims run as experiments. Everything is computed by
//! `playground_core::ids`; the configuration, the faults, the run's time and the inspected ID all
//! live in the URL query, so a view is a link.

use crate::app::Route;
use crate::url_state::{Query, use_query_state};
use crate::widgets::copy_link::CopyLink;
use crate::widgets::experiment::ExperimentCard;
use crate::widgets::field::TextField;
use crate::widgets::page::{PageTitle, Section};
use crate::widgets::seed::SeedField;
use gloo::events::{EventListener, EventListenerOptions};
use gloo::timers::callback::Interval;
use playground_core::format::{self, group_digits};
use playground_core::ids::experiments::CLAIMS;
use playground_core::ids::layout::{Layout, PartKind};
use playground_core::ids::multi_master::AddPolicy;
use playground_core::ids::run::{
    Fault, FaultKind, IssuedId, Run, RunConfig, RunReport, Scheme, SchemeReport, SnowflakePreset,
};
use playground_core::ids::snowflake::ClockPolicy;
use playground_core::ids::ticket_server::TicketWidth;
use playground_core::ids::utc::UtcTime;
use playground_core::ids::uuid::{self as core_uuid, Birthday};
use playground_core::ids::{self};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// Query keys of the page's own state (the run's configuration has its keys in core).
const T_KEY: &str = "t";
const ID_KEY: &str = "id";
const AS_KEY: &str = "as";
const SHOW_KEY: &str = "show";
const RATE_KEY: &str = "brate";
const PERCENT_KEY: &str = "bp";
const BITS_KEY: &str = "bbits";

/// The ID the inspector shows first: the notes' example.
const NOTES_EXAMPLE: &str = "1541815603606036480";
/// Rows of the streaming table.
const STREAM_ROWS: usize = 12;
/// Milliseconds of run time per tick while playing, and the tick.
const SPEEDS: [u64; 4] = [1, 5, 20, 100];
const TICK_MS: u32 = 100;

/// How the inspector reads an ID.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Decoder {
    Twitter,
    Discord,
    Instagram,
    Uuid,
    Counter,
}

impl Decoder {
    const ALL: [Decoder; 5] =
        [Decoder::Twitter, Decoder::Discord, Decoder::Instagram, Decoder::Uuid, Decoder::Counter];

    fn key(self) -> &'static str {
        match self {
            Decoder::Twitter => "twitter",
            Decoder::Discord => "discord",
            Decoder::Instagram => "instagram",
            Decoder::Uuid => "uuid",
            Decoder::Counter => "counter",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Decoder::Twitter => "Twitter snowflake",
            Decoder::Discord => "Discord snowflake",
            Decoder::Instagram => "Instagram",
            Decoder::Uuid => "UUID",
            Decoder::Counter => "Counter (multi-master, ticket server)",
        }
    }

    fn from_key(key: &str) -> Decoder {
        Decoder::ALL.into_iter().find(|d| d.key() == key).unwrap_or(Decoder::Twitter)
    }

    fn layout(self) -> Option<Layout> {
        match self {
            Decoder::Twitter => Some(Layout::twitter()),
            Decoder::Discord => Some(Layout::discord()),
            Decoder::Instagram => Some(Layout::instagram()),
            _ => None,
        }
    }

    /// The decoder for an ID of this run.
    fn for_issued(issued: &IssuedId, preset: SnowflakePreset) -> Decoder {
        match issued.scheme {
            Scheme::Snowflake if preset == SnowflakePreset::Discord => Decoder::Discord,
            Scheme::Snowflake => Decoder::Twitter,
            Scheme::Instagram => Decoder::Instagram,
            Scheme::UuidV4 | Scheme::UuidV7 => Decoder::Uuid,
            Scheme::MultiMaster | Scheme::TicketServer => Decoder::Counter,
        }
    }
}

/// Reads and writes the URL query from any callback, including the timer's and the keyboard's,
/// which outlive the render that made them.
#[derive(Clone)]
struct Nav {
    latest: Rc<RefCell<Query>>,
    set_query: Callback<Query>,
}

impl Nav {
    fn update(&self, change: impl FnOnce(&mut Query)) {
        let mut query = self.latest.borrow().clone();
        change(&mut query);
        *self.latest.borrow_mut() = query.clone();
        self.set_query.emit(query);
    }

    fn t(&self) -> u64 {
        self.latest.borrow().get(T_KEY).and_then(|v| v.parse().ok()).unwrap_or(0)
    }

    fn set_t(&self, t: u64) {
        self.update(|q| {
            if t == 0 {
                q.remove(T_KEY);
            } else {
                q.insert(T_KEY.to_string(), t.to_string());
            }
        });
    }

    /// Replaces the run's configuration keys, keeping the page's own keys.
    fn set_config(&self, config: &RunConfig) {
        self.update(|q| {
            q.retain(|k, _| PAGE_KEYS.contains(&k.as_str()));
            for (k, v) in config.to_query() {
                q.insert(k.to_string(), v);
            }
        });
    }
}

const PAGE_KEYS: [&str; 7] = [T_KEY, ID_KEY, AS_KEY, SHOW_KEY, RATE_KEY, PERCENT_KEY, BITS_KEY];

/// Brings the cached run to this configuration and time: replays from the start when the
/// configuration changed (or time went back), or just adds the new faults and steps on.
fn sync_run(cache: &mut Option<Run>, config: &RunConfig, t: u64) -> Result<(), String> {
    let without_faults = |c: &RunConfig| RunConfig { faults: Vec::new(), ..c.clone() };
    let reusable = cache.as_ref().is_some_and(|run| {
        let old = run.config();
        run.elapsed_ms() <= t
            && without_faults(old) == without_faults(config)
            && config.faults.starts_with(&old.faults)
            && config.faults[old.faults.len()..].iter().all(|f| f.at_ms >= run.elapsed_ms())
    });
    if !reusable {
        *cache = None;
        *cache = Some(Run::new(config.clone())?);
    }
    let Some(run) = cache.as_mut() else { return Err("The run could not start.".to_string()) };
    let known = run.config().faults.len();
    for fault in &config.faults[known..] {
        run.add_fault(*fault)?;
    }
    run.run_to(t);
    Ok(())
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

#[function_component(IdsPage)]
pub fn ids_page() -> Html {
    let (query, set_query) = use_query_state(Route::Ids);
    let latest = use_mut_ref(Query::new);
    *latest.borrow_mut() = query.clone();
    let nav = Nav { latest: latest.clone(), set_query };
    let get = |key: &str| query.get(key).cloned();

    let (config, url_errors) = RunConfig::from_query(query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let t: u64 = get(T_KEY).and_then(|v| v.parse().ok()).unwrap_or(0).min(config.duration_ms);
    let cache = use_mut_ref(|| None::<Run>);
    let synced = sync_run(&mut cache.borrow_mut(), &config, t);
    let control = use_reducer(|| Control { playing: false, speed: SPEEDS[1] });

    // The play timer: advances the run's time in the URL every tick.
    {
        let nav = nav.clone();
        let control_handle = control.clone();
        let duration = config.duration_ms;
        let ok = synced.is_ok();
        use_effect_with(
            (control.playing, control.speed, duration, ok),
            move |&(playing, speed, duration, ok)| {
                let interval = (playing && ok).then(|| {
                    Interval::new(TICK_MS, move || {
                        let next = (nav.t() + speed).min(duration);
                        nav.set_t(next);
                        if next >= duration {
                            control_handle.dispatch(ControlAction::Stop);
                        }
                    })
                });
                move || drop(interval)
            },
        );
    }

    // Keyboard: Space play/pause, → step, ← step back, R reset (not while typing in a field).
    {
        let nav = nav.clone();
        let control = control.clone();
        let duration = config.duration_ms;
        use_effect_with(duration, move |&duration| {
            let listener = web_sys::window().and_then(|w| w.document()).map(|document| {
                EventListener::new_with_options(
                    &document,
                    "keydown",
                    EventListenerOptions::enable_prevent_default(),
                    move |event| {
                        let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else { return };
                        let tag = event
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                            .map(|el| el.tag_name())
                            .unwrap_or_default();
                        let typing = matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA");
                        // Space on a focused button or summary already clicks it.
                        let space_clicks = event.key() == " " && matches!(tag.as_str(), "BUTTON" | "SUMMARY");
                        if typing || space_clicks || event.ctrl_key() || event.meta_key() || event.alt_key() {
                            return;
                        }
                        match event.key().as_str() {
                            " " => control.dispatch(ControlAction::Toggle),
                            "ArrowRight" => nav.set_t((nav.t() + 1).min(duration)),
                            "ArrowLeft" => nav.set_t(nav.t().saturating_sub(1)),
                            "r" | "R" => {
                                control.dispatch(ControlAction::Stop);
                                nav.set_t(0);
                            }
                            _ => return,
                        }
                        event.prevent_default();
                    },
                )
            });
            move || drop(listener)
        });
    }

    // The checker sorts everything issued: recompute the report only when the run changed, not
    // on every keystroke in the inspector or the calculator.
    let report = {
        let cache = cache.clone();
        use_memo((config.clone(), t, synced.is_ok()), move |&(_, _, ok)| {
            cache.borrow().as_ref().filter(|_| ok).map(|run| ReportProp(Rc::new(run.report())))
        })
    };
    let run_ref = cache.borrow();
    let run = run_ref.as_ref().filter(|_| synced.is_ok());
    let snapshot = run.map(RunProp::of);

    let error_of = |key: &str| -> Option<AttrValue> {
        url_errors.iter().find(|(k, _)| *k == key).map(|(_, m)| AttrValue::from(m.clone()))
    };

    html! {
        <article class="page ids">
            <PageTitle
                title="Distributed unique IDs"
                promise="Run the five ways to hand out IDs that never repeat, take any ID apart bit by bit, and break the clocks and servers behind them."
            />
            <Section id="problem" step="Step 1 · Understand the problem" title="The problem">
                <p>
                    { "Many servers create rows, messages and posts at the same time, and each needs an ID that no other \
                       server ever hands out, without a round trip to one central counter for every insert. The usual \
                       wish list: unique, numeric and 64 bits wide, sortable by creation time, and over 10,000 IDs a \
                       second. The notes list five answers: multi-master auto_increment, UUIDs, a ticket server, \
                       Twitter's snowflake and Instagram's snowflake-like IDs." }
                </p>
            </Section>
            <EstimateSection />
            <Section id="run" step="Step 3 · The design, running" title="Six generators, one workload" wide=true>
                <p>
                    { "Every scheme gets the same requests: the client sends the given number each millisecond to each \
                       scheme, round-robin over the servers. Server i runs snowflake worker i, Instagram shard i and two \
                       UUID generators, all reading server i's clock; the multi-master databases and the ticket servers \
                       hand out counters and read no clock. Time is virtual, in whole milliseconds." }
                </p>
                <div class="ids-run">
                    <ConfigPanel config={config.clone()} nav={NavProp(nav.clone())} url_errors={url_errors.clone()} />
                    <div class="ids-stage">
                        <RunControls
                            t={t}
                            duration={config.duration_ms}
                            playing={control.playing}
                            speed={control.speed}
                            nav={NavProp(nav.clone())}
                            toggle={{ let c = control.clone(); Callback::from(move |_| c.dispatch(ControlAction::Toggle)) }}
                            set_speed={{ let c = control.clone(); Callback::from(move |s| c.dispatch(ControlAction::Speed(s))) }}
                        />
                        if let Some(snapshot) = snapshot {
                            <FaultPanel config={config.clone()} t={t} nav={NavProp(nav.clone())} />
                            <ServersTable run={snapshot.clone()} />
                            <StreamTable run={snapshot.clone()} show={get(SHOW_KEY)} nav={NavProp(nav.clone())} />
                            <EventLog run={snapshot} />
                        } else {
                            <p class="run-error" role="alert">
                                <span aria-hidden="true">{ "✕ " }</span>
                                { synced.as_ref().err().cloned().unwrap_or_else(|| "The run could not start.".to_string()) }
                            </p>
                        }
                    </div>
                </div>
                <CopyLink />
            </Section>
            <Section id="compare" step="Step 4 · Deep dive" title="What the run measured" wide=true>
                if let Some(report) = &*report {
                    <ComparisonTable report={report.clone()} />
                }
                <p class="note">
                    { "Out of order: IDs smaller than one issued before them. Time disorder: the longest time between an ID \
                       and a later-issued ID with a smaller value, so sorting by ID sorts by time to within it. Coordination \
                       and sortability are properties of the design; every other column is counted in this run." }
                </p>
            </Section>
            <Section id="inspector" title="Inspect any ID" wide=true>
                <Inspector
                    text={get(ID_KEY).unwrap_or_else(|| NOTES_EXAMPLE.to_string())}
                    decoder={get(AS_KEY).map_or(Decoder::Twitter, |k| Decoder::from_key(&k))}
                    nav={NavProp(nav.clone())}
                />
            </Section>
            <Section id="birthday" title="How unlikely is a repeated UUID?">
                <BirthdayCalculator
                    rate={get(RATE_KEY).unwrap_or_else(|| "1,000,000,000".to_string())}
                    percent={get(PERCENT_KEY).unwrap_or_else(|| "50".to_string())}
                    bits={get(BITS_KEY).unwrap_or_else(|| "122".to_string())}
                    nav={NavProp(nav.clone())}
                />
            </Section>
            <Section id="experiments" step="Experiments" title="Claims, run live">
                <ul class="experiments">
                    { for CLAIMS.iter().map(|c| {
                        let run = c.run;
                        html! { <ExperimentCard claim={c.claim} source={c.source} run={Callback::from(move |_| run())} /> }
                    }) }
                </ul>
            </Section>
            <Section id="summary" step="Step 5 · Summarize" title="Summary">
                <SummaryTable />
                if error_of("seed").is_some() {
                    <p class="note">{ "The seed in the link was not a number; the default seed is used." }</p>
                }
            </Section>
        </article>
    }
}

/// `Nav` as a property (callbacks compare by identity, so it never forces a re-render by itself).
#[derive(Clone)]
struct NavProp(Nav);

impl PartialEq for NavProp {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0.latest, &other.0.latest)
    }
}

/// A snapshot of the run for the widgets below: what they show, copied out of the cache.
#[derive(Clone, PartialEq)]
struct RunProp {
    elapsed_ms: u64,
    servers: u32,
    preset: SnowflakePreset,
    ticket_width: TicketWidth,
    clocks: Vec<ids::run::ClockView>,
    tickets: Vec<(bool, u64)>,
    multi_master: Vec<(u64, u64, u64)>,
    recent: Vec<IssuedId>,
    events: Vec<ids::run::Event>,
    events_dropped: u64,
}

impl RunProp {
    fn of(run: &Run) -> RunProp {
        let config = run.config();
        RunProp {
            elapsed_ms: run.elapsed_ms(),
            servers: config.servers,
            preset: config.snowflake,
            ticket_width: config.ticket_width,
            clocks: (0..config.servers).filter_map(|i| run.clock(i)).collect(),
            tickets: run
                .tickets()
                .servers()
                .iter()
                .map(|s| (s.up, s.table(config.ticket_width).last_id()))
                .collect(),
            multi_master: run
                .multi_master()
                .servers()
                .iter()
                .map(|s| (s.increment, s.offset, s.max_value))
                .collect(),
            recent: run.recent().copied().collect(),
            events: run.events().to_vec(),
            events_dropped: run.events_dropped(),
        }
    }
}

#[derive(Clone)]
struct ReportProp(Rc<RunReport>);

impl PartialEq for ReportProp {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The back-of-the-envelope numbers of the snowflake format, computed from the layouts.
#[function_component(EstimateSection)]
fn estimate_section() -> Html {
    let twitter = Layout::twitter();
    let per_ms = twitter.max_sequence() + 1;
    let workers: u64 = twitter.nodes.iter().map(|n| 1u64 << n.bits).product();
    let per_s = per_ms * 1_000;
    let years = twitter.max_ticks() as f64 / (365.25 * 86_400_000.0);
    let end = UtcTime::from_unix_ms(twitter.last_unix_ms() as i128);
    let insta = Layout::instagram();
    html! {
        <Section id="estimate" step="Step 2 · Estimate" title="What 64 bits can hold">
            <p class="big-figure">
                <span class="figure">{ group_digits(per_s.into()) }</span>
                { " IDs per second from one snowflake worker" }
            </p>
            <ul class="formulas">
                <li class="formula">{ format!("12-bit sequence: 2^12 = {} IDs per ms × 1,000 ms/s = {} IDs/s per worker",
                    group_digits(per_ms.into()), group_digits(per_s.into())) }</li>
                <li class="formula">{ format!("5 + 5 bits of data centre and machine: {} workers × {} IDs/s = {} IDs/s in all",
                    group_digits(workers.into()), group_digits(per_s.into()), group_digits((u128::from(workers) * u128::from(per_s)).into())) }</li>
                <li class="formula">{ format!("41 bits of milliseconds: 2^41 ms = {years:.1} years after the epoch 2010-11-04: the last ID is made at {end}") }</li>
                <li class="formula">{ format!("Instagram: 2^10 = {} IDs per shard per ms, 2^13 = {} logical shards",
                    group_digits((insta.max_sequence() + 1).into()), group_digits(8_192)) }</li>
            </ul>
            <p>
                { "The wish list's 10,000 IDs a second is 10 per millisecond: one worker covers it 400 times over. \
                   The real limits are the clock (a worker that sees time stand still or go back must stop) and \
                   the epoch (the time field runs out). " }
                <a href="#/estimate">{ "Work out your own rates on the estimation page." }</a>
            </p>
        </Section>
    }
}

#[derive(Properties, PartialEq)]
struct ConfigPanelProps {
    config: RunConfig,
    nav: NavProp,
    url_errors: Vec<(&'static str, String)>,
}

/// The run's knobs: servers, workload, length, layout, clock policy, ticket width, seed.
#[function_component(ConfigPanel)]
fn config_panel(props: &ConfigPanelProps) -> Html {
    let config = &props.config;
    let nav = props.nav.0.clone();
    let error_of = |key: &str| -> Option<AttrValue> {
        props.url_errors.iter().find(|(k, _)| *k == key).map(|(_, m)| AttrValue::from(m.clone()))
    };
    // A number field writes what was typed into its query key; core parses it there and a bad
    // value comes back with its message (and the default in force), so a link keeps the typo too.
    let number_field = |key: &'static str, label: &'static str, help: &'static str, value: String| {
        let shown = nav.latest.borrow().get(key).cloned().unwrap_or(value);
        let oninput = {
            let nav = nav.clone();
            Callback::from(move |text: String| {
                nav.update(|q| {
                    q.insert(key.to_string(), text);
                })
            })
        };
        html! {
            <TextField id={format!("ids-{key}")} {label} {help} value={AttrValue::from(shown)} error={error_of(key)} inputmode="numeric" {oninput} />
        }
    };
    let select = |id: &'static str,
                  label: &'static str,
                  help: &'static str,
                  options: Vec<(String, String)>,
                  current: String,
                  apply: Callback<String>| {
        let onchange = Callback::from(move |e: Event| {
            apply.emit(e.target_unchecked_into::<HtmlSelectElement>().value())
        });
        html! {
            <div class="field">
                <label for={id} title={help}>{ label }</label>
                <select id={id} title={help} {onchange}>
                    { for options.into_iter().map(|(value, text)| html! {
                        <option selected={value == current} value={value.clone()}>{ text }</option>
                    }) }
                </select>
            </div>
        }
    };
    let servers_options = (1..=ids::run::MAX_SERVERS).map(|n| (n.to_string(), n.to_string())).collect();
    let on_servers = {
        let nav = nav.clone();
        let config = config.clone();
        Callback::from(move |v: String| {
            let mut next = config.clone();
            next.servers = v.parse().unwrap_or(2);
            // Faults aimed at servers that no longer exist would make the run invalid: drop them.
            next.faults.retain(|f| fault_server(f).is_none_or(|s| s < next.servers));
            nav.set_config(&next);
        })
    };
    let on_layout = {
        let nav = nav.clone();
        let config = config.clone();
        Callback::from(move |v: String| {
            let mut next = config.clone();
            next.snowflake = SnowflakePreset::from_key(&v).unwrap_or_default();
            nav.set_config(&next);
        })
    };
    let on_policy = {
        let nav = nav.clone();
        let config = config.clone();
        Callback::from(move |v: String| {
            let mut next = config.clone();
            next.clock_policy = ClockPolicy::from_key(&v).unwrap_or_default();
            nav.set_config(&next);
        })
    };
    let on_width = {
        let nav = nav.clone();
        let config = config.clone();
        Callback::from(move |v: String| {
            let mut next = config.clone();
            next.ticket_width = if v == "32" { TicketWidth::Bits32 } else { TicketWidth::Bits64 };
            nav.set_config(&next);
        })
    };
    let on_seed = {
        let nav = nav.clone();
        let config = config.clone();
        Callback::from(move |seed: u64| {
            let mut next = config.clone();
            next.seed = seed;
            nav.set_config(&next);
        })
    };
    let on_faults = {
        let nav = nav.clone();
        Callback::from(move |text: String| {
            nav.update(|q| {
                if text.trim().is_empty() {
                    q.remove("faults");
                } else {
                    q.insert("faults".to_string(), text);
                }
            })
        })
    };
    let faults_text = config.faults.iter().map(Fault::to_text).collect::<Vec<_>>().join(",");
    html! {
        <form class="fields ids-config" aria-label="Run configuration" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
            { select("ids-servers", "Servers", "Generator servers per scheme: each runs a snowflake worker, an Instagram shard, UUID generators, a multi-master database and a ticket server",
                servers_options, config.servers.to_string(), on_servers) }
            { number_field("rate", "Requests per ms (each scheme)", "How many IDs the client asks each scheme for every millisecond (0 to 50)",
                config.rate_per_ms.to_string()) }
            { number_field("ms", "Run length (ms)", "How many milliseconds of virtual time the run lasts (1 to 10,000)",
                config.duration_ms.to_string()) }
            { select("ids-layout", "Snowflake layout", "Twitter: 41 bits of ms since 2010-11-04, 5 data centre, 5 machine, 12 sequence. Discord: 42 bits of ms since 2015, 5 worker, 5 process, 12 increment",
                SnowflakePreset::ALL.iter().map(|p| (p.key().to_string(), if *p == SnowflakePreset::Twitter { "Twitter (2010 epoch)".to_string() } else { "Discord (2015 epoch)".to_string() })).collect(),
                config.snowflake.key().to_string(), on_layout) }
            { select("ids-clock", "When a clock moves back", "Refuse: answer with an error until the clock catches up (Twitter). Wait it out: hold the request until the clock reads the last ID's time again",
                ClockPolicy::ALL.iter().map(|p| (p.key().to_string(), p.label().to_string())).collect(),
                config.clock_policy.key().to_string(), on_policy) }
            { select("ids-tickets", "Ticket table", "Tickets64 hands out 64-bit IDs; Tickets32 runs out after 4,294,967,295",
                vec![("64".to_string(), "Tickets64 (64-bit)".to_string()), ("32".to_string(), "Tickets32 (32-bit)".to_string())],
                config.ticket_width.bits().to_string(), on_width) }
            <SeedField seed={config.seed} onchange={on_seed} />
            <TextField id="ids-faults" label="Fault schedule"
                help="Faults with their time in ms: back-1-10@120 moves server 1's clock back 10 ms at 120 ms; also freeze-1-5@t, burst-1-5000@t, crash-1-100@t, add-one@t, add-stop@t. The buttons add to this list."
                value={AttrValue::from(nav.latest.borrow().get("faults").cloned().unwrap_or(faults_text))}
                error={error_of("faults")} oninput={on_faults} />
        </form>
    }
}

fn fault_server(fault: &Fault) -> Option<u32> {
    match fault.kind {
        FaultKind::ClockBack { server, .. }
        | FaultKind::FreezeClock { server, .. }
        | FaultKind::Burst { server, .. }
        | FaultKind::CrashTicketServer { server, .. } => Some(server),
        FaultKind::AddMultiMasterServer { .. } => None,
    }
}

#[derive(Properties, PartialEq)]
struct RunControlsProps {
    t: u64,
    duration: u64,
    playing: bool,
    speed: u64,
    nav: NavProp,
    toggle: Callback<()>,
    set_speed: Callback<u64>,
}

/// Play, step, step back, reset, speed, and the run's clock.
#[function_component(RunControls)]
fn run_controls(props: &RunControlsProps) -> Html {
    let nav = props.nav.0.clone();
    let (t, duration) = (props.t, props.duration);
    let step = |delta: i64| {
        let nav = nav.clone();
        Callback::from(move |_| nav.set_t(t.saturating_add_signed(delta).min(duration)))
    };
    let reset = {
        let nav = nav.clone();
        let toggle = props.toggle.clone();
        let playing = props.playing;
        Callback::from(move |_| {
            if playing {
                toggle.emit(());
            }
            nav.set_t(0)
        })
    };
    let to_end = {
        let nav = nav.clone();
        Callback::from(move |_| nav.set_t(duration))
    };
    let toggle = {
        let toggle = props.toggle.clone();
        Callback::from(move |_| toggle.emit(()))
    };
    let on_speed = {
        let set_speed = props.set_speed.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            set_speed.emit(v.parse().unwrap_or(SPEEDS[1]));
        })
    };
    let finished = t >= duration;
    html! {
        <div class="sim-controls" role="group" aria-label="Run controls">
            <button type="button" class="play" onclick={toggle} disabled={finished && !props.playing}
                title="Play or pause the run (Space)" aria-pressed={if props.playing { "true" } else { "false" }}>
                { if props.playing { "Pause" } else { "Play" } }
            </button>
            <button type="button" class="secondary" onclick={step(1)} disabled={finished} title="Advance the run by one millisecond (→)">{ "Step 1 ms" }</button>
            <button type="button" class="secondary" onclick={step(-1)} disabled={t == 0} title="Go back one millisecond: the run replays from the start (←)">{ "Back 1 ms" }</button>
            <button type="button" class="secondary" onclick={to_end} disabled={finished} title="Run to the end at once">{ "Run to end" }</button>
            <button type="button" class="secondary" onclick={reset} title="Back to 0 ms (R)">{ "Reset" }</button>
            <label class="inline-field" title="Milliseconds of virtual time per tenth of a second while playing">
                { "Speed " }
                <select onchange={on_speed} title="Milliseconds of virtual time per tenth of a second while playing">
                    { for SPEEDS.iter().map(|s| html! {
                        <option value={s.to_string()} selected={*s == props.speed}>{ format!("{s} ms per tick") }</option>
                    }) }
                </select>
            </label>
            <p class="sim-time" aria-live="off">
                <span class="figure">{ format!("{} ms", group_digits(t.into())) }</span>
                { format!(" of {} ms", group_digits(duration.into())) }
            </p>
            <details class="shortcuts">
                <summary title="Keyboard shortcuts">{ "?" }</summary>
                <p>{ "Space: play or pause · →: step 1 ms · ←: back 1 ms · R: reset" }</p>
            </details>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct FaultPanelProps {
    config: RunConfig,
    t: u64,
    nav: NavProp,
}

/// The fault buttons: each adds a fault at the current time to the schedule in the URL.
#[function_component(FaultPanel)]
fn fault_panel(props: &FaultPanelProps) -> Html {
    let target = use_state(|| 0u32);
    let server = (*target).min(props.config.servers - 1);
    let finished = props.t >= props.config.duration_ms;
    let add = |kind: FaultKind| {
        let nav = props.nav.0.clone();
        let config = props.config.clone();
        let t = props.t;
        Callback::from(move |_| {
            let mut next = config.clone();
            next.faults.push(Fault { at_ms: t, kind });
            nav.set_config(&next);
        })
    };
    let on_target = {
        let target = target.clone();
        Callback::from(move |e: Event| {
            target.set(e.target_unchecked_into::<HtmlSelectElement>().value().parse().unwrap_or(0))
        })
    };
    let button = |text: String, title: &'static str, kind: FaultKind| {
        html! { <button type="button" class="secondary fault" onclick={add(kind)} disabled={finished} {title}>{ text }</button> }
    };
    html! {
        <div class="fault-panel" role="group" aria-label="Faults">
            <label class="inline-field" title="The server the clock, burst and crash buttons act on">
                { "Fault on " }
                <select onchange={on_target} title="The server the clock, burst and crash buttons act on">
                    { for (0..props.config.servers).map(|i| html! {
                        <option value={i.to_string()} selected={i == server}>{ format!("server {}", i + 1) }</option>
                    }) }
                </select>
            </label>
            { button("Clock back 10 ms".into(), "Step this server's clock back 10 ms, as an NTP correction might", FaultKind::ClockBack { server, by_ms: 10 }) }
            { button("Freeze clock 5 ms".into(), "Stop this server's clock for 5 ms; then it jumps to the right time", FaultKind::FreezeClock { server, for_ms: 5 }) }
            { button("Burst 5,000".into(), "5,000 extra requests in one millisecond at this server's generators", FaultKind::Burst { server, requests: 5_000 }) }
            { button("Crash ticket server 100 ms".into(), "This server's ticket server goes down for 100 ms, its table intact", FaultKind::CrashTicketServer { server, for_ms: 100 }) }
            { button("Add DB server, one by one".into(), "A server joins the multi-master group; each server switches to the new increment from its own largest value", FaultKind::AddMultiMasterServer { policy: AddPolicy::OneByOne }) }
            { button("Add DB server, stop all".into(), "A server joins the multi-master group; all servers stop and restart above the largest ID anyone issued", FaultKind::AddMultiMasterServer { policy: AddPolicy::StopTheWorld }) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct RunPropProps {
    run: RunProp,
}

/// Each server's clock, ticket server and multi-master database.
#[function_component(ServersTable)]
fn servers_table(props: &RunPropProps) -> Html {
    let run = &props.run;
    let rows = run.multi_master.len().max(run.servers as usize);
    html! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Servers table (scrolls sideways)">
            <table class="servers">
                <caption>{ "Servers" }</caption>
                <thead><tr>
                    <th scope="col">{ "Server" }</th>
                    <th scope="col">{ "Clock" }</th>
                    <th scope="col">{ format!("Ticket server ({})", run.ticket_width.table()) }</th>
                    <th scope="col">{ "Multi-master DB" }</th>
                </tr></thead>
                <tbody>
                    { for (0..rows).map(|i| {
                        let clock = run.clocks.get(i).map_or(html! { <td class="muted">{ "—" }</td> }, |c| {
                            let utc = UtcTime::from_unix_ms(i128::from(c.reading_unix_ms));
                            let state = if c.frozen { "frozen".to_string() }
                                else if c.off_by_ms == 0 { "on time".to_string() }
                                else { format!("{:+} ms", c.off_by_ms) };
                            let class = if c.frozen || c.off_by_ms != 0 { "outcome-wait" } else { "" };
                            html! { <td><span class="mono">{ format!("{:02}:{:02}:{:02}.{:03}", utc.hour, utc.minute, utc.second, utc.millisecond) }</span>
                                { " " }<span class={classes!("clock-state", class)}>{ state }</span></td> }
                        });
                        let ticket = run.tickets.get(i).map_or(html! { <td class="muted">{ "—" }</td> }, |(up, last)| {
                            if *up {
                                html! { <td><span class="outcome-ok" aria-hidden="true">{ "● " }</span>{ format!("up, last {}", group_digits((*last).into())) }</td> }
                            } else {
                                html! { <td><span class="outcome-deny" aria-hidden="true">{ "✕ " }</span>{ "down" }</td> }
                            }
                        });
                        let mm = run.multi_master.get(i).map_or(html! { <td class="muted">{ "—" }</td> }, |(inc, off, max)| html! {
                            <td class="mono">{ format!("increment {inc}, offset {off}, last {}", group_digits((*max).into())) }</td>
                        });
                        html! {
                            <tr>
                                <th scope="row"><span class={classes!("dot", format!("srv-{}", i % 8))} aria-hidden="true">{ "●" }</span>{ format!(" {}", i + 1) }</th>
                                { clock }{ ticket }{ mm }
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct StreamProps {
    run: RunProp,
    show: Option<String>,
    nav: NavProp,
}

/// The last IDs issued, newest first; click one to inspect it.
#[function_component(StreamTable)]
fn stream_table(props: &StreamProps) -> Html {
    let nav = props.nav.0.clone();
    let filter = props.show.as_deref().and_then(Scheme::from_key);
    let rows: Vec<&IssuedId> = props
        .run
        .recent
        .iter()
        .rev()
        .filter(|i| filter.is_none_or(|s| i.scheme == s))
        .take(STREAM_ROWS)
        .collect();
    let on_show = {
        let nav = nav.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            nav.update(|q| {
                if v == "all" {
                    q.remove(SHOW_KEY);
                } else {
                    q.insert(SHOW_KEY.to_string(), v);
                }
            })
        })
    };
    let preset = props.run.preset;
    html! {
        <div class="stream">
            <label class="inline-field" title="Show the IDs of one scheme only">
                { "IDs of " }
                <select onchange={on_show} title="Show the IDs of one scheme only">
                    <option value="all" selected={filter.is_none()}>{ "every scheme" }</option>
                    { for Scheme::ALL.iter().map(|s| html! {
                        <option value={s.key()} selected={filter == Some(*s)}>{ s.label() }</option>
                    }) }
                </select>
            </label>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Latest IDs table (scrolls sideways)">
                <table class="id-stream">
                    <caption>{ "Latest IDs (newest first; click one to inspect it)" }</caption>
                    <thead><tr>
                        <th scope="col">{ "At" }</th>
                        <th scope="col">{ "Scheme" }</th>
                        <th scope="col">{ "Server" }</th>
                        <th scope="col">{ "ID" }</th>
                        <th scope="col">{ "Waited" }</th>
                    </tr></thead>
                    <tbody>
                        if rows.is_empty() {
                            <tr><td colspan="5" class="muted">{ "No IDs yet: press Play or Step." }</td></tr>
                        }
                        { for rows.into_iter().map(|issued| {
                            let text = issued.text();
                            let decoder = Decoder::for_issued(issued, preset);
                            let onclick = {
                                let nav = nav.clone();
                                let text = text.clone();
                                Callback::from(move |_| {
                                    let text = text.clone();
                                    nav.update(|q| {
                                        q.insert(ID_KEY.to_string(), text);
                                        q.insert(AS_KEY.to_string(), decoder.key().to_string());
                                    });
                                    if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("inspector")) {
                                        el.scroll_into_view();
                                    }
                                })
                            };
                            html! {
                                <tr>
                                    <td class="num">{ format!("{} ms", issued.at_ms) }</td>
                                    <td>{ issued.scheme.label() }</td>
                                    <td><span class={classes!("dot", format!("srv-{}", issued.generator % 8))} aria-hidden="true">{ "●" }</span>{ format!(" {}", issued.generator + 1) }</td>
                                    <td><button type="button" class="id-link" {onclick} title="Inspect this ID bit by bit">{ text }</button></td>
                                    <td class="num">{ if issued.waited_ms == 0 { "—".to_string() } else { format!("{} ms", issued.waited_ms) } }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        </div>
    }
}

/// What happened during the run, newest first.
#[function_component(EventLog)]
fn event_log(props: &RunPropProps) -> Html {
    let run = &props.run;
    html! {
        <details class="event-log" open={!run.events.is_empty()}>
            <summary>{ format!("Run log ({} events)", run.events.len() as u64 + run.events_dropped) }</summary>
            <ol reversed=true>
                { for run.events.iter().rev().take(40).map(|e| html! {
                    <li><span class="mono">{ format!("{} ms ", e.at_ms) }</span>{ e.text.clone() }</li>
                }) }
            </ol>
            if run.events_dropped > 0 {
                <p class="note">{ format!("{} later events are not listed.", group_digits(run.events_dropped.into())) }</p>
            }
        </details>
    }
}

#[derive(Properties, PartialEq)]
struct ReportProps {
    report: ReportProp,
}

/// The comparison table, measured from the run.
#[function_component(ComparisonTable)]
fn comparison_table(props: &ReportProps) -> Html {
    let report = &props.report.0;
    let row = |s: &SchemeReport| {
        let failed = s.stats.failed();
        let failures = if failed == 0 {
            html! { <span class="outcome-ok"><span aria-hidden="true">{ "● " }</span>{ "none" }</span> }
        } else {
            let reasons = s
                .stats
                .failures
                .iter()
                .map(|(r, n)| format!("{} {r}", group_digits((*n).into())))
                .collect::<Vec<_>>()
                .join(", ");
            html! { <span class="outcome-deny"><span aria-hidden="true">{ "✕ " }</span>{ reasons }</span> }
        };
        let duplicates = if s.check.duplicates == 0 {
            html! { <span class="outcome-ok"><span aria-hidden="true">{ "● " }</span>{ "0" }</span> }
        } else {
            html! { <span class="outcome-deny"><span aria-hidden="true">{ "✕ " }</span>{ group_digits(s.check.duplicates.into()) }</span> }
        };
        let waited = if s.stats.waited == 0 && s.waiting == 0 {
            "—".to_string()
        } else {
            let mut text =
                format!("{} (up to {} ms)", group_digits(s.stats.waited.into()), s.stats.max_wait_ms);
            if s.waiting > 0 {
                text.push_str(&format!(", {} still waiting", group_digits(s.waiting.into())));
            }
            text
        };
        html! {
            <tr>
                <th scope="row">{ s.scheme.label() }</th>
                <td class="num">{ s.bits }</td>
                <td class="num">{ group_digits(s.stats.issued.into()) }</td>
                <td class="num">{ format::count(s.ids_per_s_per_generator.round()) }</td>
                <td class="num">{ group_digits(s.stats.peak_per_ms.into()) }</td>
                <td class="num">{ duplicates }</td>
                <td class="num">{ group_digits(s.check.out_of_order.into()) }</td>
                <td class="num">{ format!("{} ms", group_digits(s.check.max_disorder_ms.into())) }</td>
                <td>{ failures }</td>
                <td class="num">{ waited }</td>
                <td class="num">{ group_digits(s.stats.round_trips.into()) }</td>
            </tr>
        }
    };
    html! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Measured comparison tables (scrolls sideways)">
            <table class="compare">
                <caption>{ format!("After {} ms", group_digits(report.elapsed_ms.into())) }</caption>
                <thead><tr>
                    <th scope="col">{ "Scheme" }</th>
                    <th scope="col" title="Size of one ID">{ "Bits" }</th>
                    <th scope="col">{ "IDs issued" }</th>
                    <th scope="col" title="IDs issued per second of run time, per generator">{ "IDs/s per generator" }</th>
                    <th scope="col" title="The most IDs one generator issued in one millisecond">{ "Peak per ms" }</th>
                    <th scope="col" title="Issues that repeated an earlier ID">{ "Duplicates" }</th>
                    <th scope="col" title="IDs smaller than one issued before them">{ "Out of order" }</th>
                    <th scope="col" title="The longest time between an ID and a later-issued ID with a smaller value">{ "Time disorder" }</th>
                    <th scope="col" title="Requests that got no ID, by reason">{ "Failed" }</th>
                    <th scope="col" title="Requests that waited at least a millisecond">{ "Waited" }</th>
                    <th scope="col" title="Servers asked, in all (a request asks more than one when some are down)">{ "Server calls" }</th>
                </tr></thead>
                <tbody>{ for report.schemes.iter().map(row) }</tbody>
            </table>
            <table class="compare design">
                <caption>{ "By design" }</caption>
                <thead><tr>
                    <th scope="col">{ "Scheme" }</th>
                    <th scope="col">{ "Bits" }</th>
                    <th scope="col">{ "Coordination needed" }</th>
                    <th scope="col">{ "Sortable by time" }</th>
                </tr></thead>
                <tbody>
                    { for report.schemes.iter().map(|s| html! {
                        <tr>
                            <th scope="row">{ s.scheme.label() }</th>
                            <td class="num">{ s.bits }</td>
                            <td>{ s.scheme.coordination() }</td>
                            <td>{ s.scheme.sortable() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct InspectorProps {
    text: String,
    decoder: Decoder,
    nav: NavProp,
}

/// Paste or click an ID: its fields coloured, decimal and hex, and its time.
#[function_component(Inspector)]
fn inspector(props: &InspectorProps) -> Html {
    let nav = props.nav.0.clone();
    let oninput = {
        let nav = nav.clone();
        Callback::from(move |text: String| {
            nav.update(|q| {
                q.insert(ID_KEY.to_string(), text);
            })
        })
    };
    let on_decoder = {
        let nav = nav.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            nav.update(|q| {
                q.insert(AS_KEY.to_string(), v);
            })
        })
    };
    let examples = [
        ("The notes' example (Twitter)", NOTES_EXAMPLE, Decoder::Twitter),
        ("Discord's documented example", "175928847299117063", Decoder::Discord),
        ("Instagram's worked example", "11637205501278089", Decoder::Instagram),
        ("The notes' UUID", "550e8400-e29b-41d4-a716-446655440000", Decoder::Uuid),
    ];
    let (decoded, error) = match props.decoder.layout() {
        Some(layout) => match ids::parse_id(&props.text) {
            Ok(id) => (Some(html! { <BitFields layout={LayoutProp(layout)} id={id} /> }), None),
            Err(e) => (None, Some(e)),
        },
        None if props.decoder == Decoder::Uuid => match core_uuid::inspect(&props.text) {
            Ok(info) => (
                Some(html! {
                    <dl class="id-facts">
                        <dt>{ "Text" }</dt><dd class="mono">{ info.text.clone() }</dd>
                        <dt>{ "Hex" }</dt><dd class="mono">{ format!("{:#034x}", info.uuid.as_u128()) }</dd>
                        <dt>{ "Version" }</dt><dd>{ format!("{} ({})", info.version, match info.version { 4 => "random", 7 => "Unix time + random", 1 | 6 => "Gregorian time + node", 3 | 5 => "name-based hash", _ => "other" }) }</dd>
                        <dt>{ "Variant" }</dt><dd>{ info.variant }</dd>
                        if let Some(utc) = info.utc {
                            <dt>{ "Time" }</dt><dd class="id-time">{ utc.to_string() }</dd>
                        }
                        <dt>{ "Random bits" }</dt><dd>{ info.random_bits }</dd>
                    </dl>
                }),
                None,
            ),
            Err(e) => (None, Some(e)),
        },
        None => match ids::parse_id(&props.text) {
            Ok(id) => (
                Some(html! {
                    <dl class="id-facts">
                        <dt>{ "Decimal" }</dt><dd class="mono">{ group_digits(id.into()) }</dd>
                        <dt>{ "Hex" }</dt><dd class="mono">{ format!("{id:#018x}") }</dd>
                        <dt>{ "Fields" }</dt><dd>{ "None: an auto_increment counter is just a number. With k servers at increment k, it came from the server whose offset is (ID − 1) mod k + 1." }</dd>
                        <dt>{ "Odd or even" }</dt><dd>{ if id % 2 == 1 { "odd: server 1 of the notes' pair" } else { "even: server 2 of the notes' pair" } }</dd>
                    </dl>
                }),
                None,
            ),
            Err(e) => (None, Some(e)),
        },
    };
    html! {
        <div class="inspector">
            <div class="inspector-inputs">
                <TextField id="inspect-id" label="ID" help="Paste a snowflake, Instagram or counter ID (decimal or 0x hex) or a UUID"
                    value={AttrValue::from(props.text.clone())} error={error.map(AttrValue::from)} {oninput} />
                <div class="field">
                    <label for="inspect-as" title="Which layout to read the ID with">{ "Read as" }</label>
                    <select id="inspect-as" title="Which layout to read the ID with" onchange={on_decoder}>
                        { for Decoder::ALL.iter().map(|d| html! {
                            <option value={d.key()} selected={*d == props.decoder}>{ d.label() }</option>
                        }) }
                    </select>
                </div>
            </div>
            <div class="presets" role="group" aria-label="Example IDs">
                <span class="presets-label">{ "Examples:" }</span>
                { for examples.iter().map(|(name, text, decoder)| {
                    let nav = nav.clone();
                    let (text, decoder) = (text.to_string(), *decoder);
                    let pressed = if props.text == text && props.decoder == decoder { "true" } else { "false" };
                    let onclick = Callback::from(move |_| {
                        let text = text.clone();
                        nav.update(|q| {
                            q.insert(ID_KEY.to_string(), text);
                            q.insert(AS_KEY.to_string(), decoder.key().to_string());
                        })
                    });
                    html! { <button type="button" class="preset" aria-pressed={pressed} {onclick} title="Inspect this example">{ *name }</button> }
                }) }
            </div>
            { decoded.unwrap_or_default() }
        </div>
    }
}

#[derive(Clone, PartialEq)]
struct LayoutProp(Layout);

#[derive(Properties, PartialEq)]
struct BitFieldsProps {
    layout: LayoutProp,
    id: u64,
}

/// The bit-field view of a 64-bit ID: a bar of all 64 bits coloured by field, then each field.
#[function_component(BitFields)]
fn bit_fields(props: &BitFieldsProps) -> Html {
    let layout = &props.layout.0;
    let d = layout.decode(props.id);
    let class_of = |kind: PartKind, node_index: usize| match kind {
        PartKind::Node => format!("field-node-{}", node_index % 2),
        other => format!("field-{}", other.key()),
    };
    let mut node_index = 0;
    let classes: Vec<String> = d
        .parts
        .iter()
        .map(|p| {
            let class = class_of(p.kind, node_index);
            if p.kind == PartKind::Node {
                node_index += 1;
            }
            class
        })
        .collect();
    html! {
        <div class="bit-fields">
            <dl class="id-facts">
                <dt>{ "Decimal" }</dt><dd class="mono">{ d.id.to_string() }</dd>
                <dt>{ "Hex" }</dt><dd class="mono">{ d.hex() }</dd>
                <dt>{ "Time" }</dt><dd class="id-time">{ d.utc.to_string() }</dd>
                <dt>{ "Formula" }</dt><dd class="formula">{ format!("{} ms since the epoch + {} = {} (Unix ms)",
                    group_digits(d.ticks.into()), group_digits(layout.epoch_ms.into()), group_digits(d.unix_ms)) }</dd>
            </dl>
            if d.unused_bits_set {
                <p class="run-error" role="status"><span aria-hidden="true">{ "✕ " }</span>
                    { format!("The top bit is set: the {} layout keeps it 0, so this number is not one of its IDs.", layout.name) }</p>
            }
            <svg class="bit-bar" viewBox="0 0 64 6" preserveAspectRatio="none" role="img"
                aria-label={format!("64 bits: {}", d.parts.iter().map(|p| format!("{} {} bits", p.name, p.high_bit - p.low_bit + 1)).collect::<Vec<_>>().join(", "))}>
                { for d.parts.iter().zip(&classes).map(|(p, class)| html! {
                    <rect class={class.clone()} x={(63 - p.high_bit).to_string()} y="0" width={(p.high_bit - p.low_bit + 1).to_string()} height="6" />
                }) }
            </svg>
            <ol class="fields-list">
                { for d.parts.iter().zip(&classes).map(|(p, class)| html! {
                    <li class={classes!("bit-field", class.clone())} data-field={p.name.clone()}>
                        <span class="swatch" aria-hidden="true"></span>
                        <span class="field-name">{ p.name.clone() }</span>
                        <span class="field-bits">{ if p.high_bit == p.low_bit { format!("bit {}", p.high_bit) } else { format!("bits {}–{}", p.high_bit, p.low_bit) } }</span>
                        <span class="field-binary mono">{ p.binary.clone() }</span>
                        <span class="field-value">{ group_digits(p.value.into()) }</span>
                    </li>
                }) }
            </ol>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct BirthdayProps {
    rate: String,
    percent: String,
    bits: String,
    nav: NavProp,
}

/// The birthday bound: how long until a repeat becomes this likely.
#[function_component(BirthdayCalculator)]
fn birthday_calculator(props: &BirthdayProps) -> Html {
    let field = |key: &'static str| {
        let nav = props.nav.0.clone();
        Callback::from(move |text: String| {
            nav.update(|q| {
                q.insert(key.to_string(), text);
            })
        })
    };
    let answer = Birthday::parse(&props.rate, &props.percent, &props.bits).and_then(|b| b.answer());
    html! {
        <div class="birthday">
            <p>
                { "A v4 UUID has 122 random bits (6 of its 128 say \"version 4\" and \"standard variant\"). The chance that \
                   n random values repeat somewhere is about 1 − e^(−n²/2N) for N possible values: the birthday bound." }
            </p>
            <div class="birthday-fields">
                <TextField id="birthday-rate" label="IDs per second" help="How many UUIDs are made every second, everywhere together" value={AttrValue::from(props.rate.clone())} inputmode="decimal" oninput={field(RATE_KEY)} />
                <TextField id="birthday-percent" label="Chance of a repeat (%)" help="The probability of at least one duplicate to wait for" value={AttrValue::from(props.percent.clone())} inputmode="decimal" oninput={field(PERCENT_KEY)} />
                <TextField id="birthday-bits" label="Random bits" help="122 for UUID v4; 74 for UUID v7 (but those only compete within one millisecond)" value={AttrValue::from(props.bits.clone())} inputmode="numeric" oninput={field(BITS_KEY)} />
            </div>
            {
                match answer {
                    Ok(a) => html! {
                        <div class="birthday-answer" aria-live="polite">
                            <p class="big-figure"><span class="figure">{ a.shown.clone() }</span>{ format!(" ({} IDs)", format::significant(a.ids, 3)) }</p>
                            <p class="formula">{ a.formula.clone() }</p>
                            <p class="note">{ "The notes, quoting Wikipedia: a billion UUIDs a second for about 86 years for a 50 % chance." }</p>
                        </div>
                    },
                    Err(message) => html! {
                        <p class="field-error" role="alert"><span aria-hidden="true">{ "✕ " }</span>{ message }</p>
                    },
                }
            }
        </div>
    }
}

/// The trade-offs, as the notes give them.
#[function_component(SummaryTable)]
fn summary_table() -> Html {
    let rows = [
        (
            "Multi-master auto_increment",
            "simple; numbers stay small",
            "k is baked into every server; adding one repeats IDs unless all stop; no time order across servers",
        ),
        (
            "UUID v4",
            "no coordination at all; scales out",
            "128 bits; random order hurts indexes; not customizable",
        ),
        ("UUID v7", "no coordination; sorts by time", "128 bits; order only per millisecond across machines"),
        (
            "Ticket server",
            "numeric, small, simple",
            "a single point of failure (a pair drifts out of order); a round trip per ID",
        ),
        (
            "Snowflake",
            "64 bits, time-sortable, 4,096,000 IDs/s per worker, no coordination per ID",
            "trusts the clock: moved back, it must refuse or wait; 69.7 years per epoch",
        ),
        (
            "Instagram",
            "64 bits, time-sortable, made inside the shard's database",
            "more than 1,024 IDs per shard per millisecond repeat",
        ),
    ];
    html! {
        <table class="summary">
            <thead><tr><th scope="col">{ "Scheme" }</th><th scope="col">{ "Strength" }</th><th scope="col">{ "Weakness" }</th></tr></thead>
            <tbody>
                { for rows.iter().map(|(s, good, bad)| html! { <tr><td>{ *s }</td><td>{ *good }</td><td>{ *bad }</td></tr> }) }
            </tbody>
        </table>
    }
}
