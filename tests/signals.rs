//! `coordgraph::signals`: exact signals on hand-made collections, planted groups recovered on
//! generated collections, bio terms on the shipped sample, determinism across thread counts.

use std::collections::HashMap;

use coordgraph::generate::{GenerateOptions, OutputFormat, generate};
use coordgraph::ingest::{IngestOptions, Input, read_collection};
use coordgraph::model::{
    AccountIx, AccountRef, Collection, CollectionBuilder, NO_TIME, NewAccount, NewPost, Origin,
    PostIx, PostKind, PostRef, Profile, TextFingerprint,
};
use coordgraph::signals::{
    AccountSignals, SignalOptions, bio_terms, compute_account_signals, creation_clustering,
    languages, locations,
};

const DAY: i64 = 86_400_000;
/// 2016-01-01T00:00Z.
const T0: i64 = 1_451_606_400_000;

/// Builds small collections by hand.
struct Hand {
    b: CollectionBuilder,
    next: u64,
}

impl Hand {
    fn new() -> Self {
        Hand {
            b: CollectionBuilder::new(),
            next: 1,
        }
    }

    /// A record by `author` at `t`; retweets share post "rt-target".
    fn post(&mut self, author: &str, t: i64, kind: PostKind, text: &str, client: &str) -> PostIx {
        let id = self.next.to_string();
        self.next += 1;
        let mut scratch = String::new();
        let shared = (kind == PostKind::Retweet).then_some(PostRef {
            id: "999999",
            author: AccountRef {
                id: Some("1000"),
                handle: None,
            },
        });
        self.b
            .add_post(&NewPost {
                id: &id,
                author: AccountRef {
                    id: Some(author),
                    handle: None,
                },
                time_ms: t,
                kind,
                origin: Origin::Record,
                shared,
                reply_to: None,
                fingerprint: if kind == PostKind::Retweet {
                    TextFingerprint::NONE
                } else {
                    TextFingerprint::of_text(text, &mut scratch)
                },
                text: if kind == PostKind::Retweet { "" } else { text },
                client: Some(client),
                lang: Some("en"),
                merge_rows: false,
            })
            .expect("a new post")
    }

    fn original(&mut self, author: &str, t: i64, text: &str) -> PostIx {
        self.post(author, t, PostKind::Original, text, "Twitter for iPhone")
    }

    fn profile(&mut self, id: &str, handle: &str, p: Profile) {
        self.b.add_profile(NewAccount {
            id,
            handle: Some(handle),
            profile: p,
        });
    }

    fn finish(self) -> Collection {
        self.b.finish().0
    }
}

fn ix(c: &Collection, id: &str) -> AccountIx {
    c.accounts.ids.get(id).expect("account exists")
}

