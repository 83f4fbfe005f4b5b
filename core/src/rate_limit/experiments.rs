//! The rate-limiting page's experiments: each claim of the notes (or of the articles they cite)
//! run live on the limiters of this module, with the measured figure next to the expected one.
//! Every run is seeded and returns a [`Finding`]: the card's [`Outcome`] plus the raw figures and
//! one row per algorithm or setup for the table or chart under it.

use super::distributed::{self, DistributedConfig, Setup};
use super::traffic::{Pattern, Request};
use super::{
    ClientId, Keyed, Kind, Limiter, MaxInSpan, Millis, SlidingLog, SubWindowCounter, TwoWindowCounter,
    timeline::default_configs,
};
use crate::experiment::Outcome;
use crate::format;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One row of a finding's table: a label, the measured value, how it reads, and a note.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub label: String,
    pub value: f64,
    pub shown: String,
    pub note: String,
}

/// What an experiment measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The card's figures and verdict.
    pub outcome: Outcome,
    /// The headline figure, unformatted.
    pub measured: f64,
    /// What the claim or the source says it should be.
    pub expected: f64,
    pub rows: Vec<Row>,
}

/// One experiment of the page.
#[derive(Clone, Copy)]
pub struct Experiment {
    /// A stable name (for tests and the page's DOM ids).
    pub id: &'static str,
    pub claim: &'static str,
    pub source: &'static str,
    pub run: fn(u64) -> Finding,
}

/// The page's experiments, in the order the cards show them.
pub const EXPERIMENTS: [Experiment; 5] = [
    Experiment {
        id: "edge",
        claim: "A fixed window lets through twice the limit within one window length at a window edge; the \
                sliding log and the sliding counters do not.",
        source: "The notes (\"spikes on the edges of windows ruin this\"); Figma, \"An alternative approach to rate limiting\" (2017)",
        run: edge_burst,
    },
    Experiment {
        id: "starve",
        claim: "A sliding log that also stores rejected requests admits nothing under sustained load.",
        source: "The notes' caveat on the sliding window log (after a Reddit r/AskComputerScience thread)",
        run: log_rejected_starves,
    },
    Experiment {
        id: "error",
        claim: "The two-window sliding counter decides all but about 0.003% of requests as the exact sliding log \
                would, with a mean rate error of 6%.",
        source: "Cloudflare, \"Counting things, a lot of different things\" (2017): 0.003% of 400 million requests wrong",
        run: |seed| CounterErrorRun::new(CounterErrorParams::default(), seed).run_to_end(),
    },
    Experiment {
        id: "distributed",
        claim: "Gateways counting alone or racing on a shared counter let more than the limit through; an atomic \
                shared counter does not.",
        source: "The notes, \"Issues\": race condition and synchronization; Figma's article on read-then-write",
        run: distributed_race,
    },
    Experiment {
        id: "memory",
        claim: "The sliding log's memory grows with the limit, one timestamp per request; the fixed window, the \
                weighted counter and the token bucket keep a few words per client.",
        source: "The notes (\"overhead of storing logs\"); Figma's article on the log's memory footprint",
        run: memory_per_client,
    },
];

/// Runs a limiter over a trace; returns the most admitted in one `span_ms` and the admitted count.
fn max_in_span(limiter: &mut dyn Limiter, trace: &[Request], span_ms: Millis) -> (u64, u64) {
    let mut span = MaxInSpan::new(span_ms);
    let mut admitted = 0;
    for r in trace {
        let d = limiter.decide(r.client, r.at);
        let at = match d.verdict {
            super::Verdict::Allowed => Some(r.at),
            super::Verdict::Queued { delay_ms } => Some(r.at + delay_ms),
            super::Verdict::Denied { .. } => None,
        };
        if let Some(at) = at {
            span.admit(r.client, at);
            admitted += 1;
        }
    }
    (span.max(), admitted)
}

