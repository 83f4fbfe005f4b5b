//! Checks everything a run generated: are the IDs unique, and do they follow the order in which
//! they were issued, per generator and overall?
//!
//! Uniqueness is checked by sorting (value, issue position) pairs and looking for equal
//! neighbours. Order is measured three ways. Per generator: how many IDs were not larger than that
//! generator's previous one. Overall: how many IDs are smaller than some ID issued before them, and
//! how far the order of the values strays from the order of issue: the sequence is k-sorted when
//! every ID sits at most k places from where sorting the values puts it (snowflake promises
//! "roughly sortable", k-sorted, IDs: Twitter's announcement). Last, the largest time disorder: the
//! longest time between an ID and a later-issued ID with a smaller value, so "sorting by ID sorts
//! by time to within this many milliseconds".

/// One issued ID, in issue order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record {
    /// Which generator (server, shard, worker) issued it.
    pub generator: u32,
    /// When it was issued (true virtual time, ms). Records come in non-decreasing time order.
    pub at_ms: u64,
    /// The ID as a number (128 bits so UUIDs fit; UUIDs compare like their text).
    pub id: u128,
}

/// A repeated ID: the positions (in issue order) of its first and a later issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Duplicate {
    pub id: u128,
    pub first: usize,
    pub again: usize,
}

/// Order within one generator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GeneratorOrder {
    pub generator: u32,
    pub count: u64,
    /// IDs not larger than the same generator's previous ID.
    pub not_increasing: u64,
}

/// What the checker found.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CheckReport {
    pub total: u64,
    pub distinct: u64,
    /// `total - distinct`: issues that repeated an earlier ID.
    pub duplicates: u64,
    /// The first few duplicates, in order of the repeat.
    pub examples: Vec<Duplicate>,
    /// Per generator, ordered by generator number.
    pub per_generator: Vec<GeneratorOrder>,
    /// IDs smaller than some ID issued before them.
    pub out_of_order: u64,
    /// The smallest k for which the IDs, in issue order, are k-sorted.
    pub k: u64,
    /// The longest time between an ID and a later one with a smaller value (0 when in order).
    pub max_disorder_ms: u64,
}

/// How many duplicate examples a report keeps.
pub const EXAMPLES: usize = 10;

