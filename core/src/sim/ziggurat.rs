//! Standard normal and standard exponential draws by the ziggurat method (Marsaglia and Tsang,
//! "The Ziggurat Method for Generating Random Variables", Journal of Statistical Software 5(8),
//! 2000), the method `rand_distr` and most numeric libraries use.
//!
//! The idea: cover the density with 256 horizontal layers of equal area (a bottom layer that
//! includes the tail, and 255 rectangles stacked on it). Pick a layer with 8 random bits and a
//! point in it with the other bits; in about 99% of draws the point lies in the part of the
//! rectangle that is under the curve for sure and is returned at once, with no transcendental
//! function. Only the thin wedge at each rectangle's edge costs an `exp`, and the tail beyond the
//! last layer a `log` (Marsaglia's tail method). The result has exactly the target distribution,
//! and each latency draw costs one 64-bit random word most of the time instead of the two
//! uniforms, logarithm, square root and cosine of Box-Muller.
//!
//! Determinism: the layer tables are computed once from the constants below with `libm`, and the
//! rare wedge and tail tests use `libm` too, so the draws are the same bits natively and on
//! wasm32.

use rand::RngCore;
use rand_chacha::ChaCha8Rng;
use std::sync::OnceLock;

/// Layers of each ziggurat.
const LAYERS: usize = 256;

/// Where the normal ziggurat's tail starts, and the area of each of its layers (for the density
/// e^(-x²/2) without its normalising factor), from Marsaglia and Tsang's paper.
const NORMAL_R: f64 = 3.654_152_885_361_009;
const NORMAL_V: f64 = 0.004_928_673_233_99;
/// The same for the exponential density e^(-x).
const EXP_R: f64 = 7.697_117_470_131_05;
const EXP_V: f64 = 0.003_949_659_822_581_557;

/// A ziggurat's layer edges `x[0..=256]` (x[0] the bottom layer's virtual width, x[1] = r, down to
/// x[256] = 0) and the density at each edge.
struct Tables {
    x: [f64; LAYERS + 1],
    f: [f64; LAYERS + 1],
}

fn build(r: f64, v: f64, pdf: fn(f64) -> f64, inverse: fn(f64) -> f64) -> Tables {
    let mut x = [0.0; LAYERS + 1];
    let mut f = [0.0; LAYERS + 1];
    x[0] = v / pdf(r);
    x[1] = r;
    for i in 2..LAYERS {
        // The next edge up: the layer between x[i-1] and x[i] has area v.
        x[i] = inverse(v / x[i - 1] + pdf(x[i - 1]));
    }
    x[LAYERS] = 0.0;
    for i in 0..=LAYERS {
        f[i] = pdf(x[i]);
    }
    Tables { x, f }
}

fn normal_pdf(x: f64) -> f64 {
    libm::exp(-x * x / 2.0)
}

fn normal_inverse(y: f64) -> f64 {
    if y >= 1.0 { 0.0 } else { libm::sqrt(-2.0 * libm::log(y)) }
}

fn exp_pdf(x: f64) -> f64 {
    libm::exp(-x)
}

fn exp_inverse(y: f64) -> f64 {
    if y >= 1.0 { 0.0 } else { -libm::log(y) }
}

fn normal_tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| build(NORMAL_R, NORMAL_V, normal_pdf, normal_inverse))
}

fn exp_tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| build(EXP_R, EXP_V, exp_pdf, exp_inverse))
}

/// 2^-52 and 2^-53.
const SCALE_52: f64 = 1.0 / (1u64 << 52) as f64;
const SCALE_53: f64 = 1.0 / (1u64 << 53) as f64;

/// A uniform draw in (0, 1] from 53 random bits.
fn open_unit(rng: &mut ChaCha8Rng) -> f64 {
    ((rng.next_u64() >> 11) + 1) as f64 * SCALE_53
}

/// A uniform draw in [0, 1).
fn unit(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * SCALE_53
}

/// One standard normal draw (mean 0, standard deviation 1).
pub fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    let t = normal_tables();
    loop {
        let bits = rng.next_u64();
        let i = (bits & 0xff) as usize;
        // The top 52 bits as a uniform in (-1, 1): the sign and the position in the layer.
        let u = ((bits >> 12) as f64 + 0.5) * SCALE_52 * 2.0 - 1.0;
        let x = u * t.x[i];
        if x.abs() < t.x[i + 1] {
            return x;
        }
        if i == 0 {
            // The tail beyond r (Marsaglia 1964): x = r + e1 / r, accepted when 2·e2 > (e1/r)².
            loop {
                let a = -libm::log(open_unit(rng)) / NORMAL_R;
                let b = -libm::log(open_unit(rng));
                if 2.0 * b > a * a {
                    return if u < 0.0 { -(NORMAL_R + a) } else { NORMAL_R + a };
                }
            }
        }
        if t.f[i + 1] + (t.f[i] - t.f[i + 1]) * unit(rng) < normal_pdf(x) {
            return x;
        }
    }
}

