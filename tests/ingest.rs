//! Reading: every shared real dataset gives the counts its README documents, every format and
//! compression reads the same, and hostile input is counted, never fatal, never a panic.

use std::io::Write;

use coordgraph::ingest::{Ingest, IngestOptions, Input, SkipReason, read_collection};
use coordgraph::model::{EntityKind, PostKind};
use coordgraph::stats::CollectionStats;
use proptest::prelude::*;

use crate::util::shared_data;

fn read_paths(paths: &[std::path::PathBuf], opts: &IngestOptions) -> Ingest {
    let inputs: Vec<Input> = paths.iter().map(|p| Input::Path(p.clone())).collect();
    read_collection(&inputs, opts, &()).expect("readable")
}

fn stats_of(paths: &[std::path::PathBuf]) -> (Ingest, CollectionStats) {
    let ingest = read_paths(paths, &IngestOptions::default());
    let stats = CollectionStats::compute(&ingest.collection, &ingest.report);
    (ingest, stats)
}

fn read_bytes(name: &str, data: &[u8]) -> Ingest {
    read_collection(
        &[Input::bytes(name, data.to_vec())],
        &IngestOptions::default(),
        &(),
    )
    .expect("bad records are skipped, not fatal")
}

fn skipped(ingest: &Ingest, reason: SkipReason) -> u64 {
    ingest.report.skipped.get(&reason).copied().unwrap_or(0)
}

#[test]
fn twitter_v11_rtweet_counts_match_its_readme() {
    let Some(path) = shared_data("twitter-v1.1-rtweet/tweets_v11.jsonl") else {
        return;
    };
    let (ingest, s) = stats_of(&[path]);
    assert_eq!(
        (s.posts, s.originals, s.retweets, s.replies, s.quotes),
        (1783, 937, 406, 327, 113)
    );
    assert_eq!(s.accounts, 989);
    assert_eq!(s.skipped, 0);
    assert_eq!(s.duplicates, 0);
    assert_eq!(s.first.as_deref(), Some("2013-08-16T02:15:02Z"));
    assert!(s.last.as_deref().unwrap().starts_with("2023-01-07"));
    // The first line is kept (a peer tool drops it): its URL is resolved through expanded_url.
    let c = &ingest.collection;
    let first = c.posts.ids.get("368194158915506176").unwrap();
    assert!(c.posts.is_record(first));
    let url = c
        .posts
        .entities(first)
        .iter()
        .find(|e| e.kind() == EntityKind::Url)
        .unwrap();
    assert_eq!(c.urls.resolve(url.id()), "http://nie.mn/18yGXzQ");
    assert_eq!(c.clients.resolve(c.posts.client(first)), "Tweetbot for Mac");
    let author = c.posts.author[first as usize];
    assert_eq!(c.accounts.handle(author), Some("jbenton"));
    assert_eq!(
        c.accounts.profile(author).unwrap().name.as_ref(),
        "Joshua Benton"
    );
    // Every retweet points at an embedded or recorded original with a known author.
    for p in c.records() {
        if c.posts.kind[p as usize] == PostKind::Retweet {
            let orig = c.posts.shared[p as usize];
            assert_ne!(orig, coordgraph::model::NONE);
            assert_ne!(c.posts.author[orig as usize], coordgraph::model::NONE);
            assert!(c.posts.text(p).is_empty());
        }
    }
}

#[test]
fn twitter_v2_tidy_tweet_pages_match_its_readme() {
    let Some(path) = shared_data("twitter-v2-tidy-tweet") else {
        return;
    };
    let (_, s) = stats_of(&[path]);
    assert_eq!(
        (s.posts, s.originals, s.retweets, s.replies, s.quotes),
        (218, 27, 142, 32, 17)
    );
    assert_eq!(s.accounts, 1);
    assert!(s.first.as_deref().unwrap().starts_with("2019-05-17"));
    assert!(s.last.as_deref().unwrap().starts_with("2021-09-20"));
}

