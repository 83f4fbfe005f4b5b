//! The Bloom filter of the notes ("Bloom Filter", and "Fast Lookup" on the key-value store's read
//! path): sizing from n and p, the filter itself, the measured false-positive rate against the
//! formula, the page's demo (which bits an item sets or checks) and the page's experiments.

use crate::experiment::{Outcome, Shown};
use crate::format::{self, percent};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use xxhash_rust::xxh3::xxh3_128;

/// The most bits a filter allocates: 2^30 bits, 128 MiB, about what a browser tab can spare.
/// [`Sizing`] still computes larger filters (a billion keys need about 9.6 billion bits), so the
/// page can show their size without allocating them.
pub const MAX_BITS: u64 = 1 << 30;
/// The most hash functions a filter uses: 64 is the optimum for a false-positive rate near 2^-64.
pub const MAX_HASHES: u32 = 64;
/// The most synthetic items a sweep inserts, and the most absent items it queries in all, so a
/// sweep run from any link finishes in well under a second in the browser.
pub const MAX_SWEEP_ITEMS: u64 = 1_000_000;
pub const MAX_SWEEP_QUERIES: u64 = 2_000_000;

/// How big a filter must be for `n` expected items at a false-positive rate `p`.
///
/// With `m` bits, `k` hash functions and `n` items, the chance that a given bit is still 0 is
/// `(1 - 1/m)^(kn) ≈ e^(-kn/m)`, so an absent item finds all its `k` bits set with probability
/// `(1 - e^(-kn/m))^k` (Bloom 1970). For a given `m/n` this is lowest at `k = (m/n) ln 2`, and
/// solving for `m` there gives `m = -n ln p / (ln 2)^2`: about 9.6 bits per item for 1 %, and 4.8
/// more for every tenfold lower rate. Computed in `u64` and `f64` (with `libm`, bit-identical
/// natively and on wasm32), never `usize`: a billion items need more than 2^32 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizing {
    /// `m = ceil(-n ln p / (ln 2)^2)`.
    pub bits: u64,
    /// `k = round((m/n) ln 2)`, at least 1 and at most [`MAX_HASHES`].
    pub hashes: u32,
}

impl Sizing {
    /// The sizing for `n` expected items at false-positive rate `p` (strictly between 0 and 1).
    /// A rate so low that its `k` exceeds [`MAX_HASHES`] (about 2^-64.5, 4e-20) is refused rather
    /// than given a `k` no filter takes: `k ≈ -log2 p`, so any rate of at least 1e-19 fits.
    pub fn for_items(n: u64, p: f64) -> Result<Sizing, String> {
        if n == 0 {
            return Err(
                "Enter at least 1 expected item: a filter is sized for the items it will hold.".to_string()
            );
        }
        if !(p > 0.0 && p < 1.0) {
            return Err(
                "Enter a false-positive rate strictly between 0 and 1, for example 0.01 or 1%.".to_string()
            );
        }
        let ln2 = core::f64::consts::LN_2;
        let bits = libm::ceil(-(n as f64) * libm::log(p) / (ln2 * ln2));
        // 2^64 is exactly representable; anything at or above it does not fit in a u64.
        if !bits.is_finite() || bits >= 18_446_744_073_709_551_616.0 {
            return Err(format!(
                "{} items at a rate of {} would need more than 2^64 bits: ask for fewer items or a higher rate.",
                format::group_digits(n as u128),
                format::significant(p, 3)
            ));
        }
        let bits = (bits as u64).max(1);
        let hashes = libm::round(optimal_hashes(bits, n)).max(1.0);
        if hashes > f64::from(MAX_HASHES) {
            return Err(format!(
                "A false-positive rate of {} needs k = {} hash functions, more than the {MAX_HASHES} a filter here \
uses: enter a rate of at least 1e-19.",
                format::significant(p, 3),
                format::significant(hashes, 3)
            ));
        }
        Ok(Sizing { bits, hashes: hashes as u32 })
    }

    /// The bytes the bit array takes (whole 64-bit words), as a float so that sizes beyond what
    /// a filter allocates can be shown.
    pub fn memory_bytes(&self) -> f64 {
        self.bits.div_ceil(64) as f64 * 8.0
    }
}

/// The false-positive rate `(1 - e^(-kn/m))^k` of `m` bits and `k` hashes holding `n` items.
pub fn false_positive_rate(bits: u64, hashes: u32, items: u64) -> f64 {
    if bits == 0 {
        return 1.0;
    }
    let k = hashes as f64;
    libm::pow(1.0 - libm::exp(-k * items as f64 / bits as f64), k)
}

/// The number of hash functions `(m/n) ln 2` that minimises the false-positive rate of `m` bits
/// holding `n` items (infinite for no items).
pub fn optimal_hashes(bits: u64, items: u64) -> f64 {
    if items == 0 {
        return f64::INFINITY;
    }
    bits as f64 / items as f64 * core::f64::consts::LN_2
}

/// The number of items that `m` bits and `k` hashes suit best: `m ln 2 / k`, where `k` is optimal.
pub fn capacity(bits: u64, hashes: u32) -> f64 {
    bits as f64 * core::f64::consts::LN_2 / hashes.max(1) as f64
}

