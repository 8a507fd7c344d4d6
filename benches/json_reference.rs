//! What this machine's JSON parsers manage on the ingest benchmark's file, beside coordgraph's
//! own ingest, in one run: `cargo bench --bench json_reference -- [SCALE] [THREADS]` (defaults
//! 1.0 and 2).
//!
//! The reference is the one the ingest target was set against: tweet-shaped Twitter API v1.1
//! lines parsed into a struct of the fields coordgraph needs (ids, times, texts, the user
//! profile, entities, the retweeted and quoted originals), by serde_json and by sonic-rs. They
//! read the file the same way coordgraph does (blocks through a reused buffer, page cache
//! warm) and parse its lines on THREADS threads, then on one; they intern nothing and build
//! nothing. coordgraph's `read_collection` runs between them, so that the figures come from the
//! same minutes of a shared machine. The ratio of coordgraph's speed to the parsers' says how
//! far ingest is from the cost of parsing alone.

mod common;

use std::borrow::Cow;
use std::io::Read;
use std::time::Instant;

use rayon::prelude::*;
use serde::Deserialize;

use coordgraph::ingest::{IngestOptions, Input, read_collection};

/// A hashtag entity.
#[derive(Deserialize)]
struct Hashtag<'a> {
    #[serde(borrow)]
    text: Cow<'a, str>,
}

/// A URL entity.
#[derive(Deserialize)]
struct Url<'a> {
    #[serde(borrow)]
    expanded_url: Option<Cow<'a, str>>,
}

/// A mention entity.
#[derive(Deserialize)]
struct Mention<'a> {
    #[serde(borrow)]
    id_str: Option<Cow<'a, str>>,
    #[serde(borrow)]
    screen_name: Option<Cow<'a, str>>,
}

/// The entities of a tweet.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Entities<'a> {
    #[serde(borrow)]
    hashtags: Vec<Hashtag<'a>>,
    #[serde(borrow)]
    urls: Vec<Url<'a>>,
    #[serde(borrow)]
    user_mentions: Vec<Mention<'a>>,
}

/// The author's profile.
#[derive(Deserialize)]
struct User<'a> {
    #[serde(borrow)]
    id_str: Cow<'a, str>,
    #[serde(borrow)]
    screen_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    description: Option<Cow<'a, str>>,
    #[serde(borrow)]
    location: Option<Cow<'a, str>>,
    #[serde(borrow)]
    lang: Option<Cow<'a, str>>,
    #[serde(borrow)]
    created_at: Option<Cow<'a, str>>,
    followers_count: Option<u64>,
    friends_count: Option<u64>,
    statuses_count: Option<u64>,
    default_profile: Option<bool>,
    default_profile_image: Option<bool>,
    verified: Option<bool>,
}

/// The long text of an extended tweet.
#[derive(Deserialize)]
struct Extended<'a> {
    #[serde(borrow)]
    full_text: Option<Cow<'a, str>>,
}

/// A v1.1 tweet, as far as coordgraph reads it.
#[derive(Deserialize)]
struct Tweet<'a> {
    #[serde(borrow)]
    id_str: Cow<'a, str>,
    #[serde(borrow)]
    created_at: Cow<'a, str>,
    #[serde(borrow)]
    timestamp_ms: Option<Cow<'a, str>>,
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
    #[serde(borrow)]
    full_text: Option<Cow<'a, str>>,
    #[serde(borrow)]
    extended_tweet: Option<Extended<'a>>,
    #[serde(borrow)]
    source: Option<Cow<'a, str>>,
    #[serde(borrow)]
    lang: Option<Cow<'a, str>>,
    #[serde(borrow)]
    in_reply_to_status_id_str: Option<Cow<'a, str>>,
    #[serde(borrow)]
    in_reply_to_user_id_str: Option<Cow<'a, str>>,
    #[serde(borrow)]
    user: User<'a>,
    #[serde(borrow, default)]
    entities: Entities<'a>,
    #[serde(borrow)]
    retweeted_status: Option<Box<Tweet<'a>>>,
    #[serde(borrow)]
    quoted_status: Option<Box<Tweet<'a>>>,
}

