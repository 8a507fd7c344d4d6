//! `coordgraph::generate`: determinism, exact summaries, ground truth, the planted networks'
//! signatures, and the v2 and CSV formats.

use std::collections::{HashMap, HashSet};

use coordgraph::generate::{
    CAMPAIGN_START_MS, GenerateError, GenerateOptions, GenerateSummary, LEAK_MS, OutputFormat,
    generate,
};
use coordgraph::model::normalize_text;
use serde_json::Value;

fn run(seed: u64, scale: f64, format: OutputFormat) -> (Vec<u8>, Vec<u8>, GenerateSummary) {
    let opts = GenerateOptions {
        seed,
        scale,
        format,
    };
    let (mut tweets, mut truth) = (Vec::new(), Vec::new());
    let summary = generate(&opts, &mut tweets, &mut truth).expect("generation succeeds");
    (tweets, truth, summary)
}

/// One parsed v1.1 record.
struct Rec {
    id: u64,
    time_ms: i64,
    author: u64,
    kind: &'static str,
    parent: Option<u64>,
    text: String,
    tags: Vec<String>,
    urls: Vec<String>,
    client: String,
}

fn parse_v11(bytes: &[u8]) -> Vec<Rec> {
    let text = std::str::from_utf8(bytes).expect("utf-8");
    text.lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("valid JSON line");
            let s = |x: &Value| x.as_str().unwrap().to_owned();
            let (kind, parent) = if let Some(rt) = v.get("retweeted_status") {
                ("retweet", Some(s(&rt["id_str"]).parse().unwrap()))
            } else if v["is_quote_status"] == Value::Bool(true) {
                (
                    "quote",
                    Some(s(&v["quoted_status_id_str"]).parse().unwrap()),
                )
            } else if let Some(r) = v["in_reply_to_status_id_str"].as_str() {
                ("reply", Some(r.parse().unwrap()))
            } else {
                ("original", None)
            };
            let entities = &v["entities"];
            Rec {
                id: s(&v["id_str"]).parse().unwrap(),
                time_ms: s(&v["timestamp_ms"]).parse().unwrap(),
                author: s(&v["user"]["id_str"]).parse().unwrap(),
                kind,
                parent,
                text: s(&v["text"]),
                tags: entities["hashtags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| h["text"].as_str().unwrap().to_lowercase())
                    .collect(),
                urls: entities["urls"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|u| u["expanded_url"].as_str().unwrap().to_owned())
                    .collect(),
                client: s(&v["source"]),
            }
        })
        .collect()
}

fn parse_truth(bytes: &[u8]) -> HashMap<u64, (String, String)> {
    let text = std::str::from_utf8(bytes).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("account_id,label,group"));
    let mut map = HashMap::new();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 3, "{line}");
        let prev = map.insert(f[0].parse().unwrap(), (f[1].to_owned(), f[2].to_owned()));
        assert!(prev.is_none(), "account {} listed twice", f[0]);
    }
    map
}

fn median(mut v: Vec<i64>) -> i64 {
    assert!(!v.is_empty());
    v.sort_unstable();
    v[v.len() / 2]
}

#[test]
fn same_seed_same_bytes_whatever_the_threads() {
    let gen_in = |threads: usize, seed: u64| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| run(seed, 0.005, OutputFormat::V11))
    };
    let (a, ta, sa) = gen_in(1, 5);
    let (b, tb, sb) = gen_in(3, 5);
    assert!(a == b, "collection differs between 1 and 3 threads");
    assert_eq!(ta, tb);
    assert_eq!(sa, sb);
    let (c, tc, _) = gen_in(2, 6);
    assert_ne!(a, c);
    assert_ne!(ta, tc);
    for format in [OutputFormat::V2, OutputFormat::Csv] {
        assert!(
            run(9, 0.003, format).0 == run(9, 0.003, format).0,
            "{format:?} not deterministic"
        );
    }
}

