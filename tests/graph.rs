//! Interaction and co-action graphs on hand-made collections with exact expected edges, the
//! tiny CSV of coordination-network-toolkit's walkthrough, the CooRTweet-compatible mode, the
//! cap on huge objects, and determinism across thread counts.

use coordgraph::graph::{
    Backbone, CoActionGraph, CoActionKind, CoActionOptions, CooRTweetOptions, CoordinationGraph,
    EdgeCsvColumns, EdgeCsvFormat, InteractionKind, PairedLayer, Weighting, build_co_action_graph,
    build_interaction_graph, coortweet_compatible, write_edges_csv,
};
use coordgraph::model::{
    AccountRef, Collection, CollectionBuilder, NewPost, Origin, PostIx, PostKind, PostRef,
    TextFingerprint,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Builds collections post by post.
#[derive(Default)]
struct Fixture {
    b: CollectionBuilder,
    scratch: String,
}

/// What a post refers to.
#[derive(Clone, Copy)]
enum Ref<'a> {
    None,
    Retweet(&'a str),
    Quote(&'a str),
    Reply(&'a str),
}

impl Fixture {
    /// A post at `ms` milliseconds.
    fn post_ms(&mut self, id: &str, author: &str, ms: i64, r: Ref<'_>, text: &str) -> PostIx {
        self.post_with(id, author, ms, r, text, Origin::Record)
    }

    fn post_with(
        &mut self,
        id: &str,
        author: &str,
        ms: i64,
        r: Ref<'_>,
        text: &str,
        origin: Origin,
    ) -> PostIx {
        let target = |id| {
            Some(PostRef {
                id,
                author: AccountRef::default(),
            })
        };
        let (kind, shared, reply_to) = match r {
            Ref::None => (PostKind::Original, None, None),
            Ref::Retweet(of) => (PostKind::Retweet, target(of), None),
            Ref::Quote(of) => (PostKind::Quote, target(of), None),
            Ref::Reply(to) => (PostKind::Reply, None, target(to)),
        };
        let fingerprint = TextFingerprint::of_text(text, &mut self.scratch);
        self.b
            .add_post(&NewPost {
                id,
                author: AccountRef {
                    id: Some(author),
                    handle: Some(author),
                },
                time_ms: ms,
                kind,
                origin,
                shared,
                reply_to,
                fingerprint,
                text: if kind == PostKind::Retweet { "" } else { text },
                client: None,
                lang: None,
                merge_rows: true,
            })
            .expect("new post")
    }

    /// A post at `secs` seconds.
    fn post(&mut self, id: &str, author: &str, secs: i64, r: Ref<'_>, text: &str) -> PostIx {
        self.post_ms(id, author, secs * 1000, r, text)
    }

    fn finish(self) -> Collection {
        self.b.finish().0
    }
}

/// An edge as (source id, target id, weight, pairs, min_dt ms, median_dt ms), ids ordered.
type Row = (String, String, f64, u64, u32, f64);

fn rows(c: &Collection, g: &CoActionGraph) -> Vec<Row> {
    let mut out: Vec<Row> = g
        .edges
        .iter()
        .map(|e| {
            let (s, t) = (c.account_id(e.source), c.account_id(e.target));
            let (s, t) = if s <= t { (s, t) } else { (t, s) };
            (
                s.into_owned(),
                t.into_owned(),
                e.weight,
                e.pairs,
                e.min_dt_ms,
                e.median_dt_ms,
            )
        })
        .collect();
    out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    out
}

fn row(s: &str, t: &str, weight: f64, pairs: u64, min_dt_ms: u32, median_dt_ms: f64) -> Row {
    (s.into(), t.into(), weight, pairs, min_dt_ms, median_dt_ms)
}

fn build(c: &Collection, kind: CoActionKind) -> CoActionGraph {
    build_co_action_graph(c, kind, &CoActionOptions::default()).unwrap()
}

fn build_with(c: &Collection, kind: CoActionKind, options: &CoActionOptions) -> CoActionGraph {
    build_co_action_graph(c, kind, options).unwrap()
}

#[test]
fn co_retweet_window_is_inclusive_in_milliseconds() {
    let mut f = Fixture::default();
    // The original, embedded in the retweets: an object, never an action.
    f.post_with("100", "src", 1_000_000, Ref::None, "", Origin::Embedded);
    f.post_ms("1", "a", 1_000_000, Ref::Retweet("100"), "");
    f.post_ms("2", "b", 1_060_000, Ref::Retweet("100"), ""); // Δt(a) = 60 s: in
    f.post_ms("3", "c", 1_121_000, Ref::Retweet("100"), ""); // Δt(b) = 61 s: out
    f.post_ms("4", "d", 1_060_500, Ref::Retweet("100"), ""); // Δt(a) = 60.5 s: out; (b) 0.5 s
    f.post_ms("5", "c", 1_121_500, Ref::Retweet("100"), ""); // Δt(d) = 61 s: out
    // A second post: a and b again, 30 s apart.
    f.post_ms("6", "a", 2_000_000, Ref::Retweet("101"), "");
    f.post_ms("7", "b", 2_030_000, Ref::Retweet("101"), "");
    let c = f.finish();
    let g = build(&c, CoActionKind::CoRetweet);
    assert_eq!(
        rows(&c, &g),
        vec![
            row("a", "b", 2.0, 2, 30_000, 45_000.0),
            row("b", "d", 1.0, 1, 500, 500.0),
        ]
    );
    let ab = g.edges.iter().find(|e| e.objects == 2).unwrap();
    assert_eq!((ab.first_ms, ab.last_ms), (1_000_000, 2_030_000));
    assert!(g.warnings.is_empty());
    // W = 61 admits a–d (60.5 s), b–c@1121 (61 s), and d–c twice (60.5 s, 61 s).
    let wide = CoActionOptions {
        window_secs: 61,
        ..Default::default()
    };
    let g = build_with(&c, CoActionKind::CoRetweet, &wide);
    assert_eq!(
        rows(&c, &g)
            .iter()
            .map(|r| (r.0.as_str(), r.1.as_str(), r.3))
            .collect::<Vec<_>>(),
        [
            ("a", "b", 2),
            ("a", "d", 1),
            ("b", "c", 1),
            ("b", "d", 1),
            ("c", "d", 2)
        ]
    );
}

#[test]
fn edges_count_who_acted_first() {
    let mut f = Fixture::default();
    // Post 100: a, then b 5 s later, then c at the same instant as b.
    f.post("1", "a", 1_000, Ref::Retweet("100"), "");
    f.post("2", "b", 1_005, Ref::Retweet("100"), "");
    f.post("3", "c", 1_005, Ref::Retweet("100"), "");
    // Post 101: b first, a 10 s later; c 50 s after b.
    f.post("4", "b", 2_000, Ref::Retweet("101"), "");
    f.post("5", "a", 2_010, Ref::Retweet("101"), "");
    f.post("6", "c", 2_050, Ref::Retweet("101"), "");
    // Post 102: c leads a and b by 1 s.
    f.post("7", "c", 3_000, Ref::Retweet("102"), "");
    f.post("8", "a", 3_001, Ref::Retweet("102"), "");
    f.post("9", "b", 3_001, Ref::Retweet("102"), "");
    let c = f.finish();
    let g = build(&c, CoActionKind::CoRetweet);
    let leads: Vec<(String, String, u64, u64, u64)> = g
        .edges
        .iter()
        .map(|e| {
            (
                c.account_id(e.source).into_owned(),
                c.account_id(e.target).into_owned(),
                e.pairs,
                e.source_first,
                e.target_first,
            )
        })
        .collect();
    let edge = |s: &str, t: &str, pairs, first, second| (s.into(), t.into(), pairs, first, second);
    assert_eq!(
        leads,
        vec![
            // a–b: a first on 100, b first on 101, b and a together on 102.
            edge("a", "b", 3, 1, 1),
            // a–c: a first on 100, a first on 101 (40 s), c first on 102.
            edge("a", "c", 3, 2, 1),
            // b–c: together on 100, b first on 101, c first on 102.
            edge("b", "c", 3, 1, 1),
        ]
    );
    let mut out = Vec::new();
    let columns = EdgeCsvColumns {
        leads: true,
        handles: false,
    };
    write_edges_csv(&mut out, &g, &c, columns).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "source,target,weight,pairs,min_dt,median_dt,first,last,source_first,target_first"
    );
    assert_eq!(
        lines[2],
        "a,c,3,3,1,5,1970-01-01T00:16:40Z,1970-01-01T00:50:01Z,2,1"
    );
}

#[test]
fn co_hashtag_folds_case_counts_repeats_and_never_self_pairs() {
    let mut f = Fixture::default();
    let p = f.post("1", "a", 0, Ref::None, "x #Tag");
    f.b.add_hashtag(p, "#Tag");
    let p = f.post("2", "b", 5, Ref::None, "y #tag");
    f.b.add_hashtag(p, "tag");
    let p = f.post("3", "a", 10, Ref::None, "z #TAG");
    f.b.add_hashtag(p, "#TAG");
    let p = f.post("4", "a", 20, Ref::None, "w #tag");
    f.b.add_hashtag(p, "tag");
    // Another tag at the same time: no pair.
    let p = f.post("5", "c", 0, Ref::None, "#other");
    f.b.add_hashtag(p, "other");
    // A retweet carrying the tag is amplification, not a co-hashtag action.
    let p = f.post("6", "d", 6, Ref::Retweet("1"), "");
    f.b.add_hashtag(p, "tag");
    // Same account, same tag, within the window: never a pair.
    let p = f.post("7", "e", 1000, Ref::None, "#solo");
    f.b.add_hashtag(p, "solo");
    let p = f.post("8", "e", 1001, Ref::None, "#solo");
    f.b.add_hashtag(p, "solo");
    let c = f.finish();
    let g = build(&c, CoActionKind::CoHashtag);
    // Pairs: a@0–b@5 (5 s), b@5–a@10 (5 s), b@5–a@20 (15 s); a–a never.
    assert_eq!(rows(&c, &g), vec![row("a", "b", 1.0, 3, 5_000, 5_000.0)]);
    let e = g.edges[0];
    assert_eq!((e.first_ms, e.last_ms), (0, 20_000));
    // Retweets do count in co-post.
    let g = build(&c, CoActionKind::CoPost);
    assert!(rows(&c, &g).iter().any(|r| r.0 == "a" && r.1 == "d"));
}

#[test]
fn empty_urls_never_match_and_domains_count_once_per_post() {
    let mut f = Fixture::default();
    let p = f.post("1", "a", 0, Ref::None, "link");
    f.b.add_url(p, "");
    let p = f.post("2", "b", 1, Ref::None, "link");
    f.b.add_url(p, "  ");
    let p = f.post("3", "c", 2, Ref::None, "link");
    f.b.add_url(p, "http://ex.com/a");
    f.b.add_url(p, "http://ex.com/c");
    let p = f.post("4", "d", 3, Ref::None, "link");
    f.b.add_url(p, "HTTP://EX.com/a?utm_source=tw");
    let p = f.post("5", "e", 4, Ref::None, "link");
    f.b.add_url(p, "https://www.ex.com/b");
    let c = f.finish();
    let g = build(&c, CoActionKind::CoUrl);
    assert_eq!(rows(&c, &g), vec![row("c", "d", 1.0, 1, 1_000, 1_000.0)]);
    let g = build(&c, CoActionKind::CoDomain);
    assert_eq!(
        rows(&c, &g),
        vec![
            row("c", "d", 1.0, 1, 1_000, 1_000.0),
            row("c", "e", 1.0, 1, 2_000, 2_000.0),
            row("d", "e", 1.0, 1, 1_000, 1_000.0),
        ]
    );
}

#[test]
fn co_reply_co_quote_and_co_mention() {
    let mut f = Fixture::default();
    f.post("900", "src", 0, Ref::None, "the original post");
    f.post("1", "a", 10, Ref::Reply("900"), "reply one");
    f.post("2", "b", 20, Ref::Reply("900"), "reply two");
    f.post("3", "c", 200, Ref::Reply("900"), "late reply");
    f.post("4", "a", 30, Ref::Quote("900"), "quote one");
    f.post("5", "c", 40, Ref::Quote("900"), "quote two");
    let p = f.post("6", "b", 50, Ref::None, "hi @x");
    f.b.add_mention(
        p,
        AccountRef {
            id: None,
            handle: Some("x"),
        },
    );
    let p = f.post("7", "c", 55, Ref::None, "hello @X");
    f.b.add_mention(
        p,
        AccountRef {
            id: None,
            handle: Some("X"),
        },
    );
    let c = f.finish();
    assert_eq!(
        rows(&c, &build(&c, CoActionKind::CoReply)),
        vec![row("a", "b", 1.0, 1, 10_000, 10_000.0)]
    );
    assert_eq!(
        rows(&c, &build(&c, CoActionKind::CoQuote)),
        vec![row("a", "c", 1.0, 1, 10_000, 10_000.0)]
    );
    assert_eq!(
        rows(&c, &build(&c, CoActionKind::CoMention)),
        vec![row("b", "c", 1.0, 1, 5_000, 5_000.0)]
    );
}

#[test]
fn co_text_normalises_and_skips_short_texts() {
    let mut f = Fixture::default();
    f.post("1", "a", 0, Ref::None, "@x Vote Le Pen now https://t.co/1");
    f.post("2", "b", 3, Ref::None, "@y  vote le pen NOW");
    f.post("3", "c", 4, Ref::None, "vote le pen tomorrow");
    f.post("4", "a", 100, Ref::None, "ok");
    f.post("5", "b", 101, Ref::None, "OK");
    let c = f.finish();
    let g = build(&c, CoActionKind::CoText);
    assert_eq!(rows(&c, &g), vec![row("a", "b", 1.0, 1, 3_000, 3_000.0)]);
    let short = CoActionOptions {
        min_text_chars: 2,
        ..Default::default()
    };
    let g = build_with(&c, CoActionKind::CoText, &short);
    assert_eq!(rows(&c, &g), vec![row("a", "b", 2.0, 2, 1_000, 2_000.0)]);
}

#[test]
fn near_duplicate_text_verifies_jaccard_and_window() {
    let mut f = Fixture::default();
    // Token sets: 5 tokens; +1 token (5/6 ≈ 0.83, in); +2 tokens (5/7 ≈ 0.71, out).
    f.post(
        "1",
        "a",
        0,
        Ref::None,
        "the documents prove everything today",
    );
    f.post(
        "2",
        "b",
        10,
        Ref::None,
        "The documents prove everything today WOW",
    );
    f.post(
        "3",
        "c",
        20,
        Ref::None,
        "the documents prove everything today wow again",
    );
    // Identical text, but 61 s after b: out of the window for a and b, in for c (41 s).
    f.post(
        "4",
        "d",
        61,
        Ref::None,
        "the documents prove everything today",
    );
    let c = f.finish();
    let g = build(&c, CoActionKind::NearDuplicateText);
    // b–c: 6/7 ≈ 0.857 (in). c–d: 5/7 (out). a–d: 61 s (out). b–d: 5/6 at 51 s (in).
    assert_eq!(
        rows(&c, &g),
        vec![
            row("a", "b", 1.0, 1, 10_000, 10_000.0),
            row("b", "c", 1.0, 1, 10_000, 10_000.0),
            row("b", "d", 1.0, 1, 51_000, 51_000.0),
        ]
    );
    let strict = CoActionOptions {
        similarity_threshold: 0.85,
        ..Default::default()
    };
    let g = build_with(&c, CoActionKind::NearDuplicateText, &strict);
    assert_eq!(rows(&c, &g), vec![row("b", "c", 1.0, 1, 10_000, 10_000.0)]);
}

#[test]
fn co_post_and_co_object() {
    let mut f = Fixture::default();
    let p = f.post("1", "a", 0, Ref::None, "one");
    f.b.add_object(p, "img1");
    let p = f.post("2", "b", 30, Ref::None, "two");
    f.b.add_object(p, "img1");
    f.b.add_object(p, "img2");
    let p = f.post("3", "c", 100, Ref::None, "three");
    f.b.add_object(p, "img2");
    f.b.add_object(p, "");
    let c = f.finish();
    assert_eq!(
        rows(&c, &build(&c, CoActionKind::CoPost)),
        vec![row("a", "b", 1.0, 1, 30_000, 30_000.0)]
    );
    assert_eq!(
        rows(&c, &build(&c, CoActionKind::CoObject)),
        vec![row("a", "b", 1.0, 1, 30_000, 30_000.0)]
    );
}

/// The tiny CSV of coordination-network-toolkit's walkthrough (PEERS.md (d)), fed through the
/// builder as its CSV reader would: `repost_id` makes a retweet, `reply_id` a reply.
fn peers_tiny() -> Collection {
    let rows: [(&str, &str, &str, &str, &str, i64, &str); 17] = [
        ("1", "u1", "900", "", "RT @src: Macron leaks here", 1000, ""),
        ("2", "u2", "900", "", "RT @src: Macron leaks here", 1005, ""),
        ("3", "u3", "900", "", "RT @src: Macron leaks here", 1010, ""),
        ("4", "u1", "901", "", "RT @src: second leak", 2000, ""),
        ("5", "u2", "901", "", "RT @src: second leak", 2003, ""),
        ("6", "u3", "901", "", "RT @src: second leak", 2030, ""),
        ("7", "u4", "900", "", "RT @src: Macron leaks here", 9000, ""),
        (
            "8",
            "u1",
            "",
            "",
            "@x Vote Le Pen now #MacronLeaks",
            3000,
            "http://ex.com/a",
        ),
        (
            "9",
            "u2",
            "",
            "",
            "@y vote le pen NOW #MacronLeaks",
            3002,
            "http://ex.com/a",
        ),
        (
            "10",
            "u1",
            "",
            "",
            "The documents prove everything #MacronLeaks",
            4000,
            "http://ex.com/b",
        ),
        (
            "11",
            "u2",
            "",
            "",
            "the documents prove everything #macronleaks",
            4001,
            "http://ex.com/b",
        ),
        (
            "12",
            "u3",
            "",
            "",
            "the documents prove almost everything today #MacronLeaks",
            4003,
            "",
        ),
        (
            "13",
            "u5",
            "",
            "",
            "the documents prove everything #MacronLeaks wow",
            4004,
            "http://ex.com/b",
        ),
        ("14", "u3", "", "800", "replying here", 5000, ""),
        ("15", "u5", "", "800", "replying too", 5001, ""),
        ("16", "u3", "", "801", "again", 6000, ""),
        ("17", "u5", "", "801", "again me", 6003, ""),
    ];
    let mut f = Fixture::default();
    for (id, user, repost, reply, message, ts, urls) in rows {
        let r = match (repost, reply) {
            ("", "") => Ref::None,
            (of, "") => Ref::Retweet(of),
            (_, to) => Ref::Reply(to),
        };
        let p = f.post(id, user, ts, r, message);
        for url in urls.split(' ') {
            f.b.add_url(p, url);
        }
    }
    f.finish()
}

#[test]
fn peers_tiny_csv_gives_the_toolkit_edges_without_its_empty_url_edge() {
    let c = peers_tiny();
    let min2 = CoActionOptions {
        min_weight: 2.0,
        ..Default::default()
    };
    let edges = |kind| {
        rows(&c, &build_with(&c, kind, &min2))
            .into_iter()
            .map(|r| (r.0, r.1, r.2))
            .collect::<Vec<_>>()
    };
    let e = |s: &str, t: &str, w: f64| (s.to_string(), t.to_string(), w);
    // u4 retweets 8000 s later: no edge.
    assert_eq!(
        edges(CoActionKind::CoRetweet),
        [e("u1", "u2", 2.0), e("u1", "u3", 2.0), e("u2", "u3", 2.0)]
    );
    assert_eq!(edges(CoActionKind::CoText), [e("u1", "u2", 2.0)]);
    assert_eq!(edges(CoActionKind::CoReply), [e("u3", "u5", 2.0)]);
    // The toolkit also gives u3–u5 = 2 here: their replies have empty URLs.
    assert_eq!(edges(CoActionKind::CoUrl), [e("u1", "u2", 2.0)]);
    assert_eq!(edges(CoActionKind::NearDuplicateText), [e("u1", "u2", 2.0)]);
    // Below weight 2, eve's "… wow" (Jaccard 5/6) joins u1 and u2 once each; carol's text
    // (5/7) does not.
    let all = build(&c, CoActionKind::NearDuplicateText);
    assert_eq!(
        rows(&c, &all)
            .iter()
            .map(|r| (r.0.as_str(), r.1.as_str(), r.2))
            .collect::<Vec<_>>(),
        [("u1", "u2", 2.0), ("u1", "u5", 1.0), ("u2", "u5", 1.0)]
    );
}

/// A CooRTweet share table, one row per (object, account, content, time), worked by hand
/// below.
#[test]
fn coortweet_mode_follows_the_written_semantics() {
    let shares: [(&str, &str, &str, i64); 23] = [
        ("o1", "A", "c1", 0),
        ("o1", "B", "c2", 5),
        ("o1", "C", "c3", 12),
        ("o1", "D", "c4", 30),
        ("o2", "A", "c5", 100),
        ("o2", "B", "c6", 110),
        ("o2", "C", "c7", 200),
        ("o3", "A", "c8", 300),
        ("o3", "E", "c9", 305),
        ("o4", "F", "c10", 400),
        ("o4", "B", "c11", 402),
        ("o5", "E", "c12", 500),
        ("o5", "G", "c13", 500),
        ("o7", "H", "c16", 700),
        ("o7", "I", "c17", 705),
        ("o8", "H", "c18", 800),
        ("o9", "I", "c19", 900),
        ("c20", "J", "c20", 1000),
        ("c20", "K", "c21", 1002),
        ("o11", "J", "c22", 1100),
        ("o12", "K", "c23", 1200),
        ("o13", "C", "c24", 1300),
        ("o14", "E", "c25", 1400),
    ];
    let mut f = Fixture::default();
    for (object, account, content, t) in shares {
        let p = f.post(content, account, t, Ref::None, "");
        f.b.add_object(p, object);
    }
    let c = f.finish();
    let options = CooRTweetOptions::default(); // time_window 10, min_participation 2, 0.5
    let net = coortweet_compatible(&c, CoActionKind::CoObject, &options).unwrap();
    // 1. Pre-filter (≥ 2 rows): D, F and G (one row each) go.
    // 2. Pairs within 10 s: o1 A–B (5), B–C (7) [A–C 12 out]; o2 A–B (10, inclusive)
    //    [B–C 90 out]; o3 A–E (5); o7 H–I (5); c20 J–K (2). o4, o5: one account left.
    // 3. Loops: J–K's object "c20" is J's content id: dropped.
    // 4. Post-filter, shares in a remaining pair per account: A 3 (c1 c5 c8), B 2 (c2 c6),
    //    C 1 (c3), E 1 (c9), H 1, I 1. B–C stays (B qualifies: OR), A–E stays (A), H–I goes.
    // 5. Weights: A–B 2 (Δt 5, 10: mean 7.5), A–E 1 (5), B–C 1 (7). Quantile 0.5 of
    //    [1, 1, 2] is 1: only A–B is above.
    let got: Vec<(String, String, u64, f64, bool)> = net
        .edges
        .iter()
        .map(|e| {
            (
                c.account_id(e.source).into_owned(),
                c.account_id(e.target).into_owned(),
                e.weight,
                e.avg_time_delta,
                e.weight_threshold,
            )
        })
        .collect();
    let e = |s: &str, t: &str, w, d, flag| (s.to_string(), t.to_string(), w, d, flag);
    assert_eq!(
        got,
        [
            e("A", "B", 2, 7.5, true),
            e("A", "E", 1, 5.0, false),
            e("B", "C", 1, 7.0, false),
        ]
    );
    assert_eq!(net.threshold, 1.0);
    assert!(net.warnings.is_empty());
}

#[test]
fn a_huge_object_is_capped_with_a_warning() {
    let mut f = Fixture::default();
    f.post_with("777", "star", 0, Ref::None, "viral", Origin::Embedded);
    for k in 0..2000 {
        f.post(
            &format!("r{k}"),
            &format!("acct{k}"),
            60,
            Ref::Retweet("777"),
            "",
        );
    }
    let c = f.finish();
    let options = CoActionOptions {
        max_pairs_per_object: 100_000,
        ..Default::default()
    };
    let g = build_with(&c, CoActionKind::CoRetweet, &options);
    // All 2000 at one second: 1,999,000 pairs. Actions i = 0, 1, … each start 1999 − i
    // pairs; whole actions are kept while the running sum stays ≤ 100,000.
    let (mut kept, mut i) = (0u64, 0u64);
    while kept + (1999 - i) <= 100_000 {
        kept += 1999 - i;
        i += 1;
    }
    assert_eq!(g.warnings.len(), 1);
    let w = &g.warnings[0];
    assert_eq!(w.object, "post 777");
    assert_eq!((w.actions, w.pairs), (2000, 1_999_000));
    assert_eq!(w.not_materialised, 1_999_000 - kept);
    assert_eq!(g.edges.len() as u64, kept);
    assert_eq!(g.stats.pairs_not_materialised, 1_999_000 - kept);
    assert!(w.to_string().contains("post 777"));
}

#[test]
fn interaction_layers_count_directed_edges() {
    let mut f = Fixture::default();
    f.post("1", "b", 0, Ref::None, "post one");
    f.post("2", "b", 5, Ref::None, "post two");
    f.post("3", "a", 10, Ref::Retweet("1"), "");
    f.post("4", "a", 20, Ref::Retweet("2"), "");
    f.post("5", "a", 30, Ref::Quote("1"), "quoting");
    f.post("6", "c", 40, Ref::Reply("1"), "replying");
    f.post("7", "b", 50, Ref::Reply("2"), "self thread");
    let p = f.post("8", "c", 60, Ref::None, "hey @a");
    f.b.add_mention(
        p,
        AccountRef {
            id: Some("a"),
            handle: None,
        },
    );
    let p = f.post("9", "d", 70, Ref::Retweet("8"), "");
    f.b.add_mention(
        p,
        AccountRef {
            id: Some("a"),
            handle: None,
        },
    );
    let c = f.finish();
    let g = build_interaction_graph(&c);
    let layer = |k| {
        g.layer(k)
            .iter()
            .map(|e| {
                (
                    c.account_id(e.source).into_owned(),
                    c.account_id(e.target).into_owned(),
                    e.count,
                    e.first_ms / 1000,
                    e.last_ms / 1000,
                )
            })
            .collect::<Vec<_>>()
    };
    let e = |s: &str, t: &str, n, first, last| (s.to_string(), t.to_string(), n, first, last);
    assert_eq!(
        layer(InteractionKind::Retweet),
        [e("a", "b", 2, 10, 20), e("d", "c", 1, 70, 70)]
    );
    assert_eq!(layer(InteractionKind::Quote), [e("a", "b", 1, 30, 30)]);
    assert_eq!(layer(InteractionKind::Reply), [e("c", "b", 1, 40, 40)]);
    assert_eq!(layer(InteractionKind::Mention), [e("c", "a", 1, 60, 60)]);
    let pg = g.to_petgraph();
    assert_eq!((pg.node_count(), pg.edge_count()), (4, 5));
}

#[test]
fn tfidf_cosine_weights_and_backbone() {
    let mut f = Fixture::default();
    f.post("1", "a", 0, Ref::Retweet("x"), "");
    f.post("2", "b", 10, Ref::Retweet("x"), "");
    f.post("3", "b", 100, Ref::Retweet("y"), "");
    f.post("4", "c", 10_000, Ref::Retweet("y"), "");
    let c = f.finish();
    let options = CoActionOptions {
        weighting: Weighting::TfIdfCosine,
        ..Default::default()
    };
    let g = build_with(&c, CoActionKind::CoRetweet, &options);
    // N = 3, df(x) = df(y) = 2: equal idf. a = (1, 0), b = (1, 1)/√2: cosine 1/√2.
    assert_eq!(g.edges.len(), 1);
    assert!((g.edges[0].weight - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-12);
    let options = CoActionOptions {
        min_weight: 0.8,
        ..options
    };
    assert!(
        build_with(&c, CoActionKind::CoRetweet, &options)
            .edges
            .is_empty()
    );
}

#[test]
fn crowd_discounted_weights_count_crowded_objects_as_a_share() {
    let mut f = Fixture::default();
    // Post x: five retweets, four within one minute (peak crowd 4), the fifth 100 s later.
    for (id, who, at) in [("1", "a", 0), ("2", "b", 5), ("3", "c", 10), ("4", "d", 60)] {
        f.post(id, who, at, Ref::Retweet("x"), "");
    }
    f.post("5", "e", 160, Ref::Retweet("x"), "");
    // Post y: a and b alone (peak crowd 2); post z: a, b and c within a minute (3).
    f.post("6", "a", 1_000, Ref::Retweet("y"), "");
    f.post("7", "b", 1_030, Ref::Retweet("y"), "");
    for (id, who, at) in [("8", "a", 2_000), ("9", "b", 2_001), ("10", "c", 2_002)] {
        f.post(id, who, at, Ref::Retweet("z"), "");
    }
    let c = f.finish();
    let options = CoActionOptions {
        weighting: Weighting::CrowdDiscounted { crowd: 3 },
        ..Default::default()
    };
    let g = build_with(&c, CoActionKind::CoRetweet, &options);
    // x counts 3/4, y and z (crowds 2 and 3) count 1; d–e meet at 100 s: out of the window.
    let weights: Vec<(String, String, f64, u32)> = g
        .edges
        .iter()
        .map(|e| {
            let (s, t) = (c.account_id(e.source), c.account_id(e.target));
            (s.into_owned(), t.into_owned(), e.weight, e.objects)
        })
        .collect();
    let expected = [
        ("a", "b", 0.75 + 1.0 + 1.0, 3),
        ("a", "c", 0.75 + 1.0, 2),
        ("a", "d", 0.75, 1),
        ("b", "c", 0.75 + 1.0, 2),
        ("b", "d", 0.75, 1),
        ("c", "d", 0.75, 1),
    ];
    assert_eq!(weights.len(), expected.len());
    for (got, want) in weights.iter().zip(expected) {
        assert_eq!(
            (got.0.as_str(), got.1.as_str(), got.3),
            (want.0, want.1, want.3)
        );
        assert!((got.2 - want.2).abs() < 1e-12, "{got:?} against {want:?}");
    }
    // A crowd as large as the peak counts every object 1, as Count does.
    let full = CoActionOptions {
        weighting: Weighting::CrowdDiscounted { crowd: 4 },
        ..Default::default()
    };
    assert_eq!(
        rows(&c, &build_with(&c, CoActionKind::CoRetweet, &full)),
        rows(&c, &build(&c, CoActionKind::CoRetweet))
    );
    let none = CoActionOptions {
        weighting: Weighting::CrowdDiscounted { crowd: 0 },
        ..Default::default()
    };
    assert!(build_co_action_graph(&c, CoActionKind::CoRetweet, &none).is_err());
}

#[test]
fn crowd_discounted_near_duplicates_share_by_cluster() {
    let mut f = Fixture::default();
    // One cluster of three near-identical texts within 20 s, and a pair of another text.
    let text = "the documents prove everything today";
    f.post("1", "a", 0, Ref::None, text);
    f.post("2", "b", 10, Ref::None, text);
    f.post("3", "c", 20, Ref::None, text);
    let other = "nothing to see in these files at all";
    f.post("4", "a", 500, Ref::None, other);
    f.post("5", "b", 510, Ref::None, other);
    let c = f.finish();
    let options = CoActionOptions {
        weighting: Weighting::CrowdDiscounted { crowd: 2 },
        ..Default::default()
    };
    let g = build_with(&c, CoActionKind::NearDuplicateText, &options);
    let weights: Vec<f64> = g.edges.iter().map(|e| e.weight).collect();
    // a–b: 2/3 (the crowded cluster) + 1; a–c and b–c: 2/3.
    let expected = [2.0 / 3.0 + 1.0, 2.0 / 3.0, 2.0 / 3.0];
    assert_eq!(weights.len(), 3);
    for (got, want) in weights.iter().zip(expected) {
        assert!((got - want).abs() < 1e-12, "{weights:?}");
    }
}

#[test]
fn layers_combine_with_per_layer_weights() {
    let c = peers_tiny();
    let rt = build(&c, CoActionKind::CoRetweet);
    let url = build(&c, CoActionKind::CoUrl);
    let g = CoordinationGraph::combine(&[rt, url], Some(&[1.0, 10.0])).unwrap();
    assert_eq!(g.layers, [CoActionKind::CoRetweet, CoActionKind::CoUrl]);
    // Co-retweet: u1u2, u1u3, u2u3 (2 each). Co-URL: u1u2 (2), u1u5 (1), u2u5 (1).
    assert_eq!(g.graph.edge_count(), 5);
    let u1 = g.node_of(c.accounts.ids.get("u1").unwrap()).unwrap();
    let u2 = g.node_of(c.accounts.ids.get("u2").unwrap()).unwrap();
    let e = g.graph.find_edge(u1, u2).unwrap();
    assert_eq!(g.graph[e].weight, 22.0);
    assert_eq!(g.graph[e].layers, 0b11);
    assert_eq!((g.layer_weight(e, 0), g.layer_weight(e, 1)), (2.0, 2.0));
    assert!(CoordinationGraph::combine(&[], Some(&[1.0])).is_err());
}

#[test]
fn edges_write_as_csv() {
    let c = peers_tiny();
    let g = build(&c, CoActionKind::CoReply);
    let mut out = Vec::new();
    let columns = EdgeCsvColumns {
        leads: false,
        handles: true,
    };
    write_edges_csv(&mut out, &g, &c, columns).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "source,target,weight,pairs,min_dt,median_dt,first,last,source_handle,target_handle\n\
         u3,u5,2,2,1,2,1970-01-01T01:23:20Z,1970-01-01T01:40:03Z,u3,u5\n"
    );
}

/// A random collection: retweet cascades, hashtags, URLs, mentions and copied texts.
fn random_collection(posts: usize, seed: u64) -> Collection {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut f = Fixture::default();
    let accounts = 3_000;
    let originals = posts / 10;
    let mut texts: Vec<String> = Vec::new();
    for k in 0..posts {
        let author = format!("{}", rng.random_range(0..accounts));
        let t = rng.random_range(0..3_600_000i64);
        let id = format!("{k}");
        let roll = rng.random_range(0..10);
        // Mostly fresh texts over 500 words; one in five copies an earlier text, perhaps
        // with a word added.
        let text = if !texts.is_empty() && rng.random_range(0..5) == 0 {
            let mut copy = texts[rng.random_range(0..texts.len())].clone();
            if rng.random_range(0..2) == 0 {
                copy.push_str(&format!(" w{}", rng.random_range(0..500)));
            }
            copy
        } else {
            (0..rng.random_range(5..12))
                .map(|_| format!("w{}", rng.random_range(0..500)))
                .collect::<Vec<_>>()
                .join(" ")
        };
        if texts.len() < 2_000 {
            texts.push(text.clone());
        }
        let p = if k < originals || roll < 3 {
            f.post_ms(&id, &author, t, Ref::None, &text)
        } else if roll < 8 {
            let of = format!("{}", rng.random_range(0..originals));
            f.post_ms(&id, &author, t, Ref::Retweet(&of), "")
        } else {
            let to = format!("{}", rng.random_range(0..originals));
            f.post_ms(&id, &author, t, Ref::Reply(&to), &text)
        };
        f.b.add_hashtag(p, &format!("tag{}", rng.random_range(0..200)));
        f.b.add_url(
            p,
            &format!(
                "http://site{}.com/{}",
                rng.random_range(0..50),
                rng.random_range(0..40)
            ),
        );
        f.b.add_object(p, &format!("img{}", rng.random_range(0..5000)));
    }
    f.finish()
}

/// Default options with a cap that the random collection's co-post baseline reaches.
fn capped_options() -> CoActionOptions {
    CoActionOptions {
        max_pairs_per_object: 20_000,
        ..Default::default()
    }
}

fn all_kinds_csv(c: &Collection, options: &CoActionOptions) -> Vec<u8> {
    let mut out = Vec::new();
    for kind in CoActionKind::ALL {
        let g = build_with(c, kind, options);
        let columns = EdgeCsvColumns {
            leads: true,
            handles: false,
        };
        write_edges_csv(&mut out, &g, c, columns).unwrap();
        for w in &g.warnings {
            out.extend(w.to_string().bytes());
        }
        let (streamed, stats) = streamed_csv(c, kind, options, columns);
        assert_eq!(stats, g.stats, "{kind}");
        out.extend(streamed);
    }
    out
}

/// The edge list of [`PairedLayer::stream`] through [`EdgeCsvFormat`], with the streamed
/// graph's counters; checks that the edge count and the warnings are the whole graph's.
fn streamed_csv(
    c: &Collection,
    kind: CoActionKind,
    options: &CoActionOptions,
    columns: EdgeCsvColumns,
) -> (Vec<u8>, coordgraph::graph::CoActionStats) {
    let layer = PairedLayer::new(c, kind, options).unwrap();
    let format = EdgeCsvFormat::new(c, columns, layer.edges_at_most());
    let mut out = format.header();
    let mut runs = 0;
    let g = layer
        .stream(
            |edges| {
                assert!(!edges.is_empty(), "runs are never empty");
                format.records(edges)
            },
            |run| {
                runs += 1;
                // Later runs are laid out over this one's bytes.
                format.write_records(&mut out, run)
            },
        )
        .unwrap();
    let whole = build_with(c, kind, options);
    assert_eq!(g.edges, whole.edges.len() as u64, "{kind}");
    assert_eq!(g.warnings, whole.warnings, "{kind}");
    assert_eq!(runs == 0, whole.edges.is_empty(), "{kind}");
    (out, g.stats)
}

/// Streamed edges, cut into runs and formatted a run at a time, are the whole graph's edge
/// list byte for byte, for every kind, with filters, weightings and backbones.
#[test]
fn streamed_edge_lists_match_the_whole_graphs() {
    let c = random_collection(20_000, 11);
    let base = capped_options();
    let variants = [
        base.clone(),
        CoActionOptions {
            min_weight: 2.0,
            ..base.clone()
        },
        CoActionOptions {
            weighting: Weighting::CrowdDiscounted { crowd: 5 },
            min_weight: 0.5,
            ..base.clone()
        },
        CoActionOptions {
            weighting: Weighting::TfIdfCosine,
            backbone: Backbone::TopKPerNode(2),
            ..base.clone()
        },
        CoActionOptions {
            backbone: Backbone::TopFraction(0.3),
            ..base.clone()
        },
    ];
    let columns = EdgeCsvColumns {
        leads: true,
        handles: true,
    };
    let mut edges = 0;
    for options in &variants {
        for kind in CoActionKind::ALL {
            let g = build_with(&c, kind, options);
            edges += g.edges.len();
            let mut whole = Vec::new();
            write_edges_csv(&mut whole, &g, &c, columns).unwrap();
            let (streamed, stats) = streamed_csv(&c, kind, options, columns);
            assert_eq!(stats, g.stats, "{kind} {options:?}");
            assert!(
                streamed == whole,
                "{kind} {options:?}: streamed edge list differs"
            );
        }
    }
    assert!(
        edges > 100_000,
        "the random collection should give many edges"
    );
}

/// A failing writer stops the stream at its first error, which the stream returns.
#[test]
fn a_stream_stops_at_the_first_error() {
    let c = random_collection(5_000, 3);
    let layer = || PairedLayer::new(&c, CoActionKind::CoPost, &CoActionOptions::default()).unwrap();
    // The edges come in several runs, so that stopping after the first one shows.
    let mut runs = 0;
    layer()
        .stream(
            |edges| edges.len(),
            |_| {
                runs += 1;
                Ok(())
            },
        )
        .unwrap();
    assert!(runs > 2, "{runs} runs");
    let mut consumed = 0;
    let err = layer()
        .stream(
            |edges| edges.len(),
            |_| {
                consumed += 1;
                Err(std::io::Error::other("disk full"))
            },
        )
        .unwrap_err();
    assert_eq!(err.to_string(), "disk full");
    assert_eq!(consumed, 1);
}

#[test]
fn one_and_two_threads_give_identical_edge_lists() {
    let c = random_collection(50_000, 7);
    let options = capped_options();
    let tfidf = CoActionOptions {
        weighting: Weighting::TfIdfCosine,
        backbone: Backbone::TopKPerNode(3),
        ..options.clone()
    };
    let run = |threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut out = all_kinds_csv(&c, &options);
            out.extend(all_kinds_csv(&c, &tfidf));
            out
        })
    };
    let one = run(1);
    let two = run(2);
    assert!(
        one.len() > 100_000,
        "the random collection should give many edges"
    );
    assert!(one == two, "edge lists differ between 1 and 2 threads");
    // The co-post null baseline hits the cap here, so the warnings path is covered too.
    assert!(String::from_utf8_lossy(&one).contains("any post has"));
}

