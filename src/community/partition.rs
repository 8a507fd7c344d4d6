/*!
A partition of the nodes into communities, its modularity, and the agreement of two
partitions (normalised mutual information, adjusted Rand index).
*/

use super::CommunityError;
use crate::graph::csr::{Csr, deterministic_sum};
use rayon::prelude::*;

/// An assignment of every node `0..n` to a community `0..k`.
///
/// Community ids are dense and canonical: community 0 holds node 0, and ids are numbered in
/// order of their smallest node, so two equal partitions have equal memberships.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Partition {
    membership: Vec<u32>,
    community_count: usize,
}

impl Partition {
    /// The partition given by arbitrary labels (`labels[v]` is the label of node `v`),
    /// renumbered canonically.
    pub fn from_labels(labels: &[u32]) -> Partition {
        let mut membership = labels.to_vec();
        let bound = labels.iter().copied().max().map_or(0, |m| m as usize + 1);
        let community_count = if bound <= 4 * labels.len() + 16 {
            super::aggregate::renumber(&mut membership)
        } else {
            let mut map = rustc_hash::FxHashMap::default();
            for label in membership.iter_mut() {
                let next = map.len() as u32;
                *label = *map.entry(*label).or_insert(next);
            }
            map.len()
        };
        Partition {
            membership,
            community_count,
        }
    }

    /// Every node in a community of its own.
    pub fn singletons(node_count: usize) -> Partition {
        Partition {
            membership: (0..node_count as u32).collect(),
            community_count: node_count,
        }
    }

    /// The community of each node, indexed by node.
    pub fn membership(&self) -> &[u32] {
        &self.membership
    }

    /// The community of `node`.
    ///
    /// # Panics
    /// If `node` is not below [`Partition::node_count`].
    pub fn community(&self, node: u32) -> u32 {
        self.membership[node as usize]
    }

    /// The number of nodes.
    pub fn node_count(&self) -> usize {
        self.membership.len()
    }

    /// The number of communities.
    pub fn community_count(&self) -> usize {
        self.community_count
    }

    /// The number of nodes of each community, indexed by community.
    pub fn sizes(&self) -> Vec<u32> {
        let mut sizes = vec![0u32; self.community_count];
        for &c in &self.membership {
            sizes[c as usize] += 1;
        }
        sizes
    }

    /// The nodes of each community, in increasing order, indexed by community.
    pub fn communities(&self) -> Vec<Vec<u32>> {
        let mut out = vec![Vec::new(); self.community_count];
        for (v, &c) in self.membership.iter().enumerate() {
            out[c as usize].push(v as u32);
        }
        out
    }

    /// Consumes the partition, returning the membership vector.
    pub fn into_membership(self) -> Vec<u32> {
        self.membership
    }
}

/// The modularity of `partition` on `graph` at resolution `γ` (Newman & Girvan 2004;
/// Reichardt & Bornholdt 2006 for `γ`):
///
/// ```text
/// Q = Σ_c [ L_c / m  −  γ · (K_c / 2m)² ]
/// ```
///
/// with `m` the total edge weight, `L_c` the weight of the edges inside `c` and `K_c` the sum
/// of the weighted degrees in `c` (a self-loop counts once in `L_c` and twice in `K_c`, as in
/// networkx and igraph). 0 for a graph without edges.
///
/// # Errors
/// [`CommunityError::NodeCountMismatch`] when the partition does not cover the graph's nodes.
///
/// # Complexity
/// O(n + m) time, parallel; O(k) memory for k communities.
pub fn modularity(
    graph: &Csr,
    partition: &Partition,
    resolution: f64,
) -> Result<f64, CommunityError> {
    if graph.node_count() != partition.node_count() {
        return Err(CommunityError::NodeCountMismatch {
            graph: graph.node_count(),
            partition: partition.node_count(),
        });
    }
    let m = graph.total_weight();
    if m <= 0.0 {
        return Ok(0.0);
    }
    let membership = partition.membership();
    // Twice the inside weight, per node: both ends of each inside edge, self-loops twice.
    let inside: Vec<f64> = (0..graph.node_count() as u32)
        .into_par_iter()
        .with_min_len(1024)
        .map(|v| {
            let c = membership[v as usize];
            let w: f64 = graph
                .neighbors(v)
                .iter()
                .filter(|nb| membership[nb.node as usize] == c)
                .map(|nb| f64::from(nb.weight))
                .sum();
            w + 2.0 * graph.self_loop(v)
        })
        .collect();
    let mut totals = vec![0.0f64; partition.community_count()];
    for (v, &c) in membership.iter().enumerate() {
        totals[c as usize] += graph.degree(v as u32);
    }
    let expected: f64 = totals.iter().map(|k| (k / (2.0 * m)).powi(2)).sum();
    Ok(deterministic_sum(&inside) / (2.0 * m) - resolution * expected)
}