#[test]
fn summary_matches_a_parse_of_the_output() {
    let (tweets, truth, summary) = run(42, 0.01, OutputFormat::V11);
    let recs = parse_v11(&tweets);
    assert_eq!(summary.posts as usize, recs.len());
    assert_eq!(summary.bytes as usize, tweets.len());
    let count = |k: &str| recs.iter().filter(|r| r.kind == k).count() as u64;
    assert_eq!(summary.originals, count("original"));
    assert_eq!(summary.retweets, count("retweet"));
    assert_eq!(summary.replies, count("reply"));
    assert_eq!(summary.quotes, count("quote"));
    let authors: HashSet<u64> = recs.iter().map(|r| r.author).collect();
    assert_eq!(summary.accounts as usize, authors.len());
    let tags: HashSet<&str> = recs
        .iter()
        .flat_map(|r| r.tags.iter().map(String::as_str))
        .collect();
    assert_eq!(summary.hashtags as usize, tags.len());
    assert_eq!(
        summary.first_ms,
        recs.iter().map(|r| r.time_ms).min().unwrap()
    );
    assert_eq!(
        summary.last_ms,
        recs.iter().map(|r| r.time_ms).max().unwrap()
    );
    // About 10,000 records at scale 0.01.
    assert!(
        (9_000..11_000).contains(&recs.len()),
        "{} records",
        recs.len()
    );

    // Ids unique and increasing with time; referenced posts are earlier records.
    let mut seen = HashSet::new();
    for w in recs.windows(2) {
        assert!(w[0].time_ms <= w[1].time_ms && w[0].id < w[1].id);
    }
    for r in &recs {
        if let Some(p) = r.parent {
            assert!(
                seen.contains(&p),
                "post {} references {p} before it was written",
                r.id
            );
        }
        assert!(seen.insert(r.id));
    }

    // The ground truth lists every author exactly once, and nobody else.
    let truth = parse_truth(&truth);
    assert_eq!(truth.len(), authors.len());
    for a in &authors {
        let (label, group) = truth.get(a).expect("every author is in the truth");
        let planted = [
            "fast_retweeters",
            "dormant_reactivated",
            "copy_paste",
            "hashtag_pushers",
            "retweet_ring",
        ];
        assert_eq!(
            label == "coordinated",
            planted.contains(&group.as_str()),
            "{group}"
        );
    }
    let coordinated = truth.values().filter(|(l, _)| l == "coordinated").count();
    assert_eq!(summary.coordinated_accounts as usize, coordinated);
    let groups: HashSet<&str> = truth.values().map(|(_, g)| g.as_str()).collect();
    for g in [
        "organic",
        "organic_returning",
        "media",
        "candidate",
        "fan_club",
        "fast_retweeters",
        "dormant_reactivated",
        "copy_paste",
        "hashtag_pushers",
        "retweet_ring",
    ] {
        assert!(groups.contains(g), "group {g} missing");
    }
    let json = serde_json::to_value(&summary).unwrap();
    assert_eq!(json["posts"], summary.posts);
}