/// A limit of 10 per 1 s window; one client sends 10 requests in the 100 ms before every other
/// window edge and 10 in the 100 ms after it, for 20 s. The traffic is fixed: no seed is used.
pub fn edge_burst(_seed: u64) -> Finding {
    const LIMIT: u32 = 10;
    const WINDOW: Millis = 1000;
    let trace =
        Pattern::EdgeBurst { window_ms: WINDOW, burst: LIMIT }.generate(0, 20_000).unwrap_or_default();
    let mut rows = Vec::new();
    let mut by_kind = std::collections::BTreeMap::new();
    for config in default_configs(WINDOW, LIMIT) {
        let Ok(mut limiter) = config.build() else { continue };
        let (max, admitted) = max_in_span(limiter.as_mut(), &trace, WINDOW);
        by_kind.insert(config.kind(), max);
        rows.push(Row {
            label: config.kind().name().to_string(),
            value: max as f64,
            shown: format!("{max} in 1 s"),
            note: format!("{} of {} admitted; {}", admitted, trace.len(), config.describe()),
        });
    }
    let get = |k: Kind| by_kind.get(&k).copied().unwrap_or(0);
    let fixed = get(Kind::FixedWindow);
    let expected = 2 * LIMIT as u64;
    let reproduced = fixed == expected
        && get(Kind::SlidingLog) <= LIMIT as u64
        && get(Kind::SubWindowCounter) < expected
        && get(Kind::TwoWindowCounter) < expected;
    Finding {
        outcome: Outcome {
            measured: format!("{fixed} requests in one 1 s span"),
            expected: format!(
                "2 × the limit of {LIMIT} = {expected} for the fixed window; at most {LIMIT} for the sliding log"
            ),
            reproduced,
            detail: format!(
                "Limit {LIMIT} per 1 s. One client sends {LIMIT} requests in the last 100 ms before every other window \
                 edge and {LIMIT} in the first 100 ms after it, for 20 s ({} requests). Largest number admitted in any \
                 1 s span: fixed window {fixed}, sliding log {}, sub-window counter {}, weighted counter {}, token \
                 bucket {}, leaky bucket {} (counted when the API receives them).",
                trace.len(),
                get(Kind::SlidingLog),
                get(Kind::SubWindowCounter),
                get(Kind::TwoWindowCounter),
                get(Kind::TokenBucket),
                get(Kind::LeakyBucket),
            ),
        },
        measured: fixed as f64,
        expected: expected as f64,
        rows,
    }
}

/// One client sends 15 requests a second for 60 s to a sliding log of 10 per second, once logging
/// only admitted requests and once logging every request. The traffic is fixed: no seed is used.
pub fn log_rejected_starves(_seed: u64) -> Finding {
    const LIMIT: u32 = 10;
    let trace = Pattern::Steady { clients: 1, per_second: 15 }.generate(0, 60_000).unwrap_or_default();
    let run = |store_rejected: bool| {
        let mut l = Keyed::new(SlidingLog::new(1000, LIMIT).storing_rejected(store_rejected));
        let admitted: Vec<Millis> =
            trace.iter().filter(|r| l.decide(r.client, r.at).is_admitted()).map(|r| r.at).collect();
        let after_first = admitted.iter().filter(|&&t| t >= 1000).count() as u64;
        (admitted.len() as u64, after_first)
    };
    let (all_ok, after_ok) = run(false);
    let (all_rej, after_rej) = run(true);
    let rows = vec![
        Row {
            label: "Logs admitted requests only".to_string(),
            value: after_ok as f64,
            shown: format!("{} admitted after the first second", format::group_digits(after_ok.into())),
            note: format!("{} of {} admitted in all: the limit every second", all_ok, trace.len()),
        },
        Row {
            label: "Logs rejected requests too".to_string(),
            value: after_rej as f64,
            shown: format!("{} admitted after the first second", format::group_digits(after_rej.into())),
            note: format!("{} of {} admitted in all", all_rej, trace.len()),
        },
    ];
    Finding {
        outcome: Outcome {
            measured: format!("{after_rej} requests admitted after the first second"),
            expected: "0 (every refused request keeps the log full)".to_string(),
            reproduced: after_rej == 0 && after_ok > 0,
            detail: format!(
                "Limit {LIMIT} per 1 s; one client sends 15 evenly spaced requests a second for 60 s ({} requests). \
                 Logging only admitted requests lets {after_ok} through after the first second, {LIMIT} every second.",
                trace.len()
            ),
        },
        measured: after_rej as f64,
        expected: 0.0,
        rows,
    }
}

