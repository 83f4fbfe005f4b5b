//! The URL shortener page's experiments: the notes' claims about 301 against 302, hash prefixes,
//! the cache and base62 codes, each run for real with its measured figure next to the expected one.
//!
//! 1. **301 against 302** (the notes: a 301 is cached by the browser, a 302 is "better for
//!    analytics"): browsers click one link several times through [`Browser`]; analytics count one
//!    click per browser under 301 and every click under 302.
//! 2. **Hash-prefix collisions**: `n` distinct URLs get SHA-1 prefix codes of length 6 or 7; each
//!    collision is resolved by a salted rehash. The expected number of collisions is the birthday
//!    bound: the i-th URL finds one of the `i` codes already taken with probability `i / 62^len`,
//!    so about `n(n-1) / (2 · 62^len)` collisions in all (8.80 for a million URLs at length 6).
//! 3. **Cache hit rate under Zipf clicks**: clicks on `links` links with Zipf popularity go through
//!    the service's LRU cache; the hit rate is compared with Che's approximation for LRU (Che, Tung
//!    and Wang, "Hierarchical Web caching systems", IEEE JSAC 2002): the cache's characteristic time
//!    `T` solves `sum(1 - e^(-p_i T)) = C`, and the hit rate is `sum(p_i (1 - e^(-p_i T)))`.
//! 4. **Base62 codes are guessable** (the notes: the encoding "can be reverse engg to find next
//!    id"): shortens arrive at random (Poisson) at a given rate and get snowflake IDs; from each
//!    code an attacker decodes the ID and tries 10 guesses: the ID plus one, then sequence 0 in each
//!    of the next 9 milliseconds. It misses only when the code was the last of its millisecond and
//!    the next 9 milliseconds had no shortens: a share `(1 - e^(-λ))/λ · e^(-9λ)` of codes, for λ
//!    shortens per millisecond.

use super::base62;
use super::browser::Browser;
use super::lru::Lru;
use super::service::{Config, Redirect, Request, Service, hash_code_value};
use crate::experiment::{Outcome, Shown};
use crate::format;
use crate::ids::layout::Layout;
use crate::ids::snowflake::{ClockPolicy, Next, Snowflake};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;

/// The notes' snowflake example time, where every experiment's clock starts.
pub const START_MS: u64 = 1_656_432_460_105;

/// Experiment 1's counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalyticsRun {
    pub browsers: u32,
    pub clicks_each: u32,
    /// Clicks analytics counted, and requests the service received, under 301 and under 302.
    pub counted_301: u64,
    pub counted_302: u64,
}

/// Experiment 1: `browsers` browsers each click one link `clicks_each` times.
pub fn analytics_301_vs_302(browsers: u32, clicks_each: u32) -> Result<(AnalyticsRun, Outcome), String> {
    if !(1..=1000).contains(&browsers) || !(1..=100).contains(&clicks_each) {
        return Err("Enter 1 to 1,000 browsers and 1 to 100 clicks each.".to_string());
    }
    let mut counted = [0u64; 2];
    for (slot, redirect) in [Redirect::Permanent, Redirect::Found].into_iter().enumerate() {
        let config = Config { redirect, ..Config::default() };
        let mut service = Service::new(config)?;
        let created = service.handle(&Request::shorten("https://example.com/launch", 0), START_MS);
        let code = service.rows().next().map(|r| r.code.clone()).ok_or(created.response.body)?;
        for b in 0..browsers {
            let mut browser = Browser::new(1 + b as u64);
            for c in 0..clicks_each {
                browser.click(&mut service, &code, START_MS + 1000 * c as u64);
            }
        }
        counted[slot] = service.clicks().get(&code).copied().unwrap_or(0);
    }
    let total = browsers as u64 * clicks_each as u64;
    let run = AnalyticsRun { browsers, clicks_each, counted_301: counted[0], counted_302: counted[1] };
    let outcome = Outcome {
        measured: format!(
            "301: {} of {} clicks counted; 302: {} of {}",
            format::group_digits(counted[0].into()),
            format::group_digits(total.into()),
            format::group_digits(counted[1].into()),
            format::group_digits(total.into()),
        ),
        expected: format!(
            "301: one per browser ({}); 302: every click ({})",
            format::group_digits(browsers.into()),
            format::group_digits(total.into())
        ),
        reproduced: counted[0] == browsers as u64 && counted[1] == total,
        detail: format!(
            "{browsers} simulated browsers each open the same short link {clicks_each} times; a browser \
             keeps a 301 in its cache and goes straight to the long URL, so the service sees only its \
             first click."
        ),
    };
    Ok((run, outcome))
}

