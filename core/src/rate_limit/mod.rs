//! Rate limiting (the notes' "Rate Limiting" section): five throttling algorithms behind one
//! interface, the HTTP response a server sends for each decision, seeded traffic, gateways racing
//! on a shared counter, and the experiments the page runs.
//!
//! # Time
//! Every time is a `u64` count of **milliseconds** ([`Millis`]) passed in by the caller; nothing here
//! reads a clock. Rates are exact rationals ([`Rate`]: `count` requests per `per_ms` milliseconds)
//! and every algorithm does its arithmetic in integers scaled by the rate, so a rate that does not
//! divide a millisecond evenly (2000 per second is one request every 0.5 ms; 3 per second is one
//! every 333.33 ms) neither truncates to a zero interval nor drifts. Times must not go backwards
//! for one client; an earlier time than one already seen is treated as the latest time seen.
//!
//! # One interface
//! Each algorithm is an [`Algorithm`]: the decision for one client given that client's state and
//! the current time. [`Keyed`] holds the state of every client (in first-seen order, so iteration
//! is deterministic) and is a [`Limiter`]: give it a client key and the time, get a
//! [`Decision`] (allowed, queued, or denied with the wait until a retry can succeed) together with
//! the limit and the remaining allowance, which [`Decision::http`] turns into the status line and
//! headers a server would send: `429 Too Many Requests` with `Retry-After` in whole seconds
//! (rounded up, never 0), and `X-Ratelimit-Limit`, `X-Ratelimit-Remaining` and
//! `X-Ratelimit-Retry-After` as the notes name them.
//!
//! # Hard and soft limits
//! Every algorithm takes a `limit` and a `soft` allowance (the notes, "Enhancements"). With
//! `soft == 0` the limit is hard: the algorithm stops exactly at the limit. With `soft > 0` it
//! keeps admitting up to `soft` more requests beyond the threshold and marks them
//! [`Decision::over_limit`], so a server can warn or bill instead of refusing.
//!
//! # Memory per client
//! [`Memory`] counts, for the clients a limiter currently holds, the key ([`ClientId`], 8 bytes),
//! the fixed per-client state (`size_of` of the algorithm's state struct, padding included), and
//! the heap the state owns (queue, log and sub-window entries, counted by allocated capacity, not
//! length). It leaves out the map's own bookkeeping (a hash index here, Redis's per-key overhead
//! elsewhere), which depends on the store rather than the algorithm.
//! [`Config::worst_case_bytes_per_client`] is the same count for one client holding as much as
//! its state can, so a live figure never exceeds it.

use crate::format;
use serde::{Deserialize, Serialize};
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

pub mod distributed;
pub mod experiments;
pub mod fixed_window;
pub mod leaky_bucket;
pub mod sliding_counter;
pub mod sliding_log;
pub mod timeline;
pub mod token_bucket;
pub mod traffic;

pub use fixed_window::FixedWindow;
pub use leaky_bucket::LeakyBucket;
pub use sliding_counter::{SubWindowCounter, TwoWindowCounter};
pub use sliding_log::SlidingLog;
pub use token_bucket::TokenBucket;

/// A time or a duration, in milliseconds.
pub type Millis = u64;

/// The key a limiter throttles by: a user, an API key or an IP address, as a number.
pub type ClientId = u64;

/// The largest limit, bucket size, queue size or rate count a configuration may use.
pub const MAX_COUNT: u32 = 1_000_000;
/// The longest window or rate period a configuration may use: one day.
pub const MAX_PERIOD_MS: Millis = 86_400_000;

/// An exact rate: `count` requests every `per_ms` milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    pub count: u32,
    pub per_ms: Millis,
}

impl Rate {
    /// `count` requests per second.
    pub const fn per_second(count: u32) -> Rate {
        Rate { count, per_ms: 1000 }
    }

    /// The time between two requests at this rate, in (fractional) milliseconds: 0.5 for 2000/s.
    pub fn interval_ms(self) -> f64 {
        self.per_ms as f64 / self.count.max(1) as f64
    }

    /// Requests per second, for display.
    pub fn per_second_f64(self) -> f64 {
        self.count as f64 * 1000.0 / self.per_ms.max(1) as f64
    }