/// The traffic of the counter-error experiment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CounterErrorParams {
    pub clients: u32,
    pub window_ms: Millis,
    pub limit: u32,
    /// Sub-window of the sub-window counter (Figma: a 60th of the window).
    pub sub_window_ms: Millis,
    pub duration_ms: Millis,
    /// Client rates are drawn log-uniformly between these multiples of the limit's rate.
    pub low: f64,
    pub high: f64,
}

impl Default for CounterErrorParams {
    fn default() -> Self {
        CounterErrorParams {
            clients: 2_000,
            window_ms: 60_000,
            limit: 60,
            sub_window_ms: 1000,
            duration_ms: 600_000,
            low: 0.01,
            high: 3.0,
        }
    }
}

/// Where a client's average rate lies against the limit's rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Band {
    /// Below half the limit.
    FarBelow,
    /// From half to one and a half times the limit.
    Near,
    /// Above one and a half times the limit.
    FarAbove,
}

impl Band {
    pub const ALL: [Band; 3] = [Band::FarBelow, Band::Near, Band::FarAbove];

    fn of(multiple: f64) -> Band {
        if multiple < 0.5 {
            Band::FarBelow
        } else if multiple <= 1.5 {
            Band::Near
        } else {
            Band::FarAbove
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Band::FarBelow => "clients below half the limit",
            Band::Near => "clients within 50% of the limit",
            Band::FarAbove => "clients above 1.5 × the limit",
        }
    }
}

/// Disagreements of one approximation with the exact log.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tally {
    pub requests: u64,
    /// Admitted by the approximation, refused by the log.
    pub false_allow: u64,
    /// Refused by the approximation, admitted by the log.
    pub false_deny: u64,
    /// Sum over requests of |estimate - exact| / exact, both counting the request itself.
    pub rel_error_sum: f64,
}

impl Tally {
    pub fn wrong(&self) -> u64 {
        self.false_allow + self.false_deny
    }

    /// Share of requests decided differently.
    pub fn share(&self) -> f64 {
        if self.requests == 0 { 0.0 } else { self.wrong() as f64 / self.requests as f64 }
    }

    pub fn mean_rel_error(&self) -> f64 {
        if self.requests == 0 { 0.0 } else { self.rel_error_sum / self.requests as f64 }
    }

    fn add(&mut self, approx_ok: bool, exact_ok: bool, approx: f64, exact: f64) {
        self.requests += 1;
        self.false_allow += (approx_ok && !exact_ok) as u64;
        self.false_deny += (!approx_ok && exact_ok) as u64;
        self.rel_error_sum += (approx - exact).abs() / exact;
    }
}

/// Cloudflare's published share of requests its weighted counter decided differently from an
/// exact count (0.003 % of 400 million), and the mean rate error (6 %).
const CLOUDFLARE_SHARE: f64 = 0.003 / 100.0;
const CLOUDFLARE_RATE_ERROR: f64 = 0.06;
/// How many times Cloudflare's share a run may reach and still reproduce it.
const CLOUDFLARE_FACTOR: f64 = 10.0;