/// One point of experiment 2.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CollisionPoint {
    pub stored: u64,
    pub collisions: u64,
    pub retries: u64,
    /// The birthday bound `stored(stored-1) / (2 · 62^len)`.
    pub expected: f64,
}

/// The expected number of first-try collisions among `n` codes drawn from `space`.
pub fn expected_collisions(n: u64, space: u64) -> f64 {
    let n = n as f64;
    n * (n - 1.0) / (2.0 * space as f64)
}

/// Experiment 2 at page scale, run in slices so the page stays responsive: the same `urls`
/// distinct URLs (`https://example.com/article/0`, `/1`, ...) get hash-prefix codes of each
/// length in `lens` at once, collisions resolved by salted rehashes, counts recorded at `points`
/// evenly spaced numbers of URLs stored.
#[derive(Clone, Debug)]
pub struct CollisionRun {
    lens: Vec<u8>,
    urls: u64,
    step: u64,
    done: u64,
    taken: Vec<BTreeSet<u64>>,
    collisions: Vec<u64>,
    retries: Vec<u64>,
    points: Vec<Vec<CollisionPoint>>,
}

impl CollisionRun {
    /// `Err` (with what to change) for lengths outside 1 to 7, or more URLs than half a code space.
    pub fn new(lens: &[u8], urls: u64, points: u32) -> Result<CollisionRun, String> {
        if lens.is_empty() || lens.iter().any(|l| !(1..=7).contains(l)) {
            return Err("Code length: choose 1 to 7 symbols.".to_string());
        }
        if !(1..=2_000_000).contains(&urls) || !(1..=100).contains(&points) {
            return Err("Enter 1 to 2,000,000 URLs and 1 to 100 points.".to_string());
        }
        for &len in lens {
            let space = base62::code_space(len as u32).unwrap_or(u64::MAX);
            if urls > space / 2 {
                return Err(format!(
                    "{} URLs would fill more than half of the {} codes of length {len}: use fewer URLs or longer codes.",
                    format::group_digits(urls.into()),
                    format::group_digits(space.into())
                ));
            }
        }
        let n = lens.len();
        Ok(CollisionRun {
            lens: lens.to_vec(),
            urls,
            step: urls.div_ceil(points as u64).max(1),
            done: 0,
            taken: vec![BTreeSet::new(); n],
            collisions: vec![0; n],
            retries: vec![0; n],
            points: vec![Vec::with_capacity(points as usize); n],
        })
    }

    /// Store up to `n` more URLs; returns the share of the run done, from 0 to 1.
    pub fn advance(&mut self, n: u64) -> f64 {
        let until = self.done.saturating_add(n).min(self.urls);
        for i in self.done..until {
            let url = format!("https://example.com/article/{i}");
            for (k, &len) in self.lens.iter().enumerate() {
                let mut attempt = 0u32;
                while !self.taken[k].insert(hash_code_value(&url, attempt, len)) {
                    self.collisions[k] += 1;
                    attempt += 1;
                    self.retries[k] += 1;
                }
                let stored = i + 1;
                if stored % self.step == 0 || stored == self.urls {
                    let space = base62::code_space(len as u32).unwrap_or(u64::MAX);
                    self.points[k].push(CollisionPoint {
                        stored,
                        collisions: self.collisions[k],
                        retries: self.retries[k],
                        expected: expected_collisions(stored, space),
                    });
                }
            }
        }
        self.done = until;
        self.done as f64 / self.urls as f64
    }

