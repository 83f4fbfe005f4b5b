//! The unique-ID page's experiments: each claim of the notes (and of the articles they cite) run
//! live through the generators and the run of this module, its measured figure beside the expected
//! one.

use super::layout::Layout;
use super::multi_master::AddPolicy;
use super::run::{Fault, FaultKind, Run, RunConfig, RunReport, Scheme};
use super::snowflake::{ClockPolicy, Next, Snowflake};
use super::utc::UtcTime;
use super::uuid::Birthday;
use crate::estimate::Claim;
use crate::experiment::{Outcome, Shown, broken};
use crate::format::{count, group_digits};

fn run(config: RunConfig) -> Result<(Run, RunReport), String> {
    let mut run = Run::new(config)?;
    run.run_all();
    let report = run.report();
    Ok((run, report))
}

fn n(x: u64) -> String {
    group_digits(u128::from(x))
}

/// The notes' example ID, decoded with Twitter's layout.
fn decode_notes_example() -> Outcome {
    let d = Layout::twitter().decode(1_541_815_603_606_036_480);
    let measured = format!(
        "{}, data centre {}, machine {}, sequence {}",
        d.utc,
        d.field("data centre").unwrap_or(0),
        d.field("machine").unwrap_or(0),
        d.field("sequence").unwrap_or(0)
    );
    let expected = "2022-06-28 16:07:40.105 UTC, data centre 11, machine 26, sequence 0";
    Outcome {
        reproduced: measured == expected,
        measured,
        expected: expected.to_string(),
        detail: format!(
            "1541815603606036480 = {}: the top 41 bits after the sign bit are {} ms after Twitter's \
epoch 1288834974657 (2010-11-04 01:42:54.657 UTC).",
            d.hex(),
            n(d.ticks)
        ),
    }
}

/// A frozen clock and a burst of 10,000 requests at one worker.
fn snowflake_ceiling() -> Outcome {
    let expected = "4,096 IDs in one millisecond (2^12 sequence values), no duplicate";
    let config = RunConfig {
        duration_ms: 20,
        rate_per_ms: 1,
        faults: vec![
            Fault { at_ms: 5, kind: FaultKind::FreezeClock { server: 0, for_ms: 3 } },
            Fault { at_ms: 5, kind: FaultKind::Burst { server: 0, requests: 10_000 } },
        ],
        ..RunConfig::default()
    };
    let (run, report) = match run(config) {
        Ok(r) => r,
        Err(e) => return broken(expected, e),
    };
    let snow = report.scheme(Scheme::Snowflake);
    let frozen_ms = run.config().start_unix_ms + 5;
    let at_frozen_ms = run
        .issued(Scheme::Snowflake)
        .iter()
        .filter(|i| i.generator == 0 && i.clock_unix_ms == frozen_ms)
        .count() as u64;
    Outcome {
        measured: format!(
            "{} IDs in the frozen millisecond, {} duplicates",
            n(at_frozen_ms),
            n(snow.check.duplicates)
        ),
        expected: expected.to_string(),
        reproduced: at_frozen_ms == 4_096 && snow.stats.peak_per_ms == 4_096 && snow.check.duplicates == 0,
        detail: format!(
            "Worker 1's clock froze for 3 ms while 10,000 requests arrived in one millisecond: it issued \
4,096, the rest waited up to {} ms for the clock to move; all {} requests got an ID.",
            snow.stats.max_wait_ms,
            n(snow.stats.issued)
        ),
    }
}

/// A clock moved back 10 ms under both policies.
fn clock_moved_back() -> Outcome {
    let expected = "0 duplicates under either policy";
    let mut duplicates = 0;
    let mut parts = Vec::new();
    for policy in ClockPolicy::ALL {
        let config = RunConfig {
            duration_ms: 100,
            rate_per_ms: 2,
            clock_policy: policy,
            faults: vec![Fault { at_ms: 50, kind: FaultKind::ClockBack { server: 1, by_ms: 10 } }],
            ..RunConfig::default()
        };
        let (_, report) = match run(config) {
            Ok(r) => r,
            Err(e) => return broken(expected, e),
        };
        let snow = report.scheme(Scheme::Snowflake);
        duplicates += snow.check.duplicates;
        parts.push(format!(
            "{}: {} refused, {} waited (up to {} ms)",
            policy.label(),
            n(snow.stats.failed()),
            n(snow.stats.waited),
            snow.stats.max_wait_ms
        ));
    }
    Outcome {
        measured: format!("{} duplicates", n(duplicates)),
        expected: expected.to_string(),
        reproduced: duplicates == 0,
        detail: format!(
            "Server 2's clock jumped back 10 ms in a 100 ms run of 2 requests/ms. {}.",
            parts.join("; ")
        ),
    }
}

