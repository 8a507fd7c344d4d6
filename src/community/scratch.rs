//! Per-thread scratch space for the parallel loops: a dense accumulator reused across tasks.
//!
//! Summing edge weights per neighbouring community is the inner loop of every phase. A dense
//! array indexed by community, plus the list of slots touched, beats a hash map by a wide
//! margin; one such array per worker is kept in a small pool so that each parallel task
//! borrows one instead of allocating `O(n)` memory.

use std::sync::Mutex;

/// A dense accumulator over `0..len`: weights by slot and the slots that became non-zero.
#[derive(Debug, Default)]
pub(crate) struct Accumulator {
    /// The accumulated weight of each slot; all zero between uses.
    pub(crate) weights: Vec<f64>,
    /// The slots touched since the last [`Accumulator::clear`] (may repeat a slot when a
    /// weight is zero).
    pub(crate) touched: Vec<u32>,
}

impl Accumulator {
    /// An accumulator for slots `0..len`.
    pub(crate) fn new(len: usize) -> Accumulator {
        Accumulator { weights: vec![0.0; len], touched: Vec::new() }
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
        Pool { len, free: Mutex::new(Vec::new()) }
    }

    /// Borrows an accumulator (allocating one if none is free); it returns on drop.
    pub(crate) fn take(&self) -> Lease<'_> {
        let acc = self.free.lock().ok().and_then(|mut free| free.pop());
        Lease { pool: self, acc: Some(acc.unwrap_or_else(|| Accumulator::new(self.len))) }
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
