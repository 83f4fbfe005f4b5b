//! Sliding window counters: the cheap approximations of the sliding log, in the two published
//! forms.
//!
//! **Sub-window counter** ([`SubWindowCounter`]), the notes' "combination of the above two, best
//! algo" after Figma's "An alternative approach to rate limiting" (Nikrad Mahdi, 2017): keep a
//! counter per small fixed sub-window (Figma: 1/60 of the window, a Redis hash per client:
//! `{1490868000: 1, 1490868010: 2}`), sum the counters whose sub-window starts within the last
//! window length, admit while the sum is below the limit, and drop counters older than the window.
//! Memory is one counter per non-empty sub-window instead of one entry per request. It is not
//! exact: at a request the oldest sub-window still counted starts less than one window ago, so the
//! requests in the part of a sub-window that began just over a window ago are already forgotten,
//! and a client can get up to one sub-window's worth more than the limit through in a window span.
//!
//! **Two-window weighted counter** ([`TwoWindowCounter`]), Cloudflare's "Counting things, a lot of
//! different things" (Julien Desgats, 2017): keep only the previous and the current fixed window's
//! counts and estimate the sliding count as `previous × (time left of the previous window inside
//! the sliding window) / window + current`, assuming the previous window's requests were spread
//! evenly. Cloudflare's example: 42 requests in the previous minute, 18 in the current one, 15 s
//! into it: `42 × 45/60 + 18 = 49.5`. They measured 0.003 % of 400 million requests wrongly
//! allowed or limited against the exact count, with a mean difference of 6 % between the real and
//! the estimated rate.
//!
//! Both admit a request when the count (or estimate) including it does not exceed the threshold
//! (`limit + soft`), the same rule as the sliding log, so the three can be compared request by
//! request. By default they count admitted requests only; `count_rejected` counts every request
//! (Cloudflare counts a source's whole traffic), which makes them pure rate meters.
//! Estimates are computed exactly in integers scaled by the window length.