#[test]
fn academictwitter_arrays_match_its_readme() {
    let table = [
        ("hk2", 3498, 2105),
        ("hk3", 3499, 251),
        ("hk", 1628, 669),
        ("reuters", 500, 1),
        ("commtwitter", 5, 4),
        ("ichbinhanna_berlin", 25, 17),
    ];
    for (folder, tweets, accounts) in table {
        let Some(path) = shared_data(&format!("twitter-v2-academictwitter/{folder}")) else {
            return;
        };
        let (ingest, s) = stats_of(&[path]);
        assert_eq!(
            (s.posts, s.accounts, s.skipped),
            (tweets, accounts, 0),
            "{folder}"
        );
        if folder == "hk2" {
            assert_eq!(s.retweets, 2523);
            // 2,523 retweets of 348 tweets, the top one 961 times.
            let c = &ingest.collection;
            let mut counts = std::collections::HashMap::new();
            for p in c.records() {
                if c.posts.kind[p as usize] == PostKind::Retweet {
                    *counts.entry(c.posts.shared[p as usize]).or_insert(0) += 1;
                }
            }
            assert_eq!(counts.len(), 348);
            assert_eq!(counts.values().max(), Some(&961));
        }
    }
    // All folders at once: the same tweets in two queries count once.
    let Some(all) = shared_data("twitter-v2-academictwitter") else {
        return;
    };
    let (_, s) = stats_of(&[all]);
    assert_eq!(s.posts + s.duplicates, 9155);
    assert_eq!(s.skipped, 0);
}

#[test]
fn twarc_files_give_their_tweets_and_report_the_rest() {
    let Some(dir) = shared_data("twitter-v2-twarc") else {
        return;
    };
    let (ingest, s) = stats_of(&[dir]);
    let records = |name: &str| {
        ingest
            .report
            .files
            .iter()
            .find(|f| f.name.ends_with(name))
            .map(|f| (f.records, f.skipped))
    };
    assert_eq!(records("/brexit.jsonl"), Some((100, 0)));
    assert_eq!(records("/kpop.jsonl"), Some((100, 0)));
    assert_eq!(records("/2sets.jsonl"), Some((200, 0)));
    assert_eq!(records("/entities_test.jsonl"), Some((474, 0)));
    assert_eq!(records("/flat.jsonl"), Some((100, 0)));
    assert_eq!(records("/noflat.jsonl"), Some((100, 0)));
    assert_eq!(records("/withheld.jsonl"), Some((215, 0)));
    assert_eq!(records("/media_policy_violation_on.jsonl"), Some((100, 0)));
    assert_eq!(records("/empty.json"), Some((0, 0)));
    // The corrupted stream line is reported with its line; the 7 tweets around it are kept.
    assert_eq!(records("/streaming_output_with_error.jsonl"), Some((8, 1)));
    let bad = ingest
        .report
        .examples
        .iter()
        .find(|e| e.file.ends_with("with_error.jsonl"))
        .unwrap();
    assert_eq!((bad.line, bad.reason), (8, SkipReason::InvalidJson));
    // Non-tweet payloads are skipped with their reason, one per payload line.
    for name in ["/users.jsonl", "/counts.jsonl"] {
        assert_eq!(records(name), Some((1, 1)), "{name}");
    }
    assert_eq!(records("/lists.jsonl"), Some((2, 2)));
    assert_eq!(records("/users_compliance.jsonl"), Some((2, 2)));
    assert_eq!(skipped(&ingest, SkipReason::InvalidJson), 1);
    assert_eq!(s.skipped, 9);
    // flat.jsonl and noflat.jsonl hold the same 100 tweets; 2sets repeats brexit and kpop.
    assert!(s.duplicates >= 300);
    // Flattened and raw pages agree on the same tweet.
    let c = &ingest.collection;
    for p in c.records() {
        assert_ne!(c.posts.author[p as usize], coordgraph::model::NONE);
    }
}

