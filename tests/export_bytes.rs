//! The exact bytes of every exporter and of the saved edge table, pinned: a graph of 40,001
//! nodes and edges (several rendering chunks and groups) full of hostile text and awkward
//! floats is exported on one and on two threads, and the size and FNV-1a hash of each output
//! must be those of the release that rendered one record at a time (which these numbers were
//! taken from). Any change of a byte of the formats shows up here.

use coordgraph::export::{
    AttrType, AttrValue, AttributeDef, CsvOptions, ExportEdge, ExportGraph, ExportNode,
    GexfOptions, Rgb, write_csv_tables, write_gexf, write_graphml,
};
use coordgraph::report::{EdgeRow, EdgeTable};

/// A graph of `n` nodes and `n` edges spanning several rendering chunks, with the hostile
/// strings in ids, labels, text values, list items and edge kinds, and floats of every kind
/// (whole, decimal, tiny, huge, negative zero, NaN, infinities).
fn big_graph(h: &[String], n: usize, directed: bool) -> ExportGraph {
    use AttrValue::*;
    const T0: i64 = 1_493_942_400_000;
    let float = |i: usize| match i % 11 {
        0 => i as f64,
        1 => i as f64 / 7.0,
        2 => 1e-9 * i as f64,
        3 => 1e17 * i as f64,
        4 => -0.0,
        5 => f64::NAN,
        6 => f64::INFINITY,
        7 => -(i as f64) / 1024.0,
        8 => 0.1 + i as f64,
        9 => f64::from_bits(0x3ff0_0000_0000_0000 + (i as u64).wrapping_mul(0x9e37_79b9)),
        _ => 0.0,
    };
    let nodes = (0..n)
        .map(|i| ExportNode {
            id: if i % 5 == 0 {
                format!("{}{i}", h[i % h.len()])
            } else {
                (1_000_000_000 + i).to_string()
            },
            label: if i % 3 == 0 {
                h[(i + 1) % h.len()].clone()
            } else {
                format!("user{i}")
            },
            values: vec![
                if i % 4 == 0 {
                    Missing
                } else {
                    Str(h[(i + 2) % h.len()].clone())
                },
                Int(i as i64 - 500),
                Float(float(i)),
                Bool(i % 2 == 0),
                if i % 6 == 0 {
                    Missing
                } else {
                    Time(T0 + i as i64 * 61_001 - 900_000_000_000)
                },
                List(vec![format!("tag{i}"), h[(i + 3) % h.len()].clone()]),
            ],
            color: (i % 7 != 0).then(|| Rgb::new((i % 256) as u8, 7, 200)),
            size: (i % 9 != 0).then(|| float(i + 1).abs()),
            cluster: Some((i % 13) as u32),
            spells: (0..i % 3)
                .map(|k| {
                    (
                        T0 + (i * 1000 + k * 3_600_000) as i64,
                        T0 + (i * 997) as i64,
                    )
                })
                .collect(),
        })
        .collect();
    let edges = (0..n)
        .map(|i| ExportEdge {
            source: i,
            target: (i * 7 + 3) % n,
            weight: float(i + 2),
            kind: match i % 4 {
                0 => None,
                1 => Some(String::new()),
                2 => Some("retweet".to_string()),
                _ => Some(h[i % h.len()].clone()),
            },
            values: vec![
                Int(i as i64),
                Float(float(i + 5)),
                if i % 8 == 0 {
                    Missing
                } else {
                    Time(T0 + i as i64 * 1_500)
                },
                Float(0.0),
            ],
            spells: (0..i % 3)
                .map(|k| (T0 + (i * 1500 + k) as i64, T0 + (i * 1500) as i64 + 60_000))
                .collect(),
        })
        .collect();
    ExportGraph {
        directed,
        node_attributes: vec![
            AttributeDef::new("text", AttrType::String),
            AttributeDef::new("count", AttrType::Long),
            AttributeDef::new("score", AttrType::Double),
            AttributeDef::new("flag", AttrType::Boolean),
            AttributeDef::new("seen", AttrType::DateTime),
            AttributeDef::new(h[0].clone(), AttrType::ListString),
        ],
        edge_attributes: vec![
            AttributeDef::new("pairs", AttrType::Long),
            AttributeDef::new("w", AttrType::Double),
            AttributeDef::new("first", AttrType::DateTime),
            AttributeDef::new(format!("w_{}", h[8]), AttrType::Double),
        ],
        clusters: Vec::new(),
        nodes,
        edges,
    }
}

