//! Installs what the playground needs and is missing, printing what it does and skipping what is
//! already right: the wasm32 target, trunk, wasm-bindgen-cli at exactly the Cargo.lock version,
//! the npm packages, and (for tests) Debian's Chromium and chromedriver. Also runs commands.

use crate::root;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Trunk's version: 0.22 needs a newer rustc than this project's 1.95 (TOOLCHAIN.md).
const TRUNK_VERSION: &str = "0.21.14";
/// The wasm-opt that Trunk must use: npm's binaryen prints this (Debian's is too old).
pub const WASM_OPT_VERSION: &str = "version_132";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Runs a command in the workspace root, echoing it first; fails with its exit status.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    println!("$ {}", describe(cmd));
    let status =
        cmd.current_dir(root()).status().map_err(|e| format!("could not start `{}`: {e}", describe(cmd)))?;
    if status.success() { Ok(()) } else { Err(format!("`{}` failed ({status})", describe(cmd))) }
}

/// Runs a command and returns its standard output and error together, echoing the command.
pub fn run_captured(cmd: &mut Command) -> Result<(bool, String), String> {
    println!("$ {}", describe(cmd));
    let out = cmd
        .current_dir(root())
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("could not start `{}`: {e}", describe(cmd)))?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    Ok((out.status.success(), text))
}

fn describe(cmd: &Command) -> String {
    let mut parts = vec![cmd.get_program().to_string_lossy().into_owned()];
    parts.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    parts.join(" ")
}

/// The first line a program prints for `--version`, or None when it is not installed.
fn version_of(program: &str, arg: &str) -> Option<String> {
    let out = Command::new(program).arg(arg).stdin(Stdio::null()).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    out.status.success().then(|| text.lines().next().unwrap_or("").trim().to_string())
}

/// The version of a package as resolved in Cargo.lock.
pub fn locked_version(package: &str) -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock.find(&needle).ok_or_else(|| format!("{package} is not in Cargo.lock"))? + needle.len();
    let end = lock[start..].find('"').ok_or("Cargo.lock is malformed")? + start;
    Ok(lock[start..end].to_string())
}

/// The wasm-bindgen version that Trunk.toml pins (it must equal Cargo.lock's).
pub fn trunk_toml_wasm_bindgen() -> Result<String, String> {
    let toml = std::fs::read_to_string(root().join("Trunk.toml"))
        .map_err(|e| format!("cannot read Trunk.toml: {e}"))?;
    toml.lines()
        .find_map(|l| l.trim().strip_prefix("wasm_bindgen = \"").and_then(|rest| rest.strip_suffix('"')))
        .map(str::to_string)
        .ok_or_else(|| "Trunk.toml has no [tools] wasm_bindgen = \"...\" line".to_string())
}

/// Everything a build of the site needs.
pub fn ensure_build_tools() -> Result<(), String> {
    println!("== checking build tools");
    let targets = Command::new("rustup").args(["target", "list", "--installed"]).output().ok();
    let has_wasm = targets
        .is_some_and(|o| String::from_utf8_lossy(&o.stdout).lines().any(|l| l == "wasm32-unknown-unknown"));
    if has_wasm {
        println!("ok: wasm32-unknown-unknown target");
    } else {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }

    if version_of("trunk", "--version").as_deref() == Some(&format!("trunk {TRUNK_VERSION}")) {
        println!("ok: trunk {TRUNK_VERSION}");
    } else {
        println!("installing trunk {TRUNK_VERSION} (about 8 minutes on 2 cores, once)");
        run(Command::new("cargo").args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"]))?;
    }

    let bindgen = locked_version("wasm-bindgen")?;
    let pinned = trunk_toml_wasm_bindgen()?;
    if pinned != bindgen {
        return Err(format!(
            "Trunk.toml pins wasm_bindgen = \"{pinned}\" but Cargo.lock has wasm-bindgen {bindgen}: make them equal"
        ));
    }
    let want = format!("wasm-bindgen {bindgen}");
    let have_cli = version_of("wasm-bindgen", "--version");
    let have_runner = version_of("wasm-bindgen-test-runner", "--version");
    if have_cli.as_deref() == Some(&want) && have_runner.is_some_and(|v| v.ends_with(&bindgen)) {
        println!("ok: wasm-bindgen-cli {bindgen}");
    } else {
        println!("installing wasm-bindgen-cli {bindgen} to match Cargo.lock (about 3 minutes, once)");
        // No --locked: the registry snapshot lacks one of its locked dependencies (TOOLCHAIN.md).
        run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &bindgen, "--force"]))?;
    }

    ensure_npm_packages()
}