/// The contingency table of two labelings as sorted `(a, b, count)` triples.
fn contingency(a: &Partition, b: &Partition) -> Result<Vec<(u32, u32, u64)>, CommunityError> {
    if a.node_count() != b.node_count() {
        return Err(CommunityError::PartitionLengthMismatch {
            left: a.node_count(),
            right: b.node_count(),
        });
    }
    let mut pairs: Vec<u64> = a
        .membership()
        .iter()
        .zip(b.membership())
        .map(|(&x, &y)| (u64::from(x) << 32) | u64::from(y))
        .collect();
    pairs.par_sort_unstable();
    let mut table = Vec::new();
    for run in pairs.chunk_by(|x, y| x == y) {
        table.push(((run[0] >> 32) as u32, run[0] as u32, run.len() as u64));
    }
    Ok(table)
}

/// Shannon entropy (nats) of community sizes over `n` nodes.
fn entropy(sizes: &[u32], n: f64) -> f64 {
    sizes
        .iter()
        .filter(|&&s| s > 0)
        .map(|&s| {
            let p = f64::from(s) / n;
            -p * p.ln()
        })
        .sum()
}

/// Normalised mutual information of two partitions of the same nodes, `2 I(A;B) / (H(A) +
/// H(B))` (Danon et al. 2005; igraph's `compare_communities(method="nmi")`, scikit-learn's
/// default). 1 for identical partitions (also when both are a single community).
///
/// # Errors
/// [`CommunityError::PartitionLengthMismatch`] when the partitions cover different node counts.
///
/// # Complexity
/// O(n log n) time, O(n) memory.
pub fn nmi(a: &Partition, b: &Partition) -> Result<f64, CommunityError> {
    let table = contingency(a, b)?;
    let n = a.node_count() as f64;
    if a.node_count() == 0 {
        return Ok(1.0);
    }
    let (size_a, size_b) = (a.sizes(), b.sizes());
    let (h_a, h_b) = (entropy(&size_a, n), entropy(&size_b, n));
    if h_a + h_b == 0.0 {
        return Ok(1.0);
    }
    let mutual: f64 = table
        .iter()
        .map(|&(x, y, count)| {
            let joint = count as f64;
            let outer = f64::from(size_a[x as usize]) * f64::from(size_b[y as usize]);
            joint / n * (joint * n / outer).ln()
        })
        .sum();
    Ok((2.0 * mutual / (h_a + h_b)).clamp(0.0, 1.0))
}

