//! `cargo xtask`: the playground's automation (the rust-analyzer pattern: a plain Rust binary in the
//! workspace instead of shell scripts).
//!
//! - `serve`: install what is missing, then build and serve the site on http://127.0.0.1:8080 with
//!   live reload.
//! - `test`: the whole suite (fmt, clippy, core natively, web in headless Chromium, release build
//!   under a sub-path, size budget, end-to-end tests), ending with one summary line.
//! - `dist --public-url /NAME/`: the production build for a static host.
//! - `bench`: criterion natively and the same kernels in headless Chromium, as one table.

mod bench;
mod site;
mod suite;
mod tools;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  serve                      install what is missing, then serve the site on http://127.0.0.1:8080
  test                       run the whole test suite (ends with a passed/failed summary line)
  dist [--public-url /NAME/] production build into dist/ (default public URL: /)
  bench                      benchmarks natively (criterion) and in headless Chromium, as one table";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => site::serve(),
        Some("test") => suite::run(),
        Some("dist") => public_url(&args[1..]).and_then(|url| site::dist(&url)),
        Some("bench") => bench::run(),
        Some("help" | "--help" | "-h") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The `--public-url` of `dist`: an absolute path that starts and ends with `/`.
fn public_url(args: &[String]) -> Result<String, String> {
    match args {
        [] => Ok("/".to_string()),
        [flag, url] if flag == "--public-url" => {
            if url.starts_with('/') && url.ends_with('/') {
                Ok(url.clone())
            } else {
                Err(format!("--public-url must start and end with `/`, like /playground/ (got `{url}`)"))
            }
        }
        _ => Err(format!("dist takes `--public-url /NAME/`\n\n{USAGE}")),
    }
}

/// The workspace root (the folder above xtask/).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives inside the workspace").to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_must_be_a_rooted_folder() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(public_url(&args(&[])), Ok("/".to_string()));
        assert_eq!(public_url(&args(&["--public-url", "/playground/"])), Ok("/playground/".to_string()));
        assert!(public_url(&args(&["--public-url", "playground"])).is_err());
        assert!(public_url(&args(&["--public-url", "/playground"])).is_err());
        assert!(public_url(&args(&["--wrong", "/x/"])).is_err());
    }
}