/// The counter-error experiment, resumable so that a page can run it a slice at a time.
///
/// Clients send Poisson traffic at rates drawn log-uniformly around the limit. All three limiters
/// count every request (a rate meter, as Cloudflare does), so each one's decisions depend on the
/// trace alone and a difference is the approximation's own error, not the echo of an earlier
/// different decision. The exact sliding log is the reference; disagreements are tallied overall
/// and by how far the client's rate is from the limit.
#[derive(Clone, Debug)]
pub struct CounterErrorRun {
    params: CounterErrorParams,
    trace: Vec<Request>,
    /// Each client's rate as a multiple of the limit's rate.
    multiples: Vec<f64>,
    next: usize,
    exact_log: Keyed<SlidingLog>,
    two_counter: Keyed<TwoWindowCounter>,
    sub_counter: Keyed<SubWindowCounter>,
    /// Overall tallies of the two-window and the sub-window counter.
    pub two: Tally,
    pub sub: Tally,
    /// The two-window counter's tally per band.
    pub two_by_band: [Tally; 3],
    /// Requests the exact log refused.
    pub refused: u64,
}

impl CounterErrorRun {
    pub fn new(params: CounterErrorParams, seed: u64) -> CounterErrorRun {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let limit_rate = params.limit as f64 * 1000.0 / params.window_ms.max(1) as f64;
        let (ln_low, ln_high) = (libm::log(params.low), libm::log(params.high));
        let mut raw: Vec<(Millis, ClientId)> = Vec::new();
        let mut multiples = Vec::with_capacity(params.clients as usize);
        for c in 0..params.clients as u64 {
            let u: f64 = rng.random();
            let multiple = libm::exp(ln_low + u * (ln_high - ln_low));
            multiples.push(multiple);
            super::traffic::poisson(&mut rng, c, multiple * limit_rate, params.duration_ms, &mut raw);
        }
        raw.sort_by_key(|&(t, c)| (t, c));
        let trace = raw
            .into_iter()
            .enumerate()
            .map(|(i, (at, client))| Request { id: i as u64, at, client })
            .collect();
        CounterErrorRun {
            params,
            trace,
            multiples,
            next: 0,
            exact_log: Keyed::new(SlidingLog::new(params.window_ms, params.limit).storing_rejected(true)),
            two_counter: Keyed::new(
                TwoWindowCounter::new(params.window_ms, params.limit).counting_rejected(true),
            ),
            sub_counter: Keyed::new(
                SubWindowCounter::new(params.window_ms, params.sub_window_ms, params.limit)
                    .counting_rejected(true),
            ),
            two: Tally::default(),
            sub: Tally::default(),
            two_by_band: [Tally::default(); 3],
            refused: 0,
        }
    }

    pub fn total(&self) -> usize {
        self.trace.len()
    }

    pub fn done(&self) -> usize {
        self.next
    }

    pub fn is_finished(&self) -> bool {
        self.next >= self.trace.len()
    }

    /// Decides up to `budget` more requests; returns the share done, from 0 to 1.
    pub fn advance(&mut self, budget: usize) -> f64 {
        let end = self.next.saturating_add(budget).min(self.trace.len());
        for r in &self.trace[self.next..end] {
            let (c, t) = (r.client, r.at);
            let exact_before =
                self.exact_log.state(c).map_or(0, |s| self.exact_log.algorithm().count_at(s, t));
            let two_before =
                self.two_counter.state(c).map_or(0.0, |s| self.two_counter.algorithm().estimate(s, t));
            let sub_before =
                self.sub_counter.state(c).map_or(0.0, |s| self.sub_counter.algorithm().estimate(s, t));
            let exact_ok = self.exact_log.decide(c, t).is_admitted();
            let two_ok = self.two_counter.decide(c, t).is_admitted();
            let sub_ok = self.sub_counter.decide(c, t).is_admitted();
            self.refused += !exact_ok as u64;
            let exact = exact_before as f64 + 1.0;
            self.two.add(two_ok, exact_ok, two_before + 1.0, exact);
            self.sub.add(sub_ok, exact_ok, sub_before + 1.0, exact);
            let band = Band::of(self.multiples.get(c as usize).copied().unwrap_or(1.0));
            self.two_by_band[band as usize].add(two_ok, exact_ok, two_before + 1.0, exact);
        }
        self.next = end;
        if self.trace.is_empty() { 1.0 } else { self.next as f64 / self.trace.len() as f64 }
    }