    /// `Err` with a message a person can act on unless `1 <= count <= 1,000,000` and
    /// `1 <= per_ms <= 86,400,000`. `what` names the rate in the message ("Refill rate").
    pub fn validate(self, what: &str) -> Result<(), String> {
        if self.count == 0 || self.count > MAX_COUNT {
            return Err(format!("{what}: enter a whole number of requests from 1 to 1,000,000."));
        }
        if self.per_ms == 0 || self.per_ms > MAX_PERIOD_MS {
            return Err(format!(
                "{what}: enter a period from 1 ms to 86,400,000 ms (one day), in whole milliseconds."
            ));
        }
        Ok(())
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.per_ms == 1000 {
            write!(f, "{}/s", format::group_digits(self.count.into()))
        } else {
            write!(
                f,
                "{} per {}",
                format::group_digits(self.count.into()),
                format::duration_ns(self.per_ms as f64 * 1e6)
            )
        }
    }
}

/// `Err` unless `1 <= value <= 1,000,000`; `what` names the field in the message.
pub(crate) fn validate_count(value: u32, what: &str) -> Result<(), String> {
    if value == 0 || value > MAX_COUNT {
        return Err(format!("{what}: enter a whole number from 1 to 1,000,000."));
    }
    Ok(())
}

/// `Err` unless the soft allowance is at most 1,000,000.
pub(crate) fn validate_soft(value: u32) -> Result<(), String> {
    if value > MAX_COUNT {
        return Err("Soft allowance: enter a whole number of extra requests from 0 to 1,000,000.".to_string());
    }
    Ok(())
}

/// `Err` unless `1 <= ms <= 86,400,000`.
pub(crate) fn validate_window(ms: Millis, what: &str) -> Result<(), String> {
    if ms == 0 || ms > MAX_PERIOD_MS {
        return Err(format!(
            "{what}: enter a length from 1 ms to 86,400,000 ms (one day), in whole milliseconds."
        ));
    }
    Ok(())
}

/// What happened to one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// Passed to the API at once.
    Allowed,
    /// Accepted into the leaky bucket's queue; it reaches the API `delay_ms` later.
    Queued { delay_ms: Millis },
    /// Refused; a retry `retry_after_ms` from now succeeds if nothing else arrives meanwhile.
    Denied { retry_after_ms: Millis },
}

/// A limiter's answer for one request, with what a server reports about the limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub verdict: Verdict,
    /// The configured (hard) limit: bucket size, queue size or requests per window.
    pub limit: u32,
    /// How many more requests the client may make right now without crossing the limit.
    /// Never more than `limit`.
    pub remaining: u32,
    /// Admitted beyond the hard limit, within the soft allowance.
    pub over_limit: bool,
}

impl Decision {
    pub fn is_admitted(&self) -> bool {
        !matches!(self.verdict, Verdict::Denied { .. })
    }

    pub fn is_denied(&self) -> bool {
        matches!(self.verdict, Verdict::Denied { .. })
    }

    /// The wait a denial asks for, in milliseconds.
    pub fn retry_after_ms(&self) -> Option<Millis> {
        match self.verdict {
            Verdict::Denied { retry_after_ms } => Some(retry_after_ms),
            _ => None,
        }
    }

    /// The response a server sends for this decision (see [`HttpResponse`]).
    pub fn http(&self) -> HttpResponse {
        let mut headers = vec![
            ("X-Ratelimit-Limit", self.limit.to_string()),
            ("X-Ratelimit-Remaining", self.remaining.to_string()),
        ];
        match self.verdict {
            Verdict::Allowed => HttpResponse { status: 200, reason: "OK", headers, delay_ms: 0 },
            Verdict::Queued { delay_ms } => HttpResponse { status: 200, reason: "OK", headers, delay_ms },
            Verdict::Denied { retry_after_ms } => {
                let seconds = retry_after_seconds(retry_after_ms).to_string();
                headers.push(("X-Ratelimit-Retry-After", seconds.clone()));
                headers.insert(0, ("Retry-After", seconds));
                HttpResponse { status: 429, reason: "Too Many Requests", headers, delay_ms: 0 }
            }
        }
    }
}

/// `Retry-After` is a whole number of seconds (RFC 9110, section 10.2.3). A wait is rounded up, so
/// a client that honours it never comes back too early, and is at least 1: a denied client always
/// has to wait.
pub fn retry_after_seconds(wait_ms: Millis) -> u64 {
    wait_ms.div_ceil(1000).max(1)
}

/// The status line and headers of a response (RFC 6585 defines 429 Too Many Requests).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpResponse {
    pub status: u16,
    pub reason: &'static str,
    pub headers: Vec<(&'static str, String)>,
    /// How long the request waited in a queue before the API saw it (leaky bucket), in ms.
    pub delay_ms: Millis,
}

