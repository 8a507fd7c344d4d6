/*!
A compact, immutable, undirected weighted graph in compressed sparse row (CSR) form.

[`Csr`] is the graph type of every hot loop in coordgraph (community detection, components,
cores): `u32` offsets into one array of `(u32 target, f32 weight)` neighbours, so that a
10M-edge graph takes 160 MB of adjacency and a node's neighbours are one contiguous read.

Conventions, chosen to match the modularity of networkx and igraph:
- every undirected edge `{u, v}` with `u != v` appears twice, as `v` in the list of `u` and as
  `u` in the list of `v`; lists are sorted by target and hold no duplicates (parallel edges are
  merged by summing their weights);
- a self-loop `{u, u}` of weight `w` is kept out of the neighbour list, in [`Csr::self_loop`];
  it adds `2w` to the weighted degree of `u` and `w` to the total weight, so that the weighted
  degrees always sum to twice [`Csr::total_weight`].

[`Csr::from_edges`] builds the graph with a parallel counting sort and gives the same bytes for
the same edges whatever the rayon thread count.
*/

use rayon::prelude::*;
use std::sync::atomic::{AtomicU32, Ordering};

/// One entry of a neighbour list: the other end of an edge and the edge's weight.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C)]
pub struct Neighbor {
    /// The neighbouring node.
    pub node: u32,
    /// The weight of the edge (the sum over parallel edges).
    pub weight: f32,
}

/// Why an edge list could not become a [`Csr`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CsrError {
    /// An edge names a node outside `0..node_count`.
    #[error("edge {edge} names node {node}, but the graph has {node_count} nodes")]
    NodeOutOfRange {
        /// Index of the edge in the input slice.
        edge: usize,
        /// The offending node id.
        node: u32,
        /// The number of nodes the graph was declared with.
        node_count: usize,
    },
    /// An edge weight is negative, infinite or NaN (modularity needs non-negative weights).
    #[error("edge {edge} has weight {weight}; weights must be finite and non-negative")]
    InvalidWeight {
        /// Index of the edge in the input slice.
        edge: usize,
        /// The offending weight.
        weight: f32,
    },
    /// The graph has more adjacency entries than `u32` offsets can address.
    #[error("{arcs} adjacency entries exceed the u32 offsets of the CSR (at most {max})")]
    TooLarge {
        /// The number of adjacency entries (twice the non-loop edges).
        arcs: u64,
        /// The largest number supported.
        max: u64,
    },
}

/// An undirected weighted graph in compressed sparse row form (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Csr {
    offsets: Vec<u32>,
    neighbors: Vec<Neighbor>,
    self_loops: Vec<f64>,
    degrees: Vec<f64>,
    total_weight: f64,
}

/// A raw pointer that may cross threads: used to scatter into disjoint slots of one vector.
#[derive(Clone, Copy)]
struct SharedMut<T>(*mut T);
// SAFETY: every use writes disjoint indices, handed out by atomic counters or by disjoint
// offset ranges, and the vector outlives the parallel section.
unsafe impl<T: Send> Send for SharedMut<T> {}
unsafe impl<T: Send> Sync for SharedMut<T> {}

impl<T> SharedMut<T> {
    /// The pointer; a method so that closures capture the whole (Sync) wrapper.
    fn ptr(self) -> *mut T {
        self.0
    }
}

impl Csr {
    /// Builds a graph with `node_count` nodes from undirected weighted edges `(u, v, w)`.
    ///
    /// Parallel edges are merged by summing their weights (in an order fixed by the weights,
    /// so the result does not depend on the thread count); self-loops follow the module
    /// conventions; zero weights are kept.
    ///
    /// # Errors
    /// [`CsrError`] when a node id is `>= node_count`, a weight is negative or not finite, or
    /// the graph needs more than `u32::MAX` adjacency entries.
    ///
    /// # Complexity
    /// O(n + m log d) time for m edges and largest degree d, parallel; 8 bytes per adjacency
    /// entry plus 4 per node of scratch.
    pub fn from_edges(node_count: usize, edges: &[(u32, u32, f32)]) -> Result<Csr, CsrError> {
        Csr::from_edge_fn(node_count, edges.len(), |i| edges[i])
    }

