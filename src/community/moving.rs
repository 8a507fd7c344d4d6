/*!
Local moving of nodes between communities: the first phase of both Louvain and Leiden.

This is the *fast local move* of Leiden (Traag, Waltman & van Eck 2019, Algorithm A.2,
`MoveNodesFast`): visit nodes in random order, move each to the community that improves the
quality most, and when a node moves, put its neighbours outside its new community back in the
queue; stop when the queue is empty, that is when no node can improve the quality by moving.

The quality of both objectives has the same local form. Moving node `v` (weight `a_v`) into
community `C` changes the quality, up to a constant of `v`, by

```text
gain(v, C) = w(v, C) - γ' · a_v · A_C
```

where `w(v, C)` is the edge weight between `v` and `C`, `A_C` the total weight of `C`
(`v` excluded), and:
- modularity: `a_v` is the weighted degree `k_v` and `γ' = γ / 2m`;
- CPM: `a_v` is the node size (1 on the input graph) and `γ' = γ`.

# Deterministic parallelism
Nodes are taken from the queue in batches of a size fixed by the graph and the caller (never
by the thread count: about `n / batches` nodes, see [`move_nodes`]). Within a batch the best
move of every node is computed in parallel against the state at the start of the batch, then
the moves are applied one by one in queue order. A move whose
source or target community already changed within the batch is recomputed against the current
state before it is applied (this catches two neighbours swapping communities, or many nodes
piling into one). Every applied move therefore has exactly the gain it was computed with, the
quality strictly increases, and the result depends only on the seed.

In [`move_nodes`]: the batch is filled from the queue order (`while pos < n && batch.len() <
batch_size`), decided in parallel by [`decide`], applied sequentially (the loop over `batch`
and `decisions`, with `changed[c] == stamp` as the staleness test and [`best_move`] as the
recomputation), and the neighbours of the movers are woken in parallel (`wake`).

# Where the time goes, and what keeps it short
- Rounds: a "round" is one pass over the queue order. A round that gains less than the
  level's tolerance ends the phase ([`level_tolerance`]: a share of the total weight that
  drops tenfold per level, as in GVE-Louvain, Sahu 2023); the pruning of the queue (only
  neighbours of movers are revisited) is the one of the paper.
- The sequential apply step: it is the one part of a round that runs on one thread, so it
  reads only what a move updates (the mover's community and weight, the totals, sizes and
  stamps of its source and target, prefetched a few movers ahead); the neighbourhoods are
  read by the rare recomputation and by the parallel wake step, which prefetches its own.
  Smaller batches make recomputations rarer: Louvain takes 256 batches a round, Leiden 32.
- Memory latency: nodes are visited in random order, so reading a node's neighbour list and
  the communities of its neighbours misses the cache on large graphs. The decide and wake
  loops run over slices of nodes known in advance and prefetch, a few nodes ahead, the
  offsets, the list, and the communities and community totals it will read
  ([`prefetch_neighborhoods`]); prefetching changes no result.
- Summing weights by neighbouring community: a small hash table that stays in L1 on large
  graphs, a dense array on graphs small enough for it to stay in L2 ([`DENSE_NODES`]). On
  the dense aggregate graphs (hundreds of neighbours a node) [`best_move`] reads the gains
  straight from the dense array rather than gathering `(community, weight)` pairs first.
- Reading community totals: `gain(v, C) ≤ w(v, C)` (the penalty is never negative), so a
  candidate whose edge weight is below the best gain so far cannot win and its total `A_C`,
  a random read into an array of `n` entries, is skipped. After the first round most nodes
  sit in the community they are most tied to, the best gain starts at staying, and most
  candidates are skipped. The choice is the same as without the skip.
*/

use super::rng::SplitMix64;
use super::scratch::{
    AHEAD_COMMUNITY, AHEAD_OFFSETS, Accumulator, PREFETCH_NEIGHBORS, PREFETCH_NODES, Pool,
    prefetch, prefetch_neighborhoods,
};
use crate::graph::csr::Csr;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

