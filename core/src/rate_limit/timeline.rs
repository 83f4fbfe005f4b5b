//! The page's live run: one traffic pattern fed to every algorithm side by side, one lane per
//! algorithm, advanced to any time; each lane keeps every request with the decision and response
//! it got, live counts and the algorithm's state. Also the page's form: every parameter as text
//! (what a person typed, or what the URL holds), parsed with a message per bad field.

use super::traffic::{Pattern, Request, Source};
use super::{
    ClientId, Config, Decision, FixedWindow, Kind, LeakyBucket, Limiter, MaxInSpan, Memory, Millis, Rate,
    SlidingLog, StateView, SubWindowCounter, TokenBucket, TwoWindowCounter, Verdict,
};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The six rows of the page with comparable parameters: `limit` requests per `window_ms` for the
/// window algorithms, a bucket and a queue of `limit` emptied or refilled at `limit` per window,
/// and sub-windows of a tenth of the window (or the nearest divisor).
pub fn default_configs(window_ms: Millis, limit: u32) -> Vec<Config> {
    let rate = Rate { count: limit, per_ms: window_ms };
    let sub = super::sliding_counter::suggested_sub_window(window_ms);
    vec![
        Config::TokenBucket(TokenBucket::new(limit, rate)),
        Config::LeakyBucket(LeakyBucket::new(limit, rate)),
        Config::FixedWindow(FixedWindow::new(window_ms, limit)),
        Config::SlidingLog(SlidingLog::new(window_ms, limit)),
        Config::SubWindowCounter(SubWindowCounter::new(window_ms, sub, limit)),
        Config::TwoWindowCounter(TwoWindowCounter::new(window_ms, limit)),
    ]
}

/// Everything a run needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineConfig {
    /// The window the live counts measure "the most admitted in one window length" over.
    pub window_ms: Millis,
    pub configs: Vec<Config>,
    pub pattern: Pattern,
    pub seed: u64,
    pub duration_ms: Millis,
}

/// One request as one lane saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub request: Request,
    pub decision: Decision,
}

impl Event {
    /// When the API receives the request: at once, after its queueing delay, or never.
    pub fn reaches_api_at(&self) -> Option<Millis> {
        match self.decision.verdict {
            Verdict::Allowed => Some(self.request.at),
            Verdict::Queued { delay_ms } => Some(self.request.at + delay_ms),
            Verdict::Denied { .. } => None,
        }
    }
}

/// Live counts of one lane.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaneStats {
    pub requests: u64,
    /// Passed at once.
    pub allowed: u64,
    /// Passed after waiting in the leaky bucket's queue.
    pub queued: u64,
    pub denied: u64,
    /// Admitted within the soft allowance, beyond the hard limit.
    pub over_limit: u64,
    /// The most requests of one client that reached the API within one window length.
    pub max_in_window: u64,
    /// Summed queueing delay, ms.
    pub total_delay_ms: u64,
    /// Admitted requests the API has received by now: a queued one counts once it leaves the
    /// queue, not when it joins it.
    pub reached_api: u64,
}

/// One algorithm's lane.
#[derive(Clone, Debug)]
pub struct Lane {
    pub config: Config,
    limiter: Box<dyn Limiter>,
    source: Source,
    pub events: Vec<Event>,
    pub stats: LaneStats,
    span: MaxInSpan,
    /// When each queued request still waiting will reach the API, soonest first.
    in_queue: BinaryHeap<Reverse<Millis>>,
}

impl Lane {
    pub fn kind(&self) -> Kind {
        self.config.kind()
    }

    /// What the algorithm keeps for `client` at `now`.
    pub fn view(&self, client: ClientId, now: Millis) -> StateView {
        self.limiter.view(client, now)
    }

    pub fn memory(&self) -> Memory {
        self.limiter.memory()
    }

    /// The events whose request was sent in `[from, to)`.
    pub fn events_between(&self, from: Millis, to: Millis) -> &[Event] {
        let start = self.events.partition_point(|e| e.request.at < from);
        let end = self.events.partition_point(|e| e.request.at < to);
        &self.events[start..end.max(start)]
    }

    /// The event of request `id`, if it has been sent.
    pub fn event(&self, id: u64) -> Option<&Event> {
        self.events.iter().find(|e| e.request.id == id)
    }

    /// The closed-loop tallies (honouring, impatient), for the retrying pattern.
    pub fn retry_tallies(&self) -> (super::traffic::RetryTally, super::traffic::RetryTally) {
        (self.source.honouring, self.source.impatient)
    }
}

/// Every lane, advanced together.
#[derive(Clone, Debug)]
pub struct Timeline {
    pub lanes: Vec<Lane>,
    now: Millis,
    config: TimelineConfig,
}