impl HttpResponse {
    /// `HTTP/1.1 429 Too Many Requests`.
    pub fn status_line(&self) -> String {
        format!("HTTP/1.1 {} {}", self.status, self.reason)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The status line and headers as a server would write them, one per line.
    pub fn text(&self) -> String {
        let mut out = self.status_line();
        for (name, value) in &self.headers {
            out.push('\n');
            out.push_str(name);
            out.push_str(": ");
            out.push_str(value);
        }
        out
    }
}

/// Which algorithm, for names, colours and the page's rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Kind {
    TokenBucket,
    LeakyBucket,
    FixedWindow,
    SlidingLog,
    SubWindowCounter,
    TwoWindowCounter,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::TokenBucket,
        Kind::LeakyBucket,
        Kind::FixedWindow,
        Kind::SlidingLog,
        Kind::SubWindowCounter,
        Kind::TwoWindowCounter,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::TokenBucket => "Token bucket",
            Kind::LeakyBucket => "Leaky bucket",
            Kind::FixedWindow => "Fixed window counter",
            Kind::SlidingLog => "Sliding window log",
            Kind::SubWindowCounter => "Sliding window counter (sub-windows)",
            Kind::TwoWindowCounter => "Sliding window counter (two windows, weighted)",
        }
    }

    /// A short name for narrow places (table columns, the phone layout).
    pub fn short_name(self) -> &'static str {
        match self {
            Kind::TokenBucket => "Token bucket",
            Kind::LeakyBucket => "Leaky bucket",
            Kind::FixedWindow => "Fixed window",
            Kind::SlidingLog => "Sliding log",
            Kind::SubWindowCounter => "Sliding counter",
            Kind::TwoWindowCounter => "Weighted counter",
        }
    }

    /// The key used in URLs.
    pub fn key(self) -> &'static str {
        match self {
            Kind::TokenBucket => "tb",
            Kind::LeakyBucket => "lb",
            Kind::FixedWindow => "fw",
            Kind::SlidingLog => "sl",
            Kind::SubWindowCounter => "sc",
            Kind::TwoWindowCounter => "wc",
        }
    }

    pub fn from_key(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == key)
    }
}

/// What an algorithm keeps for one client, as the page's state view shows it at a given time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum StateView {
    /// No state is kept for this client: it is treated as never seen.
    Fresh,
    /// `tokens` after the lazy refill up to now (negative inside a soft allowance).
    TokenBucket { tokens: f64, size: u32, last_ms: Millis },
    /// The departure time of every request still waiting, oldest first, and when the outflow
    /// can next send one (fractional ms).
    LeakyBucket { waiting: Vec<Millis>, next_slot_ms: f64 },
    /// The counter of the current window.
    FixedWindow { window_start_ms: Millis, count: u32 },
    /// The logged timestamps still inside the window, oldest first.
    SlidingLog { entries: Vec<Millis> },
    /// The non-empty sub-window counters still inside the window: (start, count), oldest first.
    SubWindows { counters: Vec<(Millis, u32)>, total: u32 },
    /// The previous and current window counts, the previous one's weight now, and the estimate.
    TwoWindows { window_start_ms: Millis, previous: u32, current: u32, weight: f64, estimate: f64 },
}

/// One throttling algorithm, deciding for one client at a time. [`Keyed`] adds the per-client map.
pub trait Algorithm {
    /// What the algorithm remembers about one client.
    type State: Clone + fmt::Debug;

    fn kind(&self) -> Kind;

    /// The hard limit reported in `X-Ratelimit-Limit`.
    fn limit(&self) -> u32;

    /// The state of a client seen for the first time at `now`.
    fn new_state(&self, now: Millis) -> Self::State;

    /// Decides a request at `now` and updates the state.
    fn decide(&self, state: &mut Self::State, now: Millis) -> Decision;

    /// True when the state, at `now`, would decide exactly as a fresh one: it can be dropped.
    fn is_idle(&self, state: &Self::State, now: Millis) -> bool;

    /// Bytes the state owns on the heap (allocated capacity).
    fn heap_bytes(state: &Self::State) -> u64;

    /// The state as it stands at `now` (refilled, drained or rolled over), for display.
    fn view(&self, state: &Self::State, now: Millis) -> StateView;
}

/// Memory held by a limiter's clients (see the module docs for what is counted).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Memory {
    pub clients: u64,
    /// Key plus fixed state, for all clients.
    pub fixed_bytes: u64,
    /// Heap owned by the states (entries, by capacity), for all clients.
    pub heap_bytes: u64,
}

impl Memory {
    pub fn total_bytes(&self) -> u64 {
        self.fixed_bytes.saturating_add(self.heap_bytes)
    }