/// CooRTweet's demo data, `../shared/data/coortweet-russian-coord-tweets`, read as retweets:
/// `content_id` retweets `object_id`. `None` (with a notice) when the data is absent.
fn russian_coord_tweets() -> Option<Collection> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/coortweet-russian-coord-tweets/russian_coord_tweets.csv");
    if !path.exists() {
        assert!(
            std::env::var("COORDGRAPH_REQUIRE_SHARED").as_deref() != Ok("1"),
            "{} is missing and COORDGRAPH_REQUIRE_SHARED=1",
            path.display()
        );
        eprintln!("skipped: {} is absent", path.display());
        return None;
    }
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let mut f = Fixture::default();
    for row in reader.records() {
        let row = row.unwrap();
        let secs: i64 = row[3].parse().unwrap();
        f.b.add_post(&NewPost {
            id: &row[2],
            author: AccountRef {
                id: Some(&row[1]),
                handle: None,
            },
            time_ms: secs * 1000,
            kind: PostKind::Retweet,
            origin: Origin::Record,
            shared: Some(PostRef {
                id: &row[0],
                author: AccountRef::default(),
            }),
            reply_to: None,
            fingerprint: TextFingerprint::NONE,
            text: "",
            client: None,
            lang: None,
            merge_rows: false,
        });
    }
    Some(f.finish())
}

