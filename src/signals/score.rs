/*!
The bot-likeness score: a weighted mean of normalised signals, with per-signal contributions.
The formula, the normalisations and the reasoning for the weights are in the docs of
[`crate::signals`].
*/

use serde::Serialize;

use super::account::AccountSignal;

/// Weights of the bot-likeness score; see the module docs of [`crate::signals`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ScoreWeights {
    /// Automation and scheduling clients (3.0).
    pub automation: f64,
    /// Default profile image (1.5).
    pub default_image: f64,
    /// Default profile theme (0.5).
    pub default_profile: f64,
    /// Auto-generated handle: a trailing run of five or more digits (1.0).
    pub digit_handle: f64,
    /// Many more friends than followers (1.0).
    pub follower_ratio: f64,
    /// Posting rate above one an hour (1.5).
    pub posts_per_day: f64,
    /// Account younger than a year at its first record (1.0).
    pub young_account: f64,
    /// Texts also posted by other accounts (1.0).
    pub duplicate_text: f64,
    /// Mostly retweets (0.5).
    pub retweet_share: f64,
    /// Hashtag stuffing: more than one hashtag per own post on average (1.0).
    pub hashtags: f64,
}

impl Default for ScoreWeights {
    fn default() -> Self {
        ScoreWeights {
            automation: 3.0,
            default_image: 1.5,
            default_profile: 0.5,
            digit_handle: 1.0,
            follower_ratio: 1.0,
            posts_per_day: 1.5,
            young_account: 1.0,
            duplicate_text: 1.0,
            retweet_share: 0.5,
            hashtags: 1.0,
        }
    }
}

/// A bot-likeness score and what each signal contributed to it.
///
/// Each contribution is `w_i · s_i / Σ_known w_j`; unknown signals contribute 0, and the
/// contributions add up to `score`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct BotScore {
    /// The score in `[0, 1]`.
    pub score: f64,
    /// Share of the total weight whose signals were known for the account.
    pub coverage: f64,
    /// From automation and scheduling clients.
    pub automation: f64,
    /// From the default image.
    pub default_image: f64,
    /// From the default theme.
    pub default_profile: f64,
    /// From a digit-heavy handle.
    pub digit_handle: f64,
    /// From the follower/friend ratio.
    pub follower_ratio: f64,
    /// From the posting rate.
    pub posts_per_day: f64,
    /// From the account's youth.
    pub young_account: f64,
    /// From duplicate texts.
    pub duplicate_text: f64,
    /// From the retweet share.
    pub retweet_share: f64,
    /// From hashtags per own post.
    pub hashtags: f64,
}

fn clamp01(x: f64) -> f64 {
    if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) }
}

/// The normalised signals `s_i ∈ [0, 1]` of an account, `None` where unknown, in the order of
/// [`ScoreWeights`]' fields.
pub(crate) fn normalised(s: &AccountSignal) -> [Option<f64>; 10] {
    let automation = s
        .automation_share
        .map(|a| clamp01(a + 0.5 * s.scheduling_share.unwrap_or(0.0)));
    let bool01 = |b: Option<bool>| b.map(|b| if b { 1.0 } else { 0.0 });
    let digit_handle = s
        .handle_trailing_digits
        .map(|r| clamp01((f64::from(r) - 4.0) / 4.0));
    let follower_ratio = match (s.followers, s.friends) {
        (Some(fo), Some(fr)) => Some(clamp01(
            -((fo as f64 + 1.0) / (fr as f64 + 1.0)).log10() - 0.5,
        )),
        _ => None,
    };
    let ppd = s.statuses_per_day.unwrap_or(s.records_per_day);
    let posts_per_day = Some(clamp01((ppd / 24.0).ln() / 6f64.ln()));
    let young_account = s
        .age_days_at_first_post
        .map(|age| clamp01((365.0 / age.max(1.0)).ln() / (365.0f64 / 30.0).ln()));
    [
        automation,
        bool01(s.default_image),
        bool01(s.default_profile),
        digit_handle,
        follower_ratio,
        posts_per_day,
        young_account,
        s.duplicate_text_share.map(clamp01),
        Some(clamp01(2.0 * s.retweet_share - 1.0)),
        s.hashtags_per_post.map(|h| clamp01((h - 1.0) / 2.0)),
    ]
}

/// The bot-likeness score of an account's signals under `weights`.
///
/// # Arguments
/// - `signal`: the account's signals (from [`super::compute_account_signals`]).
/// - `weights`: the weight of each normalised signal.
///
/// # Returns
/// The weighted mean of the known normalised signals and each one's contribution; all zeros
/// when no signal with a positive weight is known.
///
/// # Complexity
/// Constant.
pub fn bot_score(signal: &AccountSignal, weights: &ScoreWeights) -> BotScore {
    let w = [
        weights.automation,
        weights.default_image,
        weights.default_profile,
        weights.digit_handle,
        weights.follower_ratio,
        weights.posts_per_day,
        weights.young_account,
        weights.duplicate_text,
        weights.retweet_share,
        weights.hashtags,
    ]
    .map(|x| if x.is_finite() { x.max(0.0) } else { 0.0 });
    let s = normalised(signal);
    let total: f64 = w.iter().sum();
    let known: f64 = w
        .iter()
        .zip(&s)
        .filter(|(_, s)| s.is_some())
        .map(|(w, _)| w)
        .sum();
    if known <= 0.0 {
        return BotScore::default();
    }
    let c: Vec<f64> = w
        .iter()
        .zip(&s)
        .map(|(w, s)| s.map_or(0.0, |s| w * s / known))
        .collect();
    BotScore {
        score: clamp01(c.iter().sum()),
        coverage: known / total,
        automation: c[0],
        default_image: c[1],
        default_profile: c[2],
        digit_handle: c[3],
        follower_ratio: c[4],
        posts_per_day: c[5],
        young_account: c[6],
        duplicate_text: c[7],
        retweet_share: c[8],
        hashtags: c[9],
    }
}
