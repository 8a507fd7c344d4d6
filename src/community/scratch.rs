//! Per-thread scratch space for the parallel loops: a dense accumulator reused across tasks.
//!
//! Summing edge weights per neighbouring community is the inner loop of every phase. A dense
//! array indexed by community, plus the list of slots touched, beats a hash map by a wide
//! margin; one such array per worker is kept in a small pool so that each parallel task
//! borrows one instead of allocating `O(n)` memory.

use crate::graph::csr::Csr;
use std::sync::Mutex;

/// Prefetching, so that a later read of a random node's community does not stall: the hot
/// loops read the communities of random nodes, whose lines are rarely cached.
pub(crate) use crate::model::prefetch_line as prefetch;

/// How far ahead of the node being visited the neighbour lists and the communities of the
/// neighbours are prefetched (in nodes): the offsets first, then the list, then the
/// communities, so that each load finds the line of the previous stage in cache.
pub(crate) const AHEAD_OFFSETS: usize = 12;
pub(crate) const AHEAD_LIST: usize = 6;
pub(crate) const AHEAD_COMMUNITY: usize = 3;
/// Neighbours prefetched per node: the arrays of the dense aggregate graphs, whose lists are
/// long, are small enough to stay in cache.
pub(crate) const PREFETCH_NEIGHBORS: usize = 32;

/// Graphs with fewer nodes than this skip prefetching: their arrays stay in cache.
pub(crate) const PREFETCH_NODES: usize = 1 << 16;

/// Prefetches what visiting `nodes[j + AHEAD_*]` will read: its offsets and `values` entry,
/// its neighbour list, and the `values` of its neighbours (their communities, say).
#[inline]
pub(crate) fn prefetch_neighborhoods<T>(graph: &Csr, values: &[T], nodes: &[u32], j: usize) {
    if graph.node_count() < PREFETCH_NODES {
        return;
    }
    if let Some(&u) = nodes.get(j + AHEAD_OFFSETS) {
        prefetch(&graph.offsets()[u as usize]);
        prefetch(&values[u as usize]);
    }
    if let Some(&u) = nodes.get(j + AHEAD_LIST) {
        // Eight neighbours to a cache line.
        let list = graph.neighbors(u);
        let mut k = 0;
        while k < list.len().min(PREFETCH_NEIGHBORS) {
            prefetch(&list[k]);
            k += 8;
        }
    }
    if let Some(&u) = nodes.get(j + AHEAD_COMMUNITY) {
        for nb in graph.neighbors(u).iter().take(PREFETCH_NEIGHBORS) {
            prefetch(&values[nb.node as usize]);
        }
    }
}

/// A dense accumulator over `0..len`: weights by slot and the slots that became non-zero;
/// plus a small hash table for sums over few keys, which stays in L1 cache where the dense
/// array would miss on every access.
#[derive(Debug, Default)]
pub(crate) struct Accumulator {
    /// The accumulated weight of each slot; all zero between uses.
    pub(crate) weights: Vec<f64>,
    /// The slots touched since the last [`Accumulator::clear`] (may repeat a slot when a
    /// weight is zero).
    pub(crate) touched: Vec<u32>,
    /// Keys of the small table ([`EMPTY`] where free).
    keys: Vec<u32>,
    /// Sums of the small table.
    sums: Vec<f64>,
    /// `(key, sum)` pairs gathered by [`Accumulator::sum_by_key`], in order of first key.
    pub(crate) pairs: Vec<(u32, f64)>,
}

/// A free slot of the small table.
const EMPTY: u32 = u32::MAX;
/// Largest number of entries summed in the small table.
pub(crate) const SMALL: usize = 512;

impl Accumulator {
    /// An accumulator for slots `0..len`.
    pub(crate) fn new(len: usize) -> Accumulator {
        Accumulator {
            weights: vec![0.0; len],
            touched: Vec::new(),
            keys: vec![EMPTY; 2 * SMALL],
            sums: vec![0.0; 2 * SMALL],
            pairs: Vec::new(),
        }
    }

