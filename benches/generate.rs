//! Generation speed: `cargo bench --bench generate -- [SCALE] [FORMAT] [THREADS]`
//! (defaults 1.0, v11, 2). Writes into `io::sink()` (so disk speed does not count) inside a
//! rayon pool of THREADS threads, three runs, and prints records/s and MB/s of each.

use std::time::Instant;

use coordgraph::generate::{GenerateOptions, generate};

fn main() {
    // `cargo bench` passes `--bench`; keep only our positional arguments.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let scale: f64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let format = args.get(1).and_then(|s| s.parse().ok()).unwrap_or_default();
    let threads: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    for run in 0..3 {
        let opts = GenerateOptions {
            seed: 42 + run,
            scale,
            format,
        };
        let start = Instant::now();
        let summary = pool
            .install(|| generate(&opts, &mut std::io::sink(), &mut std::io::sink()))
            .expect("generation succeeds");
        let secs = start.elapsed().as_secs_f64();
        println!(
            "scale {scale} {} seed {} threads {threads}: {} records, {:.1} MB in {secs:.2} s = \
             {:.0} records/s, {:.1} MB/s",
            format.name(),
            opts.seed,
            summary.posts,
            summary.bytes as f64 / 1e6,
            summary.posts as f64 / secs,
            summary.bytes as f64 / 1e6 / secs
        );
    }
}
