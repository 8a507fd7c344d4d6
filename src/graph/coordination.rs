/*!
The coordination graph: several co-action layers combined into one undirected graph, each
edge keeping its weight in every layer.
*/

use petgraph::graph::{EdgeIndex, NodeIndex, UnGraph};
use rayon::prelude::*;

use super::{CoActionGraph, CoActionKind, GraphError};
use crate::model::AccountIx;

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
