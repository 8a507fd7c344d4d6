/*!
Community detection: cutting a graph into groups of accounts that an investigator can examine.

The entry point is [`detect_communities`], which runs one of
- **Leiden** (Traag, Waltman & van Eck, Sci. Rep. 2019), the default: every community it
  returns is connected, and well connected to its parts, which Louvain does not guarantee;
- **Louvain** (Blondel et al., J. Stat. Mech. 2008): faster, a little lower in quality;
  its communities are made connected by splitting any that is not into its parts;
- **connected components**, as a baseline or a pre-filter;

with the modularity objective (resolution `γ`) or, for Leiden and Louvain, the constant Potts
model (CPM), on a [`Csr`] graph. Beside it are the tools to judge a partition: [`modularity`],
[`nmi`], [`ari`], and the filters [`connected_components`] and [`k_core`]. [`read_edge_list`]
and [`write_partition`] make a weighted `source,target[,weight]` CSV a graph and a partition a
`node,community` CSV, so that a command line is a thin layer.

```
use coordgraph::community::{CommunityOptions, detect_communities, modularity};
use coordgraph::graph::csr::Csr;

// Two triangles joined by one edge.
let edges = [(0, 1, 1.0), (1, 2, 1.0), (0, 2, 1.0), (3, 4, 1.0), (4, 5, 1.0), (3, 5, 1.0),
             (2, 3, 1.0)];
let graph = Csr::from_edges(6, &edges).unwrap();
let partition = detect_communities(&graph, &CommunityOptions::default()).unwrap();
assert_eq!(partition.membership(), &[0, 0, 0, 1, 1, 1]);
assert!((modularity(&graph, &partition, 1.0).unwrap() - 0.357).abs() < 1e-3);
```

# Determinism
Results depend only on the graph and the options: the same seed gives the same partition
whatever the rayon thread count. Parallel phases decide from a fixed state and apply in a
fixed order (see the `moving` module), every random stream is derived from
`(seed, stage, index)`, and every floating-point reduction has a fixed order.

# Why written here rather than taken from a crate
The hot loops run on coordgraph's own [`Csr`] (`u32` offsets and targets, `f32` weights) and
must be deterministic across thread counts. Of the Rust crates measured, single-clustering
(BSD-3, fastest) is single-threaded with an unstable API, leiden-rs is parallel but 2–5× slower,
rust-igraph is GPL and so cannot be a dependency, and graphrs spends seconds just building a
graph of a million edges. Each would also need its own graph copy. Louvain and Leiden are a few
hundred lines on a CSR; owning them lets the local moving, refinement and aggregation share one
graph type, one scratch pool and one determinism scheme. Quality is checked against
python-igraph on committed LFR fixtures (`tests/community.rs`,
`scripts/community_quality.py`) and speed against igraph and networkit
(`scripts/community_bench.py`, `examples/bench_community.rs`).
*/

mod aggregate;
mod components;
mod io;
mod leiden;
mod louvain;
mod moving;
mod partition;
mod rng;
mod scratch;

pub use components::{connected_components, core_numbers, k_core};
pub use io::{
    EdgeList, EdgeListError, read_edge_list, read_edge_list_from, read_partition, write_partition,
};
pub use partition::{Partition, ari, modularity, nmi};

use crate::graph::csr::Csr;

/// The community-detection algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Leiden: Louvain plus a refinement that guarantees connected communities.
    #[default]
    Leiden,
    /// Louvain: local moving and aggregation.
    Louvain,
    /// Connected components (ignores the objective, resolution and seed).
    Components,
}

/// The quality function that Leiden and Louvain maximise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Objective {
    /// Modularity with resolution γ: `Σ_c [L_c/m − γ (K_c/2m)²]`.
    #[default]
    Modularity,
    /// Constant Potts model: `Σ_c [L_c − γ n_c (n_c − 1)/2]`, for communities denser than γ
    /// whatever the graph size (Traag, Van Dooren & Nesterov 2011).
    Cpm,
}

/// Options of [`detect_communities`]; the defaults are igraph's and leidenalg's.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CommunityOptions {
    /// The algorithm.
    pub method: Method,
    /// The quality function.
    pub objective: Objective,
    /// The resolution γ (> 0; 1 is classic modularity; for CPM, the density threshold).
    pub resolution: f64,
    /// The seed of every random choice.
    pub seed: u64,
    /// Leiden: the number of iterations, each a full run from the partition of the previous
    /// one (2 by default, as in igraph); 0 iterates until the partition stops changing.
    /// Louvain always runs until a level improves nothing.
    pub max_iterations: usize,
    /// Leiden's θ, the randomness of the refinement (0.01 as in the paper; 0 is greedy).
    pub randomness: f64,
}

impl Default for CommunityOptions {
    fn default() -> Self {
        CommunityOptions {
            method: Method::Leiden,
            objective: Objective::Modularity,
            resolution: 1.0,
            seed: 0,
            max_iterations: 2,
            randomness: 0.01,
        }
    }
}

/// Why community detection or a comparison of partitions could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CommunityError {
    /// The resolution is not a finite positive number.
    #[error("resolution must be a finite number above 0, got {0}")]
    InvalidResolution(f64),
    /// The randomness θ is negative or not finite.
    #[error("randomness must be a finite number of at least 0, got {0}")]
    InvalidRandomness(f64),
    /// Two partitions cover different numbers of nodes.
    #[error("the partitions cover {left} and {right} nodes")]
    PartitionLengthMismatch {
        /// Nodes of the first partition.
        left: usize,
        /// Nodes of the second partition.
        right: usize,
    },
    /// A partition does not cover the nodes of the graph.
    #[error("the graph has {graph} nodes but the partition covers {partition}")]
    NodeCountMismatch {
        /// Nodes of the graph.
        graph: usize,
        /// Nodes of the partition.
        partition: usize,
    },
}

/// Finds communities in `graph` with the algorithm and objective of `options`.
///
/// # Arguments
/// - `graph`: an undirected graph with non-negative weights; isolated nodes end up alone.
/// - `options`: see [`CommunityOptions`].
///
/// # Returns
/// A [`Partition`] of the nodes, numbered by smallest node. Every community is connected
/// (Leiden guarantees it; Louvain splits a community that is not into its connected parts,
/// which can only raise the quality).
///
/// # Errors
/// [`CommunityError::InvalidResolution`] or [`CommunityError::InvalidRandomness`] for options
/// out of range.
///
/// # Complexity
/// Per level, O(m) for local moving (each node visit costs its degree, and nodes are revisited
/// only when a neighbour moves), O(m) for refinement and aggregation; the levels shrink
/// geometrically in practice, and a handful of Leiden iterations suffice. Memory is O(n + m):
/// the graph, a few arrays of n entries, and the aggregate graphs (each smaller than the last).
/// Local moving and aggregation run in parallel within a level, refinement in parallel over
/// communities.
pub fn detect_communities(
    graph: &Csr,
    options: &CommunityOptions,
) -> Result<Partition, CommunityError> {
    if !(options.resolution.is_finite() && options.resolution > 0.0) {
        return Err(CommunityError::InvalidResolution(options.resolution));
    }
    if !(options.randomness.is_finite() && options.randomness >= 0.0) {
        return Err(CommunityError::InvalidRandomness(options.randomness));
    }
    Ok(match options.method {
        Method::Components => connected_components(graph),
        Method::Louvain => louvain::louvain(graph, options),
        Method::Leiden => leiden::leiden(graph, options),
    })
}
