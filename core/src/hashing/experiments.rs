//! The consistent-hashing page's experiments: each claim of the notes run live on the page's key set,
//! with the measured figure, the expected one and a verdict computed from the two.
//!
//! 1. [`moved_share`]: adding one server to `N` moves about `1/(N+1)` of the keys on a ring and
//!    `N/(N+1)` under `hash % N` (the notes' "Classic Hashing" and "Consistent Hashing").
//! 2. [`cv_by_vnodes`]: with `v` virtual nodes per server the coefficient of variation of keys per
//!    server falls like `1/sqrt(v)` (the notes' "Virtual Nodes"; the Beta-distribution argument in
//!    [`crate::hashing::load`]).
//! 3. [`cascade_by_vnodes`]: without virtual nodes one failure cascades round the ring; with them
//!    the load spreads and the failure stays contained (the notes' "Drawbacks").
//! 4. [`hot_key`]: virtual nodes even out keys, not requests: the server holding a Zipf-popular key
//!    stays a hotspot (the notes' "Hotspots").
//!
//! Servers are named `S1`, `S2`, ... as on the page, so an experiment's ring with the page's
//! settings is the page's ring.

use super::cascade;
use super::hash::{HashFn, Position};
use super::keys::{KeySet, moves};
use super::load::{LoadStats, Popularity, expected_cv};
use super::mod_n::ModN;
use super::ring::{MAX_VNODES, Ring, vnode_positions};
use crate::experiment::{Outcome, Shown};
use crate::format;

/// The page's name for server number `i` (from 1).
pub fn server_name(i: u32) -> String {
    format!("S{i}")
}

/// `S1` to `Sn`.
pub fn server_names(n: u32) -> Vec<String> {
    (1..=n).map(server_name).collect()
}

fn percent(x: f64) -> String {
    format!("{}%", format::significant(x * 100.0, 3))
}

fn plain(x: f64) -> String {
    format::significant(x, 3)
}

fn ring_of(hash: HashFn, names: &[String], vnodes: u32) -> Result<Ring, String> {
    let specs: Vec<(&str, u32)> = names.iter().map(|n| (n.as_str(), vnodes)).collect();
    Ring::build(hash, &specs)
}

fn check_keys(keys: &KeySet, at_least: usize) -> Result<(), String> {
    if keys.len() < at_least {
        return Err(format!(
            "This experiment needs at least {} keys: raise the number of keys.",
            format::group_digits(at_least as u128)
        ));
    }
    Ok(())
}

/// One step of the sweep: the share of keys that move when server `n + 1` joins `n` servers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SharePoint {
    pub n: u32,
    pub ring: f64,
    pub mod_n: f64,
}

/// Experiment 1's result.
#[derive(Clone, Debug, PartialEq)]
pub struct MovedShare {
    pub n: u32,
    pub vnodes: u32,
    pub keys: u64,
    pub ring_moved: u64,
    pub mod_n_moved: u64,
    /// True when every key that moved on the ring went to the new server.
    pub ring_moves_only_to_new: bool,
    /// The same measurement for every `N` from 1 to `max(n, 10)`, for the chart.
    pub sweep: Vec<SharePoint>,
    pub outcome: Outcome,
}