/// The decision "stay where you are".
const STAY: u32 = u32::MAX;
/// The decision "move to a new, empty community".
const TO_EMPTY: u32 = u32::MAX - 1;

/// The smallest round tolerance: a round of the queue that improves the quality by less than
/// this share of the total edge weight (about 1e-6 in modularity) always ends local moving.
const ROUND_TOLERANCE: f64 = 1e-6;

/// Each level's round tolerance is this many times smaller than the previous one's.
const TOLERANCE_DROP: f64 = 10.0;

/// The round tolerance of local moving at `level` (0 for the input graph), as a share of the
/// total weight: `first` divided by [`TOLERANCE_DROP`] at each level, down to
/// [`ROUND_TOLERANCE`] (GVE-Louvain's "threshold scaling", Sahu 2023). The first rounds of a
/// level gain most of what local moving can; on the dense aggregate graphs, the rounds after
/// them each revisit nearly every node for gains of 1e-5 in modularity or less.
pub(crate) fn level_tolerance(first: f64, level: u64) -> f64 {
    (first / TOLERANCE_DROP.powi(level.min(16) as i32)).max(ROUND_TOLERANCE)
}

/// Below this many nodes a batch is decided sequentially (a parallel call costs more).
const PARALLEL_BATCH: usize = 48;

/// The quality function, in the local form of the module docs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Quality<'a> {
    /// The node weights `a_v` (degrees for modularity, sizes for CPM).
    pub(crate) node_weights: &'a [f64],
    /// The scaled resolution `γ'`.
    pub(crate) gamma: f64,
}

/// The community state being optimised.
struct State {
    community: Vec<u32>,
    /// `A_C` by community id.
    total: Vec<f64>,
    /// Number of nodes by community id.
    size: Vec<u32>,
    /// Empty community ids, the smallest on top.
    empty: Vec<u32>,
}