    /// As [`Csr::from_edges`], with edge `i` of `edge_count` given by `edge(i)`: for callers
    /// that hold their edges in columns, so that no list of tuples is copied first.
    ///
    /// # Errors
    /// As [`Csr::from_edges`].
    pub fn from_edge_fn(
        node_count: usize,
        edge_count: usize,
        edge: impl Fn(usize) -> (u32, u32, f32) + Sync,
    ) -> Result<Csr, CsrError> {
        let edges = || (0..edge_count).into_par_iter().map(&edge);
        if let Some((edge, (u, v, _))) = (0..edge_count)
            .into_par_iter()
            .map(|i| (i, edge(i)))
            .find_first(|(_, (u, v, _))| *u as usize >= node_count || *v as usize >= node_count)
        {
            let node = if u as usize >= node_count { u } else { v };
            return Err(CsrError::NodeOutOfRange {
                edge,
                node,
                node_count,
            });
        }
        if let Some((edge, (_, _, weight))) = (0..edge_count)
            .into_par_iter()
            .map(|i| (i, edge(i)))
            .find_first(|(_, (_, _, w))| !(w.is_finite() && *w >= 0.0))
        {
            return Err(CsrError::InvalidWeight { edge, weight });
        }

        let counts: Vec<AtomicU32> = (0..node_count).map(|_| AtomicU32::new(0)).collect();
        edges().for_each(|(u, v, _)| {
            if u != v {
                counts[u as usize].fetch_add(1, Ordering::Relaxed);
                counts[v as usize].fetch_add(1, Ordering::Relaxed);
            }
        });
        let mut offsets = Vec::with_capacity(node_count + 1);
        let mut total: u64 = 0;
        offsets.push(0u32);
        for count in &counts {
            total += u64::from(count.load(Ordering::Relaxed));
            if total > u64::from(u32::MAX) {
                let arcs = edges().filter(|(u, v, _)| u != v).count() as u64 * 2;
                return Err(CsrError::TooLarge {
                    arcs,
                    max: u64::from(u32::MAX),
                });
            }
            offsets.push(total as u32);
        }
        let arc_count = total as usize;

        // Scatter both directions of every edge; the order inside a list is racy here and
        // made canonical by the sort below.
        let cursors: Vec<AtomicU32> = offsets[..node_count]
            .iter()
            .map(|&o| AtomicU32::new(o))
            .collect();
        drop(counts);
        let mut neighbors: Vec<Neighbor> = Vec::with_capacity(arc_count);
        let slots = SharedMut(neighbors.as_mut_ptr());
        edges().for_each(|(u, v, weight)| {
            if u != v {
                let at_u = cursors[u as usize].fetch_add(1, Ordering::Relaxed) as usize;
                let at_v = cursors[v as usize].fetch_add(1, Ordering::Relaxed) as usize;
                // SAFETY: each slot index is handed out once by the atomic cursors, and all
                // lie below `arc_count`, the capacity.
                unsafe {
                    slots.ptr().add(at_u).write(Neighbor { node: v, weight });
                    slots.ptr().add(at_v).write(Neighbor { node: u, weight });
                }
            }
        });
        // SAFETY: the cursors filled exactly the `arc_count` slots (each list to its end).
        unsafe { neighbors.set_len(arc_count) };
        drop(cursors);

        // Sort each list and merge parallel edges, in place.
        let base = SharedMut(neighbors.as_mut_ptr());
        let merged_len: Vec<u32> = (0..node_count)
            .into_par_iter()
            .with_min_len(256)
            .map(|node| {
                let (start, end) = (offsets[node] as usize, offsets[node + 1] as usize);
                // SAFETY: the ranges `offsets[node]..offsets[node + 1]` are disjoint.
                let list =
                    unsafe { std::slice::from_raw_parts_mut(base.ptr().add(start), end - start) };
                merge_parallel_edges(list) as u32
            })
            .collect();

        // Compact the merged lists to the front (each moves left, never over an unread list).
        let mut write = 0usize;
        for node in 0..node_count {
            let start = offsets[node] as usize;
            let len = merged_len[node] as usize;
            if start != write {
                neighbors.copy_within(start..start + len, write);
            }
            offsets[node] = write as u32;
            write += len;
        }
        offsets[node_count] = write as u32;
        neighbors.truncate(write);
        neighbors.shrink_to_fit();

        let mut self_loops = vec![0.0f64; node_count];
        for (u, v, weight) in (0..edge_count).map(&edge).filter(|(u, v, _)| u == v) {
            debug_assert_eq!(u, v);
            self_loops[u as usize] += f64::from(weight);
        }
        Ok(Csr::from_parts(offsets, neighbors, self_loops))
    }