/// Experiment 1: server `S(n+1)` joins `S1..Sn` (each with `vnodes` virtual nodes); the share of
/// `keys` that move on the ring and under `hash % N`, against `1/(n+1)` and `n/(n+1)`.
///
/// The tolerance is three standard deviations of the measurement: the new server's share of the
/// circle is Beta(v, n·v) distributed (relative spread `sqrt(n/((n+1)v+1))`), and counting `K` keys
/// adds a binomial spread; the mod-N share varies only by the binomial spread.
pub fn moved_share(keys: &KeySet, n: u32, vnodes: u32) -> Result<MovedShare, String> {
    check_keys(keys, 100)?;
    if !(1..=100).contains(&n) {
        return Err("Run this experiment with 1 to 100 servers.".to_string());
    }
    let hash = keys.hash();
    let top = n.max(10);
    let names = server_names(top + 1);
    let mut ring = Ring::new(hash);
    ring.add_server(&names[0], vnodes)?;
    let mut ring_before = ring.assign(keys).map_err(|e| e.to_string())?;
    let mut pool_before = ModN::new(hash, &names[..1])?.assign(keys).map_err(|e| e.to_string())?;
    let mut sweep = Vec::new();
    let mut at_n = None;
    for m in 1..=top {
        ring.add_server(&names[m as usize], vnodes)?;
        let ring_after = ring.assign(keys).map_err(|e| e.to_string())?;
        let pool_after =
            ModN::new(hash, &names[..m as usize + 1])?.assign(keys).map_err(|e| e.to_string())?;
        let on_ring = moves(&ring_before, &ring_after);
        let on_pool = moves(&pool_before, &pool_after);
        sweep.push(SharePoint { n: m, ring: on_ring.share(), mod_n: on_pool.share() });
        if m == n {
            let only_new = on_ring.flows.iter().all(|f| f.to == names[m as usize]);
            at_n = Some((on_ring.count(), on_pool.count(), only_new));
        }
        ring_before = ring_after;
        pool_before = pool_after;
    }
    let (ring_moved, mod_n_moved, only_new) = at_n.expect("n is within the sweep");
    let k = keys.len() as f64;
    let nf = n as f64;
    let ideal = 1.0 / (nf + 1.0);
    let ring_spread = (nf / ((nf + 1.0) * vnodes as f64 + 1.0) + nf / k).sqrt();
    let ring = Outcome::within(
        ring_moved as f64 / k,
        ideal,
        3.0 * ring_spread,
        Shown { measured: percent, expected: percent },
        String::new(),
    );
    let pool_expected = nf / (nf + 1.0);
    let pool_spread = (1.0 / (nf * k)).sqrt();
    let pool = Outcome::within(
        mod_n_moved as f64 / k,
        pool_expected,
        (3.0 * pool_spread).max(0.005),
        Shown { measured: percent, expected: percent },
        String::new(),
    );
    let outcome = Outcome {
        measured: format!("ring {} · mod N {}", ring.measured, pool.measured),
        expected: format!("ring 1/(N+1) = {} · mod N N/(N+1) = {}", ring.expected, pool.expected),
        reproduced: ring.reproduced && pool.reproduced && only_new,
        detail: format!(
            "{} of {} keys moved on the ring when {} joined {} servers with {} virtual node{} each, {}; \
under hash mod N, {} moved. Tolerance: three standard deviations of the measurement.",
            format::group_digits(ring_moved as u128),
            format::group_digits(keys.len() as u128),
            names[n as usize],
            n,
            format::group_digits(vnodes as u128),
            if vnodes == 1 { "" } else { "s" },
            if only_new {
                "every one of them to the new server"
            } else {
                "some of them NOT to the new server"
            },
            format::group_digits(mod_n_moved as u128),
        ),
    };
    Ok(MovedShare {
        n,
        vnodes,
        keys: keys.len() as u64,
        ring_moved,
        mod_n_moved,
        ring_moves_only_to_new: only_new,
        sweep,
        outcome,
    })
}

/// The virtual-node counts experiment 2 measures.
pub const CV_VNODES: [u32; 10] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

/// How many rings experiment 2 averages over for `n` servers: enough that about 200 servers are
/// measured at each `v` (5 to 30 rings), since one ring's CV is itself a noisy estimate.
pub fn cv_trials(n: u32) -> u32 {
    (200 / n.max(1)).clamp(5, 30)
}

/// One point of experiment 2.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CvPoint {
    pub vnodes: u32,
    /// Root mean square of the CV of keys per server over the trials.
    pub cv: f64,
    /// `1 / sqrt(v)`, the curve the page draws dashed.
    pub inverse_sqrt: f64,
    /// The expected CV with this many servers and keys, [`expected_cv`].
    pub expected: f64,
}

/// Experiment 2's result.
#[derive(Clone, Debug, PartialEq)]
pub struct CvCurve {
    pub n: u32,
    pub trials: u32,
    pub points: Vec<CvPoint>,
    /// The least-squares slope of ln(CV) against ln(v) over the points where the arcs, not the
    /// counting of keys, dominate the spread.
    pub slope: f64,
    /// The largest `v` used for the slope.
    pub fit_up_to: u32,
    pub outcome: Outcome,
}

