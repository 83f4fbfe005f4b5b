//! The consistent-hashing ring: servers and their virtual nodes placed by hash on one circle, lookup
//! by binary search with wrap-around, replica lists of distinct servers clockwise, and the share of
//! the hash space each server owns.
//!
//! The idea (Karger et al., "Consistent hashing and random trees", STOC 1997; the notes' "Consistent
//! Hashing" section): hash every server onto a circle of positions `0 ..= 2^160 - 1` with the same
//! function that hashes the keys. A key belongs to the first server found walking clockwise from the
//! key's position; a key exactly on a server's position belongs to that server, and a key past the
//! last server wraps around to the first. The stretch of circle that ends at a server is its
//! *partition*. Adding or removing a server changes only the partition next to it, so only about
//! `1/N` of the keys move, where `hash(key) % N` moves almost all of them.
//!
//! *Virtual nodes* (the notes' "Virtual Nodes"; Dynamo, DeCandia et al., SOSP 2007, section 4.2):
//! each server is hashed at many positions, so it owns many small partitions instead of one large
//! one and the load evens out. Virtual node `i` of server `name` sits at `hash(name)` for `i = 0`
//! (the notes' "hash the server's IP") and at `hash("name#i")` for `i >= 1`. A server with more
//! virtual nodes (a bigger weight) owns proportionally more of the circle.
//!
//! *Collisions*: two virtual nodes may land on the same position. All of them stay on the ring,
//! ordered by (position, server name, virtual node number); a key at that position goes to the
//! first, the server whose name sorts first. The rule uses only the names, so the ring is the same
//! whatever order servers joined in, and removing the winner hands the position to the next one.
//!
//! *Replication* (the notes' key-value store: "copy data onto the next three unique servers towards
//! the clockwise direction"): `replicas(key, n)` walks clockwise from the key and collects the first
//! `n` distinct physical servers, skipping further virtual nodes of servers already chosen.

use super::hash::{HashFn, Position};
use super::keys::{Assignment, KeySet};
use crate::format;
use std::fmt;

/// At most this many servers on one ring.
pub const MAX_SERVERS: usize = 1000;
/// At most this many virtual nodes per server.
pub const MAX_VNODES: u32 = 1000;
/// Server names are 1 to this many characters long.
pub const MAX_NAME_CHARS: usize = 40;

/// A physical server on the ring.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Server {
    /// The server's stable identity: its positions are hashed from it.
    pub name: String,
    /// How many positions (virtual nodes) it has on the ring.
    pub vnodes: u32,
}

/// One virtual node: a position on the ring and the server it routes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Point {
    pub position: Position,
    /// Index into [`Ring::servers`] (servers are kept sorted by name).
    pub server: u32,
    /// Which of the server's virtual nodes this is, from 0.
    pub vnode: u32,
}

impl Point {
    /// The order of points on the ring: by position, then the collision rule (server name order,
    /// then virtual node number). Server indices follow name order, so comparing them is
    /// comparing names.
    fn key(&self) -> (Position, u32, u32) {
        (self.position, self.server, self.vnode)
    }
}

/// The value a lookup returns when the ring has no servers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmptyRing;

impl fmt::Display for EmptyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("The ring has no servers, so no key has a home: add a server first.")
    }
}

/// The replicas of one key: up to `requested` distinct servers, in clockwise order from the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replicas {
    pub servers: Vec<String>,
    pub requested: usize,
}

impl Replicas {
    /// True when the ring has fewer servers than replicas were asked for.
    pub fn is_short(&self) -> bool {
        self.servers.len() < self.requested
    }

    /// Says so when fewer replicas exist than were asked for.
    pub fn shortfall(&self) -> Option<String> {
        self.is_short().then(|| {
            format!(
                "Asked for {} replicas but the ring has only {} server{}: each key is stored {} time{}.",
                format::group_digits(self.requested as u128),
                self.servers.len(),
                if self.servers.len() == 1 { "" } else { "s" },
                self.servers.len(),
                if self.servers.len() == 1 { "" } else { "s" },
            )
        })
    }
}

/// One partition drawn on the ring: the positions after `from` up to and including `to`, owned by
/// `server`. Consecutive partitions of the same server are merged into one arc.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arc {
    /// Exclusive start (the previous server's position).
    pub from: Position,
    /// Inclusive end (a position of `server`).
    pub to: Position,
    pub server: u32,
    /// True when this one arc is the whole circle (a single position on the ring).
    pub full: bool,
}

impl Arc {
    /// The arc's length as a fraction of the circle.
    pub fn fraction(&self) -> f64 {
        if self.full { 1.0 } else { self.from.clockwise_to(self.to).fraction() }
    }
}

