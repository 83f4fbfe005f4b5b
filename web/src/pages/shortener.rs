//! The URL shortener page (the notes' "URL Shortener"): a working shortener in the page. A person
//! shortens real URLs, opens short links through a simulated browser (301 or 302, the browser's
//! 301 cache visible), tries the three endpoints by hand in a request inspector, and watches the
//! rate limiter, service, cache, store and analytics on a live diagram; the notes' claims run as
//! experiments. Everything is computed by `playground_core::shortener`: the page keeps the links
//! in local storage as the rows the service wrote, and core loads them on every visit, so a reload
//! (or forgetting another link) keeps their codes. The settings live in the URL query.

use crate::app::Route;
use crate::url_state::{Query, use_query_state};
use crate::widgets::copy_link::CopyLink;
use crate::widgets::experiment::{ExperimentCard, SlicedExperimentCard};
use crate::widgets::field::TextField;
use crate::widgets::page::{PageTitle, Section};
use crate::widgets::plot::{Axis, Column, Columns, Mark, Series, XyPlot};
use crate::widgets::seed::SeedField;
use playground_core::estimate;
use playground_core::experiment::{self, Outcome};
use playground_core::format::{self, group_digits};
use playground_core::ids::utc::UtcTime;
use playground_core::shortener::experiments::{self, CachePoint, CollisionPoint, CollisionRun};
use playground_core::shortener::service::{SHORT_BASE, StoreOp};
use playground_core::shortener::session::{self, Entry, LinkView, Source};
use playground_core::shortener::{Config, Redirect, Scheme, Session, base62, validate};
use std::rc::Rc;
use std::time::Duration;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::platform::time::sleep;
use yew::prelude::*;

/// Query keys: the code scheme, the redirect status, the cache size, the experiments' seed.
const CODES_KEY: &str = "codes";
const REDIRECT_KEY: &str = "redirect";
const CACHE_KEY: &str = "cache";
const SEED_KEY: &str = "seed";

/// The code schemes the switch offers: (query value, scheme, label).
const SCHEMES: [(&str, Scheme, &str); 3] = [
    ("base62", Scheme::Base62, "Base62 of a unique ID"),
    ("sha1-6", Scheme::HashPrefix { len: 6 }, "SHA-1 prefix, 6 symbols"),
    ("sha1-7", Scheme::HashPrefix { len: 7 }, "SHA-1 prefix, 7 symbols"),
];

/// The collision experiment's size and slice (URLs per frame).
const COLLISION_URLS: u64 = 1_000_000;
const COLLISION_SLICE: u64 = 25_000;

/// The page's clock: Unix milliseconds (core never reads a clock; the page passes it in).
fn now_ms() -> u64 {
    js_sys::Date::now().max(0.0) as u64
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The settings from the URL query, with an error message for a cache size that is not valid.
fn config_from(query: &Query) -> (Config, Option<String>) {
    let scheme =
        query.get(CODES_KEY).and_then(|v| SCHEMES.iter().find(|s| s.0 == v)).map_or(Scheme::Base62, |s| s.1);
    let redirect = match query.get(REDIRECT_KEY).map(String::as_str) {
        Some("301") => Redirect::Permanent,
        _ => Redirect::Found,
    };
    let mut config = Config { scheme, redirect, ..Config::default() };
    let mut error = None;
    if let Some(text) = query.get(CACHE_KEY) {
        match text.trim().replace(',', "").parse::<u32>() {
            Ok(size) if size <= 1_000 => config.cache_size = size,
            _ => error = Some("Enter a whole number of entries from 0 (no cache) to 1,000.".to_string()),
        }
    }
    (config, error)
}

/// The session as the page holds it: changed only through [`Act`], compared by version.
#[derive(Clone)]
struct Live {
    session: Rc<Session>,
    version: u64,
    /// Why the stored links could not be read at all, or that storage is not available.
    problem: Option<String>,
}

impl PartialEq for Live {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && Rc::ptr_eq(&self.session, &other.session)
    }
}

/// What a person does to the session.
enum Act {
    Shorten(String),
    Click(String),
    Send { method: String, path: String, body: String },
    Forget(String),
    ForgetAll,
    ClearBrowserCache,
    Reconfigure(Config),
}

impl Reducible for Live {
    type Action = Act;
    fn reduce(self: Rc<Self>, act: Act) -> Rc<Self> {
        let now = now_ms();
        let mut session = (*self.session).clone();
        let next = match act {
            Act::Shorten(url) => {
                session.shorten(&url, now);
                Ok(session)
            }
            Act::Click(code) => {
                session.click(&code, now);
                Ok(session)
            }
            Act::Send { method, path, body } => {
                session.send(&method, &path, &body, now);
                Ok(session)
            }
            Act::Forget(code) => session.forget(&code),
            Act::ForgetAll => session.forget_all(),
            Act::ClearBrowserCache => {
                session.clear_browser_cache();
                Ok(session)
            }
            Act::Reconfigure(config) if config != *session.config() => session.reconfigure(config),
            Act::Reconfigure(_) => return self,
        };
        match next {
            Ok(session) => {
                Rc::new(Live { session: Rc::new(session), version: self.version + 1, ..(*self).clone() })
            }
            Err(_) => self,
        }
    }
}

/// Loads the stored links (setting aside what cannot be read, under its own key).
fn load(config: Config) -> Live {
    let Some(store) = storage() else {
        let (session, _) = Session::load(config, None, now_ms()).unwrap_or_else(|_| fresh());
        return Live {
            session: Rc::new(session),
            version: 0,
            problem: Some(
                "Local storage is not available here: your links last until you leave the page.".into(),
            ),
        };
    };
    let stored = store.get_item(session::STORAGE_KEY).ok().flatten();
    let (session, problem) = Session::load(config, stored.as_deref(), now_ms()).unwrap_or_else(|_| fresh());
    if let Some(raw) = stored.filter(|_| problem.is_some() || !session.set_aside().is_empty()) {
        let _ = store.set_item(session::SET_ASIDE_KEY, &raw);
    }
    Live { session: Rc::new(session), version: 0, problem }
}

