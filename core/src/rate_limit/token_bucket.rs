//! Token bucket: each client has a bucket of `size` tokens, refilled at a fixed rate; a request
//! takes one token or is refused.
//!
//! The notes' version (after "System Design Interview", Alex Xu, chapter 4): the bucket is not
//! refilled by a timer over millions of clients (write-heavy) but lazily, on the client's next
//! request, from the time since its last one: `{"tokens": 1, "ts": 1490868000}` is all that is
//! stored. Tokens accumulate only up to the bucket size, so a client that was idle can send a burst
//! of `size` requests at once and then the refill rate on average: suited to bursty traffic.
//!
//! Tokens are kept exactly, in integer units of `1 / refill.per_ms` token-milliseconds: one token
//! is `refill.per_ms` units and every millisecond adds `refill.count` units. So 2000 per second
//! adds two tokens per millisecond and 3 per second one token every 333⅓ ms, without rounding.
//! With a soft allowance the bucket may go `soft` tokens into debt; those requests are marked
//! `over_limit` and the debt is repaid by the refill before the bucket fills again.
//!
//! This is the same limiter as the Generic Cell Rate Algorithm that the `governor` crate
//! implements (a burst of `size` at `refill`): the tests check that both decide alike.

use super::{Algorithm, Decision, Kind, Millis, Rate, StateView, Verdict};
use serde::{Deserialize, Serialize};

/// Token bucket parameters: bucket size, refill rate and soft allowance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenBucket {
    /// Tokens the bucket holds when full: the largest burst, and the limit in the headers.
    pub size: u32,
    pub refill: Rate,
    /// Extra tokens the bucket may owe (0 for a hard limit).
    pub soft: u32,
}

/// One client's bucket: exact credit and the time it was last brought up to date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenState {
    /// Tokens plus the soft allowance, in units of `1 / refill.per_ms` tokens: 0 is `-soft` tokens.
    credit: u64,
    last: Millis,
}

impl TokenBucket {
    /// A hard-limited bucket.
    pub fn new(size: u32, refill: Rate) -> TokenBucket {
        TokenBucket { size, refill, soft: 0 }
    }

    pub fn with_soft(self, soft: u32) -> TokenBucket {
        TokenBucket { soft, ..self }
    }

    pub fn validate(&self) -> Result<(), String> {
        super::validate_count(self.size, "Bucket size")?;
        self.refill.validate("Refill rate")?;
        super::validate_soft(self.soft)
    }

    /// Units per token.
    fn unit(&self) -> u64 {
        self.refill.per_ms.max(1)
    }

    /// Credit of a full bucket.
    fn capacity(&self) -> u64 {
        (self.size as u64 + self.soft as u64).saturating_mul(self.unit())
    }

    /// The credit `state` has at `now` (never less than it had: time does not go backwards).
    fn credit_at(&self, state: &TokenState, now: Millis) -> u64 {
        // Saturating, so exact whenever the true credit is below the capacity it is capped at.
        let added = now.saturating_sub(state.last).saturating_mul(self.refill.count as u64);
        state.credit.saturating_add(added).min(self.capacity())
    }

    /// Whole tokens above zero for `credit`, at most `size`.
    fn remaining(&self, credit: u64) -> u32 {
        ((credit / self.unit()).saturating_sub(self.soft as u64)).min(self.size as u64) as u32
    }
}

impl Algorithm for TokenBucket {
    type State = TokenState;

    fn kind(&self) -> Kind {
        Kind::TokenBucket
    }

    fn limit(&self) -> u32 {
        self.size
    }

    fn new_state(&self, now: Millis) -> TokenState {
        TokenState { credit: self.capacity(), last: now }
    }

    #[inline]
    fn decide(&self, state: &mut TokenState, now: Millis) -> Decision {
        state.credit = self.credit_at(state, now);
        state.last = state.last.max(now);
        let unit = self.unit();
        if state.credit >= unit {
            state.credit -= unit;
            Decision {
                verdict: Verdict::Allowed,
                limit: self.size,
                remaining: self.remaining(state.credit),
                over_limit: state.credit < self.soft as u64 * unit,
            }
        } else {
            let deficit = unit - state.credit;
            let retry_after_ms = deficit.div_ceil(self.refill.count.max(1) as u64).max(1);
            Decision {
                verdict: Verdict::Denied { retry_after_ms },
                limit: self.size,
                remaining: 0,
                over_limit: false,
            }
        }
    }

    fn is_idle(&self, state: &TokenState, now: Millis) -> bool {
        self.credit_at(state, now) >= self.capacity()
    }

    fn heap_bytes(_: &TokenState) -> u64 {
        0
    }

