//! The small seeded random generator behind every random choice of community detection.
//!
//! SplitMix64 (Steele, Lea & Flood 2014) is enough for node orders and the randomised
//! refinement of Leiden, costs nothing to seed, and lets each parallel task derive its own
//! stream from `(seed, stage, index)` so that results never depend on which thread ran what.

/// SplitMix64: a 64-bit state advanced by a Weyl sequence and mixed by a finaliser.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator for one task, derived from the run seed and two task coordinates.
    pub(crate) fn derive(seed: u64, stage: u64, index: u64) -> SplitMix64 {
        let mut g = SplitMix64(seed);
        let a = g.next_u64() ^ stage.wrapping_mul(0xD1B5_4A32_D192_ED03);
        let mut g = SplitMix64(a);
        let b = g.next_u64() ^ index.wrapping_mul(0x8CB9_2BA7_2F3D_8DD7);
        SplitMix64(b)
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..bound` (`bound > 0`), by Lemire's multiply-shift.
    pub(crate) fn below(&mut self, bound: usize) -> usize {
        ((u128::from(self.next_u64()) * bound as u128) >> 64) as usize
    }

    /// A uniform float in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Shuffles `items` in place (Fisher–Yates).
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let take = |mut g: SplitMix64| (0..4).map(|_| g.next_u64()).collect::<Vec<_>>();
        assert_eq!(
            take(SplitMix64::derive(1, 2, 3)),
            take(SplitMix64::derive(1, 2, 3))
        );
        assert_ne!(
            take(SplitMix64::derive(1, 2, 3)),
            take(SplitMix64::derive(1, 2, 4))
        );
        assert_ne!(
            take(SplitMix64::derive(1, 2, 3)),
            take(SplitMix64::derive(1, 3, 3))
        );
    }

    #[test]
    fn shuffle_is_a_permutation_and_below_stays_in_range() {
        let mut g = SplitMix64::derive(9, 0, 0);
        let mut v: Vec<u32> = (0..1000).collect();
        g.shuffle(&mut v);
        assert_ne!(v, (0..1000).collect::<Vec<_>>());
        v.sort_unstable();
        assert_eq!(v, (0..1000).collect::<Vec<_>>());
        assert!((0..10_000).all(|_| g.below(7) < 7 && (0.0..1.0).contains(&g.unit())));
    }
}
