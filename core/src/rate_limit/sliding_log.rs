//! Sliding window log: each client has a log of request timestamps; a request is admitted when
//! fewer than `limit` logged requests lie within the last window length.
//!
//! The notes: "store a log (in a sorted set) for every incoming request, discard outdated logs,
//! check if log size is less than our window size limit and reject if requests are more". It is
//! exact, the window slides with every request so there is no edge to exploit, but it costs one
//! entry per request in the window (a Redis sorted set in the usual design; 8 bytes each here).
//!
//! The notes flag a caveat of the common description: if rejected requests are logged too, a
//! client that keeps sending at or above the limit keeps its own log full and "the system won't be
//! able to process any of them after a while". So by default only admitted requests are logged;
//! [`SlidingLog::store_rejected`] switches to the caveat's behaviour so the page can show it.
//!
//! A request at time `s` counts against every request before `s + window_ms`: the window is the
//! half-open `(now - window_ms, now]`, so `limit` per 1000 ms means at most `limit` in any 1000
//! consecutive milliseconds. (The notes discard `log_ts < now - window`, which also counts the
//! request exactly one window ago: one millisecond more.)

use super::{Algorithm, Decision, Kind, Millis, StateView, Verdict};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Sliding log parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlidingLog {
    pub window_ms: Millis,
    pub limit: u32,
    pub soft: u32,
    /// Log rejected requests too (the caveat the notes warn about).
    pub store_rejected: bool,
}

/// One client's log: timestamps in the window, oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
    entries: VecDeque<Millis>,
}

impl SlidingLog {
    /// A hard-limited log of admitted requests only.
    pub fn new(window_ms: Millis, limit: u32) -> SlidingLog {
        SlidingLog { window_ms, limit, soft: 0, store_rejected: false }
    }

    pub fn with_soft(self, soft: u32) -> SlidingLog {
        SlidingLog { soft, ..self }
    }

    pub fn storing_rejected(self, store_rejected: bool) -> SlidingLog {
        SlidingLog { store_rejected, ..self }
    }

    pub fn validate(&self) -> Result<(), String> {
        super::validate_window(self.window_ms, "Window length")?;
        super::validate_count(self.limit, "Limit per window")?;
        super::validate_soft(self.soft)
    }

    fn threshold(&self) -> usize {
        self.limit.saturating_add(self.soft) as usize
    }

    /// Drops the entries that have left the window at `now`.
    fn expire(&self, log: &mut Log, now: Millis) {
        while log.entries.front().is_some_and(|&t| t.saturating_add(self.window_ms) <= now) {
            log.entries.pop_front();
        }
    }

    /// The number of logged requests inside the window at `now`, before a request at `now`.
    pub fn count_at(&self, log: &Log, now: Millis) -> u32 {
        let expired = log.entries.iter().take_while(|&&t| t.saturating_add(self.window_ms) <= now).count();
        (log.entries.len() - expired) as u32
    }
}

impl Algorithm for SlidingLog {
    type State = Log;

    fn kind(&self) -> Kind {
        Kind::SlidingLog
    }

    fn limit(&self) -> u32 {
        self.limit
    }

    fn new_state(&self, _now: Millis) -> Log {
        Log { entries: VecDeque::new() }
    }

    #[inline]
    fn decide(&self, log: &mut Log, now: Millis) -> Decision {
        self.expire(log, now);
        // Keep the log sorted even if a caller's time goes backwards.
        let now = now.max(log.entries.back().copied().unwrap_or(0));
        if log.entries.len() < self.threshold() {
            log.entries.push_back(now);
            let n = log.entries.len() as u32;
            return Decision {
                verdict: Verdict::Allowed,
                limit: self.limit,
                remaining: self.limit.saturating_sub(n),
                over_limit: n > self.limit,
            };
        }
        if self.store_rejected {
            log.entries.push_back(now);
        }
        // A retry is admitted once all but threshold - 1 entries have expired: when the entry at
        // index len - threshold leaves the window.
        let k = log.entries.len() - self.threshold();
        let leaves = log.entries[k].saturating_add(self.window_ms);
        Decision {
            verdict: Verdict::Denied { retry_after_ms: leaves.saturating_sub(now).max(1) },
            limit: self.limit,
            remaining: 0,
            over_limit: false,
        }
    }

    fn is_idle(&self, log: &Log, now: Millis) -> bool {
        log.entries.back().is_none_or(|&t| t.saturating_add(self.window_ms) <= now)
    }

    fn heap_bytes(log: &Log) -> u64 {
        (log.entries.capacity() * size_of::<Millis>()) as u64
    }

