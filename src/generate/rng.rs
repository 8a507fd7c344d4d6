/*!
Seeded randomness for the generator: keyed streams and the few distributions it needs.

Every random choice is drawn from a stream keyed by the run's seed and by *what* is being drawn
(a slice of the timeline, an account, a post's text), never by the order in which threads happen
to run. That is what keeps the output byte-identical for any thread count.

Streams are SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
OOPSLA 2014): statistically sound for simulation, a few nanoseconds to create, which matters
because texts and profiles are re-derived from their keys every time a record is written; and,
being defined here, its output can never change under a dependency update.
*/

use rand::{Rng, RngCore};

/// A SplitMix64 stream; see the module docs.
#[derive(Debug, Clone)]
pub(crate) struct Stream(u64);

impl RngCore for Stream {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        for chunk in dst.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

/// Domains separate the streams of different purposes drawn from the same seed.
#[derive(Debug, Clone, Copy)]
#[repr(u64)]
pub(crate) enum Domain {
    World = 1,
    Account = 2,
    Slice = 3,
    Content = 4,
    Script = 5,
    Cascade = 6,
    Link = 7,
}

/// SplitMix64 finaliser: a strong 64-bit mixer.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A key made of the seed, a domain and two numbers naming the item.
pub(crate) fn key(seed: u64, domain: Domain, a: u64, b: u64) -> u64 {
    mix(mix(mix(seed ^ (domain as u64).wrapping_mul(0xA24B_AED4_963E_E407)) ^ a) ^ b)
}

/// The stream for one item.
pub(crate) fn stream(seed: u64, domain: Domain, a: u64, b: u64) -> Stream {
    Stream(key(seed, domain, a, b))
}

/// A standard normal deviate (Box–Muller).
pub(crate) fn normal(rng: &mut impl Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A log-normal deviate with the given median and log-scale spread.
pub(crate) fn lognormal(rng: &mut impl Rng, median: f64, sigma: f64) -> f64 {
    median * (sigma * normal(rng)).exp()
}

/// A Pareto deviate with minimum 1 and tail index `alpha`, capped at `cap`.
pub(crate) fn pareto(rng: &mut impl Rng, alpha: f64, cap: f64) -> f64 {
    let u: f64 = 1.0 - rng.random::<f64>();
    u.powf(-1.0 / alpha).min(cap)
}

/// Mean of [`pareto`] with the same parameters (`alpha > 1`).
pub(crate) fn pareto_mean(alpha: f64, cap: f64) -> f64 {
    alpha / (alpha - 1.0) - cap.powf(1.0 - alpha) / (alpha - 1.0)
}

/// An exponential deviate with the given mean.
pub(crate) fn exponential(rng: &mut impl Rng, mean: f64) -> f64 {
    -mean * (1.0 - rng.random::<f64>()).ln()
}

/// A Poisson deviate: exact (Knuth) for small means, a rounded normal for large ones.
pub(crate) fn poisson(rng: &mut impl Rng, mean: f64) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    if mean < 30.0 {
        let limit = (-mean).exp();
        let mut k = 0u32;
        let mut p = rng.random::<f64>();
        while p > limit {
            k += 1;
            p *= rng.random::<f64>();
        }
        return k;
    }
    (mean + mean.sqrt() * normal(rng)).round().max(0.0) as u32
}

/// Picks one element of a non-empty slice.
pub(crate) fn pick<T: Copy>(rng: &mut impl Rng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

/// Walker's alias table: O(1) draws from a fixed discrete distribution.
#[derive(Debug, Clone, Default)]
pub(crate) struct Alias {
    prob: Vec<f64>,
    alias: Vec<u32>,
    items: Vec<u32>,
}

impl Alias {
    /// A table drawing `items[i]` with probability proportional to `weights[i]`; items with
    /// weight zero are never drawn.
    pub(crate) fn new(items: Vec<u32>, weights: &[f64]) -> Self {
        let n = items.len();
        let total: f64 = weights.iter().sum();
        if n == 0 || total <= 0.0 {
            return Alias::default();
        }
        let mut prob: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let mut alias = vec![0u32; n];
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| prob[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            alias[s] = l as u32;
            prob[l] -= 1.0 - prob[s];
            if prob[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        for i in small.into_iter().chain(large) {
            prob[i] = 1.0;
        }
        Alias { prob, alias, items }
    }

    /// Whether the table can draw nothing.
    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// One draw.
    pub(crate) fn sample(&self, rng: &mut impl Rng) -> u32 {
        let i = rng.random_range(0..self.items.len());
        let j = if rng.random::<f64>() < self.prob[i] {
            i
        } else {
            self.alias[i] as usize
        };
        self.items[j]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_draws_follow_the_weights() {
        let table = Alias::new(vec![10, 20, 30], &[1.0, 0.0, 3.0]);
        let mut rng = stream(1, Domain::World, 0, 0);
        let mut counts = [0u32; 3];
        for _ in 0..40_000 {
            match table.sample(&mut rng) {
                10 => counts[0] += 1,
                20 => counts[1] += 1,
                30 => counts[2] += 1,
                other => panic!("drew {other}"),
            }
        }
        assert_eq!(counts[1], 0);
        let share = f64::from(counts[2]) / 40_000.0;
        assert!((share - 0.75).abs() < 0.02, "share {share}");
    }

    #[test]
    fn streams_are_keyed_not_ordered() {
        let a: u64 = stream(7, Domain::Slice, 3, 0).random();
        let b: u64 = stream(7, Domain::Slice, 3, 0).random();
        let c: u64 = stream(7, Domain::Slice, 4, 0).random();
        let d: u64 = stream(8, Domain::Slice, 3, 0).random();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    #[test]
    fn poisson_and_pareto_have_their_means() {
        let mut rng = stream(3, Domain::World, 0, 0);
        for mean in [0.5, 4.0, 80.0] {
            let n = 20_000;
            let sum: u64 = (0..n).map(|_| u64::from(poisson(&mut rng, mean))).sum();
            let got = sum as f64 / f64::from(n);
            assert!(
                (got - mean).abs() < mean * 0.05 + 0.05,
                "mean {mean} got {got}"
            );
        }
        let n = 200_000;
        let sum: f64 = (0..n).map(|_| pareto(&mut rng, 2.5, 50.0)).sum();
        let got = sum / f64::from(n);
        assert!(
            (got - pareto_mean(2.5, 50.0)).abs() < 0.03,
            "pareto mean {got}"
        );
    }
}
