//! Fixed window counter: time is cut into windows of a fixed length, aligned to multiples of it;
//! each client gets a counter per window and requests beyond the limit are refused until the
//! next window starts.
//!
//! The notes store one key per client and window (`"user_1_1490868000": 1`, the window's start in
//! the key), create it on the first request of a window, increment it on each further one, and
//! remove the stale keys at each window's end. Here each client keeps only its current window's
//! start and count: a request in a later window replaces the stale counter, and a sweep drops the
//! clients whose window has ended. It is cheap (a counter per client) and Redis's `INCR` makes it
//! atomic, but, as the notes warn, "spikes on the edges of windows ruin this": a client can send
//! the whole limit at the end of one window and again at the start of the next, twice the limit
//! within one window length (Figma's "An alternative approach to rate limiting", 2017).

use super::{Algorithm, Decision, Kind, Millis, StateView, Verdict};
use serde::{Deserialize, Serialize};

/// Fixed window parameters: window length, limit per window and soft allowance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedWindow {
    pub window_ms: Millis,
    pub limit: u32,
    pub soft: u32,
}

/// One client's counter: which window it counts, and how many requests it admitted there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowCount {
    /// The window's number: its start is `window * window_ms`.
    window: u64,
    count: u32,
}

impl FixedWindow {
    /// A hard-limited fixed window.
    pub fn new(window_ms: Millis, limit: u32) -> FixedWindow {
        FixedWindow { window_ms, limit, soft: 0 }
    }

    pub fn with_soft(self, soft: u32) -> FixedWindow {
        FixedWindow { soft, ..self }
    }

    pub fn validate(&self) -> Result<(), String> {
        super::validate_window(self.window_ms, "Window length")?;
        super::validate_count(self.limit, "Limit per window")?;
        super::validate_soft(self.soft)
    }

    fn index(&self, now: Millis) -> u64 {
        now / self.window_ms.max(1)
    }

    fn threshold(&self) -> u32 {
        self.limit.saturating_add(self.soft)
    }
}

impl Algorithm for FixedWindow {
    type State = WindowCount;

    fn kind(&self) -> Kind {
        Kind::FixedWindow
    }

    fn limit(&self) -> u32 {
        self.limit
    }

    fn new_state(&self, now: Millis) -> WindowCount {
        WindowCount { window: self.index(now), count: 0 }
    }

    #[inline]
    fn decide(&self, state: &mut WindowCount, now: Millis) -> Decision {
        let index = self.index(now);
        if index > state.window {
            *state = WindowCount { window: index, count: 0 };
        }
        if state.count < self.threshold() {
            state.count += 1;
            Decision {
                verdict: Verdict::Allowed,
                limit: self.limit,
                remaining: self.limit.saturating_sub(state.count),
                over_limit: state.count > self.limit,
            }
        } else {
            let window_end = state.window.saturating_add(1).saturating_mul(self.window_ms.max(1));
            Decision {
                verdict: Verdict::Denied { retry_after_ms: window_end.saturating_sub(now).max(1) },
                limit: self.limit,
                remaining: 0,
                over_limit: false,
            }
        }
    }

    fn is_idle(&self, state: &WindowCount, now: Millis) -> bool {
        self.index(now) > state.window || state.count == 0
    }

    fn heap_bytes(_: &WindowCount) -> u64 {
        0
    }

    fn view(&self, state: &WindowCount, now: Millis) -> StateView {
        let index = self.index(now);
        let count = if index > state.window { 0 } else { state.count };
        StateView::FixedWindow { window_start_ms: index.max(state.window) * self.window_ms, count }
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
                "3 per second: the fourth at the same millisecond waits for the next window",
                FixedWindow::new(1000, 3),
                vec![(0, A(2)), (0, A(1)), (0, A(0)), (0, D(1000)), (999, D(1)), (1000, A(2))],
            ),
            (
                "the window edge: 3 at 999 ms and 3 more at 1000 ms, six within 2 ms",
                FixedWindow::new(1000, 3),
                vec![
                    (998, A(2)),
                    (999, A(1)),
                    (999, A(0)),
                    (999, D(1)),
                    (1000, A(2)),
                    (1000, A(1)),
                    (1001, A(0)),
                    (1001, D(999)),
                ],
            ),
            (
                "long idle: the stale counter is replaced, windows stay aligned to multiples of 1000",
                FixedWindow::new(1000, 1),
                vec![(500, A(0)), (700, D(300)), (86_400_123, A(0)), (86_400_999, D(1)), (86_401_000, A(0))],
            ),
            (
                "a 7 ms window: windows start at 0, 7, 14...",
                FixedWindow::new(7, 2),
                vec![(6, A(1)), (6, A(0)), (6, D(1)), (7, A(1)), (13, A(0)), (13, D(1)), (14, A(1))],
            ),
            (
                "soft allowance of 1: the third is admitted over the limit",
                FixedWindow::new(1000, 2).with_soft(1),
                vec![(0, A(1)), (0, A(0)), (0, S(0)), (0, D(1000))],
            ),
        ];
        for (name, algorithm, trace) in cases {
            run(name, &mut Keyed::new(algorithm), &trace);
        }
    }

    #[test]
    fn stale_windows_are_removed() {
        let mut l = Keyed::new(FixedWindow::new(1000, 5));
        l.decide(1, 100);
        l.decide(2, 1500);
        assert_eq!(l.view(1, 999), StateView::FixedWindow { window_start_ms: 0, count: 1 });
        assert_eq!(l.sweep(1200), 1, "client 1's window ended at 1000");
        assert_eq!(l.view(1, 1200), StateView::Fresh);
        assert_eq!(l.view(2, 1999), StateView::FixedWindow { window_start_ms: 1000, count: 1 });
        assert_eq!(l.memory(), crate::rate_limit::Memory { clients: 1, fixed_bytes: 24, heap_bytes: 0 });
    }

    proptest! {
        /// At most `limit + soft` admitted in each window.
        #[test]
        fn at_most_limit_per_window(
            window in 1u64..2000, limit in 1u32..10, soft in 0u32..3,
            gaps in prop::collection::vec(prop_oneof![Just(0u64), 0u64..50, 0u64..3000], 1..150),
        ) {
            let mut l = Keyed::new(FixedWindow::new(window, limit).with_soft(soft));
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
        fn remaining_within_limit_and_retry_after_is_exact(
            window in 1u64..3000, limit in 1u32..6, soft in 0u32..3,
            gaps in prop::collection::vec(prop_oneof![Just(0u64), 0u64..50, 0u64..3000], 1..80),
        ) {
            check_retry_is_exact(Keyed::new(FixedWindow::new(window, limit).with_soft(soft)), &gaps)?;
        }
    }
}
