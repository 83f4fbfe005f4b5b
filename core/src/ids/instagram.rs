//! Instagram's IDs: snowflake-like 64-bit IDs made inside each Postgres logical shard (the notes,
//! "Instagram's Approach"; "Sharding & IDs at Instagram", Instagram Engineering, 2012).
//!
//! Every logical shard (a Postgres schema) has an ID function: 41 bits of milliseconds since
//! Instagram's epoch, 13 bits of the shard's number, and 10 bits of `nextval` of the table's
//! auto-increment sequence modulo 1024. Unlike Twitter's sequence, this one never restarts and
//! never waits: it counts on across milliseconds and wraps every 1,024 values. So a shard can make
//! 1,024 distinct IDs in one millisecond, and a 1,025th in the same millisecond repeats the first
//! one: the design relies on no shard ever being asked for that many. A clock that moves back is
//! not checked either; only the ever-growing sequence keeps the repeated milliseconds apart.

use super::layout::Layout;
use super::snowflake::Refusal;

/// What one shard's ID function returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstagramNext {
    Issued(u64),
    Refused(Refusal),
}

impl InstagramNext {
    pub fn id(self) -> Option<u64> {
        match self {
            InstagramNext::Issued(id) => Some(id),
            InstagramNext::Refused(_) => None,
        }
    }
}

/// One logical shard's ID function and its table sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstagramShard {
    layout: Layout,
    shard: u64,
    shard_bits_value: u64,
    /// The last value `nextval` returned (Postgres sequences start at 1).
    sequence: u64,
}

impl InstagramShard {
    /// Shard `shard` (0 to 8,191) with Instagram's layout.
    pub fn new(shard: u64) -> Result<InstagramShard, String> {
        InstagramShard::with_layout(Layout::instagram(), shard)
    }

    /// A shard with another one-node-field layout (for experiments with other widths).
    pub fn with_layout(layout: Layout, shard: u64) -> Result<InstagramShard, String> {
        layout.check()?;
        let shard_bits_value = layout.node_bits_value(&[shard])?;
        Ok(InstagramShard { layout, shard, shard_bits_value, sequence: 0 })
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    pub fn shard(&self) -> u64 {
        self.shard
    }

    /// How many values the table sequence has handed out.
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// The ID function at time `now_unix_ms`: `(now - epoch) << 23 | shard << 10 | nextval % 1024`.
    pub fn next_id(&mut self, now_unix_ms: u64) -> InstagramNext {
        let epoch = self.layout.epoch_ms;
        let Some(ticks) = now_unix_ms.checked_sub(epoch) else {
            return InstagramNext::Refused(Refusal::BeforeEpoch { epoch_ms: epoch });
        };
        if ticks > self.layout.max_ticks() {
            let last_unix_ms = self.layout.last_unix_ms();
            return InstagramNext::Refused(Refusal::TimeRangeExhausted { last_unix_ms });
        }
        self.sequence = self.sequence.wrapping_add(1);
        let modulus = self.layout.max_sequence() as u128 + 1;
        let sequence = (u128::from(self.sequence) % modulus) as u64;
        InstagramNext::Issued(self.layout.compose(ticks, self.shard_bits_value, sequence))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const T: u64 = 1_656_432_460_105;

    #[test]
    fn ids_follow_the_articles_formula() {
        let mut shard = InstagramShard::new(1_341).unwrap();
        let ticks = T - 1_314_220_021_721;
        assert_eq!(shard.next_id(T), InstagramNext::Issued((ticks << 23) | (1_341 << 10) | 1));
        assert_eq!(shard.next_id(T + 1), InstagramNext::Issued(((ticks + 1) << 23) | (1_341 << 10) | 2));
        let id = shard.next_id(T).id().unwrap();
        let d = shard.layout().decode(id);
        assert_eq!((d.field("shard"), d.field("sequence")), (Some(1_341), Some(3)));
        assert_eq!(d.utc.to_string(), "2022-06-28 16:07:40.105 UTC");
    }

    #[test]
    fn a_shard_makes_1024_distinct_ids_per_millisecond_and_then_repeats() {
        let mut shard = InstagramShard::new(7).unwrap();
        let ids: Vec<u64> = (0..1_500).map(|_| shard.next_id(T).id().unwrap()).collect();
        let distinct: BTreeSet<u64> = ids.iter().copied().collect();
        assert_eq!(distinct.len(), 1_024);
        // The 1,025th ID (sequence 1025 % 1024 = 1) is the first one again.
        assert_eq!(ids[1_024], ids[0]);
        assert_eq!(shard.sequence(), 1_500);
    }

    #[test]
    fn the_sequence_carries_on_across_milliseconds() {
        let mut shard = InstagramShard::new(0).unwrap();
        for _ in 0..1_000 {
            shard.next_id(T);
        }
        let id = shard.next_id(T + 1).id().unwrap();
        let d = shard.layout().decode(id);
        assert_eq!(d.field("sequence"), Some(1_001), "no reset at a new millisecond");
    }

    #[test]
    fn a_clock_moved_back_is_not_checked_but_the_sequence_keeps_ids_apart() {
        let mut shard = InstagramShard::new(3).unwrap();
        let ids: BTreeSet<u64> =
            [T, T + 1, T + 2, T, T + 1, T + 2].iter().map(|&t| shard.next_id(t).id().unwrap()).collect();
        assert_eq!(ids.len(), 6);
    }

    #[test]
    fn refuses_outside_the_time_range_and_explains_bad_shards() {
        let mut shard = InstagramShard::new(0).unwrap();
        assert_eq!(
            shard.next_id(1_000),
            InstagramNext::Refused(Refusal::BeforeEpoch { epoch_ms: 1_314_220_021_721 })
        );
        let last = 1_314_220_021_721 + (1u64 << 41) - 1;
        assert!(shard.next_id(last).id().is_some());
        assert_eq!(
            shard.next_id(last + 1),
            InstagramNext::Refused(Refusal::TimeRangeExhausted { last_unix_ms: u128::from(last) })
        );
        assert_eq!(
            InstagramShard::new(8_192),
            Err("The shard must be from 0 to 8191 (13 bits); 8192 does not fit.".to_string())
        );
    }
}
