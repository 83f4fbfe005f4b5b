//! Capacity estimation, the notes' first section: the latency numbers every programmer should
//! know (and their humanized scale), and a back-of-the-envelope estimator that turns users and
//! habits into queries per second, storage and bandwidth, showing every step as a formula.
//!
//! The estimator follows the usual interview arithmetic (the notes, "Estimation Parameters"):
//! traffic from daily active users, requests per user and the read:write ratio; storage from the
//! writes, the object size and the retention period; bandwidth from the rates times the object
//! size. A day has 86,400 seconds and a year 365 days, the convention the notes' source uses (100
//! million URLs a day for 10 years is 365 billion records).

use crate::experiment::{Outcome, Shown};
use crate::format;
use serde::{Deserialize, Serialize};

/// Seconds in a day: the divisor behind "1 million requests a day is about 12 a second".
pub const SECONDS_PER_DAY: f64 = 86_400.0;
/// Days in a year, as the notes' source counts them.
pub const DAYS_PER_YEAR: f64 = 365.0;

/// One row of the latency table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LatencyFact {
    pub operation: &'static str,
    /// The latency in nanoseconds.
    pub ns: f64,
    /// The gist's comparison with other rows, where it gives one.
    pub note: &'static str,
    /// The humanized scale's everyday analogy for the same duration times 10^9.
    pub analogy: &'static str,
}

impl LatencyFact {
    /// The latency on the humanized scale, where 1 ns becomes 1 s: numerically the same value,
    /// now in seconds.
    pub fn humanized_seconds(&self) -> f64 {
        self.ns
    }
}

/// Where the latency figures come from, named on the page.
pub const LATENCY_SOURCE: &str = "Jeff Dean and Peter Norvig's \"Latency numbers every programmer \
should know\", as collected with its humanized scale in hellerbarde's gist (linked from the notes)";

/// The canonical latency table, in the gist's order and with its values.
pub const LATENCY_NUMBERS: [LatencyFact; 14] = [
    LatencyFact { operation: "L1 cache reference", ns: 0.5, note: "", analogy: "One heart beat" },
    LatencyFact { operation: "Branch mispredict", ns: 5.0, note: "", analogy: "Yawn" },
    LatencyFact { operation: "L2 cache reference", ns: 7.0, note: "14× L1 cache", analogy: "Long yawn" },
    LatencyFact { operation: "Mutex lock/unlock", ns: 25.0, note: "", analogy: "Making a coffee" },
    LatencyFact {
        operation: "Main memory reference",
        ns: 100.0,
        note: "20× L2 cache, 200× L1 cache",
        analogy: "Brushing your teeth",
    },
    LatencyFact {
        operation: "Compress 1 KB with Zippy",
        ns: 3_000.0,
        note: "",
        analogy: "One episode of a TV show",
    },
    LatencyFact {
        operation: "Send 2 KB over a 1 Gbps network",
        ns: 20_000.0,
        note: "",
        analogy: "From lunch to the end of the work day",
    },
    LatencyFact {
        operation: "Read 4 KB randomly from SSD",
        ns: 150_000.0,
        note: "~1 GB/s SSD",
        analogy: "A normal weekend",
    },
    LatencyFact {
        operation: "Read 1 MB sequentially from memory",
        ns: 250_000.0,
        note: "",
        analogy: "A long weekend",
    },
    LatencyFact {
        operation: "Round trip within the same datacenter",
        ns: 500_000.0,
        note: "",
        analogy: "A medium vacation",
    },
    LatencyFact {
        operation: "Read 1 MB sequentially from SSD",
        ns: 1_000_000.0,
        note: "4× memory",
        analogy: "Waiting almost two weeks for a delivery",
    },
    LatencyFact {
        operation: "Disk seek",
        ns: 10_000_000.0,
        note: "20× datacenter round trip",
        analogy: "A semester in university",
    },
    LatencyFact {
        operation: "Read 1 MB sequentially from disk",
        ns: 20_000_000.0,
        note: "80× memory, 20× SSD",
        analogy: "Almost producing a new human being",
    },
    LatencyFact {
        operation: "Send packet CA → Netherlands → CA",
        ns: 150_000_000.0,
        note: "",
        analogy: "Completing a bachelor's degree",
    },
];

