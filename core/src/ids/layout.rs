//! The bit layout of a 64-bit time-ordered ID (snowflake, Discord, Instagram): which bits hold the
//! time, which the node fields, which the sequence; composing an ID from its parts and decoding any
//! ID back into them, with its UTC time. The page's bit-field inspector draws exactly these parts.
//!
//! A layout reads from the most significant bit down: unused bits (Twitter keeps the sign bit 0 so
//! that IDs stay positive in signed 64-bit integers), then milliseconds since a custom epoch, then
//! node fields (data centre and machine, or worker and process, or a logical shard), then a
//! sequence that tells apart IDs made in the same millisecond. Because the time is on top, sorting
//! the IDs as numbers sorts them by time, to the millisecond.

use super::utc::UtcTime;
use serde::{Deserialize, Serialize};

/// One node field (between the time and the sequence).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeField {
    pub name: String,
    pub bits: u32,
}

/// Where the bits of an ID go. Build one with a preset ([`Layout::twitter`], [`Layout::discord`],
/// [`Layout::instagram`]) or [`Layout::custom`], which checks it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    pub name: String,
    /// The custom epoch: the Unix time in milliseconds that the time field counts from.
    pub epoch_ms: u64,
    pub time_bits: u32,
    pub nodes: Vec<NodeField>,
    pub sequence_name: String,
    pub sequence_bits: u32,
}

/// What kind of field a decoded part is; the page colours parts by kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PartKind {
    Unused,
    Time,
    Node,
    Sequence,
}

impl PartKind {
    /// A stable name for CSS classes and tests.
    pub fn key(self) -> &'static str {
        match self {
            PartKind::Unused => "unused",
            PartKind::Time => "time",
            PartKind::Node => "node",
            PartKind::Sequence => "sequence",
        }
    }
}

/// One field of a decoded ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub kind: PartKind,
    /// The field's most and least significant bit positions (63 is the top bit).
    pub high_bit: u32,
    pub low_bit: u32,
    pub value: u64,
    /// The field's bits, most significant first, exactly `high_bit - low_bit + 1` characters.
    pub binary: String,
}

/// An ID taken apart by a layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub id: u64,
    /// Every field from the top bit down; together they cover all 64 bits.
    pub parts: Vec<Part>,
    /// Milliseconds since the custom epoch (the time field).
    pub ticks: u64,
    /// The Unix time in milliseconds (epoch + ticks).
    pub unix_ms: u128,
    pub utc: UtcTime,
    /// True when an unused top bit is set: the number cannot have come from this layout.
    pub unused_bits_set: bool,
}

impl Decoded {
    /// The value of the field with this name.
    pub fn field(&self, name: &str) -> Option<u64> {
        self.parts.iter().find(|p| p.name == name).map(|p| p.value)
    }

    /// The ID as 16 hexadecimal digits, `0x1565a11f6217a000`.
    pub fn hex(&self) -> String {
        format!("{:#018x}", self.id)
    }
}

/// Unix milliseconds of Twitter's snowflake epoch, 2010-11-04 01:42:54.657 UTC.
pub const TWITTER_EPOCH_MS: u64 = 1_288_834_974_657;
/// Unix milliseconds of Discord's epoch, the first second of 2015.
pub const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;
/// Unix milliseconds of Instagram's epoch, from the `our_epoch` constant of the article's
/// PL/pgSQL function (2011-08-24 21:07:01.721 UTC).
pub const INSTAGRAM_EPOCH_MS: u64 = 1_314_220_021_721;

impl Layout {
    /// Twitter's snowflake (the announcement, and the notes): 1 unused sign bit, 41 bits of
    /// milliseconds, 5 bits of data centre, 5 bits of machine, 12 bits of sequence.
    pub fn twitter() -> Layout {
        Layout::custom("Twitter", TWITTER_EPOCH_MS, 41, &[("data centre", 5), ("machine", 5)], "sequence", 12)
            .expect("the preset is valid")
    }

    /// Discord's snowflake (its API reference): 42 bits of milliseconds since 2015, 5 bits of
    /// internal worker, 5 bits of internal process, 12 bits of increment.
    pub fn discord() -> Layout {
        Layout::custom("Discord", DISCORD_EPOCH_MS, 42, &[("worker", 5), ("process", 5)], "increment", 12)
            .expect("the preset is valid")
    }