    /// Assembles a graph from lists that already follow the conventions (sorted, merged,
    /// symmetric, no self-loop in the lists); computes degrees and the total weight.
    pub(crate) fn from_parts(
        offsets: Vec<u32>,
        neighbors: Vec<Neighbor>,
        self_loops: Vec<f64>,
    ) -> Csr {
        let node_count = self_loops.len();
        debug_assert_eq!(offsets.len(), node_count + 1);
        let degrees: Vec<f64> = (0..node_count)
            .into_par_iter()
            .with_min_len(1024)
            .map(|node| {
                let list = &neighbors[offsets[node] as usize..offsets[node + 1] as usize];
                list.iter().map(|n| f64::from(n.weight)).sum::<f64>() + 2.0 * self_loops[node]
            })
            .collect();
        let total_weight = deterministic_sum(&degrees) / 2.0;
        Csr {
            offsets,
            neighbors,
            self_loops,
            degrees,
            total_weight,
        }
    }

    /// Builds a graph from its parts with degrees given (they may differ from the sums of the
    /// lists by rounding, as when the lists were rounded to `f32`). The lists need not be
    /// sorted: the aggregate graphs of community detection keep them in a fixed, unsorted
    /// order, and never expose them.
    pub(crate) fn from_parts_with_degrees(
        offsets: Vec<u32>,
        neighbors: Vec<Neighbor>,
        self_loops: Vec<f64>,
        degrees: Vec<f64>,
    ) -> Csr {
        let total_weight = deterministic_sum(&degrees) / 2.0;
        Csr {
            offsets,
            neighbors,
            self_loops,
            degrees,
            total_weight,
        }
    }

    /// The number of nodes.
    pub fn node_count(&self) -> usize {
        self.degrees.len()
    }

    /// The number of undirected edges after merging, self-loops included.
    pub fn edge_count(&self) -> usize {
        self.neighbors.len() / 2 + self.self_loops.iter().filter(|&&w| w != 0.0).count()
    }

    /// The number of adjacency entries (twice the non-loop edges).
    pub fn arc_count(&self) -> usize {
        self.neighbors.len()
    }

    /// The neighbours of `node` (self-loop excluded), sorted by node id.
    ///
    /// # Panics
    /// If `node >= node_count()`.
    #[inline]
    pub fn neighbors(&self, node: u32) -> &[Neighbor] {
        let node = node as usize;
        &self.neighbors[self.offsets[node] as usize..self.offsets[node + 1] as usize]
    }

    /// The weight of the self-loop of `node` (0 when it has none).
    #[inline]
    pub fn self_loop(&self, node: u32) -> f64 {
        self.self_loops[node as usize]
    }

    /// The weighted degree of `node`: its edge weights, the self-loop counted twice.
    #[inline]
    pub fn degree(&self, node: u32) -> f64 {
        self.degrees[node as usize]
    }

    /// All weighted degrees, indexed by node.
    pub fn degrees(&self) -> &[f64] {
        &self.degrees
    }

    /// All self-loop weights, indexed by node.
    pub fn self_loops(&self) -> &[f64] {
        &self.self_loops
    }

    /// The number of neighbours of `node` (self-loop excluded).
    #[inline]
    pub fn neighbor_count(&self, node: u32) -> usize {
        let node = node as usize;
        (self.offsets[node + 1] - self.offsets[node]) as usize
    }

    /// The total edge weight `m` (each edge once, self-loops once); degrees sum to `2m`.
    pub fn total_weight(&self) -> f64 {
        self.total_weight
    }

    /// The offsets of the neighbour lists (`node_count() + 1` entries).
    pub fn offsets(&self) -> &[u32] {
        &self.offsets
    }

    /// All neighbour lists, concatenated in node order.
    pub fn all_neighbors(&self) -> &[Neighbor] {
        &self.neighbors
    }