/// The npm packages of package.json (playwright-core, axe-core, binaryen), installed with `npm ci`
/// unless node_modules already matches package-lock.json.
fn ensure_npm_packages() -> Result<(), String> {
    let lock = root().join("package-lock.json");
    let installed = root().join("node_modules/.package-lock.json");
    let up_to_date = match (std::fs::read_to_string(&lock), std::fs::read_to_string(&installed)) {
        (Ok(want), Ok(have)) => packages_of(&want) == packages_of(&have),
        _ => false,
    };
    if up_to_date {
        println!("ok: npm packages");
        return Ok(());
    }
    if version_of("npm", "--version").is_none() {
        return Err(
            "npm is missing: install Node.js (with npm), e.g. `apt-get install nodejs npm`".to_string()
        );
    }
    run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]))
}

/// The `packages` object of an npm lock file without its root entry, to compare an install with
/// the lock.
fn packages_of(lock: &str) -> Option<serde_json::Value> {
    let mut value: serde_json::Value = serde_json::from_str(lock).ok()?;
    let packages = value.get_mut("packages")?.as_object_mut()?;
    packages.remove("");
    for entry in packages.values_mut() {
        if let Some(o) = entry.as_object_mut() {
            o.retain(|k, _| k == "version");
        }
    }
    Some(serde_json::Value::Object(packages.clone()))
}

/// Debian's Chromium and chromedriver, installed with apt-get when missing and running as root.
pub fn ensure_browser() -> Result<(), String> {
    if PathBuf::from(CHROMIUM).exists() && PathBuf::from(CHROMEDRIVER).exists() {
        println!("ok: chromium and chromedriver");
        return Ok(());
    }
    let is_root = version_of("id", "-u").as_deref() == Some("0");
    if !is_root {
        return Err(format!(
            "headless Chromium is missing ({CHROMIUM}, {CHROMEDRIVER}): install it with \
             `sudo apt-get update && sudo apt-get install -y chromium chromium-driver`, then run again"
        ));
    }
    run(Command::new("apt-get").arg("update").env("DEBIAN_FRONTEND", "noninteractive"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "chromium", "chromium-driver"])
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// A `trunk` command with the environment the offline build needs: npm's wasm-opt first on PATH,
/// pinned, and no update check.
pub fn trunk() -> Command {
    let mut cmd = Command::new("trunk");
    let bin = root().join("node_modules/.bin");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![bin];
    paths.extend(std::env::split_paths(&path));
    cmd.env("PATH", std::env::join_paths(paths).unwrap_or(path))
        .env("TRUNK_TOOLS_WASM_OPT", WASM_OPT_VERSION)
        .env("TRUNK_SKIP_VERSION_CHECK", "true");
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_pins_the_locked_wasm_bindgen() {
        assert_eq!(trunk_toml_wasm_bindgen().unwrap(), locked_version("wasm-bindgen").unwrap());
    }

    #[test]
    fn lock_comparison_ignores_the_root_entry_and_metadata() {
        let want =
            r#"{"packages": {"": {"name": "x"}, "node_modules/a": {"version": "1.0.0", "resolved": "r"}}}"#;
        let have = r#"{"packages": {"node_modules/a": {"version": "1.0.0", "integrity": "i"}}}"#;
        let newer = r#"{"packages": {"node_modules/a": {"version": "1.0.1"}}}"#;
        assert_eq!(packages_of(want), packages_of(have));
        assert_ne!(packages_of(want), packages_of(newer));
    }
}
