//! Flickr's ticket servers: a database whose only job is to hand out the next number of an
//! auto_increment column (the notes, "Ticket Server"; "Ticket Servers: Distributed Unique Primary
//! Keys on the Cheap", code.flickr.net, 2010).
//!
//! A ticket table has an auto_increment `id` and a unique one-character `stub`. Every request runs
//! `REPLACE INTO Tickets64 (stub) VALUES ('a'); SELECT LAST_INSERT_ID();`: REPLACE deletes the row
//! whose stub is 'a' and inserts a new one, which takes the next auto_increment value, so the table
//! never holds more than one row per stub while the counter climbs. `Tickets32` (an unsigned 32-bit
//! column, 4,294,967,295 values) and `Tickets64` serve IDs of the two sizes. One ticket server is a
//! single point of failure, so Flickr runs two, one making odd and one even numbers (increment 2,
//! offsets 1 and 2, as in multi-master replication), and clients go round-robin between them and
//! skip one that is down. Every ID costs a round trip to a ticket server: that is the coordination
//! the other schemes avoid.

use super::multi_master::AutoIncrement;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which ticket table: the size of the IDs it hands out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TicketWidth {
    Bits32,
    #[default]
    Bits64,
}

impl TicketWidth {
    /// The table's name in the article.
    pub fn table(self) -> &'static str {
        match self {
            TicketWidth::Bits32 => "Tickets32",
            TicketWidth::Bits64 => "Tickets64",
        }
    }

    /// The largest value the unsigned column holds.
    pub fn max_id(self) -> u64 {
        match self {
            TicketWidth::Bits32 => u64::from(u32::MAX),
            TicketWidth::Bits64 => u64::MAX,
        }
    }

    pub fn bits(self) -> u32 {
        match self {
            TicketWidth::Bits32 => 32,
            TicketWidth::Bits64 => 64,
        }
    }
}

/// One ticket table: its auto_increment counter and its rows (stub -> id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketTable {
    pub width: TicketWidth,
    counter: AutoIncrement,
    rows: BTreeMap<char, u64>,
}

impl TicketTable {
    pub fn new(width: TicketWidth, increment: u64, offset: u64) -> TicketTable {
        TicketTable { width, counter: AutoIncrement::new(increment, offset), rows: BTreeMap::new() }
    }

    /// `REPLACE INTO <table> (stub) VALUES (stub); SELECT LAST_INSERT_ID();`. `None` when the
    /// column has no value left (MySQL answers the insert with an error).
    pub fn replace_into(&mut self, stub: char) -> Option<u64> {
        let id = self.counter.peek().filter(|&id| id <= self.width.max_id())?;
        self.counter.max_value = id;
        self.rows.insert(stub, id); // REPLACE: the old row with this stub goes, the new one stays
        Some(id)
    }

    /// The table's rows, as `SELECT * FROM <table>` would list them.
    pub fn rows(&self) -> Vec<(char, u64)> {
        self.rows.iter().map(|(s, id)| (*s, *id)).collect()
    }

    /// The last value handed out.
    pub fn last_id(&self) -> u64 {
        self.counter.max_value
    }

    /// Sets the counter as if `last` had just been handed out (to start a table near its end).
    pub fn set_last_id(&mut self, last: u64) {
        self.counter.max_value = last.min(self.width.max_id());
    }
}

/// One ticket server with both tables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketServer {
    pub tickets32: TicketTable,
    pub tickets64: TicketTable,
    pub up: bool,
}

impl TicketServer {
    pub fn table_mut(&mut self, width: TicketWidth) -> &mut TicketTable {
        match width {
            TicketWidth::Bits32 => &mut self.tickets32,
            TicketWidth::Bits64 => &mut self.tickets64,
        }
    }

    pub fn table(&self, width: TicketWidth) -> &TicketTable {
        match width {
            TicketWidth::Bits32 => &self.tickets32,
            TicketWidth::Bits64 => &self.tickets64,
        }
    }
}

/// The answer to one request for an ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TicketNext {
    /// `server` (0-based) issued `id`; `tries` servers were asked.
    Issued { server: usize, id: u64, tries: u32 },
    /// Every ticket server is down: the client gets no ID.
    Unavailable { tries: u32 },
    /// The server's table has no value left.
    Exhausted { server: usize },
}

/// The ticket servers and the client's round-robin position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketService {
    servers: Vec<TicketServer>,
    next_server: usize,
}

/// The most ticket servers a service may have.
pub const MAX_TICKET_SERVERS: usize = 8;

impl TicketService {
    /// `n` ticket servers with increment n and offsets 1 to n (Flickr runs two).
    pub fn new(n: usize) -> Result<TicketService, String> {
        if !(1..=MAX_TICKET_SERVERS).contains(&n) {
            return Err(format!(
                "Choose from 1 to {MAX_TICKET_SERVERS} ticket servers; {n} is not possible."
            ));
        }
        let servers = (1..=n as u64)
            .map(|offset| TicketServer {
                tickets32: TicketTable::new(TicketWidth::Bits32, n as u64, offset),
                tickets64: TicketTable::new(TicketWidth::Bits64, n as u64, offset),
                up: true,
            })
            .collect();
        Ok(TicketService { servers, next_server: 0 })
    }