/// Requests per second for a count per day: `per_second(1e6)` is 11.574..., the notes' "1 million
/// req/day = 12 req/sec".
pub fn per_second(per_day: f64) -> f64 {
    per_day / SECONDS_PER_DAY
}

/// One input of the estimator. Its key names it in the page's URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Field {
    DailyActiveUsers,
    RequestsPerUser,
    ReadWriteRatio,
    PeakFactor,
    ObjectSize,
    RetentionYears,
    Replication,
}

impl Field {
    pub const ALL: [Field; 7] = [
        Field::DailyActiveUsers,
        Field::RequestsPerUser,
        Field::ReadWriteRatio,
        Field::PeakFactor,
        Field::ObjectSize,
        Field::RetentionYears,
        Field::Replication,
    ];

    /// The short name used in the URL query.
    pub fn key(self) -> &'static str {
        match self {
            Field::DailyActiveUsers => "dau",
            Field::RequestsPerUser => "rpu",
            Field::ReadWriteRatio => "rw",
            Field::PeakFactor => "peak",
            Field::ObjectSize => "size",
            Field::RetentionYears => "years",
            Field::Replication => "rf",
        }
    }

    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Field::DailyActiveUsers => "Daily active users",
            Field::RequestsPerUser => "Requests per user per day",
            Field::ReadWriteRatio => "Read : write ratio",
            Field::PeakFactor => "Peak-to-average factor",
            Field::ObjectSize => "Object size (per write)",
            Field::RetentionYears => "Retention (years)",
            Field::Replication => "Replication factor",
        }
    }

    /// What the field means in the system's terms, for the tooltip.
    pub fn help(self) -> &'static str {
        match self {
            Field::DailyActiveUsers => "Distinct users who use the system on a typical day (DAU).",
            Field::RequestsPerUser => "Reads and writes one user makes on a typical day, together.",
            Field::ReadWriteRatio => {
                "Reads per write, as R:W (10:1 means ten reads for every write) or a single number of reads per write."
            }
            Field::PeakFactor => "How many times the average rate the busiest hour reaches.",
            Field::ObjectSize => {
                "Bytes stored and sent per write (and sent per read), for example 100 B, 2 KB or 1.5 MB. Decimal units: 1 KB = 1,000 B."
            }
            Field::RetentionYears => "How long written objects are kept.",
            Field::Replication => "How many copies of every object are stored.",
        }
    }

    fn bad_input_message(self) -> &'static str {
        match self {
            Field::DailyActiveUsers => "Enter a whole number of users from 0 to 10^12.",
            Field::RequestsPerUser => "Enter requests per user per day as a number from 0 to 1,000,000.",
            Field::ReadWriteRatio => {
                "Enter the ratio as reads:writes, like 10:1, each side from 0 to 1,000,000 and not both 0."
            }
            Field::PeakFactor => {
                "Enter a peak factor from 1 to 1,000 (2 means the peak is twice the average)."
            }
            Field::ObjectSize => "Enter a size from 0 B to 1 TB, like 500, 100 B, 2 KB or 1.5 MB.",
            Field::RetentionYears => "Enter a retention period from 0 to 100 years.",
            Field::Replication => "Enter a whole number of copies from 1 to 100.",
        }
    }

    /// Parses what a person typed into this field. Separators (`,`, `_`, spaces) are ignored.
    pub fn parse(self, text: &str) -> Result<f64, String> {
        let bad = || self.bad_input_message().to_string();
        let text = text.trim();
        if text.is_empty() {
            return Err(format!("This field is empty. {}", self.bad_input_message()));
        }
        let value = match self {
            Field::ReadWriteRatio => return parse_ratio(text).ok_or_else(bad),
            Field::ObjectSize => parse_size(text).ok_or_else(bad)?,
            _ => parse_number(text).ok_or_else(bad)?,
        };
        let (min, max, whole) = match self {
            Field::DailyActiveUsers => (0.0, 1e12, true),
            Field::RequestsPerUser => (0.0, 1e6, false),
            Field::ReadWriteRatio => unreachable!("returned above"),
            Field::PeakFactor => (1.0, 1e3, false),
            Field::ObjectSize => (0.0, 1e12, false),
            Field::RetentionYears => (0.0, 100.0, false),
            Field::Replication => (1.0, 100.0, true),
        };
        if value < min || value > max || (whole && value.fract() != 0.0) {
            return Err(bad());
        }
        Ok(value)
    }
}

