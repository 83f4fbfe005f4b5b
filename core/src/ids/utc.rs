//! Calendar dates and times in UTC from milliseconds since the Unix epoch, and back: what turns a
//! snowflake's 41 bits of time into "2022-06-28 16:07:40.105 UTC" without reading any clock.
//!
//! The day arithmetic is Howard Hinnant's `civil_from_days` / `days_from_civil` ("chrono-Compatible
//! Low-Level Date Algorithms", 2013): shift the year to start on 1 March so that the leap day is the
//! last day of the year, split time into 400-year eras of exactly 146,097 days, and the month falls
//! out of a linear formula on the day of the year (153 days per five months). It is exact for every
//! day in the proleptic Gregorian calendar that fits in an `i64`. UTC here has no leap seconds, as
//! in Unix time.

use std::fmt;

const MS_PER_DAY: i128 = 86_400_000;

/// Year, month (1..=12) and day (1..=31) of the day `days` after 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March = 0
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Days from 1970-01-01 to the given date (negative before it). The inverse of [`civil_from_days`]
/// for valid dates.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400); // [0, 399]
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

fn is_leap(year: i64) -> bool {
    year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A moment in UTC, to the millisecond.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct UtcTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub millisecond: u32,
}

impl UtcTime {
    /// The UTC time `unix_ms` milliseconds after 1970-01-01 00:00:00 UTC. Takes an `i128` so that
    /// any epoch plus any 64-bit tick count fits.
    pub fn from_unix_ms(unix_ms: i128) -> UtcTime {
        let days = unix_ms.div_euclid(MS_PER_DAY);
        let ms_of_day = unix_ms.rem_euclid(MS_PER_DAY) as u32;
        // |days| < 2^127 / 86.4e6, but only dates within i64 days are meaningful: clamp.
        let days = days.clamp(i128::from(i64::MIN / 2), i128::from(i64::MAX / 2)) as i64;
        let (year, month, day) = civil_from_days(days);
        UtcTime {
            year,
            month,
            day,
            hour: ms_of_day / 3_600_000,
            minute: ms_of_day / 60_000 % 60,
            second: ms_of_day / 1_000 % 60,
            millisecond: ms_of_day % 1_000,
        }
    }

    /// Milliseconds since the Unix epoch.
    pub fn unix_ms(&self) -> i128 {
        let days = i128::from(days_from_civil(self.year, self.month, self.day));
        days * MS_PER_DAY
            + i128::from(self.hour) * 3_600_000
            + i128::from(self.minute) * 60_000
            + i128::from(self.second) * 1_000
            + i128::from(self.millisecond)
    }

    /// The ISO 8601 form, `2022-06-28T16:07:40.105Z`.
    pub fn iso(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second, self.millisecond
        )
    }
}

impl fmt::Display for UtcTime {
    /// `2022-06-28 16:07:40.105 UTC`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03} UTC",
            self.year, self.month, self.day, self.hour, self.minute, self.second, self.millisecond
        )
    }
}

/// Parses a UTC time typed as `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.mmm]]` (a `T` may replace the
/// space, and ` UTC` or `Z` may follow), or a whole number of milliseconds since the Unix epoch.
/// Returns milliseconds since the Unix epoch, from 1970 to 9999.
pub fn parse_unix_ms(text: &str) -> Result<u64, String> {
    const HELP: &str = "Enter a UTC time like 2010-11-04 01:42:54.657, or milliseconds since 1970 \
like 1288834974657 (from 1970 to 9999).";
    let text = text.trim();
    let text = text.strip_suffix("UTC").or_else(|| text.strip_suffix('Z')).unwrap_or(text).trim();
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '_') {
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        return match digits.parse::<u64>() {
            Ok(ms) if i128::from(ms) <= MAX_UNIX_MS => Ok(ms),
            _ => Err(HELP.to_string()),
        };
    }
    let (date, time) = match text.split_once(['T', ' ']) {
        Some((d, t)) => (d, t.trim()),
        None => (text, ""),
    };
    let mut date_parts = date.split('-');
    let number = |part: Option<&str>, digits: std::ops::RangeInclusive<usize>| -> Option<u32> {
        let part = part?;
        if !digits.contains(&part.len()) || !part.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let bad = || HELP.to_string();
    let year = number(date_parts.next(), 4..=4).ok_or_else(bad)?;
    let month = number(date_parts.next(), 1..=2).ok_or_else(bad)?;
    let day = number(date_parts.next(), 1..=2).ok_or_else(bad)?;
    if date_parts.next().is_some() || !(1..=12).contains(&month) {
        return Err(bad());
    }
    if day == 0 || day > days_in_month(i64::from(year), month) {
        return Err(bad());
    }
    let (mut hour, mut minute, mut second, mut millisecond) = (0, 0, 0, 0);
    if !time.is_empty() {
        let (hms, fraction) = match time.split_once('.') {
            Some((a, b)) => (a, Some(b)),
            None => (time, None),
        };
        let mut parts = hms.split(':');
        hour = number(parts.next(), 1..=2).ok_or_else(bad)?;
        minute = number(parts.next(), 2..=2).ok_or_else(bad)?;
        second = match parts.next() {
            Some(s) => number(Some(s), 2..=2).ok_or_else(bad)?,
            None => 0,
        };
        if parts.next().is_some() || hour > 23 || minute > 59 || second > 59 {
            return Err(bad());
        }
        if let Some(fraction) = fraction {
            let ms = number(Some(fraction), 1..=3).ok_or_else(bad)?;
            millisecond = ms * 10u32.pow(3 - fraction.len() as u32);
        }
    }
    let t = UtcTime { year: i64::from(year), month, day, hour, minute, second, millisecond };
    let ms = t.unix_ms();
    if !(0..=MAX_UNIX_MS).contains(&ms) {
        return Err(bad());
    }
    Ok(ms as u64)
}