    /// Finishes the run and reports.
    pub fn run_to_end(mut self) -> Finding {
        self.advance(usize::MAX);
        self.finding()
    }

    /// The finding for the requests decided so far.
    ///
    /// Verdict: Cloudflare's figures are reproduced when, over all requests, the two-window
    /// counter decides differently at most [`CLOUDFLARE_FACTOR`] times as often as their
    /// 0.003 %, with a mean rate error at most their 6 %. Nearly only clients near the limit are
    /// decided differently (far below it both admit, far above it both refuse), so the share depends
    /// on how much of the traffic comes from near the limit; Cloudflare did not publish that,
    /// hence the factor. This trace spreads rates around the limit on purpose, and is not
    /// expected to reach it.
    pub fn finding(&self) -> Finding {
        let p = self.params;
        let far = {
            let (below, above) =
                (self.two_by_band[Band::FarBelow as usize], self.two_by_band[Band::FarAbove as usize]);
            Tally {
                requests: below.requests + above.requests,
                false_allow: below.false_allow + above.false_allow,
                false_deny: below.false_deny + above.false_deny,
                rel_error_sum: below.rel_error_sum + above.rel_error_sum,
            }
        };
        let near = self.two_by_band[Band::Near as usize];
        let tally_row = |label: String, t: &Tally| Row {
            label,
            value: t.share(),
            shown: format!("{} decided differently", format::percent(t.share())),
            note: format!(
                "{} of {} requests: {} wrongly admitted, {} wrongly refused; mean rate error {}",
                format::group_digits(t.wrong().into()),
                format::group_digits(t.requests.into()),
                format::group_digits(t.false_allow.into()),
                format::group_digits(t.false_deny.into()),
                format::percent(t.mean_rel_error())
            ),
        };
        let mut rows = vec![
            tally_row(format!("{}, all requests", Kind::TwoWindowCounter.name()), &self.two),
            tally_row(format!("{}, all requests", Kind::SubWindowCounter.name()), &self.sub),
        ];
        for band in Band::ALL {
            rows.push(tally_row(
                format!("Weighted counter, {}", band.name()),
                &self.two_by_band[band as usize],
            ));
        }
        let expected = CLOUDFLARE_SHARE;
        let share = self.two.share();
        let near_part =
            if self.two.requests == 0 { 0.0 } else { near.requests as f64 / self.two.requests as f64 };
        Finding {
            outcome: Outcome {
                measured: format!(
                    "{} of requests decided differently, mean rate error {}",
                    format::percent(share),
                    format::percent(self.two.mean_rel_error())
                ),
                expected: format!(
                    "{} of 400 million requests, mean rate error {} (Cloudflare); reproduced at up to {}× that \
                     share ({}) and a mean rate error up to {}",
                    format::percent(expected),
                    format::percent(CLOUDFLARE_RATE_ERROR),
                    CLOUDFLARE_FACTOR,
                    format::percent(expected * CLOUDFLARE_FACTOR),
                    format::percent(CLOUDFLARE_RATE_ERROR)
                ),
                reproduced: self.is_finished()
                    && share <= expected * CLOUDFLARE_FACTOR
                    && self.two.mean_rel_error() <= CLOUDFLARE_RATE_ERROR,
                detail: format!(
                    "{} requests from {} clients over {}, each client Poisson at a rate drawn log-uniformly from {}× \
                     to {}× the limit of {} per {}; the exact log found {} over the limit. The weighted two-window \
                     counter decided {} requests differently ({} wrongly admitted), mean rate error {}. Its errors \
                     sit with the clients within 50% of the limit: {} of their requests, against {} for the others. \
                     So the share overall follows how much traffic comes from near the limit: {} here, where the \
                     rates are spread around the limit on purpose; Cloudflare did not publish theirs, hence the \
                     tolerance of {}×. The sub-window counter ({} sub-windows) decided {} differently.",
                    format::group_digits(self.next as u128),
                    format::group_digits(p.clients.into()),
                    format::human_duration_s(p.duration_ms as f64 / 1000.0),
                    format::significant(p.low, 3),
                    format::significant(p.high, 3),
                    p.limit,
                    format::human_duration_s(p.window_ms as f64 / 1000.0),
                    format::group_digits(self.refused.into()),
                    format::group_digits(self.two.wrong().into()),
                    format::group_digits(self.two.false_allow.into()),
                    format::percent(self.two.mean_rel_error()),
                    format::percent(near.share()),
                    format::percent(far.share()),
                    format::percent(near_part),
                    CLOUDFLARE_FACTOR,
                    format::duration_ns(p.sub_window_ms as f64 * 1e6),
                    format::percent(self.sub.share()),
                ),
            },
            measured: share,
            expected,
            rows,
        }
    }
}