/// A Bloom filter (Burton H. Bloom, "Space/time trade-offs in hash coding with allowable errors",
/// CACM 1970): a set that answers "is this item in?" with a certain **no** or a nervous
/// **probably yes**, in `m` bits whatever the items' size.
///
/// Adding an item sets `k` bits chosen by hashing it; checking an item looks at the same `k`
/// bits and says "no" as soon as one is 0. A false negative is impossible (an added item's bits
/// stay set); a false positive happens when other items happen to have set all `k` bits. Bits
/// are shared between items, so an item cannot be removed: clearing its bits would make other
/// items vanish too. It never forgets (the notes).
///
/// The `k` positions come from one 128-bit XXH3 hash by double hashing (Kirsch and Mitzenmacher,
/// "Less hashing, same performance: building a better Bloom filter", ESA 2006): with `h1` the
/// low and `h2` the high 64 bits (forced odd, so that the step is never 0 modulo a power of two),
/// position `i` is `(h1 + i·h2) mod m`, computed exactly (not modulo 2^64): `h1 mod m` and then
/// adding `h2 mod m` and subtracting `m` on overflow. The paper shows the false-positive rate is
/// asymptotically that of `k` independent hashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BloomFilter {
    words: Vec<u64>,
    bits: u64,
    hashes: u32,
    items: u64,
    set: u64,
}

impl BloomFilter {
    /// An empty filter of `bits` bits (1 to [`MAX_BITS`]) and `hashes` hash functions (1 to
    /// [`MAX_HASHES`]).
    pub fn new(bits: u64, hashes: u32) -> Result<BloomFilter, String> {
        if bits == 0 {
            return Err("A filter needs at least 1 bit: enter a size m of 1 bit or more.".to_string());
        }
        if bits > MAX_BITS {
            return Err(format!(
                "{} bits is more than this page allocates: enter at most {} bits (2^30, 128 MiB).",
                format::group_digits(bits as u128),
                format::group_digits(MAX_BITS as u128)
            ));
        }
        if hashes == 0 {
            return Err("Use at least 1 hash function: enter k = 1 or more.".to_string());
        }
        if hashes > MAX_HASHES {
            return Err(format!("Use at most {MAX_HASHES} hash functions: enter a smaller k."));
        }
        let len = bits.div_ceil(64) as usize;
        let mut words = Vec::new();
        words.try_reserve_exact(len).map_err(|_| {
            "The browser could not spare the memory for this filter: enter fewer bits.".to_string()
        })?;
        words.resize(len, 0);
        Ok(BloomFilter { words, bits, hashes, items: 0, set: 0 })
    }

    /// An empty filter of the given sizing.
    pub fn with_sizing(sizing: Sizing) -> Result<BloomFilter, String> {
        BloomFilter::new(sizing.bits, sizing.hashes)
    }

    /// The `k` bit positions of `item`, in the order the hashes produce them (they may repeat).
    pub fn indices(&self, item: &[u8]) -> Indices {
        let h = xxh3_128(item);
        let (h1, h2) = (h as u64, (h >> 64) as u64 | 1);
        Indices { next: h1 % self.bits, step: h2 % self.bits, bits: self.bits, left: self.hashes }
    }

    /// Adds `item`; true when it set at least one bit that was 0 (the item was certainly new).
    pub fn insert(&mut self, item: &[u8]) -> bool {
        let mut changed = false;
        for i in self.indices(item) {
            let (word, mask) = ((i / 64) as usize, 1u64 << (i % 64));
            if self.words[word] & mask == 0 {
                self.words[word] |= mask;
                self.set += 1;
                changed = true;
            }
        }
        self.items += 1;
        changed
    }

    /// False means `item` was certainly never added; true means it probably was.
    pub fn contains(&self, item: &[u8]) -> bool {
        self.indices(item).all(|i| self.is_set(i))
    }

    /// Whether bit `index` is set (false beyond the end).
    pub fn is_set(&self, index: u64) -> bool {
        index < self.bits && self.words[(index / 64) as usize] & (1u64 << (index % 64)) != 0
    }

    /// How many of the bits `from..to` are set.
    pub fn ones_in(&self, from: u64, to: u64) -> u64 {
        let (from, to) = (from.min(self.bits), to.min(self.bits));
        if from >= to {
            return 0;
        }
        let (first, last) = ((from / 64) as usize, ((to - 1) / 64) as usize);
        let mut ones = 0u64;
        for w in first..=last {
            let mut word = self.words[w];
            if w == first {
                word &= u64::MAX << (from % 64);
            }
            if w == last && to % 64 != 0 {
                word &= u64::MAX >> (64 - to % 64);
            }
            ones += word.count_ones() as u64;
        }
        ones
    }

    /// `m`, the size in bits.
    pub fn bits(&self) -> u64 {
        self.bits
    }

    /// `k`, the number of hash functions.
    pub fn hashes(&self) -> u32 {
        self.hashes
    }

    /// How many bits are 1.
    pub fn bits_set(&self) -> u64 {
        self.set
    }

    /// How many times [`BloomFilter::insert`] was called (an item added twice counts twice).
    pub fn items(&self) -> u64 {
        self.items
    }

    /// The bytes the bit array takes.
    pub fn memory_bytes(&self) -> u64 {
        self.words.len() as u64 * 8
    }

    /// The share of bits that are 1.
    pub fn fill_ratio(&self) -> f64 {
        self.set as f64 / self.bits as f64
    }

    /// The false-positive rate the filter has now, read off its bits: a query for an absent
    /// item finds all its k bits set with probability fill^k. A filter holding more items than
    /// it was sized for shows it here (61.5% fill at k = 7 is 3.3%, not 1%).
    pub fn estimated_false_positive_rate(&self) -> f64 {
        libm::pow(self.fill_ratio(), f64::from(self.hashes))
    }

    /// Clears bit `index`: only for the experiment that shows why a Bloom filter cannot remove.
    fn clear(&mut self, index: u64) {
        let (word, mask) = ((index / 64) as usize, 1u64 << (index % 64));
        if self.words[word] & mask != 0 {
            self.words[word] &= !mask;
            self.set -= 1;
        }
    }

    fn set_bit(&mut self, index: u64) {
        let (word, mask) = ((index / 64) as usize, 1u64 << (index % 64));
        if self.words[word] & mask == 0 {
            self.words[word] |= mask;
            self.set += 1;
        }
    }
}

