//! Points on the hash ring: the 160-bit `Position` type (compared as a 160-bit number, never
//! truncated) and the two hash functions that put keys and servers on it, SHA-1 and XXH3-64.
//!
//! The notes place requests and servers on one ring with the same hash function, for example SHA-1
//! over the whole space `0 ..= 2^160 - 1`. A `Position` holds such a number as three big-endian
//! words (64 + 64 + 32 bits), so the derived ordering is exactly numeric order and a comparison
//! usually stops at the first word. XXH3-64 (Yann Collet's xxHash, version 0.8 "stable" output, via
//! the `xxhash-rust` crate) is the fast option: its 64-bit value `h` is placed at `h · 2^96`, so both
//! functions share one space and one drawing (the fraction of the circle is `h / 2^64` either way).

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use std::fmt;

/// A point of the ring: a whole number from 0 to 2^160 - 1, compared as such.
///
/// The fields are the number's big-endian words: `hi` holds bits 159..96, `mid` bits 95..32 and
/// `lo` bits 31..0, so the derived `Ord` (field by field) is numeric order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub hi: u64,
    pub mid: u64,
    pub lo: u32,
}

impl Position {
    /// 0, the top of the ring (12 o'clock in the drawing).
    pub const ZERO: Position = Position { hi: 0, mid: 0, lo: 0 };
    /// 2^160 - 1, the last position before the ring wraps around to 0.
    pub const MAX: Position = Position { hi: u64::MAX, mid: u64::MAX, lo: u32::MAX };

    /// The number whose 20 big-endian bytes these are (a SHA-1 digest read as a number).
    pub fn from_be_bytes(b: [u8; 20]) -> Position {
        let word = |range: std::ops::Range<usize>| b[range].iter().fold(0u64, |acc, &x| acc << 8 | x as u64);
        Position { hi: word(0..8), mid: word(8..16), lo: word(16..20) as u32 }
    }

    /// The 20 big-endian bytes of the number.
    pub fn to_be_bytes(self) -> [u8; 20] {
        let mut out = [0u8; 20];
        out[0..8].copy_from_slice(&self.hi.to_be_bytes());
        out[8..16].copy_from_slice(&self.mid.to_be_bytes());
        out[16..20].copy_from_slice(&self.lo.to_be_bytes());
        out
    }

    /// A small number as a position (the low 128 bits), for hand-worked examples and tests.
    pub fn from_u128(v: u128) -> Position {
        Position { hi: (v >> 96) as u64, mid: (v >> 32) as u64, lo: v as u32 }
    }

    /// The position of a 64-bit hash value `h`: `h · 2^96`, the same fraction of the circle.
    pub fn from_u64_scaled(h: u64) -> Position {
        Position { hi: h, mid: 0, lo: 0 }
    }

    /// The position at fraction `f` of the circle (clamped to `0..=1`; NaN is 0), to the top 64
    /// bits' precision: for drawing and sampling, not for hashing.
    pub fn from_fraction(f: f64) -> Position {
        const TWO_64: f64 = 18_446_744_073_709_551_616.0;
        let f = if f.is_nan() { 0.0 } else { f.clamp(0.0, 1.0) };
        Position::from_u64_scaled((f * TWO_64) as u64) // `as` saturates at u64::MAX
    }

    /// The number as 40 lowercase hex digits.
    pub fn to_hex(self) -> String {
        format!("{:016x}{:016x}{:08x}", self.hi, self.mid, self.lo)
    }

