//! UUIDs (the notes, "UUID"; RFC 9562): version 4, 122 random bits, and version 7, 48 bits of Unix
//! milliseconds then random bits, built with the `uuid` crate from bytes of a seeded ChaCha8 RNG and
//! a time passed in; and the birthday bound that says how unlikely a repeat is.
//!
//! A v4 UUID needs no coordination at all: anyone anywhere draws 122 random bits (the other 6 say
//! "version 4, RFC variant"). A v7 UUID puts the time on top so that UUIDs sort by creation time,
//! which keeps database indexes compact. To keep the UUIDs of one generator strictly increasing
//! even within a millisecond, this generator uses RFC 9562's "fixed bit-length dedicated counter"
//! (section 6.2, method 1), as the `uuid` crate's own `ContextV7` does: 42 bits after the timestamp
//! are a counter that starts at a random value below 2^41 in each new millisecond and counts up
//! within it; if it overflows, or if the clock reads earlier than the last UUID, the generator
//! keeps using the last timestamp (moved on by one millisecond on overflow), as section 6.2 allows.
//! The last 32 bits are random.
//!
//! The chance that n random 122-bit values contain a repeat is about 1 - e^(-n²/(2·2^122)) (the
//! birthday bound): half a chance needs about 2.71 × 10^18 UUIDs, a billion a second for about
//! 86 years (Wikipedia, "Universally unique identifier", as quoted in the notes).

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use ::uuid::Uuid;

/// Random bits in a version 4 UUID: 128 minus 4 version bits and 2 variant bits.
pub const V4_RANDOM_BITS: u32 = 122;

/// Makes version 4 UUIDs from a seeded RNG.
#[derive(Clone, Debug)]
pub struct UuidV4Generator {
    rng: ChaCha8Rng,
}

impl UuidV4Generator {
    pub fn new(seed: u64) -> UuidV4Generator {
        UuidV4Generator { rng: ChaCha8Rng::seed_from_u64(seed) }
    }

    pub fn next_uuid(&mut self) -> Uuid {
        let mut bytes = [0u8; 16];
        self.rng.fill_bytes(&mut bytes);
        ::uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}

/// Bits of the v7 counter (12 of `rand_a` and 30 of `rand_b`).
const COUNTER_BITS: u32 = 42;
const COUNTER_MAX: u64 = (1 << COUNTER_BITS) - 1;
/// A new millisecond's counter starts below 2^41, leaving at least 2^41 increments of room.
const COUNTER_START_MASK: u64 = (1 << (COUNTER_BITS - 1)) - 1;
/// The largest timestamp a v7 UUID holds (48 bits of milliseconds: until the year 10889).
pub const V7_MAX_UNIX_MS: u64 = (1 << 48) - 1;

/// Makes version 7 UUIDs that strictly increase, from a seeded RNG and the time passed in.
#[derive(Clone, Debug)]
pub struct UuidV7Generator {
    rng: ChaCha8Rng,
    /// The timestamp and counter of the last UUID.
    last: Option<(u64, u64)>,
}

impl UuidV7Generator {
    pub fn new(seed: u64) -> UuidV7Generator {
        UuidV7Generator { rng: ChaCha8Rng::seed_from_u64(seed), last: None }
    }

    /// The next UUID at time `now_unix_ms` (clamped to the 48-bit range).
    pub fn next_uuid(&mut self, now_unix_ms: u64) -> Uuid {
        let now = now_unix_ms.min(V7_MAX_UNIX_MS);
        let (millis, counter) = match self.last {
            Some((last, counter)) if now <= last => {
                if counter < COUNTER_MAX {
                    (last, counter + 1)
                } else if last < V7_MAX_UNIX_MS {
                    (last + 1, self.rng.random::<u64>() & COUNTER_START_MASK)
                } else {
                    // The very end of time: the counter wraps. Unreachable before the year 10889.
                    (last, 0)
                }
            }
            _ => (now, self.rng.random::<u64>() & COUNTER_START_MASK),
        };
        self.last = Some((millis, counter));
        let tail = self.rng.next_u32().to_be_bytes();
        let bytes = [
            (counter >> 38) as u8 & 0x0f, // the builder puts the version in the high nibble
            (counter >> 30) as u8,
            (counter >> 24) as u8 & 0x3f, // and the variant in the top two bits
            (counter >> 16) as u8,
            (counter >> 8) as u8,
            counter as u8,
            tail[0],
            tail[1],
            tail[2],
            tail[3],
        ];
        ::uuid::Builder::from_unix_timestamp_millis(millis, &bytes).into_uuid()
    }
}

/// A UUID taken apart for the inspector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UuidInfo {
    pub uuid: Uuid,
    /// The standard 8-4-4-4-12 lower-case text.
    pub text: String,
    /// The version number (the 13th hex digit).
    pub version: u8,
    /// The variant in words ("RFC 9562" for the standard 10xx bits).
    pub variant: &'static str,
    /// For version 7, the time in its top 48 bits.
    pub utc: Option<super::utc::UtcTime>,
    /// Bits that carry neither version nor variant nor time.
    pub random_bits: u32,
}

