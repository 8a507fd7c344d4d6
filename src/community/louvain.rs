/*!
The Louvain method (Blondel, Guillaume, Lambiotte & Lefebvre, J. Stat. Mech. 2008,
<https://arxiv.org/abs/0803.0476>): move nodes, collapse communities into nodes, repeat.

Louvain can leave a community disconnected: a node that held it together moves away
(Traag, Waltman & van Eck 2019, section 2). The result is made of connected communities by
splitting each final community into its connected parts (which can only raise the quality:
parts without edges between them only pay the penalty term). A search of every community over
the input graph, one more pass of random reads over all its arcs, took 6–7% of the time of
Louvain on the LFR graph of a million nodes; the search is done on the first aggregate
instead ([`connected_parts`]): the aggregation of the input graph checks, in its own pass over
the arcs, which of its communities are connected ([`aggregate_checked`]). Those are connected
sets of input nodes, so a final community is connected exactly when its nodes of the first
aggregate are connected there, once the few disconnected ones are replaced by their parts.
*/

use super::aggregate::{Disconnected, aggregate, aggregate_checked, find, renumber};
use super::components::split_disconnected;
use super::moving::{Quality, level_tolerance, move_nodes};
use super::partition::Partition;
use super::rng::SplitMix64;
use super::{CommunityOptions, Objective};
use crate::graph::csr::Csr;
use rayon::prelude::*;
use std::borrow::Cow;

/// Random streams of the Louvain stages (see [`SplitMix64::derive`]).
const STAGE_MOVE: u64 = 1;

/// The node weights `a_v` and scaled resolution `γ'` of an objective on the input graph.
pub(crate) fn objective_terms(graph: &Csr, options: &CommunityOptions) -> (Vec<f64>, f64) {
    match options.objective {
        Objective::Modularity => {
            let m = graph.total_weight();
            let gamma = if m > 0.0 {
                options.resolution / (2.0 * m)
            } else {
                0.0
            };
            (graph.degrees().to_vec(), gamma)
        }
        Objective::Cpm => (vec![1.0; graph.node_count()], options.resolution),
    }
}

/// The round tolerance of local moving on the input graph and on the first aggregate graph
/// (see [`level_tolerance`]); from the second aggregate on it drops tenfold per level.
///
/// On the LFR graph of a million nodes (10 million edges, `scripts/community_bench_lfr.py`):
/// - Level 0: the rounds after the fifth visit few nodes (the queue is pruned) and gain
///   from 2e-3 down to 7e-5 each; stopping below 1e-3 rather than 1e-4 skips four of eleven
///   rounds and leaves the final modularity unchanged.
/// - Level 1, the first aggregate, is dense (about 23 thousand nodes of 350 neighbours each)
///   and every round revisits nearly all of its nodes, at the cost of the first: rounds 3
///   to 7 gain 6e-4 down to 9e-5 each. Stopping below 1e-3 runs 3 rounds instead of 7, a
///   tenth of the time of Louvain, for a final modularity lower by 3e-4 (0.5920 against
///   0.5922) and a closer match to the planted communities (NMI 0.784 against 0.770): the
///   moves left undone are mostly made at the next levels, on whole communities. 2e-3 (2
///   rounds) saves a little more but falls short of igraph's NMI on the LFR fixture with
///   μ = 0.6 (`tests/community.rs`).
const FIRST_TOLERANCE: f64 = 1e-3;

/// The round tolerance of local moving at `level`: [`FIRST_TOLERANCE`] on levels 0 and 1,
/// then a tenfold drop per level ([`level_tolerance`]).
fn louvain_tolerance(level: u64) -> f64 {
    level_tolerance(FIRST_TOLERANCE, level.saturating_sub(1))
}

/// The batches of a round of local moving (see [`move_nodes`]): small batches, of about
/// 1/256 of the nodes. From singletons, many nodes of a batch pick the same community; a
/// decision whose source or target changed within its batch is recomputed sequentially, and
/// with batches of 1/32 of the nodes that was a quarter of the first level's moves. Smaller
/// batches also take fewer rounds, as each decision sees a fresher state.
const MOVE_BATCHES: usize = 256;

/// Runs local moving at `level` on `graph` from singletons into `community`; returns the
/// number of moves.
fn move_level(
    graph: &Csr,
    node_weights: &[f64],
    gamma: f64,
    seed: u64,
    level: u64,
    community: &mut Vec<u32>,
) -> usize {
    let quality = Quality {
        node_weights,
        gamma,
    };
    let mut rng = SplitMix64::derive(seed, STAGE_MOVE, level);
    *community = (0..graph.node_count() as u32).collect();
    move_nodes(
        graph,
        quality,
        community,
        &mut rng,
        louvain_tolerance(level),
        MOVE_BATCHES,
    )
}