#[test]
fn coortweet_russian_table_matches_its_readme() {
    let Some(path) = shared_data("coortweet-russian-coord-tweets/russian_coord_tweets.csv") else {
        return;
    };
    let opts = IngestOptions {
        columns: Some("coortweet".parse().unwrap()),
        ..Default::default()
    };
    let ingest = read_paths(std::slice::from_ref(&path), &opts);
    let s = CollectionStats::compute(&ingest.collection, &ingest.report);
    assert_eq!(s.posts, 35_085);
    assert_eq!(s.posts + s.merged_rows, 35_125);
    assert_eq!(s.accounts, 9_509);
    assert_eq!(s.objects, 7_285);
    assert_eq!(s.skipped, 0);
    // The header alone gives the same mapping.
    let (_, inferred) = stats_of(&[path]);
    assert_eq!(
        (inferred.posts, inferred.accounts, inferred.objects),
        (35_085, 9_509, 7_285)
    );
}

#[test]
fn coortweet_german_table_matches_its_readme() {
    let Some(path) = shared_data("coortweet-german-elections/german_elections.csv") else {
        return;
    };
    let (ingest, s) = stats_of(&[path]);
    // 218,971 rows: 194,323 posts with an id, 24,645 further rows of the same posts, and 3 rows
    // without post id or object (of 3 accounts seen nowhere else: 58,314 + 3 = 58,317).
    assert_eq!(s.posts, 194_323);
    assert_eq!(s.merged_rows, 24_645);
    assert_eq!(skipped(&ingest, SkipReason::MissingId), 3);
    assert_eq!(s.posts + s.merged_rows + s.skipped, 218_971);
    assert_eq!(s.accounts, 58_314);
    assert!(s.hashtags > 0 && s.urls > 0 && s.domains > 0 && s.objects > 0);
}

const TWEET: &str = r#"{"id_str":"ID","created_at":"Fri May 05 18:00:00 +0000 2017","text":"Leak #MacronLeaks https://t.co/x @bob","user":{"id_str":"U","screen_name":"u_U"},"entities":{"hashtags":[{"text":"MacronLeaks"}],"urls":[{"url":"https://t.co/x","expanded_url":"https://Ex.com/a?utm_source=tw"}],"user_mentions":[{"screen_name":"bob","id_str":"99"}]}}"#;

fn tweet(id: u32, user: u32) -> String {
    TWEET
        .replace("ID", &id.to_string())
        .replace("\"U\"", &format!("\"{user}\""))
        .replace("u_U", &format!("u_{user}"))
}

fn plain_lines(n: u32) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 1..=n {
        out.extend_from_slice(tweet(i, i % 5).as_bytes());
        out.push(b'\n');
    }
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn plain_gzip_zstd_and_stdin_read_the_same() {
    let plain = plain_lines(300);
    let zst = zstd::encode_all(&plain[..], 3).unwrap();
    for (name, data) in [
        ("a.jsonl", plain.clone()),
        ("a.jsonl.gz", gzip(&plain)),
        ("a.zst", zst),
    ] {
        let ingest = read_bytes(name, &data);
        let c = &ingest.collection;
        assert_eq!(c.records().count(), 300, "{name}");
        assert_eq!(c.hashtags.resolve(0), "macronleaks");
        assert_eq!(c.urls.resolve(0), "https://ex.com/a");
        assert_eq!(c.domains.resolve(0), "ex.com");
        assert_eq!(ingest.report.skipped_total(), 0);
    }
    let out = crate::util::coordgraph()
        .args(["stats", "--json", "-"])
        .write_stdin(gzip(&plain))
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["posts"], 300);
    assert_eq!(json["accounts"], 5);
}

