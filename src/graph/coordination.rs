/*!
The coordination graph: several co-action layers combined into one undirected graph, each
edge keeping its weight in every layer.
*/

use petgraph::graph::{EdgeIndex, NodeIndex, UnGraph};
use rayon::prelude::*;

use super::co_action::RangedLayer;
use super::{CoActionEdge, CoActionGraph, CoActionKind, CoActionOptions, GraphError};
use crate::model::{AccountIx, Collection};

/// Blocks of source accounts that ranges are made of, at most.
const RANGE_BLOCKS: usize = 4096;

/// A coordination graph built by [`CoordinationGraph::build_filtered`], with its layers.
#[derive(Debug, Clone)]
pub struct FilteredGraph {
    /// The combined graph, edges lighter than the minimum weight left out.
    pub graph: CoordinationGraph,
    /// One per layer, in the order asked: its stats and warnings are those of the whole
    /// layer, its edges only those that belong to an edge of `graph`.
    pub layers: Vec<CoActionGraph>,
    /// The ranges of source accounts (first, one past last) the edges were built in.
    pub ranges: Vec<(u32, u32)>,
}

/// An edge of the combined graph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CombinedEdge {
    /// Σ over layers of multiplier × layer weight.
    pub weight: f64,
    /// Bit `l` is set when layer `l` has the edge.
    pub layers: u32,
}

/// Co-action layers combined: a petgraph [`UnGraph`] whose node weights are account indices
/// (nodes in ascending account order, edges in ascending (source, target) order), with one
/// weight per layer per edge.
#[derive(Debug, Clone)]
pub struct CoordinationGraph {
    /// The layers, in the order given.
    pub layers: Vec<CoActionKind>,
    /// The graph.
    pub graph: UnGraph<AccountIx, CombinedEdge>,
    /// `layer_weights[e * layers.len() + l]`: the weight of edge `e` in layer `l` (0 when the
    /// layer lacks it).
    pub layer_weights: Vec<f64>,
}

impl CoordinationGraph {
    /// The most layers one graph can combine.
    pub const MAX_LAYERS: usize = 32;

    /// Combines co-action graphs; `multipliers` (one per layer, default 1) scale each layer's
    /// weight in the combined weight.
    ///
    /// # Errors
    /// [`GraphError::LayerMismatch`] when the multipliers do not match the layers or there are
    /// more than [`CoordinationGraph::MAX_LAYERS`] layers.
    ///
    /// # Complexity
    /// O(E log E) for E layer edges in all.
    pub fn combine(
        layers: &[CoActionGraph],
        multipliers: Option<&[f64]>,
    ) -> Result<Self, GraphError> {
        let count = layers.len();
        let ones = vec![1.0; count];
        let multipliers = multipliers.unwrap_or(&ones);
        if multipliers.len() != count || count > Self::MAX_LAYERS {
            return Err(GraphError::LayerMismatch {
                layers: count,
                multipliers: multipliers.len(),
            });
        }
        let mut all: Vec<(u64, u32, f64)> = layers
            .iter()
            .enumerate()
            .flat_map(|(l, g)| {
                g.edges.iter().map(move |e| {
                    (
                        (u64::from(e.source) << 32) | u64::from(e.target),
                        l as u32,
                        e.weight,
                    )
                })
            })
            .collect();
        all.par_sort_unstable_by_key(|x| (x.0, x.1));
        let mut accounts: Vec<AccountIx> = all
            .iter()
            .flat_map(|x| [(x.0 >> 32) as u32, x.0 as u32])
            .collect();
        accounts.par_sort_unstable();
        accounts.dedup();
        let mut graph = UnGraph::with_capacity(accounts.len(), all.len());
        for &a in &accounts {
            graph.add_node(a);
        }
        let node = |a: u32| NodeIndex::new(accounts.binary_search(&a).unwrap_or(0));
        let mut layer_weights = Vec::new();
        let mut start = 0;
        while start < all.len() {
            let key = all[start].0;
            let mut end = start;
            let mut edge = CombinedEdge {
                weight: 0.0,
                layers: 0,
            };
            let row = layer_weights.len();
            layer_weights.resize(row + count, 0.0);
            while end < all.len() && all[end].0 == key {
                let (_, l, w) = all[end];
                layer_weights[row + l as usize] = w;
                edge.layers |= 1 << l;
                end += 1;
            }
            // Sum in layer order, so the result does not depend on the input order.
            for (l, m) in multipliers.iter().enumerate() {
                edge.weight += m * layer_weights[row + l];
            }
            graph.add_edge(node((key >> 32) as u32), node(key as u32), edge);
            start = end;
        }
        Ok(CoordinationGraph {
            layers: layers.iter().map(|g| g.kind).collect(),
            graph,
            layer_weights,
        })
    }