impl Timeline {
    pub fn new(config: &TimelineConfig) -> Result<Timeline, String> {
        let source = Source::new(&config.pattern, config.seed, config.duration_ms)?;
        let lanes = config
            .configs
            .iter()
            .map(|c| {
                Ok(Lane {
                    config: *c,
                    limiter: c.build()?,
                    source: source.clone(),
                    events: Vec::new(),
                    stats: LaneStats::default(),
                    span: MaxInSpan::new(config.window_ms),
                    in_queue: BinaryHeap::new(),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Timeline { lanes, now: 0, config: config.clone() })
    }

    pub fn config(&self) -> &TimelineConfig {
        &self.config
    }

    /// The time up to which every request has been decided (inclusive).
    pub fn now(&self) -> Millis {
        self.now
    }

    /// The end of the run.
    pub fn end(&self) -> Millis {
        self.config.duration_ms
    }

    pub fn is_finished(&self) -> bool {
        self.now >= self.config.duration_ms
    }

    /// Decides every request sent up to and including `t` (a `t` before now changes nothing).
    pub fn advance_to(&mut self, t: Millis) {
        let t = t.min(self.config.duration_ms);
        for lane in &mut self.lanes {
            while lane.source.peek_time().is_some_and(|at| at <= t) {
                let Some(request) = lane.source.next_request() else { break };
                let decision = lane.limiter.decide(request.client, request.at);
                lane.source.answer(&request, &decision);
                let event = Event { request, decision };
                let s = &mut lane.stats;
                s.requests += 1;
                match decision.verdict {
                    Verdict::Allowed => s.allowed += 1,
                    Verdict::Queued { delay_ms } => {
                        s.queued += 1;
                        s.total_delay_ms += delay_ms;
                    }
                    Verdict::Denied { .. } => s.denied += 1,
                }
                s.over_limit += decision.over_limit as u64;
                if let Some(at) = event.reaches_api_at() {
                    lane.span.admit(request.client, at);
                    s.max_in_window = lane.span.max();
                    lane.in_queue.push(Reverse(at));
                }
                lane.events.push(event);
            }
            while lane.in_queue.peek().is_some_and(|&Reverse(at)| at <= t) {
                lane.in_queue.pop();
                lane.stats.reached_api += 1;
            }
        }
        self.now = self.now.max(t);
    }

    /// The time of the next request any lane has not decided yet: where "step" goes.
    pub fn next_request_time(&self) -> Option<Millis> {
        self.lanes.iter().filter_map(|l| l.source.peek_time()).min()
    }

    /// The time of the latest request sent before now: where "step back" goes (every request
    /// after it undone), or 0.
    pub fn previous_request_time(&self) -> Millis {
        self.lanes
            .iter()
            .filter_map(|l| l.events.iter().rev().map(|e| e.request.at).find(|&at| at < self.now))
            .max()
            .unwrap_or(0)
    }

    /// Requests the API has received by now per second of elapsed time, for a lane (a request
    /// still in the leaky bucket's queue is not counted yet, as in [`Event::reaches_api_at`]).
    pub fn effective_rate(&self, lane: usize) -> f64 {
        match self.lanes.get(lane) {
            Some(l) if self.now > 0 => l.stats.reached_api as f64 * 1000.0 / self.now as f64,
            _ => 0.0,
        }
    }

    /// The clients of the pattern: 0, 1, ... (the heavy hitter is 0).
    pub fn clients(&self) -> u64 {
        let n = self.config.pattern.clients() as u64;
        match self.config.pattern {
            Pattern::HeavyHitter { .. } => n + 1,
            _ => n,
        }
    }
}

/// The most requests the page's run may hold: every lane keeps every request with its answer
/// (about 56 bytes each, six lanes), so this bounds the tab's memory to tens of megabytes.
pub const PAGE_MAX_REQUESTS: u64 = 100_000;

/// One field of the page's form; its key names it in the URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Param {
    Limit,
    Window,
    SubWindow,
    BucketSize,
    Refill,
    QueueSize,
    Outflow,
    Soft,
    LogRejected,
    Traffic,
    Clients,
    Rate,
    Burst,
    Every,
    HeavyRate,
    Honouring,
    Impatient,
    Seed,
    Duration,
}

/// The traffic patterns as the form names them.
pub const TRAFFIC_KINDS: [(&str, &str); 6] = [
    ("poisson", "Poisson (random arrivals)"),
    ("steady", "Steady"),
    ("bursts", "Bursts"),
    ("edge", "Burst at each window edge"),
    ("heavy", "Many clients, one heavy hitter"),
    ("retry", "Retry-After honoured vs ignored"),
];

impl Param {
    pub const ALL: [Param; 19] = [
        Param::Limit,
        Param::Window,
        Param::SubWindow,
        Param::BucketSize,
        Param::Refill,
        Param::QueueSize,
        Param::Outflow,
        Param::Soft,
        Param::LogRejected,
        Param::Traffic,
        Param::Clients,
        Param::Rate,
        Param::Burst,
        Param::Every,
        Param::HeavyRate,
        Param::Honouring,
        Param::Impatient,
        Param::Seed,
        Param::Duration,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Param::Limit => "limit",
            Param::Window => "window",
            Param::SubWindow => "sub",
            Param::BucketSize => "bucket",
            Param::Refill => "refill",
            Param::QueueSize => "queue",
            Param::Outflow => "outflow",
            Param::Soft => "soft",
            Param::LogRejected => "logrej",
            Param::Traffic => "traffic",
            Param::Clients => "clients",
            Param::Rate => "rate",
            Param::Burst => "burst",
            Param::Every => "every",
            Param::HeavyRate => "heavy",
            Param::Honouring => "honour",
            Param::Impatient => "impatient",
            Param::Seed => "seed",
            Param::Duration => "duration",
        }
    }

    pub fn from_key(key: &str) -> Option<Param> {
        Param::ALL.into_iter().find(|p| p.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Param::Limit => "Limit per window",
            Param::Window => "Window length",
            Param::SubWindow => "Sub-window length",
            Param::BucketSize => "Bucket size (tokens)",
            Param::Refill => "Refill rate",
            Param::QueueSize => "Queue size",
            Param::Outflow => "Outflow rate",
            Param::Soft => "Soft allowance",
            Param::LogRejected => "Log rejected requests too",
            Param::Traffic => "Traffic",
            Param::Clients => "Clients",
            Param::Rate => "Requests per second per client",
            Param::Burst => "Burst size",
            Param::Every => "Time between bursts",
            Param::HeavyRate => "Heavy hitter's requests per second",
            Param::Honouring => "Clients honouring Retry-After",
            Param::Impatient => "Clients retrying at once",
            Param::Seed => "Seed",
            Param::Duration => "Run length",
        }
    }

    /// What the field means in the system's terms, for the tooltip.
    pub fn help(self) -> &'static str {
        match self {
            Param::Limit => {
                "Requests one client may make per window, for the four window algorithms (and the default bucket and queue size)."
            }
            Param::Window => "The window the limit counts over: 1000, 1 s, 250 ms or 1 min.",
            Param::SubWindow => {
                "The sliding window counter's fixed sub-windows; must divide the window (Figma used 1/60)."
            }
            Param::BucketSize => "Tokens a full bucket holds: the largest burst. Empty follows the limit.",
            Param::Refill => {
                "Tokens added per second (5 or 5/s), per minute (100/min) or per any time (3 per 250 ms). Empty: the limit per window."
            }
            Param::QueueSize => "Requests that may wait in the leaky bucket. Empty follows the limit.",
            Param::Outflow => {
                "Requests the leaky bucket passes to the API per second (or 100/min, 3 per 250 ms). Empty: the limit per window."
            }
            Param::Soft => {
                "Extra requests every algorithm admits beyond the limit, marked as over it (0 is a hard limit)."
            }
            Param::LogRejected => {
                "The sliding log also logs refused requests (yes/no): the caveat in the notes."
            }
            Param::Traffic => "The pattern of requests every algorithm receives.",
            Param::Clients => "How many clients send requests (each is limited separately).",
            Param::Rate => "Average requests per second each client sends.",
            Param::Burst => {
                "Requests sent in the same millisecond (bursts), or on each side of a window edge."
            }
            Param::Every => "Time from one burst of a client to its next.",
            Param::HeavyRate => "Requests per second of client 0, the heavy hitter.",
            Param::Honouring => {
                "Clients that wait as long as Retry-After says before resending a refused request."
            }
            Param::Impatient => "Clients that resend a refused request after 20 ms, ignoring Retry-After.",
            Param::Seed => "The random seed: the same seed replays exactly the same traffic.",
            Param::Duration => "How much traffic to generate: 30 s, 2 min ...",
        }
    }