    /// Parses 1 to 40 hex digits as a number (used for positions typed by a person).
    pub fn from_hex(text: &str) -> Result<Position, String> {
        let text = text.trim();
        let digits = text.strip_prefix("0x").unwrap_or(text);
        if digits.is_empty() || digits.len() > 40 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err("Enter a position as 1 to 40 hexadecimal digits (0-9, a-f).".to_string());
        }
        let padded = format!("{digits:0>40}");
        let mut bytes = [0u8; 20];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&padded[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
        }
        Ok(Position::from_be_bytes(bytes))
    }

    /// `(self - other) mod 2^160`.
    pub fn wrapping_sub(self, other: Position) -> Position {
        let (lo, borrow_lo) = self.lo.overflowing_sub(other.lo);
        let (mid, b1) = self.mid.overflowing_sub(other.mid);
        let (mid, b2) = mid.overflowing_sub(borrow_lo as u64);
        let hi = self.hi.wrapping_sub(other.hi).wrapping_sub((b1 || b2) as u64);
        Position { hi, mid, lo }
    }

    /// The clockwise distance from `self` to `to`, `(to - self) mod 2^160`.
    pub fn clockwise_to(self, to: Position) -> Position {
        to.wrapping_sub(self)
    }

    /// The number divided by 2^160: the fraction of the circle clockwise from the top, from 0 to 1
    /// (the very last positions round up to 1.0 in floating point, which draws at the top again).
    pub fn fraction(self) -> f64 {
        const TWO_64: f64 = 18_446_744_073_709_551_616.0;
        (self.hi as f64 + (self.mid as f64 + self.lo as f64 / 4_294_967_296.0) / TWO_64) / TWO_64
    }

    /// The number modulo `n` (exact over all 160 bits); `None` when `n` is 0.
    pub fn modulo(self, n: u64) -> Option<u64> {
        if n == 0 {
            return None;
        }
        if n <= u32::MAX as u64 {
            // Four 64-bit divisions (cheap natively and on wasm32, where u128 is emulated).
            let r = self.hi % n;
            let r = ((r << 32) | (self.mid >> 32)) % n;
            let r = ((r << 32) | (self.mid & 0xffff_ffff)) % n;
            return Some(((r << 32) | self.lo as u64) % n);
        }
        let n = n as u128;
        let r = (self.hi as u128) % n;
        let r = ((r << 64) | self.mid as u128) % n;
        let r = ((r << 32) | self.lo as u128) % n;
        Some(r as u64)
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// Which function hashes keys and servers onto the ring.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum HashFn {
    /// SHA-1 (FIPS 180-4), 160 bits: the notes' example, the full space `0 ..= 2^160 - 1`.
    #[default]
    Sha1,
    /// XXH3 64-bit with seed 0 (xxHash 0.8): about ten times faster, 64 bits, same output on every
    /// platform.
    Xxh3,
}

impl HashFn {
    pub const ALL: [HashFn; 2] = [HashFn::Sha1, HashFn::Xxh3];

