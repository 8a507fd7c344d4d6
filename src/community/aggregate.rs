/*!
Collapsing a graph by a partition (the aggregation phase of Louvain and Leiden), and the
grouping of nodes by community that it and the refinement share.

The aggregate graph has one node per community. The edge between two communities weighs the
sum of the edges between them; the edges inside a community, and its members' self-loops,
become its self-loop, so that weighted degrees and the total weight are preserved and the
quality of a partition of the aggregate equals that of the partition it stands for.
*/

use super::scratch::{
    AHEAD_COMMUNITY, Accumulator, PREFETCH_NODES, Pool, prefetch, prefetch_neighborhoods,
};
use crate::graph::csr::{Csr, Neighbor};
use rayon::prelude::*;

/// Nodes grouped by community: `members[start[c]..start[c + 1]]` are the nodes of `c`, in
/// increasing order.
pub(crate) struct Groups {
    pub(crate) start: Vec<u32>,
    pub(crate) members: Vec<u32>,
}

impl Groups {
    /// Groups nodes `0..labels.len()` by their label in `0..count` (a counting sort).
    pub(crate) fn new(labels: &[u32], count: usize) -> Groups {
        let mut start = vec![0u32; count + 1];
        for &c in labels {
            start[c as usize + 1] += 1;
        }
        for c in 0..count {
            start[c + 1] += start[c];
        }
        let mut cursor = start.clone();
        let mut members = vec![0u32; labels.len()];
        for (v, &c) in labels.iter().enumerate() {
            members[cursor[c as usize] as usize] = v as u32;
            cursor[c as usize] += 1;
        }
        Groups { start, members }
    }

    /// The members of group `c`.
    #[inline]
    pub(crate) fn members(&self, c: usize) -> &[u32] {
        &self.members[self.start[c] as usize..self.start[c + 1] as usize]
    }
}

/// Renumbers labels densely in order of first appearance (by node); returns the count.
pub(crate) fn renumber(labels: &mut [u32]) -> usize {
    let bound = labels.iter().copied().max().map_or(0, |m| m as usize + 1);
    let mut map = vec![u32::MAX; bound];
    let mut next = 0u32;
    for label in labels.iter_mut() {
        let slot = &mut map[*label as usize];
        if *slot == u32::MAX {
            *slot = next;
            next += 1;
        }
        *label = *slot;
    }
    next as usize
}

/// Communities per parallel task: fixed, so that the output never depends on the threads.
const CHUNK: usize = 256;