    /// Average bytes per client (0 with no clients).
    pub fn per_client(&self) -> f64 {
        if self.clients == 0 { 0.0 } else { self.total_bytes() as f64 / self.clients as f64 }
    }
}

/// The room (in entries) a queue that started empty has once it has held `entries` at once:
/// `VecDeque` grows only when full, first to 4 and then by doubling (checked against std by the
/// test `grown_capacity_matches_std`), so up to twice the entries.
fn grown_capacity(entries: u64) -> u64 {
    match entries {
        0 => 0,
        1..=4 => 4,
        n => n.checked_next_power_of_two().unwrap_or(u64::MAX),
    }
}

/// Any limiter, as the page and the experiments hold it.
pub trait Limiter {
    fn kind(&self) -> Kind;
    fn limit(&self) -> u32;
    fn decide(&mut self, client: ClientId, now: Millis) -> Decision;
    /// What is kept for `client`, as it stands at `now`.
    fn view(&self, client: ClientId, now: Millis) -> StateView;
    /// Drops every client whose state is idle at `now` (the notes' "remove stale entries");
    /// returns how many were dropped.
    fn sweep(&mut self, now: Millis) -> u64;
    fn memory(&self) -> Memory;
    /// Fixed bytes per client: the key plus the state struct.
    fn fixed_bytes_per_client(&self) -> u64;
    /// A copy with the same clients and state (lets a page step back by replaying a copy).
    fn clone_box(&self) -> Box<dyn Limiter>;
}

impl Clone for Box<dyn Limiter> {
    fn clone(&self) -> Box<dyn Limiter> {
        self.clone_box()
    }
}

impl fmt::Debug for dyn Limiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} limiter with {} clients", self.kind().name(), self.memory().clients)
    }
}

/// FxHash's multiply-and-rotate hasher (as in rustc): fast for integer keys, and with no random
/// seed, so a map's layout is the same on every run and platform.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientHasher(u64);

impl Hasher for ClientHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Every client's state: the states in a `Vec` in the order clients were first seen (all that
/// iteration ever sees, so order is deterministic), found through a hash index with
/// [`ClientHasher`]: one hash probe per decision where a `BTreeMap` walks a tree.
#[derive(Clone, Debug)]
struct ClientMap<S> {
    index: HashMap<ClientId, usize, BuildHasherDefault<ClientHasher>>,
    entries: Vec<(ClientId, S)>,
}

impl<S> ClientMap<S> {
    fn new() -> ClientMap<S> {
        ClientMap { index: HashMap::default(), entries: Vec::new() }
    }

    fn get(&self, client: ClientId) -> Option<&S> {
        self.index.get(&client).map(|&i| &self.entries[i].1)
    }

    #[inline]
    fn get_or_insert_with(&mut self, client: ClientId, fresh: impl FnOnce() -> S) -> &mut S {
        let i = match self.index.entry(client) {
            Entry::Occupied(e) => *e.get(),
            Entry::Vacant(v) => {
                self.entries.push((client, fresh()));
                *v.insert(self.entries.len() - 1)
            }
        };
        &mut self.entries[i].1
    }

    /// Keeps the states `keep` says yes to, in their order.
    fn retain(&mut self, mut keep: impl FnMut(&S) -> bool) {
        let before = self.entries.len();
        self.entries.retain(|(_, s)| keep(s));
        if self.entries.len() != before {
            self.index.clear();
            self.index.extend(self.entries.iter().enumerate().map(|(i, (c, _))| (*c, i)));
        }
    }

    fn len(&self) -> usize {
        self.entries.len()
    }

    fn values(&self) -> impl Iterator<Item = &S> {
        self.entries.iter().map(|(_, s)| s)
    }
}

/// An [`Algorithm`] with the state of every client it has seen.
#[derive(Clone, Debug)]
pub struct Keyed<A: Algorithm> {
    algorithm: A,
    clients: ClientMap<A::State>,
}

impl<A: Algorithm> Keyed<A> {
    pub fn new(algorithm: A) -> Keyed<A> {
        Keyed { algorithm, clients: ClientMap::new() }
    }

    pub fn algorithm(&self) -> &A {
        &self.algorithm
    }

    pub fn state(&self, client: ClientId) -> Option<&A::State> {
        self.clients.get(client)
    }

    /// The number of clients with state.
    pub fn len(&self) -> usize {
        self.clients.len()
    }

    pub fn is_empty(&self) -> bool {
        self.clients.len() == 0
    }