/// The hash ring. Servers are kept sorted by name and points by (position, name, vnode), so two
/// rings with the same servers are equal whatever order they were built in.
#[derive(Clone, Debug, PartialEq)]
pub struct Ring {
    hash: HashFn,
    servers: Vec<Server>,
    points: Vec<Point>,
    /// `points[i].position.hi` for every point: the binary search runs over this dense array and
    /// looks at the full 160 bits only when the top 64 bits tie.
    search: Vec<u64>,
    /// A radix table that narrows the binary search: `buckets[b]` is the index of the first point
    /// whose top `bucket_bits` bits are at least `b` (with `buckets[2^bits] = points.len()`), so a
    /// position's successor lies in `buckets[b] ..= buckets[b + 1]` for its bucket `b`. With about
    /// one point per bucket the search touches one or two cache lines instead of eighteen.
    buckets: Vec<u32>,
    bucket_bits: u32,
}

/// The text hashed for virtual node `vnode` of server `name`.
pub fn vnode_label(name: &str, vnode: u32) -> String {
    if vnode == 0 { name.to_string() } else { format!("{name}#{vnode}") }
}

/// Where the `vnodes` virtual nodes of server `name` sit on the ring.
pub fn vnode_positions(hash: HashFn, name: &str, vnodes: u32) -> Vec<Position> {
    (0..vnodes).map(|i| hash.position(vnode_label(name, i).as_bytes())).collect()
}

/// Checks a server name: 1 to 40 characters, no `#` (it separates a name from a virtual node
/// number), no control characters, no spaces at either end.
pub fn check_server_name(name: &str) -> Result<(), String> {
    let chars = name.chars().count();
    if chars == 0 || name.trim().is_empty() {
        return Err(format!("A server needs a name: enter 1 to {MAX_NAME_CHARS} characters."));
    }
    if chars > MAX_NAME_CHARS {
        return Err(format!("Server names have at most {MAX_NAME_CHARS} characters: shorten this one."));
    }
    if name.contains('#') || name.chars().any(char::is_control) || name.trim() != name {
        return Err(format!(
            "Server name {name:?} cannot be used: leave out '#' (it separates a server's name from its \
virtual node number), control characters and spaces at either end."
        ));
    }
    Ok(())
}

fn check_vnodes(name: &str, vnodes: usize) -> Result<(), String> {
    if vnodes == 0 || vnodes > MAX_VNODES as usize {
        return Err(format!(
            "Give server {name:?} 1 to {} virtual nodes (asked for {}).",
            format::group_digits(MAX_VNODES as u128),
            format::group_digits(vnodes as u128)
        ));
    }
    Ok(())
}

impl Ring {
    /// An empty ring using `hash` for servers and keys.
    pub fn new(hash: HashFn) -> Ring {
        Ring {
            hash,
            servers: Vec::new(),
            points: Vec::new(),
            search: Vec::new(),
            buckets: vec![0, 0],
            bucket_bits: 0,
        }
    }

    /// A ring holding `servers` (name, virtual nodes), built in one sort.
    pub fn build<S: AsRef<str>>(hash: HashFn, servers: &[(S, u32)]) -> Result<Ring, String> {
        let placed: Vec<(&str, Vec<Position>)> = servers
            .iter()
            .map(|(name, vnodes)| {
                let name = name.as_ref();
                check_server_name(name)?;
                check_vnodes(name, *vnodes as usize)?;
                Ok((name, vnode_positions(hash, name, *vnodes)))
            })
            .collect::<Result<_, String>>()?;
        Ring::with_positions(hash, &placed)
    }

    /// A ring whose servers sit at the given positions (virtual node `i` at `positions[i]`) instead
    /// of their hashes: for worked examples and tests with hand-picked positions.
    pub fn with_positions<S: AsRef<str>, P: AsRef<[Position]>>(
        hash: HashFn,
        servers: &[(S, P)],
    ) -> Result<Ring, String> {
        if servers.len() > MAX_SERVERS {
            return Err(format!(
                "A ring holds at most {} servers (asked for {}).",
                format::group_digits(MAX_SERVERS as u128),
                format::group_digits(servers.len() as u128)
            ));
        }
        let mut order: Vec<usize> = (0..servers.len()).collect();
        order.sort_by(|&a, &b| servers[a].0.as_ref().cmp(servers[b].0.as_ref()));
        let mut ring = Ring::new(hash);
        for (ix, &i) in order.iter().enumerate() {
            let (name, positions) = (servers[i].0.as_ref(), servers[i].1.as_ref());
            check_server_name(name)?;
            check_vnodes(name, positions.len())?;
            if ring.servers.last().is_some_and(|s| s.name == name) {
                return Err(format!("Server {name:?} is listed twice: give every server its own name."));
            }
            ring.servers.push(Server { name: name.to_string(), vnodes: positions.len() as u32 });
            ring.points.extend(positions.iter().enumerate().map(|(v, &position)| Point {
                position,
                server: ix as u32,
                vnode: v as u32,
            }));
        }
        ring.points.sort_unstable_by_key(Point::key);
        ring.reindex();
        Ok(ring)
    }

