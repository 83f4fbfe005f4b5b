//! Gossip failure detection (the notes' "Gossip Protocol"): every server keeps a membership list
//! (member, heartbeat counter, when it last increased), raises its own heartbeat on every round
//! and sends its whole list to a few random peers; a member whose heartbeat has not increased for
//! longer than a timeout is marked down, and the mark spreads with the gossip.
//!
//! The scheme is van Renesse, Minsky and Hayden's gossip-style failure detector ("A Gossip-Style
//! Failure Detection Service", Middleware 1998), the one Dynamo (DeCandia et al., SOSP 2007,
//! section 4.8) and Cassandra use in spirit:
//! - a heartbeat is a pair (generation, counter). The generation is durable and grows on every
//!   restart (Cassandra's "generation"), so a recovered server's first heartbeat already beats
//!   every one it sent before it crashed, although its counter restarts from 0;
//! - every row travels with its age: how long ago its sender saw that heartbeat grow. On
//!   receiving a list, a server keeps, member by member, the larger heartbeat, and dates it by
//!   the age (on its own timer), so that an old heartbeat still spreading after its member
//!   crashed does not pass for a fresh one; a member suspected or down is alive again only if
//!   the newer heartbeat is at most `suspect_after` old. Ages and dates are read off a
//!   monotonic timer, never the wall clock a skewed server gets wrong: only durations matter;
//! - a member whose heartbeat has not grown for longer than `suspect_after` is suspected, and
//!   for longer than `fail_after` is marked down;
//! - the notes' rumour: a server that hears "X is down" checks its own list, and if its own record
//!   of X has not grown for longer than `suspect_after` either, it agrees and marks X down at once. A server
//!   that heard from X recently ignores the rumour (it is the rumour's sender that is cut off).
//!   The check uses the record as the rumour's own row leaves it: a heartbeat that is newer but
//!   already old does not make X look alive;
//! - a server that restarts knows nothing of the others: its list starts with every other member
//!   down and undated, and a member comes up only when a row of it arrives that grew at most
//!   `suspect_after` ago (Cassandra, too, starts with the peers it remembers marked down until
//!   gossip hears of them). Otherwise it would send requests, for up to `fail_after`, to a
//!   server that is still down. A member it has not heard of is never rumoured down.
//!
//! Because the freshest heartbeat of a member reaches every server in O(log N) rounds of
//! epidemic spreading, the time until every live server agrees that a crashed one is down grows
//! like the logarithm of the cluster's size, which the page measures.

use crate::sim::Micros;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The settings of the failure detector.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GossipParams {
    /// Whether servers gossip at all. Off, every server believes every other one is up.
    pub enabled: bool,
    /// Time between two rounds of one server (each round: heartbeat + 1, send the list).
    pub interval_us: Micros,
    /// Peers each round's list is sent to, chosen at random among all other servers.
    pub fanout: u32,
    /// Heartbeat silence after which a member is suspected (and a rumour of it being down is
    /// believed).
    pub suspect_after_us: Micros,
    /// Heartbeat silence after which a member is marked down.
    pub fail_after_us: Micros,
}

impl Default for GossipParams {
    /// Off; when on, rounds every 100 ms to 2 peers, suspicion after 500 ms, down after 1 s.
    /// Cassandra gossips once a second; these are ten times faster so that a failure is detected
    /// within a second of simulated time on the page, and every one of them is a knob.
    fn default() -> GossipParams {
        GossipParams {
            enabled: false,
            interval_us: 100_000,
            fanout: 2,
            suspect_after_us: 500_000,
            fail_after_us: 1_000_000,
        }
    }
}

impl GossipParams {
    /// The settings with gossip on.
    pub fn on() -> GossipParams {
        GossipParams { enabled: true, ..GossipParams::default() }
    }

