/*!
When a cluster's members post: burstiness, the busiest hour, the hour-of-day profile and a
timeline on bins shared with the whole collection, so that a cluster's activity can be drawn
against everyone's.
*/

use rayon::prelude::*;

use crate::model::{Collection, NONE};

const HOUR_MS: i64 = 3_600_000;

/// Bins of a timeline: `count` bins of `bin_ms` from `start_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bins {
    pub start_ms: i64,
    pub bin_ms: i64,
    pub count: usize,
}

impl Bins {
    /// The narrowest of 1 h, 6 h, 1 d, 7 d and 30 d that covers `[first, last]` in at most
    /// `max_bins` bins, starting at a whole bin (UTC).
    pub(crate) fn covering(first_ms: i64, last_ms: i64, max_bins: usize) -> Bins {
        let span = (last_ms - first_ms).max(0);
        let bin_ms = [1, 6, 24, 24 * 7, 24 * 30]
            .iter()
            .map(|h| h * HOUR_MS)
            .find(|b| (span / b + 2) as usize <= max_bins)
            .unwrap_or(24 * 30 * HOUR_MS);
        let start_ms = first_ms.div_euclid(bin_ms) * bin_ms;
        let count = ((last_ms - start_ms).div_euclid(bin_ms) + 1).max(1) as usize;
        Bins {
            start_ms,
            bin_ms,
            count,
        }
    }

    fn index(&self, t: i64) -> Option<usize> {
        let i = (t - self.start_ms).div_euclid(self.bin_ms);
        (i >= 0 && (i as usize) < self.count).then_some(i as usize)
    }

    /// Counts of `times` per bin.
    pub(crate) fn count_times(&self, times: impl Iterator<Item = i64>) -> Vec<u64> {
        let mut counts = vec![0u64; self.count];
        for t in times {
            if let Some(i) = self.index(t) {
                counts[i] += 1;
            }
        }
        counts
    }
}

/// One cluster's activity.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Activity {
    pub records: u64,
    pub burstiness: Option<f64>,
    pub busiest_hour_ms: Option<i64>,
    pub busiest_hour_share: f64,
    pub hour_entropy: f64,
    pub hour_of_day: Vec<u64>,
    pub timeline: Vec<u64>,
}

/// The activity of every cluster, from its members' records.
///
/// `cluster_of` maps account indices to cluster positions (or [`NONE`]).
///
/// # Complexity
/// `O(R + r log r)` for `R` records, `r` of them by members.
pub(crate) fn cluster_activity(
    c: &Collection,
    cluster_of: &[u32],
    clusters: usize,
    bins: &Bins,
) -> Vec<Activity> {
    let mut times: Vec<(u32, i64)> = c
        .records()
        .filter_map(|p| {
            let author = c.posts.author[p as usize];
            let k = *cluster_of.get(author as usize)?;
            (k != NONE).then_some((k, c.posts.time_ms[p as usize]))
        })
        .collect();
    times.par_sort_unstable();
    let mut starts = vec![0usize; clusters + 1];
    for &(k, _) in &times {
        starts[k as usize + 1] += 1;
    }
    for i in 0..clusters {
        starts[i + 1] += starts[i];
    }
    (0..clusters)
        .into_par_iter()
        .map(|k| {
            let t: Vec<i64> = times[starts[k]..starts[k + 1]]
                .iter()
                .map(|x| x.1)
                .collect();
            activity(&t, bins)
        })
        .collect()
}

/// The activity of sorted record times.
pub(crate) fn activity(sorted: &[i64], bins: &Bins) -> Activity {
    let n = sorted.len();
    let mut hour_of_day = vec![0u64; 24];
    for &t in sorted {
        hour_of_day[t.div_euclid(HOUR_MS).rem_euclid(24) as usize] += 1;
    }
    // Busiest hour: a sweep over the sorted hour numbers; ties go to the earliest.
    let (mut best_hour, mut best) = (None, 0usize);
    let mut i = 0;
    while i < n {
        let h = sorted[i].div_euclid(HOUR_MS);
        let mut j = i;
        while j < n && sorted[j].div_euclid(HOUR_MS) == h {
            j += 1;
        }
        if j - i > best {
            (best_hour, best) = (Some(h * HOUR_MS), j - i);
        }
        i = j;
    }
    let entropy = if n == 0 {
        0.0
    } else {
        -hour_of_day
            .iter()
            .filter(|&&k| k > 0)
            .map(|&k| {
                let p = k as f64 / n as f64;
                p * p.ln()
            })
            .sum::<f64>()
            / 24f64.ln()
    };
    Activity {
        records: n as u64,
        burstiness: burstiness(sorted),
        busiest_hour_ms: best_hour,
        busiest_hour_share: if n == 0 { 0.0 } else { best as f64 / n as f64 },
        hour_entropy: entropy,
        hour_of_day,
        timeline: bins.count_times(sorted.iter().copied()),
    }
}

/// Goh & Barabási's burstiness `(σ − μ) / (σ + μ)` of the gaps between consecutive times
/// (Europhys. Lett. 81, 2008); `None` with fewer than three times or no spread.
pub(crate) fn burstiness(sorted: &[i64]) -> Option<f64> {
    if sorted.len() < 3 {
        return None;
    }
    let gaps: Vec<f64> = sorted.windows(2).map(|w| (w[1] - w[0]) as f64).collect();
    let n = gaps.len() as f64;
    let mean = gaps.iter().sum::<f64>() / n;
    let sd = (gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / n).sqrt();
    (sd + mean > 0.0).then(|| (sd - mean) / (sd + mean))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periodic_times_have_burstiness_minus_one() {
        let t: Vec<i64> = (0..10).map(|i| i * 1000).collect();
        assert_eq!(burstiness(&t), Some(-1.0));
        assert_eq!(burstiness(&t[..2]), None);
    }

    #[test]
    fn busiest_hour_and_entropy() {
        let bins = Bins::covering(0, 3 * HOUR_MS, 400);
        assert_eq!(bins.bin_ms, HOUR_MS);
        assert_eq!(bins.count, 4);
        let t = [10, 20, 30, HOUR_MS + 5];
        let a = activity(&t, &bins);
        assert_eq!(a.busiest_hour_ms, Some(0));
        assert_eq!(a.busiest_hour_share, 0.75);
        assert_eq!(a.timeline, vec![3, 1, 0, 0]);
        assert_eq!(a.hour_of_day[0], 3);
        assert_eq!(a.hour_of_day[1], 1);
        let all_one_hour = activity(&[1, 2, 3], &bins);
        assert_eq!(all_one_hour.hour_entropy, 0.0);
    }

    #[test]
    fn wide_spans_take_wider_bins() {
        let day = 24 * HOUR_MS;
        // 100 days in 6 h bins would be 402 bins: one day each.
        let bins = Bins::covering(0, 100 * day, 400);
        assert_eq!(bins.bin_ms, day);
        let bins = Bins::covering(0, 90 * day, 400);
        assert_eq!(bins.bin_ms, 6 * HOUR_MS);
        let bins = Bins::covering(5 * HOUR_MS, 1000 * day, 400);
        assert_eq!(bins.bin_ms, 7 * day);
        assert_eq!(bins.start_ms, 0);
    }
}
