//! Leaky bucket: requests join a bounded FIFO queue and leave it for the API at a fixed outflow
//! rate; a request that finds the queue full is refused.
//!
//! The notes: "requests are put into a FIFO queue, and subsequently picked from there based on the
//! outflow rate parameter", with two parameters, bucket (queue) size and outflow rate. Unlike the
//! other four algorithms it does not only say yes or no: an admitted request may wait, so the API
//! sees a perfectly even stream and the client sees queueing delay. (NGINX's `limit_req` with a
//! `burst` queue works this way.)
//!
//! The outflow sends one request every `outflow.per_ms / outflow.count` ms, computed exactly in
//! units of `1 / outflow.count` ms, so 2000 per second leaves every 0.5 ms rather than every 0 or
//! 1 ms. A request that arrives when the outflow is idle leaves at once ([`Verdict::Allowed`]);
//! otherwise it leaves one interval after the request ahead of it ([`Verdict::Queued`] with the
//! delay, rounded up to whole ms). `queue` bounds the requests waiting, not counting one that
//! leaves at the very millisecond it arrived. The queue holds each waiting request's departure
//! time (rounded up to the ms at which it has left), which is what the page shows and what the
//! memory figure counts: 8 bytes per waiting request.

use super::{Algorithm, Decision, Kind, Millis, Rate, StateView, Verdict};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Leaky bucket parameters: queue size, outflow rate and soft allowance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeakyBucket {
    /// Requests that may wait in the queue: the limit in the headers.
    pub queue: u32,
    pub outflow: Rate,
    /// Extra queue places beyond `queue` (0 for a hard limit).
    pub soft: u32,
}

/// One client's queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeakyState {
    /// Departure time of each waiting request, in whole ms (rounded up), oldest first.
    waiting: VecDeque<Millis>,
    /// When the outflow can send the next request: one interval after the last departure, in
    /// units of `1 / outflow.count` ms (0 for a client never seen: free at once).
    next_free: u128,
}

impl LeakyBucket {
    /// A hard-limited leaky bucket.
    pub fn new(queue: u32, outflow: Rate) -> LeakyBucket {
        LeakyBucket { queue, outflow, soft: 0 }
    }

    pub fn with_soft(self, soft: u32) -> LeakyBucket {
        LeakyBucket { soft, ..self }
    }

    pub fn validate(&self) -> Result<(), String> {
        super::validate_count(self.queue, "Queue size")?;
        self.outflow.validate("Outflow rate")?;
        super::validate_soft(self.soft)
    }

    fn units_per_ms(&self) -> u128 {
        self.outflow.count.max(1) as u128
    }

    /// The interval between departures, in units.
    fn interval(&self) -> u128 {
        self.outflow.per_ms.max(1) as u128
    }

    fn capacity(&self) -> usize {
        (self.queue as usize).saturating_add(self.soft as usize)
    }

    /// Forgets the requests that have left by `now`.
    fn drain(state: &mut LeakyState, now: Millis) {
        while state.waiting.front().is_some_and(|&t| t <= now) {
            state.waiting.pop_front();
        }
    }

    /// When the outflow can next send a request, in units (never before `now`).
    fn next_slot(&self, state: &LeakyState, now: Millis) -> u128 {
        state.next_free.max(now as u128 * self.units_per_ms())
    }
}

impl Algorithm for LeakyBucket {
    type State = LeakyState;

    fn kind(&self) -> Kind {
        Kind::LeakyBucket
    }

    fn limit(&self) -> u32 {
        self.queue
    }

    fn new_state(&self, _now: Millis) -> LeakyState {
        LeakyState { waiting: VecDeque::new(), next_free: 0 }
    }

