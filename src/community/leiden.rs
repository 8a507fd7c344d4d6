/*!
The Leiden algorithm (Traag, Waltman & van Eck, "From Louvain to Leiden: guaranteeing
well-connected communities", Sci. Rep. 9, 5233 (2019), <https://doi.org/10.1038/s41598-019-41695-z>).

Correspondence with the pseudo-code of the paper's supplementary Algorithm A.2:
- `Leiden(G, P)` is [`leiden`]: the `do ... while` over levels is the `loop` in
  [`leiden_iteration`], and the outer repetition until `P` stops changing is the loop over
  iterations in [`leiden`];
- `MoveNodesFast(G, P)` is [`move_nodes`] (module `moving`), with a round tolerance that
  drops tenfold per level from [`FIRST_TOLERANCE`] ([`level_tolerance`]);
- `done ← |P| = |V(G)|` is the test `count == n`;
- `RefinePartition(G, P)` is [`refine`], and `MergeNodesSubset(G, P_refined, S)` is
  [`refine_community`], run for all communities `S` in parallel (they are independent);
- `AggregateGraph(G, P_refined)` is [`aggregate`], and `P ← {{v | v ⊆ C, v ∈ V(G)} | C ∈ P}`
  (the initial partition of the aggregate is the unrefined one) is `parent`.
*/

use super::CommunityOptions;
use super::aggregate::{Groups, aggregate, renumber};
use super::louvain::objective_terms;
use super::moving::{Quality, level_tolerance, move_nodes};
use super::partition::Partition;
use super::rng::SplitMix64;
use super::scratch::prefetch_neighborhoods;
use crate::graph::csr::Csr;
use rayon::prelude::*;
use std::borrow::Cow;

/// Random streams of the Leiden stages (see [`SplitMix64::derive`]).
const STAGE_MOVE: u64 = 11;
const STAGE_REFINE: u64 = 12;

/// The round tolerance of the first level's local moving (see [`level_tolerance`]): the
/// refinement, the later levels and the second iteration take up what it leaves.
const FIRST_TOLERANCE: f64 = 1e-3;

/// The batches of a round of local moving (see [`move_nodes`]): about 1/32 of the nodes
/// each, few enough that stale decisions stay rare, many enough that the parallel calls are
/// few.
const MOVE_BATCHES: usize = 32;

/// Leiden community detection on `graph` (options already validated): iterations of
/// [`leiden_iteration`], each starting from the partition of the previous one, until the
/// partition stops changing or `options.max_iterations` (when not 0) have run.
pub(crate) fn leiden(graph: &Csr, options: &CommunityOptions) -> Partition {
    let (weights, gamma) = objective_terms(graph, options);
    let mut membership: Vec<u32> = (0..graph.node_count() as u32).collect();
    let mut iteration = 0u64;
    loop {
        let next = leiden_iteration(graph, &weights, gamma, &membership, options, iteration);
        iteration += 1;
        let stable = next == membership;
        membership = next;
        if stable || (options.max_iterations != 0 && iteration >= options.max_iterations as u64) {
            break;
        }
    }
    Partition::from_labels(&membership)
}

/// One run of the Leiden algorithm from the partition `initial` of the input graph; returns
/// the new partition, renumbered canonically.
fn leiden_iteration(
    graph: &Csr,
    weights: &[f64],
    gamma: f64,
    initial: &[u32],
    options: &CommunityOptions,
    iteration: u64,
) -> Vec<u32> {
    let mut level_graph: Cow<'_, Csr> = Cow::Borrowed(graph);
    let mut level_weights: Cow<'_, [f64]> = Cow::Borrowed(weights);
    // Input node -> node of the current level.
    let mut node_of: Vec<u32> = (0..graph.node_count() as u32).collect();
    let mut community = initial.to_vec();
    let mut level = 0u64;
    loop {
        let n = level_graph.node_count();
        let stream = (iteration << 32) | level;
        let quality = Quality {
            node_weights: &level_weights,
            gamma,
        };
        let mut rng = SplitMix64::derive(options.seed, STAGE_MOVE, stream);
        let tolerance = level_tolerance(FIRST_TOLERANCE, level);
        move_nodes(
            &level_graph,
            quality,
            &mut community,
            &mut rng,
            tolerance,
            MOVE_BATCHES,
        );
        let count = renumber(&mut community);
        if count == n {
            break;
        }
        let seed = SplitMix64::derive(options.seed, STAGE_REFINE, stream).next_u64();
        let (mut refined, refined_count) = refine(
            &level_graph,
            quality,
            &community,
            count,
            options.randomness,
            seed,
        );
        // Without any merge the refined aggregate would not shrink: collapse by `community`
        // itself, as leidenalg does.
        if refined_count == n {
            refined.clone_from(&community);
        }
        let refined_count = renumber(&mut refined);
        let mut parent = vec![0u32; refined_count];
        for (v, &r) in refined.iter().enumerate() {
            parent[r as usize] = community[v];
        }
        let (next_graph, next_weights) =
            aggregate(&level_graph, &level_weights, &refined, refined_count);
        node_of
            .par_iter_mut()
            .with_min_len(4096)
            .for_each(|x| *x = refined[*x as usize]);
        level_graph = Cow::Owned(next_graph);
        level_weights = Cow::Owned(next_weights);
        community = parent;
        level += 1;
    }
    let mut membership: Vec<u32> = node_of.iter().map(|&x| community[x as usize]).collect();
    renumber(&mut membership);
    membership
}