/// Reads a pasted UUID (with or without hyphens or braces, any case) and takes it apart.
pub fn inspect(text: &str) -> Result<UuidInfo, String> {
    let uuid = Uuid::parse_str(text.trim()).map_err(|_| {
        "Enter a UUID as 32 hexadecimal digits, like 550e8400-e29b-41d4-a716-446655440000.".to_string()
    })?;
    let version = uuid.get_version_num() as u8;
    let variant = match uuid.get_variant() {
        ::uuid::Variant::NCS => "NCS (reserved)",
        ::uuid::Variant::RFC4122 => "RFC 9562",
        ::uuid::Variant::Microsoft => "Microsoft (reserved)",
        _ => "future (reserved)",
    };
    let utc = (version == 7).then(|| super::utc::UtcTime::from_unix_ms(i128::from(v7_unix_ms(&uuid))));
    let random_bits = match version {
        4 => V4_RANDOM_BITS,
        7 => 74,
        _ => 0,
    };
    Ok(UuidInfo { text: uuid.hyphenated().to_string(), uuid, version, variant, utc, random_bits })
}

/// The Unix milliseconds in a v7 UUID (its top 48 bits).
pub fn v7_unix_ms(uuid: &Uuid) -> u64 {
    (uuid.as_u128() >> 80) as u64
}

/// The probability that `n` values drawn uniformly from 2^`random_bits` contain at least one
/// repeat: 1 - e^(-n(n-1)/(2N)), computed without losing tiny probabilities to rounding.
pub fn collision_probability(n: f64, random_bits: u32) -> f64 {
    if !(n.is_finite() && n > 1.0) {
        return 0.0;
    }
    let space = 2f64.powi(random_bits as i32);
    -(-(n * (n - 1.0)) / (2.0 * space)).exp_m1()
}

/// How many values give a repeat with probability `p` (0 < p < 1): n ≈ 1/2 + √(2N·ln(1/(1-p))).
pub fn ids_for_probability(p: f64, random_bits: u32) -> f64 {
    let space = 2f64.powi(random_bits as i32);
    0.5 + (2.0 * space * -(-p).ln_1p()).sqrt()
}

/// The birthday-bound calculator of the page: at `rate` IDs a second, how long until the chance of
/// a repeat reaches `probability`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Birthday {
    pub rate_per_s: f64,
    pub probability: f64,
    pub random_bits: u32,
}

/// The calculator's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct BirthdayAnswer {
    /// IDs needed for the probability.
    pub ids: f64,
    /// Seconds to make that many at the rate.
    pub seconds: f64,
    /// The arithmetic, to check by hand.
    pub formula: String,
    /// "85.9 years".
    pub shown: String,
}

impl Birthday {
    /// The notes' question: a billion UUIDs a second, a 50 % chance, 122 random bits.
    pub const NOTES: Birthday = Birthday { rate_per_s: 1e9, probability: 0.5, random_bits: V4_RANDOM_BITS };

    /// Checks the inputs: a rate from 0.001 to 10^18 a second, a probability strictly between
    /// 0 and 1, and 1 to 128 random bits.
    pub fn check(&self) -> Result<(), String> {
        if !(self.rate_per_s.is_finite() && self.rate_per_s >= 1e-3 && self.rate_per_s <= 1e18) {
            return Err("Enter a rate from 0.001 to 10^18 IDs a second.".to_string());
        }
        if !(self.probability > 0.0 && self.probability < 1.0) {
            return Err("Enter a probability above 0 % and below 100 %.".to_string());
        }
        if !(1..=128).contains(&self.random_bits) {
            return Err("Enter from 1 to 128 random bits.".to_string());
        }
        Ok(())
    }

    /// Reads the calculator's three fields as typed: a rate (`1,000,000,000`, `1e9`), a probability
    /// in percent (`50`, `50 %`) and a number of random bits (`122`).
    pub fn parse(rate: &str, percent: &str, bits: &str) -> Result<Birthday, String> {
        let number = |text: &str| -> Option<f64> {
            let cleaned: String = text.chars().filter(|c| !matches!(c, ',' | '_' | ' ' | '%')).collect();
            let looks_numeric = cleaned.starts_with(|c: char| c.is_ascii_digit() || c == '.');
            cleaned.parse::<f64>().ok().filter(|v| looks_numeric && v.is_finite())
        };
        let rate_per_s = number(rate).ok_or("Enter a rate from 0.001 to 10^18 IDs a second.")?;
        let percent = number(percent).ok_or("Enter a probability above 0 % and below 100 %.")?;
        let random_bits = bits.trim().parse::<u32>().map_err(|_| "Enter from 1 to 128 random bits.")?;
        let b = Birthday { rate_per_s, probability: percent / 100.0, random_bits };
        b.check()?;
        Ok(b)
    }

