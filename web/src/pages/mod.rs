//! One module per page, and the list of system pages that the home page and the navigation show.

pub mod bloom;
pub mod estimate;
pub mod hashing;
pub mod home;
pub mod ids;
pub mod kv_store;
pub mod not_found;
pub mod rate_limit;
pub mod shortener;

use crate::app::Route;

/// A system page as the home page's card and the header's navigation show it.
pub struct SystemPage {
    pub route: Route,
    /// The name in the navigation.
    pub short: &'static str,
    pub title: &'static str,
    /// The page's one-sentence promise.
    pub promise: &'static str,
}

/// Every system page that exists, in the notes' order. No card for a page not built yet.
pub const SYSTEMS: &[SystemPage] = &[
    SystemPage {
        route: Route::Estimate,
        short: "Estimate",
        title: "Capacity estimation",
        promise: "Turn users and habits into requests per second, storage and bandwidth, with every step of the \
                  arithmetic shown, next to the latency numbers every programmer should know.",
    },
    SystemPage {
        route: Route::RateLimit,
        short: "Rate limiting",
        title: "Rate limiting",
        promise: "Send one stream of requests through the token and leaky buckets, fixed and sliding windows side \
                  by side, read the 429 each one answers, and watch gateways race on a shared counter.",
    },
    SystemPage {
        route: Route::Hashing,
        short: "Hashing",
        title: "Consistent hashing",
        promise: "Add and remove servers on a SHA-1 hash ring and watch which keys move, how virtual nodes even out \
                  the load, and how one failed server can take the rest down.",
    },
    SystemPage {
        route: Route::Ids,
        short: "Unique IDs",
        title: "Distributed unique IDs",
        promise: "Run multi-master counters, UUIDs, a ticket server, snowflake and Instagram IDs side by side, take \
                  any ID apart bit by bit, and break the clocks and servers behind them.",
    },
    SystemPage {
        route: Route::Shortener,
        short: "URL shortener",
        title: "URL shortener",
        promise: "Shorten real links, follow them through a browser that caches 301s, send the three API calls by \
                  hand, and watch the rate limiter, cache, store and analytics count every request.",
    },
    SystemPage {
        route: Route::KvStore,
        short: "Key-value store",
        title: "Key-value store",
        promise: "Tune N, W and R on a Dynamo-style cluster, crash and partition its servers, and watch gossip, \
                  hinted handoff, Merkle anti-entropy and Bloom filters at work on a space-time diagram, with every \
                  stale read measured.",
    },
    SystemPage {
        route: Route::Bloom,
        short: "Bloom filter",
        title: "Bloom filter",
        promise: "Add items to a bit array, ask about others, and see why the answer is a certain no or a nervous \
                  probably yes, what each percent of false positives costs in bits, and why an item can never be removed.",
    },
];
