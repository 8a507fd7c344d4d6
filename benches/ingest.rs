//! Ingest speed and memory: `cargo bench --bench ingest -- [SCALE] [THREADS]` (defaults 1.0
//! and 2). Reads a generated Twitter API v1.1 collection (written once to
//! `bench-data/ingest-<SCALE>.jsonl`, seed 42; scale 1 is about a million tweets) with
//! `read_collection` on THREADS threads, then on one thread, and prints MB/s and tweets/s of
//! each, the CPU seconds the process spent on it (all threads; steadier than wall time on a
//! shared machine), the peak resident memory of the process, and the bytes held per post, text
//! excluded. The page cache is warmed first, so disk speed does not count.

mod common;

use std::io::Read;
use std::time::Instant;

use coordgraph::ingest::{IngestOptions, Input, read_collection};

fn main() {
    let args = common::positional_args();
    let scale: f64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let threads: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2);
    let path = common::generated_collection(scale);
    // Warm the page cache, and time a plain read with a reused buffer as the floor.
    let start = Instant::now();
    let mut file = std::fs::File::open(&path).expect("open");
    let mut buf = vec![0u8; 4 << 20];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buf).expect("read");
        if n == 0 {
            break;
        }
        bytes += n as u64;
    }
    let read_secs = start.elapsed().as_secs_f64();
    println!(
        "file {}: {:.1} MB; plain read {:.0} MB/s",
        path.display(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / read_secs
    );
    for (t, pool) in common::pools(threads) {
        let start = Instant::now();
        let cpu_start = common::cpu_secs();
        let ingest = pool
            .install(|| {
                read_collection(&[Input::Path(path.clone())], &IngestOptions::default(), &())
            })
            .expect("ingest");
        let secs = start.elapsed().as_secs_f64();
        let cpu = common::cpu_secs() - cpu_start;
        let c = &ingest.collection;
        let records = c.records().count();
        let held = c.heap_bytes_without_text() as f64;
        println!(
            "threads {t}: {records} tweets in {secs:.2} s = {:.0} MB/s, {:.0} tweets/s, \
             {cpu:.2} CPU s; {:.0} bytes per post held ({} posts incl. embedded and referenced), text {:.1} MB; \
             peak RSS so far {:.0} MB",
            bytes as f64 / 1e6 / secs,
            records as f64 / secs,
            held / c.posts.len() as f64,
            c.posts.len(),
            c.posts.text.len() as f64 / 1e6,
            common::peak_rss_mb()
        );
    }
}