#[test]
fn dormancy_on_a_hand_made_collection() {
    let mut h = Hand::new();
    // "dormant": three posts, 120 days of silence, then six posts within two days.
    for k in 0..3 {
        h.original("1", T0 + k * DAY, &format!("early post number {k}"));
    }
    let wake = T0 + 2 * DAY + 120 * DAY;
    for k in 0..6 {
        h.original(
            "1",
            wake + k * 8 * 3_600_000,
            &format!("awake post number {k}"),
        );
    }
    // "short": a 60-day gap then the same burst.
    h.original("2", T0, "a first post here");
    for k in 0..6 {
        h.original(
            "2",
            T0 + 60 * DAY + k * 60_000,
            &format!("back again, post {k}"),
        );
    }
    // "quiet": an old quiet account: a 200-day gap but a single post after it.
    h.original("3", T0, "quiet one speaks");
    h.original("3", T0 + 5 * DAY, "quiet one speaks again");
    h.original("3", T0 + 205 * DAY, "quiet one is back");
    let c = h.finish();
    let s = compute_account_signals(&c, &SignalOptions::default());
    assert_eq!(s.accounts.len(), 3);

    let dormant = s.get(ix(&c, "1")).unwrap();
    let d = dormant.dormancy.expect("reactivated");
    assert_eq!(d.gap_start_ms, T0 + 2 * DAY);
    assert_eq!(d.gap_end_ms, wake);
    assert_eq!(d.gap_days, 120.0);
    assert_eq!(d.burst_records, 6);
    assert_eq!(dormant.records, 9);

    let short = s.get(ix(&c, "2")).unwrap();
    assert_eq!(short.dormancy, None);
    assert_eq!(short.longest_gap_days, 60.0);

    let quiet = s.get(ix(&c, "3")).unwrap();
    assert_eq!(quiet.dormancy, None);
    assert_eq!(quiet.longest_gap_days, 200.0);

    // A lower threshold and a smaller burst find the other two.
    let lax = SignalOptions {
        dormant_days: 50,
        burst_min_records: 1,
        ..Default::default()
    };
    let s = compute_account_signals(&c, &lax);
    assert_eq!(s.get(ix(&c, "2")).unwrap().dormancy.unwrap().gap_days, 60.0);
    assert_eq!(
        s.get(ix(&c, "3")).unwrap().dormancy.unwrap().gap_days,
        200.0
    );
}

