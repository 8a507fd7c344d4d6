/*!
Per-account signals of automation and reactivation, a bot-likeness score, and the group-level
evidence a cluster report shows (creation-date clustering, languages, locations, bio terms).

Coordination is found by the graphs; these signals say *what kind* of accounts a cluster holds.
They follow the 2017 #MacronLeaks study (Ferrara 2017), which found accounts created in batches,
dormant since the 2016 US election and reactivated for the leak, with bios over-representing
`#MAGA` and similar terms.

# Account signals ([`compute_account_signals`])
For every account that authored at least one record:
- **dormancy then reactivation**: the longest gap of at least [`SignalOptions::dormant_days`]
  between two consecutive records that is followed by a *burst*, i.e. at least
  [`SignalOptions::burst_min_records`] records within [`SignalOptions::burst_window_days`] of
  the first record after the gap (that record included). A long gap followed by one or two
  posts (an old, quiet account) is not a reactivation.
- **automation clients**: the share of records posted from an automation client, and from a
  scheduling or feed client ([`clients`]). Clients matched by neither list (TweetDeck,
  unknown third-party apps) count as human.
- **profile**: default theme, default ("egg") image, the handle's digit share and trailing run
  of digits, the follower/friend ratio, statuses per day of account age, age at first post.
- **behaviour in the collection**: records per day of active span, retweet share, the
  duplicate-text share (non-retweet records whose text fingerprint another account also posted),
  and hashtags per non-retweet record.

# Bot-likeness score ([`bot_score`])
Each signal is first mapped to `s_i ∈ [0, 1]` (0: nothing bot-like, 1: as bot-like as the
signal gets):

| signal | `s_i` | weight `w_i` |
|---|---|---|
| `automation` | automation-client share + ½ · scheduling-client share, capped at 1 | 3.0 |
| `default_image` | 1 if the profile keeps the default image | 1.5 |
| `default_profile` | 1 if the profile keeps the default theme | 0.5 |
| `digit_handle` | `clamp((r − 4) / 4)` for a trailing run of `r` digits | 1.0 |
| `follower_ratio` | `clamp(−log10((followers + 1) / (friends + 1)) − 0.5)` | 1.0 |
| `posts_per_day` | `clamp(log(ppd / 24) / log 6)`: 0 up to one post an hour, 1 from one every 10 min | 1.5 |
| `young_account` | `clamp(log(365 / age) / log(365 / 30))` for the age in days at the first record | 1.0 |
| `duplicate_text` | the duplicate-text share | 1.0 |
| `retweet_share` | `clamp(2 · share − 1)`: 0 up to half retweets, 1 for retweets only | 0.5 |
| `hashtags` | `clamp((h − 1) / 2)` for `h` hashtags per own post: 0 up to one, 1 from three | 1.0 |

where `clamp` keeps values in `[0, 1]` and `ppd` is statuses per day of account age when the
profile gives both, otherwise records per day of active span. The score is the weighted mean
over the signals that are known for the account,

```text
score = Σ_known w_i · s_i / Σ_known w_i,      contribution_i = w_i · s_i / Σ_known w_i,
```

so the contributions add up to the score, and an account without a profile is judged on its
behaviour alone ([`BotScore::coverage`] says which share of the total weight was known).

Why these weights: the client that posts a record is the most direct evidence of automation
(Twitter labels it; the study and Botometer rely on it), so it weighs most. A default image is
rare among real users but common in mass-created accounts; the default theme is common among
real users too (a third of them), so it weighs little. Posting rates above one an hour sustained
over the account's life are beyond most humans (the Oxford Internet Institute used 50 a day).
Stuffing several hashtags into every post is how trends are pushed: Twitter's rules count
excessive hashtags as spam, and Botometer's content features include hashtags per tweet (Varol
et al. 2017, <https://arxiv.org/abs/1703.03107>); people use one or none in most posts, but
activists tag heavily too, so it is a weak signal; it is unknown for accounts that only
retweet. It also catches automated teams whose client is an unknown app (counted as human). A
low follower/friend ratio, an auto-generated handle (a name and five or more digits: birth years
are four) and a young account are each weak alone. Retweeting a lot is what fans do too, so it
weighs least. The weights were chosen by this reasoning, not fitted to labels;
`scripts/signals_eval.sh` checks on generated collections that the score separates the planted
bot-like groups from organic accounts and from the fan club (supporters who retweet like bots
but with human clients, delays and profiles).

Not every coordinated account looks like a bot: copy-paste teams use ordinary clients, and
dormant accounts have aged profiles. Bot-likeness is one more signal next to the graphs.

# Group evidence
[`creation_clustering`], [`languages`], [`locations`] and [`bio_terms`] (log-odds ratio with an
informative Dirichlet prior, Monroe, Colaresi & Quinn 2008) describe a set of member accounts.

Every output is deterministic: ties are broken by account index or by string, never by hash
order, and parallel loops collect in order.
*/

mod account;
mod bio;
pub mod clients;
mod group;
mod score;

pub use account::{AccountSignal, AccountSignals, Dormancy, compute_account_signals};
pub use bio::{
    BioBackground, DEFAULT_PRIOR_SIZE, TermScore, bio_terms, bio_terms_with_prior, log_odds_z,
    tokenize_bio,
};
pub(crate) use group::top as top_values;
pub use group::{
    CreationClustering, ValueCount, creation_clustering, creation_clustering_against,
    creation_times, languages, locations,
};
pub use score::{BotScore, ScoreWeights, bot_score};

/// Milliseconds in a day.
pub(crate) const DAY_MS: i64 = 86_400_000;

/// Options of the account signals and the bot-likeness score; see the module docs.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalOptions {
    /// Shortest silence, in days, that counts as dormancy (90).
    pub dormant_days: u32,
    /// Records needed after a dormancy gap to call it a reactivation burst (5).
    pub burst_min_records: u32,
    /// Days after the first post-gap record within which the burst must happen (7).
    pub burst_window_days: u32,
    /// Width in days of the window in which creation dates cluster (7).
    pub creation_window_days: u32,
    /// Texts shorter than this (characters, normalised) never count as duplicates, so that
    /// "yes" or "lol" posted by two people is not a copy (16).
    pub duplicate_min_chars: u32,
    /// Clients that post for their owner without a person in the loop, matched on the lower-cased
    /// display name (see [`clients::AUTOMATION_CLIENTS`]).
    pub automation_clients: Vec<String>,
    /// Scheduling and feed clients: automated posting of content a person may have chosen; half
    /// weight (see [`clients::SCHEDULING_CLIENTS`]).
    pub scheduling_clients: Vec<String>,
    /// Human clients whose names would match a pattern above (see [`clients::HUMAN_CLIENTS`]).
    pub human_clients: Vec<String>,
    /// Weights of the bot-likeness score.
    pub weights: ScoreWeights,
}

impl Default for SignalOptions {
    fn default() -> Self {
        let owned = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect();
        SignalOptions {
            dormant_days: 90,
            burst_min_records: 5,
            burst_window_days: 7,
            creation_window_days: 7,
            duplicate_min_chars: 16,
            automation_clients: owned(clients::AUTOMATION_CLIENTS),
            scheduling_clients: owned(clients::SCHEDULING_CLIENTS),
            human_clients: owned(clients::HUMAN_CLIENTS),
            weights: ScoreWeights::default(),
        }
    }
}