#[test]
fn coortweet_mode_reproduces_the_packages_published_values() {
    let Some(c) = russian_coord_tweets() else {
        return;
    };
    // The vignette: detect_groups(min_participation = 2, time_window = 600), then
    // generate_coordinated_network(edge_weight = 0.99): "the threshold value corresponds to a
    // minimum edge weight of 3".
    let options = CooRTweetOptions {
        time_window_secs: 600,
        min_participation: 2,
        edge_weight: 0.99,
        ..Default::default()
    };
    let net = coortweet_compatible(&c, CoActionKind::CoRetweet, &options).unwrap();
    let flagged_min = net
        .edges
        .iter()
        .filter(|e| e.weight_threshold)
        .map(|e| e.weight)
        .min();
    assert_eq!(flagged_min, Some(3));
    // The package's test "Self-coordinated posts are filtered out": with min_participation 5
    // and a 10 s window, account 9fa51ef1… co-shares only with itself and has no edge.
    let options = CooRTweetOptions {
        time_window_secs: 10,
        min_participation: 5,
        ..Default::default()
    };
    let net = coortweet_compatible(&c, CoActionKind::CoRetweet, &options).unwrap();
    let selfish = c
        .accounts
        .ids
        .get("9fa51ef17278c01d13d313741eddfc0b")
        .unwrap();
    assert!(!net.edges.is_empty());
    assert!(
        net.edges
            .iter()
            .all(|e| e.source != selfish && e.target != selfish)
    );
}

#[test]
fn min_participation_leaves_out_accounts_with_few_actions() {
    let c = peers_tiny();
    let with = |min_participation| {
        let options = CoActionOptions {
            min_participation,
            ..Default::default()
        };
        rows(&c, &build_with(&c, CoActionKind::CoUrl, &options))
            .into_iter()
            .map(|r| (r.0, r.1))
            .collect::<Vec<_>>()
    };
    let e = |s: &str, t: &str| (s.to_string(), t.to_string());
    // URL actions: u1 2, u2 2, u5 1 (eve's ex.com/b).
    assert_eq!(with(1), [e("u1", "u2"), e("u1", "u5"), e("u2", "u5")]);
    assert_eq!(with(2), [e("u1", "u2")]);
    assert_eq!(with(3), []);
}
