//! Base62 codes (the notes, "URL Shortener", design pointer 2): a number written in the 62 symbols
//! `0-9a-zA-Z`, and the fixed-length codes a hash prefix is written in.
//!
//! Base62 is positional notation with 62 digits, most significant first, in the order
//! `0123456789abcdefghijklmnopqrstuvwxyz` then `ABCDEFGHIJKLMNOPQRSTUVWXYZ` (the order of the
//! notes' `0-9a-zA-Z`). It is a two-way encoding: anyone can turn a code back into its ID, which is
//! why sequential IDs give guessable codes. Every `u64` has exactly one code: 0 is `"0"`, and a code
//! with a leading `0` ("0z") is refused by [`decode`] rather than read as a second name for the ID of
//! "z". The largest `u64` (18,446,744,073,709,551,615) takes 11 symbols: `lYGhA16ahyf`.

/// The 62 symbols, value order.
pub const ALPHABET: &[u8; 62] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// The most symbols a `u64` needs in base62 (62^10 < 2^64 <= 62^11).
pub const MAX_LEN: usize = 11;

/// 62^`len`: how many distinct codes of exactly `len` symbols there are (leading zeros allowed),
/// or `None` if it does not fit in a `u64` (`len` > 10). 62^7 = 3,521,614,606,208.
pub fn code_space(len: u32) -> Option<u64> {
    62u64.checked_pow(len)
}

/// The value of one symbol, if it is one of the 62.
pub fn digit(symbol: u8) -> Option<u64> {
    match symbol {
        b'0'..=b'9' => Some((symbol - b'0') as u64),
        b'a'..=b'z' => Some((symbol - b'a') as u64 + 10),
        b'A'..=b'Z' => Some((symbol - b'A') as u64 + 36),
        _ => None,
    }
}

/// The canonical base62 code of `id`: no leading zeros, `"0"` for 0.
pub fn encode(mut id: u64) -> String {
    let mut out = [0u8; MAX_LEN];
    let mut at = MAX_LEN;
    loop {
        at -= 1;
        out[at] = ALPHABET[(id % 62) as usize];
        id /= 62;
        if id == 0 {
            break;
        }
    }
    ascii(&out[at..])
}

/// A string of symbols from [`ALPHABET`] (all ASCII, so always valid UTF-8).
fn ascii(symbols: &[u8]) -> String {
    String::from_utf8(symbols.to_vec()).unwrap_or_default()
}

/// `value` written in exactly `len` symbols, padded with leading `0`s (the form of a hash-prefix
/// code); `value` must be below 62^`len` (higher digits are dropped).
pub fn encode_fixed(mut value: u64, len: usize) -> String {
    let mut out = vec![b'0'; len];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(value % 62) as usize];
        value /= 62;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// The ID a canonical base62 code stands for. `Err` (with what to fix) for an empty code, a symbol
/// outside `0-9a-zA-Z`, a leading zero, or a value beyond the largest `u64`.
pub fn decode(code: &str) -> Result<u64, String> {
    if code.is_empty() {
        return Err("Enter a code of 1 to 11 symbols from 0-9, a-z and A-Z.".to_string());
    }
    if code.len() > 1 && code.starts_with('0') {
        return Err(format!(
            "\"{code}\" starts with 0: a base62 code has no leading zeros (write it without them)."
        ));
    }
    let mut value: u64 = 0;
    for (i, ch) in code.chars().enumerate() {
        let Some(d) = u8::try_from(ch).ok().and_then(digit) else {
            return Err(format!(
                "Symbol {} of \"{code}\" ('{ch}') is not base62: use only 0-9, a-z and A-Z.",
                i + 1
            ));
        };
        value = value
            .checked_mul(62)
            .and_then(|v| v.checked_add(d))
            .ok_or_else(|| format!("\"{code}\" is larger than the largest 64-bit ID (lYGhA16ahyf)."))?;
    }
    Ok(value)
}

/// Whether `code` could be a short code at all (1 to 11 base62 symbols): the check a server makes
/// before looking a path up.
pub fn is_code_shaped(code: &str) -> bool {
    (1..=MAX_LEN).contains(&code.len()) && code.bytes().all(|b| digit(b).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_issue_table() {
        let table: [(u64, &str); 7] =
            [(0, "0"), (9, "9"), (10, "a"), (61, "Z"), (62, "10"), (3844, "100"), (u64::MAX, "lYGhA16ahyf")];
        for (id, code) in table {
            assert_eq!(encode(id), code, "encode({id})");
            assert_eq!(decode(code), Ok(id), "decode({code})");
        }
        // The notes' snowflake example ID (1541815603606036480) as an 11-symbol code.
        assert_eq!(encode(1_541_815_603_606_036_480), "1PTwYk4wGzu");
        assert_eq!(encode(u64::MAX - 1), "lYGhA16ahye");
    }

    #[test]
    fn code_spaces() {
        assert_eq!(code_space(6), Some(56_800_235_584));
        assert_eq!(code_space(7), Some(3_521_614_606_208));
        assert_eq!(crate::format::group_digits(code_space(7).unwrap().into()), "3,521,614,606,208");
        assert_eq!(code_space(10), Some(839_299_365_868_340_224));
        assert_eq!(code_space(11), None);
    }

    #[test]
    fn fixed_width_codes_keep_leading_zeros() {
        assert_eq!(encode_fixed(0, 6), "000000");
        assert_eq!(encode_fixed(61, 7), "000000Z");
        assert_eq!(encode_fixed(1_561_053_156_023, 7), "rtXtXg3");
        assert_eq!(encode_fixed(code_space(6).unwrap() - 1, 6), "ZZZZZZ");
    }

    #[test]
    fn refusals_say_what_is_wrong() {
        assert_eq!(decode(""), Err("Enter a code of 1 to 11 symbols from 0-9, a-z and A-Z.".to_string()));
        assert_eq!(
            decode("0z"),
            Err("\"0z\" starts with 0: a base62 code has no leading zeros (write it without them).".into())
        );
        assert_eq!(
            decode("ab-c"),
            Err("Symbol 3 of \"ab-c\" ('-') is not base62: use only 0-9, a-z and A-Z.".into())
        );
        assert_eq!(
            decode("lYGhA16ahyg").unwrap_err(),
            "\"lYGhA16ahyg\" is larger than the largest 64-bit ID (lYGhA16ahyf)."
        );
        assert!(decode("100000000000").is_err());
        assert!(decode("é").is_err());
        assert!(is_code_shaped("rtXtXg3") && is_code_shaped("0"));
        assert!(!is_code_shaped("") && is_code_shaped("api") && !is_code_shaped("a/b"));
        assert!(!is_code_shaped("123456789012"));
    }

    proptest! {
        #[test]
        fn every_u64_round_trips(id in any::<u64>()) {
            let code = encode(id);
            prop_assert!(code.len() <= MAX_LEN);
            prop_assert!(code == "0" || !code.starts_with('0'));
            prop_assert_eq!(decode(&code), Ok(id));
        }

        #[test]
        fn decoding_never_panics(code in "\\PC{0,14}") {
            if let Ok(id) = decode(&code) {
                prop_assert_eq!(encode(id), code);
            }
        }

        /// The `base62` crate's `encode_alternative` writes in the same `0-9a-zA-Z` order: an
        /// independent implementation agrees on every ID.
        #[test]
        fn agrees_with_the_base62_crate(id in any::<u64>()) {
            let code = encode(id);
            prop_assert_eq!(&code, &base62::encode_alternative(id));
            prop_assert_eq!(base62::decode_alternative(&code).ok(), Some(u128::from(id)));
        }
    }
}