/// A plain decimal number; rejects NaN and infinities (which Rust's parser accepts).
fn parse_number(text: &str) -> Option<f64> {
    let cleaned: String = text.chars().filter(|c| !matches!(c, ',' | '_' | ' ')).collect();
    let starts_like_a_number =
        cleaned.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == '-' || c == '+');
    if !starts_like_a_number {
        return None;
    }
    cleaned.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// `"10:1"` -> the share of requests that are reads (10/11); a single number `x` means `x:1`.
fn parse_ratio(text: &str) -> Option<f64> {
    let (reads, writes) = match text.split_once(':') {
        Some((r, w)) => (parse_number(r)?, parse_number(w)?),
        None => (parse_number(text)?, 1.0),
    };
    let in_range = |v: f64| (0.0..=1e6).contains(&v);
    if !in_range(reads) || !in_range(writes) || reads + writes == 0.0 {
        return None;
    }
    Some(reads / (reads + writes))
}

/// `"1.5 MB"` -> 1,500,000 bytes. Decimal (KB, MB, ...) and binary (KiB, MiB, ...) units.
fn parse_size(text: &str) -> Option<f64> {
    let split = text
        .char_indices()
        .find(|(_, c)| c.is_ascii_alphabetic() && *c != 'e' && *c != 'E')
        .map_or(text.len(), |(i, _)| i);
    let (number, unit) = text.split_at(split);
    let multiplier = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some(parse_number(number)? * multiplier)
}

/// The estimator's inputs, parsed and in range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Assumptions {
    pub daily_active_users: f64,
    pub requests_per_user: f64,
    /// Reads as a share of all requests, from 0 to 1.
    pub read_share: f64,
    pub peak_factor: f64,
    pub object_bytes: f64,
    pub retention_years: f64,
    pub replication: f64,
}

/// The raw text of every input, as typed or as read from the URL. Kept as text so that a bad value
/// survives a reload together with its message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EstimateForm {
    pub values: Vec<(Field, String)>,
}

impl EstimateForm {
    pub fn get(&self, field: Field) -> &str {
        self.values.iter().find(|(f, _)| *f == field).map_or("", |(_, v)| v.as_str())
    }

    pub fn set(&mut self, field: Field, text: &str) {
        match self.values.iter_mut().find(|(f, _)| *f == field) {
            Some((_, v)) => *v = text.to_string(),
            None => self.values.push((field, text.to_string())),
        }
    }

    /// A form from URL query pairs; missing fields take the default preset's value, unknown keys
    /// are ignored.
    pub fn from_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> EstimateForm {
        let mut form = PRESETS[0].form();
        for (key, value) in pairs {
            if let Some(field) = Field::from_key(key) {
                form.set(field, value);
            }
        }
        form
    }

    /// The form as URL query pairs, in field order.
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        Field::ALL.iter().map(|f| (f.key(), self.get(*f).to_string())).collect()
    }

    /// Every field's parse result: the assumptions when all are valid, and the message for each
    /// field that is not.
    pub fn parse(&self) -> Result<Assumptions, Vec<(Field, String)>> {
        let mut errors = Vec::new();
        let mut value = |field: Field| match field.parse(self.get(field)) {
            Ok(v) => v,
            Err(message) => {
                errors.push((field, message));
                0.0
            }
        };
        let assumptions = Assumptions {
            daily_active_users: value(Field::DailyActiveUsers),
            requests_per_user: value(Field::RequestsPerUser),
            read_share: value(Field::ReadWriteRatio),
            peak_factor: value(Field::PeakFactor),
            object_bytes: value(Field::ObjectSize),
            retention_years: value(Field::RetentionYears),
            replication: value(Field::Replication),
        };
        if errors.is_empty() { Ok(assumptions) } else { Err(errors) }
    }
}

/// A named set of assumptions for a system from the notes.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    pub name: &'static str,
    /// The assumptions in words, and where they come from.
    pub story: &'static str,
    pub values: [&'static str; 7],
}

impl Preset {
    pub fn form(&self) -> EstimateForm {
        EstimateForm {
            values: Field::ALL.iter().zip(self.values).map(|(f, v)| (*f, v.to_string())).collect(),
        }
    }
}