/// Louvain community detection on `graph` (options already validated).
///
/// Each level runs the fast local moving of [`super::moving`] from singletons, then collapses
/// the communities into the nodes of the next level; it stops when a level moves no node.
/// Every community of the result is connected (see the module docs).
///
/// Correspondence with the paper: "first phase" = `move_nodes` (stopped at level `ℓ` by a
/// round tolerance of [`FIRST_TOLERANCE`], divided by 10^(ℓ−1) from ℓ = 1 on, see
/// [`louvain_tolerance`]; [`MOVE_BATCHES`] batches a round), "second phase" = `aggregate`
/// (`aggregate_checked` on the input graph); `top` composes the levels above the first
/// aggregate, and [`connected_parts`] maps the result back to the input nodes.
pub(crate) fn louvain(graph: &Csr, options: &CommunityOptions) -> Partition {
    let (weights, gamma) = objective_terms(graph, options);
    let n = graph.node_count();
    let mut first = Vec::new();
    if move_level(graph, &weights, gamma, options.seed, 0, &mut first) == 0 {
        return Partition::singletons(n);
    }
    let count = renumber(&mut first);
    if count == n {
        return Partition::from_labels(&first);
    }
    let (first_graph, first_weights, disconnected) =
        aggregate_checked(graph, &weights, &first, count);
    // The community of each node of the first aggregate.
    let mut top: Vec<u32> = (0..count as u32).collect();
    let mut level_graph: Cow<'_, Csr> = Cow::Borrowed(&first_graph);
    let mut level_weights = first_weights;
    let mut community = Vec::new();
    for level in 1.. {
        let m = level_graph.node_count();
        if move_level(
            &level_graph,
            &level_weights,
            gamma,
            options.seed,
            level,
            &mut community,
        ) == 0
        {
            break;
        }
        let next_count = renumber(&mut community);
        top.par_iter_mut()
            .with_min_len(4096)
            .for_each(|t| *t = community[*t as usize]);
        if next_count == m {
            break;
        }
        let (next_graph, next_weights) =
            aggregate(&level_graph, &level_weights, &community, next_count);
        level_graph = Cow::Owned(next_graph);
        level_weights = next_weights;
    }
    drop(level_graph);
    let partition = Partition::from_labels(&connected_parts(
        graph,
        &first,
        &first_graph,
        &disconnected,
        &top,
    ));
    // Debug builds check the parts against a search of every community over the input graph.
    debug_assert_eq!(
        Partition::from_labels(&split_disconnected(graph, partition.membership())),
        partition
    );
    partition
}

