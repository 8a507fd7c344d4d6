/*!
Connected components and k-cores: the structural filters applied before or beside community
detection.
*/

use super::aggregate::Groups;
use super::partition::Partition;
use super::scratch::prefetch_neighborhoods;
use crate::graph::csr::Csr;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU32, Ordering};

/// The connected components of `graph`, as a partition (component 0 holds node 0; edges of
/// weight 0 still connect).
///
/// # Complexity
/// O(n + m) time (breadth-first search), O(n) memory.
pub fn connected_components(graph: &Csr) -> Partition {
    let n = graph.node_count();
    let mut label = vec![u32::MAX; n];
    let mut queue: Vec<u32> = Vec::new();
    let mut next = 0u32;
    for start in 0..n as u32 {
        if label[start as usize] != u32::MAX {
            continue;
        }
        label[start as usize] = next;
        queue.clear();
        queue.push(start);
        let mut head = 0;
        while head < queue.len() {
            let v = queue[head];
            head += 1;
            for nb in graph.neighbors(v) {
                if label[nb.node as usize] == u32::MAX {
                    label[nb.node as usize] = next;
                    queue.push(nb.node);
                }
            }
        }
        next += 1;
    }
    // BFS from increasing start nodes already numbers components by their smallest node.
    Partition::from_labels(&label)
}

/// Splits every community of `labels` that is not connected into its connected parts;
/// returns the new labels: each part is labelled by its smallest node (so not dense; the
/// caller renumbers). For any resolution `γ > 0` this never lowers the modularity or CPM
/// quality: parts without edges between them only pay the penalty term.
///
/// Communities are searched in parallel, each by breadth-first search from its members in
/// increasing order; a part's label, its smallest node, does not depend on the threads. The
/// search prefetches, a few queued nodes ahead, their neighbour lists and the labels of their
/// neighbours, as local moving does (on a large graph these reads otherwise miss the cache).
///
/// # Complexity
/// O(n + m) time, parallel over communities; O(n) memory.
pub(crate) fn split_disconnected(graph: &Csr, labels: &[u32]) -> Vec<u32> {
    let n = graph.node_count();
    let count = labels.iter().copied().max().map_or(0, |m| m as usize + 1);
    let groups = Groups::new(labels, count);
    // `part[v]`: the smallest node of the part of `v`, `u32::MAX` while unreached. Each
    // community writes only the entries of its own members.
    let part: Vec<AtomicU32> = (0..n).map(|_| AtomicU32::new(u32::MAX)).collect();
    let mut by_size: Vec<u32> = (0..count as u32).collect();
    by_size.sort_by_key(|&c| std::cmp::Reverse(groups.members(c as usize).len()));
    by_size
        .par_iter()
        .with_max_len(1)
        .for_each_init(Vec::new, |queue: &mut Vec<u32>, &c| {
            for &start in groups.members(c as usize) {
                if part[start as usize].load(Ordering::Relaxed) != u32::MAX {
                    continue;
                }
                part[start as usize].store(start, Ordering::Relaxed);
                queue.clear();
                queue.push(start);
                let mut head = 0;
                while head < queue.len() {
                    prefetch_neighborhoods(graph, labels, queue, head);
                    let v = queue[head];
                    head += 1;
                    for nb in graph.neighbors(v) {
                        let u = nb.node as usize;
                        if labels[u] == c && part[u].load(Ordering::Relaxed) == u32::MAX {
                            part[u].store(start, Ordering::Relaxed);
                            queue.push(nb.node);
                        }
                    }
                }
            }
        });
    part.into_iter().map(AtomicU32::into_inner).collect()
}

/// The core number of every node: the largest `k` such that the node belongs to the k-core,
/// the maximal subgraph whose nodes all have at least `k` neighbours in it. Degrees count
/// distinct neighbours, ignoring weights and self-loops.
///
/// # Complexity
/// O(n + m) time and O(n) memory (Batagelj & Zaversnik 2003, <https://arxiv.org/abs/cs/0310049>).
pub fn core_numbers(graph: &Csr) -> Vec<u32> {
    let n = graph.node_count();
    let mut degree: Vec<u32> = (0..n as u32)
        .map(|v| graph.neighbor_count(v) as u32)
        .collect();
    let max_degree = degree.iter().copied().max().unwrap_or(0) as usize;
    // Bucket sort nodes by degree: `order` sorted, `position[v]` its index, `bin[d]` the
    // first index of degree d.
    let mut bin = vec![0u32; max_degree + 2];
    for &d in &degree {
        bin[d as usize + 1] += 1;
    }
    for d in 0..=max_degree {
        bin[d + 1] += bin[d];
    }
    let mut order = vec![0u32; n];
    let mut position = vec![0u32; n];
    {
        let mut cursor = bin.clone();
        for v in 0..n {
            let d = degree[v] as usize;
            position[v] = cursor[d];
            order[cursor[d] as usize] = v as u32;
            cursor[d] += 1;
        }
    }
    for i in 0..n {
        let v = order[i];
        for nb in graph.neighbors(v) {
            let u = nb.node as usize;
            if degree[u] > degree[v as usize] {
                // Move u to the front of its bin, then shrink its degree by one.
                let du = degree[u] as usize;
                let first = bin[du] as usize;
                let w = order[first];
                if w as usize != u {
                    order.swap(first, position[u] as usize);
                    position[w as usize] = position[u];
                    position[u] = first as u32;
                }
                bin[du] += 1;
                degree[u] -= 1;
            }
        }
    }
    degree
}

/// The nodes of the k-core of `graph` (see [`core_numbers`]), in increasing order.
///
/// # Complexity
/// O(n + m) time, O(n) memory.
pub fn k_core(graph: &Csr, k: u32) -> Vec<u32> {
    core_numbers(graph)
        .iter()
        .enumerate()
        .filter(|&(_, &c)| c >= k)
        .map(|(v, _)| v as u32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_are_numbered_by_smallest_node() {
        let g = Csr::from_edges(6, &[(4, 5, 1.0), (1, 3, 0.0), (0, 0, 1.0)]).unwrap();
        let p = connected_components(&g);
        assert_eq!(p.membership(), &[0, 1, 2, 1, 3, 3]);
    }

    #[test]
    fn disconnected_communities_are_split() {
        // Community 0 = {0, 1, 3} with 3 cut off from 0-1; community 1 = {2}.
        let g = Csr::from_edges(4, &[(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0)]).unwrap();
        let parts = Partition::from_labels(&split_disconnected(&g, &[0, 0, 1, 0]));
        assert_eq!(parts.membership(), &[0, 0, 1, 2]);
    }

    #[test]
    fn core_numbers_of_a_clique_with_a_tail() {
        // 4-clique 0..3, tail 3-4-5, and 2-6.
        let mut edges = vec![(3, 4, 1.0), (4, 5, 1.0), (2, 6, 1.0)];
        for i in 0..4 {
            for j in i + 1..4 {
                edges.push((i, j, 1.0));
            }
        }
        let g = Csr::from_edges(8, &edges).unwrap();
        assert_eq!(core_numbers(&g), vec![3, 3, 3, 3, 1, 1, 1, 0]);
        assert_eq!(k_core(&g, 2), vec![0, 1, 2, 3]);
        assert_eq!(k_core(&g, 1).len(), 7);
    }
}