/// Runs fast local moving from `community` (ids below `graph.node_count()`), in place, until
/// the queue is empty or a round of it gains less than `tolerance` (a share of the total
/// weight, see [`level_tolerance`]). Each round takes the queue in about `batches` batches
/// (see the module docs): more batches mean fewer stale decisions to recompute sequentially,
/// at the cost of more, smaller parallel calls.
///
/// Returns the number of moves made.
pub(crate) fn move_nodes(
    graph: &Csr,
    quality: Quality<'_>,
    community: &mut Vec<u32>,
    rng: &mut SplitMix64,
    tolerance: f64,
    batches: usize,
) -> usize {
    let n = graph.node_count();
    let mut state = State {
        community: std::mem::take(community),
        total: vec![0.0; n],
        size: vec![0; n],
        empty: Vec::new(),
    };
    for v in 0..n {
        let c = state.community[v] as usize;
        state.total[c] += quality.node_weights[v];
        state.size[c] += 1;
    }
    state.empty = (0..n as u32)
        .rev()
        .filter(|&c| state.size[c as usize] == 0)
        .collect();

    let mut order: Vec<u32> = (0..n as u32).collect();
    rng.shuffle(&mut order);
    let active: Vec<AtomicBool> = (0..n).map(|_| AtomicBool::new(true)).collect();
    let batch_size = (n / batches.max(1)).clamp(1, 32_768);
    let pool = Pool::new(n);
    let mut sequential = Accumulator::new(n);
    // `changed[c] == stamp`: community `c` gained or lost a node in the current batch.
    let mut changed = vec![0u32; n];
    let mut stamp = 0u32;
    let mut batch: Vec<u32> = Vec::with_capacity(batch_size);
    let mut decided: Vec<(u32, f64)> = Vec::with_capacity(batch_size);
    let mut decisions: Vec<u32> = Vec::with_capacity(batch_size);
    let mut gains: Vec<f64> = Vec::with_capacity(batch_size);
    let mut moved: Vec<u32> = Vec::with_capacity(batch_size);
    let mut movers: Vec<u32> = Vec::with_capacity(batch_size);
    let mut moves = 0usize;

    // A round whose moves together gain less than this ends the phase: on dense aggregate
    // graphs the queue otherwise spends most of its time on gains of 1e-9 in modularity.
    let tolerance = tolerance * graph.total_weight();
    loop {
        let mut visited_any = false;
        let mut round_gain = 0.0f64;
        let mut pos = 0;
        while pos < n {
            batch.clear();
            while pos < n && batch.len() < batch_size {
                let v = order[pos];
                pos += 1;
                if active[v as usize].swap(false, Ordering::Relaxed) {
                    batch.push(v);
                }
            }
            if batch.is_empty() {
                break;
            }
            visited_any = true;
            decided.clear();
            decided.resize(batch.len(), (STAY, 0.0));
            if batch.len() < PARALLEL_BATCH {
                decide(
                    graph,
                    quality,
                    &state,
                    &batch,
                    0,
                    &mut decided,
                    &mut sequential,
                );
            } else {
                let chunk = (batch.len() / 64).clamp(8, DECIDE_CHUNK);
                decided.par_chunks_mut(chunk).enumerate().for_each_init(
                    || pool.take(),
                    |acc, (k, out)| decide(graph, quality, &state, &batch, k * chunk, out, acc),
                );
            }
            decisions.clear();
            gains.clear();
            decisions.extend(decided.iter().map(|d| d.0));
            gains.extend(decided.iter().map(|d| d.1));

            stamp = stamp.wrapping_add(1);
            if stamp == 0 {
                changed.iter_mut().for_each(|c| *c = 0);
                stamp = 1;
            }
            moved.clear();
            movers.clear();
            movers.extend(
                batch
                    .iter()
                    .zip(&decisions)
                    .filter(|&(_, &d)| d != STAY)
                    .map(|(&v, _)| v),
            );
            let mut mover = 0;
            for (i, (&v, &decision)) in batch.iter().zip(&decisions).enumerate() {
                if decision == STAY {
                    continue;
                }
                // The movers ahead: their community, then their weight and the state of
                // their source and target. Their neighbourhoods are left to the recomputation
                // (rare) and to the wake step, which prefetches its own.
                if let Some(&u) = movers.get(mover + AHEAD_OFFSETS) {
                    prefetch(&state.community[u as usize]);
                }
                if let Some(&u) = movers.get(mover + AHEAD_COMMUNITY) {
                    prefetch(&quality.node_weights[u as usize]);
                    let from = state.community[u as usize] as usize;
                    prefetch(&changed[from]);
                    prefetch(&state.total[from]);
                    prefetch(&state.size[from]);
                }
                if let Some(&d) = decisions.get(i + AHEAD_COMMUNITY)
                    && d < TO_EMPTY
                {
                    prefetch(&changed[d as usize]);
                    prefetch(&state.total[d as usize]);
                    prefetch(&state.size[d as usize]);
                }
                mover += 1;
                let from = state.community[v as usize];
                let stale = changed[from as usize] == stamp
                    || (decision != TO_EMPTY && changed[decision as usize] == stamp);
                let (target, gain) = if stale {
                    best_move(graph, quality, &state, v, &mut sequential)
                } else {
                    (decision, gains[i])
                };
                round_gain += gain;
                if target == STAY {
                    continue;
                }
                let target = if target == TO_EMPTY {
                    match state.empty.pop() {
                        Some(c) => c,
                        None => continue,
                    }
                } else {
                    target
                };
                let a = quality.node_weights[v as usize];
                state.total[from as usize] -= a;
                state.size[from as usize] -= 1;
                if state.size[from as usize] == 0 {
                    state.total[from as usize] = 0.0;
                    state.empty.push(from);
                }
                state.total[target as usize] += a;
                state.size[target as usize] += 1;
                state.community[v as usize] = target;
                changed[from as usize] = stamp;
                changed[target as usize] = stamp;
                moved.push(v);
            }
            moves += moved.len();

            // Wake the neighbours that are now outside the mover's community.
            let wake = |k: usize, chunk: &[u32]| {
                for (i, &v) in chunk.iter().enumerate() {
                    prefetch_neighborhoods(graph, &state.community, &moved, k + i);
                    let c = state.community[v as usize];
                    for nb in graph.neighbors(v) {
                        if state.community[nb.node as usize] != c {
                            active[nb.node as usize].store(true, Ordering::Relaxed);
                        }
                    }
                }
            };
            if moved.len() < PARALLEL_BATCH {
                wake(0, &moved);
            } else {
                let chunk = (moved.len() / 64).clamp(8, DECIDE_CHUNK);
                moved
                    .par_chunks(chunk)
                    .enumerate()
                    .for_each(|(k, nodes)| wake(k * chunk, nodes));
            }
        }
        if !visited_any || round_gain < tolerance {
            break;
        }
    }
    *community = state.community;
    moves
}