/// 5,000 requests at one Instagram shard in one millisecond.
fn instagram_sequence() -> Outcome {
    let expected = "1,024 IDs per shard per millisecond";
    let config = RunConfig {
        duration_ms: 10,
        rate_per_ms: 0,
        faults: vec![Fault { at_ms: 5, kind: FaultKind::Burst { server: 0, requests: 5_000 } }],
        ..RunConfig::default()
    };
    let (_, report) = match run(config) {
        Ok(r) => r,
        Err(e) => return broken(expected, e),
    };
    let insta = report.scheme(Scheme::Instagram);
    Outcome {
        measured: format!("{} distinct IDs", n(insta.check.distinct)),
        expected: expected.to_string(),
        reproduced: insta.check.distinct == 1_024,
        detail: format!(
            "5,000 requests at shard 0 in one millisecond: the 10-bit sequence wraps after 1,024, so \
{} of the IDs repeat an earlier one. Snowflake in the same run: {} distinct of {}, the rest waited.",
            n(insta.check.duplicates),
            n(report.scheme(Scheme::Snowflake).check.distinct),
            n(report.scheme(Scheme::Snowflake).stats.issued)
        ),
    }
}

/// Adding a third server to the odd/even pair.
fn multi_master_add() -> Outcome {
    let expected = "duplicates unless every server stops";
    let mut found = Vec::new();
    for policy in [AddPolicy::OneByOne, AddPolicy::StopTheWorld] {
        let config = RunConfig {
            duration_ms: 100,
            rate_per_ms: 2,
            faults: vec![Fault { at_ms: 50, kind: FaultKind::AddMultiMasterServer { policy } }],
            ..RunConfig::default()
        };
        match run(config) {
            Ok((_, report)) => found.push(report.scheme(Scheme::MultiMaster).check.duplicates),
            Err(e) => return broken(expected, e),
        }
    }
    let (one_by_one, stopped) = (found[0], found[1]);
    Outcome {
        measured: format!("{} duplicates one by one, {} after a stop", n(one_by_one), n(stopped)),
        expected: expected.to_string(),
        reproduced: one_by_one > 0 && stopped == 0,
        detail: "Two servers made 1..100 (odd and even); then a third joined and all switched to \
increment 3. Each server that goes on from its own largest value lands on numbers the others \
already issued; stopping all of them and restarting above the largest ID avoids that."
            .to_string(),
    }
}

/// A 100 ms crash of ticket server 1, with one server and with Flickr's pair.
fn ticket_server_spof() -> Outcome {
    let expected = "100 % failed with one server, 0 % with two";
    let mut failed = Vec::new();
    for servers in [1, 2] {
        let config = RunConfig {
            servers,
            duration_ms: 200,
            rate_per_ms: 1,
            faults: vec![Fault { at_ms: 50, kind: FaultKind::CrashTicketServer { server: 0, for_ms: 100 } }],
            ..RunConfig::default()
        };
        match run(config) {
            Ok((_, report)) => failed.push(report.scheme(Scheme::TicketServer).stats.failed()),
            Err(e) => return broken(expected, e),
        }
    }
    let pct = |f: u64| f as f64;
    Outcome {
        measured: format!(
            "{} % failed with one, {} % with two",
            count(pct(failed[0])),
            count(pct(failed[1]))
        ),
        expected: expected.to_string(),
        reproduced: failed[0] == 100 && failed[1] == 0,
        detail: "One request a millisecond; ticket server 1 is down from 50 ms to 150 ms, so 100 requests \
arrive while it is down. With a pair the client skips the dead server and the other one answers."
            .to_string(),
    }
}

/// The birthday bound for v4 UUIDs.
fn uuid_birthday() -> Outcome {
    match Birthday::NOTES.answer() {
        Ok(a) => Outcome::within(
            a.seconds / (365.25 * 86_400.0),
            86.0,
            0.01,
            Shown { measured: |y| format!("{y:.1} years"), expected: |y| format!("about {y} years") },
            format!("{}. 1 year = 365.25 days.", a.formula),
        ),
        Err(e) => broken("about 86 years", e),
    }
}

/// Where Twitter's 41 bits of milliseconds end.
fn snowflake_time_range() -> Outcome {
    let layout = Layout::twitter();
    let last = layout.last_unix_ms() as u64;
    let Ok(mut g) = Snowflake::new(layout, &[0, 0], ClockPolicy::Refuse) else {
        return broken("2080-07-10", "the Twitter layout did not build".to_string());
    };
    let at_last = g.next_id(last);
    let after = g.next_id(last + 1);
    let years = (1u64 << 41) as f64 / (365.25 * 86_400_000.0);
    Outcome {
        measured: format!("last ID at {}", UtcTime::from_unix_ms(i128::from(last))),
        expected: format!("2^41 ms = {years:.1} years after 2010-11-04"),
        reproduced: matches!(at_last, Next::Issued(_)) && matches!(after, Next::Refused(_)),
        detail: format!(
            "A generator asked at that millisecond issues {}; one millisecond later it refuses: {:?}.",
            at_last.id().map_or("nothing".to_string(), |id| id.to_string()),
            after
        ),
    }
}

