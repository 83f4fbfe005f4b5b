//! The consistent-hashing page's settings and their URL form: the server pool (and the pool before
//! the last change, for the side-by-side comparison), virtual nodes, keys, hash function, seed, key
//! popularity, and the cascade's headroom and first failure. A value in a link that does not parse
//! falls back to its default and says so.

use super::hash::HashFn;
use super::load::Popularity;
use super::ring::{MAX_VNODES, check_server_name};
use crate::format;

/// The most servers the page lets a person add.
pub const PAGE_MAX_SERVERS: usize = 50;
/// The most keys the page places.
pub const PAGE_MAX_KEYS: usize = 100_000;
/// The virtual-node counts the slider steps through.
pub const VNODE_STEPS: [u32; 24] =
    [1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100, 150, 200, 300, 500, 700, 1000];
/// The key counts the slider steps through.
pub const KEY_STEPS: [usize; 11] = [100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 70_000, 100_000];
/// The Zipf exponents offered (0 = uniform).
pub const ZIPF_STEPS: [f64; 6] = [0.0, 0.5, 0.8, 1.0, 1.2, 1.5];
/// The headrooms offered for the cascade, in percent.
pub const HEADROOM_STEPS: [u32; 6] = [0, 10, 25, 50, 100, 200];

/// Everything the page shows is computed from these.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// The server pool, in the order servers joined (mod N numbers them in this order).
    pub servers: Vec<String>,
    /// The pool before the last change, when there was one.
    pub before: Option<Vec<String>>,
    pub vnodes: u32,
    pub keys: usize,
    pub hash: HashFn,
    pub seed: u64,
    /// Zipf exponent of key popularity; 0 means every key is equally popular.
    pub zipf: f64,
    /// The cascade's headroom over each server's normal load, in percent.
    pub headroom: u32,
    /// The server that fails first in the cascade (the first server when unset or gone).
    pub fail: Option<String>,
    /// A key typed into the inspector.
    pub lookup: String,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            servers: (1..=5).map(|i| format!("S{i}")).collect(),
            before: None,
            vnodes: 10,
            keys: 10_000,
            hash: HashFn::Sha1,
            seed: 1,
            zipf: 0.0,
            headroom: 50,
            fail: None,
            lookup: String::new(),
        }
    }
}

fn parse_pool(text: &str) -> Result<Vec<String>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let names: Vec<String> = text.split(',').map(|s| s.trim().to_string()).collect();
    if names.len() > PAGE_MAX_SERVERS {
        return Err(format!("List at most {PAGE_MAX_SERVERS} servers."));
    }
    for (i, name) in names.iter().enumerate() {
        check_server_name(name)?;
        if names[..i].contains(name) {
            return Err(format!("Server {name:?} is listed twice: give every server its own name."));
        }
    }
    Ok(names)
}

fn parse_whole(text: &str, min: u64, max: u64) -> Option<u64> {
    let cleaned: String = text.chars().filter(|c| !matches!(c, ',' | '_' | ' ')).collect();
    cleaned.parse::<u64>().ok().filter(|v| (min..=max).contains(v))
}

impl Settings {
    /// Settings from URL query pairs: unknown keys are ignored, and a value that does not parse
    /// keeps its default, with a message naming it.
    pub fn from_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> (Settings, Vec<String>) {
        let mut s = Settings::default();
        let mut errors = Vec::new();
        let mut bad = |key: &str, value: &str, why: String| {
            let shown: String = value.chars().take(40).collect();
            errors.push(format!("The link's {key}={shown:?} was not used: {why}"));
        };
        for (key, value) in pairs {
            match key {
                "servers" => match parse_pool(value) {
                    Ok(p) => s.servers = p,
                    Err(e) => bad(key, value, e),
                },
                "before" => match parse_pool(value) {
                    Ok(p) => s.before = Some(p),
                    Err(e) => bad(key, value, e),
                },
                "v" => match parse_whole(value, 1, MAX_VNODES as u64) {
                    Some(v) => s.vnodes = v as u32,
                    None => bad(key, value, "enter 1 to 1,000 virtual nodes per server.".to_string()),
                },
                "keys" => match parse_whole(value, 0, PAGE_MAX_KEYS as u64) {
                    Some(k) => s.keys = k as usize,
                    None => bad(key, value, "enter 0 to 100,000 keys.".to_string()),
                },
                "hash" => match HashFn::from_key(value) {
                    Some(h) => s.hash = h,
                    None => bad(key, value, "use sha1 or xxh3.".to_string()),
                },
                "seed" => match parse_whole(value, 0, (1 << 53) - 1) {
                    Some(v) => s.seed = v,
                    None => bad(key, value, "enter a whole number from 0 to 2^53 - 1.".to_string()),
                },
                "zipf" => {
                    match value.trim().parse::<f64>().map_err(|e| e.to_string()).and_then(Popularity::zipf) {
                        Ok(p) => s.zipf = p.exponent(),
                        Err(_) => bad(key, value, "enter a Zipf exponent from 0 to 3.".to_string()),
                    }
                }
                "headroom" => match parse_whole(value, 0, 1000) {
                    Some(h) => s.headroom = h as u32,
                    None => bad(key, value, "enter a headroom from 0 to 1,000 percent.".to_string()),
                },
                "fail" => match check_server_name(value) {
                    Ok(()) => s.fail = Some(value.to_string()),
                    Err(e) => bad(key, value, e),
                },
                "lookup" => s.lookup = value.chars().take(200).collect(),
                _ => {}
            }
        }
        (s, errors)
    }