    /// Checks the settings (only when gossip is on); the message says what to change.
    pub fn validate(&self, servers: u32) -> Result<(), String> {
        if !self.enabled {
            return Ok(());
        }
        if !(1_000..=60_000_000).contains(&self.interval_us) {
            return Err(format!(
                "The gossip interval must be from 1 ms to 60 s; got {} µs.",
                self.interval_us
            ));
        }
        if self.fanout == 0 || self.fanout > servers.saturating_sub(1).max(1) {
            return Err(format!(
                "The gossip fanout must be from 1 to {} (the other servers); got {}.",
                servers.saturating_sub(1).max(1),
                self.fanout
            ));
        }
        if self.suspect_after_us < self.interval_us || self.suspect_after_us > 600_000_000 {
            return Err(format!(
                "Suspicion must wait at least one gossip interval ({} µs) and at most 600 s; got {} µs.",
                self.interval_us, self.suspect_after_us
            ));
        }
        if self.fail_after_us < self.suspect_after_us || self.fail_after_us > 600_000_000 {
            return Err(format!(
                "The failure timeout must be at least the suspicion timeout ({} µs) and at most 600 s; got {} µs.",
                self.suspect_after_us, self.fail_after_us
            ));
        }
        Ok(())
    }
}

/// A heartbeat: the member's generation (restarts) and its counter within the generation, ordered
/// as a pair.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Heartbeat {
    pub generation: u32,
    pub counter: u64,
}

impl fmt::Display for Heartbeat {
    /// The counter as `#25`, and the generation apart once the member has restarted:
    /// `#15 · gen 1` (never `1.15`, which reads like a decimal).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.counter)?;
        if self.generation > 0 {
            write!(f, " · gen {}", self.generation)?;
        }
        Ok(())
    }
}

/// What one server believes of a member.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    Alive,
    /// Silent for longer than `suspect_after`: still used, but a rumour of it being down is
    /// believed.
    Suspected,
    Down,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Alive => "alive",
            Status::Suspected => "suspected",
            Status::Down => "down",
        }
    }
}

/// One row of a membership list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Member {
    pub heartbeat: Heartbeat,
    /// When (on the holder's own monotonic timer) the heartbeat last grew.
    pub last_increase: Micros,
    pub status: Status,
    /// Not heard of since the holder restarted: down for want of news rather than on evidence,
    /// so never rumoured down.
    pub unknown: bool,
}

/// One row as it travels in a gossip message: the sender's heartbeat of the member, how long ago
/// (on the sender's timer) the sender saw it grow, and whether the sender has marked it down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Gossiped {
    pub heartbeat: Heartbeat,
    pub age_us: Micros,
    pub down: bool,
}

/// Why a server changed its mind about a member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Silent for `suspect_after`.
    Suspected { member: u32 },
    /// Silent for `fail_after`.
    TimedOut { member: u32 },
    /// Another server said it was down and this one's record agreed.
    Confirmed { member: u32 },
    /// Its heartbeat grew again after it was suspected or down.
    Recovered { member: u32 },
}

impl Change {
    pub fn member(self) -> u32 {
        match self {
            Change::Suspected { member }
            | Change::TimedOut { member }
            | Change::Confirmed { member }
            | Change::Recovered { member } => member,
        }
    }

    /// The change as the server that made it would say it (the trace's note on its lane).
    pub fn describe(self) -> String {
        let m = super::server_name(self.member());
        match self {
            Change::Suspected { .. } => format!("suspects {m}: no new heartbeat"),
            Change::TimedOut { .. } => format!("marks {m} down: its heartbeat stopped"),
            Change::Confirmed { .. } => format!("marks {m} down: a peer said so, and its own record agrees"),
            Change::Recovered { .. } => format!("sees {m} up: a newer heartbeat"),
        }
    }

    /// The status the change leads to.
    pub fn status(self) -> Status {
        match self {
            Change::Suspected { .. } => Status::Suspected,
            Change::TimedOut { .. } | Change::Confirmed { .. } => Status::Down,
            Change::Recovered { .. } => Status::Alive,
        }
    }
}

/// A server's membership list: one row per server of the cluster, its own included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    me: u32,
    members: Vec<Member>,
}

impl Membership {
    /// The list of a cluster's start (or of a server without gossip): every member alive as of
    /// `now`, heartbeats unknown (#0), and this server's own heartbeat in `generation`.
    pub fn new(me: u32, servers: u32, generation: u32, now: Micros) -> Membership {
        Membership::with_others(me, servers, generation, Member { last_increase: now, ..Member::default() })
    }