/// Experiment 2: the CV of keys per server for `n` servers and each `v` in [`CV_VNODES`], as the
/// root mean square over `trials` rings (trial `t` names its servers `S1..Sn` for `t = 0` and
/// `S1~t..Sn~t` after that, so trial 0 is the page's ring). The claim holds when the slope of
/// ln(CV) against ln(v) is -1/2 within 20%.
pub fn cv_by_vnodes(keys: &KeySet, n: u32, trials: u32) -> Result<CvCurve, String> {
    check_keys(keys, 1000)?;
    if !(2..=50).contains(&n) {
        return Err("Run this experiment with 2 to 50 servers.".to_string());
    }
    if !(1..=30).contains(&trials) {
        return Err("Run 1 to 30 trials.".to_string());
    }
    let hash = keys.hash();
    let max_v = *CV_VNODES.last().expect("not empty");
    debug_assert!(max_v <= MAX_VNODES);
    let mut sum_sq = [0.0f64; CV_VNODES.len()];
    for t in 0..trials {
        let names: Vec<String> =
            server_names(n).into_iter().map(|s| if t == 0 { s } else { format!("{s}~{t}") }).collect();
        // Virtual node i of a server is at the same place whatever the count: hash once, take prefixes.
        let all: Vec<Vec<Position>> = names.iter().map(|s| vnode_positions(hash, s, max_v)).collect();
        for (i, &v) in CV_VNODES.iter().enumerate() {
            let placed: Vec<(&str, &[Position])> =
                names.iter().zip(&all).map(|(s, p)| (s.as_str(), &p[..v as usize])).collect();
            let ring = Ring::with_positions(hash, &placed)?;
            let counts = ring.assign(keys).map_err(|e| e.to_string())?.counts();
            let cv = LoadStats::of_counts(&counts).map_or(0.0, |s| s.cv);
            sum_sq[i] += cv * cv;
        }
    }
    let k = keys.len() as u64;
    let points: Vec<CvPoint> = CV_VNODES
        .iter()
        .zip(sum_sq)
        .map(|(&v, s)| CvPoint {
            vnodes: v,
            cv: (s / trials as f64).sqrt(),
            inverse_sqrt: 1.0 / (v as f64).sqrt(),
            expected: expected_cv(n, v, k),
        })
        .collect();
    // Fit where the arcs' spread is at least ten times the keys' ((n-1)/(n·v+1) >= 10 (n-1)/K).
    let fit_up_to = CV_VNODES
        .iter()
        .copied()
        .filter(|&v| (n as f64 * v as f64 + 1.0) * 10.0 <= k as f64)
        .max()
        .unwrap_or(1);
    let fitted: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.vnodes <= fit_up_to && p.cv > 0.0)
        .map(|p| ((p.vnodes as f64).ln(), p.cv.ln()))
        .collect();
    let slope = least_squares_slope(&fitted);
    let mut outcome = Outcome::within(
        slope,
        -0.5,
        0.2,
        Shown { measured: plain, expected: plain },
        format!(
            "Slope of ln(CV) against ln(v) for v from 1 to {}, {} servers, {} keys, root mean square over {} \
ring{}. At 1,000 virtual nodes the CV is {} (1/sqrt(v) = {}).",
            format::group_digits(fit_up_to as u128),
            n,
            format::group_digits(k as u128),
            trials,
            if trials == 1 { "" } else { "s" },
            plain(points.last().map_or(0.0, |p| p.cv)),
            plain(1.0 / 1000f64.sqrt()),
        ),
    );
    if fitted.len() < 3 {
        outcome.reproduced = false;
        outcome.detail = format!(
            "Too few keys to see the arcs' spread beyond the keys' own: use at least {} keys.",
            format::group_digits(n as u128 * 50 + 10)
        );
    }
    outcome.measured = format!("slope {}", outcome.measured);
    Ok(CvCurve { n, trials, points, slope, fit_up_to, outcome })
}

/// The slope of the least-squares line through `(x, y)` points (NaN for fewer than two).
pub fn least_squares_slope(points: &[(f64, f64)]) -> f64 {
    let m = points.len() as f64;
    if points.len() < 2 {
        return f64::NAN;
    }
    let mx = points.iter().map(|p| p.0).sum::<f64>() / m;
    let my = points.iter().map(|p| p.1).sum::<f64>() / m;
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = points.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    sxy / sxx
}

/// The cascades of one ring, one per choice of first failed server.
#[derive(Clone, Debug, PartialEq)]
pub struct CascadeSummary {
    pub vnodes: u32,
    /// Servers lost in all when `S1`, `S2`, ... fails first, in that order.
    pub failed: Vec<usize>,
    pub mean_failed: f64,
    /// The cascade that starts at `S1`, for the page's round-by-round view.
    pub example: cascade::Cascade,
}

/// Experiment 3's result.
#[derive(Clone, Debug, PartialEq)]
pub struct CascadeComparison {
    pub n: u32,
    pub headroom: f64,
    pub without: CascadeSummary,
    pub with: CascadeSummary,
    pub outcome: Outcome,
}

/// The number of virtual nodes experiment 3 compares with one.
pub const CASCADE_VNODES: u32 = 100;