    /// The edges `(u, v, w)` with `u <= v`, each once, in order; self-loops included.
    pub fn edges(&self) -> impl Iterator<Item = (u32, u32, f32)> + '_ {
        (0..self.node_count() as u32).flat_map(move |u| {
            let self_loop = self.self_loops[u as usize];
            let lower = self.neighbors(u).iter().filter(move |n| n.node < u).count();
            (self_loop != 0.0)
                .then_some((u, u, self_loop as f32))
                .into_iter()
                .chain(
                    self.neighbors(u)[lower..]
                        .iter()
                        .map(move |n| (u, n.node, n.weight)),
                )
        })
    }

    /// Copies the graph into a petgraph [`UnGraph`](petgraph::graph::UnGraph): node `i` of the
    /// CSR is `NodeIndex::new(i)`, each edge appears once, with its weight.
    pub fn to_petgraph(&self) -> petgraph::graph::UnGraph<(), f32> {
        use petgraph::graph::NodeIndex;
        let mut graph = petgraph::graph::UnGraph::<(), f32>::with_capacity(
            self.node_count(),
            self.edge_count(),
        );
        for _ in 0..self.node_count() {
            graph.add_node(());
        }
        for (u, v, w) in self.edges() {
            graph.add_edge(NodeIndex::new(u as usize), NodeIndex::new(v as usize), w);
        }
        graph
    }

    /// The subgraph induced by `nodes` (distinct, each below `node_count()`): node `i` of the
    /// result is `nodes[i]`, and it keeps the edges (and self-loops) among those nodes. This is
    /// how a [`k_core`](crate::community::k_core) or a component becomes a graph of its own.
    ///
    /// # Panics
    /// If a node is out of range.
    ///
    /// # Complexity
    /// O(n + Σ degree of `nodes`) time.
    pub fn subgraph(&self, nodes: &[u32]) -> Csr {
        let mut new_id = vec![u32::MAX; self.node_count()];
        for (i, &v) in nodes.iter().enumerate() {
            new_id[v as usize] = i as u32;
        }
        let mut offsets = Vec::with_capacity(nodes.len() + 1);
        let mut neighbors = Vec::new();
        let mut self_loops = Vec::with_capacity(nodes.len());
        offsets.push(0u32);
        for &v in nodes {
            let start = neighbors.len();
            neighbors.extend(self.neighbors(v).iter().filter_map(|nb| {
                let node = new_id[nb.node as usize];
                (node != u32::MAX).then_some(Neighbor {
                    node,
                    weight: nb.weight,
                })
            }));
            neighbors[start..].sort_unstable_by_key(|nb| nb.node);
            offsets.push(neighbors.len() as u32);
            self_loops.push(self.self_loops[v as usize]);
        }
        Csr::from_parts(offsets, neighbors, self_loops)
    }

    /// Memory held by the graph, in bytes.
    pub fn heap_bytes(&self) -> usize {
        self.offsets.capacity() * 4
            + self.neighbors.capacity() * std::mem::size_of::<Neighbor>()
            + (self.self_loops.capacity() + self.degrees.capacity()) * 8
    }
}

/// Sorts one neighbour list by node and sums the weights of repeated nodes (the summation
/// order is fixed by sorting on the weight too); returns the merged length.
fn merge_parallel_edges(list: &mut [Neighbor]) -> usize {
    if list.len() < 2 {
        return list.len();
    }
    list.sort_unstable_by_key(|n| (n.node, n.weight.to_bits()));
    let mut write = 0;
    let mut read = 0;
    while read < list.len() {
        let node = list[read].node;
        let mut sum = 0.0f64;
        while read < list.len() && list[read].node == node {
            sum += f64::from(list[read].weight);
            read += 1;
        }
        list[write] = Neighbor {
            node,
            weight: sum as f32,
        };
        write += 1;
    }
    write
}

