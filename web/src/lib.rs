//! playground-web: the System Design Playground's Yew app. Pages, widgets, routing and
//! persistence; no algorithm logic (every figure comes from playground-core). `main.rs` mounts
//! [`app::App`]; the browser tests in `tests/` mount it the same way.

pub mod app;
pub mod pages;
pub mod panic_banner;
pub mod theme;
pub mod url_state;
pub mod widgets;
