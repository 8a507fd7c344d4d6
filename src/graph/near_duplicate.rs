/*!
Near-duplicate text: pairs of posts whose word-token sets have Jaccard similarity ≥ a
threshold and which fall within the window, found with MinHash and LSH banding (Broder 1997;
Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*, ch. 3,
<http://www.mmds.org/>), never by comparing all pairs.

# Method
1. Tokens: the words of the normalised text ([`crate::model::normalize_text`]); a post is its
   *set* of tokens, each hashed to 64 bits.
2. Signature: `B × R = 96` min-hashes per post, `h_k(x) = (a_k·x + c_k) >> 32` with random odd
   `a_k` (fixed seed, so every run is the same).
3. Banding: the signature is cut into `B` bands of `R` rows; two posts are candidates when they
   agree on a whole band. The chance that a pair of similarity `s` becomes a candidate is
   `1 − (1 − s^R)^B`. With a threshold ≥ 0.7, `R = 4, B = 24`: a pair at s = 0.8 is missed
   with probability 3 × 10⁻⁶, at s = 0.9 with 4 × 10⁻¹¹. Lower thresholds take `R = 3, B = 32`
   (≥ 0.5: miss at s = 0.5 is 1.4 × 10⁻²) or `R = 2, B = 48`.
4. Each band is one run of the windowed engine, with the band's value as the object: only
   candidates within the window are ever looked at. A pair already candidate in an earlier
   band is skipped, so each pair is verified once. Posts whose value in a band no other post
   shares are found by one pass over two bit tables and left out of that band's sort; bands
   run in parallel and are joined in band order.
5. Verification: the exact Jaccard of the two token sets (as 64-bit hashes) against the
   threshold. Verified pairs of different accounts are co-actions.
6. Objects: the connected components of the verified pairs (union-find) are the
   near-duplicate clusters; an edge's weight counts the distinct clusters the two accounts
   co-act on, as co-text counts distinct texts.

# Complexity
O(T·B·R) for the signatures of T tokens in all, `B` passes over the eligible posts and sorts of
those sharing a band value, and, per band, the in-window pairs of posts sharing that band (each
capped by `max_pairs_per_object`).
*/

use std::hash::BuildHasher;

use rayon::prelude::*;
use rustc_hash::FxBuildHasher;

use super::actions::Action;
use super::co_action::{CapWarning, PairRecord, Paired, SplitPairs, cap_warnings, text_excerpt};
use super::sweep::{Grouped, sweep, window_counts};
use super::{CoActionKind, CoActionOptions, Weighting};
use crate::model::{Collection, for_each_normalized_word};

/// Min-hashes per post.
const HASHES: usize = 96;

/// Rows per band for a threshold.
fn rows_per_band(threshold: f64) -> usize {
    if threshold >= 0.7 {
        4
    } else if threshold >= 0.5 {
        3
    } else {
        2
    }
}

/// SplitMix64: a fast, well-mixing step for seeds and hashes.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Token sets of the eligible posts, one arena.
struct TokenSets {
    start: Vec<usize>,
    hashes: Vec<u64>,
}

impl TokenSets {
    fn get(&self, e: usize) -> &[u64] {
        &self.hashes[self.start[e]..self.start[e + 1]]
    }
}

const CHUNK: usize = 4096;

fn token_sets(c: &Collection, posts: &[Action]) -> TokenSets {
    let parts: Vec<(Vec<usize>, Vec<u64>)> = posts
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut lens = Vec::with_capacity(chunk.len());
            let mut hashes = Vec::new();
            let mut scratch = String::new();
            for a in chunk {
                let from = hashes.len();
                for_each_normalized_word(c.posts.text(a.post), &mut scratch, |w| {
                    hashes.push(mix(FxBuildHasher.hash_one(w)));
                });
                hashes[from..].sort_unstable();
                let mut kept = from;
                for k in from..hashes.len() {
                    if k == from || hashes[k] != hashes[kept - 1] {
                        hashes[kept] = hashes[k];
                        kept += 1;
                    }
                }
                hashes.truncate(kept);
                lens.push(kept - from);
            }
            (lens, hashes)
        })
        .collect();
    let mut start = Vec::with_capacity(posts.len() + 1);
    start.push(0);
    let mut hashes = Vec::with_capacity(parts.iter().map(|p| p.1.len()).sum());
    for (lens, h) in parts {
        for len in lens {
            start.push(start.last().copied().unwrap_or(0) + len);
        }
        hashes.extend(h);
    }
    TokenSets { start, hashes }
}