/// An edge table of `n` rows with hostile ids and layer names and every kind of float.
fn big_table(h: &[String], n: usize) -> EdgeTable {
    let graph = big_graph(h, n, false);
    EdgeTable {
        layers: vec!["co-retweet".to_string(), h[8].clone(), h[3].clone()],
        edges: graph
            .edges
            .iter()
            .enumerate()
            .map(|(i, e)| EdgeRow {
                source: graph.nodes[e.source].id.clone(),
                target: graph.nodes[e.target].id.clone(),
                weight: e.weight,
                pairs: i as u64 * 3,
                min_dt_s: graph.nodes[i].size.unwrap_or(-1.5),
                first: format!("2017-05-05T18:{:02}:00.000Z", i % 60),
                last: h[i % h.len()].clone(),
                layer_weights: vec![e.weight, 0.0, (i as f64).sqrt()],
            })
            .collect(),
    }
}

/// FNV-1a, 64 bits: a fixed hash of output bytes.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Every output of the exporters and the edge table on the big graph: (name, length, hash).
fn big_outputs(h: &[String], n: usize) -> Vec<(String, usize, u64)> {
    let mut outputs: Vec<(String, Vec<u8>)> = Vec::new();
    for directed in [false, true] {
        let graph = big_graph(h, n, directed);
        for dynamic in [false, true] {
            let options = GexfOptions {
                dynamic,
                description: Some(h[1].clone()),
                last_modified_ms: Some(1_493_942_400_000),
                ..GexfOptions::default()
            };
            let mut out = Vec::new();
            write_gexf(&graph, &options, &mut out).unwrap();
            outputs.push((format!("gexf directed={directed} dynamic={dynamic}"), out));
        }
        let mut out = Vec::new();
        write_graphml(&graph, &mut out).unwrap();
        outputs.push((format!("graphml directed={directed}"), out));
        for intervals in [false, true] {
            let (mut nodes, mut edges) = (Vec::new(), Vec::new());
            write_csv_tables(&graph, &CsvOptions { intervals }, &mut nodes, &mut edges).unwrap();
            outputs.push((
                format!("nodes.csv directed={directed} intervals={intervals}"),
                nodes,
            ));
            outputs.push((
                format!("edges.csv directed={directed} intervals={intervals}"),
                edges,
            ));
        }
    }
    let mut out = Vec::new();
    big_table(h, n).write_csv(&mut out).unwrap();
    outputs.push(("coordination-edges.csv".to_string(), out));
    outputs
        .into_iter()
        .map(|(name, bytes)| (name, bytes.len(), fnv1a(&bytes)))
        .collect()
}

/// (output, length, FNV-1a hash) of [`big_outputs`] for 40,001 records.
const PINNED: [(&str, usize, u64); 15] = [
    (
        "gexf directed=false dynamic=false",
        36845867,
        0x44b26063b688965a,
    ),
    (
        "gexf directed=false dynamic=true",
        45059094,
        0xce7f912b76717f24,
    ),
    ("graphml directed=false", 33173646, 0x85e42833289f29ba),
    (
        "nodes.csv directed=false intervals=false",
        6817566,
        0x97c91587ec1a554c,
    ),
    (
        "edges.csv directed=false intervals=false",
        4356360,
        0x0b50c5a529e460f6,
    ),
    (
        "nodes.csv directed=false intervals=true",
        8910750,
        0xe60fcbb2dfa40da0,
    ),
    (
        "edges.csv directed=false intervals=true",
        6476364,
        0x320ff653426fc2db,
    ),
    (
        "gexf directed=true dynamic=false",
        36845865,
        0xb19c9def8ce053ad,
    ),
    (
        "gexf directed=true dynamic=true",
        45059092,
        0x1d153f324d62cf95,
    ),
    ("graphml directed=true", 33173644, 0x6d675174b2dbde7b),
    (
        "nodes.csv directed=true intervals=false",
        6817566,
        0x97c91587ec1a554c,
    ),
    (
        "edges.csv directed=true intervals=false",
        4276358,
        0xca23b1d601734155,
    ),
    (
        "nodes.csv directed=true intervals=true",
        8910750,
        0xe60fcbb2dfa40da0,
    ),
    (
        "edges.csv directed=true intervals=true",
        6396362,
        0xe4f9df637096eae6,
    ),
    ("coordination-edges.csv", 6380359, 0xf10e573c9541e372),
];

#[test]
fn export_bytes_are_pinned_on_one_and_two_threads() {
    let text = std::fs::read_to_string(crate::util::fixture("export/hostile.json"))
        .expect("hostile fixture");
    let hostile: Vec<String> = serde_json::from_str(&text).expect("hostile fixture is JSON");
    for threads in [1, 2] {
        let outputs = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| big_outputs(&hostile, 40_001));
        let pinned: Vec<(String, usize, u64)> = PINNED
            .iter()
            .map(|&(name, len, hash)| (name.to_string(), len, hash))
            .collect();
        assert_eq!(outputs, pinned, "on {threads} threads");
    }
}