    fn view(&self, log: &Log, now: Millis) -> StateView {
        let mut log = log.clone();
        self.expire(&mut log, now);
        StateView::SlidingLog { entries: log.entries.into_iter().collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rate_limit::test_support::{Expect::*, check_retry_is_exact, run};
    use crate::rate_limit::{Keyed, Limiter};
    use proptest::prelude::*;

    #[test]
    fn hand_worked_traces() {
        let cases = vec![
            (
                "3 per second at the same millisecond, then each slot frees 1000 ms after its request",
                SlidingLog::new(1000, 3),
                vec![
                    (0, A(2)),
                    (0, A(1)),
                    (400, A(0)),
                    (400, D(600)),
                    (999, D(1)),
                    (1000, A(1)), // both requests at 0 left the window: the log is [400, 1000]
                    (1000, A(0)),
                    (1000, D(400)),
                    (1400, A(0)),
                ],
            ),
            (
                "no window edge: 3 at 999 leave no room at 1000",
                SlidingLog::new(1000, 3),
                vec![
                    (998, A(2)),
                    (999, A(1)),
                    (999, A(0)),
                    (1000, D(998)),
                    (1997, D(1)),
                    (1998, A(0)),
                    (1998, D(1)),
                ],
            ),
            (
                "long idle empties the log",
                SlidingLog::new(60_000, 2),
                vec![(0, A(1)), (1, A(0)), (2, D(59_998)), (10_000_000, A(1)), (10_000_000, A(0))],
            ),
            (
                "soft allowance: one more, marked over the limit",
                SlidingLog::new(1000, 2).with_soft(1),
                vec![(0, A(1)), (10, A(0)), (20, S(0)), (30, D(970))],
            ),
        ];
        for (name, algorithm, trace) in cases {
            run(name, &mut Keyed::new(algorithm), &trace);
        }
    }

    #[test]
    fn logging_rejected_requests_starves_a_client_that_keeps_trying() {
        // 2 per second; the client sends one request every 400 ms.
        let times: Vec<Millis> = (0..25).map(|i| i * 400).collect();
        let admitted = |store_rejected| {
            let mut l = Keyed::new(SlidingLog::new(1000, 2).storing_rejected(store_rejected));
            times.iter().copied().filter(|&t| l.decide(1, t).is_admitted()).collect::<Vec<_>>()
        };
        // Only admitted logged: 0 and 400 admitted, 800 refused, 1200 admitted (0 left the window
        // at 1000), 1600 admitted, 2000 refused, ...
        assert_eq!(admitted(false), expected_admitted_only());
        // Rejected logged too: the log always holds the last 1000 ms of attempts (2 or 3 of
        // them), so after the first two nothing is ever admitted.
        assert_eq!(admitted(true), vec![0, 400]);
    }

    fn expected_admitted_only() -> Vec<Millis> {
        // Every 1200 ms the pattern repeats: admitted at +0 and +400, refused at +800.
        (0..25).map(|i| i * 400).filter(|t| t % 1200 != 800).collect()
    }

    #[test]
    fn retry_after_counts_the_logged_rejection() {
        let mut l = Keyed::new(SlidingLog::new(1000, 1).storing_rejected(true));
        run("caveat", &mut l, &[(0, A(0)), (500, D(1000)), (1499, D(1000)), (2499, A(0))]);
    }

    #[test]
    fn view_and_memory() {
        let mut l = Keyed::new(SlidingLog::new(1000, 5));
        for t in [0, 100, 200, 300] {
            l.decide(1, t);
        }
        assert_eq!(l.view(1, 1150), StateView::SlidingLog { entries: vec![200, 300] });
        assert_eq!(size_of::<Log>(), 32);
        let m = l.memory();
        let cap = l.state(1).unwrap().entries.capacity() as u64;
        assert_eq!(m, crate::rate_limit::Memory { clients: 1, fixed_bytes: 40, heap_bytes: cap * 8 });
        assert_eq!(l.sweep(1299), 0);
        assert_eq!(l.sweep(1300), 1);
    }

    proptest! {
        /// The hard-limited log never admits more than `limit` in any `window_ms` span, whether or
        /// not it logs rejected requests.
        #[test]
        fn never_more_than_limit_in_any_window_span(
            window in 1u64..2000, limit in 1u32..8, store_rejected: bool,
            gaps in prop::collection::vec(prop_oneof![Just(0u64), 0u64..30, 0u64..2000], 1..150),
        ) {
            let mut l = Keyed::new(SlidingLog::new(window, limit).storing_rejected(store_rejected));
            let mut now = 0;
            let mut admitted = Vec::new();
            for gap in gaps {
                now += gap;
                if l.decide(1, now).is_admitted() {
                    admitted.push(now);
                }
            }
            for (i, &a) in admitted.iter().enumerate() {
                let in_span = admitted[i..].iter().take_while(|&&b| b < a + window).count();
                prop_assert!(in_span <= limit as usize, "{in_span} admitted in [{a}, {})", a + window);
            }
        }

        #[test]
        fn remaining_within_limit_and_retry_after_is_exact(
            window in 1u64..3000, limit in 1u32..6, soft in 0u32..3, store_rejected: bool,
            gaps in prop::collection::vec(prop_oneof![Just(0u64), 0u64..50, 0u64..3000], 1..80),
        ) {
            let l = Keyed::new(SlidingLog::new(window, limit).with_soft(soft).storing_rejected(store_rejected));
            check_retry_is_exact(l, &gaps)?;
        }
    }
}
