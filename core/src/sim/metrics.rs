//! Counters and latency histograms with percentiles, small enough to keep for an hour-long run
//! and to copy into every snapshot.
//!
//! The histogram is log-linear, the layout HdrHistogram popularised: values below 128 get a
//! bucket each (exact), and every power of two above that is split into 128 equal buckets, so a
//! reported percentile is never below the true one and at most 1/128 (0.8%) above it, with memory
//! that grows with the logarithm of the largest value, not with the number of samples.
//! Percentiles use the nearest-rank definition: p95 is the smallest recorded value that at least
//! 95% of the samples do not exceed.

use super::Micros;
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

impl Histogram {
    /// The samples counted in bins whose edges follow the R10 series of preferred numbers, ten per
    /// decade (100, 125, 160, 200, 250, 315, 400, 500, 630, 800, 1,000 ...; rounded down to whole
    /// numbers below 100: 1, 2, 3, 4, 5, 6, 8, 10, 12, 16 ...), each bin holding `low..high`, from
    /// the bin of the smallest sample to that of the largest, empty bins included: a histogram to
    /// read on a logarithmic axis. A bucket of the log-linear layout goes to the bin of its highest
    /// value, so a sample within 0.8% below an edge may be counted one bin up.
    pub fn log_bins(&self) -> Vec<(u64, u64, u64)> {
        let mut bins: Vec<(u64, u64, u64)> = Vec::new();
        let (mut low, mut high) = (0u64, 1u64);
        for (_, top, count) in self.buckets() {
            while top >= high && high < u64::MAX {
                (low, high) = (high, next_r10_edge(high));
                if !bins.is_empty() {
                    bins.push((low, high, 0));
                }
            }
            if bins.is_empty() {
                bins.push((low, high, 0));
            }
            if let Some(last) = bins.last_mut() {
                last.2 += count;
            }
        }
        bins
    }
}

/// The first edge of the R10 series above `edge` (`u64::MAX` past the last one).
fn next_r10_edge(edge: u64) -> u64 {
    const MANTISSAS: [u64; 10] = [100, 125, 160, 200, 250, 315, 400, 500, 630, 800];
    let mut power = 1u64;
    loop {
        for m in MANTISSAS {
            let candidate = (m as u128 * power as u128 / 100).min(u64::MAX as u128) as u64;
            if candidate > edge {
                return candidate;
            }
        }
        match power.checked_mul(10) {
            Some(p) => power = p,
            None => return u64::MAX,
        }
    }
}

/// Counts per interval of simulated time, for a time-series chart (requests answered, failed,
/// stale ... one slot each). It keeps at most `MAX_BINS` intervals: when a run outgrows them,
/// neighbouring intervals are added together and the interval doubles, so an hour-long run costs
/// the same memory as a short one and the chart always spans the whole run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timeline<const K: usize> {
    step: Micros,
    bins: Vec<[u64; K]>,
}

impl<const K: usize> Timeline<K> {
    /// The most intervals a timeline keeps.
    pub const MAX_BINS: usize = 200;

    /// An empty timeline whose intervals start `step` long (at least 1 µs).
    pub fn new(step: Micros) -> Timeline<K> {
        Timeline { step: step.max(1), bins: Vec::new() }
    }

    /// Adds `by` to slot `slot` (ignored when out of range) of the interval holding time `at`.
    pub fn add(&mut self, at: Micros, slot: usize, by: u64) {
        let Some(_) = [0; K].get(slot) else { return };
        while at / self.step >= Self::MAX_BINS as u64 {
            self.bins = self
                .bins
                .chunks(2)
                .map(|pair| std::array::from_fn(|k| pair.iter().map(|b| b[k]).sum()))
                .collect();
            self.step = self.step.saturating_mul(2);
        }
        let i = (at / self.step) as usize;
        if self.bins.len() <= i {
            self.bins.resize(i + 1, [0; K]);
        }
        self.bins[i][slot] += by;
    }

    /// The length of one interval.
    pub fn step(&self) -> Micros {
        self.step
    }