/// Refines each community of `community` (dense, `0..count`) into well-connected
/// sub-communities; returns the refined labels and their number.
///
/// # Complexity
/// O(n + arcs) time plus one `exp` per candidate within `50θ` of the best, parallel over
/// communities; O(size of the community) memory per task.
fn refine(
    graph: &Csr,
    quality: Quality<'_>,
    community: &[u32],
    count: usize,
    randomness: f64,
    seed: u64,
) -> (Vec<u32>, usize) {
    let groups = Groups::new(community, count);
    // (community, index within the community) of each node, side by side so that the
    // refinement's random lookups cost one cache miss rather than two.
    let mut local = vec![(0u32, 0u32); graph.node_count()];
    for c in 0..count {
        for (i, &v) in groups.members(c).iter().enumerate() {
            local[v as usize] = (c as u32, i as u32);
        }
    }
    // Largest communities first, so that one big task does not start last.
    let mut by_size: Vec<u32> = (0..count as u32).collect();
    by_size.sort_by_key(|&c| std::cmp::Reverse(groups.members(c as usize).len()));
    let labels: Vec<(u32, Vec<u32>)> = by_size
        .par_iter()
        .with_max_len(1)
        .map(|&c| {
            let members = groups.members(c as usize);
            let mut rng = SplitMix64::derive(seed, 0, u64::from(c));
            (
                c,
                refine_community(graph, quality, &local, c, members, randomness, &mut rng),
            )
        })
        .collect();
    let mut offset = vec![0u32; count + 1];
    for (c, sub) in &labels {
        offset[*c as usize + 1] = sub.iter().copied().max().map_or(0, |m| m + 1);
    }
    for c in 0..count {
        offset[c + 1] += offset[c];
    }
    let mut refined = vec![0u32; graph.node_count()];
    for (c, sub) in &labels {
        for (&v, &s) in groups.members(*c as usize).iter().zip(sub) {
            refined[v as usize] = offset[*c as usize] + s;
        }
    }
    (refined, offset[count] as usize)
}