/// The `k` positions of one item: `(h1 + i·h2) mod m` for `i` in `0..k`.
#[derive(Clone, Debug)]
pub struct Indices {
    next: u64,
    step: u64,
    bits: u64,
    left: u32,
}

impl Iterator for Indices {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let this = self.next;
        // Both are below m, so the sum is below 2m: one subtraction reduces it (with the carry
        // out of 64 bits taken into account, for any m).
        let (sum, carry) = self.next.overflowing_add(self.step);
        self.next = if carry || sum >= self.bits { sum.wrapping_sub(self.bits) } else { sum };
        Some(this)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left as usize, Some(self.left as usize))
    }
}

// ---------------------------------------------------------------------------------------------
// Measurement on synthetic items

/// The synthetic items of a measurement: 9 bytes, a tag (0 for items that are inserted, 1 for
/// items that never are, so an "absent" item is absent by construction) and 8 bytes drawn from a
/// ChaCha8 stream seeded by `seed` (the same natively and on wasm32).
pub fn synthetic_items(seed: u64, absent: bool) -> impl Iterator<Item = [u8; 9]> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(absent as u64);
    std::iter::repeat_with(move || {
        let mut item = [absent as u8; 9];
        item[1..].copy_from_slice(&rng.random::<u64>().to_le_bytes());
        item
    })
}

/// Inserts the first `count` synthetic present items of `seed`, skipping the first `skip`.
fn fill(filter: &mut BloomFilter, seed: u64, skip: u64, count: u64) {
    for item in synthetic_items(seed, false).skip(skip as usize).take(count as usize) {
        filter.insert(&item);
    }
}

/// One measurement: a filter holding `items` items, asked about `queries` absent ones.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FprPoint {
    pub bits: u64,
    pub hashes: u32,
    pub items: u64,
    pub queries: u64,
    pub false_positives: u64,
    /// `false_positives / queries`.
    pub measured: f64,
    /// The formula `(1 - e^(-kn/m))^k`.
    pub theory: f64,
}

/// Asks `filter` about `queries` synthetic absent items of `seed` and counts the false positives.
pub fn measure(filter: &BloomFilter, queries: u64, seed: u64) -> FprPoint {
    let false_positives =
        synthetic_items(seed, true).take(queries as usize).filter(|item| filter.contains(item)).count()
            as u64;
    FprPoint {
        bits: filter.bits(),
        hashes: filter.hashes(),
        items: filter.items(),
        queries,
        false_positives,
        measured: if queries == 0 { 0.0 } else { false_positives as f64 / queries as f64 },
        theory: false_positive_rate(filter.bits(), filter.hashes(), filter.items()),
    }
}

fn check_work(items: u64, queries: u64) -> Result<(), String> {
    if items > MAX_SWEEP_ITEMS {
        return Err(format!(
            "A measurement inserts at most {} items: choose fewer.",
            format::group_digits(MAX_SWEEP_ITEMS as u128)
        ));
    }
    if queries == 0 || queries > MAX_SWEEP_QUERIES {
        return Err(format!(
            "A measurement asks about 1 to {} absent items in all.",
            format::group_digits(MAX_SWEEP_QUERIES as u128)
        ));
    }
    Ok(())
}

/// The false-positive rate of one filter of `bits` and `hashes` as it fills: measured with
/// `queries` absent items at `points + 1` evenly spaced counts from 0 to `max_items`.
pub fn fpr_by_items(
    bits: u64,
    hashes: u32,
    max_items: u64,
    points: u32,
    queries: u64,
    seed: u64,
) -> Result<Vec<FprPoint>, String> {
    if !(1..=50).contains(&points) {
        return Err("Measure at 1 to 50 points.".to_string());
    }
    check_work(max_items, queries.saturating_mul(points as u64 + 1))?;
    let mut filter = BloomFilter::new(bits, hashes)?;
    let mut out = Vec::with_capacity(points as usize + 1);
    for i in 0..=points as u64 {
        let target = max_items * i / points as u64;
        let have = filter.items();
        fill(&mut filter, seed, have, target - have);
        out.push(measure(&filter, queries, seed));
    }
    Ok(out)
}

/// The false-positive rate of `bits` bits holding `items` items for every `k` from 1 to
/// `max_hashes`, each measured with `queries` absent items (the same items and queries for every k).
pub fn fpr_by_hashes(
    bits: u64,
    items: u64,
    max_hashes: u32,
    queries: u64,
    seed: u64,
) -> Result<Vec<FprPoint>, String> {
    if !(1..=MAX_HASHES).contains(&max_hashes) {
        return Err(format!("Sweep k from 1 to at most {MAX_HASHES}."));
    }
    check_work(items.saturating_mul(max_hashes as u64), queries.saturating_mul(max_hashes as u64))?;
    (1..=max_hashes)
        .map(|k| {
            let mut filter = BloomFilter::new(bits, k)?;
            fill(&mut filter, seed, 0, items);
            Ok(measure(&filter, queries, seed))
        })
        .collect()
}

/// The range of item counts the page's "as it fills" plot covers for `m` and `k`: twice the
/// filter's [`capacity`], between 10 and 20,000 items (the plot stays cheap for any size).
pub fn plot_items(bits: u64, hashes: u32) -> u64 {
    (libm::round(2.0 * capacity(bits, hashes)) as u64).clamp(10, 20_000)
}

/// The largest `k` the page's "against k" plot sweeps for `m` bits holding `n` items: a little
/// beyond twice the optimum, from 4 to 32.
pub fn plot_hashes(bits: u64, items: u64) -> u32 {
    let optimum = optimal_hashes(bits, items);
    if optimum.is_finite() { (libm::ceil(2.0 * optimum) as u32 + 2).clamp(4, 32) } else { 32 }
}