/// Adjusted Rand index of two partitions of the same nodes (Hubert & Arabie 1985): the share
/// of node pairs on which they agree, corrected for chance; 1 for identical partitions, about
/// 0 for independent ones.
///
/// # Errors
/// [`CommunityError::PartitionLengthMismatch`] when the partitions cover different node counts.
///
/// # Complexity
/// O(n log n) time, O(n) memory.
pub fn ari(a: &Partition, b: &Partition) -> Result<f64, CommunityError> {
    let table = contingency(a, b)?;
    let pairs = |x: f64| x * (x - 1.0) / 2.0;
    let index: f64 = table.iter().map(|&(_, _, c)| pairs(c as f64)).sum();
    let sum_a: f64 = a.sizes().iter().map(|&s| pairs(f64::from(s))).sum();
    let sum_b: f64 = b.sizes().iter().map(|&s| pairs(f64::from(s))).sum();
    let total = pairs(a.node_count() as f64);
    if total == 0.0 {
        return Ok(1.0);
    }
    let expected = sum_a * sum_b / total;
    let max = (sum_a + sum_b) / 2.0;
    if max == expected {
        return Ok(1.0);
    }
    Ok((index - expected) / (max - expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_renumbered_by_smallest_node() {
        let p = Partition::from_labels(&[5, 5, 2, 9, 2]);
        assert_eq!(p.membership(), &[0, 0, 1, 2, 1]);
        assert_eq!(p.community_count(), 3);
        assert_eq!(p.sizes(), vec![2, 2, 1]);
        assert_eq!(p.communities(), vec![vec![0, 1], vec![2, 4], vec![3]]);
        let sparse = Partition::from_labels(&[u32::MAX, 7, u32::MAX]);
        assert_eq!(sparse.membership(), &[0, 1, 0]);
    }

    #[test]
    fn modularity_matches_a_hand_computation() {
        // Two triangles joined by edge 2-3: m = 7, each side has L = 3 and K = 7.
        let g = Csr::from_edges(
            6,
            &[
                (0, 1, 1.0),
                (1, 2, 1.0),
                (0, 2, 1.0),
                (3, 4, 1.0),
                (4, 5, 1.0),
                (3, 5, 1.0),
                (2, 3, 1.0),
            ],
        )
        .unwrap();
        let p = Partition::from_labels(&[0, 0, 0, 1, 1, 1]);
        let q = modularity(&g, &p, 1.0).unwrap();
        assert!((q - (6.0 / 7.0 - 2.0 * 0.25)).abs() < 1e-12, "{q}");
        let one = Partition::from_labels(&[0; 6]);
        assert!(modularity(&g, &one, 1.0).unwrap().abs() < 1e-12);
        let q_half = modularity(&g, &p, 0.5).unwrap();
        assert!((q_half - (6.0 / 7.0 - 0.25)).abs() < 1e-12);
    }

    #[test]
    fn modularity_counts_a_self_loop_like_networkx() {
        // networkx: modularity(G, [{0}, {1}]) for edges 0-0 (w 2) and 0-1 (w 1) is
        // 2/3 - ((5/6)^2 + (1/6)^2) = -0.0555...
        let g = Csr::from_edges(2, &[(0, 0, 2.0), (0, 1, 1.0)]).unwrap();
        let q = modularity(&g, &Partition::singletons(2), 1.0).unwrap();
        assert!((q - (2.0 / 3.0 - (25.0 + 1.0) / 36.0)).abs() < 1e-12, "{q}");
    }

    #[test]
    fn nmi_and_ari_known_values() {
        let a = Partition::from_labels(&[0, 0, 0, 1, 1, 1]);
        let b = Partition::from_labels(&[1, 1, 1, 0, 0, 0]);
        assert!((nmi(&a, &b).unwrap() - 1.0).abs() < 1e-12);
        assert!((ari(&a, &b).unwrap() - 1.0).abs() < 1e-12);
        // igraph: compare_communities([0,0,0,1,1,1], [0,0,1,1,2,2], method="ari") = 0.2424...
        // igraph: compare_communities(same, method="nmi") = 0.51580374...
        let c = Partition::from_labels(&[0, 0, 1, 1, 2, 2]);
        assert!((ari(&a, &c).unwrap() - 0.242_424_242_424).abs() < 1e-9);
        assert!((nmi(&a, &c).unwrap() - 0.515_803_743).abs() < 1e-8);
        let short = Partition::singletons(3);
        assert!(matches!(
            nmi(&a, &short),
            Err(CommunityError::PartitionLengthMismatch { .. })
        ));
    }
}
