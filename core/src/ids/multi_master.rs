//! Multi-master auto_increment: k database servers that each hand out every k-th number (the
//! notes, "Multi-Master Replication"), with MySQL's `auto_increment_increment` and
//! `auto_increment_offset` rules, and what adding a server does to them.
//!
//! Server i (1-based) has increment k and offset i, so with two servers one makes 1, 3, 5 ... and
//! the other 2, 4, 6 ...; a client goes round-robin and skips a server that is down. MySQL picks
//! the next value as the least number of the form `offset + N × increment` that is greater than the
//! largest value already in the table, and ignores the offset when it is larger than the increment
//! (MySQL reference manual, "Replication and AUTO_INCREMENT"). The scheme needs no coordination per
//! ID, but k is baked into every server: to add one, every server must switch to increment k + 1,
//! and each only knows its own table. Switching them one by one, each from its own largest value,
//! hands out numbers another server already gave; doing it safely means stopping all of them and
//! restarting above the largest ID anyone issued (the notes: "not much scalable").

use serde::{Deserialize, Serialize};

/// One MySQL server's auto_increment column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AutoIncrement {
    pub increment: u64,
    pub offset: u64,
    /// The largest value in this server's table (0 when empty).
    pub max_value: u64,
    pub up: bool,
}

impl AutoIncrement {
    pub fn new(increment: u64, offset: u64) -> AutoIncrement {
        AutoIncrement { increment: increment.max(1), offset, max_value: 0, up: true }
    }

    /// The value the next insert gets: the least `offset + N × increment` above `max_value`, or
    /// `None` when the 64-bit column is full.
    pub fn peek(&self) -> Option<u64> {
        let increment = self.increment.max(1);
        // MySQL ignores an offset larger than the increment.
        let offset = if self.offset > increment || self.offset == 0 { 1 } else { self.offset };
        if self.max_value < offset {
            return Some(offset);
        }
        let steps = (self.max_value - offset) / increment + 1;
        steps.checked_mul(increment)?.checked_add(offset)
    }

    /// Inserts a row and returns its ID.
    pub fn insert(&mut self) -> Option<u64> {
        let id = self.peek()?;
        self.max_value = id;
        Some(id)
    }
}

/// How a server is added to the group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AddPolicy {
    /// Every server switches to increment k + 1 on its own, going on from its own largest value
    /// (what `SET GLOBAL auto_increment_increment` does, one server at a time).
    OneByOne,
    /// All servers stop, the largest ID issued anywhere is found, and all restart above it.
    StopTheWorld,
}

/// The answer to one request for an ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MultiMasterNext {
    /// `server` (0-based) issued `id`; `tries` servers were asked (more than 1 when some were down).
    Issued { server: usize, id: u64, tries: u32 },
    /// Every server is down.
    AllDown { tries: u32 },
    /// The server's 64-bit column has no value left.
    Exhausted { server: usize },
}

/// The group of servers and the client's round-robin position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultiMaster {
    servers: Vec<AutoIncrement>,
    next_server: usize,
}

/// The most servers a group may have.
pub const MAX_SERVERS: usize = 64;

impl MultiMaster {
    /// `k` servers with increment k and offsets 1 to k.
    pub fn new(k: usize) -> Result<MultiMaster, String> {
        if !(1..=MAX_SERVERS).contains(&k) {
            return Err(format!("Choose from 1 to {MAX_SERVERS} database servers; {k} is not possible."));
        }
        let servers = (1..=k as u64).map(|offset| AutoIncrement::new(k as u64, offset)).collect();
        Ok(MultiMaster { servers, next_server: 0 })
    }

    pub fn servers(&self) -> &[AutoIncrement] {
        &self.servers
    }

    /// Takes a server down or brings it back.
    pub fn set_up(&mut self, server: usize, up: bool) {
        if let Some(s) = self.servers.get_mut(server) {
            s.up = up;
        }
    }

    /// One ID: the client asks the next server in round-robin order, skipping servers that are down.
    pub fn next_id(&mut self) -> MultiMasterNext {
        let k = self.servers.len();
        let mut tries = 0;
        for _ in 0..k {
            let server = self.next_server % k;
            self.next_server = (server + 1) % k;
            tries += 1;
            if !self.servers[server].up {
                continue;
            }
            return match self.servers[server].insert() {
                Some(id) => MultiMasterNext::Issued { server, id, tries },
                None => MultiMasterNext::Exhausted { server },
            };
        }
        MultiMasterNext::AllDown { tries }
    }

