//! How evenly a scheme spreads the load: keys (or requests) per server, their mean, standard
//! deviation, coefficient of variation and max/mean; and key popularity, uniform or Zipf, for the
//! notes' *hotspots*.
//!
//! The coefficient of variation (CV = standard deviation / mean) is the figure to watch: with `v`
//! virtual nodes per server it falls like `1/sqrt(v)`. The share of the circle one of `N` servers
//! owns is the sum of `v` of the `N·v` gaps between random points, a Beta(v, (N-1)v) variable, whose
//! CV is `sqrt((N-1)/(N·v+1))`, about `1/sqrt(v)`; counting `K` keys adds about `(N-1)/K` to CV².
//!
//! Popularity: real keys are not asked for equally often. Under Zipf's law with exponent `s` the
//! key of rank `r` gets a share `r^-s / H(K, s)` of the requests, where `H(K, s) = sum of k^-s
//! for k = 1..K` (for `s = 1` and 100,000 keys the top key alone gets 1/12.09 = 8.3%). The server
//! that holds a hot key is a hotspot however evenly the keys themselves are spread.

use super::keys::KeySet;

/// Summary statistics of the load on a set of servers.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadStats {
    pub per_server: Vec<f64>,
    pub total: f64,
    pub mean: f64,
    /// Population standard deviation (divides by the number of servers).
    pub std_dev: f64,
    /// `std_dev / mean`; NaN (shown as "—") when there is no load.
    pub cv: f64,
    pub min: f64,
    pub max: f64,
    /// `max / mean`: how much more than its fair share the busiest server carries; NaN when there
    /// is no load.
    pub max_over_mean: f64,
}

impl LoadStats {
    /// Statistics of the given per-server loads; `None` when there are no servers.
    pub fn of(loads: &[f64]) -> Option<LoadStats> {
        if loads.is_empty() {
            return None;
        }
        let n = loads.len() as f64;
        let total: f64 = loads.iter().sum();
        let mean = total / n;
        let variance = loads.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
        let std_dev = variance.sqrt();
        let max = loads.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let min = loads.iter().copied().fold(f64::INFINITY, f64::min);
        let (cv, max_over_mean) =
            if mean > 0.0 { (std_dev / mean, max / mean) } else { (f64::NAN, f64::NAN) };
        Some(LoadStats { per_server: loads.to_vec(), total, mean, std_dev, cv, min, max, max_over_mean })
    }

    /// Statistics of per-server key counts.
    pub fn of_counts(counts: &[u64]) -> Option<LoadStats> {
        LoadStats::of(&counts.iter().map(|&c| c as f64).collect::<Vec<_>>())
    }
}

/// The expected CV of keys per server for `n` servers with `v` virtual nodes each and `k` keys:
/// `sqrt((n-1)/(n·v+1) + (n-1)/k)` (the Beta spread of the arcs plus the spread of counting keys).
pub fn expected_cv(n: u32, v: u32, k: u64) -> f64 {
    let (n, v) = (n as f64, v as f64);
    let sampling = if k == 0 { 0.0 } else { (n - 1.0) / k as f64 };
    ((n - 1.0) / (n * v + 1.0) + sampling).sqrt()
}

/// How often each key is asked for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Popularity {
    /// Every key equally often.
    Uniform,
    /// Zipf's law: the key of rank `r` is asked for in proportion to `r^-s`.
    Zipf { s: f64 },
}

impl Popularity {
    /// The largest Zipf exponent accepted.
    pub const MAX_S: f64 = 3.0;

    /// Zipf with exponent `s` (0 to 3; 0 is uniform).
    pub fn zipf(s: f64) -> Result<Popularity, String> {
        if !(0.0..=Popularity::MAX_S).contains(&s) {
            return Err("Enter a Zipf exponent from 0 (all keys equally popular) to 3.".to_string());
        }
        Ok(if s == 0.0 { Popularity::Uniform } else { Popularity::Zipf { s } })
    }

    /// The Zipf exponent (0 for uniform).
    pub fn exponent(&self) -> f64 {
        match *self {
            Popularity::Uniform => 0.0,
            Popularity::Zipf { s } => s,
        }
    }