    /// The default text.
    pub fn default_text(self) -> &'static str {
        match self {
            Param::Limit => "5",
            Param::Window => "1 s",
            Param::SubWindow => "100 ms",
            Param::BucketSize | Param::Refill | Param::QueueSize | Param::Outflow => "",
            Param::Soft => "0",
            Param::LogRejected => "no",
            Param::Traffic => "poisson",
            Param::Clients => "1",
            Param::Rate => "8",
            Param::Burst => "5",
            Param::Every => "2 s",
            Param::HeavyRate => "20",
            Param::Honouring => "1",
            Param::Impatient => "1",
            Param::Seed => "1",
            Param::Duration => "30 s",
        }
    }

    /// The traffic fields that matter for a pattern (by its form name).
    pub fn traffic_fields(traffic: &str) -> &'static [Param] {
        match traffic {
            "steady" | "poisson" => &[Param::Clients, Param::Rate],
            "bursts" => &[Param::Clients, Param::Burst, Param::Every],
            "edge" => &[Param::Burst],
            "heavy" => &[Param::Clients, Param::Rate, Param::HeavyRate],
            "retry" => &[Param::Honouring, Param::Impatient, Param::Rate],
            _ => &[],
        }
    }
}

/// How to make a traffic pattern (by its form name) send fewer requests, in the words of the
/// fields the form shows for it.
fn fewer_requests(traffic: &str) -> &'static str {
    match traffic {
        "bursts" => {
            "lower the clients or the burst size, lengthen the time between bursts, or shorten the run length"
        }
        "edge" => "lower the burst size or shorten the run length",
        "heavy" => {
            "lower the clients, the requests per second per client, the heavy hitter's requests per second or the run length"
        }
        "retry" => {
            "lower the clients honouring Retry-After or retrying at once, the requests per second per client or the run length"
        }
        _ => "lower the clients, the requests per second per client or the run length",
    }
}