    /// Builds the co-action layers of `kinds` and combines them (as [`combine`] with unit
    /// multipliers), keeping only the combined edges of weight ≥ `min_weight`, one range of
    /// source accounts at a time so that memory holds about `max_pairs` pair records at once
    /// rather than every pair and every layer edge.
    ///
    /// # Arguments
    /// - `c`, `kinds`, `options`: what [`build_co_action_graph`](super::build_co_action_graph)
    ///   is given for each layer.
    /// - `min_weight`: the least combined weight of a kept edge.
    /// - `max_pairs`: the most pair records (over all layers) one range should materialise;
    ///   when the in-window pairs of all layers fit, there is one range.
    /// - `visit(layer, edges)`: sees every edge of every layer once, range by range in
    ///   ascending order of source account, before the combined weight filters them (for
    ///   statistics over all edges).
    ///
    /// # Returns
    /// The same graph as [`combine`] followed by dropping the edges lighter than
    /// `min_weight` and the nodes left alone, whatever `max_pairs` is; the layers keep the
    /// stats and warnings of their whole build and the edges behind the kept edges.
    ///
    /// # Errors
    /// [`GraphError`] when the options are out of range or there are more than
    /// [`CoordinationGraph::MAX_LAYERS`] layers.
    ///
    /// # Complexity
    /// Each range sweeps the actions of every layer again: O(R × (A + P)) time for R ranges,
    /// A actions and P in-window pairs, plus one counting sweep when R > 1. Memory: the
    /// actions, one range's pair records and layer edges, and the kept edges. Near-duplicate
    /// text and backbones are built whole (see `RangedLayer`), so they are not bounded.
    ///
    /// [`combine`]: CoordinationGraph::combine
    pub fn build_filtered(
        c: &Collection,
        kinds: &[CoActionKind],
        options: &CoActionOptions,
        min_weight: f64,
        max_pairs: u64,
        mut visit: impl FnMut(usize, &[CoActionEdge]),
    ) -> Result<FilteredGraph, GraphError> {
        if kinds.len() > Self::MAX_LAYERS {
            return Err(GraphError::LayerMismatch {
                layers: kinds.len(),
                multipliers: kinds.len(),
            });
        }
        let mut layers: Vec<RangedLayer<'_>> = kinds
            .iter()
            .map(|&kind| RangedLayer::new(c, kind, options))
            .collect::<Result<_, _>>()?;
        let accounts = c.accounts.len();
        let bounds: Vec<u64> = layers.iter().map(RangedLayer::pairs_bound).collect();
        // Ranges (first account, end account) and each layer's pairs in each range.
        let (ranges, expected): (Vec<(u32, u32)>, Vec<Vec<u64>>) =
            if bounds.iter().sum::<u64>() <= max_pairs || accounts <= 1 {
                (vec![(0, accounts as u32)], vec![bounds])
            } else {
                let blocks = accounts.min(RANGE_BLOCKS);
                let per_layer: Vec<Vec<u64>> =
                    layers.iter().map(|l| l.pairs_per_block(blocks)).collect();
                let per_block: Vec<u64> = (0..blocks)
                    .map(|b| per_layer.iter().map(|l| l[b]).sum())
                    .collect();
                plan_ranges(&per_block, accounts, max_pairs)
                    .into_iter()
                    .map(|(first, end, b0, b1)| {
                        let pairs = per_layer.iter().map(|l| l[b0..b1].iter().sum()).collect();
                        ((first, end), pairs)
                    })
                    .unzip()
            };
        let mut kept = KeptEdges::new(kinds.len());
        for (&(first, end), expected) in ranges.iter().zip(&expected) {
            let mut range_edges = Vec::with_capacity(layers.len());
            for (l, layer) in layers.iter_mut().enumerate() {
                let edges = layer.edges_in(first, end, expected[l]);
                visit(l, &edges);
                range_edges.push(edges);
            }
            kept.merge(&range_edges, min_weight);
        }
        let KeptEdges {
            keys,
            edges,
            layer_weights,
            layer_edges,
        } = kept;
        let mut nodes: Vec<AccountIx> = keys
            .iter()
            .flat_map(|&k| [(k >> 32) as u32, k as u32])
            .collect();
        nodes.par_sort_unstable();
        nodes.dedup();
        let mut graph = UnGraph::with_capacity(nodes.len(), keys.len());
        for &a in &nodes {
            graph.add_node(a);
        }
        let node = |a: u32| NodeIndex::new(nodes.binary_search(&a).unwrap_or(0));
        for (&key, &edge) in keys.iter().zip(&edges) {
            graph.add_edge(node((key >> 32) as u32), node(key as u32), edge);
        }
        Ok(FilteredGraph {
            graph: CoordinationGraph {
                layers: kinds.to_vec(),
                graph,
                layer_weights,
            },
            layers: layers
                .into_iter()
                .zip(layer_edges)
                .map(|(layer, edges)| layer.finish(edges))
                .collect(),
            ranges,
        })
    }