    fn decide(&self, state: &mut LeakyState, now: Millis) -> Decision {
        Self::drain(state, now);
        if state.waiting.len() >= self.capacity() {
            let head = state.waiting.front().copied().unwrap_or(now + 1);
            return Decision {
                verdict: Verdict::Denied { retry_after_ms: head.saturating_sub(now).max(1) },
                limit: self.queue,
                remaining: 0,
                over_limit: false,
            };
        }
        let departure = self.next_slot(state, now);
        state.next_free = departure + self.interval();
        let departure_ms = departure.div_ceil(self.units_per_ms()).min(u64::MAX as u128) as Millis;
        let delay_ms = departure_ms.saturating_sub(now);
        let verdict = if delay_ms == 0 {
            Verdict::Allowed
        } else {
            state.waiting.push_back(departure_ms);
            Verdict::Queued { delay_ms }
        };
        let waiting = state.waiting.len() as u64;
        Decision {
            verdict,
            limit: self.queue,
            remaining: (self.queue as u64).saturating_sub(waiting) as u32,
            over_limit: waiting > self.queue as u64,
        }
    }

    fn is_idle(&self, state: &LeakyState, now: Millis) -> bool {
        let now_units = now as u128 * self.units_per_ms();
        state.waiting.back().is_none_or(|&t| t <= now) && state.next_free <= now_units
    }

    fn heap_bytes(state: &LeakyState) -> u64 {
        (state.waiting.capacity() * size_of::<Millis>()) as u64
    }