/// Sortedness of each scheme in a quiet run.
fn sortable() -> Outcome {
    let expected = "snowflake and UUID v7: 0 ms; UUID v4: no order";
    let (_, report) = match run(RunConfig { duration_ms: 500, ..RunConfig::default() }) {
        Ok(r) => r,
        Err(e) => return broken(expected, e),
    };
    let disorder = |s: Scheme| report.scheme(s).check.max_disorder_ms;
    let v4 = &report.scheme(Scheme::UuidV4).check;
    Outcome {
        measured: format!(
            "snowflake {} ms, UUID v7 {} ms, UUID v4 {} ms",
            n(disorder(Scheme::Snowflake)),
            n(disorder(Scheme::UuidV7)),
            n(disorder(Scheme::UuidV4)),
        ),
        expected: expected.to_string(),
        reproduced: disorder(Scheme::Snowflake) == 0
            && disorder(Scheme::UuidV7) == 0
            && disorder(Scheme::UuidV4) > 100,
        detail: format!(
            "Two servers with agreeing clocks, 4 requests/ms for 500 ms. The figure is the longest time \
between an ID and a later one with a smaller value: sorting by ID sorts by time to within it. \
Within one millisecond the two UUID v7 generators interleave at random ({} of {} v7 IDs are \
smaller than one issued before them); {} of {} v4 IDs are.",
            n(report.scheme(Scheme::UuidV7).check.out_of_order),
            n(report.scheme(Scheme::UuidV7).check.total),
            n(v4.out_of_order),
            n(v4.total)
        ),
    }
}

/// The claims the page runs, in the order it shows them.
pub const CLAIMS: [Claim; 9] = [
    Claim {
        claim: "The notes' example snowflake 1541815603606036480 decodes to 2022-06-28 16:07:40.105 UTC, data centre 11, machine 26.",
        source: "The notes, \"Snowflake ID\"; Twitter's layout (announcement, 2010)",
        run: decode_notes_example,
    },
    Claim {
        claim: "One snowflake worker makes at most 4,096 IDs a millisecond; the 4,097th waits for the next millisecond.",
        source: "Twitter's snowflake: 12-bit sequence (announcement and IdWorker, 2010)",
        run: snowflake_ceiling,
    },
    Claim {
        claim: "A clock that moves back never makes snowflake repeat an ID: it refuses or waits instead.",
        source: "Twitter's IdWorker (\"Clock moved backwards. Refusing to generate id\")",
        run: clock_moved_back,
    },
    Claim {
        claim: "Instagram's 10-bit sequence allows 1,024 IDs per shard per millisecond.",
        source: "\"Sharding & IDs at Instagram\", Instagram Engineering, 2012",
        run: instagram_sequence,
    },
    Claim {
        claim: "Multi-master auto_increment is not scalable: adding a server needs every server reconfigured.",
        source: "The notes, \"Multi-Master Replication\"; MySQL manual on auto_increment_increment",
        run: multi_master_add,
    },
    Claim {
        claim: "A single ticket server is a single point of failure; Flickr's pair keeps IDs flowing.",
        source: "The notes, \"Ticket Server\"; Flickr's ticket servers article, 2010",
        run: ticket_server_spof,
    },
    Claim {
        claim: "A billion v4 UUIDs a second for about 86 years gives a 50 % chance of one duplicate.",
        source: "The notes, \"UUID\", quoting Wikipedia",
        run: uuid_birthday,
    },
    Claim {
        claim: "Twitter's 41 bits of milliseconds last about 69.7 years: its IDs run out in 2080.",
        source: "Snowflake's layout: 2^41 ms from the epoch 2010-11-04",
        run: snowflake_time_range,
    },
    Claim {
        claim: "Snowflake and UUID v7 IDs sort by creation time; UUID v4 IDs do not.",
        source: "Twitter's announcement (\"roughly sortable\"); RFC 9562, UUID versions 4 and 7",
        run: sortable,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_claim_is_reproduced() {
        for claim in CLAIMS {
            let outcome = (claim.run)();
            assert!(outcome.reproduced, "{}: {outcome:?}", claim.claim);
        }
    }

    #[test]
    fn measured_figures() {
        let measured: Vec<String> = CLAIMS.iter().map(|c| (c.run)().measured).collect();
        assert_eq!(
            measured,
            [
                "2022-06-28 16:07:40.105 UTC, data centre 11, machine 26, sequence 0",
                "4,096 IDs in the frozen millisecond, 0 duplicates",
                "0 duplicates",
                "1,024 distinct IDs",
                "34 duplicates one by one, 0 after a stop",
                "100 % failed with one, 0 % with two",
                "86.0 years",
                "last ID at 2080-07-10 17:30:30.208 UTC",
                "snowflake 0 ms, UUID v7 0 ms, UUID v4 499 ms",
            ]
        );
    }
}
