//! playground-core: every algorithm of the System Design Playground, and (later) its simulation
//! engine. Pure Rust with no web dependencies: it builds and tests natively and on wasm32, reads no
//! wall clock and no OS randomness, and never panics on input a person can type.
//!
//! One module per system from the design notes; `format` turns numbers into the text every page
//! shows, so that a figure reads the same on every page; `kernels` names the hot loops that
//! `cargo xtask bench` times natively (criterion) and in the browser.

pub mod estimate;
pub mod experiment;
pub mod format;
pub mod hashing;
pub mod ids;
pub mod kernels;
pub mod kv;
pub mod rate_limit;
pub mod shortener;
pub mod sim;