    /// The share of requests for the key of `rank` (1-based) among `keys` keys.
    pub fn share_of_rank(&self, rank: u32, keys: usize) -> f64 {
        match *self {
            Popularity::Uniform => 1.0 / keys as f64,
            Popularity::Zipf { s } => (rank as f64).powf(-s) / harmonic(keys, s),
        }
    }

    /// Every key's share of the requests, by slot; they sum to 1.
    pub fn weights(&self, keys: &KeySet) -> Vec<f64> {
        match *self {
            Popularity::Uniform => vec![1.0 / keys.len() as f64; keys.len()],
            Popularity::Zipf { s } => {
                let h = harmonic(keys.len(), s);
                keys.ranks().iter().map(|&r| (r as f64).powf(-s) / h).collect()
            }
        }
    }
}

/// The generalised harmonic number `H(n, s) = sum of k^-s for k = 1..n`, summed from the small
/// terms up for accuracy.
pub fn harmonic(n: usize, s: f64) -> f64 {
    (1..=n).rev().map(|k| (k as f64).powf(-s)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashing::hash::HashFn;

    #[test]
    fn statistics_of_hand_worked_loads() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population standard deviation 2 (the textbook example).
        let s = LoadStats::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
        assert_eq!((s.total, s.mean, s.std_dev, s.min, s.max), (40.0, 5.0, 2.0, 2.0, 9.0));
        assert_eq!(s.cv, 0.4);
        assert_eq!(s.max_over_mean, 1.8);
        let even = LoadStats::of_counts(&[10, 10, 10]).unwrap();
        assert_eq!((even.cv, even.max_over_mean), (0.0, 1.0));
        assert_eq!(LoadStats::of(&[]), None);
        let idle = LoadStats::of(&[0.0, 0.0]).unwrap();
        assert!(idle.cv.is_nan() && idle.max_over_mean.is_nan());
    }

    #[test]
    fn zipf_shares() {
        // H(100,000, 1) = 12.0901461298634 (ln 100,000 + Euler's 0.5772 + 1/200,000 ...).
        assert!((harmonic(100_000, 1.0) - 12.090_146_129_863_4).abs() < 1e-9);
        assert_eq!(harmonic(4, 2.0), 1.0 + 0.25 + 1.0 / 9.0 + 0.0625);
        let zipf = Popularity::zipf(1.0).unwrap();
        assert!((zipf.share_of_rank(1, 100_000) - 0.082_711_986_212).abs() < 1e-11);
        assert!((zipf.share_of_rank(2, 3) - 0.5 / (1.0 + 0.5 + 1.0 / 3.0)).abs() < 1e-15);
        assert_eq!(Popularity::zipf(0.0), Ok(Popularity::Uniform));
        assert!(Popularity::zipf(-1.0).is_err());
        assert!(Popularity::zipf(f64::NAN).is_err());
        assert!(Popularity::zipf(3.5).is_err());
        let keys = KeySet::from_names(HashFn::Sha1, &["a", "b", "c"]).unwrap();
        // Slots are in SHA-1 order: "c" (84a51684...), "a" (86f7e437...), "b" (e9d71f5e...).
        let w = zipf.weights(&keys);
        let h = 1.0 + 0.5 + 1.0 / 3.0;
        assert_eq!(keys.ranks(), [3, 1, 2]);
        assert_eq!(w, vec![(1.0 / 3.0) / h, 1.0 / h, 0.5 / h]);
        assert_eq!(Popularity::Uniform.weights(&keys), vec![1.0 / 3.0; 3]);
    }

    #[test]
    fn expected_cv_formula() {
        // 10 servers, 1 virtual node, keys without end: sqrt(9/11).
        assert!((expected_cv(10, 1, 0) - (9.0f64 / 11.0).sqrt()).abs() < 1e-15);
        assert!((expected_cv(10, 100, 100_000) - (9.0f64 / 1001.0 + 9e-5).sqrt()).abs() < 1e-15);
        assert_eq!(expected_cv(1, 5, 10), 0.0);
    }
}
