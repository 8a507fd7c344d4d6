//! Community-detection benchmark: loads an edge list, runs Leiden or Louvain on a fixed number
//! of threads, and prints the time without loading, the peak memory and the quality.
//!
//! ```text
//! cargo bench --bench community -- EDGES.csv[.gz] [--method leiden|louvain|components]
//!     [--threads 2] [--seed 0] [--iterations 0] [--resolution 1] [--repeat 1]
//!     [--truth node,community.csv] [--json] [--cache GRAPH.bin]
//! ```
//!
//! `--cache` keeps the parsed graph in a binary file (written on the first run, read on the
//! next ones), so that repeated measurements do not spend most of their time parsing the CSV;
//! the graph and node names are the same either way, and `load` is then the time to read it.
//!
//! Peak memory is the process's peak resident set (`VmHWM`), loading included, as for the
//! Python tools of `scripts/community_bench.py`; `detect_peak_mb` is the peak during detection
//! alone (the high-water mark is reset after loading).

use coordgraph::community::{
    CommunityOptions, EdgeList, Method, detect_communities, modularity, nmi, read_edge_list,
    read_partition,
};
use coordgraph::graph::csr::Csr;
use std::path::PathBuf;
use std::time::Instant;

/// The command line of the benchmark.
struct Args {
    edges: PathBuf,
    method: Method,
    threads: usize,
    seed: u64,
    iterations: usize,
    resolution: f64,
    repeat: usize,
    truth: Option<PathBuf>,
    json: bool,
    cache: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        edges: PathBuf::new(),
        method: Method::Leiden,
        threads: 2,
        seed: 0,
        iterations: 2,
        resolution: 1.0,
        repeat: 1,
        truth: None,
        json: false,
        cache: None,
    };
    let mut it = std::env::args().skip(1);
    let mut edges = None;
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--method" => {
                args.method = match value("--method")?.as_str() {
                    "leiden" => Method::Leiden,
                    "louvain" => Method::Louvain,
                    "components" => Method::Components,
                    other => return Err(format!("unknown method {other}")),
                }
            }
            "--threads" => {
                args.threads = value("--threads")?.parse().map_err(|e| format!("{e}"))?
            }
            "--seed" => args.seed = value("--seed")?.parse().map_err(|e| format!("{e}"))?,
            "--iterations" => {
                args.iterations = value("--iterations")?.parse().map_err(|e| format!("{e}"))?
            }
            "--resolution" => {
                args.resolution = value("--resolution")?.parse().map_err(|e| format!("{e}"))?
            }
            "--repeat" => args.repeat = value("--repeat")?.parse().map_err(|e| format!("{e}"))?,
            "--truth" => args.truth = Some(value("--truth")?.into()),
            "--json" => args.json = true,
            "--cache" => args.cache = Some(value("--cache")?.into()),
            "--bench" => {}
            _ if arg.starts_with("--") => return Err(format!("unknown flag {arg}")),
            _ => edges = Some(PathBuf::from(arg)),
        }
    }
    args.edges = edges.ok_or("usage: community EDGES.csv [--method leiden|louvain] ...")?;
    Ok(args)
}

/// A field of /proc/self/status, in MB (0 where unavailable).
fn status_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// User plus system CPU time of the process so far, in seconds (from /proc/self/stat).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at state, field 3.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15, that is 11 and 12 after the state.
    (ticks(11) + ticks(12)) / 100.0
}

