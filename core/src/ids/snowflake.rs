//! Twitter's snowflake generator: 64-bit IDs from the time, the generator's node fields and a
//! per-millisecond sequence, made without asking anyone (the notes, "Snowflake ID"; Twitter's 2010
//! announcement and its open-source `IdWorker`).
//!
//! Each generator owns distinct node fields (data centre and machine), so two generators can never
//! make the same ID; within one generator the time and the sequence keep IDs apart. The sequence
//! restarts at 0 in every new millisecond and counts up for each further ID in the same
//! millisecond; when it is used up (4,096 IDs with 12 bits) the next request must wait for the next
//! millisecond. The generator never reads a clock: the caller passes the time, and a request that
//! must wait gets [`Next::Wait`] with the time to come back. A clock that moves backwards (an NTP
//! step, a VM migration) would repeat old time values: the generator refuses to answer until the
//! clock catches up (Twitter's choice) or tells the caller to wait it out, but never issues an ID
//! twice. Past the last millisecond the time field can hold, it refuses for good.

use super::layout::Layout;
use serde::{Deserialize, Serialize};

/// What a generator does when the clock reads earlier than the last ID's time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ClockPolicy {
    /// Answer with an error until the clock has caught up (Twitter's `IdWorker` throws
    /// `InvalidSystemClock`).
    #[default]
    Refuse,
    /// Hold the request until the clock reads the last ID's millisecond again, then go on.
    WaitOut,
}

impl ClockPolicy {
    pub const ALL: [ClockPolicy; 2] = [ClockPolicy::Refuse, ClockPolicy::WaitOut];

    pub fn key(self) -> &'static str {
        match self {
            ClockPolicy::Refuse => "refuse",
            ClockPolicy::WaitOut => "wait",
        }
    }

    pub fn from_key(key: &str) -> Option<ClockPolicy> {
        ClockPolicy::ALL.into_iter().find(|p| p.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            ClockPolicy::Refuse => "Refuse (Twitter)",
            ClockPolicy::WaitOut => "Wait it out",
        }
    }
}

/// Why a request has to wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitReason {
    /// Every sequence number of this millisecond is used.
    SequenceExhausted,
    /// The clock is behind the last ID's time (policy [`ClockPolicy::WaitOut`]).
    ClockBehind,
}

/// Why a request is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The clock reads `behind_ms` earlier than the last ID's time (policy [`ClockPolicy::Refuse`]).
    ClockMovedBack { behind_ms: u64 },
    /// The clock reads earlier than the layout's epoch.
    BeforeEpoch { epoch_ms: u64 },
    /// The time no longer fits the time field: the layout's IDs have run out.
    TimeRangeExhausted { last_unix_ms: u128 },
}

impl Refusal {
    /// A short reason for tables and logs.
    pub fn label(&self) -> &'static str {
        match self {
            Refusal::ClockMovedBack { .. } => "clock moved back",
            Refusal::BeforeEpoch { .. } => "clock before epoch",
            Refusal::TimeRangeExhausted { .. } => "time range used up",
        }
    }
}

/// The answer to one request for an ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    Issued(u64),
    /// Ask again when the clock reads `until_unix_ms` (or later).
    Wait {
        until_unix_ms: u64,
        reason: WaitReason,
    },
    Refused(Refusal),
}

impl Next {
    /// The ID, if one was issued.
    pub fn id(self) -> Option<u64> {
        match self {
            Next::Issued(id) => Some(id),
            _ => None,
        }
    }
}

/// One snowflake generator (one "worker").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snowflake {
    layout: Layout,
    node: Vec<u64>,
    node_bits_value: u64,
    policy: ClockPolicy,
    /// Ticks (ms since the epoch) of the last ID issued, and its sequence number.
    last: Option<(u64, u64)>,
}

