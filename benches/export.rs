//! Export speed and memory on a random graph:
//! `cargo bench --bench export -- [NODES] [EDGES] [OUT_DIR] [THREADS]`
//! (defaults 100000, 1000000, /work/bench-data/export, 2).
//!
//! The graph lives in compact columns, as the analysis holds it, and is exported through a
//! streaming [`GraphSource`] that fills one reusable record per visit: the full account
//! schema (13 node attributes, two spells each) and five edge attributes with one to three
//! spells per edge. Each format is written atomically into OUT_DIR; for each the bench prints
//! wall time, output size and the peak resident memory during that export (the kernel's
//! high-water mark `VmHWM`, reset through `/proc/self/clear_refs` before each export), next to
//! the resident memory of the graph itself.

use std::path::Path;
use std::time::Instant;

use coordgraph::export::atomic::write_atomically;
use coordgraph::export::palette::{cluster_color, size_by_score};
use coordgraph::export::{
    AttrType, AttrValue, AttributeDef, CsvOptions, EdgeVisitor, ExportEdge, ExportError,
    ExportNode, GexfOptions, GraphSource, NodeVisitor, write_csv_tables, write_gexf, write_graphml,
};
use rand::{Rng, SeedableRng};

const T0: i64 = 1_493_942_400_000;
const HOUR: i64 = 3_600_000;

/// A random co-action graph in columns.
struct Columns {
    node_schema: Vec<AttributeDef>,
    edge_schema: Vec<AttributeDef>,
    ids: Vec<String>,
    handles: Vec<String>,
    cluster: Vec<u32>,
    bot: Vec<f32>,
    first_ms: Vec<i64>,
    source: Vec<u32>,
    target: Vec<u32>,
    weight: Vec<f32>,
    first_co_ms: Vec<i64>,
}

impl Columns {
    fn random(nodes: usize, edges: usize, seed: u64) -> Self {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        use AttrType::*;
        let node_schema = [
            ("handle", String),
            ("name", String),
            ("cluster", Integer),
            ("rank", Integer),
            ("suspicion", Double),
            ("bot_score", Double),
            ("dormant", Boolean),
            ("followers", Long),
            ("language", String),
            ("created_at", DateTime),
            ("first_seen", DateTime),
            ("last_seen", DateTime),
            ("bio_terms", ListString),
        ]
        .into_iter()
        .map(|(n, t)| AttributeDef::new(n, t))
        .collect();
        let edge_schema = [
            ("w_retweet", Double),
            ("w_hashtag", Double),
            ("w_url", Double),
            ("latency_median_s", Double),
            ("co_actions", Long),
        ]
        .into_iter()
        .map(|(n, t)| AttributeDef::new(n, t))
        .collect();
        let mut columns = Columns {
            node_schema,
            edge_schema,
            ids: Vec::with_capacity(nodes),
            handles: Vec::with_capacity(nodes),
            cluster: Vec::with_capacity(nodes),
            bot: Vec::with_capacity(nodes),
            first_ms: Vec::with_capacity(nodes),
            source: Vec::with_capacity(edges),
            target: Vec::with_capacity(edges),
            weight: Vec::with_capacity(edges),
            first_co_ms: Vec::with_capacity(edges),
        };
        for i in 0..nodes {
            columns
                .ids
                .push(format!("{}", 700_000_000_000_000_000u64 + i as u64 * 7919));
            columns.handles.push(format!("user_{i:06}"));
            columns.cluster.push(rng.random_range(0..1000));
            columns.bot.push(rng.random());
            columns.first_ms.push(T0 + rng.random_range(0..72) * HOUR);
        }
        for _ in 0..edges {
            let s = rng.random_range(0..nodes as u32);
            let mut t = rng.random_range(0..nodes as u32 - 1);
            if t >= s {
                t += 1;
            }
            columns.source.push(s);
            columns.target.push(t);
            columns.weight.push(1.0 + rng.random_range(0..20) as f32);
            columns
                .first_co_ms
                .push(T0 + rng.random_range(0..72 * 3600) * 1000);
        }
        columns
    }
}