/// Sums in fixed-size blocks combined in order, so the rounding never depends on threads.
pub(crate) fn deterministic_sum(values: &[f64]) -> f64 {
    const BLOCK: usize = 4096;
    let partial: Vec<f64> = values
        .par_chunks(BLOCK)
        .map(|block| block.iter().sum())
        .collect();
    partial.iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn triangle_with_extras() -> Csr {
        // Triangle 0-1-2, a duplicated edge 2-3 (1.5 + 0.5), a self-loop on 3, isolated 4.
        Csr::from_edges(
            5,
            &[
                (0, 1, 1.0),
                (1, 2, 1.0),
                (2, 0, 2.0),
                (3, 2, 1.5),
                (2, 3, 0.5),
                (3, 3, 4.0),
            ],
        )
        .unwrap()
    }

    #[test]
    fn lists_are_sorted_merged_and_symmetric() {
        let g = triangle_with_extras();
        assert_eq!(g.node_count(), 5);
        let list = |u| {
            g.neighbors(u)
                .iter()
                .map(|n| (n.node, n.weight))
                .collect::<Vec<_>>()
        };
        assert_eq!(list(0), vec![(1, 1.0), (2, 2.0)]);
        assert_eq!(list(1), vec![(0, 1.0), (2, 1.0)]);
        assert_eq!(list(2), vec![(0, 2.0), (1, 1.0), (3, 2.0)]);
        assert_eq!(list(3), vec![(2, 2.0)]);
        assert!(list(4).is_empty());
        assert_eq!(g.arc_count(), 8);
        assert_eq!(g.edge_count(), 5);
    }

    #[test]
    fn self_loops_count_twice_in_degree_once_in_total() {
        let g = triangle_with_extras();
        assert_eq!(g.self_loop(3), 4.0);
        assert_eq!(g.degree(3), 2.0 + 8.0);
        assert_eq!(g.degree(2), 5.0);
        assert_eq!(g.degree(4), 0.0);
        // 1 + 1 + 2 + 2 + 4
        assert_eq!(g.total_weight(), 10.0);
        assert_eq!(g.degrees().iter().sum::<f64>(), 2.0 * g.total_weight());
    }

    #[test]
    fn edges_round_trip_through_petgraph() {
        let g = triangle_with_extras();
        let edges: Vec<_> = g.edges().collect();
        assert_eq!(
            edges,
            vec![
                (0, 1, 1.0),
                (0, 2, 2.0),
                (1, 2, 1.0),
                (2, 3, 2.0),
                (3, 3, 4.0)
            ]
        );
        let p = g.to_petgraph();
        assert_eq!(p.node_count(), 5);
        assert_eq!(p.edge_count(), 5);
        let e = p.find_edge(3.into(), 2.into()).unwrap();
        assert_eq!(p[e], 2.0);
    }

    #[test]
    fn subgraph_keeps_the_edges_among_the_chosen_nodes() {
        let g = triangle_with_extras();
        let sub = g.subgraph(&[3, 2, 0]);
        let edges: Vec<_> = sub.edges().collect();
        // 3 -> 0, 2 -> 1, 0 -> 2.
        assert_eq!(edges, vec![(0, 0, 4.0), (0, 1, 2.0), (1, 2, 2.0)]);
        assert_eq!(sub.degree(0), 2.0 + 8.0);
        assert_eq!(sub.total_weight(), 8.0);
    }

    #[test]
    fn invalid_input_is_an_error() {
        assert_eq!(
            Csr::from_edges(2, &[(0, 1, 1.0), (1, 2, 1.0)]),
            Err(CsrError::NodeOutOfRange {
                edge: 1,
                node: 2,
                node_count: 2
            })
        );
        assert!(matches!(
            Csr::from_edges(2, &[(0, 1, -1.0)]),
            Err(CsrError::InvalidWeight { edge: 0, .. })
        ));
        assert!(matches!(
            Csr::from_edges(2, &[(0, 1, f32::NAN)]),
            Err(CsrError::InvalidWeight { edge: 0, .. })
        ));
    }

    #[test]
    fn build_is_identical_for_any_thread_count() {
        let mut state = 7u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as u32
        };
        let edges: Vec<(u32, u32, f32)> = (0..20_000)
            .map(|_| (next() % 500, next() % 500, (next() % 100) as f32 / 7.0))
            .collect();
        let build = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| Csr::from_edges(500, &edges).unwrap())
        };
        let one = build(1);
        assert_eq!(one, build(2));
        assert_eq!(one, build(4));
        let recount: f64 = edges.iter().map(|e| f64::from(e.2)).sum();
        assert!((one.total_weight() - recount).abs() < 1e-6 * recount);
    }
}