    /// Decides a request from `client` at `now`.
    #[inline]
    pub fn decide(&mut self, client: ClientId, now: Millis) -> Decision {
        let algorithm = &self.algorithm;
        let state = self.clients.get_or_insert_with(client, || algorithm.new_state(now));
        algorithm.decide(state, now)
    }
}

impl<A: Algorithm + Clone + 'static> Limiter for Keyed<A> {
    fn kind(&self) -> Kind {
        self.algorithm.kind()
    }

    fn limit(&self) -> u32 {
        self.algorithm.limit()
    }

    fn decide(&mut self, client: ClientId, now: Millis) -> Decision {
        Keyed::decide(self, client, now)
    }

    fn view(&self, client: ClientId, now: Millis) -> StateView {
        match self.clients.get(client) {
            Some(state) if !self.algorithm.is_idle(state, now) => self.algorithm.view(state, now),
            _ => StateView::Fresh,
        }
    }

    fn sweep(&mut self, now: Millis) -> u64 {
        let before = self.clients.len();
        let algorithm = &self.algorithm;
        self.clients.retain(|state| !algorithm.is_idle(state, now));
        (before - self.clients.len()) as u64
    }

    fn memory(&self) -> Memory {
        let clients = self.clients.len() as u64;
        Memory {
            clients,
            fixed_bytes: clients * self.fixed_bytes_per_client(),
            heap_bytes: self.clients.values().map(A::heap_bytes).sum(),
        }
    }

    fn fixed_bytes_per_client(&self) -> u64 {
        (size_of::<ClientId>() + size_of::<A::State>()) as u64
    }

    fn clone_box(&self) -> Box<dyn Limiter> {
        Box::new(self.clone())
    }
}

/// Every algorithm with its parameters: what the page and the URL hold, built into a limiter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Config {
    TokenBucket(TokenBucket),
    LeakyBucket(LeakyBucket),
    FixedWindow(FixedWindow),
    SlidingLog(SlidingLog),
    SubWindowCounter(SubWindowCounter),
    TwoWindowCounter(TwoWindowCounter),
}

impl Config {
    pub fn kind(&self) -> Kind {
        match self {
            Config::TokenBucket(a) => a.kind(),
            Config::LeakyBucket(a) => a.kind(),
            Config::FixedWindow(a) => a.kind(),
            Config::SlidingLog(a) => a.kind(),
            Config::SubWindowCounter(a) => a.kind(),
            Config::TwoWindowCounter(a) => a.kind(),
        }
    }

