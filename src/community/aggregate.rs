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

/// What [`collapse`] reads for each neighbour: its label and, when the connectedness of the
/// communities is checked, its index among the members of its community.
trait Entry: Copy + Sync {
    /// Whether the entries carry member indices and connectedness is checked.
    const CHECK: bool;
    /// The label (community) of the node.
    fn label(self) -> u32;
    /// The index of the node among the members of its community (0 when not checked).
    fn index(self) -> u32;
}

impl Entry for u32 {
    const CHECK: bool = false;
    #[inline]
    fn label(self) -> u32 {
        self
    }
    #[inline]
    fn index(self) -> u32 {
        0
    }
}

impl Entry for (u32, u32) {
    const CHECK: bool = true;
    #[inline]
    fn label(self) -> u32 {
        self.0
    }
    #[inline]
    fn index(self) -> u32 {
        self.1
    }
}

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
    let (collapsed, weights, _) = collapse(graph, node_weights, &groups, labels, count);
    (collapsed, weights)
}

/// A community that does not induce a connected subgraph: its id, and each member with the
/// smallest member index (position in the community's increasing list of members) of its
/// connected part.
pub(crate) type Disconnected = (u32, Vec<(u32, u32)>);

/// [`aggregate`], plus the communities that do not induce a connected subgraph of `graph`
/// (in increasing order, with their parts).
///
/// Connectedness is checked in the same pass over the arcs: each task joins the two ends of
/// every arc inside a community in a union-find over the members of that community (small,
/// so it stays in cache), and the neighbour's label and member index are read together, from
/// one table of `(label, index)` pairs, so that the check adds no cache miss to the pass. It
/// costs far less than a separate search of every community over the whole graph.
///
/// # Complexity
/// O(n + arcs · α(n)) time, parallel over communities; O(n) memory for the table.
pub(crate) fn aggregate_checked(
    graph: &Csr,
    node_weights: &[f64],
    labels: &[u32],
    count: usize,
) -> (Csr, Vec<f64>, Vec<Disconnected>) {
    let groups = Groups::new(labels, count);
    let mut entries = vec![(0u32, 0u32); labels.len()];
    for c in 0..count {
        for (i, &v) in groups.members(c).iter().enumerate() {
            entries[v as usize] = (c as u32, i as u32);
        }
    }
    collapse(graph, node_weights, &groups, &entries, count)
}

/// The root of `i` in the union-find `parent`, halving the path on the way. Sets are joined
/// by pointing the larger root at the smaller, so that a root is the smallest of its set.
#[inline]
pub(crate) fn find(parent: &mut [u32], mut i: u32) -> u32 {
    while parent[i as usize] != i {
        let grand = parent[parent[i as usize] as usize];
        parent[i as usize] = grand;
        i = grand;
    }
    i
}

/// The aggregation of [`aggregate`] and [`aggregate_checked`]: `entries[v]` gives the label
/// of `v` (and its member index when `E::CHECK`). Returns the aggregate graph, its node
/// weights, and (when checked) the communities that are not connected.
fn collapse<E: Entry>(
    graph: &Csr,
    node_weights: &[f64],
    groups: &Groups,
    entries: &[E],
    count: usize,
) -> (Csr, Vec<f64>, Vec<Disconnected>) {
    let pool = Pool::new(count);
    struct Chunk {
        neighbors: Vec<Neighbor>,
        lengths: Vec<u32>,
        self_loops: Vec<f64>,
        degrees: Vec<f64>,
        weights: Vec<f64>,
        disconnected: Vec<Disconnected>,
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
                disconnected: Vec::new(),
            };
            // Union-find over the members of one community, by member index.
            let mut parent: Vec<u32> = Vec::new();
            // The members of the chunk's communities, one run, for prefetching ahead.
            let run = &groups.members
                [groups.start[range.start] as usize..groups.start[range.end] as usize];
            let mut j = 0;
            for c in range {
                let members = groups.members(c);
                if E::CHECK {
                    parent.clear();
                    parent.extend(0..members.len() as u32);
                }
                let (mut inside, mut self_loop, mut degree, mut weight) = (0.0, 0.0, 0.0, 0.0);
                for (i, &v) in members.iter().enumerate() {
                    prefetch_neighborhoods(graph, entries, run, j);
                    if let Some(&u) = run.get(j + AHEAD_COMMUNITY)
                        && graph.node_count() >= PREFETCH_NODES
                    {
                        prefetch(&graph.degrees()[u as usize]);
                        prefetch(&graph.self_loops()[u as usize]);
                        prefetch(&node_weights[u as usize]);
                    }
                    j += 1;
                    self_loop += graph.self_loop(v);
                    degree += graph.degree(v);
                    weight += node_weights[v as usize];
                    for nb in graph.neighbors(v) {
                        let entry = entries[nb.node as usize];
                        let d = entry.label();
                        if d as usize == c {
                            inside += f64::from(nb.weight);
                            // Each inside edge is seen from both ends: join it once.
                            if E::CHECK && entry.index() > i as u32 {
                                let a = find(&mut parent, i as u32);
                                let b = find(&mut parent, entry.index());
                                if a != b {
                                    parent[a.max(b) as usize] = a.min(b);
                                }
                            }
                        } else {
                            acc.add(d, f64::from(nb.weight));
                        }
                    }
                }
                if E::CHECK && (1..members.len() as u32).any(|i| find(&mut parent, i) != 0) {
                    let parts = (0..members.len() as u32)
                        .map(|i| (members[i as usize], find(&mut parent, i)))
                        .collect();
                    out.disconnected.push((c as u32, parts));
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
    let mut disconnected = Vec::new();
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
        disconnected.extend(chunk.disconnected);
    }
    (
        Csr::from_parts_with_degrees(offsets, neighbors, self_loops, degrees),
        weights,
        disconnected,
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
    fn the_checked_aggregation_names_the_disconnected_communities_and_their_parts() {
        // Path 0-1-2-3-4.
        let g = Csr::from_edges(5, &[(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0), (3, 4, 1.0)]).unwrap();
        let weights = [1.0; 5];
        let broken = |labels: &[u32], count| aggregate_checked(&g, &weights, labels, count).2;
        // {0, 1} and {2, 3, 4} are connected; the aggregate is the plain one.
        let (checked, w, none) = aggregate_checked(&g, &weights, &[0, 0, 1, 1, 1], 2);
        let (plain, plain_w) = aggregate(&g, &weights, &[0, 0, 1, 1, 1], 2);
        assert!(none.is_empty());
        assert_eq!(checked.neighbors(0), plain.neighbors(0));
        assert_eq!(checked.self_loop(1), 2.0);
        assert_eq!(w, plain_w);
        // {0, 2} and {1, 3, 4} are not: parts {0}, {2} and {1}, {3, 4}.
        assert_eq!(
            broken(&[0, 1, 0, 1, 1], 2),
            vec![(0, vec![(0, 0), (2, 1)]), (1, vec![(1, 0), (3, 1), (4, 1)])]
        );
        // {0, 1, 2} through 0-1 and 1-2; {0, 3} is not connected.
        assert!(broken(&[0, 0, 0, 1, 1], 2).is_empty());
        assert_eq!(broken(&[0, 1, 1, 0, 2], 3), vec![(0, vec![(0, 0), (3, 1)])]);
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
