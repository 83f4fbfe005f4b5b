//! One-way network delay as a probability distribution, and the presets named after the latency
//! numbers every programmer should know (the notes' first section).
//!
//! Real links are not constant: most messages take about the typical time and a few take much
//! longer. Four shapes cover what the simulation needs: a constant (to reason by hand), a uniform
//! spread, a log-normal (the usual fit for data-centre round trips) and a Pareto tail (the fit the
//! PBS paper, Bailis et al., VLDB 2012, uses for LinkedIn's disk-backed latencies, where a rare
//! message is many times slower than the median). Sampling uses only the seeded generator and
//! `libm`, so a draw is the same natively and on wasm32.

use super::Micros;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};

/// The largest parameter a latency model accepts, in microseconds (1,000 s): far beyond any real
/// link, small enough that virtual time never overflows.
pub const MAX_PARAM_US: f64 = 1e9;
/// No single draw is longer than this (a Pareto tail is unbounded): 10^12 µs, about 11.6 days.
pub const MAX_SAMPLE_US: Micros = 1_000_000_000_000;

/// The distribution of a message's one-way delay, in microseconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LatencyModel {
    /// Every message takes exactly `us`.
    Constant { us: Micros },
    /// Every whole microsecond from `min_us` to `max_us` (inclusive) is equally likely.
    Uniform { min_us: Micros, max_us: Micros },
    /// `median_us · e^(sigma · Z)` with Z standard normal: half the messages are faster than the
    /// median; sigma sets how long the tail is (0.5 puts the 99th percentile at 3.2× the median).
    LogNormal { median_us: f64, sigma: f64 },
    /// `scale_us · U^(-1/shape)` with U uniform in (0, 1]: never faster than `scale_us`, with a
    /// power-law tail; the smaller the shape, the heavier the tail (below 2 the variance is
    /// infinite).
    Pareto { scale_us: f64, shape: f64 },
}

impl Hash for LatencyModel {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match *self {
            LatencyModel::Constant { us } => (0u8, us).hash(state),
            LatencyModel::Uniform { min_us, max_us } => (1u8, min_us, max_us).hash(state),
            LatencyModel::LogNormal { median_us, sigma } => {
                (2u8, median_us.to_bits(), sigma.to_bits()).hash(state)
            }
            LatencyModel::Pareto { scale_us, shape } => {
                (3u8, scale_us.to_bits(), shape.to_bits()).hash(state)
            }
        }
    }
}