    /// Instagram's IDs ("Sharding & IDs at Instagram"): 41 bits of milliseconds, 13 bits of
    /// logical shard, 10 bits of the shard's auto-increment sequence modulo 1024.
    pub fn instagram() -> Layout {
        Layout::custom("Instagram", INSTAGRAM_EPOCH_MS, 41, &[("shard", 13)], "sequence", 10)
            .expect("the preset is valid")
    }

    /// A layout of the given field widths, checked: the time field has 1 to 63 bits, the sequence
    /// 1 to 32, each node field 1 to 32, and all of them together at most 64.
    pub fn custom(
        name: &str,
        epoch_ms: u64,
        time_bits: u32,
        nodes: &[(&str, u32)],
        sequence_name: &str,
        sequence_bits: u32,
    ) -> Result<Layout, String> {
        let layout = Layout {
            name: name.to_string(),
            epoch_ms,
            time_bits,
            nodes: nodes.iter().map(|(n, b)| NodeField { name: n.to_string(), bits: *b }).collect(),
            sequence_name: sequence_name.to_string(),
            sequence_bits,
        };
        layout.check()?;
        Ok(layout)
    }

    /// Checks a layout that was built by hand or read from a URL.
    pub fn check(&self) -> Result<(), String> {
        if !(1..=63).contains(&self.time_bits) {
            return Err(format!("The time field has {} bits: give it 1 to 63.", self.time_bits));
        }
        if !(1..=32).contains(&self.sequence_bits) {
            return Err(format!("The sequence has {} bits: give it 1 to 32.", self.sequence_bits));
        }
        if let Some(n) = self.nodes.iter().find(|n| !(1..=32).contains(&n.bits)) {
            return Err(format!("The {} field has {} bits: give it 1 to 32.", n.name, n.bits));
        }
        let total = self.used_bits();
        if total > 64 {
            return Err(format!(
                "The fields add up to {total} bits, more than the 64 of an ID: take {} bits off.",
                total - 64
            ));
        }
        Ok(())
    }

    fn node_bits(&self) -> u32 {
        self.nodes.iter().map(|n| n.bits).sum()
    }

    /// Bits the fields use; the rest, at the top, are unused (0).
    pub fn used_bits(&self) -> u32 {
        self.time_bits + self.node_bits() + self.sequence_bits
    }

    /// The largest time value: 2^41 - 1 for Twitter, about 69.7 years of milliseconds.
    pub fn max_ticks(&self) -> u64 {
        mask(self.time_bits)
    }

    /// The largest sequence value: 4,095 for 12 bits.
    pub fn max_sequence(&self) -> u64 {
        mask(self.sequence_bits)
    }

    /// How far the time field is shifted left: 22 for Twitter and Discord.
    pub fn time_shift(&self) -> u32 {
        self.node_bits() + self.sequence_bits
    }

    /// The last Unix millisecond this layout can encode: the end of its time range.
    pub fn last_unix_ms(&self) -> u128 {
        u128::from(self.epoch_ms) + u128::from(self.max_ticks())
    }