/// The largest filter the page's live plots measure (2^24 bits, 2 MiB): each plot builds up to 32
/// filters, so larger sizes are left to the formula.
pub const PLOT_MAX_BITS: u64 = 1 << 24;
/// Absent items each point of the page's live plots is measured with.
pub const PLOT_QUERIES: u64 = 10_000;

/// A measured sweep, or why it was not measured.
pub type Sweep = Result<Vec<FprPoint>, String>;

/// The page's two live plots for `m` bits and `k` hashes, `n` expected items: the rate as the
/// filter fills (to [`plot_items`]) and the rate against k for `n` items (to [`plot_hashes`]).
pub fn plot_sweeps(bits: u64, hashes: u32, items: u64, seed: u64) -> (Sweep, Sweep) {
    if bits > PLOT_MAX_BITS {
        let why = format!(
            "The plots measure filters of up to {} bits (2^24); for larger ones, trust the formula.",
            format::group_digits(PLOT_MAX_BITS as u128)
        );
        return (Err(why.clone()), Err(why));
    }
    let by_items = fpr_by_items(bits, hashes, plot_items(bits, hashes), 10, PLOT_QUERIES, seed);
    let by_hashes = fpr_by_hashes(bits, items, plot_hashes(bits, items), PLOT_QUERIES, seed).map_err(|e| {
        format!("{e} The plot against k fills a filter with n items for every k: choose a smaller n.")
    });
    (by_items, by_hashes)
}

// ---------------------------------------------------------------------------------------------
// The page's demo: a filter of the items a person typed

/// What checking an item answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// One of its bits is 0: certainly never added.
    No,
    /// Every bit is set and the item was added.
    ProbablyYesAdded,
    /// Every bit is set, but the item was never added: a false positive.
    FalsePositive,
}

/// An item checked against the demo filter: its bits, whether each is set, and the answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub indices: Vec<u64>,
    pub set: Vec<bool>,
    pub answer: Answer,
}

/// How full one drawn cell of the bit array is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    Empty,
    /// Some of the bits the cell stands for are set (only when a cell stands for several bits).
    Partial,
    Full,
}

/// The most items the demo holds and the longest item, so that any link stays small.
pub const MAX_DEMO_ITEMS: usize = 200;
pub const MAX_ITEM_CHARS: usize = 64;

/// The items a person added, and the filter they fill.
#[derive(Clone, Debug, PartialEq)]
pub struct Demo {
    pub filter: BloomFilter,
    pub items: Vec<String>,
}

impl Demo {
    pub fn new(bits: u64, hashes: u32, items: &[String]) -> Result<Demo, String> {
        let mut filter = BloomFilter::new(bits, hashes)?;
        for item in items {
            filter.insert(item.as_bytes());
        }
        Ok(Demo { filter, items: items.to_vec() })
    }

    /// The bits `item` checks, and the answer, which knows whether the item was really added.
    pub fn check(&self, item: &str) -> Check {
        let indices: Vec<u64> = self.filter.indices(item.as_bytes()).collect();
        let set: Vec<bool> = indices.iter().map(|&i| self.filter.is_set(i)).collect();
        let answer = if set.iter().any(|s| !s) {
            Answer::No
        } else if self.items.iter().any(|i| i == item) {
            Answer::ProbablyYesAdded
        } else {
            Answer::FalsePositive
        };
        Check { indices, set, answer }
    }

    /// The bit array drawn as at most `max_cells` cells: how many bits one cell stands for, and
    /// each cell's state.
    pub fn cells(&self, max_cells: u64) -> (u64, Vec<Cell>) {
        let m = self.filter.bits();
        let per = m.div_ceil(max_cells.max(1));
        let cells = (0..m.div_ceil(per))
            .map(|c| {
                let (from, to) = (c * per, ((c + 1) * per).min(m));
                match self.filter.ones_in(from, to) {
                    0 => Cell::Empty,
                    n if n == to - from => Cell::Full,
                    _ => Cell::Partial,
                }
            })
            .collect();
        (per, cells)
    }
}

/// The items of a link or a text box: one per line, trimmed, empty lines dropped, at most
/// [`MAX_DEMO_ITEMS`] of at most [`MAX_ITEM_CHARS`] characters.
pub fn split_items(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.trim().chars().take(MAX_ITEM_CHARS).collect::<String>())
        .filter(|l| !l.is_empty())
        .take(MAX_DEMO_ITEMS)
        .collect()
}

/// An item typed to be added: not empty, not too long, not added already, and room left.
pub fn check_new_item(text: &str, items: &[String]) -> Result<String, String> {
    let item = text.trim();
    if item.is_empty() {
        return Err("Type an item to add, for example a user name.".to_string());
    }
    if item.chars().count() > MAX_ITEM_CHARS {
        return Err(format!("Keep an item to at most {MAX_ITEM_CHARS} characters."));
    }
    if items.iter().any(|i| i == item) {
        return Err(format!("\"{item}\" is already added: adding it again would set no new bit."));
    }
    if items.len() >= MAX_DEMO_ITEMS {
        return Err(format!("The demo holds at most {MAX_DEMO_ITEMS} items: clear it to start again."));
    }
    Ok(item.to_string())
}

fn whole(text: &str) -> Option<u64> {
    let cleaned: String =
        text.trim().chars().filter(|c| !matches!(c, ',' | '_' | ' ' | '\u{2009}')).collect();
    if let Ok(v) = cleaned.parse::<u64>() {
        return Some(v);
    }
    // Scientific notation for round numbers: 1e9.
    let v: f64 = cleaned.parse().ok()?;
    (v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 1.8e19).then_some(v as u64)
}

/// The size m typed in a field.
pub fn parse_bits(text: &str) -> Result<u64, String> {
    match whole(text) {
        Some(m) if (1..=MAX_BITS).contains(&m) => Ok(m),
        Some(m) if m > MAX_BITS => BloomFilter::new(m, 1).map(|f| f.bits()),
        _ => Err(format!(
            "Enter the size m as a whole number of bits from 1 to {} (2^30).",
            format::group_digits(MAX_BITS as u128)
        )),
    }
}