    pub fn servers(&self) -> &[TicketServer] {
        &self.servers
    }

    pub fn server_mut(&mut self, server: usize) -> Option<&mut TicketServer> {
        self.servers.get_mut(server)
    }

    /// Crashes a server (`up = false`) or brings it back. Its tables survive a crash.
    pub fn set_up(&mut self, server: usize, up: bool) {
        if let Some(s) = self.servers.get_mut(server) {
            s.up = up;
        }
    }

    /// One ID from the table of this width: round-robin, skipping servers that are down.
    pub fn next_id(&mut self, width: TicketWidth) -> TicketNext {
        let n = self.servers.len();
        let mut tries = 0;
        for _ in 0..n {
            let server = self.next_server % n;
            self.next_server = (server + 1) % n;
            tries += 1;
            if !self.servers[server].up {
                continue;
            }
            return match self.servers[server].table_mut(width).replace_into('a') {
                Some(id) => TicketNext::Issued { server, id, tries },
                None => TicketNext::Exhausted { server },
            };
        }
        TicketNext::Unavailable { tries }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_into_keeps_one_row_and_bumps_the_counter() {
        let mut table = TicketTable::new(TicketWidth::Bits64, 1, 1);
        assert_eq!(table.replace_into('a'), Some(1));
        assert_eq!(table.replace_into('a'), Some(2));
        assert_eq!(table.replace_into('a'), Some(3));
        assert_eq!(table.rows(), [('a', 3)]);
        // Another stub is another row of the same table, sharing its counter.
        assert_eq!(table.replace_into('b'), Some(4));
        assert_eq!(table.rows(), [('a', 3), ('b', 4)]);
    }

    #[test]
    fn flickrs_pair_makes_odd_and_even_ids() {
        let mut service = TicketService::new(2).unwrap();
        let got: Vec<TicketNext> = (0..4).map(|_| service.next_id(TicketWidth::Bits64)).collect();
        assert_eq!(
            got,
            [
                TicketNext::Issued { server: 0, id: 1, tries: 1 },
                TicketNext::Issued { server: 1, id: 2, tries: 1 },
                TicketNext::Issued { server: 0, id: 3, tries: 1 },
                TicketNext::Issued { server: 1, id: 4, tries: 1 },
            ]
        );
        assert_eq!(service.servers()[0].tickets64.rows(), [('a', 3)]);
        assert_eq!(service.servers()[0].tickets32.rows(), []);
    }

    #[test]
    fn one_ticket_server_is_a_single_point_of_failure() {
        let mut single = TicketService::new(1).unwrap();
        single.set_up(0, false);
        assert_eq!(single.next_id(TicketWidth::Bits64), TicketNext::Unavailable { tries: 1 });
        single.set_up(0, true);
        assert_eq!(single.next_id(TicketWidth::Bits64), TicketNext::Issued { server: 0, id: 1, tries: 1 });

        let mut pair = TicketService::new(2).unwrap();
        pair.set_up(0, false);
        let ids: Vec<TicketNext> = (0..3).map(|_| pair.next_id(TicketWidth::Bits64)).collect();
        assert_eq!(
            ids,
            [
                TicketNext::Issued { server: 1, id: 2, tries: 2 },
                TicketNext::Issued { server: 1, id: 4, tries: 2 },
                TicketNext::Issued { server: 1, id: 6, tries: 2 },
            ]
        );
        // Server 1 kept its table through the crash; the two sides have drifted apart, so IDs
        // no longer follow the order they were issued in.
        pair.set_up(0, true);
        assert_eq!(pair.next_id(TicketWidth::Bits64), TicketNext::Issued { server: 0, id: 1, tries: 1 });
        assert_eq!(pair.next_id(TicketWidth::Bits64), TicketNext::Issued { server: 1, id: 8, tries: 1 });
    }

    #[test]
    fn the_32_bit_table_runs_out_after_4_294_967_295() {
        let mut service = TicketService::new(1).unwrap();
        service.server_mut(0).unwrap().tickets32.set_last_id(4_294_967_294);
        assert_eq!(
            service.next_id(TicketWidth::Bits32),
            TicketNext::Issued { server: 0, id: 4_294_967_295, tries: 1 }
        );
        assert_eq!(service.next_id(TicketWidth::Bits32), TicketNext::Exhausted { server: 0 });
        // The 64-bit table of the same server carries on.
        assert_eq!(service.next_id(TicketWidth::Bits64), TicketNext::Issued { server: 0, id: 1, tries: 1 });
    }

    #[test]
    fn bad_sizes_are_explained() {
        assert_eq!(
            TicketService::new(0),
            Err("Choose from 1 to 8 ticket servers; 0 is not possible.".to_string())
        );
    }
}
