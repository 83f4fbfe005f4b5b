//! Counters and latency histograms with percentiles, small enough to keep for an hour-long run
//! and to copy into every snapshot.
//!
//! The histogram is log-linear, the layout HdrHistogram popularised: values below 128 get a
//! bucket each (exact), and every power of two above that is split into 128 equal buckets, so a
//! reported percentile is never below the true one and at most 1/128 (0.8%) above it, with memory
//! that grows with the logarithm of the largest value, not with the number of samples.
//! Percentiles use the nearest-rank definition: p95 is the smallest recorded value that at least
//! 95% of the samples do not exceed.

use std::collections::BTreeMap;

/// Sub-buckets per power of two (and the number of exact buckets at the bottom).
const SUB: u64 = 128;
const SUB_BITS: u32 = 7;

/// A histogram of non-negative integer samples (microseconds, usually).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Histogram {
    counts: Vec<u64>,
    count: u64,
    sum: u128,
    min: u64,
    max: u64,
}

fn bucket_of(v: u64) -> usize {
    if v < SUB {
        v as usize
    } else {
        let e = 63 - v.leading_zeros();
        let shift = e - SUB_BITS;
        let mantissa = v >> shift; // in SUB..2·SUB
        (SUB + u64::from(shift) * SUB + (mantissa - SUB)) as usize
    }
}

/// The largest value that falls in bucket `i`.
fn bucket_high(i: usize) -> u64 {
    let i = i as u64;
    if i < SUB {
        i
    } else {
        let shift = (i - SUB) / SUB;
        let mantissa = SUB + (i - SUB) % SUB;
        ((mantissa + 1) << shift).wrapping_sub(1).max(mantissa << shift)
    }
}

impl Histogram {
    pub fn new() -> Histogram {
        Histogram::default()
    }

    /// Adds one sample.
    pub fn record(&mut self, v: u64) {
        let b = bucket_of(v);
        if self.counts.len() <= b {
            self.counts.resize(b + 1, 0);
        }
        self.counts[b] += 1;
        if self.count == 0 || v < self.min {
            self.min = v;
        }
        self.max = self.max.max(v);
        self.count += 1;
        self.sum += u128::from(v);
    }

    /// Adds every sample of `other`.
    pub fn merge(&mut self, other: &Histogram) {
        if other.count == 0 {
            return;
        }
        if self.counts.len() < other.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.min = if self.count == 0 { other.min } else { self.min.min(other.min) };
        self.max = self.max.max(other.max);
        self.count += other.count;
        self.sum += other.sum;
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// The smallest sample, or `None` when empty.
    pub fn min(&self) -> Option<u64> {
        (self.count > 0).then_some(self.min)
    }

    /// The largest sample, or `None` when empty.
    pub fn max(&self) -> Option<u64> {
        (self.count > 0).then_some(self.max)
    }

    /// The arithmetic mean, or `None` when empty.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum as f64 / self.count as f64)
    }

    /// The nearest-rank percentile `p` (0 < p ≤ 100), or `None` when empty. Exact below 128,
    /// otherwise at most 0.8% above the true value, and never outside [min, max].
    pub fn percentile(&self, p: f64) -> Option<u64> {
        if self.count == 0 {
            return None;
        }
        let p = if p.is_nan() { 50.0 } else { p.clamp(0.0, 100.0) };
        let rank = ((p / 100.0 * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(bucket_high(i).clamp(self.min, self.max));
            }
        }
        Some(self.max)
    }

    /// p50, p95 and p99 together, the figures every page shows.
    pub fn summary(&self) -> Option<Percentiles> {
        Some(Percentiles {
            count: self.count,
            p50: self.percentile(50.0)?,
            p95: self.percentile(95.0)?,
            p99: self.percentile(99.0)?,
            max: self.max,
            mean: self.mean()?,
        })
    }

    /// The non-empty buckets as (lowest value, highest value, count), for drawing the histogram.
    pub fn buckets(&self) -> Vec<(u64, u64, u64)> {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, &c)| {
                let low = if i == 0 { 0 } else { bucket_high(i - 1) + 1 };
                (low, bucket_high(i), c)
            })
            .collect()
    }
}

