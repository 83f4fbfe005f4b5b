//! Classic hashing, `serverIndex = hash(key) % N` (the notes' "Classic Hashing"): even while the
//! pool is fixed, but a change of `N` sends almost every key to another server.
//!
//! The pool is a list of servers in the order they joined; a new server is appended, a removed one
//! leaves a gap that the servers after it close up. A key keeps its server only when
//! `hash % N` and `hash % (N + 1)` name the same server, which for a uniform hash happens for
//! `1/(N + 1)` of the keys (exactly when `hash mod N(N + 1) < N`): so `N/(N + 1)` of them move.

use super::hash::{HashFn, Position};
use super::keys::{Assignment, KeySet};
use super::ring::{EmptyRing, MAX_SERVERS, check_server_name};
use crate::format;

/// A pool of servers chosen by `hash(key) % N`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModN {
    hash: HashFn,
    servers: Vec<String>,
}

impl ModN {
    /// A pool of `servers` in this order (server `i` takes the keys with `hash % N == i`).
    pub fn new<S: AsRef<str>>(hash: HashFn, servers: &[S]) -> Result<ModN, String> {
        if servers.len() > MAX_SERVERS {
            return Err(format!(
                "A pool holds at most {} servers.",
                format::group_digits(MAX_SERVERS as u128)
            ));
        }
        let mut names: Vec<String> = Vec::with_capacity(servers.len());
        for s in servers {
            let s = s.as_ref();
            check_server_name(s)?;
            if names.iter().any(|n| n == s) {
                return Err(format!("Server {s:?} is listed twice: give every server its own name."));
            }
            names.push(s.to_string());
        }
        Ok(ModN { hash, servers: names })
    }

    pub fn hash(&self) -> HashFn {
        self.hash
    }

    /// The servers in pool order.
    pub fn servers(&self) -> &[String] {
        &self.servers
    }

    /// `hash % N` for the key at `pos`: the index of its server in the pool.
    pub fn server_index(&self, pos: Position) -> Result<usize, EmptyRing> {
        self.hash.value_rem(pos, self.servers.len() as u64).map(|i| i as usize).ok_or(EmptyRing)
    }

    /// The server that stores `key`.
    pub fn lookup(&self, key: &[u8]) -> Result<&str, EmptyRing> {
        self.server_index(self.hash.position(key)).map(|i| self.servers[i].as_str())
    }

    /// The server of every key in a key set.
    pub fn assign(&self, keys: &KeySet) -> Result<Assignment, EmptyRing> {
        let n = self.servers.len() as u64;
        if n == 0 {
            return Err(EmptyRing);
        }
        let owner =
            keys.positions().iter().map(|&p| self.hash.value_rem(p, n).map_or(0, |i| i as u32)).collect();
        Ok(Assignment { servers: self.servers.clone(), owner })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashing::keys::moves;

    #[test]
    fn hand_worked_remainders() {
        let pool = ModN::new(HashFn::Sha1, &["s0", "s1", "s2"]).unwrap();
        // SHA-1("abc") mod 3 = 2 (Python: int("a9993e36...d89d", 16) % 3).
        assert_eq!(pool.lookup(b"abc"), Ok("s2"));
        let ten: Vec<String> = (0..10).map(|i| format!("s{i}")).collect();
        assert_eq!(ModN::new(HashFn::Sha1, &ten).unwrap().lookup(b"abc"), Ok("s7"));
        // XXH3-64("abc") = 0x78af5f94892f3950 = 8,696,274,497,037,089,104, which is 4 mod 10.
        assert_eq!(ModN::new(HashFn::Xxh3, &ten).unwrap().lookup(b"abc"), Ok("s4"));
        let empty = ModN::new(HashFn::Sha1, &Vec::<String>::new()).unwrap();
        assert_eq!(empty.lookup(b"abc"), Err(EmptyRing));
        assert!(ModN::new(HashFn::Sha1, &["a", "a"]).is_err());
    }

    #[test]
    fn growing_the_pool_moves_n_over_n_plus_one() {
        // 100,000 keys, 10 -> 11 servers: a key stays only when hash mod 110 < 10, i.e. 1/11 stay.
        let keys = crate::hashing::keys::test_keys();
        let ten: Vec<String> = (0..10).map(|i| format!("s{i}")).collect();
        let mut eleven = ten.clone();
        eleven.push("s10".into());
        let before = ModN::new(HashFn::Sha1, &ten).unwrap().assign(keys).unwrap();
        let after = ModN::new(HashFn::Sha1, &eleven).unwrap().assign(keys).unwrap();
        let m = moves(&before, &after);
        // Exactly the keys with hash mod 110 >= 10 move.
        let expected = keys.positions().iter().filter(|p| p.modulo(110).unwrap() >= 10).count() as u64;
        assert_eq!(m.count(), expected);
        assert_eq!(m.count(), 90_984); // pinned for seed 1; 10/11 of 100,000 is 90,909 ± 91 (one sd)
        assert!((m.share() - 10.0 / 11.0).abs() < 0.003);
    }
}