    /// The settings as URL query pairs; values equal to the defaults are left out.
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let d = Settings::default();
        let mut q = Vec::new();
        if self.servers != d.servers {
            q.push(("servers", self.servers.join(",")));
        }
        if let Some(before) = &self.before {
            q.push(("before", before.join(",")));
        }
        if self.vnodes != d.vnodes {
            q.push(("v", self.vnodes.to_string()));
        }
        if self.keys != d.keys {
            q.push(("keys", self.keys.to_string()));
        }
        if self.hash != d.hash {
            q.push(("hash", self.hash.key().to_string()));
        }
        if self.seed != d.seed {
            q.push(("seed", self.seed.to_string()));
        }
        if self.zipf != d.zipf {
            q.push(("zipf", format::significant(self.zipf, 3)));
        }
        if self.headroom != d.headroom {
            q.push(("headroom", self.headroom.to_string()));
        }
        if let Some(f) = &self.fail {
            q.push(("fail", f.clone()));
        }
        if !self.lookup.is_empty() {
            q.push(("lookup", self.lookup.clone()));
        }
        q
    }

    /// The name the next added server gets: `S` and one more than the highest number in use
    /// (now or before the last change), so a new server never reuses a removed one's positions.
    pub fn next_server_name(&self) -> String {
        let number = |s: &String| s.strip_prefix('S').and_then(|n| n.parse::<u32>().ok());
        let highest = self.servers.iter().chain(self.before.iter().flatten()).filter_map(number).max();
        format!("S{}", highest.map_or(1, |h| h.saturating_add(1)))
    }

    /// These settings after one more server joins (the current pool becomes the "before").
    pub fn with_server_added(&self) -> Result<Settings, String> {
        if self.servers.len() >= PAGE_MAX_SERVERS {
            return Err(format!("The page holds at most {PAGE_MAX_SERVERS} servers: remove one first."));
        }
        let mut next = self.clone();
        next.before = Some(self.servers.clone());
        next.servers.push(self.next_server_name());
        Ok(next)
    }

    /// These settings after server `name` leaves.
    pub fn with_server_removed(&self, name: &str) -> Result<Settings, String> {
        if !self.servers.iter().any(|s| s == name) {
            return Err(format!("No server called {name:?} is in the pool."));
        }
        let mut next = self.clone();
        next.before = Some(self.servers.clone());
        next.servers.retain(|s| s != name);
        Ok(next)
    }

    /// The key popularity.
    pub fn popularity(&self) -> Popularity {
        Popularity::zipf(self.zipf).unwrap_or(Popularity::Uniform)
    }

    /// The server that fails first in the cascade: the chosen one if it is in the pool, else the
    /// first server.
    pub fn first_failure(&self) -> Option<&str> {
        match &self.fail {
            Some(f) if self.servers.contains(f) => Some(f.as_str()),
            _ => self.servers.first().map(String::as_str),
        }
    }

    /// The palette slot (0 to 7) of a server: from the number in `S<number>` so that a server keeps
    /// its colour when others come and go, else from its place in the pool.
    pub fn colour_of(&self, name: &str) -> usize {
        match name.strip_prefix('S').and_then(|n| n.parse::<u64>().ok()) {
            Some(n) => (n.saturating_sub(1) % 8) as usize,
            None => self.servers.iter().position(|s| s == name).unwrap_or(0) % 8,
        }
    }
}