/// The coefficients `(a, c)` of the [`HASHES`] hash functions `x ↦ ((a·x + c) mod 2^64) >> 32`
/// of a MinHash signature, kept apart so that a signature's hashes of one token are computed
/// side by side in vector registers.
struct HashFamily {
    a: [u64; HASHES],
    c: [u64; HASHES],
}

impl HashFamily {
    fn new() -> Self {
        let mut seed = 0x5EED_C0DE_u64;
        let (mut a, mut c) = ([0u64; HASHES], [0u64; HASHES]);
        for (a, c) in a.iter_mut().zip(c.iter_mut()) {
            seed = mix(seed);
            *a = seed | 1;
            seed = mix(seed);
            *c = seed;
        }
        HashFamily { a, c }
    }

    /// The signature of `tokens`: per hash function, the least hash of a token (`u32::MAX`
    /// for no token). The same arithmetic runs in code built for the widest vectors the CPU
    /// has: AVX-512DQ multiplies eight 64-bit lanes in one instruction; AVX2 takes three
    /// instructions for four lanes, and SSE2 (the x86-64 baseline) for two.
    fn signature(&self, tokens: &[u64]) -> [u32; HASHES] {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512dq")
                && std::arch::is_x86_feature_detected!("avx512vl")
            {
                // SAFETY: the CPU has the features `signature_avx512` is compiled for.
                return unsafe { self.signature_avx512(tokens) };
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has the feature `signature_avx2` is compiled for.
                return unsafe { self.signature_avx2(tokens) };
            }
        }
        self.signature_portable(tokens)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512dq,avx512vl")]
    fn signature_avx512(&self, tokens: &[u64]) -> [u32; HASHES] {
        self.signature_portable(tokens)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn signature_avx2(&self, tokens: &[u64]) -> [u32; HASHES] {
        self.signature_portable(tokens)
    }

    #[inline(always)]
    fn signature_portable(&self, tokens: &[u64]) -> [u32; HASHES] {
        let mut signature = [u32::MAX; HASHES];
        for &x in tokens {
            for ((s, &a), &c) in signature.iter_mut().zip(&self.a).zip(&self.c) {
                let h = (a.wrapping_mul(x).wrapping_add(c) >> 32) as u32;
                *s = (*s).min(h);
            }
        }
        signature
    }
}

/// Band keys of every post: `keys[e * bands + b]`.
fn band_keys(tokens: &TokenSets, posts: usize, rows: usize) -> Vec<u64> {
    let bands = HASHES / rows;
    let family = HashFamily::new();
    let mut keys = vec![0u64; posts * bands];
    keys.par_chunks_mut(bands).enumerate().for_each(|(e, out)| {
        let signature = family.signature(tokens.get(e));
        for (b, key) in out.iter_mut().enumerate() {
            let mut h = mix(b as u64 + 1);
            for &v in &signature[b * rows..(b + 1) * rows] {
                h = mix(h ^ u64::from(v));
            }
            *key = h;
        }
    });
    keys
}

/// The eligible posts (ascending) whose value in a band (`values[e]` for post `e`) another
/// post shares, and a few more: two bit tables over the low bits of the values (16 bits per
/// post) mark the slots met once and met again, and a post is kept when its slot was met
/// again. A post left out has a value of its own, so it has no candidate in this band; a post
/// kept by a collision of slots is grouped on its own by the exact value and pairs with
/// nobody. This spares the sort of every post in every band, where nearly all values are
/// unique.
fn posts_sharing_band_value(values: &[u64]) -> Vec<usize> {
    let posts = values.len();
    let slots = (posts * 16).next_power_of_two().max(64);
    let mask = slots - 1;
    let mut once = vec![0u64; slots / 64];
    let mut again = vec![0u64; slots / 64];
    let slot = |e: usize| (values[e] as usize) & mask;
    for e in 0..posts {
        let h = slot(e);
        let (word, bit) = (h / 64, 1u64 << (h % 64));
        if once[word] & bit != 0 {
            again[word] |= bit;
        } else {
            once[word] |= bit;
        }
    }
    (0..posts)
        .filter(|&e| {
            let h = slot(e);
            again[h / 64] & (1u64 << (h % 64)) != 0
        })
        .collect()
}

/// Exact Jaccard similarity of two sorted, deduplicated sets.
fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - common;
    if union == 0 {
        0.0
    } else {
        common as f64 / union as f64
    }
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let up = parent[parent[x as usize] as usize];
        parent[x as usize] = up;
        x = up;
    }
    x
}