/// The number of hash functions k typed in a field.
pub fn parse_hashes(text: &str) -> Result<u32, String> {
    match whole(text) {
        Some(0) => BloomFilter::new(1, 0).map(|f| f.hashes()),
        Some(k) if k <= MAX_HASHES as u64 => Ok(k as u32),
        _ => Err(format!("Enter k as a whole number of hash functions from 1 to {MAX_HASHES}.")),
    }
}

/// The number of expected items n typed in a field (`1000000`, `1,000,000` or `1e6`).
pub fn parse_items(text: &str) -> Result<u64, String> {
    match whole(text) {
        Some(n) if n >= 1 => Ok(n),
        _ => Err("Enter the expected number of items as a whole number, at least 1 (1e9 is a billion)."
            .to_string()),
    }
}

/// A false-positive rate typed in a field: `0.01`, `1%` or `1e-6`.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let (number, scale) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), 0.01),
        None => (t, 1.0),
    };
    let p = number.parse::<f64>().map(|v| v * scale).unwrap_or(f64::NAN);
    if p > 0.0 && p < 1.0 {
        Ok(p)
    } else {
        Err("Enter the false-positive rate between 0 and 1, as 0.01 or 1% (exclusive of 0 and 100%)."
            .to_string())
    }
}

// ---------------------------------------------------------------------------------------------
// The page's experiments

/// The experiments size their filters for this many items at this rate, and query this many
/// absent items, with this seed (m = 9,586 bits, k = 7).
pub const EXPERIMENT_ITEMS: u64 = 1_000;
pub const EXPERIMENT_RATE: f64 = 0.01;
pub const EXPERIMENT_QUERIES: u64 = 100_000;
pub const EXPERIMENT_SEED: u64 = 1;

fn count(x: u64) -> String {
    format::group_digits(x as u128)
}

/// Experiment 1's result: one filter sized for `n` at `p`, filled with `n` items.
#[derive(Clone, Debug, PartialEq)]
pub struct FprExperiment {
    pub sizing: Sizing,
    pub point: FprPoint,
    /// The same filter measured as it fills, to twice `n`.
    pub sweep: Vec<FprPoint>,
    pub outcome: Outcome,
}

/// Experiment 1: the measured false-positive rate over `queries` absent items against the
/// formula, within 15 %.
pub fn fpr_experiment(n: u64, p: f64, queries: u64, seed: u64) -> Result<FprExperiment, String> {
    let sizing = Sizing::for_items(n, p)?;
    check_work(n, queries)?;
    let mut filter = BloomFilter::with_sizing(sizing)?;
    fill(&mut filter, seed, 0, n);
    let point = measure(&filter, queries, seed);
    let sweep = fpr_by_items(sizing.bits, sizing.hashes, 2 * n, 10, (queries / 10).max(1), seed)?;
    let outcome = Outcome::within(
        point.measured,
        point.theory,
        0.15,
        Shown { measured: percent, expected: percent },
        format!(
            "{} false positives among {} items never added, after adding {} items to m = {} bits with k = {} (sized for {} at p = {}, seed {seed}).",
            count(point.false_positives),
            count(queries),
            count(n),
            count(sizing.bits),
            sizing.hashes,
            count(n),
            percent(p),
        ),
    );
    Ok(FprExperiment { sizing, point, sweep, outcome })
}

/// Experiment 2's result.
#[derive(Clone, Debug, PartialEq)]
pub struct OptimalK {
    pub sizing: Sizing,
    pub items: u64,
    /// `(m/n) ln 2`.
    pub optimum: f64,
    /// The k with the lowest measured rate.
    pub best: u32,
    pub sweep: Vec<FprPoint>,
    pub outcome: Outcome,
}

/// Experiment 2: for the sizing of `n` at `p`, the `k` with the lowest measured false-positive
/// rate is within one of `round((m/n) ln 2)` (the curve is flat near its minimum, so sampling
/// noise can move the lowest point by one).
pub fn optimal_k_experiment(n: u64, p: f64, queries: u64, seed: u64) -> Result<OptimalK, String> {
    let sizing = Sizing::for_items(n, p)?;
    let optimum = optimal_hashes(sizing.bits, n);
    let max_k = plot_hashes(sizing.bits, n);
    let sweep = fpr_by_hashes(sizing.bits, n, max_k, queries, seed)?;
    let best = sweep
        .iter()
        .min_by(|a, b| a.measured.total_cmp(&b.measured).then(a.hashes.cmp(&b.hashes)))
        .map_or(1, |p| p.hashes);
    let target = libm::round(optimum);
    let at = |k: u32| sweep.get(k as usize - 1).map_or(f64::NAN, |p| p.measured);
    let outcome = Outcome {
        measured: format!("k = {best} ({})", percent(at(best))),
        expected: format!(
            "k = round((m/n) ln 2) = round({}) = {target} (within ±1)",
            format::significant(optimum, 3)
        ),
        reproduced: (best as f64 - target).abs() <= 1.0,
        detail: format!(
            "m = {} bits holding {} items, k from 1 to {max_k}, each asked about {} items never added (seed {seed}).",
            count(sizing.bits),
            count(n),
            count(queries)
        ),
    };
    Ok(OptimalK { sizing, items: n, optimum, best, sweep, outcome })
}

/// Experiment 3's result.
#[derive(Clone, Debug, PartialEq)]
pub struct Removal {
    pub sizing: Sizing,
    pub items: u64,
    /// How many items were removed in turn (each on the full filter).
    pub removals: u64,
    /// Other items that tested negative after a removal, summed over the removals.
    pub lost: u64,
    /// The most items one removal took with it.
    pub worst: u64,
    /// False negatives before any removal (always 0).
    pub false_negatives_before: u64,
    /// `(n - 1)(1 - (1 - k/m)^k)`: the items that share at least one bit with the removed one.
    pub expected: f64,
    pub outcome: Outcome,
}