use super::{Algorithm, Decision, Kind, Millis, StateView, Verdict};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Sub-window counter parameters. `sub_window_ms` must divide `window_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubWindowCounter {
    pub window_ms: Millis,
    pub sub_window_ms: Millis,
    pub limit: u32,
    pub soft: u32,
    /// Count rejected requests too.
    pub count_rejected: bool,
}

/// One client's non-empty sub-window counters, oldest first, and their sum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubWindows {
    /// (sub-window number, count); sub-window `i` covers `[i × sub_window_ms, (i + 1) × sub_window_ms)`.
    counters: VecDeque<(u64, u32)>,
    total: u32,
}

impl SubWindowCounter {
    /// A hard-limited counter of admitted requests.
    pub fn new(window_ms: Millis, sub_window_ms: Millis, limit: u32) -> SubWindowCounter {
        SubWindowCounter { window_ms, sub_window_ms, limit, soft: 0, count_rejected: false }
    }

    pub fn with_soft(self, soft: u32) -> SubWindowCounter {
        SubWindowCounter { soft, ..self }
    }

    pub fn counting_rejected(self, count_rejected: bool) -> SubWindowCounter {
        SubWindowCounter { count_rejected, ..self }
    }

    pub fn validate(&self) -> Result<(), String> {
        super::validate_window(self.window_ms, "Window length")?;
        super::validate_window(self.sub_window_ms, "Sub-window length")?;
        if self.sub_window_ms > self.window_ms || !self.window_ms.is_multiple_of(self.sub_window_ms) {
            return Err(format!(
                "Sub-window length: enter a length that divides the window ({} ms) evenly, such as {} ms.",
                self.window_ms,
                suggested_sub_window(self.window_ms)
            ));
        }
        super::validate_count(self.limit, "Limit per window")?;
        super::validate_soft(self.soft)
    }

    fn sub(&self) -> Millis {
        self.sub_window_ms.max(1)
    }

    /// Sub-windows per window.
    fn per_window(&self) -> u64 {
        (self.window_ms / self.sub()).max(1)
    }

    fn threshold(&self) -> u32 {
        self.limit.saturating_add(self.soft)
    }

    fn expire(&self, state: &mut SubWindows, now: Millis) {
        let current = now / self.sub();
        while let Some(&(index, count)) = state.counters.front() {
            if index.saturating_add(self.per_window()) > current {
                break;
            }
            state.counters.pop_front();
            state.total -= count;
        }
    }

    fn count(&self, state: &mut SubWindows, now: Millis) {
        let index = now / self.sub();
        match state.counters.back_mut() {
            // A time earlier than the newest counter is counted there (time never goes back).
            Some((last, count)) if *last >= index => *count = count.saturating_add(1),
            _ => state.counters.push_back((index, 1)),
        }
        state.total = state.total.saturating_add(1);
    }

    /// The count the algorithm sees at `now`, before a request at `now`.
    pub fn estimate(&self, state: &SubWindows, now: Millis) -> f64 {
        let current = now / self.sub();
        let expired: u32 = state
            .counters
            .iter()
            .take_while(|&&(index, _)| index.saturating_add(self.per_window()) <= current)
            .map(|&(_, count)| count)
            .sum();
        (state.total - expired) as f64
    }
}

/// A sub-window length that divides `window_ms`: a 60th of it if that is whole, else the largest
/// divisor up to a tenth of it.
pub fn suggested_sub_window(window_ms: Millis) -> Millis {
    if window_ms.is_multiple_of(60) {
        return window_ms / 60;
    }
    (1..=(window_ms / 10).max(1)).rev().find(|&d| window_ms.is_multiple_of(d)).unwrap_or(1)
}

impl Algorithm for SubWindowCounter {
    type State = SubWindows;

    fn kind(&self) -> Kind {
        Kind::SubWindowCounter
    }

    fn limit(&self) -> u32 {
        self.limit
    }

    fn new_state(&self, _now: Millis) -> SubWindows {
        SubWindows { counters: VecDeque::new(), total: 0 }
    }

    #[inline]
    fn decide(&self, state: &mut SubWindows, now: Millis) -> Decision {
        self.expire(state, now);
        let threshold = self.threshold();
        if state.total < threshold {
            self.count(state, now);
            return Decision {
                verdict: Verdict::Allowed,
                limit: self.limit,
                remaining: self.limit.saturating_sub(state.total),
                over_limit: state.total > self.limit,
            };
        }
        if self.count_rejected {
            self.count(state, now);
        }
        // The retry succeeds once enough of the oldest counters have expired for the sum to drop
        // to threshold - 1; a counter expires when its sub-window is a full window old.
        let mut left = state.total;
        let mut leaves = now.saturating_add(1);
        for &(index, count) in &state.counters {
            left -= count;
            leaves = index.saturating_add(self.per_window()).saturating_mul(self.sub());
            if left < threshold {
                break;
            }
        }
        Decision {
            verdict: Verdict::Denied { retry_after_ms: leaves.saturating_sub(now).max(1) },
            limit: self.limit,
            remaining: 0,
            over_limit: false,
        }
    }

    fn is_idle(&self, state: &SubWindows, now: Millis) -> bool {
        state
            .counters
            .back()
            .is_none_or(|&(index, _)| index.saturating_add(self.per_window()) <= now / self.sub())
    }

    fn heap_bytes(state: &SubWindows) -> u64 {
        (state.counters.capacity() * size_of::<(u64, u32)>()) as u64
    }

    fn view(&self, state: &SubWindows, now: Millis) -> StateView {
        let mut s = state.clone();
        self.expire(&mut s, now);
        StateView::SubWindows {
            counters: s.counters.iter().map(|&(i, c)| (i * self.sub(), c)).collect(),
            total: s.total,
        }
    }
}

/// Two-window weighted counter parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoWindowCounter {
    pub window_ms: Millis,
    pub limit: u32,
    pub soft: u32,
    /// Count rejected requests too.
    pub count_rejected: bool,
}

/// One client's two counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TwoWindows {
    /// The current window's number: it starts at `window × window_ms`.
    window: u64,
    previous: u32,
    current: u32,
}

impl TwoWindowCounter {
    /// A hard-limited counter of admitted requests.
    pub fn new(window_ms: Millis, limit: u32) -> TwoWindowCounter {
        TwoWindowCounter { window_ms, limit, soft: 0, count_rejected: false }
    }

    pub fn with_soft(self, soft: u32) -> TwoWindowCounter {
        TwoWindowCounter { soft, ..self }
    }

    pub fn counting_rejected(self, count_rejected: bool) -> TwoWindowCounter {
        TwoWindowCounter { count_rejected, ..self }
    }

    pub fn validate(&self) -> Result<(), String> {
        super::validate_window(self.window_ms, "Window length")?;
        super::validate_count(self.limit, "Limit per window")?;
        super::validate_soft(self.soft)
    }

    // The arithmetic below is exact in u64 for validated parameters (counts up to 2^32, windows up
    // to a day: products stay below 10^18) and saturates, never wraps, for any other.

    fn w(&self) -> u64 {
        self.window_ms.max(1)
    }

    fn threshold(&self) -> u64 {
        self.limit as u64 + self.soft as u64
    }

    /// Moves the counters to the window containing `now`.
    fn roll(&self, state: &mut TwoWindows, now: Millis) {
        let index = now / self.window_ms.max(1);
        if index == state.window.saturating_add(1) {
            *state = TwoWindows { window: index, previous: state.current, current: 0 };
        } else if index > state.window {
            *state = TwoWindows { window: index, previous: 0, current: 0 };
        }
    }

    /// Time into the current window (0 if `now` is before it).
    fn elapsed(&self, state: &TwoWindows, now: Millis) -> u64 {
        now.saturating_sub(state.window.saturating_mul(self.w())).min(self.w())
    }

    /// The estimate times the window length, exactly.
    fn weighted(&self, state: &TwoWindows, now: Millis) -> u64 {
        let w = self.w();
        (state.previous as u64)
            .saturating_mul(w - self.elapsed(state, now))
            .saturating_add((state.current as u64).saturating_mul(w))
    }

    /// The sliding count the algorithm sees at `now`, before a request at `now`.
    pub fn estimate(&self, state: &TwoWindows, now: Millis) -> f64 {
        let mut s = *state;
        self.roll(&mut s, now);
        self.weighted(&s, now) as f64 / self.w() as f64
    }

    /// The earliest time after a denial at which a request is admitted, nothing else arriving.
    fn retry_at(&self, state: &TwoWindows) -> u64 {
        let (w, t) = (self.w(), self.threshold());
        let (p, c) = (state.previous as u64, state.current as u64);
        let start = state.window.saturating_mul(w);
        if c < t {
            // Admitted in this window once p × (w - e) + (c + 1) × w <= t × w.
            let e = w - ((t - c - 1).saturating_mul(w) / p.max(1)).min(w);
            start.saturating_add(e)
        } else {
            // Next window: previous = c, current = 0; admitted once c × (w - e) + w <= t × w,
            // or at the start of the window after, when both counts have gone.
            let e = w - (t.saturating_sub(1).saturating_mul(w) / c.max(1)).min(w);
            start.saturating_add(w).saturating_add(e)
        }
    }
}

impl Algorithm for TwoWindowCounter {
    type State = TwoWindows;

    fn kind(&self) -> Kind {
        Kind::TwoWindowCounter
    }

    fn limit(&self) -> u32 {
        self.limit
    }

    fn new_state(&self, now: Millis) -> TwoWindows {
        TwoWindows { window: now / self.window_ms.max(1), previous: 0, current: 0 }
    }

    #[inline]
    fn decide(&self, state: &mut TwoWindows, now: Millis) -> Decision {
        self.roll(state, now);
        let w = self.w();
        let after = self.weighted(state, now).saturating_add(w);
        if after <= self.threshold().saturating_mul(w) {
            state.current = state.current.saturating_add(1);
            let limit_w = (self.limit as u64).saturating_mul(w);
            return Decision {
                verdict: Verdict::Allowed,
                limit: self.limit,
                remaining: (limit_w.saturating_sub(after) / w) as u32,
                over_limit: after > limit_w,
            };
        }
        if self.count_rejected {
            state.current = state.current.saturating_add(1);
        }
        let retry = self.retry_at(state).saturating_sub(now).max(1);
        Decision {
            verdict: Verdict::Denied { retry_after_ms: retry },
            limit: self.limit,
            remaining: 0,
            over_limit: false,
        }
    }

    fn is_idle(&self, state: &TwoWindows, now: Millis) -> bool {
        let mut s = *state;
        self.roll(&mut s, now);
        s.previous == 0 && s.current == 0
    }

    fn heap_bytes(_: &TwoWindows) -> u64 {
        0
    }

    fn view(&self, state: &TwoWindows, now: Millis) -> StateView {
        let mut s = *state;
        self.roll(&mut s, now);
        let w = self.w() as f64;
        StateView::TwoWindows {
            window_start_ms: s.window * self.window_ms,
            previous: s.previous,
            current: s.current,
            weight: (w - self.elapsed(&s, now) as f64) / w,
            estimate: self.weighted(&s, now) as f64 / w,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rate_limit::test_support::{Expect::*, check_retry_is_exact, run};
    use crate::rate_limit::{Keyed, Limiter, SlidingLog};
    use proptest::prelude::*;

    #[test]
    fn sub_window_hand_worked_traces() {
        let cases = vec![
            (
                "1 s window in 250 ms sub-windows, limit 3: at 1000 the request at 240 is forgotten early",
                SubWindowCounter::new(1000, 250, 3),
                vec![
                    (0, A(2)),
                    (240, A(1)),
                    (260, A(0)),
                    (900, D(100)), // sub-window 0 (two requests) expires at 1000
                    (999, D(1)),
                    (1000, A(1)),
                    (1000, A(0)),   // the exact log would refuse this one: 240 is only 760 ms old
                    (1100, D(150)), // sub-window 1 (the request at 260) expires at 1250
                    (1250, A(0)),
                ],
            ),
            (
                "same millisecond and long idle",
                SubWindowCounter::new(60_000, 1000, 2),
                vec![(5, A(1)), (5, A(0)), (5, D(59_995)), (3_600_000, A(1))],
            ),
            (
                "soft allowance",
                SubWindowCounter::new(1000, 100, 1).with_soft(1),
                vec![(0, A(0)), (50, S(0)), (150, D(850))],
            ),
        ];
        for (name, algorithm, trace) in cases {
            run(name, &mut Keyed::new(algorithm), &trace);
        }
    }

    #[test]
    fn two_window_hand_worked_traces() {
        let cases = vec![
            (
                "limit 4 per second: 4 early in window 0 weigh on window 1 until 250 ms into it",
                TwoWindowCounter::new(1000, 4),
                vec![
                    (0, A(3)),
                    (100, A(2)),
                    (200, A(1)),
                    (300, A(0)),
                    (400, D(850)), // 4 × 750/1000 + 1 <= 4 first at 1250
                    (1249, D(1)),
                    (1250, A(0)),
                    (1250, D(250)), // 4 × 500/1000 + 2 <= 4 at 1500
                    (1500, A(0)),
                    (5000, A(3)), // long idle: both counts gone
                ],
            ),
            (
                "the window edge: 4 at 999 leave only a trickle at 1000",
                TwoWindowCounter::new(1000, 4),
                vec![(999, A(3)), (999, A(2)), (999, A(1)), (999, A(0)), (1000, D(250)), (1250, A(0))],
            ),
        ];
        for (name, algorithm, trace) in cases {
            run(name, &mut Keyed::new(algorithm), &trace);
        }
    }

    #[test]
    fn cloudflare_example_estimates_49_5() {
        // 42 requests in the previous minute, 18 in the current one, 15 s into it.
        let algorithm = TwoWindowCounter::new(60_000, 50).counting_rejected(true);
        let state = TwoWindows { window: 1, previous: 42, current: 18 };
        assert_eq!(algorithm.estimate(&state, 75_000), 49.5);
        // With a limit of 50 the request would make 50.5: refused; with 51 it is admitted.
        assert!(algorithm.decide(&mut state.clone(), 75_000).is_denied());
        assert!(TwoWindowCounter::new(60_000, 51).decide(&mut state.clone(), 75_000).is_admitted());
        match algorithm.view(&state, 75_000) {
            StateView::TwoWindows { weight, estimate, .. } => assert_eq!((weight, estimate), (0.75, 49.5)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn on_a_steady_stream_below_the_limit_all_three_agree() {
        let mut log = Keyed::new(SlidingLog::new(1000, 10));
        let mut sub = Keyed::new(SubWindowCounter::new(1000, 100, 10));
        let mut two = Keyed::new(TwoWindowCounter::new(1000, 10));
        for t in (0..20_000).step_by(125) {
            // 8 per second, evenly spaced
            assert!(
                log.decide(1, t).is_admitted()
                    && sub.decide(1, t).is_admitted()
                    && two.decide(1, t).is_admitted()
            );
        }
    }

    #[test]
    fn sub_window_validation_and_suggestion() {
        assert_eq!(SubWindowCounter::new(1000, 100, 5).validate(), Ok(()));
        assert_eq!(
            SubWindowCounter::new(1000, 300, 5).validate(),
            Err(
                "Sub-window length: enter a length that divides the window (1000 ms) evenly, such as 100 ms."
                    .to_string()
            )
        );
        assert_eq!(suggested_sub_window(60_000), 1000);
        assert_eq!(suggested_sub_window(1000), 100);
        assert_eq!(suggested_sub_window(7), 1);
        assert!(SubWindowCounter::new(1000, 2000, 5).validate().is_err());
    }

    #[test]
    fn views_memory_and_sweep() {
        let mut l = Keyed::new(SubWindowCounter::new(1000, 250, 10));
        for t in [0, 10, 300, 900] {
            l.decide(1, t);
        }
        assert_eq!(l.view(1, 1100), StateView::SubWindows { counters: vec![(250, 1), (750, 1)], total: 2 });
        assert_eq!(size_of::<SubWindows>(), 40);
        let m = l.memory();
        let cap = l.state(1).unwrap().counters.capacity() as u64;
        assert_eq!(m, crate::rate_limit::Memory { clients: 1, fixed_bytes: 48, heap_bytes: cap * 16 });
        assert_eq!(l.sweep(1749), 0);
        assert_eq!(l.sweep(1750), 1);

        let mut two = Keyed::new(TwoWindowCounter::new(1000, 10));
        two.decide(1, 500);
        assert_eq!(size_of::<TwoWindows>(), 16);
        assert_eq!(two.memory().fixed_bytes, 24);
        assert_eq!(two.sweep(1999), 0, "still weighs on window 1");
        assert_eq!(two.sweep(2000), 1);
    }

    proptest! {
        /// Any `window / sub_window` consecutive sub-windows hold at most `limit + soft` admitted.
        #[test]
        fn sub_window_counter_bounds_aligned_windows(
            per in 1u64..8, sub in 1u64..300, limit in 1u32..8, soft in 0u32..2, count_rejected: bool,
            gaps in prop::collection::vec(prop_oneof![Just(0u64), 0u64..30, 0u64..2000], 1..150),
        ) {
            let mut l = Keyed::new(SubWindowCounter::new(per * sub, sub, limit).with_soft(soft).counting_rejected(count_rejected));
            let mut now = 0;
            let mut admitted = Vec::new();
            for gap in gaps {
                now += gap;
                if l.decide(1, now).is_admitted() {
                    admitted.push(now / sub);
                }
            }
            for &first in &admitted {
                let n = admitted.iter().filter(|&&i| i >= first && i < first + per).count();
                prop_assert!(n <= (limit + soft) as usize);
            }
        }

        /// Each fixed window holds at most `limit + soft` admitted requests.
        #[test]
        fn two_window_counter_bounds_each_window(
            window in 1u64..2000, limit in 1u32..8, soft in 0u32..2, count_rejected: bool,
            gaps in prop::collection::vec(prop_oneof![Just(0u64), 0u64..30, 0u64..2000], 1..150),
        ) {
            let mut l = Keyed::new(TwoWindowCounter::new(window, limit).with_soft(soft).counting_rejected(count_rejected));
            let mut now = 0;
            let mut per_window = std::collections::BTreeMap::<u64, u32>::new();
            for gap in gaps {
                now += gap;
                if l.decide(1, now).is_admitted() {
                    *per_window.entry(now / window).or_default() += 1;
                }
            }
            prop_assert!(per_window.values().all(|&n| n <= limit + soft));
        }

        #[test]
        fn sub_window_remaining_and_retry_after_are_exact(
            per in 1u64..6, sub in 1u64..500, limit in 1u32..6, soft in 0u32..2, count_rejected: bool,
            gaps in prop::collection::vec(prop_oneof![Just(0u64), 0u64..50, 0u64..3000], 1..80),
        ) {
            let l = Keyed::new(SubWindowCounter::new(per * sub, sub, limit).with_soft(soft).counting_rejected(count_rejected));
            check_retry_is_exact(l, &gaps)?;
        }

        #[test]
        fn two_window_remaining_and_retry_after_are_exact(
            window in 1u64..3000, limit in 1u32..6, soft in 0u32..2, count_rejected: bool,
            gaps in prop::collection::vec(prop_oneof![Just(0u64), 0u64..50, 0u64..3000], 1..80),
        ) {
            let l = Keyed::new(TwoWindowCounter::new(window, limit).with_soft(soft).counting_rejected(count_rejected));
            check_retry_is_exact(l, &gaps)?;
        }
    }
}