/// One standard exponential draw (mean 1).
pub fn standard_exponential(rng: &mut ChaCha8Rng) -> f64 {
    let t = exp_tables();
    loop {
        let bits = rng.next_u64();
        let i = (bits & 0xff) as usize;
        let u = (bits >> 12) as f64 * SCALE_52;
        let x = u * t.x[i];
        if x < t.x[i + 1] {
            return x;
        }
        if i == 0 {
            // The tail of an exponential is an exponential shifted to r.
            return EXP_R - libm::log(open_unit(rng));
        }
        if t.f[i + 1] + (t.f[i] - t.f[i + 1]) * unit(rng) < exp_pdf(x) {
            return x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn the_layers_close_at_the_top() {
        // Every layer has area v, so the top edge computed from r lands at (almost exactly) 0
        // and the density there at 1: the constants and the tables fit together.
        for (t, v) in [(normal_tables(), NORMAL_V), (exp_tables(), EXP_V)] {
            assert!(t.x.windows(2).skip(1).all(|w| w[0] > w[1]), "edges fall towards the top");
            let top = t.x[LAYERS - 1] * (1.0 - t.f[LAYERS - 1]);
            assert!((top - v).abs() < 1e-9, "the top layer has area {top}, not {v}");
            assert_eq!(t.f[LAYERS], 1.0);
        }
    }

    fn moments(draw: fn(&mut ChaCha8Rng) -> f64, n: u32) -> (f64, f64, Vec<f64>) {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut v: Vec<f64> = (0..n).map(|_| draw(&mut rng)).collect();
        let mean = v.iter().sum::<f64>() / f64::from(n);
        let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / f64::from(n);
        v.sort_by(|a, b| a.total_cmp(b));
        (mean, var, v)
    }

    #[test]
    fn normal_draws_have_the_normal_moments_and_quantiles() {
        // 400,000 draws: the standard error of the mean is 0.0016, of a quantile near 0.003.
        let n = 400_000;
        let (mean, var, v) = moments(standard_normal, n);
        assert!(mean.abs() < 0.01, "{mean}");
        assert!((var - 1.0).abs() < 0.01, "{var}");
        for (q, z) in [(0.5, 0.0), (0.841_344_746, 1.0), (0.977_249_868, 2.0), (0.998_650_102, 3.0)] {
            let got = v[(q * f64::from(n)) as usize];
            assert!((got - z).abs() < 0.03, "quantile {q}: {got} vs {z}");
            let low = v[((1.0 - q) * f64::from(n)) as usize];
            assert!((low + z).abs() < 0.03, "quantile {}: {low} vs {}", 1.0 - q, -z);
        }
        // The tail beyond r = 3.65 is reached (about 1.3 draws in 10,000 per side).
        let beyond = v.iter().filter(|x| x.abs() > NORMAL_R).count();
        assert!((60..160).contains(&beyond), "{beyond}");
    }

    #[test]
    fn exponential_draws_have_the_exponential_moments_and_quantiles() {
        let n = 400_000;
        let (mean, var, v) = moments(standard_exponential, n);
        assert!((mean - 1.0).abs() < 0.01, "{mean}");
        assert!((var - 1.0).abs() < 0.03, "{var}");
        for q in [0.1, 0.5, 0.9, 0.999] {
            let (got, want) = (v[(q * f64::from(n)) as usize], -libm::log(1.0 - q));
            assert!((got - want).abs() < 0.02 * want.max(1.0), "quantile {q}: {got} vs {want}");
        }
        assert!(v[0] >= 0.0);
    }

    #[test]
    fn the_first_draws_are_pinned() {
        // Regression pins (the same bits must come out on wasm32): a change of tables or
        // arithmetic shows up here.
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let normal: Vec<f64> = (0..3).map(|_| standard_normal(&mut rng)).collect();
        let exp: Vec<f64> = (0..3).map(|_| standard_exponential(&mut rng)).collect();
        assert_eq!(normal.iter().chain(&exp).map(|x| x.to_bits()).collect::<Vec<u64>>(), PINNED);
    }
    const PINNED: [u64; 6] = [
        4_602_282_164_425_616_924,
        4_608_686_939_075_772_812,
        13_820_137_330_074_945_335,
        4_609_293_258_801_851_490,
        4_599_500_094_848_383_641,
        4_596_287_844_022_679_525,
    ];
}