/// Parses a whole number with optional separators.
fn parse_whole(text: &str) -> Option<u64> {
    let cleaned: String = text.chars().filter(|c| !matches!(c, ',' | '_' | ' ')).collect();
    if cleaned.is_empty() || !cleaned.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    cleaned.parse().ok()
}

/// Parses a duration: `1000` or `1000 ms`, `1.5 s`, `2 min`, `1 h`; whole milliseconds only.
pub fn parse_duration(text: &str) -> Option<Millis> {
    let text = text.trim().to_ascii_lowercase();
    let split = text.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let factor: u64 = match unit.trim() {
        "" | "ms" => 1,
        "s" | "sec" | "second" | "seconds" => 1000,
        "min" | "minute" | "minutes" => 60_000,
        "h" | "hour" | "hours" => 3_600_000,
        _ => return None,
    };
    let number: String = number.chars().filter(|c| !matches!(c, ',' | '_' | ' ')).collect();
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    // Exact decimal arithmetic: "1.5 s" is 1500 ms, "0.0005 s" is not a whole ms.
    let (whole, frac) = number.split_once('.').unwrap_or((&number, ""));
    if frac.contains('.') || frac.len() > 9 || (whole.is_empty() && frac.is_empty()) {
        return None;
    }
    // Checked all the way: a whole part too long for u128 is refused, never read as 0.
    let digits = |d: &str| if d.is_empty() { Some(0) } else { d.parse::<u128>().ok() };
    let scale = 10u128.pow(frac.len() as u32);
    let value = digits(whole)?.checked_mul(scale)?.checked_add(digits(frac)?)?;
    let ms = value.checked_mul(factor as u128)?;
    if ms % scale != 0 {
        return None;
    }
    u64::try_from(ms / scale).ok()
}

/// Parses a rate: `5` or `5/s` (per second), `100/min`, `10/h`, `3 per 250 ms`, `3/250ms`.
pub fn parse_rate(text: &str) -> Option<Rate> {
    let text = text.trim().to_ascii_lowercase();
    let (count, per) = match text.split_once('/') {
        Some((c, p)) => (c, p.trim()),
        None => match text.split_once("per") {
            Some((c, p)) => (c, p.trim()),
            None => (text.as_str(), ""),
        },
    };
    let count = u32::try_from(parse_whole(count)?).ok()?;
    let per_ms = match per {
        "" | "s" | "sec" | "second" => 1000,
        "min" | "minute" => 60_000,
        "h" | "hour" => 3_600_000,
        other => parse_duration(other)?,
    };
    Some(Rate { count, per_ms })
}

/// The page's parameters as text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineForm {
    pub values: Vec<(Param, String)>,
}

impl Default for TimelineForm {
    fn default() -> Self {
        TimelineForm { values: Param::ALL.iter().map(|p| (*p, p.default_text().to_string())).collect() }
    }
}

impl TimelineForm {
    pub fn get(&self, param: Param) -> &str {
        self.values.iter().find(|(p, _)| *p == param).map_or("", |(_, v)| v.as_str())
    }

    pub fn set(&mut self, param: Param, text: &str) {
        match self.values.iter_mut().find(|(p, _)| *p == param) {
            Some((_, v)) => *v = text.to_string(),
            None => self.values.push((param, text.to_string())),
        }
    }

    /// A form from URL query pairs: missing fields take their default, unknown keys are ignored.
    pub fn from_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> TimelineForm {
        let mut form = TimelineForm::default();
        for (key, value) in pairs {
            if let Some(param) = Param::from_key(key) {
                form.set(param, value);
            }
        }
        form
    }