    fn reindex(&mut self) {
        self.search = self.points.iter().map(|p| p.position.hi).collect();
        // About one point per bucket, at most 2^16 buckets (256 KB).
        let n = self.points.len();
        self.bucket_bits = (usize::BITS - n.leading_zeros()).min(16);
        let buckets = 1usize << self.bucket_bits;
        self.buckets = Vec::with_capacity(buckets + 1);
        let mut i = 0usize;
        for b in 0..buckets {
            while i < n && self.bucket_of(self.search[i]) < b {
                i += 1;
            }
            self.buckets.push(i as u32);
        }
        self.buckets.push(n as u32);
    }

    fn bucket_of(&self, hi: u64) -> usize {
        hi.checked_shr(64 - self.bucket_bits).unwrap_or(0) as usize
    }

    pub fn hash(&self) -> HashFn {
        self.hash
    }

    /// The servers, sorted by name; a [`Point::server`] indexes this slice.
    pub fn servers(&self) -> &[Server] {
        &self.servers
    }

    /// Every virtual node, clockwise from position 0.
    pub fn points(&self) -> &[Point] {
        &self.points
    }

    pub fn is_empty(&self) -> bool {
        self.servers.is_empty()
    }

    /// The bytes this ring holds in memory: every virtual node's point (a 24-byte position, its
    /// server and virtual node numbers), its 8-byte search key, the radix table and the servers'
    /// names. The notes' "memory costs increase" with virtual nodes, measured.
    pub fn memory_bytes(&self) -> u64 {
        let points = self.points.len() * (std::mem::size_of::<Point>() + std::mem::size_of::<u64>());
        let table = self.buckets.len() * std::mem::size_of::<u32>();
        let servers: usize = self.servers.iter().map(|s| std::mem::size_of::<Server>() + s.name.len()).sum();
        (points + table + servers) as u64
    }

    /// The index of the server called `name` in [`Ring::servers`].
    pub fn server_index(&self, name: &str) -> Option<usize> {
        self.servers.binary_search_by(|s| s.name.as_str().cmp(name)).ok()
    }

    /// Adds server `name` with `vnodes` virtual nodes placed by hash.
    pub fn add_server(&mut self, name: &str, vnodes: u32) -> Result<(), String> {
        check_server_name(name)?;
        check_vnodes(name, vnodes as usize)?;
        let positions = vnode_positions(self.hash, name, vnodes);
        self.add_server_at(name, &positions)
    }

    /// Adds server `name` with its virtual nodes at the given positions (a merge, linear in the
    /// ring's size).
    pub fn add_server_at(&mut self, name: &str, positions: &[Position]) -> Result<(), String> {
        check_server_name(name)?;
        check_vnodes(name, positions.len())?;
        let ix = match self.servers.binary_search_by(|s| s.name.as_str().cmp(name)) {
            Ok(_) => return Err(format!("Server {name:?} is already on the ring: pick another name.")),
            Err(ix) => ix,
        };
        if self.servers.len() >= MAX_SERVERS {
            return Err(format!(
                "The ring already holds {} servers, the most it can: remove one before adding another.",
                format::group_digits(MAX_SERVERS as u128)
            ));
        }
        self.servers.insert(ix, Server { name: name.to_string(), vnodes: positions.len() as u32 });
        for p in &mut self.points {
            if p.server >= ix as u32 {
                p.server += 1;
            }
        }
        let mut added: Vec<Point> = positions
            .iter()
            .enumerate()
            .map(|(v, &position)| Point { position, server: ix as u32, vnode: v as u32 })
            .collect();
        added.sort_unstable_by_key(Point::key);
        let old = std::mem::take(&mut self.points);
        let mut merged = Vec::with_capacity(old.len() + added.len());
        let (mut a, mut b) = (old.into_iter().peekable(), added.into_iter().peekable());
        loop {
            let take_old = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => x.key() < y.key(),
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            merged.extend(if take_old { a.next() } else { b.next() });
        }
        self.points = merged;
        self.reindex();
        Ok(())
    }

    /// Removes server `name` and all its virtual nodes; returns what was removed.
    pub fn remove_server(&mut self, name: &str) -> Result<Server, String> {
        let ix = self
            .server_index(name)
            .ok_or_else(|| format!("No server called {name:?} is on the ring: pick one of its servers."))?;
        let removed = self.servers.remove(ix);
        let ix = ix as u32;
        self.points.retain(|p| p.server != ix);
        for p in &mut self.points {
            if p.server > ix {
                p.server -= 1;
            }
        }
        self.reindex();
        Ok(removed)
    }

    /// The index (into [`Ring::points`]) of the first virtual node clockwise from `pos`: the one at
    /// `pos` itself if there is one, otherwise the next, wrapping past 2^160 - 1 to the first.
    pub fn successor(&self, pos: Position) -> Result<usize, EmptyRing> {
        let n = self.points.len();
        if n == 0 {
            return Err(EmptyRing);
        }
        let b = self.bucket_of(pos.hi);
        let (lo, hi) = (self.buckets[b] as usize, self.buckets[b + 1] as usize);
        let mut i = lo + self.search[lo..hi].partition_point(|&h| h < pos.hi);
        while i < n && self.points[i].position < pos {
            i += 1;
        }
        Ok(if i == n { 0 } else { i })
    }

