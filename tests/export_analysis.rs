//! Exports of a saved analysis: the coordination graph built from a small hand-made report and
//! edge table with hostile profile text, checked attribute by attribute in GEXF, validated
//! against the GEXF 1.3 schema, read back by networkx, DOT rendered by Graphviz, and
//! `coordgraph export` run end to end (atomic files, same bytes on every run).
//!
//! Tests needing an external tool (xmllint, dot, python3 with networkx) skip with a notice
//! when it is missing, and fail instead when `COORDGRAPH_REQUIRE_TOOLS=1`.

use crate::tools::{have_tool, networkx_read, render_dot_svg, validate_gexf};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use coordgraph::export::analysis::{
    AnalysisExportOptions, EDGE_FIXED_ATTRIBUTES, ExportFormat, NODE_ATTRIBUTES,
};
use coordgraph::export::palette::{UNFLAGGED, flagged_color, size_by_score};
use coordgraph::export::text::sanitize_xml;
use coordgraph::export::{
    AttrValue, CsvOptions, ExportError, GraphSource, coordination_export, select_export_edges,
    write_analysis_exports,
};
use coordgraph::report::*;
use predicates::prelude::*;

use crate::util::coordgraph;

// ---------------------------------------------------------------------------------------------
// The fixture: eight accounts, three clusters (7 and 9 flagged, 3 not), seven edges.

const HANDLE: &str = "<ann> & \"co\" 'x' ]]>";
const NAME: &str = "Ann \u{1}\u{1b}[31m red \u{1b}[0m 😀 \u{202e}txet\u{202c} \u{200f}عربي";
const BIO: &str = "bio </attvalue> & \ttab\nline\r\u{0}nul \"q\" 🇫🇷 \\ end";
const LOCATION: &str = "Paris, \"France\" <b>&amp;</b>";
const TOP_OBJECT: &str = "#MacronLeaks \"<b>&</b>\" \\ \u{1b}";

fn account(id: &str, handle: Option<&str>, cluster: Option<u32>, core: bool, bot: f64) -> Account {
    Account {
        id: id.to_string(),
        handle: handle.map(str::to_string),
        name: None,
        cluster,
        core,
        flagged: core && matches!(cluster, Some(7 | 9)),
        bot_score: bot,
        dormant_reactivated: false,
        signals: AccountSignalsOut {
            records: 3,
            first: Some("2017-05-05T18:00:00.000Z".to_string()),
            last: Some("2017-05-06T12:00:00.000Z".to_string()),
            dormancy: None,
            longest_gap_days: 0.5,
            main_client: Some("Twitter Web Client".to_string()),
            automation_share: Some(0.0),
            retweet_share: 0.5,
            duplicate_text_share: None,
            records_per_day: 4.0,
            followers: Some(10),
            friends: Some(20),
            created_at: Some("2016-01-01T00:00:00.000Z".to_string()),
            lang: Some("fr".to_string()),
            location: None,
            bio: None,
            bot_parts: BTreeMap::new(),
            bot_coverage: 1.0,
        },
    }
}

fn cluster(id: u32, rank: u32, flagged: bool, suspicion: f64, members: &[&str]) -> Cluster {
    Cluster {
        id,
        rank,
        flagged,
        suspicion,
        suspicion_parts: SuspicionParts::default(),
        size: members.len() as u32,
        core_size: members.len() as u32,
        members: members.iter().map(|m| m.to_string()).collect(),
        coordination: Coordination {
            edges: 0,
            density: 0.0,
            total_weight: 0.0,
            mean_weight: 0.0,
            internal_share: 0.0,
            layers: vec![],
        },
        synchrony: Synchrony {
            actions: 0,
            shared_objects: 0,
            pairs: 0,
            median_latency_s: None,
            p90_latency_s: None,
            within_1s: 0.0,
            within_10s: 0.0,
            within_60s: 0.0,
            synchronized_share: 0.0,
            null_synchronized_share: 0.0,
            null_sd: 0.0,
            z: 0.0,
            burstiness: None,
            busiest_hour: None,
            busiest_hour_share: 0.0,
            hour_entropy: 0.0,
            hour_of_day: vec![0; 24],
            latency_histogram: histogram(),
            timeline: timeline(),
        },
        signals: ClusterSignals {
            bot_score_mean: 0.0,
            bot_share: 0.0,
            dormant_share: 0.0,
            dormant_accounts: 0,
            automation_share: 0.0,
            clients: vec![],
            creation: None,
            bot_parts: BTreeMap::new(),
        },
        evidence: Evidence {
            top_objects: vec![],
            tightest: vec![],
            leaders: vec![],
            languages: vec![],
            locations: vec![],
            bio_terms: vec![],
        },
    }
}

fn histogram() -> LatencyHistogram {
    LatencyHistogram {
        upper_s: vec![1.0, 60.0],
        observed: vec![0, 0],
        null: vec![0.0, 0.0],
    }
}

fn timeline() -> Timeline {
    Timeline {
        start: None,
        bin_secs: 3600,
        counts: vec![],
    }
}