#[test]
fn hostile_inputs_are_counted_not_fatal() {
    let good = plain_lines(20);
    // A truncated gzip stream: the whole lines before the cut are kept, the cut is reported.
    let gz = gzip(&plain_lines(2000));
    let truncated = &gz[..gz.len() / 2];
    let ingest = read_bytes("cut.jsonl.gz", truncated);
    let kept = ingest.collection.records().count();
    assert!(kept > 100 && kept < 2000, "{kept}");
    assert_eq!(skipped(&ingest, SkipReason::TruncatedStream), 1);

    let mut mixed = good.clone();
    mixed.extend_from_slice(
        b"{\"id_str\":\"900\",\"text\":\"\xff\xfe bad utf8\",\"user\":{\"id_str\":\"1\"}}\n",
    );
    mixed.extend_from_slice(b"{\"id_str\":\"901\",\0\"text\":\"nul\"}\n");
    mixed.extend_from_slice(
        tweet(910, 1)
            .replace("Leak #MacronLeaks", "Leak\0#MacronLeaks")
            .as_bytes(),
    ); // a NUL inside a string
    mixed.push(b'\n');
    mixed.extend_from_slice(b"{\"id_str\":[1,2],\"user\":5}\n"); // wrong types
    mixed.extend_from_slice(tweet(902, 1).replace("2017", "1899").as_bytes()); // bad date
    mixed.push(b'\n');
    mixed.extend_from_slice(
        tweet(903, 1)
            .replace("Fri May 05 18:00:00 +0000 2017", "2150-01-01T00:00:00Z")
            .as_bytes(),
    );
    mixed.push(b'\n');
    mixed.extend_from_slice(tweet(5, 1).as_bytes()); // duplicate id
    mixed.push(b'\n');
    mixed.extend_from_slice(b"{\"id_str\":\"904\",\"text\":\"no author\",\"created_at\":\"Fri May 05 18:00:00 +0000 2017\"}\n");
    mixed.extend_from_slice(b"{\"text\":\"no id\",\"user\":{\"id_str\":\"1\"},\"created_at\":\"Fri May 05 18:00:00 +0000 2017\"}\n");
    mixed.extend_from_slice(
        b"{\"id_str\":\"905\",\"text\":\"no time\",\"user\":{\"id_str\":\"1\"}}\n",
    );
    mixed.extend_from_slice(b"{\"id_str\":\"906\",\"text\":\"x\",\"user\":{\"id_str\":\"1\"},\"created_at\":\"yesterday\"}\n");
    let deep = "[".repeat(100_000);
    mixed.extend_from_slice(format!("{{\"id_str\":\"907\",\"text\":{deep}\n").as_bytes());
    let deep_obj = "{\"retweeted_status\":".repeat(50_000);
    mixed.extend_from_slice(format!("{deep_obj}\n").as_bytes());
    // A 50 MB line: one tweet whose text is 50 MB long is still one tweet.
    let big = tweet(908, 2).replace("Leak #MacronLeaks", &"x".repeat(50 << 20));
    mixed.extend_from_slice(big.as_bytes());
    mixed.push(b'\n');
    mixed.extend_from_slice(&good[..good.len() / 3]); // duplicates again, then an unterminated line
    mixed.extend_from_slice(b"{\"id_str\":\"909\"");

    let ingest = read_bytes("hostile.jsonl", &mixed);
    let c = &ingest.collection;
    assert_eq!(c.records().count(), 21, "20 good tweets and the 50 MB one");
    assert!(c.posts.ids.get("908").is_some());
    assert_eq!(skipped(&ingest, SkipReason::InvalidUtf8), 1);
    assert_eq!(skipped(&ingest, SkipReason::TimeOutOfRange), 2);
    assert_eq!(skipped(&ingest, SkipReason::MissingAuthor), 1);
    assert_eq!(skipped(&ingest, SkipReason::MissingId), 1);
    assert_eq!(skipped(&ingest, SkipReason::MissingTime), 1);
    assert_eq!(skipped(&ingest, SkipReason::BadTime), 1);
    // NUL bytes (twice), wrong types, the two deep nestings and the unterminated last line.
    assert_eq!(skipped(&ingest, SkipReason::InvalidJson), 6);
    assert_eq!(
        ingest
            .report
            .examples
            .iter()
            .filter(|s| s.detail == "line contains NUL bytes")
            .count(),
        2
    );
    assert!(ingest.report.duplicates >= 7);

    // Empty files and files of blank lines hold nothing and are not errors.
    for empty in [&b""[..], b"\n\n  \n", &gzip(b"")] {
        let ingest = read_bytes("empty.jsonl", empty);
        assert_eq!(ingest.collection.records().count(), 0);
        assert_eq!(ingest.report.skipped_total(), 0);
    }
}