    /// The fields that differ from their default, as URL query pairs.
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        Param::ALL
            .iter()
            .filter(|p| self.get(**p) != p.default_text())
            .map(|p| (p.key(), self.get(*p).to_string()))
            .collect()
    }

    /// The run the form describes, or a message for each field that is wrong.
    pub fn parse(&self) -> Result<TimelineConfig, Vec<(Param, String)>> {
        let mut errors: Vec<(Param, String)> = Vec::new();
        let mut fail = |p: Param, message: String| errors.push((p, message));
        let whole = |p: Param, min: u64, max: u64, fail: &mut dyn FnMut(Param, String)| -> u64 {
            match parse_whole(self.get(p)).filter(|v| (min..=max).contains(v)) {
                Some(v) => v,
                None => {
                    fail(
                        p,
                        format!(
                            "Enter a whole number from {} to {}.",
                            crate::format::group_digits(min.into()),
                            crate::format::group_digits(max.into())
                        ),
                    );
                    min.max(1)
                }
            }
        };
        let duration = |p: Param, fail: &mut dyn FnMut(Param, String)| -> Millis {
            match parse_duration(self.get(p)).filter(|&ms| (1..=super::MAX_PERIOD_MS).contains(&ms)) {
                Some(ms) => ms,
                None => {
                    fail(p, "Enter a whole number of milliseconds up to one day, like 1000, 250 ms, 1.5 s or 1 min.".to_string());
                    1000
                }
            }
        };
        let limit = whole(Param::Limit, 1, 1000, &mut fail) as u32;
        let window_ms = duration(Param::Window, &mut fail);
        let sub_ms = duration(Param::SubWindow, &mut fail);
        let optional = |p: Param, default: u32, fail: &mut dyn FnMut(Param, String)| -> u32 {
            if self.get(p).trim().is_empty() { default } else { whole(p, 1, 1000, fail) as u32 }
        };
        let size = optional(Param::BucketSize, limit, &mut fail);
        let queue = optional(Param::QueueSize, limit, &mut fail);
        let rate = |p: Param, fail: &mut dyn FnMut(Param, String)| -> Rate {
            let text = self.get(p);
            if text.trim().is_empty() {
                return Rate { count: limit, per_ms: window_ms };
            }
            match parse_rate(text).filter(|r| r.validate("").is_ok()) {
                Some(r) => r,
                None => {
                    fail(p, "Enter a rate like 5 (per second), 5/s, 100/min or 3 per 250 ms.".to_string());
                    Rate::per_second(1)
                }
            }
        };
        let refill = rate(Param::Refill, &mut fail);
        let outflow = rate(Param::Outflow, &mut fail);
        let soft = whole(Param::Soft, 0, 1000, &mut fail) as u32;
        let store_rejected = match self.get(Param::LogRejected).trim().to_ascii_lowercase().as_str() {
            "yes" | "1" | "true" | "on" => true,
            "no" | "0" | "false" | "off" | "" => false,
            _ => {
                fail(Param::LogRejected, "Enter yes or no.".to_string());
                false
            }
        };
        let traffic = self.get(Param::Traffic).trim().to_string();
        let clients = whole(Param::Clients, 1, 50, &mut fail) as u32;
        let per_second = whole(Param::Rate, 1, 1000, &mut fail) as u32;
        let burst = whole(Param::Burst, 1, 1000, &mut fail) as u32;
        let every_ms = duration(Param::Every, &mut fail);
        let heavy = whole(Param::HeavyRate, 1, 1000, &mut fail) as u32;
        let honouring = whole(Param::Honouring, 0, 25, &mut fail) as u32;
        let impatient = whole(Param::Impatient, 0, 25, &mut fail) as u32;
        let seed = match parse_whole(self.get(Param::Seed)) {
            Some(s) => s,
            None => {
                fail(Param::Seed, "Enter a whole number from 0 to 18,446,744,073,709,551,615.".to_string());
                0
            }
        };
        let duration_ms =
            match parse_duration(self.get(Param::Duration)).filter(|&ms| (1000..=600_000).contains(&ms)) {
                Some(ms) => ms,
                None => {
                    fail(
                        Param::Duration,
                        "Enter a run length from 1 s to 10 min, like 30 s or 2 min.".to_string(),
                    );
                    30_000
                }
            };
        let pattern = match traffic.as_str() {
            "steady" => Pattern::Steady { clients, per_second },
            "poisson" => Pattern::Poisson { clients, per_second },
            "bursts" => Pattern::Bursts { clients, burst, every_ms },
            "edge" => Pattern::EdgeBurst { window_ms, burst },
            "heavy" => Pattern::HeavyHitter { clients, per_second, heavy_per_second: heavy },
            "retry" => Pattern::Retrying { honouring, impatient, per_second },
            _ => {
                fail(Param::Traffic, "Choose one of the traffic patterns in the list.".to_string());
                Pattern::Poisson { clients, per_second }
            }
        };
        let mut configs = default_configs(window_ms, limit);
        for c in &mut configs {
            *c = match *c {
                Config::TokenBucket(_) => Config::TokenBucket(TokenBucket::new(size, refill).with_soft(soft)),
                Config::LeakyBucket(_) => {
                    Config::LeakyBucket(LeakyBucket::new(queue, outflow).with_soft(soft))
                }
                Config::FixedWindow(a) => Config::FixedWindow(a.with_soft(soft)),
                Config::SlidingLog(a) => {
                    Config::SlidingLog(a.with_soft(soft).storing_rejected(store_rejected))
                }
                Config::SubWindowCounter(a) => {
                    Config::SubWindowCounter(SubWindowCounter { sub_window_ms: sub_ms, ..a }.with_soft(soft))
                }
                Config::TwoWindowCounter(a) => Config::TwoWindowCounter(a.with_soft(soft)),
            };
        }
        // Checks across fields, each once the fields it needs are valid.
        let valid = |p: Param| !errors.iter().any(|(q, _)| *q == p);
        if valid(Param::Window) && valid(Param::SubWindow) {
            let sub = SubWindowCounter::new(window_ms, sub_ms, 1);
            if let Err(message) = sub.validate() {
                // The field's own label says which field: "Enter a length that divides ...".
                let message = message.trim_start_matches("Sub-window length: enter");
                errors.push((Param::SubWindow, format!("Enter{message}")));
            }
        }
        // The run's size, once every field is valid; the message goes under a field the form shows
        // for this traffic (the clients of the retrying pattern are two fields, and may both be 0).
        if errors.is_empty() {
            let first_shown = Param::traffic_fields(&traffic).first().copied().unwrap_or(Param::Traffic);
            if let Pattern::Retrying { honouring: 0, impatient: 0, .. } = pattern {
                let message = "Enter at least one client, honouring Retry-After or retrying at once.";
                errors.push((Param::Honouring, message.to_string()));
                errors.push((Param::Impatient, message.to_string()));
            } else {
                match pattern.expected_requests(duration_ms) {
                    Err(message) => errors.push((first_shown, message)),
                    Ok(n) if n > PAGE_MAX_REQUESTS as f64 => errors.push((
                        first_shown,
                        format!(
                            "This traffic would make about {} requests, more than the page's run holds ({}): {}.",
                            crate::format::count(n.round()),
                            crate::format::group_digits(PAGE_MAX_REQUESTS.into()),
                            fewer_requests(&traffic)
                        ),
                    )),
                    Ok(_) => {}
                }
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|(p, _)| *p);
            errors.dedup_by_key(|(p, _)| *p);
            return Err(errors);
        }
        Ok(TimelineConfig { window_ms, configs, pattern, seed, duration_ms })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_rates_parse_what_people_type() {
        for (text, want) in [
            ("1000", Some(1000)),
            ("1 s", Some(1000)),
            ("1.5 s", Some(1500)),
            ("250ms", Some(250)),
            ("2 min", Some(120_000)),
            ("1 h", Some(3_600_000)),
            ("0.0005 s", None),
            ("1..5 s", None),
            ("five", None),
            ("", None),
            ("1 fortnight", None),
            ("99999999999999999999 h", None),
            (".5 s", Some(500)),
            ("2.", Some(2)),
            (".", None),
            // u128 holds 39 digits: a 39-digit whole part times 10 for the fraction overflows...
            ("100000000000000000000000000000000000000.5 s", None),
            // ...and 40 digits do not parse: refused, not read as 0 (which made this 500 ms).
            ("9999999999999999999999999999999999999999.5 s", None),
            ("9999999999999999999999999999999999999999", None),
            ("0000000000000000000000000000000000000001.5 s", Some(1500)),
        ] {
            assert_eq!(parse_duration(text), want, "{text:?}");
        }
        for (text, want) in [
            ("5", Some(Rate { count: 5, per_ms: 1000 })),
            ("5/s", Some(Rate { count: 5, per_ms: 1000 })),
            ("100/min", Some(Rate { count: 100, per_ms: 60_000 })),
            ("3 per 250 ms", Some(Rate { count: 3, per_ms: 250 })),
            ("3/250ms", Some(Rate { count: 3, per_ms: 250 })),
            ("7 per 60 s", Some(Rate { count: 7, per_ms: 60_000 })),
            ("2,000/s", Some(Rate { count: 2000, per_ms: 1000 })),
            ("-1/s", None),
            ("5/fortnight", None),
        ] {
            assert_eq!(parse_rate(text), want, "{text:?}");
        }
        // Rates print in a form that parses back.
        for rate in [Rate::per_second(5), Rate { count: 3, per_ms: 60_000 }, Rate { count: 3, per_ms: 250 }] {
            assert_eq!(parse_rate(&rate.to_string()), Some(rate), "{rate}");
        }
    }

    #[test]
    fn default_form_parses_to_six_lanes_with_the_limit() {
        let config = TimelineForm::default().parse().unwrap();
        assert_eq!(config.window_ms, 1000);
        assert_eq!(config.pattern, Pattern::Poisson { clients: 1, per_second: 8 });
        assert_eq!(config.configs.len(), 6);
        assert_eq!(config.configs[0], Config::TokenBucket(TokenBucket::new(5, Rate::per_second(5))));
        assert_eq!(config.configs[4], Config::SubWindowCounter(SubWindowCounter::new(1000, 100, 5)));
        assert_eq!(TimelineForm::default().to_query(), vec![], "defaults stay out of the URL");
    }

    #[test]
    fn bad_fields_get_messages_and_survive_the_query() {
        let mut form = TimelineForm::default();
        form.set(Param::Limit, "lots");
        form.set(Param::Refill, "5/fortnight");
        form.set(Param::Traffic, "edge");
        let back = TimelineForm::from_query(form.to_query().iter().map(|(k, v)| (*k, v.as_str())));
        assert_eq!(back, form);
        assert_eq!(
            back.parse().unwrap_err(),
            vec![
                (Param::Limit, "Enter a whole number from 1 to 1,000.".to_string()),
                (
                    Param::Refill,
                    "Enter a rate like 5 (per second), 5/s, 100/min or 3 per 250 ms.".to_string()
                ),
            ]
        );
        let mut form = TimelineForm::default();
        form.set(Param::SubWindow, "300 ms");
        form.set(Param::Limit, "0");
        assert_eq!(
            form.parse().unwrap_err(),
            vec![
                (Param::Limit, "Enter a whole number from 1 to 1,000.".to_string()),
                (
                    Param::SubWindow,
                    "Enter a length that divides the window (1000 ms) evenly, such as 100 ms.".to_string()
                ),
            ],
            "the sub-window is checked even while another field is wrong"
        );
    }

    #[test]
    fn the_page_keeps_runs_small_enough_for_a_browser_tab() {
        let mut form = TimelineForm::default();
        form.set(Param::Clients, "50");
        form.set(Param::Rate, "100");
        assert_eq!(
            form.parse().unwrap_err(),
            vec![(
                Param::Clients,
                "This traffic would make about 150,000 requests, more than the page's run holds (100,000): lower the clients, the requests per second per client or the run length.".to_string()
            )]
        );
        form.set(Param::Duration, "20 s");
        assert!(form.parse().is_ok(), "50 clients × 100/s × 20 s = 100,000");
        assert_eq!(size_of::<Event>(), 56, "the memory estimate in PAGE_MAX_REQUESTS' comment");
    }

    /// Every message about the traffic lands under a field the form shows for that traffic.
    #[test]
    fn traffic_errors_go_under_the_fields_shown() {
        let errors = |pairs: &[(&str, &str)]| {
            let errors = TimelineForm::from_query(pairs.iter().copied()).parse().unwrap_err();
            let traffic = pairs.iter().find(|(k, _)| *k == "traffic").map_or("poisson", |p| p.1);
            for (p, _) in &errors {
                assert!(Param::traffic_fields(traffic).contains(p), "{p:?} is not shown for {traffic}");
            }
            errors
        };
        // 25 × 200/s + 1 impatient × 200/s (at least 50/s when refused), for 30 s.
        assert_eq!(
            errors(&[("traffic", "retry"), ("honour", "25"), ("rate", "200")]),
            vec![(
                Param::Honouring,
                "This traffic would make about 156,000 requests, more than the page's run holds (100,000): lower the clients honouring Retry-After or retrying at once, the requests per second per client or the run length.".to_string()
            )]
        );
        let none = "Enter at least one client, honouring Retry-After or retrying at once.".to_string();
        assert_eq!(
            errors(&[("traffic", "retry"), ("honour", "0"), ("impatient", "0")]),
            vec![(Param::Honouring, none.clone()), (Param::Impatient, none)]
        );
        // 2 × 1000 requests every other 2 s window for 10 min: 2,000 × 151.
        assert_eq!(
            errors(&[("traffic", "edge"), ("window", "2 s"), ("sub", "200 ms"), ("burst", "1000"), ("duration", "10 min")]),
            vec![(
                Param::Burst,
                "This traffic would make about 302,000 requests, more than the page's run holds (100,000): lower the burst size or shorten the run length.".to_string()
            )]
        );
        assert_eq!(
            errors(&[("traffic", "edge"), ("burst", "600")]),
            vec![(
                Param::Burst,
                "Burst size: enter a whole number from 1 to 500 (half the window in ms).".to_string()
            )]
        );
        // 10 × 1000 every 1 s for 30 s: 10 × 1000 × 31.
        assert_eq!(
            errors(&[("traffic", "bursts"), ("clients", "10"), ("burst", "1000"), ("every", "1 s")]),
            vec![(
                Param::Clients,
                "This traffic would make about 310,000 requests, more than the page's run holds (100,000): lower the clients or the burst size, lengthen the time between bursts, or shorten the run length.".to_string()
            )]
        );
    }

    #[test]
    fn lanes_see_the_same_trace_and_count_it() {
        let mut form = TimelineForm::default();
        form.set(Param::Traffic, "edge");
        let config = form.parse().unwrap();
        let mut t = Timeline::new(&config).unwrap();
        t.advance_to(1500);
        assert_eq!(t.now(), 1500);
        let requests: Vec<_> = t.lanes.iter().map(|l| l.stats.requests).collect();
        assert_eq!(requests, vec![10; 6], "five before the edge at 1000, five after");
        let fixed = t.lanes.iter().find(|l| l.kind() == Kind::FixedWindow).unwrap();
        assert_eq!((fixed.stats.allowed, fixed.stats.max_in_window), (10, 10), "twice the limit of 5");
        let log = t.lanes.iter().find(|l| l.kind() == Kind::SlidingLog).unwrap();
        assert_eq!((log.stats.allowed, log.stats.denied, log.stats.max_in_window), (5, 5, 5));
        let leaky = t.lanes.iter().find(|l| l.kind() == Kind::LeakyBucket).unwrap();
        assert!(leaky.stats.queued > 0);
        assert_eq!(fixed.events_between(1000, 1001).len(), 1);
        assert_eq!(t.effective_rate(2), 10.0 * 1000.0 / 1500.0);
        assert_eq!(t.next_request_time(), Some(2919));
        assert_eq!(t.previous_request_time(), 1080);
        // Advancing to an earlier time changes nothing; a copy replays identically.
        let copy = t.clone();
        t.advance_to(10);
        assert_eq!(t.lanes[0].events, copy.lanes[0].events);
    }

    /// Steady traffic at 10/s into a leaky bucket of 5 leaking 5/s: requests at 0, 100, ...,
    /// 1000 ms all join the queue (it holds 5 at most and never overflows by 1000 ms), but only
    /// those leaving at 0, 200, 400, 600, 800 and 1000 ms have reached the API.
    #[test]
    fn the_effective_rate_counts_requests_when_the_api_receives_them() {
        let config = TimelineConfig {
            window_ms: 1000,
            configs: vec![Config::LeakyBucket(LeakyBucket::new(5, Rate { count: 5, per_ms: 1000 }))],
            pattern: Pattern::Steady { clients: 1, per_second: 10 },
            seed: 1,
            duration_ms: 10_000,
        };
        let mut t = Timeline::new(&config).unwrap();
        t.advance_to(1000);
        let s = t.lanes[0].stats;
        assert_eq!((s.allowed, s.queued, s.denied, s.reached_api), (1, 10, 0, 6));
        assert_eq!(t.effective_rate(0), 6.0);
        t.advance_to(1199);
        assert_eq!(t.lanes[0].stats.reached_api, 6);
        // By the end the outflow has sent one every 200 ms, 0 to 10,000 ms: 51 in 10 s, the
        // outflow's 5/s plus the first request (counting at admission would give 5.x/s for
        // each request still queued: 55 admitted by then).
        t.advance_to(10_000);
        let s = t.lanes[0].stats;
        assert_eq!((s.allowed + s.queued, s.reached_api), (55, 51));
        assert_eq!(t.effective_rate(0), 5.1);
    }

    /// The page's figure for the retrying clients: per lane, what each group sent and how much
    /// got through, on the default form (limit 5 per 1 s; one client of each kind wanting 8/s).
    #[test]
    fn impatient_clients_send_more_and_are_mostly_refused() {
        let mut form = TimelineForm::default();
        form.set(Param::Traffic, "retry");
        let mut t = Timeline::new(&form.parse().unwrap()).unwrap();
        t.advance_to(30_000);
        let tally = |k: Kind| {
            let (h, i) = t.lanes.iter().find(|l| l.kind() == k).unwrap().retry_tallies();
            [(h.sent, h.succeeded, h.refused), (i.sent, i.succeeded, i.refused)]
        };
        // Both get the limit, 5 a window for 30 windows. Once refused, the honouring client comes
        // back when Retry-After says (1 s later, in the next window): one refusal a window. The
        // impatient one tries every 20 ms until its window has room: about 49 refusals a window.
        assert_eq!(tally(Kind::FixedWindow), [(180, 150, 30), (1606, 150, 1456)]);
        assert_eq!(tally(Kind::SlidingLog), [(180, 150, 30), (1619, 150, 1469)]);
    }

    #[test]
    fn the_same_seed_replays_the_same_run() {
        let mut form = TimelineForm::default();
        form.set(Param::Traffic, "retry");
        let config = form.parse().unwrap();
        let run = || {
            let mut t = Timeline::new(&config).unwrap();
            t.advance_to(config.duration_ms);
            t.lanes.iter().map(|l| (l.stats, l.events.len())).collect::<Vec<_>>()
        };
        assert_eq!(run(), run());
    }
}