/// Experiment 3: for rings of `n` servers with 1 and with [`CASCADE_VNODES`] virtual nodes, fail
/// each server in turn (every server has `headroom` over its normal load) and count the servers
/// lost. The claim holds when a single failure costs at least two servers on average without
/// virtual nodes and exactly one (itself) every time with them.
pub fn cascade_by_vnodes(
    keys: &KeySet,
    popularity: Popularity,
    n: u32,
    headroom: f64,
) -> Result<CascadeComparison, String> {
    check_keys(keys, 100)?;
    if !(2..=100).contains(&n) {
        return Err("Run this experiment with 2 to 100 servers.".to_string());
    }
    let names = server_names(n);
    let weights = popularity.weights(keys);
    let summary = |vnodes: u32| -> Result<CascadeSummary, String> {
        let ring = ring_of(keys.hash(), &names, vnodes)?;
        let runs: Vec<cascade::Cascade> = names
            .iter()
            .map(|first| cascade::run(&ring, keys, &weights, headroom, first))
            .collect::<Result<_, _>>()?;
        let failed: Vec<usize> = runs.iter().map(|c| c.failed).collect();
        let mean_failed = failed.iter().sum::<usize>() as f64 / failed.len() as f64;
        let example = runs.into_iter().next().expect("n >= 2");
        Ok(CascadeSummary { vnodes, failed, mean_failed, example })
    };
    let without = summary(1)?;
    let with = summary(CASCADE_VNODES)?;
    let cascades = without.failed.iter().filter(|&&f| f > 1).count();
    let contained = with.failed.iter().all(|&f| f == 1);
    let reproduced = contained && without.mean_failed >= 2.0;
    let outcome = Outcome {
        measured: format!(
            "{} vs {} servers lost",
            format::significant(without.mean_failed, 3),
            format::significant(with.mean_failed, 3)
        ),
        expected: format!(
            "at least 2 on average with 1 virtual node (the failure spreads); exactly 1 with {CASCADE_VNODES}"
        ),
        reproduced,
        detail: format!(
            "Average servers lost (of {n}) when one fails, over each of the {n} servers failing first. Every server \
can carry {} more than the larger of its own normal load and the average. Without virtual nodes {} of the {n} \
single failures cascaded; with {CASCADE_VNODES} virtual nodes {}.",
            percent(headroom),
            cascades,
            if contained {
                "none did".to_string()
            } else {
                format!("{} did", with.failed.iter().filter(|&&f| f > 1).count())
            },
        ),
    };
    Ok(CascadeComparison { n, headroom, without, with, outcome })
}

/// Experiment 4's result.
#[derive(Clone, Debug, PartialEq)]
pub struct HotKey {
    pub n: u32,
    pub vnodes: u32,
    pub s: f64,
    /// Keys per server.
    pub keys: LoadStats,
    /// Requests per server (shares of all requests).
    pub requests: LoadStats,
    /// The most popular key's share of all requests.
    pub top_share: f64,
    pub outcome: Outcome,
}

/// The virtual-node count experiment 4 uses: plenty, to show they do not help.
pub const HOT_KEY_VNODES: u32 = 1000;

