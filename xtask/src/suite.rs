//! `cargo xtask test`: every level of the suite in order (formatting, lints, core natively, the web
//! crate in headless Chromium, the release build under a sub-path with its size budget, the
//! end-to-end tests against that build), then one summary line of passed and failed tests.

use crate::root;
use crate::site;
use crate::tools::{self, run_captured};
use std::process::Command;

/// The sub-path the test build is served under, as on a GitHub Pages project site.
const TEST_BASE: &str = "/playground/";

/// Test counts read from one runner's output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    passed: u64,
    failed: u64,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
    }
}

/// Sums cargo's (and wasm-bindgen-test-runner's) `test result: ok. N passed; M failed` lines.
fn cargo_counts(output: &str) -> Counts {
    let mut counts = Counts::default();
    for line in output.lines().filter(|l| l.trim_start().starts_with("test result:")) {
        counts.passed += number_before(line, " passed");
        counts.failed += number_before(line, " failed");
    }
    counts
}

/// Reads node's test runner summary (`ℹ pass N`, `ℹ fail M`, or TAP's `# pass N`).
fn node_counts(output: &str) -> Counts {
    let mut counts = Counts::default();
    for line in output.lines().map(str::trim) {
        let line = line.trim_start_matches(['ℹ', '#']).trim();
        if let Some(n) = line.strip_prefix("pass ") {
            counts.passed += n.trim().parse().unwrap_or(0);
        } else if let Some(n) = line.strip_prefix("fail ") {
            counts.failed += n.trim().parse().unwrap_or(0);
        }
    }
    counts
}

/// The whole number just before `word` in `line` (`"3 passed"` -> 3), or 0.
fn number_before(line: &str, word: &str) -> u64 {
    line.find(word)
        .and_then(|end| line[..end].rsplit(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

struct Step {
    name: &'static str,
    ok: bool,
    counts: Counts,
}

/// Runs one command as a step: prints its output, records whether it passed and its counts.
fn step(
    steps: &mut Vec<Step>,
    name: &'static str,
    cmd: &mut Command,
    count: Option<fn(&str) -> Counts>,
) -> bool {
    println!("\n== {name}");
    let (ok, output) = match run_captured(cmd) {
        Ok(result) => result,
        Err(e) => (false, e),
    };
    println!("{}", output.trim_end());
    let counts = count.map(|f| f(&output)).unwrap_or_default();
    // A runner that failed without reporting a failed test still counts as one failure.
    let counts = if !ok && counts.failed == 0 { Counts { failed: 1, ..counts } } else { counts };
    steps.push(Step { name, ok, counts });
    ok
}

pub fn run() -> Result<(), String> {
    tools::ensure_build_tools()?;
    tools::ensure_browser()?;
    let mut steps = Vec::new();

    step(
        &mut steps,
        "formatting (cargo fmt --check)",
        Command::new("cargo").args(["fmt", "--all", "--check"]),
        None,
    );
    step(
        &mut steps,
        "lints (cargo clippy, warnings are errors)",
        Command::new("cargo").args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]),
        None,
    );
    step(
        &mut steps,
        "native tests (core, xtask)",
        Command::new("cargo").args([
            "test",
            "--workspace",
            "--exclude",
            "playground-web",
            "--exclude",
            "playground-bench-wasm",
        ]),
        Some(cargo_counts),
    );
    step(
        &mut steps,
        "web tests in headless Chromium (wasm-bindgen-test)",
        Command::new("cargo")
            .args(["test", "-p", "playground-web", "--target", "wasm32-unknown-unknown"])
            .env("CHROMEDRIVER", tools::CHROMEDRIVER),
        Some(cargo_counts),
    );

    println!("\n== release build under {TEST_BASE}");
    let site_dir = root().join("target/site-test");
    let built = site::build_release(TEST_BASE, &site_dir);
    let mut size_ok = false;
    if let Err(e) = &built {
        println!("{e}");
    } else {
        match site::size_report(&site_dir) {
            Ok(report) => {
                println!("{}", report.table());
                size_ok = report.check_budget().inspect_err(|e| println!("{e}")).is_ok();
            }
            Err(e) => println!("{e}"),
        }
    }
    steps.push(Step { name: "release build", ok: built.is_ok(), counts: Counts::default() });
    steps.push(Step {
        name: "size budget",
        ok: size_ok,
        counts: if size_ok { Counts::default() } else { Counts { passed: 0, failed: 1 } },
    });

    if built.is_ok() {
        step(
            &mut steps,
            "end-to-end tests (node --test, playwright-core, Chromium)",
            Command::new("node")
                .args(["--test", "--test-concurrency=1", "--test-reporter=spec", "tests/"])
                .env("SITE_DIR", &site_dir)
                .env("SITE_BASE", TEST_BASE)
                .env("CHROMIUM", tools::CHROMIUM),
            Some(node_counts),
        );
    }

    println!("\n== results");
    let mut total = Counts::default();
    for s in &steps {
        total += s.counts;
        let detail = if s.counts == Counts::default() {
            String::new()
        } else {
            format!(" ({} passed, {} failed)", s.counts.passed, s.counts.failed)
        };
        println!("{} {}{detail}", if s.ok { "ok  " } else { "FAIL" }, s.name);
    }
    println!("summary: {} passed, {} failed", total.passed, total.failed);
    let failed: Vec<_> = steps.iter().filter(|s| !s.ok).map(|s| s.name).collect();
    if failed.is_empty() { Ok(()) } else { Err(format!("failed: {}", failed.join(", "))) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cargo_test_summaries() {
        let out = "test result: ok. 18 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.19s\n\
                   test result: FAILED. 3 passed; 2 failed; 0 ignored\n\
                   test foo ... ok\n";
        assert_eq!(cargo_counts(out), Counts { passed: 21, failed: 2 });
    }

    #[test]
    fn reads_node_test_summaries() {
        let spec = "ℹ tests 7\nℹ suites 0\nℹ pass 6\nℹ fail 1\nℹ cancelled 0\n";
        assert_eq!(node_counts(spec), Counts { passed: 6, failed: 1 });
        assert_eq!(node_counts("# pass 4\n# fail 0\n"), Counts { passed: 4, failed: 0 });
    }
}