impl GraphSource for Columns {
    fn directed(&self) -> bool {
        false
    }
    fn node_attributes(&self) -> &[AttributeDef] {
        &self.node_schema
    }
    fn edge_attributes(&self) -> &[AttributeDef] {
        &self.edge_schema
    }
    fn node_count(&self) -> usize {
        self.ids.len()
    }
    fn edge_count(&self) -> usize {
        self.source.len()
    }
    fn node_id(&self, ix: usize) -> &str {
        &self.ids[ix]
    }
    fn visit_node_range(
        &self,
        range: std::ops::Range<usize>,
        visit: &mut NodeVisitor<'_>,
    ) -> Result<(), ExportError> {
        let mut node = ExportNode::default();
        for i in range {
            let cluster = self.cluster[i];
            let flagged = (cluster < 20).then_some(cluster + 1);
            let bot = f64::from(self.bot[i]);
            let first = self.first_ms[i];
            node.id.clone_from(&self.ids[i]);
            node.label.clone_from(&self.handles[i]);
            node.values.clear();
            node.values.extend([
                AttrValue::Str(self.handles[i].clone()),
                AttrValue::Str(format!("User {i} \"the <real> one\" & co")),
                AttrValue::Int(i64::from(cluster)),
                flagged.map_or(AttrValue::Missing, |r| AttrValue::Int(i64::from(r))),
                AttrValue::Float(bot / 2.0),
                AttrValue::Float(bot),
                AttrValue::Bool(i % 7 == 0),
                AttrValue::Int(i as i64 * 13 % 100_000),
                AttrValue::Str("fr".to_string()),
                AttrValue::Time(first - 900 * 24 * HOUR),
                AttrValue::Time(first),
                AttrValue::Time(first + 30 * HOUR),
                AttrValue::List(vec!["macron".to_string(), "leaks".to_string()]),
            ]);
            node.color = Some(cluster_color(flagged));
            node.size = Some(size_by_score(bot));
            node.cluster = Some(cluster);
            node.spells.clear();
            node.spells.push((first, first + 2 * HOUR));
            node.spells.push((first + 24 * HOUR, first + 30 * HOUR));
            visit(&node)?;
        }
        Ok(())
    }
    fn visit_edge_range(
        &self,
        range: std::ops::Range<usize>,
        visit: &mut EdgeVisitor<'_>,
    ) -> Result<(), ExportError> {
        let mut edge = ExportEdge::default();
        for i in range {
            let w = f64::from(self.weight[i]);
            let t = self.first_co_ms[i];
            edge.source = self.source[i] as usize;
            edge.target = self.target[i] as usize;
            edge.weight = w;
            edge.values.clear();
            edge.values.extend([
                AttrValue::Float(w / 2.0),
                AttrValue::Float(w / 4.0),
                AttrValue::Float(w / 4.0),
                AttrValue::Float((i % 600) as f64 / 10.0),
                AttrValue::Int(w as i64),
            ]);
            edge.spells.clear();
            for k in 0..=(i % 3) as i64 {
                edge.spells.push((t + k * HOUR, t + k * HOUR + 60_000));
            }
            visit(&edge)?;
        }
        Ok(())
    }
}

/// A field of `/proc/self/status` in kB (`VmHWM`, `VmRSS`), 0 where unavailable.
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Resets the peak-RSS high-water mark to the current RSS (Linux: `echo 5 > clear_refs`);
/// whether that worked.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn measure(name: &str, bytes_of: &[&Path], run: impl FnOnce() -> Result<(), ExportError>) {
    let reset = reset_peak();
    let before = status_kb("VmRSS:");
    let start = Instant::now();
    run().expect("export succeeds");
    let secs = start.elapsed().as_secs_f64();
    let size: u64 = bytes_of
        .iter()
        .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum();
    let peak = status_kb("VmHWM:");
    println!(
        "{name:<14} {secs:>6.2} s  {:>7.1} MB out  {:>6.1} MB/s  peak RSS {:>6.1} MB \
         (+{:.1} MB over the {:.1} MB before{})",
        size as f64 / 1e6,
        size as f64 / 1e6 / secs,
        peak as f64 / 1024.0,
        peak.saturating_sub(before) as f64 / 1024.0,
        before as f64 / 1024.0,
        if reset {
            ""
        } else {
            "; peak not reset, so process-wide"
        },
    );
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let nodes: usize = args.first().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let edges: usize = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let out_dir = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| "/work/bench-data/export".to_string());
    let threads: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(2);
    let out = Path::new(&out_dir);
    std::fs::create_dir_all(out).expect("output directory");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");

    pool.install(|| {
        let start = Instant::now();
        let graph = Columns::random(nodes, edges, 42);
        println!(
            "graph: {nodes} nodes, {edges} edges, built in {:.2} s; RSS {:.1} MB \
             (threads {threads})",
            start.elapsed().as_secs_f64(),
            status_kb("VmRSS:") as f64 / 1024.0
        );
        for dynamic in [false, true] {
            let name = if dynamic {
                "gexf-dynamic"
            } else {
                "gexf-static"
            };
            let path = out.join(format!("{name}.gexf"));
            let options = GexfOptions {
                dynamic,
                ..GexfOptions::default()
            };
            measure(name, &[&path], || {
                write_atomically(&path, |w| write_gexf(&graph, &options, w))
            });
        }
        // Serialisation alone, without the disk: into io::sink().
        measure("gexf-dyn→sink", &[], || {
            let options = GexfOptions {
                dynamic: true,
                ..GexfOptions::default()
            };
            write_gexf(&graph, &options, std::io::sink())
        });
        let path = out.join("graph.graphml");
        measure("graphml", &[&path], || {
            write_atomically(&path, |w| write_graphml(&graph, w))
        });
        let (nodes_path, edges_path) = (out.join("nodes.csv"), out.join("edges.csv"));
        measure("csv", &[&nodes_path, &edges_path], || {
            write_atomically(&nodes_path, |n| {
                write_atomically(&edges_path, |e| {
                    write_csv_tables(&graph, &CsvOptions { intervals: true }, &mut *n, e)
                })
            })
        });
    });
}