/// The connected parts of the final communities, as labels of the input nodes.
///
/// `first[v]` is the node of the first aggregate `first_graph` that input node `v` belongs
/// to, `top[x]` the final community of node `x` of that aggregate, and `disconnected` the
/// nodes of the aggregate whose input nodes are not connected, with their parts (from
/// [`aggregate_checked`]). The other nodes of the aggregate are connected sets of input
/// nodes, and so are the parts: a union-find over these pieces joins two of them when an
/// input edge joins them within one final community, read from the arcs of the aggregate
/// between whole nodes and from the input arcs of the members of the disconnected ones.
/// The result equals a search of every final community over the input graph, at the cost of
/// one sequential pass over the (much smaller) aggregate.
///
/// # Complexity
/// O(arcs of the aggregate + arcs of the disconnected members) for the union-find (near
/// linear), O(n) for the labels, parallel over nodes.
fn connected_parts(
    graph: &Csr,
    first: &[u32],
    first_graph: &Csr,
    disconnected: &[Disconnected],
    top: &[u32],
) -> Vec<u32> {
    let count = first_graph.node_count();
    // Pieces: the nodes of the aggregate, then a new id for every part of a disconnected
    // node other than the part of its first member (which keeps the node's id).
    let mut whole = vec![true; count];
    let mut piece_of_member = rustc_hash::FxHashMap::default();
    let mut pieces = count as u32;
    for (x, parts) in disconnected {
        whole[*x as usize] = false;
        let mut ids = rustc_hash::FxHashMap::default();
        for &(v, root) in parts {
            let id = if root == 0 {
                *x
            } else {
                *ids.entry(root).or_insert_with(|| {
                    pieces += 1;
                    pieces - 1
                })
            };
            piece_of_member.insert(v, id);
        }
    }
    let piece = |v: u32| {
        let x = first[v as usize];
        if whole[x as usize] {
            x
        } else {
            piece_of_member[&v]
        }
    };
    let mut parent: Vec<u32> = (0..pieces).collect();
    let mut join = |a: u32, b: u32| {
        let (a, b) = (find(&mut parent, a), find(&mut parent, b));
        if a != b {
            parent[a.max(b) as usize] = a.min(b);
        }
    };
    for x in 0..count as u32 {
        if !whole[x as usize] {
            continue;
        }
        for nb in first_graph.neighbors(x) {
            let y = nb.node;
            if y > x && whole[y as usize] && top[x as usize] == top[y as usize] {
                join(x, y);
            }
        }
    }
    for (x, parts) in disconnected {
        for &(v, _) in parts {
            for nb in graph.neighbors(v) {
                let y = first[nb.node as usize];
                if top[y as usize] == top[*x as usize] {
                    join(piece(v), piece(nb.node));
                }
            }
        }
    }
    let root: Vec<u32> = (0..pieces).map(|p| find(&mut parent, p)).collect();
    (0..first.len() as u32)
        .into_par_iter()
        .with_min_len(4096)
        .map(|v| root[piece(v) as usize])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether every community of `p` induces a connected subgraph of `graph`.
    fn all_connected(graph: &Csr, p: &Partition) -> bool {
        let parts = Partition::from_labels(&split_disconnected(graph, p.membership()));
        parts.community_count() == p.community_count()
    }

    #[test]
    fn communities_are_connected_and_thread_count_free_on_random_graphs() {
        // Sparse random graphs with planted groups, where moves often leave a community in
        // pieces; modularity at several resolutions and CPM.
        for case in 0..200u64 {
            let mut rng = SplitMix64::derive(case, 0, 0);
            let n = 60 + rng.below(200);
            let mut edges = Vec::new();
            for u in 0..n as u32 {
                for _ in 0..2 {
                    let v = if rng.below(4) == 0 {
                        rng.below(n) as u32
                    } else {
                        ((u / 10) * 10 + rng.below(10) as u32).min(n as u32 - 1)
                    };
                    edges.push((u, v, 1.0 + rng.below(3) as f32));
                }
            }
            let graph = Csr::from_edges(n, &edges).unwrap();
            let options = CommunityOptions {
                objective: if case % 4 == 3 {
                    Objective::Cpm
                } else {
                    Objective::Modularity
                },
                resolution: [0.5, 1.0, 2.0, 0.2][case as usize % 4],
                seed: case,
                ..CommunityOptions::default()
            };
            let run = |threads| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap()
                    .install(|| louvain(&graph, &options))
            };
            let p = run(1);
            assert!(all_connected(&graph, &p), "case {case}");
            assert_eq!(p, run(2), "case {case}");
        }
    }

    /// The labels of [`connected_parts`] for the first-level labels `first` and the final
    /// communities `top` of the first aggregate's nodes, renumbered.
    fn parts(graph: &Csr, first: &[u32], top: &[u32]) -> Vec<u32> {
        let weights = vec![1.0; graph.node_count()];
        let count = top.len();
        let (first_graph, _, disconnected) = aggregate_checked(graph, &weights, first, count);
        let labels = connected_parts(graph, first, &first_graph, &disconnected, top);
        // The same parts as a search of every final community over the input graph.
        let direct: Vec<u32> = first.iter().map(|&x| top[x as usize]).collect();
        let direct = Partition::from_labels(&split_disconnected(graph, &direct));
        let labels = Partition::from_labels(&labels);
        assert_eq!(labels, direct);
        labels.into_membership()
    }

    #[test]
    fn final_communities_are_split_through_the_first_aggregate() {
        // Path 0-1-2-3-4-5.
        let path: Vec<(u32, u32, f32)> = (0..5).map(|u| (u, u + 1, 1.0)).collect();
        let g = Csr::from_edges(6, &path).unwrap();
        // Connected first-level communities {0, 1}, {2, 3}, {4, 5}.
        let first = [0, 0, 1, 1, 2, 2];
        assert_eq!(parts(&g, &first, &[0, 1, 0]), vec![0, 0, 1, 1, 2, 2]);
        assert_eq!(parts(&g, &first, &[0, 0, 1]), vec![0, 0, 0, 0, 1, 1]);
        // {0, 2} is disconnected: its part {2} joins {3, 4, 5} through the edge 2-3, while
        // {0} is cut off from them.
        let first = [0, 1, 0, 2, 2, 2];
        assert_eq!(parts(&g, &first, &[0, 1, 0]), vec![0, 1, 2, 2, 2, 2]);
        assert_eq!(parts(&g, &first, &[0, 0, 1]), vec![0, 0, 0, 1, 1, 1]);
        assert_eq!(parts(&g, &first, &[0, 0, 0]), vec![0; 6]);
        // Three disconnected communities {0, 2}, {1, 4} and {3, 5}: {0, 2, 3, 5} falls into
        // {0}, {2, 3} and {5}, then {0, 1, 2, 4} into {0, 1, 2} and {4}.
        let first = [0, 1, 0, 2, 1, 2];
        assert_eq!(parts(&g, &first, &[0, 1, 0]), vec![0, 1, 2, 2, 3, 4]);
        assert_eq!(parts(&g, &first, &[0, 0, 1]), vec![0, 0, 0, 1, 2, 3]);
    }

    #[test]
    fn tolerance_holds_on_the_first_aggregate_then_drops_tenfold() {
        assert_eq!(louvain_tolerance(0), 1e-3);
        assert_eq!(louvain_tolerance(1), 1e-3);
        assert!((louvain_tolerance(2) - 1e-4).abs() < 1e-18);
        assert!((louvain_tolerance(3) - 1e-5).abs() < 1e-18);
        assert_eq!(louvain_tolerance(4), 1e-6);
        assert_eq!(louvain_tolerance(9), 1e-6);
    }
}