/// Presets, the first being the default.
pub const PRESETS: [Preset; 3] = [
    Preset {
        name: "URL shortener",
        story: "100 million new short URLs a day and ten reads per write: 100 M users making 11 \
requests a day at 10:1. Each record is about 100 bytes and is kept for 10 years (the URL \
shortener chapter of the notes' source: 1,160 writes/s, 11,600 reads/s, 365 billion records, 36.5 TB).",
        values: ["100,000,000", "11", "10:1", "2", "100 B", "10", "1"],
    },
    Preset {
        name: "News feed",
        story: "150 million daily users who each post twice and load their feed 20 times a day \
(22 requests at 10:1). One post in ten carries 1 MB of media, so 100 KB per post on average, kept \
5 years; peak is twice the average (the estimation example of the notes' source: about 3,500 posts/s, \
30 TB of media a day, about 55 PB over 5 years).",
        values: ["150,000,000", "22", "10:1", "2", "100 KB", "5", "1"],
    },
    Preset {
        name: "1 million requests a day",
        story: "The notes' rule of thumb: one million requests a day is about 12 a second. One write \
per user per day, no reads, 1 KB each, kept a year, three copies.",
        values: ["1,000,000", "1", "0:1", "2", "1 KB", "1", "3"],
    },
];

/// One line of the worked estimate: a named quantity, how it is computed, and its value.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub label: &'static str,
    /// The arithmetic with the actual numbers, e.g. `1,100,000,000 requests/day ÷ 86,400 s/day`.
    pub formula: String,
    pub value: f64,
    /// The value formatted with its unit.
    pub shown: String,
}

/// Which part of the estimate a step belongs to.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    pub traffic: Vec<Step>,
    pub storage: Vec<Step>,
    pub bandwidth: Vec<Step>,
}

impl Estimate {
    /// Every step, in the order they are computed.
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.traffic.iter().chain(&self.storage).chain(&self.bandwidth)
    }

    /// The value of the step with this label, if there is one.
    pub fn value(&self, label: &str) -> Option<f64> {
        self.steps().find(|s| s.label == label).map(|s| s.value)
    }
}

fn rate(x: f64) -> String {
    format!("{}/s", count_rate(x))
}

fn step(label: &'static str, formula: String, value: f64, shown: String) -> Step {
    Step { label, formula, value, shown }
}

