//! Distributed unique IDs, the notes' "Distributed Unique ID" section: the five ways to hand out IDs
//! that never repeat across many machines, each running for real, and the tools to break and
//! check them.
//!
//! - [`multi_master`]: database auto_increment on k servers with increment k and offsets 1..k.
//! - [`uuid`]: version 4 (random) and version 7 (time-ordered) UUIDs, and the birthday bound.
//! - [`ticket_server`]: Flickr's ticket servers, `REPLACE INTO` on a single-row table.
//! - [`snowflake`]: Twitter's 64-bit time + machine + sequence IDs, with a configurable
//!   [`layout`] (Twitter's and Discord's presets) and decoding to UTC ([`utc`]).
//! - [`instagram`]: snowflake-like IDs made per Postgres logical shard.
//! - [`checker`]: duplicates and ordering (k-sortedness) over everything a run issued.
//! - [`run`]: a deterministic run of all of them on virtual time, with clock faults, bursts,
//!   a ticket server crash and a server added to the multi-master group.
//! - [`experiments`]: the notes' claims, each measured by a run.
//!
//! Nothing here reads a clock or the OS's randomness: generators take the time as an argument and
//! UUIDs draw from a seeded ChaCha8 RNG, so a run replays exactly.

pub mod checker;
pub mod experiments;
pub mod instagram;
pub mod layout;
pub mod multi_master;
pub mod run;
pub mod snowflake;
pub mod ticket_server;
pub mod utc;
pub mod uuid;

pub use layout::{Decoded, Layout, parse_id};
pub use snowflake::{ClockPolicy, Next, Snowflake};
