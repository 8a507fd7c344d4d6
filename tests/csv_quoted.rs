//! CSV tables with quoted fields: exact texts and skip lines on a hand-made table, and the same
//! posts whatever the quoting style, the line ends and the thread count on a table of several
//! blocks.

use coordgraph::ingest::{Ingest, IngestOptions, Input, SkipReason, read_collection};
use coordgraph::model::PostKind;
use rand::{Rng, SeedableRng};

fn read(name: &str, data: &[u8], threads: usize) -> Ingest {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    pool.install(|| {
        read_collection(
            &[Input::bytes(name, data.to_vec())],
            &IngestOptions::default(),
            &(),
        )
    })
    .expect("bad rows are skipped, not fatal")
}

/// Per record: post id, handle, time (ms), kind, text.
fn posts(ingest: &Ingest) -> Vec<(String, String, i64, PostKind, String)> {
    let c = &ingest.collection;
    c.records()
        .map(|p| {
            let i = p as usize;
            let handle = c.accounts.handle(c.posts.author[i]).unwrap_or("");
            let text = c.posts.text(p).to_string();
            let time = c.posts.time_ms[i];
            (
                c.post_id(p).into_owned(),
                handle.into(),
                time,
                c.posts.kind[i],
                text,
            )
        })
        .collect()
}

fn skips(ingest: &Ingest) -> Vec<(u64, SkipReason)> {
    let examples = ingest.report.examples.iter();
    examples.map(|s| (s.line, s.reason)).collect()
}

const HEADER: &str = "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls";

#[test]
fn quoted_fields_give_their_text_and_rows_their_lines() {
    let table = format!(
        "{HEADER}\n\
         1,u1,alice,,,\"Hello, world\",1000,\n\
         2,u2,bob,,,\"She said \"\"vote\"\"\r\nand left\",2000,\n\
         \"3\",\"u3\",\"carol\",\"\",\"\",\"\",3000,\"\"\n\
         4,u4,dan,,,\"multi\nline, text\",soon,\n\
         5,u5,eve,,,plain \"mid\" quotes,5000,\n\
         6,u6,fay,5,,\"\",6000,\n"
    );
    let ingest = read("t.csv", table.as_bytes(), 2);
    let s = |x: &str| x.to_string();
    assert_eq!(
        posts(&ingest),
        [
            (
                s("1"),
                s("alice"),
                1_000_000,
                PostKind::Original,
                s("Hello, world")
            ),
            (
                s("2"),
                s("bob"),
                2_000_000,
                PostKind::Original,
                s("She said \"vote\"\r\nand left")
            ),
            (s("3"), s("carol"), 3_000_000, PostKind::Original, s("")),
            (
                s("5"),
                s("eve"),
                5_000_000,
                PostKind::Original,
                s("plain \"mid\" quotes")
            ),
            (s("6"), s("fay"), 6_000_000, PostKind::Retweet, s("")),
        ]
    );
    // Row 4 starts on line 6: the line feeds in quotes count.
    assert_eq!(skips(&ingest), [(6, SkipReason::BadTime)]);
}

/// A text with what quoting must protect: delimiters, quotes, line ends, spaces at the ends.
fn text(rng: &mut impl Rng) -> String {
    const PIECES: [&str; 9] = ["word", "Macron", ", ", "\"", "\n", "\r\n", " ", "#tag", "é"];
    (0..rng.random_range(0..12))
        .map(|_| PIECES[rng.random_range(0..PIECES.len())])
        .collect()
}

/// Writes `rows` with quotes where needed and `\n` ends, or with every field quoted and
/// `\r\n` ends.
fn write(rows: &[[String; 8]], quote_all: bool) -> Vec<u8> {
    let mut out = HEADER.as_bytes().to_vec();
    let end: &[u8] = if quote_all { b"\r\n" } else { b"\n" };
    out.extend_from_slice(end);
    for row in rows {
        for (k, field) in row.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            if quote_all || field.contains(['"', ',', '\n', '\r']) {
                out.push(b'"');
                out.extend_from_slice(field.replace('"', "\"\"").as_bytes());
                out.push(b'"');
            } else {
                out.extend_from_slice(field.as_bytes());
            }
        }
        out.extend_from_slice(end);
    }
    out
}

/// Several blocks of rows (1 MiB each) with quoted texts read into the same posts whether
/// every field is quoted or only those that need it, with `\r\n` or `\n` ends, on one thread
/// or two; the rows skipped are the same too, at the lines they start on (`\n` ends), or one
/// less (`\r\n` ends: the CSV reader counts a row's line feed with the next row).
#[test]
fn quoting_style_and_threads_do_not_change_the_posts() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let mut rows = Vec::new();
    let (mut expected, mut skipped_at) = (Vec::new(), Vec::new());
    // The line row `i` starts on.
    let mut line = 2;
    for i in 0..40_000u64 {
        let text = text(&mut rng) + &"filler ".repeat(rng.random_range(0..12));
        let user = rng.random_range(0..500u32);
        let retweet = rng.random_bool(0.3).then(|| format!("r{i}"));
        // Every 997th row has no time: skipped.
        let time = if i % 997 == 5 {
            skipped_at.push(line);
            String::new()
        } else {
            (1_000_000 + i).to_string()
        };
        let kind = if retweet.is_some() {
            PostKind::Retweet
        } else {
            PostKind::Original
        };
        if !time.is_empty() {
            let kept = if retweet.is_some() { "" } else { text.trim() };
            let time_ms = (1_000_000 + i as i64) * 1000;
            expected.push((
                i.to_string(),
                format!("h{user}"),
                time_ms,
                kind,
                kept.into(),
            ));
        }
        line += 1 + text.matches('\n').count() as u64;
        rows.push([
            i.to_string(),
            format!("u{user}"),
            format!("h{user}"),
            retweet.unwrap_or_default(),
            String::new(),
            text,
            time,
            String::new(),
        ]);
    }
    assert_eq!(skipped_at.len(), 41);
    for quote_all in [false, true] {
        let data = write(&rows, quote_all);
        assert!(data.len() > 3 << 20, "{} bytes", data.len());
        let one = read("t.csv", &data, 1);
        let two = read("t.csv", &data, 2);
        assert_eq!(posts(&one), expected);
        assert_eq!(posts(&two), expected);
        assert_eq!(one.report.skipped.get(&SkipReason::MissingTime), Some(&41));
        let lines: Vec<u64> = skipped_at
            .iter()
            .map(|l| l - u64::from(quote_all))
            .collect();
        let examples = skips(&one);
        assert!(examples.len() >= 5, "{examples:?}");
        assert_eq!(examples, skips(&two));
        for (k, (line, reason)) in examples.iter().enumerate() {
            assert_eq!((*line, *reason), (lines[k], SkipReason::MissingTime));
        }
    }
}
