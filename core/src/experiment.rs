//! The shape of an experiment's result, shared by every page's Experiments section: a claim from
//! the notes (or a public source) run live, its measured figure next to the expected one, and a
//! verdict computed from the two, never written by hand.

/// What one run of an experiment measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The measured figure, formatted with its unit (shown large).
    pub measured: String,
    /// The expected figure and its tolerance, formatted (shown small, with the source).
    pub expected: String,
    /// Whether the measurement agrees with the claim.
    pub reproduced: bool,
    /// One or two sentences on how it was measured (inputs, seed, sample size).
    pub detail: String,
}

impl Outcome {
    /// An outcome whose verdict is "the measured value lies within `tolerance` (relative) of the
    /// expected one".
    pub fn within(measured: f64, expected: f64, tolerance: f64, shown: Shown, detail: String) -> Outcome {
        let reproduced = measured.is_finite() && (measured - expected).abs() <= tolerance * expected.abs();
        Outcome {
            measured: (shown.measured)(measured),
            expected: format!(
                "{} (within {}%)",
                (shown.expected)(expected),
                crate::format::significant(tolerance * 100.0, 3)
            ),
            reproduced,
            detail,
        }
    }
}

/// The outcome of an experiment whose run could not start (its setup was refused with
/// `message`): nothing measured, so not reproduced.
pub fn broken(expected: &str, message: String) -> Outcome {
    Outcome {
        measured: "—".to_string(),
        expected: expected.to_string(),
        reproduced: false,
        detail: format!("The run could not start: {message}"),
    }
}

/// How to format the two figures of an outcome.
#[derive(Clone, Copy)]
pub struct Shown {
    pub measured: fn(f64) -> String,
    pub expected: fn(f64) -> String,
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Shown = Shown { measured: crate::format::count, expected: crate::format::count };

    #[test]
    fn verdict_follows_the_tolerance() {
        let inside = Outcome::within(11.574, 12.0, 0.05, PLAIN, String::new());
        assert!(inside.reproduced);
        assert_eq!(inside.measured, "11.6");
        assert_eq!(inside.expected, "12 (within 5%)");
        assert!(!Outcome::within(11.0, 12.0, 0.05, PLAIN, String::new()).reproduced);
        assert!(!Outcome::within(f64::NAN, 12.0, 0.05, PLAIN, String::new()).reproduced);
    }
}
