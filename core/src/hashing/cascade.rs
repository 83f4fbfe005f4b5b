//! Cascading failure (the notes' "Drawbacks: subsequent servers crash if one gets swamped with
//! requests"): a server fails, its keys move clockwise to the servers after it, and any server
//! pushed past its capacity fails in the next round, until the load fits or no server is left.
//!
//! Every server is provisioned with the same headroom over its normal load: capacity = (1 +
//! headroom) × the larger of its own load before the failure and the average load (identical
//! machines, so none has less room than an average one, and none starts overloaded). Without
//! virtual nodes all of a failed server's
//! keys land on its one clockwise neighbour, which then carries two servers' load and, unless the
//! headroom is 100% or more, fails too, passing three servers' load on: the failure walks around the
//! ring. With `v` virtual nodes per server the failed server's partitions are followed by many
//! different servers, so each of the `N - 1` survivors takes about `1/(N - 1)` of its load and the
//! failure stays contained.

use super::keys::KeySet;
use super::ring::Ring;

/// One round: the servers that fail at its start and what the survivors carry afterwards.
#[derive(Clone, Debug, PartialEq)]
pub struct CascadeRound {
    /// Servers that fail at the start of this round: the first failure, then the overloaded.
    pub failed: Vec<String>,
    /// The load of every server still up after those failures, by name.
    pub load: Vec<(String, f64)>,
    /// Surviving servers whose load grew in this round (those that took over keys).
    pub receivers: usize,
    /// Surviving servers now over capacity: they fail at the start of the next round.
    pub overloaded: Vec<String>,
}

/// A whole cascade, from the first failure until the load fits or every server is down.
#[derive(Clone, Debug, PartialEq)]
pub struct Cascade {
    /// Every server's load before the failure and its capacity ((1 + headroom) × the larger of
    /// that load and the average), by name.
    pub before: Vec<(String, f64)>,
    pub capacity: Vec<(String, f64)>,
    pub rounds: Vec<CascadeRound>,
    /// Servers that failed in all, the first one included.
    pub failed: usize,
    /// Servers still up at the end.
    pub survivors: usize,
}

impl Cascade {
    /// True when more servers failed than the one that started it.
    pub fn cascaded(&self) -> bool {
        self.failed > 1
    }

    /// True when no server is left.
    pub fn total_outage(&self) -> bool {
        self.survivors == 0
    }
}

/// Runs a cascade on `ring` for `keys` with per-key request shares `weights` (by slot, as from
/// [`crate::hashing::Popularity::weights`]): server `first` fails, every server can carry
/// `1 + headroom` times the larger of its load before the failure and the average load.
///
/// The keys are placed once: each virtual node's *base load* is the weight of the keys it is the
/// successor of. When servers are down a virtual node's base load goes to the next live virtual
/// node clockwise, so a round costs one pass over the ring, whatever the number of keys.
pub fn run(
    ring: &Ring,
    keys: &KeySet,
    weights: &[f64],
    headroom: f64,
    first: &str,
) -> Result<Cascade, String> {
    if !(0.0..=10.0).contains(&headroom) {
        return Err("Enter a headroom from 0% to 1,000% of each server's normal load.".to_string());
    }
    if weights.len() != keys.len() {
        return Err(format!("Give one weight per key ({} keys, {} weights).", keys.len(), weights.len()));
    }
    let Some(first) = ring.server_index(first) else {
        return Err(format!("No server called {first:?} is on the ring: pick one of its servers to fail."));
    };
    let points = ring.points();
    let servers = ring.servers();
    let mut base = vec![0.0; points.len()];
    for (&j, &w) in
        ring.successors_of_sorted(keys.positions()).map_err(|e| e.to_string())?.iter().zip(weights)
    {
        base[j as usize] += w;
    }
    let mut alive = vec![true; servers.len()];
    let named = |load: &[f64], alive: &[bool]| -> Vec<(String, f64)> {
        servers
            .iter()
            .zip(load)
            .zip(alive)
            .filter(|(_, a)| **a)
            .map(|((s, l), _)| (s.name.clone(), *l))
            .collect()
    };
    let initial = loads(ring, &base, &alive);
    let before = named(&initial, &alive);
    let mean = initial.iter().sum::<f64>() / initial.len().max(1) as f64;
    let capacity: Vec<f64> = initial.iter().map(|l| l.max(mean) * (1.0 + headroom)).collect();
    let mut previous = initial;
    let mut rounds = Vec::new();
    let mut failing = vec![first];
    let mut failed = 0;
    while !failing.is_empty() {
        for &f in &failing {
            alive[f] = false;
        }
        failed += failing.len();
        let load = loads(ring, &base, &alive);
        let up = |s: usize| alive[s];
        let receivers =
            (0..servers.len()).filter(|&s| up(s) && load[s] > previous[s] * (1.0 + 1e-12)).count();
        // A tiny relative margin so that rounding never fails a server at exactly its capacity.
        let overloaded: Vec<usize> =
            (0..servers.len()).filter(|&s| up(s) && load[s] > capacity[s] * (1.0 + 1e-9)).collect();
        rounds.push(CascadeRound {
            failed: failing.iter().map(|&s| servers[s].name.clone()).collect(),
            load: named(&load, &alive),
            receivers,
            overloaded: overloaded.iter().map(|&s| servers[s].name.clone()).collect(),
        });
        previous = load;
        failing = overloaded;
    }
    let capacity = servers.iter().zip(&capacity).map(|(s, c)| (s.name.clone(), *c)).collect();
    let survivors = alive.iter().filter(|a| **a).count();
    Ok(Cascade { before, capacity, rounds, failed, survivors })
}