#[test]
fn planted_networks_have_their_signatures() {
    let (tweets, truth, _) = run(7, 0.02, OutputFormat::V11);
    let recs = parse_v11(&tweets);
    let truth = parse_truth(&truth);
    let group = |a: u64| truth[&a].1.as_str();
    let by_id: HashMap<u64, &Rec> = recs.iter().map(|r| (r.id, r)).collect();
    let delays = |g: &str, of: &str| -> Vec<i64> {
        recs.iter()
            .filter(|r| r.kind == "retweet" && group(r.author) == g)
            .filter_map(|r| {
                let p = by_id[&r.parent.unwrap()];
                (group(p.author) == of).then_some(r.time_ms - p.time_ms)
            })
            .collect()
    };

    // Fast retweeters retweet their leaders within seconds.
    let fast = delays("fast_retweeters", "fast_retweeters");
    assert!(fast.len() > 300, "{} fast retweets", fast.len());
    assert!(
        median(fast.clone()) < 15_000,
        "fast median {}",
        median(fast.clone())
    );
    assert!(fast.iter().filter(|&&d| d <= 60_000).count() * 100 >= fast.len() * 95);

    // The fan club retweets its candidate with human delays: minutes to hours.
    let fans = delays("fan_club", "candidate");
    assert!(fans.len() > 500, "{} fan retweets", fans.len());
    let m = median(fans.clone());
    assert!((10 * 60_000..3 * 3_600_000).contains(&m), "fan median {m}");
    assert!(fans.iter().filter(|&&d| d <= 60_000).count() * 100 <= fans.len() * 2);
    let candidate_posts = recs
        .iter()
        .filter(|r| r.kind == "original" && group(r.author) == "candidate")
        .count();
    let fan_count = truth.values().filter(|(_, g)| g == "fan_club").count();
    // Each fan follows one of the two candidates and retweets about 84 % of their posts.
    assert!(
        fans.len() * 100 >= candidate_posts * fan_count * 35,
        "fans skip too often"
    );

    // Ring members retweet each other within minutes.
    let ring = delays("retweet_ring", "retweet_ring");
    assert!(ring.len() > 300 && median(ring) < 120_000);

    // Reactivated accounts: active in 2016 until November, silent for months, then a burst
    // after the leak.
    let mut times: HashMap<u64, Vec<i64>> = HashMap::new();
    for r in &recs {
        times.entry(r.author).or_default().push(r.time_ms);
    }
    let dormant: Vec<u64> = truth
        .iter()
        .filter(|(_, (_, g))| g == "dormant_reactivated")
        .map(|(a, _)| *a)
        .collect();
    assert!(dormant.len() >= 14);
    let nov_2016 = 1_478_649_600_000; // 2016-11-09T00:00Z
    for a in &dormant {
        let mut t = times[a].clone();
        t.sort_unstable();
        let before: Vec<i64> = t
            .iter()
            .copied()
            .filter(|&x| x < CAMPAIGN_START_MS)
            .collect();
        let after: Vec<i64> = t
            .iter()
            .copied()
            .filter(|&x| x >= CAMPAIGN_START_MS)
            .collect();
        assert!(!before.is_empty() && *before.last().unwrap() < nov_2016 + 2 * 86_400_000);
        assert!(
            after.len() >= 5,
            "account {a}: {} campaign posts",
            after.len()
        );
        assert!(after[0] >= LEAK_MS);
        assert!(after[0] - before.last().unwrap() >= 90 * 86_400_000);
    }
    // Returning organic accounts also have a long gap, but no burst.
    for (a, _) in truth.iter().filter(|(_, (_, g))| g == "organic_returning") {
        let n = times[a].iter().filter(|&&x| x >= CAMPAIGN_START_MS).count();
        assert!(n <= 4, "returning account {a} has {n} campaign posts");
    }

    // Copy-paste: most of their originals share their normalised text with another member's
    // post within 15 minutes.
    let mut norm = String::new();
    let mut by_text: HashMap<String, Vec<(i64, u64)>> = HashMap::new();
    for r in recs
        .iter()
        .filter(|r| r.kind == "original" && group(r.author) == "copy_paste")
    {
        normalize_text(&r.text, &mut norm);
        by_text
            .entry(norm.clone())
            .or_default()
            .push((r.time_ms, r.author));
    }
    let (mut copied, mut total) = (0, 0);
    for posts in by_text.values() {
        for &(t, a) in posts {
            total += 1;
            if posts
                .iter()
                .any(|&(t2, a2)| a2 != a && (t2 - t).abs() <= 15 * 60_000)
            {
                copied += 1;
            }
        }
    }
    assert!(
        total > 300 && copied * 100 >= total * 70,
        "{copied} of {total} copied"
    );

    // Hashtag pushers carry rare tags that organic users never use.
    let pushed: HashSet<&str> = recs
        .iter()
        .filter(|r| group(r.author) == "hashtag_pushers")
        .flat_map(|r| r.tags.iter().map(String::as_str))
        .filter(|t| *t != "macronleaks" && *t != "macrongate")
        .collect();
    let organic_tags: HashSet<&str> = recs
        .iter()
        .filter(|r| r.kind != "retweet" && group(r.author) == "organic")
        .flat_map(|r| r.tags.iter().map(String::as_str))
        .collect();
    assert!(pushed.iter().any(|t| !organic_tags.contains(t)));

    // Automation clients are far more common among fast retweeters than among organic users.
    let auto_share = |g: &str| {
        let posts: Vec<&Rec> = recs.iter().filter(|r| group(r.author) == g).collect();
        let auto = posts
            .iter()
            .filter(|r| r.client.contains("AutoRetweet") || r.client.contains("twittbot"))
            .count();
        auto as f64 / posts.len() as f64
    };
    assert!(auto_share("fast_retweeters") > 0.4 && auto_share("organic") < 0.01);

    // Organic users do co-retweet viral posts within 60 s by chance (a fair test).
    let mut by_parent: HashMap<u64, Vec<i64>> = HashMap::new();
    for r in recs
        .iter()
        .filter(|r| r.kind == "retweet" && group(r.author) == "organic")
    {
        by_parent
            .entry(r.parent.unwrap())
            .or_default()
            .push(r.time_ms);
    }
    let close_pairs: usize = by_parent
        .values()
        .map(|t| {
            let mut t = t.clone();
            t.sort_unstable();
            t.windows(2).filter(|w| w[1] - w[0] <= 60_000).count()
        })
        .sum();
    assert!(
        close_pairs > 100,
        "{close_pairs} organic co-retweets within 60 s"
    );
    // Leak links are shared by several planted accounts.
    let leak_links = recs
        .iter()
        .filter(|r| {
            r.urls
                .iter()
                .any(|u| u.contains("pastebin") || u.contains("archive.org"))
        })
        .count();
    assert!(leak_links > 50);
}