/// The percentiles of a histogram.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Percentiles {
    pub count: u64,
    pub p50: u64,
    pub p95: u64,
    pub p99: u64,
    pub max: u64,
    pub mean: f64,
}

/// Named counters and histograms for a system that does not need typed statistics.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metrics {
    pub counters: BTreeMap<&'static str, u64>,
    pub histograms: BTreeMap<&'static str, Histogram>,
}

impl Metrics {
    /// Adds `by` to the counter `name`.
    pub fn count(&mut self, name: &'static str, by: u64) {
        *self.counters.entry(name).or_default() += by;
    }

    /// Records a sample in the histogram `name`.
    pub fn record(&mut self, name: &'static str, v: u64) {
        self.histograms.entry(name).or_default().record(v);
    }

    /// The counter's value (0 if never counted).
    pub fn counter(&self, name: &str) -> u64 {
        self.counters.get(name).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_to_a_hundred_gives_the_textbook_percentiles() {
        let mut h = Histogram::new();
        for v in 1..=100 {
            h.record(v);
        }
        let s = h.summary().unwrap();
        assert_eq!((s.count, s.p50, s.p95, s.p99, s.max), (100, 50, 95, 99, 100));
        assert_eq!(s.mean, 50.5);
        assert_eq!(h.min(), Some(1));
    }

    #[test]
    fn bucket_edges() {
        // Exact below 128; then 128 buckets per power of two.
        assert_eq!((bucket_of(127), bucket_high(127)), (127, 127));
        assert_eq!((bucket_of(128), bucket_high(128)), (128, 128));
        assert_eq!((bucket_of(255), bucket_high(255)), (255, 255));
        assert_eq!((bucket_of(256), bucket_of(257), bucket_high(256)), (256, 256, 257));
        assert_eq!(bucket_of(250_000), bucket_of(250_000 + 1));
        assert_eq!(bucket_high(bucket_of(u64::MAX)), u64::MAX);
    }

    #[test]
    fn a_quarter_millisecond_and_a_tail() {
        // 990 samples at 250 µs and 10 at 75 ms: p50 and p95 are 250 µs, p99 is 250 µs (rank 990),
        // p99.9 is the tail.
        let mut h = Histogram::new();
        (0..990).for_each(|_| h.record(250));
        (0..10).for_each(|_| h.record(75_000));
        assert_eq!(h.percentile(50.0), Some(250));
        assert_eq!(h.percentile(99.0), Some(250));
        assert_eq!(h.percentile(99.9), Some(75_000));
        assert_eq!(h.buckets(), vec![(250, 250, 990), (74_752, 75_263, 10)]);
    }

    #[test]
    fn empty_and_merged() {
        let mut a = Histogram::new();
        assert_eq!(a.summary(), None);
        let mut b = Histogram::new();
        b.record(5);
        b.record(9);
        a.merge(&b);
        a.merge(&Histogram::new());
        assert_eq!((a.count(), a.min(), a.max(), a.percentile(50.0)), (2, Some(5), Some(9), Some(5)));
    }

    #[test]
    fn named_metrics() {
        let mut m = Metrics::default();
        m.count("sent", 2);
        m.count("sent", 1);
        m.record("latency", 40);
        assert_eq!(m.counter("sent"), 3);
        assert_eq!(m.counter("never"), 0);
        assert_eq!(m.histograms["latency"].percentile(99.0), Some(40));
    }

    proptest! {
        #[test]
        fn percentiles_are_close_above_the_truth(mut v in prop::collection::vec(0u64..1u64 << 40, 1..300), p in 1.0f64..100.0) {
            let mut h = Histogram::new();
            v.iter().for_each(|&x| h.record(x));
            v.sort_unstable();
            let rank = ((p / 100.0 * v.len() as f64).ceil() as usize).clamp(1, v.len());
            let truth = v[rank - 1];
            let got = h.percentile(p).unwrap();
            prop_assert!(got >= truth);
            prop_assert!(got as f64 <= truth as f64 * (1.0 + 1.0 / 128.0), "{} vs {}", got, truth);
        }
    }
}