/// The default distributed setup (3 gateways, 10 per window, 30 requests a window, 100 windows).
pub fn distributed_race(seed: u64) -> Finding {
    let config = DistributedConfig { seed, ..DistributedConfig::default() };
    let results = distributed::run_all(&config).unwrap_or_default();
    let over = |s: Setup| results.iter().find(|r| r.setup == s).map_or(0, |r| r.over_admitted);
    let rows = results
        .iter()
        .map(|r| Row {
            label: r.setup.name().to_string(),
            value: r.over_admitted as f64,
            shown: format!("+{} over the limit", format::group_digits(r.over_admitted.into())),
            note: format!(
                "{} of {} admitted (limit {}); worst window {}{}",
                format::group_digits(r.admitted.into()),
                format::group_digits(r.requests.into()),
                format::group_digits(r.allowed.into()),
                r.worst_window,
                if r.setup == Setup::SharedRacy {
                    format!("; {} lost updates", r.lost_updates)
                } else {
                    String::new()
                }
            ),
        })
        .collect();
    let (alone, racy, atomic) =
        (over(Setup::Unsynchronized), over(Setup::SharedRacy), over(Setup::SharedAtomic));
    Finding {
        outcome: Outcome {
            measured: format!(
                "alone +{}, racy +{}, atomic +{}",
                format::group_digits(alone.into()),
                format::group_digits(racy.into()),
                format::group_digits(atomic.into())
            ),
            expected: "more than 0 alone and racy; exactly 0 atomic".to_string(),
            reproduced: alone > 0 && racy > 0 && atomic == 0,
            detail: format!(
                "{} gateways, limit {} per window, {} requests of one client per window spread at random over the \
                 gateways, {} windows, seed {seed}. Requests admitted beyond the limit, summed over windows.",
                config.gateways, config.limit, config.requests_per_window, config.windows
            ),
        },
        measured: racy as f64,
        expected: 0.0,
        rows,
    }
}

