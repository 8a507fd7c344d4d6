//! Ingest speed and memory: `cargo bench --bench ingest -- [SCALE] [THREADS]` (defaults 1.0
//! and 2). Reads a generated Twitter API v1.1 collection (written once to
//! `bench-data/ingest-<SCALE>.jsonl`, seed 42; scale 1 is about a million tweets) with
//! `read_collection` on THREADS threads, then on one thread, and prints MB/s and tweets/s of
//! each, the peak resident memory of the process, and the bytes held per post, text excluded.
//! The page cache is warmed first, so disk speed does not count.

use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

use coordgraph::generate::{GenerateOptions, generate};
use coordgraph::ingest::{IngestOptions, Input, read_collection};

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let scale: f64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let threads: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench-data");
    std::fs::create_dir_all(&dir).expect("bench-data folder");
    let path = dir.join(format!("ingest-{scale}.jsonl"));
    if !path.exists() {
        eprintln!("writing {} ...", path.display());
        let tmp = path.with_extension("partial");
        let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp).expect("create"));
        let opts = GenerateOptions {
            seed: 42,
            scale,
            ..GenerateOptions::default()
        };
        generate(&opts, &mut out, &mut std::io::sink()).expect("generate");
        drop(out);
        std::fs::rename(&tmp, &path).expect("rename");
        // Measure in a fresh process, so that generation does not count in the peak memory.
        let status = std::process::Command::new(std::env::current_exe().expect("self"))
            .args(std::env::args().skip(1))
            .status()
            .expect("rerun");
        std::process::exit(status.code().unwrap_or(1));
    }
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
    let mut runs = vec![threads];
    if threads != 1 {
        runs.push(1);
    }
    for t in runs {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .expect("pool");
        let start = Instant::now();
        let ingest = pool
            .install(|| {
                read_collection(&[Input::Path(path.clone())], &IngestOptions::default(), &())
            })
            .expect("ingest");
        let secs = start.elapsed().as_secs_f64();
        let c = &ingest.collection;
        let records = c.records().count();
        let held = c.heap_bytes_without_text() as f64;
        println!(
            "threads {t}: {records} tweets in {secs:.2} s = {:.0} MB/s, {:.0} tweets/s; \
             {:.0} bytes per post held ({} posts incl. embedded and referenced), text {:.1} MB; \
             peak RSS so far {:.0} MB",
            bytes as f64 / 1e6 / secs,
            records as f64 / secs,
            held / c.posts.len() as f64,
            c.posts.len(),
            c.posts.text.len() as f64 / 1e6,
            peak_rss_mb()
        );
    }
}
