//! A least-recently-used cache with hit and miss counts: the cache the notes put in front of the
//! URL table ("use a cache if DB is large").
//!
//! The idea: keep at most `capacity` entries; a lookup that finds its key (a hit) marks the entry
//! as the most recently used; inserting into a full cache first evicts the entry used least
//! recently. Entries sit in a doubly linked list threaded through a `Vec` of slots (most recent at
//! the head, the eviction victim at the tail), found by key through a `BTreeMap`, so every
//! operation is O(log n) and the order is deterministic. Capacity 0 is a cache that holds nothing:
//! every lookup misses.

use std::collections::BTreeMap;

const NONE: usize = usize::MAX;

#[derive(Clone, Debug)]
struct Slot<V> {
    key: String,
    value: V,
    prev: usize,
    next: usize,
}

/// An LRU cache from string keys to values.
#[derive(Clone, Debug)]
pub struct Lru<V> {
    capacity: usize,
    index: BTreeMap<String, usize>,
    slots: Vec<Slot<V>>,
    head: usize,
    tail: usize,
    hits: u64,
    misses: u64,
    evictions: u64,
}

impl<V: Clone> Lru<V> {
    pub fn new(capacity: usize) -> Lru<V> {
        Lru {
            capacity,
            index: BTreeMap::new(),
            slots: Vec::new(),
            head: NONE,
            tail: NONE,
            hits: 0,
            misses: 0,
            evictions: 0,
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    pub fn hits(&self) -> u64 {
        self.hits
    }

    pub fn misses(&self) -> u64 {
        self.misses
    }

    pub fn evictions(&self) -> u64 {
        self.evictions
    }

    /// Hits over lookups (0 before the first lookup).
    pub fn hit_rate(&self) -> f64 {
        let total = self.hits + self.misses;
        if total == 0 { 0.0 } else { self.hits as f64 / total as f64 }
    }

    /// Forget the hit, miss and eviction counts (keep the entries).
    pub fn reset_counts(&mut self) {
        (self.hits, self.misses, self.evictions) = (0, 0, 0);
    }

    /// Look `key` up, counting a hit or a miss; a hit becomes the most recently used entry.
    pub fn get(&mut self, key: &str) -> Option<V> {
        match self.index.get(key).copied() {
            Some(slot) => {
                self.hits += 1;
                self.unlink(slot);
                self.push_front(slot);
                Some(self.slots[slot].value.clone())
            }
            None => {
                self.misses += 1;
                None
            }
        }
    }

    /// Whether `key` is cached, without counting or reordering.
    pub fn contains(&self, key: &str) -> bool {
        self.index.contains_key(key)
    }

    /// Insert or replace `key` as the most recently used entry, evicting the least recently used
    /// one if the cache is full. Returns the evicted key.
    pub fn put(&mut self, key: &str, value: V) -> Option<String> {
        if self.capacity == 0 {
            return None;
        }
        if let Some(&slot) = self.index.get(key) {
            self.slots[slot].value = value;
            self.unlink(slot);
            self.push_front(slot);
            return None;
        }
        let mut evicted = None;
        let slot = if self.index.len() >= self.capacity {
            let victim = self.tail;
            self.unlink(victim);
            let old = std::mem::replace(&mut self.slots[victim].key, key.to_string());
            self.index.remove(&old);
            self.slots[victim].value = value;
            self.evictions += 1;
            evicted = Some(old);
            victim
        } else {
            self.slots.push(Slot { key: key.to_string(), value, prev: NONE, next: NONE });
            self.slots.len() - 1
        };
        self.index.insert(key.to_string(), slot);
        self.push_front(slot);
        evicted
    }

    /// The keys from most to least recently used.
    pub fn keys_by_recency(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(self.index.len());
        let mut at = self.head;
        while at != NONE {
            out.push(self.slots[at].key.clone());
            at = self.slots[at].next;
        }
        out
    }

    fn unlink(&mut self, slot: usize) {
        let (prev, next) = (self.slots[slot].prev, self.slots[slot].next);
        if prev == NONE {
            self.head = next
        } else {
            self.slots[prev].next = next
        }
        if next == NONE {
            self.tail = prev
        } else {
            self.slots[next].prev = prev
        }
        self.slots[slot].prev = NONE;
        self.slots[slot].next = NONE;
    }

    fn push_front(&mut self, slot: usize) {
        self.slots[slot].next = self.head;
        self.slots[slot].prev = NONE;
        if self.head != NONE {
            self.slots[self.head].prev = slot;
        }
        self.head = slot;
        if self.tail == NONE {
            self.tail = slot;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn evicts_the_least_recently_used() {
        let mut c = Lru::new(2);
        assert_eq!(c.put("a", 1), None);
        assert_eq!(c.put("b", 2), None);
        assert_eq!(c.get("a"), Some(1)); // a is now the most recent
        assert_eq!(c.put("c", 3), Some("b".to_string()));
        assert_eq!(c.get("b"), None);
        assert_eq!(c.keys_by_recency(), ["c", "a"]);
        assert_eq!(c.put("a", 10), None); // replace, no eviction
        assert_eq!(c.keys_by_recency(), ["a", "c"]);
        assert_eq!(c.get("a"), Some(10));
        assert_eq!((c.hits(), c.misses(), c.evictions(), c.len()), (2, 1, 1, 2));
        assert_eq!(c.hit_rate(), 2.0 / 3.0);
    }

    #[test]
    fn capacity_zero_holds_nothing() {
        let mut c = Lru::new(0);
        assert_eq!(c.put("a", 1), None);
        assert_eq!(c.get("a"), None);
        assert!(c.is_empty());
        assert_eq!((c.hits(), c.misses()), (0, 1));
    }

    proptest! {
        /// Against a plain model: a Vec in recency order.
        #[test]
        fn behaves_like_a_recency_list(cap in 0usize..5, ops in proptest::collection::vec((any::<bool>(), 0u8..8), 0..200)) {
            let mut c = Lru::new(cap);
            let mut model: Vec<(String, u8)> = Vec::new();
            for (is_put, k) in ops {
                let key = k.to_string();
                if is_put {
                    c.put(&key, k);
                    if cap > 0 {
                        model.retain(|(mk, _)| mk != &key);
                        model.insert(0, (key, k));
                        model.truncate(cap);
                    }
                } else {
                    let found = model.iter().position(|(mk, _)| mk == &key);
                    let expected = found.map(|i| { let e = model.remove(i); let v = e.1; model.insert(0, e); v });
                    prop_assert_eq!(c.get(&key), expected);
                }
                prop_assert_eq!(c.keys_by_recency(), model.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>());
            }
        }
    }
}