/// Works the estimate out from valid assumptions, every step with its formula.
pub fn estimate(a: &Assumptions) -> Estimate {
    use format::{byte_rate, bytes, count};
    let per_day = a.daily_active_users * a.requests_per_user;
    let avg = per_second(per_day);
    let write_share = 1.0 - a.read_share;
    let writes = avg * write_share;
    let reads = avg * a.read_share;
    let writes_per_day = per_day * write_share;
    let retention_days = a.retention_years * DAYS_PER_YEAR;
    let objects = writes_per_day * retention_days;
    let stored_per_day = writes_per_day * a.object_bytes;
    let stored_once = objects * a.object_bytes;
    let stored = stored_once * a.replication;
    let ratio = ratio_text(a.read_share);
    let traffic = vec![
        step(
            "Requests per day",
            format!(
                "{} users × {} requests/user/day",
                count(a.daily_active_users),
                count(a.requests_per_user)
            ),
            per_day,
            format!("{} requests/day", count(per_day)),
        ),
        step(
            "Average QPS",
            format!("{} requests/day ÷ 86,400 s/day", count(per_day)),
            avg,
            format!("{} requests/s", count_rate(avg)),
        ),
        step(
            "Write QPS",
            format!(
                "{} requests/s × {} (writes' share at {ratio})",
                count_rate(avg),
                share_text(write_share)
            ),
            writes,
            rate(writes),
        ),
        step(
            "Read QPS",
            format!(
                "{} requests/s × {} (reads' share at {ratio})",
                count_rate(avg),
                share_text(a.read_share)
            ),
            reads,
            rate(reads),
        ),
        step(
            "Peak write QPS",
            format!("{} writes/s × {} peak factor", count_rate(writes), count(a.peak_factor)),
            writes * a.peak_factor,
            rate(writes * a.peak_factor),
        ),
        step(
            "Peak read QPS",
            format!("{} reads/s × {} peak factor", count_rate(reads), count(a.peak_factor)),
            reads * a.peak_factor,
            rate(reads * a.peak_factor),
        ),
    ];
    let storage = vec![
        step(
            "New data per day",
            format!("{} writes/day × {}", count(writes_per_day), bytes(a.object_bytes)),
            stored_per_day,
            format!("{}/day", bytes(stored_per_day)),
        ),
        step(
            "Objects stored",
            format!(
                "{} writes/day × {} years × 365 days/year",
                count(writes_per_day),
                count(a.retention_years)
            ),
            objects,
            format!("{} objects", count(objects)),
        ),
        step(
            "Storage, one copy",
            format!("{} objects × {}", count(objects), bytes(a.object_bytes)),
            stored_once,
            bytes(stored_once),
        ),
        step(
            "Storage, all copies",
            format!("{} × {} copies", bytes(stored_once), count(a.replication)),
            stored,
            bytes(stored),
        ),
    ];
    let bandwidth = vec![
        step(
            "Ingress (average)",
            format!("{} writes/s × {}", count_rate(writes), bytes(a.object_bytes)),
            writes * a.object_bytes,
            byte_rate(writes * a.object_bytes),
        ),
        step(
            "Egress (average)",
            format!("{} reads/s × {}", count_rate(reads), bytes(a.object_bytes)),
            reads * a.object_bytes,
            byte_rate(reads * a.object_bytes),
        ),
        step(
            "Ingress (peak)",
            format!("{} × {} peak factor", byte_rate(writes * a.object_bytes), count(a.peak_factor)),
            writes * a.object_bytes * a.peak_factor,
            byte_rate(writes * a.object_bytes * a.peak_factor),
        ),
        step(
            "Egress (peak)",
            format!("{} × {} peak factor", byte_rate(reads * a.object_bytes), count(a.peak_factor)),
            reads * a.object_bytes * a.peak_factor,
            byte_rate(reads * a.object_bytes * a.peak_factor),
        ),
    ];
    Estimate { traffic, storage, bandwidth }
}