/// Memory per client of every algorithm after a minute of traffic from 1,000 clients sending at
/// about their limit, at limits of 10 and 100 per minute.
pub fn memory_per_client(seed: u64) -> Finding {
    const WINDOW: Millis = 60_000;
    let measure = |limit: u32| -> Vec<(Kind, f64, u64)> {
        let per_second = limit as f64 / 60.0;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut raw = Vec::new();
        for c in 0..1000 {
            super::traffic::poisson(&mut rng, c, per_second, WINDOW, &mut raw);
        }
        raw.sort_by_key(|&(t, c)| (t, c));
        default_configs(WINDOW, limit)
            .iter()
            .filter_map(|config| {
                let mut limiter = config.build().ok()?;
                for &(at, client) in &raw {
                    limiter.decide(client, at);
                }
                let m = limiter.memory();
                Some((config.kind(), m.per_client(), limiter.fixed_bytes_per_client()))
            })
            .collect()
    };
    let small = measure(10);
    let large = measure(100);
    let per = |v: &[(Kind, f64, u64)], k: Kind| v.iter().find(|x| x.0 == k).map_or(0.0, |x| x.1);
    let growth = (per(&large, Kind::SlidingLog) - per(&small, Kind::SlidingLog)) / 90.0;
    let rows = large
        .iter()
        .map(|&(kind, bytes, fixed)| Row {
            label: kind.name().to_string(),
            value: bytes,
            shown: format!(
                "{} per client · {} per million clients",
                format::bytes(bytes),
                format::bytes(bytes * 1e6)
            ),
            note: format!(
                "{} B fixed (key and state); {} per client at a limit of 10",
                fixed,
                format::bytes(per(&small, kind))
            ),
        })
        .collect();
    let steady = [Kind::TokenBucket, Kind::FixedWindow, Kind::TwoWindowCounter]
        .iter()
        .all(|&k| per(&small, k) == per(&large, k) && per(&large, k) <= 32.0);
    Finding {
        outcome: Outcome {
            measured: format!("{} more per client for each request of limit", format::bytes(growth)),
            expected: "8 B (one timestamp) to 16 B (a queue's spare capacity); counters unchanged"
                .to_string(),
            reproduced: (8.0..=16.0).contains(&growth) && steady,
            detail: format!(
                "1,000 clients send at about their limit for one 60 s window, at limits of 10 and 100 per minute; \
                 memory counted after the last request: key, state struct and owned heap by capacity (map overhead \
                 excluded). Sliding log: {} per client at 10, {} at 100.",
                format::bytes(per(&small, Kind::SlidingLog)),
                format::bytes(per(&large, Kind::SlidingLog))
            ),
        },
        measured: growth,
        expected: 8.0,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edge_burst_doubles_the_fixed_window_only() {
        let f = edge_burst(1);
        assert_eq!(f.measured, 20.0);
        assert!(f.outcome.reproduced, "{:?}", f.outcome);
        let by = |label: &str| f.rows.iter().find(|r| r.label == label).unwrap().value;
        assert_eq!(by("Sliding window log"), 10.0);
        assert_eq!(by("Fixed window counter"), 20.0);
    }

    #[test]
    fn logging_rejects_starves() {
        let f = log_rejected_starves(1);
        assert_eq!(f.measured, 0.0);
        assert_eq!(f.rows[0].value, 590.0, "10 a second for the other 59 seconds");
        assert!(f.outcome.reproduced);
    }

    #[test]
    fn counter_error_is_small_and_resumable() {
        let params =
            CounterErrorParams { clients: 200, duration_ms: 300_000, ..CounterErrorParams::default() };
        let whole = CounterErrorRun::new(params, 7).run_to_end();
        let mut sliced = CounterErrorRun::new(params, 7);
        while !sliced.is_finished() {
            sliced.advance(10_000);
        }
        assert_eq!(sliced.finding(), whole, "a run in slices measures the same");
        let band = |b: Band| sliced.two_by_band[b as usize];
        assert_eq!(
            band(Band::FarBelow).wrong(),
            0,
            "clients far below the limit are never refused by either"
        );
        assert!(band(Band::Near).share() > 10.0 * band(Band::FarAbove).share(), "{:?}", sliced.two_by_band);
        assert!(sliced.two.mean_rel_error() < 0.1, "{:?}", sliced.two);
    }

    /// Pinned figures of a small run; the browser test (web/tests/rate_limit.rs) checks the same
    /// on wasm32, down to the bits of a floating-point sum, so a seed replays exactly everywhere.
    #[test]
    fn counter_error_small_run_is_pinned() {
        let params =
            CounterErrorParams { clients: 50, duration_ms: 120_000, ..CounterErrorParams::default() };
        let mut run = CounterErrorRun::new(params, 3);
        run.advance(usize::MAX);
        assert_eq!((run.total(), run.refused, run.two.wrong(), run.sub.wrong()), (3020, 1798, 16, 3));
        assert_eq!(run.two.rel_error_sum.to_bits(), 4_634_220_442_885_062_543);
    }

    #[test]
    fn distributed_race_over_admits_without_atomicity() {
        let f = distributed_race(1);
        assert!(f.outcome.reproduced, "{:?}", f.outcome);
        assert_eq!(f.outcome.measured, "alone +1,700, racy +1,112, atomic +0");
        assert_eq!(f.rows[2].value, 0.0);
    }

    #[test]
    fn memory_grows_with_the_log_only() {
        let f = memory_per_client(1);
        assert!(f.outcome.reproduced, "{:?}", f);
        let by = |k: Kind| f.rows.iter().find(|r| r.label == k.name()).unwrap().value;
        assert_eq!(by(Kind::FixedWindow), 24.0);
        assert_eq!(by(Kind::TokenBucket), 24.0);
        assert_eq!(by(Kind::TwoWindowCounter), 24.0);
        assert!(by(Kind::SlidingLog) > 8.0 * 50.0);
    }

    /// The verdict is judged on every request against Cloudflare's 0.003 % (up to 10×, so 0.03 %)
    /// and can go either way: the page's mix of rates around the limit misses it, clients all well
    /// above the limit reach it.
    #[test]
    fn counter_error_verdict_follows_the_share_of_all_requests() {
        let small = CounterErrorParams { clients: 50, duration_ms: 120_000, ..CounterErrorParams::default() };
        let f = CounterErrorRun::new(small, 3).run_to_end();
        // 16 of 3,020 requests (see the pinned run above): 0.53%, 177 times Cloudflare's share.
        assert_eq!(f.measured, 16.0 / 3020.0);
        assert_eq!(f.outcome.measured, "0.53% of requests decided differently, mean rate error 2.13%");
        assert!(!f.outcome.reproduced);
        let above = CounterErrorParams { low: 1.6, ..small };
        let run = CounterErrorRun::new(above, 3);
        let f = run.clone().run_to_end();
        assert_eq!(f.outcome.measured, "0% of requests decided differently, mean rate error 1.33%");
        assert!(f.outcome.reproduced, "{:?}", f.outcome);
        // Unfinished, a run reproduces nothing yet.
        assert!(!run.finding().outcome.reproduced);
    }

    /// The page's run on its default seed, pinned (about 4 s in a debug build).
    #[test]
    fn counter_error_page_run_is_pinned() {
        let mut run = CounterErrorRun::new(CounterErrorParams::default(), 1);
        run.advance(usize::MAX);
        assert_eq!((run.total(), run.two.false_allow, run.two.false_deny), (629_070, 2_905, 4_542));
        let f = run.finding();
        assert_eq!(f.outcome.measured, "1.18% of requests decided differently, mean rate error 3.78%");
        assert!(!f.outcome.reproduced, "394 times Cloudflare's 0.003%");
    }

    /// Every card's run replays exactly from its seed, and on another seed than the tests above
    /// the claims still hold. The counter error, seconds long at page scale in a debug build, is
    /// run at a small scale by the tests above instead.
    #[test]
    fn experiments_have_unique_ids_replay_their_seed_and_reproduce() {
        let mut ids: Vec<_> = EXPERIMENTS.iter().map(|e| e.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), EXPERIMENTS.len());
        for e in EXPERIMENTS.iter().filter(|e| e.id != "error") {
            let f = (e.run)(2);
            assert_eq!(f, (e.run)(2), "{} replays seed 2", e.id);
            assert!(f.outcome.reproduced, "{}: {:?}", e.id, f.outcome);
        }
    }
}