#[test]
fn profile_client_and_text_signals_on_a_hand_made_collection() {
    let mut h = Hand::new();
    let created = T0;
    // A bot: automation client, default profile and image, seven trailing digits, 100
    // followers for 1000 friends, 250 statuses a day, ten days old at its first post, retweets
    // only.
    h.profile(
        "10",
        "bot1234567",
        Profile {
            created_ms: created,
            followers: Some(100),
            friends: Some(1000),
            statuses: Some(5000),
            default_profile: Some(true),
            default_image: Some(true),
            seen_ms: created + 20 * DAY,
            ..Default::default()
        },
    );
    for k in 0..4 {
        h.post(
            "10",
            created + 10 * DAY + k * 1000,
            PostKind::Retweet,
            "",
            "twittbot.net",
        );
    }
    // A person: official client, real profile, an old account, unique originals.
    h.profile(
        "11",
        "marie_dupont",
        Profile {
            created_ms: created - 5 * 365 * DAY,
            followers: Some(300),
            friends: Some(200),
            statuses: Some(3650),
            default_profile: Some(false),
            default_image: Some(false),
            seen_ms: created,
            bio: "Prof de lettres".into(),
            location: " Paris ".into(),
            ..Default::default()
        },
    );
    h.original("11", created, "my very own words about the debate");
    h.original("11", created + DAY, "and the same slogan as everyone else");
    h.post(
        "11",
        created + 2 * DAY,
        PostKind::Original,
        "scheduled post from my blog",
        "IFTTT",
    );
    h.post(
        "11",
        created + 3 * DAY,
        PostKind::Retweet,
        "",
        "Twitter for iPhone",
    );
    // Another account posting the slogan (with a mention and capitals: same fingerprint).
    let slogan = h.original(
        "12",
        created + DAY,
        "@someone AND THE SAME SLOGAN as everyone else",
    );
    // Four hashtags on one of its two texts: two a post on average.
    for tag in ["#a", "#b", "#c", "#d"] {
        h.b.add_hashtag(slogan, tag);
    }
    h.original("12", created + DAY, "short");
    let c = h.finish();
    let s = compute_account_signals(&c, &SignalOptions::default());

    let bot = s.get(ix(&c, "10")).unwrap();
    assert_eq!(bot.automation_share, Some(1.0));
    assert_eq!(bot.main_client.as_deref(), Some("twittbot.net"));
    assert_eq!(bot.handle_trailing_digits, Some(7));
    assert_eq!(bot.handle_digit_share, Some(0.7));
    assert_eq!(bot.follower_friend_ratio, Some(0.1));
    assert_eq!(bot.statuses_per_day, Some(250.0));
    assert_eq!(bot.age_days_at_first_post, Some(10.0));
    assert_eq!(bot.retweet_share, 1.0);
    assert_eq!(bot.duplicate_text_share, None);
    // Every known signal is at its maximum except the handle (7 digits: 0.75) and the ratio
    // (−log10(101/1001) − 0.5); the duplicate-text signal is unknown (no own texts).
    let ratio = -(101f64 / 1001.0).log10() - 0.5;
    let expected = (3.0 + 1.5 + 0.5 + 0.75 + ratio + 1.5 + 1.0 + 0.5) / 10.0;
    assert_eq!(bot.hashtags_per_post, None);
    assert!(
        (bot.bot.score - expected).abs() < 1e-12,
        "{}",
        bot.bot.score
    );
    assert!((bot.bot.score - 0.924_611_270_37).abs() < 1e-9);
    assert!((bot.bot.coverage - 10.0 / 12.0).abs() < 1e-12);
    assert!((bot.bot.follower_ratio - ratio / 10.0).abs() < 1e-12);
    assert_eq!(bot.bot.automation, 0.3);
    assert_eq!(bot.bot.duplicate_text, 0.0);

    let person = s.get(ix(&c, "11")).unwrap();
    assert_eq!(person.automation_share, Some(0.0));
    assert_eq!(person.scheduling_share, Some(0.25));
    assert_eq!(person.retweet_share, 0.25);
    // One of its three texts was also posted by account 12.
    assert_eq!(person.duplicate_text_share, Some(1.0 / 3.0));
    assert_eq!(person.statuses_per_day, Some(2.0));
    assert_eq!(person.records, 4);
    assert_eq!(person.records_per_day, 4.0 / 3.0);
    assert_eq!(person.hashtags_per_post, Some(0.0));
    // Only the scheduled post (half weight) and the duplicate text count:
    // (3 · 0.125 + 1 · 1/3) / 12.
    let expected = (3.0 * 0.125 + 1.0 / 3.0) / 12.0;
    assert!(
        (person.bot.score - expected).abs() < 1e-12,
        "{}",
        person.bot.score
    );

    let other = s.get(ix(&c, "12")).unwrap();
    // "short" is under the 16-character minimum: not a candidate duplicate.
    assert_eq!(other.duplicate_text_share, Some(0.5));
    assert_eq!(other.created_ms, None);
    assert_eq!(other.followers, None);
    // Known: client, posting rate, duplicate texts, retweet share, hashtags (no profile, no
    // handle).
    assert!((other.bot.coverage - 7.0 / 12.0).abs() < 1e-12);
    assert_eq!(other.hashtags_per_post, Some(2.0));
    // Two hashtags a post: halfway to the maximum of three, (1 · 0.5) / 7.
    assert!((other.bot.hashtags - 0.5 / 7.0).abs() < 1e-12);

    let everyone: Vec<AccountIx> = s.accounts.iter().map(|a| a.account).collect();
    let langs = languages(&s, &everyone, 5);
    assert_eq!(langs.len(), 1);
    assert_eq!((langs[0].value.as_str(), langs[0].accounts), ("en", 3));
    let locs = locations(&c, &everyone, 5);
    assert_eq!(locs.len(), 1);
    assert_eq!(
        (locs[0].value.as_str(), locs[0].accounts, locs[0].share),
        ("paris", 1, 1.0)
    );
}