/// Rates below 100/s keep two decimals (11.57), larger ones three significant digits (1,160).
fn count_rate(x: f64) -> String {
    if x < 100.0 {
        let text = format!("{x:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format::count(x)
    }
}

fn share_text(share: f64) -> String {
    format!("{}%", format::significant(share * 100.0, 3))
}

fn ratio_text(read_share: f64) -> String {
    if read_share >= 1.0 {
        "reads only".to_string()
    } else {
        format!("{}:1", format::significant(read_share / (1.0 - read_share), 3))
    }
}

/// A claim about estimation that the page runs live through the estimator.
#[derive(Clone, Copy)]
pub struct Claim {
    pub claim: &'static str,
    pub source: &'static str,
    pub run: fn() -> Outcome,
}

/// The estimation page's experiments: the notes' rule of thumb and the worked examples of the
/// notes' source, each recomputed by the estimator above.
pub const CLAIMS: [Claim; 3] = [
    Claim {
        claim: "1 million requests a day is about 12 requests a second.",
        source: "The notes, \"Approximation\"",
        run: || {
            let measured = per_second(1e6);
            Outcome::within(
                measured,
                12.0,
                0.05,
                Shown { measured: |x| format!("{x:.3} requests/s"), expected: |x| format!("{x} requests/s") },
                "1,000,000 requests ÷ 86,400 seconds in a day.".to_string(),
            )
        },
    },
    Claim {
        claim: "A URL shortener taking 100 million URLs a day needs 36.5 TB over 10 years.",
        source: "URL shortener chapter of the notes' source (Alex Xu, System Design Interview)",
        run: || preset_storage_outcome(&PRESETS[0], 36.5e12),
    },
    Claim {
        claim: "A news feed with 150 million daily users stores about 55 PB of media in 5 years.",
        source: "Estimation example of the notes' source (Alex Xu, System Design Interview)",
        run: || preset_storage_outcome(&PRESETS[1], 55e15),
    },
];

fn preset_storage_outcome(preset: &Preset, expected: f64) -> Outcome {
    let detail = format!("The \"{}\" preset through the estimator: {}", preset.name, preset.story);
    match preset.form().parse() {
        Ok(a) => {
            let stored = estimate(&a).value("Storage, all copies").unwrap_or(f64::NAN);
            Outcome::within(
                stored,
                expected,
                0.01,
                Shown { measured: format::bytes, expected: format::bytes },
                detail,
            )
        }
        Err(errors) => Outcome {
            measured: "—".to_string(),
            expected: format::bytes(expected),
            reproduced: false,
            detail: format!("The preset does not parse: {errors:?}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn one_million_a_day_is_11_574_a_second() {
        assert!(close(per_second(1e6), 11.574_074_074_074_074));
        assert_eq!(format!("{:.3}", per_second(1e6)), "11.574");
    }

    #[test]
    fn url_shortener_preset_reproduces_the_book() {
        let a = PRESETS[0].form().parse().expect("preset is valid");
        let e = estimate(&a);
        // 100 M writes a day: 1,157.4 writes/s; ten times that in reads.
        assert!(close(e.value("Write QPS").unwrap(), 1e8 / 86_400.0));
        assert!(close(e.value("Read QPS").unwrap(), 1e9 / 86_400.0));
        assert!(close(e.value("Objects stored").unwrap(), 365e9));
        assert!(close(e.value("Storage, all copies").unwrap(), 36.5e12));
        let shown: Vec<_> = e.steps().map(|s| s.shown.as_str()).collect();
        assert!(shown.contains(&"1,160/s"), "{shown:?}");
        assert!(shown.contains(&"11,600/s"), "{shown:?}");
        assert!(shown.contains(&"36.5 TB"), "{shown:?}");
    }

    #[test]
    fn news_feed_preset_reproduces_the_book() {
        let e = estimate(&PRESETS[1].form().parse().unwrap());
        assert!(close(e.value("Write QPS").unwrap(), 3e8 / 86_400.0)); // ~3,472 posts/s
        assert!(close(e.value("Peak write QPS").unwrap(), 6e8 / 86_400.0));
        assert!(close(e.value("New data per day").unwrap(), 30e12));
        assert!(close(e.value("Storage, all copies").unwrap(), 30e12 * 365.0 * 5.0)); // 54.75 PB
    }

    #[test]
    fn rule_of_thumb_preset_shows_11_57() {
        let e = estimate(&PRESETS[2].form().parse().unwrap());
        let avg = e.traffic.iter().find(|s| s.label == "Average QPS").unwrap();
        assert_eq!(avg.shown, "11.57 requests/s");
        assert_eq!(avg.formula, "1,000,000 requests/day ÷ 86,400 s/day");
        assert!(close(e.value("Storage, all copies").unwrap(), 1e6 * 365.0 * 1000.0 * 3.0));
    }

    #[test]
    fn every_claim_is_reproduced() {
        let measured: Vec<_> = CLAIMS.iter().map(|c| (c.run)()).collect();
        assert_eq!(measured[0].measured, "11.574 requests/s");
        assert_eq!(measured[1].measured, "36.5 TB");
        assert_eq!(measured[2].measured, "54.8 PB");
        assert!(measured.iter().all(|o| o.reproduced), "{measured:?}");
    }

    #[test]
    fn fields_parse_what_people_type() {
        use Field::*;
        for (field, text, want) in [
            (DailyActiveUsers, "1,000,000", 1e6),
            (DailyActiveUsers, " 1_000_000 ", 1e6),
            (DailyActiveUsers, "1e6", 1e6),
            (RequestsPerUser, "0.5", 0.5),
            (ReadWriteRatio, "10:1", 10.0 / 11.0),
            (ReadWriteRatio, "1:3", 0.25),
            (ReadWriteRatio, "4", 0.8),
            (ReadWriteRatio, "1:0", 1.0),
            (ObjectSize, "100", 100.0),
            (ObjectSize, "2 KB", 2000.0),
            (ObjectSize, "1.5MB", 1.5e6),
            (ObjectSize, "1 KiB", 1024.0),
            (ObjectSize, "1e3 b", 1000.0),
            (PeakFactor, "1", 1.0),
            (RetentionYears, "0", 0.0),
            (Replication, "3", 3.0),
        ] {
            let got = field.parse(text).unwrap_or_else(|e| panic!("{field:?} {text:?}: {e}"));
            assert!(close(got, want), "{field:?} {text:?}: {got} != {want}");
        }
    }

    #[test]
    fn bad_input_gets_a_message() {
        use Field::*;
        for (field, text, message) in [
            (DailyActiveUsers, "", "This field is empty. Enter a whole number of users from 0 to 10^12."),
            (DailyActiveUsers, "-5", "Enter a whole number of users from 0 to 10^12."),
            (DailyActiveUsers, "1.5", "Enter a whole number of users from 0 to 10^12."),
            (DailyActiveUsers, "1e300", "Enter a whole number of users from 0 to 10^12."),
            (DailyActiveUsers, "inf", "Enter a whole number of users from 0 to 10^12."),
            (DailyActiveUsers, "NaN", "Enter a whole number of users from 0 to 10^12."),
            (DailyActiveUsers, "ten", "Enter a whole number of users from 0 to 10^12."),
            (RequestsPerUser, "<script>", "Enter requests per user per day as a number from 0 to 1,000,000."),
            (
                ReadWriteRatio,
                "0:0",
                "Enter the ratio as reads:writes, like 10:1, each side from 0 to 1,000,000 and not both 0.",
            ),
            (
                ReadWriteRatio,
                "1:2:3",
                "Enter the ratio as reads:writes, like 10:1, each side from 0 to 1,000,000 and not both 0.",
            ),
            (
                ReadWriteRatio,
                "-1:1",
                "Enter the ratio as reads:writes, like 10:1, each side from 0 to 1,000,000 and not both 0.",
            ),
            (
                PeakFactor,
                "0.5",
                "Enter a peak factor from 1 to 1,000 (2 means the peak is twice the average).",
            ),
            (ObjectSize, "5 XB", "Enter a size from 0 B to 1 TB, like 500, 100 B, 2 KB or 1.5 MB."),
            (ObjectSize, "2 TB", "Enter a size from 0 B to 1 TB, like 500, 100 B, 2 KB or 1.5 MB."),
            (RetentionYears, "101", "Enter a retention period from 0 to 100 years."),
            (Replication, "0", "Enter a whole number of copies from 1 to 100."),
        ] {
            assert_eq!(field.parse(text), Err(message.to_string()), "{field:?} {text:?}");
        }
    }

    #[test]
    fn form_round_trips_through_the_query() {
        let mut form = PRESETS[1].form();
        form.set(Field::DailyActiveUsers, "not a number");
        let query = form.to_query();
        let back = EstimateForm::from_query(query.iter().map(|(k, v)| (*k, v.as_str())));
        assert_eq!(back, form);
        let errors = back.parse().unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, Field::DailyActiveUsers);
    }

    #[test]
    fn humanized_scale_multiplies_by_a_billion() {
        let disk_seek = LATENCY_NUMBERS.iter().find(|f| f.operation == "Disk seek").unwrap();
        assert_eq!(format::human_duration_s(disk_seek.humanized_seconds()), "16.5 weeks");
        assert_eq!(LATENCY_NUMBERS.first().unwrap().ns, 0.5);
        assert_eq!(LATENCY_NUMBERS.last().unwrap().ns, 150e6);
        assert!(LATENCY_NUMBERS.windows(2).all(|w| w[0].ns < w[1].ns));
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_or_explains(text in "\\PC{0,24}") {
            for field in Field::ALL {
                if let Ok(v) = field.parse(&text) {
                    proptest::prop_assert!(v.is_finite() && v >= 0.0);
                }
            }
        }

        #[test]
        fn estimates_are_finite_for_any_valid_input(
            dau in 0u64..=1_000_000_000_000, rpu in 0.0f64..=1e6, share in 0.0f64..=1.0,
            peak in 1.0f64..=1e3, size in 0.0f64..=1e12, years in 0.0f64..=100.0, rf in 1u32..=100,
        ) {
            let a = Assumptions {
                daily_active_users: dau as f64, requests_per_user: rpu, read_share: share,
                peak_factor: peak, object_bytes: size, retention_years: years, replication: rf as f64,
            };
            let e = estimate(&a);
            for s in e.steps() {
                proptest::prop_assert!(s.value.is_finite() && s.value >= 0.0, "{} = {}", s.label, s.value);
            }
            let reads = e.value("Read QPS").unwrap();
            let writes = e.value("Write QPS").unwrap();
            let avg = e.value("Average QPS").unwrap();
            proptest::prop_assert!((reads + writes - avg).abs() <= 1e-9 * avg.max(1.0));
        }
    }
}