    fn view(&self, state: &LeakyState, now: Millis) -> StateView {
        let mut s = state.clone();
        Self::drain(&mut s, now);
        StateView::LeakyBucket {
            waiting: s.waiting.iter().copied().collect(),
            next_slot_ms: self.next_slot(&s, now) as f64 / self.units_per_ms() as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rate_limit::test_support::{Expect::*, check_retry_is_exact, run};
    use crate::rate_limit::{Keyed, Limiter};
    use proptest::prelude::*;

    fn leaky(queue: u32, count: u32, per_ms: u64) -> Keyed<LeakyBucket> {
        Keyed::new(LeakyBucket::new(queue, Rate { count, per_ms }))
    }

    #[test]
    fn hand_worked_traces() {
        let cases = vec![
            (
                "queue of 2 at 10/s: one leaves at once, two wait 100 and 200 ms, the fourth is refused",
                leaky(2, 10, 1000),
                vec![
                    (0, A(2)),
                    (0, Q(100, 1)),
                    (0, Q(200, 0)),
                    (0, D(100)),
                    (99, D(1)),
                    (100, Q(200, 0)), // the first waiter left at 100: a place is free, behind the one leaving at 200
                    (100, D(100)),
                    (300, Q(100, 1)), // the request leaving at 300 took that slot: next is 400
                    (500, A(2)),      // everything has left and the outflow is idle again
                    (550, Q(50, 1)),
                ],
            ),
            (
                "2000/s leaves every 0.5 ms: departures at 0, 0.5, 1.0 and 1.5 round up to 0, 1, 1, 2",
                leaky(3, 2000, 1000),
                vec![
                    (0, A(3)),
                    (0, Q(1, 2)),
                    (0, Q(1, 1)),
                    (0, Q(2, 0)),
                    (0, D(1)),
                    (1, Q(1, 1)),
                    (1, Q(2, 0)),
                ],
            ),
            (
                "3/s leaves every 333⅓ ms without drift: 0, 334, 667, 1000",
                leaky(3, 3, 1000),
                vec![(0, A(3)), (0, Q(334, 2)), (0, Q(667, 1)), (0, Q(1000, 0)), (0, D(334))],
            ),
            (
                "long idle: the queue empties and the next request leaves at once",
                leaky(1, 1, 1000),
                vec![(0, A(1)), (0, Q(1000, 0)), (0, D(1000)), (1_000_000, A(1)), (1_000_000, Q(1000, 0))],
            ),
        ];
        for (name, mut limiter, trace) in cases {
            run(name, &mut limiter, &trace);
        }
    }

    #[test]
    fn soft_allowance_adds_places_marked_over_limit() {
        let mut l = Keyed::new(LeakyBucket::new(1, Rate::per_second(10)).with_soft(1));
        let got: Vec<_> =
            (0..4).map(|_| l.decide(1, 0)).map(|d| (d.verdict, d.remaining, d.over_limit)).collect();
        assert_eq!(
            got,
            vec![
                (Verdict::Allowed, 1, false),
                (Verdict::Queued { delay_ms: 100 }, 0, false),
                (Verdict::Queued { delay_ms: 200 }, 0, true), // the soft place
                (Verdict::Denied { retry_after_ms: 100 }, 0, false),
            ]
        );
        assert_eq!(l.decide(2, 0).verdict, Verdict::Allowed, "another client has its own queue");
    }

    #[test]
    fn view_shows_the_waiting_requests_and_the_next_slot() {
        let mut l = leaky(4, 2000, 1000);
        for _ in 0..4 {
            l.decide(1, 10);
        }
        assert_eq!(l.view(1, 10), StateView::LeakyBucket { waiting: vec![11, 11, 12], next_slot_ms: 12.0 });
        assert_eq!(l.view(1, 11), StateView::LeakyBucket { waiting: vec![12], next_slot_ms: 12.0 });
        assert_eq!(l.sweep(11), 0);
        assert_eq!(l.sweep(12), 1);
        assert_eq!(l.view(1, 12), StateView::Fresh);
    }

    #[test]
    fn memory_counts_the_queue_capacity() {
        let mut l = leaky(100, 1, 1000);
        for _ in 0..20 {
            l.decide(1, 0);
        }
        let m = l.memory();
        assert_eq!(size_of::<LeakyState>(), 48, "VecDeque (32) + u128 (16)");
        assert_eq!(m.fixed_bytes, 8 + 48);
        let cap = l.state(1).unwrap().waiting.capacity() as u64;
        assert!(cap >= 19);
        assert_eq!(m.heap_bytes, cap * 8);
    }

    proptest! {
        /// The API never sees two requests of one client closer than the outflow interval, and
        /// never more than `queue + soft` wait at once.
        #[test]
        fn outflow_is_even_and_queue_bounded(
            queue in 1u32..10, count in 1u32..3000, per_ms in 1u64..3000, soft in 0u32..3,
            gaps in prop::collection::vec(prop_oneof![Just(0u64), 0u64..20, 0u64..2000], 1..150),
        ) {
            let mut l = Keyed::new(LeakyBucket::new(queue, Rate { count, per_ms }).with_soft(soft));
            let mut now = 0;
            let mut departures: Vec<Millis> = Vec::new();
            for gap in gaps {
                now += gap;
                let d = l.decide(1, now);
                match d.verdict {
                    Verdict::Allowed => departures.push(now),
                    Verdict::Queued { delay_ms } => departures.push(now + delay_ms),
                    Verdict::Denied { .. } => {}
                }
                let waiting = departures.iter().filter(|&&t| t > now).count();
                prop_assert!(waiting <= (queue + soft) as usize);
            }
            // k departures span at least (k - 1) intervals (each rounded up to whole ms, so the
            // span is at least the exact span rounded down).
            for (i, &a) in departures.iter().enumerate() {
                for (j, &b) in departures.iter().enumerate().skip(i + 1) {
                    let exact_span = (j - i) as u128 * per_ms as u128; // in units of 1/count ms
                    prop_assert!((b - a) as u128 * count as u128 + count as u128 > exact_span,
                        "departures {a} and {b} are {} apart for {} intervals", b - a, j - i);
                }
            }
        }

        #[test]
        fn remaining_within_limit_and_retry_after_is_exact(
            queue in 1u32..8, count in 1u32..3000, per_ms in 1u64..3000, soft in 0u32..3,
            gaps in prop::collection::vec(prop_oneof![Just(0u64), 0u64..30, 0u64..3000], 1..80),
        ) {
            check_retry_is_exact(Keyed::new(LeakyBucket::new(queue, Rate { count, per_ms }).with_soft(soft)), &gaps)?;
        }
    }
}
