//! Prints a digest of every column, interner and counter of the collection that
//! `read_collection` builds, and of its ingest report (timings left out), one line each, so that
//! two builds of the reader can be compared byte for byte with `cmp`.
//!
//! Run: `cargo run --release --example collection_digest -- [--threads N] [--format F]
//! [--columns MAPPING] INPUT...`; `scripts/ingest_equivalence.sh` runs it over the test inputs.

use std::fmt::Debug;
use std::hash::{DefaultHasher, Hash, Hasher};

use coordgraph::ingest::{ColumnMapping, IngestOptions, Input, read_collection};
use coordgraph::model::{Collection, Interner};

/// A fixed-key hash of a value's `Debug` text: stable across runs and builds.
fn digest<T: Debug + ?Sized>(value: &T) -> String {
    let mut h = DefaultHasher::new();
    format!("{value:?}").hash(&mut h);
    format!("{:016x}", h.finish())
}

fn interner(name: &str, i: &Interner) {
    let strings: Vec<&str> = i.iter().collect();
    println!("{name}: {} {}", strings.len(), digest(&strings));
}

fn print_collection(c: &Collection) {
    let p = &c.posts;
    let post_ids: Vec<_> = (0..p.len() as u32).map(|i| p.ids.external(i)).collect();
    println!("posts.ids: {} {}", post_ids.len(), digest(&post_ids));
    println!("posts.author: {}", digest(&p.author));
    println!("posts.time_ms: {}", digest(&p.time_ms));
    println!("posts.kind: {}", digest(&p.kind));
    println!("posts.origin: {}", digest(&p.origin));
    println!("posts.shared: {}", digest(&p.shared));
    println!("posts.reply_to: {}", digest(&p.reply_to));
    // Optional columns may be empty: digest a value per post.
    let n = p.len() as u32;
    let fingerprints: Vec<_> = (0..n).map(|i| p.fingerprint(i)).collect();
    println!("posts.fingerprint: {}", digest(&fingerprints));
    println!(
        "posts.client: {}",
        digest(&(0..n).map(|i| p.client(i)).collect::<Vec<_>>())
    );
    println!(
        "posts.lang: {}",
        digest(&(0..n).map(|i| p.lang(i)).collect::<Vec<_>>())
    );
    println!("posts.entity_start: {}", digest(&p.entity_start));
    println!(
        "posts.entities: {} {}",
        p.entities.len(),
        digest(&p.entities)
    );
    println!("posts.text_start: {}", digest(&p.text_start));
    println!("posts.text: {} {}", p.text.len(), digest(&p.text));
    let a = &c.accounts;
    let account_ids: Vec<_> = (0..a.len() as u32).map(|i| a.ids.external(i)).collect();
    println!(
        "accounts.ids: {} {}",
        account_ids.len(),
        digest(&account_ids)
    );
    println!("accounts.handle: {}", digest(&a.handle));
    println!("accounts.profile: {}", digest(&a.profile));
    println!("accounts.first_ms: {}", digest(&a.first_ms));
    println!("accounts.last_ms: {}", digest(&a.last_ms));
    println!("accounts.records: {}", digest(&a.records));
    interner("accounts.handles", &a.handles);
    println!(
        "accounts.profiles: {} {}",
        a.profiles.len(),
        digest(&a.profiles)
    );
    interner("hashtags", &c.hashtags);
    interner("urls", &c.urls);
    interner("domains", &c.domains);
    println!("url_domain: {}", digest(&c.url_domain));
    interner("objects", &c.objects);
    interner("clients", &c.clients);
    interner("languages", &c.languages);
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut threads = 0;
    // Every skipped record is kept, so that all their reasons, lines and details are compared.
    let mut opts = IngestOptions {
        max_examples: usize::MAX,
        ..IngestOptions::default()
    };
    let mut inputs = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--threads" => threads = args.next().and_then(|n| n.parse().ok()).expect("N"),
            "--format" => opts.format = args.next().expect("F").parse().expect("format"),
            "--columns" => {
                opts.columns = Some(
                    args.next()
                        .expect("MAPPING")
                        .parse::<ColumnMapping>()
                        .expect("mapping"),
                )
            }
            "--strict" => opts.strict = true,
            _ if a == "-" => inputs.push(Input::Stdin),
            _ => inputs.push(Input::Path(a.into())),
        }
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    let result = pool.install(|| read_collection(&inputs, &opts, &()));
    let ingest = match result {
        Ok(i) => i,
        Err(e) => {
            println!("error: {e}");
            return;
        }
    };
    eprintln!("read in {:.3} s", ingest.report.elapsed.as_secs_f64());
    print_collection(&ingest.collection);
    let r = &ingest.report;
    println!("report.files: {:?}", r.files);
    println!("report.skipped: {:?}", r.skipped);
    for e in r.examples.iter().take(10) {
        println!("report.example: {e:?}");
    }
    println!(
        "report.examples: {} {}",
        r.examples.len(),
        digest(&r.examples)
    );
    println!("report.duplicates: {}", r.duplicates);
    println!("report.merged_rows: {}", r.merged_rows);
    println!("report.bytes: {}", r.bytes);
}