fn report() -> Report {
    let mut ann = account("101", Some(HANDLE), Some(7), true, 0.9);
    ann.name = Some(NAME.to_string());
    ann.dormant_reactivated = true;
    ann.signals.bio = Some(BIO.to_string());
    ann.signals.location = Some(LOCATION.to_string());
    ann.signals.followers = Some(5_000_000_000);
    ann.signals.first = Some("2017-05-05T18:30:00.500Z".to_string());
    ann.signals.last = Some("2017-05-06T09:15:00.000Z".to_string());
    ann.signals.created_at = Some("2017-04-30T23:59:59.000Z".to_string());
    // Unreadable text where a time should be: left out, never a failure.
    let mut cat = account("103", Some("cat"), Some(7), false, 0.1);
    cat.signals.created_at = Some("not a date \u{202e}".to_string());
    cat.signals.followers = Some(u64::MAX);
    let mut top = cluster(7, 1, true, 0.91, &["101", "102", "103"]);
    top.evidence.top_objects.push(SharedObject {
        layer: "co-hashtag".to_string(),
        object: TOP_OBJECT.to_string(),
        post_id: None,
        text: None,
        accounts: 3,
        actions: 5,
        first: "2017-05-05T18:50:00.000Z".to_string(),
        last: "2017-05-05T19:10:00.000Z".to_string(),
        median_delay_s: 2.0,
    });
    Report {
        version: REPORT_VERSION,
        generator: Generator {
            name: "coordgraph".to_string(),
            version: "0".to_string(),
        },
        input: InputSummary {
            files: vec!["leaks.jsonl".to_string()],
            records: 100,
            retweets: 50,
            accounts: 8,
            hashtags: 3,
            urls: 1,
            duplicates: 0,
            skipped: 0,
            skipped_by_reason: BTreeMap::new(),
            first: Some("2017-05-05T18:00:00.000Z".to_string()),
            last: Some("2017-05-06T12:00:00.000Z".to_string()),
        },
        parameters: Parameters {
            window_secs: 60,
            networks: vec!["co-retweet".to_string(), "co-hashtag".to_string()],
            min_edge_weight: 1.0,
            algorithm: "leiden".to_string(),
            resolution: 1.0,
            seed: 0,
            min_cluster_size: 1,
            flag_threshold: 0.5,
            dormant_days: 90,
            similarity: 0.8,
            min_text_chars: 10,
            crowd: 50,
        },
        summary: Summary {
            graph_accounts: 7,
            graph_edges: 7,
            modularity: 0.4,
            clusters: 3,
            flagged_clusters: 2,
            flagged_accounts: 5,
            dormant_reactivated: 1,
            bot_like: 3,
        },
        layers: vec![],
        clusters: vec![
            top,
            cluster(9, 2, true, 0.8, &["104", "105", "108"]),
            // 999 is in no account of the report: its cluster comes from this list.
            cluster(3, 3, false, 0.2, &["106", "999"]),
        ],
        accounts: vec![
            ann,
            account("102", Some("bob"), Some(7), true, 0.5),
            cat,
            account("104", Some("dan"), Some(9), true, 0.7),
            account("105", None, Some(9), true, 0.6),
            account("106", Some("eve"), Some(3), true, 0.0),
            // No edge, no flagged cluster: not drawn.
            account("107", Some("fay"), None, false, 0.3),
            // A flagged core member without an edge: drawn with its cluster.
            account("108", Some("gus"), Some(9), true, 1.0),
        ],
        baseline: Baseline {
            bot_score_histogram: vec![0; 10],
            timeline: timeline(),
            latency_histogram: histogram(),
        },
        warnings: vec![],
    }
}

fn edge_table() -> EdgeTable {
    let row =
        |source: &str, target: &str, weight: f64, pairs: u64, min_dt: f64, w: [f64; 2]| EdgeRow {
            source: source.to_string(),
            target: target.to_string(),
            weight,
            pairs,
            min_dt_s: min_dt,
            first: "2017-05-05T18:50:00.000Z".to_string(),
            last: "2017-05-05T19:10:00.250Z".to_string(),
            layer_weights: w.to_vec(),
        };
    EdgeTable {
        layers: vec!["co-retweet".to_string(), "co-hashtag".to_string()],
        edges: vec![
            row("101", "102", 5.0, 9, 0.5, [4.0, 1.0]),
            row("101", "103", 2.0, 2, 3.0, [2.0, 0.0]),
            row("102", "103", 1.0, 1, 12.5, [0.0, 1.0]),
            row("103", "104", 1.0, 1, 30.0, [1.0, 0.0]),
            row("104", "105", 3.0, 4, 0.0, [3.0, 0.0]),
            row("105", "106", 1.0, 1, 45.0, [0.0, 1.0]),
            // An account the report does not know: empty attributes.
            row("106", "999", 1.5, 2, 59.0, [1.0, 0.5]),
        ],
    }
}

/// Node ids in export order: report account order, then ids the report lacks.
const NODE_IDS: [&str; 8] = ["101", "102", "103", "104", "105", "106", "108", "999"];

// ---------------------------------------------------------------------------------------------
// A small GEXF reader: per node and edge, its XML attributes, attribute values by title,
// colour, size and spells.

#[derive(Debug, Default)]
struct Element {
    attrs: BTreeMap<String, String>,
    values: BTreeMap<String, String>,
    color: Option<(u8, u8, u8)>,
    size: Option<String>,
    spells: Vec<(String, String)>,
}

#[derive(Debug, Default)]
struct Gexf {
    graph: BTreeMap<String, String>,
    description: String,
    nodes: Vec<Element>,
    edges: Vec<Element>,
}

impl Gexf {
    fn node(&self, id: &str) -> &Element {
        let ids = sanitize_xml(id);
        self.nodes
            .iter()
            .find(|n| n.attrs["id"] == ids)
            .unwrap_or_else(|| panic!("no node {id}"))
    }
}