    /// The index (into [`Ring::servers`]) of the server owning position `pos`.
    pub fn owner(&self, pos: Position) -> Result<usize, EmptyRing> {
        self.successor(pos).map(|i| self.points[i].server as usize)
    }

    /// The server that stores `key`.
    pub fn lookup(&self, key: &[u8]) -> Result<&Server, EmptyRing> {
        self.owner(self.hash.position(key)).map(|s| &self.servers[s])
    }

    /// The distinct servers met walking clockwise from `pos` once around the ring, in that order
    /// (indices into [`Ring::servers`]): the owner first, then the next server, and so on.
    pub fn clockwise_servers(&self, pos: Position) -> Result<Vec<usize>, EmptyRing> {
        self.clockwise_servers_up_to(pos, self.servers.len())
    }

    fn clockwise_servers_up_to(&self, pos: Position, n: usize) -> Result<Vec<usize>, EmptyRing> {
        let start = self.successor(pos)?;
        let want = n.min(self.servers.len());
        let mut seen = vec![false; self.servers.len()];
        let mut out = Vec::with_capacity(want);
        let len = self.points.len();
        for step in 0..len {
            if out.len() == want {
                break;
            }
            let s = self.points[(start + step) % len].server as usize;
            if !seen[s] {
                seen[s] = true;
                out.push(s);
            }
        }
        Ok(out)
    }

    /// The `n` servers that hold copies of the key at `pos`: the owner and the next distinct
    /// servers clockwise. Fewer when the ring has fewer servers ([`Replicas::shortfall`] says so).
    pub fn replicas_at(&self, pos: Position, n: usize) -> Result<Replicas, EmptyRing> {
        let servers = self.clockwise_servers_up_to(pos, n)?;
        Ok(Replicas {
            servers: servers.into_iter().map(|s| self.servers[s].name.clone()).collect(),
            requested: n,
        })
    }

    /// The replicas of `key`: `replicas_at(hash(key), n)`.
    pub fn replicas(&self, key: &[u8], n: usize) -> Result<Replicas, EmptyRing> {
        self.replicas_at(self.hash.position(key), n)
    }

    /// The partitions, clockwise from position 0, with consecutive partitions of one server merged.
    /// Virtual nodes that lost a collision own nothing and do not appear.
    pub fn arcs(&self) -> Vec<Arc> {
        let winners: Vec<&Point> = self
            .points
            .iter()
            .enumerate()
            .filter(|(i, p)| *i == 0 || self.points[i - 1].position != p.position)
            .map(|(_, p)| p)
            .collect();
        let Some(last) = winners.last() else { return Vec::new() };
        if winners.len() == 1 {
            let p = winners[0];
            return vec![Arc { from: p.position, to: p.position, server: p.server, full: true }];
        }
        let mut arcs: Vec<Arc> = Vec::new();
        let mut prev = last.position;
        for p in &winners {
            match arcs.last_mut() {
                Some(a) if a.server == p.server => a.to = p.position,
                _ => arcs.push(Arc { from: prev, to: p.position, server: p.server, full: false }),
            }
            prev = p.position;
        }
        // The arc that ends the circle and the one that starts it may belong to one server.
        if arcs.len() > 1 && arcs[0].server == arcs[arcs.len() - 1].server {
            let tail = arcs.pop().expect("more than one arc");
            arcs[0].from = tail.from;
        }
        if arcs.len() == 1 {
            arcs[0].full = true;
        }
        arcs
    }

    /// The partitions as seen at a resolution of `bins` equal slices of the circle: each slice
    /// takes the owner of its middle, and neighbouring slices of one owner merge. For drawing a ring
    /// with more arcs than pixels; partitions narrower than a slice may not show.
    pub fn arcs_binned(&self, bins: usize) -> Vec<Arc> {
        if self.points.is_empty() || bins == 0 {
            return Vec::new();
        }
        let edge = |i: usize| Position::from_fraction(i as f64 / bins as f64);
        let mut arcs: Vec<Arc> = Vec::new();
        for i in 0..bins {
            let middle = Position::from_fraction((i as f64 + 0.5) / bins as f64);
            let server = self.successor(middle).map_or(0, |j| self.points[j].server);
            match arcs.last_mut() {
                Some(a) if a.server == server => a.to = edge(i + 1),
                _ => arcs.push(Arc { from: edge(i), to: edge(i + 1), server, full: false }),
            }
        }
        if arcs.len() > 1 && arcs[0].server == arcs[arcs.len() - 1].server {
            let tail = arcs.pop().expect("more than one arc");
            arcs[0].from = tail.from;
        }
        if arcs.len() == 1 {
            arcs[0].full = true;
        }
        arcs
    }