/// Writes the graph as its node count, edge count and `(u32, u32, f32)` edges (little
/// endian), then the node names one per line.
fn write_cache(path: &std::path::Path, list: &EdgeList) {
    let graph = &list.graph;
    let edges: Vec<(u32, u32, f32)> = graph.edges().collect();
    let mut bytes = Vec::with_capacity(16 + 12 * edges.len());
    bytes.extend_from_slice(&(graph.node_count() as u64).to_le_bytes());
    bytes.extend_from_slice(&(edges.len() as u64).to_le_bytes());
    for (u, v, w) in edges {
        bytes.extend_from_slice(&u.to_le_bytes());
        bytes.extend_from_slice(&v.to_le_bytes());
        bytes.extend_from_slice(&w.to_le_bytes());
    }
    for name in &list.names {
        bytes.extend_from_slice(name.as_bytes());
        bytes.push(b'\n');
    }
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Reads a graph written by [`write_cache`].
fn read_cache(path: &std::path::Path) -> EdgeList {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
    let (nodes, count) = (word(0), word(8));
    let body = &bytes[16..16 + 12 * count];
    let edges: Vec<(u32, u32, f32)> = body
        .chunks_exact(12)
        .map(|e| {
            let field = |i: usize| <[u8; 4]>::try_from(&e[i..i + 4]).unwrap();
            (
                u32::from_le_bytes(field(0)),
                u32::from_le_bytes(field(4)),
                f32::from_le_bytes(field(8)),
            )
        })
        .collect();
    let names = std::str::from_utf8(&bytes[16 + 12 * count..])
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    EdgeList {
        names,
        graph: Csr::from_edges(nodes, &edges).unwrap(),
    }
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build_global()
        .unwrap();
    let start = Instant::now();
    let list = match &args.cache {
        Some(cache) if cache.exists() => read_cache(cache),
        Some(cache) => {
            let list = read_edge_list(&args.edges).unwrap_or_else(|e| panic!("{e}"));
            write_cache(cache, &list);
            list
        }
        None => read_edge_list(&args.edges).unwrap_or_else(|e| panic!("{e}")),
    };
    let load_s = start.elapsed().as_secs_f64();
    let truth = args
        .truth
        .as_ref()
        .map(|t| read_partition(t, &list.names).unwrap());
    let load_peak_mb = status_mb("VmHWM:");
    // Reset the high-water mark so that the detection peak can be read on its own.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let options = CommunityOptions {
        method: args.method,
        seed: args.seed,
        max_iterations: args.iterations,
        resolution: args.resolution,
        ..CommunityOptions::default()
    };
    let graph = &list.graph;
    for run in 0..args.repeat {
        let (start, cpu_start) = (Instant::now(), cpu_seconds());
        let partition = detect_communities(graph, &options).unwrap();
        let seconds = start.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu_start;
        let detect_peak_mb = status_mb("VmHWM:");
        let q = modularity(graph, &partition, args.resolution).unwrap();
        let score = truth.as_ref().map(|t| nmi(&partition, t).unwrap());
        let method = format!("{:?}", args.method).to_lowercase();
        if args.json {
            println!(
                "{{\"tool\":\"coordgraph\",\"algorithm\":\"{method}\",\"threads\":{},\"run\":{run},\
                 \"nodes\":{},\"edges\":{},\"load_s\":{load_s:.3},\"seconds\":{seconds:.3},\"cpu_s\":{cpu:.2},\
                 \"peak_mb\":{:.1},\"detect_peak_mb\":{detect_peak_mb:.1},\"modularity\":{q:.6},\
                 \"communities\":{},\"nmi\":{}}}",
                args.threads,
                graph.node_count(),
                graph.edge_count(),
                load_peak_mb.max(detect_peak_mb),
                partition.community_count(),
                score.map_or("null".to_string(), |s| format!("{s:.6}")),
            );
        } else {
            println!(
                "{method} threads={} nodes={} edges={} load={load_s:.2}s time={seconds:.3}s cpu={cpu:.2}s \
                 peak={:.0}MB detect_peak={detect_peak_mb:.0}MB Q={q:.5} communities={}{}",
                args.threads,
                graph.node_count(),
                graph.edge_count(),
                load_peak_mb.max(detect_peak_mb),
                partition.community_count(),
                score.map_or(String::new(), |s| format!(" NMI={s:.4}")),
            );
        }
    }
}
