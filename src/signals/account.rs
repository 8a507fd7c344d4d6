/*!
Per-account signals: dormancy then reactivation, automation clients, profile and behaviour
(see the module docs of [`crate::signals`] for what each one means).
*/

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::clients::{ClientKind, classify_client};
use super::score::{BotScore, bot_score};
use super::{DAY_MS, SignalOptions};
use crate::model::{AccountIx, Collection, EntityKind, NO_TIME, NONE, PostIx, PostKind};

/// A dormancy gap followed by a burst of activity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Dormancy {
    /// Time of the last record before the gap (ms).
    pub gap_start_ms: i64,
    /// Time of the first record after the gap (ms).
    pub gap_end_ms: i64,
    /// Length of the gap in days.
    pub gap_days: f64,
    /// Records in the burst window that starts at `gap_end_ms`, that record included.
    pub burst_records: u32,
}

/// The signals of one account that authored records.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountSignal {
    /// The account index.
    pub account: AccountIx,
    /// The external account id.
    pub id: String,
    /// The handle, if known.
    pub handle: Option<String>,
    /// Records authored.
    pub records: u32,
    /// Time of the first record (ms), or [`NO_TIME`].
    pub first_ms: i64,
    /// Time of the last record (ms), or [`NO_TIME`].
    pub last_ms: i64,
    /// The longest dormancy gap followed by a burst, if any.
    pub dormancy: Option<Dormancy>,
    /// Longest gap between two consecutive records, in days (0 with fewer than two records).
    pub longest_gap_days: f64,
    /// Share of records (with a known client) posted from an automation client; `None` when
    /// no record names its client.
    pub automation_share: Option<f64>,
    /// Share of records (with a known client) posted from a scheduling or feed client.
    pub scheduling_share: Option<f64>,
    /// The most used client, by display name (ties: the smaller name).
    pub main_client: Option<String>,
    /// Whether the profile keeps the default theme.
    pub default_profile: Option<bool>,
    /// Whether the profile keeps the default image.
    pub default_image: Option<bool>,
    /// Share of the handle's characters that are digits.
    pub handle_digit_share: Option<f64>,
    /// Length of the run of digits the handle ends with.
    pub handle_trailing_digits: Option<u32>,
    /// Followers, from the profile.
    pub followers: Option<u64>,
    /// Friends (accounts followed), from the profile.
    pub friends: Option<u64>,
    /// Followers per friend (friends counted as at least 1).
    pub follower_friend_ratio: Option<f64>,
    /// Records per day of the account's active span in the collection (span at least a day).
    pub records_per_day: f64,
    /// Statuses per day of account age when the profile was seen (age at least a day).
    pub statuses_per_day: Option<f64>,
    /// Share of records that are retweets.
    pub retweet_share: f64,
    /// Share of non-retweet records whose text another account also posted; `None` without
    /// non-retweet records.
    pub duplicate_text_share: Option<f64>,
    /// Hashtags per non-retweet record; `None` without non-retweet records.
    pub hashtags_per_post: Option<f64>,
    /// Account creation time (ms), if the profile gives it.
    pub created_ms: Option<i64>,
    /// Account age in days at its first record.
    pub age_days_at_first_post: Option<f64>,
    /// Most frequent language of its records (ties: the smaller code), else the profile's.
    pub lang: Option<String>,
    /// The bot-likeness score and its contributions.
    pub bot: BotScore,
}

/// Signals of every account that authored at least one record, in account-index order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AccountSignals {
    /// One entry per author, sorted by account index.
    pub accounts: Vec<AccountSignal>,
    /// For each account index, its position in `accounts`, or [`NONE`].
    #[serde(skip)]
    pub position: Vec<u32>,
}

impl AccountSignals {
    /// The signals of account `a`, if it authored records.
    pub fn get(&self, a: AccountIx) -> Option<&AccountSignal> {
        let i = *self.position.get(a as usize)?;
        (i != NONE).then(|| &self.accounts[i as usize])
    }
}