/// Checks the records, given in issue order.
pub fn check(records: &[Record]) -> CheckReport {
    let total = records.len() as u64;
    // Uniqueness and k: sort positions by (value, position).
    let mut by_value: Vec<(u128, usize)> = records.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    by_value.sort_unstable();
    let mut duplicates = Vec::new();
    let mut duplicate_count = 0u64;
    let mut k = 0u64;
    for (place, w) in by_value.iter().enumerate() {
        k = k.max(place.abs_diff(w.1) as u64);
        if place > 0 && by_value[place - 1].0 == w.0 {
            duplicate_count += 1;
            // The first issue of this value is the first of its run of equal values.
            let run_start = by_value[..place].partition_point(|v| v.0 < w.0);
            duplicates.push(Duplicate { id: w.0, first: by_value[run_start].1, again: w.1 });
        }
    }
    duplicates.sort_by_key(|d| d.again);
    duplicates.truncate(EXAMPLES);

    // Order per generator, in generator order.
    let mut last: std::collections::BTreeMap<u32, (u128, GeneratorOrder)> = Default::default();
    for r in records {
        match last.get_mut(&r.generator) {
            Some((prev, order)) => {
                order.count += 1;
                if r.id <= *prev {
                    order.not_increasing += 1;
                }
                *prev = r.id;
            }
            None => {
                let order = GeneratorOrder { generator: r.generator, count: 1, not_increasing: 0 };
                last.insert(r.generator, (r.id, order));
            }
        }
    }

    // Overall order against the prefix maximum.
    let mut prefix_max = Vec::with_capacity(records.len());
    let mut out_of_order = 0u64;
    let mut max_disorder_ms = 0u64;
    for r in records {
        let before = prefix_max.last().copied().unwrap_or(0);
        if !prefix_max.is_empty() && r.id < before {
            out_of_order += 1;
            // The earliest record with a larger value: the prefix maximum first exceeds r.id there.
            let earliest = prefix_max.partition_point(|&m| m <= r.id);
            max_disorder_ms = max_disorder_ms.max(r.at_ms.saturating_sub(records[earliest].at_ms));
        }
        prefix_max.push(before.max(r.id));
    }

    CheckReport {
        total,
        distinct: total - duplicate_count,
        duplicates: duplicate_count,
        examples: duplicates,
        per_generator: last.into_values().map(|(_, o)| o).collect(),
        out_of_order,
        k,
        max_disorder_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn records(list: &[(u32, u64, u128)]) -> Vec<Record> {
        list.iter().map(|&(generator, at_ms, id)| Record { generator, at_ms, id }).collect()
    }

    #[test]
    fn sorted_unique_ids_are_0_sorted() {
        let r = check(&records(&[(0, 0, 1), (1, 0, 2), (0, 1, 3), (1, 1, 4)]));
        assert_eq!(
            (r.total, r.distinct, r.duplicates, r.out_of_order, r.k, r.max_disorder_ms),
            (4, 4, 0, 0, 0, 0)
        );
        assert_eq!(
            r.per_generator,
            [
                GeneratorOrder { generator: 0, count: 2, not_increasing: 0 },
                GeneratorOrder { generator: 1, count: 2, not_increasing: 0 }
            ]
        );
    }

    #[test]
    fn finds_duplicates_with_their_positions() {
        let r = check(&records(&[(0, 0, 5), (1, 0, 7), (0, 1, 5), (1, 2, 5), (0, 3, 7), (0, 4, 9)]));
        assert_eq!((r.total, r.distinct, r.duplicates), (6, 3, 3));
        assert_eq!(
            r.examples,
            [
                Duplicate { id: 5, first: 0, again: 2 },
                Duplicate { id: 5, first: 0, again: 3 },
                Duplicate { id: 7, first: 1, again: 4 }
            ]
        );
        // Generator 0 issued 5, 5, 7, 9: one not increasing; generator 1 issued 7, 5.
        assert_eq!(r.per_generator[0].not_increasing, 1);
        assert_eq!(r.per_generator[1].not_increasing, 1);
    }

    #[test]
    fn measures_k_and_time_disorder() {
        // Issue order 10, 30, 20, 40, 15 at times 0..4 ms. Sorted: 10, 15, 20, 30, 40: 15 moved
        // from place 4 to place 1 (k = 3); 15 is below 30 issued 3 ms earlier; 20 below 30, 1 ms.
        let r = check(&records(&[(0, 0, 10), (1, 1, 30), (0, 2, 20), (1, 3, 40), (0, 4, 15)]));
        assert_eq!((r.out_of_order, r.k, r.max_disorder_ms), (2, 3, 3));
    }

    #[test]
    fn multi_master_after_one_server_raced_ahead() {
        // Server 1 (odd) issued 1..=99 while server 2 was down; then round robin resumes: 2 is
        // issued after 99 and is 49 places from its sorted place.
        let mut list: Vec<(u32, u64, u128)> = (0..50).map(|i| (0, i, 2 * i as u128 + 1)).collect();
        list.extend([(1, 50, 2), (0, 51, 101), (1, 52, 4)]);
        let r = check(&records(&list));
        assert_eq!(r.duplicates, 0);
        assert_eq!(r.out_of_order, 2);
        assert_eq!(r.k, 49);
        assert_eq!(r.max_disorder_ms, 50); // 4 came 50 ms after 5
    }

    #[test]
    fn empty_run() {
        assert_eq!(check(&[]), CheckReport::default());
    }

    proptest! {
        #[test]
        fn counts_agree_with_a_set_and_with_sorting(ids in proptest::collection::vec(0u128..50, 0..200)) {
            let list: Vec<Record> = ids.iter().enumerate()
                .map(|(i, &id)| Record { generator: (i % 3) as u32, at_ms: i as u64, id }).collect();
            let r = check(&list);
            let set: std::collections::BTreeSet<u128> = ids.iter().copied().collect();
            prop_assert_eq!(r.distinct, set.len() as u64);
            prop_assert_eq!(r.duplicates + r.distinct, ids.len() as u64);
            let sorted = ids.windows(2).all(|w| w[0] <= w[1]);
            prop_assert_eq!(sorted, r.out_of_order == 0);
            prop_assert_eq!(sorted, r.k == 0);
            // Brute-force time disorder.
            let mut worst = 0;
            for b in 0..ids.len() {
                for a in 0..b {
                    if ids[a] > ids[b] { worst = worst.max(b - a); }
                }
            }
            prop_assert_eq!(r.max_disorder_ms, worst as u64);
        }
    }
}