    /// `Err` with a message a person can act on when a parameter is out of range.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Config::TokenBucket(a) => a.validate(),
            Config::LeakyBucket(a) => a.validate(),
            Config::FixedWindow(a) => a.validate(),
            Config::SlidingLog(a) => a.validate(),
            Config::SubWindowCounter(a) => a.validate(),
            Config::TwoWindowCounter(a) => a.validate(),
        }
    }

    /// A limiter with no clients yet, after validating the parameters.
    pub fn build(&self) -> Result<Box<dyn Limiter>, String> {
        self.validate()?;
        Ok(match *self {
            Config::TokenBucket(a) => Box::new(Keyed::new(a)),
            Config::LeakyBucket(a) => Box::new(Keyed::new(a)),
            Config::FixedWindow(a) => Box::new(Keyed::new(a)),
            Config::SlidingLog(a) => Box::new(Keyed::new(a)),
            Config::SubWindowCounter(a) => Box::new(Keyed::new(a)),
            Config::TwoWindowCounter(a) => Box::new(Keyed::new(a)),
        })
    }

    /// The most entries (queued requests, log timestamps, sub-window counters) one client's state
    /// can hold: 0 for the bucket and the two counters of fixed size.
    pub fn max_entries(&self) -> u64 {
        match *self {
            Config::TokenBucket(_) | Config::FixedWindow(_) | Config::TwoWindowCounter(_) => 0,
            Config::LeakyBucket(a) => a.queue as u64 + a.soft as u64,
            // Logging rejected requests has no bound but the traffic: count the admitted ones.
            Config::SlidingLog(a) => a.limit as u64 + a.soft as u64,
            Config::SubWindowCounter(a) => {
                (a.window_ms / a.sub_window_ms.max(1)).min(a.limit as u64 + a.soft as u64)
            }
        }
    }

    /// Bytes of one entry on the heap.
    pub fn entry_bytes(&self) -> u64 {
        match self {
            Config::LeakyBucket(_) | Config::SlidingLog(_) => size_of::<Millis>() as u64,
            Config::SubWindowCounter(_) => size_of::<(u64, u32)>() as u64,
            _ => 0,
        }
    }

    /// The most one client's state can take, as [`Memory`] counts it: key and state struct, plus
    /// the room its queue has grown to once it held [`Config::max_entries`] (see
    /// [`grown_capacity`]). No live [`Memory::per_client`] exceeds it, except a sliding log that
    /// also logs rejected requests, which has no bound but the traffic.
    pub fn worst_case_bytes_per_client(&self) -> u64 {
        let fixed = self.build().map_or(0, |l| l.fixed_bytes_per_client());
        fixed.saturating_add(grown_capacity(self.max_entries()).saturating_mul(self.entry_bytes()))
    }

    /// The parameters in words: "10 tokens, refilled at 5/s".
    pub fn describe(&self) -> String {
        let soft = |s: u32| if s == 0 { String::new() } else { format!(", soft allowance {s}") };
        let window = |ms: Millis| format::duration_ns(ms as f64 * 1e6);
        match self {
            Config::TokenBucket(a) => {
                format!(
                    "{}, refilled at {}{}",
                    format::plural(a.size.into(), "token", "tokens"),
                    a.refill,
                    soft(a.soft)
                )
            }
            Config::LeakyBucket(a) => {
                format!("queue of {}, outflow {}{}", a.queue, a.outflow, soft(a.soft))
            }
            Config::FixedWindow(a) => {
                format!("{} per {} window{}", a.limit, window(a.window_ms), soft(a.soft))
            }
            Config::SlidingLog(a) => format!(
                "{} per {}{}{}",
                a.limit,
                window(a.window_ms),
                soft(a.soft),
                if a.store_rejected { ", logs rejected requests too" } else { "" }
            ),
            Config::SubWindowCounter(a) => format!(
                "{} per {}, counted in {} sub-windows{}",
                a.limit,
                window(a.window_ms),
                window(a.sub_window_ms),
                soft(a.soft)
            ),
            Config::TwoWindowCounter(a) => {
                format!("{} per {}, previous window weighted{}", a.limit, window(a.window_ms), soft(a.soft))
            }
        }
    }
}

/// Tracks, per client, the largest number of admitted requests inside any span of `span_ms`
/// (half-open: `[t, t + span_ms)`). Admission times must arrive in non-decreasing order per
/// client, as they do from a limiter (a leaky bucket's departures included).
#[derive(Clone, Debug, Default)]
pub struct MaxInSpan {
    span_ms: Millis,
    recent: BTreeMap<ClientId, VecDeque<Millis>>,
    max: u64,
    max_client: Option<ClientId>,
    max_span_start: Millis,
}

impl MaxInSpan {
    pub fn new(span_ms: Millis) -> MaxInSpan {
        MaxInSpan { span_ms: span_ms.max(1), ..MaxInSpan::default() }
    }

    /// Records one admission of `client` at `at`.
    pub fn admit(&mut self, client: ClientId, at: Millis) {
        let span = self.span_ms;
        let recent = self.recent.entry(client).or_default();
        let at = at.max(recent.back().copied().unwrap_or(0));
        while recent.front().is_some_and(|&t| t + span <= at) {
            recent.pop_front();
        }
        recent.push_back(at);
        let n = recent.len() as u64;
        if n > self.max {
            self.max = n;
            self.max_client = Some(client);
            self.max_span_start = recent.front().copied().unwrap_or(at);
        }
    }

    /// The largest count seen in one span.
    pub fn max(&self) -> u64 {
        self.max
    }