/// Experiment 3: "removing" an item by clearing its `k` bits from a filter sized for `n` at `p`
/// and filled with `n` items makes other items test negative: false negatives, which a Bloom
/// filter must never give. Each of the first `removals` items is removed in turn (its bits put
/// back afterwards), and the other items that vanish are counted.
pub fn removal_experiment(n: u64, p: f64, removals: u64, seed: u64) -> Result<Removal, String> {
    let sizing = Sizing::for_items(n, p)?;
    check_work(n, n.saturating_mul(removals).max(1))?;
    if n < 2 || removals == 0 || removals > n {
        return Err("Remove 1 to n items from a filter of at least 2 items.".to_string());
    }
    let mut filter = BloomFilter::with_sizing(sizing)?;
    let items: Vec<[u8; 9]> = synthetic_items(seed, false).take(n as usize).collect();
    for item in &items {
        filter.insert(item);
    }
    let false_negatives_before = items.iter().filter(|i| !filter.contains(&i[..])).count() as u64;
    let (mut lost, mut worst) = (0u64, 0u64);
    for (r, removed) in items.iter().take(removals as usize).enumerate() {
        let bits: Vec<u64> = filter.indices(removed).collect();
        for &b in &bits {
            filter.clear(b);
        }
        let gone =
            items.iter().enumerate().filter(|&(i, item)| i != r && !filter.contains(item)).count() as u64;
        for &b in &bits {
            filter.set_bit(b);
        }
        lost += gone;
        worst = worst.max(gone);
    }
    let (m, k) = (sizing.bits as f64, sizing.hashes as f64);
    let expected = (n - 1) as f64 * (1.0 - libm::pow(1.0 - k / m, k));
    let mean = lost as f64 / removals as f64;
    let outcome = Outcome::within(
        mean,
        expected,
        0.25,
        Shown { measured: |x| format!("{} other items lost", format::significant(x, 3)), expected: plain },
        format!(
            "Clearing the {} bits of one item, for each of {} items in turn, in a filter of {} items (m = {}, k = {}): \
             {} other items tested \"no\" in all, at most {} for one removal. Before any removal: {} false negatives.",
            sizing.hashes,
            count(removals),
            count(n),
            count(sizing.bits),
            sizing.hashes,
            count(lost),
            count(worst),
            count(false_negatives_before)
        ),
    );
    Ok(Removal { sizing, items: n, removals, lost, worst, false_negatives_before, expected, outcome })
}

fn plain(x: f64) -> String {
    format!("(n − 1)(1 − (1 − k/m)^k) = {}", format::significant(x, 3))
}

/// One row of the notes-scale sizing table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SizingRow {
    pub items: u64,
    pub rate: f64,
    pub sizing: Sizing,
}

impl SizingRow {
    pub fn bits_per_item(&self) -> f64 {
        self.sizing.bits as f64 / self.items as f64
    }
}

/// The rows of the notes-scale table: a million and a billion keys at 1 %, 0.1 % and one in a
/// million.
pub const SIZING_TABLE: [(u64, f64); 6] = [
    (1_000_000, 0.01),
    (1_000_000, 0.001),
    (1_000_000, 1e-6),
    (1_000_000_000, 0.01),
    (1_000_000_000, 0.001),
    (1_000_000_000, 1e-6),
];

/// Experiment 4's result.
#[derive(Clone, Debug, PartialEq)]
pub struct SizingCheck {
    pub rows: Vec<SizingRow>,
    /// A filter sized by the formula, filled and measured.
    pub point: FprPoint,
    pub outcome: Outcome,
}

