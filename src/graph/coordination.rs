/*!
The coordination graph: several co-action layers combined into one undirected graph, each
edge keeping its weight in every layer.

[`CoordinationGraph::combine`] gives a petgraph graph with dense layer weights, for
inspection of small graphs; [`CoordinationGraph::build_filtered`], what `analyze` runs, gives
a [`CompactGraph`]: columns of about 50 bytes per edge (see its docs), built range by range
without holding the layers' edges.
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
    pub graph: CompactGraph,
    /// One per layer, in the order asked, with the stats and warnings of the whole layer and
    /// no edges: what the edge table says of each layer edge behind a kept edge is folded
    /// into `graph` as the ranges are merged.
    pub layers: Vec<CoActionGraph>,
    /// The ranges of source accounts (first, one past last) the edges were built in.
    pub ranges: Vec<(u32, u32)>,
}

/// Edges per block of [`CompactGraph`]'s index into its layer weights.
const VALUE_BLOCK: usize = 16;

/// The combined graph that [`CoordinationGraph::build_filtered`] keeps, in columns: what
/// community detection, the report and the edge table read, and no more.
///
/// Nodes are the accounts with an edge, ascending; edges are in ascending (source, target)
/// account order, `source < target`, as in [`CoordinationGraph`] and petgraph's edge order
/// there.
///
/// **Memory.** 48 bytes per edge (endpoints 2 × 4, weight 8, layer bits 4, pairs 8, least
/// |Δt| 4, first and last 2 × 8), plus 8 bytes per layer weight of the edges present in two
/// layers or more (an edge of one layer has its combined weight as its only layer weight, so
/// it is not stored twice) and half a byte per edge of index, plus 4 bytes per node. The
/// dense `edges × layers` weights and the petgraph copy of [`CoordinationGraph`] (32 bytes
/// per edge) are not held.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompactGraph {
    /// The layers, in the order given.
    pub layers: Vec<CoActionKind>,
    /// The accounts with an edge, ascending: node `n` is account `nodes[n]`.
    pub nodes: Vec<AccountIx>,
    /// Per edge: its source node (the account with the smaller index).
    pub source: Vec<u32>,
    /// Per edge: its target node.
    pub target: Vec<u32>,
    /// Per edge: the combined weight (Σ of the layer weights, summed in layer order).
    pub weight: Vec<f64>,
    /// Per edge: bit `l` is set when layer `l` has the edge.
    pub layer_bits: Vec<u32>,
    /// Per edge: co-action pairs over all layers.
    pub pairs: Vec<u64>,
    /// Per edge: least |Δt| over its layers' pairs, in ms.
    pub min_dt_ms: Vec<u32>,
    /// Per edge: earliest action in one of its pairs (ms).
    pub first_ms: Vec<i64>,
    /// Per edge: latest action in one of its pairs (ms).
    pub last_ms: Vec<i64>,
    /// The layer weights of the edges present in two layers or more, in edge then layer
    /// order.
    multi_weights: Vec<f64>,
    /// Per block of `VALUE_BLOCK` edges: where its first edge's weights start in
    /// `multi_weights`.
    block_start: Vec<u64>,
}

impl CompactGraph {
    fn new(layers: &[CoActionKind]) -> Self {
        CompactGraph {
            layers: layers.to_vec(),
            ..CompactGraph::default()
        }
    }

    /// The number of nodes.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The number of edges.
    pub fn edge_count(&self) -> usize {
        self.weight.len()
    }

    /// Whether the layer weights of an edge with these layer bits are stored (two layers or
    /// more) rather than equal to its combined weight.
    fn stored(bits: u32) -> usize {
        if bits.count_ones() >= 2 {
            bits.count_ones() as usize
        } else {
            0
        }
    }

    /// Appends an edge between two accounts (converted to nodes by `index_nodes`); `row` is
    /// its weight in every layer (0 where absent).
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        key: u64,
        weight: f64,
        bits: u32,
        row: &[f64],
        pairs: u64,
        min_dt_ms: u32,
        first_ms: i64,
        last_ms: i64,
    ) {
        if self.weight.len().is_multiple_of(VALUE_BLOCK) {
            self.block_start.push(self.multi_weights.len() as u64);
        }
        self.source.push((key >> 32) as u32);
        self.target.push(key as u32);
        self.weight.push(weight);
        self.layer_bits.push(bits);
        self.pairs.push(pairs);
        self.min_dt_ms.push(min_dt_ms);
        self.first_ms.push(first_ms);
        self.last_ms.push(last_ms);
        if Self::stored(bits) > 0 {
            self.multi_weights.extend(
                row.iter()
                    .enumerate()
                    .filter(|&(l, _)| bits & (1 << l) != 0)
                    .map(|(_, &w)| w),
            );
        }
    }

    /// Turns the endpoints, held as accounts while edges are appended, into node indices.
    fn index_nodes(&mut self, accounts: usize) {
        let mut node_of = vec![u32::MAX; accounts];
        for (&s, &t) in self.source.iter().zip(&self.target) {
            node_of[s as usize] = 0;
            node_of[t as usize] = 0;
        }
        self.nodes.clear();
        for (a, n) in node_of.iter_mut().enumerate() {
            if *n == 0 {
                *n = self.nodes.len() as u32;
                self.nodes.push(a as AccountIx);
            }
        }
        let map = |x: &mut u32| *x = node_of[*x as usize];
        self.source.par_iter_mut().for_each(map);
        self.target.par_iter_mut().for_each(map);
        self.nodes.shrink_to_fit();
    }

    /// The weight of edge `e` in each layer (0 where the layer lacks it), into `row`
    /// (resized to the number of layers).
    ///
    /// O(1): at most 16 layer bit sets are read.
    pub fn layer_weights_into(&self, e: usize, row: &mut Vec<f64>) {
        row.clear();
        row.resize(self.layers.len(), 0.0);
        let bits = self.layer_bits[e];
        if Self::stored(bits) == 0 {
            if bits != 0 {
                row[bits.trailing_zeros() as usize] = self.weight[e];
            }
            return;
        }
        let block = e / VALUE_BLOCK;
        let mut at = self.block_start[block] as usize;
        for &b in &self.layer_bits[block * VALUE_BLOCK..e] {
            at += Self::stored(b);
        }
        for (l, w) in row.iter_mut().enumerate() {
            if bits & (1 << l) != 0 {
                *w = self.multi_weights[at];
                at += 1;
            }
        }
    }

    /// The weight of edge `e` in layer `l` (0 when the layer lacks it).
    pub fn layer_weight(&self, e: usize, l: usize) -> f64 {
        let mut row = Vec::with_capacity(self.layers.len());
        self.layer_weights_into(e, &mut row);
        row[l]
    }

    /// The node of an account, if it has an edge.
    pub fn node_of(&self, account: AccountIx) -> Option<u32> {
        self.nodes.binary_search(&account).ok().map(|n| n as u32)
    }

    /// The graph in compressed sparse row form, weights rounded to `f32`, for community
    /// detection.
    ///
    /// # Errors
    /// [`CsrError`](super::csr::CsrError) when it has more adjacency entries than `u32`
    /// counts.
    pub fn to_csr(&self) -> Result<super::csr::Csr, super::csr::CsrError> {
        super::csr::Csr::from_edge_fn(self.node_count(), self.edge_count(), |e| {
            (self.source[e], self.target[e], self.weight[e] as f32)
        })
    }

    /// A graph of the given edges `(account, account, weight per layer)`, in ascending
    /// account order, each with one pair at time 0: for tests of what reads the graph.
    #[cfg(test)]
    pub(crate) fn from_layer_weights(
        layers: &[CoActionKind],
        accounts: usize,
        edges: &[(AccountIx, AccountIx, Vec<f64>)],
    ) -> Self {
        let mut g = CompactGraph::new(layers);
        for (s, t, row) in edges {
            let bits = row
                .iter()
                .enumerate()
                .filter(|&(_, &w)| w != 0.0)
                .fold(0, |bits, (l, _)| bits | 1 << l);
            let key = (u64::from(*s) << 32) | u64::from(*t);
            g.push(key, row.iter().sum(), bits, row, 1, 0, 0, 0);
        }
        g.index_nodes(accounts);
        g
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.nodes.capacity() * 4
            + (self.source.capacity() + self.target.capacity()) * 4
            + self.weight.capacity() * 8
            + self.layer_bits.capacity() * 4
            + self.pairs.capacity() * 8
            + self.min_dt_ms.capacity() * 4
            + (self.first_ms.capacity() + self.last_ms.capacity()) * 8
            + self.multi_weights.capacity() * 8
            + self.block_start.capacity() * 8
    }
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
    /// `min_weight` and the nodes left alone, whatever `max_pairs` is, as a [`CompactGraph`]
    /// that also holds each kept edge's pairs, least |Δt| and time span over its layers; the
    /// layers keep the stats and warnings of their whole build, and no edges.
    ///
    /// # Errors
    /// [`GraphError`] when the options are out of range or there are more than
    /// [`CoordinationGraph::MAX_LAYERS`] layers.
    ///
    /// # Complexity
    /// Each range sweeps the actions of every layer again: O(R × (A + P)) time for R ranges,
    /// A actions and P in-window pairs, plus one counting sweep when R > 1. Memory: the
    /// actions, one range's pair records and layer edges, and the kept edges (about 50
    /// bytes each, see [`CompactGraph`]). Near-duplicate
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
        let mut kept = CompactGraph::new(kinds);
        for (&(first, end), expected) in ranges.iter().zip(&expected) {
            let mut range_edges = Vec::with_capacity(layers.len());
            for (l, layer) in layers.iter_mut().enumerate() {
                let edges = layer.edges_in(first, end, expected[l]);
                visit(l, &edges);
                range_edges.push(edges);
            }
            merge_range(&mut kept, &range_edges, min_weight);
        }
        kept.index_nodes(accounts);
        Ok(FilteredGraph {
            graph: kept,
            layers: layers
                .into_iter()
                .map(|layer| layer.finish(Vec::new()))
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

/// Merges the layers' edges of one range (each sorted by key, all keys above those kept so
/// far) into `kept`, keeping the combined edges of weight ≥ `min_weight` with their pairs,
/// least |Δt| and time span over the layers. The weight is summed in layer order, as
/// [`CoordinationGraph::combine`] sums it.
fn merge_range(kept: &mut CompactGraph, layers: &[Vec<CoActionEdge>], min_weight: f64) {
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
        let mut bits = 0u32;
        for (l, layer) in layers.iter().enumerate() {
            row[l] = match layer.get(cursors[l]) {
                Some(e) if key(e) == next => {
                    bits |= 1 << l;
                    e.weight
                }
                _ => 0.0,
            };
        }
        let mut weight = 0.0;
        for w in &row {
            weight += w;
        }
        let (mut pairs, mut min_dt, mut first, mut last) = (0u64, u32::MAX, i64::MAX, i64::MIN);
        for (l, layer) in layers.iter().enumerate() {
            if bits & (1 << l) != 0 {
                let e = &layer[cursors[l]];
                pairs += e.pairs;
                min_dt = min_dt.min(e.min_dt_ms);
                first = first.min(e.first_ms);
                last = last.max(e.last_ms);
                cursors[l] += 1;
            }
        }
        if weight >= min_weight {
            kept.push(next, weight, bits, &row, pairs, min_dt, first, last);
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