    pub fn is_finished(&self) -> bool {
        self.done >= self.urls
    }

    /// The recorded points, one list per length (in the order of `lens`).
    pub fn points(&self) -> Vec<(u8, Vec<CollisionPoint>)> {
        self.lens.iter().copied().zip(self.points.iter().cloned()).collect()
    }

    /// The outcome so far (the whole run once finished): reproduced when every length's count
    /// lies within three standard deviations (plus one) of the birthday bound.
    pub fn outcome(&self) -> Outcome {
        let several = self.lens.len() > 1;
        let mut measured = Vec::new();
        let mut expected_parts = Vec::new();
        let mut reproduced = true;
        for (k, &len) in self.lens.iter().enumerate() {
            let space = base62::code_space(len as u32).unwrap_or(u64::MAX);
            let expected = expected_collisions(self.done, space);
            // Collisions are close to Poisson: three standard deviations (sqrt of the mean), plus
            // one for the integer count.
            let slack = 3.0 * expected.sqrt() + 1.0;
            reproduced &= (self.collisions[k] as f64 - expected).abs() <= slack;
            let prefix = if several { format!("length {len}: ") } else { String::new() };
            measured.push(format!(
                "{prefix}{}, {}",
                format::plural(self.collisions[k], "collision", "collisions"),
                format::plural(self.retries[k], "retry", "retries")
            ));
            expected_parts.push(format!(
                "{prefix}{} collisions (birthday bound n(n−1)/(2·62^{len}), within ±{})",
                format::significant(expected, 3),
                format::significant(slack, 2)
            ));
        }
        let lens: Vec<String> = self.lens.iter().map(u8::to_string).collect();
        Outcome {
            measured: measured.join("; "),
            expected: expected_parts.join("; "),
            reproduced,
            detail: format!(
                "{} distinct URLs, SHA-1 prefix codes of {} symbols; every collision was resolved by \
                 rehashing with a salt.",
                format::group_digits(self.done.into()),
                lens.join(" and ")
            ),
        }
    }
}

/// Experiment 2 at one length, all at once: store `urls` distinct URLs with hash-prefix codes of
/// length `len` (1 to 7), recording collisions and retries at `points` evenly spaced counts.
pub fn hash_collisions(len: u8, urls: u64, points: u32) -> Result<(Vec<CollisionPoint>, Outcome), String> {
    let mut run = CollisionRun::new(&[len], urls, points)?;
    run.advance(urls);
    let outcome = run.outcome();
    let points = run.points.pop().unwrap_or_default();
    Ok((points, outcome))
}

/// One point of experiment 3.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CachePoint {
    pub size: u32,
    pub measured: f64,
    /// Che's approximation.
    pub che: f64,
}

/// Zipf shares `r^-s / H(links, s)` by rank.
fn zipf_shares(links: u32, s: f64) -> Vec<f64> {
    let h = crate::hashing::load::harmonic(links as usize, s);
    (1..=links).map(|r| libm::pow(r as f64, -s) / h).collect()
}

/// Che's approximation of the LRU hit rate for a cache of `size` entries and request shares `p`.
pub fn che_hit_rate(p: &[f64], size: u32) -> f64 {
    if size as usize >= p.len() {
        return 1.0;
    }
    if size == 0 {
        return 0.0;
    }
    let filled = |t: f64| p.iter().map(|&pi| 1.0 - libm::exp(-pi * t)).sum::<f64>();
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while filled(hi) < size as f64 {
        hi *= 2.0;
    }
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if filled(mid) < size as f64 { lo = mid } else { hi = mid }
    }
    let t = 0.5 * (lo + hi);
    p.iter().map(|&pi| pi * (1.0 - libm::exp(-pi * t))).sum()
}

