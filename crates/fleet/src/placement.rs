//! Choosing a server for a new meeting: the least loaded eligible server
//! relative to its weight, preferring servers with room left, ties broken at
//! random so equal servers share a burst instead of one taking it all.

use rand::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub load: u64,
    /// Relative share of meetings; a weight-2 server takes twice the load.
    pub weight: u64,
    /// Load points the server can carry.
    pub capacity: u64,
}

/// Index of the chosen candidate, or `None` when there are none.
pub fn choose(candidates: &[Candidate], cost: u64, rng: &mut impl Rng) -> Option<usize> {
    // Compare (load + cost) / weight without division: a/b < c/d ⇔ a·d < c·b.
    let key = |c: &Candidate| {
        let projected = c.load.saturating_add(cost);
        (
            projected > c.capacity,
            projected as u128,
            c.weight.max(1) as u128,
        )
    };
    let better = |a: &Candidate, b: &Candidate| -> std::cmp::Ordering {
        let (a_full, a_load, a_w) = key(a);
        let (b_full, b_load, b_w) = key(b);
        a_full
            .cmp(&b_full)
            .then((a_load * b_w).cmp(&(b_load * a_w)))
    };
    let best = candidates.iter().min_by(|a, b| better(a, b))?;
    let ties: Vec<usize> = candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| better(c, best).is_eq())
        .map(|(i, _)| i)
        .collect();
    Some(ties[rng.random_range(0..ties.len())])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn c(load: u64, weight: u64) -> Candidate {
        Candidate {
            load,
            weight,
            capacity: 1_000,
        }
    }

    #[test]
    fn the_least_loaded_server_is_chosen() {
        let mut rng = StdRng::seed_from_u64(1);
        assert_eq!(
            choose(&[c(50, 1), c(10, 1), c(30, 1)], 25, &mut rng),
            Some(1)
        );
        assert_eq!(choose(&[], 25, &mut rng), None);
    }

    #[test]
    fn weight_scales_the_share_a_server_takes() {
        let mut rng = StdRng::seed_from_u64(1);
        // 100/2 = 50 per weight unit beats 60/1.
        assert_eq!(choose(&[c(35, 1), c(75, 2)], 25, &mut rng), Some(1));
    }

    #[test]
    fn servers_with_room_are_preferred_over_lighter_full_ones() {
        let mut rng = StdRng::seed_from_u64(1);
        let small = Candidate {
            load: 0,
            weight: 1,
            capacity: 10,
        };
        assert_eq!(choose(&[small, c(500, 1)], 25, &mut rng), Some(1));
        // With no room anywhere, the least loaded still takes it.
        let big = Candidate {
            load: 900,
            weight: 1,
            capacity: 900,
        };
        assert_eq!(choose(&[small, big], 25, &mut rng), Some(0));
    }

    #[test]
    fn ties_are_spread_at_random() {
        let mut rng = StdRng::seed_from_u64(7);
        let cands = [c(0, 1); 4];
        let mut seen = [0; 4];
        for _ in 0..400 {
            seen[choose(&cands, 25, &mut rng).unwrap()] += 1;
        }
        assert!(seen.iter().all(|n| *n > 50), "{seen:?}");
    }

    proptest! {
        #[test]
        fn the_choice_is_never_beaten_by_another_candidate(
            loads in proptest::collection::vec((0u64..10_000, 1u64..5, 1u64..10_000), 1..30),
            cost in 0u64..200,
            seed in any::<u64>(),
        ) {
            let cands: Vec<_> = loads.iter().map(|&(load, weight, capacity)| Candidate { load, weight, capacity }).collect();
            let i = choose(&cands, cost, &mut StdRng::seed_from_u64(seed)).unwrap();
            let score = |c: &Candidate| ((c.load + cost) > c.capacity, (c.load + cost) as f64 / c.weight as f64);
            let chosen = score(&cands[i]);
            for other in &cands {
                let o = score(other);
                // A server with room beats any full one; among equals, the lighter wins.
                prop_assert!((!chosen.0 && o.0) || (chosen.0 == o.0 && chosen.1 <= o.1 + 1e-9));
            }
        }

        #[test]
        fn reserving_after_each_choice_spreads_a_burst_evenly(n in 1usize..40, creates in 1usize..400, seed in any::<u64>()) {
            let mut cands = vec![c(0, 1); n];
            let mut rng = StdRng::seed_from_u64(seed);
            for _ in 0..creates {
                let i = choose(&cands, 25, &mut rng).unwrap();
                cands[i].load += 25;
            }
            let max = cands.iter().map(|c| c.load / 25).max().unwrap();
            let min = cands.iter().map(|c| c.load / 25).min().unwrap();
            prop_assert!(max - min <= 1);
        }
    }
}