impl Tweet<'_> {
    /// A number that depends on every field read, so that no parse is optimised away.
    fn digest(&self) -> u64 {
        let len = |s: &Option<Cow<'_, str>>| s.as_ref().map_or(0, |s| s.len() as u64);
        let u = &self.user;
        let mut d = self.id_str.len() as u64
            + self.created_at.len() as u64
            + len(&self.timestamp_ms)
            + len(&self.text)
            + len(&self.full_text)
            + self
                .extended_tweet
                .as_ref()
                .map_or(0, |e| len(&e.full_text))
            + len(&self.source)
            + len(&self.lang)
            + len(&self.in_reply_to_status_id_str)
            + len(&self.in_reply_to_user_id_str)
            + u.id_str.len() as u64
            + len(&u.screen_name)
            + len(&u.name)
            + len(&u.description)
            + len(&u.location)
            + len(&u.lang)
            + len(&u.created_at)
            + u.followers_count.unwrap_or(0)
            + u.friends_count.unwrap_or(0)
            + u.statuses_count.unwrap_or(0)
            + u64::from(u.default_profile.unwrap_or(false))
            + u64::from(u.default_profile_image.unwrap_or(false))
            + u64::from(u.verified.unwrap_or(false));
        let e = &self.entities;
        d += e.hashtags.iter().map(|h| h.text.len() as u64).sum::<u64>();
        d += e.urls.iter().map(|x| len(&x.expanded_url)).sum::<u64>();
        d += e
            .user_mentions
            .iter()
            .map(|m| len(&m.id_str) + len(&m.screen_name))
            .sum::<u64>();
        d + self.retweeted_status.as_ref().map_or(0, |t| t.digest())
            + self.quoted_status.as_ref().map_or(0, |t| t.digest())
    }
}

/// A JSON parser under test.
#[derive(Clone, Copy)]
enum Parser {
    SerdeJson,
    SonicRs,
}

impl Parser {
    fn name(self) -> &'static str {
        match self {
            Parser::SerdeJson => "serde_json",
            Parser::SonicRs => "sonic-rs",
        }
    }

    /// Parses one line; `None` when it is not a tweet.
    fn digest(self, line: &[u8]) -> Option<u64> {
        match self {
            Parser::SerdeJson => serde_json::from_slice::<Tweet<'_>>(line).ok(),
            Parser::SonicRs => sonic_rs::from_slice::<Tweet<'_>>(line).ok(),
        }
        .map(|t| t.digest())
    }
}

/// Reads the file in blocks through one reused buffer and parses the lines of each block in
/// parallel. Returns (tweets parsed, lines that were not tweets, digest).
fn parse_file(path: &std::path::Path, parser: Parser) -> (u64, u64, u64) {
    const BLOCK: usize = 16 << 20;
    let mut file = std::fs::File::open(path).expect("open");
    let mut buf = vec![0u8; BLOCK];
    let (mut len, mut tweets, mut bad, mut digest) = (0usize, 0u64, 0u64, 0u64);
    loop {
        if len == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        let n = file.read(&mut buf[len..]).expect("read");
        len += n;
        let end = if n == 0 {
            len
        } else {
            match memchr::memrchr(b'\n', &buf[..len]) {
                Some(i) => i + 1,
                None => continue,
            }
        };
        let (t, b, d) = buf[..end]
            .par_split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| match parser.digest(l) {
                Some(d) => (1, 0, d),
                None => (0, 1, 0),
            })
            .reduce(
                || (0u64, 0u64, 0u64),
                |a, b| (a.0 + b.0, a.1 + b.1, a.2.wrapping_add(b.2)),
            );
        tweets += t;
        bad += b;
        digest = digest.wrapping_add(d);
        buf.copy_within(end..len, 0);
        len -= end;
        if n == 0 {
            break;
        }
    }
    (tweets, bad, digest)
}

fn main() {
    let args = common::positional_args();
    let scale: f64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let threads: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2);
    let path = common::generated_collection(scale);
    let bytes = std::fs::metadata(&path).expect("metadata").len() as f64;
    // Warm the page cache.
    let _ = parse_file(&path, Parser::SerdeJson);
    println!("file {}: {:.1} MB", path.display(), bytes / 1e6);
    println!("| threads | reader | work | time | MB/s | CPU |");
    println!("|---:|---|---|---:|---:|---:|");
    for (t, pool) in common::pools(threads) {
        let row = |reader: &str, work: &str, secs: f64, cpu: f64| {
            println!(
                "| {t} | {reader} | {work} | {secs:.2} s | {:.0} | {cpu:.2} s |",
                bytes / 1e6 / secs
            );
        };
        for parser in [Parser::SerdeJson, Parser::SonicRs] {
            let (start, cpu) = (Instant::now(), common::cpu_secs());
            let (tweets, bad, digest) = pool.install(|| parse_file(&path, parser));
            let (secs, cpu) = (start.elapsed().as_secs_f64(), common::cpu_secs() - cpu);
            eprintln!(
                "{}: {tweets} tweets, {bad} other lines, digest {digest}",
                parser.name()
            );
            row(parser.name(), "parse into a struct", secs, cpu);
            if parser.name() == "serde_json" {
                let (start, cpu) = (Instant::now(), common::cpu_secs());
                let ingest = pool
                    .install(|| {
                        let inputs = [Input::Path(path.clone())];
                        read_collection(&inputs, &IngestOptions::default(), &())
                    })
                    .expect("ingest");
                let (secs, cpu) = (start.elapsed().as_secs_f64(), common::cpu_secs() - cpu);
                eprintln!("coordgraph: {} posts", ingest.collection.posts.len());
                row(
                    "coordgraph",
                    "parse, intern, build the collection",
                    secs,
                    cpu,
                );
            }
        }
    }
}
