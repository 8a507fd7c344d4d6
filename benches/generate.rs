//! Generation speed: `cargo bench --bench generate -- [SCALE] [FORMAT] [THREADS]`
//! (defaults 1.0, v11, 2). Writes into `io::sink()` (so disk speed does not count) inside a
//! rayon pool of THREADS threads, three runs, and prints records/s and MB/s of each, by wall
//! clock and by CPU time of the process (Linux `/proc/self/stat`; the CPU figure does not depend
//! on what else the machine is running).

mod common;

use std::time::Instant;

use coordgraph::generate::{GenerateOptions, generate};

fn main() {
    let args = common::positional_args();
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
        let (start, cpu_start) = (Instant::now(), cpu_seconds());
        let summary = pool
            .install(|| generate(&opts, &mut std::io::sink(), &mut std::io::sink()))
            .expect("generation succeeds");
        let secs = start.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu_start;
        let mb = summary.bytes as f64 / 1e6;
        println!(
            "scale {scale} {} seed {} threads {threads}: {} records, {mb:.1} MB in {secs:.2} s \
             wall = {:.0} records/s, {:.1} MB/s; {cpu:.2} s CPU = {:.0} records/CPU-s, \
             {:.1} MB/CPU-s",
            format.name(),
            opts.seed,
            summary.posts,
            summary.posts as f64 / secs,
            mb / secs,
            summary.posts as f64 / cpu,
            mb / cpu
        );
    }
}

/// User plus system CPU seconds of this process so far (0 where `/proc` is missing).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; 100 ticks/s.
    (ticks(11) + ticks(12)) / 100.0
}