    /// The list of a server that restarted into `generation`: every other member unknown (down,
    /// with no heartbeat and no date) until a row of it arrives (see the module's notes).
    pub fn restarted(me: u32, servers: u32, generation: u32) -> Membership {
        let unknown = Member { status: Status::Down, unknown: true, ..Member::default() };
        Membership::with_others(me, servers, generation, unknown)
    }

    fn with_others(me: u32, servers: u32, generation: u32, other: Member) -> Membership {
        let mut members = vec![other; servers as usize];
        if let Some(own) = members.get_mut(me as usize) {
            *own = Member { heartbeat: Heartbeat { generation, counter: 0 }, ..Member::default() };
        }
        Membership { me, members }
    }

    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// Whether this server believes `member` can take requests (alive or only suspected).
    pub fn is_up(&self, member: u32) -> bool {
        self.members.get(member as usize).is_some_and(|m| m.status != Status::Down)
    }

    pub fn status(&self, member: u32) -> Status {
        self.members.get(member as usize).map_or(Status::Down, |m| m.status)
    }

    /// A new round: raises this server's own heartbeat.
    pub fn beat(&mut self, now: Micros) {
        if let Some(own) = self.members.get_mut(self.me as usize) {
            own.heartbeat.counter += 1;
            own.last_increase = now;
        }
    }

    /// The list as it is sent. An unknown member is not rumoured down: this server knows nothing
    /// of it.
    pub fn gossip(&self, now: Micros) -> Vec<Gossiped> {
        self.members
            .iter()
            .map(|m| Gossiped {
                heartbeat: m.heartbeat,
                age_us: now.saturating_sub(m.last_increase),
                down: m.status == Status::Down && !m.unknown,
            })
            .collect()
    }

    /// Folds in a list another server sent, at `now` on this server's timer; returns what
    /// changed, in member order.
    pub fn merge(&mut self, list: &[Gossiped], now: Micros, params: &GossipParams) -> Vec<Change> {
        let mut changes = Vec::new();
        for (i, (mine, theirs)) in self.members.iter_mut().zip(list).enumerate() {
            let member = i as u32;
            if member == self.me {
                continue;
            }
            let grew = theirs.heartbeat > mine.heartbeat;
            if grew {
                mine.heartbeat = theirs.heartbeat;
                mine.last_increase = mine.last_increase.max(now.saturating_sub(theirs.age_us));
                mine.unknown = false;
            }
            let stale = now.saturating_sub(mine.last_increase) > params.suspect_after_us;
            if grew && !stale && mine.status != Status::Alive {
                mine.status = Status::Alive;
                changes.push(Change::Recovered { member });
            } else if theirs.down && stale && mine.status != Status::Down {
                mine.status = Status::Down;
                changes.push(Change::Confirmed { member });
            }
        }
        changes
    }

