/*!
Bio terms over-represented in a group: the log-odds ratio with an informative Dirichlet prior
of Monroe, Colaresi & Quinn (2008), "Fightin' Words", <https://doi.org/10.1093/pan/mpn018>.

Bios are tokenised into lower-case terms; hashtags keep their `#` (`#maga` and `maga` are
different terms), URLs and English and French stop words are dropped. Each account counts a
term once however often its bio repeats it, so one account cannot make a term look common.
*/

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{AccountIx, Collection};

/// The default prior size `α_0` of [`bio_terms`]: the prior weighs as much as this many term
/// occurrences, spread like the terms of all accounts.
///
/// Bios are short (two to five terms after stop words) and clusters can be a few dozen
/// accounts, so a group may hold only tens of term occurrences. A prior of ten occurrences,
/// a few bios' worth, smooths terms seen once or twice without drowning a small group's own
/// counts; with a prior of hundreds every term of a small group would shrink to the background.
pub const DEFAULT_PRIOR_SIZE: f64 = 10.0;

/// A bio term and how over-represented it is in a group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermScore {
    /// The term (lower case; hashtags keep `#`).
    pub term: String,
    /// The z-score of the log-odds ratio, group against the other accounts.
    pub z: f64,
    /// The log-odds ratio `δ`.
    pub delta: f64,
    /// Group members whose bio has the term.
    pub count_in_group: u32,
    /// Accounts (group and others) whose bio has the term.
    pub count_overall: u32,
}

const STOP_WORDS: &[&str] = &[
    // English
    "a", "about", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but",
    "by", "can", "do", "for", "from", "get", "had", "has", "have", "he", "her", "his", "how", "i",
    "if", "im", "in", "into", "is", "it", "its", "just", "me", "more", "my", "no", "not", "of",
    "on", "one", "or", "our", "out", "she", "so", "than", "that", "the", "their", "them", "then",
    "there", "they", "this", "to", "too", "up", "us", "was", "we", "were", "what", "when", "who",
    "will", "with", "you", "your", // French
    "au", "aux", "avec", "ce", "ces", "cette", "dans", "de", "des", "du", "elle", "en", "et",
    "est", "il", "ils", "je", "la", "le", "les", "leur", "lui", "ma", "mais", "me", "mes", "moi",
    "mon", "ne", "nos", "notre", "nous", "ou", "où", "par", "pas", "pour", "qu", "que", "qui",
    "sa", "se", "ses", "son", "sont", "sur", "ta", "te", "tes", "toi", "ton", "tout", "tous",
    "très", "tu", "un", "une", "vos", "votre", "vous", "y", "à", "été", "être", "suis",
];

fn is_stop_word(t: &str) -> bool {
    STOP_WORDS.contains(&t)
}

/// The distinct terms of a bio, sorted: lower case, hashtags and `@handles` keep their sign,
/// URLs, stop words (English, French), numbers and one-character terms dropped. Apostrophes
/// split words (French elision: `l'europe` gives `europe`).
///
/// ```
/// use coordgraph::signals::tokenize_bio;
/// assert_eq!(
///     tokenize_bio("Proud American! #MAGA #maga https://x.co/a Trump/Pence 2016 l'Amérique"),
///     ["#maga", "american", "amérique", "pence", "proud", "trump"]
/// );
/// ```
pub fn tokenize_bio(bio: &str) -> Vec<String> {
    let mut terms = Vec::new();
    for token in bio.split_whitespace() {
        let lower = token.to_lowercase();
        if lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("www.")
            || lower.contains("://")
        {
            continue;
        }
        let mut piece = String::new();
        let mut flush = |piece: &mut String| {
            let body = piece.trim_start_matches(['#', '@']);
            let keep = body.chars().count() >= 2
                && !body.chars().all(|c| c.is_numeric() || c == '_')
                && !is_stop_word(piece);
            if keep {
                terms.push(std::mem::take(piece));
            }
            piece.clear();
        };
        for ch in lower.chars() {
            if ch.is_alphanumeric() || ch == '_' || ((ch == '#' || ch == '@') && piece.is_empty()) {
                piece.push(ch);
            } else {
                flush(&mut piece);
            }
        }
        flush(&mut piece);
    }
    terms.sort_unstable();
    terms.dedup();
    terms
}