    /// The short name used in the URL query.
    pub fn key(self) -> &'static str {
        match self {
            HashFn::Sha1 => "sha1",
            HashFn::Xxh3 => "xxh3",
        }
    }

    pub fn from_key(key: &str) -> Option<HashFn> {
        HashFn::ALL.into_iter().find(|h| h.key() == key)
    }

    /// The function's name as the page shows it.
    pub fn label(self) -> &'static str {
        match self {
            HashFn::Sha1 => "SHA-1 (160-bit)",
            HashFn::Xxh3 => "XXH3-64 (64-bit)",
        }
    }

    /// Where the function comes from, for the page.
    pub fn source(self) -> &'static str {
        match self {
            HashFn::Sha1 => "SHA-1, FIPS 180-4 (the sha1 crate); the notes' example hash",
            HashFn::Xxh3 => "XXH3-64 with seed 0, Yann Collet's xxHash 0.8 (the xxhash-rust crate)",
        }
    }

    /// How many bits of output the function has (the size of the space it fills).
    pub fn bits(self) -> u32 {
        match self {
            HashFn::Sha1 => 160,
            HashFn::Xxh3 => 64,
        }
    }

    /// Where `bytes` land on the ring.
    pub fn position(self, bytes: &[u8]) -> Position {
        match self {
            HashFn::Sha1 => Position::from_be_bytes(Sha1::digest(bytes).into()),
            HashFn::Xxh3 => Position::from_u64_scaled(xxhash_rust::xxh3::xxh3_64(bytes)),
        }
    }

    /// The hash value behind a position, in hex: 40 digits for SHA-1, 16 for XXH3-64.
    pub fn hex(self, p: Position) -> String {
        match self {
            HashFn::Sha1 => p.to_hex(),
            HashFn::Xxh3 => format!("{:016x}", p.hi),
        }
    }

    /// `hash(key) % n` as classic hashing computes it, from the key's position: the whole 160-bit
    /// value for SHA-1, the 64-bit value for XXH3-64. `None` when `n` is 0.
    pub fn value_rem(self, p: Position, n: u64) -> Option<u64> {
        match self {
            HashFn::Sha1 => p.modulo(n),
            HashFn::Xxh3 => p.hi.checked_rem(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// FIPS 180-2 appendix A test vectors, and xxHash's published XXH3-64 values (seed 0).
    #[test]
    fn hash_functions_match_published_test_vectors() {
        for (hash, input, want) in [
            (HashFn::Sha1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
            (HashFn::Sha1, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            (
                HashFn::Sha1,
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
            ),
            (HashFn::Xxh3, "", "2d06800538d394c2"),
            (HashFn::Xxh3, "abc", "78af5f94892f3950"),
        ] {
            assert_eq!(hash.hex(hash.position(input.as_bytes())), want, "{hash:?}({input:?})");
        }
    }

    #[test]
    fn sha1_positions_keep_all_160_bits() {
        let p = HashFn::Sha1.position(b"abc");
        assert_eq!(p, Position { hi: 0xa9993e364706816a, mid: 0xba3e25717850c26c, lo: 0x9cd0d89d });
        assert_eq!(p.to_hex(), "a9993e364706816aba3e25717850c26c9cd0d89d");
        // Two positions equal in their top 64 bits still compare by the rest.
        let q = Position { lo: p.lo + 1, ..p };
        assert!(p < q);
        // SHA-1("abc") as a number modulo 3 and 10 (checked with Python's big integers).
        assert_eq!(HashFn::Sha1.value_rem(p, 3), Some(2));
        assert_eq!(HashFn::Sha1.value_rem(p, 10), Some(7));
        assert_eq!(HashFn::Sha1.value_rem(p, 0), None);
    }

    #[test]
    fn xxh3_values_are_scaled_onto_the_same_circle() {
        let p = HashFn::Xxh3.position(b"abc");
        assert_eq!(p, Position { hi: 0x78af5f94892f3950, mid: 0, lo: 0 });
        assert_eq!(HashFn::Xxh3.value_rem(p, 10), Some(0x78af5f94892f3950 % 10));
        assert!((p.fraction() - 0x78af5f94892f3950u64 as f64 / 2f64.powi(64)).abs() < 1e-15);
    }

    #[test]
    fn positions_do_wrapping_arithmetic_over_160_bits() {
        let one = Position::from_u128(1);
        assert_eq!(Position::ZERO.wrapping_sub(one), Position::MAX);
        assert_eq!(Position::MAX.clockwise_to(Position::ZERO), one);
        // From 300 clockwise past the top to 100: 2^160 - 200.
        assert_eq!(
            Position::from_u128(300).clockwise_to(Position::from_u128(100)),
            Position::ZERO.wrapping_sub(Position::from_u128(200))
        );
        // A borrow across every word: 2^96 - 1 = (2^96) - 1.
        let two_96 = Position { hi: 1, mid: 0, lo: 0 };
        assert_eq!(two_96.wrapping_sub(one), Position { hi: 0, mid: u64::MAX, lo: u32::MAX });
        assert_eq!(Position::from_u128(1 << 100).fraction(), 2f64.powi(-60));
        assert_eq!(Position::from_fraction(0.5), Position { hi: 1 << 63, mid: 0, lo: 0 });
        assert_eq!(Position::from_fraction(1.0).hi, u64::MAX);
        assert_eq!(Position::from_fraction(f64::NAN), Position::ZERO);
        assert_eq!(Position::from_fraction(-3.0), Position::ZERO);
        assert_eq!(Position::from_hex("0x10"), Ok(Position::from_u128(16)));
        assert_eq!(Position::from_hex("ff").map(|p| p.lo), Ok(255));
        assert!(Position::from_hex("xyz").is_err());
        assert!(Position::from_hex(&"f".repeat(41)).is_err());
        assert_eq!(Position::from_hex(&"f".repeat(40)), Ok(Position::MAX));
    }

    /// `n` as a big-endian byte string modulo `m`, by schoolbook long division: the reference for `modulo`.
    fn slow_rem(bytes: [u8; 20], m: u64) -> u64 {
        bytes.iter().fold(0u128, |r, &b| (r * 256 + b as u128) % m as u128) as u64
    }

    proptest! {
        #[test]
        fn byte_order_is_numeric_order(a in any::<[u8; 20]>(), b in any::<[u8; 20]>()) {
            let (pa, pb) = (Position::from_be_bytes(a), Position::from_be_bytes(b));
            prop_assert_eq!(pa.cmp(&pb), a.cmp(&b));
            prop_assert_eq!(pa.to_be_bytes(), a);
            prop_assert_eq!(Position::from_hex(&pa.to_hex()), Ok(pa));
        }

        #[test]
        fn modulo_matches_long_division(a in any::<[u8; 20]>(), m in 1u64..=u64::MAX, small in 1u64..=u32::MAX as u64) {
            prop_assert_eq!(Position::from_be_bytes(a).modulo(m), Some(slow_rem(a, m)));
            prop_assert_eq!(Position::from_be_bytes(a).modulo(small), Some(slow_rem(a, small)));
        }

        #[test]
        fn clockwise_distances_add_up(a in any::<[u8; 20]>(), b in any::<[u8; 20]>()) {
            let (pa, pb) = (Position::from_be_bytes(a), Position::from_be_bytes(b));
            let there = pa.clockwise_to(pb);
            let back = pb.clockwise_to(pa);
            // there + back = 0 mod 2^160, i.e. back = 0 - there.
            prop_assert_eq!(back, Position::ZERO.wrapping_sub(there));
            let f = pa.fraction();
            prop_assert!((0.0..=1.0).contains(&f));
        }
    }
}
