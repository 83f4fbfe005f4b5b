//! Numbers as people read them: thousands separators, three significant digits, decimal SI
//! prefixes for bytes, auto-scaled durations. Every page formats through here so a figure reads the
//! same everywhere (STYLE.md, "Numbers").

/// Groups the digits of a whole number with commas: `3521614606208` -> `"3,521,614,606,208"`.
pub fn group_digits(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A whole count with its noun, grouped, singular for exactly one: `(1, "click", "clicks")` ->
/// `"1 click"`, `(1200, "click", "clicks")` -> `"1,200 clicks"`, `(0, ..)` -> `"0 clicks"`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", group_digits(n.into()), if n == 1 { one } else { many })
}

/// A count that may be fractional, shown exactly when it is a whole number below 10^15 and with
/// three significant digits otherwise: `1157.407` -> `"1,160"`, `11.574` -> `"11.6"`,
/// `1e6` -> `"1,000,000"`.
pub fn count(x: f64) -> String {
    if !x.is_finite() {
        return "—".to_string();
    }
    if x < 0.0 {
        return format!("-{}", count(-x));
    }
    if x.fract() == 0.0 && x < 1e15 {
        return group_digits(x as u128);
    }
    significant(x, 3)
}

/// `x` rounded to `digits` significant digits, trailing zeros dropped, with thousands separators
/// on the integer part and scientific notation only beyond 10^21 or below 10^-9:
/// `significant(11.574074, 3)` -> `"11.6"`, `significant(0.5, 3)` -> `"0.5"`.
pub fn significant(x: f64, digits: u32) -> String {
    if !x.is_finite() {
        return "—".to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    if x < 0.0 {
        return format!("-{}", significant(-x, digits));
    }
    let digits = digits.clamp(1, 17) as i32;
    if !(1e-9..1e21).contains(&x) {
        return format!("{:.*e}", (digits - 1) as usize, x);
    }
    let magnitude = x.log10().floor() as i32;
    let factor = 10f64.powi(digits - 1 - magnitude);
    let rounded = (x * factor).round() / factor;
    // Rounding may carry into a new digit (9.996 -> 10.0): count the decimals after rounding.
    let magnitude = rounded.log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    let text = format!("{rounded:.decimals$}");
    let (int_part, frac_part) = text.split_once('.').unwrap_or((text.as_str(), ""));
    let frac_part = frac_part.trim_end_matches('0');
    let grouped = int_part.parse::<u128>().map(group_digits).unwrap_or_else(|_| int_part.to_string());
    if frac_part.is_empty() { grouped } else { format!("{grouped}.{frac_part}") }
}

/// A share (0.25) as a percentage with three significant digits ("25%").
pub fn percent(share: f64) -> String {
    format!("{}%", significant(share * 100.0, 3))
}

/// A byte count with a decimal SI prefix (1 KB = 1,000 bytes): `36.5e12` -> `"36.5 TB"`.
pub fn bytes(b: f64) -> String {
    scaled(b, 1000.0, &["B", "KB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"])
}

/// A byte rate with a decimal SI prefix: `1.157e6` -> `"1.16 MB/s"`.
pub fn byte_rate(b_per_s: f64) -> String {
    scaled(b_per_s, 1000.0, &["B/s", "KB/s", "MB/s", "GB/s", "TB/s", "PB/s", "EB/s", "ZB/s", "YB/s"])
}

fn scaled(x: f64, base: f64, units: &[&str]) -> String {
    if !x.is_finite() {
        return "—".to_string();
    }
    let mut value = x.abs();
    let mut unit = 0;
    while value >= base && unit + 1 < units.len() {
        value /= base;
        unit += 1;
    }
    // 999.96 KB rounds to "1,000 KB"; step up so it reads "1 MB".
    if unit + 1 < units.len() && significant(value, 3) == "1,000" {
        value /= base;
        unit += 1;
    }
    let sign = if x < 0.0 { "-" } else { "" };
    format!("{sign}{} {}", significant(value, 3), units[unit])
}

/// A duration given in nanoseconds, auto-scaled to ns, µs, ms or s: `150_000.0` -> `"150 µs"`.
pub fn duration_ns(ns: f64) -> String {
    if !ns.is_finite() {
        return "—".to_string();
    }
    let (value, unit) = if ns < 1e3 {
        (ns, "ns")
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    format!("{} {unit}", significant(value, 3))
}

/// A long duration given in seconds, in the unit a person would use for it: seconds, minutes,
/// hours, days, weeks, months (30.44 days) or years (365.25 days): `3000.0` -> `"50 min"`.
pub fn human_duration_s(s: f64) -> String {
    const MINUTE: f64 = 60.0;
    const HOUR: f64 = 3600.0;
    const DAY: f64 = 86_400.0;
    const WEEK: f64 = 7.0 * DAY;
    const YEAR: f64 = 365.25 * DAY;
    const MONTH: f64 = YEAR / 12.0;
    if !s.is_finite() {
        return "—".to_string();
    }
    let (value, unit) = if s < MINUTE {
        (s, "s")
    } else if s < HOUR {
        (s / MINUTE, "min")
    } else if s < DAY {
        (s / HOUR, "h")
    } else if s < 2.0 * WEEK {
        (s / DAY, "days")
    } else if s < 2.0 * MONTH * 3.0 {
        (s / WEEK, "weeks")
    } else if s < YEAR {
        (s / MONTH, "months")
    } else {
        (s / YEAR, "years")
    };
    let digits = if value >= 10.0 { 3 } else { 2 };
    format!("{} {unit}", significant(value, digits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plural_is_singular_for_one_only() {
        assert_eq!(plural(0, "301", "301s"), "0 301s");
        assert_eq!(plural(1, "301", "301s"), "1 301");
        assert_eq!(plural(2, "entry", "entries"), "2 entries");
        assert_eq!(plural(1200, "click", "clicks"), "1,200 clicks");
    }

    #[test]
    fn percent_has_three_significant_digits() {
        assert_eq!(
            (percent(0.25), percent(0.010035), percent(0.0)),
            ("25%".into(), "1%".into(), "0%".into())
        );
        assert_eq!(percent(0.00931), "0.931%");
    }

    #[test]
    fn groups_digits() {
        for (n, want) in [
            (0u128, "0"),
            (999, "999"),
            (1000, "1,000"),
            (86_400, "86,400"),
            (3_521_614_606_208, "3,521,614,606,208"),
            (u64::MAX as u128, "18,446,744,073,709,551,615"),
        ] {
            assert_eq!(group_digits(n), want, "{n}");
        }
    }

    #[test]
    fn three_significant_digits() {
        for (x, want) in [
            (11.574_074, "11.6"),
            (1157.407, "1,160"),
            (11_574.07, "11,600"),
            (0.5, "0.5"),
            (0.012_345, "0.0123"),
            (9.996, "10"),
            (99.96, "100"),
            (999.6, "1,000"),
            (123_456_789.0, "123,000,000"),
            (1.0, "1"),
            (2.5e21, "2.50e21"),
        ] {
            assert_eq!(significant(x, 3), want, "{x}");
        }
    }

    #[test]
    fn counts_are_exact_when_whole() {
        assert_eq!(count(1_000_000.0), "1,000,000");
        assert_eq!(count(86_400.0), "86,400");
        assert_eq!(count(11.574_074), "11.6");
        assert_eq!(count(f64::NAN), "—");
    }

    #[test]
    fn bytes_use_decimal_prefixes() {
        for (b, want) in [
            (0.0, "0 B"),
            (999.0, "999 B"),
            (1000.0, "1 KB"),
            (999_960.0, "1 MB"),
            (36.5e12, "36.5 TB"),
            (54.75e15, "54.8 PB"),
        ] {
            assert_eq!(bytes(b), want, "{b}");
        }
        assert_eq!(byte_rate(1_157_407.0), "1.16 MB/s");
    }

    #[test]
    fn durations_auto_scale() {
        for (ns, want) in [
            (0.5, "0.5 ns"),
            (7.0, "7 ns"),
            (3_000.0, "3 µs"),
            (150_000.0, "150 µs"),
            (10_000_000.0, "10 ms"),
            (150_000_000.0, "150 ms"),
            (2.5e9, "2.5 s"),
        ] {
            assert_eq!(duration_ns(ns), want, "{ns}");
        }
    }

    #[test]
    fn human_durations_match_the_gist() {
        // The humanized column of the latency gist multiplies every latency by 10^9.
        for (s, want) in [
            (0.5, "0.5 s"),
            (3_000.0, "50 min"),
            (20_000.0, "5.6 h"),
            (150_000.0, "1.7 days"),
            (500_000.0, "5.8 days"),
            (1_000_000.0, "11.6 days"),
            (10_000_000.0, "16.5 weeks"),
            (20_000_000.0, "7.6 months"),
            (150_000_000.0, "4.8 years"),
        ] {
            assert_eq!(human_duration_s(s), want, "{s}");
        }
    }
}