/// The z-score of the log-odds ratio of one term between groups `i` and `j` under an
/// informative Dirichlet prior (Monroe et al. 2008).
///
/// With `y_i`, `y_j` the term's counts, `n_i`, `n_j` the groups' total counts, `α_w` the
/// term's prior count and `α_0` the prior's total:
///
/// ```text
/// δ = ln((y_i + α_w) / (n_i + α_0 − y_i − α_w)) − ln((y_j + α_w) / (n_j + α_0 − y_j − α_w))
/// σ² ≈ 1 / (y_i + α_w) + 1 / (y_j + α_w)
/// z = δ / σ
/// ```
///
/// Returns `(δ, z)`; `α_w` must be positive and below `α_0`.
pub fn log_odds_z(
    y_i: f64,
    n_i: f64,
    y_j: f64,
    n_j: f64,
    alpha_w: f64,
    alpha_0: f64,
) -> (f64, f64) {
    let delta = ((y_i + alpha_w) / (n_i + alpha_0 - y_i - alpha_w)).ln()
        - ((y_j + alpha_w) / (n_j + alpha_0 - y_j - alpha_w)).ln();
    let sigma = (1.0 / (y_i + alpha_w) + 1.0 / (y_j + alpha_w)).sqrt();
    (delta, delta / sigma)
}

/// Bio terms over-represented among `members` against the other accounts of `all_accounts`,
/// with the default prior size [`DEFAULT_PRIOR_SIZE`]; see [`bio_terms_with_prior`].
pub fn bio_terms(
    c: &Collection,
    members: &[AccountIx],
    all_accounts: &[AccountIx],
    top_k: usize,
) -> Vec<TermScore> {
    bio_terms_with_prior(c, members, all_accounts, top_k, DEFAULT_PRIOR_SIZE)
}

/// Bio terms over-represented among `members` against the other accounts of `all_accounts`.
///
/// # Arguments
/// - `c`: the collection (bios come from profiles).
/// - `members`: the group `i`.
/// - `all_accounts`: the reference population; its accounts not in `members` are group `j`.
/// - `top_k`: how many terms to return.
/// - `prior_size`: `α_0`; each term's prior count is `α_w = α_0 · y_w / n` where `y_w` counts
///   the term over group and others together and `n` is their total.
///
/// # Returns
/// Terms present in the group with `z > 0`, by decreasing z (ties by term), at most `top_k`.
/// Counts are accounts whose bio has the term.
///
/// # Complexity
/// `O(B log T)` for `B` bio terms in all accounts and `T` distinct terms.
pub fn bio_terms_with_prior(
    c: &Collection,
    members: &[AccountIx],
    all_accounts: &[AccountIx],
    top_k: usize,
    prior_size: f64,
) -> Vec<TermScore> {
    let mut in_group = vec![false; c.accounts.len()];
    for &a in members {
        if let Some(x) = in_group.get_mut(a as usize) {
            *x = true;
        }
    }
    let mut seen = vec![false; c.accounts.len()];
    // term -> (count in group, count in the others)
    let mut counts: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut visit = |a: AccountIx, group: bool| {
        if seen.get(a as usize).is_none_or(|&s| s) {
            return;
        }
        seen[a as usize] = true;
        if let Some(p) = c.accounts.profile(a) {
            for term in tokenize_bio(&p.bio) {
                let e = counts.entry(term).or_insert((0, 0));
                if group { e.0 += 1 } else { e.1 += 1 }
            }
        }
    };
    for &a in members {
        visit(a, true);
    }
    for &a in all_accounts {
        visit(a, in_group.get(a as usize).copied().unwrap_or(false));
    }
    let n_i: f64 = counts.values().map(|c| f64::from(c.0)).sum();
    let n_j: f64 = counts.values().map(|c| f64::from(c.1)).sum();
    let n = n_i + n_j;
    if n_i == 0.0 || prior_size.is_nan() || prior_size <= 0.0 {
        return Vec::new();
    }
    let mut scores: Vec<TermScore> = counts
        .into_iter()
        .filter(|(_, (yi, _))| *yi > 0)
        .filter_map(|(term, (yi, yj))| {
            let alpha_w = prior_size * f64::from(yi + yj) / n;
            let (delta, z) =
                log_odds_z(f64::from(yi), n_i, f64::from(yj), n_j, alpha_w, prior_size);
            (z > 0.0).then_some(TermScore {
                term,
                z,
                delta,
                count_in_group: yi,
                count_overall: yi + yj,
            })
        })
        .collect();
    scores.sort_by(|a, b| b.z.total_cmp(&a.z).then_with(|| a.term.cmp(&b.term)));
    scores.truncate(top_k);
    scores
}

/// The bio terms of a reference population, tokenised once, so that many groups can be
/// compared with it ([`BioBackground::terms`]) without tokenising every bio for each group.
#[derive(Debug, Clone, Default)]
pub struct BioBackground {
    /// Term strings, by term id (sorted, so ids follow string order).
    terms: Vec<String>,
    /// Accounts whose bio has each term.
    counts: Vec<u32>,
    /// Sum of `counts`.
    total: u64,
    /// Per account index: the range of its term ids in `term_ids` (empty when absent).
    ranges: Vec<(u32, u32)>,
    term_ids: Vec<u32>,
}