    /// Which client reached the largest count, and the time of the first request in that span.
    pub fn max_at(&self) -> Option<(ClientId, Millis)> {
        self.max_client.map(|c| (c, self.max_span_start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn retry_after_rounds_up_to_whole_seconds_and_is_never_zero() {
        for (ms, want) in [(1, 1), (999, 1), (1000, 1), (1001, 2), (1500, 2), (2000, 2), (59_999, 60), (0, 1)]
        {
            assert_eq!(retry_after_seconds(ms), want, "{ms} ms");
        }
    }

    #[test]
    fn denial_maps_to_429_with_retry_after() {
        let d = Decision {
            verdict: Verdict::Denied { retry_after_ms: 1_250 },
            limit: 10,
            remaining: 0,
            over_limit: false,
        };
        let r = d.http();
        assert_eq!(r.status_line(), "HTTP/1.1 429 Too Many Requests");
        assert_eq!(
            r.text(),
            "HTTP/1.1 429 Too Many Requests\nRetry-After: 2\nX-Ratelimit-Limit: 10\n\
             X-Ratelimit-Remaining: 0\nX-Ratelimit-Retry-After: 2"
        );
        assert_eq!(r.header("retry-after"), Some("2"));
    }

    #[test]
    fn allowed_and_queued_map_to_200_with_limit_headers() {
        let allowed =
            Decision { verdict: Verdict::Allowed, limit: 5, remaining: 3, over_limit: false }.http();
        assert_eq!(allowed.text(), "HTTP/1.1 200 OK\nX-Ratelimit-Limit: 5\nX-Ratelimit-Remaining: 3");
        assert_eq!(allowed.header("Retry-After"), None);
        let queued =
            Decision { verdict: Verdict::Queued { delay_ms: 40 }, limit: 5, remaining: 1, over_limit: false }
                .http();
        assert_eq!(queued.status, 200);
        assert_eq!(queued.delay_ms, 40);
        assert_eq!(queued.header("X-Ratelimit-Remaining"), Some("1"));
    }

    #[test]
    fn rates_validate_with_messages() {
        assert_eq!(Rate::per_second(2000).validate("Outflow"), Ok(()));
        assert_eq!(Rate::per_second(2000).interval_ms(), 0.5);
        assert_eq!(
            Rate { count: 0, per_ms: 1000 }.validate("Refill rate"),
            Err("Refill rate: enter a whole number of requests from 1 to 1,000,000.".to_string())
        );
        assert_eq!(
            Rate { count: 5, per_ms: 0 }.validate("Refill rate"),
            Err("Refill rate: enter a period from 1 ms to 86,400,000 ms (one day), in whole milliseconds."
                .to_string())
        );
        assert_eq!(Rate::per_second(5).to_string(), "5/s");
        assert_eq!(Rate { count: 3, per_ms: 60_000 }.to_string(), "3 per 60 s");
    }

    #[test]
    fn max_in_span_counts_half_open_spans_per_client() {
        let mut m = MaxInSpan::new(1000);
        for t in [0, 10, 999] {
            m.admit(1, t);
        }
        assert_eq!(m.max(), 3);
        m.admit(1, 1000); // 0 has left [1, 1001)
        assert_eq!(m.max(), 3);
        m.admit(1, 1009); // 10 is still in [10, 1010): four
        assert_eq!(m.max(), 4);
        assert_eq!(m.max_at(), Some((1, 10)));
        m.admit(1, 1010); // 10 out: [999, 1000, 1009, 1010]
        assert_eq!(m.max(), 4);
        m.admit(1, 1998); // 999 still in [999, 1999)
        assert_eq!(m.max(), 5);
        assert_eq!(m.max_at(), Some((1, 999)));
        for t in 0..3 {
            m.admit(2, 5000 + t);
        }
        assert_eq!(m.max(), 5, "another client's spans are counted apart");
    }

    #[test]
    fn memory_model_per_client() {
        // 100 per minute, sub-windows of 1 s (Figma's 1/60).
        let got: Vec<(Kind, u64)> = crate::rate_limit::timeline::default_configs(60_000, 100)
            .iter()
            .map(|c| (c.kind(), c.worst_case_bytes_per_client()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Kind::TokenBucket, 24),
                // 100 queued requests or timestamps: a queue grown to 128.
                (Kind::LeakyBucket, 56 + 128 * 8),
                (Kind::FixedWindow, 24),
                (Kind::SlidingLog, 40 + 128 * 8),
                // 60 sub-window counters: grown to 64.
                (Kind::SubWindowCounter, 48 + 64 * 16),
                (Kind::TwoWindowCounter, 24),
            ]
        );
    }

    #[test]
    fn grown_capacity_matches_std() {
        assert_eq!([0, 1, 4, 5, 8, 9, 100].map(grown_capacity), [0, 4, 4, 8, 8, 16, 128]);
        assert_eq!(grown_capacity(u64::MAX), u64::MAX);
        let mut millis: VecDeque<Millis> = VecDeque::new();
        let mut counters: VecDeque<(u64, u32)> = VecDeque::new();
        for n in 1..=600u64 {
            millis.push_back(n);
            counters.push_back((n, 1));
            assert_eq!(millis.capacity() as u64, grown_capacity(n), "{n} timestamps");
            assert_eq!(counters.capacity() as u64, grown_capacity(n), "{n} counters");
        }
    }

    proptest! {
        /// One client's live memory never exceeds the Step 2 figure, whatever its trace.
        #[test]
        fn live_memory_stays_within_the_worst_case(
            limit in 1u32..40, window_ms in 1u64..5000,
            gaps in prop::collection::vec(prop_oneof![Just(0u64), 0u64..50, 0u64..3000], 1..300),
        ) {
            for config in crate::rate_limit::timeline::default_configs(window_ms, limit) {
                let bound = config.worst_case_bytes_per_client();
                let mut limiter = config.build().unwrap();
                let mut now = 0;
                for gap in &gaps {
                    now += gap;
                    limiter.decide(1, now);
                    let used = limiter.memory().total_bytes();
                    prop_assert!(used <= bound, "{:?}: {used} > {bound} at {now}", config.kind());
                }
            }
        }
    }

    #[test]
    fn every_config_builds_and_reports_its_kind() {
        for config in crate::rate_limit::timeline::default_configs(1000, 10) {
            let limiter = config.build().unwrap();
            assert_eq!(limiter.kind(), config.kind());
            assert_eq!(limiter.limit(), 10);
            assert!(!config.describe().is_empty());
        }
    }
}

/// Helpers shared by the algorithms' tests: run a hand-worked trace, check Retry-After exactly.
#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use proptest::prelude::*;

    /// The expected decision for one request of a hand-worked trace.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Expect {
        /// Allowed, with this many remaining.
        A(u32),
        /// Allowed over the hard limit (soft allowance), with this many remaining.
        S(u32),
        /// Queued for this many ms, with this many remaining.
        Q(Millis, u32),
        /// Denied, retry after this many ms.
        D(Millis),
    }