impl LatencyModel {
    /// Checks the parameters; the message says what to change.
    pub fn validate(&self) -> Result<(), String> {
        let positive = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 && v <= MAX_PARAM_US {
                Ok(())
            } else {
                Err(format!(
                    "The latency {name} must be a number of microseconds above 0 and at most 10^9; got {v}."
                ))
            }
        };
        match *self {
            LatencyModel::Constant { us } if us as f64 > MAX_PARAM_US => {
                Err(format!("A constant latency must be at most 10^9 µs (1,000 s); got {us} µs."))
            }
            LatencyModel::Constant { .. } => Ok(()),
            LatencyModel::Uniform { min_us, max_us } => {
                if min_us > max_us {
                    Err(format!(
                        "A uniform latency needs its minimum ({min_us} µs) at or below its maximum ({max_us} µs)."
                    ))
                } else if max_us as f64 > MAX_PARAM_US {
                    Err(format!("A uniform latency's maximum must be at most 10^9 µs; got {max_us} µs."))
                } else {
                    Ok(())
                }
            }
            LatencyModel::LogNormal { median_us, sigma } => {
                positive("median", median_us)?;
                if sigma.is_finite() && (0.0..=3.0).contains(&sigma) {
                    Ok(())
                } else {
                    Err(format!("A log-normal latency's sigma must be between 0 and 3; got {sigma}."))
                }
            }
            LatencyModel::Pareto { scale_us, shape } => {
                positive("scale", scale_us)?;
                if shape.is_finite() && (0.5..=20.0).contains(&shape) {
                    Ok(())
                } else {
                    Err(format!("A Pareto latency's shape must be between 0.5 and 20; got {shape}."))
                }
            }
        }
    }

    /// One draw, in whole microseconds (rounded to nearest, at most [`MAX_SAMPLE_US`]).
    pub fn sample(&self, rng: &mut ChaCha8Rng) -> Micros {
        match *self {
            LatencyModel::Constant { us } => us.min(MAX_SAMPLE_US),
            LatencyModel::Uniform { min_us, max_us } => {
                if min_us >= max_us {
                    min_us.min(MAX_SAMPLE_US)
                } else {
                    rng.random_range(min_us..=max_us).min(MAX_SAMPLE_US)
                }
            }
            LatencyModel::LogNormal { median_us, sigma } => {
                to_micros(median_us * libm::exp(sigma * standard_normal(rng)))
            }
            LatencyModel::Pareto { scale_us, shape } => {
                // scale · U^(-1/shape) with U uniform is scale · e^(E/shape) with E = -ln U
                // exponential: one exponential draw and one exp instead of a power.
                to_micros(scale_us * libm::exp(super::ziggurat::standard_exponential(rng) / shape))
            }
        }
    }

    /// The distribution's median, in microseconds: what a typical message takes.
    pub fn median_us(&self) -> f64 {
        match *self {
            LatencyModel::Constant { us } => us as f64,
            LatencyModel::Uniform { min_us, max_us } => (min_us as f64 + max_us as f64) / 2.0,
            LatencyModel::LogNormal { median_us, .. } => median_us,
            LatencyModel::Pareto { scale_us, shape } => scale_us * libm::pow(2.0, 1.0 / shape),
        }
    }

    /// The q-quantile (0 < q < 1) in microseconds, from the closed form of each distribution.
    pub fn quantile_us(&self, q: f64) -> f64 {
        let q = q.clamp(1e-12, 1.0 - 1e-12);
        match *self {
            LatencyModel::Constant { us } => us as f64,
            LatencyModel::Uniform { min_us, max_us } => min_us as f64 + q * (max_us as f64 - min_us as f64),
            LatencyModel::LogNormal { median_us, sigma } => median_us * libm::exp(sigma * normal_quantile(q)),
            LatencyModel::Pareto { scale_us, shape } => scale_us * libm::pow(1.0 - q, -1.0 / shape),
        }
    }

    /// A short description for the page: "log-normal, median 250 µs, σ 0.5".
    pub fn describe(&self) -> String {
        use crate::format::{duration_ns, significant};
        let d = |us: f64| duration_ns(us * 1e3);
        match *self {
            LatencyModel::Constant { us } => format!("constant {}", d(us as f64)),
            LatencyModel::Uniform { min_us, max_us } => {
                format!("uniform {} to {}", d(min_us as f64), d(max_us as f64))
            }
            LatencyModel::LogNormal { median_us, sigma } => {
                format!("log-normal, median {}, σ {}", d(median_us), significant(sigma, 3))
            }
            LatencyModel::Pareto { scale_us, shape } => {
                format!("Pareto, minimum {}, shape {}", d(scale_us), significant(shape, 3))
            }
        }
    }
}

fn to_micros(us: f64) -> Micros {
    if us.is_nan() || us <= 0.0 {
        0
    } else if us >= MAX_SAMPLE_US as f64 {
        MAX_SAMPLE_US
    } else {
        libm::round(us) as Micros
    }
}

/// A standard normal draw (by the ziggurat method: see [`super::ziggurat`]).
pub(crate) fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    super::ziggurat::standard_normal(rng)
}

/// The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9),
/// enough for drawing a distribution's theory line.
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239e0,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838e0,
        -2.549732539343734e0,
        4.374664141464968e0,
        2.938163982698783e0,
    ];
    const D: [f64; 4] =
        [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996e0, 3.754408661907416e0];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail(libm::sqrt(-2.0 * libm::log(p)))
    } else if p > 1.0 - 0.02425 {
        -tail(libm::sqrt(-2.0 * libm::log(1.0 - p)))
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// Where the two ends of a link are, named after the rows of the latency table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LatencyPreset {
    /// One switch hop: the table's "send 2 KB over a 1 Gbps network", 20 µs one way.
    SameRack,
    /// The table's "round trip within the same datacenter", 0.5 ms, so 250 µs one way.
    SameDatacenter,
    /// The table's "send packet CA → Netherlands → CA", 150 ms round trip, so 75 ms one way.
    CrossRegion,
}

