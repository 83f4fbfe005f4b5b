//! Consistent hashing (the notes' "Consistent Hashing" section): classic `hash(key) % N` against a
//! SHA-1 hash ring with virtual nodes; which keys move when a server joins or leaves; how evenly the
//! load spreads; hotspots from skewed key popularity; and cascading failure.
//!
//! - [`hash`]: the 160-bit [`Position`] and the hash functions ([`HashFn`]: SHA-1, XXH3-64).
//! - [`ring`]: the [`Ring`] (lookup, virtual nodes, collisions, replicas, partitions); the
//!   key-value store partitions and replicates with it too.
//! - [`mod_n`]: classic hashing, [`ModN`].
//! - [`keys`]: [`KeySet`] (keys hashed once, sorted), [`Assignment`], [`moves`].
//! - [`load`]: [`LoadStats`], [`Popularity`] (uniform, Zipf).
//! - [`cascade`]: the cascading-failure run.
//! - [`experiments`]: the page's claims, each run live.
//! - [`settings`]: the page's settings and their URL form.

pub mod cascade;
pub mod experiments;
pub mod hash;
pub mod keys;
pub mod load;
pub mod mod_n;
pub mod ring;
pub mod settings;

pub use hash::{HashFn, Position};
pub use keys::{Assignment, Flow, KeySet, Moves, moves};
pub use load::{LoadStats, Popularity};
pub use mod_n::ModN;
pub use ring::{Arc, EmptyRing, Point, Replicas, Ring, Server};