/// Computes the signals and bot-likeness score of every account that authored a record.
///
/// # Arguments
/// - `c`: the collection.
/// - `opts`: thresholds, client lists and score weights.
///
/// # Returns
/// One [`AccountSignal`] per author, in account-index order.
///
/// # Complexity
/// `O(R log R)` time for `R` records (sorting each account's times), `O(R + A)` space;
/// parallel over accounts, with the same result on any number of threads.
///
/// # Examples
/// ```
/// use coordgraph::ingest::{IngestOptions, Input, read_collection};
/// use coordgraph::signals::{SignalOptions, compute_account_signals};
///
/// let line = br#"{"id_str":"1","created_at":"Fri Aug 16 02:15:02 +0000 2013","text":"hi","source":"<a href=\"http://twittbot.net/\">twittbot.net</a>","user":{"id_str":"7","screen_name":"ann1234567"}}"#;
/// let input = Input::bytes("demo.jsonl", line.to_vec());
/// let c = read_collection(&[input], &IngestOptions::default(), &()).unwrap().collection;
/// let s = compute_account_signals(&c, &SignalOptions::default());
/// assert_eq!(s.accounts[0].automation_share, Some(1.0));
/// assert_eq!(s.accounts[0].handle_trailing_digits, Some(7));
/// assert!(s.accounts[0].bot.automation > 0.0);
/// ```
pub fn compute_account_signals(c: &Collection, opts: &SignalOptions) -> AccountSignals {
    let n_accounts = c.accounts.len();
    let posts = &c.posts;

    // Records grouped by author (counting sort), in post order within an author.
    let mut start = vec![0u32; n_accounts + 1];
    for p in 0..posts.len() as PostIx {
        let a = posts.author[p as usize];
        if a != NONE && posts.is_record(p) {
            start[a as usize + 1] += 1;
        }
    }
    for i in 0..n_accounts {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut by_author = vec![0 as PostIx; start[n_accounts] as usize];
    for p in 0..posts.len() as PostIx {
        let a = posts.author[p as usize];
        if a != NONE && posts.is_record(p) {
            by_author[fill[a as usize] as usize] = p;
            fill[a as usize] += 1;
        }
    }

    let client_kind: Vec<ClientKind> = (0..c.clients.len() as u32)
        .map(|s| {
            classify_client(
                c.clients.resolve(s),
                &opts.automation_clients,
                &opts.scheduling_clients,
                &opts.human_clients,
            )
        })
        .collect();

    // Text fingerprint -> (first author, whether another author posted it too).
    let mut fingerprint_authors: FxHashMap<u64, (AccountIx, bool)> = FxHashMap::default();
    for &p in &by_author {
        if let Some(fp) = duplicable(c, p, opts) {
            let a = posts.author[p as usize];
            let e = fingerprint_authors.entry(fp).or_insert((a, false));
            if e.0 != a {
                e.1 = true;
            }
        }
    }

    let accounts: Vec<Option<AccountSignal>> = (0..n_accounts)
        .into_par_iter()
        .map(|a| {
            let records = &by_author[start[a] as usize..start[a + 1] as usize];
            (!records.is_empty()).then(|| {
                account_signal(
                    c,
                    a as AccountIx,
                    records,
                    &client_kind,
                    &fingerprint_authors,
                    opts,
                )
            })
        })
        .collect();
    let mut position = vec![NONE; n_accounts];
    let accounts: Vec<AccountSignal> = accounts.into_iter().flatten().collect();
    for (i, s) in accounts.iter().enumerate() {
        position[s.account as usize] = i as u32;
    }
    AccountSignals { accounts, position }
}

/// The fingerprint of record `p` if it can count as a duplicate: not a retweet, with a text
/// at least `duplicate_min_chars` long.
fn duplicable(c: &Collection, p: PostIx, opts: &SignalOptions) -> Option<u64> {
    let fp = c.posts.fingerprint(p);
    (c.posts.kind[p as usize] != PostKind::Retweet
        && !fp.is_none()
        && fp.chars() >= opts.duplicate_min_chars as usize)
        .then_some(fp.0)
}

fn account_signal(
    c: &Collection,
    a: AccountIx,
    records: &[PostIx],
    client_kind: &[ClientKind],
    fingerprint_authors: &FxHashMap<u64, (AccountIx, bool)>,
    opts: &SignalOptions,
) -> AccountSignal {
    let posts = &c.posts;
    let mut times: Vec<i64> = records
        .iter()
        .map(|&p| posts.time_ms[p as usize])
        .filter(|&t| t != NO_TIME)
        .collect();
    times.sort_unstable();
    let (dormancy, longest_gap_ms) = find_dormancy(&times, opts);

    let (mut automated, mut scheduled, mut with_client) = (0u32, 0u32, 0u32);
    let mut client_counts: Vec<(u32, u32)> = Vec::new();
    let mut lang_counts: Vec<(u32, u32)> = Vec::new();
    let (mut retweets, mut own, mut duplicates, mut hashtags) = (0u32, 0u32, 0u32, 0u32);
    for &p in records {
        let client = posts.client(p);
        if client != NONE {
            with_client += 1;
            match client_kind[client as usize] {
                ClientKind::Automation => automated += 1,
                ClientKind::Scheduling => scheduled += 1,
                ClientKind::Human => {}
            }
            bump(&mut client_counts, client);
        }
        let lang = posts.lang(p);
        if lang != NONE {
            bump(&mut lang_counts, lang);
        }
        if posts.kind[p as usize] == PostKind::Retweet {
            retweets += 1;
        } else {
            own += 1;
            hashtags += posts
                .entities(p)
                .iter()
                .filter(|e| e.kind() == EntityKind::Hashtag)
                .count() as u32;
            if let Some(fp) = duplicable(c, p, opts)
                && fingerprint_authors.get(&fp).is_some_and(|e| e.1)
            {
                duplicates += 1;
            }
        }
    }
    let n = records.len() as u32;
    let share = |k: u32, of: u32| (of > 0).then(|| f64::from(k) / f64::from(of));

    let (first_ms, last_ms) = match (times.first(), times.last()) {
        (Some(&f), Some(&l)) => (f, l),
        _ => (NO_TIME, NO_TIME),
    };
    let span_days = if first_ms == NO_TIME {
        1.0
    } else {
        (last_ms.saturating_sub(first_ms) as f64 / DAY_MS as f64).max(1.0)
    };

    let handle = c.accounts.handle(a);
    let (handle_digit_share, handle_trailing_digits) = match handle {
        Some(h) => {
            let (digits, trailing) = handle_digits(h);
            let len = h.chars().count().max(1);
            (Some(digits as f64 / len as f64), Some(trailing))
        }
        None => (None, None),
    };

    let profile = c.accounts.profile(a);
    let created_ms = profile.map(|p| p.created_ms).filter(|&t| t != NO_TIME);
    let followers = profile.and_then(|p| p.followers);
    let friends = profile.and_then(|p| p.friends);
    let statuses_per_day = match (profile, created_ms) {
        (Some(p), Some(created)) => p.statuses.map(|s| {
            let seen = if p.seen_ms != NO_TIME {
                p.seen_ms
            } else {
                last_ms
            };
            s as f64 / (seen.saturating_sub(created) as f64 / DAY_MS as f64).max(1.0)
        }),
        _ => None,
    };
    let age_days_at_first_post = match created_ms {
        Some(created) if first_ms != NO_TIME => {
            Some((first_ms.saturating_sub(created) as f64 / DAY_MS as f64).max(0.0))
        }
        _ => None,
    };
    let lang = most_frequent(&lang_counts, |s| c.languages.resolve(s))
        .or_else(|| profile.and_then(|p| p.lang.as_deref().map(str::to_owned)));

    let mut signal = AccountSignal {
        account: a,
        id: c.account_id(a).into_owned(),
        handle: handle.map(str::to_owned),
        records: n,
        first_ms,
        last_ms,
        dormancy,
        longest_gap_days: longest_gap_ms as f64 / DAY_MS as f64,
        automation_share: share(automated, with_client),
        scheduling_share: share(scheduled, with_client),
        main_client: most_frequent(&client_counts, |s| c.clients.resolve(s)),
        default_profile: profile.and_then(|p| p.default_profile),
        default_image: profile.and_then(|p| p.default_image),
        handle_digit_share,
        handle_trailing_digits,
        followers,
        friends,
        follower_friend_ratio: match (followers, friends) {
            (Some(fo), Some(fr)) => Some(fo as f64 / fr.max(1) as f64),
            _ => None,
        },
        records_per_day: f64::from(n) / span_days,
        statuses_per_day,
        retweet_share: f64::from(retweets) / f64::from(n.max(1)),
        duplicate_text_share: share(duplicates, own),
        hashtags_per_post: share(hashtags, own),
        created_ms,
        age_days_at_first_post,
        lang,
        bot: BotScore::default(),
    };
    signal.bot = bot_score(&signal, &opts.weights);
    signal
}

/// Adds one to the count of `sym` in a short list.
fn bump(counts: &mut Vec<(u32, u32)>, sym: u32) {
    match counts.iter_mut().find(|e| e.0 == sym) {
        Some(e) => e.1 += 1,
        None => counts.push((sym, 1)),
    }
}

/// The most counted symbol's string; ties go to the smaller string.
fn most_frequent<'a>(counts: &[(u32, u32)], resolve: impl Fn(u32) -> &'a str) -> Option<String> {
    counts
        .iter()
        .map(|&(s, k)| (k, resolve(s)))
        .max_by(|x, y| x.0.cmp(&y.0).then_with(|| y.1.cmp(x.1)))
        .map(|(_, s)| s.to_owned())
}