    /// The intervals from time 0 to the last one with a count: interval `i` covers
    /// `i * step .. (i + 1) * step`.
    pub fn bins(&self) -> &[[u64; K]] {
        &self.bins
    }
}

impl<const K: usize> Default for Timeline<K> {
    /// Intervals of 100 ms of simulated time.
    fn default() -> Timeline<K> {
        Timeline::new(100_000)
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
    fn log_bins_follow_the_r10_series_and_keep_empty_bins_between() {
        let mut h = Histogram::new();
        for v in [1, 1, 3, 7, 12, 15, 99, 100, 130, 1_000, 1_003] {
            h.record(v);
        }
        let edges = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 25, 31, 40, 50, 63, 80, 100, 125, 160, 200];
        let mut want: Vec<(u64, u64, u64)> = edges.windows(2).map(|w| (w[0], w[1], 0)).collect();
        for (low, count) in [(1, 2), (3, 1), (6, 1), (12, 2), (80, 1), (100, 1), (125, 1)] {
            want.iter_mut().find(|b| b.0 == low).unwrap().2 = count;
        }
        want.extend([(200, 250, 0), (250, 315, 0), (315, 400, 0), (400, 500, 0), (500, 630, 0)]);
        want.extend([(630, 800, 0), (800, 1_000, 0), (1_000, 1_250, 2)]);
        assert_eq!(h.log_bins(), want);
        let mut zero = Histogram::new();
        zero.record(0);
        zero.record(2);
        assert_eq!(zero.log_bins(), vec![(0, 1, 1), (1, 2, 0), (2, 3, 1)]);
        assert_eq!(Histogram::new().log_bins(), vec![]);
        assert_eq!(next_r10_edge(u64::MAX - 1), u64::MAX);
    }

    #[test]
    fn a_timeline_counts_per_interval_and_doubles_the_interval_when_full() {
        let mut t = Timeline::<2>::new(100);
        t.add(0, 0, 1);
        t.add(99, 0, 1);
        t.add(250, 1, 3);
        t.add(250, 2, 7); // no such slot: ignored
        assert_eq!((t.step(), t.bins()), (100, &[[2, 0], [0, 0], [0, 3]][..]));
        // 200 intervals of 100 µs end at 20,000 µs; a count at 20,000 doubles the interval.
        t.add(20_000, 0, 5);
        assert_eq!(t.step(), 200);
        assert_eq!(&t.bins()[..2], &[[2, 0], [0, 3]]);
        assert_eq!(t.bins()[100], [5, 0]);
        // An hour of 100 ms intervals fits in 200 intervals of 25.6 s.
        let mut hour = Timeline::<1>::new(100_000);
        for s in 0..3_600u64 {
            hour.add(s * 1_000_000, 0, 1);
        }
        assert_eq!((hour.step(), hour.bins().len()), (25_600_000, 141));
        assert_eq!(hour.bins().iter().map(|b| b[0]).sum::<u64>(), 3_600);
    }

    proptest! {
        #[test]
        fn a_timeline_keeps_every_count(adds in proptest::collection::vec((0u64..1u64 << 40, 0usize..3, 0u64..1_000), 0..100)) {
            let mut t = Timeline::<3>::new(1_000);
            let mut sorted = adds.clone();
            sorted.sort_unstable();
            for &(at, slot, by) in &sorted {
                t.add(at, slot, by);
            }
            prop_assert!(t.bins().len() <= Timeline::<3>::MAX_BINS);
            for slot in 0..3 {
                let want: u64 = adds.iter().filter(|a| a.1 == slot).map(|a| a.2).sum();
                prop_assert_eq!(t.bins().iter().map(|b| b[slot]).sum::<u64>(), want);
            }
        }

        #[test]
        fn bins_count_every_sample_once(samples in proptest::collection::vec(0u64..5_000_000, 1..200)) {
            let mut h = Histogram::new();
            for &v in &samples {
                h.record(v);
            }
            let bins = h.log_bins();
            prop_assert_eq!(bins.iter().map(|b| b.2).sum::<u64>(), samples.len() as u64);
            prop_assert!(bins.windows(2).all(|w| w[0].1 == w[1].0 && w[0].0 < w[0].1));
        }
    }

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
