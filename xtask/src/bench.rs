//! `cargo xtask bench`: the kernels of `playground_core::kernels` timed natively by criterion and
//! in headless Chromium by the `bench-wasm` harness (the same code, built as the site ships it),
//! printed as one table with the wasm/native ratio. Criterion groups other than `kernels` (for
//! example a comparison with a well-known crate) are listed natively too.

use crate::root;
use crate::tools;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Operations per criterion iteration in core/benches/kernels.rs.
const KERNEL_BATCH: f64 = 1_000.0;

pub fn run() -> Result<(), String> {
    tools::ensure_build_tools()?;
    tools::ensure_browser()?;
    println!("== native: criterion");
    tools::run(Command::new("cargo").args(["bench", "-p", "playground-core"]))?;
    let native = criterion_results(&root().join("target/criterion"))?;

    println!("== browser: the same kernels in headless Chromium");
    tools::run(Command::new("cargo").args([
        "build",
        "-p",
        "playground-bench-wasm",
        "--release",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    let out_dir = root().join("target/bench-web");
    tools::run(
        Command::new("wasm-bindgen")
            .args(["--target", "web", "--no-typescript", "--out-dir"])
            .arg(&out_dir)
            .arg(root().join("target/wasm32-unknown-unknown/release/playground_bench_wasm.wasm")),
    )?;
    let (ok, output) = tools::run_captured(
        Command::new("node")
            .arg("tests/support/bench.mjs")
            .env("BENCH_DIR", &out_dir)
            .env("CHROMIUM", tools::CHROMIUM),
    )?;
    if !ok {
        return Err(format!("the browser benchmark failed:\n{output}"));
    }
    let browser: BTreeMap<String, f64> = serde_json::from_str(output.lines().last().unwrap_or("{}"))
        .map_err(|e| format!("the browser benchmark printed no results ({e}):\n{output}"))?;

    println!("\n{}", table(&native, &browser));
    Ok(())
}

/// Time per operation in nanoseconds for every criterion benchmark, keyed `group/function`.
/// Kernels run `KERNEL_BATCH` operations per iteration; other groups one.
fn criterion_results(dir: &Path) -> Result<BTreeMap<String, f64>, String> {
    let mut results = BTreeMap::new();
    let groups =
        std::fs::read_dir(dir).map_err(|e| format!("no criterion results in {}: {e}", dir.display()))?;
    for group in groups.flatten().filter(|g| g.path().is_dir()) {
        for bench in std::fs::read_dir(group.path()).into_iter().flatten().flatten() {
            let new = bench.path().join("new");
            let (Ok(meta), Ok(estimates)) = (
                std::fs::read_to_string(new.join("benchmark.json")),
                std::fs::read_to_string(new.join("estimates.json")),
            ) else {
                continue;
            };
            let meta: Value = serde_json::from_str(&meta).map_err(|e| e.to_string())?;
            let estimates: Value = serde_json::from_str(&estimates).map_err(|e| e.to_string())?;
            let (Some(group_id), Some(function)) = (meta["group_id"].as_str(), meta["function_id"].as_str())
            else {
                continue;
            };
            let Some(mean) = estimates["mean"]["point_estimate"].as_f64() else { continue };
            let per_op = if group_id == "kernels" { mean / KERNEL_BATCH } else { mean };
            results.insert(format!("{group_id}/{function}"), per_op);
        }
    }
    Ok(results)
}

fn table(native: &BTreeMap<String, f64>, browser: &BTreeMap<String, f64>) -> String {
    let mut out = format!("{:<48} {:>14} {:>14} {:>10}\n", "benchmark", "native", "browser", "wasm/native");
    for (name, ns) in native {
        let kernel = name.strip_prefix("kernels/");
        let in_browser = kernel.and_then(|k| browser.get(k));
        let (b, ratio) = match in_browser {
            Some(b) => (ns_text(*b), format!("{:.2}×", b / ns)),
            None => ("—".to_string(), "—".to_string()),
        };
        out.push_str(&format!("{:<48} {:>14} {:>14} {:>10}\n", name, ns_text(*ns), b, ratio));
    }
    out.push_str("(time per operation; browser = the site's release profile in headless Chromium)");
    out
}

fn ns_text(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.1} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{:.2} ms", ns / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_pairs_kernels_with_their_browser_time() {
        let native = BTreeMap::from([
            ("kernels/estimate/full".to_string(), 2_000.0),
            ("governor/check".to_string(), 40.0),
        ]);
        let browser = BTreeMap::from([("estimate/full".to_string(), 5_000.0)]);
        let text = table(&native, &browser);
        assert!(text.contains("kernels/estimate/full"));
        assert!(text.contains("2.00 µs") && text.contains("5.00 µs") && text.contains("2.50×"), "{text}");
        assert!(
            text.lines().any(|l| l.starts_with("governor/check") && l.contains("40.0 ns") && l.contains('—'))
        );
    }
}