/// A session with the default configuration and no links.
fn fresh() -> (Session, Option<String>) {
    (Session::default(), None)
}

#[function_component(ShortenerPage)]
pub fn shortener_page() -> Html {
    let (query, set_query) = use_query_state(Route::Shortener);
    let (config, cache_error) = config_from(&query);
    let live = use_reducer(|| load(config));
    {
        let live = live.clone();
        use_effect_with(config, move |config| live.dispatch(Act::Reconfigure(*config)));
    }
    // Keep the links in local storage whenever they change.
    let saved = live.session.saved_text();
    use_effect_with(saved, |text| {
        if let Some(store) = storage() {
            let _ = store.set_item(session::STORAGE_KEY, text);
        }
    });
    let act = {
        let live = live.clone();
        Callback::from(move |a: Act| live.dispatch(a))
    };
    let set = {
        let query = query.clone();
        Callback::from(move |(key, value): (&'static str, String)| {
            let mut next = query.clone();
            next.insert(key.to_string(), value);
            set_query.emit(next);
        })
    };
    let seed: u64 = query.get(SEED_KEY).and_then(|v| v.parse().ok()).unwrap_or(1);
    let s = &live.session;
    html! {
        <article class="page shortener">
            <PageTitle
                title="URL shortener"
                promise="Shorten real links, follow them through a browser that caches 301s, send the three API calls by hand, and watch the limiter, cache, store and analytics count every request."
            />
            <Section id="problem" step="Step 1 · Understand the problem" title="The problem">
                <p>
                    { "A shortener turns a long URL into a short one such as " }<code>{ "https://s.example/aB3xY9z" }</code>
                    { " and sends anyone who opens it on to the long URL. The notes' API has three endpoints: " }
                    <code>{ "POST /api/v1/shorten" }</code>{ " (long URL in, short URL out), " }
                    <code>{ "GET /api/v1/longUrl" }</code>{ " (short code in, long URL out) and " }
                    <code>{ "GET /{code}" }</code>
                    { ", which answers with a redirect: a status code and a Location header the browser follows by itself. \
                       The service keeps URL_table(id, shortURL, longURL) behind a cache, limits how fast one client may \
                       shorten, and counts clicks." }
                </p>
            </Section>
            <EstimateSection />
            <Section id="run" step="Step 3 · The design, running" title="Your shortener" wide=true>
                { storage_report(&live) }
                <div class="sh-run">
                    <div class="sh-main">
                        <ShortenForm act={act.clone()} />
                        <LinkList live={(*live).clone()} act={act.clone()} />
                    </div>
                    <Diagram live={(*live).clone()} />
                </div>
                <CopyLink />
            </Section>
            <Section id="deep-dive" step="Step 4 · Deep dive" title="Codes, redirects and the API" wide=true>
                <div class="sh-deep">
                    <Settings config={*s.config()} cache_text={query.get(CACHE_KEY).cloned().unwrap_or_else(|| s.config().cache_size.to_string())}
                        cache_error={cache_error} set={set.clone()} act={act.clone()} cached={s.browser().cached().len()} />
                    <Codes live={(*live).clone()} />
                </div>
                <Inspector live={(*live).clone()} act={act} />
            </Section>
            <Section id="experiments" step="Experiments" title="Claims, run live" wide=true>
                <p>{ "Each card runs the same service, browser and cache code as your shortener, at a scale no one would click through by hand." }</p>
                <div class="sh-seed">
                    <SeedField seed={seed} onchange={Callback::from(move |s: u64| set.emit((SEED_KEY, s.to_string())))} />
                </div>
                <Experiments seed={seed} />
            </Section>
            <SummarySection />
        </article>
    }
}

/// Stored links that could not be loaded: said plainly, with where they were put.
fn storage_report(live: &Live) -> Html {
    let set_aside = live.session.set_aside();
    if live.problem.is_none() && set_aside.is_empty() {
        return html! {};
    }
    html! {
        <div class="sh-storage-problem" role="alert">
            <p>
                <span aria-hidden="true">{ "✕ " }</span>
                { live.problem.clone().unwrap_or_else(|| format!("{} saved link(s) could not be loaded.", set_aside.len())) }
                if !set_aside.is_empty() || live.problem.as_deref().is_some_and(|p| !p.starts_with("Local storage")) {
                    { format!(" The stored text was set aside, unchanged, under the key \"{}\"; the page carries on with what could be read.", session::SET_ASIDE_KEY) }
                }
            </p>
            if !set_aside.is_empty() {
                <ul>
                    { for set_aside.iter().map(|a| html! { <li><code>{ a.what.clone() }</code>{ ": " }{ a.reason.clone() }</li> }) }
                </ul>
            }
        </div>
    }
}

/// The notes' load worked out by the estimation page's URL-shortener preset.
fn notes_estimate() -> Option<estimate::Estimate> {
    estimate::PRESETS[0].form().parse().ok().map(|a| estimate::estimate(&a))
}

