//! What several benchmarks share: their arguments, the generated collection they read, and
//! the peak memory they report. Each benchmark uses a part of it.

#![allow(dead_code)]

use std::path::PathBuf;

use coordgraph::generate::{GenerateOptions, generate};

/// The positional arguments (`cargo bench` passes `--bench`, which is dropped).
pub(crate) fn positional_args() -> Vec<String> {
    std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect()
}

/// Peak resident memory of this process in MB (Linux `VmHWM`), NaN elsewhere.
pub(crate) fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The generated Twitter API v1.1 collection of `scale` (seed 42) in `bench-data/`, written on
/// first use. After writing it, the benchmark runs again in a fresh process and exits with its
/// status, so that generation does not count in the peak memory.
pub(crate) fn generated_collection(scale: f64) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench-data");
    std::fs::create_dir_all(&dir).expect("bench-data folder");
    let path = dir.join(format!("ingest-{scale}.jsonl"));
    if path.exists() {
        return path;
    }
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
    let status = std::process::Command::new(std::env::current_exe().expect("self"))
        .args(std::env::args().skip(1))
        .status()
        .expect("rerun");
    std::process::exit(status.code().unwrap_or(1));
}

/// CPU seconds this process has spent, user and system, all threads (Linux `/proc/self/stat`),
/// NaN elsewhere: steadier than wall time on a shared machine.
pub(crate) fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        (Some(user), Some(system)) => (user + system) / 100.0,
        _ => f64::NAN,
    }
}

/// One rayon pool of `threads` threads, then one of a single thread unless that was it: the
/// benchmarks' runs, in order.
pub(crate) fn pools(threads: usize) -> Vec<(usize, rayon::ThreadPool)> {
    let mut runs = vec![threads];
    if threads != 1 {
        runs.push(1);
    }
    runs.into_iter()
        .map(|t| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .expect("pool");
            (t, pool)
        })
        .collect()
}
