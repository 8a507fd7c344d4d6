/*!
The Louvain method (Blondel, Guillaume, Lambiotte & Lefebvre, J. Stat. Mech. 2008,
<https://arxiv.org/abs/0803.0476>): move nodes, collapse communities into nodes, repeat.
*/

use super::aggregate::{aggregate, renumber};
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

/// The round tolerance of the first level's local moving (see [`level_tolerance`]), as in
/// Leiden. The first aggregate graph is dense (about 23 thousand nodes of 350 neighbours
/// each on the LFR graph of a million nodes) and nearly all of its nodes are revisited every
/// round, so that each tenfold drop of its tolerance costs as many rounds again: 1e-4 there
/// rather than 1e-5 halves its rounds for about 1e-4 of modularity, which the later levels
/// partly recover.
const FIRST_TOLERANCE: f64 = 1e-3;

/// The batches of a round of local moving (see [`move_nodes`]): small batches, of about
/// 1/256 of the nodes. From singletons, many nodes of a batch pick the same community; a
/// decision whose source or target changed within its batch is recomputed sequentially, and
/// with batches of 1/32 of the nodes that was a quarter of the first level's moves. Smaller
/// batches also take fewer rounds, as each decision sees a fresher state.
const MOVE_BATCHES: usize = 256;

/// Louvain community detection on `graph` (options already validated).
///
/// Each level runs the fast local moving of [`super::moving`] from singletons, then collapses
/// the communities into the nodes of the next level; it stops when a level moves no node.
///
/// Correspondence with the paper: "first phase" = `move_nodes` (stopped at level `ℓ` by a round
/// tolerance of [`FIRST_TOLERANCE`] / 10^ℓ, see [`level_tolerance`]; [`MOVE_BATCHES`]
/// batches a round), "second phase" = `aggregate`, `membership` composes the levels so that
/// the result is a partition of the input nodes.
pub(crate) fn louvain(graph: &Csr, options: &CommunityOptions) -> Partition {
    let (weights, gamma) = objective_terms(graph, options);
    let mut level_graph: Cow<'_, Csr> = Cow::Borrowed(graph);
    let mut level_weights = weights;
    let mut membership: Vec<u32> = (0..graph.node_count() as u32).collect();
    let mut level = 0u64;
    loop {
        let n = level_graph.node_count();
        let mut community: Vec<u32> = (0..n as u32).collect();
        let quality = Quality {
            node_weights: &level_weights,
            gamma,
        };
        let mut rng = SplitMix64::derive(options.seed, STAGE_MOVE, level);
        let tolerance = level_tolerance(FIRST_TOLERANCE, level);
        let moves = move_nodes(
            &level_graph,
            quality,
            &mut community,
            &mut rng,
            tolerance,
            MOVE_BATCHES,
        );
        if moves == 0 {
            break;
        }
        let count = renumber(&mut community);
        membership
            .par_iter_mut()
            .with_min_len(4096)
            .for_each(|m| *m = community[*m as usize]);
        level += 1;
        if count == n {
            break;
        }
        let (next_graph, next_weights) = aggregate(&level_graph, &level_weights, &community, count);
        level_graph = Cow::Owned(next_graph);
        level_weights = next_weights;
    }
    Partition::from_labels(&membership)
}