/// The code space against the notes' load: how many links 6 and 7 symbols can name, and how many
/// the estimation page's URL-shortener preset stores in 10 years.
#[function_component(EstimateSection)]
fn estimate_section() -> Html {
    let space = |len| base62::code_space(len).unwrap_or(0);
    let shown = |n: u64| group_digits(n.into());
    let figures = notes_estimate();
    let step = |label: &str| {
        figures
            .as_ref()
            .and_then(|e| e.steps().find(|s| s.label == label))
            .map(|s| s.shown.clone())
            .unwrap_or_default()
    };
    let stored = figures.as_ref().and_then(|e| e.value("Objects stored")).unwrap_or(0.0);
    let fits = |len| if stored <= space(len) as f64 { "enough" } else { "too few" };
    html! {
        <Section id="estimate" step="Step 2 · Estimate" title="How many links fit in 7 symbols">
            <p class="big-figure"><span class="figure">{ shown(space(7)) }</span>{ " codes of 7 symbols" }</p>
            <p class="formula">{ format!("62^7 = {} (about 3.5 trillion); 62^6 = {}", shown(space(7)), shown(space(6))) }</p>
            <p>
                { format!("Base62 writes numbers with 62 symbols, 0-9, a-z and A-Z. The notes' load, 100 million new links a day \
                   and ten reads per write, means {} in writes, {} in reads and {} after 10 years ({} at 100 bytes each): \
                   6 symbols are {} for that, 7 are {}. ",
                    step("Write QPS"), step("Read QPS"), step("Objects stored"), step("Storage, all copies"), fits(6), fits(7)) }
                <a href="#/estimate?dau=100000000&rpu=11&rw=10:1&peak=2&size=100%20B&years=10&rf=1">{ "See every step on the estimation page" }</a>
                { "." }
            </p>
        </Section>
    }
}

#[derive(Properties, PartialEq)]
struct ActProps {
    act: Callback<Act>,
}

/// The shortener form: a long URL in, checked by core before anything is sent.
#[function_component(ShortenForm)]
fn shorten_form(props: &ActProps) -> Html {
    let text = use_state(String::new);
    let error = use_state(|| None::<String>);
    let onsubmit = {
        let (text, error, act) = (text.clone(), error.clone(), props.act.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match validate::check(&text) {
                Ok(_) => {
                    error.set(None);
                    act.emit(Act::Shorten((*text).clone()));
                    text.set(String::new());
                }
                Err(message) => error.set(Some(message)),
            }
        })
    };
    let oninput = {
        let (text, error) = (text.clone(), error.clone());
        Callback::from(move |value: String| {
            text.set(value);
            error.set(None);
        })
    };
    html! {
        <form class="sh-form" {onsubmit} aria-label="Shorten a link">
            <TextField id="sh-url" label="Long URL" help="The link to shorten: http or https with a host. javascript:, data: and file: links are refused."
                value={(*text).clone()} placeholder={Some(AttrValue::from("https://en.wikipedia.org/wiki/URL_shortening"))}
                error={(*error).clone().map(AttrValue::from)} inputmode="url" {oninput} />
            <button type="submit" title="Send POST /api/v1/shorten with this URL in the JSON body">{ "Shorten" }</button>
        </form>
    }
}

#[derive(Properties, PartialEq)]
struct LiveProps {
    live: Live,
    #[prop_or_default]
    act: Option<Callback<Act>>,
}

/// Your links, newest first; opening one runs the redirect flow and shows where it led.
#[function_component(LinkList)]
fn link_list(props: &LiveProps) -> Html {
    let s = &props.live.session;
    let links = s.links();
    let act = props.act.clone().unwrap_or_default();
    let last_click = s.log().iter().rev().find(|e| e.source == Source::Click);
    html! {
        <div class="sh-links">
            <h3>{ format!("Your links ({} of {} kept in this browser)", links.len(), session::MAX_LINKS) }</h3>
            if let Some(click) = last_click {
                { redirect_result(click) }
            }
            if links.is_empty() {
                <p class="note">{ "No links yet: shorten one above. They are kept in this browser's local storage and come back with the same codes after a reload." }</p>
            } else {
                <ul class="sh-link-list">
                    { for links.iter().map(|l| link_item(l, &act)) }
                </ul>
                <p class="note">{ "Links survive a reload; click counts start again with each visit, since the analytics live in the simulated service, which is not saved." }</p>
                <button type="button" class="secondary" onclick={let act = act.clone(); move |_| act.emit(Act::ForgetAll)}
                    title="Delete every link from the service and from local storage, and empty the browser's 301 cache">{ "Forget all links" }</button>
            }
        </div>
    }
}

fn link_item(l: &LinkView, act: &Callback<Act>) -> Html {
    let open = {
        let (act, code) = (act.clone(), l.code.clone());
        Callback::from(move |_: MouseEvent| act.emit(Act::Click(code.clone())))
    };
    let forget = {
        let (act, code) = (act.clone(), l.code.clone());
        Callback::from(move |_: MouseEvent| act.emit(Act::Forget(code.clone())))
    };
    html! {
        <li class="sh-link">
            <button type="button" class="linkish mono sh-short" onclick={open}
                title="Open this short link in the simulated browser: it asks the service for /code and follows the redirect">
                { l.short_url.clone() }
            </button>
            <span class="sh-long">{ "→\u{a0}" }{ l.long_url.clone() }</span>
            <span class="sh-link-meta">
                { format::plural(l.clicks, "click", "clicks") + " counted on this visit" }
                if l.cached_in_browser { <span class="sh-cached">{ " · 301 cached in the browser" }</span> }
            </span>
            <button type="button" class="secondary sh-forget" onclick={forget} title="Delete this link from the service and from local storage">{ "Forget" }</button>
        </li>
    }
}

/// Where the latest click led, and how the browser got there.
fn redirect_result(e: &Entry) -> Html {
    let (class, how) = match (&e.exchange, &e.destination) {
        (None, Some(_)) => (
            "ok",
            "from the browser's 301 cache: no request reached the service, so analytics did not count it"
                .to_string(),
        ),
        (Some((_, r)), Some(_)) => {
            ("ok", format!("{} from the service; the browser followed the Location header", r.status_line()))
        }
        (Some((_, r)), None) => {
            ("deny", format!("{}: {}", r.status_line(), session::error_message(r).unwrap_or_default()))
        }
        (None, None) => ("deny", "no answer".to_string()),
    };
    let code = e.exchange.as_ref().map(|(q, _)| q.path.clone());
    html! {
        <div class={classes!("sh-redirect", class)} aria-live="polite">
            <p class="sh-dest">
                { format!("Latest click (#{} in the request log): ", e.n) }
                if let Some(d) = &e.destination { { "the browser went to " }<a href={d.clone()} rel="noopener noreferrer nofollow" class="mono" title="The long URL the short link leads to (opening it leaves the playground)">{ d.clone() }</a> }
                else { { "the browser stayed on " }<code>{ code.unwrap_or_default() }</code> }
            </p>
            <p class="note">{ how }</p>
        </div>
    }
}