impl BioBackground {
    /// Tokenises the bios of `all_accounts` (repeats ignored).
    ///
    /// `O(B log T)` for `B` bio terms and `T` distinct terms.
    pub fn new(c: &Collection, all_accounts: &[AccountIx]) -> Self {
        let mut accounts: Vec<AccountIx> = all_accounts
            .iter()
            .copied()
            .filter(|&a| (a as usize) < c.accounts.len())
            .collect();
        accounts.sort_unstable();
        accounts.dedup();
        let per_account: Vec<(AccountIx, Vec<String>)> = accounts
            .iter()
            .filter_map(|&a| c.accounts.profile(a).map(|p| (a, tokenize_bio(&p.bio))))
            .collect();
        let mut terms: Vec<String> = per_account.iter().flat_map(|x| x.1.clone()).collect();
        terms.sort_unstable();
        terms.dedup();
        let mut counts = vec![0u32; terms.len()];
        let mut ranges = vec![(0u32, 0u32); c.accounts.len()];
        let mut term_ids = Vec::new();
        for (a, list) in per_account {
            let start = term_ids.len() as u32;
            for t in list {
                // Every term was collected above.
                let id = terms.binary_search(&t).unwrap_or(0);
                counts[id] += 1;
                term_ids.push(id as u32);
            }
            ranges[a as usize] = (start, term_ids.len() as u32);
        }
        let total = counts.iter().map(|&n| u64::from(n)).sum();
        BioBackground {
            terms,
            counts,
            total,
            ranges,
            term_ids,
        }
    }

    /// Bio terms over-represented among `members` against the rest of the population; the
    /// same result as [`bio_terms_with_prior`] with the population as `all_accounts`, for
    /// members drawn from the population.
    ///
    /// `O(m log m)` for `m` member terms.
    pub fn terms(&self, members: &[AccountIx], top_k: usize, prior_size: f64) -> Vec<TermScore> {
        let mut members = members.to_vec();
        members.sort_unstable();
        members.dedup();
        let mut group: BTreeMap<u32, u32> = BTreeMap::new();
        for &a in &members {
            let Some(&(s, e)) = self.ranges.get(a as usize) else {
                continue;
            };
            for &t in &self.term_ids[s as usize..e as usize] {
                *group.entry(t).or_insert(0) += 1;
            }
        }
        let n_i: f64 = group.values().map(|&y| f64::from(y)).sum();
        let n = self.total as f64;
        let n_j = n - n_i;
        if n_i == 0.0 || prior_size.is_nan() || prior_size <= 0.0 {
            return Vec::new();
        }
        let mut scores: Vec<TermScore> = group
            .into_iter()
            .filter_map(|(t, yi)| {
                let overall = self.counts[t as usize];
                let yj = overall - yi;
                let alpha_w = prior_size * f64::from(overall) / n;
                let (delta, z) =
                    log_odds_z(f64::from(yi), n_i, f64::from(yj), n_j, alpha_w, prior_size);
                (z > 0.0).then(|| TermScore {
                    term: self.terms[t as usize].clone(),
                    z,
                    delta,
                    count_in_group: yi,
                    count_overall: overall,
                })
            })
            .collect();
        scores.sort_by(|a, b| b.z.total_cmp(&a.z).then_with(|| a.term.cmp(&b.term)));
        scores.truncate(top_k);
        scores
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_drops_urls_stop_words_and_numbers() {
        assert_eq!(
            tokenize_bio("Je suis fier d'être français #France @Marine http://t.co/x www.a.fr 75"),
            ["#france", "@marine", "fier", "français"]
        );
        assert!(tokenize_bio("  ").is_empty());
        assert_eq!(tokenize_bio("#1 #ab"), ["#ab"]);
    }

    #[test]
    fn log_odds_matches_a_hand_computation() {
        // y_i = 3 of n_i = 10, y_j = 1 of n_j = 30, α_w = 0.4, α_0 = 4:
        // δ = ln(3.4 / 10.6) − ln(1.4 / 32.6) = ln(0.320755) − ln(0.042945) = 2.010761
        // σ = sqrt(1/3.4 + 1/1.4) = sqrt(0.294118 + 0.714286) = 1.004193
        // z = 2.002366
        let (delta, z) = log_odds_z(3.0, 10.0, 1.0, 30.0, 0.4, 4.0);
        assert!((delta - 2.010761).abs() < 1e-5, "{delta}");
        assert!((z - 2.002366).abs() < 1e-5, "{z}");
    }
}