#[test]
fn v2_pages_parse_and_count() {
    let (bytes, _, summary) = run(3, 0.005, OutputFormat::V2);
    let text = std::str::from_utf8(&bytes).unwrap();
    let (mut data, mut ids, mut pages) = (0u64, HashSet::new(), 0);
    let (mut rts, mut quotes, mut replies) = (0u64, 0u64, 0u64);
    for line in text.lines() {
        let page: Value = serde_json::from_str(line).unwrap();
        pages += 1;
        let tweets = page["data"].as_array().unwrap();
        assert!(tweets.len() <= 100);
        assert_eq!(page["meta"]["result_count"], tweets.len());
        let users: HashSet<&str> = page["includes"]["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap())
            .collect();
        let included: HashSet<&str> = page["includes"]["tweets"]
            .as_array()
            .map(|a| a.iter().map(|t| t["id"].as_str().unwrap()).collect())
            .unwrap_or_default();
        for t in tweets {
            data += 1;
            assert!(ids.insert(t["id"].as_str().unwrap().to_owned()));
            assert!(users.contains(t["author_id"].as_str().unwrap()));
            assert!(
                t["created_at"].as_str().unwrap().ends_with(".000Z")
                    || t["created_at"].as_str().unwrap().len() == 24
            );
            if let Some(refs) = t["referenced_tweets"].as_array() {
                let r = &refs[0];
                assert!(included.contains(r["id"].as_str().unwrap()));
                assert!(
                    ids.contains(r["id"].as_str().unwrap()),
                    "referenced post written earlier"
                );
                match r["type"].as_str().unwrap() {
                    "retweeted" => rts += 1,
                    "quoted" => quotes += 1,
                    "replied_to" => {
                        replies += 1;
                        assert!(t["in_reply_to_user_id"].is_string());
                    }
                    other => panic!("{other}"),
                }
            }
        }
    }
    assert_eq!(data, summary.posts);
    assert_eq!(pages, summary.posts.div_ceil(100));
    assert_eq!(
        (rts, quotes, replies),
        (summary.retweets, summary.quotes, summary.replies)
    );
}

#[test]
fn csv_parses_with_eight_columns() {
    let (bytes, _, summary) = run(3, 0.005, OutputFormat::Csv);
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        [
            "message_id",
            "user_id",
            "username",
            "repost_id",
            "reply_id",
            "message",
            "timestamp",
            "urls"
        ]
    );
    let mut ids = HashSet::new();
    let (mut rows, mut reposts, mut replies) = (0u64, 0u64, 0u64);
    for row in reader.records() {
        let row = row.unwrap();
        rows += 1;
        assert!(ids.insert(row[0].to_owned()));
        let ts: i64 = row[6].parse().unwrap();
        assert!((1_450_000_000..1_494_201_600).contains(&ts));
        if !row[3].is_empty() {
            reposts += 1;
            assert!(ids.contains(&row[3]));
            assert!(row[5].starts_with("RT @"));
        }
        if !row[4].is_empty() {
            replies += 1;
            assert!(ids.contains(&row[4]));
        }
    }
    assert_eq!(rows, summary.posts);
    assert_eq!((reposts, replies), (summary.retweets, summary.replies));
}

#[test]
fn invalid_options_are_rejected() {
    for scale in [0.0, -1.0, f64::NAN, 100.5, f64::INFINITY] {
        let opts = GenerateOptions {
            scale,
            ..GenerateOptions::default()
        };
        let err = generate(&opts, &mut Vec::new(), &mut Vec::new()).unwrap_err();
        assert!(matches!(err, GenerateError::InvalidScale(_)), "{scale}");
    }
    assert_eq!("v1.1".parse::<OutputFormat>().unwrap(), OutputFormat::V11);
    assert_eq!("CSV".parse::<OutputFormat>().unwrap(), OutputFormat::Csv);
    assert!(matches!(
        "xml".parse::<OutputFormat>(),
        Err(GenerateError::UnknownFormat(_))
    ));
}