#[test]
fn creation_clustering_on_a_hand_made_collection() {
    let mut h = Hand::new();
    // Members created on days 0, 1, 2 and 30; others on days 3, 100, 200, 300.
    for (id, day) in [
        ("1", 0),
        ("2", 1),
        ("3", 2),
        ("4", 30),
        ("5", 3),
        ("6", 100),
        ("7", 200),
        ("8", 300),
    ] {
        h.profile(
            id,
            &format!("user{id}"),
            Profile {
                created_ms: T0 + day * DAY,
                seen_ms: T0 + 400 * DAY,
                ..Default::default()
            },
        );
        h.original(id, T0 + 400 * DAY, "hello there everyone");
    }
    let c = h.finish();
    let members: Vec<AccountIx> = ["1", "2", "3", "4", "3"]
        .iter()
        .map(|id| ix(&c, id))
        .collect();
    let cc = creation_clustering(&c, &members, 7).expect("dates known");
    assert_eq!(cc.members_with_date, 4);
    assert_eq!(cc.in_window, 3);
    assert_eq!(cc.window_start_ms, T0);
    assert_eq!(cc.window_end_ms, T0 + 7 * DAY);
    assert_eq!(cc.share, 0.75);
    // All accounts: 4 of 8 created in [day 0, day 7).
    assert_eq!(cc.baseline_share, 0.5);
    assert_eq!(cc.lift, 1.5);
    // (3 − 4 · 0.5) / sqrt(4 · 0.5 · 0.5) = 1.
    assert_eq!(cc.z, 1.0);
    assert_eq!(creation_clustering(&c, &[], 7), None);
}

/// A generated collection read back, with each author's group.
fn generated(seed: u64, scale: f64) -> (Collection, HashMap<String, String>) {
    let (mut tweets, mut truth) = (Vec::new(), Vec::new());
    let opts = GenerateOptions {
        seed,
        scale,
        format: OutputFormat::V11,
    };
    generate(&opts, &mut tweets, &mut truth).expect("generates");
    let c = read_collection(
        &[Input::bytes("g.jsonl", tweets)],
        &IngestOptions::default(),
        &(),
    )
    .expect("reads")
    .collection;
    (c, parse_truth(&truth))
}

fn parse_truth(bytes: &[u8]) -> HashMap<String, String> {
    std::str::from_utf8(bytes)
        .expect("utf-8")
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_owned(), f[2].to_owned())
        })
        .collect()
}

/// Area under the ROC curve of `pos` against `neg` (ties count half).
fn auc(pos: &[f64], neg: &[f64]) -> f64 {
    let mut wins = 0.0;
    for &p in pos {
        for &n in neg {
            wins += if p > n {
                1.0
            } else if p == n {
                0.5
            } else {
                0.0
            };
        }
    }
    wins / (pos.len() * neg.len()) as f64
}

fn scores_by_group<'a>(
    s: &AccountSignals,
    truth: &'a HashMap<String, String>,
) -> HashMap<&'a str, Vec<f64>> {
    let mut by: HashMap<&str, Vec<f64>> = HashMap::new();
    for a in &s.accounts {
        by.entry(truth[&a.id].as_str())
            .or_default()
            .push(a.bot.score);
    }
    by
}

