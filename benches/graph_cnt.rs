//! End-to-end co-action run on a coordination-network-toolkit CSV (`message_id, user_id,
//! username, repost_id, reply_id, message, timestamp, urls`), for `scripts/graph_vs_cnt.sh`:
//! read the CSV, build the collection, build one co-action graph, write its edge list.
//!
//! Run: `cargo bench --bench graph_cnt -- INPUT.csv KIND OUTPUT.csv [--window S]
//! [--threads N] [--min-text-chars N]`. Timings go to stderr as `stage seconds` lines.
//!
//! The toolkit's CSV reading rules: a non-empty `repost_id` makes a retweet of that id, a
//! non-empty `reply_id` a reply; `timestamp` is in (possibly fractional) unix seconds; `urls`
//! are separated by spaces, empty ones ignored.

use std::fs::File;
use std::io::BufWriter;
use std::time::Instant;

use rayon::prelude::*;

use coordgraph::graph::{
    CoActionKind, CoActionOptions, EdgeCsvColumns, build_co_action_graph, write_edges_csv,
};
use coordgraph::model::{
    AccountRef, Collection, CollectionBuilder, NewPost, Origin, PostKind, PostRef, TextFingerprint,
};

/// A reference to another post, when the id is not empty.
fn target(id: &str) -> Option<PostRef<'_>> {
    (!id.is_empty()).then_some(PostRef {
        id,
        author: AccountRef::default(),
    })
}

/// One CSV row, its text already fingerprinted.
struct Row {
    record: csv::StringRecord,
    seconds: f64,
    fingerprint: TextFingerprint,
}

/// Reads the CSV (one thread), fingerprints texts and parses times (all threads), then feeds
/// the builder in input order.
fn read_cnt_csv(path: &str) -> Result<Collection, Box<dyn std::error::Error>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)?;
    let mut records = Vec::new();
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record)? {
        records.push(std::mem::take(&mut record));
    }
    let rows: Vec<Row> = records
        .into_par_iter()
        .map_init(String::new, |scratch, record| {
            let field = |i: usize| record.get(i).unwrap_or("").trim();
            let retweet = !field(3).is_empty();
            let fingerprint = if retweet {
                TextFingerprint::NONE
            } else {
                TextFingerprint::of_text(field(5), scratch)
            };
            let seconds = field(6).parse().unwrap_or(f64::NAN);
            Row {
                record,
                seconds,
                fingerprint,
            }
        })
        .collect();
    let mut b = CollectionBuilder::new();
    for (line, row) in rows.iter().enumerate() {
        let field = |i: usize| row.record.get(i).unwrap_or("").trim();
        let (id, user, name, repost, reply, message) =
            (field(0), field(1), field(2), field(3), field(4), field(5));
        if row.seconds.is_nan() {
            return Err(format!("line {}: bad timestamp '{}'", line + 2, field(6)).into());
        }
        let kind = if !repost.is_empty() {
            PostKind::Retweet
        } else if !reply.is_empty() {
            PostKind::Reply
        } else {
            PostKind::Original
        };
        let post = NewPost {
            id,
            author: AccountRef {
                id: Some(user),
                handle: Some(name),
            },
            time_ms: (row.seconds * 1000.0).round() as i64,
            kind,
            origin: Origin::Record,
            shared: target(repost),
            reply_to: if kind == PostKind::Retweet {
                None
            } else {
                target(reply)
            },
            fingerprint: row.fingerprint,
            text: if kind == PostKind::Retweet {
                ""
            } else {
                message
            },
            client: None,
            lang: None,
            merge_rows: false,
        };
        if let Some(p) = b.add_post(&post)
            && kind != PostKind::Retweet
        {
            for url in field(7).split(' ') {
                b.add_url(p, url);
            }
        }
    }
    Ok(b.finish().0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let positional: Vec<&String> = {
        let mut out = Vec::new();
        let mut skip = false;
        for a in &args {
            if skip {
                skip = false;
            } else if a.starts_with("--") {
                skip = true;
            } else {
                out.push(a);
            }
        }
        out
    };
    let [input, kind, output] = positional[..] else {
        return Err("usage: graph_cnt INPUT.csv KIND OUTPUT.csv [--window S] [--threads N]".into());
    };
    let kind: CoActionKind = kind.parse()?;
    let threads: usize = flag("--threads").map_or(Ok(2), |v| v.parse())?;
    let options = CoActionOptions {
        window_secs: flag("--window").map_or(Ok(60), |v| v.parse())?,
        min_text_chars: flag("--min-text-chars").map_or(Ok(1), |v| v.parse())?,
        ..Default::default()
    };
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()?;

    let start = Instant::now();
    let c = read_cnt_csv(input)?;
    let read = start.elapsed().as_secs_f64();
    let g = build_co_action_graph(&c, kind, &options)?;
    let built = start.elapsed().as_secs_f64();
    write_edges_csv(
        BufWriter::new(File::create(output)?),
        &g,
        &c,
        EdgeCsvColumns::default(),
    )?;
    let total = start.elapsed().as_secs_f64();
    for w in &g.warnings {
        eprintln!("warning: {w}");
    }
    eprintln!("posts {}", c.posts.len());
    eprintln!("edges {}", g.edges.len());
    eprintln!("read {read:.3}");
    eprintln!("graph {:.3}", built - read);
    eprintln!("write {:.3}", total - built);
    eprintln!("total {total:.3}");
    Ok(())
}