    fn view(&self, state: &TokenState, now: Millis) -> StateView {
        let credit = self.credit_at(state, now);
        StateView::TokenBucket {
            tokens: credit as f64 / self.unit() as f64 - self.soft as f64,
            size: self.size,
            last_ms: state.last,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rate_limit::test_support::{Expect, Expect::*, check_retry_is_exact, decide_all, run};
    use crate::rate_limit::{Keyed, Limiter};
    use proptest::prelude::*;

    fn bucket(size: u32, count: u32, per_ms: u64) -> Keyed<TokenBucket> {
        Keyed::new(TokenBucket::new(size, Rate { count, per_ms }))
    }

    #[test]
    fn hand_worked_traces() {
        type Case = (&'static str, Keyed<TokenBucket>, Vec<(Millis, Expect)>);
        let cases: Vec<Case> = vec![
            (
                "3 tokens at 1/s: a burst of 3 at the same millisecond, then one a second",
                bucket(3, 1, 1000),
                vec![
                    (0, A(2)),
                    (0, A(1)),
                    (0, A(0)),
                    (0, D(1000)),
                    (500, D(500)),
                    (999, D(1)),
                    (1000, A(0)),
                    (1000, D(1000)),
                    // Long idle: the bucket fills to 3 and no further.
                    (100_000, A(2)),
                    (100_000, A(1)),
                    (100_000, A(0)),
                    (100_000, D(1000)),
                ],
            ),
            (
                "2000/s refills two tokens a millisecond: the wait is 1 ms, not 0",
                bucket(4, 2000, 1000),
                vec![
                    (0, A(3)),
                    (0, A(2)),
                    (0, A(1)),
                    (0, A(0)),
                    (0, D(1)),
                    (1, A(1)),
                    (1, A(0)),
                    (1, D(1)),
                    (2, A(1)),
                ],
            ),
            (
                "3/s does not divide a second into whole ms: after the burst, admitted at 334, 667, 1000",
                bucket(2, 3, 1000),
                vec![
                    (0, A(1)),
                    (0, A(0)),
                    (0, D(334)),
                    (333, D(1)),
                    (334, A(0)), // 1,002 of 1,000 units: the 2 left over are kept
                    (666, D(1)),
                    (667, A(0)),
                    (999, D(1)),
                    (1000, A(0)),
                ],
            ),
            (
                "a full bucket keeps no more: with room for one token, a request 2/3 ms late loses that time",
                bucket(1, 3, 1000),
                vec![(0, A(0)), (0, D(334)), (333, D(1)), (334, A(0)), (666, D(2)), (667, D(1)), (668, A(0))],
            ),
            (
                "7 per minute: one token every 8571.43 ms",
                bucket(2, 7, 60_000),
                vec![(0, A(1)), (0, A(0)), (0, D(8572)), (8571, D(1)), (8572, A(0)), (8572, D(8571))],
            ),
        ];
        for (name, mut limiter, trace) in cases {
            run(name, &mut limiter, &trace);
        }
    }

    #[test]
    fn soft_allowance_lets_a_few_through_marked_over_limit() {
        let mut l = Keyed::new(TokenBucket::new(2, Rate::per_second(1)).with_soft(1));
        let got = decide_all(&mut l, &[0, 0, 0, 0, 1000, 1000, 3000]);
        let summary: Vec<_> = got.iter().map(|d| (d.is_admitted(), d.remaining, d.over_limit)).collect();
        assert_eq!(
            summary,
            vec![
                (true, 1, false),
                (true, 0, false),
                (true, 0, true), // the soft allowance: one token of debt
                (false, 0, false),
                (true, 0, true), // the refill repays the debt first
                (false, 0, false),
                (true, 0, false), // at 3000: -1 + 2 = 1 token, taken
            ]
        );
        assert_eq!(got[3].retry_after_ms(), Some(1000));
    }

    #[test]
    fn state_view_refills_lazily_and_idle_clients_are_swept() {
        let mut l = bucket(4, 1, 1000);
        for _ in 0..4 {
            l.decide(7, 10_000);
        }
        assert_eq!(l.view(7, 10_000), StateView::TokenBucket { tokens: 0.0, size: 4, last_ms: 10_000 });
        assert_eq!(l.view(7, 11_500), StateView::TokenBucket { tokens: 1.5, size: 4, last_ms: 10_000 });
        assert_eq!(l.sweep(13_999), 0);
        assert_eq!(l.sweep(14_000), 1, "full again: as good as a fresh client");
        assert_eq!(l.view(7, 14_000), StateView::Fresh);
        assert_eq!(l.memory().clients, 0);
    }

    #[test]
    fn memory_is_the_key_and_two_words() {
        let mut l = bucket(4, 1, 1000);
        for c in 0..10 {
            l.decide(c, 0);
        }
        let m = l.memory();
        assert_eq!(size_of::<TokenState>(), 16);
        assert_eq!(m, crate::rate_limit::Memory { clients: 10, fixed_bytes: 240, heap_bytes: 0 });
        assert_eq!(m.per_client(), 24.0);
    }

    #[test]
    fn invalid_parameters_explain_themselves() {
        assert_eq!(
            TokenBucket::new(0, Rate::per_second(1)).validate(),
            Err("Bucket size: enter a whole number from 1 to 1,000,000.".to_string())
        );
        assert_eq!(
            TokenBucket::new(1, Rate::per_second(1)).with_soft(2_000_000).validate(),
            Err("Soft allowance: enter a whole number of extra requests from 0 to 1,000,000.".to_string())
        );
    }

    /// The `governor` crate's GCRA with the same burst and rate admits exactly the same requests
    /// and asks for the same wait (rounded up to whole ms), on a random keyed trace.
    #[test]
    fn decides_like_governor_gcra() {
        use governor::{Quota, RateLimiter, clock::FakeRelativeClock};
        use rand::{Rng, SeedableRng};
        use std::num::NonZeroU32;
        use std::time::Duration;
        for (size, per_second) in [(1u32, 1u32), (5, 10), (3, 2000), (10, 250), (100, 1000)] {
            let clock = FakeRelativeClock::default();
            let quota = Quota::per_second(NonZeroU32::new(per_second).unwrap())
                .allow_burst(NonZeroU32::new(size).unwrap());
            let gov = RateLimiter::hashmap_with_clock(quota, clock.clone());
            let mut ours = bucket(size, per_second, 1000);
            let mut rng =
                rand_chacha::ChaCha8Rng::seed_from_u64(u64::from(size) * 31 + u64::from(per_second));
            let mut now = 0u64;
            let mut denials = 0;
            // Gaps scaled to the rate so that every configuration is pushed past its limit.
            let longest_gap = (2000 / u64::from(per_second)).max(2);
            for _ in 0..20_000 {
                let step = if rng.random_bool(0.9) { 0 } else { rng.random_range(1..=longest_gap) };
                now += step;
                clock.advance(Duration::from_millis(step));
                let key = rng.random_range(0..3u64);
                let d = ours.decide(key, now);
                match gov.check_key(&key) {
                    Ok(()) => assert!(d.is_admitted(), "size {size} rate {per_second}: t={now} key {key}"),
                    Err(not_until) => {
                        denials += 1;
                        let wait = not_until.wait_time_from(governor::clock::Clock::now(&clock));
                        let wait_ms = (wait.as_nanos() as u64).div_ceil(1_000_000);
                        assert_eq!(
                            d.retry_after_ms(),
                            Some(wait_ms),
                            "size {size} rate {per_second} t={now}"
                        );
                    }
                }
            }
            assert!(denials > 100, "the trace must exercise denials: {denials}");
        }
    }

    proptest! {
        /// In every interval [a, b] of any trace, the bucket admits at most
        /// size + soft + refill × (b - a) requests.
        #[test]
        fn never_admits_more_than_size_plus_rate_times_elapsed(
            size in 1u32..20, count in 1u32..3000, per_ms in 1u64..5000, soft in 0u32..3,
            gaps in prop::collection::vec(prop_oneof![Just(0u64), 0u64..50, 0u64..5000], 1..120),
        ) {
            let mut l = Keyed::new(TokenBucket::new(size, Rate { count, per_ms }).with_soft(soft));
            let mut now = 0;
            let mut admitted = Vec::new();
            for gap in gaps {
                now += gap;
                if l.decide(1, now).is_admitted() {
                    admitted.push(now);
                }
            }
            for (i, &a) in admitted.iter().enumerate() {
                for (j, &b) in admitted.iter().enumerate().skip(i) {
                    let bound = (size + soft) as u128 + ((b - a) as u128 * count as u128) / per_ms as u128;
                    prop_assert!((j - i + 1) as u128 <= bound, "{} admitted in [{a}, {b}], bound {bound}", j - i + 1);
                }
            }
        }

        #[test]
        fn remaining_within_limit_and_retry_after_is_exact(
            size in 1u32..10, count in 1u32..3000, per_ms in 1u64..5000, soft in 0u32..3,
            gaps in prop::collection::vec(prop_oneof![Just(0u64), 0u64..50, 0u64..3000], 1..80),
        ) {
            let l = Keyed::new(TokenBucket::new(size, Rate { count, per_ms }).with_soft(soft));
            check_retry_is_exact(l, &gaps)?;
        }
    }
}
