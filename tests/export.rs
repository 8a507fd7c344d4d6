//! Exporters on small hand-made graphs: exact structure parsed back (in Rust, and with
//! networkx), GEXF validated against the official GEXF 1.3 RELAX NG schema, DOT rendered by
//! Graphviz, hostile text kept valid everywhere.
//!
//! Tests needing an external tool (xmllint, dot, python3 with networkx) skip with a notice
//! when it is missing, and fail instead when `COORDGRAPH_REQUIRE_TOOLS=1`.

use crate::tools::{have_tool, networkx_read, render_dot_svg, schema_accepts, validate_gexf};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use coordgraph::export::atomic::write_atomically;
use coordgraph::export::palette::{UNFLAGGED, flagged_color, size_by_score};
use coordgraph::export::text::sanitize_xml;
use coordgraph::export::{
    AttrType, AttrValue, AttributeDef, CsvOptions, DotOptions, EdgeVisitor, ExportCluster,
    ExportEdge, ExportError, ExportGraph, ExportNode, GexfOptions, GraphSource, NodeVisitor,
    cluster_dots, write_csv_tables, write_dot, write_gexf, write_graphml,
};
use serde_json::Value;

const HOUR: i64 = 3_600_000;
/// 2017-05-05T00:00:00Z, the #MacronLeaks weekend.
const T0: i64 = 1_493_942_400_000;