/// `MergeNodesSubset`: merges the nodes of one community `c` into well-connected
/// sub-communities, starting from singletons; returns a dense sub-community label (in order of
/// first appearance) for each of `members`.
///
/// A node is merged only while it is still a singleton and well connected to the rest of `c`
/// (`E(v, c − v) ≥ γ' a_v (A_c − a_v)`), and only into a sub-community `R` that is itself well
/// connected (`E(R, c − R) ≥ γ' A_R (A_c − A_R)`) and does not lower the quality; among those,
/// `R` is drawn with probability ∝ `exp(gain / θ)` (θ = `randomness`).
fn refine_community(
    graph: &Csr,
    quality: Quality<'_>,
    local: &[(u32, u32)],
    c: u32,
    members: &[u32],
    randomness: f64,
    rng: &mut SplitMix64,
) -> Vec<u32> {
    let s = members.len();
    if s == 1 {
        return vec![0];
    }
    let gamma = quality.gamma;
    // Sub-community of each member (by local index), and per sub-community: total node
    // weight, member count and the edge weight to the rest of `c`.
    let mut sub: Vec<u32> = (0..s as u32).collect();
    let mut total: Vec<f64> = members
        .iter()
        .map(|&v| quality.node_weights[v as usize])
        .collect();
    let mut size = vec![1u32; s];
    let mut external: Vec<f64> = members
        .iter()
        .enumerate()
        .map(|(j, &v)| {
            prefetch_neighborhoods(graph, local, members, j);
            graph
                .neighbors(v)
                .iter()
                .filter(|nb| local[nb.node as usize].0 == c)
                .map(|nb| f64::from(nb.weight))
                .sum()
        })
        .collect();
    let community_total: f64 = total.iter().sum();

    let mut order: Vec<u32> = (0..s as u32).collect();
    rng.shuffle(&mut order);
    let visit: Vec<u32> = order.iter().map(|&i| members[i as usize]).collect();
    let mut weight_to = vec![0.0f64; s];
    let mut touched: Vec<u32> = Vec::new();
    let mut candidates: Vec<(u32, f64)> = Vec::new();
    for (j, &i) in order.iter().enumerate() {
        prefetch_neighborhoods(graph, local, &visit, j);
        let own = sub[i as usize];
        if size[own as usize] != 1 {
            continue;
        }
        let v = members[i as usize];
        let a = quality.node_weights[v as usize];
        if external[own as usize] < gamma * a * (community_total - a) {
            continue;
        }
        for nb in graph.neighbors(v) {
            let (d, index) = local[nb.node as usize];
            if d != c {
                continue;
            }
            let r = sub[index as usize];
            if weight_to[r as usize] == 0.0 {
                touched.push(r);
            }
            weight_to[r as usize] += f64::from(nb.weight);
        }
        // Staying alone gains 0 and is always a candidate.
        candidates.clear();
        candidates.push((own, 0.0));
        let mut best = 0.0f64;
        for &r in &touched {
            if r == own {
                continue;
            }
            let t = total[r as usize];
            if external[r as usize] < gamma * t * (community_total - t) {
                continue;
            }
            let gain = weight_to[r as usize] - gamma * a * t;
            if gain >= 0.0 {
                candidates.push((r, gain));
                best = best.max(gain);
            }
        }
        let chosen = choose(&mut candidates, best, randomness, rng);
        if chosen != own {
            let w = weight_to[chosen as usize];
            total[chosen as usize] += a;
            size[chosen as usize] += 1;
            size[own as usize] = 0;
            external[chosen as usize] += external[own as usize] - 2.0 * w;
            sub[i as usize] = chosen;
        }
        for &r in &touched {
            weight_to[r as usize] = 0.0;
        }
        touched.clear();
    }
    renumber(&mut sub);
    sub
}

/// Draws a candidate with probability ∝ `exp((gain − best) / θ)`, skipping those more than
/// `50θ` below the best (their weight is below e⁻⁵⁰); θ = 0 picks the best.
fn choose(candidates: &mut Vec<(u32, f64)>, best: f64, theta: f64, rng: &mut SplitMix64) -> u32 {
    if theta <= 0.0 {
        // Ties go to the earliest candidate (staying alone comes first).
        return candidates
            .iter()
            .find(|(_, g)| *g == best)
            .map_or(candidates[0].0, |c| c.0);
    }
    let cutoff = best - 50.0 * theta;
    candidates.retain(|&(_, g)| g >= cutoff);
    for candidate in candidates.iter_mut() {
        candidate.1 = ((candidate.1 - best) / theta).exp();
    }
    let sum: f64 = candidates.iter().map(|c| c.1).sum();
    let mut draw = rng.unit() * sum;
    for &(r, p) in candidates.iter() {
        if draw < p {
            return r;
        }
        draw -= p;
    }
    candidates.last().map_or(0, |c| c.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choose_is_greedy_without_randomness_and_proportional_with_it() {
        let mut rng = SplitMix64::derive(3, 0, 0);
        let mut cands = vec![(0, 0.0), (4, 2.0), (7, 1.0)];
        assert_eq!(choose(&mut cands.clone(), 2.0, 0.0, &mut rng), 4);
        // θ = 1: weights e^0, e^-1 for candidates 4 and 7 (0 is 2θ below: e^-2).
        let mut hits = [0usize; 8];
        for _ in 0..20_000 {
            hits[choose(&mut cands.clone(), 2.0, 1.0, &mut rng) as usize] += 1;
        }
        let total = 1.0 + (-1.0f64).exp() + (-2.0f64).exp();
        let share4 = hits[4] as f64 / 20_000.0;
        assert!((share4 - 1.0 / total).abs() < 0.02, "{share4}");
        cands.truncate(1);
        assert_eq!(choose(&mut cands, 0.0, 0.01, &mut rng), 0);
    }
}