/// A verified pair of eligible posts, before clustering.
#[derive(Clone, Copy)]
struct Verified {
    e: u32,
    f: u32,
    record: PairRecord,
}

/// Near-duplicate co-action pairs of the eligible posts `actions` (from
/// `extract_actions(NearDuplicateText)`).
pub(crate) fn near_duplicate_pairs(
    c: &Collection,
    mut actions: Vec<Action>,
    options: &CoActionOptions,
) -> Paired {
    actions.sort_unstable_by_key(|a| a.post);
    let tokens = token_sets(c, &actions);
    let rows = rows_per_band(options.similarity_threshold);
    let bands = HASHES / rows;
    let keys = band_keys(&tokens, actions.len(), rows);
    let threshold = options.similarity_threshold;
    let cap = options.max_pairs_per_object;
    // Bands are independent: each is swept on its own, and their results are joined in band
    // order, so the output does not depend on the thread count.
    let per_band: Vec<(Vec<Verified>, Vec<CapWarning>)> = (0..bands)
        .into_par_iter()
        .map(|band| {
            // The band's value is the object; `post` now names the eligible post. A post whose
            // value no other post shares can pair with nobody in this band. The band's values
            // are gathered into a column of their own, so that the passes over them read
            // memory in order.
            let values: Vec<u64> = keys.iter().skip(band).step_by(bands).copied().collect();
            let band_actions: Vec<Action> = posts_sharing_band_value(&values)
                .into_iter()
                .map(|e| Action {
                    object: values[e],
                    time_ms: actions[e].time_ms,
                    account: actions[e].account,
                    post: e as u32,
                })
                .collect();
            let grouped = Grouped::new(band_actions);
            let mut swept = sweep(&grouped, options.window_ms(), cap, |_, group, i, j, out| {
                let (x, y) = (&group[i], &group[j]);
                let (e, f) = (x.post as usize, y.post as usize);
                let seen_before = (0..band).any(|b| keys[e * bands + b] == keys[f * bands + b]);
                if !seen_before && jaccard(tokens.get(e), tokens.get(f)) >= threshold {
                    out.push(Verified {
                        e: x.post.min(y.post),
                        f: x.post.max(y.post),
                        record: PairRecord::new(x, y, 0),
                    });
                }
            });
            let warnings = cap_warnings(&swept.capped, cap, CoActionKind::NearDuplicateText, |g| {
                let first = grouped.group(g as usize)[0].post as usize;
                format!(
                    "candidates of band {band} like {}",
                    text_excerpt(c, actions[first].post)
                )
            });
            (swept.concat(), warnings)
        })
        .collect();
    let mut verified: Vec<Verified> = Vec::new();
    let mut warnings = Vec::new();
    for (v, w) in per_band {
        verified.extend(v);
        warnings.extend(w);
    }
    warnings.sort_by(|a, b| a.object.cmp(&b.object));

    // Clusters: components of the verified pairs, named by their smallest post.
    let mut parent: Vec<u32> = (0..actions.len() as u32).collect();
    verified.sort_unstable_by_key(|v| (v.e, v.f));
    for v in &verified {
        let (a, b) = (find(&mut parent, v.e), find(&mut parent, v.f));
        if a != b {
            parent[a.max(b) as usize] = a.min(b);
        }
    }
    let cluster: Vec<u32> = (0..actions.len() as u32)
        .map(|e| find(&mut parent, e))
        .collect();
    let mut records: Vec<PairRecord> = verified
        .iter()
        .map(|v| PairRecord {
            object: cluster[v.e as usize],
            ..v.record
        })
        .collect();
    records.shrink_to_fit();
    let mut clustered: Vec<u32> = verified.iter().map(|v| cluster[v.e as usize]).collect();
    clustered.sort_unstable();
    clustered.dedup();
    let account_objects = if options.weighting == Weighting::TfIdfCosine {
        actions
            .iter()
            .zip(&cluster)
            .map(|(a, &k)| (a.account, k))
            .collect()
    } else {
        Vec::new()
    };
    let shares = cluster_shares(&actions, &cluster, &clustered, options);
    Paired {
        pairs: records.len() as u64,
        records: SplitPairs::from_parts(vec![records], c.accounts.len()),
        account_objects,
        shares,
        warnings,
        objects: clustered.len() as u64,
    }
}