    pub fn expect_of(d: &Decision) -> Expect {
        match d.verdict {
            Verdict::Allowed if d.over_limit => Expect::S(d.remaining),
            Verdict::Allowed => Expect::A(d.remaining),
            Verdict::Queued { delay_ms } => Expect::Q(delay_ms, d.remaining),
            Verdict::Denied { retry_after_ms } => {
                assert_eq!(d.remaining, 0, "a denied request has nothing remaining");
                Expect::D(retry_after_ms)
            }
        }
    }

    /// Decides every request of `trace` (all from client 1) and compares with the expectation.
    pub fn run(name: &str, limiter: &mut dyn Limiter, trace: &[(Millis, Expect)]) {
        let got: Vec<(Millis, Expect)> =
            trace.iter().map(|&(t, _)| (t, expect_of(&limiter.decide(1, t)))).collect();
        assert_eq!(got, trace, "{name}");
    }

    /// Decides a request from client 1 at each time.
    pub fn decide_all(limiter: &mut dyn Limiter, times: &[Millis]) -> Vec<Decision> {
        times.iter().map(|&t| limiter.decide(1, t)).collect()
    }

    /// Feeds requests from two clients at the cumulative `gaps` and checks, for every decision,
    /// that `remaining <= limit`, and for every denial that the wait is at least 1 ms, that
    /// `Retry-After` is a whole number of seconds >= 1, that a retry exactly `retry_after_ms`
    /// later is admitted, that one 1 ms earlier is still denied (the wait is the shortest), and
    /// that a retry after the whole seconds of `Retry-After` is admitted: each retry on a copy of
    /// the limiter, where nothing else arrived meanwhile.
    pub fn check_retry_is_exact<L: Limiter + Clone>(
        mut limiter: L,
        gaps: &[Millis],
    ) -> Result<(), TestCaseError> {
        let mut now = 0;
        for (i, gap) in gaps.iter().enumerate() {
            now += gap;
            let client = (i % 3 == 2) as ClientId;
            let d = limiter.decide(client, now);
            prop_assert!(d.remaining <= d.limit, "remaining {} > limit {}", d.remaining, d.limit);
            if let Verdict::Denied { retry_after_ms } = d.verdict {
                prop_assert!(retry_after_ms >= 1);
                let response = d.http();
                let seconds: u64 = response.header("Retry-After").unwrap().parse().unwrap();
                prop_assert!(seconds >= 1 && seconds * 1000 >= retry_after_ms);
                let mut later = limiter.clone();
                prop_assert!(
                    later.decide(client, now + retry_after_ms).is_admitted(),
                    "t={now}: a retry after {retry_after_ms} ms is denied"
                );
                let mut earlier = limiter.clone();
                prop_assert!(
                    earlier.decide(client, now + retry_after_ms - 1).is_denied(),
                    "t={now}: a retry after {} ms is already admitted: the wait is too long",
                    retry_after_ms - 1
                );
                let mut honouring = limiter.clone();
                prop_assert!(honouring.decide(client, now + seconds * 1000).is_admitted());
            }
        }
        Ok(())
    }
}