fn read_gexf(bytes: &[u8]) -> Gexf {
    use quick_xml::events::Event;
    let text = std::str::from_utf8(bytes).expect("UTF-8 output");
    let mut reader = quick_xml::Reader::from_str(text);
    let mut gexf = Gexf::default();
    // (class, id) → title.
    let mut titles: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut class = String::new();
    let mut current: Option<(bool, Element)> = None;
    let mut in_description = false;
    loop {
        let event = reader.read_event().expect("well-formed XML");
        let (e, is_start) = match &event {
            Event::Start(e) => (e, true),
            Event::Empty(e) => (e, false),
            Event::Text(t) if in_description => {
                gexf.description.push_str(&t.xml10_content().expect("text"));
                continue;
            }
            Event::GeneralRef(r) if in_description => {
                let name = String::from_utf8(r.to_vec()).unwrap();
                gexf.description.push_str(match name.as_str() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    _ => "?",
                });
                continue;
            }
            Event::End(e) => {
                match e.name().as_ref() {
                    b"node" | b"edge" => {
                        let (is_node, element) = current.take().expect("open element");
                        if is_node {
                            gexf.nodes.push(element);
                        } else {
                            gexf.edges.push(element);
                        }
                    }
                    b"description" => in_description = false,
                    _ => {}
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
        let mut attrs = BTreeMap::new();
        for a in e.attributes() {
            let a = a.expect("attribute");
            let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
            let value = a
                .normalized_value(quick_xml::XmlVersion::Explicit1_0)
                .expect("escaped value")
                .into_owned();
            attrs.insert(key, value);
        }
        match name.as_str() {
            "graph" => gexf.graph = attrs,
            "description" => in_description = is_start,
            "attributes" => class = attrs["class"].clone(),
            "attribute" => {
                titles.insert((class.clone(), attrs["id"].clone()), attrs["title"].clone());
            }
            "node" | "edge" => {
                let element = Element {
                    attrs,
                    ..Element::default()
                };
                if is_start {
                    current = Some((name == "node", element));
                } else if name == "node" {
                    gexf.nodes.push(element);
                } else {
                    gexf.edges.push(element);
                }
            }
            "attvalue" => {
                let (is_node, element) = current.as_mut().expect("attvalue in an element");
                let class = if *is_node { "node" } else { "edge" };
                let title = titles[&(class.to_string(), attrs["for"].clone())].clone();
                element.values.insert(title, attrs["value"].clone());
            }
            "viz:color" => {
                let element = &mut current.as_mut().expect("colour of a node").1;
                let c = |k: &str| attrs[k].parse::<u8>().unwrap();
                element.color = Some((c("r"), c("g"), c("b")));
            }
            "viz:size" => {
                current.as_mut().expect("size of a node").1.size = Some(attrs["value"].clone());
            }
            "spell" => {
                let element = &mut current.as_mut().expect("spell of an element").1;
                element
                    .spells
                    .push((attrs["start"].clone(), attrs["end"].clone()));
            }
            _ => {}
        }
    }
    gexf
}

fn rgb(c: coordgraph::export::Rgb) -> Option<(u8, u8, u8)> {
    Some((c.r, c.g, c.b))
}

/// Every file under `dir`, relative and `/`-separated, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

/// The file names of an export of everything.
const ALL_FILES: [&str; 8] = [
    "coordination.gexf",
    "coordination-dynamic.gexf",
    "coordination.graphml",
    "nodes.csv",
    "edges.csv",
    "clusters/overview.dot",
    "clusters/1-7.dot",
    "clusters/2-9.dot",
];

fn export_all(dir: &Path) -> Vec<PathBuf> {
    write_analysis_exports(
        &report(),
        &edge_table(),
        dir,
        &AnalysisExportOptions::default(),
    )
    .expect("exports written")
}

// ---------------------------------------------------------------------------------------------
// The graph model.

#[test]
fn the_graph_holds_edge_accounts_and_flagged_members_in_account_order() {
    let graph = coordination_export(&report(), &edge_table()).unwrap();
    assert!(!graph.directed);
    let ids: Vec<&str> = graph.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, NODE_IDS);
    assert_eq!(graph.edges.len(), 7);
    let names: Vec<&str> = graph
        .edge_attributes
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "pairs",
            "min_dt_s",
            "first",
            "last",
            "w_co-retweet",
            "w_co-hashtag"
        ]
    );
    assert_eq!(graph.node_attributes.len(), NODE_ATTRIBUTES.len());

    let ann = &graph.nodes[0];
    assert_eq!(ann.label, HANDLE);
    assert_eq!(ann.cluster, Some(7));
    assert_eq!(ann.color, Some(flagged_color(1)));
    assert_eq!(ann.size, Some(size_by_score(0.9)));
    // 2017-05-05T18:30:00.500Z .. 2017-05-06T09:15:00Z.
    assert_eq!(ann.spells, [(1_494_009_000_500, 1_494_062_100_000)]);
    let value = |node: usize, name: &str| {
        let i = NODE_ATTRIBUTES.iter().position(|a| a.0 == name).unwrap();
        graph.nodes[node].values[i].clone()
    };
    assert_eq!(value(0, "handle"), AttrValue::Str(HANDLE.into()));
    assert_eq!(value(0, "name"), AttrValue::Str(NAME.into()));
    assert_eq!(value(0, "bio"), AttrValue::Str(BIO.into()));
    assert_eq!(value(0, "rank"), AttrValue::Int(1));
    assert_eq!(value(0, "suspicion"), AttrValue::Float(0.91));
    assert_eq!(value(0, "flagged"), AttrValue::Bool(true));
    assert_eq!(value(0, "dormant_reactivated"), AttrValue::Bool(true));
    assert_eq!(value(0, "followers"), AttrValue::Int(5_000_000_000));
    assert_eq!(value(0, "created_at"), AttrValue::Time(1_493_596_799_000));
    // cat: a non-core member of a flagged cluster keeps its colour, not its flag.
    assert_eq!(graph.nodes[2].color, Some(flagged_color(1)));
    assert_eq!(value(2, "core"), AttrValue::Bool(false));
    assert_eq!(value(2, "flagged"), AttrValue::Bool(false));
    assert_eq!(value(2, "created_at"), AttrValue::Missing);
    assert_eq!(value(2, "followers"), AttrValue::Missing);
    // 105 has no handle: labelled by its id.
    assert_eq!(graph.nodes[4].label, "105");
    assert_eq!(value(4, "handle"), AttrValue::Missing);
    // eve: an unflagged cluster is grey.
    assert_eq!(graph.nodes[5].color, Some(UNFLAGGED));
    assert_eq!(value(5, "rank"), AttrValue::Int(3));
    // gus: no edge, drawn for its flagged cluster.
    assert_eq!(graph.nodes[6].cluster, Some(9));
    assert_eq!(graph.nodes[6].color, Some(flagged_color(2)));
    // 999: unknown to the report; its cluster comes from the members list, nothing else.
    let unknown = &graph.nodes[7];
    assert_eq!((unknown.label.as_str(), unknown.cluster), ("999", Some(3)));
    assert_eq!((unknown.color, unknown.size), (Some(UNFLAGGED), None));
    assert!(unknown.spells.is_empty());
    let known: Vec<&str> = NODE_ATTRIBUTES
        .iter()
        .zip(&unknown.values)
        .filter(|(_, v)| **v != AttrValue::Missing)
        .map(|(a, _)| a.0)
        .collect();
    assert_eq!(known, ["cluster", "rank", "suspicion"]);

    let e = &graph.edges[6];
    assert_eq!((e.source, e.target, e.weight), (5, 7, 1.5));
    assert_eq!(
        e.values,
        [
            AttrValue::Int(2),
            AttrValue::Float(59.0),
            AttrValue::Time(1_494_010_200_000),
            AttrValue::Time(1_494_011_400_250),
            AttrValue::Float(1.0),
            AttrValue::Float(0.5),
        ]
    );
    assert_eq!(e.spells, [(1_494_010_200_000, 1_494_011_400_250)]);

    let clusters: Vec<(u32, u32)> = graph.clusters.iter().map(|c| (c.rank, c.id)).collect();
    assert_eq!(clusters, [(1, 7), (2, 9)]);
    assert_eq!(
        graph.clusters[0].label,
        format!("cluster 7, suspicion 0.91: {TOP_OBJECT}")
    );
    assert_eq!(graph.clusters[1].label, "cluster 9, suspicion 0.80");
    assert_eq!(graph.clusters[1].color, flagged_color(2));
}