/// The share of each cluster in `clustered` (indexed by cluster name, 1 elsewhere), from its
/// peak crowd: the most of its posts within one window. Empty unless the weighting discounts
/// crowds.
fn cluster_shares(
    actions: &[Action],
    cluster: &[u32],
    clustered: &[u32],
    options: &CoActionOptions,
) -> Vec<f64> {
    if !matches!(options.weighting, Weighting::CrowdDiscounted { .. }) {
        return Vec::new();
    }
    let mut in_cluster = vec![false; actions.len()];
    for &k in clustered {
        in_cluster[k as usize] = true;
    }
    let members: Vec<Action> = actions
        .iter()
        .zip(cluster)
        .filter(|&(_, &k)| in_cluster[k as usize])
        .map(|(a, &k)| Action {
            object: u64::from(k),
            ..*a
        })
        .collect();
    let grouped = Grouped::new(members);
    let mut shares = vec![1.0; actions.len()];
    for g in 0..grouped.len() {
        let group = grouped.group(g);
        let (_, peak) = window_counts(group, options.window_ms());
        shares[group[0].object as usize] = options.weighting.object_share(peak);
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Signatures are the least hash per function, whichever code computes them.
    #[test]
    fn signatures_are_the_least_hashes() {
        let family = HashFamily::new();
        let mut next = crate::graph::xorshift(0x9E37_79B9_7F4A_7C15);
        for len in [0usize, 1, 2, 7, 40] {
            let tokens: Vec<u64> = (0..len).map(|_| next()).collect();
            let expected: Vec<u32> = (0..HASHES)
                .map(|i| {
                    tokens
                        .iter()
                        .map(|&x| {
                            (family.a[i].wrapping_mul(x).wrapping_add(family.c[i]) >> 32) as u32
                        })
                        .min()
                        .unwrap_or(u32::MAX)
                })
                .collect();
            assert_eq!(family.signature(&tokens).to_vec(), expected);
            assert_eq!(family.signature_portable(&tokens).to_vec(), expected);
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2.
                let avx2 = unsafe { family.signature_avx2(&tokens) };
                assert_eq!(avx2.to_vec(), expected);
            }
        }
    }

    #[test]
    fn band_values_met_once_are_left_out() {
        // Five posts, 128 slots: 5 is shared; 9 and 137 share slot 9 but not their value
        // (kept, harmless); 100 is alone.
        assert_eq!(posts_sharing_band_value(&[5, 9, 5, 137, 100]), [0, 1, 2, 3]);
        assert_eq!(posts_sharing_band_value(&[1, 2, 3]), Vec::<usize>::new());
        assert_eq!(posts_sharing_band_value(&[7, 7, 8]), [0, 1]);
    }

    #[test]
    fn jaccard_of_sets() {
        assert_eq!(jaccard(&[1, 2, 3, 4, 5], &[1, 2, 3, 4, 5, 6]), 5.0 / 6.0);
        assert_eq!(jaccard(&[1, 2], &[3]), 0.0);
        assert_eq!(jaccard(&[], &[]), 0.0);
        // 4/5 is the double nearest 0.8, so a threshold of 0.8 keeps it.
        assert!(jaccard(&[1, 2, 3, 4], &[1, 2, 3, 4, 5]) >= 0.8);
    }

    #[test]
    fn lsh_recall_at_the_threshold_is_high() {
        let rows = rows_per_band(0.8) as i32;
        let bands = (HASHES / rows as usize) as i32;
        let miss = (1.0 - 0.8f64.powi(rows)).powi(bands);
        assert!(miss < 1e-5, "miss probability {miss}");
    }
}
