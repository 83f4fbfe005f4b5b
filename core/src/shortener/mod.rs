//! The URL shortener (the notes, "URL Shortener"): base62 and hash-prefix codes, URL validation,
//! the three endpoints as a simulated HTTP service over `URL_table(id, shortURL, longURL)` with an
//! LRU cache, a per-client rate limit and click analytics, a browser that caches 301 redirects, the
//! experiments the page runs, and the session the page keeps (links in local storage, replayed).

pub mod base62;
pub mod browser;
pub mod experiments;
pub mod lru;
pub mod service;
pub mod session;
pub mod validate;

pub use browser::{Browser, Click};
pub use service::{Config, Redirect, Request, Response, Row, Scheme, Service};
pub use session::Session;