    /// Adds a server (k becomes k + 1): every server switches to increment k + 1 and the new one
    /// takes offset k + 1. Returns the index of the new server.
    pub fn add_server(&mut self, policy: AddPolicy) -> Result<usize, String> {
        if self.servers.len() >= MAX_SERVERS {
            return Err(format!("The group already has {MAX_SERVERS} servers, the most it may have."));
        }
        let k = self.servers.len() as u64 + 1;
        let global_max = self.servers.iter().map(|s| s.max_value).max().unwrap_or(0);
        self.servers.push(AutoIncrement::new(k, k));
        for server in &mut self.servers {
            server.increment = k;
            if policy == AddPolicy::StopTheWorld {
                server.max_value = server.max_value.max(global_max);
            }
        }
        Ok(self.servers.len() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn ids(group: &mut MultiMaster, n: usize) -> Vec<(usize, u64)> {
        (0..n)
            .map(|_| match group.next_id() {
                MultiMasterNext::Issued { server, id, .. } => (server, id),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn two_servers_make_odd_and_even_ids_as_in_the_notes() {
        let mut group = MultiMaster::new(2).unwrap();
        assert_eq!(ids(&mut group, 6), [(0, 1), (1, 2), (0, 3), (1, 4), (0, 5), (1, 6)]);
    }

    #[test]
    fn mysql_picks_the_least_value_above_the_tables_max() {
        for (increment, offset, max, want) in [
            (2, 1, 0, Some(1)),
            (2, 2, 0, Some(2)),
            (2, 1, 5, Some(7)),
            (2, 2, 5, Some(6)),
            (3, 1, 99, Some(100)),
            (3, 3, 0, Some(3)),
            (3, 2, 100, Some(101)),
            (10, 5, 7, Some(15)),
            (2, 5, 0, Some(1)), // offset above the increment is ignored (taken as 1)
            (2, 1, u64::MAX - 1, Some(u64::MAX)),
            (2, 1, u64::MAX, None),
            (1, 1, u64::MAX - 1, Some(u64::MAX)),
        ] {
            let column = AutoIncrement { increment, offset, max_value: max, up: true };
            assert_eq!(column.peek(), want, "inc {increment} off {offset} max {max}");
        }
    }

    #[test]
    fn a_down_server_is_skipped() {
        let mut group = MultiMaster::new(2).unwrap();
        group.set_up(1, false);
        assert_eq!(group.next_id(), MultiMasterNext::Issued { server: 0, id: 1, tries: 1 });
        assert_eq!(group.next_id(), MultiMasterNext::Issued { server: 0, id: 3, tries: 2 });
        group.set_up(0, false);
        assert_eq!(group.next_id(), MultiMasterNext::AllDown { tries: 2 });
        group.set_up(1, true);
        assert_eq!(group.next_id(), MultiMasterNext::Issued { server: 1, id: 2, tries: 1 });
    }

    #[test]
    fn adding_a_server_one_by_one_repeats_ids() {
        let mut group = MultiMaster::new(2).unwrap();
        let mut issued = ids(&mut group, 100); // server 1 up to 99, server 2 up to 100
        assert_eq!(group.add_server(AddPolicy::OneByOne), Ok(2));
        let after = ids(&mut group, 6);
        // Server 1 goes on at the least 1 + 3N above 99 = 100, which server 2 already issued; the
        // new server starts at 3 and 6, which servers 1 and 2 issued long ago.
        assert_eq!(after, [(0, 100), (1, 101), (2, 3), (0, 103), (1, 104), (2, 6)]);
        issued.extend(after);
        let distinct: BTreeSet<u64> = issued.iter().map(|(_, id)| *id).collect();
        assert_eq!(issued.len() - distinct.len(), 3);
    }

    #[test]
    fn adding_a_server_after_stopping_the_world_keeps_ids_unique() {
        let mut group = MultiMaster::new(2).unwrap();
        let mut issued = ids(&mut group, 100);
        group.add_server(AddPolicy::StopTheWorld).unwrap();
        let after = ids(&mut group, 6);
        assert_eq!(after, [(0, 103), (1, 101), (2, 102), (0, 106), (1, 104), (2, 105)]);
        issued.extend(ids(&mut group, 3000));
        issued.extend(after);
        let distinct: BTreeSet<u64> = issued.iter().map(|(_, id)| *id).collect();
        assert_eq!(distinct.len(), issued.len());
    }

    #[test]
    fn bad_sizes_are_explained() {
        assert_eq!(
            MultiMaster::new(0),
            Err("Choose from 1 to 64 database servers; 0 is not possible.".to_string())
        );
        let mut group = MultiMaster::new(64).unwrap();
        assert!(group.add_server(AddPolicy::StopTheWorld).is_err());
    }
}