/// The index of the step nearest to `value` in a list of steps (the first on a tie; 0 when empty).
pub fn nearest_step(steps: impl IntoIterator<Item = f64>, value: f64) -> usize {
    let mut best: Option<(usize, f64)> = None;
    for (i, s) in steps.into_iter().enumerate() {
        let d = (s - value).abs();
        if best.is_none_or(|(_, b)| d < b) {
            best = Some((i, d));
        }
    }
    best.map_or(0, |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_to_an_empty_query() {
        let s = Settings::default();
        assert_eq!(s.to_query(), vec![]);
        assert_eq!(Settings::from_query([]), (s, vec![]));
    }

    #[test]
    fn a_full_query_round_trips() {
        let (s, errors) = Settings::from_query([
            ("servers", "S1,S2,S4"),
            ("before", "S1,S2,S3,S4"),
            ("v", "100"),
            ("keys", "100000"),
            ("hash", "xxh3"),
            ("seed", "42"),
            ("zipf", "1.2"),
            ("headroom", "25"),
            ("fail", "S2"),
            ("lookup", "user:42"),
            ("unknown", "x"),
        ]);
        assert_eq!(errors, Vec::<String>::new());
        assert_eq!(s.servers, ["S1", "S2", "S4"]);
        assert_eq!(s.before.as_deref(), Some(&["S1".to_string(), "S2".into(), "S3".into(), "S4".into()][..]));
        assert_eq!(
            (s.vnodes, s.keys, s.hash, s.seed, s.zipf, s.headroom),
            (100, 100_000, HashFn::Xxh3, 42, 1.2, 25)
        );
        assert_eq!(s.first_failure(), Some("S2"));
        let q = s.to_query();
        let back = Settings::from_query(q.iter().map(|(k, v)| (*k, v.as_str())));
        assert_eq!(back, (s, vec![]));
    }

    #[test]
    fn bad_values_fall_back_and_say_so() {
        let (s, errors) = Settings::from_query([
            ("v", "0"),
            ("keys", "1e9"),
            ("hash", "md5"),
            ("servers", "S1,S1"),
            ("zipf", "NaN"),
            ("seed", "-1"),
            ("fail", "a#b"),
        ]);
        assert_eq!(s.vnodes, 10);
        assert_eq!(s.keys, 10_000);
        assert_eq!(s.hash, HashFn::Sha1);
        assert_eq!(s.servers.len(), 5);
        assert_eq!(errors.len(), 7);
        assert_eq!(errors[0], "The link's v=\"0\" was not used: enter 1 to 1,000 virtual nodes per server.");
        assert_eq!(
            errors[3],
            "The link's servers=\"S1,S1\" was not used: Server \"S1\" is listed twice: give every server its own name."
        );
        let (s, errors) = Settings::from_query([("servers", "")]);
        assert_eq!((s.servers.len(), errors.len()), (0, 0));
        assert_eq!(s.first_failure(), None);
    }

    #[test]
    fn adding_and_removing_servers() {
        let s = Settings::default();
        assert_eq!(s.next_server_name(), "S6");
        let added = s.with_server_added().unwrap();
        assert_eq!(added.servers.last().map(String::as_str), Some("S6"));
        assert_eq!(added.before.as_ref(), Some(&s.servers));
        let removed = added.with_server_removed("S6").unwrap();
        assert_eq!(removed.servers, s.servers);
        // S6 was in the "before" pool, so the next server is S7, never a removed server's twin.
        assert_eq!(removed.next_server_name(), "S7");
        assert!(s.with_server_removed("S9").is_err());
        let full = Settings { servers: (1..=50).map(|i| format!("S{i}")).collect(), ..Settings::default() };
        assert!(full.with_server_added().is_err());
        assert_eq!(s.colour_of("S1"), 0);
        assert_eq!(s.colour_of("S9"), 0);
        assert_eq!(s.colour_of("S12"), 3);
    }

    #[test]
    fn nearest_steps() {
        assert_eq!(nearest_step(VNODE_STEPS.map(f64::from), 10.0), 7);
        assert_eq!(nearest_step(VNODE_STEPS.map(f64::from), 999.0), 23);
        assert_eq!(nearest_step(KEY_STEPS.map(|k| k as f64), 9_000.0), 6);
        assert_eq!(nearest_step(ZIPF_STEPS, 0.85), 2);
        assert_eq!(nearest_step([], 1.0), 0);
    }
}