fn node_schema() -> Vec<AttributeDef> {
    use AttrType::*;
    [
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
    .collect()
}

fn edge_schema() -> Vec<AttributeDef> {
    use AttrType::*;
    [
        ("w_retweet", Double),
        ("w_hashtag", Double),
        ("latency_median_s", Double),
        ("latency_min_s", Double),
        ("co_actions", Long),
    ]
    .into_iter()
    .map(|(n, t)| AttributeDef::new(n, t))
    .collect()
}

/// One account of the fixture.
fn account(
    id: &str,
    handle: &str,
    cluster: u32,
    rank: Option<u32>,
    bot: Option<f64>,
) -> ExportNode {
    use AttrValue::*;
    let value_or_missing = |v: Option<AttrValue>| v.unwrap_or(Missing);
    ExportNode {
        id: id.to_string(),
        label: handle.to_string(),
        values: vec![
            Str(handle.to_string()),
            Str(format!("{handle} name")),
            Int(i64::from(cluster)),
            value_or_missing(rank.map(|r| Int(i64::from(r)))),
            Float(0.25 * f64::from(cluster)),
            value_or_missing(bot.map(Float)),
            Bool(cluster == 1),
            Int(5_000_000_000 + i64::from(cluster)),
            Str("fr".to_string()),
            Time(T0 - 400 * 24 * HOUR),
            Time(T0 + HOUR),
            Time(T0 + 30 * HOUR + 123),
            List(vec!["macron".to_string(), format!("{handle}, too")]),
        ],
        color: Some(rank.map_or(UNFLAGGED, flagged_color)),
        size: bot.map(size_by_score),
        cluster: Some(cluster),
        spells: vec![
            (T0 + HOUR, T0 + 2 * HOUR),
            (T0 + 24 * HOUR, T0 + 30 * HOUR + 123),
        ],
    }
}

fn clusters() -> Vec<ExportCluster> {
    vec![
        ExportCluster {
            id: 1,
            rank: 1,
            label: "leak amplifiers".to_string(),
            color: flagged_color(1),
        },
        ExportCluster {
            id: 2,
            rank: 2,
            label: "copy-paste ring".to_string(),
            color: flagged_color(2),
        },
    ]
}

/// The co-action graph: four accounts, clusters 1 (two, flagged rank 1), 2 (one, flagged
/// rank 2) and 3 (one, not flagged), four undirected edges.
fn coaction() -> ExportGraph {
    use AttrValue::*;
    let edge = |source, target, weight: f64, spells: Vec<(i64, i64)>| ExportEdge {
        source,
        target,
        weight,
        kind: None,
        values: vec![
            Float(weight - 1.0),
            Float(1.0),
            Float(12.5),
            Float(0.5),
            Int(weight as i64),
        ],
        spells,
    };
    ExportGraph {
        directed: false,
        node_attributes: node_schema(),
        edge_attributes: edge_schema(),
        clusters: clusters(),
        nodes: vec![
            account("101", "ann", 1, Some(1), Some(0.9)),
            account("102", "bob", 1, Some(1), Some(0.7)),
            account("103", "cat", 2, Some(2), Some(0.2)),
            account("104", "dan", 3, None, None),
        ],
        edges: vec![
            edge(
                0,
                1,
                5.0,
                vec![
                    (T0 + HOUR, T0 + HOUR),
                    (T0 + 2 * HOUR, T0 + 2 * HOUR + 60_000),
                ],
            ),
            edge(0, 2, 2.0, vec![(T0 + 3 * HOUR, T0 + 3 * HOUR)]),
            edge(2, 3, 1.0, vec![]),
            edge(1, 3, 1.5, vec![(T0 + 4 * HOUR, T0 + 4 * HOUR)]),
        ],
    }
}

/// The interaction graph: directed, with three parallel edges of different kinds.
fn interaction() -> ExportGraph {
    let mut graph = coaction();
    graph.directed = true;
    graph.edge_attributes = vec![AttributeDef::new("posts", AttrType::Long)];
    let edge = |source, target, kind: &str, weight: f64| ExportEdge {
        source,
        target,
        weight,
        kind: Some(kind.to_string()),
        values: vec![AttrValue::Int(weight as i64)],
        spells: vec![(T0, T0 + HOUR)],
    };
    graph.edges = vec![
        edge(0, 1, "retweet", 3.0),
        edge(0, 1, "reply", 1.0),
        edge(0, 1, "mention", 2.0),
        edge(2, 0, "quote", 1.0),
    ];
    graph
}

fn hostile_strings() -> Vec<String> {
    let text = std::fs::read_to_string(crate::util::fixture("export/hostile.json"))
        .expect("hostile fixture");
    serde_json::from_str(&text).expect("hostile fixture is JSON")
}

/// The co-action graph with hostile ids, labels, names, list items and cluster captions.
fn hostile() -> ExportGraph {
    let h = hostile_strings();
    let mut graph = interaction();
    for (i, node) in graph.nodes.iter_mut().enumerate() {
        node.id = h[i].clone();
        node.label = h[i + 4].clone();
        node.values[0] = AttrValue::Str(h[i + 5].clone());
        node.values[1] = AttrValue::Str(h[(i + 2) % h.len()].clone());
        node.values[12] = AttrValue::List(h.clone());
    }
    for (i, edge) in graph.edges.iter_mut().enumerate() {
        edge.kind = Some(format!("{} {i}", h[(i + 1) % h.len()]));
    }
    graph.clusters[0].label = h[8].clone();
    graph.clusters[1].label = h[9].clone();
    graph
}

fn gexf_bytes(graph: &dyn GraphSource, dynamic: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let options = GexfOptions {
        dynamic,
        description: Some("test <graph> & \u{0}co".to_string()),
        last_modified_ms: Some(T0),
        ..GexfOptions::default()
    };
    write_gexf(graph, &options, &mut out).expect("GEXF written");
    out
}

// ---------------------------------------------------------------------------------------------
// A small XML reader for the tests: elements in document order, attributes unescaped.

#[derive(Debug)]
struct XmlElement {
    name: String,
    attrs: BTreeMap<String, String>,
    /// `id` of the enclosing `<node>` or `<edge>`, if any.
    owner: Option<String>,
    text: String,
}

fn parse_xml(bytes: &[u8]) -> Vec<XmlElement> {
    use quick_xml::events::Event;
    let text = std::str::from_utf8(bytes).expect("UTF-8 output");
    let mut reader = quick_xml::Reader::from_str(text);
    let mut elements: Vec<XmlElement> = Vec::new();
    let mut owners: Vec<Option<String>> = vec![None];
    let mut open: Vec<usize> = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            ev @ (Event::Start(_) | Event::Empty(_)) => {
                let (e, is_start) = match &ev {
                    Event::Start(e) => (e, true),
                    Event::Empty(e) => (e, false),
                    _ => unreachable!(),
                };
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let mut attrs = BTreeMap::new();
                for a in e.attributes() {
                    let a = a.expect("attribute");
                    let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
                    // Normalised as any XML 1.0 parser does: raw tabs and newlines would
                    // become spaces, character references survive.
                    let value = a
                        .normalized_value(quick_xml::XmlVersion::Explicit1_0)
                        .expect("escaped value")
                        .into_owned();
                    attrs.insert(key, value);
                }
                let owner = owners.last().cloned().flatten();
                let this_owner = if name == "node" || name == "edge" {
                    attrs.get("id").cloned()
                } else {
                    owner.clone()
                };
                elements.push(XmlElement {
                    name,
                    attrs,
                    owner,
                    text: String::new(),
                });
                if is_start {
                    owners.push(this_owner);
                    open.push(elements.len() - 1);
                }
            }
            Event::Text(t) => {
                if let Some(&i) = open.last() {
                    elements[i].text.push_str(&t.xml10_content().expect("text"));
                }
            }
            Event::GeneralRef(r) => {
                let name = String::from_utf8(r.to_vec()).unwrap();
                let c = match name.as_str() {
                    "amp" => "&".to_string(),
                    "lt" => "<".to_string(),
                    "gt" => ">".to_string(),
                    "quot" => "\"".to_string(),
                    "apos" => "'".to_string(),
                    n => {
                        let code = n.strip_prefix('#').expect("character reference");
                        let code = match code.strip_prefix('x') {
                            Some(hex) => u32::from_str_radix(hex, 16).unwrap(),
                            None => code.parse().unwrap(),
                        };
                        char::from_u32(code).unwrap().to_string()
                    }
                };
                if let Some(&i) = open.last() {
                    elements[i].text.push_str(&c);
                }
            }
            Event::End(_) => {
                owners.pop();
                open.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    elements
}

fn named<'a>(elements: &'a [XmlElement], name: &str) -> Vec<&'a XmlElement> {
    elements.iter().filter(|e| e.name == name).collect()
}