    /// Sums `(key, weight)` items by key into [`Accumulator::pairs`], in order of first key:
    /// in the small table for at most [`SMALL`] items unless `dense` asks for the dense array
    /// (right when the array is small enough to stay in cache), else in the dense array.
    #[inline]
    pub(crate) fn sum_by_key(
        &mut self,
        items: impl ExactSizeIterator<Item = (u32, f64)>,
        dense: bool,
    ) {
        self.pairs.clear();
        let len = items.len();
        if len <= SMALL && !dense {
            let capacity = (2 * len).next_power_of_two().max(8);
            let bits = capacity.trailing_zeros();
            let mask = capacity - 1;
            self.keys[..capacity].fill(EMPTY);
            // Slot of each pair, stored in place of the sum until the end.
            for (key, weight) in items {
                let mut slot = (key.wrapping_mul(0x9E37_79B1) >> (32 - bits)) as usize;
                loop {
                    let k = self.keys[slot];
                    if k == key {
                        self.sums[slot] += weight;
                        break;
                    }
                    if k == EMPTY {
                        self.keys[slot] = key;
                        self.sums[slot] = weight;
                        self.pairs.push((key, slot as f64));
                        break;
                    }
                    slot = (slot + 1) & mask;
                }
            }
            for pair in &mut self.pairs {
                pair.1 = self.sums[pair.1 as usize];
            }
        } else {
            for (key, weight) in items {
                self.add(key, weight);
            }
            // Weights are never negative: -1 marks a key already gathered (a key whose
            // weights are zero may be touched more than once).
            for &key in &self.touched {
                let w = &mut self.weights[key as usize];
                if *w >= 0.0 {
                    self.pairs.push((key, *w));
                    *w = -1.0;
                }
            }
            self.clear();
        }
    }

    /// Adds `weight` to `slot`.
    #[inline]
    pub(crate) fn add(&mut self, slot: u32, weight: f64) {
        let w = &mut self.weights[slot as usize];
        if *w == 0.0 {
            self.touched.push(slot);
        }
        *w += weight;
    }

    /// Resets every touched slot to zero.
    #[inline]
    pub(crate) fn clear(&mut self) {
        for &slot in &self.touched {
            self.weights[slot as usize] = 0.0;
        }
        self.touched.clear();
    }
}

/// A pool of accumulators of one length, shared by the tasks of a parallel loop.
#[derive(Debug)]
pub(crate) struct Pool {
    len: usize,
    free: Mutex<Vec<Accumulator>>,
}

impl Pool {
    /// A pool handing out accumulators over `0..len`.
    pub(crate) fn new(len: usize) -> Pool {
        Pool {
            len,
            free: Mutex::new(Vec::new()),
        }
    }

    /// Borrows an accumulator (allocating one if none is free); it returns on drop.
    pub(crate) fn take(&self) -> Lease<'_> {
        let acc = self.free.lock().ok().and_then(|mut free| free.pop());
        Lease {
            pool: self,
            acc: Some(acc.unwrap_or_else(|| Accumulator::new(self.len))),
        }
    }
}

/// An accumulator borrowed from a [`Pool`].
pub(crate) struct Lease<'a> {
    pool: &'a Pool,
    acc: Option<Accumulator>,
}

impl std::ops::Deref for Lease<'_> {
    type Target = Accumulator;
    fn deref(&self) -> &Accumulator {
        self.acc.as_ref().expect("present until drop")
    }
}

impl std::ops::DerefMut for Lease<'_> {
    fn deref_mut(&mut self) -> &mut Accumulator {
        self.acc.as_mut().expect("present until drop")
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let (Some(mut acc), Ok(mut free)) = (self.acc.take(), self.pool.free.lock()) {
            acc.clear();
            free.push(acc);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_table_and_dense_sums_agree_in_first_key_order() {
        // Repeated keys, a key with only zero weights (touched twice in the dense array).
        let items = [
            (5u32, 1.0),
            (2, 0.0),
            (5, 2.5),
            (9, 1.0),
            (2, 0.0),
            (0, 4.0),
            (9, 0.5),
        ];
        let mut acc = Accumulator::new(16);
        acc.sum_by_key(items.iter().copied(), false);
        let hashed = acc.pairs.clone();
        acc.sum_by_key(items.iter().copied(), true);
        assert_eq!(hashed, vec![(5, 3.5), (2, 0.0), (9, 1.5), (0, 4.0)]);
        assert_eq!(acc.pairs, hashed);
        // The dense array is left clean for the next use.
        assert!(acc.weights.iter().all(|&w| w == 0.0) && acc.touched.is_empty());
    }
}