    /// The node fields' values packed into their place in the ID (to be ORed in), after checking
    /// that one value is given per field and each fits its bits.
    pub fn node_bits_value(&self, values: &[u64]) -> Result<u64, String> {
        if values.len() != self.nodes.len() {
            return Err(format!(
                "The {} layout has {} node fields ({}): give one value for each.",
                self.name,
                self.nodes.len(),
                self.nodes.iter().map(|n| n.name.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
        let mut packed = 0u64;
        let mut shift = self.time_shift();
        for (field, &value) in self.nodes.iter().zip(values) {
            if value > mask(field.bits) {
                return Err(format!(
                    "The {} must be from 0 to {} ({} bits); {value} does not fit.",
                    field.name,
                    mask(field.bits),
                    field.bits
                ));
            }
            shift -= field.bits;
            packed |= value << shift;
        }
        Ok(packed)
    }

    /// The ID for a time (ticks since the epoch), packed node fields and a sequence, each masked to
    /// its width.
    pub fn compose(&self, ticks: u64, node_bits_value: u64, sequence: u64) -> u64 {
        ((ticks & self.max_ticks()) << self.time_shift()) | node_bits_value | (sequence & self.max_sequence())
    }

    /// Takes any 64-bit number apart into this layout's fields.
    pub fn decode(&self, id: u64) -> Decoded {
        let mut parts = Vec::with_capacity(self.nodes.len() + 3);
        let mut top = 64u32;
        let mut push = |name: &str, kind: PartKind, bits: u32| {
            if bits == 0 {
                return;
            }
            let low = top - bits;
            let value = (id >> low) & mask(bits);
            parts.push(Part {
                name: name.to_string(),
                kind,
                high_bit: top - 1,
                low_bit: low,
                value,
                binary: format!("{value:0width$b}", width = bits as usize),
            });
            top = low;
        };
        push("unused", PartKind::Unused, 64 - self.used_bits());
        push("time", PartKind::Time, self.time_bits);
        for node in &self.nodes {
            push(&node.name, PartKind::Node, node.bits);
        }
        push(&self.sequence_name, PartKind::Sequence, self.sequence_bits);
        let ticks = (id >> self.time_shift()) & self.max_ticks();
        let unix_ms = u128::from(self.epoch_ms) + u128::from(ticks);
        let unused_bits_set = self.used_bits() < 64 && id >> self.used_bits() != 0;
        Decoded { id, parts, ticks, unix_ms, utc: UtcTime::from_unix_ms(unix_ms as i128), unused_bits_set }
    }
}

/// The lowest `bits` bits set.
pub(crate) fn mask(bits: u32) -> u64 {
    if bits >= 64 { u64::MAX } else { (1u64 << bits) - 1 }
}

/// Reads an ID as a person pastes it: decimal (`1541815603606036480`, separators allowed) or
/// hexadecimal with `0x`.
pub fn parse_id(text: &str) -> Result<u64, String> {
    const HELP: &str = "Enter an ID as a whole number from 0 to 18,446,744,073,709,551,615, \
like 1541815603606036480, or in hexadecimal like 0x1565a11f6217a000.";
    let cleaned: String = text.trim().chars().filter(|c| !matches!(c, ',' | '_' | ' ')).collect();
    let parsed = match cleaned.strip_prefix("0x").or_else(|| cleaned.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => cleaned.parse::<u64>(),
    };
    match parsed {
        Ok(id) if !cleaned.starts_with('+') => Ok(id),
        _ if cleaned.is_empty() => Err(format!("The ID is empty. {HELP}")),
        _ => Err(HELP.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_the_notes_example_with_twitters_layout() {
        let d = Layout::twitter().decode(1_541_815_603_606_036_480);
        assert_eq!(d.utc.to_string(), "2022-06-28 16:07:40.105 UTC");
        assert_eq!(d.ticks, 367_597_485_448);
        assert_eq!(d.unix_ms, 1_656_432_460_105);
        assert_eq!(d.field("data centre"), Some(11));
        assert_eq!(d.field("machine"), Some(26));
        assert_eq!(d.field("sequence"), Some(0));
        assert_eq!(d.field("unused"), Some(0));
        assert!(!d.unused_bits_set);
        assert_eq!(d.hex(), "0x1565a11f6217a000");
        let shape: Vec<_> = d.parts.iter().map(|p| (p.name.as_str(), p.high_bit, p.low_bit)).collect();
        assert_eq!(
            shape,
            [
                ("unused", 63, 63),
                ("time", 62, 22),
                ("data centre", 21, 17),
                ("machine", 16, 12),
                ("sequence", 11, 0)
            ]
        );
        assert_eq!(d.parts[2].binary, "01011");
        assert_eq!(d.parts[3].binary, "11010");
    }

    #[test]
    fn decodes_discords_documented_example() {
        let d = Layout::discord().decode(175_928_847_299_117_063);
        assert_eq!(d.utc.to_string(), "2016-04-30 11:18:25.796 UTC");
        assert_eq!(d.unix_ms, 1_462_015_105_796);
        assert_eq!(d.field("worker"), Some(1));
        assert_eq!(d.field("process"), Some(0));
        assert_eq!(d.field("increment"), Some(7));
        assert_eq!(d.parts.len(), 4, "Discord uses all 64 bits: no unused part");
    }

    #[test]
    fn composes_instagrams_worked_example() {
        // The article: 1387263000 ms since the epoch, shard 31341 % 2000 = 1341, and the table's
        // 5,001st sequence value modulo 1024 = 905.
        let layout = Layout::instagram();
        let shard = layout.node_bits_value(&[31_341 % 2_000]).unwrap();
        let id = layout.compose(1_387_263_000, shard, 5_001 % 1_024);
        assert_eq!(id, (1_387_263_000u64 << 23) | (1_341 << 10) | 905);
        assert_eq!(id, 11_637_205_501_278_089);
        let d = layout.decode(id);
        assert_eq!((d.ticks, d.field("shard"), d.field("sequence")), (1_387_263_000, Some(1_341), Some(905)));
    }

    #[test]
    fn time_ranges_of_the_presets() {
        // 2^41 ms is 69.7 years: Twitter's IDs run out in July 2080, Instagram's in 2081.
        let twitter = Layout::twitter();
        assert_eq!(twitter.max_ticks(), 2_199_023_255_551);
        assert_eq!(twitter.last_unix_ms(), 3_487_858_230_208);
        assert_eq!(UtcTime::from_unix_ms(3_487_858_230_208).to_string(), "2080-07-10 17:30:30.208 UTC");
        assert_eq!(twitter.max_sequence(), 4_095);
        assert_eq!(twitter.time_shift(), 22);
        assert_eq!(Layout::discord().max_ticks(), (1 << 42) - 1);
        assert_eq!(Layout::instagram().max_sequence(), 1_023);
    }

    #[test]
    fn bad_layouts_and_node_values_are_explained() {
        for (time, nodes, seq, message) in [
            (0, vec![5], 12, "The time field has 0 bits: give it 1 to 63."),
            (41, vec![5], 0, "The sequence has 0 bits: give it 1 to 32."),
            (41, vec![0], 12, "The n0 field has 0 bits: give it 1 to 32."),
            (
                41,
                vec![10, 10],
                12,
                "The fields add up to 73 bits, more than the 64 of an ID: take 9 bits off.",
            ),
        ] {
            let names: Vec<String> = (0..nodes.len()).map(|i| format!("n{i}")).collect();
            let nodes: Vec<(&str, u32)> = names.iter().map(String::as_str).zip(nodes).collect();
            assert_eq!(Layout::custom("x", 0, time, &nodes, "seq", seq), Err(message.to_string()));
        }
        let t = Layout::twitter();
        assert_eq!(
            t.node_bits_value(&[32, 0]),
            Err("The data centre must be from 0 to 31 (5 bits); 32 does not fit.".to_string())
        );
        assert_eq!(
            t.node_bits_value(&[1]),
            Err("The Twitter layout has 2 node fields (data centre, machine): give one value for each."
                .to_string())
        );
        assert_eq!(t.node_bits_value(&[11, 26]), Ok((11 << 17) | (26 << 12)));
    }

    #[test]
    fn sign_bit_is_flagged() {
        let d = Layout::twitter().decode(u64::MAX);
        assert!(d.unused_bits_set);
        assert!(!Layout::discord().decode(u64::MAX).unused_bits_set);
    }

    #[test]
    fn parses_pasted_ids() {
        for (text, id) in [
            ("1541815603606036480", 1_541_815_603_606_036_480u64),
            (" 1,541,815,603,606,036,480 ", 1_541_815_603_606_036_480),
            ("0x1565a11f6217a000", 0x1565_a11f_6217_a000),
            ("0X1565A11F6217A000", 0x1565_a11f_6217_a000),
            ("18446744073709551615", u64::MAX),
            ("0", 0),
        ] {
            assert_eq!(parse_id(text), Ok(id), "{text}");
        }
        for text in ["18446744073709551616", "-1", "+5", "12ab", "0x", "snowflake", "1.5"] {
            assert!(parse_id(text).unwrap_err().starts_with("Enter an ID"), "{text}");
        }
        assert!(parse_id("  ").unwrap_err().starts_with("The ID is empty."));
    }

    proptest! {
        #[test]
        fn compose_then_decode_round_trips(
            ticks in 0u64..(1 << 41), dc in 0u64..32, machine in 0u64..32, seq in 0u64..4096,
        ) {
            let t = Layout::twitter();
            let id = t.compose(ticks, t.node_bits_value(&[dc, machine]).unwrap(), seq);
            let d = t.decode(id);
            prop_assert_eq!(d.ticks, ticks);
            prop_assert_eq!(d.field("data centre"), Some(dc));
            prop_assert_eq!(d.field("machine"), Some(machine));
            prop_assert_eq!(d.field("sequence"), Some(seq));
            prop_assert!(!d.unused_bits_set);
        }

        #[test]
        fn parts_cover_all_64_bits(id in any::<u64>(), time in 1u32..=40, node in 1u32..=12, seq in 1u32..=12) {
            let layout = Layout::custom("c", 0, time, &[("node", node)], "seq", seq).unwrap();
            let d = layout.decode(id);
            let bits: String = d.parts.iter().map(|p| p.binary.as_str()).collect();
            prop_assert_eq!(bits, format!("{id:064b}"));
        }

        #[test]
        fn any_text_parses_or_explains(text in "\\PC{0,30}") {
            let _ = parse_id(&text);
        }
    }
}