#[test]
fn a_row_with_the_wrong_number_of_layer_weights_is_an_error_and_writes_nothing() {
    let mut table = edge_table();
    table.edges[3].layer_weights.push(1.0);
    let err = coordination_export(&report(), &table).unwrap_err();
    assert!(
        matches!(
            err,
            ExportError::ValueCount {
                expected: 6,
                got: 7,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "edge 3 has 7 attribute values but the schema has 6"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let options = AnalysisExportOptions::default();
    assert!(write_analysis_exports(&report(), &table, &out, &options).is_err());
    assert!(!out.exists());
}

#[test]
fn an_empty_report_exports_an_empty_graph() {
    let mut empty = report();
    empty.accounts.clear();
    empty.clusters.clear();
    let dir = tempfile::tempdir().unwrap();
    let written = write_analysis_exports(
        &empty,
        &EdgeTable::default(),
        dir.path(),
        &AnalysisExportOptions::default(),
    )
    .unwrap();
    assert_eq!(written.len(), 6, "no cluster file: {written:?}");
    let gexf = read_gexf(&std::fs::read(&written[0]).unwrap());
    assert!(gexf.nodes.is_empty() && gexf.edges.is_empty());
    validate_gexf(&written[0]);
    validate_gexf(&written[1]);
}

// ---------------------------------------------------------------------------------------------
// GEXF.

#[test]
fn gexf_carries_every_attribute_and_hostile_text_up_to_forbidden_characters() {
    let dir = tempfile::tempdir().unwrap();
    let written = export_all(dir.path());
    let gexf = read_gexf(&std::fs::read(&written[0]).unwrap());
    assert_eq!(gexf.graph["defaultedgetype"], "undirected");
    assert!(!gexf.graph.contains_key("mode"));
    assert_eq!(
        gexf.description,
        "Coordination graph: accounts tied by acting on the same objects within 60 s \
         (layers: co-retweet, co-hashtag; edges of weight 1 or more). 8 accounts, 7 edges, \
         2 flagged clusters."
    );
    let ids: Vec<&str> = gexf.nodes.iter().map(|n| n.attrs["id"].as_str()).collect();
    assert_eq!(ids, NODE_IDS);
    assert_eq!(gexf.edges.len(), 7);

    let ann = gexf.node("101");
    assert_eq!(ann.attrs["label"], *sanitize_xml(HANDLE));
    let expected: BTreeMap<String, String> = [
        ("handle", &*sanitize_xml(HANDLE)),
        ("name", &*sanitize_xml(NAME)),
        ("cluster", "7"),
        ("rank", "1"),
        ("suspicion", "0.91"),
        ("flagged", "true"),
        ("core", "true"),
        ("bot_score", "0.9"),
        ("dormant_reactivated", "true"),
        ("records", "3"),
        ("followers", "5000000000"),
        ("friends", "20"),
        ("created_at", "2017-04-30T23:59:59Z"),
        ("first", "2017-05-05T18:30:00.500Z"),
        ("last", "2017-05-06T09:15:00Z"),
        ("lang", "fr"),
        ("location", LOCATION),
        ("main_client", "Twitter Web Client"),
        ("bio", &*sanitize_xml(BIO)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(ann.values, expected);
    // The control characters are gone, the rest is kept exactly.
    assert!(ann.values["name"].contains("\u{fffd}\u{fffd}[31m red"));
    assert!(ann.values["name"].contains("😀 \u{202e}txet\u{202c} \u{200f}عربي"));
    assert!(ann.values["bio"].contains("</attvalue> & \ttab\nline\r\u{fffd}nul \"q\" 🇫🇷 \\"));
    assert_eq!(ann.color, rgb(flagged_color(1)));
    assert_eq!(ann.size.as_deref(), Some("36.4"));
    assert!(ann.spells.is_empty(), "no spells in the static file");

    let unknown = gexf.node("999");
    assert_eq!(unknown.attrs["label"], "999");
    assert_eq!(unknown.values.len(), 3);
    assert_eq!(unknown.values["cluster"], "3");
    assert_eq!(unknown.color, rgb(UNFLAGGED));
    assert_eq!(unknown.size, None);
    assert!(!gexf.node("103").values.contains_key("created_at"));
    assert_eq!(gexf.node("108").color, rgb(flagged_color(2)));
    assert_eq!(gexf.node("106").color, rgb(UNFLAGGED));

    let e = &gexf.edges[0];
    assert_eq!(
        (
            &*e.attrs["source"],
            &*e.attrs["target"],
            &*e.attrs["weight"]
        ),
        ("101", "102", "5")
    );
    let values: Vec<(&str, &str)> = e
        .values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        values,
        [
            ("first", "2017-05-05T18:50:00Z"),
            ("last", "2017-05-05T19:10:00.250Z"),
            ("min_dt_s", "0.5"),
            ("pairs", "9"),
            ("w_co-hashtag", "1"),
            ("w_co-retweet", "4"),
        ]
    );
    assert_eq!(gexf.edges[4].values["min_dt_s"], "0");
    assert_eq!(gexf.edges[6].attrs["target"], "999");
    // Layer weights declare 0 as their default, and zero weights are left out.
    let text = std::fs::read_to_string(&written[0]).unwrap();
    assert!(text.contains(
        "<attribute id=\"4\" title=\"w_co-retweet\" type=\"double\">\n        \
         <default>0</default>\n      </attribute>"
    ));
    let zero_retweets = gexf
        .edges
        .iter()
        .find(|e| e.attrs["source"] == "105" && e.attrs["target"] == "106")
        .expect("edge 105–106");
    assert!(!zero_retweets.values.contains_key("w_co-retweet"));
    assert_eq!(zero_retweets.values["w_co-hashtag"], "1");
    validate_gexf(&written[0]);
}

#[test]
fn dynamic_gexf_has_account_and_edge_spells() {
    let dir = tempfile::tempdir().unwrap();
    let written = export_all(dir.path());
    assert!(written[1].ends_with("coordination-dynamic.gexf"));
    let gexf = read_gexf(&std::fs::read(&written[1]).unwrap());
    assert_eq!(gexf.graph["mode"], "dynamic");
    assert_eq!(gexf.graph["timeformat"], "dateTime");
    assert_eq!(
        gexf.node("101").spells,
        [(
            "2017-05-05T18:30:00.500Z".to_string(),
            "2017-05-06T09:15:00Z".to_string()
        )]
    );
    assert_eq!(
        gexf.node("102").spells,
        [(
            "2017-05-05T18:00:00Z".to_string(),
            "2017-05-06T12:00:00Z".to_string()
        )]
    );
    assert!(gexf.node("999").spells.is_empty(), "always present");
    for e in &gexf.edges {
        assert_eq!(
            e.spells,
            [(
                "2017-05-05T18:50:00Z".to_string(),
                "2017-05-05T19:10:00.250Z".to_string()
            )]
        );
    }
    validate_gexf(&written[1]);
}

#[test]
fn networkx_reads_gexf_and_graphml_back() {
    let dir = tempfile::tempdir().unwrap();
    let written = export_all(dir.path());
    let Some(g) = networkx_read("gexf", &written[0]) else {
        return;
    };
    assert_eq!(
        (g["nodes"].as_u64(), g["edges"].as_u64()),
        (Some(8), Some(7))
    );
    assert_eq!(g["directed"], false);
    let ann = &g["node_data"]["101"];
    assert_eq!(ann["label"], *sanitize_xml(HANDLE));
    assert_eq!(ann["handle"], *sanitize_xml(HANDLE));
    assert_eq!(ann["name"], *sanitize_xml(NAME));
    assert_eq!(ann["bio"], *sanitize_xml(BIO));
    assert_eq!(ann["followers"], 5_000_000_000_i64);
    assert_eq!(ann["flagged"], true);
    assert_eq!(ann["suspicion"], 0.91);
    assert_eq!(ann["cluster"], 7);
    assert_eq!(ann["viz"]["color"]["r"], flagged_color(1).r);
    assert_eq!(ann["viz"]["size"], 36.4);
    let unknown = g["node_data"]["999"].as_object().unwrap();
    assert!(unknown.get("bot_score").is_none() && unknown.get("handle").is_none());
    let e = edge_between(&g, "106", "999");
    assert_eq!(e["weight"], 1.5);
    assert_eq!(e["w_co-hashtag"], 0.5);
    assert_eq!(e["pairs"], 2);
    assert_eq!(e["last"], "2017-05-05T19:10:00.250Z");
    // A zero layer weight is implied by the column's declared default.
    assert_eq!(g["edge_default"]["w_co-retweet"], 0.0);
    let zero_retweets = edge_between(&g, "105", "106");
    assert!(zero_retweets.get("w_co-retweet").is_none());
    assert_eq!(zero_retweets["w_co-hashtag"], 1.0);

    let g = networkx_read("gexf", &written[1]).unwrap();
    assert_eq!(
        (g["nodes"].as_u64(), g["edges"].as_u64()),
        (Some(8), Some(7))
    );
    assert_eq!(
        g["node_data"]["101"]["spells"][0][0],
        "2017-05-05T18:30:00.500Z"
    );

    let g = networkx_read("graphml", &written[2]).unwrap();
    assert_eq!(
        (g["nodes"].as_u64(), g["edges"].as_u64()),
        (Some(8), Some(7))
    );
    let ann = &g["node_data"]["101"];
    assert_eq!(ann["label"], *sanitize_xml(HANDLE));
    assert_eq!(ann["name"], *sanitize_xml(NAME));
    assert_eq!(ann["rank"], 1);
    assert_eq!(ann["created_at"], "2017-04-30T23:59:59Z");
    let e = edge_between(&g, "101", "102");
    assert_eq!(e["weight"], 5.0);
    assert_eq!(e["w_co-retweet"], 4.0);
    assert_eq!(g["edge_default"]["w_co-retweet"], 0.0);
    let zero_retweets = edge_between(&g, "105", "106");
    assert!(zero_retweets.get("w_co-retweet").is_none());
    assert_eq!(zero_retweets["w_co-hashtag"], 1.0);
}

/// The attributes networkx read on the edge `source`–`target` of a summary.
fn edge_between<'a>(g: &'a serde_json::Value, source: &str, target: &str) -> &'a serde_json::Value {
    let e = g["edge_data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e[0] == source && e[1] == target)
        .unwrap_or_else(|| panic!("edge {source}–{target}"));
    &e[2]
}

// ---------------------------------------------------------------------------------------------
// CSV and DOT.

#[test]
fn csv_tables_hold_the_text_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let written = export_all(dir.path());
    let read = |path: &Path| -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(path)
            .unwrap()
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    };
    let nodes = read(&written[3]);
    let mut header = vec!["Id".to_string(), "Label".to_string()];
    header.extend(NODE_ATTRIBUTES.iter().map(|a| a.0.to_string()));
    assert_eq!(nodes[0], header);
    assert_eq!(nodes.len(), 1 + 8);
    let ann = &nodes[1];
    assert_eq!(ann[..4], ["101", HANDLE, HANDLE, NAME]);
    assert_eq!(ann[2 + 18], BIO, "CSV carries every character");
    assert_eq!(ann[2 + 16], LOCATION);
    assert_eq!(nodes[8][..6], ["999", "999", "", "", "3", "3"]);

    let edges = read(&written[4]);
    let mut header: Vec<String> = ["Source", "Target", "Type", "Weight", "Kind"]
        .map(String::from)
        .to_vec();
    header.extend(EDGE_FIXED_ATTRIBUTES.iter().map(|a| a.0.to_string()));
    header.extend(["w_co-retweet".to_string(), "w_co-hashtag".to_string()]);
    assert_eq!(edges[0], header);
    assert_eq!(edges.len(), 1 + 7);
    assert_eq!(
        edges[7],
        [
            "106",
            "999",
            "Undirected",
            "1.5",
            "",
            "2",
            "59",
            "2017-05-05T18:50:00Z",
            "2017-05-05T19:10:00.250Z",
            "1",
            "0.5"
        ]
    );

    // With intervals: Gephi's dynamic spreadsheet import.
    let options = AnalysisExportOptions {
        formats: vec![ExportFormat::Csv],
        csv: CsvOptions { intervals: true },
        ..AnalysisExportOptions::default()
    };
    let with = dir.path().join("intervals");
    write_analysis_exports(&report(), &edge_table(), &with, &options).unwrap();
    let nodes = read(&with.join("nodes.csv"));
    assert_eq!(nodes[0][2], "Interval");
    assert_eq!(
        nodes[1][2],
        "<[2017-05-05T18:30:00.500Z, 2017-05-06T09:15:00Z]>"
    );
    assert_eq!(nodes[8][2], "");
}

#[test]
fn dot_files_draw_each_flagged_cluster_and_the_overview() {
    let dir = tempfile::tempdir().unwrap();
    let written = export_all(dir.path());
    let dot = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let first = dot("clusters/1-7.dot");
    assert!(first.starts_with("graph cluster7 {"), "{first}");
    assert_eq!(
        first.matches("fillcolor=").count(),
        3,
        "ann, bob, cat:\n{first}"
    );
    assert_eq!(first.matches(" -- ").count(), 3, "{first}");
    assert!(first.contains("n0 -- n1 [penwidth=6"), "{first}");
    assert!(
        first.contains(r#"label="<ann> & \"co\" 'x' ]]>""#),
        "quotes escaped:\n{first}"
    );
    assert!(
        first.contains(r##"label="#1 cluster 7, suspicion 0.91: #MacronLeaks \"<b>&</b>\" \\ ""##),
        "{first}"
    );
    let second = dot("clusters/2-9.dot");
    assert_eq!(
        second.matches("fillcolor=").count(),
        3,
        "dan, 105, gus:\n{second}"
    );
    assert_eq!(second.matches(" -- ").count(), 1, "{second}");
    assert!(second.contains(r#"label="105""#));
    let overview = dot("clusters/overview.dot");
    assert_eq!(
        overview.matches(" -- ").count(),
        1,
        "cat–dan ties 7 and 9:\n{overview}"
    );
    assert!(overview.contains(r##"label="#2 cluster 9, suspicion 0.80\n3 accounts""##));

    if !have_tool("dot", &["-V"], "Graphviz dot") {
        return;
    }
    for path in written
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "dot"))
    {
        render_dot_svg(path);
    }
    let svg = std::fs::read_to_string(dir.path().join("clusters/1-7.svg")).unwrap();
    assert!(
        svg.contains("&lt;ann&gt; &amp;"),
        "hostile label rendered as text"
    );
}

// ---------------------------------------------------------------------------------------------
// Files: order, atomicity, determinism, stale clusters.

#[test]
fn every_file_is_written_atomically_in_a_fixed_order() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new/folder");
    let written = export_all(&out);
    let names: Vec<String> = written
        .iter()
        .map(|p| {
            p.strip_prefix(&out)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    assert_eq!(names, ALL_FILES);
    let mut sorted = ALL_FILES.map(String::from).to_vec();
    sorted.sort();
    assert_eq!(files_under(&out), sorted, "nothing else, no temporary file");

    let options = AnalysisExportOptions {
        formats: vec![ExportFormat::Dot, ExportFormat::Gexf],
        ..AnalysisExportOptions::default()
    };
    let only = dir.path().join("only");
    let written = write_analysis_exports(&report(), &edge_table(), &only, &options).unwrap();
    assert_eq!(
        written,
        [
            only.join("coordination.gexf"),
            only.join("clusters/overview.dot"),
            only.join("clusters/1-7.dot"),
            only.join("clusters/2-9.dot"),
        ]
    );
}

#[test]
fn clusters_the_report_no_longer_flags_lose_their_file() {
    let dir = tempfile::tempdir().unwrap();
    export_all(dir.path());
    std::fs::write(dir.path().join("clusters/3-3.dot"), "graph old {}").unwrap();
    std::fs::write(dir.path().join("clusters/notes.dot"), "graph mine {}").unwrap();
    let mut report = report();
    report.clusters[1].flagged = false;
    let written = write_analysis_exports(
        &report,
        &edge_table(),
        dir.path(),
        &AnalysisExportOptions::default(),
    )
    .unwrap();
    assert_eq!(written.len(), ALL_FILES.len() - 1);
    let files = files_under(&dir.path().join("clusters"));
    assert_eq!(files, ["1-7.dot", "notes.dot", "overview.dot"]);
}

#[test]
fn the_same_input_gives_the_same_bytes_on_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for threads in [1, 2, 2] {
        let out = dir.path().join(format!("run{}", outputs.len()));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| export_all(&out));
        let bytes: Vec<(String, Vec<u8>)> = files_under(&out)
            .into_iter()
            .map(|name| {
                let content = std::fs::read(out.join(&name)).unwrap();
                (name, content)
            })
            .collect();
        outputs.push(bytes);
    }
    assert_eq!(outputs[0].len(), ALL_FILES.len());
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[1], outputs[2]);
}

// ---------------------------------------------------------------------------------------------
// The command line.

/// An analysis folder: report.json and coordination-edges.csv.
fn analysis_folder(dir: &Path) -> PathBuf {
    let folder = dir.join("analysis");
    std::fs::create_dir_all(&folder).unwrap();
    write_report_json(&report(), &folder.join("report.json")).unwrap();
    edge_table()
        .write_file(&folder.join("coordination-edges.csv"))
        .unwrap();
    folder
}

#[test]
fn cli_export_rewrites_the_exports_of_a_saved_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let folder = analysis_folder(dir.path());
    let run = coordgraph().arg("export").arg(&folder).assert().success();
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    assert!(stderr.contains("wrote 8 files"), "{stderr}");
    assert!(stderr.contains("clusters/2-9.dot"), "{stderr}");
    let mut expected: Vec<String> = ALL_FILES.map(String::from).to_vec();
    expected.extend([
        "coordination-edges.csv".to_string(),
        "report.json".to_string(),
    ]);
    expected.sort();
    assert_eq!(files_under(&folder), expected, "no temporary file left");

    // The same bytes as the library writes.
    let library = dir.path().join("library");
    export_all(&library);
    for name in ALL_FILES {
        assert_eq!(
            std::fs::read(folder.join(name)).unwrap(),
            std::fs::read(library.join(name)).unwrap(),
            "{name}"
        );
    }

    // A report path, another folder, some formats, quietly.
    let other = dir.path().join("other");
    coordgraph()
        .args(["export", "--quiet", "--format", "dynamic-gexf,dot"])
        .arg(folder.join("report.json"))
        .arg("--out")
        .arg(&other)
        .assert()
        .success()
        .stderr("");
    assert_eq!(
        files_under(&other),
        [
            "clusters/1-7.dot",
            "clusters/2-9.dot",
            "clusters/overview.dot",
            "coordination-dynamic.gexf"
        ]
    );
    assert_eq!(
        std::fs::read(other.join("coordination-dynamic.gexf")).unwrap(),
        std::fs::read(library.join("coordination-dynamic.gexf")).unwrap()
    );

    // The edge table from elsewhere.
    let moved = dir.path().join("moved.csv");
    std::fs::rename(folder.join("coordination-edges.csv"), &moved).unwrap();
    let third = dir.path().join("third");
    coordgraph()
        .arg("export")
        .arg(&folder)
        .arg("--edges")
        .arg(&moved)
        .arg("--out")
        .arg(&third)
        .args(["--format", "graphml"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read(third.join("coordination.graphml")).unwrap(),
        std::fs::read(library.join("coordination.graphml")).unwrap()
    );
}

#[test]
fn cli_export_errors_name_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let folder = analysis_folder(dir.path());
    coordgraph()
        .args(["export", "--format", "gexf,svg"])
        .arg(&folder)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown export format `svg`"));
    coordgraph()
        .arg("export")
        .arg(&folder)
        .args(["--edges", "no/such/edges.csv"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no/such/edges.csv").and(predicate::str::contains("--edges")),
        );
    coordgraph()
        .arg("export")
        .arg(dir.path().join("nothing-here"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing-here"));
    let old = dir.path().join("old.json");
    std::fs::write(&old, r#"{"version": 0}"#).unwrap();
    coordgraph()
        .arg("export")
        .arg(&old)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("report version 0"));
    // Nothing was written by the failures.
    let mut expected = vec![
        "coordination-edges.csv".to_string(),
        "report.json".to_string(),
    ];
    expected.sort();
    assert_eq!(files_under(&folder), expected);
}

#[test]
fn graph_source_streams_what_the_graph_holds() {
    // The streaming source and the collected graph agree record by record.
    let report = report();
    let table = edge_table();
    let source = coordgraph::export::CoordinationSource::new(&report, &table).unwrap();
    let graph = coordination_export(&report, &table).unwrap();
    assert_eq!(source.node_count(), graph.nodes.len());
    let mut i = 0;
    source
        .visit_nodes(&mut |node| {
            assert_eq!(*node, graph.nodes[i]);
            assert_eq!(source.node_id(i), node.id);
            i += 1;
            Ok(())
        })
        .unwrap();
    let mut i = 0;
    source
        .visit_edges(&mut |edge| {
            assert_eq!(*edge, graph.edges[i]);
            i += 1;
            Ok(())
        })
        .unwrap();
    assert_eq!(i, 7);
}

// ---------------------------------------------------------------------------------------------
// A real analysis.

#[test]
fn the_exports_of_a_generated_analysis_agree_with_its_report() {
    use coordgraph::analyze::{AnalyzeOptions, analyze, input_summary};
    use coordgraph::generate::{GenerateOptions, OutputFormat, generate};
    use coordgraph::ingest::{IngestOptions, Input, read_collection};

    let options = GenerateOptions {
        seed: 11,
        scale: 0.01,
        format: OutputFormat::V11,
    };
    let (mut tweets, mut truth) = (Vec::new(), Vec::new());
    generate(&options, &mut tweets, &mut truth).unwrap();
    let inputs = [Input::bytes("generated.jsonl", tweets)];
    let ingest = read_collection(&inputs, &IngestOptions::default(), &()).unwrap();
    let input = input_summary(
        &ingest.collection,
        &ingest.report,
        &["generated.jsonl".to_string()],
    );
    let analysis = analyze(&ingest.collection, input, &AnalyzeOptions::default(), &()).unwrap();
    let (report, table) = (&analysis.report, &analysis.edges);
    assert!(
        report.summary.flagged_clusters > 0,
        "the planted networks are flagged"
    );

    let dir = tempfile::tempdir().unwrap();
    let written =
        write_analysis_exports(report, table, dir.path(), &AnalysisExportOptions::default())
            .unwrap();
    let flagged = report.summary.flagged_clusters as usize;
    assert_eq!(written.len(), 5 + 1 + flagged);

    // Every flagged cluster's members have edges, so the nodes are exactly the graph's.
    let gexf = read_gexf(&std::fs::read(&written[0]).unwrap());
    assert_eq!(gexf.nodes.len() as u64, report.summary.graph_accounts);
    assert_eq!(gexf.edges.len() as u64, report.summary.graph_edges);
    let flagged_nodes = gexf
        .nodes
        .iter()
        .filter(|n| n.values.get("flagged").map(String::as_str) == Some("true"))
        .count();
    assert_eq!(flagged_nodes as u64, report.summary.flagged_accounts);
    for cluster in report.clusters.iter().filter(|c| c.flagged) {
        let members = gexf
            .nodes
            .iter()
            .filter(|n| n.values.get("cluster") == Some(&cluster.id.to_string()))
            .count();
        assert_eq!(members, cluster.members.len(), "cluster {}", cluster.id);
        let dot = dir
            .path()
            .join(format!("clusters/{}-{}.dot", cluster.rank, cluster.id));
        let text = std::fs::read_to_string(&dot).unwrap();
        assert_eq!(text.matches("fillcolor=").count(), cluster.members.len());
        // The DOT file draws every member; the report's coordination counts core members.
        let members: std::collections::HashSet<&str> =
            cluster.members.iter().map(String::as_str).collect();
        let internal = (0..table.edge_count())
            .map(|i| table.fields(i))
            .filter(|e| members.contains(e.source) && members.contains(e.target))
            .count() as u64;
        assert!(internal >= cluster.coordination.edges);
        assert_eq!(
            text.matches(" -- ").count() as u64,
            internal,
            "{}",
            dot.display()
        );
    }
    validate_gexf(&written[0]);
    validate_gexf(&written[1]);
    if let Some(g) = networkx_read("graphml", &written[2]) {
        assert_eq!(g["nodes"].as_u64(), Some(report.summary.graph_accounts));
        assert_eq!(g["edges"].as_u64(), Some(report.summary.graph_edges));
    }
}

#[test]
fn inconsistent_reports_and_tables_export_without_panicking() {
    let mut report = report();
    // A cluster id no cluster has, a repeated account, a flagged member nobody else knows.
    report.accounts[1].cluster = Some(42);
    let mut twin = report.accounts[0].clone();
    twin.handle = Some("twin".to_string());
    report.accounts.push(twin);
    report.clusters[0]
        .members
        .push("\u{202e}ghost <&>".to_string());
    let mut table = edge_table();
    // A self-loop, an empty id, hostile ids, times that do not parse.
    let mut extra = table.edges[0].clone();
    extra.target = "101".to_string();
    table.edges.push(extra);
    let mut extra = table.edges[0].clone();
    extra.source = String::new();
    extra.target = "a\"<&>\u{1}😀".to_string();
    extra.first = "soon".to_string();
    extra.last = String::new();
    table.edges.push(extra);

    let graph = coordination_export(&report, &table).unwrap();
    let ids: Vec<&str> = graph.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "101",
            "102",
            "103",
            "104",
            "105",
            "106",
            "108",
            "999",
            "",
            "a\"<&>\u{1}😀",
            "\u{202e}ghost <&>"
        ]
    );
    assert_eq!(
        graph.nodes[0].label, HANDLE,
        "the first of a repeated account wins"
    );
    assert_eq!(
        (graph.nodes[1].cluster, graph.nodes[1].color),
        (None, Some(UNFLAGGED))
    );
    let ghost = &graph.nodes[10];
    assert_eq!(
        (ghost.cluster, ghost.color),
        (Some(7), Some(flagged_color(1)))
    );
    assert_eq!((graph.edges[7].source, graph.edges[7].target), (0, 0));
    let last = &graph.edges[8];
    assert!(last.spells.is_empty());
    assert_eq!(last.values[2..4], [AttrValue::Missing, AttrValue::Missing]);

    let dir = tempfile::tempdir().unwrap();
    let written = write_analysis_exports(
        &report,
        &table,
        dir.path(),
        &AnalysisExportOptions::default(),
    )
    .unwrap();
    assert_eq!(written.len(), ALL_FILES.len());
    validate_gexf(&written[0]);
    validate_gexf(&written[1]);
    let gexf = read_gexf(&std::fs::read(&written[1]).unwrap());
    assert_eq!((gexf.nodes.len(), gexf.edges.len()), (11, 9));
}

/// Past `max_edges`, the graph files hold the edges between members of flagged clusters, the
/// heaviest first when they are still too many, in table order, and say so; at or under it,
/// the files are those of no limit.
#[test]
fn graph_files_past_the_limit_hold_the_flagged_subgraph() {
    let (report, table) = (report(), edge_table());
    // Flagged members: 101, 102, 103 (cluster 7) and 104, 105, 108 (cluster 9); 105–106 and
    // 106–999 leave them.
    assert_eq!(select_export_edges(&report, &table, 7), None);
    let all_flagged = select_export_edges(&report, &table, 6).unwrap();
    assert_eq!(all_flagged.edges, [0, 1, 2, 3, 4]);
    assert_eq!((all_flagged.total, all_flagged.flagged), (7, 5));
    assert!(
        all_flagged
            .note()
            .contains("hold 5 edges: those between members of flagged")
    );
    let heaviest = select_export_edges(&report, &table, 3).unwrap();
    // Weights 5 (101–102), 3 (104–105) and 2 (101–103), back in table order.
    assert_eq!(heaviest.edges, [0, 1, 4]);
    assert!(
        heaviest
            .note()
            .contains("the 3 heaviest of the 5 between members")
    );
    assert!(
        heaviest
            .note()
            .contains("coordination-edges.csv holds every edge")
    );

    let export = |max_edges: usize| {
        let dir = tempfile::tempdir().unwrap();
        let options = AnalysisExportOptions {
            formats: vec![ExportFormat::Gexf, ExportFormat::Dot],
            max_edges,
            ..AnalysisExportOptions::default()
        };
        let written = write_analysis_exports(&report, &table, dir.path(), &options).unwrap();
        let bytes = std::fs::read(&written[0]).unwrap();
        let top = std::fs::read_to_string(dir.path().join("clusters/1-7.dot")).unwrap();
        (bytes, top)
    };
    let (bounded, top) = export(3);
    let gexf = read_gexf(&bounded);
    let ends: Vec<(&str, &str)> = gexf
        .edges
        .iter()
        .map(|e| (e.attrs["source"].as_str(), e.attrs["target"].as_str()))
        .collect();
    assert_eq!(ends, [("101", "102"), ("101", "103"), ("104", "105")]);
    let ids: Vec<&str> = gexf.nodes.iter().map(|n| n.attrs["id"].as_str()).collect();
    assert_eq!(ids, ["101", "102", "103", "104", "105", "108"]);
    let text = String::from_utf8(bounded).unwrap();
    assert!(text.contains("3 of the graph's 7 edges"), "{text}");
    // Cluster 7 keeps 101–102 and 101–103, not 102–103 (weight 1).
    assert_eq!(top.matches(" -- ").count(), 2);
    assert_eq!(export(7), export(usize::MAX));
    assert!(!String::from_utf8(export(7).0).unwrap().contains("subgraph"));
}