    /// The fraction of the circle each server owns (indexed like [`Ring::servers`]; sums to 1).
    pub fn ownership(&self) -> Vec<f64> {
        let mut shares = vec![0.0; self.servers.len()];
        for arc in self.arcs() {
            shares[arc.server as usize] += arc.fraction();
        }
        shares
    }

    /// The owner of every key of a key set, by one sweep over keys and ring together (keys are
    /// sorted by position, so each search starts where the previous one ended and gallops ahead).
    pub fn assign(&self, keys: &KeySet) -> Result<Assignment, EmptyRing> {
        let owner = self.owners_of_sorted(keys.positions())?;
        Ok(Assignment { servers: self.servers.iter().map(|s| s.name.clone()).collect(), owner })
    }

    /// The owning server index of each position; fastest when `positions` is sorted (any order is
    /// correct).
    pub fn owners_of_sorted(&self, positions: &[Position]) -> Result<Vec<u32>, EmptyRing> {
        let successors = self.successors_of_sorted(positions)?;
        Ok(successors.into_iter().map(|j| self.points[j as usize].server).collect())
    }

    /// [`Ring::successor`] of each position, as one sweep: fastest when `positions` is sorted (any
    /// order is correct).
    pub fn successors_of_sorted(&self, positions: &[Position]) -> Result<Vec<u32>, EmptyRing> {
        let n = self.points.len();
        if n == 0 {
            return Err(EmptyRing);
        }
        let mut out = Vec::with_capacity(positions.len());
        // Invariant: every point before `j` lies before the previous key.
        let mut j = 0usize;
        let mut prev = Position::ZERO;
        for &key in positions {
            if key < prev {
                j = 0;
            }
            prev = key;
            if j < n && self.points[j].position < key {
                // Gallop: double the step until a point at or past the key, then binary search.
                let mut lo = j;
                let mut step = 1usize;
                let mut hi = j + 1;
                while hi < n && self.points[hi].position < key {
                    lo = hi;
                    step *= 2;
                    hi = lo.saturating_add(step);
                }
                let hi = hi.min(n);
                j = lo + 1 + self.points[lo + 1..hi].partition_point(|p| p.position < key);
            }
            out.push(if j == n { 0 } else { j as u32 });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashing::keys::moves;
    use proptest::prelude::*;

    fn at(v: u128) -> Position {
        Position::from_u128(v)
    }

    fn owner_name(ring: &Ring, pos: u128) -> Result<&str, EmptyRing> {
        ring.owner(at(pos)).map(|s| ring.servers()[s].name.as_str())
    }

    /// A at 100, B at 200, C at 300: the three partitions are (300, 100] wrapping, (100, 200] and
    /// (200, 300].
    fn abc() -> Ring {
        Ring::with_positions(
            HashFn::Sha1,
            &[("B", vec![at(200)]), ("A", vec![at(100)]), ("C", vec![at(300)])],
        )
        .unwrap()
    }

    #[test]
    fn hand_worked_lookups_on_three_servers() {
        let ring = abc();
        for (pos, want) in [
            (0, "A"),   // from the top of the ring clockwise, A is first
            (50, "A"),  // before A
            (100, "A"), // exactly on A's position: A
            (101, "B"), // just past A
            (150, "B"),
            (200, "B"),
            (299, "C"),
            (300, "C"),
            (301, "A"), // past the last server: wraps around to A
            (u128::MAX, "A"),
        ] {
            assert_eq!(owner_name(&ring, pos), Ok(want), "position {pos}");
        }
        assert_eq!(ring.owner(Position::MAX).map(|s| ring.servers()[s].name.as_str()), Ok("A"));
        assert_eq!(ring.successor(at(301)), Ok(0));
        assert_eq!(ring.successor(at(150)), Ok(1));
    }

    #[test]
    fn positions_differing_only_below_the_top_64_bits() {
        // Both servers share the top 64 bits; only the low 96 bits order them.
        let p = |mid: u64, lo: u32| Position { hi: 7, mid, lo };
        let ring = Ring::with_positions(HashFn::Sha1, &[("X", [p(5, 0)]), ("Y", [p(5, 9)])]).unwrap();
        let name = |q: Position| ring.servers()[ring.owner(q).unwrap()].name.clone();
        assert_eq!(name(p(5, 0)), "X");
        assert_eq!(name(p(5, 1)), "Y");
        assert_eq!(name(p(5, 9)), "Y");
        assert_eq!(name(p(5, 10)), "X"); // wraps
        assert_eq!(name(p(4, u32::MAX)), "X");
        assert_eq!(name(Position { hi: 6, mid: u64::MAX, lo: u32::MAX }), "X");
    }

    #[test]
    fn empty_ring_is_a_value_not_a_panic() {
        let ring = Ring::new(HashFn::Sha1);
        assert_eq!(ring.successor(at(5)), Err(EmptyRing));
        assert_eq!(ring.lookup(b"key").map(|s| s.name.clone()), Err(EmptyRing));
        assert_eq!(ring.replicas(b"key", 3), Err(EmptyRing));
        assert_eq!(ring.arcs(), vec![]);
        assert_eq!(ring.ownership(), Vec::<f64>::new());
        assert_eq!(
            EmptyRing.to_string(),
            "The ring has no servers, so no key has a home: add a server first."
        );
    }

    #[test]
    fn collision_goes_to_the_name_that_sorts_first_in_any_order() {
        // D collides with B at 200.
        let with_d = |order: &[&str]| {
            let all = [("A", at(100)), ("B", at(200)), ("C", at(300)), ("D", at(200))];
            let servers: Vec<(&str, [Position; 1])> = order
                .iter()
                .map(|n| all.iter().find(|(m, _)| m == n).map(|&(m, p)| (m, [p])).unwrap())
                .collect();
            Ring::with_positions(HashFn::Sha1, &servers).unwrap()
        };
        let one = with_d(&["A", "B", "C", "D"]);
        let other = with_d(&["D", "C", "B", "A"]);
        assert_eq!(one, other);
        assert_eq!(owner_name(&one, 150), Ok("B"));
        assert_eq!(owner_name(&one, 200), Ok("B"));
        // D owns nothing while B is there ...
        assert_eq!(one.ownership()[3], 0.0);
        // ... and takes over B's partition when B leaves. Adding B back restores the first ring.
        let mut ring = one.clone();
        ring.remove_server("B").unwrap();
        assert_eq!(owner_name(&ring, 150), Ok("D"));
        ring.add_server_at("B", &[at(200)]).unwrap();
        assert_eq!(ring, one);
        // The next distinct server after the collision is D, at distance 0.
        assert_eq!(one.replicas_at(at(150), 3).unwrap().servers, ["B", "D", "C"]);
    }

    #[test]
    fn replicas_skip_further_positions_of_chosen_servers() {
        // A owns 10 and 20 in a row, B 30, C 40 and 50 in a row.
        let ring = Ring::with_positions(
            HashFn::Sha1,
            &[("A", vec![at(10), at(20)]), ("B", vec![at(30)]), ("C", vec![at(40), at(50)])],
        )
        .unwrap();
        for (pos, n, want, short) in [
            (15, 3, vec!["A", "B", "C"], false),
            (5, 2, vec!["A", "B"], false), // 10 and 20 are both A: B is the second replica
            (35, 3, vec!["C", "A", "B"], false), // C twice, then wraps to A
            (45, 3, vec!["C", "A", "B"], false),
            (51, 2, vec!["A", "B"], false), // wraps before the first replica
            (45, 5, vec!["C", "A", "B"], true),
            (45, 0, vec![], false),
        ] {
            let r = ring.replicas_at(at(pos), n).unwrap();
            assert_eq!(r.servers, want, "position {pos}, {n} replicas");
            assert_eq!(r.is_short(), short);
        }
        assert_eq!(
            ring.replicas_at(at(45), 5).unwrap().shortfall().as_deref(),
            Some("Asked for 5 replicas but the ring has only 3 servers: each key is stored 3 times.")
        );
        assert_eq!(ring.replicas_at(at(45), 3).unwrap().shortfall(), None);
    }

    #[test]
    fn partitions_and_ownership_on_a_hand_worked_ring() {
        let ring = abc();
        let full = 2f64.powi(160);
        let shares = ring.ownership();
        // A owns (300, 2^160) and [0, 100]: 2^160 - 200.
        assert_eq!(shares, vec![(full - 200.0) / full, 100.0 / full, 100.0 / full]);
        let arcs = ring.arcs();
        assert_eq!(arcs.len(), 3);
        assert_eq!((arcs[0].from, arcs[0].to, arcs[0].server), (at(300), at(100), 0));
        // Consecutive partitions of one server merge, including across the top of the ring.
        let ring =
            Ring::with_positions(HashFn::Sha1, &[("A", vec![at(10), at(20), at(90)]), ("B", vec![at(50)])])
                .unwrap();
        let arcs = ring.arcs();
        assert_eq!(arcs.len(), 2);
        assert_eq!((arcs[0].from, arcs[0].to, arcs[0].server), (at(50), at(20), 0));
        assert_eq!((arcs[1].from, arcs[1].to, arcs[1].server), (at(20), at(50), 1));
        assert_eq!(ring.ownership(), vec![(full - 30.0) / full, 30.0 / full]);
        // One server: a single full circle.
        let one = Ring::with_positions(HashFn::Sha1, &[("A", vec![at(10), at(20)])]).unwrap();
        assert_eq!(one.arcs().len(), 1);
        assert!(one.arcs()[0].full);
        assert_eq!(one.ownership(), vec![1.0]);
    }

    #[test]
    fn binned_arcs_take_the_owner_of_each_slice() {
        let half = Position::from_fraction(0.5);
        let quarter = Position::from_fraction(0.25);
        // A owns (0.5, 0.25] wrapping (three quarters), B owns (0.25, 0.5].
        let ring = Ring::with_positions(HashFn::Sha1, &[("A", [quarter]), ("B", [half])]).unwrap();
        let arcs = ring.arcs_binned(4);
        assert_eq!(arcs.len(), 2);
        assert_eq!((arcs[0].from, arcs[0].to, arcs[0].server), (half, quarter, 0));
        assert_eq!((arcs[1].from, arcs[1].to, arcs[1].server), (quarter, half, 1));
        assert_eq!(Ring::new(HashFn::Sha1).arcs_binned(4), vec![]);
        let one = Ring::with_positions(HashFn::Sha1, &[("A", [quarter])]).unwrap();
        assert!(one.arcs_binned(8)[0].full);
    }

    #[test]
    fn memory_grows_with_virtual_nodes() {
        // 3 points of 32 + 8 bytes, a 3-bucket table (2 bits: 4 + 1 entries of 4 bytes), 3 servers.
        let ring = abc();
        let server = std::mem::size_of::<Server>() as u64;
        assert_eq!(std::mem::size_of::<Point>(), 32);
        assert_eq!(ring.memory_bytes(), 3 * 40 + 5 * 4 + 3 * (server + 1));
        assert_eq!(Ring::new(HashFn::Sha1).memory_bytes(), 2 * 4);
    }

    #[test]
    fn servers_are_placed_at_the_sha1_of_their_labels() {
        assert_eq!(vnode_label("10.0.0.1", 0), "10.0.0.1");
        assert_eq!(vnode_label("10.0.0.1", 7), "10.0.0.1#7");
        let ring = Ring::build(HashFn::Sha1, &[("abc", 2)]).unwrap();
        let abc = Position::from_hex("a9993e364706816aba3e25717850c26c9cd0d89d").unwrap();
        assert!(ring.points().iter().any(|p| p.position == abc && p.vnode == 0));
        assert!(ring.points().iter().any(|p| p.position == HashFn::Sha1.position(b"abc#1") && p.vnode == 1));
        // So the key "abc" lands exactly on server abc's first virtual node.
        assert_eq!(ring.successor(HashFn::Sha1.position(b"abc")).map(|i| ring.points()[i].vnode), Ok(0));
    }

    #[test]
    fn bad_membership_changes_explain_themselves() {
        let mut ring = abc();
        for (name, vnodes, message) in [
            ("A", 1, "Server \"A\" is already on the ring: pick another name."),
            ("", 1, "A server needs a name: enter 1 to 40 characters."),
            ("   ", 1, "A server needs a name: enter 1 to 40 characters."),
            ("E", 0, "Give server \"E\" 1 to 1,000 virtual nodes (asked for 0)."),
            ("E", 1001, "Give server \"E\" 1 to 1,000 virtual nodes (asked for 1,001)."),
            (
                "E#2",
                1,
                "Server name \"E#2\" cannot be used: leave out '#' (it separates a server's name from its \
virtual node number), control characters and spaces at either end.",
            ),
        ] {
            assert_eq!(ring.add_server(name, vnodes), Err(message.to_string()), "{name:?} {vnodes}");
        }
        assert!(ring.add_server(&"x".repeat(41), 1).is_err());
        assert_eq!(
            ring.remove_server("Z"),
            Err("No server called \"Z\" is on the ring: pick one of its servers.".to_string())
        );
        assert_eq!(
            Ring::build(HashFn::Sha1, &[("A", 1), ("A", 2)]),
            Err("Server \"A\" is listed twice: give every server its own name.".to_string())
        );
        assert_eq!(ring, abc(), "failed changes leave the ring as it was");
    }

    #[test]
    fn ring_holds_at_most_the_documented_number_of_servers() {
        let names: Vec<(String, u32)> = (0..MAX_SERVERS).map(|i| (format!("s{i}"), 1)).collect();
        let mut ring = Ring::build(HashFn::Xxh3, &names).unwrap();
        assert_eq!(ring.servers().len(), 1000);
        assert!(ring.add_server("one-too-many", 1).unwrap_err().contains("the most it can"));
        let too_many: Vec<(String, u32)> = (0..=MAX_SERVERS).map(|i| (format!("s{i}"), 1)).collect();
        assert!(Ring::build(HashFn::Xxh3, &too_many).is_err());
    }

    fn names() -> impl Strategy<Value = Vec<(String, u32)>> {
        prop::collection::btree_map("[a-z]{1,3}", 1u32..12, 1..8).prop_map(|m| m.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn lookup_does_not_depend_on_insertion_order(
            servers in names(), seed in any::<u64>(), hash in prop::sample::select(HashFn::ALL.to_vec()),
        ) {
            let built = Ring::build(hash, &servers).unwrap();
            // Add one by one in a shuffled order.
            let mut order = servers.clone();
            let mut s = seed;
            for i in (1..order.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                order.swap(i, (s >> 33) as usize % (i + 1));
            }
            let mut grown = Ring::new(hash);
            for (name, v) in &order {
                grown.add_server(name, *v).unwrap();
            }
            prop_assert_eq!(&grown, &built);
            for k in 0..50u32 {
                let key = format!("key-{seed}-{k}");
                prop_assert_eq!(grown.lookup(key.as_bytes()), built.lookup(key.as_bytes()));
            }
        }

        #[test]
        fn injected_collisions_resolve_the_same_in_any_order(
            spots in prop::collection::vec((0usize..4, 0u128..6), 1..16), rotate in 0usize..16,
        ) {
            // Up to four servers on only six possible positions: collisions everywhere.
            let mut per_server: Vec<(String, Vec<Position>)> = Vec::new();
            for (s, p) in &spots {
                let name = format!("n{s}");
                match per_server.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, ps)) => ps.push(Position::from_u128(p * 1000)),
                    None => per_server.push((name, vec![Position::from_u128(p * 1000)])),
                }
            }
            let a = Ring::with_positions(HashFn::Sha1, &per_server).unwrap();
            let r = rotate % per_server.len();
            per_server.rotate_left(r);
            let b = Ring::with_positions(HashFn::Sha1, &per_server).unwrap();
            prop_assert_eq!(&a, &b);
            // The owner at every occupied position is the alphabetically first server placed there.
            for (_, p) in &spots {
                let first = spots.iter().filter(|(_, q)| q == p).map(|(t, _)| *t).min().unwrap();
                let owner = a.owner(Position::from_u128(p * 1000)).unwrap();
                prop_assert_eq!(&a.servers()[owner].name, &format!("n{first}"));
            }
            let total: f64 = a.ownership().iter().sum();
            prop_assert!((total - 1.0).abs() < 1e-12);
        }

        #[test]
        fn replicas_are_distinct_and_start_with_the_owner(
            servers in names(), key in any::<[u8; 8]>(), n in 0usize..10,
        ) {
            let ring = Ring::build(HashFn::Sha1, &servers).unwrap();
            let r = ring.replicas(&key, n).unwrap();
            prop_assert_eq!(r.servers.len(), n.min(servers.len()));
            let mut sorted = r.servers.clone();
            sorted.sort();
            sorted.dedup();
            prop_assert_eq!(sorted.len(), r.servers.len());
            if n > 0 {
                prop_assert_eq!(&r.servers[0], &ring.lookup(&key).unwrap().name);
            }
            // Replicas are a prefix of the full clockwise order.
            let all = ring.clockwise_servers(HashFn::Sha1.position(&key)).unwrap();
            let names: Vec<&str> = all.iter().take(n).map(|&s| ring.servers()[s].name.as_str()).collect();
            prop_assert_eq!(names, r.servers.iter().map(String::as_str).collect::<Vec<_>>());
        }

        #[test]
        fn adding_a_server_moves_keys_only_to_it_and_removing_moves_only_its_keys(
            servers in names(), v in 1u32..12, seed in any::<u64>(), hash in prop::sample::select(HashFn::ALL.to_vec()),
        ) {
            let keys = KeySet::generate(hash, 300, seed).unwrap();
            let small = Ring::build(hash, &servers).unwrap();
            let mut big = small.clone();
            big.add_server("NEW", v).unwrap();
            let (before, after) = (small.assign(&keys).unwrap(), big.assign(&keys).unwrap());
            let joined = moves(&before, &after);
            // Every moved key went to the new server, and the new server got only moved keys.
            prop_assert!(joined.flows.iter().all(|f| f.to == "NEW"));
            let new_ix = big.server_index("NEW").unwrap();
            prop_assert_eq!(joined.count(), after.counts()[new_ix]);
            // Removing it again moves exactly its keys, back where they were.
            let left = moves(&after, &before);
            prop_assert!(left.flows.iter().all(|f| f.from == "NEW"));
            prop_assert_eq!(&left.moved, &joined.moved);
            prop_assert_eq!(big.remove_server("NEW").map(|s| s.vnodes), Ok(v));
            prop_assert_eq!(&big, &small);
        }

        #[test]
        fn sweep_agrees_with_binary_search(
            servers in names(), keys in prop::collection::vec(any::<[u8; 20]>(), 0..200), sorted in any::<bool>(),
        ) {
            let ring = Ring::build(HashFn::Sha1, &servers).unwrap();
            let mut positions: Vec<Position> = keys.iter().map(|k| Position::from_be_bytes(*k)).collect();
            if sorted {
                positions.sort();
            }
            // Include the ring's own positions (exact hits) and the extremes.
            positions.extend(ring.points().iter().map(|p| p.position));
            positions.extend([Position::ZERO, Position::MAX]);
            let swept = ring.owners_of_sorted(&positions).unwrap();
            let searched: Vec<u32> = positions.iter().map(|&p| ring.owner(p).unwrap() as u32).collect();
            prop_assert_eq!(swept, searched);
        }
    }
}