/// Collapses `graph` by `labels` (dense, `0..count`); node weights are summed per community.
///
/// Unlike [`Csr::from_edges`], the neighbour lists of the aggregate are in order of first
/// contact rather than sorted: the algorithms do not need the order, only that it be fixed.
///
/// Each task walks the members of its communities as one run, prefetching a few members
/// ahead their neighbour lists and the labels of their neighbours (as local moving does).
///
/// # Complexity
/// O(n + arcs) time, parallel over communities; O(count) scratch per thread.
pub(crate) fn aggregate(
    graph: &Csr,
    node_weights: &[f64],
    labels: &[u32],
    count: usize,
) -> (Csr, Vec<f64>) {
    let groups = Groups::new(labels, count);
    let pool = Pool::new(count);
    struct Chunk {
        neighbors: Vec<Neighbor>,
        lengths: Vec<u32>,
        self_loops: Vec<f64>,
        degrees: Vec<f64>,
        weights: Vec<f64>,
    }
    let chunks: Vec<Chunk> = (0..count.div_ceil(CHUNK))
        .into_par_iter()
        .map(|chunk| {
            let mut acc = pool.take();
            let range = chunk * CHUNK..((chunk + 1) * CHUNK).min(count);
            let mut out = Chunk {
                neighbors: Vec::new(),
                lengths: Vec::with_capacity(range.len()),
                self_loops: Vec::with_capacity(range.len()),
                degrees: Vec::with_capacity(range.len()),
                weights: Vec::with_capacity(range.len()),
            };
            // The members of the chunk's communities, one run, for prefetching ahead.
            let run = &groups.members
                [groups.start[range.start] as usize..groups.start[range.end] as usize];
            let mut j = 0;
            for c in range {
                let (mut inside, mut self_loop, mut degree, mut weight) = (0.0, 0.0, 0.0, 0.0);
                for &v in groups.members(c) {
                    prefetch_neighborhoods(graph, labels, run, j);
                    if let Some(&u) = run.get(j + AHEAD_COMMUNITY) {
                        if graph.node_count() >= PREFETCH_NODES {
                            prefetch(&graph.degrees()[u as usize]);
                            prefetch(&graph.self_loops()[u as usize]);
                            prefetch(&node_weights[u as usize]);
                        }
                    }
                    j += 1;
                    self_loop += graph.self_loop(v);
                    degree += graph.degree(v);
                    weight += node_weights[v as usize];
                    for nb in graph.neighbors(v) {
                        let d = labels[nb.node as usize];
                        if d as usize == c {
                            inside += f64::from(nb.weight);
                        } else {
                            acc.add(d, f64::from(nb.weight));
                        }
                    }
                }
                // Lists stay in order of first contact (deterministic; no sort needed by the
                // algorithms); a zero weight may have been touched twice.
                let before = out.neighbors.len();
                let Accumulator {
                    weights, touched, ..
                } = &mut *acc;
                for &d in touched.iter() {
                    let w = &mut weights[d as usize];
                    if *w >= 0.0 {
                        out.neighbors.push(Neighbor {
                            node: d,
                            weight: *w as f32,
                        });
                        // Mark as emitted, so that a repeated slot is skipped.
                        *w = -1.0;
                    }
                }
                for &d in touched.iter() {
                    weights[d as usize] = 0.0;
                }
                touched.clear();
                out.lengths.push((out.neighbors.len() - before) as u32);
                // Each inside edge was seen from both ends.
                out.self_loops.push(self_loop + inside / 2.0);
                out.degrees.push(degree);
                out.weights.push(weight);
            }
            out
        })
        .collect();

    let arcs: usize = chunks.iter().map(|c| c.neighbors.len()).sum();
    let mut offsets = Vec::with_capacity(count + 1);
    let mut neighbors = Vec::with_capacity(arcs);
    let mut self_loops = Vec::with_capacity(count);
    let mut degrees = Vec::with_capacity(count);
    let mut weights = Vec::with_capacity(count);
    offsets.push(0u32);
    let mut at = 0u32;
    for chunk in chunks {
        for len in chunk.lengths {
            at += len;
            offsets.push(at);
        }
        neighbors.extend_from_slice(&chunk.neighbors);
        self_loops.extend_from_slice(&chunk.self_loops);
        degrees.extend_from_slice(&chunk.degrees);
        weights.extend_from_slice(&chunk.weights);
    }
    (
        Csr::from_parts_with_degrees(offsets, neighbors, self_loops, degrees),
        weights,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregation_keeps_weights_degrees_and_total() {
        // Path 0-1-2-3 with weights 1, 2, 3 and a self-loop 0.5 on node 0.
        let g = Csr::from_edges(4, &[(0, 1, 1.0), (1, 2, 2.0), (2, 3, 3.0), (0, 0, 0.5)]).unwrap();
        let (agg, w) = aggregate(&g, &[1.0, 1.0, 1.0, 1.0], &[0, 0, 1, 1], 2);
        assert_eq!(agg.node_count(), 2);
        assert_eq!(
            agg.neighbors(0),
            &[Neighbor {
                node: 1,
                weight: 2.0
            }]
        );
        assert_eq!(
            agg.neighbors(1),
            &[Neighbor {
                node: 0,
                weight: 2.0
            }]
        );
        assert_eq!(agg.self_loop(0), 1.5);
        assert_eq!(agg.self_loop(1), 3.0);
        assert_eq!(agg.degree(0), g.degree(0) + g.degree(1));
        assert_eq!(agg.total_weight(), g.total_weight());
        assert_eq!(w, vec![2.0, 2.0]);
    }

    #[test]
    fn renumbering_follows_first_appearance() {
        let mut labels = vec![7, 3, 7, 0, 3];
        assert_eq!(renumber(&mut labels), 3);
        assert_eq!(labels, vec![0, 1, 0, 2, 1]);
        let groups = Groups::new(&labels, 3);
        assert_eq!(groups.members(0), &[0, 2]);
        assert_eq!(groups.members(2), &[3]);
    }
}