/// Experiment 4: the notes-scale table, and a filter sized by the formula for `n` items at `p`
/// (small enough to allocate) delivering the rate asked for, within 15 %.
pub fn sizing_experiment(n: u64, p: f64, queries: u64, seed: u64) -> Result<SizingCheck, String> {
    let rows = SIZING_TABLE
        .iter()
        .map(|&(items, rate)| Sizing::for_items(items, rate).map(|sizing| SizingRow { items, rate, sizing }))
        .collect::<Result<Vec<_>, _>>()?;
    let sizing = Sizing::for_items(n, p)?;
    check_work(n, queries)?;
    let mut filter = BloomFilter::with_sizing(sizing)?;
    fill(&mut filter, seed, 0, n);
    let point = measure(&filter, queries, seed);
    let outcome = Outcome::within(
        point.measured,
        p,
        0.15,
        Shown { measured: percent, expected: percent },
        format!(
            "Sized for {} items at {}: m = {} bits ({}, {} bits per item), k = {}; {} false positives among {} items never added (seed {seed}).",
            count(n),
            percent(p),
            count(sizing.bits),
            format::bytes(sizing.memory_bytes()),
            format::significant(sizing.bits as f64 / n as f64, 3),
            sizing.hashes,
            count(point.false_positives),
            count(queries)
        ),
    );
    Ok(SizingCheck { rows, point, outcome })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sizing_matches_the_formula_exactly() {
        // m = ceil(-n ln p / (ln 2)^2), k = round((m/n) ln 2); the expected values were computed
        // with 50-digit decimals in Python (1e9 at 1 %: 9,585,058,377.367... bits).
        for (n, p, bits, hashes) in [
            (10_000u64, 1e-6, 287_552u64, 20u32),
            (1_000, 0.01, 9_586, 7),
            (1_000_000_000, 0.01, 9_585_058_378, 7),
            (1_000_000, 0.01, 9_585_059, 7),
            (1, 0.5, 2, 1),
            // The lowest rate the refusal below names: m = ceil(43.75 / 0.4805) = 92, k = 64.
            (1, 1e-19, 92, MAX_HASHES),
        ] {
            assert_eq!(Sizing::for_items(n, p), Ok(Sizing { bits, hashes }), "n = {n}, p = {p}");
        }
        let billion = Sizing::for_items(1_000_000_000, 0.01).unwrap();
        assert!(billion.bits > 1 << 32, "more than wasm32's usize can count");
        assert_eq!(billion.memory_bytes(), 1_198_132_304.0);
        assert_eq!(format::bytes(billion.memory_bytes()), "1.2 GB");
    }

    #[test]
    fn the_estimated_rate_is_the_fill_to_the_power_k() {
        let mut f = BloomFilter::new(16, 3).unwrap();
        assert_eq!(f.estimated_false_positive_rate(), 0.0, "an empty filter answers no to all");
        for i in 0..8 {
            f.set_bit(i);
        }
        // Half the bits set: each of the 3 probes of an absent item hits a 1 with chance 1/2.
        assert_eq!(f.estimated_false_positive_rate(), 0.125);
        for i in 8..16 {
            f.set_bit(i);
        }
        assert_eq!(f.estimated_false_positive_rate(), 1.0, "a full filter answers yes to all");
    }

    #[test]
    fn bad_input_gets_a_message() {
        for (n, p, says) in [
            (0u64, 0.01, "at least 1 expected item"),
            (1000, 0.0, "strictly between 0 and 1"),
            (1000, 1.0, "strictly between 0 and 1"),
            (1000, -0.5, "strictly between 0 and 1"),
            (1000, f64::NAN, "strictly between 0 and 1"),
            (u64::MAX, 1e-300, "more than 2^64 bits"),
            // m = ceil(69.08 / 0.4805) = 144 bits, k = round(144 ln 2) = round(99.8) = 100.
            (1, 1e-30, "A false-positive rate of 1.00e-30 needs k = 100 hash functions, more than the 64"),
            (1_000, 1e-20, "rate of 1.00e-20 needs k = 66"),
        ] {
            let err = Sizing::for_items(n, p).unwrap_err();
            assert!(err.contains(says), "{n}, {p}: {err}");
        }
        for (m, k, says) in [
            (0u64, 3u32, "at least 1 bit"),
            (MAX_BITS + 1, 3, "at most 1,073,741,824 bits"),
            (9_585_058_378, 7, "more than this page allocates"),
            (100, 0, "at least 1 hash"),
            (100, MAX_HASHES + 1, "at most 64 hash"),
        ] {
            let err = BloomFilter::new(m, k).unwrap_err();
            assert!(err.contains(says), "{m}, {k}: {err}");
        }
        assert_eq!(parse_bits("1,024"), Ok(1024));
        assert_eq!(parse_bits("1e6"), Ok(1_000_000));
        assert!(parse_bits("2000000000").unwrap_err().contains("more than this page allocates"));
        assert!(parse_bits("ten").unwrap_err().contains("whole number of bits"));
        assert!(parse_bits("-3").is_err() && parse_bits("").is_err() && parse_bits("1.5").is_err());
        assert!(parse_hashes("0").unwrap_err().contains("at least 1 hash"));
        assert!(parse_hashes("65").unwrap_err().contains("from 1 to 64"));
        assert_eq!(parse_items("1e9"), Ok(1_000_000_000));
        assert!(parse_items("0").is_err());
        assert_eq!(parse_rate("1%"), Ok(0.01));
        assert_eq!(parse_rate("1e-6"), Ok(1e-6));
        for bad in ["0", "1", "100%", "abc", "NaN", "inf", ""] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn indices_follow_double_hashing() {
        // xxh3_128(b"apple") = 0x5ac82be78f916755_5cf5d97583ab91bb (Python's xxhash 3.x);
        // h1 = 0x5cf5d97583ab91bb, h2 = 0x5ac82be78f916755 (already odd); (h1 + i·h2) mod 1000.
        assert_eq!(xxh3_128(b"apple"), 0x5ac8_2be7_8f91_6755_5cf5_d975_83ab_91bb);
        let filter = BloomFilter::new(1000, 5).unwrap();
        assert_eq!(filter.indices(b"apple").collect::<Vec<_>>(), vec![115, 360, 605, 850, 95]);
        // With m = 2^64 - 1 the sums carry out of 64 bits: still (h1 + i·h2) mod m exactly.
        let big = Indices { next: u64::MAX - 5, step: u64::MAX - 3, bits: u64::MAX, left: 3 };
        assert_eq!(big.collect::<Vec<_>>(), vec![u64::MAX - 5, u64::MAX - 8, u64::MAX - 11]);
    }

    #[test]
    fn a_filter_counts_what_it_holds() {
        let mut filter = BloomFilter::new(1000, 5).unwrap();
        assert!(!filter.contains(b"apple"));
        assert!(filter.insert(b"apple"));
        assert!(!filter.insert(b"apple"), "the second insert sets no new bit");
        assert!(filter.contains(b"apple"));
        assert_eq!((filter.items(), filter.bits_set(), filter.memory_bytes()), (2, 5, 128));
        assert_eq!(filter.fill_ratio(), 0.005);
        assert_eq!(filter.ones_in(0, 1000), 5);
        assert_eq!(filter.ones_in(95, 96), 1);
        assert_eq!(filter.ones_in(116, 360), 0);
        assert_eq!(filter.ones_in(95, 851), 5);
        assert_eq!(filter.ones_in(96, 850), 3);
    }

    #[test]
    fn the_formulas() {
        // n = 1,000 in 9,586 bits with 7 hashes: (1 - e^(-7000/9586))^7.
        let p = false_positive_rate(9_586, 7, 1_000);
        assert!((p - 0.010_034_532).abs() < 1e-9, "{p}");
        assert_eq!(false_positive_rate(9_586, 7, 0), 0.0);
        assert!((optimal_hashes(9_586, 1_000) - 6.644_508).abs() < 1e-6);
        assert_eq!(optimal_hashes(100, 0), f64::INFINITY);
        assert_eq!(plot_hashes(9_586, 1_000), 16);
        assert_eq!(plot_items(9_586, 7), 1_898);
    }

    #[test]
    fn measured_rate_is_within_15_percent_of_the_formula() {
        let r = fpr_experiment(1_000, 0.01, 100_000, EXPERIMENT_SEED).unwrap();
        assert_eq!(r.sizing, Sizing { bits: 9_586, hashes: 7 });
        assert_eq!(r.point.queries, 100_000);
        // Pinned: web/tests/bloom.rs checks that wasm32 counts the same.
        assert_eq!(r.point.false_positives, 931);
        let off = (r.point.measured - r.point.theory).abs() / r.point.theory;
        assert!(off <= 0.15, "measured {} against {}", r.point.measured, r.point.theory);
        assert!(r.outcome.reproduced);
        assert_eq!(r.sweep.len(), 11);
        assert_eq!(r.sweep[0].false_positives, 0, "an empty filter says no to everything");
        assert!(
            r.sweep.windows(2).all(|w| w[0].false_positives <= w[1].false_positives),
            "bits are only ever set"
        );
    }

    #[test]
    fn the_other_experiments_reproduce() {
        let k = optimal_k_experiment(1_000, 0.01, 100_000, EXPERIMENT_SEED).unwrap();
        assert!(k.outcome.reproduced, "{:?}", k.outcome);
        assert_eq!((k.best, k.sweep.len(), k.outcome.measured.as_str()), (7, 16, "k = 7 (0.931%)"));
        let r = removal_experiment(1_000, 0.01, 200, EXPERIMENT_SEED).unwrap();
        assert_eq!(r.false_negatives_before, 0);
        assert!(r.outcome.reproduced, "{:?}", r.outcome);
        assert_eq!((r.lost, r.outcome.measured.as_str()), (1_072, "5.36 other items lost"));
        let s = sizing_experiment(100_000, 0.01, 100_000, EXPERIMENT_SEED).unwrap();
        assert!(s.outcome.reproduced, "{:?}", s.outcome);
        assert_eq!(s.rows[3].sizing, Sizing { bits: 9_585_058_378, hashes: 7 });
        assert_eq!(s.rows[5].sizing.hashes, 20);
    }

    #[test]
    fn the_demo_knows_a_false_positive() {
        let items: Vec<String> = (0..40).map(|i| format!("user{i}")).collect();
        let demo = Demo::new(64, 3, &items).unwrap();
        assert_eq!(demo.check("user7").answer, Answer::ProbablyYesAdded);
        let answers: Vec<Answer> = (0..200).map(|i| demo.check(&format!("guest{i}")).answer).collect();
        assert!(answers.contains(&Answer::No));
        assert_eq!(answers[0], Answer::FalsePositive, "guest0, as the page's end-to-end test relies on");
        let (per, cells) = demo.cells(16);
        assert_eq!((per, cells.len()), (4, 16));
        let (per, cells) = Demo::new(10, 1, &[]).unwrap().cells(1024);
        assert_eq!((per, cells), (1, vec![Cell::Empty; 10]));
        assert_eq!(split_items(" a \n\nb\r\n"), vec!["a", "b"]);
        assert!(check_new_item("  ", &[]).unwrap_err().contains("Type an item"));
        assert!(check_new_item(&"x".repeat(65), &[]).unwrap_err().contains("at most 64 characters"));
        assert!(check_new_item(" a ", &items[..0]).is_ok_and(|i| i == "a"));
        assert!(check_new_item("user3", &items).unwrap_err().contains("already added"));
        let full: Vec<String> = (0..MAX_DEMO_ITEMS).map(|i| i.to_string()).collect();
        assert!(check_new_item("new", &full).unwrap_err().contains("at most 200 items"));
    }

    proptest! {
        #[test]
        fn an_added_item_is_always_found(
            items in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 1..60),
            bits in 1u64..5_000,
            hashes in 1u32..=MAX_HASHES,
        ) {
            let mut filter = BloomFilter::new(bits, hashes).unwrap();
            for item in &items {
                filter.insert(item);
            }
            for item in &items {
                prop_assert!(filter.contains(item));
            }
            prop_assert!(filter.bits_set() <= bits);
            prop_assert_eq!(filter.bits_set(), filter.ones_in(0, bits));
        }

        #[test]
        fn any_typed_text_is_a_value_or_a_message(text in ".{0,80}") {
            if let Ok(m) = parse_bits(&text) {
                prop_assert!((1..=MAX_BITS).contains(&m));
            }
            if let Ok(k) = parse_hashes(&text) {
                prop_assert!((1..=MAX_HASHES).contains(&k));
            }
            prop_assert!(parse_items(&text).is_err_and(|e| !e.is_empty()) || parse_items(&text).unwrap() >= 1);
            if let Ok(p) = parse_rate(&text) {
                prop_assert!(p > 0.0 && p < 1.0);
            }
            let items = split_items(&text);
            prop_assert!(items.iter().all(|i| !i.is_empty() && i.chars().count() <= MAX_ITEM_CHARS));
            let _ = check_new_item(&text, &items);
            let demo = Demo::new(100, 3, &items).unwrap();
            for item in &items {
                prop_assert_ne!(demo.check(item).answer, Answer::No);
            }
        }

        #[test]
        fn any_sizing_is_a_value_or_a_message(n in any::<u64>(), p in any::<f64>()) {
            if let Ok(s) = Sizing::for_items(n, p) {
                prop_assert!(s.bits >= 1 && s.hashes >= 1);
            }
        }
    }
}