#[test]
fn generated_dormant_accounts_are_found_and_bots_score_high() {
    for seed in [3, 11] {
        let (c, truth) = generated(seed, 0.03);
        let s = compute_account_signals(&c, &SignalOptions::default());
        assert_eq!(s.accounts.len(), truth.len());
        let group = |id: &str| truth[id].as_str();

        let flagged: Vec<&str> = s
            .accounts
            .iter()
            .filter(|a| a.dormancy.is_some())
            .map(|a| group(&a.id))
            .collect();
        let dormant = truth
            .values()
            .filter(|g| *g == "dormant_reactivated")
            .count();
        let hits = flagged
            .iter()
            .filter(|g| **g == "dormant_reactivated")
            .count();
        assert!(dormant >= 20, "seed {seed}: {dormant} dormant accounts");
        let (precision, recall) = (
            hits as f64 / flagged.len() as f64,
            hits as f64 / dormant as f64,
        );
        assert!(
            precision >= 0.9 && recall >= 0.9,
            "seed {seed}: {precision} {recall}"
        );
        let returning: Vec<bool> = s
            .accounts
            .iter()
            .filter(|a| group(&a.id) == "organic_returning")
            .map(|a| a.dormancy.is_some())
            .collect();
        assert!(!returning.is_empty());
        let quiet = returning.iter().filter(|f| !**f).count() as f64 / returning.len() as f64;
        assert!(
            quiet >= 0.9,
            "seed {seed}: organic_returning not flagged {quiet}"
        );
        // Reactivations are after a gap of months, waking up for the leak (May 2017).
        for a in s
            .accounts
            .iter()
            .filter(|a| group(&a.id) == "dormant_reactivated")
        {
            if let Some(d) = a.dormancy {
                assert!(d.gap_days > 150.0, "{}", d.gap_days);
                assert!(d.gap_end_ms >= coordgraph::generate::LEAK_MS);
            }
        }

        let by = scores_by_group(&s, &truth);
        let mean = |g: &str| by[g].iter().sum::<f64>() / by[g].len() as f64;
        for (bots, min_auc) in [("fast_retweeters", 0.95), ("hashtag_pushers", 0.85)] {
            for humans in ["organic", "fan_club"] {
                let a = auc(&by[bots], &by[humans]);
                assert!(a >= min_auc, "seed {seed}: AUC {bots} vs {humans} = {a}");
                assert!(
                    mean(bots) > 2.0 * mean(humans),
                    "seed {seed}: {bots} vs {humans}"
                );
            }
        }
        assert!(
            mean("fast_retweeters") > 0.45,
            "{}",
            mean("fast_retweeters")
        );
        assert!(mean("fan_club") < 0.2, "{}", mean("fan_club"));
        assert!(mean("organic") < 0.15, "{}", mean("organic"));
        // Nearly all the fan club stays below the typical fast retweeter.
        let mut fast = by["fast_retweeters"].clone();
        fast.sort_by(f64::total_cmp);
        let median_fast = fast[fast.len() / 2];
        let below = by["fan_club"].iter().filter(|&&x| x < median_fast).count();
        assert!(below as f64 >= 0.95 * by["fan_club"].len() as f64);
        // Contributions add up to the score.
        for a in &s.accounts {
            let b = a.bot;
            let sum = b.automation
                + b.default_image
                + b.default_profile
                + b.digit_handle
                + b.follower_ratio
                + b.posts_per_day
                + b.young_account
                + b.duplicate_text
                + b.retweet_share
                + b.hashtags;
            assert!((sum - b.score).abs() < 1e-9);
            assert!((0.0..=1.0).contains(&b.score));
        }
    }
}

#[test]
fn generated_bot_squads_were_created_in_batches() {
    let (c, truth) = generated(5, 0.03);
    let members = |g: &str| -> Vec<AccountIx> {
        (0..c.accounts.len() as AccountIx)
            .filter(|&a| c.accounts.records[a as usize] > 0)
            .filter(|&a| truth[c.account_id(a).as_ref()] == g)
            .collect()
    };
    let opts = SignalOptions::default();
    // A squad of fast retweeters is created within three days.
    let fast = creation_clustering(&c, &members("fast_retweeters"), opts.creation_window_days)
        .expect("dates");
    assert!(fast.members_with_date >= 15, "{fast:?}");
    assert!(fast.share >= 0.25, "{fast:?}");
    assert!(fast.lift > 20.0 && fast.z > 10.0, "{fast:?}");
    let organic =
        creation_clustering(&c, &members("organic"), opts.creation_window_days).expect("dates");
    assert!(organic.share < 0.05 && organic.lift < 3.0, "{organic:?}");
    assert!(c.accounts.profiles.iter().all(|p| p.created_ms != NO_TIME));
}