#[test]
fn csv_presets_and_header_inference_read_peer_tables() {
    let cnt = "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n\
               1,u1,alice,900,,RT @src: Macron leaks here,1000,\n\
               8,u1,alice,,,@x Vote Le Pen now #MacronLeaks,3000,http://ex.com/a http://ex.com/b\n\
               14,u3,carol,,800,replying here,5000,\n\
               15,u3,carol,,800,bad time,soon,\n";
    let ingest = read_bytes("tiny.csv", cnt.as_bytes());
    let c = &ingest.collection;
    assert_eq!(c.records().count(), 3);
    assert_eq!(skipped(&ingest, SkipReason::BadTime), 1);
    assert_eq!(ingest.report.examples[0].line, 5);
    let p1 = c.posts.ids.get("1").unwrap();
    assert_eq!(c.posts.kind[p1 as usize], PostKind::Retweet);
    assert_eq!(c.post_id(c.posts.shared[p1 as usize]), "900");
    let p8 = c.posts.ids.get("8").unwrap();
    assert_eq!(
        c.posts
            .entities(p8)
            .iter()
            .filter(|e| e.kind() == EntityKind::Url)
            .count(),
        2
    );
    assert_eq!(c.posts.time_ms[p8 as usize], 3_000_000);
    let p14 = c.posts.ids.get("14").unwrap();
    assert_eq!(c.posts.kind[p14 as usize], PostKind::Reply);
    assert_eq!(
        c.accounts.handle(c.posts.author[p14 as usize]),
        Some("carol")
    );

    // The positional preset ignores header names.
    let renamed = cnt.replacen("message_id,user_id", "a,b", 1);
    let opts = IngestOptions {
        columns: Some("cnt".parse().unwrap()),
        ..Default::default()
    };
    let ingest =
        read_collection(&[Input::bytes("t.csv", renamed.into_bytes())], &opts, &()).unwrap();
    assert_eq!(ingest.collection.records().count(), 3);

    // A mapping naming a missing column is an error that names the file and the fix.
    let opts = IngestOptions {
        columns: Some("account=who,time=when".parse().unwrap()),
        ..Default::default()
    };
    let err = read_collection(
        &[Input::bytes("t.csv", cnt.as_bytes().to_vec())],
        &opts,
        &(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("t.csv: no column \"who\""),
        "{err}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    /// Whatever the bytes, reading them neither panics nor loses the good lines around them.
    #[test]
    fn arbitrary_bytes_never_panic(noise in proptest::collection::vec(any::<u8>(), 0..2000), csv in any::<bool>()) {
        let name = if csv { "x.csv" } else { "x.jsonl" };
        let _ = read_collection(&[Input::bytes(name, noise.clone())], &IngestOptions::default(), &());
        let mut data = plain_lines(3);
        data.extend_from_slice(&noise);
        data.push(b'\n');
        data.extend_from_slice(tweet(77, 1).as_bytes());
        let ingest = read_collection(&[Input::bytes("y.jsonl", data)], &IngestOptions::default(), &()).unwrap();
        let c = &ingest.collection;
        for id in ["1", "2", "3", "77"] {
            prop_assert!(c.posts.ids.get(id).is_some_and(|p| c.posts.is_record(p)), "lost {id}");
        }
    }

    /// Mangled tweets (truncated at any byte) never panic and are counted.
    #[test]
    fn truncated_tweets_are_counted(cut in 0usize..400) {
        let t = tweet(5, 5);
        let cut = cut.min(t.len());
        let ingest = read_bytes("t.jsonl", &t.as_bytes()[..cut]);
        let total = ingest.collection.records().count() as u64 + ingest.report.skipped_total();
        prop_assert!(total <= 1);
        prop_assert_eq!(total, u64::from(!t.as_bytes()[..cut].trim_ascii().is_empty()));
    }
}
