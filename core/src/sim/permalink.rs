//! Scenarios in a link: a compact, URL-safe text form, and a decoder that turns anything a person
//! can paste into either a scenario or a message saying what is wrong.
//!
//! The form is `v1.` followed by the scenario's JSON in base64url without padding (RFC 4648, §5),
//! which survives being a URL fragment's query value unescaped. The decoder checks the length
//! before doing any work, and every failure is an `Err` with a sentence, never a panic.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The prefix naming the encoding's version.
const PREFIX: &str = "v1.";
/// The longest link text accepted (64 KiB): far beyond any real scenario, small enough to parse
/// instantly.
pub const MAX_LEN: usize = 65_536;

/// The link text of `value`.
pub fn encode<T: Serialize>(value: &T) -> String {
    let json = serde_json::to_vec(value).unwrap_or_default();
    format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(json))
}

/// Reads a link text back; the error says what is wrong with it.
pub fn decode<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let text = text.trim();
    if text.len() > MAX_LEN {
        return Err(format!(
            "The link's scenario is {} characters long; at most {MAX_LEN} are accepted. Check that the whole link was copied, and nothing else.",
            text.len()
        ));
    }
    let Some(body) = text.strip_prefix(PREFIX) else {
        return Err("The link's scenario does not start with \"v1.\": it was not made by this page, or was cut. Copy the link again.".to_string());
    };
    let json = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|e| format!("The link's scenario is damaged ({e}). Copy the whole link again."))?;
    serde_json::from_slice(&json).map_err(|e| {
        format!("The link's scenario could not be read ({e}). It may come from an older version of the page.")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Action, Fault, NodeId, Scenario, Scheduled, When};
    use proptest::prelude::*;

    type S = Scenario<(u32, bool), String>;

    fn sample() -> S {
        let mut s = Scenario::new(42, (3, true));
        s.schedule.push(Scheduled {
            when: When::At(1_500_000),
            action: Action::Fault(Fault::Crash { node: NodeId(2) }),
        });
        s.schedule.push(Scheduled {
            when: When::AfterStep { step: 17, time: 2_000 },
            action: Action::Input { node: NodeId(0), input: "get k1".to_string() },
        });
        s
    }

    #[test]
    fn a_scenario_survives_the_round_trip() {
        let s = sample();
        let text = encode(&s);
        assert!(text.starts_with("v1."));
        assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)), "{text}");
        assert_eq!(decode::<S>(&text), Ok(s));
    }

    #[test]
    fn a_float_reads_back_bit_for_bit() {
        // serde_json's own test values that its default parser read back one unit off in the
        // last place (51.2481783755054_1, -93.3113703768803_2); a loss of exactly what the link
        // said keeps the replay exact.
        for x in [51.248_178_375_505_404, -93.311_370_376_880_33, 2.003_039_774_426_776_2e-253] {
            let s: Scenario<(u32, bool), String> = Scenario {
                schedule: vec![Scheduled {
                    when: When::At(0),
                    action: Action::Fault(Fault::SetLoss { loss: x }),
                }],
                ..Scenario::new(1, (3, true))
            };
            let back = decode::<Scenario<(u32, bool), String>>(&encode(&s)).unwrap();
            let Action::Fault(Fault::SetLoss { loss }) = back.schedule[0].action else { panic!("{back:?}") };
            assert_eq!(loss.to_bits(), x.to_bits(), "{x}");
        }
    }

    #[test]
    fn broken_links_get_a_sentence() {
        let good = encode(&sample());
        let cases = [
            ("", "does not start with \"v1.\""),
            ("v2.abc", "does not start with \"v1.\""),
            ("v1.***", "is damaged"),
            ("v1.e30", "could not be read"), // "{}": fields missing
        ];
        for (text, want) in cases {
            let err = decode::<S>(text).unwrap_err();
            assert!(err.contains(want), "{text}: {err}");
        }
        let cut = &good[..good.len() - 5];
        assert!(decode::<S>(cut).is_err());
        let long = format!("v1.{}", "A".repeat(MAX_LEN));
        assert!(decode::<S>(&long).unwrap_err().contains("at most 65536"));
    }

    proptest! {
        #[test]
        fn any_text_is_an_answer_not_a_panic(text in ".{0,200}") {
            let _ = decode::<S>(&text);
            let _ = decode::<S>(&format!("v1.{text}"));
        }

        #[test]
        fn any_bytes_behind_the_prefix_are_an_answer_not_a_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = decode::<S>(&format!("v1.{}", URL_SAFE_NO_PAD.encode(&bytes)));
        }

        #[test]
        fn every_scenario_round_trips(seed: u64, a: u32, b: bool, step: u64, t: u64, node in 0u32..100) {
            let mut s: S = Scenario::new(seed, (a, b));
            s.schedule.push(Scheduled { when: When::At(t), action: Action::Fault(Fault::Recover { node: NodeId(node) }) });
            s.schedule.push(Scheduled { when: When::AfterStep { step, time: t }, action: Action::Fault(Fault::SetLoss { loss: 0.125 }) });
            prop_assert_eq!(decode::<S>(&encode(&s)), Ok(s));
        }
    }
}