/// 9999-12-31 23:59:59.999 UTC, the last moment [`parse_unix_ms`] accepts.
pub const MAX_UNIX_MS: i128 = 253_402_300_799_999;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_days() {
        for (days, date) in [
            (0, (1970, 1, 1)),
            (-1, (1969, 12, 31)),
            (59, (1970, 3, 1)),
            (10_957, (2000, 1, 1)),
            (11_017, (2000, 3, 1)), // 2000 is a leap year: 31 + 29 days after 1 January
            (19_171, (2022, 6, 28)),
            (-719_468, (0, 3, 1)), // Hinnant's shifted origin
            (2_932_896, (9999, 12, 31)),
        ] {
            assert_eq!(civil_from_days(days), date, "{days}");
            assert_eq!(days_from_civil(date.0, date.1, date.2), days, "{date:?}");
        }
    }

    #[test]
    fn formats_the_epochs_of_the_presets() {
        for (ms, shown) in [
            (0i128, "1970-01-01 00:00:00.000 UTC"),
            (1_288_834_974_657, "2010-11-04 01:42:54.657 UTC"), // Twitter's epoch
            (1_420_070_400_000, "2015-01-01 00:00:00.000 UTC"), // Discord's epoch
            (1_314_220_021_721, "2011-08-24 21:07:01.721 UTC"), // Instagram's epoch
            (1_656_432_460_105, "2022-06-28 16:07:40.105 UTC"),
            (-1, "1969-12-31 23:59:59.999 UTC"),
        ] {
            let t = UtcTime::from_unix_ms(ms);
            assert_eq!(t.to_string(), shown);
            assert_eq!(t.unix_ms(), ms);
        }
        assert_eq!(UtcTime::from_unix_ms(1_656_432_460_105).iso(), "2022-06-28T16:07:40.105Z");
    }

    #[test]
    fn parses_what_people_type() {
        for (text, ms) in [
            ("1288834974657", 1_288_834_974_657u64),
            ("1,288,834,974,657", 1_288_834_974_657),
            ("2010-11-04 01:42:54.657", 1_288_834_974_657),
            ("2010-11-04T01:42:54.657Z", 1_288_834_974_657),
            ("2010-11-04 01:42:54.657 UTC", 1_288_834_974_657),
            ("2015-01-01", 1_420_070_400_000),
            ("2015-01-01 00:00", 1_420_070_400_000),
            ("2022-06-28 16:07:40.1", 1_656_432_460_100),
            ("2000-02-29", 951_782_400_000),
        ] {
            assert_eq!(parse_unix_ms(text), Ok(ms), "{text}");
        }
        for text in [
            "",
            "yesterday",
            "2001-02-29",
            "2015-13-01",
            "2015-01-01 24:00",
            "1969-12-31",
            "99999999999999999",
        ] {
            assert!(parse_unix_ms(text).unwrap_err().starts_with("Enter a UTC time"), "{text}");
        }
    }

    proptest! {
        #[test]
        fn days_round_trip(days in -1_000_000_000i64..1_000_000_000) {
            let (y, m, d) = civil_from_days(days);
            prop_assert!((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m));
            prop_assert_eq!(days_from_civil(y, m, d), days);
        }

        #[test]
        fn consecutive_days_are_consecutive_dates(days in -1_000_000i64..1_000_000) {
            let (y, m, d) = civil_from_days(days);
            let next = civil_from_days(days + 1);
            let want = if d < days_in_month(y, m) { (y, m, d + 1) }
                else if m < 12 { (y, m + 1, 1) } else { (y + 1, 1, 1) };
            prop_assert_eq!(next, want);
        }

        #[test]
        fn any_text_parses_or_explains(text in "\\PC{0,30}") {
            if let Ok(ms) = parse_unix_ms(&text) {
                prop_assert!(i128::from(ms) <= MAX_UNIX_MS);
            }
        }
    }
}