/// Up to this many nodes, neighbour weights are summed in the dense array of the accumulator
/// (8 bytes a node, so it stays in the L2 cache) rather than in its small hash table.
const DENSE_NODES: usize = 1 << 17;

/// Nodes per parallel task of the decide and wake steps.
const DECIDE_CHUNK: usize = 256;

/// Decides the best move of `batch[start..start + out.len()]` into `out`, against `state`.
fn decide(
    graph: &Csr,
    quality: Quality<'_>,
    state: &State,
    batch: &[u32],
    start: usize,
    out: &mut [(u32, f64)],
    acc: &mut Accumulator,
) {
    for (i, slot) in out.iter_mut().enumerate() {
        let j = start + i;
        prefetch_neighborhoods(graph, &state.community, batch, j);
        if graph.node_count() >= PREFETCH_NODES
            && let Some(&u) = batch.get(j + 1)
        {
            prefetch(&quality.node_weights[u as usize]);
            let own = state.community[u as usize] as usize;
            prefetch(&state.total[own]);
            prefetch(&state.size[own]);
            for nb in graph.neighbors(u).iter().take(PREFETCH_NEIGHBORS) {
                prefetch(&state.total[state.community[nb.node as usize] as usize]);
            }
        }
        *slot = best_move(graph, quality, state, batch[j], acc);
    }
}