/// Experiment 3: `clicks` Zipf(`s`) clicks on `links` links through LRU caches of each size; the
/// first fifth of the clicks warms the cache and is not counted.
pub fn cache_hit_rate(
    links: u32,
    clicks: u64,
    s: f64,
    sizes: &[u32],
    seed: u64,
) -> Result<(Vec<CachePoint>, Outcome), String> {
    if !(10..=100_000).contains(&links) || !(1000..=2_000_000).contains(&clicks) {
        return Err("Enter 10 to 100,000 links and 1,000 to 2,000,000 clicks.".to_string());
    }
    if !(0.0..=3.0).contains(&s) {
        return Err("Enter a Zipf exponent from 0 (all links equally popular) to 3.".to_string());
    }
    if sizes.is_empty() || sizes.iter().any(|&c| c == 0 || c >= links) {
        return Err("Choose cache sizes from 1 to one less than the number of links.".to_string());
    }
    let p = zipf_shares(links, s);
    let mut cdf = Vec::with_capacity(p.len());
    let mut acc = 0.0;
    for &pi in &p {
        acc += pi;
        cdf.push(acc);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let draws: Vec<u32> = (0..clicks)
        .map(|_| {
            let u: f64 = rng.random::<f64>() * acc;
            cdf.partition_point(|&c| c <= u).min(links as usize - 1) as u32
        })
        .collect();
    let warm = (clicks / 5) as usize;
    let mut points = Vec::with_capacity(sizes.len());
    for &size in sizes {
        let mut cache: Lru<u32> = Lru::new(size as usize);
        for (i, &rank) in draws.iter().enumerate() {
            if i == warm {
                cache.reset_counts();
            }
            let key = base62::encode(rank as u64);
            if cache.get(&key).is_none() {
                cache.put(&key, rank);
            }
        }
        points.push(CachePoint { size, measured: cache.hit_rate(), che: che_hit_rate(&p, size) });
    }
    let worst = points
        .iter()
        .max_by(|a, b| (a.measured - a.che).abs().total_cmp(&(b.measured - b.che).abs()))
        .copied()
        .unwrap_or(CachePoint { size: 0, measured: 0.0, che: 0.0 });
    const PERCENT: Shown = Shown { measured: percent, expected: percent };
    let mut outcome = Outcome::within(
        worst.measured,
        worst.che,
        0.05,
        PERCENT,
        format!(
            "{} clicks (Zipf s = {}) on {} links, seed {seed}; the point shown is the cache size \
             ({}) where measurement and Che's approximation differ most.",
            format::group_digits(clicks.into()),
            format::significant(s, 3),
            format::group_digits(links.into()),
            format::group_digits(worst.size.into())
        ),
    );
    outcome.reproduced = points.iter().all(|q| (q.measured - q.che).abs() <= 0.05 * q.che);
    Ok((points, outcome))
}

fn percent(x: f64) -> String {
    format!("{}%", format::significant(x * 100.0, 3))
}

/// Experiment 4's counts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Guessing {
    pub codes: u64,
    /// Next codes found among the 10 guesses made from the code before.
    pub guessed: u64,
    pub expected_share: f64,
}

/// The share of codes whose successor is among the 10 guesses, for `lambda` shortens per ms.
pub fn expected_guessed_share(lambda: f64) -> f64 {
    1.0 - (1.0 - libm::exp(-lambda)) / lambda * libm::exp(-9.0 * lambda)
}

