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

/// The round tolerance of local moving on the input graph and on the first aggregate graph
/// (see [`level_tolerance`]): low, because Louvain has no refinement to make up for moves
/// left undone. It drops tenfold per level only from the second aggregate on: the first
/// aggregate is dense (about 23 thousand nodes of 350 neighbours each on the LFR graph of a
/// million nodes) and nearly all of its nodes are revisited every round, so that 1e-5 there
/// took twice the rounds of 1e-4 (14 against 7) for about 1e-4 of modularity.
const FIRST_TOLERANCE: f64 = 1e-4;

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

/// Louvain community detection on `graph` (options already validated).
///
/// Each level runs the fast local moving of [`super::moving`] from singletons, then collapses
/// the communities into the nodes of the next level; it stops when a level moves no node.
///
/// Correspondence with the paper: "first phase" = `move_nodes` (stopped at level `ℓ` by a
/// round tolerance of [`FIRST_TOLERANCE`], divided by 10^(ℓ−1) from ℓ = 1 on, see
/// [`louvain_tolerance`]; [`MOVE_BATCHES`] batches a round), "second phase" = `aggregate`,
/// `membership` composes the levels so that the result is a partition of the input nodes.
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
        let tolerance = louvain_tolerance(level);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerance_holds_on_the_first_aggregate_then_drops_tenfold() {
        assert_eq!(louvain_tolerance(0), 1e-4);
        assert_eq!(louvain_tolerance(1), 1e-4);
        assert!((louvain_tolerance(2) - 1e-5).abs() < 1e-18);
        assert!((louvain_tolerance(3) - 1e-6).abs() < 1e-18);
        assert_eq!(louvain_tolerance(9), 1e-6);
    }
}