/// The best community for `v` given `state` (a community id, [`STAY`] or [`TO_EMPTY`]) and
/// the gain of moving there rather than staying.
#[inline]
fn best_move(
    graph: &Csr,
    quality: Quality<'_>,
    state: &State,
    v: u32,
    acc: &mut Accumulator,
) -> (u32, f64) {
    let own = state.community[v as usize];
    let community = &state.community;
    let a = quality.node_weights[v as usize];
    let scale = quality.gamma * a;
    let mut best = STAY;
    let stay;
    let mut best_gain;
    if graph.node_count() <= DENSE_NODES {
        // Dense sums: the gains are read straight from the array. A slot touched twice (its
        // weights are zero) is weighed twice with the same gain, which changes nothing.
        for nb in graph.neighbors(v) {
            acc.add(community[nb.node as usize], f64::from(nb.weight));
        }
        stay = acc.weights[own as usize] - scale * (state.total[own as usize] - a);
        best_gain = stay;
        for &c in &acc.touched {
            let weight = acc.weights[c as usize];
            // The gain is at most the weight: a lighter community cannot win (nor tie), so
            // its total, a random read on large graphs, is left unread.
            if c == own || weight < best_gain {
                continue;
            }
            let gain = weight - scale * state.total[c as usize];
            if gain > best_gain || (gain == best_gain && best != STAY && c < best) {
                best_gain = gain;
                best = c;
            }
        }
        acc.clear();
    } else {
        acc.sum_by_key(
            graph
                .neighbors(v)
                .iter()
                .map(|nb| (community[nb.node as usize], f64::from(nb.weight))),
            false,
        );
        let own_weight = acc.pairs.iter().find(|p| p.0 == own).map_or(0.0, |p| p.1);
        stay = own_weight - scale * (state.total[own as usize] - a);
        best_gain = stay;
        for &(c, weight) in &acc.pairs {
            if c == own || weight < best_gain {
                continue;
            }
            let gain = weight - scale * state.total[c as usize];
            if gain > best_gain || (gain == best_gain && best != STAY && c < best) {
                best_gain = gain;
                best = c;
            }
        }
    }
    // A new community of its own gains 0: better when staying costs and v is not alone.
    if 0.0 > best_gain && state.size[own as usize] > 1 {
        best = TO_EMPTY;
        best_gain = 0.0;
    }
    // Ignore moves whose gain is lost in rounding, so that the loop surely ends.
    if best == STAY || best_gain - stay <= 1e-12 * (best_gain.abs() + stay.abs()) {
        return (STAY, 0.0);
    }
    (best, best_gain - stay)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two 4-cliques joined by one edge.
    fn two_cliques() -> Csr {
        let mut edges = Vec::new();
        for base in [0u32, 4] {
            for i in 0..4 {
                for j in i + 1..4 {
                    edges.push((base + i, base + j, 1.0));
                }
            }
        }
        edges.push((3, 4, 1.0));
        Csr::from_edges(8, &edges).unwrap()
    }

    #[test]
    fn local_moving_finds_the_two_cliques() {
        let g = two_cliques();
        let q = Quality {
            node_weights: g.degrees(),
            gamma: 1.0 / (2.0 * g.total_weight()),
        };
        let mut community: Vec<u32> = (0..8).collect();
        let moves = move_nodes(
            &g,
            q,
            &mut community,
            &mut SplitMix64::derive(1, 0, 0),
            ROUND_TOLERANCE,
            32,
        );
        assert!(moves >= 6);
        assert!(community[..4].iter().all(|&c| c == community[0]));
        assert!(community[4..].iter().all(|&c| c == community[4]));
        assert_ne!(community[0], community[4]);
    }

    #[test]
    fn tolerance_drops_tenfold_per_level_down_to_the_floor() {
        assert_eq!(level_tolerance(1e-3, 0), 1e-3);
        assert!((level_tolerance(1e-3, 1) - 1e-4).abs() < 1e-18);
        assert_eq!(level_tolerance(1e-3, 3), ROUND_TOLERANCE);
        assert_eq!(level_tolerance(1e-3, 40), ROUND_TOLERANCE);
    }

    #[test]
    fn large_graphs_move_the_same_on_any_thread_count() {
        // Above DENSE_NODES and PREFETCH_NODES: the hash-table sums, the prefetching and the
        // chunked parallel decisions all run. Blocks of 20 nodes plus random edges.
        let n = (DENSE_NODES + 10_000) as u32;
        let mut rng = SplitMix64::derive(7, 0, 0);
        let mut edges = Vec::new();
        for u in 0..n {
            for _ in 0..3 {
                edges.push((u, ((u / 20) * 20 + rng.below(20) as u32).min(n - 1), 1.0));
            }
            edges.push((u, rng.below(n as usize) as u32, 1.0));
        }
        let g = Csr::from_edges(n as usize, &edges).unwrap();
        let q = Quality {
            node_weights: g.degrees(),
            gamma: 1.0 / (2.0 * g.total_weight()),
        };
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| {
                    let mut community: Vec<u32> = (0..n).collect();
                    let mut rng = SplitMix64::derive(3, 0, 0);
                    move_nodes(&g, q, &mut community, &mut rng, ROUND_TOLERANCE, 32);
                    community
                })
        };
        let one = run(1);
        // From singletons, nodes gathered into groups of four and more on average (the blocks,
        // in pieces that the next levels would merge).
        let mut labels = one.clone();
        let count = super::super::aggregate::renumber(&mut labels);
        assert!(count < n as usize / 4, "{count}");
        assert_eq!(one, run(2));
        assert_eq!(one, run(3));
    }

    #[test]
    fn a_node_weakly_tied_under_cpm_leaves_for_an_empty_community() {
        // Under CPM with γ = 1, a pair joined by weight 0.5 is better split.
        let g = Csr::from_edges(2, &[(0, 1, 0.5)]).unwrap();
        let sizes = [1.0, 1.0];
        let q = Quality {
            node_weights: &sizes,
            gamma: 1.0,
        };
        let mut community = vec![0, 0];
        move_nodes(
            &g,
            q,
            &mut community,
            &mut SplitMix64::derive(1, 0, 0),
            ROUND_TOLERANCE,
            32,
        );
        assert_ne!(community[0], community[1]);
    }
}