/// Where the diagram's six boxes and six arrows go: three columns on a wide screen, two on a
/// phone (CSS shows one of the two drawings).
struct DiagramLayout {
    name: &'static str,
    view: &'static str,
    /// Top-left corners: browser, rate limiter, service, cache, store, analytics.
    boxes: [(u32, u32); 6],
    /// Browser → limiter, limiter → service, service → cache, cache → store, service → store,
    /// service → analytics.
    arrows: [&'static str; 6],
}

const WIDE: DiagramLayout = DiagramLayout {
    name: "wide",
    view: "0 0 420 200",
    boxes: [(4, 6), (148, 6), (292, 6), (292, 116), (148, 116), (4, 116)],
    arrows: [
        "M128 45 H146",
        "M272 45 H290",
        "M354 84 V114",
        "M292 155 H274",
        "M300 84 L262 114",
        "M316 84 V99 H66 V114",
    ],
};

const NARROW: DiagramLayout = DiagramLayout {
    name: "narrow",
    view: "0 0 280 302",
    boxes: [(6, 6), (150, 6), (150, 112), (150, 218), (6, 218), (6, 112)],
    arrows: [
        "M130 45 H148",
        "M212 84 V110",
        "M212 190 V216",
        "M150 257 H132",
        "M162 190 L104 216",
        "M150 151 H132",
    ],
};

/// The architecture, drawn from the service's counters, with the latest request's path lit.
#[function_component(Diagram)]
fn diagram(props: &LiveProps) -> Html {
    let s = &props.live.session;
    let c = s.service().counters();
    let cache = s.service().cache();
    let last = s.log().last();
    let t = last.map(|e| e.touched.clone()).unwrap_or_default();
    let browser_only = last.is_some_and(|e| e.exchange.is_none());
    let reached = last.is_some_and(|e| e.exchange.is_some());
    let n = |x: u64| group_digits(x.into());
    let top = s.service().clicks().iter().max_by_key(|(code, k)| (**k, std::cmp::Reverse((*code).clone())));
    // A lit box: "bad" when it refused the request or found nothing, "miss" for a cache miss.
    let hot =
        |on: bool, flag: Option<&'static str>| classes!("sh-box", on.then_some("hot"), flag.filter(|_| on));
    let by = |lo: u16, hi: u16| c.by_status.range(lo..hi).map(|(_, k)| k).sum::<u64>();
    let summary = format!(
        "Requests {}, rate-limited {}, cache hits {}, cache misses {}, rows stored {}, clicks counted {}",
        n(c.requests),
        n(c.rate_limited),
        n(cache.hits()),
        n(cache.misses()),
        n(s.service().rows().count() as u64),
        n(c.clicks)
    );
    let not_found = t.store == Some(StoreOp::Read { found: false });
    // The six boxes (browser, rate limiter, service, cache, store, analytics) and the six arrows
    // (browser → limiter → service → cache → store, service → store without a cache, service →
    // analytics), each lit when the latest request went through it.
    let boxes: [(Classes, &str, [String; 3]); 6] = [
        (
            hot(last.is_some(), None),
            "Browser",
            [
                format::plural(c.requests, "request", "requests") + " sent",
                format::plural(s.browser().cached().len() as u64, "301", "301s") + " cached",
                if browser_only { "from its cache".into() } else { String::new() },
            ],
        ),
        (
            hot(t.limiter.is_some(), (t.limiter == Some(false)).then_some("bad")),
            "Rate limiter",
            [
                format!("{} admitted", n(c.admitted)),
                format!("{} × 429", n(c.rate_limited)),
                "(shorten only)".into(),
            ],
        ),
        (
            hot(reached, None),
            "Service",
            [
                format!("2xx {} · 3xx {}", n(by(200, 300)), n(by(300, 400))),
                format!("4xx {} · 5xx {}", n(by(400, 500)), n(by(500, 600))),
                String::new(),
            ],
        ),
        (
            hot(t.cache.is_some(), (t.cache == Some(false)).then_some("miss")),
            "Cache (LRU)",
            [
                format::plural(cache.hits(), "hit", "hits"),
                format::plural(cache.misses(), "miss", "misses"),
                format!(
                    "{} of {}",
                    n(cache.len() as u64),
                    format::plural(cache.capacity() as u64, "entry", "entries")
                ),
            ],
        ),
        (
            hot(t.store.is_some(), not_found.then_some("bad")),
            "Store",
            [
                format::plural(s.service().rows().count() as u64, "row", "rows"),
                format::plural(c.store_reads, "read", "reads"),
                format::plural(c.store_writes, "write", "writes"),
            ],
        ),
        (
            hot(t.counted, None),
            "Analytics",
            [
                format::plural(c.clicks, "click", "clicks"),
                top.map_or_else(
                    || "no clicks yet".to_string(),
                    |(_, k)| format!("top: {}", format::plural(*k, "click", "clicks")),
                ),
                top.map_or_else(String::new, |(code, _)| code.clone()),
            ],
        ),
    ];
    let lit = [
        t.limiter.is_some(),
        reached,
        t.cache.is_some(),
        t.store.is_some() && t.cache.is_some(),
        t.store.is_some() && t.cache.is_none(),
        t.counted,
    ];
    let drawing = |layout: &DiagramLayout| {
        let head = format!("sh-head-{}", layout.name);
        html! {
            <svg class={format!("sh-{}", layout.name)} viewBox={layout.view} role="img" aria-label={summary.clone()}>
                <defs>
                    <marker id={head.clone()} viewBox="0 0 8 8" refX="7" refY="4" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse">
                        <path d="M0 0 L8 4 L0 8 z" class="sh-head" />
                    </marker>
                </defs>
                { for layout.arrows.iter().zip(lit).map(|(d, on)| html! {
                    <path class={classes!("sh-arrow", on.then_some("hot"))} d={*d} marker-end={format!("url(#{head})")} />
                }) }
                { for layout.boxes.iter().zip(&boxes).map(|(&(x, y), (class, title, lines))| html! {
                    <g class={class.clone()}>
                        <rect x={x.to_string()} y={y.to_string()} width="124" height="78" rx="6" />
                        <text class="sh-box-title" x={(x + 7).to_string()} y={(y + 17).to_string()}>{ *title }</text>
                        { for lines.iter().enumerate().map(|(i, line)| html! {
                            <text x={(x + 7).to_string()} y={(y + 35 + 14 * i as u32).to_string()}>{ line.clone() }</text>
                        }) }
                    </g>
                }) }
            </svg>
        }
    };
    html! {
        <figure class="sh-diagram">
            { drawing(&WIDE) }
            { drawing(&NARROW) }
            <figcaption>
                { "Counts since the page opened or a setting changed (your saved links are loaded first and not counted). The latest request's path is drawn bold; a dashed red box refused it or found nothing, a dashed amber cache missed." }
            </figcaption>
        </figure>
    }
}

#[derive(Properties, PartialEq)]
struct SettingsProps {
    config: Config,
    cache_text: String,
    cache_error: Option<String>,
    set: Callback<(&'static str, String)>,
    act: Callback<Act>,
    cached: usize,
}

/// The code scheme, the redirect status and the cache size.
#[function_component(Settings)]
fn settings(props: &SettingsProps) -> Html {
    let select = |key: &'static str| {
        let set = props.set.clone();
        Callback::from(move |e: Event| {
            set.emit((key, e.target_unchecked_into::<HtmlSelectElement>().value()))
        })
    };
    let on_cache = {
        let set = props.set.clone();
        Callback::from(move |v: String| set.emit((CACHE_KEY, v)))
    };
    let clear = {
        let act = props.act.clone();
        Callback::from(move |_: MouseEvent| act.emit(Act::ClearBrowserCache))
    };
    let scheme_help = "How codes are made: base62 of the row's unique ID (never collides, but guessable), or a prefix of the long URL's SHA-1 digest (collisions rehashed with a salt). Switching makes your links' codes again under the new scheme; changing the redirect or the cache keeps them.";
    let redirect_help = "301 Moved Permanently: the browser caches it and later clicks skip the service. 302 Found: every click comes back and is counted.";
    html! {
        <form class="fields sh-settings" aria-label="Service settings" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
            <div class="field">
                <label for="sh-codes" title={scheme_help}>{ "Codes" }</label>
                <select id="sh-codes" title={scheme_help} onchange={select(CODES_KEY)}>
                    { for SCHEMES.iter().map(|(key, scheme, label)| html! { <option value={*key} selected={*scheme == props.config.scheme}>{ *label }</option> }) }
                </select>
            </div>
            <div class="field">
                <label for="sh-redirect" title={redirect_help}>{ "Redirect status" }</label>
                <select id="sh-redirect" title={redirect_help} onchange={select(REDIRECT_KEY)}>
                    <option value="302" selected={props.config.redirect == Redirect::Found}>{ "302 Found" }</option>
                    <option value="301" selected={props.config.redirect == Redirect::Permanent}>{ "301 Moved Permanently" }</option>
                </select>
            </div>
            <TextField id="sh-cache" label="Cache size (entries)" help="How many code → URL entries the LRU cache in front of the store holds; 0 turns the cache off."
                value={props.cache_text.clone()} error={props.cache_error.clone().map(AttrValue::from)} inputmode="numeric" oninput={on_cache} />
            <p class="note">
                { format!("Shortening is limited per client by a token bucket: {} at once, then {} a minute; a refusal is 429 with Retry-After.", props.config.burst, props.config.refill.count) }
            </p>
            <button type="button" class="secondary" onclick={clear} disabled={props.cached == 0}
                title="Forget the redirects this browser has cached, as clearing browsing data does">
                { format!("Clear the browser's 301 cache ({})", props.cached) }
            </button>
        </form>
    }
}

/// What a code gives away: base62 codes decoded and the next one predicted; hash codes' odds.
#[function_component(Codes)]
fn codes(props: &LiveProps) -> Html {
    let s = &props.live.session;
    // The prediction is made when the panel renders (after every action); "Predict again" renders it anew.
    let tick = use_state(|| 0u32);
    let again = {
        let tick = tick.clone();
        Callback::from(move |_: MouseEvent| tick.set(tick.wrapping_add(1)))
    };
    let space7 = base62::code_space(7).map_or_else(String::new, |n| group_digits(n.into()));
    let Some(p) = s.prediction(now_ms()) else {
        let len = match s.config().scheme {
            Scheme::HashPrefix { len } => len as u32,
            Scheme::Base62 => 7,
        };
        let space = base62::code_space(len).map_or_else(String::new, |n| group_digits(n.into()));
        let c = s.service().counters();
        return html! {
            <div class="sh-codes">
                <h3>{ "Hash-prefix codes" }</h3>
                <p>{ format!("A code is the first {len} base62 symbols' worth of SHA-1(long URL): {space} possible codes, so nothing about one code tells you another. Different URLs can share a prefix; the store is checked and a collision is rehashed with a salt.") }</p>
                <p class="sh-figure">{ format!("{}, {} on this visit", format::plural(c.collisions, "collision", "collisions"), format::plural(c.retries, "retry", "retries")) }</p>
            </div>
        };
    };
    let time = |ms: u64| UtcTime::from_unix_ms(ms as i128).to_string();
    // A plain sequence numbering the notes' links from 0 needs the symbols of its largest number.
    let stored = notes_estimate().and_then(|e| e.value("Objects stored")).unwrap_or(0.0);
    let sequence_symbols = base62::encode((stored as u64).saturating_sub(1)).len();
    html! {
        <div class="sh-codes">
            <h3>{ "Base62 codes are guessable" }</h3>
            if let Some((code, d)) = &p.latest {
                <p>
                    { "Your newest code " }<code>{ code.clone() }</code>{ " decodes (base62 is two-way) to the snowflake ID " }
                    <code>{ group_digits(d.id.into()) }</code>{ format!(": made at {}, data centre {}, machine {}, sequence {}.",
                        d.utc, d.field("data centre").unwrap_or(0), d.field("machine").unwrap_or(0), d.field("sequence").unwrap_or(0)) }
                </p>
                <p class="sh-code-length">{ format!(
                    "Why {}, when Step 2 finds {} enough? The ID is a 64-bit snowflake: its time, machine and sequence packed into one large number. A plain sequence numbering the {} links the notes' load stores in 10 years, from 0, would need only {}.",
                    format::plural(code.chars().count() as u64, "symbol", "symbols"),
                    sequence_symbols,
                    format::count(stored),
                    sequence_symbols,
                ) }</p>
                <p>{ "A link made in the same millisecond gets " }<code class="sh-next-same">{ p.next_same_ms.clone().unwrap_or_default() }</code>{ "." }</p>
            }
            <p class="sh-figure">
                { "Next code, if a link is shortened now (" }{ time(p.now_ms) }{ "): " }
                <code class="sh-next">{ p.next_now.clone().unwrap_or_default() }</code>
            </p>
            <p class="note">{ format!("A scanner that tries sequence 0 of every millisecond finds most links of a second in 1,000 guesses; a random 7-symbol code hides among {space7}.") }</p>
            <button type="button" class="secondary" onclick={again} title="Work out the next code again at the current time">{ "Predict again" }</button>
        </div>
    }
}

/// The request builder and every exchange of this visit, newest first.
#[function_component(Inspector)]
fn inspector(props: &LiveProps) -> Html {
    let method = use_state(|| "POST".to_string());
    let path = use_state(|| "/api/v1/shorten".to_string());
    let body = use_state(|| "{\"longUrl\": \"https://example.com/\"}".to_string());
    let act = props.act.clone().unwrap_or_default();
    let s = &props.live.session;
    let any_code = s.links().first().map_or_else(|| "abc123".to_string(), |l| l.code.clone());
    let presets: [(&str, &str, String, String, &str); 5] = [
        (
            "Shorten",
            "POST",
            "/api/v1/shorten".into(),
            "{\"longUrl\": \"https://example.com/\"}".into(),
            "A valid shorten request: 201 (or 200 for a URL already stored)",
        ),
        (
            "Bad body",
            "POST",
            "/api/v1/shorten".into(),
            "{\"url\": 42".into(),
            "A body that is not the JSON the endpoint wants: 400",
        ),
        (
            "Look up",
            "GET",
            format!("/api/v1/longUrl?code={any_code}"),
            String::new(),
            "Ask for a code's long URL (not a click): 200 or 404",
        ),
        (
            "Redirect",
            "GET",
            format!("/{any_code}"),
            String::new(),
            "The short link itself: 301 or 302 with Location, straight to the service (no browser cache)",
        ),
        (
            "Unknown code",
            "GET",
            "/zzzzzzz".into(),
            String::new(),
            "A code no link has: 404 with a JSON error",
        ),
    ];
    let preset_buttons = presets.into_iter().map(|(label, m, p, b, help)| {
        let (method, path, body) = (method.clone(), path.clone(), body.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            method.set(m.to_string());
            path.set(p.clone());
            body.set(b.clone());
        });
        html! { <button type="button" class="preset" {onclick} title={help}>{ label }</button> }
    });
    let onsubmit = {
        let (method, path, body, act) = (method.clone(), path.clone(), body.clone(), act.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = if *method == "GET" { String::new() } else { (*body).clone() };
            act.emit(Act::Send { method: (*method).clone(), path: (*path).clone(), body });
        })
    };
    let burst = {
        let act = act.clone();
        Callback::from(move |_: MouseEvent| {
            for i in 0..6 {
                act.emit(Act::Send {
                    method: "POST".into(),
                    path: "/api/v1/shorten".into(),
                    body: format!("{{\"longUrl\": \"https://example.com/burst/{i}\"}}"),
                });
            }
        })
    };
    let on_method = {
        let method = method.clone();
        Callback::from(move |e: Event| method.set(e.target_unchecked_into::<HtmlSelectElement>().value()))
    };
    let on_path = {
        let path = path.clone();
        Callback::from(move |e: InputEvent| path.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let on_body = {
        let body = body.clone();
        Callback::from(move |e: InputEvent| {
            body.set(e.target_unchecked_into::<HtmlTextAreaElement>().value())
        })
    };
    html! {
        <div class="sh-inspector">
            <h3>{ "Request inspector" }</h3>
            <p class="note">{ format!("Every request the page sends to {SHORT_BASE} and the response it got, newest first, the way an API client shows them. Build your own below.") }</p>
            <form class="sh-builder" aria-label="Send a request by hand" {onsubmit}>
                <div class="presets"><span class="presets-label">{ "Try:" }</span>{ for preset_buttons }
                    <button type="button" class="preset" onclick={burst} title="Six shorten requests at once: the token bucket holds five, so the sixth gets 429 Too Many Requests">{ "Burst of 6 (429)" }</button>
                </div>
                <div class="sh-line">
                    <label class="inline-field" title="The HTTP method">{ "Method " }
                        <select id="sh-method" title="The HTTP method" onchange={on_method}>
                            { for ["GET", "POST", "PUT"].iter().map(|m| html! { <option value={*m} selected={*m == *method}>{ *m }</option> }) }
                        </select>
                    </label>
                    <label class="inline-field sh-path" title="The path and query, as in the request line">{ "Path " }
                        <input id="sh-path" type="text" value={(*path).clone()} oninput={on_path} spellcheck="false" autocomplete="off" title="The path and query, as in the request line" />
                    </label>
                </div>
                <label class="field" title="The JSON body (sent with POST and PUT only)">
                    <span>{ "Body" }</span>
                    <textarea id="sh-body" rows="2" value={(*body).clone()} oninput={on_body} spellcheck="false" disabled={*method == "GET"}
                        title="The JSON body (sent with POST and PUT only)" />
                </label>
                <button type="submit" title="Send this request to the simulated service">{ "Send" }</button>
            </form>
            <ol class="sh-log" reversed=true>
                { for s.log().iter().rev().take(20).enumerate().map(|(i, e)| exchange(e, i == 0)) }
            </ol>
            if s.log().is_empty() {
                <p class="note">{ "No requests yet on this visit." }</p>
            }
        </div>
    }
}

/// One exchange: the request as sent and the response with its status line, headers and body.
fn exchange(e: &Entry, open: bool) -> Html {
    let (summary, class, texts) = match &e.exchange {
        Some((q, r)) => {
            let class = match r.status {
                200..=299 => "ok",
                300..=399 => "wait",
                _ => "deny",
            };
            (
                format!("#{} {} {} → {} {}", e.n, q.method, q.path, r.status, r.reason),
                class,
                Some((q.text(), r.text())),
            )
        }
        None => (
            format!(
                "#{} click → {} (browser's 301 cache, no request)",
                e.n,
                e.destination.clone().unwrap_or_default()
            ),
            "ok",
            None,
        ),
    };
    html! {
        <li class={classes!("sh-exchange", class)}>
            <details {open}>
                <summary title="Show or hide the request and the response"><span class="sh-source">{ e.source.label() }</span>{ summary }</summary>
                if let Some((request, response)) = texts {
                    <pre class={classes!("http", "sh-request")}>{ request }</pre>
                    <pre class={classes!("http", "sh-response", class)}>{ response }</pre>
                } else {
                    <p class="note">{ "The browser had this link's 301 in its cache and went straight to the long URL: nothing reached the service, and analytics did not count the click." }</p>
                }
                if let Some(note) = &e.note { <p class="note">{ note.clone() }</p> }
            </details>
        </li>
    }
}

#[derive(Properties, PartialEq)]
struct SeedProps {
    seed: u64,
}

/// The notes' four claims, each run live with its figure.
#[function_component(Experiments)]
fn experiments_section(props: &SeedProps) -> Html {
    let seed = props.seed;
    let counts = use_state(|| None::<(u64, u64, u64)>);
    let cache = use_state(|| None::<Rc<Vec<CachePoint>>>);
    let collisions = use_state(|| None::<Rc<Vec<(u8, Vec<CollisionPoint>)>>>);
    let collision_outcome = use_state(|| None::<Outcome>);
    let progress = use_state(|| None::<f64>);
    let run_analytics = {
        let counts = counts.clone();
        Callback::from(move |_| match experiments::analytics_301_vs_302(20, 5) {
            Ok((r, o)) => {
                counts.set(Some((r.counted_301, r.counted_302, (r.browsers * r.clicks_each) as u64)));
                o
            }
            Err(e) => experiment::broken("—", e),
        })
    };
    let run_cache = {
        let cache = cache.clone();
        Callback::from(move |_| {
            match experiments::cache_hit_rate(1_000, 50_000, 1.0, &[5, 10, 20, 50, 100, 200, 500], seed) {
                Ok((points, o)) => {
                    cache.set(Some(Rc::new(points)));
                    o
                }
                Err(e) => experiment::broken("—", e),
            }
        })
    };
    let run_guess = Callback::from(move |_| match experiments::predictability(100, 20_000, seed) {
        Ok((_, o)) => o,
        Err(e) => experiment::broken("—", e),
    });
    let start_collisions = {
        let (collisions, outcome, progress) =
            (collisions.clone(), collision_outcome.clone(), progress.clone());
        Callback::from(move |_| {
            if progress.is_some() {
                return;
            }
            progress.set(Some(0.0));
            let (collisions, outcome, progress) = (collisions.clone(), outcome.clone(), progress.clone());
            yew::platform::spawn_local(async move {
                sleep(Duration::from_millis(16)).await;
                let mut run = match CollisionRun::new(&[6, 7], COLLISION_URLS, 20) {
                    Ok(run) => run,
                    Err(e) => {
                        outcome.set(Some(experiment::broken("—", e)));
                        progress.set(None);
                        return;
                    }
                };
                while !run.is_finished() {
                    let done = run.advance(COLLISION_SLICE);
                    progress.set(Some(done));
                    sleep(Duration::ZERO).await;
                }
                collisions.set(Some(Rc::new(run.points())));
                outcome.set(Some(run.outcome()));
                progress.set(None);
            });
        })
    };
    let analytics_chart = counts.map(|(c301, c302, total)| {
        let columns = vec![
            Column {
                label: "301".into(),
                value: c301 as f64,
                shown: group_digits(c301.into()).into(),
                class: "series-a".into(),
            },
            Column {
                label: "302".into(),
                value: c302 as f64,
                shown: group_digits(c302.into()).into(),
                class: "series-b".into(),
            },
        ];
        html! { <Columns caption={format!("Clicks analytics counted, of {total} made")} {columns}
        reference={Some((total as f64, AttrValue::from("all")))} y_label="clicks counted" /> }
    });
    let cache_chart = cache.as_ref().map(|points| {
        let ticks = [5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0];
        html! {
            <XyPlot caption="LRU hit rate against cache size, 1,000 links, Zipf s = 1"
                x={Axis { label: "cache size (entries), log scale".into(), log: true, min: 5.0, max: 500.0,
                    ticks: ticks.iter().map(|&t| (t, AttrValue::from(format::count(t)))).collect() }}
                y={Axis { label: "hit rate".into(), log: false, min: 0.0, max: 1.0,
                    ticks: [0.0, 0.25, 0.5, 0.75, 1.0].iter().map(|&t| (t, AttrValue::from(format!("{}%", t * 100.0)))).collect() }}
                series={vec![
                    Series { label: "measured".into(), points: points.iter().map(|p| (p.size as f64, p.measured)).collect(), mark: Mark::Dots, class: "series-a".into() },
                    Series { label: "Che's approximation".into(), points: points.iter().map(|p| (p.size as f64, p.che)).collect(), mark: Mark::Dashed, class: "series-b".into() },
                ]} />
        }
    });
    let collision_chart = collisions.as_ref().map(|runs| {
        let highest = runs.iter().flat_map(|(_, p)| p.iter().map(|q| q.collisions as f64)).fold(0.0, f64::max).max(
            experiments::expected_collisions(COLLISION_URLS, base62::code_space(6).unwrap_or(1)) * 1.2,
        );
        // A round top and ticks every 5 (every 10 above 25).
        let step = if highest > 25.0 { 10.0 } else { 5.0 };
        let top = (highest / step).ceil().max(1.0) * step;
        let y_ticks: Vec<(f64, AttrValue)> =
            (0..=(top / step) as u32).map(|i| (i as f64 * step, AttrValue::from(format::count(i as f64 * step)))).collect();
        let mut series = Vec::new();
        for (len, points) in runs.iter() {
            let class = if *len == 6 { "series-a" } else { "series-b" };
            let (measured, theory) = if *len == 6 { (Mark::Dots, Mark::Dashed) } else { (Mark::Squares, Mark::Dotted) };
            series.push(Series { label: format!("{len} symbols, measured").into(), points: points.iter().map(|p| (p.stored as f64, p.collisions as f64)).collect(), mark: measured, class: class.into() });
            series.push(Series { label: format!("{len} symbols, n(n−1)/(2·62^{len})").into(), points: points.iter().map(|p| (p.stored as f64, p.expected)).collect(), mark: theory, class: class.into() });
        }
        html! {
            <XyPlot caption="Hash-prefix collisions against URLs stored"
                x={Axis { label: "URLs stored (k: thousand, M: million)".into(), log: false, min: 0.0, max: COLLISION_URLS as f64,
                    ticks: [(0.0, "0"), (250_000.0, "250k"), (500_000.0, "500k"), (750_000.0, "750k"), (1_000_000.0, "1M")].iter().map(|&(t, l)| (t, AttrValue::from(l))).collect() }}
                y={Axis { label: "collisions (each one a salted retry)".into(), log: false, min: 0.0, max: top, ticks: y_ticks }}
                {series} />
        }
    });
    html! {
        <ul class="experiments">
            <ExperimentCard claim="A 301 is cached by the browser, so analytics miss repeat clicks; a 302 sends every click back to be counted."
                source="the notes, \"URL Shortener\"; RFC 9110 §15.4.2 (301 is cacheable)" run={run_analytics}>
                { for analytics_chart }
            </ExperimentCard>
            <SlicedExperimentCard claim="A short prefix of a hash collides as links pile up: about n²/(2·62^len) times, far more at 6 symbols than at 7."
                source="the notes, \"Design Pointers\" 1 and 3; the birthday bound" start={start_collisions}
                progress={*progress} outcome={(*collision_outcome).clone()}>
                { for collision_chart }
            </SlicedExperimentCard>
            <ExperimentCard claim="A small LRU cache in front of the store answers most clicks when a few links are popular (Zipf)."
                source="the notes, \"Design Pointers\" 5; Che, Tung and Wang 2002 (LRU approximation)" run={run_cache}>
                { for cache_chart }
            </ExperimentCard>
            <ExperimentCard claim="Base62 of a sequential ID can be reversed: from one code, 10 guesses find the next link's code most of the time."
                source="the notes, \"Design Pointers\" 2 (\"can be reverse engg to find next id\")" run={run_guess} />
        </ul>
    }
}

/// The trade-offs in a short table.
#[function_component(SummarySection)]
fn summary_section() -> Html {
    let rows = [
        (
            "Base62 of a unique ID",
            "Never collides; one lookup per shorten",
            "Guessable: the next code follows from the last",
            "Variable (11 for a snowflake)",
        ),
        (
            "SHA-1 prefix",
            "Same URL, same code without a lookup; codes reveal nothing",
            "Collisions grow with n²: check the store, rehash with a salt",
            "Fixed: 6 or 7",
        ),
        (
            "301 Moved Permanently",
            "Fewer requests: browsers go straight to the target",
            "Analytics miss every repeat click",
            "",
        ),
        ("302 Found", "Every click counted", "Every click costs a request", ""),
    ];
    html! {
        <Section id="summary" step="Step 5 · Summarize" title="Summary">
            <p>
                { "Base62 codes never collide but give the next link away; hash prefixes hide it but collide as the table grows, \
                   more at 6 symbols than at 7. A 302 costs a request per click and buys complete analytics; a 301 saves \
                   the requests and loses the counts. The cache turns the few popular links into memory reads." }
            </p>
            <div class="table-scroll">
                <table class="summary">
                    <thead><tr><th scope="col">{ "Choice" }</th><th scope="col">{ "Gains" }</th><th scope="col">{ "Costs" }</th><th scope="col">{ "Code length" }</th></tr></thead>
                    <tbody>
                        { for rows.iter().map(|(a, b, c, d)| html! { <tr><th scope="row">{ *a }</th><td>{ *b }</td><td>{ *c }</td><td>{ *d }</td></tr> }) }
                    </tbody>
                </table>
            </div>
        </Section>
    }
}