/// Each server's load when only the servers marked in `alive` are up: every virtual node's base
/// load goes to the first live virtual node at or after it, clockwise (all zero when none is up).
fn loads(ring: &Ring, base: &[f64], alive: &[bool]) -> Vec<f64> {
    let points = ring.points();
    let mut load = vec![0.0; alive.len()];
    let n = points.len();
    // Walk backwards twice around the ring, remembering the nearest live point clockwise.
    let mut next_live: Option<usize> = None;
    let mut target = vec![None; n];
    for step in 0..2 * n {
        let j = (2 * n - 1 - step) % n;
        if alive[points[j].server as usize] {
            next_live = Some(j);
        }
        target[j] = next_live;
    }
    for (j, b) in base.iter().enumerate() {
        if let Some(t) = target[j] {
            load[points[t].server as usize] += b;
        }
    }
    load
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashing::hash::{HashFn, Position};
    use crate::hashing::load::Popularity;

    /// Four keys, and four servers A, B, C, D placed exactly on the keys' positions (in clockwise
    /// order): every server owns one key, a quarter of the load.
    fn four() -> (Ring, KeySet, Vec<f64>) {
        let keys = KeySet::from_names(HashFn::Sha1, &["k1", "k2", "k3", "k4"]).unwrap();
        let p = keys.positions();
        let ring =
            Ring::with_positions(HashFn::Sha1, &[("A", [p[0]]), ("B", [p[1]]), ("C", [p[2]]), ("D", [p[3]])])
                .unwrap();
        (ring, keys, vec![0.25; 4])
    }

    #[test]
    fn without_virtual_nodes_one_failure_takes_every_server_down() {
        let (ring, keys, weights) = four();
        // 50% headroom: B fails, C takes B's key (twice its load > 1.5 times), C fails, D carries
        // three keys and fails, A carries all four and fails.
        let c = run(&ring, &keys, &weights, 0.5, "B").unwrap();
        let failed: Vec<Vec<String>> = c.rounds.iter().map(|r| r.failed.clone()).collect();
        assert_eq!(failed, vec![vec!["B"], vec!["C"], vec!["D"], vec!["A"]]);
        assert_eq!(c.capacity[0], ("A".to_string(), 0.375));
        assert_eq!(c.rounds[0].load, vec![("A".into(), 0.25), ("C".into(), 0.5), ("D".into(), 0.25)]);
        assert_eq!(c.rounds[0].receivers, 1);
        assert_eq!(c.rounds[0].overloaded, vec!["C"]);
        assert_eq!(c.rounds[1].load, vec![("A".into(), 0.25), ("D".into(), 0.75)]);
        assert_eq!(c.rounds[2].load, vec![("A".into(), 1.0)]);
        assert_eq!((c.failed, c.survivors, c.cascaded(), c.total_outage()), (4, 0, true, true));
        assert_eq!(c.rounds[3].load, vec![]);
        // With 100% headroom C can carry B's key as well: contained.
        let c = run(&ring, &keys, &weights, 1.0, "B").unwrap();
        assert_eq!((c.failed, c.survivors, c.cascaded()), (1, 3, false));
        assert_eq!(c.rounds.len(), 1);
        // D's key wraps past the top of the ring to A.
        let c = run(&ring, &keys, &weights, 1.0, "D").unwrap();
        assert_eq!(c.rounds[0].load[0], ("A".to_string(), 0.5));
    }

    #[test]
    fn virtual_nodes_spread_the_failed_load_and_contain_it() {
        let keys = KeySet::generate(HashFn::Sha1, 20_000, 3).unwrap();
        let weights = Popularity::Uniform.weights(&keys);
        let names: Vec<(String, u32)> = (1..=10).map(|i| (format!("S{i}"), 100)).collect();
        let ring = Ring::build(HashFn::Sha1, &names).unwrap();
        let c = run(&ring, &keys, &weights, 0.5, "S1").unwrap();
        assert_eq!((c.failed, c.survivors, c.rounds.len()), (1, 9, 1));
        // Every one of the nine survivors took over some of S1's keys.
        assert_eq!(c.rounds[0].receivers, 9);
        let total: f64 = c.rounds[0].load.iter().map(|(_, l)| l).sum();
        assert!((total - 1.0).abs() < 1e-9);
    }

    #[test]
    fn bad_cascade_settings_explain_themselves() {
        let (ring, keys, weights) = four();
        assert!(run(&ring, &keys, &weights, -0.1, "A").unwrap_err().contains("headroom"));
        assert!(run(&ring, &keys, &weights, f64::NAN, "A").is_err());
        assert!(run(&ring, &keys, &weights[..2], 0.5, "A").unwrap_err().contains("one weight per key"));
        assert_eq!(
            run(&ring, &keys, &weights, 0.5, "Z").unwrap_err(),
            "No server called \"Z\" is on the ring: pick one of its servers to fail."
        );
        // A ring of one server: its failure leaves nothing.
        let one = Ring::with_positions(HashFn::Sha1, &[("A", [Position::from_u128(1)])]).unwrap();
        let c = run(&one, &keys, &weights, 0.5, "A").unwrap();
        assert_eq!((c.failed, c.survivors, c.total_outage()), (1, 0, true));
    }
}