/// Number of ASCII digits in a handle and the length of the digit run it ends with.
pub(crate) fn handle_digits(handle: &str) -> (u32, u32) {
    let digits = handle.chars().filter(char::is_ascii_digit).count() as u32;
    let trailing = handle
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .count() as u32;
    (digits, trailing)
}

/// The longest gap of at least `dormant_days` followed by a burst, and the longest gap of all
/// (ms), in sorted `times`.
///
/// A gap between `times[i]` and `times[i + 1]` is followed by a burst when at least
/// `burst_min_records` times fall in `[times[i + 1], times[i + 1] + burst_window_days)`.
/// Among qualifying gaps the longest wins; on equal length, the earliest.
///
/// `O(n log n)` for `n` times.
pub(crate) fn find_dormancy(times: &[i64], opts: &SignalOptions) -> (Option<Dormancy>, i64) {
    let min_gap = i64::from(opts.dormant_days) * DAY_MS;
    let window = i64::from(opts.burst_window_days) * DAY_MS;
    let mut best: Option<Dormancy> = None;
    let mut longest = 0i64;
    for i in 1..times.len() {
        let gap = times[i].saturating_sub(times[i - 1]);
        longest = longest.max(gap);
        if gap < min_gap || best.is_some_and(|b| b.gap_end_ms.saturating_sub(b.gap_start_ms) >= gap)
        {
            continue;
        }
        let end = times[i].saturating_add(window);
        let burst = times[i..].partition_point(|&t| t < end) as u32;
        if burst >= opts.burst_min_records.max(1) {
            best = Some(Dormancy {
                gap_start_ms: times[i - 1],
                gap_end_ms: times[i],
                gap_days: gap as f64 / DAY_MS as f64,
                burst_records: burst,
            });
        }
    }
    (best, longest)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = DAY_MS;

    #[test]
    fn dormancy_needs_a_long_gap_and_a_burst() {
        let opts = SignalOptions::default();
        // 120 days of silence then 5 records within 2 days: a reactivation.
        let mut t = vec![0, DAY, 2 * DAY];
        let wake = 2 * DAY + 120 * DAY;
        t.extend((0..5).map(|k| wake + k * DAY / 2));
        let (d, longest) = find_dormancy(&t, &opts);
        let d = d.expect("reactivation found");
        assert_eq!(
            (d.gap_start_ms, d.gap_end_ms, d.burst_records),
            (2 * DAY, wake, 5)
        );
        assert_eq!(d.gap_days, 120.0);
        assert_eq!(longest, 120 * DAY);
        // Four records after the gap are not a burst.
        let (d, _) = find_dormancy(&t[..7], &opts);
        assert_eq!(d, None);
        // Five records spread over more than a week are not a burst either.
        let mut slow = vec![0];
        slow.extend((0..5).map(|k| 100 * DAY + k * 2 * DAY));
        assert_eq!(find_dormancy(&slow, &opts).0, None);
        // A 60-day gap is not dormancy.
        let mut short = vec![0];
        short.extend((0..6).map(|k| 60 * DAY + k));
        assert_eq!(find_dormancy(&short, &opts).0, None);
    }

    #[test]
    fn the_longest_qualifying_gap_wins() {
        let opts = SignalOptions::default();
        let burst = |at: i64| (0..5).map(move |k| at + k * 1000);
        let mut t = vec![0];
        t.extend(burst(100 * DAY));
        t.extend(burst(300 * DAY));
        // Gaps of 100 and about 200 days, both followed by a burst: the longer wins.
        let (d, _) = find_dormancy(&t, &opts);
        assert_eq!(d.unwrap().gap_end_ms, 300 * DAY);
        // A still longer gap followed by a single record does not replace it.
        t.push(700 * DAY);
        let (d, longest) = find_dormancy(&t, &opts);
        assert_eq!(d.unwrap().gap_end_ms, 300 * DAY);
        assert_eq!(longest, 400 * DAY - 4000);
    }

    #[test]
    fn extreme_times_do_not_overflow() {
        let opts = SignalOptions {
            burst_min_records: 1,
            ..Default::default()
        };
        let (d, longest) = find_dormancy(&[i64::MIN + 1, 0, i64::MAX], &opts);
        assert_eq!(longest, i64::MAX);
        assert_eq!(d.unwrap().gap_end_ms, 0);
    }

    #[test]
    fn handle_digits_counts_trailing_runs() {
        assert_eq!(handle_digits("LeaRous97065797"), (8, 8));
        assert_eq!(handle_digits("Paul1971"), (4, 4));
        assert_eq!(handle_digits("a1b"), (1, 0));
        assert_eq!(handle_digits(""), (0, 0));
    }
}