/// Experiment 4: `codes` base62 snowflake codes for shortens arriving at `per_second` on average.
pub fn predictability(per_second: u32, codes: u32, seed: u64) -> Result<(Guessing, Outcome), String> {
    if !(1..=4000).contains(&per_second) || !(100..=200_000).contains(&codes) {
        return Err("Enter 1 to 4,000 shortens a second and 100 to 200,000 codes.".to_string());
    }
    let layout = Layout::twitter();
    let mut generator = Snowflake::new(layout.clone(), &[1, 1], ClockPolicy::WaitOut)?;
    let lambda = per_second as f64 / 1000.0;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut issued: Vec<u64> = Vec::with_capacity(codes as usize);
    let mut now = START_MS;
    while issued.len() < codes as usize {
        // Poisson(λ) arrivals in this millisecond (Knuth's method).
        let limit = libm::exp(-lambda);
        let (mut k, mut prod) = (0u32, rng.random::<f64>());
        while prod > limit {
            k += 1;
            prod *= rng.random::<f64>();
        }
        for _ in 0..k {
            if let Next::Issued(id) = generator.next_id(now) {
                issued.push(base62::decode(&base62::encode(id)).unwrap_or(id));
            }
        }
        now += 1;
    }
    issued.truncate(codes as usize);
    let shift = layout.time_shift();
    let node_bits = (issued[0] & ((1u64 << shift) - 1)) & !layout.max_sequence();
    let guessed = issued
        .windows(2)
        .filter(|w| {
            let (seen, next) = (w[0], w[1]);
            let ticks = seen >> shift;
            next == seen + 1 || (1..=9).any(|d| layout.compose(ticks + d, node_bits, 0) == next)
        })
        .count() as u64;
    let pairs = codes as u64 - 1;
    let expected = expected_guessed_share(lambda);
    let run = Guessing { codes: pairs, guessed, expected_share: expected };
    const PERCENT: Shown = Shown { measured: percent, expected: percent };
    let detail = format!(
        "{} base62 snowflake codes at {} shortens a second on average (seed {seed}); from each code, 10 \
         guesses at the next. A 7-symbol hash-prefix code would be hit by 10 blind guesses with odds \
         of 10 in 3,521,614,606,208.",
        format::group_digits(codes.into()),
        format::group_digits(per_second.into())
    );
    let outcome = Outcome::within(guessed as f64 / pairs as f64, expected, 0.03, PERCENT, detail);
    Ok((run, outcome))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analytics_count_one_click_per_browser_under_301() {
        let (run, outcome) = analytics_301_vs_302(20, 5).unwrap();
        assert_eq!((run.counted_301, run.counted_302), (20, 100));
        assert!(outcome.reproduced);
        assert_eq!(outcome.measured, "301: 20 of 100 clicks counted; 302: 100 of 100");
        assert_eq!(outcome.expected, "301: one per browser (20); 302: every click (100)");
        assert!(analytics_301_vs_302(0, 5).is_err());
    }

    #[test]
    fn birthday_bound_figures() {
        // A million URLs: 999,999,000,000 / (2 · 56,800,235,584) = 8.8028 at length 6;
        // / (2 · 3,521,614,606,208) = 0.14198 at length 7.
        assert!((expected_collisions(1_000_000, 56_800_235_584) - 8.802_771_6).abs() < 1e-6);
        assert!((expected_collisions(1_000_000, 3_521_614_606_208) - 0.141_980_2).abs() < 1e-6);
        assert_eq!(expected_collisions(1, 62), 0.0);
    }

    #[test]
    fn hash_collisions_follow_the_birthday_bound_in_a_small_space() {
        // Length 3: 238,328 codes; 2,000 URLs give 2000·1999/(2·238,328) = 8.3876 expected.
        let (points, outcome) = hash_collisions(3, 2000, 4).unwrap();
        assert_eq!(points.len(), 4);
        assert_eq!(points.iter().map(|p| p.stored).collect::<Vec<_>>(), [500, 1000, 1500, 2000]);
        let last = points[3];
        assert!((last.expected - 8.387_600).abs() < 1e-5);
        // Each collision costs one salted rehash (none of the rehashes collided again here).
        assert_eq!(last.retries, last.collisions);
        assert!(outcome.reproduced, "{outcome:?}");
        // A pinned run (SHA-1 is deterministic): collisions after 500, 1,000, 1,500 and 2,000 URLs.
        assert_eq!(points.iter().map(|p| p.collisions).collect::<Vec<_>>(), [1, 2, 3, 11]);
        assert!(hash_collisions(2, 3000, 4).is_err(), "more than half of 3,844 codes");
        assert!(hash_collisions(8, 10, 1).is_err());
    }

    #[test]
    fn a_sliced_run_at_two_lengths_matches_the_run_at_once() {
        let mut run = CollisionRun::new(&[3, 4], 2000, 4).unwrap();
        assert_eq!(run.advance(700), 0.35);
        assert!(!run.is_finished());
        assert_eq!(run.advance(10_000), 1.0);
        assert!(run.is_finished());
        let points = run.points();
        assert_eq!(points[0], (3, hash_collisions(3, 2000, 4).unwrap().0));
        assert_eq!(points[1], (4, hash_collisions(4, 2000, 4).unwrap().0));
        let outcome = run.outcome();
        assert!(
            outcome.measured.starts_with("length 3: 11 collisions, 11 retries; length 4: "),
            "{outcome:?}"
        );
        // 2,000 URLs among 14,776,336 four-symbol codes: 0.135 expected.
        assert!(outcome.expected.contains("length 4: 0.135 collisions"), "{}", outcome.expected);
        assert!(outcome.reproduced);
        assert!(CollisionRun::new(&[], 10, 1).is_err());
    }

    #[test]
    fn che_approximation_edge_cases_and_a_known_value() {
        let uniform = vec![0.01; 100];
        // Uniform popularity: an LRU of C entries among N hits C/N of the time.
        assert!((che_hit_rate(&uniform, 25) - 0.25).abs() < 1e-9);
        assert_eq!(che_hit_rate(&uniform, 100), 1.0);
        assert_eq!(che_hit_rate(&uniform, 0), 0.0);
    }

    #[test]
    fn lru_hit_rate_matches_che_under_zipf() {
        let (points, outcome) = cache_hit_rate(1000, 50_000, 1.0, &[10, 100, 500], 7).unwrap();
        assert!(outcome.reproduced, "{points:?}");
        assert!(points[0].measured < points[1].measured && points[1].measured < points[2].measured);
        for p in &points {
            assert!((p.measured - p.che).abs() < 0.05 * p.che, "{p:?}");
        }
        assert!(cache_hit_rate(1000, 50_000, 1.0, &[1000], 7).is_err());
    }

    #[test]
    fn base62_snowflake_codes_are_guessable() {
        // λ = 0.1 per ms: a share 1 - (1 - e^-0.1)/0.1 · e^-0.9 = 0.6131 of codes is guessed.
        assert!((expected_guessed_share(0.1) - 0.613_05).abs() < 1e-4);
        let (run, outcome) = predictability(100, 20_000, 42).unwrap();
        assert_eq!(run.codes, 19_999);
        assert!(outcome.reproduced, "{outcome:?}");
        let (fast, _) = predictability(1000, 5000, 42).unwrap();
        assert!(fast.guessed as f64 / fast.codes as f64 > 0.999);
    }
}

/// The page-scale figures for the report: `cargo test --release -p playground-core page_scale -- --ignored --nocapture`.
#[cfg(test)]
mod page_scale {
    use super::*;

    #[test]
    #[ignore = "page-scale run, seconds in release mode"]
    fn page_scale_figures() {
        println!("{:?}", analytics_301_vs_302(20, 5).unwrap().1);
        for len in [6, 7] {
            println!("len {len}: {:?}", hash_collisions(len, 1_000_000, 10).unwrap().1);
        }
        let (points, outcome) = cache_hit_rate(10_000, 200_000, 1.0, &[10, 100, 1000, 5000], 1).unwrap();
        println!("{points:?}\n{outcome:?}");
        println!("{:?}", predictability(100, 20_000, 1).unwrap());
        println!("{:?}", predictability(1000, 20_000, 1).unwrap());
    }
}