    /// Marks members suspected or down whose heartbeats have been silent too long, at `now`.
    pub fn expire(&mut self, now: Micros, params: &GossipParams) -> Vec<Change> {
        let mut changes = Vec::new();
        for (i, m) in self.members.iter_mut().enumerate() {
            let member = i as u32;
            if member == self.me || m.status == Status::Down {
                continue;
            }
            let silent = now.saturating_sub(m.last_increase);
            if silent > params.fail_after_us {
                m.status = Status::Down;
                changes.push(Change::TimedOut { member });
            } else if silent > params.suspect_after_us && m.status == Status::Alive {
                m.status = Status::Suspected;
                changes.push(Change::Suspected { member });
            }
        }
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: GossipParams = GossipParams {
        enabled: true,
        interval_us: 100,
        fanout: 2,
        suspect_after_us: 500,
        fail_after_us: 1_000,
    };

    fn hb(generation: u32, counter: u64) -> Heartbeat {
        Heartbeat { generation, counter }
    }

    fn row(generation: u32, counter: u64, down: bool) -> Gossiped {
        Gossiped { heartbeat: hb(generation, counter), age_us: 0, down }
    }

    #[test]
    fn a_heartbeat_shows_its_counter_and_its_generation_apart() {
        assert_eq!(hb(0, 25).to_string(), "#25");
        assert_eq!(hb(1, 15).to_string(), "#15 · gen 1");
        assert_eq!(hb(0, 0).to_string(), "#0");
    }

    #[test]
    fn a_silent_member_is_suspected_then_marked_down() {
        let mut m = Membership::new(0, 3, 0, 0);
        m.beat(100);
        assert_eq!(m.merge(&[row(0, 9, false), row(0, 4, false), row(0, 7, false)], 100, &P), vec![]);
        assert_eq!(m.members()[0].heartbeat, hb(0, 1), "a server's own row is its own business");
        assert_eq!(
            m.members()[1],
            Member { heartbeat: hb(0, 4), last_increase: 100, status: Status::Alive, unknown: false }
        );
        // S3 keeps beating, S2 falls silent after t = 100.
        assert_eq!(m.merge(&[row(0, 0, false), row(0, 4, false), row(0, 12, false)], 550, &P), vec![]);
        assert_eq!(m.expire(600, &P), vec![], "silent for exactly 500 µs: not yet");
        assert_eq!(m.expire(601, &P), vec![Change::Suspected { member: 1 }]);
        assert!(m.is_up(1), "a suspected member still takes requests");
        // S3 last grew at 550: suspected at 1,100 (silent 550 µs), while S2, silent for exactly
        // 1 ms, is not down yet.
        assert_eq!(m.expire(1_100, &P), vec![Change::Suspected { member: 2 }]);
        assert_eq!(m.expire(1_101, &P), vec![Change::TimedOut { member: 1 }]);
        assert!(!m.is_up(1));
        assert_eq!(
            m.expire(5_000, &P),
            vec![Change::TimedOut { member: 2 }],
            "once down, no more changes for S2"
        );
    }

    #[test]
    fn a_rumour_of_down_is_believed_only_when_the_own_record_is_stale_too() {
        let mut m = Membership::new(0, 3, 0, 0);
        m.merge(&[row(0, 0, false), row(0, 3, false), row(0, 3, false)], 1_000, &P);
        // 400 µs later a peer says S2 and S3 are down: both records are fresh, so no.
        assert_eq!(m.merge(&[row(0, 0, false), row(0, 3, true), row(0, 3, true)], 1_400, &P), vec![]);
        // At 1,500 the S2 record is exactly 500 µs old: not stale yet.
        assert_eq!(m.merge(&[row(0, 0, false), row(0, 3, true), row(0, 3, true)], 1_500, &P), vec![]);
        // S3's heartbeat grows meanwhile; at 1,501 the S2 record is stale: believed.
        assert_eq!(
            m.merge(&[row(0, 0, false), row(0, 3, true), row(0, 4, true)], 1_501, &P),
            vec![Change::Confirmed { member: 1 }],
            "a rumour carrying a newer heartbeat is news that the member lives"
        );
        assert_eq!(m.status(1), Status::Down);
        assert_eq!(m.status(2), Status::Alive);
        // A rumour whose own row brings a newer heartbeat that already grew 700 µs ago: the record
        // it leaves (dated 1,100 at 1,800) is stale, so the rumour is believed.
        let mut m = Membership::new(0, 2, 0, 0);
        m.merge(&[row(0, 0, false), row(0, 3, false)], 1_000, &P);
        let old_news = Gossiped { heartbeat: hb(0, 5), age_us: 700, down: true };
        assert_eq!(m.merge(&[row(0, 0, false), old_news], 1_800, &P), vec![Change::Confirmed { member: 1 }]);
        assert_eq!(
            m.members()[1],
            Member { heartbeat: hb(0, 5), last_increase: 1_100, status: Status::Down, unknown: false }
        );
    }

    #[test]
    fn a_restarted_server_knows_nobody_until_a_fresh_row_arrives() {
        let mut m = Membership::restarted(0, 3, 2);
        assert_eq!(
            m.members()[0],
            Member { heartbeat: hb(2, 0), last_increase: 0, status: Status::Alive, unknown: false }
        );
        assert!(m.is_up(0) && !m.is_up(1) && !m.is_up(2), "only itself is up");
        assert!(m.members()[1].unknown && m.members()[2].unknown);
        assert_eq!(
            m.gossip(5_000).iter().map(|g| g.down).collect::<Vec<_>>(),
            vec![false, false, false],
            "it rumours nobody down before it has heard of them"
        );
        // At 5,000 a peer's list: S2 grew 100 µs ago, S3 (still down) 3,000 µs ago, and the peer
        // has marked S3 down.
        let list = [
            row(0, 0, false),
            Gossiped { heartbeat: hb(0, 9), age_us: 100, down: false },
            Gossiped { heartbeat: hb(0, 30), age_us: 3_000, down: true },
        ];
        assert_eq!(m.merge(&list, 5_000, &P), vec![Change::Recovered { member: 1 }]);
        assert_eq!(
            m.members()[1],
            Member { heartbeat: hb(0, 9), last_increase: 4_900, status: Status::Alive, unknown: false }
        );
        assert_eq!(
            m.members()[2],
            Member { heartbeat: hb(0, 30), last_increase: 2_000, status: Status::Down, unknown: false }
        );
        assert!(m.gossip(5_100)[2].down, "now it has heard of S3 and passes on that it is down");
        assert_eq!(m.expire(5_100, &P), vec![]);
    }

    #[test]
    fn a_restarted_member_beats_its_old_heartbeats_with_a_new_generation() {
        let mut m = Membership::new(0, 2, 0, 0);
        m.merge(&[row(0, 0, false), row(0, 40, false)], 100, &P);
        m.expire(2_000, &P);
        assert_eq!(m.status(1), Status::Down);
        // S2 comes back with its counter at 1 but generation 1: newer than 0.40.
        assert_eq!(
            m.merge(&[row(0, 0, true), row(1, 1, false)], 2_100, &P),
            vec![Change::Recovered { member: 1 }]
        );
        assert_eq!(m.members()[1].heartbeat, hb(1, 1));
        // An old list still carrying 0.40 changes nothing.
        assert_eq!(m.merge(&[row(0, 0, false), row(0, 40, true)], 2_200, &P), vec![]);
        assert!(m.is_up(1));
        assert!(hb(1, 0) > hb(0, u64::MAX));
    }

    #[test]
    fn an_old_heartbeat_still_spreading_does_not_revive_a_member() {
        let mut m = Membership::new(0, 2, 0, 0);
        m.merge(&[row(0, 0, false), row(0, 5, false)], 100, &P);
        m.expire(1_200, &P);
        assert_eq!(m.status(1), Status::Down);
        // A peer still carries S2's heartbeat 0.6, which it saw grow 900 µs ago: S2 has crashed
        // since. The heartbeat is kept, dated 300, but S2 stays down.
        let old = Gossiped { heartbeat: hb(0, 6), age_us: 900, down: false };
        assert_eq!(m.merge(&[row(0, 0, false), old], 1_200, &P), vec![]);
        assert_eq!(
            m.members()[1],
            Member { heartbeat: hb(0, 6), last_increase: 300, status: Status::Down, unknown: false }
        );
        // One seen grow 100 µs ago revives it.
        let young = Gossiped { heartbeat: hb(0, 7), age_us: 100, down: false };
        assert_eq!(m.merge(&[row(0, 0, false), young], 1_300, &P), vec![Change::Recovered { member: 1 }]);
        // A sent list dates each row by its age.
        assert_eq!(m.gossip(1_300)[1], Gossiped { heartbeat: hb(0, 7), age_us: 100, down: false });
    }

    #[test]
    fn settings_are_checked_with_messages() {
        let bad = |f: fn(&mut GossipParams)| {
            let mut p = GossipParams::on();
            f(&mut p);
            p.validate(5).unwrap_err()
        };
        assert!(GossipParams::default().validate(1).is_ok(), "off: nothing to check");
        assert!(GossipParams::on().validate(5).is_ok());
        assert_eq!(
            bad(|p| p.fanout = 5),
            "The gossip fanout must be from 1 to 4 (the other servers); got 5."
        );
        assert_eq!(bad(|p| p.interval_us = 10), "The gossip interval must be from 1 ms to 60 s; got 10 µs.");
        assert!(
            bad(|p| p.suspect_after_us = 50_000)
                .starts_with("Suspicion must wait at least one gossip interval")
        );
        assert!(bad(|p| p.fail_after_us = 400_000).starts_with("The failure timeout must be at least"));
    }
}