impl Snowflake {
    /// A generator with the given node field values (for Twitter: data centre, machine).
    pub fn new(layout: Layout, node: &[u64], policy: ClockPolicy) -> Result<Snowflake, String> {
        layout.check()?;
        let node_bits_value = layout.node_bits_value(node)?;
        Ok(Snowflake { layout, node: node.to_vec(), node_bits_value, policy, last: None })
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    pub fn node(&self) -> &[u64] {
        &self.node
    }

    pub fn policy(&self) -> ClockPolicy {
        self.policy
    }

    /// The Unix millisecond of the last ID issued.
    pub fn last_unix_ms(&self) -> Option<u64> {
        self.last.map(|(ticks, _)| self.layout.epoch_ms + ticks)
    }

    /// The next ID at time `now_unix_ms` (what this generator's clock reads now).
    pub fn next_id(&mut self, now_unix_ms: u64) -> Next {
        let epoch = self.layout.epoch_ms;
        let Some(ticks) = now_unix_ms.checked_sub(epoch) else {
            return Next::Refused(Refusal::BeforeEpoch { epoch_ms: epoch });
        };
        if ticks > self.layout.max_ticks() {
            return Next::Refused(Refusal::TimeRangeExhausted { last_unix_ms: self.layout.last_unix_ms() });
        }
        let sequence = match self.last {
            Some((last, _)) if ticks < last => {
                return match self.policy {
                    ClockPolicy::Refuse => Next::Refused(Refusal::ClockMovedBack { behind_ms: last - ticks }),
                    ClockPolicy::WaitOut => {
                        Next::Wait { until_unix_ms: epoch + last, reason: WaitReason::ClockBehind }
                    }
                };
            }
            Some((last, seq)) if ticks == last => {
                if seq >= self.layout.max_sequence() {
                    if last >= self.layout.max_ticks() {
                        let last_unix_ms = self.layout.last_unix_ms();
                        return Next::Refused(Refusal::TimeRangeExhausted { last_unix_ms });
                    }
                    return Next::Wait {
                        until_unix_ms: epoch + last + 1,
                        reason: WaitReason::SequenceExhausted,
                    };
                }
                seq + 1
            }
            _ => 0,
        };
        self.last = Some((ticks, sequence));
        Next::Issued(self.layout.compose(ticks, self.node_bits_value, sequence))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    const NOTES_MS: u64 = 1_656_432_460_105; // 2022-06-28 16:07:40.105 UTC

    fn twitter(policy: ClockPolicy) -> Snowflake {
        Snowflake::new(Layout::twitter(), &[11, 26], policy).unwrap()
    }

    #[test]
    fn reproduces_the_notes_example() {
        let mut g = twitter(ClockPolicy::Refuse);
        assert_eq!(g.next_id(NOTES_MS), Next::Issued(1_541_815_603_606_036_480));
        assert_eq!(g.next_id(NOTES_MS), Next::Issued(1_541_815_603_606_036_481));
        assert_eq!(g.next_id(NOTES_MS + 1), Next::Issued(1_541_815_603_606_036_480 + (1 << 22)));
    }

    #[test]
    fn frozen_clock_gives_exactly_4096_ids_then_the_next_millisecond() {
        let mut g = twitter(ClockPolicy::Refuse);
        let ids: Vec<u64> = (0..4096).map(|_| g.next_id(NOTES_MS).id().expect("issued")).collect();
        assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 4096);
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(g.layout().decode(ids[4095]).field("sequence"), Some(4095));
        // The 4,097th request in the same millisecond waits for the next one, however often it asks.
        let wait = Next::Wait { until_unix_ms: NOTES_MS + 1, reason: WaitReason::SequenceExhausted };
        assert_eq!(g.next_id(NOTES_MS), wait);
        assert_eq!(g.next_id(NOTES_MS), wait);
        let next = g.next_id(NOTES_MS + 1).id().unwrap();
        let d = g.layout().decode(next);
        assert_eq!((d.unix_ms, d.field("sequence")), (u128::from(NOTES_MS) + 1, Some(0)));
        assert!(next > ids[4095]);
    }

    #[test]
    fn backwards_clock_is_refused_under_twitters_policy() {
        let mut g = twitter(ClockPolicy::Refuse);
        let first = g.next_id(NOTES_MS).id().unwrap();
        assert_eq!(g.next_id(NOTES_MS - 5), Next::Refused(Refusal::ClockMovedBack { behind_ms: 5 }));
        assert_eq!(g.next_id(NOTES_MS - 1), Next::Refused(Refusal::ClockMovedBack { behind_ms: 1 }));
        // Once the clock is back at the last millisecond the sequence simply goes on.
        assert_eq!(g.next_id(NOTES_MS), Next::Issued(first + 1));
    }

    #[test]
    fn backwards_clock_is_waited_out_under_the_wait_policy() {
        let mut g = twitter(ClockPolicy::WaitOut);
        let first = g.next_id(NOTES_MS).id().unwrap();
        assert_eq!(
            g.next_id(NOTES_MS - 20),
            Next::Wait { until_unix_ms: NOTES_MS, reason: WaitReason::ClockBehind }
        );
        assert_eq!(g.next_id(NOTES_MS), Next::Issued(first + 1));
    }

    #[test]
    fn refuses_before_the_epoch_and_after_the_time_range() {
        let mut g = twitter(ClockPolicy::Refuse);
        assert_eq!(
            g.next_id(1_288_834_974_656),
            Next::Refused(Refusal::BeforeEpoch { epoch_ms: 1_288_834_974_657 })
        );
        // The epoch itself is tick 0: data centre 11, machine 26, sequence 0.
        assert_eq!(g.next_id(1_288_834_974_657), Next::Issued((11 << 17) | (26 << 12)));
        // 2080-07-10 17:30:30.208 UTC is the last millisecond of 41 bits; one later is refused.
        let last = 3_487_858_230_208;
        let id = g.next_id(last).id().unwrap();
        assert_eq!(id >> 22, (1 << 41) - 1);
        assert!(id < 1 << 63, "the sign bit stays 0");
        let exhausted = Next::Refused(Refusal::TimeRangeExhausted { last_unix_ms: 3_487_858_230_208 });
        assert_eq!(g.next_id(last + 1), exhausted);
        // Using up the sequence of the very last millisecond cannot wait for a next one.
        for _ in 0..4095 {
            assert!(g.next_id(last).id().is_some());
        }
        assert_eq!(g.next_id(last), exhausted);
    }

    #[test]
    fn generators_with_different_nodes_never_collide() {
        let mut a = Snowflake::new(Layout::twitter(), &[1, 1], ClockPolicy::Refuse).unwrap();
        let mut b = Snowflake::new(Layout::twitter(), &[1, 2], ClockPolicy::Refuse).unwrap();
        let ids: BTreeSet<u64> = (0..3000)
            .flat_map(|i| [a.next_id(NOTES_MS + i / 100), b.next_id(NOTES_MS + i / 100)])
            .filter_map(Next::id)
            .collect();
        assert_eq!(ids.len(), 6000);
    }

    #[test]
    fn discord_generator_matches_the_documented_example() {
        let mut g = Snowflake::new(Layout::discord(), &[1, 0], ClockPolicy::Refuse).unwrap();
        for _ in 0..7 {
            g.next_id(1_462_015_105_796);
        }
        assert_eq!(g.next_id(1_462_015_105_796), Next::Issued(175_928_847_299_117_063));
    }

    #[test]
    fn bad_node_values_are_explained() {
        assert_eq!(
            Snowflake::new(Layout::twitter(), &[11, 40], ClockPolicy::Refuse),
            Err("The machine must be from 0 to 31 (5 bits); 40 does not fit.".to_string())
        );
    }

    proptest! {
        #[test]
        fn ids_strictly_increase_for_any_non_decreasing_clock(
            start in 1_288_834_974_657u64..3_000_000_000_000,
            steps in proptest::collection::vec((0u64..3, 1u32..5000), 1..40),
        ) {
            let mut g = twitter(ClockPolicy::Refuse);
            let mut now = start;
            let mut last = None;
            for (advance, requests) in steps {
                now += advance;
                for _ in 0..requests {
                    match g.next_id(now) {
                        Next::Issued(id) => {
                            prop_assert!(last < Some(id), "{last:?} then {id}");
                            last = Some(id);
                        }
                        Next::Wait { until_unix_ms, reason } => {
                            prop_assert_eq!(reason, WaitReason::SequenceExhausted);
                            prop_assert_eq!(until_unix_ms, now + 1);
                        }
                        Next::Refused(r) => prop_assert!(false, "refused {r:?}"),
                    }
                }
            }
        }

        #[test]
        fn any_clock_never_yields_a_duplicate(
            clock in proptest::collection::vec(1_656_432_460_000u64..1_656_432_460_050, 1..3000),
            wait in any::<bool>(),
        ) {
            let policy = if wait { ClockPolicy::WaitOut } else { ClockPolicy::Refuse };
            let mut g = twitter(policy);
            let mut seen = BTreeSet::new();
            for now in clock {
                if let Next::Issued(id) = g.next_id(now) {
                    prop_assert!(seen.insert(id), "duplicate {id}");
                }
            }
        }
    }
}