/// The shape of the distribution a preset uses around its typical delay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LatencyShape {
    Constant,
    Uniform,
    LogNormal,
    Pareto,
}

impl LatencyShape {
    pub const ALL: [LatencyShape; 4] =
        [LatencyShape::Constant, LatencyShape::Uniform, LatencyShape::LogNormal, LatencyShape::Pareto];

    pub fn label(self) -> &'static str {
        match self {
            LatencyShape::Constant => "constant",
            LatencyShape::Uniform => "uniform",
            LatencyShape::LogNormal => "log-normal",
            LatencyShape::Pareto => "Pareto tail",
        }
    }
}

/// The log-normal sigma of the presets: the 99th percentile is e^(2.326·0.5) = 3.2× the median.
pub const PRESET_SIGMA: f64 = 0.5;
/// The Pareto shape of the presets: a heavy tail (infinite variance), as in the PBS paper's fits.
pub const PRESET_PARETO_SHAPE: f64 = 1.5;

impl LatencyPreset {
    pub const ALL: [LatencyPreset; 3] =
        [LatencyPreset::SameRack, LatencyPreset::SameDatacenter, LatencyPreset::CrossRegion];

    pub fn label(self) -> &'static str {
        match self {
            LatencyPreset::SameRack => "same rack",
            LatencyPreset::SameDatacenter => "same data centre",
            LatencyPreset::CrossRegion => "cross-region",
        }
    }

    /// The round trip the preset is named after, in microseconds.
    pub fn round_trip_us(self) -> Micros {
        match self {
            LatencyPreset::SameRack => 40,
            LatencyPreset::SameDatacenter => 500,
            LatencyPreset::CrossRegion => 150_000,
        }
    }

    /// The typical (median) one-way delay: half the round trip.
    pub fn one_way_us(self) -> Micros {
        self.round_trip_us() / 2
    }

    /// The preset as a distribution of the given shape whose median is the one-way delay:
    /// constant; uniform from half to one and a half times it; log-normal with sigma 0.5; Pareto
    /// with shape 1.5 and the scale that puts its median there (scale = median / 2^(1/1.5)).
    pub fn model(self, shape: LatencyShape) -> LatencyModel {
        let m = self.one_way_us();
        match shape {
            LatencyShape::Constant => LatencyModel::Constant { us: m },
            LatencyShape::Uniform => LatencyModel::Uniform { min_us: m / 2, max_us: m + m / 2 },
            LatencyShape::LogNormal => LatencyModel::LogNormal { median_us: m as f64, sigma: PRESET_SIGMA },
            LatencyShape::Pareto => LatencyModel::Pareto {
                scale_us: m as f64 / libm::pow(2.0, 1.0 / PRESET_PARETO_SHAPE),
                shape: PRESET_PARETO_SHAPE,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;

    fn draws(model: LatencyModel, seed: u64, n: usize) -> Vec<Micros> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n).map(|_| model.sample(&mut rng)).collect()
    }

    fn empirical_quantile(mut v: Vec<Micros>, q: f64) -> f64 {
        v.sort_unstable();
        v[((v.len() as f64 - 1.0) * q).round() as usize] as f64
    }

    #[test]
    fn presets_follow_the_latency_table() {
        // The rows of estimate::LATENCY_NUMBERS that name them, in nanoseconds.
        let table =
            |op: &str| crate::estimate::LATENCY_NUMBERS.iter().find(|f| f.operation == op).unwrap().ns;
        assert_eq!(
            LatencyPreset::SameRack.one_way_us() as f64 * 1e3,
            table("Send 2 KB over a 1 Gbps network")
        );
        assert_eq!(
            LatencyPreset::SameDatacenter.round_trip_us() as f64 * 1e3,
            table("Round trip within the same datacenter")
        );
        assert_eq!(
            LatencyPreset::CrossRegion.round_trip_us() as f64 * 1e3,
            table("Send packet CA → Netherlands → CA")
        );
        assert_eq!(LatencyPreset::SameDatacenter.one_way_us(), 250);
        assert_eq!(LatencyPreset::CrossRegion.one_way_us(), 75_000);
    }

    #[test]
    fn every_preset_shape_has_the_one_way_delay_as_its_median() {
        for preset in LatencyPreset::ALL {
            for shape in LatencyShape::ALL {
                let model = preset.model(shape);
                assert_eq!(model.validate(), Ok(()));
                let m = model.median_us();
                assert!(
                    (m - preset.one_way_us() as f64).abs() < 1e-9 * m.max(1.0),
                    "{preset:?} {shape:?}: {m}"
                );
                assert!((model.quantile_us(0.5) - m).abs() < 1e-6 * m, "{preset:?} {shape:?}");
            }
        }
    }

    #[test]
    fn constant_and_degenerate_uniform_are_exact() {
        assert_eq!(draws(LatencyModel::Constant { us: 250 }, 1, 3), vec![250, 250, 250]);
        assert_eq!(draws(LatencyModel::Uniform { min_us: 7, max_us: 7 }, 1, 2), vec![7, 7]);
    }

    #[test]
    fn the_first_draws_are_pinned() {
        // Regression pins: these exact values must come out natively and on wasm32 (the browser
        // test checks the same numbers), so a change of generator or maths shows up here.
        let m = LatencyPreset::SameDatacenter;
        assert_eq!(draws(m.model(LatencyShape::Uniform), 42, 4), PINNED_UNIFORM);
        assert_eq!(draws(m.model(LatencyShape::LogNormal), 42, 4), PINNED_LOGNORMAL);
        assert_eq!(draws(m.model(LatencyShape::Pareto), 42, 4), PINNED_PARETO);
    }
    const PINNED_UNIFORM: [Micros; 4] = [296, 363, 232, 282];
    const PINNED_LOGNORMAL: [Micros; 4] = [317, 487, 225, 317];
    const PINNED_PARETO: [Micros; 4] = [282, 426, 243, 419];

    #[test]
    fn sample_quantiles_match_the_closed_forms() {
        // 100,000 draws: the empirical median and 95th percentile within 3% of the formula (the
        // heavy Pareto tail puts the 95th percentile's standard error near 0.9%).
        for shape in [LatencyShape::Uniform, LatencyShape::LogNormal, LatencyShape::Pareto] {
            let model = LatencyPreset::CrossRegion.model(shape);
            let v = draws(model, 7, 100_000);
            for q in [0.5, 0.95] {
                let (got, want) = (empirical_quantile(v.clone(), q), model.quantile_us(q));
                assert!((got - want).abs() <= 0.03 * want, "{shape:?} q{q}: {got} vs {want}");
            }
        }
    }

    #[test]
    fn the_normal_quantile_matches_known_values() {
        for (p, z) in
            [(0.5, 0.0), (0.975, 1.959963984540054), (0.99, 2.3263478740408408), (0.01, -2.3263478740408408)]
        {
            assert!((normal_quantile(p) - z).abs() < 1e-8, "{p}");
        }
    }

    #[test]
    fn invalid_parameters_are_refused_with_a_reason() {
        let bad = [
            LatencyModel::Uniform { min_us: 10, max_us: 5 },
            LatencyModel::LogNormal { median_us: 0.0, sigma: 0.5 },
            LatencyModel::LogNormal { median_us: 100.0, sigma: f64::NAN },
            LatencyModel::Pareto { scale_us: 100.0, shape: 0.0 },
            LatencyModel::Pareto { scale_us: f64::INFINITY, shape: 1.5 },
            LatencyModel::Constant { us: u64::MAX },
        ];
        for model in bad {
            let err = model.validate().unwrap_err();
            assert!(err.contains("latency"), "{err}");
        }
    }

    proptest! {
        #[test]
        fn valid_models_never_draw_past_the_cap(
            median in 1.0f64..1e9, sigma in 0.0f64..3.0, shape in 0.5f64..20.0, seed: u64,
        ) {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            for model in [
                LatencyModel::LogNormal { median_us: median, sigma },
                LatencyModel::Pareto { scale_us: median, shape },
            ] {
                prop_assert_eq!(model.validate(), Ok(()));
                for _ in 0..50 {
                    prop_assert!(model.sample(&mut rng) <= MAX_SAMPLE_US);
                }
            }
        }
    }
}