    pub fn answer(&self) -> Result<BirthdayAnswer, String> {
        use crate::format::{count, human_duration_s, significant};
        self.check()?;
        let ids = ids_for_probability(self.probability, self.random_bits);
        let seconds = ids / self.rate_per_s;
        let formula = format!(
            "n ≈ √(2 × 2^{} × ln(1 / (1 − {}))) = {} IDs; ÷ {} IDs/s = {} s",
            self.random_bits,
            significant(self.probability, 3),
            significant(ids, 3),
            count(self.rate_per_s),
            significant(seconds, 3),
        );
        Ok(BirthdayAnswer { ids, seconds, formula, shown: human_duration_s(seconds) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::uuid::{Variant, Version};
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[test]
    fn v4_has_the_right_version_and_variant_bits() {
        let mut g = UuidV4Generator::new(42);
        for _ in 0..1000 {
            let u = g.next_uuid();
            assert_eq!(u.get_version(), Some(Version::Random));
            assert_eq!(u.get_variant(), Variant::RFC4122);
            let text = u.hyphenated().to_string();
            // 8-4-4-4-12 lower-case hex, version nibble 4, variant nibble 8, 9, a or b.
            assert_eq!(text.len(), 36);
            assert_eq!(text.split('-').map(str::len).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
            assert_eq!(&text[14..15], "4");
            assert!(matches!(&text[19..20], "8" | "9" | "a" | "b"), "{text}");
            assert_eq!(text, text.to_lowercase());
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_uuids() {
        let a: Vec<Uuid> = {
            let mut g = UuidV4Generator::new(7);
            (0..5).map(|_| g.next_uuid()).collect()
        };
        let mut g = UuidV4Generator::new(7);
        assert_eq!(a, (0..5).map(|_| g.next_uuid()).collect::<Vec<_>>());
        let mut other = UuidV4Generator::new(8);
        assert_ne!(a[0], other.next_uuid());
    }

    #[test]
    fn v7_carries_the_time_and_the_right_bits() {
        let mut g = UuidV7Generator::new(1);
        let u = g.next_uuid(1_656_432_460_105);
        assert_eq!(u.get_version(), Some(Version::SortRand));
        assert_eq!(u.get_variant(), Variant::RFC4122);
        assert_eq!(v7_unix_ms(&u), 1_656_432_460_105);
        // 1656432460105 = 0x0181_ab11_8149: the first 12 hex digits of the text.
        assert!(u.hyphenated().to_string().starts_with("0181ab11-8149-7"), "{u}");
    }

    #[test]
    fn v7_strings_from_one_generator_strictly_increase() {
        let mut g = UuidV7Generator::new(3);
        let mut last = String::new();
        // Many in one millisecond, then a clock that steps back: still increasing.
        let clock =
            (0..5000).map(|i| 1_700_000_000_000 + i / 1000).chain((0..100).map(|_| 1_700_000_000_001));
        for now in clock {
            let u = g.next_uuid(now);
            let text = u.hyphenated().to_string();
            assert!(text > last, "{last} then {text}");
            assert_eq!(u.get_version(), Some(Version::SortRand));
            assert_eq!(u.get_variant(), Variant::RFC4122);
            last = text;
        }
        // The clock moved back to ...001 but the UUIDs kept the last timestamp, ...004.
        assert_eq!(v7_unix_ms(&Uuid::parse_str(&last).unwrap()), 1_700_000_000_004);
    }

    #[test]
    fn v7_counter_overflow_moves_to_the_next_millisecond() {
        let mut g = UuidV7Generator::new(5);
        g.next_uuid(1_000);
        g.last = Some((1_000, COUNTER_MAX));
        let u = g.next_uuid(1_000);
        assert_eq!(v7_unix_ms(&u), 1_001);
        assert_eq!(u.get_version_num(), 7);
    }

    #[test]
    fn birthday_bound_reproduces_the_notes() {
        // 2.71 quintillion UUIDs for a 50 % chance; a billion a second for about 86 years.
        let n = ids_for_probability(0.5, 122);
        assert_eq!(format!("{n:.3e}"), "2.715e18");
        let answer = Birthday::NOTES.answer().unwrap();
        let years = answer.seconds / (365.25 * 86_400.0);
        assert_eq!(format!("{years:.2}"), "86.03");
        assert_eq!(answer.shown, "86 years");
        assert_eq!(
            answer.formula,
            "n ≈ √(2 × 2^122 × ln(1 / (1 − 0.5))) = 2,710,000,000,000,000,000 IDs; ÷ 1,000,000,000 IDs/s = 2,710,000,000 s"
        );
        assert!((collision_probability(n, 122) - 0.5).abs() < 1e-9);
    }

    #[test]
    fn birthday_probabilities_of_small_spaces() {
        // 20 draws from 256 values: 1 - e^(-20 × 19 / 512) = 0.5239.
        assert_eq!(format!("{:.4}", collision_probability(20.0, 8)), "0.5239");
        assert_eq!(collision_probability(1.0, 122), 0.0);
        assert_eq!(collision_probability(f64::NAN, 122), 0.0);
        // A million v4 UUIDs: about 9.4 × 10^-26.
        assert_eq!(format!("{:.2e}", collision_probability(1e6, 122)), "9.40e-26");
    }

    #[test]
    fn bad_calculator_inputs_are_explained() {
        let base = Birthday::NOTES;
        for (b, message) in [
            (Birthday { rate_per_s: 0.0, ..base }, "Enter a rate from 0.001 to 10^18 IDs a second."),
            (Birthday { rate_per_s: f64::NAN, ..base }, "Enter a rate from 0.001 to 10^18 IDs a second."),
            (Birthday { probability: 1.0, ..base }, "Enter a probability above 0 % and below 100 %."),
            (Birthday { probability: 0.0, ..base }, "Enter a probability above 0 % and below 100 %."),
            (Birthday { random_bits: 0, ..base }, "Enter from 1 to 128 random bits."),
        ] {
            assert_eq!(b.answer(), Err(message.to_string()));
        }
    }

    #[test]
    fn inspects_pasted_uuids() {
        // The notes' example is a version 4 UUID of the standard variant.
        let info = inspect("550e8400-e29b-41d4-a716-446655440000").unwrap();
        assert_eq!((info.version, info.variant, info.utc, info.random_bits), (4, "RFC 9562", None, 122));
        let info = inspect(" {0181AB11-8149-73AA-8CA4-0DB16BD86503} ").unwrap();
        assert_eq!(info.text, "0181ab11-8149-73aa-8ca4-0db16bd86503");
        assert_eq!(info.version, 7);
        assert_eq!(info.utc.unwrap().to_string(), "2022-06-28 16:07:40.105 UTC");
        for bad in ["", "550e8400", "not-a-uuid", "550e8400-e29b-41d4-a716-44665544000g"] {
            assert!(inspect(bad).unwrap_err().starts_with("Enter a UUID"), "{bad}");
        }
    }

    #[test]
    fn calculator_fields_parse_what_people_type() {
        assert_eq!(Birthday::parse("1,000,000,000", "50", "122"), Ok(Birthday::NOTES));
        assert_eq!(Birthday::parse("1e9", "50 %", " 122 "), Ok(Birthday::NOTES));
        for (rate, percent, bits, message) in [
            ("fast", "50", "122", "Enter a rate from 0.001 to 10^18 IDs a second."),
            ("-1", "50", "122", "Enter a rate from 0.001 to 10^18 IDs a second."),
            ("inf", "50", "122", "Enter a rate from 0.001 to 10^18 IDs a second."),
            ("1e9", "100", "122", "Enter a probability above 0 % and below 100 %."),
            ("1e9", "", "122", "Enter a probability above 0 % and below 100 %."),
            ("1e9", "50", "129", "Enter from 1 to 128 random bits."),
            ("1e9", "50", "1.5", "Enter from 1 to 128 random bits."),
        ] {
            assert_eq!(
                Birthday::parse(rate, percent, bits),
                Err(message.to_string()),
                "{rate} {percent} {bits}"
            );
        }
    }

    proptest! {
        #[test]
        fn any_calculator_text_answers_or_explains(rate in "\\PC{0,12}", percent in "\\PC{0,6}", bits in "\\PC{0,4}") {
            if let Ok(b) = Birthday::parse(&rate, &percent, &bits) {
                let answer = b.answer().unwrap();
                prop_assert!(answer.seconds.is_finite() && answer.seconds > 0.0);
            }
        }

        #[test]
        fn v7_strictly_increases_for_any_clock(seed in any::<u64>(), clock in proptest::collection::vec(0u64..50, 1..500)) {
            let mut g = UuidV7Generator::new(seed);
            let mut last: Option<Uuid> = None;
            for t in clock {
                let u = g.next_uuid(1_700_000_000_000 + t);
                prop_assert!(last < Some(u));
                prop_assert_eq!(u.get_version_num(), 7);
                last = Some(u);
            }
        }

        #[test]
        fn v4_uuids_do_not_repeat(seed in any::<u64>()) {
            let mut g = UuidV4Generator::new(seed);
            let set: BTreeSet<Uuid> = (0..200).map(|_| g.next_uuid()).collect();
            prop_assert_eq!(set.len(), 200);
        }
    }
}