/// attvalue `for` → value of the node or edge `owner`.
fn attvalues(elements: &[XmlElement], owner: &str) -> BTreeMap<String, String> {
    elements
        .iter()
        .filter(|e| e.name == "attvalue" && e.owner.as_deref() == Some(owner))
        .map(|e| (e.attrs["for"].clone(), e.attrs["value"].clone()))
        .collect()
}

fn write_temp(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    write_atomically(&path, |w| std::io::Write::write_all(w, bytes)).expect("file written");
    path
}

// ---------------------------------------------------------------------------------------------
// GEXF.

#[test]
fn gexf_static_has_the_exact_structure() {
    let elements = parse_xml(&gexf_bytes(&coaction(), false));
    let gexf = &named(&elements, "gexf")[0];
    assert_eq!(gexf.attrs["version"], "1.3");
    assert_eq!(gexf.attrs["xmlns"], "http://gexf.net/1.3");
    assert_eq!(gexf.attrs["xmlns:viz"], "http://gexf.net/1.3/viz");
    assert!(!gexf.attrs.contains_key("xsi:schemaLocation"));
    let meta = named(&elements, "meta");
    assert_eq!(meta[0].attrs["lastmodifieddate"], "2017-05-05");
    assert_eq!(
        named(&elements, "description")[0].text,
        "test <graph> & \u{fffd}co"
    );
    let graph = &named(&elements, "graph")[0];
    assert_eq!(graph.attrs["defaultedgetype"], "undirected");
    assert!(!graph.attrs.contains_key("mode"));

    let decls = named(&elements, "attribute");
    assert_eq!(decls.len(), 13 + 5);
    assert_eq!(decls[5].attrs["title"], "bot_score");
    assert_eq!(decls[5].attrs["type"], "double");
    assert_eq!(
        decls[9].attrs["type"], "string",
        "DateTime is written as a string"
    );
    assert_eq!(decls[12].attrs["type"], "liststring");
    assert_eq!(decls[13].attrs["title"], "w_retweet");

    let nodes = named(&elements, "node");
    assert_eq!(nodes.len(), 4);
    assert_eq!(named(&elements, "nodes")[0].attrs["count"], "4");
    assert_eq!(nodes[0].attrs["id"], "101");
    assert_eq!(nodes[0].attrs["label"], "ann");
    let ann = attvalues(&elements, "101");
    assert_eq!(ann["0"], "ann");
    assert_eq!(ann["2"], "1");
    assert_eq!(ann["5"], "0.9");
    assert_eq!(ann["6"], "true");
    assert_eq!(ann["7"], "5000000001");
    assert_eq!(ann["9"], "2016-03-31T00:00:00Z");
    assert_eq!(ann["11"], "2017-05-06T06:00:00.123Z");
    assert_eq!(ann["12"], r#"[macron, "ann, too"]"#);
    let dan = attvalues(&elements, "104");
    assert_eq!(dan.len(), 11, "missing rank and bot_score are left out");
    assert!(!dan.contains_key("3") && !dan.contains_key("5"));
    assert!(
        named(&elements, "spells").is_empty(),
        "no spells in static mode"
    );

    let colors = named(&elements, "viz:color");
    assert_eq!(colors.len(), 4);
    let c = flagged_color(1);
    assert_eq!(
        (
            &colors[0].attrs["r"],
            &colors[0].attrs["g"],
            &colors[0].attrs["b"]
        ),
        (&c.r.to_string(), &c.g.to_string(), &c.b.to_string())
    );
    assert_eq!(colors[3].attrs["r"], UNFLAGGED.r.to_string());
    let sizes = named(&elements, "viz:size");
    assert_eq!(sizes.len(), 3, "dan has no size");
    assert_eq!(sizes[0].attrs["value"], "36.4");

    let edges = named(&elements, "edge");
    assert_eq!(edges.len(), 4);
    assert_eq!(named(&elements, "edges")[0].attrs["count"], "4");
    let e = &edges[3].attrs;
    assert_eq!(
        (&e["id"][..], &e["source"][..], &e["target"][..]),
        ("3", "102", "104")
    );
    assert_eq!(e["weight"], "1.5");
    assert!(!e.contains_key("kind") && !e.contains_key("type"));
    let e3 = attvalues(&elements, "3");
    assert_eq!(e3["0"], "0.5");
    assert_eq!(e3["4"], "1");
}

#[test]
fn gexf_dynamic_has_spells_as_datetimes() {
    let elements = parse_xml(&gexf_bytes(&coaction(), true));
    let graph = &named(&elements, "graph")[0];
    assert_eq!(graph.attrs["mode"], "dynamic");
    assert_eq!(graph.attrs["timeformat"], "dateTime");
    let spells = named(&elements, "spell");
    // 4 nodes × 2 spells + edges 0 (2), 1 (1), 3 (1); edge 2 has none.
    assert_eq!(spells.len(), 8 + 4);
    let ann: Vec<_> = spells
        .iter()
        .filter(|s| s.owner.as_deref() == Some("101"))
        .collect();
    assert_eq!(ann[0].attrs["start"], "2017-05-05T01:00:00Z");
    assert_eq!(ann[0].attrs["end"], "2017-05-05T02:00:00Z");
    assert_eq!(ann[1].attrs["end"], "2017-05-06T06:00:00.123Z");
    let edge0: Vec<_> = spells
        .iter()
        .filter(|s| {
            s.owner.as_deref() == Some("0") && s.attrs["start"].starts_with("2017-05-05T02")
        })
        .collect();
    assert_eq!(edge0[0].attrs["end"], "2017-05-05T02:01:00Z");
}

#[test]
fn gexf_interaction_graph_keeps_parallel_edges_by_kind() {
    let elements = parse_xml(&gexf_bytes(&interaction(), false));
    assert_eq!(
        named(&elements, "graph")[0].attrs["defaultedgetype"],
        "directed"
    );
    let kinds: Vec<(&str, &str, &str)> = named(&elements, "edge")
        .iter()
        .map(|e| {
            (
                &e.attrs["source"][..],
                &e.attrs["target"][..],
                &e.attrs["kind"][..],
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("101", "102", "retweet"),
            ("101", "102", "reply"),
            ("101", "102", "mention"),
            ("103", "101", "quote")
        ]
    );
}

#[test]
fn gexf_validates_against_the_official_schema() {
    let dir = tempfile::tempdir().unwrap();
    for (name, graph, dynamic) in [
        ("coaction.gexf", coaction(), false),
        ("coaction-dynamic.gexf", coaction(), true),
        ("interaction.gexf", interaction(), false),
        ("interaction-dynamic.gexf", interaction(), true),
        ("hostile.gexf", hostile(), false),
        ("hostile-dynamic.gexf", hostile(), true),
        ("empty.gexf", ExportGraph::default(), true),
    ] {
        let path = write_temp(dir.path(), name, &gexf_bytes(&graph, dynamic));
        validate_gexf(&path);
    }
    // The check can fail: a schemaLocation attribute or a made-up edge type is rejected.
    let good = String::from_utf8(gexf_bytes(&interaction(), false)).unwrap();
    for bad in [
        good.replace(r#"version="1.3">"#, r#"version="1.3" xsi:schemaLocation="x" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#),
        good.replace(r#"kind="reply""#, r#"type="reply""#),
    ] {
        assert_ne!(bad, good);
        let path = write_temp(dir.path(), "bad.gexf", bad.as_bytes());
        if let Some((ok, _)) = schema_accepts(&path) {
            assert!(!ok, "the schema check accepts an invalid file");
        }
    }
}

#[test]
fn networkx_reads_gexf_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(dir.path(), "c.gexf", &gexf_bytes(&coaction(), false));
    let Some(g) = networkx_read("gexf", &path) else {
        return;
    };
    assert_eq!(g["nodes"], 4);
    assert_eq!(g["edges"], 4);
    assert_eq!(g["directed"], false);
    let ann = &g["node_data"]["101"];
    assert_eq!(ann["label"], "ann");
    assert_eq!(ann["bot_score"], 0.9);
    assert_eq!(ann["followers"], 5_000_000_001_i64);
    assert_eq!(ann["dormant"], true);
    assert_eq!(ann["last_seen"], "2017-05-06T06:00:00.123Z");
    assert_eq!(ann["viz"]["color"]["r"], flagged_color(1).r);
    assert_eq!(ann["viz"]["size"], 36.4);
    assert!(g["node_data"]["104"].get("bot_score").is_none());
    let e = &g["edge_data"][3];
    assert_eq!((&e[0], &e[1]), (&Value::from("102"), &Value::from("104")));
    assert_eq!(e[2]["weight"], 1.5);
    assert_eq!(e[2]["latency_median_s"], 12.5);

    let path = write_temp(dir.path(), "i.gexf", &gexf_bytes(&interaction(), true));
    let g = networkx_read("gexf", &path).unwrap();
    assert_eq!(
        (g["nodes"].clone(), g["edges"].clone()),
        (4.into(), 4.into())
    );
    assert_eq!(g["directed"], true);
    assert_eq!(g["multigraph"], true, "parallel edges make a multigraph");
    assert_eq!(
        g["node_data"]["101"]["spells"][1][0],
        "2017-05-06T00:00:00Z"
    );
    assert_eq!(g["edge_data"][0][2]["spells"][0][1], "2017-05-05T01:00:00Z");
}

#[test]
fn hostile_text_survives_gexf_exactly_up_to_forbidden_characters() {
    let graph = hostile();
    let h = hostile_strings();
    for dynamic in [false, true] {
        let elements = parse_xml(&gexf_bytes(&graph, dynamic));
        let nodes = named(&elements, "node");
        for (i, node) in nodes.iter().enumerate() {
            assert_eq!(node.attrs["id"], sanitize_xml(&h[i]));
            assert_eq!(node.attrs["label"], sanitize_xml(&h[i + 4]));
            let values = attvalues(&elements, &node.attrs["id"]);
            assert_eq!(values["0"], sanitize_xml(&h[i + 5]));
        }
        let edges = named(&elements, "edge");
        assert_eq!(edges[0].attrs["source"], sanitize_xml(&h[0]));
        assert_eq!(edges[0].attrs["kind"], sanitize_xml(&format!("{} 0", h[1])));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(dir.path(), "h.gexf", &gexf_bytes(&graph, true));
    let Some(g) = networkx_read("gexf", &path) else {
        return;
    };
    assert_eq!(g["nodes"], 4);
    assert_eq!(g["edges"], 4);
    let first = &g["node_data"][&*sanitize_xml(&h[0])];
    assert_eq!(first["label"], *sanitize_xml(&h[4]));
    assert_eq!(first["handle"], *sanitize_xml(&h[5]));
}

// ---------------------------------------------------------------------------------------------
// GraphML.

fn graphml_bytes(graph: &dyn GraphSource) -> Vec<u8> {
    let mut out = Vec::new();
    write_graphml(graph, &mut out).expect("GraphML written");
    out
}

#[test]
fn graphml_has_keys_nodes_and_edges() {
    let elements = parse_xml(&graphml_bytes(&interaction()));
    let keys = named(&elements, "key");
    assert_eq!(keys.len(), 7 + 13 + 1);
    assert_eq!(keys[7].attrs["attr.name"], "handle");
    assert_eq!(keys[13].attrs["attr.type"], "boolean");
    assert_eq!(
        named(&elements, "graph")[0].attrs["edgedefault"],
        "directed"
    );
    assert_eq!(named(&elements, "node").len(), 4);
    let edges = named(&elements, "edge");
    assert_eq!(edges.len(), 4);
    assert_eq!(edges[1].attrs["id"], "e1");
    let data: Vec<(&str, &str)> = elements
        .iter()
        .filter(|e| e.name == "data" && e.owner.as_deref() == Some("e1"))
        .map(|e| (&e.attrs["key"][..], &e.text[..]))
        .collect();
    assert_eq!(data, [("weight", "1"), ("kind", "reply"), ("e0", "1")]);
}

#[test]
fn networkx_reads_graphml_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(dir.path(), "i.graphml", &graphml_bytes(&interaction()));
    let Some(g) = networkx_read("graphml", &path) else {
        return;
    };
    assert_eq!(g["nodes"], 4);
    assert_eq!(g["edges"], 4);
    assert_eq!(g["directed"], true);
    assert_eq!(g["multigraph"], true);
    let ann = &g["node_data"]["101"];
    assert_eq!(ann["label"], "ann");
    assert_eq!(ann["bot_score"], 0.9);
    assert_eq!(ann["followers"], 5_000_000_001_i64);
    assert_eq!(ann["dormant"], true);
    assert_eq!(ann["r"], flagged_color(1).r);
    assert_eq!(ann["created_at"], "2016-03-31T00:00:00Z");
    let kinds: Vec<&str> = g["edge_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[2]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["retweet", "reply", "mention", "quote"]);

    let h = hostile_strings();
    let path = write_temp(dir.path(), "h.graphml", &graphml_bytes(&hostile()));
    let g = networkx_read("graphml", &path).unwrap();
    assert_eq!(g["nodes"], 4);
    let node = &g["node_data"][&*sanitize_xml(&h[1])];
    assert_eq!(node["label"], *sanitize_xml(&h[5]));
    assert_eq!(
        node["name"],
        *sanitize_xml(&h[3]),
        "tab, newline and CR kept"
    );
}

// ---------------------------------------------------------------------------------------------
// CSV tables.

fn csv_tables(graph: &dyn GraphSource, intervals: bool) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let (mut nodes, mut edges) = (Vec::new(), Vec::new());
    write_csv_tables(graph, &CsvOptions { intervals }, &mut nodes, &mut edges).expect("CSV");
    let read = |bytes: &[u8]| -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes)
            .records()
            .map(|r| r.expect("CSV record").iter().map(str::to_string).collect())
            .collect()
    };
    (read(&nodes), read(&edges))
}

#[test]
fn csv_tables_follow_gephis_spreadsheet_layout() {
    let (nodes, edges) = csv_tables(&interaction(), true);
    assert_eq!(nodes.len(), 5);
    assert_eq!(nodes[0][..4], ["Id", "Label", "Interval", "handle"]);
    assert_eq!(nodes[0].len(), 3 + 13);
    assert_eq!(
        nodes[1][..3],
        [
            "101",
            "ann",
            "<[2017-05-05T01:00:00Z, 2017-05-05T02:00:00Z]; \
         [2017-05-06T00:00:00Z, 2017-05-06T06:00:00.123Z]>"
        ]
    );
    assert_eq!(nodes[4][3 + 3], "", "dan has no rank");
    assert_eq!(nodes[1][3 + 12], r#"[macron, "ann, too"]"#);
    assert_eq!(
        edges[0],
        [
            "Source", "Target", "Type", "Weight", "Kind", "Interval", "posts"
        ]
    );
    assert_eq!(edges[2][..5], ["101", "102", "Directed", "1", "reply"]);
    assert_eq!(edges.len(), 5);

    let (nodes, edges) = csv_tables(&coaction(), false);
    assert_eq!(nodes[0][..3], ["Id", "Label", "handle"]);
    assert_eq!(edges[4][..5], ["102", "104", "Undirected", "1.5", ""]);
}

#[test]
fn hostile_text_survives_csv_exactly() {
    let h = hostile_strings();
    let (nodes, edges) = csv_tables(&hostile(), false);
    for i in 0..4 {
        assert_eq!(nodes[i + 1][0], h[i]);
        assert_eq!(nodes[i + 1][1], h[i + 4]);
    }
    assert_eq!(edges[1][0], h[0]);
    assert_eq!(edges[1][4], format!("{} 0", h[1]));
}

// ---------------------------------------------------------------------------------------------
// DOT.

#[test]
fn dot_files_cover_flagged_clusters_and_overview() {
    let files = cluster_dots(&coaction(), &DotOptions::default()).unwrap();
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "clusters/overview.dot",
            "clusters/1-1.dot",
            "clusters/2-2.dot"
        ]
    );
    let first = &files[1].text;
    assert!(first.starts_with("graph cluster1 {"), "{first}");
    assert!(
        first.contains(
            r##"n0[label="ann" tooltip="101" fillcolor="#e25822" width=1.2 height=1.2]"##
        ),
        "{first}"
    );
    assert!(first.contains("n1[label=\"bob\""));
    assert_eq!(
        first.matches(" -- ").count(),
        1,
        "only the inner edge ann–bob:\n{first}"
    );
    assert!(first.contains("n0 -- n1 [penwidth=6"), "{first}");
    assert!(!first.contains("cat") && !first.contains("dan"));
    let overview = &files[0].text;
    assert!(
        overview.contains(r##"label="#1 leak amplifiers\n2 accounts""##),
        "{overview}"
    );
    assert!(
        overview.contains(r#"tooltip="1 edges, weight 2""#),
        "{overview}"
    );
    assert_eq!(overview.matches(" -- ").count(), 1);

    let files = cluster_dots(&interaction(), &DotOptions::default()).unwrap();
    assert!(files[1].text.starts_with("digraph cluster1 {"));
    assert_eq!(
        files[1].text.matches("n0 -> n1").count(),
        3,
        "parallel edges kept"
    );
}

#[test]
fn graphviz_renders_every_dot_file() {
    if !have_tool("dot", &["-V"], "Graphviz dot") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, graph) in [("c", coaction()), ("i", interaction()), ("h", hostile())] {
        let out = dir.path().join(name);
        let paths =
            coordgraph::export::write_cluster_dots(&graph, &out, &DotOptions::default()).unwrap();
        assert_eq!(paths.len(), 3);
        let mut whole = Vec::new();
        write_dot(&graph, &DotOptions::default(), &mut whole).unwrap();
        let whole_path = write_temp(&out, "whole.dot", &whole);
        for path in paths.iter().chain([&whole_path]) {
            let svg_text = render_dot_svg(path);
            assert!(svg_text.contains("<svg"));
            // The SVG is XML too: it must parse, hostile labels included.
            parse_xml(svg_text.as_bytes());
        }
        if name == "h" {
            let svg = std::fs::read_to_string(paths[1].with_extension("svg")).unwrap();
            assert!(svg.contains("😀"), "emoji label rendered");
            assert!(svg.contains("&lt;script&gt;") || svg.contains("&lt;b&gt;html"));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The streaming source, determinism and errors.

/// A source that builds each record on the fly from arithmetic, reusing one buffer: what an
/// analysis over its own columns does.
struct Generated {
    nodes: usize,
    schema: Vec<AttributeDef>,
    ids: Vec<String>,
}

impl Generated {
    fn new(nodes: usize) -> Self {
        Generated {
            nodes,
            schema: vec![AttributeDef::new("degree", AttrType::Integer)],
            ids: (0..nodes).map(|i| format!("u{i}")).collect(),
        }
    }
    fn fill_node(&self, i: usize, node: &mut ExportNode) {
        node.id.clone_from(&self.ids[i]);
        node.label.clear();
        node.label.push_str(&format!("user {i}"));
        node.values.clear();
        node.values.push(AttrValue::Int(2));
        node.color = Some(flagged_color(i as u32 % 3 + 1));
        node.size = Some(i as f64);
        node.cluster = Some(i as u32 % 3);
        node.spells.clear();
        node.spells
            .push((T0 + i as i64 * HOUR, T0 + (i as i64 + 1) * HOUR));
    }
}

impl GraphSource for Generated {
    fn directed(&self) -> bool {
        false
    }
    fn node_attributes(&self) -> &[AttributeDef] {
        &self.schema
    }
    fn edge_attributes(&self) -> &[AttributeDef] {
        &[]
    }
    fn node_count(&self) -> usize {
        self.nodes
    }
    fn edge_count(&self) -> usize {
        self.nodes
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
            self.fill_node(i, &mut node);
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
            edge.source = i;
            edge.target = (i + 1) % self.nodes;
            edge.weight = 1.0 + i as f64 / 4.0;
            edge.spells.clear();
            edge.spells
                .push((T0 + i as i64 * HOUR, T0 + i as i64 * HOUR));
            visit(&edge)?;
        }
        Ok(())
    }
}

#[test]
fn a_streaming_source_exports_like_the_same_graph_in_memory() {
    let source = Generated::new(7);
    let mut graph = ExportGraph {
        directed: false,
        node_attributes: source.schema.clone(),
        ..Default::default()
    };
    for i in 0..7 {
        let mut node = ExportNode::default();
        source.fill_node(i, &mut node);
        graph.nodes.push(node);
    }
    source
        .visit_edges(&mut |e| {
            graph.edges.push(e.clone());
            Ok(())
        })
        .unwrap();
    for dynamic in [false, true] {
        assert_eq!(gexf_bytes(&source, dynamic), gexf_bytes(&graph, dynamic));
    }
    assert_eq!(graphml_bytes(&source), graphml_bytes(&graph));
    assert_eq!(csv_tables(&source, true), csv_tables(&graph, true));
    assert_eq!(
        named(&parse_xml(&gexf_bytes(&source, true)), "spell").len(),
        14
    );
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let graph = hostile();
                let mut all = gexf_bytes(&graph, true);
                all.extend(graphml_bytes(&graph));
                for f in cluster_dots(&graph, &DotOptions::default()).unwrap() {
                    all.extend(f.text.into_bytes());
                }
                all
            })
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn broken_records_are_typed_errors_and_leave_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.gexf");

    let mut graph = coaction();
    graph.edges[2].target = 9;
    let err =
        write_atomically(&path, |w| write_gexf(&graph, &GexfOptions::default(), w)).unwrap_err();
    assert!(matches!(
        err,
        ExportError::NoSuchNode {
            edge: 2,
            node: 9,
            node_count: 4
        }
    ));
    assert!(!path.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temporary file left"
    );

    let mut graph = coaction();
    graph.nodes[1].values[2] = AttrValue::Str("one".into());
    let err = write_graphml(&graph, Vec::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "node 1: the value of attribute `cluster` is not of type Integer"
    );

    let mut graph = coaction();
    graph.edges[0].values.pop();
    let err = write_csv_tables(&graph, &CsvOptions::default(), Vec::new(), Vec::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "edge 0 has 4 attribute values but the schema has 5"
    );
}