#[test]
fn sample_bios_over_represent_maga_among_dormant_accounts() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data");
    let c = read_collection(
        &[Input::Path(root.join("macronleaks-sample.jsonl.gz"))],
        &IngestOptions::default(),
        &(),
    )
    .expect("sample reads")
    .collection;
    let truth = parse_truth(&std::fs::read(root.join("macronleaks-sample-truth.csv")).unwrap());
    let authors: Vec<AccountIx> = (0..c.accounts.len() as AccountIx)
        .filter(|&a| c.accounts.records[a as usize] > 0)
        .collect();
    let group = |g: &str| -> Vec<AccountIx> {
        authors
            .iter()
            .copied()
            .filter(|&a| truth[c.account_id(a).as_ref()] == g)
            .collect()
    };
    let dormant = group("dormant_reactivated");
    assert_eq!(dormant.len(), 16);
    // The study's claim: the bios of the reactivated accounts over-represent #MAGA and the
    // like. A third of the English organic users also carry pro-Trump bios, so #MAGA alone is
    // not the most distinctive term: the claim is that such terms dominate the list.
    let is_pro_trump = |term: &str| PRO_TRUMP_TERMS.contains(&term);
    let terms = bio_terms(&c, &dormant, &authors, 10);
    let top: Vec<(&str, f64)> = terms.iter().map(|t| (t.term.as_str(), t.z)).collect();
    assert!(terms.windows(2).all(|w| w[0].z >= w[1].z));
    assert!(terms[..4].iter().all(|t| is_pro_trump(&t.term)), "{top:?}");
    assert!(terms[0].z > 5.0, "{top:?}");
    let pro_trump = terms.iter().filter(|t| is_pro_trump(&t.term)).count();
    assert!(pro_trump >= 5, "{top:?}");
    // #MAGA itself is still clearly over-represented: five of the 16 against 76 of the
    // other authors.
    let maga = terms
        .iter()
        .find(|t| t.term == "#maga")
        .expect("#maga listed");
    assert!(maga.z > 3.5, "{top:?}");
    assert_eq!((maga.count_in_group, maga.count_overall), (5, 81));
    // The fast retweeters too: #AmericaFirst, then #MAGA.
    let fast = bio_terms(&c, &group("fast_retweeters"), &authors, 3);
    let fast_top: Vec<&str> = fast.iter().map(|t| t.term.as_str()).collect();
    assert_eq!(fast_top[..2], ["#americafirst", "#maga"], "{fast:?}");
    assert!(fast[1].z > 4.0, "{fast:?}");
    // The organic majority has no strongly distinctive term, and no pro-Trump one near the top.
    let organic = bio_terms(&c, &group("organic"), &authors, 10);
    assert!(organic[..3].iter().all(|t| t.z < 2.0), "{organic:?}");
    assert!(
        !organic.iter().any(|t| is_pro_trump(&t.term)),
        "{organic:?}"
    );
}

/// Bio terms of the pro-Trump movement: its campaign hashtags, "deplorable" (taken up by
/// supporters after Clinton's 2016 remark), the Second Amendment and the NRA.
const PRO_TRUMP_TERMS: &[&str] = &[
    "#maga",
    "#trumptrain",
    "#americafirst",
    "#buildthewall",
    "#draintheswamp",
    "#2a",
    "deplorable",
    "deplorables",
    "trump",
    "nra",
];

#[test]
fn generated_dormant_bios_put_maga_first() {
    let (c, truth) = generated(21, 0.05);
    let authors: Vec<AccountIx> = (0..c.accounts.len() as AccountIx)
        .filter(|&a| c.accounts.records[a as usize] > 0)
        .collect();
    let dormant: Vec<AccountIx> = authors
        .iter()
        .copied()
        .filter(|&a| truth[c.account_id(a).as_ref()] == "dormant_reactivated")
        .collect();
    let terms = bio_terms(&c, &dormant, &authors, 5);
    assert_eq!(terms[0].term, "#maga", "{terms:?}");
    assert!(terms[0].z > 5.0, "{terms:?}");
}

#[test]
fn same_signals_on_one_and_two_threads() {
    let (c, _) = generated(9, 0.01);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let s = pool.install(|| compute_account_signals(&c, &SignalOptions::default()));
        serde_json::to_string(&s).unwrap()
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(2));
}