/// Experiment 4: `n` servers with [`HOT_KEY_VNODES`] virtual nodes each, keys asked for by Zipf's
/// law with exponent `s`. Keys spread evenly, but the server holding the top key (share `p1`)
/// carries about `p1 + (1 - p1)/n` of the requests, `n·p1 + 1 - p1` times the mean. The claim holds
/// when the measured max/mean of requests is within 15% of that.
pub fn hot_key(keys: &KeySet, n: u32, s: f64) -> Result<HotKey, String> {
    check_keys(keys, 100)?;
    if !(2..=100).contains(&n) {
        return Err("Run this experiment with 2 to 100 servers.".to_string());
    }
    let popularity = Popularity::zipf(s)?;
    let ring = ring_of(keys.hash(), &server_names(n), HOT_KEY_VNODES)?;
    let assignment = ring.assign(keys).map_err(|e| e.to_string())?;
    let key_stats = LoadStats::of_counts(&assignment.counts()).ok_or("no servers")?;
    let requests = LoadStats::of(&assignment.load(&popularity.weights(keys))).ok_or("no servers")?;
    let top_share = popularity.share_of_rank(1, keys.len());
    let nf = n as f64;
    let expected = nf * top_share + 1.0 - top_share;
    let mut outcome = Outcome::within(
        requests.max_over_mean,
        expected,
        0.15,
        Shown { measured: plain, expected: plain },
        format!(
            "Max/mean of requests per server with {} virtual nodes on each of {n} servers and Zipf exponent {}: \
the top key alone gets {} of all requests. Keys per server are even (max/mean {}, CV {}).",
            format::group_digits(HOT_KEY_VNODES as u128),
            plain(s),
            percent(top_share),
            plain(key_stats.max_over_mean),
            plain(key_stats.cv),
        ),
    );
    outcome.measured = format!("max/mean {}", outcome.measured);
    outcome.expected = format!("n·p1 + 1 − p1 = {}", outcome.expected);
    Ok(HotKey { n, vnodes: HOT_KEY_VNODES, s, keys: key_stats, requests, top_share, outcome })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashing::keys::test_keys;

    #[test]
    fn adding_one_server_to_ten() {
        let r = moved_share(test_keys(), 10, 100).unwrap();
        assert!(r.ring_moves_only_to_new);
        // 8.54% against 1/11 = 9.09%; mod N 90,984 against 90,909.
        assert_eq!((r.ring_moved, r.mod_n_moved), (8_541, 90_984));
        assert_eq!(r.sweep.len(), 10);
        assert_eq!(r.sweep[0], SharePoint { n: 1, ring: r.sweep[0].ring, mod_n: r.sweep[0].mod_n });
        assert!(r.outcome.reproduced, "{:?}", r.outcome);
        assert_eq!(r.outcome.measured, "ring 8.54% · mod N 91%");
        assert_eq!(
            r.outcome.expected,
            "ring 1/(N+1) = 9.09% (within 28.7%) · mod N N/(N+1) = 90.9% (within 0.5%)"
        );
        // Under mod N, going from 1 server to 2 moves the keys with an odd hash: about half.
        assert!((r.sweep[0].mod_n - 0.5).abs() < 0.005, "{:?}", r.sweep[0]);
        assert!(moved_share(test_keys(), 0, 1).is_err());
    }

    #[test]
    fn cv_falls_like_one_over_root_v() {
        let r = cv_by_vnodes(test_keys(), 10, cv_trials(10)).unwrap();
        assert_eq!(r.fit_up_to, 500);
        assert!(r.outcome.reproduced, "{:?}", r.outcome);
        assert_eq!(r.trials, 20);
        assert_eq!(r.outcome.measured, "slope -0.495");
        // Next to sqrt((N-1)/(N·v+1) + (N-1)/K): 0.905, 0.655, 0.420, 0.299, 0.212, 0.134, 0.0953, ...
        let cvs: Vec<String> = r.points.iter().map(|p| format::significant(p.cv, 3)).collect();
        assert_eq!(
            cvs,
            ["0.898", "0.757", "0.441", "0.297", "0.23", "0.131", "0.097", "0.0687", "0.0464", "0.0334"]
        );
        // Too few keys to see the arcs' spread: not reproduced, and it says why.
        let few = KeySet::generate(HashFn::Xxh3, 1000, 1).unwrap();
        let r = cv_by_vnodes(&few, 50, 1).unwrap();
        assert!(!r.outcome.reproduced);
        assert!(r.outcome.detail.starts_with("Too few keys"), "{}", r.outcome.detail);
    }

    #[test]
    fn cascade_with_and_without_virtual_nodes() {
        let r = cascade_by_vnodes(test_keys(), Popularity::Uniform, 10, 0.5).unwrap();
        // S3, S5, S7 and S8 take the whole ring down; the others' neighbours have room.
        assert_eq!(r.without.failed, vec![1, 1, 10, 1, 10, 1, 10, 10, 1, 1]);
        assert_eq!(r.with.failed, vec![1; 10]);
        assert_eq!(r.with.example.rounds[0].receivers, 9);
        assert_eq!(r.without.example.rounds[0].receivers, 1);
        assert!(r.outcome.reproduced, "{:?}", r.outcome);
        assert_eq!(r.outcome.measured, "4.6 vs 1 servers lost");
        // Three servers cannot share a failed one's load with 50% headroom: not reproduced.
        let small = cascade_by_vnodes(test_keys(), Popularity::Uniform, 3, 0.5).unwrap();
        assert!(!small.outcome.reproduced);
    }

    #[test]
    fn a_hot_key_beats_virtual_nodes() {
        let r = hot_key(test_keys(), 10, 1.0).unwrap();
        assert!(r.outcome.reproduced, "{:?}", r.outcome);
        assert_eq!(r.outcome.measured, "max/mean 1.79");
        assert_eq!(r.outcome.expected, "n·p1 + 1 − p1 = 1.74 (within 15%)");
        assert_eq!(format::significant(r.keys.max_over_mean, 3), "1.07");
        assert!(hot_key(test_keys(), 10, 5.0).is_err());
    }

    #[test]
    fn least_squares_of_a_line() {
        assert_eq!(least_squares_slope(&[(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)]), 2.0);
        assert!(least_squares_slope(&[(0.0, 1.0)]).is_nan());
    }
}