    /// The weight of an edge in one layer (0 when the layer lacks it).
    pub fn layer_weight(&self, edge: EdgeIndex, layer: usize) -> f64 {
        self.layer_weights[edge.index() * self.layers.len() + layer]
    }

    /// The node of an account, if it has an edge.
    pub fn node_of(&self, account: AccountIx) -> Option<NodeIndex> {
        // Nodes were added in ascending account order.
        let n = self.graph.node_count();
        let (mut lo, mut hi) = (0, n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.graph[NodeIndex::new(mid)].cmp(&account) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(NodeIndex::new(mid)),
            }
        }
        None
    }
}

/// Ranges of source accounts `(first, end, first block, end block)` covering `0..accounts`,
/// each made of whole blocks (see `RangedLayer::pairs_per_block`) with at most `max_pairs`
/// pairs, unless one block alone has more.
fn plan_ranges(
    per_block: &[u64],
    accounts: usize,
    max_pairs: u64,
) -> Vec<(u32, u32, usize, usize)> {
    let blocks = per_block.len() as u64;
    // The first account of block b: the least a with a × blocks / accounts ≥ b.
    let start = |b: usize| (b as u64 * accounts as u64).div_ceil(blocks) as u32;
    let mut ranges = Vec::new();
    let (mut first_block, mut load) = (0, 0u64);
    for (b, &n) in per_block.iter().enumerate() {
        if b > first_block && load + n > max_pairs {
            ranges.push((start(first_block), start(b), first_block, b));
            first_block = b;
            load = 0;
        }
        load += n;
    }
    ranges.push((
        start(first_block),
        accounts as u32,
        first_block,
        per_block.len(),
    ));
    ranges
}

/// The combined edges kept so far, in ascending (source, target) order.
struct KeptEdges {
    keys: Vec<u64>,
    edges: Vec<CombinedEdge>,
    layer_weights: Vec<f64>,
    /// Per layer, its edges behind a kept edge.
    layer_edges: Vec<Vec<CoActionEdge>>,
}

impl KeptEdges {
    fn new(layers: usize) -> Self {
        KeptEdges {
            keys: Vec::new(),
            edges: Vec::new(),
            layer_weights: Vec::new(),
            layer_edges: vec![Vec::new(); layers],
        }
    }

    /// Merges the layers' edges of one range (each sorted by key, all keys above those kept
    /// so far) and keeps the combined edges of weight ≥ `min_weight`. The weight is summed in
    /// layer order, as [`CoordinationGraph::combine`] sums it.
    fn merge(&mut self, layers: &[Vec<CoActionEdge>], min_weight: f64) {
        let key = |e: &CoActionEdge| (u64::from(e.source) << 32) | u64::from(e.target);
        let count = layers.len();
        let mut cursors = vec![0usize; count];
        let mut row = vec![0.0f64; count];
        while let Some(next) = layers
            .iter()
            .zip(&cursors)
            .filter_map(|(l, &i)| l.get(i).map(key))
            .min()
        {
            let mut edge = CombinedEdge {
                weight: 0.0,
                layers: 0,
            };
            for (l, layer) in layers.iter().enumerate() {
                row[l] = match layer.get(cursors[l]) {
                    Some(e) if key(e) == next => {
                        edge.layers |= 1 << l;
                        e.weight
                    }
                    _ => 0.0,
                };
            }
            for w in &row {
                edge.weight += w;
            }
            let keep = edge.weight >= min_weight;
            if keep {
                self.keys.push(next);
                self.edges.push(edge);
                self.layer_weights.extend_from_slice(&row);
            }
            for (l, layer) in layers.iter().enumerate() {
                if edge.layers & (1 << l) != 0 {
                    if keep {
                        self.layer_edges[l].push(layer[cursors[l]]);
                    }
                    cursors[l] += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_fill_up_to_the_budget_and_a_heavy_block_stands_alone() {
        // 4 blocks of 2 accounts each.
        assert_eq!(
            plan_ranges(&[5, 5, 5, 5], 8, 10),
            vec![(0, 4, 0, 2), (4, 8, 2, 4)]
        );
        assert_eq!(
            plan_ranges(&[1, 30, 1, 1], 8, 10),
            vec![(0, 2, 0, 1), (2, 4, 1, 2), (4, 8, 2, 4)]
        );
        // 3 blocks over 10 accounts: blocks start at accounts 0, 4 (⌈10/3⌉) and 7 (⌈20/3⌉).
        assert_eq!(
            plan_ranges(&[9, 9, 9], 10, 10),
            vec![(0, 4, 0, 1), (4, 7, 1, 2), (7, 10, 2, 3)]
        );
        assert_eq!(plan_ranges(&[0, 0], 5, 0), vec![(0, 5, 0, 2)]);
    }
}
